/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "utils.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

void *xmalloc0(size_t n) {
  void *p = calloc(1, n ? n : 1);
  if (p == NULL) {
    fputs("husk: out of memory\n", stderr);
    abort();
  }
  return p;
}

char *xstrdup(const char *s) {
  if (s == NULL)
    return NULL;
  char *p = strdup(s);
  if (p == NULL) {
    fputs("husk: out of memory\n", stderr);
    abort();
  }
  return p;
}

char *xasprintf(const char *fmt, ...) {
  char *s = NULL;
  va_list ap;
  va_start(ap, fmt);
  int r = vasprintf(&s, fmt, ap);
  va_end(ap);
  if (r < 0) {
    fputs("husk: out of memory\n", stderr);
    abort();
  }
  return s;
}

/* Read fd to its end, at most `max` bytes (0 = no limit); `path` names it in
 * errors. */
static int read_fd(int fd, const char *path, char **out, size_t *len, size_t max,
                   struct husk_error **err) {
  size_t cap = 4096, n = 0;
  char *buf = malloc(cap + 1);
  if (buf == NULL)
    return husk_fail(err, ENOMEM, "read %s", path);
  for (;;) {
    if (n == cap) {
      if (max && cap >= max) {
        free(buf);
        return husk_fail(err, EFBIG, "read %s", path);
      }
      cap *= 2;
      char *nb = realloc(buf, cap + 1);
      if (nb == NULL) {
        free(buf);
        return husk_fail(err, ENOMEM, "read %s", path);
      }
      buf = nb;
    }
    ssize_t r = read(fd, buf + n, cap - n);
    if (r < 0 && errno == EINTR)
      continue;
    if (r < 0) {
      int e = errno;
      free(buf);
      return husk_fail(err, e, "read %s", path);
    }
    if (r == 0)
      break;
    n += (size_t)r;
  }
  buf[n] = '\0';
  *out = buf;
  if (len)
    *len = n;
  return 0;
}

int read_file_at(int dirfd, const char *path, char **out, size_t *len, size_t max,
                 struct husk_error **err) {
  _cleanup_close_ int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return husk_fail(err, errno, "open %s", path);
  return read_fd(fd, path, out, len, max, err);
}

static const char *file_kind(mode_t mode) {
  switch (mode & S_IFMT) {
  case S_IFDIR:
    return "a directory";
  case S_IFIFO:
    return "a fifo";
  case S_IFCHR:
    return "a character device";
  case S_IFBLK:
    return "a block device";
  case S_IFSOCK:
    return "a socket";
  default:
    return "of an unknown type";
  }
}

int read_regular_file(const char *path, char **out, size_t *len, size_t max,
                      struct husk_error **err) {
  /* O_NONBLOCK: opening a fifo must not wait for a writer. */
  _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
  if (fd < 0)
    return husk_fail(err, errno, "open %s", path);
  struct stat st;
  if (fstat(fd, &st) < 0)
    return husk_fail(err, errno, "stat %s", path);
  if (!S_ISREG(st.st_mode))
    return husk_fail(err, 0, "%s: is %s, not a regular file", path, file_kind(st.st_mode));
  if (max && (uint64_t)st.st_size > max)
    return husk_fail(err, 0, "%s: %lld bytes, larger than the %zu bytes allowed", path,
                     (long long)st.st_size, max);
  return read_fd(fd, path, out, len, max, err);
}

int read_file(const char *path, char **out, size_t *len, size_t max, struct husk_error **err) {
  return read_file_at(AT_FDCWD, path, out, len, max, err);
}

int write_all(int fd, const void *buf, size_t len) {
  const char *p = buf;
  while (len > 0) {
    ssize_t w = write(fd, p, len);
    if (w < 0 && errno == EINTR)
      continue;
    if (w < 0)
      return -errno;
    p += w;
    len -= (size_t)w;
  }
  return 0;
}

int write_file_atomic_at(int dirfd, const char *name, const char *data, size_t len, mode_t mode,
                         struct husk_error **err) {
  _cleanup_free_ char *tmp = xasprintf(".%s.tmp", name);
  _cleanup_close_ int fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0)
    return husk_fail(err, errno, "create %s", tmp);
  int r = write_all(fd, data, len);
  if (r < 0) {
    unlinkat(dirfd, tmp, 0);
    return husk_fail(err, -r, "write %s", tmp);
  }
  if (renameat(dirfd, tmp, dirfd, name) < 0) {
    int e = errno;
    unlinkat(dirfd, tmp, 0);
    return husk_fail(err, e, "rename %s", name);
  }
  return 0;
}

int write_file_at(int dirfd, const char *path, const char *data, size_t len,
                  struct husk_error **err) {
  _cleanup_close_ int fd = openat(dirfd, path, O_WRONLY | O_CLOEXEC);
  if (fd < 0)
    return husk_fail(err, errno, "open %s", path);
  int r = write_all(fd, data, len);
  if (r < 0)
    return husk_fail(err, -r, "write %s", path);
  return 0;
}

bool str_has_prefix(const char *s, const char *prefix) {
  return strncmp(s, prefix, strlen(prefix)) == 0;
}

bool str_has_suffix(const char *s, const char *suffix) {
  size_t n = strlen(s), m = strlen(suffix);
  return n >= m && strcmp(s + n - m, suffix) == 0;
}

int mkdir_p(const char *path, mode_t mode, struct husk_error **err) {
  _cleanup_free_ char *p = xstrdup(path);
  for (char *s = p + 1; *s; s++) {
    if (*s != '/')
      continue;
    *s = '\0';
    if (mkdir(p, mode) < 0 && errno != EEXIST)
      return husk_fail(err, errno, "mkdir %s", p);
    *s = '/';
  }
  if (mkdir(p, mode) < 0 && errno != EEXIST)
    return husk_fail(err, errno, "mkdir %s", p);
  return 0;
}

bool husk_in_user_namespace(void) {
  _cleanup_free_ char *map = NULL;
  if (read_file("/proc/self/uid_map", &map, NULL, 4096, NULL) < 0)
    return false;
  unsigned long inside, outside, count;
  return sscanf(map, "%lu %lu %lu", &inside, &outside, &count) != 3 || inside != 0 ||
         outside != 0 || count != 4294967295UL;
}
