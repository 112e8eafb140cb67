#!/usr/bin/env bats
# kill: signal names and numbers, --all, --regex, and what cannot be killed.

load helpers

setup() {
	setup_bundle
}

teardown() {
	teardown_bundle
}

# start_sleeper ID: a running container whose init is "sleep 300"; prints
# its pid.
start_sleeper() {
	set_args sleep 300
	husk_bg run -d --bundle "$BUNDLE" "$1" >&2 || return 1
	container_pid "$1"
}

kill_with() {
	local sig=$1 pid
	pid=$(start_sleeper c1)
	assert_dir_exists "/proc/$pid"
	run -0 husk kill c1 "$sig"
	wait_for_status c1 stopped
	wait_for_exit "$pid"
	run -0 husk delete c1
	assert_nothing_left
}

@test "kill c1 KILL" {
	kill_with KILL
}

@test "kill c1 SIGKILL" {
	kill_with SIGKILL
}

@test "kill c1 9" {
	kill_with 9
}

@test "kill without a signal sends SIGTERM" {
	set_args sh -c 'trap "exit 0" TERM; while :; do sleep 0.05; done'
	run -0 husk_bg run -d --bundle "$BUNDLE" c1
	pid=$(container_pid c1)
	run -0 husk kill c1
	wait_for_status c1 stopped
	wait_for_exit "$pid"
}

@test "kill delivers the named or numbered signal to the init" {
	update_config '.root.readonly = false'
	set_args sh -c 'trap "echo USR1 >>/tmp/got" USR1
		trap "echo HUP >>/tmp/got" HUP
		trap "echo USR2 >>/tmp/got" USR2
		trap "echo TERM >>/tmp/got; exit 0" TERM
		echo ready >/tmp/got
		while :; do sleep 0.05; done'
	run -0 husk_bg run -d --bundle "$BUNDLE" c1
	pid=$(container_pid c1)
	got=$BUNDLE/rootfs/tmp/got
	for _ in $(seq 100); do
		[ -s "$got" ] && break
		sleep 0.05
	done

	# one at a time: the shell runs a trap once per pending signal
	expect=ready
	for sig in USR1 SIGHUP 12 SIGTERM; do
		run -0 husk kill c1 "$sig"
		case $sig in
		12) name=USR2 ;;
		*) name=${sig#SIG} ;;
		esac
		expect+=$'\n'$name
		for _ in $(seq 100); do
			[ "$(cat "$got")" = "$expect" ] && break
			sleep 0.05
		done
		run cat "$got"
		assert_output "$expect"
	done
	wait_for_status c1 stopped
	wait_for_exit "$pid"
}

@test "kill with an unknown signal fails and the container keeps running" {
	pid=$(start_sleeper c1)
	run ! husk kill c1 NOSUCHSIGNAL
	run ! husk kill c1 SIGNOPE
	run -0 state_field c1 status
	assert_output running
	assert_dir_exists "/proc/$pid"
}

@test "kill --all reaches every process in the container" {
	# As pid 1, sh ignores a SIGTERM it has no trap for; its two children
	# do not.  Only --all gets the children, and then sh's wait returns.
	set_args sh -c 'sleep 300 & sleep 300 & wait'
	run -0 husk_bg run -d --bundle "$BUNDLE" c1
	pid=$(container_pid c1)
	children=
	for _ in $(seq 100); do
		children=$(cat /proc/"$pid"/task/*/children 2>/dev/null)
		[ "$(wc -w <<<"$children")" -eq 2 ] && break
		sleep 0.05
	done
	[ "$(wc -w <<<"$children")" -eq 2 ]
	for c in $children; do echo "$c" >>"$BATS_TEST_TMPDIR/pids"; done

	run -0 husk kill --all c1 TERM
	for c in $children; do
		wait_for_exit "$c"
	done
	wait_for_status c1 stopped
	wait_for_exit "$pid"
	run -0 husk delete c1
	assert_nothing_left
}

@test "kill -a is --all" {
	set_args sh -c 'sleep 300 & wait'
	run -0 husk_bg run -d --bundle "$BUNDLE" c1
	pid=$(container_pid c1)
	run -0 husk kill -a c1 KILL
	wait_for_status c1 stopped
	wait_for_exit "$pid"
}

@test "kill of a created container stops it" {
	set_args sleep 300
	run -0 husk_bg create --bundle "$BUNDLE" c1
	pid=$(container_pid c1)
	run -0 husk kill c1 KILL
	wait_for_status c1 stopped
	wait_for_exit "$pid"
	run -0 husk delete c1
	assert_nothing_left
}

@test "kill of a stopped container fails" {
	set_args true
	run -0 husk_bg run -d --bundle "$BUNDLE" c1
	wait_for_status c1 stopped
	run ! husk kill c1 KILL
	run ! husk kill c1 TERM
	run -0 state_field c1 status
	assert_output stopped
}

@test "kill of an unknown container fails" {
	run ! husk kill nosuchcontainer KILL
	assert_no_state
}

# --- --regex (crun) ----------------------------------------------------------

# sleepers ID...: running containers whose init is "sleep 300".
sleepers() {
	local id
	for id in "$@"; do
		start_sleeper "$id" >/dev/null || return 1
	done
}

@test "kill --regex: every container whose id matches, anywhere in the id, gets the signal" {
	sleepers web-1 web-2 db
	p1=$(container_pid web-1)
	p2=$(container_pid web-2)
	p3=$(container_pid db)
	run -0 husk kill --regex 'eb-' KILL
	wait_for_status web-1 stopped
	wait_for_status web-2 stopped
	wait_for_exit "$p1"
	wait_for_exit "$p2"
	run -0 state_field db status
	assert_output running
	assert_dir_exists "/proc/$p3"
}

@test "kill -r: ^...$ is the whole id; no match is not an error" {
	sleepers web-1 web-10 db
	p10=$(container_pid web-10)
	run -0 husk kill -r '^web-1$' KILL
	wait_for_status web-1 stopped
	run -0 husk kill -r 'nomatch' KILL
	assert_output ''
	for id in web-10 db; do
		run -0 state_field "$id" status
		assert_output running
	done
	assert_dir_exists "/proc/$p10"
}

@test "kill --regex: one that cannot be signalled is reported, the others still are, exit 1" {
	set_args true
	run -0 husk_bg run -d --bundle "$BUNDLE" web-1
	wait_for_status web-1 stopped
	sleepers web-2 db
	run -1 husk kill --regex web KILL
	if is_husk; then
		assert_husk_error 'web-1' 'not running'
	fi
	wait_for_status web-2 stopped
	run -0 state_field db status
	assert_output running
}

@test "kill --all --regex: --all applies to each matching container" {
	# As pid 1, sh ignores SIGTERM; only --all reaches its children, and
	# then its wait returns and the container stops.
	set_args sh -c 'sleep 300 & sleep 300 & wait'
	for id in web-1 web-2 db; do
		run -0 husk_bg run -d --bundle "$BUNDLE" "$id"
		container_pid "$id" >/dev/null
	done
	run -0 husk kill --all --regex '^web' TERM
	wait_for_status web-1 stopped
	wait_for_status web-2 stopped
	run -0 state_field db status
	assert_output running
}

@test "kill --regex: an invalid regular expression is an error, nothing is signalled" {
	sleepers web-1
	run -1 husk kill --regex 'web-(' KILL
	if is_husk; then
		assert_husk_error '--regex "web-("' 'invalid regular expression'
	fi
	run -0 state_field web-1 status
	assert_output running
}
