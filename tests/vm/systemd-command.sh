#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# systemd-command.sh BOOT_TIMEOUT
#
# The main process of husk-vm-command.service in husk's test VM on a systemd
# host (see systemd-stage2.sh).  Waits for the boot to end (at most
# BOOT_TIMEOUT seconds), prints what proves the mode, runs
# /run/husk-vm/results/cmd (written by run.sh) with its output on the console
# and in results/output, and writes its exit status to results/rc.  systemd
# powers off when this ends (SuccessAction=poweroff-immediate).
R=/run/husk-vm/results
boot_timeout=${1:-300}

# "is-system-running --wait" returns when no boot job is left: "running", or
# "degraded" when a unit failed.  It may never return: bounded.
state=$(timeout "$boot_timeout" systemctl is-system-running --wait 2>&1)
waited=$?
[ $waited = 124 ] && state="$state (boot not finished after ${boot_timeout} s)"

# (systemctl is slow under TCG: called only when it tells something.)
{
	echo "husk-vm: uname -r: $(uname -r)"
	echo "husk-vm: pid 1: $(cat /proc/1/comm)"
	echo "husk-vm: system state: $state"
	fin=$(systemctl show -p FinishTimestampMonotonic --value)
	[ "${fin:-0}" = 0 ] ||
		echo "husk-vm: boot finished at uptime $(awk -v t="$fin" 'BEGIN { printf "%.1f", t / 1e6 }') s"
	if [ "$state" != running ]; then
		failed=$(systemctl list-units --failed --plain --no-legend --no-pager | awk '{ printf " %s", $1 }')
		[ -z "$failed" ] || echo "husk-vm: failed units:$failed"
	fi
	if [ $waited = 124 ]; then
		jobs=$(systemctl list-jobs --plain --no-legend --no-pager | awk '{ printf " %s", $2 }')
		[ -z "$jobs" ] || echo "husk-vm: units still starting:$jobs"
	fi
	echo "husk-vm: /sys/fs/cgroup: $(stat -f -c %T /sys/fs/cgroup)"
	echo "husk-vm: cgroup.controllers: $(cat /sys/fs/cgroup/cgroup.controllers)"
	echo "husk-vm: cgroup.subtree_control: $(cat /sys/fs/cgroup/cgroup.subtree_control)"
	echo "husk-vm: cgroup mounts: $(awk '$3 ~ /^cgroup/ { printf "%s %s %s; ", $1, $2, $4 }' /proc/mounts)"
	echo "husk-vm: /tmp: $(awk '$2 == "/tmp" { printf "%s %s; ", $3, $1 }' /proc/mounts)"
	echo "husk-vm: cpus: $(nproc), memory: $(awk '/MemTotal/ { print $2, $3 }' /proc/meminfo)"
	echo "husk-vm: the command runs in $(cut -d: -f3 /proc/self/cgroup)"
	echo "husk-vm: uptime at start: $(cut -d' ' -f1 /proc/uptime) s"
} | tee "$R/info"

start=$(cut -d' ' -f1 /proc/uptime)
set -o pipefail
bash "$R/cmd" </dev/null 2>&1 | tee "$R/output"
rc=$?
end=$(cut -d' ' -f1 /proc/uptime)
echo "husk-vm: command exited with $rc after $(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }') s (uptime $end s)"
echo "$rc" >"$R/rc.new" && mv "$R/rc.new" "$R/rc"
sync
exit 0
