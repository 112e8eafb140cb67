/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "json.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "error.h"
#include "utils.h"

static FILE *memstream(char **buf, size_t *len) {
  FILE *f = open_memstream(buf, len);
  if (f == NULL) {
    fputs("husk: out of memory\n", stderr);
    abort();
  }
  return f;
}

static void write_quoted(FILE *f, const char *s) {
  fputc('"', f);
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    if (*p == '"' || *p == '\\')
      fprintf(f, "\\%c", *p);
    else if (*p < 0x20 || *p == 0x7f)
      fprintf(f, "\\u%04x", *p);
    else
      fputc(*p, f);
  }
  fputc('"', f);
}

static void write_path(FILE *f, const struct oci_json_path *p) {
  if (p == NULL)
    return;
  write_path(f, p->up);
  if (p->field) {
    if (p->up)
      fputc('.', f);
    fputs(p->field, f);
  } else if (p->key) {
    fputc('[', f);
    write_quoted(f, p->key);
    fputc(']', f);
  } else {
    fprintf(f, "[%zu]", p->index);
  }
}

char *oci_json_quote(const char *s) {
  char *buf = NULL;
  size_t len = 0;
  FILE *f = memstream(&buf, &len);
  write_quoted(f, s);
  fclose(f);
  return buf;
}

char *oci_json_path_string(const struct oci_json_path *at) {
  char *buf = NULL;
  size_t len = 0;
  FILE *f = memstream(&buf, &len);
  write_path(f, at);
  fclose(f);
  return buf;
}

int oci_json_fail(const struct oci_json *j, const struct oci_json_path *at, const char *fmt, ...) {
  _cleanup_free_ char *msg = NULL;
  size_t len = 0;
  FILE *f = memstream(&msg, &len);
  if (at && !j->collect) {
    write_path(f, at);
    fputs(": ", f);
  }
  va_list ap;
  va_start(ap, fmt);
  vfprintf(f, fmt, ap);
  va_end(ap);
  fclose(f);
  if (j->collect) {
    struct oci_json_errors *c = j->collect;
    c->items = realloc(c->items, (c->len + 1) * sizeof(*c->items));
    if (c->items == NULL) {
      fputs("husk: out of memory\n", stderr);
      abort();
    }
    c->items[c->len++] = (struct oci_config_error){
        .path = oci_json_path_string(at), .message = steal_pointer(&msg)};
    return -EINVAL;
  }
  return husk_fail(j->err, 0, "%s: %s", j->name, msg);
}

yajl_val oci_json_member(yajl_val obj, const char *key) {
  if (!YAJL_IS_OBJECT(obj))
    return NULL;
  /* From the end: a repeated key means its last value, as in Go. */
  for (size_t i = obj->u.object.len; i-- > 0;) {
    if (strcmp(obj->u.object.keys[i], key) == 0)
      return YAJL_IS_NULL(obj->u.object.values[i]) ? NULL : obj->u.object.values[i];
  }
  return NULL;
}

bool oci_json_key_repeated(yajl_val obj, size_t i) {
  for (size_t k = i + 1; k < obj->u.object.len; k++) {
    if (strcmp(obj->u.object.keys[k], obj->u.object.keys[i]) == 0)
      return true;
  }
  return false;
}

int oci_json_string(const struct oci_json *j, const struct oci_json_path *at, yajl_val v,
                    char **out) {
  if (!YAJL_IS_STRING(v))
    return oci_json_fail(j, at, "expected a string");
  *out = xstrdup(v->u.string);
  return 0;
}

int oci_json_bool(const struct oci_json *j, const struct oci_json_path *at, yajl_val v, bool *out) {
  if (!YAJL_IS_TRUE(v) && !YAJL_IS_FALSE(v))
    return oci_json_fail(j, at, "expected a boolean");
  *out = YAJL_IS_TRUE(v);
  return 0;
}

/* yajl_tree keeps the number as written; parse that text ourselves so that
 * values above INT64_MAX (seccomp masks, rlimits) keep every bit. */
