/* SPDX-License-Identifier: GPL-2.0-or-later */
/* linux.memoryPolicy: the node lists and the rules of set_mempolicy(2) that
 * husk checks before anything is made. */
#include <stdlib.h>

#include "harness.h"
#include "mempolicy.h"

static char *flags_none[1];

/* The problem parse finds (NULL when valid), "field: why". */
static char *problem(const char *mode, const char *nodes, char **flags, size_t n_flags,
                     struct husk_mempolicy *mp) {
  struct oci_memory_policy in = {
      .mode = (char *)mode, .nodes = (char *)nodes, .flags = flags, .flags_len = n_flags};
  struct husk_mempolicy scratch;
  char *field = NULL;
  char *why = husk_mempolicy_parse(&in, mp ? mp : &scratch, &field);
  if (why == NULL)
    return NULL;
  char *out = NULL;
  if (asprintf(&out, "%s: %s", field, why) < 0)
    abort();
  free(field);
  free(why);
  return out;
}

static void check_problem(const char *mode, const char *nodes, char **flags, size_t n,
                          const char *want_prefix) {
  char *got = problem(mode, nodes, flags, n, NULL);
  if (want_prefix == NULL) {
    CHECK_STR(got ? got : "(valid)", "(valid)");
  } else {
    CHECK(got != NULL && strncmp(got, want_prefix, strlen(want_prefix)) == 0);
    if (got == NULL || strncmp(got, want_prefix, strlen(want_prefix)) != 0)
      fprintf(stderr, "  got: %s\n  want: %s...\n", got ? got : "(valid)", want_prefix);
  }
  free(got);
}

static void test_nodes(void) {
  struct husk_mempolicy mp;
  CHECK(problem("MPOL_BIND", "0-3,7,5-5", flags_none, 0, &mp) == NULL);
  CHECK(mp.n_nodes == 6);
  char *text = husk_mempolicy_format_nodes(mp.nodes);
  CHECK_STR(text, "0-3,5,7");
  free(text);
  CHECK(problem("MPOL_BIND", "1023", flags_none, 0, &mp) == NULL);
  CHECK(mp.n_nodes == 1 && (mp.nodes[HUSK_MPOL_LONGS - 1] >> (8 * sizeof(unsigned long) - 1)) == 1);
  check_problem("MPOL_BIND", "1024", flags_none, 0, "nodes: node 1024 is above 1023");
  check_problem("MPOL_BIND", "0-9876543210", flags_none, 0, "nodes: node 0-9876543210 is above");
  check_problem("MPOL_BIND", "99999999999999999999999", flags_none, 0, "nodes: node ");
  check_problem("MPOL_BIND", "3-1", flags_none, 0, "nodes: range 3-1 goes down");
  static const char *const bad[] = {"0,", ",0", "0,,1", "a", "0-", "-1", " 0", "0 ", "1-2-3"};
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
    check_problem("MPOL_BIND", bad[i], flags_none, 0, "nodes: \"");
}

static void test_rules(void) {
  char *stat[] = {"MPOL_F_STATIC_NODES"};
  char *rel[] = {"MPOL_F_RELATIVE_NODES"};
  char *both[] = {"MPOL_F_STATIC_NODES", "MPOL_F_RELATIVE_NODES"};
  char *bal[] = {"MPOL_F_NUMA_BALANCING"};
  char *unknown[] = {"MPOL_F_STATIC_NODES", "badflag"};
  check_problem("INTERLEAVE", "0", flags_none, 0, "mode: unknown mode \"INTERLEAVE\"");
  check_problem(NULL, "0", flags_none, 0, "mode: unknown mode \"\"");
  check_problem("MPOL_BIND", "0", unknown, 2, "flags[1]: unknown flag \"badflag\"");
  check_problem("MPOL_DEFAULT", NULL, flags_none, 0, NULL);
  check_problem("MPOL_DEFAULT", "", flags_none, 0, NULL);
  check_problem("MPOL_DEFAULT", "0-7", flags_none, 0,
                "nodes: MPOL_DEFAULT takes no nodes, and 8 are given");
  check_problem("MPOL_LOCAL", "0", flags_none, 0, "nodes: MPOL_LOCAL takes no nodes");
  check_problem("MPOL_LOCAL", NULL, stat, 1, "flags: MPOL_F_STATIC_NODES needs nodes");
  check_problem("MPOL_PREFERRED", NULL, flags_none, 0, NULL);
  check_problem("MPOL_PREFERRED", NULL, rel, 1, "flags: MPOL_F_RELATIVE_NODES needs nodes");
  check_problem("MPOL_PREFERRED", "0", rel, 1, NULL);
  static const char *const need[] = {"MPOL_BIND", "MPOL_INTERLEAVE", "MPOL_WEIGHTED_INTERLEAVE",
                                     "MPOL_PREFERRED_MANY"};
  for (size_t i = 0; i < sizeof(need) / sizeof(need[0]); i++) {
    check_problem(need[i], NULL, flags_none, 0, "nodes: MPOL_");
    check_problem(need[i], "0", flags_none, 0, NULL);
  }
  check_problem("MPOL_BIND", "0", both, 2,
                "flags: MPOL_F_STATIC_NODES and MPOL_F_RELATIVE_NODES exclude");
  check_problem("MPOL_BIND", "0", bal, 1, NULL);
  check_problem("MPOL_PREFERRED_MANY", "0", bal, 1, NULL);
  check_problem("MPOL_INTERLEAVE", "0", bal, 1, "flags: MPOL_F_NUMA_BALANCING goes with");
  check_problem("MPOL_DEFAULT", NULL, bal, 1, "flags: MPOL_F_NUMA_BALANCING goes with");
}

static void test_host(void) {
  struct husk_mempolicy mp;
  unsigned long host[HUSK_MPOL_LONGS] = {0};
  host[0] = 1; /* node 0 only */
  char *rel[] = {"MPOL_F_RELATIVE_NODES"};
  CHECK(problem("MPOL_BIND", "1-3", flags_none, 0, &mp) == NULL);
  CHECK(husk_mempolicy_no_host_node(&mp, host));
  CHECK(problem("MPOL_BIND", "0,5", flags_none, 0, &mp) == NULL);
  CHECK(!husk_mempolicy_no_host_node(&mp, host));
  CHECK(problem("MPOL_BIND", "3", rel, 1, &mp) == NULL);
  CHECK(!husk_mempolicy_no_host_node(&mp, host));
  CHECK(problem("MPOL_LOCAL", NULL, flags_none, 0, &mp) == NULL);
  CHECK(!husk_mempolicy_no_host_node(&mp, host));
}

int main(void) {
  test_nodes();
  test_rules();
  test_host();
  printf("%d passed, %d failed\n", passed, failed);
  return failed ? 1 : 0;
}
