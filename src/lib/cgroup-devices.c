/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Device access rules: linux.resources.devices plus the devices every
 * container needs, written to the v1 devices controller. (v2 compiles the
 * same rules to eBPF: cgroup-ebpf.c.) */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cgroup-internal.h"
#include "utils.h"

/* runc's AllowedDevices, and /dev/console: mknod of any node (opening it is
 * another matter), the standard character devices, the ptys. */
static const struct husk_dev_rule default_rules[] = {
    {true, 'c', -1, -1, HUSK_DEV_MKNOD}, {true, 'b', -1, -1, HUSK_DEV_MKNOD},
    {true, 'c', 1, 3, HUSK_DEV_RWM},     /* /dev/null */
    {true, 'c', 1, 8, HUSK_DEV_RWM},     /* /dev/random */
    {true, 'c', 1, 7, HUSK_DEV_RWM},     /* /dev/full */
    {true, 'c', 5, 0, HUSK_DEV_RWM},     /* /dev/tty */
    {true, 'c', 1, 5, HUSK_DEV_RWM},     /* /dev/zero */
    {true, 'c', 1, 9, HUSK_DEV_RWM},     /* /dev/urandom */
    {true, 'c', 5, 1, HUSK_DEV_RWM},     /* /dev/console */
    {true, 'c', 136, -1, HUSK_DEV_RWM},  /* /dev/pts/N */
    {true, 'c', 5, 2, HUSK_DEV_RWM},     /* /dev/ptmx */
};

static int parse_rule(const struct oci_device_cgroup *d, size_t i, struct husk_dev_rule *out,
                      struct husk_error **err) {
  out->allow = d->allow;
  const char *type = d->type ? d->type : "a";
  if (strcmp(type, "a") && strcmp(type, "b") && strcmp(type, "c"))
    return husk_fail(err, 0, RES "devices[%zu].type: \"%s\" is not a, b or c", i, type);
  out->type = type[0];
  /* A negative number is a wildcard, as runc's -1. */
  out->major = d->has_major && d->major >= 0 ? d->major : -1;
  out->minor = d->has_minor && d->minor >= 0 ? d->minor : -1;
  if (out->major > INT32_MAX || out->minor > INT32_MAX)
    return husk_fail(err, 0, RES "devices[%zu]: device number out of range", i);
  const char *access = d->access && d->access[0] ? d->access : "rwm";
  out->access = 0;
  for (const char *p = access; *p; p++) {
    switch (*p) {
    case 'r':
      out->access |= HUSK_DEV_READ;
      break;
    case 'w':
      out->access |= HUSK_DEV_WRITE;
      break;
    case 'm':
      out->access |= HUSK_DEV_MKNOD;
      break;
    default:
      return husk_fail(err, 0, RES "devices[%zu].access: \"%s\" is not made of r, w and m", i,
                       access);
    }
  }
  return 0;
}

int husk_dev_rules_build(const struct oci_resources *r, struct husk_dev_rule **out, size_t *n,
                         struct husk_error **err) {
  size_t total = r->devices_len + ARRAY_SIZE(default_rules);
  _cleanup_free_ struct husk_dev_rule *rules = xmalloc0(sizeof(*rules) * total);
  for (size_t i = 0; i < r->devices_len; i++) {
    int ret = parse_rule(&r->devices[i], i, &rules[i], err);
    if (ret < 0)
      return ret;
  }
  /* The defaults go right after the config's last blanket deny ("a", deny):
   * they undo that deny, and a specific deny the config puts later still
   * wins over them (last match wins). With no blanket deny, at the end. */
  size_t at = r->devices_len;
  for (size_t i = r->devices_len; i-- > 0;) {
    if (!rules[i].allow && rules[i].type == 'a') {
      at = i + 1;
      break;
    }
  }
  memmove(rules + at + ARRAY_SIZE(default_rules), rules + at,
          sizeof(*rules) * (r->devices_len - at));
  memcpy(rules + at, default_rules, sizeof(default_rules));
  *out = steal_pointer(&rules);
  *n = total;
  return 0;
}

/* "c 1:3 rwm", "a" (v1 reads any "a" rule as every device). */
static char *rule_string(const struct husk_dev_rule *r) {
  if (r->type == 'a')
    return xstrdup("a");
  char major[24] = "*", minor[24] = "*", access[4];
  if (r->major >= 0)
    snprintf(major, sizeof(major), "%" PRId64, r->major);
  if (r->minor >= 0)
    snprintf(minor, sizeof(minor), "%" PRId64, r->minor);
  size_t k = 0;
  if (r->access & HUSK_DEV_READ)
    access[k++] = 'r';
  if (r->access & HUSK_DEV_WRITE)
    access[k++] = 'w';
  if (r->access & HUSK_DEV_MKNOD)
    access[k++] = 'm';
  access[k] = '\0';
  return xasprintf("%c %s:%s %s", r->type, major, minor, access);
}

int husk_dev_rules_apply_v1(const char *dir, const struct husk_dev_rule *rules, size_t n,
                            struct husk_error **err) {
  /* One rule per write; the two files are opened once, not per rule. */
  _cleanup_free_ char *allow_path = xasprintf("%s/devices.allow", dir);
  _cleanup_free_ char *deny_path = xasprintf("%s/devices.deny", dir);
  _cleanup_close_ int allow = open(allow_path, O_WRONLY | O_CLOEXEC);
  _cleanup_close_ int deny = open(deny_path, O_WRONLY | O_CLOEXEC);
  if (allow < 0 || deny < 0)
    return cg_fail(err, errno, NULL, RES "devices: open %s", allow < 0 ? allow_path : deny_path);
  int r = write_all(deny, "a", 1);
  if (r < 0)
    return cg_fail(err, -r, NULL, RES "devices: write a to %s", deny_path);
  for (size_t i = 0; i < n; i++) {
    _cleanup_free_ char *line = rule_string(&rules[i]);
    if ((r = write_all(rules[i].allow ? allow : deny, line, strlen(line))) < 0)
      return cg_fail(err, -r, NULL, RES "devices: write %s to %s", line,
                     rules[i].allow ? allow_path : deny_path);
  }
  return 0;
}
