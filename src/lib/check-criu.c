/* SPDX-License-Identifier: GPL-2.0-or-later */
/* check: what of the config `husk checkpoint` and `husk restore` cannot
 * bring back with CRIU (notes: the container itself runs), and with
 * --checkpoint whether CRIU works on this host at all (`criu check`, as
 * `husk features` says in io.github.husk.checkpoint.enabled). */
#include <stdio.h>
#include <string.h>

#include "check-internal.h"
#include "criu-rpc.h"

void check_criu(struct husk_check *ck) {
  const struct oci_linux *l = ck->config->linux_;
  if (!ck->probe_host)
    return;
  struct husk_error *e = NULL;
  if (ck->opts->checkpoint && husk_criu_check(ck->opts->criu, &e) < 0) {
    check_error(ck, "", "%s (husk checkpoint and restore need it)", e->msg);
    husk_error_free(e);
  }
  if (l == NULL)
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
