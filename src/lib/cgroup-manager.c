/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Picking a container's cgroup driver and path, keeping them in its state,
 * and calling the driver's operations. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgroup-manager.h"
#include "cgroup-systemd.h"
#include "cgroup.h"
#include "utils.h"

const struct husk_cgroup_driver *husk_cgroup_driver_for(enum husk_cgroup_manager m) {
  switch (m) {
  case HUSK_CGROUP_MANAGER_SYSTEMD:
    return &husk_cgroup_driver_systemd;
  case HUSK_CGROUP_MANAGER_DISABLED:
    return &husk_cgroup_driver_disabled;
  case HUSK_CGROUP_MANAGER_CGROUPFS:
    break;
  }
  return &husk_cgroup_driver_cgroupfs;
}

int husk_cgroup_plan(struct husk_cgroup *cg, enum husk_cgroup_manager manager, bool slice_syntax,
                     const char *cgroups_path, const char *id, struct husk_error **err) {
  memset(cg, 0, sizeof(*cg));
  if (manager != HUSK_CGROUP_MANAGER_DISABLED && husk_cgroup_detect_error(err) < 0)
    return -EIO;
  if (manager == HUSK_CGROUP_MANAGER_DISABLED || husk_cgroup_mode() == HUSK_CGROUP_NONE) {
    cg->driver = &husk_cgroup_driver_disabled;
    return 0;
  }
  cg->driver = husk_cgroup_driver_for(manager);
  cg->id = xstrdup(id);
  bool systemd = manager == HUSK_CGROUP_MANAGER_SYSTEMD;
  if (systemd || slice_syntax) {
    bool empty = cgroups_path == NULL || cgroups_path[0] == '\0';
    /* A plain path under --systemd-cgroup is taken as a path by the
     * cgroupfs driver (as before); systemd needs a unit name. */
    if (empty || strchr(cgroups_path, ':') || systemd) {
      bool user = systemd && geteuid() != 0;
      _cleanup_free_ char *spec = empty ? xasprintf(":husk:%s", id) : xstrdup(cgroups_path);
      if (husk_systemd_unit_parse(spec, user, &cg->slice, &cg->unit, &cg->path) < 0)
        return husk_fail(err, 0, "linux.cgroupsPath \"%s\": expected slice:prefix:name with "
                                 "--systemd-cgroup (as \"system.slice:husk:%s\")",
                         cgroups_path, id);
      cg->user = user;
      if (systemd)
        return 0;
      free(cg->slice);
      free(cg->unit);
      cg->slice = cg->unit = NULL;
      cgroups_path = cg->path;
    }
  }
  char *path = NULL;
  int r = husk_cgroup_resolve_path(cgroups_path, id, &path, err);
  free(cg->path);
  cg->path = path;
  return r;
}

void husk_cgroup_from_state(struct husk_cgroup *cg, const struct husk_state *st) {
  memset(cg, 0, sizeof(*cg));
  cg->driver = &husk_cgroup_driver_cgroupfs;
  if (st->cgroup_manager && strcmp(st->cgroup_manager, husk_cgroup_driver_systemd.name) == 0)
    cg->driver = &husk_cgroup_driver_systemd;
  if (st->cgroup_path && st->cgroup_path[0]) {
    cg->path = xstrdup(st->cgroup_path);
    cg->made = true;
  } else {
    cg->driver = &husk_cgroup_driver_disabled;
  }
  if (st->cgroup_owned_from && st->cgroup_owned_from[0])
    cg->owned_from = xstrdup(st->cgroup_owned_from);
  if (st->systemd_unit && st->systemd_unit[0])
    cg->unit = xstrdup(st->systemd_unit);
  if (st->systemd_slice && st->systemd_slice[0])
    cg->slice = xstrdup(st->systemd_slice);
  cg->user = st->systemd_user;
}

void husk_cgroup_to_state(const struct husk_cgroup *cg, struct husk_state *st) {
  st->cgroup_path = cg->path ? cg->path : "";
  st->cgroup_owned_from = cg->owned_from ? cg->owned_from : "";
  st->cgroup_manager = (char *)(cg->path ? cg->driver->name : "");
  st->systemd_unit = cg->unit ? cg->unit : "";
  st->systemd_slice = cg->slice ? cg->slice : "";
  st->systemd_user = cg->user;
}

void husk_cgroup_clear(struct husk_cgroup *cg) {
  free(cg->path);
  free(cg->owned_from);
  free(cg->unit);
  free(cg->slice);
  free(cg->id);
  free(cg->subgroup);
  husk_bus_close(cg->bus);
  husk_unit_props_clear(&cg->props);
  memset(cg, 0, sizeof(*cg));
}

static int no_cgroup(struct husk_error **err) {
  return husk_fail(err, 0, "the container has no cgroup (created with --cgroup-manager disabled, "
                           "or rootless without a delegated one)");
}

int husk_cgroup_prepare(struct husk_cgroup *cg, const struct oci_config *config,
                        struct husk_error **err) {
  return cg->path ? cg->driver->prepare(cg, config, err) : 0;
}

int husk_cgroup_make(struct husk_cgroup *cg, struct husk_error **err) {
  int r = cg->path ? cg->driver->create(cg, err) : 0;
  if (r == 0 && cg->path && !cg->driver->made_with_init)
    cg->made = true;
  return r;
}

int husk_cgroup_place(struct husk_cgroup *cg, pid_t pid, bool cloned_into, struct husk_error **err) {
  int r = cg->path ? cg->driver->enter(cg, pid, cloned_into, err) : 0;
  if (r == 0 && cg->path)
    cg->made = true;
  return r;
}

int husk_cgroup_apply(struct husk_cgroup *cg, const struct oci_resources *r, bool update,
                      struct husk_error **err) {
  return cg->path ? cg->driver->apply(cg, r, update, err) : no_cgroup(err);
}

int husk_cgroup_list_pids(struct husk_cgroup *cg, pid_t **out, size_t *n, struct husk_error **err) {
  return cg->path ? cg->driver->pids(cg, out, n, err) : no_cgroup(err);
}

int husk_cgroup_set_frozen(struct husk_cgroup *cg, bool frozen, struct husk_error **err) {
  return cg->path ? cg->driver->freeze(cg, frozen, err) : no_cgroup(err);
}

int husk_cgroup_read_stats(struct husk_cgroup *cg, struct husk_cgroup_stats *st,
                           struct husk_error **err) {
  return cg->path ? cg->driver->stats(cg, st, err) : no_cgroup(err);
}

int husk_cgroup_signal_all(struct husk_cgroup *cg, int sig, struct husk_error **err) {
  return cg->path ? cg->driver->kill(cg, sig, err) : 0;
}

int husk_cgroup_remove(struct husk_cgroup *cg, struct husk_error **err) {
  return cg->path ? cg->driver->destroy(cg, err) : 0;
}
