/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "simple.h"

int cmd_start(struct husk_context *ctx, int argc, char **argv) {
  const char *id = cmd_single_id("start", argc, argv);
  if (id == NULL)
    return 1;
  struct husk_error *err = NULL;
  if (husk_container_start(ctx, id, &err) < 0)
    return cmd_fail(err);
  return 0;
}
