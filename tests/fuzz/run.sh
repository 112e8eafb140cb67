#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Build the libFuzzer targets (tests/fuzz/fuzz-*.c) with clang, replay every
# saved regression, then fuzz each target for SECONDS (default 60).
#
#   tests/fuzz/run.sh [SECONDS] [TARGET...]
#
# TARGET is a name such as "config" (fuzz-config.c); all of them by default.
# The build, the growing corpora and the logs go to tests/fuzz/build/ (or
# $HUSK_FUZZ_BUILD). A crash, leak or timeout is kept as
# tests/fuzz/regressions/<target>/crash-* (leak-*, timeout-*, oom-*) and
# makes the script fail; replaying it is the regression test.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
secs=${1:-60}
[ $# -gt 0 ] && shift
build=${HUSK_FUZZ_BUILD:-$here/build}
cc=${CLANG:-clang}

case $secs in
'' | *[!0-9]*)
	echo "usage: $0 [SECONDS] [TARGET...]" >&2
	exit 2
	;;
esac

if ! command -v "$cc" >/dev/null; then
	echo "fuzz: $cc not found (Debian: apt-get install clang)" >&2
	exit 1
fi
probe=$(mktemp -d)
trap 'rm -rf "$probe"' EXIT
printf '#include <stddef.h>\n#include <stdint.h>\nint LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void)d; (void)n; return 0; }\n' >"$probe/p.c"
if ! "$cc" -fsanitize=fuzzer,address,undefined "$probe/p.c" -o "$probe/p" 2>"$probe/err"; then
	echo "fuzz: $cc cannot build libFuzzer targets:" >&2
	cat "$probe/err" >&2
	exit 1
fi

deps=(yajl libseccomp libcap)
if ! pkg-config --exists "${deps[@]}"; then
	echo "fuzz: needs the development files of ${deps[*]}" >&2
	exit 1
fi
# shellcheck disable=SC2207
dep_cflags=($(pkg-config --cflags "${deps[@]}"))
# shellcheck disable=SC2207
dep_libs=($(pkg-config --libs "${deps[@]}"))

# UBSan findings stop the run like ASan's; -O1 keeps stacks readable.
# shellcheck disable=SC2054
cflags=(-std=gnu11 -D_GNU_SOURCE -g -O1 -fno-omit-frame-pointer
	-fsanitize=address,undefined -fno-sanitize-recover=all
	-Wall -Wextra -Wno-missing-field-initializers -Wno-unused-parameter
	-I"$top/src/lib" -I"$top/oci" -I"$top/src" "${dep_cflags[@]}")

mkdir -p "$build/obj" "$build/logs" "$build/tmp"

