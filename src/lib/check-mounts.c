/* SPDX-License-Identifier: GPL-2.0-or-later */
/* check: root, mounts, masked and readonly paths, rootfs propagation. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "check-internal.h"
#include "mountopts.h"
#include "utils.h"

static const char add_mount_ns[] = "add {\"type\": \"mount\"} to linux.namespaces";

void check_root(struct husk_check *ck) {
  const struct oci_root *root = ck->config->root;
  if (root == NULL) {
    check_error(ck, "root", "missing: a container needs root.path, its root filesystem");
    return;
  }
  if (root->path == NULL)
    return; /* a config error already */
  /* "" would make the bundle itself the container's root. */
  if (root->path[0] == '\0') {
    check_error(ck, "root.path", "must not be empty");
    return;
  }
  if (!ck->probe_host)
    return; /* create resolves and opens it itself */
  _cleanup_free_ char *joined =
      root->path[0] == '/' ? xstrdup(root->path) : xasprintf("%s/%s", ck->bundle, root->path);
  char real[PATH_MAX];
  struct stat st;
  if (realpath(joined, real) == NULL) {
    check_error(ck, "root.path", "%s: %s", joined, strerror(errno));
    return;
  }
  if (stat(real, &st) < 0 || !S_ISDIR(st.st_mode)) {
    check_error(ck, "root.path", "%s is not a directory", joined);
    return;
  }
  if (strcmp(real, "/") == 0)
    check_warning(ck, "root.path", "%s is the host's own root directory", joined);
  ck->rootfs = xstrdup(real);
  ck->rootfd = open(real, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (ck->rootfd < 0)
    check_error(ck, "root.path", "open %s: %s", joined, strerror(errno));
  else if (root->readonly && !CHECK_NEW_NS(ck, HUSK_NS_MOUNT))
    check_warning(ck, "root.readonly",
                  "without a new mount namespace the read-only bind mount of the rootfs is made "
                  "in the caller's (the host's) mount namespace: %s",
                  add_mount_ns);
}

/* ---- filesystem types ------------------------------------------------------ */

static bool in_proc_filesystems(const char *type) {
  static char *text;
  if (text == NULL && read_file("/proc/filesystems", &text, NULL, 0, NULL) < 0)
    return true; /* cannot tell: do not complain */
  size_t len = strlen(type);
  for (const char *line = text; line && *line;) {
    const char *tab = strchr(line, '\t');
    const char *end = strchr(line, '\n');
    if (tab && (end == NULL || tab < end) && strncmp(tab + 1, type, len) == 0 &&
        (tab[1 + len] == '\n' || tab[1 + len] == '\0'))
      return true;
    line = end ? end + 1 : NULL;
  }
  return false;
}

/* The module the kernel would load for `type` at mount time, or NULL. */
static char *fs_module(const char *type) {
  struct utsname u;
  if (uname(&u) < 0)
    return NULL;
  _cleanup_free_ char *path = xasprintf("/lib/modules/%s/modules.alias", u.release);
  _cleanup_free_ char *text = NULL;
  if (read_file(path, &text, NULL, 0, NULL) < 0)
    return NULL;
  _cleanup_free_ char *want = xasprintf("alias fs-%s ", type);
  for (char *line = text; line && *line;) {
    char *end = strchr(line, '\n');
    if (end)
      *end = '\0';
    if (str_has_prefix(line, want))
      return xstrdup(line + strlen(want));
    line = end ? end + 1 : NULL;
  }
  return NULL;
}

static void check_type(struct husk_check *ck, size_t i, const struct oci_mount *m) {
  char path[64];
  snprintf(path, sizeof(path), "mounts[%zu].type", i);
  if (m->type == NULL || m->type[0] == '\0' || strcmp(m->type, "none") == 0) {
    check_error(ck, path, "%s: a mount that is not a bind mount needs a filesystem type",
                m->type ? "\"none\"" : "missing");
    return;
  }
  if (!ck->probe_host || in_proc_filesystems(m->type))
    return;
  _cleanup_free_ char *module = fs_module(m->type);
  if (module)
    check_note(ck, path,
               "\"%s\" is not in /proc/filesystems yet: the kernel loads the module %s when it is "
               "mounted",
               m->type, module);
  else
    check_error(ck, path,
                "\"%s\" is not a filesystem this kernel knows (not in /proc/filesystems, "
                "and no module provides it)",
                m->type);
}

/* ---- options --------------------------------------------------------------- */

