#!/usr/bin/env bats
# --systemd-cgroup where systemd is not PID 1: cgroupsPath in systemd's
# slice:prefix:name form, placed by the cgroupfs driver where systemd would
# put it (--cgroup-manager cgroupfs), and a clear error without that.
# With systemd running, tests/integration/systemd.bats (the systemd VM).

load helpers

setup() {
	setup_bundle
	update_config '.linux.namespaces |= map(select(.type != "cgroup"))'
}

teardown() {
	teardown_bundle
}

@test "systemd cgroup path with --cgroup-manager cgroupfs: slice dirs and a scope, made by husk" {
	requires_husk
	update_config '.linux.cgroupsPath = "husk-test-t1.slice:husk:c1"'
	set_args sh -c 'cat /proc/self/cgroup | grep -c "husk-test.slice/husk-test-t1.slice/husk-c1.scope$"'
	run -0 "$HUSK" --root "$ROOT" --systemd-cgroup --cgroup-manager cgroupfs run --bundle "$BUNDLE" c1
	[ "$output" -ge 1 ]
	# the slices husk made for it went with it
	for h in /sys/fs/cgroup/*/ /sys/fs/cgroup/; do
		[ ! -e "$h/husk-test.slice" ] || fail "$h/husk-test.slice left behind"
	done
}

@test "systemd cgroup path: --cgroup-manager cgroupfs wins in either order" {
	requires_husk
	update_config '.linux.cgroupsPath = "husk-test-t2.slice:husk:c1"'
	set_args sh -c 'grep -c "husk-test-t2.slice/husk-c1.scope$" /proc/self/cgroup'
	run -0 "$HUSK" --root "$ROOT" --cgroup-manager cgroupfs --systemd-cgroup run --bundle "$BUNDLE" c1
	[ "$output" -ge 1 ]
}

@test "systemd cgroup path: a path not of that form is a clear error" {
	requires_husk
	update_config '.linux.cgroupsPath = "a:b:c:d"'
	set_args true
	run ! "$HUSK" --root "$ROOT" --systemd-cgroup --cgroup-manager cgroupfs run --bundle "$BUNDLE" c1
	assert_husk_error 'linux.cgroupsPath' 'slice:prefix:name'
	assert_nothing_left
}

@test "--systemd-cgroup without systemd as PID 1: one line saying so, and what to use instead" {
	requires_husk
	[ ! -e /run/systemd/system ] || skip "systemd runs here (tests/integration/systemd.bats)"
	update_config '.linux.cgroupsPath = "system.slice:husk:c1"'
	set_args true
	run ! "$HUSK" --root "$ROOT" --systemd-cgroup run --bundle "$BUNDLE" c1
	assert_husk_error 'systemd is not running on this host' '--cgroup-manager cgroupfs'
	assert_nothing_left
	for h in /sys/fs/cgroup/*/ /sys/fs/cgroup/; do
		[ ! -e "$h/system.slice/husk-c1.scope" ] || fail "$h/system.slice/husk-c1.scope made"
	done
}
