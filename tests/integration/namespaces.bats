#!/usr/bin/env bats
# Namespaces: new ones, shared ones, joined ones, and no mount namespace.

load helpers

setup() {
	setup_bundle
}

teardown() {
	teardown_bundle
}

ALL_NS="pid net ipc uts mnt cgroup"

# Print "NAME LINK" for each namespace of the container's process.
print_ns_script='for ns in pid net ipc uts mnt cgroup; do echo "$ns $(readlink /proc/self/ns/$ns)"; done'

@test "every namespace in the config is a new one" {
	update_config '.linux.namespaces |= (map(select(.type != "cgroup")) + [{"type": "cgroup"}])'
	set_args sh -c "$print_ns_script"
	run -0 husk run --bundle "$BUNDLE" c1
	for ns in $ALL_NS; do
		host=$(readlink "/proc/self/ns/$ns")
		assert_line --regexp "^$ns $ns:\[[0-9]+\]\$"
		refute_line "$ns $host"
	done
}

@test "a namespace left out of the config is the host's" {
	update_config '.linux.namespaces |= map(select(.type != "network" and .type != "ipc" and .type != "cgroup"))'
	set_args sh -c "$print_ns_script"
	run -0 husk run --bundle "$BUNDLE" c1
	for ns in net ipc cgroup; do
		assert_line "$ns $(readlink "/proc/self/ns/$ns")"
	done
	for ns in pid uts mnt; do
		refute_line "$ns $(readlink "/proc/self/ns/$ns")"
	done
}

@test "pid namespace: the process is pid 1 and sees only its own processes" {
	set_args sh -c 'echo "pid=$$"; ls -d /proc/[0-9]* | wc -l'
	run -0 husk run --bundle "$BUNDLE" c1
	assert_line --index 0 "pid=1"
	# sh and ls (or the subshell running it)
	[ "${lines[1]}" -le 3 ]
}

@test "network namespace: only a loopback interface" {
	set_args sh -c 'ls /sys/class/net'
	run -0 husk run --bundle "$BUNDLE" c1
	assert_output lo
}

@test "joined namespaces: a second container shares the first's net, uts and ipc" {
	update_config '.hostname = "first-host"'
	set_args sleep 300
	run -0 husk_bg run -d --bundle "$BUNDLE" c1
	pid=$(container_pid c1)

	second=$BATS_TEST_TMPDIR/second
	mkdir -p "$second"
	cp -a "$BUNDLE/rootfs" "$second/rootfs"
	jq --arg pid "$pid" --arg script "$print_ns_script; hostname" '
		del(.hostname)
		| .linux.namespaces = [
			{"type": "pid"}, {"type": "mount"},
			{"type": "network", "path": "/proc/\($pid)/ns/net"},
			{"type": "uts", "path": "/proc/\($pid)/ns/uts"},
			{"type": "ipc", "path": "/proc/\($pid)/ns/ipc"}]
		| .process.args = ["sh", "-c", $script]' \
		"$BUNDLE/config.json" >"$second/config.json"

	run -0 husk run --bundle "$second" c2
	for ns in net uts ipc; do
		assert_line "$ns $(readlink "/proc/$pid/ns/$ns")"
	done
	# pid and mnt are its own
	for ns in pid mnt; do
		refute_line "$ns $(readlink "/proc/$pid/ns/$ns")"
		refute_line "$ns $(readlink "/proc/self/ns/$ns")"
	done
	assert_line --index 6 first-host

	# the first one is unharmed
	run -0 state_field c1 status
	assert_output running
}

@test "joined namespace: a path that is not a namespace fails" {
	update_config '.linux.namespaces |= map(if .type == "network" then .path = "/proc/self/status" else . end)'
	set_args true
	run ! husk run --bundle "$BUNDLE" c1
	assert_nothing_left
}

@test "no mount namespace: runs in the caller's (unshare -m) mount namespace" {
	# Without a mount namespace the runtime mounts in its caller's
	# namespace, so it runs under unshare -m to keep those mounts off the
	# host.  maskedPaths and readonlyPaths need a private mount namespace.
	update_config '.linux.namespaces |= map(select(.type != "mount"))
		| del(.linux.maskedPaths, .linux.readonlyPaths)
		| .hostname = "no-mnt-ns"'
	set_args sh -c 'hostname; readlink /proc/self/ns/mnt; ls /bin/busybox'
	bundle=$(readlink -f "$BUNDLE")
	register_id c1
	run -0 unshare -m --propagation private sh -c '
		readlink /proc/self/ns/mnt
		exec "$1" --root "$2" run --bundle "$3" c1' - "$HUSK" "$ROOT" "$BUNDLE"
	assert_equal "${#lines[@]}" 4
	outer=${lines[0]}
	[ "$outer" != "$(readlink /proc/self/ns/mnt)" ]
	assert_line --index 1 no-mnt-ns
	# the container is in unshare's mount namespace, not a new one
	assert_line --index 2 "$outer"
	assert_line --index 3 /bin/busybox
	# nothing of it is mounted on the host
	run grep -F "$bundle" /proc/self/mountinfo
	assert_output ""
	assert_nothing_left
}
