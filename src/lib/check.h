/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `husk check`: whether a bundle will run on this host, and why not, found
 * without creating anything (no state, cgroup, mount, namespace or process:
 * it only reads the bundle, /proc and /sys). Every finding names the JSON
 * path it is about. */
#ifndef HUSK_CHECK_H
#define HUSK_CHECK_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

enum husk_check_severity {
  HUSK_CHECK_ERROR,   /* create would fail, or the config is invalid */
  HUSK_CHECK_WARNING, /* it runs, but not as the config says */
  HUSK_CHECK_NOTE,    /* worth knowing; nothing goes wrong */
};

struct husk_check_finding {
  enum husk_check_severity severity;
  char *path;    /* "process.args[0]"; "" for the bundle as a whole */
  char *message; /* one line */
};

struct husk_check_options {
  bool cgroups_disabled; /* --cgroup-manager disabled: no cgroup at all */
  bool systemd_cgroup;   /* --systemd-cgroup: cgroupsPath is "slice:prefix:name" */
  bool systemd_driver;   /* ... and systemd makes it (not --cgroup-manager cgroupfs) */
  bool checkpoint;       /* --checkpoint: also whether CRIU works here (criu check) */
  const char *criu;      /* --criu: the CRIU program; NULL: "criu" */
};

struct husk_check_report {
  char *bundle; /* as given */
  struct husk_check_finding *findings;
  size_t len;
  size_t count[3]; /* by severity */
};

/* Check the bundle at `bundle` (its config.json and rootfs). Returns 0 with
 * the findings in *out (free with husk_check_report_free), or a negative
 * errno with *err set when the bundle or its config.json cannot be read at
 * all. A config that is not valid JSON is a finding, not a failure. */
int husk_check_bundle(const char *bundle, const struct husk_check_options *opts,
                      struct husk_check_report *out, struct husk_error **err);
void husk_check_report_free(struct husk_check_report *r);

/* "error", "warning", "note". */
const char *husk_check_severity_name(enum husk_check_severity s);

#endif
