/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "inroot.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "utils.h"

#define MAX_SYMLINKS 40
#define MAX_DEPTH 256

void husk_fd_path(int fd, char buf[HUSK_FD_PATH_MAX]) {
  snprintf(buf, HUSK_FD_PATH_MAX, "/proc/self/fd/%d", fd);
}

/* ---- the trace: the path as resolved so far, for husk check ---- */

struct comps {
  char **v;
  size_t n;
};

static void comps_push(struct comps *c, const char *s) {
  c->v = realloc(c->v, (c->n + 1) * sizeof(*c->v));
  if (c->v == NULL)
    abort();
  c->v[c->n++] = xstrdup(s);
}

static void comps_pop(struct comps *c) {
  if (c->n > 0)
    free(c->v[--c->n]);
}

static char *comps_join(const struct comps *c) {
  size_t len = 2;
  for (size_t i = 0; i < c->n; i++)
    len += strlen(c->v[i]) + 1;
  char *s = xmalloc0(len);
  for (size_t i = 0; i < c->n; i++) {
    strcat(s, "/");
    strcat(s, c->v[i]);
  }
  if (c->n == 0)
    strcpy(s, "/");
  return s;
}

static void comps_clear(struct comps *c) {
  while (c->n > 0)
    comps_pop(c);
  free(c->v);
  c->v = NULL;
}

/* Would `target`, read from a link `depth` directories below the root,
 * leave the root when the host resolves it? */
