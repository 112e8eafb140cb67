#!/bin/bash
# husk vs crun vs runc on one busybox bundle, in one run; every figure is
# also given as a ratio to husk's (>1 means slower or bigger than husk).
#   bench/compare.sh [--quick] [--lifecycle] [--checkpoint] [--systemd-cgroup] [--out FILE]
# --lifecycle: only run, create/start/delete and exec (for slow hosts, such
# as the systemd VM under TCG, where each container is a unit).
# --checkpoint: only checkpoint and restore of one running container, with
# CRIU (needs criu, and a host where `criu check` passes: the pure cgroup v2
# VM, tests/vm/run.sh bash bench/compare.sh --checkpoint).
# --systemd-cgroup: every runtime gets it, so that systemd makes each
# container's cgroup (a transient scope over D-Bus); it needs systemd as
# PID 1 (HUSK_VM_INIT=systemd tests/vm/run.sh bash bench/compare.sh ...).
# Needs root, hyperfine and GNU time; runtimes that are missing, or that
# cannot run on this host (crun on a hybrid cgroup host), get a row saying why.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
HUSK=${HUSK:-$top/husk}
RUNS=100
PARALLEL_TOTAL=400
PARALLEL_WORKERS=16
MANY=1000
out=""
G="" # global options every runtime gets
LIFECYCLE_ONLY=""
CHECKPOINT_ONLY=""
while [ $# -gt 0 ]; do
	case $1 in
	--quick) RUNS=20 PARALLEL_TOTAL=64 MANY=100 ;;
	--systemd-cgroup) G=--systemd-cgroup ;;
	--lifecycle) LIFECYCLE_ONLY=1 ;;
	--checkpoint) CHECKPOINT_ONLY=1 ;;
	--out) out=$2; shift ;;
	*) echo "usage: $0 [--quick] [--lifecycle] [--checkpoint] [--systemd-cgroup] [--out FILE]" >&2; exit 2 ;;
	esac
	shift
done
[ "$(id -u)" = 0 ] || { echo "bench/compare.sh runs containers: run it as root" >&2; exit 1; }
for tool in hyperfine jq; do
	command -v $tool >/dev/null || { echo "missing $tool (apt-get install $tool)" >&2; exit 1; }
done

work=$(mktemp -d /tmp/husk-bench.XXXXXX)
cleanup() {
	for rt in "${!RT[@]}"; do
		for id in $("${RT[$rt]}" $G --root "$work/root-$rt" list -q 2>/dev/null); do
			"${RT[$rt]}" $G --root "$work/root-$rt" delete --force "$id" >/dev/null 2>&1
		done
	done
	rm -rf "$work"
}
trap cleanup EXIT

HUSK=$HUSK sh "$top/bundles/busybox/make-bundle.sh" "$work/bundle" >/dev/null
# ociVersion 1.0.2: older crun and runc refuse newer versions they do not know.
jq '.ociVersion = "1.0.2" | .process.terminal = false | .process.args = ["/bin/true"]' \
	"$work/bundle/config.json" >"$work/c" &&
	mv "$work/c" "$work/bundle/config.json"
mkdir -p "$work/sleeper"
jq --arg r "$work/bundle/rootfs" '.root.path = $r | .process.args = ["sleep", "3600"]' \
	"$work/bundle/config.json" >"$work/sleeper/config.json"

declare -A RT WHY WHY_CR
RT[husk]=$HUSK
for rt in crun runc; do
	path=$(command -v $rt) || { WHY[$rt]="not installed"; continue; }
	if "$path" $G --root "$work/probe-$rt" run --bundle "$work/bundle" probe >"$work/probe-$rt.log" 2>&1; then
		RT[$rt]=$path
	else
		WHY[$rt]="cannot run here: $(tail -1 "$work/probe-$rt.log" | cut -c1-120)"
		"$path" $G --root "$work/probe-$rt" delete --force probe >/dev/null 2>&1
	fi
done
order=(husk crun runc)

declare -A R # R[metric,rt] = value
ms() { jq -r '.results[0].mean * 1000' "$1"; }
mib() { awk -v b="$1" 'BEGIN {printf "%.2f", b / 1048576}'; }

