#!/usr/bin/env bats
# Configs written by other tools run unchanged: the exact output of
# `runc spec` and `crun spec` (Debian's), patched only where a bundle must
# be (root.path, process.args, terminal).

load helpers

setup() {
	setup_bundle
	SPECDIR=$BATS_TEST_TMPDIR/spec
	mkdir -p "$SPECDIR"
	cp -a "$BUNDLE/rootfs" "$SPECDIR/rootfs"
}

teardown() {
	teardown_bundle
}

# spec_from TOOL: TOOL's `spec` in $SPECDIR, patched to print the process's
# capabilities, hostname and user.
spec_from() {
	command -v "$1" >/dev/null || skip "$1 is not installed (contrib/install-deps.sh installs it)"
	(cd "$SPECDIR" && "$1" spec) || fail "$1 spec failed"
	update_config '.root.path = "rootfs" | .process.terminal = false
		| .process.args = ["sh", "-c", "hostname; id -u; grep -E \"^Cap(Inh|Prm|Eff|Bnd|Amb)\" /proc/self/status"]' "$SPECDIR"
}

# The capabilities both write: CAP_AUDIT_WRITE (29), CAP_KILL (5) and
# CAP_NET_BIND_SERVICE (10), listed as ambient but not inheritable.
assert_spec_caps() {
	assert_line --index 1 0
	assert_line 'CapInh:	0000000000000000'
	assert_line 'CapPrm:	0000000020000420'
	assert_line 'CapEff:	0000000020000420'
	assert_line 'CapBnd:	0000000020000420'
	assert_line 'CapAmb:	0000000000000000'
}

@test "runc spec: its exact config runs (ambient capabilities that are not inheritable are dropped)" {
	spec_from runc
	# what makes it interesting: ambient listed, inheritable not
	run -0 jq -r '.process.capabilities | (.ambient | length), (.inheritable // [] | length)' "$SPECDIR/config.json"
	assert_output $'3\n0'
	run -0 husk run --bundle "$SPECDIR" c1
	assert_line --index 0 runc
	assert_spec_caps
	assert_nothing_left
}

@test "crun spec: its exact config runs" {
	spec_from crun
	run -0 husk run --bundle "$SPECDIR" c1
	assert_line --index 0 crun
	assert_spec_caps
	assert_nothing_left
}

@test "runc spec: husk check warns that the ambient capabilities will not take effect" {
	spec_from runc
	run -0 husk check --bundle "$SPECDIR"
	assert_line 'warning: process.capabilities.ambient: CAP_KILL is not both permitted and inheritable, so it is not raised as ambient: the process runs without it, as with runc and crun'
	refute_line --partial 'error:'
}
