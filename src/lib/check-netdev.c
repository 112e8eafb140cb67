/* SPDX-License-Identifier: GPL-2.0-or-later */
/* check: linux.netDevices: a network namespace of the container's own to
 * move the devices into, names the kernel takes, each interface on this
 * host, and what becomes of it when the container's namespace goes. */
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check-internal.h"
#include "json.h"
#include "netdev.h"
#include "utils.h"

/* The path of a network namespace joined by path, or NULL. */
static const char *joined_netns_path(const struct oci_linux *l) {
  for (size_t i = 0; i < l->namespaces_len; i++) {
    const struct oci_namespace *ns = &l->namespaces[i];
    if (ns->type && strcmp(ns->type, "network") == 0 && ns->path && ns->path[0])
      return ns->path;
  }
  return NULL;
}

static bool same_file(const char *a, const char *b) {
  struct stat sa, sb;
  return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

static void check_device(struct husk_check *ck, const struct oci_linux *l, size_t i) {
  const struct oci_net_device *d = &l->net_devices[i];
  _cleanup_free_ char *key = oci_json_quote(d->host_name);
  _cleanup_free_ char *path = xasprintf("linux.netDevices[%s]", key);
  const char *why = husk_netdev_name_problem(d->host_name, false);
  if (why) {
    check_error(ck, path, "the name %s", why);
    return;
  }
  if (d->name && d->name[0] && (why = husk_netdev_name_problem(d->name, true))) {
    _cleanup_free_ char *name = xasprintf("%s.name", path);
    check_error(ck, name, "\"%s\" %s", d->name, why);
    return;
  }
  const char *to = husk_netdev_new_name(d);
  for (size_t k = 0; k < i && !strchr(to, '%'); k++)
    if (strcmp(to, husk_netdev_new_name(&l->net_devices[k])) == 0) {
      _cleanup_free_ char *other = oci_json_quote(l->net_devices[k].host_name);
      check_error(ck, path, "\"%s\" is the container's name of linux.netDevices[%s] too", to,
                  other);
      return;
    }
  if (!husk_netdev_on_host(d->host_name)) {
    check_error(ck, path, "no network interface \"%s\" on this host", d->host_name);
    return;
  }
  if (!CHECK_NEW_NS(ck, HUSK_NS_NET))
    return; /* a joined namespace keeps it when the container goes */
  /* Physical interfaces have a device behind them in sysfs. */
  _cleanup_free_ char *sys = xasprintf("/sys/class/net/%s/device", d->host_name);
  if (access(sys, F_OK) == 0) {
    if (strcmp(to, d->host_name) != 0)
      check_note(ck, path,
                 "a physical interface: it comes back to the host as \"%s\", its name in the "
                 "container, when the container's network namespace goes",
                 to);
  } else {
    check_note(ck, path,
               "a virtual interface: the kernel destroys it (and a veth's peer) when the "
               "container's network namespace goes");
  }
}

void check_net_devices(struct husk_check *ck) {
  const struct oci_linux *l = ck->config->linux_;
  if (l == NULL || l->net_devices_len == 0 || check_config_error_at(ck, "linux.netDevices"))
    return;
  const char *joined = joined_netns_path(l);
  if (!CHECK_NS(ck, HUSK_NS_NET)) {
    check_error(ck, "linux.netDevices",
                "the container shares husk's network namespace, so there is nowhere to move "
                "the devices: add {\"type\": \"network\"} to linux.namespaces");
    return;
  }
  if (joined && same_file(joined, "/proc/self/ns/net")) {
    check_error(ck, "linux.netDevices",
                "linux.namespaces joins %s, husk's own network namespace, where the devices are "
                "already",
                joined);
    return;
  }
  if (CHECK_NEW_NS(ck, HUSK_NS_NET) && CHECK_NS(ck, HUSK_NS_USER) && !CHECK_NEW_NS(ck, HUSK_NS_USER))
    check_error(ck, "linux.netDevices",
                "a new network namespace inside a joined user namespace is not supported: join "
                "a network namespace by path too");
  if (geteuid() != 0)
    check_error(ck, "linux.netDevices", "moving host network interfaces needs root");
  for (size_t i = 0; i < l->net_devices_len; i++)
    if (l->net_devices[i].host_name)
      check_device(ck, l, i);
}
