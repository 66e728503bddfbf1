/* SPDX-License-Identifier: Apache-2.0
 *
 * dpu-gatewayd against hostile callers, broken trees and injected faults
 * (the threat model of docs/security.md): the real binary, on a private bus, over
 * fixture hardware (umockdev recordings), each test in a subprocess and a
 * network namespace of its own (testdaemon.h), where the tests make and
 * churn real veth links.
 *
 *   /hostile/dbus-battery              every method and property with wrong
 *                                      signatures, hostile strings, near-miss
 *                                      PCI addresses, unknown members; raw
 *                                      invalid UTF-8; then 100,000 calls with
 *                                      something new in every 10th
 *   /hostile/fault/sysfs-vanishing     the tree changes under the resolutions
 *   /hostile/fault/symlink-loops       dangling, looping, escaping links
 *   /hostile/fault/unreadable          FIFOs, files for directories and back,
 *                                      chmod 000 (with and without capabilities)
 *   /hostile/fault/netlink-overrun     ENOBUFS on a 4 KiB netlink buffer
 *   /hostile/fault/bus-closed          the bus killed under the daemon
 *   /hostile/fault/sighup-broken-config  the config file a directory, a FIFO, 2 MiB...
 *   /hostile/load                      64 clients x 1,000 calls while links churn
 *
 * Every call has an expectation: a D-Bus error among the documented ones, or
 * an answer that is checked (testcalls.h).  Every wait polls the main context
 * against a deadline.  What the daemon's memory and throughput do under these
 * loads is measured by the benchmark bench-load, not asserted here; figures
 * are reported as test messages ("# ...").
 */
#define _GNU_SOURCE
#include "testcalls.h"

#include <errno.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#define NAME  DPUGW_TEST_NAME
#define PATH  DPUGW_TEST_PATH
#define IFACE DPUGW_TEST_IFACE
#define ERR   DPUGW_TEST_ERR
#define PROPS DPUGW_TEST_PROPS

#define EXAMPLE   "data/dpu-host-example.umockdev"
#define BLUEFIELD "tests/fixtures/bluefield-host.umockdev"

#define EX_BRIDGE "devices/pci0000:00/0000:00:02.0"
#define EX_PF     EX_BRIDGE "/0000:01:00.0"
#define EX_VF0    EX_BRIDGE "/0000:01:02.3"
#define EX_VF1    EX_BRIDGE "/0000:01:02.4"
#define BF_BRIDGE "devices/pci0000:00/0000:00:01.0"
#define BF_PF0    BF_BRIDGE "/0000:03:00.0"
#define BF_PF1    BF_BRIDGE "/0000:03:00.1"

#define CONFIGURED DPUGW_TEST_CONFIGURED
#define HANG_MSEC  DPUGW_TEST_HANG_MSEC    /* a call answered later hangs (scaled) */

/* Starts the daemon with these arguments; returns once its first pass is in and its signals are recorded. */
#define START(f, ...) DPUGW_TEST_START ((f), .args = STRV (__VA_ARGS__), .ready = TRUE)

static void
assert_resolves (DpugwTestBus *f, const char *port, const char *expected)
{
  g_autoptr(GVariant) details = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *interface = dpugw_test_resolve_once (f->conn, port, &details, &error);

  if (interface == NULL)
    g_error ("Resolve(\"%s\") failed: %s, expected %s", port, error->message, expected);
  if (g_strcmp0 (interface, expected) != 0)
    g_error ("Resolve(\"%s\") = %s, expected %s", port, interface, expected);
}

static void
report_block (Runner *r, GPtrArray *probes, const char *block)
{
  dpugw_test_report ("battery %s: %" G_GUINT64_FORMAT " calls (%s)", block, r->done, runner_outcomes (r));
  for (guint i = 0; i < probes->len; i++)
    {
      Probe *p = g_ptr_array_index (probes, i);
      const char *outcome = g_hash_table_lookup (r->by_label, p->label);
      g_autofree char *printable = g_strescape (p->label, NULL);

      dpugw_test_report ("  %-90s -> %s", printable, outcome != NULL ? outcome : "?");
    }
}

/* One block of the battery: every probe once, all in flight at once, then Ping. */
static void
run_block (DpugwTestBus *f, const char *block, GPtrArray *probes)
{
  Runner *r = runner_new (f->address, f->root, probes, 2, 100);

  runner_run (r, probes->len, DPUGW_TEST_WAIT_USEC);
  report_block (r, probes, block);
  runner_assert_clean (r, block);
  runner_free (r);
  dpugw_test_ping (f);
  g_assert_false (f->daemon->exited);
}

/* --- raw messages the bus must refuse ---------------------------------------- */

static gboolean
raw_write (GSocket *socket, const void *data, gsize size)
{
  gsize done = 0;

  while (done < size)
    {
      gssize n = g_socket_send (socket, (const char *) data + done, size - done, NULL, NULL);
      if (n <= 0)
        return FALSE;
      done += (gsize) n;
    }
  return TRUE;
}

static guchar *
message_blob (GDBusMessage *message, guint32 serial, gsize *size)
{
  g_autoptr(GError) error = NULL;
  guchar *blob;

  g_dbus_message_set_serial (message, serial);
  blob = g_dbus_message_to_blob (message, size, G_DBUS_CAPABILITY_FLAGS_NONE, &error);
  g_assert_no_error (error);
  return blob;
}

/*
 * On a connection of our own to the bus (authenticated by hand), Hello, then a
 * Resolve whose string argument is @bad (@bad_len bytes, put in place of a
 * placeholder of the same length).  Returns a description of what the bus did.
 */
