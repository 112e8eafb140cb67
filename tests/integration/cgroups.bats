#!/usr/bin/env bats
# cgroups: linux.cgroupsPath, linux.resources on v1/hybrid and on pure v2
# hosts, pause/resume, update, ps, events.
#
# Every test puts its container in its own cgroup, $CG, under a parent that
# teardown removes. Tests of v1 files skip on a pure v2 host and the other
# way round; the v2 ones are there for the VM runner.

load helpers

setup() {
	setup_bundle
	CG_PARENT=/husk-bats-$$-$BATS_TEST_NUMBER
	CG=$CG_PARENT/c1
	update_config ".linux.cgroupsPath = \"$CG\""
}

teardown() {
	teardown_bundle
	remove_cgroup_tree "$CG_PARENT"
}

# --- the host's cgroups -------------------------------------------------------

# v1_dir CONTROLLER PATH: PATH in the v1 hierarchy of CONTROLLER; fails when
# it is not mounted.
v1_dir() {
	local mnt
	mnt=$(awk -v c="$1" '{ split($0, a, " - "); split(a[1], l, " "); split(a[2], r, " ")
		if (r[1] == "cgroup") { n = split(r[3], o, ","); for (i = 1; i <= n; i++) if (o[i] == c) print l[5] } }' \
		/proc/self/mountinfo | head -n1)
	[ -n "$mnt" ] && echo "$mnt$2"
}

# v2_dir PATH: PATH in the cgroup2 hierarchy (the unified one on hybrid hosts).
v2_dir() {
	local mnt
	mnt=$(awk '{ split($0, a, " - "); split(a[1], l, " "); split(a[2], r, " ")
		if (r[1] == "cgroup2" && l[5] ~ /^\/sys\/fs\/cgroup/) print l[5] }' /proc/self/mountinfo | head -n1)
	[ -n "$mnt" ] && echo "$mnt$1"
}

is_v2() {
	[ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ]
}

requires_v1() {
	! is_v2 || skip "needs cgroup v1 controllers (this host is pure cgroup v2)"
	v1_dir "$1" / >/dev/null || skip "needs the v1 $1 controller"
}

# requires_v2 [CONTROLLER...]: a pure v2 host whose root gives these
# controllers to its children.
requires_v2() {
	is_v2 || skip "needs a pure cgroup v2 host"
	local c
	for c in "$@"; do
		grep -qw "$c" /sys/fs/cgroup/cgroup.subtree_control ||
			skip "needs the $c controller enabled in /sys/fs/cgroup/cgroup.subtree_control"
	done
}

# The cgroup husk and this shell run in, as husk resolves a relative path.
own_cgroup() {
	local line
	line=$(grep '^0::' /proc/self/cgroup) || line=$(grep ':name=systemd:' /proc/self/cgroup)
	echo "${line#*:*:}"
}

start_sleeper() {
	set_args sleep 300
	husk_bg run -d --bundle "$BUNDLE" c1 >&2 || return 1
	container_pid c1 >/dev/null
}

# assert_file FILE VALUE: FILE holds VALUE (and a newline).
assert_file() {
	run -0 cat "$1"
	assert_output "$2"
}

# --- cgroupsPath ----------------------------------------------------------------

@test "cgroupsPath absolute: the cgroup is made in every hierarchy and gone after delete" {
	start_sleeper
	local mnt
	for mnt in $(cgroup_mounts); do
		assert_dir_exists "$mnt$CG"
	done
	run -0 husk delete --force c1
	for mnt in $(cgroup_mounts); do
		assert_not_exist "$mnt$CG"
	done
	assert_nothing_left
}

@test "the init and an exec'd process are in the container's cgroup under every hierarchy" {
	start_sleeper
	local pid epid mnt
	pid=$(container_pid c1)
	husk_bg exec --detach --pid-file "$BATS_TEST_TMPDIR/exec.pid" c1 sleep 300
	epid=$(cat "$BATS_TEST_TMPDIR/exec.pid")
	for mnt in $(cgroup_mounts); do
		run -0 cat "$mnt$CG/cgroup.procs"
		assert_line "$pid"
		assert_line "$epid"
	done
}

@test "cgroupsPath: delete also removes cgroups made below the container's" {
	start_sleeper
	local mnt
	for mnt in $(cgroup_mounts); do
		mkdir -p "$mnt$CG/sub/subsub"
	done
	run -0 husk delete --force c1
	for mnt in $(cgroup_mounts); do
		assert_not_exist "$mnt$CG"
	done
}

@test "cgroupsPath relative: under the runtime's own cgroup, though that holds processes" {
	requires_husk
	local rel="husk-bats-rel-$$" own mnt
	own=$(own_cgroup)
	[ "$own" = / ] && own=
	update_config ".linux.cgroupsPath = \"$rel/c1\""
	start_sleeper
	for mnt in $(cgroup_mounts); do
		assert_dir_exists "$mnt$own/$rel/c1"
	done
	run -0 husk delete --force c1
	# husk made $rel too, so delete takes it away with c1.
	for mnt in $(cgroup_mounts); do
		assert_not_exist "$mnt$own/$rel"
	done
}

