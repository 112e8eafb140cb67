/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of the systemd driver's pure parts: a unit from
 * "slice:prefix:name", the unit properties of linux.resources, and the
 * org.systemd.property.* annotations. Nothing here talks to systemd. The
 * last line printed is "N passed, M failed". */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgroup-resources.h"
#include "cgroup-systemd.h"
#include "error.h"
#include "resources.h"
#include "spec.h"
#include "utils.h"
#include "harness.h"

static void test_unit_parse(void) {
  static const struct {
    const char *spec, *slice, *unit, *path;
  } good[] = {
      {"system.slice:husk:c1", "system.slice", "husk-c1.scope", "/system.slice/husk-c1.scope"},
      {":husk:c1", "system.slice", "husk-c1.scope", "/system.slice/husk-c1.scope"},
      {"machine.slice::abc", "machine.slice", "abc.scope", "/machine.slice/abc.scope"},
      {"kubepods-burstable-pod12.slice:cri-containerd:abc", "kubepods-burstable-pod12.slice",
       "cri-containerd-abc.scope",
       "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod12.slice/cri-containerd-abc.scope"},
      {"-.slice:p:n", "-.slice", "p-n.scope", "/p-n.scope"},
      /* a name that is a slice is a unit of its own, placed by its name */
      {"system.slice:runc:foo-bar.slice", "system.slice", "foo-bar.slice", "/foo.slice/foo-bar.slice"},
  };
  for (size_t i = 0; i < ARRAY_SIZE(good); i++) {
    char *slice = NULL, *unit = NULL, *path = NULL;
    CHECK(husk_systemd_unit_parse(good[i].spec, false, &slice, &unit, &path) == 0);
    CHECK_STR(slice, good[i].slice);
    CHECK_STR(unit, good[i].unit);
    CHECK_STR(path, good[i].path);
    free(slice), free(unit), free(path);
  }
  static const char *const bad[] = {
      "a:b",       "a:b:c:d",         "foo:husk:c1",   "a/b.slice:x:y", "-a.slice:x:y",
      "a--b.slice:x:y", "system.slice:x:", "system.slice:x:-.slice", "system.slice:x/y:z",
      "system.slice:x:y/z",
  };
  for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
    char *slice = NULL, *unit = NULL, *path = NULL;
    int r = husk_systemd_unit_parse(bad[i], false, &slice, &unit, &path);
    CHECK(r == -EINVAL);
    if (r == 0)
      fprintf(stderr, "  accepted: %s -> %s\n", bad[i], path);
    free(slice), free(unit), free(path);
  }
  /* the user's manager: user.slice by default, below user@UID.service */
  char *slice = NULL, *unit = NULL, *path = NULL;
  CHECK(husk_systemd_unit_parse(":podman:c1", true, &slice, &unit, &path) == 0);
  CHECK_STR(slice, "user.slice");
  _cleanup_free_ char *want = xasprintf("/user.slice/user-%u.slice/user@%u.service/user.slice/podman-c1.scope",
                                        (unsigned)geteuid(), (unsigned)geteuid());
  CHECK_STR(path, want);
  free(slice), free(unit), free(path);
}

static const struct husk_unit_prop *find(struct husk_unit_props *p, const char *name) {
  return husk_unit_props_find(p, name);
}

static bool has_u64(struct husk_unit_props *p, const char *name, uint64_t v) {
  const struct husk_unit_prop *prop = find(p, name);
  if (prop == NULL || prop->type != HUSK_PROP_U64 || prop->u != v) {
    fprintf(stderr, "  %s: %s %llu, want %llu\n", name, prop ? "is" : "missing",
            prop ? (unsigned long long)prop->u : 0ULL, (unsigned long long)v);
    return false;
  }
  return true;
}

static struct oci_resources *resources(const char *json) {
  struct husk_error *err = NULL;
  struct oci_resources *r = oci_resources_parse(json, strlen(json), "r.json", &err);
  if (r == NULL)
    fprintf(stderr, "  %s: %s\n", json, err ? err->msg : "?");
  husk_error_free(err);
  return r;
}

