/* SPDX-License-Identifier: Apache-2.0
 *
 * bench-peers: a cached Resolve over dpu-gatewayd's own socket (--listen) against the same
 * call through a dbus-daemon, one daemon serving both, in one run: latency in alternating
 * blocks on one connection each, and throughput with calls in flight.  The socket spares
 * the bus's hop: the call and its reply are each copied once instead of twice.
 */
#include "bench-common.h"

#include <stdio.h>
#include <string.h>

#define BENCH_NAME  "org.ovnk.DpuGateway"
#define BENCH_PATH  "/org/ovnk/DpuGateway"
#define BENCH_IFACE "org.ovnk.DpuGateway"

#define LAT_CALLS   20000
#define LAT_BLOCK   200
#define TP_ROUNDS   6
#define TP_SECONDS  1.0
#define TP_WINDOW   32

static void
resolve_sync (GDBusConnection *conn)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = g_dbus_connection_call_sync (conn, BENCH_NAME, BENCH_PATH, BENCH_IFACE, "Resolve",
                                                           g_variant_new ("(s)", "pf0vf0"), G_VARIANT_TYPE ("(sa{sv})"),
                                                           G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
  const char *interface;

  if (reply == NULL)
    g_error ("Resolve: %s", error->message);
  g_variant_get (reply, "(&s@a{sv})", &interface, NULL);
  if (strcmp (interface, "eth0") != 0)
    g_error ("Resolve answered %s", interface);
}

typedef struct {
  GDBusConnection *conn;
  gint64 end_ns;
  guint64 done;
  guint in_flight;
} Load;

static void issue (Load *load);

static void
on_reply (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Load *load = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);

  if (reply == NULL)
    g_error ("Resolve: %s", error->message);
  load->in_flight--;
  load->done++;
  if (bench_now_ns () < load->end_ns)
    issue (load);
}

static void
issue (Load *load)
{
  load->in_flight++;
  g_dbus_connection_call (load->conn, BENCH_NAME, BENCH_PATH, BENCH_IFACE, "Resolve", g_variant_new ("(s)", "pf0vf0"),
                          G_VARIANT_TYPE ("(sa{sv})"), G_DBUS_CALL_FLAGS_NONE, -1, NULL, on_reply, load);
}

/* Calls per second on @conn with TP_WINDOW in flight, for TP_SECONDS. */
static double
throughput (GDBusConnection *conn)
{
  Load load = { .conn = conn };
  gint64 start = bench_now_ns ();

  load.end_ns = start + (gint64) (TP_SECONDS * 1e9);
  for (guint i = 0; i < TP_WINDOW; i++)
    issue (&load);
  while (load.in_flight > 0)
    g_main_context_iteration (NULL, TRUE);
  return load.done / ((bench_now_ns () - start) / 1e9);
}

