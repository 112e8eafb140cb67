/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "mempolicy.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "linux-abi.h"
#include "utils.h"

#define BITS_PER_LONG (8 * sizeof(unsigned long))

struct named {
  const char *name;
  int value;
};

static const struct named modes[] = {
    {"MPOL_DEFAULT", HUSK_MPOL_DEFAULT},       {"MPOL_BIND", HUSK_MPOL_BIND},
    {"MPOL_INTERLEAVE", HUSK_MPOL_INTERLEAVE}, {"MPOL_WEIGHTED_INTERLEAVE", HUSK_MPOL_WEIGHTED_INTERLEAVE},
    {"MPOL_PREFERRED", HUSK_MPOL_PREFERRED},   {"MPOL_PREFERRED_MANY", HUSK_MPOL_PREFERRED_MANY},
    {"MPOL_LOCAL", HUSK_MPOL_LOCAL},
};

static const struct named flags[] = {
    {"MPOL_F_NUMA_BALANCING", MPOL_F_NUMA_BALANCING},
    {"MPOL_F_RELATIVE_NODES", MPOL_F_RELATIVE_NODES},
    {"MPOL_F_STATIC_NODES", MPOL_F_STATIC_NODES},
};

static const char *const *names_of(const struct named *table, size_t n, const char **out) {
  if (out[0] == NULL)
    for (size_t i = 0; i < n; i++)
      out[i] = table[i].name;
  return out;
}

const char *const *husk_mempolicy_mode_names(void) {
  static const char *names[ARRAY_SIZE(modes) + 1];
  return names_of(modes, ARRAY_SIZE(modes), names);
}

const char *const *husk_mempolicy_flag_names(void) {
  static const char *names[ARRAY_SIZE(flags) + 1];
  return names_of(flags, ARRAY_SIZE(flags), names);
}

static const char *mode_name(int mode) {
  for (size_t i = 0; i < ARRAY_SIZE(modes); i++)
    if (modes[i].value == mode)
      return modes[i].name;
  return "?";
}

static void set_node(unsigned long *mask, unsigned long n) {
  mask[n / BITS_PER_LONG] |= 1UL << (n % BITS_PER_LONG);
}

static bool has_node(const unsigned long *mask, unsigned long n) {
  return mask[n / BITS_PER_LONG] & (1UL << (n % BITS_PER_LONG));
}

/* "0-3,7": nodes and ranges, in the list format of cpuset.mems. */
static char *parse_nodes(const char *s, unsigned long *mask, unsigned *count) {
  memset(mask, 0, sizeof(unsigned long) * HUSK_MPOL_LONGS);
  *count = 0;
  const char *p = s;
  while (*p) {
    const char *start = p;
    unsigned long lo, hi;
    char *end;
    if (!isdigit((unsigned char)*p))
      goto bad;
    errno = 0;
    lo = hi = strtoul(p, &end, 10);
    p = end;
    if (*p == '-') {
      if (!isdigit((unsigned char)p[1]))
        goto bad;
      hi = strtoul(p + 1, &end, 10);
      p = end;
    }
    if (errno == ERANGE || lo >= HUSK_MPOL_MAX_NODES || hi >= HUSK_MPOL_MAX_NODES)
      return xasprintf("node %.*s is above %d, the most the kernel has", (int)(p - start), start,
                       HUSK_MPOL_MAX_NODES - 1);
    if (hi < lo)
      return xasprintf("range %.*s goes down", (int)(p - start), start);
    for (unsigned long n = lo; n <= hi; n++)
      if (!has_node(mask, n)) {
        set_node(mask, n);
        (*count)++;
      }
    if (*p == ',' && p[1] != '\0')
      p++;
    else if (*p != '\0')
      goto bad;
  }
  return NULL;
bad:
  return xasprintf("\"%s\" is not a node list (like \"0-3,7\")", s);
}

