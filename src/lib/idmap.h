/* SPDX-License-Identifier: GPL-2.0-or-later */
/* linux.uidMappings / gidMappings of a new user namespace: checked before
 * anything is made, written by the parent while the init waits. */
#ifndef HUSK_IDMAP_H
#define HUSK_IDMAP_H

#include <stdbool.h>
#include <sys/types.h>

#include "error.h"
#include "spec.h"

/* Write /proc/PID/{uid,gid}_map: directly as root, through newuidmap and
 * newgidmap (Debian's uidmap) when husk runs unprivileged. */
int husk_idmap_write(pid_t pid, const struct oci_linux *l, struct husk_error **err);
/* Is this container id inside the map's container side? */
bool husk_idmap_covers(const struct oci_id_mapping *m, size_t n, uint32_t container_id);
/* The host id a container id maps to; false when the map does not cover it. */
bool husk_idmap_to_host(const struct oci_id_mapping *m, size_t n, uint32_t container_id,
                        uint32_t *host_id);

#endif
