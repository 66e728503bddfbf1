/* SPDX-License-Identifier: Apache-2.0
 *
 * The host's network over rtnetlink (libnl-route-3 caches), and the rules ovnkube-node and
 * kubelet apply to it: the node IP, the link holding it, the default route's link.  What the
 * kernel hands over is still input: every object is checked before it is kept.
 */
#define G_LOG_DOMAIN "dpugw-hostnet"

#include "dpu-gateway/dpugw-error.h"
#include "dpu-gateway/dpugw-hostnet.h"
#include "dpu-gateway/dpugw-names.h"

#include <linux/if.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/route.h>
#include <string.h>
#include <sys/socket.h>

DpugwGatewayRule
dpugw_config_gateway_rule (const DpugwConfig *config)
{
  if (config->gateway_interface == NULL)
    return config->mode == DPUGW_NODE_MODE_DPU_HOST ? DPUGW_GATEWAY_RULE_NODE_IP : DPUGW_GATEWAY_RULE_DEFAULT_ROUTE;
  /* ovnkube compares byte for byte. */
  if (strcmp (config->gateway_interface, DPUGW_DERIVE_FROM_MGMT_PORT) == 0)
    return DPUGW_GATEWAY_RULE_DERIVE;
  return DPUGW_GATEWAY_RULE_CONFIGURED;
}

gboolean
dpugw_gateway_rule_follows_host_network (DpugwGatewayRule rule)
{
  return rule == DPUGW_GATEWAY_RULE_NODE_IP || rule == DPUGW_GATEWAY_RULE_DEFAULT_ROUTE;
}

/* --- the model ---------------------------------------------------------------------------------- */

static void
host_address_free (DpugwHostAddress *address)
{
  g_free (address->label);
  g_free (address);
}

static void
host_link_free (DpugwHostLink *link)
{
  g_free (link->name);
  g_ptr_array_unref (link->addresses);
  g_free (link);
}

DpugwHostNetwork *
dpugw_host_network_new (void)
{
  DpugwHostNetwork *net = g_new0 (DpugwHostNetwork, 1);

  net->links = g_ptr_array_new_with_free_func ((GDestroyNotify) host_link_free);
  net->routes = g_array_new (FALSE, TRUE, sizeof (DpugwHostRoute));
  return net;
}

void
dpugw_host_network_free (DpugwHostNetwork *net)
{
  if (net == NULL)
    return;
  g_ptr_array_unref (net->links);
  g_array_unref (net->routes);
  g_free (net);
}

DpugwHostLink *
dpugw_host_network_add_link (DpugwHostNetwork *net, int ifindex, const char *name, guint flags)
{
  DpugwHostLink *link = g_new0 (DpugwHostLink, 1);

  link->ifindex = ifindex;
  link->name = g_strdup (name);
  link->flags = flags;
  link->addresses = g_ptr_array_new_with_free_func ((GDestroyNotify) host_address_free);
  g_ptr_array_add (net->links, link);
  return link;
}

const DpugwHostLink *
dpugw_host_network_link (const DpugwHostNetwork *net, int ifindex)
{
  for (guint i = 0; i < net->links->len; i++)
    {
      const DpugwHostLink *link = g_ptr_array_index (net->links, i);

      if (link->ifindex == ifindex)
        return link;
    }
  return NULL;
}

static guint
family_bits (int family)
{
  return family == AF_INET ? 32 : family == AF_INET6 ? 128 : 0;
}

gboolean
dpugw_host_network_add_address (DpugwHostNetwork *net, int ifindex, int family, const guint8 *bytes,
                                guint prefixlen, guint32 flags, const char *label)
{
  DpugwHostLink *link = (DpugwHostLink *) dpugw_host_network_link (net, ifindex);
  DpugwHostAddress *address;

  if (link == NULL || family_bits (family) == 0 || prefixlen > family_bits (family))
    return FALSE;
  address = g_new0 (DpugwHostAddress, 1);
  address->family = family;
  memcpy (address->bytes, bytes, family_bits (family) / 8);
  address->prefixlen = prefixlen;
  address->flags = flags;
  address->label = g_strdup (label);
  g_ptr_array_add (link->addresses, address);
  return TRUE;
}

