#!/usr/bin/env bats
# Crash safety: `husk create` killed with SIGKILL at each setup phase; then
# `delete --force` recovers, and nothing is left: no state dir, cgroup,
# process. HUSK_TEST_PAUSE_AT makes husk (or its init) wait at a phase.

load helpers

setup() {
	requires_husk
	setup_bundle
	set_args sleep 300
}

teardown() {
	teardown_bundle
}

# crash_at PHASE: run create until PHASE, SIGKILL it there, recover.
crash_at() {
	local phase=$1 log=$BATS_TEST_TMPDIR/create.log pid
	register_id c1
	HUSK_TEST_PAUSE_AT=$phase "$HUSK" --root "$ROOT" create --bundle "$BUNDLE" c1 </dev/null >"$log" 2>&1 &
	pid=$!
	for _ in $(seq 200); do grep -q "paused at $phase" "$log" && break; sleep 0.05; done
	run grep "paused at $phase" "$log"
	assert_success
	kill -9 "$pid"
	wait "$pid" 2>/dev/null || true
	# list and state never show a corrupt entry
	run -0 husk list
	run -0 husk list --format json
	run -0 husk delete --force c1
	assert_nothing_left
	for h in /sys/fs/cgroup/*/ /sys/fs/cgroup/; do
		[ ! -d "$h/husk/c1" ] || fail "cgroup $h/husk/c1 left behind"
	done
}

@test "crash: killed after parsing" { crash_at parse; }
@test "crash: killed after making the cgroup" { crash_at cgroup; }
@test "crash: killed after the clone" { crash_at clone; }
@test "crash: killed after placing the init" { crash_at "cgroup placement"; }
@test "crash: killed while the init sets up propagation" { crash_at propagation; }
@test "crash: killed while the init mounts" { crash_at mounts; }
@test "crash: killed while the init makes devices" { crash_at devices; }
@test "crash: killed after the root switch" { crash_at pivot; }
@test "crash: killed after the process setup" { crash_at process; }
@test "crash: killed once the init is ready" { crash_at "init ready"; }
