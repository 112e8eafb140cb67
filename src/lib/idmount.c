/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "idmount.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "linux-abi.h"
#include "utils.h"


static bool has_option(const struct oci_mount *m, const char *opt) {
  for (size_t i = 0; i < m->options_len; i++)
    if (strcmp(m->options[i], opt) == 0)
      return true;
  return false;
}

bool husk_mount_is_idmapped(const struct oci_mount *m) {
  return m->uid_mappings_len || m->gid_mappings_len || has_option(m, "idmap") ||
         has_option(m, "ridmap");
}

static int write_map(pid_t pid, const char *file, const struct oci_id_mapping *map, size_t n,
                     struct husk_error **err) {
  _cleanup_free_ char *text = xstrdup("");
  for (size_t i = 0; i < n; i++) {
    char *next = xasprintf("%s%u %u %u\n", text, map[i].container_id, map[i].host_id, map[i].size);
    free(text);
    text = next;
  }
  _cleanup_free_ char *path = xasprintf("/proc/%d/%s", (int)pid, file);
  if (write_file_at(AT_FDCWD, path, text, strlen(text), NULL) < 0)
    return husk_fail(err, errno, "idmapped mount: write %s", path);
  return 0;
}

/* A user namespace with these maps, kept alive by its fd: a child enters it
 * and waits on a pipe while we write the maps and open it. */
static int make_userns(const struct oci_id_mapping *uid, size_t nu, const struct oci_id_mapping *gid,
                       size_t ng, struct husk_error **err) {
  int pipefd[2];
  if (pipe2(pipefd, O_CLOEXEC) < 0)
    return husk_fail(err, errno, "idmapped mount: pipe");
  pid_t pid = husk_clone_flags(CLONE_NEWUSER | SIGCHLD);
  if (pid == 0) {
    char c;
    close(pipefd[1]);
    (void)!read(pipefd[0], &c, 1);
    _exit(0);
  }
  close(pipefd[0]);
  if (pid < 0) {
    close(pipefd[1]);
    return husk_fail(err, errno, "idmapped mount: create a user namespace");
  }
  int fd = -1;
  if (write_map(pid, "uid_map", uid, nu, err) == 0 && write_map(pid, "gid_map", gid, ng, err) == 0) {
    _cleanup_free_ char *path = xasprintf("/proc/%d/ns/user", (int)pid);
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
      husk_fail(err, errno, "idmapped mount: open %s", path);
  }
  close(pipefd[1]);
  waitpid(pid, NULL, 0);
  return fd < 0 ? -EIO : fd;
}

/* The source tree, cloned and idmapped here: mount_setattr(MOUNT_ATTR_IDMAP)
 * needs CAP_SYS_ADMIN where the filesystem was mounted, which the init,
 * in a user namespace of its own, lacks. */
static int idmapped_tree(const char *source, int userns_fd, bool recursive, const char *dest,
                         struct husk_error **err) {
  int tree = (int)syscall(SYS_open_tree, AT_FDCWD, source,
                          OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (recursive ? AT_RECURSIVE : 0));
  if (tree < 0)
    return husk_fail(err, errno, "idmapped mount %s: open_tree %s (Linux 5.12 or later is needed)",
                     dest, source);
  struct mount_attr attr = {.attr_set = MOUNT_ATTR_IDMAP, .userns_fd = (uint64_t)userns_fd};
  if (syscall(SYS_mount_setattr, tree, "", AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0), &attr,
              sizeof(attr)) < 0) {
    int e = errno;
    close(tree);
    return husk_fail(err, e, "idmapped mount %s: the filesystem of %s cannot be idmapped", dest,
                     source);
  }
  return tree;
}

int husk_idmount_prepare(const struct oci_config *c, const char *bundle, int **fds,
                         struct husk_error **err) {
  *fds = NULL;
  const struct oci_linux *l = c->linux_;
  for (size_t i = 0; i < c->mounts_len; i++) {
    const struct oci_mount *m = &c->mounts[i];
    if (!husk_mount_is_idmapped(m))
      continue;
    bool bind = (m->type && strcmp(m->type, "bind") == 0) || has_option(m, "bind") ||
                has_option(m, "rbind") || has_option(m, "ridmap");
    int r = 0;
    if (!bind || m->source == NULL)
      r = husk_fail(err, 0, "mounts[%zu] %s: only bind mounts can be idmapped", i, m->destination);
    /* "idmap" alone: the container's own user namespace mapping. */
    const struct oci_id_mapping *uid = m->uid_mappings, *gid = m->gid_mappings;
    size_t nu = m->uid_mappings_len, ng = m->gid_mappings_len;
    if (nu == 0 && ng == 0 && l) {
      uid = l->uid_mappings, nu = l->uid_mappings_len;
      gid = l->gid_mappings, ng = l->gid_mappings_len;
    }
    if (r == 0 && (nu == 0 || ng == 0))
      r = husk_fail(err, 0,
                    "mounts[%zu] %s: an idmapped mount needs uidMappings and gidMappings (its "
                    "own, or the container's user namespace's)",
                    i, m->destination);
    int userns = r == 0 ? make_userns(uid, nu, gid, ng, err) : -1;
    if (r == 0 && userns < 0)
      r = userns;
    int tree = -1;
    if (r == 0) {
      _cleanup_free_ char *src = m->source[0] == '/' ? xstrdup(m->source)
                                                     : xasprintf("%s/%s", bundle, m->source);
      bool recursive = has_option(m, "rbind") || has_option(m, "ridmap");
      tree = idmapped_tree(src, userns, recursive, m->destination, err);
      close(userns);
      r = tree < 0 ? tree : 0;
    }
    if (r < 0) {
      husk_idmount_close(*fds, c->mounts_len);
      *fds = NULL;
      return r;
    }
    if (*fds == NULL) {
      *fds = xmalloc0(sizeof(int) * c->mounts_len);
      for (size_t k = 0; k < c->mounts_len; k++)
        (*fds)[k] = -1;
    }
    (*fds)[i] = tree;
  }
  return 0;
}

void husk_idmount_close(int *fds, size_t n) {
  if (fds == NULL)
    return;
  for (size_t i = 0; i < n; i++)
    if (fds[i] >= 0)
      close(fds[i]);
  free(fds);
}

int husk_idmount_attach(int tree, int target, const char *dest, struct husk_error **err) {
  if (syscall(SYS_move_mount, tree, "", target, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
    return husk_fail(err, errno, "idmapped mount %s: move_mount", dest);
  return 0;
}
