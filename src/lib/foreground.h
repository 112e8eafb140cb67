/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `run` in the foreground: wait for the container's process, forwarding
 * husk's signals to it and, with a terminal, proxying the pty to husk's own
 * stdin/stdout (the caller's terminal in raw mode, restored on every exit
 * path, window size changes followed). */
#ifndef HUSK_FOREGROUND_H
#define HUSK_FOREGROUND_H

#include <sys/types.h>

/* Returns the exit code: the process's own, or 128+N for signal N. */
int husk_foreground_wait(pid_t pid, int pidfd, int pty_master);

#endif