static bool has_opt(const struct oci_mount *m, const char *opt, size_t *last) {
  bool found = false;
  for (size_t k = 0; k < m->options_len; k++)
    if (m->options[k] && strcmp(m->options[k], opt) == 0) {
      found = true;
      *last = k;
    }
  return found;
}

static bool kernel_at_least(int major, int minor) {
  struct utsname u;
  int ma = 0, mi = 0;
  if (uname(&u) < 0 || sscanf(u.release, "%d.%d", &ma, &mi) != 2)
    return true;
  return ma > major || (ma == major && mi >= minor);
}

static void check_options(struct husk_check *ck, size_t i, const struct oci_mount *m,
                          const struct husk_mount_opts *o) {
  static const char *const pairs[][2] = {
      {"ro", "rw"},
      {"nosuid", "suid"},
      {"nodev", "dev"},
      {"noexec", "exec"},
      {"noatime", "atime"},
      {"nodiratime", "diratime"},
      {"relatime", "norelatime"},
      {"strictatime", "nostrictatime"},
      {"sync", "async"},
      {"mand", "nomand"},
      {"rro", "rrw"},
      {"rnosuid", "rsuid"},
      {"rnodev", "rdev"},
      {"rnoexec", "rexec"},
  };
  static const char *const propagation[] = {"private", "rprivate", "shared",     "rshared",
                                            "slave",   "rslave",   "unbindable", "runbindable"};
  char path[64];
  snprintf(path, sizeof(path), "mounts[%zu].options", i);
  for (size_t p = 0; p < ARRAY_SIZE(pairs); p++) {
    size_t a = 0, b = 0;
    if (has_opt(m, pairs[p][0], &a) && has_opt(m, pairs[p][1], &b))
      check_warning(ck, path, "both \"%s\" and \"%s\": the last one, \"%s\", wins", pairs[p][0],
                    pairs[p][1], a > b ? pairs[p][0] : pairs[p][1]);
  }
  size_t n_prop = 0, last = 0;
  for (size_t p = 0; p < ARRAY_SIZE(propagation); p++) {
    size_t at = 0;
    if (has_opt(m, propagation[p], &at)) {
      n_prop++;
      if (n_prop == 1 || at > last)
        last = at;
    }
  }
  if (n_prop > 1)
    check_warning(ck, path, "more than one propagation option: the last one, \"%s\", wins",
                  m->options[last]);
  for (size_t k = 0; k < m->options_len; k++)
    if (husk_mount_option_is_recursive(m->options[k]) && !kernel_at_least(5, 12)) {
      check_error(ck, path, "\"%s\" needs Linux 5.12 or later (mount_setattr)", m->options[k]);
      break;
    }
  size_t at = 0;
  if (has_opt(m, "remount", &at)) {
    if (o->bind)
      check_warning(ck, path, "\"remount\" has no effect on a bind mount: ignored");
    else
      check_error(ck, path,
                  "\"remount\" changes an existing mount, but husk makes a new one "
                  "here: the mount would fail");
  }
  if (o->bind && o->data)
    check_warning(ck, path, "\"%s\": a bind mount takes no filesystem options: ignored", o->data);
  if (o->bind && m->type && strcmp(m->type, "bind") != 0 && strcmp(m->type, "none") != 0) {
    snprintf(path, sizeof(path), "mounts[%zu].type", i);
    check_note(ck, path, "\"%s\" is ignored: the options make this a bind mount", m->type);
  }
}

/* ---- one mount --------------------------------------------------------------- */

/* The source of a bind mount, as husk resolves it; 0, or -1 when missing. */
static int check_source(struct husk_check *ck, size_t i, const struct oci_mount *m,
                        struct stat *st) {
  char path[64];
  snprintf(path, sizeof(path), "mounts[%zu].source", i);
  if (m->source == NULL) {
    check_error(ck, path, "missing: a bind mount needs a source");
    return -1;
  }
  if (!ck->probe_host)
    return -1;
  _cleanup_free_ char *src =
      m->source[0] == '/' ? xstrdup(m->source) : xasprintf("%s/%s", ck->bundle, m->source);
  if (stat(src, st) < 0) {
    check_error(ck, path, "%s: %s", src, strerror(errno));
    return -1;
  }
  return 0;
}

