/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of linux.intelRdt (src/lib/intelrdt.c) against a temporary
 * directory laid out like a resctrl mount: the mount found in mountinfo, the
 * rules a config must follow, and what create, exec, update and delete
 * write, make and remove there. A plain directory is not resctrl: it makes
 * no files in a new group and keeps the files written to it, so the tests
 * remove those ("settle") where the kernel's rmdir would take them along.
 * The last line printed is "N passed, M failed". */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "harness.h"
#include "intelrdt.h"
#include "utils.h"

static char *base; /* the test's temporary directory */

static void put(const char *path, const char *text) {
  FILE *f = fopen(path, "w");
  if (f == NULL) {
    perror(path);
    exit(2);
  }
  fputs(text, f);
  fclose(f);
}

static char *slurp(const char *path) {
  char *text = NULL;
  size_t len = 0;
  if (read_file(path, &text, &len, 0, NULL) < 0)
    return NULL;
  return text;
}

static bool exists(const char *path) { return access(path, F_OK) == 0; }

/* A resctrl root at base/NAME: info/L3 and info/MB unless told otherwise,
 * monitoring with the given mon_features ("" for none). */
static char *make_root(const char *name, bool l3, bool mb, const char *mon_features) {
  char *root = xasprintf("%s/%s", base, name);
  mkdir(root, 0755);
  _cleanup_free_ char *info = xasprintf("%s/info", root);
  mkdir(info, 0755);
  _cleanup_free_ char *status = xasprintf("%s/last_cmd_status", info);
  put(status, "ok\n");
  if (l3) {
    _cleanup_free_ char *d = xasprintf("%s/L3", info);
    mkdir(d, 0755);
    _cleanup_free_ char *f = xasprintf("%s/cbm_mask", d);
    put(f, "fff\n");
  }
  if (mb) {
    _cleanup_free_ char *d = xasprintf("%s/MB", info);
    mkdir(d, 0755);
    _cleanup_free_ char *f = xasprintf("%s/min_bandwidth", d);
    put(f, "10\n");
  }
  if (mon_features[0]) {
    _cleanup_free_ char *d = xasprintf("%s/L3_MON", info);
    mkdir(d, 0755);
    _cleanup_free_ char *f = xasprintf("%s/mon_features", d);
    put(f, mon_features);
    _cleanup_free_ char *mg = xasprintf("%s/mon_groups", root);
    mkdir(mg, 0755);
  }
  _cleanup_free_ char *schemata = xasprintf("%s/schemata", root);
  put(schemata, "    L3:0=fff;1=fff\n    MB:0=100;1=100\n");
  _cleanup_free_ char *tasks = xasprintf("%s/tasks", root);
  put(tasks, "1\n");
  return root;
}

/* A group made beforehand, as an administrator would with mkdir. */
static char *make_group(const char *root, const char *name, const char *schemata) {
  char *dir = xasprintf("%s/%s", root, name);
  mkdir(dir, 0755);
  _cleanup_free_ char *s = xasprintf("%s/schemata", dir);
  put(s, schemata);
  _cleanup_free_ char *t = xasprintf("%s/tasks", dir);
  put(t, "");
  _cleanup_free_ char *mg = xasprintf("%s/mon_groups", dir);
  mkdir(mg, 0755);
  return dir;
}

/* What rmdir on resctrl takes along with a group. */
static void settle(const char *dir) {
  _cleanup_free_ char *s = xasprintf("%s/schemata", dir);
  _cleanup_free_ char *t = xasprintf("%s/tasks", dir);
  unlink(s);
  unlink(t);
}

