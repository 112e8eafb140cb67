/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pidfds: signalling and waiting on a process without pid reuse races. */
#ifndef HUSK_PIDFD_H
#define HUSK_PIDFD_H

#include <sys/types.h>

/* An fd for pid, or a negative errno (-ENOSYS before Linux 5.3). */
int husk_pidfd_open(pid_t pid);
int husk_pidfd_send_signal(int pidfd, int sig);

#endif
