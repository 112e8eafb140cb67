/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `husk exec`: a new process in a running container, nsenter-style. */
#ifndef HUSK_EXEC_H
#define HUSK_EXEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "container.h"

struct husk_exec_options {
  const char *process_file; /* --process: a runtime-spec process object */
  char **args;              /* COMMAND... when there is no --process */
  size_t args_len;
  bool tty;
  bool detach;
  const char *pid_file;
  const char *console_socket;
  const char *cwd;
  char **env; /* --env KEY=VALUE, added to (or replacing in) the process' */
  size_t env_len;
  const char *user; /* UID[:GID] */
  uint32_t *additional_gids;
  size_t additional_gids_len;
  char **caps; /* --cap: added to the bounding, effective and permitted sets */
  size_t caps_len;
  bool no_new_privs;
  const char *apparmor;
  const char *process_label;
  int preserve_fds;
  bool ignore_paused;
  char **cgroups; /* --cgroup [CONTROLLER[,CONTROLLER...]:]PATH (see husk_cgroup_sub) */
  size_t cgroups_len;
  const char *pidfd_socket; /* runc's --pidfd-socket: gets a pidfd of the process */
};

/* Returns the process' exit code (128+N for signal N; 0 with detach) or a
 * negative errno with *err set. */
int husk_container_exec(const struct husk_context *ctx, const char *id,
                        const struct husk_exec_options *opts, struct husk_error **err);

#endif
