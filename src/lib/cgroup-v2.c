/* SPDX-License-Identifier: GPL-2.0-or-later */
/* linux.resources on cgroup v2, with the conversions runc and crun make:
 *   cpu.shares -> cpu.weight (quadratic, see husk_cpu_shares_to_weight)
 *   cpu quota/period -> cpu.max "QUOTA PERIOD" ("max" for no quota)
 *   memory limit -> memory.max, reservation -> memory.low,
 *   swap (memory + swap) -> memory.swap.max = swap - limit, -1 -> "max"
 *   blkio weight -> io.bfq.weight when BFQ is there, else io.weight
 *   (1 + (w - 10) * 9999 / 990); throttles -> io.max "MAJ:MIN rbps=N"
 *   pids -1/0 -> pids.max "max"; hugetlb -> hugetlb.SIZE.max; rdma.max
 *   devices -> an eBPF program (cgroup-ebpf.c)
 * What v2 has no file for (kernel memory, swappiness, the OOM killer
 * switch, realtime) is ignored with a debug line, or refused where
 * ignoring it would change what the container can do. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cgroup-internal.h"
#include "cgroup.h"
#include "log.h"
#include "utils.h"

static const char *num_or_max(int64_t v, char buf[32]) {
  if (v < 0)
    return "max";
  snprintf(buf, 32, "%" PRId64, v);
  return buf;
}

static int apply_memory(const char *dir, const struct oci_memory *m, bool update,
                        struct husk_error **err) {
  int64_t limit = m->has_limit ? m->limit : 0;
  int64_t swap = m->has_swap ? m->swap : 0;
  char buf[32];
  int r;
  if (m->has_check_before_update && m->check_before_update && limit > 0) {
    uint64_t usage;
    if (cg_read_u64(dir, "memory.current", &usage) == 0 && usage > (uint64_t)limit)
      return husk_fail(err, 0,
                       RES "memory.limit: %" PRId64 " is below the current usage %" PRIu64
                           " (%s/memory.current) and checkBeforeUpdate is set",
                       limit, usage, dir);
  }
  /* swap.max is swap - limit: an update of swap alone uses today's limit. */
  int64_t limit_for_swap = limit;
  uint64_t cur;
  if (update && limit == 0 && swap > 0 && cg_read_u64(dir, "memory.max", &cur) == 0 &&
      cur != UINT64_MAX)
    limit_for_swap = (int64_t)cur;
  int64_t swap_max = 0;
  const char *why = NULL;
  if (husk_memory_swap_to_v2(swap, limit_for_swap, &swap_max, &why) < 0)
    return husk_fail(err, 0, RES "memory.swap: %" PRId64 " with memory.limit %" PRId64 ": %s", swap,
                     limit_for_swap, why);
  const char *swap_str = NULL;
  if (swap_max != 0)
    swap_str = num_or_max(swap_max, buf);
  else if (swap > 0)
    swap_str = "0"; /* swap equal to the limit: no swap */
  if (swap_str) {
    bool harmless = strcmp(swap_str, "max") == 0 || strcmp(swap_str, "0") == 0;
    if (!cg_has(dir, "memory.swap.max") && harmless)
      husk_debug(RES "memory.swap: %s/memory.swap.max does not exist (no swap accounting): "
                     "nothing to do for %s",
                 dir, swap_str);
    else if ((r = cg_write(dir, "memory.swap.max", swap_str, RES "memory.swap", err)) < 0)
      return r;
  }
  if (limit != 0 &&
      (r = cg_write(dir, "memory.max", num_or_max(limit, buf), RES "memory.limit", err)) < 0)
    return r;
  if (m->has_reservation && m->reservation != 0 &&
      (r = cg_write(dir, "memory.low", num_or_max(m->reservation, buf), RES "memory.reservation",
                    err)) < 0)
    return r;
  if (m->has_kernel)
    husk_debug(RES "memory.kernel: cgroup v2 has no kernel memory limit: ignored");
  if (m->has_kernel_tcp)
    husk_debug(RES "memory.kernelTCP: cgroup v2 has no kernel TCP memory limit: ignored");
  if (m->has_swappiness)
    husk_debug(RES "memory.swappiness: cgroup v2 has no per-cgroup swappiness: ignored");
  if (m->has_disable_oom_killer && m->disable_oom_killer)
    husk_debug(RES "memory.disableOOMKiller: cgroup v2 cannot disable the OOM killer: ignored");
  if (m->has_use_hierarchy && !m->use_hierarchy)
    husk_debug(RES "memory.useHierarchy: cgroup v2 is always hierarchical: ignored");
  return 0;
}

