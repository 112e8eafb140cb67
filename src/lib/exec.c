/* SPDX-License-Identifier: GPL-2.0-or-later */
/* exec: husk stays on the host side; a short-lived helper marks itself
 * non-dumpable, joins the container's namespaces (one pidfd setns where the
 * kernel allows) and clones the process with CLONE_PARENT, so that husk is
 * its parent and the pid namespace applies. The process reports a setup
 * failure over a close-on-exec socket: end-of-file there means execve worked. */
#include "exec.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgroup-manager.h"
#include "cgroup.h"
#include "fd-socket.h"
#include "foreground.h"
#include "intelrdt.h"
#include "exe-protect.h"
#include "linux-abi.h"
#include "log.h"
#include "namespaces.h"
#include "plan.h"
#include "pidfd.h"
#include "process.h"
#include "procfs.h"
#include "process-tail.h"
#include "schedule.h"
#include "seccomp-filter.h"
#include "spec.h"
#include "state.h"
#include "sync.h"
#include "terminal.h"
#include "utils.h"

/* Namespaces in the order they must be joined: user first. */
struct exec_job {
  struct oci_config *config; /* the container's, as it was created */
  struct oci_process *process;
  struct husk_state st;
  int join_flags;              /* namespaces that differ from husk's own */
  int ns_fds[HUSK_NS_KINDS];    /* by enum husk_ns_kind: user first */
  int pidfd;                   /* the container's init */
  struct husk_cgroup_join cgroup_join; /* for the process to join the container's cgroup */
  int console_fd;              /* the process' end: --console-socket or ours */
  int sync_fd;                 /* the process' end of the sync pair */
  int preserve_fds;
  struct husk_seccomp *seccomp; /* the container's filter, prepared on the host side */
};

/* ---- building the process ---- */

static char **strv_dup(char *const *v, size_t n) {
  char **out = xmalloc0(sizeof(char *) * (n + 1));
  for (size_t i = 0; i < n; i++)
    out[i] = xstrdup(v[i]);
  return out;
}

/* A process object is read as the process of a config, so that errors
 * name it the same way: "process.json: process.args[0]: ...". */
static struct oci_process *load_process_file(const char *path, struct husk_error **err) {
  _cleanup_free_ char *text = NULL;
  size_t len;
  if (read_file(path, &text, &len, 16 << 20, err) < 0)
    return NULL;
  const char *base = strrchr(path, '/');
  return oci_process_parse(text, len, base ? base + 1 : path, err);
}

static void append_cap(char ***set, size_t *n, const char *cap) {
  for (size_t i = 0; i < *n; i++)
    if (strcmp((*set)[i], cap) == 0)
      return;
  *set = realloc(*set, sizeof(char *) * (*n + 2));
  (*set)[(*n)++] = xstrdup(cap);
  (*set)[*n] = NULL;
}

static int parse_user(const char *s, struct oci_user *u, struct husk_error **err) {
  char *end;
  unsigned long uid = strtoul(s, &end, 10);
  if (end == s || (*end && *end != ':'))
    return husk_fail(err, 0, "--user \"%s\": expected UID[:GID] as numbers", s);
  u->uid = (uint32_t)uid;
  if (*end == ':') {
    const char *g = end + 1;
    unsigned long gid = strtoul(g, &end, 10);
    if (end == g || *end)
      return husk_fail(err, 0, "--user \"%s\": expected UID[:GID] as numbers", s);
    u->gid = (uint32_t)gid;
  }
  return 0;
}

/* The process to run: --process, or the container's own process (every
 * setting: env, cwd, user, capabilities, rlimits, scheduling...) with the
 * command line's args; then the overrides. */
