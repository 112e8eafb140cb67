/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of the config model: parse, print, defaults, errors.
 * Usage: test-config [DATADIR]; DATADIR defaults to $srcdir/tests/unit/data.
 * The last line printed is "N passed, M failed". */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#include "error.h"
#include "mountopts.h"
#include "spec.h"
#include "utils.h"
#include "harness.h"

static const char *datadir;


/* ---- deep equality ---------------------------------------------------- */

static bool str_eq(const char *a, const char *b) { return a == b || (a && b && strcmp(a, b) == 0); }

static bool strv_eq(char *const *a, size_t an, char *const *b, size_t bn) {
  if (an != bn)
    return false;
  for (size_t i = 0; i < an; i++) {
    if (!str_eq(a[i], b[i]))
      return false;
  }
  return true;
}

static bool kv_eq(const struct oci_kv *a, size_t an, const struct oci_kv *b, size_t bn) {
  if (an != bn)
    return false;
  for (size_t i = 0; i < an; i++) {
    if (!str_eq(a[i].key, b[i].key) || !str_eq(a[i].value, b[i].value))
      return false;
  }
  return true;
}

/* Both absent, or both present and `eq` says so. */
#define PTR_EQ(a, b, eq) ((a) == NULL ? (b) == NULL : (b) != NULL && eq((a), (b)))
/* Arrays of plain structs without pointers inside. */
#define PLAIN_EQ(a, an, b, bn)                                                                     \
  ((an) == (bn) && ((an) == 0 || memcmp((a), (b), (an) * sizeof(*(a))) == 0))
/* Arrays of structs compared with eq(&a[i], &b[i]). */
#define LIST_EQ(a, an, b, bn, eq)                                                                  \
  ({                                                                                               \
    bool ok_ = (an) == (bn);                                                                       \
    for (size_t i_ = 0; ok_ && i_ < (an); i_++)                                                    \
      ok_ = eq(&(a)[i_], &(b)[i_]);                                                                \
    ok_;                                                                                           \
  })
#define STRV_EQ(a, b, f) strv_eq((a)->f, (a)->f##_len, (b)->f, (b)->f##_len)
#define KV_EQ(a, b, f) kv_eq((a)->f, (a)->f##_len, (b)->f, (b)->f##_len)
#define PLAIN_F(a, b, f) PLAIN_EQ((a)->f, (a)->f##_len, (b)->f, (b)->f##_len)
#define LIST_F(a, b, f, eq) LIST_EQ((a)->f, (a)->f##_len, (b)->f, (b)->f##_len, eq)
/* An optional scalar: same flag, and same value when set. */
#define OPT_EQ(a, b, f) ((a)->has_##f == (b)->has_##f && (!(a)->has_##f || (a)->f == (b)->f))

static bool mount_eq(const struct oci_mount *a, const struct oci_mount *b) {
  return str_eq(a->destination, b->destination) && str_eq(a->type, b->type) &&
         str_eq(a->source, b->source) && STRV_EQ(a, b, options) && PLAIN_F(a, b, uid_mappings) &&
         PLAIN_F(a, b, gid_mappings);
}

static bool caps_eq(const struct oci_capabilities *a, const struct oci_capabilities *b) {
  return STRV_EQ(a, b, bounding) && STRV_EQ(a, b, effective) && STRV_EQ(a, b, inheritable) &&
         STRV_EQ(a, b, permitted) && STRV_EQ(a, b, ambient);
}

static bool rlimit_eq(const struct oci_rlimit *a, const struct oci_rlimit *b) {
  return str_eq(a->type, b->type) && a->hard == b->hard && a->soft == b->soft;
}

static bool scheduler_eq(const struct oci_scheduler *a, const struct oci_scheduler *b) {
  return str_eq(a->policy, b->policy) && OPT_EQ(a, b, nice) && OPT_EQ(a, b, priority) &&
         STRV_EQ(a, b, flags) && OPT_EQ(a, b, runtime) && OPT_EQ(a, b, deadline) &&
         OPT_EQ(a, b, period);
}

static bool io_priority_eq(const struct oci_io_priority *a, const struct oci_io_priority *b) {
  return str_eq(a->class_, b->class_) && OPT_EQ(a, b, priority);
}

static bool affinity_eq(const struct oci_cpu_affinity *a, const struct oci_cpu_affinity *b) {
  return str_eq(a->initial, b->initial) && str_eq(a->final, b->final);
}

static bool console_eq(const struct oci_console_size *a, const struct oci_console_size *b) {
  return a->height == b->height && a->width == b->width;
}

static bool user_eq(const struct oci_user *a, const struct oci_user *b) {
  return a->uid == b->uid && a->gid == b->gid && OPT_EQ(a, b, umask) &&
         PLAIN_F(a, b, additional_gids) && str_eq(a->username, b->username);
}

static bool process_eq(const struct oci_process *a, const struct oci_process *b) {
  return a->terminal == b->terminal && PTR_EQ(a->console_size, b->console_size, console_eq) &&
         user_eq(&a->user, &b->user) && STRV_EQ(a, b, args) &&
         str_eq(a->command_line, b->command_line) && STRV_EQ(a, b, env) && str_eq(a->cwd, b->cwd) &&
         PTR_EQ(a->capabilities, b->capabilities, caps_eq) && LIST_F(a, b, rlimits, rlimit_eq) &&
         a->no_new_privileges == b->no_new_privileges &&
         str_eq(a->apparmor_profile, b->apparmor_profile) && OPT_EQ(a, b, oom_score_adj) &&
         PTR_EQ(a->scheduler, b->scheduler, scheduler_eq) &&
         str_eq(a->selinux_label, b->selinux_label) &&
         PTR_EQ(a->io_priority, b->io_priority, io_priority_eq) &&
         PTR_EQ(a->exec_cpu_affinity, b->exec_cpu_affinity, affinity_eq);
}

static bool hook_eq(const struct oci_hook *a, const struct oci_hook *b) {
  return str_eq(a->path, b->path) && STRV_EQ(a, b, args) && STRV_EQ(a, b, env) &&
         OPT_EQ(a, b, timeout);
}

static bool hooks_eq(const struct oci_hooks *a, const struct oci_hooks *b) {
  return LIST_F(a, b, prestart, hook_eq) && LIST_F(a, b, create_runtime, hook_eq) &&
         LIST_F(a, b, create_container, hook_eq) && LIST_F(a, b, start_container, hook_eq) &&
         LIST_F(a, b, poststart, hook_eq) && LIST_F(a, b, poststop, hook_eq);
}

static bool root_eq(const struct oci_root *a, const struct oci_root *b) {
  return str_eq(a->path, b->path) && a->readonly == b->readonly;
}

static bool namespace_eq(const struct oci_namespace *a, const struct oci_namespace *b) {
  return str_eq(a->type, b->type) && str_eq(a->path, b->path);
}

static bool time_offset_eq(const struct oci_time_offset *a, const struct oci_time_offset *b) {
  return str_eq(a->clock, b->clock) && a->secs == b->secs && a->nanosecs == b->nanosecs;
}

static bool device_eq(const struct oci_device *a, const struct oci_device *b) {
  return str_eq(a->type, b->type) && str_eq(a->path, b->path) && a->major == b->major &&
         a->minor == b->minor && OPT_EQ(a, b, file_mode) && OPT_EQ(a, b, uid) && OPT_EQ(a, b, gid);
}

static bool device_cgroup_eq(const struct oci_device_cgroup *a, const struct oci_device_cgroup *b) {
  return a->allow == b->allow && str_eq(a->type, b->type) && OPT_EQ(a, b, major) &&
         OPT_EQ(a, b, minor) && str_eq(a->access, b->access);
}

static bool memory_eq(const struct oci_memory *a, const struct oci_memory *b) {
  return OPT_EQ(a, b, limit) && OPT_EQ(a, b, reservation) && OPT_EQ(a, b, swap) &&
         OPT_EQ(a, b, kernel) && OPT_EQ(a, b, kernel_tcp) && OPT_EQ(a, b, swappiness) &&
         OPT_EQ(a, b, disable_oom_killer) && OPT_EQ(a, b, use_hierarchy) &&
         OPT_EQ(a, b, check_before_update);
}

