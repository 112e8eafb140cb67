#!/usr/bin/env bats
# spec: the default config.json.

load helpers

setup() {
	setup_bundle
	SPECDIR=$BATS_TEST_TMPDIR/spec
	mkdir -p "$SPECDIR"
}

teardown() {
	teardown_bundle
}

@test "spec writes ./config.json, valid JSON with the usual defaults" {
	cd "$SPECDIR"
	run -0 husk spec
	assert_file_exists "$SPECDIR/config.json"
	run -0 jq -r '.ociVersion' config.json
	assert_output --regexp '^1\.[0-9]+\.[0-9]+'
	run -0 jq -c '.process.args' config.json
	assert_output '["sh"]'
	run -0 jq -r '.process.terminal' config.json
	assert_output true
	run -0 jq -r '.root.path' config.json
	assert_output rootfs
	run -0 jq -r '.process.cwd' config.json
	assert_output /
	run -0 jq -r '[.linux.namespaces[].type] | sort | join(" ")' config.json
	assert_output --regexp '^(cgroup )?ipc mount network pid uts$'
	run -0 jq -r '[.mounts[].destination] | index("/proc") != null' config.json
	assert_output true
}

@test "spec --bundle DIR writes DIR/config.json" {
	cd "$BATS_TEST_TMPDIR"
	run -0 husk spec --bundle "$SPECDIR"
	assert_file_exists "$SPECDIR/config.json"
	assert_not_exists "$BATS_TEST_TMPDIR/config.json"
	run -0 jq -e '.ociVersion' "$SPECDIR/config.json"

	rm "$SPECDIR/config.json"
	run -0 husk spec -b "$SPECDIR"
	assert_file_exists "$SPECDIR/config.json"
}

@test "spec refuses to overwrite an existing config.json" {
	echo '{"mine": true}' >"$SPECDIR/config.json"
	run ! husk spec --bundle "$SPECDIR"
	run -0 cat "$SPECDIR/config.json"
	assert_output '{"mine": true}'
	cd "$SPECDIR"
	run ! husk spec
	run -0 cat "$SPECDIR/config.json"
	assert_output '{"mine": true}'
}

@test "spec --bundle of a missing directory fails" {
	run ! husk spec --bundle "$BATS_TEST_TMPDIR/no-such-dir"
	assert_not_exists "$BATS_TEST_TMPDIR/no-such-dir/config.json"
}

@test "spec's config runs once terminal is off" {
	husk spec --bundle "$SPECDIR"
	cp -a "$BUNDLE/rootfs" "$SPECDIR/rootfs"
	update_config '.process.terminal = false | .process.args = ["sh", "-c", "echo spec config works"]' "$SPECDIR"
	run -0 husk run --bundle "$SPECDIR" c1
	assert_output "spec config works"
}
