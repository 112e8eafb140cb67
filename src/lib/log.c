/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "utils.h"

static int log_fd = -1;
static bool log_json;
static bool log_debug;
static struct timespec phase_mark;
/* HUSK_TEST_PAUSE_AT=PHASE: say so on stderr and wait forever on reaching
 * that phase, so that the crash tests can kill husk there. (Not SIGSTOP: a
 * pid namespace's init cannot stop itself.) Read once; costs nothing unset. */
static const char *pause_at;

int husk_log_init(const char *path, bool json, bool debug) {
  pause_at = getenv("HUSK_TEST_PAUSE_AT");
  log_json = json;
  log_debug = debug;
  if (debug)
    clock_gettime(CLOCK_MONOTONIC, &phase_mark);
  if (path == NULL || path[0] == '\0')
    return 0;
  log_fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log_fd < 0) {
    fprintf(stderr, "husk: open log file %s: %s\n", path, strerror(errno));
    return -errno;
  }
  return 0;
}

bool husk_log_debug_enabled(void) { return log_debug; }

static const char *level_name(enum husk_log_level level) {
  switch (level) {
  case HUSK_LOG_ERROR:
    return "error";
  case HUSK_LOG_WARNING:
    return "warning";
  case HUSK_LOG_INFO:
    return "info";
  default:
    return "debug";
  }
}

/* JSON string escaping for the log message. */
static void append_json_string(FILE *f, const char *s) {
  fputc('"', f);
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    if (*p == '"' || *p == '\\')
      fprintf(f, "\\%c", *p);
    else if (*p == '\n')
      fputs("\\n", f);
    else if (*p < 0x20)
      fprintf(f, "\\u%04x", *p);
    else
      fputc(*p, f);
  }
  fputc('"', f);
}

static void write_log_file(enum husk_log_level level, const char *msg) {
  char ts[64];
  struct timespec now;
  struct tm tm;
  clock_gettime(CLOCK_REALTIME, &now);
  gmtime_r(&now.tv_sec, &tm);
  size_t n = strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
  snprintf(ts + n, sizeof(ts) - n, ".%09ldZ", now.tv_nsec);

  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  if (f == NULL)
    return;
  if (log_json) {
    fprintf(f, "{\"level\":\"%s\",\"msg\":", level_name(level));
    append_json_string(f, msg);
    fprintf(f, ",\"time\":\"%s\"}\n", ts);
  } else {
    fprintf(f, "%s %s: %s\n", ts, level_name(level), msg);
  }
  fclose(f);
  write_all(log_fd, buf, len);
  free(buf);
}

void husk_log(enum husk_log_level level, const char *fmt, ...) {
  if (level == HUSK_LOG_DEBUG && !log_debug)
    return;
  char *msg = NULL;
  va_list ap;
  va_start(ap, fmt);
  int r = vasprintf(&msg, fmt, ap);
  va_end(ap);
  if (r < 0)
    return;
  /* One line each, whatever a config or an argument put in the message. */
  char *line = husk_one_line(msg);
  if (line) {
    free(msg);
    msg = line;
  }
  if (log_fd >= 0)
    write_log_file(level, msg);
  /* Errors always reach stderr too, so a user calling by hand sees them. */
  if (log_fd < 0 || level == HUSK_LOG_ERROR) {
    const char *prefix = level == HUSK_LOG_ERROR     ? ""
                         : level == HUSK_LOG_WARNING ? "warning: "
                                                     : "debug: ";
    fprintf(stderr, "husk: %s%s\n", prefix, msg);
  }
  free(msg);
}

void husk_phase(const char *name) {
  if (pause_at && strcmp(pause_at, name) == 0) {
    fprintf(stderr, "husk: test: paused at %s\n", name);
    for (;;)
      pause();
  }
  if (!log_debug)
    return;
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  double ms = (double)(now.tv_sec - phase_mark.tv_sec) * 1e3 +
              (double)(now.tv_nsec - phase_mark.tv_nsec) / 1e6;
  phase_mark = now;
  husk_log(HUSK_LOG_DEBUG, "phase %s: %.3f ms", name, ms);
}
