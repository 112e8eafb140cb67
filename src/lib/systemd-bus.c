/* SPDX-License-Identifier: GPL-2.0-or-later */
/* systemd's manager over D-Bus, through libdbus-1. Compiled to errors
 * where husk is built without it. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "systemd-bus.h"
#include "utils.h"

struct husk_unit_prop *husk_unit_props_add(struct husk_unit_props *p, const char *name,
                                           enum husk_unit_prop_type type) {
  struct husk_unit_prop *v = realloc(p->v, (p->n + 1) * sizeof(*p->v));
  if (v == NULL)
    abort(); /* out of memory, as the x* allocators */
  p->v = v;
  struct husk_unit_prop *prop = &p->v[p->n++];
  memset(prop, 0, sizeof(*prop));
  prop->name = xstrdup(name);
  prop->type = type;
  return prop;
}

void husk_unit_props_add_string(struct husk_unit_props *p, const char *name, const char *value) {
  husk_unit_props_add(p, name, HUSK_PROP_STRING)->s = xstrdup(value);
}

void husk_unit_props_add_bool(struct husk_unit_props *p, const char *name, bool value) {
  husk_unit_props_add(p, name, HUSK_PROP_BOOL)->b = value;
}

void husk_unit_props_add_u64(struct husk_unit_props *p, const char *name, uint64_t value) {
  husk_unit_props_add(p, name, HUSK_PROP_U64)->u = value;
}

struct husk_unit_prop *husk_unit_props_find(struct husk_unit_props *p, const char *name) {
  for (size_t i = p->n; i > 0; i--)
    if (strcmp(p->v[i - 1].name, name) == 0)
      return &p->v[i - 1];
  return NULL;
}

void husk_unit_props_clear(struct husk_unit_props *p) {
  for (size_t i = 0; i < p->n; i++) {
    struct husk_unit_prop *prop = &p->v[i];
    free(prop->name);
    free(prop->s);
    free(prop->pids);
    free(prop->bytes);
    if (prop->pairs)
      for (size_t j = 0; j < 2 * prop->n; j++)
        free(prop->pairs[j]);
    free(prop->pairs);
  }
  free(p->v);
  p->v = NULL;
  p->n = 0;
}

#ifndef HAVE_DBUS

int husk_bus_open(bool user, struct husk_bus **out, struct husk_error **err) {
  (void)user;
  *out = NULL;
  return husk_fail(err, ENOTSUP, "--systemd-cgroup: this husk was built without libdbus-1, so it "
                                 "cannot ask systemd for a unit (use --cgroup-manager cgroupfs)");
}
void husk_bus_close(struct husk_bus *b) { (void)b; }
int husk_bus_start_unit(struct husk_bus *b, const char *unit, const struct husk_unit_props *props,
                        struct husk_error **err) {
  (void)b, (void)unit, (void)props;
  return husk_fail(err, ENOTSUP, "systemd: no D-Bus support");
}
int husk_bus_set_properties(struct husk_bus *b, const char *unit,
                            const struct husk_unit_props *props, struct husk_error **err) {
  (void)b, (void)unit, (void)props;
  return husk_fail(err, ENOTSUP, "systemd: no D-Bus support");
}
int husk_bus_stop_unit(struct husk_bus *b, const char *unit, struct husk_error **err) {
  (void)b, (void)unit;
  return husk_fail(err, ENOTSUP, "systemd: no D-Bus support");
}

#else

#include <dbus/dbus.h>

#define SD_DEST "org.freedesktop.systemd1"
#define SD_PATH "/org/freedesktop/systemd1"
#define SD_MANAGER "org.freedesktop.systemd1.Manager"
/* How long one call, and the wait for a job, may take (runc's 30 s). */
#define BUS_TIMEOUT_MS 30000

/* Hand `e` on to the caller's error (when it has none yet). */
static void pass_error(struct husk_error **err, struct husk_error *e) {
  if (err && *err == NULL)
    *err = e;
  else
    husk_error_free(e);
}

