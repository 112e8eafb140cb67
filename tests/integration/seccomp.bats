#!/usr/bin/env bats
# linux.seccomp: actions, errnoRet, argument filters, flags, architectures,
# SCMP_ACT_NOTIFY with a listener, and configs that must fail at create.

load helpers

setup() {
	setup_bundle
}

teardown() {
	# the NOTIFY test's listener, should the test have failed before it ended
	[ -z "${LISTENER_PID:-}" ] || kill "$LISTENER_PID" 2>/dev/null || true
	teardown_bundle
}

# seccomp JSON: set linux.seccomp.
seccomp() {
	update_config ".linux.seccomp = $1"
}

# /dev/shm is a writable tmpfs even with a read-only root: without a filter
# mkdir works there, so a failure is the filter's doing.

@test "seccomp: SCMP_ACT_ERRNO makes mkdir fail with EPERM, other syscalls work" {
	seccomp '{"defaultAction": "SCMP_ACT_ALLOW",
		"syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO"}]}'
	set_args sh -c 'mkdir /dev/shm/x 2>&1; echo "rc=$?"; echo data >/dev/shm/f && cat /dev/shm/f'
	run -0 husk run --bundle "$BUNDLE" c1
	assert_output --partial "Operation not permitted"
	assert_line "rc=1"
	assert_line data
	assert_nothing_left
}

@test "seccomp: errnoRet is the errno the syscall fails with" {
	seccomp '{"defaultAction": "SCMP_ACT_ALLOW",
		"syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 38}]}'
	set_args sh -c 'mkdir /dev/shm/x 2>&1; echo "rc=$?"'
	run -0 husk run --bundle "$BUNDLE" c1
	assert_output --partial "Function not implemented"
	assert_line "rc=1"
}

@test "seccomp: an args filter blocks only the matching call" {
	# kill(pid, SIGWINCH) is denied, kill(pid, SIGCHLD) is not; both
	# signals are ignored by default, so a broken filter kills nothing.
	seccomp '{"defaultAction": "SCMP_ACT_ALLOW",
		"syscalls": [{"names": ["kill"], "action": "SCMP_ACT_ERRNO",
			"args": [{"index": 1, "value": 28, "op": "SCMP_CMP_EQ"}]}]}'
	set_args sh -c 'kill -WINCH $$ 2>&1; echo "winch=$?"; kill -CHLD $$ && echo chld-ok'
	run -0 husk run --bundle "$BUNDLE" c1
	assert_output --partial "Operation not permitted"
	assert_line "winch=1"
	assert_line chld-ok
}

@test "seccomp: two comparisons of one argument each match (runc's rule)" {
	seccomp '{"defaultAction": "SCMP_ACT_ALLOW",
		"syscalls": [{"names": ["kill"], "action": "SCMP_ACT_ERRNO",
			"args": [{"index": 1, "value": 28, "op": "SCMP_CMP_EQ"},
				 {"index": 1, "value": 17, "op": "SCMP_CMP_EQ"}]}]}'
	set_args sh -c 'kill -WINCH $$ 2>/dev/null || echo winch-denied
		kill -CHLD $$ 2>/dev/null || echo chld-denied
		kill -0 $$ && echo zero-ok'
	run -0 husk run --bundle "$BUNDLE" c1
	assert_line winch-denied
	assert_line chld-denied
	assert_line zero-ok
}

@test "seccomp: SCMP_CMP_MASKED_EQ compares (arg & value) with valueTwo" {
	# deny the signals whose bits 2-4 are all set: 28 (SIGWINCH), not 17 or 0
	seccomp '{"defaultAction": "SCMP_ACT_ALLOW",
		"syscalls": [{"names": ["kill"], "action": "SCMP_ACT_ERRNO",
			"args": [{"index": 1, "value": 28, "valueTwo": 28, "op": "SCMP_CMP_MASKED_EQ"}]}]}'
	set_args sh -c 'kill -WINCH $$ 2>/dev/null || echo winch-denied
		kill -CHLD $$ && echo chld-ok
		kill -0 $$ && echo zero-ok'
	run -0 husk run --bundle "$BUNDLE" c1
	assert_line winch-denied
	assert_line chld-ok
	assert_line zero-ok
}

