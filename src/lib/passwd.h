/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Reading an /etc/passwd file directly: husk is linked statically, where
 * glibc's getpwuid would load NSS modules at run time, and a container's
 * passwd is a file in its root anyway (as runc reads it). */
#ifndef HUSK_PASSWD_H
#define HUSK_PASSWD_H

#include <sys/types.h>

enum husk_passwd_field { HUSK_PASSWD_NAME = 0, HUSK_PASSWD_HOME = 5 };

/* Field `field` of the first entry of the passwd file at `path` whose uid is
 * `uid`: malloc'd, or NULL when the file or the entry is missing. */
char *husk_passwd_lookup(const char *path, uid_t uid, enum husk_passwd_field field);

#endif