char *husk_mempolicy_parse(const struct oci_memory_policy *mp, struct husk_mempolicy *out,
                           char **field) {
  memset(out, 0, sizeof(*out));
  *field = NULL;
  out->mode = -1;
  for (size_t i = 0; mp->mode && i < ARRAY_SIZE(modes); i++)
    if (strcmp(mp->mode, modes[i].name) == 0)
      out->mode = modes[i].value;
  if (out->mode < 0) {
    *field = xstrdup("mode");
    return xasprintf("unknown mode \"%s\" (MPOL_DEFAULT, MPOL_BIND, MPOL_INTERLEAVE, "
                     "MPOL_WEIGHTED_INTERLEAVE, MPOL_PREFERRED, MPOL_PREFERRED_MANY or MPOL_LOCAL)",
                     mp->mode ? mp->mode : "");
  }
  for (size_t i = 0; i < mp->flags_len; i++) {
    int flag = 0;
    for (size_t k = 0; mp->flags[i] && k < ARRAY_SIZE(flags); k++)
      if (strcmp(mp->flags[i], flags[k].name) == 0)
        flag = flags[k].value;
    if (flag == 0) {
      *field = xasprintf("flags[%zu]", i);
      return xasprintf("unknown flag \"%s\" (MPOL_F_NUMA_BALANCING, MPOL_F_RELATIVE_NODES or "
                       "MPOL_F_STATIC_NODES)",
                       mp->flags[i] ? mp->flags[i] : "");
    }
    out->flags |= flag;
  }
  if (mp->nodes) {
    char *why = parse_nodes(mp->nodes, out->nodes, &out->n_nodes);
    if (why) {
      *field = xstrdup("nodes");
      return why;
    }
  }
  const char *mode = mode_name(out->mode);
  /* What set_mempolicy(2) refuses with EINVAL, said before anything is made. */
  switch (out->mode) {
  case HUSK_MPOL_DEFAULT:
  case HUSK_MPOL_LOCAL:
    if (out->n_nodes) {
      *field = xstrdup("nodes");
      return xasprintf("%s takes no nodes, and %u are given", mode, out->n_nodes);
    }
    break;
  case HUSK_MPOL_BIND:
  case HUSK_MPOL_INTERLEAVE:
  case HUSK_MPOL_WEIGHTED_INTERLEAVE:
  case HUSK_MPOL_PREFERRED_MANY:
    if (out->n_nodes == 0) {
      *field = xstrdup("nodes");
      return xasprintf("%s needs at least one node", mode);
    }
    break;
  }
  if ((out->flags & MPOL_F_STATIC_NODES) && (out->flags & MPOL_F_RELATIVE_NODES)) {
    *field = xstrdup("flags");
    return xstrdup("MPOL_F_STATIC_NODES and MPOL_F_RELATIVE_NODES exclude each other");
  }
  if ((out->flags & (MPOL_F_STATIC_NODES | MPOL_F_RELATIVE_NODES)) && out->n_nodes == 0 &&
      out->mode != HUSK_MPOL_DEFAULT) {
    *field = xstrdup("flags");
    return xasprintf("MPOL_F_%s_NODES needs nodes to apply to, and %s has none",
                     out->flags & MPOL_F_STATIC_NODES ? "STATIC" : "RELATIVE", mode);
  }
  if ((out->flags & MPOL_F_NUMA_BALANCING) && out->mode != HUSK_MPOL_BIND &&
      out->mode != HUSK_MPOL_PREFERRED_MANY) {
    *field = xstrdup("flags");
    return xasprintf(
        "MPOL_F_NUMA_BALANCING goes with MPOL_BIND or MPOL_PREFERRED_MANY only, not %s", mode);
  }
  return NULL;
}

bool husk_mempolicy_host_nodes(unsigned long mask[HUSK_MPOL_LONGS]) {
  _cleanup_free_ char *text = NULL;
  size_t len = 0;
  if (read_file("/sys/devices/system/node/has_memory", &text, &len, 4096, NULL) < 0)
    return false;
  while (len > 0 && isspace((unsigned char)text[len - 1]))
    text[--len] = '\0';
  unsigned count;
  _cleanup_free_ char *why = parse_nodes(text, mask, &count);
  return why == NULL;
}

bool husk_mempolicy_no_host_node(const struct husk_mempolicy *mp,
                                 const unsigned long host[HUSK_MPOL_LONGS]) {
  if (mp->n_nodes == 0 || (mp->flags & MPOL_F_RELATIVE_NODES))
    return false;
  for (size_t i = 0; i < HUSK_MPOL_LONGS; i++)
    if (mp->nodes[i] & host[i])
      return false;
  return true;
}

char *husk_mempolicy_format_nodes(const unsigned long mask[HUSK_MPOL_LONGS]) {
  char *buf = NULL;
  size_t size = 0;
  FILE *f = open_memstream(&buf, &size);
  if (f == NULL)
    return xstrdup("?");
  const char *sep = "";
  for (unsigned long n = 0; n < HUSK_MPOL_MAX_NODES; n++) {
    if (!has_node(mask, n))
      continue;
    unsigned long last = n;
    while (last + 1 < HUSK_MPOL_MAX_NODES && has_node(mask, last + 1))
      last++;
    if (last == n)
      fprintf(f, "%s%lu", sep, n);
    else
      fprintf(f, "%s%lu-%lu", sep, n, last);
    sep = ",";
    n = last;
  }
  fclose(f);
  return buf ? buf : xstrdup("");
}

/* husk_mempolicy_parse, its problem as the error. */
static int parse_config(const struct oci_memory_policy *policy, struct husk_mempolicy *mp,
                        struct husk_error **err) {
  _cleanup_free_ char *field = NULL;
  _cleanup_free_ char *why = husk_mempolicy_parse(policy, mp, &field);
  if (why)
    return husk_fail(err, 0, "linux.memoryPolicy.%s: %s", field, why);
  return 0;
}

int husk_mempolicy_apply(const struct oci_linux *linux_, struct husk_error **err) {
  if (linux_ == NULL || linux_->memory_policy == NULL)
    return 0;
  struct husk_mempolicy mp;
  if (parse_config(linux_->memory_policy, &mp, err) < 0)
    return -EINVAL;
  /* maxnode counts one more than the bits the kernel reads (it does
   * --maxnode first); without nodes the mask is left out. */
  long r = syscall(SYS_set_mempolicy, mp.mode | mp.flags, mp.n_nodes ? mp.nodes : NULL,
                   mp.n_nodes ? (unsigned long)HUSK_MPOL_MAX_NODES + 1 : 0UL);
  if (r < 0) {
    int e = errno;
    if (e == ENOSYS)
      return husk_fail(err, e, "linux.memoryPolicy: set_mempolicy (a kernel without NUMA support)");
    if (mp.n_nodes)
      return husk_fail(err, e, "linux.memoryPolicy: set_mempolicy %s with nodes \"%s\"",
                       mode_name(mp.mode), linux_->memory_policy->nodes);
    return husk_fail(err, e, "linux.memoryPolicy: set_mempolicy %s", mode_name(mp.mode));
  }
  return 0;
}
