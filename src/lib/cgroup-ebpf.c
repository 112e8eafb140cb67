/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cgroup v2 device control: the rules compiled to a
 * BPF_PROG_TYPE_CGROUP_DEVICE program, loaded and attached with the raw
 * bpf(2) syscall (no libbpf).
 *
 * The program reads the request from struct bpf_cgroup_dev_ctx into
 *   r2 = device type (BPF_DEVCG_DEV_BLOCK/CHAR), r3 = access bits
 *   (BPF_DEVCG_ACC_MKNOD/READ/WRITE), r4 = major, r5 = minor,
 * then tests the rules from the last to the first: the first that matches
 * returns 1 (allow) or 0 (deny), so a later rule overrides an earlier one as
 * in v1. An allow rule matches when it grants every bit asked for, a deny
 * rule when it takes away any of them. Nothing matching: denied. */
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cgroup-internal.h"
#include "linux-abi.h"
#include "log.h"
#include "utils.h"

/* How husk knows its own program among those attached to a cgroup. */
#define PROG_NAME "husk_devices"

#define INSN(c, d, s, o, i) ((struct bpf_insn){.code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i)})

struct prog {
  struct bpf_insn *insns;
  size_t len, cap;
};

static void emit(struct prog *p, struct bpf_insn insn) {
  if (p->len == p->cap) {
    p->cap = p->cap ? p->cap * 2 : 64;
    struct bpf_insn *n = realloc(p->insns, p->cap * sizeof(*n));
    if (n == NULL)
      abort();
    p->insns = n;
  }
  p->insns[p->len++] = insn;
}

/* One rule: its tests (each jumping past the block when the request does
 * not match), then "return allow". Returns whether it tests anything: a
 * rule that matches every request ends the program. */
static bool emit_rule(struct prog *p, const struct husk_dev_rule *r) {
  struct bpf_insn tests[6];
  size_t n = 0;
  if (r->type != 'a')
    tests[n++] = INSN(BPF_JMP | BPF_JNE | BPF_K, BPF_REG_2, 0, 0,
                      r->type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR);
  if ((r->access & HUSK_DEV_RWM) != HUSK_DEV_RWM) {
    tests[n++] = INSN(BPF_ALU | BPF_MOV | BPF_X, BPF_REG_1, BPF_REG_3, 0, 0);
    tests[n++] = INSN(BPF_ALU | BPF_AND | BPF_K, BPF_REG_1, 0, 0, (int32_t)r->access);
    tests[n++] = r->allow ? INSN(BPF_JMP | BPF_JNE | BPF_X, BPF_REG_1, BPF_REG_3, 0, 0)
                          : INSN(BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_1, 0, 0, 0);
  }
  if (r->type != 'a' && r->major >= 0)
    tests[n++] = INSN(BPF_JMP | BPF_JNE | BPF_K, BPF_REG_4, 0, 0, (int32_t)r->major);
  if (r->type != 'a' && r->minor >= 0)
    tests[n++] = INSN(BPF_JMP | BPF_JNE | BPF_K, BPF_REG_5, 0, 0, (int32_t)r->minor);
  for (size_t i = 0; i < n; i++) {
    if (BPF_CLASS(tests[i].code) == BPF_JMP)
      tests[i].off = (int16_t)(n - i - 1 + 2); /* past the rest and the return */
    emit(p, tests[i]);
  }
  emit(p, INSN(BPF_ALU | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, r->allow ? 1 : 0));
  emit(p, INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0));
  return n > 0;
}

int husk_ebpf_dev_program(const struct husk_dev_rule *rules, size_t n, struct bpf_insn **out,
                          size_t *len) {
  struct prog p = {0};
  /* access_type is (BPF_DEVCG_ACC_* << 16) | BPF_DEVCG_DEV_*. */
  emit(&p, INSN(BPF_LDX | BPF_MEM | BPF_W, BPF_REG_2, BPF_REG_1, 0, 0));
  emit(&p, INSN(BPF_ALU | BPF_AND | BPF_K, BPF_REG_2, 0, 0, 0xffff));
  emit(&p, INSN(BPF_LDX | BPF_MEM | BPF_W, BPF_REG_3, BPF_REG_1, 0, 0));
  emit(&p, INSN(BPF_ALU | BPF_RSH | BPF_K, BPF_REG_3, 0, 0, 16));
  emit(&p, INSN(BPF_LDX | BPF_MEM | BPF_W, BPF_REG_4, BPF_REG_1, 4, 0));
  emit(&p, INSN(BPF_LDX | BPF_MEM | BPF_W, BPF_REG_5, BPF_REG_1, 8, 0));
  bool open_ended = true;
  for (size_t i = n; i-- > 0 && open_ended;) {
    if (rules[i].major > INT32_MAX || rules[i].minor > INT32_MAX) {
      free(p.insns);
      return -ERANGE;
    }
    open_ended = emit_rule(&p, &rules[i]);
  }
  /* The verifier refuses unreachable code: the default only when some
   * request can get this far. */
  if (open_ended) {
    emit(&p, INSN(BPF_ALU | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 0));
    emit(&p, INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0));
  }
  *out = p.insns;
  *len = p.len;
  return 0;
}

static int sys_bpf(int cmd, union bpf_attr *attr) {
  return (int)syscall(SYS_bpf, cmd, attr, sizeof(*attr));
}

