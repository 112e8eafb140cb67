/* SPDX-License-Identifier: GPL-2.0-or-later */
/* husk_cgroup_apply_resources: pick the v1 or v2 applier; the file helpers
 * and unit conversions they share. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cgroup-internal.h"
#include "cgroup.h"
#include "utils.h"

int cg_fail(struct husk_error **err, int e, const char *hint, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  _cleanup_free_ char *msg = NULL;
  if (vasprintf(&msg, fmt, ap) < 0)
    msg = NULL;
  va_end(ap);
  bool was_set = err && *err;
  husk_fail(err, 0, "%s: %s%s", msg ? msg : "cgroup", strerror(e), hint ? hint : "");
  if (err && *err && !was_set)
    (*err)->errno_ = e;
  return -e;
}

/* Why a cgroup2 interface file is missing: its controller is not enabled
 * in the parent's cgroup.subtree_control. Returns malloc'd text or NULL. */
static char *missing_controller_hint(const char *dir, const char *file) {
  size_t clen = strcspn(file, ".");
  if (file[clen] == '\0')
    return NULL;
  _cleanup_free_ char *ctrl = xasprintf("%.*s", (int)clen, file);
  if (strcmp(ctrl, "cgroup") == 0 || husk_cgroup_v2_has_controller(dir, ctrl))
    return NULL;
  _cleanup_free_ char *parent = xstrdup(dir);
  char *slash = strrchr(parent, '/');
  if (slash)
    *slash = '\0';
  if (!husk_cgroup_v2_has_controller(parent, ctrl))
    return xasprintf(" (the %s controller is not enabled for %s: %s does not have it either)",
                     ctrl, dir, parent);
  _cleanup_free_ char *procs = NULL;
  if (cg_read(parent, "cgroup.procs", &procs) == 0 && procs[0])
    return xasprintf(" (the %s controller is not enabled for %s: %s has processes of its own, "
                     "and cgroup v2's \"no internal processes\" rule keeps it from giving "
                     "controllers to its children)",
                     ctrl, dir, parent);
  return xasprintf(" (the %s controller is not enabled for %s: add it to "
                   "%s/cgroup.subtree_control)",
                   ctrl, dir, parent);
}

int cg_apply_hugetlb(const char *dir, const struct oci_resources *r, const char *limit_suffix,
                     struct husk_error **err) {
  bool rsvd = true;
  for (size_t i = 0; i < r->hugepage_limits_len; i++) {
    const struct oci_hugepage_limit *h = &r->hugepage_limits[i];
    int ret = cg_check_page_size(h->page_size, i, err);
    if (ret < 0)
      return ret;
    _cleanup_free_ char *file = xasprintf("hugetlb.%s%s", h->page_size, limit_suffix);
    _cleanup_free_ char *rsvd_file = xasprintf("hugetlb.%s.rsvd%s", h->page_size, limit_suffix);
    _cleanup_free_ char *what = xasprintf(RES "hugepageLimits[%zu]", i);
    if ((ret = cg_write_u64(dir, file, h->limit, what, err)) < 0)
      return ret;
    rsvd = rsvd && cg_has(dir, rsvd_file);
    if (rsvd && (ret = cg_write_u64(dir, rsvd_file, h->limit, what, err)) < 0)
      return ret;
  }
  return 0;
}

int cg_apply_pids_limit(const char *dir, int64_t limit, struct husk_error **err) {
  return limit >= 0 ? cg_write_i64(dir, "pids.max", limit, RES "pids.limit", err)
                    : cg_write(dir, "pids.max", "max", RES "pids.limit", err);
}

int cg_write(const char *dir, const char *file, const char *value, const char *what,
             struct husk_error **err) {
  _cleanup_free_ char *full = xasprintf("%s/%s", dir, file);
  _cleanup_close_ int fd = open(full, O_WRONLY | O_CLOEXEC);
  int r = fd < 0 ? -errno : write_all(fd, value, strlen(value));
  if (r == 0)
    return 0;
  _cleanup_free_ char *hint = r == -ENOENT ? missing_controller_hint(dir, file) : NULL;
  return cg_fail(err, -r, hint, "%s: write %s to %s", what, value, full);
}

int cg_write_i64(const char *dir, const char *file, int64_t value, const char *what,
                 struct husk_error **err) {
  char buf[32];
  snprintf(buf, sizeof(buf), "%" PRId64, value);
  return cg_write(dir, file, buf, what, err);
}

