/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "log.h"
#include "utils.h"

extern const struct husk_command husk_commands[];

int cmd_fail(struct husk_error *err) {
  husk_error_log("%s", err && err->msg ? err->msg : "unknown error");
  husk_error_free(err);
  return 1;
}

int cmd_usage_error(const char *name, const char *fmt, ...) {
  char *msg = NULL;
  va_list ap;
  va_start(ap, fmt);
  if (vasprintf(&msg, fmt, ap) < 0)
    msg = NULL;
  va_end(ap);
  husk_error_log("%s: %s (see 'husk %s --help')", name, msg ? msg : "usage error", name);
  free(msg);
  return 1;
}

char *cmd_option_problem(int c, char **argv, const char *kind) {
  const char *arg = argv[optind - 1];
  if (c == ':')
    return str_has_prefix(arg, "--") ? xasprintf("%soption %s needs a value", kind, arg)
                                     : xasprintf("%soption -%c needs a value", kind, optopt);
  /* optopt is the letter of an unknown short option, which may share its
   * argument with others ("-xyz"); 0 for an unknown long option. */
  return optopt ? xasprintf("unknown %soption -%c", kind, optopt)
                : xasprintf("unknown %soption %s", kind, arg);
}

int cmd_option_error(const char *name, int c, char **argv) {
  _cleanup_free_ char *problem = cmd_option_problem(c, argv, "");
  return cmd_usage_error(name, "%s", problem);
}

void cmd_print_help(const char *name) {
  for (const struct husk_command *c = husk_commands; c->name; c++) {
    if (strcmp(c->name, name) == 0) {
      printf("Usage: husk %s\n\n%s\n", c->usage, c->summary);
      return;
    }
  }
}

int cmd_parse_create_options(const char *name, int argc, char **argv,
                             struct husk_create_options *opts, bool *detach) {
  static const struct option longopts[] = {
      {"bundle", required_argument, NULL, 'b'},
      {"config", required_argument, NULL, 'f'},
      {"pid-file", required_argument, NULL, 'p'},
      {"console-socket", required_argument, NULL, 'c'},
      {"pidfd-socket", required_argument, NULL, 's'},
      {"no-pivot", no_argument, NULL, 'P'},
      {"no-new-keyring", no_argument, NULL, 'K'},
      {"preserve-fds", required_argument, NULL, 'F'},
      {"detach", no_argument, NULL, 'd'},
      {"keep", no_argument, NULL, 'k'},
      {"no-subreaper", no_argument, NULL, 'S'},
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0},
  };
  optind = 1;
  opterr = 0;
  int c;
  bool is_run = detach != NULL;
  while ((c = getopt_long(argc, argv, is_run ? ":b:f:dh" : ":b:f:h", longopts, NULL)) != -1) {
    switch (c) {
    case 'b':
      opts->bundle = optarg;
      break;
    case 'f':
      /* As crun: the bare name config.json is the bundle's own; any other
       * relative name is from the current directory. */
      opts->config = strcmp(optarg, "config.json") == 0 ? NULL : optarg;
      break;
    case 'p':
      opts->pid_file = optarg;
      break;
    case 'c':
      opts->console_socket = optarg;
      break;
    case 's':
      opts->pidfd_socket = optarg;
      break;
    case 'P':
      opts->no_pivot = true;
      break;
    case 'K':
      opts->no_new_keyring = true;
      break;
    case 'F': {
      char *end;
      long n = strtol(optarg, &end, 10);
      if (*end || n < 0 || n > 65536) {
        cmd_usage_error(name, "--preserve-fds: \"%s\" is not a count of fds", optarg);
        return -1;
      }
      opts->preserve_fds = (int)n;
      break;
    }
    case 'd':
      if (!is_run)
        goto unknown;
      *detach = true;
      break;
    case 'k':
      if (!is_run)
        goto unknown;
      opts->keep = true;
      break;
    case 'S':
      if (!is_run)
        goto unknown;
      break; /* husk never is a subreaper: accepted for runc compatibility */
    case 'h':
      cmd_print_help(name);
      exit(0);
    default:
    unknown:
      cmd_option_error(name, c, argv);
      return -1;
    }
  }
  return optind;
}
