/* SPDX-License-Identifier: Apache-2.0
 *
 * rtnetlink link monitoring with libnl-route-3.  One socket joined to
 * RTNLGRP_LINK and the address and route groups, non-blocking, sequence
 * checks off, read from the main loop.  Address and route messages only say
 * that something changed (DPUGW_LINK_ADDRESSES): who needs them reads the
 * whole again (dpugw_host_network_read()).
 * libnl's cache manager is not used: it keeps stale per-family objects.
 * Dumps run on a second socket while the event socket is not read, so that
 * the events queued meanwhile apply on top of the dump: the first at start,
 * before the main loop runs; after an overrun, in a worker thread.
 */
#define G_LOG_DOMAIN "dpugw-netlink"

#include "link-monitor.h"

#include <dpu-gateway/dpu-gateway.h>
#include <errno.h>
#include <gio/gio.h>
#include <glib-unix.h>
#include <linux/if.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <netlink/attr.h>
#include <netlink/cache.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/route/link.h>
#include <netlink/socket.h>
#include <string.h>
#include <sys/socket.h>

#define DEFAULT_RCVBUF (8 * 1024 * 1024)

typedef struct {
  char *name;
  guint8 operstate;
  GStrv altnames;   /* sorted; the valid ones (dpugw_netdev_name_is_valid) */
} Link;

/* What a RTM_NEWLINK message says of a link, its strings pointing into the message. */
typedef struct {
  int ifindex;
  const char *name;
  char *shown_name;     /* a name D-Bus cannot carry, escaped and marked; @name points here */
  guint8 operstate;
  GPtrArray *altnames;  /* (element-type utf8) (transfer container), sorted */
} LinkFields;

static void
link_fields_clear (LinkFields *f)
{
  g_clear_pointer (&f->altnames, g_ptr_array_unref);
  g_clear_pointer (&f->shown_name, g_free);
}

struct _DpugwLinkMonitor
{
  GObject parent_instance;

  struct nl_sock *sock;
  guint fd_source;
  GCancellable *cancellable;
  gboolean synced;     /* the first dump is in */
  gboolean draining;

  GHashTable *links;    /* ifindex -> Link */
  GPtrArray *pending;   /* DpugwLinkEvent, since the last "changed" */
  guint quiet_msec;
  guint max_delay_msec;
  guint quiet_id;
  guint deadline_id;

  struct {
    guint64 messages;   /* link, address and route messages read */
    guint64 events;     /* changes that came of them */
    guint64 batches;    /* "changed" emissions */
    guint64 overruns;   /* receive overruns repaired by a dump */
  } stats;
};

enum { SIGNAL_CHANGED, N_SIGNALS };
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (DpugwLinkMonitor, dpugw_link_monitor, G_TYPE_OBJECT)

static void watch_socket (DpugwLinkMonitor *self);

static int
compare_strings (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

void
dpugw_link_event_free (DpugwLinkEvent *event)
{
  if (event == NULL)
    return;
  g_free (event->name);
  g_free (event->old_name);
  g_free (event);
}

static void
link_free (Link *link)
{
  g_strfreev (link->altnames);
  g_free (link->name);
  g_free (link);
}

static void
dpugw_link_monitor_dispose (GObject *object)
{
  DpugwLinkMonitor *self = DPUGW_LINK_MONITOR (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->fd_source, g_source_remove);
  g_clear_handle_id (&self->quiet_id, g_source_remove);
  g_clear_handle_id (&self->deadline_id, g_source_remove);
  G_OBJECT_CLASS (dpugw_link_monitor_parent_class)->dispose (object);
}

static void
dpugw_link_monitor_finalize (GObject *object)
{
  DpugwLinkMonitor *self = DPUGW_LINK_MONITOR (object);

  g_clear_pointer (&self->sock, nl_socket_free);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->links, g_hash_table_unref);
  g_clear_pointer (&self->pending, g_ptr_array_unref);
  G_OBJECT_CLASS (dpugw_link_monitor_parent_class)->finalize (object);
}

