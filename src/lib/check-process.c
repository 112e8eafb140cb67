/* SPDX-License-Identifier: GPL-2.0-or-later */
/* check: process.args (found and runnable in the rootfs), cwd, terminal,
 * rlimits, oomScoreAdj, the LSM labels. */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check-internal.h"
#include "inroot.h"
#include "lsm.h"
#include "schedule.h"
#include "utils.h"

#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

static const char *env_path(const struct oci_process *p) {
  for (size_t i = 0; i < p->env_len; i++)
    if (p->env[i] && str_has_prefix(p->env[i], "PATH="))
      return p->env[i] + 5;
  return DEFAULT_PATH;
}

/* `path` in the container as an absolute path: relative ones are relative
 * to the working directory, as for execve after chdir. */
static char *in_container(const struct oci_process *p, const char *path) {
  if (path[0] == '/')
    return xstrdup(path);
  const char *cwd = p->cwd && p->cwd[0] == '/' ? p->cwd : "/";
  return xasprintf("%s/%s", cwd, path[0] ? path : ".");
}

/* An O_PATH fd of `path` in the rootfs (symlinks followed inside it), or -1. */
static int open_in_root(const struct husk_check *ck, const char *path) {
  int fd = husk_inroot_open(ck->rootfd, path, HUSK_INROOT_NOCREATE, NULL);
  return fd < 0 ? -1 : fd;
}

static bool is_executable(int fd) {
  struct stat st;
  return fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 0111);
}

/* The interpreter a file asks for: "#!" or the ELF PT_INTERP; NULL for
 * none (a static binary) or a file that cannot be read. */
static char *interpreter(int fd) {
  char fdpath[HUSK_FD_PATH_MAX];
  husk_fd_path(fd, fdpath);
  _cleanup_close_ int f = open(fdpath, O_RDONLY | O_CLOEXEC);
  if (f < 0)
    return NULL;
  unsigned char buf[4096];
  ssize_t n = pread(f, buf, sizeof(buf) - 1, 0);
  if (n < 4)
    return NULL;
  buf[n] = '\0';
  if (buf[0] == '#' && buf[1] == '!') {
    char *s = (char *)buf + 2;
    s += strspn(s, " \t");
    size_t len = strcspn(s, " \t\n");
    return len ? xasprintf("%.*s", (int)len, s) : NULL;
  }
  if (memcmp(buf, ELFMAG, SELFMAG) != 0)
    return NULL;
  char path[PATH_MAX] = "";
  if (buf[EI_CLASS] == ELFCLASS64 && (size_t)n >= sizeof(Elf64_Ehdr)) {
    Elf64_Ehdr eh;
    memcpy(&eh, buf, sizeof(eh));
    for (unsigned i = 0; i < eh.e_phnum && i < 64; i++) {
      Elf64_Phdr ph;
      if (pread(f, &ph, sizeof(ph), (off_t)(eh.e_phoff + (uint64_t)i * eh.e_phentsize)) !=
          sizeof(ph))
        return NULL;
      if (ph.p_type == PT_INTERP && ph.p_filesz > 1 && ph.p_filesz < sizeof(path)) {
        if (pread(f, path, ph.p_filesz, (off_t)ph.p_offset) != (ssize_t)ph.p_filesz)
          return NULL;
        path[ph.p_filesz] = '\0';
        return xstrdup(path);
      }
    }
  } else if (buf[EI_CLASS] == ELFCLASS32 && (size_t)n >= sizeof(Elf32_Ehdr)) {
    Elf32_Ehdr eh;
    memcpy(&eh, buf, sizeof(eh));
    for (unsigned i = 0; i < eh.e_phnum && i < 64; i++) {
      Elf32_Phdr ph;
      if (pread(f, &ph, sizeof(ph), (off_t)(eh.e_phoff + (uint32_t)i * eh.e_phentsize)) !=
          sizeof(ph))
        return NULL;
      if (ph.p_type == PT_INTERP && ph.p_filesz > 1 && ph.p_filesz < sizeof(path)) {
        if (pread(f, path, ph.p_filesz, (off_t)ph.p_offset) != (ssize_t)ph.p_filesz)
          return NULL;
        path[ph.p_filesz] = '\0';
        return xstrdup(path);
      }
    }
  }
  return NULL;
}

