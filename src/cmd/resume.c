/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "cgroup-cmds.h"
#include "simple.h"

int cmd_resume(struct husk_context *ctx, int argc, char **argv) {
  const char *id = cmd_single_id("resume", argc, argv);
  if (id == NULL)
    return 1;
  struct husk_error *err = NULL;
  return husk_container_resume(ctx, id, &err) < 0 ? cmd_fail(err) : 0;
}
