/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A container's systemd unit: its name and place from cgroupsPath, and
 * the properties its config asks for. */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgroup-internal.h"
#include "cgroup-resources.h"
#include "cgroup-systemd.h"
#include "schedule.h"
#include "utils.h"

#define INFINITY_U64 UINT64_MAX

/* "a-b-c.slice" -> "/a.slice/a-b.slice/a-b-c.slice"; "-.slice" -> "". */
static char *expand_slice(const char *slice) {
  if (strcmp(slice, "-.slice") == 0)
    return xstrdup("");
  char *path = xstrdup("");
  for (const char *d = strchr(slice, '-'); d; d = strchr(d + 1, '-')) {
    char *next = xasprintf("%s/%.*s.slice", path, (int)(d - slice), slice);
    free(path);
    path = next;
  }
  char *full = xasprintf("%s/%s", path, slice);
  free(path);
  return full;
}

int husk_systemd_unit_parse(const char *spec, bool user, char **slice_out, char **unit_out,
                            char **path_out) {
  const char *c1 = strchr(spec, ':');
  const char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
  if (c2 == NULL || strchr(c2 + 1, ':'))
    return -EINVAL;
  _cleanup_free_ char *slice = c1 == spec ? xstrdup(user ? "user.slice" : "system.slice")
                                          : xasprintf("%.*s", (int)(c1 - spec), spec);
  _cleanup_free_ char *prefix = xasprintf("%.*s", (int)(c2 - c1 - 1), c1 + 1);
  const char *name = c2 + 1;
  /* A dash at either end or two in a row name no slice systemd makes. */
  if (!str_has_suffix(slice, ".slice") || name[0] == '\0' || strchr(slice, '/') ||
      strchr(prefix, '/') || strchr(name, '/') || slice[0] == '-' ? strcmp(slice, "-.slice") != 0
                                                                  : strstr(slice, "--") != NULL)
    return -EINVAL;
  if (strcmp(name, "-.slice") == 0)
    return -EINVAL; /* the root cgroup */
  char *unit = str_has_suffix(name, ".slice") ? xstrdup(name)
               : prefix[0]                    ? xasprintf("%s-%s.scope", prefix, name)
                                              : xasprintf("%s.scope", name);
  _cleanup_free_ char *expanded = expand_slice(slice);
  _cleanup_free_ char *base =
      user ? xasprintf("/user.slice/user-%u.slice/user@%u.service", (unsigned)geteuid(), (unsigned)geteuid())
           : xstrdup("");
  /* systemd places a slice by its own name, whatever its parent. */
  if (str_has_suffix(unit, ".slice")) {
    free(expanded);
    expanded = expand_slice(unit);
    *path_out = xasprintf("%s%s", base, expanded);
  } else {
    *path_out = xasprintf("%s%s/%s", base, expanded, unit);
  }
  *unit_out = unit;
  *slice_out = steal_pointer(&slice);
  return 0;
}

/* --- resources ---------------------------------------------------------------- */

static void add_bitmask(struct husk_unit_props *p, const char *name, const cpu_set_t *set) {
  size_t n = 0;
  for (size_t i = 0; i < CPU_SETSIZE; i++)
    if (CPU_ISSET(i, set))
      n = i / 8 + 1;
  struct husk_unit_prop *prop = husk_unit_props_add(p, name, HUSK_PROP_BYTES);
  prop->bytes = xmalloc0(n ? n : 1);
  prop->n = n;
  /* systemd's bitmask: byte i holds CPUs 8i..8i+7, lowest bit first. */
  for (size_t i = 0; i < CPU_SETSIZE; i++)
    if (CPU_ISSET(i, set))
      prop->bytes[i / 8] |= (unsigned char)(1u << (i % 8));
}

static int add_cpu_list(struct husk_unit_props *p, const char *name, const char *list,
                        const char *what, struct husk_error **err) {
  cpu_set_t set;
  if (husk_parse_cpu_list(list, &set) < 0)
    return husk_fail(err, 0, "%s: \"%s\" is not a list (\"0-3,7\")", what, list);
  add_bitmask(p, name, &set);
  return 0;
}

/* runc's conversion: systemd takes a quota per second, in steps of 1%. */
static void add_cpu_quota(struct husk_unit_props *p, int64_t quota, uint64_t period) {
  if (period == 0)
    period = 100000;
  if (quota < 0) {
    husk_unit_props_add_u64(p, "CPUQuotaPerSecUSec", INFINITY_U64);
    return;
  }
  uint64_t per_sec = (uint64_t)quota * 1000000 / period;
  if (per_sec % 10000)
    per_sec = (per_sec / 10000 + 1) * 10000;
  husk_unit_props_add_u64(p, "CPUQuotaPerSecUSec", per_sec);
}

