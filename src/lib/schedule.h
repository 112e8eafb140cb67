/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Scheduling of the container process: process.scheduler (sched_setattr),
 * process.ioPriority, process.execCPUAffinity, and linux.personality. */
#include <stdbool.h>
#ifndef HUSK_SCHEDULE_H
#define HUSK_SCHEDULE_H

#include <sched.h>
#include <stdint.h>

#include "error.h"
#include "spec.h"

/* Scheduler and I/O priority: before the user switch, since real-time
 * policies need CAP_SYS_NICE. */
int husk_process_scheduling(const struct oci_process *p, struct husk_error **err);
/* process.execCPUAffinity, for exec'd processes only (the runtime-spec: not
 * the init): "initial" for the process that joins the container, before it
 * enters the cgroup, "final" once it is in. Without a list the affinity is
 * left as it is. _check only parses both lists. */
int husk_exec_affinity_check(const struct oci_process *p, struct husk_error **err);
int husk_exec_affinity_initial(const struct oci_process *p, struct husk_error **err);
int husk_exec_affinity_final(const struct oci_process *p, struct husk_error **err);
int husk_personality(const struct oci_linux *l, struct husk_error **err);
/* The names the config uses: SCHED_* to its policy (-1: unknown),
 * SCHED_FLAG_* to its bit (false: unknown), LINUX/LINUX32 to a persona
 * (-1: unknown). */
int husk_sched_policy(const char *name);
bool husk_sched_flag(const char *name, uint64_t *value);
long husk_personality_domain(const char *name);
/* "0-3,7" -> a cpu set; exposed for the unit tests. */
int husk_parse_cpu_list(const char *list, cpu_set_t *set);

#endif
