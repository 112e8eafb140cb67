/* SPDX-License-Identifier: GPL-2.0-or-later */
/* linux.intelRdt in resctrl: finding the mount, the rules a config must
 * follow, the container's group from create to delete, and update. */
#include "intelrdt.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "utils.h"

#define RECORD "intelrdt"

/* ---- the mount ------------------------------------------------------------ */

/* A mountinfo field with its \ooo escapes (space, tab, newline, \) undone. */
static char *unescape_field(const char *s, size_t len) {
  char *out = xmalloc0(len + 1);
  size_t o = 0;
  for (size_t i = 0; i < len; i++) {
    if (s[i] == '\\' && i + 3 < len && s[i + 1] >= '0' && s[i + 1] <= '3' && s[i + 2] >= '0' &&
        s[i + 2] <= '7' && s[i + 3] >= '0' && s[i + 3] <= '7') {
      out[o++] = (char)((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0'));
      i += 3;
    } else {
      out[o++] = s[i];
    }
  }
  return out;
}

/* The n-th space-separated field of a line (0-based): start and length. */
static const char *field(const char *line, size_t end, int n, size_t *len) {
  size_t i = 0;
  for (int k = 0;; k++) {
    while (i < end && line[i] == ' ')
      i++;
    size_t start = i;
    while (i < end && line[i] != ' ')
      i++;
    if (start == i)
      return NULL;
    if (k == n) {
      *len = i - start;
      return line + start;
    }
  }
}

/* "36 25 0:40 / /sys/fs/resctrl rw,relatime shared:20 - resctrl resctrl rw,mba_MBps" */
void husk_rdt_parse_mountinfo(const char *text, struct husk_rdt_host *host) {
  for (const char *line = text; line && *line;) {
    const char *nl = strchr(line, '\n');
    size_t end = nl ? (size_t)(nl - line) : strlen(line);
    const char *sep = memmem(line, end, " - ", 3);
    size_t len;
    if (sep) {
      size_t rest_end = end - (size_t)(sep + 3 - line);
      const char *fstype = field(sep + 3, rest_end, 0, &len);
      if (fstype && len == strlen("resctrl") && memcmp(fstype, "resctrl", len) == 0) {
        const char *mnt = field(line, (size_t)(sep - line), 4, &len);
        if (mnt) {
          host->root = unescape_field(mnt, len);
          size_t olen = 0;
          const char *opts = field(sep + 3, rest_end, 2, &olen);
          _cleanup_free_ char *o = opts ? xasprintf(",%.*s,", (int)olen, opts) : NULL;
          host->mba_mbps = o && strstr(o, ",mba_MBps,") != NULL;
          return;
        }
      }
    }
    line = nl ? nl + 1 : NULL;
  }
}

void husk_rdt_host_find(struct husk_rdt_host *host) {
  *host = (struct husk_rdt_host){0};
  _cleanup_free_ char *text = NULL;
  size_t len = 0;
  if (read_file("/proc/self/mountinfo", &text, &len, 0, NULL) == 0)
    husk_rdt_parse_mountinfo(text, host);
}

void husk_rdt_host_free(struct husk_rdt_host *host) {
  free(host->root);
  host->root = NULL;
}

/* Whether the kernel has resctrl at all, mounted or not. */
static bool kernel_has_resctrl(void) {
  _cleanup_free_ char *text = NULL;
  size_t len = 0;
  return read_file("/proc/filesystems", &text, &len, 0, NULL) == 0 && strstr(text, "\tresctrl\n");
}

static bool exists_in(const char *root, const char *rel) {
  _cleanup_free_ char *p = xasprintf("%s/%s", root, rel);
  return access(p, F_OK) == 0;
}

static bool is_dir(const char *path) {
  struct stat st;
  return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Whether info/L3_MON/mon_features lists one of the events (NULL-ended). */
static bool has_mon_feature(const char *root, const char *const *events) {
  _cleanup_free_ char *path = xasprintf("%s/info/L3_MON/mon_features", root);
  _cleanup_free_ char *text = NULL;
  size_t len = 0;
  if (read_file(path, &text, &len, 0, NULL) < 0)
    return false;
  for (char *save = NULL, *tok = strtok_r(text, "\n", &save); tok;
       tok = strtok_r(NULL, "\n", &save))
    for (size_t i = 0; events[i]; i++)
      if (strcmp(tok, events[i]) == 0)
        return true;
  return false;
}

/* ---- schemata lines ------------------------------------------------------- */

static bool empty(const char *s) { return s == NULL || s[0] == '\0'; }

/* s[0..len) without the spaces around it. */
static void trim(const char **s, size_t *len) {
  while (*len && isspace((unsigned char)**s))
    (*s)++, (*len)--;
  while (*len && isspace((unsigned char)(*s)[*len - 1]))
    (*len)--;
}

/* A domain's value as the kernel would print it back: hex masks and
 * percentages alike lose their leading zeros and their case. */
static char *normal_value(const char *s, size_t len) {
  trim(&s, &len);
  while (len > 1 && s[0] == '0')
    s++, len--;
  char *out = xasprintf("%.*s", (int)len, s);
  for (char *p = out; *p; p++)
    *p = (char)tolower((unsigned char)*p);
  return out;
}

/* The line of `file` (the schemata file's text) for resource `res`. */
static bool find_line(const char *file, const char *res, size_t res_len, const char **line,
                      size_t *line_len) {
  for (const char *l = file; l && *l;) {
    const char *nl = strchr(l, '\n');
    size_t len = nl ? (size_t)(nl - l) : strlen(l);
    const char *colon = memchr(l, ':', len);
    if (colon) {
      const char *name = l;
      size_t name_len = (size_t)(colon - l);
      trim(&name, &name_len);
      if (name_len == res_len && memcmp(name, res, res_len) == 0) {
        *line = l;
        *line_len = len;
        return true;
      }
    }
    l = nl ? nl + 1 : NULL;
  }
  return false;
}

/* One part of a schemata line's "id=val;id=val", with the id trimmed;
 * moves *doms past it. false once there is none left. */
struct domain {
  const char *id, *val; /* val: NULL in a part without '=' */
  size_t id_len, val_len;
};

static bool next_domain(const char **doms, size_t *len, struct domain *d) {
  if (*len == 0)
    return false;
  const char *semi = memchr(*doms, ';', *len);
  size_t part = semi ? (size_t)(semi - *doms) : *len;
  const char *eq = memchr(*doms, '=', part);
  d->id = *doms;
  d->id_len = eq ? (size_t)(eq - *doms) : part;
  d->val = eq ? eq + 1 : NULL;
  d->val_len = eq ? part - (size_t)(eq + 1 - *doms) : 0;
  trim(&d->id, &d->id_len);
  *doms += semi ? part + 1 : part;
  *len -= semi ? part + 1 : part;
  return true;
}

/* The value of domain `id` in "id=val;id=val", normalized; NULL if absent. */
static char *domain_value(const char *doms, size_t len, const char *id, size_t id_len) {
  struct domain d;
  while (next_domain(&doms, &len, &d))
    if (d.val && d.id_len == id_len && memcmp(d.id, id, id_len) == 0)
      return normal_value(d.val, d.val_len);
  return NULL;
}

/* Whether writing `want` (one "RES:id=val;..." line) would change nothing
 * in a group whose schemata file reads `file`. *have: the file's line for
 * that resource (malloc'd, trimmed), or NULL. */
static bool line_agrees(const char *file, const char *want, size_t want_len, char **have) {
  *have = NULL;
  trim(&want, &want_len);
  const char *colon = memchr(want, ':', want_len);
  if (colon == NULL)
    return false;
  const char *res = want;
  size_t res_len = (size_t)(colon - want);
  trim(&res, &res_len);
  const char *line;
  size_t line_len;
  if (!find_line(file, res, res_len, &line, &line_len))
    return false;
  const char *t = line;
  size_t t_len = line_len;
  trim(&t, &t_len);
  *have = xasprintf("%.*s", (int)t_len, t);
  const char *cur = memchr(line, ':', line_len) + 1;
  size_t cur_len = line_len - (size_t)(cur - line);
  const char *doms = colon + 1;
  size_t len = want_len - (size_t)(doms - want);
  struct domain d;
  while (next_domain(&doms, &len, &d)) {
    if (d.val == NULL) {
      if (d.id_len) /* a part that is not id=val */
        return false;
      continue;
    }
    _cleanup_free_ char *w = normal_value(d.val, d.val_len);
    _cleanup_free_ char *h = domain_value(cur, cur_len, d.id, d.id_len);
    if (h == NULL || strcmp(h, w) != 0)
      return false;
  }
  return true;
}

/* Lines of l3CacheSchema that are written: not its MB: lines (the
 * runtime-spec takes MB from memBwSchema), not empty ones. Calls fn for
 * each; stops when it returns false. */
static void each_l3_line(const char *l3, bool (*fn)(void *, const char *, size_t), void *opaque) {
  for (const char *l = l3; l && *l;) {
    const char *nl = strchr(l, '\n');
    size_t len = nl ? (size_t)(nl - l) : strlen(l);
    const char *t = l;
    size_t tl = len;
    trim(&t, &tl);
    if (tl && !(tl >= 3 && memcmp(t, "MB:", 3) == 0) && !fn(opaque, l, len))
      return;
    l = nl ? nl + 1 : NULL;
  }
}

static bool append_line(void *opaque, const char *s, size_t len) {
  char **text = opaque;
  char *n = xasprintf("%s%.*s\n", *text ? *text : "", (int)len, s);
  free(*text);
  *text = n;
  return true;
}

/* ---- validation ----------------------------------------------------------- */

struct report {
  husk_rdt_report_fn fn;
  void *opaque;
  size_t n;
};

static void problem(struct report *r, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void problem(struct report *r, const char *path, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  char *msg = NULL;
  if (vasprintf(&msg, fmt, ap) < 0)
    msg = NULL;
  va_end(ap);
  r->n++;
  r->fn(r->opaque, path, msg ? msg : "out of memory");
  free(msg);
}

static bool clos_is_default(const char *clos) { return clos && strcmp(clos, "/") == 0; }

/* What the closID names: "" for none, else a valid name or "/". */
static bool clos_name_ok(const char *clos) {
  if (empty(clos) || clos_is_default(clos))
    return true;
  return strcmp(clos, ".") != 0 && strcmp(clos, "..") != 0 && strchr(clos, '/') == NULL &&
         strcmp(clos, "info") != 0 && strcmp(clos, "mon_groups") != 0 &&
         strcmp(clos, "mon_data") != 0;
}

static bool asks_schemata(const struct oci_intel_rdt *rdt) {
  for (size_t i = 0; i < rdt->schemata_len; i++)
    if (!empty(rdt->schemata[i]))
      return true;
  return false;
}

struct compare {
  struct report *r;
  const char *file, *dir, *name;
};

static bool compare_l3(void *opaque, const char *line, size_t len) {
  struct compare *c = opaque;
  _cleanup_free_ char *have = NULL;
  if (!line_agrees(c->file, line, len, &have)) {
    problem(c->r, "linux.intelRdt.l3CacheSchema",
            "the resctrl group \"%s\" exists with %s%s%s in %s/schemata, not \"%.*s\": a "
            "shared group's schemata must be what the container asks for",
            c->name, have ? "\"" : "no such line", have ? have : "", have ? "\"" : "", c->dir,
            (int)len, line);
    return false;
  }
  return true;
}

/* A closID group that exists: what the config writes must be there. */
static void compare_existing(struct report *r, const struct oci_intel_rdt *rdt, const char *dir,
                             const char *name) {
  _cleanup_free_ char *path = xasprintf("%s/schemata", dir);
  _cleanup_free_ char *file = NULL;
  size_t len = 0;
  struct husk_error *e = NULL;
  if (read_file(path, &file, &len, 0, &e) < 0) {
    problem(r, "linux.intelRdt.closID", "%s", e->msg);
    husk_error_free(e);
    return;
  }
  struct compare c = {r, file, dir, name};
  each_l3_line(rdt->l3_cache_schema, compare_l3, &c);
  /* memBwSchema, then each line of schemata. */
  for (size_t i = 0; i <= rdt->schemata_len; i++) {
    const char *want = i == 0 ? rdt->mem_bw_schema : rdt->schemata[i - 1];
    if (empty(want))
      continue;
    _cleanup_free_ char *at = i == 0 ? xstrdup("linux.intelRdt.memBwSchema")
                                     : xasprintf("linux.intelRdt.schemata[%zu]", i - 1);
    _cleanup_free_ char *have = NULL;
    if (!line_agrees(file, want, strlen(want), &have))
      problem(r, at,
              "the resctrl group \"%s\" exists with %s%s%s in %s/schemata, not \"%s\": a "
              "shared group's schemata must be what the container asks for",
              name, have ? "\"" : "no such line", have ? have : "", have ? "\"" : "", dir, want);
  }
}

size_t husk_rdt_validate(const struct oci_intel_rdt *rdt, const struct husk_rdt_host *host,
                         husk_rdt_report_fn fn, void *opaque) {
  struct report r = {fn, opaque, 0};
  const char *clos = rdt->clos_id;
  if (!clos_name_ok(clos))
    problem(&r, "linux.intelRdt.closID",
            "\"%s\" is not a resctrl group name: it names a group in the resctrl root, so no "
            "\"/\", \".\", \"..\", \"info\", \"mon_groups\" or \"mon_data\" (\"/\" alone is the "
            "default group)",
            clos);
  if (rdt->mem_bw_schema && strchr(rdt->mem_bw_schema, '\n'))
    problem(&r, "linux.intelRdt.memBwSchema", "one MB: line, without newlines");
  for (size_t i = 0; i < rdt->schemata_len; i++)
    if (rdt->schemata[i] && strchr(rdt->schemata[i], '\n')) {
      _cleanup_free_ char *at = xasprintf("linux.intelRdt.schemata[%zu]", i);
      problem(&r, at, "one line of the schemata file each, without newlines");
    }

  const char *root = host ? host->root : NULL;
  if (root == NULL) {
    if (kernel_has_resctrl())
      problem(&r, "linux.intelRdt",
              "the resctrl filesystem is not mounted, and Intel RDT needs it (mount -t "
              "resctrl resctrl /sys/fs/resctrl)");
    else
      problem(&r, "linux.intelRdt",
              "this host has no resctrl filesystem (the CPU or the kernel has no Intel RDT or "
              "AMD QoS), and the runtime-spec says a container that asks for it must fail");
    return r.n;
  }
  if (!empty(rdt->l3_cache_schema) && !exists_in(root, "info/L3"))
    problem(&r, "linux.intelRdt.l3CacheSchema",
            "resctrl has no L3 cache allocation on this host (no %s/info/L3)", root);
  if (!empty(rdt->mem_bw_schema) && !host->mba_mbps && !exists_in(root, "info/MB"))
    problem(&r, "linux.intelRdt.memBwSchema",
            "resctrl has no memory bandwidth allocation on this host (no %s/info/MB)", root);
  static const char *const cmt[] = {"llc_occupancy", NULL};
  static const char *const mbm[] = {"mbm_total_bytes", "mbm_local_bytes", NULL};
  if (rdt->has_enable_cmt && rdt->enable_cmt && !has_mon_feature(root, cmt))
    problem(&r, "linux.intelRdt.enableCMT",
            "resctrl has no cache occupancy monitoring on this host (no llc_occupancy in "
            "%s/info/L3_MON/mon_features)",
            root);
  if (rdt->has_enable_mbm && rdt->enable_mbm && !has_mon_feature(root, mbm))
    problem(&r, "linux.intelRdt.enableMBM",
            "resctrl has no memory bandwidth monitoring on this host (no mbm_total_bytes or "
            "mbm_local_bytes in %s/info/L3_MON/mon_features)",
            root);
  if (rdt->enable_monitoring && !exists_in(root, "mon_groups"))
    problem(&r, "linux.intelRdt.enableMonitoring",
            "resctrl has no monitoring on this host (no %s/mon_groups)", root);

  if (!empty(clos) && clos_name_ok(clos)) {
    _cleanup_free_ char *dir =
        clos_is_default(clos) ? xstrdup(root) : xasprintf("%s/%s", root, clos);
    bool writes = !empty(rdt->l3_cache_schema) || !empty(rdt->mem_bw_schema) || asks_schemata(rdt);
    if (is_dir(dir))
      compare_existing(&r, rdt, dir, clos);
    else if (!writes)
      problem(&r, "linux.intelRdt.closID",
              "there is no resctrl group %s: with no l3CacheSchema, memBwSchema or schemata "
              "to write, the group of a closID must be made beforehand",
              dir);
  }
  return r.n;
}

/* ---- create --------------------------------------------------------------- */

struct first {
  char *path, *msg;
};

static void keep_first(void *opaque, const char *path, const char *msg) {
  struct first *f = opaque;
  if (f->path)
    return;
  f->path = xstrdup(path);
  f->msg = xstrdup(msg);
}

int husk_rdt_plan(const struct oci_intel_rdt *rdt, const char *id, const struct husk_rdt_host *host,
                  struct husk_rdt_group *g, struct husk_error **err) {
  *g = (struct husk_rdt_group){0};
  struct first f = {0};
  if (husk_rdt_validate(rdt, host, keep_first, &f) > 0) {
    husk_fail(err, 0, "%s: %s", f.path, f.msg);
    free(f.path);
    free(f.msg);
    return -EINVAL;
  }
  const char *clos = rdt->clos_id;
  g->root = xstrdup(host->root);
  g->own = empty(clos);
  g->name = xstrdup(g->own ? id : clos);
  g->dir = clos_is_default(clos) ? xstrdup(host->root) : xasprintf("%s/%s", host->root, g->name);
  g->existed = is_dir(g->dir);
  if (rdt->enable_monitoring)
    g->mon_dir = xasprintf("%s/mon_groups/%s", g->dir, id);
  each_l3_line(rdt->l3_cache_schema, append_line, &g->schemas);
  if (!empty(rdt->mem_bw_schema))
    append_line(&g->schemas, rdt->mem_bw_schema, strlen(rdt->mem_bw_schema));
  for (size_t i = 0; i < rdt->schemata_len; i++)
    if (!empty(rdt->schemata[i]))
      append_line(&g->schemata, rdt->schemata[i], strlen(rdt->schemata[i]));
  return 0;
}

int husk_rdt_plan_config(const struct oci_config *c, const char *id, struct husk_rdt_group *g,
                         struct husk_error **err) {
  *g = (struct husk_rdt_group){0};
  if (c->linux_ == NULL || c->linux_->intel_rdt == NULL)
    return 0;
  struct husk_rdt_host host;
  husk_rdt_host_find(&host);
  int r = husk_rdt_plan(c->linux_->intel_rdt, id, &host, g, err);
  husk_rdt_host_free(&host);
  return r;
}

/* Append `text` to a resctrl file. O_CREAT and O_APPEND change nothing on
 * resctrl, whose files come with their group and take each write whole; on
 * a plain directory standing in for it (the unit tests) they keep every
 * write, in order. */
static int append_to(const char *dir, const char *file, const char *text) {
  _cleanup_free_ char *path = xasprintf("%s/%s", dir, file);
  _cleanup_close_ int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
  if (fd < 0)
    return -errno;
  return write_all(fd, text, strlen(text));
}

/* What resctrl said about the last write it refused, as " (resctrl: ...)". */
static char *last_cmd_status(const char *root) {
  if (root == NULL)
    return xstrdup("");
  _cleanup_free_ char *path = xasprintf("%s/info/last_cmd_status", root);
  _cleanup_free_ char *text = NULL;
  size_t len = 0;
  if (read_file(path, &text, &len, 4096, NULL) < 0)
    return xstrdup("");
  while (len && isspace((unsigned char)text[len - 1]))
    text[--len] = '\0';
  if (len == 0 || strcmp(text, "ok") == 0)
    return xstrdup("");
  return xasprintf(" (resctrl: %s)", text);
}

static int write_schemata(const struct husk_rdt_group *g, const char *text, const char *what,
                          struct husk_error **err) {
  int r = append_to(g->dir, "schemata", text);
  if (r == 0)
    return 0;
  _cleanup_free_ char *why = last_cmd_status(g->root);
  _cleanup_free_ char *shown = xstrdup(text);
  shown[strlen(shown) - 1] = '\0'; /* the last newline */
  husk_fail(err, 0, "%s: write \"%s\" to %s/schemata: %s%s", what, shown, g->dir, strerror(-r),
            why);
  if (err && *err)
    (*err)->errno_ = -r;
  return r;
}

static int write_record(int dirfd, const struct husk_rdt_group *g, struct husk_error **err) {
  _cleanup_free_ char *text =
      xasprintf("root %s\ngroup %s\nname %s\nown %d\n%s%s%s", g->root, g->dir, g->name, g->own,
                g->mon_dir ? "mon " : "", g->mon_dir ? g->mon_dir : "", g->mon_dir ? "\n" : "");
  return write_file_atomic_at(dirfd, RECORD, text, strlen(text), 0600, err);
}

int husk_rdt_make(int state_dirfd, struct husk_rdt_group *g, struct husk_error **err) {
  if (g->dir == NULL)
    return 0;
  /* First the record, so that a crash from here on leaves what delete
   * --force needs to clean up. */
  int r = write_record(state_dirfd, g, err);
  if (r < 0)
    return r;
  if (!g->existed) {
    if (mkdir(g->dir, 0755) == 0)
      g->made_dir = true;
    else if (errno != EEXIST)
      return husk_fail(err, errno, "config.json: %s: make the resctrl group %s",
                       g->own ? "linux.intelRdt" : "linux.intelRdt.closID", g->dir);
  }
  if (g->mon_dir) {
    if (mkdir(g->mon_dir, 0755) == 0)
      g->made_mon = true;
    else if (errno != EEXIST)
      return husk_fail(err, errno,
                       "config.json: linux.intelRdt.enableMonitoring: make the monitoring group %s",
                       g->mon_dir);
  }
  /* A group that was there and is not the container's own is shared: its
   * schemata were found to be the config's already (husk_rdt_validate). */
  if (g->existed && !g->own)
    return 0;
  if (g->schemas && (r = write_schemata(g, g->schemas, "config.json: linux.intelRdt", err)) < 0)
    return r;
  if (g->schemata &&
      (r = write_schemata(g, g->schemata, "config.json: linux.intelRdt.schemata", err)) < 0)
    return r;
  return 0;
}

static int join(const char *dir, const char *root, pid_t pid, struct husk_error **err) {
  char buf[32];
  snprintf(buf, sizeof(buf), "%d\n", (int)pid);
  int r = append_to(dir, "tasks", buf);
  if (r == 0)
    return 0;
  _cleanup_free_ char *why = last_cmd_status(root);
  husk_fail(err, 0, "join the resctrl group %s: write %d to %s/tasks: %s%s", dir, (int)pid, dir,
            strerror(-r), why);
  if (err && *err)
    (*err)->errno_ = -r;
  return r;
}

int husk_rdt_enter(const struct husk_rdt_group *g, pid_t pid, struct husk_error **err) {
  if (g->dir == NULL)
    return 0;
  /* resctrl moves a task into a monitoring group only from the control
   * group above it. */
  int r = join(g->dir, g->root, pid, err);
  if (r == 0 && g->mon_dir)
    r = join(g->mon_dir, g->root, pid, err);
  return r;
}

static bool tasks_empty(const char *dir) {
  _cleanup_free_ char *path = xasprintf("%s/tasks", dir);
  _cleanup_free_ char *text = NULL;
  size_t len = 0;
  if (read_file(path, &text, &len, 0, NULL) < 0)
    return true;
  for (size_t i = 0; i < len; i++)
    if (!isspace((unsigned char)text[i]))
      return false;
  return true;
}

void husk_rdt_undo(struct husk_rdt_group *g) {
  if (g->made_mon && rmdir(g->mon_dir) == 0)
    g->made_mon = false;
  /* A closID's group made just now may have been joined by another
   * container since: then it stays. */
  if (g->made_dir && (g->own || tasks_empty(g->dir)) && rmdir(g->dir) == 0)
    g->made_dir = false;
}

void husk_rdt_group_free(struct husk_rdt_group *g) {
  free(g->root);
  free(g->dir);
  free(g->mon_dir);
  free(g->name);
  free(g->schemas);
  free(g->schemata);
  *g = (struct husk_rdt_group){0};
}

/* ---- delete, exec, update ------------------------------------------------- */

int husk_rdt_load(int state_dirfd, struct husk_rdt_group *g, struct husk_error **err) {
  *g = (struct husk_rdt_group){0};
  _cleanup_free_ char *text = NULL;
  size_t len = 0;
  struct husk_error *e = NULL;
  if (read_file_at(state_dirfd, RECORD, &text, &len, 1 << 16, &e) < 0) {
    int r = e && e->errno_ == ENOENT ? -ENOENT : -EIO;
    if (r == -ENOENT)
      husk_error_free(e);
    else if (err && *err == NULL)
      *err = e;
    else
      husk_error_free(e);
    return r;
  }
  for (char *save = NULL, *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
    char *sp = strchr(l, ' ');
    if (sp == NULL)
      continue;
    *sp = '\0';
    const char *v = sp + 1;
    if (strcmp(l, "root") == 0)
      g->root = xstrdup(v);
    else if (strcmp(l, "group") == 0)
      g->dir = xstrdup(v);
    else if (strcmp(l, "name") == 0)
      g->name = xstrdup(v);
    else if (strcmp(l, "own") == 0)
      g->own = strcmp(v, "1") == 0;
    else if (strcmp(l, "mon") == 0)
      g->mon_dir = xstrdup(v);
  }
  if (g->root == NULL || g->dir == NULL || g->name == NULL) {
    husk_rdt_group_free(g);
    return husk_fail(err, 0, "%s: not a record of a resctrl group", RECORD);
  }
  g->existed = true;
  return 0;
}

static int remove_dir(const char *dir, struct husk_error **err) {
  if (rmdir(dir) == 0 || errno == ENOENT)
    return 0;
  return husk_fail(err, errno, "remove the resctrl group %s", dir);
}

int husk_rdt_remove(int state_dirfd, struct husk_error **err) {
  struct husk_rdt_group g;
  int r = husk_rdt_load(state_dirfd, &g, err);
  if (r < 0)
    return r == -ENOENT ? 0 : r;
  if (g.mon_dir)
    r = remove_dir(g.mon_dir, err);
  if (r == 0 && g.own)
    r = remove_dir(g.dir, err);
  husk_rdt_group_free(&g);
  return r;
}

int husk_rdt_enter_recorded(int state_dirfd, pid_t pid, struct husk_error **err) {
  struct husk_rdt_group g;
  int r = husk_rdt_load(state_dirfd, &g, err);
  if (r < 0)
    return r == -ENOENT ? 0 : r;
  /* A group removed behind the container's back is not joined, as runc. */
  if (is_dir(g.dir))
    r = husk_rdt_enter(&g, pid, err);
  husk_rdt_group_free(&g);
  return r;
}

int husk_rdt_update(int state_dirfd, const struct husk_rdt_host *host, const char *l3,
                    const char *mb, struct husk_error **err) {
  if (empty(l3) && empty(mb))
    return 0;
  const char *flag = !empty(l3) ? "--l3-cache-schema" : "--mem-bw-schema";
  if (host->root == NULL)
    return husk_fail(err, 0, "%s: Intel RDT: the resctrl filesystem is not %s", flag,
                     kernel_has_resctrl() ? "mounted (mount -t resctrl resctrl /sys/fs/resctrl)"
                                          : "in this kernel (no Intel RDT or AMD QoS here)");
  if (!empty(l3) && !exists_in(host->root, "info/L3"))
    return husk_fail(
        err, 0,
        "--l3-cache-schema: resctrl has no L3 cache allocation on this host (no %s/info/L3)",
        host->root);
  if (!empty(mb) && !host->mba_mbps && !exists_in(host->root, "info/MB"))
    return husk_fail(
        err, 0,
        "--mem-bw-schema: resctrl has no memory bandwidth allocation on this host (no %s/info/MB)",
        host->root);
  if (!empty(mb) && strchr(mb, '\n'))
    return husk_fail(err, 0, "--mem-bw-schema: one MB: line, without newlines");
  struct husk_rdt_group g;
  int r = husk_rdt_load(state_dirfd, &g, err);
  if (r == -ENOENT)
    return husk_fail(
        err, 0, "%s: the container has no Intel RDT group: its config.json has no linux.intelRdt",
        flag);
  if (r < 0)
    return r;
  if (strcmp(g.dir, g.root) == 0) {
    r = husk_fail(err, 0,
                  "%s: the container is in resctrl's default group (closID \"/\"), whose "
                  "schemata are the whole host's: husk does not change them",
                  flag);
  } else {
    _cleanup_free_ char *text = NULL;
    if (!empty(l3))
      append_line(&text, l3, strlen(l3));
    if (!empty(mb))
      append_line(&text, mb, strlen(mb));
    r = write_schemata(&g, text, flag, err);
  }
  husk_rdt_group_free(&g);
  return r;
}
