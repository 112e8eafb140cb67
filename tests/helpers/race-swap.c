/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Test helper: the other container of a symlink-exchange race.
 *   race-swap PATH TARGET   make PATH.link, a symlink to TARGET, then swap
 *                           the names PATH and PATH.link as fast as it can
 *                           until killed: PATH is the directory or the
 *                           symlink, and always one of them.
 * The swap is one renameat2(RENAME_EXCHANGE), so PATH never goes missing:
 * a runtime that makes PATH in such a gap (as a swap by two renames
 * allows) would end the race with PATH a plain directory. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: race-swap PATH TARGET\n");
    return 2;
  }
  char link[4096];
  if (snprintf(link, sizeof(link), "%s.link", argv[1]) >= (int)sizeof(link) || symlink(argv[2], link) < 0) {
    perror(link);
    return 1;
  }
  for (;;) {
    if (renameat2(AT_FDCWD, argv[1], AT_FDCWD, link, RENAME_EXCHANGE) < 0) {
      perror("renameat2");
      return 1;
    }
  }
}
