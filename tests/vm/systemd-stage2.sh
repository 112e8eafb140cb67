#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Stage 2 of husk's test VM on a systemd host (HUSK_VM_INIT=systemd, kernel
# command line husk_vm.init=systemd): pid 1 after switch_root (see
# tests/vm/init), in the overlay of the host's root.
#
# Makes the overlay a small systemd host and execs the host's systemd, which
# mounts cgroup2 on /sys/fs/cgroup itself, boots multi-user.target and starts
# husk-vm-command.service: systemd-command.sh runs the command that run.sh
# wrote to results/cmd, writes results/rc, and systemd powers off when it
# ends.  Everything written here is in the overlay's tmpfs: the host does
# not change.
R=/run/husk-vm/results
BB=/run/husk-vm/busybox
SYSTEMD=/lib/systemd/systemd
U=/etc/systemd/system
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

die() {
	echo "husk-vm: $*" >&2
	sync
	"$BB" poweroff -f
	sleep 10
	exit 1
}

[ -f "$R/cmd" ] || die "no command in $R/cmd"
[ -x "$SYSTEMD" ] || die "no $SYSTEMD"

# husk_vm.boot_timeout=SECONDS: how long the command waits for the boot.
boot_timeout=300
for arg in $(cat /proc/cmdline); do
	case $arg in
	husk_vm.boot_timeout=*) boot_timeout=${arg#*=} ;;
	esac
done

# A machine of its own: a fresh machine id (systemd and D-Bus want one; the
# host's would make the guest's journal and bus look like the host's), and
# a host name.
id=$(tr -d '-' </proc/sys/kernel/random/uuid)
echo "$id" >/etc/machine-id || die "cannot write /etc/machine-id"
if [ -f /var/lib/dbus/machine-id ] && [ ! -L /var/lib/dbus/machine-id ]; then
	echo "$id" >/var/lib/dbus/machine-id
fi
echo husk-vm >/etc/hostname
# A host that is itself a container has a /.dockerenv (or
# /run/.containerenv): systemd would believe that it runs in a container,
# ignore the kernel command line and skip what containers skip (udev, ...).
rm -f /.dockerenv /run/.containerenv

# Disable what the host's administrator enabled (docker, containerd,
# postgresql, podman, ssh, cron, timers, gettys, ...): the links in
# /etc/systemd/system/*.wants/ (and .requires/, .upholds/), as
# "systemctl disable" would.  The units stay there and can be started on
# demand ("systemctl start docker"); the guest boots what the distribution
# itself pulls in, as a fresh Debian install would.
disabled=$(find "$U" -mindepth 2 -maxdepth 2 \( -path '*.wants/*' -o -path '*.requires/*' \
	-o -path '*.upholds/*' \) -printf '%f\n' -delete | sort -u | tr '\n' ' ')
echo "husk-vm: disabled the host's enabled units: $disabled"
ln -sfn /lib/systemd/system/multi-user.target "$U/default.target"

# Masked:
# - getty.target, getty@ and serial-getty@ (for console=ttyS0): a login on
#   the console would take the serial line that carries the command's output
#   (and hang it up);
# - systemd-remount-fs: the root is the overlay, there is nothing to remount
#   (a host's fstab line for / would fail on it).
for u in getty.target getty@.service serial-getty@.service console-getty.service \
	systemd-remount-fs.service; do
	ln -sfn /dev/null "$U/$u"
done
# The host's fstab is not the guest's: "fstab=no" on the kernel command
# line (run.sh) keeps systemd-fstab-generator from mounting its file systems.

# Emergency and rescue mode would wait for a root password on the console
# forever: say why instead and power off (run.sh then reports no status).
for u in emergency rescue; do
	mkdir -p "$U/$u.service.d"
	cat >"$U/$u.service.d/husk-vm.conf" <<-EOF
		[Service]
		ExecStart=
		ExecStart=-/bin/sh -c 'echo "husk-vm: $u mode: powering off"; systemctl --no-pager --failed; systemctl poweroff -f'
	EOF
done

# /tmp is already mounted (the scratch disk, or a tmpfs): systemd keeps it,
# but Debian's tmpfiles.d/tmp.conf ("D /tmp") would empty it at boot, and
# with it a checkout under /tmp that init kept visible.
mkdir -p /etc/tmpfiles.d
echo 'd /tmp 1777 root root -' >/etc/tmpfiles.d/tmp.conf

# The journal in /run, not in the overlay's /var/log/journal.
mkdir -p /etc/systemd/journald.conf.d
printf '[Journal]\nStorage=volatile\n' >/etc/systemd/journald.conf.d/husk-vm.conf

# The command: a plain system service (its own cgroup,
# /system.slice/husk-vm-command.service), started by multi-user.target but
# ordered only after basic.target; systemd-command.sh waits for the rest of
# the boot itself, for at most boot_timeout seconds, so that a unit that
# never finishes starting cannot hold the command back.  Its output goes to
# the console (and, by tee, to results/output).  When it ends, or fails to
# start, or its start job takes over boot_timeout seconds, systemd powers
# off at once (poweroff-immediate: no stopping, killing or unmounting, as
# "poweroff -f" in stage2.sh; results/rc is written and synced by then, and
# nothing else in the guest is kept.  A leftover process that ignores
# SIGTERM, such as a container's init, would hold up a clean shutdown for
# 90 s).
# OOMPolicy=continue: a test that gets a process of the command OOM-killed
# must not stop the whole run.
cat >"$U/husk-vm-command.service" <<EOF
[Unit]
Description=husk VM command (tests/vm/run.sh)
JobTimeoutSec=$boot_timeout
JobTimeoutAction=poweroff-immediate
SuccessAction=poweroff-immediate
FailureAction=poweroff-immediate

[Service]
Type=exec
ExecStart=/bin/bash /run/husk-vm/systemd-command.sh $boot_timeout
Environment=PATH=$PATH HOME=/root TERM=linux LANG=C.UTF-8
WorkingDirectory=/root
StandardInput=null
StandardOutput=tty
StandardError=inherit
TTYPath=/dev/console
TasksMax=infinity
OOMPolicy=continue
EOF
mkdir -p "$U/multi-user.target.wants"
ln -sfn ../husk-vm-command.service "$U/multi-user.target.wants/husk-vm-command.service"

echo "husk-vm: starting $SYSTEMD ($("$SYSTEMD" --version | head -n 1)), uptime $(cut -d' ' -f1 /proc/uptime) s"
exec "$SYSTEMD"
die "cannot exec $SYSTEMD"
