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
  e->msg = msg ? msg : strdup("out of memory");
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
