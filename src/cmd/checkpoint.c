/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "checkpoint.h"
#include "cmd.h"
#include "criu-rpc.h"

/* The options checkpoint and restore share; 1 when `c` was one of them,
 * 0 when not, -1 after printing an error. */
static int cmd_parse_criu_option(const char *name, int c, struct husk_criu_common *o) {
  switch (c) {
  case 'i':
    o->image_path = optarg;
    return 1;
  case 'w':
    o->work_path = optarg;
    return 1;
  case 'T':
    o->tcp_established = true;
    return 1;
  case 'X':
    o->ext_unix_sk = true;
    return 1;
  case 'J':
    o->shell_job = true;
    return 1;
  case 'L':
    o->file_locks = true;
    return 1;
  case 'A':
    o->auto_dedup = true;
    return 1;
  case 'Z':
    o->lazy_pages = true;
    return 1;
  case 'M':
    if ((o->manage_cgroups_mode = husk_criu_parse_cg_mode(optarg)) < 0) {
      cmd_usage_error(name, "--manage-cgroups-mode: expected soft, full, strict or ignore, got \"%s\"",
                      optarg);
      return -1;
    }
    return 1;
  case 'E': {
    int64_t ns = husk_criu_parse_ns(optarg);
    if (ns < 0) {
      cmd_usage_error(name, "--empty-ns: expected a namespace (network), got \"%s\"", optarg);
      return -1;
    }
    o->empty_ns |= (uint32_t)ns;
    return 1;
  }
  default:
    return 0;
  }
}

#define CRIU_LONGOPTS                                                                              \
  {"image-path", required_argument, NULL, 'i'}, {"work-path", required_argument, NULL, 'w'},       \
      {"tcp-established", no_argument, NULL, 'T'}, {"ext-unix-sk", no_argument, NULL, 'X'},        \
      {"shell-job", no_argument, NULL, 'J'}, {"file-locks", no_argument, NULL, 'L'},               \
      {"auto-dedup", no_argument, NULL, 'A'}, {"lazy-pages", no_argument, NULL, 'Z'},              \
      {"manage-cgroups-mode", required_argument, NULL, 'M'},                                       \
      {"empty-ns", required_argument, NULL, 'E'}, {"help", no_argument, NULL, 'h'}

int cmd_checkpoint(struct husk_context *ctx, int argc, char **argv) {
  static const struct option longopts[] = {
      CRIU_LONGOPTS,
      {"parent-path", required_argument, NULL, 'P'},
      {"leave-running", no_argument, NULL, 'R'},
      {"pre-dump", no_argument, NULL, 'D'},
      {"page-server", required_argument, NULL, 'S'},
      {"status-fd", required_argument, NULL, 'F'},
      {NULL, 0, NULL, 0},
  };
  struct husk_checkpoint_options opts = {.c.manage_cgroups_mode = -1, .status_fd = -1};
  optind = 1;
  opterr = 0;
  int c;
  while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
    int r = cmd_parse_criu_option("checkpoint", c, &opts.c);
    if (r < 0)
      return 1;
    if (r > 0)
      continue;
    switch (c) {
    case 'P':
      opts.parent_path = optarg;
      break;
    case 'R':
      opts.leave_running = true;
      break;
    case 'D':
      opts.pre_dump = true;
      break;
    case 'S':
      opts.page_server = optarg;
      break;
    case 'F': {
      char *end;
      long fd = strtol(optarg, &end, 10);
      if (*end || fd < 0 || fd > 65535)
        return cmd_usage_error("checkpoint", "--status-fd: \"%s\" is not an fd", optarg);
      opts.status_fd = (int)fd;
      break;
    }
    case 'h':
      cmd_print_help("checkpoint");
      return 0;
    default:
      return cmd_option_error("checkpoint", c, argv);
    }
  }
  if (argc - optind != 1)
    return cmd_usage_error("checkpoint", "expected one container ID, got %d arguments",
                           argc - optind);
  struct husk_error *err = NULL;
  if (husk_container_checkpoint(ctx, argv[optind], &opts, &err) < 0)
    return cmd_fail(err);
  return 0;
}

int cmd_restore(struct husk_context *ctx, int argc, char **argv) {
  static const struct option longopts[] = {
      CRIU_LONGOPTS,
      {"bundle", required_argument, NULL, 'b'},
      {"detach", no_argument, NULL, 'd'},
      {"pid-file", required_argument, NULL, 'p'},
      {"console-socket", required_argument, NULL, 'c'},
      {"no-subreaper", no_argument, NULL, 'N'},
      {"no-pivot", no_argument, NULL, 'V'},
      {"lsm-profile", required_argument, NULL, 'l'},
      {"lsm-mount-context", required_argument, NULL, 'm'},
      {NULL, 0, NULL, 0},
  };
  struct husk_restore_options opts = {.c.manage_cgroups_mode = -1};
  optind = 1;
  opterr = 0;
  int c;
  while ((c = getopt_long(argc, argv, ":b:dh", longopts, NULL)) != -1) {
    int r = cmd_parse_criu_option("restore", c, &opts.c);
    if (r < 0)
      return 1;
    if (r > 0)
      continue;
    switch (c) {
    case 'b':
      opts.bundle = optarg;
      break;
    case 'd':
      opts.detach = true;
      break;
    case 'p':
      opts.pid_file = optarg;
      break;
    case 'c':
      opts.console_socket = optarg;
      break;
    case 'N':
    case 'V':
      break; /* CRIU makes the mounts: there is no root switch to choose */
    case 'l':
      if (strchr(optarg, ':') == NULL)
        return cmd_usage_error("restore", "--lsm-profile: expected TYPE:NAME, got \"%s\"", optarg);
      opts.lsm_profile = optarg;
      break;
    case 'm':
      opts.lsm_mount_context = optarg;
      break;
    case 'h':
      cmd_print_help("restore");
      return 0;
    default:
      return cmd_option_error("restore", c, argv);
    }
  }
  if (argc - optind != 1)
    return cmd_usage_error("restore", "expected one container ID, got %d arguments", argc - optind);
  struct husk_error *err = NULL;
  int code = husk_container_restore(ctx, argv[optind], &opts, &err);
  if (code < 0)
    return cmd_fail(err);
  return code;
}
