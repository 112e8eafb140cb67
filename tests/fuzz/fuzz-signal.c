/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `husk kill ID SIGNAL`: a number, a name with or without SIG, RTMIN+N. */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "container.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *s = malloc(size + 1);
  memcpy(s, data, size);
  s[size] = '\0';
  int sig = husk_parse_signal(s);
  if (sig != -1 && (sig < 1 || sig > SIGRTMAX)) {
    fprintf(stderr, "\"%s\" parsed as %d\n", s, sig);
    abort();
  }
  free(s);
  return 0;
}
