/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The cgroup manager: one table of operations per driver, so that the
 * lifecycle code never asks which driver a container has.
 *
 *   cgroupfs  husk makes the cgroup itself (pure v2, v1, hybrid)
 *   systemd   systemd makes it, as a transient scope (or slice) unit that
 *             husk asks for over D-Bus; limits go to the unit's properties
 *             and to the cgroup files
 *   disabled  no cgroup at all (--cgroup-manager disabled)
 *
 * Every driver ends with a cgroup that has a path in the cgroup
 * filesystem, so listing pids, freezing, stats and killing everything are
 * the same code for all of them. */
#ifndef HUSK_CGROUP_MANAGER_H
#define HUSK_CGROUP_MANAGER_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "cgroup-resources.h"
#include "cgroup.h"
#include "error.h"
#include "spec.h"
#include "state.h"
#include "systemd-bus.h"

enum husk_cgroup_manager { HUSK_CGROUP_MANAGER_CGROUPFS, HUSK_CGROUP_MANAGER_SYSTEMD, HUSK_CGROUP_MANAGER_DISABLED };

struct husk_cgroup;

struct husk_cgroup_driver {
  const char *name; /* "cgroupfs", "systemd", "disabled": kept in state.json */
  /* The cgroup exists only once enter put the init in it (systemd's unit
   * needs a process): the init is not cloned into it, and the limits are
   * applied after enter instead of before the clone. */
  bool made_with_init;
  /* Before anything is made: what the driver needs of this host and the
   * config (systemd: systemd as PID 1, its bus, the unit's properties). */
  int (*prepare)(struct husk_cgroup *cg, const struct oci_config *config, struct husk_error **err);
  /* Make the cgroup before the init is cloned (cgroupfs), or nothing. */
  int (*create)(struct husk_cgroup *cg, struct husk_error **err);
  /* Place the cloned init (stopped before it does anything) when it was
   * not cloned into the cgroup; systemd makes its unit here, with it. */
  int (*enter)(struct husk_cgroup *cg, pid_t pid, bool cloned_into, struct husk_error **err);
  /* linux.resources at create (update false) and for `husk update`. */
  int (*apply)(struct husk_cgroup *cg, const struct oci_resources *r, bool update,
               struct husk_error **err);
  int (*pids)(struct husk_cgroup *cg, pid_t **out, size_t *n, struct husk_error **err);
  int (*freeze)(struct husk_cgroup *cg, bool frozen, struct husk_error **err);
  int (*stats)(struct husk_cgroup *cg, struct husk_cgroup_stats *st, struct husk_error **err);
  int (*kill)(struct husk_cgroup *cg, int sig, struct husk_error **err);
  /* Remove the cgroup (and the unit); what is gone already is fine. */
  int (*destroy)(struct husk_cgroup *cg, struct husk_error **err);
};

/* One container's cgroup, and what its driver keeps about it. */
struct husk_cgroup {
  const struct husk_cgroup_driver *driver;
  char *path;       /* in the cgroup filesystem; NULL: none (disabled, or rootless without one) */
  bool made;        /* it exists: made by create or enter (or by an earlier command) */
  char *owned_from; /* cgroupfs: the shallowest parent level create made */
  char *unit;       /* systemd: "husk-ID.scope", or a ".slice" */
  char *slice;      /* systemd: the slice the unit is in */
  bool user;        /* systemd: the user's manager (rootless) */
  char *id;         /* the container's, for the unit's description */
  char *subgroup;   /* systemd: crun's run.oci.systemd.subgroup, the cgroup below the unit the container is in */
  struct husk_bus *bus;
  struct husk_unit_props props; /* systemd: the unit's properties from the config */
};

extern const struct husk_cgroup_driver husk_cgroup_driver_cgroupfs;
extern const struct husk_cgroup_driver husk_cgroup_driver_systemd;
extern const struct husk_cgroup_driver husk_cgroup_driver_disabled;

/* The driver for --cgroup-manager / --systemd-cgroup on this host. */
const struct husk_cgroup_driver *husk_cgroup_driver_for(enum husk_cgroup_manager m);

/* For a new container: the driver and the cgroup path its cgroupsPath
 * names (`slice_syntax`: engines' "slice:prefix:name" of --systemd-cgroup).
 * Changes nothing on the host. */
