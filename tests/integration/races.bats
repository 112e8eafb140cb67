#!/usr/bin/env bats
# Races and load: many containers at once, racers on one id, commands racing
# a container's own exit, and a thousand containers in one root. Every test
# checks what a user would: each command succeeds or says why in one line,
# list and state agree, and once all is deleted nothing is left: no state,
# no cgroup in any hierarchy, no process.
#
# Container ids are "race-PID-TEST-..." and their cgroups live under
# /husk-race-PID-TEST, so that no other suite's containers or cgroups can
# collide with them. Every container gets a bundle of its own under
# $BATS_TEST_TMPDIR/bundles: only a config.json, whose root.path is the one
# shared rootfs (read-only, as husk spec makes it).

load helpers

setup() {
	setup_bundle
	PREFIX=race-$$-$BATS_TEST_NUMBER
	CG_PARENT=/husk-race-$$-$BATS_TEST_NUMBER
	mkdir -p "$BATS_TEST_TMPDIR/bundles" "$BATS_TEST_TMPDIR/out"
}

teardown() {
	teardown_bundle
	remove_cgroup_tree "$CG_PARENT"
}

# make_bundles ID...: a bundle per id, from $BUNDLE's config, with the
# shared rootfs and the cgroup $CG_PARENT/ID. Every id is registered for
# teardown.
make_bundles() {
	local template id
	template=$(jq --arg root "$BUNDLE/rootfs" --arg cg "$CG_PARENT/@ID@" \
		'.root.path = $root | .linux.cgroupsPath = $cg' "$BUNDLE/config.json") || return 1
	for id in "$@"; do
		mkdir -p "$BATS_TEST_TMPDIR/bundles/$id"
		printf '%s\n' "${template//@ID@/$id}" >"$BATS_TEST_TMPDIR/bundles/$id/config.json"
		register_id "$id"
	done
}

# rt ARGS...: the runtime with this test's root, for background jobs
# (stdin closed, bats' fd 3 not inherited).
rt() {
	"$HUSK" --root "$ROOT" "$@" </dev/null 3>&-
}

# assert_no_cgroups ID...: no cgroup of these containers in any hierarchy,
# and none at all left under $CG_PARENT.
assert_no_cgroups() {
	local mnt id left=
	for mnt in $(cgroup_mounts); do
		for id in "$@"; do
			[ ! -e "$mnt$CG_PARENT/$id" ] || left+=" $mnt$CG_PARENT/$id"
		done
		if [ -d "$mnt$CG_PARENT" ]; then
			left+=$(find "$mnt$CG_PARENT" -mindepth 1 -type d -printf ' %p')
		fi
	done
	[ -z "$left" ] || fail "cgroups left behind:$left"
}

# lifecycle ID: create, start, wait until the process (true) has exited,
# delete; what went wrong, if anything, on stderr.
lifecycle() {
	local id=$1 st i
	rt create --bundle "$BATS_TEST_TMPDIR/bundles/$id" "$id" || {
		echo "$id: create failed" >&2
		return 1
	}
	rt start "$id" || {
		echo "$id: start failed" >&2
		return 1
	}
	for ((i = 0; i < 1200; i++)); do
		st=$(rt state "$id") || {
			echo "$id: state failed" >&2
			return 1
		}
		[[ $st == *'"status": "stopped"'* ]] && break
		sleep 0.05
	done
	[[ $st == *'"status": "stopped"'* ]] || {
		echo "$id: never stopped: $st" >&2
		return 1
	}
	rt delete "$id" || {
		echo "$id: delete failed" >&2
		return 1
	}
}

@test "races: 64 containers created, started, waited for and deleted at once" {
	set_args true
	local ids=() pids=() i id failed=
	for i in $(seq 64); do ids+=("$PREFIX-$i"); done
	make_bundles "${ids[@]}"

	for id in "${ids[@]}"; do
		lifecycle "$id" >"$BATS_TEST_TMPDIR/out/$id" 2>&1 3>&- &
		pids+=($!)
	done
	for i in "${!ids[@]}"; do
		if ! wait "${pids[$i]}"; then
			failed+="${ids[$i]}: $(cat "$BATS_TEST_TMPDIR/out/${ids[$i]}")"$'\n'
		fi
	done
	[ -z "$failed" ] || fail "containers that failed:"$'\n'"$failed"

	run -0 husk list -q
	assert_output ""
	for id in "${ids[@]}"; do
		run ! husk state "$id"
	done
	assert_nothing_left
	assert_no_cgroups "${ids[@]}"
}

