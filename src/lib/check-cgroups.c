/* SPDX-License-Identifier: GPL-2.0-or-later */
/* check: linux.cgroupsPath and linux.resources against this host's cgroup
 * mode (v1, hybrid, v2) and the controllers it has mounted or enabled.
 * Mirrors where cgroup-v1.c and cgroup-v2.c write each field. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroup.h"
#include "cgroup-resources.h"
#include "check-internal.h"
#include "json.h"
#include "utils.h"

#define RES "linux.resources."

static const char *mode_name(enum husk_cgroup_mode m) {
  switch (m) {
  case HUSK_CGROUP_V1:
    return "cgroup v1";
  case HUSK_CGROUP_HYBRID:
    return "hybrid cgroup (v1 controllers, cgroup v2 at /sys/fs/cgroup/unified)";
  case HUSK_CGROUP_V2:
    return "cgroup v2";
  default:
    return "no cgroup";
  }
}

static bool has_word(const char *text, const char *word) {
  size_t len = strlen(word);
  for (const char *p = text; p && *p;) {
    p += strspn(p, " \n");
    size_t n = strcspn(p, " \n");
    if (n == len && strncmp(p, word, len) == 0)
      return true;
    p += n;
  }
  return false;
}

/* Why the cgroup2 hierarchy cannot give a container `ctrl`, or NULL.
 * Whether the root hands it down (cgroup.subtree_control) only husk check
 * asks: create enables it on the way down, and systemd does for its units. */
static char *v2_missing(const struct husk_check *ck, const char *ctrl) {
  _cleanup_free_ char *root = husk_cgroup_v2_dir("");
  if (root == NULL)
    return xstrdup("no cgroup2 hierarchy is mounted");
  _cleanup_free_ char *avail = NULL, *enabled = NULL;
  _cleanup_free_ char *avail_file = xasprintf("%s/cgroup.controllers", root);
  _cleanup_free_ char *enabled_file = xasprintf("%s/cgroup.subtree_control", root);
  if (read_file(avail_file, &avail, NULL, 0, NULL) < 0 || !has_word(avail, ctrl))
    return xasprintf("the %s controller is not available in cgroup v2 here (not in %s)", ctrl,
                     avail_file);
  if (!ck->probe_host || ck->opts->systemd_driver)
    return NULL;
  if (read_file(enabled_file, &enabled, NULL, 0, NULL) < 0 || !has_word(enabled, ctrl))
    return xasprintf("the %s controller is not enabled for child cgroups (not in %s)", ctrl,
                     enabled_file);
  return NULL;
}

static bool v1_has(const char *ctrl) {
  _cleanup_free_ char *dir = husk_cgroup_v1_dir(ctrl, "");
  return dir != NULL;
}

/* A field needs a v1 controller (v1 and hybrid hosts). */
static void need_v1(struct husk_check *ck, const char *field, const char *ctrl) {
  if (!v1_has(ctrl))
    check_error(ck, field, "the %s cgroup controller is not mounted on this %s host", ctrl,
                mode_name(husk_cgroup_mode()));
}

/* A field needs a cgroup2 controller (v2 hosts, and the unified tree of
 * hybrid ones). */
static void need_v2(struct husk_check *ck, const char *field, const char *ctrl) {
  _cleanup_free_ char *why = v2_missing(ck, ctrl);
  if (why)
    check_error(ck, field, "%s", why);
}

/* hugetlb and rdma: the v1 controller, else the unified tree's. */
static void need_v1_or_v2(struct husk_check *ck, const char *field, const char *ctrl) {
  if (husk_cgroup_mode() == HUSK_CGROUP_V2 || !v1_has(ctrl)) {
    _cleanup_free_ char *why = v2_missing(ck, ctrl);
    if (why)
      check_error(ck, field, "no v1 %s hierarchy is mounted, and in cgroup v2 %s", ctrl, why);
  }
}

