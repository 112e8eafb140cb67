/* SPDX-License-Identifier: GPL-2.0-or-later */
/* check: what of the config `husk checkpoint` and `husk restore` cannot
 * bring back with CRIU. Notes only: the container itself runs. (Whether
 * CRIU works on this host at all is in `husk features`:
 * io.github.husk.checkpoint.enabled.) */
#include <stdio.h>
#include <string.h>

#include "check-internal.h"

void check_criu(struct husk_check *ck) {
  const struct oci_linux *l = ck->config->linux_;
  if (!ck->probe_host || l == NULL)
    return;
  for (size_t i = 0; i < l->namespaces_len; i++) {
    const struct oci_namespace *ns = &l->namespaces[i];
    if (ns->type && strcmp(ns->type, "cgroup") == 0 && ns->path && ns->path[0]) {
      char path[64];
      snprintf(path, sizeof(path), "linux.namespaces[%zu].path", i);
      check_note(ck, path, "CRIU cannot join a cgroup namespace by path: husk restore "
                           "cannot bring this container back from a checkpoint");
    }
  }
}
