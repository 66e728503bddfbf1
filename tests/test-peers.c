/* SPDX-License-Identifier: Apache-2.0
 *
 * dpu-gatewayd --listen: the object served to peers on a Unix socket, beside the bus or
 * instead of it (--no-bus).  Clients written for a bus reach it as they are (GDBus with
 * MESSAGE_BUS_CONNECTION as gdbus --address does, busctl --address, dpu-gatewayctl
 * --address); EXTERNAL authentication only; anyone reads, only root refreshes, from the
 * peer's credentials; signals reach every peer; the number of peers is capped; a peer that
 * stops reading its signals is dropped.  Each test in a network namespace of its own, with
 * real veth links for the signals.
 */
#include "testdaemon.h"

#include <gio/gio.h>
#include <gio/gunixsocketaddress.h>
#include <string.h>
#include <sys/stat.h>

#define IFACE   DPUGW_TEST_IFACE
#define EXAMPLE "data/dpu-host-example.umockdev"
#define EX_PF   "devices/pci0000:00/0000:00:02.0/0000:01:00.0"

typedef struct
{
  GDBusConnection *conn;
  guint sub_id;
  GPtrArray *gateway_changed;   /* (sss) */
} Peer;

static char *
socket_path (DpugwTestBus *f)
{
  return g_build_filename (f->tmpdir, "bus", NULL);
}

static char *
listen_address (DpugwTestBus *f)
{
  g_autofree char *path = socket_path (f);
  return g_strconcat ("unix:path=", path, NULL);
}

static void
on_gateway_changed (GDBusConnection *conn, const char *sender, const char *path, const char *iface,
                    const char *signal, GVariant *params, gpointer user_data)
{
  Peer *peer = user_data;
  g_ptr_array_add (peer->gateway_changed, g_variant_ref (params));
}

/* A peer as a bus client would connect (Hello, then match rules), subscribed to GatewayChanged
 * of the service's name, as dpu-gatewayctl monitor is. */
static Peer *
peer_connect (DpugwTestBus *f, GError **error)
{
  g_autofree char *address = listen_address (f);
  Peer *peer = g_new0 (Peer, 1);

  peer->conn = g_dbus_connection_new_for_address_sync (address,
                                                       G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                                         G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                       NULL, NULL, error);
  if (peer->conn == NULL)
    {
      g_free (peer);
      return NULL;
    }
  peer->gateway_changed = g_ptr_array_new_with_free_func ((GDestroyNotify) g_variant_unref);
  peer->sub_id = g_dbus_connection_signal_subscribe (peer->conn, DPUGW_TEST_NAME, IFACE, "GatewayChanged",
                                                     DPUGW_TEST_PATH, NULL, G_DBUS_SIGNAL_FLAGS_NONE,
                                                     on_gateway_changed, peer, NULL);
  return peer;
}

static void
peer_free (Peer *peer)
{
  g_dbus_connection_signal_unsubscribe (peer->conn, peer->sub_id);
  g_dbus_connection_close_sync (peer->conn, NULL, NULL);
  g_object_unref (peer->conn);
  g_ptr_array_unref (peer->gateway_changed);
  g_free (peer);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Peer, peer_free)

static gboolean
peer_has_gateway_changed (Peer *peer, const char *vf, const char *old_if, const char *new_if)
{
  for (guint i = 0; i < peer->gateway_changed->len; i++)
    {
      const char *v, *o, *n;
      g_variant_get (g_ptr_array_index (peer->gateway_changed, i), "(&s&s&s)", &v, &o, &n);
      if (strcmp (v, vf) == 0 && strcmp (o, old_if) == 0 && strcmp (n, new_if) == 0)
        return TRUE;
    }
  return FALSE;
}

static char *
peer_resolve (Peer *peer, const char *port, GError **error)
{
  g_autoptr(GVariant) details = NULL;
  return dpugw_test_resolve (peer->conn, port, &details, error);
}

