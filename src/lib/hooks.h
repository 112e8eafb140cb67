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

bool husk_hooks_has(const struct oci_hooks *h, enum husk_hook_kind kind);
/* Run every hook of a kind in order, stopping at the first failure, whose
 * message names the hook and carries what it printed. */
int husk_hooks_run(const struct oci_hooks *h, enum husk_hook_kind kind, const char *state_json,
                   struct husk_error **err);
/* Poststart and poststop failures are warnings, not errors (the spec). */
void husk_hooks_run_warn(const struct oci_hooks *h, enum husk_hook_kind kind,
                         const char *state_json);

#endif