static bool cpu_eq(const struct oci_cpu *a, const struct oci_cpu *b) {
  return OPT_EQ(a, b, shares) && OPT_EQ(a, b, quota) && OPT_EQ(a, b, burst) &&
         OPT_EQ(a, b, period) && OPT_EQ(a, b, realtime_runtime) && OPT_EQ(a, b, realtime_period) &&
         str_eq(a->cpus, b->cpus) && str_eq(a->mems, b->mems) && OPT_EQ(a, b, idle);
}

static bool weight_device_eq(const struct oci_weight_device *a, const struct oci_weight_device *b) {
  return a->major == b->major && a->minor == b->minor && OPT_EQ(a, b, weight) &&
         OPT_EQ(a, b, leaf_weight);
}

static bool block_io_eq(const struct oci_block_io *a, const struct oci_block_io *b) {
  return OPT_EQ(a, b, weight) && OPT_EQ(a, b, leaf_weight) &&
         LIST_F(a, b, weight_device, weight_device_eq) && PLAIN_F(a, b, throttle_read_bps_device) &&
         PLAIN_F(a, b, throttle_write_bps_device) && PLAIN_F(a, b, throttle_read_iops_device) &&
         PLAIN_F(a, b, throttle_write_iops_device);
}

static bool hugepage_eq(const struct oci_hugepage_limit *a, const struct oci_hugepage_limit *b) {
  return str_eq(a->page_size, b->page_size) && a->limit == b->limit;
}

static bool priority_eq(const struct oci_net_priority *a, const struct oci_net_priority *b) {
  return str_eq(a->name, b->name) && a->priority == b->priority;
}

static bool network_eq(const struct oci_network *a, const struct oci_network *b) {
  return OPT_EQ(a, b, class_id) && LIST_F(a, b, priorities, priority_eq);
}

static bool rdma_eq(const struct oci_rdma *a, const struct oci_rdma *b) {
  return str_eq(a->name, b->name) && OPT_EQ(a, b, hca_handles) && OPT_EQ(a, b, hca_objects);
}

static bool resources_eq(const struct oci_resources *a, const struct oci_resources *b) {
  return LIST_F(a, b, devices, device_cgroup_eq) && PTR_EQ(a->memory, b->memory, memory_eq) &&
         PTR_EQ(a->cpu, b->cpu, cpu_eq) && OPT_EQ(a, b, pids_limit) &&
         PTR_EQ(a->block_io, b->block_io, block_io_eq) &&
         LIST_F(a, b, hugepage_limits, hugepage_eq) && PTR_EQ(a->network, b->network, network_eq) &&
         LIST_F(a, b, rdma, rdma_eq) && KV_EQ(a, b, unified);
}

static bool seccomp_arg_eq(const struct oci_seccomp_arg *a, const struct oci_seccomp_arg *b) {
  return a->index == b->index && a->value == b->value && OPT_EQ(a, b, value_two) &&
         str_eq(a->op, b->op);
}

static bool syscall_eq(const struct oci_seccomp_syscall *a, const struct oci_seccomp_syscall *b) {
  return STRV_EQ(a, b, names) && str_eq(a->action, b->action) && OPT_EQ(a, b, errno_ret) &&
         LIST_F(a, b, args, seccomp_arg_eq);
}

static bool seccomp_eq(const struct oci_seccomp *a, const struct oci_seccomp *b) {
  return str_eq(a->default_action, b->default_action) && OPT_EQ(a, b, default_errno_ret) &&
         STRV_EQ(a, b, architectures) && STRV_EQ(a, b, flags) &&
         str_eq(a->listener_path, b->listener_path) &&
         str_eq(a->listener_metadata, b->listener_metadata) && LIST_F(a, b, syscalls, syscall_eq);
}

static bool personality_eq(const struct oci_personality *a, const struct oci_personality *b) {
  return str_eq(a->domain, b->domain) && STRV_EQ(a, b, flags);
}

static bool intel_rdt_eq(const struct oci_intel_rdt *a, const struct oci_intel_rdt *b) {
  return str_eq(a->clos_id, b->clos_id) && str_eq(a->l3_cache_schema, b->l3_cache_schema) &&
         str_eq(a->mem_bw_schema, b->mem_bw_schema) && OPT_EQ(a, b, enable_cmt) &&
         OPT_EQ(a, b, enable_mbm) && STRV_EQ(a, b, schemata) &&
         a->enable_monitoring == b->enable_monitoring;
}

static bool net_device_eq(const struct oci_net_device *a, const struct oci_net_device *b) {
  return str_eq(a->host_name, b->host_name) && str_eq(a->name, b->name);
}

static bool memory_policy_eq(const struct oci_memory_policy *a, const struct oci_memory_policy *b) {
  return str_eq(a->mode, b->mode) && str_eq(a->nodes, b->nodes) && STRV_EQ(a, b, flags);
}

static bool linux_eq(const struct oci_linux *a, const struct oci_linux *b) {
  return LIST_F(a, b, namespaces, namespace_eq) && PLAIN_F(a, b, uid_mappings) &&
         PLAIN_F(a, b, gid_mappings) && LIST_F(a, b, time_offsets, time_offset_eq) &&
         LIST_F(a, b, devices, device_eq) && str_eq(a->cgroups_path, b->cgroups_path) &&
         PTR_EQ(a->resources, b->resources, resources_eq) &&
         str_eq(a->rootfs_propagation, b->rootfs_propagation) &&
         PTR_EQ(a->seccomp, b->seccomp, seccomp_eq) && KV_EQ(a, b, sysctl) &&
         a->has_masked_paths == b->has_masked_paths && STRV_EQ(a, b, masked_paths) &&
         a->has_readonly_paths == b->has_readonly_paths && STRV_EQ(a, b, readonly_paths) &&
         str_eq(a->mount_label, b->mount_label) &&
         PTR_EQ(a->personality, b->personality, personality_eq) &&
         PTR_EQ(a->intel_rdt, b->intel_rdt, intel_rdt_eq) &&
         LIST_F(a, b, net_devices, net_device_eq) &&
         PTR_EQ(a->memory_policy, b->memory_policy, memory_policy_eq);
}

static bool oci_config_equal(const struct oci_config *a, const struct oci_config *b) {
  return str_eq(a->oci_version, b->oci_version) && PTR_EQ(a->root, b->root, root_eq) &&
         LIST_F(a, b, mounts, mount_eq) && PTR_EQ(a->process, b->process, process_eq) &&
         str_eq(a->hostname, b->hostname) && str_eq(a->domainname, b->domainname) &&
         PTR_EQ(a->hooks, b->hooks, hooks_eq) && KV_EQ(a, b, annotations) &&
         PTR_EQ(a->linux_, b->linux_, linux_eq);
}

/* Two JSON trees alike, member order aside. Numbers compare as written. */
static bool tree_eq(yajl_val a, yajl_val b) {
  if (a->type != b->type)
    return false;
  switch (a->type) {
  case yajl_t_string:
    return strcmp(a->u.string, b->u.string) == 0;
  case yajl_t_number:
    return strcmp(a->u.number.r, b->u.number.r) == 0;
  case yajl_t_array:
    if (a->u.array.len != b->u.array.len)
      return false;
    for (size_t i = 0; i < a->u.array.len; i++) {
      if (!tree_eq(a->u.array.values[i], b->u.array.values[i]))
        return false;
    }
    return true;
  case yajl_t_object:
    if (a->u.object.len != b->u.object.len)
      return false;
    for (size_t i = 0; i < a->u.object.len; i++) {
      const char *path[] = {a->u.object.keys[i], NULL};
      yajl_val other = yajl_tree_get(b, path, yajl_t_any);
      if (other == NULL || !tree_eq(a->u.object.values[i], other)) {
        fprintf(stderr, "JSON differs at member \"%s\"\n", a->u.object.keys[i]);
        return false;
      }
    }
    return true;
  default:
    return true;
  }
}

