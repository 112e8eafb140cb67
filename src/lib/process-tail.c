/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "process-tail.h"

#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include "annotations.h"
#include "lsm.h"
#include "mempolicy.h"
#include "process.h"
#include "schedule.h"
#include "utils.h"

static pid_t host_pid_of_self(int proc_fd) {
  char self[32];
  ssize_t n = readlinkat(proc_fd, "self", self, sizeof(self) - 1);
  if (n <= 0)
    return 0;
  self[n] = '\0';
  return (pid_t)atoi(self);
}

/* Ignored signals stay ignored across execve: give the process defaults. */
static void reset_signals(void) {
  for (int sig = 1; sig < NSIG; sig++)
    if (sig != SIGKILL && sig != SIGSTOP)
      signal(sig, SIG_DFL);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, NULL);
}

int husk_process_tail(const struct oci_process *p, const struct husk_process_tail *t,
                      struct husk_error **err) {
  const struct oci_linux *l = t->config->linux_;
  int r;
  if ((r = husk_process_rlimits(p, err)) < 0 || (r = husk_process_cwd(p, err)) < 0)
    return r;
  _cleanup_free_ char *exe = NULL;
  if ((r = husk_process_find_executable(p, &exe, err)) < 0)
    return r;
  /* Read in the container's root, before the user switch and seccomp. */
  _cleanup_free_ char *home = husk_process_default_home(p);
  /* A task's memory policy is its own: exec'd processes get it too (runc). */
  if ((r = husk_mempolicy_apply(l, err)) < 0 || (r = husk_process_scheduling(p, err)) < 0 ||
      (r = husk_personality(l, err)) < 0 || (r = husk_lsm_apply(p, t->procfs_fd, err)) < 0)
    return r;
  /* The listener's state, and the host pid, made before the filter is in. */
  pid_t host_pid = 0;
  _cleanup_free_ char *seccomp_state = NULL;
  if (t->seccomp_state) {
    host_pid = host_pid_of_self(t->proc_fd);
    if (t->seccomp)
      seccomp_state = t->seccomp_state(t->data, host_pid);
  }
  if (!p->no_new_privileges && (r = husk_seccomp_load(t->seccomp, seccomp_state, host_pid, err)) < 0)
    return r;
  bool keep_groups = husk_annotation_on(t->config, HUSK_ANN_KEEP_ORIGINAL_GROUPS);
  if ((r = husk_process_credentials(p, keep_groups, err)) < 0 ||
      (r = husk_process_no_new_privs(p, err)) < 0)
    return r;
  if (t->handoff)
    t->handoff(t->data);
  husk_process_close_fds(t->preserve_fds);
  reset_signals();
  if (p->no_new_privileges && (r = husk_seccomp_load(t->seccomp, seccomp_state, host_pid, err)) < 0)
    return r;
  return husk_process_exec(p, exe, home, err);
}
