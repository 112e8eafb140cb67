/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of the cgroup code that needs no cgroup: conversions, size
 * parsing, the eBPF device program, cgroupsPath resolution, exec --cgroup,
 * the resources parser. As root it also asks the kernel's verifier to load the programs
 * (loading attaches nothing). The last line printed is "N passed, M failed". */
#include <errno.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cgroup-internal.h"
#include "cgroup-resources.h"
#include "cgroup.h"
#include "error.h"
#include "resources.h"
#include "utils.h"
#include "harness.h"


static void test_shares_to_weight(void) {
  CHECK(husk_cpu_shares_to_weight(0) == 0);
  CHECK(husk_cpu_shares_to_weight(1) == 1);
  CHECK(husk_cpu_shares_to_weight(2) == 1);
  CHECK(husk_cpu_shares_to_weight(3) == 2);
  CHECK(husk_cpu_shares_to_weight(100) == 17);
  CHECK(husk_cpu_shares_to_weight(512) == 59);
  CHECK(husk_cpu_shares_to_weight(1024) == 100); /* default to default */
  CHECK(husk_cpu_shares_to_weight(2048) == 174);
  CHECK(husk_cpu_shares_to_weight(4096) == 303);
  CHECK(husk_cpu_shares_to_weight(100000) == 4340);
  CHECK(husk_cpu_shares_to_weight(262143) == 10000);
  CHECK(husk_cpu_shares_to_weight(262144) == 10000);
  CHECK(husk_cpu_shares_to_weight(1000000) == 10000);
  /* monotonic and within range everywhere */
  uint64_t prev = 1;
  bool ok = true;
  for (uint64_t s = 2; s <= 262144; s++) {
    uint64_t w = husk_cpu_shares_to_weight(s);
    if (w < prev || w < 1 || w > 10000)
      ok = false;
    prev = w;
  }
  CHECK(ok);
}

static void test_blkio_weight(void) {
  CHECK(husk_blkio_weight_to_io_weight(0) == 0);
  CHECK(husk_blkio_weight_to_io_weight(10) == 1);
  CHECK(husk_blkio_weight_to_io_weight(500) == 4950);
  CHECK(husk_blkio_weight_to_io_weight(1000) == 10000);
}

static void test_swap(void) {
  int64_t out = 12345;
  const char *why = NULL;
  CHECK(husk_memory_swap_to_v2(0, 0, &out, &why) == 0 && out == 0);
  CHECK(husk_memory_swap_to_v2(0, -1, &out, &why) == 0 && out == -1); /* both unlimited */
  CHECK(husk_memory_swap_to_v2(-1, 1 << 20, &out, &why) == 0 && out == -1);
  CHECK(husk_memory_swap_to_v2(0, 1 << 20, &out, &why) == 0 && out == 0); /* unset */
  CHECK(husk_memory_swap_to_v2(3 << 20, 1 << 20, &out, &why) == 0 && out == 2 << 20);
  CHECK(husk_memory_swap_to_v2(1 << 20, 1 << 20, &out, &why) == 0 && out == 0);
  why = NULL;
  CHECK(husk_memory_swap_to_v2(1 << 20, 2 << 20, &out, &why) == -EINVAL && why != NULL);
  why = NULL;
  CHECK(husk_memory_swap_to_v2(1 << 20, 0, &out, &why) == -EINVAL && why != NULL);
  CHECK(husk_memory_swap_to_v2(1 << 20, -1, &out, &why) == -EINVAL);
}

static bool size_is(const char *s, int64_t want) {
  int64_t v = 0;
  return husk_parse_size(s, &v) == 0 && v == want;
}

static bool size_bad(const char *s) {
  int64_t v = 0;
  return husk_parse_size(s, &v) == -EINVAL;
}

