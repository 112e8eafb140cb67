/* SPDX-License-Identifier: GPL-2.0-or-later */
/* check: linux.memoryPolicy by the rules of set_mempolicy(2), and its nodes
 * against this host's memory nodes. */
#include <string.h>
#include <unistd.h>

#include "check-internal.h"
#include "mempolicy.h"
#include "utils.h"

void check_memory_policy(struct husk_check *ck) {
  const struct oci_linux *l = ck->config->linux_;
  if (l == NULL || l->memory_policy == NULL || check_config_error_at(ck, "linux.memoryPolicy"))
    return;
  struct husk_mempolicy mp;
  _cleanup_free_ char *field = NULL;
  _cleanup_free_ char *why = husk_mempolicy_parse(l->memory_policy, &mp, &field);
  if (why) {
    _cleanup_free_ char *path = xasprintf("linux.memoryPolicy.%s", field);
    check_error(ck, path, "%s", why);
    return;
  }
  unsigned long host[HUSK_MPOL_LONGS];
  if (!husk_mempolicy_host_nodes(host)) {
    if (access("/sys/devices/system/node", F_OK) < 0)
      check_error(ck, "linux.memoryPolicy",
                  "this kernel has no NUMA support (/sys/devices/system/node is missing): "
                  "set_mempolicy fails");
    return;
  }
  _cleanup_free_ char *have = husk_mempolicy_format_nodes(host);
  if (husk_mempolicy_no_host_node(&mp, host)) {
    check_error(ck, "linux.memoryPolicy.nodes",
                "none of \"%s\" is a memory node of this host (it has %s)", l->memory_policy->nodes,
                have);
    return;
  }
  /* MPOL_F_RELATIVE_NODES numbers are positions among the allowed nodes. */
  if (mp.n_nodes == 0 || (mp.flags & HUSK_MPOL_F_RELATIVE_NODES))
    return;
  unsigned long lacking[HUSK_MPOL_LONGS];
  bool any = false;
  for (size_t i = 0; i < HUSK_MPOL_LONGS; i++) {
    lacking[i] = mp.nodes[i] & ~host[i];
    any |= lacking[i] != 0;
  }
  if (any) {
    _cleanup_free_ char *missing = husk_mempolicy_format_nodes(lacking);
    bool many = strpbrk(missing, ",-") != NULL;
    check_warning(ck, "linux.memoryPolicy.nodes",
                  "%s %s %s of this host (it has %s): the kernel leaves %s out",
                  many ? "nodes" : "node", missing,
                  many ? "are not memory nodes" : "is not a memory node", have,
                  many ? "them" : "it");
  }
}
