/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `husk restore`: a new container from a bundle and CRIU's images. It gets
 * what `create` would give it — a state directory, state.json, the config
 * kept beside it, its cgroup with the configured limits — but its processes
 * come from the images: CRIU restores them into that cgroup (CRIU itself is
 * put there first, as runc does), as husk's children (rst_sibling), and the
 * container is running once CRIU is done. */
#include "checkpoint.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cgroup.h"
#include "criu-rpc.h"
#include "fd-socket.h"
#include "foreground.h"
#include "hooks.h"
#include "inroot.h"
#include "log.h"
#include "mountopts.h"
#include "pidfd.h"
#include "plan.h"
#include "spec.h"
#include "terminal.h"
#include "utils.h"

#define RESTORE_LOG "restore.log"
#define CRIU_ROOT "criu-root"

struct restore_job {
  const struct husk_context *ctx;
  const char *id;
  const struct husk_restore_options *opts;
  struct oci_config *config;
  char *config_text;
  size_t config_len;
  char bundle[PATH_MAX];
  char *rootfs;
  char *created;
  struct husk_cgroup cgroup;
  int dirfd;
  pid_t pid; /* the restored init */
  int console_fd;
  int image_fd, work_fd;
  char *criu_root; /* the rootfs bound where CRIU wants it, while it works */
  int ns_fds[2];   /* external network and pid namespaces, for CRIU */
  size_t n_ns_fds;
};

static bool has_new_ns(const struct oci_config *c, const char *type) {
  const struct oci_linux *l = c->linux_;
  for (size_t i = 0; l && i < l->namespaces_len; i++)
    if (l->namespaces[i].type && strcmp(l->namespaces[i].type, type) == 0)
      return l->namespaces[i].path == NULL || l->namespaces[i].path[0] == '\0';
  return false;
}

static int write_state(struct restore_job *job, struct husk_error **err) {
  struct husk_new_state n = {.id = job->id, .pid = job->pid, .bundle = job->bundle,
                             .rootfs = job->rootfs, .created = job->created,
                             .new_pid_ns = has_new_ns(job->config, "pid")};
  return husk_container_write_state(job->dirfd, job->ctx, &n, &job->cgroup, job->config, err);
}

/* The bundle's config, checked by the same plan stage as create's. */
static int load_bundle(struct restore_job *job, struct husk_error **err) {
  const char *given = job->opts->bundle ? job->opts->bundle : ".";
  if (realpath(given, job->bundle) == NULL)
    return husk_fail(err, errno, "bundle %s", given);
  _cleanup_free_ char *path = xasprintf("%s/config.json", job->bundle);
  if (read_regular_file(path, &job->config_text, &job->config_len, HUSK_CONFIG_MAX, err) < 0)
    return -EINVAL;
  job->config = oci_config_parse(job->config_text, job->config_len, "config.json", err);
  if (job->config == NULL)
    return -EINVAL;
  struct husk_check_options plan_opts = husk_plan_options(job->ctx);
  if (husk_plan_config(job->config, job->bundle, "config.json", &plan_opts, err) < 0)
    return -EINVAL;
  const char *root = job->config->root->path;
  _cleanup_free_ char *joined = root[0] == '/' ? xstrdup(root) : xasprintf("%s/%s", job->bundle, root);
  char real[PATH_MAX];
  struct stat st;
  if (realpath(joined, real) == NULL)
    return husk_fail(err, errno, "rootfs %s", joined);
  if (stat(real, &st) < 0 || !S_ISDIR(st.st_mode))
    return husk_fail(err, ENOTDIR, "rootfs %s", joined);
  job->rootfs = xstrdup(real);
  if (job->config->process && job->config->process->terminal && job->opts->console_socket == NULL)
    return husk_fail(err, 0, "config.json: process.terminal is true: restore needs "
                             "--console-socket to hand the restored terminal to");
  return 0;
}

