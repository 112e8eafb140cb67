/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>

#include "cmd.h"
#include "match-ids.h"

int cmd_kill(struct husk_context *ctx, int argc, char **argv) {
  static const struct option longopts[] = {{"all", no_argument, NULL, 'a'},
                                           {"regex", no_argument, NULL, 'r'},
                                           {"help", no_argument, NULL, 'h'},
                                           {NULL, 0, NULL, 0}};
  bool all = false, regex = false;
  optind = 1;
  opterr = 0;
  int c;
  while ((c = getopt_long(argc, argv, ":arh", longopts, NULL)) != -1) {
    if (c == 'a')
      all = true;
    else if (c == 'r')
      regex = true;
    else if (c == 'h') {
      cmd_print_help("kill");
      return 0;
    } else
      return cmd_option_error("kill", c, argv);
  }
  int n = argc - optind;
  if (n < 1 || n > 2)
    return cmd_usage_error("kill", "expected a container ID and an optional signal");
  int sig = SIGTERM;
  if (n == 2) {
    sig = husk_parse_signal(argv[optind + 1]);
    if (sig < 0)
      return cmd_usage_error("kill", "unknown signal \"%s\"", argv[optind + 1]);
  }
  struct husk_error *err = NULL;
  if (!regex) {
    if (husk_container_kill(ctx, argv[optind], sig, all, &err) < 0)
      return cmd_fail(err);
    return 0;
  }
  /* Every container whose id matches; one that fails does not stop the
   * others, and makes the exit status 1. */
  char **ids;
  size_t len;
  if (husk_match_ids(ctx->root, argv[optind], &ids, &len, &err) < 0)
    return cmd_fail(err);
  int ret = 0;
  for (size_t i = 0; i < len; i++) {
    err = NULL;
    if (husk_container_kill(ctx, ids[i], sig, all, &err) < 0)
      ret = cmd_fail(err);
  }
  husk_match_ids_free(ids, len);
  return ret;
}
