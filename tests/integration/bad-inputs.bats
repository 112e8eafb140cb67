#!/usr/bin/env bats
# The bad-input corpus of tests/bad-inputs (see its README.md). Every case
# must make husk exit 1..127 with one line "husk: ..." that holds the case's
# expected fragments, and leave no state, cgroup, process or mount behind.
# Each test runs a whole group of cases and lists every case that failed.

load helpers

CORPUS=$REPO_ROOT/tests/bad-inputs
# Seconds one command may take: a case that hangs fails, it does not block.
CASE_TIMEOUT=30
# The ids the config and bundle cases use, for create and for run.
CREATE_ID=badin-create
RUN_ID=badin-run

setup() {
	setup_bundle
	requires_husk
	FAILURES=()
	CASES=0
	# For leftover_processes: the processes before the first case, our pid
	# namespace, husk's command name.
	ps -e -o pid= >"$BATS_TEST_TMPDIR/ps-before"
	MY_PIDNS=$(ps -o pidns= -p $$)
	HUSK_COMM=$(basename "$(readlink -f "$HUSK")" | cut -c1-15)
	CASE_ROOTFS=$BUNDLE/rootfs
}

teardown() {
	teardown_bundle
}

# expected_fragments FILE: the fragments of an .expect file, one a line.
expected_fragments() {
	grep -v '^#' "$1"
}

