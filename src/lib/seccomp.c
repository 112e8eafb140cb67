/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "seccomp-filter.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>
#include <yajl/yajl_gen.h>

#include "json.h"
#include "linux-abi.h"
#include "state.h"
#include "utils.h"

/* libseccomp 2.6 knows WAIT_KILLABLE_RECV; with an older one husk loads the
 * exported BPF itself so that it can pass the flag. */
#if SCMP_VER_MAJOR > 2 || (SCMP_VER_MAJOR == 2 && SCMP_VER_MINOR >= 6)
#define HUSK_SCMP_ATTR_WAITKILL SCMP_FLTATR_CTL_WAITKILL
#else
#define HUSK_SCMP_ATTR_WAITKILL 0
#endif

#define SYSCALL_MAX_ARGS 6

struct husk_seccomp {
  scmp_filter_ctx ctx;
  bool notify;       /* a rule uses SCMP_ACT_NOTIFY */
  bool notify_added; /* ... and libseccomp got one (not all its names unknown) */
  int listener_fd;   /* connected to listenerPath; -1 without NOTIFY */
  char *listener_path;
  char *metadata; /* listenerMetadata */
  bool raw;       /* load `prog` with seccomp(2) ourselves: see set_flags */
  unsigned long raw_flags;
  struct sock_filter *prog;
  size_t prog_len;
};

/* ---- names ------------------------------------------------------------- */

struct action_info {
  const char *name;
  uint32_t action;
  bool takes_errno; /* errnoRet is the errno (ERRNO) or the tracer's value (TRACE) */
};

static const struct action_info actions[] = {
    {"SCMP_ACT_KILL", SCMP_ACT_KILL_THREAD, false},
    {"SCMP_ACT_KILL_THREAD", SCMP_ACT_KILL_THREAD, false},
    {"SCMP_ACT_KILL_PROCESS", SCMP_ACT_KILL_PROCESS, false},
    {"SCMP_ACT_TRAP", SCMP_ACT_TRAP, false},
    {"SCMP_ACT_ERRNO", SCMP_ACT_ERRNO(0), true},
    {"SCMP_ACT_TRACE", SCMP_ACT_TRACE(0), true},
    {"SCMP_ACT_ALLOW", SCMP_ACT_ALLOW, false},
    {"SCMP_ACT_LOG", SCMP_ACT_LOG, false},
    {"SCMP_ACT_NOTIFY", SCMP_ACT_NOTIFY, false},
};

static const char *const action_names[] = {
    "SCMP_ACT_KILL",         "SCMP_ACT_KILL_THREAD",
    "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_TRAP",
    "SCMP_ACT_ERRNO",        "SCMP_ACT_TRACE",
    "SCMP_ACT_ALLOW",        "SCMP_ACT_LOG",
    "SCMP_ACT_NOTIFY",       NULL,
};

struct operator_info {
  const char *name;
  enum scmp_compare op;
};

