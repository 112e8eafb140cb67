/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The config annotations that change what husk does: crun's run.oci.*
 * switches, which podman sets (and `husk features` lists as potentially
 * unsafe, since whoever writes the config controls them). */
#ifndef HUSK_ANNOTATIONS_H
#define HUSK_ANNOTATIONS_H

#include <stdbool.h>

#include "spec.h"

/* Keep the caller's supplementary groups (podman --group-add keep-groups). */
#define HUSK_ANN_KEEP_ORIGINAL_GROUPS "run.oci.keep_original_groups"
/* Host files that hooks' stdout and stderr are appended to. */
#define HUSK_ANN_HOOKS_STDOUT "run.oci.hooks.stdout"
#define HUSK_ANN_HOOKS_STDERR "run.oci.hooks.stderr"
/* A seccomp syscall name libseccomp does not know is an error, not skipped. */
#define HUSK_ANN_SECCOMP_FAIL_UNKNOWN "run.oci.seccomp_fail_unknown_syscall"

/* The value of annotation `key` (the last one when repeated), or NULL. */
const char *husk_annotation(const struct oci_config *c, const char *key);
/* A switch: on when present with any value but "0", as crun reads them. */
bool husk_annotation_on(const struct oci_config *c, const char *key);

#endif
