/* SPDX-License-Identifier: GPL-2.0-or-later */
/* criu-rpc.c's wire format against bytes that protobuf itself made from
 * CRIU's rpc.proto (python3-protobuf with pycriu's rpc_pb2, CRIU 3.17). */
#include <sched.h>
#include <stdlib.h>

#include "criu-rpc.h"
#include "harness.h"

static char *hex(const uint8_t *p, size_t n) {
  char *s = malloc(n * 2 + 1);
  for (size_t i = 0; i < n; i++)
    sprintf(s + i * 2, "%02x", p[i]);
  s[n * 2] = '\0';
  return s;
}

static size_t unhex(const char *s, uint8_t *out) {
  size_t n = 0;
  for (; s[0] && s[1]; s += 2) {
    unsigned v;
    sscanf(s, "%2x", &v);
    out[n++] = (uint8_t)v;
  }
  return n;
}

static void test_encode_restore(void) {
  struct husk_criu_kv mnt = {"/data", "/tmp/d"};
  struct husk_criu_inherit in = {"pipe:[12]", 1};
  char *ext[] = {"net[4026]:extRootNetNS"};
  struct husk_criu_opts o = {
      .images_dir_fd = 7,
      .work_dir_fd = 8,
      .log_level = 4,
      .log_file = "restore.log",
      .root = "/r",
      .rst_sibling = true,
      .manage_cgroups_mode = HUSK_CRIU_CG_SOFT,
      .ext_mnt = &mnt,
      .ext_mnt_len = 1,
      .inherit_fd = &in,
      .inherit_fd_len = 1,
      .cg_root = "/husk/c1",
      .external = ext,
      .external_len = 1,
      .empty_ns = CLONE_NEWNET,
      .lsm_mount_context = "ctx",
  };
  uint8_t *buf;
  size_t len;
  husk_criu_encode_req(HUSK_CRIU_RESTORE, &o, false, &buf, &len);
  char *got = hex(buf, len);
  CHECK_STR(got, "0802127308074804520b726573746f72652e6c6f676a022f72880108ba010f0a052f6461746112"
                 "062f746d702f64ca010a12082f6875736b2f6331d00101da010d0a09706970653a5b31325d1001"
                 "900203aa02166e65745b343032365d3a657874526f6f744e65744e53b0028080808004fa0303637478");
  free(got);
  free(buf);
}

static void test_encode_notify_ack(void) {
  uint8_t *buf;
  size_t len;
  husk_criu_encode_req(HUSK_CRIU_NOTIFY, NULL, true, &buf, &len);
  char *got = hex(buf, len);
  CHECK_STR(got, "08061801");
  free(got);
  free(buf);
}

static void test_decode(void) {
  uint8_t buf[256];
  struct husk_criu_resp r;
  size_t n = unhex("080610012a110a0c706f73742d726573746f7265109221", buf);
  CHECK(husk_criu_decode_resp(buf, n, &r) == 0);
  CHECK(r.type == HUSK_CRIU_NOTIFY && r.success);
  CHECK_STR(r.notify_script, "post-restore");
  CHECK(r.notify_pid == 4242);
  husk_criu_resp_clear(&r);

  n = unhex("0802100122020863", buf);
  CHECK(husk_criu_decode_resp(buf, n, &r) == 0);
  CHECK(r.type == HUSK_CRIU_RESTORE && r.success && r.restore_pid == 99);
  husk_criu_resp_clear(&r);

  n = unhex("08011000380d4a026e6f", buf);
  CHECK(husk_criu_decode_resp(buf, n, &r) == 0);
  CHECK(r.type == HUSK_CRIU_DUMP && !r.success && r.cr_errno == 13);
  CHECK_STR(r.cr_errmsg, "no");
  husk_criu_resp_clear(&r);

  /* truncated, and without the required fields */
  n = unhex("080610012a110a0c706f73", buf);
  CHECK(husk_criu_decode_resp(buf, n, &r) < 0);
  n = unhex("0806", buf);
  CHECK(husk_criu_decode_resp(buf, n, &r) < 0);
}

int main(void) {
  test_encode_restore();
  test_encode_notify_ack();
  test_decode();
  printf("%d passed, %d failed\n", passed, failed);
  return failed ? 1 : 0;
}