static void
dpugw_link_monitor_class_init (DpugwLinkMonitorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = dpugw_link_monitor_dispose;
  object_class->finalize = dpugw_link_monitor_finalize;

  /* (GPtrArray of DpugwLinkEvent): the batch, owned by the emitter. */
  signals[SIGNAL_CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                          NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_POINTER);
}

static void
dpugw_link_monitor_init (DpugwLinkMonitor *self)
{
  self->cancellable = g_cancellable_new ();
  self->links = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, (GDestroyNotify) link_free);
  self->pending = g_ptr_array_new_with_free_func ((GDestroyNotify) dpugw_link_event_free);
}

/* --- coalescing -------------------------------------------------------------- */

static void
flush (DpugwLinkMonitor *self)
{
  g_autoptr(GPtrArray) batch = NULL;

  g_clear_handle_id (&self->quiet_id, g_source_remove);
  g_clear_handle_id (&self->deadline_id, g_source_remove);
  if (self->pending->len == 0)
    return;
  batch = g_steal_pointer (&self->pending);
  self->pending = g_ptr_array_new_with_free_func ((GDestroyNotify) dpugw_link_event_free);
  self->stats.batches++;
  g_debug ("%u link changes (so far: %" G_GUINT64_FORMAT " messages, %" G_GUINT64_FORMAT " changes, %"
           G_GUINT64_FORMAT " batches, %" G_GUINT64_FORMAT " overruns)",
           batch->len, self->stats.messages, self->stats.events, self->stats.batches, self->stats.overruns);
  g_signal_emit (self, signals[SIGNAL_CHANGED], 0, batch);
}

static gboolean
on_quiet (gpointer user_data)
{
  DpugwLinkMonitor *self = user_data;

  self->quiet_id = 0;
  flush (self);
  return G_SOURCE_REMOVE;
}

static gboolean
on_deadline (gpointer user_data)
{
  DpugwLinkMonitor *self = user_data;

  self->deadline_id = 0;
  flush (self);
  return G_SOURCE_REMOVE;
}

/* Called after each read: wait for quiet, but not past the deadline. */
static void
schedule_flush (DpugwLinkMonitor *self)
{
  if (self->pending->len == 0)
    return;
  g_clear_handle_id (&self->quiet_id, g_source_remove);
  self->quiet_id = g_timeout_add (self->quiet_msec, on_quiet, self);
  if (self->deadline_id == 0)
    self->deadline_id = g_timeout_add (self->max_delay_msec, on_deadline, self);
}

static void
add_event (DpugwLinkMonitor *self, DpugwLinkEventType type, int ifindex, const char *name,
           const char *old_name, guint8 operstate)
{
  DpugwLinkEvent *event = g_new0 (DpugwLinkEvent, 1);

  event->type = type;
  event->ifindex = ifindex;
  event->name = g_strdup (name);
  event->old_name = g_strdup (old_name);
  event->operstate = operstate;
  g_ptr_array_add (self->pending, event);
  self->stats.events++;
}

/* One ALTNAME event per name in @a and not in @b (both sorted, NULL-terminated). */
static void
add_altname_events (DpugwLinkMonitor *self, int ifindex, const char *name, char **a, char **b, guint8 operstate)
{
  for (guint i = 0; a != NULL && a[i] != NULL; i++)
    if (b == NULL || !g_strv_contains ((const char * const *) b, a[i]))
      add_event (self, DPUGW_LINK_ALTNAME, ifindex, name, a[i], operstate);
}

