/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What the check-*.c files share. Each file holds the rules of one part of
 * the config and adds findings; none of them changes anything. They run
 * twice: in the plan stage of create, run and exec (probe_host false: only
 * the config and the host's facts), and in `husk check` (probe_host true:
 * also the rootfs, bind sources, hook programs, sysctl files, the cgroup
 * tree).
 *
 * The config may be partial: when it has errors, a field that failed to
 * parse is left unset (a NULL string, a NULL array element), and those
 * errors are findings already. The checks skip what is unset. */
#ifndef HUSK_CHECK_INTERNAL_H
#define HUSK_CHECK_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "check.h"
#include "namespaces.h"
#include "spec.h"

struct husk_check {
  const struct husk_check_options *opts;
  const struct oci_config *config;
  char *bundle; /* absolute */
  char *rootfs; /* absolute; NULL when root.path is unusable */
  int rootfd;   /* O_PATH of the rootfs, or -1 */
  struct husk_check_report *report;
  size_t n_config_errors; /* the first findings: errors of the parser */
  bool probe_host; /* husk check: also look at the host's files */
  /* The namespaces the container gets, by enum husk_ns_kind: new ones or
   * joined by path. */
  bool has_ns[HUSK_NS_KINDS];
  bool new_ns[HUSK_NS_KINDS];
};

#define CHECK_NS(ck, kind) ((ck)->has_ns[kind])
#define CHECK_NEW_NS(ck, kind) ((ck)->new_ns[kind])

void check_add(struct husk_check *ck, enum husk_check_severity sev, const char *path,
               const char *fmt, ...) __attribute__((format(printf, 4, 5)));
#define check_error(ck, path, ...) check_add((ck), HUSK_CHECK_ERROR, (path), __VA_ARGS__)
#define check_warning(ck, path, ...) check_add((ck), HUSK_CHECK_WARNING, (path), __VA_ARGS__)
#define check_note(ck, path, ...) check_add((ck), HUSK_CHECK_NOTE, (path), __VA_ARGS__)

/* Whether the parser found an error at `path` or below it: its values are
 * then not what the config says (a failed field reads as 0 or absent). */
bool check_config_error_at(const struct husk_check *ck, const char *path);

/* Where `path` (absolute, in the container) lands in the rootfs, resolved as
 * husk resolves it: symlinks are followed inside the rootfs only, and what
 * does not exist yet is taken as written. *landed is the resulting path in
 * the container (malloc'd); *escape is the first symlink on the way whose
 * target would lead out of the rootfs on the host (malloc'd "LINK -> TARGET",
 * or NULL); *missing tells whether the path does not exist (yet); *fd is an
 * O_PATH fd of what it names, or -1 when it is missing. Returns 0, or -errno
 * when a non-directory is in the way (ENOTDIR) or symlinks loop (ELOOP). */
int check_resolve(const struct husk_check *ck, const char *path, char **landed, char **escape,
                  bool *missing, int *fd);

/* The index of the mount whose destination holds `path` (itself or below
 * it), among mounts[0 .. before-1]; the last such one wins, as it is
 * mounted last. -1 when none does. */
int check_mount_covering(const struct husk_check *ck, const char *path, size_t before);
#define CHECK_ALL_MOUNTS ((size_t)-1)

/* Capabilities of husk itself: in its bounding set, in its effective set. */
bool check_host_has_cap(int cap);
bool check_self_effective_cap(int cap);

/* plan.c: every part's rules, in order. */
void husk_plan_run_rules(struct husk_check *ck);

/* The parts. */
void check_root(struct husk_check *ck);
void check_process(struct husk_check *ck);
void check_capabilities(struct husk_check *ck);
void check_mounts(struct husk_check *ck);
void check_namespaces(struct husk_check *ck);
void check_linux(struct husk_check *ck);
void check_intelrdt(struct husk_check *ck);
void check_net_devices(struct husk_check *ck);
void check_memory_policy(struct husk_check *ck);
void check_seccomp(struct husk_check *ck);
void check_cgroups(struct husk_check *ck);
/* check-systemd.c: --systemd-cgroup's cgroupsPath, host and annotations;
 * without the systemd driver, annotations for it that nothing reads. */
void check_systemd(struct husk_check *ck);
void check_systemd_annotations_unused(struct husk_check *ck);
void check_hooks(struct husk_check *ck);
/* check-criu.c: what checkpoint and restore cannot bring back. */
void check_criu(struct husk_check *ck);

#endif
