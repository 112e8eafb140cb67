#!/usr/bin/env bats
# process.scheduler, ioPriority, execCPUAffinity, linux.personality, and the
# LSM labels where the host has no LSM.

load helpers

setup() {
	setup_bundle
}

teardown() {
	teardown_bundle
}

# policy_of: the scheduling policy (field 41 of /proc/self/stat) inside.
@test "scheduler: SCHED_BATCH with nice 7" {
	update_config '.process.scheduler = {"policy": "SCHED_BATCH", "nice": 7}'
	set_args sh -c 'cut -d" " -f19,41 /proc/self/stat'
	run -0 husk run --bundle "$BUNDLE" c1
	# field 19 is nice, field 41 the policy (3 = SCHED_BATCH)
	assert_output '7 3'
}

@test "scheduler: SCHED_IDLE" {
	update_config '.process.scheduler = {"policy": "SCHED_IDLE"}'
	set_args sh -c 'cut -d" " -f41 /proc/self/stat'
	run -0 husk run --bundle "$BUNDLE" c1
	assert_output 5
}

@test "scheduler: an unknown policy is a clear error" {
	requires_husk
	update_config '.process.scheduler = {"policy": "SCHED_FAST"}'
	set_args true
	run ! husk run --bundle "$BUNDLE" c1
	assert_husk_error 'process.scheduler.policy' 'SCHED_FAST'
	assert_nothing_left
}

@test "ioPriority: best-effort level 6" {
	update_config '.process.ioPriority = {"class": "IOPRIO_CLASS_BE", "priority": 6}'
	set_args ionice -p 1
	run -0 husk run --bundle "$BUNDLE" c1
	assert_output 'best-effort: prio 6'
}

@test "ioPriority: idle" {
	update_config '.process.ioPriority = {"class": "IOPRIO_CLASS_IDLE", "priority": 0}'
	set_args ionice -p 1
	run -0 husk run --bundle "$BUNDLE" c1
	assert_output --regexp '^idle'
}

@test "ioPriority: the idle class alone, without a priority (as crun takes it)" {
	update_config '.process.ioPriority = {"class": "IOPRIO_CLASS_IDLE"}'
	set_args ionice -p 1
	run -0 husk run --bundle "$BUNDLE" c1
	assert_output --regexp '^idle'
}

@test "ioPriority: best-effort without a priority is level 0, and check warns" {
	update_config '.process.ioPriority = {"class": "IOPRIO_CLASS_BE"}'
	set_args ionice -p 1
	run -0 husk run --bundle "$BUNDLE" c1
	assert_output 'best-effort: prio 0'
	requires_husk
	run -0 husk check --bundle "$BUNDLE"
	assert_line 'warning: process.ioPriority.priority: missing (the runtime-spec requires it): husk, as runc and crun, uses 0, the highest level of IOPRIO_CLASS_BE'
}

# start_sleeper: container c1 running "sleep 300".
start_sleeper() {
	set_args sleep 300
	husk_bg run -d --bundle "$BUNDLE" c1 >&2
}

requires_two_cpus() {
	[ "$(nproc)" -ge 2 ] || skip "needs two cpus"
}

@test "execCPUAffinity: not for the init (the runtime-spec), which keeps the caller's cpus" {
	requires_two_cpus
	update_config '.process.execCPUAffinity = {"initial": "1", "final": "1"}'
	set_args grep Cpus_allowed_list /proc/self/status
	run -0 husk run --bundle "$BUNDLE" c1
	assert_output "$(grep Cpus_allowed_list /proc/self/status)"
}

@test "execCPUAffinity: an exec'd process ends on the final cpus" {
	requires_two_cpus
	update_config '.process.execCPUAffinity = {"initial": "1", "final": "0"}'
	start_sleeper
	run -0 husk exec c1 grep Cpus_allowed_list /proc/self/status
	assert_output --regexp 'Cpus_allowed_list:[[:space:]]+0$'
}

@test "execCPUAffinity: with initial alone the exec'd process keeps it once in the cgroup" {
	requires_two_cpus
	update_config '.process.execCPUAffinity = {"initial": "1"}'
	start_sleeper
	run -0 husk exec c1 grep Cpus_allowed_list /proc/self/status
	assert_output --regexp 'Cpus_allowed_list:[[:space:]]+1$'
}

@test "execCPUAffinity: a list that is not one fails the exec, nothing started" {
	requires_husk
	update_config '.process.execCPUAffinity = {"final": "zero"}'
	start_sleeper
	run -255 husk exec c1 touch /tmp/ran
	assert_husk_error 'process.execCPUAffinity.final: "zero" is not a cpu list'
	# a process without the bad list sees that nothing ran
	jq '.process | del(.execCPUAffinity) | .args = ["sh", "-c", "test -e /tmp/ran || echo not run"]' \
		"$BUNDLE/config.json" >"$BATS_TEST_TMPDIR/process.json"
	run -0 husk exec --process "$BATS_TEST_TMPDIR/process.json" c1
	assert_output "not run"
}

@test "personality: LINUX32 makes uname -m say i686" {
	update_config '.linux.personality = {"domain": "LINUX32"}'
	set_args uname -m
	run -0 husk run --bundle "$BUNDLE" c1
	assert_output i686
}

@test "personality: an exec'd process gets it too (as runc and crun)" {
	update_config '.linux.personality = {"domain": "LINUX32"}'
	start_sleeper
	run -0 husk exec c1 uname -m
	assert_output i686
}

@test "apparmorProfile where AppArmor is off: a clear error, nothing left" {
	requires_husk
	[ "$(cat /sys/module/apparmor/parameters/enabled 2>/dev/null)" != Y ] || skip "AppArmor is enabled here"
	update_config '.process.apparmorProfile = "husk-test"'
	set_args true
	run ! husk run --bundle "$BUNDLE" c1
	assert_husk_error 'apparmorProfile' 'AppArmor is not enabled'
	assert_nothing_left
}

@test "selinuxLabel where SELinux is off is ignored" {
	[ ! -e /sys/fs/selinux/enforce ] || skip "SELinux is enabled here"
	update_config '.process.selinuxLabel = "system_u:system_r:container_t:s0"'
	set_args echo ran
	run -0 husk run --bundle "$BUNDLE" c1
	assert_output ran
}