if [ -n "$CHECKPOINT_ONLY" ]; then
command -v criu >/dev/null || { echo "--checkpoint needs criu (apt-get install criu)" >&2; exit 1; }
criu check >"$work/criu-check" 2>&1 || {
	echo "--checkpoint: criu check fails here: $(grep -m1 Error "$work/criu-check")" >&2
	exit 1
}
CR_ROUNDS=$((RUNS / 10))
[ "$CR_ROUNDS" -ge 3 ] || CR_ROUNDS=3
echo "== checkpoint and restore of a running container ($CR_ROUNDS rounds, taking turns)"
# The process's stdio is the container's own /dev/null: CRIU cannot save a
# file of the host's mounts (runc and crun alike).
mkdir -p "$work/cr"
jq --arg r "$work/bundle/rootfs" '.root.path = $r
	| .process.args = ["sh", "-c", "exec </dev/null >/dev/null 2>&1; exec sleep 3600"]' \
	"$work/bundle/config.json" >"$work/cr/config.json"
for rt in "${order[@]}"; do : >"$work/checkpoint-$rt"; : >"$work/restore-$rt"; done
for i in $(seq "$CR_ROUNDS"); do
	for rt in "${order[@]}"; do
		[ -n "${RT[$rt]:-}" ] || continue
		r="${RT[$rt]} $G --root $work/root-$rt"
		img=$work/img-$rt-$i
		$r run -d --bundle "$work/cr" cr-$rt >/dev/null 2>&1 </dev/null
		t0=$(date +%s%N)
		$r checkpoint --image-path "$img" cr-$rt >"$work/cr-$rt.log" 2>&1 ||
			{ WHY_CR[$rt]=${WHY_CR[$rt]:-"checkpoint failed: $(tail -1 "$work/cr-$rt.log" | cut -c1-100)"}; }
		t1=$(date +%s%N)
		# runc removes the container after a checkpoint; husk and crun
		# leave it stopped
		$r delete --force cr-$rt >/dev/null 2>&1
		t2=$(date +%s%N)
		$r restore -d --image-path "$img" --bundle "$work/cr" cr-$rt >"$work/cr-$rt.log" 2>&1 </dev/null ||
			{ WHY_CR[$rt]=${WHY_CR[$rt]:-"restore failed: $(tail -1 "$work/cr-$rt.log" | cut -c1-100)"}; }
		t3=$(date +%s%N)
		[ "$($r state cr-$rt 2>/dev/null | jq -r .status)" = running ] ||
			WHY_CR[$rt]="${WHY_CR[$rt]:-not running after restore}"
		$r delete --force cr-$rt >/dev/null 2>&1
		rm -rf "$img"
		echo $(((t1 - t0) / 1000)) >>"$work/checkpoint-$rt"
		echo $(((t3 - t2) / 1000)) >>"$work/restore-$rt"
	done
done
for rt in "${order[@]}"; do
	[ -n "${RT[$rt]:-}" ] || continue
	if [ -n "${WHY_CR[$rt]:-}" ]; then
		R[checkpoint,$rt]="— (${WHY_CR[$rt]})"; R[restore,$rt]="— (see checkpoint)"
		continue
	fi
	for phase in checkpoint restore; do
		R[$phase,$rt]=$(sort -n "$work/$phase-$rt" | awk '{a[NR]=$1} END {printf "%.2f", a[int((NR+1)/2)]/1000}')
	done
done
else # CHECKPOINT_ONLY

# In rounds, each runtime and the floor taking turns, so that a host that
# gets busier or quieter during the run weighs on all of them alike.
ROUNDS=5
echo "== sequential run of /bin/true ($RUNS runs, in $ROUNDS rounds taking turns)"
runs_of() { # NAME COMMAND: one round's runs of COMMAND, appended to $work/times-NAME
	local warm=2
	[ -s "$work/times-$1" ] || warm=10
	hyperfine -N -w $warm -r $((RUNS / ROUNDS)) --export-json "$work/round.json" "$2" >/dev/null 2>&1 &&
		jq -r '.results[0].times[]' "$work/round.json" >>"$work/times-$1"
}
mean_ms() { awk '{ s += $1 } END { if (NR) printf "%.3f", s / NR * 1000 }' "$work/times-$1"; }
for round in $(seq $ROUNDS); do
	for rt in "${order[@]}"; do
		[ -n "${RT[$rt]:-}" ] || continue
		runs_of "$rt" "${RT[$rt]} $G --root $work/root-$rt run --bundle $work/bundle bench-$rt"
	done
	runs_of floor 'unshare -m -u -i -p -n -f true'
done
for rt in "${order[@]}"; do
	[ -n "${RT[$rt]:-}" ] || continue
	R[run,$rt]=$(mean_ms "$rt")
done
floor=$(mean_ms floor)

