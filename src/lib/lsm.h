/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Linux security modules: process.apparmorProfile and process.selinuxLabel,
 * both applied at execve through /proc/thread-self/attr. */
#ifndef HUSK_LSM_H
#define HUSK_LSM_H

#include <stdbool.h>

#include "error.h"
#include "spec.h"

bool husk_apparmor_enabled(void);
bool husk_selinux_enabled(void);

/* `proc_fd` is a /proc the process can still reach (the host's in the init).
 * A profile asked for where AppArmor is off is an error; a SELinux label
 * where SELinux is off is ignored with a debug line (as runc does). */
int husk_lsm_apply(const struct oci_process *p, int proc_fd, struct husk_error **err);

#endif
