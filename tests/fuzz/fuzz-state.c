/* SPDX-License-Identifier: GPL-2.0-or-later */
/* state.json as husk_state_read reads it from a container's state
 * directory (here a temporary one), then printed as `husk state` does. */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "error.h"
#include "state.h"

static char dir[4096];
static int dirfd = -1;

static void cleanup(void) {
  if (dirfd >= 0)
    unlinkat(dirfd, HUSK_STATE_FILE, 0);
  if (dir[0])
    rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  const char *tmp = getenv("HUSK_FUZZ_TMP");
  snprintf(dir, sizeof(dir), "%s/husk-fuzz-state.XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
  if (mkdtemp(dir) == NULL) {
    perror("mkdtemp");
    abort();
  }
  atexit(cleanup);
  dirfd = open(dir, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
  return dirfd < 0 ? -1 : 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  int fd = openat(dirfd, HUSK_STATE_FILE, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0 || (size && write(fd, data, size) != (ssize_t)size))
    abort();
  close(fd);
  struct husk_state st;
  struct husk_error *err = NULL;
  int r = husk_state_read(dirfd, &st, &err);
  if (r < 0) {
    if (err == NULL)
      abort();
    husk_error_free(err);
    husk_state_clear(&st);
    return 0;
  }
  if (st.id == NULL || st.bundle == NULL || st.rootfs == NULL || st.created == NULL ||
      st.owner == NULL || st.cgroup_path == NULL)
    abort();
  free(husk_state_to_oci_json(&st, HUSK_STATUS_STOPPED));
  free(husk_state_to_oci_json(&st, HUSK_STATUS_RUNNING));
  husk_state_clear(&st);
  return 0;
}
