/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What runs inside the new container after clone, until execve. */
#ifndef HUSK_INIT_H
#define HUSK_INIT_H

#include <stdbool.h>

#include "hooks.h"
#include "namespaces.h"
#include "spec.h"

struct husk_cgroup_join;
struct husk_seccomp;

struct husk_init_ctx {
  const struct oci_config *config;
  const char *id;
  const char *bundle; /* absolute */
  const char *rootfs; /* absolute, host side */
  struct husk_ns_plan *ns;
  const char *cgroup_path; /* NULL when there is no cgroup */
  struct husk_cgroup_join *cgroup_join; /* what the init joins the cgroup with */
  bool no_pivot;
  int sync_fd;      /* the init's end of the socketpair */
  int state_dirfd;  /* the container's state directory */
  int preserve_fds; /* fds 3 .. 3+N-1 reach the process */
  int console_fd;   /* connected --console-socket, or -1 */
  int *idmap_fds;   /* per mount: the user namespace of an idmapped one, or -1 */
  bool no_new_keyring;
  const struct husk_hook_io *hook_io; /* opened on the host, for the hooks run in here */
  struct husk_seccomp *seccomp; /* built on the host before the clone; NULL: none */

  /* Filled in by the init itself. */
  int proc_fd;  /* the host's /proc, usable after pivot_root */
  int procfs_fd; /* procfs.h: the sysctls, oom_score_adj and LSM label go there */
  int fifo_fd;  /* O_PATH fd of exec.fifo */
  int devnull_fd; /* O_PATH fd of the container's /dev/null, checked to be 1:3 */
};

/* The init's main: never returns. */
__attribute__((noreturn)) void husk_init_main(struct husk_init_ctx *ctx);

#endif
