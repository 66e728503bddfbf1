/* SPDX-License-Identifier: Apache-2.0
 *
 * dpu-gatewayd's live tracking, end to end: real rtnetlink link events over
 * a fake sysfs tree.  Each test runs in a subprocess and a network namespace
 * of its own (testdaemon.h), where it makes real veth pairs named like the
 * recordings' netdevs, starts the real daemon on a private bus, then renames,
 * adds and removes links -- changing the tree first, as the kernel updates
 * sysfs before it notifies -- and checks GatewayChanged, TopologyChanged and
 * PropertiesChanged against dbus/org.ovnk.DpuGateway.xml, and what Resolve
 * answers.  Every wait polls the main context against a deadline.
 */
#include "testdaemon.h"

#include <gio/gio.h>
#include <linux/if_addr.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define ERR   DPUGW_TEST_ERR
#define IFACE DPUGW_TEST_IFACE

#define EXAMPLE   "data/dpu-host-example.umockdev"
#define BLUEFIELD "tests/fixtures/bluefield-host.umockdev"

/* Device directories, as the recordings have them. */
#define BF_PF0 "devices/pci0000:00/0000:00:01.0/0000:03:00.0"
#define BF_PF1 "devices/pci0000:00/0000:00:01.0/0000:03:00.1"
#define BF_VF0 "devices/pci0000:00/0000:00:01.0/0000:03:00.2"
#define EX_PF  "devices/pci0000:00/0000:00:02.0/0000:01:00.0"
#define EX_VF1 "devices/pci0000:00/0000:00:02.0/0000:01:02.4"

/* How long a signal may take to come. */
#define SIGNAL_USEC (10 * G_USEC_PER_SEC)

/*
 * Starts dpu-gatewayd -v over the tree, configured as a DPU host deriving its
 * gateway from the management port @mgmt_port; returns once its first pass is
 * in and its signals are recorded.
 */
static void
daemon_start (DpugwTestBus *f, const char *mgmt_port)
{
  g_autofree char *mgmt_arg = g_strconcat ("--ovnkube-node-mgmt-port-netdev=", mgmt_port, NULL);

  DPUGW_TEST_START (f, .args = STRV ("--config-file=", "--ovnkube-node-mode=dpu-host", mgmt_arg,
                                     "--gateway-interface=derive-from-mgmt-port", "-v"),
                    .ready = TRUE);
}

static void
expect_string_property (DpugwTestBus *f, const char *property, const char *expected)
{
  g_autofree char *value = dpugw_test_get_string (f, property);

  DPUGW_TEST_EXPECT (g_strcmp0 (value, expected) == 0, "%s is \"%s\", expected \"%s\"", property, value, expected);
}

/* Resolve(@port) answers @interface, with @mgmt_port, @source and @cached (-1: either) in the details. */
static void
expect_resolve (DpugwTestBus *f, const char *port, const char *interface, const char *mgmt_port, const char *source,
                int cached)
{
  g_autoptr(GVariant) details = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *got = dpugw_test_resolve (f->conn, port, &details, &error);
  g_autofree char *shown = NULL;

  if (got == NULL)
    {
      dpugw_test_soft_fail ("Resolve(\"%s\") failed: %s, expected %s", port, error->message, interface);
      return;
    }
  shown = g_variant_print (details, TRUE);
  DPUGW_TEST_EXPECT (g_strcmp0 (got, interface) == 0, "Resolve(\"%s\") = %s %s, expected %s", port, got, shown, interface);
  if (mgmt_port != NULL)
    DPUGW_TEST_EXPECT (g_strcmp0 (dpugw_test_lookup_string (details, "mgmt-port"), mgmt_port) == 0,
            "Resolve(\"%s\"): mgmt-port in %s, expected %s", port, shown, mgmt_port);
  if (source != NULL)
    DPUGW_TEST_EXPECT (g_strcmp0 (dpugw_test_lookup_string (details, "source"), source) == 0,
            "Resolve(\"%s\"): source in %s, expected %s", port, shown, source);
  if (cached >= 0)
    DPUGW_TEST_EXPECT (dpugw_test_lookup_boolean (details, "cached") == !!cached,
            "Resolve(\"%s\"): cached in %s, expected %s", port, shown, cached ? "true" : "false");
}

/* Resolve(@port) fails with the D-Bus error @name, its message beginning with @prefix. */
static void
expect_resolve_error (DpugwTestBus *f, const char *port, const char *name, const char *prefix)
{
  g_autoptr(GVariant) details = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *got = dpugw_test_resolve (f->conn, port, &details, &error);
  g_autofree char *remote = NULL;

  if (got != NULL)
    {
      dpugw_test_soft_fail ("Resolve(\"%s\") answered %s, expected the error %s", port, got, name);
      return;
    }
  remote = g_dbus_error_get_remote_error (error);
  DPUGW_TEST_EXPECT (g_strcmp0 (remote, name) == 0, "Resolve(\"%s\") failed with %s (%s), expected %s",
          port, remote, error->message, name);
  g_dbus_error_strip_remote_error (error);
  DPUGW_TEST_EXPECT (g_str_has_prefix (error->message, prefix), "Resolve(\"%s\") failed with \"%s\", expected \"%s...\"",
          port, error->message, prefix);
}

/* GetTopology: the generation, and the netdevs of the PF @pf_pci in *netdevs (NULL if it is not listed). */
static guint64
get_topology_pf_netdevs (DpugwTestBus *f, const char *pf_pci, char ***netdevs)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = dpugw_test_call (f, IFACE, "GetTopology", NULL, "(taa{sv})", &error);
  g_autoptr(GVariant) pfs = NULL;
  guint64 generation;

  g_assert_no_error (error);
  g_variant_get (reply, "(t@aa{sv})", &generation, &pfs);
  *netdevs = NULL;
  for (gsize i = 0; i < g_variant_n_children (pfs); i++)
    {
      g_autoptr(GVariant) pf = g_variant_get_child_value (pfs, i);

      if (g_strcmp0 (dpugw_test_lookup_string (pf, "pci"), pf_pci) == 0)
        g_assert_true (g_variant_lookup (pf, "netdevs", "^as", netdevs));
    }
  return generation;
}

static void
expect_topology_pf_netdevs (DpugwTestBus *f, const char *pf_pci, const char * const *expected)
{
  g_auto(GStrv) netdevs = NULL;

  get_topology_pf_netdevs (f, pf_pci, &netdevs);
  if (netdevs == NULL)
    {
      dpugw_test_soft_fail ("GetTopology does not list %s", pf_pci);
      return;
    }
  if (!g_strv_equal ((const char * const *) netdevs, expected))
    {
      g_autofree char *got = g_strjoinv (",", netdevs);
      g_autofree char *want = g_strjoinv (",", (char **) expected);
      dpugw_test_soft_fail ("GetTopology: %s has netdevs [%s], expected [%s]", pf_pci, got, want);
    }
}

/* Waits for GatewayChanged(@vf, @old_if, @new_if) since @m. */
static void
expect_gateway_changed (DpugwTestBus *f, DpugwTestMark m, const char *vf, const char *old_if, const char *new_if)
{
  gboolean ok;

  DPUGW_TEST_POLL (ok, dpugw_test_has_gateway_changed (f, m.gateway, vf, old_if, new_if), SIGNAL_USEC);
  if (!ok)
    {
      g_autofree char *got = dpugw_test_signals_since (f->gateway_changed, m.gateway);
      dpugw_test_soft_fail ("no GatewayChanged('%s', '%s', '%s') within 10 s; received: %s", vf, old_if, new_if, got);
    }
}

/* Waits for a PropertiesChanged since @m that sets @property to @value. */
static void
expect_property_changed (DpugwTestBus *f, DpugwTestMark m, const char *property, const char *value)
{
  gboolean ok;

  DPUGW_TEST_POLL (ok, dpugw_test_has_property_changed (f, m.properties, property, value), SIGNAL_USEC);
  if (!ok)
    {
      g_autofree char *got = dpugw_test_signals_since (f->properties_changed, m.properties);
      dpugw_test_soft_fail ("no PropertiesChanged with %s = '%s' within 10 s; received: %s", property, value, got);
    }
}

/* Exactly @n GatewayChanged since @m (after a round trip: none is on its way). */
static void
expect_n_gateway_changed (DpugwTestBus *f, DpugwTestMark m, guint n)
{
  dpugw_test_ping (f);
  if (f->gateway_changed->len - m.gateway != n)
    {
      g_autofree char *got = dpugw_test_signals_since (f->gateway_changed, m.gateway);
      dpugw_test_soft_fail ("%u GatewayChanged received, expected %u: %s", f->gateway_changed->len - m.gateway, n, got);
    }
}

