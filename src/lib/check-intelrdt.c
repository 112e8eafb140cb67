/* SPDX-License-Identifier: GPL-2.0-or-later */
/* check: linux.intelRdt against this host's resctrl, by the rules create
 * follows (husk_rdt_validate): every problem, where create stops at the
 * first. */
#include "check-internal.h"
#include "intelrdt.h"

static void report(void *opaque, const char *path, const char *msg) {
  check_error(opaque, path, "%s", msg);
}

void check_intelrdt(struct husk_check *ck) {
  const struct oci_linux *l = ck->config->linux_;
  if (l == NULL || l->intel_rdt == NULL || check_config_error_at(ck, "linux.intelRdt"))
    return;
  struct husk_rdt_host host;
  husk_rdt_host_find(&host);
  husk_rdt_validate(l->intel_rdt, &host, report, ck);
  husk_rdt_host_free(&host);
}
