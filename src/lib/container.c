/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "container.h"

#include <errno.h>
#include <inttypes.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cgroup-resources.h"
#include "cgroup.h"
#include "exe-protect.h"
#include "fd-socket.h"
#include "foreground.h"
#include "hooks.h"
#include "idmap.h"
#include "idmount.h"
#include "init.h"
#include "intelrdt.h"
#include "linux-abi.h"
#include "lookup.h"
#include "log.h"
#include "mount-rollback.h"
#include "mountopts.h"
#include "namespaces.h"
#include "plan.h"
#include "netdev.h"
#include "pidfd.h"
#include "process.h"
#include "seccomp-filter.h"
#include "spec.h"
#include "sync.h"
#include "terminal.h"
#include "utils.h"


/* The civil date of a day count since 1970-01-01 (Howard Hinnant's
 * algorithm): gmtime would first load the time zone from /etc/localtime. */
static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d) {
  z += 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  unsigned doe = (unsigned)(z - era * 146097);
  unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  unsigned mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = (int64_t)yoe + era * 400 + (*m <= 2);
}

char *husk_now_rfc3339(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  int64_t days = ts.tv_sec / 86400, secs = ts.tv_sec % 86400, year;
  unsigned month, day;
  civil_from_days(days, &year, &month, &day);
  return xasprintf("%04" PRId64 "-%02u-%02uT%02d:%02d:%02d.%09ldZ", year, month, day,
                   (int)(secs / 3600), (int)(secs / 60 % 60), (int)(secs % 60), ts.tv_nsec);
}

/* What the caller's environment asks of the container, as runc does:
 * systemd socket activation (LISTEN_FDS: those fds are passed on, before
 * --preserve-fds', and the process is told it is LISTEN_PID 1) and
 * sd_notify (NOTIFY_SOCKET: the caller's socket is bound into the
 * container, so that its READY=1 reaches the caller). */
static int adapt_to_caller_env(struct oci_config *c, int *preserve_fds, struct husk_error **err) {
  const char *listen = getenv("LISTEN_FDS");
  const char *listen_pid = getenv("LISTEN_PID");
  /* The fds are ours only when LISTEN_PID names us (or is absent). */
  if (listen && listen[0] && (listen_pid == NULL || atoi(listen_pid) == getpid())) {
    char *end;
    long n = strtol(listen, &end, 10);
    if (*end || n < 0 || n > 65536)
      return husk_fail(err, 0, "LISTEN_FDS \"%s\" is not a count of fds", listen);
    *preserve_fds += (int)n;
    _cleanup_free_ char *fds = xasprintf("LISTEN_FDS=%ld", n);
    husk_process_set_env(c->process, fds);
    husk_process_set_env(c->process, "LISTEN_PID=1");
  }
  const char *notify = getenv("NOTIFY_SOCKET");
  if (notify && notify[0] == '/') {
    static const char inside[] = "/run/notify/notify.sock";
    c->mounts = realloc(c->mounts, sizeof(*c->mounts) * (c->mounts_len + 1));
    struct oci_mount *m = &c->mounts[c->mounts_len++];
    memset(m, 0, sizeof(*m));
    m->destination = xstrdup(inside);
    m->type = xstrdup("bind");
    m->source = xstrdup(notify);
    m->options = xmalloc0(sizeof(char *) * 2);
    m->options[0] = xstrdup("bind");
    m->options_len = 1;
    _cleanup_free_ char *env = xasprintf("NOTIFY_SOCKET=%s", inside);
    husk_process_set_env(c->process, env);
  }
  return 0;
}

/* What the command line asks of a config, before anything is made. */
static int validate_invocation(const struct oci_config *c, const struct husk_create_options *opts,
                               const char *name, struct husk_error **err) {
  if (c->process->terminal && opts->console_socket == NULL && !opts->foreground)
    return husk_fail(err, 0,
                     "%s: process.terminal is true, but a detached container needs "
                     "--console-socket to hand its terminal to (or set it to false)", name);
  return 0;
}

static int resolve_rootfs(const char *bundle, const struct oci_config *c, char **out,
                          struct husk_error **err) {
  _cleanup_free_ char *joined = c->root->path[0] == '/' ? xstrdup(c->root->path)
                                                        : xasprintf("%s/%s", bundle, c->root->path);
  char real[PATH_MAX];
  if (realpath(joined, real) == NULL)
    return husk_fail(err, errno, "rootfs %s", joined);
  struct stat st;
  if (stat(real, &st) < 0 || !S_ISDIR(st.st_mode))
    return husk_fail(err, ENOTDIR, "rootfs %s", joined);
  *out = xstrdup(real);
  return 0;
}

