/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The OCI runtime-spec configuration (1.0 - 1.3) as plain C structs.
 *
 * Conventions, so that a config printed back is the config that was read:
 *  - a string that was absent is NULL;
 *  - an optional object that was absent is a NULL pointer;
 *  - an optional scalar has a `has_<name>` flag next to it;
 *  - an array is a pointer plus a `<name>_len` count (0 and NULL when absent,
 *    `has_<name>` where an empty array and an absent one mean different things).
 */
#ifndef HUSK_OCI_SPEC_H
#define HUSK_OCI_SPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct husk_error;

/* A JSON object of string values: annotations, sysctl, resources.unified. */
struct oci_kv {
  char *key;
  char *value;
};

struct oci_id_mapping {
  uint32_t container_id;
  uint32_t host_id;
  uint32_t size;
};

struct oci_root {
  char *path;
  bool readonly;
};

struct oci_mount {
  char *destination;
  char *type;
  char *source;
  char **options;
  size_t options_len;
  struct oci_id_mapping *uid_mappings;
  size_t uid_mappings_len;
  struct oci_id_mapping *gid_mappings;
  size_t gid_mappings_len;
};

struct oci_user {
  uint32_t uid;
  uint32_t gid;
  bool has_umask;
  uint32_t umask;
  uint32_t *additional_gids;
  size_t additional_gids_len;
  char *username; /* Windows only; kept for round trips */
};

struct oci_capabilities {
  char **bounding;
  size_t bounding_len;
  char **effective;
  size_t effective_len;
  char **inheritable;
  size_t inheritable_len;
  char **permitted;
  size_t permitted_len;
  char **ambient;
  size_t ambient_len;
};

struct oci_rlimit {
  char *type; /* "RLIMIT_NOFILE" ... */
  uint64_t hard;
  uint64_t soft;
};

struct oci_scheduler {
  char *policy; /* required: SCHED_OTHER, SCHED_FIFO, ... */
  bool has_nice;
  int32_t nice;
  bool has_priority;
  int32_t priority;
  char **flags;
  size_t flags_len;
  bool has_runtime;
  uint64_t runtime;
  bool has_deadline;
  uint64_t deadline;
  bool has_period;
  uint64_t period;
};

struct oci_io_priority {
  char *class_; /* IOPRIO_CLASS_RT, _BE, _IDLE */
  bool has_priority; /* the spec requires it; runc and crun take 0 without */
  int32_t priority;
};

struct oci_cpu_affinity {
  char *initial;
  char *final;
};

struct oci_console_size {
  uint32_t height;
  uint32_t width;
};

struct oci_process {
  bool terminal;
  struct oci_console_size *console_size;
  struct oci_user user;
  char **args;
  size_t args_len;
  char *command_line; /* Windows only */
  char **env;
  size_t env_len;
  char *cwd; /* required */
  struct oci_capabilities *capabilities;
  struct oci_rlimit *rlimits;
  size_t rlimits_len;
  bool no_new_privileges;
  char *apparmor_profile;
  bool has_oom_score_adj;
  int32_t oom_score_adj;
  struct oci_scheduler *scheduler;
  char *selinux_label;
  struct oci_io_priority *io_priority;
  struct oci_cpu_affinity *exec_cpu_affinity;
};

struct oci_hook {
  char *path; /* required */
  char **args;
  size_t args_len;
  char **env;
  size_t env_len;
  bool has_timeout;
  int32_t timeout; /* seconds, > 0 */
};

struct oci_hooks {
  struct oci_hook *prestart;
  size_t prestart_len;
  struct oci_hook *create_runtime;
  size_t create_runtime_len;
  struct oci_hook *create_container;
  size_t create_container_len;
  struct oci_hook *start_container;
  size_t start_container_len;
  struct oci_hook *poststart;
  size_t poststart_len;
  struct oci_hook *poststop;
  size_t poststop_len;
};

struct oci_namespace {
  char *type; /* pid network mount ipc uts user cgroup time */
  char *path;
};

struct oci_time_offset {
  char *clock; /* "monotonic", "boottime" (the JSON key) */
  int64_t secs;
  uint32_t nanosecs;
};

struct oci_device {
  char *type; /* c b u p */
  char *path;
  int64_t major; /* required for c b u */
  int64_t minor;
  bool has_file_mode;
  uint32_t file_mode;
  bool has_uid;
  uint32_t uid;
  bool has_gid;
  uint32_t gid;
};

