# SPDX-License-Identifier: GPL-2.0-or-later
# Shared helpers for husk's integration tests.  See README.md.
#
# Every test gets, in $BATS_TEST_TMPDIR:
#   $ROOT    an empty state root for the runtime (--root);
#   $BUNDLE  a bundle: a copy of a busybox rootfs made once per run, and a
#            config.json from "$HUSK spec" with terminal=false.
# The "husk" function runs "$HUSK --root $ROOT ...", and remembers the id of
# every container that "husk create/run" makes so that teardown can
# "delete --force" it.

bats_require_minimum_version 1.5.0

bats_load_library bats-support
bats_load_library bats-assert
bats_load_library bats-file

REPO_ROOT=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
HUSK=${HUSK:-$REPO_ROOT/husk}
MAKE_BUNDLE=$REPO_ROOT/bundles/busybox/make-bundle.sh

# --- the runtime -----------------------------------------------------------------

# husk ARGS...: the runtime with this test's state root.
husk() {
	local a sub=
	for a in "$@"; do
		case $a in
		-*) ;;
		*)
			sub=$a
			break
			;;
		esac
	done
	case $sub in
	create | run) [ $# -gt 1 ] && register_id "${!#}" ;;
	esac
	"$HUSK" --root "$ROOT" "$@"
}

# husk_bg ARGS...: "husk ARGS" for commands that leave a container behind
# (create, run -d).  The container inherits the runtime's stdio, which must
# not be the pipe that bats' "run" reads (run would wait for the container),
# so stdio goes to $BATS_TEST_TMPDIR/husk.log; what the runtime itself wrote
# is printed once it returns.
husk_bg() {
	local log=$BATS_TEST_TMPDIR/husk.log rc=0
	husk "$@" </dev/null >"$log" 2>&1 || rc=$?
	cat "$log"
	return $rc
}

is_husk() {
	"$HUSK" --version 2>/dev/null | grep -q '^husk'
}

# Skip a test that checks husk's own wording (error messages).
requires_husk() {
	is_husk || skip "checks husk-specific output; HUSK=$HUSK is not husk"
}

requires_root() {
	[ "$(id -u)" -eq 0 ] || skip "needs root"
}

# --- bundles ------------------------------------------------------------------

# Make (once per bats run) a busybox bundle in $BUNDLE_CACHE.
_make_bundle_cache() {
	BUNDLE_CACHE=$BATS_RUN_TMPDIR/bundle-cache
	[ -f "$BUNDLE_CACHE/.done" ] && return 0
	(
		flock 9
		if [ ! -f "$BUNDLE_CACHE/.done" ]; then
			HUSK=$HUSK "$MAKE_BUNDLE" "$BUNDLE_CACHE" >&2 || exit 1
			[ -f "$BUNDLE_CACHE/config.json" ] || exit 1
			touch "$BUNDLE_CACHE/.done"
		fi
	) 9>"$BATS_RUN_TMPDIR/bundle-cache.lock"
}

# setup_bundle: fresh $ROOT and $BUNDLE for this test.
setup_bundle() {
	requires_root
	if [ ! -x "$HUSK" ]; then
		fail "HUSK=$HUSK is not an executable: build husk first (make) or set HUSK"
	fi
	_make_bundle_cache || fail "could not make the busybox bundle with $MAKE_BUNDLE"
	ROOT=$BATS_TEST_TMPDIR/root
	BUNDLE=$BATS_TEST_TMPDIR/bundle
	mkdir -p "$BUNDLE"
	cp -a "$BUNDLE_CACHE/rootfs" "$BUNDLE/rootfs"
	# HUSK_TEST_MARK lets assert_no_leftover_processes know this test's
	# container processes.
	jq --arg mark "HUSK_TEST_MARK=$BATS_TEST_TMPDIR" \
		'.process.terminal = false | .process.args = ["true"]
		| .process.env += [$mark]' \
		"$BUNDLE_CACHE/config.json" >"$BUNDLE/config.json"
	: >"$BATS_TEST_TMPDIR/ids"
	: >"$BATS_TEST_TMPDIR/pids"
	# Processes that already live in another pid namespace than ours, so
	# that assert_no_leftover_processes can tell new ones apart.
	_other_pidns_procs >"$BATS_TEST_TMPDIR/procs-before"
}

# teardown_bundle: delete every container this test made, kill any process
# it recorded that outlived that, and remove what it left under $ROOT.
teardown_bundle() {
	[ -n "${ROOT:-}" ] || return 0
	local id pid
	{
		cat "$BATS_TEST_TMPDIR/ids" 2>/dev/null
		"$HUSK" --root "$ROOT" list -q 2>/dev/null
		ls -A "$ROOT" 2>/dev/null
	} | sort -u | while IFS= read -r id; do
		[ -n "$id" ] || continue
		"$HUSK" --root "$ROOT" delete --force "$id" >/dev/null 2>&1 || true
	done
	# Only a pid that still is this test's process: it may have been reused.
	while IFS= read -r pid; do
		[ -n "$pid" ] && [ -d "/proc/$pid" ] && ! _is_zombie "$pid" &&
			_is_ours "$pid" && kill -9 "$pid" 2>/dev/null
	done <"$BATS_TEST_TMPDIR/pids"
	return 0
}