static bool v1_root_has(const char *ctrl, const char *file) {
  _cleanup_free_ char *dir = husk_cgroup_v1_dir(ctrl, "");
  if (dir == NULL)
    return true; /* reported as a missing controller */
  _cleanup_free_ char *path = xasprintf("%s/%s", dir, file);
  return access(path, F_OK) == 0;
}

static void ignored(struct husk_check *ck, const char *field, const char *why) {
  check_warning(ck, field, "%s: ignored", why);
}

/* ---- per field ------------------------------------------------------------------ */

static void check_memory(struct husk_check *ck, const struct oci_memory *m, bool v2) {
  if (m->has_swappiness && m->swappiness > 100)
    check_error(ck, RES "memory.swappiness", "%" PRIu64 " is not in 0-100", m->swappiness);
  if (!v2) {
    need_v1(ck, RES "memory", "memory");
    if (m->has_swap && m->swap != 0 && m->swap != -1 &&
        !v1_root_has("memory", "memory.memsw.limit_in_bytes"))
      check_error(ck, RES "memory.swap",
                  "the kernel does not account swap (no memory.memsw.limit_in_bytes; boot it "
                  "with swapaccount=1)");
    if (m->has_kernel && !v1_root_has("memory", "memory.kmem.limit_in_bytes"))
      ignored(ck, RES "memory.kernel", "this kernel has no kernel memory limit");
    if (m->has_kernel_tcp && !v1_root_has("memory", "memory.kmem.tcp.limit_in_bytes"))
      ignored(ck, RES "memory.kernelTCP", "this kernel has no kernel TCP memory limit");
    return;
  }
  if ((m->has_limit && m->limit != 0) || (m->has_reservation && m->reservation != 0) ||
      (m->has_swap && m->swap != 0))
    need_v2(ck, RES "memory", "memory");
  if (m->has_limit && m->has_swap && m->limit > 0 && m->swap > 0 && m->swap < m->limit)
    check_error(ck, RES "memory.swap",
                "%" PRId64 " is below memory.limit %" PRId64
                " (swap counts memory plus swap, as on cgroup v1)",
                m->swap, m->limit);
  if (m->has_kernel)
    ignored(ck, RES "memory.kernel", "cgroup v2 has no kernel memory limit");
  if (m->has_kernel_tcp)
    ignored(ck, RES "memory.kernelTCP", "cgroup v2 has no kernel TCP memory limit");
  if (m->has_swappiness)
    ignored(ck, RES "memory.swappiness", "cgroup v2 has no per-cgroup swappiness");
  if (m->has_disable_oom_killer && m->disable_oom_killer)
    ignored(ck, RES "memory.disableOOMKiller", "cgroup v2 cannot disable the OOM killer");
  if (m->has_use_hierarchy && !m->use_hierarchy)
    ignored(ck, RES "memory.useHierarchy", "cgroup v2 is always hierarchical");
}

static void check_cpu(struct husk_check *ck, const struct oci_cpu *c, bool v2) {
  bool realtime = (c->has_realtime_runtime && c->realtime_runtime != 0) ||
                  (c->has_realtime_period && c->realtime_period != 0);
  const char *rt_field =
      c->has_realtime_runtime ? RES "cpu.realtimeRuntime" : RES "cpu.realtimePeriod";
  bool cpuset = (c->cpus && c->cpus[0]) || (c->mems && c->mems[0]);
  if (c->has_shares && c->shares != 0 && (c->shares < 2 || c->shares > 262144))
    check_error(ck, RES "cpu.shares", "%" PRIu64 " is not in 2-262144", c->shares);
  if (!v2) {
    bool cpu = c->has_shares || c->has_quota || c->has_period || c->has_burst ||
               c->has_realtime_period || c->has_realtime_runtime || c->has_idle;
    if (cpu)
      need_v1(ck, RES "cpu", "cpu");
    if (c->cpus || c->mems)
      need_v1(ck, RES "cpu.cpus", "cpuset");
    if (realtime && !v1_root_has("cpu", "cpu.rt_runtime_us"))
      check_error(ck, rt_field,
                  "this kernel has no realtime group scheduling "
                  "(CONFIG_RT_GROUP_SCHED: no cpu.rt_runtime_us)");
    if (c->has_burst && !v1_root_has("cpu", "cpu.cfs_burst_us"))
      check_error(ck, RES "cpu.burst",
                  "this kernel has no CPU burst (cpu.cfs_burst_us: Linux "
                  "5.14 or later)");
    if (c->has_idle && !v1_root_has("cpu", "cpu.idle"))
      check_error(ck, RES "cpu.idle", "this kernel has no cpu.idle (Linux 5.15 or later)");
    return;
  }
  if ((c->has_shares && c->shares != 0) || (c->has_quota && c->quota != 0) ||
      (c->has_period && c->period != 0) || c->has_burst || c->has_idle)
    need_v2(ck, RES "cpu", "cpu");
  if (realtime)
    check_error(ck, rt_field,
                "cgroup v2 has no realtime CPU bandwidth control (remove "
                "realtimeRuntime and realtimePeriod)");
  if (cpuset)
    need_v2(ck, RES "cpu.cpus", "cpuset");
}