static void
expect_no_topology_changed (DpugwTestBus *f, DpugwTestMark m)
{
  dpugw_test_ping (f);
  if (f->topology_changed->len != m.topology)
    {
      g_autofree char *got = dpugw_test_signals_since (f->topology_changed, m.topology);
      dpugw_test_soft_fail ("TopologyChanged received, expected none: %s", got);
    }
}

/* ---------------------------------------------------------------------------
 * The daemon's -v log: one "link changes: N names; ..." line per link pass
 * ------------------------------------------------------------------------ */

static void
log_link_passes (DpugwTestBus *f, guint *passes, guint64 *names)
{
  g_autofree char *log = dpugw_test_read_file (f->daemon->log_path);
  const char *p = log;

  *passes = 0;
  *names = 0;
  while ((p = strstr (p, "link changes: ")) != NULL)
    {
      p += strlen ("link changes: ");
      *passes += 1;
      *names += g_ascii_strtoull (p, NULL, 10);
    }
}

/* Waits until the link passes since (@passes0, @names0) have covered @n more names. */
static gboolean
wait_link_names (DpugwTestBus *f, guint64 names0, guint64 n)
{
  guint passes;
  guint64 names;
  gboolean ok;

  DPUGW_TEST_POLL (ok, (log_link_passes (f, &passes, &names), names >= names0 + n), SIGNAL_USEC);
  if (!ok)
    dpugw_test_soft_fail ("the daemon's link passes covered %" G_GUINT64_FORMAT " names within 10 s, expected %"
               G_GUINT64_FORMAT, names - names0, n);
  return ok;
}

/* ===========================================================================
 * The tests
 * ======================================================================== */

/* The management VF renamed to ovn-k8s-mp0: followed by its PCI address, through the fallback. */
static void
test_mgmt_renamed (DpugwTestBus *f)
{
  DpugwTestMark m;

  dpugw_test_veth_add ("ens1f0np0", "vp0");
  dpugw_test_veth_add ("ens1f0v0", "vp1");
  daemon_start (f, "ens1f0v0");
  expect_string_property (f, "GatewayInterface", "ens1f0np0");
  expect_string_property (f, "ManagementPort", "ens1f0v0");
  m = dpugw_test_mark (f);

  dpugw_test_rename_netdev (f->testbed, BF_VF0, "ens1f0v0", "ovn-k8s-mp0");
  DPUGW_TEST_IP ("link", "set", "ens1f0v0", "name", "ovn-k8s-mp0");

  expect_property_changed (f, m, "ManagementPort", "ovn-k8s-mp0");
  expect_n_gateway_changed (f, m, 0);
  expect_string_property (f, "GatewayInterface", "ens1f0np0");
  expect_string_property (f, "ManagementPort", "ovn-k8s-mp0");
  expect_string_property (f, "LastError", "");
  expect_resolve (f, "", "ens1f0np0", "ovn-k8s-mp0", "renamed-fallback", -1);
  expect_resolve (f, "ovn-k8s-mp0", "ens1f0np0", "ovn-k8s-mp0", "derived", -1);
  /* The old name is gone. */
  expect_resolve_error (f, "ens1f0v0", ERR "PciAddress", "failed to get PCI address");
  expect_n_gateway_changed (f, m, 0);
}

/* The PF's netdev appears after the daemon started: the configured port resolves. */
static void
test_pf_netdev_appears (DpugwTestBus *f)
{
  const char *no_netdevs = "no netdevs found for pci address 0000:03:00.0";
  gboolean ok;
  DpugwTestMark m;

  dpugw_test_remove_netdev (f->testbed, BF_PF0, "ens1f0np0");
  dpugw_test_veth_add ("ens1f0v0", "vp1");
  daemon_start (f, "ens1f0v0");
  DPUGW_TEST_POLL (ok, dpugw_test_string_property_is (f, "LastError", no_netdevs), SIGNAL_USEC);
  if (!ok)
    {
      g_autofree char *e = dpugw_test_get_string (f, "LastError");
      dpugw_test_soft_fail ("LastError is \"%s\", expected \"%s\"", e, no_netdevs);
    }
  expect_string_property (f, "GatewayInterface", "");
  m = dpugw_test_mark (f);

  dpugw_test_add_netdev (f->testbed, BF_PF0, "ens1f0np0");
  dpugw_test_veth_add ("ens1f0np0", "vp0");

  expect_gateway_changed (f, m, "0000:03:00.2", "", "ens1f0np0");
  expect_property_changed (f, m, "LastError", "");
  expect_property_changed (f, m, "GatewayInterface", "ens1f0np0");
  expect_n_gateway_changed (f, m, 1);
  expect_string_property (f, "GatewayInterface", "ens1f0np0");
  expect_string_property (f, "LastError", "");
  expect_topology_pf_netdevs (f, "0000:03:00.0", (const char * const[]) { "ens1f0np0", NULL });
  expect_resolve (f, "", "ens1f0np0", "ens1f0v0", "derived", -1);
}

/* The PF's first netdev renamed by udev: the new name sorts first, and is the gateway. */
static void
test_pf_netdev_renamed (DpugwTestBus *f)
{
  guint64 generation_before, topology_generation;
  gboolean ok;
  DpugwTestMark m;

  dpugw_test_veth_add ("eth0", "vp0");
  dpugw_test_veth_add ("eth1", "vp1");
  dpugw_test_veth_add ("pf0vf0", "vp2");
  daemon_start (f, "pf0vf0");
  expect_string_property (f, "GatewayInterface", "eth0");
  generation_before = dpugw_test_get_generation (f);
  m = dpugw_test_mark (f);

  dpugw_test_rename_netdev (f->testbed, EX_PF, "eth0", "enp1s0f0np0");
  DPUGW_TEST_IP ("link", "set", "eth0", "name", "enp1s0f0np0");

  /* strcmp order: "enp1s0f0np0" < "eth1". */
  expect_gateway_changed (f, m, "0000:01:02.3", "eth0", "enp1s0f0np0");
  expect_property_changed (f, m, "GatewayInterface", "enp1s0f0np0");
  DPUGW_TEST_POLL (ok, f->topology_changed->len > m.topology, SIGNAL_USEC);
  if (!ok)
    dpugw_test_soft_fail ("no TopologyChanged within 10 s");
  else
    {
      guint64 generation;
      g_auto(GStrv) netdevs = NULL;

      g_variant_get (g_ptr_array_index (f->topology_changed, m.topology), "(t)", &generation);
      DPUGW_TEST_EXPECT (generation > generation_before, "TopologyChanged(%" G_GUINT64_FORMAT "), Generation was %"
              G_GUINT64_FORMAT, generation, generation_before);
      topology_generation = get_topology_pf_netdevs (f, "0000:01:00.0", &netdevs);
      DPUGW_TEST_EXPECT (topology_generation >= generation, "GetTopology's generation %" G_GUINT64_FORMAT
              " is older than TopologyChanged(%" G_GUINT64_FORMAT ")", topology_generation, generation);
    }
  expect_n_gateway_changed (f, m, 1);
  expect_string_property (f, "GatewayInterface", "enp1s0f0np0");
  DPUGW_TEST_EXPECT (dpugw_test_get_generation (f) > generation_before, "Generation did not increase");
  expect_topology_pf_netdevs (f, "0000:01:00.0", (const char * const[]) { "enp1s0f0np0", "eth1", NULL });
  expect_resolve (f, "", "enp1s0f0np0", "pf0vf0", "derived", -1);
  expect_resolve (f, "pf0vf1", "enp1s0f0np0", "pf0vf1", "derived", -1);
}

/* The gateway renamed to a name the kernel allows and D-Bus cannot carry (not UTF-8): never
 * dropped silently; the answer becomes a clear error naming it escaped, and the topology lists
 * it escaped and marked. */
