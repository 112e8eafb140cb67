/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "mountopts.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

#include "linux-abi.h"
#include "utils.h"

static const struct {
  const char *name;
  bool clear;
  unsigned long flag;
} flag_table[] = {
    {"async", true, MS_SYNCHRONOUS},   {"atime", true, MS_NOATIME},
    {"defaults", false, 0},            {"dev", true, MS_NODEV},
    {"diratime", true, MS_NODIRATIME}, {"dirsync", false, MS_DIRSYNC},
    {"exec", true, MS_NOEXEC},         {"iversion", false, MS_I_VERSION},
    {"lazytime", false, MS_LAZYTIME},  {"loud", true, MS_SILENT},
    {"mand", false, MS_MANDLOCK},      {"noatime", false, MS_NOATIME},
    {"nodev", false, MS_NODEV},        {"nodiratime", false, MS_NODIRATIME},
    {"noexec", false, MS_NOEXEC},      {"noiversion", true, MS_I_VERSION},
    {"nolazytime", true, MS_LAZYTIME}, {"nomand", true, MS_MANDLOCK},
    {"norelatime", true, MS_RELATIME}, {"nostrictatime", true, MS_STRICTATIME},
    {"nosuid", false, MS_NOSUID},      {"relatime", false, MS_RELATIME},
    {"remount", false, MS_REMOUNT},    {"ro", false, MS_RDONLY},
    {"rw", true, MS_RDONLY},           {"silent", false, MS_SILENT},
    {"strictatime", false, MS_STRICTATIME}, {"suid", true, MS_NOSUID},
    {"sync", false, MS_SYNCHRONOUS},   {"nosymfollow", false, MS_NOSYMFOLLOW},
    {"symfollow", true, MS_NOSYMFOLLOW},
};

static const struct {
  const char *name;
  unsigned long flag;
} propagation_table[] = {
    {"private", MS_PRIVATE},        {"rprivate", MS_PRIVATE | MS_REC},
    {"shared", MS_SHARED},          {"rshared", MS_SHARED | MS_REC},
    {"slave", MS_SLAVE},            {"rslave", MS_SLAVE | MS_REC},
    {"unbindable", MS_UNBINDABLE},  {"runbindable", MS_UNBINDABLE | MS_REC},
};

/* Recursive variants applied with mount_setattr(AT_RECURSIVE). */
static const struct {
  const char *name;
  bool clear;
  unsigned long attr;
} recursive_table[] = {
    {"rro", false, MOUNT_ATTR_RDONLY},          {"rrw", true, MOUNT_ATTR_RDONLY},
    {"rnosuid", false, MOUNT_ATTR_NOSUID},      {"rsuid", true, MOUNT_ATTR_NOSUID},
    {"rnodev", false, MOUNT_ATTR_NODEV},        {"rdev", true, MOUNT_ATTR_NODEV},
    {"rnoexec", false, MOUNT_ATTR_NOEXEC},      {"rexec", true, MOUNT_ATTR_NOEXEC},
    {"rnodiratime", false, MOUNT_ATTR_NODIRATIME}, {"rdiratime", true, MOUNT_ATTR_NODIRATIME},
    {"rnosymfollow", false, MOUNT_ATTR_NOSYMFOLLOW}, {"rsymfollow", true, MOUNT_ATTR_NOSYMFOLLOW},
};

/* The recursive access-time modes: one of them at a time, which
 * mount_setattr(2) takes only with all of MOUNT_ATTR__ATIME cleared. The
 * ones that undo a mode go back to the default, relatime. */
static const struct {
  const char *name;
  unsigned long mode;
} recursive_atime_table[] = {
    {"rnoatime", MOUNT_ATTR_NOATIME},     {"ratime", MOUNT_ATTR_RELATIME},
    {"rstrictatime", MOUNT_ATTR_STRICTATIME}, {"rnostrictatime", MOUNT_ATTR_RELATIME},
    {"rrelatime", MOUNT_ATTR_RELATIME},   {"rnorelatime", MOUNT_ATTR_RELATIME},
};

/* runc's and crun's options that set a flag of struct husk_mount_opts. */
static const struct {
  const char *name;
  size_t field; /* offsetof the bool */
  bool value;
} extension_table[] = {
    {"tmpcopyup", offsetof(struct husk_mount_opts, tmpcopyup), true},
    {"notmpcopyup", offsetof(struct husk_mount_opts, tmpcopyup), false},
    {"copy-symlink", offsetof(struct husk_mount_opts, copy_symlink), true},
    {"src-nofollow", offsetof(struct husk_mount_opts, src_nofollow), true},
    {"dest-nofollow", offsetof(struct husk_mount_opts, dest_nofollow), true},
};

/* Handled before the tables: binds, and idmount.c's idmapped mounts. */
static const char *const bind_options[] = {"bind", "rbind", "idmap", "ridmap"};

void husk_mount_opts_add_data(struct husk_mount_opts *o, const char *opt, bool first) {
  char *old = o->data;
  o->data = old == NULL || old[0] == '\0' ? xstrdup(opt)
            : first                        ? xasprintf("%s,%s", opt, old)
                                           : xasprintf("%s,%s", old, opt);
  free(old);
}

