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
		echo "$1 $(field status) $(field id) $(readlink /proc/self/ns/mnt)" >>"$2"
	SH
	chmod +x "$BUNDLE/rootfs/hook.sh"
}

@test "hooks: all six kinds run in order, with the state on stdin" {
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
	assert_output "$(printf '%s\n' 'prestart creating c1' 'createRuntime creating c1' \
		'createContainer creating c1' 'startContainer created c1' 'poststart running c1' \
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
	run -0 cat "$LOG/log"
	assert_line "createRuntime creating c1 $host"
	assert_line "createContainer creating c1 $inside"
	assert_line "startContainer created c1 $inside"
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

@test "hooks: a failing poststart hook is only a warning" {
	update_config '.hooks.poststart = [{"path": "/bin/false"}]'
	set_args echo ran
	run -0 husk run --bundle "$BUNDLE" c1
	assert_output --partial ran
	if is_husk; then
		assert_output --partial 'warning: hooks.poststart[0]'
	fi
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
