#!/usr/bin/env bats
# podman container checkpoint / restore with husk as the runtime: podman
# runs `husk checkpoint`, and conmon `husk restore` with its own stdio pipes.
# Needs a host where `criu check` passes (make check runs it in the pure
# cgroup v2 VM; elsewhere it skips, saying why).

bats_require_minimum_version 1.5.0
load helpers

ULIMITS="--ulimit nofile=20000:20000 --ulimit nproc=32768:32768"
IMAGE=localhost/husk-busybox:test

setup_file() {
	export CRIU_UNUSABLE=
	ip link set lo up 2>/dev/null || true
	local out
	if ! command -v podman >/dev/null; then
		CRIU_UNUSABLE="podman is not installed (apt-get install podman)"
	elif ! command -v criu >/dev/null; then
		CRIU_UNUSABLE="criu is not installed (apt-get install criu)"
	elif ! out=$(criu check 2>&1); then
		CRIU_UNUSABLE="criu check fails on this host: $(grep -m1 Error <<<"$out" || tail -n1 <<<"$out")"
	fi
	[ -n "$CRIU_UNUSABLE" ] && return 0
	export PODMAN_ROOT=$BATS_FILE_TMPDIR/storage PODMAN_RUNROOT=$BATS_FILE_TMPDIR/run
	pm image import "$(busybox_tar)" "$IMAGE" >/dev/null
}

teardown_file() {
	[ -z "$CRIU_UNUSABLE" ] || return 0
	pm rm -af -t 0 >/dev/null 2>&1 || true
	pm rmi -af >/dev/null 2>&1 || true
	rm -rf "$PODMAN_ROOT" "$PODMAN_RUNROOT" 2>/dev/null || true
}

setup() {
	[ -z "$CRIU_UNUSABLE" ] || skip "$CRIU_UNUSABLE"
}

pm() {
	podman --root "$PODMAN_ROOT" --runroot "$PODMAN_RUNROOT" --runtime "$HUSK" \
		--cgroup-manager cgroupfs --events-backend file "$@"
}

# A counter that logs to its stdout (conmon's pipe: podman logs reads it).
COUNT='i=0; while :; do i=$((i+1)); echo $i; sleep 0.1; done'

last_count() { pm logs "$1" 2>/dev/null | tail -n1; }

wait_count() { # NAME N
	local n
	for _ in $(seq 300); do
		n=$(last_count "$1") || n=0
		[ "${n:-0}" -ge "$2" ] 2>/dev/null && return 0
		sleep 0.1
	done
	echo "the count of $1 stays at ${n:-nothing}, wanted $2" >&2
	return 1
}

@test "podman container checkpoint and restore: the count goes on" {
	run -0 pm run -d --name cr --network none $ULIMITS "$IMAGE" sh -c "$COUNT"
	wait_count cr 3
	run pm container checkpoint cr
	assert_success
	run -0 pm inspect --format '{{.State.Status}}' cr
	assert_output exited
	n=$(last_count cr)
	run pm container restore cr
	assert_success
	run -0 pm inspect --format '{{.State.Status}}' cr
	assert_output running
	wait_count cr $((n + 5))
	# one count, not restarted from 1: every line is one more than the last
	run -0 sh -c "podman --root $PODMAN_ROOT --runroot $PODMAN_RUNROOT logs cr | awk 'NR != \$1 { bad = 1 } END { exit bad }'"
	run -0 pm exec cr echo exec-ok
	assert_output exec-ok
	run -0 pm rm -f -t 0 cr
}

@test "podman container checkpoint --export, restore --import from the tarball" {
	run -0 pm run -d --name ex --network none $ULIMITS "$IMAGE" sh -c "$COUNT"
	wait_count ex 3
	run pm container checkpoint --export "$BATS_TEST_TMPDIR/ex.tar.gz" ex
	assert_success
	[ -s "$BATS_TEST_TMPDIR/ex.tar.gz" ]
	n=$(last_count ex)
	run -0 pm rm -f -t 0 ex
	run pm container restore --import "$BATS_TEST_TMPDIR/ex.tar.gz"
	assert_success
	run -0 pm inspect --format '{{.State.Status}}' ex
	assert_output running
	wait_count ex $((n + 5))
	run -0 pm rm -f -t 0 ex
}