/* ---- helpers ---------------------------------------------------------- */

static char *data_path(const char *name) { return xasprintf("%s/%s", datadir, name); }

static struct oci_config *load(const char *name) {
  _cleanup_free_ char *path = data_path(name);
  _cleanup_error_ struct husk_error *err = NULL;
  struct oci_config *c = oci_config_load(path, &err);
  if (c == NULL)
    fprintf(stderr, "load %s: %s\n", path, err ? err->msg : "?");
  return c;
}

static struct oci_config *parse(const char *json) {
  _cleanup_error_ struct husk_error *err = NULL;
  struct oci_config *c = oci_config_parse(json, strlen(json), "config.json", &err);
  if (c == NULL)
    fprintf(stderr, "parse: %s\n", err ? err->msg : "?");
  return c;
}

/* Parse `json`, which must fail with exactly `want`. */
static void expect_error(const char *json, const char *want) {
  _cleanup_error_ struct husk_error *err = NULL;
  struct oci_config *c = oci_config_parse(json, strlen(json), "config.json", &err);
  CHECK(c == NULL);
  oci_config_free(c);
  CHECK(err != NULL);
  if (err) {
    CHECK_STR(err->msg, want);
    CHECK(err->errno_ == 0);
    CHECK(strchr(err->msg, '\n') == NULL);
  }
}

/* Print, parse back, compare; print again and compare the text. */
static void check_round_trip(const struct oci_config *c, const char *what) {
  for (int pretty = 0; pretty <= 1; pretty++) {
    _cleanup_free_ char *text = oci_config_print(c, pretty);
    CHECK(text != NULL);
    if (text == NULL)
      return;
    struct oci_config *back = parse(text);
    CHECK(back != NULL);
    if (back == NULL) {
      fprintf(stderr, "%s printed as:\n%s\n", what, text);
      continue;
    }
    bool eq = oci_config_equal(c, back);
    CHECK(eq);
    if (!eq)
      fprintf(stderr, "%s changed on the round trip; printed as:\n%s\n", what, text);
    _cleanup_free_ char *again = oci_config_print(back, pretty);
    CHECK_STR(again, text);
    oci_config_free(back);
  }
}

/* Wrap a linux section into a valid config. */
static char *with_linux(const char *linux_json) {
  return xasprintf("{\"ociVersion\": \"1.2.0\", \"linux\": %s}", linux_json);
}

static char *with_process(const char *process_json) {
  return xasprintf("{\"ociVersion\": \"1.2.0\", \"process\": %s}", process_json);
}

/* ---- tests ------------------------------------------------------------ */

static void test_minimal(void) {
  struct oci_config *c = load("minimal.json");
  CHECK(c != NULL);
  if (c == NULL)
    return;
  CHECK_STR(c->oci_version, "1.0.0");
  CHECK(c->root && !c->root->readonly);
  CHECK_STR(c->root->path, "rootfs");
  CHECK(c->process != NULL);
  CHECK_STR(c->process->cwd, "/");
  CHECK(c->process->args_len == 1 && c->process->args[1] == NULL);
  CHECK(!c->process->terminal && c->process->user.uid == 0 && !c->process->user.has_umask);
  CHECK(!c->process->has_oom_score_adj && c->process->capabilities == NULL);
  CHECK(c->process->env == NULL && c->process->env_len == 0);
  CHECK(c->mounts == NULL && c->mounts_len == 0);
  CHECK(c->hostname == NULL && c->hooks == NULL && c->linux_ == NULL && c->annotations_len == 0);
  check_round_trip(c, "minimal.json");
  oci_config_free(c);
}

static void test_full_values(void) {
  struct oci_config *c = load("full.json");
  CHECK(c != NULL);
  if (c == NULL)
    return;
  const struct oci_process *p = c->process;
  CHECK(p->terminal && p->console_size && p->console_size->height == 25);
  CHECK(p->user.uid == 1000 && p->user.gid == 1001 && p->user.has_umask && p->user.umask == 18);
  CHECK(p->user.additional_gids_len == 3 && p->user.additional_gids[2] == UINT32_MAX);
  CHECK_STR(p->user.username, "someone");
  CHECK(p->args_len == 3);
  CHECK_STR(p->args[2], "echo \"hi\" there");
  CHECK(p->args[3] == NULL); /* NULL-terminated for execve */
  CHECK_STR(p->env[2], "EMPTY=");
  CHECK_STR(p->command_line, "cmd.exe /c dir");
  CHECK(p->capabilities->ambient_len == 1);
  CHECK_STR(p->capabilities->inheritable[0], "CAP_NET_RAW");
  CHECK(p->rlimits_len == 2 && p->rlimits[1].hard == UINT64_MAX);
  CHECK(p->rlimits[1].soft == (uint64_t)INT64_MAX + 1);
  CHECK(p->has_oom_score_adj && p->oom_score_adj == -500);
  CHECK(p->scheduler->has_nice && p->scheduler->nice == -5);
  CHECK(p->scheduler->period == 18446744073709551000ULL);
  CHECK_STR(p->io_priority->class_, "IOPRIO_CLASS_RT");
  CHECK(p->io_priority->has_priority && p->io_priority->priority == 3);
  CHECK_STR(p->exec_cpu_affinity->final, "1-3");

  CHECK(c->root->readonly);
  CHECK_STR(c->domainname, "example.org");
  CHECK(c->mounts_len == 2 && c->mounts[0].options == NULL);
  CHECK(c->mounts[1].gid_mappings_len == 2 && c->mounts[1].gid_mappings[1].host_id == 300000);
  CHECK(c->hooks->prestart[0].has_timeout && c->hooks->prestart[0].timeout == 5);
  CHECK(!c->hooks->create_runtime[0].has_timeout);
  CHECK(c->hooks->poststart[0].timeout == INT32_MAX);
  CHECK(c->annotations_len == 3);
  CHECK_STR(c->annotations[2].value, "h\xc3\xa9llo \xe2\x98\x83");
  CHECK_STR(c->annotations[1].value, "");

  const struct oci_linux *l = c->linux_;
  CHECK(l->sysctl_len == 2);
  CHECK_STR(l->sysctl[0].key, "net.ipv4.ip_forward");
  CHECK_STR(l->sysctl[1].value, "68719476736");
  const struct oci_resources *r = l->resources;
  CHECK(r->devices_len == 4 && !r->devices[0].allow && r->devices[0].type == NULL);
  CHECK(!r->devices[0].has_major && r->devices[2].has_major && !r->devices[2].has_minor);
  CHECK(r->memory->has_swap && r->memory->swap == -1);
  CHECK(r->memory->kernel_tcp == INT64_MIN);
  CHECK(r->memory->has_kernel && r->memory->kernel == 0);
  CHECK(r->memory->has_use_hierarchy && !r->memory->use_hierarchy);
  CHECK(r->cpu->has_quota && r->cpu->quota == -1 && r->cpu->idle == 1);
  CHECK(r->has_pids_limit && r->pids_limit == -1);
  CHECK(r->block_io->weight_device[1].weight == 65535 &&
        !r->block_io->weight_device[1].has_leaf_weight);
  CHECK(r->block_io->throttle_write_bps_device[0].rate == UINT64_MAX);
  CHECK(r->block_io->throttle_write_iops_device_len == 2);
  CHECK(r->hugepage_limits[1].limit == 9223372036854772000ULL);
  CHECK(r->network->class_id == 1048577 && r->network->priorities[1].priority == 1000);
  CHECK(r->rdma_len == 2 && !r->rdma[1].has_hca_handles && r->rdma[1].hca_objects == 1000);
  CHECK_STR(r->rdma[0].name, "mlx5_1");
  CHECK_STR(r->unified[0].value, "default 100");
  CHECK(l->namespaces_len == 8);
  CHECK_STR(l->namespaces[1].path, "/var/run/netns/neta");
  CHECK(l->namespaces[0].path == NULL);
  CHECK(l->devices_len == 3 && l->devices[0].file_mode == 0666 && l->devices[1].gid == 6);
  CHECK(!l->devices[2].has_file_mode && l->devices[2].major == 0);
  const struct oci_seccomp *s = l->seccomp;
  CHECK(s->has_default_errno_ret && s->default_errno_ret == 38);
  CHECK_STR(s->listener_metadata, "metadata=1");
  CHECK(s->syscalls_len == 3 && s->syscalls[1].args_len == 2);
  CHECK(s->syscalls[1].args[0].value == UINT64_MAX && !s->syscalls[1].args[0].has_value_two);
  CHECK(s->syscalls[1].args[1].value_two == 9223372036854775808ULL);
  CHECK(s->syscalls[2].has_errno_ret && s->syscalls[2].errno_ret == 1);
  CHECK(l->has_masked_paths && l->masked_paths_len == 2);
  CHECK(l->has_readonly_paths && l->readonly_paths_len == 0);
  CHECK(l->intel_rdt->has_enable_mbm && !l->intel_rdt->enable_mbm && l->intel_rdt->enable_cmt);
  CHECK(l->intel_rdt->schemata_len == 2 && l->intel_rdt->enable_monitoring);
  CHECK_STR(l->intel_rdt->schemata[1], "MB:0=20;1=70");
  CHECK(l->net_devices_len == 2 && l->net_devices[1].name == NULL);
  CHECK_STR(l->net_devices[0].host_name, "eth1");
  CHECK_STR(l->net_devices[0].name, "ctr1");
  CHECK_STR(l->memory_policy->mode, "MPOL_INTERLEAVE");
  CHECK_STR(l->memory_policy->nodes, "0-3,7");
  CHECK(l->memory_policy->flags_len == 1);
  CHECK_STR(l->personality->domain, "LINUX32");
  CHECK(l->time_offsets_len == 2 && l->time_offsets[0].secs == -86400);
  CHECK_STR(l->time_offsets[1].clock, "boottime");
  CHECK(l->time_offsets[1].secs == INT64_MAX && l->time_offsets[1].nanosecs == 999999999);
  oci_config_free(c);
}

