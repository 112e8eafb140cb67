#!/usr/bin/env bats
# linux.memoryPolicy (runtime-spec 1.3): set_mempolicy(2) for the container's
# processes, seen in /proc/self/numa_maps (the policy of the first mapping,
# which has none of its own: the task's). This host has one node, 0.

load helpers

setup() {
	setup_bundle
	[ -e /proc/self/numa_maps ] || skip "no NUMA support in this kernel"
}

teardown() {
	teardown_bundle
}

# policy_inside: print the policy numa_maps shows for the container's process.
policy_inside() {
	set_args sh -c 'head -n 1 /proc/self/numa_maps | cut -d" " -f2'
}

@test "memoryPolicy: MPOL_BIND to node 0" {
	update_config '.linux.memoryPolicy = {"mode": "MPOL_BIND", "nodes": "0"}'
	policy_inside
	run -0 husk run --bundle "$BUNDLE" c1
	assert_output 'bind:0'
}

@test "memoryPolicy: MPOL_INTERLEAVE over node 0" {
	update_config '.linux.memoryPolicy = {"mode": "MPOL_INTERLEAVE", "nodes": "0"}'
	policy_inside
	run -0 husk run --bundle "$BUNDLE" c1
	assert_output 'interleave:0'
}

@test "memoryPolicy: MPOL_BIND with MPOL_F_STATIC_NODES" {
	update_config '.linux.memoryPolicy = {"mode": "MPOL_BIND", "nodes": "0", "flags": ["MPOL_F_STATIC_NODES"]}'
	policy_inside
	run -0 husk run --bundle "$BUNDLE" c1
	assert_output 'bind=static:0'
}

@test "memoryPolicy: MPOL_PREFERRED node 0, and nodes the host lacks are left out" {
	update_config '.linux.memoryPolicy = {"mode": "MPOL_PREFERRED", "nodes": "0,5-7"}'
	policy_inside
	run -0 husk run --bundle "$BUNDLE" c1
	assert_output 'prefer:0'
}

@test "memoryPolicy: MPOL_LOCAL and MPOL_DEFAULT take no nodes" {
	update_config '.linux.memoryPolicy = {"mode": "MPOL_LOCAL"}'
	policy_inside
	run -0 husk run --bundle "$BUNDLE" c1
	assert_output 'local'
	update_config '.linux.memoryPolicy = {"mode": "MPOL_DEFAULT"}'
	run -0 husk run --bundle "$BUNDLE" c2
	assert_output 'default'
}

@test "memoryPolicy: without one the process keeps the default" {
	policy_inside
	run -0 husk run --bundle "$BUNDLE" c1
	assert_output 'default'
}

@test "memoryPolicy: an exec'd process gets it too (as runc)" {
	update_config '.linux.memoryPolicy = {"mode": "MPOL_PREFERRED", "nodes": "0", "flags": ["MPOL_F_RELATIVE_NODES"]}'
	set_args sleep 300
	run -0 husk_bg run -d --bundle "$BUNDLE" c1
	run -0 husk exec c1 sh -c 'head -n 1 /proc/self/numa_maps | cut -d" " -f2'
	assert_output 'prefer=relative:0'
	run -0 cat "/proc/$(container_pid c1)/numa_maps"
	assert_line --index 0 --partial ' prefer=relative:0 '
}

@test "memoryPolicy: an unknown mode is a clear error, nothing left" {
	requires_husk
	update_config '.linux.memoryPolicy = {"mode": "INTERLEAVE", "nodes": "0"}'
	run ! husk run --bundle "$BUNDLE" c1
	assert_husk_error 'linux.memoryPolicy.mode' '"INTERLEAVE"'
	assert_nothing_left
}

@test "memoryPolicy: an unknown flag is a clear error, nothing left" {
	requires_husk
	update_config '.linux.memoryPolicy = {"mode": "MPOL_PREFERRED", "nodes": "0", "flags": ["MPOL_F_RELATIVE_NODES", "badflag"]}'
	run ! husk run --bundle "$BUNDLE" c1
	assert_husk_error 'linux.memoryPolicy.flags[1]' '"badflag"'
	assert_nothing_left
}

@test "memoryPolicy: a mode is required" {
	requires_husk
	update_config '.linux.memoryPolicy = {"nodes": "0"}'
	run ! husk run --bundle "$BUNDLE" c1
	assert_husk_error 'linux.memoryPolicy.mode'
	assert_nothing_left
}