static void test_sizes(void) {
  CHECK(size_is("4096", 4096));
  CHECK(size_is("0", 0));
  CHECK(size_is("-1", -1));
  CHECK(size_is("512k", 512 << 10));
  CHECK(size_is("512K", 512 << 10));
  CHECK(size_is("10m", 10 << 20));
  CHECK(size_is("64M", 64 << 20));
  CHECK(size_is("1g", 1 << 30));
  CHECK(size_is("1.5g", 3LL << 29));
  CHECK(size_is("1GiB", 1 << 30));
  CHECK(size_is("1gb", 1 << 30));
  CHECK(size_is("2 MB", 2 << 20));
  CHECK(size_is("1t", 1LL << 40));
  CHECK(size_is("100b", 100));
  CHECK(size_bad(""));
  CHECK(size_bad("k"));
  CHECK(size_bad("12q"));
  CHECK(size_bad("1.g"));
  CHECK(size_bad("-2"));
  CHECK(size_bad("1m1"));
  CHECK(size_bad("99999999999999999999"));
  CHECK(size_bad("9000000000p"));
}

/* ---- eBPF ------------------------------------------------------------- */

static struct bpf_insn *program(const struct husk_dev_rule *rules, size_t n, size_t *len) {
  struct bpf_insn *p = NULL;
  *len = 0;
  if (husk_ebpf_dev_program(rules, n, &p, len) < 0)
    return NULL;
  return p;
}

static bool is(const struct bpf_insn *i, uint8_t code, uint8_t dst, int16_t off, int32_t imm) {
  return i->code == code && i->dst_reg == dst && i->off == off && i->imm == imm;
}

/* What the verifier would refuse first: a jump out of the program, code
 * after the end, no exit. */
static bool well_formed(const struct bpf_insn *p, size_t len) {
  if (len == 0 || p[len - 1].code != (BPF_JMP | BPF_EXIT))
    return false;
  for (size_t i = 0; i < len; i++) {
    uint8_t op = BPF_OP(p[i].code);
    if (BPF_CLASS(p[i].code) == BPF_JMP && op != BPF_EXIT && op != BPF_CALL) {
      long target = (long)i + 1 + p[i].off;
      if (p[i].off <= 0 || target >= (long)len)
        return false;
    }
  }
  return true;
}

static int verifier_load(const struct bpf_insn *p, size_t len) {
  static char log[65536];
  union bpf_attr a;
  memset(&a, 0, sizeof(a));
  a.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
  a.insns = (uint64_t)(uintptr_t)p;
  a.insn_cnt = (uint32_t)len;
  a.license = (uint64_t)(uintptr_t) "GPL";
  a.log_buf = (uint64_t)(uintptr_t)log;
  a.log_size = sizeof(log);
  a.log_level = 1;
  int fd = (int)syscall(SYS_bpf, BPF_PROG_LOAD, &a, sizeof(a));
  if (fd < 0) {
    int e = errno;
    if (e == EINVAL)
      fprintf(stderr, "verifier: %s\n", log);
    return -e;
  }
  close(fd);
  return 0;
}

