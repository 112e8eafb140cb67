/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "rootfs.h"

#include <errno.h>
#include <stddef.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "cgroup.h"
#include "copyup.h"
#include "devices.h"
#include "idmount.h"
#include "inroot.h"
#include "log.h"
#include "lsm.h"
#include "linux-abi.h"
#include "mountopts.h"
#include "utils.h"

/* The propagation asked by linux.rootfsPropagation (MS_* | MS_REC), or 0. */
static unsigned long rootfs_propagation(const struct oci_config *c) {
  const char *p = c->linux_ ? c->linux_->rootfs_propagation : NULL;
  if (p == NULL || p[0] == '\0')
    return 0;
  if (strcmp(p, "shared") == 0 || strcmp(p, "rshared") == 0)
    return MS_SHARED | MS_REC;
  if (strcmp(p, "slave") == 0 || strcmp(p, "rslave") == 0)
    return MS_SLAVE | MS_REC;
  if (strcmp(p, "private") == 0 || strcmp(p, "rprivate") == 0)
    return MS_PRIVATE | MS_REC;
  if (strcmp(p, "unbindable") == 0 || strcmp(p, "runbindable") == 0)
    return MS_UNBINDABLE | MS_REC;
  return (unsigned long)-1;
}

/* The MS_ flags of a mount's statvfs(2) flags that a remount must repeat. */
static unsigned long mount_flags_of(const struct statvfs *sv) {
  static const struct {
    unsigned long st, ms;
  } map[] = {
      {ST_NOSUID, MS_NOSUID},   {ST_NODEV, MS_NODEV},           {ST_NOEXEC, MS_NOEXEC},
      {ST_NOATIME, MS_NOATIME}, {ST_NODIRATIME, MS_NODIRATIME}, {ST_RELATIME, MS_RELATIME},
  };
  unsigned long f = 0;
  for (size_t i = 0; i < ARRAY_SIZE(map); i++)
    if (sv->f_flag & map[i].st)
      f |= map[i].ms;
  return f;
}

/* The flags a mount already has and that a bind remount must keep: in a user
 * namespace the kernel refuses to drop locked ones, and elsewhere it would
 * drop them (nosuid, nodev, noexec). 0, or -1 with errno set: a remount
 * without them must not happen. */
static int existing_flags(const char *path, unsigned long *out) {
  struct statvfs sv;
  if (statvfs(path, &sv) < 0)
    return -1;
  *out = mount_flags_of(&sv);
  return 0;
}

/* A read-only bind remount of `path` that keeps its other flags. */
static int remount_read_only(const char *path) {
  unsigned long keep;
  if (existing_flags(path, &keep) < 0)
    return -1;
  return mount(NULL, path, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | keep, NULL);
}

/* "rro", "rnosuid"...: mount_setattr(2) over the whole subtree. */
static int apply_recursive_attrs(const char *fdpath, const struct husk_mount_opts *o,
                                 const char *dest, struct husk_error **err) {
  if (o->rec_set == 0 && o->rec_clear == 0)
    return 0;
  struct mount_attr attr = {.attr_set = o->rec_set, .attr_clr = o->rec_clear};
  if (syscall(SYS_mount_setattr, AT_FDCWD, fdpath, AT_RECURSIVE, &attr, sizeof(attr)) < 0)
    return husk_fail(err, errno, "mount %s: recursive mount options need Linux 5.12", dest);
  return 0;
}

/* The destination as an O_PATH fd. With dest-nofollow a final symlink is
 * the destination itself (crun's option), else it is followed inside the
 * root. */