static struct oci_process *build_process(struct oci_config *c, const struct husk_exec_options *o,
                                         struct husk_error **err) {
  struct oci_process *p;
  if (o->process_file) {
    p = load_process_file(o->process_file, err);
    if (p == NULL)
      return NULL;
  } else {
    p = c->process;
    c->process = NULL;
    for (size_t i = 0; i < p->args_len; i++)
      free(p->args[i]);
    free(p->args);
    p->args = strv_dup(o->args, o->args_len);
    p->args_len = o->args_len;
    p->terminal = false;
    /* The init's console size means nothing to a new terminal. */
    free(p->console_size);
    p->console_size = NULL;
  }
  if (o->tty)
    p->terminal = true;
  if (o->cwd) {
    free(p->cwd);
    p->cwd = xstrdup(o->cwd);
  }
  for (size_t i = 0; i < o->env_len; i++) {
    if (strchr(o->env[i], '=') == NULL) {
      husk_fail(err, 0, "--env \"%s\": expected KEY=VALUE", o->env[i]);
      goto fail;
    }
    husk_process_set_env(p, o->env[i]);
  }
  if (o->user && parse_user(o->user, &p->user, err) < 0)
    goto fail;
  if (o->additional_gids_len) {
    /* Added to the process' own, as runc does. */
    size_t n = p->user.additional_gids_len + o->additional_gids_len;
    p->user.additional_gids = realloc(p->user.additional_gids, sizeof(uint32_t) * n);
    memcpy(p->user.additional_gids + p->user.additional_gids_len, o->additional_gids,
           sizeof(uint32_t) * o->additional_gids_len);
    p->user.additional_gids_len = n;
  }
  if (o->caps_len) {
    if (p->capabilities == NULL)
      p->capabilities = xmalloc0(sizeof(*p->capabilities));
    struct oci_capabilities *pc = p->capabilities;
    for (size_t i = 0; i < o->caps_len; i++) {
      append_cap(&pc->bounding, &pc->bounding_len, o->caps[i]);
      append_cap(&pc->effective, &pc->effective_len, o->caps[i]);
      append_cap(&pc->permitted, &pc->permitted_len, o->caps[i]);
    }
  }
  if (o->no_new_privs)
    p->no_new_privileges = true;
  if (o->apparmor) {
    free(p->apparmor_profile);
    p->apparmor_profile = xstrdup(o->apparmor);
  }
  if (o->process_label) {
    free(p->selinux_label);
    p->selinux_label = xstrdup(o->process_label);
  }
  if (p->args_len == 0) {
    husk_fail(err, 0, "exec: no command given (pass COMMAND or --process)");
    goto fail;
  }
  if (husk_exec_affinity_check(p, err) < 0)
    goto fail;
  return p;
fail:
  oci_process_free(p);
  return NULL;
}

/* ---- namespaces ---- */

static bool same_ns(pid_t pid, const char *name) {
  char a[64], b[64];
  struct stat sa, sb;
  snprintf(a, sizeof(a), "/proc/%d/ns/%s", (int)pid, name);
  snprintf(b, sizeof(b), "/proc/self/ns/%s", name);
  if (stat(a, &sa) < 0 || stat(b, &sb) < 0)
    return true; /* a namespace kind the kernel lacks */
  return sa.st_ino == sb.st_ino && sa.st_dev == sb.st_dev;
}

static int open_namespaces(struct exec_job *job, struct husk_error **err) {
  for (size_t i = 0; i < HUSK_NS_KINDS; i++) {
    job->ns_fds[i] = -1;
    int flag = husk_ns_kind_flag((enum husk_ns_kind)i);
    const char *name = husk_ns_proc_name(flag);
    if (same_ns(job->st.pid, name))
      continue;
    job->join_flags |= flag;
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)job->st.pid, name);
    job->ns_fds[i] = open(path, O_RDONLY | O_CLOEXEC);
    if (job->ns_fds[i] < 0)
      return husk_fail(err, errno, "open %s", path);
  }
  return 0;
}

/* All at once through the pidfd (Linux 5.8), else one by one, user first. */
static int join_namespaces(struct exec_job *job, struct husk_error **err) {
  if (job->join_flags == 0)
    return 0;
  if (job->pidfd >= 0 && setns(job->pidfd, job->join_flags) == 0)
    return 0;
  for (size_t i = 0; i < HUSK_NS_KINDS; i++) {
    if (job->ns_fds[i] < 0)
      continue;
    if (setns(job->ns_fds[i], husk_ns_kind_flag((enum husk_ns_kind)i)) < 0)
      return husk_fail(err, errno, "join the container's %s namespace",
                       husk_ns_proc_name(husk_ns_kind_flag((enum husk_ns_kind)i)));
  }
  return 0;
}

/* ---- the process side ---- */

__attribute__((noreturn)) static void exec_fail(struct exec_job *job, struct husk_error *err) {
  husk_sync_send(job->sync_fd, HUSK_SYNC_ERROR, err && err->msg ? err->msg : "exec failed");
  _exit(255);
}

