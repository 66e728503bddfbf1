/* SPDX-License-Identifier: Apache-2.0
 *
 * Unit tests of the host-network rules on hand-built networks (no netlink here; test-netlink
 * reads real links in a network namespace): which gateway rule a configuration means,
 * ovnkube's address filter, the node-IP link, kubelet's default node IP, the default route's
 * link, and the node IP's validation.
 */
#include <dpu-gateway/dpu-gateway.h>

#include <arpa/inet.h>
#include <linux/if.h>
#include <linux/if_addr.h>
#include <string.h>
#include <sys/socket.h>

/* Adds "ADDRESS/PREFIX" to the link of @ifindex. */
static void
add_address (DpugwHostNetwork *net, int ifindex, const char *cidr, guint32 flags, const char *label)
{
  g_auto(GStrv) parts = g_strsplit (cidr, "/", 2);
  guint8 bytes[16] = { 0 };
  int family = strchr (parts[0], ':') != NULL ? AF_INET6 : AF_INET;

  g_assert_cmpint (inet_pton (family, parts[0], bytes), ==, 1);
  g_assert_true (dpugw_host_network_add_address (net, ifindex, family, bytes, (guint) atoi (parts[1]), flags, label));
}

static void
add_route (DpugwHostNetwork *net, int family, int ifindex, gboolean has_gateway)
{
  DpugwHostRoute route = { .family = family, .ifindex = ifindex, .has_gateway = has_gateway };

  g_array_append_val (net->routes, route);
}

static GInetAddress *
ip (const char *text)
{
  return g_inet_address_new_from_string (text);
}

/* The name of the node-IP link for @node_ip, or NULL with the error's message in *@message. */
static const char *
node_ip_link (DpugwHostNetwork *net, const char *node_ip, char **message)
{
  g_autoptr(GInetAddress) address = ip (node_ip);
  g_autoptr(GError) error = NULL;
  const DpugwHostLink *link = dpugw_host_network_node_ip_link (net, address, &error);

  if (link == NULL)
    {
      g_assert_error (error, DPUGW_ERROR, DPUGW_ERROR_HOST_NETWORK);
      if (message != NULL)
        *message = g_strdup (error->message);
      return NULL;
    }
  g_assert_no_error (error);
  return link->name;
}

/* --- the rule ------------------------------------------------------------------------------------- */

static void
test_rule (void)
{
  static const struct {
    DpugwNodeMode mode;
    const char *interface;
    DpugwGatewayRule rule;
  } cases[] = {
    { DPUGW_NODE_MODE_DPU_HOST, NULL, DPUGW_GATEWAY_RULE_NODE_IP },
    { DPUGW_NODE_MODE_FULL, NULL, DPUGW_GATEWAY_RULE_DEFAULT_ROUTE },
    { DPUGW_NODE_MODE_DPU, NULL, DPUGW_GATEWAY_RULE_DEFAULT_ROUTE },
    { DPUGW_NODE_MODE_DPU_HOST, "derive-from-mgmt-port", DPUGW_GATEWAY_RULE_DERIVE },
    /* Byte for byte, as ovnkube compares: anything else is a name. */
    { DPUGW_NODE_MODE_DPU_HOST, "Derive-from-mgmt-port", DPUGW_GATEWAY_RULE_CONFIGURED },
    { DPUGW_NODE_MODE_DPU_HOST, "eth7", DPUGW_GATEWAY_RULE_CONFIGURED },
    { DPUGW_NODE_MODE_FULL, "eth7", DPUGW_GATEWAY_RULE_CONFIGURED },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(DpugwConfig) config = dpugw_config_new ();

      config->mode = cases[i].mode;
      config->gateway_interface = g_strdup (cases[i].interface);
      g_assert_cmpint (dpugw_config_gateway_rule (config), ==, cases[i].rule);
      g_assert_cmpint (dpugw_gateway_rule_follows_host_network (cases[i].rule), ==,
                       cases[i].rule == DPUGW_GATEWAY_RULE_NODE_IP || cases[i].rule == DPUGW_GATEWAY_RULE_DEFAULT_ROUTE);
    }
}

/* --- ovnkube's address filter --------------------------------------------------------------------- */

