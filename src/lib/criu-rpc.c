/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "criu-rpc.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "log.h"
#include "utils.h"

/* ---- protobuf wire format: varints (type 0) and length-delimited (2) ---- */

struct pb {
  uint8_t *p;
  size_t len, cap;
};

static void pb_raw(struct pb *b, const void *data, size_t n) {
  if (b->len + n > b->cap) {
    b->cap = (b->len + n) * 2 + 64;
    b->p = realloc(b->p, b->cap);
    if (b->p == NULL)
      abort();
  }
  memcpy(b->p + b->len, data, n);
  b->len += n;
}

static void pb_varint_raw(struct pb *b, uint64_t v) {
  uint8_t out[10];
  size_t n = 0;
  do {
    out[n] = (uint8_t)(v & 0x7f);
    v >>= 7;
    if (v)
      out[n] |= 0x80;
    n++;
  } while (v);
  pb_raw(b, out, n);
}

static void pb_key(struct pb *b, unsigned field, unsigned wire_type) {
  pb_varint_raw(b, ((uint64_t)field << 3) | wire_type);
}

/* int32, uint32, bool and enums are all varints; a negative int32 is
 * sign-extended to 64 bits, as protobuf does. */
static void pb_int(struct pb *b, unsigned field, int64_t v) {
  pb_key(b, field, 0);
  pb_varint_raw(b, (uint64_t)v);
}

static void pb_bool(struct pb *b, unsigned field, bool v) {
  if (v)
    pb_int(b, field, 1);
}

static void pb_bytes(struct pb *b, unsigned field, const void *data, size_t n) {
  pb_key(b, field, 2);
  pb_varint_raw(b, n);
  pb_raw(b, data, n);
}

static void pb_string(struct pb *b, unsigned field, const char *s) {
  if (s)
    pb_bytes(b, field, s, strlen(s));
}

static void pb_message(struct pb *b, unsigned field, struct pb *inner) {
  pb_bytes(b, field, inner->p ? inner->p : (uint8_t *)"", inner->len);
  free(inner->p);
  memset(inner, 0, sizeof(*inner));
}

static void pb_kv(struct pb *b, unsigned field, const char *key, const char *val) {
  struct pb m = {0};
  pb_string(&m, 1, key);
  pb_string(&m, 2, val);
  pb_message(b, field, &m);
}

struct pb_reader {
  const uint8_t *p, *end;
};

static int pb_read_varint(struct pb_reader *r, uint64_t *v) {
  *v = 0;
  for (unsigned shift = 0; shift < 64; shift += 7) {
    if (r->p >= r->end)
      return -EBADMSG;
    uint8_t byte = *r->p++;
    *v |= (uint64_t)(byte & 0x7f) << shift;
    if (!(byte & 0x80))
      return 0;
  }
  return -EBADMSG;
}

/* The next field: its number, and its varint or its bytes. Fixed 32 and
 * 64 bit fields (none in criu_resp) are skipped over. 1 at the end. */
static int pb_next(struct pb_reader *r, unsigned *field, uint64_t *v, const uint8_t **data,
                   size_t *n) {
  for (;;) {
    if (r->p >= r->end)
      return 1;
    uint64_t key;
    if (pb_read_varint(r, &key) < 0)
      return -EBADMSG;
    *field = (unsigned)(key >> 3);
    switch (key & 7) {
    case 0:
      return pb_read_varint(r, v);
    case 2:
      if (pb_read_varint(r, v) < 0 || *v > (uint64_t)(r->end - r->p))
        return -EBADMSG;
      *data = r->p;
      *n = (size_t)*v;
      r->p += *n;
      return 0;
    case 1:
      if (r->end - r->p < 8)
        return -EBADMSG;
      r->p += 8;
      continue;
    case 5:
      if (r->end - r->p < 4)
        return -EBADMSG;
      r->p += 4;
      continue;
    default:
      return -EBADMSG;
    }
  }
}

static char *pb_strdup(const uint8_t *data, size_t n) {
  char *s = xmalloc0(n + 1);
  memcpy(s, data, n);
  return s;
}

/* ---- criu_req and criu_resp ---- */

