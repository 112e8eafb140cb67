/* SPDX-License-Identifier: GPL-2.0-or-later */
/* mounts[].options: flags for mount(2), propagation, and the fs data string. */
#ifndef HUSK_MOUNTOPTS_H
#define HUSK_MOUNTOPTS_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

struct husk_mount_opts {
  unsigned long flags;       /* MS_* to set */
  unsigned long propagation; /* MS_PRIVATE, MS_SLAVE ... with MS_REC, or 0 */
  unsigned long rec_set;     /* MOUNT_ATTR_* for "rro", "rnosuid"... (recursive) */
  unsigned long rec_clear;
  bool bind;
  bool recursive_bind;
  /* Not for the kernel: runc's and crun's extensions. */
  bool tmpcopyup;     /* a tmpfs starts with the content of what it covers */
  bool copy_symlink;  /* a bind of a symlink makes the same symlink (crun) */
  bool src_nofollow;  /* a bind of a symlink binds the symlink itself (crun) */
  bool dest_nofollow; /* a destination that is a symlink is mounted over (crun) */
  char *data; /* everything else, comma-joined, for the filesystem */
};

/* Parse options; `type` "bind" implies a bind mount. Refused: tmpcopyup on
 * anything but a tmpfs, copy-symlink with src-nofollow or dest-nofollow
 * (crun refuses both); the message starts with the option. */
int husk_mount_opts_parse(char *const *options, size_t n, const char *type,
                          struct husk_mount_opts *out, struct husk_error **err);
void husk_mount_opts_clear(struct husk_mount_opts *o);
/* Add `opt` to the filesystem data, in front or at the end. */
void husk_mount_opts_add_data(struct husk_mount_opts *o, const char *opt, bool first);
/* Flags that a bind mount needs a remount to apply. */
unsigned long husk_mount_remount_flags(const struct husk_mount_opts *o);

/* Whether `opt` is applied with mount_setattr(2) (Linux 5.12): "rro"... */
bool husk_mount_option_is_recursive(const char *opt);

/* Every option husk understands (for `husk features`), NULL-terminated. */
const char *const *husk_mount_option_names(void);

#endif
