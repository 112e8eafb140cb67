/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Scheduling of the container process: process.scheduler (sched_setattr),
 * process.ioPriority, process.execCPUAffinity, and linux.personality. */
#ifndef HUSK_SCHEDULE_H
#define HUSK_SCHEDULE_H

#include <sched.h>

#include "error.h"
#include "spec.h"

/* Scheduler, I/O priority and CPU affinity: before the user switch, since
 * real-time policies need CAP_SYS_NICE. */
int husk_process_scheduling(const struct oci_process *p, struct husk_error **err);
int husk_personality(const struct oci_linux *l, struct husk_error **err);
/* "0-3,7" -> a cpu set; exposed for the unit tests. */
int husk_parse_cpu_list(const char *list, cpu_set_t *set);

#endif
