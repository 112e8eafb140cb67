#!/usr/bin/env bats
# Bad input.  Each case has a test that any runtime must pass (it fails, and
# leaves no state and no process behind) and, where husk words its error in
# a known way, a husk-only test of the message: one line, "husk: ...".

load helpers

setup() {
	setup_bundle
}

teardown() {
	teardown_bundle
}

# fails_cleanly: "create" and "run" of c1 both fail and leave nothing.
fails_cleanly() {
	run ! husk_bg create --bundle "$BUNDLE" c1
	assert_nothing_left
	run ! husk run --bundle "$BUNDLE" c2
	assert_nothing_left
}

# --- malformed JSON -------------------------------------------------------------

break_json() {
	printf '{"ociVersion": "1.0.2", "process": {"args": ["sh"' >"$BUNDLE/config.json"
}

@test "bad input: malformed JSON config" {
	break_json
	fails_cleanly
}

@test "bad input: malformed JSON config: husk's message" {
	requires_husk
	break_json
	run ! husk_bg create --bundle "$BUNDLE" c1
	assert_husk_error config.json
	assert_output --regexp '[Ii]nvalid JSON'
	assert_nothing_left
}

@test "bad input: config.json that is not an object" {
	echo '["not", "an", "object"]' >"$BUNDLE/config.json"
	fails_cleanly
}

@test "bad input: no config.json in the bundle" {
	rm "$BUNDLE/config.json"
	fails_cleanly
}

@test "bad input: no config.json: husk's message" {
	requires_husk
	rm "$BUNDLE/config.json"
	run ! husk_bg create --bundle "$BUNDLE" c1
	assert_husk_error config.json 'No such file or directory'
}

# --- wrong type -------------------------------------------------------------------

@test "bad input: wrong type (process.args = [1])" {
	update_config '.process.args = [1]'
	fails_cleanly
}

@test "bad input: wrong type: husk's message" {
	requires_husk
	update_config '.process.args = [1]'
	run ! husk_bg create --bundle "$BUNDLE" c1
	assert_husk_error 'config.json: process.args[0]: expected a string'
	assert_nothing_left
}

@test "bad input: wrong type (root.readonly = \"yes\")" {
	update_config '.root.readonly = "yes"'
	fails_cleanly
}

# --- missing rootfs ---------------------------------------------------------------

@test "bad input: missing rootfs" {
	rm -rf "$BUNDLE/rootfs"
	fails_cleanly
}

@test "bad input: missing rootfs: husk's message" {
	requires_husk
	rm -rf "$BUNDLE/rootfs"
	run ! husk_bg create --bundle "$BUNDLE" c1
	assert_husk_error rootfs 'No such file or directory'
	assert_nothing_left
}

@test "bad input: root.path names a missing directory" {
	update_config '.root.path = "no-such-rootfs"'
	fails_cleanly
}

# --- missing executable -----------------------------------------------------------

# create may fail, or create may work and start fail: either way nothing is
# left running, and once deleted nothing is left at all.
create_start_fails() {
	local rc=0
	husk_bg create --bundle "$BUNDLE" c1 || rc=$?
	if [ "$rc" -eq 0 ]; then
		run ! husk start c1
		wait_for_status c1 stopped
		assert_no_leftover_processes
		run -0 husk delete c1
	fi
	assert_nothing_left
}

@test "bad input: missing executable (absolute path): create or start fails" {
	set_args /nonexistent
	create_start_fails
}

@test "bad input: missing executable (absolute path): run fails" {
	set_args /nonexistent
	run ! husk run --bundle "$BUNDLE" c1
	assert_output --partial /nonexistent
	assert_nothing_left
}

@test "bad input: missing executable (not on PATH): run fails" {
	set_args no-such-command-here
	run ! husk run --bundle "$BUNDLE" c1
	assert_output --partial no-such-command-here
	assert_nothing_left
}

@test "bad input: missing executable: husk's message" {
	requires_husk
	set_args /nonexistent
	run ! husk run --bundle "$BUNDLE" c1
	assert_husk_error /nonexistent
	assert_output --regexp 'not found|No such file or directory'
	assert_nothing_left
}

@test "bad input: missing executable (not on PATH): husk's message" {
	requires_husk
	set_args no-such-command-here
	run ! husk run --bundle "$BUNDLE" c1
	assert_husk_error no-such-command-here
	assert_output --regexp 'not found|No such file or directory'
	assert_nothing_left
}

@test "bad input: executable that is not executable" {
	printf 'just text\n' >"$BUNDLE/rootfs/bin/not-exec"
	chmod 644 "$BUNDLE/rootfs/bin/not-exec"
	set_args /bin/not-exec
	run ! husk run --bundle "$BUNDLE" c1
	assert_nothing_left
}

# --- container ids ------------------------------------------------------------------

@test "bad input: container ids with / or .." {
	set_args true
	for id in a/b ../escaped .. . /abs; do
		run ! husk run --bundle "$BUNDLE" "$id"
		assert_nothing_left
		run ! husk_bg create --bundle "$BUNDLE" "$id"
		assert_nothing_left
	done
	# nothing was made next to the state root
	assert_not_exists "$BATS_TEST_TMPDIR/escaped"
	assert_not_exists "$BATS_TEST_TMPDIR/root/a"
}

@test "bad input: invalid container id: husk's message" {
	requires_husk
	set_args true
	for id in a/b ../escaped ..; do
		run ! husk_bg create --bundle "$BUNDLE" "$id"
		assert_husk_error 'invalid container id'
	done
	assert_nothing_left
}

@test "bad input: an empty container id" {
	set_args true
	run ! husk_bg create --bundle "$BUNDLE" ""
	assert_nothing_left
}

@test "state, kill, start, delete refuse ids with /" {
	run ! husk state ../x
	run ! husk start ../x
	run ! husk kill ../x KILL
	run ! husk delete ../x
	assert_nothing_left
}

# --- namespaces ---------------------------------------------------------------------

@test "bad input: unknown namespace type" {
	update_config '.linux.namespaces += [{"type": "bogus"}]'
	fails_cleanly
}

@test "bad input: unknown namespace type: husk's message" {
	requires_husk
	n=$(jq '.linux.namespaces | length' "$BUNDLE/config.json")
	update_config '.linux.namespaces += [{"type": "bogus"}]'
	run ! husk_bg create --bundle "$BUNDLE" c1
	assert_husk_error "config.json: linux.namespaces[$n].type: unknown namespace type"
	assert_nothing_left
}

@test "bad input: the same namespace type twice" {
	update_config '.linux.namespaces += [{"type": "uts"}]'
	fails_cleanly
}

# --- commands -----------------------------------------------------------------------

@test "bad input: unknown command" {
	run ! husk no-such-command
	assert_no_state
}

@test "bad input: start of an unknown container" {
	run ! husk start nosuchcontainer
	assert_no_state
}

@test "bad input: create without an id" {
	run ! husk_bg create --bundle "$BUNDLE"
	assert_nothing_left
}

@test "bad input: --bundle that does not exist" {
	run ! husk_bg create --bundle "$BATS_TEST_TMPDIR/no-such-bundle" c1
	assert_nothing_left
}
