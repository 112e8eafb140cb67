/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "match-ids.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "state.h"
#include "utils.h"

static int compare_ids(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

int husk_match_ids(const char *root, const char *regex, char ***ids, size_t *n,
                   struct husk_error **err) {
  *ids = NULL;
  *n = 0;
  regex_t re;
  int rc = regcomp(&re, regex, REG_EXTENDED | REG_NOSUB);
  if (rc != 0) {
    char why[256];
    regerror(rc, &re, why, sizeof(why));
    return husk_fail(err, 0, "--regex \"%s\": invalid regular expression: %s", regex, why);
  }
  DIR *d = opendir(root);
  if (d == NULL) {
    int e = errno;
    regfree(&re);
    /* No state root yet: no containers, as for `husk list`. */
    return e == ENOENT ? 0 : husk_fail(err, e, "open state root %s", root);
  }
  struct dirent *de;
  while ((de = readdir(d)) != NULL) {
    if (de->d_name[0] == '.')
      continue;
    _cleanup_free_ char *state = xasprintf("%s/%s", de->d_name, HUSK_STATE_FILE);
    struct stat st;
    if (fstatat(dirfd(d), state, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(st.st_mode))
      continue;
    if (regexec(&re, de->d_name, 0, NULL, 0) != 0)
      continue;
    *ids = realloc(*ids, sizeof(char *) * (*n + 1));
    (*ids)[(*n)++] = xstrdup(de->d_name);
  }
  closedir(d);
  regfree(&re);
  if (*n > 1)
    qsort(*ids, *n, sizeof(char *), compare_ids);
  return 0;
}

void husk_match_ids_free(char **ids, size_t n) {
  for (size_t i = 0; i < n; i++)
    free(ids[i]);
  free(ids);
}
