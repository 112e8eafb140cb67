#!/usr/bin/env bats
# process.capabilities: the five sets as configured, across the user switch.

load helpers

setup() {
	setup_bundle
}

teardown() {
	teardown_bundle
}

@test "capabilities: a non-root user keeps ambient CAP_NET_BIND_SERVICE" {
	update_config '.process.user = {"uid": 1000, "gid": 1000}
		| .process.capabilities = {"bounding": ["CAP_NET_BIND_SERVICE"], "effective": ["CAP_NET_BIND_SERVICE"],
			"permitted": ["CAP_NET_BIND_SERVICE"], "inheritable": ["CAP_NET_BIND_SERVICE"],
			"ambient": ["CAP_NET_BIND_SERVICE"]}'
	set_args sh -c 'id -u; grep -E "^Cap(Inh|Prm|Eff|Bnd|Amb)" /proc/self/status'
	run -0 husk run --bundle "$BUNDLE" c1
	# CAP_NET_BIND_SERVICE is bit 10: 0x400
	assert_line --index 0 1000
	for set in Inh Prm Eff Bnd Amb; do
		assert_line "Cap$set:	0000000000000400"
	done
}

@test "capabilities: a non-root user without ambient has none effective" {
	update_config '.process.user = {"uid": 1000, "gid": 1000}
		| .process.capabilities = {"bounding": ["CAP_KILL"], "effective": ["CAP_KILL"], "permitted": ["CAP_KILL"]}'
	set_args grep -E '^Cap(Eff|Bnd)' /proc/self/status
	run -0 husk run --bundle "$BUNDLE" c1
	# exec as a non-root user clears effective and permitted without ambient
	assert_line 'CapEff:	0000000000000000'
	assert_line 'CapBnd:	0000000000000020'
}

@test "capabilities: an empty bounding set" {
	update_config '.process.capabilities = {"bounding": [], "effective": [], "permitted": []}'
	set_args grep -E '^Cap(Eff|Bnd)' /proc/self/status
	run -0 husk run --bundle "$BUNDLE" c1
	assert_line 'CapEff:	0000000000000000'
	assert_line 'CapBnd:	0000000000000000'
}

@test "capabilities: an unknown name is a clear error, nothing left" {
	requires_husk
	update_config '.process.capabilities.bounding += ["CAP_BOGUS"]'
	set_args true
	run ! husk run --bundle "$BUNDLE" c1
	assert_husk_error 'process.capabilities.bounding' 'unknown capability "CAP_BOGUS"'
	assert_nothing_left
}
