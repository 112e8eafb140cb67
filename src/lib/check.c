/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `husk check`: read the bundle, collect every config error, then run each
 * part's checks against this host. Shared helpers live here too. */
#include "check.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check-internal.h"
#include "inroot.h"
#include "utils.h"

const char *husk_check_severity_name(enum husk_check_severity s) {
  switch (s) {
  case HUSK_CHECK_ERROR:
    return "error";
  case HUSK_CHECK_WARNING:
    return "warning";
  default:
    return "note";
  }
}

void check_add(struct husk_check *ck, enum husk_check_severity sev, const char *path,
               const char *fmt, ...) {
  struct husk_check_report *r = ck->report;
  char *msg = NULL;
  va_list ap;
  va_start(ap, fmt);
  if (vasprintf(&msg, fmt, ap) < 0)
    msg = NULL;
  va_end(ap);
  /* One finding, one line: control characters written as \n, \xNN. */
  char *line = msg ? husk_one_line(msg) : NULL;
  free(msg);
  msg = line;
  if (msg == NULL) {
    fputs("husk: out of memory\n", stderr);
    abort();
  }
  r->findings = realloc(r->findings, (r->len + 1) * sizeof(*r->findings));
  if (r->findings == NULL) {
    fputs("husk: out of memory\n", stderr);
    abort();
  }
  r->findings[r->len++] = (struct husk_check_finding){
      .severity = sev, .path = xstrdup(path ? path : ""), .message = msg};
  r->count[sev]++;
}

bool check_config_error_at(const struct husk_check *ck, const char *path) {
  size_t len = strlen(path);
  for (size_t i = 0; i < ck->n_config_errors; i++) {
    const char *p = ck->report->findings[i].path;
    if (strncmp(p, path, len) == 0 && (p[len] == '\0' || p[len] == '.' || p[len] == '['))
      return true;
  }
  return false;
}

/* ---- paths in the rootfs ------------------------------------------------ */

int check_resolve(const struct husk_check *ck, const char *path, char **landed, char **escape,
                  bool *missing, int *fd) {
  *landed = NULL;
  *escape = NULL;
  *missing = false;
  *fd = -1;
  if (ck->rootfd < 0)
    return -EBADF;
  struct husk_inroot_trace trace;
  int r = husk_inroot_resolve(ck->rootfd, path, &trace);
  *missing = trace.missing;
  if (r >= 0 || trace.missing) {
    *landed = trace.landed;
    *escape = trace.escape;
    trace.landed = trace.escape = NULL;
  }
  husk_inroot_trace_clear(&trace);
  if (r >= 0)
    *fd = r;
  return r >= 0 || *missing ? 0 : r;
}

int check_mount_covering(const struct husk_check *ck, const char *path, size_t before) {
  const struct oci_config *c = ck->config;
  _cleanup_free_ char *p = husk_path_normalize(path);
  int found = -1;
  for (size_t i = 0; i < c->mounts_len && i < before; i++) {
    const char *d = c->mounts[i].destination;
    if (d == NULL || d[0] != '/')
      continue;
    _cleanup_free_ char *n = husk_path_normalize(d);
    size_t len = strlen(n);
    if (strcmp(n, "/") == 0 || (strncmp(p, n, len) == 0 && (p[len] == '/' || p[len] == '\0')))
      found = (int)i;
  }
  return found;
}

/* ---- husk's own capabilities --------------------------------------------- */

bool check_host_has_cap(int cap) {
  static uint64_t bounding;
  static bool read;
  if (!read) {
    read = true;
    bounding = ~0ULL;
    _cleanup_free_ char *text = NULL;
    if (read_file("/proc/self/status", &text, NULL, 0, NULL) == 0) {
      const char *p = strstr(text, "\nCapBnd:");
      if (p)
        bounding = strtoull(p + 8, NULL, 16);
    }
  }
  return cap >= 0 && cap < 64 && (bounding & (1ULL << cap));
}

bool check_self_effective_cap(int cap) {
  cap_t caps = cap_get_proc();
  cap_flag_value_t v = CAP_CLEAR;
  if (caps) {
    cap_get_flag(caps, (cap_value_t)cap, CAP_EFFECTIVE, &v);
    cap_free(caps);
  }
  return v == CAP_SET;
}

/* ---- the driver ------------------------------------------------------------ */

static void add_config_errors(struct husk_check *ck, const char *text, size_t len) {
  struct oci_config_error *errors = NULL;
  size_t n = 0;
  struct oci_config *config = oci_config_parse_all(text, len, &errors, &n);
  for (size_t i = 0; i < n; i++)
    check_error(ck, errors[i].path, "%s", errors[i].message);
  oci_config_errors_free(errors, n);
  ck->config = config;
  ck->n_config_errors = ck->report->len;
}

int husk_check_bundle(const char *bundle, const struct husk_check_options *opts,
                      struct husk_check_report *out, struct husk_error **err) {
  static const struct husk_check_options no_options;
  memset(out, 0, sizeof(*out));
  char real[PATH_MAX];
  if (realpath(bundle, real) == NULL)
    return husk_fail(err, errno, "bundle %s", bundle);
  struct stat st;
  if (stat(real, &st) < 0 || !S_ISDIR(st.st_mode))
    return husk_fail(err, ENOTDIR, "bundle %s", bundle);
  _cleanup_free_ char *config_path = xasprintf("%s/config.json", real);
  _cleanup_free_ char *text = NULL;
  size_t len = 0;
  if (read_regular_file(config_path, &text, &len, HUSK_CONFIG_MAX, err) < 0)
    return -EINVAL;

  out->bundle = xstrdup(bundle);
  struct husk_check ck = {
      .opts = opts ? opts : &no_options,
      .bundle = xstrdup(real),
      .rootfd = -1,
      .report = out,
      .probe_host = true,
  };
  add_config_errors(&ck, text, len);
  if (ck.config)
    husk_plan_run_rules(&ck);
  if (ck.rootfd >= 0)
    close(ck.rootfd);
  free(ck.rootfs);
  free(ck.bundle);
  oci_config_free((struct oci_config *)ck.config);
  return 0;
}

void husk_check_report_free(struct husk_check_report *r) {
  for (size_t i = 0; i < r->len; i++) {
    free(r->findings[i].path);
    free(r->findings[i].message);
  }
  free(r->findings);
  free(r->bundle);
  memset(r, 0, sizeof(*r));
}
