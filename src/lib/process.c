/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "process.h"
#include "procfs.h"

#include "linux-abi.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "inroot.h"
#include "passwd.h"
#include "log.h"
#include "utils.h"

#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

static const struct {
  const char *name;
  int resource;
} rlimit_table[] = {
    {"RLIMIT_AS", RLIMIT_AS},           {"RLIMIT_CORE", RLIMIT_CORE},
    {"RLIMIT_CPU", RLIMIT_CPU},         {"RLIMIT_DATA", RLIMIT_DATA},
    {"RLIMIT_FSIZE", RLIMIT_FSIZE},     {"RLIMIT_LOCKS", RLIMIT_LOCKS},
    {"RLIMIT_MEMLOCK", RLIMIT_MEMLOCK}, {"RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE},
    {"RLIMIT_NICE", RLIMIT_NICE},       {"RLIMIT_NOFILE", RLIMIT_NOFILE},
    {"RLIMIT_NPROC", RLIMIT_NPROC},     {"RLIMIT_RSS", RLIMIT_RSS},
    {"RLIMIT_RTPRIO", RLIMIT_RTPRIO},   {"RLIMIT_RTTIME", RLIMIT_RTTIME},
    {"RLIMIT_SIGPENDING", RLIMIT_SIGPENDING}, {"RLIMIT_STACK", RLIMIT_STACK},
};

void husk_process_set_env(struct oci_process *p, const char *kv) {
  size_t keylen = strcspn(kv, "=");
  for (size_t i = 0; i < p->env_len; i++) {
    if (strncmp(p->env[i], kv, keylen) == 0 && p->env[i][keylen] == '=') {
      free(p->env[i]);
      p->env[i] = xstrdup(kv);
      return;
    }
  }
  p->env = realloc(p->env, sizeof(char *) * (p->env_len + 2));
  p->env[p->env_len++] = xstrdup(kv);
  p->env[p->env_len] = NULL;
}

int husk_process_rlimits(const struct oci_process *p, struct husk_error **err) {
  for (size_t i = 0; i < p->rlimits_len; i++) {
    const struct oci_rlimit *rl = &p->rlimits[i];
    int resource = -1;
    for (size_t k = 0; k < ARRAY_SIZE(rlimit_table); k++)
      if (strcmp(rlimit_table[k].name, rl->type) == 0)
        resource = rlimit_table[k].resource;
    if (resource < 0)
      return husk_fail(err, 0, "process.rlimits[%zu].type: unknown rlimit \"%s\"", i, rl->type);
    struct rlimit lim = {.rlim_cur = rl->soft, .rlim_max = rl->hard};
    if (setrlimit(resource, &lim) < 0) {
      int e = errno;
      struct rlimit cur;
      getrlimit(resource, &cur);
      if (e == EPERM)
        return husk_fail(err, e,
                         "process.rlimits: set %s to soft %llu hard %llu (the hard limit here is "
                         "%llu; raising it needs CAP_SYS_RESOURCE)",
                         rl->type, (unsigned long long)rl->soft, (unsigned long long)rl->hard,
                         (unsigned long long)cur.rlim_max);
      return husk_fail(err, e, "process.rlimits: set %s to soft %llu hard %llu", rl->type,
                       (unsigned long long)rl->soft, (unsigned long long)rl->hard);
    }
  }
  return 0;
}

int husk_process_oom_score_adj(const struct oci_process *p, int procfs_fd, struct husk_error **err) {
  if (!p->has_oom_score_adj)
    return 0;
  char buf[32];
  snprintf(buf, sizeof(buf), "%d", p->oom_score_adj);
  if (husk_procfs_write(procfs_fd, "self/oom_score_adj", buf) < 0) {
    int e = errno;
    if (e == EACCES || e == EPERM)
      return husk_fail(err, e,
                       "process.oomScoreAdj: set %d (lowering it needs CAP_SYS_RESOURCE)",
                       p->oom_score_adj);
    return husk_fail(err, e, "process.oomScoreAdj: set %d", p->oom_score_adj);
  }
  return 0;
}

static int last_cap(void) {
  static int last = -1;
  if (last >= 0)
    return last;
  _cleanup_free_ char *text = NULL;
  if (read_file("/proc/sys/kernel/cap_last_cap", &text, NULL, 64, NULL) == 0)
    last = atoi(text);
  else
    last = CAP_LAST_CAP;
  return last;
}

/* Names to values. Unknown names are errors; names this kernel lacks are
 * skipped with a warning, as runc does. */
static int parse_caps(char **names, size_t n, const char *set, cap_value_t *out, int *count,
                      struct husk_error **err) {
  *count = 0;
  for (size_t i = 0; i < n; i++) {
    cap_value_t v;
    if (cap_from_name(names[i], &v) < 0) {
      /* libcap may predate the name: accept a CAP_ name it does not know only
       * when it is truly unknown. */
      return husk_fail(err, 0, "process.capabilities.%s[%zu]: unknown capability \"%s\"", set, i,
                       names[i]);
    }
    if (v > last_cap()) {
      husk_warn("process.capabilities.%s: %s is not supported by this kernel: skipped", set,
                names[i]);
      continue;
    }
    out[(*count)++] = v;
  }
  return 0;
}

static bool in_set(const cap_value_t *set, int n, cap_value_t v) {
  for (int i = 0; i < n; i++)
    if (set[i] == v)
      return true;
  return false;
}

int husk_process_credentials(const struct oci_process *p, bool keep_groups,
                             struct husk_error **err) {
  const struct oci_capabilities *c = p->capabilities;
  cap_value_t bounding[64], effective[64], inheritable[64], permitted[64], ambient[64];
  int nb = 0, ne = 0, ni = 0, np = 0, na = 0;
  if (c) {
    if (parse_caps(c->bounding, c->bounding_len, "bounding", bounding, &nb, err) < 0 ||
        parse_caps(c->effective, c->effective_len, "effective", effective, &ne, err) < 0 ||
        parse_caps(c->inheritable, c->inheritable_len, "inheritable", inheritable, &ni, err) < 0 ||
        parse_caps(c->permitted, c->permitted_len, "permitted", permitted, &np, err) < 0 ||
        parse_caps(c->ambient, c->ambient_len, "ambient", ambient, &na, err) < 0)
      return -EINVAL;
    for (int v = 0; v <= last_cap(); v++)
      if (!in_set(bounding, nb, v) && prctl(PR_CAPBSET_DROP, v, 0, 0, 0) < 0 && errno != EINVAL)
        return husk_fail(err, errno, "drop capability %s from the bounding set", cap_to_name(v));
  }

  const struct oci_user *u = &p->user;
  if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
    return husk_fail(err, errno, "prctl(PR_SET_KEEPCAPS)");
  gid_t groups[NGROUPS_MAX];
  size_t ng = u->additional_gids_len < NGROUPS_MAX ? u->additional_gids_len : NGROUPS_MAX;
  for (size_t i = 0; i < ng; i++)
    groups[i] = u->additional_gids[i];
  /* setgroups is refused in a user namespace with setgroups "deny". */
  if (!keep_groups && setgroups(ng, groups) < 0 && !(errno == EPERM && ng == 0))
    return husk_fail(err, errno, "process.user.additionalGids: setgroups");
  if (setresgid(u->gid, u->gid, u->gid) < 0)
    return husk_fail(err, errno, "process.user.gid: setgid %u", u->gid);
  if (setresuid(u->uid, u->uid, u->uid) < 0)
    return husk_fail(err, errno, "process.user.uid: setuid %u", u->uid);
  if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
    return husk_fail(err, errno, "prctl(PR_SET_KEEPCAPS)");
  if (u->has_umask)
    umask((mode_t)u->umask);
  else
    umask(0022);

  if (c == NULL)
    return 0;
  cap_t caps = cap_init();
  if (caps == NULL)
    return husk_fail(err, errno, "cap_init");
  int r = 0;
  if ((ne && cap_set_flag(caps, CAP_EFFECTIVE, ne, effective, CAP_SET) < 0) ||
      (np && cap_set_flag(caps, CAP_PERMITTED, np, permitted, CAP_SET) < 0) ||
      (ni && cap_set_flag(caps, CAP_INHERITABLE, ni, inheritable, CAP_SET) < 0))
    r = husk_fail(err, errno, "cap_set_flag");
  if (r == 0 && cap_set_proc(caps) < 0)
    r = husk_fail(err, errno, "process.capabilities: apply the effective, permitted and inheritable sets");
  cap_free(caps);
  if (r < 0)
    return r;
  /* An ambient capability must also be permitted and inheritable. `runc
   * spec` lists ambient ones without an inheritable set (CVE-2022-29162):
   * runc and crun skip those without an error, and so does husk (`husk
   * check` warns). */
  for (int i = 0; i < na; i++) {
    if (!in_set(permitted, np, ambient[i]) || !in_set(inheritable, ni, ambient[i])) {
      husk_debug("process.capabilities.ambient: %s is not permitted and inheritable: not raised",
                 cap_to_name(ambient[i]));
      continue;
    }
    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, ambient[i], 0, 0) < 0)
      return husk_fail(err, errno, "process.capabilities.ambient: raise %s",
                       cap_to_name(ambient[i]));
  }
  return 0;
}