__attribute__((noreturn)) static void run_process(struct exec_job *job) {
  struct husk_error *err = NULL;
  struct oci_process *p = job->process;
  char *msg = NULL;
  if (husk_sync_recv(job->sync_fd, &msg) != HUSK_SYNC_GO)
    _exit(255);
  free(msg);
  if (husk_cgroup_join_self(&job->cgroup_join, &err) < 0 || husk_exec_affinity_final(p, &err) < 0)
    exec_fail(job, err);
  if (p->terminal) {
    if (setsid() < 0) {
      husk_fail(&err, errno, "setsid");
      exec_fail(job, err);
    }
    if (husk_terminal_setup(p, job->console_fd, false, &err) < 0)
      exec_fail(job, err);
  }
  if (job->console_fd >= 0)
    close(job->console_fd);
  /* The container's /proc may have mounts on it (procfs.h). */
  int proc_fd = husk_procfs_open();
  struct husk_process_tail tail = {
      .config = job->config,
      .proc_fd = proc_fd,
      .procfs_fd = proc_fd,
      .seccomp = job->seccomp, /* the container's filter applies to exec'd processes too */
      .preserve_fds = job->preserve_fds,
  };
  /* The sync socket is close-on-exec: until execve a failure goes there. */
  husk_process_tail(p, &tail, &err);
  exec_fail(job, err);
}

/* The helper between husk and the process: joins, clones, reports the pid. */
__attribute__((noreturn)) static void run_helper(struct exec_job *job, int helper_fd) {
  struct husk_error *err = NULL;
  /* Before anything of the container can see us (the CVE-2019-5736 class). */
  prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
  if (!(job->join_flags & CLONE_NEWNS) && job->st.rootfs && job->st.rootfs[0]) {
    /* A container in its caller's mount namespace lives in a chroot. */
    if (chroot(job->st.rootfs) < 0 || chdir("/") < 0) {
      husk_fail(&err, errno, "chroot %s", job->st.rootfs);
      goto fail;
    }
  }
  /* Before the process exists, so that it starts on these cpus, outside
   * the container's cgroup. */
  if (husk_exec_affinity_initial(job->process, &err) < 0 || join_namespaces(job, &err) < 0)
    goto fail;
  /* With CLONE_PARENT clone3 wants no exit_signal: the child inherits ours
   * (SIGCHLD), delivered to husk. */
  struct clone_args args = {.flags = CLONE_PARENT};
  int cgroup_fd = husk_cgroup_join_clone_fd(&job->cgroup_join);
  if (cgroup_fd >= 0) {
    args.flags |= CLONE_INTO_CGROUP;
    args.cgroup = (uint64_t)cgroup_fd;
  }
  pid_t pid = (pid_t)syscall(SYS_clone3, &args, sizeof(args));
  if (pid < 0 && (errno == ENOSYS || errno == E2BIG || cgroup_fd >= 0)) {
    /* No clone3, or no CLONE_INTO_CGROUP: husk places the process itself. */
    pid = husk_clone_flags(CLONE_PARENT | SIGCHLD);
    args.flags &= ~CLONE_INTO_CGROUP;
  }
  if (pid < 0) {
    husk_fail(&err, errno, "clone the process");
    goto fail;
  }
  if (pid == 0) {
    close(helper_fd);
    run_process(job);
  }
  char buf[64];
  snprintf(buf, sizeof(buf), "%d %d", (int)pid, (args.flags & CLONE_INTO_CGROUP) ? 1 : 0);
  husk_sync_send(helper_fd, HUSK_SYNC_READY, buf);
  _exit(0);
fail:
  husk_sync_send(helper_fd, HUSK_SYNC_ERROR, err->msg);
  _exit(1);
}

/* ---- husk's side ---- */

static int check_status(const struct exec_job *job, int dirfd, const char *id,
                        const struct husk_exec_options *o, struct husk_error **err) {
  enum husk_status status = husk_state_status(dirfd, &job->st);
  if (status == HUSK_STATUS_STOPPED || status == HUSK_STATUS_CREATING)
    return husk_fail(err, 0, "container \"%s\" is %s: cannot exec in it", id,
                     husk_status_name(status));
  if (status == HUSK_STATUS_PAUSED && !o->ignore_paused)
    return husk_fail(err, 0, "container \"%s\" is paused: resume it or use --ignore-paused", id);
  return 0;
}

/* The container's cgroup, or the sub-cgroups --cgroup names. A container
 * without a cgroup ignores --cgroup. */
