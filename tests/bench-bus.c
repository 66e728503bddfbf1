/* SPDX-License-Identifier: Apache-2.0
 *
 * bench-bus: dpu-gatewayd through a private dbus-daemon.
 *
 *   latency     Resolve (cached) vs org.freedesktop.DBus.Properties.Get of
 *               Version on the same object vs org.freedesktop.DBus.Peer.Ping,
 *               20,000 calls each in alternating blocks of 500: p50, p99
 *   throughput  1, 8 and 64 clients (connections of their own), 4 calls in
 *               flight each, Resolve vs Get, calls/s: 9 pairs of short runs
 *               (0.3 s counted after 0.1 s), Get and Resolve alternating, the
 *               figure the median of the pairs' ratios
 *   scripts     what a dispatcher script would do per call (readlink, ls) vs
 *               `dpu-gatewayctl resolve`, `busctl call` and Resolve
 *   topology    GetTopology over 4,096 VFs: daemon start to first reply (vs
 *               the example host, and vs dpugw_topology_scan in this
 *               process), repeated (cached) vs Get and vs marshalling the same
 *               reply in-process, reply size
 *   fairness    cached Resolve's p50 and p99 on the 4,096-VF host while another
 *               process calls GetTopology in a loop, against the same calls
 *               without that load, and the bus's own GetId under it
 *   memory      the daemon's private pages (Private_Clean + Private_Dirty: not
 *               the shared libraries') idle on the example host, and on 4,096
 *               VFs with all resolved and after a GetTopology; VmRSS and Pss
 *               beside them, and a `gdbus monitor` on the same bus
 *
 * The example host is data/dpu-host-example.umockdev; the large ones are made
 * by tests/gen-sysfs-tree.py.  The program enters a network namespace of its
 * own when it may, so that no link of the machine disturbs the daemon.
 */
#include "bench-common.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define LAT_CALLS     20000
#define LAT_BLOCK     500
#define TP_WINDOW     4
#define TP_SECONDS    0.3
#define TP_WARMUP     0.1
#define TP_ROUNDS     9
#define SCRIPT_CALLS  60
#define SCRIPT_BLOCK  10
#define TOPO_REPEATS  15

#define FAIR_CALLS    2000
#define FAIR_BLOCK    100

#define TARGET_LATENCY_PING  1.15
#define TARGET_THROUGHPUT    0.90
#define TARGET_PRIVATE_KIB   (2 * 1024)
#define TARGET_FAIR_P99_US   2000.0

/* --- calls ------------------------------------------------------------------------------- */

typedef struct {
  const char *label;
  const char *iface;
  const char *method;
  const char *arg;          /* Resolve's argument; NULL for the others */
  const char *reply_type;
} Call;

static const Call call_ping = { "Peer.Ping", "org.freedesktop.DBus.Peer", "Ping", NULL, "()" };
static const Call call_get = { "Properties.Get Version", "org.freedesktop.DBus.Properties", "Get", NULL, "(v)" };
static const Call call_getid = { "the bus's GetId", "org.freedesktop.DBus", "GetId", NULL, "(s)" };

static GVariant *
call_params (const Call *c)
{
  if (strcmp (c->method, "Get") == 0)
    return g_variant_new ("(ss)", BENCH_IFACE, "Version");
  if (c->arg != NULL)
    return g_variant_new ("(s)", c->arg);
  return NULL;
}

static void
call_sync (GDBusConnection *conn, const Call *c)
{
  g_autoptr(GVariant) reply = bench_call (conn, c->iface, c->method, call_params (c), c->reply_type);
}

/* --- latency ------------------------------------------------------------------------------- */

typedef struct {
  double p50;
  double p99;
} Latency;

/* @n[c] calls of each of @calls, in alternating blocks of @block_size (the order rotating); p50 and p99 in us. */
static void
measure_latency_blocks (GDBusConnection *conn, const Call * const *calls, guint n_calls, const guint *n,
                        guint block_size, Latency *out)
{
  g_autoptr(GPtrArray) samples = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
  guint most = 0;

  for (guint c = 0; c < n_calls; c++)
    {
      g_ptr_array_add (samples, g_array_sized_new (FALSE, FALSE, sizeof (double), n[c]));
      call_sync (conn, calls[c]); /* warm */
      most = MAX (most, n[c]);
    }
  for (guint block = 0; block * block_size < most; block++)
    for (guint k = 0; k < n_calls; k++)
      {
        guint c = (k + block) % n_calls;
        GArray *a = g_ptr_array_index (samples, c);

        /* A call with fewer samples takes part in every (most / n)th round: spread over the whole run. */
        if (n[c] < most && block % (most / n[c]) != 0)
          continue;
        for (guint i = 0; i < block_size && a->len < n[c]; i++)
          {
            gint64 t0 = bench_now_ns ();
            double us;

            call_sync (conn, calls[c]);
            us = (bench_now_ns () - t0) / 1e3;
            g_array_append_val (a, us);
          }
      }
  for (guint c = 0; c < n_calls; c++)
    {
      out[c].p50 = bench_quantile (g_ptr_array_index (samples, c), 0.50);
      out[c].p99 = bench_quantile (g_ptr_array_index (samples, c), 0.99);
    }
}

static void
measure_latency (GDBusConnection *conn, const Call * const *calls, guint n_calls, const guint *n, Latency *out)
{
  measure_latency_blocks (conn, calls, n_calls, n, LAT_BLOCK, out);
}

