#!/usr/bin/env bats
# husk check: one broken bundle per finding, each with its exact line and the
# exit status; a clean bundle; JSON output; and that checking creates nothing.

load helpers

setup() {
	requires_husk
	setup_bundle
}

teardown() {
	teardown_bundle
}

# check [ARGS...]: "husk check" of the test's bundle.
check() {
	husk check --bundle "$BUNDLE" "$@"
}

# check_with GLOBAL_OPTION...: the same, with husk's global options.
check_with() {
	husk "$@" check --bundle "$BUNDLE"
}

# cap_in_bounding N: whether this host's bounding set has capability N.
cap_in_bounding() {
	local bnd
	bnd=$(awk '/^CapBnd:/ { print $2 }' /proc/self/status)
	(((0x$bnd >> $1) & 1))
}

# cgroup_v2_only: skip unless /sys/fs/cgroup is cgroup2.
cgroup_v2_only() {
	[ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ] || skip "needs a pure cgroup v2 host"
}

# cgroup_v1_controllers: skip unless v1 controllers are mounted (v1 or hybrid).
cgroup_v1_controllers() {
	[ "$(stat -f -c %T /sys/fs/cgroup)" = tmpfs ] || skip "needs cgroup v1 controllers"
}

# --- the whole bundle --------------------------------------------------------

@test "check: a clean bundle is ok" {
	run -0 check
	assert_output "config.json: ok"
}

@test "check: --format json of a clean bundle" {
	run -0 check --format json
	[ "$(jq -r .ok <<<"$output")" = true ]
	[ "$(jq -r .bundle <<<"$output")" = "$BUNDLE" ]
	[ "$(jq '.findings | length' <<<"$output")" = 0 ]
	[ "$(jq .errors <<<"$output")" = 0 ]
}

@test "check: --format json lists every finding with severity, path and message" {
	update_config '.process.args = ["nope"] | .process.terminal = true'
	run -1 check --format json
	[ "$(jq -r .ok <<<"$output")" = false ]
	[ "$(jq .errors <<<"$output")" = 1 ]
	[ "$(jq .warnings <<<"$output")" = 1 ]
	[ "$(jq -r '.findings[0].severity' <<<"$output")" = error ]
	[ "$(jq -r '.findings[0].path' <<<"$output")" = "process.args[0]" ]
	[[ "$(jq -r '.findings[0].message' <<<"$output")" == '"nope": no executable of that name in $PATH ('* ]]
	[ "$(jq -r '.findings[1].severity' <<<"$output")" = warning ]
	[ "$(jq -r '.findings[1].path' <<<"$output")" = process.terminal ]
}

@test "check: creates nothing: no state, cgroup, mount or process" {
	local name=husk-check-$$-$RANDOM
	update_config ".linux.cgroupsPath = \"/$name\" | .linux.resources.pids = {\"limit\": 10}"
	local mounts_before
	mounts_before=$(grep -c -- "$BATS_TEST_TMPDIR" /proc/self/mountinfo || true)
	run -0 check
	run -0 check --format json
	assert_not_exists "$ROOT"
	run find /sys/fs/cgroup -maxdepth 3 -name "$name"
	assert_output ""
	[ "$(grep -c -- "$BATS_TEST_TMPDIR" /proc/self/mountinfo || true)" = "$mounts_before" ]
	assert_nothing_left
}

@test "check: every config error, not only the first" {
	update_config '.ociVersion = 1 | .process.args = ["true", 2] | .root.readonly = "yes"
		| .linux.namespaces += [{"type": "bogus"}]'
	run -1 check
	assert_line 'error: ociVersion: expected a string'
	assert_line 'error: process.args[1]: expected a string'
	assert_line 'error: root.readonly: expected a boolean'
	assert_line 'error: linux.namespaces[6].type: unknown namespace type "bogus"'
	assert_line 'config.json: 4 errors'
}

@test "check: invalid JSON" {
	printf '{"ociVersion": "1.0.2", "process": {"args": ["sh"' >"$BUNDLE/config.json"
	run -1 check
	assert_line 'error: invalid JSON: parse error: premature EOF (line 1, column 50)'
	assert_line 'config.json: 1 error'
}