static int write_pid_file(const char *path, pid_t pid, struct husk_error **err) {
  char real_dir[PATH_MAX];
  _cleanup_free_ char *copy = xstrdup(path);
  char *slash = strrchr(copy, '/');
  const char *name = slash ? slash + 1 : copy;
  const char *dir = slash ? (slash == copy ? "/" : copy) : ".";
  if (slash)
    *slash = '\0';
  if (realpath(dir, real_dir) == NULL)
    return husk_fail(err, errno, "--pid-file %s", path);
  _cleanup_close_ int dirfd = open(real_dir, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
  if (dirfd < 0)
    return husk_fail(err, errno, "--pid-file %s", path);
  char buf[32];
  int len = snprintf(buf, sizeof(buf), "%d", (int)pid);
  return write_file_atomic_at(dirfd, name, buf, (size_t)len, 0644, err);
}

/* clone3 into the cgroup with a pidfd; on older kernels plain clone. Returns
 * the pid (0 in the child); *into_cgroup tells whether placement happened. */
static pid_t clone_init(uint64_t ns_flags, int cgroup_fd, int *pidfd, bool *into_cgroup) {
  *pidfd = -1;
  *into_cgroup = false;
  struct clone_args args = {
      .flags = ns_flags | CLONE_PIDFD,
      .pidfd = (uint64_t)(uintptr_t)pidfd,
      .exit_signal = SIGCHLD,
  };
  if (cgroup_fd >= 0) {
    args.flags |= CLONE_INTO_CGROUP;
    args.cgroup = (uint64_t)cgroup_fd;
  }
  pid_t pid = (pid_t)syscall(SYS_clone3, &args, sizeof(args));
  if (pid < 0 && cgroup_fd >= 0 && errno != ENOSYS) {
    /* Kernels before 5.7, or a cgroup that refuses: place it by hand. */
    args.flags &= ~CLONE_INTO_CGROUP;
    args.cgroup = 0;
    pid = (pid_t)syscall(SYS_clone3, &args, CLONE_ARGS_SIZE_VER0);
  } else if (pid >= 0 && cgroup_fd >= 0) {
    *into_cgroup = true;
  }
  if (pid >= 0 || errno != ENOSYS)
    return pid;
  *into_cgroup = false;
  pid = husk_clone_flags((unsigned long)ns_flags | SIGCHLD);
  if (pid > 0)
    *pidfd = husk_pidfd_open(pid);
  return pid;
}

struct create_job {
  const struct husk_context *ctx;
  const char *id;
  const struct husk_create_options *opts;
  struct oci_config *config;
  char *bundle;
  char *rootfs;
  struct husk_cgroup cgroup; /* its driver and path; no path: none */
  struct husk_cgroup_join cgroup_join; /* for the init to join the cgroup */
  char *created;
  int dirfd;
  pid_t pid;
  int pidfd;
  struct husk_ns_plan ns;
  struct husk_hook_io hook_io;
  struct husk_rdt_group rdt; /* linux.intelRdt */
  struct husk_netdev_moves *netdevs; /* linux.netDevices moved in, to put back on failure */
  /* Built (and a NOTIFY listenerPath connected) before the clone, so that
   * a filter libseccomp refuses stops the create before anything is made;
   * the init loads it last. */
  struct husk_seccomp *seccomp;
  struct husk_mount_ids mounts_before; /* the caller's mounts, when the init mounts among them */
};

/* Undo whatever a failed create made: no process, cgroup or state left. */
static void create_rollback(struct create_job *job) {
  husk_netdev_undo(&job->netdevs);
  if (job->pid > 0) {
    kill(job->pid, SIGKILL);
    waitpid(job->pid, NULL, 0);
  }
  /* Without a mount namespace of its own, the init mounted in the caller's. */
  husk_mount_rollback(&job->mounts_before, job->rootfs);
  husk_mount_ids_free(&job->mounts_before);
  husk_rdt_undo(&job->rdt);
  if (job->cgroup.made) {
    husk_cgroup_signal_all(&job->cgroup, SIGKILL, NULL);
    husk_cgroup_remove(&job->cgroup, NULL);
  }
  if (job->dirfd >= 0)
    husk_state_dir_remove(job->ctx->root, job->id, job->dirfd, NULL);
}

static bool cgroup_is_optional(const struct oci_config *c, const struct husk_error *e) {
  return (geteuid() != 0 || husk_in_user_namespace()) && e && (e->errno_ == EACCES || e->errno_ == EPERM || e->errno_ == EROFS) &&
         !husk_resources_set(c->linux_ ? c->linux_->resources : NULL, false);
}

/* /sys/fs/cgroup mounted read-write in the container (runc's test). */
static bool has_rw_cgroupfs(const struct oci_config *c) {
  for (size_t i = 0; i < c->mounts_len; i++) {
    const struct oci_mount *m = &c->mounts[i];
    bool cgroupfs = (m->type && (strcmp(m->type, "cgroup") == 0 || strcmp(m->type, "cgroup2") == 0)) ||
                    (m->source && strcmp(m->source, "cgroup") == 0);
    if (!cgroupfs || m->destination == NULL ||
        (strcmp(m->destination, "/sys/fs/cgroup") != 0 && strcmp(m->destination, "/sys/fs/cgroup/") != 0))
      continue;
    struct husk_mount_opts o;
    bool ro = husk_mount_opts_parse(m->options, m->options_len, m->type, &o, NULL) == 0 &&
              (o.flags & MS_RDONLY);
    husk_mount_opts_clear(&o);
    return !ro;
  }
  return false;
}

/* The runtime-spec's cgroup ownership, as runc: a container with a cgroup
 * namespace of its own and a read-write /sys/fs/cgroup gets its cgroup2
 * cgroup handed to the host uid of process.user.uid (its root, in a user
 * namespace), so that systemd or a runtime inside can manage it. Never on
 * cgroup v1 or hybrid hosts. */
static int give_cgroup_to_container(const struct create_job *job, struct husk_error **err) {
  const struct oci_config *c = job->config;
  if (job->cgroup.path == NULL || husk_cgroup_mode() != HUSK_CGROUP_V2 ||
      !job->ns.new_cgroup_ns || !has_rw_cgroupfs(c))
    return 0;
  uint32_t uid = c->process->user.uid;
  /* No host uid to give it to: runc gives up too. */
  if (job->ns.new_user_ns &&
      !husk_idmap_to_host(c->linux_->uid_mappings, c->linux_->uid_mappings_len, uid, &uid))
    return 0;
  struct husk_error *e = NULL;
  if (husk_cgroup_v2_chown(job->cgroup.path, (uid_t)uid, &e) == 0)
    return 0;
  /* Unprivileged, a cgroup may only go to ourselves. */
  if (e->errno_ == EPERM && (geteuid() != 0 || husk_in_user_namespace())) {
    husk_debug("%s: the container's cgroup stays ours", e->msg);
    husk_error_free(e);
    return 0;
  }
  *err = e;
  return -EIO;
}

/* linux.resources, then the cgroup's owner: once the driver made it. */
static int apply_limits(struct create_job *job, struct husk_error **err) {
  if (job->cgroup.path == NULL)
    return 0;
  const struct oci_linux *l = job->config->linux_;
  int r = husk_cgroup_apply(&job->cgroup, l ? l->resources : NULL, false, err);
  return r < 0 ? r : give_cgroup_to_container(job, err);
}

int husk_container_write_state(int dirfd, const struct husk_context *ctx,
                               const struct husk_new_state *n, const struct husk_cgroup *cg,
                               const struct oci_config *c, struct husk_error **err) {
  uint64_t start_time = 0;
  /* Without it the init would not be known for ours: state, kill and
   * delete would take the container for stopped and leave it running. */
  if (n->pid > 0 && (start_time = husk_pid_start_time(n->pid)) == 0)
    return husk_fail(err, errno ? errno : ESRCH, "read the start time of the container init (/proc/%d/stat)",
                     (int)n->pid);
  struct husk_state st = {
      .id = (char *)n->id,
      .pid = n->pid,
      .pid_start_time = start_time,
      .bundle = (char *)n->bundle,
      .rootfs = (char *)n->rootfs,
      .created = (char *)n->created,
      .owner = "",
      .new_pid_ns = n->new_pid_ns,
      .systemd_cgroup = ctx->systemd_cgroup,
      .has_hooks = husk_hooks_has(c->hooks, HUSK_HOOK_POSTSTART) ||
                   husk_hooks_has(c->hooks, HUSK_HOOK_POSTSTOP),
  };
  husk_cgroup_to_state(cg, &st);
  husk_state_borrow_annotations(&st, c->annotations, c->annotations_len);
  int r = husk_state_write(dirfd, &st, err);
  husk_state_return_annotations(&st);
  return r;
}

/* state.json: first with pid 0 as soon as there is something to clean up
 * (the cgroup), then with the init's pid. */
static int write_state(struct create_job *job, struct husk_error **err) {
  if (job->created == NULL)
    job->created = husk_now_rfc3339();
  struct husk_new_state n = {.id = job->id, .pid = job->pid, .bundle = job->bundle,
                             .rootfs = job->rootfs, .created = job->created,
                             .new_pid_ns = job->ns.new_pid_ns};
  return husk_container_write_state(job->dirfd, job->ctx, &n, &job->cgroup, job->config, err);
}

/* prestart (deprecated, still run) and createRuntime: in husk's own
 * namespaces, while the init waits before its root switch. They are steps
 * 3 and 4 of the runtime-spec's lifecycle, after the environment is made
 * (step 2): the state says "created", as crun's does. */
static int run_runtime_hooks(struct create_job *job, struct husk_error **err) {
  struct husk_state st = {
      .id = (char *)job->id,
      .pid = job->pid,
      .bundle = job->bundle,
      .rootfs = job->rootfs,
      .created = job->created,
      .owner = "",
  };
  const struct oci_config *c = job->config;
  husk_state_borrow_annotations(&st, c->annotations, c->annotations_len);
  _cleanup_free_ char *json = husk_state_to_oci_json(&st, HUSK_STATUS_CREATED);
  husk_state_return_annotations(&st);
  if (husk_hooks_run(c->hooks, HUSK_HOOK_PRESTART, json, &job->hook_io, err) < 0 ||
      husk_hooks_run(c->hooks, HUSK_HOOK_CREATE_RUNTIME, json, &job->hook_io, err) < 0)
    return -EIO;
  return 0;
}

/* The parent's half: place the init, let it go, wait for it to be ready. */
static int supervise_init(struct create_job *job, int sync_fd, bool into_cgroup,
                          struct husk_error **err) {
  /* The init joined the cgroup's v1 hierarchies itself (cgroup-manager.h's
   * join); the driver places it in the rest. systemd makes its unit with
   * the init in it here, and only then is there a cgroup for the limits. */
  if (husk_cgroup_place(&job->cgroup, job->pid, into_cgroup, err) < 0)
    return -EIO;
  if (job->cgroup.driver->made_with_init && job->cgroup.path && apply_limits(job, err) < 0)
    return -EIO;
  if (job->ns.new_user_ns && husk_idmap_write(job->pid, job->config->linux_, err) < 0)
    return -EIO;
  if (husk_netdev_move_all(job->config->linux_, &job->ns, job->pid, &job->netdevs, err) < 0)
    return -EIO;
  husk_phase("cgroup placement");

  /* Written before the init goes on, so that a crash from here on leaves a
   * pid that `delete --force` can find. */
  int r = write_state(job, err);
  if (r < 0)
    return r;

  if (husk_sync_send(sync_fd, HUSK_SYNC_GO, NULL) < 0)
    return husk_fail(err, errno, "container init exited early");
  char *msg = NULL;
  int type;
  while ((type = husk_sync_recv(sync_fd, &msg)) == HUSK_SYNC_HOOKS) {
    free(msg);
    msg = NULL;
    if ((r = run_runtime_hooks(job, err)) < 0)
      return r;
    if (husk_sync_send(sync_fd, HUSK_SYNC_GO, NULL) < 0)
      return husk_fail(err, errno, "container init exited early");
  }
  if (type == HUSK_SYNC_READY) {
    free(msg);
    return 0;
  }
  if (type == HUSK_SYNC_ERROR) {
    husk_fail(err, 0, "%s", msg ? msg : "container init failed");
    free(msg);
    return -EIO;
  }
  free(msg);
  int status = 0;
  if (waitpid(job->pid, &status, 0) == job->pid) {
    job->pid = 0;
    if (WIFSIGNALED(status))
      return husk_fail(err, 0, "container init was killed by signal %d during setup",
                       WTERMSIG(status));
  }
  return husk_fail(err, 0, "container init exited during setup");
}

int husk_container_create(const struct husk_context *ctx, const char *id,
                          const struct husk_create_options *opts, struct husk_created *out,
                          struct husk_error **err) {
  /* First: it may run the program again from main (exe-protect.h). */
  int protect = husk_exe_protect(err);
  if (protect < 0)
    return protect;
  struct create_job job = {.ctx = ctx, .id = id, .opts = opts, .dirfd = -1, .pidfd = -1,
                           .hook_io = HUSK_HOOK_IO_INIT, .cgroup_join = HUSK_CGROUP_JOIN_INIT};
  int sync_fds[2] = {-1, -1};
  int console_fd = -1;
  _cleanup_close_ int pidfd_socket = -1;
  int pty_fds[2] = {-1, -1}; /* ours, the init's: the foreground terminal */
  int *idmap_fds = NULL;
  int ret;
  husk_ns_plan_init(&job.ns, NULL, NULL);

  if (husk_validate_id(id, err) < 0)
    return -EINVAL;
  char bundle[PATH_MAX];
  if (realpath(opts->bundle ? opts->bundle : ".", bundle) == NULL)
    return husk_fail(err, errno, "bundle %s", opts->bundle ? opts->bundle : ".");
  struct stat bundle_st;
  if (stat(bundle, &bundle_st) < 0 || !S_ISDIR(bundle_st.st_mode))
    return husk_fail(err, ENOTDIR, "bundle %s", opts->bundle ? opts->bundle : ".");
  job.bundle = bundle;
  /* --config: another file, relative paths in it still from the bundle. */
  const char *config_name = opts->config ? opts->config : "config.json";
  _cleanup_free_ char *config_path = opts->config ? xstrdup(opts->config)
                                                  : xasprintf("%s/config.json", bundle);
  _cleanup_free_ char *config_text = NULL;
  size_t config_len = 0;
  if (read_regular_file(config_path, &config_text, &config_len, HUSK_CONFIG_MAX, err) < 0)
    return -EINVAL;
  job.config = oci_config_parse(config_text, config_len, config_name, err);
  if (job.config == NULL)
    return -EINVAL;
  husk_phase("parse");
  int preserve_fds = opts->preserve_fds;
  /* The plan stage: every rule of the config, before anything is made. */
  struct husk_check_options plan_opts = husk_plan_options(ctx);
  if ((ret = husk_plan_config(job.config, bundle, config_name, &plan_opts, err)) < 0 ||
      (ret = validate_invocation(job.config, opts, config_name, err)) < 0 ||
      (ret = adapt_to_caller_env(job.config, &preserve_fds, err)) < 0 ||
      (ret = resolve_rootfs(bundle, job.config, &job.rootfs, err)) < 0 ||
      (ret = husk_ns_plan_init(&job.ns, job.config->linux_, err)) < 0 ||
      (ret = husk_rdt_plan_config(job.config, id, &job.rdt, err)) < 0 ||
      (ret = husk_seccomp_prepare(job.config->linux_ ? job.config->linux_->seccomp : NULL,
                                  &job.seccomp, err)) < 0 ||
      (ret = husk_hook_io_open(job.config, &job.hook_io, err)) < 0)
    goto out;

  /* The cgroup's driver and path, and what the driver needs of the host
   * (systemd: its bus), before anything is made. */
  const char *configured = job.config->linux_ ? job.config->linux_->cgroups_path : NULL;
  if ((ret = husk_cgroup_plan(&job.cgroup, ctx->cgroup_manager, ctx->systemd_cgroup, configured, id,
                              err)) < 0 ||
      (ret = husk_cgroup_prepare(&job.cgroup, job.config, err)) < 0)
    goto out;

  job.dirfd = husk_state_dir_create(ctx->root, id, err);
  if (job.dirfd < 0) {
    ret = job.dirfd;
    goto out;
  }
  if (mkfifoat(job.dirfd, HUSK_EXEC_FIFO, 0600) < 0 ||
      fchmodat(job.dirfd, HUSK_EXEC_FIFO, 0622, 0) < 0) {
    ret = husk_fail(err, errno, "create exec.fifo");
    goto fail;
  }
  /* Never share (and later kill) another container's cgroup. */
  if (job.cgroup.path && husk_cgroup_has_processes(job.cgroup.path)) {
    ret = husk_fail(err, 0, "cgroup %s is in use by other processes: give linux.cgroupsPath a path of its own",
                    job.cgroup.path);
    free(job.cgroup.path);
    job.cgroup.path = NULL;
    goto fail;
  }
  /* exec, delete and the hooks use the config the container was made with. */
  if ((ret = write_state(&job, err)) < 0 ||
      (ret = write_file_atomic_at(job.dirfd, "config.json", config_text, config_len, 0600, err)) < 0)
    goto fail;
  if (!job.cgroup.driver->made_with_init) {
    if ((ret = husk_cgroup_make(&job.cgroup, err)) < 0) {
      free(job.cgroup.path);
      job.cgroup.path = NULL;
      if (!cgroup_is_optional(job.config, *err)) {
        if (configured && configured[0])
          husk_error_prefix(err, "linux.cgroupsPath: ");
        goto fail;
      }
      /* Rootless without a delegated cgroup: fine while nothing is limited.
       * Said quietly to an engine that runs husk in its user namespace
       * (rootless podman on cgroup v1 would print it on every run). */
      if (husk_in_user_namespace())
        husk_debug("%s: running without a cgroup (no resources are asked for)", (*err)->msg);
      else
        husk_warn("%s: running without a cgroup (no resources are asked for)", (*err)->msg);
      husk_error_free(*err);
      *err = NULL;
    }
    if ((ret = apply_limits(&job, err)) < 0)
      goto fail;
  }
  husk_phase("cgroup");
  if ((ret = husk_rdt_make(job.dirfd, &job.rdt, err)) < 0)
    goto fail;
  if ((ret = husk_cgroup_join_open(&job.cgroup, NULL, &job.cgroup_join, err)) < 0)
    goto fail;
  if (opts->console_socket &&
      (console_fd = husk_console_socket_connect(opts->console_socket, err)) < 0) {
    ret = console_fd;
    goto fail;
  }
  if (opts->pidfd_socket &&
      (pidfd_socket = husk_fd_socket_connect("--pidfd-socket", opts->pidfd_socket, err)) < 0) {
    ret = pidfd_socket;
    goto fail;
  }
  /* In the foreground husk is its own console socket. */
  if (job.config->process->terminal && console_fd < 0) {
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pty_fds) < 0) {
      ret = husk_fail(err, errno, "socketpair for the terminal");
      goto fail;
    }
    console_fd = pty_fds[1];
    pty_fds[1] = -1;
  }
  if ((ret = husk_idmount_prepare(job.config, bundle, &idmap_fds, err)) < 0)
    goto fail;
  /* Sharing the caller's mount namespace, the init mounts in it: what it
   * adds there is taken down again should the create fail. */
  if (!job.ns.has_mount_ns && (ret = husk_mount_ids_record(&job.mounts_before, err)) < 0)
    goto fail;
  if ((ret = husk_sync_pair(sync_fds, err)) < 0 ||
      (ret = husk_ns_join_pid_for_children(&job.ns, err)) < 0)
    goto fail;

  bool into_cgroup;
  job.pid = clone_init(job.ns.clone_flags, husk_cgroup_join_clone_fd(&job.cgroup_join), &job.pidfd,
                       &into_cgroup);
  if (job.pid < 0) {
    ret = husk_fail(err, errno, "clone the container init");
    job.pid = 0;
    goto fail;
  }
  if (job.pid == 0) {
    close(sync_fds[0]);
    struct husk_init_ctx ictx = {
        .config = job.config,
        .id = id,
        .bundle = bundle,
        .rootfs = job.rootfs,
        .ns = &job.ns,
        .cgroup_path = job.cgroup.path,
        .cgroup_join = &job.cgroup_join,
        .no_pivot = opts->no_pivot,
        .sync_fd = sync_fds[1],
        .state_dirfd = job.dirfd,
        .preserve_fds = preserve_fds,
        .console_fd = console_fd,
        .idmap_fds = idmap_fds,
        .no_new_keyring = opts->no_new_keyring,
        .hook_io = &job.hook_io,
        .seccomp = job.seccomp,
        .proc_fd = -1,
        .procfs_fd = -1,
        .fifo_fd = -1,
        .devnull_fd = -1,
    };
    husk_init_main(&ictx);
  }
  husk_phase("clone");
  husk_cgroup_join_close(&job.cgroup_join); /* the init has what it needs */
  husk_ns_restore_pid_for_children(&job.ns);
  close(sync_fds[1]);
  sync_fds[1] = -1;
  if (pty_fds[0] >= 0) {
    close(console_fd); /* the init's end */
    console_fd = -1;
  }
  if ((ret = husk_rdt_enter(&job.rdt, job.pid, err)) < 0 ||
      (ret = supervise_init(&job, sync_fds[0], into_cgroup, err)) < 0)
    goto fail;
  if (pty_fds[0] >= 0 && out && (out->pty_master = husk_terminal_recv_master(pty_fds[0], err)) < 0) {
    ret = out->pty_master;
    goto fail;
  }
  husk_phase("init ready");
  if (pidfd_socket >= 0 &&
      (ret = husk_pidfd_socket_send(pidfd_socket, job.pidfd, HUSK_PIDFD_PAYLOAD_INIT,
                                    opts->pidfd_socket, err)) < 0)
    goto fail;
  if (opts->pid_file && (ret = write_pid_file(opts->pid_file, job.pid, err)) < 0)
    goto fail;
  if (out) {
    out->pid = job.pid;
    out->pidfd = job.pidfd;
    job.pidfd = -1;
  }
  ret = 0;
  goto out;