static const struct operator_info operators[] = {
    {"SCMP_CMP_NE", SCMP_CMP_NE},
    {"SCMP_CMP_LT", SCMP_CMP_LT},
    {"SCMP_CMP_LE", SCMP_CMP_LE},
    {"SCMP_CMP_EQ", SCMP_CMP_EQ},
    {"SCMP_CMP_GE", SCMP_CMP_GE},
    {"SCMP_CMP_GT", SCMP_CMP_GT},
    {"SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ},
};

static const char *const operator_names[] = {
    "SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE",        "SCMP_CMP_EQ",
    "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ", NULL,
};

/* The OCI name and libseccomp's. */
static const struct {
  const char *oci;
  const char *scmp;
} archs[] = {
    {"SCMP_ARCH_X86", "x86"},
    {"SCMP_ARCH_X86_64", "x86_64"},
    {"SCMP_ARCH_X32", "x32"},
    {"SCMP_ARCH_ARM", "arm"},
    {"SCMP_ARCH_AARCH64", "aarch64"},
    {"SCMP_ARCH_LOONGARCH64", "loongarch64"},
    {"SCMP_ARCH_M68K", "m68k"},
    {"SCMP_ARCH_MIPS", "mips"},
    {"SCMP_ARCH_MIPS64", "mips64"},
    {"SCMP_ARCH_MIPS64N32", "mips64n32"},
    {"SCMP_ARCH_MIPSEL", "mipsel"},
    {"SCMP_ARCH_MIPSEL64", "mipsel64"},
    {"SCMP_ARCH_MIPSEL64N32", "mipsel64n32"},
    {"SCMP_ARCH_PPC", "ppc"},
    {"SCMP_ARCH_PPC64", "ppc64"},
    {"SCMP_ARCH_PPC64LE", "ppc64le"},
    {"SCMP_ARCH_RISCV64", "riscv64"},
    {"SCMP_ARCH_S390", "s390"},
    {"SCMP_ARCH_S390X", "s390x"},
    {"SCMP_ARCH_PARISC", "parisc"},
    {"SCMP_ARCH_PARISC64", "parisc64"},
    {"SCMP_ARCH_SH", "sh"},
    {"SCMP_ARCH_SHEB", "sheb"},
};

struct flag_info {
  const char *name;
  int attr; /* the libseccomp attribute; 0 when the library has none */
  unsigned long kernel;
};

static const struct flag_info flags[] = {
    {"SECCOMP_FILTER_FLAG_TSYNC", SCMP_FLTATR_CTL_TSYNC, SECCOMP_FILTER_FLAG_TSYNC},
    {"SECCOMP_FILTER_FLAG_LOG", SCMP_FLTATR_CTL_LOG, SECCOMP_FILTER_FLAG_LOG},
    {"SECCOMP_FILTER_FLAG_SPEC_ALLOW", SCMP_FLTATR_CTL_SSB, SECCOMP_FILTER_FLAG_SPEC_ALLOW},
    {"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", HUSK_SCMP_ATTR_WAITKILL,
     SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV},
};

static const char *const flag_names[] = {
    "SECCOMP_FILTER_FLAG_TSYNC",
    "SECCOMP_FILTER_FLAG_LOG",
    "SECCOMP_FILTER_FLAG_SPEC_ALLOW",
    "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV",
    NULL,
};

const char *const *husk_seccomp_known_actions(void) { return action_names; }
const char *const *husk_seccomp_known_operators(void) { return operator_names; }
const char *const *husk_seccomp_known_flags(void) { return flag_names; }

const char *const *husk_seccomp_known_archs(void) {
  static const char *known[ARRAY_SIZE(archs) + 1];
  static bool done;
  if (!done) {
    size_t n = 0;
    for (size_t i = 0; i < ARRAY_SIZE(archs); i++)
      if (seccomp_arch_resolve_name(archs[i].scmp) != 0)
        known[n++] = archs[i].oci;
    known[n] = NULL;
    done = true;
  }
  return known;
}

/* Whether the kernel takes a filter flag: with no program it stops at
 * EFAULT once the flags passed its checks, and installs nothing. */
static bool kernel_has_flag(unsigned long flag) {
  if (flag & SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV)
    flag |= SECCOMP_FILTER_FLAG_NEW_LISTENER; /* meaningless without it */
  errno = 0;
  long r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flag, NULL);
  return r < 0 && errno == EFAULT;
}

const char *const *husk_seccomp_supported_flags(void) {
  static const char *supported[ARRAY_SIZE(flags) + 1];
  static bool done;
  if (!done) {
    size_t n = 0;
    for (size_t i = 0; i < ARRAY_SIZE(flags); i++)
      if (kernel_has_flag(flags[i].kernel))
        supported[n++] = flags[i].name;
    supported[n] = NULL;
    done = true;
  }
  return supported;
}

/* ---- config -> libseccomp ---------------------------------------------- */

/* An action and its errnoRet. `where` is the action's JSON path,
 * `errno_where` the errnoRet's. */
