/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Small helpers used everywhere: cleanup attributes, file I/O, strings. */
#ifndef HUSK_UTILS_H
#define HUSK_UTILS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <sys/types.h>
#include <unistd.h>

#include "error.h"

static inline void freep(void *p) { free(*(void **)p); }
static inline void closep(int *fd) {
  if (*fd >= 0)
    close(*fd);
}
#define _cleanup_free_ __attribute__((cleanup(freep)))
#define _cleanup_close_ __attribute__((cleanup(closep)))

/* Return the value and leave the variable in a state its cleanup ignores. */
#define steal_pointer(pp) ({ __typeof__(*(pp)) _p = *(pp); *(pp) = NULL; _p; })
#define steal_fd(fdp) ({ int _fd = *(fdp); *(fdp) = -1; _fd; })

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

void *xmalloc0(size_t n);  /* calloc that aborts on OOM */
char *xstrdup(const char *s);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Read a whole file (at most `max` bytes; 0 = no limit). NUL-terminated. */
int read_file(const char *path, char **out, size_t *len, size_t max, struct husk_error **err);
int read_file_at(int dirfd, const char *path, char **out, size_t *len, size_t max,
                 struct husk_error **err);
/* Read a file that must be a regular file: a fifo or a device (that could
 * block or never end) is refused at once, and so is a file above `max`. */
int read_regular_file(const char *path, char **out, size_t *len, size_t max,
                      struct husk_error **err);
/* Write a whole buffer to an fd, retrying on EINTR and short writes. */
int write_all(int fd, const void *buf, size_t len);
/* Write a file atomically: write a temporary in the same directory, fsync-free rename. */
int write_file_atomic_at(int dirfd, const char *name, const char *data, size_t len, mode_t mode,
                         struct husk_error **err);
/* Write a string to an existing file (sysctl, /proc files). */
int write_file_at(int dirfd, const char *path, const char *data, size_t len, struct husk_error **err);

bool str_has_prefix(const char *s, const char *prefix);
bool str_has_suffix(const char *s, const char *suffix);
/* Create every missing directory of `path` (absolute, host side). */
int mkdir_p(const char *path, mode_t mode, struct husk_error **err);

/* Whether this process runs in a user namespace other than the host's (its
 * uid_map is not the identity over every id): root there is not root. */
bool husk_in_user_namespace(void);

#endif
