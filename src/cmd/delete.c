/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <getopt.h>
#include <stddef.h>

#include "cmd.h"
#include "match-ids.h"

int cmd_delete(struct husk_context *ctx, int argc, char **argv) {
  static const struct option longopts[] = {{"force", no_argument, NULL, 'f'},
                                           {"regex", no_argument, NULL, 'r'},
                                           {"help", no_argument, NULL, 'h'},
                                           {NULL, 0, NULL, 0}};
  bool force = false, regex = false;
  optind = 1;
  opterr = 0;
  int c;
  while ((c = getopt_long(argc, argv, ":frh", longopts, NULL)) != -1) {
    if (c == 'f')
      force = true;
    else if (c == 'r')
      regex = true;
    else if (c == 'h') {
      cmd_print_help("delete");
      return 0;
    } else
      return cmd_option_error("delete", c, argv);
  }
  if (argc - optind < 1)
    return cmd_usage_error("delete", "expected at least one container ID");
  if (regex && argc - optind != 1)
    return cmd_usage_error("delete", "with --regex, expected one regular expression, got %d arguments",
                           argc - optind);
  char **ids = argv + optind;
  size_t n = (size_t)(argc - optind);
  char **matched = NULL;
  if (regex) {
    struct husk_error *err = NULL;
    if (husk_match_ids(ctx->root, argv[optind], &matched, &n, &err) < 0)
      return cmd_fail(err);
    ids = matched;
  }
  /* One that fails does not stop the others, and makes the exit status 1. */
  int ret = 0;
  for (size_t i = 0; i < n; i++) {
    struct husk_error *err = NULL;
    if (husk_container_delete(ctx, ids[i], force, &err) < 0)
      ret = cmd_fail(err);
  }
  if (matched)
    husk_match_ids_free(matched, n);
  return ret;
}