@test "seccomp: a deny-by-default allow-list runs busybox sh; defaultErrnoRet is honoured" {
	# Generous: the runtime's own syscalls after the load count too.
	# Names this libseccomp does not know are skipped.
	local allow
	allow=$(jq -cn '$ARGS.positional' --args \
		accept accept4 access arch_prctl bind brk capget capset chdir chmod chown clock_getres \
		clock_gettime clock_nanosleep clone clone3 close close_range connect dup dup2 dup3 \
		epoll_create1 epoll_ctl epoll_pwait epoll_wait execve execveat exit exit_group faccessat \
		faccessat2 fchdir fchmod fchmodat fchown fchownat fcntl fdatasync flock fork fstat fstatfs \
		fsync ftruncate futex getcwd getdents getdents64 getegid geteuid getgid getgroups getpgid \
		getpgrp getpid getppid getpriority getrandom getresgid getresuid getrlimit getrusage getsid \
		getsockname getsockopt gettid gettimeofday getuid ioctl kill lchown lseek lstat madvise \
		membarrier mmap mprotect mremap munmap nanosleep newfstatat open openat openat2 pause \
		pipe pipe2 poll ppoll prctl pread64 preadv prlimit64 pselect6 pwrite64 pwritev read \
		readlink readlinkat readv recvfrom recvmsg rseq rt_sigaction rt_sigpending rt_sigprocmask \
		rt_sigqueueinfo rt_sigreturn rt_sigsuspend rt_sigtimedwait sched_getaffinity sched_yield \
		select sendmsg sendto set_robust_list set_tid_address setgid setgroups setitimer setpgid \
		setresgid setresuid setrlimit setsid setsockopt setuid shutdown sigaltstack socket \
		socketpair stat statfs statx sysinfo tgkill time times tkill umask uname vfork wait4 \
		waitid write writev)
	seccomp "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": 13,
		\"syscalls\": [{\"names\": $allow, \"action\": \"SCMP_ACT_ALLOW\"}]}"
	set_args sh -c 'echo hello; mkdir /dev/shm/x 2>&1; echo "rc=$?"'
	run -0 husk run --bundle "$BUNDLE" c1
	assert_line hello
	# mkdir is not on the list: EACCES (13), not the default EPERM
	assert_output --partial "Permission denied"
	assert_line "rc=1"
	assert_nothing_left
}

@test "seccomp: /proc/self/status shows mode 2 (filter)" {
	seccomp '{"defaultAction": "SCMP_ACT_ALLOW",
		"syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_ERRNO"}]}'
	set_args grep -E '^(Seccomp|NoNewPrivs):' /proc/self/status
	run -0 husk run --bundle "$BUNDLE" c1
	assert_line --regexp '^Seccomp:[[:space:]]+2$'
	assert_line --regexp '^NoNewPrivs:[[:space:]]+1$'
}

@test "seccomp: without noNewPrivileges the filter still loads" {
	# loaded while the init still has CAP_SYS_ADMIN, before the capability drop
	update_config '.process.noNewPrivileges = false'
	seccomp '{"defaultAction": "SCMP_ACT_ALLOW",
		"syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 38}]}'
	set_args sh -c 'grep -E "^(Seccomp|NoNewPrivs):" /proc/self/status; mkdir /dev/shm/x 2>&1'
	run -1 husk run --bundle "$BUNDLE" c1
	assert_line --regexp '^Seccomp:[[:space:]]+2$'
	assert_line --regexp '^NoNewPrivs:[[:space:]]+0$'
	assert_output --partial "Function not implemented"
	assert_nothing_left
}

@test "seccomp: SCMP_ACT_KILL_PROCESS kills the container with SIGSYS (128+31)" {
	seccomp '{"defaultAction": "SCMP_ACT_ALLOW",
		"syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_KILL_PROCESS"}]}'
	# SIGSYS dumps core: not this one
	update_config '.process.rlimits += [{"type": "RLIMIT_CORE", "hard": 0, "soft": 0}]'
	set_args mkdir /dev/shm/x
	run -159 husk run --bundle "$BUNDLE" c1
	assert_nothing_left
}

@test "seccomp: unknown syscall names and other architectures are accepted" {
	seccomp '{"defaultAction": "SCMP_ACT_ALLOW",
		"architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32", "SCMP_ARCH_AARCH64"],
		"syscalls": [{"names": ["no_such_syscall_here", "mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO"},
			{"names": ["getpid"], "action": "SCMP_ACT_ALLOW"}]}'
	set_args sh -c 'mkdir /dev/shm/x 2>&1; echo "rc=$?"'
	run -0 husk run --bundle "$BUNDLE" c1
	assert_output --partial "Operation not permitted"
	assert_line "rc=1"
}

