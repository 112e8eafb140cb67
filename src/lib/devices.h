/* SPDX-License-Identifier: GPL-2.0-or-later */
/* /dev: the default devices, linux.devices, and the usual symlinks. */
#ifndef HUSK_DEVICES_H
#define HUSK_DEVICES_H

#include "error.h"
#include "init.h"

int husk_devices_setup(struct husk_init_ctx *ctx, int rootfd, struct husk_error **err);

#endif