static void add_bytes_limit(struct husk_unit_props *p, const char *name, int64_t v) {
  husk_unit_props_add_u64(p, name, v < 0 ? INFINITY_U64 : (uint64_t)v);
}

/* A unified value that is a number or "max". */
static int unified_u64(const char *key, const char *value, uint64_t *out, struct husk_error **err) {
  if (strcmp(value, "max") == 0) {
    *out = INFINITY_U64;
    return 0;
  }
  char *end;
  errno = 0;
  unsigned long long v = strtoull(value, &end, 10);
  if (errno || end == value || *end != '\0' || value[0] == '-')
    return husk_fail(err, 0, RES "unified[\"%s\"]: \"%s\" is not a number or \"max\"", key, value);
  *out = v;
  return 0;
}

/* The unified keys systemd has a property for; the others are cgroup
 * files only. */
static int unified_props(const struct oci_kv *kv, struct husk_unit_props *p, struct husk_error **err) {
  static const struct {
    const char *key, *prop;
  } simple[] = {
      {"memory.max", "MemoryMax"},   {"memory.high", "MemoryHigh"},
      {"memory.low", "MemoryLow"},   {"memory.min", "MemoryMin"},
      {"memory.swap.max", "MemorySwapMax"}, {"pids.max", "TasksMax"},
      {"cpu.weight", "CPUWeight"},
  };
  const char *key = kv->key, *value = kv->value ? kv->value : "";
  uint64_t v;
  for (size_t i = 0; i < sizeof(simple) / sizeof(simple[0]); i++) {
    if (strcmp(key, simple[i].key) != 0)
      continue;
    if (unified_u64(key, value, &v, err) < 0)
      return -EINVAL;
    husk_unit_props_add_u64(p, simple[i].prop, v);
    return 0;
  }
  _cleanup_free_ char *what = xasprintf(RES "unified[\"%s\"]", key);
  if (strcmp(key, "cpuset.cpus") == 0)
    return add_cpu_list(p, "AllowedCPUs", value, what, err);
  if (strcmp(key, "cpuset.mems") == 0)
    return add_cpu_list(p, "AllowedMemoryNodes", value, what, err);
  if (strcmp(key, "cpu.max") == 0) {
    char quota[32];
    unsigned long long period = 100000;
    if (sscanf(value, "%31s %llu", quota, &period) < 1)
      return husk_fail(err, 0, "%s: \"%s\" is not \"QUOTA [PERIOD]\"", what, value);
    if (unified_u64(key, quota, &v, err) < 0)
      return -EINVAL;
    add_cpu_quota(p, v == INFINITY_U64 ? -1 : (int64_t)v, period);
    husk_unit_props_add_u64(p, "CPUQuotaPeriodUSec", period);
    return 0;
  }
  return 0;
}

static const char *access_string(unsigned a) {
  static const char *const names[] = {"", "m", "r", "rm", "w", "wm", "rw", "rwm"};
  return names[a & 7];
}

/* "c 1:3" -> "/dev/char/1:3"; a major with any minor -> "char-NAME" from
 * /proc/devices; NULL where systemd has no name for it. */
static char *device_name(const struct husk_dev_rule *d) {
  const char *kind = d->type == 'b' ? "block" : "char";
  if (d->major < 0)
    return xasprintf("%s-*", kind);
  if (d->minor >= 0)
    return xasprintf("/dev/%s/%" PRId64 ":%" PRId64, kind, d->major, d->minor);
  _cleanup_free_ char *text = NULL;
  if (read_file("/proc/devices", &text, NULL, 0, NULL) < 0)
    return NULL;
  bool in_section = false;
  for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
    if (strncmp(line, "Character", 9) == 0 || strncmp(line, "Block", 5) == 0) {
      in_section = (line[0] == 'B') == (d->type == 'b');
      continue;
    }
    char name[64];
    long long major;
    if (in_section && sscanf(line, "%lld %63s", &major, name) == 2 && major == d->major)
      return xasprintf("%s-%s", kind, name);
  }
  return NULL;
}

/* The device rules as DevicePolicy and DeviceAllow, as runc does: systemd
 * knows allow lists only, so rules that deny a device after allowing more
 * leave systemd's policy at "auto" and husk's own program does the work
 * (both programs must let a device through). */