/* One link's state now (@name NULL: gone); records what changed.  @altnames: its altnames, sorted. */
static void
apply_link (DpugwLinkMonitor *self, int ifindex, const char *name, guint8 operstate, char **altnames)
{
  Link *link = g_hash_table_lookup (self->links, GINT_TO_POINTER (ifindex));

  if (name == NULL)
    {
      if (link != NULL)
        {
          add_event (self, DPUGW_LINK_REMOVED, ifindex, link->name, NULL, link->operstate);
          add_altname_events (self, ifindex, link->name, link->altnames, NULL, link->operstate);
          g_hash_table_remove (self->links, GINT_TO_POINTER (ifindex));
        }
      return;
    }
  if (link == NULL)
    {
      link = g_new0 (Link, 1);
      link->name = g_strdup (name);
      link->operstate = operstate;
      link->altnames = g_strdupv (altnames);
      g_hash_table_insert (self->links, GINT_TO_POINTER (ifindex), link);
      add_event (self, DPUGW_LINK_ADDED, ifindex, name, NULL, operstate);
      add_altname_events (self, ifindex, name, altnames, NULL, operstate);
      return;
    }
  /* Names that came or went: whoever asked by them must ask the kernel again. */
  if (!(altnames == NULL ? link->altnames == NULL || link->altnames[0] == NULL
                         : link->altnames != NULL &&
                             g_strv_equal ((const char * const *) altnames, (const char * const *) link->altnames)))
    {
      add_altname_events (self, ifindex, name, altnames, link->altnames, operstate);
      add_altname_events (self, ifindex, name, link->altnames, altnames, operstate);
      g_strfreev (link->altnames);
      link->altnames = g_strdupv (altnames);
    }
  if (strcmp (link->name, name) != 0)
    {
      add_event (self, DPUGW_LINK_RENAMED, ifindex, name, link->name, operstate);
      g_free (link->name);
      link->name = g_strdup (name);
      link->operstate = operstate;
      return;
    }
  if (link->operstate != operstate)
    {
      add_event (self, DPUGW_LINK_OPERSTATE, ifindex, name, NULL, operstate);
      link->operstate = operstate;
    }
  /* Otherwise a repeated NEWLINK that changes nothing we follow. */
}

/* --- the event socket -------------------------------------------------------- */

/*
 * An event's fields, read off the message itself: the ifinfomsg header and three attributes.
 * Building a libnl-route object (every attribute parsed, link-info ops looked up by name,
 * allocated and freed) cost 17 k instructions a message, most of the daemon's share of a storm;
 * and libnl-route 3.7 does not parse the altnames.  nlmsg_parse checks every attribute's length
 * against the message; IFLA_IFNAME must be a NUL-terminated string, IFLA_OPERSTATE one byte,
 * IFLA_PROP_LIST a nest holding only IFLA_ALT_IFNAME strings of 1 to ALTIFNAMSIZ bytes ending in
 * their NUL, or the message is ignored.  Altnames we could not be asked for (longer than 15
 * bytes, not UTF-8...) are not kept.
 */