static void
test_pf_netdev_renamed_not_utf8 (DpugwTestBus *f)
{
  const char *error = "failed to get network devices: 0000:01:00.0 has a network device named \"\\377eth\" "
                      "(invalid name: it is not valid UTF-8), which D-Bus and JSON cannot carry; rename it "
                      "(`ip link set dev NAME name NEWNAME`)";
  DpugwTestMark m;

  dpugw_test_veth_add ("eth0", "vp0");
  dpugw_test_veth_add ("eth1", "vp1");
  dpugw_test_veth_add ("pf0vf0", "vp2");
  daemon_start (f, "pf0vf0");
  expect_string_property (f, "GatewayInterface", "eth0");
  m = dpugw_test_mark (f);

  dpugw_test_rename_netdev (f->testbed, EX_PF, "eth0", "\377eth");
  DPUGW_TEST_IP ("link", "set", "eth0", "name", "\377eth");

  expect_property_changed (f, m, "GatewayInterface", "");
  expect_property_changed (f, m, "LastError", error);
  expect_resolve_error (f, "", ERR "NetdevDiscovery", error);
  expect_topology_pf_netdevs (f, "0000:01:00.0",
                              (const char * const[]) { "eth1", "\"\\377eth\" (invalid name: it is not valid UTF-8)",
                                                       NULL });

  /* Renamed back: answered again. */
  dpugw_test_rename_netdev (f->testbed, EX_PF, "\377eth", "eth0");
  DPUGW_TEST_IP ("link", "set", "\377eth", "name", "eth0");
  expect_property_changed (f, m, "GatewayInterface", "eth0");
  expect_resolve (f, "", "eth0", "pf0vf0", "derived", -1);
}

/* The gateway netdev removed, the PF's only one: unresolvable, said so, and the daemon goes on. */
static void
test_gateway_removed (DpugwTestBus *f)
{
  DpugwTestMark m;

  dpugw_test_veth_add ("ens1f0np0", "vp0");
  dpugw_test_veth_add ("ens1f0v0", "vp1");
  daemon_start (f, "ens1f0v0");
  expect_string_property (f, "GatewayInterface", "ens1f0np0");
  m = dpugw_test_mark (f);

  dpugw_test_remove_netdev (f->testbed, BF_PF0, "ens1f0np0");
  DPUGW_TEST_IP ("link", "del", "ens1f0np0");

  expect_gateway_changed (f, m, "0000:03:00.2", "ens1f0np0", "");
  expect_property_changed (f, m, "LastError", "no netdevs found for pci address 0000:03:00.0");
  expect_property_changed (f, m, "GatewayInterface", "");
  expect_n_gateway_changed (f, m, 1);
  expect_string_property (f, "GatewayInterface", "");
  expect_string_property (f, "LastError", "no netdevs found for pci address 0000:03:00.0");
  expect_topology_pf_netdevs (f, "0000:03:00.0", (const char * const[]) { NULL });
  /* Still up, and the other port still works. */
  dpugw_test_ping (f);
  expect_resolve (f, "ens1f1v0", "ens1f1np1", "ens1f1v0", "derived", -1);
  expect_resolve_error (f, "", ERR "NoNetdevs", "no netdevs found for pci address 0000:03:00.0");
}

/* The management VF's netdev removed, then back. */
static void
test_mgmt_removed_readded (DpugwTestBus *f)
{
  DpugwTestMark m;

  dpugw_test_veth_add ("ens1f0np0", "vp0");
  dpugw_test_veth_add ("ens1f0v0", "vp1");
  daemon_start (f, "ens1f0v0");
  expect_string_property (f, "GatewayInterface", "ens1f0np0");
  m = dpugw_test_mark (f);

  dpugw_test_remove_netdev (f->testbed, BF_VF0, "ens1f0v0");
  DPUGW_TEST_IP ("link", "del", "ens1f0v0");

  expect_property_changed (f, m, "GatewayInterface", "");
  expect_gateway_changed (f, m, "0000:03:00.2", "ens1f0np0", "");
  expect_n_gateway_changed (f, m, 1);
  {
    g_autofree char *last_error = dpugw_test_get_string (f, "LastError");
    DPUGW_TEST_EXPECT (g_str_has_prefix (last_error, "failed to get PCI address"),
            "LastError is \"%s\", expected \"failed to get PCI address...\"", last_error);
  }
  expect_string_property (f, "GatewayInterface", "");
  expect_resolve_error (f, "", ERR "PciAddress", "failed to get PCI address");
  m = dpugw_test_mark (f);

  dpugw_test_add_netdev (f->testbed, BF_VF0, "ens1f0v0");
  dpugw_test_veth_add ("ens1f0v0", "vp1");

  expect_property_changed (f, m, "GatewayInterface", "ens1f0np0");
  expect_property_changed (f, m, "LastError", "");
  expect_gateway_changed (f, m, "0000:03:00.2", "", "ens1f0np0");
  expect_n_gateway_changed (f, m, 1);
  expect_string_property (f, "GatewayInterface", "ens1f0np0");
  expect_string_property (f, "LastError", "");
  expect_string_property (f, "ManagementPort", "ens1f0v0");
  expect_resolve (f, "", "ens1f0np0", "ens1f0v0", "derived", -1);
}

/* A VF a caller asked for (cached) follows its PF's netdev. */
static void
test_cached_vf_follows_pf (DpugwTestBus *f)
{
  DpugwTestMark m;

  dpugw_test_veth_add ("ens1f0np0", "vp0");
  dpugw_test_veth_add ("ens1f0v0", "vp1");
  dpugw_test_veth_add ("ens1f1np1", "vp2");
  daemon_start (f, "ens1f0v0");
  expect_resolve (f, "ens1f1v0", "ens1f1np1", "ens1f1v0", "derived", FALSE);
  expect_resolve (f, "ens1f1v0", "ens1f1np1", "ens1f1v0", "derived", TRUE);
  m = dpugw_test_mark (f);

  dpugw_test_rename_netdev (f->testbed, BF_PF1, "ens1f1np1", "p1uplink");
  DPUGW_TEST_IP ("link", "set", "ens1f1np1", "name", "p1uplink");

  expect_gateway_changed (f, m, "0000:03:08.2", "ens1f1np1", "p1uplink");
  expect_n_gateway_changed (f, m, 1);
  expect_resolve (f, "ens1f1v0", "p1uplink", "ens1f1v0", "derived", TRUE);
  expect_topology_pf_netdevs (f, "0000:03:00.1", (const char * const[]) { "p1uplink", NULL });
  /* The configured port is on the other PF: untouched. */
  expect_string_property (f, "GatewayInterface", "ens1f0np0");
}

/* A burst of 100 veth pairs nobody follows: a few passes, no signal, still answering. */
static void
test_burst_coalesced (DpugwTestBus *f)
{
  g_autofree char *batch_path = NULL;
  g_autoptr(GString) batch = g_string_new (NULL);
  guint passes0, passes;
  guint64 names0, names;
  guint64 generation_before;
  DpugwTestMark m;

  dpugw_test_veth_add ("ens1f0np0", "vp0");
  dpugw_test_veth_add ("ens1f0v0", "vp1");
  daemon_start (f, "ens1f0v0");
  generation_before = dpugw_test_get_generation (f);
  log_link_passes (f, &passes0, &names0);
  m = dpugw_test_mark (f);

  for (guint i = 0; i < 100; i++)
    g_string_append_printf (batch, "link add b%u type veth peer name c%u\n", i, i);
  batch_path = g_build_filename (f->tmpdir, "burst.batch", NULL);
  dpugw_test_write_file (batch_path, batch->str);
  DPUGW_TEST_IP ("-batch", batch_path);

  /* Every one of the 200 new names goes through a link pass. */
  if (wait_link_names (f, names0, 200))
    {
      log_link_passes (f, &passes, &names);
      dpugw_test_report ("200 links in %u passes", passes - passes0);
      DPUGW_TEST_EXPECT (passes - passes0 < 10, "%u link passes for a burst of 200 links: not coalesced",
              passes - passes0);
    }
  expect_n_gateway_changed (f, m, 0);
  expect_no_topology_changed (f, m);
  DPUGW_TEST_EXPECT (dpugw_test_get_generation (f) == generation_before, "Generation changed");
  expect_resolve (f, "", "ens1f0np0", "ens1f0v0", "derived", TRUE);
  expect_resolve (f, "ens1f1v1", "ens1f1np1", "ens1f1v1", "derived", FALSE);
}

