/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "sync.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "utils.h"

struct message {
  uint32_t type;
  char payload[HUSK_SYNC_MAX_PAYLOAD];
};

int husk_sync_pair(int fds[2], struct husk_error **err) {
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds) < 0)
    return husk_fail(err, errno, "socketpair");
  return 0;
}

int husk_sync_send(int fd, enum husk_sync_type type, const char *payload) {
  struct message m = {.type = type};
  size_t len = 0;
  if (payload) {
    len = strnlen(payload, sizeof(m.payload) - 1);
    memcpy(m.payload, payload, len);
  }
  ssize_t r;
  do
    r = send(fd, &m, sizeof(m.type) + len, MSG_NOSIGNAL);
  while (r < 0 && errno == EINTR);
  return r < 0 ? -errno : 0;
}

int husk_sync_recv(int fd, char **payload) {
  struct message m;
  ssize_t r;
  do
    r = recv(fd, &m, sizeof(m), 0);
  while (r < 0 && errno == EINTR);
  if (r < 0)
    return -errno;
  if (r < (ssize_t)sizeof(m.type))
    return 0;
  if (payload) {
    size_t len = (size_t)r - sizeof(m.type);
    *payload = malloc(len + 1);
    if (*payload) {
      memcpy(*payload, m.payload, len);
      (*payload)[len] = '\0';
    }
  }
  return (int)m.type;
}
