/* SPDX-License-Identifier: GPL-2.0-or-later */
/* linux.resources on cgroup v1 (and on hybrid hosts, with the unified tree
 * for what v1 does not have mounted: hugetlb, rdma, `unified`). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cgroup-internal.h"
#include "cgroup.h"
#include "log.h"
#include "utils.h"

/* The controller's directory, or an error naming the field that needs it. */
static char *need_dir(const char *controller, const char *path, const char *what,
                      struct husk_error **err) {
  char *dir = husk_cgroup_v1_dir(controller, path);
  if (dir == NULL)
    husk_fail(err, 0, "%s: the %s cgroup controller is not mounted on this host", what,
              controller);
  return dir;
}

/* v1 "unset" is 0 for these, as in runc. */
static int write_memory_limit(const char *dir, int64_t limit, struct husk_error **err) {
  int r = cg_write_i64(dir, "memory.limit_in_bytes", limit, RES "memory.limit", NULL);
  if (r == 0)
    return 0;
  _cleanup_free_ char *hint = NULL;
  uint64_t usage = 0, peak = 0, memsw = 0;
  if (r == -EBUSY && cg_read_u64(dir, "memory.usage_in_bytes", &usage) == 0) {
    cg_read_u64(dir, "memory.max_usage_in_bytes", &peak);
    hint = xasprintf(" (the limit is below the current usage %" PRIu64 ", peak %" PRIu64 ")",
                     usage, peak);
  } else if (r == -EINVAL && cg_read_u64(dir, "memory.memsw.limit_in_bytes", &memsw) == 0 &&
             limit > 0 && (uint64_t)limit > memsw) {
    hint = xasprintf(" (memory.memsw.limit_in_bytes is %" PRIu64
                     ": raise memory.swap, which counts memory plus swap, with it)",
                     memsw);
  }
  return cg_fail(err, -r, hint, RES "memory.limit: write %" PRId64 " to %s/memory.limit_in_bytes",
                 limit, dir);
}

static int write_memsw(const char *dir, int64_t swap, struct husk_error **err) {
  if (!cg_has(dir, "memory.memsw.limit_in_bytes")) {
    if (swap == -1)
      return 0; /* unlimited is what there is without swap accounting */
    return husk_fail(err, 0,
                     RES "memory.swap: %s/memory.memsw.limit_in_bytes does not exist: the kernel "
                         "does not account swap (boot it with swapaccount=1)",
                     dir);
  }
  return cg_write_i64(dir, "memory.memsw.limit_in_bytes", swap, RES "memory.swap", err);
}

/* memsw (memory + swap) must never be below the memory limit, before or
 * after each write: raise memsw first when it grows, as runc does. */
static int memory_and_swap(const char *dir, const struct oci_memory *m, struct husk_error **err) {
  int64_t limit = m->has_limit ? m->limit : 0;
  int64_t swap = m->has_swap ? m->swap : 0;
  if (limit == -1 && swap == 0 && cg_has(dir, "memory.memsw.limit_in_bytes"))
    swap = -1;
  if (limit != 0 && swap != 0) {
    uint64_t cur = 0;
    int r = cg_read_u64(dir, "memory.limit_in_bytes", &cur);
    if (r < 0)
      return husk_fail(err, -r, "read %s/memory.limit_in_bytes", dir);
    if (swap == -1 || cur < (uint64_t)swap) {
      int r = write_memsw(dir, swap, err);
      return r < 0 ? r : write_memory_limit(dir, limit, err);
    }
  }
  int r = limit != 0 ? write_memory_limit(dir, limit, err) : 0;
  if (r == 0 && swap != 0)
    r = write_memsw(dir, swap, err);
  return r;
}

/* Kernel memory limits are gone from recent kernels (files removed, or
 * writes refused): then they are ignored, as runc and crun do. */
static int kernel_limit(const char *dir, const char *file, int64_t value, const char *what,
                        struct husk_error **err) {
  if (!cg_has(dir, file)) {
    husk_debug("%s: %s/%s does not exist on this kernel: ignored", what, dir, file);
    return 0;
  }
  struct husk_error *e = NULL;
  int r = cg_write_i64(dir, file, value, what, &e);
  if (r == -EOPNOTSUPP || r == -524 /* ENOTSUPP */) {
    husk_debug("%s: ignored: %s", what, e->msg);
    r = 0;
  } else if (r < 0 && err && *err == NULL) {
    *err = steal_pointer(&e);
  }
  husk_error_free(e);
  return r;
}