@test "check: a bundle directory that is not there" {
	run -1 husk check --bundle "$BATS_TEST_TMPDIR/nothere"
	assert_output "husk: bundle $BATS_TEST_TMPDIR/nothere: No such file or directory"
}

@test "check: no config.json" {
	rm "$BUNDLE/config.json"
	run -1 check
	assert_output "husk: open $BUNDLE/config.json: No such file or directory"
}

@test "check: usage errors" {
	run -1 check --format yaml
	assert_output "husk: check: --format: expected text or json, got \"yaml\" (see 'husk check --help')"
	run -1 husk check extra
	assert_output "husk: check: takes no arguments (see 'husk check --help')"
}

# --- root and process ---------------------------------------------------------

@test "check: root.path missing" {
	update_config '.root.path = "nope"'
	run -1 check
	assert_line "error: root.path: $BUNDLE/nope: No such file or directory"
}

@test "check: root.path not a directory" {
	touch "$BUNDLE/file"
	update_config '.root.path = "file"'
	run -1 check
	assert_line "error: root.path: $BUNDLE/file is not a directory"
}

@test "check: process.args empty" {
	update_config '.process.args = []'
	run -1 check
	assert_output - <<-'EOF'
		error: process.args: must name the program to run
		config.json: 1 error
	EOF
}

@test "check: process.args[0] not in \$PATH in the rootfs" {
	update_config '.process.args = ["nope"] | .process.env = ["PATH=/bin:/usr/bin"]'
	run -1 check
	assert_output - <<-'EOF'
		error: process.args[0]: "nope": no executable of that name in $PATH (/bin:/usr/bin) in the rootfs
		config.json: 1 error
	EOF
}

@test "check: process.args[0] by path, not found" {
	update_config '.process.args = ["/opt/app"]'
	run -1 check
	assert_line 'error: process.args[0]: /opt/app: not found in the rootfs'
}

@test "check: process.args[0] not executable" {
	echo data >"$BUNDLE/rootfs/data"
	chmod 644 "$BUNDLE/rootfs/data"
	update_config '.process.args = ["/data"]'
	run -1 check
	assert_line 'error: process.args[0]: /data in the rootfs is not executable (mode 0644)'
}

@test "check: process.args[0] a symlink leading out of the rootfs is resolved inside it" {
	# the target is an executable on the host, and not in the rootfs
	ln -s "$BUNDLE/rootfs/bin/busybox" "$BUNDLE/rootfs/link"
	update_config '.process.args = ["/link"]'
	run -1 check
	assert_line 'error: process.args[0]: /link: not found in the rootfs'
}

@test "check: process.args[0] whose script interpreter is missing" {
	printf '#!/usr/bin/python3\nprint(1)\n' >"$BUNDLE/rootfs/app"
	chmod 755 "$BUNDLE/rootfs/app"
	update_config '.process.args = ["/app"]'
	run -1 check
	assert_line 'error: process.args[0]: /app needs the interpreter /usr/bin/python3, which is not in the rootfs'
}

@test "check: process.args[0] dynamically linked without its loader" {
	local interp
	interp=$(readelf -l /bin/ls 2>/dev/null | sed -n 's/.*program interpreter: \(.*\)]/\1/p')
	[ -n "$interp" ] || skip "no dynamically linked /bin/ls here"
	[ ! -e "$BUNDLE/rootfs$interp" ] || skip "the rootfs has $interp"
	cp /bin/ls "$BUNDLE/rootfs/ls-dyn"
	update_config '.process.args = ["/ls-dyn"]'
	run -1 check
	assert_line "error: process.args[0]: /ls-dyn needs the interpreter $interp, which is not in the rootfs"
}

@test "check: process.cwd missing is a note: husk creates it" {
	update_config '.process.cwd = "/work/here"'
	run -0 check
	assert_output - <<-'EOF'
		note: process.cwd: /work/here does not exist in the rootfs: husk creates it
		config.json: ok (1 note)
	EOF
}