@test "cgroupsPath empty: /husk/ID" {
	requires_husk
	update_config 'del(.linux.cgroupsPath)'
	start_sleeper
	local mnt
	for mnt in $(cgroup_mounts); do
		assert_dir_exists "$mnt/husk/c1"
	done
	run -0 husk delete --force c1
	for mnt in $(cgroup_mounts); do
		assert_not_exist "$mnt/husk/c1"
	done
}

@test "cgroupsPath with .. is refused and leaves nothing behind" {
	requires_husk
	update_config ".linux.cgroupsPath = \"$CG_PARENT/../$CG_PARENT-escape\""
	run -1 husk run --bundle "$BUNDLE" c1
	assert_husk_error 'linux.cgroupsPath' '".."'
	local mnt
	for mnt in $(cgroup_mounts); do
		assert_not_exist "$mnt$CG_PARENT-escape"
		assert_not_exist "$mnt$CG_PARENT"
	done
	assert_nothing_left
}

@test "--cgroup-manager disabled: no cgroup is made" {
	set_args sleep 300
	husk_bg --cgroup-manager disabled run -d --bundle "$BUNDLE" c1
	container_pid c1 >/dev/null
	local mnt
	for mnt in $(cgroup_mounts); do
		assert_not_exist "$mnt$CG"
	done
	run -0 husk delete --force c1
	assert_nothing_left
}

# --- exec --cgroup (runc) -------------------------------------------------------

# controllers_in SUFFIX: from /proc/self/cgroup lines in $output, the
# controller lists (field 2, "" for cgroup v2) of those whose path ends in
# SUFFIX, sorted, one a line.
controllers_in() {
	awk -F: -v s="$1" '{ p = $3; for (i = 4; i <= NF; i++) p = p ":" $i }
		substr(p, length(p) - length(s) + 1) == s { print $2 }' <<<"$output" | sort
}

@test "exec --cgroup PATH: the process is in PATH below the container's cgroup in every hierarchy; / is the cgroup itself" {
	start_sleeper
	local mnt all
	for mnt in $(cgroup_mounts); do
		mkdir "$mnt$CG/sub"
		# A new v1 cpuset cgroup takes no process before it has cpus and mems.
		if [ -e "$mnt$CG/sub/cpuset.cpus" ]; then
			cat "$mnt$CG/cpuset.cpus" >"$mnt$CG/sub/cpuset.cpus"
			cat "$mnt$CG/cpuset.mems" >"$mnt$CG/sub/cpuset.mems"
		fi
	done
	run -0 husk exec c1 cat /proc/self/cgroup
	all=$(awk -F: '{ print $2 }' <<<"$output" | sort)
	refute_output --partial /sub
	run -0 husk exec --cgroup sub c1 cat /proc/self/cgroup
	assert_equal "$(controllers_in /sub)" "$all"
	run -0 husk exec --cgroup /sub/./ c1 cat /proc/self/cgroup
	assert_equal "$(controllers_in /sub)" "$all"
	run -0 husk exec --cgroup / c1 cat /proc/self/cgroup
	refute_output --partial /sub
}

@test "exec --cgroup CONTROLLER:PATH (v1): the sub-cgroup in those controllers' hierarchies only" {
	requires_v1 memory
	requires_v1 pids
	requires_v1 freezer
	start_sleeper
	mkdir "$(v1_dir memory "$CG")/a" "$(v1_dir pids "$CG")/a" "$(v1_dir freezer "$CG")/b"
	# Not the other hierarchies, nor the cgroup v2 one of a hybrid host.
	run -0 husk exec --cgroup memory:a c1 cat /proc/self/cgroup
	assert_equal "$(controllers_in /a)" "$(grep -o '[^:]*memory[^:]*' <<<"$output")"
	refute_output --partial /b
	run -0 husk exec --cgroup memory,pids:a --cgroup freezer:/b c1 cat /proc/self/cgroup
	assert_equal "$(controllers_in /a | paste -sd' ')" \
		"$(grep -o '[^:]*memory[^:]*' <<<"$output") $(grep -o '[^:]*pids[^:]*' <<<"$output")"
	assert_equal "$(controllers_in /b)" "$(grep -o '[^:]*freezer[^:]*' <<<"$output")"
}

@test "exec --cgroup: a missing sub-cgroup, a path out of the container's cgroup, bad syntax: errors, nothing runs" {
	requires_husk
	start_sleeper
	run -255 husk exec --cgroup nope c1 true
	assert_husk_error '--cgroup' "$CG/nope" 'No such file or directory'
	run -255 husk exec --cgroup .. c1 true
	assert_husk_error '--cgroup ".."' 'not a sub-cgroup path'
	run -255 husk exec --cgroup sub/../../c1 c1 true
	assert_husk_error '--cgroup "sub/../../c1"' 'not a sub-cgroup path'
	run -255 husk exec --cgroup a --cgroup b c1 true
	assert_husk_error '--cgroup "a"' 'CONTROLLER: prefix'
	run -255 husk exec --cgroup :a c1 true
	assert_husk_error '--cgroup ":a"' 'empty controller'
	run -255 husk exec --cgroup memory:a --cgroup memory,pids:b c1 true
	assert_husk_error 'controller memory is given more than once'
	# Only the init is in the container.
	run -0 husk ps --format json c1
	assert_equal "$(jq length <<<"$output")" 1
}