register_id() {
	echo "$1" >>"$BATS_TEST_TMPDIR/ids"
}

# update_config JQ_FILTER [BUNDLE]: edit the bundle's config.json in place.
update_config() {
	local bundle=${2:-$BUNDLE}
	jq "$1" "$bundle/config.json" >"$bundle/config.json.new" &&
		mv "$bundle/config.json.new" "$bundle/config.json"
}

# set_args ARG...: process.args for the test's container.
set_args() {
	local json
	json=$(jq -cn '$ARGS.positional' --args -- "$@")
	update_config ".process.args = $json"
}

# --- containers ---------------------------------------------------------------

# state_field ID FIELD: one field of "husk state ID".
state_field() {
	local state
	state=$("$HUSK" --root "$ROOT" state "$1") || return 1
	jq -r ".$2" <<<"$state"
}

# container_pid ID: the container's init pid (and remember it, so that
# teardown can kill it should the runtime fail to).
container_pid() {
	local pid
	pid=$(state_field "$1" pid) || return 1
	echo "$pid" >>"$BATS_TEST_TMPDIR/pids"
	echo "$pid"
}

# wait_for_status ID STATUS [SECONDS]
wait_for_status() {
	local id=$1 want=$2 tries=$((${3:-10} * 10)) got=
	while [ "$tries" -gt 0 ]; do
		got=$(state_field "$id" status 2>/dev/null) || got=
		[ "$got" = "$want" ] && return 0
		sleep 0.1
		tries=$((tries - 1))
	done
	echo "container $id: status is '$got', wanted '$want'" >&2
	return 1
}

# wait_for_exit PID [SECONDS]: wait for a process that is not our child.
wait_for_exit() {
	local pid=$1 tries=$((${2:-10} * 10))
	while [ -e "/proc/$pid" ] && [ "$tries" -gt 0 ]; do
		# a zombie that is not ours counts as gone for a container's init
		_is_zombie "$pid" && return 0
		sleep 0.1
		tries=$((tries - 1))
	done
	[ ! -e "/proc/$pid" ]
}

# --- rootless -------------------------------------------------------------------

# husk run by an unprivileged user, with a user namespace mapping that user
# (and its subordinate ids, through newuidmap) to root inside.
RL_USER=husk-rootless

# setup_rootless_user: the user, with subordinate ids for newuidmap and
# newgidmap (useradd may have added some). Needs root.
setup_rootless_user() {
	[ "$(id -u)" = 0 ] || skip "needs root to make the unprivileged test user"
	if ! id "$RL_USER" >/dev/null 2>&1; then
		useradd -m -s /bin/sh "$RL_USER"
	fi
	grep -q "^$RL_USER:" /etc/subuid 2>/dev/null || echo "$RL_USER:300000:65536" >>/etc/subuid
	grep -q "^$RL_USER:" /etc/subgid 2>/dev/null || echo "$RL_USER:300000:65536" >>/etc/subgid
}

