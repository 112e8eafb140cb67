/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The systemd driver: the container's cgroup is a transient unit that
 * systemd makes, as runc and crun do: a scope "prefix-name.scope" with the
 * init in it and Delegate=yes, in the slice the engine named. The limits
 * systemd has properties for go to the unit, so that systemd writes the
 * same values when it re-applies them (daemon-reload); all of them are
 * also written to the cgroup files, as with cgroupfs. Once the unit is
 * there, the cgroup is a cgroup like any other: pids, freezer, stats and
 * kill are the cgroupfs driver's. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "annotations.h"
#include "cgroup-manager.h"
#include "cgroup-systemd.h"
#include "cgroup.h"
#include "log.h"
#include "utils.h"

/* crun's annotation: the container lives in a cgroup below its unit. */
#define SUBGROUP_ANNOTATION "run.oci.systemd.subgroup"

static bool is_slice(const struct husk_cgroup *cg) {
  return str_has_suffix(cg->unit, ".slice");
}

int husk_systemd_host_problem(struct husk_error **err) {
  /* sd_booted(): what systemd makes when it is PID 1. */
  if (access("/run/systemd/system", F_OK) < 0)
    return husk_fail(err, 0, "--systemd-cgroup: systemd is not running on this host (no "
                             "/run/systemd/system), so it cannot make the container's unit; "
                             "add --cgroup-manager cgroupfs to make the cgroup where systemd "
                             "would, without it");
  if (husk_cgroup_mode() != HUSK_CGROUP_V2)
    return husk_fail(err, 0, "--systemd-cgroup: husk's systemd driver needs a pure cgroup v2 "
                             "host (this one has cgroup v1 hierarchies); use --cgroup-manager "
                             "cgroupfs");
  return 0;
}

static int sd_prepare(struct husk_cgroup *cg, const struct oci_config *config,
                      struct husk_error **err) {
  if (husk_systemd_host_problem(err) < 0)
    return -EINVAL;
  const char *sub = husk_annotation(config, SUBGROUP_ANNOTATION);
  if (sub && sub[0]) {
    if (strchr(sub, '/') || strcmp(sub, ".") == 0 || strcmp(sub, "..") == 0)
      return husk_fail(err, 0, "annotations[\"" SUBGROUP_ANNOTATION "\"]: \"%s\" is not one "
                               "cgroup name", sub);
    cg->subgroup = xstrdup(sub);
  }
  struct husk_unit_props *p = &cg->props;
  _cleanup_free_ char *description = xasprintf("husk container %s", cg->id ? cg->id : cg->unit);
  husk_unit_props_add_string(p, "Description", description);
  if (!is_slice(cg)) {
    husk_unit_props_add_string(p, "Slice", cg->slice);
    husk_unit_props_add_bool(p, "Delegate", true);
  } else {
    husk_unit_props_add_string(p, "Wants", cg->slice);
  }
  /* Not stopped with the slice's dependencies at shutdown before the
   * engine stops it; accounting on, so that systemd enables the
   * controllers on the way down (runc sets the same). */
  husk_unit_props_add_bool(p, "DefaultDependencies", false);
  static const char *const accounting[] = {"MemoryAccounting", "CPUAccounting", "IOAccounting",
                                           "TasksAccounting"};
  for (size_t i = 0; i < sizeof(accounting) / sizeof(accounting[0]); i++)
    husk_unit_props_add_bool(p, accounting[i], true);
  const struct oci_resources *r = config->linux_ ? config->linux_->resources : NULL;
  if (husk_systemd_resource_props(r, true, p, err) < 0 || husk_systemd_annotation_props(config, p, err) < 0)
    return -EINVAL;
  /* Last: a refused config has asked nothing of systemd. */
  return husk_bus_open(cg->user, &cg->bus, err);
}

static int sd_create(struct husk_cgroup *cg, struct husk_error **err) {
  (void)cg, (void)err;
  return 0; /* the unit needs the init's pid: made in sd_enter */
}

static int sd_enter(struct husk_cgroup *cg, pid_t pid, bool cloned_into, struct husk_error **err) {
  (void)cloned_into;
  if (!is_slice(cg)) {
    struct husk_unit_prop *pids = husk_unit_props_add(&cg->props, "PIDs", HUSK_PROP_PIDS);
    pids->pids = xmalloc0(sizeof(uint32_t));
    pids->pids[0] = (uint32_t)pid;
    pids->n = 1;
  }
  int r = husk_bus_start_unit(cg->bus, cg->unit, &cg->props, err);
  if (r < 0)
    return r;
  husk_phase("systemd unit");
  if (is_slice(cg)) {
    /* systemd puts no process in a slice: husk does. */
    if ((r = husk_cgroup_enter_v2(cg->path, pid, err)) < 0)
      return r;
  } else {
    /* Where systemd put it: the user's manager has its own root. */
    _cleanup_free_ char *actual = husk_cgroup_of(pid);
    if (actual && strcmp(actual, cg->path) != 0) {
      husk_debug("systemd put %s in %s (not %s)", cg->unit, actual, cg->path);
      free(cg->path);
      cg->path = steal_pointer(&actual);
    }
  }
  if (cg->subgroup) {
    char *sub = xasprintf("%s/%s", cg->path, cg->subgroup);
    _cleanup_free_ char *owned = NULL;
    if ((r = husk_cgroup_create(sub, &owned, err)) < 0 || (r = husk_cgroup_enter_v2(sub, pid, err)) < 0) {
      free(sub);
      return r;
    }
    /* The unit's cgroup held the init until now: only an empty cgroup
     * may hand controllers down (cgroup v2's no-internal-process rule). */
    husk_cgroup_enable_controllers(sub);
    free(cg->path);
    cg->path = sub;
  }
  return 0;
}

static int sd_apply(struct husk_cgroup *cg, const struct oci_resources *r, bool update,
                    struct husk_error **err) {
  if (update) {
    struct husk_unit_props props = {0};
    /* Device rules only when `update` was given some. */
    int ret = husk_systemd_resource_props(r, r && r->devices_len > 0, &props, err);
    if (ret == 0 && cg->bus == NULL)
      ret = husk_bus_open(cg->user, &cg->bus, err);
    if (ret == 0)
      ret = husk_bus_set_properties(cg->bus, cg->unit, &props, err);
    husk_unit_props_clear(&props);
    if (ret < 0)
      return ret;
  }
  return husk_cgroupfs_apply(cg, r, update, err);
}

static int sd_destroy(struct husk_cgroup *cg, struct husk_error **err) {
  int r = 0;
  if (cg->bus == NULL)
    r = husk_bus_open(cg->user, &cg->bus, err);
  if (r == 0 && cg->unit)
    r = husk_bus_stop_unit(cg->bus, cg->unit, err);
  if (r < 0)
    return r;
  /* What systemd left: nothing, normally; a subgroup at most. */
  return husk_cgroup_destroy(cg->path, NULL, err);
}

const struct husk_cgroup_driver husk_cgroup_driver_systemd = {
    .name = "systemd",
    .made_with_init = true,
    .prepare = sd_prepare,
    .create = sd_create,
    .enter = sd_enter,
    .apply = sd_apply,
    .pids = husk_cgroupfs_pids,
    .freeze = husk_cgroupfs_freeze,
    .stats = husk_cgroupfs_stats,
    .kill = husk_cgroupfs_kill,
    .destroy = sd_destroy,
};