static void
test_filter (void)
{
  static const struct {
    const char *cidr;
    guint32 flags;
    const char *label;
    gboolean usable;
  } cases[] = {
    { "10.0.0.5/24", 0, NULL, TRUE },
    { "10.0.0.5/24", 0, "eth0", TRUE },
    { "2001:db8::5/64", 0, NULL, TRUE },
    { "169.254.3.1/16", 0, NULL, FALSE },          /* link-local */
    { "fe80::1/64", 0, NULL, FALSE },              /* link-local */
    { "febf::1/64", 0, NULL, FALSE },              /* still fe80::/10 */
    { "fec0::1/64", 0, NULL, TRUE },
    { "169.254.0.2/17", 0, NULL, FALSE },          /* masquerade (and link-local) */
    { "fd69::2/112", 0, NULL, FALSE },             /* masquerade */
    { "fd69::1:2/112", 0, NULL, TRUE },            /* past fd69::/112 */
    { "10.0.0.9/24", 0, "eth0:vip", FALSE },       /* keepalived */
    { "10.0.0.9/24", 0, "vip", FALSE },
    { "10.0.0.9/24", 0, "eth0:vip1", TRUE },
    { "10.0.0.9/24", IFA_F_SECONDARY, NULL, FALSE },
    { "10.0.0.9/24", IFA_F_DEPRECATED, NULL, FALSE },
    { "10.0.0.9/24", IFA_F_PERMANENT | IFA_F_NOPREFIXROUTE, NULL, TRUE },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(DpugwHostNetwork) net = dpugw_host_network_new ();
      DpugwHostLink *link = dpugw_host_network_add_link (net, 2, "eth0", IFF_UP);

      add_address (net, 2, cases[i].cidr, cases[i].flags, cases[i].label);
      g_test_message ("%s flags 0x%x label %s", cases[i].cidr, cases[i].flags, cases[i].label);
      g_assert_cmpint (dpugw_host_address_is_usable (g_ptr_array_index (link->addresses, 0)), ==, cases[i].usable);
    }
}

/* What the model refuses to hold. */
static void
test_add_address_checks (void)
{
  g_autoptr(DpugwHostNetwork) net = dpugw_host_network_new ();
  const guint8 bytes[16] = { 10, 0, 0, 1 };

  dpugw_host_network_add_link (net, 2, "eth0", 0);
  g_assert_false (dpugw_host_network_add_address (net, 3, AF_INET, bytes, 24, 0, NULL));   /* no such link */
  g_assert_false (dpugw_host_network_add_address (net, 2, AF_INET, bytes, 33, 0, NULL));   /* prefix too long */
  g_assert_false (dpugw_host_network_add_address (net, 2, AF_INET6, bytes, 129, 0, NULL));
  g_assert_false (dpugw_host_network_add_address (net, 2, AF_PACKET, bytes, 8, 0, NULL));
  g_assert_true (dpugw_host_network_add_address (net, 2, AF_INET6, bytes, 128, 0, NULL));
  g_assert_true (dpugw_host_network_add_address (net, 2, AF_INET, bytes, 0, 0, NULL));
}

/* --- the node IP's link --------------------------------------------------------------------------- */