static void test_ebpf(void) {
  size_t len;
  const uint8_t JNE_K = BPF_JMP | BPF_JNE | BPF_K, MOV_K = BPF_ALU | BPF_MOV | BPF_K;
  const uint8_t EXIT = BPF_JMP | BPF_EXIT;

  /* deny-all alone: the prologue, then "return 0", nothing unreachable */
  struct husk_dev_rule deny_all = {false, 'a', -1, -1, HUSK_DEV_RWM};
  _cleanup_free_ struct bpf_insn *p1 = program(&deny_all, 1, &len);
  CHECK(p1 && len == 8);
  CHECK(p1 && p1[0].code == (BPF_LDX | BPF_MEM | BPF_W) && p1[0].dst_reg == BPF_REG_2);
  CHECK(p1 && is(&p1[1], BPF_ALU | BPF_AND | BPF_K, BPF_REG_2, 0, 0xffff));
  CHECK(p1 && is(&p1[3], BPF_ALU | BPF_RSH | BPF_K, BPF_REG_3, 0, 16));
  CHECK(p1 && p1[4].off == 4 && p1[5].off == 8);
  CHECK(p1 && is(&p1[6], MOV_K, BPF_REG_0, 0, 0) && p1[7].code == EXIT);

  /* deny-all then /dev/null: null's block first (last rule wins) */
  struct husk_dev_rule two[] = {{false, 'a', -1, -1, HUSK_DEV_RWM}, {true, 'c', 1, 3, HUSK_DEV_RWM}};
  _cleanup_free_ struct bpf_insn *p2 = program(two, 2, &len);
  CHECK(p2 && len == 13);
  CHECK(p2 && is(&p2[6], JNE_K, BPF_REG_2, 4, BPF_DEVCG_DEV_CHAR));
  CHECK(p2 && is(&p2[7], JNE_K, BPF_REG_4, 3, 1));
  CHECK(p2 && is(&p2[8], JNE_K, BPF_REG_5, 2, 3));
  CHECK(p2 && is(&p2[9], MOV_K, BPF_REG_0, 0, 1) && p2[10].code == EXIT);
  CHECK(p2 && is(&p2[11], MOV_K, BPF_REG_0, 0, 0) && p2[12].code == EXIT);
  CHECK(p2 && well_formed(p2, len));

  /* mknod of any char device: an access test (all bits asked must be
   * granted), no number tests, then the default deny */
  struct husk_dev_rule mknod = {true, 'c', -1, -1, HUSK_DEV_MKNOD};
  _cleanup_free_ struct bpf_insn *p3 = program(&mknod, 1, &len);
  CHECK(p3 && len == 14);
  CHECK(p3 && is(&p3[7], BPF_ALU | BPF_MOV | BPF_X, BPF_REG_1, 0, 0) && p3[7].src_reg == BPF_REG_3);
  CHECK(p3 && is(&p3[8], BPF_ALU | BPF_AND | BPF_K, BPF_REG_1, 0, BPF_DEVCG_ACC_MKNOD));
  CHECK(p3 && p3[9].code == (BPF_JMP | BPF_JNE | BPF_X) && p3[9].off == 2);
  CHECK(p3 && is(&p3[12], MOV_K, BPF_REG_0, 0, 0));
  CHECK(p3 && well_formed(p3, len));

  /* a deny of write matches when any asked bit is write */
  struct husk_dev_rule deny_w[] = {{true, 'a', -1, -1, HUSK_DEV_RWM}, {false, 'b', 8, -1, HUSK_DEV_WRITE}};
  _cleanup_free_ struct bpf_insn *p4 = program(deny_w, 2, &len);
  CHECK(p4 && len == 6 + 7 + 2);
  CHECK(p4 && is(&p4[6], JNE_K, BPF_REG_2, 6, BPF_DEVCG_DEV_BLOCK));
  CHECK(p4 && is(&p4[9], BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_1, 3, 0));
  CHECK(p4 && is(&p4[10], JNE_K, BPF_REG_4, 2, 8));
  CHECK(p4 && is(&p4[13], MOV_K, BPF_REG_0, 0, 1)); /* allow-all is the last block */
  CHECK(p4 && well_formed(p4, len));

  /* rules before an all-matching one are never reached: not emitted */
  struct husk_dev_rule shadowed[] = {{true, 'c', 1, 3, HUSK_DEV_RWM}, {false, 'a', -1, -1, HUSK_DEV_RWM}};
  _cleanup_free_ struct bpf_insn *p5 = program(shadowed, 2, &len);
  CHECK(p5 && len == 8);

  /* a config's rules with the default devices */
  struct oci_device_cgroup devs[] = {{.allow = false, .access = "rwm"},
                                     {.allow = true, .type = "b", .has_major = true, .major = 8,
                                      .has_minor = true, .minor = 0, .access = "r"}};
  struct oci_resources r = {.devices = devs, .devices_len = 2};
  _cleanup_free_ struct husk_dev_rule *rules = NULL;
  size_t n = 0;
  struct husk_error *err = NULL;
  CHECK(husk_dev_rules_build(&r, &rules, &n, &err) == 0 && n == 13);
  /* the defaults right after the blanket deny, the config's later rules after them */
  CHECK(rules && rules[0].type == 'a' && !rules[0].allow);
  CHECK(rules && rules[1].type == 'c' && rules[1].major == -1 && rules[1].access == HUSK_DEV_MKNOD);
  CHECK(rules && rules[12].type == 'b' && rules[12].major == 8 && rules[12].access == HUSK_DEV_READ);
  _cleanup_free_ struct bpf_insn *p6 = program(rules, n, &len);
  CHECK(p6 && well_formed(p6, len));
  CHECK(p6 && is(&p6[len - 2], MOV_K, BPF_REG_0, 0, 0)); /* deny-all ends it */

  struct oci_device_cgroup bad_type = {.allow = true, .type = "x"};
  struct oci_resources rb = {.devices = &bad_type, .devices_len = 1};
  _cleanup_free_ struct husk_dev_rule *none = NULL;
  CHECK(husk_dev_rules_build(&rb, &none, &n, &err) < 0 && err &&
        strstr(err->msg, "linux.resources.devices[0].type"));
  husk_error_free(err);
  err = NULL;
  struct oci_device_cgroup bad_access = {.allow = true, .type = "c", .access = "rx"};
  rb.devices = &bad_access;
  CHECK(husk_dev_rules_build(&rb, &none, &n, &err) < 0 && err &&
        strstr(err->msg, "devices[0].access"));
  husk_error_free(err);

  /* The kernel's verifier, when it lets us ask. */
  if (geteuid() == 0) {
    struct bpf_insn *progs[] = {p1, p2, p3, p4, p6};
    size_t lens[] = {8, 13, 14, 15, 0};
    husk_ebpf_dev_program(rules, n, &progs[4], &lens[4]);
    for (size_t i = 0; i < ARRAY_SIZE(progs); i++) {
      int ret = progs[i] ? verifier_load(progs[i], lens[i]) : -EINVAL;
      if (ret == -EPERM || ret == -ENOSYS) {
        fprintf(stderr, "note: bpf(2) not allowed here: verifier checks skipped\n");
        break;
      }
      CHECK(ret == 0);
    }
    free(progs[4]);
  }
}

