/* SPDX-License-Identifier: Apache-2.0
 *
 * dpu-gatewayctl wait: blocks until the gateway resolves, prints it and exits 0; on timeout
 * exits 1 with the last error.  Over the bus and over the daemon's socket (which may come
 * after wait starts, and go and come back), and with --local on netlink link events.  Each
 * test in a network namespace of its own; the hardware arrives as the kernel shows it, the
 * sysfs tree first and then the link.
 */
#include "testdaemon.h"

#include <gio/gio.h>
#include <string.h>

#define EXAMPLE "data/dpu-host-example.umockdev"
#define EX_PF   "devices/pci0000:00/0000:00:02.0/0000:01:00.0"

/* The example host before its PF's driver made netdevs: the management port is there. */
static void
pf_without_netdevs (DpugwTestBus *f)
{
  dpugw_test_remove_netdev (f->testbed, EX_PF, "eth0");
  dpugw_test_remove_netdev (f->testbed, EX_PF, "eth1");
  dpugw_test_veth_add ("pf0vf0", "vp0");
}

static void
pf_netdev_arrives (DpugwTestBus *f)
{
  dpugw_test_add_netdev (f->testbed, EX_PF, "eth0");
  dpugw_test_veth_add ("eth0", "vp1");
}

static GSubprocess *
wait_spawn (const char * const *args)
{
  return dpugw_test_ctl_spawn (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, args);
}

typedef struct
{
  gboolean done;
  char *out;
  char *err;
} Finished;

static void
communicated (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Finished *fin = user_data;
  g_autoptr(GError) error = NULL;

  g_subprocess_communicate_utf8_finish (G_SUBPROCESS (source), result, &fin->out, &fin->err, &error);
  g_assert_no_error (error);
  fin->done = TRUE;
}

/* Its exit status, stdout and stderr, once it exits (the test fails after the deadline). */
static int
wait_finish (GSubprocess *process, char **out, char **err)
{
  Finished fin = { 0 };

  g_subprocess_communicate_utf8_async (process, NULL, NULL, communicated, &fin);
  DPUGW_TEST_WAIT (fin.done, "dpu-gatewayctl wait to exit");
  g_subprocess_wait (process, NULL, NULL);
  if (out != NULL)
    *out = g_steal_pointer (&fin.out);
  if (err != NULL)
    *err = g_steal_pointer (&fin.err);
  g_free (fin.out);
  g_free (fin.err);
  return g_subprocess_get_if_exited (process) ? g_subprocess_get_exit_status (process) : -1;
}

/* Still waiting after @msec: it has not given up nor printed. */
static void
assert_still_waiting (GSubprocess *process, int msec)
{
  gint64 until = g_get_monotonic_time () + msec * 1000;

  while (g_get_monotonic_time () < until)
    dpugw_test_iterate ();
  /* The identifier goes once it has exited. */
  g_assert_nonnull (g_subprocess_get_identifier (process));
}

static char *
socket_address (DpugwTestBus *f)
{
  return g_strconcat ("unix:path=", f->tmpdir, "/bus", NULL);
}

/* Over the bus: the PF's netdev comes late; the signals wake it. */
static void
test_bus_late_netdev (DpugwTestBus *f)
{
  g_autoptr(GSubprocess) wait = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  pf_without_netdevs (f);
  DPUGW_TEST_START (f, .args = STRV (DPUGW_TEST_CONFIGURED), .ready = TRUE);
  wait = wait_spawn (STRV ("wait", f->address_flag, "--timeout=60"));
  assert_still_waiting (wait, 500);

  pf_netdev_arrives (f);
  g_assert_cmpint (wait_finish (wait, &out, &err), ==, 0);
  g_assert_cmpstr (out, ==, "eth0\n");
  g_assert_cmpstr (err, ==, "");
}

/* The daemon follows a VF asked about that failed for want of its PF's netdevs, not only the
 * configured one: GatewayChanged ("" -> name) when the netdev comes.  pf0vf1 is not configured. */
static void
test_failed_vf_followed (DpugwTestBus *f)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) details = NULL;
  g_autofree char *got = NULL;
  DpugwTestMark m;

  pf_without_netdevs (f);
  dpugw_test_veth_add ("pf0vf1", "vp2");
  DPUGW_TEST_START (f, .args = STRV (DPUGW_TEST_CONFIGURED), .ready = TRUE);
  got = dpugw_test_resolve (f->conn, "pf0vf1", &details, &error);
  g_assert_null (got);
  g_assert_nonnull (strstr (error->message, "no netdevs found for pci address 0000:01:00.0"));
  m = dpugw_test_mark (f);

  pf_netdev_arrives (f);
  DPUGW_TEST_WAIT (dpugw_test_has_gateway_changed (f, m.gateway, "0000:01:02.4", "", "eth0"),
                   "GatewayChanged (0000:01:02.4, \"\" -> eth0) for the VF asked about");
  g_assert_true (dpugw_test_resolves_to (f, "pf0vf1", "eth0"));
}

