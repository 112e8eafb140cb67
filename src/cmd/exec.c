/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "exec.h"
#include "utils.h"

static void push(char ***v, size_t *n, const char *s) {
  *v = realloc(*v, sizeof(char *) * (*n + 2));
  (*v)[(*n)++] = (char *)s;
  (*v)[*n] = NULL;
}

int cmd_exec(struct husk_context *ctx, int argc, char **argv) {
  static const struct option longopts[] = {
      {"process", required_argument, NULL, 'p'},
      {"tty", no_argument, NULL, 't'},
      {"detach", no_argument, NULL, 'd'},
      {"pid-file", required_argument, NULL, 'P'},
      {"console-socket", required_argument, NULL, 'C'},
      {"pidfd-socket", required_argument, NULL, 'S'},
      {"cwd", required_argument, NULL, 'w'},
      {"env", required_argument, NULL, 'e'},
      {"user", required_argument, NULL, 'u'},
      {"additional-gids", required_argument, NULL, 'g'},
      {"cap", required_argument, NULL, 'c'},
      {"no-new-privs", no_argument, NULL, 'N'},
      {"apparmor", required_argument, NULL, 'A'},
      {"process-label", required_argument, NULL, 'L'},
      {"preserve-fds", required_argument, NULL, 'f'},
      {"ignore-paused", no_argument, NULL, 'I'},
      {"cgroup", required_argument, NULL, 'G'},
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0},
  };
  struct husk_exec_options o = {0};
  _cleanup_free_ uint32_t *gids = NULL;
  int ret = 1;
  optind = 1;
  opterr = 0;
  int c;
  /* "+": the first non-option is the ID; what follows is the command's own. */
  while ((c = getopt_long(argc, argv, "+:p:tde:u:g:c:h", longopts, NULL)) != -1) {
    switch (c) {
    case 'p':
      o.process_file = optarg;
      break;
    case 't':
      o.tty = true;
      break;
    case 'd':
      o.detach = true;
      break;
    case 'P':
      o.pid_file = optarg;
      break;
    case 'C':
      o.console_socket = optarg;
      break;
    case 'S':
      o.pidfd_socket = optarg;
      break;
    case 'w':
      o.cwd = optarg;
      break;
    case 'e':
      push(&o.env, &o.env_len, optarg);
      break;
    case 'u':
      o.user = optarg;
      break;
    case 'g': {
      char *end;
      unsigned long g = strtoul(optarg, &end, 10);
      if (end == optarg || *end) {
        ret = cmd_usage_error("exec", "--additional-gids: \"%s\" is not a number", optarg);
        goto out;
      }
      gids = realloc(gids, sizeof(uint32_t) * (o.additional_gids_len + 1));
      gids[o.additional_gids_len++] = (uint32_t)g;
      o.additional_gids = gids;
      break;
    }
    case 'c':
      push(&o.caps, &o.caps_len, optarg);
      break;
    case 'N':
      o.no_new_privs = true;
      break;
    case 'A':
      o.apparmor = optarg;
      break;
    case 'L':
      o.process_label = optarg;
      break;
    case 'f': {
      char *end;
      long n = strtol(optarg, &end, 10);
      if (*end || n < 0 || n > 65536) {
        ret = cmd_usage_error("exec", "--preserve-fds: \"%s\" is not a count of fds", optarg);
        goto out;
      }
      o.preserve_fds = (int)n;
      break;
    }
    case 'I':
      o.ignore_paused = true;
      break;
    case 'G':
      push(&o.cgroups, &o.cgroups_len, optarg);
      break;
    case 'h':
      cmd_print_help("exec");
      ret = 0;
      goto out;
    default:
      ret = cmd_option_error("exec", c, argv);
      goto out;
    }
  }
  if (optind >= argc) {
    ret = cmd_usage_error("exec", "expected a container ID");
    goto out;
  }
  const char *id = argv[optind++];
  if (optind < argc && strcmp(argv[optind], "--") == 0)
    optind++;
  o.args = argv + optind;
  o.args_len = (size_t)(argc - optind);
  if (o.process_file && o.args_len) {
    ret = cmd_usage_error("exec", "give either --process or a command, not both");
    goto out;
  }
  struct husk_error *err = NULL;
  int code = husk_container_exec(ctx, id, &o, &err);
  /* As runc: a process that could not be started exits 255. */
  ret = code < 0 ? (cmd_fail(err), 255) : code;
out:
  free(o.env);
  free(o.caps);
  free(o.cgroups);
  return ret;
}
