/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What checkpoint and restore both tell CRIU about a container: its
 * external mounts, its namespaces' names, and the stdio list kept with the
 * images (descriptors.json, runc's name and format). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#include "checkpoint.h"
#include "criu-rpc.h"
#include "inroot.h"
#include "mountopts.h"
#include "spec.h"
#include "utils.h"

#define DESCRIPTORS_FILE "descriptors.json"

int husk_criu_parse_cg_mode(const char *s) {
  static const struct {
    const char *name;
    int mode;
  } modes[] = {{"soft", HUSK_CRIU_CG_SOFT}, {"full", HUSK_CRIU_CG_FULL},
               {"strict", HUSK_CRIU_CG_STRICT}, {"ignore", HUSK_CRIU_CG_IGNORE}};
  for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
    if (strcmp(s, modes[i].name) == 0)
      return modes[i].mode;
  return -1;
}

/* runc's --empty-ns takes a namespace name; "network" is the one that
 * matters (an engine set the network up and sets it up again). */
int64_t husk_criu_parse_ns(const char *s) {
  if (strcmp(s, "network") == 0 || strcmp(s, "net") == 0)
    return CLONE_NEWNET;
  if (strcmp(s, "ipc") == 0)
    return CLONE_NEWIPC;
  if (strcmp(s, "uts") == 0)
    return CLONE_NEWUTS;
  if (strcmp(s, "pid") == 0)
    return CLONE_NEWPID;
  if (strcmp(s, "mount") == 0 || strcmp(s, "mnt") == 0)
    return CLONE_NEWNS;
  return -1;
}

const char *husk_criu_ns_name(const char *type) {
  static const char *const names[][2] = {{"network", "net"}, {"mount", "mnt"}, {"ipc", "ipc"},
                                         {"uts", "uts"},     {"user", "user"}, {"pid", "pid"},
                                         {"cgroup", "cgroup"}, {"time", "time"}};
  for (size_t i = 0; type && i < sizeof(names) / sizeof(names[0]); i++)
    if (strcmp(type, names[i][0]) == 0)
      return names[i][1];
  return NULL;
}

static void add_ext_mount(struct husk_criu_opts *o, const char *key, const char *val) {
  for (size_t i = 0; i < o->ext_mnt_len; i++)
    if (strcmp(o->ext_mnt[i].key, key) == 0) {
      free(o->ext_mnt[i].val);
      o->ext_mnt[i].val = xstrdup(val);
      return;
    }
  o->ext_mnt = realloc(o->ext_mnt, sizeof(*o->ext_mnt) * (o->ext_mnt_len + 1));
  if (o->ext_mnt == NULL)
    abort();
  o->ext_mnt[o->ext_mnt_len].key = xstrdup(key);
  o->ext_mnt[o->ext_mnt_len].val = xstrdup(val);
  o->ext_mnt_len++;
}

void husk_criu_add_ext_mounts(const struct oci_config *c, const char *bundle, bool restore,
                              struct husk_criu_opts *o) {
  for (size_t i = 0; i < c->mounts_len; i++) {
    const struct oci_mount *m = &c->mounts[i];
    if (m->destination == NULL || m->source == NULL)
      continue;
    struct husk_mount_opts mo;
    if (husk_mount_opts_parse(m->options, m->options_len, m->type, &mo, NULL) < 0)
      continue;
    bool bind = mo.bind;
    husk_mount_opts_clear(&mo);
    if (!bind)
      continue;
    _cleanup_free_ char *dest = husk_path_normalize(m->destination);
    _cleanup_free_ char *source = m->source[0] == '/' ? xstrdup(m->source)
                                                      : xasprintf("%s/%s", bundle, m->source);
    add_ext_mount(o, dest, restore ? source : dest);
  }
  /* Device nodes are bound from the host where mknod is refused. */
  const struct oci_linux *l = c->linux_;
  for (size_t i = 0; l && i < l->devices_len; i++)
    if (l->devices[i].path)
      add_ext_mount(o, l->devices[i].path, l->devices[i].path);
}

void husk_criu_opts_free(struct husk_criu_opts *o) {
  for (size_t i = 0; i < o->ext_mnt_len; i++) {
    free(o->ext_mnt[i].key);
    free(o->ext_mnt[i].val);
  }
  free(o->ext_mnt);
  for (size_t i = 0; i < o->join_ns_len; i++) {
    free(o->join_ns[i].key);
    free(o->join_ns[i].val);
  }
  free(o->join_ns);
  for (size_t i = 0; i < o->inherit_fd_len; i++)
    free(o->inherit_fd[i].key);
  free(o->inherit_fd);
  for (size_t i = 0; i < o->external_len; i++)
    free(o->external[i]);
  free(o->external);
  o->ext_mnt = NULL;
  o->join_ns = NULL;
  o->inherit_fd = NULL;
  o->external = NULL;
  o->ext_mnt_len = o->join_ns_len = o->inherit_fd_len = o->external_len = 0;
}

int husk_criu_write_descriptors(int image_dirfd, pid_t pid, struct husk_error **err) {
  yajl_gen g = yajl_gen_alloc(NULL);
  yajl_gen_array_open(g);
  for (int fd = 0; fd < 3; fd++) {
    char link[64], target[PATH_MAX];
    snprintf(link, sizeof(link), "/proc/%d/fd/%d", (int)pid, fd);
    ssize_t n = readlink(link, target, sizeof(target) - 1);
    if (n < 0)
      n = 0; /* closed: nothing for CRIU to connect */
    yajl_gen_string(g, (const unsigned char *)target, (size_t)n);
  }
  yajl_gen_array_close(g);
  const unsigned char *buf;
  size_t len;
  yajl_gen_get_buf(g, &buf, &len);
  int r = write_file_atomic_at(image_dirfd, DESCRIPTORS_FILE, (const char *)buf, len, 0600, err);
  yajl_gen_free(g);
  return r;
}

int husk_criu_read_descriptors(int image_dirfd, char *out[3], struct husk_error **err) {
  out[0] = out[1] = out[2] = NULL;
  _cleanup_free_ char *text = NULL;
  size_t len;
  struct husk_error *e = NULL;
  if (read_file_at(image_dirfd, DESCRIPTORS_FILE, &text, &len, 1 << 20, &e) < 0) {
    /* Images CRIU made without husk or runc: no stdio to reconnect. */
    bool missing = e && e->errno_ == ENOENT;
    if (missing) {
      husk_error_free(e);
      return 0;
    }
    *err = e;
    return -EINVAL;
  }
  char errbuf[128];
  yajl_val v = yajl_tree_parse(text, errbuf, sizeof(errbuf));
  if (v == NULL || !YAJL_IS_ARRAY(v)) {
    yajl_tree_free(v);
    return husk_fail(err, 0, DESCRIPTORS_FILE ": not a JSON array of strings");
  }
  for (size_t i = 0; i < 3 && i < v->u.array.len; i++) {
    yajl_val s = v->u.array.values[i];
    if (YAJL_IS_STRING(s))
      out[i] = xstrdup(YAJL_GET_STRING(s));
  }
  yajl_tree_free(v);
  return 0;
}
