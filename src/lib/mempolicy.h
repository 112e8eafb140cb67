/* SPDX-License-Identifier: GPL-2.0-or-later */
/* linux.memoryPolicy (runtime-spec 1.3): the NUMA memory policy of the
 * container's processes, set with set_mempolicy(2) in the init and in each
 * exec'd process, as runc does. A task's policy is inherited across fork
 * and execve, so the container's program starts with it. */
#ifndef HUSK_MEMPOLICY_H
#define HUSK_MEMPOLICY_H

#include <stdbool.h>

#include "error.h"
#include "linux-abi.h"
#include "spec.h"

/* The most nodes a nodemask holds: the kernel's own limit (NODES_SHIFT 10). */
#define HUSK_MPOL_MAX_NODES 1024
#define HUSK_MPOL_LONGS (HUSK_MPOL_MAX_NODES / (8 * sizeof(unsigned long)))

/* Node numbers are positions among the nodes the task may use. */
#define HUSK_MPOL_F_RELATIVE_NODES MPOL_F_RELATIVE_NODES

struct husk_mempolicy {
  int mode;  /* MPOL_*, without flags */
  int flags; /* MPOL_F_* */
  unsigned long nodes[HUSK_MPOL_LONGS];
  unsigned n_nodes;
};

/* Check linux.memoryPolicy by the rules of set_mempolicy(2), without the
 * host: a known mode and flags, a node list, nodes required or forbidden by
 * the mode (as runc), flags that go together. Returns NULL and fills *out;
 * or a malloc'd problem, with *field (malloc'd) the member it is about:
 * "mode", "nodes", "flags[1]". */
char *husk_mempolicy_parse(const struct oci_memory_policy *mp, struct husk_mempolicy *out,
                           char **field);

/* This host's memory nodes (/sys/devices/system/node/has_memory), as a
 * mask. Returns false when the kernel does not say (no NUMA support). */
bool husk_mempolicy_host_nodes(unsigned long mask[HUSK_MPOL_LONGS]);

/* Whether set_mempolicy would find none of the nodes on this host: the
 * kernel keeps only the requested nodes that have memory, and refuses an
 * empty result (MPOL_F_RELATIVE_NODES maps them onto the host's instead). */
bool husk_mempolicy_no_host_node(const struct husk_mempolicy *mp,
                                 const unsigned long host[HUSK_MPOL_LONGS]);

/* "0-3,7" for a mask. malloc'd. */
char *husk_mempolicy_format_nodes(const unsigned long mask[HUSK_MPOL_LONGS]);

/* The mode and flag names husk takes (for `husk features`), NULL-terminated. */
const char *const *husk_mempolicy_mode_names(void);
const char *const *husk_mempolicy_flag_names(void);

/* In the init and in exec'd processes: set_mempolicy(2) for this task. */
int husk_mempolicy_apply(const struct oci_linux *linux_, struct husk_error **err);

#endif
