/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of linux.seccomp: config errors with their exact messages, and
 * filters loaded for real in forked children (with no_new_privs set there),
 * NOTIFY included: the test is the listener.
 * The last line printed is "N passed, M failed". */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <yajl/yajl_tree.h>

#include "error.h"
#include "seccomp-filter.h"
#include "spec.h"
#include "utils.h"
#include "harness.h"


/* Config literals. */
#define STRS(...) ((char *[]){__VA_ARGS__})
#define COUNT(type, ...) (sizeof((type[]){__VA_ARGS__}) / sizeof(type))
#define NAMES(...) .names = STRS(__VA_ARGS__), .names_len = COUNT(char *, __VA_ARGS__)
#define ARGS(...)                                                                                  \
  .args = (struct oci_seccomp_arg[]){__VA_ARGS__},                                                 \
  .args_len = COUNT(struct oci_seccomp_arg, __VA_ARGS__)
#define SYSCALLS(...)                                                                              \
  .syscalls = (struct oci_seccomp_syscall[]){__VA_ARGS__},                                         \
  .syscalls_len = COUNT(struct oci_seccomp_syscall, __VA_ARGS__)
#define ERRNO_RET(n) .has_errno_ret = true, .errno_ret = (n)

/* The error prepare gives, or NULL when it succeeds. */
static char *prepare_error(const struct oci_seccomp *s) {
  struct husk_error *err = NULL;
  struct husk_seccomp *f = NULL;
  int r = husk_seccomp_prepare(s, &f, &err);
  husk_seccomp_free(f);
  if (r == 0) {
    if (err)
      fprintf(stderr, "prepare returned 0 with an error set: %s\n", err->msg);
    husk_error_free(err);
    return NULL;
  }
  char *msg = xstrdup(err && err->msg ? err->msg : "(no message)");
  husk_error_free(err);
  return msg;
}

#define CHECK_ERROR(s, want)                                                                       \
  do {                                                                                             \
    _cleanup_free_ char *got_ = prepare_error(s);                                                  \
    CHECK_STR(got_, want);                                                                         \
  } while (0)

#define CHECK_OK(s)                                                                                \
  do {                                                                                             \
    _cleanup_free_ char *got_ = prepare_error(s);                                                  \
    if (got_)                                                                                      \
      fprintf(stderr, "unexpected error: %s\n", got_);                                             \
    CHECK(got_ == NULL);                                                                           \
  } while (0)

static bool flag_supported(const char *name) {
  for (const char *const *p = husk_seccomp_supported_flags(); *p; p++)
    if (strcmp(*p, name) == 0)
      return true;
  return false;
}

static bool in_list(const char *const *list, const char *name) {
  for (; *list; list++)
    if (strcmp(*list, name) == 0)
      return true;
  return false;
}

/* ---- errors ------------------------------------------------------------ */

