/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "cgroup-cmds.h"
#include "cgroup-resources.h"
#include "cgroup.h"
#include "lookup.h"
#include "simple.h"

int cmd_pause(struct husk_context *ctx, int argc, char **argv) {
  const char *id = cmd_single_id("pause", argc, argv);
  if (id == NULL)
    return 1;
  struct husk_error *err = NULL;
  struct husk_lookup l;
  if (husk_lookup(ctx, id, true, &l, &err) < 0)
    return cmd_fail(err);
  const char *path = NULL;
  bool frozen = l.st.cgroup_path && l.st.cgroup_path[0] && husk_cgroup_is_frozen(l.st.cgroup_path);
  /* As runc: a created or running container can be paused. */
  if ((l.status != HUSK_STATUS_RUNNING && l.status != HUSK_STATUS_CREATED) || frozen)
    husk_fail(&err, 0, "cannot pause container \"%s\": container not running (it is %s)", id,
              frozen ? "paused" : husk_status_name(l.status));
  else if (husk_lookup_cgroup(&l, &path, &err) == 0)
    husk_cgroup_freeze(path, true, &err);
  husk_lookup_release(&l);
  return err ? cmd_fail(err) : 0;
}
