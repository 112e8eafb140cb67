/* SPDX-License-Identifier: GPL-2.0-or-later */
/* check: linux.namespaces against this kernel, joined namespace paths, the
 * user namespace and its id mappings, hostname without a uts namespace. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "check-internal.h"
#include "json.h"
#include "linux-abi.h"
#include "namespaces.h"
#include "utils.h"

#define MAX_MAP_LINES 340 /* the kernel's limit since Linux 4.15 */

static void check_join(struct husk_check *ck, size_t i, const struct oci_namespace *ns, int flag) {
  _cleanup_free_ char *path = xasprintf("linux.namespaces[%zu].path", i);
  _cleanup_close_ int fd = open(ns->path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    check_error(ck, path, "%s: %s", ns->path, strerror(errno));
    return;
  }
  int actual = ioctl(fd, NS_GET_NSTYPE);
  if (actual < 0 && errno == ENOTTY)
    check_error(ck, path, "%s is not a namespace file", ns->path);
  else if (actual >= 0 && actual != flag)
    check_error(ck, path, "%s is a namespace of type %s, not %s", ns->path, husk_ns_type_name(actual),
                ns->type);
}

static void check_kernel_namespaces(struct husk_check *ck, const struct oci_linux *l) {
  for (size_t i = 0; i < l->namespaces_len; i++) {
    const struct oci_namespace *ns = &l->namespaces[i];
    int flag = ns->type ? husk_ns_flag(ns->type) : 0;
    if (flag == 0)
      continue; /* a config error already */
    const char *proc = husk_ns_proc_name(flag);
    _cleanup_free_ char *self = xasprintf("/proc/self/ns/%s", proc);
    if (access(self, F_OK) < 0) {
      _cleanup_free_ char *path = xasprintf("linux.namespaces[%zu].type", i);
      check_error(ck, path, "this kernel has no %s namespaces (%s is missing)", ns->type, self);
      continue;
    }
    if (ns->path && ns->path[0])
      check_join(ck, i, ns, flag);
  }
}

/* Offsets are written into a time namespace husk makes, and only there. */
static void check_time_offsets(struct husk_check *ck, const struct oci_linux *l) {
  for (size_t i = 0; i < l->time_offsets_len; i++) {
    const struct oci_time_offset *t = &l->time_offsets[i];
    _cleanup_free_ char *q = oci_json_quote(t->clock);
    _cleanup_free_ char *path = xasprintf("linux.timeOffsets[%s]", q);
    if (strcmp(t->clock, "monotonic") != 0 && strcmp(t->clock, "boottime") != 0)
      check_error(ck, path, "unknown clock %s (monotonic or boottime)", q);
    else if (t->nanosecs >= 1000000000)
      check_error(ck, path, "nanosecs %u is not below one second", t->nanosecs);
  }
  if (l->time_offsets_len && !CHECK_NEW_NS(ck, HUSK_NS_TIME))
    check_warning(ck, "linux.timeOffsets",
                  "ignored without a new time namespace: add "
                  "{\"type\": \"time\"} to linux.namespaces");
}

static bool overlap(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen) {
  return a < b + blen && b < a + alen;
}

static void check_map(struct husk_check *ck, const char *name, const struct oci_id_mapping *m,
                      size_t n) {
  _cleanup_free_ char *field = xasprintf("linux.%s", name);
  if (n > MAX_MAP_LINES)
    check_error(ck, field, "%zu lines: the kernel takes at most %d", n, MAX_MAP_LINES);
  for (size_t i = 0; i < n; i++) {
    _cleanup_free_ char *path = xasprintf("linux.%s[%zu]", name, i);
    if (m[i].size == 0) {
      _cleanup_free_ char *size = xasprintf("%s.size", path);
      check_error(ck, size, "must be greater than 0");
      continue;
    }
    if ((uint64_t)m[i].container_id + m[i].size > UINT32_MAX + 1ULL ||
        (uint64_t)m[i].host_id + m[i].size > UINT32_MAX + 1ULL) {
      check_error(ck, path, "the range goes past id 4294967295");
      continue;
    }
    for (size_t k = 0; k < i; k++) {
      if (overlap(m[i].container_id, m[i].size, m[k].container_id, m[k].size)) {
        check_error(ck, path, "its container ids overlap those of [%zu]", k);
        break;
      }
      if (overlap(m[i].host_id, m[i].size, m[k].host_id, m[k].size)) {
        check_error(ck, path, "its host ids overlap those of [%zu]", k);
        break;
      }
    }
  }
}