/* The images: a directory with CRIU's inventory in it. */
static int open_images(struct restore_job *job, struct husk_error **err) {
  const char *path = job->opts->c.image_path ? job->opts->c.image_path : "checkpoint";
  job->image_fd = open(path, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
  if (job->image_fd < 0)
    return husk_fail(err, errno, "--image-path %s", path);
  if (faccessat(job->image_fd, "inventory.img", R_OK, 0) < 0)
    return husk_fail(err, 0, "--image-path %s: no checkpoint there (no inventory.img)", path);
  if (job->opts->c.work_path) {
    if (mkdir(job->opts->c.work_path, 0700) < 0 && errno != EEXIST)
      return husk_fail(err, errno, "--work-path %s", job->opts->c.work_path);
    job->work_fd = open(job->opts->c.work_path, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
    if (job->work_fd < 0)
      return husk_fail(err, errno, "--work-path %s", job->opts->c.work_path);
  }
  return 0;
}

/* Under a tmpfs mount of the config: CRIU brings back its content, mount
 * points and all. */
static bool under_tmpfs(const struct oci_config *c, const char *dest) {
  for (size_t i = 0; i < c->mounts_len; i++) {
    const struct oci_mount *m = &c->mounts[i];
    if (m->type == NULL || strcmp(m->type, "tmpfs") != 0 || m->destination == NULL)
      continue;
    size_t n = strlen(m->destination);
    while (n > 1 && m->destination[n - 1] == '/')
      n--;
    if (strncmp(dest, m->destination, n) == 0 && dest[n] == '/')
      return true;
  }
  return false;
}

/* The mount points CRIU mounts on exist in a rootfs that a create made;
 * in a fresh one (another host, an engine's new overlay) they are made as
 * create would make them. */
static int make_mount_points(struct restore_job *job, struct husk_error **err) {
  _cleanup_close_ int rootfd = open(job->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (rootfd < 0)
    return husk_fail(err, errno, "rootfs %s", job->rootfs);
  for (size_t i = 0; i < job->config->mounts_len; i++) {
    const struct oci_mount *m = &job->config->mounts[i];
    if (m->destination == NULL || under_tmpfs(job->config, m->destination))
      continue;
    bool file = false;
    struct husk_mount_opts mo;
    if (husk_mount_opts_parse(m->options, m->options_len, m->type, &mo, NULL) == 0) {
      if (mo.bind && m->source) {
        _cleanup_free_ char *src = m->source[0] == '/' ? xstrdup(m->source)
                                                      : xasprintf("%s/%s", job->bundle, m->source);
        struct stat st;
        file = stat(src, &st) == 0 && !S_ISDIR(st.st_mode);
      }
      husk_mount_opts_clear(&mo);
    }
    int fd = husk_inroot_open(rootfd, m->destination, file ? HUSK_INROOT_MKFILE : HUSK_INROOT_MKDIR,
                              err);
    if (fd < 0) {
      husk_error_prefix(err, "mounts[%zu]: ", i);
      return fd;
    }
    close(fd);
  }
  return 0;
}

/* A mount namespace of husk's own, for CRIU (nothing of it reaches the
 * host's; it ends with husk). First of all: CRIU mounts (its cgroup yard)
 * in the directories husk hands it, which must then be opened in the
 * namespace CRIU works in. */
static int own_mount_ns(struct husk_error **err) {
  if (unshare(CLONE_NEWNS) < 0)
    return husk_fail(err, errno, "unshare the mount namespace");
  if (mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0)
    return husk_fail(err, errno, "make / a slave mount");
  return 0;
}

/* CRIU wants the root a mount point whose parent is not over-mounted: the
 * rootfs bound on <state>/criu-root. */
static int bind_root(struct restore_job *job, struct husk_error **err) {
  _cleanup_free_ char *dir = xasprintf("%s/%s/%s", job->ctx->root, job->id, CRIU_ROOT);
  if (mkdir(dir, 0755) < 0)
    return husk_fail(err, errno, "mkdir %s", dir);
  if (mount(job->rootfs, dir, NULL, MS_BIND | MS_REC, NULL) < 0) {
    int e = errno;
    rmdir(dir);
    return husk_fail(err, e, "bind %s on %s", job->rootfs, dir);
  }
  job->criu_root = dir;
  dir = NULL;
  return 0;
}

static void unbind_root(struct restore_job *job) {
  if (job->criu_root == NULL)
    return;
  umount2(job->criu_root, MNT_DETACH);
  rmdir(job->criu_root);
  free(job->criu_root);
  job->criu_root = NULL;
}

/* Namespaces the config joins by path: net and pid are handed to CRIU as
 * fds under the keys checkpoint gave them; the others CRIU joins itself. */
static int add_namespaces(struct restore_job *job, struct husk_criu_opts *o,
                          struct husk_error **err) {
  const struct oci_linux *l = job->config->linux_;
  for (size_t i = 0; l && i < l->namespaces_len; i++) {
    const struct oci_namespace *ns = &l->namespaces[i];
    const char *name = husk_criu_ns_name(ns->type);
    if (ns->path == NULL || ns->path[0] == '\0' || name == NULL)
      continue;
    if (strcmp(name, "net") == 0 || strcmp(name, "pid") == 0) {
      if (strcmp(name, "net") == 0 && (o->empty_ns & CLONE_NEWNET))
        continue;
      int fd = open(ns->path, O_RDONLY | O_CLOEXEC);
      if (fd < 0)
        return husk_fail(err, errno, "linux.namespaces[%zu].path %s", i, ns->path);
      job->ns_fds[job->n_ns_fds] = fd;
      o->inherit_fd = realloc(o->inherit_fd, sizeof(*o->inherit_fd) * (o->inherit_fd_len + 1));
      o->inherit_fd[o->inherit_fd_len].key =
          xstrdup(strcmp(name, "net") == 0 ? "extRootNetNS" : "extRootPidNS");
      o->inherit_fd[o->inherit_fd_len++].fd = 4 + (int)job->n_ns_fds++; /* after the socket */
      continue;
    }
    if (strcmp(name, "cgroup") == 0)
      return husk_fail(err, 0, "linux.namespaces[%zu]: CRIU cannot join a cgroup namespace by path", i);
    o->join_ns = realloc(o->join_ns, sizeof(*o->join_ns) * (o->join_ns_len + 1));
    o->join_ns[o->join_ns_len].key = xstrdup(name);
    o->join_ns[o->join_ns_len++].val = xstrdup(ns->path);
  }
  return 0;
}

/* The init's stdio pipes at checkpoint become husk's own stdio (what the
 * engine gave restore: conmon's or the shim's pipes). */
static int add_stdio(struct restore_job *job, struct husk_criu_opts *o, struct husk_error **err) {
  char *fds[3];
  if (husk_criu_read_descriptors(job->image_fd, fds, err) < 0)
    return -EINVAL;
  for (int i = 0; i < 3; i++) {
    if (fds[i] && strstr(fds[i], "pipe:")) {
      o->inherit_fd = realloc(o->inherit_fd, sizeof(*o->inherit_fd) * (o->inherit_fd_len + 1));
      o->inherit_fd[o->inherit_fd_len].key = fds[i];
      o->inherit_fd[o->inherit_fd_len++].fd = i;
    } else {
      free(fds[i]);
    }
  }
  return 0;
}

/* prestart and createRuntime, as runc runs them at restore: once CRIU has
 * made the namespaces (its "setup-namespaces"), with the pid of the init
 * being restored, before any process runs. */
static int run_runtime_hooks(struct restore_job *job, pid_t pid, struct husk_error **err) {
  const struct oci_config *c = job->config;
  if (!husk_hooks_has(c->hooks, HUSK_HOOK_PRESTART) &&
      !husk_hooks_has(c->hooks, HUSK_HOOK_CREATE_RUNTIME))
    return 0;
  struct husk_state st = {
      .id = (char *)job->id,
      .pid = pid,
      .bundle = job->bundle,
      .rootfs = job->rootfs,
      .created = job->created,
      .owner = "",
  };
  husk_state_borrow_annotations(&st, c->annotations, c->annotations_len);
  _cleanup_free_ char *json = husk_state_to_oci_json(&st, HUSK_STATUS_CREATED);
  husk_state_return_annotations(&st);
  struct husk_hook_io io = HUSK_HOOK_IO_INIT;
  int r = husk_hook_io_open(c, &io, err);
  if (r == 0 && (husk_hooks_run(c->hooks, HUSK_HOOK_PRESTART, json, &io, err) < 0 ||
                 husk_hooks_run(c->hooks, HUSK_HOOK_CREATE_RUNTIME, json, &io, err) < 0))
    r = -EIO;
  husk_hook_io_close(&io);
  return r;
}

static int on_restore_notify(void *opaque, struct husk_criu_notify *n, struct husk_error **err) {
  struct restore_job *job = opaque;
  if (strcmp(n->script, "setup-namespaces") == 0) {
    int r = run_runtime_hooks(job, n->pid, err);
    if (r < 0)
      return r;
  } else if (strcmp(n->script, "post-restore") == 0) {
    job->pid = n->pid;
  } else if (strcmp(n->script, "orphan-pts-master") == 0) {
    /* The terminal's new master: to the engine, as create sends it. */
    if (n->fd < 0)
      return husk_fail(err, 0, "criu sent no terminal with orphan-pts-master");
    if (job->console_fd < 0)
      return husk_fail(err, 0, "the restored container has a terminal: restore needs "
                               "--console-socket to hand it to");
    int r = husk_fd_socket_send(job->console_fd, n->fd, "/dev/ptmx");
    if (r < 0)
      return husk_fail(err, -r, "--console-socket %s: send the terminal",
                       job->opts->console_socket);
  }
  return 0;
}

static int run_criu(struct restore_job *job, struct husk_error **err) {
  const struct husk_restore_options *opts = job->opts;
  struct husk_criu criu = HUSK_CRIU_INIT;
  struct husk_criu_resp resp = {0};
  struct husk_criu_opts o = {
      .images_dir_fd = job->image_fd,
      .work_dir_fd = job->work_fd,
      .log_level = 4,
      .log_file = RESTORE_LOG,
      .evasive_devices = true,
      .rst_sibling = true,
      .root = job->criu_root,
      .manage_cgroups = true,
      .manage_cgroups_mode = opts->c.manage_cgroups_mode,
      .notify_scripts = true,
      .shell_job = opts->c.shell_job,
      .ext_unix_sk = opts->c.ext_unix_sk,
      .tcp_established = opts->c.tcp_established,
      .file_locks = opts->c.file_locks,
      .empty_ns = opts->c.empty_ns,
      .orphan_pts_master = true,
      .auto_dedup = opts->c.auto_dedup,
      .lazy_pages = opts->c.lazy_pages,
      .lsm_profile = opts->lsm_profile,
      .lsm_mount_context = opts->lsm_mount_context,
      .cg_root = job->cgroup.path,
  };
  int r;
  bool called = false;
  husk_criu_add_ext_mounts(job->config, job->bundle, true, &o);
  if ((r = add_namespaces(job, &o, err)) < 0 || (r = add_stdio(job, &o, err)) < 0 ||
      (r = husk_criu_start(job->ctx->criu, job->ns_fds, job->n_ns_fds, &criu, err)) < 0)
    goto out;
  /* CRIU restores into its own cgroup (cg_root names it): put it in the
   * container's, which systemd makes here, with it. */
  if ((r = husk_cgroup_place(&job->cgroup, criu.pid, false, err)) < 0)
    goto out;
  if (job->cgroup.path && job->cgroup.driver->made_with_init) {
    const struct oci_linux *l = job->config->linux_;
    if ((r = husk_cgroup_apply(&job->cgroup, l ? l->resources : NULL, false, err)) < 0)
      goto out;
  }
  r = husk_criu_call(&criu, HUSK_CRIU_RESTORE, &o, on_restore_notify, job, &resp, err);
  called = true;
  if (r == 0 && resp.restore_pid > 0)
    job->pid = resp.restore_pid;
out:
  if (criu.pid > 0) {
    int status = husk_criu_end(&criu);
    if (r == 0 && status != 0)
      husk_debug("criu swrk exited with %d after the restore", status);
  }
  if (r < 0 && called)
    husk_criu_explain(err, job->id, job->work_fd >= 0 ? job->work_fd : job->image_fd,
                      opts->c.work_path ? opts->c.work_path
                                        : (opts->c.image_path ? opts->c.image_path : "checkpoint"),
                      RESTORE_LOG);
  husk_criu_resp_clear(&resp);
  husk_criu_opts_free(&o);
  return r;
}

static int write_pid_file(const char *path, pid_t pid, struct husk_error **err) {
  _cleanup_free_ char *dir = xstrdup(path);
  char *slash = strrchr(dir, '/');
  const char *name = slash ? slash + 1 : path;
  if (slash)
    slash == dir ? (void)(slash[1] = '\0') : (void)(*slash = '\0');
  _cleanup_close_ int dirfd = open(slash ? dir : ".", O_DIRECTORY | O_RDONLY | O_CLOEXEC);
  if (dirfd < 0)
    return husk_fail(err, errno, "--pid-file %s", path);
  char buf[32];
  int len = snprintf(buf, sizeof(buf), "%d", (int)pid);
  return write_file_atomic_at(dirfd, name, buf, (size_t)len, 0644, err);
}

static void rollback(struct restore_job *job) {
  unbind_root(job);
  if (job->pid > 0) {
    kill(job->pid, SIGKILL);
    waitpid(job->pid, NULL, 0);
    job->pid = 0;
  }
  if (job->cgroup.made) {
    husk_cgroup_signal_all(&job->cgroup, SIGKILL, NULL);
    husk_cgroup_remove(&job->cgroup, NULL);
  }
  if (job->dirfd >= 0)
    husk_state_dir_remove(job->ctx->root, job->id, job->dirfd, NULL);
}

static int restore(struct restore_job *job, struct husk_error **err) {
  const struct husk_context *ctx = job->ctx;
  int r;
  if ((r = husk_validate_id(job->id, err)) < 0 || (r = own_mount_ns(err)) < 0 ||
      (r = open_images(job, err)) < 0 ||
      (r = load_bundle(job, err)) < 0)
    return r;
  if (job->opts->console_socket &&
      (job->console_fd = husk_console_socket_connect(job->opts->console_socket, err)) < 0)
    return job->console_fd;
  const char *configured = job->config->linux_ ? job->config->linux_->cgroups_path : NULL;
  if ((r = husk_cgroup_plan(&job->cgroup, ctx->cgroup_manager, ctx->systemd_cgroup, configured,
                            job->id, err)) < 0 ||
      (r = husk_cgroup_prepare(&job->cgroup, job->config, err)) < 0)
    return r;
  /* From here on, what is made is undone on failure. */
  job->dirfd = husk_state_dir_create(ctx->root, job->id, err);
  if (job->dirfd < 0)
    return job->dirfd;
  job->created = husk_now_rfc3339();
  if (job->cgroup.path && husk_cgroup_has_processes(job->cgroup.path)) {
    r = husk_fail(err, 0, "cgroup %s is in use by other processes: give linux.cgroupsPath a path of its own",
                  job->cgroup.path);
    free(job->cgroup.path);
    job->cgroup.path = NULL;
    goto fail;
  }
  if ((r = write_state(job, err)) < 0 ||
      (r = write_file_atomic_at(job->dirfd, "config.json", job->config_text, job->config_len,
                                0600, err)) < 0)
    goto fail;
  if (job->cgroup.path && !job->cgroup.driver->made_with_init) {
    const struct oci_linux *l = job->config->linux_;
    if ((r = husk_cgroup_make(&job->cgroup, err)) < 0 ||
        (r = husk_cgroup_apply(&job->cgroup, l ? l->resources : NULL, false, err)) < 0) {
      if (configured && configured[0])
        husk_error_prefix(err, "linux.cgroupsPath: ");
      goto fail;
    }
  }
  husk_phase("cgroup");
  if ((r = make_mount_points(job, err)) < 0 || (r = bind_root(job, err)) < 0)
    goto fail;
  r = run_criu(job, err);
  unbind_root(job);
  husk_phase("criu restore");
  if (r < 0)
    goto fail;
  if (job->pid <= 0) {
    r = husk_fail(err, 0, "container \"%s\": criu restored no process", job->id);
    goto fail;
  }
  if ((r = write_state(job, err)) < 0)
    goto fail;
  if (job->opts->pid_file && (r = write_pid_file(job->opts->pid_file, job->pid, err)) < 0)
    goto fail;
  return 0;
fail:
  rollback(job);
  return r;
}

int husk_container_restore(const struct husk_context *ctx, const char *id,
                           const struct husk_restore_options *opts, struct husk_error **err) {
  struct restore_job job = {.ctx = ctx, .id = id, .opts = opts, .dirfd = -1, .console_fd = -1,
                            .image_fd = -1, .work_fd = -1, .ns_fds = {-1, -1}};
  int r = restore(&job, err);
  pid_t pid = job.pid;
  if (job.dirfd >= 0)
    close(job.dirfd);
  if (job.console_fd >= 0)
    close(job.console_fd);
  if (job.image_fd >= 0)
    close(job.image_fd);
  if (job.work_fd >= 0)
    close(job.work_fd);
  for (size_t i = 0; i < job.n_ns_fds; i++)
    close(job.ns_fds[i]);
  oci_config_free(job.config);
  free(job.config_text);
  free(job.rootfs);
  free(job.created);
  husk_cgroup_clear(&job.cgroup);
  if (r < 0 || opts->detach)
    return r < 0 ? r : 0;
  /* In the foreground, as `run`: wait for the init, then delete. */
  int pidfd = husk_pidfd_open(pid);
  int code = husk_foreground_wait(pid, pidfd, -1);
  if (pidfd >= 0)
    close(pidfd);
  struct husk_error *derr = NULL;
  if (husk_container_delete(ctx, id, true, &derr) < 0) {
    husk_warn("%s", derr->msg);
    husk_error_free(derr);
  }
  return code;
}
