/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "cgroup.h"

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "utils.h"

static struct husk_cgroup_hierarchy *hierarchies;
static size_t n_hierarchies;
static enum husk_cgroup_mode mode = HUSK_CGROUP_NONE;
static bool detected;
static int detect_errno; /* mountinfo could not be read whole */

/* Find the cgroup mounts from /proc/self/mountinfo:
 * "36 25 0:31 / /sys/fs/cgroup/memory rw,... shared:15 - cgroup cgroup rw,memory" */
static void detect(void) {
  detected = true;
  FILE *f = fopen("/proc/self/mountinfo", "re");
  if (f == NULL) {
    detect_errno = errno;
    return;
  }
  char *line = NULL;
  size_t cap = 0;
  bool have_v1 = false, have_v2 = false;
  while (getline(&line, &cap, f) > 0) {
    char *sep = strstr(line, " - ");
    if (sep == NULL)
      continue;
    char fstype[64], source[256], superopts[1024];
    if (sscanf(sep + 3, "%63s %255s %1023s", fstype, source, superopts) != 3)
      continue;
    bool v2 = strcmp(fstype, "cgroup2") == 0;
    if (!v2 && strcmp(fstype, "cgroup") != 0)
      continue;
    char mnt[4096];
    if (sscanf(line, "%*s %*s %*s %*s %4095s", mnt) != 1)
      continue;
    if (!str_has_prefix(mnt, "/sys/fs/cgroup"))
      continue;
    /* v1 super options name the controllers among rw/other flags. */
    char controllers[1024] = "";
    if (!v2) {
      char *save = NULL;
      for (char *tok = strtok_r(superopts, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        if (strcmp(tok, "rw") == 0 || strcmp(tok, "ro") == 0 ||
            (strchr(tok, '=') && !str_has_prefix(tok, "name=")))
          continue;
        if (strcmp(tok, "xattr") == 0 || strcmp(tok, "noprefix") == 0 || strcmp(tok, "clone_children") == 0 ||
            strcmp(tok, "cpuset_v2_mode") == 0)
          continue;
        if (controllers[0])
          strncat(controllers, ",", sizeof(controllers) - strlen(controllers) - 1);
        strncat(controllers, tok, sizeof(controllers) - strlen(controllers) - 1);
      }
    }
    hierarchies = realloc(hierarchies, sizeof(*hierarchies) * (n_hierarchies + 1));
    hierarchies[n_hierarchies++] = (struct husk_cgroup_hierarchy){
        .mountpoint = xstrdup(mnt), .controllers = xstrdup(controllers), .v2 = v2};
    if (v2)
      have_v2 = true;
    else
      have_v1 = true;
  }
  free(line);
  /* Some hierarchies only would have husk make, or remove, the cgroup in
   * those alone: none, and an error for whoever needs them. */
  if (ferror(f)) {
    detect_errno = errno ? errno : EIO;
    for (size_t i = 0; i < n_hierarchies; i++) {
      free(hierarchies[i].mountpoint);
      free(hierarchies[i].controllers);
    }
    n_hierarchies = 0;
    fclose(f);
    return;
  }
  fclose(f);
  if (have_v1 && have_v2)
    mode = HUSK_CGROUP_HYBRID;
  else if (have_v1)
    mode = HUSK_CGROUP_V1;
  else if (have_v2)
    mode = HUSK_CGROUP_V2;
}

enum husk_cgroup_mode husk_cgroup_mode(void) {
  if (!detected)
    detect();
  return mode;
}

int husk_cgroup_detect_error(struct husk_error **err) {
  if (!detected)
    detect();
  return detect_errno ? husk_fail(err, detect_errno, "read /proc/self/mountinfo for the cgroup hierarchies")
                      : 0;
}

const struct husk_cgroup_hierarchy *husk_cgroup_hierarchies(size_t *n) {
  if (!detected)
    detect();
  *n = n_hierarchies;
  return hierarchies;
}

char *husk_cgroup_of(pid_t pid) {
  _cleanup_free_ char *file = pid ? xasprintf("/proc/%d/cgroup", (int)pid) : xstrdup("/proc/self/cgroup");
  _cleanup_free_ char *text = NULL;
  if (read_file(file, &text, NULL, 0, NULL) < 0)
    return NULL;
  char *first = NULL;
  for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
    char *c1 = strchr(line, ':');
    char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
    if (c2 == NULL)
      continue;
    if (str_has_prefix(line, "0::"))
      return xstrdup(c2 + 1);
    if (first == NULL && strstr(c1, "name=systemd"))
      first = c2 + 1;
  }
  return xstrdup(first ? first : "/");
}

