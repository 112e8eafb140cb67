/* SPDX-License-Identifier: GPL-2.0-or-later */
/* linux.resources on a container's cgroup, and what is read back from it:
 * the freezer, the processes, the statistics `events --stats` prints.
 * v2 hosts get runc's conversions (shares -> cpu.weight, swap -> swap.max,
 * blkio weight -> io.weight ...); hybrid hosts use the v1 controllers and
 * the unified tree for what only it has (hugetlb, `unified`). */
#ifndef HUSK_CGROUP_RESOURCES_H
#define HUSK_CGROUP_RESOURCES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"
#include "spec.h"

/* Whether `r` asks anything of a cgroup (an empty object asks nothing);
 * device rules count only with `with_devices`: an unprivileged husk cannot
 * apply them anyway, so alone they need no cgroup (as runc). */
bool husk_resources_set(const struct oci_resources *r, bool with_devices);

/* Write every field of `r` into the cgroup `path` (as resolved by
 * husk_cgroup_resolve_path). Errors name the field, the file and the value:
 * "linux.resources.memory.limit: write 1048576 to /sys/fs/cgroup/.../
 * memory.limit_in_bytes: Device or resource busy (...)".
 * Without `update` (create) the device rules are always programmed: deny
 * all, r->devices, then the devices every container needs. With `update`
 * only what `r` holds changes: devices only when r lists some, and a value
 * that v2 writes in a pair (cpu.max quota/period, swap.max from swap and
 * limit) takes its missing half from the cgroup. */
int husk_cgroup_apply_resources(const char *path, const struct oci_resources *r, bool update,
                                struct husk_error **err);

/* Freeze or thaw, and wait until the kernel says it is done. */
int husk_cgroup_freeze(const char *path, bool frozen, struct husk_error **err);

/* Every process in the cgroup and the cgroups below it, in no particular
 * order. *out is malloc'd (NULL when there is none). */
int husk_cgroup_pids(const char *path, pid_t **out, size_t *n, struct husk_error **err);

/* --- statistics (the fields of `runc events --stats`) -------------------- */

struct husk_stats_kv {
  char *key;
  uint64_t value;
};

/* One line of a blkio/io statistic: "8:0 Read 4096". */
struct husk_blkio_entry {
  uint64_t major;
  uint64_t minor;
  char op[16]; /* Read, Write, Sync, Async, Discard, Total */
  uint64_t value;
};

struct husk_memory_entry {
  uint64_t limit; /* UINT64_MAX: no limit */
  uint64_t usage;
  uint64_t max; /* peak usage */
  uint64_t failcnt;
};

struct husk_hugetlb_stats {
  char *page_size; /* "2MB" */
  uint64_t usage;
  uint64_t max;
  uint64_t failcnt;
};

struct husk_cgroup_stats {
  struct {
    uint64_t total, kernel, user; /* nanoseconds */
    uint64_t *percpu;             /* v1 cpuacct only */
    size_t percpu_len;
    uint64_t periods, throttled_periods, throttled_time;
  } cpu;
  struct {
    uint64_t cache;
    struct husk_memory_entry usage, swap, kernel, kernel_tcp;
    struct husk_stats_kv *raw; /* memory.stat */
    size_t raw_len;
  } memory;
  struct {
    uint64_t current;
    uint64_t limit; /* 0: no limit */
  } pids;
  struct {
    struct husk_blkio_entry *service_bytes;
    size_t service_bytes_len;
    struct husk_blkio_entry *serviced;
    size_t serviced_len;
  } blkio;
  struct husk_hugetlb_stats *hugetlb;
  size_t hugetlb_len;
};

/* Read what the host has; a controller that is not there leaves its part
 * zero. Fails only when the cgroup itself is gone. */
int husk_cgroup_stats(const char *path, struct husk_cgroup_stats *st, struct husk_error **err);
void husk_cgroup_stats_clear(struct husk_cgroup_stats *st);

/* An fd that polls readable when the memory controller reports an OOM in
 * the cgroup (v1: an eventfd on memory.oom_control; v2: inotify on
 * memory.events), or a negative errno; *count_out is an OOM count to start
 * from. After each wakeup husk_cgroup_oom_count() drains the fd and brings
 * *count up to date (v2: memory.events oom_kill; v1: one per wakeup): an
 * OOM happened when it grew. -ENOENT once the cgroup is gone. */
int husk_cgroup_oom_watch(const char *path, uint64_t *count_out, struct husk_error **err);
int husk_cgroup_oom_count(const char *path, int watch_fd, uint64_t *count);

/* --- pure conversions (unit tested) ------------------------------------- */

/* cpu.shares [2, 262144] -> cpu.weight [1, 10000] with the quadratic
 * formula of runc >= 1.3.2 / crun >= 1.23, which maps the default 1024 to
 * the default 100: w = ceil(10^((l^2 + 125 l) / 612 - 7/34)), l = log2(s).
 * 0 stays 0 (unset). */
uint64_t husk_cpu_shares_to_weight(uint64_t shares);
/* blkio.weight [10, 1000] -> io.weight [1, 10000] (runc's linear map). */
uint64_t husk_blkio_weight_to_io_weight(uint64_t weight);
/* memory.swap.max from OCI's swap (memory + swap) and limit: -1 is "max",
 * 0 means unset (both returned as is). Fails, with *why set, when swap is
 * below the limit or set without a limit. */
int husk_memory_swap_to_v2(int64_t swap, int64_t limit, int64_t *out, const char **why);
/* "512k", "10m", "1.5g", "1GiB", "4096", "-1": bytes (binary units, as
 * runc's --memory). Returns 0 or -EINVAL. */
int husk_parse_size(const char *s, int64_t *out);

#endif