/* The daemon on the private bus and on the socket, the example host's netdevs as real links. */
static void
start_both (DpugwTestBus *f, const char *extra)
{
  g_autofree char *address = listen_address (f);
  g_autofree char *listen = g_strconcat ("--listen=", address, NULL);

  dpugw_test_veth_add ("eth0", "vp0");
  dpugw_test_veth_add ("eth1", "vp1");
  dpugw_test_veth_add ("pf0vf0", "vp2");
  DPUGW_TEST_START (f, .args = STRV (DPUGW_TEST_CONFIGURED, "-v", listen, extra), .ready = TRUE);
}

/* The peer, root, is answered as a bus client is; the socket is open to anyone. */
static void
test_serves (DpugwTestBus *f)
{
  g_autofree char *path = socket_path (f);
  g_autoptr(GError) error = NULL;
  g_autoptr(Peer) peer = NULL;
  g_autofree char *got = NULL;
  g_autoptr(GVariant) value = NULL;
  struct stat st;

  start_both (f, NULL);
  g_assert_no_errno (stat (path, &st));
  g_assert_true (S_ISSOCK (st.st_mode));
  g_assert_cmpint (st.st_mode & 0777, ==, 0666);

  peer = peer_connect (f, &error);
  g_assert_no_error (error);
  got = peer_resolve (peer, "pf0vf0", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (got, ==, "eth0");
  value = dpugw_test_call_full (peer->conn, "/org/ovnk/DpuGateway", "org.freedesktop.DBus.Properties", "Get",
                                g_variant_new ("(ss)", IFACE, "GatewayInterface"), "(v)", -1, &error);
  g_assert_no_error (error);
  g_clear_pointer (&value, g_variant_unref);
  value = dpugw_test_call_full (peer->conn, "/org/ovnk/DpuGateway", IFACE, "Refresh", NULL, "()", -1, &error);
  g_assert_no_error (error);
  /* The bus still answers. */
  g_assert_true (dpugw_test_resolves_to (f, "pf0vf0", "eth0"));
}

/* --no-bus: only the socket; busctl and dpu-gatewayctl reach it with --address. */
static void
test_no_bus (DpugwTestBus *f)
{
  g_autofree char *path = socket_path (f);
  g_autofree char *address = listen_address (f);
  g_autofree char *listen = g_strconcat ("--listen=", address, NULL);
  g_autofree char *address_flag = g_strconcat ("--address=", address, NULL);
  g_autofree char *out = NULL;
  DpugwTestRun ctl = { 0 };
  int status;

  DPUGW_TEST_START (f, .args = STRV (DPUGW_TEST_CONFIGURED, listen, "--no-bus"), .no_wait = TRUE);
  DPUGW_TEST_WAIT (g_file_test (path, G_FILE_TEST_EXISTS), "the socket");
  g_assert_null (f->owner);
  /* Served once a GDBus peer (which sends its credentials with the first byte) is answered:
   * busctl sends none and counts on the kernel's, which a connection accepted by a daemon
   * still starting up (under valgrind) can lack. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(Peer) peer = NULL;
    g_autofree char *got = NULL;

    DPUGW_TEST_WAIT ((peer = peer_connect (f, NULL)) != NULL, "a peer connection");
    got = peer_resolve (peer, "pf0vf0", &error);
    g_assert_no_error (error);
    g_assert_cmpstr (got, ==, "eth0");
  }

  g_assert_true (g_spawn_sync (NULL, (char **) STRV ("busctl", address_flag, "call", DPUGW_TEST_NAME,
                                                     DPUGW_TEST_PATH, IFACE, "Resolve", "s", "pf0vf0"),
                               NULL, G_SPAWN_SEARCH_PATH, dpugw_test_child_dies_with_parent, NULL, &out, NULL,
                               &status, NULL));
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  g_assert_true (g_str_has_prefix (out, "sa{sv} \"eth0\""));

  dpugw_test_ctl (&ctl, NULL, STRV ("resolve", address_flag));
  g_assert_cmpint (ctl.status, ==, 0);
  g_assert_cmpstr (ctl.out, ==, "eth0\n");
  dpugw_test_run_clear (&ctl);

  /* Still not on the bus. */
  g_assert_null (f->owner);
}

static void
test_no_bus_needs_listen (DpugwTestBus *f)
{
  DpugwTestDaemon *d = DPUGW_TEST_START (f, .args = STRV (DPUGW_TEST_CONFIGURED, "--no-bus"), .no_wait = TRUE);

  d->expect_exit = TRUE;
  DPUGW_TEST_WAIT (d->exited, "dpu-gatewayd --no-bus to exit");
  g_assert_cmpint (d->exit_status, ==, 2);
  g_assert_true (dpugw_test_daemon_log_contains (d, "--no-bus needs --listen"));
}

static void
test_bad_address (DpugwTestBus *f)
{
  DpugwTestDaemon *d = DPUGW_TEST_START (f, .args = STRV (DPUGW_TEST_CONFIGURED, "--listen=tcp:host=localhost,port=1"),
                                         .no_wait = TRUE);

  d->expect_exit = TRUE;
  DPUGW_TEST_WAIT (d->exited, "dpu-gatewayd to exit");
  g_assert_cmpint (d->exit_status, ==, 2);
  g_assert_true (dpugw_test_daemon_log_contains (d, "only unix:path=/ABSOLUTE/PATH addresses are served"));
}

/* A socket file left by a daemon that died is taken over; a regular file is not removed. */
static void
test_stale_socket (DpugwTestBus *f)
{
  g_autofree char *path = socket_path (f);
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocket) stale = g_socket_new (G_SOCKET_FAMILY_UNIX, G_SOCKET_TYPE_STREAM, 0, &error);
  g_autoptr(GSocketAddress) addr = g_unix_socket_address_new (path);
  g_autoptr(Peer) peer = NULL;
  g_autofree char *got = NULL;
  DpugwTestDaemon *d;

  g_assert_true (g_socket_bind (stale, addr, FALSE, &error));
  g_socket_close (stale, NULL);
  g_assert_true (g_file_test (path, G_FILE_TEST_EXISTS));
  start_both (f, NULL);
  peer = peer_connect (f, &error);
  g_assert_no_error (error);
  got = peer_resolve (peer, "pf0vf0", &error);
  g_assert_cmpstr (got, ==, "eth0");
  g_clear_pointer (&peer, peer_free);

  /* Stopped, it removes its socket; a file that is not a socket stops the next. */
  g_assert_cmpint (dpugw_test_daemon_stop (f->daemon), ==, 0);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  dpugw_test_write_file (path, "not a socket");
  {
    g_autofree char *address = listen_address (f);
    g_autofree char *listen = g_strconcat ("--listen=", address, NULL);
    d = DPUGW_TEST_START (f, .args = STRV (DPUGW_TEST_CONFIGURED, listen, "--no-bus"), .no_wait = TRUE);
  }
  d->expect_exit = TRUE;
  d->allow_critical = TRUE;
  DPUGW_TEST_WAIT (d->exited, "dpu-gatewayd to exit");
  g_assert_cmpint (d->exit_status, ==, 1);
  g_assert_true (dpugw_test_daemon_log_contains (d, "exists and is not a socket"));
  g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
}

