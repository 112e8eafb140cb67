#!/usr/bin/env bats
# podman with husk as its runtime (--runtime), as podman users run it.

bats_require_minimum_version 1.5.0
load helpers

# This host's limits: podman's default ulimits ask for more than the hard
# limit, which no runtime can raise without CAP_SYS_RESOURCE.
ULIMITS="--ulimit nofile=20000:20000 --ulimit nproc=32768:32768"
IMAGE=localhost/husk-busybox:test

setup_file() {
	command -v podman >/dev/null || skip "podman is not installed (apt-get install podman)"
	export PODMAN_ROOT=$BATS_FILE_TMPDIR/storage PODMAN_RUNROOT=$BATS_FILE_TMPDIR/run
	pm image import "$(busybox_tar)" "$IMAGE" >/dev/null
}

teardown_file() {
	command -v podman >/dev/null || return 0
	pm rm -af -t 0 >/dev/null 2>&1 || true
	pm rmi -af >/dev/null 2>&1 || true
	rm -rf "$PODMAN_ROOT" "$PODMAN_RUNROOT" 2>/dev/null || true
}

# pm ARGS...: podman with its own storage, husk as the runtime, no systemd.
pm() {
	podman --root "$PODMAN_ROOT" --runroot "$PODMAN_RUNROOT" --runtime "$HUSK" \
		--cgroup-manager cgroupfs --events-backend file "$@"
}

@test "podman run --rm" {
	run -0 pm run --rm $ULIMITS "$IMAGE" sh -c 'echo hello; cat /proc/1/cmdline | tr "\0" " "'
	assert_line hello
	assert_line --partial 'sh -c echo hello'
}

@test "podman run --rm: the exit code is the container's" {
	run -3 pm run --rm $ULIMITS "$IMAGE" sh -c 'exit 3'
}

@test "podman run -d, logs, exec, stop, rm" {
	run -0 pm run -d --name bg $ULIMITS "$IMAGE" sh -c 'echo started; trap "exit 0" TERM; while :; do sleep 0.1; done'
	sleep 0.5
	run -0 pm logs bg
	assert_output started
	run -0 pm exec bg sh -c 'echo from exec; id -u'
	assert_line 'from exec'
	assert_line 0
	run -0 pm stop -t 5 bg
	run -0 pm inspect --format '{{.State.Status}}' bg
	assert_output exited
	run -0 pm rm bg
}

@test "podman exec -it gets a terminal" {
	command -v script >/dev/null || skip "script (util-linux) is not installed"
	run -0 pm run -d --name tty $ULIMITS "$IMAGE" sleep 300
	run -0 script -qec "podman --root $PODMAN_ROOT --runroot $PODMAN_RUNROOT --runtime $HUSK --cgroup-manager cgroupfs --events-backend file exec -it tty tty" /dev/null
	assert_output --regexp '/dev/pts/[0-9]+'
	pm rm -f -t 0 tty
}

@test "podman pause and unpause" {
	run -0 pm run -d --name p $ULIMITS "$IMAGE" sleep 300
	run -0 pm pause p
	run -0 pm inspect --format '{{.State.Status}}' p
	assert_output paused
	run -0 pm unpause p
	run -0 pm inspect --format '{{.State.Status}}' p
	assert_output running
	pm rm -f -t 0 p
}

@test "podman stats --no-stream" {
	run -0 pm run -d --name s --memory 64m $ULIMITS "$IMAGE" sleep 300
	run -0 pm stats --no-stream --format '{{.MemLimit}}' s
	assert_output --regexp '^(67108864|67.11MB)$'
	pm rm -f -t 0 s
}

@test "podman --memory, --pids-limit and --cpus show inside" {
	run -0 pm run --rm --memory 64m --pids-limit 42 --cpus 0.5 $ULIMITS "$IMAGE" sh -c '
		if [ -f /sys/fs/cgroup/memory.max ]; then
			cat /sys/fs/cgroup/memory.max /sys/fs/cgroup/pids.max /sys/fs/cgroup/cpu.max
		else
			cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/pids/pids.max /sys/fs/cgroup/cpu/cpu.cfs_quota_us
		fi'
	assert_line --index 0 67108864
	assert_line --index 1 42
	assert_line --index 2 --regexp '^(50000|50000 100000)$'
}

@test "podman --read-only" {
	run -1 pm run --rm --read-only $ULIMITS "$IMAGE" touch /bin/x
	assert_output --partial 'Read-only file system'
}

@test "podman --cap-drop" {
	run -0 pm run --rm --cap-drop all --cap-add NET_BIND_SERVICE $ULIMITS "$IMAGE" grep CapEff /proc/self/status
	assert_output 'CapEff:	0000000000000400'
}

@test "podman --security-opt seccomp=profile" {
	cat >"$BATS_TEST_TMPDIR/seccomp.json" <<-'JSON'
		{"defaultAction": "SCMP_ACT_ALLOW",
		 "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO"}]}
	JSON
	run -1 pm run --rm --security-opt seccomp="$BATS_TEST_TMPDIR/seccomp.json" $ULIMITS "$IMAGE" mkdir /tmp/x
	assert_output --partial 'Operation not permitted'
}