static void test_errors(void) {
  struct husk_seccomp *f = (struct husk_seccomp *)1;
  CHECK(husk_seccomp_prepare(NULL, &f, NULL) == 0 && f == NULL);
  CHECK(husk_seccomp_load(NULL, NULL, 0, NULL) == 0);

  CHECK_ERROR((&(struct oci_seccomp){.default_action = "SCMP_ACT_NOPE"}),
              "linux.seccomp.defaultAction: unknown action \"SCMP_ACT_NOPE\"");

  CHECK_ERROR((&(struct oci_seccomp){
                  .default_action = "SCMP_ACT_ALLOW",
                  SYSCALLS({NAMES("mkdir"), .action = "SCMP_ACT_ERRNO"},
                           {NAMES("rmdir"), .action = "SCMP_ACT_FOO"}),
              }),
              "linux.seccomp.syscalls[1].action: unknown action \"SCMP_ACT_FOO\"");

  CHECK_ERROR((&(struct oci_seccomp){
                  .default_action = "SCMP_ACT_ALLOW",
                  SYSCALLS({NAMES("personality"), .action = "SCMP_ACT_ERRNO",
                            ARGS({.index = 0, .value = 1, .op = "SCMP_CMP_EQ"},
                                 {.index = 1, .value = 1, .op = "SCMP_CMP_FOO"})}),
              }),
              "linux.seccomp.syscalls[0].args[1].op: unknown operator \"SCMP_CMP_FOO\"");

  CHECK_ERROR((&(struct oci_seccomp){
                  .default_action = "SCMP_ACT_ALLOW",
                  .flags = STRS("SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_FOO"),
                  .flags_len = 2,
              }),
              "linux.seccomp.flags[1]: unknown flag \"SECCOMP_FILTER_FLAG_FOO\"");

  CHECK_ERROR((&(struct oci_seccomp){
                  .default_action = "SCMP_ACT_ALLOW",
                  .architectures = STRS("SCMP_ARCH_FOO"),
                  .architectures_len = 1,
              }),
              "linux.seccomp.architectures[0]: unknown architecture \"SCMP_ARCH_FOO\"");

  CHECK_ERROR((&(struct oci_seccomp){
                  .default_action = "SCMP_ACT_ALLOW",
                  SYSCALLS({NAMES("mkdir"), .action = "SCMP_ACT_ERRNO"},
                           {NAMES("mkdirat"), .action = "SCMP_ACT_NOTIFY"}),
              }),
              "linux.seccomp.listenerPath: required when a rule uses SCMP_ACT_NOTIFY "
              "(linux.seccomp.syscalls[1])");

  CHECK_ERROR((&(struct oci_seccomp){
                  .default_action = "SCMP_ACT_ALLOW",
                  .listener_path = "/nonexistent-husk-dir/listener.sock",
                  SYSCALLS({NAMES("mkdirat"), .action = "SCMP_ACT_NOTIFY"}),
              }),
              "linux.seccomp.listenerPath: connect to \"/nonexistent-husk-dir/listener.sock\": "
              "No such file or directory");

  CHECK_ERROR((&(struct oci_seccomp){
                  .default_action = "SCMP_ACT_ALLOW",
                  .listener_path = "/run/x.sock",
                  SYSCALLS({NAMES("mkdirat", "sendmsg"), .action = "SCMP_ACT_NOTIFY"}),
              }),
              "linux.seccomp.syscalls[0].names[1]: SCMP_ACT_NOTIFY cannot be used for sendmsg: "
              "the runtime sends the notify fd to the listener with it");

  CHECK_ERROR((&(struct oci_seccomp){.default_action = "SCMP_ACT_NOTIFY", .listener_path = "/x"}),
              "linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot be the default action");

  CHECK_ERROR((&(struct oci_seccomp){
                  .default_action = "SCMP_ACT_ERRNO",
                  SYSCALLS({NAMES("read"), .action = "SCMP_ACT_ALLOW", ERRNO_RET(5)}),
              }),
              "linux.seccomp.syscalls[0].errnoRet: not allowed with SCMP_ACT_ALLOW "
              "(only SCMP_ACT_ERRNO and SCMP_ACT_TRACE take one)");

  CHECK_ERROR((&(struct oci_seccomp){.default_action = "SCMP_ACT_KILL_PROCESS",
                                     .has_default_errno_ret = true,
                                     .default_errno_ret = 1}),
              "linux.seccomp.defaultErrnoRet: not allowed with SCMP_ACT_KILL_PROCESS "
              "(only SCMP_ACT_ERRNO and SCMP_ACT_TRACE take one)");

  CHECK_ERROR((&(struct oci_seccomp){
                  .default_action = "SCMP_ACT_ALLOW",
                  SYSCALLS({NAMES("mkdir"), .action = "SCMP_ACT_ERRNO", ERRNO_RET(70000)}),
              }),
              "linux.seccomp.syscalls[0].errnoRet: 70000 is out of range (0 to 65535)");

  CHECK_ERROR((&(struct oci_seccomp){
                  .default_action = "SCMP_ACT_ALLOW",
                  SYSCALLS({NAMES("personality"), .action = "SCMP_ACT_ERRNO",
                            ARGS({.index = 6, .value = 1, .op = "SCMP_CMP_EQ"})}),
              }),
              "linux.seccomp.syscalls[0].args[0].index: 6 is out of range (0 to 5)");

  CHECK_ERROR((&(struct oci_seccomp){
                  .default_action = "SCMP_ACT_ALLOW",
                  SYSCALLS({.names = NULL, .names_len = 0, .action = "SCMP_ACT_ERRNO"}),
              }),
              "linux.seccomp.syscalls[0].names: at least one name is required");

  CHECK_ERROR((&(struct oci_seccomp){
                  .default_action = "SCMP_ACT_ALLOW",
                  SYSCALLS({NAMES("mkdir", ""), .action = "SCMP_ACT_ERRNO"}),
              }),
              "linux.seccomp.syscalls[0].names[1]: empty syscall name");

  /* A validation error in a rule that would be skipped still counts. */
  CHECK_ERROR((&(struct oci_seccomp){
                  .default_action = "SCMP_ACT_ALLOW",
                  SYSCALLS({NAMES("no_such_syscall"), .action = "SCMP_ACT_ALLOW",
                            ARGS({.index = 0, .value = 1, .op = "SCMP_CMP_BAD"})}),
              }),
              "linux.seccomp.syscalls[0].args[0].op: unknown operator \"SCMP_CMP_BAD\"");

  /* Control characters stay escaped: the message is one line. */
  CHECK_ERROR((&(struct oci_seccomp){.default_action = "SCMP\nX"}),
              "linux.seccomp.defaultAction: unknown action \"SCMP\\u000aX\"");
}

