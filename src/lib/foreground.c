/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "foreground.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "utils.h"

static void copy_window_size(int from, int to) {
  struct winsize ws;
  if (ioctl(from, TIOCGWINSZ, &ws) == 0)
    ioctl(to, TIOCSWINSZ, &ws);
}

/* Move what is readable from one fd to another; false at EOF or error. */
static bool pump(int from, int to) {
  char buf[8192];
  ssize_t n = read(from, buf, sizeof(buf));
  if (n < 0 && (errno == EINTR || errno == EAGAIN))
    return true;
  if (n <= 0)
    return false;
  return write_all(to, buf, (size_t)n) == 0;
}

int husk_foreground_wait(pid_t pid, int pidfd, int pty_master) {
  sigset_t mask, old;
  sigfillset(&mask);
  sigdelset(&mask, SIGSEGV);
  sigdelset(&mask, SIGBUS);
  sigdelset(&mask, SIGFPE);
  sigdelset(&mask, SIGILL);
  sigprocmask(SIG_BLOCK, &mask, &old);
  _cleanup_close_ int sfd = signalfd(-1, &mask, SFD_CLOEXEC);

  struct termios saved;
  bool raw = false;
  if (pty_master >= 0 && isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &saved) == 0) {
    struct termios t = saved;
    cfmakeraw(&t);
    raw = tcsetattr(STDIN_FILENO, TCSANOW, &t) == 0;
    copy_window_size(STDIN_FILENO, pty_master);
  }
  bool stdin_open = pty_master >= 0, master_open = pty_master >= 0;

  int status = 0;
  for (;;) {
    pid_t w = waitpid(pid, &status, WNOHANG);
    if (w == pid || (w < 0 && errno != EINTR))
      break;
    struct pollfd fds[4] = {
        {.fd = sfd, .events = POLLIN},
        {.fd = pidfd, .events = POLLIN},
        {.fd = stdin_open ? STDIN_FILENO : -1, .events = POLLIN},
        {.fd = master_open ? pty_master : -1, .events = POLLIN},
    };
    /* Without a pidfd (Linux < 5.3) SIGCHLD through the signalfd wakes us. */
    if (poll(fds, 4, sfd < 0 ? 10 : -1) < 0 && errno != EINTR)
      break;
    struct signalfd_siginfo si;
    if ((fds[0].revents & POLLIN) && read(sfd, &si, sizeof(si)) == sizeof(si)) {
      if (si.ssi_signo == SIGWINCH && pty_master >= 0)
        copy_window_size(STDIN_FILENO, pty_master);
      else if (si.ssi_signo != SIGCHLD)
        kill(pid, (int)si.ssi_signo);
    }
    if (fds[2].revents & (POLLIN | POLLHUP | POLLERR)) {
      if (!pump(STDIN_FILENO, pty_master)) {
        stdin_open = false;
        /* The end of our input is an end-of-file for a canonical-mode tty. */
        write_all(pty_master, "\x04", 1);
      }
    }
    if (fds[3].revents & (POLLIN | POLLHUP | POLLERR))
      master_open = pump(pty_master, STDOUT_FILENO);
  }
  /* Output still in the pty after the process ended. */
  while (master_open) {
    struct pollfd p = {.fd = pty_master, .events = POLLIN};
    if (poll(&p, 1, 0) <= 0 || !pump(pty_master, STDOUT_FILENO))
      break;
  }
  if (raw)
    tcsetattr(STDIN_FILENO, TCSANOW, &saved);
  sigprocmask(SIG_SETMASK, &old, NULL);
  if (WIFSIGNALED(status))
    return 128 + WTERMSIG(status);
  return WEXITSTATUS(status);
}
