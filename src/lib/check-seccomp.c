/* SPDX-License-Identifier: GPL-2.0-or-later */
/* check: linux.seccomp against the runtime spec's names and what this
 * libseccomp knows. Nothing is built or loaded. */
#include <ctype.h>
#include <errno.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "annotations.h"
#include "check-internal.h"
#include "seccomp-filter.h"
#include "utils.h"

#define SYSCALL_MAX_ARGS 6

static const struct {
  const char *name;
  bool takes_errno;
} actions[] = {
    {"SCMP_ACT_KILL", false},  {"SCMP_ACT_KILL_THREAD", false}, {"SCMP_ACT_KILL_PROCESS", false},
    {"SCMP_ACT_TRAP", false},  {"SCMP_ACT_ERRNO", true},        {"SCMP_ACT_TRACE", true},
    {"SCMP_ACT_ALLOW", false}, {"SCMP_ACT_LOG", false},         {"SCMP_ACT_NOTIFY", false},
};

static const char *const operators[] = {"SCMP_CMP_NE",       "SCMP_CMP_LT", "SCMP_CMP_LE",
                                        "SCMP_CMP_EQ",       "SCMP_CMP_GE", "SCMP_CMP_GT",
                                        "SCMP_CMP_MASKED_EQ"};

static const char *const flags[] = {"SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG",
                                    "SECCOMP_FILTER_FLAG_SPEC_ALLOW",
                                    "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"};

/* Check an action and its errnoRet; returns whether it is SCMP_ACT_NOTIFY. */
static bool check_action(struct husk_check *ck, const char *where, const char *errno_where,
                         const char *name, bool has_errno, uint32_t errno_ret) {
  if (name == NULL)
    return false;
  for (size_t i = 0; i < ARRAY_SIZE(actions); i++) {
    if (strcmp(actions[i].name, name) != 0)
      continue;
    if (has_errno && !actions[i].takes_errno)
      check_error(ck, errno_where,
                  "not allowed with %s (only SCMP_ACT_ERRNO and SCMP_ACT_TRACE take one)", name);
    else if (has_errno && errno_ret > 0xffff)
      check_error(ck, errno_where, "%u is out of range (0 to 65535)", errno_ret);
    return strcmp(name, "SCMP_ACT_NOTIFY") == 0;
  }
  check_error(ck, where, "unknown action \"%s\"", name);
  return false;
}

/* "SCMP_ARCH_X86_64" -> libseccomp's token, or 0. */
static uint32_t arch_token(const char *oci) {
  if (!str_has_prefix(oci, "SCMP_ARCH_") || oci[10] == '\0')
    return 0;
  _cleanup_free_ char *name = xstrdup(oci + 10);
  for (char *p = name; *p; p++)
    *p = (char)tolower((unsigned char)*p);
  return seccomp_arch_resolve_name(name);
}

static void check_names(struct husk_check *ck, const struct oci_seccomp *s, size_t i,
                        const struct oci_seccomp_syscall *sc, bool notify) {
  if (sc->names && sc->names_len == 0) {
    _cleanup_free_ char *path = xasprintf("linux.seccomp.syscalls[%zu].names", i);
    check_error(ck, path, "at least one name is required");
  }
  for (size_t j = 0; j < sc->names_len; j++) {
    const char *name = sc->names[j];
    if (name == NULL)
      continue;
    _cleanup_free_ char *path = xasprintf("linux.seccomp.syscalls[%zu].names[%zu]", i, j);
    if (name[0] == '\0') {
      check_error(ck, path, "empty syscall name");
      continue;
    }
    if (notify && strcmp(name, "sendmsg") == 0)
      check_error(ck, path,
                  "SCMP_ACT_NOTIFY cannot be used for sendmsg: the runtime sends the "
                  "notify fd to the listener with it");
    if (husk_seccomp_syscall_known(s, name))
      continue;
    if (husk_annotation_on(ck->config, HUSK_ANN_SECCOMP_FAIL_UNKNOWN))
      check_error(ck, path,
                  "\"%s\" is not a syscall libseccomp knows on this architecture, and the "
                  "annotation " HUSK_ANN_SECCOMP_FAIL_UNKNOWN " makes that an error",
                  name);
    else
      check_note(ck, path,
                 "\"%s\" is not a syscall libseccomp knows on this architecture: "
                 "ignored",
                 name);
  }
}

