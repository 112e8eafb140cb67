/* SPDX-License-Identifier: GPL-2.0-or-later */
/* config.json -> struct oci_config. Only the structure is checked here
 * (types, required fields, namespace names, duplicates); what the values mean
 * is for the runtime to judge. Unknown fields are ignored, so that newer
 * configs still load. */
#include <errno.h>
#include <string.h>
#include <yajl/yajl_parse.h>

#include "error.h"
#include "json.h"
#include "resources.h"
#include "spec.h"
#include "utils.h"

/* The parse functions all take (j, at, v, out): the context, the path of the
 * object v, the object, and the struct to fill. The macros below use those
 * names. Everything allocated is attached to `out` at once, so that on an
 * error oci_config_free() of the whole config releases it. When j collects
 * every error, a failed field stays unset and parsing goes on, so code
 * after a required field must not assume it is there. */
typedef int (*parse_fn)(const struct oci_json *j, const struct oci_json_path *at, yajl_val v,
                        void *out);

#define REQ OCI_JSON_REQUIRED
#define OPT OCI_JSON_OPTIONAL

/* Stop at an error, unless every error is collected. */
#define FAILED(r) ((r) < 0 && !j->collect)

#define TRY(call)                                                                                  \
  do {                                                                                             \
    int r_ = (call);                                                                               \
    if (FAILED(r_))                                                                                \
      return r_;                                                                                   \
  } while (0)

/* An optional scalar and its has_ flag. */
#define HAS(flag, call)                                                                            \
  do {                                                                                             \
    int r_ = (call);                                                                               \
    if (FAILED(r_))                                                                                \
      return r_;                                                                                   \
    (flag) = r_ > 0;                                                                               \
  } while (0)

#define STR(key, need, dst) TRY(oci_json_get_string(j, at, v, (key), (need), &(dst)))
#define STRV(key, field) TRY(oci_json_get_strings(j, at, v, (key), OPT, &(field), &field##_len))

