#!/usr/bin/env bats
# User namespaces with uid/gid maps (as root), and time namespaces.

load helpers

setup() {
	setup_bundle
}

teardown() {
	teardown_bundle
}

# userns_config [HOSTID]: a new user namespace mapping 0-65535 to HOSTID...,
# with the rootfs owned by the mapped root.
userns_config() {
	local host=${1:-100000}
	chown -R "$host:$host" "$BUNDLE/rootfs"
	# The mapped root must be able to reach its rootfs, as with runc.
	chmod o+x "$BATS_RUN_TMPDIR"
	update_config ".linux.namespaces += [{\"type\": \"user\"}]
		| .linux.uidMappings = [{\"containerID\": 0, \"hostID\": $host, \"size\": 65536}]
		| .linux.gidMappings = [{\"containerID\": 0, \"hostID\": $host, \"size\": 65536}]"
}

@test "userns: root inside, the map in /proc/self/uid_map, files of the mapped root are root's" {
	userns_config 100000
	set_args sh -c 'id -u; id -g; cat /proc/self/uid_map /proc/self/gid_map | tr -s " "; stat -c "%u %g" /bin/busybox'
	run -0 husk run --bundle "$BUNDLE" c1
	assert_line --index 0 0
	assert_line --index 1 0
	assert_line --index 2 ' 0 100000 65536'
	assert_line --index 3 ' 0 100000 65536'
	assert_line --index 4 '0 0'
}

@test "userns: the host sees the container's root as the mapped uid" {
	userns_config 200000
	set_args sleep 300
	run -0 husk_bg run -d --bundle "$BUNDLE" c1
	pid=$(container_pid c1)
	run -0 awk '/^Uid:/ {print $2, $3, $4, $5}' "/proc/$pid/status"
	assert_output '200000 200000 200000 200000'
	# and exec joins the same user namespace
	run -0 husk exec c1 readlink /proc/self/ns/user
	assert_output "$(readlink "/proc/$pid/ns/user")"
	run -0 husk exec c1 id -u
	assert_output 0
}

@test "userns: devices are there (bound from the host: no mknod in a user namespace)" {
	userns_config
	set_args sh -c 'echo hi > /dev/null && head -c 4 /dev/zero | wc -c && test -c /dev/urandom && echo ok'
	run -0 husk run --bundle "$BUNDLE" c1
	assert_line --index 0 4
	assert_line --index 1 ok
}

@test "userns: a user namespace without maps is refused, nothing left" {
	update_config '.linux.namespaces += [{"type": "user"}]'
	set_args true
	run ! husk run --bundle "$BUNDLE" c1
	if is_husk; then
		assert_husk_error 'linux.uidMappings' 'a new user namespace needs uid mappings'
	fi
	assert_nothing_left
}

@test "userns: maps without a user namespace are refused" {
	requires_husk
	update_config '.linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 1000}]
		| .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 1000}]'
	set_args true
	run ! husk run --bundle "$BUNDLE" c1
	assert_husk_error 'need a new user namespace'
	assert_nothing_left
}

@test "userns: overlapping map lines are refused" {
	requires_husk
	userns_config
	update_config '.linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 1000},
		{"containerID": 500, "hostID": 300000, "size": 1000}]'
	set_args true
	run ! husk run --bundle "$BUNDLE" c1
	assert_husk_error 'linux.uidMappings[1]' 'overlap'
	assert_nothing_left
}

@test "time namespace: linux.timeOffsets shows in /proc/uptime" {
	update_config '.linux.namespaces += [{"type": "time"}]
		| .linux.timeOffsets = {"boottime": {"secs": 864000, "nanosecs": 0}, "monotonic": {"secs": 3600}}'
	set_args cat /proc/uptime
	run -0 husk run --bundle "$BUNDLE" c1
	inside=${output%%.*}
	host=$(cut -d. -f1 /proc/uptime)
	[ "$inside" -ge $((host + 864000 - 5)) ]
	[ "$inside" -le $((host + 864000 + 60)) ]
}

@test "idmapped mount: a host dir's root-owned file is root's inside a user namespace" {
	userns_config 100000
	mkdir -p "$BATS_TEST_TMPDIR/shared"
	chmod o+x "$BATS_TEST_TMPDIR"
	echo data >"$BATS_TEST_TMPDIR/shared/file"
	update_config ".mounts += [
		{\"destination\": \"/idmapped\", \"type\": \"bind\", \"source\": \"$BATS_TEST_TMPDIR/shared\", \"options\": [\"rbind\"],
		 \"uidMappings\": [{\"containerID\": 0, \"hostID\": 100000, \"size\": 65536}],
		 \"gidMappings\": [{\"containerID\": 0, \"hostID\": 100000, \"size\": 65536}]},
		{\"destination\": \"/plain\", \"type\": \"bind\", \"source\": \"$BATS_TEST_TMPDIR/shared\", \"options\": [\"rbind\"]}]"
	set_args sh -c 'stat -c "%u %g" /idmapped/file /plain/file; echo new > /idmapped/new'
	run -0 husk run --bundle "$BUNDLE" c1
	assert_line --index 0 '0 0'
	assert_line --index 1 '65534 65534'
	# written as root inside, through the idmap: root's on the host
	assert_equal "$(stat -c %u "$BATS_TEST_TMPDIR/shared/new")" 0
}

@test "idmapped mount: the idmap option alone takes the container's mapping" {
	userns_config 100000
	mkdir -p "$BATS_TEST_TMPDIR/shared"
	chmod o+x "$BATS_TEST_TMPDIR"
	echo data >"$BATS_TEST_TMPDIR/shared/file"
	update_config ".mounts += [{\"destination\": \"/idmapped\", \"type\": \"bind\", \"source\": \"$BATS_TEST_TMPDIR/shared\", \"options\": [\"rbind\", \"idmap\"]}]"
	set_args stat -c '%u' /idmapped/file
	run -0 husk run --bundle "$BUNDLE" c1
	assert_output 0
}

@test "idmapped mount: only bind mounts, a clear error otherwise" {
	requires_husk
	update_config '.mounts += [{"destination": "/t", "type": "tmpfs", "source": "tmpfs",
		"uidMappings": [{"containerID": 0, "hostID": 100000, "size": 1}],
		"gidMappings": [{"containerID": 0, "hostID": 100000, "size": 1}]}]'
	set_args true
	run ! husk run --bundle "$BUNDLE" c1
	assert_husk_error 'only bind mounts can be idmapped'
	assert_nothing_left
}

@test "userns: a second container joins the first's user namespace (and its pid one) by path" {
	userns_config 100000
	set_args sleep 300
	run -0 husk_bg run -d --bundle "$BUNDLE" c1
	pid=$(container_pid c1)
	second=$BATS_TEST_TMPDIR/second
	mkdir -p "$second"
	jq --arg u "/proc/$pid/ns/user" --arg p "/proc/$pid/ns/pid" --arg r "$BUNDLE/rootfs" '
		.root.path = $r
		| del(.linux.uidMappings, .linux.gidMappings)
		| .linux.namespaces |= map(if .type == "user" then .path = $u elif .type == "pid" then .path = $p else . end)
		| .process.args = ["sh", "-c", "readlink /proc/self/ns/user; id -u; hostname"]' \
		"$BUNDLE/config.json" >"$second/config.json"
	run -0 husk run --bundle "$second" c2
	assert_line --index 0 "$(readlink "/proc/$pid/ns/user")"
	assert_line --index 1 0
}
