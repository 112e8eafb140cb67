/* SPDX-License-Identifier: GPL-2.0-or-later */
/* linux.uidMappings / gidMappings as husk_idmap_validate sees them: from a
 * parsed config, with and without a new user namespace. A map that passes
 * must really be what it promises (no overlap, no empty range, few lines).
 * A range that wraps past 2^32 passes too and only the kernel refuses it,
 * once the container's process exists: that is told once, not a crash. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "idmap.h"
#include "spec.h"

static void check_map(const struct oci_id_mapping *m, size_t n) {
  if (n == 0 || n > 340)
    abort();
  for (size_t i = 0; i < n; i++) {
    if (m[i].size == 0)
      abort();
    for (size_t k = 0; k < n; k++) {
      if (k == i)
        continue;
      uint64_t a = m[i].container_id, b = m[k].container_id;
      if (a < b + m[k].size && b < a + m[i].size) {
        fprintf(stderr, "overlapping container ids passed: [%zu] and [%zu]\n", i, k);
        abort();
      }
      a = m[i].host_id, b = m[k].host_id;
      if (a < b + m[k].size && b < a + m[i].size) {
        fprintf(stderr, "overlapping host ids passed: [%zu] and [%zu]\n", i, k);
        abort();
      }
    }
    static int told;
    if (!told && ((uint64_t)m[i].container_id + m[i].size > (1ULL << 32) ||
                  (uint64_t)m[i].host_id + m[i].size > (1ULL << 32))) {
      fprintf(stderr, "note: a range past 2^32 passed: %u %u %u\n", m[i].container_id,
              m[i].host_id, m[i].size);
      told = 1;
    }
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  struct husk_error *err = NULL;
  struct oci_config *c = oci_config_parse((const char *)data, size, "config.json", &err);
  if (c == NULL) {
    husk_error_free(err);
    return 0;
  }
  for (int userns = 0; userns <= 1; userns++) {
    if (husk_idmap_validate(c->linux_, userns, &err) == 0) {
      if (userns) {
        check_map(c->linux_->uid_mappings, c->linux_->uid_mappings_len);
        check_map(c->linux_->gid_mappings, c->linux_->gid_mappings_len);
        (void)husk_idmap_covers(c->linux_->uid_mappings, c->linux_->uid_mappings_len, 0);
      }
    } else if (err == NULL) {
      abort();
    }
    husk_error_free(err);
    err = NULL;
  }
  oci_config_free(c);
  return 0;
}