static int state_dir(const char *name) {
  _cleanup_free_ char *d = xasprintf("%s/%s", base, name);
  mkdir(d, 0700);
  return open(d, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
}

/* ---- findings ---------------------------------------------------------- */

struct findings {
  size_t n;
  char *path[16];
  char *msg[16];
};

static void collect(void *opaque, const char *path, const char *msg) {
  struct findings *f = opaque;
  if (f->n < 16) {
    f->path[f->n] = xstrdup(path);
    f->msg[f->n] = xstrdup(msg);
  }
  f->n++;
}

static void findings_free(struct findings *f) {
  for (size_t i = 0; i < f->n && i < 16; i++) {
    free(f->path[i]);
    free(f->msg[i]);
  }
  *f = (struct findings){0};
}

/* Validate and expect exactly one finding at `path` whose message holds
 * `fragment` (path NULL: expect none). */
static void expect(const struct oci_intel_rdt *rdt, const struct husk_rdt_host *host,
                   const char *path, const char *fragment, int line) {
  struct findings f = {0};
  size_t n = husk_rdt_validate(rdt, host, collect, &f);
  bool ok = path ? n == 1 && f.n == 1 && strcmp(f.path[0], path) == 0 &&
                       (fragment == NULL || strstr(f.msg[0], fragment))
                 : n == 0;
  if (ok) {
    passed++;
  } else {
    failed++;
    fprintf(stderr, "FAIL %s:%d: want %s%s%s, got %zu finding(s)\n", __FILE__, line,
            path ? path : "no finding", fragment ? ": " : "", fragment ? fragment : "", n);
    for (size_t i = 0; i < f.n && i < 16; i++)
      fprintf(stderr, "  %s: %s\n", f.path[i], f.msg[i]);
  }
  findings_free(&f);
}
#define EXPECT(rdt, host, path, fragment) expect((rdt), (host), (path), (fragment), __LINE__)

/* ---- tests --------------------------------------------------------------- */

static void test_mountinfo(void) {
  struct husk_rdt_host h = {0};
  husk_rdt_parse_mountinfo(
      "25 30 0:23 / /sys rw,nosuid shared:7 - sysfs sysfs rw\n"
      "33 25 0:28 / /sys/fs/cgroup/cpu rw shared:10 - cgroup cgroup rw,cpu\n"
      "41 25 0:40 / /sys/fs/res\\040ctrl rw,relatime shared:20 - resctrl resctrl rw,mba_MBps\n"
      "42 25 0:41 / /mnt/second rw - resctrl resctrl rw\n",
      &h);
  CHECK_STR(h.root, "/sys/fs/res ctrl");
  CHECK(h.mba_mbps);
  husk_rdt_host_free(&h);
  h = (struct husk_rdt_host){0};
  husk_rdt_parse_mountinfo("41 25 0:40 / /sys/fs/resctrl rw,relatime - resctrl resctrl rw\n", &h);
  CHECK_STR(h.root, "/sys/fs/resctrl");
  CHECK(!h.mba_mbps);
  husk_rdt_host_free(&h);
  h = (struct husk_rdt_host){0};
  husk_rdt_parse_mountinfo("25 30 0:23 / /sys rw - sysfs sysfs rw\n"
                           "26 30 0:24 / /resctrl rw - tmpfs resctrl rw", /* the source */
                           &h);
  CHECK(h.root == NULL);
}

static void test_validate(void) {
  _cleanup_free_ char *root = make_root("v", true, true, "llc_occupancy\n");
  _cleanup_free_ char *bare = make_root("bare", false, false, "");
  struct husk_rdt_host host = {.root = root};
  struct husk_rdt_host bare_host = {.root = bare};
  struct husk_rdt_host none = {0};

  /* No resctrl: the one error names linux.intelRdt and resctrl. */
  struct oci_intel_rdt empty = {0};
  EXPECT(&empty, &none, "linux.intelRdt", "resctrl");
  EXPECT(&empty, &host, NULL, NULL);

  /* closID: a name in the resctrl root, or "/". */
  const char *bad[] = {".", "..", "a/b", "/x", "info", "mon_groups", "mon_data"};
  for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
    struct oci_intel_rdt r = {.clos_id = (char *)bad[i], .l3_cache_schema = "L3:0=f"};
    EXPECT(&r, &host, "linux.intelRdt.closID", "not a resctrl group name");
  }
  struct oci_intel_rdt def = {.clos_id = "/"};
  EXPECT(&def, &host, NULL, NULL);
  struct oci_intel_rdt unset = {.clos_id = "", .l3_cache_schema = "L3:0=f"};
  EXPECT(&unset, &host, NULL, NULL);

  /* What resctrl offers here. */
  struct oci_intel_rdt l3 = {.l3_cache_schema = "L3:0=f"};
  EXPECT(&l3, &bare_host, "linux.intelRdt.l3CacheSchema", "info/L3");
  struct oci_intel_rdt mb = {.mem_bw_schema = "MB:0=50"};
  EXPECT(&mb, &bare_host, "linux.intelRdt.memBwSchema", "info/MB");
  struct husk_rdt_host mbps = {.root = bare, .mba_mbps = true};
  EXPECT(&mb, &mbps, NULL, NULL);
  struct oci_intel_rdt cmt = {.has_enable_cmt = true, .enable_cmt = true};
  EXPECT(&cmt, &host, NULL, NULL);
  EXPECT(&cmt, &bare_host, "linux.intelRdt.enableCMT", "llc_occupancy");
  struct oci_intel_rdt mbm = {.has_enable_mbm = true, .enable_mbm = true};
  EXPECT(&mbm, &host, "linux.intelRdt.enableMBM", "mbm_total_bytes");
  struct oci_intel_rdt mbm_off = {.has_enable_mbm = true, .enable_mbm = false};
  EXPECT(&mbm_off, &bare_host, NULL, NULL);
  struct oci_intel_rdt mon = {.enable_monitoring = true};
  EXPECT(&mon, &host, NULL, NULL);
  EXPECT(&mon, &bare_host, "linux.intelRdt.enableMonitoring", "mon_groups");

  /* One line each. */
  struct oci_intel_rdt nl = {.mem_bw_schema = "MB:0=50\nL3:0=f"};
  EXPECT(&nl, &host, "linux.intelRdt.memBwSchema", "newline");
  char *lines[] = {"L3:0=f", "L2:0=3\nMB:0=5"};
  struct oci_intel_rdt nl2 = {.schemata = lines, .schemata_len = 2};
  EXPECT(&nl2, &host, "linux.intelRdt.schemata[1]", "newline");

  /* A closID with nothing to write must be there. */
  struct oci_intel_rdt missing = {.clos_id = "pre"};
  EXPECT(&missing, &host, "linux.intelRdt.closID", "made beforehand");
  struct oci_intel_rdt to_make = {.clos_id = "pre", .mem_bw_schema = "MB:0=50"};
  EXPECT(&to_make, &host, NULL, NULL);
  _cleanup_free_ char *pre = make_group(root, "pre", "L3:0=fff\n");
  EXPECT(&missing, &host, NULL, NULL);

  /* An existing closID's schemata must be what the config asks for: as
   * the kernel prints them back (padding, leading zeros, case, order). */
  _cleanup_free_ char *shared =
      make_group(root, "shared", "    L3:0=00ff;1=0FFF\n    MB:0=50;1=100\n");
  struct oci_intel_rdt same = {
      .clos_id = "shared", .l3_cache_schema = "L3:1=fff;0=ff", .mem_bw_schema = "MB:0=50"};
  EXPECT(&same, &host, NULL, NULL);
  struct oci_intel_rdt other_l3 = {.clos_id = "shared", .l3_cache_schema = "L3:0=f"};
  EXPECT(&other_l3, &host, "linux.intelRdt.l3CacheSchema", "L3:0=00ff;1=0FFF");
  struct oci_intel_rdt other_mb = {.clos_id = "shared", .mem_bw_schema = "MB:1=60"};
  EXPECT(&other_mb, &host, "linux.intelRdt.memBwSchema", "MB:0=50;1=100");
  char *l2[] = {"MB:1=100", "L2:0=3"};
  struct oci_intel_rdt other_res = {.clos_id = "shared", .schemata = l2, .schemata_len = 2};
  EXPECT(&other_res, &host, "linux.intelRdt.schemata[1]", "no such line");
  /* l3CacheSchema's MB: lines are not the group's: memBwSchema is. */
  struct oci_intel_rdt legacy = {
      .clos_id = "shared", .l3_cache_schema = "L3:0=ff\nMB:0=70", .mem_bw_schema = "MB:0=50"};
  EXPECT(&legacy, &host, NULL, NULL);
  /* "/" compares with the root's. */
  struct oci_intel_rdt root_same = {.clos_id = "/", .l3_cache_schema = "L3:0=fff"};
  EXPECT(&root_same, &host, NULL, NULL);
  struct oci_intel_rdt root_other = {.clos_id = "/", .l3_cache_schema = "L3:0=f"};
  EXPECT(&root_other, &host, "linux.intelRdt.l3CacheSchema", "\"/\"");
}