/* --- addresses ---------------------------------------------------------------------------------- */

/* Whether the first @prefixlen bits of @a and @b agree. */
static gboolean
prefix_equal (const guint8 *a, const guint8 *b, guint prefixlen)
{
  guint whole = prefixlen / 8, rest = prefixlen % 8;

  if (memcmp (a, b, whole) != 0)
    return FALSE;
  return rest == 0 || ((a[whole] ^ b[whole]) & (guint8) (0xff << (8 - rest))) == 0;
}

static gboolean
in_subnet (int family, const guint8 *bytes, const char *subnet)
{
  g_autoptr(GInetAddressMask) mask = g_inet_address_mask_new_from_string (subnet, NULL);
  GInetAddress *base = g_inet_address_mask_get_address (mask);

  return g_inet_address_get_family (base) == (family == AF_INET ? G_SOCKET_FAMILY_IPV4 : G_SOCKET_FAMILY_IPV6) &&
         prefix_equal (bytes, g_inet_address_to_bytes (base), g_inet_address_mask_get_length (mask));
}

static gboolean
is_link_local (int family, const guint8 *b)
{
  return family == AF_INET ? b[0] == 169 && b[1] == 254 : b[0] == 0xfe && (b[1] & 0xc0) == 0x80;
}

gboolean
dpugw_host_address_is_usable (const DpugwHostAddress *a)
{
  if (is_link_local (a->family, a->bytes))
    return FALSE;
  if (in_subnet (a->family, a->bytes, a->family == AF_INET ? DPUGW_V4_MASQUERADE_SUBNET : DPUGW_V6_MASQUERADE_SUBNET))
    return FALSE;
  if (a->label != NULL && g_str_has_suffix (a->label, "vip"))
    return FALSE;
  return (a->flags & (IFA_F_SECONDARY | IFA_F_DEPRECATED)) == 0;
}

/* Go's net.IP.IsGlobalUnicast(), which kubelet asks of the default route's addresses. */
static gboolean
is_global_unicast (const DpugwHostAddress *a)
{
  static const guint8 zero[16];
  const guint8 *b = a->bytes;

  if (a->family == AF_INET)
    return !(b[0] == 255 && b[1] == 255 && b[2] == 255 && b[3] == 255) && memcmp (b, zero, 4) != 0 &&
           b[0] != 127 && (b[0] & 0xf0) != 0xe0 && !is_link_local (AF_INET, b);
  return memcmp (b, zero, 16) != 0 && !(memcmp (b, zero, 15) == 0 && b[15] == 1) && b[0] != 0xff &&
         !is_link_local (AF_INET6, b);
}

GInetAddress *
dpugw_node_ip_parse (const char *text, GError **error)
{
  GInetAddress *address = text != NULL ? g_inet_address_new_from_string (text) : NULL;

  if (address == NULL)
    {
      g_autofree char *q = dpugw_quote_untrusted (text);
      g_set_error (error, DPUGW_ERROR, DPUGW_ERROR_INVALID_CONFIG,
                   "invalid node IP %s: expected an IPv4 or IPv6 address", q);
    }
  return address;
}

static int
inet_family (GInetAddress *address)
{
  return g_inet_address_get_family (address) == G_SOCKET_FAMILY_IPV4 ? AF_INET : AF_INET6;
}

GInetAddress *
dpugw_host_network_default_node_ip (const DpugwHostNetwork *net, GError **error)
{
  static const int families[] = { AF_INET, AF_INET6 };

  for (guint f = 0; f < G_N_ELEMENTS (families); f++)
    for (guint r = 0; r < net->routes->len; r++)
      {
        const DpugwHostRoute *route = &g_array_index (net->routes, DpugwHostRoute, r);
        const DpugwHostLink *link = dpugw_host_network_link (net, route->ifindex);

        if (route->family != families[f] || link == NULL || (link->flags & IFF_UP) == 0)
          continue;
        for (guint i = 0; i < link->addresses->len; i++)
          {
            const DpugwHostAddress *a = g_ptr_array_index (link->addresses, i);

            if (a->family == families[f] && is_global_unicast (a))
              return g_inet_address_new_from_bytes (a->bytes, families[f] == AF_INET ? G_SOCKET_FAMILY_IPV4
                                                                                      : G_SOCKET_FAMILY_IPV6);
          }
      }
  g_set_error_literal (error, DPUGW_ERROR, DPUGW_ERROR_HOST_NETWORK,
                       "cannot tell the node IP: no link that is up and carries a default route has a "
                       "global address; give it with --node-ip or " DPUGW_ENV_NODE_IP);
  return NULL;
}