fail:
  create_rollback(&job);
out:
  if (sync_fds[0] >= 0)
    close(sync_fds[0]);
  if (sync_fds[1] >= 0)
    close(sync_fds[1]);
  husk_cgroup_join_close(&job.cgroup_join);
  if (console_fd >= 0)
    close(console_fd);
  if (pty_fds[0] >= 0)
    close(pty_fds[0]);
  husk_idmount_close(idmap_fds, job.config ? job.config->mounts_len : 0);
  if (job.pidfd >= 0)
    close(job.pidfd);
  if (job.dirfd >= 0)
    close(job.dirfd);
  husk_ns_plan_close(&job.ns);
  husk_hook_io_close(&job.hook_io);
  husk_rdt_group_free(&job.rdt);
  husk_netdev_moves_free(&job.netdevs);
  husk_seccomp_free(job.seccomp);
  husk_mount_ids_free(&job.mounts_before);
  oci_config_free(job.config);
  free(job.rootfs);
  husk_cgroup_clear(&job.cgroup);
  free(job.created);
  return ret < 0 ? ret : 0;
}

/* Open a verified pidfd for the container's init: -ESRCH when it is gone
 * (or its pid now belongs to another process). */
static int open_init_pidfd(const struct husk_state *st) {
  int fd = husk_pidfd_open(st->pid);
  if (fd < 0 && fd != -ENOSYS)
    return fd;
  /* Check after opening: from now on the pidfd cannot be recycled. */
  if (husk_pid_start_time(st->pid) != st->pid_start_time) {
    if (fd >= 0)
      close(fd);
    return -ESRCH;
  }
  return fd;
}

