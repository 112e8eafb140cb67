/* SPDX-License-Identifier: GPL-2.0-or-later */
/* CRIU's RPC, as runc and crun use it: husk starts `criu swrk 3` with one
 * end of a SOCK_SEQPACKET socketpair on fd 3 and sends it one criu_req; CRIU
 * answers with NOTIFY messages (each acknowledged with notify_success) and
 * then the criu_resp of the request. The messages are CRIU's
 * images/rpc.proto (proto2); only the fields husk uses are encoded and
 * decoded, by hand, so that no protobuf library is needed. */
#ifndef HUSK_CRIU_RPC_H
#define HUSK_CRIU_RPC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"

/* criu_req_type */
enum husk_criu_req_type {
  HUSK_CRIU_DUMP = 1,
  HUSK_CRIU_RESTORE = 2,
  HUSK_CRIU_CHECK = 3,
  HUSK_CRIU_PRE_DUMP = 4,
  HUSK_CRIU_NOTIFY = 6,
  HUSK_CRIU_FEATURE_CHECK = 9,
  HUSK_CRIU_VERSION = 10,
};

/* criu_cg_mode; -1 in husk_criu_opts: not sent (CRIU's default, soft) */
enum husk_criu_cg_mode {
  HUSK_CRIU_CG_IGNORE = 0,
  HUSK_CRIU_CG_SOFT = 3,
  HUSK_CRIU_CG_FULL = 4,
  HUSK_CRIU_CG_STRICT = 5,
};

struct husk_criu_kv {
  char *key;
  char *val;
};

/* inherit_fd: `fd` is a number in criu's own fd table. */
struct husk_criu_inherit {
  char *key;
  int fd;
};

/* criu_opts: what a zeroed struct with images_dir_fd set sends is only the
 * fields that are true, non-zero or non-NULL (set the fds to -1 for none). */
struct husk_criu_opts {
  int images_dir_fd; /* in husk's fd table: CRIU opens /proc/<husk>/fd/N */
  int work_dir_fd;   /* the same; -1: none */
  pid_t pid;         /* dump: the root of the tree */
  bool leave_running, ext_unix_sk, tcp_established, evasive_devices, shell_job, file_locks;
  int log_level;    /* 0: not sent */
  const char *log_file;
  const char *ps_address; /* page server */
  int ps_port;
  bool notify_scripts;
  const char *root;
  const char *parent_img;
  bool track_mem, auto_dedup, rst_sibling, lazy_pages, orphan_pts_master, manage_cgroups;
  struct husk_criu_kv *ext_mnt;
  size_t ext_mnt_len;
  const char *cg_root; /* one root for every controller */
  struct husk_criu_inherit *inherit_fd;
  size_t inherit_fd_len;
  int manage_cgroups_mode; /* enum husk_criu_cg_mode, or -1 */
  char **external;
  size_t external_len;
  uint32_t empty_ns; /* CLONE_NEW* flags */
  struct husk_criu_kv *join_ns; /* key: "ipc", val: the namespace file */
  size_t join_ns_len;
  const char *freeze_cgroup;
  const char *config_file;
  const char *lsm_profile;
  const char *lsm_mount_context;
};

/* A decoded criu_resp. */
struct husk_criu_resp {
  int type;
  bool success;
  int cr_errno;
  char *cr_errmsg;  /* or NULL */
  pid_t restore_pid; /* restore.pid */
  char *notify_script; /* notify.script, or NULL */
  pid_t notify_pid;
  int version_major, version_minor, version_sublevel; /* version */
  bool mem_track, lazy_pages; /* features */
};

/* The wire format, exposed for the unit tests: a criu_req of `type` with
 * `opts` (may be NULL) and notify_success; *out is malloc'd. */
int husk_criu_encode_req(int type, const struct husk_criu_opts *opts, bool notify_success,
                         uint8_t **out, size_t *len);
/* 0, or -EBADMSG for what is not a criu_resp; clear with husk_criu_resp_clear. */
int husk_criu_decode_resp(const uint8_t *buf, size_t len, struct husk_criu_resp *out);
void husk_criu_resp_clear(struct husk_criu_resp *r);

/* One NOTIFY from CRIU: the script name ("post-restore", "orphan-pts-master",
 * ...), its pid, and an fd CRIU sent with it (-1 for none; the callback owns
 * it). A negative return fails the request (CRIU then undoes its work). */
struct husk_criu_notify {
  const char *script;
  pid_t pid;
  int fd;
};
typedef int (*husk_criu_notify_fn)(void *opaque, struct husk_criu_notify *n,
                                   struct husk_error **err);

/* A running `criu swrk`. */
struct husk_criu {
  pid_t pid;
  int sock;
};
#define HUSK_CRIU_INIT {.pid = -1, .sock = -1}

/* Start `CRIU swrk 3` (criu_path: --criu, NULL for "criu" on PATH) with its
 * stdio as husk's and `fds[i]` as its fd 4+i. An error names what is
 * missing when the program cannot be run. */
int husk_criu_start(const char *criu_path, const int *fds, size_t n_fds, struct husk_criu *c,
                    struct husk_error **err);
/* Send one request and serve its NOTIFYs until the answer; *resp is the
 * final criu_resp (clear it). An unsuccessful answer is an error too, with
 * CRIU's errno and message. */
int husk_criu_call(struct husk_criu *c, int type, const struct husk_criu_opts *opts,
                   husk_criu_notify_fn notify, void *opaque, struct husk_criu_resp *resp,
                   struct husk_error **err);
/* Close the connection and reap CRIU; its exit status (or -1). */
int husk_criu_end(struct husk_criu *c);

/* The first line of CRIU's log at `dirfd`/`name` that says "Error", for the
 * one-line message; malloc'd, NULL when there is none. */
char *husk_criu_log_error(int dirfd, const char *name);

/* Make *err "container \"ID\": WHAT: FIRST ERROR OF THE LOG (log: DIR/NAME)". */
void husk_criu_explain(struct husk_error **err, const char *id, int dirfd, const char *dir,
                       const char *name);

/* Whether CRIU can checkpoint and restore on this host: `criu check` run
 * as a program. 0 when it can; otherwise -errno and *err says why in one
 * line (the first error CRIU printed). */
int husk_criu_check(const char *criu_path, struct husk_error **err);

#endif
