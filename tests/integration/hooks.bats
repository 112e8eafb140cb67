#!/usr/bin/env bats
# hooks: the six kinds, their order, namespaces, stdin state, failures and
# timeouts.

load helpers

setup() {
	setup_bundle
	LOG=$BATS_TEST_TMPDIR/hooklog
	mkdir -p "$LOG"
	write_hook_script
	# The container sees the log directory at /hooklog, so that the hooks
	# that run inside (startContainer) can write there too.
	update_config ".mounts += [{\"destination\": \"/hooklog\", \"type\": \"bind\", \"source\": \"$LOG\", \"options\": [\"rbind\", \"rw\"]}]"
}

teardown() {
	teardown_bundle
}

# hook KIND LOGPATH: a hook that appends "KIND <status> <id> <mnt ns>" from
# the state on its stdin to LOGPATH (a host path, or /hooklog/... for the
# hooks that run inside the container, where the same script is at /hook.sh).
hook() {
	local script=/hook.sh
	case $1 in createRuntime | createContainer | prestart | poststart | poststop) script=$BUNDLE/rootfs/hook.sh ;; esac
	printf '{"path": "%s", "args": ["hook.sh", "%s", "%s"]}' "$script" "$1" "$2"
}

write_hook_script() {
	cat >"$BUNDLE/rootfs/hook.sh" <<-'SH'
		#!/bin/sh
		state=$(cat)
		field() { echo "$state" | sed -n "s/.*\"$1\": \"\([^\"]*\)\".*/\1/p"; }
		pid=$(echo "$state" | sed -n 's/.*"pid": *\([0-9]*\).*/\1/p')
		echo "$1 $(field status) $(field id) $(readlink /proc/self/ns/mnt) pid=$pid" >>"$2"
	SH
	chmod +x "$BUNDLE/rootfs/hook.sh"
}

@test "hooks: all six kinds run in order, with the state on stdin (the status the runtime-spec's lifecycle gives each step)" {
	update_config "
		.hooks.prestart = [$(hook prestart "$LOG/log")]
		| .hooks.createRuntime = [$(hook createRuntime "$LOG/log")]
		| .hooks.createContainer = [$(hook createContainer "$LOG/log")]
		| .hooks.startContainer = [$(hook startContainer /hooklog/log)]
		| .hooks.poststart = [$(hook poststart "$LOG/log")]
		| .hooks.poststop = [$(hook poststop "$LOG/log")]"
	set_args true
	run -0 husk run --bundle "$BUNDLE" c1
	run -0 cut -d' ' -f1-3 "$LOG/log"
	# prestart, createRuntime and createContainer are steps 3-5, after the
	# environment is made (step 2): "created", as crun passes it
	assert_output "$(printf '%s\n' 'prestart created c1' 'createRuntime created c1' \
		'createContainer created c1' 'startContainer created c1' 'poststart running c1' \
		'poststop stopped c1')"
}

@test "hooks: createContainer and startContainer run in the container's mount namespace" {
	update_config "
		.hooks.createRuntime = [$(hook createRuntime "$LOG/log")]
		| .hooks.createContainer = [$(hook createContainer "$LOG/log")]
		| .hooks.startContainer = [$(hook startContainer /hooklog/log)]"
	set_args sh -c 'readlink /proc/self/ns/mnt'
	run -0 husk run --bundle "$BUNDLE" c1
	inside=$output
	host=$(readlink /proc/self/ns/mnt)
	run -0 cut -d' ' -f1-4 "$LOG/log"
	assert_line "createRuntime created c1 $host"
	assert_line "createContainer created c1 $inside"
	assert_line "startContainer created c1 $inside"
}

@test "hooks: the pid is the runtime's view in the runtime's namespaces, the container's inside" {
	update_config "
		.hooks.createRuntime = [$(hook createRuntime "$LOG/log")]
		| .hooks.createContainer = [$(hook createContainer "$LOG/log")]
		| .hooks.startContainer = [$(hook startContainer /hooklog/log)]
		| .hooks.poststart = [$(hook poststart "$LOG/log")]"
	set_args sleep 30
	run -0 husk_bg create --bundle "$BUNDLE" c1
	pid=$(container_pid c1)
	run -0 husk start c1
	run -0 awk '{ print $1, $5 }' "$LOG/log"
	assert_line "createRuntime pid=$pid"
	assert_line "createContainer pid=1"
	assert_line "startContainer pid=1"
	assert_line "poststart pid=$pid"
}

@test "hooks: a failing createRuntime hook fails create with its output, nothing left" {
	update_config '.hooks.createRuntime = [{"path": "/bin/sh", "args": ["sh", "-c", "echo no GPU here >&2; exit 3"]}]'
	set_args true
	run ! husk run --bundle "$BUNDLE" c1
	if is_husk; then
		assert_husk_error 'hooks.createRuntime[0]' 'status 3' 'no GPU here'
	fi
	assert_nothing_left
}