static int device_props(const struct oci_resources *r, struct husk_unit_props *p,
                        struct husk_error **err) {
  struct husk_dev_rule *rules = NULL;
  size_t n = 0;
  static const struct oci_resources none;
  if (husk_dev_rules_build(r ? r : &none, &rules, &n, err) < 0)
    return -EINVAL;
  bool any_allow = false, simple = true, allow_all = false;
  for (size_t i = 0; i < n; i++) {
    if (rules[i].allow) {
      any_allow = true;
      if (rules[i].type == 'a')
        allow_all = true;
    } else if (rules[i].type == 'a') {
      allow_all = false; /* a blanket deny starts over */
    } else if (any_allow) {
      simple = false;
    }
  }
  if (allow_all || !simple) {
    husk_unit_props_add_string(p, "DevicePolicy", "auto");
    husk_unit_props_add(p, "DeviceAllow", HUSK_PROP_PAIRS);
    free(rules);
    return 0;
  }
  husk_unit_props_add_string(p, "DevicePolicy", "strict");
  struct husk_unit_prop *allow = husk_unit_props_add(p, "DeviceAllow", HUSK_PROP_PAIRS);
  allow->pairs = xmalloc0(sizeof(char *) * 2 * (n + 1));
  for (size_t i = 0; i < n; i++) {
    if (!rules[i].allow)
      continue;
    char *name = device_name(&rules[i]);
    if (name == NULL)
      continue; /* no name for systemd: husk's own program still allows it */
    allow->pairs[2 * allow->n] = name;
    allow->pairs[2 * allow->n + 1] = xstrdup(access_string(rules[i].access));
    allow->n++;
  }
  free(rules);
  return 0;
}

int husk_systemd_resource_props(const struct oci_resources *r, bool devices,
                                struct husk_unit_props *p, struct husk_error **err) {
  if (r == NULL)
    return devices ? device_props(r, p, err) : 0;
  const struct oci_memory *m = r->memory;
  if (m && m->has_limit && m->limit != 0)
    add_bytes_limit(p, "MemoryMax", m->limit);
  if (m && m->has_reservation && m->reservation > 0)
    husk_unit_props_add_u64(p, "MemoryLow", (uint64_t)m->reservation);
  int64_t swap;
  const char *why;
  if (m && m->has_swap && m->has_limit &&
      husk_memory_swap_to_v2(m->swap, m->limit, &swap, &why) == 0 && swap != 0)
    add_bytes_limit(p, "MemorySwapMax", swap);
  const struct oci_cpu *c = r->cpu;
  if (c && c->has_shares && c->shares)
    husk_unit_props_add_u64(p, "CPUWeight", husk_cpu_shares_to_weight(c->shares));
  if (c && c->has_period && c->period)
    husk_unit_props_add_u64(p, "CPUQuotaPeriodUSec", c->period);
  if (c && c->has_quota && c->quota != 0)
    add_cpu_quota(p, c->quota, c->has_period ? c->period : 0);
  if (c && c->cpus && c->cpus[0] && add_cpu_list(p, "AllowedCPUs", c->cpus, RES "cpu.cpus", err) < 0)
    return -EINVAL;
  if (c && c->mems && c->mems[0] &&
      add_cpu_list(p, "AllowedMemoryNodes", c->mems, RES "cpu.mems", err) < 0)
    return -EINVAL;
  if (r->has_pids_limit)
    add_bytes_limit(p, "TasksMax", r->pids_limit);
  if (r->block_io && r->block_io->has_weight && r->block_io->weight)
    husk_unit_props_add_u64(p, "IOWeight", husk_blkio_weight_to_io_weight(r->block_io->weight));
  for (size_t i = 0; i < r->unified_len; i++)
    if (unified_props(&r->unified[i], p, err) < 0)
      return -EINVAL;
  return devices ? device_props(r, p, err) : 0;
}

/* --- annotations -------------------------------------------------------------- */

#define PROPERTY_PREFIX "org.systemd.property."

static int parse_integer(const char *s, bool is_signed, uint64_t *u, int64_t *i) {
  char *end;
  errno = 0;
  if (is_signed)
    *i = strtoll(s, &end, 0);
  else if (s[0] == '-')
    return -EINVAL;
  else
    *u = strtoull(s, &end, 0);
  return errno || end == s || *end != '\0' ? -EINVAL : 0;
}

/* GVariant text: a quoted string, true/false, a number (int32), or a
 * typed number ("uint64 5", "int32 -1", "double 0.5", "@t 5"). */