static int apply_memory(const char *path, const struct oci_memory *m, struct husk_error **err) {
  _cleanup_free_ char *dir = need_dir("memory", path, RES "memory", err);
  if (dir == NULL)
    return -ENOENT;
  if (m->has_check_before_update && m->check_before_update && m->has_limit && m->limit > 0) {
    uint64_t usage;
    if (cg_read_u64(dir, "memory.usage_in_bytes", &usage) == 0 && usage > (uint64_t)m->limit)
      return husk_fail(err, 0,
                       RES "memory.limit: %" PRId64 " is below the current usage %" PRIu64
                           " (%s/memory.usage_in_bytes) and checkBeforeUpdate is set",
                       m->limit, usage, dir);
  }
  int r = memory_and_swap(dir, m, err);
  if (r == 0 && m->has_kernel)
    r = kernel_limit(dir, "memory.kmem.limit_in_bytes", m->kernel, RES "memory.kernel", err);
  if (r == 0 && m->has_kernel_tcp)
    r = kernel_limit(dir, "memory.kmem.tcp.limit_in_bytes", m->kernel_tcp, RES "memory.kernelTCP",
                     err);
  if (r == 0 && m->has_reservation && m->reservation != 0)
    r = cg_write_i64(dir, "memory.soft_limit_in_bytes", m->reservation, RES "memory.reservation",
                     err);
  if (r == 0 && m->has_disable_oom_killer)
    r = cg_write(dir, "memory.oom_control", m->disable_oom_killer ? "1" : "0",
                 RES "memory.disableOOMKiller", err);
  if (r == 0 && m->has_swappiness) {
    if (m->swappiness > 100)
      return husk_fail(err, 0, RES "memory.swappiness: %" PRIu64 " is not in 0-100",
                       m->swappiness);
    r = cg_write_u64(dir, "memory.swappiness", m->swappiness, RES "memory.swappiness", err);
  }
  if (r == 0 && m->has_use_hierarchy)
    r = cg_write(dir, "memory.use_hierarchy", m->use_hierarchy ? "1" : "0",
                 RES "memory.useHierarchy", err);
  return r;
}

static int apply_cpu(const char *path, const struct oci_cpu *c, struct husk_error **err) {
  bool cpu = c->has_shares || c->has_quota || c->has_period || c->has_burst ||
             c->has_realtime_period || c->has_realtime_runtime || c->has_idle;
  if (cpu) {
    _cleanup_free_ char *dir = need_dir("cpu", path, RES "cpu", err);
    if (dir == NULL)
      return -ENOENT;
    int r;
    if (c->has_shares && c->shares != 0) {
      if ((r = cg_write_u64(dir, "cpu.shares", c->shares, RES "cpu.shares", err)) < 0)
        return r;
      uint64_t got = 0;
      if (cg_read_u64(dir, "cpu.shares", &got) == 0 && got != c->shares)
        return husk_fail(err, 0,
                         RES "cpu.shares: wrote %" PRIu64 " to %s/cpu.shares, the kernel made it "
                             "%" PRIu64 " (the range is 2-262144)",
                         c->shares, dir, got);
    }
    /* A shorter period can be refused while the old quota is in place:
     * then set it again after the quota. */
    bool period_later = false;
    if (c->has_period && c->period != 0) {
      struct husk_error *e = NULL;
      r = cg_write_u64(dir, "cpu.cfs_period_us", c->period, RES "cpu.period", &e);
      if (r == -EINVAL && c->has_quota && c->quota != 0) {
        period_later = true;
      } else if (r < 0) {
        if (err && *err == NULL)
          *err = steal_pointer(&e);
        husk_error_free(e);
        return r;
      }
      husk_error_free(e);
    }
    if (c->has_quota && c->quota != 0 &&
        (r = cg_write_i64(dir, "cpu.cfs_quota_us", c->quota, RES "cpu.quota", err)) < 0)
      return r;
    if (period_later &&
        (r = cg_write_u64(dir, "cpu.cfs_period_us", c->period, RES "cpu.period", err)) < 0)
      return r;
    if (c->has_burst &&
        (r = cg_write_burst(dir, "cpu.cfs_burst_us", "cpu.cfs_quota_us", c->burst, err)) < 0)
      return r;
    if (c->has_realtime_period && c->realtime_period != 0 &&
        (r = cg_write_u64(dir, "cpu.rt_period_us", c->realtime_period, RES "cpu.realtimePeriod",
                          err)) < 0)
      return r;
    if (c->has_realtime_runtime && c->realtime_runtime != 0 &&
        (r = cg_write_i64(dir, "cpu.rt_runtime_us", c->realtime_runtime, RES "cpu.realtimeRuntime",
                          err)) < 0)
      return r;
    if (c->has_idle && (r = cg_write_i64(dir, "cpu.idle", c->idle, RES "cpu.idle", err)) < 0)
      return r;
  }
  if (c->cpus || c->mems) {
    _cleanup_free_ char *dir = need_dir("cpuset", path, RES "cpu.cpus", err);
    if (dir == NULL)
      return -ENOENT;
    int r = 0;
    if (c->cpus && c->cpus[0])
      r = cg_write(dir, "cpuset.cpus", c->cpus, RES "cpu.cpus", err);
    if (r == 0 && c->mems && c->mems[0])
      r = cg_write(dir, "cpuset.mems", c->mems, RES "cpu.mems", err);
    return r;
  }
  return 0;
}