static int open_cgroup(struct exec_job *job, const struct husk_exec_options *o,
                       struct husk_error **err) {
  struct husk_cgroup_sub sub;
  if (husk_cgroup_sub_parse(o->cgroups, o->cgroups_len, &sub, err) < 0)
    return -EINVAL;
  struct husk_cgroup cg;
  husk_cgroup_from_state(&cg, &job->st);
  int r = husk_cgroup_join_open(&cg, &sub, &job->cgroup_join, err);
  husk_cgroup_clear(&cg);
  husk_cgroup_sub_clear(&sub);
  return r;
}

static void job_clear(struct exec_job *job) {
  husk_seccomp_free(job->seccomp);
  for (size_t i = 0; i < HUSK_NS_KINDS; i++)
    if (job->ns_fds[i] >= 0)
      close(job->ns_fds[i]);
  if (job->pidfd >= 0)
    close(job->pidfd);
  husk_cgroup_join_close(&job->cgroup_join);
  if (job->console_fd >= 0)
    close(job->console_fd);
  oci_process_free(job->process);
  oci_config_free(job->config);
  husk_state_clear(&job->st);
}

static int write_pid_file_at(int dirfd, const char *name, pid_t pid, struct husk_error **err) {
  char buf[32];
  int len = snprintf(buf, sizeof(buf), "%d", (int)pid);
  return write_file_atomic_at(dirfd, name, buf, (size_t)len, 0644, err);
}

