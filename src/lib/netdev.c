/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "netdev.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "json.h"
#include "log.h"
#include "utils.h"

/* ---- names ---- */

const char *husk_netdev_name_problem(const char *name, bool template) {
  if (name == NULL || name[0] == '\0')
    return "is empty";
  if (strlen(name) >= IFNAMSIZ)
    return "is longer than the 15 bytes an interface name can have";
  if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
    return "is not a name an interface can have";
  for (const char *p = name; *p; p++)
    if (*p == '/' || *p == ':' || isspace((unsigned char)*p))
      return "has a '/', ':' or white space, which interface names cannot have";
  const char *pct = strchr(name, '%');
  if (pct && (!template || pct[1] != 'd' || strchr(pct + 2, '%')))
    return template ? "has a '%' that is not the one \"%d\" a name template can have" : "has a '%'";
  return NULL;
}

const char *husk_netdev_new_name(const struct oci_net_device *d) {
  return d->name && d->name[0] ? d->name : d->host_name;
}

bool husk_netdev_on_host(const char *name) {
  return husk_netdev_name_problem(name, false) == NULL && if_nametoindex(name) != 0;
}

/* The network namespace joined by path, or -1. */
static int joined_netns(const struct husk_ns_plan *ns, const char **path) {
  for (int i = 0; i < ns->n_joins; i++)
    if (ns->joins[i].flag == CLONE_NEWNET) {
      *path = ns->joins[i].path;
      return ns->joins[i].fd;
    }
  return -1;
}


/* ---- rtnetlink ---- */

#define NL_BUF_SIZE 65536 /* a dump's messages are at most 32 KiB */

struct nl {
  int fd;
  char *buf; /* answers */
};

struct nl_msg {
  union {
    struct nlmsghdr h;
    char buf[512];
  };
};

static uint32_t nl_seq;

static int nl_open(struct nl *nl) {
  nl->buf = NULL;
  nl->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
  if (nl->fd < 0)
    return -errno;
  nl->buf = xmalloc0(NL_BUF_SIZE);
  return 0;
}

/* A socket in the network namespace `ns_fd`: a netlink socket stays with
 * the namespace it was made in, so husk steps in there for socket() only. */
static int nl_open_in(struct nl *nl, int ns_fd, int home_fd) {
  nl->fd = -1;
  nl->buf = NULL;
  if (setns(ns_fd, CLONE_NEWNET) < 0)
    return -errno;
  int r = nl_open(nl);
  if (setns(home_fd, CLONE_NEWNET) < 0)
    return -errno;
  return r;
}

static void nl_close(struct nl *nl) {
  if (nl->fd >= 0)
    close(nl->fd);
  nl->fd = -1;
  free(nl->buf);
  nl->buf = NULL;
}

/* A request; all but dumps ask for an ack, which ends the answer. (A
 * dump's NLM_F_ROOT is NLM_F_REPLACE in a RTM_NEW* request.) */
static void *nl_init(struct nl_msg *m, uint16_t type, uint16_t flags, size_t body) {
  bool dump = (type == RTM_GETLINK || type == RTM_GETADDR) && (flags & NLM_F_DUMP) == NLM_F_DUMP;
  memset(m, 0, sizeof(*m));
  m->h.nlmsg_len = NLMSG_LENGTH(body);
  m->h.nlmsg_type = type;
  m->h.nlmsg_flags = NLM_F_REQUEST | flags | (dump ? 0 : NLM_F_ACK);
  return NLMSG_DATA(&m->h);
}

static void nl_add(struct nl_msg *m, uint16_t type, const void *data, size_t len) {
  size_t at = NLMSG_ALIGN(m->h.nlmsg_len);
  if (at + RTA_SPACE(len) > sizeof(m->buf))
    abort(); /* names and addresses are small: a bug */
  struct rtattr *rta = (struct rtattr *)(m->buf + at);
  rta->rta_type = type;
  rta->rta_len = (unsigned short)RTA_LENGTH(len);
  memcpy(RTA_DATA(rta), data, len);
  m->h.nlmsg_len = (uint32_t)(at + RTA_ALIGN(rta->rta_len));
}

