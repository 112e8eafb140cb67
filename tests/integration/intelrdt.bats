#!/usr/bin/env bats
# linux.intelRdt: the container's group in the resctrl filesystem, and
# update --l3-cache-schema / --mem-bw-schema. Where resctrl is not mounted a
# config that asks for it must fail (runtime-spec); the tests of the real
# groups run only where it is.

load helpers

setup() {
	setup_bundle
	CG_PARENT=/husk-bats-rdt-$$-$BATS_TEST_NUMBER
	update_config ".linux.cgroupsPath = \"$CG_PARENT/c1\""
}

teardown() {
	teardown_bundle
	local mnt
	for mnt in $(cgroup_mounts); do
		[ -d "$mnt$CG_PARENT" ] && find "$mnt$CG_PARENT" -depth -type d -exec rmdir {} \; 2>/dev/null
	done
	if [ -n "${RDT_SHARED:-}" ] && [ -d "$RDT_SHARED" ]; then rmdir "$RDT_SHARED"; fi
	return 0
}

# The resctrl mount point, or nothing.
resctrl_root() {
	awk '{ split($0, a, " - "); split(a[1], l, " "); split(a[2], r, " ")
		if (r[1] == "resctrl") { print l[5]; exit } }' /proc/self/mountinfo
}

requires_no_resctrl() {
	[ -z "$(resctrl_root)" ] || skip "resctrl is mounted at $(resctrl_root) here"
}

# requires_resctrl: sets RDT_ROOT and LINE, a schemata line the host takes
# for a new group (the root group's own L3 or MB line).
requires_resctrl() {
	RDT_ROOT=$(resctrl_root)
	[ -n "$RDT_ROOT" ] || skip "resctrl is not mounted here (no Intel RDT / AMD QoS, or not mounted)"
	LINE=$(sed -n 's/^ *\(L3\|MB\):/\1:/p' "$RDT_ROOT/schemata" | head -n1 | tr -d ' ')
	[ -n "$LINE" ] || skip "resctrl at $RDT_ROOT offers no L3 or MB allocation"
}

# assert_no_cgroup: the test's cgroup was never made (or is gone).
assert_no_cgroup() {
	local mnt
	for mnt in $(cgroup_mounts); do
		if [ -e "$mnt$CG_PARENT/c1" ]; then
			echo "cgroup left: $mnt$CG_PARENT/c1" >&2
			return 1
		fi
	done
}

@test "intelRdt without resctrl: one error naming linux.intelRdt and resctrl, nothing left" {
	requires_husk
	requires_no_resctrl
	update_config '.linux.intelRdt = {"l3CacheSchema": "L3:0=f"}'
	run -1 husk create --bundle "$BUNDLE" c1
	assert_husk_error 'config.json: linux.intelRdt:' 'resctrl'
	assert_nothing_left
	assert_no_cgroup
	# a closID alone (a group made beforehand) is refused the same way
	update_config '.linux.intelRdt = {"closID": "guaranteed"}'
	run -1 husk run --bundle "$BUNDLE" c1
	assert_husk_error 'config.json: linux.intelRdt:' 'resctrl'
	assert_nothing_left
	assert_no_cgroup
}

@test "intelRdt: a closID that is not a group name is refused before anything is made" {
	requires_husk
	local clos
	for clos in '..' '.' 'a/b' 'info'; do
		update_config ".linux.intelRdt = {\"closID\": \"$clos\"}"
		run -1 husk create --bundle "$BUNDLE" c1
		assert_husk_error 'config.json: linux.intelRdt.closID:' "\"$clos\""
		assert_nothing_left
		assert_no_cgroup
	done
}

@test "intelRdt: a schemata line with a newline is refused" {
	requires_husk
	update_config '.linux.intelRdt = {"schemata": ["L3:0=f\nMB:0=50"]}'
	run -1 husk create --bundle "$BUNDLE" c1
	assert_husk_error 'config.json: linux.intelRdt.schemata[0]:' 'newline'
	assert_nothing_left
}

@test "check: intelRdt where resctrl is missing is an error" {
	requires_husk
	requires_no_resctrl
	update_config '.linux.intelRdt = {"closID": "g", "memBwSchema": "MB:0=50"}'
	run -1 "$HUSK" check --bundle "$BUNDLE"
	assert_output --partial 'linux.intelRdt'
	assert_output --partial 'resctrl'
}

@test "update --l3-cache-schema / --mem-bw-schema without resctrl: a clear error" {
	requires_husk
	requires_no_resctrl
	set_args sleep 300
	husk_bg run -d --bundle "$BUNDLE" c1
	run -1 husk update --l3-cache-schema 'L3:0=f' c1
	assert_husk_error '--l3-cache-schema' 'Intel RDT' 'resctrl'
	run -1 husk update --mem-bw-schema 'MB:0=50' c1
	assert_husk_error '--mem-bw-schema' 'Intel RDT' 'resctrl'
}

