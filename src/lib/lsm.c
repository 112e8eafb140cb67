/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "lsm.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "procfs.h"
#include "utils.h"

bool husk_apparmor_enabled(void) {
  _cleanup_free_ char *text = NULL;
  return read_file("/sys/module/apparmor/parameters/enabled", &text, NULL, 16, NULL) == 0 &&
         text[0] == 'Y';
}

bool husk_selinux_enabled(void) { return access("/sys/fs/selinux/enforce", F_OK) == 0; }

static int write_attr(int proc_fd, const char *modern, const char *legacy, const char *value,
                      struct husk_error **err) {
  int r = husk_procfs_write(proc_fd, modern, value);
  if (r < 0 && legacy)
    r = husk_procfs_write(proc_fd, legacy, value);
  if (r < 0)
    return husk_fail(err, errno, "write %s", legacy ? legacy : modern);
  return 0;
}

int husk_lsm_apply(const struct oci_process *p, int proc_fd, struct husk_error **err) {
  if (p->apparmor_profile && p->apparmor_profile[0]) {
    if (!husk_apparmor_enabled())
      return husk_fail(err, 0,
                       "process.apparmorProfile \"%s\": AppArmor is not enabled on this host",
                       p->apparmor_profile);
    _cleanup_free_ char *cmd = xasprintf("exec %s", p->apparmor_profile);
    if (write_attr(proc_fd, "thread-self/attr/apparmor/exec", "thread-self/attr/exec", cmd, err) < 0) {
      husk_error_prefix(err, "process.apparmorProfile \"%s\": ", p->apparmor_profile);
      return -EINVAL;
    }
  }
  if (p->selinux_label && p->selinux_label[0]) {
    if (!husk_selinux_enabled()) {
      husk_debug("process.selinuxLabel ignored: SELinux is not enabled");
      return 0;
    }
    if (write_attr(proc_fd, "thread-self/attr/exec", NULL, p->selinux_label, err) < 0) {
      husk_error_prefix(err, "process.selinuxLabel \"%s\": ", p->selinux_label);
      return -EINVAL;
    }
  }
  return 0;
}