static int open_dest(int rootfd, const char *dest, enum husk_inroot_create create,
                     bool nofollow, struct husk_error **err) {
  if (nofollow) {
    _cleanup_free_ char *buf = NULL;
    const char *name;
    _cleanup_close_ int parent = husk_inroot_parent(rootfd, dest, &buf, &name, err);
    if (parent < 0)
      return parent;
    int fd = openat(parent, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
    if (fd >= 0 || errno != ENOENT)
      return fd >= 0 ? fd : husk_fail(err, errno, "open %s", dest);
  }
  return husk_inroot_open(rootfd, dest, create, err);
}

static bool is_symlink_fd(int fd) {
  struct stat st;
  return fstat(fd, &st) == 0 && S_ISLNK(st.st_mode);
}

/* A component of `dest` inside the root that is a symlink: its name in
 * *link. Missing components are not (they will be made as directories). */
static bool dest_through_symlink(int rootfd, const char *dest, char **link) {
  _cleanup_free_ char *copy = xstrdup(dest);
  _cleanup_close_ int dir = openat(rootfd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
  char *save = NULL;
  for (char *c = strtok_r(copy, "/", &save); c && dir >= 0; c = strtok_r(NULL, "/", &save)) {
    if (strcmp(c, ".") == 0)
      continue;
    int next = openat(dir, c, O_PATH | O_NOFOLLOW | O_CLOEXEC);
    if (next < 0)
      return false;
    close(dir);
    dir = next;
    if (is_symlink_fd(dir)) {
      *link = xasprintf("%.*s", (int)(c - copy + (ptrdiff_t)strlen(c)), dest);
      return true;
    }
  }
  return false;
}

/* copy-symlink (crun): a bind of a symlink makes the same symlink at the
 * destination; one that is already there must say the same. */
static int copy_symlink(const char *dest, const char *source, int rootfd,
                        struct husk_error **err) {
  char target[4096];
  ssize_t n = readlink(source, target, sizeof(target) - 1);
  if (n < 0)
    return husk_fail(err, errno, "mount %s: copy-symlink: readlink %s", dest, source);
  target[n] = '\0';
  _cleanup_free_ char *buf = NULL;
  const char *name;
  _cleanup_close_ int parent = husk_inroot_parent(rootfd, dest, &buf, &name, err);
  if (parent < 0)
    return parent;
  if (symlinkat(target, parent, name) == 0)
    return 0;
  if (errno != EEXIST)
    return husk_fail(err, errno, "mount %s: copy-symlink: symlink to %s", dest, target);
  char have[4096];
  n = readlinkat(parent, name, have, sizeof(have) - 1);
  if (n >= 0 && (size_t)n == strlen(target) && memcmp(have, target, (size_t)n) == 0)
    return 0;
  return husk_fail(err, EEXIST, "mount %s: copy-symlink: something else than a symlink to %s is there",
                   dest, target);
}

/* A bind through the new mount API, for what mount(2) would follow: the
 * source symlink itself (src-nofollow) or a symlink as the destination
 * (dest-nofollow). Linux 5.2. */
static int bind_nofollow(const char *source, bool src_nofollow, int dest_fd, bool recursive,
                         const char *dest, struct husk_error **err) {
  unsigned flags = OPEN_TREE_CLONE | O_CLOEXEC | (recursive ? AT_RECURSIVE : 0) |
                   (src_nofollow ? AT_SYMLINK_NOFOLLOW : 0);
  _cleanup_close_ int tree = (int)syscall(SYS_open_tree, AT_FDCWD, source, flags);
  if (tree < 0)
    return husk_fail(err, errno, "bind mount %s on %s%s", source, dest,
                     errno == ENOSYS ? " (src-nofollow and dest-nofollow need Linux 5.2)" : "");
  if (syscall(SYS_move_mount, tree, "", dest_fd, "",
              MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
    return husk_fail(err, errno, "bind mount %s on %s", source, dest);
  return 0;
}

/* Mount on the destination inside the rootfs, then re-resolve it (the new
 * mount sits on top of the fd we mounted on) for the remount steps. */
static int mount_bind(const char *dest, const char *source, int rootfd,
                      const struct husk_mount_opts *o, int idmap_fd, struct husk_error **err) {
  struct stat st;
  bool src_link = o->src_nofollow && lstat(source, &st) == 0 && S_ISLNK(st.st_mode);
  if (!src_link && stat(source, &st) < 0)
    return husk_fail(err, errno, "mount %s: source %s", dest, source);
  _cleanup_close_ int fd = open_dest(
      rootfd, dest, S_ISDIR(st.st_mode) ? HUSK_INROOT_MKDIR : HUSK_INROOT_MKFILE,
      o->dest_nofollow, err);
  if (fd < 0)
    return fd;
  char fdpath[HUSK_FD_PATH_MAX];
  husk_fd_path(fd, fdpath);
  unsigned long flags = MS_BIND | (o->recursive_bind ? MS_REC : 0);
  if (idmap_fd >= 0) {
    if (husk_idmount_attach(idmap_fd, fd, dest, err) < 0)
      return -EIO;
  } else if (src_link || is_symlink_fd(fd)) {
    if (bind_nofollow(source, src_link, fd, o->recursive_bind, dest, err) < 0)
      return -EIO;
    return 0; /* a symlink has no mount flags worth a remount */
  } else if (mount(source, fdpath, NULL, flags, NULL) < 0) {
    return husk_fail(err, errno, "bind mount %s on %s", source, dest);
  }
  _cleanup_close_ int top = open_dest(rootfd, dest, HUSK_INROOT_NOCREATE, o->dest_nofollow, err);
  if (top < 0)
    return top;
  husk_fd_path(top, fdpath);
  unsigned long remount = husk_mount_remount_flags(o);
  unsigned long keep;
  if (remount) {
    if (existing_flags(fdpath, &keep) < 0)
      return husk_fail(err, errno, "remount %s with its options: statfs", dest);
    remount |= keep;
    if (mount(NULL, fdpath, NULL, MS_BIND | MS_REMOUNT | remount, NULL) < 0)
      return husk_fail(err, errno, "remount %s with its options", dest);
  }
  if (o->propagation && mount(NULL, fdpath, NULL, o->propagation, NULL) < 0)
    return husk_fail(err, errno, "set propagation of %s", dest);
  /* "ro" on an rbind covers the mounts under it too: else a read-only /sys
   * would hold a writable /sys/fs/cgroup of the host (CVE-2023-25809). */
  if (o->recursive_bind && (o->flags & MS_RDONLY)) {
    struct mount_attr ro = {.attr_set = MOUNT_ATTR_RDONLY};
    if (syscall(SYS_mount_setattr, AT_FDCWD, fdpath, AT_RECURSIVE, &ro, sizeof(ro)) < 0) {
      if (errno != ENOSYS)
        return husk_fail(err, errno, "make the mounts under %s read-only", dest);
      husk_debug("mount %s: the mounts under it stay as they are (Linux < 5.12)", dest);
    }
  }
  return apply_recursive_attrs(fdpath, o, dest, err);
}

/* On v1 and hybrid hosts the container's /sys/fs/cgroup is a tmpfs with each
 * hierarchy's own cgroup of the container bound in, as runc does; on v2 it is
 * a cgroup2 mount (showing the container's cgroup as / in a cgroup ns). */
static int mount_cgroup(struct husk_init_ctx *ctx, const struct oci_mount *m, int rootfd,
                        const struct husk_mount_opts *o, struct husk_error **err) {
  _cleanup_close_ int fd = husk_inroot_open(rootfd, m->destination, HUSK_INROOT_MKDIR, err);
  if (fd < 0)
    return fd;
  char fdpath[HUSK_FD_PATH_MAX];
  husk_fd_path(fd, fdpath);
  unsigned long flags = o->flags & ~(unsigned long)MS_RDONLY;
  if (husk_cgroup_mode() == HUSK_CGROUP_V2) {
    if (mount("cgroup2", fdpath, "cgroup2", o->flags, NULL) == 0)
      return 0;
    if (errno != EPERM && errno != EBUSY)
      return husk_fail(err, errno, "mount cgroup2 on %s", m->destination);
    /* A user namespace without a cgroup namespace of its own may not mount
     * cgroup2 (EPERM; EBUSY over the host's, brought by a /sys rbind): bind
     * the container's own cgroup there instead, as runc does. */
    husk_debug("mount cgroup2 on %s: %s; binding the container's cgroup instead",
               m->destination, strerror(errno));
    _cleanup_free_ char *src = husk_cgroup_v2_dir(ctx->cgroup_path ? ctx->cgroup_path : "");
    return mount_bind(m->destination, src, rootfd, o, -1, err);
  }
  if (mount("tmpfs", fdpath, "tmpfs", flags, "mode=755") < 0)
    return husk_fail(err, errno, "mount tmpfs on %s", m->destination);
  _cleanup_close_ int top = husk_inroot_open(rootfd, m->destination, HUSK_INROOT_NOCREATE, err);
  if (top < 0)
    return top;
  size_t n;
  const struct husk_cgroup_hierarchy *hs = husk_cgroup_hierarchies(&n);
  for (size_t i = 0; i < n; i++) {
    const char *base = strrchr(hs[i].mountpoint, '/') + 1;
    _cleanup_free_ char *src = xasprintf("%s%s", hs[i].mountpoint,
                                         ctx->cgroup_path ? ctx->cgroup_path : "");
    if (mkdirat(top, base, 0755) < 0 && errno != EEXIST)
      return husk_fail(err, errno, "mkdir %s/%s", m->destination, base);
    _cleanup_close_ int sub = openat(top, base, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (sub < 0)
      return husk_fail(err, errno, "open %s/%s", m->destination, base);
    char subpath[HUSK_FD_PATH_MAX];
    husk_fd_path(sub, subpath);
    if (mount(src, subpath, NULL, MS_BIND | MS_REC, NULL) < 0)
      return husk_fail(err, errno, "bind %s on %s/%s", src, m->destination, base);
    _cleanup_close_ int subtop = openat(top, base, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    husk_fd_path(subtop, subpath);
    unsigned long keep;
    if (existing_flags(subpath, &keep) < 0)
      return husk_fail(err, errno, "remount %s/%s: statfs", m->destination, base);
    unsigned long remount = husk_mount_remount_flags(o) | keep;
    if (mount(NULL, subpath, NULL, MS_BIND | MS_REMOUNT | remount, NULL) < 0)
      return husk_fail(err, errno, "remount %s/%s", m->destination, base);
  }
  husk_fd_path(top, fdpath);
  if ((o->flags & MS_RDONLY) && remount_read_only(fdpath) < 0)
    return husk_fail(err, errno, "remount %s read-only", m->destination);
  return 0;
}

/* Remove "key=..." from a comma-separated option string, in place. */
static void drop_option(char *data, const char *key) {
  char *p = data;
  while ((p = strstr(p, key)) != NULL) {
    if (p != data && p[-1] != ',') {
      p++;
      continue;
    }
    char *end = strchr(p, ',');
    if (end)
      memmove(p, end + 1, strlen(end + 1) + 1);
    else if (p != data)
      p[-1] = '\0';
    else
      *p = '\0';
  }
}

/* Whether the data string has option `key` ("mode" finds "mode=0755"). */
static bool has_data_option(const char *data, const char *key) {
  size_t len = strlen(key);
  for (const char *p = data; p && *p;) {
    if (strncmp(p, key, len) == 0 && (p[len] == '=' || p[len] == ',' || p[len] == '\0'))
      return true;
    p = strchr(p, ',');
    p = p ? p + 1 : NULL;
  }
  return false;
}

/* linux.mountLabel where SELinux is on, else NULL: ignored, as runc does. */
static const char *mount_label(const struct oci_config *c) {
  const char *label = c->linux_ ? c->linux_->mount_label : NULL;
  return label && label[0] && husk_selinux_enabled() ? label : NULL;
}

/* `label` (or none) as the context= of the filesystems runc labels that
 * way (not proc, sysfs or cgroups, which have their own; mqueue takes an
 * xattr). */
static void add_mount_label(const char *label, const char *type, struct husk_mount_opts *o) {
  static const char *const unlabelled[] = {"proc", "sysfs", "cgroup", "cgroup2", "mqueue"};
  for (size_t i = 0; label && i < ARRAY_SIZE(unlabelled); i++)
    if (strcmp(type, unlabelled[i]) == 0)
      return;
  if (label == NULL || has_data_option(o->data, "context"))
    return;
  _cleanup_free_ char *opt = xasprintf("context=\"%s\"", label);
  husk_mount_opts_add_data(o, opt, false);
}

/* A filesystem (not a bind): tmpfs, proc, sysfs, devpts, mqueue ... A tmpfs
 * over an existing directory gets its mode unless the options give one (as
 * runc), and with tmpcopyup its content. */
static int mount_fs(struct husk_init_ctx *ctx, const struct oci_mount *m, const char *dest,
                    int rootfd, struct husk_mount_opts *o, struct husk_error **err) {
  const char *type = m->type ? m->type : "none";
  const char *label = mount_label(ctx->config);
  _cleanup_close_ int below = -1; /* the directory a copied-up tmpfs covers */
  _cleanup_close_ int fd = -1;
  if (strcmp(type, "tmpfs") == 0) {
    /* An existing directory is mounted on as it is: resolved once. */
    fd = husk_inroot_open(rootfd, dest, HUSK_INROOT_NOCREATE, NULL);
    struct stat st;
    if (fd >= 0 && fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
      if (!has_data_option(o->data, "mode")) {
        _cleanup_free_ char *mode = xasprintf("mode=%04o", (unsigned)(st.st_mode & 07777));
        husk_mount_opts_add_data(o, mode, true);
      }
      if (o->tmpcopyup && (below = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
        return husk_fail(err, errno, "mount %s: tmpcopyup: open the directory", dest);
    } else if (fd >= 0) {
      close(steal_fd(&fd));
    }
  }
  /* proc and sysfs where the rootfs has a symlink would be mounted
   * somewhere else than the masked and read-only paths name, and the LSM
   * labels written to another file: refused, as runc (CVE-2023-28642). */
  _cleanup_free_ char *link = NULL;
  if ((strcmp(type, "proc") == 0 || strcmp(type, "sysfs") == 0) &&
      dest_through_symlink(rootfd, dest, &link))
    return husk_fail(err, ELOOP, "mount %s (%s): %s is a symlink in the rootfs", dest, type, link);
  add_mount_label(label, type, o);
  if (fd < 0 && (fd = husk_inroot_open(rootfd, dest, HUSK_INROOT_MKDIR, err)) < 0)
    return fd;
  char fdpath[HUSK_FD_PATH_MAX];
  husk_fd_path(fd, fdpath);
  /* A tmpfs to copy into is made read-only once it is filled. */
  unsigned long flags = below >= 0 ? o->flags & ~(unsigned long)MS_RDONLY : o->flags;
  const char *source = m->source ? m->source : type;
  int mr = mount(source, fdpath, type, flags, o->data);
  if (mr < 0 && errno == EINVAL && strcmp(type, "devpts") == 0 && o->data &&
      strstr(o->data, "gid=")) {
    /* A gid= that the user namespace does not map: retry without, as runc. */
    drop_option(o->data, "gid=");
    mr = mount(source, fdpath, type, flags, o->data);
  }
  if (mr < 0)
    return husk_fail(err, errno, "mount %s (%s) on %s%s%s", source, type, dest,
                     o->data ? " with " : "", o->data ? o->data : "");
  bool xattr_label = label && strcmp(type, "mqueue") == 0;
  if (below < 0 && !xattr_label && !o->propagation && !o->rec_set && !o->rec_clear)
    return 0;
  _cleanup_close_ int top = husk_inroot_open(rootfd, dest, HUSK_INROOT_NOCREATE, err);
  if (top < 0)
    return top;
  husk_fd_path(top, fdpath);
  if (xattr_label && setxattr(fdpath, "security.selinux", label, strlen(label) + 1, 0) < 0)
    return husk_fail(err, errno, "linux.mountLabel: label %s", dest);
  if (below >= 0) {
    _cleanup_close_ int into = openat(top, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    _cleanup_free_ char *what = xasprintf("mount %s: tmpcopyup", dest);
    if (into < 0)
      return husk_fail(err, errno, "%s: open the tmpfs", what);
    if ((!has_data_option(o->data, "uid") && !has_data_option(o->data, "gid") &&
         husk_copy_dir_owner_mode(below, into, what, err) < 0) ||
        husk_copy_tree(below, into, what, err) < 0)
      return -EIO;
    if ((o->flags & MS_RDONLY) && remount_read_only(fdpath) < 0)
      return husk_fail(err, errno, "remount %s read-only", dest);
  }
  if (o->propagation && mount(NULL, fdpath, NULL, o->propagation, NULL) < 0)
    return husk_fail(err, errno, "set propagation of %s", dest);
  return apply_recursive_attrs(fdpath, o, dest, err);
}

static int mount_one(struct husk_init_ctx *ctx, const struct oci_mount *m, int rootfd,
                     struct husk_error **err) {
  struct husk_mount_opts o;
  int ret = husk_mount_opts_parse(m->options, m->options_len, m->type, &o, err);
  if (ret < 0) {
    husk_mount_opts_clear(&o);
    return ret;
  }
  /* A relative destination is relative to the container's root (the
   * runtime-spec 1.2, as runc). */
  _cleanup_free_ char *dest =
      m->destination[0] == '/' ? xstrdup(m->destination) : xasprintf("/%s", m->destination);
  if (o.bind) {
    if (m->source == NULL) {
      ret = husk_fail(err, 0, "mount %s: a bind mount needs a source", dest);
    } else {
      _cleanup_free_ char *src = m->source[0] == '/' ? xstrdup(m->source)
                                                     : xasprintf("%s/%s", ctx->bundle, m->source);
      struct stat st;
      if (o.copy_symlink && lstat(src, &st) == 0 && S_ISLNK(st.st_mode))
        ret = copy_symlink(dest, src, rootfd, err);
      else
        ret = mount_bind(dest, src, rootfd, &o,
                         ctx->idmap_fds ? ctx->idmap_fds[m - ctx->config->mounts] : -1, err);
    }
  } else if (m->type && strcmp(m->type, "cgroup") == 0) {
    struct oci_mount at = *m;
    at.destination = dest;
    ret = mount_cgroup(ctx, &at, rootfd, &o, err);
  } else {
    ret = mount_fs(ctx, m, dest, rootfd, &o, err);
  }
  husk_mount_opts_clear(&o);
  return ret < 0 ? ret : 0;
}

/* The rootfs' /dev/null, kept for masking only when it really is the null
 * device (1:3): a /dev bound from elsewhere could make it a symlink or a
 * file that masking would then expose (CVE-2025-31133). */
static int open_null_device(int rootfd) {
  int dev = openat(rootfd, "dev", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (dev < 0)
    return -1;
  int fd = openat(dev, "null", O_PATH | O_NOFOLLOW | O_CLOEXEC);
  close(dev);
  struct stat st;
  if (fd >= 0 && (fstat(fd, &st) < 0 || !S_ISCHR(st.st_mode) || st.st_rdev != makedev(1, 3))) {
    close(fd);
    fd = -1;
  }
  return fd;
}

/* pivot_root(".", ".") stacks the old root on the new one; detaching it
 * leaves only the container's root. Only ever in a mount namespace husk made
 * or was told to join: never in the caller's. */
static int do_pivot(const char *rootfs, struct husk_error **err) {
  _cleanup_close_ int oldroot = open("/", O_DIRECTORY | O_RDONLY | O_CLOEXEC);
  _cleanup_close_ int newroot = open(rootfs, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
  if (oldroot < 0 || newroot < 0)
    return husk_fail(err, errno, "open %s", rootfs);
  if (fchdir(newroot) < 0)
    return husk_fail(err, errno, "chdir %s", rootfs);
  if (syscall(SYS_pivot_root, ".", ".") < 0)
    return husk_fail(err, errno, "pivot_root %s", rootfs);
  if (fchdir(oldroot) < 0)
    return husk_fail(err, errno, "chdir to the old root");
  /* Keep the unmount from propagating back to the host. */
  if (mount(NULL, ".", NULL, MS_SLAVE | MS_REC, NULL) < 0)
    return husk_fail(err, errno, "make the old root a slave");
  if (umount2(".", MNT_DETACH) < 0)
    return husk_fail(err, errno, "detach the old root");
  if (chdir("/") < 0)
    return husk_fail(err, errno, "chdir /");
  return 0;
}

/* --no-pivot: for roots on ramfs, where pivot_root is refused. */
static int do_move_root(const char *rootfs, struct husk_error **err) {
  if (chdir(rootfs) < 0)
    return husk_fail(err, errno, "chdir %s", rootfs);
  if (mount(rootfs, "/", NULL, MS_MOVE, NULL) < 0)
    return husk_fail(err, errno, "move %s to /", rootfs);
  return chroot(".") < 0 || chdir("/") < 0 ? husk_fail(err, errno, "chroot %s", rootfs) : 0;
}

static int do_chroot(const char *rootfs, struct husk_error **err) {
  if (chroot(rootfs) < 0 || chdir("/") < 0)
    return husk_fail(err, errno, "chroot %s", rootfs);
  return 0;
}

/* pivot_root refuses a new root whose parent mount is shared: find the mount
 * holding the rootfs and make it private (in our namespace only). */
static void make_parent_mount_private(const char *rootfs) {
  FILE *f = fopen("/proc/self/mountinfo", "re");
  if (f == NULL)
    return;
  char *line = NULL, best[4096] = "/";
  size_t cap = 0, best_len = 1;
  while (getline(&line, &cap, f) > 0) {
    char mnt[4096];
    if (sscanf(line, "%*s %*s %*s %*s %4095s", mnt) != 1)
      continue;
    size_t len = strlen(mnt);
    if (len > best_len && strncmp(rootfs, mnt, len) == 0 && (rootfs[len] == '/' || rootfs[len] == '\0')) {
      snprintf(best, sizeof(best), "%s", mnt);
      best_len = len;
    }
  }
  free(line);
  fclose(f);
  mount(NULL, best, NULL, MS_PRIVATE, NULL);
}

int husk_rootfs_prepare(struct husk_init_ctx *ctx, struct husk_error **err) {
  const struct oci_config *c = ctx->config;
  unsigned long propagation = rootfs_propagation(c);
  if (propagation == (unsigned long)-1)
    return husk_fail(err, 0, "linux.rootfsPropagation: unknown value \"%s\"",
                     c->linux_->rootfs_propagation);
  /* Only a mount namespace husk made itself is ever pivoted or has its
   * propagation changed: a joined one may be the host's. */
  bool own_ns = ctx->ns->new_mount_ns;

  if (own_ns) {
    /* Stop our mounts from reaching the host, and the host's from us unless
     * asked. An unbindable root could not be bound on itself, nor give
     * bind mounts their sources: private until husk_rootfs_finalize makes
     * the container's root unbindable (as crun does). */
    unsigned long now = propagation == 0                 ? MS_SLAVE | MS_REC
                        : (propagation & MS_UNBINDABLE) ? MS_PRIVATE | MS_REC
                                                        : propagation;
    if (mount(NULL, "/", NULL, now, NULL) < 0)
      return husk_fail(err, errno, "set the propagation of /");
    /* Every other choice already left no mount shared. */
    if (propagation & MS_SHARED)
      make_parent_mount_private(ctx->rootfs);
  }
  /* A mount point of its own, to pivot into or to make read-only. In the
   * caller's mount namespace (as runc) only when root.readonly asks. */
  if ((own_ns || (c->root && c->root->readonly)) &&
      mount(ctx->rootfs, ctx->rootfs, NULL, MS_BIND | MS_REC, NULL) < 0)
    return husk_fail(err, errno, "bind the rootfs %s on itself%s", ctx->rootfs,
                     errno == EACCES && ctx->ns->new_user_ns
                         ? " (the user namespace's root must be able to reach it)"
                         : "");
  husk_phase("propagation");

  _cleanup_close_ int rootfd = open(ctx->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (rootfd < 0)
    return husk_fail(err, errno, "rootfs %s", ctx->rootfs);
  for (size_t i = 0; i < c->mounts_len; i++) {
    if (mount_one(ctx, &c->mounts[i], rootfd, err) < 0) {
      husk_error_prefix(err, "mounts[%zu]: ", i);
      return -EIO;
    }
  }
  husk_phase("mounts");
  if (husk_devices_setup(ctx, rootfd, err) < 0)
    return -EIO;
  /* The process's cwd is made now, as runc does: root.readonly would
   * refuse it later. */
  const char *cwd = c->process ? c->process->cwd : NULL;
  if (cwd && cwd[0] == '/') {
    int fd = husk_inroot_open(rootfd, cwd, HUSK_INROOT_MKDIR, err);
    if (fd < 0) {
      husk_error_prefix(err, "process.cwd: ");
      return fd;
    }
    close(fd);
  }
  ctx->devnull_fd = open_null_device(rootfd);
  husk_phase("devices");
  return 0;
}

int husk_rootfs_pivot(struct husk_init_ctx *ctx, struct husk_error **err) {
  bool own_ns = ctx->ns->new_mount_ns;
  int r;
  if (!own_ns)
    r = do_chroot(ctx->rootfs, err);
  else if (ctx->no_pivot)
    r = do_move_root(ctx->rootfs, err);
  else
    r = do_pivot(ctx->rootfs, err);
  husk_phase("pivot");
  return r;
}

/* mount(2) takes paths only: reach an O_PATH fd through the host's /proc
 * (kept open across pivot_root), since the container may have no /proc. */
static int mount_on_fd(struct husk_init_ctx *ctx, const char *source, int fd, const char *type,
                       unsigned long flags, const char *data) {
  char rel[HUSK_FD_PATH_MAX];
  snprintf(rel, sizeof(rel), "self/fd/%d", fd);
  if (ctx->proc_fd < 0 || fchdir(ctx->proc_fd) < 0)
    return -1;
  int r = mount(source, rel, type, flags, data);
  int e = errno;
  if (chdir("/") < 0)
    return -1;
  errno = e;
  return r;
}

/* Files are masked with the /dev/null checked before the root switch,
 * reached through its fd, never by the path (CVE-2025-31133). */
static int mask_file(struct husk_init_ctx *ctx, int target) {
  char source[HUSK_FD_PATH_MAX];
  if (ctx->devnull_fd < 0) {
    errno = ENODEV; /* "No such device": /dev/null is not the null device */
    return -1;
  }
  snprintf(source, sizeof(source), "self/fd/%d", ctx->devnull_fd);
  return mount_on_fd(ctx, source, target, NULL, MS_BIND, NULL);
}

/* A masked path gets /dev/null (files) or an empty read-only tmpfs (dirs).
 * It is resolved inside the root and never through a magic link. */
static int mask_path(struct husk_init_ctx *ctx, int rootfd, const char *path,
                     struct husk_error **err) {
  _cleanup_close_ int target = husk_inroot_open(rootfd, path, HUSK_INROOT_NOCREATE, NULL);
  if (target == -ENOENT || target == -ENOTDIR)
    return 0; /* nothing there to mask */
  /* Any other failure (no fd left, no memory) must not leave it unmasked. */
  if (target < 0)
    return husk_fail(err, -target, "maskedPaths: open %s", path);
  struct stat st;
  if (fstat(target, &st) < 0)
    return husk_fail(err, errno, "maskedPaths: stat %s", path);
  const char *label = mount_label(ctx->config);
  _cleanup_free_ char *data = label ? xasprintf("size=0,mode=755,context=\"%s\"", label)
                                    : xstrdup("size=0,mode=755");
  int r = S_ISDIR(st.st_mode) ? mount_on_fd(ctx, "tmpfs", target, "tmpfs", MS_RDONLY, data)
                              : mask_file(ctx, target);
  if (r < 0)
    return husk_fail(err, errno, "maskedPaths: mask %s", path);
  return 0;
}

static int readonly_path(struct husk_init_ctx *ctx, int rootfd, const char *path,
                         struct husk_error **err) {
  _cleanup_close_ int target = husk_inroot_open(rootfd, path, HUSK_INROOT_NOCREATE, NULL);
  if (target == -ENOENT || target == -ENOTDIR)
    return 0;
  if (target < 0)
    return husk_fail(err, -target, "readonlyPaths: open %s", path);
  /* Relative: mount_on_fd resolves it in the host's /proc too. */
  char fdpath[HUSK_FD_PATH_MAX];
  snprintf(fdpath, sizeof(fdpath), "self/fd/%d", target);
  if (mount_on_fd(ctx, fdpath, target, NULL, MS_BIND | MS_REC, NULL) < 0)
    return husk_fail(err, errno, "readonlyPaths: bind %s", path);
  _cleanup_close_ int top = husk_inroot_open(rootfd, path, HUSK_INROOT_NOCREATE, err);
  if (top < 0)
    return top;
  struct statvfs sv;
  if (fstatvfs(top, &sv) < 0)
    return husk_fail(err, errno, "readonlyPaths: statfs %s", path);
  unsigned long keep = mount_flags_of(&sv) & (MS_NOSUID | MS_NODEV | MS_NOEXEC);
  if (mount_on_fd(ctx, NULL, top, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | keep, NULL) < 0)
    return husk_fail(err, errno, "readonlyPaths: remount %s read-only", path);
  return 0;
}

/* stdio that is the caller's /dev/null (an engine's stdin, say) becomes the
 * container's own, as runc does: a file of a mount outside the container
 * is one CRIU cannot checkpoint. Only the real null device replaces it. */
static void reopen_dev_null(void) {
  _cleanup_close_ int null = open("/dev/null", O_RDWR | O_NOFOLLOW | O_CLOEXEC);
  struct stat ours, st;
  if (null < 0 || fstat(null, &ours) < 0 || !S_ISCHR(ours.st_mode) ||
      ours.st_rdev != makedev(1, 3))
    return;
  for (int fd = 0; fd < 3; fd++)
    if (fstat(fd, &st) == 0 && S_ISCHR(st.st_mode) && st.st_rdev == ours.st_rdev &&
        (st.st_dev != ours.st_dev || st.st_ino != ours.st_ino))
      dup3(null, fd, 0);
}

int husk_rootfs_finalize(struct husk_init_ctx *ctx, struct husk_error **err) {
  const struct oci_config *c = ctx->config;
  const struct oci_linux *l = c->linux_;
  _cleanup_close_ int rootfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (rootfd < 0)
    return husk_fail(err, errno, "open /");
  if (l && (l->masked_paths_len || l->readonly_paths_len) && !ctx->ns->new_mount_ns)
    return husk_fail(err, 0,
                     "linux.maskedPaths and linux.readonlyPaths need a new mount namespace: "
                     "add {\"type\": \"mount\"} to linux.namespaces or remove them");
  for (size_t i = 0; l && i < l->masked_paths_len; i++)
    if (mask_path(ctx, rootfd, l->masked_paths[i], err) < 0)
      return -EIO;
  for (size_t i = 0; l && i < l->readonly_paths_len; i++)
    if (readonly_path(ctx, rootfd, l->readonly_paths[i], err) < 0)
      return -EIO;
  if (c->root && c->root->readonly) {
    if (remount_read_only("/") < 0)
      return husk_fail(err, errno, "remount the root read-only");
  }
  unsigned long propagation = rootfs_propagation(c);
  if (ctx->ns->new_mount_ns && propagation && mount(NULL, "/", NULL, propagation, NULL) < 0)
    return husk_fail(err, errno, "set the propagation of the root");
  if (ctx->ns->new_mount_ns)
    reopen_dev_null();
  husk_phase("finalize rootfs");
  return 0;
}