struct husk_bus {
  DBusConnection *conn;
  char *address;
};

static int bus_fail(struct husk_error **err, DBusError *e, const char *fmt, const char *arg) {
  _cleanup_free_ char *what = xasprintf(fmt, arg);
  int r = husk_fail(err, 0, "%s: %s", what, dbus_error_is_set(e) ? e->message : "no reply");
  dbus_error_free(e);
  return r < 0 ? r : -EIO;
}

static DBusConnection *bus_connect(const char *address, bool hello, DBusError *e) {
  DBusConnection *c = dbus_connection_open_private(address, e);
  if (c == NULL)
    return NULL;
  dbus_connection_set_exit_on_disconnect(c, FALSE);
  if (hello && !dbus_bus_register(c, e)) {
    dbus_connection_close(c);
    dbus_connection_unref(c);
    return NULL;
  }
  return c;
}

int husk_bus_open(bool user, struct husk_bus **out, struct husk_error **err) {
  DBusError e;
  dbus_error_init(&e);
  _cleanup_free_ char *address = NULL;
  DBusConnection *c = NULL;
  if (user) {
    const char *env = getenv("DBUS_SESSION_BUS_ADDRESS");
    const char *xdg = getenv("XDG_RUNTIME_DIR");
    if (env && env[0])
      address = xstrdup(env);
    else if (xdg && xdg[0])
      address = xasprintf("unix:path=%s/bus", xdg);
    else
      return husk_fail(err, 0, "systemd (user): neither DBUS_SESSION_BUS_ADDRESS nor "
                               "XDG_RUNTIME_DIR is set, so the user's bus cannot be found");
    c = bus_connect(address, true, &e);
  } else {
    /* systemd's private socket needs no bus daemon and saves a hop. */
    if (geteuid() == 0 && access("/run/systemd/private", F_OK) == 0) {
      address = xstrdup("unix:path=/run/systemd/private");
      c = bus_connect(address, false, &e);
      if (c == NULL) {
        husk_debug("systemd: %s: %s; trying the system bus", address, e.message);
        dbus_error_free(&e);
        free(address);
        address = NULL;
      }
    }
    if (c == NULL) {
      const char *env = getenv("DBUS_SYSTEM_BUS_ADDRESS");
      address = xstrdup(env && env[0] ? env : "unix:path=/run/dbus/system_bus_socket");
      c = bus_connect(address, true, &e);
    }
  }
  if (c == NULL)
    return bus_fail(err, &e, "systemd: cannot connect to %s", address);
  struct husk_bus *b = xmalloc0(sizeof(*b));
  b->conn = c;
  b->address = steal_pointer(&address);
  *out = b;
  return 0;
}

void husk_bus_close(struct husk_bus *b) {
  if (b == NULL)
    return;
  dbus_connection_close(b->conn);
  dbus_connection_unref(b->conn);
  free(b->address);
  free(b);
}

/* --- marshalling ------------------------------------------------------------- */

static const char *prop_signature(enum husk_unit_prop_type t) {
  switch (t) {
  case HUSK_PROP_STRING: return "s";
  case HUSK_PROP_BOOL: return "b";
  case HUSK_PROP_U64: return "t";
  case HUSK_PROP_I64: return "x";
  case HUSK_PROP_U32: return "u";
  case HUSK_PROP_I32: return "i";
  case HUSK_PROP_DOUBLE: return "d";
  case HUSK_PROP_PIDS: return "au";
  case HUSK_PROP_BYTES: return "ay";
  case HUSK_PROP_PAIRS: return "a(ss)";
  }
  return "s";
}

