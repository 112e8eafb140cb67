#!/usr/bin/env bats
# exec: a new process in a running container's namespaces and cgroup.

load helpers

setup() {
	setup_bundle
}

teardown() {
	teardown_bundle
}

# start_sleeper: container c1 running "sleep 300"; prints the init's pid.
start_sleeper() {
	set_args sleep 300
	husk_bg run -d --bundle "$BUNDLE" c1 >&2 || return 1
	container_pid c1
}

@test "exec: the process runs in every namespace of the container" {
	pid=$(start_sleeper)
	for ns in pid net ipc uts mnt cgroup; do
		run -0 husk exec c1 readlink "/proc/self/ns/$ns"
		assert_output "$(readlink "/proc/$pid/ns/$ns")"
	done
}

@test "exec: sees the container's processes, not the host's" {
	start_sleeper >/dev/null
	run -0 husk exec c1 sh -c 'ls /proc | grep -c "^[0-9]"; cat /proc/1/cmdline | tr "\0" " "'
	# sleep (pid 1), sh, ls, grep: a handful, never the host's hundreds.
	[ "${lines[0]}" -lt 10 ]
	assert_line --index 1 'sleep 300 '
}

@test "exec: in the container's cgroup" {
	pid=$(start_sleeper)
	run -0 husk_bg exec -d --pid-file "$BATS_TEST_TMPDIR/exec.pid" c1 sleep 30
	epid=$(cat "$BATS_TEST_TMPDIR/exec.pid")
	echo "$epid" >>"$BATS_TEST_TMPDIR/pids"
	assert_equal "$(cat "/proc/$epid/cgroup")" "$(cat "/proc/$pid/cgroup")"
	kill -9 "$epid"
}

@test "exec: exit code is the process's, 128+N for signal N" {
	start_sleeper >/dev/null
	run -7 husk exec c1 sh -c 'exit 7'
	run -137 husk exec c1 sh -c 'kill -9 $$'
	run -0 husk exec c1 true
}

@test "exec: a missing command is a clear error and exit code 255" {
	start_sleeper >/dev/null
	run -255 husk exec c1 /no/such/program
	assert_output --partial '/no/such/program'
	run -255 husk exec c1 no-such-program
	assert_output --partial 'no-such-program'
	assert_output --partial 'not found'
}

@test "exec: the container's env, --env adds and overrides, --cwd, --user" {
	update_config '.process.env += ["FROM_CONFIG=1", "OVERRIDE=old"]'
	start_sleeper >/dev/null
	run -0 husk exec --env OVERRIDE=new -e EXTRA=2 --cwd /tmp --user 1000:1001 -g 27 c1 \
		sh -c 'echo $FROM_CONFIG $OVERRIDE $EXTRA; pwd; id -u; id -g; id -G'
	assert_line --index 0 '1 new 2'
	assert_line --index 1 /tmp
	assert_line --index 2 1000
	assert_line --index 3 1001
	assert_line --index 4 '1001 27'
}

@test "exec: HOME from the container's /etc/passwd for the exec'd user when the env has none" {
	update_config '.process.env = ["PATH=/bin"]'
	start_sleeper
	run -0 husk exec c1 sh -c 'echo "HOME=$HOME"'
	assert_output HOME=/root
	run -0 husk exec --user 65534:65534 c1 sh -c 'echo "HOME=$HOME"'
	assert_output HOME=/nonexistent
	run -0 husk exec --env HOME=/elsewhere c1 sh -c 'echo "HOME=$HOME"'
	assert_output HOME=/elsewhere
}

@test "exec: run.oci.keep_original_groups keeps the groups of the husk that execs" {
	update_config '.annotations["run.oci.keep_original_groups"] = "1" | .process.user.additionalGids = [5]'
	start_sleeper
	run -0 setpriv --groups 4242 "$HUSK" --root "$ROOT" exec c1 grep ^Groups: /proc/self/status
	assert_output --regexp '^Groups:[[:space:]]+4242[[:space:]]*$'
}

