/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Test helper: the other end of husk's sockets, so tests need no human.
 *   test-sockets recvtty PATH   listen on PATH for a console socket, take the
 *                               pty master, copy stdin to it and it to stdout
 *   test-sockets notify PATH    listen on PATH (datagram, as sd_notify) and
 *                               print the messages up to READY=1
 *   test-sockets send PATH MSG  send MSG to the datagram socket PATH (built
 *                               static, so it can be copied into a rootfs)
 *   test-sockets recvpidfd PATH listen on PATH for a --pidfd-socket, take one
 *                               message and print its data and the pid that
 *                               the fd it carried refers to ("Pid:" of
 *                               /proc/self/fdinfo, which only a pidfd has):
 *                               "standard 1234"
 * The listeners print "listening" on stderr once the socket exists. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static int listen_on(const char *path, int type) {
  struct sockaddr_un addr = {.sun_family = AF_UNIX};
  if (strlen(path) >= sizeof(addr.sun_path)) {
    fprintf(stderr, "path too long\n");
    exit(2);
  }
  strcpy(addr.sun_path, path);
  unlink(path);
  int fd = socket(AF_UNIX, type, 0);
  if (fd < 0 || bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 ||
      (type == SOCK_STREAM && listen(fd, 1) < 0)) {
    perror(path);
    exit(2);
  }
  fprintf(stderr, "listening\n");
  return fd;
}

static int copy(int from, int to) {
  char buf[4096];
  ssize_t n = read(from, buf, sizeof(buf));
  if (n <= 0)
    return -1;
  return write(to, buf, (size_t)n) == n ? 0 : -1;
}

/* Take one message with one fd from a stream socket; its data goes to
 * `data` (NUL-terminated). Returns the fd, or -1. */
static int recv_fd(const char *path, char *data, size_t size) {
  int lfd = listen_on(path, SOCK_STREAM);
  int c = accept(lfd, NULL, NULL);
  if (c < 0) {
    perror("accept");
    return -1;
  }
  char cbuf[CMSG_SPACE(sizeof(int))];
  struct iovec iov = {.iov_base = data, .iov_len = size - 1};
  struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
                       .msg_controllen = sizeof(cbuf)};
  ssize_t n = recvmsg(c, &msg, 0);
  if (n < 0) {
    perror("recvmsg");
    return -1;
  }
  data[n] = '\0';
  struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
  if (cm == NULL || cm->cmsg_type != SCM_RIGHTS) {
    fprintf(stderr, "no fd received\n");
    return -1;
  }
  int fd;
  memcpy(&fd, CMSG_DATA(cm), sizeof(int));
  return fd;
}

static int recvtty(const char *path) {
  char name[256];
  int master = recv_fd(path, name, sizeof(name));
  if (master < 0)
    return 2;
  int in_open = 1;
  for (;;) {
    struct pollfd p[2] = {{.fd = in_open ? 0 : -1, .events = POLLIN}, {.fd = master, .events = POLLIN}};
    if (poll(p, 2, -1) < 0 && errno != EINTR)
      break;
    if (p[0].revents && copy(0, master) < 0)
      in_open = 0;
    if (p[1].revents && copy(master, 1) < 0)
      break; /* EIO: every process holding the pty is gone */
  }
  return 0;
}

static int recvpidfd(const char *path) {
  char data[256];
  int fd = recv_fd(path, data, sizeof(data));
  if (fd < 0)
    return 2;
  char info[64];
  snprintf(info, sizeof(info), "/proc/self/fdinfo/%d", fd);
  FILE *f = fopen(info, "r");
  if (f == NULL) {
    perror(info);
    return 2;
  }
  char line[256];
  long pid = 0;
  int found = 0;
  while (!found && fgets(line, sizeof(line), f))
    found = sscanf(line, "Pid: %ld", &pid) == 1;
  fclose(f);
  if (!found) {
    fprintf(stderr, "the fd received is not a pidfd (no Pid: in %s)\n", info);
    return 2;
  }
  printf("%s %ld\n", data, pid);
  return 0;
}

/* Print every message, one a line, until one says READY=1. */
static int notify(const char *path) {
  int fd = listen_on(path, SOCK_DGRAM);
  char buf[4096];
  for (;;) {
    ssize_t n = recv(fd, buf, sizeof(buf) - 1, 0);
    if (n < 0) {
      perror("recv");
      return 2;
    }
    buf[n] = '\0';
    printf("%s\n", buf);
    fflush(stdout);
    if (strstr(buf, "READY=1"))
      return 0;
  }
}

static int send_message(const char *path, const char *text) {
  struct sockaddr_un addr = {.sun_family = AF_UNIX};
  strncpy(addr.sun_path, path, sizeof(addr.sun_path) - 1);
  int fd = socket(AF_UNIX, SOCK_DGRAM, 0);
  if (fd < 0 || sendto(fd, text, strlen(text), 0, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
    perror(path);
    return 2;
  }
  return 0;
}

int main(int argc, char **argv) {
  if (argc == 4 && strcmp(argv[1], "send") == 0)
    return send_message(argv[2], argv[3]);
  if (argc == 3 && strcmp(argv[1], "recvtty") == 0)
    return recvtty(argv[2]);
  if (argc == 3 && strcmp(argv[1], "notify") == 0)
    return notify(argv[2]);
  if (argc == 3 && strcmp(argv[1], "recvpidfd") == 0)
    return recvpidfd(argv[2]);
  fprintf(stderr, "usage: test-sockets recvtty|notify|recvpidfd PATH, test-sockets send PATH MSG\n");
  return 2;
}
