/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Taking down what a failed create mounted in the caller's mount namespace.
 *
 * A container without a mount namespace of its own gets its rootfs bind,
 * /proc, /sys, /dev and binds mounted in the namespace husk was called in
 * (the init only chroots). When the create fails after that (a mount, a
 * hook, a device, a sysctl), those mounts would stay there. So the parent
 * records the mounts that exist before the clone and, on failure, detaches
 * every new one at or below the rootfs, and nothing else. */
#ifndef HUSK_MOUNT_ROLLBACK_H
#define HUSK_MOUNT_ROLLBACK_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

/* The ids (mountinfo's first column) of the mounts there were. */
struct husk_mount_ids {
  int *ids; /* sorted */
  size_t n;
  bool recorded;
};

/* Record the mounts of husk's mount namespace now. */
int husk_mount_ids_record(struct husk_mount_ids *before, struct husk_error **err);
/* Detach, last mounted first, every mount not in `before` whose mount point
 * is `rootfs` (a real path) or below it. Nothing when `before` was not
 * recorded. */
void husk_mount_rollback(const struct husk_mount_ids *before, const char *rootfs);
void husk_mount_ids_free(struct husk_mount_ids *ids);

#endif
