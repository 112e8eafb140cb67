#!/usr/bin/env bats
# The engines in their systemd modes, with husk as the runtime: podman with
# cgroup_manager systemd, docker with native.cgroupdriver=systemd, and
# containerd's runc-v2 shim with SystemdCgroup. Each calls husk with
# --systemd-cgroup and a slice:prefix:name cgroupsPath; the container must
# be the unit systemd shows, with the limits the engine asked for, and go
# with it. Needs systemd as PID 1: make check runs it in the systemd VM.

bats_require_minimum_version 1.5.0
load helpers

ULIMITS="--ulimit nofile=20000:20000 --ulimit nproc=32768:32768"

setup_file() {
	export S=$BATS_FILE_TMPDIR/engines
	mkdir -p "$S"
}

setup() {
	[ -d /run/systemd/system ] || skip "systemd is not PID 1 here (see tests/vm: HUSK_VM_INIT=systemd)"
}

teardown_file() {
	if [ -n "${PODMAN_ROOT:-}" ]; then
		pm rm -af -t 0 >/dev/null 2>&1 || true
	fi
	if [ -f "$S/docker/pid" ]; then
		dk rm -f $(dk ps -aq) >/dev/null 2>&1 || true
		stop_pid_file "$S/docker/pid"
	fi
	stop_containerd "$S/containerd"
}

unit_prop() {
	systemctl show "$1" -p "$2" --value
}

# assert_unit_gone UNIT: not loaded, not failed.
assert_unit_gone() {
	local n
	for n in $(seq 50); do
		[ -z "$(systemctl list-units --all --no-legend "$1")" ] && break
		sleep 0.1
	done
	run systemctl list-units --all --no-legend "$1"
	assert_output ''
}

# --- podman --------------------------------------------------------------------

pm() {
	podman --root "$PODMAN_ROOT" --runroot "$PODMAN_RUNROOT" --runtime "$HUSK" \
		--cgroup-manager systemd --events-backend file "$@"
}

podman_ready() {
	command -v podman >/dev/null || skip "podman is not installed"
	export PODMAN_ROOT=$S/podman/storage PODMAN_RUNROOT=$S/podman/run
	if [ ! -f "$S/podman/imported" ]; then
		mkdir -p "$S/podman"
		pm image import "$(busybox_tar)" localhost/husk-busybox:test >/dev/null
		touch "$S/podman/imported"
	fi
}

@test "podman (systemd cgroup manager): the container is libpod-ID.scope with its memory and pids limits" {
	podman_ready
	run -0 pm run -d --name sd1 --memory 64m --pids-limit 40 $ULIMITS localhost/husk-busybox:test sleep 300
	id=$(pm inspect --format '{{.Id}}' sd1)
	unit=libpod-$id.scope
	assert_equal "$(unit_prop "$unit" ActiveState)" active
	assert_equal "$(unit_prop "$unit" Delegate)" yes
	assert_equal "$(unit_prop "$unit" MemoryMax)" 67108864
	assert_equal "$(unit_prop "$unit" TasksMax)" 40
	assert_equal "$(unit_prop "$unit" Slice)" machine.slice
	run -0 pm exec sd1 cat /sys/fs/cgroup/memory.max
	assert_output 67108864
	run -0 pm stats --no-stream --format '{{.Name}} {{.PIDs}}' sd1
	assert_output --regexp '^sd1 [0-9]+$'
	run -0 pm pause sd1
	assert_equal "$(pm inspect --format '{{.State.Status}}' sd1)" paused
	run -0 pm unpause sd1
	run -0 pm update --memory 128m sd1
	assert_equal "$(unit_prop "$unit" MemoryMax)" 134217728
	run -0 pm stop -t 1 sd1
	run -0 pm rm sd1
	assert_unit_gone "$unit"
}

@test "podman (systemd cgroup manager): run --rm, the exit code, no unit left" {
	podman_ready
	run -7 pm run --rm --name sd2 $ULIMITS localhost/husk-busybox:test sh -c 'grep -q "libpod-.*scope" /proc/self/cgroup || grep -q "^0::/$" /proc/self/cgroup; exit 7'
	run systemctl list-units --all --no-legend 'libpod-*.scope'
	refute_output --partial 'sd2'
}

# --- docker --------------------------------------------------------------------

dk() {
	DOCKER_HOST=unix://$S/docker/docker.sock docker "$@"
}

docker_ready() {
	command -v dockerd >/dev/null || skip "docker is not installed"
	if [ ! -f "$S/docker/pid" ]; then
		start_dockerd "$S/docker" '. + {"exec-opts": ["native.cgroupdriver=systemd"]}' || return 1
		dk import "$(busybox_tar)" husk-busybox:test >/dev/null
	fi
	run -0 dk info --format '{{.CgroupDriver}}'
	assert_output systemd
}

@test "docker (native.cgroupdriver=systemd): the container is docker-ID.scope with its limit" {
	docker_ready
	# Debian's kernel has AppArmor on, but the host has no apparmor_parser
	# for docker's default profile.
	run -0 dk run -d --name sd3 --runtime husk --network none --memory 64m $ULIMITS \
		--security-opt apparmor=unconfined husk-busybox:test sleep 300
	id=$(dk inspect --format '{{.Id}}' sd3)
	unit=docker-$id.scope
	assert_equal "$(unit_prop "$unit" ActiveState)" active
	assert_equal "$(unit_prop "$unit" Delegate)" yes
	assert_equal "$(unit_prop "$unit" MemoryMax)" 67108864
	run -0 dk exec sd3 sh -c 'echo exec ok'
	assert_output 'exec ok'
	run -0 dk update --memory 96m --memory-swap 192m sd3
	assert_equal "$(unit_prop "$unit" MemoryMax)" 100663296
	run -0 dk rm -f sd3
	assert_unit_gone "$unit"
}

# --- containerd ----------------------------------------------------------------

IMAGE=docker.io/library/husk-busybox:test

c() {
	ctr -a "$S/containerd/containerd.sock" -n husk-test "$@"
}

containerd_ready() {
	command -v containerd >/dev/null || skip "containerd is not installed"
	if [ ! -f "$S/containerd/pid" ]; then
		# contrib's handler with SystemdCgroup on, as on a kubeadm node.
		start_containerd "$S/containerd" true || return 1
		oci_image "$(busybox_tar)" "$S/containerd/image.tar" "$IMAGE"
		c image import "$S/containerd/image.tar" >/dev/null
	fi
}

@test "containerd (runc-v2 shim, systemd cgroup): a pod-shaped cgroupsPath becomes a scope in the pod's slice" {
	containerd_ready
	local pod=kubepods-besteffort-pod$$.slice
	run -0 c run -d --runc-binary "$HUSK" --runc-systemd-cgroup --cgroup "$pod:cri-containerd:sd4" \
		--memory-limit 67108864 "$IMAGE" sd4 sleep 300
	unit=cri-containerd-sd4.scope
	assert_equal "$(unit_prop "$unit" ActiveState)" active
	assert_equal "$(unit_prop "$unit" Slice)" "$pod"
	assert_equal "$(unit_prop "$unit" MemoryMax)" 67108864
	run -0 c task exec --exec-id e1 sd4 sh -c 'echo exec ok'
	assert_output 'exec ok'
	run -0 c task kill -s KILL sd4
	for _ in $(seq 50); do c task ls | grep -q 'sd4 .*STOPPED' && break; sleep 0.1; done
	run -0 c task rm sd4
	run -0 c container rm sd4
	assert_unit_gone "$unit"
	systemctl stop "$pod" || true
}