@test "exec --cgroup (v1): an unknown controller, a missing sub-cgroup of one controller: errors" {
	requires_husk
	requires_v1 memory
	start_sleeper
	run -255 husk exec --cgroup whaat:/ c1 true
	assert_husk_error '--cgroup "whaat:/"' 'unknown controller whaat'
	run -255 husk exec --cgroup memory:nope c1 true
	assert_husk_error '--cgroup' "$(v1_dir memory "$CG")/nope/tasks" 'No such file or directory'
}

@test "exec --cgroup (v2): PATH only, CONTROLLER:PATH is refused" {
	requires_husk
	requires_v2
	start_sleeper
	mkdir "$(v2_dir "$CG")/sub"
	run -255 husk exec --cgroup memory:sub c1 true
	assert_husk_error '--cgroup "memory:sub"' 'cgroup v2 has no per-controller cgroups'
	run -0 husk exec --cgroup sub c1 cat /proc/self/cgroup
	assert_output '0::/sub'
}

# --- resources on v1 / hybrid ------------------------------------------------------

@test "v1 memory.limit: seen inside the container and on the host" {
	requires_v1 memory
	update_config '.linux.resources.memory = {"limit": 67108864, "reservation": 33554432}'
	set_args sh -c 'cat /sys/fs/cgroup/memory/memory.limit_in_bytes; sleep 300'
	husk_bg run -d --bundle "$BUNDLE" c1
	container_pid c1 >/dev/null
	local dir
	dir=$(v1_dir memory "$CG")
	assert_file "$dir/memory.limit_in_bytes" 67108864
	assert_file "$dir/memory.soft_limit_in_bytes" 33554432
	run -0 grep -x 67108864 "$BATS_TEST_TMPDIR/husk.log"
}

@test "v1 memory: swap is memory.memsw.limit_in_bytes, swappiness, no OOM killer" {
	requires_v1 memory
	[ -e "$(v1_dir memory /)/memory.memsw.limit_in_bytes" ] || skip "the kernel does not account swap"
	update_config '.linux.resources.memory = {"limit": 67108864, "swap": 134217728,
		"swappiness": 10, "disableOOMKiller": true}'
	start_sleeper
	local dir
	dir=$(v1_dir memory "$CG")
	assert_file "$dir/memory.limit_in_bytes" 67108864
	assert_file "$dir/memory.memsw.limit_in_bytes" 134217728
	assert_file "$dir/memory.swappiness" 10
	run -0 grep -x 'oom_kill_disable 1' "$dir/memory.oom_control"
}

@test "v1 pids.limit is pids.max" {
	requires_v1 pids
	update_config '.linux.resources.pids = {"limit": 42}'
	start_sleeper
	assert_file "$(v1_dir pids "$CG")/pids.max" 42
}

@test "pids.limit 0 is a limit of 0 (runtime-spec 1.3): the container runs and cannot fork" {
	is_v2 && requires_v2 pids
	is_v2 || requires_v1 pids
	update_config '.linux.resources.pids = {"limit": 0}'
	set_args sh -c 'echo running; (true) && echo forked'
	# busybox sh gives up when it cannot fork
	run -2 husk run --bundle "$BUNDLE" c1
	assert_line --index 0 running
	assert_line --partial "can't fork: Resource temporarily unavailable"
	refute_line forked
	update_config '.linux.resources.pids = {"limit": 2}'
	run -0 husk run --bundle "$BUNDLE" c2
	assert_output $'running\nforked'
}

@test "v1 cpu: shares, quota and period" {
	requires_v1 cpu
	update_config '.linux.resources.cpu = {"shares": 512, "quota": 50000, "period": 100000}'
	set_args sh -c 'cat /sys/fs/cgroup/cpu/cpu.shares; sleep 300'
	husk_bg run -d --bundle "$BUNDLE" c1
	container_pid c1 >/dev/null
	local dir
	dir=$(v1_dir cpu "$CG")
	assert_file "$dir/cpu.shares" 512
	assert_file "$dir/cpu.cfs_quota_us" 50000
	assert_file "$dir/cpu.cfs_period_us" 100000
	run -0 grep -x 512 "$BATS_TEST_TMPDIR/husk.log"
}

@test "v1 cpuset: cpus and mems" {
	requires_v1 cpuset
	update_config '.linux.resources.cpu = {"cpus": "0", "mems": "0"}'
	start_sleeper
	local dir
	dir=$(v1_dir cpuset "$CG")
	assert_file "$dir/cpuset.cpus" 0
	assert_file "$dir/cpuset.mems" 0
}

