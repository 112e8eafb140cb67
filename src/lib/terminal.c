/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "terminal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include "fd-socket.h"
#include "linux-abi.h"
#include "utils.h"

int husk_console_socket_connect(const char *path, struct husk_error **err) {
  return husk_fd_socket_connect("--console-socket", path, err);
}

/* The init's pty is /dev/console too, as in runc. Bound from the pty we
 * hold, never by its name (/dev/pts/N could be made to lead to a masked or
 * read-only file), onto the /dev/console opened without following a
 * symlink, through its fd: a symlink or mount raced onto /dev/console
 * cannot send the pty elsewhere (CVE-2025-52565). */
static void bind_console(int slave) {
  int f = open("/dev/console", O_CREAT | O_WRONLY | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC, 0600);
  if (f < 0)
    return;
  close(f);
  _cleanup_close_ int target = open("/dev/console", O_PATH | O_NOFOLLOW | O_CLOEXEC);
  struct stat st;
  if (target < 0 || fstat(target, &st) < 0 || !(S_ISREG(st.st_mode) || S_ISCHR(st.st_mode)))
    return;
  _cleanup_close_ int tree =
      (int)syscall(SYS_open_tree, slave, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
  if (tree >= 0)
    syscall(SYS_move_mount, tree, "", target, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH);
}

int husk_terminal_setup(const struct oci_process *p, int socket_fd, bool console,
                        struct husk_error **err) {
  _cleanup_close_ int master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (master < 0)
    return husk_fail(err, errno, "process.terminal: open /dev/ptmx in the container (is /dev/pts mounted?)");
  if (unlockpt(master) < 0)
    return husk_fail(err, errno, "process.terminal: unlockpt");
  int slave = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
  char name[64] = "";
  if (ptsname_r(master, name, sizeof(name)) != 0)
    name[0] = '\0';
  if (slave < 0 && name[0])
    slave = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (slave < 0)
    return husk_fail(err, errno, "process.terminal: open the pty slave");
  if (p->console_size) {
    struct winsize ws = {.ws_row = (unsigned short)p->console_size->height,
                         .ws_col = (unsigned short)p->console_size->width};
    ioctl(slave, TIOCSWINSZ, &ws);
  }
  if (console)
    bind_console(slave);
  int r = husk_fd_socket_send(socket_fd, master, name[0] ? name : "/dev/ptmx");
  if (r < 0) {
    close(slave);
    return husk_fail(err, -r, "--console-socket: send the pty master");
  }
  for (int fd = 0; fd < 3; fd++) {
    if (dup2(slave, fd) < 0) {
      close(slave);
      return husk_fail(err, errno, "process.terminal: dup2");
    }
  }
  close(slave);
  if (ioctl(0, TIOCSCTTY, 0) < 0)
    return husk_fail(err, errno, "process.terminal: make the pty the controlling terminal");
  return 0;
}

int husk_terminal_recv_master(int socket_fd, struct husk_error **err) {
  char name[128];
  char buf[CMSG_SPACE(sizeof(int))];
  struct iovec iov = {.iov_base = name, .iov_len = sizeof(name)};
  struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = buf,
                       .msg_controllen = sizeof(buf)};
  ssize_t r;
  do
    r = recvmsg(socket_fd, &msg, MSG_CMSG_CLOEXEC);
  while (r < 0 && errno == EINTR);
  if (r < 0)
    return husk_fail(err, errno, "receive the container's terminal");
  struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg);
  if (cmsg == NULL || cmsg->cmsg_type != SCM_RIGHTS)
    return husk_fail(err, 0, "receive the container's terminal: no fd came");
  int fd;
  memcpy(&fd, CMSG_DATA(cmsg), sizeof(int));
  return fd;
}
