#!/usr/bin/env bats
# --systemd-cgroup: cgroupsPath in systemd's slice:prefix:name form.

load helpers

setup() {
	setup_bundle
	update_config '.linux.namespaces |= map(select(.type != "cgroup"))'
}

teardown() {
	teardown_bundle
}

@test "systemd cgroup path: slice:prefix:name becomes slice dirs and a scope" {
	requires_husk
	update_config '.linux.cgroupsPath = "husk-test-t1.slice:husk:c1"'
	set_args sh -c 'cat /proc/self/cgroup | grep -c "husk-test.slice/husk-test-t1.slice/husk-c1.scope$"'
	run -0 "$HUSK" --root "$ROOT" --systemd-cgroup run --bundle "$BUNDLE" c1
	[ "$output" -ge 1 ]
	# the slices husk made for it went with it
	for h in /sys/fs/cgroup/*/ /sys/fs/cgroup/; do
		[ ! -e "$h/husk.slice" ] || fail "$h/husk.slice left behind"
	done
}

@test "systemd cgroup path: a path not of that form is a clear error" {
	requires_husk
	update_config '.linux.cgroupsPath = "a:b:c:d"'
	set_args true
	run ! "$HUSK" --root "$ROOT" --systemd-cgroup run --bundle "$BUNDLE" c1
	assert_husk_error 'linux.cgroupsPath' 'slice:prefix:name'
	assert_nothing_left
}