static int throttle(const char *dir, const char *file, const char *field,
                    const struct oci_throttle_device *t, size_t n, struct husk_error **err) {
  for (size_t i = 0; i < n; i++) {
    _cleanup_free_ char *what = xasprintf(RES "blockIO.%s[%zu]", field, i);
    _cleanup_free_ char *line =
        xasprintf("%" PRId64 ":%" PRId64 " %" PRIu64, t[i].major, t[i].minor, t[i].rate);
    int r = cg_write(dir, file, line, what, err);
    if (r < 0)
      return r;
  }
  return 0;
}

static int apply_blkio(const char *path, const struct oci_block_io *b, struct husk_error **err) {
  _cleanup_free_ char *dir = need_dir("blkio", path, RES "blockIO", err);
  if (dir == NULL)
    return -ENOENT;
  /* CFQ's blkio.weight is gone since Linux 5.0; BFQ has blkio.bfq.weight. */
  bool cfq = cg_has(dir, "blkio.weight");
  const char *weight_file = cfq ? "blkio.weight" : "blkio.bfq.weight";
  const char *weight_dev_file = cfq ? "blkio.weight_device" : "blkio.bfq.weight_device";
  int r;
  if (b->has_weight && b->weight != 0 &&
      (r = cg_write_u64(dir, weight_file, b->weight, RES "blockIO.weight", err)) < 0)
    return r;
  if (b->has_leaf_weight && b->leaf_weight != 0) {
    if (!cg_has(dir, "blkio.leaf_weight"))
      husk_debug(RES "blockIO.leafWeight: %s/blkio.leaf_weight does not exist on this kernel: "
                     "ignored",
                 dir);
    else if ((r = cg_write_u64(dir, "blkio.leaf_weight", b->leaf_weight, RES "blockIO.leafWeight",
                               err)) < 0)
      return r;
  }
  for (size_t i = 0; i < b->weight_device_len; i++) {
    const struct oci_weight_device *w = &b->weight_device[i];
    _cleanup_free_ char *what = xasprintf(RES "blockIO.weightDevice[%zu]", i);
    if (w->has_weight) {
      _cleanup_free_ char *line = xasprintf("%" PRId64 ":%" PRId64 " %u", w->major, w->minor,
                                            (unsigned)w->weight);
      if ((r = cg_write(dir, weight_dev_file, line, what, err)) < 0)
        return r;
    }
    if (w->has_leaf_weight) {
      if (!cg_has(dir, "blkio.leaf_weight_device")) {
        husk_debug("%s.leafWeight: no blkio.leaf_weight_device on this kernel: ignored", what);
        continue;
      }
      _cleanup_free_ char *line = xasprintf("%" PRId64 ":%" PRId64 " %u", w->major, w->minor,
                                            (unsigned)w->leaf_weight);
      if ((r = cg_write(dir, "blkio.leaf_weight_device", line, what, err)) < 0)
        return r;
    }
  }
  if ((r = throttle(dir, "blkio.throttle.read_bps_device", "throttleReadBpsDevice",
                    b->throttle_read_bps_device, b->throttle_read_bps_device_len, err)) < 0 ||
      (r = throttle(dir, "blkio.throttle.write_bps_device", "throttleWriteBpsDevice",
                    b->throttle_write_bps_device, b->throttle_write_bps_device_len, err)) < 0 ||
      (r = throttle(dir, "blkio.throttle.read_iops_device", "throttleReadIOPSDevice",
                    b->throttle_read_iops_device, b->throttle_read_iops_device_len, err)) < 0 ||
      (r = throttle(dir, "blkio.throttle.write_iops_device", "throttleWriteIOPSDevice",
                    b->throttle_write_iops_device, b->throttle_write_iops_device_len, err)) < 0)
    return r;
  return 0;
}

/* hugetlb and rdma: the v1 controller, else the unified tree's. */
static int apply_v1_or_unified(const char *path, const char *controller, const char *field,
                               const struct oci_resources *r, struct husk_error **err) {
  _cleanup_free_ char *dir = husk_cgroup_v1_dir(controller, path);
  if (dir == NULL) {
    _cleanup_free_ char *v2 = husk_cgroup_v2_dir(path);
    if (v2 == NULL)
      return husk_fail(err, 0, RES "%s: the %s cgroup controller is not mounted on this host",
                       field, controller);
    return strcmp(controller, "hugetlb") == 0 ? cg2_apply_hugetlb(v2, r, err)
                                              : cg2_apply_rdma(v2, r, err);
  }
  if (strcmp(controller, "hugetlb") == 0)
    return cg_apply_hugetlb(dir, r, ".limit_in_bytes", err);
  return cg2_apply_rdma(dir, r, err); /* rdma.max reads the same on v1 */
}