static void test_full_round_trip(void) {
  struct oci_config *c = load("full.json");
  CHECK(c != NULL);
  if (c == NULL)
    return;
  check_round_trip(c, "full.json");
  /* The printed JSON is the fixture itself, member order aside: the JSON
   * names are right, and nothing is lost or added. */
  _cleanup_free_ char *path = data_path("full.json");
  _cleanup_free_ char *orig = NULL;
  _cleanup_free_ char *printed = oci_config_print(c, true);
  CHECK(read_file(path, &orig, NULL, 0, NULL) == 0 && printed != NULL);
  if (orig && printed) {
    char buf[256];
    yajl_val ta = yajl_tree_parse(orig, buf, sizeof(buf));
    yajl_val tb = yajl_tree_parse(printed, buf, sizeof(buf));
    CHECK(ta && tb && tree_eq(ta, tb));
    yajl_tree_free(ta);
    yajl_tree_free(tb);
  }
  /* Big numbers are printed as they were, not through a double. */
  _cleanup_free_ char *text = oci_config_print(c, false);
  CHECK(text && strstr(text, "\"value\":18446744073709551615"));
  CHECK(text && strstr(text, "\"kernelTCP\":-9223372036854775808"));
  CHECK(text && strstr(text, "\"readonlyPaths\":[]"));
  CHECK(text && strstr(text, "\"args\":[\"/bin/sh\",\"-c\",\"echo \\\"hi\\\" there\"]"));
  /* Key order follows the spec. */
  CHECK(text &&
        strncmp(text, "{\"ociVersion\":\"1.2.0\",\"process\":{\"terminal\":true,", 49) == 0);
  oci_config_free(c);

  /* A config with nothing optional keeps that on a round trip. */
  struct oci_config *bare = parse("{\"ociVersion\": \"1.0.2\", \"linux\": {\"maskedPaths\": []}}");
  CHECK(bare != NULL);
  if (bare) {
    CHECK(bare->linux_->has_masked_paths && !bare->linux_->has_readonly_paths);
    check_round_trip(bare, "bare");
    _cleanup_free_ char *t = oci_config_print(bare, false);
    CHECK_STR(t, "{\"ociVersion\":\"1.0.2\",\"linux\":{\"maskedPaths\":[]}}");
    oci_config_free(bare);
  }
}

/* Print a JSON tree with node number `m->target` (pre-order) replaced by a
 * value of the wrong type, and note that node's path. */
struct mutation {
  size_t target, seen;
  char path[512];
};

static bool is_map(const char *key) {
  static const char *const maps[] = {"annotations", "sysctl", "unified", "rdma", "timeOffsets",
                                     "netDevices"};
  for (size_t i = 0; key && i < ARRAY_SIZE(maps); i++) {
    if (strcmp(key, maps[i]) == 0)
      return true;
  }
  return false;
}

static void emit(yajl_gen g, yajl_val v, const char *key, const char *path, struct mutation *m) {
  if (m->seen++ == m->target) {
    snprintf(m->path, sizeof(m->path), "%s", path);
    if (YAJL_IS_STRING(v))
      yajl_gen_number(g, "1", 1);
    else if (YAJL_IS_OBJECT(v))
      yajl_gen_array_open(g), yajl_gen_array_close(g);
    else
      yajl_gen_string(g, (const unsigned char *)"x", 1);
    return;
  }
  char sub[512];
  switch (v->type) {
  case yajl_t_string:
    yajl_gen_string(g, (const unsigned char *)v->u.string, strlen(v->u.string));
    break;
  case yajl_t_number:
    yajl_gen_number(g, v->u.number.r, strlen(v->u.number.r));
    break;
  case yajl_t_true:
  case yajl_t_false:
    yajl_gen_bool(g, v->type == yajl_t_true);
    break;
  case yajl_t_array:
    yajl_gen_array_open(g);
    for (size_t i = 0; i < v->u.array.len; i++) {
      snprintf(sub, sizeof(sub), "%s[%zu]", path, i);
      emit(g, v->u.array.values[i], NULL, sub, m);
    }
    yajl_gen_array_close(g);
    break;
  case yajl_t_object:
    yajl_gen_map_open(g);
    for (size_t i = 0; i < v->u.object.len; i++) {
      const char *k = v->u.object.keys[i];
      if (is_map(key))
        snprintf(sub, sizeof(sub), "%s[\"%s\"]", path, k);
      else
        snprintf(sub, sizeof(sub), "%s%s%s", path, *path ? "." : "", k);
      yajl_gen_string(g, (const unsigned char *)k, strlen(k));
      emit(g, v->u.object.values[i], k, sub, m);
    }
    yajl_gen_map_close(g);
    break;
  default:
    yajl_gen_null(g);
  }
}

/* Every value in full.json is read and type-checked: giving any one of them
 * the wrong type must fail, at its path, without leaking what was parsed so
 * far (LeakSanitizer watches). */
static void test_every_wrong_type(void) {
  _cleanup_free_ char *path = data_path("full.json");
  _cleanup_free_ char *text = NULL;
  CHECK(read_file(path, &text, NULL, 0, NULL) == 0);
  if (text == NULL)
    return;
  char buf[256];
  yajl_val tree = yajl_tree_parse(text, buf, sizeof(buf));
  CHECK(tree != NULL);
  size_t bad = 0, n = 0;
  for (struct mutation m = {.target = 1};; m.target++, n++) {
    m.seen = 0;
    yajl_gen g = yajl_gen_alloc(NULL);
    emit(g, tree, NULL, "", &m);
    const unsigned char *out;
    size_t len;
    yajl_gen_get_buf(g, &out, &len);
    if (m.target >= m.seen) { /* no such node: done */
      yajl_gen_free(g);
      break;
    }
    _cleanup_error_ struct husk_error *err = NULL;
    struct oci_config *c = oci_config_parse((const char *)out, len, "config.json", &err);
    _cleanup_free_ char *want = xasprintf("config.json: %s: expected ", m.path);
    if (c != NULL || err == NULL || strncmp(err->msg, want, strlen(want)) != 0) {
      bad++;
      fprintf(stderr, "wrong type at %s: %s\n", m.path, err ? err->msg : "accepted");
    }
    oci_config_free(c);
    yajl_gen_free(g);
  }
  yajl_tree_free(tree);
  CHECK(n > 300); /* the walk did cover the file */
  CHECK(bad == 0);
}

