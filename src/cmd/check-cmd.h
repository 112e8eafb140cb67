/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `husk check`: whether a bundle will run on this host, and why not. */
#ifndef HUSK_CMD_CHECK_H
#define HUSK_CMD_CHECK_H

#include "container.h"

int cmd_check(struct husk_context *ctx, int argc, char **argv);

#endif
