/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Reading a yajl_tree while knowing the JSON path of every value, so that an
 * error can say exactly where it is: `process.args[0]`, `linux.sysctl["a.b"]`.
 *
 * The getters take an object, the path of that object and a member key. They
 * return 1 when the member was there (and *out is set), 0 when it was absent
 * or null (and *out is untouched), or a negative errno after setting the error.
 * A missing required member is an error. On an error, arrays may already be
 * attached to *out, partly filled (zeroed past the failure), for the caller
 * to free with the rest. */
#ifndef HUSK_OCI_JSON_H
#define HUSK_OCI_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <yajl/yajl_tree.h>

#include "spec.h"

/* One step of a path. Steps live on the C stack and point at their parent;
 * NULL is the document itself. */
struct oci_json_path {
  const struct oci_json_path *up;
  const char *field; /* object member, printed `.field` */
  const char *key;   /* map key, printed `["key"]` */
  size_t index;      /* array index when field and key are NULL */
};

#define OCI_JSON_FIELD(parent, name) ((struct oci_json_path){.up = (parent), .field = (name)})
#define OCI_JSON_KEY(parent, k) ((struct oci_json_path){.up = (parent), .key = (k)})
#define OCI_JSON_INDEX(parent, i) ((struct oci_json_path){.up = (parent), .index = (i)})

/* Every error of a document, when it is read to collect them all. */
struct oci_json_errors {
  struct oci_config_error *items;
  size_t len;
};

/* Where errors go, and the document name they start with ("config.json").
 * With `collect` set an error is appended there instead, and the readers go
 * on with the next field (the failed one stays unset). */
struct oci_json {
  const char *name;
  struct husk_error **err;
  struct oci_json_errors *collect;
};

enum oci_json_need { OCI_JSON_OPTIONAL, OCI_JSON_REQUIRED };

/* Set "<name>: <path>: <message>" (or "<name>: <message>" at the top) as the
 * error, or collect it. Returns -EINVAL. */
int oci_json_fail(const struct oci_json *j, const struct oci_json_path *at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The path as text, malloc'd. */
char *oci_json_path_string(const struct oci_json_path *at);
/* `s` in double quotes with control characters escaped, malloc'd: for
 * messages that must stay on one line. */
char *oci_json_quote(const char *s);

/* The member `key` of `obj`; NULL when absent or null. The last one wins
 * when a key repeats. */
yajl_val oci_json_member(yajl_val obj, const char *key);
/* Whether member i of `obj` is overridden by a later member with its key. */
bool oci_json_key_repeated(yajl_val obj, size_t i);

/* Convert one value. Integers must be written without fraction or exponent
 * and fit the type; unsigned ones must not be negative. 0 or -EINVAL. */
int oci_json_string(const struct oci_json *j, const struct oci_json_path *at, yajl_val v,
                    char **out);
int oci_json_bool(const struct oci_json *j, const struct oci_json_path *at, yajl_val v, bool *out);
int oci_json_int32(const struct oci_json *j, const struct oci_json_path *at, yajl_val v,
                   int32_t *out);
int oci_json_int64(const struct oci_json *j, const struct oci_json_path *at, yajl_val v,
                   int64_t *out);
int oci_json_uint16(const struct oci_json *j, const struct oci_json_path *at, yajl_val v,
                    uint16_t *out);
int oci_json_uint32(const struct oci_json *j, const struct oci_json_path *at, yajl_val v,
                    uint32_t *out);
int oci_json_uint64(const struct oci_json *j, const struct oci_json_path *at, yajl_val v,
                    uint64_t *out);

/* Member getters: 1 present, 0 absent, <0 error (see above). */
#define OCI_JSON_GETTER(name, type)                                                                \
  int oci_json_get_##name(const struct oci_json *j, const struct oci_json_path *at, yajl_val obj,  \
                          const char *key, enum oci_json_need need, type *out)
OCI_JSON_GETTER(string, char *);
OCI_JSON_GETTER(bool, bool);
OCI_JSON_GETTER(int32, int32_t);
OCI_JSON_GETTER(int64, int64_t);
OCI_JSON_GETTER(uint16, uint16_t);
OCI_JSON_GETTER(uint32, uint32_t);
OCI_JSON_GETTER(uint64, uint64_t);
OCI_JSON_GETTER(object, yajl_val);
OCI_JSON_GETTER(array, yajl_val);

/* An array of strings. When present the result is non-NULL and also
 * NULL-terminated (ready for execve), even when empty. */
int oci_json_get_strings(const struct oci_json *j, const struct oci_json_path *at, yajl_val obj,
                         const char *key, enum oci_json_need need, char ***out, size_t *len);
int oci_json_get_uint32s(const struct oci_json *j, const struct oci_json_path *at, yajl_val obj,
                         const char *key, enum oci_json_need need, uint32_t **out, size_t *len);
/* An object of string values, in document order. */
int oci_json_get_string_map(const struct oci_json *j, const struct oci_json_path *at, yajl_val obj,
                            const char *key, enum oci_json_need need, struct oci_kv **out,
                            size_t *len);

#endif