static int apply_cpu(const char *dir, const struct oci_cpu *c, bool update,
                     struct husk_error **err) {
  int r;
  if (c->has_shares && c->shares != 0) {
    if (c->shares < 2 || c->shares > 262144)
      return husk_fail(err, 0, RES "cpu.shares: %" PRIu64 " is not in 2-262144", c->shares);
    if ((r = cg_write_u64(dir, "cpu.weight", husk_cpu_shares_to_weight(c->shares),
                          RES "cpu.shares", err)) < 0)
      return r;
  }
  bool quota = c->has_quota && c->quota != 0;
  bool period = c->has_period && c->period != 0;
  if (quota || period) {
    char buf[32];
    _cleanup_free_ char *q = NULL;
    if (quota)
      q = xstrdup(num_or_max(c->quota, buf));
    _cleanup_free_ char *cur = NULL;
    /* An update of the period alone keeps the quota that is there. */
    if (q == NULL && update && cg_read(dir, "cpu.max", &cur) == 0)
      q = xasprintf("%.*s", (int)strcspn(cur, " "), cur);
    if (q == NULL)
      q = xstrdup("max");
    _cleanup_free_ char *value =
        period ? xasprintf("%s %" PRIu64, q, c->period) : xstrdup(q);
    if ((r = cg_write(dir, "cpu.max", value, quota ? RES "cpu.quota" : RES "cpu.period", err)) < 0)
      return r;
  }
  if (c->has_burst && (r = cg_write_burst(dir, "cpu.max.burst", "cpu.max", c->burst, err)) < 0)
    return r;
  if ((c->has_realtime_runtime && c->realtime_runtime != 0) ||
      (c->has_realtime_period && c->realtime_period != 0))
    return husk_fail(err, 0,
                     RES "cpu.realtimeRuntime: cgroup v2 has no realtime CPU bandwidth control "
                         "(remove realtimeRuntime and realtimePeriod)");
  if (c->has_idle && (r = cg_write_i64(dir, "cpu.idle", c->idle, RES "cpu.idle", err)) < 0)
    return r;
  if (c->cpus && c->cpus[0] &&
      (r = cg_write(dir, "cpuset.cpus", c->cpus, RES "cpu.cpus", err)) < 0)
    return r;
  if (c->mems && c->mems[0] &&
      (r = cg_write(dir, "cpuset.mems", c->mems, RES "cpu.mems", err)) < 0)
    return r;
  return 0;
}

static int io_max(const char *dir, const char *key, const char *field,
                  const struct oci_throttle_device *t, size_t n, struct husk_error **err) {
  for (size_t i = 0; i < n; i++) {
    _cleanup_free_ char *what = xasprintf(RES "blockIO.%s[%zu]", field, i);
    _cleanup_free_ char *line =
        xasprintf("%" PRId64 ":%" PRId64 " %s=%" PRIu64, t[i].major, t[i].minor, key, t[i].rate);
    int r = cg_write(dir, "io.max", line, what, err);
    if (r < 0)
      return r;
  }
  return 0;
}

