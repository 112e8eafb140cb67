/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cgroup placement, one interface for every host: pure v2, hybrid (v1
 * controllers plus a v2 tree at /sys/fs/cgroup/unified) and pure v1.
 * The mode is detected once from the mounts. A container's cgroup is named by
 * one absolute path, the same under every hierarchy. */
#ifndef HUSK_CGROUP_H
#define HUSK_CGROUP_H

#include <stdbool.h>
#include <sys/types.h>

#include "error.h"

enum husk_cgroup_mode { HUSK_CGROUP_NONE, HUSK_CGROUP_V1, HUSK_CGROUP_HYBRID, HUSK_CGROUP_V2 };

/* A mounted hierarchy: its mount point and, for v1, its controllers. */
struct husk_cgroup_hierarchy {
  char *mountpoint; /* /sys/fs/cgroup/memory, /sys/fs/cgroup (v2) ... */
  char *controllers; /* "memory", "cpu,cpuacct", "name=systemd"; "" for v2 */
  bool v2;
};

enum husk_cgroup_mode husk_cgroup_mode(void);
/* Every hierarchy the container is placed in (v1 ones, then the v2 one). */
const struct husk_cgroup_hierarchy *husk_cgroup_hierarchies(size_t *n);

/* The absolute cgroup path for a container: linux.cgroupsPath absolute as
 * is, relative under husk's own cgroup, empty as /husk/<id>. A path with ".."
 * components is refused. Returns malloc'd text. */
int husk_cgroup_resolve_path(const char *config_path, const char *id, char **out,
                             struct husk_error **err);

/* Create the cgroup under every hierarchy. On failure nothing is left. */
int husk_cgroup_create(const char *path, struct husk_error **err);
/* An O_DIRECTORY fd of the v2 cgroup (for CLONE_INTO_CGROUP), or -1. */
int husk_cgroup_open_v2(const char *path);
/* Put a process into the cgroup under every hierarchy (v1, and v2 unless
 * `skip_v2` because the process was cloned into it). */
int husk_cgroup_enter(const char *path, pid_t pid, bool skip_v2, struct husk_error **err);
/* Send a signal to every process in the cgroup. */
int husk_cgroup_kill(const char *path, int sig, struct husk_error **err);
/* True when any process is left in the cgroup. */
bool husk_cgroup_has_processes(const char *path);
bool husk_cgroup_is_frozen(const char *path);
/* Remove the cgroup under every hierarchy (waits briefly for it to empty). */
int husk_cgroup_destroy(const char *path, struct husk_error **err);

#endif