struct oci_device_cgroup {
  bool allow;
  char *type; /* a c b, NULL = all */
  bool has_major;
  int64_t major; /* absent = wildcard */
  bool has_minor;
  int64_t minor;
  char *access; /* rwm */
};

struct oci_memory {
  bool has_limit;
  int64_t limit;
  bool has_reservation;
  int64_t reservation;
  bool has_swap;
  int64_t swap;
  bool has_kernel;
  int64_t kernel;
  bool has_kernel_tcp;
  int64_t kernel_tcp;
  bool has_swappiness;
  uint64_t swappiness;
  bool has_disable_oom_killer;
  bool disable_oom_killer;
  bool has_use_hierarchy;
  bool use_hierarchy;
  bool has_check_before_update;
  bool check_before_update;
};

struct oci_cpu {
  bool has_shares;
  uint64_t shares;
  bool has_quota;
  int64_t quota;
  bool has_burst;
  uint64_t burst;
  bool has_period;
  uint64_t period;
  bool has_realtime_runtime;
  int64_t realtime_runtime;
  bool has_realtime_period;
  uint64_t realtime_period;
  char *cpus;
  char *mems;
  bool has_idle;
  int64_t idle;
};

struct oci_weight_device {
  int64_t major;
  int64_t minor;
  bool has_weight;
  uint16_t weight;
  bool has_leaf_weight;
  uint16_t leaf_weight;
};

struct oci_throttle_device {
  int64_t major;
  int64_t minor;
  uint64_t rate;
};

struct oci_block_io {
  bool has_weight;
  uint16_t weight;
  bool has_leaf_weight;
  uint16_t leaf_weight;
  struct oci_weight_device *weight_device;
  size_t weight_device_len;
  struct oci_throttle_device *throttle_read_bps_device;
  size_t throttle_read_bps_device_len;
  struct oci_throttle_device *throttle_write_bps_device;
  size_t throttle_write_bps_device_len;
  struct oci_throttle_device *throttle_read_iops_device;
  size_t throttle_read_iops_device_len;
  struct oci_throttle_device *throttle_write_iops_device;
  size_t throttle_write_iops_device_len;
};

struct oci_hugepage_limit {
  char *page_size; /* "2MB" */
  uint64_t limit;
};

struct oci_net_priority {
  char *name;
  uint32_t priority;
};

struct oci_network {
  bool has_class_id;
  uint32_t class_id;
  struct oci_net_priority *priorities;
  size_t priorities_len;
};

struct oci_rdma {
  char *name; /* the JSON key: the rdma device */
  bool has_hca_handles;
  uint32_t hca_handles;
  bool has_hca_objects;
  uint32_t hca_objects;
};

struct oci_resources {
  struct oci_device_cgroup *devices;
  size_t devices_len;
  struct oci_memory *memory;
  struct oci_cpu *cpu;
  bool has_pids_limit; /* "pids": {"limit": N} */
  int64_t pids_limit;
  struct oci_block_io *block_io;
  struct oci_hugepage_limit *hugepage_limits;
  size_t hugepage_limits_len;
  struct oci_network *network;
  struct oci_rdma *rdma;
  size_t rdma_len;
  struct oci_kv *unified;
  size_t unified_len;
};

struct oci_seccomp_arg {
  uint32_t index;
  uint64_t value;
  bool has_value_two;
  uint64_t value_two;
  char *op; /* SCMP_CMP_EQ ... */
};

struct oci_seccomp_syscall {
  char **names;
  size_t names_len;
  char *action;
  bool has_errno_ret;
  uint32_t errno_ret;
  struct oci_seccomp_arg *args;
  size_t args_len;
};

struct oci_seccomp {
  char *default_action;
  bool has_default_errno_ret;
  uint32_t default_errno_ret;
  char **architectures;
  size_t architectures_len;
  char **flags;
  size_t flags_len;
  char *listener_path;
  char *listener_metadata;
  struct oci_seccomp_syscall *syscalls;
  size_t syscalls_len;
};

struct oci_personality {
  char *domain; /* LINUX, LINUX32 */
  char **flags;
  size_t flags_len;
};