@test "races: 16 creates of one id at once: one wins, the others say it exists" {
	requires_husk
	set_args sleep 300
	local round i id n_ok rc out pid mnt
	for round in 1 2 3 4 5; do
		id=$PREFIX-$round
		make_bundles "$id"
		local pids=()
		for i in $(seq 16); do
			rt create --bundle "$BATS_TEST_TMPDIR/bundles/$id" "$id" \
				>"$BATS_TEST_TMPDIR/out/$round.$i" 2>&1 &
			pids+=($!)
		done
		n_ok=0
		for i in $(seq 16); do
			rc=0
			wait "${pids[$((i - 1))]}" || rc=$?
			out=$(cat "$BATS_TEST_TMPDIR/out/$round.$i")
			if [ "$rc" -eq 0 ]; then
				n_ok=$((n_ok + 1))
				assert_equal "$out" ""
			else
				# one line, the same for every loser
				assert_equal "$rc $out" "1 husk: container \"$id\" already exists"
			fi
		done
		assert_equal "$n_ok" 1

		run -0 husk list -q
		assert_output "$id"
		run -0 state_field "$id" status
		assert_output created
		pid=$(container_pid "$id")
		assert_dir_exists "/proc/$pid"
		for mnt in $(cgroup_mounts); do
			assert_dir_exists "$mnt$CG_PARENT/$id"
		done

		run -0 husk delete "$id"
		wait_for_exit "$pid"
		assert_nothing_left
		assert_no_cgroups "$id"
	done
}

# race_cmd ID NAME ARGS...: run "husk ARGS" again and again until the
# container has been deleted (at most 20 times); each run's exit code,
# stdout and stderr go to out/NAME.N.{rc,out,err}.
race_cmd() {
	local id=$1 name=$2 n rc
	shift 2
	for ((n = 0; n < 20; n++)); do
		rc=0
		rt "$@" >"$BATS_TEST_TMPDIR/out/$name.$n.out" 2>"$BATS_TEST_TMPDIR/out/$name.$n.err" || rc=$?
		echo "$rc" >"$BATS_TEST_TMPDIR/out/$name.$n.rc"
		[ -e "$ROOT/$id" ] || break
	done
	return 0
}

# check_race_output ID NAME [ERROR_REGEX]: every run of NAME exited 0 with
# nothing on stderr, or (given ERROR_REGEX) 1 with one line on stderr that
# matches it; a state or list that succeeded shows a status the container
# can have once it has been made.
check_race_output() {
	local id=$1 name=$2 re=${3:-} f base rc err out status
	for f in "$BATS_TEST_TMPDIR/out/$name".*.rc; do
		base=${f%.rc}
		rc=$(cat "$f")
		err=$(cat "$base.err")
		out=$(cat "$base.out")
		case $rc in
		0)
			[ -z "$err" ] || fail "$name $id: exit 0 with stderr: $err"
			if [ "$name" = state ]; then
				status=$(jq -r --arg id "$id" 'select(.id == $id) | .status' <<<"$out") ||
					fail "state $id: not JSON: $out"
				[[ $status =~ ^(created|running|stopped)$ ]] ||
					fail "state $id: status \"$status\" in: $out"
			elif [ "$name" = list ]; then
				status=$(jq -r --arg id "$id" '.[]? | select(.id == $id) | .status' <<<"$out") ||
					fail "list --format json: not JSON: $out"
				[[ $status =~ ^(created|running|stopped|)$ ]] ||
					fail "list --format json: $id has status \"$status\" in: $out"
			fi
			;;
		1)
			[ -n "$re" ] && [ "$(wc -l <<<"$err")" -eq 1 ] && [[ $err =~ $re ]] ||
				fail "$name $id: exit 1 with an unclear error: $err"
			;;
		*)
			fail "$name $id: exit code $rc: $err"
			;;
		esac
	done
}