static void test_resource_props(void) {
  struct oci_resources *r = resources(
      "{\"memory\": {\"limit\": 67108864, \"reservation\": 33554432, \"swap\": 134217728},"
      " \"pids\": {\"limit\": 32}, \"cpu\": {\"shares\": 1024, \"quota\": 50000, \"period\": 100000,"
      " \"cpus\": \"0-3,9\", \"mems\": \"0\"}, \"blockIO\": {\"weight\": 500}}");
  struct husk_unit_props p = {0};
  struct husk_error *err = NULL;
  CHECK(r && husk_systemd_resource_props(r, false, &p, &err) == 0);
  CHECK(has_u64(&p, "MemoryMax", 67108864));
  CHECK(has_u64(&p, "MemoryLow", 33554432));
  CHECK(has_u64(&p, "MemorySwapMax", 67108864)); /* swap is memory + swap in OCI */
  CHECK(has_u64(&p, "TasksMax", 32));
  CHECK(has_u64(&p, "CPUWeight", 100));
  CHECK(has_u64(&p, "CPUQuotaPerSecUSec", 500000));
  CHECK(has_u64(&p, "CPUQuotaPeriodUSec", 100000));
  CHECK(has_u64(&p, "IOWeight", husk_blkio_weight_to_io_weight(500)));
  const struct husk_unit_prop *cpus = find(&p, "AllowedCPUs");
  CHECK(cpus && cpus->type == HUSK_PROP_BYTES && cpus->n == 2 && cpus->bytes[0] == 0x0f &&
        cpus->bytes[1] == 0x02);
  const struct husk_unit_prop *mems = find(&p, "AllowedMemoryNodes");
  CHECK(mems && mems->n == 1 && mems->bytes[0] == 0x01);
  CHECK(find(&p, "DevicePolicy") == NULL); /* not asked for */
  husk_unit_props_clear(&p);
  oci_resources_free(r);

  /* -1 is systemd's infinity; a quota systemd cannot hold is rounded up
   * to the next 1% (runc's rule) */
  r = resources("{\"memory\": {\"limit\": -1}, \"pids\": {\"limit\": -1},"
                " \"cpu\": {\"quota\": 12345, \"period\": 100000}}");
  CHECK(r && husk_systemd_resource_props(r, false, &p, &err) == 0);
  CHECK(has_u64(&p, "MemoryMax", UINT64_MAX));
  CHECK(has_u64(&p, "TasksMax", UINT64_MAX));
  CHECK(has_u64(&p, "CPUQuotaPerSecUSec", 130000));
  husk_unit_props_clear(&p);
  oci_resources_free(r);

  /* unified keys systemd has properties for */
  r = resources("{\"unified\": {\"memory.high\": \"max\", \"memory.min\": \"1048576\","
                " \"cpu.max\": \"20000 100000\", \"pids.max\": \"7\", \"io.max\": \"8:0 rbps=1\"}}");
  CHECK(r && husk_systemd_resource_props(r, false, &p, &err) == 0);
  CHECK(has_u64(&p, "MemoryHigh", UINT64_MAX));
  CHECK(has_u64(&p, "MemoryMin", 1048576));
  CHECK(has_u64(&p, "CPUQuotaPerSecUSec", 200000));
  CHECK(has_u64(&p, "TasksMax", 7));
  husk_unit_props_clear(&p);
  oci_resources_free(r);

  r = resources("{\"unified\": {\"memory.max\": \"lots\"}}");
  CHECK(r && husk_systemd_resource_props(r, false, &p, &err) < 0);
  CHECK(err && strstr(err->msg, "linux.resources.unified[\"memory.max\"]") && strstr(err->msg, "lots"));
  husk_error_free(err);
  err = NULL;
  husk_unit_props_clear(&p);
  oci_resources_free(r);

  /* devices: the default rules are an allow list systemd can hold */
  CHECK(husk_systemd_resource_props(NULL, true, &p, &err) == 0);
  const struct husk_unit_prop *policy = find(&p, "DevicePolicy");
  CHECK(policy && strcmp(policy->s, "strict") == 0);
  const struct husk_unit_prop *allow = find(&p, "DeviceAllow");
  bool null_dev = false, pts = false;
  for (size_t i = 0; allow && i < allow->n; i++) {
    null_dev |= strcmp(allow->pairs[2 * i], "/dev/char/1:3") == 0 && strcmp(allow->pairs[2 * i + 1], "rwm") == 0;
    pts |= strcmp(allow->pairs[2 * i], "char-pts") == 0;
  }
  CHECK(null_dev);
  CHECK(pts);
  husk_unit_props_clear(&p);

  /* allow everything: systemd's policy stays out of the way */
  r = resources("{\"devices\": [{\"allow\": true, \"access\": \"rwm\"}]}");
  CHECK(r && husk_systemd_resource_props(r, true, &p, &err) == 0);
  policy = find(&p, "DevicePolicy");
  CHECK(policy && strcmp(policy->s, "auto") == 0);
  husk_unit_props_clear(&p);
  oci_resources_free(r);
}

