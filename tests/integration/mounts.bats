#!/usr/bin/env bats
# Mounts and their options, the readonly root, maskedPaths, readonlyPaths.

load helpers

setup() {
	setup_bundle
	HOSTDIR=$BATS_TEST_TMPDIR/hostdir
	mkdir -p "$HOSTDIR"
	echo "from the host" >"$HOSTDIR/hello"
}

teardown() {
	teardown_bundle
}

# add_mount JSON: append one mount to the config.
add_mount() {
	update_config ".mounts += [$1]"
}

# mount_line MOUNTPOINT: the container's /proc/mounts line for it, from $output.
mount_line() {
	awk -v m="$1" '$2 == m' <<<"$output"
}

@test "the default mounts: proc, /dev tmpfs, devpts, shm, mqueue, sysfs" {
	set_args cat /proc/mounts
	run -0 husk run --bundle "$BUNDLE" c1
	assert_line --regexp '^[^ ]+ /proc proc '
	assert_line --regexp '^[^ ]+ /dev tmpfs rw,nosuid,'
	assert_line --regexp '^[^ ]+ /dev/pts devpts '
	assert_line --regexp '^[^ ]+ /dev/shm tmpfs rw,nosuid,nodev,noexec,'
	assert_line --regexp '^[^ ]+ /dev/mqueue mqueue '
	assert_line --regexp '^[^ ]+ /sys sysfs ro,'
	# the root is the bundle's rootfs, read-only as the config says
	assert_line --regexp '^[^ ]+ / [^ ]+ ro[, ]'
}

@test "tmpfs mount: size= and mode= show in /proc/mounts" {
	add_mount '{"destination": "/mnt/t", "type": "tmpfs", "source": "tmpfs",
		"options": ["size=2m", "mode=1750", "nodev", "noexec"]}'
	set_args sh -c 'cat /proc/mounts; stat -c "mode %a" /mnt/t; echo data >/mnt/t/f && cat /mnt/t/f'
	run -0 husk run --bundle "$BUNDLE" c1
	line=$(mount_line /mnt/t)
	[[ $line == "tmpfs /mnt/t tmpfs rw,"* ]]
	[[ $line == *size=2048k* ]]
	[[ $line == *mode=1750* ]]
	[[ $line == *nodev* ]]
	[[ $line == *noexec* ]]
	assert_line "mode 1750"
	assert_line data
	# the mount point was made in the rootfs; nothing was written there
	assert_dir_exists "$BUNDLE/rootfs/mnt/t"
	assert_not_exists "$BUNDLE/rootfs/mnt/t/f"
}

@test "bind mount of a host directory shows its files, and writes reach the host" {
	add_mount "{\"destination\": \"/mnt/b\", \"type\": \"bind\", \"source\": \"$HOSTDIR\", \"options\": [\"rbind\", \"rw\"]}"
	set_args sh -c 'cat /mnt/b/hello; echo from-the-container >/mnt/b/written'
	run -0 husk run --bundle "$BUNDLE" c1
	assert_output "from the host"
	run -0 cat "$HOSTDIR/written"
	assert_output from-the-container
}

@test "bind mount of a single file" {
	add_mount "{\"destination\": \"/etc/greeting\", \"type\": \"bind\", \"source\": \"$HOSTDIR/hello\", \"options\": [\"bind\", \"ro\"]}"
	set_args cat /etc/greeting
	run -0 husk run --bundle "$BUNDLE" c1
	assert_output "from the host"
}

@test "ro bind mount rejects writes with 'Read-only file system'" {
	add_mount "{\"destination\": \"/mnt/ro\", \"type\": \"bind\", \"source\": \"$HOSTDIR\", \"options\": [\"bind\", \"ro\"]}"
	update_config '.root.readonly = false'
	set_args sh -c 'exec 2>&1; cat /mnt/ro/hello; touch /mnt/ro/new; awk "\$2 == \"/mnt/ro\" {print \$4}" /proc/mounts'
	run -0 husk run --bundle "$BUNDLE" c1
	assert_line --index 0 "from the host"
	assert_line --index 1 --partial "Read-only file system"
	assert_line --index 2 --regexp '^ro(,|$)'
	assert_not_exists "$HOSTDIR/new"
}

@test "readonly rootfs rejects writes" {
	update_config '.root.readonly = true'
	set_args sh -c 'exec 2>&1; touch /newfile; echo rc=$?'
	run -0 husk run --bundle "$BUNDLE" c1
	assert_line --partial "Read-only file system"
	assert_line rc=1
	assert_not_exists "$BUNDLE/rootfs/newfile"
}