@test "podman --uidmap: a user namespace" {
	run -0 pm run --rm --uidmap 0:200000:65536 --gidmap 0:200000:65536 $ULIMITS "$IMAGE" cat /proc/self/uid_map
	assert_output --regexp '^ +0 +200000 +65536$'
}

@test "podman --tmpfs: a tmpfs with the image's content (podman sends tmpcopyup)" {
	run -0 pm run --rm --tmpfs /etc $ULIMITS "$IMAGE" sh -c 'stat -f -c %T /etc; grep ^root: /etc/passwd'
	assert_line --index 0 tmpfs
	assert_line --index 1 --partial 'root:x:0:0:'
	# notmpcopyup: an empty one (but for what podman binds in)
	run -1 pm run --rm --tmpfs /etc:notmpcopyup $ULIMITS "$IMAGE" cat /etc/passwd
	assert_output --partial 'No such file or directory'
}

@test "podman --group-add keep-groups: the caller's supplementary groups (run.oci.keep_original_groups)" {
	run -0 setpriv --groups 4242,4343 podman --root "$PODMAN_ROOT" --runroot "$PODMAN_RUNROOT" \
		--runtime "$HUSK" --cgroup-manager cgroupfs --events-backend file \
		run --rm --group-add keep-groups $ULIMITS "$IMAGE" grep ^Groups: /proc/self/status
	assert_output --regexp '^Groups:[[:space:]]+4242 4343[[:space:]]*$'
	run -0 setpriv --groups 4242,4343 podman --root "$PODMAN_ROOT" --runroot "$PODMAN_RUNROOT" \
		--runtime "$HUSK" --cgroup-manager cgroupfs --events-backend file \
		run --rm $ULIMITS "$IMAGE" grep ^Groups: /proc/self/status
	refute_output --partial 4242
}

@test "podman's own config.json, with linux.netDevices added, moves a veth end in" {
	# podman (4.3) has no flag for netDevices: its generated config is taken
	# as it is (from "podman init") and given one, in a bundle of its own.
	local h0=hpv0-$$ h1=hpv1-$$ bundle=$BATS_TEST_TMPDIR/bundle root=$BATS_TEST_TMPDIR/root
	ip link add "$h0" type veth peer name "$h1"
	ip addr add 10.250.78.2/24 dev "$h1"
	ip link set "$h0" up
	run -0 pm create --name nd --network none $ULIMITS "$IMAGE" sh -c 'cat /sys/class/net/pod0/operstate; ip -o -4 addr show dev pod0'
	run -0 pm init nd
	id=$(pm inspect --format '{{.Id}}' nd)
	mkdir -p "$bundle"
	# its own cgroup: podman's container holds the one its config names
	jq --arg dev "$h1" '.linux.netDevices = {($dev): {"name": "pod0"}} | .linux.cgroupsPath = "/husk-podman-netdev"' \
		"$PODMAN_ROOT/overlay-containers/$id/userdata/config.json" >"$bundle/config.json"
	run "$HUSK" --root "$root" run --bundle "$bundle" nd-copy
	local status_was=$status out=$output
	pm rm -f -t 0 nd >/dev/null 2>&1
	ip link del "$h0" 2>/dev/null || true
	[ "$status_was" = 0 ] || fail "husk run: $out"
	output=$out
	assert_line --index 0 up
	assert_line --partial 'inet 10.250.78.2/24'
}

@test "contrib/podman/containers.conf makes husk podman's runtime" {
	sed "s|/usr/local/bin/husk|$HUSK|" "$TOP/contrib/podman/containers.conf" >"$BATS_TEST_TMPDIR/containers.conf"
	export CONTAINERS_CONF=$BATS_TEST_TMPDIR/containers.conf
	run -0 podman --root "$PODMAN_ROOT" --runroot "$PODMAN_RUNROOT" --cgroup-manager cgroupfs \
		--events-backend file info --format '{{.Host.OCIRuntime.Path}}'
	assert_output "$HUSK"
	run -0 podman --root "$PODMAN_ROOT" --runroot "$PODMAN_RUNROOT" --cgroup-manager cgroupfs \
		--events-backend file run --rm $ULIMITS "$IMAGE" echo via containers.conf
	assert_output 'via containers.conf'
}

@test "podman run --sdnotify=container: the container's READY=1 reaches the caller" {
	[ -x "${HUSK_TEST_SOCKETS:-}" ] || skip "tests/helpers/test-sockets is not built (make check builds it)"
	sock=$BATS_TEST_TMPDIR/notify.sock
	"$HUSK_TEST_SOCKETS" notify "$sock" >"$BATS_TEST_TMPDIR/notify.out" 2>/dev/null &
	listener=$!
	for _ in $(seq 100); do [ -S "$sock" ] && break; sleep 0.05; done
	run -0 env NOTIFY_SOCKET="$sock" podman --root "$PODMAN_ROOT" --runroot "$PODMAN_RUNROOT" \
		--runtime "$HUSK" --cgroup-manager cgroupfs --events-backend file \
		run --rm --sdnotify=container $ULIMITS "$IMAGE" sh -c 'test-sockets send "$NOTIFY_SOCKET" READY=1'
	for _ in $(seq 100); do kill -0 "$listener" 2>/dev/null || break; sleep 0.05; done
	kill "$listener" 2>/dev/null || true
	run -0 cat "$BATS_TEST_TMPDIR/notify.out"
	assert_line READY=1
}
