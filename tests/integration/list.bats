#!/usr/bin/env bats
# list: the table, --format json, -q.

load helpers

setup() {
	setup_bundle
}

teardown() {
	teardown_bundle
}

HEADER_RE='^ID +PID +STATUS +BUNDLE +CREATED +OWNER$'

@test "list: an empty root prints the table header only" {
	run -0 husk list
	assert_line --index 0 --regexp "$HEADER_RE"
	assert_equal "${#lines[@]}" 1
}

@test "list -q: an empty root prints nothing" {
	run -0 husk list -q
	assert_output ""
}

@test "list: one line per container with its pid, status and bundle" {
	set_args sleep 300
	run -0 husk_bg create --bundle "$BUNDLE" c1
	run -0 husk_bg run -d --bundle "$BUNDLE" c2
	pid1=$(container_pid c1)
	pid2=$(container_pid c2)
	bundle=$(readlink -f "$BUNDLE")

	run -0 husk list
	assert_line --index 0 --regexp "$HEADER_RE"
	assert_equal "${#lines[@]}" 3
	assert_line --regexp "^c1 +$pid1 +created +$bundle +[0-9]{4}-[0-9]{2}-[0-9]{2}T[^ ]+ +root\$"
	assert_line --regexp "^c2 +$pid2 +running +$bundle +[0-9]{4}-[0-9]{2}-[0-9]{2}T[^ ]+ +root\$"
}

@test "list: a stopped container shows pid 0" {
	set_args true
	run -0 husk_bg run -d --bundle "$BUNDLE" c1
	wait_for_status c1 stopped
	run -0 husk list
	assert_line --regexp '^c1 +0 +stopped +'
}

@test "list -q prints the ids only" {
	set_args sleep 300
	run -0 husk_bg create --bundle "$BUNDLE" c1
	run -0 husk_bg create --bundle "$BUNDLE" c2
	run -0 husk list -q
	assert_equal "$(sort <<<"$output")" "$(printf 'c1\nc2')"
	run -0 husk list --quiet
	assert_equal "$(sort <<<"$output")" "$(printf 'c1\nc2')"
}

@test "list --format json: an array of states" {
	set_args sleep 300
	run -0 husk_bg create --bundle "$BUNDLE" c1
	run -0 husk_bg run -d --bundle "$BUNDLE" c2
	pid1=$(container_pid c1)

	run -0 husk list --format json
	json=$output
	run -0 jq -r 'length' <<<"$json"
	assert_output 2
	run -0 jq -r '.[] | select(.id == "c1") | "\(.pid) \(.status) \(.bundle)"' <<<"$json"
	assert_output "$pid1 created $(readlink -f "$BUNDLE")"
	run -0 jq -r '.[] | select(.id == "c2") | .status' <<<"$json"
	assert_output running
	run -0 jq -r '.[0].ociVersion' <<<"$json"
	assert_output --regexp '^1\.'
	run -0 husk list -f json
	assert_equal "$(jq -c 'map(.id) | sort' <<<"$output")" '["c1","c2"]'
}

@test "list --format json: an empty root is null or []" {
	# runc prints "null"; an empty array says the same.
	run -0 husk list --format json
	run -0 jq -r 'length' <<<"$output"
	assert_output 0
}

@test "list: a container being created (no state.json yet) shows an empty bundle and creation time" {
	# what a create killed before it wrote state.json leaves
	mkdir -p "$ROOT/c1"
	chmod 700 "$ROOT/c1"
	register_id c1
	run -0 husk list
	assert_line --index 1 --regexp '^c1 +0 +creating +root$'
	refute_output --partial "(null)"
	run -0 husk delete --force c1
	run -0 husk list -q
	assert_output ""
}
