/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "lookup.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "utils.h"

int husk_lookup(const struct husk_context *ctx, const char *id, bool lock, struct husk_lookup *l,
                struct husk_error **err) {
  *l = (struct husk_lookup){.dirfd = -1};
  l->dirfd = husk_state_dir_open(ctx->root, id, lock, err);
  if (l->dirfd < 0)
    return l->dirfd;
  int r = husk_state_read(l->dirfd, &l->st, err);
  if (r == -ENOENT) {
    /* No state.json: a container being created, or one that a delete took
     * away after we opened it. */
    _cleanup_free_ char *path = xasprintf("%s/%s", ctx->root, id);
    if (!husk_state_dir_is_current(AT_FDCWD, path, l->dirfd)) {
      husk_lookup_release(l);
      husk_fail(err, 0, "container \"%s\" does not exist", id);
      return -ENOENT;
    }
    l->status = HUSK_STATUS_CREATING;
    l->st.id = xstrdup(id);
    l->st.cgroup_path = xstrdup("");
    return 0;
  }
  if (r < 0) {
    close(l->dirfd);
    l->dirfd = -1;
    return r;
  }
  l->status = husk_state_status(l->dirfd, &l->st);
  return 0;
}

void husk_lookup_release(struct husk_lookup *l) {
  if (l->dirfd >= 0)
    close(l->dirfd);
  l->dirfd = -1;
  husk_state_clear(&l->st);
}

int husk_lookup_cgroup(const struct husk_lookup *l, const char **path, struct husk_error **err) {
  if (l->st.cgroup_path == NULL || l->st.cgroup_path[0] == '\0')
    return husk_fail(err, 0, "container \"%s\" has no cgroup (created with --cgroup-manager "
                             "disabled, or still being created)",
                     l->st.id);
  *path = l->st.cgroup_path;
  return 0;
}