/* SIGKILL everything and wait (bounded) for the init to be gone. */
static void kill_and_wait(const struct husk_state *st) {
  if (st->cgroup_path && st->cgroup_path[0])
    husk_cgroup_kill(st->cgroup_path, SIGKILL, NULL);
  int fd = open_init_pidfd(st);
  if (fd == -ESRCH)
    return;
  if (fd >= 0) {
    husk_pidfd_send_signal(fd, SIGKILL);
    struct pollfd p = {.fd = fd, .events = POLLIN};
    poll(&p, 1, 10000);
    close(fd);
    return;
  }
  kill(st->pid, SIGKILL);
  for (int i = 0; i < 1000 && husk_pid_start_time(st->pid) == st->pid_start_time; i++) {
    struct timespec ts = {0, 10 * 1000 * 1000};
    nanosleep(&ts, NULL);
  }
}

/* The config the container was made with, kept in its state directory. */
static struct oci_config *load_container_config(const struct husk_context *ctx, const char *id,
                                                struct husk_error **err) {
  _cleanup_free_ char *path = xasprintf("%s/%s/config.json", ctx->root, id);
  return oci_config_load(path, err);
}

/* poststart: runtime-spec 1.3 wants a failure to be an error that stops the
 * container and goes on to its destruction (crun deletes it too). */
