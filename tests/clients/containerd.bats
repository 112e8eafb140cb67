#!/usr/bin/env bats
# containerd (ctr) with husk as the runc binary of the runc-v2 shim, and the
# runtime-handler config a Kubernetes node would use.

bats_require_minimum_version 1.5.0
load helpers

IMAGE=docker.io/library/husk-busybox:test

setup_file() {
	command -v containerd >/dev/null && command -v ctr >/dev/null ||
		skip "containerd is not installed (apt-get install containerd)"
	D=$BATS_FILE_TMPDIR/containerd
	# husk as a runc-v2 handler too, as in contrib/containerd/config.toml,
	# with this build's path.
	start_containerd "$D" || return 1
	oci_image "$(busybox_tar)" "$D/image.tar" "$IMAGE"
	c image import "$D/image.tar" >/dev/null
	export D
}

teardown_file() {
	[ -n "${D:-}" ] || return 0
	stop_containerd "$D"
	rm -rf "$D" 2>/dev/null || true
}

c() {
	ctr -a "$D/containerd.sock" -n husk-test "$@"
}

@test "ctr run --runc-binary husk" {
	run -0 c run --rm --runc-binary "$HUSK" "$IMAGE" r1 sh -c 'echo hello from ctr; cat /proc/1/cmdline | tr "\0" " "'
	assert_line 'hello from ctr'
	assert_line --partial 'sh -c echo hello'
}

@test "ctr run: the exit code is the container's" {
	run -4 c run --rm --runc-binary "$HUSK" "$IMAGE" r2 sh -c 'exit 4'
}

@test "ctr task exec, pause, resume, metrics, kill" {
	run -0 c run -d --runc-binary "$HUSK" "$IMAGE" r3 sleep 300
	run -0 c task exec --exec-id e1 r3 sh -c 'echo exec ok; ls /proc | grep -c "^[0-9]"'
	assert_line 'exec ok'
	run -0 c task pause r3
	run -0 c task ls
	assert_line --regexp '^r3 +[0-9]+ +PAUSED'
	run -0 c task resume r3
	run -0 c task ls
	assert_line --regexp '^r3 +[0-9]+ +RUNNING'
	run -0 c task metrics r3
	assert_output --partial 'memory'
	run -0 c task kill -s KILL r3
	for _ in $(seq 50); do c task ls | grep -q 'r3 .*STOPPED' && break; sleep 0.1; done
	run -0 c task ls
	assert_line --regexp '^r3 +[0-9]+ +STOPPED'
	run -0 c task rm r3
	run -0 c container rm r3
}

@test "the runtime handler config (BinaryName) is what containerd runs" {
	run -0 containerd --config "$D/config.toml" config dump
	assert_output --partial "BinaryName = \"$HUSK\""
	# The handler a RuntimeClass names; ctr reaches it by its runtime type
	# and options, which is what the CRI plugin passes to the shim.
	run -0 c run --rm --runtime io.containerd.runc.v2 --runc-binary "$HUSK" "$IMAGE" r4 true
}
