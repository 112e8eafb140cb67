#!/usr/bin/env bats
# linux.netDevices (runtime-spec 1.2): host interfaces moved into the
# container's network namespace, renamed, with their permanent global
# addresses, and up. Each test makes a veth pair $H0/$H1 on the host and
# moves $H1 (this host has no dummy driver).

load helpers

setup() {
	setup_bundle
	H0=hv0-$BATS_TEST_NUMBER-$$
	H1=hv1-$BATS_TEST_NUMBER-$$
	# 15 bytes at most: the kernel's IFNAMSIZ
	H0=${H0:0:15} H1=${H1:0:15}
	ip link add "$H0" type veth peer name "$H1"
	ip addr add 10.250.77.2/24 dev "$H1"
	ip link set "$H1" up
	ip link set "$H0" up
	MAC1=$(cat "/sys/class/net/$H1/address")
}

teardown() {
	teardown_bundle
	# Deleting one end of a veth deletes both; a moved end went with the
	# container's network namespace (destroyed asynchronously).
	ip link del "$H0" 2>/dev/null || true
	ip link del "$H1" 2>/dev/null || true
	if [ -n "${NS_HOLDER:-}" ]; then
		kill -9 "$NS_HOLDER" 2>/dev/null || true
		wait "$NS_HOLDER" 2>/dev/null || true
	fi
}

# wait_gone IFACE: the host has no IFACE. The kernel tears a network
# namespace down in the background, which can take seconds on a busy host.
wait_gone() {
	local tries=300
	while ip link show "$1" >/dev/null 2>&1 && [ "$tries" -gt 0 ]; do
		sleep 0.1
		tries=$((tries - 1))
	done
	! ip link show "$1" >/dev/null 2>&1
}

# still_on_host: $H1 is on the host as before: its address, up, its peer.
still_on_host() {
	run -0 ip -o -4 addr show dev "$H1"
	assert_output --partial '10.250.77.2/24'
	run -0 cat "/sys/class/net/$H1/address"
	assert_output "$MAC1"
	[ $(($(cat "/sys/class/net/$H1/flags") & 1)) -eq 1 ]
	ip link show "$H0" >/dev/null
}

@test "netDevices: moved in under the new name, with its address, up; gone from the host" {
	update_config ".linux.netDevices = {\"$H1\": {\"name\": \"ctr0\"}}"
	set_args sleep 300
	run -0 husk_bg run -d --bundle "$BUNDLE" c1
	run ! ip link show "$H1"
	run -0 husk exec c1 sh -c 'ls /sys/class/net; cat /sys/class/net/ctr0/address /sys/class/net/ctr0/operstate; echo $(($(cat /sys/class/net/ctr0/flags) & 1)); ip -o -4 addr show dev ctr0'
	assert_line --index 0 ctr0
	assert_line --index 1 lo
	assert_line --index 2 "$MAC1"
	# its peer $H0 is up on the host: the link has a carrier
	assert_line --index 3 up
	assert_line --index 4 1
	assert_line --index 5 --partial 'inet 10.250.77.2/24'
	# the host side still reaches it: the peer is there, and $H1 is not
	ip link show "$H0" >/dev/null
}

@test "netDevices: without a name it keeps its own" {
	update_config ".linux.netDevices = {\"$H1\": {}}"
	set_args sh -c "cat /sys/class/net/$H1/address; ip -o -4 addr show dev $H1"
	run -0 husk run --bundle "$BUNDLE" c1
	assert_line --index 0 "$MAC1"
	assert_line --index 1 --partial 'inet 10.250.77.2/24'
}

@test "netDevices: a name template gets the kernel's number" {
	update_config ".linux.netDevices = {\"$H1\": {\"name\": \"net%d\"}}"
	set_args sh -c 'cat /sys/class/net/net0/address; ip -o -4 addr show dev net0'
	run -0 husk run --bundle "$BUNDLE" c1
	assert_line --index 0 "$MAC1"
	assert_line --index 1 --partial 'inet 10.250.77.2/24'
}

@test "netDevices: a virtual device goes with the container's network namespace" {
	update_config ".linux.netDevices = {\"$H1\": {\"name\": \"ctr0\"}}"
	set_args sleep 300
	run -0 husk_bg run -d --bundle "$BUNDLE" c1
	run -0 husk delete --force c1
	# a veth is destroyed with its namespace, and its peer with it (as runc:
	# nothing is moved back by hand)
	wait_gone "$H0"
	run ! ip link show "$H1"
	run ! ip link show ctr0
}

