/* SPDX-License-Identifier: GPL-2.0-or-later */
/* mounts[].options: the input is "type\0opt\0opt...", as a config gives
 * them after JSON decoding. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mountopts.h"
#include "utils.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *buf = xmalloc0(size + 1);
  memcpy(buf, data, size);
  size_t n = 0;
  for (size_t i = 0; i < size; i++)
    n += buf[i] == '\0';
  char **opts = xmalloc0(sizeof(char *) * (n + 1));
  const char *type = buf;
  char *p = buf + strlen(buf);
  size_t k = 0;
  while (p < buf + size) {
    opts[k++] = ++p;
    p += strlen(p);
  }
  struct husk_mount_opts o;
  struct husk_error *err = NULL;
  /* As the callers do, the options are cleared after a refusal too. */
  if (husk_mount_opts_parse(opts, k, type[0] ? type : NULL, &o, &err) < 0) {
    if (err == NULL || err->msg == NULL)
      abort();
    husk_error_free(err);
    husk_mount_opts_clear(&o);
    free(opts);
    free(buf);
    return 0;
  }
  (void)husk_mount_remount_flags(&o);
  /* Everything the kernel would not take as a flag went to the data string. */
  if (o.data != NULL && strlen(o.data) > size)
    abort();
  husk_mount_opts_clear(&o);
  free(opts);
  free(buf);
  return 0;
}