int cg_write_u64(const char *dir, const char *file, uint64_t value, const char *what,
                 struct husk_error **err) {
  char buf[32];
  snprintf(buf, sizeof(buf), "%" PRIu64, value);
  return cg_write(dir, file, buf, what, err);
}

int cg_write_burst(const char *dir, const char *file, const char *sibling, uint64_t burst,
                   struct husk_error **err) {
  _cleanup_free_ char *full = xasprintf("%s/%s", dir, file);
  _cleanup_free_ char *other = xasprintf("%s/%s", dir, sibling);
  if (access(full, F_OK) < 0 && errno == ENOENT && access(other, F_OK) == 0) {
    if (burst == 0)
      return 0;
    return husk_fail(err, 0,
                     RES "cpu.burst: this kernel has no CPU burst (no %s: it needs Linux 5.14 "
                         "or later)",
                     full);
  }
  struct husk_error *e = NULL;
  int r = cg_write_u64(dir, file, burst, RES "cpu.burst", &e);
  if (r < 0 && err && *err == NULL) {
    husk_fail(err, 0, "%s%s", e->msg,
              r == -EINVAL ? " (the kernel takes a burst of at most the quota)" : "");
    if (*err)
      (*err)->errno_ = -r;
  }
  husk_error_free(e);
  return r;
}

int cg_read(const char *dir, const char *file, char **out) {
  _cleanup_free_ char *full = xasprintf("%s/%s", dir, file);
  char *text = NULL;
  size_t len = 0;
  struct husk_error *e = NULL;
  if (read_file(full, &text, &len, 0, &e) < 0) {
    int r = e && e->errno_ ? -e->errno_ : -EIO;
    husk_error_free(e);
    return r;
  }
  while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == ' '))
    text[--len] = '\0';
  *out = text;
  return 0;
}

int cg_read_u64(const char *dir, const char *file, uint64_t *out) {
  _cleanup_free_ char *text = NULL;
  int r = cg_read(dir, file, &text);
  if (r < 0)
    return r;
  if (strcmp(text, "max") == 0) {
    *out = UINT64_MAX;
    return 0;
  }
  char *end;
  errno = 0;
  unsigned long long v = strtoull(text, &end, 10);
  if (errno || end == text)
    return -EINVAL;
  *out = v;
  return 0;
}

int cg_read_keyed(const char *dir, const char *file, const char *key, uint64_t *out) {
  _cleanup_free_ char *text = NULL;
  int r = cg_read(dir, file, &text);
  if (r < 0)
    return r;
  size_t klen = strlen(key);
  for (char *line = text; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
    if (strncmp(line, key, klen) == 0 && line[klen] == ' ') {
      *out = strtoull(line + klen + 1, NULL, 10);
      return 0;
    }
  }
  return -ENOENT;
}

bool cg_has(const char *dir, const char *file) {
  _cleanup_free_ char *full = xasprintf("%s/%s", dir, file);
  return access(full, F_OK) == 0;
}

int cg_check_page_size(const char *size, size_t index, struct husk_error **err) {
  size_t digits = strspn(size, "0123456789");
  const char *unit = size + digits;
  if (digits == 0 || (strcmp(unit, "KB") && strcmp(unit, "MB") && strcmp(unit, "GB")))
    return husk_fail(err, 0,
                     RES "hugepageLimits[%zu].pageSize: \"%s\" is not a page size like 2MB or 1GB",
                     index, size);
  return 0;
}

int cg_check_rdma_name(const char *name, struct husk_error **err) {
  if (name[0] == '\0' || strpbrk(name, " \t\n=") != NULL)
    return husk_fail(err, 0, RES "rdma: \"%s\" is not an rdma device name", name);
  return 0;
}

bool husk_resources_set(const struct oci_resources *r, bool with_devices) {
  return r && ((with_devices && r->devices_len) || r->memory || r->cpu || r->has_pids_limit ||
               r->block_io || r->hugepage_limits_len || r->network || r->rdma_len ||
               r->unified_len);
}

int husk_cgroup_apply_resources(const char *path, const struct oci_resources *r, bool update,
                                struct husk_error **err) {
  static const struct oci_resources none;
  if (r == NULL)
    r = &none;
  switch (husk_cgroup_mode()) {
  case HUSK_CGROUP_V2:
    return husk_cgroup_v2_apply(path, r, update, err);
  case HUSK_CGROUP_V1:
  case HUSK_CGROUP_HYBRID:
    return husk_cgroup_v1_apply(path, r, update, err);
  case HUSK_CGROUP_NONE:
    break;
  }
  if (!husk_resources_set(r, true))
    return 0;
  return husk_fail(err, 0, "linux.resources: no cgroup filesystem is mounted on this host");
}

