#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# make check-faults: every syscall husk makes, failed once at each call.
#
# For each command (create, start, exec, kill, pause, update, delete, run) husk runs
# once under `strace -f` to list the syscalls it makes and how often (strace
# counts the calls of a syscall per process). Then, for each syscall and each
# call number N, the command runs again with that call failing, with the
# errno the kernel gives there (errnos: the table), in every process of the
# command (its init or its exec child too):
#   strace -f -e inject=SYSCALL:error=ERRNO:when=N
# After each run, one of:
#   clean       husk exited non-zero with one line "husk: ..." and nothing is
#               left: no state dir, cgroup in any hierarchy, mount under the
#               bundle or the root, process, or new fd in the caller;
#   tolerated   husk exited 0 and the command did its job (checked: the
#               status, the cgroup value, the exit code);
#   not reached the run made fewer calls than N this time (none injected);
#   BUG         anything else: what was left or wrong is printed.
# Then `delete --force` must succeed and leave nothing. The cases in
# `regressions` (bugs found here, fixed) run first, every time.
#
# Call numbers: every call of each syscall (under 2 minutes on a 2-core
# host); HUSK_FAULTS_SAMPLE=1 for a quicker pass: the first
# HUSK_FAULTS_FIRST (default 4) calls, then HUSK_FAULTS_SPREAD (default 4)
# more spread evenly up to the last call. HUSK_FAULTS_CMDS
# picks commands ("create exec"); HUSK_FAULTS_ONLY=SYSCALL one syscall;
# HUSK_FAULTS_LIST=1 prints each command's syscalls and call counts.
# Exit: 0 when no case is a BUG, 1 otherwise, 77 when it cannot run here.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
HUSK=$(readlink -f "${HUSK:-$repo/husk}")
export HUSK

if [ "$(id -u)" != 0 ]; then
	echo "fault injection runs real containers and needs root: skipped"
	exit 77
fi
if ! command -v strace >/dev/null; then
	echo "fault injection needs strace (contrib/install-deps.sh installs it): skipped"
	exit 77
fi
[ -x "$HUSK" ] || {
	echo "HUSK=$HUSK is not an executable" >&2
	exit 1
}

# Containers that share the caller's mount namespace would mount in it; the
# whole pass runs in a private one, so nothing can reach the host's.
if [ -z "${HUSK_FAULTS_UNSHARED:-}" ]; then
	exec env HUSK_FAULTS_UNSHARED=1 unshare -m --propagation private "$0" "$@"
fi

CMDS=${HUSK_FAULTS_CMDS:-create start exec kill pause update delete run}
FIRST=${HUSK_FAULTS_FIRST:-4}
SPREAD=${HUSK_FAULTS_SPREAD:-4}
SAMPLE=${HUSK_FAULTS_SAMPLE:-}
CASE_TIMEOUT=${HUSK_FAULTS_TIMEOUT:-30}

TMP=$(mktemp -d /tmp/husk-faults.XXXXXX)
ROOT=$TMP/root
BUNDLE=$TMP/bundle
RESULTS=$TMP/results
# Every process husk starts carries it: how leftovers are found.
export HUSK_FAULTS_MARK=$TMP
mkdir -p "$ROOT"
: >"$RESULTS"
cd "$TMP" || exit 1

cleanup() {
	local id
	for id in $(ls -A "$ROOT" 2>/dev/null); do
		"$HUSK" --root "$ROOT" delete --force "$id" >/dev/null 2>&1
	done
	kill_tracers
	# Mounts under $TMP are in this private namespace only; take them down
	# before removing anything under them.
	awk -v t="$TMP" 'index($5, t) == 1 { print $5 }' /proc/self/mountinfo | sort -r |
		while read -r m; do umount -l "$m" 2>/dev/null; done
	rm -rf "$TMP"
}
trap cleanup EXIT

HUSK_CMD=("$HUSK" --root "$ROOT")

# --- the bundle ----------------------------------------------------------------

HUSK=$HUSK "$repo/bundles/busybox/make-bundle.sh" "$BUNDLE" >/dev/null ||
	{
		echo "could not make the busybox bundle" >&2
		exit 1
	}
jq --arg mark "HUSK_FAULTS_MARK=$TMP" \
	'.process.terminal = false | .process.args = ["sleep", "600"] | .process.env += [$mark]' \
	"$BUNDLE/config.json" >"$BUNDLE/config.json.new" && mv "$BUNDLE/config.json.new" "$BUNDLE/config.json"