/* ---- configs that must be accepted ------------------------------------- */

static void test_accepted(void) {
  /* Unknown names are another arch's or a newer kernel's: skipped. */
  CHECK_OK((&(struct oci_seccomp){
      .default_action = "SCMP_ACT_ALLOW",
      SYSCALLS({NAMES("no_such_syscall", "mkdir"), .action = "SCMP_ACT_ERRNO"}),
  }));
  /* Rules with the default action are skipped (libseccomp refuses them),
   * KILL being KILL_THREAD and ERRNO defaulting to EPERM. */
  CHECK_OK((&(struct oci_seccomp){
      .default_action = "SCMP_ACT_ERRNO",
      SYSCALLS({NAMES("mkdir"), .action = "SCMP_ACT_ERRNO"},
               {NAMES("rmdir"), .action = "SCMP_ACT_ERRNO", ERRNO_RET(EPERM)},
               {NAMES("read"), .action = "SCMP_ACT_ALLOW"}),
  }));
  CHECK_OK((&(struct oci_seccomp){
      .default_action = "SCMP_ACT_KILL",
      SYSCALLS({NAMES("mkdir"), .action = "SCMP_ACT_KILL_THREAD"},
               {NAMES("read"), .action = "SCMP_ACT_ALLOW"}),
  }));
  /* Every action and operator. */
  CHECK_OK((&(struct oci_seccomp){
      .default_action = "SCMP_ACT_ALLOW",
      SYSCALLS({NAMES("mkdir"), .action = "SCMP_ACT_KILL"},
               {NAMES("rmdir"), .action = "SCMP_ACT_KILL_PROCESS"},
               {NAMES("link"), .action = "SCMP_ACT_KILL_THREAD"},
               {NAMES("unlink"), .action = "SCMP_ACT_TRAP"},
               {NAMES("chmod"), .action = "SCMP_ACT_ERRNO", ERRNO_RET(0)},
               {NAMES("chown"), .action = "SCMP_ACT_TRACE", ERRNO_RET(7)},
               {NAMES("getppid"), .action = "SCMP_ACT_LOG"},
               {NAMES("getpriority"), .action = "SCMP_ACT_ERRNO",
                ARGS({.index = 0, .value = 1, .op = "SCMP_CMP_NE"},
                     {.index = 1, .value = 2, .op = "SCMP_CMP_LT"},
                     {.index = 2, .value = 3, .op = "SCMP_CMP_LE"},
                     {.index = 3, .value = 4, .op = "SCMP_CMP_EQ"},
                     {.index = 4, .value = 5, .op = "SCMP_CMP_GE"},
                     {.index = 5, .value = 6, .op = "SCMP_CMP_GT"})},
               {NAMES("setpriority"), .action = "SCMP_ACT_ERRNO",
                ARGS({.index = 0,
                      .value = 0xff,
                      .has_value_two = true,
                      .value_two = 1,
                      .op = "SCMP_CMP_MASKED_EQ"})}),
  }));
  /* Other architectures, the native one again included. */
  CHECK_OK((&(struct oci_seccomp){
      .default_action = "SCMP_ACT_ALLOW",
      .architectures = STRS("SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32",
                            "SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM"),
      .architectures_len = 5,
      SYSCALLS({NAMES("mkdir", "socketcall"), .action = "SCMP_ACT_ERRNO"}),
  }));
  /* Every supported flag (without NOTIFY, WAIT_KILLABLE_RECV is moot). */
  const char *const *sup = husk_seccomp_supported_flags();
  size_t n = 0;
  while (sup[n])
    n++;
  CHECK(n > 0);
  CHECK_OK((&(struct oci_seccomp){
      .default_action = "SCMP_ACT_ALLOW",
      .flags = (char **)sup,
      .flags_len = n,
      SYSCALLS({NAMES("mkdir"), .action = "SCMP_ACT_ERRNO"}),
  }));
}

