/* SPDX-License-Identifier: GPL-2.0-or-later */
/* husk re-executed from a copy of its binary that cannot be written, before
 * it makes a process that the container can see (CVE-2019-5736). */
#ifndef HUSK_EXE_PROTECT_H
#define HUSK_EXE_PROTECT_H

#include "error.h"

/* For a program that uses the library: call it once, first thing in main,
 * with main's own argc and argv. The library keeps a copy of them for the
 * re-execution below; without it, /proc/self/cmdline is used, which is
 * wrong once the program has rewritten its argument strings. */
void husk_lib_init(int argc, char **argv);

/* Make sure this process runs from a binary that cannot be written: return
 * 0 at once where it does (a sealed memfd, a read-only mount: in the
 * re-executed image, too), else re-execute the program from the start,
 * from a read-only overlayfs view of its binary or a sealed memfd copy.
 * Returns only then, or on failure. Each entry point that makes or enters
 * container processes calls it before anything else: the program then runs
 * again from main up to that call, and does again what it did before it. */
int husk_exe_protect(struct husk_error **err);

#endif
