#!/usr/bin/env bats
# Faults of the whole host (tests/faults/ fails one syscall at a time): a
# full state root, a low fd limit, a memory cgroup too small for husk, a
# read-only /run. Each create fails with one "husk: " line (or works, and
# then the container does), leaves nothing, and `delete --force` succeeds.
# Mounts are made only in a private mount namespace (unshare -m).

load helpers

setup() {
	requires_husk
	setup_bundle
	set_args sleep 300
	ID=hf-$$
}

teardown() {
	teardown_bundle
	"$HUSK" delete --force "$ID" >/dev/null 2>&1 || true
	if [ -n "${MEMCG:-}" ]; then
		# sh and husk are gone: the cgroup is empty
		rmdir "$MEMCG" 2>/dev/null || true
	fi
	remove_cgroup_tree "/husk/$ID"
}

# no_cgroup_left: the container's cgroup is in no hierarchy.
no_cgroup_left() {
	local mnt
	for mnt in $(cgroup_mounts); do
		[ ! -e "$mnt/husk/$ID" ] || fail "cgroup $mnt/husk/$ID left behind"
	done
}

# check_create_outcome: $status and $output of a create of $ID under the
# fault: one "husk: " line naming FRAGMENT, or success and a container
# that starts; then delete --force, and nothing is left.
check_create_outcome() {
	local fragment=${1:-husk: }
	if [ "$status" -eq 0 ]; then
		run -0 husk start "$ID"
		wait_for_status "$ID" running
	else
		assert_husk_error "$fragment"
		no_cgroup_left
	fi
	run -0 husk delete --force "$ID"
	no_cgroup_left
	assert_nothing_left
}

@test "host faults: the state root on a full tmpfs" {
	# The mount, the create and the look at the root all in one private
	# mount namespace; what the create printed and its status come back.
	run env BUNDLE="$BUNDLE" ID="$ID" unshare -m --propagation private bash -c '
		root=$1; shift
		mkdir -p "$root"
		mount -t tmpfs -o size=64k,nr_inodes=64 tmpfs "$root" || exit 99
		# fill it: blocks, then inodes
		dd if=/dev/zero of="$root/fill" bs=4k 2>/dev/null
		i=0; while touch "$root/i$i" 2>/dev/null; do i=$((i + 1)); done
		"$@" --root "$root" create --bundle "$BUNDLE" "$ID" </dev/null >"$root.log" 2>&1; rc=$?
		cat "$root.log"
		# nothing of the container in the root
		[ $rc -eq 0 ] || ! ls -A "$root" | grep -qxF "$ID" || echo "state dir left"
		[ $rc -eq 0 ] && "$@" --root "$root" delete --force "$ID"
		exit $rc' - "$BATS_TEST_TMPDIR/fullroot" "$HUSK"
	[ "$status" -ne 99 ] || fail "could not mount the tmpfs"
	echo "create on a full root: status $status: $output"
	refute_output --partial "state dir left"
	if [ "$status" -ne 0 ]; then
		assert_husk_error "$ID"
		assert_output --partial "No space left on device"
	fi
	no_cgroup_left
	assert_nothing_left
}

@test "host faults: ulimit -n from 6 to 24" {
	register_id "$ID"
	# (the config's RLIMIT_NOFILE of 1024 could not be had under a hard 16)
	update_config 'del(.process.rlimits)'
	# Each limit runs out at another step of the create (how many fds a
	# step needs depends on the host's cgroup hierarchies): every one of
	# them must fail cleanly, and the higher ones succeed.
	local limit worked=0
	for limit in $(seq 6 24); do
		# (output to a file: a created init would hold run's pipe open)
		run bash -c 'exec </dev/null >"$0" 2>&1 && ulimit -n "$1" && shift && exec "$@"' \
			"$BATS_TEST_TMPDIR/create.log" "$limit" \
			"$HUSK" --root "$ROOT" create --bundle "$BUNDLE" "$ID"
		output=$(cat "$BATS_TEST_TMPDIR/create.log")
		echo "create under ulimit -n $limit: status $status: $output"
		[ "$status" -ne 0 ] || worked=$((worked + 1))
		check_create_outcome
	done
	[ "$worked" -gt 0 ] || fail "no create worked under ulimit -n 24"
	# and each command of the lifecycle under a limit of 16
	run -0 husk_bg create --bundle "$BUNDLE" "$ID"
	for args in "start $ID" "exec $ID true" "pause $ID" "resume $ID" "update --pids-limit 50 $ID" "kill $ID KILL"; do
		# shellcheck disable=SC2086
		run bash -c 'ulimit -n 16 && exec "$@"' - "$HUSK" --root "$ROOT" $args
		[ "$status" -eq 0 ] || assert_husk_error
	done
	run -0 bash -c 'ulimit -n 16 && exec "$@"' - "$HUSK" --root "$ROOT" delete --force "$ID"
	no_cgroup_left
	assert_nothing_left
}