static void test_unknown_fields(void) {
  struct oci_config *c = load("unknown-fields.json");
  CHECK(c != NULL);
  if (c == NULL)
    return;
  CHECK_STR(c->oci_version, "1.3.0");
  CHECK(c->process->user.uid == 1 && c->process->user.gid == 2);
  CHECK(c->linux_->resources->memory->limit == 1048576);
  CHECK_STR(c->linux_->intel_rdt->clos_id, "g");
  oci_config_free(c);
}

static void test_null_and_repeats(void) {
  /* null reads as absent; a repeated key means its last value (as in Go). */
  struct oci_config *c =
      parse("{\"ociVersion\": \"1\", \"hostname\": null, \"domainname\": \"a\","
            " \"domainname\": \"b\", \"annotations\": {\"k\": \"1\", \"x\": \"y\","
            " \"k\": \"2\"}, \"linux\": null}");
  CHECK(c != NULL);
  if (c) {
    CHECK(c->hostname == NULL && c->linux_ == NULL);
    CHECK_STR(c->domainname, "b");
    CHECK(c->annotations_len == 2);
    CHECK_STR(c->annotations[0].key, "x");
    CHECK_STR(c->annotations[1].value, "2");
    oci_config_free(c);
  }
}

static void test_integers(void) {
  struct {
    const char *process; /* a process.user or process.rlimits fragment */
    const char *error;   /* NULL: must parse */
  } cases[] = {
      {"{\"cwd\": \"/\", \"user\": {\"uid\": 4294967295, \"gid\": 0}}", NULL},
      {"{\"cwd\": \"/\", \"user\": {\"uid\": 4294967296, \"gid\": 0}}",
       "config.json: process.user.uid: integer 4294967296 out of range for uint32"},
      {"{\"cwd\": \"/\", \"user\": {\"uid\": -1, \"gid\": 0}}",
       "config.json: process.user.uid: expected a non-negative integer, got -1"},
      {"{\"cwd\": \"/\", \"user\": {\"uid\": 1.5, \"gid\": 0}}",
       "config.json: process.user.uid: expected an integer, got 1.5"},
      {"{\"cwd\": \"/\", \"user\": {\"uid\": 1e3, \"gid\": 0}}",
       "config.json: process.user.uid: expected an integer, got 1e3"},
      {"{\"cwd\": \"/\", \"user\": {\"uid\": \"0\", \"gid\": 0}}",
       "config.json: process.user.uid: expected an integer"},
      {"{\"cwd\": \"/\", \"rlimits\": [{\"type\": \"RLIMIT_AS\", \"hard\": 18446744073709551616, "
       "\"soft\": 0}]}",
       "config.json: process.rlimits[0].hard: integer 18446744073709551616 out of range for "
       "uint64"},
      {"{\"cwd\": \"/\", \"oomScoreAdj\": 2147483648}",
       "config.json: process.oomScoreAdj: integer 2147483648 out of range for int32"},
      {"{\"cwd\": \"/\", \"oomScoreAdj\": -2147483648}", NULL},
      {"{\"cwd\": \"/\", \"oomScoreAdj\": -2147483649}",
       "config.json: process.oomScoreAdj: integer -2147483649 out of range for int32"},
  };
  for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
    _cleanup_free_ char *json = with_process(cases[i].process);
    if (cases[i].error) {
      expect_error(json, cases[i].error);
    } else {
      struct oci_config *c = parse(json);
      CHECK(c != NULL);
      oci_config_free(c);
    }
  }
  _cleanup_free_ char *swap =
      with_linux("{\"resources\": {\"memory\": {\"swap\": -9223372036854775809}}}");
  expect_error(swap, "config.json: linux.resources.memory.swap: integer -9223372036854775809 out "
                     "of range for int64");
  expect_error(
      "{\"ociVersion\": \"1\", \"linux\": {\"resources\": {\"blockIO\": {\"weight\": 65536}}}}",
      "config.json: linux.resources.blockIO.weight: integer 65536 out of range for uint16");
}

