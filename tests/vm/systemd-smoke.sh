#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# tests/vm/systemd-smoke.sh: proves that the guest of HUSK_VM_INIT=systemd is
# a systemd host on which a systemd cgroup driver works:
#
#     sudo HUSK_VM_INIT=systemd bash tests/vm/run.sh bash tests/vm/systemd-smoke.sh
#
# systemd is pid 1, the system bus is up, docker and containerd are there
# but not started, /tmp is the scratch disk, and runc --systemd-cgroup runs a
# busybox container in a transient scope with Delegate=yes and its memory
# limit.  Exits 0 when all of it holds, 1 when something does not, 77 when
# it does not run in such a guest or runc or busybox is missing.
set -u
# shellcheck disable=SC2015 # ok and bad return 0: "test && ok || bad" is an if/else

fails=0
ok() { echo "ok: $*"; }
bad() {
	echo "FAIL: $*"
	fails=$((fails + 1))
}

[ "$(id -u)" = 0 ] || { echo "needs root: skipped"; exit 77; }
comm=$(cat /proc/1/comm)
[ "$comm" = systemd ] || { echo "pid 1 is $comm, not systemd (run it with HUSK_VM_INIT=systemd): skipped"; exit 77; }
ok "pid 1 is systemd"

state=$(timeout 60 systemctl is-system-running --wait 2>&1)
echo "systemctl is-system-running: $state (exit $?)"

[ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ] && ok "/sys/fs/cgroup is cgroup2" ||
	bad "/sys/fs/cgroup is $(stat -f -c %T /sys/fs/cgroup)"
[ "$(cut -d: -f3 /proc/self/cgroup)" = /system.slice/husk-vm-command.service ] &&
	ok "the command runs in /system.slice/husk-vm-command.service" ||
	bad "the command runs in $(cut -d: -f3 /proc/self/cgroup)"
echo "/tmp: $(awk '$2 == "/tmp" { print $3 }' /proc/mounts)"
a=$(systemctl is-active dbus.service)
[ "$a" = active ] && ok "dbus.service is active" || bad "dbus.service is $a"
busctl --system status org.freedesktop.systemd1 >/dev/null 2>&1 &&
	ok "systemd is on the system bus" || bad "busctl: no org.freedesktop.systemd1 on the system bus"
for u in docker.service containerd.service; do
	s=$(systemctl show "$u" -p LoadState -p ActiveState -p UnitFileState 2>&1 | tr '\n' ' ')
	case $s in
	*LoadState=not-found*) echo "$u: not installed" ;;
	*LoadState=loaded*ActiveState=inactive*) ok "$u: loaded, not started ($s)" ;;
	*) bad "$u: $s" ;;
	esac
done

# runc's systemd cgroup driver: a transient scope over D-Bus.
runc=$(command -v runc) || { echo "no runc: skipped"; exit 77; }
busybox=/bin/busybox
[ -x "$busybox" ] && "$busybox" --list | grep -qx sleep || { echo "no busybox with sleep: skipped"; exit 77; }
dir=$(mktemp -d /tmp/husk-smoke.XXXXXX)
b=$dir/bundle
mkdir -p "$b/rootfs/bin" "$b/rootfs/proc" "$b/rootfs/sys" "$b/rootfs/dev" "$b/rootfs/tmp"
cp "$busybox" "$b/rootfs/bin/busybox"
(cd "$b" && "$runc" spec) || bad "runc spec failed"
limit=$((32 * 1024 * 1024))
jq --argjson limit "$limit" '.process.terminal = false
	| .process.args = ["/bin/busybox", "sleep", "600"]
	| .linux.cgroupsPath = "system.slice:runc:t1"
	| .linux.resources.memory.limit = $limit' "$b/config.json" >"$b/config.json.new" &&
	mv "$b/config.json.new" "$b/config.json"
t0=$(date +%s.%N)
if "$runc" --root "$dir/state" --systemd-cgroup run -d --bundle "$b" t1 </dev/null >"$dir/out" 2>&1; then
	echo "runc --systemd-cgroup run -d: $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }') s"
	show=$(systemctl show runc-t1.scope -p Delegate -p MemoryMax -p ActiveState)
	echo "systemctl show runc-t1.scope -p Delegate -p MemoryMax -p ActiveState:"
	echo "$show" | sed 's/^/    /'
	grep -qx Delegate=yes <<<"$show" && ok "Delegate=yes" || bad "runc-t1.scope: no Delegate=yes"
	grep -qx "MemoryMax=$limit" <<<"$show" && ok "MemoryMax=$limit" || bad "runc-t1.scope: no MemoryMax=$limit"
	grep -qx ActiveState=active <<<"$show" && ok "ActiveState=active" || bad "runc-t1.scope: not active"
	pid=$("$runc" --root "$dir/state" state t1 | jq -r .pid)
	cg=$(cut -d: -f3 "/proc/$pid/cgroup")
	[ "$cg" = /system.slice/runc-t1.scope ] && ok "the container's init is in $cg" ||
		bad "the container's init is in $cg, not /system.slice/runc-t1.scope"
	m=$(cat /sys/fs/cgroup/system.slice/runc-t1.scope/memory.max 2>&1)
	[ "$m" = "$limit" ] && ok "memory.max: $m" || bad "memory.max: $m"
	"$runc" --root "$dir/state" delete -f t1 || bad "runc delete -f t1 failed"
	a=$(systemctl show runc-t1.scope -p ActiveState --value)
	[ "$a" = inactive ] && ok "runc-t1.scope is gone after delete" || bad "runc-t1.scope is $a after delete"
else
	bad "runc --systemd-cgroup run failed: $(cat "$dir/out")"
	"$runc" --root "$dir/state" delete -f t1 >/dev/null 2>&1
fi
rm -rf "$dir"

[ "$fails" = 0 ] && echo "systemd smoke: all ok" || echo "systemd smoke: $fails failed"
[ "$fails" = 0 ]
