#!/usr/bin/env bats
# The container's process: hostname, domainname, sysctl, env, cwd, user,
# umask, rlimits, capabilities, noNewPrivileges.

load helpers

setup() {
	setup_bundle
}

teardown() {
	teardown_bundle
}

# runc only applies "domainname" from 1.2 on (runtime-spec 1.1).
requires_domainname() {
	local v
	is_husk && return 0
	v=$("$HUSK" --version 2>/dev/null | sed -n 's/^runc version \([0-9]*\)\.\([0-9]*\).*/\1 \2/p')
	if [ -n "$v" ]; then
		set -- $v
		if [ "$1" -lt 1 ] || { [ "$1" -eq 1 ] && [ "$2" -lt 2 ]; }; then
			skip "runc $1.$2 ignores domainname (added in runc 1.2)"
		fi
	fi
}

@test "hostname" {
	update_config '.hostname = "husk-test-host"'
	set_args sh -c 'hostname; cat /proc/sys/kernel/hostname'
	run -0 husk run --bundle "$BUNDLE" c1
	assert_output $'husk-test-host\nhusk-test-host'
}

@test "hostname: the host's is untouched" {
	before=$(hostname)
	update_config '.hostname = "not-the-host"'
	set_args hostname
	run -0 husk run --bundle "$BUNDLE" c1
	assert_output not-the-host
	assert_equal "$(hostname)" "$before"
}

@test "domainname" {
	requires_domainname
	update_config '.domainname = "example.org"'
	set_args cat /proc/sys/kernel/domainname
	run -0 husk run --bundle "$BUNDLE" c1
	assert_output example.org
}

@test "sysctl: net.ipv4.ip_forward in a new network namespace" {
	update_config '.linux.sysctl = {"net.ipv4.ip_forward": "1"}'
	set_args cat /proc/sys/net/ipv4/ip_forward
	run -0 husk run --bundle "$BUNDLE" c1
	assert_output 1
}

@test "sysctl: kernel.msgmax in a new ipc namespace" {
	update_config '.linux.sysctl = {"kernel.msgmax": "4321"}'
	set_args cat /proc/sys/kernel/msgmax
	run -0 husk run --bundle "$BUNDLE" c1
	assert_output 4321
	# the host's is not that (the default is 8192)
	[ "$(cat /proc/sys/kernel/msgmax)" != 4321 ]
}

@test "sysctl: without it the new network namespace has the default (control)" {
	set_args cat /proc/sys/net/ipv4/ip_forward
	run -0 husk run --bundle "$BUNDLE" c1
	# What any new network namespace gets here (the kernel may copy the
	# host's value, which engines like podman turn on).
	assert_output "$(unshare -n cat /proc/sys/net/ipv4/ip_forward)"
}

@test "env: exactly the config's environment" {
	update_config '.process.env = ["PATH=/bin:/usr/bin", "FOO=bar baz", "EMPTY=", "HOME=/root"]'
	set_args sh -c 'echo "FOO=[$FOO]"; echo "EMPTY=[${EMPTY-unset}]"; echo "TERM=[${TERM-unset}]"; echo "HOME=[$HOME]"; echo "PATH=[$PATH]"'
	run -0 husk run --bundle "$BUNDLE" c1
	assert_line "FOO=[bar baz]"
	assert_line "EMPTY=[]"
	assert_line "TERM=[unset]"
	assert_line "HOME=[/root]"
	assert_line "PATH=[/bin:/usr/bin]"
}

@test "env: the executable is found through the config's PATH" {
	mkdir -p "$BUNDLE/rootfs/opt/tools"
	printf '#!/bin/sh\necho my-tool ran\n' >"$BUNDLE/rootfs/opt/tools/my-tool"
	chmod 755 "$BUNDLE/rootfs/opt/tools/my-tool"
	update_config '.process.env = ["PATH=/opt/tools:/bin"]'
	set_args my-tool
	run -0 husk run --bundle "$BUNDLE" c1
	assert_output "my-tool ran"
}

