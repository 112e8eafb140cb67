#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# tests/vm/run.sh [COMMAND [ARG...]]
#
# Boots a Debian kernel under qemu on a pure cgroup v2 hierarchy (cgroup2 on
# /sys/fs/cgroup, no v1 controller anywhere: cgroup_no_v1=all) and runs
# COMMAND in it as root; exits with COMMAND's exit status.  The default
# COMMAND is husk's integration suite:
#     HUSK=$REPO/husk bash $REPO/tests/run-integration.sh
# (HUSK_TEST_DIRS picks a subset, as for "make check"), where $HUSK (default
# $REPO/husk) is first copied to the run directory.  See README.md.
#
# The guest's root is the host's root, shared READ-ONLY over 9p, under an
# overlay whose upper layer is a tmpfs: the guest can write anywhere, and
# nothing it writes reaches the host, except through the results share
# (a fresh host temporary directory, read-write) where it leaves the
# command, its output and its exit status.
#
# HUSK_VM_INIT=systemd boots the host's systemd as pid 1 instead, with the
# host's enabled units disabled, and runs COMMAND as a system service
# (husk-vm-command.service) once the boot is done: a systemd host, for
# the systemd cgroup driver (see systemd-stage2.sh).
#
# Environment:
#   HUSK_VM_DIR      cache and run directory      (/var/tmp/husk-vm)
#   HUSK_VM_REPO     the repository               (this script's ../..)
#   HUSK_VM_KERNEL   the kernel image             (newest /boot/vmlinuz-*)
#   HUSK_VM_MODULES  its modules directory        (/lib/modules/<its version>)
#   HUSK_VM_BUSYBOX  a static busybox             (/bin/busybox)
#   HUSK_VM_MEM      guest memory                 (3G)
#   HUSK_VM_SMP      guest cpus                   (2)
#   HUSK_VM_ACCEL    qemu accelerator             (tcg: kvm hangs on some hosts)
#   HUSK_VM_TIMEOUT  seconds before qemu is killed (3600)
#   HUSK_VM_INIT     systemd: systemd as pid 1, COMMAND a system service;
#                    empty: stage2.sh runs COMMAND as pid 1's child   ()
#   HUSK_VM_BOOT_TIMEOUT with systemd: seconds COMMAND waits for the boot
#                    to finish before it runs anyway; 0: no bound (300)
#   HUSK_VM_CGOPTS   cgroup2 mount options        (nsdelegate,memory_recursiveprot)
#   HUSK_VM_CGROUP   the cgroup COMMAND runs in: a leaf, with the controllers
#                    enabled above it, as a systemd login session; / for the
#                    root cgroup (/user.slice/user-0.slice/session-1.scope);
#                    not with systemd (its unit's cgroup)
#   HUSK_VM_TMP      the guest's /tmp: disk (an ext4 scratch disk of
#                    HUSK_VM_DISK_SIZE, 8G, sparse) or tmpfs   (disk)
#   HUSK_VM_APPEND   more kernel command line
#   HUSK_VM_QEMU_ARGS more qemu arguments (split on blanks)
#   HUSK_VM_ENV      more variables to pass to COMMAND (names, space separated;
#                    HUSK, HUSK_TEST_DIRS and BATS_* always are)
#   HUSK_VM_KEEP=1   keep the run directory (results/, console.log)
#
# Exit status: COMMAND's; 77 when qemu, the kernel or busybox (or, with
# HUSK_VM_INIT=systemd, systemd or D-Bus) is missing (the test is skipped);
# 124 when the timeout killed qemu; 125 when the guest ended without
# reporting a status.
set -uo pipefail

# All of it is in main, which bash reads whole before running it: the
# script can be edited (or checked out anew) while a long run goes on.

