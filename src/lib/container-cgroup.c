/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The commands on a running container's cgroup: pause, resume. Each finds
 * the container, checks its status, and asks its cgroup driver
 * (cgroup-manager.h). */
#include "cgroup-manager.h"
#include "cgroup.h"
#include "container.h"
#include "lookup.h"

/* The container's cgroup as its state says (always cleared by the caller),
 * and the "has no cgroup" error for a command that needs one. */
static int state_cgroup(const struct husk_lookup *l, struct husk_cgroup *cg,
                        struct husk_error **err) {
  husk_cgroup_from_state(cg, &l->st);
  const char *path = NULL;
  return husk_lookup_cgroup(l, &path, err);
}

static int set_frozen(const struct husk_lookup *l, bool frozen, struct husk_error **err) {
  struct husk_cgroup cg;
  int r = state_cgroup(l, &cg, err);
  if (r == 0)
    r = husk_cgroup_set_frozen(&cg, frozen, err);
  husk_cgroup_clear(&cg);
  return r;
}

static bool is_frozen(const struct husk_lookup *l) {
  return l->st.cgroup_path && l->st.cgroup_path[0] && husk_cgroup_is_frozen(l->st.cgroup_path);
}

int husk_container_pause(const struct husk_context *ctx, const char *id, struct husk_error **err) {
  struct husk_lookup l;
  int r = husk_lookup(ctx, id, true, &l, err);
  if (r < 0)
    return r;
  bool frozen = is_frozen(&l);
  /* As runc: a created or running container can be paused. */
  if ((l.status != HUSK_STATUS_RUNNING && l.status != HUSK_STATUS_CREATED) || frozen)
    r = husk_fail(err, 0, "cannot pause container \"%s\": container not running (it is %s)", id,
                  frozen ? "paused" : husk_status_name(l.status));
  else
    r = set_frozen(&l, true, err);
  husk_lookup_release(&l);
  return r;
}

int husk_container_resume(const struct husk_context *ctx, const char *id, struct husk_error **err) {
  struct husk_lookup l;
  int r = husk_lookup(ctx, id, true, &l, err);
  if (r < 0)
    return r;
  /* The freezer decides, not the status: a paused container that was
   * never started still has its exec fifo. */
  bool alive = l.status != HUSK_STATUS_STOPPED && l.status != HUSK_STATUS_CREATING;
  if (!alive || !is_frozen(&l))
    r = husk_fail(err, 0, "cannot resume container \"%s\": container not paused (it is %s)", id,
                  husk_status_name(l.status));
  else
    r = set_frozen(&l, false, err);
  husk_lookup_release(&l);
  return r;
}

