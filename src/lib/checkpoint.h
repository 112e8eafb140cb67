/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Checkpoint and restore of a container through CRIU (criu-rpc.h), with
 * runc's options: `checkpoint` dumps the container's process tree into an
 * image directory (and leaves the container stopped, or running), `restore`
 * makes a new container from a bundle and such a directory. */
#ifndef HUSK_CHECKPOINT_H
#define HUSK_CHECKPOINT_H

#include <stdbool.h>
#include <stdint.h>

#include "container.h"

/* What both commands share: where the images are, and CRIU's switches. */
struct husk_criu_common {
  const char *image_path; /* default: ./checkpoint */
  const char *work_path;  /* CRIU's logs and its work files; default: the image dir */
  bool tcp_established, ext_unix_sk, shell_job, file_locks, auto_dedup, lazy_pages;
  int manage_cgroups_mode; /* enum husk_criu_cg_mode, -1: CRIU's default */
  uint32_t empty_ns;       /* --empty-ns: CLONE_NEW* flags */
};

struct husk_checkpoint_options {
  struct husk_criu_common c;
  const char *parent_path; /* a pre-dump's images, relative to the image dir */
  bool leave_running;
  bool pre_dump;
  const char *page_server; /* ADDR:PORT */
  int status_fd;           /* --status-fd: gets a byte once the lazy-pages server is ready; -1 */
};

struct husk_restore_options {
  struct husk_criu_common c;
  const char *bundle; /* default: the current directory */
  const char *pid_file;
  const char *console_socket;
  bool detach;
  const char *lsm_profile;       /* TYPE:NAME */
  const char *lsm_mount_context;
};

/* Parse --manage-cgroups-mode / --empty-ns values; -1 for what is not one. */
int husk_criu_parse_cg_mode(const char *s);
int64_t husk_criu_parse_ns(const char *s);

int husk_container_checkpoint(const struct husk_context *ctx, const char *id,
                              const struct husk_checkpoint_options *opts, struct husk_error **err);
/* Returns 0 with detach, else the process' exit code (128+N for signal N)
 * once it ends (the container is then deleted), or a negative errno. */
int husk_container_restore(const struct husk_context *ctx, const char *id,
                           const struct husk_restore_options *opts, struct husk_error **err);

/* Used by both (criu-images.c): the config a container was made with, its
 * external mounts, and the stdio list kept with the images. */
struct husk_criu_opts;
struct oci_config;
/* Bind mounts and device nodes as CRIU's external mounts: key the
 * destination, value `restore` ? the source on the host : the destination. */
void husk_criu_add_ext_mounts(const struct oci_config *c, const char *bundle, bool restore,
                              struct husk_criu_opts *o);
void husk_criu_opts_free(struct husk_criu_opts *o);
/* descriptors.json: the paths of the init's fds 0, 1 and 2 ("pipe:[N]"),
 * as runc keeps them, so that restore can hand CRIU its own stdio pipes. */
int husk_criu_write_descriptors(int image_dirfd, pid_t pid, struct husk_error **err);
int husk_criu_read_descriptors(int image_dirfd, char *out[3], struct husk_error **err);
/* CRIU's ns name of a config namespace type ("network" -> "net"), or NULL. */
const char *husk_criu_ns_name(const char *type);

#endif
