#!/usr/bin/env bats
# create / start / state / delete, run and run -d, exit codes, --pid-file,
# delete --regex, --config.

load helpers

setup() {
	setup_bundle
}

teardown() {
	teardown_bundle
}

# The container waits until the host creates $BUNDLE/rootfs/tmp/go.
wait_for_go_file() {
	set_args sh -c 'while [ ! -e /tmp/go ]; do sleep 0.05; done; exit 0'
}

@test "create, start, exit, delete: every state transition" {
	wait_for_go_file

	run -0 husk_bg create --bundle "$BUNDLE" c1
	run -0 state_field c1 status
	assert_output created
	pid=$(container_pid c1)
	[ "$pid" -gt 0 ]
	assert_dir_exists "/proc/$pid"
	# created: the user's process has not run yet
	run -0 cat "/proc/$pid/cmdline"
	refute_output --partial "while"

	run -0 husk start c1
	wait_for_status c1 running
	run -0 state_field c1 pid
	assert_output "$pid"

	touch "$BUNDLE/rootfs/tmp/go"
	wait_for_status c1 stopped
	wait_for_exit "$pid"

	run -0 husk delete c1
	run ! husk state c1
	run -0 husk list -q
	assert_output ""
	assert_nothing_left
}

@test "state: JSON with ociVersion, id, status, pid, bundle and annotations" {
	update_config '.annotations = {"org.example.key": "some value", "org.example.other": "2"}'
	set_args sleep 30

	run -0 husk_bg create --bundle "$BUNDLE" c1
	run -0 husk state c1
	state=$output
	run -0 jq -r .ociVersion <<<"$state"
	assert_output --regexp '^1\.[0-9]+\.[0-9]+'
	run -0 jq -r .id <<<"$state"
	assert_output c1
	run -0 jq -r .status <<<"$state"
	assert_output created
	run -0 jq -r .pid <<<"$state"
	assert_output --regexp '^[1-9][0-9]*$'
	assert_dir_exists "/proc/$output"
	run -0 jq -r .bundle <<<"$state"
	assert_output "$(readlink -f "$BUNDLE")"
	run -0 jq -c .annotations <<<"$state"
	assert_output '{"org.example.key":"some value","org.example.other":"2"}'

	run -0 husk start c1
	run -0 state_field c1 status
	assert_output running
}

@test "state: a stopped container keeps its state until deleted" {
	set_args true
	run -0 husk_bg create --bundle "$BUNDLE" c1
	pid=$(container_pid c1)
	run -0 husk start c1
	wait_for_status c1 stopped
	wait_for_exit "$pid"
	run -0 state_field c1 id
	assert_output c1
	run -0 husk delete c1
	run ! husk state c1
	assert_nothing_left
}

@test "state of an unknown container fails" {
	run ! husk state nosuchcontainer
	assert_no_state
}

@test "state of an unknown container: husk's message" {
	requires_husk
	run ! husk state nosuchcontainer
	assert_husk_error 'nosuchcontainer' 'does not exist'
}

@test "delete of an unknown container fails" {
	run ! husk delete nosuchcontainer
	assert_no_state
}

@test "run: exit code is the process's" {
	set_args sh -c 'echo hello from the container; exit 42'
	run -42 husk run --bundle "$BUNDLE" c1
	assert_output "hello from the container"
	# run deletes the container when it is done
	assert_nothing_left
}

@test "run: exit code 0" {
	set_args true
	run -0 husk run --bundle "$BUNDLE" c1
	assert_output ""
	assert_nothing_left
}

@test "run: 128+N when the container's init is killed by signal N" {
	set_args sleep 30
	pidfile=$BATS_TEST_TMPDIR/pid
	husk run --bundle "$BUNDLE" --pid-file "$pidfile" c1 </dev/null >/dev/null 2>&1 &
	runpid=$!
	for _ in $(seq 100); do
		[ -s "$pidfile" ] && break
		sleep 0.05
	done
	assert_file_not_empty "$pidfile"
	pid=$(cat "$pidfile")
	echo "$pid" >>"$BATS_TEST_TMPDIR/pids"
	kill -KILL "$pid"
	rc=0
	wait "$runpid" || rc=$?
	assert_equal "$rc" 137
	assert_nothing_left
}

@test "run: sh -c 'kill -9 \$\$' exits 137 (no pid namespace, so sh is not init)" {
	# As pid 1 of its own pid namespace sh would ignore its own SIGKILL.
	update_config '.linux.namespaces |= map(select(.type != "pid"))'
	set_args sh -c 'kill -9 $$; echo survived'
	run -137 husk run --bundle "$BUNDLE" c1
	refute_output --partial survived
	assert_nothing_left
}

