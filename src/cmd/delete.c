/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <getopt.h>
#include <stddef.h>

#include "cmd.h"

int cmd_delete(struct husk_context *ctx, int argc, char **argv) {
  static const struct option longopts[] = {
      {"force", no_argument, NULL, 'f'}, {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
  bool force = false;
  optind = 1;
  opterr = 0;
  int c;
  while ((c = getopt_long(argc, argv, ":fh", longopts, NULL)) != -1) {
    if (c == 'f')
      force = true;
    else if (c == 'h') {
      cmd_print_help("delete");
      return 0;
    } else
      return cmd_option_error("delete", c, argv);
  }
  if (argc - optind < 1)
    return cmd_usage_error("delete", "expected at least one container ID");
  int ret = 0;
  for (int i = optind; i < argc; i++) {
    struct husk_error *err = NULL;
    if (husk_container_delete(ctx, argv[i], force, &err) < 0)
      ret = cmd_fail(err);
  }
  return ret;
}
