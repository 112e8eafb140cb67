/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "cmd.h"

int cmd_run(struct husk_context *ctx, int argc, char **argv) {
  struct husk_create_options opts = {0};
  bool detach = false;
  int i = cmd_parse_create_options("run", argc, argv, &opts, &detach);
  if (i < 0)
    return 1;
  if (argc - i != 1)
    return cmd_usage_error("run", "expected one container ID, got %d arguments", argc - i);
  struct husk_error *err = NULL;
  int code = husk_container_run(ctx, argv[i], &opts, detach, &err);
  if (code < 0)
    return cmd_fail(err);
  return code;
}