static int load(const struct bpf_insn *prog, size_t len, char *log, size_t log_size) {
  union bpf_attr a;
  memset(&a, 0, sizeof(a));
  a.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
  a.insns = (uint64_t)(uintptr_t)prog;
  a.insn_cnt = (uint32_t)len;
  a.license = (uint64_t)(uintptr_t) "GPL";
  memcpy(a.prog_name, PROG_NAME, sizeof(PROG_NAME));
  int fd = sys_bpf(BPF_PROG_LOAD, &a);
  if (fd < 0 && errno == EINVAL && log) {
    /* Again with the verifier's log, to say why. */
    a.log_buf = (uint64_t)(uintptr_t)log;
    a.log_size = (uint32_t)log_size;
    a.log_level = 1;
    log[0] = '\0';
    fd = sys_bpf(BPF_PROG_LOAD, &a);
    if (fd >= 0) /* it did not fail for want of a log after all */
      return fd;
    errno = EINVAL;
  }
  return fd < 0 ? -errno : fd;
}

/* fds of the programs named PROG_NAME attached directly to the cgroup. */
static size_t find_ours(int cgroup_fd, int *fds, size_t max) {
  uint32_t ids[64];
  union bpf_attr a;
  memset(&a, 0, sizeof(a));
  a.query.target_fd = (uint32_t)cgroup_fd;
  a.query.attach_type = BPF_CGROUP_DEVICE;
  a.query.prog_ids = (uint64_t)(uintptr_t)ids;
  a.query.prog_cnt = ARRAY_SIZE(ids);
  if (sys_bpf(BPF_PROG_QUERY, &a) < 0)
    return 0;
  size_t n = 0;
  for (uint32_t i = 0; i < a.query.prog_cnt && i < ARRAY_SIZE(ids) && n < max; i++) {
    union bpf_attr g;
    memset(&g, 0, sizeof(g));
    g.prog_id = ids[i];
    int fd = sys_bpf(BPF_PROG_GET_FD_BY_ID, &g);
    if (fd < 0)
      continue;
    struct bpf_prog_info info;
    memset(&info, 0, sizeof(info));
    union bpf_attr q;
    memset(&q, 0, sizeof(q));
    q.info.bpf_fd = (uint32_t)fd;
    q.info.info_len = sizeof(info);
    q.info.info = (uint64_t)(uintptr_t)&info;
    if (sys_bpf(BPF_OBJ_GET_INFO_BY_FD, &q) == 0 && strcmp(info.name, PROG_NAME) == 0)
      fds[n++] = fd;
    else
      close(fd);
  }
  return n;
}

static int attach(int cgroup_fd, int prog_fd, int replace_fd) {
  union bpf_attr a;
  memset(&a, 0, sizeof(a));
  a.target_fd = (uint32_t)cgroup_fd;
  a.attach_bpf_fd = (uint32_t)prog_fd;
  a.attach_type = BPF_CGROUP_DEVICE;
  a.attach_flags = BPF_F_ALLOW_MULTI;
  if (replace_fd >= 0) {
    a.attach_flags |= BPF_F_REPLACE;
    a.replace_bpf_fd = (uint32_t)replace_fd;
  }
  return sys_bpf(BPF_PROG_ATTACH, &a) < 0 ? -errno : 0;
}

static void detach(int cgroup_fd, int prog_fd) {
  union bpf_attr a;
  memset(&a, 0, sizeof(a));
  a.target_fd = (uint32_t)cgroup_fd;
  a.attach_bpf_fd = (uint32_t)prog_fd;
  a.attach_type = BPF_CGROUP_DEVICE;
  sys_bpf(BPF_PROG_DETACH, &a);
}

/* The last non-empty line of the verifier's log. */
static const char *log_tail(char *log) {
  size_t n = strlen(log);
  while (n > 0 && log[n - 1] == '\n')
    log[--n] = '\0';
  char *nl = strrchr(log, '\n');
  return nl ? nl + 1 : log;
}

int husk_ebpf_dev_attach(const char *dir, const struct bpf_insn *prog, size_t len,
                         struct husk_error **err) {
  _cleanup_close_ int cgroup_fd = open(dir, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
  if (cgroup_fd < 0)
    return husk_fail(err, errno, RES "devices: open cgroup %s", dir);
  _cleanup_free_ char *log = xmalloc0(64 * 1024);
  _cleanup_close_ int prog_fd = load(prog, len, log, 64 * 1024);
  if (prog_fd == -EPERM && geteuid() != 0) {
    /* Rootless: the kernel lets no one but root load it, as crun finds. */
    husk_debug(RES "devices: not root, so no eBPF device filter for %s", dir);
    return 0;
  }
  if (prog_fd < 0)
    return cg_fail(err, -prog_fd, NULL, RES "devices: load the eBPF device filter (%zu insns)%s%s",
                   len, log[0] ? ": " : "", log[0] ? log_tail(log) : "");
  int old[16];
  size_t n_old = find_ours(cgroup_fd, old, ARRAY_SIZE(old));
  int r = -EINVAL;
  /* One program of ours there: swap it in place (Linux 5.6+), so that no
   * request is ever judged without it. */
  if (n_old == 1 && (r = attach(cgroup_fd, prog_fd, old[0])) == 0) {
    close(old[0]);
    return 0;
  }
  if ((r = attach(cgroup_fd, prog_fd, -1)) < 0) {
    for (size_t i = 0; i < n_old; i++)
      close(old[i]);
    return cg_fail(err, -r, NULL, RES "devices: attach the eBPF device filter to %s", dir);
  }
  for (size_t i = 0; i < n_old; i++) {
    detach(cgroup_fd, old[i]);
    close(old[i]);
  }
  return 0;
}