/* Links nobody follows renamed and deleted: nothing to say. */
static void
test_unrelated_links (DpugwTestBus *f)
{
  guint passes;
  guint64 names0;
  guint64 generation_before;
  DpugwTestMark m;

  dpugw_test_veth_add ("ens1f0np0", "vp0");
  dpugw_test_veth_add ("ens1f0v0", "vp1");
  dpugw_test_veth_add ("x0", "y0");
  daemon_start (f, "ens1f0v0");
  expect_resolve (f, "ens1f1v0", "ens1f1np1", "ens1f1v0", "derived", FALSE);
  generation_before = dpugw_test_get_generation (f);
  m = dpugw_test_mark (f);

  log_link_passes (f, &passes, &names0);
  DPUGW_TEST_IP ("link", "set", "x0", "name", "x1");
  wait_link_names (f, names0, 2);      /* x1, x0 */
  log_link_passes (f, &passes, &names0);
  DPUGW_TEST_IP ("link", "del", "x1");
  wait_link_names (f, names0, 2);      /* x1, y0 */

  dpugw_test_refresh (f);
  dpugw_test_ping (f);
  expect_n_gateway_changed (f, m, 0);
  expect_no_topology_changed (f, m);
  DPUGW_TEST_EXPECT (dpugw_test_get_generation (f) == generation_before, "Generation changed from %" G_GUINT64_FORMAT,
          generation_before);
  expect_string_property (f, "GatewayInterface", "ens1f0np0");
  expect_string_property (f, "LastError", "");
  expect_resolve (f, "", "ens1f0np0", "ens1f0v0", "derived", -1);
  expect_resolve (f, "ens1f1v0", "ens1f1np1", "ens1f1v0", "derived", -1);
}

/* The netdevs GetTopology lists for the VF @vf_pci (NULL if it does not list it). */
static GStrv
topology_vf_netdevs (DpugwTestBus *f, const char *vf_pci)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = dpugw_test_call (f, IFACE, "GetTopology", NULL, "(taa{sv})", &error);
  g_autoptr(GVariant) pfs = NULL;
  guint64 generation;
  GStrv netdevs = NULL;

  g_assert_no_error (error);
  g_variant_get (reply, "(t@aa{sv})", &generation, &pfs);
  for (gsize i = 0; i < g_variant_n_children (pfs); i++)
    {
      g_autoptr(GVariant) pf = g_variant_get_child_value (pfs, i);
      g_autoptr(GVariant) vfs = g_variant_lookup_value (pf, "vfs", G_VARIANT_TYPE ("aa{sv}"));

      for (gsize j = 0; vfs != NULL && j < g_variant_n_children (vfs); j++)
        {
          g_autoptr(GVariant) vf = g_variant_get_child_value (vfs, j);

          if (g_strcmp0 (dpugw_test_lookup_string (vf, "pci"), vf_pci) == 0)
            g_assert_true (g_variant_lookup (vf, "netdevs", "^as", &netdevs));
        }
    }
  return netdevs;
}

/*
 * A VF's netdev renamed (not the configured port's, not one asked for): the topology changed, so
 * TopologyChanged with a new Generation, and GetTopology says the new name; no gateway moved.
 */
static void
test_vf_netdev_renamed (DpugwTestBus *f)
{
  guint64 before;
  gboolean ok;
  DpugwTestMark m;

  dpugw_test_veth_add ("eth0", "vp0");
  dpugw_test_veth_add ("eth1", "vp1");
  dpugw_test_veth_add ("pf0vf0", "vp2");
  dpugw_test_veth_add ("pf0vf1", "vp3");
  daemon_start (f, "pf0vf0");
  before = dpugw_test_get_generation (f);
  m = dpugw_test_mark (f);

  dpugw_test_rename_netdev (f->testbed, EX_VF1, "pf0vf1", "vfx1");
  DPUGW_TEST_IP ("link", "set", "pf0vf1", "name", "vfx1");

  DPUGW_TEST_POLL (ok, f->topology_changed->len > m.topology, SIGNAL_USEC);
  if (!ok)
    dpugw_test_soft_fail ("no TopologyChanged within 10 s of the VF netdev pf0vf1's rename to vfx1");
  else
    {
      guint64 generation;

      g_variant_get (g_ptr_array_index (f->topology_changed, m.topology), "(t)", &generation);
      DPUGW_TEST_EXPECT (generation > before, "TopologyChanged(%" G_GUINT64_FORMAT "), Generation was %"
                         G_GUINT64_FORMAT, generation, before);
      DPUGW_TEST_EXPECT (dpugw_test_get_generation (f) == generation, "Generation is not TopologyChanged's");
    }
  {
    g_auto(GStrv) netdevs = topology_vf_netdevs (f, "0000:01:02.4");
    g_autofree char *shown = netdevs != NULL ? g_strjoinv (",", netdevs) : g_strdup ("(not listed)");

    DPUGW_TEST_EXPECT (netdevs != NULL && g_strv_equal ((const char * const *) netdevs, STRV ("vfx1")),
                       "GetTopology: VF 0000:01:02.4 has netdevs [%s], expected [vfx1]", shown);
  }
  expect_n_gateway_changed (f, m, 0);
  expect_string_property (f, "GatewayInterface", "eth0");
  expect_resolve (f, "vfx1", "eth0", "vfx1", "derived", -1);
  expect_resolve_error (f, "pf0vf1", ERR "PciAddress", "failed to get PCI address");
}

/*
 * A failed lookup is remembered for 2 s; a link that appears meanwhile clears what was remembered:
 * the netdev that came is resolvable at once.  Each attempt must see it resolve within 2 s of the
 * failure, or it proves nothing and the next, with another name, is made.
 */
static void
test_link_appears_clears_failure (DpugwTestBus *f)
{
  dpugw_test_veth_add ("eth0", "vp0");
  dpugw_test_veth_add ("eth1", "vp1");
  dpugw_test_veth_add ("pf0vf0", "vp2");
  daemon_start (f, "pf0vf0");

  for (guint attempt = 0;; attempt++)
    {
      g_autofree char *name = g_strdup_printf ("mp%u", attempt);
      g_autofree char *peer = g_strdup_printf ("mq%u", attempt);
      g_autoptr(GVariant) details = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *interface = NULL;
      gint64 asked = g_get_monotonic_time ();
      gint64 answered = 0;

      interface = dpugw_test_resolve_once (f->conn, name, &details, &error);
      g_assert_null (interface);
      dpugw_test_assert_remote_error (error, ERR "PciAddress", NULL);

      /* VF 0000:01:02.4 gets a second netdev, NAME: the tree first, then the link. */
      dpugw_test_add_netdev (f->testbed, EX_VF1, name);
      dpugw_test_veth_add (name, peer);
      while (interface == NULL)
        {
          g_clear_error (&error);
          g_clear_pointer (&details, g_variant_unref);
          interface = dpugw_test_resolve_once (f->conn, name, &details, &error);
          answered = g_get_monotonic_time ();
          if (interface == NULL)
            dpugw_test_assert_remote_error (error, ERR "PciAddress", NULL);
          if (answered - asked > dpugw_test_usec (DPUGW_TEST_WAIT_USEC))
            g_error ("Resolve(\"%s\") still fails %.1f s after the link appeared", name, (answered - asked) / 1e6);
          if (interface == NULL)
            g_usleep (10 * 1000);
        }
      g_assert_cmpstr (interface, ==, "eth0");
      g_assert_cmpstr (dpugw_test_lookup_string (details, "vf-pci"), ==, "0000:01:02.4");
      if (answered - asked < 2 * G_USEC_PER_SEC)
        break;
      /* Resolved only after the failure would have expired anyway: it proves nothing.  Again, unless
       * it never does better. */
      if (attempt == 4)
        g_error ("Resolve(\"%s\") answered only %.2f s after it failed, when the remembered failure had "
                 "expired: a link that appears must clear remembered failures at once",
                 name, (answered - asked) / 1e6);
    }
}


/* ---------------------------------------------------------------------------
 * No gateway interface configured: what ovnkube-node uses instead
 * ------------------------------------------------------------------------ */

/* The example host's links (eth0 and eth1 of the PF, the management port pf0vf0), and two links
 * of the host's own network, up (with their peers), with addresses: uplink0 10.10.0.2/24 and
 * fd00:10::2/64, other0 10.20.0.2/24 and fd00:20::2/64. */
static void
host_network_setup (void)
{
  dpugw_test_veth_add ("eth0", "vp0");
  dpugw_test_veth_add ("eth1", "vp1");
  dpugw_test_veth_add ("pf0vf0", "vp2");
  dpugw_test_veth_add ("uplink0", "up0");
  dpugw_test_veth_add ("other0", "ot0");
  /* No IPv6 link-local addresses: their duplicate address detection, which ends a while after
   * the link is up, would be an address change of its own that no test asked for. */
  for (guint i = 0; i < 4; i++)
    {
      const char *name = (const char *[]) { "uplink0", "up0", "other0", "ot0" }[i];

      DPUGW_TEST_IP ("link", "set", name, "addrgenmode", "none");
      DPUGW_TEST_IP ("link", "set", name, "up");
    }
  DPUGW_TEST_IP ("addr", "add", "10.10.0.2/24", "dev", "uplink0");
  DPUGW_TEST_IP ("addr", "add", "10.20.0.2/24", "dev", "other0");
  DPUGW_TEST_IP ("-6", "addr", "add", "fd00:10::2/64", "dev", "uplink0", "nodad");
  DPUGW_TEST_IP ("-6", "addr", "add", "fd00:20::2/64", "dev", "other0", "nodad");
}