/* Go's net.IP, which ovnkube matches with, takes an IPv4-mapped IPv6 address (::ffff:a.b.c.d) for
 * the IPv4 address: so does this. */
static const guint8 *
node_ip_bytes (GInetAddress *node_ip, int *family)
{
  static const guint8 v4_mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
  const guint8 *ip = g_inet_address_to_bytes (node_ip);

  *family = inet_family (node_ip);
  if (*family == AF_INET6 && memcmp (ip, v4_mapped, sizeof v4_mapped) == 0)
    {
      *family = AF_INET;
      return ip + sizeof v4_mapped;
    }
  return ip;
}

const DpugwHostLink *
dpugw_host_network_node_ip_link (const DpugwHostNetwork *net, GInetAddress *node_ip, GError **error)
{
  int family;
  const guint8 *ip = node_ip_bytes (node_ip, &family);
  g_autofree char *text = NULL;

  for (guint l = 0; l < net->links->len; l++)
    {
      const DpugwHostLink *link = g_ptr_array_index (net->links, l);

      for (guint i = 0; i < link->addresses->len; i++)
        {
          const DpugwHostAddress *a = g_ptr_array_index (link->addresses, i);

          if (a->family == family && dpugw_host_address_is_usable (a) && prefix_equal (a->bytes, ip, a->prefixlen))
            return link;
        }
    }
  if (family == AF_INET && inet_family (node_ip) == AF_INET6)
    text = g_strdup_printf ("%u.%u.%u.%u", ip[0], ip[1], ip[2], ip[3]);
  else
    text = g_inet_address_to_string (node_ip);
  g_set_error (error, DPUGW_ERROR, DPUGW_ERROR_HOST_NETWORK, "failed to find network interface with IP: %s", text);
  return NULL;
}

/* The first usable default route of @family: its link, or NULL. */
static const DpugwHostLink *
default_route_link (const DpugwHostNetwork *net, int family)
{
  for (guint r = 0; r < net->routes->len; r++)
    {
      const DpugwHostRoute *route = &g_array_index (net->routes, DpugwHostRoute, r);
      const DpugwHostLink *link = dpugw_host_network_link (net, route->ifindex);

      /* ovnkube skips, with a warning, a route whose link or gateway it cannot get. */
      if (route->family == family && link != NULL && route->has_gateway)
        return link;
    }
  return NULL;
}

const DpugwHostLink *
dpugw_host_network_default_route_link (const DpugwHostNetwork *net, GError **error)
{
  const DpugwHostLink *v4 = default_route_link (net, AF_INET);
  const DpugwHostLink *v6 = default_route_link (net, AF_INET6);

  if (v4 != NULL && v6 != NULL && strcmp (v4->name, v6->name) != 0)
    {
      g_set_error (error, DPUGW_ERROR, DPUGW_ERROR_HOST_NETWORK, "multiple gateway interfaces detected: '%s' '%s'",
                   v4->name, v6->name);
      return NULL;
    }
  if (v4 == NULL && v6 == NULL)
    {
      g_set_error_literal (error, DPUGW_ERROR, DPUGW_ERROR_HOST_NETWORK,
                           "unable to find default gateway and none provided via config");
      return NULL;
    }
  return v4 != NULL ? v4 : v6;
}

/* --- reading it --------------------------------------------------------------------------------- */

