#!/usr/bin/env bats
# A config that is wrong by what it says alone (no fact of the host needed)
# is refused before husk makes anything: no state dir, cgroup, process or
# mount. `husk check` finds the same errors as `husk create`. And a create
# that shares the caller's mount namespace and fails later takes down the
# mounts it made there. The cases are in tests/plan-corpus (its README.md);
# each test runs them all and lists every case that failed.
# shellcheck disable=SC2016 # jq filters and sh scripts are single-quoted

load helpers

CORPUS=$REPO_ROOT/tests/plan-corpus
# Seconds one command may take: a case that hangs fails, it does not block.
CASE_TIMEOUT=30
ID=plan-case

setup() {
	setup_bundle
	requires_husk
	FAILURES=()
	CASES=0
	# The state root exists, so that only what husk makes in it counts.
	mkdir -p "$ROOT"
	# The mapped root of a new user namespace must reach the rootfs, as
	# with runc, for the cases with one to fail for their own fault only.
	chmod o+x "$BATS_RUN_TMPDIR" "$BATS_TEST_TMPDIR"
	BASE=$BATS_TEST_TMPDIR/base.json
	cp "$BUNDLE/config.json" "$BASE"
	# husk spec --rootless's config, for the cases that start from it.
	mkdir "$BATS_TEST_TMPDIR/rootless"
	"$HUSK" spec --rootless --bundle "$BATS_TEST_TMPDIR/rootless" ||
		fail "husk spec --rootless failed"
	ROOTLESS=$(cat "$BATS_TEST_TMPDIR/rootless/config.json")
}

teardown() {
	teardown_bundle
	remove_cgroup_tree "/husk/$ID"
}

# use_case JQ-FILE: the bundle's config.json is the test's config changed
# by the case's filter ($rootless is husk spec --rootless's config).
use_case() {
	jq --argjson rootless "$ROOTLESS" -f "$1" "$BASE" >"$BUNDLE/config.json"
}

# case_path NAME: the JSON path the error of a broken case must name.
case_path() {
	local path
	path=$(head -n 1 "$CORPUS/$1.path") && [ -n "$path" ] && echo "$path"
}

# add_failure NAME LOG PROBLEM...: record a failed case with its output.
add_failure() {
	local name=$1 log=$2 msg p
	shift 2
	msg="$name:"
	for p in "$@"; do
		msg+=$'\n'"    - $p"
	done
	[ -z "$log" ] || msg+=$'\n'"    output: $(head -c 600 "$log" | tr '\n' '|')"
	FAILURES+=("$msg")
}