static void test_errors(void) {
  struct {
    const char *json, *error;
  } cases[] = {
      /* syntax */
      {"", "config.json: invalid JSON: the document is empty"},
      {" \n\t ", "config.json: invalid JSON: the document is empty"},
      {"{\"ociVersion\": \"1\", \"process\": {\"args\": [\"/bin/sh\\u0000x\"]}}",
       "config.json: invalid JSON: a string holds a NUL character (\\u0000) (line 1, column 57)"},
      {"{\"ociVersion\": \"1\", \"a\\u0000b\": 1}",
       "config.json: invalid JSON: a string holds a NUL character (\\u0000) (line 1, column 30)"},
      /* a lexical error points at the byte at fault, not past it */
      {"\177ELF", "config.json: invalid JSON: lexical error: invalid char in json text. (line 1, "
                  "column 1)"},
      {"{\"a\": \"b\xc3\"}", "config.json: invalid JSON: lexical error: invalid bytes in UTF8 "
                             "string. (line 1, column 9)"},
      {"{\"ociVersion\": \"1\",\n \"process\": {\"cwd\": }}",
       "config.json: invalid JSON: parse error: unallowed token at this point in JSON text (line "
       "2, column 21)"},
      {"{\"ociVersion\": \"1\"} x",
       "config.json: invalid JSON: parse error: trailing garbage (line 1, column 21)"},
      {"{\"ociVersion\": \"1\" /* c */}",
       "config.json: invalid JSON: lexical error: probable comment found in input text, comments "
       "are not enabled. (line 1, column 20)"},
      {"[]", "config.json: expected a JSON object at the top level"},
      /* types at several depths */
      {"{\"ociVersion\": 1}", "config.json: ociVersion: expected a string"},
      {"{\"ociVersion\": \"1\", \"process\": []}", "config.json: process: expected an object"},
      {"{\"ociVersion\": \"1\", \"process\": {\"cwd\": \"/\", \"args\": [1]}}",
       "config.json: process.args[0]: expected a string"},
      {"{\"ociVersion\": \"1\", \"process\": {\"cwd\": \"/\", \"args\": \"sh\"}}",
       "config.json: process.args: expected an array"},
      {"{\"ociVersion\": \"1\", \"process\": {\"cwd\": \"/\", \"terminal\": \"yes\"}}",
       "config.json: process.terminal: expected a boolean"},
      {"{\"ociVersion\": \"1\", \"mounts\": [{\"destination\": \"/a\"}, 5]}",
       "config.json: mounts[1]: expected an object"},
      {"{\"ociVersion\": \"1\", \"mounts\": [{\"destination\": \"/a\", \"options\": [\"ro\", "
       "false]}]}",
       "config.json: mounts[0].options[1]: expected a string"},
      {"{\"ociVersion\": \"1\", \"linux\": {\"sysctl\": {\"net.ipv4.ip_forward\": 1}}}",
       "config.json: linux.sysctl[\"net.ipv4.ip_forward\"]: expected a string"},
      {"{\"ociVersion\": \"1\", \"linux\": {\"resources\": {\"rdma\": {\"mlx\": {\"hcaHandles\": "
       "\"x\"}}}}}",
       "config.json: linux.resources.rdma[\"mlx\"].hcaHandles: expected an integer"},
      {"{\"ociVersion\": \"1\", \"linux\": {\"resources\": {\"memory\": {\"limit\": \"1G\"}}}}",
       "config.json: linux.resources.memory.limit: expected an integer"},
      {"{\"ociVersion\": \"1\", \"linux\": {\"resources\": {\"cpu\": {\"cpus\": 3}}}}",
       "config.json: linux.resources.cpu.cpus: expected a string"},
      {"{\"ociVersion\": \"1\", \"linux\": {\"seccomp\": {\"defaultAction\": \"SCMP_ACT_ALLOW\", "
       "\"syscalls\": [{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ERRNO\", \"args\": "
       "[{\"index\": 0, \"value\": -1, \"op\": \"SCMP_CMP_EQ\"}]}]}}}",
       "config.json: linux.seccomp.syscalls[0].args[0].value: expected a non-negative integer, "
       "got -1"},
      {"{\"ociVersion\": \"1\", \"annotations\": {\"a\\nb\": 2}}",
       "config.json: annotations[\"a\\u000ab\"]: expected a string"},
      /* required fields */
      {"{}", "config.json: ociVersion: missing required field"},
      {"{\"ociVersion\": null}", "config.json: ociVersion: missing required field"},
      {"{\"ociVersion\": \"1\", \"root\": {}}", "config.json: root.path: missing required field"},
      {"{\"ociVersion\": \"1\", \"process\": {\"args\": [\"sh\"]}}",
       "config.json: process.cwd: missing required field"},
      {"{\"ociVersion\": \"1\", \"mounts\": [{\"destination\": \"/a\"}, {\"type\": \"tmpfs\"}]}",
       "config.json: mounts[1].destination: missing required field"},
      {"{\"ociVersion\": \"1\", \"hooks\": {\"poststop\": [{\"args\": []}]}}",
       "config.json: hooks.poststop[0].path: missing required field"},
      {"{\"ociVersion\": \"1\", \"hooks\": {\"prestart\": [{\"path\": \"/x\", \"timeout\": 0}]}}",
       "config.json: hooks.prestart[0].timeout: must be greater than 0, got 0"},
      {"{\"ociVersion\": \"1\", \"linux\": {\"namespaces\": [{\"path\": \"/x\"}]}}",
       "config.json: linux.namespaces[0].type: missing required field"},
      {"{\"ociVersion\": \"1\", \"linux\": {\"devices\": [{\"path\": \"/dev/x\"}]}}",
       "config.json: linux.devices[0].type: missing required field"},
      {"{\"ociVersion\": \"1\", \"linux\": {\"devices\": [{\"path\": \"/dev/x\", \"type\": \"c\", "
       "\"major\": 1}]}}",
       "config.json: linux.devices[0].minor: missing required field"},
      {"{\"ociVersion\": \"1\", \"linux\": {\"uidMappings\": [{\"containerID\": 0, \"hostID\": "
       "1000}]}}",
       "config.json: linux.uidMappings[0].size: missing required field"},
      {"{\"ociVersion\": \"1\", \"process\": {\"cwd\": \"/\", \"rlimits\": [{\"type\": "
       "\"RLIMIT_NOFILE\", \"hard\": 1}]}}",
       "config.json: process.rlimits[0].soft: missing required field"},
      {"{\"ociVersion\": \"1\", \"linux\": {\"seccomp\": {}}}",
       "config.json: linux.seccomp.defaultAction: missing required field"},
      {"{\"ociVersion\": \"1\", \"linux\": {\"seccomp\": {\"defaultAction\": \"SCMP_ACT_ALLOW\", "
       "\"syscalls\": [{\"action\": \"SCMP_ACT_ERRNO\"}]}}}",
       "config.json: linux.seccomp.syscalls[0].names: missing required field"},
      {"{\"ociVersion\": \"1\", \"process\": {\"cwd\": \"/\", \"scheduler\": {\"nice\": 1}}}",
       "config.json: process.scheduler.policy: missing required field"},
      {"{\"ociVersion\": \"1\", \"process\": {\"cwd\": \"/\", \"ioPriority\": {\"priority\": 1}}}",
       "config.json: process.ioPriority.class: missing required field"},
      {"{\"ociVersion\": \"1\", \"linux\": {\"personality\": {\"flags\": []}}}",
       "config.json: linux.personality.domain: missing required field"},
      /* namespaces and duplicates */
      {"{\"ociVersion\": \"1\", \"linux\": {\"namespaces\": [{\"type\": \"pid\"}, {\"type\": "
       "\"ipc\"}, {\"type\": \"foo\"}]}}",
       "config.json: linux.namespaces[2].type: unknown namespace type \"foo\""},
      {"{\"ociVersion\": \"1\", \"linux\": {\"namespaces\": [{\"type\": \"pid\"}, {\"type\": "
       "\"ipc\"}, {\"type\": \"uts\"}, {\"type\": \"pid\", \"path\": \"/proc/1/ns/pid\"}]}}",
       "config.json: linux.namespaces[3].type: duplicate namespace \"pid\""},
      {"{\"ociVersion\": \"1\", \"process\": {\"cwd\": \"/\", \"rlimits\": [{\"type\": "
       "\"RLIMIT_NOFILE\", \"hard\": 1, \"soft\": 1}, {\"type\": \"RLIMIT_NOFILE\", \"hard\": 2, "
       "\"soft\": 2}]}}",
       "config.json: process.rlimits[1].type: duplicate rlimit \"RLIMIT_NOFILE\""},
  };
  for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
    expect_error(cases[i].json, cases[i].error);

  /* Nesting is bounded, unknown fields included: 128 levels pass, 129 not. */
  for (int levels = 127; levels <= 128; levels++) {
    char deep[600];
    int n = snprintf(deep, sizeof(deep), "{\"ociVersion\": \"1\", \"x\": ");
    memset(deep + n, '[', levels);
    memset(deep + n + levels, ']', levels);
    strcpy(deep + n + 2 * levels, "}");
    if (levels == 128) {
      expect_error(deep, "config.json: invalid JSON: nested deeper than 128 levels (line 1, "
                         "column 153)");
    } else {
      struct oci_config *ok = parse(deep);
      CHECK(ok != NULL);
      oci_config_free(ok);
    }
  }

  /* The length is what counts, not a NUL. */
  const char text[] = "{\"ociVersion\": \"1\"}garbage";
  _cleanup_error_ struct husk_error *err = NULL;
  struct oci_config *c = oci_config_parse(text, 19, "x.json", &err);
  CHECK(c != NULL && err == NULL);
  oci_config_free(c);
  c = oci_config_parse("{\"ociVersion\": \"1\"}\0{}", 22, "x.json", &err);
  CHECK(c == NULL && err != NULL);
  oci_config_free(c);
}

static void test_load_errors(void) {
  _cleanup_free_ char *bad = data_path("bad-syntax.json");
  _cleanup_error_ struct husk_error *err = NULL;
  struct oci_config *c = oci_config_load(bad, &err);
  CHECK(c == NULL && err != NULL);
  if (err)
    CHECK_STR(err->msg, "bad-syntax.json: invalid JSON: parse error: unallowed token at this "
                        "point in JSON text (line 5, column 17)");

  _cleanup_free_ char *missing = data_path("no-such.json");
  _cleanup_error_ struct husk_error *err2 = NULL;
  c = oci_config_load(missing, &err2);
  CHECK(c == NULL && err2 != NULL && err2->errno_ == ENOENT);
  if (err2)
    CHECK(strstr(err2->msg, "no-such.json") != NULL);

  /* Not a regular file: refused at once, never read (a fifo would block,
   * /dev/zero would not end). */
  const char *const odd[][2] = {
      {"/dev/zero", "/dev/zero: is a character device, not a regular file"},
      {"/", "/: is a directory, not a regular file"}};
  for (size_t i = 0; i < sizeof(odd) / sizeof(odd[0]); i++) {
    _cleanup_error_ struct husk_error *e = NULL;
    c = oci_config_load(odd[i][0], &e);
    CHECK(c == NULL && e != NULL);
    if (e)
      CHECK_STR(e->msg, odd[i][1]);
  }
}