static void encode_opts(struct pb *b, const struct husk_criu_opts *o) {
  pb_int(b, 1, o->images_dir_fd);
  if (o->pid > 0)
    pb_int(b, 2, o->pid);
  pb_bool(b, 3, o->leave_running);
  pb_bool(b, 4, o->ext_unix_sk);
  pb_bool(b, 5, o->tcp_established);
  pb_bool(b, 6, o->evasive_devices);
  pb_bool(b, 7, o->shell_job);
  pb_bool(b, 8, o->file_locks);
  if (o->log_level)
    pb_int(b, 9, o->log_level);
  pb_string(b, 10, o->log_file);
  if (o->ps_address) {
    struct pb ps = {0};
    pb_string(&ps, 1, o->ps_address);
    pb_int(&ps, 2, o->ps_port);
    pb_message(b, 11, &ps);
  }
  pb_bool(b, 12, o->notify_scripts);
  pb_string(b, 13, o->root);
  pb_string(b, 14, o->parent_img);
  pb_bool(b, 15, o->track_mem);
  pb_bool(b, 16, o->auto_dedup);
  if (o->work_dir_fd >= 0)
    pb_int(b, 17, o->work_dir_fd);
  for (size_t i = 0; i < o->ext_mnt_len; i++)
    pb_kv(b, 23, o->ext_mnt[i].key, o->ext_mnt[i].val);
  pb_bool(b, 24, o->manage_cgroups);
  if (o->cg_root) {
    struct pb cg = {0};
    pb_string(&cg, 2, o->cg_root); /* no ctrl: every controller */
    pb_message(b, 25, &cg);
  }
  pb_bool(b, 26, o->rst_sibling);
  for (size_t i = 0; i < o->inherit_fd_len; i++) {
    struct pb in = {0};
    pb_string(&in, 1, o->inherit_fd[i].key);
    pb_int(&in, 2, o->inherit_fd[i].fd);
    pb_message(b, 27, &in);
  }
  if (o->manage_cgroups_mode >= 0)
    pb_int(b, 34, o->manage_cgroups_mode);
  for (size_t i = 0; i < o->external_len; i++)
    pb_string(b, 37, o->external[i]);
  if (o->empty_ns)
    pb_int(b, 38, o->empty_ns);
  for (size_t i = 0; i < o->join_ns_len; i++)
    pb_kv(b, 39, o->join_ns[i].key, o->join_ns[i].val);
  pb_string(b, 44, o->freeze_cgroup);
  pb_bool(b, 48, o->lazy_pages);
  pb_bool(b, 50, o->orphan_pts_master);
  pb_string(b, 51, o->config_file);
  pb_string(b, 53, o->lsm_profile);
  pb_string(b, 63, o->lsm_mount_context);
}

int husk_criu_encode_req(int type, const struct husk_criu_opts *opts, bool notify_success,
                         uint8_t **out, size_t *len) {
  struct pb b = {0};
  pb_int(&b, 1, type);
  if (opts) {
    struct pb o = {0};
    encode_opts(&o, opts);
    pb_message(&b, 2, &o);
  }
  pb_bool(&b, 3, notify_success);
  *out = b.p;
  *len = b.len;
  return 0;
}

/* A nested message of small fields: varint field k into *ints[k] (when
 * given), and string field 1 into *str (when given): criu_notify (script,
 * pid), criu_restore_resp (pid), criu_version, criu_features. */
static int decode_sub(const uint8_t *data, size_t n, int *ints[5], char **str) {
  struct pb_reader r = {data, data + n};
  unsigned field;
  uint64_t v;
  const uint8_t *d = NULL;
  size_t dn = 0;
  int ret;
  while ((ret = pb_next(&r, &field, &v, &d, &dn)) == 0) {
    if (field == 1 && str && d) { /* d is set for length-delimited fields only */
      free(*str);
      *str = pb_strdup(d, dn);
    } else if (field < 5 && ints[field]) {
      *ints[field] = (int)v;
    }
    d = NULL;
  }
  return ret < 0 ? ret : 0;
}