@test "memoryPolicy: nodes where the mode takes none, or none where it needs some" {
	requires_husk
	update_config '.linux.memoryPolicy = {"mode": "MPOL_DEFAULT", "nodes": "0-7"}'
	run ! husk run --bundle "$BUNDLE" c1
	assert_husk_error 'linux.memoryPolicy.nodes' 'MPOL_DEFAULT takes no nodes' '8 are given'
	assert_nothing_left
	update_config '.linux.memoryPolicy = {"mode": "MPOL_BIND"}'
	run ! husk run --bundle "$BUNDLE" c1
	assert_husk_error 'linux.memoryPolicy.nodes' 'MPOL_BIND needs at least one node'
	assert_nothing_left
}

@test "memoryPolicy: flags that exclude each other" {
	requires_husk
	update_config '.linux.memoryPolicy = {"mode": "MPOL_BIND", "nodes": "0", "flags": ["MPOL_F_STATIC_NODES", "MPOL_F_RELATIVE_NODES"]}'
	run ! husk run --bundle "$BUNDLE" c1
	assert_husk_error 'linux.memoryPolicy.flags' 'exclude each other'
	assert_nothing_left
}

@test "memoryPolicy: a bad node list and a node number beyond the kernel's" {
	requires_husk
	update_config '.linux.memoryPolicy = {"mode": "MPOL_BIND", "nodes": "0-9876543210"}'
	run ! husk run --bundle "$BUNDLE" c1
	assert_husk_error 'linux.memoryPolicy.nodes' 'above 1023'
	assert_nothing_left
	update_config '.linux.memoryPolicy = {"mode": "MPOL_BIND", "nodes": "0,,1"}'
	run ! husk run --bundle "$BUNDLE" c1
	assert_husk_error 'linux.memoryPolicy.nodes' 'not a node list'
	assert_nothing_left
}

@test "memoryPolicy: a node this host lacks is an error before anything is made" {
	requires_husk
	[ "$(cat /sys/devices/system/node/has_memory)" = 0 ] || skip "expects a host with one memory node, 0"
	update_config '.linux.memoryPolicy = {"mode": "MPOL_BIND", "nodes": "1"}'
	run ! husk run --bundle "$BUNDLE" c1
	assert_husk_error 'linux.memoryPolicy.nodes' 'none of "1" is a memory node of this host (it has 0)'
	assert_nothing_left
}

@test "memoryPolicy: husk check names nodes the host lacks, and bad rules" {
	requires_husk
	[ "$(cat /sys/devices/system/node/has_memory)" = 0 ] || skip "expects a host with one memory node, 0"
	update_config '.linux.memoryPolicy = {"mode": "MPOL_BIND", "nodes": "0-3"}'
	run -0 husk check --bundle "$BUNDLE"
	assert_line 'warning: linux.memoryPolicy.nodes: nodes 1-3 are not memory nodes of this host (it has 0): the kernel leaves them out'
	update_config '.linux.memoryPolicy = {"mode": "MPOL_INTERLEAVE", "nodes": "2"}'
	run -1 husk check --bundle "$BUNDLE"
	assert_line 'error: linux.memoryPolicy.nodes: none of "2" is a memory node of this host (it has 0)'
	# relative node numbers are positions: any works
	update_config '.linux.memoryPolicy = {"mode": "MPOL_INTERLEAVE", "nodes": "2", "flags": ["MPOL_F_RELATIVE_NODES"]}'
	run -0 husk check --bundle "$BUNDLE"
	refute_output --partial 'memoryPolicy'
	update_config '.linux.memoryPolicy = {"mode": "MPOL_LOCAL", "flags": ["MPOL_F_NUMA_BALANCING"]}'
	run -1 husk check --bundle "$BUNDLE"
	assert_line --partial 'error: linux.memoryPolicy.flags: MPOL_F_NUMA_BALANCING goes with MPOL_BIND or MPOL_PREFERRED_MANY only'
}

@test "memoryPolicy: relative node numbers are positions among the allowed nodes" {
	update_config '.linux.memoryPolicy = {"mode": "MPOL_INTERLEAVE", "nodes": "2", "flags": ["MPOL_F_RELATIVE_NODES"]}'
	policy_inside
	run -0 husk run --bundle "$BUNDLE" c1
	assert_output --regexp '^interleave=relative:[0-9]'
	# position 2 among the allowed nodes folds onto node 0 where it is the only one
	if [ "$(cat /sys/devices/system/node/has_memory)" = 0 ]; then
		assert_output 'interleave=relative:0'
	fi
}
