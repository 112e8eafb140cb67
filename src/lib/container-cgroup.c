/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The commands on a running container's cgroup: pause, resume, update, ps,
 * events. Each finds the container, checks its status, and asks its cgroup
 * driver (cgroup-manager.h), so that a systemd container's unit hears of
 * `update` too. */
#include <stdlib.h>
#include <unistd.h>

#include "cgroup-manager.h"
#include "cgroup.h"
#include "container.h"
#include "intelrdt.h"
#include "lookup.h"
#include "utils.h"

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

/* --l3-cache-schema and --mem-bw-schema: written to the container's resctrl
 * group (linux.intelRdt), before the cgroup's values. */
static int update_rdt(const struct husk_lookup *l, const char *l3, const char *mb,
                      struct husk_error **err) {
  struct husk_rdt_host host;
  husk_rdt_host_find(&host);
  int r = husk_rdt_update(l->dirfd, &host, l3, mb, err);
  husk_rdt_host_free(&host);
  return r;
}

int husk_container_update(const struct husk_context *ctx, const char *id,
                          const struct oci_resources *r, const char *l3_cache_schema,
                          const char *mem_bw_schema, struct husk_error **err) {
  struct husk_lookup l;
  int ret = husk_lookup(ctx, id, true, &l, err);
  if (ret < 0)
    return ret;
  struct husk_cgroup cg = {0};
  if (l.status == HUSK_STATUS_STOPPED || l.status == HUSK_STATUS_CREATING)
    ret = husk_fail(err, 0, "cannot update container \"%s\": container not running (it is %s)", id,
                    husk_status_name(l.status));
  else if ((r == NULL || (ret = state_cgroup(&l, &cg, err)) == 0) &&
           ((ret = update_rdt(&l, l3_cache_schema, mem_bw_schema, err)) < 0 ||
            (r && (ret = husk_cgroup_apply(&cg, r, true, err)) < 0)))
    husk_error_prefix(err, "update \"%s\": ", id);
  husk_cgroup_clear(&cg);
  husk_lookup_release(&l);
  return ret;
}

int husk_container_pids(const struct husk_context *ctx, const char *id, pid_t **out, size_t *n,
                        struct husk_error **err) {
  struct husk_lookup l;
  int r = husk_lookup(ctx, id, false, &l, err);
  if (r < 0)
    return r;
  struct husk_cgroup cg;
  if ((r = state_cgroup(&l, &cg, err)) == 0)
    r = husk_cgroup_list_pids(&cg, out, n, err);
  husk_cgroup_clear(&cg);
  husk_lookup_release(&l);
  return r;
}

/* events: the cgroup of a container that has not stopped. */
static int events_cgroup(const struct husk_context *ctx, const char *id, struct husk_cgroup *cg,
                         struct husk_error **err) {
  *cg = (struct husk_cgroup){0};
  struct husk_lookup l;
  int r = husk_lookup(ctx, id, false, &l, err);
  if (r < 0)
    return r;
  if (l.status == HUSK_STATUS_STOPPED)
    r = husk_fail(err, 0, "container \"%s\" is not running", id);
  else
    r = state_cgroup(&l, cg, err);
  husk_lookup_release(&l);
  return r;
}

int husk_container_stats(const struct husk_context *ctx, const char *id,
                         struct husk_cgroup_stats *st, struct husk_error **err) {
  struct husk_cgroup cg;
  int r = events_cgroup(ctx, id, &cg, err);
  if (r == 0)
    r = husk_cgroup_read_stats(&cg, st, err);
  husk_cgroup_clear(&cg);
  return r;
}

int husk_container_oom_watch(const struct husk_context *ctx, const char *id,
                             struct husk_oom_watch *w, struct husk_error **err) {
  *w = (struct husk_oom_watch){.fd = -1};
  struct husk_cgroup cg;
  int r = events_cgroup(ctx, id, &cg, err);
  if (r == 0) {
    w->fd = husk_cgroup_oom_watch(cg.path, &w->count, &w->why);
    w->path = steal_pointer(&cg.path);
  }
  husk_cgroup_clear(&cg);
  return r;
}

bool husk_oom_watch_fired(struct husk_oom_watch *w) {
  uint64_t before = w->count;
  return w->fd >= 0 && husk_cgroup_oom_count(w->path, w->fd, &w->count) == 0 && w->count > before;
}

void husk_oom_watch_release(struct husk_oom_watch *w) {
  if (w->fd >= 0)
    close(w->fd);
  free(w->path);
  husk_error_free(w->why);
  *w = (struct husk_oom_watch){.fd = -1};
}