static void check_block_io(struct husk_check *ck, const struct oci_block_io *b, bool v2) {
  bool leaf = b->has_leaf_weight;
  for (size_t i = 0; i < b->weight_device_len; i++)
    leaf |= b->weight_device[i].has_leaf_weight;
  if (!v2) {
    need_v1(ck, RES "blockIO", "blkio");
    if (leaf && !v1_root_has("blkio", "blkio.leaf_weight"))
      ignored(ck, RES "blockIO.leafWeight",
              "this kernel has no blkio leaf weights (gone with "
              "CFQ in Linux 5.0)");
    return;
  }
  need_v2(ck, RES "blockIO", "io");
  if (leaf)
    ignored(ck, RES "blockIO.leafWeight", "cgroup v2 has no leaf weights");
}

/* "2MB" -> 2048 (kB); 0 when it is not a size. */
static uint64_t page_kb(const char *size) {
  char *end;
  unsigned long long n = strtoull(size, &end, 10);
  if (end == size)
    return 0;
  if (strcmp(end, "KB") == 0 || strcmp(end, "kB") == 0)
    return n;
  if (strcmp(end, "MB") == 0)
    return n << 10;
  if (strcmp(end, "GB") == 0)
    return n << 20;
  return 0;
}

static void check_hugepages(struct husk_check *ck, const struct oci_resources *r) {
  need_v1_or_v2(ck, RES "hugepageLimits", "hugetlb");
  for (size_t i = 0; i < r->hugepage_limits_len; i++) {
    const char *size = r->hugepage_limits[i].page_size;
    if (size == NULL)
      continue;
    _cleanup_free_ char *path = xasprintf(RES "hugepageLimits[%zu].pageSize", i);
    uint64_t kb = page_kb(size);
    if (kb == 0) {
      check_error(ck, path, "\"%s\" is not a page size (like \"2MB\" or \"1GB\")", size);
      continue;
    }
    _cleanup_free_ char *dir = xasprintf("/sys/kernel/mm/hugepages/hugepages-%" PRIu64 "kB", kb);
    if (access(dir, F_OK) < 0)
      check_error(ck, path, "this host has no %s huge pages (%s is missing)", size, dir);
  }
}

static void check_unified(struct husk_check *ck, const struct oci_resources *r,
                          enum husk_cgroup_mode mode) {
  for (size_t i = 0; i < r->unified_len; i++) {
    const char *key = r->unified[i].key;
    _cleanup_free_ char *q = oci_json_quote(key);
    _cleanup_free_ char *path = xasprintf(RES "unified[%s]", q);
    _cleanup_free_ char *problem = husk_cgroup_unified_key_problem(key);
    if (problem) {
      check_error(ck, path, "%s", problem);
      if (mode == HUSK_CGROUP_V1)
        return; /* once is enough */
      continue;
    }
    size_t len = strcspn(key, ".");
    _cleanup_free_ char *ctrl = xasprintf("%.*s", (int)len, key);
    if (strcmp(ctrl, "cgroup") == 0)
      continue; /* core files: every cgroup has them */
    _cleanup_free_ char *why = v2_missing(ck, ctrl);
    if (why)
      check_error(ck, path, "%s%s", why,
                  mode == HUSK_CGROUP_HYBRID ? " (on this hybrid host \"unified\" goes to "
                                               "/sys/fs/cgroup/unified)"
                                             : "");
  }
}

