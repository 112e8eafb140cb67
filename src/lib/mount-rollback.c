/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "mount-rollback.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "inroot.h"
#include "log.h"
#include "utils.h"

/* Undo mountinfo's \ooo escapes (space, tab, newline, backslash) in place. */
static void unescape_octal(char *s) {
  char *o = s;
  for (const char *i = s; *i; i++) {
    if (i[0] == '\\' && i[1] >= '0' && i[1] <= '3' && i[2] >= '0' && i[2] <= '7' &&
        i[3] >= '0' && i[3] <= '7') {
      *o++ = (char)((i[1] - '0') * 64 + (i[2] - '0') * 8 + (i[3] - '0'));
      i += 3;
    } else {
      *o++ = *i;
    }
  }
  *o = '\0';
}

/* "36 25 0:31 / /sys/fs/cgroup/memory rw,relatime shared:15 - cgroup ...":
 * the mount id, and *mnt pointed at the mount point (unescaped, in the line
 * itself). -1 for a line it cannot read. */
static int parse_line(char *line, char **mnt) {
  char *end;
  errno = 0;
  long id = strtol(line, &end, 10);
  if (end == line || *end != ' ' || errno || id < 0 || id > INT_MAX)
    return -1;
  char *p = line;
  for (int field = 0; field < 4; field++) {
    p = strchr(p, ' ');
    if (p == NULL)
      return -1;
    p++;
  }
  char *stop = strchr(p, ' ');
  if (stop == NULL)
    return -1;
  *stop = '\0';
  unescape_octal(p);
  *mnt = p;
  return (int)id;
}

/* fn(data, id, mount point) for every mount of husk's mount namespace. */
static int each_mount(void (*fn)(void *data, int id, const char *mnt), void *data) {
  FILE *f = fopen("/proc/self/mountinfo", "re");
  if (f == NULL)
    return -errno;
  char *line = NULL;
  size_t cap = 0;
  while (getline(&line, &cap, f) > 0) {
    char *mnt;
    int id = parse_line(line, &mnt);
    if (id >= 0)
      fn(data, id, mnt);
  }
  free(line);
  fclose(f);
  return 0;
}

static void add_id(void *data, int id, const char *mnt) {
  (void)mnt;
  struct husk_mount_ids *s = data;
  int *grown = realloc(s->ids, (s->n + 1) * sizeof(*s->ids));
  if (grown == NULL)
    abort(); /* as xmalloc0 */
  s->ids = grown;
  s->ids[s->n++] = id;
}

static int cmp_int(const void *a, const void *b) {
  int x = *(const int *)a, y = *(const int *)b;
  return (x > y) - (x < y);
}

int husk_mount_ids_record(struct husk_mount_ids *before, struct husk_error **err) {
  husk_mount_ids_free(before);
  int r = each_mount(add_id, before);
  if (r < 0) {
    husk_mount_ids_free(before);
    return husk_fail(err, -r, "read /proc/self/mountinfo");
  }
  qsort(before->ids, before->n, sizeof(*before->ids), cmp_int);
  before->recorded = true;
  return 0;
}

struct new_mounts {
  const struct husk_mount_ids *before;
  const char *rootfs;
  size_t rootfs_len;
  struct new_mount {
    int id;
    char *path;
  } *found;
  size_t n;
};

static void add_if_new(void *data, int id, const char *mnt) {
  struct new_mounts *w = data;
  if (strncmp(mnt, w->rootfs, w->rootfs_len) != 0 ||
      (mnt[w->rootfs_len] != '\0' && mnt[w->rootfs_len] != '/'))
    return;
  if (bsearch(&id, w->before->ids, w->before->n, sizeof(int), cmp_int))
    return;
  struct new_mount *grown = realloc(w->found, (w->n + 1) * sizeof(*w->found));
  if (grown == NULL)
    abort();
  w->found = grown;
  w->found[w->n++] = (struct new_mount){.id = id, .path = xstrdup(mnt)};
}

/* Detach the mount `id` at `path`, reached through an fd so that it is the
 * mount on top there. Should that not be `id` (it went already, with one
 * above it or by propagation, and an older one shows there), leave it:
 * only new mounts are ours to take down. Kernels before 5.8 cannot say. */
static void detach(int id, const char *path) {
  _cleanup_close_ int fd = open(path, O_PATH | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return;
  struct statx sx;
  if (statx(fd, "", AT_EMPTY_PATH, STATX_MNT_ID, &sx) == 0 && (sx.stx_mask & STATX_MNT_ID) &&
      sx.stx_mnt_id != (uint64_t)id)
    return;
  char proc[HUSK_FD_PATH_MAX];
  snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
  if (umount2(proc, MNT_DETACH) < 0)
    husk_debug("rollback: detach %s: %s", path, strerror(errno));
}

void husk_mount_rollback(const struct husk_mount_ids *before, const char *rootfs) {
  if (!before->recorded || rootfs == NULL)
    return;
  /* "/" would be every new mount of the namespace: no container's. */
  struct new_mounts w = {.before = before, .rootfs = rootfs, .rootfs_len = strlen(rootfs)};
  if (w.rootfs_len < 2 || each_mount(add_if_new, &w) < 0)
    return;
  /* Last mounted first: what is on top, and below, goes before what it
   * covers, so each path still shows the mount it was found with. */
  for (size_t i = w.n; i-- > 0;) {
    detach(w.found[i].id, w.found[i].path);
    free(w.found[i].path);
  }
  free(w.found);
}

void husk_mount_ids_free(struct husk_mount_ids *ids) {
  free(ids->ids);
  *ids = (struct husk_mount_ids){0};
}