static void
print_latency (const char *title, const Call * const *calls, guint n_calls, const guint *n, const Latency *lat,
               guint base)
{
  printf ("\n## %s (alternating blocks of %u, one connection, synchronous calls)\n", title, LAT_BLOCK);
  printf ("%-40s %7s %10s %10s %10s %10s\n", "call", "calls", "p50 us", "p99 us", "p50/Get", "p99/Get");
  for (guint c = 0; c < n_calls; c++)
    printf ("%-40s %7u %10.1f %10.1f %10.3f %10.3f\n", calls[c]->label, n[c], lat[c].p50, lat[c].p99,
            lat[c].p50 / lat[base].p50, lat[c].p99 / lat[base].p99);
  fflush (stdout);
}

/* --- throughput -------------------------------------------------------------------------------- */

typedef struct {
  const Call *call;
  GDBusConnection *conn;
  gint64 start_ns;
  gint64 end_ns;
  guint64 counted;
  guint in_flight;
  gboolean failed;
} Load;

typedef struct {
  Load *load;
  GDBusConnection *conn;
} Slot;

static void issue (Slot *slot);

static void
on_reply (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Slot *slot = user_data;
  Load *load = slot->load;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);
  gint64 now = bench_now_ns ();

  load->in_flight--;
  if (reply == NULL)
    {
      g_printerr ("# %s: %s\n", load->call->label, error->message);
      load->failed = TRUE;
    }
  if (now >= load->start_ns && now < load->end_ns)
    load->counted++;
  if (now < load->end_ns && !load->failed)
    issue (slot);
  else
    g_free (slot);
}

static void
issue (Slot *slot)
{
  const Call *c = slot->load->call;

  slot->load->in_flight++;
  g_dbus_connection_call (slot->conn, BENCH_NAME, BENCH_PATH, c->iface, c->method, call_params (c),
                          G_VARIANT_TYPE (c->reply_type), G_DBUS_CALL_FLAGS_NO_AUTO_START, 60000, NULL, on_reply,
                          slot);
}

/* Calls/s of @call over @clients connections with TP_WINDOW calls in flight each. */
static double
measure_throughput (GPtrArray *conns, guint clients, const Call *call)
{
  Load load = { call, NULL, 0, 0, 0, 0, FALSE };
  gint64 t0 = bench_now_ns ();

  load.start_ns = t0 + (gint64) (TP_WARMUP * 1e9);
  load.end_ns = load.start_ns + (gint64) (TP_SECONDS * 1e9);
  for (guint c = 0; c < clients; c++)
    for (guint w = 0; w < TP_WINDOW; w++)
      {
        Slot *slot = g_new0 (Slot, 1);
        slot->load = &load;
        slot->conn = g_ptr_array_index (conns, c);
        issue (slot);
      }
  while (load.in_flight > 0)
    g_main_context_iteration (NULL, TRUE);
  if (load.failed)
    g_error ("throughput run of %s failed", call->label);
  return load.counted / TP_SECONDS;
}

/* --- scripts ------------------------------------------------------------------------------------ */

static const char dispatcher_script[] =
  "#!/bin/sh\n"
  "# What a dispatcher script does without dpu-gatewayd, per event: the gateway interface of the\n"
  "# management netdev $2 under the sysfs root $1 (OVN-Kubernetes' derive-from-mgmt-port).\n"
  "root=$1 mgmt=$2\n"
  "vf=$(readlink -f \"$root/class/net/$mgmt/device\") || exit 1\n"
  "vf=${vf##*/}\n"
  "pf=$(readlink \"$root/bus/pci/devices/$vf/physfn\") || exit 1\n"
  "pf=${pf##*/}\n"
  "ls \"$root/bus/pci/devices/$pf/net\" | head -n 1\n";

/* Runs @argv, checks that it prints @expected; the time in us. */
static double
time_command (const char * const *argv, const char *expected)
{
  g_autofree char *out = NULL;
  gint64 t0 = bench_now_ns ();
  double us;

  bench_run (argv, &out);
  us = (bench_now_ns () - t0) / 1e3;
  if (out == NULL || strcmp (g_strstrip (out), expected) != 0)
    g_error ("%s printed \"%s\", expected \"%s\"", argv[0], out != NULL ? out : "", expected);
  return us;
}

/* --- topology ------------------------------------------------------------------------------------- */

typedef struct {
  double first_reply_ms;    /* daemon spawned to the first GetTopology reply */
  gsize reply_bytes;
  guint pfs;
  guint vfs;
} FirstTopology;

/* GetTopology as a message, for its size; NULL while the name has no owner. */
static GDBusMessage *
get_topology_message (GDBusConnection *conn, GError **error)
{
  g_autoptr(GDBusMessage) msg = g_dbus_message_new_method_call (BENCH_NAME, BENCH_PATH, BENCH_IFACE, "GetTopology");
  GDBusMessage *reply;

  g_dbus_message_set_flags (msg, G_DBUS_MESSAGE_FLAGS_NO_AUTO_START);
  reply = g_dbus_connection_send_message_with_reply_sync (conn, msg, G_DBUS_SEND_MESSAGE_FLAGS_NONE, 120000, NULL,
                                                          NULL, error);
  if (reply != NULL && g_dbus_message_to_gerror (reply, error))
    g_clear_object (&reply);
  return reply;
}

static gsize
message_size (GDBusMessage *msg)
{
  gsize size = 0;
  g_autofree guchar *blob = g_dbus_message_to_blob (msg, &size, G_DBUS_CAPABILITY_FLAGS_NONE, NULL);

  return size;
}

