#!/usr/bin/env bats
# Container escapes that hit other runtimes, replayed against husk: each test
# runs the attack and checks that it fails.
# shellcheck disable=SC2016 # scripts for the container are single-quoted

load helpers

setup() {
	setup_bundle
	REAL_HUSK=$HUSK
	HOSTDIR=$BATS_TEST_TMPDIR/hostdir
	mkdir -p "$HOSTDIR"
	echo "host data" >"$HOSTDIR/file"
	# A file only the container's root has, to tell it from the host's.
	echo rootfs >"$BUNDLE/rootfs/husk-rootfs-marker"
}

teardown() {
	[ -n "${SWAPPER:-}" ] && kill "$SWAPPER" 2>/dev/null
	[ -n "${LISTENER:-}" ] && kill "$LISTENER" 2>/dev/null
	HUSK=$REAL_HUSK
	teardown_rootless
	teardown_bundle
}

# use_husk_copy: $HUSK becomes a copy of the runtime, the binary the attack
# aims at; the real one stays out of reach. $REAL_HUSK is for looking at the
# result, in case the copy was damaged.
use_husk_copy() {
	COPY=$BATS_TEST_TMPDIR/husk-copy
	cp "$REAL_HUSK" "$COPY"
	COPY_SUM=$(sha256sum <"$COPY")
	HUSK=$COPY
}

# in_c1 CMD...: run CMD in c1 with the real runtime.
in_c1() {
	"$REAL_HUSK" --root "$ROOT" exec c1 "$@"
}

# write_attacker: /attack in the rootfs. It spins over the container's pids
# opening /proc/PID/exe: for writing straight away, and for reading to keep
# an executable that is not the container's own (a runtime on its way in)
# and write through it once nothing runs it any more (the CVE-2019-5736
# exploit). What it manages goes to /dev/shm/hits; the pids of live
# processes whose exe it was refused go to /dev/shm/denied.
write_attacker() {
	cat >"$BUNDLE/rootfs/attack" <<-'EOF'
		#!/bin/sh
		: >/dev/shm/hits
		: >/dev/shm/denied
		got=
		# an fd 7 handed down by whoever started us
		if [ -e /proc/self/fd/7 ] && ! [ /proc/self/fd/7 -ef /bin/busybox ]; then
			echo "inherited an fd of $(readlink /proc/self/fd/7)" >>/dev/shm/hits
			got=1
		fi
		touch /dev/shm/ready
		while [ ! -e /dev/shm/stop ]; do
			n=1
			while [ $n -lt 300 ]; do
				if [ -z "$got" ] && [ -d /proc/$n ]; then
					if { command exec 7<"/proc/$n/exe"; } 2>/dev/null; then
						if ! [ /proc/self/fd/7 -ef /bin/busybox ]; then
							echo "read-opened /proc/$n/exe" >>/dev/shm/hits
							got=1
						fi
					elif read -r _ _ st _ </proc/$n/stat && [ "$st" != Z ]; then
						# a live process kept from us: husk's, on its way in
						echo "$n" >>/dev/shm/denied
					fi 2>/dev/null
				fi
				if { command exec 8>>"/proc/$n/exe"; } 2>/dev/null; then
					echo "write-opened /proc/$n/exe" >>/dev/shm/hits
					command exec 8>&-
				fi
				n=$((n + 1))
			done
			if [ -n "$got" ] && (echo PWNED >/proc/self/fd/7) 2>/dev/null; then
				echo "wrote through the kept fd" >>/dev/shm/hits
				break
			fi
		done
		touch /dev/shm/finished
	EOF
	chmod 755 "$BUNDLE/rootfs/attack"
}

# stop_attacker: end /attack and print its hits.
stop_attacker() {
	in_c1 sh -c 'touch /dev/shm/stop
		for i in $(seq 100); do [ -e /dev/shm/finished ] && break; sleep 0.1; done
		cat /dev/shm/hits'
}

wait_attacker_ready() {
	local i
	for i in $(seq 100); do
		in_c1 test -e /dev/shm/ready && return 0
		sleep 0.1
	done
	return 1
}

# attack_until_started: /attack in created c1 while its init is still husk,
# waiting on exec.fifo; then start c1, after which nothing runs the binary
# and a kept fd could be written through. Prints /attack's hits.
attack_until_started() {
	husk_bg exec -d c1 /attack
	wait_attacker_ready || return 1
	sleep 0.5
	husk start c1
	sleep 1
	stop_attacker
}

@test "CVE-2019-5736: husk's binary cannot be opened through /proc/PID/exe during exec" {
	use_husk_copy
	write_attacker
	set_args sleep 300
	husk_bg run -d --bundle "$BUNDLE" c1
	husk_bg exec -d c1 /attack
	wait_attacker_ready
	for _ in $(seq 60); do
		husk exec c1 true
	done
	run -0 stop_attacker
	assert_output ''
	assert_equal "$(sha256sum <"$COPY")" "$COPY_SUM"
	# The attack did meet husk's processes on their way in: it was refused.
	run -0 in_c1 cat /dev/shm/denied
	refute_output ''
}

