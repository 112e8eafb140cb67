/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "spec.h"
#include "utils.h"

int cmd_spec(struct husk_context *ctx, int argc, char **argv) {
  static const struct option longopts[] = {{"bundle", required_argument, NULL, 'b'},
                                           {"rootless", no_argument, NULL, 'r'},
                                           {"help", no_argument, NULL, 'h'},
                                           {NULL, 0, NULL, 0}};
  const char *bundle = ".";
  bool rootless = ctx->rootless;
  optind = 1;
  opterr = 0;
  int c;
  while ((c = getopt_long(argc, argv, ":b:h", longopts, NULL)) != -1) {
    if (c == 'b')
      bundle = optarg;
    else if (c == 'r')
      rootless = true;
    else if (c == 'h') {
      cmd_print_help("spec");
      return 0;
    } else
      return cmd_option_error("spec", c, argv);
  }
  if (optind != argc)
    return cmd_usage_error("spec", "takes no arguments");

  struct husk_error *err = NULL;
  _cleanup_free_ char *path = xasprintf("%s/config.json", bundle);
  struct oci_config *config = oci_config_default(rootless);
  _cleanup_free_ char *text = config ? oci_config_print(config, true) : NULL;
  oci_config_free(config);
  if (text == NULL) {
    husk_fail(&err, ENOMEM, "spec");
    return cmd_fail(err);
  }
  int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) {
    if (errno == EEXIST)
      husk_fail(&err, 0, "%s exists: remove it first", path);
    else
      husk_fail(&err, errno, "create %s", path);
    return cmd_fail(err);
  }
  size_t len = strlen(text);
  int r = write_all(fd, text, len);
  if (r == 0 && (len == 0 || text[len - 1] != '\n'))
    r = write_all(fd, "\n", 1);
  close(fd);
  if (r < 0) {
    unlink(path);
    husk_fail(&err, -r, "write %s", path);
    return cmd_fail(err);
  }
  return 0;
}
