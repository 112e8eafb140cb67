/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Commands that print JSON with yajl_gen. */
#ifndef HUSK_CMD_OUTPUT_H
#define HUSK_CMD_OUTPUT_H

#include <stdio.h>
#include <yajl/yajl_gen.h>

/* Write the generated document and a newline to stdout, and free g. */
static inline void cmd_print_json(yajl_gen g) {
  const unsigned char *buf;
  size_t len;
  yajl_gen_get_buf(g, &buf, &len);
  fwrite(buf, 1, len, stdout);
  fputc('\n', stdout);
  yajl_gen_free(g);
}

#endif
