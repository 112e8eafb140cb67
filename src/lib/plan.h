/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The plan stage: every rule of a config that needs nothing but the config
 * and the host's facts (cgroup mode, kernel features, husk's privileges and
 * namespaces). It reads no file of the bundle and changes nothing. create,
 * run and exec stop at its first error, before they make anything; `husk
 * check` prints all of its findings, then adds what only the host's files
 * can tell (the rootfs, bind sources, devices, the cgroup tree). The rules
 * themselves live in check-*.c, one part of the config per file. */
#ifndef HUSK_PLAN_H
#define HUSK_PLAN_H

#include "check.h"
#include "container.h"
#include "error.h"
#include "spec.h"

/* What the command line says about the cgroup, as the rules see it. */
struct husk_check_options husk_plan_options(const struct husk_context *ctx);

/* The rules' findings for `config` (parsed without errors) of the bundle
 * `bundle` (absolute), added to *report. */
void husk_plan_findings(const struct oci_config *config, const char *bundle,
                        const struct husk_check_options *opts, struct husk_check_report *report);

/* create and run: 0 when the rules find no error, else -EINVAL with the
 * first one in *err, as "CONFIG_NAME: PATH: MESSAGE". */
int husk_plan_config(const struct oci_config *config, const char *bundle, const char *config_name,
                     const struct husk_check_options *opts, struct husk_error **err);

/* exec: the rules of the process it runs (its process.json, or the
 * container's process with the command line's changes) in the container's
 * config; the first error as "NAME: PATH: MESSAGE", -EINVAL. */
int husk_plan_exec_process(const struct oci_config *config, const struct oci_process *process,
                           const char *name, struct husk_error **err);

#endif
