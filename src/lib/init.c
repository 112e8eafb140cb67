/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "init.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <linux/keyctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cgroup-manager.h"
#include "hooks.h"
#include "log.h"
#include "process.h"
#include "procfs.h"
#include "process-tail.h"
#include "seccomp-filter.h"
#include "rootfs.h"
#include "state.h"
#include "sync.h"
#include "terminal.h"
#include "utils.h"

/* Report the failure to the parent, which prints it once, and die. Once
 * the parent is gone (after READY) it can only be told on stderr. */
__attribute__((noreturn)) static void init_fail(struct husk_init_ctx *ctx, struct husk_error *err) {
  const char *msg = err && err->msg ? err->msg : "container init failed";
  if (ctx->sync_fd < 0) {
    fprintf(stderr, "husk: %s\n", msg);
    _exit(127);
  }
  husk_sync_send(ctx->sync_fd, HUSK_SYNC_ERROR, msg);
  _exit(1);
}

static int set_names(const struct oci_config *c, struct husk_error **err) {
  if (c->hostname && c->hostname[0] && sethostname(c->hostname, strlen(c->hostname)) < 0)
    return husk_fail(err, errno, "hostname \"%s\"", c->hostname);
  if (c->domainname && c->domainname[0] && setdomainname(c->domainname, strlen(c->domainname)) < 0)
    return husk_fail(err, errno, "domainname \"%s\"", c->domainname);
  return 0;
}

/* linux.sysctl: "net.ipv4.ip_forward" is /proc/sys/net/ipv4/ip_forward.
 * Written through the host's /proc fd's view of our own namespaces. */
static int write_sysctls(struct husk_init_ctx *ctx, struct husk_error **err) {
  const struct oci_linux *l = ctx->config->linux_;
  for (size_t i = 0; l && i < l->sysctl_len; i++) {
    const char *key = l->sysctl[i].key;
    _cleanup_free_ char *path = xasprintf("sys/%s", key);
    for (char *p = path + 4; *p; p++)
      if (*p == '.')
        *p = '/';
    const char *value = l->sysctl[i].value;
    if (husk_procfs_write(ctx->procfs_fd, path, value) < 0)
      return husk_fail(err, errno, "linux.sysctl: set %s to \"%s\"", key, value);
  }
  return 0;
}

/* A session keyring of the container's own, so that keys do not leak
 * between containers (as runc; --no-new-keyring keeps the caller's). */
static int join_session_keyring(const char *id, struct husk_error **err) {
  if (syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, id) < 0 && errno != ENOSYS)
    return husk_fail(err, errno, "create the session keyring");
  return 0;
}

/* The state made by the init, with `pid` as whoever reads it sees the init:
 * the host pid for the seccomp listener, the container's (getpid) for the
 * hooks that run in its namespaces (the runtime-spec). */
static char *init_state_json(struct husk_init_ctx *ctx, enum husk_status status, pid_t pid) {
  const struct oci_config *c = ctx->config;
  struct husk_state st = {
      .id = (char *)ctx->id,
      .pid = pid,
      .bundle = (char *)ctx->bundle,
      .rootfs = (char *)ctx->rootfs,
      .created = "",
      .owner = "",
  };
  husk_state_borrow_annotations(&st, c->annotations, c->annotations_len);
  char *json = husk_state_to_oci_json(&st, status);
  husk_state_return_annotations(&st);
  return json;
}


/* Before the root switch: prestart and createRuntime in the runtime's
 * namespaces (the parent runs them), then createContainer here, in ours. */
static int run_create_hooks(struct husk_init_ctx *ctx, struct husk_error **err) {
  const struct oci_hooks *h = ctx->config->hooks;
  if (husk_hooks_has(h, HUSK_HOOK_PRESTART) || husk_hooks_has(h, HUSK_HOOK_CREATE_RUNTIME)) {
    if (husk_sync_send(ctx->sync_fd, HUSK_SYNC_HOOKS, NULL) < 0)
      _exit(1);
    char *msg = NULL;
    int type = husk_sync_recv(ctx->sync_fd, &msg);
    free(msg);
    if (type != HUSK_SYNC_GO)
      _exit(1); /* the parent reports the hook's failure */
  }
  if (!husk_hooks_has(h, HUSK_HOOK_CREATE_CONTAINER))
    return 0;
  /* Step 5 of the lifecycle, after the environment is made: "created". */
  _cleanup_free_ char *state = init_state_json(ctx, HUSK_STATUS_CREATED, getpid());
  return husk_hooks_run(h, HUSK_HOOK_CREATE_CONTAINER, state, ctx->hook_io, err);
}

/* Block until `husk start` opens exec.fifo for reading, run the
 * startContainer hooks, and answer "0", or "E" and the error. Reopened
 * through the host /proc so that neither the state directory's permissions
 * nor the container's lack of /proc matter. */
static int wait_for_start(struct husk_init_ctx *ctx, struct husk_error **err) {
  char rel[64];
  snprintf(rel, sizeof(rel), "self/fd/%d", ctx->fifo_fd);
  int fd = openat(ctx->proc_fd, rel, O_WRONLY | O_CLOEXEC);
  if (fd < 0)
    return husk_fail(err, errno, "open exec.fifo");
  int r = 0;
  const struct oci_hooks *h = ctx->config->hooks;
  if (husk_hooks_has(h, HUSK_HOOK_START_CONTAINER)) {
    _cleanup_free_ char *state = init_state_json(ctx, HUSK_STATUS_CREATED, getpid());
    if (husk_hooks_run(h, HUSK_HOOK_START_CONTAINER, state, ctx->hook_io, err) < 0) {
      _cleanup_free_ char *answer = xasprintf("E%s", (*err)->msg);
      write_all(fd, answer, strlen(answer));
      close(fd);
      return -EIO;
    }
  }
  r = write_all(fd, "0", 1);
  close(fd);
  if (r < 0)
    return husk_fail(err, -r, "write exec.fifo");
  return 0;
}