/* The executable was found: can the kernel start it? */
static void check_interpreter(struct husk_check *ck, const struct oci_process *p, int fd,
                              const char *exe) {
  _cleanup_free_ char *interp = interpreter(fd);
  if (interp == NULL)
    return;
  _cleanup_free_ char *abs = in_container(p, interp);
  _cleanup_close_ int ifd = open_in_root(ck, abs);
  if (ifd >= 0 || check_mount_covering(ck, abs, CHECK_ALL_MOUNTS) >= 0)
    return;
  check_error(ck, "process.args[0]", "%s needs the interpreter %s, which is not in the rootfs", exe,
              interp);
}

static void check_args(struct husk_check *ck, const struct oci_process *p) {
  if (p->args_len == 0 || (p->args[0] && p->args[0][0] == '\0')) {
    check_error(ck, "process.args", "must name the program to run");
    return;
  }
  const char *name = p->args[0];
  if (name == NULL || ck->rootfd < 0)
    return;
  if (strchr(name, '/')) {
    _cleanup_free_ char *abs = in_container(p, name);
    _cleanup_close_ int fd = open_in_root(ck, abs);
    struct stat st;
    if (fd < 0) {
      int m = check_mount_covering(ck, abs, CHECK_ALL_MOUNTS);
      if (m >= 0)
        check_note(ck, "process.args[0]",
                   "%s is not in the rootfs: mounts[%d] (on %s) must "
                   "provide it",
                   abs, m, ck->config->mounts[m].destination);
      else
        check_error(ck, "process.args[0]", "%s: not found in the rootfs", abs);
    } else if (fstat(fd, &st) < 0) {
      check_error(ck, "process.args[0]", "%s in the rootfs: %s", abs, strerror(errno));
    } else if (S_ISDIR(st.st_mode)) {
      check_error(ck, "process.args[0]", "%s is a directory in the rootfs", abs);
    } else if (!S_ISREG(st.st_mode) || !(st.st_mode & 0111)) {
      check_error(ck, "process.args[0]", "%s in the rootfs is not executable (mode %04o)", abs,
                  (unsigned)(st.st_mode & 07777));
    } else {
      check_interpreter(ck, p, fd, abs);
    }
    return;
  }
  const char *search = env_path(p);
  _cleanup_free_ char *dirs = xstrdup(search);
  int mount = -1;
  char *save = NULL;
  for (char *dir = strtok_r(dirs, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
    _cleanup_free_ char *rel = xasprintf("%s/%s", dir[0] ? dir : ".", name);
    _cleanup_free_ char *abs = in_container(p, rel);
    _cleanup_close_ int fd = open_in_root(ck, abs);
    if (fd >= 0 && is_executable(fd)) {
      check_interpreter(ck, p, fd, abs);
      return;
    }
    if (mount < 0)
      mount = check_mount_covering(ck, abs, CHECK_ALL_MOUNTS);
  }
  if (mount >= 0)
    check_note(ck, "process.args[0]",
               "\"%s\" is in no directory of $PATH (%s) in the rootfs: mounts[%d] (on %s) must "
               "provide it",
               name, search, mount, ck->config->mounts[mount].destination);
  else
    check_error(ck, "process.args[0]",
                "\"%s\": no executable of that name in $PATH (%s) in the rootfs", name, search);
}

static void check_cwd(struct husk_check *ck, const struct oci_process *p) {
  if (p->cwd == NULL)
    return; /* a config error already */
  if (p->cwd[0] != '/') {
    check_error(ck, "process.cwd", "\"%s\" must be an absolute path", p->cwd);
    return;
  }
  if (ck->rootfd < 0)
    return;
  _cleanup_free_ char *landed = NULL, *escape = NULL;
  bool missing;
  _cleanup_close_ int fd = -1;
  int r = check_resolve(ck, p->cwd, &landed, &escape, &missing, &fd);
  struct stat st;
  if (r == -ENOTDIR || (r == 0 && !missing && fstat(fd, &st) == 0 && !S_ISDIR(st.st_mode)))
    check_error(ck, "process.cwd", "%s is not a directory in the rootfs", p->cwd);
  else if (r < 0)
    check_error(ck, "process.cwd", "%s in the rootfs: %s", p->cwd, strerror(-r));
  else if (missing && check_mount_covering(ck, p->cwd, CHECK_ALL_MOUNTS) < 0)
    check_note(ck, "process.cwd", "%s does not exist in the rootfs: husk creates it", p->cwd);
}

/* ---- limits ------------------------------------------------------------------ */

static const struct {
  const char *name;
  int resource;
} rlimits[] = {
    {"RLIMIT_AS", RLIMIT_AS},
    {"RLIMIT_CORE", RLIMIT_CORE},
    {"RLIMIT_CPU", RLIMIT_CPU},
    {"RLIMIT_DATA", RLIMIT_DATA},
    {"RLIMIT_FSIZE", RLIMIT_FSIZE},
    {"RLIMIT_LOCKS", RLIMIT_LOCKS},
    {"RLIMIT_MEMLOCK", RLIMIT_MEMLOCK},
    {"RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE},
    {"RLIMIT_NICE", RLIMIT_NICE},
    {"RLIMIT_NOFILE", RLIMIT_NOFILE},
    {"RLIMIT_NPROC", RLIMIT_NPROC},
    {"RLIMIT_RSS", RLIMIT_RSS},
    {"RLIMIT_RTPRIO", RLIMIT_RTPRIO},
    {"RLIMIT_RTTIME", RLIMIT_RTTIME},
    {"RLIMIT_SIGPENDING", RLIMIT_SIGPENDING},
    {"RLIMIT_STACK", RLIMIT_STACK},
};

/* Why husk lacks CAP_SYS_RESOURCE, or NULL when it has it. */
static const char *no_sys_resource(void) {
  if (check_self_effective_cap(CAP_SYS_RESOURCE))
    return NULL;
  return check_host_has_cap(CAP_SYS_RESOURCE) ? "it is not in husk's effective set"
                                              : "it is not in this host's bounding set";
}

static void check_rlimits(struct husk_check *ck, const struct oci_process *p) {
  for (size_t i = 0; i < p->rlimits_len; i++) {
    const struct oci_rlimit *rl = &p->rlimits[i];
    char path[64];
    snprintf(path, sizeof(path), "process.rlimits[%zu]", i);
    if (rl->type == NULL || check_config_error_at(ck, path))
      continue;
    int resource = -1;
    for (size_t k = 0; k < ARRAY_SIZE(rlimits); k++)
      if (strcmp(rlimits[k].name, rl->type) == 0)
        resource = rlimits[k].resource;
    if (resource < 0) {
      snprintf(path, sizeof(path), "process.rlimits[%zu].type", i);
      check_error(ck, path, "unknown rlimit \"%s\"", rl->type);
      continue;
    }
    if (rl->soft > rl->hard) {
      check_error(ck, path, "%s: the soft limit %" PRIu64 " is above the hard limit %" PRIu64,
                  rl->type, rl->soft, rl->hard);
      continue;
    }
    struct rlimit cur;
    const char *why = no_sys_resource();
    if (why && getrlimit(resource, &cur) == 0 && cur.rlim_max != RLIM_INFINITY &&
        rl->hard > cur.rlim_max) {
      snprintf(path, sizeof(path), "process.rlimits[%zu].hard", i);
      check_error(ck, path,
                  "%s: %" PRIu64 " is above the hard limit here, %llu, and raising it needs "
                  "CAP_SYS_RESOURCE, which husk does not have (%s)",
                  rl->type, rl->hard, (unsigned long long)cur.rlim_max, why);
    }
  }
}

static void check_oom_score_adj(struct husk_check *ck, const struct oci_process *p) {
  if (!p->has_oom_score_adj)
    return;
  int v = p->oom_score_adj;
  if (v < -1000 || v > 1000) {
    check_error(ck, "process.oomScoreAdj", "%d is not in -1000 to 1000", v);
    return;
  }
  /* The kernel lets a process without CAP_SYS_RESOURCE go down to the
   * lowest value a privileged one set for it, which /proc does not show:
   * only the write itself can tell, so this is a warning, and create does
   * not refuse it beforehand. */
  if (!ck->probe_host)
    return;
  _cleanup_free_ char *text = NULL;
  const char *why = no_sys_resource();
  if (why && read_file("/proc/self/oom_score_adj", &text, NULL, 64, NULL) == 0 && v < atoi(text))
    check_warning(ck, "process.oomScoreAdj",
                  "%d is below husk's own %d, and lowering it needs CAP_SYS_RESOURCE, which husk "
                  "does not have (%s): it fails unless a privileged process let husk's "
                  "parent go that low",
                  v, atoi(text), why);
}

static void check_io_priority(struct husk_check *ck, const struct oci_process *p) {
  const struct oci_io_priority *io = p->io_priority;
  if (io == NULL || io->class_ == NULL)
    return;
  static const char *const classes[] = {"IOPRIO_CLASS_RT", "IOPRIO_CLASS_BE", "IOPRIO_CLASS_IDLE"};
  size_t k = 0;
  while (k < ARRAY_SIZE(classes) && strcmp(classes[k], io->class_) != 0)
    k++;
  if (k == ARRAY_SIZE(classes))
    check_error(ck, "process.ioPriority.class", "unknown class \"%s\" (IOPRIO_CLASS_RT, _BE or _IDLE)",
                io->class_);
  else if (io->has_priority && (io->priority < 0 || io->priority > 7))
    check_error(ck, "process.ioPriority.priority", "%d is not within 0-7", io->priority);
  /* The idle class has no levels: crun takes it alone. */
  else if (!io->has_priority && strcmp(io->class_, "IOPRIO_CLASS_IDLE") != 0)
    check_warning(ck, "process.ioPriority.priority",
                  "missing (the runtime-spec requires it): husk, as runc and crun, uses 0, the "
                  "highest level of %s",
                  io->class_);
}

static void check_scheduler(struct husk_check *ck, const struct oci_scheduler *s) {
  if (s == NULL || check_config_error_at(ck, "process.scheduler"))
    return;
  if (husk_sched_policy(s->policy) < 0)
    check_error(ck, "process.scheduler.policy", "unknown policy \"%s\"", s->policy);
  for (size_t i = 0; i < s->flags_len; i++) {
    uint64_t flag;
    if (husk_sched_flag(s->flags[i], &flag))
      continue;
    _cleanup_free_ char *path = xasprintf("process.scheduler.flags[%zu]", i);
    check_error(ck, path, "unknown flag \"%s\"", s->flags[i]);
  }
}

void check_process(struct husk_check *ck) {
  const struct oci_process *p = ck->config->process;
  if (p == NULL) {
    check_error(ck, "process", "missing: a container needs a process to run");
    return;
  }
  check_args(ck, p);
  check_cwd(ck, p);
  if (p->terminal)
    check_warning(ck, "process.terminal",
                  "true: 'husk create' and 'husk run --detach' need --console-socket to hand the "
                  "terminal to; only a foreground 'husk run' works without one");
  check_rlimits(ck, p);
  check_oom_score_adj(ck, p);
  check_io_priority(ck, p);
  check_scheduler(ck, p->scheduler);
  if (p->apparmor_profile && p->apparmor_profile[0] && !husk_apparmor_enabled())
    check_error(ck, "process.apparmorProfile", "\"%s\": AppArmor is not enabled on this host",
                p->apparmor_profile);
  if (p->selinux_label && p->selinux_label[0] && !husk_selinux_enabled())
    check_note(ck, "process.selinuxLabel",
               "SELinux is not enabled on this host: the label is ignored");
}
