/* SPDX-License-Identifier: GPL-2.0-or-later */
/* An existing container, found by id under --root: its state directory,
 * state.json and derived status (for the commands outside container.c). */
#ifndef HUSK_LOOKUP_H
#define HUSK_LOOKUP_H

#include <stdbool.h>

#include "container.h"
#include "state.h"

struct husk_lookup {
  int dirfd;
  struct husk_state st;
  enum husk_status status;
};

/* Open <root>/<id> (with its flock when `lock`) and read its state. A
 * container whose state.json is not written yet is "creating", with an
 * empty cgroup path. */
int husk_lookup(const struct husk_context *ctx, const char *id, bool lock, struct husk_lookup *l,
                struct husk_error **err);
void husk_lookup_release(struct husk_lookup *l);
/* The container's cgroup, or an error saying it has none ("--cgroup-manager
 * disabled", or a container still being created). */
int husk_lookup_cgroup(const struct husk_lookup *l, const char **path, struct husk_error **err);

#endif
