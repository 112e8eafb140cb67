#!/usr/bin/env bats
# docker (Debian's docker.io) with husk added as a runtime, dockerd started
# by the test with its own data root and socket (contrib/docker/daemon.json).

bats_require_minimum_version 1.5.0
load helpers

IMAGE=husk-busybox:test

setup_file() {
	command -v dockerd >/dev/null && command -v docker >/dev/null ||
		skip "docker is not installed (apt-get install docker.io)"
	K=$BATS_FILE_TMPDIR/docker
	# contrib/docker/daemon.json with this build's path, plus a private
	# data root and socket, and no networking of the host's touched.
	start_dockerd "$K" || return 1
	dk import "$(busybox_tar)" "$IMAGE" >/dev/null
	export K
}

teardown_file() {
	[ -n "${K:-}" ] && [ -f "$K/pid" ] || return 0
	dk rm -f $(dk ps -aq) >/dev/null 2>&1 || true
	stop_pid_file "$K/pid"
	rm -rf "$K" 2>/dev/null || true
}

dk() {
	DOCKER_HOST=unix://$K/docker.sock docker "$@"
}

@test "docker run --runtime husk --rm" {
	run -0 dk run --runtime husk --rm --network none --ulimit nofile=20000:20000 "$IMAGE" \
		sh -c 'echo hello from docker; cat /proc/1/cmdline | tr "\0" " "'
	assert_line 'hello from docker'
	assert_line --partial 'sh -c echo hello'
}

@test "docker run: the exit code is the container's" {
	run -5 dk run --runtime husk --rm --network none --ulimit nofile=20000:20000 "$IMAGE" sh -c 'exit 5'
}

@test "docker exec into a husk container" {
	run -0 dk run -d --name ex --runtime husk --network none --ulimit nofile=20000:20000 "$IMAGE" sleep 300
	run -0 dk exec ex sh -c 'echo exec ok; id -u'
	assert_line 'exec ok'
	assert_line 0
	run -0 dk inspect --format '{{.HostConfig.Runtime}}' ex
	assert_output husk
	dk rm -f ex
}