@test "v1 blkio weight" {
	requires_v1 blkio
	# Which weight file there is depends on the kernel's I/O schedulers:
	# look in a cgroup of our own.
	local probe file
	probe=$(v1_dir blkio "$CG_PARENT-probe")
	mkdir -p "$probe"
	for file in blkio.weight blkio.bfq.weight ""; do
		[ -z "$file" ] || [ -e "$probe/$file" ] && break
	done
	rmdir "$probe"
	[ -n "$file" ] || skip "this kernel has neither blkio.weight nor blkio.bfq.weight"
	update_config '.linux.resources.blockIO = {"weight": 500}'
	start_sleeper
	assert_file "$(v1_dir blkio "$CG")/$file" 500
}

@test "v1 devices: deny-all still allows /dev/null, a mknod'ed device cannot be opened" {
	requires_v1 devices
	update_config '.linux.resources.devices = [{"allow": false, "access": "rwm"}]
		| .process.capabilities.bounding += ["CAP_MKNOD"]
		| .process.capabilities.effective += ["CAP_MKNOD"]
		| .process.capabilities.permitted += ["CAP_MKNOD"]'
	set_args sh -c 'echo x >/dev/null && echo null-ok
		head -c 2 /dev/zero | od -An -tx1
		mknod /dev/husk-kmsg c 1 11 && echo mknod-ok
		head -c 1 /dev/husk-kmsg 2>&1 || echo open-denied'
	run -0 husk run --bundle "$BUNDLE" c1
	assert_line null-ok
	assert_line --regexp '^ *00 00$'
	assert_line mknod-ok
	assert_line --partial "Operation not permitted"
	assert_line open-denied
}

@test "v1 devices: the rules and defaults in devices.list" {
	requires_v1 devices
	update_config '.linux.resources.devices = [{"allow": false, "access": "rwm"},
		{"allow": true, "type": "c", "major": 10, "minor": 229, "access": "rw"}]'
	start_sleeper
	run -0 cat "$(v1_dir devices "$CG")/devices.list"
	assert_line 'c 10:229 rw'
	assert_line 'c 1:3 rwm'
	assert_line 'c 136:* rwm'
	refute_line 'a *:* rwm'
}

@test "hugepageLimits: written where the host has hugetlb (the reservation limit too), else a clear error" {
	requires_husk
	[ -d /sys/kernel/mm/hugepages/hugepages-2048kB ] || skip "no 2MB huge pages on this host"
	update_config '.linux.resources.hugepageLimits = [{"pageSize": "2MB", "limit": 4194304}]'
	set_args sleep 300
	local v1 v2
	if v1=$(v1_dir hugetlb "$CG"); then
		husk_bg run -d --bundle "$BUNDLE" c1
		assert_file "$v1/hugetlb.2MB.limit_in_bytes" 4194304
		# and the reservation limit, where the kernel has one (5.7), as runc
		[ ! -e "$v1/hugetlb.2MB.rsvd.limit_in_bytes" ] ||
			assert_file "$v1/hugetlb.2MB.rsvd.limit_in_bytes" 4194304
	elif grep -qw hugetlb "$(v2_dir /)/cgroup.subtree_control"; then
		husk_bg run -d --bundle "$BUNDLE" c1
		assert_file "$(v2_dir "$CG")/hugetlb.2MB.max" 4194304
		[ ! -e "$(v2_dir "$CG")/hugetlb.2MB.rsvd.max" ] ||
			assert_file "$(v2_dir "$CG")/hugetlb.2MB.rsvd.max" 4194304
	else
		run -1 husk run -d --bundle "$BUNDLE" c1
		assert_husk_error 'linux.resources.hugepageLimits' 'hugetlb'
		assert_nothing_left
	fi
}

@test "unified: written to the cgroup2 tree, refused with a path in the key" {
	requires_husk
	v2_dir / >/dev/null || skip "no cgroup2 hierarchy on this host"
	update_config '.linux.resources.unified = {"cgroup.max.descendants": "5"}'
	start_sleeper
	assert_file "$(v2_dir "$CG")/cgroup.max.descendants" 5
	run -0 husk delete --force c1
	update_config '.linux.resources.unified = {"../cgroup.max.descendants": "5"}'
	run -1 husk run --bundle "$BUNDLE" c1
	assert_husk_error 'linux.resources.unified["../cgroup.max.descendants"]' 'not a cgroup file name'
	assert_nothing_left
}

# unified_refused KEY MESSAGE: a config with unified {KEY: "5"} fails with
# MESSAGE, leaving no state, process or cgroup.
unified_refused() {
	update_config ".linux.resources.unified = {\"$1\": \"5\"}"
	run -1 husk run --bundle "$BUNDLE" c1
	assert_husk_error "linux.resources.unified[\"$1\"]" "$2"
	assert_nothing_left
	assert [ ! -e "$(v2_dir "$CG")" ]
}

@test "unified: an unknown controller or a key not of the form controller.file is refused before anything is made" {
	requires_husk
	v2_dir / >/dev/null || skip "no cgroup2 hierarchy on this host"
	unified_refused nosuchctrl.max 'the nosuchctrl controller is not available in cgroup v2 here'
	unified_refused maxprocs 'not a cgroup file name ("controller.file"'
}