static gboolean
event_fields (struct nlmsghdr *hdr, LinkFields *f)
{
  static struct nla_policy policy[IFLA_PROP_LIST + 1] = {
    [IFLA_IFNAME] = { .type = NLA_STRING },
    [IFLA_OPERSTATE] = { .type = NLA_U8 },
    [IFLA_PROP_LIST] = { .type = NLA_NESTED },
  };
  struct nlattr *attrs[IFLA_PROP_LIST + 1];
  const struct ifinfomsg *ifi;

  f->altnames = NULL;
  f->shown_name = NULL;
  if (!nlmsg_valid_hdr (hdr, sizeof (struct ifinfomsg)))
    return FALSE;
  ifi = nlmsg_data (hdr);
  /* RTM_NEWLINK also comes per family (AF_BRIDGE ports...): those are duplicates. */
  if (ifi->ifi_family != AF_UNSPEC)
    return FALSE;
  if (nlmsg_parse (hdr, sizeof (struct ifinfomsg), attrs, IFLA_PROP_LIST, policy) < 0 || attrs[IFLA_IFNAME] == NULL)
    return FALSE;
  f->ifindex = ifi->ifi_index;
  f->name = nla_get_string (attrs[IFLA_IFNAME]);
  f->operstate = attrs[IFLA_OPERSTATE] != NULL ? nla_get_u8 (attrs[IFLA_OPERSTATE]) : IF_OPER_UNKNOWN;
  if (f->ifindex <= 0 || !dpugw_netdev_name_is_kernel_valid (f->name))
    return FALSE;
  /* A name the kernel allows and D-Bus cannot carry (not UTF-8, control characters) is followed
   * under its escaped, marked form, which no real name has: a link renamed to it is gone by its
   * old name, never silently kept. */
  if (!dpugw_netdev_name_is_valid (f->name))
    f->name = f->shown_name = dpugw_netdev_name_display (f->name);
  if (attrs[IFLA_PROP_LIST] != NULL)
    {
      g_autoptr(GPtrArray) altnames = g_ptr_array_new ();
      struct nlattr *attr;
      int rem;

      nla_for_each_nested (attr, attrs[IFLA_PROP_LIST], rem)
        {
          const char *alt = nla_data (attr);
          int len = nla_len (attr);

          if (nla_type (attr) != IFLA_ALT_IFNAME || len < 2 || len > ALTIFNAMSIZ || alt[len - 1] != '\0' ||
              strlen (alt) != (gsize) len - 1)
            {
              g_clear_pointer (&f->shown_name, g_free);
              return FALSE;
            }
          if (dpugw_netdev_name_is_valid (alt))
            g_ptr_array_add (altnames, (gpointer) alt);
        }
      /* Trailing bytes too short to be an attribute. */
      if (rem != 0)
        {
          g_clear_pointer (&f->shown_name, g_free);
          return FALSE;
        }
      g_ptr_array_sort (altnames, (GCompareFunc) compare_strings);
      g_ptr_array_add (altnames, NULL);
      f->altnames = g_steal_pointer (&altnames);
    }
  return TRUE;
}

static char **
fields_altnames (const LinkFields *f)
{
  return f->altnames != NULL ? (char **) f->altnames->pdata : NULL;
}

/* An address attribute, if present, must be one address of the family. */
static gboolean
address_attribute_valid (const struct nlattr *attr, int family)
{
  return attr == NULL || nla_len (attr) == (family == AF_INET ? 4 : 16);
}

/*
 * RTM_NEWADDR/RTM_DELADDR: the ifaddrmsg header, a known family, a prefix that fits it, a
 * link, and addresses of the family's length.  Which address does not matter: the rule that
 * follows addresses reads them all again.
 */
static gboolean
address_event_fields (struct nlmsghdr *hdr, int *ifindex)
{
  static struct nla_policy policy[IFA_MAX + 1] = {
    [IFA_LABEL] = { .type = NLA_STRING },
    [IFA_FLAGS] = { .type = NLA_U32 },
  };
  struct nlattr *attrs[IFA_MAX + 1];
  const struct ifaddrmsg *ifa;

  if (!nlmsg_valid_hdr (hdr, sizeof (struct ifaddrmsg)))
    return FALSE;
  ifa = nlmsg_data (hdr);
  if ((ifa->ifa_family != AF_INET && ifa->ifa_family != AF_INET6) ||
      ifa->ifa_prefixlen > (ifa->ifa_family == AF_INET ? 32 : 128) || ifa->ifa_index == 0 ||
      ifa->ifa_index > G_MAXINT)
    return FALSE;
  if (nlmsg_parse (hdr, sizeof (struct ifaddrmsg), attrs, IFA_MAX, policy) < 0 ||
      !address_attribute_valid (attrs[IFA_ADDRESS], ifa->ifa_family) ||
      !address_attribute_valid (attrs[IFA_LOCAL], ifa->ifa_family) ||
      (attrs[IFA_ADDRESS] == NULL && attrs[IFA_LOCAL] == NULL))
    return FALSE;
  *ifindex = (int) ifa->ifa_index;
  return TRUE;
}

