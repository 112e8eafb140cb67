/* SPDX-License-Identifier: GPL-2.0-or-later */
/* --systemd-cgroup: the unit cgroupsPath names, whether systemd can make
 * it here, and the org.systemd.property.* annotations, judged by the same
 * code create runs (cgroup-manager.c, cgroup-systemd.c, systemd-unit.c). */
#include <string.h>

#include "cgroup-manager.h"
#include "cgroup-systemd.h"
#include "cgroup.h"
#include "check-internal.h"
#include "utils.h"

/* An error of the driver as a finding about `path`, without the path the
 * message starts with where it has it. */
static void add_error(struct husk_check *ck, const char *path, struct husk_error *e) {
  const char *msg = e->msg;
  size_t n = strlen(path);
  if (strncmp(msg, path, n) == 0 && (msg[n] == ' ' || msg[n] == ':'))
    msg += n + (msg[n] == ':' ? 2 : 1);
  check_error(ck, path, "%s", msg);
  husk_error_free(e);
}

/* The annotations' key from the driver's message, for the finding's path. */
static void add_annotation_error(struct husk_check *ck, struct husk_error *e) {
  const char *start = e->msg;
  const char *end = strstr(start, "]: ");
  if (str_has_prefix(start, "annotations[") && end) {
    _cleanup_free_ char *path = xasprintf("%.*s", (int)(end - start + 1), start);
    add_error(ck, path, e);
    return;
  }
  add_error(ck, "annotations", e);
}

void check_systemd(struct husk_check *ck) {
  const struct oci_linux *l = ck->config->linux_;
  enum husk_cgroup_manager manager =
      ck->opts->systemd_driver ? HUSK_CGROUP_MANAGER_SYSTEMD : HUSK_CGROUP_MANAGER_CGROUPFS;
  struct husk_cgroup cg;
  struct husk_error *e = NULL;
  if (husk_cgroup_plan(&cg, manager, ck->opts->systemd_cgroup, l ? l->cgroups_path : NULL, "ID",
                       &e) < 0) {
    add_error(ck, "linux.cgroupsPath", e);
  } else if (ck->probe_host && cg.path && husk_cgroup_has_processes(cg.path)) {
    check_error(ck, "linux.cgroupsPath",
                "cgroup %s is in use by other processes: give the container a cgroup of its own",
                cg.path);
  }
  husk_cgroup_clear(&cg);
  if (!ck->opts->systemd_driver)
    return;
  e = NULL;
  if (husk_systemd_host_problem(&e) < 0)
    add_error(ck, "linux.cgroupsPath", e);
  struct husk_unit_props props = {0};
  e = NULL;
  const struct oci_resources *r = l ? l->resources : NULL;
  if (husk_systemd_resource_props(r, true, &props, &e) < 0)
    add_error(ck, "linux.resources", e);
  e = NULL;
  if (husk_systemd_annotation_props(ck->config, &props, &e) < 0)
    add_annotation_error(ck, e);
  husk_unit_props_clear(&props);
}

void check_systemd_annotations_unused(struct husk_check *ck) {
  const struct oci_config *c = ck->config;
  for (size_t i = 0; i < c->annotations_len; i++) {
    const char *key = c->annotations[i].key;
    if (key && str_has_prefix(key, "org.systemd.property.")) {
      _cleanup_free_ char *path = xasprintf("annotations[\"%s\"]", key);
      check_note(ck, path, "only the systemd cgroup driver (--systemd-cgroup) reads it; "
                           "without it, it does nothing");
    }
  }
}
