/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "state.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#include "cgroup.h"
#include "spec.h"
#include "utils.h"

const char *husk_status_name(enum husk_status status) {
  switch (status) {
  case HUSK_STATUS_CREATING:
    return "creating";
  case HUSK_STATUS_CREATED:
    return "created";
  case HUSK_STATUS_RUNNING:
    return "running";
  case HUSK_STATUS_PAUSED:
    return "paused";
  default:
    return "stopped";
  }
}

/* As runc: $XDG_RUNTIME_DIR is the place for a user's containers, also when
 * that user is root only inside a user namespace (rootless podman runs the
 * runtime so), unless $USER says the real root. */
char *husk_default_root(void) {
  const char *xdg = getenv("XDG_RUNTIME_DIR");
  bool has_xdg = xdg && xdg[0];
  if (geteuid() == 0) {
    const char *user = getenv("USER");
    if (!has_xdg || (user && strcmp(user, "root") == 0) || !husk_in_user_namespace())
      return xstrdup("/run/husk");
  }
  if (has_xdg)
    return xasprintf("%s/husk", xdg);
  return xasprintf("/tmp/husk-%u", (unsigned)geteuid());
}

int husk_validate_id(const char *id, struct husk_error **err) {
  if (id == NULL || id[0] == '\0')
    return husk_fail(err, 0, "invalid container id \"\": it must not be empty");
  if (strcmp(id, ".") == 0 || strcmp(id, "..") == 0)
    return husk_fail(err, 0, "invalid container id \"%s\"", id);
  /* It names the state directory, and the container's own cgroup. */
  if (strlen(id) > NAME_MAX)
    return husk_fail(err, 0, "invalid container id: %zu characters long, the most is %d",
                     strlen(id), NAME_MAX);
  /* Other commands would take it for an option. */
  if (id[0] == '-')
    return husk_fail(err, 0, "invalid container id \"%s\": it must not start with '-'", id);
  for (const char *p = id; *p; p++) {
    char c = *p;
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '+' || c == '-' || c == '.';
    if (!ok)
      return husk_fail(err, 0,
                       "invalid container id \"%s\": only letters, digits and _+-. are allowed",
                       id);
  }
  return 0;
}

int husk_state_dir_create(const char *root, const char *id, struct husk_error **err) {
  if (mkdir_p(root, 0700, err) < 0)
    return -errno;
  _cleanup_close_ int rootfd = open(root, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
  if (rootfd < 0)
    return husk_fail(err, errno, "open state root %s", root);
  if (mkdirat(rootfd, id, 0700) < 0) {
    if (errno == EEXIST)
      return husk_fail(err, 0, "container \"%s\" already exists", id);
    return husk_fail(err, errno, "create state directory %s/%s", root, id);
  }
  int fd = openat(rootfd, id, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    int e = errno;
    unlinkat(rootfd, id, AT_REMOVEDIR);
    return husk_fail(err, e, "open state directory %s/%s", root, id);
  }
  /* Unlocked, a start or delete could act on the container while it is
   * being made. */
  if (flock(fd, LOCK_EX) < 0) {
    int e = errno;
    close(fd);
    unlinkat(rootfd, id, AT_REMOVEDIR);
    return husk_fail(err, e, "lock state directory %s/%s", root, id);
  }
  return fd;
}

int husk_state_dir_open(const char *root, const char *id, bool lock, struct husk_error **err) {
  if (husk_validate_id(id, err) < 0)
    return -EINVAL;
  _cleanup_free_ char *path = xasprintf("%s/%s", root, id);
  int fd = open(path, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) {
      husk_fail(err, 0, "container \"%s\" does not exist", id);
      return -ENOENT;
    }
    return husk_fail(err, errno, "open %s", path);
  }
  if (lock && flock(fd, LOCK_EX) < 0) {
    int e = errno;
    close(fd);
    return husk_fail(err, e, "lock %s", path);
  }
  return fd;
}

bool husk_state_dir_is_current(int atfd, const char *name, int dirfd) {
  struct stat named, open;
  return fstatat(atfd, name, &named, AT_SYMLINK_NOFOLLOW) == 0 && fstat(dirfd, &open) == 0 &&
         named.st_dev == open.st_dev && named.st_ino == open.st_ino;
}

