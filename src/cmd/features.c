/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `husk features`: the runtime-spec features document, as this build and
 * this host can honour it (containerd reads it). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <yajl/yajl_gen.h>

#include "annotations.h"
#include "cgroup.h"
#include "cmd.h"
#include "criu-rpc.h"
#include "output.h"
#include "lsm.h"
#include "mempolicy.h"
#include "mountopts.h"
#include "namespaces.h"
#include "seccomp-filter.h"
#include "simple.h"
#include "state.h"
#include "utils.h"

static void str(yajl_gen g, const char *s) { yajl_gen_string(g, (const unsigned char *)s, strlen(s)); }

static void strv(yajl_gen g, const char *key, const char *const *v) {
  str(g, key);
  yajl_gen_array_open(g);
  for (; v && *v; v++)
    str(g, *v);
  yajl_gen_array_close(g);
}

static void boolean(yajl_gen g, const char *key, bool on) {
  str(g, key);
  yajl_gen_bool(g, on);
}

static void enabled(yajl_gen g, const char *key, bool on) {
  str(g, key);
  yajl_gen_map_open(g);
  str(g, "enabled");
  yajl_gen_bool(g, on);
  yajl_gen_map_close(g);
}

static void capabilities(yajl_gen g) {
  _cleanup_free_ char *text = NULL;
  int last = CAP_LAST_CAP;
  if (read_file("/proc/sys/kernel/cap_last_cap", &text, NULL, 64, NULL) == 0)
    last = atoi(text);
  str(g, "capabilities");
  yajl_gen_array_open(g);
  for (int c = 0; c <= last; c++) {
    char *name = cap_to_name(c);
    if (name == NULL)
      continue;
    /* libcap prints "cap_chown": the spec's names are "CAP_CHOWN". */
    char upper[64];
    snprintf(upper, sizeof(upper), "%s", name);
    for (char *p = upper; *p; p++)
      if (*p >= 'a' && *p <= 'z')
        *p = (char)(*p - 'a' + 'A');
    cap_free(name);
    if (strncmp(upper, "CAP_", 4) == 0)
      str(g, upper);
  }
  yajl_gen_array_close(g);
}

static int compare_names(const void *a, const void *b) {
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int cmd_features(struct husk_context *ctx, int argc, char **argv) {
  if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
    cmd_print_help("features");
    return 0;
  }
  if (argc > 1)
    return cmd_usage_error("features", "takes no arguments");
  static const char *const hooks[] = {"prestart",  "createRuntime", "createContainer",
                                      "startContainer", "poststart", "poststop", NULL};
  /* Every kind husk knows, by name, as runc lists them. */
  const char *namespaces[HUSK_NS_KINDS + 1] = {NULL};
  for (int k = 0; k < HUSK_NS_KINDS; k++)
    namespaces[k] = husk_ns_kind_type((enum husk_ns_kind)k);
  qsort(namespaces, HUSK_NS_KINDS, sizeof(namespaces[0]), compare_names);
  enum husk_cgroup_mode mode = husk_cgroup_mode();

  yajl_gen g = yajl_gen_alloc(NULL);
  yajl_gen_config(g, yajl_gen_beautify, 1);
  yajl_gen_config(g, yajl_gen_indent_string, "    ");
  yajl_gen_map_open(g);
  str(g, "ociVersionMin");
  str(g, "1.0.0");
  str(g, "ociVersionMax");
  str(g, HUSK_OCI_VERSION);
  strv(g, "hooks", hooks);
  strv(g, "mountOptions", husk_mount_option_names());
  str(g, "linux");
  yajl_gen_map_open(g);
  strv(g, "namespaces", namespaces);
  capabilities(g);
  str(g, "cgroup");
  yajl_gen_map_open(g);
  str(g, "v1");
  yajl_gen_bool(g, 1);
  str(g, "v2");
  yajl_gen_bool(g, 1);
  /* The systemd driver is built in with libdbus-1 (on cgroup v2 hosts). */
#ifdef HAVE_DBUS
  bool systemd = true;
#else
  bool systemd = false;
#endif
  str(g, "systemd");
  yajl_gen_bool(g, systemd);
  str(g, "systemdUser");
  yajl_gen_bool(g, systemd);
  str(g, "rdma");
  yajl_gen_bool(g, 1);
  yajl_gen_map_close(g);
  str(g, "seccomp");
  yajl_gen_map_open(g);
  str(g, "enabled");
  yajl_gen_bool(g, 1);
  strv(g, "actions", husk_seccomp_known_actions());
  strv(g, "operators", husk_seccomp_known_operators());
  strv(g, "archs", husk_seccomp_known_archs());
  strv(g, "knownFlags", husk_seccomp_known_flags());
  strv(g, "supportedFlags", husk_seccomp_supported_flags());
  yajl_gen_map_close(g);
  enabled(g, "apparmor", husk_apparmor_enabled());
  /* SELinux labels (process.selinuxLabel, linux.mountLabel) are applied
   * where the host has SELinux on, and ignored elsewhere. */
  enabled(g, "selinux", husk_selinux_enabled());
  /* Whether husk implements the fields, not whether this host has resctrl
   * (the runtime-spec's meaning, and runc's). */
  str(g, "intelRdt");
  yajl_gen_map_open(g);
  boolean(g, "enabled", true);
  boolean(g, "schemata", true);
  boolean(g, "monitoring", true);
  yajl_gen_map_close(g);
  str(g, "memoryPolicy");
  yajl_gen_map_open(g);
  strv(g, "modes", husk_mempolicy_mode_names());
  strv(g, "flags", husk_mempolicy_flag_names());
  yajl_gen_map_close(g);
  str(g, "mountExtensions");
  yajl_gen_map_open(g);
  enabled(g, "idmap", true);
  yajl_gen_map_close(g);
  enabled(g, "netDevices", true);
  yajl_gen_map_close(g); /* linux */
  /* The annotations that change what husk does: whoever writes the config
   * controls them, so an engine may want to keep them from its users. */
  static const char *const unsafe[] = {HUSK_ANN_KEEP_ORIGINAL_GROUPS, HUSK_ANN_HOOKS_STDOUT,
                                       HUSK_ANN_HOOKS_STDERR, HUSK_ANN_SECCOMP_FAIL_UNKNOWN,
                                       NULL};
  strv(g, "potentiallyUnsafeConfigAnnotations", unsafe);
  str(g, "annotations");
  yajl_gen_map_open(g);
  str(g, "io.github.husk.version");
  str(g, PACKAGE_VERSION);
  str(g, "io.github.husk.cgroup-mode");
  str(g, mode == HUSK_CGROUP_V2 ? "v2" : mode == HUSK_CGROUP_HYBRID ? "hybrid" : mode == HUSK_CGROUP_V1 ? "v1" : "none");
  /* checkpoint and restore: whether CRIU works here (`criu check`), and
   * why not. */
  struct husk_error *criu_err = NULL;
  bool criu_ok = husk_criu_check(ctx->criu, &criu_err) == 0;
  str(g, "io.github.husk.checkpoint.enabled");
  str(g, criu_ok ? "true" : "false");
  if (!criu_ok) {
    str(g, "io.github.husk.checkpoint.reason");
    str(g, criu_err->msg);
    husk_error_free(criu_err);
  }
  yajl_gen_map_close(g);
  yajl_gen_map_close(g);
  cmd_print_json(g);
  return 0;
}
