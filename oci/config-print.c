/* SPDX-License-Identifier: GPL-2.0-or-later */
/* struct oci_config -> config.json. Every field that is set is printed, in
 * the order of the spec's Go bindings, so that what runc or crun print and
 * what we print read alike; a printed config parses back to the same struct. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <yajl/yajl_gen.h>

#include "spec.h"
#include "utils.h"

/* yajl_gen keeps failing once it failed; remember that we saw it. */
struct printer {
  yajl_gen g;
  bool bad;
};

static void check(struct printer *p, yajl_gen_status st) {
  if (st != yajl_gen_status_ok)
    p->bad = true;
}

static void raw_string(struct printer *p, const char *s) {
  if (s == NULL) /* a map key left unset: no valid JSON for that */
    p->bad = true;
  else
    check(p, yajl_gen_string(p->g, (const unsigned char *)s, strlen(s)));
}

static void open_map(struct printer *p) { check(p, yajl_gen_map_open(p->g)); }
static void close_map(struct printer *p) { check(p, yajl_gen_map_close(p->g)); }
static void open_array(struct printer *p) { check(p, yajl_gen_array_open(p->g)); }
static void close_array(struct printer *p) { check(p, yajl_gen_array_close(p->g)); }

/* Printed as text: yajl_gen_integer() takes a long long, which would cut
 * uint64 values above INT64_MAX. */
static void raw_u64(struct printer *p, uint64_t n) {
  char buf[32];
  int len = snprintf(buf, sizeof(buf), "%" PRIu64, n);
  check(p, yajl_gen_number(p->g, buf, (size_t)len));
}

static void raw_i64(struct printer *p, int64_t n) {
  char buf[32];
  int len = snprintf(buf, sizeof(buf), "%" PRId64, n);
  check(p, yajl_gen_number(p->g, buf, (size_t)len));
}

/* Members. */
static void string(struct printer *p, const char *key, const char *value) {
  if (value == NULL)
    return;
  raw_string(p, key);
  raw_string(p, value);
}

static void boolean(struct printer *p, const char *key, bool value) {
  raw_string(p, key);
  check(p, yajl_gen_bool(p->g, value));
}

static void u64(struct printer *p, const char *key, uint64_t value) {
  raw_string(p, key);
  raw_u64(p, value);
}

static void i64(struct printer *p, const char *key, int64_t value) {
  raw_string(p, key);
  raw_i64(p, value);
}

static void strv_always(struct printer *p, const char *key, char *const *v, size_t n) {
  raw_string(p, key);
  open_array(p);
  for (size_t i = 0; i < n; i++)
    raw_string(p, v[i]);
  close_array(p);
}

static void strv(struct printer *p, const char *key, char *const *v, size_t n) {
  if (n > 0)
    strv_always(p, key, v, n);
}

static void string_map(struct printer *p, const char *key, const struct oci_kv *kv, size_t n) {
  if (n == 0)
    return;
  raw_string(p, key);
  open_map(p);
  for (size_t i = 0; i < n; i++)
    string(p, kv[i].key, kv[i].value);
  close_map(p);
}

