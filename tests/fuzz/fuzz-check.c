/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `husk check` on a bundle whose config.json is the input: the checks run
 * over the partial config oci_config_parse_all leaves after errors (NULL
 * required strings, zeroed array elements), so every one of them must cope
 * with holes. The bundle is a temporary directory with a small rootfs. */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "error.h"

static char bundle[4096];
static int bundle_fd = -1;

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
  (void)st;
  (void)flag;
  (void)ftw;
  remove(path);
  return 0;
}

static void cleanup(void) {
  if (bundle[0])
    nftw(bundle, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

static void put(const char *path, const char *text, mode_t mode) {
  int fd = openat(bundle_fd, path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0 || write(fd, text, strlen(text)) < 0) {
    perror(path);
    abort();
  }
  close(fd);
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  const char *tmp = getenv("HUSK_FUZZ_TMP");
  snprintf(bundle, sizeof(bundle), "%s/husk-fuzz-check.XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
  if (mkdtemp(bundle) == NULL) {
    perror("mkdtemp");
    abort();
  }
  atexit(cleanup);
  bundle_fd = open(bundle, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
  /* Enough of a rootfs for the process and mount checks to find things. */
  mkdirat(bundle_fd, "rootfs", 0755);
  mkdirat(bundle_fd, "rootfs/bin", 0755);
  mkdirat(bundle_fd, "rootfs/etc", 0755);
  mkdirat(bundle_fd, "rootfs/proc", 0755);
  mkdirat(bundle_fd, "rootfs/dev", 0755);
  put("rootfs/bin/sh", "#!/bin/sh\n", 0755);
  put("rootfs/bin/true", "\177ELF", 0755);
  put("rootfs/etc/passwd", "root:x:0:0:root:/root:/bin/sh\n", 0644);
  put("rootfs/noexec", "data\n", 0644);
  symlinkat("/../../../../usr/bin/id", bundle_fd, "rootfs/bin/evil");
  symlinkat("../../..", bundle_fd, "rootfs/up");
  symlinkat("/proc/kcore", bundle_fd, "rootfs/etc/kcore");
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  int fd = openat(bundle_fd, "config.json", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0 || (size && write(fd, data, size) != (ssize_t)size)) {
    perror("config.json");
    abort();
  }
  close(fd);
  struct husk_check_report report;
  struct husk_error *err = NULL;
  if (husk_check_bundle(bundle, NULL, &report, &err) < 0) {
    fprintf(stderr, "check failed on a readable bundle: %s\n", err ? err->msg : "?");
    abort();
  }
  size_t counted = 0;
  for (size_t i = 0; i < report.len; i++) {
    const struct husk_check_finding *f = &report.findings[i];
    if (f->path == NULL || f->message == NULL || strchr(f->message, '\n') != NULL) {
      fprintf(stderr, "finding %zu: path or message missing or not one line\n", i);
      abort();
    }
    counted++;
  }
  if (report.count[0] + report.count[1] + report.count[2] != counted)
    abort();
  husk_check_report_free(&report);
  return 0;
}