/* No closID: the container's own group, made, written, joined, updated and
 * removed. */
static void test_own_group(void) {
  _cleanup_free_ char *root = make_root("own", true, true, "mbm_total_bytes\n");
  struct husk_rdt_host host = {.root = root};
  int sd = state_dir("own-state");
  char *lines[] = {"L2:0=3", ""};
  struct oci_intel_rdt rdt = {.l3_cache_schema = "L3:0=f;1=f0\nMB:0=10",
                              .mem_bw_schema = "MB:0=50",
                              .schemata = lines,
                              .schemata_len = 2};
  struct husk_rdt_group g;
  struct husk_error *err = NULL;
  CHECK(husk_rdt_plan(&rdt, "c1", &host, &g, &err) == 0 && err == NULL);
  _cleanup_free_ char *dir = xasprintf("%s/c1", root);
  CHECK_STR(g.dir, dir);
  CHECK(g.own && !g.existed && g.mon_dir == NULL);
  CHECK(!exists(dir)); /* the plan makes nothing */
  CHECK(husk_rdt_make(sd, &g, &err) == 0 && err == NULL);
  CHECK(g.made_dir);
  /* l3CacheSchema without its MB: line, memBwSchema, in one write; then
   * schemata, in a second: the kernel refuses a domain twice in one. */
  _cleanup_free_ char *schemata_path = xasprintf("%s/schemata", dir);
  _cleanup_free_ char *schemata = slurp(schemata_path);
  CHECK_STR(schemata, "L3:0=f;1=f0\nMB:0=50\nL2:0=3\n");
  _cleanup_free_ char *record_path = xasprintf("%s/own-state/intelrdt", base);
  _cleanup_free_ char *record = slurp(record_path);
  _cleanup_free_ char *want_record = xasprintf("root %s\ngroup %s\nname c1\nown 1\n", root, dir);
  CHECK_STR(record, want_record);

  CHECK(husk_rdt_enter(&g, 4242, &err) == 0);
  CHECK(husk_rdt_enter_recorded(sd, 4343, &err) == 0); /* exec */
  _cleanup_free_ char *tasks_path = xasprintf("%s/tasks", dir);
  _cleanup_free_ char *tasks = slurp(tasks_path);
  CHECK_STR(tasks, "4242\n4343\n");

  /* update: one write of what is given. */
  CHECK(husk_rdt_update(sd, &host, "L3:0=3", "MB:0=20", &err) == 0 && err == NULL);
  CHECK(husk_rdt_update(sd, &host, NULL, "MB:0=30", &err) == 0 && err == NULL);
  free(schemata);
  schemata = slurp(schemata_path);
  CHECK_STR(schemata, "L3:0=f;1=f0\nMB:0=50\nL2:0=3\nL3:0=3\nMB:0=20\nMB:0=30\n");
  struct husk_rdt_host bare = {.root = root};
  _cleanup_free_ char *l3info = xasprintf("%s/info/L3/cbm_mask", root);
  _cleanup_free_ char *l3dir = xasprintf("%s/info/L3", root);
  unlink(l3info);
  rmdir(l3dir);
  CHECK(husk_rdt_update(sd, &bare, "L3:0=3", NULL, &err) < 0 && err &&
        strstr(err->msg, "--l3-cache-schema") && strstr(err->msg, "info/L3"));
  husk_error_free(err);
  err = NULL;
  struct husk_rdt_host gone = {0};
  CHECK(husk_rdt_update(sd, &gone, NULL, "MB:0=30", &err) < 0 && err &&
        strstr(err->msg, "--mem-bw-schema") && strstr(err->msg, "resctrl"));
  husk_error_free(err);
  err = NULL;

  /* delete: the group goes. */
  settle(dir);
  CHECK(husk_rdt_remove(sd, &err) == 0 && err == NULL);
  CHECK(!exists(dir));
  CHECK(husk_rdt_remove(sd, &err) == 0); /* again: gone already */
  husk_rdt_group_free(&g);
  close(sd);
}