static int parse_action(const char *name, bool has_errno, uint32_t errno_ret, const char *where,
                        const char *errno_where, uint32_t *out, struct husk_error **err) {
  if (name == NULL)
    return husk_fail(err, 0, "%s: required", where);
  const struct action_info *a = NULL;
  for (size_t i = 0; i < ARRAY_SIZE(actions); i++) {
    if (strcmp(actions[i].name, name) == 0) {
      a = &actions[i];
      break;
    }
  }
  if (a == NULL) {
    _cleanup_free_ char *q = oci_json_quote(name);
    return husk_fail(err, 0, "%s: unknown action %s", where, q);
  }
  if (has_errno && !a->takes_errno)
    return husk_fail(err, 0,
                     "%s: not allowed with %s (only SCMP_ACT_ERRNO and SCMP_ACT_TRACE take one)",
                     errno_where, a->name);
  if (has_errno && errno_ret > 0xffff)
    return husk_fail(err, 0, "%s: %u is out of range (0 to 65535)", errno_where, errno_ret);
  *out = a->action;
  if (a->takes_errno)
    *out |= has_errno ? errno_ret : (uint32_t)EPERM;
  return 0;
}

static const struct operator_info *find_operator(const char *name) {
  for (size_t i = 0; name && i < ARRAY_SIZE(operators); i++)
    if (strcmp(operators[i].name, name) == 0)
      return &operators[i];
  return NULL;
}

bool husk_seccomp_syscall_known(const struct oci_seccomp *s, const char *name) {
  if (seccomp_syscall_resolve_name(name) != __NR_SCMP_ERROR)
    return true;
  for (size_t a = 0; a < s->architectures_len; a++)
    for (size_t k = 0; s->architectures[a] && k < ARRAY_SIZE(archs); k++) {
      if (strcmp(archs[k].oci, s->architectures[a]) != 0)
        continue;
      uint32_t token = seccomp_arch_resolve_name(archs[k].scmp);
      if (token && seccomp_syscall_resolve_name_arch(token, name) != __NR_SCMP_ERROR)
        return true;
    }
  return false;
}


static int add_archs(struct husk_seccomp *f, const struct oci_seccomp *s, struct husk_error **err) {
  for (size_t i = 0; i < s->architectures_len; i++) {
    const char *name = s->architectures[i];
    const char *scmp = NULL;
    for (size_t k = 0; name && k < ARRAY_SIZE(archs); k++) {
      if (strcmp(archs[k].oci, name) == 0) {
        scmp = archs[k].scmp;
        break;
      }
    }
    if (scmp == NULL) {
      _cleanup_free_ char *q = oci_json_quote(name ? name : "");
      return husk_fail(err, 0, "linux.seccomp.architectures[%zu]: unknown architecture %s", i, q);
    }
    uint32_t token = seccomp_arch_resolve_name(scmp);
    if (token == 0) {
      const struct scmp_version *v = seccomp_version();
      return husk_fail(
          err, 0, "linux.seccomp.architectures[%zu]: %s is not supported by libseccomp %u.%u.%u", i,
          name, v->major, v->minor, v->micro);
    }
    int r = seccomp_arch_add(f->ctx, token);
    if (r < 0 && r != -EEXIST) /* the native one is always there */
      return husk_fail(err, -r, "linux.seccomp.architectures[%zu]: add %s", i, name);
  }
  return 0;
}

/* Check one syscalls[] entry and return its action. */
static int check_syscall(const struct oci_seccomp_syscall *sc, size_t i, uint32_t *action,
                         struct husk_error **err) {
  _cleanup_free_ char *where = xasprintf("linux.seccomp.syscalls[%zu].action", i);
  _cleanup_free_ char *errno_where = xasprintf("linux.seccomp.syscalls[%zu].errnoRet", i);
  int r =
      parse_action(sc->action, sc->has_errno_ret, sc->errno_ret, where, errno_where, action, err);
  if (r < 0)
    return r;
  if (sc->names_len == 0)
    return husk_fail(err, 0, "linux.seccomp.syscalls[%zu].names: at least one name is required", i);
  for (size_t j = 0; j < sc->names_len; j++) {
    const char *name = sc->names[j];
    if (name == NULL || name[0] == '\0')
      return husk_fail(err, 0, "linux.seccomp.syscalls[%zu].names[%zu]: empty syscall name", i, j);
    /* The notify fd goes to the listener with sendmsg() after the load:
     * nobody could answer that notification yet. */
    if (*action == SCMP_ACT_NOTIFY && strcmp(name, "sendmsg") == 0)
      return husk_fail(err, 0,
                       "linux.seccomp.syscalls[%zu].names[%zu]: SCMP_ACT_NOTIFY cannot be used for "
                       "sendmsg: the runtime sends the notify fd to the listener with it",
                       i, j);
  }
  for (size_t k = 0; k < sc->args_len; k++) {
    const struct oci_seccomp_arg *a = &sc->args[k];
    if (a->index >= SYSCALL_MAX_ARGS)
      return husk_fail(err, 0,
                       "linux.seccomp.syscalls[%zu].args[%zu].index: %u is out of range (0 to %d)",
                       i, k, a->index, SYSCALL_MAX_ARGS - 1);
    if (a->op == NULL)
      return husk_fail(err, 0, "linux.seccomp.syscalls[%zu].args[%zu].op: required", i, k);
    if (find_operator(a->op) == NULL) {
      _cleanup_free_ char *q = oci_json_quote(a->op);
      return husk_fail(err, 0, "linux.seccomp.syscalls[%zu].args[%zu].op: unknown operator %s", i,
                       k, q);
    }
  }
  return 0;
}

