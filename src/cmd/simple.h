/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Commands whose only argument is one container ID, and maybe --help. */
#ifndef HUSK_CMD_SIMPLE_H
#define HUSK_CMD_SIMPLE_H

#include <getopt.h>
#include <stdlib.h>

#include "cmd.h"

/* Returns the ID, or NULL after printing a usage error. */
static inline const char *cmd_single_id(const char *name, int argc, char **argv) {
  static const struct option longopts[] = {{"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
  optind = 1;
  opterr = 0;
  int c;
  while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
    if (c == 'h') {
      cmd_print_help(name);
      exit(0);
    }
    cmd_option_error(name, c, argv);
    return NULL;
  }
  if (argc - optind != 1) {
    cmd_usage_error(name, "expected one container ID, got %d arguments", argc - optind);
    return NULL;
  }
  return argv[optind];
}

#endif