/* husk's own cgroup ("/" when it cannot be read). */
static char *own_cgroup(void) {
  char *own = husk_cgroup_of(0);
  return own ? own : xstrdup("/");
}

int husk_cgroup_resolve_path(const char *config_path, const char *id, char **out,
                             struct husk_error **err) {
  _cleanup_free_ char *path = NULL;
  if (config_path == NULL || config_path[0] == '\0')
    path = xasprintf("%s/%s", HUSK_CGROUP_DEFAULT_PARENT, id);
  else if (config_path[0] == '/')
    path = xstrdup(config_path);
  else {
    _cleanup_free_ char *own = own_cgroup();
    path = xasprintf("%s/%s", strcmp(own, "/") == 0 ? "" : own, config_path);
  }
  /* Refuse ".." so the path cannot leave the hierarchy's root. */
  for (const char *p = path; (p = strstr(p, "..")) != NULL; p += 2) {
    bool start = p == path || p[-1] == '/';
    bool end = p[2] == '\0' || p[2] == '/';
    if (start && end)
      return husk_fail(err, 0, "linux.cgroupsPath \"%s\": must not contain \"..\"", config_path);
  }
  /* Trim trailing slashes; "/" alone would be the root cgroup. */
  size_t len = strlen(path);
  while (len > 1 && path[len - 1] == '/')
    path[--len] = '\0';
  if (strcmp(path, "/") == 0)
    return husk_fail(err, 0, "linux.cgroupsPath \"%s\": the root cgroup cannot be a container's", config_path);
  *out = steal_pointer(&path);
  return 0;
}

static char *dir_of(const struct husk_cgroup_hierarchy *h, const char *path) {
  return xasprintf("%s%s", h->mountpoint, path);
}

/* A new v1 cpuset cgroup starts with empty cpus and mems, and refuses
 * processes until they are set: copy them down from the parent, level by
 * level. */
static int cpuset_inherit(const char *mountpoint, const char *path, struct husk_error **err) {
  static const char *files[] = {"cpuset.cpus", "cpuset.mems"};
  _cleanup_free_ char *prefix = xstrdup(path);
  /* For "/a/b/c": "/a", then "/a/b", then "/a/b/c". */
  for (char *p = prefix + 1;; p++) {
    bool end = *p == '\0';
    if (!end && *p != '/')
      continue;
    *p = '\0';
    char *slash = strrchr(prefix, '/');
    _cleanup_free_ char *parent = xasprintf("%s%.*s", mountpoint, (int)(slash - prefix), prefix);
    for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
      _cleanup_free_ char *file = xasprintf("%s%s/%s", mountpoint, prefix, files[i]);
      _cleanup_free_ char *mine = NULL, *value = NULL, *parent_file = NULL;
      if (read_file(file, &mine, NULL, 0, NULL) < 0 || (mine[0] != '\n' && mine[0] != '\0'))
        continue;
      parent_file = xasprintf("%s/%s", parent, files[i]);
      if (read_file(parent_file, &value, NULL, 0, err) < 0 ||
          write_file_at(AT_FDCWD, file, value, strlen(value), err) < 0)
        return -EIO;
    }
    if (end)
      break;
    *p = '/';
  }
  return 0;
}

/* Whether `word` is one of the items of `list` separated by any of `seps`. */
static bool has_item(const char *list, const char *word, const char *seps) {
  size_t len = strlen(word);
  for (const char *p = list; *p;) {
    size_t n = strcspn(p, seps);
    if (n == len && strncmp(p, word, len) == 0)
      return true;
    p += n;
    p += strspn(p, seps);
  }
  return false;
}

bool husk_cgroup_hierarchy_has(const struct husk_cgroup_hierarchy *h, const char *controller) {
  return !h->v2 && has_item(h->controllers, controller, ",");
}

char *husk_cgroup_v1_dir(const char *controller, const char *path) {
  size_t n;
  const struct husk_cgroup_hierarchy *hs = husk_cgroup_hierarchies(&n);
  for (size_t i = 0; i < n; i++)
    if (husk_cgroup_hierarchy_has(&hs[i], controller))
      return dir_of(&hs[i], path);
  return NULL;
}

char *husk_cgroup_v2_dir(const char *path) {
  size_t n;
  const struct husk_cgroup_hierarchy *hs = husk_cgroup_hierarchies(&n);
  for (size_t i = 0; i < n; i++)
    if (hs[i].v2)
      return dir_of(&hs[i], path);
  return NULL;
}