/* The rules of one syscalls[] entry (already checked). */
static int add_syscall(struct husk_seccomp *f, const struct oci_seccomp_syscall *sc, size_t i,
                       uint32_t action, struct husk_error **err) {
  _cleanup_free_ struct scmp_arg_cmp *cmps =
      xmalloc0(sizeof(*cmps) * (sc->args_len ? sc->args_len : 1));
  unsigned counts[SYSCALL_MAX_ARGS] = {0};
  bool repeated = false;
  for (size_t k = 0; k < sc->args_len; k++) {
    const struct oci_seccomp_arg *a = &sc->args[k];
    /* MASKED_EQ: value is the mask, valueTwo the datum */
    cmps[k] = (struct scmp_arg_cmp){.arg = a->index,
                                    .op = find_operator(a->op)->op,
                                    .datum_a = a->value,
                                    .datum_b = a->has_value_two ? a->value_two : 0};
    if (++counts[a->index] > 1)
      repeated = true;
  }
  for (size_t j = 0; j < sc->names_len; j++) {
    const char *name = sc->names[j];
    int nr = seccomp_syscall_resolve_name(name);
    /* Not a syscall this libseccomp knows: another arch's or a newer one. */
    if (nr == __NR_SCMP_ERROR)
      continue;
    int r = 0;
    if (sc->args_len == 0) {
      r = seccomp_rule_add_array(f->ctx, action, nr, 0, NULL);
    } else if (repeated) {
      /* libseccomp cannot AND two comparisons of one argument: like runc,
       * each comparison becomes a rule of its own (they OR). */
      for (size_t k = 0; r == 0 && k < sc->args_len; k++)
        r = seccomp_rule_add_array(f->ctx, action, nr, 1, &cmps[k]);
    } else {
      r = seccomp_rule_add_array(f->ctx, action, nr, (unsigned)sc->args_len, cmps);
    }
    if (r < 0) {
      _cleanup_free_ char *q = oci_json_quote(name);
      return husk_fail(err, -r, "linux.seccomp.syscalls[%zu]: add the rule for %s", i, q);
    }
    if (action == SCMP_ACT_NOTIFY)
      f->notify_added = true;
  }
  return 0;
}

