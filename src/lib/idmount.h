/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Idmapped bind mounts (mounts[].uidMappings/gidMappings, the "idmap" and
 * "ridmap" options): the parent makes a user namespace holding each mount's
 * mapping, clones the source tree with open_tree and marks it with
 * mount_setattr(MOUNT_ATTR_IDMAP); the init moves it into place (Linux
 * 5.12+, and a filesystem that supports it). */
#ifndef HUSK_IDMOUNT_H
#define HUSK_IDMOUNT_H

#include <stdbool.h>

#include "error.h"
#include "spec.h"

/* Is this mount idmapped? (mappings given, or an idmap/ridmap option) */
bool husk_mount_is_idmapped(const struct oci_mount *m);

/* One idmapped detached tree per mount (-1 for the others), in *fds
 * (malloc'd, config->mounts_len long); NULL when no mount is idmapped.
 * Relative sources are taken from `bundle`. */
int husk_idmount_prepare(const struct oci_config *c, const char *bundle, int **fds,
                         struct husk_error **err);
void husk_idmount_close(int *fds, size_t n);

/* In the init: move the prepared tree onto the O_PATH fd `target`. */
int husk_idmount_attach(int tree, int target, const char *dest, struct husk_error **err);

#endif