@test "check: process.cwd not absolute" {
	update_config '.process.cwd = "work"'
	run -1 check
	assert_line 'error: process.cwd: "work" must be an absolute path'
}

@test "check: process.terminal true is a warning" {
	update_config '.process.terminal = true'
	run -0 check
	assert_output - <<-'EOF'
		warning: process.terminal: true: 'husk create' and 'husk run --detach' need --console-socket to hand the terminal to; only a foreground 'husk run' works without one
		config.json: 1 warning
	EOF
}

@test "check: rlimit above the hard limit without CAP_SYS_RESOURCE" {
	! cap_in_bounding 24 || skip "this host has CAP_SYS_RESOURCE"
	local hard
	hard=$(ulimit -Hn)
	[ "$hard" != unlimited ] || skip "no hard limit on open files"
	update_config ".process.rlimits = [{\"type\": \"RLIMIT_NOFILE\", \"hard\": $((hard + 1)), \"soft\": 1024}]"
	run -1 check
	assert_line "error: process.rlimits[0].hard: RLIMIT_NOFILE: $((hard + 1)) is above the hard limit here, $hard, and raising it needs CAP_SYS_RESOURCE, which husk does not have (it is not in this host's bounding set)"
}

@test "check: rlimit of an unknown type, and soft above hard" {
	update_config '.process.rlimits = [{"type": "RLIMIT_BOGUS", "hard": 1, "soft": 1},
		{"type": "RLIMIT_CORE", "hard": 1, "soft": 2}]'
	run -1 check
	assert_line 'error: process.rlimits[0].type: unknown rlimit "RLIMIT_BOGUS"'
	assert_line 'error: process.rlimits[1]: RLIMIT_CORE: the soft limit 2 is above the hard limit 1'
}

@test "check: negative oomScoreAdj without CAP_SYS_RESOURCE" {
	! cap_in_bounding 24 || skip "this host has CAP_SYS_RESOURCE"
	[ "$(cat /proc/self/oom_score_adj)" = 0 ] || skip "husk's own oom_score_adj is not 0"
	update_config '.process.oomScoreAdj = -500'
	# A warning: the kernel lets husk go down to a floor /proc does not show
	# (docker's shim runs husk at 1 and asks 0), so only the write can tell.
	run -0 check
	assert_line "warning: process.oomScoreAdj: -500 is below husk's own 0, and lowering it needs CAP_SYS_RESOURCE, which husk does not have (it is not in this host's bounding set): it fails unless a privileged process let husk's parent go that low"
	# Here it does fail, with one clear line, and nothing is left.
	run ! "$HUSK" --root "$ROOT" create --bundle "$BUNDLE" c1
	assert_husk_error 'process.oomScoreAdj: set -500' 'CAP_SYS_RESOURCE'
	assert_nothing_left
}

@test "check: apparmorProfile without AppArmor" {
	[ "$(cat /sys/module/apparmor/parameters/enabled 2>/dev/null)" != Y ] || skip "AppArmor is on"
	update_config '.process.apparmorProfile = "husk-test"'
	run -1 check
	assert_line 'error: process.apparmorProfile: "husk-test": AppArmor is not enabled on this host'
}

@test "check: selinuxLabel without SELinux is a note" {
	[ ! -e /sys/fs/selinux/enforce ] || skip "SELinux is on"
	update_config '.process.selinuxLabel = "system_u:system_r:container_t:s0"'
	run -0 check
	assert_line 'note: process.selinuxLabel: SELinux is not enabled on this host: the label is ignored'
}

# --- capabilities -------------------------------------------------------------

@test "check: unknown capability" {
	update_config '.process.capabilities.bounding += ["CAP_BOGUS"]'
	run -1 check
	assert_line 'error: process.capabilities.bounding[3]: unknown capability "CAP_BOGUS"'
}

@test "check: capability beyond this kernel is a warning" {
	local last
	last=$(cat /proc/sys/kernel/cap_last_cap)
	[ "$last" -lt 63 ] || skip "this kernel knows every capability number"
	update_config ".process.capabilities.bounding += [\"$((last + 1))\"]"
	run -0 check
	assert_line "warning: process.capabilities.bounding[3]: $((last + 1)) is not supported by this kernel (it knows up to $last): husk skips it"
}