@test "CVE-2019-5736: exec into a created container cannot reach husk's binary through the waiting init" {
	use_husk_copy
	write_attacker
	set_args sleep 300
	husk_bg create --bundle "$BUNDLE" c1
	run -0 attack_until_started
	assert_output ''
	assert_equal "$(sha256sum <"$COPY")" "$COPY_SUM"
}

@test "CVE-2019-5736: with CAP_SYS_PTRACE the waiting init's exe can be opened, but it is a read-only copy" {
	use_husk_copy
	write_attacker
	# CAP_SYS_PTRACE overrides the init's non-dumpable guard: the attack
	# gets its fd, so what it holds must not be writable.
	update_config '.process.capabilities |= with_entries(.value += ["CAP_SYS_PTRACE"])'
	set_args sleep 300
	husk_bg create --bundle "$BUNDLE" c1
	# Not "Text file busy": the file is not the one husk ran from.
	run ! in_c1 sh -c 'exec 3>>/proc/1/exe'
	assert_output --partial 'Read-only file system'
	run -0 attack_until_started
	assert_output --partial 'read-opened /proc/1/exe'
	refute_output --partial 'write-opened'
	refute_output --partial 'wrote through'
	assert_equal "$(sha256sum <"$COPY")" "$COPY_SUM"
}

@test "CVE-2019-5736: a startContainer hook from the rootfs cannot reach husk's binary through the init" {
	use_husk_copy
	write_attacker
	# startContainer hooks run from the container's rootfs, while the init
	# is still husk: the image's program leaves the attack behind.
	printf '#!/bin/sh\ncommand exec 7</proc/1/exe 2>/dev/null\n/attack </dev/null >/dev/null 2>&1 &\n' \
		>"$BUNDLE/rootfs/start-hook"
	chmod 755 "$BUNDLE/rootfs/start-hook"
	update_config '.hooks = {"startContainer": [{"path": "/start-hook"}]}'
	set_args sleep 300
	husk_bg run -d --bundle "$BUNDLE" c1
	wait_attacker_ready
	sleep 1
	run -0 stop_attacker
	assert_output ''
	assert_equal "$(sha256sum <"$COPY")" "$COPY_SUM"
}

# args[0] /proc/self/exe (or a #!/proc/self/exe script) makes the process
# on its way into the container execute husk's own binary there: nothing
# short of the kernel can refuse that (parsing the executable first races
# with it). What runs must be the read-only copy: the attacker may open its
# exe, but never for writing, and husk's binary stays as it was.
@test "CVE-2019-5736: args[0] /proc/self/exe runs only husk's read-only copy in the container" {
	use_husk_copy
	write_attacker
	# A husk linked against shared libraries finds them in the rootfs too.
	local lib
	for lib in $(ldd "$REAL_HUSK" 2>/dev/null | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }'); do
		cp --parents -L "$lib" "$BUNDLE/rootfs"
	done
	set_args /proc/self/exe --version
	husk run --bundle "$BUNDLE" c0 || true
	set_args sleep 300
	husk_bg run -d --bundle "$BUNDLE" c1
	husk_bg exec -d c1 /attack
	wait_attacker_ready
	# husk inside, held up reading its stdin for 2 s (update -r -)
	run bash -c 'sleep 2 | "$0" --root "$1" exec c1 /proc/self/exe update -r - x' "$HUSK" "$ROOT"
	assert_output --partial 'husk: standard input'
	run -0 stop_attacker
	assert_output --partial 'read-opened /proc/'
	refute_output --partial 'write-opened'
	refute_output --partial 'wrote through'
	assert_equal "$(sha256sum <"$COPY")" "$COPY_SUM"
}

@test "CVE-2024-21626: only fds 0-2 (and --preserve-fds) reach the init and exec, even with the caller's open" {
	set_args sleep 300
	# The caller's own fds, one of them a host directory, must not leak in.
	husk_bg run -d --bundle "$BUNDLE" c1 5<"$HOSTDIR" 6<"$HOSTDIR/file"
	run -0 in_c1 ls /proc/1/fd
	assert_output "$(printf '0\n1\n2')"
	run -0 husk exec c1 sh -c 'ls /proc/$$/fd; :' 5<"$HOSTDIR" 6<"$HOSTDIR/file"
	assert_output "$(printf '0\n1\n2')"
	run -0 husk exec --preserve-fds 1 c1 sh -c 'ls /proc/$$/fd; :' 3<"$HOSTDIR/file" 5<"$HOSTDIR"
	assert_output "$(printf '0\n1\n2\n3')"
	# No fd of the init or of exec is a directory.
	run -0 husk exec c1 sh -c 'for f in /proc/1/fd/* /proc/$$/fd/*; do [ -d "$f" ] && echo "dir: $f"; done; :' 5<"$HOSTDIR"
	assert_output ''
}

