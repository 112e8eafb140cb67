#!/usr/bin/env bats
# Terminals (console socket, the foreground pty), the pidfd socket, socket
# activation and sd_notify.

load helpers

setup() {
	setup_bundle
	SOCKETS=${HUSK_TEST_SOCKETS:-$BATS_TEST_DIRNAME/../helpers/test-sockets}
	[ -x "$SOCKETS" ] || skip "tests/helpers/test-sockets is not built (make check builds it)"
}

teardown() {
	[ -n "${LISTENER:-}" ] && kill "$LISTENER" 2>/dev/null
	teardown_bundle
}

# listen MODE: start the helper on $BATS_TEST_TMPDIR/sock, its stdin from
# $BATS_TEST_TMPDIR/in (default empty), its stdout in $BATS_TEST_TMPDIR/out.
listen() {
	SOCK=$BATS_TEST_TMPDIR/sock
	[ -e "$BATS_TEST_TMPDIR/in" ] || : >"$BATS_TEST_TMPDIR/in"
	"$SOCKETS" "$1" "$SOCK" <"$BATS_TEST_TMPDIR/in" >"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err" &
	LISTENER=$!
	for _ in $(seq 100); do [ -S "$SOCK" ] && return 0; sleep 0.05; done
	return 1
}

wait_listener() {
	for _ in $(seq 200); do kill -0 "$LISTENER" 2>/dev/null || return 0; sleep 0.05; done
	return 1
}

@test "console socket: the process gets a pty from the container's devpts, consoleSize applies" {
	update_config '.process.terminal = true | .process.consoleSize = {"height": 33, "width": 101}'
	set_args sh -c 'tty; stty size; ls /dev/console'
	listen recvtty
	run -0 husk_bg create --console-socket "$SOCK" --bundle "$BUNDLE" c1
	run -0 husk start c1
	wait_listener
	run -0 tr -d '\r' <"$BATS_TEST_TMPDIR/out"
	assert_line --index 0 /dev/pts/0
	assert_line --index 1 '33 101'
	assert_line --index 2 /dev/console
}

@test "console socket: what is typed reaches the container" {
	update_config '.process.terminal = true'
	set_args sh -c 'read line; echo "got: $line"'
	echo 'hello husk' >"$BATS_TEST_TMPDIR/in"
	listen recvtty
	run -0 husk_bg create --console-socket "$SOCK" --bundle "$BUNDLE" c1
	run -0 husk start c1
	wait_listener
	run -0 tr -d '\r' <"$BATS_TEST_TMPDIR/out"
	assert_output --partial 'got: hello husk'
}

@test "console socket that is not a socket: a clear error, nothing left" {
	update_config '.process.terminal = true'
	set_args true
	: >"$BATS_TEST_TMPDIR/plainfile"
	run ! husk create --console-socket "$BATS_TEST_TMPDIR/plainfile" --bundle "$BUNDLE" c1
	if is_husk; then
		assert_husk_error '--console-socket' 'not a unix socket'
	fi
	assert_nothing_left
}

@test "terminal: true without --console-socket in create is a clear error" {
	requires_husk
	update_config '.process.terminal = true'
	set_args true
	run ! husk create --bundle "$BUNDLE" c1
	assert_husk_error 'process.terminal' '--console-socket'
	assert_nothing_left
}

@test "run in the foreground proxies the terminal (under script)" {
	command -v script >/dev/null || skip "script (util-linux) is not installed"
	update_config '.process.terminal = true'
	set_args sh -c 'tty; exit 5'
	run script -qec "$HUSK --root $ROOT run --bundle $BUNDLE c1" /dev/null
	assert_equal "$status" 5
	assert_output --partial /dev/pts/0
}

@test "exec -t in the foreground gets a tty (under script)" {
	command -v script >/dev/null || skip "script (util-linux) is not installed"
	set_args sleep 300
	run -0 husk_bg run -d --bundle "$BUNDLE" c1
	run script -qec "$HUSK --root $ROOT exec -t c1 sh -c 'tty; exit 6'" /dev/null
	assert_equal "$status" 6
	assert_output --regexp '/dev/pts/[0-9]+'
}

