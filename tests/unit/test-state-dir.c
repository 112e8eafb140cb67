/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of a container's state directory going away
 * (husk_state_dir_remove in src/lib/state.c): more entries than one read
 * of the directory returns, and with no fd left to open, as after a create
 * that failed for want of fds. The last line printed is "N passed, M failed". */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "harness.h"
#include "state.h"
#include "utils.h"

static char *base; /* the test's temporary directory, the state root */

/* <base>/<id> created by husk, holding `entries` files; its open fd. */
static int make_state_dir(const char *id, int entries) {
  int fd = husk_state_dir_create(base, id, NULL);
  if (fd < 0) {
    fprintf(stderr, "husk_state_dir_create %s failed\n", id);
    exit(2);
  }
  for (int i = 0; i < entries; i++) {
    char name[64];
    snprintf(name, sizeof(name), "a-long-enough-name-to-fill-the-buffer-%04d", i);
    int f = openat(fd, name, O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
    if (f < 0) {
      perror(name);
      exit(2);
    }
    close(f);
  }
  return fd;
}

static bool gone(const char *id) {
  char path[4096];
  snprintf(path, sizeof(path), "%s/%s", base, id);
  struct stat st;
  return stat(path, &st) < 0 && errno == ENOENT;
}

/* Nothing under the root: no <id>, no .deleting-PID. */
static bool root_empty(void) {
  DIR *d = opendir(base);
  if (d == NULL)
    return false;
  int n = 0;
  struct dirent *de;
  while ((de = readdir(d)) != NULL)
    n += strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0;
  closedir(d);
  return n == 0;
}

static void test_many_entries(void) {
  /* 1,000 names of about 64 bytes: far more than one 4 KiB read. */
  int fd = make_state_dir("many", 1000);
  CHECK(husk_state_dir_remove(base, "many", fd, NULL) == 0);
  close(fd);
  CHECK(gone("many"));
  CHECK(root_empty());
  /* the same, opened by the call itself */
  fd = make_state_dir("many-unopened", 1000);
  close(fd);
  CHECK(husk_state_dir_remove(base, "many-unopened", -1, NULL) == 0);
  CHECK(gone("many-unopened"));
  CHECK(root_empty());
}

static void test_no_fd_left(void) {
  int fd = make_state_dir("no-fd", 3);
  struct rlimit old;
  getrlimit(RLIMIT_NOFILE, &old);
  /* Take every fd the limit allows. */
  struct rlimit low = {.rlim_cur = 32, .rlim_max = old.rlim_max};
  setrlimit(RLIMIT_NOFILE, &low);
  int taken[32], n = 0;
  while (n < 32 && (taken[n] = open("/dev/null", O_RDONLY | O_CLOEXEC)) >= 0)
    n++;
  CHECK(open("/dev/null", O_RDONLY | O_CLOEXEC) < 0 && errno == EMFILE);
  CHECK(husk_state_dir_remove(base, "no-fd", fd, NULL) == 0);
  while (n > 0)
    close(taken[--n]);
  setrlimit(RLIMIT_NOFILE, &old);
  close(fd);
  CHECK(gone("no-fd"));
  CHECK(root_empty());
}

static void test_missing(void) {
  /* Gone already (a concurrent delete): not an error. */
  CHECK(husk_state_dir_remove(base, "never-made", -1, NULL) == 0);
  CHECK(root_empty());
}

int main(void) {
  char tmpl[] = "/tmp/husk-test-state-dir-XXXXXX";
  if (mkdtemp(tmpl) == NULL) {
    perror("mkdtemp");
    return 2;
  }
  base = tmpl;
  test_many_entries();
  test_no_fd_left();
  test_missing();
  rmdir(base);
  printf("%d passed, %d failed\n", passed, failed);
  return failed ? 1 : 0;
}
