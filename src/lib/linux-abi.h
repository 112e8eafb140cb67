/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The kernel interfaces husk calls beyond what every C library declares:
 * syscall numbers, the structs and flags of the newer calls, ioctls.
 *
 * The C library's and the kernel's headers are the source. A fallback here
 * only fills in what older headers lack, and only where its value is the
 * same on every architecture or follows from one the headers give (a
 * syscall's table base, O_CLOEXEC, _IO()). What differs per architecture
 * and cannot be derived stops the build with #error: never a guess.
 *
 * Include this instead of defining any of these in a .c file. */
#ifndef HUSK_LINUX_ABI_H
#define HUSK_LINUX_ABI_H

#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/mempolicy.h>
#include <linux/sched.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>
#if __has_include(<linux/nsfs.h>)
#include <linux/nsfs.h>
#endif
#if __has_include(<linux/openat2.h>)
#include <linux/openat2.h>
#endif
#if __has_include(<linux/ioprio.h>)
#include <linux/ioprio.h>
#endif

/* ---- Syscall numbers ------------------------------------------------- */

/* Before 424 each architecture numbers its syscalls its own way: these come
 * from <sys/syscall.h> or not at all. All are in Linux 3.19. */
#if !defined(SYS_bpf) || !defined(SYS_clone) || !defined(SYS_execveat) ||                      \
    !defined(SYS_ioprio_set) || !defined(SYS_keyctl) || !defined(SYS_memfd_create) ||            \
    !defined(SYS_pivot_root) || !defined(SYS_sched_setattr) || !defined(SYS_seccomp) ||          \
    !defined(SYS_set_mempolicy)
#error "<sys/syscall.h> lacks one of bpf, clone, execveat, ioprio_set, keyctl, memfd_create, pivot_root, sched_setattr, seccomp, set_mempolicy: their numbers differ per architecture, so husk has no fallback; build with C library headers that know Linux 3.19"
#endif

/* From 424 on (Linux 5.1) every architecture gives a new syscall the same
 * number, counted from the base of its table: 0 on most, 110 on alpha,
 * 1024 on ia64, __NR_Linux on mips (o32 4000, n64 5000, n32 6000) and
 * __X32_SYSCALL_BIT on x32. So these have fallbacks where the base is known. */
#if defined(__alpha__)
#define HUSK_SYSCALL_BASE 110
#elif defined(__ia64__)
#define HUSK_SYSCALL_BASE 1024
#elif defined(__mips__)
#define HUSK_SYSCALL_BASE __NR_Linux
#elif defined(__x86_64__) && defined(__ILP32__)
#define HUSK_SYSCALL_BASE __X32_SYSCALL_BIT
#elif defined(__x86_64__) || defined(__i386__) || defined(__aarch64__) ||                        \
    (defined(__arm__) && defined(__ARM_EABI__)) || defined(__powerpc__) || defined(__s390__) ||    \
    defined(__riscv) || defined(__loongarch__) || defined(__hppa__) || defined(__m68k__) ||        \
    defined(__sh__) || defined(__sparc__)
#define HUSK_SYSCALL_BASE 0
#endif

#if !defined(SYS_pidfd_send_signal) || !defined(SYS_open_tree) || !defined(SYS_move_mount) ||   \
    !defined(SYS_fsopen) || !defined(SYS_fsconfig) || !defined(SYS_fsmount) ||                    \
    !defined(SYS_pidfd_open) || !defined(SYS_clone3) || !defined(SYS_close_range) ||              \
    !defined(SYS_openat2) || !defined(SYS_mount_setattr)
#ifndef HUSK_SYSCALL_BASE
#error "<sys/syscall.h> lacks syscalls of Linux 5.1-5.12 and husk does not know where this architecture's syscall table starts: build with newer C library headers, or add the architecture to HUSK_SYSCALL_BASE in src/lib/linux-abi.h"
#endif
#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal (HUSK_SYSCALL_BASE + 424)
#endif
#ifndef SYS_open_tree
#define SYS_open_tree (HUSK_SYSCALL_BASE + 428)
#endif
#ifndef SYS_move_mount
#define SYS_move_mount (HUSK_SYSCALL_BASE + 429)
#endif
#ifndef SYS_fsopen
#define SYS_fsopen (HUSK_SYSCALL_BASE + 430)
#endif
#ifndef SYS_fsconfig
#define SYS_fsconfig (HUSK_SYSCALL_BASE + 431)
#endif
#ifndef SYS_fsmount
#define SYS_fsmount (HUSK_SYSCALL_BASE + 432)
#endif
#ifndef SYS_pidfd_open
#define SYS_pidfd_open (HUSK_SYSCALL_BASE + 434)
#endif
/* An architecture without clone3 has the slot too: the kernel says ENOSYS,
 * and husk falls back to clone. */
#ifndef SYS_clone3
#define SYS_clone3 (HUSK_SYSCALL_BASE + 435)
#endif
#ifndef SYS_close_range
#define SYS_close_range (HUSK_SYSCALL_BASE + 436)
#endif
#ifndef SYS_openat2
#define SYS_openat2 (HUSK_SYSCALL_BASE + 437)
#endif
#ifndef SYS_mount_setattr
#define SYS_mount_setattr (HUSK_SYSCALL_BASE + 442)
#endif
#endif

/* Where the headers have the numbers themselves, they prove the rule above
 * on every build of a known architecture. */
#ifdef HUSK_SYSCALL_BASE
_Static_assert(SYS_pidfd_send_signal == HUSK_SYSCALL_BASE + 424 &&
                   SYS_open_tree == HUSK_SYSCALL_BASE + 428 &&
                   SYS_move_mount == HUSK_SYSCALL_BASE + 429 &&
                   SYS_fsopen == HUSK_SYSCALL_BASE + 430 && SYS_fsconfig == HUSK_SYSCALL_BASE + 431 &&
                   SYS_fsmount == HUSK_SYSCALL_BASE + 432 &&
                   SYS_pidfd_open == HUSK_SYSCALL_BASE + 434 &&
                   SYS_clone3 == HUSK_SYSCALL_BASE + 435 &&
                   SYS_close_range == HUSK_SYSCALL_BASE + 436 &&
                   SYS_openat2 == HUSK_SYSCALL_BASE + 437 &&
                   SYS_mount_setattr == HUSK_SYSCALL_BASE + 442,
               "a syscall number of <sys/syscall.h> breaks the shared numbering from 424 on: "
               "HUSK_SYSCALL_BASE in linux-abi.h is wrong for this architecture");
#endif

/* ---- clone, clone3 --------------------------------------------------- */

#ifndef CLONE_PIDFD
#define CLONE_PIDFD 0x00001000
#endif
#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif
#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL
#endif

/* struct clone_args as of Linux 5.7 (with .cgroup); <linux/sched.h> has it
 * from 5.3 on, and with .cgroup from 5.7. */
#if !defined(CLONE_ARGS_SIZE_VER0)
struct clone_args {
  uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
  uint64_t set_tid, set_tid_size;
  uint64_t cgroup;
};
#define CLONE_ARGS_SIZE_VER0 64
#define CLONE_ARGS_SIZE_VER1 80
#define CLONE_ARGS_SIZE_VER2 88
#elif !defined(CLONE_ARGS_SIZE_VER2)
#error "<linux/sched.h> is from Linux 5.3-5.6: its struct clone_args has no .cgroup; build with kernel headers of Linux 5.7 or later"
#endif

/* clone(2) with no new stack: a fork() that takes flags. The raw syscall's
 * arguments are (flags, stack, ...) except on s390, which takes the stack
 * first; the remaining three are 0 here, so their order elsewhere does not
 * matter. */
static inline pid_t husk_clone_flags(unsigned long flags) {
#if defined(__s390__) || defined(__CRIS__)
  return (pid_t)syscall(SYS_clone, 0UL, flags, 0UL, 0UL, 0UL);
#else
  return (pid_t)syscall(SYS_clone, flags, 0UL, 0UL, 0UL, 0UL);
#endif
}

/* ---- pidfd, close_range ---------------------------------------------- */

/* The kernel defines it as O_NONBLOCK, whose value differs per architecture. */
#ifndef PIDFD_NONBLOCK
#define PIDFD_NONBLOCK O_NONBLOCK
#endif
#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

/* ---- The new mount API (Linux 5.2; mount_setattr 5.12) ----------------- */

/* glibc 2.36's <sys/mount.h> has all of it (and includes <linux/mount.h>);
 * <linux/mount.h> itself is not included: with an older <sys/mount.h> the
 * two clash. */
#ifndef OPEN_TREE_CLONE
#define OPEN_TREE_CLONE 1
#endif
#ifndef OPEN_TREE_CLOEXEC
#define OPEN_TREE_CLOEXEC O_CLOEXEC
#endif
#ifndef MOVE_MOUNT_F_EMPTY_PATH
#define MOVE_MOUNT_F_EMPTY_PATH 0x00000004
#endif
#ifndef MOVE_MOUNT_T_EMPTY_PATH
#define MOVE_MOUNT_T_EMPTY_PATH 0x00000040
#endif
#ifndef FSMOUNT_CLOEXEC
#define FSMOUNT_CLOEXEC 0x00000001
#endif
/* Both headers define the enum together with FSOPEN_CLOEXEC. */
#ifndef FSOPEN_CLOEXEC
#define FSOPEN_CLOEXEC 0x00000001
enum fsconfig_command {
  FSCONFIG_SET_FLAG = 0,
  FSCONFIG_SET_STRING = 1,
  FSCONFIG_SET_BINARY = 2,
  FSCONFIG_SET_PATH = 3,
  FSCONFIG_SET_PATH_EMPTY = 4,
  FSCONFIG_SET_FD = 5,
  FSCONFIG_CMD_CREATE = 6,
  FSCONFIG_CMD_RECONFIGURE = 7,
};
#endif
#ifndef MOUNT_ATTR_RDONLY
#define MOUNT_ATTR_RDONLY 0x00000001
#define MOUNT_ATTR_NOSUID 0x00000002
#define MOUNT_ATTR_NODEV 0x00000004
#define MOUNT_ATTR_NOEXEC 0x00000008
#define MOUNT_ATTR__ATIME 0x00000070
#define MOUNT_ATTR_RELATIME 0x00000000
#define MOUNT_ATTR_NOATIME 0x00000010
#define MOUNT_ATTR_STRICTATIME 0x00000020
#define MOUNT_ATTR_NODIRATIME 0x00000080
#endif
#ifndef MOUNT_ATTR_IDMAP
#define MOUNT_ATTR_IDMAP 0x00100000
#endif
#ifndef MOUNT_ATTR_NOSYMFOLLOW
#define MOUNT_ATTR_NOSYMFOLLOW 0x00200000
#endif
#ifndef MOUNT_ATTR_SIZE_VER0
struct mount_attr {
  uint64_t attr_set, attr_clr, propagation, userns_fd;
};
#define MOUNT_ATTR_SIZE_VER0 32
#endif
#ifndef MS_NOSYMFOLLOW
#define MS_NOSYMFOLLOW 256
#endif
#ifndef AT_RECURSIVE
#define AT_RECURSIVE 0x8000
#endif

/* ---- openat2 (Linux 5.6) --------------------------------------------- */

#ifndef RESOLVE_IN_ROOT
struct open_how {
  uint64_t flags, mode, resolve;
};
#define RESOLVE_NO_XDEV 0x01
#define RESOLVE_NO_MAGICLINKS 0x02
#define RESOLVE_NO_SYMLINKS 0x04
#define RESOLVE_BENEATH 0x08
#define RESOLVE_IN_ROOT 0x10
#endif

/* ---- ioctls ---------------------------------------------------------- */

/* _IO() encodes the direction bits of each architecture (ppc64el and
 * mips64el differ from x86), so these are never spelled as numbers. */
#ifndef NS_GET_NSTYPE
#define NS_GET_NSTYPE _IO(0xb7, 0x3)
#endif
#ifndef TIOCGPTPEER
#if defined(__sparc__)
#error "<sys/ioctl.h> lacks TIOCGPTPEER, whose number differs on sparc: build with kernel headers of Linux 4.13 or later"
#endif
#define TIOCGPTPEER _IO('T', 0x41)
#endif

/* ---- Scheduling: sched_setattr, ioprio_set ----------------------------- */

/* struct sched_attr: glibc 2.41's <sched.h> has it (from
 * <linux/sched/types.h>). That header cannot be included here with an older
 * glibc: its struct sched_param clashes with <sched.h>'s. The first 48
 * bytes are all husk sets. */
#ifndef SCHED_ATTR_SIZE_VER0
struct sched_attr {
  uint32_t size;
  uint32_t sched_policy;
  uint64_t sched_flags;
  int32_t sched_nice;
  uint32_t sched_priority;
  uint64_t sched_runtime, sched_deadline, sched_period;
};
#define SCHED_ATTR_SIZE_VER0 48
#endif
#ifndef SCHED_DEADLINE
#define SCHED_DEADLINE 6
#endif
#ifndef SCHED_FLAG_RESET_ON_FORK
#define SCHED_FLAG_RESET_ON_FORK 0x01
#define SCHED_FLAG_RECLAIM 0x02
#define SCHED_FLAG_DL_OVERRUN 0x04
#endif
#ifndef SCHED_FLAG_KEEP_POLICY
#define SCHED_FLAG_KEEP_POLICY 0x08
#define SCHED_FLAG_KEEP_PARAMS 0x10
#define SCHED_FLAG_UTIL_CLAMP_MIN 0x20
#define SCHED_FLAG_UTIL_CLAMP_MAX 0x40
#endif

/* <linux/ioprio.h> is in the uapi from Linux 6.0 on; its classes and
 * "who" values are enums, so the macro beside them tells they are there. */
#ifndef IOPRIO_CLASS_SHIFT
#define IOPRIO_CLASS_SHIFT 13
#define IOPRIO_PRIO_VALUE(class, data) (((class) << IOPRIO_CLASS_SHIFT) | (data))
enum { IOPRIO_CLASS_NONE, IOPRIO_CLASS_RT, IOPRIO_CLASS_BE, IOPRIO_CLASS_IDLE };
enum { IOPRIO_WHO_PROCESS = 1, IOPRIO_WHO_PGRP, IOPRIO_WHO_USER };
#endif

/* ---- Memory policy: set_mempolicy ------------------------------------ */

/* <linux/mempolicy.h> lists the modes as an enum, which no #ifdef can test,
 * and headers before Linux 6.9 lack MPOL_WEIGHTED_INTERLEAVE: so the modes
 * under husk's own names, with the kernel's values. */
enum {
  HUSK_MPOL_DEFAULT = 0,
  HUSK_MPOL_PREFERRED = 1,
  HUSK_MPOL_BIND = 2,
  HUSK_MPOL_INTERLEAVE = 3,
  HUSK_MPOL_LOCAL = 4,
  HUSK_MPOL_PREFERRED_MANY = 5,
  HUSK_MPOL_WEIGHTED_INTERLEAVE = 6,
};
#ifndef MPOL_F_NUMA_BALANCING
#define MPOL_F_NUMA_BALANCING (1 << 13)
#endif

/* ---- seccomp, bpf ---------------------------------------------------- */

#ifndef SECCOMP_FILTER_FLAG_NEW_LISTENER
#define SECCOMP_FILTER_FLAG_NEW_LISTENER (1UL << 3)
#endif
#ifndef SECCOMP_FILTER_FLAG_TSYNC_ESRCH
#define SECCOMP_FILTER_FLAG_TSYNC_ESRCH (1UL << 4)
#endif
#ifndef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (1UL << 5)
#endif
#ifndef BPF_F_REPLACE
#define BPF_F_REPLACE (1U << 2)
#endif

#endif