@test "unified: an unknown file of a known controller is written as the spec says, and its failure leaves nothing" {
	requires_husk
	v2_dir / >/dev/null || skip "no cgroup2 hierarchy on this host"
	unified_refused cgroup.no_such_file 'cgroup.no_such_file: No such file or directory'
}

@test "network.classID without a net_cls controller: a clear error" {
	requires_husk
	! v1_dir net_cls / >/dev/null || skip "this host has net_cls"
	update_config '.linux.resources.network = {"classID": 1048577}'
	run -1 husk run --bundle "$BUNDLE" c1
	assert_husk_error 'linux.resources.network.classID' 'net_cls'
	assert_nothing_left
}

@test "an impossible limit names the field and the file, and leaves nothing behind" {
	requires_husk
	update_config '.linux.resources.cpu = {"cpus": "100000"}'
	run -1 husk run --bundle "$BUNDLE" c1
	assert_husk_error 'linux.resources.cpu.cpus: write 100000 to ' 'cpuset.cpus'
	local mnt
	for mnt in $(cgroup_mounts); do
		assert_not_exist "$mnt$CG"
	done
	assert_nothing_left
}

# --- pause / resume ---------------------------------------------------------------

# freezer_state: FROZEN or THAWED, from v1's freezer or v2's cgroup.freeze.
freezer_state() {
	local dir
	if ! is_v2 && dir=$(v1_dir freezer "$CG"); then
		cat "$dir/freezer.state"
	else
		dir=$(v2_dir "$CG")
		if grep -qx 'frozen 1' "$dir/cgroup.events"; then echo FROZEN; else echo THAWED; fi
	fi
}

@test "pause and resume" {
	start_sleeper
	run -0 husk pause c1
	wait_for_status c1 paused
	run -0 freezer_state
	assert_output FROZEN
	run -0 husk resume c1
	wait_for_status c1 running
	run -0 freezer_state
	assert_output THAWED
	run -0 husk delete --force c1
	assert_nothing_left
}

@test "delete --force of a paused container" {
	start_sleeper
	run -0 husk pause c1
	run -0 husk delete --force c1
	assert_nothing_left
}

@test "pause a stopped container, resume a running one: errors" {
	requires_husk
	start_sleeper
	run -1 husk resume c1
	assert_husk_error 'container not paused' 'c1'
	run -0 husk kill c1 KILL
	wait_for_status c1 stopped
	run -1 husk pause c1
	assert_husk_error 'container not running' 'c1'
	run -1 husk pause nosuch
	assert_husk_error 'nosuch' 'does not exist'
}

# --- update -----------------------------------------------------------------------

# memory_limit_file: the container's memory limit on the host.
memory_limit_file() {
	if is_v2; then echo "$(v2_dir "$CG")/memory.max"; else echo "$(v1_dir memory "$CG")/memory.limit_in_bytes"; fi
}

@test "update --memory 64m" {
	is_v2 && requires_v2 memory
	is_v2 || requires_v1 memory
	start_sleeper
	run -0 husk update --memory 64m c1
	assert_file "$(memory_limit_file)" 67108864
	run -0 husk update --memory 1.5g c1
	assert_file "$(memory_limit_file)" 1610612736
}

@test "update --pids-limit, --cpu-shares, --cpu-quota on v1" {
	requires_v1 pids
	requires_v1 cpu
	start_sleeper
	run -0 husk update --pids-limit 20 --cpu-share 300 --cpu-quota 30000 --cpu-period 60000 c1
	assert_file "$(v1_dir pids "$CG")/pids.max" 20
	assert_file "$(v1_dir cpu "$CG")/cpu.shares" 300
	assert_file "$(v1_dir cpu "$CG")/cpu.cfs_quota_us" 30000
	assert_file "$(v1_dir cpu "$CG")/cpu.cfs_period_us" 60000
	run -0 husk update --pids-limit -1 c1
	assert_file "$(v1_dir pids "$CG")/pids.max" max
}

@test "update --cpu-burst: v1 cpu.cfs_burst_us, v2 cpu.max.burst; above the quota it is refused" {
	is_v2 && requires_v2 cpu
	is_v2 || requires_v1 cpu
	local dir file
	if is_v2; then
		dir=$(v2_dir "$CG") file=cpu.max.burst
	else
		dir=$(v1_dir cpu "$CG") file=cpu.cfs_burst_us
	fi
	update_config '.linux.resources.cpu = {"quota": 50000, "period": 100000}'
	start_sleeper
	[ -e "$dir/$file" ] || skip "this kernel has no CPU burst (no $dir/$file: Linux 5.14 or later)"
	assert_file "$dir/$file" 0
	run -0 husk update --cpu-burst 20000 c1
	assert_file "$dir/$file" 20000
	run -1 husk update --cpu-burst 60000 c1
	assert_husk_error 'c1' 'linux.resources.cpu.burst' "$dir/$file" 'quota'
	assert_file "$dir/$file" 20000
	run -1 husk update --cpu-burst -5 c1
	assert_husk_error '--cpu-burst' '-5'
	# linux.resources.cpu.burst at create
	update_config '.linux.resources.cpu.burst = 10000'
	update_config ".linux.cgroupsPath = \"$CG_PARENT/c2\""
	husk_bg run -d --bundle "$BUNDLE" c2
	container_pid c2 >/dev/null
	assert_file "${dir%/c1}/c2/$file" 10000
}