static void
collect_link (struct nl_object *object, void *user_data)
{
  DpugwHostNetwork *net = user_data;
  struct rtnl_link *link = (struct rtnl_link *) object;
  const char *name = rtnl_link_get_name (link);
  int ifindex = rtnl_link_get_ifindex (link);

  /* A name the kernel would not give is kept for the error it makes if it is the answer. */
  if (rtnl_link_get_family (link) != AF_UNSPEC || ifindex <= 0 || name == NULL ||
      dpugw_host_network_link (net, ifindex) != NULL)
    return;
  dpugw_host_network_add_link (net, ifindex, name, rtnl_link_get_flags (link));
}

static void
collect_address (struct nl_object *object, void *user_data)
{
  DpugwHostNetwork *net = user_data;
  struct rtnl_addr *addr = (struct rtnl_addr *) object;
  struct nl_addr *local = rtnl_addr_get_local (addr);
  int family = rtnl_addr_get_family (addr);

  if (local == NULL || nl_addr_get_family (local) != family || nl_addr_get_len (local) != family_bits (family) / 8)
    return;
  dpugw_host_network_add_address (net, rtnl_addr_get_ifindex (addr), family, nl_addr_get_binary_addr (local),
                                  (guint) rtnl_addr_get_prefixlen (addr), (guint32) rtnl_addr_get_flags (addr),
                                  rtnl_addr_get_label (addr));
}

static void
collect_route (struct nl_object *object, void *user_data)
{
  DpugwHostNetwork *net = user_data;
  struct rtnl_route *route = (struct rtnl_route *) object;
  struct nl_addr *dst = rtnl_route_get_dst (route);
  int family = rtnl_route_get_family (route);

  /* The main table's unicast default routes, as ovnkube and /proc/net/route (kubelet) see them. */
  if ((family != AF_INET && family != AF_INET6) || rtnl_route_get_table (route) != RT_TABLE_MAIN ||
      rtnl_route_get_type (route) != RTN_UNICAST || (dst != NULL && nl_addr_get_prefixlen (dst) != 0))
    return;
  for (int i = 0; i < rtnl_route_get_nnexthops (route); i++)
    {
      struct rtnl_nexthop *nh = rtnl_route_nexthop_n (route, i);
      DpugwHostRoute entry = { .family = family };

      if (nh == NULL || rtnl_route_nh_get_ifindex (nh) <= 0)
        continue;
      entry.ifindex = rtnl_route_nh_get_ifindex (nh);
      entry.has_gateway = rtnl_route_nh_get_gateway (nh) != NULL;
      g_array_append_val (net->routes, entry);
    }
}

DpugwHostNetwork *
dpugw_host_network_read (gboolean with_routes, GError **error)
{
  g_autoptr(DpugwHostNetwork) net = dpugw_host_network_new ();
  struct nl_sock *sock = nl_socket_alloc ();
  struct nl_cache *links = NULL, *addresses = NULL, *routes = NULL;
  const char *what = "network devices";
  int err;

  if (sock == NULL)
    {
      g_set_error_literal (error, DPUGW_ERROR, DPUGW_ERROR_HOST_NETWORK, "netlink: out of memory");
      return NULL;
    }
  err = nl_connect (sock, NETLINK_ROUTE);
  if (err >= 0)
    err = rtnl_link_alloc_cache (sock, AF_UNSPEC, &links);
  if (err >= 0)
    {
      what = "addresses";
      err = rtnl_addr_alloc_cache (sock, &addresses);
    }
  if (err >= 0 && with_routes)
    {
      what = "routes";
      err = rtnl_route_alloc_cache (sock, AF_UNSPEC, 0, &routes);
    }
  if (err >= 0)
    {
      nl_cache_foreach (links, collect_link, net);
      nl_cache_foreach (addresses, collect_address, net);
      if (routes != NULL)
        nl_cache_foreach (routes, collect_route, net);
    }
  if (routes != NULL)
    nl_cache_free (routes);
  if (addresses != NULL)
    nl_cache_free (addresses);
  if (links != NULL)
    nl_cache_free (links);
  nl_socket_free (sock);
  if (err < 0)
    {
      g_set_error (error, DPUGW_ERROR, DPUGW_ERROR_HOST_NETWORK, "failed to list %s in the system: %s", what,
                   nl_geterror (err));
      return NULL;
    }
  return g_steal_pointer (&net);
}