static int apply_io(const char *dir, const struct oci_block_io *b, struct husk_error **err) {
  /* BFQ takes blkio's own scale; without it io.weight needs a conversion. */
  bool bfq = cg_has(dir, "io.bfq.weight");
  int r;
  if (b->has_weight && b->weight != 0) {
    r = bfq ? cg_write_u64(dir, "io.bfq.weight", b->weight, RES "blockIO.weight", err)
            : cg_write_u64(dir, "io.weight", husk_blkio_weight_to_io_weight(b->weight),
                           RES "blockIO.weight", err);
    if (r < 0)
      return r;
  }
  if (b->has_leaf_weight)
    husk_debug(RES "blockIO.leafWeight: cgroup v2 has no leaf weights: ignored");
  for (size_t i = 0; i < b->weight_device_len; i++) {
    const struct oci_weight_device *w = &b->weight_device[i];
    if (!w->has_weight)
      continue;
    _cleanup_free_ char *what = xasprintf(RES "blockIO.weightDevice[%zu]", i);
    uint64_t weight = bfq ? w->weight : husk_blkio_weight_to_io_weight(w->weight);
    _cleanup_free_ char *line =
        xasprintf("%" PRId64 ":%" PRId64 " %" PRIu64, w->major, w->minor, weight);
    if ((r = cg_write(dir, bfq ? "io.bfq.weight" : "io.weight", line, what, err)) < 0)
      return r;
  }
  if ((r = io_max(dir, "rbps", "throttleReadBpsDevice", b->throttle_read_bps_device,
                  b->throttle_read_bps_device_len, err)) < 0 ||
      (r = io_max(dir, "wbps", "throttleWriteBpsDevice", b->throttle_write_bps_device,
                  b->throttle_write_bps_device_len, err)) < 0 ||
      (r = io_max(dir, "riops", "throttleReadIOPSDevice", b->throttle_read_iops_device,
                  b->throttle_read_iops_device_len, err)) < 0 ||
      (r = io_max(dir, "wiops", "throttleWriteIOPSDevice", b->throttle_write_iops_device,
                  b->throttle_write_iops_device_len, err)) < 0)
    return r;
  return 0;
}

int cg2_apply_hugetlb(const char *dir, const struct oci_resources *r, struct husk_error **err) {
  return cg_apply_hugetlb(dir, r, ".max", err);
}

int cg2_apply_rdma(const char *dir, const struct oci_resources *r, struct husk_error **err) {
  for (size_t i = 0; i < r->rdma_len; i++) {
    const struct oci_rdma *d = &r->rdma[i];
    int ret = cg_check_rdma_name(d->name, err);
    if (ret < 0)
      return ret;
    if (!d->has_hca_handles && !d->has_hca_objects)
      continue;
    char handles[32] = "", objects[32] = "";
    if (d->has_hca_handles)
      snprintf(handles, sizeof(handles), " hca_handle=%u", d->hca_handles);
    if (d->has_hca_objects)
      snprintf(objects, sizeof(objects), " hca_object=%u", d->hca_objects);
    _cleanup_free_ char *line = xasprintf("%s%s%s", d->name, handles, objects);
    _cleanup_free_ char *what = xasprintf(RES "rdma[\"%s\"]", d->name);
    if ((ret = cg_write(dir, "rdma.max", line, what, err)) < 0)
      return ret;
  }
  return 0;
}

int husk_cgroup_v2_chown(const char *path, uid_t uid, struct husk_error **err) {
  _cleanup_free_ char *dir = husk_cgroup_v2_dir(path);
  if (dir == NULL)
    return 0;
  if (chown(dir, uid, (gid_t)-1) < 0)
    return husk_fail(err, errno, "give the cgroup %s to uid %u", dir, (unsigned)uid);
  _cleanup_free_ char *list = NULL;
  if (read_file("/sys/kernel/cgroup/delegate", &list, NULL, 4096, NULL) < 0)
    list = xstrdup("cgroup.procs\ncgroup.threads\ncgroup.subtree_control\n");
  char *save = NULL;
  for (char *name = strtok_r(list, "\n", &save); name; name = strtok_r(NULL, "\n", &save)) {
    if (strchr(name, '/') || name[0] == '.')
      continue;
    _cleanup_free_ char *file = xasprintf("%s/%s", dir, name);
    /* A file the list names may be missing (its controller is off). */
    if (chown(file, uid, (gid_t)-1) < 0 && errno != ENOENT)
      return husk_fail(err, errno, "give %s to uid %u", file, (unsigned)uid);
  }
  return 0;
}