int husk_criu_decode_resp(const uint8_t *buf, size_t len, struct husk_criu_resp *out) {
  memset(out, 0, sizeof(*out));
  struct pb_reader r = {buf, buf + len};
  unsigned field;
  uint64_t v;
  const uint8_t *d = NULL;
  size_t dn = 0;
  int ret, seen = 0;
  while ((ret = pb_next(&r, &field, &v, &d, &dn)) == 0) {
    int mem_track = 0, lazy = 0, pid = 0, npid = 0;
    switch (field) {
    case 1:
      out->type = (int)v;
      seen |= 1;
      break;
    case 2:
      out->success = v != 0;
      seen |= 2;
      break;
    case 4:
      if (decode_sub(d, dn, (int *[5]){NULL, &pid}, NULL) < 0)
        return -EBADMSG;
      out->restore_pid = pid;
      break;
    case 5:
      if (decode_sub(d, dn, (int *[5]){NULL, NULL, &npid}, &out->notify_script) < 0)
        return -EBADMSG;
      out->notify_pid = npid;
      break;
    case 7:
      out->cr_errno = (int)v;
      break;
    case 8:
      if (decode_sub(d, dn, (int *[5]){NULL, &mem_track, &lazy}, NULL) < 0)
        return -EBADMSG;
      out->mem_track = mem_track;
      out->lazy_pages = lazy;
      break;
    case 9:
      free(out->cr_errmsg);
      while (dn > 0 && (d[dn - 1] == '\n' || d[dn - 1] == ' '))
        dn--; /* CRIU's message ends with a newline */
      out->cr_errmsg = pb_strdup(d, dn);
      break;
    case 10:
      if (decode_sub(d, dn, (int *[5]){NULL, &out->version_major, &out->version_minor, NULL,
                                       &out->version_sublevel}, NULL) < 0)
        return -EBADMSG;
      break;
    default:
      break;
    }
  }
  if (ret < 0 || seen != 3) {
    husk_criu_resp_clear(out);
    return -EBADMSG;
  }
  return 0;
}

void husk_criu_resp_clear(struct husk_criu_resp *r) {
  free(r->cr_errmsg);
  free(r->notify_script);
  memset(r, 0, sizeof(*r));
}

/* ---- the swrk process ---- */

static const char *criu_program(const char *path) { return path && path[0] ? path : "criu"; }

/* fork + exec with `fds` moved to 3, 4, ... (exec errors come back over a
 * close-on-exec pipe). */
static pid_t spawn(const char *prog, char *const argv[], const int *fds, size_t n_fds,
                   int out_fd, int *exec_errno) {
  int errpipe[2];
  *exec_errno = 0;
  if (pipe2(errpipe, O_CLOEXEC) < 0)
    return -1;
  pid_t pid = fork();
  if (pid < 0) {
    close(errpipe[0]);
    close(errpipe[1]);
    return -1;
  }
  if (pid == 0) {
    /* Out of the way first: a target number may hold another source. */
    int moved[64];
    size_t n = n_fds < 64 ? n_fds : 64;
    for (size_t i = 0; i < n; i++)
      moved[i] = fcntl(fds[i], F_DUPFD_CLOEXEC, 100);
    for (size_t i = 0; i < n; i++)
      if (moved[i] < 0 || dup2(moved[i], 3 + (int)i) < 0)
        goto fail;
    if (out_fd >= 0 && (dup2(out_fd, 1) < 0 || dup2(out_fd, 2) < 0))
      goto fail;
    signal(SIGPIPE, SIG_DFL);
    execvp(prog, argv);
  fail:;
    int e = errno;
    if (write(errpipe[1], &e, sizeof(e)) < 0) {
    }
    _exit(127);
  }
  close(errpipe[1]);
  int e = 0;
  ssize_t got;
  while ((got = read(errpipe[0], &e, sizeof(e))) < 0 && errno == EINTR)
    ;
  close(errpipe[0]);
  if (got == sizeof(e)) {
    waitpid(pid, NULL, 0);
    *exec_errno = e;
    errno = e;
    return -1;
  }
  return pid;
}