/* ---- cgroupsPath -------------------------------------------------------- */

static char *resolve(const char *config_path) {
  char *out = NULL;
  struct husk_error *err = NULL;
  if (husk_cgroup_resolve_path(config_path, "c1", &out, &err) < 0) {
    husk_error_free(err);
    return NULL;
  }
  return out;
}

static bool resolves_to(const char *config_path, const char *want) {
  _cleanup_free_ char *got = resolve(config_path);
  return got && strcmp(got, want) == 0;
}

static bool ends_with(const char *s, const char *suffix) {
  size_t a = strlen(s), b = strlen(suffix);
  return a >= b && strcmp(s + a - b, suffix) == 0;
}

static void test_resolve(void) {
  CHECK(resolves_to(NULL, "/husk/c1"));
  CHECK(resolves_to("", "/husk/c1"));
  CHECK(resolves_to("/a/b", "/a/b"));
  CHECK(resolves_to("/a/b/", "/a/b"));
  CHECK(resolves_to("/a/b..c/..d", "/a/b..c/..d")); /* not a ".." component */
  _cleanup_free_ char *rel = resolve("x/y");
  CHECK(rel && rel[0] == '/' && ends_with(rel, "/x/y"));
  CHECK(resolve("/a/../b") == NULL);
  CHECK(resolve("/a/..") == NULL);
  CHECK(resolve("..") == NULL);
  CHECK(resolve("../x") == NULL);
  CHECK(resolve("/") == NULL);
  struct husk_error *err = NULL;
  char *out = NULL;
  CHECK(husk_cgroup_resolve_path("/a/../../etc", "c1", &out, &err) < 0 && err &&
        strstr(err->msg, "linux.cgroupsPath") && strstr(err->msg, ".."));
  husk_error_free(err);
}

/* ---- exec --cgroup ------------------------------------------------------- */