static int set_flags(struct husk_seccomp *f, const struct oci_seccomp *s, struct husk_error **err) {
  for (size_t i = 0; i < s->flags_len; i++) {
    const char *name = s->flags[i];
    const struct flag_info *fl = NULL;
    for (size_t k = 0; name && k < ARRAY_SIZE(flags); k++) {
      if (strcmp(flags[k].name, name) == 0) {
        fl = &flags[k];
        break;
      }
    }
    if (fl == NULL) {
      _cleanup_free_ char *q = oci_json_quote(name ? name : "");
      return husk_fail(err, 0, "linux.seccomp.flags[%zu]: unknown flag %s", i, q);
    }
    unsigned long kflag = fl->kernel;
    if (kflag == SECCOMP_FILTER_FLAG_TSYNC && f->notify && seccomp_api_get() < 6) {
      /* TSYNC with a listener needs API level 6; the init is single-threaded,
       * so there is nothing to synchronize anyway. */
      continue;
    }
    if (kflag == SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV) {
      /* It only changes how a notifying syscall waits; the kernel refuses
       * it without a listener. */
      if (!f->notify)
        continue;
      if (!kernel_has_flag(kflag))
        return husk_fail(err, 0, "linux.seccomp.flags[%zu]: %s is not supported by this kernel", i,
                         name);
      if (fl->attr == 0)
        f->raw = true; /* libseccomp < 2.6 cannot pass it: load the BPF ourselves */
    }
    if (fl->attr != 0) {
      int r = seccomp_attr_set(f->ctx, (enum scmp_filter_attr)fl->attr, 1);
      if (r < 0)
        return husk_fail(
            err, -r, "linux.seccomp.flags[%zu]: %s is not supported by this kernel or libseccomp",
            i, name);
    }
    f->raw_flags |= kflag;
    if (kflag == SECCOMP_FILTER_FLAG_TSYNC && f->notify)
      f->raw_flags |= SECCOMP_FILTER_FLAG_TSYNC_ESRCH;
  }
  if (f->notify)
    f->raw_flags |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
  return 0;
}

/* The BPF libseccomp would load, for loading it with seccomp(2) ourselves. */
static int export_bpf(struct husk_seccomp *f, struct husk_error **err) {
  _cleanup_close_ int fd = memfd_create("husk-seccomp", MFD_CLOEXEC);
  if (fd < 0)
    return husk_fail(err, errno, "linux.seccomp: memfd_create");
  int r = seccomp_export_bpf(f->ctx, fd);
  if (r < 0)
    return husk_fail(err, -r, "linux.seccomp: generate the BPF program");
  off_t size = lseek(fd, 0, SEEK_END);
  if (size <= 0 || size % sizeof(struct sock_filter) != 0 ||
      size / sizeof(struct sock_filter) > USHRT_MAX)
    return husk_fail(err, 0, "linux.seccomp: the BPF program has an unexpected size (%lld bytes)",
                     (long long)size);
  f->prog = xmalloc0(size);
  errno = 0;
  if (pread(fd, f->prog, size, 0) != size)
    return husk_fail(err, errno ? errno : EIO, "linux.seccomp: read the BPF program back");
  f->prog_len = size / sizeof(struct sock_filter);
  return 0;
}

static int connect_listener(struct husk_seccomp *f, struct husk_error **err) {
  struct sockaddr_un sa = {.sun_family = AF_UNIX};
  _cleanup_free_ char *q = oci_json_quote(f->listener_path);
  if (f->listener_path[0] == '\0' || strlen(f->listener_path) >= sizeof(sa.sun_path))
    return husk_fail(
        err, 0,
        "linux.seccomp.listenerPath: %s is not a usable unix socket path (at most %zu bytes)", q,
        sizeof(sa.sun_path) - 1);
  memcpy(sa.sun_path, f->listener_path, strlen(f->listener_path));
  _cleanup_close_ int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return husk_fail(err, errno, "linux.seccomp.listenerPath: socket");
  int r;
  do
    r = connect(fd, (struct sockaddr *)&sa, sizeof(sa));
  while (r < 0 && errno == EINTR);
  if (r < 0)
    return husk_fail(err, errno, "linux.seccomp.listenerPath: connect to %s", q);
  f->listener_fd = steal_fd(&fd);
  return 0;
}