static struct oci_config *config_with(const char *annotations) {
  _cleanup_free_ char *json = xasprintf(
      "{\"ociVersion\": \"1.0.2\", \"root\": {\"path\": \"rootfs\"},"
      " \"process\": {\"cwd\": \"/\", \"args\": [\"true\"]}, \"annotations\": %s}",
      annotations);
  struct husk_error *err = NULL;
  struct oci_config *c = oci_config_parse(json, strlen(json), "config.json", &err);
  if (c == NULL)
    fprintf(stderr, "  %s\n", err ? err->msg : "?");
  husk_error_free(err);
  return c;
}

static void test_annotations(void) {
  struct oci_config *c = config_with(
      "{\"org.systemd.property.TimeoutStopUSec\": \"uint64 123456789\","
      " \"org.systemd.property.CollectMode\": \"'inactive-or-failed'\","
      " \"org.systemd.property.TimeoutStartSec\": \"10\","
      " \"org.systemd.property.CPUWeight\": \"@t 50\","
      " \"org.systemd.property.SendSIGKILL\": \"false\","
      " \"other\": \"x\"}");
  struct husk_unit_props p = {0};
  struct husk_error *err = NULL;
  CHECK(c && husk_systemd_annotation_props(c, &p, &err) == 0);
  CHECK(p.n == 5);
  CHECK(has_u64(&p, "TimeoutStopUSec", 123456789));
  const struct husk_unit_prop *mode = find(&p, "CollectMode");
  CHECK(mode && mode->type == HUSK_PROP_STRING && strcmp(mode->s, "inactive-or-failed") == 0);
  CHECK(has_u64(&p, "TimeoutStartUSec", 10000000)); /* ...Sec is seconds, as runc */
  CHECK(has_u64(&p, "CPUWeight", 50));
  const struct husk_unit_prop *kill = find(&p, "SendSIGKILL");
  CHECK(kill && kill->type == HUSK_PROP_BOOL && !kill->b);
  husk_unit_props_clear(&p);
  oci_config_free(c);

  static const struct {
    const char *annotations, *fragment;
  } bad[] = {
      {"{\"org.systemd.property.Foo1\": \"1\"}", "is not a systemd property name"},
      {"{\"org.systemd.property.MemoryMax\": \"lots\"}", "GVariant"},
      {"{\"org.systemd.property.TimeoutStopSec\": \"'soon'\"}", "not a number of seconds"},
      {"{\"org.systemd.property.Nice\": \"int32 99999999999\"}", "GVariant"},
  };
  for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
    c = config_with(bad[i].annotations);
    err = NULL;
    CHECK(c && husk_systemd_annotation_props(c, &p, &err) < 0);
    CHECK(err && strstr(err->msg, bad[i].fragment) && strstr(err->msg, "annotations[\"org.systemd.property."));
    if (err && !strstr(err->msg, bad[i].fragment))
      fprintf(stderr, "  message: %s\n", err->msg);
    husk_error_free(err);
    husk_unit_props_clear(&p);
    oci_config_free(c);
  }
}

int main(void) {
  test_unit_parse();
  test_resource_props();
  test_annotations();
  printf("%d passed, %d failed\n", passed, failed);
  return failed ? 1 : 0;
}