/* Over the socket, started before the daemon: the socket's appearance wakes it. */
static void
test_socket_before_daemon (DpugwTestBus *f)
{
  g_autofree char *address = socket_address (f);
  g_autofree char *address_flag = g_strconcat ("--address=", address, NULL);
  g_autofree char *listen = g_strconcat ("--listen=", address, NULL);
  g_autoptr(GSubprocess) wait = NULL;
  g_autofree char *out = NULL;

  dpugw_test_veth_add ("eth0", "vp1");
  dpugw_test_veth_add ("pf0vf0", "vp0");
  wait = wait_spawn (STRV ("wait", address_flag, "--timeout=60"));
  assert_still_waiting (wait, 500);

  DPUGW_TEST_START (f, .args = STRV (DPUGW_TEST_CONFIGURED, listen, "--no-bus"), .no_wait = TRUE);
  g_assert_cmpint (wait_finish (wait, &out, NULL), ==, 0);
  g_assert_cmpstr (out, ==, "eth0\n");
}

/* The service stops while it waits, the netdev comes meanwhile, the service comes back. */
static void
test_service_restarted (DpugwTestBus *f)
{
  g_autofree char *address = socket_address (f);
  g_autofree char *address_flag = g_strconcat ("--address=", address, NULL);
  g_autofree char *listen = g_strconcat ("--listen=", address, NULL);
  g_autoptr(GSubprocess) wait = NULL;
  g_autofree char *out = NULL;
  g_autofree char *socket_path = g_strconcat (f->tmpdir, "/bus", NULL);
  DpugwTestDaemon *d;

  pf_without_netdevs (f);
  d = DPUGW_TEST_START (f, .args = STRV (DPUGW_TEST_CONFIGURED, listen, "--no-bus"), .no_wait = TRUE);
  DPUGW_TEST_WAIT (g_file_test (socket_path, G_FILE_TEST_EXISTS), "the socket");
  wait = wait_spawn (STRV ("wait", address_flag, "--timeout=60", "pf0vf0"));
  assert_still_waiting (wait, 500);

  g_assert_cmpint (dpugw_test_daemon_stop (d), ==, 0);
  pf_netdev_arrives (f);
  assert_still_waiting (wait, 300);
  DPUGW_TEST_START (f, .args = STRV (DPUGW_TEST_CONFIGURED, listen, "--no-bus"), .no_wait = TRUE);
  g_assert_cmpint (wait_finish (wait, &out, NULL), ==, 0);
  g_assert_cmpstr (out, ==, "eth0\n");
}

/* Timeout: exit 1, the last error said. */
static void
test_timeout (DpugwTestBus *f)
{
  g_autoptr(GSubprocess) wait = NULL;
  g_autofree char *err = NULL;
  g_autofree char *out = NULL;

  dpugw_test_veth_add ("eth0", "vp1");
  DPUGW_TEST_START (f, .args = STRV (DPUGW_TEST_CONFIGURED), .ready = TRUE);
  wait = wait_spawn (STRV ("wait", f->address_flag, "--timeout=1", "pf0vf9"));
  g_assert_cmpint (wait_finish (wait, &out, &err), ==, 1);
  g_assert_cmpstr (out, ==, "");
  g_assert_nonnull (strstr (err, "no gateway interface after 1 s: failed to get PCI address"));
}

/* With --local: no service, link events. */
static void
test_local (DpugwTestBus *f)
{
  g_autofree char *root_flag = g_strconcat ("--sysfs-root=", f->root, NULL);
  g_autoptr(GSubprocess) wait = NULL;
  g_autofree char *out = NULL;

  pf_without_netdevs (f);
  wait = wait_spawn (STRV ("wait", "--local", root_flag, "--config-file=", "--timeout=60", "pf0vf0"));
  assert_still_waiting (wait, 500);
  pf_netdev_arrives (f);
  g_assert_cmpint (wait_finish (wait, &out, NULL), ==, 0);
  g_assert_cmpstr (out, ==, "eth0\n");
}

static void
test_usage (DpugwTestBus *f)
{
  DpugwTestRun run = { 0 };

  DPUGW_TEST_CTL (&run, "wait", "--timeout=-1");
  g_assert_cmpint (run.status, ==, 2);
  g_assert_nonnull (strstr (run.err, "--timeout takes 0 (never) to 604800 seconds"));
  dpugw_test_run_clear (&run);
  DPUGW_TEST_CTL (&run, "wait", "a", "b");
  g_assert_cmpint (run.status, ==, 2);
  dpugw_test_run_clear (&run);
}

int
main (int argc, char **argv)
{
  dpugw_test_init (&argc, &argv, DPUGW_TEST_NETNS);

#define ADD(path, func) DPUGW_TEST_ADD (path, func, { EXAMPLE })
  ADD ("/wait/bus-late-netdev", test_bus_late_netdev);
  ADD ("/wait/failed-vf-followed", test_failed_vf_followed);
  ADD ("/wait/socket-before-daemon", test_socket_before_daemon);
  ADD ("/wait/service-restarted", test_service_restarted);
  ADD ("/wait/timeout", test_timeout);
  ADD ("/wait/local", test_local);
  ADD ("/wait/usage", test_usage);

  return g_test_run ();
}
