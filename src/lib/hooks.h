/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The six kinds of hooks: each is the user's program, run with execve, the
 * container's state JSON on its stdin, killed when it outlives its timeout. */
#ifndef HUSK_HOOKS_H
#define HUSK_HOOKS_H

#include <stdbool.h>

#include "error.h"
#include "spec.h"

enum husk_hook_kind {
  HUSK_HOOK_PRESTART,
  HUSK_HOOK_CREATE_RUNTIME,
  HUSK_HOOK_CREATE_CONTAINER,
  HUSK_HOOK_START_CONTAINER,
  HUSK_HOOK_POSTSTART,
  HUSK_HOOK_POSTSTOP,
};

/* Where hooks' stdout and stderr go: -1 is a pipe whose text goes into the
 * error message when a hook fails; else a file the config's
 * run.oci.hooks.stdout / run.oci.hooks.stderr annotation names (crun's),
 * appended to. */
struct husk_hook_io {
  int out_fd;
  int err_fd;
};
#define HUSK_HOOK_IO_INIT {.out_fd = -1, .err_fd = -1}

/* Open the annotations' files, on the host (before any root switch). */
int husk_hook_io_open(const struct oci_config *c, struct husk_hook_io *io, struct husk_error **err);
void husk_hook_io_close(struct husk_hook_io *io);

bool husk_hooks_has(const struct oci_hooks *h, enum husk_hook_kind kind);
/* Run every hook of a kind in order, stopping at the first failure, whose
 * message names the hook and carries what it printed. `io` may be NULL. */
int husk_hooks_run(const struct oci_hooks *h, enum husk_hook_kind kind, const char *state_json,
                   const struct husk_hook_io *io, struct husk_error **err);
/* Poststop failures are warnings, not errors (the spec). */
void husk_hooks_run_warn(const struct oci_hooks *h, enum husk_hook_kind kind,
                         const char *state_json, const struct husk_hook_io *io);

#endif