/* Messages stay one line, and long ones keep their start and end. */
static void test_one_line(void) {
  _cleanup_free_ char *plain = husk_one_line("a \"b\": c");
  CHECK_STR(plain, "a \"b\": c");
  _cleanup_free_ char *ctl = husk_one_line("a\nb\tc\rd\001e\177");
  CHECK_STR(ctl, "a\\nb\\tc\\rd\\x01e\\x7f");

  size_t n = 1 << 20;
  _cleanup_free_ char *big = xmalloc0(n + 64);
  memcpy(big, "start ", 6);
  memset(big + 6, 'a', n);
  /* "é" (2 bytes) across every place a cut could fall */
  for (size_t i = 601; i < 801; i += 2)
    memcpy(big + i, "\xc3\xa9", 2);
  for (size_t i = n - 399; i < n - 199; i += 2)
    memcpy(big + i, "\xc3\xa9", 2);
  strcpy(big + 6 + n, ": File name too long");
  _cleanup_free_ char *line = husk_one_line(big);
  CHECK(line && strlen(line) <= HUSK_ERROR_MAX + 64);
  CHECK(line && strncmp(line, "start aaa", 9) == 0);
  CHECK(line && strstr(line, " bytes left out)...") != NULL);
  size_t len = line ? strlen(line) : 0;
  CHECK(len > 20 && strcmp(line + len - 20, ": File name too long") == 0);
  /* no UTF-8 sequence cut in two */
  for (size_t i = 0; line && line[i]; i++)
    if ((unsigned char)line[i] == 0xc3)
      CHECK((unsigned char)line[i + 1] == 0xa9);
    else if ((unsigned char)line[i] == 0xa9)
      CHECK(i > 0 && (unsigned char)line[i - 1] == 0xc3);

  _cleanup_error_ struct husk_error *err = NULL;
  husk_fail(&err, ENAMETOOLONG, "rootfs %s", big);
  CHECK(err && strlen(err->msg) <= HUSK_ERROR_MAX + 64 && strchr(err->msg, '\n') == NULL);
  CHECK(err && strstr(err->msg, "File name too long") != NULL);
}

static void test_default(bool rootless) {
  struct oci_config *c = oci_config_default(rootless);
  CHECK(c != NULL);
  if (c == NULL)
    return;
  CHECK_STR(c->oci_version, "1.3.0");
  CHECK_STR(c->hostname, "husk");
  CHECK(c->root->readonly);
  CHECK_STR(c->root->path, "rootfs");
  const struct oci_process *p = c->process;
  CHECK(p->terminal && p->no_new_privileges && p->user.uid == 0 && p->user.gid == 0);
  CHECK(p->args_len == 1 && p->args[1] == NULL);
  CHECK_STR(p->args[0], "sh");
  CHECK_STR(p->env[1], "TERM=xterm");
  CHECK_STR(p->cwd, "/");
  CHECK(p->capabilities->bounding_len == 3 && p->capabilities->permitted_len == 3 &&
        p->capabilities->effective_len == 3 && p->capabilities->ambient_len == 0 &&
        p->capabilities->inheritable_len == 0);
  CHECK_STR(p->capabilities->bounding[2], "CAP_NET_BIND_SERVICE");
  CHECK(p->rlimits_len == 1 && p->rlimits[0].hard == 1024 && p->rlimits[0].soft == 1024);
  CHECK(c->mounts_len == 7);
  CHECK_STR(c->mounts[6].destination, "/sys/fs/cgroup");
  const struct oci_linux *l = c->linux_;
  CHECK(l->masked_paths_len == 11 && l->readonly_paths_len == 5);
  CHECK_STR(l->masked_paths[10], "/sys/devices/virtual/tpm");
  CHECK_STR(l->readonly_paths[4], "/proc/sysrq-trigger");

  bool has_net = false, has_user = false;
  for (size_t i = 0; i < l->namespaces_len; i++) {
    has_net |= strcmp(l->namespaces[i].type, "network") == 0;
    has_user |= strcmp(l->namespaces[i].type, "user") == 0;
  }
  CHECK(l->namespaces_len == 6);
  const struct oci_mount *devpts = &c->mounts[2];
  CHECK_STR(devpts->destination, "/dev/pts");
  if (rootless) {
    CHECK(!has_net && has_user);
    CHECK(l->resources == NULL);
    CHECK(l->uid_mappings_len == 1 && l->uid_mappings[0].host_id == geteuid() &&
          l->uid_mappings[0].container_id == 0 && l->uid_mappings[0].size == 1);
    CHECK(l->gid_mappings_len == 1 && l->gid_mappings[0].host_id == getegid());
    CHECK(devpts->options_len == 5);
    CHECK_STR(devpts->options[4], "mode=0620");
    CHECK_STR(c->mounts[5].type, "none");
    CHECK_STR(c->mounts[5].source, "/sys");
    CHECK_STR(c->mounts[5].options[0], "rbind");
  } else {
    CHECK(has_net && !has_user);
    CHECK(l->resources && l->resources->devices_len == 1 && !l->resources->devices[0].allow);
    CHECK_STR(l->resources->devices[0].access, "rwm");
    CHECK(l->uid_mappings_len == 0);
    CHECK(devpts->options_len == 6);
    CHECK_STR(devpts->options[5], "gid=5");
    CHECK_STR(c->mounts[5].type, "sysfs");
  }
  check_round_trip(c, rootless ? "default rootless" : "default");
  oci_config_free(c);
}


/* ---- collecting every error ------------------------------------------- */

/* Parse with oci_config_parse_all and compare the "path: message" list. */
static struct oci_config *expect_all(const char *json, const char *const *want, size_t n_want) {
  struct oci_config_error *errors = NULL;
  size_t n = 99;
  struct oci_config *c = oci_config_parse_all(json, strlen(json), &errors, &n);
  CHECK(n == n_want);
  for (size_t i = 0; i < n && i < n_want; i++) {
    _cleanup_free_ char *got = xasprintf("%s: %s", errors[i].path, errors[i].message);
    CHECK_STR(got, want[i]);
    CHECK(strchr(errors[i].message, '\n') == NULL);
  }
  for (size_t i = n_want; i < n; i++)
    fprintf(stderr, "  extra error: %s: %s\n", errors[i].path, errors[i].message);
  oci_config_errors_free(errors, n);
  return c;
}

static void test_parse_all_valid(void) {
  _cleanup_free_ char *path = data_path("full.json");
  _cleanup_free_ char *text = NULL;
  size_t len = 0;
  CHECK(read_file(path, &text, &len, 0, NULL) == 0);
  struct oci_config_error *errors = (struct oci_config_error *)1;
  size_t n = 99;
  struct oci_config *all = oci_config_parse_all(text, len, &errors, &n);
  CHECK(all != NULL && n == 0 && errors == NULL);
  /* Collecting changes nothing in a valid config. */
  struct oci_config *one = load("full.json");
  CHECK(one && all && oci_config_equal(one, all));
  oci_config_free(one);
  oci_config_free(all);
}