int husk_process_no_new_privs(const struct oci_process *p, struct husk_error **err) {
  if (p->no_new_privileges && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
    return husk_fail(err, errno, "process.noNewPrivileges: prctl");
  return 0;
}

int husk_process_cwd(const struct oci_process *p, struct husk_error **err) {
  const char *cwd = p->cwd && p->cwd[0] ? p->cwd : "/";
  if (cwd[0] != '/')
    return husk_fail(err, 0, "process.cwd \"%s\": must be an absolute path", cwd);
  _cleanup_close_ int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
  _cleanup_close_ int fd = husk_inroot_open(root, cwd, HUSK_INROOT_MKDIR, err);
  if (fd < 0) {
    /* The error names the path; say which field it came from. */
    husk_error_prefix(err, "process.cwd: ");
    return fd;
  }
  if (fchdir(fd) < 0)
    return husk_fail(err, errno, "process.cwd: chdir %s", cwd);
  char buf[PATH_MAX];
  if (getcwd(buf, sizeof(buf)) == NULL || buf[0] != '/')
    return husk_fail(err, 0, "process.cwd %s: resolves outside the container", cwd);
  return 0;
}

static bool is_executable(const char *path) {
  struct stat st;
  return stat(path, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 0111);
}

static const char *env_path(const struct oci_process *p) {
  for (size_t i = 0; i < p->env_len; i++)
    if (str_has_prefix(p->env[i], "PATH="))
      return p->env[i] + 5;
  return DEFAULT_PATH;
}

int husk_process_find_executable(const struct oci_process *p, char **out, struct husk_error **err) {
  if (p->args_len == 0 || p->args[0] == NULL || p->args[0][0] == '\0')
    return husk_fail(err, 0, "process.args: must name the program to run");
  const char *name = p->args[0];
  if (strchr(name, '/')) {
    struct stat st;
    if (stat(name, &st) < 0)
      return husk_fail(err, errno, "exec \"%s\"", name);
    if (!S_ISREG(st.st_mode) || !(st.st_mode & 0111))
      return husk_fail(err, EACCES, "exec \"%s\"", name);
    *out = xstrdup(name);
    return 0;
  }
  _cleanup_free_ char *path = xstrdup(env_path(p));
  char *save = NULL;
  for (char *dir = strtok_r(path, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
    _cleanup_free_ char *candidate = xasprintf("%s/%s", dir[0] ? dir : ".", name);
    if (is_executable(candidate)) {
      *out = steal_pointer(&candidate);
      return 0;
    }
  }
  return husk_fail(err, 0, "exec \"%s\": executable file not found in $PATH", name);
}


void husk_process_close_fds(int preserve_fds) {
  unsigned first = 3 + (unsigned)(preserve_fds > 0 ? preserve_fds : 0);
  if (syscall(SYS_close_range, first, ~0U, CLOSE_RANGE_CLOEXEC) == 0)
    return;
  /* Before Linux 5.11: walk our fds. */
  DIR *d = opendir("/proc/self/fd");
  if (d == NULL)
    return;
  int self = dirfd(d);
  struct dirent *de;
  while ((de = readdir(d)) != NULL) {
    int fd = atoi(de->d_name);
    if (de->d_name[0] == '.' || fd < (int)first || fd == self)
      continue;
    fcntl(fd, F_SETFD, FD_CLOEXEC);
  }
  closedir(d);
}

char *husk_process_default_home(const struct oci_process *p) {
  for (size_t i = 0; i < p->env_len; i++)
    if (str_has_prefix(p->env[i], "HOME=") && p->env[i][5] != '\0')
      return NULL;
  _cleanup_free_ char *home = husk_passwd_lookup("/etc/passwd", p->user.uid, HUSK_PASSWD_HOME);
  return xasprintf("HOME=%s", home && home[0] ? home : "/");
}

int husk_process_exec(const struct oci_process *p, const char *path, const char *default_home,
                      struct husk_error **err) {
  /* The config's arrays are not NULL-terminated: copy them. */
  char **argv = xmalloc0(sizeof(char *) * (p->args_len + 1));
  for (size_t i = 0; i < p->args_len; i++)
    argv[i] = p->args[i];
  char **envp = xmalloc0(sizeof(char *) * (p->env_len + 2));
  size_t n = 0;
  for (size_t i = 0; i < p->env_len; i++)
    /* An empty HOME gives way to the default, as runc. */
    if (!(default_home && str_has_prefix(p->env[i], "HOME=")))
      envp[n++] = p->env[i];
  if (default_home)
    envp[n++] = (char *)default_home;
  execve(path, argv, envp);
  return husk_fail(err, errno, "exec %s", path);
}
