#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Stage 2 of husk's test VM, pid 1 after switch_root (see tests/vm/init):
# the root is the host's root (read-only 9p) under a tmpfs overlay and
# /sys/fs/cgroup is a pure cgroup v2 hierarchy.
#
# Enables every controller in the root cgroup, prints what proves the mode,
# moves itself to the cgroup in results/cgroup if there is one,
# runs /run/husk-vm/results/cmd (a bash script that run.sh wrote) with its
# output on the console and in results/output, writes its exit status to
# results/rc and powers off.
R=/run/husk-vm/results
BB=/run/husk-vm/busybox
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root TERM=${TERM:-dumb} LANG=C.UTF-8

off() {
	sync
	"$BB" poweroff -f
	sleep 10
}
trap off EXIT

# The loopback is down in a fresh kernel, as a host's never is: bring it up
# (CRIU, for one, refuses to work without it).
ip link set lo up 2>/dev/null || "$BB" ip link set lo up ||
	echo "husk-vm: cannot bring the loopback up" >&2

# Enable the controllers that the kernel has, one by one, so that one that
# cannot be enabled does not keep the others off.
for c in $(cat /sys/fs/cgroup/cgroup.controllers); do
	echo "+$c" >/sys/fs/cgroup/cgroup.subtree_control ||
		echo "husk-vm: cannot enable the $c controller" >&2
done

{
	echo "husk-vm: uname -r: $(uname -r)"
	echo "husk-vm: /sys/fs/cgroup: $(stat -f -c %T /sys/fs/cgroup)"
	echo "husk-vm: cgroup.controllers: $(cat /sys/fs/cgroup/cgroup.controllers)"
	echo "husk-vm: cgroup.subtree_control: $(cat /sys/fs/cgroup/cgroup.subtree_control)"
	echo "husk-vm: cgroup mounts: $(awk '$3 ~ /^cgroup/ { printf "%s %s %s; ", $1, $2, $4 }' /proc/mounts)"
	echo "husk-vm: cpus: $(nproc), memory: $(awk '/MemTotal/ { print $2, $3 }' /proc/meminfo)"
	echo "husk-vm: uptime at start: $(cut -d' ' -f1 /proc/uptime) s"
} | tee "$R/info"

if [ ! -f "$R/cmd" ]; then
	echo "husk-vm: no command in $R/cmd" >&2
	echo 125 >"$R/rc"
	exit
fi

# HUSK_VM_CGROUP (results/cgroup): run the command in that cgroup, as a
# systemd host runs a login shell in a leaf like
# /user.slice/user-0.slice/session-1.scope, with the controllers enabled in
# every cgroup above it but not in it.
if [ -s "$R/cgroup" ]; then
	cg=$(cat "$R/cgroup")
	cg=/${cg#/}
	cg=${cg%/}
	dir=/sys/fs/cgroup
	rest=${cg#/}
	while [ -n "$rest" ]; do
		dir=$dir/${rest%%/*}
		[ "$rest" = "${rest#*/}" ] && rest= || rest=${rest#*/}
		mkdir -p "$dir" || exit
		[ -n "$rest" ] || break
		for c in $(cat "$dir/cgroup.controllers"); do
			echo "+$c" >"$dir/cgroup.subtree_control" ||
				echo "husk-vm: cannot enable $c in $dir" >&2
		done
	done
	echo $$ >"$dir/cgroup.procs" || exit
	echo "husk-vm: the command runs in $(cut -d: -f3 /proc/self/cgroup), controllers $(cat "$dir/cgroup.controllers")"
fi

start=$(cut -d' ' -f1 /proc/uptime)
# The command runs in its own session, with the console as its stdio; its
# output also goes to results/output.  pid 1 (this shell) reaps orphans.
set -o pipefail
setsid bash "$R/cmd" </dev/null 2>&1 | tee "$R/output"
rc=$?
end=$(cut -d' ' -f1 /proc/uptime)
echo "husk-vm: command exited with $rc after $(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }') s (uptime $end s)"
echo "$rc" >"$R/rc.new" && mv "$R/rc.new" "$R/rc"
exit