static void check_args(struct husk_check *ck, size_t i, const struct oci_seccomp_syscall *sc) {
  for (size_t k = 0; k < sc->args_len; k++) {
    const struct oci_seccomp_arg *a = &sc->args[k];
    if (a->index >= SYSCALL_MAX_ARGS) {
      _cleanup_free_ char *path = xasprintf("linux.seccomp.syscalls[%zu].args[%zu].index", i, k);
      check_error(ck, path, "%u is out of range (0 to %d)", a->index, SYSCALL_MAX_ARGS - 1);
    }
    if (a->op == NULL)
      continue;
    bool ok = false;
    for (size_t o = 0; o < ARRAY_SIZE(operators); o++)
      ok |= strcmp(operators[o], a->op) == 0;
    if (!ok) {
      _cleanup_free_ char *path = xasprintf("linux.seccomp.syscalls[%zu].args[%zu].op", i, k);
      check_error(ck, path, "unknown operator \"%s\"", a->op);
    }
  }
}

void check_seccomp(struct husk_check *ck) {
  const struct oci_seccomp *s = ck->config->linux_ ? ck->config->linux_->seccomp : NULL;
  if (s == NULL)
    return;
  bool notify = check_action(ck, "linux.seccomp.defaultAction", "linux.seccomp.defaultErrnoRet",
                             s->default_action, s->has_default_errno_ret, s->default_errno_ret);
  for (size_t i = 0; i < s->architectures_len; i++) {
    const char *a = s->architectures[i];
    if (a == NULL || arch_token(a) != 0)
      continue;
    _cleanup_free_ char *path = xasprintf("linux.seccomp.architectures[%zu]", i);
    const struct scmp_version *v = seccomp_version();
    check_error(ck, path, "unknown architecture \"%s\" (for libseccomp %u.%u.%u)", a, v->major,
                v->minor, v->micro);
  }
  for (size_t i = 0; i < s->flags_len; i++) {
    const char *f = s->flags[i];
    bool ok = f == NULL;
    for (size_t k = 0; !ok && k < ARRAY_SIZE(flags); k++)
      ok = strcmp(flags[k], f) == 0;
    if (!ok) {
      _cleanup_free_ char *path = xasprintf("linux.seccomp.flags[%zu]", i);
      check_error(ck, path, "unknown flag \"%s\"", f);
    }
  }
  for (size_t i = 0; i < s->syscalls_len; i++) {
    const struct oci_seccomp_syscall *sc = &s->syscalls[i];
    _cleanup_free_ char *where = xasprintf("linux.seccomp.syscalls[%zu].action", i);
    _cleanup_free_ char *errno_where = xasprintf("linux.seccomp.syscalls[%zu].errnoRet", i);
    bool n = check_action(ck, where, errno_where, sc->action, sc->has_errno_ret, sc->errno_ret);
    check_names(ck, s, i, sc, n);
    check_args(ck, i, sc);
    notify |= n;
  }
  if (!notify)
    return;
  struct stat st;
  if (s->listener_path == NULL || s->listener_path[0] == '\0')
    check_error(ck, "linux.seccomp.listenerPath",
                "required when a rule uses SCMP_ACT_NOTIFY (the notify fd is sent there)");
  else if (!ck->probe_host)
    return; /* create connects to it, and says so when it cannot */
  else if (stat(s->listener_path, &st) < 0)
    check_error(ck, "linux.seccomp.listenerPath", "%s: %s", s->listener_path, strerror(errno));
  else if (!S_ISSOCK(st.st_mode))
    check_error(ck, "linux.seccomp.listenerPath", "%s is not a unix socket", s->listener_path);
}