static bool covers(const struct oci_id_mapping *m, size_t n, uint32_t id) {
  for (size_t i = 0; i < n; i++)
    if (id >= m[i].container_id && id - m[i].container_id < m[i].size)
      return true;
  return false;
}

static void check_user_ns(struct husk_check *ck, const struct oci_linux *l) {
  size_t nu = l ? l->uid_mappings_len : 0, ng = l ? l->gid_mappings_len : 0;
  if (!CHECK_NEW_NS(ck, HUSK_NS_USER)) {
    const char *why = CHECK_NS(ck, HUSK_NS_USER)
                          ? "the user namespace is joined by path and has its mappings already: "
                            "remove these"
                          : "mappings need a new user namespace: add {\"type\": \"user\"} to "
                            "linux.namespaces";
    if (nu)
      check_error(ck, "linux.uidMappings", "%s", why);
    if (ng)
      check_error(ck, "linux.gidMappings", "%s", why);
    return;
  }
  if (nu == 0)
    check_error(ck, "linux.uidMappings", "a new user namespace needs uid mappings");
  if (ng == 0)
    check_error(ck, "linux.gidMappings", "a new user namespace needs gid mappings");
  /* A mapping that failed to parse reads as zeros: judge only whole ones. */
  if (check_config_error_at(ck, "linux.uidMappings") ||
      check_config_error_at(ck, "linux.gidMappings"))
    return;
  check_map(ck, "uidMappings", l->uid_mappings, nu);
  check_map(ck, "gidMappings", l->gid_mappings, ng);
  const struct oci_process *p = ck->config->process;
  if (p == NULL || check_config_error_at(ck, "process.user"))
    return;
  const struct oci_user *u = &p->user;
  if (nu && !covers(l->uid_mappings, nu, u->uid))
    check_error(ck, "process.user.uid",
                "%u is not mapped in the new user namespace "
                "(linux.uidMappings)",
                u->uid);
  if (ng && !covers(l->gid_mappings, ng, u->gid))
    check_error(ck, "process.user.gid",
                "%u is not mapped in the new user namespace "
                "(linux.gidMappings)",
                u->gid);
  for (size_t i = 0; ng && i < u->additional_gids_len; i++) {
    if (covers(l->gid_mappings, ng, u->additional_gids[i]))
      continue;
    _cleanup_free_ char *path = xasprintf("process.user.additionalGids[%zu]", i);
    check_error(ck, path, "%u is not mapped in the new user namespace (linux.gidMappings)",
                u->additional_gids[i]);
  }
}

void check_namespaces(struct husk_check *ck) {
  const struct oci_config *c = ck->config;
  const struct oci_linux *l = c->linux_;
  if (l) {
    check_kernel_namespaces(ck, l);
    check_time_offsets(ck, l);
  }
  check_user_ns(ck, l);
  /* sethostname and setdomainname take at most 64 bytes. */
  const char *fields[] = {"hostname", "domainname"};
  const char *values[] = {c->hostname, c->domainname};
  for (size_t i = 0; i < ARRAY_SIZE(fields); i++) {
    if (values[i] == NULL || values[i][0] == '\0')
      continue;
    if (!CHECK_NS(ck, HUSK_NS_UTS))
      check_error(ck, fields[i], "needs a uts namespace: add {\"type\": \"uts\"} to linux.namespaces");
    else if (strlen(values[i]) > HOST_NAME_MAX)
      check_error(ck, fields[i], "%zu bytes long, the most is %d", strlen(values[i]), HOST_NAME_MAX);
  }
}
