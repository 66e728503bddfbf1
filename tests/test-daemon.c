/* SPDX-License-Identifier: Apache-2.0
 *
 * dpu-gatewayd, the real binary, on a private bus over fixture hardware
 * (umockdev recordings): the org.ovnk.DpuGateway contract of
 * dbus/org.ovnk.DpuGateway.xml, its errors, signals, properties, SIGHUP,
 * start-up and exit codes, and what it remembers.  Each test runs in a
 * subprocess and a network namespace of its own (testdaemon.h), where no
 * link changes unless a test says so.
 */
#include "testdaemon.h"

#include <gio/gio.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define NAME      DPUGW_TEST_NAME
#define PATH      DPUGW_TEST_PATH
#define IFACE     DPUGW_TEST_IFACE
#define ERR       DPUGW_TEST_ERR

#define EXAMPLE   "data/dpu-host-example.umockdev"
#define BLUEFIELD "tests/fixtures/bluefield-host.umockdev"
#define DOMAIN    "tests/fixtures/pci-domain.umockdev"
#define PF_NO_NET "tests/fixtures/pf-no-net.umockdev"
#define RENAMED   "tests/fixtures/renamed-mgmt.umockdev"
#define SWITCHDEV "tests/fixtures/switchdev.umockdev"
#define IGB       "tests/fixtures/igb-interleaved.umockdev"
#define VMD       "tests/fixtures/vmd.umockdev"
#define VIRTIO_SRIOV "tests/fixtures/virtio-sriov.umockdev"

#define EXAMPLE_PF  "devices/pci0000:00/0000:00:02.0/0000:01:00.0"
#define EXAMPLE_VF1 "devices/pci0000:00/0000:00:02.0/0000:01:02.4"

#define CONFIGURED DPUGW_TEST_CONFIGURED

/* Starts the daemon with these arguments; returns once it owns the name. */
#define START(f, ...) DPUGW_TEST_START ((f), .args = STRV (__VA_ARGS__))
#define START_ENV(f, envp, ...) DPUGW_TEST_START ((f), .args = STRV (__VA_ARGS__), .env = (envp))

/* The D-Bus error name of a libdpu-gateway error. */
static char *
dbus_name_of (const GError *error)
{
  g_assert_true (error->domain == DPUGW_ERROR);
  return g_strconcat (ERR, dpugw_error_code_to_name (error->code), NULL);
}

/* Resolve(@port) fails with what the library says for the same tree and @config, verbatim. */
static void
assert_resolve_fails_like_library (DpugwTestBus *f, const DpugwConfig *config, const char *port,
                                   const char *expected_name)
{
  g_autoptr(GError) lib_error = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(DpugwResolution) r = dpugw_resolve (f->sysfs, config, port, &lib_error);
  g_autoptr(GVariant) details = NULL;
  g_autofree char *interface = NULL;
  g_autofree char *name = NULL;

  g_assert_null (r);
  g_assert_nonnull (lib_error);
  name = dbus_name_of (lib_error);
  g_assert_cmpstr (name, ==, expected_name);
  interface = dpugw_test_resolve (f->conn, port, &details, &error);
  g_assert_null (interface);
  dpugw_test_assert_remote_error (error, expected_name, lib_error->message);
}

/* The configuration the daemon loads from "--config-file=" and nothing else. */
static DpugwConfig *
empty_config (void)
{
  const DpugwConfigFlags flags = { .config_file = "" };
  const char *envp[] = { NULL };
  g_autoptr(GError) error = NULL;
  DpugwConfig *config = dpugw_config_load (&flags, envp, NULL, &error);

  g_assert_no_error (error);
  return config;
}

/* ===========================================================================
 * Resolve
 * ======================================================================== */

