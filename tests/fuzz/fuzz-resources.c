/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `husk update -r FILE`: a linux.resources object on its own. Whatever is
 * accepted must be exactly what the same object reads as inside a config:
 * the wrapping must not let the input reach outside linux.resources. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "resources.h"
#include "spec.h"
#include "utils.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  struct husk_error *err = NULL;
  struct oci_resources *r = oci_resources_parse((const char *)data, size, "resources.json", &err);
  if (r == NULL) {
    if (err == NULL || err->msg == NULL || strncmp(err->msg, "resources.json: ", 16) != 0 ||
        strchr(err->msg, '\n') != NULL) {
      fprintf(stderr, "refused without a one-line error naming the file: %s\n",
              err ? err->msg : "(none)");
      abort();
    }
    husk_error_free(err);
    return 0;
  }
  if (err != NULL)
    abort();
  /* Printed as the resources of a config, it reads back the same. */
  struct oci_linux l = {.resources = r};
  struct oci_config c = {.oci_version = "1.0.0", .linux_ = &l};
  char *text = oci_config_print(&c, false);
  struct oci_config *again = oci_config_parse(text, strlen(text), "printed", &err);
  if (again == NULL || again->linux_ == NULL || again->linux_->resources == NULL) {
    fprintf(stderr, "printed resources do not read back: %s\n%s\n", err ? err->msg : "", text);
    abort();
  }
  /* Nothing but linux.resources came out of the wrapping. */
  if (again->process || again->root || again->mounts_len || again->hooks ||
      again->annotations_len || again->linux_->namespaces_len || again->linux_->seccomp) {
    fprintf(stderr, "input reached outside linux.resources:\n%s\n", text);
    abort();
  }
  oci_config_free(again);
  free(text);
  oci_resources_free(r);
  return 0;
}
