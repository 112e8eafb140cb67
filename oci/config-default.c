/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The config `husk spec` writes: the same as `runc spec` (runc's
 * specconv.Example() and, for --rootless, ToRootless()), so that bundles made
 * for one runtime run on the other. */
#include <string.h>
#include <unistd.h>

#include "spec.h"
#include "utils.h"

/* A NULL-terminated copy of a NULL-terminated list, without the entries
 * `skip` refuses (skip may be NULL). */
static char **strv_copy(const char *const *src, bool (*skip)(const char *), size_t *len) {
  size_t n = 0;
  while (src[n])
    n++;
  char **v = xmalloc0((n + 1) * sizeof(*v));
  *len = 0;
  for (size_t i = 0; i < n; i++) {
    if (skip == NULL || !skip(src[i]))
      v[(*len)++] = xstrdup(src[i]);
  }
  return v;
}

/* Without root the owner of a mount is whoever we are: runc drops them. */
static bool is_owner_option(const char *opt) {
  return str_has_prefix(opt, "uid=") || str_has_prefix(opt, "gid=");
}

struct default_mount {
  const char *destination, *type, *source;
  const char *options[8];
};

static const struct default_mount default_mounts[] = {
    {"/proc", "proc", "proc", {NULL}},
    {"/dev", "tmpfs", "tmpfs", {"nosuid", "strictatime", "mode=755", "size=65536k", NULL}},
    {"/dev/pts",
     "devpts",
     "devpts",
     {"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5", NULL}},
    {"/dev/shm", "tmpfs", "shm", {"nosuid", "noexec", "nodev", "mode=1777", "size=65536k", NULL}},
    {"/dev/mqueue", "mqueue", "mqueue", {"nosuid", "noexec", "nodev", NULL}},
    {"/sys", "sysfs", "sysfs", {"nosuid", "noexec", "nodev", "ro", NULL}},
    {"/sys/fs/cgroup", "cgroup", "cgroup", {"nosuid", "noexec", "nodev", "relatime", "ro", NULL}},
};

/* A fresh sysfs needs a network namespace of our own; without one, bind the
 * host's /sys read-only. */
static const struct default_mount rootless_sys = {
    "/sys", "none", "/sys", {"rbind", "nosuid", "noexec", "nodev", "ro", NULL}};

static const char *const default_caps[] = {"CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE",
                                           NULL};
static const char *const default_env[] = {
    "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm", NULL};
static const char *const default_args[] = {"sh", NULL};

static const char *const masked_paths[] = {"/proc/acpi",
                                           "/proc/asound",
                                           "/proc/kcore",
                                           "/proc/keys",
                                           "/proc/latency_stats",
                                           "/proc/timer_list",
                                           "/proc/timer_stats",
                                           "/proc/sched_debug",
                                           "/sys/firmware",
                                           "/proc/scsi",
                                           "/sys/devices/virtual/tpm",
                                           NULL};
static const char *const readonly_paths[] = {
    "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger", NULL};

static const char *const namespaces[] = {"pid", "network", "ipc", "uts", "mount", "cgroup", NULL};
static const char *const rootless_namespaces[] = {"pid",    "ipc",  "uts", "mount",
                                                  "cgroup", "user", NULL};

static struct oci_process *default_process(void) {
  struct oci_process *p = xmalloc0(sizeof(*p));
  p->terminal = true;
  p->args = strv_copy(default_args, NULL, &p->args_len);
  p->env = strv_copy(default_env, NULL, &p->env_len);
  p->cwd = xstrdup("/");
  p->no_new_privileges = true;
  p->capabilities = xmalloc0(sizeof(*p->capabilities));
  p->capabilities->bounding = strv_copy(default_caps, NULL, &p->capabilities->bounding_len);
  p->capabilities->effective = strv_copy(default_caps, NULL, &p->capabilities->effective_len);
  p->capabilities->permitted = strv_copy(default_caps, NULL, &p->capabilities->permitted_len);
  p->rlimits = xmalloc0(sizeof(*p->rlimits));
  p->rlimits_len = 1;
  p->rlimits[0] = (struct oci_rlimit){.type = xstrdup("RLIMIT_NOFILE"), .hard = 1024, .soft = 1024};
  return p;
}

static void default_mounts_into(struct oci_config *c, bool rootless) {
  c->mounts_len = ARRAY_SIZE(default_mounts);
  c->mounts = xmalloc0(c->mounts_len * sizeof(*c->mounts));
  for (size_t i = 0; i < c->mounts_len; i++) {
    const struct default_mount *d = &default_mounts[i];
    if (rootless && strcmp(d->destination, "/sys") == 0)
      d = &rootless_sys;
    struct oci_mount *m = &c->mounts[i];
    m->destination = xstrdup(d->destination);
    m->type = xstrdup(d->type);
    m->source = xstrdup(d->source);
    if (d->options[0])
      m->options = strv_copy(d->options, rootless ? is_owner_option : NULL, &m->options_len);
  }
}

static struct oci_id_mapping *self_mapping(uid_t id) {
  struct oci_id_mapping *m = xmalloc0(sizeof(*m));
  *m = (struct oci_id_mapping){.container_id = 0, .host_id = id, .size = 1};
  return m;
}

struct oci_config *oci_config_default(bool rootless) {
  struct oci_config *c = xmalloc0(sizeof(*c));
  c->oci_version = xstrdup("1.3.0");
  c->root = xmalloc0(sizeof(*c->root));
  c->root->path = xstrdup("rootfs");
  c->root->readonly = true;
  c->process = default_process();
  c->hostname = xstrdup("husk");
  default_mounts_into(c, rootless);

  struct oci_linux *l = c->linux_ = xmalloc0(sizeof(*l));
  l->masked_paths = strv_copy(masked_paths, NULL, &l->masked_paths_len);
  l->has_masked_paths = true;
  l->readonly_paths = strv_copy(readonly_paths, NULL, &l->readonly_paths_len);
  l->has_readonly_paths = true;

  size_t n;
  char **types = strv_copy(rootless ? rootless_namespaces : namespaces, NULL, &n);
  l->namespaces = xmalloc0(n * sizeof(*l->namespaces));
  l->namespaces_len = n;
  for (size_t i = 0; i < n; i++)
    l->namespaces[i].type = types[i]; /* the strings move over */
  free(types);

  if (rootless) {
    /* The effective ids: the kernel lets an unprivileged process map only
     * its own euid/egid into a new user namespace. No cgroup settings: we
     * may well have no cgroup to write to. */
    l->uid_mappings = self_mapping(geteuid());
    l->uid_mappings_len = 1;
    l->gid_mappings = self_mapping(getegid());
    l->gid_mappings_len = 1;
  } else {
    l->resources = xmalloc0(sizeof(*l->resources));
    l->resources->devices = xmalloc0(sizeof(*l->resources->devices));
    l->resources->devices_len = 1;
    l->resources->devices[0] = (struct oci_device_cgroup){.allow = false, .access = xstrdup("rwm")};
  }
  return c;
}