/* dpu-gatewayd -v as a DPU host with the management port pf0vf0 and no gateway interface,
 * @extra_arg (NULL: none) and @env (NULL: none). */
static void
daemon_start_unset (DpugwTestBus *f, const char *extra_arg, const char * const *env)
{
  DPUGW_TEST_START (f, .args = STRV ("--config-file=", "--ovnkube-node-mode=dpu-host",
                                     "--ovnkube-node-mgmt-port-netdev=pf0vf0", "-v", extra_arg),
                    .env = env, .ready = TRUE);
}

/* ResolveAll("")'s node-ip detail is @node_ip. */
static void
expect_node_ip_detail (DpugwTestBus *f, const char *node_ip)
{
  g_autoptr(GVariant) details = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *got = dpugw_test_resolve (f->conn, "", &details, &error);

  g_assert_no_error (error);
  DPUGW_TEST_EXPECT (g_strcmp0 (dpugw_test_lookup_string (details, "node-ip"), node_ip) == 0,
                     "ResolveAll(\"\"): node-ip is %s, expected %s", dpugw_test_lookup_string (details, "node-ip"),
                     node_ip);
}

/*
 * --node-ip: the gateway is the link whose address prefix holds it, not derived from the
 * management port (which Resolve("pf0vf0") still derives from); the address moved to another
 * link moves the gateway, with GatewayChanged("", old, new) as a rename gives.
 */
static void
test_node_ip_flag (DpugwTestBus *f)
{
  DpugwTestMark m;

  host_network_setup ();
  /* Another host of the subnet: the prefix decides, not the address alone. */
  daemon_start_unset (f, "--node-ip=10.10.0.77", NULL);
  expect_string_property (f, "GatewayInterface", "uplink0");
  expect_string_property (f, "LastError", "");
  expect_resolve (f, "", "uplink0", "pf0vf0", "node-ip", -1);
  expect_node_ip_detail (f, "10.10.0.77");
  expect_resolve (f, "pf0vf0", "eth0", "pf0vf0", "derived", -1);

  /* Made before broken: while both hold it, the first link still does; one change, whatever
   * the timing of the two events. */
  m = dpugw_test_mark (f);
  DPUGW_TEST_IP ("addr", "add", "10.10.0.3/24", "dev", "other0");
  DPUGW_TEST_IP ("addr", "del", "10.10.0.2/24", "dev", "uplink0");
  expect_gateway_changed (f, m, "", "uplink0", "other0");
  expect_property_changed (f, m, "GatewayInterface", "other0");
  expect_n_gateway_changed (f, m, 1);
  expect_resolve (f, "", "other0", "pf0vf0", "node-ip", -1);

  /* Gone from every link: the error ovnkube-node gives, and back. */
  m = dpugw_test_mark (f);
  DPUGW_TEST_IP ("addr", "del", "10.10.0.3/24", "dev", "other0");
  expect_gateway_changed (f, m, "", "other0", "");
  expect_property_changed (f, m, "LastError", "failed to find network interface with IP: 10.10.0.77");
  expect_resolve_error (f, "", ERR "HostNetwork", "failed to find network interface with IP: 10.10.0.77");
  m = dpugw_test_mark (f);
  DPUGW_TEST_IP ("addr", "add", "10.10.0.2/24", "dev", "uplink0");
  expect_gateway_changed (f, m, "", "", "uplink0");
  expect_property_changed (f, m, "LastError", "");

  /* The link renamed (down and up: IPv4 addresses stay): one change, to the new name. */
  m = dpugw_test_mark (f);
  DPUGW_TEST_IP ("link", "set", "uplink0", "down");
  DPUGW_TEST_IP ("link", "set", "uplink0", "name", "bond0");
  DPUGW_TEST_IP ("link", "set", "bond0", "up");
  expect_gateway_changed (f, m, "", "uplink0", "bond0");
  expect_property_changed (f, m, "GatewayInterface", "bond0");
  expect_n_gateway_changed (f, m, 1);
}

/* What the kernel says of addresses counts as ovnkube counts it: a keepalived-labelled address
 * and a deprecated one on the first link do not hold the node IP, the second link's do. */
static void
test_node_ip_filtered (DpugwTestBus *f)
{
  host_network_setup ();
  DPUGW_TEST_IP ("addr", "add", "10.50.0.2/24", "dev", "uplink0", "label", "uplink0:vip");
  DPUGW_TEST_IP ("addr", "add", "10.50.0.3/24", "dev", "other0");
  DPUGW_TEST_IP ("-6", "addr", "add", "fd00:60::2/64", "dev", "uplink0", "nodad", "preferred_lft", "0");
  DPUGW_TEST_IP ("-6", "addr", "add", "fd00:60::3/64", "dev", "other0", "nodad");
  daemon_start_unset (f, "--node-ip=10.50.0.2", NULL);
  expect_string_property (f, "GatewayInterface", "other0");
  g_assert_cmpint (dpugw_test_daemon_stop (f->daemon), ==, 0);
  daemon_start_unset (f, "--node-ip=fd00:60::2", NULL);
  expect_string_property (f, "GatewayInterface", "other0");
}

/* K8S_NODE_IP, as the DaemonSets fill it from status.hostIP; an IPv6 one here. */
static void
test_node_ip_env (DpugwTestBus *f)
{
  DpugwTestMark m;

  host_network_setup ();
  daemon_start_unset (f, NULL, STRV ("K8S_NODE_IP=fd00:20::2"));
  expect_string_property (f, "GatewayInterface", "other0");
  expect_resolve (f, "", "other0", "pf0vf0", "node-ip", -1);
  expect_node_ip_detail (f, "fd00:20::2");

  /* Moved to the link before it (made before broken: one change, whatever the timing). */
  m = dpugw_test_mark (f);
  DPUGW_TEST_IP ("-6", "addr", "add", "fd00:20::2/64", "dev", "uplink0", "nodad");
  DPUGW_TEST_IP ("-6", "addr", "del", "fd00:20::2/64", "dev", "other0");
  expect_gateway_changed (f, m, "", "other0", "uplink0");
  expect_n_gateway_changed (f, m, 1);
}

/* No node IP given: kubelet's, the first global address of the default route's link; the
 * default route moved moves the node IP, and so the gateway. */
static void
test_node_ip_default_route (DpugwTestBus *f)
{
  DpugwTestMark m;

  host_network_setup ();
  DPUGW_TEST_IP ("route", "add", "default", "via", "10.10.0.1", "dev", "uplink0");
  daemon_start_unset (f, NULL, NULL);
  expect_string_property (f, "GatewayInterface", "uplink0");
  expect_resolve (f, "", "uplink0", "pf0vf0", "node-ip", -1);
  expect_node_ip_detail (f, "10.10.0.2");

  m = dpugw_test_mark (f);
  DPUGW_TEST_IP ("route", "replace", "default", "via", "10.20.0.1", "dev", "other0");
  expect_gateway_changed (f, m, "", "uplink0", "other0");
  expect_n_gateway_changed (f, m, 1);
  expect_node_ip_detail (f, "10.20.0.2");

  /* No default route at all: no node IP to find a link by. */
  m = dpugw_test_mark (f);
  DPUGW_TEST_IP ("route", "del", "default");
  expect_gateway_changed (f, m, "", "other0", "");
  expect_resolve_error (f, "", ERR "HostNetwork", "cannot tell the node IP");
}