/* The sockets from the configuration file's [DpuGateway] listen=, repeatable; a bad one refused
 * with where it was written. */
static void
test_config_file (DpugwTestBus *f)
{
  g_autofree char *address = listen_address (f);
  g_autofree char *conf = g_build_filename (f->tmpdir, "dpu-gateway.conf", NULL);
  g_autofree char *conf_flag = g_strconcat ("--config-file=", conf, NULL);
  g_autofree char *text = g_strdup_printf ("[OvnKubeNode]\nmode = dpu-host\nmgmt-port-netdev = pf0vf0\n"
                                           "[Gateway]\ninterface = derive-from-mgmt-port\n"
                                           "[DpuGateway]\nlisten = unix:path=/nonexistent/dropped\nlisten =\n"
                                           "listen = %s\n", address);
  g_autofree char *path = socket_path (f);
  g_autoptr(GError) error = NULL;
  g_autoptr(Peer) peer = NULL;
  g_autofree char *got = NULL;
  DpugwTestDaemon *d;

  dpugw_test_veth_add ("eth0", "vp0");
  dpugw_test_write_file (conf, text);
  d = DPUGW_TEST_START (f, .args = STRV (conf_flag, "--no-bus"), .no_wait = TRUE);
  DPUGW_TEST_WAIT (g_file_test (path, G_FILE_TEST_EXISTS), "the socket of listen=");
  peer = peer_connect (f, &error);
  g_assert_no_error (error);
  got = peer_resolve (peer, "", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (got, ==, "eth0");
  g_clear_pointer (&peer, peer_free);
  g_assert_cmpint (dpugw_test_daemon_stop (d), ==, 0);

  dpugw_test_write_file (conf, "[DpuGateway]\nlisten = tcp:host=localhost\n");
  d = DPUGW_TEST_START (f, .args = STRV (conf_flag, "--no-bus"), .no_wait = TRUE);
  d->expect_exit = TRUE;
  DPUGW_TEST_WAIT (d->exited, "dpu-gatewayd to exit");
  g_assert_cmpint (d->exit_status, ==, 2);
  g_assert_true (dpugw_test_daemon_log_contains (d, "invalid listen address \"tcp:host=localhost\" (from "));
  g_assert_true (dpugw_test_daemon_log_contains (d, "dpu-gateway.conf:2): expected unix:path=/ABSOLUTE/PATH"));
}

/* A rename reaches every peer and the bus, from the service's name. */
static void
test_signals (DpugwTestBus *f)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(Peer) a = NULL;
  g_autoptr(Peer) b = NULL;
  DpugwTestMark m;

  start_both (f, NULL);
  a = peer_connect (f, &error);
  g_assert_no_error (error);
  b = peer_connect (f, &error);
  g_assert_no_error (error);
  /* Both are served before the change: their subscriptions are in. */
  g_free (peer_resolve (a, "pf0vf0", NULL));
  g_free (peer_resolve (b, "pf0vf0", NULL));
  m = dpugw_test_mark (f);

  dpugw_test_rename_netdev (f->testbed, EX_PF, "eth0", "enp1s0f0np0");
  DPUGW_TEST_IP ("link", "set", "eth0", "name", "enp1s0f0np0");

  DPUGW_TEST_WAIT (peer_has_gateway_changed (a, "0000:01:02.3", "eth0", "enp1s0f0np0") &&
                     peer_has_gateway_changed (b, "0000:01:02.3", "eth0", "enp1s0f0np0") &&
                     dpugw_test_has_gateway_changed (f, m.gateway, "0000:01:02.3", "eth0", "enp1s0f0np0"),
                   "GatewayChanged on both peers and the bus");
}