# For `run` in the foreground: the same rootfs, a process that prints and exits.
BUNDLE_EXIT=$TMP/bundle-exit
mkdir -p "$BUNDLE_EXIT"
jq --arg rootfs "$BUNDLE/rootfs" '.root.path = $rootfs | .process.args = ["echo", "the container ran"]' \
	"$BUNDLE/config.json" >"$BUNDLE_EXIT/config.json"

# --- errnos -------------------------------------------------------------------

declare -A ERRNO
while read -r sc e _; do
	case $sc in '' | '#'*) continue ;; esac
	ERRNO[$sc]=$e
done <"$here/errnos"

# --- what is left -------------------------------------------------------------

. "$here/../cgroup-mounts.sh"
CGROUP_MOUNTS=$(cgroup_mounts)

# The live processes husk left: husk's own, or a container's (busybox), that
# carry this run's mark. Prints "PID EXE" lines.
marked_procs() {
	local dir exe pid
	find /proc -mindepth 2 -maxdepth 2 -name exe \( -lname '*husk*' -o -lname '*busybox*' \) \
		-printf '%h %l\n' 2>/dev/null | while read -r dir exe; do
		pid=${dir#/proc/}
		[ "$(awk '{ sub(/.*\) /, ""); print substr($0, 1, 1) }' "$dir/stat" 2>/dev/null)" = Z ] && continue
		tr '\0' '\n' 2>/dev/null <"$dir/environ" | grep -qxF "HUSK_FAULTS_MARK=$TMP" || continue
		echo "$pid $exe"
	done
}

# The tracers of this run (strace -D outlives the command it started).
tracer_pids() {
	local dir
	find /proc -mindepth 2 -maxdepth 2 -name exe -lname "$STRACE" -printf '%h\n' 2>/dev/null |
		while read -r dir; do
			tr '\0' ' ' <"$dir/cmdline" 2>/dev/null | grep -qF "$TMP/" && echo "${dir#/proc/}"
		done
}
STRACE=$(readlink -f "$(command -v strace)")

# kill_tracers: wait (2 s) for this run's tracers to end, then end them.
kill_tracers() {
	local i pids
	for i in $(seq 20); do
		pids=$(tracer_pids)
		[ -z "$pids" ] && return 0
		sleep 0.1
	done
	# shellcheck disable=SC2086
	kill $pids 2>/dev/null
}

# The mount table of the pass's own mount namespace (private: nothing of the
# host's comes in), for a mount husk left anywhere, not only under $TMP.
mount_table() {
	awk '{ print $5 }' /proc/self/mountinfo | sort
}

# leftovers ID MOUNTS: what husk left of container ID (and of nothing else),
# MOUNTS the mount_table from before the case; prints one line per thing,
# nothing when clean.
leftovers() {
	local id=$1 before=$2 m
	[ -e "$ROOT/$id" ] && echo "state dir $ROOT/$id"
	# (a state dir moved away to be removed, and not removed)
	ls -A "$ROOT" | grep '^\.deleting-' | sed "s|^|state dir $ROOT/|"
	for m in $CGROUP_MOUNTS; do
		[ -d "$m/husk/$id" ] && echo "cgroup $m/husk/$id"
	done
	comm -13 <(echo "$before") <(mount_table) | sed 's/^/mount /'
	marked_procs | sed 's/^/process /'
	return 0
}

caller_fds() {
	ls /proc/$BASHPID/fd | wc -l
}

# --- the commands ---------------------------------------------------------------

# setup_CMD ID: make what CMD works on. args_CMD ID: CMD's arguments.
# check_CMD ID: CMD did its job (after it exited 0).
husk_q() { "${HUSK_CMD[@]}" "$@" </dev/null >/dev/null 2>&1; }
status_of() { "${HUSK_CMD[@]}" state "$1" 2>/dev/null | jq -r .status; }
wait_status() {
	local i
	for i in $(seq 50); do
		[ "$(status_of "$1")" = "$2" ] && return 0
		sleep 0.1
	done
	return 1
}
# cgroup_file ID FILE: FILE of the container's cgroup (husk's default path).
cgroup_file() {
	local m
	for m in $CGROUP_MOUNTS; do
		[ -f "$m/husk/$1/$2" ] && {
			cat "$m/husk/$1/$2"
			return 0
		}
	done
	return 1
}

# in_every_hierarchy ID: the container's cgroup is in every hierarchy.
in_every_hierarchy() {
	local m
	for m in $CGROUP_MOUNTS; do
		[ -d "$m/husk/$1" ] || return 1
	done
}

# init_mounts ID: the mount points the container's init sees, sorted.
init_mounts() {
	local pid
	pid=$("${HUSK_CMD[@]}" state "$1" 2>/dev/null | jq -r .pid) && [ "$pid" -gt 0 ] &&
		awk '{ print $5 }' "/proc/$pid/mountinfo" | sort
}

setup_create() { :; }
args_create() { echo create --bundle "$BUNDLE" "$1"; }
# Created, in its cgroup. Or: the init failed once create was done with it
# (reopening exec.fifo, after READY, as runc's), and `start` says so.
check_create() {
	case $(status_of "$1") in
	created)
		in_every_hierarchy "$1" || return 1
		# every mount made, every path masked: as without a fault
		[ "$(init_mounts "$1")" = "$BASE_MOUNTS" ] || {
			echo "mounts differ: $(diff <(echo "$BASE_MOUNTS") <(init_mounts "$1") | grep '^[<>]' | tr '\n' ' ')" >"$TMP/why"
			return 1
		}
		;;
	stopped)
		"${HUSK_CMD[@]}" start "$1" </dev/null >/dev/null 2>"$TMP/start-err" && return 1
		[ "$(wc -l <"$TMP/start-err")" = 1 ] && grep -q '^husk: ' "$TMP/start-err" &&
			echo "reported by start: $(cat "$TMP/start-err")" >"$TMP/note"
		;;
	*) return 1 ;;
	esac
}