/* A closID group made beforehand, with a monitoring group for the
 * container: the group is only joined, and stays at delete. */
static void test_shared_group(void) {
  _cleanup_free_ char *root = make_root("shared", true, true, "llc_occupancy\n");
  struct husk_rdt_host host = {.root = root};
  _cleanup_free_ char *dir = make_group(root, "gold", "    L3:0=0f0;1=fff\n");
  int sd = state_dir("shared-state");
  struct oci_intel_rdt rdt = {
      .clos_id = "gold", .l3_cache_schema = "L3:0=f0", .enable_monitoring = true};
  struct husk_rdt_group g;
  struct husk_error *err = NULL;
  CHECK(husk_rdt_plan(&rdt, "c2", &host, &g, &err) == 0 && err == NULL);
  CHECK(!g.own && g.existed);
  _cleanup_free_ char *mon = xasprintf("%s/mon_groups/c2", dir);
  CHECK_STR(g.mon_dir, mon);
  CHECK(husk_rdt_make(sd, &g, &err) == 0 && err == NULL);
  CHECK(!g.made_dir && g.made_mon && exists(mon));
  _cleanup_free_ char *schemata_path = xasprintf("%s/schemata", dir);
  _cleanup_free_ char *schemata = slurp(schemata_path);
  CHECK_STR(schemata, "    L3:0=0f0;1=fff\n"); /* not written */
  CHECK(husk_rdt_enter(&g, 77, &err) == 0);
  _cleanup_free_ char *tasks_path = xasprintf("%s/tasks", dir);
  _cleanup_free_ char *mon_tasks_path = xasprintf("%s/tasks", mon);
  _cleanup_free_ char *tasks = slurp(tasks_path);
  _cleanup_free_ char *mon_tasks = slurp(mon_tasks_path);
  CHECK_STR(tasks, "77\n");
  CHECK_STR(mon_tasks, "77\n");
  settle(mon);
  CHECK(husk_rdt_remove(sd, &err) == 0 && err == NULL);
  CHECK(!exists(mon));
  CHECK(exists(dir));
  husk_rdt_group_free(&g);
  close(sd);
}

