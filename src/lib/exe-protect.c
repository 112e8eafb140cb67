/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Re-execute husk from a copy of itself that cannot be written.
 *
 * Until 'start', the container's pid 1 is a clone of husk, and so is each
 * process of 'exec' until it calls execve: /proc/PID/exe inside the container
 * then leads to the host's husk binary. A process there with CAP_SYS_PTRACE
 * could open it and, once husk has moved on, write through that fd: the next
 * husk run as root would be the container's code (CVE-2019-5736). So the
 * library's entry points that make such processes first re-execute the
 * program from a binary that refuses writes:
 *
 *   1. the same file seen through an overlayfs mount that is read-only and
 *      attached nowhere (fsopen/fsmount: in no mount table, gone with its
 *      last reference; nothing is copied, the page cache is shared), or,
 *      where overlayfs may not be mounted (an unprivileged caller),
 *   2. a sealed memfd copy of the binary, as runc and crun do.
 *
 * The re-executed image sees that its binary is read-only and goes on.
 *
 * The re-execution runs the program from main again, with the arguments it
 * was started with: those husk_lib_init() copied, or else the kernel's copy
 * in /proc/self/cmdline. The copy wins because /proc/self/cmdline shows the
 * argument strings as they are now: a program that has rewritten them (a
 * process title, an option parser that cuts "KEY=VALUE" in place) would be
 * restarted with other arguments than it was given. */
#include "exe-protect.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "linux-abi.h"
#include "log.h"
#include "utils.h"

extern char **environ;

/* A detached mount of a new `fstype` made with `key`=`value` (key NULL: none).
 */
static int detached_mount(const char *fstype, const char *key, const char *value,
                          unsigned int attrs) {
  int fs = (int)syscall(SYS_fsopen, fstype, FSOPEN_CLOEXEC);
  if (fs < 0)
    return -errno;
  int mnt = -1;
  if ((key == NULL || syscall(SYS_fsconfig, fs, FSCONFIG_SET_STRING, key, value, 0) == 0) &&
      syscall(SYS_fsconfig, fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) == 0)
    mnt = (int)syscall(SYS_fsmount, fs, FSMOUNT_CLOEXEC, attrs);
  int e = errno;
  close(fs);
  return mnt < 0 ? -e : mnt;
}

/* The binary through a read-only overlay of its directory and `second`:
 * overlayfs wants two lower layers when it has no upper one, and the binary's
 * directory, found first, hides the other's files of the same name. */
