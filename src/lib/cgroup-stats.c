/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Statistics of a container's cgroup (what `runc events --stats` reports)
 * and OOM notifications, from v1 or v2 files. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "cgroup-internal.h"
#include "cgroup.h"
#include "utils.h"

static uint64_t u64_or_0(const char *dir, const char *file) {
  uint64_t v = 0;
  return dir && cg_read_u64(dir, file, &v) == 0 ? v : 0;
}

static uint64_t keyed_or_0(const char *dir, const char *file, const char *key) {
  uint64_t v = 0;
  return dir && cg_read_keyed(dir, file, key, &v) == 0 ? v : 0;
}

/* Every "key value" line of a file (memory.stat). */
static void read_raw(const char *dir, const char *file, struct husk_stats_kv **out, size_t *n) {
  _cleanup_free_ char *text = NULL;
  if (cg_read(dir, file, &text) < 0)
    return;
  size_t cap = 0;
  for (char *save = NULL, *line = strtok_r(text, "\n", &save); line;
       line = strtok_r(NULL, "\n", &save)) {
    char *sp = strchr(line, ' ');
    if (sp == NULL)
      continue;
    *sp = '\0';
    if (*n == cap) {
      cap = cap ? cap * 2 : 64;
      struct husk_stats_kv *m = realloc(*out, cap * sizeof(*m));
      if (m == NULL)
        return;
      *out = m;
    }
    (*out)[(*n)++] = (struct husk_stats_kv){xstrdup(line), strtoull(sp + 1, NULL, 10)};
  }
}

static void add_blkio(struct husk_blkio_entry **v, size_t *n, uint64_t major, uint64_t minor,
                      const char *op, uint64_t value) {
  struct husk_blkio_entry *m = realloc(*v, (*n + 1) * sizeof(*m));
  if (m == NULL)
    return;
  *v = m;
  struct husk_blkio_entry *e = &m[(*n)++];
  *e = (struct husk_blkio_entry){.major = major, .minor = minor, .value = value};
  snprintf(e->op, sizeof(e->op), "%s", op);
}

/* v1 "8:0 Read 4096" lines; false when the file has none. */
static bool read_blkio_v1(const char *dir, const char *file, struct husk_blkio_entry **v,
                          size_t *n) {
  _cleanup_free_ char *text = NULL;
  if (cg_read(dir, file, &text) < 0)
    return false;
  for (char *save = NULL, *line = strtok_r(text, "\n", &save); line;
       line = strtok_r(NULL, "\n", &save)) {
    unsigned long long major, minor, value;
    char op[16];
    if (sscanf(line, "%llu:%llu %15s %llu", &major, &minor, op, &value) == 4)
      add_blkio(v, n, major, minor, op, value);
  }
  return *n > 0;
}

/* v2 io.stat: "8:0 rbytes=1 wbytes=2 rios=3 wios=4 dbytes=0 dios=0". */
static void read_io_v2(const char *dir, struct husk_cgroup_stats *st) {
  _cleanup_free_ char *text = NULL;
  if (cg_read(dir, "io.stat", &text) < 0)
    return;
  for (char *save = NULL, *line = strtok_r(text, "\n", &save); line;
       line = strtok_r(NULL, "\n", &save)) {
    unsigned long long major, minor;
    int used = 0;
    if (sscanf(line, "%llu:%llu%n", &major, &minor, &used) != 2)
      continue;
    char *save2 = NULL;
    for (char *kv = strtok_r(line + used, " ", &save2); kv; kv = strtok_r(NULL, " ", &save2)) {
      char *eq = strchr(kv, '=');
      if (eq == NULL)
        continue;
      *eq = '\0';
      uint64_t value = strtoull(eq + 1, NULL, 10);
      if (strcmp(kv, "rbytes") == 0)
        add_blkio(&st->blkio.service_bytes, &st->blkio.service_bytes_len, major, minor, "Read", value);
      else if (strcmp(kv, "wbytes") == 0)
        add_blkio(&st->blkio.service_bytes, &st->blkio.service_bytes_len, major, minor, "Write", value);
      else if (strcmp(kv, "rios") == 0)
        add_blkio(&st->blkio.serviced, &st->blkio.serviced_len, major, minor, "Read", value);
      else if (strcmp(kv, "wios") == 0)
        add_blkio(&st->blkio.serviced, &st->blkio.serviced_len, major, minor, "Write", value);
    }
  }
}

