/* SPDX-License-Identifier: GPL-2.0-or-later */
/* linux.seccomp: the filter of the OCI config, built with libseccomp.
 *
 * Two steps, because the filter must be built (and, for SCMP_ACT_NOTIFY, the
 * listener socket connected) while the host's filesystem is still visible,
 * but loaded as late as possible:
 *
 *   husk_seccomp_prepare()  in the init before pivot_root (or in the runtime
 *                           before the init is cloned: the prepared filter
 *                           and its socket are inherited). Every config error
 *                           surfaces here, at create, naming its JSON path.
 *   husk_seccomp_load()     in the init, after everything else that needs a
 *                           syscall the filter may deny:
 *                            - process.noNewPrivileges true: after the user,
 *                              the capabilities and PR_SET_NO_NEW_PRIVS, as
 *                              the last step before telling the parent READY;
 *                            - noNewPrivileges false: loading needs
 *                              CAP_SYS_ADMIN, so call it before the
 *                              capabilities are dropped (as runc does); the
 *                              user and capability changes then run under
 *                              the filter.
 *                           The library never sets no_new_privs itself.
 *
 * With SCMP_ACT_NOTIFY the load step sends the notify fd to listenerPath with
 * SCM_RIGHTS, together with the "container process state" JSON of the
 * runtime spec. It uses sendmsg() to do so, which is why a config may not
 * give sendmsg the NOTIFY action (nobody could answer it yet).
 *
 * (Not named seccomp.h: with -Isrc/lib that would hide libseccomp's
 * <seccomp.h> from every file that includes it.) */
#ifndef HUSK_SECCOMP_FILTER_H
#define HUSK_SECCOMP_FILTER_H

#include <stdbool.h>
#include <sys/types.h>

#include "error.h"
#include "spec.h"

/* A prepared filter (and the listener connection when NOTIFY is used). */
struct husk_seccomp;

/* Build the filter from the config and validate all of it: actions,
 * operators, flags, architectures, errnoRet values, listenerPath. Connects to
 * listenerPath when a rule uses SCMP_ACT_NOTIFY. `s` may be NULL: *out is
 * set to NULL and 0 returned. */
int husk_seccomp_prepare(const struct oci_seccomp *s, struct husk_seccomp **out,
                         struct husk_error **err);

/* Load the filter into the calling thread (see above for when). `f` may be
 * NULL (no-op). For NOTIFY, send the notify fd to the listener with the
 * container process state: `state_json` is the OCI state object (ociVersion,
 * id, status "creating", pid, bundle, annotations) as text, `host_pid` the
 * init's pid as the host sees it. `state_json` may be NULL: a minimal state
 * is sent then. Closes the notify fd and the listener socket afterwards. */
int husk_seccomp_load(struct husk_seccomp *f, const char *state_json, pid_t host_pid,
                      struct husk_error **err);

void husk_seccomp_free(struct husk_seccomp *f);

/* Whether libseccomp knows syscall `name` on the native architecture or on
 * one the filter lists. Others are skipped, as runc and crun skip them. */
bool husk_seccomp_syscall_known(const struct oci_seccomp *s, const char *name);

static inline void husk_seccomp_freep(struct husk_seccomp **f) { husk_seccomp_free(*f); }
#define _cleanup_seccomp_ __attribute__((cleanup(husk_seccomp_freep)))

/* For `husk features`: NULL-terminated lists of the names husk accepts. */
const char *const *husk_seccomp_known_actions(void);
const char *const *husk_seccomp_known_operators(void);
/* Only the architectures this libseccomp knows. */
const char *const *husk_seccomp_known_archs(void);
/* linux.seccomp.flags husk knows, and those this libseccomp and kernel can
 * apply (features.json "knownFlags" and "supportedFlags"). */
const char *const *husk_seccomp_known_flags(void);
const char *const *husk_seccomp_supported_flags(void);

#endif