/* closID "/": the default group is resctrl's root; only the monitoring
 * group is the container's, and update does not touch the host's
 * schemata. */
static void test_default_group(void) {
  _cleanup_free_ char *root = make_root("default", true, true, "llc_occupancy\n");
  struct husk_rdt_host host = {.root = root};
  int sd = state_dir("default-state");
  struct oci_intel_rdt rdt = {.clos_id = "/", .enable_monitoring = true};
  struct husk_rdt_group g;
  struct husk_error *err = NULL;
  CHECK(husk_rdt_plan(&rdt, "c3", &host, &g, &err) == 0 && err == NULL);
  CHECK_STR(g.dir, root);
  _cleanup_free_ char *mon = xasprintf("%s/mon_groups/c3", root);
  CHECK_STR(g.mon_dir, mon);
  CHECK(husk_rdt_make(sd, &g, &err) == 0 && husk_rdt_enter(&g, 5, &err) == 0 && err == NULL);
  _cleanup_free_ char *tasks_path = xasprintf("%s/tasks", root);
  _cleanup_free_ char *tasks = slurp(tasks_path);
  CHECK_STR(tasks, "1\n5\n");
  CHECK(husk_rdt_update(sd, &host, "L3:0=f", NULL, &err) < 0 && err &&
        strstr(err->msg, "default group"));
  husk_error_free(err);
  err = NULL;
  settle(mon);
  CHECK(husk_rdt_remove(sd, &err) == 0 && err == NULL);
  CHECK(!exists(mon) && exists(tasks_path));
  husk_rdt_group_free(&g);
  close(sd);
}