echo "== create / start / delete, by phase (the runtimes taking turns)"
for rt in "${order[@]}"; do
	for phase in create start delete; do : >"$work/$phase-$rt"; done
done
for i in $(seq 30); do
	for rt in "${order[@]}"; do
		[ -n "${RT[$rt]:-}" ] || continue
		r="${RT[$rt]} $G --root $work/root-$rt"
		t0=$(date +%s%N); $r create --bundle "$work/bundle" p-$rt >/dev/null 2>&1 </dev/null
		t1=$(date +%s%N); $r start p-$rt >/dev/null 2>&1
		t2=$(date +%s%N); while [ "$($r state p-$rt 2>/dev/null | jq -r .status)" = running ]; do :; done
		t3=$(date +%s%N); $r delete p-$rt >/dev/null 2>&1
		t4=$(date +%s%N)
		echo $(((t1 - t0) / 1000)) >>"$work/create-$rt"
		echo $(((t2 - t1) / 1000)) >>"$work/start-$rt"
		echo $(((t4 - t3) / 1000)) >>"$work/delete-$rt"
	done
done
for rt in "${order[@]}"; do
	[ -n "${RT[$rt]:-}" ] || continue
	for phase in create start delete; do
		R[$phase,$rt]=$(sort -n "$work/$phase-$rt" | awk '{a[NR]=$1} END {printf "%.2f", a[int((NR+1)/2)]/1000}')
	done
done

echo "== exec of /bin/true into a running container"
for rt in "${order[@]}"; do
	[ -n "${RT[$rt]:-}" ] || continue
	r="${RT[$rt]} $G --root $work/root-$rt"
	$r run -d --bundle "$work/sleeper" ex-$rt >/dev/null 2>&1 </dev/null
	hyperfine -N -w 5 -r "$RUNS" --export-json "$work/exec-$rt.json" "$r exec ex-$rt /bin/true" >/dev/null 2>&1
	R[exec,$rt]=$(ms "$work/exec-$rt.json")
	$r delete --force ex-$rt >/dev/null 2>&1
done

if [ -z "$LIFECYCLE_ONLY" ]; then
echo "== state and list with $MANY containers present"
for rt in "${order[@]}"; do
	[ -n "${RT[$rt]:-}" ] || continue
	r="${RT[$rt]} $G --root $work/many-$rt"
	for i in $(seq "$MANY"); do $r create --bundle "$work/sleeper" m$i >/dev/null 2>&1 </dev/null; done
	hyperfine -N -w 3 -r 20 --export-json "$work/state-$rt.json" "$r state m1" >/dev/null 2>&1
	hyperfine -N -w 3 -r 10 --export-json "$work/list-$rt.json" "$r list" >/dev/null 2>&1
	R[state,$rt]=$(ms "$work/state-$rt.json")
	R[list,$rt]=$(ms "$work/list-$rt.json")
	for i in $(seq "$MANY"); do $r delete --force m$i >/dev/null 2>&1; done
done

echo "== $PARALLEL_TOTAL containers from $PARALLEL_WORKERS parallel workers"
for rt in "${order[@]}"; do
	[ -n "${RT[$rt]:-}" ] || continue
	t0=$(date +%s%N)
	seq "$PARALLEL_TOTAL" | xargs -P "$PARALLEL_WORKERS" -I{} \
		"${RT[$rt]}" $G --root "$work/par-$rt" run --bundle "$work/bundle" par-{} >/dev/null 2>&1
	t1=$(date +%s%N)
	R[parallel,$rt]=$(awk -v d=$((t1 - t0)) 'BEGIN {printf "%.1f", d / 1e6}')
done