# memory_cgroup LIMIT: a memory cgroup with that limit, in $MEMCG.
memory_cgroup() {
	if [ -f /sys/fs/cgroup/memory/memory.limit_in_bytes ]; then
		MEMCG=/sys/fs/cgroup/memory/husk-hostfault-$$
		mkdir "$MEMCG" && echo "$1" >"$MEMCG/memory.limit_in_bytes" &&
			{ echo 0 >"$MEMCG/memory.swappiness" 2>/dev/null || true; }
	elif grep -qw memory /sys/fs/cgroup/cgroup.subtree_control 2>/dev/null; then
		MEMCG=/sys/fs/cgroup/husk-hostfault-$$
		mkdir "$MEMCG" && echo "$1" >"$MEMCG/memory.max" &&
			{ echo 0 >"$MEMCG/memory.swap.max" 2>/dev/null || true; }
	else
		skip "no memory controller to limit husk with"
	fi
}

@test "host faults: a memory cgroup too small for husk itself" {
	register_id "$ID"
	# From too small for a shell to about what husk needs (bench/RESULTS.md:
	# 256 KiB): husk is killed by the OOM killer at some point of the
	# create, or fails, or works; whichever, once delete --force has run
	# nothing is left.
	memory_cgroup 16M
	LOG=$BATS_TEST_TMPDIR/create.log
	for limit in 64K 256K 384K 512K 640K 768K 896K 1M 2M 4M; do
		if [ -f "$MEMCG/memory.limit_in_bytes" ]; then
			echo "$limit" >"$MEMCG/memory.limit_in_bytes"
		else
			echo "$limit" >"$MEMCG/memory.max"
		fi
		# (output to a file: a created init would hold run's pipe open; no
		# file: the shell was killed before it ran husk)
		rm -f "$LOG"
		run sh -c 'echo $$ >"$1/cgroup.procs" && log=$2 && shift 2 && exec "$@" </dev/null >"$log" 2>&1' \
			- "$MEMCG" "$LOG" "$HUSK" --root "$ROOT" create --bundle "$BUNDLE" "$ID"
		output=$(cat "$LOG" 2>/dev/null || true)
		echo "$limit: status $status: $output"
		if [ "$status" -eq 0 ]; then
			run -0 husk start "$ID"
		elif [ "$status" -lt 128 ]; then
			assert_husk_error
		fi
		run -0 husk delete --force "$ID"
		no_cgroup_left
		assert_nothing_left
		# nothing of husk's is still charged to the cgroup
		assert_equal "$(cat "$MEMCG/cgroup.procs")" ""
	done
}

@test "host faults: /run read-only" {
	register_id "$ID"
	# The default root (/run/husk) on a read-only /run, in a private mount
	# namespace: the host's /run is not touched.
	run env BUNDLE="$BUNDLE" ID="$ID" unshare -m --propagation private bash -c '
		# /run may be a directory of / rather than a mount of its own
		mountpoint -q /run || mount --bind /run /run || exit 99
		mount -o bind,remount,ro /run || exit 99
		exec "$@" create --bundle "$BUNDLE" "$ID" </dev/null 2>&1' - "$HUSK"
	[ "$status" -ne 99 ] || fail "could not make /run read-only"
	assert_failure
	assert_husk_error "/run/husk" "Read-only file system"
	[ ! -e "/run/husk/$ID" ]
	no_cgroup_left
	assert_nothing_left
}
