/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "namespaces.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <string.h>
#include <sys/ioctl.h>
#include <stdio.h>
#include <unistd.h>

#include "linux-abi.h"
#include "utils.h"

static const struct {
  const char *type; /* in the config */
  const char *proc; /* under /proc/PID/ns */
  int flag;
} ns_table[HUSK_NS_KINDS] = {
    [HUSK_NS_USER] = {"user", "user", CLONE_NEWUSER},
    [HUSK_NS_PID] = {"pid", "pid", CLONE_NEWPID},
    [HUSK_NS_NET] = {"network", "net", CLONE_NEWNET},
    [HUSK_NS_MOUNT] = {"mount", "mnt", CLONE_NEWNS},
    [HUSK_NS_IPC] = {"ipc", "ipc", CLONE_NEWIPC},
    [HUSK_NS_UTS] = {"uts", "uts", CLONE_NEWUTS},
    [HUSK_NS_CGROUP] = {"cgroup", "cgroup", CLONE_NEWCGROUP},
    [HUSK_NS_TIME] = {"time", "time", CLONE_NEWTIME},
};

int husk_ns_kind(const char *type) {
  for (size_t i = 0; type && i < ARRAY_SIZE(ns_table); i++)
    if (strcmp(ns_table[i].type, type) == 0)
      return (int)i;
  return -1;
}

const char *husk_ns_kind_type(enum husk_ns_kind kind) {
  return kind < HUSK_NS_KINDS ? ns_table[kind].type : "?";
}

int husk_ns_kind_flag(enum husk_ns_kind kind) {
  return kind < HUSK_NS_KINDS ? ns_table[kind].flag : 0;
}

int husk_ns_flag(const char *type) {
  int kind = husk_ns_kind(type);
  return kind < 0 ? 0 : ns_table[kind].flag;
}

const char *husk_ns_proc_name(int flag) {
  for (size_t i = 0; i < ARRAY_SIZE(ns_table); i++)
    if (ns_table[i].flag == flag)
      return ns_table[i].proc;
  return "?";
}

const char *husk_ns_type_name(int flag) {
  for (size_t i = 0; i < ARRAY_SIZE(ns_table); i++)
    if (ns_table[i].flag == flag)
      return ns_table[i].type;
  return "?";
}

int husk_ns_plan_init(struct husk_ns_plan *plan, const struct oci_linux *linux_,
                      struct husk_error **err) {
  memset(plan, 0, sizeof(*plan));
  plan->own_pid_ns_fd = -1;
  for (int i = 0; i < HUSK_NS_KINDS; i++)
    plan->joins[i].fd = -1;
  if (linux_ == NULL)
    return 0;
  /* Walk the table, not the config, so that joins come user-first. */
  for (size_t t = 0; t < ARRAY_SIZE(ns_table); t++) {
    for (size_t i = 0; i < linux_->namespaces_len; i++) {
      const struct oci_namespace *ns = &linux_->namespaces[i];
      int flag = husk_ns_flag(ns->type);
      if (flag == 0)
        return husk_fail(err, 0, "linux.namespaces[%zu].type: unknown namespace type \"%s\"", i,
                         ns->type);
      if (flag != ns_table[t].flag)
        continue;
      if (flag == CLONE_NEWNS)
        plan->has_mount_ns = true;
      if (flag == CLONE_NEWUTS)
        plan->has_uts_ns = true;
      if (flag == CLONE_NEWIPC)
        plan->has_ipc_ns = true;
      if (flag == CLONE_NEWNET)
        plan->has_net_ns = true;
      if (ns->path == NULL || ns->path[0] == '\0') {
        if (flag == CLONE_NEWCGROUP)
          plan->new_cgroup_ns = true;
        else if (flag == CLONE_NEWTIME)
          plan->new_time_ns = true;
        else
          plan->clone_flags |= (uint64_t)flag;
        plan->new_mount_ns |= flag == CLONE_NEWNS;
        plan->new_pid_ns |= flag == CLONE_NEWPID;
        plan->new_user_ns |= flag == CLONE_NEWUSER;
        continue;
      }
      int fd = open(ns->path, O_RDONLY | O_CLOEXEC);
      if (fd < 0) {
        husk_ns_plan_close(plan);
        return husk_fail(err, errno, "linux.namespaces[%zu].path %s", i, ns->path);
      }
      int actual = ioctl(fd, NS_GET_NSTYPE);
      if (actual >= 0 && actual != flag) {
        close(fd);
        husk_ns_plan_close(plan);
        return husk_fail(err, 0, "linux.namespaces[%zu].path %s: not a %s namespace", i, ns->path,
                         husk_ns_type_name(flag));
      }
      plan->joins[plan->n_joins++] = (struct husk_ns_join){.flag = flag, .fd = fd, .path = ns->path};
      plan->joined_user_ns |= flag == CLONE_NEWUSER;
    }
  }
  /* New namespaces must belong to a joined user namespace: the init makes
   * them with unshare() once it is in there, not clone3 from outside. */
  if (plan->joined_user_ns) {
    if (plan->clone_flags & CLONE_NEWPID) {
      husk_ns_plan_close(plan);
      return husk_fail(err, 0,
                       "linux.namespaces: a new pid namespace inside a joined user namespace is "
                       "not supported: join a pid namespace too");
    }
    plan->unshare_flags = plan->clone_flags;
    plan->clone_flags = 0;
  }
  return 0;
}

