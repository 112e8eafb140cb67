/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Resolving paths inside the container's rootfs as if it were "/": symlinks
 * (absolute or with "..") never lead out of it. This is what keeps a bundle
 * from redirecting a mount or a device node onto the host (the
 * CVE-2021-30465 class). */
#ifndef HUSK_INROOT_H
#define HUSK_INROOT_H

#include <stdbool.h>
#include <sys/types.h>

#include "error.h"

enum husk_inroot_create {
  HUSK_INROOT_NOCREATE, /* the path must exist */
  HUSK_INROOT_MKDIR,    /* create missing directories, the last one too */
  HUSK_INROOT_MKFILE,   /* missing parents as directories, the last as a file */
};

/* Resolve `path` under `rootfd`, creating what is missing as asked. Returns an
 * O_PATH fd of the result (the last component is followed when it is a
 * symlink, within the root), or a negative errno with *err set. */
int husk_inroot_open(int rootfd, const char *path, enum husk_inroot_create create,
                     struct husk_error **err);

/* What husk check learns of a path by resolving it as husk does. */
struct husk_inroot_trace {
  char *landed;  /* where it lands in the container: "/a/b" */
  char *escape;  /* the first symlink on the way whose target would lead out
                  * of the root on the host: "LINK -> TARGET", or NULL */
  bool missing;  /* it does not exist (yet): the rest is taken as written */
};

/* husk_inroot_open without creating, with a trace: an O_PATH fd of what
 * `path` names; -ENOENT with trace->missing when it does not exist (landed
 * filled in all the same); another negative errno when a non-directory is
 * in the way (-ENOTDIR) or symlinks loop (-ELOOP). Clear the trace after. */
int husk_inroot_resolve(int rootfd, const char *path, struct husk_inroot_trace *trace);
void husk_inroot_trace_clear(struct husk_inroot_trace *trace);

/* "/a//b/../c/" -> "/a/c", lexically. malloc'd. */
char *husk_path_normalize(const char *path);

/* Resolve the parent directory of `path` (creating it) and return its O_PATH
 * fd; *name receives a pointer to the last component within `path`'s copy in
 * *buf (free it). For creating a node or a symlink in place of the last. */
int husk_inroot_parent(int rootfd, const char *path, char **buf, const char **name,
                       struct husk_error **err);

/* "/proc/self/fd/N" for mount(2) on an O_PATH fd. */
#define HUSK_FD_PATH_MAX 32
void husk_fd_path(int fd, char buf[HUSK_FD_PATH_MAX]);

#endif