# The runtime's parsers, compiled here with coverage (not libhusk.a, which
# has neither the instrumentation nor, usually, the sanitizers).
echo "fuzz: building in $build"
objs=()
for src in "$top"/oci/*.c "$top"/src/lib/*.c; do
	objs+=("$build/obj/$(basename "$(dirname "$src")")-$(basename "$src" .c).o")
done
# shellcheck disable=SC2016
printf '%s\n' "$top"/oci/*.c "$top"/src/lib/*.c |
	CC=$cc build=$build xargs -P "$(nproc)" -I{} bash -c '
		src=$1; shift
		obj=$build/obj/$(basename "$(dirname "$src")")-$(basename "$src" .c).o
		"$CC" "$@" -fsanitize=fuzzer-no-link -c "$src" -o "$obj"
	' _ {} "${cflags[@]}" || {
	echo "fuzz: building the runtime's sources failed" >&2
	exit 1
}
rm -f "$build/libhusk-fuzz.a"
ar rcs "$build/libhusk-fuzz.a" "${objs[@]}"

# Tokens of the runtime-spec for the JSON targets.
cat >"$build/json.dict" <<'EOF'
"{"
"}"
"["
"]"
":"
","
"null"
"true"
"false"
"-1"
"4294967295"
"18446744073709551615"
"9223372036854775807"
"1e3"
"\"\\u0000\""
"\"ociVersion\""
"\"1.2.0\""
"\"process\""
"\"args\""
"\"env\""
"\"cwd\""
"\"user\""
"\"uid\""
"\"gid\""
"\"umask\""
"\"additionalGids\""
"\"terminal\""
"\"consoleSize\""
"\"capabilities\""
"\"bounding\""
"\"effective\""
"\"ambient\""
"\"rlimits\""
"\"type\""
"\"hard\""
"\"soft\""
"\"noNewPrivileges\""
"\"oomScoreAdj\""
"\"scheduler\""
"\"ioPriority\""
"\"execCPUAffinity\""
"\"root\""
"\"path\""
"\"readonly\""
"\"mounts\""
"\"destination\""
"\"source\""
"\"options\""
"\"uidMappings\""
"\"gidMappings\""
"\"containerID\""
"\"hostID\""
"\"size\""
"\"hooks\""
"\"prestart\""
"\"createRuntime\""
"\"poststop\""
"\"timeout\""
"\"annotations\""
"\"hostname\""
"\"linux\""
"\"namespaces\""
"\"timeOffsets\""
"\"devices\""
"\"major\""
"\"minor\""
"\"fileMode\""
"\"cgroupsPath\""
"\"resources\""
"\"memory\""
"\"limit\""
"\"swap\""
"\"cpu\""
"\"shares\""
"\"quota\""
"\"period\""
"\"cpus\""
"\"pids\""
"\"blockIO\""
"\"weightDevice\""
"\"throttleReadBpsDevice\""
"\"hugepageLimits\""
"\"pageSize\""
"\"network\""
"\"rdma\""
"\"unified\""
"\"allow\""
"\"access\""
"\"seccomp\""
"\"defaultAction\""
"\"syscalls\""
"\"names\""
"\"action\""
"\"errnoRet\""
"\"SCMP_ACT_ERRNO\""
"\"listenerPath\""
"\"sysctl\""
"\"maskedPaths\""
"\"readonlyPaths\""
"\"rootfsPropagation\""
"\"personality\""
"\"intelRdt\""
"\"id\""
"\"pid\""
"\"pidStartTime\""
"\"bundle\""
"\"rootfs\""
"\"cgroupPath\""
"\"newPidNamespace\""
EOF

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
	for f in "$here"/fuzz-*.c; do
		t=$(basename "$f" .c)
		targets+=("${t#fuzz-}")
	done
fi

for t in "${targets[@]}"; do
	[ -f "$here/fuzz-$t.c" ] || {
		echo "fuzz: no target $t ($here/fuzz-$t.c)" >&2
		exit 2
	}
	"$cc" "${cflags[@]}" -fsanitize=fuzzer "$here/fuzz-$t.c" "$build/libhusk-fuzz.a" \
		"${dep_libs[@]}" -o "$build/fuzz-$t" || {
		echo "fuzz: building fuzz-$t failed" >&2
		exit 1
	}
done

export HUSK_FUZZ_TMP=$build/tmp
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
failed=0

# Every saved crash first: each must now run clean.
for t in "${targets[@]}"; do
	reg=$here/regressions/$t
	[ -d "$reg" ] || continue
	files=("$reg"/*)
	[ -e "${files[0]}" ] || continue
	if "$build/fuzz-$t" "${files[@]}" >"$build/logs/$t-regressions.log" 2>&1; then
		echo "fuzz: $t: ${#files[@]} regression(s) run clean"
	else
		echo "fuzz: $t: a regression still fails (see $build/logs/$t-regressions.log)"
		failed=1
	fi
done

for t in "${targets[@]}"; do
	corpus=$build/corpus/$t
	mkdir -p "$corpus" "$here/regressions/$t"
	seeds=()
	[ -d "$here/corpus/$t" ] && seeds=("$here/corpus/$t")
	dict=()
	case $t in
	signal | size | mountopts | exec-user) ;;
	*) dict=(-dict="$build/json.dict") ;;
	esac
	log=$build/logs/$t.log
	"$build/fuzz-$t" "$corpus" "${seeds[@]}" "${dict[@]}" \
		-max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
		-print_final_stats=1 -artifact_prefix="$here/regressions/$t/" >"$log" 2>&1
	rc=$?
	execs=$(awk '/stat::number_of_executed_units/ { print $2 }' "$log" | tail -n 1)
	if [ $rc -eq 0 ]; then
		echo "fuzz: $t: ${execs:-?} executions, clean"
	else
		echo "fuzz: $t: FAILED after ${execs:-?} executions (exit $rc): see $log"
		grep -m1 -E '^(==[0-9]+==ERROR|SUMMARY|.*runtime error)' "$log" | sed 's/^/  /'
		# shellcheck disable=SC2012
		ls -t "$here/regressions/$t" | head -n 1 | sed "s|^|  kept: tests/fuzz/regressions/$t/|"
		failed=1
	fi
	rm -rf "${build:?}/tmp/"*
done
rmdir "$here/regressions/"* 2>/dev/null
rmdir "$here/regressions" 2>/dev/null
exit $failed