@test "check: capability missing from the host's bounding set" {
	! cap_in_bounding 24 || skip "this host has CAP_SYS_RESOURCE"
	update_config '.process.capabilities.bounding += ["CAP_SYS_RESOURCE"]
		| .process.capabilities.effective += ["CAP_SYS_RESOURCE"]
		| .process.capabilities.permitted += ["CAP_SYS_RESOURCE"]'
	run -1 check
	assert_line "warning: process.capabilities.bounding[3]: CAP_SYS_RESOURCE is not in this host's bounding set: husk cannot grant a capability it does not have, so the container's bounding set lacks it"
	assert_line "error: process.capabilities.effective[3]: CAP_SYS_RESOURCE is not in this host's bounding set: husk cannot grant a capability it does not have, so setting the effective set fails"
	assert_line "config.json: 2 errors, 1 warning"
}

@test "check: effective capability that is not permitted" {
	update_config '.process.capabilities.effective += ["CAP_CHOWN"]'
	run -1 check
	assert_line 'error: process.capabilities.effective: CAP_CHOWN is not in the permitted set: capset(2) refuses an effective one that is not permitted'
}

@test "check: ambient capability that is not inheritable is a warning (runc spec writes it)" {
	update_config '.process.capabilities.ambient = ["CAP_KILL"]'
	run -0 check
	assert_line 'warning: process.capabilities.ambient: CAP_KILL is not both permitted and inheritable, so it is not raised as ambient: the process runs without it, as with runc and crun'
}

# --- mounts ---------------------------------------------------------------------

@test "check: bind mount source missing (relative to the bundle)" {
	update_config '.mounts += [{"destination": "/data", "type": "bind", "source": "data", "options": ["rbind"]}]'
	run -1 check
	assert_line "error: mounts[7].source: $BUNDLE/data: No such file or directory"
}

@test "check: a relative mount destination is a note (runtime-spec 1.2 reads it from /)" {
	update_config '.mounts += [{"destination": "data", "type": "tmpfs", "source": "tmpfs"}]'
	run -0 check
	assert_line 'note: mounts[7].destination: "data" is relative: it is mounted at /data (runtime-spec 1.2; runc does the same)'
}

@test "check: tmpcopyup on a bind mount" {
	update_config '.mounts += [{"destination": "/data", "type": "bind", "source": "/tmp", "options": ["rbind", "tmpcopyup"]}]'
	run -1 check
	assert_line 'error: mounts[7].options: tmpcopyup: only a tmpfs can be copied up (type "bind")'
}

@test "check: mount destination through a symlink leading out of the rootfs" {
	ln -s /etc "$BUNDLE/rootfs/escape"
	update_config '.mounts += [{"destination": "/escape/x", "type": "tmpfs", "source": "tmpfs"}]'
	run -0 check
	assert_output - <<-'EOF'
		warning: mounts[7].destination: /escape/x goes through the symlink /escape -> /etc, which leads out of the rootfs: husk follows it inside the rootfs, so the mount lands on /etc/x in the container
		config.json: 1 warning
	EOF
}

@test "check: mount destination through a relative symlink climbing out of the rootfs" {
	ln -s ../../../../../../tmp "$BUNDLE/rootfs/up"
	update_config '.mounts += [{"destination": "/up/y", "type": "tmpfs", "source": "tmpfs"}]'
	run -0 check
	assert_line 'warning: mounts[7].destination: /up/y goes through the symlink /up -> ../../../../../../tmp, which leads out of the rootfs: husk follows it inside the rootfs, so the mount lands on /tmp/y in the container'
}

@test "check: mount destination that is a file, for a filesystem" {
	touch "$BUNDLE/rootfs/afile"
	update_config '.mounts += [{"destination": "/afile", "type": "tmpfs", "source": "tmpfs"}]'
	run -1 check
	assert_line 'error: mounts[7].destination: /afile exists in the rootfs and is not a directory'
}