/* Spawns the daemon and calls GetTopology until it answers. */
static FirstTopology
start_and_get_topology (BenchBus *b, const char *root, const char *mgmt_port, const char *log_path)
{
  FirstTopology ft = { 0 };
  g_autoptr(GDBusMessage) reply = NULL;
  g_autoptr(GVariant) pfs = NULL;
  guint64 generation;

  bench_bus_spawn_daemon (b, root, mgmt_port, FALSE, log_path);
  for (;;)
    {
      g_autoptr(GError) error = NULL;

      reply = get_topology_message (b->conn, &error);
      if (reply != NULL)
        break;
      if (bench_now_ns () - b->spawned_ns > 60 * G_GINT64_CONSTANT (1000000000))
        g_error ("no GetTopology reply within 60 s: %s; see %s", error->message, log_path);
      g_usleep (500);
    }
  ft.first_reply_ms = (bench_now_ns () - b->spawned_ns) / 1e6;
  ft.reply_bytes = message_size (reply);
  g_variant_get (g_dbus_message_get_body (reply), "(t@aa{sv})", &generation, &pfs);
  ft.pfs = (guint) g_variant_n_children (pfs);
  for (guint i = 0; i < ft.pfs; i++)
    {
      g_autoptr(GVariant) pf = g_variant_get_child_value (pfs, i);
      g_autoptr(GVariant) vfs = g_variant_lookup_value (pf, "vfs", G_VARIANT_TYPE ("aa{sv}"));
      ft.vfs += vfs != NULL ? (guint) g_variant_n_children (vfs) : 0;
    }
  return ft;
}

/* --- memory ------------------------------------------------------------------------------------- */

typedef struct {
  guint64 rss;
  guint64 pss;
  guint64 private;
} Memory;

/* The daemon trims its heap 1 s after its last work (heap.c), and lets go of GetTopology's reply 1 s
 * after the last call (service.c): memory is read after that. */
static void
settle (void)
{
  g_usleep (1500 * 1000);
}

static Memory
memory_of (GPid pid)
{
  Memory m = { 0, 0, 0 };

  if (!bench_memory_kib (pid, &m.rss, &m.pss) || !bench_private_kib (pid, &m.private))
    g_error ("cannot read the memory of %d", (int) pid);
  return m;
}

static void
print_memory (const char *label, const Memory *m)
{
  printf ("%-66s %9" G_GUINT64_FORMAT " %9" G_GUINT64_FORMAT " %9" G_GUINT64_FORMAT "\n", label, m->private, m->rss,
          m->pss);
}

/* `gdbus monitor` on the same bus: what GLib, GIO and one bus connection take. */
static Memory
gdbus_floor (BenchBus *b)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) p = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE,
                                               &error, "gdbus", "monitor", "--address", b->address, "--dest",
                                               BENCH_NAME, NULL);
  Memory m = { 0, 0, 0 };
  GPid pid;

  if (p == NULL)
    return m;
  pid = (GPid) g_ascii_strtoll (g_subprocess_get_identifier (p), NULL, 10);
  g_usleep (400000);
  if (!bench_memory_kib (pid, &m.rss, &m.pss) || !bench_private_kib (pid, &m.private))
    m.rss = m.pss = m.private = 0;
  g_subprocess_force_exit (p);
  g_subprocess_wait (p, NULL, NULL);
  return m;
}

/* Resolve every VF of @tree by PCI address, a window of 16 in flight; returns when all are cached. */
typedef struct {
  guint next;
  guint in_flight;
  guint failed;
  BenchTree *tree;
  GDBusConnection *conn;
} Filler;

static void fill_next (Filler *f);

static void
on_filled (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Filler *f = user_data;
  g_autoptr(GVariant) reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, NULL);

  f->in_flight--;
  f->failed += reply == NULL;
  fill_next (f);
}

static void
fill_next (Filler *f)
{
  while (f->in_flight < 16 && f->next < f->tree->vfs->len)
    {
      const BenchVf *vf = g_ptr_array_index (f->tree->vfs, f->next++);

      f->in_flight++;
      g_dbus_connection_call (f->conn, BENCH_NAME, BENCH_PATH, BENCH_IFACE, "Resolve", g_variant_new ("(s)", vf->pci),
                              G_VARIANT_TYPE ("(sa{sv})"), G_DBUS_CALL_FLAGS_NO_AUTO_START, 60000, NULL, on_filled, f);
    }
}

static void
resolve_every_vf (BenchBus *b, BenchTree *tree)
{
  Filler f = { 0, 0, 0, tree, b->conn };

  fill_next (&f);
  while (f.in_flight > 0)
    g_main_context_iteration (NULL, TRUE);
  if (f.failed > 0)
    g_error ("%u of %u Resolve calls failed", f.failed, tree->vfs->len);
}

/* --- fairness ------------------------------------------------------------------------------------ */

/* `bench-bus --get-topology-loop ADDRESS`: another process calling GetTopology as fast as it is
 * answered, a line on stdout per reply, until it is killed. */
static int
get_topology_loop (const char *address)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDBusConnection) conn = g_dbus_connection_new_for_address_sync (
      address, G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT | G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
      NULL, NULL, &error);

  if (conn == NULL)
    g_error ("%s: %s", address, error->message);
  for (;;)
    {
      g_autoptr(GVariant) reply = bench_call (conn, BENCH_IFACE, "GetTopology", NULL, "(taa{sv})");

      printf ("1\n");
      fflush (stdout);
    }
  return 0;
}