/* Unlink what the open directory holds, with no fd or heap of its own: this
 * also runs when a create failed for want of either. Read again from the
 * start until a pass removes nothing, so removal while reading skips none. */
static void empty_dir(int fd) {
  char buf[4096] __attribute__((aligned(8)));
  bool removed = true;
  while (removed && lseek(fd, 0, SEEK_SET) == 0) {
    removed = false;
    ssize_t n;
    while ((n = getdents64(fd, buf, sizeof(buf))) > 0) {
      for (ssize_t off = 0; off < n;) {
        struct dirent64 *de = (struct dirent64 *)(buf + off);
        off += de->d_reclen;
        if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0 &&
            unlinkat(fd, de->d_name, 0) == 0)
          removed = true;
      }
    }
  }
}

int husk_state_dir_remove(const char *root, const char *id, int dirfd, struct husk_error **err) {
  _cleanup_free_ char *named = xasprintf("%s/%s", root, id);
  /* First move it out of the way, in one step: a reader that opened it
   * before sees it gone (husk_state_dir_is_current) rather than take the
   * emptying directory for a container being created. (list skips the
   * hidden name.) In place should that fail. */
  _cleanup_free_ char *away = xasprintf("%s/.deleting-%d", root, (int)getpid());
  const char *path =
      renameat2(AT_FDCWD, named, AT_FDCWD, away, RENAME_NOREPLACE) == 0 ? away : named;
  _cleanup_close_ int opened = -1;
  int ret = 0;
  if (dirfd < 0)
    dirfd = opened = open(path, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
  if (dirfd < 0) {
    if (errno == ENOENT)
      return 0;
    ret = husk_fail(err, errno, "open %s", path);
  } else {
    empty_dir(dirfd);
    if (rmdir(path) < 0 && errno != ENOENT)
      ret = husk_fail(err, errno, "remove %s", named);
  }
  /* Failed: back under its name, for a later delete to finish the job
   * (nothing looks at a .deleting-PID name again). */
  if (ret < 0 && path == away)
    renameat2(AT_FDCWD, away, AT_FDCWD, named, RENAME_NOREPLACE);
  return ret;
}

/* ---- state.json ---- */

static void gen_str(yajl_gen g, const char *s) {
  yajl_gen_string(g, (const unsigned char *)s, strlen(s));
}

static void gen_kv(yajl_gen g, const char *key, const char *value) {
  gen_str(g, key);
  gen_str(g, value ? value : "");
}

static void gen_annotations(yajl_gen g, const struct husk_kv_list *a) {
  if (a->len == 0)
    return; /* optional, and omitted when empty as runc does */
  gen_str(g, "annotations");
  yajl_gen_map_open(g);
  for (size_t i = 0; i < a->len; i++)
    gen_kv(g, a->keys[i], a->values[i]);
  yajl_gen_map_close(g);
}

static char *gen_finish(yajl_gen g) {
  const unsigned char *buf;
  size_t len;
  yajl_gen_get_buf(g, &buf, &len);
  char *out = malloc(len + 2);
  if (out) {
    memcpy(out, buf, len);
    out[len] = '\n';
    out[len + 1] = '\0';
  }
  yajl_gen_free(g);
  return out;
}

int husk_state_write(int dirfd, const struct husk_state *st, struct husk_error **err) {
  yajl_gen g = yajl_gen_alloc(NULL);
  yajl_gen_map_open(g);
  gen_kv(g, "ociVersion", HUSK_OCI_VERSION);
  gen_kv(g, "id", st->id);
  gen_str(g, "pid");
  yajl_gen_integer(g, st->pid);
  gen_str(g, "pidStartTime");
  yajl_gen_integer(g, (long long)st->pid_start_time);
  gen_kv(g, "bundle", st->bundle);
  gen_kv(g, "rootfs", st->rootfs);
  gen_kv(g, "created", st->created);
  gen_kv(g, "owner", st->owner);
  gen_kv(g, "cgroupPath", st->cgroup_path);
  gen_kv(g, "cgroupOwnedFrom", st->cgroup_owned_from);
  gen_str(g, "newPidNamespace");
  yajl_gen_bool(g, st->new_pid_ns);
  gen_str(g, "systemdCgroup");
  yajl_gen_bool(g, st->systemd_cgroup);
  gen_kv(g, "cgroupManager", st->cgroup_manager);
  gen_kv(g, "systemdUnit", st->systemd_unit);
  gen_kv(g, "systemdSlice", st->systemd_slice);
  gen_str(g, "systemdUser");
  yajl_gen_bool(g, st->systemd_user);
  gen_str(g, "hasHooks");
  yajl_gen_bool(g, st->has_hooks);
  gen_annotations(g, &st->annotations);
  yajl_gen_map_close(g);
  _cleanup_free_ char *text = gen_finish(g);
  if (text == NULL)
    return husk_fail(err, ENOMEM, "write state.json");
  return write_file_atomic_at(dirfd, HUSK_STATE_FILE, text, strlen(text), 0600, err);
}

static char *tree_str(yajl_val root, const char *key) {
  const char *path[] = {key, NULL};
  yajl_val v = yajl_tree_get(root, path, yajl_t_string);
  return xstrdup(v ? YAJL_GET_STRING(v) : "");
}

static long long tree_int(yajl_val root, const char *key) {
  const char *path[] = {key, NULL};
  yajl_val v = yajl_tree_get(root, path, yajl_t_number);
  return v && YAJL_IS_INTEGER(v) ? YAJL_GET_INTEGER(v) : 0;
}

static bool tree_bool(yajl_val root, const char *key) {
  const char *path[] = {key, NULL};
  yajl_val v = yajl_tree_get(root, path, yajl_t_any);
  return v && YAJL_IS_TRUE(v);
}

int husk_state_read(int dirfd, struct husk_state *st, struct husk_error **err) {
  _cleanup_free_ char *text = NULL;
  memset(st, 0, sizeof(*st));
  struct husk_error *read_err = NULL;
  if (read_file_at(dirfd, HUSK_STATE_FILE, &text, NULL, 1 << 24, &read_err) < 0) {
    /* Not written yet, or (by a delete) removed since the directory was opened. */
    bool missing = read_err && read_err->errno_ == ENOENT;
    if (!missing && err && *err == NULL)
      *err = read_err;
    else
      husk_error_free(read_err);
    return missing ? -ENOENT : -EIO;
  }
  char ebuf[256];
  yajl_val root = yajl_tree_parse(text, ebuf, sizeof(ebuf));
  if (root == NULL || !YAJL_IS_OBJECT(root)) {
    yajl_tree_free(root);
    return husk_fail(err, 0, "state.json is corrupt");
  }
  st->id = tree_str(root, "id");
  st->pid = (pid_t)tree_int(root, "pid");
  st->pid_start_time = (uint64_t)tree_int(root, "pidStartTime");
  st->bundle = tree_str(root, "bundle");
  st->rootfs = tree_str(root, "rootfs");
  st->created = tree_str(root, "created");
  st->owner = tree_str(root, "owner");
  st->cgroup_path = tree_str(root, "cgroupPath");
  st->cgroup_owned_from = tree_str(root, "cgroupOwnedFrom");
  st->new_pid_ns = tree_bool(root, "newPidNamespace");
  st->systemd_cgroup = tree_bool(root, "systemdCgroup");
  st->cgroup_manager = tree_str(root, "cgroupManager");
  st->systemd_unit = tree_str(root, "systemdUnit");
  st->systemd_slice = tree_str(root, "systemdSlice");
  st->systemd_user = tree_bool(root, "systemdUser");
  st->has_hooks = tree_bool(root, "hasHooks");
  const char *apath[] = {"annotations", NULL};
  yajl_val ann = yajl_tree_get(root, apath, yajl_t_object);
  if (ann) {
    size_t n = YAJL_GET_OBJECT(ann)->len;
    st->annotations.keys = xmalloc0(sizeof(char *) * (n + 1));
    st->annotations.values = xmalloc0(sizeof(char *) * (n + 1));
    for (size_t i = 0; i < n; i++) {
      yajl_val v = YAJL_GET_OBJECT(ann)->values[i];
      st->annotations.keys[i] = xstrdup(YAJL_GET_OBJECT(ann)->keys[i]);
      st->annotations.values[i] = xstrdup(YAJL_IS_STRING(v) ? YAJL_GET_STRING(v) : "");
    }
    st->annotations.len = n;
  }
  yajl_tree_free(root);
  return 0;
}

void husk_state_clear(struct husk_state *st) {
  free(st->id);
  free(st->bundle);
  free(st->rootfs);
  free(st->created);
  free(st->owner);
  free(st->cgroup_path);
  free(st->cgroup_owned_from);
  free(st->cgroup_manager);
  free(st->systemd_unit);
  free(st->systemd_slice);
  for (size_t i = 0; i < st->annotations.len; i++) {
    free(st->annotations.keys[i]);
    free(st->annotations.values[i]);
  }
  free(st->annotations.keys);
  free(st->annotations.values);
  memset(st, 0, sizeof(*st));
}

void husk_state_borrow_annotations(struct husk_state *st, const struct oci_kv *kv, size_t n) {
  st->annotations.len = n;
  st->annotations.keys = xmalloc0(sizeof(char *) * (n + 1));
  st->annotations.values = xmalloc0(sizeof(char *) * (n + 1));
  for (size_t i = 0; i < n; i++) {
    st->annotations.keys[i] = kv[i].key;
    st->annotations.values[i] = kv[i].value;
  }
}

void husk_state_return_annotations(struct husk_state *st) {
  free(st->annotations.keys);
  free(st->annotations.values);
  st->annotations.keys = st->annotations.values = NULL;
  st->annotations.len = 0;
}

uint64_t husk_pid_start_time(pid_t pid) {
  char path[64], buf[1024];
  snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return 0;
  ssize_t n = read(fd, buf, sizeof(buf) - 1);
  close(fd);
  if (n <= 0)
    return 0;
  buf[n] = '\0';
  /* The command name may hold spaces and parentheses: parse after the last ')'. */
  char *p = strrchr(buf, ')');
  if (p == NULL)
    return 0;
  p += 2; /* field 3, the state */
  if (*p == 'Z' || *p == 'X')
    return 0;
  for (int field = 3; field < 22 && p; field++) {
    p = strchr(p, ' ');
    if (p)
      p++;
  }
  return p ? strtoull(p, NULL, 10) : 0;
}

enum husk_status husk_state_status(int dirfd, const struct husk_state *st) {
  if (st->pid == 0)
    return HUSK_STATUS_CREATING; /* state.json is written before the clone */
  /* The fifo before the init: a delete removes the fifo only once the init
   * is dead, so a created container being deleted never reads as running
   * (its init still alive here, its fifo gone by the time we looked). */
  bool has_fifo = faccessat(dirfd, HUSK_EXEC_FIFO, F_OK, AT_SYMLINK_NOFOLLOW) == 0;
  if (st->pid <= 0 || husk_pid_start_time(st->pid) != st->pid_start_time)
    return HUSK_STATUS_STOPPED;
  /* Frozen first: a created container can be paused too (as runc). */
  if (st->cgroup_path && st->cgroup_path[0] && husk_cgroup_is_frozen(st->cgroup_path))
    return HUSK_STATUS_PAUSED;
  return has_fifo ? HUSK_STATUS_CREATED : HUSK_STATUS_RUNNING;
}

char *husk_state_to_oci_json(const struct husk_state *st, enum husk_status status) {
  yajl_gen g = yajl_gen_alloc(NULL);
  yajl_gen_config(g, yajl_gen_beautify, 1);
  yajl_gen_config(g, yajl_gen_indent_string, "  ");
  yajl_gen_map_open(g);
  gen_kv(g, "ociVersion", HUSK_OCI_VERSION);
  gen_kv(g, "id", st->id);
  gen_kv(g, "status", husk_status_name(status));
  gen_str(g, "pid");
  yajl_gen_integer(g, status == HUSK_STATUS_STOPPED ? 0 : st->pid);
  gen_kv(g, "bundle", st->bundle);
  gen_kv(g, "rootfs", st->rootfs);
  gen_kv(g, "created", st->created);
  gen_kv(g, "owner", st->owner);
  gen_annotations(g, &st->annotations);
  yajl_gen_map_close(g);
  return gen_finish(g);
}