/* Full mode, no gateway interface: ovnkube-node's is the default route's link. */
static void
test_default_route_full_mode (DpugwTestBus *f)
{
  DpugwTestMark m;

  host_network_setup ();
  DPUGW_TEST_IP ("route", "add", "default", "via", "10.20.0.1", "dev", "other0");
  DPUGW_TEST_START (f, .args = STRV ("--config-file=", "-v"), .ready = TRUE);
  expect_string_property (f, "GatewayInterface", "other0");
  expect_resolve (f, "", "other0", "", "default-route", -1);

  m = dpugw_test_mark (f);
  DPUGW_TEST_IP ("route", "replace", "default", "via", "10.10.0.1", "dev", "uplink0");
  expect_gateway_changed (f, m, "", "other0", "uplink0");
  expect_resolve (f, "", "uplink0", "", "default-route", -1);

  /* An IPv6 default route on another link: ovnkube refuses to choose. */
  m = dpugw_test_mark (f);
  DPUGW_TEST_IP ("-6", "route", "add", "default", "via", "fd00:20::1", "dev", "other0");
  expect_property_changed (f, m, "LastError", "multiple gateway interfaces detected: 'uplink0' 'other0'");
}

/* Configured and derived, on the same links: the addresses change nothing. */
static void
test_configured_and_derived_ignore_addresses (DpugwTestBus *f)
{
  DpugwTestMark m;

  host_network_setup ();
  DPUGW_TEST_START (f, .args = STRV ("--config-file=", "--ovnkube-node-mode=dpu-host",
                                     "--ovnkube-node-mgmt-port-netdev=pf0vf0", "--gateway-interface=uplink0",
                                     "--node-ip=10.20.0.2", "-v"),
                    .ready = TRUE);
  expect_resolve (f, "", "uplink0", "pf0vf0", "configured", -1);
  m = dpugw_test_mark (f);
  DPUGW_TEST_IP ("addr", "del", "10.10.0.2/24", "dev", "uplink0");
  DPUGW_TEST_IP ("route", "add", "default", "via", "10.20.0.1", "dev", "other0");
  expect_n_gateway_changed (f, m, 0);
  expect_resolve (f, "", "uplink0", "pf0vf0", "configured", -1);
}

static void
test_derived_ignores_addresses (DpugwTestBus *f)
{
  DpugwTestMark m;

  host_network_setup ();
  daemon_start (f, "pf0vf0");
  expect_resolve (f, "", "eth0", "pf0vf0", "derived", -1);
  m = dpugw_test_mark (f);
  DPUGW_TEST_IP ("link", "set", "eth1", "up");
  DPUGW_TEST_IP ("link", "set", "vp1", "up");
  DPUGW_TEST_IP ("addr", "add", "10.30.0.2/24", "dev", "eth1");
  DPUGW_TEST_IP ("route", "add", "default", "via", "10.30.0.1", "dev", "eth1");
  expect_n_gateway_changed (f, m, 0);
  expect_resolve (f, "", "eth0", "pf0vf0", "derived", -1);
}

/* ---------------------------------------------------------------------------
 * Forged address and route messages: root may send to rtnetlink's groups
 * ------------------------------------------------------------------------ */

/* The last "(so far: M messages, C changes" of the daemon's -v log. */
static void
log_monitor_counts (DpugwTestBus *f, guint64 *messages, guint64 *changes)
{
  g_autofree char *log = dpugw_test_read_file (f->daemon->log_path);
  const char *p = log, *last = NULL;

  while ((p = strstr (p, "(so far: ")) != NULL)
    last = p += strlen ("(so far: ");
  *messages = *changes = 0;
  if (last != NULL)
    {
      char *end;
      *messages = g_ascii_strtoull (last, &end, 10);
      if (g_str_has_prefix (end, " messages, "))
        *changes = g_ascii_strtoull (end + strlen (" messages, "), NULL, 10);
    }
}

typedef struct {
  guint8 buf[256];
  guint len;
} Forged;

static void
forged_put (Forged *m, const void *data, guint len)
{
  g_assert_cmpuint (m->len + NLMSG_ALIGN (len), <=, sizeof m->buf);
  memcpy (m->buf + m->len, data, len);
  m->len += NLMSG_ALIGN (len);
}

/* An attribute; @declared: its nla_len (0: the true one). */
static void
forged_attr (Forged *m, guint16 type, const void *data, guint16 len, guint16 declared)
{
  struct nlattr nla = { .nla_len = declared != 0 ? declared : (guint16) (NLA_HDRLEN + len), .nla_type = type };

  forged_put (m, &nla, sizeof nla);
  if (len > 0)
    forged_put (m, data, len);
}

static void
forged_start (Forged *m, guint16 type, const void *header, guint header_len)
{
  struct nlmsghdr h = { .nlmsg_type = type, .nlmsg_flags = NLM_F_CREATE };

  memset (m, 0, sizeof *m);
  forged_put (m, &h, sizeof h);
  if (header_len > 0)
    forged_put (m, header, header_len);
}

/* Sends @m (nlmsg_len @len, 0: its true length) to @group, addressed to the sender itself so that
 * the kernel never takes it as a request. */
static void
forged_send (int fd, guint group, Forged *m, guint32 len)
{
  struct sockaddr_nl self = { .nl_family = AF_NETLINK };
  struct sockaddr_nl to = { .nl_family = AF_NETLINK, .nl_groups = 1u << (group - 1) };
  socklen_t self_len = sizeof self;

  g_assert_cmpint (getsockname (fd, (struct sockaddr *) &self, &self_len), ==, 0);
  to.nl_pid = self.nl_pid;
  ((struct nlmsghdr *) m->buf)->nlmsg_len = len != 0 ? len : m->len;
  if (sendto (fd, m->buf, m->len, 0, (struct sockaddr *) &to, sizeof to) < 0)
    g_error ("sendto netlink group %u: %s", group, g_strerror (errno));
}

/*
 * Malformed address and route messages are dropped one by one (the daemon stays up, none is a
 * change); a well-formed one is the one change.  Then a real address move is still followed.
 */
static void
test_forged_messages (DpugwTestBus *f)
{
  int fd = socket (AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
  struct sockaddr_nl local = { .nl_family = AF_NETLINK };
  int uplink;
  const guint8 v4[4] = { 10, 10, 0, 9 }, v6[16] = { 0xfd }, table[4] = { 200 }, oif[2] = { 1, 0 };
  const char label[4] = { 'v', 'i', 'p', 'x' };
  guint64 messages0, changes0, messages, changes;
  guint sent = 0;
  gboolean ok;
  Forged m;
  DpugwTestMark mark;

  /* IPv4 only, and the peers left down: no carrier comes up later, and with it no IPv6 address
   * re-announced, which would be a change no forged message made. */
  dpugw_test_veth_add ("eth0", "vp0");
  dpugw_test_veth_add ("eth1", "vp1");
  dpugw_test_veth_add ("pf0vf0", "vp2");
  dpugw_test_veth_add ("uplink0", "up0");
  dpugw_test_veth_add ("other0", "ot0");
  DPUGW_TEST_IP ("link", "set", "uplink0", "addrgenmode", "none");
  DPUGW_TEST_IP ("link", "set", "other0", "addrgenmode", "none");
  DPUGW_TEST_IP ("link", "set", "uplink0", "up");
  DPUGW_TEST_IP ("link", "set", "other0", "up");
  DPUGW_TEST_IP ("addr", "add", "10.10.0.2/24", "dev", "uplink0");
  uplink = (int) if_nametoindex ("uplink0");
  g_assert_cmpint (uplink, >, 0);
  daemon_start_unset (f, "--node-ip=10.10.0.2", NULL);
  expect_string_property (f, "GatewayInterface", "uplink0");
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (bind (fd, (struct sockaddr *) &local, sizeof local), ==, 0);
  log_monitor_counts (f, &messages0, &changes0);

#define IFA(family_, prefix_, index_) (&(struct ifaddrmsg) { .ifa_family = (family_), .ifa_prefixlen = (prefix_), \
                                                             .ifa_index = (guint32) (index_) })