@test "update -r FILE and -r -" {
	is_v2 && requires_v2 memory pids
	is_v2 || requires_v1 memory
	is_v2 || requires_v1 pids
	start_sleeper
	echo '{"memory": {"limit": 100663296}, "pids": {"limit": 30}}' >"$BATS_TEST_TMPDIR/r.json"
	run -0 husk update -r "$BATS_TEST_TMPDIR/r.json" c1
	assert_file "$(memory_limit_file)" 100663296
	local pids_dir
	if is_v2; then pids_dir=$(v2_dir "$CG"); else pids_dir=$(v1_dir pids "$CG"); fi
	assert_file "$pids_dir/pids.max" 30
	run -0 husk update -r - c1 <<<'{"pids": {"limit": 31}}'
	assert_file "$pids_dir/pids.max" 31
}

@test "update: bad input is refused with the field or the flag" {
	requires_husk
	start_sleeper
	echo '{"memory": {"limit": "64m"}}' >"$BATS_TEST_TMPDIR/r.json"
	run -1 husk update -r "$BATS_TEST_TMPDIR/r.json" c1
	assert_husk_error 'r.json: linux.resources.memory.limit'
	run -1 husk update --memory 12q c1
	assert_husk_error '--memory' '12q'
	run -1 husk update --l3-cache-schema 'L3:0=f' c1
	assert_husk_error 'Intel RDT'
	run -1 husk update -r - c1 <<<'{"memory": {}} trailing'
	assert_husk_error 'invalid JSON'
}

@test "update: --help, the man page and the bash completion name the options it takes" {
	requires_husk
	local top=$BATS_TEST_DIRNAME/../.. help man comp opt
	help=$("$HUSK" update --help | grep -o -- '--[a-z][a-z0-9-]*' | sort -u)
	man=$(sed -n '/^# OPTIONS/,/^# EXIT/p' "$top/man/husk-update.8.md" |
		grep -o -- '\*\*--[a-z][a-z0-9-]*\*\*' | tr -d '*' | grep -vx -- --help | sort -u)
	comp=$(sed -n 's/^\tupdate) opts="\(.*\)" ;;$/\1/p' "$top/contrib/completion/husk.bash" |
		tr ' ' '\n' | grep -vx -- --help | sort -u)
	assert [ -n "$help" ]
	assert_equal "$man" "$help"
	assert_equal "$comp" "$help"
	# and husk takes each one: the error is about the container, not the option
	for opt in $help; do
		[ "$opt" = --resources ] && continue
		run -1 husk update "$opt" 10 nosuch
		assert_husk_error 'nosuch' 'does not exist'
	done
}

@test "update a stopped container: an error" {
	requires_husk
	start_sleeper
	run -0 husk kill c1 KILL
	wait_for_status c1 stopped
	run -1 husk update --memory 64m c1
	assert_husk_error 'container not running'
}

# --- ps, events ---------------------------------------------------------------------

@test "ps --format json lists the container's processes" {
	set_args sh -c 'sleep 300 & sleep 301'
	husk_bg run -d --bundle "$BUNDLE" c1
	local pid
	pid=$(container_pid c1)
	# both sleeps: wait for the shell to have forked
	local n=0
	for _ in $(seq 50); do
		n=$(husk ps --format json c1 | jq length) || n=0
		[ "$n" -ge 2 ] && break
		sleep 0.1
	done
	run -0 husk ps --format json c1
	run -0 jq -e --argjson p "$pid" 'index($p) != null' <<<"$output"
	run -0 husk ps --format json c1
	run -0 jq length <<<"$output"
	assert_output 2
}

@test "ps: the table has the header and the container's lines" {
	start_sleeper
	local pid
	pid=$(container_pid c1)
	run -0 husk ps c1
	assert_line --index 0 --regexp 'PID'
	assert_line --regexp "^[^ ]+ +$pid .*sleep 300"
	assert_equal "${#lines[@]}" 2
}

@test "events --stats prints one stats line with memory usage" {
	start_sleeper
	run -0 timeout 10 "$HUSK" --root "$ROOT" events --stats c1
	assert_equal "$(wc -l <<<"$output")" 1
	run -0 jq -e '.type == "stats" and .id == "c1" and .data.memory.usage.usage > 0 and .data.pids.current >= 1' <<<"$output"
}

@test "events --interval streams stats lines" {
	start_sleeper
	run timeout 3 "$HUSK" --root "$ROOT" events --interval 500ms c1
	assert_equal "$status" 124
	[ "${#lines[@]}" -ge 2 ]
	run -0 jq -se 'all(.type == "stats")' <<<"$output"
}

