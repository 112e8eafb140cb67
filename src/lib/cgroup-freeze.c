/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Freezing a container's cgroup, and listing its processes. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cgroup-internal.h"
#include "cgroup.h"
#include "log.h"
#include "utils.h"

static void sleep_ms(long ms) {
  struct timespec ts = {ms / 1000, (ms % 1000) * 1000 * 1000};
  nanosleep(&ts, NULL);
}

/* v2: cgroup.freeze, then cgroup.events says "frozen 1" once every task
 * has stopped (or "frozen 0" once they run again). */
static int freeze_v2(const char *file, bool frozen, struct husk_error **err) {
  int r = write_file_at(AT_FDCWD, file, frozen ? "1" : "0", 1, NULL);
  if (r < 0)
    return husk_fail(err, -r, "write %s to %s", frozen ? "1" : "0", file);
  _cleanup_free_ char *dir = xstrdup(file);
  *strrchr(dir, '/') = '\0';
  uint64_t state = 0;
  for (int i = 0; i < 1000; i++) {
    r = cg_read_keyed(dir, "cgroup.events", "frozen", &state);
    if (r < 0)
      return husk_fail(err, -r, "read %s/cgroup.events", dir);
    if ((state == 1) == frozen)
      return 0;
    sleep_ms(10);
  }
  if (frozen)
    write_file_at(AT_FDCWD, file, "0", 1, NULL); /* half-frozen is worse than running */
  return husk_fail(err, ETIMEDOUT, "%s: wait for \"frozen %d\" in %s/cgroup.events",
                   frozen ? "freeze" : "thaw", frozen, dir);
}

/* v1: FROZEN can stay FREEZING while tasks keep forking; write it again
 * until it holds, now and then thawing briefly to let a fork finish. */
static int freeze_v1(const char *file, bool frozen, struct husk_error **err) {
  const char *want = frozen ? "FROZEN" : "THAWED";
  for (int i = 0; i < 1000; i++) {
    if (frozen && i % 50 == 49) {
      write_file_at(AT_FDCWD, file, "THAWED", 6, NULL);
      sleep_ms(10);
    }
    int r = write_file_at(AT_FDCWD, file, want, strlen(want), NULL);
    if (r < 0)
      return husk_fail(err, -r, "write %s to %s", want, file);
    _cleanup_free_ char *state = NULL;
    if ((r = read_file(file, &state, NULL, 64, NULL)) < 0)
      return husk_fail(err, -r, "read %s", file);
    if (str_has_prefix(state, want))
      return 0;
    if (!str_has_prefix(state, "FREEZING"))
      return husk_fail(err, 0, "%s says \"%.*s\" after %s was written", file,
                       (int)strcspn(state, "\n"), state, want);
  }
  write_file_at(AT_FDCWD, file, "THAWED", 6, NULL);
  return husk_fail(err, ETIMEDOUT, "freeze: %s stayed FREEZING", file);
}

int husk_cgroup_freeze(const char *path, bool frozen, struct husk_error **err) {
  bool v2;
  _cleanup_free_ char *file = husk_cgroup_freezer_file(path, &v2);
  if (file == NULL || (!v2 && access(file, F_OK) < 0))
    return husk_fail(err, 0, "cgroup %s: no freezer (the freezer controller is not mounted)",
                     path);
  return v2 ? freeze_v2(file, frozen, err) : freeze_v1(file, frozen, err);
}

struct pid_list {
  pid_t *pids;
  size_t len, cap;
};

static int collect(const char *dir, struct pid_list *l, int depth, struct husk_error **err) {
  if (depth > 64)
    return 0;
  _cleanup_free_ char *procs = NULL;
  int r = cg_read(dir, "cgroup.procs", &procs);
  if (r < 0)
    return husk_fail(err, -r, "read %s/cgroup.procs", dir);
  for (char *p = procs; *p;) {
    char *end;
    long pid = strtol(p, &end, 10);
    if (end == p)
      break;
    if (pid > 0) {
      if (l->len == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 32;
        pid_t *n = realloc(l->pids, l->cap * sizeof(*n));
        if (n == NULL)
          return husk_fail(err, ENOMEM, "list the processes of %s", dir);
        l->pids = n;
      }
      l->pids[l->len++] = (pid_t)pid;
    }
    p = end + strspn(end, "\n");
  }
  DIR *d = opendir(dir);
  if (d == NULL)
    return husk_fail(err, errno, "open %s", dir);
  struct dirent *de;
  int ret = 0;
  while (ret == 0 && (de = readdir(d)) != NULL) {
    if (de->d_type != DT_DIR || de->d_name[0] == '.')
      continue;
    _cleanup_free_ char *sub = xasprintf("%s/%s", dir, de->d_name);
    ret = collect(sub, l, depth + 1, err);
  }
  closedir(d);
  return ret;
}

int husk_cgroup_pids(const char *path, pid_t **out, size_t *n, struct husk_error **err) {
  *out = NULL;
  *n = 0;
  /* Any hierarchy holds every process of the container; prefer v2. */
  _cleanup_free_ char *dir = husk_cgroup_mode() == HUSK_CGROUP_V2 ? husk_cgroup_v2_dir(path) : NULL;
  static const char *const v1[] = {"freezer", "devices", "memory", "pids", "name=systemd"};
  for (size_t i = 0; dir == NULL && i < ARRAY_SIZE(v1); i++)
    dir = husk_cgroup_v1_dir(v1[i], path);
  if (dir == NULL)
    dir = husk_cgroup_v2_dir(path);
  if (dir == NULL)
    return husk_fail(err, 0, "cgroup %s: no cgroup hierarchy is mounted", path);
  struct pid_list l = {0};
  int r = collect(dir, &l, 0, err);
  if (r < 0) {
    free(l.pids);
    return r;
  }
  *out = l.pids;
  *n = l.len;
  return 0;
}