@test "netDevices: into a network namespace joined by path, where it stays" {
	unshare --net sleep 300 &
	NS_HOLDER=$!
	local tries=50
	while [ "$(readlink "/proc/$NS_HOLDER/ns/net")" = "$(readlink /proc/self/ns/net)" ] && [ "$tries" -gt 0 ]; do
		sleep 0.1
		tries=$((tries - 1))
	done
	update_config "(.linux.namespaces[] | select(.type == \"network\")).path = \"/proc/$NS_HOLDER/ns/net\"
		| .linux.netDevices = {\"$H1\": {\"name\": \"ctr1\"}}"
	set_args sh -c 'cat /sys/class/net/ctr1/address'
	run -0 husk run --bundle "$BUNDLE" c1
	assert_output "$MAC1"
	run -0 nsenter -t "$NS_HOLDER" -n ip -o -4 addr show dev ctr1
	assert_output --partial 'inet 10.250.77.2/24'
	run ! ip link show "$H1"
}

@test "netDevices: with a new user namespace too (its network namespace is the user namespace's)" {
	chown -R 100000:100000 "$BUNDLE/rootfs"
	chmod o+x "$BATS_RUN_TMPDIR"
	update_config ".linux.namespaces += [{\"type\": \"user\"}]
		| .linux.uidMappings = [{\"containerID\": 0, \"hostID\": 100000, \"size\": 65536}]
		| .linux.gidMappings = [{\"containerID\": 0, \"hostID\": 100000, \"size\": 65536}]
		| .linux.netDevices = {\"$H1\": {\"name\": \"ctr0\"}}"
	set_args sh -c 'cat /proc/self/uid_map | tr -s " "; cat /sys/class/net/ctr0/address; ip -o -4 addr show dev ctr0'
	run -0 husk run --bundle "$BUNDLE" c1
	assert_line --index 0 ' 0 100000 65536'
	assert_line --index 1 "$MAC1"
	assert_line --index 2 --partial 'inet 10.250.77.2/24'
}

@test "netDevices: a device the host lacks is one clear error, nothing left" {
	requires_husk
	update_config ".linux.netDevices = {\"$H1\": {\"name\": \"ctr0\"}, \"nosuch0\": {}}"
	run ! husk run --bundle "$BUNDLE" c1
	assert_husk_error 'linux.netDevices["nosuch0"]' 'no network interface "nosuch0" on this host'
	assert_nothing_left
	still_on_host
}

@test "netDevices: without a network namespace of its own, a clear error, nothing left" {
	requires_husk
	update_config ".linux.namespaces |= map(select(.type != \"network\"))
		| .linux.netDevices = {\"$H1\": {\"name\": \"ctr0\"}}"
	run ! husk run --bundle "$BUNDLE" c1
	assert_husk_error 'linux.netDevices' 'network namespace' '{"type": "network"}'
	assert_nothing_left
	still_on_host
}

@test "netDevices: joining husk's own network namespace is refused" {
	requires_husk
	update_config "(.linux.namespaces[] | select(.type == \"network\")).path = \"/proc/self/ns/net\"
		| .linux.netDevices = {\"$H1\": {}}"
	run ! husk run --bundle "$BUNDLE" c1
	assert_husk_error 'linux.netDevices' "husk's own network namespace"
	assert_nothing_left
	still_on_host
}

@test "netDevices: names the kernel refuses, and two devices with one name" {
	requires_husk
	update_config ".linux.netDevices = {\"$H1\": {\"name\": \"a/b\"}}"
	run ! husk run --bundle "$BUNDLE" c1
	assert_husk_error "linux.netDevices[\"$H1\"].name" '"a/b"' "'/'"
	assert_nothing_left
	update_config ".linux.netDevices = {\"$H1\": {\"name\": \"sixteen-bytes-xx\"}}"
	run ! husk run --bundle "$BUNDLE" c1
	assert_husk_error "linux.netDevices[\"$H1\"].name" '15 bytes'
	update_config ".linux.netDevices = {\"$H1\": {\"name\": \"..\"}}"
	run ! husk run --bundle "$BUNDLE" c1
	assert_husk_error "linux.netDevices[\"$H1\"].name" 'not a name'
	update_config ".linux.netDevices = {\"$H1\": {\"name\": \"ctr0\"}, \"$H0\": {\"name\": \"ctr0\"}}"
	run ! husk run --bundle "$BUNDLE" c1
	assert_husk_error "linux.netDevices[\"$H0\"]" '"ctr0"' "linux.netDevices[\"$H1\"]"
	assert_nothing_left
	still_on_host
}

@test "netDevices: a name the container has already (lo) is an error, nothing left" {
	requires_husk
	update_config ".linux.netDevices = {\"$H1\": {\"name\": \"lo\"}}"
	run ! husk run --bundle "$BUNDLE" c1
	assert_husk_error "linux.netDevices[\"$H1\"]" 'has a "lo" already'
	assert_nothing_left
	still_on_host
}

@test "netDevices: a create that fails after the move puts the device back" {
	requires_husk
	update_config ".linux.netDevices = {\"$H1\": {\"name\": \"ctr0\"}}
		| .hooks.createRuntime = [{\"path\": \"/bin/false\"}]"
	run ! husk run --bundle "$BUNDLE" c1
	assert_husk_error 'createRuntime'
	assert_nothing_left
	still_on_host
}

@test "netDevices: husk check names what would fail" {
	requires_husk
	update_config ".linux.netDevices = {\"$H1\": {\"name\": \"ctr0\"}, \"nosuch0\": {}, \"$H0\": {\"name\": \"a:b\"}}"
	run -1 husk check --bundle "$BUNDLE"
	assert_line 'error: linux.netDevices["nosuch0"]: no network interface "nosuch0" on this host'
	assert_line --partial "error: linux.netDevices[\"$H0\"].name: \"a:b\" has a '/', ':' or white space"
	assert_line --partial "note: linux.netDevices[\"$H1\"]: a virtual interface"
	update_config ".linux.namespaces |= map(select(.type != \"network\"))
		| .linux.netDevices = {\"$H1\": {}}"
	run -1 husk check --bundle "$BUNDLE"
	assert_line --partial 'error: linux.netDevices: the container shares husk'"'"'s network namespace'
}
