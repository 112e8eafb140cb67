/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Writes to /proc that cannot be redirected (CVE-2025-52881).
 *
 * A container that shares a mount namespace with another, or whose config
 * binds something onto /proc, can put a mount over the very file husk is
 * about to write (/proc/sys/kernel/domainname, /proc/self/attr/exec) so that
 * the write lands in another procfs file (/proc/sysrq-trigger) or on the
 * host. So husk writes through a procfs of its own that nobody else can
 * mount on, as runc 1.2.8 does, resolves paths there without crossing a
 * mount or following a magic link, and checks that what it opened is a
 * procfs file. */
#include "procfs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "linux-abi.h"
#include "utils.h"

#ifndef PROC_SUPER_MAGIC
#define PROC_SUPER_MAGIC 0x9fa0
#endif
#define PROC_ROOT_INO 1

static bool on_procfs(int fd) {
  struct statfs sf;
  return fstatfs(fd, &sf) == 0 && sf.f_type == PROC_SUPER_MAGIC;
}

/* `fd` is the root of a procfs, or it is closed. */
static int checked_root(int fd) {
  struct stat st;
  if (fd < 0)
    return -errno;
  if (!on_procfs(fd) || fstat(fd, &st) < 0 || st.st_ino != PROC_ROOT_INO) {
    close(fd);
    return -EXDEV;
  }
  return fd;
}

static int new_instance(void) {
  int fs = (int)syscall(SYS_fsopen, "proc", FSOPEN_CLOEXEC);
  if (fs < 0)
    return -errno;
  int mnt = -1;
  if (syscall(SYS_fsconfig, fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) == 0)
    mnt = (int)syscall(SYS_fsmount, fs, FSMOUNT_CLOEXEC,
                       MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
  int e = errno;
  close(fs);
  errno = e;
  return checked_root(mnt);
}

int husk_procfs_open(void) {
  int fd = new_instance();
  if (fd >= 0)
    return fd;
  /* A new procfs is refused in a user namespace whose /proc has masked
   * parts: a clone of /proc without the mounts on it will do. */
  fd = checked_root((int)syscall(SYS_open_tree, AT_FDCWD, "/proc", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC));
  if (fd >= 0)
    return fd;
  /* Unprivileged: /proc as it is; husk_procfs_write still refuses to
   * cross a mount there. */
  return checked_root(open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC));
}

static int open_for_write(int proc_fd, const char *path) {
  struct open_how how = {
      .flags = O_WRONLY | O_CLOEXEC | O_NOCTTY,
      .resolve = RESOLVE_BENEATH | RESOLVE_NO_XDEV | RESOLVE_NO_MAGICLINKS,
  };
  int fd = (int)syscall(SYS_openat2, proc_fd, path, &how, sizeof(how));
  if (fd < 0 && errno == ENOSYS)
    fd = openat(proc_fd, path, O_WRONLY | O_CLOEXEC | O_NOCTTY); /* Linux < 5.6 */
  if (fd >= 0 && !on_procfs(fd)) {
    close(fd);
    errno = EXDEV;
    return -1;
  }
  return fd;
}

int husk_procfs_write(int proc_fd, const char *path, const char *value) {
  if (proc_fd < 0) { /* husk_procfs_open's error */
    errno = proc_fd < -1 ? -proc_fd : EBADF;
    return -1;
  }
  _cleanup_close_ int fd = open_for_write(proc_fd, path);
  if (fd < 0)
    return -1;
  int r = write_all(fd, value, strlen(value));
  if (r < 0) {
    errno = -r;
    return -1;
  }
  return 0;
}
