/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Diagnostics: errors and warnings to stderr as one line each, and to the
 * --log file in text or JSON (the {"level","msg","time"} lines containerd and
 * podman read). --debug adds debug lines, including per-phase timings. */
#ifndef HUSK_LOG_H
#define HUSK_LOG_H

#include <stdbool.h>

enum husk_log_level { HUSK_LOG_ERROR, HUSK_LOG_WARNING, HUSK_LOG_INFO, HUSK_LOG_DEBUG };

/* Configure from the global flags. `path` may be NULL (stderr only). */
int husk_log_init(const char *path, bool json, bool debug);
bool husk_log_debug_enabled(void);

void husk_log(enum husk_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#define husk_error_log(...) husk_log(HUSK_LOG_ERROR, __VA_ARGS__)
#define husk_warn(...) husk_log(HUSK_LOG_WARNING, __VA_ARGS__)
#define husk_debug(...)                                                                            \
  do {                                                                                             \
    if (husk_log_debug_enabled())                                                                  \
      husk_log(HUSK_LOG_DEBUG, __VA_ARGS__);                                                       \
  } while (0)

/* Phase timing for --debug: husk_phase("mounts") logs the time since the
 * previous phase mark. */
void husk_phase(const char *name);

#endif