echo "== peak RSS, smallest memory.max, binary size"
for rt in "${order[@]}"; do
	[ -n "${RT[$rt]:-}" ] || continue
	rss=0
	for i in 1 2 3; do
		/usr/bin/time -f %M -o "$work/rss" "${RT[$rt]}" $G --root "$work/root-$rt" run --bundle "$work/bundle" rss-$rt >/dev/null 2>&1
		v=$(tail -1 "$work/rss"); [ "$v" -gt "$rss" ] && rss=$v
	done
	R[rss,$rt]=$(awk -v k="$rss" 'BEGIN {printf "%.1f", k / 1024}')
	# Stripped, as distributions ship them (a build tree's husk has debug info).
	strip -o "$work/stripped-$rt" "${RT[$rt]}" 2>/dev/null || cp -L "${RT[$rt]}" "$work/stripped-$rt"
	bin_bytes=$(stat -c %s "$work/stripped-$rt")
	# What a start maps in all: a dynamic binary's shared libraries (libc
	# included) count too, since a static one carries its share of them.
	lib_bytes=$(ldd "${RT[$rt]}" 2>/dev/null |
		awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\// {print $1}' |
		xargs -r stat -L -c %s | awk '{s += $1} END {print s + 0}')
	R[size,$rt]=$(mib "$bin_bytes")
	R[sizelibs,$rt]=$(mib $((bin_bytes + lib_bytes)))
	# The smallest memory limit under which the container still runs.
	best="-"
	for kib in 256 384 512 768 1024 2048 4096 8192; do
		jq --argjson m $((kib * 1024)) '.linux.resources.memory = {"limit": $m, "swap": $m}' \
			"$work/bundle/config.json" >"$work/memcfg.json"
		mkdir -p "$work/mem-$rt" && cp "$work/memcfg.json" "$work/mem-$rt/config.json"
		jq --arg r "$work/bundle/rootfs" '.root.path = $r' "$work/memcfg.json" >"$work/mem-$rt/config.json"
		if timeout 10 "${RT[$rt]}" $G --root "$work/root-$rt" run --bundle "$work/mem-$rt" mem-$rt >/dev/null 2>&1; then
			best="$kib KiB"; break
		fi
		"${RT[$rt]}" $G --root "$work/root-$rt" delete --force mem-$rt >/dev/null 2>&1
	done
	R[minmem,$rt]=$best
done

fi # LIFECYCLE_ONLY
fi # CHECKPOINT_ONLY

host="$(uname -r), $(nproc) cores, cgroup $(stat -f -c %T /sys/fs/cgroup)"
[ -n "$G" ] && host="$host, every runtime with $G"
[ -d /sys/fs/cgroup/unified ] && host="$host (hybrid: v1 controllers + unified)"
{
	echo "# husk vs crun vs runc — $(date -u +%Y-%m-%d), $host"
	echo
	echo "| metric | husk | crun | runc |"
	echo "|---|---|---|---|"
	fmt() { if [[ $1 =~ ^[0-9.]+$ ]]; then printf %.2f "$1"; else printf %s "$1"; fi; }
	row() {
		local metric=$1 label=$2 unit=$3 line
		line="| $label | $(fmt "${R[$metric,husk]:-?}") $unit"
		for rt in crun runc; do
			if [ -z "${RT[$rt]:-}" ]; then
				line="$line | — ($rt ${WHY[$rt]})"
			elif [[ ${R[$metric,$rt]:-} =~ ^[0-9.]+$ && ${R[$metric,husk]:-} =~ ^[0-9.]+$ ]]; then
				line="$line | $(fmt "${R[$metric,$rt]}") $unit ($(awk -v a="${R[$metric,$rt]}" -v b="${R[$metric,husk]}" 'BEGIN {printf "%.2f", (b > 0 ? a / b : 0)}')×)"
			elif [[ ${R[$metric,$rt]:-} =~ ^— ]]; then
				line="$line | ${R[$metric,$rt]}"
			else
				line="$line | ${R[$metric,$rt]:-?} $unit"
			fi
		done
		echo "$line |"
	}
	if [ -n "$CHECKPOINT_ONLY" ]; then
	row checkpoint "checkpoint of a running sh + sleep (median)" ms
	row restore "restore -d of it (median)" ms
	echo
	echo "CRIU: $(criu --version | head -1)."
	exit 0
	fi
	row run "run /bin/true (mean)" ms
	row create "create (median)" ms
	row start "start, until /bin/true has exited (median)" ms
	row delete "delete (median)" ms
	row exec "exec /bin/true (mean)" ms
	if [ -z "$LIFECYCLE_ONLY" ]; then
	row state "state, $MANY containers present" ms
	row list "list, $MANY containers present" ms
	row parallel "$PARALLEL_TOTAL runs, $PARALLEL_WORKERS workers (total)" ms
	row rss "peak RSS of the runtime" MiB
	row minmem "smallest memory limit that runs" ""
	row size "binary size (stripped)" MiB
	row sizelibs "binary and its shared libraries" MiB
	fi
	echo
	echo "Floor: \`unshare -m -u -i -p -n -f true\` = $(printf %.2f "$floor") ms; husk's run is $(awk -v a="${R[run,husk]}" -v b="$floor" 'BEGIN {printf "%.2f", (a / b)}')× the floor."
} | if [ -n "$out" ]; then tee "$out"; else cat; fi
