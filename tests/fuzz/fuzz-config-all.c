/* SPDX-License-Identifier: GPL-2.0-or-later */
/* config.json through oci_config_parse_all (what `husk check` reads). It
 * must agree with oci_config_parse: no errors exactly when that one accepts
 * the text; and a partial config must free cleanly. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "spec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  struct oci_config_error *errors = NULL;
  size_t n = 0;
  struct oci_config *c = oci_config_parse_all((const char *)data, size, &errors, &n);
  if (c == NULL && n == 0) {
    fprintf(stderr, "no config and no error\n");
    abort();
  }
  for (size_t i = 0; i < n; i++) {
    if (errors[i].path == NULL || errors[i].message == NULL ||
        strchr(errors[i].message, '\n') != NULL) {
      fprintf(stderr, "error %zu: path or message missing or not one line\n", i);
      abort();
    }
  }
  struct husk_error *err = NULL;
  struct oci_config *strict = oci_config_parse((const char *)data, size, "config.json", &err);
  if ((strict != NULL) != (n == 0)) {
    fprintf(stderr, "parse and parse_all disagree: parse %s, parse_all %zu errors (first: %s: %s)\n",
            strict ? "accepts" : err->msg, n, n ? errors[0].path : "", n ? errors[0].message : "");
    abort();
  }
  if (c != NULL && n == 0)
    free(oci_config_print(c, false));
  oci_config_free(strict);
  husk_error_free(err);
  oci_config_errors_free(errors, n);
  oci_config_free(c);
  return 0;
}