@test "run: sh -c 'kill -TERM \$\$' exits 143" {
	update_config '.linux.namespaces |= map(select(.type != "pid"))'
	set_args sh -c 'kill -TERM $$; echo survived'
	run -143 husk run --bundle "$BUNDLE" c1
	refute_output --partial survived
	assert_nothing_left
}

@test "run: output goes to the runtime's stdout and stderr" {
	set_args sh -c 'echo to-stdout; echo to-stderr >&2'
	run -0 --separate-stderr husk run --bundle "$BUNDLE" c1
	assert_output to-stdout
	assert_equal "$stderr" to-stderr
}

@test "run -d: returns at once with the container running" {
	set_args sleep 30
	SECONDS=0
	run -0 husk_bg run -d --bundle "$BUNDLE" c1
	[ "$SECONDS" -lt 10 ]
	run -0 state_field c1 status
	assert_output running
	pid=$(container_pid c1)
	run -0 cat "/proc/$pid/cmdline"
	assert_output --partial sleep

	run -0 husk kill c1 KILL
	wait_for_status c1 stopped
	run -0 husk delete c1
	assert_nothing_left
}

@test "--pid-file: create writes the init's host pid, the same as state's" {
	set_args sleep 30
	pidfile=$BATS_TEST_TMPDIR/c1.pid
	run -0 husk_bg create --bundle "$BUNDLE" --pid-file "$pidfile" c1
	assert_file_exists "$pidfile"
	pid=$(container_pid c1)
	run -0 cat "$pidfile"
	assert_output --regexp "^${pid}\$"
	assert_dir_exists "/proc/$pid"
	# a host pid: the process is not in our pid namespace
	[ "$(readlink "/proc/$pid/ns/pid")" != "$(readlink /proc/self/ns/pid)" ]
}

@test "--pid-file: run -d writes it too, relative paths are allowed" {
	set_args sleep 30
	cd "$BATS_TEST_TMPDIR"
	run -0 husk_bg run -d --bundle "$BUNDLE" --pid-file rel.pid c1
	pid=$(container_pid c1)
	run -0 cat "$BATS_TEST_TMPDIR/rel.pid"
	assert_output "$pid"
}

@test "create: the bundle defaults to the current directory" {
	set_args sleep 30
	cd "$BUNDLE"
	run -0 husk_bg create c1
	run -0 state_field c1 bundle
	assert_output "$(readlink -f "$BUNDLE")"
}

@test "create: a duplicate id fails and leaves the first container intact" {
	set_args sleep 30
	run -0 husk_bg create --bundle "$BUNDLE" c1
	pid=$(container_pid c1)

	run ! husk_bg create --bundle "$BUNDLE" c1
	run -0 state_field c1 status
	assert_output created
	run -0 state_field c1 pid
	assert_output "$pid"
	assert_dir_exists "/proc/$pid"

	run -0 husk start c1
	wait_for_status c1 running
	run ! husk_bg run -d --bundle "$BUNDLE" c1
	run -0 state_field c1 status
	assert_output running
	run -0 state_field c1 pid
	assert_output "$pid"
}

@test "create: duplicate id: husk's message" {
	requires_husk
	set_args sleep 30
	run -0 husk_bg create --bundle "$BUNDLE" c1
	run ! husk_bg create --bundle "$BUNDLE" c1
	assert_husk_error 'c1' 'already exists'
}

@test "start of a running container fails" {
	set_args sleep 30
	run -0 husk_bg create --bundle "$BUNDLE" c1
	run -0 husk start c1
	run ! husk start c1
	run -0 state_field c1 status
	assert_output running
}

@test "delete without --force of a running container fails and keeps it" {
	set_args sleep 30
	run -0 husk_bg run -d --bundle "$BUNDLE" c1
	pid=$(container_pid c1)
	run ! husk delete c1
	run -0 state_field c1 status
	assert_output running
	assert_dir_exists "/proc/$pid"
}

@test "delete --force of a running container kills it" {
	set_args sleep 30
	run -0 husk_bg run -d --bundle "$BUNDLE" c1
	pid=$(container_pid c1)
	assert_dir_exists "/proc/$pid"
	run -0 husk delete --force c1
	wait_for_exit "$pid"
	run ! husk state c1
	assert_nothing_left
}

@test "delete --force of a created container kills its init" {
	set_args sleep 30
	run -0 husk_bg create --bundle "$BUNDLE" c1
	pid=$(container_pid c1)
	run -0 husk delete --force c1
	wait_for_exit "$pid"
	assert_nothing_left
}

