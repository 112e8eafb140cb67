/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "container.h"
#include "utils.h"

static const struct {
  const char *name;
  int sig;
} signal_table[] = {
    {"HUP", SIGHUP},     {"INT", SIGINT},       {"QUIT", SIGQUIT},   {"ILL", SIGILL},
    {"TRAP", SIGTRAP},   {"ABRT", SIGABRT},     {"IOT", SIGIOT},     {"BUS", SIGBUS},
    {"FPE", SIGFPE},     {"KILL", SIGKILL},     {"USR1", SIGUSR1},   {"SEGV", SIGSEGV},
    {"USR2", SIGUSR2},   {"PIPE", SIGPIPE},     {"ALRM", SIGALRM},   {"TERM", SIGTERM},
    {"CHLD", SIGCHLD},   {"CONT", SIGCONT},     {"STOP", SIGSTOP},   {"TSTP", SIGTSTP},
    {"TTIN", SIGTTIN},   {"TTOU", SIGTTOU},     {"URG", SIGURG},     {"XCPU", SIGXCPU},
    {"XFSZ", SIGXFSZ},   {"VTALRM", SIGVTALRM}, {"PROF", SIGPROF},   {"WINCH", SIGWINCH},
    {"IO", SIGIO},       {"POLL", SIGPOLL},     {"PWR", SIGPWR},     {"SYS", SIGSYS},
#ifdef SIGSTKFLT /* not on mips, sparc or alpha */
    {"STKFLT", SIGSTKFLT},
#endif
};

/* Accepts "9", "KILL", "SIGKILL", "sigkill", "RTMIN+3", "SIGRTMAX-1". */
int husk_parse_signal(const char *s) {
  if (s == NULL || *s == '\0')
    return -1;
  char *end;
  long n = strtol(s, &end, 10);
  if (*end == '\0')
    return n > 0 && n <= SIGRTMAX ? (int)n : -1;
  if (strncasecmp(s, "SIG", 3) == 0)
    s += 3;
  for (size_t i = 0; i < ARRAY_SIZE(signal_table); i++)
    if (strcasecmp(s, signal_table[i].name) == 0)
      return signal_table[i].sig;
  int base = -1;
  if (strncasecmp(s, "RTMIN", 5) == 0)
    base = SIGRTMIN;
  else if (strncasecmp(s, "RTMAX", 5) == 0)
    base = SIGRTMAX;
  if (base < 0)
    return -1;
  s += 5;
  if (*s == '\0')
    return base;
  n = strtol(s, &end, 10);
  if (*end != '\0' || (s[0] != '+' && s[0] != '-') || n < -64 || n > 64)
    return -1;
  long sig = base + n;
  return sig >= SIGRTMIN && sig <= SIGRTMAX ? (int)sig : -1;
}
