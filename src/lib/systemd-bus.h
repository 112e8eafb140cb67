/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A connection to systemd's manager over D-Bus (libdbus-1), with the few
 * calls the systemd cgroup driver makes: start a transient unit and wait
 * for its job, set its properties, stop it, reset it when it failed. */
#ifndef HUSK_SYSTEMD_BUS_H
#define HUSK_SYSTEMD_BUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

/* One unit property, as StartTransientUnit and SetUnitProperties take
 * them: a name and a value of one of the D-Bus types systemd uses for the
 * properties husk sets. */
enum husk_unit_prop_type {
  HUSK_PROP_STRING,  /* s */
  HUSK_PROP_BOOL,    /* b */
  HUSK_PROP_U64,     /* t */
  HUSK_PROP_I64,     /* x */
  HUSK_PROP_U32,     /* u */
  HUSK_PROP_I32,     /* i */
  HUSK_PROP_DOUBLE,  /* d */
  HUSK_PROP_PIDS,    /* au */
  HUSK_PROP_BYTES,   /* ay: AllowedCPUs, AllowedMemoryNodes */
  HUSK_PROP_PAIRS,   /* a(ss): DeviceAllow */
};

struct husk_unit_prop {
  char *name;
  enum husk_unit_prop_type type;
  char *s;
  bool b;
  uint64_t u;
  int64_t i;
  double d;
  uint32_t *pids;
  unsigned char *bytes;
  char **pairs; /* 2 * n strings */
  size_t n;
};

struct husk_unit_props {
  struct husk_unit_prop *v;
  size_t n;
};

struct husk_unit_prop *husk_unit_props_add(struct husk_unit_props *p, const char *name,
                                           enum husk_unit_prop_type type);
void husk_unit_props_add_string(struct husk_unit_props *p, const char *name, const char *value);
void husk_unit_props_add_bool(struct husk_unit_props *p, const char *name, bool value);
void husk_unit_props_add_u64(struct husk_unit_props *p, const char *name, uint64_t value);
/* The last property of that name, or NULL. */
struct husk_unit_prop *husk_unit_props_find(struct husk_unit_props *p, const char *name);
void husk_unit_props_clear(struct husk_unit_props *p);

struct husk_bus;

/* Connect to systemd: the user's manager through the session bus
 * ($DBUS_SESSION_BUS_ADDRESS, else $XDG_RUNTIME_DIR/bus) with `user`;
 * otherwise, as root, systemd's own socket (/run/systemd/private: no bus
 * daemon in between), then the system bus. */
int husk_bus_open(bool user, struct husk_bus **out, struct husk_error **err);
void husk_bus_close(struct husk_bus *b);

/* StartTransientUnit(unit, "fail", props) and wait until its job is done:
 * an error unless the job's result is "done". A unit of that name that is
 * left over in the failed state is reset and the start tried once more. */
int husk_bus_start_unit(struct husk_bus *b, const char *unit, const struct husk_unit_props *props,
                        struct husk_error **err);
/* SetUnitProperties(unit, runtime=true, props). */
int husk_bus_set_properties(struct husk_bus *b, const char *unit,
                            const struct husk_unit_props *props, struct husk_error **err);
/* StopUnit(unit, "replace") and wait for the job; a unit that is not
 * loaded is fine. Then ResetFailedUnit, so that no failed unit stays. */
int husk_bus_stop_unit(struct husk_bus *b, const char *unit, struct husk_error **err);

#endif
