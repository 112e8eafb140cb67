/* SPDX-License-Identifier: GPL-2.0-or-later */
/* linux.netDevices (runtime-spec 1.2): host network interfaces moved into
 * the container's network namespace, under their new names, as runc and
 * crun do it: one RTM_NEWLINK with IFLA_NET_NS_FD and IFLA_IFNAME (raw
 * rtnetlink), then the interface's permanent global addresses put back (a
 * move drops them) and the interface set up.
 *
 * Nothing is done at delete: when the container's network namespace goes,
 * the kernel moves physical interfaces back to the host and destroys
 * virtual ones (veth, macvlan), which is what the spec asks. */
#ifndef HUSK_NETDEV_H
#define HUSK_NETDEV_H

#include <stdbool.h>
#include <sys/types.h>

#include "error.h"
#include "namespaces.h"
#include "spec.h"

/* Why `name` cannot name a network interface, or NULL: the kernel's rules
 * (at most 15 bytes, not "." or "..", no '/', ':' or white space). With
 * `template`, one "%d" may stand for a number the kernel picks. */
const char *husk_netdev_name_problem(const char *name, bool template);

/* The name the device gets in the container: `name`, or the host's. */
const char *husk_netdev_new_name(const struct oci_net_device *d);

/* Whether husk's own network namespace has an interface of that name. */
bool husk_netdev_on_host(const char *name);

/* What was moved, to put back should the create fail after all. */
struct husk_netdev_moves;

/* In the parent, after the clone and before the init goes on: move each
 * device into the namespace of the init `pid` (new, or joined by path).
 * On failure the devices moved so far are put back. */
int husk_netdev_move_all(const struct oci_linux *linux_, const struct husk_ns_plan *ns, pid_t pid,
                         struct husk_netdev_moves **moved, struct husk_error **err);

/* A create that failed after the move: each device back to the host under
 * its own name, with its addresses and up state (best effort), then freed. */
void husk_netdev_undo(struct husk_netdev_moves **moved);

/* A create that worked: forget the record (the devices stay). */
void husk_netdev_moves_free(struct husk_netdev_moves **moved);

#endif
