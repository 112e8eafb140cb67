#!/usr/bin/env bats
# /dev: the default devices and links, and linux.devices.

load helpers

setup() {
	setup_bundle
}

teardown() {
	teardown_bundle
}

@test "default devices are char devices with the right major:minor" {
	# busybox stat prints major/minor in hex
	set_args sh -c 'for d in null zero full random urandom tty; do stat -c "%n %F %t:%T %a" /dev/$d; done'
	run -0 husk run --bundle "$BUNDLE" c1
	assert_line "/dev/null character special file 1:3 666"
	assert_line "/dev/zero character special file 1:5 666"
	assert_line "/dev/full character special file 1:7 666"
	assert_line "/dev/random character special file 1:8 666"
	assert_line "/dev/urandom character special file 1:9 666"
	assert_line "/dev/tty character special file 5:0 666"
}

@test "default devices work" {
	set_args sh -c 'exec 2>&1; echo gone >/dev/null && echo null-ok
		head -c 4 /dev/zero | od -An -tx1
		head -c 16 /dev/urandom | wc -c
		echo x >/dev/full || echo full-rejects'
	run -0 husk run --bundle "$BUNDLE" c1
	assert_line null-ok
	assert_line --regexp '^ *00 00 00 00$'
	assert_line 16
	assert_line --partial "No space left on device"
	assert_line full-rejects
}

@test "default /dev symlinks: ptmx, fd, stdin, stdout, stderr" {
	set_args sh -c 'for l in ptmx fd stdin stdout stderr; do echo "$l -> $(readlink /dev/$l)"; done'
	run -0 husk run --bundle "$BUNDLE" c1
	assert_line "ptmx -> pts/ptmx"
	assert_line "fd -> /proc/self/fd"
	assert_line "stdin -> /proc/self/fd/0"
	assert_line "stdout -> /proc/self/fd/1"
	assert_line "stderr -> /proc/self/fd/2"
}

@test "/dev holds only what the runtime put there" {
	# a host device that is not in the config must not show up
	set_args sh -c 'ls /dev'
	run -0 husk run --bundle "$BUNDLE" c1
	refute_line sda
	refute_line vda
	refute_line mem
	refute_line kmsg
	assert_line null
}

@test "linux.devices: an entry creates the node with its type, numbers, mode and owner" {
	update_config '.linux.devices = [
		{"path": "/dev/mynull", "type": "c", "major": 1, "minor": 3,
		 "fileMode": 438, "uid": 1000, "gid": 1001},
		{"path": "/dev/sub/myzero", "type": "c", "major": 1, "minor": 5,
		 "fileMode": 420, "uid": 0, "gid": 0}]
		| .linux.resources.devices += [
		{"allow": true, "type": "c", "major": 1, "minor": 3, "access": "rwm"},
		{"allow": true, "type": "c", "major": 1, "minor": 5, "access": "rwm"}]'
	set_args sh -c 'stat -c "%n %F %t:%T %a %u:%g" /dev/mynull /dev/sub/myzero
		echo x >/dev/mynull && echo write-ok
		head -c 2 /dev/sub/myzero | od -An -tx1'
	run -0 husk run --bundle "$BUNDLE" c1
	assert_line "/dev/mynull character special file 1:3 666 1000:1001"
	assert_line "/dev/sub/myzero character special file 1:5 644 0:0"
	assert_line write-ok
	assert_line --regexp '^ *00 00$'
}

@test "/dev/pts and /dev/shm are usable" {
	set_args sh -c 'stat -c "%F" /dev/pts/ptmx; echo shm-data >/dev/shm/f && cat /dev/shm/f'
	run -0 husk run --bundle "$BUNDLE" c1
	assert_line "character special file"
	assert_line shm-data
}
