/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `husk exec --cgroup [CONTROLLER[,CONTROLLER...]:]PATH`, repeated: one
 * argument a line. What is accepted stays below the container's cgroup. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgroup.h"

/* A cleaned sub path: "" or components without "", "." or "..". */
static void check_clean(const char *p) {
  if (p[0] == '\0')
    return;
  const char *c = p;
  for (;;) {
    size_t n = strcspn(c, "/");
    if (n == 0 || (n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.')) {
      fprintf(stderr, "sub path \"%s\" is not clean\n", p);
      abort();
    }
    if (c[n] == '\0')
      break;
    c += n + 1;
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *text = malloc(size + 1);
  memcpy(text, data, size);
  text[size] = '\0';
  char *args[16];
  size_t n = 0;
  char *save = NULL;
  for (char *line = strtok_r(text, "\n", &save); line && n < 16; line = strtok_r(NULL, "\n", &save))
    args[n++] = line;
  struct husk_cgroup_sub s;
  struct husk_error *err = NULL;
  if (husk_cgroup_sub_parse(args, n, &s, &err) < 0) {
    if (err == NULL || strncmp(err->msg, "--cgroup", 8) != 0 || strchr(err->msg, '\n')) {
      fprintf(stderr, "bad error: %s\n", err ? err->msg : "(none)");
      abort();
    }
    husk_error_free(err);
    free(text);
    return 0;
  }
  if (s.all && s.n) {
    fprintf(stderr, "both a PATH for all and per-controller paths\n");
    abort();
  }
  if (s.all)
    check_clean(s.all);
  for (size_t i = 0; i < s.n; i++) {
    check_clean(s.paths[i]);
    if (s.controllers[i][0] == '\0' || strpbrk(s.controllers[i], ",:"))
      abort();
  }
  char *v2 = husk_cgroup_sub_path(&s, NULL, "/base");
  if (strcmp(v2, "/base") != 0 && strncmp(v2, "/base/", 6) != 0)
    abort();
  free(v2);
  husk_cgroup_sub_clear(&s);
  free(text);
  return 0;
}