/* "hugepages-2048kB" -> "2MB", as runc names them. */
static char *page_size_name(const char *entry) {
  unsigned long long kb;
  if (sscanf(entry, "hugepages-%llukB", &kb) != 1)
    return NULL;
  static const char *const units[] = {"KB", "MB", "GB", "TB"};
  size_t u = 0;
  while (kb >= 1024 && kb % 1024 == 0 && u + 1 < ARRAY_SIZE(units)) {
    kb /= 1024;
    u++;
  }
  return xasprintf("%llu%s", kb, units[u]);
}

static void read_hugetlb(const char *v1, const char *v2, struct husk_cgroup_stats *st) {
  DIR *d = opendir("/sys/kernel/mm/hugepages");
  if (d == NULL)
    return;
  struct dirent *de;
  while ((de = readdir(d)) != NULL) {
    _cleanup_free_ char *size = page_size_name(de->d_name);
    if (size == NULL)
      continue;
    struct husk_hugetlb_stats h = {0};
    _cleanup_free_ char *f1 = NULL, *f2 = NULL, *f3 = NULL;
    if (v1) {
      f1 = xasprintf("hugetlb.%s.usage_in_bytes", size);
      f2 = xasprintf("hugetlb.%s.max_usage_in_bytes", size);
      f3 = xasprintf("hugetlb.%s.failcnt", size);
      if (!cg_has(v1, f1))
        continue;
      h = (struct husk_hugetlb_stats){NULL, u64_or_0(v1, f1), u64_or_0(v1, f2), u64_or_0(v1, f3)};
    } else {
      f1 = xasprintf("hugetlb.%s.current", size);
      f3 = xasprintf("hugetlb.%s.events", size);
      if (!cg_has(v2, f1))
        continue;
      h = (struct husk_hugetlb_stats){NULL, u64_or_0(v2, f1), 0, keyed_or_0(v2, f3, "max")};
    }
    struct husk_hugetlb_stats *m = realloc(st->hugetlb, (st->hugetlb_len + 1) * sizeof(*m));
    if (m == NULL)
      break;
    st->hugetlb = m;
    h.page_size = steal_pointer(&size);
    st->hugetlb[st->hugetlb_len++] = h;
  }
  closedir(d);
}

static void stats_v2(const char *dir, struct husk_cgroup_stats *st) {
  st->cpu.total = keyed_or_0(dir, "cpu.stat", "usage_usec") * 1000;
  st->cpu.user = keyed_or_0(dir, "cpu.stat", "user_usec") * 1000;
  st->cpu.kernel = keyed_or_0(dir, "cpu.stat", "system_usec") * 1000;
  st->cpu.periods = keyed_or_0(dir, "cpu.stat", "nr_periods");
  st->cpu.throttled_periods = keyed_or_0(dir, "cpu.stat", "nr_throttled");
  st->cpu.throttled_time = keyed_or_0(dir, "cpu.stat", "throttled_usec") * 1000;

  struct husk_memory_entry *u = &st->memory.usage, *s = &st->memory.swap;
  u->usage = u64_or_0(dir, "memory.current");
  u->limit = u64_or_0(dir, "memory.max");
  u->max = u64_or_0(dir, "memory.peak");
  u->failcnt = keyed_or_0(dir, "memory.events", "max");
  /* v1 reports memory + swap as "swap": so does runc on v2. */
  s->usage = u64_or_0(dir, "memory.swap.current") + u->usage;
  s->limit = u64_or_0(dir, "memory.swap.max");
  if (s->limit != UINT64_MAX && u->limit != UINT64_MAX)
    s->limit += u->limit;
  s->max = u64_or_0(dir, "memory.swap.peak");
  s->failcnt = keyed_or_0(dir, "memory.swap.events", "max");
  st->memory.cache = keyed_or_0(dir, "memory.stat", "file");
  read_raw(dir, "memory.stat", &st->memory.raw, &st->memory.raw_len);

  st->pids.current = u64_or_0(dir, "pids.current");
  st->pids.limit = u64_or_0(dir, "pids.max");
  read_io_v2(dir, st);
  read_hugetlb(NULL, dir, st);
}