@test "check: a destination under an earlier mount is not judged by the rootfs's files" {
	touch "$BUNDLE/rootfs/dev/afile"
	update_config '.mounts += [{"destination": "/dev/afile", "type": "tmpfs", "source": "tmpfs"}]'
	run -0 check
	assert_output "config.json: ok"
}

@test "check: unknown mount type" {
	update_config '.mounts += [{"destination": "/x", "type": "bogusfs", "source": "none"}]'
	run -1 check
	assert_line 'error: mounts[7].type: "bogusfs" is not a filesystem this kernel knows (not in /proc/filesystems, and no module provides it)'
}

@test "check: mount without a type that is not a bind mount" {
	update_config '.mounts += [{"destination": "/x", "source": "none"}]'
	run -1 check
	assert_line 'error: mounts[7].type: missing: a mount that is not a bind mount needs a filesystem type'
}

@test "check: contradicting mount options" {
	update_config '.mounts += [{"destination": "/x", "type": "tmpfs", "source": "tmpfs", "options": ["ro", "nosuid", "rw"]}]'
	run -0 check
	assert_output - <<-'EOF'
		warning: mounts[7].options: both "ro" and "rw": the last one, "rw", wins
		config.json: 1 warning
	EOF
}

@test "check: filesystem options on a bind mount" {
	update_config ".mounts += [{\"destination\": \"/x\", \"type\": \"bind\", \"source\": \"$BUNDLE\", \"options\": [\"rbind\", \"size=1m\"]}]"
	run -0 check
	assert_line 'warning: mounts[7].options: "size=1m": a bind mount takes no filesystem options: ignored'
}

@test "check: remount on a new mount" {
	update_config '.mounts += [{"destination": "/x", "type": "tmpfs", "source": "tmpfs", "options": ["remount"]}]'
	run -1 check
	assert_line 'error: mounts[7].options: "remount" changes an existing mount, but husk makes a new one here: the mount would fail'
}

@test "check: no mount namespace: masked and readonly paths, mounts, root.readonly" {
	update_config '.linux.namespaces |= map(select(.type != "mount")) | .root.readonly = true'
	run -1 check
	assert_line 'warning: root.readonly: without a new mount namespace the read-only bind mount of the rootfs is made in the caller'\''s (the host'\''s) mount namespace: add {"type": "mount"} to linux.namespaces'
	assert_line 'warning: mounts: without a mount namespace these mounts are made in the caller'\''s (the host'\''s) mount namespace: add {"type": "mount"} to linux.namespaces'
	assert_line 'error: linux.maskedPaths: masked paths need a new mount namespace: add {"type": "mount"} to linux.namespaces'
	assert_line 'error: linux.readonlyPaths: readonly paths need a new mount namespace: add {"type": "mount"} to linux.namespaces'
	assert_line 'config.json: 2 errors, 2 warnings'
}

@test "check: unknown rootfsPropagation" {
	update_config '.linux.rootfsPropagation = "sideways"'
	run -1 check
	assert_line 'error: linux.rootfsPropagation: unknown value "sideways"'
}

# --- namespaces -----------------------------------------------------------------

@test "check: time offsets of an unknown clock, and without a time namespace" {
	update_config '.linux.timeOffsets = {"realtime": {"secs": 10}}'
	run -1 check
	assert_output - <<-'EOF'
		error: linux.timeOffsets["realtime"]: unknown clock "realtime" (monotonic or boottime)
		warning: linux.timeOffsets: ignored without a new time namespace: add {"type": "time"} to linux.namespaces
		config.json: 1 error, 1 warning
	EOF
}

@test "check: joined namespace path that does not exist" {
	update_config ".linux.namespaces |= map(if .type == \"network\" then .path = \"$BATS_TEST_TMPDIR/no-ns\" else . end)"
	run -1 check
	assert_line "error: linux.namespaces[1].path: $BATS_TEST_TMPDIR/no-ns: No such file or directory"
}

@test "check: joined namespace path of the wrong type" {
	update_config ".linux.namespaces |= map(if .type == \"network\" then .path = \"/proc/$$/ns/ipc\" else . end)"
	run -1 check
	assert_line "error: linux.namespaces[1].path: /proc/$$/ns/ipc is a namespace of type ipc, not network"
}