static void check_destination(struct husk_check *ck, size_t i, const struct oci_mount *m,
                              const struct stat *src, bool bind) {
  char path[64];
  snprintf(path, sizeof(path), "mounts[%zu].destination", i);
  _cleanup_free_ char *dest =
      m->destination[0] == '/' ? xstrdup(m->destination) : xasprintf("/%s", m->destination);
  if (m->destination[0] != '/')
    check_note(ck, path, "\"%s\" is relative: it is mounted at %s (runtime-spec 1.2; runc "
               "does the same)", m->destination, dest);
  /* Under an earlier mount the rootfs's own files there are hidden. */
  if (ck->rootfd < 0 || check_mount_covering(ck, dest, i) >= 0)
    return;
  _cleanup_free_ char *landed = NULL, *escape = NULL;
  bool missing;
  _cleanup_close_ int fd = -1;
  int r = check_resolve(ck, dest, &landed, &escape, &missing, &fd);
  if (r == -ENOTDIR) {
    check_error(ck, path, "%s: a file that is not a directory is in the way in the rootfs",
                m->destination);
    return;
  }
  if (r < 0) {
    check_error(ck, path, "%s in the rootfs: %s", m->destination, strerror(-r));
    return;
  }
  if (escape)
    check_warning(ck, path,
                  "%s goes through the symlink %s, which leads out of the rootfs: husk follows it "
                  "inside the rootfs, so the mount lands on %s in the container",
                  m->destination, escape, landed);
  struct stat st;
  if (fd < 0 || fstat(fd, &st) < 0)
    return; /* husk creates it */
  bool want_dir = !bind || (src && S_ISDIR(src->st_mode));
  if (want_dir && !S_ISDIR(st.st_mode))
    check_error(ck, path, "%s exists in the rootfs and is not a directory%s", landed,
                bind ? ", but the source is one" : "");
  else if (!want_dir && S_ISDIR(st.st_mode))
    check_error(ck, path, "%s is a directory in the rootfs, but the source is not", landed);
}

void check_mounts(struct husk_check *ck) {
  const struct oci_config *c = ck->config;
  for (size_t i = 0; i < c->mounts_len; i++) {
    const struct oci_mount *m = &c->mounts[i];
    struct husk_mount_opts o;
    bool strings_ok = true;
    for (size_t k = 0; k < m->options_len; k++)
      strings_ok &= m->options[k] != NULL;
    if (!strings_ok)
      continue; /* a config error already */
    struct husk_error *e = NULL;
    if (husk_mount_opts_parse(m->options, m->options_len, m->type, &o, &e) < 0) {
      char path[64];
      snprintf(path, sizeof(path), "mounts[%zu].options", i);
      check_error(ck, path, "%s", e->msg);
      husk_error_free(e);
    }
    struct stat src;
    bool have_src = false;
    if (o.bind)
      have_src = check_source(ck, i, m, &src) == 0;
    else
      check_type(ck, i, m);
    check_options(ck, i, m, &o);
    if (m->destination)
      check_destination(ck, i, m, have_src ? &src : NULL, o.bind);
    husk_mount_opts_clear(&o);
  }
  if (c->mounts_len > 0 && !CHECK_NS(ck, HUSK_NS_MOUNT))
    check_warning(ck, "mounts",
                  "without a mount namespace these mounts are made in the caller's (the host's) "
                  "mount namespace: %s",
                  add_mount_ns);

  const struct oci_linux *l = c->linux_;
  if (l == NULL)
    return;
  if (l->masked_paths_len > 0 && !CHECK_NEW_NS(ck, HUSK_NS_MOUNT))
    check_error(ck, "linux.maskedPaths", "masked paths need a new mount namespace: %s",
                add_mount_ns);
  if (l->readonly_paths_len > 0 && !CHECK_NEW_NS(ck, HUSK_NS_MOUNT))
    check_error(ck, "linux.readonlyPaths", "readonly paths need a new mount namespace: %s",
                add_mount_ns);
  const char *p = l->rootfs_propagation;
  if (p && p[0]) {
    static const char *const known[] = {"shared",  "rshared",  "slave",      "rslave",
                                        "private", "rprivate", "unbindable", "runbindable"};
    bool ok = false;
    for (size_t k = 0; k < ARRAY_SIZE(known); k++)
      ok |= strcmp(p, known[k]) == 0;
    if (!ok)
      check_error(ck, "linux.rootfsPropagation", "unknown value \"%s\"", p);
    else if (!CHECK_NEW_NS(ck, HUSK_NS_MOUNT))
      check_warning(ck, "linux.rootfsPropagation",
                    "ignored without a new mount namespace: husk never changes the propagation "
                    "of a mount namespace it did not make");
  }
}