static bool append_value(DBusMessageIter *v, const struct husk_unit_prop *p) {
  DBusMessageIter a, s;
  switch (p->type) {
  case HUSK_PROP_STRING: {
    const char *str = p->s ? p->s : "";
    return dbus_message_iter_append_basic(v, DBUS_TYPE_STRING, &str);
  }
  case HUSK_PROP_BOOL: {
    dbus_bool_t b = p->b;
    return dbus_message_iter_append_basic(v, DBUS_TYPE_BOOLEAN, &b);
  }
  case HUSK_PROP_U64: {
    dbus_uint64_t u = p->u;
    return dbus_message_iter_append_basic(v, DBUS_TYPE_UINT64, &u);
  }
  case HUSK_PROP_I64: {
    dbus_int64_t i = p->i;
    return dbus_message_iter_append_basic(v, DBUS_TYPE_INT64, &i);
  }
  case HUSK_PROP_U32: {
    dbus_uint32_t u = (dbus_uint32_t)p->u;
    return dbus_message_iter_append_basic(v, DBUS_TYPE_UINT32, &u);
  }
  case HUSK_PROP_I32: {
    dbus_int32_t i = (dbus_int32_t)p->i;
    return dbus_message_iter_append_basic(v, DBUS_TYPE_INT32, &i);
  }
  case HUSK_PROP_DOUBLE:
    return dbus_message_iter_append_basic(v, DBUS_TYPE_DOUBLE, &p->d);
  case HUSK_PROP_PIDS:
    return dbus_message_iter_open_container(v, DBUS_TYPE_ARRAY, "u", &a) &&
           (p->n == 0 || dbus_message_iter_append_fixed_array(&a, DBUS_TYPE_UINT32, &p->pids, (int)p->n)) &&
           dbus_message_iter_close_container(v, &a);
  case HUSK_PROP_BYTES:
    return dbus_message_iter_open_container(v, DBUS_TYPE_ARRAY, "y", &a) &&
           (p->n == 0 || dbus_message_iter_append_fixed_array(&a, DBUS_TYPE_BYTE, &p->bytes, (int)p->n)) &&
           dbus_message_iter_close_container(v, &a);
  case HUSK_PROP_PAIRS:
    if (!dbus_message_iter_open_container(v, DBUS_TYPE_ARRAY, "(ss)", &a))
      return false;
    for (size_t i = 0; i < p->n; i++) {
      if (!dbus_message_iter_open_container(&a, DBUS_TYPE_STRUCT, NULL, &s) ||
          !dbus_message_iter_append_basic(&s, DBUS_TYPE_STRING, &p->pairs[2 * i]) ||
          !dbus_message_iter_append_basic(&s, DBUS_TYPE_STRING, &p->pairs[2 * i + 1]) ||
          !dbus_message_iter_close_container(&a, &s))
        return false;
    }
    return dbus_message_iter_close_container(v, &a);
  }
  return false;
}

/* a(sv) */
static bool append_props(DBusMessageIter *it, const struct husk_unit_props *props) {
  DBusMessageIter a, s, v;
  if (!dbus_message_iter_open_container(it, DBUS_TYPE_ARRAY, "(sv)", &a))
    return false;
  for (size_t i = 0; props && i < props->n; i++) {
    const struct husk_unit_prop *p = &props->v[i];
    if (!dbus_message_iter_open_container(&a, DBUS_TYPE_STRUCT, NULL, &s) ||
        !dbus_message_iter_append_basic(&s, DBUS_TYPE_STRING, &p->name) ||
        !dbus_message_iter_open_container(&s, DBUS_TYPE_VARIANT, prop_signature(p->type), &v) ||
        !append_value(&v, p) || !dbus_message_iter_close_container(&s, &v) ||
        !dbus_message_iter_close_container(&a, &s))
      return false;
  }
  return dbus_message_iter_close_container(it, &a);
}

static DBusMessage *manager_call(const char *method) {
  DBusMessage *m = dbus_message_new_method_call(SD_DEST, SD_PATH, SD_MANAGER, method);
  if (m == NULL)
    abort(); /* out of memory */
  return m;
}

