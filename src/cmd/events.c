/* SPDX-License-Identifier: GPL-2.0-or-later */
/* husk events: runc's JSON lines. {"type":"stats","id":ID,"data":{...}}
 * every --interval, {"type":"oom","id":ID} when the memory controller
 * reports an OOM; --stats prints the stats once and exits. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <yajl/yajl_gen.h>

#include "cgroup-cmds.h"
#include "log.h"
#include "lookup.h"
#include "output.h"
#include "utils.h"

/* A Go duration ("5s", "1m30s", "250ms", "1.5h") in milliseconds. */
static int parse_duration_ms(const char *s, int64_t *out) {
  static const struct {
    const char *unit;
    double ms;
  } units[] = {{"ns", 1e-6}, {"us", 1e-3}, {"\xc2\xb5s", 1e-3}, {"\xce\xbcs", 1e-3},
               {"ms", 1},    {"s", 1e3},   {"m", 60e3},         {"h", 3600e3}};
  double total = 0;
  if (*s == '\0')
    return -EINVAL;
  while (*s) {
    char *end;
    double v = strtod(s, &end);
    if (end == s || v < 0 || *s == '+' || *s == '-')
      return -EINVAL;
    s = end;
    size_t best = 0, best_len = 0;
    for (size_t i = 0; i < ARRAY_SIZE(units); i++) {
      size_t len = strlen(units[i].unit);
      /* the longest unit that fits: "ms" before "m" */
      if (strncmp(s, units[i].unit, len) == 0 && len > best_len)
        best = i, best_len = len;
    }
    if (best_len == 0)
      return -EINVAL;
    total += v * units[best].ms;
    s += best_len;
  }
  if (total < 1 || total > 1e12)
    return -EINVAL;
  *out = (int64_t)total;
  return 0;
}

static void gen_key(yajl_gen g, const char *s) {
  yajl_gen_string(g, (const unsigned char *)s, strlen(s));
}

static void gen_u64(yajl_gen g, const char *key, uint64_t v) {
  char buf[32];
  int n = snprintf(buf, sizeof(buf), "%" PRIu64, v);
  gen_key(g, key);
  yajl_gen_number(g, buf, (size_t)n);
}

static void gen_memory_entry(yajl_gen g, const char *key, const struct husk_memory_entry *e) {
  gen_key(g, key);
  yajl_gen_map_open(g);
  gen_u64(g, "limit", e->limit);
  gen_u64(g, "usage", e->usage);
  gen_u64(g, "max", e->max);
  gen_u64(g, "failcnt", e->failcnt);
  yajl_gen_map_close(g);
}

static void gen_blkio(yajl_gen g, const char *key, const struct husk_blkio_entry *v, size_t n) {
  if (n == 0)
    return;
  gen_key(g, key);
  yajl_gen_array_open(g);
  for (size_t i = 0; i < n; i++) {
    yajl_gen_map_open(g);
    gen_u64(g, "major", v[i].major);
    gen_u64(g, "minor", v[i].minor);
    gen_key(g, "op");
    gen_key(g, v[i].op);
    gen_u64(g, "value", v[i].value);
    yajl_gen_map_close(g);
  }
  yajl_gen_array_close(g);
}

/* The "data" of a stats event, in runc's field names. */
static void gen_stats(yajl_gen g, const struct husk_cgroup_stats *st) {
  yajl_gen_map_open(g);
  gen_key(g, "cpu");
  yajl_gen_map_open(g);
  gen_key(g, "usage");
  yajl_gen_map_open(g);
  gen_u64(g, "total", st->cpu.total);
  if (st->cpu.percpu_len) {
    gen_key(g, "percpu");
    yajl_gen_array_open(g);
    for (size_t i = 0; i < st->cpu.percpu_len; i++) {
      char buf[32];
      int n = snprintf(buf, sizeof(buf), "%" PRIu64, st->cpu.percpu[i]);
      yajl_gen_number(g, buf, (size_t)n);
    }
    yajl_gen_array_close(g);
  }
  gen_u64(g, "kernel", st->cpu.kernel);
  gen_u64(g, "user", st->cpu.user);
  yajl_gen_map_close(g);
  gen_key(g, "throttling");
  yajl_gen_map_open(g);
  gen_u64(g, "periods", st->cpu.periods);
  gen_u64(g, "throttledPeriods", st->cpu.throttled_periods);
  gen_u64(g, "throttledTime", st->cpu.throttled_time);
  yajl_gen_map_close(g);
  yajl_gen_map_close(g);

  gen_key(g, "memory");
  yajl_gen_map_open(g);
  gen_u64(g, "cache", st->memory.cache);
  gen_memory_entry(g, "usage", &st->memory.usage);
  gen_memory_entry(g, "swap", &st->memory.swap);
  gen_memory_entry(g, "kernel", &st->memory.kernel);
  gen_memory_entry(g, "kernelTCP", &st->memory.kernel_tcp);
  if (st->memory.raw_len) {
    gen_key(g, "raw");
    yajl_gen_map_open(g);
    for (size_t i = 0; i < st->memory.raw_len; i++)
      gen_u64(g, st->memory.raw[i].key, st->memory.raw[i].value);
    yajl_gen_map_close(g);
  }
  yajl_gen_map_close(g);

  gen_key(g, "pids");
  yajl_gen_map_open(g);
  gen_u64(g, "current", st->pids.current);
  if (st->pids.limit != 0 && st->pids.limit != UINT64_MAX)
    gen_u64(g, "limit", st->pids.limit);
  yajl_gen_map_close(g);

  gen_key(g, "blkio");
  yajl_gen_map_open(g);
  gen_blkio(g, "ioServiceBytesRecursive", st->blkio.service_bytes, st->blkio.service_bytes_len);
  gen_blkio(g, "ioServicedRecursive", st->blkio.serviced, st->blkio.serviced_len);
  yajl_gen_map_close(g);

  gen_key(g, "hugetlb");
  yajl_gen_map_open(g);
  for (size_t i = 0; i < st->hugetlb_len; i++) {
    gen_key(g, st->hugetlb[i].page_size);
    yajl_gen_map_open(g);
    gen_u64(g, "usage", st->hugetlb[i].usage);
    gen_u64(g, "max", st->hugetlb[i].max);
    gen_u64(g, "failcnt", st->hugetlb[i].failcnt);
    yajl_gen_map_close(g);
  }
  yajl_gen_map_close(g);
  yajl_gen_map_close(g);
}

