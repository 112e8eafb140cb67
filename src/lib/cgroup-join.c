/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A new process joining its container's cgroup (cgroup-manager.h): the
 * same for every driver once the cgroup exists, since each has a path in
 * the cgroup filesystem. */
#include <stdlib.h>
#include <unistd.h>

#include "cgroup-manager.h"
#include "cgroup.h"

int husk_cgroup_join_open(const struct husk_cgroup *cg, const struct husk_cgroup_sub *sub,
                          struct husk_cgroup_join *j, struct husk_error **err) {
  static const struct husk_cgroup_sub itself = {0};
  if (cg->path == NULL || !cg->made)
    return 0;
  return husk_cgroup_sub_open(cg->path, sub ? sub : &itself, &j->v2_fd, &j->v2_path, &j->v1, err);
}

int husk_cgroup_join_clone_fd(const struct husk_cgroup_join *j) {
  return j->v2_fd;
}

int husk_cgroup_join_self(struct husk_cgroup_join *j, struct husk_error **err) {
  return husk_cgroup_join_v1(&j->v1, err);
}

int husk_cgroup_join_finish(struct husk_cgroup_join *j, pid_t pid, bool cloned_into,
                            struct husk_error **err) {
  husk_cgroup_close_v1_tasks(&j->v1); /* the process has them */
  return j->v2_path && !cloned_into ? husk_cgroup_enter_v2(j->v2_path, pid, err) : 0;
}

void husk_cgroup_join_close(struct husk_cgroup_join *j) {
  if (j->v2_fd >= 0)
    close(j->v2_fd);
  j->v2_fd = -1;
  free(j->v2_path);
  j->v2_path = NULL;
  husk_cgroup_close_v1_tasks(&j->v1);
}
