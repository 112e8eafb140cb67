#!/usr/bin/env bats
# Rootless podman with husk as its runtime: an unprivileged user's podman
# starts husk inside its own user namespace, where husk is uid 0 without
# being root, has no cgroup it may write (cgroup v1, or v2 without
# delegation) and may not mknod.

bats_require_minimum_version 1.5.0
load helpers

RL_USER=husk-rootless
IMAGE=localhost/husk-busybox:rootless

setup_file() {
	[ "$(id -u)" = 0 ] || skip "needs root to make the unprivileged test user"
	command -v podman >/dev/null || skip "podman is not installed (apt-get install podman)"
	command -v newuidmap >/dev/null || skip "newuidmap is not installed (apt-get install uidmap)"
	if ! id "$RL_USER" >/dev/null 2>&1; then
		useradd -m -s /bin/sh "$RL_USER"
	fi
	grep -q "^$RL_USER:" /etc/subuid 2>/dev/null || echo "$RL_USER:300000:65536" >>/etc/subuid
	grep -q "^$RL_USER:" /etc/subgid 2>/dev/null || echo "$RL_USER:300000:65536" >>/etc/subgid
	# Everything podman keeps is the user's and under this one directory.
	PM_DIR=$(mktemp -d /tmp/husk-podman-rootless.XXXXXX)
	mkdir -p "$PM_DIR/home" "$PM_DIR/xdg"
	chmod 700 "$PM_DIR/xdg"
	cp "$(busybox_tar)" "$PM_DIR/busybox.tar"
	chown -R "$RL_USER:" "$PM_DIR"
	chmod 755 "$PM_DIR"
	export PM_DIR
	pmr image import "$PM_DIR/busybox.tar" "$IMAGE" >/dev/null
}

teardown_file() {
	[ -n "${PM_DIR:-}" ] || return 0
	pmr rm -af -t 0 >/dev/null 2>&1 || true
	# podman keeps its user namespace open with a pause process of its own.
	local pause
	for pause in "$PM_DIR"/xdg/libpod/tmp/pause.pid "$PM_DIR"/run/libpod/tmp/pause.pid; do
		[ -f "$pause" ] && kill -9 "$(cat "$pause")" 2>/dev/null
	done
	rm -rf "$PM_DIR"
}

# pmr ARGS...: the test user's podman, husk as the runtime.
pmr() {
	runuser -u "$RL_USER" -- env HOME="$PM_DIR/home" XDG_RUNTIME_DIR="$PM_DIR/xdg" \
		podman --root "$PM_DIR/storage" --runroot "$PM_DIR/run" --storage-driver vfs \
		--runtime "$HUSK" --cgroup-manager cgroupfs --events-backend file "$@"
}

@test "rootless podman run --rm: root inside is the user outside" {
	local uid
	uid=$(id -u "$RL_USER")
	run -0 pmr run --rm --network none "$IMAGE" sh -c 'id -u; head -1 /proc/self/uid_map'
	assert_line --index 0 0
	assert_line --index 1 --regexp "^ +0 +$uid +1$"
}

@test "rootless podman: the exit code is the container's; the runtime's state is under XDG_RUNTIME_DIR" {
	run -7 pmr run --rm --network none "$IMAGE" sh -c 'exit 7'
	run -0 pmr run -d --name st --network none "$IMAGE" sleep 300
	local id=$output
	# husk is uid 0 in podman's user namespace, and not root: like runc, it
	# keeps its state in the user's runtime directory, not in /run.
	assert [ -f "$PM_DIR/xdg/husk/$id/state.json" ]
	assert [ ! -e "/run/husk/$id" ]
	run -0 pmr rm -f -t 0 st
	assert [ ! -e "$PM_DIR/xdg/husk/$id" ]
}

@test "rootless podman run -d, logs, exec, stop, rm" {
	run -0 pmr run -d --name bg --network none "$IMAGE" sh -c 'echo started; trap "exit 0" TERM; while :; do sleep 0.1; done'
	# Only the ID: no warning about the cgroup husk could not make.
	assert_output --regexp '^[0-9a-f]{64}$'
	sleep 0.5
	run -0 pmr logs bg
	assert_output started
	run -0 pmr exec bg sh -c 'echo from exec; id -u'
	assert_output $'from exec\n0'
	run -0 pmr stop -t 5 bg
	run -0 pmr inspect --format '{{.State.Status}} {{.State.ExitCode}}' bg
	assert_output 'exited 0'
	run -0 pmr rm bg
}

@test "rootless podman --userns keep-id: a user namespace inside podman's keeps the user's id" {
	local uid
	uid=$(id -u "$RL_USER")
	run -0 pmr run --rm --network none --userns keep-id "$IMAGE" id -u
	assert_output "$uid"
}

@test "rootless podman --read-only and --cap-drop all" {
	run -1 pmr run --rm --network none --read-only --cap-drop all "$IMAGE" \
		sh -c 'grep CapEff /proc/self/status; touch /x'
	assert_line --partial 'CapEff:	0000000000000000'
	assert_line --partial 'Read-only file system'
}

@test "rootless podman: /dev/null and /dev/zero work (bound from the host, no mknod)" {
	run -0 pmr run --rm --network none "$IMAGE" sh -c 'echo gone >/dev/null && head -c 3 /dev/zero | od -An -tx1'
	assert_output ' 00 00 00'
}