/* The v2 cgroup a process of the container at "/c" joins with `args`
 * (NULL when they are refused; *why gets the error then). */
static char *sub_v2(const char *a1, const char *a2, char **why) {
  char *args[] = {(char *)a1, (char *)a2};
  struct husk_cgroup_sub s;
  struct husk_error *err = NULL;
  *why = NULL;
  if (husk_cgroup_sub_parse(args, a2 ? 2 : 1, &s, &err) < 0) {
    *why = xstrdup(err->msg);
    husk_error_free(err);
    return NULL;
  }
  char *path = husk_cgroup_sub_path(&s, NULL, "/c");
  husk_cgroup_sub_clear(&s);
  return path;
}

static void test_cgroup_sub(void) {
  static const struct {
    const char *arg, *v2;
  } good[] = {
      {"sub", "/c/sub"},     {"/sub", "/c/sub"}, {"/", "/c"},         {".", "/c"},
      {"", "/c"},            {"a/../b", "/c/b"}, {"a/./b//", "/c/a/b"}, {"a/..", "/c"},
      {"..x/y..", "/c/..x/y.."},
      /* CONTROLLER:PATH leaves the v2 hierarchy at the container's cgroup. */
      {"memory:sub", "/c"},  {"cpu,cpuacct:/x", "/c"},
  };
  for (size_t i = 0; i < ARRAY_SIZE(good); i++) {
    _cleanup_free_ char *why = NULL;
    _cleanup_free_ char *got = sub_v2(good[i].arg, NULL, &why);
    CHECK_STR(got, good[i].v2);
    if (why)
      fprintf(stderr, "  %s: %s\n", good[i].arg, why);
  }
  static const struct {
    const char *a1, *a2, *fragment;
  } bad[] = {
      {"..", NULL, "--cgroup \"..\": not a sub-cgroup path"},
      {"a/../..", NULL, "not a sub-cgroup path"},
      {"/../x", NULL, "not a sub-cgroup path"},
      {"memory:../x", NULL, "--cgroup \"memory:../x\": not a sub-cgroup path"},
      {":x", NULL, "empty controller"},
      {"memory,:x", NULL, "empty controller"},
      {"a", "b", "--cgroup \"a\": with more than one --cgroup"},
      {"memory:a", "b", "--cgroup \"b\": with more than one --cgroup"},
      {"memory:a", "pids,memory:b", "controller memory is given more than once"},
  };
  for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
    _cleanup_free_ char *why = NULL;
    _cleanup_free_ char *got = sub_v2(bad[i].a1, bad[i].a2, &why);
    CHECK(got == NULL && why && strstr(why, bad[i].fragment));
    if (why && !strstr(why, bad[i].fragment))
      fprintf(stderr, "  message: %s\n", why);
  }
  /* Per v1 hierarchy: the path of a controller it has, else the cgroup. */
  char *args[] = {"memory:m", "cpu,name=systemd:/x/"};
  struct husk_cgroup_sub s;
  CHECK(husk_cgroup_sub_parse(args, 2, &s, NULL) == 0);
  struct husk_cgroup_hierarchy mem = {.mountpoint = "/m", .controllers = "memory"};
  struct husk_cgroup_hierarchy cpu = {.mountpoint = "/cc", .controllers = "cpu,cpuacct"};
  struct husk_cgroup_hierarchy acct = {.mountpoint = "/ca", .controllers = "cpuacct"};
  struct husk_cgroup_hierarchy sd = {.mountpoint = "/s", .controllers = "name=systemd"};
  struct husk_cgroup_hierarchy v2 = {.mountpoint = "/u", .controllers = "", .v2 = true};
  const struct husk_cgroup_hierarchy *hs[] = {&mem, &cpu, &acct, &sd, &v2};
  const char *want[] = {"/c/m", "/c/x", "/c", "/c/x", "/c"};
  for (size_t i = 0; i < ARRAY_SIZE(hs); i++) {
    _cleanup_free_ char *got = husk_cgroup_sub_path(&s, hs[i], "/c");
    CHECK_STR(got, want[i]);
  }
  husk_cgroup_sub_clear(&s);
}