@test "exec: the container's capabilities, --cap adds one" {
	start_sleeper >/dev/null
	run -0 husk exec c1 grep CapEff /proc/self/status
	assert_output "CapEff:	00000000a00004fb" || assert_output "CapEff:	0000000020000420"
	base=$output
	run -0 husk exec --cap CAP_SYS_ADMIN c1 grep CapEff /proc/self/status
	[ "$output" != "$base" ]
	# CAP_SYS_ADMIN is bit 21
	hex=${output##*	}
	(( (0x$hex >> 21) & 1 ))
}

@test "exec: --no-new-privs" {
	update_config '.process.noNewPrivileges = false'
	start_sleeper >/dev/null
	run -0 husk exec c1 grep NoNewPrivs /proc/self/status
	assert_output "NoNewPrivs:	0"
	run -0 husk exec --no-new-privs c1 grep NoNewPrivs /proc/self/status
	assert_output "NoNewPrivs:	1"
}

@test "exec: --process takes a process.json" {
	start_sleeper >/dev/null
	cat >"$BATS_TEST_TMPDIR/process.json" <<-'JSON'
		{"args": ["sh", "-c", "echo $GREETING from $(pwd) as $(id -u)"],
		 "env": ["GREETING=hello", "PATH=/bin"], "cwd": "/etc", "user": {"uid": 65534, "gid": 65534}}
	JSON
	run -0 husk exec --process "$BATS_TEST_TMPDIR/process.json" c1
	assert_output 'hello from /etc as 65534'
}

@test "exec: a bad --process names the file and the JSON path" {
	requires_husk
	start_sleeper >/dev/null
	echo '{"args": [1], "cwd": "/"}' >"$BATS_TEST_TMPDIR/process.json"
	run ! husk exec --process "$BATS_TEST_TMPDIR/process.json" c1
	assert_output --partial 'process.json: process.args[0]: expected a string'
}

@test "exec: --detach --pid-file returns at once with the process running" {
	start_sleeper >/dev/null
	# husk_bg: the detached process must not hold the pipe "run" reads.
	run -0 husk_bg exec -d --pid-file "$BATS_TEST_TMPDIR/exec.pid" c1 sleep 30
	pid=$(cat "$BATS_TEST_TMPDIR/exec.pid")
	echo "$pid" >>"$BATS_TEST_TMPDIR/pids"
	run -0 cat "/proc/$pid/cmdline"
	assert_output --partial sleep
	kill -9 "$pid"
}

@test "exec: only fds 0-2 reach the process, plus --preserve-fds" {
	start_sleeper >/dev/null
	run -0 husk exec c1 ls /proc/self/fd
	assert_output "$(printf '0\n1\n2\n3')" # 3 is ls's own directory fd
	run -0 husk exec --preserve-fds 1 c1 ls /proc/self/fd 3</dev/null
	assert_output "$(printf '0\n1\n2\n3\n4')"
}

@test "exec: the process cannot reach the runtime binary through /proc" {
	start_sleeper >/dev/null
	# Before execve the process is husk; once it runs, /proc/self/exe is the
	# container's program.
	run -0 husk exec c1 readlink /proc/self/exe
	assert_output /bin/busybox
}

@test "exec --tty: the process gets a terminal" {
	start_sleeper >/dev/null
	run -0 husk exec -t c1 tty </dev/null
	assert_output --regexp '^/dev/pts/[0-9]+'
	run -0 bash -c 'printf "echo in-tty\nexit 4\n" | "$1" --root "$2" exec -t c1 sh; echo "rc=$?"' \
		- "$HUSK" "$ROOT"
	assert_output --partial 'in-tty'
	assert_output --partial 'rc=4'
}

@test "exec: into a stopped container fails" {
	set_args true
	run -0 husk_bg create --bundle "$BUNDLE" c1
	run -0 husk start c1
	wait_for_status c1 stopped
	run ! husk exec c1 true
	if is_husk; then
		assert_output --partial 'stopped'
	fi
}

@test "exec: into a missing container fails" {
	run ! husk exec nosuch true
	if is_husk; then
		assert_output --partial 'does not exist'
	fi
}

@test "exec: a bad --user is a clear error, nothing started" {
	requires_husk
	start_sleeper >/dev/null
	run -255 husk exec --user nobody c1 true
	assert_husk_error '--user "nobody"' 'UID[:GID]'
	run -255 husk exec --user 10:x c1 true
	assert_husk_error '--user "10:x"'
	run -0 husk exec c1 sh -c 'ls /proc | grep -c "^[0-9]"'
	[ "$output" -le 4 ] # sleep, sh, ls, grep: no leftover process
}

@test "exec: malformed --process JSON names the file" {
	requires_husk
	start_sleeper >/dev/null
	echo '{"args": ["true"' >"$BATS_TEST_TMPDIR/process.json"
	run -255 husk exec --process "$BATS_TEST_TMPDIR/process.json" c1
	assert_husk_error 'process.json' 'invalid JSON'
}

@test "exec: the container's rlimits apply to an exec'd process too" {
	update_config '.process.rlimits = [{"type": "RLIMIT_NOFILE", "soft": 1234, "hard": 4321}]'
	start_sleeper >/dev/null
	run -0 husk exec c1 sh -c 'ulimit -n; ulimit -Hn'
	assert_line --index 0 1234
	assert_line --index 1 4321
}

@test "exec: --additional-gids adds to the process' groups" {
	update_config '.process.user.additionalGids = [10]'
	start_sleeper >/dev/null
	run -0 husk exec -g 20 c1 id -G
	assert_output '0 10 20'
}
