#!/usr/bin/env bats
# Rootless: husk run by an unprivileged user, with a user namespace mapping
# that user (and its subordinate ids, through newuidmap) to root inside.

load helpers

setup_file() {
	setup_rootless_user
}

setup() {
	setup_bundle
	setup_rootless_bundle
}

teardown() {
	teardown_rootless
	teardown_bundle
}

@test "rootless: run as an unprivileged user is root inside" {
	rl_config '.process.args = ["sh", "-c", "id -u; cat /proc/self/uid_map | tr -s \" \""]'
	run -0 rl run --bundle "$RL_DIR" c1
	assert_line 0
	assert_line " 0 $RL_UID 1"
}

@test "rootless: the core lifecycle: create, start, exec, kill, delete" {
	rl_config '.process.args = ["sleep", "300"]'
	# Not under "run": the container would hold the pipe it reads.
	rl create --bundle "$RL_DIR" c1 </dev/null >"$BATS_TEST_TMPDIR/rl.log" 2>&1
	run -0 rl state c1
	assert_output --partial '"status": "created"'
	pid=$(rl state c1 | jq -r .pid)
	echo "$pid" >>"$BATS_TEST_TMPDIR/pids"
	run -0 rl start c1
	run -0 rl exec c1 id -u
	assert_output 0
	# The host sees the container's root as the user.
	run -0 awk '/^Uid:/ {print $2}' "/proc/$pid/status"
	assert_output "$RL_UID"
	run -0 rl kill c1 KILL
	for _ in $(seq 100); do [ "$(rl state c1 | jq -r .status)" = stopped ] && break; sleep 0.05; done
	run -0 rl delete c1
	[ ! -e "$RL_DIR/state/c1" ]
}

@test "rootless: subordinate ids through newuidmap" {
	command -v newuidmap >/dev/null || skip "newuidmap (Debian's uidmap) is not installed"
	read -r sub_start sub_count < <(awk -F: -v u="$RL_USER" '$1 == u {print $2, $3; exit}' /etc/subuid)
	read -r subg_start subg_count < <(awk -F: -v u="$RL_USER" '$1 == u {print $2, $3; exit}' /etc/subgid)
	rl_config ".linux.uidMappings = [{\"containerID\": 0, \"hostID\": $RL_UID, \"size\": 1},
			{\"containerID\": 1, \"hostID\": $sub_start, \"size\": 1000}]
		| .linux.gidMappings = [{\"containerID\": 0, \"hostID\": $RL_GID, \"size\": 1},
			{\"containerID\": 1, \"hostID\": $subg_start, \"size\": 1000}]
		| .process.user = {\"uid\": 100, \"gid\": 100}
		| .process.args = [\"sh\", \"-c\", \"id -u; id -g; wc -l < /proc/self/uid_map\"]"
	run -0 rl run --bundle "$RL_DIR" c1
	# (a warning that there is no cgroup comes first)
	lines=("${lines[@]: -3}")
	assert_equal "${lines[0]}" 100
	assert_equal "${lines[1]}" 100
	assert_equal "${lines[2]}" 2
}

@test "rootless: ids outside the user's subordinate range are refused by newuidmap" {
	command -v newuidmap >/dev/null || skip "newuidmap (Debian's uidmap) is not installed"
	rl_config '.linux.uidMappings = [{"containerID": 0, "hostID": 0, "size": 1}]
		| .process.args = ["true"]'
	run ! rl run --bundle "$RL_DIR" c1
	assert_output --partial 'newuidmap'
	[ ! -e "$RL_DIR/state/c1" ]
}