@test "cwd" {
	update_config '.process.cwd = "/etc"'
	set_args pwd
	run -0 husk run --bundle "$BUNDLE" c1
	assert_output /etc
}

@test "cwd: a missing directory is created" {
	update_config '.process.cwd = "/work/dir" | .root.readonly = false'
	set_args pwd
	run -0 husk run --bundle "$BUNDLE" c1
	assert_output /work/dir
}

@test "cwd: a missing directory is created in a read-only root too" {
	update_config '.process.cwd = "/work/dir" | .root.readonly = true'
	set_args sh -c 'pwd; touch /work/dir/x 2>&1'
	run -1 husk run --bundle "$BUNDLE" c1
	assert_line --index 0 /work/dir
	assert_line --partial "Read-only file system"
	assert_dir_exists "$BUNDLE/rootfs/work/dir"
}

@test "HOME: from the container's /etc/passwd when the env has none" {
	update_config '.process.env = ["PATH=/bin"]'
	set_args sh -c 'echo "HOME=$HOME"'
	run -0 husk run --bundle "$BUNDLE" c1
	assert_output HOME=/root
}

@test "HOME: the user's home, / for a uid /etc/passwd lacks" {
	update_config '.process.env = ["PATH=/bin"] | .process.user = {"uid": 65534, "gid": 65534}'
	set_args sh -c 'echo "HOME=$HOME"'
	run -0 husk run --bundle "$BUNDLE" c1
	assert_output HOME=/nonexistent
	update_config '.process.user = {"uid": 4242, "gid": 4242}'
	run -0 husk run --bundle "$BUNDLE" c2
	assert_output HOME=/
}

@test "HOME: the config's own is kept, an empty one is replaced" {
	update_config '.process.env = ["PATH=/bin", "HOME=/srv/home"]'
	set_args sh -c 'echo "HOME=$HOME"; env | grep -c ^HOME='
	run -0 husk run --bundle "$BUNDLE" c1
	assert_output $'HOME=/srv/home\n1'
	update_config '.process.env = ["PATH=/bin", "HOME="]'
	run -0 husk run --bundle "$BUNDLE" c2
	assert_output $'HOME=/root\n1'
}

@test "user: uid, gid and additionalGids" {
	update_config '.process.user = {"uid": 1000, "gid": 1001, "additionalGids": [10, 20, 30]}'
	set_args sh -c 'id -u; id -g; id -G'
	run -0 husk run --bundle "$BUNDLE" c1
	assert_output $'1000\n1001\n1001 10 20 30'
}

@test "run.oci.keep_original_groups: the caller's supplementary groups stay, additionalGids do not apply (crun's annotation)" {
	update_config '.process.user = {"uid": 0, "gid": 0, "additionalGids": [5]}'
	set_args sh -c 'grep ^Groups: /proc/self/status'
	run -0 setpriv --groups 4242,4343 "$HUSK" --root "$ROOT" run --bundle "$BUNDLE" c1
	assert_output --regexp '^Groups:[[:space:]]+5[[:space:]]*$'
	update_config '.annotations["run.oci.keep_original_groups"] = "1"'
	run -0 setpriv --groups 4242,4343 "$HUSK" --root "$ROOT" run --bundle "$BUNDLE" c2
	assert_output --regexp '^Groups:[[:space:]]+4242 4343[[:space:]]*$'
	# "0" turns it off, as crun reads it
	update_config '.annotations["run.oci.keep_original_groups"] = "0"'
	run -0 setpriv --groups 4242,4343 "$HUSK" --root "$ROOT" run --bundle "$BUNDLE" c3
	assert_output --regexp '^Groups:[[:space:]]+5[[:space:]]*$'
}

@test "user: nobody from /etc/passwd by number" {
	update_config '.process.user = {"uid": 65534, "gid": 65534}'
	set_args id
	run -0 husk run --bundle "$BUNDLE" c1
	assert_output --regexp '^uid=65534\(nobody\) gid=65534\((nogroup|nobody)\)'
}

