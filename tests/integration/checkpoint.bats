#!/usr/bin/env bats
# checkpoint and restore with CRIU. They need a host where `criu check`
# passes: Debian's criu 3.17 does on the pure cgroup v2 VM's 6.1 kernel
# (tests/vm/, where `make check` runs this file), not on every build host.

load helpers

# Once for the file: why CRIU cannot run here, if it cannot.
setup_file() {
	local out
	export CRIU_UNUSABLE=
	# CRIU needs the loopback up (tests/vm/stage2.sh brings it up; a host's is)
	ip link set lo up 2>/dev/null || true
	if ! command -v criu >/dev/null; then
		CRIU_UNUSABLE="criu is not installed (apt-get install criu)"
	elif ! out=$(criu check 2>&1); then
		CRIU_UNUSABLE="criu check fails on this host: $(grep -m1 Error <<<"$out" || tail -n1 <<<"$out")"
	fi
}

setup() {
	[ -z "$CRIU_UNUSABLE" ] || skip "$CRIU_UNUSABLE"
	setup_bundle
	DATA=$BATS_TEST_TMPDIR/data
	IMG=$BATS_TEST_TMPDIR/images
	mkdir -p "$DATA"
	update_config ".mounts += [{\"destination\": \"/data\", \"type\": \"bind\",
		\"source\": \"$DATA\", \"options\": [\"rbind\", \"rw\"]}]
		| .linux.resources.memory.limit = 67108864"
	SOCKETS=${HUSK_TEST_SOCKETS:-$BATS_TEST_DIRNAME/../helpers/test-sockets}
}

teardown() {
	[ -n "${LISTENER:-}" ] && kill "$LISTENER" 2>/dev/null
	teardown_bundle
}

# The counter: a shell that appends 1, 2, 3 ... to /data/log, with a child
# (a sleep) whose pid inside the container it records. Its stdio is the
# container's own /dev/null: CRIU cannot save a file of the host's mounts.
COUNTER='exec </dev/null >/dev/null 2>&1
sleep 100000 & echo $! >/data/child
i=0; while :; do i=$((i+1)); echo $i >>/data/log; sleep 0.1; done'

last_count() { tail -n1 "$DATA/log"; }

# wait_count N: until the log has reached N.
wait_count() {
	local n
	for _ in $(seq 300); do
		n=$(last_count 2>/dev/null) || n=0
		[ "${n:-0}" -ge "$1" ] && return 0
		sleep 0.1
	done
	echo "the count stays at ${n:-nothing}, wanted $1" >&2
	return 1
}

# assert_consecutive: the log counts 1, 2, 3 ... without a gap or a restart.
assert_consecutive() {
	run awk 'NR != $1 { print "line " NR ": " $0; bad = 1 } END { exit bad }' "$DATA/log"
	assert_success
}

cgroup_file() { # PID FILE: a file of the process' cgroup (v2)
	local cg
	cg=$(awk -F: '$1 == "0" { print $3 }' "/proc/$1/cgroup")
	cat "/sys/fs/cgroup$cg/$2"
}

start_counter() {
	set_args sh -c "$COUNTER"
	run -0 husk_bg run -d --bundle "$BUNDLE" c1
	wait_count 3
}

restore_c1() {
	register_id c1
	run husk restore -d --image-path "$IMG" --bundle "$BUNDLE" "$@" c1 </dev/null
	assert_success
}