@test "seccomp: run.oci.seccomp_fail_unknown_syscall makes an unknown name an error, nothing left (crun's annotation)" {
	requires_husk
	seccomp '{"defaultAction": "SCMP_ACT_ALLOW",
		"syscalls": [{"names": ["mkdir", "no_such_syscall_here"], "action": "SCMP_ACT_ERRNO"}]}'
	update_config '.annotations["run.oci.seccomp_fail_unknown_syscall"] = "1"'
	set_args true
	run -1 husk run --bundle "$BUNDLE" c1
	assert_husk_error 'linux.seccomp.syscalls[0].names[1]: "no_such_syscall_here" is not a syscall libseccomp knows' 'run.oci.seccomp_fail_unknown_syscall'
	assert_nothing_left
	run -1 husk check --bundle "$BUNDLE"
	assert_line --partial 'error: linux.seccomp.syscalls[0].names[1]: "no_such_syscall_here" is not a syscall libseccomp knows on this architecture, and the annotation run.oci.seccomp_fail_unknown_syscall makes that an error'
	# known names alone still run with it
	seccomp '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_ERRNO"}]}'
	run -0 husk run --bundle "$BUNDLE" c2
}

@test "seccomp: flags SECCOMP_FILTER_FLAG_LOG and _TSYNC are accepted" {
	is_husk || skip "runc before 1.2 refuses linux.seccomp.flags"
	seccomp '{"defaultAction": "SCMP_ACT_ALLOW",
		"flags": ["SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_TSYNC"],
		"syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO"}]}'
	set_args sh -c 'mkdir /dev/shm/x 2>&1; echo "rc=$?"'
	run -0 husk run --bundle "$BUNDLE" c1
	assert_output --partial "Operation not permitted"
	assert_line "rc=1"
}

# --- NOTIFY ---------------------------------------------------------------------

# A listener that saves the container process state it receives and
# closes the notify fd: the notifying syscall then fails with ENOSYS.
start_listener() {
	python3 -c 'import socket; socket.recv_fds' 2>/dev/null ||
		skip "needs python3 >= 3.9 for the listener"
	LISTENER_SOCK=$BATS_TEST_TMPDIR/listener.sock
	LISTENER_OUT=$BATS_TEST_TMPDIR/listener.json
	timeout 20 python3 - "$LISTENER_SOCK" "$LISTENER_OUT" >"$LISTENER_OUT.log" 2>&1 3>&- <<-'EOF' &
		import json, os, socket, sys
		s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
		s.bind(sys.argv[1]); s.listen(1)
		open(sys.argv[2] + ".ready", "w").close()
		c, _ = s.accept()
		data, fds, _, _ = socket.recv_fds(c, 65536, 4)
		# the runtime need not close the connection: read one JSON value
		while True:
		    try:
		        json.loads(data)
		        break
		    except ValueError:
		        more = c.recv(65536)
		        if not more:
		            break
		        data += more
		for fd in fds:
		    os.close(fd)
		with open(sys.argv[2] + ".tmp", "wb") as f:
		    f.write(data)
		os.rename(sys.argv[2] + ".tmp", sys.argv[2])
		print(len(fds), file=open(sys.argv[2] + ".fds", "w"))
	EOF
	LISTENER_PID=$!
	for _ in $(seq 100); do
		[ -e "$LISTENER_OUT.ready" ] && return 0
		sleep 0.05
	done
	fail "the listener did not start"
}

@test "seccomp: SCMP_ACT_NOTIFY sends the notify fd and the state to listenerPath" {
	start_listener
	seccomp "{\"defaultAction\": \"SCMP_ACT_ALLOW\",
		\"listenerPath\": \"$LISTENER_SOCK\", \"listenerMetadata\": \"meta-1\",
		\"syscalls\": [{\"names\": [\"mkdir\", \"mkdirat\"], \"action\": \"SCMP_ACT_NOTIFY\"}]}"
	set_args sh -c 'mkdir /dev/shm/x 2>&1; echo "rc=$?"'
	run -0 husk run --bundle "$BUNDLE" c1
	# the listener closed the fd unanswered: ENOSYS
	assert_output --partial "Function not implemented"
	assert_line "rc=1"
	wait "$LISTENER_PID"
	assert_equal "$(cat "$LISTENER_OUT.fds")" 1
	run -0 jq -r '[.ociVersion != null, .fds[0], (.pid > 0), .metadata, .state.id, .state.status,
		(.state.pid > 0), (.state.bundle | length > 0)] | map(tostring) | join(" ")' "$LISTENER_OUT"
	assert_output "true seccompFd true meta-1 c1 creating true true"
	assert_nothing_left
}