int husk_container_exec(const struct husk_context *ctx, const char *id,
                        const struct husk_exec_options *o, struct husk_error **err) {
  /* Before anything of the container is entered (the CVE-2019-5736 class). */
  int protect = husk_exe_protect(err);
  if (protect < 0)
    return protect;
  struct exec_job job = {.pidfd = -1, .cgroup_join = HUSK_CGROUP_JOIN_INIT, .console_fd = -1,
                         .sync_fd = -1};
  for (size_t i = 0; i < HUSK_NS_KINDS; i++)
    job.ns_fds[i] = -1;
  job.preserve_fds = o->preserve_fds;
  int ret = -EIO;
  int helper_fds[2] = {-1, -1}, sync_fds[2] = {-1, -1}, pty_fds[2] = {-1, -1};
  int pty_master = -1, process_pidfd = -1;
  _cleanup_close_ int pidfd_socket = -1;
  _cleanup_free_ char *config_path = NULL;
  _cleanup_close_ int pid_dirfd = -1;
  const char *pid_name = NULL;
  pid_t pid = 0;

  _cleanup_close_ int dirfd = husk_state_dir_open(ctx->root, id, false, err);
  if (dirfd < 0)
    return dirfd;
  if (husk_state_read(dirfd, &job.st, err) < 0) {
    _cleanup_free_ char *path = xasprintf("%s/%s", ctx->root, id);
    if (*err == NULL && !husk_state_dir_is_current(AT_FDCWD, path, dirfd))
      husk_fail(err, 0, "container \"%s\" does not exist", id);
    else if (*err == NULL)
      husk_fail(err, 0, "container \"%s\" is being created: cannot exec in it", id);
    goto out;
  }
  if ((ret = check_status(&job, dirfd, id, o, err)) < 0)
    goto out;
  config_path = xasprintf("%s/%s/config.json", ctx->root, id);
  job.config = oci_config_load(config_path, err);
  if (job.config == NULL || (job.process = build_process(job.config, o, err)) == NULL) {
    ret = -EINVAL;
    goto out;
  }
  /* The plan stage's rules for the process, before anything is made. */
  if ((ret = husk_plan_exec_process(job.config, job.process,
                                    o->process_file ? o->process_file : "exec", err)) < 0)
    goto out;
  /* The container's filter, built here on the host side (a NOTIFY listener
   * is connected now and gets the new process' notify fd too). */
  if (job.config->linux_ && job.config->linux_->seccomp &&
      (ret = husk_seccomp_prepare(job.config->linux_->seccomp, &job.seccomp, err)) < 0)
    goto out;
  if (job.process->terminal && o->detach && o->console_socket == NULL) {
    ret = husk_fail(err, 0, "exec --tty --detach needs --console-socket to hand the terminal to");
    goto out;
  }
  job.pidfd = husk_pidfd_open(job.st.pid);
  if (husk_pid_start_time(job.st.pid) != job.st.pid_start_time) {
    ret = husk_fail(err, 0, "container \"%s\" is stopped: cannot exec in it", id);
    goto out;
  }
  if ((ret = open_namespaces(&job, err)) < 0 || (ret = open_cgroup(&job, o, err)) < 0)
    goto out;
  if (o->console_socket) {
    if ((job.console_fd = husk_console_socket_connect(o->console_socket, err)) < 0) {
      ret = job.console_fd;
      goto out;
    }
  } else if (job.process->terminal) {
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pty_fds) < 0) {
      ret = husk_fail(err, errno, "socketpair for the terminal");
      goto out;
    }
    job.console_fd = pty_fds[1]; /* now the job's to close */
    pty_fds[1] = -1;
  }
  if (o->pidfd_socket &&
      (pidfd_socket = husk_fd_socket_connect("--pidfd-socket", o->pidfd_socket, err)) < 0) {
    ret = pidfd_socket;
    goto out;
  }
  if (o->pid_file) {
    _cleanup_free_ char *copy = xstrdup(o->pid_file);
    char *slash = strrchr(copy, '/');
    if (slash)
      *slash = '\0';
    pid_dirfd = open(slash ? (copy[0] ? copy : "/") : ".", O_DIRECTORY | O_RDONLY | O_CLOEXEC);
    pid_name = strrchr(o->pid_file, '/') ? strrchr(o->pid_file, '/') + 1 : o->pid_file;
    if (pid_dirfd < 0) {
      ret = husk_fail(err, errno, "--pid-file %s", o->pid_file);
      goto out;
    }
  }
  if ((ret = husk_sync_pair(helper_fds, err)) < 0 || (ret = husk_sync_pair(sync_fds, err)) < 0)
    goto out;
  job.sync_fd = sync_fds[1];

  pid_t helper = fork();
  if (helper < 0) {
    ret = husk_fail(err, errno, "fork");
    goto out;
  }
  if (helper == 0) {
    close(helper_fds[0]);
    close(sync_fds[0]);
    run_helper(&job, helper_fds[1]);
  }
  close(helper_fds[1]);
  helper_fds[1] = -1;
  close(sync_fds[1]);
  sync_fds[1] = -1;
  job.sync_fd = -1;
  if (job.console_fd >= 0) {
    close(job.console_fd); /* the process has it */
    job.console_fd = -1;
  }

  char *msg = NULL;
  int type = husk_sync_recv(helper_fds[0], &msg);
  waitpid(helper, NULL, 0);
  if (type != HUSK_SYNC_READY) {
    ret = husk_fail(err, 0, "%s", msg ? msg : "exec: the namespace helper failed");
    free(msg);
    goto out;
  }
  int into = 0;
  sscanf(msg, "%d %d", &pid, &into);
  free(msg);
  process_pidfd = husk_pidfd_open(pid);
  if ((ret = husk_cgroup_join_finish(&job.cgroup_join, pid, into, err)) < 0 ||
      (ret = husk_rdt_enter_recorded(dirfd, pid, err)) < 0)
    goto out;
  husk_sync_send(sync_fds[0], HUSK_SYNC_GO, NULL);
  msg = NULL;
  type = husk_sync_recv(sync_fds[0], &msg);
  if (type == HUSK_SYNC_ERROR) {
    ret = husk_fail(err, 0, "%s", msg ? msg : "exec failed");
    free(msg);
    waitpid(pid, NULL, 0);
    pid = 0;
    goto out;
  }
  free(msg);
  if (pty_fds[0] >= 0 && (pty_master = husk_terminal_recv_master(pty_fds[0], err)) < 0) {
    ret = pty_master;
    goto out;
  }
  if (pidfd_socket >= 0) {
    ret = husk_pidfd_socket_send(pidfd_socket, process_pidfd, HUSK_PIDFD_PAYLOAD_EXEC,
                                 o->pidfd_socket, err);
    close(steal_fd(&pidfd_socket));
    if (ret < 0)
      goto out;
  }
  if (pid_dirfd >= 0 && (ret = write_pid_file_at(pid_dirfd, pid_name, pid, err)) < 0)
    goto out;
  if (o->detach) {
    ret = 0;
    pid = 0;
    goto out;
  }
  ret = husk_foreground_wait(pid, process_pidfd, pty_master);
  pid = 0;

out:
  if (pid > 0) {
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
  }
  for (int i = 0; i < 2; i++) {
    if (helper_fds[i] >= 0)
      close(helper_fds[i]);
    if (sync_fds[i] >= 0)
      close(sync_fds[i]);
    if (pty_fds[i] >= 0)
      close(pty_fds[i]);
  }
  if (pty_master >= 0)
    close(pty_master);
  if (process_pidfd >= 0)
    close(process_pidfd);
  job_clear(&job);
  return ret;
}