static int run_poststart_hooks(const struct husk_context *ctx, const char *id,
                               const struct husk_state *st, struct husk_error **err) {
  struct oci_config *c = load_container_config(ctx, id, err);
  if (c == NULL) {
    husk_error_prefix(err, "container \"%s\": poststart hooks not run: ", id);
    return -EIO;
  }
  struct husk_hook_io io = HUSK_HOOK_IO_INIT;
  _cleanup_free_ char *json = husk_state_to_oci_json(st, HUSK_STATUS_RUNNING);
  int r = husk_hook_io_open(c, &io, err);
  if (r == 0)
    r = husk_hooks_run(c->hooks, HUSK_HOOK_POSTSTART, json, &io, err);
  husk_hook_io_close(&io);
  oci_config_free(c);
  return r;
}

/* Wait for the fifo's byte from the init, or for the init to die. */
static int open_exec_fifo(struct husk_lookup *l, const char *id, struct husk_error **err) {
  _cleanup_close_ int fifo = openat(l->dirfd, HUSK_EXEC_FIFO, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fifo < 0)
    return husk_fail(err, errno, "container \"%s\": open exec.fifo", id);
  _cleanup_close_ int pidfd = open_init_pidfd(&l->st);
  for (int waited_ms = 0;; waited_ms += 10) {
    struct pollfd fds[2] = {{.fd = fifo, .events = POLLIN}, {.fd = pidfd, .events = POLLIN}};
    int n = poll(fds, pidfd >= 0 ? 2 : 1, 10);
    if (n < 0 && errno != EINTR)
      return husk_fail(err, errno, "container \"%s\": wait for the init", id);
    if (n > 0 && (fds[0].revents & POLLIN)) {
      /* "0", or "E" and why the startContainer hooks failed. */
      char answer[HUSK_SYNC_MAX_PAYLOAD];
      ssize_t got = read(fifo, answer, sizeof(answer) - 1);
      if (got > 0 && answer[0] == 'E') {
        answer[got] = '\0';
        unlinkat(l->dirfd, HUSK_EXEC_FIFO, 0);
        return husk_fail(err, 0, "container \"%s\": %s", id, answer + 1);
      }
      if (got > 0)
        break;
    }
    if ((n > 0 && pidfd >= 0 && (fds[1].revents & POLLIN)) ||
        husk_pid_start_time(l->st.pid) != l->st.pid_start_time)
      return husk_fail(err, 0, "container \"%s\": the init died before it could start", id);
    if (waited_ms > 30000)
      return husk_fail(err, ETIMEDOUT, "container \"%s\": wait for the init", id);
  }
  /* While it is there the container is "created": say that it could not
   * go (the process runs: `delete --force` ends it). */
  if (unlinkat(l->dirfd, HUSK_EXEC_FIFO, 0) < 0)
    return husk_fail(err, errno, "container \"%s\": started, but remove exec.fifo", id);
  return 0;
}