/* Resolve("pf0vf0"): every key and value of the details; the second answer from the cache. */
static void
test_resolve_netdev (DpugwTestBus *f)
{
  g_autoptr(GVariant) details = NULL;
  g_autoptr(GVariant) details2 = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *interface = NULL;
  g_autofree char *interface2 = NULL;

  START (f, "--config-file=");
  dpugw_test_wait_ready (f);

  interface = dpugw_test_resolve (f->conn, "pf0vf0", &details, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (interface, ==, "eth0");
  /* No sf and no hint for a VF whose PF has no representors. */
  g_assert_cmpuint (g_variant_n_children (details), ==, 10);
  /* ovnkube-node's own derivation reaches it too: no beyond-ovnkube. */
  g_assert_true (dpugw_test_lookup_boolean (details, "ovnkube-compatible"));
  g_assert_false (g_variant_lookup (details, "beyond-ovnkube", "s", NULL));
  g_assert_cmpstr (dpugw_test_lookup_string (details, "selected-by"), ==, "first");
  g_assert_cmpstr (dpugw_test_lookup_string (details, "function-type"), ==, "vf");
  g_assert_cmpstr (dpugw_test_lookup_string (details, "mgmt-port"), ==, "pf0vf0");
  g_assert_cmpstr (dpugw_test_lookup_string (details, "vf-pci"), ==, "0000:01:02.3");
  g_assert_cmpstr (dpugw_test_lookup_string (details, "pf-pci"), ==, "0000:01:00.0");
  dpugw_test_assert_strv_key (details, "candidates", STRV ("eth0", "eth1"));
  g_assert_cmpstr (dpugw_test_lookup_string (details, "source"), ==, "derived");
  /* Nothing is configured, so nothing was resolved before this call. */
  g_assert_false (dpugw_test_lookup_boolean (details, "cached"));
  g_assert_cmpuint (dpugw_test_lookup_uint64 (details, "generation"), >, 0);

  interface2 = dpugw_test_resolve (f->conn, "pf0vf0", &details2, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (interface2, ==, "eth0");
  g_assert_true (dpugw_test_lookup_boolean (details2, "cached"));
  g_assert_cmpuint (dpugw_test_lookup_uint64 (details2, "generation"), >, 0);

  /* Resolve itself: the interface and exactly its four details, the second time from the reply it kept. */
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(GVariant) reply = dpugw_test_call (f, IFACE, "Resolve", g_variant_new ("(s)", "pf0vf0"), "(sa{sv})", &error);
      g_autoptr(GVariant) lean = NULL;
      const char *name;

      g_assert_no_error (error);
      g_variant_get (reply, "(&s@a{sv})", &name, &lean);
      g_assert_cmpstr (name, ==, "eth0");
      g_assert_cmpuint (g_variant_n_children (lean), ==, 5);
      g_assert_true (dpugw_test_lookup_boolean (lean, "ovnkube-compatible"));
      g_assert_cmpstr (dpugw_test_lookup_string (lean, "mgmt-port"), ==, "pf0vf0");
      g_assert_cmpstr (dpugw_test_lookup_string (lean, "vf-pci"), ==, "0000:01:02.3");
      g_assert_cmpstr (dpugw_test_lookup_string (lean, "pf-pci"), ==, "0000:01:00.0");
      g_assert_cmpuint (dpugw_test_lookup_uint64 (lean, "generation"), ==, dpugw_test_lookup_uint64 (details2, "generation"));
    }
}

/* Resolve by VF PCI address. */
static void
test_resolve_pci (DpugwTestBus *f)
{
  START (f, "--config-file=");
  dpugw_test_wait_ready (f);

  {
    g_autoptr(GVariant) details = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree char *interface = dpugw_test_resolve (f->conn, "0000:01:02.4", &details, &error);

    g_assert_no_error (error);
    g_assert_cmpstr (interface, ==, "eth0");
    g_assert_cmpstr (dpugw_test_lookup_string (details, "mgmt-port"), ==, "pf0vf1");
    g_assert_cmpstr (dpugw_test_lookup_string (details, "vf-pci"), ==, "0000:01:02.4");
    g_assert_cmpstr (dpugw_test_lookup_string (details, "pf-pci"), ==, "0000:01:00.0");
    dpugw_test_assert_strv_key (details, "candidates", STRV ("eth0", "eth1"));
    g_assert_cmpstr (dpugw_test_lookup_string (details, "source"), ==, "derived");
    g_assert_false (dpugw_test_lookup_boolean (details, "cached"));
  }
  {
    g_autoptr(GVariant) details = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree char *upper = g_ascii_strup ("0000:01:02.3", -1);
    g_autofree char *interface = dpugw_test_resolve (f->conn, upper, &details, &error);

    g_assert_no_error (error);
    g_assert_cmpstr (interface, ==, "eth0");
    g_assert_cmpstr (dpugw_test_lookup_string (details, "mgmt-port"), ==, "pf0vf0");
    g_assert_cmpstr (dpugw_test_lookup_string (details, "vf-pci"), ==, "0000:01:02.3");
  }
}

/* A PCI address with hexadecimal letters, in upper case, is normalised. */
static void
test_resolve_pci_upper_case (DpugwTestBus *f)
{
  g_autoptr(GVariant) details = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *interface = NULL;

  START (f, "--config-file=");
  dpugw_test_wait_ready (f);

  interface = dpugw_test_resolve (f->conn, "0002:C1:00.2", &details, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (interface, ==, "enP2p193s0f0np0");
  g_assert_cmpstr (dpugw_test_lookup_string (details, "vf-pci"), ==, "0002:c1:00.2");
  g_assert_cmpstr (dpugw_test_lookup_string (details, "pf-pci"), ==, "0002:c1:00.0");
  g_assert_cmpstr (dpugw_test_lookup_string (details, "mgmt-port"), ==, "enP2p193s0f0v0");
  g_assert_cmpstr (dpugw_test_lookup_string (details, "source"), ==, "derived");
}

/* Intel VMD's domain 10000: accepted as Resolve's argument, answered, listed in the topology, and
 * marked beyond ovnkube-node (sriovnet's PCI address pattern has four domain digits). */
static void
test_resolve_vmd (DpugwTestBus *f)
{
  g_autoptr(GVariant) details = NULL;
  g_autoptr(GVariant) topology = NULL;
  g_autoptr(GVariant) pfs = NULL;
  g_autoptr(GVariant) pf = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *interface = NULL;
  guint64 generation;

  START (f, "--config-file=");
  dpugw_test_wait_ready (f);

  interface = dpugw_test_resolve (f->conn, "10000:01:00.2", &details, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (interface, ==, "ens1f0np0");
  g_assert_cmpstr (dpugw_test_lookup_string (details, "vf-pci"), ==, "10000:01:00.2");
  g_assert_cmpstr (dpugw_test_lookup_string (details, "pf-pci"), ==, "10000:01:00.0");
  g_assert_cmpstr (dpugw_test_lookup_string (details, "mgmt-port"), ==, "ens1f0v0");
  g_assert_false (dpugw_test_lookup_boolean (details, "ovnkube-compatible"));
  g_assert_cmpstr (dpugw_test_lookup_string (details, "beyond-ovnkube"), ==, "pci-domain");
  /* From the cache, by its netdev: the same. */
  g_clear_pointer (&interface, g_free);
  g_clear_pointer (&details, g_variant_unref);
  interface = dpugw_test_resolve (f->conn, "ens1f0v0", &details, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (interface, ==, "ens1f0np0");
  g_assert_false (dpugw_test_lookup_boolean (details, "ovnkube-compatible"));

  /* Near misses are still refused before any lookup. */
  g_clear_pointer (&interface, g_free);
  interface = dpugw_test_resolve (f->conn, "010000:01:00.2", NULL, &error);
  g_assert_null (interface);
  dpugw_test_assert_remote_error (error, ERR "InvalidArgument", NULL);
  g_clear_error (&error);

  topology = dpugw_test_call (f, IFACE, "GetTopology", NULL, "(taa{sv})", &error);
  g_assert_no_error (error);
  g_variant_get (topology, "(t@aa{sv})", &generation, &pfs);
  g_assert_cmpuint (g_variant_n_children (pfs), ==, 1);
  pf = g_variant_get_child_value (pfs, 0);
  g_assert_cmpstr (dpugw_test_lookup_string (pf, "pci"), ==, "10000:01:00.0");
  dpugw_test_assert_strv_key (pf, "netdevs", STRV ("ens1f0np0"));
}

/* A virtio-net PF: its netdev found one level lower, marked beyond ovnkube-node. */
static void
test_resolve_virtio_pf (DpugwTestBus *f)
{
  g_autoptr(GVariant) details = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *interface = NULL;

  START (f, "--config-file=");
  dpugw_test_wait_ready (f);

  interface = dpugw_test_resolve (f->conn, "ens5f0v0", &details, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (interface, ==, "ens5f0");
  g_assert_false (dpugw_test_lookup_boolean (details, "ovnkube-compatible"));
  g_assert_cmpstr (dpugw_test_lookup_string (details, "beyond-ovnkube"), ==, "virtio-pf");
}

/* Resolve(""): the configured management port. */
static void
test_resolve_configured (DpugwTestBus *f)
{
  g_autoptr(GVariant) details = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *interface = NULL;

  START (f, CONFIGURED);
  dpugw_test_wait_ready (f);

  interface = dpugw_test_resolve (f->conn, "", &details, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (interface, ==, "eth0");
  g_assert_cmpstr (dpugw_test_lookup_string (details, "mgmt-port"), ==, "pf0vf0");
  g_assert_cmpstr (dpugw_test_lookup_string (details, "vf-pci"), ==, "0000:01:02.3");
  g_assert_cmpstr (dpugw_test_lookup_string (details, "pf-pci"), ==, "0000:01:00.0");
  dpugw_test_assert_strv_key (details, "candidates", STRV ("eth0", "eth1"));
  g_assert_cmpstr (dpugw_test_lookup_string (details, "source"), ==, "derived");
  g_assert_cmpuint (dpugw_test_lookup_uint64 (details, "generation"), >=, 1);
}

/* An explicit --gateway-interface=NAME is returned as is for "". */
static void
test_resolve_explicit (DpugwTestBus *f)
{
  g_autoptr(GVariant) details = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *interface = NULL;

  START (f, "--config-file=", "--gateway-interface=eth7");
  dpugw_test_wait_ready (f);

  interface = dpugw_test_resolve (f->conn, "", &details, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (interface, ==, "eth7");
  g_assert_cmpstr (dpugw_test_lookup_string (details, "source"), ==, "configured");
  g_assert_cmpstr (dpugw_test_lookup_string (details, "mgmt-port"), ==, "");
  g_assert_cmpstr (dpugw_test_lookup_string (details, "vf-pci"), ==, "");
  g_assert_cmpstr (dpugw_test_lookup_string (details, "pf-pci"), ==, "");

  {
    g_autofree char *gw = dpugw_test_get_string (f, "GatewayInterface");
    g_autofree char *last_error = dpugw_test_get_string (f, "LastError");
    g_assert_cmpstr (gw, ==, "eth7");
    g_assert_cmpstr (last_error, ==, "");
  }
}

/* A management port named by the caller is resolved as named: source "derived",
 * even when it is the VF the configured port fell back to. */
static void
test_resolve_caller_port_is_derived (DpugwTestBus *f)
{
  START (f, CONFIGURED);
  dpugw_test_wait_ready (f);

  {
    g_autoptr(GVariant) details = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree char *interface = dpugw_test_resolve (f->conn, "", &details, &error);

    g_assert_no_error (error);
    g_assert_cmpstr (interface, ==, "eth0");
    g_assert_cmpstr (dpugw_test_lookup_string (details, "source"), ==, "renamed-fallback");
    g_assert_cmpstr (dpugw_test_lookup_string (details, "mgmt-port"), ==, "ovn-k8s-mp0");
  }
  {
    /* Asked for by name: no fallback, and it says so. */
    g_autoptr(GVariant) details = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree char *interface = dpugw_test_resolve (f->conn, "ovn-k8s-mp0", &details, &error);

    g_assert_no_error (error);
    g_assert_cmpstr (interface, ==, "eth0");
    g_assert_cmpstr (dpugw_test_lookup_string (details, "mgmt-port"), ==, "ovn-k8s-mp0");
    g_assert_cmpstr (dpugw_test_lookup_string (details, "vf-pci"), ==, "0000:01:02.3");
    g_assert_cmpstr (dpugw_test_lookup_string (details, "source"), ==, "derived");
  }
  {
    g_autoptr(GVariant) details = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree char *interface = dpugw_test_resolve (f->conn, "0000:01:02.3", &details, &error);

    g_assert_no_error (error);
    g_assert_cmpstr (interface, ==, "eth0");
    g_assert_cmpstr (dpugw_test_lookup_string (details, "source"), ==, "derived");
  }
  {
    /* And the configured name itself is not there: no fallback for a caller. */
    g_autoptr(GVariant) details = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree char *interface = dpugw_test_resolve (f->conn, "pf0vf0", &details, &error);

    g_assert_null (interface);
    dpugw_test_assert_remote_error (error, ERR "PciAddress", NULL);
  }
}

/* The second Resolve of the same name comes from the cache, with the same data. */
static void
test_resolve_cached (DpugwTestBus *f)
{
  g_autoptr(GVariant) first = NULL;
  g_autoptr(GVariant) second = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *if1 = NULL;
  g_autofree char *if2 = NULL;
  const char *keys[] = { "mgmt-port", "vf-pci", "pf-pci", "source" };

  START (f, "--config-file=");
  dpugw_test_wait_ready (f);

  if1 = dpugw_test_resolve (f->conn, "pf0vf1", &first, &error);
  g_assert_no_error (error);
  g_assert_false (dpugw_test_lookup_boolean (first, "cached"));
  if2 = dpugw_test_resolve (f->conn, "pf0vf1", &second, &error);
  g_assert_no_error (error);
  g_assert_true (dpugw_test_lookup_boolean (second, "cached"));

  g_assert_cmpstr (if1, ==, if2);
  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    g_assert_cmpstr (dpugw_test_lookup_string (first, keys[i]), ==, dpugw_test_lookup_string (second, keys[i]));
  {
    g_autoptr(GVariant) c1 = g_variant_lookup_value (first, "candidates", G_VARIANT_TYPE_STRING_ARRAY);
    g_autoptr(GVariant) c2 = g_variant_lookup_value (second, "candidates", G_VARIANT_TYPE_STRING_ARRAY);
    g_assert_nonnull (c1);
    g_assert_true (g_variant_equal (c1, c2));
  }
  g_assert_cmpuint (dpugw_test_lookup_uint64 (first, "generation"), ==, dpugw_test_lookup_uint64 (second, "generation"));
}

/* --- 50 concurrent callers ------------------------------------------------- */

typedef struct {
  const char *port;
  const char *vf_pci;
  const char *mgmt_port;
  GDBusConnection *conn;
  GVariant *reply;
  GError *error;
  gboolean done;
} Caller;

static void
on_caller_reply (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Caller *c = user_data;

  c->reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &c->error);
  c->done = TRUE;
}

static gboolean
all_done (Caller *callers, guint n)
{
  for (guint i = 0; i < n; i++)
    if (!callers[i].done)
      return FALSE;
  return TRUE;
}

static void
test_concurrent_callers (DpugwTestBus *f)
{
  enum { N = 50 };
  Caller callers[N] = { 0 };
  static const struct { const char *port, *vf_pci, *mgmt_port; } kinds[] = {
    { "pf0vf0", "0000:01:02.3", "pf0vf0" },
    { "pf0vf1", "0000:01:02.4", "pf0vf1" },
    { "0000:01:02.3", "0000:01:02.3", "pf0vf0" },
  };

  /* Nothing configured: nothing is cached before the callers ask. */
  START (f, "--config-file=");

  for (guint i = 0; i < N; i++)
    {
      g_autoptr(GError) error = NULL;

      callers[i].port = kinds[i % G_N_ELEMENTS (kinds)].port;
      callers[i].vf_pci = kinds[i % G_N_ELEMENTS (kinds)].vf_pci;
      callers[i].mgmt_port = kinds[i % G_N_ELEMENTS (kinds)].mgmt_port;
      callers[i].conn = g_dbus_connection_new_for_address_sync (f->address,
                                                                G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                                                  G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                                NULL, NULL, &error);
      g_assert_no_error (error);
      g_dbus_connection_set_exit_on_close (callers[i].conn, FALSE);
    }
  /* All at once. */
  for (guint i = 0; i < N; i++)
    g_dbus_connection_call (callers[i].conn, NAME, PATH, IFACE, "Resolve", g_variant_new ("(s)", callers[i].port),
                            G_VARIANT_TYPE ("(sa{sv})"), G_DBUS_CALL_FLAGS_NO_AUTO_START, dpugw_test_msec (DPUGW_TEST_CALL_MSEC),
                            NULL, on_caller_reply, &callers[i]);
  DPUGW_TEST_WAIT (all_done (callers, N), "50 answers");

  for (guint i = 0; i < N; i++)
    {
      g_autoptr(GVariant) details = NULL;
      const char *interface;

      g_assert_no_error (callers[i].error);
      g_variant_get (callers[i].reply, "(&s@a{sv})", &interface, &details);
      g_assert_cmpstr (interface, ==, "eth0");
      g_assert_cmpstr (dpugw_test_lookup_string (details, "vf-pci"), ==, callers[i].vf_pci);
      g_assert_cmpstr (dpugw_test_lookup_string (details, "mgmt-port"), ==, callers[i].mgmt_port);
      g_assert_cmpstr (dpugw_test_lookup_string (details, "pf-pci"), ==, "0000:01:00.0");
      g_assert_cmpuint (dpugw_test_lookup_uint64 (details, "generation"), >, 0);
      /* Resolve's few: the rest is ResolveAll's. */
      g_assert_cmpuint (g_variant_n_children (details), ==, 5);
    }

  for (guint i = 0; i < N; i++)
    {
      g_dbus_connection_close_sync (callers[i].conn, NULL, NULL);
      g_clear_object (&callers[i].conn);
      g_clear_pointer (&callers[i].reply, g_variant_unref);
    }
  dpugw_test_drain ();
  dpugw_test_ping (f);
}

/* ===========================================================================
 * Errors: the D-Bus name of the code and the library's message, verbatim
 * ======================================================================== */

static void
test_error_invalid_argument (DpugwTestBus *f)
{
  g_autoptr(DpugwConfig) config = empty_config ();
  g_autofree char *long_name = g_strnfill (64 * 1024, 'a');

  START (f, "--config-file=");
  dpugw_test_wait_ready (f);

  assert_resolve_fails_like_library (f, config, "../x", ERR "InvalidArgument");
  assert_resolve_fails_like_library (f, config, "0000:01:02.8", ERR "InvalidArgument");
  assert_resolve_fails_like_library (f, config, long_name, ERR "InvalidArgument");
  assert_resolve_fails_like_library (f, config, "pf0 vf0", ERR "InvalidArgument");
  assert_resolve_fails_like_library (f, config, "..", ERR "InvalidArgument");
  assert_resolve_fails_like_library (f, config, "0000:01:02", ERR "InvalidArgument");
  assert_resolve_fails_like_library (f, config, "0000:01:02.3 ", ERR "InvalidArgument");
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(GVariant) details = NULL;
    g_autofree char *interface = dpugw_test_resolve (f->conn, "../x", &details, &error);
    g_assert_null (interface);
    dpugw_test_assert_remote_error (error, ERR "InvalidArgument", "invalid network device name \"../x\": it contains '/'");
  }
  dpugw_test_ping (f);
}

static void
test_error_not_configured (DpugwTestBus *f)
{
  g_autoptr(DpugwConfig) config = empty_config ();

  START (f, "--config-file=");
  dpugw_test_wait_ready (f);

  /* Nothing configured (full mode): ovnkube-node takes the default route's interface, and this
   * namespace has no default route. */
  assert_resolve_fails_like_library (f, config, "", ERR "HostNetwork");
  {
    g_autofree char *last_error = dpugw_test_get_string (f, "LastError");
    g_autofree char *gw = dpugw_test_get_string (f, "GatewayInterface");
    g_autofree char *mgmt = dpugw_test_get_string (f, "ManagementPort");
    g_assert_cmpstr (last_error, ==, "unable to find default gateway and none provided via config");
    g_assert_cmpstr (gw, ==, "");
    g_assert_cmpstr (mgmt, ==, "");
  }
}

static void
test_error_pci_address (DpugwTestBus *f)
{
  g_autoptr(DpugwConfig) config = empty_config ();
  g_autofree char *expected = g_strdup_printf ("failed to get PCI address: no network device pf0vf9 "
                                               "(%s/class/net/pf0vf9: No such file or directory)", f->root);

  START (f, "--config-file=");
  dpugw_test_wait_ready (f);

  assert_resolve_fails_like_library (f, config, "pf0vf9", ERR "PciAddress");
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(GVariant) details = NULL;
    g_autofree char *interface = dpugw_test_resolve (f->conn, "pf0vf9", &details, &error);
    g_assert_null (interface);
    dpugw_test_assert_remote_error (error, ERR "PciAddress", expected);
  }
  assert_resolve_fails_like_library (f, config, "lo", ERR "PciAddress");
}

static void
test_error_pf_pci_address (DpugwTestBus *f)
{
  g_autoptr(DpugwConfig) config = empty_config ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) details = NULL;
  g_autofree char *interface = NULL;

  START (f, "--config-file=");
  dpugw_test_wait_ready (f);

  interface = dpugw_test_resolve (f->conn, "eth0", &details, &error);
  g_assert_null (interface);
  dpugw_test_assert_remote_error (error, ERR "PfPciAddress",
                       "failed to get PF PCI address: 0000:01:00.0 is not a virtual function (no physfn link): it is an SR-IOV physical function (2 of 8 VFs enabled); use one of its VFs as the management port");
  assert_resolve_fails_like_library (f, config, "eth0", ERR "PfPciAddress");
  assert_resolve_fails_like_library (f, config, "0000:01:00.0", ERR "PfPciAddress");
  assert_resolve_fails_like_library (f, config, "0000:01:02.7", ERR "PfPciAddress");
}

static void
test_error_netdev_discovery (DpugwTestBus *f)
{
  g_autoptr(DpugwConfig) config = empty_config ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) details = NULL;
  g_autofree char *interface = NULL;

  START (f, "--config-file=");
  dpugw_test_wait_ready (f);

  assert_resolve_fails_like_library (f, config, "pf0vf0", ERR "NetdevDiscovery");
  interface = dpugw_test_resolve (f->conn, "pf0vf0", &details, &error);
  g_assert_null (interface);
  dpugw_test_assert_remote_error (error, ERR "NetdevDiscovery", NULL);
  {
    g_autoptr(GError) copy = g_error_copy (error);
    g_dbus_error_strip_remote_error (copy);
    g_assert_true (g_str_has_prefix (copy->message, "failed to get network devices: "));
  }
}

static void
test_error_no_netdevs (DpugwTestBus *f)
{
  g_autoptr(DpugwConfig) config = empty_config ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) details = NULL;
  g_autofree char *interface = NULL;

  dpugw_test_mkdir (f->testbed, EXAMPLE_PF "/net");
  START (f, "--config-file=");
  dpugw_test_wait_ready (f);

  interface = dpugw_test_resolve (f->conn, "pf0vf0", &details, &error);
  g_assert_null (interface);
  dpugw_test_assert_remote_error (error, ERR "NoNetdevs", "no netdevs found for pci address 0000:01:00.0");
  assert_resolve_fails_like_library (f, config, "0000:01:02.3", ERR "NoNetdevs");
}

/* A call with the wrong signature is refused by GDBus; the daemon carries on. */
static void
test_error_wrong_signature (DpugwTestBus *f)
{
  START (f, "--config-file=");
  dpugw_test_wait_ready (f);

  {
    g_autoptr(GError) error = NULL;
    g_autoptr(GVariant) reply = dpugw_test_call (f, IFACE, "Resolve", g_variant_new ("(u)", 7), NULL, &error);
    g_assert_null (reply);
    dpugw_test_assert_remote_error (error, "org.freedesktop.DBus.Error.InvalidArgs", NULL);
  }
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(GVariant) reply = dpugw_test_call (f, IFACE, "Resolve", g_variant_new ("(ss)", "pf0vf0", "x"), NULL, &error);
    g_assert_null (reply);
    dpugw_test_assert_remote_error (error, "org.freedesktop.DBus.Error.InvalidArgs", NULL);
  }
  dpugw_test_ping (f);
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(GVariant) details = NULL;
    g_autofree char *interface = dpugw_test_resolve (f->conn, "pf0vf0", &details, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (interface, ==, "eth0");
  }
  g_assert_false (((DpugwTestDaemon *) g_ptr_array_index (f->daemons, 0))->exited);
}