/* An array of objects, a nested object, a map of objects. */
#define ARRAY(key, fn, field)                                                                      \
  do {                                                                                             \
    int r_ = 0;                                                                                    \
    (field) = parse_array(j, at, v, (key), sizeof(*(field)), (fn), &field##_len, &r_);             \
    if (FAILED(r_))                                                                                \
      return r_;                                                                                   \
  } while (0)
#define OBJECT(key, fn, field)                                                                     \
  do {                                                                                             \
    int r_ = 0;                                                                                    \
    (field) = parse_object(j, at, v, (key), sizeof(*(field)), (fn), &r_);                          \
    if (FAILED(r_))                                                                                \
      return r_;                                                                                   \
  } while (0)
#define MAP(key, fn, field)                                                                        \
  do {                                                                                             \
    int r_ = 0;                                                                                    \
    (field) = parse_map(j, at, v, (key), sizeof(*(field)), (fn), &field##_len, &r_);               \
    if (FAILED(r_))                                                                                \
      return r_;                                                                                   \
  } while (0)

static void *parse_array(const struct oci_json *j, const struct oci_json_path *at, yajl_val v,
                         const char *key, size_t size, parse_fn fn, size_t *len, int *r) {
  struct oci_json_path p = OCI_JSON_FIELD(at, key);
  yajl_val a = NULL;
  *r = oci_json_get_array(j, at, v, key, OPT, &a);
  if (*r <= 0 || a->u.array.len == 0)
    return NULL;
  char *items = xmalloc0(a->u.array.len * size);
  *len = a->u.array.len;
  *r = 0;
  for (size_t i = 0; i < a->u.array.len && !FAILED(*r); i++) {
    struct oci_json_path ip = OCI_JSON_INDEX(&p, i);
    yajl_val e = a->u.array.values[i];
    int ri = YAJL_IS_OBJECT(e) ? fn(j, &ip, e, items + i * size)
                               : oci_json_fail(j, &ip, "expected an object");
    if (*r == 0)
      *r = ri;
  }
  return items;
}

static void *parse_object(const struct oci_json *j, const struct oci_json_path *at, yajl_val v,
                          const char *key, size_t size, parse_fn fn, int *r) {
  struct oci_json_path p = OCI_JSON_FIELD(at, key);
  yajl_val o = NULL;
  *r = oci_json_get_object(j, at, v, key, OPT, &o);
  if (*r <= 0)
    return NULL;
  void *out = xmalloc0(size);
  *r = fn(j, &p, o, out);
  return out;
}

/* A map of objects: fn finds the key in at->key. */
static void *parse_map(const struct oci_json *j, const struct oci_json_path *at, yajl_val v,
                       const char *key, size_t size, parse_fn fn, size_t *len, int *r) {
  struct oci_json_path p = OCI_JSON_FIELD(at, key);
  yajl_val m = NULL;
  *r = oci_json_get_object(j, at, v, key, OPT, &m);
  if (*r <= 0 || m->u.object.len == 0)
    return NULL;
  char *items = xmalloc0(m->u.object.len * size);
  *len = 0;
  *r = 0;
  for (size_t i = 0; i < m->u.object.len && !FAILED(*r); i++) {
    if (oci_json_key_repeated(m, i))
      continue;
    struct oci_json_path kp = OCI_JSON_KEY(&p, m->u.object.keys[i]);
    yajl_val e = m->u.object.values[i];
    int ri = YAJL_IS_OBJECT(e) ? fn(j, &kp, e, items + (*len)++ * size)
                               : oci_json_fail(j, &kp, "expected an object");
    if (*r == 0)
      *r = ri;
  }
  return items;
}

/* An embedded (not pointed to) object. */
static int parse_embedded(const struct oci_json *j, const struct oci_json_path *at, yajl_val v,
                          const char *key, parse_fn fn, void *out) {
  struct oci_json_path p = OCI_JSON_FIELD(at, key);
  yajl_val o = NULL;
  int r = oci_json_get_object(j, at, v, key, OPT, &o);
  if (r <= 0)
    return r;
  return fn(j, &p, o, out);
}

/* "<array>[i].type: duplicate <what> "<value>"" */
static int fail_duplicate(const struct oci_json *j, const struct oci_json_path *array, size_t i,
                          const char *what, const char *value) {
  struct oci_json_path ip = OCI_JSON_INDEX(array, i);
  struct oci_json_path fp = OCI_JSON_FIELD(&ip, "type");
  _cleanup_free_ char *q = oci_json_quote(value);
  return oci_json_fail(j, &fp, "duplicate %s %s", what, q);
}

static int parse_id_mapping(const struct oci_json *j, const struct oci_json_path *at, yajl_val v,
                            void *out) {
  struct oci_id_mapping *m = out;
  TRY(oci_json_get_uint32(j, at, v, "containerID", REQ, &m->container_id));
  TRY(oci_json_get_uint32(j, at, v, "hostID", REQ, &m->host_id));
  TRY(oci_json_get_uint32(j, at, v, "size", REQ, &m->size));
  return 0;
}

static int parse_root(const struct oci_json *j, const struct oci_json_path *at, yajl_val v,
                      void *out) {
  struct oci_root *root = out;
  STR("path", REQ, root->path);
  TRY(oci_json_get_bool(j, at, v, "readonly", OPT, &root->readonly));
  return 0;
}

static int parse_mount(const struct oci_json *j, const struct oci_json_path *at, yajl_val v,
                       void *out) {
  struct oci_mount *m = out;
  STR("destination", REQ, m->destination);
  STR("type", OPT, m->type);
  STR("source", OPT, m->source);
  STRV("options", m->options);
  ARRAY("uidMappings", parse_id_mapping, m->uid_mappings);
  ARRAY("gidMappings", parse_id_mapping, m->gid_mappings);
  return 0;
}

static int parse_console_size(const struct oci_json *j, const struct oci_json_path *at, yajl_val v,
                              void *out) {
  struct oci_console_size *c = out;
  TRY(oci_json_get_uint32(j, at, v, "height", REQ, &c->height));
  TRY(oci_json_get_uint32(j, at, v, "width", REQ, &c->width));
  return 0;
}

static int parse_user(const struct oci_json *j, const struct oci_json_path *at, yajl_val v,
                      void *out) {
  struct oci_user *u = out;
  TRY(oci_json_get_uint32(j, at, v, "uid", REQ, &u->uid));
  TRY(oci_json_get_uint32(j, at, v, "gid", REQ, &u->gid));
  HAS(u->has_umask, oci_json_get_uint32(j, at, v, "umask", OPT, &u->umask));
  TRY(oci_json_get_uint32s(j, at, v, "additionalGids", OPT, &u->additional_gids,
                           &u->additional_gids_len));
  STR("username", OPT, u->username);
  return 0;
}

static int parse_capabilities(const struct oci_json *j, const struct oci_json_path *at, yajl_val v,
                              void *out) {
  struct oci_capabilities *c = out;
  STRV("bounding", c->bounding);
  STRV("effective", c->effective);
  STRV("inheritable", c->inheritable);
  STRV("permitted", c->permitted);
  STRV("ambient", c->ambient);
  return 0;
}

static int parse_rlimit(const struct oci_json *j, const struct oci_json_path *at, yajl_val v,
                        void *out) {
  struct oci_rlimit *rl = out;
  STR("type", REQ, rl->type);
  TRY(oci_json_get_uint64(j, at, v, "hard", REQ, &rl->hard));
  TRY(oci_json_get_uint64(j, at, v, "soft", REQ, &rl->soft));
  return 0;
}

static int parse_scheduler(const struct oci_json *j, const struct oci_json_path *at, yajl_val v,
                           void *out) {
  struct oci_scheduler *s = out;
  STR("policy", REQ, s->policy);
  HAS(s->has_nice, oci_json_get_int32(j, at, v, "nice", OPT, &s->nice));
  HAS(s->has_priority, oci_json_get_int32(j, at, v, "priority", OPT, &s->priority));
  STRV("flags", s->flags);
  HAS(s->has_runtime, oci_json_get_uint64(j, at, v, "runtime", OPT, &s->runtime));
  HAS(s->has_deadline, oci_json_get_uint64(j, at, v, "deadline", OPT, &s->deadline));
  HAS(s->has_period, oci_json_get_uint64(j, at, v, "period", OPT, &s->period));
  return 0;
}

static int parse_io_priority(const struct oci_json *j, const struct oci_json_path *at, yajl_val v,
                             void *out) {
  struct oci_io_priority *io = out;
  STR("class", REQ, io->class_);
  HAS(io->has_priority, oci_json_get_int32(j, at, v, "priority", OPT, &io->priority));
  return 0;
}

static int parse_cpu_affinity(const struct oci_json *j, const struct oci_json_path *at, yajl_val v,
                              void *out) {
  struct oci_cpu_affinity *a = out;
  STR("initial", OPT, a->initial);
  STR("final", OPT, a->final);
  return 0;
}

static int parse_process(const struct oci_json *j, const struct oci_json_path *at, yajl_val v,
                         void *out) {
  struct oci_process *p = out;
  TRY(oci_json_get_bool(j, at, v, "terminal", OPT, &p->terminal));
  OBJECT("consoleSize", parse_console_size, p->console_size);
  TRY(parse_embedded(j, at, v, "user", parse_user, &p->user));
  STRV("args", p->args);
  STR("commandLine", OPT, p->command_line);
  STRV("env", p->env);
  STR("cwd", REQ, p->cwd);
  OBJECT("capabilities", parse_capabilities, p->capabilities);
  ARRAY("rlimits", parse_rlimit, p->rlimits);
  TRY(oci_json_get_bool(j, at, v, "noNewPrivileges", OPT, &p->no_new_privileges));
  STR("apparmorProfile", OPT, p->apparmor_profile);
  HAS(p->has_oom_score_adj, oci_json_get_int32(j, at, v, "oomScoreAdj", OPT, &p->oom_score_adj));
  OBJECT("scheduler", parse_scheduler, p->scheduler);
  STR("selinuxLabel", OPT, p->selinux_label);
  OBJECT("ioPriority", parse_io_priority, p->io_priority);
  OBJECT("execCPUAffinity", parse_cpu_affinity, p->exec_cpu_affinity);

  struct oci_json_path rp = OCI_JSON_FIELD(at, "rlimits");
  for (size_t i = 0; i < p->rlimits_len; i++) {
    for (size_t k = 0; k < i && p->rlimits[i].type; k++) {
      if (p->rlimits[k].type && strcmp(p->rlimits[i].type, p->rlimits[k].type) == 0) {
        TRY(fail_duplicate(j, &rp, i, "rlimit", p->rlimits[i].type));
        break;
      }
    }
  }
  return 0;
}

static int parse_hook(const struct oci_json *j, const struct oci_json_path *at, yajl_val v,
                      void *out) {
  struct oci_hook *h = out;
  STR("path", REQ, h->path);
  STRV("args", h->args);
  STRV("env", h->env);
  HAS(h->has_timeout, oci_json_get_int32(j, at, v, "timeout", OPT, &h->timeout));
  if (h->has_timeout && h->timeout <= 0) {
    struct oci_json_path tp = OCI_JSON_FIELD(at, "timeout");
    return oci_json_fail(j, &tp, "must be greater than 0, got %d", (int)h->timeout);
  }
  return 0;
}

static int parse_hooks(const struct oci_json *j, const struct oci_json_path *at, yajl_val v,
                       void *out) {
  struct oci_hooks *h = out;
  ARRAY("prestart", parse_hook, h->prestart);
  ARRAY("createRuntime", parse_hook, h->create_runtime);
  ARRAY("createContainer", parse_hook, h->create_container);
  ARRAY("startContainer", parse_hook, h->start_container);
  ARRAY("poststart", parse_hook, h->poststart);
  ARRAY("poststop", parse_hook, h->poststop);
  return 0;
}

static const char *const namespace_types[] = {"pid", "network", "mount",  "ipc",
                                              "uts", "user",    "cgroup", "time"};

static int parse_namespace(const struct oci_json *j, const struct oci_json_path *at, yajl_val v,
                           void *out) {
  struct oci_namespace *ns = out;
  STR("type", REQ, ns->type);
  STR("path", OPT, ns->path);
  if (ns->type == NULL)
    return 0; /* collected as missing */
  for (size_t i = 0; i < ARRAY_SIZE(namespace_types); i++) {
    if (strcmp(ns->type, namespace_types[i]) == 0)
      return 0;
  }
  struct oci_json_path tp = OCI_JSON_FIELD(at, "type");
  _cleanup_free_ char *q = oci_json_quote(ns->type);
  return oci_json_fail(j, &tp, "unknown namespace type %s", q);
}

static int parse_time_offset(const struct oci_json *j, const struct oci_json_path *at, yajl_val v,
                             void *out) {
  struct oci_time_offset *t = out;
  t->clock = xstrdup(at->key);
  TRY(oci_json_get_int64(j, at, v, "secs", OPT, &t->secs));
  TRY(oci_json_get_uint32(j, at, v, "nanosecs", OPT, &t->nanosecs));
  return 0;
}

static int parse_device(const struct oci_json *j, const struct oci_json_path *at, yajl_val v,
                        void *out) {
  struct oci_device *d = out;
  STR("path", REQ, d->path);
  STR("type", REQ, d->type);
  /* A fifo has no device number; every other node needs one. (A type that
   * failed, when collecting every error, asks for nothing more.) */
  enum oci_json_need need = d->type == NULL || strcmp(d->type, "p") == 0 ? OPT : REQ;
  TRY(oci_json_get_int64(j, at, v, "major", need, &d->major));
  TRY(oci_json_get_int64(j, at, v, "minor", need, &d->minor));
  HAS(d->has_file_mode, oci_json_get_uint32(j, at, v, "fileMode", OPT, &d->file_mode));
  HAS(d->has_uid, oci_json_get_uint32(j, at, v, "uid", OPT, &d->uid));
  HAS(d->has_gid, oci_json_get_uint32(j, at, v, "gid", OPT, &d->gid));
  return 0;
}

static int parse_device_cgroup(const struct oci_json *j, const struct oci_json_path *at, yajl_val v,
                               void *out) {
  struct oci_device_cgroup *d = out;
  TRY(oci_json_get_bool(j, at, v, "allow", REQ, &d->allow));
  STR("type", OPT, d->type);
  HAS(d->has_major, oci_json_get_int64(j, at, v, "major", OPT, &d->major));
  HAS(d->has_minor, oci_json_get_int64(j, at, v, "minor", OPT, &d->minor));
  STR("access", OPT, d->access);
  return 0;
}

static int parse_memory(const struct oci_json *j, const struct oci_json_path *at, yajl_val v,
                        void *out) {
  struct oci_memory *m = out;
  HAS(m->has_limit, oci_json_get_int64(j, at, v, "limit", OPT, &m->limit));
  HAS(m->has_reservation, oci_json_get_int64(j, at, v, "reservation", OPT, &m->reservation));
  HAS(m->has_swap, oci_json_get_int64(j, at, v, "swap", OPT, &m->swap));
  HAS(m->has_kernel, oci_json_get_int64(j, at, v, "kernel", OPT, &m->kernel));
  HAS(m->has_kernel_tcp, oci_json_get_int64(j, at, v, "kernelTCP", OPT, &m->kernel_tcp));
  HAS(m->has_swappiness, oci_json_get_uint64(j, at, v, "swappiness", OPT, &m->swappiness));
  HAS(m->has_disable_oom_killer,
      oci_json_get_bool(j, at, v, "disableOOMKiller", OPT, &m->disable_oom_killer));
  HAS(m->has_use_hierarchy, oci_json_get_bool(j, at, v, "useHierarchy", OPT, &m->use_hierarchy));
  HAS(m->has_check_before_update,
      oci_json_get_bool(j, at, v, "checkBeforeUpdate", OPT, &m->check_before_update));
  return 0;
}

static int parse_cpu(const struct oci_json *j, const struct oci_json_path *at, yajl_val v,
                     void *out) {
  struct oci_cpu *c = out;
  HAS(c->has_shares, oci_json_get_uint64(j, at, v, "shares", OPT, &c->shares));
  HAS(c->has_quota, oci_json_get_int64(j, at, v, "quota", OPT, &c->quota));
  HAS(c->has_burst, oci_json_get_uint64(j, at, v, "burst", OPT, &c->burst));
  HAS(c->has_period, oci_json_get_uint64(j, at, v, "period", OPT, &c->period));
  HAS(c->has_realtime_runtime,
      oci_json_get_int64(j, at, v, "realtimeRuntime", OPT, &c->realtime_runtime));
  HAS(c->has_realtime_period,
      oci_json_get_uint64(j, at, v, "realtimePeriod", OPT, &c->realtime_period));
  STR("cpus", OPT, c->cpus);
  STR("mems", OPT, c->mems);
  HAS(c->has_idle, oci_json_get_int64(j, at, v, "idle", OPT, &c->idle));
  return 0;
}

static int parse_weight_device(const struct oci_json *j, const struct oci_json_path *at, yajl_val v,
                               void *out) {
  struct oci_weight_device *w = out;
  TRY(oci_json_get_int64(j, at, v, "major", REQ, &w->major));
  TRY(oci_json_get_int64(j, at, v, "minor", REQ, &w->minor));
  HAS(w->has_weight, oci_json_get_uint16(j, at, v, "weight", OPT, &w->weight));
  HAS(w->has_leaf_weight, oci_json_get_uint16(j, at, v, "leafWeight", OPT, &w->leaf_weight));
  return 0;
}

static int parse_throttle_device(const struct oci_json *j, const struct oci_json_path *at,
                                 yajl_val v, void *out) {
  struct oci_throttle_device *t = out;
  TRY(oci_json_get_int64(j, at, v, "major", REQ, &t->major));
  TRY(oci_json_get_int64(j, at, v, "minor", REQ, &t->minor));
  TRY(oci_json_get_uint64(j, at, v, "rate", REQ, &t->rate));
  return 0;
}

static int parse_block_io(const struct oci_json *j, const struct oci_json_path *at, yajl_val v,
                          void *out) {
  struct oci_block_io *b = out;
  HAS(b->has_weight, oci_json_get_uint16(j, at, v, "weight", OPT, &b->weight));
  HAS(b->has_leaf_weight, oci_json_get_uint16(j, at, v, "leafWeight", OPT, &b->leaf_weight));
  ARRAY("weightDevice", parse_weight_device, b->weight_device);
  ARRAY("throttleReadBpsDevice", parse_throttle_device, b->throttle_read_bps_device);
  ARRAY("throttleWriteBpsDevice", parse_throttle_device, b->throttle_write_bps_device);
  ARRAY("throttleReadIOPSDevice", parse_throttle_device, b->throttle_read_iops_device);
  ARRAY("throttleWriteIOPSDevice", parse_throttle_device, b->throttle_write_iops_device);
  return 0;
}

static int parse_hugepage_limit(const struct oci_json *j, const struct oci_json_path *at,
                                yajl_val v, void *out) {
  struct oci_hugepage_limit *h = out;
  STR("pageSize", REQ, h->page_size);
  TRY(oci_json_get_uint64(j, at, v, "limit", REQ, &h->limit));
  return 0;
}

static int parse_net_priority(const struct oci_json *j, const struct oci_json_path *at, yajl_val v,
                              void *out) {
  struct oci_net_priority *p = out;
  STR("name", REQ, p->name);
  TRY(oci_json_get_uint32(j, at, v, "priority", REQ, &p->priority));
  return 0;
}

static int parse_network(const struct oci_json *j, const struct oci_json_path *at, yajl_val v,
                         void *out) {
  struct oci_network *n = out;
  HAS(n->has_class_id, oci_json_get_uint32(j, at, v, "classID", OPT, &n->class_id));
  ARRAY("priorities", parse_net_priority, n->priorities);
  return 0;
}

static int parse_rdma(const struct oci_json *j, const struct oci_json_path *at, yajl_val v,
                      void *out) {
  struct oci_rdma *r = out;
  r->name = xstrdup(at->key);
  HAS(r->has_hca_handles, oci_json_get_uint32(j, at, v, "hcaHandles", OPT, &r->hca_handles));
  HAS(r->has_hca_objects, oci_json_get_uint32(j, at, v, "hcaObjects", OPT, &r->hca_objects));
  return 0;
}

static int parse_resources(const struct oci_json *j, const struct oci_json_path *at, yajl_val v,
                           void *out) {
  struct oci_resources *r = out;
  ARRAY("devices", parse_device_cgroup, r->devices);
  OBJECT("memory", parse_memory, r->memory);
  OBJECT("cpu", parse_cpu, r->cpu);
  yajl_val pids = NULL;
  struct oci_json_path pp = OCI_JSON_FIELD(at, "pids");
  int present = oci_json_get_object(j, at, v, "pids", OPT, &pids);
  if (FAILED(present))
    return present;
  if (present > 0)
    HAS(r->has_pids_limit, oci_json_get_int64(j, &pp, pids, "limit", OPT, &r->pids_limit));
  OBJECT("blockIO", parse_block_io, r->block_io);
  ARRAY("hugepageLimits", parse_hugepage_limit, r->hugepage_limits);
  OBJECT("network", parse_network, r->network);
  MAP("rdma", parse_rdma, r->rdma);
  TRY(oci_json_get_string_map(j, at, v, "unified", OPT, &r->unified, &r->unified_len));
  return 0;
}

static int parse_seccomp_arg(const struct oci_json *j, const struct oci_json_path *at, yajl_val v,
                             void *out) {
  struct oci_seccomp_arg *a = out;
  TRY(oci_json_get_uint32(j, at, v, "index", REQ, &a->index));
  TRY(oci_json_get_uint64(j, at, v, "value", REQ, &a->value));
  HAS(a->has_value_two, oci_json_get_uint64(j, at, v, "valueTwo", OPT, &a->value_two));
  STR("op", REQ, a->op);
  return 0;
}

static int parse_seccomp_syscall(const struct oci_json *j, const struct oci_json_path *at,
                                 yajl_val v, void *out) {
  struct oci_seccomp_syscall *s = out;
  TRY(oci_json_get_strings(j, at, v, "names", REQ, &s->names, &s->names_len));
  STR("action", REQ, s->action);
  HAS(s->has_errno_ret, oci_json_get_uint32(j, at, v, "errnoRet", OPT, &s->errno_ret));
  ARRAY("args", parse_seccomp_arg, s->args);
  return 0;
}

static int parse_seccomp(const struct oci_json *j, const struct oci_json_path *at, yajl_val v,
                         void *out) {
  struct oci_seccomp *s = out;
  STR("defaultAction", REQ, s->default_action);
  HAS(s->has_default_errno_ret,
      oci_json_get_uint32(j, at, v, "defaultErrnoRet", OPT, &s->default_errno_ret));
  STRV("architectures", s->architectures);
  STRV("flags", s->flags);
  STR("listenerPath", OPT, s->listener_path);
  STR("listenerMetadata", OPT, s->listener_metadata);
  ARRAY("syscalls", parse_seccomp_syscall, s->syscalls);
  return 0;
}

static int parse_personality(const struct oci_json *j, const struct oci_json_path *at, yajl_val v,
                             void *out) {
  struct oci_personality *p = out;
  STR("domain", REQ, p->domain);
  STRV("flags", p->flags);
  return 0;
}

static int parse_intel_rdt(const struct oci_json *j, const struct oci_json_path *at, yajl_val v,
                           void *out) {
  struct oci_intel_rdt *r = out;
  STR("closID", OPT, r->clos_id);
  STR("l3CacheSchema", OPT, r->l3_cache_schema);
  STR("memBwSchema", OPT, r->mem_bw_schema);
  HAS(r->has_enable_cmt, oci_json_get_bool(j, at, v, "enableCMT", OPT, &r->enable_cmt));
  HAS(r->has_enable_mbm, oci_json_get_bool(j, at, v, "enableMBM", OPT, &r->enable_mbm));
  STRV("schemata", r->schemata);
  TRY(oci_json_get_bool(j, at, v, "enableMonitoring", OPT, &r->enable_monitoring));
  return 0;
}

static int parse_net_device(const struct oci_json *j, const struct oci_json_path *at, yajl_val v,
                            void *out) {
  struct oci_net_device *d = out;
  d->host_name = xstrdup(at->key);
  STR("name", OPT, d->name);
  return 0;
}

static int parse_memory_policy(const struct oci_json *j, const struct oci_json_path *at,
                               yajl_val v, void *out) {
  struct oci_memory_policy *m = out;
  STR("mode", REQ, m->mode);
  STR("nodes", OPT, m->nodes);
  STRV("flags", m->flags);
  return 0;
}

static int parse_linux(const struct oci_json *j, const struct oci_json_path *at, yajl_val v,
                       void *out) {
  struct oci_linux *l = out;
  ARRAY("uidMappings", parse_id_mapping, l->uid_mappings);
  ARRAY("gidMappings", parse_id_mapping, l->gid_mappings);
  TRY(oci_json_get_string_map(j, at, v, "sysctl", OPT, &l->sysctl, &l->sysctl_len));
  OBJECT("resources", parse_resources, l->resources);
  STR("cgroupsPath", OPT, l->cgroups_path);
  ARRAY("namespaces", parse_namespace, l->namespaces);
  ARRAY("devices", parse_device, l->devices);
  OBJECT("seccomp", parse_seccomp, l->seccomp);
  STR("rootfsPropagation", OPT, l->rootfs_propagation);
  /* An empty list and no list differ here: no list means the defaults. */
  HAS(l->has_masked_paths,
      oci_json_get_strings(j, at, v, "maskedPaths", OPT, &l->masked_paths, &l->masked_paths_len));
  HAS(l->has_readonly_paths, oci_json_get_strings(j, at, v, "readonlyPaths", OPT,
                                                  &l->readonly_paths, &l->readonly_paths_len));
  STR("mountLabel", OPT, l->mount_label);
  OBJECT("intelRdt", parse_intel_rdt, l->intel_rdt);
  OBJECT("personality", parse_personality, l->personality);
  MAP("timeOffsets", parse_time_offset, l->time_offsets);
  MAP("netDevices", parse_net_device, l->net_devices);
  OBJECT("memoryPolicy", parse_memory_policy, l->memory_policy);

  struct oci_json_path np = OCI_JSON_FIELD(at, "namespaces");
  for (size_t i = 0; i < l->namespaces_len; i++) {
    for (size_t k = 0; k < i && l->namespaces[i].type; k++) {
      if (l->namespaces[k].type && strcmp(l->namespaces[i].type, l->namespaces[k].type) == 0) {
        TRY(fail_duplicate(j, &np, i, "namespace", l->namespaces[i].type));
        break;
      }
    }
  }
  return 0;
}

static int parse_config(const struct oci_json *j, const struct oci_json_path *at, yajl_val v,
                        void *out) {
  struct oci_config *c = out;
  STR("ociVersion", REQ, c->oci_version);
  OBJECT("process", parse_process, c->process);
  OBJECT("root", parse_root, c->root);
  STR("hostname", OPT, c->hostname);
  STR("domainname", OPT, c->domainname);
  ARRAY("mounts", parse_mount, c->mounts);
  OBJECT("hooks", parse_hooks, c->hooks);
  TRY(oci_json_get_string_map(j, at, v, "annotations", OPT, &c->annotations, &c->annotations_len));
  OBJECT("linux", parse_linux, c->linux_);
  return 0;
}

/* yajl_tree recurses to free a tree: no real config nests deeper than a
 * dozen levels, and a hostile one could nest deep enough to overflow the
 * stack. */
#define MAX_DEPTH 128

struct syntax_check {
  size_t depth;
  bool nul; /* a string or key held \u0000 */
};

static int depth_open(void *ctx) { return ++((struct syntax_check *)ctx)->depth <= MAX_DEPTH; }
static int depth_close(void *ctx) {
  --((struct syntax_check *)ctx)->depth;
  return 1;
}
/* yajl_tree keeps strings as C strings: "\u0000" would silently cut one
 * short ("/bin/sh\u0000x" would run /bin/sh). */
static int string_seen(void *ctx, const unsigned char *s, size_t len) {
  if (memchr(s, '\0', len) == NULL)
    return 1;
  ((struct syntax_check *)ctx)->nul = true;
  return 0;
}
static const yajl_callbacks syntax_callbacks = {
    .yajl_string = string_seen,
    .yajl_map_key = string_seen,
    .yajl_start_map = depth_open,
    .yajl_end_map = depth_close,
    .yajl_start_array = depth_open,
    .yajl_end_array = depth_close,
};

/* Where the first byte sequence that yajl takes for bad UTF-8 starts, at or
 * before `end` (yajl's offset is past the bytes it read to find out). */
static size_t bad_utf8_at(const char *json, size_t end) {
  const unsigned char *s = (const unsigned char *)json;
  for (size_t i = 0; i < end;) {
    size_t n = s[i] < 0x80           ? 1
               : (s[i] >> 5) == 0x6  ? 2
               : (s[i] >> 4) == 0xe  ? 3
               : (s[i] >> 3) == 0x1e ? 4
                                     : 0;
    if (n == 0)
      return i;
    for (size_t k = 1; k < n; k++)
      if (i + k >= end || (s[i + k] >> 6) != 0x2)
        return i;
    i += n;
  }
  return end;
}

/* A first pass with a bare yajl parser: yajl_tree's message spans several
 * lines and says nowhere where the error is. This pass knows the offset. It
 * also rejects comments, which yajl_tree would allow and other runtimes
 * would not, and strings that hold "\u0000". */
static int check_syntax(const struct oci_json *j, const char *json, size_t len) {
  size_t blank = 0;
  while (blank < len && strchr(" \t\r\n", json[blank]) && json[blank] != '\0')
    blank++;
  if (blank == len)
    return oci_json_fail(j, NULL, "invalid JSON: the document is empty");
  struct syntax_check ck = {0};
  yajl_handle h = yajl_alloc(&syntax_callbacks, NULL, &ck);
  if (h == NULL)
    return j->collect ? oci_json_fail(j, NULL, "parse: out of memory")
                      : husk_fail(j->err, ENOMEM, "%s: parse", j->name);
  size_t off = len;
  yajl_status st = yajl_parse(h, (const unsigned char *)json, len);
  bool at_end = st == yajl_status_ok;
  if (at_end)
    st = yajl_complete_parse(h); /* errors here are at the end */
  else
    off = yajl_get_bytes_consumed(h);
  if (st == yajl_status_ok) {
    yajl_free(h);
    return 0;
  }
  _cleanup_free_ char *msg = NULL;
  if (st == yajl_status_client_canceled && ck.nul) {
    msg = xstrdup("a string holds a NUL character (\\u0000)");
  } else if (st == yajl_status_client_canceled) {
    msg = xasprintf("nested deeper than %d levels", MAX_DEPTH);
  } else {
    unsigned char *raw = yajl_get_error(h, 0, (const unsigned char *)json, len);
    msg = xstrdup(raw ? (const char *)raw : "unknown error");
    yajl_free_error(h, raw);
  }
  yajl_free(h);
  /* A parse (not lexical) error has consumed the token it refused: point
   * at the token's last byte. So has a character no JSON token starts with;
   * bad UTF-8 may be a few bytes back. */
  if (!at_end && off > 0 &&
      (st == yajl_status_client_canceled || str_has_prefix(msg, "parse error") ||
       str_has_prefix(msg, "lexical error: invalid char in json text")))
    off--;
  else if (!at_end && strstr(msg, "invalid bytes in UTF8 string"))
    off = bad_utf8_at(json, off);

  for (char *p = msg; *p; p++) {
    if (*p == '\n' || *p == '\r' || *p == '\t')
      *p = ' ';
  }
  for (size_t n = strlen(msg); n > 0 && msg[n - 1] == ' ';)
    msg[--n] = '\0';
  size_t line = 1, col = 1;
  for (size_t i = 0; i < off && i < len; i++) {
    if (json[i] == '\n') {
      line++;
      col = 1;
    } else {
      col++;
    }
  }
  return oci_json_fail(j, NULL, "invalid JSON: %s (line %zu, column %zu)", msg, line, col);
}

/* The whole document; NULL unless it is a JSON object. */
static struct oci_config *parse_document(const struct oci_json *j, const char *json, size_t len,
                                         int *r) {
  *r = check_syntax(j, json, len);
  if (*r < 0)
    return NULL;
  /* The check above refused any NUL byte, so a copy makes a C string of it. */
  _cleanup_free_ char *text = xmalloc0(len + 1);
  memcpy(text, json, len);
  char errbuf[256];
  yajl_val tree = yajl_tree_parse(text, errbuf, sizeof(errbuf));
  if (tree == NULL) {
    errbuf[strcspn(errbuf, "\n")] = '\0';
    *r = oci_json_fail(j, NULL, "invalid JSON: %s", errbuf);
    return NULL;
  }
  if (!YAJL_IS_OBJECT(tree)) {
    yajl_tree_free(tree);
    *r = oci_json_fail(j, NULL, "expected a JSON object at the top level");
    return NULL;
  }
  struct oci_config *config = xmalloc0(sizeof(*config));
  *r = parse_config(j, NULL, tree, config);
  yajl_tree_free(tree);
  return config;
}

/* A document that is one object, read by `fn` as if it stood at `at` in a
 * config, so that its checks and error paths are the config's own. */
static void *parse_fragment(const char *json, size_t len, const char *name,
                            const struct oci_json_path *at, size_t size, parse_fn fn,
                            void (*free_fn)(void *), struct husk_error **err) {
  struct oci_json j = {.name = name, .err = err};
  if (check_syntax(&j, json, len) < 0)
    return NULL;
  /* Syntax and depth are checked: yajl_tree may now recurse through it. */
  _cleanup_free_ char *text = xmalloc0(len + 1);
  memcpy(text, json, len);
  char errbuf[256];
  yajl_val tree = yajl_tree_parse(text, errbuf, sizeof(errbuf));
  if (tree == NULL || !YAJL_IS_OBJECT(tree)) {
    yajl_tree_free(tree);
    husk_fail(err, 0, "%s: expected a JSON object", name);
    return NULL;
  }
  void *out = xmalloc0(size);
  int r = fn(&j, at, tree, out);
  yajl_tree_free(tree);
  if (r < 0) {
    free_fn(out);
    return NULL;
  }
  return out;
}

static void process_free_any(void *p) { oci_process_free(p); }
static void resources_free_any(void *r) { oci_resources_free(r); }

struct oci_process *oci_process_parse(const char *json, size_t len, const char *name,
                                      struct husk_error **err) {
  struct oci_json_path at = OCI_JSON_FIELD(NULL, "process");
  return parse_fragment(json, len, name, &at, sizeof(struct oci_process), parse_process,
                        process_free_any, err);
}

struct oci_resources *oci_resources_parse(const char *json, size_t len, const char *name,
                                          struct husk_error **err) {
  struct oci_json_path linux_ = OCI_JSON_FIELD(NULL, "linux");
  struct oci_json_path at = OCI_JSON_FIELD(&linux_, "resources");
  return parse_fragment(json, len, name, &at, sizeof(struct oci_resources), parse_resources,
                        resources_free_any, err);
}

struct oci_config *oci_config_parse(const char *json, size_t len, const char *name,
                                    struct husk_error **err) {
  struct oci_json j = {.name = name, .err = err};
  int r;
  struct oci_config *config = parse_document(&j, json, len, &r);
  if (r < 0) {
    oci_config_free(config);
    return NULL;
  }
  return config;
}

struct oci_config *oci_config_parse_all(const char *json, size_t len,
                                        struct oci_config_error **errors, size_t *n_errors) {
  struct oci_json_errors collected = {0};
  struct oci_json j = {.name = "", .collect = &collected};
  int r;
  struct oci_config *config = parse_document(&j, json, len, &r);
  *errors = collected.items;
  *n_errors = collected.len;
  return config;
}

void oci_config_errors_free(struct oci_config_error *errors, size_t n) {
  for (size_t i = 0; i < n; i++) {
    free(errors[i].path);
    free(errors[i].message);
  }
  free(errors);
}

struct oci_config *oci_config_load(const char *path, struct husk_error **err) {
  _cleanup_free_ char *text = NULL;
  size_t len = 0;
  if (read_regular_file(path, &text, &len, HUSK_CONFIG_MAX, err) < 0)
    return NULL;
  const char *base = strrchr(path, '/');
  base = base && base[1] ? base + 1 : path;
  return oci_config_parse(text, len, base, err);
}
