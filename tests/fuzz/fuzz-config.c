/* SPDX-License-Identifier: GPL-2.0-or-later */
/* config.json through oci_config_parse. Beyond memory errors it checks what
 * the parser promises: a refusal is one line that names the document, and a
 * config that was accepted prints back to JSON that parses to the same
 * config (printed twice, the texts are equal). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "spec.h"

static void check_error(const struct husk_error *err, const char *name) {
  size_t n = strlen(name);
  if (err == NULL || err->msg == NULL) {
    fprintf(stderr, "refused without an error\n");
    abort();
  }
  if (strncmp(err->msg, name, n) != 0 || strncmp(err->msg + n, ": ", 2) != 0 ||
      strchr(err->msg, '\n') != NULL) {
    fprintf(stderr, "error not one line naming %s: %s\n", name, err->msg);
    abort();
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  struct husk_error *err = NULL;
  struct oci_config *c = oci_config_parse((const char *)data, size, "config.json", &err);
  if (c == NULL) {
    check_error(err, "config.json");
    husk_error_free(err);
    return 0;
  }
  if (err != NULL)
    abort();

  char *text = oci_config_print(c, false);
  char *pretty = oci_config_print(c, true);
  if (text == NULL || pretty == NULL)
    abort();
  struct oci_config *again = oci_config_parse(text, strlen(text), "printed", &err);
  if (again == NULL) {
    fprintf(stderr, "printed config does not parse: %s\n%s\n", err ? err->msg : "?", text);
    abort();
  }
  char *text2 = oci_config_print(again, false);
  if (text2 == NULL || strcmp(text, text2) != 0) {
    fprintf(stderr, "round trip differs:\n%s\n%s\n", text, text2 ? text2 : "(null)");
    abort();
  }
  struct oci_config *from_pretty = oci_config_parse(pretty, strlen(pretty), "pretty", &err);
  if (from_pretty == NULL) {
    fprintf(stderr, "pretty config does not parse: %s\n", err ? err->msg : "?");
    abort();
  }
  oci_config_free(from_pretty);
  free(text2);
  oci_config_free(again);
  free(pretty);
  free(text);
  oci_config_free(c);
  return 0;
}
