/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `husk update --memory 1.5g`: sizes with binary units. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgroup-resources.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *s = malloc(size + 1);
  memcpy(s, data, size);
  s[size] = '\0';
  int64_t v = 12345;
  int r = husk_parse_size(s, &v);
  if (r == 0 && v < -1) {
    fprintf(stderr, "\"%s\" parsed as %lld\n", s, (long long)v);
    abort();
  }
  if (r != 0 && v != 12345)
    abort(); /* a refused size leaves the output alone */
  free(s);
  return 0;
}
