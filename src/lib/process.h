/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The container process: rlimits, oom score, user and groups, capabilities,
 * no_new_privs, the executable's lookup, and the fds it inherits. The order
 * they run in, for the init and exec alike, is husk_process_tail's
 * (process-tail.h). */
#ifndef HUSK_PROCESS_H
#define HUSK_PROCESS_H

#include <stdbool.h>

#include "error.h"
#include "spec.h"

/* Set KEY=VALUE in process.env, replacing an existing KEY. */
void husk_process_set_env(struct oci_process *p, const char *kv);

int husk_process_rlimits(const struct oci_process *p, struct husk_error **err);
int husk_process_oom_score_adj(const struct oci_process *p, int procfs_fd, struct husk_error **err);
/* Bounding set first (needs CAP_SETPCAP), then the user switch keeping the
 * capabilities, then the other sets and ambient. With `keep_groups` (crun's
 * run.oci.keep_original_groups) the supplementary groups are left as the
 * caller's, and process.user.additionalGids is not applied. */
int husk_process_credentials(const struct oci_process *p, bool keep_groups,
                             struct husk_error **err);
int husk_process_no_new_privs(const struct oci_process *p, struct husk_error **err);
/* chdir to process.cwd (created when missing) and check the result is inside
 * the root (no leaked host directory: the CVE-2024-21626 class). */
int husk_process_cwd(const struct oci_process *p, struct husk_error **err);
/* Find args[0] as execvp would, with the PATH of process.env. Returns a
 * malloc'd path. */
int husk_process_find_executable(const struct oci_process *p, char **out, struct husk_error **err);
/* Mark every fd above 2 + preserve close-on-exec. */
void husk_process_close_fds(int preserve_fds);
/* "HOME=DIR" when process.env has no HOME (or an empty one), as runc sets
 * it: the home of process.user.uid in the container's /etc/passwd, else
 * "/". NULL when the env has its own. Called inside the container's root,
 * before the user switch and seccomp. */
char *husk_process_default_home(const struct oci_process *p);
/* Exec with process.env, and `default_home` (husk_process_default_home's
 * answer: NULL, or a "HOME=..." that replaces an empty HOME); returns only
 * on failure. */
int husk_process_exec(const struct oci_process *p, const char *path, const char *default_home,
                      struct husk_error **err);

#endif
