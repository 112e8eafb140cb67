/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The container's filesystem: propagation, mounts, pivot_root (or chroot),
 * masked and readonly paths. */
#ifndef HUSK_ROOTFS_H
#define HUSK_ROOTFS_H

#include "error.h"
#include "init.h"

/* Everything up to and including the switch to the new root. */
int husk_rootfs_prepare(struct husk_init_ctx *ctx, struct husk_error **err);
/* After the switch: sysctl is done by the caller; then masked paths,
 * readonly paths, a read-only root and the final propagation. */
int husk_rootfs_finalize(struct husk_init_ctx *ctx, struct husk_error **err);

#endif
