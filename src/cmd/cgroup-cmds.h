/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The commands that work on a container's cgroup: pause, resume, update,
 * ps, events. */
#ifndef HUSK_CMD_CGROUP_CMDS_H
#define HUSK_CMD_CGROUP_CMDS_H

#include "cmd.h"

int cmd_pause(struct husk_context *ctx, int argc, char **argv);
int cmd_resume(struct husk_context *ctx, int argc, char **argv);
int cmd_update(struct husk_context *ctx, int argc, char **argv);
int cmd_ps(struct husk_context *ctx, int argc, char **argv);
int cmd_events(struct husk_context *ctx, int argc, char **argv);

#endif
