/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "annotations.h"

#include <string.h>

const char *husk_annotation(const struct oci_config *c, const char *key) {
  const char *value = NULL;
  for (size_t i = 0; c && i < c->annotations_len; i++)
    if (c->annotations[i].key && strcmp(c->annotations[i].key, key) == 0)
      value = c->annotations[i].value;
  return value;
}

bool husk_annotation_on(const struct oci_config *c, const char *key) {
  const char *v = husk_annotation(c, key);
  return v && strcmp(v, "0") != 0;
}