@test "root.readonly=false allows writes, which land in the bundle's rootfs" {
	update_config '.root.readonly = false'
	set_args sh -c 'echo written >/newfile && cat /newfile'
	run -0 husk run --bundle "$BUNDLE" c1
	assert_output written
	run -0 cat "$BUNDLE/rootfs/newfile"
	assert_output written
}

@test "root.path may be absolute" {
	mv "$BUNDLE/rootfs" "$BATS_TEST_TMPDIR/elsewhere"
	update_config ".root.path = \"$BATS_TEST_TMPDIR/elsewhere\""
	set_args sh -c 'echo absolute root'
	run -0 husk run --bundle "$BUNDLE" c1
	assert_output "absolute root"
}

@test "maskedPaths: a masked directory is an empty read-only tmpfs" {
	mkdir -p "$BUNDLE/rootfs/secret-dir"
	echo secret >"$BUNDLE/rootfs/secret-dir/file"
	update_config '.linux.maskedPaths += ["/secret-dir"]'
	set_args sh -c 'echo "[$(ls -A /secret-dir)]"; awk "\$2 == \"/secret-dir\" {print \$3, \$4}" /proc/mounts'
	run -0 husk run --bundle "$BUNDLE" c1
	assert_line --index 0 "[]"
	assert_line --index 1 --regexp '^tmpfs ro(,|$)'
	# the host's copy is untouched
	run -0 cat "$BUNDLE/rootfs/secret-dir/file"
	assert_output secret
}

@test "maskedPaths: a masked file reads empty" {
	echo "top secret" >"$BUNDLE/rootfs/secret.txt"
	update_config '.linux.maskedPaths += ["/secret.txt"]'
	set_args sh -c 'echo "[$(cat /secret.txt)]"; wc -c </secret.txt'
	run -0 husk run --bundle "$BUNDLE" c1
	assert_line --index 0 "[]"
	assert_line --index 1 0
	run -0 cat "$BUNDLE/rootfs/secret.txt"
	assert_output "top secret"
}

@test "maskedPaths: without the entry the file is readable (control)" {
	echo "top secret" >"$BUNDLE/rootfs/secret.txt"
	set_args cat /secret.txt
	run -0 husk run --bundle "$BUNDLE" c1
	assert_output "top secret"
}

@test "maskedPaths: a path that does not exist is ignored" {
	update_config '.linux.maskedPaths += ["/no/such/path"]'
	set_args sh -c 'echo ok'
	run -0 husk run --bundle "$BUNDLE" c1
	assert_output ok
}

@test "readonlyPaths: writing under /proc/sys fails with 'Read-only file system'" {
	set_args sh -c 'exec 2>&1; echo example.org >/proc/sys/kernel/domainname; echo rc=$?'
	run -0 husk run --bundle "$BUNDLE" c1
	assert_line --partial "Read-only file system"
	assert_line rc=1
}

@test "readonlyPaths: without /proc/sys in it the same write works (control)" {
	update_config '.linux.readonlyPaths |= map(select(. != "/proc/sys"))'
	set_args sh -c 'exec 2>&1; echo example.org >/proc/sys/kernel/domainname; echo rc=$?; cat /proc/sys/kernel/domainname'
	run -0 husk run --bundle "$BUNDLE" c1
	assert_line rc=0
	assert_line example.org
}

@test "readonlyPaths: a listed directory is read-only, its neighbours are not" {
	mkdir -p "$BUNDLE/rootfs/ro-dir" "$BUNDLE/rootfs/rw-dir"
	update_config '.root.readonly = false | .linux.readonlyPaths += ["/ro-dir"]'
	set_args sh -c 'exec 2>&1; touch /ro-dir/f; echo ro=$?; touch /rw-dir/f; echo rw=$?'
	run -0 husk run --bundle "$BUNDLE" c1
	assert_line --partial "/ro-dir/f: Read-only file system"
	assert_line ro=1
	assert_line rw=0
	assert_not_exists "$BUNDLE/rootfs/ro-dir/f"
	assert_file_exists "$BUNDLE/rootfs/rw-dir/f"
}