static void test_lists(void) {
  CHECK(in_list(husk_seccomp_known_actions(), "SCMP_ACT_NOTIFY"));
  CHECK(in_list(husk_seccomp_known_actions(), "SCMP_ACT_KILL_PROCESS"));
  CHECK(in_list(husk_seccomp_known_operators(), "SCMP_CMP_MASKED_EQ"));
  CHECK(in_list(husk_seccomp_known_archs(), "SCMP_ARCH_X86_64"));
  CHECK(in_list(husk_seccomp_known_archs(), "SCMP_ARCH_AARCH64"));
  CHECK(in_list(husk_seccomp_known_flags(), "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"));
  CHECK(in_list(husk_seccomp_supported_flags(), "SECCOMP_FILTER_FLAG_TSYNC"));
}

/* ---- real filters ------------------------------------------------------ */

/* Fork; in the child set no_new_privs, prepare and load `s`, run `body` and
 * exit with what it returns (0 = success). Returns the wait status. */
static int run_filtered(const struct oci_seccomp *s, int (*body)(void)) {
  fflush(NULL);
  pid_t pid = fork();
  if (pid < 0)
    return -1;
  if (pid == 0) {
    alarm(20);
    setrlimit(RLIMIT_CORE, &(struct rlimit){0, 0}); /* SIGSYS would dump core */
    struct husk_error *err = NULL;
    struct husk_seccomp *f = NULL;
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
      _exit(100);
    if (husk_seccomp_prepare(s, &f, &err) < 0 || husk_seccomp_load(f, NULL, getpid(), &err) < 0) {
      fprintf(stderr, "child: %s\n", err ? err->msg : "?");
      _exit(101);
    }
    _exit(body());
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
    ;
  return status;
}

#define EXITED_OK(st) (WIFEXITED(st) && WEXITSTATUS(st) == 0)

static char tmpdir[] = "/tmp/husk-test-seccomp-XXXXXX";

/* errno of a raw syscall, or 0 when it succeeded. */
#define SYSCALL_ERRNO(...) (syscall(__VA_ARGS__) < 0 ? errno : 0)

static int body_mkdir_38(void) {
  char path[128];
  snprintf(path, sizeof(path), "%s/d38", tmpdir);
  return SYSCALL_ERRNO(SYS_mkdirat, AT_FDCWD, path, 0700) == 38 ? 0 : 1;
}

static int body_mkdir_errno0(void) {
  char path[128];
  snprintf(path, sizeof(path), "%s/d0", tmpdir);
  /* SCMP_ACT_ERRNO with 0: "succeeds" without doing anything */
  return syscall(SYS_mkdirat, AT_FDCWD, path, 0700) == 0 ? 0 : 1;
}

static int body_personality(void) {
  if (SYSCALL_ERRNO(SYS_personality, 0xffffffffUL) != EPERM)
    return 1;
  if (syscall(SYS_personality, 0UL) < 0) /* PER_LINUX: what it is already */
    return 2;
  return 0;
}

static int body_getppid(void) {
  syscall(SYS_getppid);
  return 0;
}

static void on_sigsys(int sig) {
  (void)sig;
  _exit(42);
}

static int body_trap(void) {
  signal(SIGSYS, on_sigsys); /* rt_sigaction is allowed */
  syscall(SYS_getppid);
  return 1;
}

static int body_getppid_works(void) { return syscall(SYS_getppid) > 0 ? 0 : 1; }

static int body_trace_enosys(void) {
  /* without a tracer, SCMP_ACT_TRACE fails the syscall with ENOSYS */
  return SYSCALL_ERRNO(SYS_getppid) == ENOSYS ? 0 : 1;
}

static int body_same_index(void) {
  if (SYSCALL_ERRNO(SYS_getpriority, PRIO_PROCESS, 11111) != 77)
    return 1;
  if (SYSCALL_ERRNO(SYS_getpriority, PRIO_PROCESS, 22222) != 77)
    return 2;
  if (SYSCALL_ERRNO(SYS_getpriority, PRIO_PROCESS, 0) != 0)
    return 3;
  return 0;
}

static int body_two_indexes(void) {
  if (SYSCALL_ERRNO(SYS_getpriority, PRIO_PGRP, 0) != 78)
    return 1;
  if (SYSCALL_ERRNO(SYS_getpriority, PRIO_PROCESS, 0) != 0)
    return 2;
  return 0;
}

static int body_masked(void) {
  if (SYSCALL_ERRNO(SYS_getpriority, PRIO_PROCESS, 0x1234) != 79)
    return 1;
  if (SYSCALL_ERRNO(SYS_getpriority, PRIO_PROCESS, 0) != 0)
    return 2;
  return 0;
}

static int body_allowlist(void) {
  if (SYSCALL_ERRNO(SYS_getppid) != 40)
    return 1;
  if (syscall(SYS_getpid) <= 0)
    return 2;
  return 0; /* exit_group is allowed */
}

static int body_status_mode(void) {
  /* read /proc/self/status with raw syscalls: nothing else is needed */
  char buf[4096];
  int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return 1;
  ssize_t n = read(fd, buf, sizeof(buf) - 1);
  close(fd);
  if (n <= 0)
    return 2;
  buf[n] = '\0';
  return strstr(buf, "\nSeccomp:\t2\n") ? 0 : 3;
}

static void test_behaviour(void) {
  int st;

  st = run_filtered(
      &(struct oci_seccomp){
          .default_action = "SCMP_ACT_ALLOW",
          SYSCALLS({NAMES("mkdir", "mkdirat"), .action = "SCMP_ACT_ERRNO", ERRNO_RET(38)}),
      },
      body_mkdir_38);
  CHECK(EXITED_OK(st));

  char path[128];
  snprintf(path, sizeof(path), "%s/d0", tmpdir);
  st = run_filtered(
      &(struct oci_seccomp){
          .default_action = "SCMP_ACT_ALLOW",
          SYSCALLS({NAMES("mkdirat"), .action = "SCMP_ACT_ERRNO", ERRNO_RET(0)}),
      },
      body_mkdir_errno0);
  CHECK(EXITED_OK(st));
  CHECK(access(path, F_OK) < 0 && errno == ENOENT);

  st = run_filtered(
      &(struct oci_seccomp){
          .default_action = "SCMP_ACT_ALLOW",
          SYSCALLS({NAMES("personality"), .action = "SCMP_ACT_ERRNO",
                    ARGS({.index = 0, .value = 0xffffffffUL, .op = "SCMP_CMP_EQ"})}),
      },
      body_personality);
  CHECK(EXITED_OK(st));

  st = run_filtered(
      &(struct oci_seccomp){
          .default_action = "SCMP_ACT_ALLOW",
          SYSCALLS({NAMES("getppid"), .action = "SCMP_ACT_KILL_PROCESS"}),
      },
      body_getppid);
  CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS);

  st = run_filtered(
      &(struct oci_seccomp){
          .default_action = "SCMP_ACT_ALLOW",
          SYSCALLS({NAMES("getppid"), .action = "SCMP_ACT_TRAP"}),
      },
      body_trap);
  CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 42);

  st = run_filtered(
      &(struct oci_seccomp){
          .default_action = "SCMP_ACT_ALLOW",
          SYSCALLS({NAMES("getppid"), .action = "SCMP_ACT_LOG"}),
      },
      body_getppid_works);
  CHECK(EXITED_OK(st));

  st = run_filtered(
      &(struct oci_seccomp){
          .default_action = "SCMP_ACT_ALLOW",
          SYSCALLS({NAMES("getppid"), .action = "SCMP_ACT_TRACE", ERRNO_RET(3)}),
      },
      body_trace_enosys);
  CHECK(EXITED_OK(st));

  /* Two comparisons of one argument: each is a rule of its own (OR). */
  st = run_filtered(
      &(struct oci_seccomp){
          .default_action = "SCMP_ACT_ALLOW",
          SYSCALLS({NAMES("getpriority"), .action = "SCMP_ACT_ERRNO", ERRNO_RET(77),
                    ARGS({.index = 1, .value = 11111, .op = "SCMP_CMP_EQ"},
                         {.index = 1, .value = 22222, .op = "SCMP_CMP_EQ"})}),
      },
      body_same_index);
  CHECK(EXITED_OK(st));

  /* Comparisons of different arguments AND. */
  st = run_filtered(
      &(struct oci_seccomp){
          .default_action = "SCMP_ACT_ALLOW",
          SYSCALLS({NAMES("getpriority"), .action = "SCMP_ACT_ERRNO", ERRNO_RET(78),
                    ARGS({.index = 0, .value = PRIO_PGRP, .op = "SCMP_CMP_EQ"},
                         {.index = 1, .value = 0, .op = "SCMP_CMP_EQ"})}),
      },
      body_two_indexes);
  CHECK(EXITED_OK(st));

  /* MASKED_EQ: (arg & value) == valueTwo */
  st = run_filtered(
      &(struct oci_seccomp){
          .default_action = "SCMP_ACT_ALLOW",
          SYSCALLS({NAMES("getpriority"), .action = "SCMP_ACT_ERRNO", ERRNO_RET(79),
                    ARGS({.index = 1,
                          .value = 0xff00,
                          .has_value_two = true,
                          .value_two = 0x1200,
                          .op = "SCMP_CMP_MASKED_EQ"})}),
      },
      body_masked);
  CHECK(EXITED_OK(st));

  /* A default that denies, with defaultErrnoRet, and an allow-list. */
  st = run_filtered(
      &(struct oci_seccomp){
          .default_action = "SCMP_ACT_ERRNO",
          .has_default_errno_ret = true,
          .default_errno_ret = 40,
          /* more than the body needs, for sanitizer builds */
          SYSCALLS({NAMES("exit_group", "exit", "getpid", "gettid", "sigaltstack", "rt_sigaction",
                          "rt_sigprocmask", "mmap", "munmap", "madvise", "write"),
                    .action = "SCMP_ACT_ALLOW"}),
      },
      body_allowlist);
  CHECK(EXITED_OK(st));

  st = run_filtered(
      &(struct oci_seccomp){
          .default_action = "SCMP_ACT_ALLOW",
          .flags = STRS("SECCOMP_FILTER_FLAG_LOG"),
          .flags_len = 1,
          SYSCALLS({NAMES("mkdirat"), .action = "SCMP_ACT_ERRNO"}),
      },
      body_status_mode);
  CHECK(EXITED_OK(st));
}