/* Send and wait for the reply; NULL with `e` set on an error reply. */
static DBusMessage *call(struct husk_bus *b, DBusMessage *m, DBusError *e) {
  DBusMessage *reply = dbus_connection_send_with_reply_and_block(b->conn, m, BUS_TIMEOUT_MS, e);
  dbus_message_unref(m);
  return reply;
}

/* A call whose reply is one object path (a job), copied to *job. */
static int call_job(struct husk_bus *b, DBusMessage *m, char **job, DBusError *e) {
  DBusMessage *reply = call(b, m, e);
  if (reply == NULL)
    return -EIO;
  const char *path = NULL;
  bool ok = dbus_message_get_args(reply, e, DBUS_TYPE_OBJECT_PATH, &path, DBUS_TYPE_INVALID);
  if (ok)
    *job = xstrdup(path);
  dbus_message_unref(reply);
  return ok ? 0 : -EIO;
}

static int64_t now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Read messages until systemd says `job` was removed; *result: its result
 * ("done", "failed", "canceled", ...), malloc'd. Signals that came in
 * while the call was waiting for its reply are in the queue already. */
static int wait_job(struct husk_bus *b, const char *job, char **result) {
  int64_t deadline = now_ms() + BUS_TIMEOUT_MS;
  for (;;) {
    DBusMessage *m;
    while ((m = dbus_connection_pop_message(b->conn)) != NULL) {
      if (dbus_message_is_signal(m, SD_MANAGER, "JobRemoved")) {
        dbus_uint32_t id;
        const char *path = NULL, *unit = NULL, *res = NULL;
        if (dbus_message_get_args(m, NULL, DBUS_TYPE_UINT32, &id, DBUS_TYPE_OBJECT_PATH, &path,
                                  DBUS_TYPE_STRING, &unit, DBUS_TYPE_STRING, &res,
                                  DBUS_TYPE_INVALID) &&
            strcmp(path, job) == 0) {
          *result = xstrdup(res);
          dbus_message_unref(m);
          return 0;
        }
      }
      dbus_message_unref(m);
    }
    int64_t left = deadline - now_ms();
    if (left <= 0)
      return -ETIMEDOUT;
    if (!dbus_connection_read_write(b->conn, (int)left))
      return -ECONNRESET;
  }
}

/* JobRemoved reaches a client of the bus daemon only when it asked for it
 * (a match) and systemd sends it to the bus only when someone subscribed;
 * on systemd's own socket every client gets it. */
static int subscribe(struct husk_bus *b, DBusError *e) {
  static bool done;
  if (done)
    return 0;
  if (strcmp(b->address, "unix:path=/run/systemd/private") != 0) {
    dbus_bus_add_match(b->conn,
                       "type='signal',sender='" SD_DEST "',interface='" SD_MANAGER
                       "',member='JobRemoved',path='" SD_PATH "'",
                       e);
    if (dbus_error_is_set(e))
      return -EIO;
    DBusMessage *reply = call(b, manager_call("Subscribe"), e);
    if (reply == NULL)
      return -EIO;
    dbus_message_unref(reply);
  }
  done = true;
  return 0;
}

/* Run the call that makes a job and wait for it. */
static int run_job(struct husk_bus *b, DBusMessage *m, const char *what, const char *unit,
                   struct husk_error **err) {
  DBusError e;
  dbus_error_init(&e);
  _cleanup_free_ char *job = NULL;
  _cleanup_free_ char *result = NULL;
  if (subscribe(b, &e) < 0) {
    dbus_message_unref(m);
    return bus_fail(err, &e, "systemd: subscribe to job signals on %s", b->address);
  }
  if (call_job(b, m, &job, &e) < 0) {
    /* The callers act on these two. */
    int code = dbus_error_has_name(&e, "org.freedesktop.systemd1.UnitExists")   ? -EEXIST
               : dbus_error_has_name(&e, "org.freedesktop.systemd1.NoSuchUnit") ? -ENOENT
                                                                                 : -EIO;
    _cleanup_free_ char *fmt = xasprintf("systemd: %s %%s", what);
    bus_fail(err, &e, fmt, unit);
    return code;
  }
  int r = wait_job(b, job, &result);
  if (r < 0)
    return husk_fail(err, -r, "systemd: %s %s: waiting for job %s", what, unit, job);
  if (strcmp(result, "done") != 0)
    return husk_fail(err, 0, "systemd: %s %s: the job finished with \"%s\" (see systemctl status %s)",
                     what, unit, result, unit);
  return 0;
}

