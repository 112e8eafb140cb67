/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "copyup.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "utils.h"

/* Extended attributes of an fd (a file or directory opened for reading).
 * A filesystem that holds none of a namespace (user.* on older tmpfs) is
 * not an error. */
static int copy_xattrs(int src, int dst, const char *what, const char *name,
                       struct husk_error **err) {
  ssize_t len = flistxattr(src, NULL, 0);
  if (len <= 0)
    return 0;
  _cleanup_free_ char *names = xmalloc0((size_t)len + 1);
  len = flistxattr(src, names, (size_t)len);
  for (ssize_t off = 0; len > 0 && off < len; off += (ssize_t)strlen(names + off) + 1) {
    const char *key = names + off;
    ssize_t vlen = fgetxattr(src, key, NULL, 0);
    if (vlen < 0)
      continue;
    _cleanup_free_ char *value = xmalloc0((size_t)vlen + 1);
    vlen = fgetxattr(src, key, value, (size_t)vlen);
    if (vlen >= 0 && fsetxattr(dst, key, value, (size_t)vlen, 0) < 0 && errno != EOPNOTSUPP)
      return husk_fail(err, errno, "%s: copy the extended attribute %s of %s", what, key, name);
  }
  return 0;
}

static int copy_data(int src, int dst, const char *what, const char *name,
                     struct husk_error **err) {
  char buf[65536];
  for (;;) {
    ssize_t n = read(src, buf, sizeof(buf));
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      return husk_fail(err, errno, "%s: read %s", what, name);
    if (n == 0)
      return 0;
    if (write_all(dst, buf, (size_t)n) < 0)
      return husk_fail(err, errno, "%s: write %s", what, name);
  }
}

/* Owner, then mode (chown clears the set-id bits), then times. */
static int set_meta(int fd, const struct stat *st, const char *what, const char *name,
                    struct husk_error **err) {
  if (fchown(fd, st->st_uid, st->st_gid) < 0)
    return husk_fail(err, errno, "%s: chown %s", what, name);
  if (fchmod(fd, st->st_mode & 07777) < 0)
    return husk_fail(err, errno, "%s: chmod %s", what, name);
  struct timespec times[2] = {st->st_atim, st->st_mtim};
  futimens(fd, times);
  return 0;
}

static int copy_entry(int src, int dst, const char *name, const char *what,
                      struct husk_error **err);

int husk_copy_tree(int src, int dst, const char *what, struct husk_error **err) {
  int fd = dup(src);
  if (fd < 0)
    return husk_fail(err, errno, "%s: dup", what);
  DIR *d = fdopendir(fd);
  if (d == NULL) {
    close(fd);
    return husk_fail(err, errno, "%s: read the directory", what);
  }
  rewinddir(d);
  int r = 0;
  struct dirent *de;
  while (r == 0 && (de = readdir(d)) != NULL) {
    if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
      continue;
    r = copy_entry(src, dst, de->d_name, what, err);
  }
  closedir(d);
  return r;
}

int husk_copy_dir_owner_mode(int src, int dst, const char *what, struct husk_error **err) {
  struct stat st;
  if (fstat(src, &st) < 0)
    return husk_fail(err, errno, "%s: stat", what);
  if (fchown(dst, st.st_uid, st.st_gid) < 0 || fchmod(dst, st.st_mode & 07777) < 0)
    return husk_fail(err, errno, "%s: give the tmpfs the directory's owner and mode", what);
  return copy_xattrs(src, dst, what, ".", err);
}

static int copy_entry(int src, int dst, const char *name, const char *what,
                      struct husk_error **err) {
  struct stat st;
  if (fstatat(src, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
    return husk_fail(err, errno, "%s: stat %s", what, name);
  if (S_ISDIR(st.st_mode)) {
    if (mkdirat(dst, name, 0700) < 0)
      return husk_fail(err, errno, "%s: mkdir %s", what, name);
    _cleanup_close_ int from = openat(src, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    _cleanup_close_ int to = openat(dst, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (from < 0 || to < 0)
      return husk_fail(err, errno, "%s: open %s", what, name);
    if (husk_copy_tree(from, to, what, err) < 0 || copy_xattrs(from, to, what, name, err) < 0)
      return -EIO;
    return set_meta(to, &st, what, name, err);
  }
  if (S_ISREG(st.st_mode)) {
    _cleanup_close_ int from = openat(src, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    _cleanup_close_ int to =
        openat(dst, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (from < 0 || to < 0)
      return husk_fail(err, errno, "%s: open %s", what, name);
    if (copy_data(from, to, what, name, err) < 0 || copy_xattrs(from, to, what, name, err) < 0)
      return -EIO;
    return set_meta(to, &st, what, name, err);
  }
  if (S_ISLNK(st.st_mode)) {
    char target[4096];
    ssize_t n = readlinkat(src, name, target, sizeof(target) - 1);
    if (n < 0)
      return husk_fail(err, errno, "%s: readlink %s", what, name);
    target[n] = '\0';
    if (symlinkat(target, dst, name) < 0)
      return husk_fail(err, errno, "%s: symlink %s", what, name);
    if (fchownat(dst, name, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) < 0)
      return husk_fail(err, errno, "%s: chown %s", what, name);
    struct timespec times[2] = {st.st_atim, st.st_mtim};
    utimensat(dst, name, times, AT_SYMLINK_NOFOLLOW);
    return 0;
  }
  /* Device nodes, fifos and sockets: the node again (a socket is left out:
   * it has no meaning without its listener). */
  if (S_ISSOCK(st.st_mode))
    return 0;
  if (mknodat(dst, name, st.st_mode, st.st_rdev) < 0)
    return husk_fail(err, errno, "%s: mknod %s", what, name);
  if (fchownat(dst, name, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) < 0 ||
      fchmodat(dst, name, st.st_mode & 07777, 0) < 0)
    return husk_fail(err, errno, "%s: chown and chmod %s", what, name);
  return 0;
}