static void memory_entry_v1(const char *dir, const char *prefix, struct husk_memory_entry *e) {
  _cleanup_free_ char *usage = xasprintf("%susage_in_bytes", prefix);
  _cleanup_free_ char *max = xasprintf("%smax_usage_in_bytes", prefix);
  _cleanup_free_ char *limit = xasprintf("%slimit_in_bytes", prefix);
  _cleanup_free_ char *failcnt = xasprintf("%sfailcnt", prefix);
  *e = (struct husk_memory_entry){u64_or_0(dir, limit), u64_or_0(dir, usage), u64_or_0(dir, max),
                                  u64_or_0(dir, failcnt)};
}

static void stats_v1(const char *path, struct husk_cgroup_stats *st) {
  _cleanup_free_ char *cpuacct = husk_cgroup_v1_dir("cpuacct", path);
  _cleanup_free_ char *cpu = husk_cgroup_v1_dir("cpu", path);
  _cleanup_free_ char *memory = husk_cgroup_v1_dir("memory", path);
  _cleanup_free_ char *pids = husk_cgroup_v1_dir("pids", path);
  _cleanup_free_ char *blkio = husk_cgroup_v1_dir("blkio", path);
  _cleanup_free_ char *hugetlb = husk_cgroup_v1_dir("hugetlb", path);
  _cleanup_free_ char *unified = husk_cgroup_v2_dir(path);

  if (cpuacct) {
    st->cpu.total = u64_or_0(cpuacct, "cpuacct.usage");
    if (cg_has(cpuacct, "cpuacct.usage_user")) {
      st->cpu.user = u64_or_0(cpuacct, "cpuacct.usage_user");
      st->cpu.kernel = u64_or_0(cpuacct, "cpuacct.usage_sys");
    } else {
      long hz = sysconf(_SC_CLK_TCK);
      uint64_t ns_per_tick = hz > 0 ? 1000000000ULL / (uint64_t)hz : 10000000ULL;
      st->cpu.user = keyed_or_0(cpuacct, "cpuacct.stat", "user") * ns_per_tick;
      st->cpu.kernel = keyed_or_0(cpuacct, "cpuacct.stat", "system") * ns_per_tick;
    }
    _cleanup_free_ char *percpu = NULL;
    if (cg_read(cpuacct, "cpuacct.usage_percpu", &percpu) == 0) {
      for (char *p = percpu, *end; *p; p = end) {
        uint64_t v = strtoull(p, &end, 10);
        if (end == p)
          break;
        uint64_t *m = realloc(st->cpu.percpu, (st->cpu.percpu_len + 1) * sizeof(*m));
        if (m == NULL)
          break;
        st->cpu.percpu = m;
        m[st->cpu.percpu_len++] = v;
      }
    }
  }
  if (cpu) {
    st->cpu.periods = keyed_or_0(cpu, "cpu.stat", "nr_periods");
    st->cpu.throttled_periods = keyed_or_0(cpu, "cpu.stat", "nr_throttled");
    st->cpu.throttled_time = keyed_or_0(cpu, "cpu.stat", "throttled_time");
  }
  if (memory) {
    memory_entry_v1(memory, "memory.", &st->memory.usage);
    memory_entry_v1(memory, "memory.memsw.", &st->memory.swap);
    memory_entry_v1(memory, "memory.kmem.", &st->memory.kernel);
    memory_entry_v1(memory, "memory.kmem.tcp.", &st->memory.kernel_tcp);
    st->memory.cache = keyed_or_0(memory, "memory.stat", "cache");
    read_raw(memory, "memory.stat", &st->memory.raw, &st->memory.raw_len);
  }
  if (pids) {
    st->pids.current = u64_or_0(pids, "pids.current");
    st->pids.limit = u64_or_0(pids, "pids.max");
  }
  if (blkio) {
    /* CFQ's files, BFQ's, then the throttle layer's, which always counts. */
    static const char *const prefixes[] = {"blkio.", "blkio.bfq.", "blkio.throttle."};
    for (size_t i = 0; i < ARRAY_SIZE(prefixes); i++) {
      _cleanup_free_ char *bytes = xasprintf("%sio_service_bytes_recursive", prefixes[i]);
      _cleanup_free_ char *ios = xasprintf("%sio_serviced_recursive", prefixes[i]);
      if (read_blkio_v1(blkio, bytes, &st->blkio.service_bytes, &st->blkio.service_bytes_len)) {
        read_blkio_v1(blkio, ios, &st->blkio.serviced, &st->blkio.serviced_len);
        break;
      }
    }
  }
  if (hugetlb || (unified && husk_cgroup_v2_has_controller(unified, "hugetlb")))
    read_hugetlb(hugetlb, unified, st);
}