@test "user: root by default" {
	set_args id
	run -0 husk run --bundle "$BUNDLE" c1
	assert_output --regexp '^uid=0\(root\) gid=0\(root\)'
}

@test "user: umask" {
	update_config '.process.user.umask = 23 | .root.readonly = false'
	set_args sh -c 'umask; touch /tmp/f; stat -c %a /tmp/f'
	run -0 husk run --bundle "$BUNDLE" c1
	assert_output $'0027\n640'
}

@test "user: umask defaults to 0022, whatever the caller's" {
	# runc sets 0022 when the config has no umask; it does not pass the
	# caller's on.
	set_args sh -c umask
	run -0 bash -c 'umask 0077; exec "$@"' - "$HUSK" --root "$ROOT" run --bundle "$BUNDLE" c1
	assert_output 0022
}

@test "rlimits: RLIMIT_NOFILE soft and hard" {
	# stay under the host's hard limit: raising it needs CAP_SYS_RESOURCE
	update_config '.process.rlimits = [{"type": "RLIMIT_NOFILE", "soft": 1234, "hard": 4321}]'
	set_args sh -c 'ulimit -n; ulimit -Hn'
	run -0 husk run --bundle "$BUNDLE" c1
	assert_output $'1234\n4321'
}

@test "rlimits: several at once" {
	update_config '.process.rlimits = [
		{"type": "RLIMIT_NOFILE", "soft": 512, "hard": 512},
		{"type": "RLIMIT_NPROC", "soft": 1000, "hard": 2000},
		{"type": "RLIMIT_CORE", "soft": 0, "hard": 0}]'
	set_args sh -c 'grep -E "^Max (open files|processes|core file size)" /proc/self/limits'
	run -0 husk run --bundle "$BUNDLE" c1
	assert_line --regexp '^Max open files +512 +512 +files'
	assert_line --regexp '^Max processes +1000 +2000 +processes'
	assert_line --regexp '^Max core file size +0 +0 +bytes'
}

@test "noNewPrivileges: true" {
	update_config '.process.noNewPrivileges = true'
	set_args grep NoNewPrivs /proc/self/status
	run -0 husk run --bundle "$BUNDLE" c1
	assert_output $'NoNewPrivs:\t1'
}

@test "noNewPrivileges: false" {
	update_config '.process.noNewPrivileges = false'
	set_args grep NoNewPrivs /proc/self/status
	run -0 husk run --bundle "$BUNDLE" c1
	assert_output $'NoNewPrivs:\t0'
}

@test "capabilities: the config's sets, nothing more" {
	# CAP_KILL (5), CAP_NET_BIND_SERVICE (10), CAP_AUDIT_WRITE (29)
	set_args grep -E '^Cap(Inh|Prm|Eff|Bnd|Amb):' /proc/self/status
	run -0 husk run --bundle "$BUNDLE" c1
	assert_line $'CapPrm:\t0000000020000420'
	assert_line $'CapEff:\t0000000020000420'
	assert_line $'CapBnd:\t0000000020000420'
}

@test "capabilities: CAP_SYS_ADMIN added to every set" {
	update_config '.process.capabilities |= with_entries(.value += ["CAP_SYS_ADMIN"])'
	set_args grep -E '^Cap(Eff|Bnd):' /proc/self/status
	run -0 husk run --bundle "$BUNDLE" c1
	# CAP_SYS_ADMIN is 21
	assert_line $'CapEff:\t0000000020200420'
	assert_line $'CapBnd:\t0000000020200420'
}

@test "args: passed as given, no shell in between" {
	set_args printf '[%s]\n' 'a b' '$HOME' '*'
	run -0 husk run --bundle "$BUNDLE" c1
	assert_output $'[a b]\n[$HOME]\n[*]'
}

@test "stdin is passed through to a foreground container" {
	set_args sh -c 'read line; echo "got: $line"'
	run -0 husk run --bundle "$BUNDLE" c1 <<<"hello stdin"
	assert_output "got: hello stdin"
}