static void check_resources(struct husk_check *ck, const struct oci_resources *r,
                            enum husk_cgroup_mode mode) {
  bool v2 = mode == HUSK_CGROUP_V2;
  if (r->memory)
    check_memory(ck, r->memory, v2);
  if (r->cpu)
    check_cpu(ck, r->cpu, v2);
  if (r->has_pids_limit) {
    if (v2)
      need_v2(ck, RES "pids.limit", "pids");
    else
      need_v1(ck, RES "pids.limit", "pids");
  }
  if (r->block_io)
    check_block_io(ck, r->block_io, v2);
  if (r->hugepage_limits_len)
    check_hugepages(ck, r);
  if (r->network && r->network->has_class_id && (v2 || !v1_has("net_cls")))
    check_error(ck, RES "network.classID",
                "the net_cls cgroup controller is not mounted on this "
                "host%s",
                v2 ? " (cgroup v2 has none)" : "");
  if (r->network && r->network->priorities_len && (v2 || !v1_has("net_prio")))
    check_error(ck, RES "network.priorities",
                "the net_prio cgroup controller is not mounted on "
                "this host%s",
                v2 ? " (cgroup v2 has none)" : "");
  if (r->rdma_len)
    need_v1_or_v2(ck, RES "rdma", "rdma");
  if (!v2 && r->devices_len && !v1_has("devices"))
    check_warning(ck, RES "devices",
                  "the devices cgroup controller is not mounted: device "
                  "access is not restricted");
  if (r->unified_len)
    check_unified(ck, r, mode);
}

static void check_path(struct husk_check *ck, const char *path) {
  for (const char *p = path; (p = strstr(p, "..")) != NULL; p += 2) {
    if ((p == path || p[-1] == '/') && (p[2] == '\0' || p[2] == '/')) {
      check_error(ck, "linux.cgroupsPath", "\"%s\": must not contain \"..\"", path);
      return;
    }
  }
  _cleanup_free_ char *resolved = NULL;
  if (husk_cgroup_resolve_path(path, "check", &resolved, NULL) < 0) {
    check_error(ck, "linux.cgroupsPath", "\"%s\": the root cgroup cannot be a container's", path);
    return;
  }
  /* create asks it after it reserved the id, so that a race for one id is
   * told "exists" */
  if (ck->probe_host && husk_cgroup_has_processes(resolved))
    check_error(ck, "linux.cgroupsPath",
                "cgroup %s is in use by other processes: give the container a cgroup of its own",
                resolved);
}

void check_cgroups(struct husk_check *ck) {
  const struct oci_linux *l = ck->config->linux_;
  const struct oci_resources *r = l ? l->resources : NULL;
  if (ck->opts->cgroups_disabled) {
    if (husk_resources_set(r, true))
      ignored(ck, "linux.resources", "--cgroup-manager disabled puts the container in no cgroup");
    return;
  }
  enum husk_cgroup_mode mode = husk_cgroup_mode();
  if (mode == HUSK_CGROUP_NONE) {
    if (husk_resources_set(r, true))
      ignored(ck, "linux.resources", "no cgroup hierarchy is mounted on this host");
    return;
  }
  if (ck->opts->systemd_cgroup || ck->opts->systemd_driver)
    check_systemd(ck);
  else if (l && l->cgroups_path && l->cgroups_path[0])
    check_path(ck, l->cgroups_path);
  if (!ck->opts->systemd_driver)
    check_systemd_annotations_unused(ck);
  if (r)
    check_resources(ck, r, mode);
}