/* A failed create takes back what it made, and only that. */
static void test_undo(void) {
  _cleanup_free_ char *root = make_root("undo", true, true, "llc_occupancy\n");
  struct husk_rdt_host host = {.root = root};
  struct husk_error *err = NULL;

  /* A new group has no mon_groups here (the kernel would make it): the
   * monitoring group fails, the group made before it goes. */
  int sd = state_dir("undo-state");
  struct oci_intel_rdt mon = {.enable_monitoring = true, .l3_cache_schema = "L3:0=f"};
  struct husk_rdt_group g;
  CHECK(husk_rdt_plan(&mon, "c4", &host, &g, &err) == 0);
  CHECK(husk_rdt_make(sd, &g, &err) < 0 && err &&
        strstr(err->msg, "linux.intelRdt.enableMonitoring") && strstr(err->msg, "mon_groups/c4"));
  husk_error_free(err);
  err = NULL;
  _cleanup_free_ char *dir = xasprintf("%s/c4", root);
  CHECK(g.made_dir && exists(dir));
  husk_rdt_undo(&g);
  CHECK(!exists(dir));
  husk_rdt_group_free(&g);

  /* A closID's group made by this create stays if a task joined it since. */
  struct oci_intel_rdt made = {.clos_id = "fresh", .mem_bw_schema = "MB:0=50"};
  CHECK(husk_rdt_plan(&made, "c5", &host, &g, &err) == 0);
  CHECK(husk_rdt_make(sd, &g, &err) == 0 && g.made_dir);
  _cleanup_free_ char *fresh = xasprintf("%s/fresh", root);
  _cleanup_free_ char *fresh_tasks = xasprintf("%s/tasks", fresh);
  put(fresh_tasks, "900\n");
  husk_rdt_undo(&g);
  CHECK(exists(fresh));
  settle(fresh);
  husk_rdt_undo(&g);
  CHECK(!exists(fresh));
  husk_rdt_group_free(&g);

  /* A group that was there before is left as found. */
  _cleanup_free_ char *kept = make_group(root, "c6", "L3:0=fff\n");
  struct oci_intel_rdt own = {.l3_cache_schema = "L3:0=f"};
  CHECK(husk_rdt_plan(&own, "c6", &host, &g, &err) == 0 && g.existed);
  CHECK(husk_rdt_make(sd, &g, &err) == 0 && !g.made_dir);
  _cleanup_free_ char *kept_schemata = xasprintf("%s/schemata", kept);
  _cleanup_free_ char *text = slurp(kept_schemata);
  CHECK_STR(text, "L3:0=fff\nL3:0=f\n"); /* the container's own: written */
  husk_rdt_undo(&g);
  CHECK(exists(kept));
  husk_rdt_group_free(&g);
  close(sd);
}

/* Without a record: nothing to do at delete and exec, and update says so. */
static void test_no_group(void) {
  _cleanup_free_ char *root = make_root("none", true, true, "");
  struct husk_rdt_host host = {.root = root};
  int sd = state_dir("none-state");
  struct husk_error *err = NULL;
  CHECK(husk_rdt_remove(sd, &err) == 0 && err == NULL);
  CHECK(husk_rdt_enter_recorded(sd, 1234, &err) == 0 && err == NULL);
  CHECK(husk_rdt_update(sd, &host, "L3:0=f", NULL, &err) < 0 && err &&
        strstr(err->msg, "no Intel RDT group"));
  husk_error_free(err);
  err = NULL;
  struct oci_config c = {0};
  struct husk_rdt_group g;
  CHECK(husk_rdt_plan_config(&c, "c7", &g, &err) == 0 && g.dir == NULL);
  CHECK(husk_rdt_make(sd, &g, &err) == 0 && husk_rdt_enter(&g, 1, &err) == 0);
  _cleanup_free_ char *record = xasprintf("%s/none-state/intelrdt", base);
  CHECK(!exists(record));
  close(sd);
}

static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw) {
  (void)st, (void)type, (void)ftw;
  remove(path);
  return 0;
}

int main(void) {
  char tmpl[] = "/tmp/husk-test-intelrdt-XXXXXX";
  if (mkdtemp(tmpl) == NULL) {
    perror("mkdtemp");
    return 2;
  }
  base = tmpl;
  test_mountinfo();
  test_validate();
  test_own_group();
  test_shared_group();
  test_default_group();
  test_undo();
  test_no_group();
  nftw(base, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
  printf("%d passed, %d failed\n", passed, failed);
  return failed ? 1 : 0;
}