@test "mount destination: a symlink pointing outside the rootfs is resolved inside it" {
	# rootfs/mnt/evil -> <host dir>: the runtime must not follow it on the
	# host; like runc it resolves the link inside the rootfs.
	outside=$BATS_TEST_TMPDIR/outside
	mkdir -p "$outside"
	echo "host file" >"$outside/host-file"
	mkdir -p "$BUNDLE/rootfs/mnt"
	ln -s "$outside" "$BUNDLE/rootfs/mnt/evil"
	add_mount '{"destination": "/mnt/evil", "type": "tmpfs", "source": "tmpfs", "options": ["size=1m"]}'
	set_args sh -c 'exec 2>&1; ls -A /mnt/evil/; echo in-the-tmpfs >/mnt/evil/marker && echo wrote; cat /proc/mounts'
	mounts_before=$(grep -c . /proc/self/mountinfo)

	run -0 husk run --bundle "$BUNDLE" c1
	# the container saw an empty tmpfs, not the host directory
	refute_line host-file
	assert_line wrote
	# ... mounted at the link's target, taken inside the rootfs
	assert_line --regexp "^tmpfs $outside tmpfs rw,"

	# the host directory is untouched ...
	run -0 ls -A "$outside"
	assert_output host-file
	# ... and the runtime made the mount point inside the rootfs
	assert_dir_exists "$BUNDLE/rootfs$outside"
	run -0 ls -A "$BUNDLE/rootfs$outside"
	assert_output ""
	# no mount leaked into the host's namespace
	run grep -F "$outside" /proc/self/mountinfo
	assert_output ""
	assert_equal "$(grep -c . /proc/self/mountinfo)" "$mounts_before"
	assert_nothing_left
}

@test "mount destination: .. cannot climb out of the rootfs" {
	target=$BATS_TEST_TMPDIR/escape-target
	add_mount "{\"destination\": \"/../../../../../../../..$target\", \"type\": \"tmpfs\", \"source\": \"tmpfs\", \"options\": [\"size=1m\"]}"
	set_args sh -c 'echo ok'
	run husk run --bundle "$BUNDLE" c1
	# whether or not the runtime accepts it, nothing appears on the host
	assert_not_exists "$target"
	run grep -F escape-target /proc/self/mountinfo
	assert_output ""
	assert_nothing_left
}

# --- linux.rootfsPropagation -----------------------------------------------------

# root_propagation: the optional fields ("shared:N", "master:N", "unbindable")
# of the container's root in its own /proc/self/mountinfo, "private" when none.
root_propagation() {
	set_args sh -c 'awk '\''$5 == "/" { f = ""; for (i = 7; $i != "-"; i++) f = f " " $i; print (f == "" ? "private" : substr(f, 2)) }'\'' /proc/self/mountinfo'
	husk run --bundle "$BUNDLE" c1
}

@test "rootfsPropagation: shared makes the container's root a shared mount" {
	update_config '.linux.rootfsPropagation = "shared"'
	run -0 root_propagation
	assert_output --regexp '^shared:[0-9]+'
}

@test "rootfsPropagation: slave makes it a slave of the mount it came from" {
	update_config '.linux.rootfsPropagation = "slave"'
	set_args sh -c 'awk '\''$5 == "/" { f = ""; for (i = 7; $i != "-"; i++) f = f " " $i; print (f == "" ? "private" : substr(f, 2)) }'\'' /proc/self/mountinfo'
	# A slave needs a shared master: this host's / may be private, so the
	# caller's mounts are made shared in a mount namespace of the test's own.
	register_id c1
	run -0 unshare -m sh -c 'mount --make-rshared / && exec "$@"' sh \
		"$HUSK" --root "$ROOT" run --bundle "$BUNDLE" c1
	assert_output --regexp '^master:[0-9]+$'
}

@test "rootfsPropagation: private leaves it neither shared nor a slave" {
	update_config '.linux.rootfsPropagation = "private"'
	run -0 root_propagation
	assert_output private
}

@test "rootfsPropagation: unbindable runs, with an unbindable root and the bind mounts made" {
	add_mount "{\"destination\": \"/mnt\", \"type\": \"bind\", \"source\": \"$HOSTDIR\", \"options\": [\"rbind\"]}"
	update_config '.linux.rootfsPropagation = "unbindable"'
	run -0 root_propagation
	assert_output unbindable
	set_args cat /mnt/hello
	run -0 husk run --bundle "$BUNDLE" c2
	assert_output "from the host"
}

@test "rootfsPropagation: an unknown value is refused, nothing left" {
	update_config '.linux.rootfsPropagation = "sideways"'
	run -1 husk run --bundle "$BUNDLE" c1
	assert_husk_error 'linux.rootfsPropagation' 'sideways'
	assert_nothing_left
}

# --- runc's and crun's mount extensions ------------------------------------------