struct oci_intel_rdt {
  char *clos_id;
  char *l3_cache_schema;
  char *mem_bw_schema;
  char **schemata; /* 1.3: whole schemata lines */
  size_t schemata_len;
  bool enable_monitoring; /* 1.3 */
  bool has_enable_cmt;
  bool enable_cmt;
  bool has_enable_mbm;
  bool enable_mbm;
};

/* linux.netDevices: the key is the host's interface, `name` its name in
 * the container (absent: the same). */
struct oci_net_device {
  char *host_name;
  char *name;
};

/* linux.memoryPolicy (1.3): set_mempolicy(2) for the container process. */
struct oci_memory_policy {
  char *mode; /* MPOL_DEFAULT, MPOL_BIND ... (required) */
  char *nodes; /* "0-3,7" */
  char **flags; /* MPOL_F_STATIC_NODES ... */
  size_t flags_len;
};

struct oci_linux {
  struct oci_namespace *namespaces;
  size_t namespaces_len;
  struct oci_id_mapping *uid_mappings;
  size_t uid_mappings_len;
  struct oci_id_mapping *gid_mappings;
  size_t gid_mappings_len;
  struct oci_time_offset *time_offsets;
  size_t time_offsets_len;
  struct oci_device *devices;
  size_t devices_len;
  char *cgroups_path;
  struct oci_resources *resources;
  char *rootfs_propagation;
  struct oci_seccomp *seccomp;
  struct oci_kv *sysctl;
  size_t sysctl_len;
  char **masked_paths;
  size_t masked_paths_len;
  bool has_masked_paths;
  char **readonly_paths;
  size_t readonly_paths_len;
  bool has_readonly_paths;
  char *mount_label;
  struct oci_personality *personality;
  struct oci_intel_rdt *intel_rdt;
  struct oci_net_device *net_devices;
  size_t net_devices_len;
  struct oci_memory_policy *memory_policy;
};

struct oci_config {
  char *oci_version; /* required */
  struct oci_root *root;
  struct oci_mount *mounts;
  size_t mounts_len;
  struct oci_process *process;
  char *hostname;
  char *domainname;
  struct oci_hooks *hooks;
  struct oci_kv *annotations;
  size_t annotations_len;
  struct oci_linux *linux_;
};

/* Parse a config from a JSON text. `name` is used in error messages
 * ("config.json"). Returns NULL and sets *err on failure, with a message of
 * the form "<name>: <json.path>: <problem>". */
struct oci_config *oci_config_parse(const char *json, size_t len, const char *name,
                                    struct husk_error **err);

/* One problem found by oci_config_parse_all: the JSON path ("" for the
 * document itself: invalid JSON, not an object) and what is wrong there. */
struct oci_config_error {
  char *path;
  char *message;
};

/* Like oci_config_parse, but goes on past an error and collects every one,
 * in document order, into *errors (malloc'd, *n_errors of them; free with
 * oci_config_errors_free). Returns the config, NULL only when the text is
 * not a JSON object at all. With errors the config is partial: a field that
 * failed is left as if absent, so required strings may be NULL, and an
 * array element that failed is zeroed (a NULL string in args, a NULL value
 * in a map). Nothing is collected (and nothing allocated) when it is valid. */
struct oci_config *oci_config_parse_all(const char *json, size_t len,
                                        struct oci_config_error **errors, size_t *n_errors);
void oci_config_errors_free(struct oci_config_error *errors, size_t n);

/* A process object alone (exec --process), as the config's "process":
 * errors read "<name>: process.args[0]: ...". */
struct oci_process *oci_process_parse(const char *json, size_t len, const char *name,
                                      struct husk_error **err);
void oci_process_free(struct oci_process *process);

/* The largest config.json read: far above any real one; stops a wrong path
 * from eating memory. */
#define HUSK_CONFIG_MAX (64 << 20)

/* Read and parse a config file (a regular file, at most HUSK_CONFIG_MAX
 * bytes). Errors name the file. */
struct oci_config *oci_config_load(const char *path, struct husk_error **err);

/* Print a config back to JSON (every field that is set). Returns a malloc'd
 * NUL-terminated string, or NULL on allocation failure. */
char *oci_config_print(const struct oci_config *config, bool pretty);

void oci_config_free(struct oci_config *config);

/* The default config `husk spec` writes (runc's defaults). */
struct oci_config *oci_config_default(bool rootless);

#endif
