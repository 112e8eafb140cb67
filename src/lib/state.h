/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The state directory of a container: <root>/<id>/ holding state.json (written
 * atomically), exec.fifo while the container is created, and the lock.
 * The status is never stored: it is derived from the init pid, its start time
 * (which guards against pid reuse), the fifo and the freezer. */
#ifndef HUSK_STATE_H
#define HUSK_STATE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"

#define HUSK_OCI_VERSION "1.3.0"
#define HUSK_EXEC_FIFO "exec.fifo"
#define HUSK_STATE_FILE "state.json"

enum husk_status {
  HUSK_STATUS_CREATING,
  HUSK_STATUS_CREATED,
  HUSK_STATUS_RUNNING,
  HUSK_STATUS_PAUSED,
  HUSK_STATUS_STOPPED,
};

struct husk_kv_list {
  char **keys;
  char **values;
  size_t len;
};

struct husk_state {
  char *id;
  pid_t pid;
  uint64_t pid_start_time; /* field 22 of /proc/PID/stat */
  char *bundle;
  char *rootfs;
  char *created; /* RFC 3339 */
  char *owner;
  struct husk_kv_list annotations;
  char *cgroup_path;    /* as resolved at create; "" when there is none */
  char *cgroup_owned_from; /* the shallowest parent level create made; "" for none */
  bool new_pid_ns;      /* killing the init kills everything */
  bool systemd_cgroup;   /* --systemd-cgroup: cgroupsPath was "slice:prefix:name" */
  char *cgroup_manager;  /* the driver that made the cgroup: "cgroupfs", "systemd"; "" (older husk): cgroupfs */
  char *systemd_unit;    /* the unit systemd made for it, its slice, and whether it is the user's manager's */
  char *systemd_slice;
  bool systemd_user;
  bool has_hooks; /* poststart or poststop: start and delete read the config */
};

const char *husk_status_name(enum husk_status status);

/* Default --root: /run/husk as root, $XDG_RUNTIME_DIR/husk otherwise. */
char *husk_default_root(void);

/* An ID may hold letters, digits and "_+-.", must not be "." or "..", must
 * not start with "-" and is at most NAME_MAX (255) characters long. */
int husk_validate_id(const char *id, struct husk_error **err);

/* Reserve <root>/<id> with mkdir (the uniqueness check); returns an open
 * directory fd with an exclusive flock held. */
int husk_state_dir_create(const char *root, const char *id, struct husk_error **err);
/* Open an existing container's directory; `exclusive` takes the flock. */
int husk_state_dir_open(const char *root, const char *id, bool lock, struct husk_error **err);
/* Whether `name` under `atfd` (AT_FDCWD for a path) still is the open
 * directory `dirfd`: false once a delete has moved it away or removed it. */
bool husk_state_dir_is_current(int atfd, const char *name, int dirfd);
/* Remove the directory and everything in it; it leaves <root>/<id> first.
 * `dirfd`, the directory open already, or -1: given, no fd is opened. */
int husk_state_dir_remove(const char *root, const char *id, int dirfd, struct husk_error **err);

int husk_state_write(int dirfd, const struct husk_state *st, struct husk_error **err);
/* Returns -ENOENT (without setting err) while state.json is not written yet,
 * or once a delete has removed it. */
int husk_state_read(int dirfd, struct husk_state *st, struct husk_error **err);
void husk_state_clear(struct husk_state *st);
/* Point st's annotations at a config's (no copies of the strings); give
 * them back with husk_state_return_annotations, not husk_state_clear. */
struct oci_kv;
void husk_state_borrow_annotations(struct husk_state *st, const struct oci_kv *kv, size_t n);
void husk_state_return_annotations(struct husk_state *st);

/* The status of a container from its state; fills *alive_pid with the pid
 * when the init is alive (0 otherwise). */
enum husk_status husk_state_status(int dirfd, const struct husk_state *st);

/* Start time of a process (jiffies since boot), 0 when it does not exist or
 * is a zombie. */
uint64_t husk_pid_start_time(pid_t pid);

/* The OCI state JSON `husk state` prints. Returns malloc'd text. */
char *husk_state_to_oci_json(const struct husk_state *st, enum husk_status status);

#endif