@test "tmpcopyup: the tmpfs starts with the directory's content, owners and modes" {
	mkdir -p "$BUNDLE/rootfs/data/sub"
	echo hello >"$BUNDLE/rootfs/data/file"
	echo deep >"$BUNDLE/rootfs/data/sub/deeper"
	ln -s file "$BUNDLE/rootfs/data/link"
	chown 1000:1001 "$BUNDLE/rootfs/data/file" "$BUNDLE/rootfs/data/sub"
	chown -h 1002:1002 "$BUNDLE/rootfs/data/link"
	chmod 0604 "$BUNDLE/rootfs/data/file"
	chmod 0711 "$BUNDLE/rootfs/data/sub"
	chown 1003:1003 "$BUNDLE/rootfs/data"
	chmod 0757 "$BUNDLE/rootfs/data"
	add_mount '{"destination": "/data", "type": "tmpfs", "source": "tmpfs", "options": ["tmpcopyup", "nosuid"]}'
	# the process has no CAP_DAC_OVERRIDE: the modes are what lets it in
	set_args sh -c 'stat -f -c %T /data; stat -c "%n %u:%g %a" /data /data/file /data/sub; stat -c "%n %u:%g %N" /data/link; cat /data/sub/deeper; echo new >/data/new && cat /data/new'
	run -0 husk run --bundle "$BUNDLE" c1
	assert_line --index 0 tmpfs
	assert_line '/data 1003:1003 757'
	assert_line '/data/file 1000:1001 604'
	assert_line '/data/sub 1000:1001 711'
	assert_line "/data/link 1002:1002 '/data/link' -> 'file'"
	assert_line deep
	assert_line new
	# the rootfs below is untouched
	run -0 cat "$BUNDLE/rootfs/data/file"
	assert_output hello
	assert_not_exists "$BUNDLE/rootfs/data/new"
}

@test "tmpcopyup with ro: filled first, read-only after" {
	mkdir -p "$BUNDLE/rootfs/data"
	echo hello >"$BUNDLE/rootfs/data/file"
	add_mount '{"destination": "/data", "type": "tmpfs", "source": "tmpfs", "options": ["tmpcopyup", "ro"]}'
	set_args sh -c 'cat /data/file; touch /data/x 2>&1'
	run -1 husk run --bundle "$BUNDLE" c1
	assert_line --index 0 hello
	assert_line --partial "Read-only file system"
}

@test "tmpfs over an existing directory takes its mode when no mode= is given (as runc)" {
	mkdir -p "$BUNDLE/rootfs/private"
	chmod 0700 "$BUNDLE/rootfs/private"
	add_mount '{"destination": "/private", "type": "tmpfs", "source": "tmpfs"}'
	add_mount '{"destination": "/given", "type": "tmpfs", "source": "tmpfs", "options": ["mode=755"]}'
	set_args stat -c '%n %a' /private /given
	run -0 husk run --bundle "$BUNDLE" c1
	assert_line '/private 700'
	assert_line '/given 755'
}

@test "tmpcopyup on anything but a tmpfs is refused before anything is made" {
	requires_husk
	add_mount "{\"destination\": \"/mnt\", \"type\": \"bind\", \"source\": \"$HOSTDIR\", \"options\": [\"rbind\", \"tmpcopyup\"]}"
	run -1 husk run --bundle "$BUNDLE" c1
	assert_husk_error 'mounts[' 'tmpcopyup: only a tmpfs can be copied up'
	assert_nothing_left
}

@test "copy-symlink: a bind of a symlink makes the same symlink (crun's option)" {
	ln -s /etc/hostname "$HOSTDIR/link"
	add_mount "{\"destination\": \"/copied\", \"type\": \"bind\", \"source\": \"$HOSTDIR/link\", \"options\": [\"bind\", \"copy-symlink\"]}"
	set_args sh -c 'readlink /copied; grep -c " /copied " /proc/mounts'
	run -1 husk run --bundle "$BUNDLE" c1
	assert_line --index 0 /etc/hostname
	assert_line --index 1 0
}

@test "copy-symlink with src-nofollow is refused (crun refuses it)" {
	requires_husk
	ln -s /etc/hostname "$HOSTDIR/link"
	add_mount "{\"destination\": \"/copied\", \"type\": \"bind\", \"source\": \"$HOSTDIR/link\", \"options\": [\"bind\", \"copy-symlink\", \"src-nofollow\"]}"
	run -1 husk run --bundle "$BUNDLE" c1
	assert_husk_error 'copy-symlink: cannot be combined with src-nofollow'
	assert_nothing_left
}