/* --- conversions ------------------------------------------------------------ */

/* ln(m) for m in [1, 2): 2 atanh(z), z = (m-1)/(m+1) <= 1/3. The series
 * is exact for m = 1, so powers of two give exact logarithms. husk does
 * not link libm for this one formula. */
static double ln_1_2(double m) {
  double z = (m - 1) / (m + 1), z2 = z * z, term = z, sum = 0;
  for (int k = 1; k < 80; k += 2) {
    sum += term / k;
    term *= z2;
  }
  return 2 * sum;
}

/* e^y for y in [0, 2.31) by its Taylor series; exact for y = 0. */
static double exp_small(double y) {
  double sum = 1, term = 1;
  for (int k = 1; k < 40; k++) {
    term *= y / k;
    sum += term;
  }
  return sum;
}

uint64_t husk_cpu_shares_to_weight(uint64_t shares) {
  if (shares == 0)
    return 0;
  if (shares <= 2)
    return 1;
  if (shares >= 262144)
    return 10000;
  int k = 63 - __builtin_clzll(shares);
  double l = k + ln_1_2((double)shares / (double)(1ULL << k)) / 0.69314718055994530942;
  double e = (l * l + 125 * l) / 612.0 - 7.0 / 34.0;
  int n = (int)e; /* e is in (0, 4) here */
  double w = exp_small((e - n) * 2.30258509299404568402);
  for (int i = 0; i < n; i++)
    w *= 10;
  uint64_t iw = (uint64_t)w;
  return (double)iw < w ? iw + 1 : iw;
}

uint64_t husk_blkio_weight_to_io_weight(uint64_t weight) {
  if (weight == 0)
    return 0;
  return 1 + (weight - 10) * 9999 / 990;
}

int husk_memory_swap_to_v2(int64_t swap, int64_t limit, int64_t *out, const char **why) {
  /* Unlimited memory and no word about swap: both unlimited, as on v1. */
  if (limit == -1 && swap == 0) {
    *out = -1;
    return 0;
  }
  if (swap == -1 || swap == 0) {
    *out = swap;
    return 0;
  }
  if (limit == 0 || limit == -1) {
    *why = "a swap limit needs a memory limit";
    return -EINVAL;
  }
  if (limit < 0 || swap < limit) {
    *why = "memory.swap is memory plus swap and must not be below memory.limit";
    return -EINVAL;
  }
  *out = swap - limit;
  return 0;
}

int husk_parse_size(const char *s, int64_t *out) {
  if (strcmp(s, "-1") == 0) {
    *out = -1;
    return 0;
  }
  const char *p = s;
  size_t ndig = strspn(p, "0123456789");
  if (ndig == 0)
    return -EINVAL;
  uint64_t whole = 0, frac = 0, frac_div = 1;
  for (size_t i = 0; i < ndig; i++) {
    if (whole > (UINT64_MAX - 9) / 10)
      return -EINVAL;
    whole = whole * 10 + (uint64_t)(p[i] - '0');
  }
  p += ndig;
  if (*p == '.') {
    size_t nf = strspn(++p, "0123456789");
    if (nf == 0)
      return -EINVAL;
    for (size_t i = 0; i < nf; i++) {
      if (frac_div <= UINT64_MAX / 100) { /* digits past 18 do not matter */
        frac = frac * 10 + (uint64_t)(p[i] - '0');
        frac_div *= 10;
      }
    }
    p += nf;
  }
  if (*p == ' ')
    p++;
  static const char units[] = "kmgtp";
  uint64_t mult = 1;
  const char *u = *p ? strchr(units, *p | 0x20) : NULL;
  if (u) {
    for (const char *q = units; q <= u; q++)
      mult *= 1024;
    p++;
  }
  if (*p == 'i' || *p == 'I')
    p++;
  if (*p == 'b' || *p == 'B')
    p++;
  if (*p != '\0')
    return -EINVAL;
  if (whole > (uint64_t)INT64_MAX / mult)
    return -EINVAL;
  uint64_t v = whole * mult;
  /* frac/frac_div of mult, without overflow: mult is a power of 1024. */
  v += (uint64_t)((double)frac / (double)frac_div * (double)mult);
  if (v > (uint64_t)INT64_MAX)
    return -EINVAL;
  *out = (int64_t)v;
  return 0;
}
