#!/usr/bin/env bats
# Rootless: husk run by an unprivileged user, with a user namespace mapping
# that user (and its subordinate ids, through newuidmap) to root inside.

load helpers

RL_USER=husk-rootless

setup_file() {
	[ "$(id -u)" = 0 ] || skip "needs root to make the unprivileged test user"
	if ! id "$RL_USER" >/dev/null 2>&1; then
		useradd -m -s /bin/sh "$RL_USER"
	fi
	# Subordinate ids for newuidmap/newgidmap (useradd may have added some).
	grep -q "^$RL_USER:" /etc/subuid 2>/dev/null || echo "$RL_USER:300000:65536" >>/etc/subuid
	grep -q "^$RL_USER:" /etc/subgid 2>/dev/null || echo "$RL_USER:300000:65536" >>/etc/subgid
}

setup() {
	setup_bundle
	command -v runuser >/dev/null || skip "runuser (util-linux) is not installed"
	RL_UID=$(id -u "$RL_USER")
	RL_GID=$(id -g "$RL_USER")
	# Everything the user touches is its own: bundle and state root.
	RL_DIR=$(mktemp -d /tmp/husk-rootless.XXXXXX)
	cp -a "$BUNDLE/rootfs" "$RL_DIR/rootfs"
	(cd "$RL_DIR" && "$HUSK" spec --rootless)
	chown -R "$RL_USER:" "$RL_DIR"
	# spec --rootless maps the caller's ids: make it the test user's.
	rl_config ".linux.uidMappings = [{\"containerID\": 0, \"hostID\": $RL_UID, \"size\": 1}]
		| .linux.gidMappings = [{\"containerID\": 0, \"hostID\": $RL_GID, \"size\": 1}]
		| .process.terminal = false"
}

teardown() {
	if [ -n "${RL_DIR:-}" ]; then
		rl delete --force c1 >/dev/null 2>&1 || true
		rm -rf "$RL_DIR"
	fi
	teardown_bundle
}

# rl ARGS...: husk as the unprivileged user, with its own state root.
rl() {
	runuser -u "$RL_USER" -- env -u XDG_RUNTIME_DIR "$HUSK" --root "$RL_DIR/state" "$@"
}

rl_config() {
	jq "$1" "$RL_DIR/config.json" >"$RL_DIR/config.json.new" && mv "$RL_DIR/config.json.new" "$RL_DIR/config.json"
	chown "$RL_USER:" "$RL_DIR/config.json"
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