int husk_cgroup_stats(const char *path, struct husk_cgroup_stats *st, struct husk_error **err) {
  memset(st, 0, sizeof(*st));
  if (husk_cgroup_mode() == HUSK_CGROUP_V2) {
    _cleanup_free_ char *dir = husk_cgroup_v2_dir(path);
    if (access(dir, F_OK) < 0)
      return husk_fail(err, errno, "cgroup %s", dir);
    stats_v2(dir, st);
    return 0;
  }
  _cleanup_free_ char *memory = husk_cgroup_v1_dir("memory", path);
  _cleanup_free_ char *cpu = husk_cgroup_v1_dir("cpuacct", path);
  const char *probe = memory ? memory : cpu;
  if (probe == NULL)
    return husk_fail(err, 0, "cgroup %s: neither memory nor cpuacct is mounted", path);
  if (access(probe, F_OK) < 0)
    return husk_fail(err, errno, "cgroup %s", probe);
  stats_v1(path, st);
  return 0;
}

void husk_cgroup_stats_clear(struct husk_cgroup_stats *st) {
  free(st->cpu.percpu);
  for (size_t i = 0; i < st->memory.raw_len; i++)
    free(st->memory.raw[i].key);
  free(st->memory.raw);
  free(st->blkio.service_bytes);
  free(st->blkio.serviced);
  for (size_t i = 0; i < st->hugetlb_len; i++)
    free(st->hugetlb[i].page_size);
  free(st->hugetlb);
  memset(st, 0, sizeof(*st));
}

/* --- OOM ------------------------------------------------------------------- */

static char *memory_dir(const char *path, bool *v2) {
  *v2 = husk_cgroup_mode() == HUSK_CGROUP_V2;
  return *v2 ? husk_cgroup_v2_dir(path) : husk_cgroup_v1_dir("memory", path);
}

static int read_oom_count(const char *dir, bool v2, uint64_t *count) {
  const char *file = v2 ? "memory.events" : "memory.oom_control";
  int r = cg_read_keyed(dir, file, "oom_kill", count);
  if (r == -ENOENT && v2)
    r = cg_read_keyed(dir, file, "oom", count);
  return r;
}

int husk_cgroup_oom_watch(const char *path, uint64_t *count_out, struct husk_error **err) {
  bool v2;
  _cleanup_free_ char *dir = memory_dir(path, &v2);
  if (dir == NULL)
    return husk_fail(err, 0, "cgroup %s: the memory controller is not mounted", path);
  *count_out = 0;
  read_oom_count(dir, v2, count_out);
  if (v2) {
    _cleanup_free_ char *file = xasprintf("%s/memory.events", dir);
    _cleanup_close_ int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (fd < 0)
      return husk_fail(err, errno, "inotify");
    if (inotify_add_watch(fd, file, IN_MODIFY) < 0)
      return husk_fail(err, errno, "watch %s", file);
    return steal_fd(&fd);
  }
  /* v1: an eventfd the kernel signals on OOM (and when the cgroup goes). */
  _cleanup_free_ char *file = xasprintf("%s/memory.oom_control", dir);
  _cleanup_close_ int efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  _cleanup_close_ int ofd = open(file, O_RDONLY | O_CLOEXEC);
  if (efd < 0 || ofd < 0)
    return husk_fail(err, errno, "open %s", file);
  char line[64];
  snprintf(line, sizeof(line), "%d %d", efd, ofd);
  int r = cg_write(dir, "cgroup.event_control", line, "OOM notification", err);
  return r < 0 ? r : steal_fd(&efd);
}

int husk_cgroup_oom_count(const char *path, int watch_fd, uint64_t *count) {
  bool v2;
  _cleanup_free_ char *dir = memory_dir(path, &v2);
  if (dir == NULL)
    return -ENOENT;
  if (v2) {
    char buf[4096];
    while (read(watch_fd, buf, sizeof(buf)) > 0)
      ;
    return read_oom_count(dir, v2, count);
  }
  /* v1 signals when the OOM killer is invoked, before oom_kill counts it:
   * each wakeup is an OOM, unless the cgroup is gone (it signals then too). */
  uint64_t wakeups = 0;
  if (read(watch_fd, &wakeups, sizeof(wakeups)) != sizeof(wakeups))
    return 0;
  if (!cg_has(dir, "memory.oom_control"))
    return -ENOENT;
  *count += wakeups;
  return 0;
}