int husk_container_start(const struct husk_context *ctx, const char *id, struct husk_error **err) {
  struct husk_lookup l;
  int r = husk_lookup(ctx, id, true, &l, err);
  if (r < 0)
    return r;
  bool poststart_failed = false;
  switch (l.status) {
  case HUSK_STATUS_CREATED:
    r = open_exec_fifo(&l, id, err);
    husk_phase("start");
    if (r == 0 && l.st.has_hooks && run_poststart_hooks(ctx, id, &l.st, err) < 0) {
      kill_and_wait(&l.st);
      poststart_failed = true;
      r = -EIO;
    }
    break;
  case HUSK_STATUS_STOPPED:
    r = husk_fail(err, 0, "container \"%s\": cannot start a container that has stopped", id);
    break;
  case HUSK_STATUS_CREATING:
    r = husk_fail(err, 0, "container \"%s\": cannot start a container that is being created", id);
    break;
  default:
    r = husk_fail(err, 0, "container \"%s\": cannot start an already %s container", id,
                  husk_status_name(l.status));
  }
  husk_lookup_release(&l);
  if (poststart_failed) {
    /* Destroyed once the lock is released: delete takes it again. */
    struct husk_error *derr = NULL;
    if (husk_container_delete(ctx, id, true, &derr) < 0) {
      husk_warn("%s", derr->msg);
      husk_error_free(derr);
    }
    husk_error_prefix(err, "container \"%s\" stopped and deleted: ", id);
  }
  return r;
}

