/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What the cgroup-*.c files share: writes whose errors name the JSON field,
 * the file and the value; the device rules; the per-version appliers. */
#ifndef HUSK_CGROUP_INTERNAL_H
#define HUSK_CGROUP_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cgroup-resources.h"
#include "error.h"
#include "spec.h"

#define RES "linux.resources."

/* Write `value` to dir/file. On failure: "<what>: write <value> to
 * <dir>/<file>: <strerror>", plus, on cgroup2 when the file is missing, why
 * the controller is missing. Returns 0 or -errno. */
int cg_write(const char *dir, const char *file, const char *value, const char *what,
             struct husk_error **err);
int cg_write_i64(const char *dir, const char *file, int64_t value, const char *what,
                 struct husk_error **err);
int cg_write_u64(const char *dir, const char *file, uint64_t value, const char *what,
                 struct husk_error **err);
/* cpu.burst into `file` (v1 cpu.cfs_burst_us, v2 cpu.max.burst): a clear
 * error where the kernel has no burst (before 5.14), whose CFS file
 * `sibling` is there without it; a burst of 0 asks nothing of such a kernel. */
int cg_write_burst(const char *dir, const char *file, const char *sibling, uint64_t burst,
                   struct husk_error **err);
/* Read dir/file without its trailing newline; -errno and no error set. */
int cg_read(const char *dir, const char *file, char **out);
/* A number, "max" read as UINT64_MAX. */
int cg_read_u64(const char *dir, const char *file, uint64_t *out);
/* The value of `key` in a "key value" file (memory.stat, cpu.stat). */
int cg_read_keyed(const char *dir, const char *file, const char *key, uint64_t *out);
bool cg_has(const char *dir, const char *file);
/* husk_fail with errno `e` and a message that may go on after strerror. */
int cg_fail(struct husk_error **err, int e, const char *hint, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* --- devices --------------------------------------------------------------- */

enum { HUSK_DEV_MKNOD = 1, HUSK_DEV_READ = 2, HUSK_DEV_WRITE = 4, HUSK_DEV_RWM = 7 };

/* One rule: type 'a' (every device), 'b' or 'c'; major/minor -1 for any. */
struct husk_dev_rule {
  bool allow;
  char type;
  int64_t major;
  int64_t minor;
  unsigned access;
};

/* The rules a container gets, in order: r->devices, with the devices every
 * container needs (runc's AllowedDevices) right after its last blanket
 * deny (at the end when there is none). Deny-all comes first implicitly:
 * a device no rule matches is denied; the last matching rule wins. */
int husk_dev_rules_build(const struct oci_resources *r, struct husk_dev_rule **out, size_t *n,
                         struct husk_error **err);
/* v1: "a" to devices.deny, then each rule to devices.allow/devices.deny. */
int husk_dev_rules_apply_v1(const char *dir, const struct husk_dev_rule *rules, size_t n,
                            struct husk_error **err);

struct bpf_insn;
/* The BPF_PROG_TYPE_CGROUP_DEVICE program for the rules (malloc'd). */
int husk_ebpf_dev_program(const struct husk_dev_rule *rules, size_t n, struct bpf_insn **out,
                          size_t *len);
/* Load it and attach it to the cgroup2 directory, replacing the program
 * husk attached there before. */
int husk_ebpf_dev_attach(const char *dir, const struct bpf_insn *prog, size_t len,
                         struct husk_error **err);

/* --- appliers -------------------------------------------------------------- */

int husk_cgroup_v1_apply(const char *path, const struct oci_resources *r, bool update,
                         struct husk_error **err);
int husk_cgroup_v2_apply(const char *path, const struct oci_resources *r, bool update,
                         struct husk_error **err);
/* hugepageLimits, as runc: each limit to hugetlb.<size><limit_suffix> and to
 * its reservation counterpart, hugetlb.<size>.rsvd<limit_suffix>, which
 * kernels before 5.7 lack (then skipped). Suffix ".max" on v2,
 * ".limit_in_bytes" on v1. */
int cg_apply_hugetlb(const char *dir, const struct oci_resources *r, const char *limit_suffix,
                     struct husk_error **err);
/* The limit pids.max gets: "max" for a negative one, else the number (0
 * included: runtime-spec 1.3 makes it a real limit). */
int cg_apply_pids_limit(const char *dir, int64_t limit, struct husk_error **err);
/* Pieces the v1 applier borrows from v2 on hybrid hosts, and back. */
int cg2_apply_hugetlb(const char *dir, const struct oci_resources *r, struct husk_error **err);
int cg2_apply_rdma(const char *dir, const struct oci_resources *r, struct husk_error **err);
int cg2_apply_unified(const char *dir, const struct oci_resources *r, struct husk_error **err);
int cg1_apply_network(const char *path, const struct oci_resources *r, struct husk_error **err);
/* "2MB": digits and a unit, nothing that could leave the directory. */
int cg_check_page_size(const char *size, size_t index, struct husk_error **err);
/* An rdma device name is written as the first word of a line. */
int cg_check_rdma_name(const char *name, struct husk_error **err);

#endif