#define RTM(family_, dst_len_) (&(struct rtmsg) { .rtm_family = (family_), .rtm_dst_len = (dst_len_), \
                                                  .rtm_table = RT_TABLE_MAIN, .rtm_type = RTN_UNICAST })
  /* An address message without its header. */
  forged_start (&m, RTM_NEWADDR, NULL, 0);
  forged_send (fd, RTNLGRP_IPV4_IFADDR, &m, 0), sent++;
  /* A header that says it is longer than what came: libnl's reader drops it (not counted). */
  forged_start (&m, RTM_NEWADDR, IFA (AF_INET, 24, uplink), sizeof (struct ifaddrmsg));
  forged_attr (&m, IFA_LOCAL, v4, 4, 0);
  forged_send (fd, RTNLGRP_IPV4_IFADDR, &m, m.len + 64);
  /* A family that is neither IPv4 nor IPv6, a prefix too long for its family, no link. */
  forged_start (&m, RTM_NEWADDR, IFA (AF_PACKET, 24, uplink), sizeof (struct ifaddrmsg));
  forged_attr (&m, IFA_LOCAL, v4, 4, 0);
  forged_send (fd, RTNLGRP_IPV4_IFADDR, &m, 0), sent++;
  forged_start (&m, RTM_NEWADDR, IFA (AF_INET, 33, uplink), sizeof (struct ifaddrmsg));
  forged_attr (&m, IFA_LOCAL, v4, 4, 0);
  forged_send (fd, RTNLGRP_IPV4_IFADDR, &m, 0), sent++;
  forged_start (&m, RTM_NEWADDR, IFA (AF_INET6, 129, uplink), sizeof (struct ifaddrmsg));
  forged_attr (&m, IFA_ADDRESS, v6, 16, 0);
  forged_send (fd, RTNLGRP_IPV6_IFADDR, &m, 0), sent++;
  forged_start (&m, RTM_DELADDR, IFA (AF_INET, 24, 0), sizeof (struct ifaddrmsg));
  forged_attr (&m, IFA_LOCAL, v4, 4, 0);
  forged_send (fd, RTNLGRP_IPV4_IFADDR, &m, 0), sent++;
  /* Addresses of the other family's length, none at all, an attribute longer than the message,
   * a label without its NUL. */
  forged_start (&m, RTM_NEWADDR, IFA (AF_INET, 24, uplink), sizeof (struct ifaddrmsg));
  forged_attr (&m, IFA_LOCAL, v6, 16, 0);
  forged_send (fd, RTNLGRP_IPV4_IFADDR, &m, 0), sent++;
  forged_start (&m, RTM_NEWADDR, IFA (AF_INET6, 64, uplink), sizeof (struct ifaddrmsg));
  forged_attr (&m, IFA_ADDRESS, v4, 4, 0);
  forged_send (fd, RTNLGRP_IPV6_IFADDR, &m, 0), sent++;
  forged_start (&m, RTM_NEWADDR, IFA (AF_INET, 24, uplink), sizeof (struct ifaddrmsg));
  forged_send (fd, RTNLGRP_IPV4_IFADDR, &m, 0), sent++;
  forged_start (&m, RTM_NEWADDR, IFA (AF_INET, 24, uplink), sizeof (struct ifaddrmsg));
  forged_attr (&m, IFA_LOCAL, v4, 4, 200);
  forged_send (fd, RTNLGRP_IPV4_IFADDR, &m, 0), sent++;
  forged_start (&m, RTM_NEWADDR, IFA (AF_INET, 24, uplink), sizeof (struct ifaddrmsg));
  forged_attr (&m, IFA_LOCAL, v4, 4, 0);
  forged_attr (&m, IFA_LABEL, label, sizeof label, 0);
  forged_send (fd, RTNLGRP_IPV4_IFADDR, &m, 0), sent++;
  /* Routes: truncated, not a default route, another table, a gateway of the wrong length, an
   * output interface of two bytes. */
  forged_start (&m, RTM_NEWROUTE, NULL, 0);
  forged_send (fd, RTNLGRP_IPV4_ROUTE, &m, 0), sent++;
  forged_start (&m, RTM_NEWROUTE, RTM (AF_INET, 24), sizeof (struct rtmsg));
  forged_send (fd, RTNLGRP_IPV4_ROUTE, &m, 0), sent++;
  forged_start (&m, RTM_NEWROUTE, RTM (AF_INET, 0), sizeof (struct rtmsg));
  forged_attr (&m, RTA_TABLE, table, 4, 0);
  forged_send (fd, RTNLGRP_IPV4_ROUTE, &m, 0), sent++;
  forged_start (&m, RTM_NEWROUTE, RTM (AF_INET6, 0), sizeof (struct rtmsg));
  forged_attr (&m, RTA_GATEWAY, v4, 4, 0);
  forged_send (fd, RTNLGRP_IPV6_ROUTE, &m, 0), sent++;
  forged_start (&m, RTM_DELROUTE, RTM (AF_INET, 0), sizeof (struct rtmsg));
  forged_attr (&m, RTA_OIF, oif, 2, 0);
  forged_send (fd, RTNLGRP_IPV4_ROUTE, &m, 0), sent++;
  /* Last, a well-formed address: the one change. */
  forged_start (&m, RTM_NEWADDR, IFA (AF_INET, 24, uplink), sizeof (struct ifaddrmsg));
  forged_attr (&m, IFA_LOCAL, v4, 4, 0);
  forged_send (fd, RTNLGRP_IPV4_IFADDR, &m, 0), sent++;
#undef IFA
#undef RTM
  close (fd);

  DPUGW_TEST_POLL (ok, (log_monitor_counts (f, &messages, &changes), messages >= messages0 + sent), SIGNAL_USEC);
  if (!ok)
    dpugw_test_soft_fail ("the daemon read %" G_GUINT64_FORMAT " of the %u messages sent", messages - messages0, sent);
  DPUGW_TEST_EXPECT (changes == changes0 + 1, "%" G_GUINT64_FORMAT " changes of %u forged messages read, expected 1 "
                     "(the well-formed one)", changes - changes0, sent);
  expect_string_property (f, "GatewayInterface", "uplink0");

  mark = dpugw_test_mark (f);
  DPUGW_TEST_IP ("addr", "add", "10.10.0.2/24", "dev", "other0");
  DPUGW_TEST_IP ("addr", "del", "10.10.0.2/24", "dev", "uplink0");
  expect_gateway_changed (f, mark, "", "uplink0", "other0");
}

/* ovnkube-compatible and beyond-ovnkube of Resolve(@port)'s details (ResolveAll's, checked against Resolve's). */
static void
expect_compatible (DpugwTestBus *f, const char *port, gboolean compatible, const char *beyond)
{
  g_autoptr(GVariant) details = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *got = dpugw_test_resolve (f->conn, port, &details, &error);
  const char *reasons = NULL;

  g_assert_no_error (error);
  DPUGW_TEST_EXPECT (dpugw_test_lookup_boolean (details, "ovnkube-compatible") == compatible,
                     "Resolve(\"%s\"): ovnkube-compatible is not %s", port, compatible ? "true" : "false");
  if (!g_variant_lookup (details, "beyond-ovnkube", "&s", &reasons))
    reasons = NULL;
  DPUGW_TEST_EXPECT (g_strcmp0 (reasons, beyond) == 0, "Resolve(\"%s\"): beyond-ovnkube is %s, expected %s", port,
                     reasons, beyond);
}

/* Resolve(@port) answers @interface (NULL: fails with @error_name) within the deadline. */
static void
wait_resolve (DpugwTestBus *f, const char *port, const char *interface, const char *error_name)
{
  gint64 deadline = g_get_monotonic_time () + dpugw_test_usec (SIGNAL_USEC);

  for (;;)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *got = dpugw_test_resolve (f->conn, port, NULL, &error);
      g_autofree char *remote = error != NULL ? g_dbus_error_get_remote_error (error) : NULL;

      if (interface != NULL ? g_strcmp0 (got, interface) == 0 : g_strcmp0 (remote, error_name) == 0)
        return;
      if (g_get_monotonic_time () > deadline)
        g_error ("Resolve(\"%s\") answers %s (%s), expected %s", port, got, error != NULL ? error->message : "",
                 interface != NULL ? interface : error_name);
      g_usleep (20 * 1000);
    }
}

/*
 * The management port configured by an altname (`ip link property add`): it resolves as
 * ovnkube-node's lookup does, the kernel matching the altname, and the answers carry the primary
 * name; the altname moving to another link is followed.
 */