int husk_container_state(const struct husk_context *ctx, const char *id, struct husk_error **err) {
  struct husk_lookup l;
  int r = husk_lookup(ctx, id, false, &l, err);
  if (r < 0)
    return r;
  _cleanup_free_ char *json = husk_state_to_oci_json(&l.st, l.status);
  husk_lookup_release(&l);
  if (json == NULL)
    return husk_fail(err, ENOMEM, "state");
  fputs(json, stdout);
  return 0;
}

static int signal_init(const struct husk_state *st, int sig) {
  int fd = open_init_pidfd(st);
  if (fd == -ESRCH)
    return -ESRCH;
  int r = fd >= 0 ? husk_pidfd_send_signal(fd, sig) : (kill(st->pid, sig) < 0 ? -errno : 0);
  if (fd >= 0)
    close(fd);
  return r;
}

int husk_container_kill(const struct husk_context *ctx, const char *id, int sig, bool all,
                        struct husk_error **err) {
  struct husk_lookup l;
  int r = husk_lookup(ctx, id, false, &l, err);
  if (r < 0)
    return r;
  if (l.status == HUSK_STATUS_STOPPED || l.status == HUSK_STATUS_CREATING) {
    r = husk_fail(err, 0, "container \"%s\" is not running", id);
  } else if (all && l.st.cgroup_path[0]) {
    struct husk_cgroup cg;
    husk_cgroup_from_state(&cg, &l.st);
    r = husk_cgroup_signal_all(&cg, sig, err);
    husk_cgroup_clear(&cg);
    signal_init(&l.st, sig);
  } else {
    r = signal_init(&l.st, sig);
    if (r == -ESRCH)
      r = husk_fail(err, 0, "container \"%s\" is not running", id);
    else if (r < 0)
      r = husk_fail(err, -r, "container \"%s\": send signal %d", id, sig);
  }
  husk_lookup_release(&l);
  return r;
}

