/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Rules for linux.sysctl (a name, in a namespace the container has, and in
 * husk check: there on this host) and linux.devices. */
#include <string.h>
#include <unistd.h>

#include "check-internal.h"
#include "json.h"
#include "namespaces.h"
#include "schedule.h"
#include "utils.h"

static void check_sysctl(struct husk_check *ck, const struct oci_kv *kv) {
  const char *key = kv->key;
  _cleanup_free_ char *q = oci_json_quote(key);
  _cleanup_free_ char *path = xasprintf("linux.sysctl[%s]", q);
  if (key[0] == '\0' || key[0] == '/' || key[0] == '.' || strstr(key, "..")) {
    check_error(ck, path, "not a sysctl name");
    return;
  }
  const char *field = husk_sysctl_conflict(ck->config, kv);
  if (field)
    check_error(ck, path, "\"%s\" conflicts with %s \"%s\": husk (as runc) refuses it",
                kv->value, field,
                strcmp(field, "hostname") == 0 ? ck->config->hostname : ck->config->domainname);
  int ns = husk_sysctl_namespace(key);
  if (ns < 0) {
    check_error(ck, path,
                "not in a namespace of the container's: setting it would change the host "
                "(runc refuses it too)");
    return;
  }
  if (!CHECK_NS(ck, ns)) {
    const char *type = husk_ns_kind_type(ns);
    check_error(ck, path,
                "belongs to the %s namespace, and the container shares the host's: husk would "
                "change the host's value (add {\"type\": \"%s\"} to linux.namespaces)",
                type, type);
    return;
  }
  if (!ck->probe_host)
    return;
  _cleanup_free_ char *file = xasprintf("/proc/sys/%s", key);
  for (char *p = file + strlen("/proc/sys/"); *p; p++)
    if (*p == '.')
      *p = '/';
  if (access(file, F_OK) < 0) {
    if (ns == HUSK_NS_NET && CHECK_NEW_NS(ck, HUSK_NS_NET))
      check_note(ck, path,
                 "not on this host (%s): it may exist in the container's new network namespace",
                 file);
    else
      check_error(ck, path, "no such sysctl on this host (%s is missing)", file);
  }
}

static void check_devices(struct husk_check *ck, const struct oci_linux *l) {
  for (size_t i = 0; i < l->devices_len; i++) {
    const struct oci_device *d = &l->devices[i];
    if (d->path && strncmp(d->path, "/dev/", 5) != 0) {
      _cleanup_free_ char *path = xasprintf("linux.devices[%zu].path", i);
      check_error(ck, path, "%s is not under /dev", d->path);
    }
    if (d->type && (strlen(d->type) != 1 || strchr("cubp", d->type[0]) == NULL)) {
      _cleanup_free_ char *path = xasprintf("linux.devices[%zu].type", i);
      check_error(ck, path, "unknown type \"%s\" (c, u, b or p)", d->type);
    }
  }
}

void check_linux(struct husk_check *ck) {
  const struct oci_linux *l = ck->config->linux_;
  if (l == NULL)
    return;
  for (size_t i = 0; i < l->sysctl_len; i++)
    if (l->sysctl[i].key && l->sysctl[i].value)
      check_sysctl(ck, &l->sysctl[i]);
  check_devices(ck, l);
  if (l->personality && !check_config_error_at(ck, "linux.personality") &&
      husk_personality_domain(l->personality->domain) < 0)
    check_error(ck, "linux.personality.domain", "unknown domain \"%s\" (LINUX or LINUX32)",
                l->personality->domain);
}
