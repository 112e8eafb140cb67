/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Compiled, never run (tests/check-linux-abi.sh, with each compiler it
 * finds): the fallbacks of src/lib/linux-abi.h against the values this
 * target's own headers give. The real values are taken first, the macros
 * then removed, so that linux-abi.h must supply them itself. */
#include <fcntl.h>
#include <linux/nsfs.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/pidfd.h>
#include <sys/syscall.h>
#include <unistd.h>

#define REAL(name) enum { real_##name = (name) };
#define NAMES(X)                                                                                   \
  X(SYS_pidfd_send_signal)                                                                         \
  X(SYS_open_tree)                                                                                 \
  X(SYS_move_mount)                                                                                \
  X(SYS_fsopen)                                                                                    \
  X(SYS_fsconfig)                                                                                  \
  X(SYS_fsmount)                                                                                   \
  X(SYS_pidfd_open)                                                                                \
  X(SYS_clone3)                                                                                    \
  X(SYS_close_range)                                                                               \
  X(SYS_openat2)                                                                                   \
  X(SYS_mount_setattr)                                                                             \
  X(PIDFD_NONBLOCK)                                                                                \
  X(NS_GET_NSTYPE)                                                                                 \
  X(TIOCGPTPEER)                                                                                   \
  X(OPEN_TREE_CLOEXEC)                                                                             \
  X(CLOSE_RANGE_CLOEXEC)                                                                           \
  X(AT_RECURSIVE)                                                                                  \
  X(CLONE_PIDFD)                                                                                   \
  X(CLONE_NEWTIME)
NAMES(REAL)

#undef SYS_pidfd_send_signal
#undef SYS_open_tree
#undef SYS_move_mount
#undef SYS_fsopen
#undef SYS_fsconfig
#undef SYS_fsmount
#undef SYS_pidfd_open
#undef SYS_clone3
#undef SYS_close_range
#undef SYS_openat2
#undef SYS_mount_setattr
#undef PIDFD_NONBLOCK
#undef NS_GET_NSTYPE
#undef TIOCGPTPEER
#undef OPEN_TREE_CLOEXEC
#undef CLOSE_RANGE_CLOEXEC
#undef AT_RECURSIVE
#undef CLONE_PIDFD
#undef CLONE_NEWTIME

#include "linux-abi.h"

#define SAME(name)                                                                                 \
  _Static_assert((name) == real_##name,                                      \
                 #name ": linux-abi.h's fallback differs from this target's headers");
NAMES(SAME)