typedef struct {
  Latency idle[2];       /* Resolve, GetId; without the load */
  Latency loaded[2];     /* the same, while another process calls GetTopology in a loop */
  double topology_per_s; /* the loop's calls per second */
} Fairness;

/* Cached Resolve of @port and the bus's GetId, without and with a GetTopology loop beside them. */
static Fairness
measure_fairness (BenchBus *b, const char *port)
{
  Call resolve = { "Resolve(VF netdev) cached", BENCH_IFACE, "Resolve", port, "(sa{sv})" };
  const Call *calls[] = { &resolve, &call_getid };
  const guint n[] = { FAIR_CALLS, FAIR_CALLS };
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) loop = NULL;
  g_autofree char *self = g_build_filename (bench_builddir (), "tests", "bench-bus", NULL);
  g_autofree char *out = NULL;
  Fairness f;
  gint64 t0, t1;

  measure_latency_blocks (b->conn, calls, 2, n, FAIR_BLOCK, f.idle);
  loop = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, self, "--get-topology-loop", b->address, NULL);
  g_assert_no_error (error);
  g_usleep (500 * 1000);
  t0 = bench_now_ns ();
  measure_latency_blocks (b->conn, calls, 2, n, FAIR_BLOCK, f.loaded);
  t1 = bench_now_ns ();
  g_subprocess_send_signal (loop, SIGTERM);
  g_subprocess_communicate_utf8 (loop, NULL, NULL, &out, NULL, NULL);
  /* Counted over the loop's whole life: the measurement and the half second before it. */
  f.topology_per_s = (out != NULL ? strlen (out) / 2.0 : 0.0) / ((t1 - t0) / 1e9 + 0.5);
  return f;
}

/* --- the program ----------------------------------------------------------------------------------- */

