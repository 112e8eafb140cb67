# SPDX-License-Identifier: GPL-2.0-or-later
# cgroup_mounts: the mount points of every cgroup hierarchy (v1 and v2)
# under /sys/fs/cgroup, one a line. Sourced by tests/integration/helpers.bash,
# tests/faults/run.sh and bench/soak.sh.
cgroup_mounts() {
	awk '{ split($0, a, " - "); split(a[1], l, " "); split(a[2], r, " ")
		if ((r[1] == "cgroup" || r[1] == "cgroup2") && l[5] ~ /^\/sys\/fs\/cgroup/) print l[5] }' \
		/proc/self/mountinfo
}
