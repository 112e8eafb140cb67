/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "idmap.h"

#include <errno.h>
#include <stdint.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "utils.h"

bool husk_idmap_to_host(const struct oci_id_mapping *m, size_t n, uint32_t container_id,
                        uint32_t *host_id) {
  for (size_t i = 0; i < n; i++)
    if (container_id >= m[i].container_id && container_id - m[i].container_id < m[i].size) {
      *host_id = m[i].host_id + (container_id - m[i].container_id);
      return true;
    }
  return false;
}

bool husk_idmap_covers(const struct oci_id_mapping *m, size_t n, uint32_t container_id) {
  uint32_t host_id;
  return husk_idmap_to_host(m, n, container_id, &host_id);
}

static char *map_text(const struct oci_id_mapping *m, size_t n) {
  char *text = xstrdup("");
  for (size_t i = 0; i < n; i++) {
    char *next = xasprintf("%s%u %u %u\n", text, m[i].container_id, m[i].host_id, m[i].size);
    free(text);
    text = next;
  }
  return text;
}

/* newuidmap PID CID HID SIZE...: the setuid helper checks /etc/subuid. */
static int run_newidmap(const char *tool, pid_t pid, const struct oci_id_mapping *m, size_t n,
                        struct husk_error **err) {
  char **argv = xmalloc0(sizeof(char *) * (3 * n + 3));
  size_t a = 0;
  argv[a++] = xstrdup(tool);
  argv[a++] = xasprintf("%d", (int)pid);
  for (size_t i = 0; i < n; i++) {
    argv[a++] = xasprintf("%u", m[i].container_id);
    argv[a++] = xasprintf("%u", m[i].host_id);
    argv[a++] = xasprintf("%u", m[i].size);
  }
  int fds[2];
  int r = pipe2(fds, O_CLOEXEC);
  pid_t child = r == 0 ? fork() : -1;
  if (child == 0) {
    dup2(fds[1], 2);
    const char *paths[] = {"/usr/bin/", "/bin/", "/usr/sbin/", "/sbin/"};
    for (size_t i = 0; i < ARRAY_SIZE(paths); i++) {
      char full[64];
      snprintf(full, sizeof(full), "%s%s", paths[i], tool);
      execv(full, argv);
    }
    fprintf(stderr, "%s not found: install Debian's uidmap package", tool);
    _exit(127);
  }
  int ret = 0;
  if (child < 0) {
    ret = husk_fail(err, errno, "run %s", tool);
  } else {
    close(fds[1]);
    fds[1] = -1;
    char out[512];
    ssize_t got = read(fds[0], out, sizeof(out) - 1);
    out[got > 0 ? got : 0] = '\0';
    out[strcspn(out, "\n")] = '\0';
    int status;
    waitpid(child, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
      ret = husk_fail(err, 0, "%s failed%s%s", tool, out[0] ? ": " : "", out);
  }
  if (fds[0] >= 0)
    close(fds[0]);
  if (fds[1] >= 0)
    close(fds[1]);
  for (size_t i = 0; i < a; i++)
    free(argv[i]);
  free(argv);
  return ret;
}

/* A single line mapping the caller's own id needs no helper, even
 * unprivileged (gid_map then needs setgroups "deny"). */
static bool is_own_single(const struct oci_id_mapping *m, size_t n, uint32_t own) {
  return n == 1 && m[0].size == 1 && m[0].host_id == own;
}

static int write_map(pid_t pid, const char *file, const struct oci_id_mapping *m, size_t n,
                     struct husk_error **err) {
  _cleanup_free_ char *path = xasprintf("/proc/%d/%s", (int)pid, file);
  _cleanup_free_ char *text = map_text(m, n);
  if (write_file_at(AT_FDCWD, path, text, strlen(text), NULL) < 0)
    return husk_fail(err, errno, "write %s", path);
  return 0;
}

int husk_idmap_write(pid_t pid, const struct oci_linux *l, struct husk_error **err) {
  if (geteuid() == 0) {
    if (write_map(pid, "gid_map", l->gid_mappings, l->gid_mappings_len, err) < 0 ||
        write_map(pid, "uid_map", l->uid_mappings, l->uid_mappings_len, err) < 0)
      return -EIO;
    return 0;
  }
  if (is_own_single(l->gid_mappings, l->gid_mappings_len, getegid())) {
    _cleanup_free_ char *sg = xasprintf("/proc/%d/setgroups", (int)pid);
    write_file_at(AT_FDCWD, sg, "deny", 4, NULL);
    if (write_map(pid, "gid_map", l->gid_mappings, l->gid_mappings_len, err) < 0)
      return -EIO;
  } else if (run_newidmap("newgidmap", pid, l->gid_mappings, l->gid_mappings_len, err) < 0) {
    return -EIO;
  }
  if (is_own_single(l->uid_mappings, l->uid_mappings_len, geteuid()))
    return write_map(pid, "uid_map", l->uid_mappings, l->uid_mappings_len, err);
  return run_newidmap("newuidmap", pid, l->uid_mappings, l->uid_mappings_len, err);
}