static int integer_text(const struct oci_json *j, const struct oci_json_path *at, yajl_val v,
                        const char **text) {
  if (!YAJL_IS_NUMBER(v))
    return oci_json_fail(j, at, "expected an integer");
  if (strpbrk(v->u.number.r, ".eE"))
    return oci_json_fail(j, at, "expected an integer, got %s", v->u.number.r);
  *text = v->u.number.r;
  return 0;
}

static int to_signed(const struct oci_json *j, const struct oci_json_path *at, yajl_val v,
                     int64_t min, int64_t max, const char *type, int64_t *out) {
  const char *text = NULL;
  int r = integer_text(j, at, v, &text);
  if (r < 0)
    return r;
  char *end;
  errno = 0;
  long long n = strtoll(text, &end, 10);
  if (errno != 0 || *end != '\0' || n < min || n > max)
    return oci_json_fail(j, at, "integer %s out of range for %s", text, type);
  *out = n;
  return 0;
}

static int to_unsigned(const struct oci_json *j, const struct oci_json_path *at, yajl_val v,
                       uint64_t max, const char *type, uint64_t *out) {
  const char *text = NULL;
  int r = integer_text(j, at, v, &text);
  if (r < 0)
    return r;
  if (text[0] == '-')
    return oci_json_fail(j, at, "expected a non-negative integer, got %s", text);
  char *end;
  errno = 0;
  unsigned long long n = strtoull(text, &end, 10);
  if (errno != 0 || *end != '\0' || n > max)
    return oci_json_fail(j, at, "integer %s out of range for %s", text, type);
  *out = n;
  return 0;
}

#define SIGNED(name, type, min, max)                                                               \
  int oci_json_##name(const struct oci_json *j, const struct oci_json_path *at, yajl_val v,        \
                      type *out) {                                                                 \
    int64_t n = 0;                                                                                 \
    int r = to_signed(j, at, v, (min), (max), #name, &n);                                          \
    if (r == 0)                                                                                    \
      *out = (type)n;                                                                              \
    return r;                                                                                      \
  }
#define UNSIGNED(name, type, max)                                                                  \
  int oci_json_##name(const struct oci_json *j, const struct oci_json_path *at, yajl_val v,        \
                      type *out) {                                                                 \
    uint64_t n = 0;                                                                                \
    int r = to_unsigned(j, at, v, (max), #name, &n);                                               \
    if (r == 0)                                                                                    \
      *out = (type)n;                                                                              \
    return r;                                                                                      \
  }
SIGNED(int32, int32_t, INT32_MIN, INT32_MAX)
SIGNED(int64, int64_t, INT64_MIN, INT64_MAX)
UNSIGNED(uint16, uint16_t, UINT16_MAX)
UNSIGNED(uint32, uint32_t, UINT32_MAX)
UNSIGNED(uint64, uint64_t, UINT64_MAX)

static int json_object(const struct oci_json *j, const struct oci_json_path *at, yajl_val v,
                       yajl_val *out) {
  if (!YAJL_IS_OBJECT(v))
    return oci_json_fail(j, at, "expected an object");
  *out = v;
  return 0;
}

static int json_array(const struct oci_json *j, const struct oci_json_path *at, yajl_val v,
                      yajl_val *out) {
  if (!YAJL_IS_ARRAY(v))
    return oci_json_fail(j, at, "expected an array");
  *out = v;
  return 0;
}

/* Find a member: 1 present, 0 absent, <0 when a required one is missing. */
static int lookup(const struct oci_json *j, const struct oci_json_path *at, yajl_val obj,
                  const char *key, enum oci_json_need need, yajl_val *v) {
  *v = oci_json_member(obj, key);
  if (*v)
    return 1;
  if (need == OCI_JSON_REQUIRED)
    return oci_json_fail(j, at, "missing required field");
  return 0;
}

/* The name is pasted here, not passed on: `bool` is a macro. */
#define GETTER(name, type, convert)                                                                \
  int oci_json_get_##name(const struct oci_json *j, const struct oci_json_path *at, yajl_val obj,  \
                          const char *key, enum oci_json_need need, type *out) {                   \
    struct oci_json_path p = OCI_JSON_FIELD(at, key);                                              \
    yajl_val v = NULL;                                                                             \
    int r = lookup(j, &p, obj, key, need, &v);                                                     \
    if (r <= 0)                                                                                    \
      return r;                                                                                    \
    r = convert(j, &p, v, out);                                                                    \
    return r < 0 ? r : 1;                                                                          \
  }