@test "races: kill, state, delete and list race a container that exits on its own" {
	requires_husk
	local i id pids q ids=()
	for i in $(seq 40); do
		id=$PREFIX-$i
		# exits at once, or after 10 to 40 ms
		case $((i % 5)) in
		0) set_args true ;;
		*) set_args sleep "0.0$((i % 5))" ;;
		esac
		make_bundles "$id"
		rm -f "$BATS_TEST_TMPDIR"/out/*
		run -0 husk_bg create --bundle "$BATS_TEST_TMPDIR/bundles/$id" "$id"
		container_pid "$id" >/dev/null
		run -0 husk start "$id"

		q="\"$id\""
		pids=()
		race_cmd "$id" kill kill "$id" KILL 3>&- &
		pids+=($!)
		race_cmd "$id" term kill "$id" 3>&- &
		pids+=($!)
		race_cmd "$id" state state "$id" 3>&- &
		pids+=($!)
		race_cmd "$id" delete delete "$id" 3>&- &
		pids+=($!)
		race_cmd "$id" list list --format json 3>&- &
		pids+=($!)
		wait "${pids[@]}"

		check_race_output "$id" kill "^husk: container $q (is not running|does not exist)\$"
		check_race_output "$id" term "^husk: container $q (is not running|does not exist)\$"
		check_race_output "$id" state "^husk: container $q does not exist\$"
		check_race_output "$id" delete \
			"^husk: container $q (does not exist|is running: stop it first or use --force)\$"
		check_race_output "$id" list

		run -0 husk delete --force "$id"
		run -1 husk state "$id"
		assert_husk_error "container $q does not exist"
	done
	assert_nothing_left
	for i in $(seq 40); do ids+=("$PREFIX-$i"); done
	assert_no_cgroups "${ids[@]}"
}

@test "races: 1000 created containers: list shows them all, state works, delete leaves nothing" {
	# A real create, as cheap as it gets: no network namespace.
	update_config '.linux.namespaces |= map(select(.type != "network"))'
	set_args sleep 300
	local ids=() i id lister rc json pid
	for i in $(seq 1000); do ids+=("$PREFIX-$i"); done
	make_bundles "${ids[@]}"
	printf '%s\n' "${ids[@]}" | sort >"$BATS_TEST_TMPDIR/ids.sorted"

	# list runs again and again while the containers are made, and later
	# while they are deleted: it always succeeds, with valid JSON in which
	# every container has one of the statuses STATUS_RE allows, and (husk)
	# nothing on stderr.
	list_loop() {
		local status_re=$1 out err=$BATS_TEST_TMPDIR/list.err quiet=
		is_husk && quiet=1
		while :; do
			out=$(rt list --format json 2>"$err") || {
				echo "list failed: $(cat "$err")"
				return 1
			}
			jq -e --arg re "$status_re" '(. // []) | type == "array" and
				all(.[]; .status | test($re))' <<<"$out" >/dev/null || {
				echo "list printed: $(jq -c --arg re "$status_re" \
					'.[] | select(.status | test($re) | not)' <<<"$out" 2>&1 || echo "$out")"
				return 1
			}
			if [ -n "$quiet" ] && [ -s "$err" ]; then
				echo "list said on stderr: $(cat "$err")"
				return 1
			fi
			[ ! -e "$BATS_TEST_TMPDIR/stop-listing" ] || break
		done
	}

	list_loop '^(creating|created)$' >"$BATS_TEST_TMPDIR/out/list-create" 2>&1 3>&- &
	lister=$!
	rc=0
	printf '%s\n' "${ids[@]}" |
		xargs -P 4 -I{} "$HUSK" --root "$ROOT" create --bundle "$BATS_TEST_TMPDIR/bundles/{}" {} \
			>"$BATS_TEST_TMPDIR/out/create" 2>&1 3>&- || rc=$?
	touch "$BATS_TEST_TMPDIR/stop-listing"
	wait "$lister" || fail "while creating: $(cat "$BATS_TEST_TMPDIR/out/list-create")"
	rm "$BATS_TEST_TMPDIR/stop-listing"
	[ "$rc" -eq 0 ] || fail "xargs create exited $rc: $(head -n 20 "$BATS_TEST_TMPDIR/out/create")"

	run -0 husk list -q
	assert_equal "$(sort <<<"$output")" "$(cat "$BATS_TEST_TMPDIR/ids.sorted")"

	run -0 husk list
	assert_equal "${#lines[@]}" 1001
	assert_line --index 0 --regexp '^ID +PID +STATUS +BUNDLE +CREATED +OWNER$'
	assert_equal "$(awk 'NR > 1 && $3 == "created" && $2 > 0 { print $1 }' <<<"$output" | sort)" \
		"$(cat "$BATS_TEST_TMPDIR/ids.sorted")"

	run -0 husk list --format json
	json=$output
	run -0 jq 'length' <<<"$json"
	assert_output 1000
	run -0 jq -r '.[].id' <<<"$json"
	assert_equal "$(sort <<<"$output")" "$(cat "$BATS_TEST_TMPDIR/ids.sorted")"
	run -0 jq '[.[] | select(.status == "created" and .pid > 0)] | length' <<<"$json"
	assert_output 1000

	for id in "$PREFIX-1" "$PREFIX-500" "$PREFIX-1000"; do
		run -0 state_field "$id" status
		assert_output created
		pid=$(container_pid "$id")
		assert_dir_exists "/proc/$pid"
		run -0 jq -r --arg id "$id" '.[] | select(.id == $id) | .pid' <<<"$json"
		assert_output "$pid"
	done

	# (runc 1.1's list fails when a container goes while it reads the root.)
	lister=
	if is_husk; then
		list_loop '^(created|stopped)$' >"$BATS_TEST_TMPDIR/out/list-delete" 2>&1 3>&- &
		lister=$!
	fi
	rc=0
	printf '%s\n' "${ids[@]}" |
		xargs -P 4 -I{} "$HUSK" --root "$ROOT" delete {} \
			>"$BATS_TEST_TMPDIR/out/delete" 2>&1 3>&- || rc=$?
	touch "$BATS_TEST_TMPDIR/stop-listing"
	[ -z "$lister" ] || wait "$lister" ||
		fail "while deleting: $(cat "$BATS_TEST_TMPDIR/out/list-delete")"
	[ "$rc" -eq 0 ] || fail "xargs delete exited $rc: $(head -n 20 "$BATS_TEST_TMPDIR/out/delete")"

	run -0 husk list -q
	assert_output ""
	run -0 husk list --format json
	run -0 jq 'length' <<<"$output"
	assert_output 0
	assert_nothing_left
	assert_no_cgroups "${ids[@]}"
}