/* RTM_NEWROUTE/RTM_DELROUTE: only the main table's default routes matter; *ifindex is RTA_OIF,
 * or 0 (a multipath route, or none). */
static gboolean
route_event_fields (struct nlmsghdr *hdr, int *ifindex)
{
  static struct nla_policy policy[RTA_MAX + 1] = {
    [RTA_TABLE] = { .type = NLA_U32 },
    [RTA_OIF] = { .type = NLA_U32 },
  };
  struct nlattr *attrs[RTA_MAX + 1];
  const struct rtmsg *rtm;
  guint32 table;

  if (!nlmsg_valid_hdr (hdr, sizeof (struct rtmsg)))
    return FALSE;
  rtm = nlmsg_data (hdr);
  if ((rtm->rtm_family != AF_INET && rtm->rtm_family != AF_INET6) || rtm->rtm_dst_len != 0)
    return FALSE;
  if (nlmsg_parse (hdr, sizeof (struct rtmsg), attrs, RTA_MAX, policy) < 0 ||
      !address_attribute_valid (attrs[RTA_DST], rtm->rtm_family) ||
      !address_attribute_valid (attrs[RTA_GATEWAY], rtm->rtm_family))
    return FALSE;
  table = attrs[RTA_TABLE] != NULL ? nla_get_u32 (attrs[RTA_TABLE]) : rtm->rtm_table;
  if (table != RT_TABLE_MAIN)
    return FALSE;
  *ifindex = attrs[RTA_OIF] != NULL && nla_get_u32 (attrs[RTA_OIF]) <= G_MAXINT ? (int) nla_get_u32 (attrs[RTA_OIF])
                                                                                : 0;
  return TRUE;
}

static void
add_addresses_event (DpugwLinkMonitor *self, int ifindex)
{
  add_event (self, DPUGW_LINK_ADDRESSES, MAX (ifindex, 0), NULL, NULL, 0);
}

static int
on_message (struct nl_msg *msg, void *user_data)
{
  DpugwLinkMonitor *self = user_data;
  struct nlmsghdr *hdr = nlmsg_hdr (msg);
  LinkFields f;
  int ifindex = 0;

  if (self->draining)
    return NL_OK;
  switch (hdr->nlmsg_type)
    {
    case RTM_NEWADDR:
    case RTM_DELADDR:
      self->stats.messages++;
      if (address_event_fields (hdr, &ifindex))
        add_addresses_event (self, ifindex);
      return NL_OK;
    case RTM_NEWROUTE:
    case RTM_DELROUTE:
      self->stats.messages++;
      if (route_event_fields (hdr, &ifindex))
        add_addresses_event (self, ifindex);
      return NL_OK;
    case RTM_NEWLINK:
    case RTM_DELLINK:
      break;
    default:
      return NL_OK;
    }
  self->stats.messages++;
  if (!event_fields (hdr, &f))
    return NL_OK;
  if (hdr->nlmsg_type == RTM_DELLINK)
    apply_link (self, f.ifindex, NULL, 0, NULL);
  else
    apply_link (self, f.ifindex, f.name, f.operstate, fields_altnames (&f));
  link_fields_clear (&f);
  return NL_OK;
}

static void start_dump (DpugwLinkMonitor *self);

static gboolean
on_readable (int fd, GIOCondition condition, gpointer user_data)
{
  DpugwLinkMonitor *self = user_data;

  for (;;)
    {
      int err = nl_recvmsgs_default (self->sock);

      if (err >= 0)
        continue;
      if (err == -NLE_AGAIN)
        break;
      if (err == -NLE_NOMEM)
        {
          /* ENOBUFS: the kernel dropped messages.  Forget what is queued, dump, reconcile. */
          g_message ("netlink receive buffer overrun: resynchronising the links");
          self->stats.overruns++;
          self->draining = TRUE;
          for (guint i = 0; i < 1u << 20 && nl_recvmsgs_default (self->sock) != -NLE_AGAIN; i++)
            ;
          self->draining = FALSE;
          /* What is pending was applied to the table already: it stays, the dump adds the rest. */
          self->fd_source = 0;
          start_dump (self);
          return G_SOURCE_REMOVE;
        }
      g_warning ("netlink: %s", nl_geterror (err));
      break;
    }
  schedule_flush (self);
  return G_SOURCE_CONTINUE;
}

