#!/bin/bash
# make soak: husk run many times over, as an engine's host does, and the host
# is the same at the end as at the start.
#   bench/soak.sh [N]      N (default 10000, or $SOAK_N) of each of:
#     1. `run` lifecycles (create, start, wait, delete) one after the other;
#     2. `exec`s into one running container, one after the other;
#     3. and 4. the same with $SOAK_WORKERS (default 8) workers at once.
# Before and after: the caller's fd count, the mount table, the cgroups under
# husk's default path in every hierarchy, the state dirs, and the zombies
# (the caller's, and those under the exec container's init); they must be
# equal. In 1 and 2 the last
# tenth of the runs (the last 1,000 of 10,000) must take at most 1.2 times
# as long as the first tenth: no cost that grows with history.
# Exit 0 when all holds. Needs root.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
HUSK=$(readlink -f "${HUSK:-$top/husk}")
N=${1:-${SOAK_N:-10000}}
WORKERS=${SOAK_WORKERS:-8}
MAX_RATIO=${SOAK_MAX_RATIO:-1.2}
[ "$(id -u)" = 0 ] || {
	echo "bench/soak.sh runs containers: run it as root" >&2
	exit 1
}
[ "$N" -ge 10 ] || {
	echo "N must be at least 10" >&2
	exit 2
}

work=$(mktemp -d /tmp/husk-soak.XXXXXX)
ROOT=$work/root
BUNDLE=$work/bundle
mkdir -p "$ROOT"
cleanup() {
	local id
	for id in $(ls -A "$ROOT" 2>/dev/null); do
		"$HUSK" --root "$ROOT" delete --force "$id" >/dev/null 2>&1
	done
	rm -rf "$work"
}
trap cleanup EXIT
HUSK=$HUSK "$top/bundles/busybox/make-bundle.sh" "$BUNDLE" >/dev/null || exit 1
jq '.process.terminal = false | .process.args = ["true"]' "$BUNDLE/config.json" >"$work/c.json" &&
	mv "$work/c.json" "$BUNDLE/config.json"
h() { "$HUSK" --root "$ROOT" "$@"; }

. "$top/tests/cgroup-mounts.sh"

# snapshot: one line per thing that must not change.
snapshot() {
	local m n=0
	echo "caller fds: $(ls /proc/$$/fd | wc -l)"
	echo "mounts: $(wc -l </proc/self/mountinfo)"
	for m in $(cgroup_mounts); do
		[ -d "$m/husk" ] && n=$((n + $(find "$m/husk" -mindepth 1 -type d | wc -l)))
	done
	echo "cgroups under husk/: $n"
	echo "state dirs: $(ls -A "$ROOT" | wc -l)"
	echo "zombies of the caller: $(zombies_of $$)"
}

# zombies_of PID: how many of PID's children are zombies.
zombies_of() {
	ps --no-headers -o stat --ppid "$1" | grep -c '^Z'
}

now_ms() { echo $(($(date +%s%N) / 1000000)); }

FAILED=0
REPORT=$work/report
: >"$REPORT"
say() { echo "$*" | tee -a "$REPORT"; }

# timed_series NAME CMD...: CMD N times (the loop index in $i), failing on
# the first error; the time of the first and of the last tenth.
timed_series() {
	local name=$1 tenth=$((N / 10)) t0 t1 first last i start
	shift
	start=$(now_ms)
	t0=$start
	for ((i = 1; i <= N; i++)); do
		if ! "$@" >/dev/null 2>"$work/err"; then
			say "$name: failed at $i: $(head -c 300 "$work/err")"
			FAILED=1
			return 1
		fi
		if [ "$i" = "$tenth" ]; then
			first=$(($(now_ms) - t0))
		fi
		if [ "$i" = $((N - tenth)) ]; then
			t1=$(now_ms)
		fi
	done
	last=$(($(now_ms) - t1))
	local ratio
	ratio=$(awk -v a="$last" -v b="$first" 'BEGIN { printf "%.2f", a / b }')
	say "$name: $N in $((($(now_ms) - start) / 1000)) s; first $tenth: $first ms ($((first * 1000 / tenth)) us each), last $tenth: $last ms; ratio $ratio"
	if awk -v r="$ratio" -v m="$MAX_RATIO" 'BEGIN { exit !(r > m) }'; then
		say "$name: the last tenth took more than $MAX_RATIO times the first"
		FAILED=1
	fi
}

run_one() { h run --bundle "$BUNDLE" "soak-$i"; }
exec_one() { h exec soak-exec true; }

# parallel NAME FUNC: FUNC N times over $WORKERS workers (each with its own
# ids), timed as a whole.
parallel() {
	local name=$1 fn=$2 w start pids=() per=$((N / WORKERS)) rc=0
	start=$(now_ms)
	for ((w = 0; w < WORKERS; w++)); do
		(
			for ((k = 0; k < per; k++)); do
				i=$w-$k
				"$fn" >/dev/null 2>"$work/err.$w" || {
					echo "worker $w failed at $k: $(head -c 300 "$work/err.$w")"
					exit 1
				}
			done
		) &
		pids+=($!)
	done
	for w in "${pids[@]}"; do wait "$w" || rc=1; done
	local ms=$(($(now_ms) - start))
	say "$name: $((per * WORKERS)) over $WORKERS workers in $((ms / 1000)) s ($((ms * 1000 / (per * WORKERS))) us each)"
	[ "$rc" = 0 ] || {
		say "$name: a worker failed"
		FAILED=1
	}
}

before=$(snapshot)
say "husk soak: N=$N, $WORKERS workers, $(nproc) CPUs, $(uname -r), $("$HUSK" --version | head -1)"
timed_series "run, one after the other" run_one
set_args_sleep() {
	jq '.process.args = ["sleep", "100000"]' "$BUNDLE/config.json" >"$work/c.json"
	mkdir -p "$work/bundle2"
	ln -sfn "$BUNDLE/rootfs" "$work/bundle2/rootfs"
	mv "$work/c.json" "$work/bundle2/config.json"
}
set_args_sleep
h run -d --bundle "$work/bundle2" soak-exec </dev/null >/dev/null 2>&1 || {
	say "could not start the container for exec"
	exit 1
}
timed_series "exec, one after the other" exec_one
parallel "run, in parallel" run_one
parallel "exec, in parallel" exec_one
# The exec'd processes are husk's children, never the container's: none may
# be left for its init (a sleep, which reaps nothing) to hold as a zombie.
init=$(h state soak-exec | jq -r .pid)
n=$(zombies_of "$init")
say "zombies under the container's init after $((2 * N)) execs: $n"
[ "$n" = 0 ] || FAILED=1
h delete --force soak-exec
after=$(snapshot)
if [ "$before" = "$after" ]; then
	say "before and after, the same: $(tr '\n' ';' <<<"$before")"
else
	say "the host changed:"
	diff <(echo "$before") <(echo "$after") | tee -a "$REPORT"
	FAILED=1
fi
[ "$FAILED" = 0 ] && say "soak: passed" || say "soak: FAILED"
exit "$FAILED"
