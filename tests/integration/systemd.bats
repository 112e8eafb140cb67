#!/usr/bin/env bats
# The systemd cgroup driver (--systemd-cgroup): the container's cgroup is a
# transient unit systemd made, as with runc and crun. These tests need
# systemd as PID 1 (make check runs them in the systemd VM:
# HUSK_VM_INIT=systemd tests/vm/run.sh); elsewhere they skip.

load helpers

setup() {
	[ -d /run/systemd/system ] || skip "systemd is not PID 1 here (see tests/vm: HUSK_VM_INIT=systemd)"
	setup_bundle
	# The unit's name must be unique across the tests of a run.
	ID=hsd$$-$BATS_TEST_NUMBER
	UNIT=husk-$ID.scope
	set_args sleep 1000
}

teardown() {
	teardown_bundle
	[ -d /run/systemd/system ] || return 0
	if [ -f "$BATS_TEST_TMPDIR/sdu-dir" ]; then
		local dir
		dir=$(cat "$BATS_TEST_TMPDIR/sdu-dir")
		"$HUSK" --root "$dir/state" delete --force "$ID" >/dev/null 2>&1 || true
		loginctl disable-linger husk-sdu >/dev/null 2>&1 || true
		rm -rf "$dir"
	fi
	systemctl stop "$UNIT" >/dev/null 2>&1 || true
	systemctl reset-failed "$UNIT" >/dev/null 2>&1 || true
}

# unit_prop UNIT PROPERTY: its value from systemctl show.
unit_prop() {
	systemctl show "$1" -p "$2" --value
}

cgroup_dir() {
	echo "/sys/fs/cgroup$(sed -n 's/^0:://p' "/proc/$1/cgroup")"
}

assert_no_unit() {
	run systemctl list-units --all --no-legend "$1"
	assert_output ''
	run systemctl list-units --failed --no-legend
	refute_output --partial "$1"
}

@test "systemd: the container is a scope with Delegate=yes and its limits, in the slice it named" {
	update_config '.linux.cgroupsPath = "system.slice:husk:'"$ID"'"
		| .linux.resources.memory.limit = 67108864 | .linux.resources.pids.limit = 32'
	husk_bg --systemd-cgroup run -d --bundle "$BUNDLE" "$ID"
	pid=$(container_pid "$ID")
	assert_equal "$(unit_prop "$UNIT" ActiveState)" active
	assert_equal "$(unit_prop "$UNIT" Delegate)" yes
	assert_equal "$(unit_prop "$UNIT" MemoryMax)" 67108864
	assert_equal "$(unit_prop "$UNIT" TasksMax)" 32
	assert_equal "$(unit_prop "$UNIT" Slice)" system.slice
	# the init is in the unit's cgroup, with the limits in its files
	assert_equal "$(sed -n 's/^0:://p' "/proc/$pid/cgroup")" "/system.slice/$UNIT"
	assert_equal "$(cat "$(cgroup_dir "$pid")/memory.max")" 67108864
	assert_equal "$(cat "$(cgroup_dir "$pid")/pids.max")" 32
	# systemd re-applies what it knows: the limits survive a daemon-reload
	systemctl daemon-reload
	assert_equal "$(cat "$(cgroup_dir "$pid")/memory.max")" 67108864
	assert_equal "$(cat "$(cgroup_dir "$pid")/pids.max")" 32
	dir=$(cgroup_dir "$pid")
	husk delete --force "$ID"
	assert_no_unit "$UNIT"
	[ ! -e "$dir" ] || fail "$dir left behind"
}

@test "systemd: update changes the unit's properties and the cgroup's files" {
	update_config '.linux.cgroupsPath = "system.slice:husk:'"$ID"'" | .linux.resources.memory.limit = 67108864'
	husk_bg --systemd-cgroup run -d --bundle "$BUNDLE" "$ID"
	pid=$(container_pid "$ID")
	husk update --memory 128M --pids-limit 50 "$ID"
	assert_equal "$(unit_prop "$UNIT" MemoryMax)" 134217728
	assert_equal "$(unit_prop "$UNIT" TasksMax)" 50
	assert_equal "$(cat "$(cgroup_dir "$pid")/memory.max")" 134217728
	systemctl daemon-reload
	assert_equal "$(cat "$(cgroup_dir "$pid")/memory.max")" 134217728
	assert_equal "$(cat "$(cgroup_dir "$pid")/pids.max")" 50
}

@test "systemd: exec, ps, pause and resume work on the unit's cgroup" {
	update_config '.linux.cgroupsPath = "system.slice:husk:'"$ID"'" | .linux.namespaces |= map(select(.type != "cgroup"))'
	husk_bg --systemd-cgroup run -d --bundle "$BUNDLE" "$ID"
	pid=$(container_pid "$ID")
	run -0 husk exec "$ID" sed -n 's/^0:://p' /proc/self/cgroup
	assert_output "/system.slice/$UNIT"
	run -0 husk ps --format json "$ID"
	assert_output --partial "$pid"
	husk pause "$ID"
	assert_equal "$(state_field "$ID" status)" paused
	assert_equal "$(cat "$(cgroup_dir "$pid")/cgroup.freeze")" 1
	husk resume "$ID"
	assert_equal "$(state_field "$ID" status)" running
}