char *husk_cgroup_unified_key_problem(const char *key) {
  /* A file of this cgroup, never a path out of it. */
  if (key[0] == '\0' || strchr(key, '/') || strcmp(key, ".") == 0 || strstr(key, ".."))
    return xstrdup("not a cgroup file name (no \"/\" or \"..\")");
  size_t len = strcspn(key, ".");
  if (key[len] == '\0' || len == 0)
    return xstrdup("not a cgroup file name (\"controller.file\", as runc wants it)");
  _cleanup_free_ char *root = husk_cgroup_v2_dir("");
  if (root == NULL)
    return xstrdup(husk_cgroup_mode() == HUSK_CGROUP_V1
                       ? "this host has cgroup v1 only, and \"unified\" holds cgroup v2 files"
                       : "no cgroup2 hierarchy is mounted");
  _cleanup_free_ char *ctrl = xasprintf("%.*s", (int)len, key);
  /* "cgroup.*" are core files, in every cgroup. */
  if (strcmp(ctrl, "cgroup") != 0 && !husk_cgroup_v2_has_controller(root, ctrl))
    return xasprintf("the %s controller is not available in cgroup v2 here (not in "
                     "%s/cgroup.controllers)%s",
                     ctrl, root,
                     husk_cgroup_mode() == HUSK_CGROUP_HYBRID
                         ? " (on this hybrid host \"unified\" goes to /sys/fs/cgroup/unified)"
                         : "");
  return NULL;
}

int cg2_apply_unified(const char *dir, const struct oci_resources *r, struct husk_error **err) {
  for (size_t i = 0; i < r->unified_len; i++) {
    const char *key = r->unified[i].key;
    _cleanup_free_ char *what = xasprintf(RES "unified[\"%s\"]", key);
    _cleanup_free_ char *problem = husk_cgroup_unified_key_problem(key);
    if (problem)
      return husk_fail(err, 0, "%s: %s", what, problem);
    int ret = cg_write(dir, key, r->unified[i].value ? r->unified[i].value : "", what, err);
    if (ret < 0)
      return ret;
  }
  return 0;
}

static int apply_devices(const char *dir, const struct oci_resources *r, bool update,
                         struct husk_error **err) {
  if (update && r->devices_len == 0)
    return 0;
  _cleanup_free_ struct husk_dev_rule *rules = NULL;
  _cleanup_free_ struct bpf_insn *prog = NULL;
  size_t n = 0, len = 0;
  int ret = husk_dev_rules_build(r, &rules, &n, err);
  if (ret < 0)
    return ret;
  if ((ret = husk_ebpf_dev_program(rules, n, &prog, &len)) < 0)
    return husk_fail(err, -ret, RES "devices: generate the eBPF device filter");
  return husk_ebpf_dev_attach(dir, prog, len, err);
}

int husk_cgroup_v2_apply(const char *path, const struct oci_resources *r, bool update,
                         struct husk_error **err) {
  _cleanup_free_ char *dir = husk_cgroup_v2_dir(path);
  if (dir == NULL)
    return husk_fail(err, 0, "linux.resources: no cgroup2 hierarchy is mounted");
  int ret = 0;
  if (r->memory && (ret = apply_memory(dir, r->memory, update, err)) < 0)
    return ret;
  if (r->cpu && (ret = apply_cpu(dir, r->cpu, update, err)) < 0)
    return ret;
  if (r->has_pids_limit && (ret = cg_apply_pids_limit(dir, r->pids_limit, err)) < 0)
    return ret;
  if (r->block_io && (ret = apply_io(dir, r->block_io, err)) < 0)
    return ret;
  if ((ret = cg2_apply_hugetlb(dir, r, err)) < 0)
    return ret;
  if (r->network && (ret = cg1_apply_network(path, r, err)) < 0)
    return ret;
  if ((ret = cg2_apply_rdma(dir, r, err)) < 0)
    return ret;
  if ((ret = apply_devices(dir, r, update, err)) < 0)
    return ret;
  /* Last, so that raw values win over the converted ones, as in runc. */
  return cg2_apply_unified(dir, r, err);
}