@test "hooks: a failing createContainer hook fails create, nothing left" {
	update_config '.hooks.createContainer = [{"path": "/bin/false"}]'
	set_args true
	run ! husk run --bundle "$BUNDLE" c1
	assert_nothing_left
}

@test "hooks: a hook past its timeout is killed and create fails" {
	update_config '.hooks.createRuntime = [{"path": "/bin/sleep", "args": ["sleep", "30"], "timeout": 1}]'
	set_args true
	SECONDS=0
	run ! husk run --bundle "$BUNDLE" c1
	[ "$SECONDS" -lt 10 ]
	if is_husk; then
		assert_husk_error 'hooks.createRuntime[0]' 'timeout of 1 s'
	fi
	assert_nothing_left
}

@test "hooks: a failing startContainer hook fails start" {
	update_config '.hooks.startContainer = [{"path": "/bin/false"}]'
	set_args true
	run -0 husk_bg create --bundle "$BUNDLE" c1
	run ! husk start c1
	if is_husk; then
		assert_output --partial 'hooks.startContainer[0]'
	fi
}

@test "hooks: a failing poststart hook fails start, stops and deletes the container, and runs poststop (runtime-spec 1.3)" {
	requires_husk
	update_config ".hooks.poststart = [{\"path\": \"/bin/sh\", \"args\": [\"sh\", \"-c\", \"echo not ready >&2; exit 4\"]}]
		| .hooks.poststop = [$(hook poststop "$LOG/log")]"
	set_args sleep 60
	run -0 husk_bg create --bundle "$BUNDLE" c1
	pid=$(container_pid c1)
	run -1 husk start c1
	assert_husk_error 'container "c1" stopped and deleted' 'hooks.poststart[0]' 'status 4' 'not ready'
	wait_for_exit "$pid"
	run -0 cut -d' ' -f1-3 "$LOG/log"
	assert_output 'poststop stopped c1'
	assert_nothing_left
}

@test "hooks: run with a failing poststart hook fails and leaves nothing" {
	requires_husk
	update_config '.hooks.poststart = [{"path": "/bin/false"}]'
	set_args sleep 60
	run -1 husk run --bundle "$BUNDLE" c1
	assert_output --partial 'hooks.poststart[0]'
	assert_nothing_left
}

@test "hooks: run.oci.hooks.stdout and run.oci.hooks.stderr take the hooks' output (crun's annotations)" {
	requires_husk
	update_config ".annotations[\"run.oci.hooks.stdout\"] = \"$LOG/out\"
		| .annotations[\"run.oci.hooks.stderr\"] = \"$LOG/err\"
		| .hooks.createRuntime = [{\"path\": \"/bin/sh\", \"args\": [\"sh\", \"-c\", \"echo to-out; echo to-err >&2\"]}]
		| .hooks.poststop = [{\"path\": \"/bin/sh\", \"args\": [\"sh\", \"-c\", \"echo stop-out; echo stop-err >&2\"]}]"
	set_args true
	run -0 husk run --bundle "$BUNDLE" c1
	run -0 cat "$LOG/out"
	assert_output $'to-out\nstop-out'
	run -0 cat "$LOG/err"
	assert_output $'to-err\nstop-err'
}

@test "hooks: run.oci.hooks.stdout that cannot be opened fails create, nothing left" {
	requires_husk
	update_config ".annotations[\"run.oci.hooks.stdout\"] = \"$LOG/no/such/dir/out\"
		| .hooks.createRuntime = [{\"path\": \"/bin/true\"}]"
	run -1 husk run --bundle "$BUNDLE" c1
	assert_husk_error 'annotations["run.oci.hooks.stdout"]' "$LOG/no/such/dir/out" 'No such file or directory'
	assert_nothing_left
}

@test "hooks: poststop runs on delete of a stopped container" {
	update_config ".hooks.poststop = [$(hook poststop "$LOG/log")]"
	set_args true
	run -0 husk_bg create --bundle "$BUNDLE" c1
	run -0 husk start c1
	wait_for_status c1 stopped
	[ ! -e "$LOG/log" ]
	run -0 husk delete c1
	run -0 cut -d' ' -f1-3 "$LOG/log"
	assert_output 'poststop stopped c1'
}

@test "hooks: env and args reach the hook" {
	update_config ".hooks.createRuntime = [{\"path\": \"/bin/sh\", \"args\": [\"sh\", \"-c\", \"echo \$0 \$GREETING >> $LOG/log\", \"arg0\"], \"env\": [\"GREETING=hi\"]}]"
	set_args true
	run -0 husk run --bundle "$BUNDLE" c1
	run -0 cat "$LOG/log"
	assert_output 'arg0 hi'
}