/* ===========================================================================
 * Properties
 * ======================================================================== */

static char *
daemon_version_output (void)
{
  g_autofree char *daemon = dpugw_test_daemon_path ();
  g_auto(GStrv) envp = dpugw_test_daemon_environ (NULL, NULL);
  const char *argv[] = { daemon, "--version", NULL };
  g_autoptr(GError) error = NULL;
  char *out = NULL;
  g_autofree char *err = NULL;
  int wait_status;

  g_assert_true (g_spawn_sync (NULL, (char **) argv, envp, G_SPAWN_DEFAULT, NULL, NULL, &out, &err,
                               &wait_status, &error));
  g_assert_no_error (error);
  g_assert_true (WIFEXITED (wait_status));
  g_assert_cmpint (WEXITSTATUS (wait_status), ==, 0);
  g_assert_cmpstr (err, ==, "");
  return out;
}

/* GetAll and Get, with the configuration flags. */
static void
test_properties_configured (DpugwTestBus *f)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) all = NULL;
  g_autofree char *version_out = daemon_version_output ();
  g_autofree char *expected_version_out = NULL;
  const char *version;

  START (f, CONFIGURED);
  dpugw_test_wait_ready (f);

  reply = dpugw_test_call (f, "org.freedesktop.DBus.Properties", "GetAll", g_variant_new ("(s)", IFACE), "(a{sv})", &error);
  g_assert_no_error (error);
  all = g_variant_get_child_value (reply, 0);
  g_assert_cmpuint (g_variant_n_children (all), ==, 6);
  g_assert_cmpstr (dpugw_test_lookup_string (all, "ManagementPort"), ==, "pf0vf0");
  /* The configuration in effect: what the flags set, and the defaults that always apply. */
  {
    g_autoptr(GVariant) configuration = g_variant_lookup_value (all, "Configuration", G_VARIANT_TYPE ("a{ss}"));
    const char *value;

    g_assert_nonnull (configuration);
    g_assert_true (g_variant_lookup (configuration, "mode", "&s", &value));
    g_assert_cmpstr (value, ==, "dpu-host");
    g_assert_true (g_variant_lookup (configuration, "mgmt-port-netdev", "&s", &value));
    g_assert_cmpstr (value, ==, "pf0vf0");
    g_assert_true (g_variant_lookup (configuration, "gateway-interface", "&s", &value));
    g_assert_cmpstr (value, ==, "derive-from-mgmt-port");
    g_assert_true (g_variant_lookup (configuration, "gateway-select", "&s", &value));
    g_assert_cmpstr (value, ==, "first");
    g_assert_false (g_variant_lookup (configuration, "config-file", "&s", &value));
    g_assert_false (g_variant_lookup (configuration, "mgmt-port-dp-resource-name", "&s", &value));
  }
  g_assert_cmpstr (dpugw_test_lookup_string (all, "GatewayInterface"), ==, "eth0");
  g_assert_cmpstr (dpugw_test_lookup_string (all, "LastError"), ==, "");
  g_assert_cmpuint (dpugw_test_lookup_uint64 (all, "Generation"), >=, 1);
  version = dpugw_test_lookup_string (all, "Version");
  g_assert_cmpstr (version, !=, "");
  expected_version_out = g_strdup_printf ("dpu-gatewayd %s\n", version);
  g_assert_cmpstr (version_out, ==, expected_version_out);

  /* Get says the same. */
  {
    g_autofree char *mgmt = dpugw_test_get_string (f, "ManagementPort");
    g_autofree char *gw = dpugw_test_get_string (f, "GatewayInterface");
    g_autofree char *last_error = dpugw_test_get_string (f, "LastError");
    g_autofree char *v = dpugw_test_get_string (f, "Version");
    g_assert_cmpstr (mgmt, ==, "pf0vf0");
    g_assert_cmpstr (gw, ==, "eth0");
    g_assert_cmpstr (last_error, ==, "");
    g_assert_cmpstr (v, ==, version);
    g_assert_cmpuint (dpugw_test_get_generation (f), ==, dpugw_test_lookup_uint64 (all, "Generation"));
  }
}

