/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The procfs husk writes to (sysctls, LSM labels, oom_score_adj), out of
 * reach of mounts the container or a shared mount namespace put on /proc. */
#pragma once

#include "error.h"

/* A procfs root for this process' pid namespace: a new instance attached
 * nowhere (fsopen), else a non-recursive clone of /proc (open_tree: its
 * overmounts left behind), else /proc itself; each checked to be a procfs
 * root. An fd (close-on-exec) or a negative errno. */
int husk_procfs_open(void);

/* Write `value` to `path` (relative, e.g. "sys/kernel/domainname") under
 * the procfs root `proc_fd`: never through a mount or a magic link, and
 * only to a file of procfs. 0 or -1 with errno set; a negative proc_fd
 * (husk_procfs_open's error) fails with that errno. */
int husk_procfs_write(int proc_fd, const char *path, const char *value);