/* Who may do what, from the peer's credentials: nobody resolves and is refused Refresh. */
static void
test_credentials (DpugwTestBus *f)
{
  g_autofree char *address = listen_address (f);
  g_autofree char *address_flag = g_strconcat ("--address=", address, NULL);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status;

  /* nobody reaches the socket: the test's directories, made private, let it through. */
  g_autofree char *parent = g_path_get_dirname (f->tmpdir);
  g_assert_no_errno (chmod (parent, 0711));
  g_assert_no_errno (chmod (f->tmpdir, 0711));
  start_both (f, NULL);
  g_assert_true (g_spawn_sync (NULL, (char **) STRV ("setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups",
                                                     "busctl", address_flag, "call", DPUGW_TEST_NAME, DPUGW_TEST_PATH,
                                                     IFACE, "Resolve", "s", "pf0vf0"),
                               NULL, G_SPAWN_SEARCH_PATH, dpugw_test_child_dies_with_parent, NULL, &out, &err,
                               &status, NULL));
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  g_assert_true (g_str_has_prefix (out, "sa{sv} \"eth0\""));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_true (g_spawn_sync (NULL, (char **) STRV ("setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups",
                                                     "busctl", address_flag, "call", DPUGW_TEST_NAME, DPUGW_TEST_PATH,
                                                     IFACE, "Refresh"),
                               NULL, G_SPAWN_SEARCH_PATH, dpugw_test_child_dies_with_parent, NULL, &out, &err,
                               &status, NULL));
  g_assert_false (g_spawn_check_wait_status (status, NULL));
  g_assert_nonnull (strstr (err, "Access denied"));
}