static void
watch_socket (DpugwLinkMonitor *self)
{
  self->fd_source = g_unix_fd_add (nl_socket_get_fd (self->sock), G_IO_IN, on_readable, self);
}

/* --- dumps ------------------------------------------------------------------- */

typedef struct {
  int ifindex;
  char *name;
  guint8 operstate;
  GStrv altnames;
} DumpedLink;

static void
dumped_link_free (DumpedLink *link)
{
  g_strfreev (link->altnames);
  g_free (link->name);
  g_free (link);
}

/* The dump's messages, read by the same rules as the events'. */
static int
collect_link (struct nl_msg *msg, void *user_data)
{
  GPtrArray *out = user_data;
  struct nlmsghdr *hdr = nlmsg_hdr (msg);
  DumpedLink *link;
  LinkFields f;

  if (hdr->nlmsg_type != RTM_NEWLINK || !event_fields (hdr, &f))
    return NL_OK;
  link = g_new0 (DumpedLink, 1);
  link->ifindex = f.ifindex;
  link->name = g_strdup (f.name);
  link->operstate = f.operstate;
  link->altnames = g_strdupv (fields_altnames (&f));
  link_fields_clear (&f);
  g_ptr_array_add (out, link);
  return NL_OK;
}

/* The whole link table, read on a socket of its own; NULL with @error. */
static GPtrArray *
dump_links (GError **error)
{
  struct nl_sock *sock = nl_socket_alloc ();
  struct ifinfomsg request = { .ifi_family = AF_UNSPEC };
  g_autoptr(GPtrArray) links = g_ptr_array_new_with_free_func ((GDestroyNotify) dumped_link_free);
  int err;

  if (sock == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, "netlink: out of memory");
      return NULL;
    }
  err = nl_connect (sock, NETLINK_ROUTE);
  if (err >= 0)
    err = nl_socket_modify_cb (sock, NL_CB_VALID, NL_CB_CUSTOM, collect_link, links);
  if (err >= 0)
    err = nl_send_simple (sock, RTM_GETLINK, NLM_F_DUMP, &request, sizeof request);
  if (err >= 0)
    err = nl_recvmsgs_default (sock);
  nl_socket_free (sock);
  if (err < 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "netlink link dump: %s", nl_geterror (err));
      return NULL;
    }
  return g_steal_pointer (&links);
}

static void
dump_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  GError *error = NULL;
  GPtrArray *links = dump_links (&error);

  if (links == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, links, (GDestroyNotify) g_ptr_array_unref);
}

static void apply_dump (DpugwLinkMonitor *self, GPtrArray *links, const GError *error);

static void
dump_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(DpugwLinkMonitor) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) links = g_task_propagate_pointer (G_TASK (result), &error);

  if (g_cancellable_is_cancelled (self->cancellable))
    return;
  apply_dump (self, links, error);
}