setup_start() { husk_q create --bundle "$BUNDLE" "$1"; }
args_start() { echo start "$1"; }
check_start() { [ "$(status_of "$1")" = running ]; }

setup_running() { husk_q run -d --bundle "$BUNDLE" "$1"; }

setup_exec() { setup_running "$1"; }
args_exec() { echo exec "$1" true; }
check_exec() { :; } # exit 0 was the process's own

setup_kill() { setup_running "$1"; }
args_kill() { echo kill "$1" KILL; }
check_kill() { wait_status "$1" stopped; }

setup_pause() { setup_running "$1"; }
args_pause() { echo pause "$1"; }
check_pause() { [ "$(status_of "$1")" = paused ]; }

setup_update() { setup_running "$1"; }
args_update() { echo update --pids-limit 77 "$1"; }
check_update() { [ "$(cgroup_file "$1" pids.max)" = 77 ]; }

# run in the foreground: create, start, wait, delete; the process's output
# reached the caller and nothing of the container is left. Or, as runc's
# run: the delete after the process failed, run said so in a warning and
# still exited with the process's status, and the container is there for a
# delete (run_case's delete --force) to finish: stopped, or "creating" where
# its state.json was removed already.
setup_run() { :; }
args_run() { echo run --bundle "$BUNDLE_EXIT" "$1"; }
check_run() {
	local status
	grep -qx 'the container ran' "$TMP/out" || return 1
	[ -e "$ROOT/$1" ] || return 0
	status=$(status_of "$1")
	case $status in stopped | creating) ;; *) return 1 ;; esac
	grep -q '^husk: warning: ' "$TMP/err" &&
		echo "left $status, with: $(head -1 "$TMP/err")" >"$TMP/note"
}

setup_delete() { setup_running "$1"; }
args_delete() { echo delete --force "$1"; }
check_delete() { [ ! -e "$ROOT/$1" ]; }

# --- one case -----------------------------------------------------------------

SEQ=0
CLEAN=0 TOLERATED=0 NOTREACHED=0 BUGS=0 INJECTED=0

# bug CMD SYSCALL WHEN ERRNO WHAT...
bug() {
	local what="$1 $2#$3 ($4)"
	shift 4
	BUGS=$((BUGS + 1))
	printf 'BUG %s: %s\n' "$what" "$*" | tee -a "$RESULTS"
}

