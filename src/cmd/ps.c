/* SPDX-License-Identifier: GPL-2.0-or-later */
/* husk ps: the container's processes. JSON is the list of pids; the table
 * is `ps -ef` (or the given ps options) cut down to the container's lines,
 * as runc does; without a ps binary, PID and CMD read from /proc. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgroup-cmds.h"
#include "utils.h"

static bool contains(const pid_t *pids, size_t n, long pid) {
  for (size_t i = 0; i < n; i++)
    if (pids[i] == pid)
      return true;
  return false;
}

static void print_json(const pid_t *pids, size_t n) {
  putchar('[');
  for (size_t i = 0; i < n; i++)
    printf("%s%d", i ? "," : "", (int)pids[i]);
  puts("]");
}

/* Run ps with `args`; its output in *out. 127: there is no ps. */
static int run_ps(char **args, char **out, struct husk_error **err) {
  int pipefd[2];
  if (pipe2(pipefd, O_CLOEXEC) < 0)
    return husk_fail(err, errno, "pipe");
  pid_t pid = fork();
  if (pid < 0)
    return husk_fail(err, errno, "fork");
  if (pid == 0) {
    dup2(pipefd[1], STDOUT_FILENO);
    execvp("ps", args);
    _exit(127);
  }
  close(pipefd[1]);
  size_t len = 0, cap = 4096;
  char *buf = xmalloc0(cap + 1);
  for (;;) {
    if (len == cap) {
      char *nb = realloc(buf, cap * 2 + 1);
      if (nb == NULL)
        break;
      buf = nb;
      cap *= 2;
    }
    ssize_t r = read(pipefd[0], buf + len, cap - len);
    if (r < 0 && errno == EINTR)
      continue;
    if (r <= 0)
      break;
    len += (size_t)r;
  }
  buf[len] = '\0';
  close(pipefd[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
    ;
  *out = buf;
  if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
    return 127;
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    return husk_fail(err, 0, "ps %s failed (exit status %d)", args[1] ? args[1] : "",
                     WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
  return 0;
}

/* The header, then the lines whose PID column is the container's. */
static int print_table(const char *output, const pid_t *pids, size_t n, struct husk_error **err) {
  const char *nl = strchr(output, '\n');
  size_t hlen = nl ? (size_t)(nl - output) : strlen(output);
  _cleanup_free_ char *header = xasprintf("%.*s", (int)hlen, output);
  int column = -1, k = 0;
  for (char *save = NULL, *f = strtok_r(header, " \t", &save); f; f = strtok_r(NULL, " \t", &save), k++)
    if (strcmp(f, "PID") == 0)
      column = k;
  if (column < 0)
    return husk_fail(err, 0, "ps: no PID column in its output (add -o pid)");
  printf("%.*s\n", (int)hlen, output);
  for (const char *line = nl ? nl + 1 : ""; *line;) {
    size_t len = strcspn(line, "\n");
    _cleanup_free_ char *copy = xasprintf("%.*s", (int)len, line);
    char *save = NULL, *f = strtok_r(copy, " \t", &save);
    for (int i = 0; f && i < column; i++)
      f = strtok_r(NULL, " \t", &save);
    if (f && contains(pids, n, strtol(f, NULL, 10)))
      printf("%.*s\n", (int)len, line);
    line += len + (line[len] == '\n');
  }
  return 0;
}

static void print_proc_table(const pid_t *pids, size_t n) {
  printf("%-8s %s\n", "PID", "CMD");
  for (size_t i = 0; i < n; i++) {
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pids[i]);
    _cleanup_free_ char *cmd = NULL;
    size_t len = 0;
    if (read_file(path, &cmd, &len, 1 << 16, NULL) < 0)
      continue;
    for (size_t j = 0; j + 1 < len; j++)
      if (cmd[j] == '\0')
        cmd[j] = ' ';
    if (len == 0) { /* a kernel thread or a zombie: its name in brackets */
      free(cmd);
      cmd = NULL;
      snprintf(path, sizeof(path), "/proc/%d/comm", (int)pids[i]);
      if (read_file(path, &cmd, &len, 4096, NULL) < 0)
        continue;
      cmd[strcspn(cmd, "\n")] = '\0';
      char *b = xasprintf("[%s]", cmd);
      free(cmd);
      cmd = b;
    }
    printf("%-8d %s\n", (int)pids[i], cmd);
  }
}

int cmd_ps(struct husk_context *ctx, int argc, char **argv) {
  static const struct option longopts[] = {
      {"format", required_argument, NULL, 'f'}, {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
  bool json = false;
  optind = 1;
  opterr = 0;
  int c;
  /* "+": what follows the ID belongs to ps. */
  while ((c = getopt_long(argc, argv, "+:f:h", longopts, NULL)) != -1) {
    if (c == 'f' && (strcmp(optarg, "json") == 0 || strcmp(optarg, "table") == 0))
      json = strcmp(optarg, "json") == 0;
    else if (c == 'f')
      return cmd_usage_error("ps", "--format: expected table or json, got \"%s\"", optarg);
    else if (c == 'h') {
      cmd_print_help("ps");
      return 0;
    } else
      return cmd_option_error("ps", c, argv);
  }
  if (optind >= argc)
    return cmd_usage_error("ps", "expected a container ID");
  const char *id = argv[optind++];
  if (optind < argc && strcmp(argv[optind], "--") == 0)
    optind++;
  int n_ps_args = argc - optind;
  if (json && n_ps_args > 0)
    return cmd_usage_error("ps", "ps options cannot be used with --format json");

  struct husk_error *err = NULL;
  _cleanup_free_ pid_t *pids = NULL;
  size_t n = 0;
  if (husk_container_pids(ctx, id, &pids, &n, &err) < 0)
    return cmd_fail(err);
  if (json) {
    print_json(pids, n);
    return 0;
  }
  _cleanup_free_ char **args = xmalloc0(sizeof(char *) * (size_t)(n_ps_args + 2));
  args[0] = "ps";
  if (n_ps_args == 0)
    args[1] = "-ef";
  for (int i = 0; i < n_ps_args; i++)
    args[i + 1] = argv[optind + i];
  _cleanup_free_ char *output = NULL;
  int r = run_ps(args, &output, &err);
  if (r == 127 && n_ps_args == 0) {
    print_proc_table(pids, n);
    return 0;
  }
  if (r == 127)
    husk_fail(&err, ENOENT, "ps: cannot run ps for the options given");
  if (err || print_table(output, pids, n, &err) < 0)
    return cmd_fail(err);
  return 0;
}