@test "systemd: a scope stopped by systemctl reads as stopped, and delete leaves no unit" {
	update_config '.linux.cgroupsPath = "system.slice:husk:'"$ID"'"'
	husk_bg --systemd-cgroup run -d --bundle "$BUNDLE" "$ID"
	pid=$(container_pid "$ID")
	systemctl stop "$UNIT"
	wait_for_exit "$pid" 10
	assert_equal "$(state_field "$ID" status)" stopped
	husk delete "$ID"
	assert_no_unit "$UNIT"
}

@test "systemd: an empty cgroupsPath is system.slice:husk:ID" {
	husk_bg --systemd-cgroup run -d --bundle "$BUNDLE" "$ID"
	assert_equal "$(unit_prop "$UNIT" ActiveState)" active
	assert_equal "$(unit_prop "$UNIT" ControlGroup)" "/system.slice/$UNIT"
}

@test "systemd: a Kubernetes pod: pause and app containers in one pod slice, the app joining the pause's namespaces" {
	local pod=kubepods-burstable-pod$$x$BATS_TEST_NUMBER.slice
	local sandbox=$ID-sandbox app=$ID-app
	update_config '.linux.cgroupsPath = "'"$pod"':cri-containerd:'"$sandbox"'" | .hostname = "pod1"
		| .linux.namespaces = [{"type":"pid"},{"type":"ipc"},{"type":"uts"},{"type":"mount"},{"type":"network"}]'
	husk_bg --systemd-cgroup run -d --bundle "$BUNDLE" "$sandbox"
	ppid=$(container_pid "$sandbox")
	update_config '.linux.cgroupsPath = "'"$pod"':cri-containerd:'"$app"'" | del(.hostname)
		| .linux.namespaces = [{"type":"pid","path":"/proc/'"$ppid"'/ns/pid"},{"type":"ipc","path":"/proc/'"$ppid"'/ns/ipc"},
			{"type":"uts","path":"/proc/'"$ppid"'/ns/uts"},{"type":"mount"},{"type":"network","path":"/proc/'"$ppid"'/ns/net"}]'
	set_args sh -c 'hostname; sleep 1000'
	husk_bg --systemd-cgroup run -d --bundle "$BUNDLE" "$app"
	apid=$(container_pid "$app")
	assert_equal "$(unit_prop "$pod" ActiveState)" active
	assert_equal "$(unit_prop "cri-containerd-$sandbox.scope" Slice)" "$pod"
	assert_equal "$(unit_prop "cri-containerd-$app.scope" Slice)" "$pod"
	assert_equal "$(sed -n 's/^0:://p' "/proc/$apid/cgroup")" \
		"/kubepods.slice/kubepods-burstable.slice/$pod/cri-containerd-$app.scope"
	assert_equal "$(readlink "/proc/$apid/ns/net")" "$(readlink "/proc/$ppid/ns/net")"
	run -0 husk exec "$app" hostname
	assert_output pod1
	husk delete --force "$app"
	husk delete --force "$sandbox"
	assert_no_unit "cri-containerd-$app.scope"
	assert_no_unit "cri-containerd-$sandbox.scope"
	systemctl stop "$pod" || true
}

@test "systemd: org.systemd.property.* annotations become unit properties" {
	update_config '.linux.cgroupsPath = "system.slice:husk:'"$ID"'"
		| .annotations["org.systemd.property.TimeoutStopUSec"] = "uint64 123456789"
		| .annotations["org.systemd.property.CollectMode"] = "'"'inactive-or-failed'"'"
		| .annotations["org.systemd.property.RuntimeMaxSec"] = "1000"'
	husk_bg --systemd-cgroup run -d --bundle "$BUNDLE" "$ID"
	assert_equal "$(unit_prop "$UNIT" TimeoutStopUSec)" "2min 3.456789s"
	assert_equal "$(unit_prop "$UNIT" CollectMode)" inactive-or-failed
	assert_equal "$(unit_prop "$UNIT" RuntimeMaxUSec)" "16min 40s"
}

# refused_with_property NAME VALUE FRAGMENT...: a container with annotation
# org.systemd.property.NAME = VALUE fails with one line holding the
# fragments, and leaves no state, process or unit.
refused_with_property() {
	local name=$1 value=$2
	shift 2
	update_config '.linux.cgroupsPath = "system.slice:husk:'"$ID"'"
		| .annotations["org.systemd.property.'"$name"'"] = "'"$value"'"'
	run ! "$HUSK" --root "$ROOT" --systemd-cgroup run -d --bundle "$BUNDLE" "$ID"
	assert_husk_error "$@"
	assert_nothing_left
	assert_no_unit "$UNIT"
}

@test "systemd: a bad property annotation is one line, and nothing is made" {
	refused_with_property TimeoutStopUSec soon 'annotations["org.systemd.property.TimeoutStopUSec"]' 'GVariant'
}