# --- delete --regex (crun) ---------------------------------------------------

# three_containers: web-1 and web-2 running "sleep 300", db stopped.
three_containers() {
	set_args sleep 300
	husk_bg run -d --bundle "$BUNDLE" web-1 >&2 || return 1
	husk_bg run -d --bundle "$BUNDLE" web-2 >&2 || return 1
	set_args true
	husk_bg run -d --bundle "$BUNDLE" db >&2 || return 1
	wait_for_status db stopped
}

@test "delete --force --regex: the two containers whose id matches (anywhere) go, the third stays" {
	three_containers
	p1=$(container_pid web-1)
	p2=$(container_pid web-2)
	run -0 husk delete --force --regex 'eb-'
	wait_for_exit "$p1"
	wait_for_exit "$p2"
	run ! husk state web-1
	run ! husk state web-2
	run -0 state_field db status
	assert_output stopped
	run -0 husk list -q
	assert_output db
}

@test "delete --regex without --force: the stopped match goes, a running one is refused, exit 1" {
	three_containers
	pid=$(container_pid web-1)
	run -1 husk delete -r '^(web-1|db)$'
	if is_husk; then
		assert_husk_error 'web-1' 'running'
	fi
	run ! husk state db
	run -0 state_field web-1 status
	assert_output running
	assert_dir_exists "/proc/$pid"
	run -0 state_field web-2 status
	assert_output running
}

@test "delete --regex: no match is not an error; a bad regex or two arguments are" {
	three_containers
	run -0 husk delete --force --regex 'nomatch'
	assert_output ''
	run -1 husk delete --force --regex '('
	if is_husk; then
		assert_husk_error '--regex "("' 'invalid regular expression'
	fi
	run -1 husk delete --force --regex web db
	run -0 husk list -q
	assert_equal "$(sort <<<"$output" | paste -sd' ')" 'db web-1 web-2'
}

# --- --config (crun) ---------------------------------------------------------

# other_config FILE JQ: FILE, the bundle's config.json changed by JQ.
other_config() {
	jq "$2" "$BUNDLE/config.json" >"$1"
}

@test "run --config: a config file outside the bundle is the one used; paths in it are from the bundle" {
	set_args hostname
	mkdir "$BATS_TEST_TMPDIR/elsewhere"
	other=$BATS_TEST_TMPDIR/elsewhere/other.json
	other_config "$other" '.hostname = "from-other" | .root.path = "rootfs"'
	run -0 husk run --bundle "$BUNDLE" --config "$other" c1
	assert_output from-other
	run -0 husk run --bundle "$BUNDLE" c2
	refute_output from-other
	assert_nothing_left
}

@test "create -f: a relative FILE is from the current directory; the state names the bundle" {
	set_args sleep 30
	mkdir "$BATS_TEST_TMPDIR/cwd"
	cd "$BATS_TEST_TMPDIR/cwd"
	other_config other.json '.annotations = {"made.from": "other.json"}'
	run -0 husk_bg create --bundle "$BUNDLE" -f other.json c1
	run -0 state_field c1 bundle
	assert_output "$(readlink -f "$BUNDLE")"
	run -0 state_field c1 'annotations["made.from"]'
	assert_output other.json
}

@test "--config config.json, the bare name, is the bundle's own (as crun); ./config.json is not" {
	set_args hostname
	cd "$BATS_TEST_TMPDIR"
	other_config config.json '.hostname = "from-cwd"'
	run -0 husk run --bundle "$BUNDLE" --config config.json c1
	refute_output from-cwd
	run -0 husk run --bundle "$BUNDLE" --config ./config.json c2
	assert_output from-cwd
}

@test "--config: errors name the file given, and nothing is left" {
	requires_husk
	set_args true
	run -1 husk create --bundle "$BUNDLE" --config "$BATS_TEST_TMPDIR/missing.json" c1
	assert_husk_error "$BATS_TEST_TMPDIR/missing.json" 'No such file'
	other_config "$BATS_TEST_TMPDIR/bad.json" '.process.args = 5'
	run -1 husk run --bundle "$BUNDLE" --config "$BATS_TEST_TMPDIR/bad.json" c1
	assert_husk_error "$BATS_TEST_TMPDIR/bad.json: process.args"
	other_config "$BATS_TEST_TMPDIR/noproc.json" 'del(.process)'
	run -1 husk create --bundle "$BUNDLE" -f "$BATS_TEST_TMPDIR/noproc.json" c1
	assert_husk_error "$BATS_TEST_TMPDIR/noproc.json: process:"
	assert_nothing_left
}