# run_case CMD SYSCALL WHEN ERRNO
run_case() {
	local cmd=$1 sc=$2 when=$3 errno=$4 id log rc fds mounts left lines
	SEQ=$((SEQ + 1))
	id=flt$$-$SEQ
	log=$TMP/trace.$SEQ
	if ! "setup_$cmd" "$id"; then
		bug "$cmd" "$sc" "$when" "$errno" "setup failed (without a fault)"
		husk_q delete --force "$id"
		return
	fi
	fds=$(caller_fds)
	mounts=$(mount_table)
	# shellcheck disable=SC2046
	timeout -s KILL "$CASE_TIMEOUT" strace -f -D -qq -I1 -s 512 -o "$log" -e trace="$sc" \
		-e inject="$sc:error=$errno:when=$when" \
		"${HUSK_CMD[@]}" $("args_$cmd" "$id") </dev/null >"$TMP/out" 2>"$TMP/err"
	rc=$?
	local problems=()
	rm -f "$TMP/note"
	# Injected into husk's own write of its message to stderr: the message
	# is the one it tried to write.
	if [ "$rc" != 0 ] && [ ! -s "$TMP/err" ] &&
		grep -q '^[0-9]* *write(2, "husk: .*(INJECTED)' "$log"; then
		sed -n 's/^[0-9]* *write(2, "\(husk: .*\)", [0-9]*) = -1 .*(INJECTED)$/\1/p' "$log" |
			sed 's/\\n$//' | head -1 >"$TMP/err"
	fi
	if ! grep -q 'INJECTED' "$log" 2>/dev/null; then
		NOTREACHED=$((NOTREACHED + 1))
		echo "notreached $cmd $sc#$when" >>"$RESULTS"
		husk_q delete --force "$id"
		kill_tracers
		rm -f "$log"
		return
	fi
	INJECTED=$((INJECTED + 1))
	if [ "$rc" = 0 ]; then
		rm -f "$TMP/why"
		"check_$cmd" "$id" || problems+=("exited 0 but did not do its job $(cat "$TMP/why" 2>/dev/null)")
		[ -s "$TMP/err" ] && [ "$(grep -cv '^husk: warning: ' "$TMP/err")" != 0 ] &&
			problems+=("exited 0 with: $(head -c 300 "$TMP/err")")
	elif [ "$rc" = 137 ]; then
		problems+=("hung (killed after ${CASE_TIMEOUT}s)")
	else
		lines=$(wc -l <"$TMP/err")
		if [ "$lines" != 1 ] || ! grep -q '^husk: ' "$TMP/err"; then
			problems+=("exit $rc, not one 'husk: ' line: $(head -c 400 "$TMP/err" | tr '\n' '|')")
		fi
		# A create that failed made nothing; any other command leaves
		# the container it was given.
		if [ "$cmd" = create ]; then
			left=$(leftovers "$id" "$mounts")
			[ -n "$left" ] && problems+=("left after the failed create: $(tr '\n' ';' <<<"$left")")
		fi
	fi
	[ "$(caller_fds)" = "$fds" ] || problems+=("the caller's fds went from $fds to $(caller_fds)")
	if ! "${HUSK_CMD[@]}" delete --force "$id" </dev/null >/dev/null 2>"$TMP/del"; then
		problems+=("delete --force then failed: $(head -c 300 "$TMP/del")")
	fi
	kill_tracers
	left=$(leftovers "$id" "$mounts")
	[ -n "$left" ] && problems+=("left after delete --force: $(tr '\n' ';' <<<"$left")")
	if [ ${#problems[@]} -gt 0 ]; then
		bug "$cmd" "$sc" "$when" "$errno" "$(IFS=';'; echo "${problems[*]}") [err: $(head -c 200 "$TMP/err" | tr '\n' ' ')]"
		# Nothing of this case may spoil the next one.
		for m in $CGROUP_MOUNTS; do
			[ -d "$m/husk/$id" ] && find "$m/husk/$id" -depth -type d -exec rmdir {} \; 2>/dev/null
		done
		marked_procs | while read -r p _; do kill -9 "$p" 2>/dev/null; done
		rm -rf "${ROOT:?}/$id" "$ROOT"/.deleting-*
	elif [ "$rc" = 0 ]; then
		TOLERATED=$((TOLERATED + 1))
		echo "tolerated $cmd $sc#$when" >>"$RESULTS"
		[ -f "$TMP/note" ] && echo "  $cmd $sc#$when: $(cat "$TMP/note")"
	else
		CLEAN=$((CLEAN + 1))
		echo "clean $cmd $sc#$when $(head -c 200 "$TMP/err")" >>"$RESULTS"
	fi
	rm -f "$log"
}

# --- the listing ----------------------------------------------------------------

# list_syscalls CMD: "SYSCALL MAX" for each syscall the command made, MAX
# the most calls of it by one process. A process that has execve'd the
# container's program is no longer husk: its calls after that do not count.
list_syscalls() {
	local cmd=$1 id=flt$$-list-$1 log=$TMP/list.$1
	"setup_$cmd" "$id" || return 1
	# shellcheck disable=SC2046
	timeout -s KILL "$CASE_TIMEOUT" strace -f -D -qq -I1 -o "$log" \
		"${HUSK_CMD[@]}" $("args_$cmd" "$id") </dev/null >/dev/null 2>"$TMP/err" || {
		echo "$cmd failed without a fault: $(cat "$TMP/err")" >&2
		return 1
	}
	husk_q delete --force "$id"
	kill_tracers
	awk -v husk="$HUSK" '
		{
			pid = $1
			if (done[pid]) next
			line = $0
			sub(/^[0-9]+ +/, "", line)
			if (match(line, /^<\.\.\. [a-z0-9_]+ resumed>/)) {
				name = substr(line, 6, RLENGTH - 14)
				if ((name == "execve" || name == "execveat") && line ~ /= 0$/ && pending[pid] !~ husk)
					done[pid] = 1
				next
			}
			if (!match(line, /^[a-z0-9_]+\(/)) next
			name = substr(line, 1, RLENGTH - 1)
			c = ++count[pid, name]
			if (c > max[name]) max[name] = c
			if (name == "execve" || name == "execveat") {
				pending[pid] = line
				if (line ~ /= 0$/ && line !~ husk && line !~ /execveat\([0-9]+, ""/)
					done[pid] = 1
			}
		}
		END { for (s in max) print s, max[s] }' "$log" | sort
}

# call_numbers MAX: the call numbers to inject at.
call_numbers() {
	local max=$1 i n
	if [ -z "$SAMPLE" ] || [ "$max" -le $((FIRST + SPREAD)) ]; then
		seq 1 "$max"
		return
	fi
	seq 1 "$FIRST"
	for i in $(seq 1 "$SPREAD"); do
		n=$((FIRST + (max - FIRST) * i / SPREAD))
		echo "$n"
	done | sort -nu
}

# --- the pass -------------------------------------------------------------------

start=$(date +%s)
SITES=0
SKIPPED=()

# What a create without a fault mounts, for check_create.
husk_q create --bundle "$BUNDLE" "flt$$-base"
BASE_MOUNTS=$(init_mounts "flt$$-base")
husk_q delete --force "flt$$-base"
[ -n "$BASE_MOUNTS" ] || {
	echo "husk create fails here without a fault" >&2
	exit 1
}

if [ -f "$here/regressions" ]; then
	while read -r cmd sc when errno _; do
		case $cmd in '' | '#'*) continue ;; esac
		run_case "$cmd" "$sc" "$when" "$errno"
	done <"$here/regressions"
	echo "regressions: $SEQ cases: $CLEAN clean errors, $TOLERATED tolerated, $BUGS bugs, $NOTREACHED not reached"
fi
REGRESSION_BUGS=$BUGS
CLEAN=0 TOLERATED=0 NOTREACHED=0 BUGS=0 INJECTED=0

for cmd in $CMDS; do
	listing=$(list_syscalls "$cmd") || {
		bug "$cmd" - 0 - "could not list its syscalls"
		continue
	}
	n_sc=0 n_sites=0
	[ -n "${HUSK_FAULTS_LIST:-}" ] && echo "$cmd:" $listing
	while read -r sc max; do
		[ -n "${HUSK_FAULTS_ONLY:-}" ] && [ "$sc" != "$HUSK_FAULTS_ONLY" ] && continue
		errno=${ERRNO[$sc]:-}
		if [ -z "$errno" ]; then
			bug "$cmd" "$sc" 0 - "no errno in tests/faults/errnos for $sc"
			continue
		fi
		if [ "$errno" = - ]; then
			SKIPPED+=("$sc")
			continue
		fi
		n_sc=$((n_sc + 1))
		for when in $(call_numbers "$max"); do
			n_sites=$((n_sites + 1))
			run_case "$cmd" "$sc" "$when" "$errno"
		done
	done <<<"$listing"
	SITES=$((SITES + n_sites))
	echo "$cmd: $(wc -l <<<"$listing") syscalls made, $n_sc injected at $n_sites call sites ($(($(date +%s) - start)) s so far)"
done

echo "not injected (the kernel does not fail them as husk makes them: errnos): $(printf '%s\n' "${SKIPPED[@]}" | sort -u | tr '\n' ' ')"
if [ "$TOLERATED" -gt 0 ]; then
	echo "tolerated (husk exited 0 and did its job):"
	awk '$1 == "tolerated" { print "  " $2 ": " $3 }' "$RESULTS" | sort | uniq |
		awk '{ k = $1 " " $2; sub(/#.*/, "", k); a[$1] = a[$1] " " $2 } END { for (c in a) print "  " c a[c] }' | sort
fi
echo "fault injection: $SITES call sites (syscall x call number) in $(wc -w <<<"$CMDS") commands," \
	"$INJECTED injected: $CLEAN clean errors, $TOLERATED tolerated, $BUGS bugs;" \
	"$NOTREACHED not reached; $(($(date +%s) - start)) s"
[ "$BUGS" = 0 ] && [ "$REGRESSION_BUGS" = 0 ]
