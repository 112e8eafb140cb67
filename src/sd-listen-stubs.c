/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Debian's static libdbus-1 calls two functions of libsystemd, which has
 * no static archive, when a D-Bus *server* is given sockets by systemd
 * ("systemd:" listen addresses). husk is only ever a client, so those
 * paths are never taken; these say "no sockets were passed". */
int sd_listen_fds(int unset_environment);
int sd_is_socket(int fd, int family, int type, int listening);

int sd_listen_fds(int unset_environment) {
  (void)unset_environment;
  return 0;
}

int sd_is_socket(int fd, int family, int type, int listening) {
  (void)fd, (void)family, (void)type, (void)listening;
  return 0;
}