/* ---- linux.resources alone ---------------------------------------------- */

static void test_resources_parse(void) {
  const char *json = "{\"memory\": {\"limit\": 67108864, \"swap\": -1}, \"pids\": {\"limit\": 10},"
                     " \"cpu\": {\"shares\": 512, \"cpus\": \"0-1\"},"
                     " \"unified\": {\"memory.high\": \"max\"}}";
  struct husk_error *err = NULL;
  struct oci_resources *r = oci_resources_parse(json, strlen(json), "r.json", &err);
  CHECK(r != NULL);
  CHECK(r && r->memory && r->memory->has_limit && r->memory->limit == 67108864);
  CHECK(r && r->memory && r->memory->has_swap && r->memory->swap == -1);
  CHECK(r && r->has_pids_limit && r->pids_limit == 10);
  CHECK(r && r->cpu && r->cpu->shares == 512 && strcmp(r->cpu->cpus, "0-1") == 0);
  CHECK(r && r->unified_len == 1 && strcmp(r->unified[0].key, "memory.high") == 0);
  oci_resources_free(r);

  static const struct {
    const char *json;
    const char *fragment;
  } bad[] = {
      {"{\"memory\": {\"limit\": \"1g\"}}", "r.json: linux.resources.memory.limit"},
      {"{\"memory\": {}} {}", "r.json: invalid JSON"},
      {"{\"memory\": {}}}, \"x\": {", "r.json: invalid JSON"},
      {"[1]", "expected a JSON object"},
      {"", "invalid JSON"},
  };
  for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
    err = NULL;
    r = oci_resources_parse(bad[i].json, strlen(bad[i].json), "r.json", &err);
    CHECK(r == NULL && err && strstr(err->msg, bad[i].fragment));
    if (err && !strstr(err->msg, bad[i].fragment))
      fprintf(stderr, "  message: %s\n", err->msg);
    oci_resources_free(r);
    husk_error_free(err);
  }
}

/* cpu.burst on a kernel without it (a directory with the CFS quota file and
 * no burst file), and on one with it. */
static void test_burst(void) {
  char dir[] = "/tmp/husk-test-burst-XXXXXX";
  if (mkdtemp(dir) == NULL)
    return;
  _cleanup_free_ char *quota = xasprintf("%s/cpu.cfs_quota_us", dir);
  _cleanup_free_ char *burst = xasprintf("%s/cpu.cfs_burst_us", dir);
  FILE *f = fopen(quota, "w");
  if (f)
    fclose(f);
  struct husk_error *err = NULL;
  CHECK(cg_write_burst(dir, "cpu.cfs_burst_us", "cpu.cfs_quota_us", 0, &err) == 0 && err == NULL);
  CHECK(cg_write_burst(dir, "cpu.cfs_burst_us", "cpu.cfs_quota_us", 1000, &err) < 0 && err &&
        strstr(err->msg, "linux.resources.cpu.burst: this kernel has no CPU burst") &&
        strstr(err->msg, burst) && strstr(err->msg, "5.14"));
  husk_error_free(err);
  err = NULL;
  f = fopen(burst, "w");
  if (f)
    fclose(f);
  CHECK(cg_write_burst(dir, "cpu.cfs_burst_us", "cpu.cfs_quota_us", 1000, &err) == 0 && err == NULL);
  char *text = NULL;
  size_t len = 0;
  CHECK(read_file(burst, &text, &len, 0, NULL) == 0 && text && strcmp(text, "1000") == 0);
  free(text);
  unlink(burst);
  unlink(quota);
  rmdir(dir);
}

int main(void) {
  test_burst();
  test_shares_to_weight();
  test_blkio_weight();
  test_swap();
  test_sizes();
  test_ebpf();
  test_resolve();
  test_cgroup_sub();
  test_resources_parse();
  printf("%d passed, %d failed\n", passed, failed);
  return failed == 0 ? 0 : 1;
}