# setup_rootless_bundle: $RL_DIR, the user's own bundle (the test's rootfs
# and husk spec --rootless's config, mapping the user to root) and state
# root; $RL_UID and $RL_GID.
setup_rootless_bundle() {
	command -v runuser >/dev/null || skip "runuser (util-linux) is not installed"
	RL_UID=$(id -u "$RL_USER")
	RL_GID=$(id -g "$RL_USER")
	RL_DIR=$(mktemp -d /tmp/husk-rootless.XXXXXX)
	cp -a "$BUNDLE/rootfs" "$RL_DIR/rootfs"
	(cd "$RL_DIR" && "$HUSK" spec --rootless)
	chown -R "$RL_USER:" "$RL_DIR"
	# spec --rootless maps the caller's ids: make it the test user's.
	rl_config ".linux.uidMappings = [{\"containerID\": 0, \"hostID\": $RL_UID, \"size\": 1}]
		| .linux.gidMappings = [{\"containerID\": 0, \"hostID\": $RL_GID, \"size\": 1}]
		| .process.terminal = false"
}

teardown_rootless() {
	if [ -n "${RL_DIR:-}" ]; then
		rl delete --force c1 >/dev/null 2>&1 || true
		rm -rf "$RL_DIR"
	fi
}

# rl ARGS...: husk as the unprivileged user, with its own state root.
rl() {
	runuser -u "$RL_USER" -- env -u XDG_RUNTIME_DIR "$HUSK" --root "$RL_DIR/state" "$@"
}

rl_config() {
	jq "$1" "$RL_DIR/config.json" >"$RL_DIR/config.json.new" && mv "$RL_DIR/config.json.new" "$RL_DIR/config.json"
	chown "$RL_USER:" "$RL_DIR/config.json"
}

# --- "nothing left behind" ---------------------------------------------------

# Lines "PID NS" for the live (not zombie) processes that are in another pid
# namespace than ours.
_other_pidns_procs() {
	find /proc -mindepth 3 -maxdepth 3 -path '/proc/[0-9]*/ns/pid' \
		-printf '%h %l\n' 2>/dev/null |
		awk -v mine="$(readlink /proc/self/ns/pid)" '
			$2 != mine {
				pid = $1; sub(/\/ns$/, "", pid); sub(/^\/proc\//, "", pid)
				line = ""
				f = "/proc/" pid "/stat"
				if ((getline line < f) <= 0) next
				close(f)
				sub(/.*\) /, "", line)
				# a zombie waiting for pid 1 to reap it counts as gone
				if (substr(line, 1, 1) == "Z") next
				print pid, $2
			}'
	return 0
}

# _is_ours PID: the process belongs to this test: it carries the test's
# environment mark, its root or cwd is the test's rootfs, its cwd is under
# the test's directory, or its command line names that directory.
_is_ours() {
	local pid=$1 id
	tr '\0' '\n' <"/proc/$pid/environ" 2>/dev/null |
		grep -qxF "HUSK_TEST_MARK=$BATS_TEST_TMPDIR" && return 0
	tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null |
		grep -qF "$BATS_TEST_TMPDIR" && return 0
	case $(readlink "/proc/$pid/cwd" 2>/dev/null) in
	"$BATS_TEST_TMPDIR"/*) return 0 ;;
	esac
	id=$(stat -c %d:%i "$BUNDLE/rootfs" 2>/dev/null) || return 1
	[ "$(stat -L -c %d:%i "/proc/$pid/root" 2>/dev/null)" = "$id" ] && return 0
	[ "$(stat -L -c %d:%i "/proc/$pid/cwd" 2>/dev/null)" = "$id" ] && return 0
	return 1
}

# assert_no_leftover_processes: no process of this test is left: none that
# appeared, since setup_bundle, in another pid namespace than ours (a
# container's process) and none running the runtime's binary.  Only
# processes that _is_ours counts: other things may run on this machine.
assert_no_leftover_processes() {
	local husk_exe pid rest left=
	husk_exe=$(readlink -f "$HUSK")
	while read -r pid rest; do
		[ -n "$pid" ] || continue
		_is_zombie "$pid" && continue
		_is_ours "$pid" || continue
		left+="  $pid: $(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)"$'\n'
	done < <(
		comm -13 <(sort "$BATS_TEST_TMPDIR/procs-before") <(_other_pidns_procs | sort)
		find /proc -mindepth 2 -maxdepth 2 -path '/proc/[0-9]*/exe' \
			-printf '%h %l\n' 2>/dev/null |
			awk -v exe="$husk_exe" '$2 == exe { sub(/^\/proc\//, "", $1); print $1 }'
	)
	if [ -n "$left" ]; then
		printf 'processes left behind:\n%s' "$left" >&2
		return 1
	fi
}

# _is_zombie PID
_is_zombie() {
	local stat
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	stat=${stat##*) }
	[ "${stat:0:1}" = Z ]
}

# assert_no_state: the state root holds no container.
assert_no_state() {
	local left
	left=$(ls -A "$ROOT" 2>/dev/null) || true
	if [ -n "$left" ]; then
		echo "state left under $ROOT: $left" >&2
		return 1
	fi
	left=$("$HUSK" --root "$ROOT" list -q) || {
		echo "$HUSK --root $ROOT list -q failed" >&2
		return 1
	}
	if [ -n "$left" ]; then
		echo "list shows containers left: $left" >&2
		return 1
	fi
}

# assert_nothing_left: both of the above.
assert_nothing_left() {
	assert_no_state
	assert_no_leftover_processes
}

# assert_husk_error FRAGMENT...: $output is one line that starts with
# "husk: " and contains every fragment.
assert_husk_error() {
	local f
	assert_equal "$(wc -l <<<"$output")" 1
	assert_output --regexp '^husk: '
	for f in "$@"; do
		assert_output --partial "$f"
	done
}

# --- tests that run a corpus of cases ----------------------------------------

# report_cases: for a test that runs many cases, counting them in CASES and
# recording each that failed, with why, in FAILURES: fail with every case
# that failed; then the full check that nothing is left.
report_cases() {
	echo "$CASES cases"
	if [ ${#FAILURES[@]} -gt 0 ]; then
		printf '%s\n' "${FAILURES[@]}" >&2
		fail "${#FAILURES[@]} of $CASES cases failed"
	fi
	assert_nothing_left
}

. "$REPO_ROOT/tests/cgroup-mounts.sh"

# remove_cgroup_tree PATH: for teardown, PATH and what is below it in every
# hierarchy, where a failed test left them.
remove_cgroup_tree() {
	local mnt
	for mnt in $(cgroup_mounts); do
		[ -d "$mnt$1" ] || continue
		find "$mnt$1" -depth -type d -exec rmdir {} \; 2>/dev/null
	done
	return 0
}