int husk_seccomp_prepare(const struct oci_seccomp *s, struct husk_seccomp **out,
                         struct husk_error **err) {
  *out = NULL;
  if (s == NULL)
    return 0;

  uint32_t def;
  int r = parse_action(s->default_action, s->has_default_errno_ret, s->default_errno_ret,
                       "linux.seccomp.defaultAction", "linux.seccomp.defaultErrnoRet", &def, err);
  if (r < 0)
    return r;
  /* Every syscall, sendmsg included, would wait for a listener that does
   * not have the fd yet. */
  if (def == SCMP_ACT_NOTIFY)
    return husk_fail(err, 0,
                     "linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot be the default action");

  _cleanup_free_ uint32_t *rule_actions = xmalloc0(sizeof(uint32_t) * (s->syscalls_len + 1));
  size_t first_notify = 0;
  _cleanup_seccomp_ struct husk_seccomp *f = xmalloc0(sizeof(*f));
  f->listener_fd = -1;
  for (size_t i = 0; i < s->syscalls_len; i++) {
    r = check_syscall(&s->syscalls[i], i, &rule_actions[i], err);
    if (r < 0)
      return r;
    if (rule_actions[i] == SCMP_ACT_NOTIFY && !f->notify) {
      f->notify = true;
      first_notify = i;
    }
  }
  if (f->notify) {
    if (s->listener_path == NULL || s->listener_path[0] == '\0')
      return husk_fail(err, 0,
                       "linux.seccomp.listenerPath: required when a rule uses SCMP_ACT_NOTIFY "
                       "(linux.seccomp.syscalls[%zu])",
                       first_notify);
    unsigned api = seccomp_api_get();
    if (api < 5)
      return husk_fail(
          err, 0,
          "linux.seccomp.syscalls[%zu].action: SCMP_ACT_NOTIFY needs libseccomp >= 2.5 "
          "and Linux >= 5.0 (seccomp API level %u, 5 needed)",
          first_notify, api);
    f->listener_path = xstrdup(s->listener_path);
    f->metadata = xstrdup(s->listener_metadata);
  }

  f->ctx = seccomp_init(def);
  if (f->ctx == NULL)
    return husk_fail(
        err, 0, "linux.seccomp.defaultAction: %s is not supported by this kernel or libseccomp",
        s->default_action);
  /* no_new_privs is process.noNewPrivileges' business, not the filter's. */
  r = seccomp_attr_set(f->ctx, SCMP_FLTATR_CTL_NNP, 0);
  if (r < 0)
    return husk_fail(err, -r, "linux.seccomp: clear the filter's no_new_privs attribute");
  /* Real errnos from the kernel in our messages; best effort. */
  seccomp_attr_set(f->ctx, SCMP_FLTATR_API_SYSRAWRC, 1);
  /* A binary tree for long profiles (not for short ones: libseccomp <= 2.5.4
   * misbehaves with it on an empty filter). */
  if (s->syscalls_len > 32)
    seccomp_attr_set(f->ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);

  r = add_archs(f, s, err);
  if (r < 0)
    return r;
  r = set_flags(f, s, err);
  if (r < 0)
    return r;
  for (size_t i = 0; i < s->syscalls_len; i++) {
    /* libseccomp refuses a rule that repeats the default action. */
    if (rule_actions[i] == def)
      continue;
    r = add_syscall(f, &s->syscalls[i], i, rule_actions[i], err);
    if (r < 0)
      return r;
  }
  /* libseccomp asks for a listener only when it has a NOTIFY rule; the
   * listener gets its fd all the same. */
  if (f->notify && !f->notify_added)
    f->raw = true;
  if (f->raw) {
    r = export_bpf(f, err);
    if (r < 0)
      return r;
  }
  if (f->notify) {
    r = connect_listener(f, err);
    if (r < 0)
      return r;
  }
  *out = steal_pointer(&f);
  return 0;
}

/* ---- load -------------------------------------------------------------- */

/* The runtime spec's "container process state": what the listener gets
 * with the fd. Built before the load, so that no allocation has to run
 * under the filter. */
