/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "passwd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The n-th ':'-separated field of `line` (without its newline), malloc'd. */
static char *nth_field(const char *line, int n) {
  const char *p = line;
  for (int i = 0; i < n; i++) {
    p = strchr(p, ':');
    if (p == NULL)
      return NULL;
    p++;
  }
  return strndup(p, strcspn(p, ":\n"));
}

char *husk_passwd_lookup(const char *path, uid_t uid, enum husk_passwd_field field) {
  FILE *f = fopen(path, "re");
  if (f == NULL)
    return NULL;
  char *line = NULL, *found = NULL;
  size_t cap = 0;
  while (found == NULL && getline(&line, &cap, f) > 0) {
    if (line[0] == '#' || line[0] == ':')
      continue;
    char *uid_text = nth_field(line, 2);
    char *end = NULL;
    unsigned long v = uid_text ? strtoul(uid_text, &end, 10) : 0;
    if (uid_text && end != uid_text && *end == '\0' && v == (unsigned long)uid)
      found = nth_field(line, (int)field);
    free(uid_text);
  }
  free(line);
  fclose(f);
  return found;
}