@test "src-nofollow: the source symlink itself is bound, not what it points to (crun's option)" {
	ln -s /nowhere/at/all "$HOSTDIR/link"
	add_mount "{\"destination\": \"/bound\", \"type\": \"bind\", \"source\": \"$HOSTDIR/link\", \"options\": [\"bind\", \"src-nofollow\"]}"
	set_args sh -c 'readlink /bound; grep -c " /bound " /proc/mounts'
	run -0 husk run --bundle "$BUNDLE" c1
	assert_line --index 0 /nowhere/at/all
	assert_line --index 1 1
}

@test "dest-nofollow: a destination that is a symlink is mounted over, its target untouched (crun's option)" {
	echo original >"$BUNDLE/rootfs/target-file"
	ln -s /target-file "$BUNDLE/rootfs/link"
	add_mount "{\"destination\": \"/link\", \"type\": \"bind\", \"source\": \"$HOSTDIR/hello\", \"options\": [\"bind\", \"dest-nofollow\"]}"
	set_args sh -c 'cat /link; cat /target-file'
	run -0 husk run --bundle "$BUNDLE" c1
	assert_output $'from the host\noriginal'
	# without it the symlink is followed, inside the root
	update_config '.mounts[-1].options = ["bind"]'
	run -0 husk run --bundle "$BUNDLE" c2
	assert_output $'from the host\nfrom the host'
}

@test "a relative mount destination is relative to the container's root (runtime-spec 1.2)" {
	add_mount '{"destination": "rel/dir", "type": "tmpfs", "source": "tmpfs"}'
	set_args sh -c 'grep " /rel/dir " /proc/mounts | cut -d" " -f3'
	run -0 husk run --bundle "$BUNDLE" c1
	assert_output tmpfs
}

@test "mountLabel where SELinux is off is ignored, as runc does" {
	[ ! -e /sys/fs/selinux/enforce ] || skip "SELinux is enabled here"
	update_config '.linux.mountLabel = "system_u:object_r:container_file_t:s0:c1,c2"'
	set_args sh -c 'grep -c context= /proc/mounts'
	run -1 husk run --bundle "$BUNDLE" c1
	assert_output 0
}

@test "mountLabel where SELinux is on: the tmpfs mounts get it as their context" {
	[ -e /sys/fs/selinux/enforce ] || skip "SELinux is not enabled on this host"
	update_config '.linux.mountLabel = "system_u:object_r:container_file_t:s0:c1,c2"'
	add_mount '{"destination": "/scratch", "type": "tmpfs", "source": "tmpfs"}'
	set_args sh -c 'ls -Zd /scratch'
	run -0 husk run --bundle "$BUNDLE" c1
	assert_output --partial 'container_file_t:s0:c1,c2'
}

@test "recursive access-time options (rnoatime, rstrictatime, ratime) and nosymfollow, rnosymfollow" {
	ln -s hello "$HOSTDIR/link"
	add_mount "{\"destination\": \"/a\", \"type\": \"bind\", \"source\": \"$HOSTDIR\", \"options\": [\"rbind\", \"rnoatime\"]}"
	add_mount "{\"destination\": \"/b\", \"type\": \"bind\", \"source\": \"$HOSTDIR\", \"options\": [\"rbind\", \"rstrictatime\"]}"
	add_mount "{\"destination\": \"/c\", \"type\": \"bind\", \"source\": \"$HOSTDIR\", \"options\": [\"rbind\", \"rnoatime\", \"ratime\"]}"
	add_mount "{\"destination\": \"/d\", \"type\": \"bind\", \"source\": \"$HOSTDIR\", \"options\": [\"rbind\", \"nosymfollow\"]}"
	add_mount "{\"destination\": \"/e\", \"type\": \"bind\", \"source\": \"$HOSTDIR\", \"options\": [\"rbind\", \"rnosymfollow\"]}"
	set_args cat /proc/mounts /d/link
	run -1 husk run --bundle "$BUNDLE" c1
	mount_line /a | grep -q ',noatime' || fail "/a: $(mount_line /a)"
	mount_line /b | grep -vq 'noatime\|relatime' || fail "/b: $(mount_line /b)"
	mount_line /c | grep -q ',relatime' || fail "/c: $(mount_line /c)"
	mount_line /d | grep -q 'nosymfollow' || fail "/d: $(mount_line /d)"
	mount_line /e | grep -q 'nosymfollow' || fail "/e: $(mount_line /e)"
	assert_line --partial "/d/link': Too many levels of symbolic links"
}