typedef void nl_cb(const struct nlmsghdr *h, void *arg);

/* Send a request and read its answers (each to `cb`) up to the ack or the
 * end of the dump. Returns 0 or the kernel's -errno. */
static int nl_talk(struct nl *nl, struct nl_msg *m, nl_cb *cb, void *arg) {
  m->h.nlmsg_seq = ++nl_seq;
  struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
  if (sendto(nl->fd, m, m->h.nlmsg_len, 0, (struct sockaddr *)&kernel, sizeof(kernel)) < 0)
    return -errno;
  for (;;) {
    ssize_t n = recv(nl->fd, nl->buf, NL_BUF_SIZE, 0);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      return -errno;
    for (size_t off = 0; off + sizeof(struct nlmsghdr) <= (size_t)n;) {
      const struct nlmsghdr *h = (const struct nlmsghdr *)(nl->buf + off);
      if (h->nlmsg_len < sizeof(*h) || off + h->nlmsg_len > (size_t)n)
        return -EBADMSG;
      off += NLMSG_ALIGN(h->nlmsg_len);
      if (h->nlmsg_seq != m->h.nlmsg_seq)
        continue;
      if (h->nlmsg_type == NLMSG_DONE)
        return 0;
      if (h->nlmsg_type == NLMSG_ERROR) {
        if (h->nlmsg_len < NLMSG_LENGTH(sizeof(struct nlmsgerr)))
          return -EBADMSG;
        return ((const struct nlmsgerr *)NLMSG_DATA(h))->error;
      }
      if (cb)
        cb(h, arg);
    }
  }
}

/* The attributes after a message's fixed part: tb[type], NULL if absent. */
static void nl_attrs(const struct nlmsghdr *h, size_t fixed, const struct rtattr **tb, size_t max) {
  memset(tb, 0, sizeof(*tb) * (max + 1));
  const char *end = (const char *)h + h->nlmsg_len;
  const char *p = (const char *)NLMSG_DATA(h) + NLMSG_ALIGN(fixed);
  while (p + sizeof(struct rtattr) <= end) {
    const struct rtattr *a = (const struct rtattr *)p;
    if (a->rta_len < sizeof(*a) || p + a->rta_len > end)
      break;
    if (a->rta_type <= max)
      tb[a->rta_type] = a;
    p += RTA_ALIGN(a->rta_len);
  }
}

/* ---- links ---- */

struct link {
  int index;
  unsigned flags;
  char name[IFNAMSIZ];
  unsigned char hwaddr[32];
  size_t hwaddr_len;
};

/* For a dump: the one link whose name fits `template` ("eth%d") and whose
 * hardware address is `want`'s. */
struct link_search {
  const char *template;
  const struct link *want;
  struct link found;
  int matches;
};

static bool read_link(const struct nlmsghdr *h, struct link *out) {
  if (h->nlmsg_type != RTM_NEWLINK || h->nlmsg_len < NLMSG_LENGTH(sizeof(struct ifinfomsg)))
    return false;
  const struct ifinfomsg *ifi = NLMSG_DATA(h);
  const struct rtattr *tb[IFLA_MAX + 1];
  nl_attrs(h, sizeof(*ifi), tb, IFLA_MAX);
  memset(out, 0, sizeof(*out));
  out->index = ifi->ifi_index;
  out->flags = ifi->ifi_flags;
  if (tb[IFLA_IFNAME])
    snprintf(out->name, sizeof(out->name), "%.*s", (int)RTA_PAYLOAD(tb[IFLA_IFNAME]),
             (const char *)RTA_DATA(tb[IFLA_IFNAME]));
  if (tb[IFLA_ADDRESS] && RTA_PAYLOAD(tb[IFLA_ADDRESS]) <= sizeof(out->hwaddr)) {
    out->hwaddr_len = RTA_PAYLOAD(tb[IFLA_ADDRESS]);
    memcpy(out->hwaddr, RTA_DATA(tb[IFLA_ADDRESS]), out->hwaddr_len);
  }
  return true;
}

