/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "cgroup-cmds.h"
#include "cgroup-resources.h"
#include "cgroup.h"
#include "lookup.h"
#include "simple.h"

int cmd_resume(struct husk_context *ctx, int argc, char **argv) {
  const char *id = cmd_single_id("resume", argc, argv);
  if (id == NULL)
    return 1;
  struct husk_error *err = NULL;
  struct husk_lookup l;
  if (husk_lookup(ctx, id, true, &l, &err) < 0)
    return cmd_fail(err);
  /* The freezer decides, not the status: a paused container that was
   * never started still has its exec fifo. */
  const char *path = NULL;
  bool alive = l.status != HUSK_STATUS_STOPPED && l.status != HUSK_STATUS_CREATING;
  if (!alive || !l.st.cgroup_path || !l.st.cgroup_path[0] ||
      !husk_cgroup_is_frozen(l.st.cgroup_path))
    husk_fail(&err, 0, "cannot resume container \"%s\": container not paused (it is %s)", id,
              husk_status_name(l.status));
  else if (husk_lookup_cgroup(&l, &path, &err) == 0)
    husk_cgroup_freeze(path, false, &err);
  husk_lookup_release(&l);
  return err ? cmd_fail(err) : 0;
}