/* One event line; `st` NULL for an event without data. */
static void print_event(const char *type, const char *id, const struct husk_cgroup_stats *st) {
  yajl_gen g = yajl_gen_alloc(NULL);
  yajl_gen_map_open(g);
  gen_key(g, "type");
  gen_key(g, type);
  gen_key(g, "id");
  gen_key(g, id);
  if (st) {
    gen_key(g, "data");
    gen_stats(g, st);
  }
  yajl_gen_map_close(g);
  cmd_print_json(g);
  fflush(stdout); /* a stream: each line as it happens */
}

static int print_stats(const struct husk_context *ctx, const char *id, struct husk_error **err) {
  struct husk_cgroup_stats st = {0};
  int r = husk_container_stats(ctx, id, &st, err);
  if (r == 0)
    print_event("stats", id, &st);
  husk_cgroup_stats_clear(&st);
  return r;
}

static int64_t now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static bool still_running(const struct husk_context *ctx, const char *id) {
  struct husk_lookup l;
  if (husk_lookup(ctx, id, false, &l, NULL) < 0)
    return false;
  bool alive = l.status != HUSK_STATUS_STOPPED;
  husk_lookup_release(&l);
  return alive;
}

/* Stats every interval and OOM events as they come, until the container
 * stops or goes away. */
static int stream(const struct husk_context *ctx, const char *id, struct husk_oom_watch *oom,
                  int64_t interval_ms) {
  if (oom->fd < 0)
    husk_debug("events: no OOM notifications: %s", oom->why ? oom->why->msg : "");
  int64_t next = now_ms() + interval_ms;
  for (;;) {
    int64_t wait = next - now_ms();
    struct pollfd p = {.fd = oom->fd, .events = POLLIN};
    int n = poll(&p, oom->fd >= 0 ? 1 : 0, wait > 0 ? (int)(wait > 1000000 ? 1000000 : wait) : 0);
    if (n < 0 && errno != EINTR)
      return 1;
    if (n > 0 && (p.revents & POLLIN) && husk_oom_watch_fired(oom))
      print_event("oom", id, NULL);
    if (now_ms() < next)
      continue;
    next += interval_ms;
    if (!still_running(ctx, id))
      return 0;
    struct husk_error *err = NULL;
    if (print_stats(ctx, id, &err) < 0) {
      if (!still_running(ctx, id)) {
        husk_error_free(err);
        return 0;
      }
      husk_error_log("events: %s", err->msg);
      husk_error_free(err);
    }
  }
}

int cmd_events(struct husk_context *ctx, int argc, char **argv) {
  static const struct option longopts[] = {{"interval", required_argument, NULL, 'i'},
                                           {"stats", no_argument, NULL, 's'},
                                           {"help", no_argument, NULL, 'h'},
                                           {NULL, 0, NULL, 0}};
  int64_t interval_ms = 5000;
  bool once = false;
  optind = 1;
  opterr = 0;
  int c;
  while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
    if (c == 'i' && parse_duration_ms(optarg, &interval_ms) < 0)
      return cmd_usage_error("events", "--interval: \"%s\" is not a duration like 5s or 500ms",
                             optarg);
    else if (c == 's')
      once = true;
    else if (c == 'h') {
      cmd_print_help("events");
      return 0;
    } else if (c != 'i')
      return cmd_option_error("events", c, argv);
  }
  if (argc - optind != 1)
    return cmd_usage_error("events", "expected one container ID, got %d arguments", argc - optind);
  const char *id = argv[optind];

  struct husk_error *err = NULL;
  if (once)
    return print_stats(ctx, id, &err) < 0 ? cmd_fail(err) : 0;
  struct husk_oom_watch oom;
  if (husk_container_oom_watch(ctx, id, &oom, &err) < 0)
    return cmd_fail(err);
  int r = stream(ctx, id, &oom, interval_ms);
  husk_oom_watch_release(&oom);
  return r;
}