int husk_container_delete(const struct husk_context *ctx, const char *id, bool force,
                          struct husk_error **err) {
  struct husk_lookup l;
  int r = husk_lookup(ctx, id, true, &l, err);
  if (r < 0) {
    /* Deleting what is not there with --force is not an error, as runc. */
    if (force && r == -ENOENT) {
      husk_error_free(*err);
      *err = NULL;
      return 0;
    }
    return r;
  }
  switch (l.status) {
  case HUSK_STATUS_RUNNING:
  case HUSK_STATUS_PAUSED:
    if (!force) {
      r = husk_fail(err, 0, "container \"%s\" is %s: stop it first or use --force", id,
                    husk_status_name(l.status));
      break;
    }
    /* fall through */
  case HUSK_STATUS_CREATED:
    kill_and_wait(&l.st);
    break;
  case HUSK_STATUS_CREATING:
    if (!force)
      r = husk_fail(err, 0, "container \"%s\" is being created: use --force to remove it", id);
    break;
  case HUSK_STATUS_STOPPED:
    /* Without a pid namespace the init's children may outlive it (with
     * one, the kernel killed them all before the init was gone). With
     * --force, whatever is in the cgroup goes, whatever the status says. */
    if ((force || !l.st.new_pid_ns) && l.st.cgroup_path[0] && husk_cgroup_has_processes(l.st.cgroup_path))
      husk_cgroup_kill(l.st.cgroup_path, SIGKILL, NULL);
    break;
  }
  if (r == 0) {
    struct husk_cgroup cg;
    husk_cgroup_from_state(&cg, &l.st);
    r = husk_cgroup_remove(&cg, err);
    husk_cgroup_clear(&cg);
  }
  struct husk_error *rdt_err = NULL;
  if (r == 0 && husk_rdt_remove(l.dirfd, &rdt_err) < 0) {
    husk_warn("container \"%s\": %s", id, rdt_err->msg);
    husk_error_free(rdt_err);
  }
  struct oci_config *config = NULL;
  if (r == 0 && l.st.has_hooks) {
    /* Read before the state directory (and its copy of the config) goes. */
    config = load_container_config(ctx, id, NULL);
  }
  if (r == 0)
    r = husk_state_dir_remove(ctx->root, id, l.dirfd, err);
  if (r == 0 && config) {
    _cleanup_free_ char *json = husk_state_to_oci_json(&l.st, HUSK_STATUS_STOPPED);
    struct husk_hook_io io = HUSK_HOOK_IO_INIT;
    struct husk_error *ioerr = NULL;
    if (husk_hook_io_open(config, &io, &ioerr) < 0) {
      husk_warn("%s", ioerr->msg);
      husk_error_free(ioerr);
    }
    husk_hooks_run_warn(config->hooks, HUSK_HOOK_POSTSTOP, json, &io);
    husk_hook_io_close(&io);
  }
  oci_config_free(config);
  husk_lookup_release(&l);
  return r;
}

int husk_container_run(const struct husk_context *ctx, const char *id,
                       const struct husk_create_options *opts, bool detach, struct husk_error **err) {
  int protect = husk_exe_protect(err);
  if (protect < 0)
    return protect;
  struct husk_created created = {.pidfd = -1, .pty_master = -1};
  struct husk_create_options o = *opts;
  o.foreground = !detach && opts->console_socket == NULL;
  int r = husk_container_create(ctx, id, &o, &created, err);
  if (r < 0)
    return r;
  r = husk_container_start(ctx, id, err);
  int code = r;
  if (r == 0 && !detach)
    code = husk_foreground_wait(created.pid, created.pidfd, created.pty_master);
  if (created.pidfd >= 0)
    close(created.pidfd);
  if (created.pty_master >= 0)
    close(created.pty_master);
  if (r < 0 || (!detach && !opts->keep)) {
    struct husk_error *derr = NULL;
    if (husk_container_delete(ctx, id, true, &derr) < 0) {
      husk_warn("%s", derr->msg);
      husk_error_free(derr);
    }
  }
  return code;
}