static int open_through_overlay(const char *exe, const char *second, int *err) {
  const char *slash = strrchr(exe, '/');
  if (exe[0] != '/' || slash == NULL || strpbrk(exe, ",:\\") != NULL) {
    *err = EINVAL;
    return -1;
  }
  _cleanup_free_ char *dir = slash == exe ? xstrdup("/") : strndup(exe, (size_t)(slash - exe));
  _cleanup_free_ char *lower = xasprintf("%s:%s", dir, second);
  _cleanup_close_ int overlay = detached_mount(
      "overlay", "lowerdir", lower, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV);
  if (overlay < 0) {
    *err = -overlay;
    return -1;
  }
  int fd = openat(overlay, slash + 1, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    *err = errno;
  return fd;
}

/* The second layer is /dev: always there, and a mount of its own, so it
 * cannot overlap the binary's directory unless the binary is in it. Else an
 * empty tmpfs, detached too; it costs one more mount to make and, above
 * all, to take down (each waits for an RCU grace period). */
static int open_read_only_view(const char *exe, int *err) {
  int fd = open_through_overlay(exe, "/dev", err);
  if (fd >= 0)
    return fd;
  _cleanup_close_ int empty = detached_mount("tmpfs", NULL, NULL, MOUNT_ATTR_RDONLY);
  if (empty < 0) {
    *err = -empty;
    return -1;
  }
  char second[64];
  snprintf(second, sizeof(second), "/proc/self/fd/%d", empty);
  return open_through_overlay(exe, second, err);
}

/* A sealed memfd holding a copy of the binary. */
static int sealed_copy(int *err) {
  _cleanup_close_ int src = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
  struct stat st;
  if (src < 0 || fstat(src, &st) < 0) {
    *err = errno;
    return -1;
  }
  int fd = (int)syscall(SYS_memfd_create, "husk", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (fd < 0) {
    *err = errno;
    return -1;
  }
  for (off_t done = 0; done < st.st_size;) {
    ssize_t n = sendfile(fd, src, NULL, (size_t)(st.st_size - done));
    if (n <= 0) {
      *err = n < 0 ? errno : EIO;
      close(fd);
      return -1;
    }
    done += n;
  }
  if (fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) < 0) {
    *err = errno;
    close(fd);
    return -1;
  }
  return fd;
}

/* Already safe: a sealed memfd, or a file on a read-only mount (after the
 * re-exec, or husk installed on a read-only /usr). */
static bool exe_is_read_only(void) {
  _cleanup_close_ int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return false;
  int seals = fcntl(fd, F_GET_SEALS);
  if (seals >= 0 && (seals & F_SEAL_WRITE))
    return true;
  struct statvfs sv;
  return fstatvfs(fd, &sv) == 0 && (sv.f_flag & ST_RDONLY);
}

/* main's arguments, copied by husk_lib_init(); NULL: it was not called. */
static char **lib_argv;

void husk_lib_init(int argc, char **argv) {
  if (lib_argv != NULL || argc < 0 || argv == NULL)
    return;
  char **copy = calloc((size_t)argc + 1, sizeof(char *));
  if (copy == NULL)
    return; /* /proc/self/cmdline will do */
  for (int i = 0; i < argc; i++)
    copy[i] = xstrdup(argv[i]);
  lib_argv = copy;
}

/* /proc/self/cmdline's text (NUL-terminated strings one after the other,
 * the last NUL missing where the program has overwritten it; read_file
 * adds one after the text) as an argv that points into it. */
static char **split_cmdline(char *text, size_t len) {
  size_t argc = 0;
  for (size_t i = 0; i < len; i++)
    argc += text[i] == '\0' || i == len - 1;
  char **argv = calloc(argc + 1, sizeof(char *));
  if (argv == NULL)
    return NULL;
  for (size_t i = 0, pos = 0; i < argc; i++) {
    argv[i] = text + pos;
    pos += strlen(text + pos) + 1;
  }
  return argv;
}

int husk_exe_protect(struct husk_error **err) {
  if (exe_is_read_only())
    return 0;
  char exe[PATH_MAX];
  ssize_t len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
  if (len < 0)
    return husk_fail(err, errno, "readlink /proc/self/exe");
  exe[len] = '\0';

  int overlay_err = 0, memfd_err = 0;
  _cleanup_close_ int fd = open_read_only_view(exe, &overlay_err);
  if (fd < 0) {
    husk_debug("exe: overlayfs over %s: %s; using a sealed copy", exe, strerror(overlay_err));
    fd = sealed_copy(&memfd_err);
  }
  if (fd < 0)
    return husk_fail(err, memfd_err,
                     "cannot make a read-only copy of %s to run containers "
                     "from (overlayfs: %s; "
                     "memfd)",
                     exe, strerror(overlay_err));
  _cleanup_free_ char *cmdline = NULL;
  _cleanup_free_ char **cmdline_argv = NULL;
  char **argv = lib_argv;
  if (argv == NULL) {
    size_t n = 0;
    if (read_file("/proc/self/cmdline", &cmdline, &n, 0, err) < 0)
      return -EIO;
    if ((argv = cmdline_argv = split_cmdline(cmdline, n)) == NULL)
      return husk_fail(err, ENOMEM, "read /proc/self/cmdline");
  }
  syscall(SYS_execveat, fd, "", argv, environ, AT_EMPTY_PATH);
  return husk_fail(err, errno, "re-execute %s from its read-only copy", exe);
}