/* The prefix holds the node IP, not the address alone; links are tried in dump order. */
static void
test_node_ip_prefix (void)
{
  g_autoptr(DpugwHostNetwork) net = dpugw_host_network_new ();
  g_autofree char *message = NULL;

  dpugw_host_network_add_link (net, 1, "lo", IFF_UP);
  dpugw_host_network_add_link (net, 7, "ens1f0", IFF_UP);
  dpugw_host_network_add_link (net, 3, "ens2f0", IFF_UP);
  add_address (net, 1, "127.0.0.1/8", 0, NULL);
  add_address (net, 7, "192.168.10.2/24", 0, NULL);
  add_address (net, 7, "2001:db8:1::2/64", 0, NULL);
  add_address (net, 3, "10.1.0.2/16", 0, NULL);
  add_address (net, 3, "192.168.10.3/24", 0, NULL);

  g_assert_cmpstr (node_ip_link (net, "192.168.10.2", NULL), ==, "ens1f0");
  /* Another host's address in the subnet: the subnet decides, the first link wins. */
  g_assert_cmpstr (node_ip_link (net, "192.168.10.3", NULL), ==, "ens1f0");
  g_assert_cmpstr (node_ip_link (net, "192.168.10.200", NULL), ==, "ens1f0");
  g_assert_cmpstr (node_ip_link (net, "10.1.255.254", NULL), ==, "ens2f0");
  g_assert_cmpstr (node_ip_link (net, "2001:db8:1::ffff", NULL), ==, "ens1f0");
  g_assert_cmpstr (node_ip_link (net, "127.0.0.53", NULL), ==, "lo");
  g_assert_null (node_ip_link (net, "10.2.0.1", &message));
  g_assert_cmpstr (message, ==, "failed to find network interface with IP: 10.2.0.1");
  g_clear_pointer (&message, g_free);
  /* An IPv4-mapped IPv6 address is the IPv4 address, as for Go's net.IP. */
  g_assert_cmpstr (node_ip_link (net, "::ffff:192.168.10.9", NULL), ==, "ens1f0");
  g_assert_null (node_ip_link (net, "::ffff:10.2.0.1", &message));
  g_assert_cmpstr (message, ==, "failed to find network interface with IP: 10.2.0.1");
  g_clear_pointer (&message, g_free);
  /* An IPv6 node IP never matches an IPv4 prefix. */
  g_assert_null (node_ip_link (net, "2001:db8:2::1", &message));
  g_assert_cmpstr (message, ==, "failed to find network interface with IP: 2001:db8:2::1");
}

/* Filtered addresses do not count, even when their prefix holds the node IP. */
static void
test_node_ip_filtered (void)
{
  g_autoptr(DpugwHostNetwork) net = dpugw_host_network_new ();

  dpugw_host_network_add_link (net, 2, "vip0", IFF_UP);
  dpugw_host_network_add_link (net, 3, "sec0", IFF_UP);
  dpugw_host_network_add_link (net, 4, "eth0", IFF_UP);
  add_address (net, 2, "10.0.0.100/24", 0, "vip0:vip");
  add_address (net, 3, "10.0.0.101/24", IFA_F_SECONDARY, NULL);
  add_address (net, 3, "10.0.0.102/24", IFA_F_DEPRECATED, NULL);
  add_address (net, 4, "10.0.0.5/24", 0, NULL);
  g_assert_cmpstr (node_ip_link (net, "10.0.0.100", NULL), ==, "eth0");
}

/* A prefix length that is not a multiple of eight, and /0 and /32. */
static void
test_node_ip_bits (void)
{
  g_autoptr(DpugwHostNetwork) net = dpugw_host_network_new ();

  dpugw_host_network_add_link (net, 2, "a", 0);
  dpugw_host_network_add_link (net, 3, "b", 0);
  dpugw_host_network_add_link (net, 4, "c", 0);
  add_address (net, 2, "10.0.0.1/32", 0, NULL);
  add_address (net, 3, "172.16.0.1/12", 0, NULL);
  add_address (net, 4, "0.0.0.0/0", 0, NULL);
  g_assert_cmpstr (node_ip_link (net, "10.0.0.1", NULL), ==, "a");
  g_assert_cmpstr (node_ip_link (net, "10.0.0.2", NULL), ==, "c");
  g_assert_cmpstr (node_ip_link (net, "172.31.255.255", NULL), ==, "b");
  g_assert_cmpstr (node_ip_link (net, "172.32.0.0", NULL), ==, "c");
}

/* --- kubelet's default node IP -------------------------------------------------------------------- */

static char *
default_node_ip (DpugwHostNetwork *net)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GInetAddress) address = dpugw_host_network_default_node_ip (net, &error);

  if (address == NULL)
    {
      g_assert_error (error, DPUGW_ERROR, DPUGW_ERROR_HOST_NETWORK);
      return NULL;
    }
  return g_inet_address_to_string (address);
}