@test "systemd: a property systemd refuses is its error, and nothing is left" {
	refused_with_property NoSuchPropertyAtAll true "systemd: start $UNIT" 'NoSuchPropertyAtAll'
}

@test "systemd: run.oci.systemd.subgroup puts the container in a cgroup below its unit (crun)" {
	update_config '.linux.cgroupsPath = "system.slice:husk:'"$ID"'"
		| .annotations["run.oci.systemd.subgroup"] = "container" | .linux.resources.pids.limit = 20'
	husk_bg --systemd-cgroup run -d --bundle "$BUNDLE" "$ID"
	pid=$(container_pid "$ID")
	assert_equal "$(sed -n 's/^0:://p' "/proc/$pid/cgroup")" "/system.slice/$UNIT/container"
	assert_equal "$(cat "$(cgroup_dir "$pid")/pids.max")" 20
	husk delete --force "$ID"
	assert_no_unit "$UNIT"
	[ ! -e "/sys/fs/cgroup/system.slice/$UNIT" ] || fail "the unit's cgroup is left"
}

@test "systemd: a unit name in use by a running unit is refused, and that unit is left alone" {
	update_config '.linux.cgroupsPath = "system.slice:husk:'"$ID"'"'
	husk_bg --systemd-cgroup run -d --bundle "$BUNDLE" "$ID"
	pid=$(container_pid "$ID")
	run ! "$HUSK" --root "$ROOT" --systemd-cgroup run -d --bundle "$BUNDLE" "$ID-2"
	assert_husk_error "$UNIT"
	assert_equal "$(unit_prop "$UNIT" ActiveState)" active
	[ -d "/proc/$pid" ]
}

@test "systemd: --cgroup-manager cgroupfs with --systemd-cgroup makes no unit" {
	update_config '.linux.cgroupsPath = "system.slice:husk:'"$ID"'"'
	husk_bg --systemd-cgroup --cgroup-manager cgroupfs run -d --bundle "$BUNDLE" "$ID"
	pid=$(container_pid "$ID")
	assert_equal "$(sed -n 's/^0:://p' "/proc/$pid/cgroup")" "/system.slice/$UNIT"
	assert_equal "$(unit_prop "$UNIT" ActiveState)" inactive
}

@test "systemd (rootless): the user's manager makes the scope over the user's bus, with the limit" {
	local user=husk-sdu uid dir
	id "$user" >/dev/null 2>&1 || useradd -m -s /bin/sh "$user"
	uid=$(id -u "$user")
	# A user manager of its own, as a logged-in user has (rootless podman).
	loginctl enable-linger "$user"
	for _ in $(seq 300); do [ -S "/run/user/$uid/bus" ] && break; sleep 0.1; done
	[ -S "/run/user/$uid/bus" ] || fail "no user bus for $user"
	dir=$(mktemp -d /tmp/husk-sdu.XXXXXX)
	echo "$dir" >"$BATS_TEST_TMPDIR/sdu-dir"
	cp -a "$BUNDLE/rootfs" "$dir/rootfs"
	(cd "$dir" && "$HUSK" spec --rootless)
	jq --argjson u "$uid" --arg p "user.slice:husk:$ID" '.linux.uidMappings = [{"containerID": 0, "hostID": $u, "size": 1}]
		| .linux.gidMappings = [{"containerID": 0, "hostID": $u, "size": 1}]
		| .process.terminal = false | .process.args = ["sleep", "300"]
		| .linux.cgroupsPath = $p | .linux.resources.pids.limit = 25' "$dir/config.json" >"$dir/c" && mv "$dir/c" "$dir/config.json"
	chown -R "$user:" "$dir"
	as_user() {
		runuser -u "$user" -- env XDG_RUNTIME_DIR="/run/user/$uid" \
			DBUS_SESSION_BUS_ADDRESS="unix:path=/run/user/$uid/bus" "$@"
	}
	as_user "$HUSK" --root "$dir/state" --systemd-cgroup run -d --bundle "$dir" "$ID" </dev/null >"$BATS_TEST_TMPDIR/sdu.log" 2>&1 ||
		fail "$(cat "$BATS_TEST_TMPDIR/sdu.log")"
	pid=$(as_user "$HUSK" --root "$dir/state" state "$ID" | jq -r .pid)
	echo "$pid" >>"$BATS_TEST_TMPDIR/pids"
	assert_equal "$(as_user systemctl --user show "$UNIT" -p ActiveState --value)" active
	assert_equal "$(as_user systemctl --user show "$UNIT" -p Delegate --value)" yes
	assert_equal "$(as_user systemctl --user show "$UNIT" -p TasksMax --value)" 25
	assert_equal "$(sed -n 's/^0:://p' "/proc/$pid/cgroup")" \
		"/user.slice/user-$uid.slice/user@$uid.service/user.slice/$UNIT"
	assert_equal "$(cat "$(cgroup_dir "$pid")/pids.max")" 25
	as_user "$HUSK" --root "$dir/state" delete --force "$ID"
	run as_user systemctl --user list-units --all --no-legend "$UNIT"
	assert_output ''
	loginctl disable-linger "$user"
}