static char *listener_message(const struct husk_seccomp *f, const char *state_json,
                              pid_t host_pid) {
  yajl_gen g = yajl_gen_alloc(NULL);
  if (g == NULL)
    return NULL;
  yajl_gen_map_open(g);
  yajl_gen_string(g, (const unsigned char *)"ociVersion", strlen("ociVersion"));
  yajl_gen_string(g, (const unsigned char *)HUSK_OCI_VERSION, strlen(HUSK_OCI_VERSION));
  yajl_gen_string(g, (const unsigned char *)"fds", strlen("fds"));
  yajl_gen_array_open(g);
  yajl_gen_string(g, (const unsigned char *)"seccompFd", strlen("seccompFd"));
  yajl_gen_array_close(g);
  yajl_gen_string(g, (const unsigned char *)"pid", strlen("pid"));
  yajl_gen_integer(g, host_pid);
  if (f->metadata && f->metadata[0]) {
    yajl_gen_string(g, (const unsigned char *)"metadata", strlen("metadata"));
    yajl_gen_string(g, (const unsigned char *)f->metadata, strlen(f->metadata));
  }
  /* The map stays open: the caller's state text is spliced in as is. */
  const unsigned char *buf = NULL;
  size_t len = 0;
  char *msg = NULL;
  if (yajl_gen_get_buf(g, &buf, &len) == yajl_gen_status_ok) {
    if (state_json)
      msg = xasprintf("%.*s,\"state\":%s}", (int)len, (const char *)buf, state_json);
    else
      msg = xasprintf("%.*s,\"state\":{\"ociVersion\":\"%s\",\"status\":\"creating\",\"pid\":%d}}",
                      (int)len, (const char *)buf, HUSK_OCI_VERSION, (int)host_pid);
  }
  yajl_gen_free(g);
  return msg;
}

/* The message with the fd attached to its first bytes. */
static int send_with_fd(int sock, int fd, const char *msg, size_t len) {
  union {
    char buf[CMSG_SPACE(sizeof(int))];
    struct cmsghdr align;
  } u;
  memset(&u, 0, sizeof(u));
  struct iovec iov = {.iov_base = (void *)msg, .iov_len = len};
  struct msghdr mh = {
      .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof(u.buf)};
  struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN(sizeof(int));
  memcpy(CMSG_DATA(c), &fd, sizeof(int));
  while (iov.iov_len > 0) {
    ssize_t n = sendmsg(sock, &mh, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      return -errno;
    }
    mh.msg_control = NULL;
    mh.msg_controllen = 0;
    iov.iov_base = (char *)iov.iov_base + n;
    iov.iov_len -= (size_t)n;
  }
  return 0;
}

static int load_failed(int errno_, struct husk_error **err) {
  if (errno_ == EACCES || errno_ == EPERM)
    return husk_fail(err, errno_,
                     "load the seccomp filter (without process.noNewPrivileges "
                     "this needs CAP_SYS_ADMIN)");
  return husk_fail(err, errno_, "load the seccomp filter");
}

int husk_seccomp_load(struct husk_seccomp *f, const char *state_json, pid_t host_pid,
                      struct husk_error **err) {
  if (f == NULL)
    return 0;
  _cleanup_free_ char *msg = NULL;
  if (f->notify) {
    if (f->listener_fd < 0)
      return husk_fail(err, 0, "linux.seccomp: the filter was loaded already");
    msg = listener_message(f, state_json, host_pid);
    if (msg == NULL)
      return husk_fail(err, ENOMEM, "linux.seccomp: the message for the listener");
  }

  int notify_fd = -1;
  if (f->raw) {
    struct sock_fprog prog = {.len = (unsigned short)f->prog_len, .filter = f->prog};
    long r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, f->raw_flags, &prog);
    if (r < 0)
      return load_failed(errno, err);
    if (f->notify)
      notify_fd = (int)r;
  } else {
    int r = seccomp_load(f->ctx);
    if (r < 0)
      return load_failed(-r, err);
    if (f->notify) {
      notify_fd = seccomp_notify_fd(f->ctx);
      if (notify_fd < 0)
        return husk_fail(err, -notify_fd, "linux.seccomp: get the notify fd");
    }
  }
  if (!f->notify)
    return 0;

  /* From here on the filter is active: only sendmsg and close. */
  int r = send_with_fd(f->listener_fd, notify_fd, msg, strlen(msg));
  close(notify_fd);
  close(f->listener_fd);
  f->listener_fd = -1;
  if (r < 0) {
    _cleanup_free_ char *q = oci_json_quote(f->listener_path);
    return husk_fail(err, -r, "linux.seccomp.listenerPath: send the notify fd to %s", q);
  }
  return 0;
}

void husk_seccomp_free(struct husk_seccomp *f) {
  if (f == NULL)
    return;
  if (f->ctx)
    seccomp_release(f->ctx);
  if (f->listener_fd >= 0)
    close(f->listener_fd);
  free(f->listener_path);
  free(f->metadata);
  free(f->prog);
  free(f);
}