static void test_parse_all_errors(void) {
  const char *json =
      "{\"ociVersion\": 1,\n"
      " \"process\": {\"args\": [\"sh\", 2, false], \"user\": {\"uid\": -1, \"gid\": 0},\n"
      "             \"terminal\": \"no\", \"rlimits\": [{\"type\": \"RLIMIT_NOFILE\", \"hard\": 1,"
      " \"soft\": 1}, {\"hard\": 1, \"soft\": 1}, {\"type\": \"RLIMIT_NOFILE\", \"hard\": 1,"
      " \"soft\": 1}]},\n"
      " \"root\": {\"path\": \"rootfs\", \"readonly\": 1},\n"
      " \"mounts\": [{\"destination\": \"/a\"}, 5, {\"type\": \"tmpfs\"}],\n"
      " \"hooks\": {\"prestart\": [{\"path\": \"/x\", \"timeout\": 0}]},\n"
      " \"linux\": {\"sysctl\": {\"a.b\": 1, \"c.d\": \"1\"},\n"
      "           \"namespaces\": [{\"type\": \"pid\"}, {\"type\": \"bogus\"}, {}, {\"type\": "
      "\"pid\"}],\n"
      "           \"devices\": [{\"path\": \"/dev/x\"}],\n"
      "           \"resources\": {\"pids\": {\"limit\": \"many\"}, \"memory\": 5}}}";
  const char *const want[] = {
      "ociVersion: expected a string",
      "process.terminal: expected a boolean",
      "process.user.uid: expected a non-negative integer, got -1",
      "process.args[1]: expected a string",
      "process.args[2]: expected a string",
      "process.cwd: missing required field",
      "process.rlimits[1].type: missing required field",
      "process.rlimits[2].type: duplicate rlimit \"RLIMIT_NOFILE\"",
      "root.readonly: expected a boolean",
      "mounts[1]: expected an object",
      "mounts[2].destination: missing required field",
      "hooks.prestart[0].timeout: must be greater than 0, got 0",
      "linux.sysctl[\"a.b\"]: expected a string",
      "linux.resources.memory: expected an object",
      "linux.resources.pids.limit: expected an integer",
      "linux.namespaces[1].type: unknown namespace type \"bogus\"",
      "linux.namespaces[2].type: missing required field",
      "linux.devices[0].type: missing required field",
      "linux.namespaces[3].type: duplicate namespace \"pid\"",
  };
  struct oci_config *c = expect_all(json, want, ARRAY_SIZE(want));
  CHECK(c != NULL);
  if (c == NULL)
    return;
  /* What did parse is there; what failed is unset. */
  CHECK(c->oci_version == NULL);
  CHECK(c->process && c->process->args_len == 3 && c->process->args[1] == NULL);
  CHECK_STR(c->process->args[0], "sh");
  CHECK(c->process->cwd == NULL && !c->process->terminal && c->process->user.uid == 0);
  CHECK(c->process->rlimits_len == 3 && c->process->rlimits[1].type == NULL);
  CHECK_STR(c->root->path, "rootfs");
  CHECK(c->mounts_len == 3 && c->mounts[2].destination == NULL);
  CHECK_STR(c->mounts[2].type, "tmpfs");
  CHECK(c->linux_->sysctl_len == 2 && c->linux_->sysctl[0].value == NULL);
  CHECK_STR(c->linux_->sysctl[1].value, "1");
  CHECK(c->linux_->namespaces_len == 4 && c->linux_->namespaces[2].type == NULL);
  CHECK(c->linux_->resources && c->linux_->resources->memory == NULL &&
        !c->linux_->resources->has_pids_limit);
  oci_config_free(c);

  /* The strict parse stops at the first of them, with its usual message. */
  _cleanup_error_ struct husk_error *err = NULL;
  CHECK(oci_config_parse(json, strlen(json), "config.json", &err) == NULL);
  CHECK(err && strcmp(err->msg, "config.json: ociVersion: expected a string") == 0);
}

static void test_parse_all_documents(void) {
  const char *const bad_json[] = {
      "invalid JSON: parse error: premature EOF (line 1, column 12)"};
  struct oci_config_error *errors = NULL;
  size_t n = 0;
  const char *text = "{\"a\": [1, 2";
  CHECK(oci_config_parse_all(text, strlen(text), &errors, &n) == NULL);
  CHECK(n == 1 && errors && errors[0].path[0] == '\0');
  if (n == 1)
    CHECK_STR(errors[0].message, bad_json[0]);
  oci_config_errors_free(errors, n);
  const char *const not_object[] = {": expected a JSON object at the top level"};
  CHECK(expect_all("[1]", not_object, 1) == NULL);
  /* An empty object: just the one required field. */
  const char *const empty[] = {"ociVersion: missing required field"};
  struct oci_config *c = expect_all("{}", empty, 1);
  CHECK(c != NULL);
  oci_config_free(c);
}


/* The full.json walk again: with one value of the wrong type, collecting
 * finds exactly that one error, the strict parse's own (less the name). */
static void test_parse_all_every_wrong_type(void) {
  _cleanup_free_ char *path = data_path("full.json");
  _cleanup_free_ char *text = NULL;
  CHECK(read_file(path, &text, NULL, 0, NULL) == 0);
  if (text == NULL)
    return;
  char buf[256];
  yajl_val tree = yajl_tree_parse(text, buf, sizeof(buf));
  CHECK(tree != NULL);
  size_t bad = 0, n = 0;
  for (struct mutation m = {.target = 1};; m.target++, n++) {
    m.seen = 0;
    yajl_gen g = yajl_gen_alloc(NULL);
    emit(g, tree, NULL, "", &m);
    const unsigned char *out;
    size_t len;
    yajl_gen_get_buf(g, &out, &len);
    if (m.target >= m.seen) {
      yajl_gen_free(g);
      break;
    }
    _cleanup_error_ struct husk_error *err = NULL;
    struct oci_config *strict = oci_config_parse((const char *)out, len, "config.json", &err);
    struct oci_config_error *errors = NULL;
    size_t n_errors = 0;
    struct oci_config *all = oci_config_parse_all((const char *)out, len, &errors, &n_errors);
    _cleanup_free_ char *got =
        n_errors ? xasprintf("config.json: %s: %s", errors[0].path, errors[0].message) : NULL;
    if (all == NULL || n_errors != 1 || err == NULL || strcmp(got, err->msg) != 0) {
      bad++;
      fprintf(stderr, "collecting, wrong type at %s: %zu errors, first %s, strict %s\n", m.path,
              n_errors, got ? got : "-", err ? err->msg : "-");
    }
    oci_config_errors_free(errors, n_errors);
    oci_config_free(all);
    oci_config_free(strict);
    yajl_gen_free(g);
  }
  yajl_tree_free(tree);
  CHECK(n > 300);
  CHECK(bad == 0);
}

/* Every option `husk features` lists is one husk acts on: none of them is
 * passed on to the kernel as filesystem data, for a bind mount or a tmpfs. */
static void test_mount_option_names(void) {
  size_t n = 0;
  for (const char *const *name = husk_mount_option_names(); *name; name++, n++) {
    const char *types[] = {"bind", "tmpfs"};
    bool understood = false;
    for (size_t t = 0; t < 2 && !understood; t++) {
      struct husk_mount_opts o;
      char *opts[] = {(char *)*name};
      _cleanup_error_ struct husk_error *err = NULL;
      understood = husk_mount_opts_parse(opts, 1, types[t], &o, &err) == 0 && o.data == NULL;
      husk_mount_opts_clear(&o);
    }
    if (!understood)
      fprintf(stderr, "mount option %s is listed but passed on as data\n", *name);
    CHECK(understood);
  }
  CHECK(n > 60);
  /* and a filesystem's own option is passed on */
  struct husk_mount_opts o;
  char *opts[] = {"size=1m"};
  CHECK(husk_mount_opts_parse(opts, 1, "tmpfs", &o, NULL) == 0 && o.data && strcmp(o.data, "size=1m") == 0);
  husk_mount_opts_clear(&o);
}

int main(int argc, char **argv) {
  _cleanup_free_ char *dir = NULL;
  if (argc > 1) {
    datadir = argv[1];
  } else {
    const char *srcdir = getenv("srcdir");
    datadir = dir = xasprintf("%s/tests/unit/data", srcdir ? srcdir : ".");
  }
  test_minimal();
  test_full_values();
  test_full_round_trip();
  test_every_wrong_type();
  test_unknown_fields();
  test_null_and_repeats();
  test_integers();
  test_errors();
  test_load_errors();
  test_one_line();
  test_default(false);
  test_default(true);
  test_parse_all_valid();
  test_parse_all_errors();
  test_parse_all_documents();
  test_parse_all_every_wrong_type();
  test_mount_option_names();
  printf("%d passed, %d failed\n", passed, failed);
  return failed == 0 ? 0 : 1;
}