static void
test_default_node_ip (void)
{
  g_autoptr(DpugwHostNetwork) net = dpugw_host_network_new ();
  g_autofree char *a = NULL, *b = NULL, *c = NULL, *d = NULL, *e = NULL;

  dpugw_host_network_add_link (net, 2, "down0", 0);
  dpugw_host_network_add_link (net, 3, "eth0", IFF_UP);
  dpugw_host_network_add_link (net, 4, "eth1", IFF_UP);
  add_address (net, 2, "10.9.0.1/24", 0, NULL);
  add_address (net, 3, "fe80::1/64", 0, NULL);
  add_address (net, 3, "2001:db8::3/64", 0, NULL);
  add_address (net, 3, "169.254.1.1/16", 0, NULL);
  add_address (net, 3, "10.0.0.3/24", 0, NULL);
  add_address (net, 3, "10.0.0.4/24", 0, NULL);
  add_address (net, 4, "10.1.0.4/24", 0, NULL);

  /* No default route: no node IP. */
  g_assert_null (a = default_node_ip (net));
  /* IPv6 only: its first global address. */
  add_route (net, AF_INET6, 3, TRUE);
  b = default_node_ip (net);
  g_assert_cmpstr (b, ==, "2001:db8::3");
  /* A link that is down does not count; IPv4 goes before IPv6; the first global address of
   * the family, link-local ones skipped. */
  add_route (net, AF_INET, 2, TRUE);
  c = default_node_ip (net);
  g_assert_cmpstr (c, ==, "2001:db8::3");
  add_route (net, AF_INET, 3, FALSE);
  add_route (net, AF_INET, 4, TRUE);
  d = default_node_ip (net);
  g_assert_cmpstr (d, ==, "10.0.0.3");
  /* A route to a link kubelet knows nothing of is skipped. */
  g_array_remove_index (net->routes, 2);
  g_array_prepend_val (net->routes, ((DpugwHostRoute) { .family = AF_INET, .ifindex = 99 }));
  e = default_node_ip (net);
  g_assert_cmpstr (e, ==, "10.1.0.4");
}

/* --- the default route's link (full and dpu modes) ------------------------------------------------ */