static void link_cb(const struct nlmsghdr *h, void *arg) { read_link(h, arg); }

/* Whether `name` is what the kernel makes of `template`: "%d" a number. */
static bool fits_template(const char *name, const char *template) {
  const char *pct = strstr(template, "%d");
  size_t head = (size_t)(pct - template), tail = strlen(pct + 2), len = strlen(name);
  if (len < head + tail + 1 || strncmp(name, template, head) != 0 ||
      strcmp(name + len - tail, pct + 2) != 0)
    return false;
  for (size_t i = head; i < len - tail; i++)
    if (!isdigit((unsigned char)name[i]))
      return false;
  return true;
}

static void search_cb(const struct nlmsghdr *h, void *arg) {
  struct link_search *s = arg;
  struct link l;
  if (!read_link(h, &l) || !fits_template(l.name, s->template))
    return;
  if (l.hwaddr_len != s->want->hwaddr_len || memcmp(l.hwaddr, s->want->hwaddr, l.hwaddr_len) != 0)
    return;
  s->found = l;
  s->matches++;
}

/* By name (index 0) or by index. -ENODEV when there is none. */
static int link_get(struct nl *nl, const char *name, int index, struct link *out) {
  struct nl_msg m;
  struct ifinfomsg *ifi = nl_init(&m, RTM_GETLINK, 0, sizeof(*ifi));
  ifi->ifi_family = AF_UNSPEC;
  ifi->ifi_index = index;
  if (name)
    nl_add(&m, IFLA_IFNAME, name, strlen(name) + 1);
  out->index = 0;
  int r = nl_talk(nl, &m, link_cb, out);
  if (r == 0 && out->index == 0)
    r = -ENODEV;
  return r;
}

/* The moved device in its new namespace: by its new name, or for a name
 * template by that and its hardware address. */
static int link_find_moved(struct nl *nl, const char *to, const struct link *was,
                           struct link *out) {
  if (!strchr(to, '%'))
    return link_get(nl, to, 0, out);
  struct link_search s = {.template = to, .want = was};
  struct nl_msg m;
  struct ifinfomsg *ifi = nl_init(&m, RTM_GETLINK, NLM_F_DUMP, sizeof(*ifi));
  ifi->ifi_family = AF_UNSPEC;
  int r = nl_talk(nl, &m, search_cb, &s);
  if (r < 0)
    return r;
  if (s.matches != 1)
    return -ENODEV;
  *out = s.found;
  return 0;
}

/* Into the namespace `ns_fd` as `name`, in one request: a rename after the
 * move could meet a name taken there. */
static int link_move(struct nl *nl, int index, int ns_fd, const char *name) {
  struct nl_msg m;
  struct ifinfomsg *ifi = nl_init(&m, RTM_NEWLINK, 0, sizeof(*ifi));
  ifi->ifi_family = AF_UNSPEC;
  ifi->ifi_index = index;
  uint32_t fd = (uint32_t)ns_fd;
  nl_add(&m, IFLA_NET_NS_FD, &fd, sizeof(fd));
  nl_add(&m, IFLA_IFNAME, name, strlen(name) + 1);
  return nl_talk(nl, &m, NULL, NULL);
}

static int link_set_up(struct nl *nl, int index) {
  struct nl_msg m;
  struct ifinfomsg *ifi = nl_init(&m, RTM_NEWLINK, 0, sizeof(*ifi));
  ifi->ifi_family = AF_UNSPEC;
  ifi->ifi_index = index;
  ifi->ifi_flags = IFF_UP;
  ifi->ifi_change = IFF_UP;
  return nl_talk(nl, &m, NULL, NULL);
}