@test "LISTEN_FDS: activation fds reach the process, which is told LISTEN_PID=1" {
	set_args sh -c 'echo $LISTEN_FDS $LISTEN_PID; ls /proc/self/fd; cat <&3'
	echo activation-data >"$BATS_TEST_TMPDIR/fd3"
	run -0 env LISTEN_FDS=1 "$HUSK" --root "$ROOT" run --bundle "$BUNDLE" c1 3<"$BATS_TEST_TMPDIR/fd3"
	assert_line --index 0 '1 1'
	assert_line activation-data
	assert_line 3
}

@test "NOTIFY_SOCKET: the container's READY=1 reaches the caller's socket" {
	# The helper is static: it runs in the busybox rootfs as it is.
	cp "$SOCKETS" "$BUNDLE/rootfs/bin/test-sockets"
	set_args sh -c 'test-sockets send "$NOTIFY_SOCKET" READY=1'
	listen notify
	run -0 env NOTIFY_SOCKET="$SOCK" "$HUSK" --root "$ROOT" run --bundle "$BUNDLE" c1
	wait_listener
	run -0 cat "$BATS_TEST_TMPDIR/out"
	assert_line READY=1
}

# --- --pidfd-socket (runc) ---------------------------------------------------

# The helper prints the message's data and the pid of the pidfd it carried
# (the "Pid:" of its fdinfo): "standard PID" for an init, "setns PID" for an
# exec'd process.

@test "create --pidfd-socket: a pidfd of the container's init arrives, with data \"standard\"" {
	set_args sleep 300
	listen recvpidfd
	run -0 husk_bg create --pidfd-socket "$SOCK" --bundle "$BUNDLE" c1
	wait_listener
	pid=$(container_pid c1)
	run -0 cat "$BATS_TEST_TMPDIR/out"
	assert_output "standard $pid"
}

@test "run -d --pidfd-socket: a pidfd of the container's init arrives" {
	set_args sleep 300
	listen recvpidfd
	run -0 husk_bg run -d --pidfd-socket "$SOCK" --bundle "$BUNDLE" c1
	wait_listener
	pid=$(container_pid c1)
	run -0 cat "$BATS_TEST_TMPDIR/out"
	assert_output "standard $pid"
}

@test "exec --pidfd-socket: a pidfd of the exec'd process arrives, with data \"setns\"" {
	set_args sleep 300
	run -0 husk_bg run -d --bundle "$BUNDLE" c1
	init=$(container_pid c1)
	listen recvpidfd
	run -0 husk_bg exec -d --pidfd-socket "$SOCK" --pid-file "$BATS_TEST_TMPDIR/exec.pid" c1 sleep 300
	wait_listener
	epid=$(cat "$BATS_TEST_TMPDIR/exec.pid")
	echo "$epid" >>"$BATS_TEST_TMPDIR/pids"
	[ "$epid" != "$init" ]
	run -0 cat "$BATS_TEST_TMPDIR/out"
	assert_output "setns $epid"
}

@test "--pidfd-socket that cannot be connected to: create and exec fail, nothing is left or run" {
	set_args sleep 300
	run ! husk create --pidfd-socket "$BATS_TEST_TMPDIR/nosock" --bundle "$BUNDLE" c1
	if is_husk; then
		assert_husk_error '--pidfd-socket' "$BATS_TEST_TMPDIR/nosock"
	fi
	assert_nothing_left
	run -0 husk_bg run -d --bundle "$BUNDLE" c2
	: >"$BATS_TEST_TMPDIR/plainfile"
	run -255 husk exec --pidfd-socket "$BATS_TEST_TMPDIR/plainfile" c2 true
	if is_husk; then
		assert_husk_error '--pidfd-socket' 'not a unix socket'
	fi
	# Only the container's init is in it.
	run -0 husk ps --format json c2
	assert_equal "$(jq length <<<"$output")" 1
}