int
main (int argc, char **argv)
{
  g_autofree char *why = NULL;
  g_autofree char *tmpdir = bench_make_tmpdir ("bus");
  g_autofree char *log_path = g_build_filename (tmpdir, "dpu-gatewayd.log", NULL);
  g_autofree char *script = g_build_filename (tmpdir, "dispatcher-gateway.sh", NULL);
  g_autofree char *ctl = bench_ctl_path ();
  g_autoptr(BenchTree) example = NULL;
  g_autoptr(BenchTree) plain = NULL;
  g_autoptr(BenchTree) switchdev = NULL;
  g_autoptr(GPtrArray) conns = g_ptr_array_new_with_free_func (g_object_unref);
  BenchBus *b;
  Call resolve_netdev = { "Resolve(\"pf0vf0\") cached", BENCH_IFACE, "Resolve", "pf0vf0", "(sa{sv})" };
  Call resolve_pci = { "Resolve(\"0000:01:02.3\") cached", BENCH_IFACE, "Resolve", "0000:01:02.3", "(sa{sv})" };
  Call resolve_conf = { "Resolve(\"\") (configured)", BENCH_IFACE, "Resolve", "", "(sa{sv})" };
  Call resolve_all = { "ResolveAll(\"pf0vf0\") cached, every detail", BENCH_IFACE, "ResolveAll", "pf0vf0",
                       "(asa{sv})" };
  Latency lat[6];
  const guint clients[] = { 1, 8, 64 };
  double tp_ratio[G_N_ELEMENTS (clients)], tp_get[G_N_ELEMENTS (clients)], tp_resolve[G_N_ELEMENTS (clients)];
  double script_us, ctl_us, busctl_us, local_us;
  Memory mem_example, mem_floor, mem_big_idle, mem_big_full, mem_sd_full;
  FirstTopology ft_example, ft_big;
  double scan_ms, topo_repeat_ms, topo_get_us, topo_marshal_ms, topo_serialise_ms = 0;
  Latency big_lat[2], sd_lat[2];
  const guint n_small[] = { LAT_CALLS / 4, LAT_CALLS / 4 };
  Fairness fair;

  if (argc == 3 && strcmp (argv[1], "--get-topology-loop") == 0)
    return get_topology_loop (argv[2]);

  bench_print_machine ("bench-bus: dpu-gatewayd through a private dbus-daemon");
  if (!bench_enter_netns (&why))
    printf ("# no network namespace of our own (%s): the daemon follows this machine's links\n", why);

  example = bench_tree_new_example ();
  b = bench_bus_new (tmpdir);

  /* === The example host ============================================================= */
  ft_example = start_and_get_topology (b, example->root, "pf0vf0", log_path);
  settle ();
  mem_example = memory_of (b->pid);
  mem_floor = gdbus_floor (b);
  {
    g_autofree char *gw = bench_get_string_property (b->conn, "GatewayInterface");
    if (strcmp (gw, "eth0") != 0)
      g_error ("GatewayInterface is %s, expected eth0", gw);
  }
  call_sync (b->conn, &resolve_netdev); /* cached from here on */
  call_sync (b->conn, &resolve_pci);

  /* Latency. */
  {
    const Call *calls[] = { &resolve_netdev, &call_get, &call_ping, &resolve_pci, &resolve_conf, &resolve_all };
    g_autoptr(GDBusConnection) conn = bench_bus_connect (b);

    const guint n[] = { LAT_CALLS, LAT_CALLS, LAT_CALLS, LAT_CALLS / 4, LAT_CALLS / 4, LAT_CALLS / 4 };

    measure_latency (conn, calls, 6, n, lat);
    print_latency ("Latency, example host", calls, 6, n, lat, 1);
  }

  /* Throughput. */
  for (guint c = 0; c < 64; c++)
    g_ptr_array_add (conns, bench_bus_connect (b));
  printf ("\n## Throughput on the example host: N clients (a connection each), %u calls in flight each, "
          "%u pairs of %.1f s runs, Get and Resolve alternating\n", TP_WINDOW, TP_ROUNDS, TP_SECONDS);
  printf ("%-8s %-6s %14s %14s %12s\n", "clients", "pair", "Get calls/s", "Resolve/s", "Resolve/Get");
  for (guint k = 0; k < G_N_ELEMENTS (clients); k++)
    {
      g_autoptr(GArray) ratios = g_array_new (FALSE, FALSE, sizeof (double));
      g_autoptr(GArray) gets = g_array_new (FALSE, FALSE, sizeof (double));
      g_autoptr(GArray) resolves = g_array_new (FALSE, FALSE, sizeof (double));

      for (guint round = 0; round < TP_ROUNDS; round++)
        {
          double g, r, ratio;

          if (round % 2 == 0)
            {
              g = measure_throughput (conns, clients[k], &call_get);
              r = measure_throughput (conns, clients[k], &resolve_netdev);
            }
          else
            {
              r = measure_throughput (conns, clients[k], &resolve_netdev);
              g = measure_throughput (conns, clients[k], &call_get);
            }
          ratio = r / g;
          g_array_append_val (ratios, ratio);
          g_array_append_val (gets, g);
          g_array_append_val (resolves, r);
          if (round < 3 || round == TP_ROUNDS - 1)
            printf ("%-8u %-6u %14.0f %14.0f %12.3f\n", clients[k], round, g, r, ratio);
          else if (round == 3)
            printf ("%-8s %-6s\n", "", "...");
        }
      tp_ratio[k] = bench_median (ratios);
      tp_get[k] = bench_median (gets);
      tp_resolve[k] = bench_median (resolves);
      printf ("%-8u %-6s %14.0f %14.0f %12.3f\n", clients[k], "median", bench_median (gets), bench_median (resolves),
              tp_ratio[k]);
      fflush (stdout);
    }
  g_ptr_array_set_size (conns, 0);

  /* What a script would otherwise do. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(GArray) s = g_array_new (FALSE, FALSE, sizeof (double));
    g_autoptr(GArray) c = g_array_new (FALSE, FALSE, sizeof (double));
    g_autoptr(GArray) k = g_array_new (FALSE, FALSE, sizeof (double));
    g_autoptr(GArray) l = g_array_new (FALSE, FALSE, sizeof (double));
    g_autofree char *address_flag = g_strconcat ("--address=", b->address, NULL);
    const char *script_argv[] = { "sh", script, example->root, "pf0vf0", NULL };
    const char *ctl_argv[] = { ctl, "resolve", address_flag, "pf0vf0", NULL };
    const char *local_argv[] = { ctl, "resolve", "--local", "--config-file=", "--sysfs-root", example->root,
                                 "pf0vf0", NULL };
    const char *busctl_argv[] = { "busctl", address_flag, "--no-pager", "call", BENCH_NAME, BENCH_PATH, BENCH_IFACE,
                                  "Resolve", "s", "pf0vf0", NULL };
    g_autofree char *busctl = g_find_program_in_path ("busctl");

    if (!g_file_set_contents (script, dispatcher_script, -1, &error))
      g_error ("%s", error->message);
    for (guint done = 0; done < SCRIPT_CALLS; done += SCRIPT_BLOCK)
      for (guint i = 0; i < SCRIPT_BLOCK; i++)
        {
          double v;

          v = time_command (script_argv, "eth0");
          g_array_append_val (s, v);
          v = time_command (ctl_argv, "eth0");
          g_array_append_val (c, v);
          v = time_command (local_argv, "eth0");
          g_array_append_val (l, v);
          if (busctl != NULL)
            {
              g_autofree char *out = NULL;
              gint64 t0 = bench_now_ns ();

              bench_run (busctl_argv, &out);
              v = (bench_now_ns () - t0) / 1e3;
              if (strstr (out, "\"eth0\"") == NULL)
                g_error ("busctl printed %s", out);
              g_array_append_val (k, v);
            }
        }
    script_us = bench_median (s);
    ctl_us = bench_median (c);
    local_us = bench_median (l);
    busctl_us = busctl != NULL ? bench_median (k) : 0;
    printf ("\n## One query per process, example host (%u each, interleaved; median)\n", SCRIPT_CALLS);
    printf ("%-58s %12s %12s\n", "how", "us/query", "/ script");
    printf ("%-58s %12.0f %12.3f\n", "sh script: readlink -f, readlink, ls | head (baseline)", script_us, 1.0);
    printf ("%-58s %12.0f %12.3f\n", "dpu-gatewayctl resolve (D-Bus, cached)", ctl_us, ctl_us / script_us);
    printf ("%-58s %12.0f %12.3f\n", "dpu-gatewayctl resolve --local (no daemon)", local_us, local_us / script_us);
    if (busctl != NULL)
      printf ("%-58s %12.0f %12.3f\n", "busctl call ... Resolve s pf0vf0", busctl_us, busctl_us / script_us);
    printf ("%-58s %12.1f %12.4f\n", "Resolve from a running client (p50 above)", lat[0].p50, lat[0].p50 / script_us);
    fflush (stdout);
  }
  bench_bus_stop_daemon (b);

  /* === 8 PFs x 512 VFs =============================================================== */
  plain = bench_tree_new (8, 512, FALSE);
  {
    const BenchPf *pf0 = g_ptr_array_index (plain->pfs, 0);
    g_autoptr(GError) error = NULL;
    g_autoptr(DpugwSysfs) sysfs = dpugw_sysfs_new (plain->root, &error);
    g_autoptr(GArray) scans = g_array_new (FALSE, FALSE, sizeof (double));
    g_autoptr(GArray) tops = g_array_new (FALSE, FALSE, sizeof (double));
    g_autoptr(GArray) gets = g_array_new (FALSE, FALSE, sizeof (double));
    g_autoptr(GArray) marshal = g_array_new (FALSE, FALSE, sizeof (double));
    g_autoptr(GArray) serialise = g_array_new (FALSE, FALSE, sizeof (double));
    g_autoptr(GDBusMessage) last = NULL;
    Call resolve_big = { "Resolve(VF netdev) cached, 4,096 VFs", BENCH_IFACE, "Resolve", pf0->first_vf_netdev,
                         "(sa{sv})" };
    const Call *calls[] = { &resolve_big, &call_get };

    g_assert_no_error (error);
    /* The scan in this process, warm, as the daemon's first pass makes it. */
    for (guint i = 0; i < 3; i++)
      {
        gint64 t0 = bench_now_ns ();
        g_autoptr(GPtrArray) pfs = dpugw_topology_scan (sysfs, &error);
        double ms = (bench_now_ns () - t0) / 1e6;

        g_assert_no_error (error);
        g_array_append_val (scans, ms);
      }
    scan_ms = bench_median (scans);

    ft_big = start_and_get_topology (b, plain->root, pf0->first_vf_netdev, log_path);
    if (ft_big.vfs != plain->vfs->len)
      g_error ("GetTopology lists %u VFs, expected %u", ft_big.vfs, plain->vfs->len);
    settle ();
    mem_big_idle = memory_of (b->pid);

    /* Repeated GetTopology, interleaved with Get; and the same reply marshalled here. */
    for (guint i = 0; i < TOPO_REPEATS; i++)
      {
        gint64 t0 = bench_now_ns ();
        double v;

        g_clear_object (&last);
        last = get_topology_message (b->conn, &error);
        g_assert_no_error (error);
        v = (bench_now_ns () - t0) / 1e6;
        g_array_append_val (tops, v);
        t0 = bench_now_ns ();
        call_sync (b->conn, &call_get);
        v = (bench_now_ns () - t0) / 1e3;
        g_array_append_val (gets, v);
        {
          /* The floor of moving it: serialise the reply and parse it back, in one process. */
          gsize size;
          guchar *blob;
          GDBusMessage *parsed;

          t0 = bench_now_ns ();
          blob = g_dbus_message_to_blob (last, &size, G_DBUS_CAPABILITY_FLAGS_NONE, &error);
          g_assert_no_error (error);
          /* What a sender does holding its connection's lock (GLib 2.74). */
          v = (bench_now_ns () - t0) / 1e6;
          g_array_append_val (serialise, v);
          parsed = g_dbus_message_new_from_blob (blob, size, G_DBUS_CAPABILITY_FLAGS_NONE, &error);
          g_assert_no_error (error);
          v = (bench_now_ns () - t0) / 1e6;
          g_object_unref (parsed);
          g_free (blob);
          g_array_append_val (marshal, v);
        }
      }
    topo_repeat_ms = bench_median (tops);
    topo_get_us = bench_median (gets);
    topo_marshal_ms = bench_median (marshal);
    topo_serialise_ms = bench_median (serialise);

    printf ("\n## GetTopology over %u VFs (8 PFs x 512)\n", ft_big.vfs);
    printf ("%-62s %12s %12s\n", "what", "value", "ratio");
    printf ("%-62s %10.1f ms %12s\n", "example host: daemon start to first reply (baseline)", ft_example.first_reply_ms,
            "1");
    printf ("%-62s %10.1f ms %12.2f\n", "4,096 VFs: daemon start to first reply", ft_big.first_reply_ms,
            ft_big.first_reply_ms / ft_example.first_reply_ms);
    printf ("%-62s %10.1f ms %12.2f\n", "dpugw_topology_scan in this process (first reply / it)", scan_ms,
            ft_big.first_reply_ms / scan_ms);
    printf ("%-62s %10.2f ms %12s\n", "repeated GetTopology (cached), median", topo_repeat_ms, "");
    printf ("%-62s %10.1f us %12.1f\n", "  Get Version, interleaved (repeat / it)", topo_get_us,
            topo_repeat_ms * 1e3 / topo_get_us);
    printf ("%-62s %10.2f ms %12.2f\n", "  the reply serialised + parsed in-process (repeat / it)", topo_marshal_ms,
            topo_repeat_ms / topo_marshal_ms);
    printf ("%-62s %10.2f ms %12s\n", "  the reply serialised alone (g_dbus_message_to_blob)", topo_serialise_ms, "");
    printf ("%-62s %10zu B %12s\n", "reply size (D-Bus message)", ft_big.reply_bytes, "");
    printf ("%-62s %10zu B %12s\n", "  example host's", ft_example.reply_bytes, "");
    fflush (stdout);

    /* Resolve on the large host, then beside a GetTopology loop, then every VF cached. */
    call_sync (b->conn, &resolve_big);
    measure_latency (b->conn, calls, 2, n_small, big_lat);
    print_latency ("Latency, 4,096 VFs (PF net/ holds 1 netdev)", calls, 2, n_small, big_lat, 1);
    fair = measure_fairness (b, pf0->first_vf_netdev);
    printf ("\n## Fair under load: cached Resolve while another process calls GetTopology in a loop "
            "(%.1f calls/s), 4,096 VFs; blocks of %u\n", fair.topology_per_s, FAIR_BLOCK);
    printf ("%-40s %10s %10s %10s %10s\n", "call", "p50 us", "p99 us", "p50 idle", "p99 idle");
    printf ("%-40s %10.1f %10.1f %10.1f %10.1f\n", "Resolve(VF netdev) cached", fair.loaded[0].p50,
            fair.loaded[0].p99, fair.idle[0].p50, fair.idle[0].p99);
    printf ("%-40s %10.1f %10.1f %10.1f %10.1f\n", "the bus's GetId", fair.loaded[1].p50, fair.loaded[1].p99,
            fair.idle[1].p50, fair.idle[1].p99);
    fflush (stdout);
    resolve_every_vf (b, plain);
    g_clear_object (&last);
    last = get_topology_message (b->conn, &error);
    g_assert_no_error (error);
    g_clear_object (&last);
    settle ();
    mem_big_full = memory_of (b->pid);
    bench_bus_stop_daemon (b);
  }
  g_clear_pointer (&plain, bench_tree_free);

  /* === 8 PFs x 512 VFs, switchdev ====================================================== */
  switchdev = bench_tree_new (8, 512, TRUE);
  {
    const BenchPf *pf0 = g_ptr_array_index (switchdev->pfs, 0);
    Call resolve_sd = { "Resolve(VF netdev) cached, switchdev", BENCH_IFACE, "Resolve", pf0->first_vf_netdev,
                        "(sa{sv})" };
    const Call *calls[] = { &resolve_sd, &call_get };
    g_autoptr(GVariant) reply = NULL;
    g_autoptr(GDBusMessage) msg = NULL;

    bench_bus_start_daemon (b, switchdev->root, pf0->first_vf_netdev, FALSE, log_path);
    {
      g_autofree char *gw = NULL;
      gint64 deadline = bench_now_ns () + 60 * G_GINT64_CONSTANT (1000000000);

      while (bench_get_generation (b->conn) < 1 && bench_now_ns () < deadline)
        g_usleep (10000);
      gw = bench_get_string_property (b->conn, "GatewayInterface");
      if (strcmp (gw, pf0->netdevs[0]) != 0)
        g_error ("GatewayInterface is %s, expected %s", gw, pf0->netdevs[0]);
    }
    call_sync (b->conn, &resolve_sd);
    measure_latency (b->conn, calls, 2, n_small, sd_lat);
    print_latency ("Latency, 4,096 VFs, switchdev (PF net/ holds 513 netdevs: the uplink and 512 representors)",
                   calls, 2, n_small, sd_lat, 1);
    {
      g_autoptr(GDBusMessage) call = g_dbus_message_new_method_call (BENCH_NAME, BENCH_PATH, BENCH_IFACE, "Resolve");
      g_autoptr(GError) error = NULL;

      g_dbus_message_set_body (call, g_variant_new ("(s)", pf0->first_vf_netdev));
      msg = g_dbus_connection_send_message_with_reply_sync (b->conn, call, G_DBUS_SEND_MESSAGE_FLAGS_NONE, -1, NULL,
                                                            NULL, &error);
      g_assert_no_error (error);
      printf ("# Resolve's reply: %zu bytes on the switchdev host (ResolveAll's details carry the 513 candidates)\n",
              message_size (msg));
    }
    resolve_every_vf (b, switchdev);
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GDBusMessage) topology = get_topology_message (b->conn, &error);
      g_assert_no_error (error);
    }
    settle ();
    mem_sd_full = memory_of (b->pid);
    bench_bus_stop_daemon (b);
  }

  printf ("\n## Memory of dpu-gatewayd (KiB; private: Private_Clean + Private_Dirty of smaps_rollup)\n");
  printf ("%-66s %9s %9s %9s\n", "state", "private", "VmRSS", "Pss");
  print_memory ("gdbus monitor on the same bus (GLib floor)", &mem_floor);
  print_memory ("idle, example host (baseline)", &mem_example);
  print_memory ("idle, 4,096 VFs, after the first GetTopology", &mem_big_idle);
  print_memory ("4,096 VFs, all resolved and cached, after a GetTopology", &mem_big_full);
  print_memory ("4,096 VFs switchdev, all resolved and cached, after a GetTopology", &mem_sd_full);
  fflush (stdout);

  bench_bus_free (b);
  bench_rm_rf (tmpdir);

  printf ("\n");
  bench_figure ("resolve-cached-p50-vs-ping", lat[0].p50 / lat[2].p50, "x", "<= 1.15",
                lat[0].p50 / lat[2].p50 <= TARGET_LATENCY_PING, "Resolve p50 %.1f us, Ping p50 %.1f us (the bus floor)",
                lat[0].p50, lat[2].p50);
  bench_figure ("resolve-cached-p50-vs-get", lat[0].p50 / lat[1].p50, "x", NULL, FALSE,
                "Resolve p50 %.1f us, Get p50 %.1f us", lat[0].p50, lat[1].p50);
  bench_figure ("resolve-cached-p99-vs-get", lat[0].p99 / lat[1].p99, "x", NULL, FALSE,
                "Resolve p99 %.1f us, Get p99 %.1f us, Ping p99 %.1f us", lat[0].p99, lat[1].p99, lat[2].p99);
  bench_figure ("resolveall-cached-p50-vs-get", lat[5].p50 / lat[1].p50, "x", NULL, FALSE,
                "ResolveAll p50 %.1f us (every detail: 9 entries, 2 interfaces), Get p50 %.1f us", lat[5].p50,
                lat[1].p50);
  bench_figure ("get-p50-vs-ping", lat[1].p50 / lat[2].p50, "x", NULL, FALSE,
                "the daemon's main loop dispatch over GDBus' own Ping");
  for (guint k = 0; k < G_N_ELEMENTS (clients); k++)
    {
      g_autofree char *name = g_strdup_printf ("throughput-%u-clients-resolve-vs-get", clients[k]);
      bench_figure (name, tp_ratio[k], "x", ">= 0.90", tp_ratio[k] >= TARGET_THROUGHPUT,
                    "Get %.0f/s, Resolve %.0f/s; median of %u paired runs, %u calls in flight per client",
                    tp_get[k], tp_resolve[k], TP_ROUNDS, TP_WINDOW);
    }
  bench_figure ("resolve-cached-p50-vs-get-4096", big_lat[0].p50 / big_lat[1].p50, "x", NULL, FALSE,
                "Resolve p50 %.1f us, Get p50 %.1f us", big_lat[0].p50, big_lat[1].p50);
  bench_figure ("resolve-cached-p50-vs-get-4096-switchdev", sd_lat[0].p50 / sd_lat[1].p50, "x", NULL, FALSE,
                "Resolve p50 %.1f us, Get p50 %.1f us (513 netdevs in the PF's net/, a hint in the details)",
                sd_lat[0].p50, sd_lat[1].p50);
  bench_figure ("script-vs-resolve", script_us / lat[0].p50, "x", NULL, FALSE,
                "sh script %.0f us per query; Resolve %.1f us; dpu-gatewayctl %.0f us; busctl %.0f us",
                script_us, lat[0].p50, ctl_us, busctl_us);
  bench_figure ("ctl-vs-script", ctl_us / script_us, "x", NULL, FALSE,
                "dpu-gatewayctl resolve (a process per query) / the sh script");
  bench_figure ("topology-first-reply-4096-vs-example", ft_big.first_reply_ms / ft_example.first_reply_ms, "x", NULL,
                FALSE, "%.1f ms vs %.1f ms (daemon start to first GetTopology reply)", ft_big.first_reply_ms,
                ft_example.first_reply_ms);
  bench_figure ("topology-first-reply-vs-inprocess-scan", ft_big.first_reply_ms / scan_ms, "x", NULL, FALSE,
                "%.1f ms vs dpugw_topology_scan %.1f ms", ft_big.first_reply_ms, scan_ms);
  bench_figure ("topology-repeat-vs-marshalling", topo_repeat_ms / topo_marshal_ms, "x", NULL, FALSE,
                "repeat %.2f ms; the same reply serialised + parsed in-process %.2f ms; Get %.1f us",
                topo_repeat_ms, topo_marshal_ms, topo_get_us);
  bench_figure ("topology-reply-bytes", (double) ft_big.reply_bytes, "B", NULL, FALSE, "%.0f bytes per VF",
                (double) ft_big.reply_bytes / ft_big.vfs);
  bench_figure ("fair-resolve-p99-under-topology-load", fair.loaded[0].p99 / 1e3, "ms", "<= 2 ms",
                fair.loaded[0].p99 <= TARGET_FAIR_P99_US,
                "p50 %.2f ms; idle p50 %.2f / p99 %.2f ms; the bus's GetId meanwhile p50 %.2f / p99 %.2f ms; "
                "GetTopology %.1f/s", fair.loaded[0].p50 / 1e3, fair.idle[0].p50 / 1e3, fair.idle[0].p99 / 1e3,
                fair.loaded[1].p50 / 1e3, fair.loaded[1].p99 / 1e3, fair.topology_per_s);
  bench_figure ("fair-resolve-p99-loaded-vs-idle", fair.loaded[0].p99 / fair.idle[0].p99, "x", NULL, FALSE,
                "the same Resolve without the GetTopology loop: p99 %.2f ms", fair.idle[0].p99 / 1e3);
  bench_figure ("fair-resolve-p99-vs-topology-serialisation", fair.loaded[0].p99 / 1e3 / topo_serialise_ms, "x",
                NULL, FALSE, "GetTopology's reply serialised alone (g_dbus_message_to_blob, which GDBus runs "
                "holding the connection's lock): %.2f ms", topo_serialise_ms);
  bench_figure ("private-4096-cached-above-idle-example", ((double) mem_big_full.private - mem_example.private) / 1024,
                "MiB", "<= 2 MiB", mem_big_full.private <= mem_example.private + TARGET_PRIVATE_KIB,
                "private %.2f MiB with 4,096 VFs resolved and a GetTopology after; idle example host %.2f MiB; "
                "RSS %.1f vs %.1f MiB", mem_big_full.private / 1024.0, mem_example.private / 1024.0,
                mem_big_full.rss / 1024.0, mem_example.rss / 1024.0);
  bench_figure ("private-4096-switchdev-cached-above-idle-example",
                ((double) mem_sd_full.private - mem_example.private) / 1024, "MiB", NULL, FALSE,
                "private %.2f MiB; 512 representors in each PF's net/", mem_sd_full.private / 1024.0);
  bench_figure ("private-idle-example", mem_example.private / 1024.0, "MiB", NULL, FALSE,
                "the baseline; gdbus monitor on the same bus %.2f MiB private", mem_floor.private / 1024.0);
  return 0;
}
