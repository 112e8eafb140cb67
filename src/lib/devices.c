/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "devices.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "inroot.h"
#include "utils.h"

struct device {
  const char *path;
  char type;
  unsigned major, minor;
  mode_t mode;
  uid_t uid;
  gid_t gid;
};

/* Every container gets these, as with runc and crun. */
static const struct device default_devices[] = {
    {"/dev/null", 'c', 1, 3, 0666, 0, 0},    {"/dev/zero", 'c', 1, 5, 0666, 0, 0},
    {"/dev/full", 'c', 1, 7, 0666, 0, 0},    {"/dev/random", 'c', 1, 8, 0666, 0, 0},
    {"/dev/urandom", 'c', 1, 9, 0666, 0, 0}, {"/dev/tty", 'c', 5, 0, 0666, 0, 0},
};

static const struct {
  const char *target;
  const char *link;
} default_links[] = {
    {"/proc/self/fd", "/dev/fd"},
    {"/proc/self/fd/0", "/dev/stdin"},
    {"/proc/self/fd/1", "/dev/stdout"},
    {"/proc/self/fd/2", "/dev/stderr"},
};

/* In a user namespace mknod is refused: bind the host's node onto an empty
 * file instead, as runc does. */
static int bind_node(int dirfd, const char *name, const struct device *d, struct husk_error **err) {
  int f = openat(dirfd, name, O_CREAT | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (f < 0)
    return husk_fail(err, errno, "create %s", d->path);
  char target[HUSK_FD_PATH_MAX];
  husk_fd_path(f, target);
  int r = mount(d->path, target, NULL, MS_BIND, NULL);
  int e = errno;
  close(f);
  if (r < 0)
    return husk_fail(err, e, "bind the host's %s (no mknod in a user namespace)", d->path);
  return 0;
}

static int make_node(int rootfd, const struct device *d, bool userns, struct husk_error **err) {
  _cleanup_free_ char *buf = NULL;
  const char *name;
  if (strncmp(d->path, "/dev/", 5) != 0 && strcmp(d->path, "/dev") != 0)
    return husk_fail(err, 0, "linux.devices: %s is not under /dev", d->path);
  _cleanup_close_ int dir = husk_inroot_parent(rootfd, d->path, &buf, &name, err);
  if (dir < 0)
    return dir;
  mode_t type;
  switch (d->type) {
  case 'c':
  case 'u':
    type = S_IFCHR;
    break;
  case 'b':
    type = S_IFBLK;
    break;
  case 'p':
    type = S_IFIFO;
    break;
  default:
    return husk_fail(err, 0, "linux.devices: %s: unknown type \"%c\"", d->path, d->type);
  }
  /* mknodat needs a real directory fd, not an O_PATH one. */
  char fdpath[HUSK_FD_PATH_MAX];
  husk_fd_path(dir, fdpath);
  _cleanup_close_ int dirfd = open(fdpath, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
  if (dirfd < 0)
    return husk_fail(err, errno, "open the directory of %s", d->path);
  struct stat st;
  if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
    if (S_ISDIR(st.st_mode))
      return husk_fail(err, EISDIR, "create device %s", d->path);
    unlinkat(dirfd, name, 0);
  }
  if (userns)
    return bind_node(dirfd, name, d, err);
  if (mknodat(dirfd, name, type | (d->mode & 07777), makedev(d->major, d->minor)) < 0)
    return husk_fail(err, errno, "create device %s", d->path);
  if (fchownat(dirfd, name, d->uid, d->gid, AT_SYMLINK_NOFOLLOW) < 0)
    return husk_fail(err, errno, "chown device %s", d->path);
  return 0;
}

static int make_link(int rootfd, const char *target, const char *link, struct husk_error **err) {
  _cleanup_free_ char *buf = NULL;
  const char *name;
  _cleanup_close_ int dir = husk_inroot_parent(rootfd, link, &buf, &name, err);
  if (dir < 0)
    return dir;
  char fdpath[HUSK_FD_PATH_MAX];
  husk_fd_path(dir, fdpath);
  _cleanup_close_ int dirfd = open(fdpath, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
  if (dirfd < 0)
    return husk_fail(err, errno, "open the directory of %s", link);
  if (symlinkat(target, dirfd, name) < 0 && errno != EEXIST)
    return husk_fail(err, errno, "symlink %s", link);
  return 0;
}

/* /dev is set up unless the config binds one from elsewhere. */
static bool dev_is_bound(const struct oci_config *c) {
  for (size_t i = 0; i < c->mounts_len; i++) {
    const struct oci_mount *m = &c->mounts[i];
    if (strcmp(m->destination, "/dev") != 0)
      continue;
    if (m->type && strcmp(m->type, "bind") == 0)
      return true;
    for (size_t k = 0; k < m->options_len; k++)
      if (strcmp(m->options[k], "bind") == 0 || strcmp(m->options[k], "rbind") == 0)
        return true;
  }
  return false;
}

static bool has_mount(const struct oci_config *c, const char *dest) {
  for (size_t i = 0; i < c->mounts_len; i++)
    if (strcmp(c->mounts[i].destination, dest) == 0)
      return true;
  return false;
}

int husk_devices_setup(struct husk_init_ctx *ctx, int rootfd, struct husk_error **err) {
  const struct oci_config *c = ctx->config;
  if (dev_is_bound(c))
    return 0;
  /* husk itself may run in one: rootless podman starts the runtime in its own. */
  bool userns = ctx->ns->new_user_ns || ctx->ns->joined_user_ns || husk_in_user_namespace();
  mode_t old = umask(0);
  int ret = 0;
  for (size_t i = 0; i < ARRAY_SIZE(default_devices) && ret == 0; i++)
    ret = make_node(rootfd, &default_devices[i], userns, err);
  for (size_t i = 0; c->linux_ && i < c->linux_->devices_len && ret == 0; i++) {
    const struct oci_device *od = &c->linux_->devices[i];
    struct device d = {
        .path = od->path,
        .type = od->type[0],
        .major = (unsigned)od->major,
        .minor = (unsigned)od->minor,
        .mode = od->has_file_mode ? od->file_mode : 0666,
        .uid = od->has_uid ? od->uid : 0,
        .gid = od->has_gid ? od->gid : 0,
    };
    if (strlen(od->type) != 1)
      ret = husk_fail(err, 0, "linux.devices[%zu].type: unknown type \"%s\"", i, od->type);
    else
      ret = make_node(rootfd, &d, userns, err);
  }
  umask(old);
  for (size_t i = 0; i < ARRAY_SIZE(default_links) && ret == 0; i++)
    ret = make_link(rootfd, default_links[i].target, default_links[i].link, err);
  if (ret == 0 && access("/proc/kcore", F_OK) == 0)
    ret = make_link(rootfd, "/proc/kcore", "/dev/core", err);
  if (ret == 0 && has_mount(c, "/dev/pts")) {
    /* The devpts instance's own ptmx, not the host's. */
    _cleanup_free_ char *buf = NULL;
    const char *name;
    _cleanup_close_ int dir = husk_inroot_parent(rootfd, "/dev/ptmx", &buf, &name, err);
    if (dir < 0)
      return dir;
    char fdpath[HUSK_FD_PATH_MAX];
    husk_fd_path(dir, fdpath);
    _cleanup_close_ int dirfd = open(fdpath, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
    if (dirfd >= 0)
      unlinkat(dirfd, name, 0);
    ret = make_link(rootfd, "pts/ptmx", "/dev/ptmx", err);
  }
  return ret < 0 ? ret : 0;
}