# --- configs that fail at create ------------------------------------------------

# fails_cleanly: "create" of c1 fails and leaves nothing behind; $output
# keeps what the runtime said, for the husk-only check of the message.
fails_cleanly() {
	run ! husk_bg create --bundle "$BUNDLE" c1
	assert_nothing_left
}

@test "seccomp: an unknown action fails create, naming the JSON path" {
	seccomp '{"defaultAction": "SCMP_ACT_ALLOW",
		"syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_ERRNO"},
			{"names": ["rmdir"], "action": "SCMP_ACT_FOO"}]}'
	fails_cleanly
	is_husk || return 0
	assert_husk_error 'linux.seccomp.syscalls[1].action: unknown action "SCMP_ACT_FOO"'
}

@test "seccomp: an unknown default action fails create" {
	seccomp '{"defaultAction": "SCMP_ACT_NOPE"}'
	fails_cleanly
	is_husk || return 0
	assert_husk_error 'linux.seccomp.defaultAction: unknown action "SCMP_ACT_NOPE"'
}

@test "seccomp: an unknown operator fails create" {
	seccomp '{"defaultAction": "SCMP_ACT_ALLOW",
		"syscalls": [{"names": ["kill"], "action": "SCMP_ACT_ERRNO",
			"args": [{"index": 1, "value": 28, "op": "SCMP_CMP_FOO"}]}]}'
	fails_cleanly
	is_husk || return 0
	assert_husk_error 'linux.seccomp.syscalls[0].args[0].op: unknown operator "SCMP_CMP_FOO"'
}

@test "seccomp: an unknown flag fails create" {
	seccomp '{"defaultAction": "SCMP_ACT_ALLOW", "flags": ["SECCOMP_FILTER_FLAG_FOO"]}'
	fails_cleanly
	is_husk || return 0
	assert_husk_error 'linux.seccomp.flags[0]: unknown flag "SECCOMP_FILTER_FLAG_FOO"'
}

@test "seccomp: an unknown architecture fails create" {
	seccomp '{"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_FOO"]}'
	fails_cleanly
	is_husk || return 0
	assert_husk_error 'linux.seccomp.architectures[0]: unknown architecture "SCMP_ARCH_FOO"'
}

@test "seccomp: errnoRet with an action that takes none fails create" {
	seccomp '{"defaultAction": "SCMP_ACT_ALLOW",
		"syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_KILL_PROCESS", "errnoRet": 5}]}'
	requires_husk # runc ignores it; the runtime spec says to fail
	fails_cleanly
	assert_husk_error 'linux.seccomp.syscalls[0].errnoRet: not allowed with SCMP_ACT_KILL_PROCESS'
}

@test "seccomp: SCMP_ACT_NOTIFY without listenerPath fails create" {
	seccomp '{"defaultAction": "SCMP_ACT_ALLOW",
		"syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_NOTIFY"}]}'
	fails_cleanly
	is_husk || return 0
	assert_husk_error 'linux.seccomp.listenerPath: required when a rule uses SCMP_ACT_NOTIFY'
}

@test "seccomp: SCMP_ACT_NOTIFY with a listenerPath nobody listens on fails create" {
	seccomp "{\"defaultAction\": \"SCMP_ACT_ALLOW\",
		\"listenerPath\": \"$BATS_TEST_TMPDIR/nobody.sock\",
		\"syscalls\": [{\"names\": [\"mkdir\"], \"action\": \"SCMP_ACT_NOTIFY\"}]}"
	fails_cleanly
	is_husk || return 0
	assert_husk_error "linux.seccomp.listenerPath: connect to \"$BATS_TEST_TMPDIR/nobody.sock\"" \
		'No such file or directory'
}

@test "seccomp: an exec'd process gets the container's filter too" {
	seccomp '{"defaultAction": "SCMP_ACT_ALLOW",
		"syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO"}]}'
	set_args sleep 300
	run -0 husk_bg run -d --bundle "$BUNDLE" c1
	run -0 husk exec c1 sh -c 'grep "^Seccomp:" /proc/self/status; mkdir /dev/shm/x 2>&1; echo "rc=$?"'
	assert_line --regexp '^Seccomp:[[:space:]]+2$'
	assert_output --partial "Operation not permitted"
	assert_line "rc=1"
}