static bool target_escapes(const char *target, size_t depth) {
  if (target[0] == '/')
    return true;
  long d = (long)depth;
  _cleanup_free_ char *copy = xstrdup(target);
  char *save = NULL;
  for (char *c = strtok_r(copy, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
    if (strcmp(c, "..") == 0) {
      if (--d < 0)
        return true;
    } else if (strcmp(c, ".") != 0) {
      d++;
    }
  }
  return false;
}

char *husk_path_normalize(const char *path) {
  struct comps c = {0};
  _cleanup_free_ char *copy = xstrdup(path);
  char *save = NULL;
  for (char *p = strtok_r(copy, "/", &save); p; p = strtok_r(NULL, "/", &save)) {
    if (strcmp(p, "..") == 0)
      comps_pop(&c);
    else if (strcmp(p, ".") != 0)
      comps_push(&c, p);
  }
  char *s = comps_join(&c);
  comps_clear(&c);
  return s;
}

/* A walk one component at a time with O_NOFOLLOW; a symlink's target is
 * spliced into the rest of the path and resolution restarts from the root
 * when it is absolute; ".." at the root stays at the root. The directories
 * above the current one are kept open for "..". Works on every kernel
 * (openat2's RESOLVE_IN_ROOT does the same on 5.6+, but cannot create). */
static int walk(int rootfd, const char *path, enum husk_inroot_create create,
                struct husk_inroot_trace *trace, struct husk_error **err) {
  struct comps done = {0}; /* with a trace only */
  int stack[MAX_DEPTH];
  int depth = 0;
  int links = 0;
  int ret;
  _cleanup_free_ char *todo = xstrdup(path);
  int cur = openat(rootfd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (cur < 0)
    return husk_fail(err, errno, "open rootfs");

  char *rest = todo;
  while (rest && *rest) {
    char *slash = strchr(rest, '/');
    if (slash)
      *slash = '\0';
    char *comp = rest;
    rest = slash ? slash + 1 : NULL;
    bool last = rest == NULL || rest[strspn(rest, "/")] == '\0';

    if (comp[0] == '\0' || strcmp(comp, ".") == 0)
      continue;
    if (strcmp(comp, "..") == 0) {
      if (trace)
        comps_pop(&done);
      if (depth > 0 && !(trace && trace->missing)) {
        close(cur);
        cur = stack[--depth];
      }
      continue;
    }
    if (trace && trace->missing) { /* below something missing: as written */
      comps_push(&done, comp);
      continue;
    }
    int fd = openat(cur, comp, O_PATH | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT && trace) {
      trace->missing = true;
      comps_push(&done, comp);
      continue;
    }
    if (fd < 0 && errno == ENOENT && create != HUSK_INROOT_NOCREATE) {
      if (last && create == HUSK_INROOT_MKFILE) {
        int f = openat(cur, comp, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0644);
        if (f >= 0)
          close(f);
        else if (errno != EEXIST) {
          ret = husk_fail(err, errno, "create %s in rootfs", path);
          goto fail;
        }
      } else if (mkdirat(cur, comp, 0755) < 0 && errno != EEXIST) {
        ret = husk_fail(err, errno, "mkdir %s in rootfs", path);
        goto fail;
      }
      fd = openat(cur, comp, O_PATH | O_NOFOLLOW | O_CLOEXEC);
    }
    if (fd < 0) {
      ret = husk_fail(err, errno, "%s in rootfs", path);
      goto fail;
    }
    struct stat st;
    if (fstat(fd, &st) < 0) {
      ret = husk_fail(err, errno, "stat %s in rootfs", path);
      close(fd);
      goto fail;
    }
    if (S_ISLNK(st.st_mode)) {
      char target[PATH_MAX];
      ssize_t n = readlinkat(fd, "", target, sizeof(target) - 1);
      close(fd);
      if (n < 0) {
        ret = husk_fail(err, errno, "readlink %s in rootfs", path);
        goto fail;
      }
      target[n] = '\0';
      if (++links > MAX_SYMLINKS) {
        ret = husk_fail(err, ELOOP, "%s in rootfs", path);
        goto fail;
      }
      if (trace && trace->escape == NULL && target_escapes(target, done.n)) {
        comps_push(&done, comp);
        _cleanup_free_ char *link = comps_join(&done);
        comps_pop(&done);
        trace->escape = xasprintf("%s -> %s", link, target);
      }
      char *spliced = rest ? xasprintf("%s/%s", target, rest) : xstrdup(target);
      free(todo);
      todo = spliced;
      rest = todo;
      if (target[0] == '/') {
        while (depth > 0)
          close(stack[--depth]);
        close(cur);
        while (trace && done.n > 0)
          comps_pop(&done);
        cur = openat(rootfd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (cur < 0) {
          ret = husk_fail(err, errno, "open rootfs");
          comps_clear(&done);
          return ret;
        }
      }
      continue;
    }
    if (!last && !S_ISDIR(st.st_mode)) {
      close(fd);
      ret = husk_fail(err, ENOTDIR, "%s in rootfs", path);
      goto fail;
    }
    if (depth == MAX_DEPTH) {
      close(fd);
      ret = husk_fail(err, ENAMETOOLONG, "%s in rootfs", path);
      goto fail;
    }
    stack[depth++] = cur;
    cur = fd;
    if (trace)
      comps_push(&done, comp);
  }
  while (depth > 0)
    close(stack[--depth]);
  if (trace) {
    trace->landed = comps_join(&done);
    comps_clear(&done);
    if (trace->missing) {
      close(cur);
      return -ENOENT;
    }
  }
  return cur;

fail:
  while (depth > 0)
    close(stack[--depth]);
  close(cur);
  comps_clear(&done);
  return ret;
}

int husk_inroot_open(int rootfd, const char *path, enum husk_inroot_create create,
                     struct husk_error **err) {
  return walk(rootfd, path, create, NULL, err);
}

int husk_inroot_resolve(int rootfd, const char *path, struct husk_inroot_trace *trace) {
  memset(trace, 0, sizeof(*trace));
  int fd = walk(rootfd, path, HUSK_INROOT_NOCREATE, trace, NULL);
  if (fd < 0 && !trace->missing) {
    free(trace->escape);
    trace->escape = NULL;
  }
  return fd;
}

void husk_inroot_trace_clear(struct husk_inroot_trace *trace) {
  free(trace->landed);
  free(trace->escape);
  memset(trace, 0, sizeof(*trace));
}

int husk_inroot_parent(int rootfd, const char *path, char **buf, const char **name,
                       struct husk_error **err) {
  char *copy = xstrdup(path);
  size_t len = strlen(copy);
  while (len > 1 && copy[len - 1] == '/')
    copy[--len] = '\0';
  char *slash = strrchr(copy, '/');
  int fd;
  if (slash == NULL) {
    *name = copy;
    fd = husk_inroot_open(rootfd, ".", HUSK_INROOT_MKDIR, err);
  } else {
    *slash = '\0';
    *name = slash + 1;
    fd = husk_inroot_open(rootfd, copy[0] ? copy : "/", HUSK_INROOT_MKDIR, err);
  }
  if (fd < 0 || **name == '\0' || strcmp(*name, "..") == 0 || strcmp(*name, ".") == 0) {
    if (fd >= 0) {
      close(fd);
      fd = husk_fail(err, EINVAL, "%s: not a file name", path);
    }
    free(copy);
    return fd;
  }
  *buf = copy;
  return fd;
}