static int parse_variant(const char *value, struct husk_unit_props *p, const char *name) {
  size_t len = strlen(value);
  if (len >= 2 && (value[0] == '\'' || value[0] == '"') && value[len - 1] == value[0]) {
    husk_unit_props_add(p, name, HUSK_PROP_STRING)->s = xasprintf("%.*s", (int)len - 2, value + 1);
    return 0;
  }
  if (strcmp(value, "true") == 0 || strcmp(value, "false") == 0) {
    husk_unit_props_add_bool(p, name, value[0] == 't');
    return 0;
  }
  static const struct {
    const char *word;
    enum husk_unit_prop_type type;
    bool is_signed;
  } typed[] = {
      {"uint64 ", HUSK_PROP_U64, false}, {"@t ", HUSK_PROP_U64, false},
      {"int64 ", HUSK_PROP_I64, true},   {"@x ", HUSK_PROP_I64, true},
      {"uint32 ", HUSK_PROP_U32, false}, {"@u ", HUSK_PROP_U32, false},
      {"int32 ", HUSK_PROP_I32, true},   {"@i ", HUSK_PROP_I32, true},
  };
  const char *num = value;
  enum husk_unit_prop_type type = HUSK_PROP_I32;
  bool is_signed = true;
  for (size_t i = 0; i < sizeof(typed) / sizeof(typed[0]); i++)
    if (str_has_prefix(value, typed[i].word)) {
      num = value + strlen(typed[i].word);
      type = typed[i].type;
      is_signed = typed[i].is_signed;
    }
  if (str_has_prefix(value, "double ")) {
    char *end;
    double d = strtod(value + 7, &end);
    if (end == value + 7 || *end != '\0' || !isfinite(d))
      return -EINVAL;
    husk_unit_props_add(p, name, HUSK_PROP_DOUBLE)->d = d;
    return 0;
  }
  uint64_t u = 0;
  int64_t i = 0;
  if (parse_integer(num, is_signed, &u, &i) < 0)
    return -EINVAL;
  if ((type == HUSK_PROP_I32 && (i < INT32_MIN || i > INT32_MAX)) ||
      (type == HUSK_PROP_U32 && u > UINT32_MAX))
    return -EINVAL;
  struct husk_unit_prop *prop = husk_unit_props_add(p, name, type);
  prop->u = u;
  prop->i = i;
  return 0;
}

/* runc's help for names documented as ...Sec: "TimeoutStopSec": "10"
 * becomes TimeoutStopUSec, 10 seconds in microseconds. */
static int sec_to_usec(struct husk_unit_prop *prop, const char *name) {
  const uint64_t M = 1000000;
  uint64_t usec;
  switch (prop->type) {
  case HUSK_PROP_U64:
  case HUSK_PROP_U32:
    usec = prop->u * M;
    break;
  case HUSK_PROP_I64:
  case HUSK_PROP_I32:
    if (prop->i < 0)
      return -EINVAL;
    usec = (uint64_t)prop->i * M;
    break;
  case HUSK_PROP_DOUBLE:
    if (prop->d < 0)
      return -EINVAL;
    usec = (uint64_t)(prop->d * (double)M);
    break;
  default:
    return -EINVAL;
  }
  free(prop->name);
  prop->name = xasprintf("%.*sUSec", (int)strlen(name) - 3, name);
  prop->type = HUSK_PROP_U64;
  prop->u = usec;
  return 0;
}

int husk_systemd_annotation_props(const struct oci_config *c, struct husk_unit_props *p,
                                  struct husk_error **err) {
  for (size_t i = 0; i < c->annotations_len; i++) {
    const char *key = c->annotations[i].key;
    if (!str_has_prefix(key, PROPERTY_PREFIX))
      continue;
    /* runc's rule: latin letters only, at least three. */
    const char *name = key + strlen(PROPERTY_PREFIX);
    bool valid = strlen(name) >= 3;
    for (const char *s = name; *s && valid; s++)
      valid = isalpha((unsigned char)*s);
    if (!valid)
      return husk_fail(err, 0, "annotations[\"%s\"]: \"%s\" is not a systemd property name "
                               "(latin letters only, at least three)",
                       key, name);
    const char *value = c->annotations[i].value ? c->annotations[i].value : "";
    if (parse_variant(value, p, name) < 0)
      return husk_fail(err, 0, "annotations[\"%s\"]: \"%s\" is not a value in GVariant text form "
                               "(\"uint64 123\", \"'text'\", \"true\")",
                       key, value);
    size_t len = strlen(name);
    bool sec = len > 3 && str_has_suffix(name, "Sec") && islower((unsigned char)name[len - 4]);
    if (sec && sec_to_usec(&p->v[p->n - 1], name) < 0)
      return husk_fail(err, 0, "annotations[\"%s\"]: \"%s\" is not a number of seconds", key, value);
  }
  return 0;
}