@test "events: an OOM kill is reported" {
	update_config '.linux.resources.memory = {"limit": 33554432, "swap": 33554432}'
	set_args sh -c 'sleep 1; dd if=/dev/zero of=/dev/null bs=64M count=1; sleep 300'
	husk_bg run -d --bundle "$BUNDLE" c1
	run timeout 4 "$HUSK" --root "$ROOT" events --interval 10s c1
	assert_line '{"type":"oom","id":"c1"}'
}

# --- pure cgroup v2 -----------------------------------------------------------------

@test "v2 cpu: shares become cpu.weight, quota and period cpu.max" {
	requires_v2 cpu
	update_config '.linux.resources.cpu = {"shares": 1024, "quota": 50000, "period": 100000}'
	set_args sh -c 'cat /sys/fs/cgroup/cpu.weight /sys/fs/cgroup/cpu.max; sleep 300'
	husk_bg run -d --bundle "$BUNDLE" c1
	container_pid c1 >/dev/null
	local dir
	dir=$(v2_dir "$CG")
	assert_file "$dir/cpu.weight" 100
	assert_file "$dir/cpu.max" "50000 100000"
	run -0 husk update --cpu-share 512 c1
	assert_file "$dir/cpu.weight" 59
	# the period alone keeps the quota
	run -0 husk update --cpu-period 200000 c1
	assert_file "$dir/cpu.max" "50000 200000"
	run -0 husk update --cpu-quota -1 c1
	assert_file "$dir/cpu.max" "max 200000"
}

@test "v2 memory: limit is memory.max, swap becomes memory.swap.max = swap - limit" {
	requires_v2 memory
	update_config '.linux.resources.memory = {"limit": 67108864, "swap": 100663296, "reservation": 33554432}'
	set_args sh -c 'cat /sys/fs/cgroup/memory.max; sleep 300'
	husk_bg run -d --bundle "$BUNDLE" c1
	container_pid c1 >/dev/null
	local dir
	dir=$(v2_dir "$CG")
	assert_file "$dir/memory.max" 67108864
	assert_file "$dir/memory.low" 33554432
	run -0 grep -x 67108864 "$BATS_TEST_TMPDIR/husk.log"
	if [ -e "$dir/memory.swap.max" ]; then
		assert_file "$dir/memory.swap.max" 33554432
		run -0 husk update --memory-swap -1 c1
		assert_file "$dir/memory.swap.max" max
	fi
	run -0 husk update --memory -1 c1
	assert_file "$dir/memory.max" max
}

@test "v2 memory: swap below the limit is refused" {
	requires_v2 memory
	requires_husk
	update_config '.linux.resources.memory = {"limit": 67108864, "swap": 33554432}'
	run -1 husk run --bundle "$BUNDLE" c1
	assert_husk_error 'linux.resources.memory.swap'
	assert_nothing_left
}

@test "v2 pids.limit is pids.max, -1 is max, 0 is a limit of 0 (runtime-spec 1.3)" {
	requires_v2 pids
	update_config '.linux.resources.pids = {"limit": 42}'
	start_sleeper
	assert_file "$(v2_dir "$CG")/pids.max" 42
	run -0 husk update --pids-limit -1 c1
	assert_file "$(v2_dir "$CG")/pids.max" max
	run -0 husk update --pids-limit 0 c1
	assert_file "$(v2_dir "$CG")/pids.max" 0
}