/* ---- addresses ---- */

/* The flags an address is made with (nodad and the like); the kernel sets
 * the others itself. */
#define ADDR_USER_FLAGS                                                                            \
  (IFA_F_NODAD | IFA_F_OPTIMISTIC | IFA_F_HOMEADDRESS | IFA_F_MANAGETEMPADDR |                     \
   IFA_F_NOPREFIXROUTE | IFA_F_MCAUTOJOIN)

struct addr {
  uint32_t flags; /* ADDR_USER_FLAGS of the original */
  unsigned char family, prefixlen, scope;
  unsigned char local_len, address_len, broadcast_len;
  unsigned char local[16], address[16], broadcast[16];
};

struct addr_list {
  int index;
  struct addr *v;
  size_t n;
};

static void copy_attr(const struct rtattr *a, unsigned char *to, unsigned char *len) {
  if (a && RTA_PAYLOAD(a) <= 16) {
    *len = (unsigned char)RTA_PAYLOAD(a);
    memcpy(to, RTA_DATA(a), *len);
  }
}

/* What the spec keeps: permanent addresses of global scope, of any family
 * (RFC 3549 2.3.3.2); dynamic and link-local ones belong to the old place. */
static void addr_cb(const struct nlmsghdr *h, void *arg) {
  struct addr_list *list = arg;
  if (h->nlmsg_type != RTM_NEWADDR || h->nlmsg_len < NLMSG_LENGTH(sizeof(struct ifaddrmsg)))
    return;
  const struct ifaddrmsg *ifa = NLMSG_DATA(h);
  if ((int)ifa->ifa_index != list->index)
    return;
  const struct rtattr *tb[IFA_MAX + 1];
  nl_attrs(h, sizeof(*ifa), tb, IFA_MAX);
  uint32_t flags = ifa->ifa_flags;
  if (tb[IFA_FLAGS] && RTA_PAYLOAD(tb[IFA_FLAGS]) >= sizeof(uint32_t))
    memcpy(&flags, RTA_DATA(tb[IFA_FLAGS]), sizeof(flags));
  if (!(flags & IFA_F_PERMANENT) || ifa->ifa_scope != RT_SCOPE_UNIVERSE)
    return;
  list->v = realloc(list->v, sizeof(*list->v) * (list->n + 1));
  if (list->v == NULL)
    abort();
  struct addr *a = &list->v[list->n++];
  memset(a, 0, sizeof(*a));
  a->family = ifa->ifa_family;
  a->prefixlen = ifa->ifa_prefixlen;
  a->scope = ifa->ifa_scope;
  a->flags = flags & ADDR_USER_FLAGS;
  copy_attr(tb[IFA_LOCAL], a->local, &a->local_len);
  copy_attr(tb[IFA_ADDRESS], a->address, &a->address_len);
  copy_attr(tb[IFA_BROADCAST], a->broadcast, &a->broadcast_len);
}

static int addrs_save(struct nl *nl, struct addr_list *list) {
  struct nl_msg m;
  struct ifaddrmsg *ifa = nl_init(&m, RTM_GETADDR, NLM_F_DUMP, sizeof(*ifa));
  ifa->ifa_family = AF_UNSPEC;
  return nl_talk(nl, &m, addr_cb, list);
}

static char *addr_text(const struct addr *a) {
  char text[INET6_ADDRSTRLEN] = "?";
  const unsigned char *ip = a->local_len ? a->local : a->address;
  inet_ntop(a->family, ip, text, sizeof(text));
  return xasprintf("%s/%u", text, a->prefixlen);
}

