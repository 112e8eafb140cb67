/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The systemd driver's pure parts (systemd-unit.c): a container's unit
 * from engines' "slice:prefix:name", and the unit properties its config
 * asks for. Unit tested; nothing here talks to systemd. */
#ifndef HUSK_CGROUP_SYSTEMD_H
#define HUSK_CGROUP_SYSTEMD_H

#include <stdbool.h>

#include "error.h"
#include "spec.h"
#include "systemd-bus.h"

/* "slice:prefix:name" (an empty slice is system.slice, user.slice for the
 * user's manager) -> the unit "prefix-name.scope" (a name ending in
 * ".slice" is a slice unit of its own, as runc has it), its slice, and its
 * path in the cgroup filesystem: each dash of a slice name is a level, so
 * "a-b.slice" lives in "/a.slice/a-b.slice". The user's manager's units
 * are below /user.slice/user-UID.slice/user@UID.service. -EINVAL when
 * `spec` is not of that form. */
int husk_systemd_unit_parse(const char *spec, bool user, char **slice, char **unit, char **path);

/* linux.resources as the unit properties systemd has for them (MemoryMax,
 * CPUWeight, TasksMax, AllowedCPUs, ...), so that systemd writes the same
 * values when it reloads. The rest stays with the cgroup files. `devices`:
 * DevicePolicy and DeviceAllow too. */
int husk_systemd_resource_props(const struct oci_resources *r, bool devices,
                                struct husk_unit_props *p, struct husk_error **err);

/* Annotations "org.systemd.property.NAME": "VALUE", VALUE in GVariant text
 * form ("uint64 123", "'text'", "true", "42" an int32), as runc and crun
 * take them. A bad one is an error that names the annotation. */
int husk_systemd_annotation_props(const struct oci_config *c, struct husk_unit_props *p,
                                  struct husk_error **err);

/* Why the systemd driver cannot work on this host (systemd is not PID 1,
 * or cgroup v1 hierarchies are mounted), or 0. Lives in cgroup-systemd.c. */
int husk_systemd_host_problem(struct husk_error **err);

#endif
