/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "pidfd.h"

#include <errno.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "linux-abi.h"

int husk_pidfd_open(pid_t pid) {
  int fd = (int)syscall(SYS_pidfd_open, pid, 0);
  if (fd < 0)
    return -errno;
  /* pidfd_open's fds are close-on-exec already. */
  return fd;
}

int husk_pidfd_send_signal(int pidfd, int sig) {
  if (syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0) < 0)
    return -errno;
  return 0;
}