int
main (int argc, char **argv)
{
  g_autofree char *why = NULL;
  g_autofree char *tmpdir = bench_make_tmpdir ("peers");
  g_autofree char *log_path = g_build_filename (tmpdir, "dpu-gatewayd.log", NULL);
  g_autofree char *address = NULL;
  g_autoptr(BenchTree) example = NULL;
  g_autoptr(GDBusConnection) via_bus = NULL;
  g_autoptr(GDBusConnection) via_socket = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) bus_us = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) socket_us = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) tp_ratios = g_array_new (FALSE, FALSE, sizeof (double));
  GDBusConnection *conns[2];
  GArray *samples[2];
  double bus_p50, bus_p99, socket_p50, socket_p99, ratio, tp_ratio;
  BenchBus *b;

  bench_print_machine ("bench-peers: cached Resolve over dpu-gatewayd's socket and through a dbus-daemon");
  if (!bench_enter_netns (&why))
    printf ("# no network namespace of our own (%s): the daemon follows this machine's links\n", why);

  example = bench_tree_new_example ();
  b = bench_bus_new (tmpdir);
  address = g_strconcat ("unix:path=", tmpdir, "/peers", NULL);
  b->extra_arg = g_strconcat ("--listen=", address, NULL);
  bench_bus_start_daemon (b, example->root, "pf0vf0", FALSE, log_path);

  via_bus = bench_bus_connect (b);
  via_socket = g_dbus_connection_new_for_address_sync (address,
                                                       G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                                         G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                       NULL, NULL, &error);
  if (via_socket == NULL)
    g_error ("cannot connect to %s: %s", address, error->message);
  conns[0] = via_bus;
  conns[1] = via_socket;
  samples[0] = bus_us;
  samples[1] = socket_us;
  for (guint c = 0; c < 2; c++)
    for (guint i = 0; i < 100; i++)
      resolve_sync (conns[c]); /* cached, and warm */

  for (guint block = 0; block < LAT_CALLS / LAT_BLOCK; block++)
    for (guint k = 0; k < 2; k++)
      {
        guint c = (k + block) % 2;

        for (guint i = 0; i < LAT_BLOCK; i++)
          {
            gint64 t0 = bench_now_ns ();
            double us;

            resolve_sync (conns[c]);
            us = (bench_now_ns () - t0) / 1e3;
            g_array_append_val (samples[c], us);
          }
      }
  bus_p50 = bench_quantile (bus_us, 0.50);
  bus_p99 = bench_quantile (bus_us, 0.99);
  socket_p50 = bench_quantile (socket_us, 0.50);
  socket_p99 = bench_quantile (socket_us, 0.99);
  ratio = socket_p50 / bus_p50;

  printf ("\n## Latency of Resolve(\"pf0vf0\"), cached (%u calls each, alternating blocks of %u, synchronous)\n",
          LAT_CALLS, LAT_BLOCK);
  printf ("%-36s %10s %10s %12s\n", "through", "p50 us", "p99 us", "p50 / bus");
  printf ("%-36s %10.1f %10.1f %12.3f\n", "dbus-daemon (baseline)", bus_p50, bus_p99, 1.0);
  printf ("%-36s %10.1f %10.1f %12.3f\n", "dpu-gatewayd --listen socket", socket_p50, socket_p99, ratio);

  printf ("\n## Throughput, %u calls in flight on one connection, %u pairs of %.1f s runs\n", TP_WINDOW, TP_ROUNDS,
          TP_SECONDS);
  printf ("%-6s %14s %14s %14s\n", "pair", "bus calls/s", "socket calls/s", "bus / socket");
  for (guint round = 0; round < TP_ROUNDS; round++)
    {
      double on_bus, on_socket, r;

      if (round % 2 == 0)
        {
          on_bus = throughput (via_bus);
          on_socket = throughput (via_socket);
        }
      else
        {
          on_socket = throughput (via_socket);
          on_bus = throughput (via_bus);
        }
      r = on_bus / on_socket;
      g_array_append_val (tp_ratios, r);
      printf ("%-6u %14.0f %14.0f %14.3f\n", round, on_bus, on_socket, r);
    }
  tp_ratio = bench_median (tp_ratios);
  printf ("%-6s %14s %14s %14.3f\n", "median", "", "", tp_ratio);
  printf ("\n");

  bench_figure ("peer-resolve-latency", ratio, "x", "<= 0.75", ratio <= 0.75,
                "p50 of a cached Resolve over the socket / through dbus-daemon (%.1f / %.1f us)", socket_p50,
                bus_p50);
  /* No target: with calls in flight the daemon's own loop, not the hop, sets the pace. */
  bench_figure ("peer-resolve-throughput", tp_ratio, "x", NULL, FALSE,
                "time per call over the socket / through dbus-daemon, %u in flight (median of %u pairs)", TP_WINDOW,
                TP_ROUNDS);

  g_clear_object (&via_socket);
  g_clear_object (&via_bus);
  bench_bus_free (b);
  bench_rm_rf (tmpdir);
  return 0;
}
