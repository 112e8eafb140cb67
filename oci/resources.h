/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A linux.resources object on its own, as `husk update -r FILE` reads it. */
#ifndef HUSK_OCI_RESOURCES_H
#define HUSK_OCI_RESOURCES_H

#include <stddef.h>

#include "spec.h"

/* Parse a JSON object with the fields of linux.resources. `name` starts
 * error messages, which then give the field's path as in a config:
 * "<name>: linux.resources.memory.limit: expected an integer". */
struct oci_resources *oci_resources_parse(const char *json, size_t len, const char *name,
                                          struct husk_error **err);
/* Read a file, or standard input for "-". */
struct oci_resources *oci_resources_load(const char *path, struct husk_error **err);
void oci_resources_free(struct oci_resources *r);

#endif
