/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The unix sockets a caller names for husk to send it an fd with
 * SCM_RIGHTS: --console-socket (a pty master) and runc's --pidfd-socket (a
 * pidfd of the container's init or of an exec'd process). */
#ifndef HUSK_FD_SOCKET_H
#define HUSK_FD_SOCKET_H

#include "error.h"

/* Connect to the stream socket `path`; `option` ("--console-socket") names
 * it in the error when the path is not a listening unix socket. */
int husk_fd_socket_connect(const char *option, const char *path, struct husk_error **err);

/* One message: `payload` as its data and `fd` as SCM_RIGHTS. 0 or -errno. */
int husk_fd_socket_send(int socket_fd, int fd, const char *payload);

/* runc's --pidfd-socket payloads: the kind of process the pidfd is of. */
#define HUSK_PIDFD_PAYLOAD_INIT "standard" /* a container's init (create, run) */
#define HUSK_PIDFD_PAYLOAD_EXEC "setns"    /* an exec'd process */

/* Send `pidfd` over the --pidfd-socket connection `socket_fd` (made from
 * `path`) with `payload`, as runc does. */
int husk_pidfd_socket_send(int socket_fd, int pidfd, const char *payload, const char *path,
                           struct husk_error **err);

#endif