static int exec_failure(const char *prog, int e, struct husk_error **err) {
  if (e == ENOENT)
    return husk_fail(err, ENOENT,
                     "checkpoint/restore needs CRIU: %s not found (install the criu "
                     "package, or give its path with --criu)", prog);
  return husk_fail(err, e, "run %s", prog);
}

int husk_criu_start(const char *criu_path, const int *fds, size_t n_fds, struct husk_criu *c,
                    struct husk_error **err) {
  const char *prog = criu_program(criu_path);
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
    return husk_fail(err, errno, "socketpair for criu swrk");
  _cleanup_free_ int *all = xmalloc0(sizeof(int) * (n_fds + 1));
  all[0] = sv[1];
  for (size_t i = 0; i < n_fds; i++)
    all[i + 1] = fds[i];
  char *argv[] = {(char *)prog, "swrk", "3", NULL};
  int e;
  pid_t pid = spawn(prog, argv, all, n_fds + 1, -1, &e);
  close(sv[1]);
  if (pid < 0) {
    close(sv[0]);
    return e ? exec_failure(prog, e, err) : husk_fail(err, errno, "start %s swrk", prog);
  }
  c->pid = pid;
  c->sock = sv[0];
  return 0;
}

static int send_req(int sock, int type, const struct husk_criu_opts *opts, bool notify_success) {
  uint8_t *buf;
  size_t len;
  husk_criu_encode_req(type, opts, notify_success, &buf, &len);
  ssize_t n = send(sock, buf, len, MSG_NOSIGNAL);
  int e = errno;
  free(buf);
  return n == (ssize_t)len ? 0 : -(n < 0 ? e : EIO);
}

/* One message, and the fd that came with it (or -1). */
static ssize_t recv_msg(int sock, uint8_t *buf, size_t cap, int *fd) {
  union {
    struct cmsghdr h;
    char buf[CMSG_SPACE(sizeof(int) * 4)];
  } ctl;
  struct iovec iov = {.iov_base = buf, .iov_len = cap};
  struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf,
                       .msg_controllen = sizeof(ctl.buf)};
  *fd = -1;
  ssize_t n;
  while ((n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC)) < 0 && errno == EINTR)
    ;
  if (n < 0)
    return -errno;
  for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
      continue;
    size_t nfd = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
    int *got = (int *)CMSG_DATA(c);
    for (size_t i = 0; i < nfd; i++) {
      if (*fd < 0)
        *fd = got[i];
      else
        close(got[i]);
    }
  }
  if (msg.msg_flags & MSG_TRUNC)
    return -EMSGSIZE;
  return n;
}

static const char *type_name(int type) {
  switch (type) {
  case HUSK_CRIU_DUMP:
    return "dump";
  case HUSK_CRIU_RESTORE:
    return "restore";
  case HUSK_CRIU_CHECK:
    return "check";
  case HUSK_CRIU_PRE_DUMP:
    return "pre-dump";
  case HUSK_CRIU_FEATURE_CHECK:
    return "feature check";
  case HUSK_CRIU_VERSION:
    return "version";
  default:
    return "request";
  }
}

int husk_criu_call(struct husk_criu *c, int type, const struct husk_criu_opts *opts,
                   husk_criu_notify_fn notify, void *opaque, struct husk_criu_resp *resp,
                   struct husk_error **err) {
  memset(resp, 0, sizeof(*resp));
  int r = send_req(c->sock, type, opts, false);
  if (r < 0)
    return husk_fail(err, -r, "criu %s: send the request", type_name(type));
  static uint8_t buf[64 * 1024];
  for (;;) {
    int fd;
    ssize_t n = recv_msg(c->sock, buf, sizeof(buf), &fd);
    if (n <= 0)
      return husk_fail(err, n < 0 ? (int)-n : 0, "criu %s: criu ended without an answer",
                       type_name(type));
    r = husk_criu_decode_resp(buf, (size_t)n, resp);
    if (r < 0) {
      if (fd >= 0)
        close(fd);
      return husk_fail(err, EBADMSG, "criu %s: an answer husk cannot read", type_name(type));
    }
    if (!resp->success) {
      if (fd >= 0)
        close(fd);
      if (resp->cr_errmsg && resp->cr_errmsg[0])
        return husk_fail(err, resp->cr_errno, "criu %s failed: %s", type_name(type),
                         resp->cr_errmsg);
      return husk_fail(err, resp->cr_errno, "criu %s failed", type_name(type));
    }
    if (resp->type != HUSK_CRIU_NOTIFY) {
      if (fd >= 0)
        close(fd);
      return 0;
    }
    struct husk_criu_notify note = {
        .script = resp->notify_script ? resp->notify_script : "", .pid = resp->notify_pid,
        .fd = fd};
    husk_debug("criu notify: %s (pid %d)", note.script, (int)note.pid);
    r = notify ? notify(opaque, &note, err) : 0;
    if (note.fd >= 0)
      close(note.fd);
    husk_criu_resp_clear(resp);
    if (r < 0)
      return r; /* closing the socket makes CRIU give up */
    if ((r = send_req(c->sock, HUSK_CRIU_NOTIFY, NULL, true)) < 0)
      return husk_fail(err, -r, "criu %s: answer a notification", type_name(type));
  }
}

