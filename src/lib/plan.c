/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The plan stage's driver: which namespaces the container gets, then each
 * part's rules (check-*.c), in the order `husk check` reports them. */
#include "plan.h"

#include <errno.h>
#include <string.h>

#include "check-internal.h"
#include "namespaces.h"

struct husk_check_options husk_plan_options(const struct husk_context *ctx) {
  return (struct husk_check_options){
      .cgroups_disabled = ctx->cgroup_manager == HUSK_CGROUP_MANAGER_DISABLED,
      .systemd_cgroup = ctx->systemd_cgroup,
      .systemd_driver = ctx->cgroup_manager == HUSK_CGROUP_MANAGER_SYSTEMD,
  };
}

/* Which namespaces the container will be in, new or joined. */
static void plan_namespaces(struct husk_check *ck) {
  const struct oci_linux *l = ck->config->linux_;
  for (size_t i = 0; l && i < l->namespaces_len; i++) {
    int k = husk_ns_kind(l->namespaces[i].type);
    if (k < 0)
      continue;
    ck->has_ns[k] = true;
    if (l->namespaces[i].path == NULL || l->namespaces[i].path[0] == '\0')
      ck->new_ns[k] = true;
  }
}

void husk_plan_run_rules(struct husk_check *ck) {
  plan_namespaces(ck);
  check_root(ck);
  check_process(ck);
  check_capabilities(ck);
  check_mounts(ck);
  check_namespaces(ck);
  check_linux(ck);
  check_intelrdt(ck);
  check_net_devices(ck);
  check_memory_policy(ck);
  check_seccomp(ck);
  check_cgroups(ck);
  check_hooks(ck);
  check_criu(ck);
}

void husk_plan_findings(const struct oci_config *config, const char *bundle,
                        const struct husk_check_options *opts, struct husk_check_report *report) {
  struct husk_check ck = {
      .opts = opts,
      .config = config,
      .bundle = (char *)bundle,
      .rootfd = -1,
      .report = report,
  };
  husk_plan_run_rules(&ck);
}

/* The first error of `report` as *err; frees the report. */
static int first_error(struct husk_check_report *report, const char *name, struct husk_error **err) {
  int ret = 0;
  for (size_t i = 0; i < report->len && ret == 0; i++) {
    const struct husk_check_finding *f = &report->findings[i];
    if (f->severity == HUSK_CHECK_ERROR)
      ret = husk_fail(err, 0, "%s: %s: %s", name, f->path, f->message);
  }
  husk_check_report_free(report);
  return ret < 0 ? -EINVAL : 0;
}

int husk_plan_config(const struct oci_config *config, const char *bundle, const char *config_name,
                     const struct husk_check_options *opts, struct husk_error **err) {
  struct husk_check_report report = {0};
  husk_plan_findings(config, bundle, opts, &report);
  return first_error(&report, config_name, err);
}

int husk_plan_exec_process(const struct oci_config *config, const struct oci_process *process,
                           const char *name, struct husk_error **err) {
  static const struct husk_check_options no_options;
  /* exec leaves oom_score_adj as the container's init has it. */
  struct oci_process as_run = *process;
  as_run.has_oom_score_adj = false;
  struct oci_config with_process = *config;
  with_process.process = &as_run;
  struct husk_check_report report = {0};
  struct husk_check ck = {
      .opts = &no_options, .config = &with_process, .rootfd = -1, .report = &report};
  plan_namespaces(&ck);
  check_process(&ck);
  check_capabilities(&ck);
  return first_error(&report, name, err);
}