int husk_mount_opts_parse(char *const *options, size_t n, const char *type,
                          struct husk_mount_opts *out, struct husk_error **err) {
  memset(out, 0, sizeof(*out));
  if (type && strcmp(type, "bind") == 0)
    out->bind = true;
  for (size_t i = 0; i < n; i++) {
    const char *opt = options[i];
    bool done = false;
    if (strcmp(opt, "bind") == 0) {
      out->bind = true;
      continue;
    }
    if (strcmp(opt, "rbind") == 0) {
      out->bind = out->recursive_bind = true;
      continue;
    }
    /* Options other runtimes understand that are not for the kernel. */
    for (size_t k = 0; k < ARRAY_SIZE(extension_table) && !done; k++)
      if (strcmp(opt, extension_table[k].name) == 0) {
        *(bool *)((char *)out + extension_table[k].field) = extension_table[k].value;
        done = true;
      }
    if (done)
      continue;
    /* "x-*" are for userspace tools (fstab's convention), never the kernel. */
    if (str_has_prefix(opt, "x-"))
      continue;
    /* Handled by idmount.c: "ridmap" is the recursive form. */
    if (strcmp(opt, "idmap") == 0)
      continue;
    if (strcmp(opt, "ridmap") == 0) {
      out->recursive_bind = true;
      continue;
    }
    for (size_t k = 0; k < ARRAY_SIZE(flag_table) && !done; k++) {
      if (strcmp(opt, flag_table[k].name) != 0)
        continue;
      if (flag_table[k].clear)
        out->flags &= ~flag_table[k].flag;
      else
        out->flags |= flag_table[k].flag;
      done = true;
    }
    for (size_t k = 0; k < ARRAY_SIZE(propagation_table) && !done; k++) {
      if (strcmp(opt, propagation_table[k].name) == 0) {
        out->propagation = propagation_table[k].flag;
        done = true;
      }
    }
    for (size_t k = 0; k < ARRAY_SIZE(recursive_table) && !done; k++) {
      if (strcmp(opt, recursive_table[k].name) != 0)
        continue;
      if (recursive_table[k].clear)
        out->rec_clear |= recursive_table[k].attr;
      else
        out->rec_set |= recursive_table[k].attr;
      done = true;
    }
    for (size_t k = 0; k < ARRAY_SIZE(recursive_atime_table) && !done; k++) {
      if (strcmp(opt, recursive_atime_table[k].name) != 0)
        continue;
      out->rec_clear |= MOUNT_ATTR__ATIME;
      out->rec_set = (out->rec_set & ~(unsigned long)MOUNT_ATTR__ATIME) | recursive_atime_table[k].mode;
      done = true;
    }
    if (!done)
      husk_mount_opts_add_data(out, opt, false);
  }
  if (out->tmpcopyup && (type == NULL || strcmp(type, "tmpfs") != 0 || out->bind))
    return husk_fail(err, 0, "tmpcopyup: only a tmpfs can be copied up (type \"%s\")",
                     out->bind ? "bind" : type ? type : "");
  if (out->copy_symlink && (out->src_nofollow || out->dest_nofollow))
    return husk_fail(err, 0, "copy-symlink: cannot be combined with %s",
                     out->src_nofollow ? "src-nofollow" : "dest-nofollow");
  if ((out->copy_symlink || out->src_nofollow) && !out->bind)
    return husk_fail(err, 0, "%s: only for a bind mount",
                     out->copy_symlink ? "copy-symlink" : "src-nofollow");
  return 0;
}

void husk_mount_opts_clear(struct husk_mount_opts *o) {
  free(o->data);
  o->data = NULL;
}

unsigned long husk_mount_remount_flags(const struct husk_mount_opts *o) {
  return o->flags & (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOATIME |
                     MS_NODIRATIME | MS_RELATIME | MS_STRICTATIME | MS_NOSYMFOLLOW);
}

bool husk_mount_option_is_recursive(const char *opt) {
  for (size_t i = 0; i < ARRAY_SIZE(recursive_table); i++)
    if (strcmp(opt, recursive_table[i].name) == 0)
      return true;
  for (size_t i = 0; i < ARRAY_SIZE(recursive_atime_table); i++)
    if (strcmp(opt, recursive_atime_table[i].name) == 0)
      return true;
  return false;
}

const char *const *husk_mount_option_names(void) {
  static const char *names[ARRAY_SIZE(bind_options) + ARRAY_SIZE(extension_table) +
                           ARRAY_SIZE(flag_table) + ARRAY_SIZE(propagation_table) +
                           ARRAY_SIZE(recursive_table) + ARRAY_SIZE(recursive_atime_table) + 1];
  if (names[0] == NULL) {
    size_t n = 0;
    for (size_t i = 0; i < ARRAY_SIZE(bind_options); i++)
      names[n++] = bind_options[i];
    for (size_t i = 0; i < ARRAY_SIZE(extension_table); i++)
      names[n++] = extension_table[i].name;
    for (size_t i = 0; i < ARRAY_SIZE(flag_table); i++)
      names[n++] = flag_table[i].name;
    for (size_t i = 0; i < ARRAY_SIZE(propagation_table); i++)
      names[n++] = propagation_table[i].name;
    for (size_t i = 0; i < ARRAY_SIZE(recursive_table); i++)
      names[n++] = recursive_table[i].name;
    for (size_t i = 0; i < ARRAY_SIZE(recursive_atime_table); i++)
      names[n++] = recursive_atime_table[i].name;
    names[n] = NULL;
  }
  return names;
}