@test "CVE-2024-21626: the init's and exec's cwd are in the rootfs; cd .. from / stays at /" {
	set_args sh -c 'readlink /proc/self/cwd; cd ../../..; pwd; cat husk-rootfs-marker; sleep 300'
	husk_bg run -d --bundle "$BUNDLE" c1
	for _ in $(seq 20); do grep -q rootfs "$BATS_TEST_TMPDIR/husk.log" && break; sleep 0.1; done
	run -0 cat "$BATS_TEST_TMPDIR/husk.log"
	assert_output "$(printf '/\n/\nrootfs')"
	run -0 husk exec c1 sh -c 'readlink /proc/self/cwd; cd ../../..; pwd; cat husk-rootfs-marker'
	assert_output "$(printf '/\n/\nrootfs')"
	run -0 husk exec --cwd /tmp c1 sh -c 'readlink /proc/self/cwd; cd ../../../..; cat husk-rootfs-marker'
	assert_output "$(printf '/tmp\nrootfs')"
}

# check_cwd_inside: $status and $output of a process that ran
# 'readlink /proc/self/cwd; cd .. (many times); stat; ls' in a cwd of
# /proc/self/fd/N: refused with an error, or a cwd whose way up ends at the
# container's root.
check_cwd_inside() {
	if [ "$status" -ne 0 ]; then
		refute_output --partial "host data"
		refute_output --partial "escaped"
		return 0
	fi
	assert_line --index 0 --regexp '^/'
	assert_line 'root reached'
	assert_line rootfs
}

@test "CVE-2024-21626: process.cwd /proc/self/fd/N is refused or resolved inside the rootfs" {
	script='readlink /proc/self/cwd
		for i in $(seq 64); do cd .. || exit 9; done
		[ "$(stat -c %d:%i .)" = "$(stat -c %d:%i /)" ] && echo "root reached" || echo escaped
		cat husk-rootfs-marker; ls'
	for n in 3 4 5 6 7 8 9 10; do
		update_config ".process.cwd = \"/proc/self/fd/$n\""
		set_args sh -c "$script"
		run husk run --bundle "$BUNDLE" "cwd$n" 5<"$HOSTDIR" 6<"$HOSTDIR"
		check_cwd_inside
		husk delete --force "cwd$n" 2>/dev/null || true
	done
	update_config '.process.cwd = "/"'
	set_args sleep 300
	husk_bg run -d --bundle "$BUNDLE" c1
	for n in 3 4 5 6 7 8 9 10; do
		run husk exec --cwd "/proc/self/fd/$n" c1 sh -c "$script" 5<"$HOSTDIR" 6<"$HOSTDIR"
		check_cwd_inside
	done
}

# bind_source: a host directory to mount, with a file that tells it apart.
bind_source() {
	SRC=$BATS_TEST_TMPDIR/src
	mkdir -p "$SRC"
	echo "from the source" >"$SRC/from-source"
}

