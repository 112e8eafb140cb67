/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The parent <-> init protocol: small typed messages over a SOCK_SEQPACKET
 * socketpair, so each read returns exactly one message. */
#ifndef HUSK_SYNC_H
#define HUSK_SYNC_H

#include <stddef.h>

#include "error.h"

enum husk_sync_type {
  HUSK_SYNC_GO = 1, /* parent -> init: ids mapped, cgroup placed: continue */
  HUSK_SYNC_READY,  /* init -> parent: set up, about to wait on exec.fifo */
  HUSK_SYNC_ERROR,  /* init -> parent: setup failed; payload is the message */
  HUSK_SYNC_HOOKS,  /* init -> parent: run prestart and createRuntime, then GO */
};

#define HUSK_SYNC_MAX_PAYLOAD 4096

int husk_sync_pair(int fds[2], struct husk_error **err);
int husk_sync_send(int fd, enum husk_sync_type type, const char *payload);
/* Receive one message. *payload (malloc'd, may be NULL) gets its text.
 * Returns the type, 0 when the peer closed, or a negative errno. */
int husk_sync_recv(int fd, char **payload);

#endif