# userns_rw_cgroup HOSTID: a user namespace mapping 0-65535 to HOSTID... (the
# rootfs owned by the mapped root), a cgroup namespace, /sys/fs/cgroup rw.
userns_rw_cgroup() {
	chown -R "$1:$1" "$BUNDLE/rootfs"
	chmod o+x "$BATS_RUN_TMPDIR"
	update_config ".linux.namespaces += [{\"type\": \"user\"}]
		| .linux.uidMappings = [{\"containerID\": 0, \"hostID\": $1, \"size\": 65536}]
		| .linux.gidMappings = [{\"containerID\": 0, \"hostID\": $1, \"size\": 65536}]
		| (.mounts[] | select(.destination == \"/sys/fs/cgroup\") | .options) |= map(select(. != \"ro\"))"
}

@test "v2 cgroup ownership: user and cgroup namespaces with a rw cgroupfs get the cgroup as the container's root" {
	requires_v2
	userns_rw_cgroup 100000
	set_args sh -c 'mkdir /sys/fs/cgroup/inner && echo $$ >/sys/fs/cgroup/inner/cgroup.procs && cat /proc/self/cgroup >/dev/shm/where; sleep 300'
	husk_bg run -d --bundle "$BUNDLE" c1
	local pid dir
	pid=$(container_pid c1)
	for _ in $(seq 50); do [ -s "/proc/$pid/root/dev/shm/where" ] && break; sleep 0.1; done
	dir=$(v2_dir "$CG")
	run -0 stat -c %u "$dir" "$dir/cgroup.procs" "$dir/cgroup.subtree_control" "$dir/cgroup.threads"
	assert_output $'100000\n100000\n100000\n100000'
	# not handed over: files that set limits
	[ ! -e "$dir/memory.max" ] || assert_equal "$(stat -c %u "$dir/memory.max")" 0
	# the container's root made a cgroup of its own and moved into it
	run -0 cat "/proc/$pid/root/dev/shm/where"
	assert_output '0::/inner'
}

@test "v2 cgroup ownership: a read-only cgroupfs or no cgroup namespace keeps the cgroup root's" {
	requires_v2
	userns_rw_cgroup 100000
	update_config '(.mounts[] | select(.destination == "/sys/fs/cgroup") | .options) += ["ro"]'
	start_sleeper
	run -0 stat -c %u "$(v2_dir "$CG")"
	assert_output 0
	run -0 husk delete --force c1
	update_config '(.mounts[] | select(.destination == "/sys/fs/cgroup") | .options) |= map(select(. != "ro"))
		| .linux.namespaces |= map(select(.type != "cgroup"))'
	start_sleeper
	run -0 stat -c %u "$(v2_dir "$CG")"
	assert_output 0
}

@test "v2 blkio weight becomes io.bfq.weight or io.weight" {
	requires_v2 io
	update_config '.linux.resources.blockIO = {"weight": 500}'
	start_sleeper
	local dir
	dir=$(v2_dir "$CG")
	if [ -e "$dir/io.bfq.weight" ]; then
		run -0 cat "$dir/io.bfq.weight"
		assert_line --regexp '^(default )?500$'
	else
		# 1 + (500 - 10) * 9999 / 990
		run -0 cat "$dir/io.weight"
		assert_line 'default 4950'
	fi
}

@test "v2 devices: an eBPF program denies what the rules do not allow" {
	requires_v2
	update_config '.linux.resources.devices = [{"allow": false, "access": "rwm"}]
		| .process.capabilities.bounding += ["CAP_MKNOD"]
		| .process.capabilities.effective += ["CAP_MKNOD"]
		| .process.capabilities.permitted += ["CAP_MKNOD"]'
	set_args sh -c 'echo x >/dev/null && echo null-ok
		head -c 2 /dev/zero | od -An -tx1
		mknod /dev/husk-kmsg c 1 11 && echo mknod-ok
		head -c 1 /dev/husk-kmsg 2>&1 || echo open-denied'
	run -0 husk run --bundle "$BUNDLE" c1
	assert_line null-ok
	assert_line --regexp '^ *00 00$'
	assert_line mknod-ok
	assert_line --partial "Operation not permitted"
	assert_line open-denied
}

@test "v2 devices: update -r replaces the program" {
	requires_v2
	set_args sh -c 'mknod /dev/husk-zero c 1 5; sleep 300'
	update_config '.process.capabilities.bounding += ["CAP_MKNOD"]
		| .process.capabilities.effective += ["CAP_MKNOD"]
		| .process.capabilities.permitted += ["CAP_MKNOD"]
		| .linux.resources.devices = [{"allow": false, "access": "rwm"}]'
	husk_bg run -d --bundle "$BUNDLE" c1
	container_pid c1 >/dev/null
	# 1:5 is /dev/zero, allowed by default: deny it, then allow it again
	run -0 husk update -r - c1 <<<'{"devices": [{"allow": false, "access": "rwm"},
		{"allow": false, "type": "c", "major": 1, "minor": 5, "access": "rwm"}]}'
	run husk exec c1 head -c 1 /dev/husk-zero
	assert_failure
	assert_output --partial "Operation not permitted"
	run -0 husk update -r - c1 <<<'{"devices": [{"allow": false, "access": "rwm"}]}'
	run -0 husk exec c1 head -c 1 /dev/husk-zero
}

@test "v2 pause freezes with cgroup.freeze" {
	requires_v2
	start_sleeper
	run -0 husk pause c1
	assert_file "$(v2_dir "$CG")/cgroup.freeze" 1
	run -0 grep -x 'frozen 1' "$(v2_dir "$CG")/cgroup.events"
	run -0 husk resume c1
	assert_file "$(v2_dir "$CG")/cgroup.freeze" 0
}

@test "delete removes the parent cgroups its create made, and keeps one made by someone else" {
	set_args true
	run -0 husk run --bundle "$BUNDLE" c1
	for mnt in $(cgroup_mounts); do
		[ ! -e "$mnt$CG_PARENT" ] || fail "$mnt$CG_PARENT left behind"
	done
	# A parent that was there before the container stays.
	for mnt in $(cgroup_mounts); do mkdir -p "$mnt$CG_PARENT"; done
	run -0 husk run --bundle "$BUNDLE" c1
	for mnt in $(cgroup_mounts); do
		[ -d "$mnt$CG_PARENT" ] || fail "$mnt$CG_PARENT was removed"
		[ ! -e "$mnt$CG" ] || fail "$mnt$CG left behind"
	done
}

@test "the default parent /husk goes once its last container is deleted" {
	[ ! -e /sys/fs/cgroup/memory/husk ] && [ ! -e /sys/fs/cgroup/husk ] ||
		skip "another husk container uses the default parent here"
	update_config 'del(.linux.cgroupsPath)'
	set_args true
	run -0 husk run --bundle "$BUNDLE" c1
	for mnt in $(cgroup_mounts); do
		[ ! -e "$mnt/husk" ] || fail "$mnt/husk left behind"
	done
}