# --- a stand-in resctrl ------------------------------------------------------
# A directory laid out like resctrl, which the mountinfo that husk reads
# names a resctrl mount: husk's own /proc/PID/mountinfo is covered with a
# copy that says so, in a mount namespace of the test's own. A plain
# directory makes no files in a new group and keeps what is written, so the
# test checks what husk writes in order and removes those files where the
# kernel's rmdir would take them along.

# make_standin: $FAKE, with L3 and MB allocation and monitoring, and $MI.
make_standin() {
	FAKE=$BATS_TEST_TMPDIR/resctrl
	mkdir -p "$FAKE/info/L3" "$FAKE/info/MB" "$FAKE/info/L3_MON" "$FAKE/mon_groups"
	echo fff >"$FAKE/info/L3/cbm_mask"
	echo 10 >"$FAKE/info/MB/min_bandwidth"
	echo llc_occupancy >"$FAKE/info/L3_MON/mon_features"
	echo ok >"$FAKE/info/last_cmd_status"
	printf '    L3:0=fff\n    MB:0=100\n' >"$FAKE/schemata"
	: >"$FAKE/tasks"
	MI=$BATS_TEST_TMPDIR/mountinfo
	grep -v ' - resctrl ' /proc/self/mountinfo >"$MI"
	echo "999 1 0:999 / $FAKE rw,relatime - resctrl resctrl rw" >>"$MI"
}

# standin_husk ARGS...: "husk ARGS" reading $MI as its mountinfo.
standin_husk() {
	case " $* " in *" run "* | *" create "*) register_id "${!#}" ;; esac
	unshare -m sh -c '
		mount --make-rprivate / || exit 99
		sh -c "kill -STOP \$\$; exec \"\$@\"" sh "$@" &
		pid=$!
		while [ "$(awk "{ print \$3 }" /proc/$pid/stat)" != T ]; do sleep 0.01; done
		mount --bind "$0" /proc/$pid/mountinfo || { kill -KILL $pid; exit 99; }
		kill -CONT $pid
		wait $pid' "$MI" "$HUSK" --root "$ROOT" "$@"
}

@test "intelRdt, stand-in resctrl: create, exec, update and delete write and remove the container's group" {
	requires_husk
	make_standin
	update_config '.linux.intelRdt = {"l3CacheSchema": "L3:0=ff\nMB:0=70", "memBwSchema": "MB:0=50", "schemata": ["L2:0=3"]}'
	set_args sleep 300
	standin_husk create --bundle "$BUNDLE" c1 </dev/null >"$BATS_TEST_TMPDIR/log" 2>&1 || {
		cat "$BATS_TEST_TMPDIR/log"
		false
	}
	# the init is in the group before it starts, the schemata written first
	run -0 cat "$FAKE/c1/tasks"
	assert_output "$(container_pid c1)"
	run -0 cat "$FAKE/c1/schemata"
	assert_output "$(printf 'L3:0=ff\nMB:0=50\nL2:0=3')"
	run -0 husk start c1
	husk_bg exec -d --pid-file "$BATS_TEST_TMPDIR/exec.pid" c1 sleep 301
	run -0 cat "$FAKE/c1/tasks"
	assert_output "$(printf '%s\n%s' "$(container_pid c1)" "$(cat "$BATS_TEST_TMPDIR/exec.pid")")"
	run -0 standin_husk update --l3-cache-schema 'L3:0=f0' --mem-bw-schema 'MB:0=20' c1
	run -0 tail -n2 "$FAKE/c1/schemata"
	assert_output "$(printf 'L3:0=f0\nMB:0=20')"
	rm "$FAKE/c1/tasks" "$FAKE/c1/schemata"
	run -0 husk delete --force c1
	assert [ ! -e "$FAKE/c1" ]
	assert_nothing_left
}

@test "intelRdt, stand-in resctrl: a shared closID group is joined, not written, and stays; a mismatch is refused" {
	requires_husk
	make_standin
	mkdir -p "$FAKE/gold/mon_groups"
	printf '    L3:0=0f0\n    MB:0=50\n' >"$FAKE/gold/schemata"
	: >"$FAKE/gold/tasks"
	update_config '.linux.intelRdt = {"closID": "gold", "l3CacheSchema": "L3:0=f", "enableMonitoring": true}'
	run -1 standin_husk create --bundle "$BUNDLE" c1
	assert_husk_error 'config.json: linux.intelRdt.l3CacheSchema:' '"gold"' 'L3:0=0f0' 'L3:0=f'
	assert_nothing_left
	assert_no_cgroup
	assert [ ! -e "$FAKE/gold/mon_groups/c1" ]
	update_config '.linux.intelRdt.l3CacheSchema = "L3:0=f0"'
	set_args sleep 300
	standin_husk run -d --bundle "$BUNDLE" c1 </dev/null >"$BATS_TEST_TMPDIR/log" 2>&1 || {
		cat "$BATS_TEST_TMPDIR/log"
		false
	}
	run -0 cat "$FAKE/gold/tasks" "$FAKE/gold/mon_groups/c1/tasks"
	assert_output "$(printf '%s\n%s' "$(container_pid c1)" "$(container_pid c1)")"
	run -0 cat "$FAKE/gold/schemata"
	assert_output "$(printf '    L3:0=0f0\n    MB:0=50')"
	rm "$FAKE/gold/mon_groups/c1/tasks"
	run -0 husk delete --force c1
	assert [ ! -e "$FAKE/gold/mon_groups/c1" ]
	assert [ -d "$FAKE/gold" ]
	assert_nothing_left
}