/* The listener's state: the init as the host sees it (the tail's callback). */
static char *seccomp_state(void *data, pid_t host_pid) {
  return init_state_json(data, HUSK_STATUS_CREATING, host_pid);
}

/* Once the process is set up: READY to the parent, then wait for `husk
 * start` (the tail's callback). */
static void handoff(void *data) {
  struct husk_init_ctx *ctx = data;
  struct husk_error *err = NULL;
  husk_phase("process");
  /* The parent exits once it has READY: stop tying our life to it first.
   * Should it die before reading READY, state.json already names us. */
  if (prctl(PR_SET_PDEATHSIG, 0, 0, 0, 0) < 0) {
    husk_fail(&err, errno, "clear the init's parent-death signal");
    init_fail(ctx, err);
  }
  if (husk_sync_send(ctx->sync_fd, HUSK_SYNC_READY, NULL) < 0)
    _exit(1);
  close(ctx->sync_fd);
  ctx->sync_fd = -1; /* from here on init_fail reports on stderr */

  if (wait_for_start(ctx, &err) < 0)
    _exit(127); /* `husk start` reports it */
  close(ctx->proc_fd);
  if (ctx->procfs_fd >= 0)
    close(ctx->procfs_fd);
  close(ctx->fifo_fd);
  if (ctx->devnull_fd >= 0)
    close(ctx->devnull_fd);
}

void husk_init_main(struct husk_init_ctx *ctx) {
  struct husk_error *err = NULL;
  const struct oci_config *c = ctx->config;
  const struct oci_process *p = c->process;

  /* Until the parent has us, its death is ours. */
  prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);

  char *msg = NULL;
  int type = husk_sync_recv(ctx->sync_fd, &msg);
  free(msg);
  if (type != HUSK_SYNC_GO)
    _exit(1);
  /* Until execve the init runs husk's binary: nothing in the container may
   * open it through /proc/1/exe (the CVE-2019-5736 class). Only after GO:
   * an unprivileged parent writes our id maps as the owner of /proc/PID,
   * which a non-dumpable process no longer is. execve makes the
   * container's program dumpable again. */
  prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);

  if (husk_cgroup_join_self(ctx->cgroup_join, &err) < 0)
    init_fail(ctx, err);
  if (husk_ns_join_all(ctx->ns, &err) < 0 || husk_ns_unshare_in_joined_user(ctx->ns, &err) < 0)
    init_fail(ctx, err);
  /* After joining the cgroup (v1 here, v2 by clone or the parent), so that it
   * is our root. */
  if (ctx->ns->new_time_ns && husk_ns_enter_new_time(c->linux_, &err) < 0)
    init_fail(ctx, err);
  if (ctx->ns->new_cgroup_ns && unshare(CLONE_NEWCGROUP) < 0) {
    husk_fail(&err, errno, "create the cgroup namespace");
    init_fail(ctx, err);
  }
  if (setsid() < 0) {
    husk_fail(&err, errno, "setsid");
    init_fail(ctx, err);
  }

  ctx->proc_fd = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
  ctx->fifo_fd = openat(ctx->state_dirfd, HUSK_EXEC_FIFO, O_PATH | O_CLOEXEC);
  if (ctx->proc_fd < 0 || ctx->fifo_fd < 0) {
    husk_fail(&err, errno, "open /proc and exec.fifo");
    init_fail(ctx, err);
  }
  close(ctx->state_dirfd);
  ctx->state_dirfd = -1;
  /* In the container's pid namespace, and after joining any mount
   * namespace whose /proc could have been made to redirect writes. */
  ctx->procfs_fd = husk_procfs_open();
  /* In a user namespace: from the overflow ids to the container's root,
   * now that the parent has written the maps (and the host-side files are
   * open). */
  if ((ctx->ns->new_user_ns || ctx->ns->joined_user_ns) &&
      (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0)) {
    husk_fail(&err, errno, "become root in the user namespace (is 0 mapped?)");
    init_fail(ctx, err);
  }

  if (husk_process_oom_score_adj(p, ctx->procfs_fd, &err) < 0)
    init_fail(ctx, err);
  if (husk_rootfs_prepare(ctx, &err) < 0)
    init_fail(ctx, err);
  if (run_create_hooks(ctx, &err) < 0 || husk_rootfs_pivot(ctx, &err) < 0)
    init_fail(ctx, err);
  if (set_names(c, &err) < 0 || write_sysctls(ctx, &err) < 0)
    init_fail(ctx, err);
  if (husk_rootfs_finalize(ctx, &err) < 0)
    init_fail(ctx, err);
  if (p->terminal && husk_terminal_setup(p, ctx->console_fd, true, &err) < 0)
    init_fail(ctx, err);
  if (ctx->console_fd >= 0)
    close(ctx->console_fd);
  if (!ctx->no_new_keyring && join_session_keyring(ctx->id, &err) < 0)
    init_fail(ctx, err);
  struct husk_process_tail tail = {
      .config = c,
      .proc_fd = ctx->proc_fd,
      .procfs_fd = ctx->procfs_fd,
      .seccomp = ctx->seccomp,
      .preserve_fds = ctx->preserve_fds,
      .seccomp_state = seccomp_state,
      .handoff = handoff,
      .data = ctx,
  };
  husk_process_tail(p, &tail, &err);
  init_fail(ctx, err);
}
