/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `husk checkpoint`: dump a running container with CRIU. Without
 * --leave-running (or with --pre-dump) CRIU kills the processes once they
 * are saved, and the container is then stopped: `delete` removes it, as it
 * removes any other. */
#include "checkpoint.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroup.h"
#include "criu-rpc.h"
#include "log.h"
#include "lookup.h"
#include "spec.h"
#include "utils.h"

#define DUMP_LOG "dump.log"
#define PRE_DUMP_LOG "pre-dump.log"

/* mkdir -p (an existing one is fine: a container is checkpointed again and
 * again) and open. */
static int open_dir(const char *option, const char *path, int *fd, struct husk_error **err) {
  char cwd[PATH_MAX];
  if (path[0] != '/' && getcwd(cwd, sizeof(cwd)) == NULL)
    return husk_fail(err, errno, "%s %s: the current directory", option, path);
  _cleanup_free_ char *abs = path[0] == '/' ? xstrdup(path) : xasprintf("%s/%s", cwd, path);
  if (mkdir_p(abs, 0700, err) < 0) {
    husk_error_prefix(err, "%s: ", option);
    return -EINVAL;
  }
  *fd = open(path, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
  if (*fd < 0)
    return husk_fail(err, errno, "%s %s", option, path);
  return 0;
}

/* Namespaces the container joined by path: CRIU leaves net and pid out of
 * the images ("external"), to be given back at restore under the same key. */
static int add_external_namespaces(const struct oci_config *c, struct husk_criu_opts *o,
                                   struct husk_error **err) {
  const struct oci_linux *l = c->linux_;
  for (size_t i = 0; l && i < l->namespaces_len; i++) {
    const struct oci_namespace *ns = &l->namespaces[i];
    if (ns->path == NULL || ns->path[0] == '\0' || ns->type == NULL)
      continue;
    bool net = strcmp(ns->type, "network") == 0;
    if (!net && strcmp(ns->type, "pid") != 0)
      continue;
    struct stat st;
    if (stat(ns->path, &st) < 0)
      return husk_fail(err, errno, "linux.namespaces[%zu].path %s", i, ns->path);
    o->external = realloc(o->external, sizeof(char *) * (o->external_len + 1));
    o->external[o->external_len++] =
        xasprintf("%s[%lu]:%s", net ? "net" : "pid", (unsigned long)st.st_ino,
                  net ? "extRootNetNS" : "extRootPidNS");
  }
  return 0;
}

/* CRIU freezes the tree through the cgroup's freezer (cgroup v2 too, since
 * CRIU 3.14): the directory that holds the freezer file. */
static char *freezer_dir(const char *cgroup_path) {
  if (cgroup_path == NULL || cgroup_path[0] == '\0')
    return NULL;
  bool v2;
  char *file = husk_cgroup_freezer_file(cgroup_path, &v2);
  if (file == NULL)
    return NULL;
  char *slash = strrchr(file, '/');
  if (slash)
    *slash = '\0';
  return file;
}

struct dump_notify {
  int status_fd;
};

static int on_dump_notify(void *opaque, struct husk_criu_notify *n, struct husk_error **err) {
  struct dump_notify *d = opaque;
  (void)err;
  /* --lazy-pages: the page server is ready; the caller waits on this byte. */
  if (strcmp(n->script, "status-ready") == 0 && d->status_fd >= 0) {
    if (write(d->status_fd, "", 1) < 0)
      husk_warn("--status-fd: %s", strerror(errno));
    close(d->status_fd);
    d->status_fd = -1;
  }
  return 0;
}

static int parse_page_server(const char *s, char **addr, int *port, struct husk_error **err) {
  const char *colon = strrchr(s, ':');
  char *end;
  long p = colon ? strtol(colon + 1, &end, 10) : 0;
  if (colon == NULL || colon == s || *end || p <= 0 || p > 65535)
    return husk_fail(err, 0, "--page-server \"%s\": expected ADDRESS:PORT", s);
  *addr = strndup(s, (size_t)(colon - s));
  *port = (int)p;
  return 0;
}

static int dump(const struct husk_context *ctx, const char *id, const struct husk_lookup *l,
                const struct husk_checkpoint_options *opts, struct husk_error **err) {
  _cleanup_free_ char *config_path = xasprintf("%s/%s/config.json", ctx->root, id);
  struct oci_config *config = oci_config_load(config_path, err);
  if (config == NULL)
    return -EINVAL;
  const char *image_path = opts->c.image_path ? opts->c.image_path : "checkpoint";
  _cleanup_close_ int image_fd = -1;
  _cleanup_close_ int work_fd = -1;
  _cleanup_free_ char *ps_addr = NULL;
  _cleanup_free_ char *freezer = freezer_dir(l->st.cgroup_path);
  struct husk_criu criu = HUSK_CRIU_INIT;
  struct husk_criu_resp resp = {0};
  const char *log_name = opts->pre_dump ? PRE_DUMP_LOG : DUMP_LOG;
  struct husk_criu_opts o = {
      .work_dir_fd = -1,
      .pid = l->st.pid,
      .log_level = 4,
      .log_file = log_name,
      .root = l->st.rootfs,
      .manage_cgroups = true,
      .manage_cgroups_mode = opts->c.manage_cgroups_mode,
      .notify_scripts = true,
      .shell_job = opts->c.shell_job,
      .leave_running = opts->leave_running,
      .tcp_established = opts->c.tcp_established,
      .ext_unix_sk = opts->c.ext_unix_sk,
      .file_locks = opts->c.file_locks,
      .empty_ns = opts->c.empty_ns,
      .orphan_pts_master = true,
      .auto_dedup = opts->c.auto_dedup,
      .lazy_pages = opts->c.lazy_pages,
      .parent_img = opts->parent_path,
      .track_mem = opts->parent_path != NULL || opts->pre_dump,
      .freeze_cgroup = freezer,
  };
  int r;
  if ((r = open_dir("--image-path", image_path, &image_fd, err)) < 0 ||
      (opts->c.work_path && (r = open_dir("--work-path", opts->c.work_path, &work_fd, err)) < 0) ||
      (opts->page_server && (r = parse_page_server(opts->page_server, &ps_addr, &o.ps_port, err)) < 0) ||
      (r = add_external_namespaces(config, &o, err)) < 0)
    goto out;
  o.images_dir_fd = image_fd;
  o.work_dir_fd = work_fd;
  o.ps_address = ps_addr;
  if (!opts->pre_dump) {
    husk_criu_add_ext_mounts(config, l->st.bundle, false, &o);
    if ((r = husk_criu_write_descriptors(image_fd, l->st.pid, err)) < 0)
      goto out;
  }
  if ((r = husk_criu_start(ctx->criu, NULL, 0, &criu, err)) < 0)
    goto out;
  struct dump_notify d = {.status_fd = opts->status_fd};
  r = husk_criu_call(&criu, opts->pre_dump ? HUSK_CRIU_PRE_DUMP : HUSK_CRIU_DUMP, &o,
                     on_dump_notify, &d, &resp, err);
  /* After a pre-dump CRIU would wait for the dump: the end of the
   * connection ends it, with a status that says nothing. */
  husk_criu_end(&criu);
  if (r < 0)
    husk_criu_explain(err, id, work_fd >= 0 ? work_fd : image_fd,
                      opts->c.work_path ? opts->c.work_path : image_path, log_name);
out:
  husk_criu_resp_clear(&resp);
  husk_criu_opts_free(&o);
  oci_config_free(config);
  return r;
}

int husk_container_checkpoint(const struct husk_context *ctx, const char *id,
                              const struct husk_checkpoint_options *opts, struct husk_error **err) {
  struct husk_lookup l;
  int r = husk_lookup(ctx, id, true, &l, err);
  if (r < 0)
    return r;
  switch (l.status) {
  case HUSK_STATUS_RUNNING:
  case HUSK_STATUS_PAUSED:
    r = dump(ctx, id, &l, opts, err);
    break;
  case HUSK_STATUS_CREATED:
    r = husk_fail(err, 0, "container \"%s\" is created but not started: only a running "
                          "container can be checkpointed (start it first)", id);
    break;
  default:
    r = husk_fail(err, 0, "container \"%s\" is %s: only a running container can be checkpointed",
                  id, husk_status_name(l.status));
  }
  husk_lookup_release(&l);
  return r;
}
