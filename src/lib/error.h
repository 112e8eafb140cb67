/* SPDX-License-Identifier: GPL-2.0-or-later */
/* One error type for the whole runtime: a message and the errno behind it.
 *
 * Functions return 0 or a negative errno and fill `*err` with a message that
 * says what failed on which path. The CLI prints it once, as one line. */
#ifndef HUSK_ERROR_H
#define HUSK_ERROR_H

#include <stdarg.h>

struct husk_error {
  int errno_; /* 0 when the failure is not a system error */
  char *msg;
};

/* Set *err (when err is non-NULL and not already set) to the formatted message.
 * When errno_ is non-zero ": strerror(errno_)" is appended. Returns -errno_
 * (or -EINVAL when errno_ is 0) so that callers can `return husk_fail(...)`. */
int husk_fail(struct husk_error **err, int errno_, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Prefix an existing error's message with more context ("create: " ...). */
void husk_error_prefix(struct husk_error **err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

void husk_error_free(struct husk_error *err);

static inline void husk_error_freep(struct husk_error **e) {
  if (*e)
    husk_error_free(*e);
}
#define _cleanup_error_ __attribute__((cleanup(husk_error_freep)))

#endif
