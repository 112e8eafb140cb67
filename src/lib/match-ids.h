/* SPDX-License-Identifier: GPL-2.0-or-later */
/* crun's kill --regex and delete --regex: the containers whose ids match a
 * regular expression. */
#ifndef HUSK_MATCH_IDS_H
#define HUSK_MATCH_IDS_H

#include <stddef.h>

#include "error.h"

/* The ids of the containers under `root` (those with a state.json) that
 * `regex`, a POSIX extended regular expression, matches, sorted. As crun
 * uses it (regcomp with REG_EXTENDED | REG_NOSUB) it is not anchored: a
 * match anywhere in the id counts; "^...$" asks for the whole id. None is
 * not an error. */
int husk_match_ids(const char *root, const char *regex, char ***ids, size_t *n,
                   struct husk_error **err);
void husk_match_ids_free(char **ids, size_t n);

#endif
