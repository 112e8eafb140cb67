/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "schedule.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "linux-abi.h"
#include "utils.h"

static const struct {
  const char *name;
  uint32_t value;
} policies[] = {
    {"SCHED_OTHER", SCHED_OTHER}, {"SCHED_FIFO", SCHED_FIFO},
    {"SCHED_RR", SCHED_RR},       {"SCHED_BATCH", SCHED_BATCH},
    {"SCHED_ISO", 4}, /* reserved by the kernel, never implemented */
    {"SCHED_IDLE", SCHED_IDLE},   {"SCHED_DEADLINE", SCHED_DEADLINE},
};

static const struct {
  const char *name;
  uint64_t value;
} sched_flags[] = {
    {"SCHED_FLAG_RESET_ON_FORK", SCHED_FLAG_RESET_ON_FORK},
    {"SCHED_FLAG_RECLAIM", SCHED_FLAG_RECLAIM},
    {"SCHED_FLAG_DL_OVERRUN", SCHED_FLAG_DL_OVERRUN},
    {"SCHED_FLAG_KEEP_POLICY", SCHED_FLAG_KEEP_POLICY},
    {"SCHED_FLAG_KEEP_PARAMS", SCHED_FLAG_KEEP_PARAMS},
    {"SCHED_FLAG_UTIL_CLAMP_MIN", SCHED_FLAG_UTIL_CLAMP_MIN},
    {"SCHED_FLAG_UTIL_CLAMP_MAX", SCHED_FLAG_UTIL_CLAMP_MAX},
};

int husk_sched_policy(const char *name) {
  for (size_t i = 0; name && i < ARRAY_SIZE(policies); i++)
    if (strcmp(policies[i].name, name) == 0)
      return (int)policies[i].value;
  return -1;
}

bool husk_sched_flag(const char *name, uint64_t *value) {
  for (size_t k = 0; name && k < ARRAY_SIZE(sched_flags); k++)
    if (strcmp(sched_flags[k].name, name) == 0) {
      *value = sched_flags[k].value;
      return true;
    }
  return false;
}

long husk_personality_domain(const char *name) {
  if (name && strcmp(name, "LINUX") == 0)
    return PER_LINUX;
  if (name && strcmp(name, "LINUX32") == 0)
    return PER_LINUX32;
  return -1;
}

static int apply_scheduler(const struct oci_scheduler *s, struct husk_error **err) {
  /* The names were judged by the plan stage (check-process.c). */
  struct sched_attr attr = {.size = SCHED_ATTR_SIZE_VER0};
  int policy = husk_sched_policy(s->policy);
  if (policy < 0)
    return husk_fail(err, 0, "process.scheduler.policy: unknown policy \"%s\"", s->policy);
  attr.sched_policy = (uint32_t)policy;
  for (size_t i = 0; i < s->flags_len; i++) {
    uint64_t flag = 0;
    if (!husk_sched_flag(s->flags[i], &flag))
      return husk_fail(err, 0, "process.scheduler.flags[%zu]: unknown flag \"%s\"", i, s->flags[i]);
    attr.sched_flags |= flag;
  }
  attr.sched_nice = s->has_nice ? s->nice : 0;
  attr.sched_priority = s->has_priority ? (uint32_t)s->priority : 0;
  attr.sched_runtime = s->has_runtime ? s->runtime : 0;
  attr.sched_deadline = s->has_deadline ? s->deadline : 0;
  attr.sched_period = s->has_period ? s->period : 0;
  if (syscall(SYS_sched_setattr, 0, &attr, 0) < 0)
    return husk_fail(err, errno, "process.scheduler: sched_setattr %s", s->policy);
  return 0;
}

static int apply_io_priority(const struct oci_io_priority *io, struct husk_error **err) {
  int cls;
  if (strcmp(io->class_, "IOPRIO_CLASS_RT") == 0)
    cls = IOPRIO_CLASS_RT;
  else if (strcmp(io->class_, "IOPRIO_CLASS_BE") == 0)
    cls = IOPRIO_CLASS_BE;
  else if (strcmp(io->class_, "IOPRIO_CLASS_IDLE") == 0)
    cls = IOPRIO_CLASS_IDLE;
  else
    return husk_fail(err, 0, "process.ioPriority.class: unknown class \"%s\"", io->class_);
  if (io->priority < 0 || io->priority > 7)
    return husk_fail(err, 0, "process.ioPriority.priority: %d is not within 0-7", io->priority);
  if (syscall(SYS_ioprio_set, IOPRIO_WHO_PROCESS, 0, IOPRIO_PRIO_VALUE(cls, io->priority)) < 0)
    return husk_fail(err, errno, "process.ioPriority: ioprio_set");
  return 0;
}

int husk_parse_cpu_list(const char *list, cpu_set_t *set) {
  CPU_ZERO(set);
  const char *p = list;
  while (*p) {
    char *end;
    unsigned long lo = strtoul(p, &end, 10), hi = lo;
    if (end == p)
      return -EINVAL;
    p = end;
    if (*p == '-') {
      hi = strtoul(p + 1, &end, 10);
      if (end == p + 1 || hi < lo)
        return -EINVAL;
      p = end;
    }
    if (hi >= CPU_SETSIZE)
      return -EINVAL;
    for (unsigned long c = lo; c <= hi; c++)
      CPU_SET(c, set);
    if (*p == ',')
      p++;
    else if (*p != '\0')
      return -EINVAL;
  }
  return 0;
}

/* One list of process.execCPUAffinity: "initial" or "final". */
static int affinity(const struct oci_process *p, bool final, bool apply, struct husk_error **err) {
  const struct oci_cpu_affinity *a = p->exec_cpu_affinity;
  const char *list = a == NULL ? NULL : final ? a->final : a->initial;
  if (list == NULL || list[0] == '\0')
    return 0; /* the kernel's choice stands, as the spec says */
  const char *which = final ? "final" : "initial";
  cpu_set_t set;
  if (husk_parse_cpu_list(list, &set) < 0)
    return husk_fail(err, 0, "process.execCPUAffinity.%s: \"%s\" is not a cpu list (\"0-3,7\")",
                     which, list);
  if (apply && sched_setaffinity(0, sizeof(set), &set) < 0)
    return husk_fail(err, errno, "process.execCPUAffinity.%s: set %s", which, list);
  return 0;
}

int husk_exec_affinity_check(const struct oci_process *p, struct husk_error **err) {
  return affinity(p, false, false, err) < 0 || affinity(p, true, false, err) < 0 ? -EINVAL : 0;
}

int husk_exec_affinity_initial(const struct oci_process *p, struct husk_error **err) {
  return affinity(p, false, true, err);
}

int husk_exec_affinity_final(const struct oci_process *p, struct husk_error **err) {
  return affinity(p, true, true, err);
}

int husk_process_scheduling(const struct oci_process *p, struct husk_error **err) {
  if (p->scheduler && apply_scheduler(p->scheduler, err) < 0)
    return -EINVAL;
  if (p->io_priority && apply_io_priority(p->io_priority, err) < 0)
    return -EINVAL;
  return 0;
}

int husk_personality(const struct oci_linux *l, struct husk_error **err) {
  if (l == NULL || l->personality == NULL)
    return 0;
  long persona = husk_personality_domain(l->personality->domain);
  if (persona < 0)
    return husk_fail(err, 0, "linux.personality.domain: unknown domain \"%s\"",
                     l->personality->domain);
  if (personality((unsigned long)persona) < 0)
    return husk_fail(err, errno, "linux.personality: set %s", l->personality->domain);
  return 0;
}