@test "check: joined namespace path that is no namespace" {
	update_config '.linux.namespaces |= map(if .type == "ipc" then .path = "/etc/hostname" else . end)'
	run -1 check
	assert_line 'error: linux.namespaces[2].path: /etc/hostname is not a namespace file'
}

@test "check: a new user namespace without mappings" {
	update_config '.linux.namespaces += [{"type": "user"}]'
	run -1 check
	assert_line 'error: linux.uidMappings: a new user namespace needs uid mappings'
	assert_line 'error: linux.gidMappings: a new user namespace needs gid mappings'
}

@test "check: mappings that do not cover process.user" {
	update_config '.linux.namespaces += [{"type": "user"}]
		| .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 100}]
		| .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 100}]
		| .process.user = {"uid": 1000, "gid": 5, "additionalGids": [200]}'
	run -1 check
	assert_output - <<-'EOF'
		error: process.user.uid: 1000 is not mapped in the new user namespace (linux.uidMappings)
		error: process.user.additionalGids[0]: 200 is not mapped in the new user namespace (linux.gidMappings)
		config.json: 2 errors
	EOF
}

@test "check: mappings without a user namespace" {
	update_config '.linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 100}]'
	run -1 check
	assert_line 'error: linux.uidMappings: mappings need a new user namespace: add {"type": "user"} to linux.namespaces'
}

@test "check: hostname without a uts namespace" {
	update_config '.linux.namespaces |= map(select(.type != "uts")) | .hostname = "box"'
	run -1 check
	assert_line 'error: hostname: needs a uts namespace: add {"type": "uts"} to linux.namespaces'
}

# --- sysctl ---------------------------------------------------------------------

@test "check: net.* sysctl without a network namespace" {
	update_config '.linux.namespaces |= map(select(.type != "network")) | .linux.sysctl = {"net.ipv4.ip_forward": "1"}'
	run -1 check
	assert_line 'error: linux.sysctl["net.ipv4.ip_forward"]: belongs to the network namespace, and the container shares the host'\''s: husk would change the host'\''s value (add {"type": "network"} to linux.namespaces)'
}

@test "check: ipc sysctl without an ipc namespace" {
	update_config '.linux.namespaces |= map(select(.type != "ipc")) | .linux.sysctl = {"kernel.shmmax": "1000000"}'
	run -1 check
	assert_line 'error: linux.sysctl["kernel.shmmax"]: belongs to the ipc namespace, and the container shares the host'\''s: husk would change the host'\''s value (add {"type": "ipc"} to linux.namespaces)'
}

@test "check: sysctl that does not exist" {
	update_config '.linux.sysctl = {"fs.mqueue.no_such_thing": "1"}'
	run -1 check
	assert_line 'error: linux.sysctl["fs.mqueue.no_such_thing"]: no such sysctl on this host (/proc/sys/fs/mqueue/no_such_thing is missing)'
}

@test "check: kernel.hostname that conflicts with hostname" {
	update_config '.hostname = "one" | .linux.sysctl = {"kernel.hostname": "two"}'
	run -1 check
	assert_line 'error: linux.sysctl["kernel.hostname"]: "two" conflicts with hostname "one": husk (as runc) refuses it'
}

@test "check: sysctl that is not namespaced is an error, as create refuses it" {
	update_config '.linux.sysctl = {"vm.swappiness": "10"}'
	run -1 check
	assert_line 'error: linux.sysctl["vm.swappiness"]: not in a namespace of the container'\''s: setting it would change the host (runc refuses it too)'
	run ! "$HUSK" --root "$ROOT" create --bundle "$BUNDLE" c1
	assert_husk_error 'config.json: linux.sysctl["vm.swappiness"]: not in a namespace of the container'\''s'
	assert_nothing_left
}

# --- seccomp ---------------------------------------------------------------------