bool husk_cgroup_v2_has_controller(const char *dir, const char *controller) {
  _cleanup_free_ char *file = xasprintf("%s/cgroup.controllers", dir);
  _cleanup_free_ char *text = NULL;
  return read_file(file, &text, NULL, 0, NULL) == 0 && has_item(text, controller, " \n");
}

/* cgroup2 gives a child a controller only when its parent lists it in
 * cgroup.subtree_control. Enable, in each ancestor from the first level
 * below the root down to the container's parent, every controller that
 * ancestor has. The root's own subtree_control is the host's business.
 *
 * An ancestor that holds processes of its own (a login session's scope
 * when cgroupsPath is relative) is left alone: the kernel refuses domain
 * controllers there (EBUSY) but accepts the threaded ones (cpu, cpuset,
 * pids), and that would turn it into a thread root under which no domain
 * cgroup can take a process (EOPNOTSUPP on cgroup.procs). The container
 * then runs without the controllers that ancestor did not pass down. */
static void v2_enable_controllers(const char *mountpoint, const char *path) {
  _cleanup_free_ char *prefix = xstrdup(path);
  for (char *p = prefix + 1; (p = strchr(p, '/')) != NULL; *p++ = '/') {
    *p = '\0';
    _cleanup_free_ char *dir = xasprintf("%s%s", mountpoint, prefix);
    _cleanup_free_ char *avail_file = xasprintf("%s/cgroup.controllers", dir);
    _cleanup_free_ char *ctl_file = xasprintf("%s/cgroup.subtree_control", dir);
    _cleanup_free_ char *procs_file = xasprintf("%s/cgroup.procs", dir);
    _cleanup_free_ char *avail = NULL, *enabled = NULL, *procs = NULL;
    if (read_file(avail_file, &avail, NULL, 0, NULL) < 0 ||
        read_file(ctl_file, &enabled, NULL, 0, NULL) < 0)
      continue;
    if (read_file(procs_file, &procs, NULL, 0, NULL) == 0 && procs[0] != '\0') {
      husk_debug("cgroup: not enabling controllers in %s: it has processes of its own, and "
                 "cgroup v2 does not let its children have controllers then",
                 dir);
      continue;
    }
    char *save = NULL;
    for (char *c = strtok_r(avail, " \n", &save); c; c = strtok_r(NULL, " \n", &save)) {
      if (has_item(enabled, c, " \n"))
        continue;
      _cleanup_free_ char *item = xasprintf("+%s", c);
      int e = -write_file_at(AT_FDCWD, ctl_file, item, strlen(item), NULL);
      if (e != 0)
        husk_debug("cgroup: cannot enable %s in %s: %s", c, ctl_file, strerror(e));
    }
  }
}

/* mkdir every missing level of `path` under a hierarchy; *created gets the
 * depth (in components) of the first level made here, if it is shallower.
 * A level that vanishes meanwhile (another container's delete removing a
 * parent it made) is made again. */
static int make_levels(const char *mountpoint, const char *path, size_t *created,
                       struct husk_error **err) {
  for (int attempt = 0;; attempt++) {
    _cleanup_free_ char *dir = xasprintf("%s%s", mountpoint, path);
    char *level = dir + strlen(mountpoint);
    size_t depth = 0;
    int e = 0;
    for (char *p = level + 1;; p++) {
      bool end = *p == '\0';
      if (!end && *p != '/')
        continue;
      *p = '\0';
      depth++;
      if (mkdir(dir, 0755) == 0) {
        if (depth < *created)
          *created = depth;
      } else if (errno != EEXIST) {
        e = errno;
        break;
      }
      if (end)
        break;
      *p = '/';
    }
    if (e == 0)
      return 0;
    if (e != ENOENT || attempt == 4)
      return husk_fail(err, e, "mkdir %s", dir);
  }
}

/* The first `depth` components of `path`, "" for 0. */
static char *path_prefix(const char *path, size_t depth) {
  const char *p = path;
  for (size_t d = 0; d < depth && *p; d++) {
    p = strchr(p + 1, '/');
    if (p == NULL)
      return xstrdup(path);
  }
  return strndup(path, (size_t)(p - path));
}

int husk_cgroup_create(const char *path, char **owned_from, struct husk_error **err) {
  size_t n;
  const struct husk_cgroup_hierarchy *hs = husk_cgroup_hierarchies(&n);
  size_t created = SIZE_MAX;
  *owned_from = NULL;
  for (size_t i = 0; i < n; i++) {
    if (make_levels(hs[i].mountpoint, path, &created, err) < 0 ||
        (!hs[i].v2 && strcmp(hs[i].controllers, "cpuset") == 0 &&
         cpuset_inherit(hs[i].mountpoint, path, err) < 0)) {
      _cleanup_free_ char *owned = created == SIZE_MAX ? NULL : path_prefix(path, created);
      husk_cgroup_destroy(path, owned, NULL);
      return -EIO;
    }
    if (hs[i].v2)
      v2_enable_controllers(hs[i].mountpoint, path);
  }
  if (created != SIZE_MAX)
    *owned_from = path_prefix(path, created);
  return 0;
}

