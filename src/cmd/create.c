/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdio.h>

#include "cmd.h"

int cmd_create(struct husk_context *ctx, int argc, char **argv) {
  struct husk_create_options opts = {0};
  int i = cmd_parse_create_options("create", argc, argv, &opts, NULL);
  if (i < 0)
    return 1;
  if (argc - i != 1)
    return cmd_usage_error("create", "expected one container ID, got %d arguments", argc - i);
  struct husk_error *err = NULL;
  if (husk_container_create(ctx, argv[i], &opts, NULL, &err) < 0)
    return cmd_fail(err);
  return 0;
}