@test "intelRdt, stand-in resctrl: a failed create takes back the group it made" {
	requires_husk
	make_standin
	# a new group has no mon_groups in a plain directory (resctrl makes it):
	# the monitoring group fails after the group was made
	update_config '.linux.intelRdt = {"l3CacheSchema": "L3:0=f", "enableMonitoring": true}'
	run -1 standin_husk create --bundle "$BUNDLE" c1
	assert_husk_error 'config.json: linux.intelRdt.enableMonitoring:' 'mon_groups/c1'
	assert [ ! -e "$FAKE/c1" ]
	assert_nothing_left
	assert_no_cgroup
}

# --- with resctrl -------------------------------------------------------------

@test "intelRdt: the init and an exec'd process are in the container's group, with its schemata" {
	requires_resctrl
	update_config ".linux.intelRdt = {\"schemata\": [\"$LINE\"]}"
	set_args sleep 300
	husk_bg run -d --bundle "$BUNDLE" c1
	local pid dir
	pid=$(container_pid c1)
	dir=$RDT_ROOT/c1
	run -0 grep -qx "$pid" "$dir/tasks"
	run -0 sh -c "tr -d ' ' <'$dir/schemata'"
	assert_line "$LINE"
	husk_bg exec -d --pid-file "$BATS_TEST_TMPDIR/exec.pid" c1 sleep 301
	run -0 grep -qx "$(cat "$BATS_TEST_TMPDIR/exec.pid")" "$dir/tasks"
	run -0 husk delete --force c1
	assert [ ! -e "$dir" ]
}

@test "intelRdt: a closID's group is shared and stays after delete; a missing one with nothing to write is an error" {
	requires_resctrl
	update_config '.linux.intelRdt = {"closID": "husk-bats-none"}'
	run -1 husk create --bundle "$BUNDLE" c1
	assert_husk_error 'linux.intelRdt.closID' 'husk-bats-none'
	assert_nothing_left
	RDT_SHARED=$RDT_ROOT/husk-bats-$$
	mkdir "$RDT_SHARED"
	update_config ".linux.intelRdt = {\"closID\": \"husk-bats-$$\"}"
	set_args sleep 300
	husk_bg run -d --bundle "$BUNDLE" c1
	run -0 grep -qx "$(container_pid c1)" "$RDT_SHARED/tasks"
	run -0 husk delete --force c1
	assert [ -d "$RDT_SHARED" ]
}

@test "intelRdt.enableMonitoring: a monitoring group mon_groups/ID holds the init, gone after delete" {
	requires_resctrl
	[ -d "$RDT_ROOT/mon_groups" ] || skip "resctrl at $RDT_ROOT has no monitoring"
	update_config '.linux.intelRdt = {"closID": "/", "enableMonitoring": true}'
	set_args sleep 300
	husk_bg run -d --bundle "$BUNDLE" c1
	run -0 grep -qx "$(container_pid c1)" "$RDT_ROOT/mon_groups/c1/tasks"
	run -0 husk delete --force c1
	assert [ ! -e "$RDT_ROOT/mon_groups/c1" ]
}

@test "update --l3-cache-schema / --mem-bw-schema write the container's group" {
	requires_resctrl
	update_config ".linux.intelRdt = {\"schemata\": [\"$LINE\"]}"
	set_args sleep 300
	husk_bg run -d --bundle "$BUNDLE" c1
	container_pid c1 >/dev/null
	local flag=--l3-cache-schema
	[ "${LINE%%:*}" = MB ] && flag=--mem-bw-schema
	run -0 husk update "$flag" "$LINE" c1
	# a container without intelRdt has no group to change
	update_config 'del(.linux.intelRdt)'
	update_config ".linux.cgroupsPath = \"$CG_PARENT/c2\""
	husk_bg run -d --bundle "$BUNDLE" c2
	container_pid c2 >/dev/null
	run -1 husk update "$flag" "$LINE" c2
	assert_husk_error "$flag" 'no Intel RDT group'
}