@test "CVE-2021-30465: a mount destination that is a symlink to an absolute host path lands in the rootfs" {
	bind_source
	target=$BATS_TEST_TMPDIR/hostside/newdir # does not exist on the host
	ln -s "$target" "$BUNDLE/rootfs/mnt/link"
	update_config ".mounts += [{\"destination\": \"/mnt/link\", \"type\": \"bind\", \"source\": \"$SRC\", \"options\": [\"rbind\"]},
		{\"destination\": \"/mnt/link/tmp\", \"type\": \"tmpfs\", \"source\": \"tmpfs\"}]"
	set_args sh -c "cat /mnt/link/from-source; awk '\$2 == \"$target\" || \$2 == \"$target/tmp\" { print \$2 }' /proc/mounts"
	run -0 husk run --bundle "$BUNDLE" c1
	assert_line --index 0 "from the source"
	# mounted at the link's target taken inside the root
	assert_line --index 1 "$target"
	assert_line --index 2 "$target/tmp"
	assert_dir_exists "$BUNDLE/rootfs$target"
	# and nothing made on the host
	assert_not_exists "$BATS_TEST_TMPDIR/hostside"
}

@test "CVE-2021-30465: a mount destination through a ../../.. symlink lands in the rootfs" {
	bind_source
	# From rootfs/mnt, enough ".." to reach the host's / if followed there.
	ln -s "../../../../../../../../../../../../..$HOSTDIR" "$BUNDLE/rootfs/mnt/up"
	update_config ".mounts += [{\"destination\": \"/mnt/up\", \"type\": \"bind\", \"source\": \"$SRC\", \"options\": [\"rbind\"]},
		{\"destination\": \"/mnt/up/t\", \"type\": \"tmpfs\", \"source\": \"tmpfs\"}]"
	set_args sh -c "cat /mnt/up/from-source; cat /mnt/up/file 2>&1; awk '\$2 == \"$HOSTDIR\" { print \$2 }' /proc/mounts"
	run -0 husk run --bundle "$BUNDLE" c1
	assert_line --index 0 "from the source"
	refute_output --partial "host data"
	assert_line "$HOSTDIR"
	assert_dir_exists "$BUNDLE/rootfs$HOSTDIR"
	# the host directory is as it was: no "t" made in it
	assert_equal "$(ls -A "$HOSTDIR")" file
}

# start_swapper DIR TARGET: swap DIR with a symlink to TARGET (a host path)
# as fast as possible, until run_while_swapping ends it. One rename
# (tests/helpers/race-swap): DIR is never missing, so husk cannot make it
# anew in a gap and end the race.
start_swapper() {
	local swap=${HUSK_TEST_SOCKETS:-$BATS_TEST_DIRNAME/../helpers/test-sockets}
	swap=${swap%/*}/race-swap
	[ -x "$swap" ] || skip "tests/helpers/race-swap is not built (make check builds it)"
	"$swap" "$1" "$2" &
	SWAPPER=$!
}

# run_while_swapping N: run (and delete) the bundle N times, then stop the
# swapper; RUNS_OK is how many runs succeeded.
run_while_swapping() {
	set_args true
	RUNS_OK=0
	for i in $(seq "$1"); do
		husk run --bundle "$BUNDLE" "r$i" >/dev/null 2>&1 && RUNS_OK=$((RUNS_OK + 1))
		husk delete --force "r$i" >/dev/null 2>&1 || true
	done
	kill -0 "$SWAPPER" || fail "the swapper stopped before the runs did"
	kill "$SWAPPER"
	wait "$SWAPPER" 2>/dev/null || true
	SWAPPER=
}

@test "CVE-2021-30465: a mount destination swapped for a symlink while husk mounts stays in the rootfs" {
	bind_source
	target=$BATS_TEST_TMPDIR/hostside/raced
	mkdir -p "$BUNDLE/rootfs/mnt/race" "$target"
	start_swapper "$BUNDLE/rootfs/mnt/race" "$target"
	update_config ".mounts += [{\"destination\": \"/mnt/race/sub\", \"type\": \"tmpfs\", \"source\": \"tmpfs\"},
		{\"destination\": \"/mnt/race/bound\", \"type\": \"bind\", \"source\": \"$SRC\", \"options\": [\"rbind\"]}]"
	run_while_swapping 30
	# husk ran them (refusing every one would pass the rest vacuously) ...
	[ "$RUNS_OK" -gt 0 ] || fail "none of the 30 runs succeeded"
	# ... and whatever the swap did, nothing was made on the host side.
	assert_equal "$(ls -A "$target")" ""
	run -0 findmnt -rn -o TARGET
	refute_output --partial "$target"
	assert_equal "$(ls -A "$SRC")" from-source
}

@test "CVE-2019-16884/CVE-2023-27561: maskedPaths through symlinks mask inside, and never the host" {
	# A file the container has at the same path as a host one.
	mkdir -p "$BUNDLE/rootfs$HOSTDIR"
	echo "container copy" >"$BUNDLE/rootfs$HOSTDIR/file"
	ln -s "$HOSTDIR/file" "$BUNDLE/rootfs/etc/abs-link"
	ln -s "../../../../../../../../../..$HOSTDIR/file" "$BUNDLE/rootfs/etc/up-link"
	ln -s /proc/version "$BUNDLE/rootfs/etc/proc-link"
	update_config '.linux.maskedPaths += ["/etc/abs-link", "/etc/up-link", "/etc/proc-link"]'
	set_args sh -c "echo \"[\$(cat $HOSTDIR/file)]\"; echo \"[\$(cat /proc/version)]\"; echo \"[\$(cat /etc/proc-link)]\""
	run -0 husk run --bundle "$BUNDLE" c1
	# what the links lead to in the container is masked
	assert_output "$(printf '[]\n[]\n[]')"
	# and on the host nothing is
	assert_equal "$(cat "$HOSTDIR/file")" "host data"
	run ! findmnt -n "$HOSTDIR/file"
	assert_equal "$(cat "$BUNDLE/rootfs$HOSTDIR/file")" "container copy"
	run -0 cat /proc/version
	refute_output ''
}

@test "CVE-2019-16884/CVE-2023-27561: a bind mount over /proc paths does not unmask or unprotect them" {
	echo "not masked" >"$HOSTDIR/fake-keys"
	mkdir -p "$HOSTDIR/fake-sys"
	update_config ".mounts += [{\"destination\": \"/proc/keys\", \"type\": \"bind\", \"source\": \"$HOSTDIR/fake-keys\", \"options\": [\"bind\", \"rw\"]},
		{\"destination\": \"/proc/sys\", \"type\": \"bind\", \"source\": \"$HOSTDIR/fake-sys\", \"options\": [\"rbind\", \"rw\"]}]"
	set_args sh -c 'exec 2>&1; echo "[$(cat /proc/keys)]"; echo x >/proc/sys/written'
	run husk run --bundle "$BUNDLE" c1
	assert_line --index 0 '[]'
	assert_line --index 1 --partial 'Read-only file system'
	assert_equal "$(cat "$HOSTDIR/fake-keys")" "not masked"
	assert_not_exists "$HOSTDIR/fake-sys/written"
}

@test "CVE-2025-31133: maskedPaths use a real /dev/null, not what the container's /dev/null leads to" {
	# A /dev the config binds in, whose null is a symlink to a procfs file
	# that readonlyPaths protects. Were masks made from it, the masked path
	# would become that file, writable. (A harmless, namespaced target: with
	# core_pattern this would be an escape.)
	mkdir "$BATS_TEST_TMPDIR/dev"
	ln -s /proc/sys/kernel/hostname "$BATS_TEST_TMPDIR/dev/null"
	update_config ".hostname = \"orig\" | .mounts |= map(if .destination == \"/dev\" then
		{\"destination\": \"/dev\", \"type\": \"bind\", \"source\": \"$BATS_TEST_TMPDIR/dev\", \"options\": [\"rbind\"]} else . end)"
	set_args sh -c 'echo "[$(cat /proc/keys)]"; echo pwned >/proc/keys; hostname'
	run husk run --bundle "$BUNDLE" c1
	if [ "$status" -eq 0 ]; then
		assert_output "$(printf '[]\norig')"
	else
		refute_output --partial pwned
	fi
}

@test "procfs: core_pattern and sysrq-trigger cannot be written from a default container" {
	before=$(cat /proc/sys/kernel/core_pattern)
	set_args sh -c 'exec 2>&1
		# the value it has: were the write let through, the host would not change
		v=$(cat /proc/sys/kernel/core_pattern)
		echo "$v" >/proc/sys/kernel/core_pattern
		cat /proc/sys/kernel/core_pattern
		# a kernel without CONFIG_MAGIC_SYSRQ has none
		[ -e /proc/sysrq-trigger ] && echo h >/proc/sysrq-trigger
		:'
	run -0 husk run --bundle "$BUNDLE" c1
	assert_line --index 0 --partial 'Read-only file system'
	assert_line --index 1 "$before"
	if [ -e /proc/sysrq-trigger ]; then
		assert_line --index 2 --partial 'Read-only file system'
	fi
	assert_equal "$(cat /proc/sys/kernel/core_pattern)" "$before"
}

@test "/dev: only the default nodes and linux.devices; no mknod of a block device" {
	update_config '.linux.devices = [{"path": "/dev/fuse", "type": "c", "major": 10, "minor": 229, "fileMode": 438}]'
	set_args sh -c 'exec 2>&1; ls /dev; mknod /dev/sdx b 8 0; mknod /dev/shm/sdx b 8 0; ls /dev/sdx /dev/shm/sdx'
	run husk run --bundle "$BUNDLE" c1
	expected="fd full fuse mqueue null ptmx pts random shm stderr stdin stdout tty urandom zero"
	# /dev/core only where the host has a /proc/kcore to point it at
	[ -e /proc/kcore ] && expected="core $expected"
	assert_equal "$(head -n -4 <<<"$output" | tr '\n' ' ')" "$expected "
	assert_line --regexp "^mknod: /dev/sdx: (Operation not permitted|Permission denied)"
	assert_line --regexp "^mknod: /dev/shm/sdx: (Operation not permitted|Permission denied)"
	assert_line --partial "/dev/sdx: No such file"
	assert_line --partial "/dev/shm/sdx: No such file"
}

@test "--console-socket a regular file, a directory or a fifo: a clear error, nothing left" {
	update_config '.process.terminal = true'
	: >"$BATS_TEST_TMPDIR/plain"
	mkdir "$BATS_TEST_TMPDIR/dir"
	mkfifo "$BATS_TEST_TMPDIR/fifo"
	for sock in plain dir fifo; do
		run ! timeout 10 "$HUSK" --root "$ROOT" create --console-socket "$BATS_TEST_TMPDIR/$sock" --bundle "$BUNDLE" c1 </dev/null
		[ "$status" -ne 124 ] # a fifo must not be opened and block
		if is_husk; then
			assert_husk_error '--console-socket' "$BATS_TEST_TMPDIR/$sock" 'not a unix socket'
		fi
		assert_nothing_left
	done
	assert_file_exists "$BATS_TEST_TMPDIR/plain"
	assert_equal "$(stat -c %s "$BATS_TEST_TMPDIR/plain")" 0
	[ -p "$BATS_TEST_TMPDIR/fifo" ]
	assert_equal "$(ls -A "$BATS_TEST_TMPDIR/dir")" ""
}

@test "args[0] a symlink out of the rootfs runs the container's file or fails, never the host's" {
	# The host's program, and one at the same path in the rootfs.
	mkdir -p "$HOSTDIR/bin" "$BUNDLE/rootfs$HOSTDIR/bin"
	printf '#!/bin/sh\necho HOST PROGRAM\n' >"$HOSTDIR/bin/prog"
	printf '#!/bin/sh\necho CONTAINER PROGRAM\n' >"$BUNDLE/rootfs$HOSTDIR/bin/prog"
	chmod 755 "$HOSTDIR/bin/prog" "$BUNDLE/rootfs$HOSTDIR/bin/prog"
	ln -s "/../../../../../../..$HOSTDIR/bin/prog" "$BUNDLE/rootfs/bin/evil"
	ln -s "../../../../../../../../../../..$HOSTDIR/bin/prog" "$BUNDLE/rootfs/bin/evil-rel"
	# only on the host: must fail in the container
	printf '#!/bin/sh\necho HOST ONLY\n' >"$HOSTDIR/bin/only"
	chmod 755 "$HOSTDIR/bin/only"
	ln -s "/../../../..$HOSTDIR/bin/only" "$BUNDLE/rootfs/bin/evil-only"
	ln -s /../../../../usr/bin/id "$BUNDLE/rootfs/bin/evil-id"

	for prog in /bin/evil /bin/evil-rel evil; do
		set_args "$prog"
		run -0 husk run --bundle "$BUNDLE" c1
		assert_output "CONTAINER PROGRAM"
		husk delete --force c1 2>/dev/null || true
	done
	set_args /bin/evil-only
	run husk run --bundle "$BUNDLE" c1
	refute_output --partial "HOST ONLY"
	[ "$status" -ne 0 ]
	husk delete --force c1 2>/dev/null || true
	# /usr/bin/id of the container: busybox
	set_args readlink -f /bin/evil-id
	run -0 husk run --bundle "$BUNDLE" c1
	assert_output /bin/busybox
	husk delete --force c1 2>/dev/null || true

	set_args sleep 300
	husk_bg run -d --bundle "$BUNDLE" c1
	run -0 husk exec c1 /bin/evil
	assert_output "CONTAINER PROGRAM"
	run -0 husk exec c1 /bin/evil-rel
	assert_output "CONTAINER PROGRAM"
	run husk exec c1 /bin/evil-only
	refute_output --partial "HOST ONLY"
	[ "$status" -ne 0 ]
}

# --- the runc advisories of 2023-2025 -----------------------------------------

# listen_tty: the test-sockets helper receiving the pty on $SOCK; what the
# container writes to its terminal goes to $BATS_TEST_TMPDIR/out.
listen_tty() {
	local sockets=${HUSK_TEST_SOCKETS:-$BATS_TEST_DIRNAME/../helpers/test-sockets}
	[ -x "$sockets" ] || skip "tests/helpers/test-sockets is not built (make check builds it)"
	SOCK=$BATS_TEST_TMPDIR/sock
	"$sockets" recvtty "$SOCK" </dev/null >"$BATS_TEST_TMPDIR/out" 2>&1 &
	LISTENER=$!
	for _ in $(seq 100); do [ -S "$SOCK" ] && return 0; sleep 0.05; done
	return 1
}

# tty_output: what the container wrote to its terminal, once it is done.
tty_output() {
	for _ in $(seq 200); do kill -0 "$LISTENER" 2>/dev/null || break; sleep 0.05; done
	tr -d '\r' <"$BATS_TEST_TMPDIR/out"
}

@test "CVE-2025-52565: /dev/console is the container's pty even where /dev/pts/N leads elsewhere" {
	# /dev/pts from a volume another container controls: its ptmx leads to
	# a real devpts, so that the pty is made there, and its "0" (the name
	# of that pty) to a procfs file. Bound by that name, /dev/console
	# would be the procfs file; bound from the pty itself, it is the pty.
	SHARED=$BATS_TEST_TMPDIR/shared-pts
	mkdir "$SHARED"
	ln -s /dev/realpts/ptmx "$SHARED/ptmx"
	ln -s /proc/sys/kernel/hostname "$SHARED/0"
	update_config ".process.terminal = true | .hostname = \"orig\"
		| .mounts |= map(select(.destination != \"/dev/pts\"))
		| .mounts += [{\"destination\": \"/dev/realpts\", \"type\": \"devpts\", \"source\": \"devpts\",
			\"options\": [\"nosuid\", \"noexec\", \"newinstance\", \"ptmxmode=0666\", \"mode=0620\"]},
			{\"destination\": \"/dev/pts\", \"type\": \"bind\", \"source\": \"$SHARED\", \"options\": [\"rbind\"]}]"
	set_args sh -c 'echo "tty $(stat -L -c %t:%T /proc/self/fd/0)"
		echo "console $(stat -c %F:%t:%T /dev/console)"
		echo pwned >/dev/console 2>/dev/null; echo "hostname $(hostname)"'
	listen_tty
	husk_bg create --console-socket "$SOCK" --bundle "$BUNDLE" c1
	husk start c1
	run -0 tty_output
	tty=$(sed -n 's/^tty //p' <<<"$output")
	[ -n "$tty" ]
	assert_line "console character special file:$tty"
	assert_line "hostname orig"
	# and the volume is as it was
	assert_equal "$(readlink "$SHARED/0")" /proc/sys/kernel/hostname
	[ "$(ls -A "$SHARED" | wc -l)" = 2 ]
}

@test "CVE-2025-52565: a symlink raced onto /dev/console does not take the pty elsewhere" {
	# /dev from a volume where another container swaps "console" between a
	# file and a symlink to a procfs file, as fast as it can.
	# It holds what a container's /dev needs for a terminal (ptmx leading to
	# the devpts husk mounts, /dev/null bound in below).
	DEV=$BATS_TEST_TMPDIR/shared-dev
	mkdir "$DEV"
	ln -s pts/ptmx "$DEV/ptmx"
	(
		set +e
		cd "$DEV" || exit 1
		while :; do
			ln -sfn /proc/sys/kernel/hostname link && mv -T link console
			rm -f console; : >console
		done 2>/dev/null
	) &
	SWAPPER=$!
	update_config ".process.terminal = true | .hostname = \"orig\"
		| .mounts |= map(if .destination == \"/dev\" then
			{\"destination\": \"/dev\", \"type\": \"bind\", \"source\": \"$DEV\", \"options\": [\"rbind\"]} else . end)
		| .mounts += [{\"destination\": \"/dev/null\", \"type\": \"bind\", \"source\": \"/dev/null\", \"options\": [\"bind\"]}]"
	set_args sh -c 'echo "hostname $(stat -c %F /proc/sys/kernel/hostname) $(hostname)"'
	started=0
	for i in $(seq 15); do
		listen_tty
		if husk_bg create --console-socket "$SOCK" --bundle "$BUNDLE" "r$i" >/dev/null 2>&1 &&
			husk start "r$i" 2>/dev/null; then
			started=$((started + 1))
			run tty_output
			assert_line --partial "hostname regular"
			assert_line --partial " orig"
		fi
		kill "$LISTENER" 2>/dev/null || true
		husk delete --force "r$i" >/dev/null 2>&1 || true
	done
	# A /dev that no create gets through would check nothing.
	[ "$started" -gt 0 ] || fail "no container of the 15 started"
}

@test "CVE-2025-52881: sysctls written into a shared mount namespace reach the sysctl, not a mount on it" {
	# An attacker container with a mount over its /proc/sys/kernel/domainname
	# (a bind of the hostname file: a harmless stand-in for
	# /proc/sysrq-trigger); the victim joins its mount namespace and sets
	# kernel.domainname. Written through the attacker's /proc, the value
	# would become the victim's hostname.
	# Its /proc/sys is writable: else the bind would inherit read-only and
	# a redirected write fail anyway, hiding what this is about.
	update_config '.process.capabilities |= with_entries(.value += ["CAP_SYS_ADMIN"])
		| .linux.readonlyPaths -= ["/proc/sys"]'
	set_args sh -c 'mount --bind /proc/sys/kernel/hostname /proc/sys/kernel/domainname && touch /dev/shm/ready; sleep 300'
	husk_bg run -d --bundle "$BUNDLE" attacker
	for _ in $(seq 50); do husk exec attacker test -e /dev/shm/ready && break; sleep 0.1; done
	run -0 husk exec attacker test -e /dev/shm/ready
	pid=$(container_pid attacker)
	# The victim lives in the attacker's root, in namespaces of its own
	# but the mount and pid namespaces (so that the attacker's /proc shows
	# it).
	VICTIM=$BATS_TEST_TMPDIR/victim
	mkdir "$VICTIM"
	jq --arg ns "/proc/$pid/ns/mnt" '
		.root = {"path": "/"} | .hostname = "orig" | .linux.sysctl = {"kernel.domainname": "redirected"}
		| .mounts = [] | .linux.maskedPaths = [] | .linux.readonlyPaths = []
		| .linux.namespaces |= map(if .type == "mount" then .path = $ns
			elif .type == "pid" then .path = ($ns | sub("mnt$"; "pid")) else . end)
		| .process.args = ["uname", "-n"]' \
		"$BUNDLE/config.json" >"$VICTIM/config.json"
	run husk run --bundle "$VICTIM" victim
	refute_output --partial redirected
	if is_husk; then
		assert_success
		assert_output orig
	fi
}

@test "CVE-2024-45310: a volume shared with a container that races a symlink gets no directory made on the host" {
	# The volume holds the parent of a mount destination; another container
	# swaps it between a directory and a symlink to a host path.
	# The host directory the symlink leads to exists, so that a mkdir that
	# followed the symlink would succeed there.
	VOL=$BATS_TEST_TMPDIR/volume
	target=$BATS_TEST_TMPDIR/hostside/made
	mkdir -p "$VOL/sub" "$target"
	start_swapper "$VOL/sub" "$target"
	update_config ".mounts += [{\"destination\": \"/vol\", \"type\": \"bind\", \"source\": \"$VOL\", \"options\": [\"rbind\"]},
		{\"destination\": \"/vol/sub/a/b\", \"type\": \"tmpfs\", \"source\": \"tmpfs\"}]"
	run_while_swapping 30
	[ "$RUNS_OK" -gt 0 ] || fail "none of the 30 runs succeeded"
	assert_not_exists "$target/a"
	assert_equal "$(ls -A "$target")" ""
	assert_not_exists /a
}

@test "CVE-2023-28642: a rootfs whose /proc is a symlink is refused" {
	rmdir "$BUNDLE/rootfs/proc"
	mkdir "$BUNDLE/rootfs/elsewhere"
	ln -s /elsewhere "$BUNDLE/rootfs/proc"
	set_args sh -c 'cat /proc/kcore | head -c 1 | wc -c; echo x >/proc/sys/kernel/hostname && echo WRITABLE'
	run ! husk run --bundle "$BUNDLE" c1
	requires_husk
	assert_husk_error '/proc' 'symlink'
	refute_output --partial WRITABLE
	husk delete --force c1
	assert_nothing_left
	# the same for /sys
	rm "$BUNDLE/rootfs/proc"
	mkdir "$BUNDLE/rootfs/proc"
	rmdir "$BUNDLE/rootfs/sys"
	ln -s /elsewhere "$BUNDLE/rootfs/sys"
	run ! husk run --bundle "$BUNDLE" c1
	assert_husk_error '/sys' 'symlink'
}

@test "CVE-2023-25809: a rootless container without a cgroup namespace gets no writable cgroupfs" {
	setup_rootless_user
	setup_rootless_bundle
	# No cgroup namespace: /sys/fs/cgroup is the host's, under the /sys
	# that spec --rootless binds read-only ("rbind", "ro").
	# Each mount under /sys, with its own (per-mount) rw or ro.
	cat >"$RL_DIR/rootfs/sys-mounts" <<-'SCRIPT'
		awk '$5 ~ /^\/sys/ { split($6, o, ","); print $5, o[1] }' /proc/self/mountinfo
	SCRIPT
	rl_config '.linux.namespaces |= map(select(.type != "cgroup"))
		| .mounts |= map(select(.destination != "/sys/fs/cgroup"))
		| .process.args = ["sh", "/sys-mounts"]'
	run -0 rl run --bundle "$RL_DIR" c1
	assert_line --regexp '^/sys/fs/cgroup'
	refute_line --regexp ' rw$'
	# and with the cgroup mount spec --rootless has
	rl_config '.mounts += [{"destination": "/sys/fs/cgroup", "type": "cgroup", "source": "cgroup",
		"options": ["nosuid", "noexec", "nodev", "relatime", "ro"]}]'
	run rl run --bundle "$RL_DIR" c1
	refute_line --regexp ' rw$'
}

@test "CVE-2016-9962: the waiting init's fds and memory are out of the container's reach" {
	set_args sleep 300
	husk_bg create --bundle "$BUNDLE" c1
	# The init, still husk, holds fds of the host (its /proc, the state
	# directory's exec.fifo): none may be followed or read through it. (The
	# kernel lets root list /proc/1/fd; following an entry needs ptrace
	# access, which a non-dumpable process refuses.)
	run -0 husk exec c1 sh -c 'exec 2>&1
		for n in $(ls /proc/1/fd); do
			readlink /proc/1/fd/$n >/dev/null 2>&1 && echo "followed fd $n"
			ls /proc/1/fd/$n/ >/dev/null 2>&1 && echo "opened fd $n"
		done
		head -c 1 /proc/1/mem >/dev/null && echo "read memory"
		cat /proc/1/environ >/dev/null && echo "read environ"
		:'
	refute_output --partial 'followed fd'
	refute_output --partial 'opened fd'
	refute_output --partial 'read memory'
	refute_output --partial 'read environ'
	assert_output --partial 'Permission denied'
	husk start c1
}