# forget_case: take away what a case left, so that the next one starts
# from nothing.
forget_case() {
	"$HUSK" --root "$ROOT" delete --force "$ID" >/dev/null 2>&1
	remove_cgroup_tree "/husk/$ID"
	rm -rf "${ROOT:?}"/*
}

# made_dirs TRACE: the absolute path of every mkdir and mkdirat in an
# strace -y log.
made_dirs() {
	local line path dir
	local mkdir_re='^[0-9]+ +mkdir\("([^"]*)"' mkdirat_re='^[0-9]+ +mkdirat\(([^,]*), "([^"]*)"'
	while IFS= read -r line; do
		if [[ $line =~ $mkdir_re ]]; then
			path=${BASH_REMATCH[1]}
			[[ $path == /* ]] || path=$PWD/$path
		elif [[ $line =~ $mkdirat_re ]]; then
			dir=${BASH_REMATCH[1]} path=${BASH_REMATCH[2]}
			if [[ $path != /* ]]; then
				case $dir in
				AT_FDCWD) dir=$PWD ;;
				*'<'*'>') dir=${dir#*<} dir=${dir%>} ;;
				esac
				path=$dir/$path
			fi
		else
			continue
		fi
		echo "$path"
	done <"$1"
}

# under PATH DIR...: PATH is one of the DIRs or below one.
under() {
	local path=$1 dir
	shift
	for dir in "$@"; do
		[[ $path == "$dir" || $path == "$dir"/* ]] && return 0
	done
	return 1
}

# what_is_left ARRAY: append to ARRAY (a name) what the last case left:
# a state dir, a cgroup named after the container, a mount of the test's
# files.
what_is_left() {
	local -n into=$1
	local left mnt
	left=$(shopt -s nullglob dotglob && echo "$ROOT"/*)
	[ -z "$left" ] || into+=("state left under --root: $left")
	for mnt in $(cgroup_mounts); do
		[ ! -e "$mnt/husk/$ID" ] || into+=("cgroup left: $mnt/husk/$ID")
	done
	if grep -qF "$BATS_TEST_TMPDIR" /proc/self/mountinfo; then
		into+=("mounts left: $(grep -F "$BATS_TEST_TMPDIR" /proc/self/mountinfo | tr '\n' '|')")
	fi
}

# made_nothing NAME PATH: husk create of the bundle fails with one line
# that names PATH, and under strace it neither cloned nor made a directory
# under --root or in a cgroup hierarchy.
made_nothing() {
	local name=$1 path=$2 rc=0 problems=() dir cgroup_dirs made cloned
	local log=$BATS_TEST_TMPDIR/case.log trace=$BATS_TEST_TMPDIR/case.strace
	CASES=$((CASES + 1))
	# A config that shares the caller's mount namespace must not mount on
	# the host, should it get that far.
	# LeakSanitizer (husk-asan) cannot work under ptrace, and its own
	# clone at exit would read as husk's: it is off for this run.
	unshare -m --propagation private \
		env ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
		timeout -s KILL "$CASE_TIMEOUT" \
		strace -f -I1 -qq -y -e trace=mkdir,mkdirat,clone,clone3,vfork,fork -o "$trace" \
		"$HUSK" --root "$ROOT" create --bundle "$BUNDLE" "$ID" </dev/null >"$log" 2>&1 || rc=$?
	case $rc in
	0) problems+=("it succeeded") ;;
	124 | 137) problems+=("it did not end within ${CASE_TIMEOUT}s") ;;
	*) [ "$rc" -lt 128 ] || problems+=("exit status $rc: killed by signal $((rc - 128))") ;;
	esac
	[ "$(wc -l <"$log")" -eq 1 ] || problems+=("$(wc -l <"$log") lines of output, not 1")
	head -n 1 "$log" | grep -q '^husk: ' || problems+=("the message does not start with 'husk: '")
	grep -qF -- "$path" "$log" || problems+=("the message does not name $path")
	cloned=$(grep -E '^[0-9]+ +(clone3?|v?fork)\(' "$trace" | cut -c1-120)
	[ -z "$cloned" ] || problems+=("it cloned: $(tr '\n' '|' <<<"$cloned")")
	mapfile -t cgroup_dirs < <(cgroup_mounts)
	made=$(made_dirs "$trace" | while IFS= read -r dir; do
		if under "$dir" "$ROOT" && [ "$dir" != "$ROOT" ]; then
			echo "$dir"
		elif under "$dir" /sys/fs/cgroup "${cgroup_dirs[@]}"; then
			echo "$dir"
		fi
	done)
	[ -z "$made" ] || problems+=("it made $(wc -l <<<"$made") directories: $(head -n 3 <<<"$made" | tr '\n' ' ')...")
	what_is_left problems
	if [ ${#problems[@]} -gt 0 ]; then
		add_failure "$name" "$log" "${problems[@]}"
		forget_case
	fi
}

# agrees NAME: husk check of the bundle reports an error exactly when husk
# create fails, and then create's error names the path of check's first
# error.
agrees() {
	local name=$1 crc=0 rc=0 first path problems=()
	local check_log=$BATS_TEST_TMPDIR/check.log log=$BATS_TEST_TMPDIR/case.log
	CASES=$((CASES + 1))
	timeout -s KILL "$CASE_TIMEOUT" "$HUSK" check --bundle "$BUNDLE" </dev/null >"$check_log" 2>&1 || crc=$?
	unshare -m --propagation private \
		timeout -s KILL "$CASE_TIMEOUT" \
		"$HUSK" --root "$ROOT" create --bundle "$BUNDLE" "$ID" </dev/null >"$log" 2>&1 || rc=$?
	"$HUSK" --root "$ROOT" delete --force "$ID" >/dev/null 2>&1
	first=$(grep -m 1 '^error: ' "$check_log") || first=
	path=$(sed -nE 's/^error: ([^ ]+): .*/\1/p' <<<"$first")
	case $crc in
	0) [ -z "$first" ] || problems+=("check exits 0 but reports: $first") ;;
	1) [ -n "$first" ] || problems+=("check exits 1 without an 'error: ' line") ;;
	*) problems+=("check exits $crc") ;;
	esac
	case $rc in
	124 | 137) problems+=("create did not end within ${CASE_TIMEOUT}s") ;;
	*) [ "$rc" -lt 128 ] || problems+=("create: exit status $rc: killed by signal $((rc - 128))") ;;
	esac
	if [ -n "$first" ] && [ "$rc" -eq 0 ]; then
		problems+=("check reports '$first', but create succeeded")
	elif [ -z "$first" ] && [ "$rc" -ne 0 ]; then
		problems+=("check reports no error, but create failed: $(head -n 1 "$log")")
	elif [ -n "$first" ]; then
		if [ -z "$path" ]; then
			problems+=("no JSON path in check's '$first'")
		elif ! grep -qF -- "$path" "$log"; then
			problems+=("check's first error is at $path, create's error does not name it: $(head -n 1 "$log")")
		fi
	fi
	if [ ${#problems[@]} -gt 0 ]; then
		add_failure "$name" "$check_log" "${problems[@]}"
		forget_case
	fi
}

@test "plan: the corpus is complete, and the checks see what a create makes" {
	command -v strace >/dev/null || skip "needs strace"
	local jq n=0
	for jq in "$CORPUS"/*.jq "$CORPUS"/valid/*.jq; do
		head -n 1 "$jq" | grep -q '^# .' || fail "$jq: no '# what it breaks' first line"
		use_case "$jq" || fail "$jq: jq failed"
		n=$((n + 1))
	done
	for jq in "$CORPUS"/*.jq; do
		case_path "$(basename "$jq" .jq)" >/dev/null || fail "${jq%.jq}.path: missing or empty"
	done
	[ "$n" -ge 40 ] || fail "only $n cases in $CORPUS"
	# The checks of made_nothing see what a create that gets far makes:
	# this one fails for a fact of the host (the hook's status), after the
	# clone.
	cp "$BASE" "$BUNDLE/config.json"
	update_config '.hooks.createRuntime = [{"path": "/bin/false"}]'
	made_nothing late-failure process.args
	assert_equal "${#FAILURES[@]}" 1
	local seen=${FAILURES[0]} f
	for f in 'it cloned: ' "directories: $ROOT/$ID " 'the message does not name process.args'; do
		[[ $seen == *"$f"* ]] || fail "the checks missed: $f; they saw: $seen"
	done
	# ... and agrees sees check and create differ: check cannot know how
	# the hook will end.
	agrees late-failure
	assert_equal "${#FAILURES[@]}" 2
	[[ ${FAILURES[1]} == *'check reports no error, but create failed: husk: hooks.createRuntime[0]'* ]] ||
		fail "agrees missed the difference; it saw: ${FAILURES[1]}"
	assert_nothing_left
}

@test "plan: failing creates make nothing: no clone, no directory under --root or in a cgroup hierarchy" {
	command -v strace >/dev/null || skip "needs strace"
	local jq name path
	for jq in "$CORPUS"/*.jq; do
		name=$(basename "$jq" .jq)
		path=$(case_path "$name") || fail "$name: no .path"
		use_case "$jq" || fail "$name: jq failed"
		made_nothing "$name" "$path"
	done
	report_cases
}

@test "plan: husk check reports an error exactly when husk create fails, at the same JSON path" {
	local jq
	for jq in "$CORPUS"/*.jq "$CORPUS"/valid/*.jq; do
		use_case "$jq" || fail "$jq: jq failed"
		agrees "${jq#"$CORPUS"/}"
	done
	report_cases
}

# shared_ns_case NAME HOOKED FILTER: on the test's config without a mount
# namespace (nor masked and readonly paths, which need one), FILTER makes
# the create fail after the init started mounting. In a mount namespace of
# its own that stands for the host's, the create fails and that namespace
# holds as many mounts afterwards as before, none under the bundle. HOOKED
# (yes/no): FILTER adds $hook, which counts the mounts under the bundle
# when it runs (so that the case is seen to test something).
shared_ns_case() {
	local name=$1 hooked=$2 filter=$3 out rc before after left problems=()
	local log=$BATS_TEST_TMPDIR/case.log mounted=$BATS_TEST_TMPDIR/mounted
	# A hook that counts the mounts under the bundle, then fails.
	local hook='{"path": "/bin/sh", "args": ["sh", "-c",
		"grep -cF -- \" \($escaped)/\" /proc/self/mountinfo >\($mounted); exit 1"]}'
	# The bundle as mountinfo writes it: space, tab, newline and \ as \ooo.
	local escaped=${BUNDLE//\\/\\134}
	escaped=${escaped// /\\040} escaped=${escaped//$'\t'/\\011} escaped=${escaped//$'\n'/\\012}
	CASES=$((CASES + 1))
	jq --arg mounted "$mounted" --arg bundle "$BUNDLE" --arg escaped "$escaped" \
		"$hook as \$hook | del(.linux.namespaces[] | select(.type == \"mount\"))
		| del(.linux.maskedPaths, .linux.readonlyPaths) | $filter" \
		"$BASE" >"$BUNDLE/config.json" || fail "$name: jq failed"
	rm -f "$mounted"
	out=$(unshare -m --propagation private sh -c '
		wc -l </proc/self/mountinfo
		timeout -s KILL "$1" "$2" --root "$3" create --bundle "$4" "$5" </dev/null >"$6" 2>&1
		echo $?
		wc -l </proc/self/mountinfo
		grep -cF -- " $7/" /proc/self/mountinfo
		:' sh "$CASE_TIMEOUT" "$HUSK" "$ROOT" "$BUNDLE" "$ID" "$log" "$escaped")
	{ read -r before && read -r rc && read -r after && read -r left; } <<<"$out"
	[ "$rc" != 0 ] || problems+=("the create succeeded")
	[ "$before" = "$after" ] || problems+=("$before mounts before the create, $after after")
	[ "$left" = 0 ] || problems+=("$left mounts left under the bundle")
	if [ "$hooked" = yes ]; then
		if [ ! -e "$mounted" ]; then
			problems+=("the hook did not run")
		elif [ "$(cat "$mounted")" -eq 0 ]; then
			problems+=("no mount under the bundle when the hook ran")
		fi
	fi
	if [ ${#problems[@]} -gt 0 ]; then
		add_failure "$name" "$log" "${problems[@]}"
		forget_case
	else
		"$HUSK" --root "$ROOT" delete --force "$ID" >/dev/null 2>&1
	fi
}

@test "plan: a create sharing the caller's mount namespace that fails later takes down its mounts" {
	shared_ns_case "createRuntime hook fails" yes '.hooks.createRuntime = [$hook]'
	shared_ns_case "createContainer hook fails" yes '.hooks.createContainer = [$hook]'
	shared_ns_case "a bind source that does not exist, after proc and sysfs" no \
		'.mounts += [{"destination": "/mnt", "type": "bind", "source": "\($bundle)/missing",
			"options": ["bind"]}]'
	shared_ns_case "a sysctl the kernel refuses" no '.linux.sysctl = {"net.ipv4.ip_forward": "bogus"}'
	# mountinfo writes the mount points with \ooo escapes.
	local plain=$BUNDLE
	BUNDLE="$BATS_TEST_TMPDIR/a bundle with  spaces"
	mv "$plain" "$BUNDLE"
	shared_ns_case "createRuntime hook fails, the bundle's path has spaces" yes \
		'.hooks.createRuntime = [$hook]'
	mv "$BUNDLE" "$plain"
	BUNDLE=$plain
	report_cases
}
