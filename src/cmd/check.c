/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "check-cmd.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <yajl/yajl_gen.h>

#include "check.h"
#include "plan.h"
#include "cmd.h"
#include "output.h"

static void gen_str(yajl_gen g, const char *s) {
  yajl_gen_string(g, (const unsigned char *)s, strlen(s));
}

static void print_json(const struct husk_check_report *r) {
  yajl_gen g = yajl_gen_alloc(NULL);
  yajl_gen_map_open(g);
  gen_str(g, "bundle");
  gen_str(g, r->bundle);
  gen_str(g, "ok");
  yajl_gen_bool(g, r->count[HUSK_CHECK_ERROR] == 0);
  gen_str(g, "errors");
  yajl_gen_integer(g, (long long)r->count[HUSK_CHECK_ERROR]);
  gen_str(g, "warnings");
  yajl_gen_integer(g, (long long)r->count[HUSK_CHECK_WARNING]);
  gen_str(g, "notes");
  yajl_gen_integer(g, (long long)r->count[HUSK_CHECK_NOTE]);
  gen_str(g, "findings");
  yajl_gen_array_open(g);
  for (size_t i = 0; i < r->len; i++) {
    const struct husk_check_finding *f = &r->findings[i];
    yajl_gen_map_open(g);
    gen_str(g, "severity");
    gen_str(g, husk_check_severity_name(f->severity));
    gen_str(g, "path");
    gen_str(g, f->path);
    gen_str(g, "message");
    gen_str(g, f->message);
    yajl_gen_map_close(g);
  }
  yajl_gen_array_close(g);
  yajl_gen_map_close(g);
  cmd_print_json(g);
}

/* "2 errors", "1 warning"; nothing for 0. */
static void print_count(size_t n, const char *what, bool *first) {
  if (n == 0)
    return;
  printf("%s%zu %s%s", *first ? " " : ", ", n, what, n == 1 ? "" : "s");
  *first = false;
}

static void print_text(const struct husk_check_report *r) {
  for (size_t i = 0; i < r->len; i++) {
    const struct husk_check_finding *f = &r->findings[i];
    printf("%s: %s%s%s\n", husk_check_severity_name(f->severity), f->path, f->path[0] ? ": " : "",
           f->message);
  }
  size_t errors = r->count[HUSK_CHECK_ERROR], warnings = r->count[HUSK_CHECK_WARNING];
  size_t notes = r->count[HUSK_CHECK_NOTE];
  if (errors == 0 && warnings == 0) {
    printf("config.json: ok");
    if (notes)
      printf(" (%zu note%s)", notes, notes == 1 ? "" : "s");
    putchar('\n');
    return;
  }
  bool first = true;
  printf("config.json:");
  print_count(errors, "error", &first);
  print_count(warnings, "warning", &first);
  print_count(notes, "note", &first);
  putchar('\n');
}

int cmd_check(struct husk_context *ctx, int argc, char **argv) {
  static const struct option longopts[] = {{"bundle", required_argument, NULL, 'b'},
                                           {"format", required_argument, NULL, 'f'},
                                           {"checkpoint", no_argument, NULL, 'c'},
                                           {"help", no_argument, NULL, 'h'},
                                           {NULL, 0, NULL, 0}};
  const char *bundle = ".";
  bool json = false, checkpoint = false;
  optind = 1;
  opterr = 0;
  int c;
  while ((c = getopt_long(argc, argv, ":b:f:ch", longopts, NULL)) != -1) {
    switch (c) {
    case 'c':
      checkpoint = true;
      break;
    case 'b':
      bundle = optarg;
      break;
    case 'f':
      if (strcmp(optarg, "json") == 0)
        json = true;
      else if (strcmp(optarg, "text") == 0)
        json = false;
      else
        return cmd_usage_error("check", "--format: expected text or json, got \"%s\"", optarg);
      break;
    case 'h':
      cmd_print_help("check");
      return 0;
    default:
      return cmd_option_error("check", c, argv);
    }
  }
  if (optind != argc)
    return cmd_usage_error("check", "takes no arguments");

  struct husk_check_options opts = husk_plan_options(ctx);
  opts.checkpoint = checkpoint;
  opts.criu = ctx->criu;
  struct husk_check_report report;
  struct husk_error *err = NULL;
  if (husk_check_bundle(bundle, &opts, &report, &err) < 0)
    return cmd_fail(err);
  if (json)
    print_json(&report);
  else
    print_text(&report);
  fflush(stdout);
  int rc = report.count[HUSK_CHECK_ERROR] ? 1 : 0;
  husk_check_report_free(&report);
  return rc;
}
