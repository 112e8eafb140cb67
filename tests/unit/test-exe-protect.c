/* SPDX-License-Identifier: GPL-2.0-or-later */
/* husk_exe_protect() as a program that uses the library sees it: the first
 * call runs the program again, once, from a binary that is not the one on
 * disk, with the arguments it was started with; later calls return at once.
 * Each case runs in a child started with arguments that are easy to get
 * wrong (a space, an empty one, non-ASCII). */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "exe-protect.h"
#include "harness.h"

static const char *const args[] = {"a b", "", "--x=1", "\xc3\xbc"};
#define N_ARGS (sizeof(args) / sizeof(args[0]))

/* In the child: argv[1] is the case, argv[2..] should be args[]. Exits 0
 * when all is as it should be; says what is not on stderr. */
static int child(int argc, char **argv) {
  const char *mode = argv[1];
  bool with_init = strcmp(mode, "init") == 0;
  if (with_init)
    husk_lib_init(argc, argv);
  /* How often main ran: the environment goes through the re-execution. */
  int runs = atoi(getenv("TEST_RUNS") ? getenv("TEST_RUNS") : "0") + 1;
  char n[16];
  snprintf(n, sizeof(n), "%d", runs);
  setenv("TEST_RUNS", n, 1);
  if (runs > 2) {
    fprintf(stderr, "%s: main ran %d times\n", mode, runs);
    return 1;
  }
  if (with_init && runs == 1)
    memset(argv[2], 'X', strlen(argv[2])); /* a rewritten argument */

  struct husk_error *err = NULL;
  if (husk_exe_protect(&err) < 0) {
    fprintf(stderr, "%s: %s\n", mode, err->msg);
    return 1;
  }
  /* Back here only from a binary that is not the one on disk. */
  if (runs != 2) {
    fprintf(stderr, "%s: husk_exe_protect returned without re-executing\n", mode);
    return 1;
  }
  struct stat exe, disk;
  if (stat("/proc/self/exe", &exe) < 0 || stat(getenv("TEST_BINARY"), &disk) < 0 ||
      (exe.st_dev == disk.st_dev && exe.st_ino == disk.st_ino)) {
    fprintf(stderr, "%s: /proc/self/exe is still the binary on disk\n", mode);
    return 1;
  }
  if ((size_t)argc != N_ARGS + 2) {
    fprintf(stderr, "%s: %d arguments after the re-execution\n", mode, argc);
    return 1;
  }
  for (size_t i = 0; i < N_ARGS; i++)
    if (strcmp(argv[i + 2], args[i]) != 0) {
      fprintf(stderr, "%s: argument %zu is \"%s\", not \"%s\"\n", mode, i, argv[i + 2], args[i]);
      return 1;
    }
  /* Idempotent: a second call returns at once (else main would run a third
   * time, and say so above). */
  if (husk_exe_protect(&err) < 0) {
    fprintf(stderr, "%s: second call: %s\n", mode, err->msg);
    return 1;
  }
  return 0;
}

static int run_case(const char *mode) {
  pid_t pid = fork();
  if (pid == 0) {
    const char *argv[N_ARGS + 3] = {"test-exe-protect", mode};
    for (size_t i = 0; i < N_ARGS; i++)
      argv[i + 2] = args[i];
    execv("/proc/self/exe", (char **)argv);
    _exit(127);
  }
  int status = 0;
  if (pid < 0 || waitpid(pid, &status, 0) < 0)
    return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int main(int argc, char **argv) {
  if (argc > 1)
    return child(argc, argv);
  char binary[4096];
  ssize_t len = readlink("/proc/self/exe", binary, sizeof(binary) - 1);
  if (len < 0) {
    perror("readlink /proc/self/exe");
    return 1;
  }
  binary[len] = '\0';
  setenv("TEST_BINARY", binary, 1);
  unsetenv("TEST_RUNS");
  /* Arguments from husk_lib_init's copy, though the program changed its own. */
  CHECK(run_case("init") == 0);
  /* Without husk_lib_init: from /proc/self/cmdline. */
  CHECK(run_case("cmdline") == 0);
  printf("%d passed, %d failed\n", passed, failed);
  return failed ? 1 : 0;
}
