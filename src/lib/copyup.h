/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tmpcopyup: a tmpfs mounted over a directory of the rootfs starts with
 * that directory's content, as runc and crun give it: files, directories,
 * symlinks and device nodes, with their owners, modes, times and extended
 * attributes. Nothing is ever followed through a symlink. */
#ifndef HUSK_COPYUP_H
#define HUSK_COPYUP_H

#include "error.h"

/* Copy what is in directory `src` into directory `dst` (both fds opened
 * O_RDONLY|O_DIRECTORY; neither is closed). `what` starts error messages. */
int husk_copy_tree(int src, int dst, const char *what, struct husk_error **err);

/* Give directory `dst` the owner and mode of `src` (the tmpfs' own root). */
int husk_copy_dir_owner_mode(int src, int dst, const char *what, struct husk_error **err);

#endif