static char *
raw_invalid_string (DpugwTestBus *f, const char *bad, gsize bad_len, gboolean *disconnected)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GIOStream) stream = g_dbus_address_get_stream_sync (f->address, NULL, NULL, &error);
  g_autoptr(GDBusMessage) hello = NULL;
  g_autoptr(GDBusMessage) evil = NULL;
  g_autofree char *placeholder = g_strnfill (bad_len, 'Q');
  g_autofree guchar *hello_blob = NULL;
  g_autofree guchar *evil_blob = NULL;
  g_autofree char *auth = NULL;
  g_autofree char *uid = g_strdup_printf ("%u", (guint) geteuid ());
  GString *uid_hex = g_string_new (NULL);
  GSocket *socket;
  gsize hello_size, evil_size, received = 0;
  char buf[4096];
  guchar *spot;
  gssize n;

  g_assert_no_error (error);
  socket = g_socket_connection_get_socket (G_SOCKET_CONNECTION (stream));
  g_socket_set_timeout (socket, 10);

  for (const char *c = uid; *c != '\0'; c++)
    g_string_append_printf (uid_hex, "%02x", (guchar) *c);
  auth = g_strdup_printf ("AUTH EXTERNAL %s\r\n", uid_hex->str);
  g_string_free (uid_hex, TRUE);
  g_assert_true (raw_write (socket, "\0", 1));
  g_assert_true (raw_write (socket, auth, strlen (auth)));
  n = g_socket_receive (socket, buf, sizeof buf - 1, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (n, >, 0);
  buf[n] = '\0';
  g_assert_true (g_str_has_prefix (buf, "OK "));
  g_assert_true (raw_write (socket, "BEGIN\r\n", 7));

  hello = g_dbus_message_new_method_call ("org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                                          "Hello");
  hello_blob = message_blob (hello, 1, &hello_size);
  evil = g_dbus_message_new_method_call (NAME, PATH, IFACE, "Resolve");
  g_dbus_message_set_body (evil, g_variant_new ("(s)", placeholder));
  evil_blob = message_blob (evil, 2, &evil_size);
  spot = memmem (evil_blob, evil_size, placeholder, bad_len);
  g_assert_nonnull (spot);
  memcpy (spot, bad, bad_len);

  g_assert_true (raw_write (socket, hello_blob, hello_size));
  g_assert_true (raw_write (socket, evil_blob, evil_size));

  /* The Hello reply and NameAcquired come; then the bus either closes us or passes the call on. */
  *disconnected = FALSE;
  for (;;)
    {
      g_autoptr(GError) read_error = NULL;

      n = g_socket_receive (socket, buf, sizeof buf, NULL, &read_error);
      if (n == 0 || (n < 0 && !g_error_matches (read_error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT)))
        {
          *disconnected = TRUE;
          return g_strdup_printf ("the bus closed the connection after %" G_GSIZE_FORMAT " bytes of replies",
                                  received);
        }
      if (n < 0)
        return g_strdup_printf ("the connection stayed open (%" G_GSIZE_FORMAT " bytes received)", received);
      received += (gsize) n;
      if (received > 1024 * 1024)
        return g_strdup ("the bus kept sending");
    }
}

static void
test_dbus_battery (DpugwTestBus *f)
{
  g_autofree char *name_64k = g_strnfill (64 * 1024, 'a');
  g_autofree char *name_1m = g_strnfill (1024 * 1024, 'b');
  g_autofree char *pci_64k = g_strconcat ("0000:01:02.3", name_64k, NULL);
  gint64 start_time;

  START (f, CONFIGURED);
  g_assert_true (dpugw_test_string_property_is (f, "GatewayInterface", "eth0"));

  /* Block by block, every probe once, the daemon answering Ping after each. */
  {
    g_autoptr(GPtrArray) probes = g_ptr_array_new_with_free_func ((GDestroyNotify) probe_free);
    add_signature_probes (probes);
    run_block (f, "signatures", probes);
  }
  {
    g_autoptr(GPtrArray) probes = g_ptr_array_new_with_free_func ((GDestroyNotify) probe_free);
    add_string_probes (probes);
    add_port_probes (probes, name_64k, "InvalidArgument", NULL);
    add_port_probes (probes, name_1m, "InvalidArgument", NULL);
    add_port_probes (probes, pci_64k, "InvalidArgument", NULL);
    run_block (f, "strings", probes);
  }
  {
    g_autoptr(GPtrArray) probes = g_ptr_array_new_with_free_func ((GDestroyNotify) probe_free);
    add_property_probes (probes);
    run_block (f, "properties", probes);
  }
  {
    g_autoptr(GPtrArray) probes = g_ptr_array_new_with_free_func ((GDestroyNotify) probe_free);
    add_unknown_probes (probes);
    run_block (f, "members", probes);
  }
  /* Nothing a caller did changed what the daemon says. */
  g_assert_true (dpugw_test_string_property_is (f, "GatewayInterface", "eth0"));
  g_assert_true (dpugw_test_string_property_is (f, "ManagementPort", "pf0vf0"));
  g_assert_true (dpugw_test_string_property_is (f, "LastError", ""));

  /* Invalid UTF-8: GDBus will not put it on the wire, so through a connection of our own. */
  {
    static const struct { const char *what; const char *bytes; gsize len; } bad[] = {
      { "0xff 0xfe", "pf\xff\xfe" "0", 5 },
      { "a truncated sequence", "pf0\xc3", 4 },
      { "an overlong NUL (0xc0 0x80)", "pf\xc0\x80" "0", 5 },
      { "a UTF-16 surrogate (0xed 0xa0 0x80)", "\xed\xa0\x80", 3 },
      { "an embedded NUL", "pf0\0vf0", 7 },
    };

    for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
      {
        gboolean disconnected;
        g_autofree char *what = raw_invalid_string (f, bad[i].bytes, bad[i].len, &disconnected);

        dpugw_test_report ("raw Resolve with %s: %s", bad[i].what, what);
        g_assert_true (disconnected);
        dpugw_test_ping (f);
      }
  }
  /* The same through GDBus, from serialised data that is not UTF-8: what goes out is checked. */
  {
    static const char data[] = "pf\xff\xfe" "0";   /* with its NUL: the serialised "(s)" */
    g_autoptr(GDBusMessage) message = g_dbus_message_new_method_call (NAME, PATH, IFACE, "Resolve");
    g_autoptr(GDBusMessage) reply = NULL;
    g_autoptr(GError) error = NULL;
    GVariant *body = g_variant_new_from_data (G_VARIANT_TYPE ("(s)"), data, sizeof data, FALSE, NULL, NULL);
    const char *sent;

    g_variant_get_child (body, 0, "&s", &sent);
    g_dbus_message_set_body (message, body);
    reply = g_dbus_connection_send_message_with_reply_sync (f->conn, message, G_DBUS_SEND_MESSAGE_FLAGS_NONE,
                                                            dpugw_test_msec (DPUGW_TEST_CALL_MSEC), NULL, NULL, &error);
    if (reply == NULL)
      dpugw_test_report ("GDBus, (s) from invalid UTF-8 data: refused locally: %s", error->message);
    else if (g_dbus_message_get_message_type (reply) == G_DBUS_MESSAGE_TYPE_ERROR)
      dpugw_test_report ("GDBus, (s) from invalid UTF-8 data: sent as \"%s\"; the daemon answered %s", sent,
              g_dbus_message_get_error_name (reply));
    else
      {
        const char *interface = "";
        GVariant *reply_body = g_dbus_message_get_body (reply);

        g_assert_true (g_variant_is_of_type (reply_body, G_VARIANT_TYPE ("(sa{sv})")));
        g_variant_get_child (reply_body, 0, "&s", &interface);
        dpugw_test_report ("GDBus, (s) from invalid UTF-8 data: GDBus sent \"%s\" instead; the daemon answered %s", sent,
                interface);
        /* Whatever went out is a valid string; its answer is that string's. */
        g_assert_cmpstr (sent, ==, "");
        g_assert_cmpstr (interface, ==, "eth0");
      }
    dpugw_test_ping (f);
  }

  /* 100,000 calls: every probe above in rotation, and every 10th call something new. */
  {
    g_autoptr(GPtrArray) probes = g_ptr_array_new_with_free_func ((GDestroyNotify) probe_free);
    g_autoptr(GPtrArray) dyn = g_ptr_array_new_with_free_func ((GDestroyNotify) probe_free);
    Runner *r;
    gint64 elapsed;

    add_battery_probes (probes);
    add_dynamic_probes (dyn);

    /* 8 connections, 500 calls in flight (the bus allows 128 pending per connection). */
    r = runner_new (f->address, f->root, probes, 8, 63);
    r->dynamics = dyn;
    runner_run (r, 5000, 120 * G_USEC_PER_SEC);
    runner_assert_clean (r, "warm-up");
    dpugw_test_ping (f);

    /*
     * Enough to fill what the daemon bounds (1,024 remembered failures, 32 kept replies) many
     * times over.  How its memory and throughput fare over 300,000 is bench-load's to measure.
     */
    runner_reset_counts (r);
    start_time = g_get_monotonic_time ();
    runner_run (r, 100000, 400 * G_USEC_PER_SEC);
    elapsed = g_get_monotonic_time () - start_time;
    dpugw_test_ping (f);
    dpugw_test_report ("100,000 hostile calls (%u distinct calls in rotation, and every 10th something never seen: "
                       "a netdev name, an argument type, a method, a property, an object path; 8 connections, 500 "
                       "in flight) in %.1f s; slowest answer %.1f ms; outcomes: %s",
                       probes->len, elapsed / 1e6, r->max_latency / 1e3, runner_outcomes (r));
    runner_assert_clean (r, "100,000 calls");
    runner_free (r);
  }

  g_assert_true (dpugw_test_string_property_is (f, "GatewayInterface", "eth0"));
  g_assert_true (dpugw_test_string_property_is (f, "LastError", ""));
  assert_resolves (f, "pf0vf0", "eth0");
}

/* ===========================================================================
 * 2. Injected faults
 * ======================================================================== */

/* --- the tree changing under the resolutions ---------------------------------- */

typedef struct {
  UMockdevTestbed *testbed;
  volatile gint stop;
  guint64 rounds;
  guint failures;
  char *first_failure;
  guint seed;
} Vandal;

static char *
abs_path (Vandal *v, const char *rel)
{
  return dpugw_test_path (v->testbed, rel);
}

static void
vandal_fail (Vandal *v, const char *what, const char *path)
{
  int errsv = errno;

  if (v->failures++ == 0)
    v->first_failure = g_strdup_printf ("%s %s: %s", what, path, g_strerror (errsv));
}

static void
v_rename (Vandal *v, const char *from, const char *to)
{
  if (rename (from, to) != 0)
    vandal_fail (v, "rename", from);
}

static void
v_unlink (Vandal *v, const char *path)
{
  if (unlink (path) != 0)
    vandal_fail (v, "unlink", path);
}

static void
v_symlink (Vandal *v, const char *target, const char *path)
{
  if (symlink (target, path) != 0)
    vandal_fail (v, "symlink", path);
}

static void
v_pause (GRand *rand)
{
  g_usleep (g_rand_int_range (rand, 0, 400));
}

/* Renames, removes and recreates parts of the example tree until told to stop; leaves it as it was. */
static gpointer
vandal_thread (gpointer data)
{
  Vandal *v = data;
  g_autoptr(GRand) rand = g_rand_new_with_seed (v->seed);
  g_autofree char *pf_net = abs_path (v, EX_PF "/net");
  g_autofree char *pf_net_gone = abs_path (v, EX_PF "/net.gone");
  g_autofree char *eth0 = abs_path (v, EX_PF "/net/eth0");
  g_autofree char *zz0 = abs_path (v, EX_PF "/net/zz0");
  g_autofree char *eth0_hidden = abs_path (v, EX_PF "/.eth0");
  g_autofree char *eth0_device = abs_path (v, EX_PF "/net/eth0/device");
  g_autofree char *physfn0 = abs_path (v, EX_VF0 "/physfn");
  g_autofree char *physfn1 = abs_path (v, EX_VF1 "/physfn");
  g_autofree char *class_vf0 = abs_path (v, "class/net/pf0vf0");
  g_autofree char *vf0_netdev = abs_path (v, EX_VF0 "/net/pf0vf0");
  g_autofree char *vf0_netdev_hidden = abs_path (v, EX_VF0 "/.pf0vf0");
  g_autofree char *bus_vf0 = abs_path (v, "bus/pci/devices/0000:01:02.3");
  g_autofree char *bus_vf0_gone = abs_path (v, "bus/pci/.0000:01:02.3");
  g_autofree char *class_vf0_target = g_file_read_link (class_vf0, NULL);

  g_assert_nonnull (class_vf0_target);
  while (!g_atomic_int_get (&v->stop))
    {
      switch (g_rand_int_range (rand, 0, 11))
        {
        case 0: /* the gateway renamed */
          v_rename (v, eth0, zz0);
          v_pause (rand);
          v_rename (v, zz0, eth0);
          break;
        case 1: /* the gateway gone */
          v_rename (v, eth0, eth0_hidden);
          v_pause (rand);
          v_rename (v, eth0_hidden, eth0);
          break;
        case 2: /* the gateway's device link gone */
          v_unlink (v, eth0_device);
          v_pause (rand);
          v_symlink (v, "../../../0000:01:00.0", eth0_device);
          break;
        case 3: /* the VF's physfn gone */
          v_unlink (v, physfn0);
          v_pause (rand);
          v_symlink (v, "../0000:01:00.0", physfn0);
          break;
        case 4: /* the VF's physfn leading nowhere */
          v_unlink (v, physfn1);
          v_symlink (v, "../0000:01:09.0", physfn1);
          v_pause (rand);
          v_unlink (v, physfn1);
          v_symlink (v, "../0000:01:00.0", physfn1);
          break;
        case 5: /* the PF's net/ gone */
          v_rename (v, pf_net, pf_net_gone);
          v_pause (rand);
          v_rename (v, pf_net_gone, pf_net);
          break;
        case 6: /* the PF's net/ empty */
          v_rename (v, pf_net, pf_net_gone);
          if (mkdir (pf_net, 0755) != 0)
            vandal_fail (v, "mkdir", pf_net);
          v_pause (rand);
          if (rmdir (pf_net) != 0)
            vandal_fail (v, "rmdir", pf_net);
          v_rename (v, pf_net_gone, pf_net);
          break;
        case 7: /* the management netdev's class link gone */
          v_unlink (v, class_vf0);
          v_pause (rand);
          v_symlink (v, class_vf0_target, class_vf0);
          break;
        case 8: /* the management netdev gone, its class link dangling */
          v_rename (v, vf0_netdev, vf0_netdev_hidden);
          v_pause (rand);
          v_rename (v, vf0_netdev_hidden, vf0_netdev);
          break;
        case 9: /* the VF gone from bus/pci/devices */
          v_rename (v, bus_vf0, bus_vf0_gone);
          v_pause (rand);
          v_rename (v, bus_vf0_gone, bus_vf0);
          break;
        default: /* several at once */
          v_rename (v, eth0, zz0);
          v_unlink (v, physfn0);
          v_pause (rand);
          v_symlink (v, "../0000:01:00.0", physfn0);
          v_rename (v, zz0, eth0);
          break;
        }
      v->rounds++;
      v_pause (rand);
    }
  return NULL;
}

static void
test_sysfs_vanishing (DpugwTestBus *f)
{
  g_autoptr(GPtrArray) probes = g_ptr_array_new_with_free_func ((GDestroyNotify) probe_free);
  Vandal vandal = { 0 };
  GThread *thread;
  Runner *r;
  gint64 start_time;

  START (f, CONFIGURED);

  /* A rotating set: resolutions (fresh after each Refresh, which drops the cache), Diagnose (never cached). */
  probe_add (probes, PATH, IFACE, "Resolve", g_variant_new ("(s)", "pf0vf0"), check_resolve_flexible, NULL,
             "0000:01:02.3", E_DOCUMENTED);
  probe_add (probes, PATH, IFACE, "Refresh", NULL, check_type, "()", NULL, NULL);
  probe_add (probes, PATH, IFACE, "Resolve", g_variant_new ("(s)", "0000:01:02.4"), check_resolve_flexible, NULL,
             "0000:01:02.4", E_DOCUMENTED);
  probe_add (probes, PATH, IFACE, "Diagnose", g_variant_new ("(s)", "pf0vf0"), check_diagnose, NULL, NULL, NULL);
  probe_add (probes, PATH, IFACE, "ResolveAll", g_variant_new ("(s)", "pf0vf1"), check_resolve_flexible, NULL,
             "0000:01:02.4", E_DOCUMENTED);
  probe_add (probes, PATH, IFACE, "Resolve", g_variant_new ("(s)", ""), check_resolve_flexible, NULL,
             "0000:01:02.3", E_DOCUMENTED);
  probe_add (probes, PATH, IFACE, "GetTopology", NULL, check_topology, "flexible", NULL, NULL);
  probe_add (probes, PATH, IFACE, "Refresh", NULL, check_type, "()", NULL, NULL);
  probe_add (probes, PATH, IFACE, "Diagnose", g_variant_new ("(s)", "0000:01:02.3"), check_diagnose, NULL, NULL,
             NULL);
  probe_add (probes, PATH, IFACE, "Resolve", g_variant_new ("(s)", "0000:01:02.3"), check_resolve_flexible, NULL,
             "0000:01:02.3", E_DOCUMENTED);
  probe_add (probes, PATH, IFACE, "Diagnose", g_variant_new ("(s)", ""), check_diagnose, NULL, NULL, NULL);
  probe_add (probes, PATH, IFACE, "Resolve", g_variant_new ("(s)", "pf0vf1"), check_resolve_flexible, NULL,
             "0000:01:02.4", E_DOCUMENTED);

  r = runner_new (f->address, f->root, probes, 2, 4);
  r->gateways = STRV ("eth0", "eth1", "zz0");
  r->gateway_peers = STRV ("eth1", "zz0");

  vandal.testbed = f->testbed;
  vandal.seed = (guint) g_test_rand_int ();
  thread = g_thread_new ("vandal", vandal_thread, &vandal);
  start_time = g_get_monotonic_time ();
  runner_run (r, 10000, 120 * G_USEC_PER_SEC);
  g_atomic_int_set (&vandal.stop, 1);
  g_thread_join (thread);
  dpugw_test_report ("sysfs vanishing: 10,000 calls in %.1f s while the tree changed %" G_GUINT64_FORMAT
          " times (gateway renamed or gone, its device link gone, physfn gone or dangling, the PF's net/ gone or "
          "empty, the VF's netdev and class link gone, the VF gone from bus/pci/devices); slowest answer %.1f ms; "
          "outcomes: %s",
          (g_get_monotonic_time () - start_time) / 1e6, vandal.rounds, r->max_latency / 1e3, runner_outcomes (r));
  if (vandal.failures > 0)
    g_error ("the test's own tree changes failed %u times: %s", vandal.failures, vandal.first_failure);
  runner_assert_clean (r, "sysfs vanishing");
  g_assert_cmpuint (vandal.rounds, >, 10);
  g_assert_cmpuint (r->n_err, >, 0);   /* the faults were seen */
  runner_free (r);
  g_free (vandal.first_failure);

  /* The tree is whole again: after a Refresh, everything is as before. */
  dpugw_test_ping (f);
  dpugw_test_refresh (f);
  DPUGW_TEST_WAIT (dpugw_test_string_property_is (f, "GatewayInterface", "eth0"), "GatewayInterface eth0");
  g_assert_true (dpugw_test_string_property_is (f, "LastError", ""));
  assert_resolves (f, "pf0vf0", "eth0");
  assert_resolves (f, "pf0vf1", "eth0");
  assert_resolves (f, "", "eth0");
  g_assert_true (dpugw_test_topology_pf_netdevs_are (f, "0000:01:00.0", STRV ("eth0", "eth1")));
}

/* --- dangling, looping and escaping links ------------------------------------ */

/*
 * @method(@arg), answered within the hang deadline.  Returns the outcome as text
 * ("answer IF", the last step of a diagnosis, or "ERROR: message"); the reply, or
 * the remote error's name in *remote and its message in *message.
 */
static char *
timed_call (DpugwTestBus *f, const char *method, const char *arg, GVariant **reply_out, char **remote, char **message,
            gint64 *elapsed)
{
  g_autoptr(GError) error = NULL;
  GVariant *reply;
  gint64 start = g_get_monotonic_time ();

  *reply_out = NULL;
  *remote = NULL;
  *message = NULL;
  reply = dpugw_test_call_full (f->conn, PATH, IFACE, method, arg != NULL ? g_variant_new ("(s)", arg) : NULL, NULL,
                     HANG_MSEC, &error);
  *elapsed = g_get_monotonic_time () - start;
  if (reply == NULL)
    {
      *remote = g_dbus_error_get_remote_error (error);
      if (*remote == NULL)
        g_error ("%s(\"%s\"): no answer within %d ms: %s", method, arg, dpugw_test_msec (HANG_MSEC), error->message);
      g_dbus_error_strip_remote_error (error);
      *message = g_strdup (error->message);
      return g_strdup_printf ("%s: %s", g_str_has_prefix (*remote, ERR) ? *remote + strlen (ERR) : *remote,
                              error->message);
    }
  *reply_out = reply;
  if (g_variant_is_of_type (reply, G_VARIANT_TYPE ("(sa{sv})")))
    {
      const char *interface;
      g_variant_get_child (reply, 0, "&s", &interface);
      return g_strdup_printf ("answer %s", interface);
    }
  if (g_variant_is_of_type (reply, G_VARIANT_TYPE ("(asa{sv})")))
    {
      g_autofree const char **interfaces = NULL;
      g_autofree char *text = NULL;
      g_variant_get_child (reply, 0, "^a&s", &interfaces);
      text = strv_text (interfaces);
      return g_strdup_printf ("answer [%s]", text);
    }
  if (g_variant_is_of_type (reply, G_VARIANT_TYPE ("(aa{sv})")))
    {
      g_autoptr(GVariant) steps = g_variant_get_child_value (reply, 0);
      gsize n = g_variant_n_children (steps);
      g_autoptr(GVariant) last = n > 0 ? g_variant_get_child_value (steps, n - 1) : NULL;
      gboolean ok = FALSE;
      const char *step = "", *cause = "";

      if (last != NULL)
        {
          g_variant_lookup (last, "step", "&s", &step);
          g_variant_lookup (last, "ok", "b", &ok);
          g_variant_lookup (last, "cause", "&s", &cause);
        }
      return g_strdup_printf ("%" G_GSIZE_FORMAT " steps, the last %s %s%s%.200s", n, step, ok ? "ok" : "FAILED",
                              *cause ? ": " : "", cause);
    }
  return g_strdup ("answer");
}

/* Resolve, ResolveAll and Diagnose of @port: answered in time, with an error among @errors or (if allowed) an
 * answer. */
static void
probe_port_in_broken_tree (DpugwTestBus *f, Runner *checker, const char *port, const char * const *errors,
                           gboolean answer_allowed, const char *label)
{
  const char *methods[] = { "Resolve", "ResolveAll", "Diagnose" };

  for (guint i = 0; i < G_N_ELEMENTS (methods); i++)
    {
      g_autoptr(GVariant) reply = NULL;
      g_autofree char *remote = NULL;
      g_autofree char *message = NULL;
      gint64 elapsed;
      g_autofree char *outcome = timed_call (f, methods[i], port, &reply, &remote, &message, &elapsed);
      g_autoptr(GString) why = g_string_new (NULL);
      g_autofree char *shown = g_strescape (port, NULL);

      dpugw_test_report ("    %s(\"%s\") [%.1f ms]: %s", methods[i], shown, elapsed / 1e3, outcome);
      g_assert_cmpint (elapsed, <, dpugw_test_msec (HANG_MSEC) * 1000);
      if (strcmp (methods[i], "Diagnose") == 0)
        {
          Probe p = { .arg = NULL };

          if (reply == NULL)
            g_error ("%s: Diagnose(\"%s\") failed: %s", label, port, outcome);
          if (!check_diagnose (checker, &p, reply, why))
            g_error ("%s: Diagnose(\"%s\"): %s", label, port, why->str);
        }
      else if (reply != NULL)
        {
          if (!answer_allowed)
            g_error ("%s: %s(\"%s\") answered (%s), expected an error", label, methods[i], port, outcome);
        }
      else
        {
          if (!g_strv_contains (errors, remote))
            g_error ("%s: %s(\"%s\") failed with %s", label, methods[i], port, outcome);
          if (!error_message_ok (remote, message, why))
            g_error ("%s: %s(\"%s\"): %s", label, methods[i], port, why->str);
        }
    }
}

static void
test_symlink_loops (DpugwTestBus *f)
{
  static const struct { const char *port; gboolean answer_allowed; const char *what; } ports[] = {
    { "loop", FALSE, "class/net/loop -> loop" },
    { "a", FALSE, "class/net/a -> b -> a" },
    { "chain0", FALSE, "a chain of 60 links" },
    { "dangle", FALSE, "class/net/dangle -> nowhere" },
    { "outside", FALSE, "class/net/outside -> ../../../../../../../../../../etc" },
    { "abs", FALSE, "class/net/abs -> /etc" },
    { "netloop", FALSE, "class/net/netloop -> . (class/net itself)" },
    { "ghost0", FALSE, "device -> a PCI function that does not exist" },
    { "dloop0", FALSE, "device -> device" },
    { "dloop1", FALSE, "device -> ../dloop2/device -> ../dloop1/device" },
    { "dup0", FALSE, "device -> the sysfs root" },
    { "escape0", FALSE, "device -> far above the root" },
    { "devabs0", FALSE, "device -> /sys/devices" },
    { "pfloop0", FALSE, "VF 0000:01:02.5, physfn -> physfn" },
    { "pfloop1", FALSE, "VF 0000:01:02.6, physfn -> 02.7/physfn -> 02.6/physfn" },
    { "pfself0", TRUE, "VF 0000:01:03.0, physfn -> itself (the VF is its own PF)" },
    { "pfabs0", FALSE, "VF 0000:01:03.1, physfn -> /sys/bus/pci/devices/0000:01:00.0" },
    { "0000:01:02.5", FALSE, "" },
    { "0000:01:02.6", FALSE, "" },
    { "0000:01:03.0", TRUE, "" },
    { "0000:0f:00.0", FALSE, "bus/pci/devices/0000:0f:00.0 -> itself" },
    { "0000:0e:00.0", FALSE, "bus/pci/devices/0000:0e:00.0 -> the PF's directory" },
  };
  UMockdevTestbed *t = f->testbed;
  Runner *checker;

  /* class/net links that loop, dangle or leave the root. */
  dpugw_test_replace_link (t, "loop", "class/net/loop");
  dpugw_test_replace_link (t, "b", "class/net/a");
  dpugw_test_replace_link (t, "a", "class/net/b");
  for (guint i = 0; i < 60; i++)
    {
      g_autofree char *rel = g_strdup_printf ("class/net/chain%u", i);
      g_autofree char *target = i < 59 ? g_strdup_printf ("chain%u", i + 1)
                                       : g_strdup ("../../" EX_VF0 "/net/pf0vf0");
      dpugw_test_replace_link (t, target, rel);
    }
  dpugw_test_replace_link (t, "../../devices/pci0000:00/nowhere/net/dangle", "class/net/dangle");
  dpugw_test_replace_link (t, "../../../../../../../../../../etc", "class/net/outside");
  dpugw_test_replace_link (t, "/etc", "class/net/abs");
  dpugw_test_replace_link (t, ".", "class/net/netloop");
  /* Netdevs whose device link is broken. */
  {
    static const struct { const char *name, *target; } netdevs[] = {
      { "ghost0", "../../../../" EX_BRIDGE "/0000:09:00.0" },
      { "dloop0", "device" },
      { "dloop1", "../dloop2/device" },
      { "dloop2", "../dloop1/device" },
      { "dup0", "../../../.." },
      { "escape0", "../../../../../../../../../../../../.." },
      { "devabs0", "/sys/devices" },
    };

    for (guint i = 0; i < G_N_ELEMENTS (netdevs); i++)
      {
        g_autofree char *dir = g_strconcat ("devices/virtual/net/", netdevs[i].name, NULL);
        g_autofree char *device = g_strconcat (dir, "/device", NULL);
        g_autofree char *class = g_strconcat ("class/net/", netdevs[i].name, NULL);
        g_autofree char *class_target = g_strconcat ("../../", dir, NULL);

        dpugw_test_mkdir (t, dir);
        dpugw_test_replace_link (t, netdevs[i].target, device);
        dpugw_test_replace_link (t, class_target, class);
      }
  }
  /* VFs whose physfn loops, and a PF whose virtfn links loop or leave. */
  {
    static const struct { const char *pci, *netdev, *physfn; } vfs[] = {
      { "0000:01:02.5", "pfloop0", "physfn" },
      { "0000:01:02.6", "pfloop1", "../0000:01:02.7/physfn" },
      { "0000:01:02.7", "pfloop2", "../0000:01:02.6/physfn" },
      { "0000:01:03.0", "pfself0", "../0000:01:03.0" },
      { "0000:01:03.1", "pfabs0", "/sys/bus/pci/devices/0000:01:00.0" },
    };

    for (guint i = 0; i < G_N_ELEMENTS (vfs); i++)
      {
        g_autofree char *dir = g_strconcat (EX_BRIDGE "/", vfs[i].pci, NULL);
        g_autofree char *net = g_strconcat (dir, "/net/", vfs[i].netdev, NULL);
        g_autofree char *device = g_strconcat (net, "/device", NULL);
        g_autofree char *device_target = g_strconcat ("../../../", vfs[i].pci, NULL);
        g_autofree char *physfn = g_strconcat (dir, "/physfn", NULL);
        g_autofree char *class = g_strconcat ("class/net/", vfs[i].netdev, NULL);
        g_autofree char *class_target = g_strconcat ("../../", net, NULL);
        g_autofree char *bus = g_strconcat ("bus/pci/devices/", vfs[i].pci, NULL);
        g_autofree char *bus_target = g_strconcat ("../../../", dir, NULL);

        dpugw_test_mkdir (t, net);
        dpugw_test_replace_link (t, device_target, device);
        dpugw_test_replace_link (t, vfs[i].physfn, physfn);
        dpugw_test_replace_link (t, class_target, class);
        dpugw_test_replace_link (t, bus_target, bus);
      }
    dpugw_test_replace_link (t, "virtfn2", EX_PF "/virtfn2");
    dpugw_test_replace_link (t, "../0000:01:02.5", EX_PF "/virtfn3");
    dpugw_test_replace_link (t, "../../../..", EX_PF "/virtfn4");
    dpugw_test_replace_link (t, "/etc", EX_PF "/virtfn5");
    dpugw_test_replace_link (t, "virtfn7", EX_PF "/virtfn6");
    dpugw_test_replace_link (t, "virtfn6", EX_PF "/virtfn7");
    dpugw_test_replace_link (t, "../0000:01:00.0", EX_PF "/virtfn8");   /* the PF itself */
    dpugw_test_replace_link (t, "0000:0f:00.0", "bus/pci/devices/0000:0f:00.0");
    dpugw_test_replace_link (t, "../../../" EX_PF, "bus/pci/devices/0000:0e:00.0");
  }

  /* Start-up scans it all: it must come up. */
  START (f, CONFIGURED);
  g_assert_true (dpugw_test_string_property_is (f, "GatewayInterface", "eth0"));

  checker = runner_new (f->address, f->root, g_ptr_array_new (), 1, 1);
  dpugw_test_report ("symlink loops (each call within %d ms):", dpugw_test_msec (HANG_MSEC));
  for (guint i = 0; i < G_N_ELEMENTS (ports); i++)
    {
      if (*ports[i].what != '\0')
        dpugw_test_report (" %s: %s", ports[i].port, ports[i].what);
      probe_port_in_broken_tree (f, checker, ports[i].port, E_DOCUMENTED, ports[i].answer_allowed, ports[i].port);
      dpugw_test_ping (f);
    }
  runner_free (checker);

  /* Nothing outside the root was read: the escaping links are refused as such. */
  {
    const char *escaping[] = { "outside", "abs", "escape0", "devabs0", "pfabs0" };

    for (guint i = 0; i < G_N_ELEMENTS (escaping); i++)
      {
        g_autoptr(GVariant) details = NULL;
        g_autoptr(GError) error = NULL;
        g_autofree char *interface = dpugw_test_resolve_once (f->conn, escaping[i], &details, &error);

        g_assert_null (interface);
        g_dbus_error_strip_remote_error (error);
        if (strstr (error->message, "outside the sysfs root") == NULL &&
            strstr (error->message, "sysfs links are relative") == NULL)
          g_error ("Resolve(\"%s\"): %s: not refused as leaving the root", escaping[i], error->message);
      }
  }
  /* The loops end with ELOOP, not by luck. */
  {
    const char *looping[] = { "loop", "a", "chain0", "dloop0", "dloop1", "pfloop0", "pfloop1" };

    for (guint i = 0; i < G_N_ELEMENTS (looping); i++)
      {
        g_autoptr(GVariant) details = NULL;
        g_autoptr(GError) error = NULL;
        g_autofree char *interface = dpugw_test_resolve_once (f->conn, looping[i], &details, &error);

        g_assert_null (interface);
        g_dbus_error_strip_remote_error (error);
        if (strstr (error->message, g_strerror (ELOOP)) == NULL)
          g_error ("Resolve(\"%s\"): %s: expected \"%s\"", looping[i], error->message, g_strerror (ELOOP));
      }
  }

  /* Rescans, and the good part of the tree is still right. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(GVariant) reply = NULL;
    g_autoptr(GVariant) pfs = NULL;
    gint64 start = g_get_monotonic_time ();
    guint64 generation;
    gboolean found = FALSE;

    dpugw_test_refresh (f);
    reply = dpugw_test_call_full (f->conn, PATH, IFACE, "GetTopology", NULL, "(taa{sv})", HANG_MSEC, &error);
    g_assert_no_error (error);
    dpugw_test_report (" Refresh and GetTopology: %.1f ms", (g_get_monotonic_time () - start) / 1e3);
    g_variant_get (reply, "(t@aa{sv})", &generation, &pfs);
    for (gsize i = 0; i < g_variant_n_children (pfs); i++)
      {
        g_autoptr(GVariant) pf = g_variant_get_child_value (pfs, i);
        g_autoptr(GVariant) vfs = NULL;
        g_autofree char *shown = NULL;

        if (g_strcmp0 (dict_string (pf, "pci"), "0000:01:00.0") != 0)
          continue;
        found = TRUE;
        vfs = g_variant_lookup_value (pf, "vfs", G_VARIANT_TYPE ("aa{sv}"));
        g_assert_nonnull (vfs);
        shown = g_variant_print (vfs, FALSE);
        dpugw_test_report (" the PF's VFs: %s", shown);
        g_assert_cmpuint (g_variant_n_children (vfs), >=, 2);
        {
          g_autoptr(GVariant) vf0 = g_variant_get_child_value (vfs, 0);
          g_autoptr(GVariant) vf1 = g_variant_get_child_value (vfs, 1);
          g_assert_cmpstr (dict_string (vf0, "pci"), ==, "0000:01:02.3");
          g_assert_cmpstr (dict_string (vf1, "pci"), ==, "0000:01:02.4");
        }
      }
    g_assert_true (found);
  }
  assert_resolves (f, "pf0vf0", "eth0");
  assert_resolves (f, "pf0vf1", "eth0");
  g_assert_true (dpugw_test_string_property_is (f, "GatewayInterface", "eth0"));
  g_assert_true (dpugw_test_string_property_is (f, "LastError", ""));
}

/* --- what cannot be read ------------------------------------------------------- */

static void
unreadable_round (DpugwTestBus *f, const char *phase, gboolean capable)
{
  static const struct { const char *port; const char *fault; } ports[] = {
    { "ens1f0v0", "its VF's directory chmod 000; its PF's sriov_totalvfs a FIFO, sriov_numvfs a directory, "
                  "driver a directory" },
    { "ens1f0v1", "its VF's physfn a directory" },
    { "ens1f0v2", "class/net/ens1f0v2 a FIFO" },
    { "ens1f1v0", "its PF's net/ a regular file, its sriov_totalvfs a character device (like /dev/zero)" },
    { "ens1f1v1", "its netdev's device link a FIFO" },
    { "fifo0", "class/net/fifo0 a FIFO" },
    { "file0", "class/net/file0 a regular file" },
    { "dir0", "class/net/dir0 an empty directory" },
    { "pf0vf1", "its VF's directory chmod 000" },
    { "0000:03:00.3", "physfn a directory" },
    { "0000:03:00.2", "its directory chmod 000" },
    { "0000:01:02.4", "its directory chmod 000" },
    { "pf0vf0", "none (its PF's sriov_numvfs chmod 000)" },
    { "", "the configured pf0vf0" },
  };
  Runner *checker = runner_new (f->address, f->root, g_ptr_array_new (), 1, 1);

  dpugw_test_report ("unreadable tree, %s:", phase);
  for (guint i = 0; i < G_N_ELEMENTS (ports); i++)
    {
      dpugw_test_report (" %s: %s", *ports[i].port ? ports[i].port : "\"\"", ports[i].fault);
      probe_port_in_broken_tree (f, checker, ports[i].port, E_DOCUMENTED, TRUE, phase);
      dpugw_test_ping (f);
    }
  runner_free (checker);

  /* What must work whatever the faults elsewhere. */
  assert_resolves (f, "pf0vf0", "eth0");
  assert_resolves (f, "", "eth0");
  g_assert_true (dpugw_test_string_property_is (f, "GatewayInterface", "eth0"));
  g_assert_true (dpugw_test_string_property_is (f, "LastError", ""));
  {
    gint64 start = g_get_monotonic_time ();
    g_autoptr(GError) error = NULL;
    g_autoptr(GVariant) reply = NULL;
    g_autoptr(GVariant) pfs = NULL;
    guint64 generation;
    GString *listed = g_string_new (NULL);

    dpugw_test_refresh (f);
    reply = dpugw_test_call_full (f->conn, PATH, IFACE, "GetTopology", NULL, "(taa{sv})", HANG_MSEC, &error);
    g_assert_no_error (error);
    g_variant_get (reply, "(t@aa{sv})", &generation, &pfs);
    for (gsize i = 0; i < g_variant_n_children (pfs); i++)
      {
        g_autoptr(GVariant) pf = g_variant_get_child_value (pfs, i);
        guint32 num_vfs = 0;

        g_variant_lookup (pf, "num-vfs", "u", &num_vfs);
        g_string_append_printf (listed, " %s (num-vfs %u)", dict_string (pf, "pci"), num_vfs);
      }
    dpugw_test_report (" Refresh and GetTopology in %.1f ms: PFs%s", (g_get_monotonic_time () - start) / 1e3, listed->str);
    g_string_free (listed, TRUE);
    g_assert_true (dpugw_test_topology_pf_netdevs_are (f, "0000:01:00.0", STRV ("eth0", "eth1")));
  }
  /* With the capabilities of root, permissions stop nothing. */
  if (capable)
    {
      assert_resolves (f, "pf0vf1", "eth0");
      assert_resolves (f, "0000:01:02.4", "eth0");
      assert_resolves (f, "ens1f0v0", "ens1f0np0");
    }
}

static void
test_unreadable (DpugwTestBus *f)
{
  UMockdevTestbed *t = f->testbed;

  /* Where a file is expected: a FIFO (nobody writes it), a directory, a character device. */
  dpugw_test_replace_fifo (t, BF_PF0 "/sriov_totalvfs");
  dpugw_test_clear (t, BF_PF0 "/sriov_numvfs");
  dpugw_test_mkdir (t, BF_PF0 "/sriov_numvfs");
  dpugw_test_clear (t, BF_PF0 "/driver");
  dpugw_test_mkdir (t, BF_PF0 "/driver");
  dpugw_test_clear (t, BF_BRIDGE "/0000:03:00.3/physfn");
  dpugw_test_mkdir (t, BF_BRIDGE "/0000:03:00.3/physfn");
  dpugw_test_replace_fifo (t, "class/net/ens1f0v2");
  dpugw_test_replace_fifo (t, BF_BRIDGE "/0000:03:08.3/net/ens1f1v1/device");
  dpugw_test_replace_fifo (t, "class/net/fifo0");
  {
    g_autofree char *path = dpugw_test_path (t, BF_PF1 "/sriov_totalvfs");

    /* Root may (CAP_MKNOD): a test that cannot is not the test it claims to be. */
    dpugw_test_rm_rf (path);
    if (mknod (path, S_IFCHR | 0444, makedev (1, 5)) != 0)
      g_error ("cannot make a character device in the tree: mknod %s: %s", path, g_strerror (errno));
  }
  /* Where a directory is expected: a regular file. */
  dpugw_test_clear (t, BF_PF1 "/net");
  dpugw_test_write (t, BF_PF1 "/net", "not a directory\n");
  dpugw_test_write (t, "class/net/file0", "not a link\n");
  dpugw_test_mkdir (t, "class/net/dir0");
  /* Unreadable, for whoever has no CAP_DAC_OVERRIDE / CAP_DAC_READ_SEARCH. */
  {
    const char *locked[] = { EX_VF1, BF_BRIDGE "/0000:03:00.2", EX_PF "/sriov_numvfs" };

    for (guint i = 0; i < G_N_ELEMENTS (locked); i++)
      {
        g_autofree char *path = dpugw_test_path (t, locked[i]);
        g_assert_cmpint (g_chmod (path, 0), ==, 0);
      }
  }

  /* As root, with every capability: permissions do not stop reads. */
  START (f, CONFIGURED);
  unreadable_round (f, "root with capabilities", TRUE);
  g_assert_cmpint (dpugw_test_daemon_stop (f->daemon), ==, 0);

  /*
   * As root without capabilities (the systemd unit's CapabilityBoundingSet=): chmod 000 stops it.
   * setpriv(1) is util-linux's, on every system this runs on: without it the test cannot say what it
   * claims, and fails.
   */
  {
    g_autofree char *setpriv = g_find_program_in_path ("setpriv");

    if (setpriv == NULL)
      g_error ("setpriv(1) (util-linux) not found: the round without capabilities cannot run");
    DPUGW_TEST_START (f, .wrapper = STRV (setpriv, "--bounding-set=-all", "--inh-caps=-all", "--"),
                      .args = STRV (CONFIGURED), .ready = TRUE);
    {
      g_autofree char *status_path = g_strdup_printf ("/proc/%d/status", (int) f->daemon->pid);
      g_autofree char *status = dpugw_test_read_file (status_path);
      const char *eff = strstr (status, "CapEff:");

      g_assert_nonnull (eff);
      g_assert_true (g_str_has_prefix (eff, "CapEff:\t0000000000000000"));
    }
    unreadable_round (f, "root without capabilities", FALSE);
    {
      g_autoptr(GVariant) details = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *interface = dpugw_test_resolve_once (f->conn, "pf0vf1", &details, &error);

      /* A directory it may not search: a documented error, which says why. */
      g_assert_null (interface);
      g_dbus_error_strip_remote_error (error);
      g_assert_nonnull (strstr (error->message, g_strerror (EACCES)));
    }
  }
}

/* --- the netlink overrun ------------------------------------------------------ */

static void
write_burst (const char *path, const char *prefix, guint n, const char *rename_from, const char *rename_to)
{
  g_autoptr(GString) batch = g_string_new (NULL);

  for (guint i = 0; i < n; i++)
    {
      g_string_append_printf (batch, "link add %sa%u type veth peer name %sb%u\n", prefix, i, prefix, i);
      if (i == n / 2)
        g_string_append_printf (batch, "link set %s name %s\n", rename_from, rename_to);
    }
  for (guint i = 0; i < n; i++)
    g_string_append_printf (batch, "link set %sa%u name %sc%u\n", prefix, i, prefix, i);
  for (guint i = 0; i < n; i++)
    g_string_append_printf (batch, "link del %sc%u\n", prefix, i);
  dpugw_test_write_file (path, batch->str);
}

/* Everything says @new_if, and GatewayChanged(0000:01:02.3, @old_if, @new_if) came since @from. */
static gboolean
followed (DpugwTestBus *f, guint from, const char *old_if, const char *new_if)
{
  const char *expected[] = { new_if, "eth1", NULL };

  if (f->daemon->exited)
    g_error ("dpu-gatewayd exited (status %d, signal %d)", f->daemon->exit_status, f->daemon->term_signal);
  if (strcmp (new_if, "eth1") > 0)
    {
      expected[0] = "eth1";
      expected[1] = new_if;
    }
  return dpugw_test_has_gateway_changed (f, from, "0000:01:02.3", old_if, new_if) &&
         dpugw_test_string_property_is (f, "GatewayInterface", new_if) && dpugw_test_string_property_is (f, "LastError", "") &&
         dpugw_test_resolves_to (f, "", new_if) && dpugw_test_resolves_to (f, "pf0vf0", new_if) && dpugw_test_resolves_to (f, "pf0vf1", new_if) &&
         dpugw_test_resolves_to (f, "0000:01:02.4", new_if) && dpugw_test_topology_pf_netdevs_are (f, "0000:01:00.0", expected);
}

static void
expect_followed (DpugwTestBus *f, guint from, const char *old_if, const char *new_if)
{
  DPUGW_TEST_WAIT (followed (f, from, old_if, new_if), "the rename to be followed everywhere");
  dpugw_test_ping (f);
}

static void
test_netlink_overrun (DpugwTestBus *f)
{
  g_autofree char *burst_a = g_build_filename (f->tmpdir, "burst-a.batch", NULL);
  g_autofree char *burst_b = g_build_filename (f->tmpdir, "burst-b.batch", NULL);
  guint overruns_a, overruns_b, from;
  gint64 start;

  dpugw_test_veth_add ("eth0", "vp0");
  dpugw_test_veth_add ("eth1", "vp1");
  dpugw_test_veth_add ("pf0vf0", "vp2");
  dpugw_test_veth_add ("pf0vf1", "vp3");
  START (f, CONFIGURED, "--netlink-buffer-size=4096", "-v");
  g_assert_true (dpugw_test_string_property_is (f, "GatewayInterface", "eth0"));
  assert_resolves (f, "pf0vf1", "eth0");

  /* Burst A, as fast as ip goes: 300 veth pairs added, renamed and removed (some 2,500
   * link messages), and in the middle the gateway renamed, the tree first. */
  write_burst (burst_a, "qa", 300, "eth0", "enp1s0f0np0");
  from = f->gateway_changed->len;
  dpugw_test_rename_netdev (f->testbed, EX_PF, "eth0", "enp1s0f0np0");
  start = g_get_monotonic_time ();
  DPUGW_TEST_IP ("-batch", burst_a);
  dpugw_test_report ("netlink burst A: 900 link operations and the gateway's rename in %.2f s",
          (g_get_monotonic_time () - start) / 1e6);
  expect_followed (f, from, "eth0", "enp1s0f0np0");
  overruns_a = dpugw_test_daemon_log_count (f->daemon, "netlink receive buffer overrun");
  dpugw_test_report ("  followed everywhere (GatewayChanged, GatewayInterface, Resolve of the configured and a cached VF, "
          "GetTopology) %.2f s after the burst began; %u overruns (\"netlink receive buffer overrun\" in the log)",
          (g_get_monotonic_time () - start) / 1e6, overruns_a);

  /* Burst B, the daemon stopped meanwhile (SIGSTOP): the kernel must drop messages, the rename among them. */
  write_burst (burst_b, "qb", 500, "enp1s0f0np0", "eth0");
  from = f->gateway_changed->len;
  dpugw_test_rename_netdev (f->testbed, EX_PF, "enp1s0f0np0", "eth0");
  g_assert_cmpint (kill (f->daemon->pid, SIGSTOP), ==, 0);
  DPUGW_TEST_IP ("-batch", burst_b);
  start = g_get_monotonic_time ();
  g_assert_cmpint (kill (f->daemon->pid, SIGCONT), ==, 0);
  {
    /* When the properties and a cached VF's answer each caught up. */
    gint64 deadline = g_get_monotonic_time () + dpugw_test_usec (DPUGW_TEST_WAIT_USEC);
    gint64 t_property = 0, t_cached = 0;

    while (t_property == 0 || t_cached == 0)
      {
        if (g_get_monotonic_time () > deadline)
          g_error ("the rename was not followed within %.0f s", dpugw_test_usec (DPUGW_TEST_WAIT_USEC) / 1e6);
        if (t_property == 0 && dpugw_test_string_property_is (f, "GatewayInterface", "eth0"))
          t_property = g_get_monotonic_time ();
        if (t_cached == 0 && dpugw_test_resolves_to (f, "pf0vf1", "eth0"))
          t_cached = g_get_monotonic_time ();
        dpugw_test_iterate ();
      }
    dpugw_test_report ("  after SIGCONT: GatewayInterface eth0 after %.1f ms, the cached pf0vf1 answering eth0 after %.1f ms",
            (t_property - start) / 1e3, (t_cached - start) / 1e3);
  }
  expect_followed (f, from, "enp1s0f0np0", "eth0");
  DPUGW_TEST_WAIT (dpugw_test_daemon_log_count (f->daemon, "netlink receive buffer overrun") > overruns_a, "the overrun to be logged");
  overruns_b = dpugw_test_daemon_log_count (f->daemon, "netlink receive buffer overrun") - overruns_a;
  dpugw_test_report ("netlink burst B, 1,500 link operations and the gateway's rename back while the daemon was stopped "
          "(SIGSTOP): %u overruns; after SIGCONT, the rename followed everywhere in %.2f s",
          overruns_b, (g_get_monotonic_time () - start) / 1e6);
  g_assert_cmpuint (overruns_b, >=, 1);

  /* And it still follows single changes afterwards. */
  from = f->gateway_changed->len;
  dpugw_test_rename_netdev (f->testbed, EX_PF, "eth0", "enp1s0f0np0");
  DPUGW_TEST_IP ("link", "set", "eth0", "name", "enp1s0f0np0");
  expect_followed (f, from, "eth0", "enp1s0f0np0");
  {
    g_autofree char *links = NULL;
    g_auto(GStrv) left = dpugw_test_links ();

    links = g_strjoinv (" ", left);
    dpugw_test_report ("  links left in the namespace: %s", links);
  }
  dpugw_test_ping (f);
}

/* --- the bus going away --------------------------------------------------------- */

static void
on_any_reply (GObject *source, GAsyncResult *result, gpointer user_data)
{
  guint *done = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);

  (*done)++;
}

static void
test_bus_closed (DpugwTestBus *f)
{
  GDBusConnection *conns[4];
  guint done = 0, sent = 0;
  gint64 start;

  START (f, CONFIGURED);
  g_assert_cmpint (f->bus_pid, >, 1);

  /* Calls in flight, lookups in the daemon's threads, a Refresh: then the bus is killed. */
  for (guint c = 0; c < G_N_ELEMENTS (conns); c++)
    {
      conns[c] = dpugw_test_connect (f->address);
      for (guint i = 0; i < 100; i++)
        {
          g_autofree char *name = g_strdup_printf ("gone%u_%u", c, i);
          const char *method = i % 10 == 0 ? "Diagnose" : "Resolve";

          g_dbus_connection_call (conns[c], NAME, PATH, IFACE, method, g_variant_new ("(s)", name), NULL,
                                  G_DBUS_CALL_FLAGS_NO_AUTO_START, dpugw_test_msec (DPUGW_TEST_CALL_MSEC), NULL, on_any_reply, &done);
          sent++;
        }
      g_dbus_connection_call (conns[c], NAME, PATH, IFACE, "Refresh", NULL, NULL, G_DBUS_CALL_FLAGS_NO_AUTO_START,
                              dpugw_test_msec (DPUGW_TEST_CALL_MSEC), NULL, on_any_reply, &done);
      sent++;
    }
  for (guint c = 0; c < G_N_ELEMENTS (conns); c++)
    g_dbus_connection_flush_sync (conns[c], NULL, NULL);

  f->daemon->expect_exit = TRUE;
  f->daemon->allow_critical = TRUE;
  start = g_get_monotonic_time ();
  g_assert_cmpint (kill (f->bus_pid, SIGKILL), ==, 0);
  f->bus_down = TRUE;
  g_test_dbus_down (f->bus);   /* our side of it; the process is gone already */

  DPUGW_TEST_WAIT (f->daemon->exited, "dpu-gatewayd to exit after the bus was killed");
  dpugw_test_report ("bus killed (SIGKILL) with %u calls in flight: dpu-gatewayd exited with status %d (signal %d) "
          "after %.0f ms",
          sent, f->daemon->exit_status, f->daemon->term_signal, (g_get_monotonic_time () - start) / 1e3);
  if (f->daemon->exit_status != 1)
    {
      g_autofree char *log = dpugw_test_read_file (f->daemon->log_path);
      g_printerr ("%s", log);
      g_error ("dpu-gatewayd exited with status %d (signal %d), expected 1", f->daemon->exit_status, f->daemon->term_signal);
    }
  g_assert_true (dpugw_test_daemon_log_contains (f->daemon, "cannot connect to the system bus, or the connection closed"));
  {
    g_autofree char *log = dpugw_test_read_file (f->daemon->log_path);
    g_auto(GStrv) lines = g_strsplit (log, "\n", -1);

    for (guint i = 0; lines[i] != NULL; i++)
      if (strstr (lines[i], "connection closed") != NULL)
        dpugw_test_report ("  it logged: %s", lines[i]);
  }
  DPUGW_TEST_WAIT (done == sent, "every call to the dead bus to fail");
  for (guint c = 0; c < G_N_ELEMENTS (conns); c++)
    g_object_unref (conns[c]);
}

/* --- SIGHUP with a configuration that cannot be read ----------------------------- */

static void
sighup_expect_kept (DpugwTestBus *f, const char *what, guint *kept)
{
  gint64 start = g_get_monotonic_time ();
  g_autofree char *log = NULL;
  const char *line;

  g_assert_cmpint (kill (f->daemon->pid, SIGHUP), ==, 0);
  DPUGW_TEST_WAIT (dpugw_test_daemon_log_count (f->daemon, "keeping the previous configuration") > *kept || f->daemon->exited,
              "the daemon to keep its configuration");
  dpugw_test_ping (f);   /* within the hang deadline: the signal handler did not block */
  *kept = dpugw_test_daemon_log_count (f->daemon, "keeping the previous configuration");
  log = dpugw_test_read_file (f->daemon->log_path);
  line = g_strrstr (log, "SIGHUP: keeping");
  {
    g_autofree char *shown = line != NULL ? g_strndup (line, strcspn (line, "\n")) : g_strdup ("?");
    dpugw_test_report ("SIGHUP with %s: answered Ping %.1f ms after the signal; %s", what,
            (g_get_monotonic_time () - start) / 1e3, shown);
  }
  g_assert_false (f->daemon->exited);
  g_assert_true (dpugw_test_string_property_is (f, "ManagementPort", "pf0vf0"));
  g_assert_true (dpugw_test_string_property_is (f, "GatewayInterface", "eth0"));
  assert_resolves (f, "", "eth0");
  {
    g_autoptr(GVariant) configuration = dpugw_test_get_property (f, "Configuration");
    const char *mgmt = NULL;
    g_assert_true (g_variant_lookup (configuration, "mgmt-port-netdev", "&s", &mgmt));
    g_assert_cmpstr (mgmt, ==, "pf0vf0");
  }
}

static void
test_sighup_broken_config (DpugwTestBus *f)
{
  g_autofree char *path = g_build_filename (f->tmpdir, "ovnkube.conf", NULL);
  g_autofree char *arg = g_strconcat ("--config-file=", path, NULL);
  const char *good = "[OvnKubeNode]\nmode=dpu-host\nmgmt-port-netdev=pf0vf0\n\n"
                     "[Gateway]\ninterface=derive-from-mgmt-port\n";
  guint kept = 0;

  dpugw_test_write_file (path, good);
  START (f, arg);
  g_assert_true (dpugw_test_string_property_is (f, "ManagementPort", "pf0vf0"));

  /* A directory. */
  g_assert_cmpint (g_unlink (path), ==, 0);
  g_assert_cmpint (g_mkdir (path, 0755), ==, 0);
  sighup_expect_kept (f, "the file replaced by a directory", &kept);
  g_assert_cmpint (g_rmdir (path), ==, 0);

  /* A FIFO nobody writes: opening it must not block. */
  g_assert_cmpint (mkfifo (path, 0644), ==, 0);
  sighup_expect_kept (f, "the file replaced by a FIFO", &kept);
  g_assert_cmpint (g_unlink (path), ==, 0);

  /* 2 MiB, of what would otherwise be a valid configuration. */
  {
    g_autoptr(GString) big = g_string_new (good);

    while (big->len < 2 * 1024 * 1024)
      g_string_append (big, "# padding padding padding padding padding padding padding padding\n");
    dpugw_test_write_file (path, big->str);
    sighup_expect_kept (f, "a file of 2 MiB", &kept);
    g_assert_cmpint (g_unlink (path), ==, 0);
  }

  /* A link to a character device that never ends. */
  g_assert_cmpint (symlink ("/dev/zero", path), ==, 0);
  sighup_expect_kept (f, "the file a link to /dev/zero", &kept);
  g_assert_cmpint (g_unlink (path), ==, 0);

  /* A link to itself. */
  g_assert_cmpint (symlink (path, path), ==, 0);
  sighup_expect_kept (f, "the file a link to itself", &kept);
  g_assert_cmpint (g_unlink (path), ==, 0);

  /* Gone. */
  sighup_expect_kept (f, "the file removed", &kept);

  /* Bytes that are not UTF-8, and a valid file whose values are not names. */
  {
    static const char garbage[] = "[OvnKubeNode]\nmode=dpu-host\nmgmt-port-netdev=pf\xff\xfe\n\n"
                                  "[Gateway]\ninterface=derive-from-mgmt-port\n";
    g_autoptr(GError) error = NULL;

    g_assert_true (g_file_set_contents (path, garbage, sizeof garbage - 1, &error));
    sighup_expect_kept (f, "a management port that is not UTF-8", &kept);
    dpugw_test_write_file (path, "[OvnKubeNode]\nmode=dpu-host\nmgmt-port-netdev=../../etc\n\n"
                      "[Gateway]\ninterface=derive-from-mgmt-port\n");
    sighup_expect_kept (f, "a management port \"../../etc\"", &kept);
    dpugw_test_write_file (path, "\x01\x02\x03\n[[[\n=\n");
    sighup_expect_kept (f, "binary junk", &kept);
  }

  /* A good file again: it is taken. */
  dpugw_test_write_file (path, "[OvnKubeNode]\nmode=dpu-host\nmgmt-port-netdev=pf0vf1\n\n"
                    "[Gateway]\ninterface=derive-from-mgmt-port\n");
  g_assert_cmpint (kill (f->daemon->pid, SIGHUP), ==, 0);
  DPUGW_TEST_WAIT (dpugw_test_string_property_is (f, "ManagementPort", "pf0vf1"), "ManagementPort pf0vf1 after a good SIGHUP");
  g_assert_true (dpugw_test_string_property_is (f, "GatewayInterface", "eth0"));
  dpugw_test_report ("SIGHUP with a good file again: reloaded (ManagementPort pf0vf1)");
}

/* ===========================================================================
 * 3. Load: 64 clients x 1,000 calls while links churn
 * ======================================================================== */

static void
test_load (DpugwTestBus *f)
{
  g_autoptr(GPtrArray) probes = g_ptr_array_new_with_free_func ((GDestroyNotify) probe_free);
  Churn churn = { 0 };
  Runner *r;
  guint64 renames_before, rounds_before, renames, rounds;
  gint64 start, elapsed;
  const char *final_expected[3] = { NULL };

  dpugw_test_veth_add ("eth0", "vp0");
  dpugw_test_veth_add ("eth1", "vp1");
  dpugw_test_veth_add ("pf0vf0", "vp2");
  dpugw_test_veth_add ("pf0vf1", "vp3");
  START (f, CONFIGURED);

  /* Valid and invalid ports, ResolveAll, GetTopology, Get and GetAll. */
  add_load_probes (probes);
  r = runner_new (f->address, f->root, probes, 64, 4);
  r->gateways = STRV ("eth0", "enp1s0f0np0");
  r->gateway_peers = STRV ("eth1");

  /* The churn starts, and a warm-up under it (64 x 100 calls). */
  churn_start (&churn, f->testbed, EX_PF, f->tmpdir);
  r->conn_quota = 100;
  runner_run (r, 64 * 100, 60 * G_USEC_PER_SEC);
  runner_assert_clean (r, "load warm-up");
  dpugw_test_ping (f);

  runner_reset_counts (r);
  r->conn_quota = 1000;
  start = g_get_monotonic_time ();
  renames_before = churn.renames;
  rounds_before = churn.churn_rounds;
  runner_run (r, 64 * 1000, 110 * G_USEC_PER_SEC);
  elapsed = g_get_monotonic_time () - start;
  renames = churn.renames - renames_before;
  rounds = churn.churn_rounds - rounds_before;
  churn_stop (&churn);

  for (guint i = 0; i < 64; i++)
    g_assert_cmpuint (r->conn_sent[i], ==, 1000);
  dpugw_test_report ("load: 64 clients x 1,000 calls in %.1f s (slowest %.1f ms) while %" G_GUINT64_FORMAT
                     " rounds of 80 unrelated link operations and %" G_GUINT64_FORMAT " renames of the gateway ran; "
                     "outcomes: %s",
                     elapsed / 1e6, r->max_latency / 1e3, rounds, renames, runner_outcomes (r));
  runner_assert_clean (r, "load");
  g_assert_cmpuint (renames, >=, 2);

  /* The final state: what the tree says. */
  final_expected[0] = churn.gateway;
  final_expected[1] = "eth1";
  if (strcmp (churn.gateway, "eth1") > 0)
    {
      final_expected[0] = "eth1";
      final_expected[1] = churn.gateway;
    }
  start = g_get_monotonic_time ();
  DPUGW_TEST_WAIT (dpugw_test_string_property_is (f, "GatewayInterface", churn.gateway) &&
                     dpugw_test_topology_pf_netdevs_are (f, "0000:01:00.0", final_expected) &&
                     dpugw_test_resolves_to (f, "", churn.gateway) && dpugw_test_resolves_to (f, "pf0vf0", churn.gateway) &&
                     dpugw_test_resolves_to (f, "pf0vf1", churn.gateway) &&
                     dpugw_test_resolves_to (f, "0000:01:02.4", churn.gateway),
                   "the final state");
  g_assert_true (dpugw_test_string_property_is (f, "LastError", ""));
  g_assert_true (dpugw_test_string_property_is (f, "ManagementPort", "pf0vf0"));
  dpugw_test_report ("  final state (gateway %s) reached %.0f ms after the churn stopped", churn.gateway,
                     (g_get_monotonic_time () - start) / 1e3);
  dpugw_test_ping (f);

  runner_free (r);
  churn_clear (&churn);
}

int
main (int argc, char **argv)
{
  dpugw_test_init (&argc, &argv, DPUGW_TEST_NETNS);

#define ADD(path, func, timeout, ...) DPUGW_TEST_ADD (path, func, { __VA_ARGS__ }, timeout)

  ADD ("/hostile/dbus-battery", test_dbus_battery, 400, EXAMPLE);
  ADD ("/hostile/fault/sysfs-vanishing", test_sysfs_vanishing, 180, EXAMPLE);
  ADD ("/hostile/fault/symlink-loops", test_symlink_loops, 120, EXAMPLE);
  ADD ("/hostile/fault/unreadable", test_unreadable, 120, EXAMPLE, BLUEFIELD);
  ADD ("/hostile/fault/netlink-overrun", test_netlink_overrun, 180, EXAMPLE);
  ADD ("/hostile/fault/bus-closed", test_bus_closed, 120, EXAMPLE);
  ADD ("/hostile/fault/sighup-broken-config", test_sighup_broken_config, 120, EXAMPLE);
  ADD ("/hostile/load", test_load, 180, EXAMPLE);

  return g_test_run ();
}
