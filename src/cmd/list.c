/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yajl/yajl_gen.h>

#include "cmd.h"
#include "passwd.h"
#include "output.h"
#include "utils.h"

struct entry {
  struct husk_state st;
  enum husk_status status;
  char *owner;
};

/* A container still being created has no state.json yet: no bundle, no
 * creation time. */
static const char *or_empty(const char *s) {
  return s ? s : "";
}

static void gen_str(yajl_gen g, const char *s) {
  s = or_empty(s);
  yajl_gen_string(g, (const unsigned char *)s, strlen(s));
}

static void print_json(struct entry *e, size_t n) {
  yajl_gen g = yajl_gen_alloc(NULL);
  yajl_gen_array_open(g);
  for (size_t i = 0; i < n; i++) {
    yajl_gen_map_open(g);
    gen_str(g, "ociVersion");
    gen_str(g, HUSK_OCI_VERSION);
    gen_str(g, "id");
    gen_str(g, e[i].st.id);
    gen_str(g, "pid");
    yajl_gen_integer(g, e[i].status == HUSK_STATUS_STOPPED ? 0 : e[i].st.pid);
    gen_str(g, "status");
    gen_str(g, husk_status_name(e[i].status));
    gen_str(g, "bundle");
    gen_str(g, e[i].st.bundle);
    gen_str(g, "rootfs");
    gen_str(g, e[i].st.rootfs);
    gen_str(g, "created");
    gen_str(g, e[i].st.created);
    gen_str(g, "owner");
    gen_str(g, e[i].owner);
    yajl_gen_map_close(g);
  }
  yajl_gen_array_close(g);
  cmd_print_json(g);
}

static int width(const char *s, int w) {
  int len = (int)strlen(or_empty(s));
  return len + 3 > w ? len + 3 : w;
}

static void print_table(struct entry *e, size_t n) {
  int w[5] = {12, 12, 12, 12, 12};
  char pids[n ? n : 1][16];
  for (size_t i = 0; i < n; i++) {
    snprintf(pids[i], sizeof(pids[i]), "%d", e[i].status == HUSK_STATUS_STOPPED ? 0 : e[i].st.pid);
    w[0] = width(e[i].st.id, w[0]);
    w[1] = width(pids[i], w[1]);
    w[2] = width(husk_status_name(e[i].status), w[2]);
    w[3] = width(e[i].st.bundle, w[3]);
    w[4] = width(e[i].st.created, w[4]);
  }
  printf("%-*s%-*s%-*s%-*s%-*s%s\n", w[0], "ID", w[1], "PID", w[2], "STATUS", w[3], "BUNDLE", w[4],
         "CREATED", "OWNER");
  for (size_t i = 0; i < n; i++)
    printf("%-*s%-*s%-*s%-*s%-*s%s\n", w[0], e[i].st.id, w[1], pids[i], w[2],
           husk_status_name(e[i].status), w[3], or_empty(e[i].st.bundle), w[4],
           or_empty(e[i].st.created), e[i].owner);
}

/* The user name of `uid`, or "#UID". One state root's containers mostly
 * share an owner: the last answer is kept, sparing a read of the user
 * database per container. */
static char *owner_name(uid_t uid) {
  static uid_t last_uid = (uid_t)-1;
  static char *last_name;
  if (last_name == NULL || uid != last_uid) {
    free(last_name);
    last_name = husk_passwd_lookup("/etc/passwd", uid, HUSK_PASSWD_NAME);
    if (last_name == NULL)
      last_name = xasprintf("#%u", (unsigned)uid);
    last_uid = uid;
  }
  return xstrdup(last_name);
}

int cmd_list(struct husk_context *ctx, int argc, char **argv) {
  static const struct option longopts[] = {{"format", required_argument, NULL, 'f'},
                                           {"quiet", no_argument, NULL, 'q'},
                                           {"help", no_argument, NULL, 'h'},
                                           {NULL, 0, NULL, 0}};
  bool quiet = false, json = false;
  optind = 1;
  opterr = 0;
  int c;
  while ((c = getopt_long(argc, argv, ":f:qh", longopts, NULL)) != -1) {
    if (c == 'q')
      quiet = true;
    else if (c == 'f') {
      if (strcmp(optarg, "json") == 0)
        json = true;
      else if (strcmp(optarg, "table") != 0)
        return cmd_usage_error("list", "--format: expected table or json, got \"%s\"", optarg);
    } else if (c == 'h') {
      cmd_print_help("list");
      return 0;
    } else
      return cmd_option_error("list", c, argv);
  }
  if (optind != argc)
    return cmd_usage_error("list", "takes no arguments");

  struct entry *entries = NULL;
  size_t n = 0;
  DIR *d = opendir(ctx->root);
  if (d == NULL && errno != ENOENT) {
    struct husk_error *err = NULL;
    husk_fail(&err, errno, "open state root %s", ctx->root);
    return cmd_fail(err);
  }
  struct dirent *de;
  while (d && (de = readdir(d)) != NULL) {
    if (de->d_name[0] == '.')
      continue;
    int fd = openat(dirfd(d), de->d_name, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
    if (fd < 0)
      continue;
    struct entry e = {0};
    /* A container being created (or half made by a crash) has no state yet;
     * one that a delete took away meanwhile is not listed. */
    int r = husk_state_read(fd, &e.st, NULL);
    if (r < 0 && !husk_state_dir_is_current(dirfd(d), de->d_name, fd)) {
      husk_state_clear(&e.st);
      close(fd);
      continue;
    }
    if (r < 0) {
      husk_state_clear(&e.st);
      e.st.id = xstrdup(de->d_name);
      e.status = HUSK_STATUS_CREATING;
    } else {
      e.status = husk_state_status(fd, &e.st);
    }
    struct stat sb;
    e.owner = fstat(fd, &sb) == 0 ? owner_name(sb.st_uid) : xstrdup("");
    close(fd);
    entries = realloc(entries, sizeof(*entries) * (n + 1));
    entries[n++] = e;
  }
  if (d)
    closedir(d);

  if (quiet)
    for (size_t i = 0; i < n; i++)
      puts(entries[i].st.id);
  else if (json)
    print_json(entries, n);
  else
    print_table(entries, n);
  for (size_t i = 0; i < n; i++) {
    husk_state_clear(&entries[i].st);
    free(entries[i].owner);
  }
  free(entries);
  return 0;
}