/* On `index`, in the namespace of `nl`; *failed says which, for errors. */
static int addrs_restore(struct nl *nl, int index, const struct addr_list *list,
                         const struct addr **failed) {
  for (size_t i = 0; i < list->n; i++) {
    const struct addr *a = &list->v[i];
    struct nl_msg m;
    struct ifaddrmsg *ifa = nl_init(&m, RTM_NEWADDR, NLM_F_CREATE | NLM_F_REPLACE, sizeof(*ifa));
    ifa->ifa_family = a->family;
    ifa->ifa_prefixlen = a->prefixlen;
    ifa->ifa_scope = a->scope;
    ifa->ifa_index = (unsigned)index;
    if (a->local_len)
      nl_add(&m, IFA_LOCAL, a->local, a->local_len);
    if (a->address_len)
      nl_add(&m, IFA_ADDRESS, a->address, a->address_len);
    if (a->broadcast_len)
      nl_add(&m, IFA_BROADCAST, a->broadcast, a->broadcast_len);
    if (a->flags)
      nl_add(&m, IFA_FLAGS, &a->flags, sizeof(a->flags));
    int r = nl_talk(nl, &m, NULL, NULL);
    if (r < 0) {
      *failed = a;
      return r;
    }
  }
  return 0;
}

/* ---- moving ---- */

struct moved_dev {
  char *host_name;
  char *key; /* quoted, for messages */
  int index; /* in the container's namespace; 0 when not found there */
  bool was_up;
  struct addr_list addrs;
};

struct husk_netdev_moves {
  int home_ns;   /* husk's own network namespace */
  int target_ns; /* the container's */
  struct nl host, inside;
  struct moved_dev *devs;
  size_t n;
};

static void moves_free(struct husk_netdev_moves *mv) {
  for (size_t i = 0; i < mv->n; i++) {
    free(mv->devs[i].host_name);
    free(mv->devs[i].key);
    free(mv->devs[i].addrs.v);
  }
  free(mv->devs);
  nl_close(&mv->host);
  nl_close(&mv->inside);
  if (mv->home_ns >= 0)
    close(mv->home_ns);
  if (mv->target_ns >= 0)
    close(mv->target_ns);
  free(mv);
}

void husk_netdev_moves_free(struct husk_netdev_moves **moved) {
  if (*moved)
    moves_free(*moved);
  *moved = NULL;
}

void husk_netdev_undo(struct husk_netdev_moves **moved) {
  struct husk_netdev_moves *mv = *moved;
  for (size_t i = mv ? mv->n : 0; i-- > 0;) {
    struct moved_dev *d = &mv->devs[i];
    struct link back;
    int r = d->index > 0 ? link_move(&mv->inside, d->index, mv->home_ns, d->host_name) : -ENODEV;
    if (r == 0)
      r = link_get(&mv->host, d->host_name, 0, &back);
    const struct addr *failed = NULL;
    if (r == 0)
      r = addrs_restore(&mv->host, back.index, &d->addrs, &failed);
    if (r == 0 && d->was_up)
      r = link_set_up(&mv->host, back.index);
    if (r < 0)
      husk_warn("linux.netDevices[%s]: could not put \"%s\" back on the host: %s", d->key,
                d->host_name, strerror(-r));
  }
  husk_netdev_moves_free(moved);
}

