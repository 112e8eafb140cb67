/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The container's filesystem: propagation, mounts, pivot_root (or chroot),
 * masked and readonly paths. */
#ifndef HUSK_ROOTFS_H
#define HUSK_ROOTFS_H

#include "error.h"
#include "init.h"

/* Propagation, the rootfs bind, every mount and /dev: all before the
 * switch (the createRuntime and createContainer hooks run in between). */
int husk_rootfs_prepare(struct husk_init_ctx *ctx, struct husk_error **err);
/* The switch to the new root: pivot_root in a mount namespace husk made,
 * MS_MOVE + chroot with --no-pivot, chroot in the caller's namespace. */
int husk_rootfs_pivot(struct husk_init_ctx *ctx, struct husk_error **err);
/* After the switch: sysctl is done by the caller; then masked paths,
 * readonly paths, a read-only root and the final propagation. */
int husk_rootfs_finalize(struct husk_init_ctx *ctx, struct husk_error **err);

#endif
