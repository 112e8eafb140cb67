/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Freeing a config. Every function takes partly filled structs too: the
 * parser gives up halfway on errors and frees what it has. */
#include <stdlib.h>

#include "spec.h"
#include "resources.h"

static void free_strv(char **v, size_t n) {
  if (v == NULL)
    return;
  for (size_t i = 0; i < n; i++)
    free(v[i]);
  free(v);
}

static void free_kv(struct oci_kv *kv, size_t n) {
  if (kv == NULL)
    return;
  for (size_t i = 0; i < n; i++) {
    free(kv[i].key);
    free(kv[i].value);
  }
  free(kv);
}

static void free_mount(struct oci_mount *m) {
  free(m->destination);
  free(m->type);
  free(m->source);
  free_strv(m->options, m->options_len);
  free(m->uid_mappings);
  free(m->gid_mappings);
}

static void free_capabilities(struct oci_capabilities *c) {
  if (c == NULL)
    return;
  free_strv(c->bounding, c->bounding_len);
  free_strv(c->effective, c->effective_len);
  free_strv(c->inheritable, c->inheritable_len);
  free_strv(c->permitted, c->permitted_len);
  free_strv(c->ambient, c->ambient_len);
  free(c);
}

static void free_process(struct oci_process *p) {
  if (p == NULL)
    return;
  free(p->console_size);
  free(p->user.additional_gids);
  free(p->user.username);
  free_strv(p->args, p->args_len);
  free(p->command_line);
  free_strv(p->env, p->env_len);
  free(p->cwd);
  free_capabilities(p->capabilities);
  for (size_t i = 0; p->rlimits && i < p->rlimits_len; i++)
    free(p->rlimits[i].type);
  free(p->rlimits);
  free(p->apparmor_profile);
  if (p->scheduler) {
    free(p->scheduler->policy);
    free_strv(p->scheduler->flags, p->scheduler->flags_len);
    free(p->scheduler);
  }
  free(p->selinux_label);
  if (p->io_priority) {
    free(p->io_priority->class_);
    free(p->io_priority);
  }
  if (p->exec_cpu_affinity) {
    free(p->exec_cpu_affinity->initial);
    free(p->exec_cpu_affinity->final);
    free(p->exec_cpu_affinity);
  }
  free(p);
}

static void free_hook_list(struct oci_hook *h, size_t n) {
  if (h == NULL)
    return;
  for (size_t i = 0; i < n; i++) {
    free(h[i].path);
    free_strv(h[i].args, h[i].args_len);
    free_strv(h[i].env, h[i].env_len);
  }
  free(h);
}

static void free_hooks(struct oci_hooks *h) {
  if (h == NULL)
    return;
  free_hook_list(h->prestart, h->prestart_len);
  free_hook_list(h->create_runtime, h->create_runtime_len);
  free_hook_list(h->create_container, h->create_container_len);
  free_hook_list(h->start_container, h->start_container_len);
  free_hook_list(h->poststart, h->poststart_len);
  free_hook_list(h->poststop, h->poststop_len);
  free(h);
}

static void free_resources(struct oci_resources *r) {
  if (r == NULL)
    return;
  for (size_t i = 0; r->devices && i < r->devices_len; i++) {
    free(r->devices[i].type);
    free(r->devices[i].access);
  }
  free(r->devices);
  free(r->memory);
  if (r->cpu) {
    free(r->cpu->cpus);
    free(r->cpu->mems);
    free(r->cpu);
  }
  if (r->block_io) {
    free(r->block_io->weight_device);
    free(r->block_io->throttle_read_bps_device);
    free(r->block_io->throttle_write_bps_device);
    free(r->block_io->throttle_read_iops_device);
    free(r->block_io->throttle_write_iops_device);
    free(r->block_io);
  }
  for (size_t i = 0; r->hugepage_limits && i < r->hugepage_limits_len; i++)
    free(r->hugepage_limits[i].page_size);
  free(r->hugepage_limits);
  if (r->network) {
    for (size_t i = 0; r->network->priorities && i < r->network->priorities_len; i++)
      free(r->network->priorities[i].name);
    free(r->network->priorities);
    free(r->network);
  }
  for (size_t i = 0; r->rdma && i < r->rdma_len; i++)
    free(r->rdma[i].name);
  free(r->rdma);
  free_kv(r->unified, r->unified_len);
  free(r);
}

static void free_seccomp(struct oci_seccomp *s) {
  if (s == NULL)
    return;
  free(s->default_action);
  free_strv(s->architectures, s->architectures_len);
  free_strv(s->flags, s->flags_len);
  free(s->listener_path);
  free(s->listener_metadata);
  for (size_t i = 0; s->syscalls && i < s->syscalls_len; i++) {
    struct oci_seccomp_syscall *sc = &s->syscalls[i];
    free_strv(sc->names, sc->names_len);
    free(sc->action);
    for (size_t k = 0; sc->args && k < sc->args_len; k++)
      free(sc->args[k].op);
    free(sc->args);
  }
  free(s->syscalls);
  free(s);
}

static void free_linux(struct oci_linux *l) {
  if (l == NULL)
    return;
  for (size_t i = 0; l->namespaces && i < l->namespaces_len; i++) {
    free(l->namespaces[i].type);
    free(l->namespaces[i].path);
  }
  free(l->namespaces);
  free(l->uid_mappings);
  free(l->gid_mappings);
  for (size_t i = 0; l->time_offsets && i < l->time_offsets_len; i++)
    free(l->time_offsets[i].clock);
  free(l->time_offsets);
  for (size_t i = 0; l->devices && i < l->devices_len; i++) {
    free(l->devices[i].type);
    free(l->devices[i].path);
  }
  free(l->devices);
  free(l->cgroups_path);
  free_resources(l->resources);
  free(l->rootfs_propagation);
  free_seccomp(l->seccomp);
  free_kv(l->sysctl, l->sysctl_len);
  free_strv(l->masked_paths, l->masked_paths_len);
  free_strv(l->readonly_paths, l->readonly_paths_len);
  free(l->mount_label);
  if (l->personality) {
    free(l->personality->domain);
    free_strv(l->personality->flags, l->personality->flags_len);
    free(l->personality);
  }
  if (l->intel_rdt) {
    free(l->intel_rdt->clos_id);
    free(l->intel_rdt->l3_cache_schema);
    free(l->intel_rdt->mem_bw_schema);
    free_strv(l->intel_rdt->schemata, l->intel_rdt->schemata_len);
    free(l->intel_rdt);
  }
  for (size_t i = 0; l->net_devices && i < l->net_devices_len; i++) {
    free(l->net_devices[i].host_name);
    free(l->net_devices[i].name);
  }
  free(l->net_devices);
  if (l->memory_policy) {
    free(l->memory_policy->mode);
    free(l->memory_policy->nodes);
    free_strv(l->memory_policy->flags, l->memory_policy->flags_len);
    free(l->memory_policy);
  }
  free(l);
}

void oci_process_free(struct oci_process *process) { free_process(process); }

void oci_resources_free(struct oci_resources *resources) { free_resources(resources); }

void oci_config_free(struct oci_config *config) {
  if (config == NULL)
    return;
  free(config->oci_version);
  if (config->root) {
    free(config->root->path);
    free(config->root);
  }
  for (size_t i = 0; config->mounts && i < config->mounts_len; i++)
    free_mount(&config->mounts[i]);
  free(config->mounts);
  free_process(config->process);
  free(config->hostname);
  free(config->domainname);
  free_hooks(config->hooks);
  free_kv(config->annotations, config->annotations_len);
  free_linux(config->linux_);
  free(config);
}
