/* SPDX-License-Identifier: GPL-2.0-or-later */
/* linux.resources alone, from a file or standard input (update -r); the
 * config parser reads it (oci_resources_parse in config.c). */
#include "resources.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "error.h"
#include "utils.h"

struct oci_resources *oci_resources_load(const char *path, struct husk_error **err) {
  _cleanup_free_ char *text = NULL;
  size_t len = 0;
  if (strcmp(path, "-") == 0) {
    if (read_file("/dev/stdin", &text, &len, 16 << 20, err) < 0)
      return NULL;
    return oci_resources_parse(text, len, "standard input", err);
  }
  if (read_file(path, &text, &len, 16 << 20, err) < 0)
    return NULL;
  const char *base = strrchr(path, '/');
  return oci_resources_parse(text, len, base && base[1] ? base + 1 : path, err);
}
