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

/* The parent of containers with no linux.cgroupsPath. */
#define HUSK_CGROUP_DEFAULT_PARENT "/husk"

enum husk_cgroup_mode husk_cgroup_mode(void);
/* 0, or an error when /proc/self/mountinfo could not be read (then husk
 * knows of no hierarchy, and must neither make nor remove a cgroup). */
int husk_cgroup_detect_error(struct husk_error **err);
/* Every hierarchy the container is placed in (v1 ones, then the v2 one). */
const struct husk_cgroup_hierarchy *husk_cgroup_hierarchies(size_t *n);
/* Whether `h` is a v1 hierarchy with `controller` ("cpu" in "cpu,cpuacct"). */
bool husk_cgroup_hierarchy_has(const struct husk_cgroup_hierarchy *h, const char *controller);

/* The cgroup of process `pid` (0: this one), from its v2 line "0::/path"
 * or else its first v1 line; NULL when /proc/PID/cgroup cannot be read.
 * malloc'd. */
char *husk_cgroup_of(pid_t pid);

/* The absolute cgroup path for a container: linux.cgroupsPath absolute as
 * is, relative under husk's own cgroup, empty as /husk/<id>. A path with ".."
 * components is refused. Returns malloc'd text. */
int husk_cgroup_resolve_path(const char *config_path, const char *id, char **out,
                             struct husk_error **err);

/* Create the cgroup under every hierarchy. On cgroup2, every ancestor below
 * the root gets the controllers it has in cgroup.subtree_control, so that
 * the container's cgroup has them (a failure there is logged at debug level;
 * applying a resource that needs a missing controller says why it is
 * missing). On failure nothing is left. *owned_from gets the shallowest
 * level this call made (NULL when the cgroup existed already): destroy
 * removes the levels from there down. */
int husk_cgroup_create(const char *path, char **owned_from, struct husk_error **err);
/* Enable in the ancestors of `path` the controllers they have, as create
 * does: for when an ancestor had processes then and has none now. */
void husk_cgroup_enable_controllers(const char *path);
/* Put a process into the v2 cgroup by pid (when it could not be cloned
 * into it); no-op without a v2 hierarchy. */
int husk_cgroup_enter_v2(const char *path, pid_t pid, struct husk_error **err);

/* The container's v1 `tasks` files, opened by husk for a new process to
 * move itself in (husk_cgroup_join_v1): a thread writing "0" there skips
 * the kernel's threadgroup lock, whose RCU grace period makes writing a pid
 * to cgroup.procs cost 5-20 ms per container on an idle host. Those of the
 * sub-cgroups `sub` gives each hierarchy (exec --cgroup); NULL: `path`
 * itself everywhere. */
struct husk_cgroup_v1_tasks {
  int *fds;
  char **files; /* their paths, for errors */
  size_t n;
};
struct husk_cgroup_sub;
int husk_cgroup_open_v1_tasks(const char *path, const struct husk_cgroup_sub *sub,
                              struct husk_cgroup_v1_tasks *t, struct husk_error **err);
/* In the new (single-threaded) process: join every v1 hierarchy, then close. */
int husk_cgroup_join_v1(struct husk_cgroup_v1_tasks *t, struct husk_error **err);
void husk_cgroup_close_v1_tasks(struct husk_cgroup_v1_tasks *t);
/* Send a signal to every process in the cgroup. */
int husk_cgroup_kill(const char *path, int sig, struct husk_error **err);
/* True when any process is left in the cgroup. */
bool husk_cgroup_has_processes(const char *path);
bool husk_cgroup_is_frozen(const char *path);
/* The freezer file of the cgroup: cgroup.freeze on v2 (and on hybrid hosts
 * without a v1 freezer), freezer.state on v1; NULL when there is none. */
char *husk_cgroup_freezer_file(const char *path, bool *v2);
/* The directory of `path` in the v1 hierarchy that has `controller`
 * ("memory", "net_prio"), or NULL when no such hierarchy is mounted. */
char *husk_cgroup_v1_dir(const char *controller, const char *path);
/* The directory of `path` in the cgroup2 hierarchy (the unified one on
 * hybrid hosts), or NULL when there is none. */
char *husk_cgroup_v2_dir(const char *path);
/* Whether a cgroup2 directory lists `controller` in cgroup.controllers. */
bool husk_cgroup_v2_has_controller(const char *dir, const char *controller);
/* Hand a cgroup2 cgroup to `uid` (the runtime-spec's "cgroup ownership"):
 * its directory and the files the kernel lists as delegatable in
 * /sys/kernel/cgroup/delegate (cgroup.procs, cgroup.threads and
 * cgroup.subtree_control when that list is missing), as runc does. */
int husk_cgroup_v2_chown(const char *path, uid_t uid, struct husk_error **err);

/* Why linux.resources.unified's `key` cannot be written on this host, or
 * NULL (malloc'd): not a "controller.file" name of one cgroup's own, a
 * controller the host's cgroup2 tree does not have, or no cgroup2 tree. The
 * runtime-spec wants an error for a controller that is not there. */
char *husk_cgroup_unified_key_problem(const char *key);

/* exec --cgroup, as runc has it: sub-cgroups of a container's cgroup for a
 * new process. Either one PATH for every hierarchy, or, on cgroup v1,
 * CONTROLLER[,CONTROLLER...]:PATH for the hierarchies of those controllers
 * (the others, and the unified one of a hybrid host, stay at the
 * container's cgroup). PATH is relative to the container's cgroup, a
 * leading "/" included; "/" is the cgroup itself. */
struct husk_cgroup_sub {
  char *all;          /* the PATH for every hierarchy, cleaned ("" for the cgroup itself), or NULL */
  char **controllers; /* v1 controllers ("memory", "name=systemd") ... */
  char **paths;       /* ... the cleaned PATH of each ... */
  char **args;        /* ... and the --cgroup argument it came from, for errors */
  size_t n;
  char *all_arg;
};
/* Parse the --cgroup arguments: runc's syntax rules and a PATH that stays
 * below the container's cgroup. Does not look at the host. */
int husk_cgroup_sub_parse(char *const *args, size_t n, struct husk_cgroup_sub *out,
                          struct husk_error **err);
void husk_cgroup_sub_clear(struct husk_cgroup_sub *s);
/* The cgroup in hierarchy `h` (NULL: the v2 one) that a new process of the
 * container whose cgroup is `path` joins: `path` or a sub-cgroup of it. */
char *husk_cgroup_sub_path(const struct husk_cgroup_sub *s, const struct husk_cgroup_hierarchy *h,
                           const char *path);
/* For a new process of the container whose cgroup is `path`: check `s`
 * against the host's hierarchies (a controller that has none, a PATH with
 * a controller on cgroup v2, two paths for one hierarchy, a sub-cgroup that
 * does not exist), then open the v2 cgroup (*v2_fd, for CLONE_INTO_CGROUP,
 * or -1) and the v1 `tasks` files. *v2_path: the v2 cgroup, for
 * husk_cgroup_enter_v2 (malloc'd). An empty `s`: `path` itself. */
int husk_cgroup_sub_open(const char *path, const struct husk_cgroup_sub *s, int *v2_fd,
                         char **v2_path, struct husk_cgroup_v1_tasks *t, struct husk_error **err);

/* Remove the cgroup and any cgroups below it under every hierarchy (waits
 * briefly for each to empty), then its parents from `owned_from` down (the
 * ones its create made) and husk's default parent, where they are empty. */
int husk_cgroup_destroy(const char *path, const char *owned_from, struct husk_error **err);

#endif