@test "check: seccomp: unknown action, operator, architecture and flag" {
	update_config '.linux.seccomp = {"defaultAction": "SCMP_ACT_NOPE",
		"architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_Z80"],
		"flags": ["SECCOMP_FILTER_FLAG_NOPE"],
		"syscalls": [{"names": ["read"], "action": "SCMP_ACT_ERRNO",
			"args": [{"index": 0, "value": 1, "op": "SCMP_CMP_ROUGHLY"}]}]}'
	run -1 check
	assert_line 'error: linux.seccomp.defaultAction: unknown action "SCMP_ACT_NOPE"'
	assert_line --regexp '^error: linux\.seccomp\.architectures\[1\]: unknown architecture "SCMP_ARCH_Z80" \(for libseccomp [0-9.]+\)$'
	assert_line 'error: linux.seccomp.flags[0]: unknown flag "SECCOMP_FILTER_FLAG_NOPE"'
	assert_line 'error: linux.seccomp.syscalls[0].args[0].op: unknown operator "SCMP_CMP_ROUGHLY"'
	assert_line 'config.json: 4 errors'
}

@test "check: seccomp: a syscall name libseccomp does not know is a note" {
	update_config '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW",
		"syscalls": [{"names": ["getpid", "no_such_syscall"], "action": "SCMP_ACT_ERRNO"}]}'
	run -0 check
	assert_output - <<-'EOF'
		note: linux.seccomp.syscalls[0].names[1]: "no_such_syscall" is not a syscall libseccomp knows on this architecture: ignored
		config.json: ok (1 note)
	EOF
}

@test "check: seccomp: errnoRet with an action that takes none" {
	update_config '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW", "defaultErrnoRet": 1}'
	run -1 check
	assert_line 'error: linux.seccomp.defaultErrnoRet: not allowed with SCMP_ACT_ALLOW (only SCMP_ACT_ERRNO and SCMP_ACT_TRACE take one)'
}

@test "check: seccomp: SCMP_ACT_NOTIFY without listenerPath" {
	update_config '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW",
		"syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_NOTIFY"}]}'
	run -1 check
	assert_line 'error: linux.seccomp.listenerPath: required when a rule uses SCMP_ACT_NOTIFY (the notify fd is sent there)'
}

# --- cgroups ---------------------------------------------------------------------

@test "check: cgroupsPath with .." {
	update_config '.linux.cgroupsPath = "/husk/../../escape"'
	run -1 check
	assert_line 'error: linux.cgroupsPath: "/husk/../../escape": must not contain ".."'
}

@test "check: a controller the host has not mounted (net_cls)" {
	cgroup_v1_controllers
	[ ! -d /sys/fs/cgroup/net_cls ] || skip "net_cls is mounted here"
	update_config '.linux.resources.network = {"classID": 1048577}'
	run -1 check
	assert_line 'error: linux.resources.network.classID: the net_cls cgroup controller is not mounted on this host'
}

@test "check: unified on a hybrid host needs the controller in the unified tree" {
	[ "$(stat -f -c %T /sys/fs/cgroup/unified 2>/dev/null)" = cgroup2fs ] || skip "not a hybrid host"
	! grep -qw memory /sys/fs/cgroup/unified/cgroup.controllers || skip "memory is in the unified tree"
	update_config '.linux.resources.unified = {"memory.high": "100M"}'
	run -1 check
	assert_line 'error: linux.resources.unified["memory.high"]: the memory controller is not available in cgroup v2 here (not in /sys/fs/cgroup/unified/cgroup.controllers) (on this hybrid host "unified" goes to /sys/fs/cgroup/unified)'
}

@test "check: unified key that is not a file name" {
	[ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ] || [ -d /sys/fs/cgroup/unified ] ||
		skip "cgroup v1 only"
	update_config '.linux.resources.unified = {"../memory.max": "1"}'
	run -1 check
	assert_line 'error: linux.resources.unified["../memory.max"]: not a cgroup file name (no "/" or "..")'
}

@test "check: cpu.shares out of range" {
	update_config '.linux.resources.cpu = {"shares": 1}'
	run -1 check
	assert_line 'error: linux.resources.cpu.shares: 1 is not in 2-262144'
}