void husk_cgroup_enable_controllers(const char *path) {
  size_t n;
  const struct husk_cgroup_hierarchy *hs = husk_cgroup_hierarchies(&n);
  for (size_t i = 0; i < n; i++)
    if (hs[i].v2)
      v2_enable_controllers(hs[i].mountpoint, path);
}

int husk_cgroup_enter_v2(const char *path, pid_t pid, struct husk_error **err) {
  size_t n;
  const struct husk_cgroup_hierarchy *hs = husk_cgroup_hierarchies(&n);
  char buf[32];
  int len = snprintf(buf, sizeof(buf), "%d", (int)pid);
  for (size_t i = 0; i < n; i++) {
    if (!hs[i].v2)
      continue;
    _cleanup_free_ char *procs = xasprintf("%s%s/cgroup.procs", hs[i].mountpoint, path);
    if (write_file_at(AT_FDCWD, procs, buf, (size_t)len, err) < 0)
      return -EIO;
  }
  return 0;
}

int husk_cgroup_open_v1_tasks(const char *path, const struct husk_cgroup_sub *sub,
                              struct husk_cgroup_v1_tasks *t, struct husk_error **err) {
  size_t n;
  const struct husk_cgroup_hierarchy *hs = husk_cgroup_hierarchies(&n);
  t->fds = xmalloc0(sizeof(int) * (n ? n : 1));
  t->files = xmalloc0(sizeof(char *) * (n ? n : 1));
  t->n = 0;
  for (size_t i = 0; i < n; i++) {
    if (hs[i].v2)
      continue;
    _cleanup_free_ char *cgroup = sub ? husk_cgroup_sub_path(sub, &hs[i], path) : xstrdup(path);
    char *tasks = xasprintf("%s%s/tasks", hs[i].mountpoint, cgroup);
    int fd = open(tasks, O_WRONLY | O_CLOEXEC);
    if (fd < 0) {
      int e = errno;
      husk_cgroup_close_v1_tasks(t);
      husk_fail(err, e, "open %s", tasks);
      free(tasks);
      return -e;
    }
    t->fds[t->n] = fd;
    t->files[t->n++] = tasks;
  }
  return 0;
}

int husk_cgroup_join_v1(struct husk_cgroup_v1_tasks *t, struct husk_error **err) {
  int r = 0;
  for (size_t i = 0; i < t->n && r == 0; i++)
    if (write(t->fds[i], "0", 1) != 1)
      r = husk_fail(err, errno, "join the container's cgroup: write %s", t->files[i]);
  husk_cgroup_close_v1_tasks(t);
  return r;
}

void husk_cgroup_close_v1_tasks(struct husk_cgroup_v1_tasks *t) {
  for (size_t i = 0; i < t->n; i++) {
    close(t->fds[i]);
    free(t->files[i]);
  }
  free(t->fds);
  free(t->files);
  t->fds = NULL;
  t->files = NULL;
  t->n = 0;
}

/* Call fn for each pid listed in cgroup.procs of every hierarchy. */
static int for_each_pid(const char *path, int (*fn)(pid_t, void *), void *data) {
  size_t n;
  const struct husk_cgroup_hierarchy *hs = husk_cgroup_hierarchies(&n);
  int found = 0;
  for (size_t i = 0; i < n; i++) {
    _cleanup_free_ char *procs = xasprintf("%s%s/cgroup.procs", hs[i].mountpoint, path);
    _cleanup_free_ char *text = NULL;
    if (read_file(procs, &text, NULL, 0, NULL) < 0)
      continue;
    for (char *tok = strtok(text, "\n"); tok; tok = strtok(NULL, "\n")) {
      pid_t pid = (pid_t)atoi(tok);
      if (pid > 0) {
        found++;
        if (fn && fn(pid, data) < 0)
          return -1;
      }
    }
    if (found)
      break; /* every hierarchy holds the same processes */
  }
  return found;
}

static int kill_one(pid_t pid, void *data) {
  kill(pid, *(int *)data);
  return 0;
}