static DBusMessage *start_message(const char *unit, const struct husk_unit_props *props) {
  DBusMessage *m = manager_call("StartTransientUnit");
  DBusMessageIter it, aux;
  const char *mode = "fail";
  dbus_message_iter_init_append(m, &it);
  if (!dbus_message_iter_append_basic(&it, DBUS_TYPE_STRING, &unit) ||
      !dbus_message_iter_append_basic(&it, DBUS_TYPE_STRING, &mode) || !append_props(&it, props) ||
      !dbus_message_iter_open_container(&it, DBUS_TYPE_ARRAY, "(sa(sv))", &aux) ||
      !dbus_message_iter_close_container(&it, &aux))
    abort(); /* out of memory */
  return m;
}

static void reset_failed(struct husk_bus *b, const char *unit) {
  DBusError e;
  dbus_error_init(&e);
  DBusMessage *m = manager_call("ResetFailedUnit");
  dbus_message_append_args(m, DBUS_TYPE_STRING, &unit, DBUS_TYPE_INVALID);
  DBusMessage *reply = call(b, m, &e);
  if (reply)
    dbus_message_unref(reply);
  dbus_error_free(&e);
}

int husk_bus_start_unit(struct husk_bus *b, const char *unit, const struct husk_unit_props *props,
                        struct husk_error **err) {
  struct husk_error *first = NULL;
  int r = run_job(b, start_message(unit, props), "start", unit, &first);
  if (r == 0)
    return 0;
  /* A unit left failed by an earlier container of that name: as runc. */
  if (strstr(first->msg, "already exists")) {
    husk_debug("%s; resetting it and trying again", first->msg);
    reset_failed(b, unit);
    husk_error_free(first);
    return run_job(b, start_message(unit, props), "start", unit, err);
  }
  pass_error(err, first);
  return r;
}

int husk_bus_set_properties(struct husk_bus *b, const char *unit,
                            const struct husk_unit_props *props, struct husk_error **err) {
  DBusError e;
  dbus_error_init(&e);
  DBusMessage *m = manager_call("SetUnitProperties");
  DBusMessageIter it;
  dbus_bool_t runtime = TRUE;
  dbus_message_iter_init_append(m, &it);
  if (!dbus_message_iter_append_basic(&it, DBUS_TYPE_STRING, &unit) ||
      !dbus_message_iter_append_basic(&it, DBUS_TYPE_BOOLEAN, &runtime) || !append_props(&it, props))
    abort(); /* out of memory */
  DBusMessage *reply = call(b, m, &e);
  if (reply == NULL)
    return bus_fail(err, &e, "systemd: set the properties of %s", unit);
  dbus_message_unref(reply);
  return 0;
}

int husk_bus_stop_unit(struct husk_bus *b, const char *unit, struct husk_error **err) {
  DBusMessage *m = manager_call("StopUnit");
  const char *mode = "replace";
  dbus_message_append_args(m, DBUS_TYPE_STRING, &unit, DBUS_TYPE_STRING, &mode, DBUS_TYPE_INVALID);
  struct husk_error *e = NULL;
  int r = run_job(b, m, "stop", unit, &e);
  if (r == -ENOENT) {
    r = 0; /* gone already: stopped by systemd or by hand */
    husk_error_free(e);
    e = NULL;
  }
  reset_failed(b, unit);
  if (r < 0)
    pass_error(err, e);
  else if (e)
    husk_error_free(e);
  return r;
}

#endif