GETTER(string, char *, oci_json_string)
GETTER(bool, bool, oci_json_bool)
GETTER(int32, int32_t, oci_json_int32)
GETTER(int64, int64_t, oci_json_int64)
GETTER(uint16, uint16_t, oci_json_uint16)
GETTER(uint32, uint32_t, oci_json_uint32)
GETTER(uint64, uint64_t, oci_json_uint64)
GETTER(object, yajl_val, json_object)
GETTER(array, yajl_val, json_array)

/* The results are attached to *out before they are filled, so that on an
 * error the caller's free function releases what was done. */
int oci_json_get_strings(const struct oci_json *j, const struct oci_json_path *at, yajl_val obj,
                         const char *key, enum oci_json_need need, char ***out, size_t *len) {
  struct oci_json_path p = OCI_JSON_FIELD(at, key);
  yajl_val a = NULL;
  int r = oci_json_get_array(j, at, obj, key, need, &a);
  if (r <= 0)
    return r;
  size_t n = a->u.array.len;
  char **v = xmalloc0((n + 1) * sizeof(*v));
  *out = v;
  *len = n;
  for (size_t i = 0; i < n; i++) {
    struct oci_json_path ip = OCI_JSON_INDEX(&p, i);
    r = oci_json_string(j, &ip, a->u.array.values[i], &v[i]);
    if (r < 0 && !j->collect)
      return r;
  }
  return 1;
}

int oci_json_get_uint32s(const struct oci_json *j, const struct oci_json_path *at, yajl_val obj,
                         const char *key, enum oci_json_need need, uint32_t **out, size_t *len) {
  struct oci_json_path p = OCI_JSON_FIELD(at, key);
  yajl_val a = NULL;
  int r = oci_json_get_array(j, at, obj, key, need, &a);
  if (r <= 0)
    return r;
  size_t n = a->u.array.len;
  uint32_t *v = xmalloc0(n * sizeof(*v));
  *out = v;
  *len = n;
  for (size_t i = 0; i < n; i++) {
    struct oci_json_path ip = OCI_JSON_INDEX(&p, i);
    r = oci_json_uint32(j, &ip, a->u.array.values[i], &v[i]);
    if (r < 0 && !j->collect)
      return r;
  }
  return 1;
}

int oci_json_get_string_map(const struct oci_json *j, const struct oci_json_path *at, yajl_val obj,
                            const char *key, enum oci_json_need need, struct oci_kv **out,
                            size_t *len) {
  struct oci_json_path p = OCI_JSON_FIELD(at, key);
  yajl_val m = NULL;
  int r = oci_json_get_object(j, at, obj, key, need, &m);
  if (r <= 0)
    return r;
  struct oci_kv *kv = xmalloc0(m->u.object.len * sizeof(*kv));
  *out = kv;
  *len = 0;
  for (size_t i = 0; i < m->u.object.len; i++) {
    if (oci_json_key_repeated(m, i))
      continue;
    struct oci_json_path kp = OCI_JSON_KEY(&p, m->u.object.keys[i]);
    struct oci_kv *e = &kv[(*len)++];
    e->key = xstrdup(m->u.object.keys[i]);
    r = oci_json_string(j, &kp, m->u.object.values[i], &e->value);
    if (r < 0 && !j->collect)
      return r;
  }
  return 1;
}