int husk_criu_end(struct husk_criu *c) {
  if (c->sock >= 0) {
    close(c->sock);
    c->sock = -1;
  }
  if (c->pid <= 0)
    return -1;
  int status;
  pid_t r;
  while ((r = waitpid(c->pid, &status, 0)) < 0 && errno == EINTR)
    ;
  c->pid = -1;
  if (r < 0)
    return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* ---- what CRIU says ---- */

static char *first_error_line(char *text) {
  for (char *line = text; line && *line;) {
    char *nl = strchr(line, '\n');
    if (nl)
      *nl = '\0';
    if (strstr(line, "Error")) {
      /* "(00.012345) Error (criu/...)": the time stamp says nothing. */
      char *e = strstr(line, "Error");
      return husk_one_line(e);
    }
    line = nl ? nl + 1 : NULL;
  }
  return NULL;
}

char *husk_criu_log_error(int dirfd, const char *name) {
  _cleanup_free_ char *text = NULL;
  size_t len;
  if (read_file_at(dirfd, name, &text, &len, 16 << 20, NULL) < 0)
    return NULL;
  return first_error_line(text);
}

void husk_criu_explain(struct husk_error **err, const char *id, int dirfd, const char *dir,
                       const char *name) {
  _cleanup_free_ char *why = husk_criu_log_error(dirfd, name);
  _cleanup_free_ char *what = *err ? xstrdup((*err)->msg) : xstrdup("criu failed");
  int e = *err ? (*err)->errno_ : 0;
  husk_error_free(*err);
  *err = NULL;
  if (why && strstr(what, why) == NULL)
    husk_fail(err, 0, "container \"%s\": %s: %s (log: %s/%s)", id, what, why, dir, name);
  else
    husk_fail(err, 0, "container \"%s\": %s (log: %s/%s)", id, what, dir, name);
  (*err)->errno_ = e;
}

int husk_criu_check(const char *criu_path, struct husk_error **err) {
  const char *prog = criu_program(criu_path);
  int out[2];
  if (pipe2(out, O_CLOEXEC) < 0)
    return husk_fail(err, errno, "pipe");
  char *argv[] = {(char *)prog, "check", NULL};
  int e;
  pid_t pid = spawn(prog, argv, NULL, 0, out[1], &e);
  close(out[1]);
  if (pid < 0) {
    close(out[0]);
    return e ? exec_failure(prog, e, err) : husk_fail(err, errno, "run %s check", prog);
  }
  struct pb text = {0};
  char chunk[4096];
  ssize_t n;
  while ((n = read(out[0], chunk, sizeof(chunk))) != 0) {
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      break;
    if (text.len < (1 << 20))
      pb_raw(&text, chunk, (size_t)n);
  }
  close(out[0]);
  pb_raw(&text, "", 1);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
    ;
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
    free(text.p);
    return 0;
  }
  _cleanup_free_ char *why = first_error_line((char *)text.p);
  free(text.p);
  return husk_fail(err, 0, "CRIU cannot checkpoint on this host: '%s check' fails%s%s", prog,
                   why ? ": " : "", why ? why : "");
}