int cg1_apply_network(const char *path, const struct oci_resources *r, struct husk_error **err) {
  const struct oci_network *n = r->network;
  int ret;
  if (n->has_class_id) {
    _cleanup_free_ char *dir = husk_cgroup_v1_dir("net_cls", path);
    if (dir == NULL)
      return husk_fail(err, 0,
                       RES "network.classID: the net_cls cgroup controller is not mounted on this "
                           "host (cgroup v2 has none)");
    if ((ret = cg_write_u64(dir, "net_cls.classid", n->class_id, RES "network.classID", err)) < 0)
      return ret;
  }
  if (n->priorities_len == 0)
    return 0;
  _cleanup_free_ char *dir = husk_cgroup_v1_dir("net_prio", path);
  if (dir == NULL)
    return husk_fail(err, 0,
                     RES "network.priorities: the net_prio cgroup controller is not mounted on "
                         "this host (cgroup v2 has none)");
  for (size_t i = 0; i < n->priorities_len; i++) {
    const struct oci_net_priority *p = &n->priorities[i];
    _cleanup_free_ char *what = xasprintf(RES "network.priorities[%zu]", i);
    if (p->name[0] == '\0' || strpbrk(p->name, " \t\n/"))
      return husk_fail(err, 0, "%s.name: \"%s\" is not an interface name", what, p->name);
    _cleanup_free_ char *line = xasprintf("%s %u", p->name, p->priority);
    if ((ret = cg_write(dir, "net_prio.ifpriomap", line, what, err)) < 0)
      return ret;
  }
  return 0;
}

static int apply_devices(const char *path, const struct oci_resources *r, bool update,
                         struct husk_error **err) {
  if (update && r->devices_len == 0)
    return 0;
  _cleanup_free_ char *dir = husk_cgroup_v1_dir("devices", path);
  if (dir == NULL) {
    husk_debug(RES "devices: the devices cgroup controller is not mounted: not restricted");
    return 0;
  }
  _cleanup_free_ struct husk_dev_rule *rules = NULL;
  size_t n = 0;
  int ret = husk_dev_rules_build(r, &rules, &n, err);
  if (ret < 0)
    return ret;
  struct husk_error *e = NULL;
  ret = husk_dev_rules_apply_v1(dir, rules, n, &e);
  /* Without root the devices controller is not ours to set (as runc). */
  if ((ret == -EPERM || ret == -EACCES) && geteuid() != 0) {
    husk_debug("%s: ignored without root", e->msg);
    ret = 0;
  } else if (ret < 0 && err && *err == NULL) {
    *err = steal_pointer(&e);
  }
  husk_error_free(e);
  return ret;
}

int husk_cgroup_v1_apply(const char *path, const struct oci_resources *r, bool update,
                         struct husk_error **err) {
  int ret = 0;
  if (r->unified_len > 0) {
    _cleanup_free_ char *v2 = husk_cgroup_v2_dir(path);
    if (v2 == NULL)
      return husk_fail(err, 0,
                       RES "unified: this host has cgroup v1 only, and \"unified\" holds cgroup v2 "
                           "files");
  }
  if (r->memory && (ret = apply_memory(path, r->memory, err)) < 0)
    return ret;
  if (r->cpu && (ret = apply_cpu(path, r->cpu, err)) < 0)
    return ret;
  if (r->has_pids_limit) {
    _cleanup_free_ char *dir = need_dir("pids", path, RES "pids.limit", err);
    if (dir == NULL)
      return -ENOENT;
    if ((ret = cg_apply_pids_limit(dir, r->pids_limit, err)) < 0)
      return ret;
  }
  if (r->block_io && (ret = apply_blkio(path, r->block_io, err)) < 0)
    return ret;
  if (r->hugepage_limits_len &&
      (ret = apply_v1_or_unified(path, "hugetlb", "hugepageLimits", r, err)) < 0)
    return ret;
  if (r->network && (ret = cg1_apply_network(path, r, err)) < 0)
    return ret;
  if (r->rdma_len && (ret = apply_v1_or_unified(path, "rdma", "rdma", r, err)) < 0)
    return ret;
  if ((ret = apply_devices(path, r, update, err)) < 0)
    return ret;
  /* Last, so that raw values win over the converted ones, as in runc. */
  if (r->unified_len > 0) {
    _cleanup_free_ char *v2 = husk_cgroup_v2_dir(path);
    return cg2_apply_unified(v2, r, err);
  }
  return 0;
}