void husk_ns_restore_pid_for_children(struct husk_ns_plan *plan) {
  if (plan->own_pid_ns_fd < 0)
    return;
  setns(plan->own_pid_ns_fd, CLONE_NEWPID);
  close(plan->own_pid_ns_fd);
  plan->own_pid_ns_fd = -1;
}

void husk_ns_plan_close(struct husk_ns_plan *plan) {
  husk_ns_restore_pid_for_children(plan);
  for (int i = 0; i < plan->n_joins; i++) {
    if (plan->joins[i].fd >= 0)
      close(plan->joins[i].fd);
    plan->joins[i].fd = -1;
  }
}

int husk_ns_join_pid_for_children(struct husk_ns_plan *plan, struct husk_error **err) {
  for (int i = 0; i < plan->n_joins; i++) {
    if (plan->joins[i].flag != CLONE_NEWPID)
      continue;
    /* Kept to come back: what husk forks later (hooks) runs in its own. */
    plan->own_pid_ns_fd = open("/proc/self/ns/pid_for_children", O_RDONLY | O_CLOEXEC);
    if (setns(plan->joins[i].fd, CLONE_NEWPID) < 0)
      return husk_fail(err, errno, "join pid namespace %s", plan->joins[i].path);
  }
  return 0;
}

int husk_ns_unshare_in_joined_user(struct husk_ns_plan *plan, struct husk_error **err) {
  if (plan->unshare_flags && unshare((int)plan->unshare_flags) < 0)
    return husk_fail(err, errno, "create namespaces in the joined user namespace");
  return 0;
}

int husk_ns_join_all(struct husk_ns_plan *plan, struct husk_error **err) {
  for (int i = 0; i < plan->n_joins; i++) {
    struct husk_ns_join *j = &plan->joins[i];
    if (j->flag == CLONE_NEWPID)
      continue;
    if (setns(j->fd, j->flag) < 0)
      return husk_fail(err, errno, "join %s namespace %s", husk_ns_type_name(j->flag), j->path);
    close(j->fd);
    j->fd = -1;
  }
  return 0;
}

int husk_ns_enter_new_time(const struct oci_linux *linux_, struct husk_error **err) {
  if (unshare(CLONE_NEWTIME) < 0)
    return husk_fail(err, errno, "create the time namespace (Linux 5.6 or later is needed)");
  for (size_t i = 0; linux_ && i < linux_->time_offsets_len; i++) {
    const struct oci_time_offset *t = &linux_->time_offsets[i];
    if (strcmp(t->clock, "monotonic") != 0 && strcmp(t->clock, "boottime") != 0)
      return husk_fail(err, 0, "linux.timeOffsets: unknown clock \"%s\" (monotonic or boottime)",
                       t->clock);
    char line[96];
    int len = snprintf(line, sizeof(line), "%s %lld %u\n", t->clock, (long long)t->secs,
                       t->nanosecs);
    if (write_file_at(AT_FDCWD, "/proc/self/timens_offsets", line, (size_t)len, NULL) < 0)
      return husk_fail(err, errno, "linux.timeOffsets: set %s", t->clock);
  }
  _cleanup_close_ int fd = open("/proc/self/ns/time_for_children", O_RDONLY | O_CLOEXEC);
  if (fd < 0 || setns(fd, CLONE_NEWTIME) < 0)
    return husk_fail(err, errno, "enter the new time namespace");
  return 0;
}

const char *husk_sysctl_conflict(const struct oci_config *c, const struct oci_kv *sysctl) {
  const char *fields[] = {"hostname", "domainname"};
  const char *values[] = {c->hostname, c->domainname};
  for (size_t i = 0; i < ARRAY_SIZE(fields); i++) {
    if (sysctl->key == NULL || sysctl->value == NULL || values[i] == NULL || !values[i][0] ||
        !str_has_prefix(sysctl->key, "kernel.") || strcmp(sysctl->key + 7, fields[i]) != 0)
      continue;
    if (strcmp(sysctl->value, values[i]) != 0)
      return fields[i];
  }
  return NULL;
}

int husk_sysctl_namespace(const char *key) {
  static const char *const ipc_keys[] = {"kernel.msgmax", "kernel.msgmnb",  "kernel.msgmni",
                                         "kernel.sem",    "kernel.shmall",  "kernel.shmmax",
                                         "kernel.shmmni", "kernel.shm_rmid_forced"};
  if (str_has_prefix(key, "net."))
    return HUSK_NS_NET;
  if (str_has_prefix(key, "fs.mqueue."))
    return HUSK_NS_IPC;
  for (size_t i = 0; i < ARRAY_SIZE(ipc_keys); i++)
    if (strcmp(key, ipc_keys[i]) == 0)
      return HUSK_NS_IPC;
  if (strcmp(key, "kernel.hostname") == 0 || strcmp(key, "kernel.domainname") == 0)
    return HUSK_NS_UTS;
  return -1;
}