main() {
	prog=tests/vm/run.sh
	here=$(cd "$(dirname "$0")" && pwd)
	repo=${HUSK_VM_REPO:-$(cd "$here/../.." && pwd)}
	vmdir=${HUSK_VM_DIR:-/var/tmp/husk-vm}
	mem=${HUSK_VM_MEM:-3G}
	smp=${HUSK_VM_SMP:-2}
	accel=${HUSK_VM_ACCEL:-tcg}
	tmo=${HUSK_VM_TIMEOUT:-3600}
	cgopts=${HUSK_VM_CGOPTS:-nsdelegate,memory_recursiveprot}
	busybox=${HUSK_VM_BUSYBOX:-/bin/busybox}
	msize=262144
	tmpfs=${HUSK_VM_TMP:-disk}
	disk_size=${HUSK_VM_DISK_SIZE:-8G}
	init=${HUSK_VM_INIT:-}
	boot_timeout=${HUSK_VM_BOOT_TIMEOUT:-300}
	need="qemu-system-x86 linux-image-amd64 busybox-static"

	die() {
		echo "$prog: $*" >&2
		exit 1
	}
	skip() {
		echo "$prog: $*: skipped" >&2
		echo "(apt-get install $need)" >&2
		exit 77
	}

	[ "$(id -u)" = 0 ] || skip "needs root (the guest runs containers as root; qemu reads the whole host root)"
	qemu=$(command -v qemu-system-x86_64) || skip "no qemu-system-x86_64"

	# --- kernel and modules ------------------------------------------------------
	kernel=${HUSK_VM_KERNEL:-}
	if [ -z "$kernel" ]; then
		kernel=$(ls -1 /boot/vmlinuz-* 2>/dev/null | sort -V | tail -n 1)
		[ -n "$kernel" ] || skip "no /boot/vmlinuz-*"
	fi
	[ -r "$kernel" ] || skip "$kernel: cannot read"
	kver=${kernel##*/vmlinuz-}
	moddir=${HUSK_VM_MODULES:-/lib/modules/$kver}
	[ -f "$moddir/modules.dep" ] || skip "no $moddir/modules.dep for kernel $kernel"
	[ -x "$busybox" ] || skip "no static busybox at $busybox"
	case $init in
	"") ;;
	systemd)
		# The host's systemd and D-Bus system bus (dbus-daemon's
		# dbus.service, or dbus-broker's under that name) boot the guest.
		need="systemd dbus"
		[ -x /lib/systemd/systemd ] || skip "HUSK_VM_INIT=systemd: no /lib/systemd/systemd"
		[ -e /lib/systemd/system/dbus.service ] || [ -e /etc/systemd/system/dbus.service ] ||
			skip "HUSK_VM_INIT=systemd: no D-Bus system bus (dbus.service)"
		case $boot_timeout in
		"" | *[!0-9]*) die "HUSK_VM_BOOT_TIMEOUT=$boot_timeout: not a number of seconds" ;;
		esac
		;;
	*) die "HUSK_VM_INIT=$init: unknown (empty or systemd)" ;;
	esac

	# Modules the initramfs loads, with what they need, in load order.
	# modules.dep lists every (transitive) dependency; the last one loads first.
	want=(virtio_pci 9pnet_virtio 9p overlay virtio_blk crc32c_generic crc32c-intel ext4)
	mods=()
	declare -A have=()
	modpath() { # NAME -> the modules.dep key ("kernel/.../NAME.ko[.xz]")
		local n=${1//-/_} re
		re="${n//_/[-_]}"
		awk -F: -v re="(^|/)${re}[.]ko([.][a-z]+)?\$" '$1 ~ re { print $1; exit }' "$moddir/modules.dep"
	}
	add_mod() { # modules.dep KEY
		local key=$1 deps d i
		[ -n "${have[$key]:-}" ] && return 0
		have[$key]=1
		deps=$(awk -F': *' -v k="$key" '$1 == k { print $2; exit }' "$moddir/modules.dep")
		read -ra d <<<"$deps"
		for ((i = ${#d[@]} - 1; i >= 0; i--)); do
			add_mod "${d[i]}"
		done
		mods+=("$key")
	}
	for m in "${want[@]}"; do
		key=$(modpath "$m")
		if [ -z "$key" ]; then
			# built in?
			grep -qs "/${m//_/[-_]}\.ko" "$moddir/modules.builtin" && continue
			skip "module $m: not in $moddir/modules.dep"
		fi
		add_mod "$key"
	done

	# --- initramfs (cached; rebuilt when an input changes) -------------------------
	mkdir -p "$vmdir" || die "cannot make $vmdir"
	key=$(
		{
			echo "$kver"
			cksum <"$busybox"
			cat "$here/init" "$here/stage2.sh" "$here/systemd-stage2.sh" "$here/systemd-command.sh"
			for k in "${mods[@]}"; do
				echo "$k"
				cksum <"$moddir/$k"
			done
		} | sha256sum | cut -c1-16
	)
	initrd=$vmdir/initramfs-$key.cpio.gz
	# one build at a time (runs may share HUSK_VM_DIR)
	exec 8>"$vmdir/.lock"
	flock 8
	if [ ! -s "$initrd" ]; then
		echo "$prog: making $initrd" >&2
		build=$(mktemp -d "$vmdir/initramfs.XXXXXX") || die "mktemp failed"
		(
			set -e
			cd "$build"
			mkdir -p bin dev proc sys modules
			cp "$busybox" bin/busybox
			chmod 755 bin/busybox
			cp "$here/init" init
			cp "$here/stage2.sh" stage2.sh
			cp "$here/systemd-stage2.sh" systemd-stage2.sh
			cp "$here/systemd-command.sh" systemd-command.sh
			chmod 755 init stage2.sh systemd-stage2.sh systemd-command.sh
			: >modules.order
			for k in "${mods[@]}"; do
				n=${k##*/}
				case $n in
				*.ko) cp "$moddir/$k" "modules/$n" ;;
				*.ko.xz) xz -dc "$moddir/$k" >"modules/${n%.xz}" ;;
				*.ko.zst) zstd -qdc "$moddir/$k" >"modules/${n%.zst}" ;;
				*.ko.gz) gzip -dc "$moddir/$k" >"modules/${n%.gz}" ;;
				*) echo "cannot handle $k" >&2 && exit 1 ;;
				esac
				n=${n%%.ko*}
				echo "$n" >>modules.order
			done
			if command -v cpio >/dev/null; then
				find . -mindepth 1 | LC_ALL=C sort | cpio --quiet -o -H newc -R 0:0
			else
				find . -mindepth 1 | LC_ALL=C sort | "$busybox" cpio -o -H newc
			fi | gzip -1 >"$build.cpio.gz"
		) || {
			rm -rf "$build" "$build.cpio.gz"
			die "cannot make the initramfs"
		}
		rm -rf "$build"
		mv -f "$build.cpio.gz" "$initrd"
		# old ones
		for f in "$vmdir"/initramfs-*.cpio.gz; do
			[ "$f" = "$initrd" ] || rm -f "$f"
		done
	fi
	exec 8>&-

	# --- the command -----------------------------------------------------------------
	run=$(mktemp -d "$vmdir/run.XXXXXX") || die "mktemp failed"
	# readable by all: rootless tests run the copy of husk in it as a user
	chmod 755 "$run"
	results=$run/results
	mkdir "$results"
	cleanup() {
		if [ "${HUSK_VM_KEEP:-0}" = 1 ]; then
			echo "$prog: kept $run" >&2
		else
			rm -rf "$run"
		fi
	}
	trap cleanup EXIT

	if [ $# -eq 0 ]; then
		# The suite runs a copy of the runtime made now, so that a rebuild on
		# the host while the (slow) suite runs does not change it midway.
		husk_bin=${HUSK:-$repo/husk}
		[ -x "$husk_bin" ] || die "$husk_bin: not an executable: build husk first (make) or set HUSK"
		cp "$husk_bin" "$run/husk" || die "cannot copy $husk_bin"
		echo "$prog: testing a copy of $husk_bin ($(cksum <"$husk_bin" | cut -d' ' -f1))" >&2
		HUSK=$run/husk
		set -- bash "$repo/tests/run-integration.sh"
	fi
	{
		echo "# written by $prog"
		for v in HUSK HUSK_TEST_DIRS ${HUSK_VM_ENV:-} $(compgen -v BATS_ || true); do
			[ -n "${!v+x}" ] && printf 'export %s=%q\n' "$v" "${!v}"
		done
		printf 'cd %q 2>/dev/null || cd %q\n' "$PWD" "$repo"
		printf 'exec'
		printf ' %q' "$@"
		printf '\n'
	} >"$results/cmd"
	cgroup=${HUSK_VM_CGROUP-/user.slice/user-0.slice/session-1.scope}
	case $init:$cgroup in
	systemd:* | *: | *:/) ;;
	*) echo "$cgroup" >"$results/cgroup" ;;
	esac

	# --- boot ------------------------------------------------------------------------------
	cpu=max
	[ "$accel" = kvm ] && cpu=host
	append="console=ttyS0 panic=-1 quiet loglevel=4 rdinit=/init cgroup_no_v1=all"
	append+=" husk_vm.msize=$msize husk_vm.cgopts=$cgopts"
	# systemd: not the host's fstab; reboot (which ends qemu) if systemd
	# crashes rather than freeze.
	[ "$init" = systemd ] &&
		append+=" husk_vm.init=systemd husk_vm.boot_timeout=$boot_timeout fstab=no systemd.crash_reboot=1"
	append+=" ${HUSK_VM_APPEND:-}"
	# The guest mounts its own /tmp and /run: a repository there (a CI
	# checkout in /tmp) is carried over from the host's view.
	case $repo in
	/tmp/* | /run/*)
		case $repo in *[[:space:]]*) die "the repository path \"$repo\" has blanks, which the kernel command line cannot carry" ;; esac
		append+=" husk_vm.keep=$repo"
		;;
	esac
	drive=()
	# /tmp: a scratch ext4 disk (sparse, deleted with the run directory)
	if [ "$tmpfs" = disk ]; then
		if command -v mkfs.ext4 >/dev/null &&
			truncate -s "$disk_size" "$run/tmp.img" &&
			mkfs.ext4 -q -F -E lazy_itable_init=1,lazy_journal_init=1 "$run/tmp.img"; then
			drive=(-drive "file=$run/tmp.img,format=raw,if=virtio,cache=unsafe")
			append+=" husk_vm.tmp=disk"
		else
			echo "$prog: cannot make an ext4 disk for /tmp: /tmp is a tmpfs" >&2
		fi
	fi
	qargs=(
		-machine q35 -accel "$accel" -cpu "$cpu" -smp "$smp" -m "$mem"
		-nographic -no-reboot -nic none
		-kernel "$kernel" -initrd "$initrd" -append "$append"
		-virtfs "local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap"
		-virtfs "local,path=$results,mount_tag=results,security_model=none"
	)
	# shellcheck disable=SC2206 # extra qemu arguments, split on blanks
	qargs+=("${drive[@]}" ${HUSK_VM_QEMU_ARGS:-})

	echo "$prog: booting $kernel ($accel, $smp cpus, $mem${init:+, $init}), timeout ${tmo}s" >&2
	t0=$(date +%s.%N)
	# qemu's stdin is not the terminal: -nographic would put a terminal in raw
	# mode.  The console (guest output, kernel messages) is copied to stdout and
	# to console.log, without the serial line's carriage returns and the
	# firmware's terminal escapes.
	timeout -k 10 "$tmo" "$qemu" "${qargs[@]}" </dev/null 2>&1 |
		sed -u -e 's/\r//g' -e 's/\x1b\[[0-9;?]*[A-Za-z]//g' -e 's/\x1bc//g' |
		tee "$run/console.log"
	qrc=${PIPESTATUS[0]}
	t1=$(date +%s.%N)
	wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')

	if [ -s "$results/rc" ]; then
		rc=$(cat "$results/rc")
		echo "$prog: guest command exited with $rc; wall time ${wall}s" >&2
		exit "$rc"
	fi
	if [ "$qrc" = 124 ] || [ "$qrc" = 137 ]; then
		echo "$prog: timed out after ${tmo}s: qemu killed (wall time ${wall}s)" >&2
		exit 124
	fi
	echo "$prog: the guest ended (qemu: $qrc) without an exit status; wall time ${wall}s" >&2
	exit 125
}

main "$@"; exit $?
