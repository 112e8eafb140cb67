/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `husk exec --process FILE`: the file goes through exec.c's own reader
 * (included here for its static functions), which reads it as the process
 * of a config (oci_process_parse). */
#include "../../src/lib/exec.c"

#include <sys/mman.h>

static int memfd = -1;
static char path[64];

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  memfd = memfd_create("process.json", MFD_CLOEXEC);
  if (memfd < 0) {
    perror("memfd_create");
    abort();
  }
  snprintf(path, sizeof(path), "/proc/self/fd/%d", memfd);
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (ftruncate(memfd, 0) < 0 || pwrite(memfd, data, size, 0) != (ssize_t)size)
    abort();
  struct husk_error *err = NULL;
  struct oci_config base = {0};
  struct husk_exec_options o = {.process_file = path};
  struct oci_process *p = build_process(&base, &o, &err);
  if (p == NULL) {
    if (err == NULL || err->msg == NULL || strchr(err->msg, '\n') != NULL) {
      fprintf(stderr, "refused without a one-line error: %s\n", err ? err->msg : "(none)");
      abort();
    }
    husk_error_free(err);
    return 0;
  }
  if (err != NULL || p->args_len == 0 || p->args == NULL || p->cwd == NULL)
    abort();
  for (size_t i = 0; i < p->args_len; i++)
    if (p->args[i] == NULL)
      abort();
  oci_process_free(p);
  return 0;
}