# check_case NAME ID EXPECT-FILE-OR-"-" ARG...: run "husk --root $ROOT
# ARG..." and record in FAILURES what is wrong with how it failed. ID is the
# container id it could leave behind (- for none). With "-" for the file,
# the fragments are the lines of $FRAGMENTS.
check_case() {
	local name=$1 id=$2 expect=$3
	shift 3
	local log=$BATS_TEST_TMPDIR/case.log rc=0 lines frag problems=()
	CASES=$((CASES + 1))
	# Output to a file, not a pipe: a container that was made by mistake
	# would keep a pipe open.
	timeout -k 5 "$CASE_TIMEOUT" "$HUSK" --root "$ROOT" "$@" </dev/null >"$log" 2>&1 || rc=$?
	case $rc in
	0) problems+=("it succeeded") ;;
	124 | 137) problems+=("it did not end within ${CASE_TIMEOUT}s") ;;
	# As runc's, husk exec's status is the process's, or 255 when it
	# could not be run (husk-exec(8)).
	255) [ "$1" = exec ] || problems+=("exit status 255") ;;
	*) [ "$rc" -lt 128 ] || problems+=("exit status $rc: killed by signal $((rc - 128))") ;;
	esac
	if grep -qE 'Sanitizer|runtime error:' "$log"; then
		problems+=("a sanitizer report")
	fi
	lines=$(wc -l <"$log")
	if [ "$lines" -ne 1 ]; then
		problems+=("$lines lines of output, not 1")
	fi
	if ! head -n 1 "$log" | grep -q '^husk: '; then
		problems+=("the message does not start with 'husk: '")
	fi
	while IFS= read -r frag; do
		[ -n "$frag" ] || continue
		grep -qF -- "$frag" "$log" || problems+=("no \"$frag\" in the message")
	done < <(if [ "$expect" = - ]; then printf '%s\n' "${FRAGMENTS[@]}"; else expected_fragments "$expect"; fi)
	leftovers "$id" problems
	if [ ${#problems[@]} -gt 0 ]; then
		local msg p
		printf -v msg '%.200s:' "$name (husk $*)"
		for p in "${problems[@]}"; do
			msg+=$'\n'"    - $p"
		done
		msg+=$'\n'"    output: $(head -c 600 "$log" | tr '\n' '|')"
		FAILURES+=("$msg")
		# Clean up after it, so that the next case starts from nothing.
		teardown_bundle >/dev/null 2>&1
		rm -rf "${ROOT:?}"/*
	fi
}

# leftovers ID ARRAY: append to ARRAY (a name) what the last case left.
leftovers() {
	local id=$1 cg left mounts
	local -n into=$2
	# Without a process per check where bash can: this runs after every case.
	left=$(shopt -s nullglob dotglob && echo "$ROOT"/*)
	[ -z "$left" ] || into+=("state left under --root: $left")
	if [ "$id" != - ]; then
		for cg in /sys/fs/cgroup/husk/"$id" /sys/fs/cgroup/*/husk/"$id"; do
			[ ! -e "$cg" ] || into+=("cgroup left: $cg")
		done
	fi
	mapfile -t mounts </proc/self/mountinfo
	if [[ "${mounts[*]}" == *"$BATS_TEST_TMPDIR"* ]]; then
		into+=("mounts left: $(grep -F "$BATS_TEST_TMPDIR" /proc/self/mountinfo | tr '\n' '|')")
	fi
	left=$(leftover_processes)
	[ -z "$left" ] || into+=("processes left: $left")
}

# leftover_processes: this test's processes that are left: new since setup
# in another pid namespace (a container's), or running husk, and ours: their
# command line names this test's directory, or their root or working
# directory is $CASE_ROOTFS. This is what assert_no_leftover_processes
# checks, in a few processes however many others the machine runs, as it
# runs after every case.
leftover_processes() {
	local pids pid
	pids=$(ps -e -o pid=,pidns=,comm= | awk -v mine="$MY_PIDNS" -v comm="$HUSK_COMM" '
		NR == FNR { before[$1] = 1; next }
		($2 != mine && $2 != "-" && !($1 in before)) || $3 == comm { print $1 }
	' "$BATS_TEST_TMPDIR/ps-before" -)
	[ -n "$pids" ] || return 0
	# shellcheck disable=SC2046
	for pid in $({
		grep -lsF -- "$BATS_TEST_TMPDIR" $(sed 's|.*|/proc/&/cmdline|' <<<"$pids")
		find -L $(sed 's|.*|/proc/&/root /proc/&/cwd|' <<<"$pids") -maxdepth 0 \
			-samefile "$CASE_ROOTFS" 2>/dev/null
	} | cut -d/ -f3 | sort -u); do
		_is_zombie "$pid" && continue
		printf '%s ' "$pid: $(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)"
	done
}

# check_config NAME JSON EXPECT: NAME.json as the bundle's config.json, for
# create and for run.
check_config() {
	local name=$1 json=$2 expect=$3
	cp "$json" "$BUNDLE/config.json"
	check_case "$name" "$CREATE_ID" "$expect" create --bundle "$BUNDLE" "$CREATE_ID"
	check_case "$name" "$RUN_ID" "$expect" run --bundle "$BUNDLE" "$RUN_ID"
}

# check_configs DIR: every DIR/NAME.json with its DIR/NAME.expect.
check_configs() {
	local dir=$1 json
	for json in "$dir"/*.json; do
		check_config "$(basename "$json" .json)" "$json" "${json%.json}.expect"
	done
}

@test "bad inputs: the corpus is complete, and its base config makes a container" {
	local f n=0
	for f in "$CORPUS"/configs/*.json "$CORPUS"/bundles/*.sh; do
		local expect=${f%.*}.expect
		assert_file_exists "$expect"
		head -n 1 "$expect" | grep -q '^# .' || fail "$expect: no '# description' first line"
		[ -n "$(expected_fragments "$expect")" ] || fail "$expect: no expected fragment"
		n=$((n + 1))
	done
	[ "$n" -ge 100 ] || fail "only $n cases in $CORPUS"
	# Each variant fails for its own fault only: the config it is made from
	# is good. And the checks see what a case that is not refused leaves.
	cp "$CORPUS/base.json" "$BUNDLE/config.json"
	register_id "$CREATE_ID"
	check_case base "$CREATE_ID" "$CORPUS/configs/root-string.expect" \
		create --bundle "$BUNDLE" "$CREATE_ID"
	assert_equal "${#FAILURES[@]}" 1
	local seen=${FAILURES[0]}
	for f in 'it succeeded' 'lines of output, not 1' 'no "config.json: root: expected an object"' \
		"state left under --root: $ROOT/$CREATE_ID" 'processes left: '; do
		[[ $seen == *"$f"* ]] || fail "the checks missed: $f; they saw: $seen"
	done
	# (Where husk could make a cgroup: it says when it could not.)
	if [[ $seen != *"running without a cgroup"* ]]; then
		[[ $seen == *"cgroup left: "* ]] || fail "the checks missed the cgroup; they saw: $seen"
	fi
	# check_case cleaned up after it.
	assert_nothing_left
}

@test "bad inputs: config.json variants (configs/)" {
	check_configs "$CORPUS/configs"
	report_cases
}

@test "bad inputs: generated config.json variants (empty, truncated, binary, bad UTF-8, huge, deep)" {
	local gen=$BATS_TEST_TMPDIR/generated
	# A complete config (husk spec's, from the bundle) for the truncated ones.
	"$CORPUS/generate.sh" "$gen" "$BUNDLE/config.json"
	[ "$(find "$gen" -name '*.json' | wc -l)" -ge 40 ] || fail "generate.sh made too few cases"
	check_configs "$gen"
	report_cases
}

@test "bad inputs: broken bundles (bundles/)" {
	local script name bundle
	for script in "$CORPUS"/bundles/*.sh; do
		name=$(basename "$script" .sh)
		bundle=$BATS_TEST_TMPDIR/bundle-$name
		cp -a "$BUNDLE" "$bundle"
		cp "$CORPUS/base.json" "$bundle/config.json"
		sh "$script" "$bundle" || fail "$script failed"
		CASE_ROOTFS=$bundle/rootfs
		check_case "$name" "$CREATE_ID" "${script%.sh}.expect" create --bundle "$bundle" "$CREATE_ID"
		check_case "$name" "$RUN_ID" "${script%.sh}.expect" run --bundle "$bundle" "$RUN_ID"
		rm -rf "$bundle"
	done
	CASE_ROOTFS=$BUNDLE/rootfs
	report_cases
}

# The commands, each as "how it takes an id": ID stands for the id (or "--"
# and the id).
ID_COMMANDS=(
	'create --bundle BUNDLE ID'
	'run --bundle BUNDLE ID'
	'start ID'
	'state ID'
	'kill ID'
	'delete ID'
	'delete --force ID'
	'pause ID'
	'resume ID'
	'ps ID'
	'exec ID true'
	'update --pids-limit 10 ID'
	'events --stats ID'
)

@test "bad inputs: container ids (ids.tsv), for every command" {
	cp "$CORPUS/base.json" "$BUNDLE/config.json"
	local line fields name how id cmd word args
	while IFS= read -r line; do
		case $line in '#'* | '') continue ;; esac
		mapfile -t -d $'\t' fields < <(printf '%s' "$line")
		name=${fields[0]} how=${fields[1]} id=${fields[2]}
		FRAGMENTS=("${fields[@]:4}")
		[ ${#FRAGMENTS[@]} -gt 0 ] || fail "ids.tsv: $name: no expected fragment"
		case $id in
		repeat:*)
			local n=${id#repeat:} c
			c=${n#*:} n=${n%%:*}
			printf -v id '%*s' "$n" ''
			id=${id// /$c}
			;;
		*) printf -v id '%b' "$id" ;;
		esac
		for cmd in "${ID_COMMANDS[@]}"; do
			args=()
			for word in $cmd; do
				case $word in
				BUNDLE) args+=("$BUNDLE") ;;
				ID)
					[ "$how" = plain ] || args+=(--)
					args+=("$id")
					;;
				*) args+=("$word") ;;
				esac
			done
			check_case "$name: ${cmd%% *}" - - "${args[@]}"
		done
	done <"$CORPUS/ids.tsv"
	# Nothing was made next to the state root, or above it.
	local f
	while IFS= read -r f; do
		case $f in
		bundle | root | ids | pids | procs-before | ps-before | case.log) ;;
		*) fail "made next to the state root: $f" ;;
		esac
	done < <(find "$BATS_TEST_TMPDIR" -mindepth 1 -maxdepth 1 -printf '%f\n')
	assert_not_exists "$BATS_TEST_TMPDIR/../escape"
	report_cases
}
