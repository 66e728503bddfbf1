/* SPDX-License-Identifier: Apache-2.0
 *
 * The host's network as ovnkube-node and kubelet read it over rtnetlink: links, their
 * addresses and the default routes; the node IP; and the gateway interface ovnkube-node uses
 * when none is configured (dpu-host: the link holding the node IP; full, dpu: the default
 * route's).
 */
#pragma once

#include <gio/gio.h>
#include "dpugw-config.h"

G_BEGIN_DECLS

/* ovnkube's masquerade subnets (their defaults), whose addresses are never the node's. */
#define DPUGW_V4_MASQUERADE_SUBNET "169.254.0.0/17"
#define DPUGW_V6_MASQUERADE_SUBNET "fd69::/112"

/* How ovnkube-node finds the gateway interface under a configuration. */
typedef enum {
  DPUGW_GATEWAY_RULE_DERIVE,         /* --gateway-interface=derive-from-mgmt-port (dpu-host) */
  DPUGW_GATEWAY_RULE_CONFIGURED,     /* --gateway-interface=NAME */
  DPUGW_GATEWAY_RULE_NODE_IP,        /* unset, dpu-host: the link whose address prefix holds the node IP */
  DPUGW_GATEWAY_RULE_DEFAULT_ROUTE,  /* unset, full or dpu: the default route's link */
} DpugwGatewayRule;

DpugwGatewayRule dpugw_config_gateway_rule (const DpugwConfig *config);
/* Whether the rule's answer follows the host's addresses and routes. */
gboolean dpugw_gateway_rule_follows_host_network (DpugwGatewayRule rule);

/* An interface address, as RTM_NEWADDR gives it. */
typedef struct {
  int family;          /* AF_INET or AF_INET6 */
  guint8 bytes[16];    /* 4 used for AF_INET */
  guint prefixlen;
  guint32 flags;       /* IFA_F_* (IFA_FLAGS when present) */
  char *label;         /* IFA_LABEL, or NULL */
} DpugwHostAddress;

/* A link, with its addresses in the kernel's dump order. */
typedef struct {
  int ifindex;
  char *name;          /* the primary name, as the kernel gives it (validated when answered) */
  guint flags;         /* IFF_* */
  GPtrArray *addresses;  /* DpugwHostAddress */
} DpugwHostLink;

/* A default route of the main table (one per next hop, in order). */
typedef struct {
  int family;
  int ifindex;
  gboolean has_gateway;
} DpugwHostRoute;

typedef struct {
  GPtrArray *links;    /* DpugwHostLink, in the kernel's dump order */
  GArray *routes;      /* DpugwHostRoute */
} DpugwHostNetwork;

DpugwHostNetwork *dpugw_host_network_new (void);
void dpugw_host_network_free (DpugwHostNetwork *net);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DpugwHostNetwork, dpugw_host_network_free)
/* Adds a link (@name copied), returned for its addresses. */
DpugwHostLink *dpugw_host_network_add_link (DpugwHostNetwork *net, int ifindex, const char *name, guint flags);
/* Adds an address to the link of @ifindex; FALSE (nothing added) for an unknown link, a family
 * other than AF_INET/AF_INET6, or a prefix too long for the family. */
gboolean dpugw_host_network_add_address (DpugwHostNetwork *net, int ifindex, int family, const guint8 *bytes,
                                         guint prefixlen, guint32 flags, const char *label);
const DpugwHostLink *dpugw_host_network_link (const DpugwHostNetwork *net, int ifindex);

/* Reads this network namespace's links, addresses and, with @routes, main-table default routes
 * with libnl-route-3 (a host may have very many routes: only read them when needed).
 * DPUGW_ERROR_HOST_NETWORK. */
DpugwHostNetwork *dpugw_host_network_read (gboolean routes, GError **error);

/* ovnkube's address filter (GetFilteredInterfaceAddrs): not link-local, not in a masquerade
 * subnet, no label ending in "vip" (keepalived's), neither secondary nor deprecated. */
gboolean dpugw_host_address_is_usable (const DpugwHostAddress *address);

/* An IPv4 or IPv6 address, textual; DPUGW_ERROR_INVALID_CONFIG otherwise. */
GInetAddress *dpugw_node_ip_parse (const char *text, GError **error);

/* The address kubelet picks by default: the first global unicast address of the first up
 * link that carries a default route, IPv4 routes first, then IPv6.  DPUGW_ERROR_HOST_NETWORK. */
GInetAddress *dpugw_host_network_default_node_ip (const DpugwHostNetwork *net, GError **error);

/* ovnkube-node, dpu-host: the first link (dump order) with a usable address whose prefix
 * contains @node_ip.  DPUGW_ERROR_HOST_NETWORK: "failed to find network interface with IP: %s". */
const DpugwHostLink *dpugw_host_network_node_ip_link (const DpugwHostNetwork *net, GInetAddress *node_ip,
                                                      GError **error);

/* ovnkube-node, full and dpu: the link of the first default route with a gateway, IPv4 first;
 * IPv4 and IPv6 on different links is an error, as is none.  DPUGW_ERROR_HOST_NETWORK. */
const DpugwHostLink *dpugw_host_network_default_route_link (const DpugwHostNetwork *net, GError **error);

G_END_DECLS
