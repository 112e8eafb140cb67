/* SPDX-License-Identifier: GPL-2.0-or-later */
/* linux.intelRdt: the container's group in the resctrl filesystem (Intel
 * RDT, AMD QoS), as runc does it. The group is the closID's, or one named
 * after the container; "/" is the default group, resctrl's root. create
 * makes it and writes the schemata before the init goes on, the init and
 * exec'd processes join it (and, with enableMonitoring, a monitoring group
 * mon_groups/ID below it), delete removes what is the container's own.
 *
 * Every function takes the resctrl root (from /proc/self/mountinfo in
 * production) so that the unit tests can point them at a directory laid out
 * like resctrl. What delete, exec and update need is recorded in the state
 * directory, in a file "intelrdt". */
#ifndef HUSK_INTELRDT_H
#define HUSK_INTELRDT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "error.h"
#include "spec.h"

struct husk_rdt_host {
  char *root;    /* where resctrl is mounted; NULL when it is not */
  bool mba_mbps; /* mounted with -o mba_MBps: the MB line is in MBps */
};

/* The first resctrl mount in mountinfo text. host->root stays NULL when
 * there is none. */
void husk_rdt_parse_mountinfo(const char *text, struct husk_rdt_host *host);
/* The same from /proc/self/mountinfo. */
void husk_rdt_host_find(struct husk_rdt_host *host);
void husk_rdt_host_free(struct husk_rdt_host *host);

/* A container's place in resctrl. */
struct husk_rdt_group {
  char *root;              /* the resctrl mount it is in */
  char *dir;               /* the control group; NULL: the container has no intelRdt */
  char *mon_dir;           /* dir/mon_groups/ID with enableMonitoring, else NULL */
  char *name;              /* the closID, "/", or the container's ID: for messages */
  bool own;                /* no closID: the group is the container's, gone at delete */
  bool existed;            /* the control group was there before */
  char *schemas;           /* l3CacheSchema and memBwSchema lines, one write; or NULL */
  char *schemata;          /* schemata[], one write after that; or NULL */
  bool made_dir, made_mon; /* what husk_rdt_make made, for husk_rdt_undo */
};

/* Report one problem: the JSON path of the field and what is wrong. */
typedef void (*husk_rdt_report_fn)(void *opaque, const char *path, const char *msg);

/* Every problem linux.intelRdt has on this host, reported in order; returns
 * how many. Reads resctrl, changes nothing. */
size_t husk_rdt_validate(const struct oci_intel_rdt *rdt, const struct husk_rdt_host *host,
                         husk_rdt_report_fn report, void *opaque);

/* For create, before anything is made: validate (the first problem is the
 * error, "config.json: PATH: ...") and work out the group. Changes nothing. */
int husk_rdt_plan(const struct oci_intel_rdt *rdt, const char *id, const struct husk_rdt_host *host,
                  struct husk_rdt_group *g, struct husk_error **err);
/* The same for a config, with the host found here: g->dir stays NULL when
 * the config has no linux.intelRdt (and resctrl is then not looked at). */
int husk_rdt_plan_config(const struct oci_config *c, const char *id, struct husk_rdt_group *g,
                         struct husk_error **err);
/* Record the group in the state directory, then make it: the directories
 * first, then the schemata. A failure leaves what was made for
 * husk_rdt_undo. Nothing to do when g->dir is NULL. */
int husk_rdt_make(int state_dirfd, struct husk_rdt_group *g, struct husk_error **err);
/* Move the task `pid` into the group, and into its monitoring group. */
int husk_rdt_enter(const struct husk_rdt_group *g, pid_t pid, struct husk_error **err);
/* A failed create: remove the directories husk_rdt_make made. */
void husk_rdt_undo(struct husk_rdt_group *g);
void husk_rdt_group_free(struct husk_rdt_group *g);

/* The group recorded in a state directory: -ENOENT (and no error) when the
 * container has none. */
int husk_rdt_load(int state_dirfd, struct husk_rdt_group *g, struct husk_error **err);
/* delete: remove the monitoring group and the container's own group; the
 * group of a closID stays, as other containers may share it. 0 when there
 * is no record, or what it names is gone already. */
int husk_rdt_remove(int state_dirfd, struct husk_error **err);
/* exec: the new process joins the container's group (none: nothing to do). */
int husk_rdt_enter_recorded(int state_dirfd, pid_t pid, struct husk_error **err);
/* update --l3-cache-schema / --mem-bw-schema (either may be NULL): refused
 * where resctrl lacks L3 or MB allocation, where the container has no group
 * of its own or shared, and for the default group "/". */
int husk_rdt_update(int state_dirfd, const struct husk_rdt_host *host, const char *l3,
                    const char *mb, struct husk_error **err);

#endif
