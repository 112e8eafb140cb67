/* SPDX-License-Identifier: GPL-2.0-or-later */
/* husk re-executed from a copy of its binary that cannot be written, before
 * it makes a process that the container can see (CVE-2019-5736). */
#ifndef HUSK_EXE_PROTECT_H
#define HUSK_EXE_PROTECT_H

#include "error.h"

/* Re-execute `argv` from a read-only overlayfs view of the binary or a sealed
 * memfd copy; returns 0 at once in the re-executed image. Returns only
 * then, or on failure. */
int husk_exe_protect(char **argv, struct husk_error **err);

#endif