int husk_cgroup_plan(struct husk_cgroup *cg, enum husk_cgroup_manager manager, bool slice_syntax,
                     const char *cgroups_path, const char *id, struct husk_error **err);
/* For an existing container: what its state says was made. */
void husk_cgroup_from_state(struct husk_cgroup *cg, const struct husk_state *st);
/* Into the state, for later commands. */
void husk_cgroup_to_state(const struct husk_cgroup *cg, struct husk_state *st);
void husk_cgroup_clear(struct husk_cgroup *cg);

/* The operations, through the container's driver. A container without a
 * cgroup has nothing to freeze, list or destroy: those return 0, or an
 * error where the command needs one (pids, freeze, stats, apply). */
int husk_cgroup_prepare(struct husk_cgroup *cg, const struct oci_config *config, struct husk_error **err);
int husk_cgroup_make(struct husk_cgroup *cg, struct husk_error **err);
int husk_cgroup_place(struct husk_cgroup *cg, pid_t pid, bool cloned_into, struct husk_error **err);
int husk_cgroup_apply(struct husk_cgroup *cg, const struct oci_resources *r, bool update,
                      struct husk_error **err);
int husk_cgroup_list_pids(struct husk_cgroup *cg, pid_t **out, size_t *n, struct husk_error **err);
int husk_cgroup_set_frozen(struct husk_cgroup *cg, bool frozen, struct husk_error **err);
int husk_cgroup_read_stats(struct husk_cgroup *cg, struct husk_cgroup_stats *st, struct husk_error **err);
int husk_cgroup_signal_all(struct husk_cgroup *cg, int sig, struct husk_error **err);
int husk_cgroup_remove(struct husk_cgroup *cg, struct husk_error **err);

/* How a new process (the init, an exec'd one) joins a cgroup that exists,
 * the same for every driver (cgroup-join.c): husk opens before the clone
 * the v2 cgroup to clone it into and the v1 `tasks` files it writes itself
 * (cgroup.h says why); the process joins the v1 hierarchies, and husk puts
 * it into the v2 one by pid when the clone could not. */
struct husk_cgroup_join {
  int v2_fd;                      /* for CLONE_INTO_CGROUP, or -1 */
  char *v2_path;                  /* to enter by pid, or NULL */
  struct husk_cgroup_v1_tasks v1; /* for the process to join itself */
};
#define HUSK_CGROUP_JOIN_INIT {.v2_fd = -1}
/* Before the clone: open what a new process needs to join the cgroup or,
 * exec --cgroup, the sub-cgroups `sub` names (NULL: the cgroup itself).
 * Nothing for a container without a cgroup, nor for one not made yet: a
 * driver that makes it with the init places the init in husk_cgroup_place. */
int husk_cgroup_join_open(const struct husk_cgroup *cg, const struct husk_cgroup_sub *sub,
                          struct husk_cgroup_join *j, struct husk_error **err);
/* The fd for clone3's CLONE_INTO_CGROUP, or -1. */
int husk_cgroup_join_clone_fd(const struct husk_cgroup_join *j);
/* In the new, single-threaded process: join the v1 hierarchies. */
int husk_cgroup_join_self(struct husk_cgroup_join *j, struct husk_error **err);
/* In husk once the process is cloned (exec): let go of what it took with
 * it and, unless it was cloned into the cgroup, put it there by pid. */
int husk_cgroup_join_finish(struct husk_cgroup_join *j, pid_t pid, bool cloned_into,
                            struct husk_error **err);
/* Close what is open; again is fine. create closes right after the clone,
 * since the driver's enter places the init by path. */
void husk_cgroup_join_close(struct husk_cgroup_join *j);

/* The cgroupfs operations every driver shares (cgroup-fs.c). */
int husk_cgroupfs_pids(struct husk_cgroup *cg, pid_t **out, size_t *n, struct husk_error **err);
int husk_cgroupfs_freeze(struct husk_cgroup *cg, bool frozen, struct husk_error **err);
int husk_cgroupfs_stats(struct husk_cgroup *cg, struct husk_cgroup_stats *st, struct husk_error **err);
int husk_cgroupfs_kill(struct husk_cgroup *cg, int sig, struct husk_error **err);
int husk_cgroupfs_apply(struct husk_cgroup *cg, const struct oci_resources *r, bool update,
                        struct husk_error **err);

#endif
