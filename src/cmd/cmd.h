/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The commands: argument parsing and output only; the work is in src/lib. */
#ifndef HUSK_CMD_H
#define HUSK_CMD_H

#include <stddef.h>

#include "container.h"

typedef int (*husk_cmd_fn)(struct husk_context *ctx, int argc, char **argv);

struct husk_command {
  const char *name;
  husk_cmd_fn fn;
  const char *usage;   /* "create [options] ID" */
  const char *brief;   /* one line, for `husk --help` */
  const char *summary; /* the description for `husk COMMAND --help` */
};

int cmd_create(struct husk_context *ctx, int argc, char **argv);
int cmd_start(struct husk_context *ctx, int argc, char **argv);
int cmd_state(struct husk_context *ctx, int argc, char **argv);
int cmd_kill(struct husk_context *ctx, int argc, char **argv);
int cmd_delete(struct husk_context *ctx, int argc, char **argv);
int cmd_run(struct husk_context *ctx, int argc, char **argv);
int cmd_list(struct husk_context *ctx, int argc, char **argv);
int cmd_spec(struct husk_context *ctx, int argc, char **argv);
int cmd_exec(struct husk_context *ctx, int argc, char **argv);
int cmd_features(struct husk_context *ctx, int argc, char **argv);
int cmd_checkpoint(struct husk_context *ctx, int argc, char **argv);
int cmd_restore(struct husk_context *ctx, int argc, char **argv);

/* Print an error (one line, "husk: ...") and return the exit code 1. */
int cmd_fail(struct husk_error *err);
/* A usage error for command `name`: one line plus a hint; exit code 1. */
int cmd_usage_error(const char *name, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* What getopt_long refused, as "unknown option -x" or "option --bundle
 * needs a value" (`kind` goes before "option": "" or "global "): c is what
 * it returned, '?' or ':' (the short options start with ':'). malloc'd. */
char *cmd_option_problem(int c, char **argv, const char *kind);
/* cmd_usage_error() with that problem. */
int cmd_option_error(const char *name, int c, char **argv);
/* Print `husk NAME --help`. */
void cmd_print_help(const char *name);
/* Options shared by create and run. Returns the getopt index of the next
 * argument or -1 after printing an error. */
int cmd_parse_create_options(const char *name, int argc, char **argv,
                             struct husk_create_options *opts, bool *detach);

#endif