@test "check: huge page size this host lacks" {
	update_config '.linux.resources.hugepageLimits = [{"pageSize": "3MB", "limit": 0}]'
	run -1 check
	assert_line 'error: linux.resources.hugepageLimits[0].pageSize: this host has no 3MB huge pages (/sys/kernel/mm/hugepages/hugepages-3072kB is missing)'
}

@test "check: cgroup v2: kernel memory is ignored, realtime is refused" {
	cgroup_v2_only
	update_config '.linux.resources.memory = {"kernel": 1048576}
		| .linux.resources.cpu = {"realtimeRuntime": 1000}'
	run -1 check
	assert_line 'warning: linux.resources.memory.kernel: cgroup v2 has no kernel memory limit: ignored'
	assert_line 'error: linux.resources.cpu.realtimeRuntime: cgroup v2 has no realtime CPU bandwidth control (remove realtimeRuntime and realtimePeriod)'
}

@test "check: cgroup v2: blkio leafWeight is ignored" {
	cgroup_v2_only
	update_config '.linux.resources.blockIO = {"leafWeight": 500}'
	run check
	assert_line 'warning: linux.resources.blockIO.leafWeight: cgroup v2 has no leaf weights: ignored'
}

@test "check: resources with --cgroup-manager disabled are ignored" {
	update_config '.linux.resources.pids = {"limit": 10}'
	run -0 husk --cgroup-manager disabled check --bundle "$BUNDLE"
	assert_output - <<-'EOF'
		warning: linux.resources: --cgroup-manager disabled puts the container in no cgroup: ignored
		config.json: 1 warning
	EOF
}

# --- hooks ----------------------------------------------------------------------

@test "check: hook path that does not exist" {
	update_config ".hooks.prestart = [{\"path\": \"$BATS_TEST_TMPDIR/no-hook\"}]"
	run -1 check
	assert_line "error: hooks.prestart[0].path: $BATS_TEST_TMPDIR/no-hook: No such file or directory"
}

@test "check --systemd-cgroup: the errors create gives, from the same rules" {
	update_config '.linux.cgroupsPath = "a:b" | .annotations["org.systemd.property.Foo1"] = "1"'
	run -1 check_with --systemd-cgroup
	assert_line 'error: linux.cgroupsPath: "a:b": expected slice:prefix:name with --systemd-cgroup (as "system.slice:husk:ID")'
	if [ ! -d /run/systemd/system ]; then
		assert_line --partial 'error: linux.cgroupsPath: --systemd-cgroup: systemd is not running on this host'
	fi
	assert_line 'error: annotations["org.systemd.property.Foo1"]: "Foo1" is not a systemd property name (latin letters only, at least three)'
	# create refuses the same config with the first of them
	run ! "$HUSK" --root "$ROOT" --systemd-cgroup create --bundle "$BUNDLE" c1
	assert_husk_error 'config.json: linux.cgroupsPath: "a:b": expected slice:prefix:name'
	assert_nothing_left
}

@test "check: org.systemd.property annotations without the systemd driver are a note" {
	update_config '.annotations["org.systemd.property.TimeoutStopUSec"] = "uint64 5"'
	run -0 check
	assert_line 'note: annotations["org.systemd.property.TimeoutStopUSec"]: only the systemd cgroup driver (--systemd-cgroup) reads it; without it, it does nothing'
	update_config '.linux.cgroupsPath = "system.slice:husk:c1"'
	run -0 check_with --systemd-cgroup --cgroup-manager cgroupfs
	assert_line --partial 'note: annotations["org.systemd.property.TimeoutStopUSec"]'
}

@test "check --checkpoint: whether CRIU works here, as criu check says" {
	command -v criu >/dev/null || skip "criu is not installed"
	if criu check >/dev/null 2>&1; then
		run -0 husk check --bundle "$BUNDLE" --checkpoint
		assert_line 'config.json: ok'
	else
		run -1 husk check --bundle "$BUNDLE" --checkpoint
		assert_line --partial "error: CRIU cannot checkpoint on this host: 'criu check' fails"
		assert_line --partial '(husk checkpoint and restore need it)'
		# without it, check does not ask
		run -0 check
		refute_output --partial CRIU
	fi
}