@test "oomScoreAdj" {
	# a positive value: lowering it below the caller's needs CAP_SYS_RESOURCE
	update_config '.process.oomScoreAdj = 345'
	set_args cat /proc/self/oom_score_adj
	run -0 husk run --bundle "$BUNDLE" c1
	assert_output 345
}

@test "sysctl: a key outside the container's namespaces is refused (it would change the host)" {
	requires_husk
	update_config ".linux.sysctl = {\"kernel.core_pattern\": \"$(cat /proc/sys/kernel/core_pattern)\"}"
	set_args true
	run ! husk run --bundle "$BUNDLE" c1
	assert_husk_error 'linux.sysctl["kernel.core_pattern"]' 'would change the host'
	assert_nothing_left
}

@test "sysctl: a net key without the container's own network namespace is refused" {
	requires_husk
	update_config '.linux.namespaces |= map(select(.type != "network")) | .linux.sysctl = {"net.ipv4.ip_forward": "0"}'
	set_args true
	run ! husk run --bundle "$BUNDLE" c1
	assert_husk_error 'linux.sysctl["net.ipv4.ip_forward"]' 'network namespace'
	assert_nothing_left
}

@test "sysctl: kernel.domainname or kernel.hostname that conflicts with the config's field is refused, nothing left" {
	requires_husk
	update_config '.domainname = "example.org" | .linux.sysctl = {"kernel.domainname": "other.org"}'
	run -1 husk run --bundle "$BUNDLE" c1
	assert_husk_error 'linux.sysctl["kernel.domainname"]: "other.org" conflicts with domainname "example.org"'
	assert_nothing_left
	update_config '.domainname = null | .hostname = "one" | .linux.sysctl = {"kernel.hostname": "two"}'
	run -1 husk run --bundle "$BUNDLE" c1
	assert_husk_error 'linux.sysctl["kernel.hostname"]: "two" conflicts with hostname "one"'
	assert_nothing_left
}

@test "sysctl: kernel.domainname that agrees with domainname is set" {
	requires_domainname
	update_config '.domainname = "example.org" | .linux.sysctl = {"kernel.domainname": "example.org"}'
	set_args cat /proc/sys/kernel/domainname
	run -0 husk run --bundle "$BUNDLE" c1
	assert_output example.org
}

@test "rlimits: soft above hard is refused before anything is made" {
	requires_husk
	update_config '.process.rlimits = [{"type": "RLIMIT_NOFILE", "soft": 2000, "hard": 1000}]'
	set_args true
	run ! husk run --bundle "$BUNDLE" c1
	assert_husk_error 'process.rlimits[0]' 'the soft limit 2000 is above the hard limit 1000'
	assert_nothing_left
}

@test "oomScoreAdj out of range is refused" {
	requires_husk
	update_config '.process.oomScoreAdj = 1001'
	set_args true
	run ! husk run --bundle "$BUNDLE" c1
	assert_husk_error 'process.oomScoreAdj' '1001 is not in -1000 to 1000'
	assert_nothing_left
}

@test "help COMMAND prints the same as COMMAND --help" {
	requires_husk
	for cmd in create run exec kill delete list spec check features update; do
		assert_equal "$("$HUSK" help "$cmd")" "$("$HUSK" "$cmd" --help)"
	done
}

@test "stdio that is the caller's /dev/null becomes the container's own /dev/null (as runc)" {
	# A file of the host's mounts could not be checkpointed by CRIU.
	set_args sh -c 'for fd in 0 1 2; do stat -L -c %d:%i /proc/self/fd/$fd; done; stat -c %d:%i /dev/null'
	husk run --bundle "$BUNDLE" c1 </dev/null 2>/dev/null >"$BATS_TEST_TMPDIR/out"
	run -0 cat "$BATS_TEST_TMPDIR/out"
	own=${lines[3]}
	assert_equal "${lines[0]}" "$own"
	# stdout is a file, and stays that file
	[ "${lines[1]}" != "$own" ]
	assert_equal "${lines[2]}" "$own"
	# the host's /dev/null is another file than the container's
	[ "$(stat -c %d:%i /dev/null)" != "$own" ]
}