/* A dump's links (NULL: it failed with @error) against the table; then the socket is read again. */
static void
apply_dump (DpugwLinkMonitor *self, GPtrArray *links, const GError *error)
{
  gboolean first = !self->synced;

  if (links == NULL)
    g_warning ("%s", error->message);
  else
    {
      g_autoptr(GHashTable) present = g_hash_table_new (g_direct_hash, g_direct_equal);
      GHashTableIter iter;
      gpointer key;
      guint before = self->pending->len;

      for (guint i = 0; i < links->len; i++)
        {
          DumpedLink *link = g_ptr_array_index (links, i);
          g_hash_table_add (present, GINT_TO_POINTER (link->ifindex));
          apply_link (self, link->ifindex, link->name, link->operstate, link->altnames);
        }
      /* Links the dump no longer has are gone. */
      {
        g_autoptr(GArray) gone = g_array_new (FALSE, FALSE, sizeof (int));
        g_hash_table_iter_init (&iter, self->links);
        while (g_hash_table_iter_next (&iter, &key, NULL))
          if (!g_hash_table_contains (present, key))
            {
              int ifindex = GPOINTER_TO_INT (key);
              g_array_append_val (gone, ifindex);
            }
        for (guint i = 0; i < gone->len; i++)
          apply_link (self, g_array_index (gone, int, i), NULL, 0, NULL);
      }
      /* The first dump only learns the links: it is no change.  A later one repairs an overrun,
       * which may have lost address and route messages too. */
      if (first)
        {
          self->stats.events -= self->pending->len - before;
          g_ptr_array_set_size (self->pending, before);
        }
      else
        add_addresses_event (self, 0);
    }

  self->synced = TRUE; /* from now on, dumps reconcile */
  /* The events queued while dumping, then follow the socket (unless they overran it again). */
  if (on_readable (nl_socket_get_fd (self->sock), G_IO_IN, self) == G_SOURCE_CONTINUE)
    watch_socket (self);
}

static void
start_dump (DpugwLinkMonitor *self)
{
  g_autoptr(GTask) task = g_task_new (NULL, self->cancellable, dump_done, g_object_ref (self));

  g_task_run_in_thread (task, dump_thread);
}

/* --- setup ------------------------------------------------------------------- */

DpugwLinkMonitor *
dpugw_link_monitor_new (guint quiet_msec, guint max_delay_msec, int rcvbuf, GError **error)
{
  g_autoptr(DpugwLinkMonitor) self = g_object_new (DPUGW_TYPE_LINK_MONITOR, NULL);
  int err, fd;

  self->quiet_msec = MAX (quiet_msec, 1);
  self->max_delay_msec = MAX (max_delay_msec, self->quiet_msec);

  self->sock = nl_socket_alloc ();
  if (self->sock == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, "netlink: out of memory");
      return NULL;
    }
  /* Notifications carry no sequence numbers of ours. */
  nl_socket_disable_seq_check (self->sock);
  nl_socket_modify_cb (self->sock, NL_CB_VALID, NL_CB_CUSTOM, on_message, self);
  err = nl_connect (self->sock, NETLINK_ROUTE);
  if (err >= 0)
    err = nl_socket_add_memberships (self->sock, RTNLGRP_LINK, RTNLGRP_IPV4_IFADDR, RTNLGRP_IPV6_IFADDR,
                                     RTNLGRP_IPV4_ROUTE, RTNLGRP_IPV6_ROUTE, RTNLGRP_NONE);
  if (err >= 0)
    err = nl_socket_set_nonblocking (self->sock);
  if (err < 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "netlink: %s", nl_geterror (err));
      return NULL;
    }

  /* A large receive buffer: past rmem_max when we may (CAP_NET_ADMIN), else what we get. */
  fd = nl_socket_get_fd (self->sock);
  if (rcvbuf <= 0)
    rcvbuf = DEFAULT_RCVBUF;
  if (setsockopt (fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof rcvbuf) < 0 &&
      setsockopt (fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf) < 0)
    g_debug ("netlink: cannot set the receive buffer: %s", g_strerror (errno));

  return g_steal_pointer (&self);
}

void
dpugw_link_monitor_start (DpugwLinkMonitor *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) links = NULL;

  g_return_if_fail (self->fd_source == 0);
  /* The first dump before anything else: at start-up, before the main loop runs and the first
   * pass reads sysfs, so that a link changed after that pass arrives as an event.  Done in a
   * thread, while the daemon already answered, a change between the pass and the dump's
   * snapshot would be in neither. */
  links = dump_links (&error);
  apply_dump (self, links, error);
}

