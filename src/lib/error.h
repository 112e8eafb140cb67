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

/* The longest message kept whole. Values from a config or the command line
 * can be of any length: a longer message keeps its start and its end (where
 * the reason is) and says how much of the middle was left out. */
#define HUSK_ERROR_MAX 1024

/* `s` as one line of at most about HUSK_ERROR_MAX bytes: control characters
 * written as \n, \t, \r, \xNN, and the middle of a longer text left out.
 * malloc'd; NULL when out of memory. */
char *husk_one_line(const char *s);

/* Set *err (when err is non-NULL and not already set) to the formatted message,
 * made one line by husk_one_line(). When errno_ is non-zero ": strerror(errno_)"
 * is appended first. Returns -errno_ (or -EINVAL when errno_ is 0) so that
 * callers can `return husk_fail(...)`. */
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
