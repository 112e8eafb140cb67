/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "fd-socket.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

int husk_fd_socket_connect(const char *option, const char *path, struct husk_error **err) {
  struct stat st;
  if (stat(path, &st) < 0)
    return husk_fail(err, errno, "%s %s", option, path);
  if (!S_ISSOCK(st.st_mode))
    return husk_fail(err, 0, "%s %s: not a unix socket", option, path);
  struct sockaddr_un addr = {.sun_family = AF_UNIX};
  if (strlen(path) >= sizeof(addr.sun_path))
    return husk_fail(err, ENAMETOOLONG, "%s %s", option, path);
  strcpy(addr.sun_path, path);
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return husk_fail(err, errno, "%s: socket", option);
  if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
    int e = errno;
    close(fd);
    return husk_fail(err, e, "%s %s: connect", option, path);
  }
  return fd;
}

int husk_fd_socket_send(int socket_fd, int fd, const char *payload) {
  char buf[CMSG_SPACE(sizeof(int))];
  memset(buf, 0, sizeof(buf));
  struct iovec iov = {.iov_base = (void *)payload, .iov_len = strlen(payload)};
  struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = buf,
                       .msg_controllen = sizeof(buf)};
  struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg);
  cmsg->cmsg_level = SOL_SOCKET;
  cmsg->cmsg_type = SCM_RIGHTS;
  cmsg->cmsg_len = CMSG_LEN(sizeof(int));
  memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));
  ssize_t r;
  do
    r = sendmsg(socket_fd, &msg, MSG_NOSIGNAL);
  while (r < 0 && errno == EINTR);
  return r < 0 ? -errno : 0;
}

int husk_pidfd_socket_send(int socket_fd, int pidfd, const char *payload, const char *path,
                           struct husk_error **err) {
  /* runc opens the pidfd with pidfd_open (Linux 5.3); husk has it from
   * clone3 or pidfd_open, so without either there is nothing to send. */
  if (pidfd < 0)
    return husk_fail(err, ENOSYS, "--pidfd-socket %s: no pidfd for the process (Linux 5.3 or later is needed)",
                     path);
  int r = husk_fd_socket_send(socket_fd, pidfd, payload);
  if (r < 0)
    return husk_fail(err, -r, "--pidfd-socket %s: send the pidfd", path);
  return 0;
}