/* ovn-k8s-mp0 has taken the configured pf0vf0's place. */
static void
test_properties_renamed (DpugwTestBus *f)
{
  START (f, CONFIGURED);
  dpugw_test_wait_ready (f);

  {
    g_autofree char *mgmt = dpugw_test_get_string (f, "ManagementPort");
    g_autofree char *gw = dpugw_test_get_string (f, "GatewayInterface");
    g_autofree char *last_error = dpugw_test_get_string (f, "LastError");
    g_assert_cmpstr (mgmt, ==, "ovn-k8s-mp0");
    g_assert_cmpstr (gw, ==, "eth0");
    g_assert_cmpstr (last_error, ==, "");
  }
}

/* The device plugin's VF, from the environment. */
static void
test_properties_device_plugin (DpugwTestBus *f)
{
  const char *env[] = {
    "OVNKUBE_NODE_MGMT_PORT_DP_RESOURCE_NAME=nvidia.com/mgmt_vf",
    "PCIDEVICE_NVIDIA_COM_MGMT_VF=0000:01:02.4",
    NULL
  };

  START_ENV (f, env, "--config-file=", "--ovnkube-node-mode=dpu-host",
             "--gateway-interface=derive-from-mgmt-port");
  dpugw_test_wait_ready (f);

  {
    g_autofree char *mgmt = dpugw_test_get_string (f, "ManagementPort");
    g_autofree char *gw = dpugw_test_get_string (f, "GatewayInterface");
    g_autofree char *last_error = dpugw_test_get_string (f, "LastError");
    g_assert_cmpstr (mgmt, ==, "pf0vf1");
    g_assert_cmpstr (gw, ==, "eth0");
    g_assert_cmpstr (last_error, ==, "");
  }
  {
    g_autoptr(GVariant) details = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree char *interface = dpugw_test_resolve (f->conn, "", &details, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (interface, ==, "eth0");
    g_assert_cmpstr (dpugw_test_lookup_string (details, "source"), ==, "device-plugin");
    g_assert_cmpstr (dpugw_test_lookup_string (details, "vf-pci"), ==, "0000:01:02.4");
    g_assert_cmpstr (dpugw_test_lookup_string (details, "mgmt-port"), ==, "pf0vf1");
  }
}

/* A configured netdev that does not resolve: no interface, and LastError says why. */
static void
test_properties_last_error (DpugwTestBus *f)
{
  const char *message = "failed to get PF PCI address: 0000:01:00.0 is not a virtual function (no physfn link): it is an SR-IOV physical function (2 of 8 VFs enabled); use one of its VFs as the management port";

  START (f, "--config-file=", "--ovnkube-node-mode=dpu-host", "--ovnkube-node-mgmt-port-netdev=eth0",
         "--gateway-interface=derive-from-mgmt-port");
  dpugw_test_wait_ready (f);

  {
    g_autofree char *gw = dpugw_test_get_string (f, "GatewayInterface");
    g_autofree char *last_error = dpugw_test_get_string (f, "LastError");
    g_autofree char *mgmt = dpugw_test_get_string (f, "ManagementPort");
    g_assert_cmpstr (gw, ==, "");
    g_assert_cmpstr (last_error, ==, message);
    g_assert_cmpstr (mgmt, ==, "eth0");
  }
  {
    g_autoptr(GVariant) details = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree char *interface = dpugw_test_resolve (f->conn, "", &details, &error);
    g_assert_null (interface);
    dpugw_test_assert_remote_error (error, ERR "PfPciAddress", message);
  }
}

/* ===========================================================================
 * GetTopology
 * ======================================================================== */

static void
assert_vf (GVariant *vfs, guint index, const char *pci, const char *netdev)
{
  g_autoptr(GVariant) vf = g_variant_get_child_value (vfs, index);

  g_assert_cmpuint (dpugw_test_lookup_uint32 (vf, "index"), ==, index);
  g_assert_cmpstr (dpugw_test_lookup_string (vf, "pci"), ==, pci);
  dpugw_test_assert_strv_key (vf, "netdevs", STRV (netdev));
}

static GVariant *
get_topology (DpugwTestBus *f, guint64 *generation)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = dpugw_test_call (f, IFACE, "GetTopology", NULL, "(taa{sv})", &error);
  GVariant *pfs = NULL;

  g_assert_no_error (error);
  g_variant_get (reply, "(t@aa{sv})", generation, &pfs);
  return pfs;
}

static void
test_topology_bluefield (DpugwTestBus *f)
{
  g_autoptr(GVariant) pfs = NULL;
  guint64 generation;
  static const struct {
    const char *pci, *netdev, *vfs[3], *vf_netdevs[3];
  } expected[] = {
    { "0000:03:00.0", "ens1f0np0", { "0000:03:00.2", "0000:03:00.3", "0000:03:00.4" },
      { "ens1f0v0", "ens1f0v1", "ens1f0v2" } },
    { "0000:03:00.1", "ens1f1np1", { "0000:03:08.2", "0000:03:08.3", "0000:03:08.4" },
      { "ens1f1v0", "ens1f1v1", "ens1f1v2" } },
  };

  START (f, "--config-file=");
  dpugw_test_wait_ready (f);

  pfs = get_topology (f, &generation);
  g_assert_cmpuint (generation, ==, dpugw_test_get_generation (f));
  g_assert_cmpuint (g_variant_n_children (pfs), ==, 2);
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(GVariant) pf = g_variant_get_child_value (pfs, i);
      g_autoptr(GVariant) vfs = g_variant_lookup_value (pf, "vfs", G_VARIANT_TYPE ("aa{sv}"));

      g_assert_cmpstr (dpugw_test_lookup_string (pf, "pci"), ==, expected[i].pci);
      dpugw_test_assert_strv_key (pf, "netdevs", STRV (expected[i].netdev));
      g_assert_cmpstr (dpugw_test_lookup_string (pf, "driver"), ==, "mlx5_core");
      g_assert_cmpuint (dpugw_test_lookup_uint32 (pf, "total-vfs"), ==, 16);
      g_assert_cmpuint (dpugw_test_lookup_uint32 (pf, "num-vfs"), ==, 3);
      g_assert_false (g_variant_lookup (pf, "switch-id", "&s", NULL));
      g_assert_cmpuint (g_variant_n_children (pf), ==, 6);
      g_assert_nonnull (vfs);
      g_assert_cmpuint (g_variant_n_children (vfs), ==, 3);
      for (guint j = 0; j < 3; j++)
        assert_vf (vfs, j, expected[i].vfs[j], expected[i].vf_netdevs[j]);
    }
}

