/* SPDX-License-Identifier: GPL-2.0-or-later */
/* check: process.capabilities against libcap's names, this kernel, husk's
 * own bounding set, and the rules capset(2) applies between the sets. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>

#include "check-internal.h"
#include "utils.h"

static int last_cap(void) {
  _cleanup_free_ char *text = NULL;
  if (read_file("/proc/sys/kernel/cap_last_cap", &text, NULL, 64, NULL) == 0)
    return atoi(text);
  return CAP_LAST_CAP;
}

enum { BOUNDING, EFFECTIVE, INHERITABLE, PERMITTED, AMBIENT, N_SETS };

/* One set as a bit mask of the capabilities that are valid here. */
static uint64_t check_set(struct husk_check *ck, const char *set, char **names, size_t n,
                          int last) {
  uint64_t mask = 0;
  bool bounding = strcmp(set, "bounding") == 0;
  for (size_t i = 0; i < n; i++) {
    if (names[i] == NULL)
      continue;
    _cleanup_free_ char *path = xasprintf("process.capabilities.%s[%zu]", set, i);
    cap_value_t v;
    if (cap_from_name(names[i], &v) < 0) {
      check_error(ck, path, "unknown capability \"%s\"", names[i]);
      continue;
    }
    if (v > last) {
      check_warning(ck, path,
                    "%s is not supported by this kernel (it knows up to %d): husk skips it",
                    names[i], last);
      continue;
    }
    if (!check_host_has_cap(v)) {
      if (bounding)
        check_warning(ck, path,
                      "%s is not in this host's bounding set: husk cannot grant a capability it "
                      "does not have, so the container's bounding set lacks it",
                      names[i]);
      else
        check_error(ck, path,
                    "%s is not in this host's bounding set: husk cannot grant a capability it "
                    "does not have, so setting the %s set fails",
                    names[i], set);
      continue;
    }
    mask |= 1ULL << v;
  }
  return mask;
}

/* Each capability of `sub` that is missing from `super`. */
static void check_subset(struct husk_check *ck, enum husk_check_severity sev, const char *set,
                         uint64_t sub, uint64_t super, const char *why) {
  for (int v = 0; v < 64; v++) {
    if (!(sub & (1ULL << v)) || (super & (1ULL << v)))
      continue;
    char *lower = cap_to_name(v); /* libcap's: cap_free, not free */
    _cleanup_free_ char *name = xstrdup(lower ? lower : "?");
    cap_free(lower);
    for (char *q = name; *q; q++)
      *q = (char)toupper((unsigned char)*q);
    _cleanup_free_ char *path = xasprintf("process.capabilities.%s", set);
    check_add(ck, sev, path, "%s %s", name, why);
  }
}

void check_capabilities(struct husk_check *ck) {
  const struct oci_process *p = ck->config->process;
  const struct oci_capabilities *c = p ? p->capabilities : NULL;
  if (c == NULL)
    return;
  int last = last_cap();
  uint64_t set[N_SETS];
  set[BOUNDING] = check_set(ck, "bounding", c->bounding, c->bounding_len, last);
  set[EFFECTIVE] = check_set(ck, "effective", c->effective, c->effective_len, last);
  set[INHERITABLE] = check_set(ck, "inheritable", c->inheritable, c->inheritable_len, last);
  set[PERMITTED] = check_set(ck, "permitted", c->permitted, c->permitted_len, last);
  set[AMBIENT] = check_set(ck, "ambient", c->ambient, c->ambient_len, last);
  check_subset(ck, HUSK_CHECK_ERROR, "effective", set[EFFECTIVE], set[PERMITTED],
               "is not in the permitted set: capset(2) refuses an effective one that is not "
               "permitted");
  check_subset(ck, HUSK_CHECK_ERROR, "inheritable", set[INHERITABLE], set[BOUNDING],
               "is not in the bounding set: capset(2) refuses an inheritable one outside it");
  /* `runc spec` writes such a config (no inheritable set since
   * CVE-2022-29162): runc, crun and husk run it without those. */
  check_subset(ck, HUSK_CHECK_WARNING, "ambient", set[AMBIENT], set[PERMITTED] & set[INHERITABLE],
               "is not both permitted and inheritable, so it is not raised as ambient: the "
               "process runs without it, as with runc and crun");
}
