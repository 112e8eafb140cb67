/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The container lifecycle, usable without the command line. */
#ifndef HUSK_CONTAINER_H
#define HUSK_CONTAINER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "cgroup-manager.h"
#include "error.h"
#include "state.h"

/* The global options every command shares. */
struct husk_context {
  const char *root; /* state root */
  enum husk_cgroup_manager cgroup_manager;
  bool systemd_cgroup; /* --systemd-cgroup: cgroupsPath is "slice:prefix:name" */
  bool rootless;
  const char *criu; /* --criu: the CRIU program; NULL: "criu" on PATH */
};

struct husk_create_options {
  const char *bundle; /* default: the current directory */
  const char *config; /* crun's --config: this file instead of the bundle's config.json */
  const char *pid_file;
  const char *console_socket;
  const char *pidfd_socket; /* runc's --pidfd-socket: gets a pidfd of the init */
  bool no_pivot;
  bool no_new_keyring;
  int preserve_fds;
  bool foreground; /* `run` without --detach: husk proxies the terminal itself */
  bool keep;       /* `run --keep`: do not delete the container after it exits */
};

/* The running result of a create kept by `run`, which waits for the init. */
struct husk_created {
  pid_t pid;
  int pidfd;
  int pty_master; /* with opts->foreground and process.terminal, else -1 */
};

int husk_container_create(const struct husk_context *ctx, const char *id,
                          const struct husk_create_options *opts, struct husk_created *out,
                          struct husk_error **err);
int husk_container_start(const struct husk_context *ctx, const char *id, struct husk_error **err);
/* Prints the OCI state JSON on stdout. */
int husk_container_state(const struct husk_context *ctx, const char *id, struct husk_error **err);
int husk_container_kill(const struct husk_context *ctx, const char *id, int sig, bool all,
                        struct husk_error **err);
int husk_container_delete(const struct husk_context *ctx, const char *id, bool force,
                          struct husk_error **err);

/* On the container's cgroup, through its driver (container-cgroup.c). A
 * container without one gets an error that says so. */
int husk_container_pause(const struct husk_context *ctx, const char *id, struct husk_error **err);
int husk_container_resume(const struct husk_context *ctx, const char *id, struct husk_error **err);
/* New values for the cgroup (a systemd container's unit too) and the
 * resctrl group's schemata (either may be NULL); `r` NULL: only the
 * schemata change, and the container needs no cgroup. */
int husk_container_update(const struct husk_context *ctx, const char *id,
                          const struct oci_resources *r, const char *l3_cache_schema,
                          const char *mem_bw_schema, struct husk_error **err);
/* Every process in the container's cgroup; *out is malloc'd. */
int husk_container_pids(const struct husk_context *ctx, const char *id, pid_t **out, size_t *n,
                        struct husk_error **err);
/* The statistics of a container that has not stopped (clear them with
 * husk_cgroup_stats_clear). */
int husk_container_stats(const struct husk_context *ctx, const char *id,
                         struct husk_cgroup_stats *st, struct husk_error **err);

/* OOM events of a container that has not stopped: `fd` polls readable
 * when the memory controller reports one, and husk_oom_watch_fired() then
 * says whether the OOM count grew. A host that cannot watch is no error:
 * fd is -1 and `why` says why. */
struct husk_oom_watch {
  int fd;
  char *path;
  uint64_t count;
  struct husk_error *why;
};
int husk_container_oom_watch(const struct husk_context *ctx, const char *id,
                             struct husk_oom_watch *w, struct husk_error **err);
bool husk_oom_watch_fired(struct husk_oom_watch *w);
void husk_oom_watch_release(struct husk_oom_watch *w);

/* create + start + wait + delete; returns the process' exit code (128+N for
 * signal N) or a negative errno. With detach it returns 0 after start. */
int husk_container_run(const struct husk_context *ctx, const char *id,
                       const struct husk_create_options *opts, bool detach, struct husk_error **err);

/* state.json for a container made from config `c` (create, restore). */
struct husk_new_state {
  const char *id;
  pid_t pid; /* 0: not yet */
  const char *bundle, *rootfs, *created;
  bool new_pid_ns;
};
int husk_container_write_state(int dirfd, const struct husk_context *ctx,
                               const struct husk_new_state *n, const struct husk_cgroup *cg,
                               const struct oci_config *c, struct husk_error **err);
/* Now, as the state's "created": RFC 3339 in UTC, malloc'd. */
char *husk_now_rfc3339(void);

/* Parse "KILL", "SIGKILL", "9". Returns the number or -1. */
int husk_parse_signal(const char *s);

#endif