static void
test_topology_switchdev (DpugwTestBus *f)
{
  g_autoptr(GVariant) pfs = NULL;
  g_autoptr(GVariant) pf = NULL;
  g_autoptr(GVariant) vfs = NULL;
  guint64 generation;

  START (f, "--config-file=");
  dpugw_test_wait_ready (f);

  pfs = get_topology (f, &generation);
  g_assert_cmpuint (generation, >=, 1);
  g_assert_cmpuint (g_variant_n_children (pfs), ==, 1);
  pf = g_variant_get_child_value (pfs, 0);
  g_assert_cmpstr (dpugw_test_lookup_string (pf, "pci"), ==, "0000:3b:00.0");
  dpugw_test_assert_strv_key (pf, "netdevs", STRV ("eth0", "eth1", "eth2", "pf0"));
  g_assert_cmpstr (dpugw_test_lookup_string (pf, "switch-id"), ==, "8c2a8e0003c6b10c");
  g_assert_cmpuint (dpugw_test_lookup_uint32 (pf, "total-vfs"), ==, 8);
  g_assert_cmpuint (dpugw_test_lookup_uint32 (pf, "num-vfs"), ==, 3);
  vfs = g_variant_lookup_value (pf, "vfs", G_VARIANT_TYPE ("aa{sv}"));
  g_assert_nonnull (vfs);
  g_assert_cmpuint (g_variant_n_children (vfs), ==, 3);
  assert_vf (vfs, 0, "0000:3b:00.2", "ens2f0v0");
  assert_vf (vfs, 1, "0000:3b:00.3", "ens2f0v1");
  assert_vf (vfs, 2, "0000:3b:00.4", "ens2f0v2");
}

/* ===========================================================================
 * Refresh
 * ======================================================================== */