static void
test_mgmt_altname (DpugwTestBus *f)
{
  DpugwTestMark m;

  dpugw_test_veth_add ("ens1f0np0", "vp0");
  dpugw_test_veth_add ("ens1f0v0", "vp1");
  DPUGW_TEST_IP ("link", "property", "add", "dev", "ens1f0v0", "altname", "mgmtalt");
  daemon_start (f, "mgmtalt");
  m = dpugw_test_mark (f);

  expect_string_property (f, "GatewayInterface", "ens1f0np0");
  expect_string_property (f, "ManagementPort", "ens1f0v0");
  expect_string_property (f, "LastError", "");
  expect_resolve (f, "", "ens1f0np0", "ens1f0v0", "derived", -1);
  expect_resolve (f, "mgmtalt", "ens1f0np0", "ens1f0v0", "derived", -1);
  {
    g_auto(DpugwTestRun) local = { 0 };

    DPUGW_TEST_CTL (&local, "resolve", "--local", "--json", "--config-file=", "--sysfs-root", f->root, "mgmtalt");
    g_assert_cmpint (local.status, ==, 0);
    g_assert_true (g_str_has_prefix (local.out, "{\"interface\":\"ens1f0np0\",\"mgmt-port\":\"ens1f0v0\","));
    g_assert_nonnull (strstr (local.out, ",\"ovnkube-compatible\":true}"));
  }
  /* The diagnosis follows the altname to its link too, and finds nothing wrong. */
  {
    g_auto(DpugwTestRun) diag = { 0 };

    DPUGW_TEST_CTL (&diag, "diagnose", "--local", "--config-file=", "--sysfs-root", f->root, "mgmtalt");
    g_assert_cmpint (diag.status, ==, 0);
    g_assert_nonnull (strstr (diag.out, "netdev       ens1f0v0 (mgmtalt is an alternative name of it)"));
    g_assert_null (strstr (diag.out, "[FAIL]"));
  }
  /* ovnkube-node resolves an altname too, and uses the primary name from then on. */
  expect_compatible (f, "", TRUE, NULL);
  expect_compatible (f, "mgmtalt", TRUE, NULL);

  /* The altname goes: the name leads nowhere.  The link is down, and the kernel tells of altname
   * changes only on links that are up: a Resolve by that name asks the kernel anyway. */
  DPUGW_TEST_IP ("link", "property", "del", "dev", "ens1f0v0", "altname", "mgmtalt");
  wait_resolve (f, "mgmtalt", NULL, ERR "PciAddress");
  /* It comes back on the PF's netdev: now it names a PF, no VF. */
  DPUGW_TEST_IP ("link", "property", "add", "dev", "ens1f0np0", "altname", "mgmtalt");
  wait_resolve (f, "mgmtalt", NULL, ERR "PfPciAddress");
  /* And back on the VF. */
  DPUGW_TEST_IP ("link", "property", "del", "dev", "ens1f0np0", "altname", "mgmtalt");
  DPUGW_TEST_IP ("link", "property", "add", "dev", "ens1f0v0", "altname", "mgmtalt");
  wait_resolve (f, "mgmtalt", "ens1f0np0", NULL);
  expect_resolve (f, "mgmtalt", "ens1f0np0", "ens1f0v0", "derived", -1);

  /* On a link that is up the kernel notifies: the configured port, given by the altname, follows. */
  DPUGW_TEST_IP ("link", "set", "ens1f0v0", "up");
  DPUGW_TEST_IP ("link", "property", "del", "dev", "ens1f0v0", "altname", "mgmtalt");
  expect_property_changed (f, m, "GatewayInterface", "");
  DPUGW_TEST_IP ("link", "property", "add", "dev", "ens1f0v0", "altname", "mgmtalt");
  expect_property_changed (f, m, "GatewayInterface", "ens1f0np0");
  expect_string_property (f, "ManagementPort", "ens1f0v0");
}

/* A configured management port given by an altname exists for ovnkube-node's lookup: no fallback
 * to ovn-k8s-mp0, even when one exists (here ens1f1's VF 0000:03:08.3, renamed). */
static void
test_mgmt_altname_no_fallback (DpugwTestBus *f)
{
  dpugw_test_veth_add ("ens1f0np0", "vp0");
  dpugw_test_veth_add ("ens1f1np1", "vp1");
  dpugw_test_veth_add ("ens1f0v0", "vp2");
  dpugw_test_rename_netdev (f->testbed, "devices/pci0000:00/0000:00:01.0/0000:03:08.3", "ens1f1v1", "ovn-k8s-mp0");
  dpugw_test_veth_add ("ovn-k8s-mp0", "vp3");
  DPUGW_TEST_IP ("link", "property", "add", "dev", "ens1f0v0", "altname", "mgmtalt");
  daemon_start (f, "mgmtalt");

  expect_string_property (f, "ManagementPort", "ens1f0v0");
  expect_string_property (f, "GatewayInterface", "ens1f0np0");
  expect_resolve (f, "", "ens1f0np0", "ens1f0v0", "derived", -1);
}

/* The gateway interface configured by an altname: answered by its primary name, and marked as
 * beyond ovnkube-node, which keeps the altname and fails its own default-route check. */
static void
test_gateway_altname (DpugwTestBus *f)
{
  dpugw_test_veth_add ("ens1f0np0", "vp0");
  dpugw_test_veth_add ("ens1f0v0", "vp1");
  DPUGW_TEST_IP ("link", "property", "add", "dev", "ens1f0np0", "altname", "gwalt");
  DPUGW_TEST_START (f, .args = STRV ("--config-file=", "--ovnkube-node-mode=dpu-host",
                                     "--ovnkube-node-mgmt-port-netdev=ens1f0v0", "--gateway-interface=gwalt", "-v"),
                    .ready = TRUE);

  expect_string_property (f, "GatewayInterface", "ens1f0np0");
  expect_compatible (f, "", FALSE, "gateway-altname");
  /* --local answers the same, from the library. */
  {
    g_auto(DpugwTestRun) local = { 0 };

    DPUGW_TEST_CTL (&local, "resolve", "--local", "--json", "--config-file=", "--sysfs-root", f->root,
                    "--ovnkube-node-mode=dpu-host", "--ovnkube-node-mgmt-port-netdev=ens1f0v0",
                    "--gateway-interface=gwalt");
    g_assert_cmpint (local.status, ==, 0);
    g_assert_true (g_str_has_prefix (local.out, "{\"interface\":\"ens1f0np0\","));
    g_assert_nonnull (strstr (local.out, ",\"ovnkube-compatible\":false,\"beyond-ovnkube\":\"gateway-altname\"}"));
  }
  /* A management port asked for explicitly is still derived, and ovnkube-node derives it the same way. */
  expect_resolve (f, "ens1f0v0", "ens1f0np0", "ens1f0v0", "derived", -1);
  expect_compatible (f, "ens1f0v0", TRUE, NULL);
}

int
main (int argc, char **argv)
{
  dpugw_test_init (&argc, &argv, DPUGW_TEST_NETNS);

#define ADD(path, recording, func) DPUGW_TEST_ADD (path, func, { recording })
  ADD ("/netlink/mgmt-renamed", BLUEFIELD, test_mgmt_renamed);
  ADD ("/netlink/pf-netdev-appears", BLUEFIELD, test_pf_netdev_appears);
  ADD ("/netlink/pf-netdev-renamed", EXAMPLE, test_pf_netdev_renamed);
  ADD ("/netlink/pf-netdev-renamed-not-utf8", EXAMPLE, test_pf_netdev_renamed_not_utf8);
  ADD ("/netlink/gateway-removed", BLUEFIELD, test_gateway_removed);
  ADD ("/netlink/mgmt-removed-readded", BLUEFIELD, test_mgmt_removed_readded);
  ADD ("/netlink/cached-vf-follows-pf", BLUEFIELD, test_cached_vf_follows_pf);
  ADD ("/netlink/burst-coalesced", BLUEFIELD, test_burst_coalesced);
  ADD ("/netlink/unrelated-links", BLUEFIELD, test_unrelated_links);
  ADD ("/netlink/vf-netdev-renamed", EXAMPLE, test_vf_netdev_renamed);
  ADD ("/netlink/link-appears-clears-failure", EXAMPLE, test_link_appears_clears_failure);
  ADD ("/netlink/node-ip/flag", EXAMPLE, test_node_ip_flag);
  ADD ("/netlink/node-ip/env", EXAMPLE, test_node_ip_env);
  ADD ("/netlink/node-ip/filtered", EXAMPLE, test_node_ip_filtered);
  ADD ("/netlink/node-ip/default-route", EXAMPLE, test_node_ip_default_route);
  ADD ("/netlink/default-route/full-mode", EXAMPLE, test_default_route_full_mode);
  ADD ("/netlink/configured-ignores-addresses", EXAMPLE, test_configured_and_derived_ignore_addresses);
  ADD ("/netlink/derived-ignores-addresses", EXAMPLE, test_derived_ignores_addresses);
  ADD ("/netlink/forged-messages", EXAMPLE, test_forged_messages);
  ADD ("/netlink/mgmt-altname", BLUEFIELD, test_mgmt_altname);
  ADD ("/netlink/mgmt-altname-no-fallback", BLUEFIELD, test_mgmt_altname_no_fallback);
  ADD ("/netlink/gateway-altname", BLUEFIELD, test_gateway_altname);

  return g_test_run ();
}
