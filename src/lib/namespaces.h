/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Namespaces: which to create (clone3 flags) and which to join (by path). */
#ifndef HUSK_NAMESPACES_H
#define HUSK_NAMESPACES_H

#include <stdbool.h>
#include <stdint.h>

#include "error.h"
#include "spec.h"

/* The kinds of namespace, in the order joins happen (user first). Every
 * table of namespaces is indexed by this and sized HUSK_NS_KINDS, so that a
 * new kind is added here and nowhere else. */
enum husk_ns_kind {
  HUSK_NS_USER,
  HUSK_NS_PID,
  HUSK_NS_NET,
  HUSK_NS_MOUNT,
  HUSK_NS_IPC,
  HUSK_NS_UTS,
  HUSK_NS_CGROUP,
  HUSK_NS_TIME,
  HUSK_NS_KINDS
};

struct husk_ns_join {
  int flag; /* CLONE_NEW* */
  int fd;
  const char *path;
};

struct husk_ns_plan {
  uint64_t clone_flags; /* new namespaces made by clone3 itself */
  bool new_cgroup_ns;   /* unshared by the init after cgroup placement */
  bool new_time_ns;     /* unshared by the init, which sets the offsets first */
  bool new_mount_ns;
  bool new_pid_ns;
  bool new_user_ns;
  bool joined_user_ns;
  uint64_t unshare_flags; /* new namespaces made in a joined user namespace */
  bool has_mount_ns;    /* new or joined: false means the caller's */
  bool has_uts_ns;
  bool has_ipc_ns;
  bool has_net_ns;
  struct husk_ns_join joins[HUSK_NS_KINDS]; /* user first */
  int own_pid_ns_fd; /* husk's pid_for_children while a joined one is set */
  int n_joins;
};

/* "network" -> HUSK_NS_NET; -1 for an unknown name (or NULL). */
int husk_ns_kind(const char *type);
/* HUSK_NS_NET -> "network", the name the config uses. */
const char *husk_ns_kind_type(enum husk_ns_kind kind);
/* HUSK_NS_NET -> CLONE_NEWNET. */
int husk_ns_kind_flag(enum husk_ns_kind kind);
/* CLONE_NEWNET -> "network"; "?" for anything else. */
const char *husk_ns_type_name(int flag);

/* "network" -> CLONE_NEWNET; 0 for an unknown name. */
int husk_ns_flag(const char *type);
/* CLONE_NEWNET -> "net", the name under /proc/PID/ns. */
const char *husk_ns_proc_name(int flag);

/* Build the plan from linux.namespaces; joined namespaces are opened now
 * (and checked to be of the right type) so that errors come before clone. */
int husk_ns_plan_init(struct husk_ns_plan *plan, const struct oci_linux *linux_,
                      struct husk_error **err);
void husk_ns_plan_close(struct husk_ns_plan *plan);

/* The namespace a sysctl belongs to (HUSK_NS_IPC, _NET or _UTS), or -1
 * when it is the host's: setting it would change the whole host. */
int husk_sysctl_namespace(const char *key);

/* "hostname" or "domainname" when the sysctl kernel.hostname or
 * kernel.domainname sets another value than that field of the config (runc
 * refuses it), else NULL. */
const char *husk_sysctl_conflict(const struct oci_config *c, const struct oci_kv *sysctl);

/* In the parent before clone: join a pid namespace given by path (it only
 * changes the namespace of the parent's future children). */
int husk_ns_join_pid_for_children(struct husk_ns_plan *plan, struct husk_error **err);
/* In the init: a new time namespace with linux.timeOffsets. Offsets can
 * only be set before any process is in it, so: unshare (for children),
 * write the offsets, then move the init itself in. */
int husk_ns_enter_new_time(const struct oci_linux *linux_, struct husk_error **err);
/* In the init, after joining: the new namespaces of a joined user one. */
int husk_ns_unshare_in_joined_user(struct husk_ns_plan *plan, struct husk_error **err);
/* In the parent after the clone: back to its own pid_for_children. */
void husk_ns_restore_pid_for_children(struct husk_ns_plan *plan);
/* In the init: join every namespace given by path but pid. */
int husk_ns_join_all(struct husk_ns_plan *plan, struct husk_error **err);

#endif