/* The PF's first netdev goes away: Refresh tells who listens, and answers change. */
static void
test_refresh_changed (DpugwTestBus *f)
{
  guint64 before, generation;
  const char *vf, *old_if, *new_if;
  g_autofree char *eth0_dir = NULL;
  g_autofree char *eth0_link = NULL;

  START (f, CONFIGURED);
  dpugw_test_wait_ready (f);
  before = dpugw_test_get_generation (f);
  dpugw_test_subscribe (f);

  eth0_dir = dpugw_test_path (f->testbed, EXAMPLE_PF "/net/eth0");
  eth0_link = dpugw_test_path (f->testbed, "class/net/eth0");
  dpugw_test_rm_rf (eth0_dir);
  dpugw_test_rm_rf (eth0_link);

  dpugw_test_refresh (f);
  DPUGW_TEST_WAIT (f->gateway_changed->len >= 1 && f->topology_changed->len >= 1 &&
                dpugw_test_has_property_changed (f, 0, "GatewayInterface", "eth1"),
              "GatewayChanged, TopologyChanged and PropertiesChanged");
  dpugw_test_ping (f);
  dpugw_test_drain ();

  g_assert_cmpuint (f->gateway_changed->len, ==, 1);
  g_variant_get (g_ptr_array_index (f->gateway_changed, 0), "(&s&s&s)", &vf, &old_if, &new_if);
  g_assert_cmpstr (vf, ==, "0000:01:02.3");
  g_assert_cmpstr (old_if, ==, "eth0");
  g_assert_cmpstr (new_if, ==, "eth1");

  g_assert_cmpuint (f->topology_changed->len, ==, 1);
  g_variant_get (g_ptr_array_index (f->topology_changed, 0), "(t)", &generation);
  g_assert_cmpuint (generation, >, before);
  g_assert_cmpuint (dpugw_test_get_generation (f), ==, generation);

  {
    g_autoptr(GVariant) details = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree char *interface = dpugw_test_resolve (f->conn, "pf0vf0", &details, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (interface, ==, "eth1");
    dpugw_test_assert_strv_key (details, "candidates", STRV ("eth1"));
    g_assert_cmpuint (dpugw_test_lookup_uint64 (details, "generation"), ==, generation);
  }
  {
    g_autofree char *gw = dpugw_test_get_string (f, "GatewayInterface");
    g_assert_cmpstr (gw, ==, "eth1");
  }
  {
    g_autoptr(GVariant) pfs = NULL;
    g_autoptr(GVariant) pf = NULL;
    guint64 topology_generation;

    pfs = get_topology (f, &topology_generation);
    g_assert_cmpuint (topology_generation, ==, generation);
    pf = g_variant_get_child_value (pfs, 0);
    dpugw_test_assert_strv_key (pf, "netdevs", STRV ("eth1"));
  }
}

/* Refresh with nothing changed: no GatewayChanged, no TopologyChanged, same Generation. */
static void
test_refresh_unchanged (DpugwTestBus *f)
{
  guint64 before;

  START (f, CONFIGURED);
  dpugw_test_wait_ready (f);
  before = dpugw_test_get_generation (f);
  dpugw_test_subscribe (f);

  dpugw_test_refresh (f);
  dpugw_test_ping (f);
  dpugw_test_drain ();
  dpugw_test_refresh (f);
  dpugw_test_ping (f);
  dpugw_test_drain ();

  g_assert_cmpuint (f->gateway_changed->len, ==, 0);
  g_assert_cmpuint (f->topology_changed->len, ==, 0);
  g_assert_cmpuint (dpugw_test_get_generation (f), ==, before);
  {
    g_autofree char *gw = dpugw_test_get_string (f, "GatewayInterface");
    g_assert_cmpstr (gw, ==, "eth0");
  }
}

/*
 * A change of the topology alone (the PF's second netdev renamed, the gateway still eth0): a new
 * Generation, which TopologyChanged, the property, GetTopology and the answers all carry; no
 * GatewayChanged.
 */
static void
test_refresh_topology_only (DpugwTestBus *f)
{
  guint64 before, generation;
  DpugwTestMark m;

  START (f, CONFIGURED);
  dpugw_test_wait_ready (f);
  dpugw_test_subscribe (f);
  before = dpugw_test_get_generation (f);
  m = dpugw_test_mark (f);

  dpugw_test_rename_netdev (f->testbed, EXAMPLE_PF, "eth1", "zz1");
  dpugw_test_refresh (f);
  DPUGW_TEST_WAIT (f->topology_changed->len > m.topology, "TopologyChanged");
  dpugw_test_ping (f);

  g_assert_cmpuint (f->topology_changed->len, ==, m.topology + 1);
  g_variant_get (g_ptr_array_index (f->topology_changed, m.topology), "(t)", &generation);
  if (generation <= before)
    g_error ("TopologyChanged(%" G_GUINT64_FORMAT ") after a change of the topology alone: Generation was %"
             G_GUINT64_FORMAT " before it, and must increase", generation, before);
  g_assert_cmpuint (dpugw_test_get_generation (f), ==, generation);
  g_assert_true (dpugw_test_has_property (f, m.properties, "Generation"));
  g_assert_cmpuint (f->gateway_changed->len, ==, m.gateway);
  {
    guint64 topology_generation;
    g_auto(GStrv) netdevs = dpugw_test_topology_pf_netdevs (f, "0000:01:00.0", &topology_generation);

    g_assert_cmpuint (topology_generation, ==, generation);
    g_assert_cmpstrv (netdevs, STRV ("eth0", "zz1"));
  }
  {
    g_autoptr(GVariant) details = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree char *interface = dpugw_test_resolve (f->conn, "pf0vf0", &details, &error);

    g_assert_no_error (error);
    g_assert_cmpstr (interface, ==, "eth0");
    dpugw_test_assert_strv_key (details, "candidates", STRV ("eth0", "zz1"));
    g_assert_cmpuint (dpugw_test_lookup_uint64 (details, "generation"), ==, generation);
  }
}

/* Root's Refresh returns (the tests run as root). */
static void
test_refresh_root (DpugwTestBus *f)
{
  g_assert_cmpuint (getuid (), ==, 0);
  START (f, CONFIGURED);
  dpugw_test_wait_ready (f);
  dpugw_test_refresh (f);
  dpugw_test_ping (f);
}

/* ===========================================================================
 * SIGHUP
 * ======================================================================== */

static void
test_sighup (DpugwTestBus *f)
{
  g_autofree char *path = g_build_filename (f->tmpdir, "ovnkube.conf", NULL);
  g_autofree char *file_arg = g_strconcat ("--config-file=", path, NULL);
  DpugwTestDaemon *d;

  dpugw_test_write_file (path, "[OvnKubeNode]\nmode=dpu-host\nmgmt-port-netdev=pf0vf0\n\n"
                    "[Gateway]\ninterface=derive-from-mgmt-port\n");
  d = START (f, file_arg);
  DPUGW_TEST_WAIT (dpugw_test_string_property_is (f, "ManagementPort", "pf0vf0") && dpugw_test_get_generation (f) >= 1,
              "ManagementPort pf0vf0");
  {
    g_autofree char *gw = dpugw_test_get_string (f, "GatewayInterface");
    g_assert_cmpstr (gw, ==, "eth0");
  }

  dpugw_test_write_file (path, "[OvnKubeNode]\nmode=dpu-host\nmgmt-port-netdev=pf0vf1\n\n"
                    "[Gateway]\ninterface=derive-from-mgmt-port\n");
  g_subprocess_send_signal (d->process, SIGHUP);
  DPUGW_TEST_WAIT (dpugw_test_string_property_is (f, "ManagementPort", "pf0vf1"), "ManagementPort pf0vf1 after SIGHUP");
  {
    g_autoptr(GVariant) details = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree char *interface = dpugw_test_resolve (f->conn, "", &details, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (interface, ==, "eth0");
    g_assert_cmpstr (dpugw_test_lookup_string (details, "vf-pci"), ==, "0000:01:02.4");
  }

  /* A broken file: the daemon keeps the configuration it has. */
  dpugw_test_write_file (path, "[OvnKubeNode]\nmode=bogus\nmgmt-port-netdev=pf0vf0\n");
  g_subprocess_send_signal (d->process, SIGHUP);
  dpugw_test_ping (f);
  DPUGW_TEST_WAIT (dpugw_test_daemon_log_contains (d, "keeping the previous configuration"), "the daemon to handle the second SIGHUP");
  dpugw_test_ping (f);
  g_assert_false (d->exited);
  {
    g_autofree char *mgmt = dpugw_test_get_string (f, "ManagementPort");
    g_autofree char *gw = dpugw_test_get_string (f, "GatewayInterface");
    g_assert_cmpstr (mgmt, ==, "pf0vf1");
    g_assert_cmpstr (gw, ==, "eth0");
  }
  {
    g_autoptr(GVariant) details = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree char *interface = dpugw_test_resolve (f->conn, "", &details, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (dpugw_test_lookup_string (details, "vf-pci"), ==, "0000:01:02.4");
  }
}

/* SIGHUP changes an explicit gateway interface: GatewayChanged("", old, new). */
static void
test_sighup_explicit (DpugwTestBus *f)
{
  g_autofree char *path = g_build_filename (f->tmpdir, "ovnkube.conf", NULL);
  g_autofree char *file_arg = g_strconcat ("--config-file=", path, NULL);
  const char *vf, *old_if, *new_if;
  DpugwTestDaemon *d;

  dpugw_test_write_file (path, "[Gateway]\ninterface=eth7\n");
  d = START (f, file_arg);
  DPUGW_TEST_WAIT (dpugw_test_string_property_is (f, "GatewayInterface", "eth7"), "GatewayInterface eth7");
  dpugw_test_subscribe (f);

  dpugw_test_write_file (path, "[Gateway]\ninterface=eth8\n");
  g_subprocess_send_signal (d->process, SIGHUP);
  DPUGW_TEST_WAIT (f->gateway_changed->len >= 1 && dpugw_test_has_property_changed (f, 0, "GatewayInterface", "eth8"),
              "GatewayChanged and PropertiesChanged after SIGHUP");
  dpugw_test_ping (f);
  dpugw_test_drain ();

  g_assert_cmpuint (f->gateway_changed->len, ==, 1);
  g_variant_get (g_ptr_array_index (f->gateway_changed, 0), "(&s&s&s)", &vf, &old_if, &new_if);
  g_assert_cmpstr (vf, ==, "");
  g_assert_cmpstr (old_if, ==, "eth7");
  g_assert_cmpstr (new_if, ==, "eth8");
  g_assert_cmpuint (f->topology_changed->len, ==, 0);
  {
    g_autoptr(GVariant) details = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree char *interface = dpugw_test_resolve (f->conn, "", &details, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (interface, ==, "eth8");
    g_assert_cmpstr (dpugw_test_lookup_string (details, "source"), ==, "configured");
  }
}

/* Resolve(@port) alone answers @expected (@when says when, if not). */
static void
assert_answers (DpugwTestBus *f, const char *port, const char *expected, const char *when)
{
  g_autoptr(GVariant) details = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *interface = dpugw_test_resolve_once (f->conn, port, &details, &error);

  g_assert_no_error (error);
  if (g_strcmp0 (interface, expected) != 0)
    g_error ("Resolve(\"%s\") = %s %s, expected %s", port, interface, when, expected);
}

/*
 * SIGHUP with a new gateway-select rule: as soon as the daemon shows the new Configuration,
 * Resolve("") and Resolve of ports it answered before answer under the new rule, never from
 * what it cached under the old one; then GatewayChanged and the property follow.  Toggled ten
 * times: the daemon re-resolves in milliseconds, so any one toggle may miss an answer given
 * from the old cache, ten hardly can.
 */
static void
test_sighup_gateway_select (DpugwTestBus *f)
{
  g_autofree char *path = g_build_filename (f->tmpdir, "ovnkube.conf", NULL);
  g_autofree char *file_arg = g_strconcat ("--config-file=", path, NULL);
  const char *conf = "[OvnKubeNode]\nmode=dpu-host\nmgmt-port-netdev=ens2f0v1\n\n"
                     "[Gateway]\ninterface=derive-from-mgmt-port\n";
  g_autofree char *uplink = g_strconcat (conf, "select=uplink\n", NULL);
  const char *ports[] = { "", "ens2f0v0", "0000:3b:00.4" };
  DpugwTestDaemon *d;

  dpugw_test_write_file (path, conf);
  d = START (f, file_arg);
  dpugw_test_wait_ready (f);
  dpugw_test_subscribe (f);
  /* Asked twice each: the second answer is from the cache. */
  for (guint i = 0; i < 2; i++)
    for (guint j = 0; j < G_N_ELEMENTS (ports); j++)
      assert_answers (f, ports[j], "eth0", "with select=first");

  for (guint round = 0; round < 10; round++)
    {
      gboolean up = round % 2 == 0;
      const char *want = up ? "pf0" : "eth0";
      DpugwTestMark m = dpugw_test_mark (f);

      dpugw_test_write_file (path, up ? uplink : conf);
      dpugw_test_daemon_signal (d, SIGHUP);
      DPUGW_TEST_WAIT (dpugw_test_has_property (f, m.properties, "Configuration"), "the new configuration");
      {
        g_autoptr(GVariant) configuration = dpugw_test_get_property (f, "Configuration");
        const char *select = NULL;

        g_assert_true (g_variant_lookup (configuration, "gateway-select", "&s", &select));
        g_assert_cmpstr (select, ==, up ? "uplink" : "first");
      }
      for (guint j = 0; j < G_N_ELEMENTS (ports); j++)
        assert_answers (f, ports[j], want, up ? "after SIGHUP with select=uplink" : "after SIGHUP with select=first");
      DPUGW_TEST_WAIT (dpugw_test_has_gateway_changed (f, m.gateway, "0000:3b:00.3", up ? "eth0" : "pf0", want),
                       "GatewayChanged of the configured port");
      g_assert_true (dpugw_test_string_property_is (f, "GatewayInterface", want));
    }
}

/* ===========================================================================
 * Start-up and exit codes
 * ======================================================================== */

typedef struct {
  guint new_connections;
} BusWatch;

static void
on_name_owner_changed (GDBusConnection *connection, const char *sender, const char *object_path,
                       const char *interface_name, const char *signal_name, GVariant *parameters,
                       gpointer user_data)
{
  BusWatch *w = user_data;
  const char *name, *old_owner, *new_owner;

  g_variant_get (parameters, "(&s&s&s)", &name, &old_owner, &new_owner);
  if (name[0] == ':' && *old_owner == '\0')
    w->new_connections++;
}

/* An invalid configuration: exit 2 with the reason, before the bus is touched. */
static void
test_startup_invalid_config (DpugwTestBus *f)
{
  g_autofree char *daemon = dpugw_test_daemon_path ();
  g_auto(GStrv) envp = dpugw_test_daemon_environ (f->address, NULL);
  const char *argv[] = { daemon, "--sysfs-root", f->root, "--config-file=", "--ovnkube-node-mode=full",
                         "--ovnkube-node-mgmt-port-netdev=pf0vf0", "--gateway-interface=derive-from-mgmt-port",
                         NULL };
  const DpugwConfigFlags flags = { .mode = "full", .mgmt_port_netdev = "pf0vf0",
                                   .gateway_interface = "derive-from-mgmt-port", .config_file = "" };
  const char *no_env[] = { NULL };
  g_autoptr(GError) lib_error = NULL;
  g_autoptr(DpugwConfig) config = dpugw_config_load (&flags, no_env, NULL, &lib_error);
  g_autofree char *expected_err = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  BusWatch watch = { 0 };
  guint sub;
  int wait_status;

  g_assert_null (config);
  g_assert_error (lib_error, DPUGW_ERROR, DPUGW_ERROR_INVALID_CONFIG);
  expected_err = g_strdup_printf ("dpu-gatewayd: %s\n", lib_error->message);

  sub = g_dbus_connection_signal_subscribe (f->conn, "org.freedesktop.DBus", "org.freedesktop.DBus",
                                            "NameOwnerChanged", "/org/freedesktop/DBus", NULL,
                                            G_DBUS_SIGNAL_FLAGS_NONE, on_name_owner_changed, &watch, NULL);

  g_assert_true (g_spawn_sync (NULL, (char **) argv, envp, G_SPAWN_DEFAULT, NULL, NULL, &out, &err,
                               &wait_status, &error));
  g_assert_no_error (error);
  g_assert_true (WIFEXITED (wait_status));
  g_assert_cmpint (WEXITSTATUS (wait_status), ==, 2);
  g_assert_cmpstr (err, ==, expected_err);
  g_assert_cmpstr (out, ==, "");

  /* A round trip to the bus: a connection it made would have been announced before the reply. */
  {
    g_autoptr(GVariant) reply = g_dbus_connection_call_sync (f->conn, "org.freedesktop.DBus",
                                                             "/org/freedesktop/DBus", "org.freedesktop.DBus",
                                                             "GetId", NULL, G_VARIANT_TYPE ("(s)"),
                                                             G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
    g_assert_no_error (error);
  }
  dpugw_test_drain ();
  g_assert_cmpuint (watch.new_connections, ==, 0);
  g_assert_null (f->owner);
  g_dbus_connection_signal_unsubscribe (f->conn, sub);
}

/* A bad option: exit 2 with the reason. */
static void
test_startup_bad_option (DpugwTestBus *f)
{
  g_autofree char *daemon = dpugw_test_daemon_path ();
  g_auto(GStrv) envp = dpugw_test_daemon_environ (f->address, NULL);
  const char *argv[] = { daemon, "--config-file=", "--no-such-option", NULL };
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int wait_status;

  g_assert_true (g_spawn_sync (NULL, (char **) argv, envp, G_SPAWN_DEFAULT, NULL, NULL, &out, &err,
                               &wait_status, &error));
  g_assert_no_error (error);
  g_assert_true (WIFEXITED (wait_status));
  g_assert_cmpint (WEXITSTATUS (wait_status), ==, 2);
  g_assert_true (g_str_has_prefix (err, "dpu-gatewayd: "));
  g_assert_nonnull (strstr (err, "--no-such-option"));
}

static void
test_startup_version (DpugwTestBus *f)
{
  g_autofree char *out = daemon_version_output ();

  g_assert_true (g_str_has_prefix (out, "dpu-gatewayd "));
  g_assert_true (g_str_has_suffix (out, "\n"));
  g_assert_cmpuint (strlen (out), >, strlen ("dpu-gatewayd \n"));
  g_assert_true (g_ascii_isdigit (out[strlen ("dpu-gatewayd ")]));
}

/* A second daemon without --replace: exit 1; the first keeps the name. */
static void
test_startup_second_instance (DpugwTestBus *f)
{
  DpugwTestDaemon *first, *second;
  g_autofree char *first_owner = NULL;

  first = START (f, CONFIGURED);
  dpugw_test_wait_ready (f);
  first_owner = g_strdup (f->owner);

  second = DPUGW_TEST_START (f, .args = STRV (CONFIGURED), .no_wait = TRUE);
  second->allow_critical = TRUE;
  second->expect_exit = TRUE;
  DPUGW_TEST_WAIT (second->exited, "the second daemon to exit");
  g_assert_cmpint (second->exit_status, ==, 1);

  dpugw_test_ping (f);
  dpugw_test_drain ();
  g_assert_false (first->exited);
  g_assert_cmpstr (f->owner, ==, first_owner);
  {
    g_autoptr(GVariant) details = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree char *interface = dpugw_test_resolve (f->conn, "pf0vf0", &details, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (interface, ==, "eth0");
  }
}

/* --replace: the second daemon takes the name, the first exits 1. */
static void
test_startup_replace (DpugwTestBus *f)
{
  DpugwTestDaemon *first, *second;
  g_autofree char *first_owner = NULL;

  first = START (f, CONFIGURED);
  dpugw_test_wait_ready (f);
  first_owner = g_strdup (f->owner);
  first->allow_critical = TRUE;
  first->expect_exit = TRUE;

  second = DPUGW_TEST_START (f, .args = STRV (CONFIGURED, "--replace"), .no_wait = TRUE);
  DPUGW_TEST_WAIT (first->exited, "the first daemon to exit");
  g_assert_cmpint (first->exit_status, ==, 1);
  DPUGW_TEST_WAIT (f->owner != NULL && g_strcmp0 (f->owner, first_owner) != 0, "the second daemon to own the name");
  g_assert_false (second->exited);
  dpugw_test_wait_ready (f);
  {
    g_autoptr(GVariant) details = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree char *interface = dpugw_test_resolve (f->conn, "pf0vf0", &details, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (interface, ==, "eth0");
  }
  /* Teardown: the second one ends with 0 on SIGTERM. */
}

/* SIGINT ends it with 0, like SIGTERM. */
static void
test_startup_sigint (DpugwTestBus *f)
{
  DpugwTestDaemon *d = START (f, "--config-file=");

  dpugw_test_wait_ready (f);
  d->expect_exit = TRUE;
  g_subprocess_send_signal (d->process, SIGINT);
  DPUGW_TEST_WAIT (d->exited, "the daemon to exit after SIGINT");
  g_assert_cmpint (d->exit_status, ==, 0);
}

/* No bus to be had: exit 1. */
static void
test_startup_no_bus (DpugwTestBus *f)
{
  g_autofree char *daemon = dpugw_test_daemon_path ();
  g_autofree char *socket = g_build_filename (f->tmpdir, "no-bus-here", NULL);
  g_autofree char *address = g_strconcat ("unix:path=", socket, NULL);
  g_auto(GStrv) envp = dpugw_test_daemon_environ (f->address, NULL);
  const char *argv[] = { daemon, "--sysfs-root", f->root, CONFIGURED, NULL };
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int wait_status;

  envp = g_environ_setenv (envp, "DBUS_SYSTEM_BUS_ADDRESS", address, TRUE);
  g_assert_true (g_spawn_sync (NULL, (char **) argv, envp, G_SPAWN_DEFAULT, NULL, NULL, &out, &err,
                               &wait_status, &error));
  g_assert_no_error (error);
  g_assert_true (WIFEXITED (wait_status));
  g_assert_cmpint (WEXITSTATUS (wait_status), ==, 1);
}

/* The bus goes away under the daemon: exit 1 (so that systemd restarts it). */
static void
test_bus_lost (DpugwTestBus *f)
{
  DpugwTestDaemon *d = START (f, CONFIGURED);

  dpugw_test_wait_ready (f);
  d->allow_critical = TRUE;
  d->expect_exit = TRUE;
  g_test_dbus_down (f->bus);
  f->bus_down = TRUE;
  DPUGW_TEST_WAIT (d->exited, "the daemon to exit after losing the bus");
  g_assert_cmpint (d->exit_status, ==, 1);
}

/* Resolve(@port) once: TRUE with the answer, FALSE while it fails with PciAddress. */
static gboolean
try_resolve (DpugwTestBus *f, const char *port, char **interface, GVariant **details)
{
  g_autoptr(GError) error = NULL;

  g_clear_pointer (interface, g_free);
  g_clear_pointer (details, g_variant_unref);
  *interface = dpugw_test_resolve (f->conn, port, details, &error);
  if (*interface != NULL)
    return TRUE;
  dpugw_test_assert_remote_error (error, ERR "PciAddress", NULL);
  return FALSE;
}

/* A failed lookup is remembered for a few seconds only: the port that appears is found. */
static void
test_failure_expires (DpugwTestBus *f)
{
  g_autoptr(GError) first_error = NULL;
  g_autoptr(GVariant) first_details = NULL;
  g_autofree char *first = NULL;
  g_autofree char *interface = NULL;
  g_autoptr(GVariant) details = NULL;

  START (f, "--config-file=");
  dpugw_test_wait_ready (f);

  first = dpugw_test_resolve (f->conn, "pf0vf9", &first_details, &first_error);
  g_assert_null (first);
  dpugw_test_assert_remote_error (first_error, ERR "PciAddress", NULL);

  /* VF 0000:01:02.4 gets a second netdev, pf0vf9. */
  dpugw_test_mkdir (f->testbed, "devices/pci0000:00/0000:00:02.0/0000:01:02.4/net/pf0vf9");
  dpugw_test_symlink (f->testbed, "../../../0000:01:02.4",
                      "devices/pci0000:00/0000:00:02.0/0000:01:02.4/net/pf0vf9/device");
  dpugw_test_symlink (f->testbed, "../../devices/pci0000:00/0000:00:02.0/0000:01:02.4/net/pf0vf9",
                      "class/net/pf0vf9");

  /* Until the remembered failure has expired: a few seconds. */
  DPUGW_TEST_WAIT (try_resolve (f, "pf0vf9", &interface, &details), "pf0vf9 to resolve");
  g_assert_cmpstr (interface, ==, "eth0");
  g_assert_cmpstr (dpugw_test_lookup_string (details, "vf-pci"), ==, "0000:01:02.4");
  g_assert_cmpstr (dpugw_test_lookup_string (details, "mgmt-port"), ==, "pf0vf9");
}

/*
 * A failed lookup is remembered for 2 s (FAILURE_TTL in the daemon): asked again within them, the
 * answer is the same failure, though the tree changed meanwhile (no link event says so: the test's
 * network namespace has none).  Then it expires.  Each attempt asks twice within 2 s of the first
 * question, or it proves nothing and the next attempt, with another name, is made.
 */
static void
test_failure_remembered (DpugwTestBus *f)
{
  START (f, "--config-file=");
  dpugw_test_wait_ready (f);

  for (guint attempt = 0;; attempt++)
    {
      g_autofree char *name = g_strdup_printf ("late%u", attempt);
      g_autoptr(GVariant) details = NULL;
      g_autoptr(GError) first_error = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *first = NULL;
      g_autofree char *interface = NULL;
      gint64 asked = g_get_monotonic_time ();
      gint64 answered;

      first = dpugw_test_resolve_once (f->conn, name, &details, &first_error);
      g_assert_null (first);
      dpugw_test_assert_remote_error (first_error, ERR "PciAddress", NULL);

      /* VF 0000:01:02.4 gets a second netdev, NAME; then the same question again. */
      dpugw_test_add_netdev (f->testbed, EXAMPLE_VF1, name);
      interface = dpugw_test_resolve_once (f->conn, name, &details, &error);
      answered = g_get_monotonic_time ();
      if (answered - asked >= 2 * G_USEC_PER_SEC)
        {
          /* Too slow to tell (a loaded machine, valgrind): another name. */
          g_assert_cmpuint (attempt, <, 5);
          continue;
        }
      if (interface != NULL)
        g_error ("Resolve(\"%s\") answered %s %.2f s after it failed: a failed lookup must be remembered for 2 s",
                 name, interface, (answered - asked) / 1e6);
      g_assert_true (g_error_matches (error, first_error->domain, first_error->code));
      g_assert_cmpstr (error->message, ==, first_error->message);

      /* And then it expires: the netdev is found. */
      g_clear_pointer (&details, g_variant_unref);
      g_clear_pointer (&interface, g_free);
      DPUGW_TEST_WAIT (try_resolve (f, name, &interface, &details), "the remembered failure to expire");
      g_assert_cmpstr (interface, ==, "eth0");
      g_assert_cmpstr (dpugw_test_lookup_string (details, "vf-pci"), ==, "0000:01:02.4");
      g_assert_cmpstr (dpugw_test_lookup_string (details, "mgmt-port"), ==, name);
      break;
    }
}

/* The configured port can no longer be resolved: GatewayChanged to "", and LastError says why. */
static void
test_refresh_unresolvable (DpugwTestBus *f)
{
  const char *vf, *old_if, *new_if;

  START (f, CONFIGURED);
  dpugw_test_wait_ready (f);
  dpugw_test_subscribe (f);

  for (guint i = 0; i < 2; i++)
    {
      const char *netdev = i == 0 ? "eth0" : "eth1";
      g_autofree char *rel = g_strconcat (EXAMPLE_PF "/net/", netdev, NULL);
      g_autofree char *dir = dpugw_test_path (f->testbed, rel);
      g_autofree char *link_rel = g_strconcat ("class/net/", netdev, NULL);
      g_autofree char *link = dpugw_test_path (f->testbed, link_rel);
      dpugw_test_rm_rf (dir);
      dpugw_test_rm_rf (link);
    }
  dpugw_test_refresh (f);
  DPUGW_TEST_WAIT (f->gateway_changed->len >= 1 && dpugw_test_has_property_changed (f, 0, "GatewayInterface", ""),
              "GatewayChanged and PropertiesChanged");
  dpugw_test_ping (f);
  dpugw_test_drain ();

  g_assert_cmpuint (f->gateway_changed->len, ==, 1);
  g_variant_get (g_ptr_array_index (f->gateway_changed, 0), "(&s&s&s)", &vf, &old_if, &new_if);
  g_assert_cmpstr (vf, ==, "0000:01:02.3");
  g_assert_cmpstr (old_if, ==, "eth0");
  g_assert_cmpstr (new_if, ==, "");
  {
    g_autofree char *gw = dpugw_test_get_string (f, "GatewayInterface");
    g_autofree char *last_error = dpugw_test_get_string (f, "LastError");
    g_autofree char *mgmt = dpugw_test_get_string (f, "ManagementPort");
    g_assert_cmpstr (gw, ==, "");
    g_assert_cmpstr (last_error, ==, "no netdevs found for pci address 0000:01:00.0");
    g_assert_cmpstr (mgmt, ==, "pf0vf0");
  }
  {
    g_autoptr(GVariant) details = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree char *interface = dpugw_test_resolve (f->conn, "", &details, &error);
    g_assert_null (interface);
    dpugw_test_assert_remote_error (error, ERR "NoNetdevs", "no netdevs found for pci address 0000:01:00.0");
  }
}

/* Several Refresh calls at once: every one is answered. */
static void
test_refresh_concurrent (DpugwTestBus *f)
{
  enum { N = 8 };
  Caller callers[N] = { 0 };

  START (f, CONFIGURED);
  for (guint i = 0; i < N; i++)
    g_dbus_connection_call (f->conn, NAME, PATH, IFACE, "Refresh", NULL, G_VARIANT_TYPE ("()"),
                            G_DBUS_CALL_FLAGS_NO_AUTO_START, dpugw_test_msec (DPUGW_TEST_CALL_MSEC), NULL, on_caller_reply, &callers[i]);
  DPUGW_TEST_WAIT (all_done (callers, N), "every Refresh to return");
  for (guint i = 0; i < N; i++)
    {
      g_assert_no_error (callers[i].error);
      g_clear_pointer (&callers[i].reply, g_variant_unref);
    }
  g_assert_cmpuint (dpugw_test_get_generation (f), >=, 1);
  {
    g_autofree char *gw = dpugw_test_get_string (f, "GatewayInterface");
    g_assert_cmpstr (gw, ==, "eth0");
  }
}

/* The device plugin's VF has no netdev (vfio-pci): ManagementPort is its PCI address. */
static void
test_properties_device_plugin_vfio (DpugwTestBus *f)
{
  const char *env[] = {
    "OVNKUBE_NODE_MGMT_PORT_DP_RESOURCE_NAME=intel.com/mgmt",
    "PCIDEVICE_INTEL_COM_MGMT=0000:02:10.2",
    NULL
  };

  START_ENV (f, env, "--config-file=", "--ovnkube-node-mode=dpu-host",
             "--gateway-interface=derive-from-mgmt-port");
  dpugw_test_wait_ready (f);

  {
    g_autofree char *mgmt = dpugw_test_get_string (f, "ManagementPort");
    g_autofree char *gw = dpugw_test_get_string (f, "GatewayInterface");
    g_autofree char *last_error = dpugw_test_get_string (f, "LastError");
    g_assert_cmpstr (mgmt, ==, "0000:02:10.2");
    g_assert_cmpstr (gw, ==, "enp2s0f0");
    g_assert_cmpstr (last_error, ==, "");
  }
  {
    g_autoptr(GVariant) details = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree char *interface = dpugw_test_resolve (f->conn, "", &details, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (interface, ==, "enp2s0f0");
    g_assert_cmpstr (dpugw_test_lookup_string (details, "mgmt-port"), ==, "");
    g_assert_cmpstr (dpugw_test_lookup_string (details, "vf-pci"), ==, "0000:02:10.2");
    g_assert_cmpstr (dpugw_test_lookup_string (details, "pf-pci"), ==, "0000:02:00.0");
    g_assert_cmpstr (dpugw_test_lookup_string (details, "source"), ==, "device-plugin");
  }
}

/* ===========================================================================
 * Introspection: exactly the XML of the contract
 * ======================================================================== */

static char *
interface_xml (const char *xml)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDBusNodeInfo) node = g_dbus_node_info_new_for_xml (xml, &error);
  GDBusInterfaceInfo *info;
  GString *out = g_string_new (NULL);

  g_assert_no_error (error);
  info = g_dbus_node_info_lookup_interface (node, IFACE);
  g_assert_nonnull (info);
  g_dbus_interface_info_generate_xml (info, 0, out);
  return g_string_free (out, FALSE);
}

static void
test_introspect (DpugwTestBus *f)
{
  const char *xml_path = g_getenv ("DPUGW_DBUS_XML");
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autofree char *file_xml = NULL;
  g_autofree char *served = NULL;
  g_autofree char *expected = NULL;
  const char *xml;

  g_assert_nonnull (xml_path);
  g_assert_true (g_file_get_contents (xml_path, &file_xml, NULL, &error));
  g_assert_no_error (error);

  START (f, "--config-file=");
  reply = dpugw_test_call (f, "org.freedesktop.DBus.Introspectable", "Introspect", NULL, "(s)", &error);
  g_assert_no_error (error);
  g_variant_get (reply, "(&s)", &xml);

  served = interface_xml (xml);
  expected = interface_xml (file_xml);
  g_assert_cmpstr (served, ==, expected);
}

int
main (int argc, char **argv)
{
  dpugw_test_init (&argc, &argv, DPUGW_TEST_NETNS);

#define ADD(path, recording, func) DPUGW_TEST_ADD (path, func, { recording })

  ADD ("/daemon/resolve/netdev", EXAMPLE, test_resolve_netdev);
  ADD ("/daemon/resolve/pci", EXAMPLE, test_resolve_pci);
  ADD ("/daemon/resolve/pci-upper-case", DOMAIN, test_resolve_pci_upper_case);
  ADD ("/daemon/resolve/vmd", VMD, test_resolve_vmd);
  ADD ("/daemon/resolve/virtio-pf", VIRTIO_SRIOV, test_resolve_virtio_pf);
  ADD ("/daemon/resolve/configured", EXAMPLE, test_resolve_configured);
  ADD ("/daemon/resolve/explicit", EXAMPLE, test_resolve_explicit);
  ADD ("/daemon/resolve/caller-port-is-derived", RENAMED, test_resolve_caller_port_is_derived);
  ADD ("/daemon/resolve/cached", EXAMPLE, test_resolve_cached);
  ADD ("/daemon/resolve/concurrent-callers", EXAMPLE, test_concurrent_callers);
  ADD ("/daemon/error/invalid-argument", EXAMPLE, test_error_invalid_argument);
  ADD ("/daemon/error/no-default-route", EXAMPLE, test_error_not_configured);
  ADD ("/daemon/error/pci-address", EXAMPLE, test_error_pci_address);
  ADD ("/daemon/error/pf-pci-address", EXAMPLE, test_error_pf_pci_address);
  ADD ("/daemon/error/netdev-discovery", PF_NO_NET, test_error_netdev_discovery);
  ADD ("/daemon/error/no-netdevs", PF_NO_NET, test_error_no_netdevs);
  ADD ("/daemon/error/wrong-signature", EXAMPLE, test_error_wrong_signature);
  ADD ("/daemon/properties/configured", EXAMPLE, test_properties_configured);
  ADD ("/daemon/properties/renamed", RENAMED, test_properties_renamed);
  ADD ("/daemon/properties/device-plugin", EXAMPLE, test_properties_device_plugin);
  ADD ("/daemon/properties/last-error", EXAMPLE, test_properties_last_error);
  ADD ("/daemon/topology/bluefield", BLUEFIELD, test_topology_bluefield);
  ADD ("/daemon/topology/switchdev", SWITCHDEV, test_topology_switchdev);
  ADD ("/daemon/refresh/changed", EXAMPLE, test_refresh_changed);
  ADD ("/daemon/refresh/unchanged", EXAMPLE, test_refresh_unchanged);
  ADD ("/daemon/refresh/topology-only", EXAMPLE, test_refresh_topology_only);
  ADD ("/daemon/refresh/root", EXAMPLE, test_refresh_root);
  ADD ("/daemon/sighup", EXAMPLE, test_sighup);
  ADD ("/daemon/sighup-explicit", EXAMPLE, test_sighup_explicit);
  ADD ("/daemon/sighup-gateway-select", SWITCHDEV, test_sighup_gateway_select);
  ADD ("/daemon/startup/invalid-config", EXAMPLE, test_startup_invalid_config);
  ADD ("/daemon/startup/bad-option", EXAMPLE, test_startup_bad_option);
  ADD ("/daemon/startup/version", EXAMPLE, test_startup_version);
  ADD ("/daemon/startup/second-instance", EXAMPLE, test_startup_second_instance);
  ADD ("/daemon/startup/replace", EXAMPLE, test_startup_replace);
  ADD ("/daemon/startup/sigint", EXAMPLE, test_startup_sigint);
  ADD ("/daemon/startup/no-bus", EXAMPLE, test_startup_no_bus);
  ADD ("/daemon/bus-lost", EXAMPLE, test_bus_lost);
  ADD ("/daemon/resolve/failure-expires", EXAMPLE, test_failure_expires);
  ADD ("/daemon/resolve/failure-remembered", EXAMPLE, test_failure_remembered);
  ADD ("/daemon/refresh/unresolvable", EXAMPLE, test_refresh_unresolvable);
  ADD ("/daemon/refresh/concurrent", EXAMPLE, test_refresh_concurrent);
  ADD ("/daemon/properties/device-plugin-vfio", IGB, test_properties_device_plugin_vfio);
  ADD ("/daemon/introspect", EXAMPLE, test_introspect);

  return g_test_run ();
}