static int move_one(struct husk_netdev_moves *mv, const struct oci_net_device *dev,
                    struct husk_error **err) {
  const char *to = husk_netdev_new_name(dev);
  _cleanup_free_ char *key = oci_json_quote(dev->host_name);
  struct link was, there;
  int r = link_get(&mv->host, dev->host_name, 0, &was);
  if (r == -ENODEV)
    return husk_fail(err, 0, "linux.netDevices[%s]: no network interface \"%s\" on the host", key,
                     dev->host_name);
  if (r < 0)
    return husk_fail(err, -r, "linux.netDevices[%s]: look up \"%s\"", key, dev->host_name);
  /* The spec's check: a name the container has already is an error. */
  if (!strchr(to, '%') && link_get(&mv->inside, to, 0, &there) == 0)
    return husk_fail(err, 0,
                     "linux.netDevices[%s]: the container's network namespace has a \"%s\" already",
                     key, to);
  struct addr_list addrs = {.index = was.index};
  if ((r = addrs_save(&mv->host, &addrs)) < 0) {
    free(addrs.v);
    return husk_fail(err, -r, "linux.netDevices[%s]: read the addresses of \"%s\"", key,
                     dev->host_name);
  }
  r = link_move(&mv->host, was.index, mv->target_ns, to);
  struct link still;
  if (r < 0 && link_get(&mv->host, NULL, was.index, &still) == 0) {
    free(addrs.v);
    return husk_fail(err, -r,
                     "linux.netDevices[%s]: move \"%s\" into the container's network "
                     "namespace as \"%s\"",
                     key, dev->host_name, to);
  }
  /* Moved (even should the kernel have failed the rename after it). */
  mv->devs = realloc(mv->devs, sizeof(*mv->devs) * (mv->n + 1));
  if (mv->devs == NULL)
    abort();
  struct moved_dev *d = &mv->devs[mv->n++];
  *d = (struct moved_dev){.host_name = xstrdup(dev->host_name),
                          .key = xstrdup(key),
                          .was_up = was.flags & IFF_UP,
                          .addrs = addrs};
  struct link now;
  int found = link_find_moved(&mv->inside, to, &was, &now);
  if (found < 0 && r < 0)
    found = link_get(&mv->inside, dev->host_name, 0, &now);
  if (found == 0)
    d->index = now.index;
  if (r < 0)
    return husk_fail(err, -r,
                     "linux.netDevices[%s]: move \"%s\" into the container's network "
                     "namespace as \"%s\"",
                     key, dev->host_name, to);
  if (found < 0)
    return husk_fail(err, -found,
                     "linux.netDevices[%s]: find \"%s\" in the container's network "
                     "namespace after the move",
                     key, to);
  const struct addr *failed = NULL;
  if ((r = addrs_restore(&mv->inside, now.index, &d->addrs, &failed)) < 0) {
    _cleanup_free_ char *text = addr_text(failed);
    return husk_fail(err, -r, "linux.netDevices[%s]: put address %s back on \"%s\"", key, text,
                     now.name);
  }
  if ((r = link_set_up(&mv->inside, now.index)) < 0)
    return husk_fail(err, -r, "linux.netDevices[%s]: set \"%s\" up", key, now.name);
  return 0;
}

int husk_netdev_move_all(const struct oci_linux *l, const struct husk_ns_plan *ns, pid_t pid,
                         struct husk_netdev_moves **moved, struct husk_error **err) {
  *moved = NULL;
  if (l == NULL || l->net_devices_len == 0)
    return 0;
  struct husk_netdev_moves *mv = xmalloc0(sizeof(*mv));
  mv->host.fd = mv->inside.fd = -1;
  mv->home_ns = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
  const char *path = NULL;
  int joined = joined_netns(ns, &path);
  if (joined >= 0) {
    mv->target_ns = fcntl(joined, F_DUPFD_CLOEXEC, 3);
  } else {
    _cleanup_free_ char *own = xasprintf("/proc/%d/ns/net", (int)pid);
    mv->target_ns = open(own, O_RDONLY | O_CLOEXEC);
  }
  int r = 0;
  if (mv->home_ns < 0 || mv->target_ns < 0)
    r = husk_fail(err, errno, "linux.netDevices: open the network namespaces");
  else if ((r = nl_open(&mv->host)) < 0 ||
           (r = nl_open_in(&mv->inside, mv->target_ns, mv->home_ns)) < 0)
    r = husk_fail(err, -r, "linux.netDevices: open a netlink socket");
  for (size_t i = 0; r == 0 && i < l->net_devices_len; i++)
    r = move_one(mv, &l->net_devices[i], err);
  if (r < 0) {
    husk_netdev_undo(&mv);
    return r;
  }
  *moved = mv;
  return 0;
}