static void
test_default_route_link (void)
{
  g_autoptr(DpugwHostNetwork) net = dpugw_host_network_new ();
  g_autoptr(GError) error = NULL;
  const DpugwHostLink *link;

  dpugw_host_network_add_link (net, 2, "eth0", IFF_UP);
  dpugw_host_network_add_link (net, 3, "eth1", IFF_UP);

  g_assert_null (dpugw_host_network_default_route_link (net, &error));
  g_assert_error (error, DPUGW_ERROR, DPUGW_ERROR_HOST_NETWORK);
  g_assert_cmpstr (error->message, ==, "unable to find default gateway and none provided via config");
  g_clear_error (&error);

  /* Without a gateway, a route is skipped (ovnkube warns); IPv6 alone does. */
  add_route (net, AF_INET, 2, FALSE);
  add_route (net, AF_INET6, 3, TRUE);
  link = dpugw_host_network_default_route_link (net, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (link->name, ==, "eth1");

  /* IPv4 and IPv6 on different links. */
  add_route (net, AF_INET, 2, TRUE);
  g_assert_null (dpugw_host_network_default_route_link (net, &error));
  g_assert_error (error, DPUGW_ERROR, DPUGW_ERROR_HOST_NETWORK);
  g_assert_cmpstr (error->message, ==, "multiple gateway interfaces detected: 'eth0' 'eth1'");
  g_clear_error (&error);

  /* On the same link. */
  add_route (net, AF_INET6, 2, TRUE);
  g_array_remove_index (net->routes, 1);
  link = dpugw_host_network_default_route_link (net, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (link->name, ==, "eth0");
}

/* --- the node IP's form --------------------------------------------------------------------------- */

static void
test_node_ip_config (void)
{
  static const char *const valid[] = { "10.0.0.1", "2001:db8::1", "::ffff:10.0.0.1", "fe80::1" };
  static const char *const invalid[] = { "10.0.0.256", "10.0.0", "10.0.0.1/24", "host.example", " 10.0.0.1",
                                         "10.0.0.1 ", "2001:db8::1%eth0", "\xff", "-1" };

  for (gsize i = 0; i < G_N_ELEMENTS (valid); i++)
    {
      const DpugwConfigFlags flags = { .node_ip = valid[i], .config_file = "" };
      g_autoptr(GError) error = NULL;
      g_autoptr(DpugwConfig) config = dpugw_config_load (&flags, NULL, NULL, &error);

      g_assert_no_error (error);
      g_assert_cmpstr (config->node_ip, ==, valid[i]);
    }
  for (gsize i = 0; i < G_N_ELEMENTS (invalid); i++)
    {
      const DpugwConfigFlags flags = { .node_ip = invalid[i], .config_file = "" };
      const char *envp[] = { NULL, NULL };
      g_autofree char *env = g_strconcat ("K8S_NODE_IP=", invalid[i], NULL);
      g_autoptr(GError) error = NULL;
      g_autoptr(DpugwConfig) config = dpugw_config_load (&flags, NULL, NULL, &error);

      g_assert_null (config);
      g_assert_error (error, DPUGW_ERROR, DPUGW_ERROR_INVALID_CONFIG);
      g_assert_true (g_str_has_prefix (error->message, "invalid node IP "));
      g_assert_true (g_str_has_suffix (error->message, "expected an IPv4 or IPv6 address (from --node-ip)"));
      g_clear_error (&error);

      envp[0] = env;
      config = dpugw_config_load (NULL, envp, NULL, &error);
      g_assert_null (config);
      g_assert_error (error, DPUGW_ERROR, DPUGW_ERROR_INVALID_CONFIG);
      g_assert_true (g_str_has_suffix (error->message, "(from K8S_NODE_IP)"));
    }

  /* Set where no rule uses it: said, not refused. */
  {
    const DpugwConfigFlags used = { .mode = "dpu-host", .mgmt_port_netdev = "pf0vf0", .node_ip = "10.0.0.1",
                                    .config_file = "" };
    const DpugwConfigFlags configured = { .mode = "dpu-host", .mgmt_port_netdev = "pf0vf0", .gateway_interface = "eth0",
                                          .node_ip = "10.0.0.1",
                                          .config_file = "" };
    const DpugwConfigFlags full = { .node_ip = "10.0.0.1", .config_file = "" };
    g_autoptr(GError) error = NULL;
    g_autoptr(DpugwConfig) a = dpugw_config_load (&used, NULL, NULL, &error);
    g_autoptr(DpugwConfig) b = dpugw_config_load (&configured, NULL, NULL, &error);
    g_autoptr(DpugwConfig) c = dpugw_config_load (&full, NULL, NULL, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (a->warnings->len, ==, 0);
    g_assert_cmpuint (b->warnings->len, ==, 1);
    g_assert_cmpstr (g_ptr_array_index (b->warnings, 0), ==,
                     "node IP 10.0.0.1: not used, as the gateway interface is configured");
    g_assert_cmpuint (c->warnings->len, ==, 1);
    g_assert_cmpstr (g_ptr_array_index (c->warnings, 0), ==,
                     "node IP 10.0.0.1: not used, as the gateway interface is the default route's outside "
                     "dpu-host mode");
  }

  /* The flag over the environment; an empty value is unset. */
  {
    const char *envp[] = { "K8S_NODE_IP=10.0.0.2", NULL };
    const DpugwConfigFlags flags = { .node_ip = "10.0.0.1", .config_file = "" };
    const DpugwConfigFlags empty = { .node_ip = "", .config_file = "" };
    g_autoptr(GError) error = NULL;
    g_autoptr(DpugwConfig) a = dpugw_config_load (&flags, envp, NULL, &error);
    g_autoptr(DpugwConfig) b = dpugw_config_load (&empty, envp, NULL, &error);
    g_autoptr(DpugwConfig) c = dpugw_config_load (&empty, NULL, NULL, &error);

    g_assert_no_error (error);
    g_assert_cmpstr (a->node_ip, ==, "10.0.0.1");
    g_assert_cmpstr (b->node_ip, ==, "10.0.0.2");
    g_assert_null (c->node_ip);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/hostnet/rule", test_rule);
  g_test_add_func ("/hostnet/filter", test_filter);
  g_test_add_func ("/hostnet/add-address-checks", test_add_address_checks);
  g_test_add_func ("/hostnet/node-ip/prefix", test_node_ip_prefix);
  g_test_add_func ("/hostnet/node-ip/filtered", test_node_ip_filtered);
  g_test_add_func ("/hostnet/node-ip/bits", test_node_ip_bits);
  g_test_add_func ("/hostnet/node-ip/config", test_node_ip_config);
  g_test_add_func ("/hostnet/default-node-ip", test_default_node_ip);
  g_test_add_func ("/hostnet/default-route-link", test_default_route_link);
  return g_test_run ();
}