/* A peer in a PID namespace of its own (a pod's, the daemon sharing the host's): served. */
static void
test_pid_namespace (DpugwTestBus *f)
{
  g_autofree char *address = listen_address (f);
  g_autofree char *address_flag = g_strconcat ("--address=", address, NULL);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status;

  start_both (f, NULL);
  g_assert_true (g_spawn_sync (NULL, (char **) STRV ("unshare", "--pid", "--fork", "busctl", address_flag, "call",
                                                     DPUGW_TEST_NAME, DPUGW_TEST_PATH, IFACE, "Resolve", "s", "pf0vf0"),
                               NULL, G_SPAWN_SEARCH_PATH, dpugw_test_child_dies_with_parent, NULL, &out, &err,
                               &status, NULL));
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("busctl in a PID namespace of its own: %s", err);
  g_assert_true (g_str_has_prefix (out, "sa{sv} \"eth0\""));
}

/* Only EXTERNAL: a client offering ANONYMOUS is told so. */
static void
test_external_only (DpugwTestBus *f)
{
  g_autofree char *path = socket_path (f);
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketAddress) addr = NULL;
  g_autoptr(GSocketConnection) conn = NULL;
  g_autoptr(GDataInputStream) in = NULL;
  g_autofree char *line = NULL;
  static const char hello[] = "\0AUTH ANONYMOUS\r\n";

  start_both (f, NULL);
  addr = g_unix_socket_address_new (path);
  conn = g_socket_client_connect (client, G_SOCKET_CONNECTABLE (addr), NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (conn)), hello,
                                            sizeof hello - 1, NULL, NULL, &error));
  in = g_data_input_stream_new (g_io_stream_get_input_stream (G_IO_STREAM (conn)));
  line = g_data_input_stream_read_line (in, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (line, ==, "REJECTED EXTERNAL\r");
}

/* --max-peers=2: a third waits outside until one of the two goes. */
static void
test_cap (DpugwTestBus *f)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(Peer) a = NULL;
  g_autoptr(Peer) b = NULL;
  g_autoptr(Peer) c = NULL;
  g_autofree char *got = NULL;

  start_both (f, "--max-peers=2");
  a = peer_connect (f, &error);
  g_assert_no_error (error);
  b = peer_connect (f, &error);
  g_assert_no_error (error);
  c = peer_connect (f, &error);
  g_assert_null (c);
  g_assert_nonnull (error);
  g_clear_error (&error);
  g_assert_true (dpugw_test_daemon_log_contains (f->daemon, "2 peers are connected already"));

  g_clear_pointer (&a, peer_free);
  /* The daemon learns that a left when it reads the socket's end: try until it has. */
  DPUGW_TEST_WAIT ((c = peer_connect (f, NULL)) != NULL, "a peer let in once another left");
  got = peer_resolve (c, "pf0vf0", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (got, ==, "eth0");
}

/* A peer that authenticates and then never reads: its signals pile up until the daemon drops
 * it, while a reading peer and the bus go on getting theirs. */
