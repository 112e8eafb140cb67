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

#include "annotations.h"
#include "log.h"
#include "pidfd.h"
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

int husk_hook_io_open(const struct oci_config *c, struct husk_hook_io *io, struct husk_error **err) {
  const char *keys[] = {HUSK_ANN_HOOKS_STDOUT, HUSK_ANN_HOOKS_STDERR};
  int *fds[] = {&io->out_fd, &io->err_fd};
  for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
    const char *path = husk_annotation(c, keys[i]);
    if (path == NULL || path[0] == '\0')
      continue;
    *fds[i] = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOCTTY, 0600);
    if (*fds[i] < 0) {
      int e = errno;
      husk_hook_io_close(io);
      return husk_fail(err, e, "annotations[\"%s\"]: open %s", keys[i], path);
    }
  }
  return 0;
}

void husk_hook_io_close(struct husk_hook_io *io) {
  if (io->out_fd >= 0)
    close(io->out_fd);
  if (io->err_fd >= 0)
    close(io->err_fd);
  io->out_fd = io->err_fd = -1;
}

static long elapsed_ms(const struct timespec *start) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return (now.tv_sec - start->tv_sec) * 1000 + (now.tv_nsec - start->tv_nsec) / 1000000;
}

__attribute__((noreturn)) static void exec_hook(const struct oci_hook *hook, int in, int out,
                                                int errfd) {
  if (dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(errfd, 2) < 0)
    _exit(127);
  char *empty[] = {NULL};
  char *argv0[] = {hook->path, NULL};
  /* The parsed arrays are NULL-terminated. */
  execve(hook->path, hook->args_len ? hook->args : argv0, hook->env_len ? hook->env : empty);
  /* The caller's message names the hook and its path (which may be long). */
  fprintf(stderr, "exec: %s\n", strerror(errno));
  _exit(127);
}

/* Collect the hook's output until it has exited and its pipe is closed (by
 * it and whatever it started), or its timeout passes. false on a timeout. */
static bool wait_for_hook(pid_t pid, int pidfd, int out, long limit_ms, char *output,
                          size_t *used, int *status) {
  struct timespec start;
  clock_gettime(CLOCK_MONOTONIC, &start);
  bool exited = false;
  while (out >= 0 || !exited) {
    long left = limit_ms < 0 ? -1 : limit_ms - elapsed_ms(&start);
    if (limit_ms >= 0 && left <= 0) {
      kill(pid, SIGKILL);
      break;
    }
    struct pollfd p[2] = {{.fd = out, .events = POLLIN}, {.fd = exited ? -1 : pidfd, .events = POLLIN}};
    if (out < 0 && pidfd < 0) {
      /* No pidfd (before Linux 5.3) and nothing to read: wait unbounded. */
      while (waitpid(pid, status, 0) < 0 && errno == EINTR)
        ;
      return true;
    }
    int n = poll(p, 2, (int)(left < 0 ? -1 : left));
    if (n < 0 && errno != EINTR)
      break;
    if (n <= 0)
      continue;
    if (p[1].revents) {
      exited = true;
      while (waitpid(pid, status, 0) < 0 && errno == EINTR)
        ;
    }
    if (p[0].revents) {
      char buf[1024];
      ssize_t r = read(out, buf, sizeof(buf));
      if (r <= 0) {
        out = -1; /* the caller closes it */
        continue;
      }
      size_t take = (size_t)r < OUTPUT_MAX - *used ? (size_t)r : OUTPUT_MAX - *used;
      memcpy(output + *used, buf, take);
      *used += take;
    }
  }
  if (!exited) {
    while (waitpid(pid, status, 0) < 0 && errno == EINTR)
      ;
    return limit_ms < 0 || elapsed_ms(&start) < limit_ms;
  }
  return true;
}

static int run_one(const struct oci_hook *hook, const char *what, const char *state_json,
                   const struct husk_hook_io *io, struct husk_error **err) {
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
    exec_hook(hook, in[0], io && io->out_fd >= 0 ? io->out_fd : out[1],
              io && io->err_fd >= 0 ? io->err_fd : out[1]);
  close(in[0]);
  close(out[1]);
  if (pid < 0) {
    close(in[1]);
    close(out[0]);
    return husk_fail(err, errno, "%s: fork", what);
  }
  _cleanup_close_ int pidfd = husk_pidfd_open(pid);
  /* The state is small: one write fits the pipe. A hook that does not read
   * it must not block us, hence the ignored EPIPE. */
  signal(SIGPIPE, SIG_IGN);
  write_all(in[1], state_json, strlen(state_json));
  close(in[1]);

  char output[OUTPUT_MAX + 1];
  size_t used = 0;
  int status = 0;
  bool in_time = wait_for_hook(pid, pidfd, out[0], hook->has_timeout ? (long)hook->timeout * 1000 : -1,
                               output, &used, &status);
  close(out[0]);
  output[used] = '\0';
  /* One line: the output's newlines become "; ". */
  while (used > 0 && (output[used - 1] == '\n' || output[used - 1] == ' '))
    output[--used] = '\0';
  for (char *c = output; *c; c++)
    if (*c == '\n')
      *c = ';';
  const char *sep = used ? ": " : "";
  if (!in_time)
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
                   const struct husk_hook_io *io, struct husk_error **err) {
  size_t n;
  const struct oci_hook *hooks = hooks_of(h, kind, &n);
  for (size_t i = 0; i < n; i++) {
    _cleanup_free_ char *what = xasprintf("hooks.%s[%zu]", kind_name(kind), i);
    if (run_one(&hooks[i], what, state_json, io, err) < 0)
      return -EIO;
  }
  if (n)
    husk_phase(kind_name(kind));
  return 0;
}

void husk_hooks_run_warn(const struct oci_hooks *h, enum husk_hook_kind kind,
                         const char *state_json, const struct husk_hook_io *io) {
  struct husk_error *err = NULL;
  if (husk_hooks_run(h, kind, state_json, io, &err) < 0) {
    husk_warn("%s", err->msg);
    husk_error_free(err);
  }
}