@test "checkpoint and restore: the count goes on, same pids inside, limits, exec, delete" {
	start_counter
	child=$(cat "$DATA/child")
	run husk checkpoint --image-path "$IMG" c1
	assert_success
	assert_output ''
	[ -f "$IMG/inventory.img" ]
	run -0 state_field c1 status
	assert_output stopped
	at_checkpoint=$(last_count)
	sleep 0.5
	# nothing counts while it is checkpointed
	assert_equal "$(last_count)" "$at_checkpoint"
	run -0 husk delete c1
	restore_c1
	assert_output ''
	run -0 state_field c1 status
	assert_output running
	wait_count $((at_checkpoint + 5))
	assert_consecutive
	# the restored tree has the pids it had inside its namespace
	run -0 husk exec c1 cat "/proc/$child/comm"
	assert_output sleep
	run -0 husk exec c1 cat /data/child
	assert_output "$child"
	pid=$(container_pid c1)
	run -0 cgroup_file "$pid" memory.max
	assert_output 67108864
	run -0 cgroup_file "$pid" cgroup.procs
	assert_line "$pid"
	cg=$(awk -F: '$1 == "0" { print $3 }' "/proc/$pid/cgroup")
	# pause and update treat it as any container
	run -0 husk pause c1
	run -0 state_field c1 status
	assert_output paused
	run -0 husk resume c1
	run -0 husk update --memory 128m c1
	run -0 cgroup_file "$pid" memory.max
	assert_output 134217728
	run -0 husk kill c1 KILL
	wait_for_status c1 stopped
	run -0 husk delete c1
	[ ! -e "/sys/fs/cgroup$cg" ]
	assert_nothing_left
}

@test "checkpoint --leave-running: the container keeps counting; the images restore" {
	start_counter
	before=$(last_count)
	run husk checkpoint --leave-running --image-path "$IMG" c1
	assert_success
	after=$(last_count)
	run -0 state_field c1 status
	assert_output running
	wait_count $((after + 3))
	run -0 husk delete --force c1
	: >"$DATA/log"
	# restore runs createRuntime hooks, as runc, once CRIU made the namespaces
	update_config ".hooks.createRuntime = [{\"path\": \"/bin/sh\",
		\"args\": [\"sh\", \"-c\", \"cat >$DATA/hook-state\"]}]"
	restore_c1
	run -0 state_field c1 status
	assert_output running
	run -0 jq -r '.id + " " + .status' "$DATA/hook-state"
	assert_output 'c1 created'
	# it counts on from where the checkpoint was, not from 1
	wait_count 3
	first=$(head -n1 "$DATA/log")
	[ "$first" -ge $((before + 1)) ] && [ "$first" -le $((after + 1)) ]
	run -0 husk delete --force c1
	assert_nothing_left
}

@test "checkpoint --pre-dump, then a dump with --parent-path: restored from both" {
	start_counter
	run husk checkpoint --pre-dump --image-path "$IMG/pre" c1
	assert_success
	run -0 state_field c1 status
	assert_output running
	ls "$IMG/pre" | grep -q '^pages-'
	n=$(last_count)
	wait_count $((n + 3))
	IMG=$IMG/final
	run husk checkpoint --image-path "$IMG" --parent-path ../pre c1
	assert_success
	run -0 state_field c1 status
	assert_output stopped
	[ -L "$IMG/parent" ]
	at_checkpoint=$(last_count)
	run -0 husk delete c1
	restore_c1
	wait_count $((at_checkpoint + 3))
	assert_consecutive
	run -0 husk delete --force c1
	assert_nothing_left
}

@test "checkpoint --tcp-established: a TCP connection in the container's netns survives" {
	[ -L "$BUNDLE/rootfs/usr/bin/nc" ] || [ -L "$BUNDLE/rootfs/bin/nc" ] || skip "busybox has no nc"
	update_config '.process.capabilities.bounding += ["CAP_NET_ADMIN"]
		| .process.capabilities.effective += ["CAP_NET_ADMIN"]
		| .process.capabilities.permitted += ["CAP_NET_ADMIN"]'
	# a server writes what it receives to /data/log; a client sends it
	# the count over 127.0.0.1, one connection for the whole run
	set_args sh -c 'exec </dev/null >/dev/null 2>&1
		ip link set lo up
		sleep 100000 | nc -l -p 5000 >/data/log &
		sleep 1
		i=0; while :; do i=$((i+1)); echo $i; sleep 0.1; done | nc 127.0.0.1 5000'
	run -0 husk_bg run -d --bundle "$BUNDLE" c1
	wait_count 3
	run husk checkpoint --tcp-established --image-path "$IMG" c1
	assert_success
	at_checkpoint=$(last_count)
	run -0 husk delete c1
	restore_c1 --tcp-established
	wait_count $((at_checkpoint + 5))
	assert_consecutive
	run -0 husk delete --force c1
	assert_nothing_left
}

