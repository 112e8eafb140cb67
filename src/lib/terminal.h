/* SPDX-License-Identifier: GPL-2.0-or-later */
/* process.terminal: a pty from the container's own devpts, its master sent
 * over --console-socket with SCM_RIGHTS (what containerd and conmon expect). */
#ifndef HUSK_TERMINAL_H
#define HUSK_TERMINAL_H

#include <stdbool.h>

#include "error.h"
#include "spec.h"

/* In the parent: connect to the console socket; clear error when the path is
 * not a listening unix socket. */
int husk_console_socket_connect(const char *path, struct husk_error **err);

/* In the container, after the root switch: make the pty, send its master
 * over `socket_fd`, and make the slave the controlling terminal and stdio.
 * `console`: also bind it on /dev/console (the init's, not an exec's). */
int husk_terminal_setup(const struct oci_process *p, int socket_fd, bool console,
                        struct husk_error **err);

/* The other end of husk_terminal_setup's send: the pty master. */
int husk_terminal_recv_master(int socket_fd, struct husk_error **err);

#endif
