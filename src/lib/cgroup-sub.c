/* SPDX-License-Identifier: GPL-2.0-or-later */
/* exec --cgroup: which sub-cgroup of a container's cgroup a new process
 * joins in each hierarchy (runc's [CONTROLLER[,CONTROLLER...]:]PATH). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroup.h"
#include "utils.h"

/* PATH relative to the container's cgroup, cleaned as runc's path.Join
 * does: "" for the cgroup itself, "a/b" below it; NULL when ".." leads
 * out of it. */
static char *clean_sub_path(const char *path) {
  _cleanup_free_ char *copy = xstrdup(path);
  size_t n = 0;
  _cleanup_free_ char **parts = xmalloc0(sizeof(char *) * (strlen(path) / 2 + 2));
  char *save = NULL;
  for (char *c = strtok_r(copy, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
    if (strcmp(c, ".") == 0)
      continue;
    if (strcmp(c, "..") == 0) {
      if (n == 0)
        return NULL;
      n--;
      continue;
    }
    parts[n++] = c;
  }
  size_t len = 1;
  for (size_t i = 0; i < n; i++)
    len += strlen(parts[i]) + 1;
  char *out = xmalloc0(len);
  for (size_t i = 0; i < n; i++) {
    if (i)
      strcat(out, "/");
    strcat(out, parts[i]);
  }
  return out;
}

void husk_cgroup_sub_clear(struct husk_cgroup_sub *s) {
  free(s->all);
  free(s->all_arg);
  for (size_t i = 0; i < s->n; i++) {
    free(s->controllers[i]);
    free(s->paths[i]);
    free(s->args[i]);
  }
  free(s->controllers);
  free(s->paths);
  free(s->args);
  memset(s, 0, sizeof(*s));
}

static int add_controller(struct husk_cgroup_sub *s, const char *arg, const char *ctrl, size_t len,
                          const char *path, struct husk_error **err) {
  if (len == 0)
    return husk_fail(err, 0, "--cgroup \"%s\": empty controller name before \":\"", arg);
  for (size_t i = 0; i < s->n; i++)
    if (strlen(s->controllers[i]) == len && strncmp(s->controllers[i], ctrl, len) == 0)
      return husk_fail(err, 0, "--cgroup \"%s\": controller %.*s is given more than once", arg,
                       (int)len, ctrl);
  s->controllers = realloc(s->controllers, sizeof(char *) * (s->n + 1));
  s->paths = realloc(s->paths, sizeof(char *) * (s->n + 1));
  s->args = realloc(s->args, sizeof(char *) * (s->n + 1));
  s->controllers[s->n] = strndup(ctrl, len);
  s->paths[s->n] = xstrdup(path);
  s->args[s->n++] = xstrdup(arg);
  return 0;
}

int husk_cgroup_sub_parse(char *const *args, size_t n, struct husk_cgroup_sub *out,
                          struct husk_error **err) {
  memset(out, 0, sizeof(*out));
  for (size_t i = 0; i < n; i++) {
    const char *arg = args[i];
    const char *colon = strchr(arg, ':');
    _cleanup_free_ char *path = clean_sub_path(colon ? colon + 1 : arg);
    if (path == NULL) {
      husk_fail(err, 0, "--cgroup \"%s\": not a sub-cgroup path: \"..\" leads out of the container's cgroup",
                arg);
      goto fail;
    }
    if (colon == NULL) {
      /* One PATH for every hierarchy: the only --cgroup then. */
      if (n != 1) {
        husk_fail(err, 0, "--cgroup \"%s\": with more than one --cgroup, each needs a CONTROLLER: prefix",
                  arg);
        goto fail;
      }
      out->all = steal_pointer(&path);
      out->all_arg = xstrdup(arg);
      continue;
    }
    for (const char *c = arg; c <= colon;) {
      size_t len = strcspn(c, ",:");
      if (add_controller(out, arg, c, len, path, err) < 0)
        goto fail;
      c += len + 1;
    }
  }
  return 0;
fail:
  husk_cgroup_sub_clear(out);
  return -EINVAL;
}

static char *join(const char *path, const char *sub) {
  return sub[0] ? xasprintf("%s/%s", path, sub) : xstrdup(path);
}

char *husk_cgroup_sub_path(const struct husk_cgroup_sub *s, const struct husk_cgroup_hierarchy *h,
                           const char *path) {
  if (s->all)
    return join(path, s->all);
  if (h)
    for (size_t i = 0; i < s->n; i++)
      if (husk_cgroup_hierarchy_has(h, s->controllers[i]))
        return join(path, s->paths[i]);
  return xstrdup(path);
}

/* Every controller names a v1 hierarchy, and no hierarchy gets two paths
 * (cpu:a and cpuacct:b where cpu and cpuacct share one). */
static int check_controllers(const struct husk_cgroup_sub *s, struct husk_error **err) {
  size_t n;
  const struct husk_cgroup_hierarchy *hs = husk_cgroup_hierarchies(&n);
  for (size_t i = 0; i < s->n; i++) {
    const struct husk_cgroup_hierarchy *h = NULL;
    for (size_t k = 0; k < n && h == NULL; k++)
      if (husk_cgroup_hierarchy_has(&hs[k], s->controllers[i]))
        h = &hs[k];
    if (h == NULL && husk_cgroup_mode() == HUSK_CGROUP_V2)
      return husk_fail(err, 0,
                       "--cgroup \"%s\": cgroup v2 has no per-controller cgroups: give a PATH without CONTROLLER:",
                       s->args[i]);
    if (h == NULL)
      return husk_fail(err, 0, "--cgroup \"%s\": unknown controller %s: no cgroup v1 hierarchy has it",
                       s->args[i], s->controllers[i]);
    for (size_t j = 0; j < i; j++)
      if (husk_cgroup_hierarchy_has(h, s->controllers[j]) && strcmp(s->paths[i], s->paths[j]) != 0)
        return husk_fail(err, 0,
                         "--cgroup \"%s\": controllers %s and %s share the hierarchy %s, so they need the same path",
                         s->args[i], s->controllers[j], s->controllers[i], h->mountpoint);
  }
  return 0;
}

int husk_cgroup_sub_open(const char *path, const struct husk_cgroup_sub *s, int *v2_fd,
                         char **v2_path, struct husk_cgroup_v1_tasks *t, struct husk_error **err) {
  *v2_fd = -1;
  *v2_path = husk_cgroup_sub_path(s, NULL, path);
  if (check_controllers(s, err) < 0)
    return -EINVAL;
  _cleanup_free_ char *v2_dir = husk_cgroup_v2_dir(*v2_path);
  if (v2_dir) {
    *v2_fd = open(v2_dir, O_DIRECTORY | O_PATH | O_CLOEXEC);
    /* The container's own cgroup may lack a v2 directory (placement by pid
     * then says why); a sub-cgroup given must exist. */
    if (*v2_fd < 0 && s->all && s->all[0])
      return husk_fail(err, errno, "--cgroup \"%s\": %s", s->all_arg, v2_dir);
  }
  int r = husk_cgroup_open_v1_tasks(path, s, t, err);
  if (r < 0 && (s->all || s->n))
    husk_error_prefix(err, "--cgroup: ");
  return r;
}