/* cgroup.kill (Linux 5.14) kills atomically, even processes forking. */
static bool kill_v2(const char *path) {
  size_t n;
  const struct husk_cgroup_hierarchy *hs = husk_cgroup_hierarchies(&n);
  for (size_t i = 0; i < n; i++) {
    if (!hs[i].v2)
      continue;
    _cleanup_free_ char *file = xasprintf("%s%s/cgroup.kill", hs[i].mountpoint, path);
    if (write_file_at(AT_FDCWD, file, "1", 1, NULL) == 0)
      return true;
  }
  return false;
}

int husk_cgroup_kill(const char *path, int sig, struct husk_error **err) {
  (void)err;
  if (sig != SIGKILL || !kill_v2(path))
    for_each_pid(path, kill_one, &sig);
  /* v1 frozen tasks keep a SIGKILL pending until thawed (v2 ones die). */
  bool v2;
  _cleanup_free_ char *freezer = sig == SIGKILL ? husk_cgroup_freezer_file(path, &v2) : NULL;
  if (freezer && !v2 && husk_cgroup_is_frozen(path))
    write_file_at(AT_FDCWD, freezer, "THAWED", 6, NULL);
  return 0;
}

bool husk_cgroup_has_processes(const char *path) { return for_each_pid(path, NULL, NULL) > 0; }

char *husk_cgroup_freezer_file(const char *path, bool *v2) {
  char *dir = NULL;
  *v2 = false;
  if (husk_cgroup_mode() != HUSK_CGROUP_V2 && (dir = husk_cgroup_v1_dir("freezer", path))) {
    char *file = xasprintf("%s/freezer.state", dir);
    free(dir);
    return file;
  }
  if ((dir = husk_cgroup_v2_dir(path)) == NULL)
    return NULL;
  *v2 = true;
  char *file = xasprintf("%s/cgroup.freeze", dir);
  free(dir);
  return file;
}

bool husk_cgroup_is_frozen(const char *path) {
  bool v2;
  _cleanup_free_ char *file = husk_cgroup_freezer_file(path, &v2);
  _cleanup_free_ char *text = NULL;
  if (file == NULL || read_file(file, &text, NULL, 64, NULL) < 0)
    return false;
  /* v1 FREEZING counts: a freeze that failed half-way is thawed again. */
  return v2 ? text[0] == '1' : str_has_prefix(text, "FROZEN");
}

/* rmdir a cgroup after its children, depth first. A cgroup whose last
 * process just died can be busy for a moment. */
static int remove_tree(const char *dir, struct husk_error **err) {
  if (rmdir(dir) == 0 || errno == ENOENT)
    return 0; /* the common case: no children, no processes */
  DIR *d = opendir(dir);
  if (d == NULL)
    return errno == ENOENT ? 0 : husk_fail(err, errno, "open cgroup %s", dir);
  int ret = 0;
  struct dirent *de;
  while ((de = readdir(d)) != NULL) {
    if (de->d_type != DT_DIR || strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
      continue;
    _cleanup_free_ char *sub = xasprintf("%s/%s", dir, de->d_name);
    if (remove_tree(sub, err) < 0)
      ret = -EIO;
  }
  closedir(d);
  if (ret < 0)
    return ret;
  for (int attempt = 0;; attempt++) {
    if (rmdir(dir) == 0 || errno == ENOENT)
      return 0;
    if (errno != EBUSY || attempt == 199)
      return husk_fail(err, errno, "remove cgroup %s", dir);
    struct timespec ts = {0, 5 * 1000 * 1000};
    nanosleep(&ts, NULL);
  }
}

int husk_cgroup_destroy(const char *path, const char *owned_from, struct husk_error **err) {
  if (husk_cgroup_detect_error(err) < 0)
    return -EIO;
  size_t n;
  const struct husk_cgroup_hierarchy *hs = husk_cgroup_hierarchies(&n);
  int ret = 0;
  for (size_t i = 0; i < n; i++) {
    _cleanup_free_ char *dir = dir_of(&hs[i], path);
    if (remove_tree(dir, err) < 0)
      ret = -EIO;
  }
  if (ret < 0)
    return ret;
  /* The parents this container made, and husk's own default parent, go
   * with it once empty; rmdir leaves any still in use by others. */
  _cleanup_free_ char *parent = xstrdup(path);
  for (char *slash = strrchr(parent, '/'); slash && slash != parent; slash = strrchr(parent, '/')) {
    *slash = '\0';
    bool owned = owned_from && owned_from[0] && strlen(parent) >= strlen(owned_from) &&
                 str_has_prefix(parent, owned_from);
    if (!owned && strcmp(parent, HUSK_CGROUP_DEFAULT_PARENT) != 0)
      break;
    for (size_t i = 0; i < n; i++) {
      _cleanup_free_ char *dir = dir_of(&hs[i], parent);
      rmdir(dir);
    }
  }
  return 0;
}