static void
test_slow_peer_dropped (DpugwTestBus *f)
{
  g_autofree char *path = socket_path (f);
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketAddress) addr = NULL;
  g_autoptr(GSocketConnection) stuck = NULL;
  g_autoptr(GDataInputStream) in = NULL;
  g_autoptr(Peer) reader = NULL;
  g_autofree char *auth = g_strdup_printf ("%cAUTH EXTERNAL %s\r\n", 0, "30");  /* uid "0", hex-encoded */
  g_autofree char *line = NULL;
  const char *names[2] = { "eth0", "ethz" };
  guint renames = 0;
  char buf[4096];
  gssize n;
  gsize total = 0;

  start_both (f, NULL);
  addr = g_unix_socket_address_new (path);
  stuck = g_socket_client_connect (client, G_SOCKET_CONNECTABLE (addr), NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (stuck)), auth,
                                            strlen (auth + 1) + 1, NULL, NULL, &error));
  in = g_data_input_stream_new (g_io_stream_get_input_stream (G_IO_STREAM (stuck)));
  line = g_data_input_stream_read_line (in, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (line, "OK "));
  g_assert_true (g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (stuck)), "BEGIN\r\n", 7,
                                            NULL, NULL, &error));

  reader = peer_connect (f, &error);
  g_assert_no_error (error);
  g_free (peer_resolve (reader, "pf0vf0", NULL));

  /* Each rename: GatewayChanged, PropertiesChanged and TopologyChanged, some 400 bytes to each peer. */
  while (!dpugw_test_daemon_log_contains (f->daemon, "dropping a peer"))
    {
      const char *from = names[renames % 2], *to = names[(renames + 1) % 2];
      guint before = reader->gateway_changed->len;

      g_assert_cmpuint (renames, <, 2000);
      dpugw_test_rename_netdev (f->testbed, EX_PF, from, to);
      DPUGW_TEST_IP ("link", "set", from, "name", to);
      DPUGW_TEST_WAIT (reader->gateway_changed->len > before, "the reading peer's GatewayChanged");
      renames++;
    }
  dpugw_test_report ("dropped after %u renames", renames);
  g_assert_true (dpugw_test_daemon_log_contains (f->daemon, "it has not read its last 128 signals"));

  /* What reached its socket, and then the end. */
  g_socket_set_blocking (g_socket_connection_get_socket (stuck), TRUE);
  g_socket_set_timeout (g_socket_connection_get_socket (stuck), dpugw_test_usec (20 * G_USEC_PER_SEC) / G_USEC_PER_SEC);
  while ((n = g_input_stream_read (G_INPUT_STREAM (in), buf, sizeof buf, NULL, &error)) > 0)
    total += n;
  g_assert_no_error (error);
  dpugw_test_report ("the stuck peer had %zu bytes waiting, then the end", total);

  /* The others go on. */
  {
    const char *from = names[renames % 2], *to = names[(renames + 1) % 2];
    guint before = reader->gateway_changed->len;
    DpugwTestMark m = dpugw_test_mark (f);

    dpugw_test_rename_netdev (f->testbed, EX_PF, from, to);
    DPUGW_TEST_IP ("link", "set", from, "name", to);
    DPUGW_TEST_WAIT (reader->gateway_changed->len > before && f->gateway_changed->len > m.gateway,
                     "GatewayChanged on the reading peer and the bus after the drop");
  }
}

int
main (int argc, char **argv)
{
  dpugw_test_init (&argc, &argv, DPUGW_TEST_NETNS);

#define ADD(path, func) DPUGW_TEST_ADD (path, func, { EXAMPLE })
  ADD ("/peers/serves", test_serves);
  ADD ("/peers/no-bus", test_no_bus);
  ADD ("/peers/no-bus-needs-listen", test_no_bus_needs_listen);
  ADD ("/peers/bad-address", test_bad_address);
  ADD ("/peers/stale-socket", test_stale_socket);
  ADD ("/peers/config-file", test_config_file);
  ADD ("/peers/signals", test_signals);
  ADD ("/peers/credentials", test_credentials);
  ADD ("/peers/external-only", test_external_only);
  ADD ("/peers/pid-namespace", test_pid_namespace);
  ADD ("/peers/cap", test_cap);
  ADD ("/peers/slow-peer-dropped", test_slow_peer_dropped);

  return g_test_run ();
}
