/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cgroup-cmds.h"
#include "cgroup-resources.h"
#include "resources.h"
#include "utils.h"

enum {
  OPT_MEMORY = 256,
  OPT_MEMORY_RESERVATION,
  OPT_MEMORY_SWAP,
  OPT_KERNEL_MEMORY,
  OPT_KERNEL_MEMORY_TCP,
  OPT_CPU_SHARES,
  OPT_CPU_PERIOD,
  OPT_CPU_QUOTA,
  OPT_CPU_BURST,
  OPT_CPU_RT_PERIOD,
  OPT_CPU_RT_RUNTIME,
  OPT_CPU_IDLE,
  OPT_CPUSET_CPUS,
  OPT_CPUSET_MEMS,
  OPT_PIDS_LIMIT,
  OPT_BLKIO_WEIGHT,
  OPT_L3_CACHE_SCHEMA,
  OPT_MEM_BW_SCHEMA,
};

static const struct option longopts[] = {
    {"resources", required_argument, NULL, 'r'},
    {"memory", required_argument, NULL, OPT_MEMORY},
    {"memory-reservation", required_argument, NULL, OPT_MEMORY_RESERVATION},
    {"memory-swap", required_argument, NULL, OPT_MEMORY_SWAP},
    {"kernel-memory", required_argument, NULL, OPT_KERNEL_MEMORY},
    {"kernel-memory-tcp", required_argument, NULL, OPT_KERNEL_MEMORY_TCP},
    {"cpu-shares", required_argument, NULL, OPT_CPU_SHARES},
    {"cpu-share", required_argument, NULL, OPT_CPU_SHARES}, /* runc's spelling */
    {"cpu-period", required_argument, NULL, OPT_CPU_PERIOD},
    {"cpu-quota", required_argument, NULL, OPT_CPU_QUOTA},
    {"cpu-burst", required_argument, NULL, OPT_CPU_BURST},
    {"cpu-rt-period", required_argument, NULL, OPT_CPU_RT_PERIOD},
    {"cpu-rt-runtime", required_argument, NULL, OPT_CPU_RT_RUNTIME},
    {"cpu-idle", required_argument, NULL, OPT_CPU_IDLE},
    {"cpuset-cpus", required_argument, NULL, OPT_CPUSET_CPUS},
    {"cpuset-mems", required_argument, NULL, OPT_CPUSET_MEMS},
    {"pids-limit", required_argument, NULL, OPT_PIDS_LIMIT},
    {"blkio-weight", required_argument, NULL, OPT_BLKIO_WEIGHT},
    {"l3-cache-schema", required_argument, NULL, OPT_L3_CACHE_SCHEMA},
    {"mem-bw-schema", required_argument, NULL, OPT_MEM_BW_SCHEMA},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static int parse_i64(const char *s, int64_t *out) {
  char *end;
  errno = 0;
  long long v = strtoll(s, &end, 10);
  if (errno || end == s || *end)
    return -EINVAL;
  *out = v;
  return 0;
}

static int parse_u64(const char *s, uint64_t *out) {
  int64_t v;
  if (parse_i64(s, &v) < 0 || v < 0)
    return -EINVAL;
  *out = (uint64_t)v;
  return 0;
}

static struct oci_memory *memory(struct oci_resources *r) {
  if (r->memory == NULL)
    r->memory = xmalloc0(sizeof(*r->memory));
  return r->memory;
}

static struct oci_cpu *cpu(struct oci_resources *r) {
  if (r->cpu == NULL)
    r->cpu = xmalloc0(sizeof(*r->cpu));
  return r->cpu;
}

static const char *option_name(int c) {
  for (const struct option *o = longopts; o->name; o++)
    if (o->val == c)
      return o->name;
  return "?";
}

/* One flag onto the resources; -EINVAL for a value it cannot take. */
static int apply_flag(struct oci_resources *r, int c, const char *v) {
  int64_t i = 0;
  uint64_t u = 0;
  switch (c) {
  case OPT_MEMORY:
  case OPT_MEMORY_RESERVATION:
  case OPT_MEMORY_SWAP:
  case OPT_KERNEL_MEMORY:
  case OPT_KERNEL_MEMORY_TCP: {
    if (husk_parse_size(v, &i) < 0)
      return -EINVAL;
    struct oci_memory *m = memory(r);
    if (c == OPT_MEMORY)
      m->has_limit = true, m->limit = i;
    else if (c == OPT_MEMORY_RESERVATION)
      m->has_reservation = true, m->reservation = i;
    else if (c == OPT_MEMORY_SWAP)
      m->has_swap = true, m->swap = i;
    else if (c == OPT_KERNEL_MEMORY)
      m->has_kernel = true, m->kernel = i;
    else
      m->has_kernel_tcp = true, m->kernel_tcp = i;
    return 0;
  }
  case OPT_CPU_SHARES:
  case OPT_CPU_PERIOD:
  case OPT_CPU_BURST:
  case OPT_CPU_RT_PERIOD:
    if (parse_u64(v, &u) < 0)
      return -EINVAL;
    if (c == OPT_CPU_SHARES)
      cpu(r)->has_shares = true, cpu(r)->shares = u;
    else if (c == OPT_CPU_PERIOD)
      cpu(r)->has_period = true, cpu(r)->period = u;
    else if (c == OPT_CPU_BURST)
      cpu(r)->has_burst = true, cpu(r)->burst = u;
    else
      cpu(r)->has_realtime_period = true, cpu(r)->realtime_period = u;
    return 0;
  case OPT_CPU_QUOTA:
  case OPT_CPU_RT_RUNTIME:
  case OPT_CPU_IDLE:
  case OPT_PIDS_LIMIT:
    if (parse_i64(v, &i) < 0)
      return -EINVAL;
    if (c == OPT_CPU_QUOTA)
      cpu(r)->has_quota = true, cpu(r)->quota = i;
    else if (c == OPT_CPU_RT_RUNTIME)
      cpu(r)->has_realtime_runtime = true, cpu(r)->realtime_runtime = i;
    else if (c == OPT_CPU_IDLE)
      cpu(r)->has_idle = true, cpu(r)->idle = i;
    else
      r->has_pids_limit = true, r->pids_limit = i;
    return 0;
  case OPT_CPUSET_CPUS:
    free(cpu(r)->cpus);
    cpu(r)->cpus = xstrdup(v);
    return 0;
  case OPT_CPUSET_MEMS:
    free(cpu(r)->mems);
    cpu(r)->mems = xstrdup(v);
    return 0;
  case OPT_BLKIO_WEIGHT:
    if (parse_u64(v, &u) < 0 || (u != 0 && (u < 10 || u > 1000)))
      return -EINVAL;
    if (r->block_io == NULL)
      r->block_io = xmalloc0(sizeof(*r->block_io));
    r->block_io->has_weight = true;
    r->block_io->weight = (uint16_t)u;
    return 0;
  }
  return -EINVAL;
}

struct flag {
  int c;
  const char *value;
};

int cmd_update(struct husk_context *ctx, int argc, char **argv) {
  const char *file = NULL;
  const char *l3 = NULL, *mb = NULL;
  _cleanup_free_ struct flag *flags = xmalloc0(sizeof(*flags) * (size_t)(argc + 1));
  size_t n_flags = 0;
  optind = 1;
  opterr = 0;
  int c;
  while ((c = getopt_long(argc, argv, ":r:h", longopts, NULL)) != -1) {
    switch (c) {
    case 'r':
      file = optarg;
      break;
    case 'h':
      cmd_print_help("update");
      return 0;
    case OPT_L3_CACHE_SCHEMA:
      l3 = optarg;
      break;
    case OPT_MEM_BW_SCHEMA:
      mb = optarg;
      break;
    case '?':
    case ':':
      return cmd_option_error("update", c, argv);
    default:
      flags[n_flags++] = (struct flag){c, optarg};
    }
  }
  if (argc - optind != 1)
    return cmd_usage_error("update", "expected one container ID, got %d arguments", argc - optind);
  const char *id = argv[optind];

  struct husk_error *err = NULL;
  struct oci_resources *r = file ? oci_resources_load(file, &err) : xmalloc0(sizeof(*r));
  if (r == NULL)
    return cmd_fail(err);
  /* Flags go on top of the file's values. */
  for (size_t i = 0; i < n_flags; i++) {
    if (apply_flag(r, flags[i].c, flags[i].value) < 0) {
      oci_resources_free(r);
      return cmd_usage_error("update", "--%s: invalid value \"%s\"", option_name(flags[i].c),
                             flags[i].value);
    }
  }

  /* Only the RDT flags: the cgroup is not needed. */
  bool cgroup = file || n_flags > 0 || (l3 == NULL && mb == NULL);
  int ret = husk_container_update(ctx, id, cgroup ? r : NULL, l3, mb, &err);
  oci_resources_free(r);
  return ret < 0 ? cmd_fail(err) : 0;
}