/* Optional members, printed when their has_ flag says so. */
#define OPT_U64(p, key, s, f)                                                                      \
  do {                                                                                             \
    if ((s)->has_##f)                                                                              \
      u64(p, key, (s)->f);                                                                         \
  } while (0)
#define OPT_I64(p, key, s, f)                                                                      \
  do {                                                                                             \
    if ((s)->has_##f)                                                                              \
      i64(p, key, (s)->f);                                                                         \
  } while (0)
#define OPT_BOOL(p, key, s, f)                                                                     \
  do {                                                                                             \
    if ((s)->has_##f)                                                                              \
      boolean(p, key, (s)->f);                                                                     \
  } while (0)

static void id_mappings(struct printer *p, const char *key, const struct oci_id_mapping *m,
                        size_t n) {
  if (n == 0)
    return;
  raw_string(p, key);
  open_array(p);
  for (size_t i = 0; i < n; i++) {
    open_map(p);
    u64(p, "containerID", m[i].container_id);
    u64(p, "hostID", m[i].host_id);
    u64(p, "size", m[i].size);
    close_map(p);
  }
  close_array(p);
}

static void print_user(struct printer *p, const struct oci_user *u) {
  raw_string(p, "user");
  open_map(p);
  u64(p, "uid", u->uid);
  u64(p, "gid", u->gid);
  OPT_U64(p, "umask", u, umask);
  if (u->additional_gids_len > 0) {
    raw_string(p, "additionalGids");
    open_array(p);
    for (size_t i = 0; i < u->additional_gids_len; i++)
      raw_u64(p, u->additional_gids[i]);
    close_array(p);
  }
  string(p, "username", u->username);
  close_map(p);
}

static void print_capabilities(struct printer *p, const struct oci_capabilities *c) {
  raw_string(p, "capabilities");
  open_map(p);
  strv(p, "bounding", c->bounding, c->bounding_len);
  strv(p, "effective", c->effective, c->effective_len);
  strv(p, "inheritable", c->inheritable, c->inheritable_len);
  strv(p, "permitted", c->permitted, c->permitted_len);
  strv(p, "ambient", c->ambient, c->ambient_len);
  close_map(p);
}

static void print_scheduler(struct printer *p, const struct oci_scheduler *s) {
  raw_string(p, "scheduler");
  open_map(p);
  string(p, "policy", s->policy);
  OPT_I64(p, "nice", s, nice);
  OPT_I64(p, "priority", s, priority);
  strv(p, "flags", s->flags, s->flags_len);
  OPT_U64(p, "runtime", s, runtime);
  OPT_U64(p, "deadline", s, deadline);
  OPT_U64(p, "period", s, period);
  close_map(p);
}

static void print_process(struct printer *p, const struct oci_process *proc) {
  raw_string(p, "process");
  open_map(p);
  if (proc->terminal)
    boolean(p, "terminal", true);
  if (proc->console_size) {
    raw_string(p, "consoleSize");
    open_map(p);
    u64(p, "height", proc->console_size->height);
    u64(p, "width", proc->console_size->width);
    close_map(p);
  }
  print_user(p, &proc->user);
  strv(p, "args", proc->args, proc->args_len);
  string(p, "commandLine", proc->command_line);
  strv(p, "env", proc->env, proc->env_len);
  string(p, "cwd", proc->cwd);
  if (proc->capabilities)
    print_capabilities(p, proc->capabilities);
  if (proc->rlimits_len > 0) {
    raw_string(p, "rlimits");
    open_array(p);
    for (size_t i = 0; i < proc->rlimits_len; i++) {
      open_map(p);
      string(p, "type", proc->rlimits[i].type);
      u64(p, "hard", proc->rlimits[i].hard);
      u64(p, "soft", proc->rlimits[i].soft);
      close_map(p);
    }
    close_array(p);
  }
  if (proc->no_new_privileges)
    boolean(p, "noNewPrivileges", true);
  string(p, "apparmorProfile", proc->apparmor_profile);
  OPT_I64(p, "oomScoreAdj", proc, oom_score_adj);
  if (proc->scheduler)
    print_scheduler(p, proc->scheduler);
  string(p, "selinuxLabel", proc->selinux_label);
  if (proc->io_priority) {
    raw_string(p, "ioPriority");
    open_map(p);
    string(p, "class", proc->io_priority->class_);
    OPT_I64(p, "priority", proc->io_priority, priority);
    close_map(p);
  }
  if (proc->exec_cpu_affinity) {
    raw_string(p, "execCPUAffinity");
    open_map(p);
    string(p, "initial", proc->exec_cpu_affinity->initial);
    string(p, "final", proc->exec_cpu_affinity->final);
    close_map(p);
  }
  close_map(p);
}

static void print_mounts(struct printer *p, const struct oci_mount *m, size_t n) {
  if (n == 0)
    return;
  raw_string(p, "mounts");
  open_array(p);
  for (size_t i = 0; i < n; i++) {
    open_map(p);
    string(p, "destination", m[i].destination);
    string(p, "type", m[i].type);
    string(p, "source", m[i].source);
    strv(p, "options", m[i].options, m[i].options_len);
    id_mappings(p, "uidMappings", m[i].uid_mappings, m[i].uid_mappings_len);
    id_mappings(p, "gidMappings", m[i].gid_mappings, m[i].gid_mappings_len);
    close_map(p);
  }
  close_array(p);
}

static void hook_list(struct printer *p, const char *key, const struct oci_hook *h, size_t n) {
  if (n == 0)
    return;
  raw_string(p, key);
  open_array(p);
  for (size_t i = 0; i < n; i++) {
    open_map(p);
    string(p, "path", h[i].path);
    strv(p, "args", h[i].args, h[i].args_len);
    strv(p, "env", h[i].env, h[i].env_len);
    OPT_I64(p, "timeout", &h[i], timeout);
    close_map(p);
  }
  close_array(p);
}

static void print_hooks(struct printer *p, const struct oci_hooks *h) {
  raw_string(p, "hooks");
  open_map(p);
  hook_list(p, "prestart", h->prestart, h->prestart_len);
  hook_list(p, "createRuntime", h->create_runtime, h->create_runtime_len);
  hook_list(p, "createContainer", h->create_container, h->create_container_len);
  hook_list(p, "startContainer", h->start_container, h->start_container_len);
  hook_list(p, "poststart", h->poststart, h->poststart_len);
  hook_list(p, "poststop", h->poststop, h->poststop_len);
  close_map(p);
}

static void print_memory(struct printer *p, const struct oci_memory *m) {
  raw_string(p, "memory");
  open_map(p);
  OPT_I64(p, "limit", m, limit);
  OPT_I64(p, "reservation", m, reservation);
  OPT_I64(p, "swap", m, swap);
  OPT_I64(p, "kernel", m, kernel);
  OPT_I64(p, "kernelTCP", m, kernel_tcp);
  OPT_U64(p, "swappiness", m, swappiness);
  OPT_BOOL(p, "disableOOMKiller", m, disable_oom_killer);
  OPT_BOOL(p, "useHierarchy", m, use_hierarchy);
  OPT_BOOL(p, "checkBeforeUpdate", m, check_before_update);
  close_map(p);
}

static void print_cpu(struct printer *p, const struct oci_cpu *c) {
  raw_string(p, "cpu");
  open_map(p);
  OPT_U64(p, "shares", c, shares);
  OPT_I64(p, "quota", c, quota);
  OPT_U64(p, "burst", c, burst);
  OPT_U64(p, "period", c, period);
  OPT_I64(p, "realtimeRuntime", c, realtime_runtime);
  OPT_U64(p, "realtimePeriod", c, realtime_period);
  string(p, "cpus", c->cpus);
  string(p, "mems", c->mems);
  OPT_I64(p, "idle", c, idle);
  close_map(p);
}

static void throttle_list(struct printer *p, const char *key, const struct oci_throttle_device *t,
                          size_t n) {
  if (n == 0)
    return;
  raw_string(p, key);
  open_array(p);
  for (size_t i = 0; i < n; i++) {
    open_map(p);
    i64(p, "major", t[i].major);
    i64(p, "minor", t[i].minor);
    u64(p, "rate", t[i].rate);
    close_map(p);
  }
  close_array(p);
}

static void print_block_io(struct printer *p, const struct oci_block_io *b) {
  raw_string(p, "blockIO");
  open_map(p);
  OPT_U64(p, "weight", b, weight);
  OPT_U64(p, "leafWeight", b, leaf_weight);
  if (b->weight_device_len > 0) {
    raw_string(p, "weightDevice");
    open_array(p);
    for (size_t i = 0; i < b->weight_device_len; i++) {
      const struct oci_weight_device *w = &b->weight_device[i];
      open_map(p);
      i64(p, "major", w->major);
      i64(p, "minor", w->minor);
      OPT_U64(p, "weight", w, weight);
      OPT_U64(p, "leafWeight", w, leaf_weight);
      close_map(p);
    }
    close_array(p);
  }
  throttle_list(p, "throttleReadBpsDevice", b->throttle_read_bps_device,
                b->throttle_read_bps_device_len);
  throttle_list(p, "throttleWriteBpsDevice", b->throttle_write_bps_device,
                b->throttle_write_bps_device_len);
  throttle_list(p, "throttleReadIOPSDevice", b->throttle_read_iops_device,
                b->throttle_read_iops_device_len);
  throttle_list(p, "throttleWriteIOPSDevice", b->throttle_write_iops_device,
                b->throttle_write_iops_device_len);
  close_map(p);
}

static void print_resources(struct printer *p, const struct oci_resources *r) {
  raw_string(p, "resources");
  open_map(p);
  if (r->devices_len > 0) {
    raw_string(p, "devices");
    open_array(p);
    for (size_t i = 0; i < r->devices_len; i++) {
      const struct oci_device_cgroup *d = &r->devices[i];
      open_map(p);
      boolean(p, "allow", d->allow);
      string(p, "type", d->type);
      OPT_I64(p, "major", d, major);
      OPT_I64(p, "minor", d, minor);
      string(p, "access", d->access);
      close_map(p);
    }
    close_array(p);
  }
  if (r->memory)
    print_memory(p, r->memory);
  if (r->cpu)
    print_cpu(p, r->cpu);
  if (r->has_pids_limit) {
    raw_string(p, "pids");
    open_map(p);
    i64(p, "limit", r->pids_limit);
    close_map(p);
  }
  if (r->block_io)
    print_block_io(p, r->block_io);
  if (r->hugepage_limits_len > 0) {
    raw_string(p, "hugepageLimits");
    open_array(p);
    for (size_t i = 0; i < r->hugepage_limits_len; i++) {
      open_map(p);
      string(p, "pageSize", r->hugepage_limits[i].page_size);
      u64(p, "limit", r->hugepage_limits[i].limit);
      close_map(p);
    }
    close_array(p);
  }
  if (r->network) {
    raw_string(p, "network");
    open_map(p);
    OPT_U64(p, "classID", r->network, class_id);
    if (r->network->priorities_len > 0) {
      raw_string(p, "priorities");
      open_array(p);
      for (size_t i = 0; i < r->network->priorities_len; i++) {
        open_map(p);
        string(p, "name", r->network->priorities[i].name);
        u64(p, "priority", r->network->priorities[i].priority);
        close_map(p);
      }
      close_array(p);
    }
    close_map(p);
  }
  if (r->rdma_len > 0) {
    raw_string(p, "rdma");
    open_map(p);
    for (size_t i = 0; i < r->rdma_len; i++) {
      raw_string(p, r->rdma[i].name);
      open_map(p);
      OPT_U64(p, "hcaHandles", &r->rdma[i], hca_handles);
      OPT_U64(p, "hcaObjects", &r->rdma[i], hca_objects);
      close_map(p);
    }
    close_map(p);
  }
  string_map(p, "unified", r->unified, r->unified_len);
  close_map(p);
}

static void print_seccomp(struct printer *p, const struct oci_seccomp *s) {
  raw_string(p, "seccomp");
  open_map(p);
  string(p, "defaultAction", s->default_action);
  OPT_U64(p, "defaultErrnoRet", s, default_errno_ret);
  strv(p, "architectures", s->architectures, s->architectures_len);
  strv(p, "flags", s->flags, s->flags_len);
  string(p, "listenerPath", s->listener_path);
  string(p, "listenerMetadata", s->listener_metadata);
  if (s->syscalls_len > 0) {
    raw_string(p, "syscalls");
    open_array(p);
    for (size_t i = 0; i < s->syscalls_len; i++) {
      const struct oci_seccomp_syscall *sc = &s->syscalls[i];
      open_map(p);
      strv_always(p, "names", sc->names, sc->names_len); /* required, even if empty */
      string(p, "action", sc->action);
      OPT_U64(p, "errnoRet", sc, errno_ret);
      if (sc->args_len > 0) {
        raw_string(p, "args");
        open_array(p);
        for (size_t k = 0; k < sc->args_len; k++) {
          open_map(p);
          u64(p, "index", sc->args[k].index);
          u64(p, "value", sc->args[k].value);
          OPT_U64(p, "valueTwo", &sc->args[k], value_two);
          string(p, "op", sc->args[k].op);
          close_map(p);
        }
        close_array(p);
      }
      close_map(p);
    }
    close_array(p);
  }
  close_map(p);
}

static void print_linux(struct printer *p, const struct oci_linux *l) {
  raw_string(p, "linux");
  open_map(p);
  id_mappings(p, "uidMappings", l->uid_mappings, l->uid_mappings_len);
  id_mappings(p, "gidMappings", l->gid_mappings, l->gid_mappings_len);
  string_map(p, "sysctl", l->sysctl, l->sysctl_len);
  if (l->resources)
    print_resources(p, l->resources);
  string(p, "cgroupsPath", l->cgroups_path);
  if (l->namespaces_len > 0) {
    raw_string(p, "namespaces");
    open_array(p);
    for (size_t i = 0; i < l->namespaces_len; i++) {
      open_map(p);
      string(p, "type", l->namespaces[i].type);
      string(p, "path", l->namespaces[i].path);
      close_map(p);
    }
    close_array(p);
  }
  if (l->devices_len > 0) {
    raw_string(p, "devices");
    open_array(p);
    for (size_t i = 0; i < l->devices_len; i++) {
      const struct oci_device *d = &l->devices[i];
      open_map(p);
      string(p, "path", d->path);
      string(p, "type", d->type);
      /* A fifo has no device number. */
      if (!d->type || strcmp(d->type, "p") != 0 || d->major || d->minor) {
        i64(p, "major", d->major);
        i64(p, "minor", d->minor);
      }
      OPT_U64(p, "fileMode", d, file_mode);
      OPT_U64(p, "uid", d, uid);
      OPT_U64(p, "gid", d, gid);
      close_map(p);
    }
    close_array(p);
  }
  if (l->seccomp)
    print_seccomp(p, l->seccomp);
  string(p, "rootfsPropagation", l->rootfs_propagation);
  if (l->has_masked_paths || l->masked_paths_len > 0)
    strv_always(p, "maskedPaths", l->masked_paths, l->masked_paths_len);
  if (l->has_readonly_paths || l->readonly_paths_len > 0)
    strv_always(p, "readonlyPaths", l->readonly_paths, l->readonly_paths_len);
  string(p, "mountLabel", l->mount_label);
  if (l->intel_rdt) {
    raw_string(p, "intelRdt");
    open_map(p);
    string(p, "closID", l->intel_rdt->clos_id);
    string(p, "l3CacheSchema", l->intel_rdt->l3_cache_schema);
    string(p, "memBwSchema", l->intel_rdt->mem_bw_schema);
    OPT_BOOL(p, "enableCMT", l->intel_rdt, enable_cmt);
    OPT_BOOL(p, "enableMBM", l->intel_rdt, enable_mbm);
    strv(p, "schemata", l->intel_rdt->schemata, l->intel_rdt->schemata_len);
    if (l->intel_rdt->enable_monitoring)
      boolean(p, "enableMonitoring", true);
    close_map(p);
  }
  if (l->personality) {
    raw_string(p, "personality");
    open_map(p);
    string(p, "domain", l->personality->domain);
    strv(p, "flags", l->personality->flags, l->personality->flags_len);
    close_map(p);
  }
  if (l->time_offsets_len > 0) {
    raw_string(p, "timeOffsets");
    open_map(p);
    for (size_t i = 0; i < l->time_offsets_len; i++) {
      raw_string(p, l->time_offsets[i].clock);
      open_map(p);
      i64(p, "secs", l->time_offsets[i].secs);
      u64(p, "nanosecs", l->time_offsets[i].nanosecs);
      close_map(p);
    }
    close_map(p);
  }
  if (l->net_devices_len > 0) {
    raw_string(p, "netDevices");
    open_map(p);
    for (size_t i = 0; i < l->net_devices_len; i++) {
      raw_string(p, l->net_devices[i].host_name);
      open_map(p);
      string(p, "name", l->net_devices[i].name);
      close_map(p);
    }
    close_map(p);
  }
  if (l->memory_policy) {
    raw_string(p, "memoryPolicy");
    open_map(p);
    string(p, "mode", l->memory_policy->mode);
    string(p, "nodes", l->memory_policy->nodes);
    strv(p, "flags", l->memory_policy->flags, l->memory_policy->flags_len);
    close_map(p);
  }
  close_map(p);
}

static void print_config(struct printer *p, const struct oci_config *c) {
  open_map(p);
  string(p, "ociVersion", c->oci_version);
  if (c->process)
    print_process(p, c->process);
  if (c->root) {
    raw_string(p, "root");
    open_map(p);
    string(p, "path", c->root->path);
    if (c->root->readonly)
      boolean(p, "readonly", true);
    close_map(p);
  }
  string(p, "hostname", c->hostname);
  string(p, "domainname", c->domainname);
  print_mounts(p, c->mounts, c->mounts_len);
  if (c->hooks)
    print_hooks(p, c->hooks);
  string_map(p, "annotations", c->annotations, c->annotations_len);
  if (c->linux_)
    print_linux(p, c->linux_);
  close_map(p);
}

char *oci_config_print(const struct oci_config *config, bool pretty) {
  struct printer p = {.g = yajl_gen_alloc(NULL)};
  if (p.g == NULL)
    return NULL;
  /* Tabs, as `runc spec` indents; invalid UTF-8 would make invalid JSON. */
  yajl_gen_config(p.g, yajl_gen_beautify, pretty ? 1 : 0);
  yajl_gen_config(p.g, yajl_gen_indent_string, "\t");
  yajl_gen_config(p.g, yajl_gen_validate_utf8, 1);
  print_config(&p, config);

  const unsigned char *buf;
  size_t len;
  char *out = NULL;
  if (!p.bad && yajl_gen_get_buf(p.g, &buf, &len) == yajl_gen_status_ok) {
    out = malloc(len + 1);
    if (out) {
      memcpy(out, buf, len);
      out[len] = '\0';
    }
  }
  yajl_gen_free(p.g);
  return out;
}