@test "checkpoint and restore with a terminal: the new pty goes to --console-socket" {
	[ -x "$SOCKETS" ] || skip "tests/helpers/test-sockets is not built (make check builds it)"
	update_config '.process.terminal = true'
	set_args sh -c 'i=0; while :; do i=$((i+1)); echo $i >>/data/log; echo "tick $i"; sleep 0.1; done'
	listen() {
		SOCK=$BATS_TEST_TMPDIR/sock$1
		"$SOCKETS" recvtty "$SOCK" </dev/null >"$BATS_TEST_TMPDIR/out$1" 2>&1 &
		LISTENER=$!
		for _ in $(seq 100); do [ -S "$SOCK" ] && return 0; sleep 0.05; done
		return 1
	}
	listen 1
	run -0 husk_bg run -d --console-socket "$SOCK" --bundle "$BUNDLE" c1
	wait_count 3
	run husk checkpoint --image-path "$IMG" c1
	assert_success
	at_checkpoint=$(last_count)
	run -0 husk delete c1
	kill "$LISTENER" 2>/dev/null || true
	listen 2
	restore_c1 --console-socket "$SOCK"
	wait_count $((at_checkpoint + 5))
	assert_consecutive
	# the restored shell writes to the new terminal
	for _ in $(seq 100); do grep -q "tick $((at_checkpoint + 3))" "$BATS_TEST_TMPDIR/out2" && break; sleep 0.1; done
	run -0 grep -c "tick $((at_checkpoint + 3))" "$BATS_TEST_TMPDIR/out2"
	run -0 husk delete --force c1
	assert_nothing_left
}

@test "restore without a checkpoint, or from a corrupt one: one line, nothing left" {
	requires_husk
	run ! husk restore -d --image-path "$BATS_TEST_TMPDIR/none" --bundle "$BUNDLE" c1
	assert_husk_error '--image-path' 'No such file or directory'
	mkdir -p "$IMG"
	run ! husk restore -d --image-path "$IMG" --bundle "$BUNDLE" c1
	assert_husk_error 'no checkpoint there'
	head -c 4096 /dev/urandom >"$IMG/inventory.img"
	run ! husk restore -d --image-path "$IMG" --bundle "$BUNDLE" c1
	assert_husk_error 'container "c1"' 'criu restore failed' 'restore.log'
	assert_nothing_left
	[ ! -e /sys/fs/cgroup/husk/c1 ]
}

@test "restore into an ID that exists: one line, the container is untouched" {
	requires_husk
	start_counter
	run husk checkpoint --leave-running --image-path "$IMG" c1
	assert_success
	pid=$(container_pid c1)
	run ! husk restore -d --image-path "$IMG" --bundle "$BUNDLE" c1
	assert_husk_error 'c1' 'exists'
	run -0 state_field c1 status
	assert_output running
	assert_equal "$(container_pid c1)" "$pid"
	n=$(last_count)
	wait_count $((n + 2))
}

@test "checkpoint of a created container, or of one that does not exist: one line" {
	requires_husk
	set_args sleep 100
	run -0 husk_bg create --bundle "$BUNDLE" c1
	run ! husk checkpoint --image-path "$IMG" c1
	assert_husk_error 'container "c1"' 'not started'
	[ ! -e "$IMG" ]
	run -0 state_field c1 status
	assert_output created
	run ! husk checkpoint --image-path "$IMG" c2
	assert_husk_error 'container "c2"' 'does not exist'
	run -0 husk delete --force c1
	assert_nothing_left
}
