/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `husk exec --user UID[:GID]`, `--env KEY=VALUE` and `--cwd` over a
 * container's process, through exec.c's static build_process (included
 * here), which takes the process over from the container's config. */
#include "../../src/lib/exec.c"

static const char base_config[] =
    "{\"ociVersion\":\"1.2.0\",\"process\":{\"args\":[\"sleep\",\"300\"],\"cwd\":\"/\","
    "\"env\":[\"PATH=/bin\",\"HOME=/root\"],\"user\":{\"uid\":1,\"gid\":2,"
    "\"additionalGids\":[3]},\"capabilities\":{\"bounding\":[\"CAP_KILL\"]}}}";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  /* "user\0env\0cwd": each a C string, as argv gives them. */
  char *buf = xmalloc0(size + 3);
  memcpy(buf, data, size);
  const char *user = buf;
  const char *env = user + strlen(user) + 1;
  const char *cwd = env + strlen(env) + 1;

  struct husk_error *err = NULL;
  struct oci_config *c = oci_config_parse(base_config, sizeof(base_config) - 1, "config.json", &err);
  if (c == NULL)
    abort();
  char *args[] = {"sh", NULL};
  char *envs[] = {(char *)env};
  char *caps[] = {"CAP_CHOWN"};
  uint32_t gids[] = {7};
  struct husk_exec_options o = {.args = args, .args_len = 1, .user = user,
                                .env = envs, .env_len = env[0] ? 1 : 0,
                                .cwd = cwd[0] ? cwd : NULL,
                                .caps = caps, .caps_len = size & 1,
                                .additional_gids = gids, .additional_gids_len = (size >> 1) & 1};
  struct oci_process *p = build_process(c, &o, &err);
  if (p == NULL) {
    if (err == NULL || err->msg == NULL)
      abort();
    husk_error_free(err);
  } else {
    if (p->env_len < 2 || p->env[p->env_len] != NULL || p->args_len != 1)
      abort();
    oci_process_free(p);
  }
  oci_config_free(c);
  free(buf);
  return 0;
}
