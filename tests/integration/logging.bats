#!/usr/bin/env bats
# --log, --log-format json and --debug.

load helpers

setup() {
	setup_bundle
}

teardown() {
	teardown_bundle
}

@test "log: --log-format json writes level/msg/time lines, and stderr gets the error" {
	requires_husk
	log=$BATS_TEST_TMPDIR/husk.log
	run ! "$HUSK" --root "$ROOT" --log "$log" --log-format json state nosuch
	assert_husk_error 'container "nosuch" does not exist'
	run -0 jq -r '.level + " " + .msg' "$log"
	assert_output 'error container "nosuch" does not exist'
	run -0 jq -r .time "$log"
	assert_output --regexp '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z$'
}

@test "log: text format by default" {
	requires_husk
	log=$BATS_TEST_TMPDIR/husk.log
	run ! "$HUSK" --root "$ROOT" --log "$log" delete nosuch
	run -0 cat "$log"
	assert_output --regexp '^[0-9T:.Z-]+ error: container "nosuch" does not exist$'
}

@test "log: an unknown --log-format is refused" {
	requires_husk
	run ! "$HUSK" --log-format yaml list
	assert_husk_error '--log-format' 'yaml'
}

@test "debug: one timing line per setup phase" {
	requires_husk
	set_args true
	run -0 "$HUSK" --root "$ROOT" --debug run --bundle "$BUNDLE" c1
	for phase in parse cgroup clone mounts pivot process start; do
		assert_line --regexp "^husk: debug: phase $phase: [0-9.]+ ms$"
	done
}

@test "debug: with --log the debug lines go to the log file" {
	requires_husk
	set_args true
	log=$BATS_TEST_TMPDIR/husk.log
	run -0 "$HUSK" --root "$ROOT" --debug --log "$log" --log-format json run --bundle "$BUNDLE" c1
	refute_output --partial 'debug:'
	run -0 jq -r 'select(.level == "debug") | .msg' "$log"
	assert_line --regexp '^phase pivot: [0-9.]+ ms$'
}
