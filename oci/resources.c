/* SPDX-License-Identifier: GPL-2.0-or-later */
/* linux.resources alone, parsed by the config parser: the object is checked
 * to be one complete JSON object, then read as the resources of a minimal
 * config, so that every check and error path is the config's own. */
#include "resources.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <yajl/yajl_tree.h>

#include "error.h"
#include "utils.h"

static const char prefix[] = "{\"ociVersion\":\"1.0.0\",\"linux\":{\"resources\":";
static const char suffix[] = "}}";

struct oci_resources *oci_resources_parse(const char *json, size_t len, const char *name,
                                          struct husk_error **err) {
  if (memchr(json, '\0', len) != NULL) {
    husk_fail(err, 0, "%s: invalid JSON: a NUL byte", name);
    return NULL;
  }
  /* One complete object and nothing after it, so that wrapping it below
   * cannot change what it means. */
  if (oci_json_check_object(json, len, name, err) < 0)
    return NULL;
  _cleanup_free_ char *text = xmalloc0(len + 1);
  memcpy(text, json, len);
  size_t wlen = sizeof(prefix) - 1 + len + sizeof(suffix) - 1;
  _cleanup_free_ char *wrapped = xmalloc0(wlen + 1);
  snprintf(wrapped, wlen + 1, "%s%s%s", prefix, text, suffix);
  struct oci_config *config = oci_config_parse(wrapped, wlen, name, err);
  if (config == NULL)
    return NULL;
  struct oci_resources *r = config->linux_->resources;
  config->linux_->resources = NULL;
  oci_config_free(config);
  return r;
}

struct oci_resources *oci_resources_load(const char *path, struct husk_error **err) {
  _cleanup_free_ char *text = NULL;
  size_t len = 0;
  if (strcmp(path, "-") == 0) {
    if (read_file("/dev/stdin", &text, &len, 16 << 20, err) < 0)
      return NULL;
    return oci_resources_parse(text, len, "standard input", err);
  }
  if (read_file(path, &text, &len, 16 << 20, err) < 0)
    return NULL;
  const char *base = strrchr(path, '/');
  return oci_resources_parse(text, len, base && base[1] ? base + 1 : path, err);
}

void oci_resources_free(struct oci_resources *r) {
  if (r == NULL)
    return;
  /* The config's free knows every field. */
  struct oci_config *config = xmalloc0(sizeof(*config));
  config->linux_ = xmalloc0(sizeof(*config->linux_));
  config->linux_->resources = r;
  oci_config_free(config);
}