/* ---- NOTIFY: this process is the listener ------------------------------ */

static const char *notify_state = "{\"ociVersion\":\"1.2.0\",\"id\":\"t1\",\"status\":\"creating\","
                                  "\"pid\":4242,\"bundle\":\"/b\",\"annotations\":{\"a\":\"b\"}}";

static const char *tree_str(yajl_val v, const char **path) {
  yajl_val s = yajl_tree_get(v, path, yajl_t_string);
  return s ? YAJL_GET_STRING(s) : NULL;
}

/* wait_killable: with SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (loaded with
 * seccomp(2) by husk itself under libseccomp < 2.6); unknown_name: the
 * NOTIFY rule names no syscall libseccomp knows, and the listener still gets
 * an fd (the child has nothing to be notified about then). */
static void test_notify(bool wait_killable, bool unknown_name) {
  if (wait_killable && !flag_supported("SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV")) {
    fprintf(stderr, "skip: the kernel has no SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV\n");
    return;
  }
  char sock_path[128], dir_path[128];
  snprintf(sock_path, sizeof(sock_path), "%s/listener.sock", tmpdir);
  snprintf(dir_path, sizeof(dir_path), "%s/notified", tmpdir);
  unlink(sock_path);
  _cleanup_close_ int lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  struct sockaddr_un sa = {.sun_family = AF_UNIX};
  strcpy(sa.sun_path, sock_path);
  CHECK(lfd >= 0 && bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) == 0 && listen(lfd, 1) == 0);

  struct oci_seccomp s = {
      .default_action = "SCMP_ACT_ALLOW",
      .listener_path = sock_path,
      .listener_metadata = "meta \"data\"",
      .flags = STRS("SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"),
      .flags_len = wait_killable ? 1 : 0,
      SYSCALLS({NAMES("mkdirat"), .action = "SCMP_ACT_NOTIFY"}),
  };
  if (unknown_name)
    s.syscalls[0].names[0] = "no_such_syscall";
  fflush(NULL);
  pid_t pid = fork();
  if (pid == 0) {
    alarm(20);
    struct husk_error *err = NULL;
    struct husk_seccomp *f = NULL;
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
      _exit(100);
    if (husk_seccomp_prepare(&s, &f, &err) < 0 ||
        husk_seccomp_load(f, notify_state, getpid(), &err) < 0) {
      fprintf(stderr, "child: %s\n", err ? err->msg : "?");
      _exit(101);
    }
    if (unknown_name)
      _exit(0);
    /* the listener answers ENOTNAM without creating anything */
    _exit(SYSCALL_ERRNO(SYS_mkdirat, AT_FDCWD, dir_path, 0700) == ENOTNAM ? 0 : 1);
  }
  CHECK(pid > 0);

  struct pollfd pfd = {.fd = lfd, .events = POLLIN};
  CHECK(poll(&pfd, 1, 10000) == 1);
  _cleanup_close_ int conn = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
  CHECK(conn >= 0);

  /* Read the whole message (the child closes its end after it) and the fd. */
  char *text = xmalloc0(65536);
  size_t len = 0;
  int nfd = -1;
  for (;;) {
    union {
      char buf[CMSG_SPACE(sizeof(int))];
      struct cmsghdr align;
    } u;
    struct iovec iov = {.iov_base = text + len, .iov_len = 65535 - len};
    struct msghdr mh = {
        .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof(u.buf)};
    pfd = (struct pollfd){.fd = conn, .events = POLLIN};
    if (poll(&pfd, 1, 10000) != 1)
      break;
    ssize_t n = recvmsg(conn, &mh, MSG_CMSG_CLOEXEC);
    if (n <= 0)
      break;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
      if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
        memcpy(&nfd, CMSG_DATA(c), sizeof(int));
    len += (size_t)n;
  }
  CHECK(nfd >= 0);

  char errbuf[256];
  yajl_val v = yajl_tree_parse(text, errbuf, sizeof(errbuf));
  CHECK(v != NULL);
  if (v == NULL)
    fprintf(stderr, "listener got: %s\n", text);
  CHECK_STR(tree_str(v, (const char *[]){"ociVersion", NULL}), "1.3.0");
  yajl_val fds = yajl_tree_get(v, (const char *[]){"fds", NULL}, yajl_t_array);
  CHECK(fds && YAJL_GET_ARRAY(fds)->len == 1);
  if (fds && YAJL_GET_ARRAY(fds)->len == 1)
    CHECK_STR(tree_str(YAJL_GET_ARRAY(fds)->values[0], (const char *[]){NULL}), "seccompFd");
  yajl_val jpid = yajl_tree_get(v, (const char *[]){"pid", NULL}, yajl_t_number);
  CHECK(jpid && YAJL_GET_INTEGER(jpid) == pid);
  CHECK_STR(tree_str(v, (const char *[]){"metadata", NULL}), "meta \"data\"");
  CHECK_STR(tree_str(v, (const char *[]){"state", "id", NULL}), "t1");
  CHECK_STR(tree_str(v, (const char *[]){"state", "status", NULL}), "creating");
  CHECK_STR(tree_str(v, (const char *[]){"state", "annotations", "a", NULL}), "b");
  yajl_tree_free(v);
  free(text);

  if (nfd >= 0 && unknown_name) {
    close(nfd);
  } else if (nfd >= 0) {
    struct seccomp_notif *req = NULL;
    struct seccomp_notif_resp *resp = NULL;
    CHECK(seccomp_notify_alloc(&req, &resp) == 0);
    pfd = (struct pollfd){.fd = nfd, .events = POLLIN};
    CHECK(poll(&pfd, 1, 10000) == 1);
    CHECK(seccomp_notify_receive(nfd, req) == 0);
    CHECK(req->pid == (uint32_t)pid);
    CHECK(req->data.nr == seccomp_syscall_resolve_name("mkdirat"));
    resp->id = req->id;
    resp->val = 0;
    resp->error = -ENOTNAM;
    resp->flags = 0;
    CHECK(seccomp_notify_respond(nfd, resp) == 0);
    seccomp_notify_free(req, resp);
    close(nfd);
  } else {
    kill(pid, SIGKILL); /* our child, which would wait for an answer */
  }
  int st = 0;
  while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
    ;
  CHECK(EXITED_OK(st));
  CHECK(access(dir_path, F_OK) < 0);
  unlink(sock_path);
}

static void rm_tmpdir(void) {
  char path[128];
  const char *names[] = {"d38", "d0", "notified", "listener.sock"};
  for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
    snprintf(path, sizeof(path), "%s/%s", tmpdir, names[i]);
    if (unlink(path) < 0)
      rmdir(path);
  }
  rmdir(tmpdir);
}

int main(void) {
  signal(SIGPIPE, SIG_IGN);
  if (mkdtemp(tmpdir) == NULL) {
    perror("mkdtemp");
    return 1;
  }
  test_errors();
  test_accepted();
  test_lists();
  test_behaviour();
  test_notify(false, false);
  test_notify(true, false);
  test_notify(false, true);
  rm_tmpdir();
  printf("%d passed, %d failed\n", passed, failed);
  return failed ? 1 : 0;
}
