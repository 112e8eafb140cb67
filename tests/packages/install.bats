#!/usr/bin/env bats
# The .deb of make deb ($HUSK_DEB), installed and used as a user of the
# package would: nothing names husk's path, the PATH finds it. Runs in the
# test VM (make check-vm-install), whose root is a throwaway overlay: the
# install never reaches the host.

bats_require_minimum_version 1.5.0
bats_load_library bats-support
bats_load_library bats-assert

# What make and tests/vm/run.sh pass about the build's own husk is not used.
unset HUSK

ULIMITS="--ulimit nofile=20000:20000 --ulimit nproc=32768:32768"
IMAGE=localhost/husk-busybox:installed
REPO=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)

setup_file() {
	: "${HUSK_DEB:?the .deb to install (make check-vm-install sets it)}"
	[ "${HUSK_IN_VM:-}" = 1 ] || [ -f /run/husk-vm/results/cmd ] ||
		skip "installs a package: only in the test VM (make check-vm-install)"
	export PODMAN_ROOT=$BATS_FILE_TMPDIR/storage PODMAN_RUNROOT=$BATS_FILE_TMPDIR/run
}

teardown_file() {
	if command -v podman >/dev/null && [ -n "${PODMAN_ROOT:-}" ]; then
		pm rm -af -t 0 >/dev/null 2>&1 || true
		pm rmi -af >/dev/null 2>&1 || true
	fi
}

# pm ARGS...: podman with storage of its own and no systemd; the runtime is
# chosen by name only.
pm() {
	podman --root "$PODMAN_ROOT" --runroot "$PODMAN_RUNROOT" \
		--cgroup-manager cgroupfs --events-backend file "$@"
}

@test "before: no husk on the PATH, the package not installed" {
	run command -v husk
	assert_failure
	run dpkg-query -W -f '${Status}' husk
	refute_output --partial 'ok installed'
}

@test "dpkg -i installs it; husk --version from the PATH" {
	run -0 dpkg -i "$HUSK_DEB"
	run -0 command -v husk
	assert_output /usr/bin/husk
	run -0 husk --version
	assert_line --regexp '^husk version [0-9]+\.[0-9]+\.[0-9]+$'
	assert_line --regexp '^commit: (v[0-9][^ ]*-g)?[0-9a-f]{12}'
	# the package of this build, not an older one
	[ -z "${HUSK_COMMIT:-}" ] || assert_line "commit: $HUSK_COMMIT"
	assert_line --regexp '^spec: 1\.'
}

@test "man husk-run renders" {
	command -v man >/dev/null || skip "man-db is not installed"
	MANWIDTH=80 run -0 man husk-run
	assert_line --regexp '^NAME'
	assert_output --partial 'husk-run - '
	assert_output --partial 'SYNOPSIS'
	run -0 man -w husk
	assert_output /usr/share/man/man8/husk.8.gz
}

@test "bash completes husk's commands" {
	# What an interactive shell loads first (Debian's bash-completion).
	[ -f /usr/share/bash-completion/bash_completion ] || skip "bash-completion is not installed"
	run -0 bash -c 'source /usr/share/bash-completion/bash_completion
		source /usr/share/bash-completion/completions/husk
		COMP_WORDS=(husk chec); COMP_CWORD=1; COMP_LINE="husk chec"; COMP_POINT=9
		complete -p husk >&2 && _husk
		printf "%s\n" "${COMPREPLY[@]}"'
	assert_line check
	assert_line checkpoint
}

@test "podman --runtime husk run --rm, through the containers.conf example" {
	command -v podman >/dev/null || skip "podman is not installed"
	mkdir -p /etc/containers/containers.conf.d
	cp /usr/share/doc/husk/examples/podman/containers.conf /etc/containers/containers.conf.d/husk.conf
	run -0 pm --runtime husk info --format '{{.Host.OCIRuntime.Name}} {{.Host.OCIRuntime.Path}}'
	assert_output 'husk /usr/bin/husk'
	HUSK=husk run -0 bash "$REPO/bundles/busybox/make-bundle.sh" "$BATS_FILE_TMPDIR/bundle"
	tar -C "$BATS_FILE_TMPDIR/bundle/rootfs" -cf "$BATS_FILE_TMPDIR/busybox.tar" .
	run -0 pm image import "$BATS_FILE_TMPDIR/busybox.tar" "$IMAGE"
	run -0 pm --runtime husk run --rm $ULIMITS "$IMAGE" sh -c 'echo hello from $(hostname); cat /proc/1/cmdline | tr "\0" " "'
	assert_line --regexp '^hello from [0-9a-f]{12}$'
	assert_line --partial 'sh -c echo hello'
	# The example makes husk podman's default: no --runtime at all.
	run -0 pm info --format '{{.Host.OCIRuntime.Name}}'
	assert_output husk
	run -3 pm run --rm $ULIMITS "$IMAGE" sh -c 'exit 3'
}

@test "dpkg -r removes every file it installed" {
	run -0 dpkg-query -L husk
	files=()
	for f in "${lines[@]}"; do
		[ -f "$f" ] && files+=("$f")
	done
	[ "${#files[@]}" -ge 25 ] || fail "dpkg -L lists only ${#files[@]} files: ${files[*]}"
	rm -f /etc/containers/containers.conf.d/husk.conf
	run -0 dpkg -r husk
	left=
	for f in "${files[@]}"; do
		[ -e "$f" ] && left="$left $f"
	done
	[ -z "$left" ] || fail "left behind by dpkg -r:$left"
	[ ! -d /usr/share/doc/husk ] || fail "dpkg -r left /usr/share/doc/husk"
	run command -v husk
	assert_failure
	run dpkg-query -W -f '${Status}' husk
	refute_output --partial 'ok installed'
}
