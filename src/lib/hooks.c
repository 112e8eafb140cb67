/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "hooks.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "utils.h"

#define OUTPUT_MAX 4096

static const char *kind_name(enum husk_hook_kind kind) {
  static const char *names[] = {"prestart",       "createRuntime", "createContainer",
                                "startContainer", "poststart",     "poststop"};
  return names[kind];
}

static const struct oci_hook *hooks_of(const struct oci_hooks *h, enum husk_hook_kind kind,
                                       size_t *n) {
  *n = 0;
  if (h == NULL)
    return NULL;
  switch (kind) {
  case HUSK_HOOK_PRESTART:
    *n = h->prestart_len;
    return h->prestart;
  case HUSK_HOOK_CREATE_RUNTIME:
    *n = h->create_runtime_len;
    return h->create_runtime;
  case HUSK_HOOK_CREATE_CONTAINER:
    *n = h->create_container_len;
    return h->create_container;
  case HUSK_HOOK_START_CONTAINER:
    *n = h->start_container_len;
    return h->start_container;
  case HUSK_HOOK_POSTSTART:
    *n = h->poststart_len;
    return h->poststart;
  default:
    *n = h->poststop_len;
    return h->poststop;
  }
}

bool husk_hooks_has(const struct oci_hooks *h, enum husk_hook_kind kind) {
  size_t n;
  hooks_of(h, kind, &n);
  return n > 0;
}

static long elapsed_ms(const struct timespec *start) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return (now.tv_sec - start->tv_sec) * 1000 + (now.tv_nsec - start->tv_nsec) / 1000000;
}

__attribute__((noreturn)) static void exec_hook(const struct oci_hook *hook, int in, int out) {
  if (dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(out, 2) < 0)
    _exit(127);
  char *empty[] = {NULL};
  char *argv0[] = {hook->path, NULL};
  /* The parsed arrays are NULL-terminated. */
  execve(hook->path, hook->args_len ? hook->args : argv0, hook->env_len ? hook->env : empty);
  /* The caller's message names the hook and its path (which may be long). */
  fprintf(stderr, "exec: %s\n", strerror(errno));
  _exit(127);
}

static int run_one(const struct oci_hook *hook, const char *what, const char *state_json,
                   struct husk_error **err) {
  int in[2], out[2];
  if (pipe2(in, O_CLOEXEC) < 0)
    return husk_fail(err, errno, "%s: pipe", what);
  if (pipe2(out, O_CLOEXEC) < 0) {
    close(in[0]);
    close(in[1]);
    return husk_fail(err, errno, "%s: pipe", what);
  }
  pid_t pid = fork();
  if (pid == 0)
    exec_hook(hook, in[0], out[1]);
  close(in[0]);
  close(out[1]);
  if (pid < 0) {
    close(in[1]);
    close(out[0]);
    return husk_fail(err, errno, "%s: fork", what);
  }
  /* The state is small: one write fits the pipe. A hook that does not read
   * it must not block us, hence the ignored EPIPE. */
  signal(SIGPIPE, SIG_IGN);
  write_all(in[1], state_json, strlen(state_json));
  close(in[1]);

  char output[OUTPUT_MAX + 1];
  size_t used = 0;
  struct timespec start;
  clock_gettime(CLOCK_MONOTONIC, &start);
  long limit = hook->has_timeout ? (long)hook->timeout * 1000 : -1;
  bool timed_out = false;
  for (;;) {
    long left = limit < 0 ? -1 : limit - elapsed_ms(&start);
    if (limit >= 0 && left <= 0) {
      timed_out = true;
      kill(pid, SIGKILL);
      break;
    }
    struct pollfd p = {.fd = out[0], .events = POLLIN};
    int n = poll(&p, 1, (int)(left < 0 ? -1 : left));
    if (n < 0 && errno != EINTR)
      break;
    if (n <= 0)
      continue;
    char buf[1024];
    ssize_t r = read(out[0], buf, sizeof(buf));
    if (r <= 0)
      break; /* the hook (and whatever it started) closed its output */
    size_t take = (size_t)r < OUTPUT_MAX - used ? (size_t)r : OUTPUT_MAX - used;
    memcpy(output + used, buf, take);
    used += take;
  }
  close(out[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
    ;
  output[used] = '\0';
  /* One line: the output's newlines become "; ". */
  while (used > 0 && (output[used - 1] == '\n' || output[used - 1] == ' '))
    output[--used] = '\0';
  for (char *c = output; *c; c++)
    if (*c == '\n')
      *c = ';';
  const char *sep = used ? ": " : "";
  if (timed_out)
    return husk_fail(err, 0, "%s %s: killed after its timeout of %d s%s%s", what, hook->path,
                     hook->timeout, sep, output);
  if (WIFSIGNALED(status))
    return husk_fail(err, 0, "%s %s: killed by signal %d%s%s", what, hook->path, WTERMSIG(status),
                     sep, output);
  if (WEXITSTATUS(status) != 0)
    return husk_fail(err, 0, "%s %s: exited with status %d%s%s", what, hook->path,
                     WEXITSTATUS(status), sep, output);
  return 0;
}

int husk_hooks_run(const struct oci_hooks *h, enum husk_hook_kind kind, const char *state_json,
                   struct husk_error **err) {
  size_t n;
  const struct oci_hook *hooks = hooks_of(h, kind, &n);
  for (size_t i = 0; i < n; i++) {
    _cleanup_free_ char *what = xasprintf("hooks.%s[%zu]", kind_name(kind), i);
    if (run_one(&hooks[i], what, state_json, err) < 0)
      return -EIO;
  }
  if (n)
    husk_phase(kind_name(kind));
  return 0;
}

void husk_hooks_run_warn(const struct oci_hooks *h, enum husk_hook_kind kind,
                         const char *state_json) {
  struct husk_error *err = NULL;
  if (husk_hooks_run(h, kind, state_json, &err) < 0) {
    husk_warn("%s", err->msg);
    husk_error_free(err);
  }
}
