/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "error.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *vformat(const char *fmt, va_list ap) {
  char *s = NULL;
  if (vasprintf(&s, fmt, ap) < 0)
    return NULL;
  return s;
}

/* Bytes of a long message kept before and after what is left out. */
#define KEEP_HEAD (HUSK_ERROR_MAX * 2 / 3)
#define KEEP_TAIL (HUSK_ERROR_MAX / 4)

/* Where a cut at `n` may go: not inside a UTF-8 sequence. */
static size_t char_start(const char *s, size_t n) {
  while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
    n--;
  return n;
}

char *husk_one_line(const char *s) {
  size_t len = strlen(s), head = len, tail = len;
  if (len > HUSK_ERROR_MAX) {
    head = char_start(s, KEEP_HEAD);
    tail = char_start(s, len - KEEP_TAIL);
  }
  char *buf = NULL;
  size_t size = 0;
  FILE *f = open_memstream(&buf, &size);
  if (f == NULL)
    return NULL;
  for (size_t i = 0; i < len; i++) {
    if (i == head && head < tail) {
      fprintf(f, "...(%zu bytes left out)...", tail - head);
      i = tail;
    }
    unsigned char c = (unsigned char)s[i];
    if (c == '\n')
      fputs("\\n", f);
    else if (c == '\t')
      fputs("\\t", f);
    else if (c == '\r')
      fputs("\\r", f);
    else if (c < 0x20 || c == 0x7f)
      fprintf(f, "\\x%02x", c);
    else
      fputc(c, f);
  }
  if (fclose(f) != 0) {
    free(buf);
    return NULL;
  }
  return buf;
}

int husk_fail(struct husk_error **err, int errno_, const char *fmt, ...) {
  int ret = errno_ > 0 ? -errno_ : -EINVAL;
  if (err == NULL || *err != NULL)
    return ret;
  va_list ap;
  va_start(ap, fmt);
  char *msg = vformat(fmt, ap);
  va_end(ap);
  struct husk_error *e = calloc(1, sizeof(*e));
  if (e == NULL) {
    free(msg);
    return ret;
  }
  e->errno_ = errno_ > 0 ? errno_ : 0;
  if (msg && errno_ > 0) {
    char *full = NULL;
    if (asprintf(&full, "%s: %s", msg, strerror(errno_)) >= 0) {
      free(msg);
      msg = full;
    }
  }
  char *line = msg ? husk_one_line(msg) : NULL;
  free(msg);
  e->msg = line ? line : strdup("out of memory");
  *err = e;
  return ret;
}

void husk_error_prefix(struct husk_error **err, const char *fmt, ...) {
  if (err == NULL || *err == NULL)
    return;
  va_list ap;
  va_start(ap, fmt);
  char *prefix = vformat(fmt, ap);
  va_end(ap);
  char *full = NULL;
  if (prefix && asprintf(&full, "%s%s", prefix, (*err)->msg) >= 0) {
    free((*err)->msg);
    (*err)->msg = full;
  }
  free(prefix);
}

void husk_error_free(struct husk_error *err) {
  if (err == NULL)
    return;
  free(err->msg);
  free(err);
}
