/* SPDX-License-Identifier: GPL-2.0-or-later */
/* check: every hook's path is an executable where husk will run it: on the
 * host, or in the rootfs for startContainer (run after the root switch). */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check-internal.h"
#include "inroot.h"
#include "utils.h"

static void check_one(struct husk_check *ck, const char *kind, size_t i, const struct oci_hook *h,
                      bool in_container) {
  if (h->path == NULL)
    return;
  _cleanup_free_ char *path = xasprintf("hooks.%s[%zu].path", kind, i);
  if (h->path[0] != '/') {
    check_error(ck, path, "\"%s\" must be an absolute path", h->path);
    return;
  }
  if (!ck->probe_host)
    return; /* the program may come later: a hook runs when its time comes */
  struct stat st;
  if (in_container) {
    if (ck->rootfd < 0)
      return;
    _cleanup_close_ int fd = husk_inroot_open(ck->rootfd, h->path, HUSK_INROOT_NOCREATE, NULL);
    if (fd < 0) {
      if (check_mount_covering(ck, h->path, CHECK_ALL_MOUNTS) < 0)
        check_error(ck, path,
                    "%s: not found in the rootfs (startContainer hooks run in the "
                    "container)",
                    h->path);
      return;
    }
    if (fstat(fd, &st) < 0)
      return;
  } else if (stat(h->path, &st) < 0) {
    check_error(ck, path, "%s: %s", h->path, strerror(errno));
    return;
  }
  if (!S_ISREG(st.st_mode) || !(st.st_mode & 0111))
    check_error(ck, path, "%s%s is not an executable file", h->path,
                in_container ? " in the rootfs" : "");
}

void check_hooks(struct husk_check *ck) {
  const struct oci_hooks *h = ck->config->hooks;
  if (h == NULL)
    return;
  const struct {
    const char *kind;
    const struct oci_hook *list;
    size_t len;
  } kinds[] = {
      {"prestart", h->prestart, h->prestart_len},
      {"createRuntime", h->create_runtime, h->create_runtime_len},
      {"createContainer", h->create_container, h->create_container_len},
      {"startContainer", h->start_container, h->start_container_len},
      {"poststart", h->poststart, h->poststart_len},
      {"poststop", h->poststop, h->poststop_len},
  };
  for (size_t k = 0; k < ARRAY_SIZE(kinds); k++)
    for (size_t i = 0; i < kinds[k].len; i++)
      check_one(ck, kinds[k].kind, i, &kinds[k].list[i],
                strcmp(kinds[k].kind, "startContainer") == 0);
}
