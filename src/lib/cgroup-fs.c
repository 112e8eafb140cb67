/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The cgroupfs driver: husk makes and removes the cgroup itself, under
 * every hierarchy of the host (cgroup.c). Its pids, freezer, stats, kill
 * and resource writes work on any cgroup with a path, so the other
 * drivers use them too. */
#include <errno.h>

#include "cgroup-manager.h"
#include "cgroup.h"

static int fs_prepare(struct husk_cgroup *cg, const struct oci_config *config,
                      struct husk_error **err) {
  (void)cg, (void)config, (void)err;
  return 0;
}

static int fs_create(struct husk_cgroup *cg, struct husk_error **err) {
  return husk_cgroup_create(cg->path, &cg->owned_from, err);
}

/* v1 hierarchies: the new process joins them itself (husk_cgroup_join_self);
 * v2: by clone3's CLONE_INTO_CGROUP, or here. */
static int fs_enter(struct husk_cgroup *cg, pid_t pid, bool cloned_into, struct husk_error **err) {
  return cloned_into ? 0 : husk_cgroup_enter_v2(cg->path, pid, err);
}

int husk_cgroupfs_apply(struct husk_cgroup *cg, const struct oci_resources *r, bool update,
                        struct husk_error **err) {
  return husk_cgroup_apply_resources(cg->path, r, update, err);
}

int husk_cgroupfs_pids(struct husk_cgroup *cg, pid_t **out, size_t *n, struct husk_error **err) {
  return husk_cgroup_pids(cg->path, out, n, err);
}

int husk_cgroupfs_freeze(struct husk_cgroup *cg, bool frozen, struct husk_error **err) {
  return husk_cgroup_freeze(cg->path, frozen, err);
}

int husk_cgroupfs_stats(struct husk_cgroup *cg, struct husk_cgroup_stats *st,
                        struct husk_error **err) {
  return husk_cgroup_stats(cg->path, st, err);
}

int husk_cgroupfs_kill(struct husk_cgroup *cg, int sig, struct husk_error **err) {
  return husk_cgroup_kill(cg->path, sig, err);
}

static int fs_destroy(struct husk_cgroup *cg, struct husk_error **err) {
  return husk_cgroup_destroy(cg->path, cg->owned_from, err);
}

const struct husk_cgroup_driver husk_cgroup_driver_cgroupfs = {
    .name = "cgroupfs",
    .prepare = fs_prepare,
    .create = fs_create,
    .enter = fs_enter,
    .apply = husk_cgroupfs_apply,
    .pids = husk_cgroupfs_pids,
    .freeze = husk_cgroupfs_freeze,
    .stats = husk_cgroupfs_stats,
    .kill = husk_cgroupfs_kill,
    .destroy = fs_destroy,
};

/* --cgroup-manager disabled: nothing is made; the operations that need a
 * cgroup are never reached (husk_cgroup_* see no path first). */
static int none_enter(struct husk_cgroup *cg, pid_t pid, bool cloned_into, struct husk_error **err) {
  (void)cg, (void)pid, (void)cloned_into, (void)err;
  return 0;
}

static int none_create(struct husk_cgroup *cg, struct husk_error **err) {
  (void)cg, (void)err;
  return 0;
}

const struct husk_cgroup_driver husk_cgroup_driver_disabled = {
    .name = "disabled",
    .prepare = fs_prepare,
    .create = none_create,
    .enter = none_enter,
    .apply = husk_cgroupfs_apply,
    .pids = husk_cgroupfs_pids,
    .freeze = husk_cgroupfs_freeze,
    .stats = husk_cgroupfs_stats,
    .kill = husk_cgroupfs_kill,
    .destroy = none_create,
};
