/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The end of a container process' setup, from its rlimits to execve: one
 * sequence for the init (create/run) and for `husk exec`, so that the two
 * cannot drift apart. */
#ifndef HUSK_PROCESS_TAIL_H
#define HUSK_PROCESS_TAIL_H

#include <sys/types.h>

#include "error.h"
#include "seccomp-filter.h"
#include "spec.h"

/* What differs between the init and exec. */
struct husk_process_tail {
  const struct oci_config *config; /* linux.memoryPolicy, linux.personality, annotations */
  int proc_fd;                     /* a /proc to read the host pid through */
  int procfs_fd;                   /* procfs.h: the LSM attributes are written there */
  struct husk_seccomp *seccomp;    /* the prepared filter, or NULL */
  int preserve_fds;                /* fds 3 .. 3+N-1 stay open across execve */
  /* The init only: the state JSON that a seccomp NOTIFY listener gets, for
   * the process' pid as the host sees it (read through proc_fd). NULL: the
   * listener gets the minimal state (exec). */
  char *(*seccomp_state)(void *data, pid_t host_pid);
  /* The init only: called once the credentials are set, before the fds are
   * closed and the signals reset (READY to the parent, then waiting for
   * `husk start`). May _exit. NULL for exec. */
  void (*handoff)(void *data);
  void *data; /* for the two callbacks */
};

/* In this order: process.rlimits, process.cwd, the executable's lookup in
 * PATH, the default HOME, linux.memoryPolicy, process.scheduler and
 * ioPriority, linux.personality, the AppArmor/SELinux exec label; seccomp
 * when noNewPrivileges is false (loading needs CAP_SYS_ADMIN: before the
 * drop); groups, user and capabilities; no_new_privs; the handoff; fds
 * close-on-exec and default signals; seccomp when noNewPrivileges is true
 * (last, so that none of husk's own setup runs under it); execve.
 * Returns (a negative errno, *err set) only on failure. */
int husk_process_tail(const struct oci_process *p, const struct husk_process_tail *t,
                      struct husk_error **err);

#endif
