/* SPDX-License-Identifier: Apache-2.0 */
#define _GNU_SOURCE
#include "bench-common.h"
#include "testlib.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#define START_DEADLINE_NS (60 * G_GINT64_CONSTANT (1000000000))
#define CALL_TIMEOUT_MSEC 120000

/* --- time and statistics ------------------------------------------------------ */

gint64
bench_now_ns (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (gint64) ts.tv_sec * 1000000000 + ts.tv_nsec;
}

gint64
bench_process_cpu_ns (GPid pid)
{
  clockid_t clock;
  struct timespec ts;

  if (clock_getcpuclockid (pid, &clock) == 0 && clock_gettime (clock, &ts) == 0)
    return (gint64) ts.tv_sec * 1000000000 + ts.tv_nsec;

  /* utime + stime from /proc/PID/stat, in clock ticks. */
  {
    g_autofree char *path = g_strdup_printf ("/proc/%d/stat", (int) pid);
    g_autofree char *text = NULL;
    const char *p;
    unsigned long long utime, stime;

    if (!g_file_get_contents (path, &text, NULL, NULL) || (p = strrchr (text, ')')) == NULL)
      return -1;
    /* After "pid (comm)": state is field 3; utime and stime are 14 and 15. */
    if (sscanf (p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &utime, &stime) != 2)
      return -1;
    return (gint64) ((utime + stime) * (1000000000ULL / (unsigned long long) sysconf (_SC_CLK_TCK)));
  }
}

static int
compare_doubles (gconstpointer a, gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return (x > y) - (x < y);
}

double
bench_quantile (GArray *values, double p)
{
  gsize rank;

  if (values->len == 0)
    return 0;
  g_array_sort (values, compare_doubles);
  /* Nearest rank: the smallest value with at least p of the values at or below it. */
  rank = (gsize) (p * values->len + 0.999999);
  if (rank < 1)
    rank = 1;
  if (rank > values->len)
    rank = values->len;
  return g_array_index (values, double, rank - 1);
}

double
bench_median (GArray *values)
{
  if (values->len == 0)
    return 0;
  g_array_sort (values, compare_doubles);
  if (values->len % 2 == 1)
    return g_array_index (values, double, values->len / 2);
  return (g_array_index (values, double, values->len / 2 - 1) + g_array_index (values, double, values->len / 2)) / 2;
}

/* --- output -------------------------------------------------------------------- */

static char *
cpu_model (void)
{
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;

  if (!g_file_get_contents ("/proc/cpuinfo", &text, NULL, NULL))
    return g_strdup ("unknown");
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (g_str_has_prefix (lines[i], "model name"))
      {
        const char *colon = strchr (lines[i], ':');
        if (colon != NULL)
          return g_strstrip (g_strdup (colon + 1));
      }
  return g_strdup ("unknown");
}

/* The trees made and not yet removed: a fatal error removes them too, rather than leave
 * hundreds of MiB in /dev/shm (the daemon's logs, in the programs' own directories, stay). */
static GPtrArray *live_trees;

static GLogWriterOutput
writer (GLogLevelFlags log_level, const GLogField *fields, gsize n_fields, gpointer user_data)
{
  GLogWriterOutput result = g_log_writer_default (log_level, fields, n_fields, user_data);

  if ((log_level & (G_LOG_LEVEL_ERROR | G_LOG_FLAG_FATAL)) != 0 && live_trees != NULL)
    for (guint i = 0; i < live_trees->len; i++)
      {
        const char *argv[] = { "rm", "-rf", "--", g_ptr_array_index (live_trees, i), NULL };
        g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL, NULL);
      }
  return result;
}

void
bench_print_machine (const char *program)
{
  struct utsname u;
  g_autofree char *model = cpu_model ();
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *date = g_date_time_format_iso8601 (now);

  g_autofree char *loadavg = NULL;

  if (live_trees == NULL)
    {
      live_trees = g_ptr_array_new_with_free_func (g_free);
      g_log_set_writer_func (writer, NULL, NULL);
    }
  uname (&u);
  if (g_file_get_contents ("/proc/loadavg", &loadavg, NULL, NULL))
    loadavg[strcspn (loadavg, " ")] = '\0'; /* the 1-minute load: how shared the machine was */
  printf ("# %s\n", program);
  printf ("# machine: nproc %ld, CPU %s, kernel %s %s, GLib %u.%u.%u, %s, load %s\n", sysconf (_SC_NPROCESSORS_ONLN),
          model, u.sysname, u.release, glib_major_version, glib_minor_version, glib_micro_version, date,
          loadavg != NULL ? loadavg : "?");
  printf ("MACHINE nproc=%ld cpu=\"%s\" kernel=%s glib=%u.%u.%u date=%s load1=%s\n", sysconf (_SC_NPROCESSORS_ONLN),
          model, u.release, glib_major_version, glib_minor_version, glib_micro_version, date,
          loadavg != NULL ? loadavg : "?");
  fflush (stdout);
}

void
bench_figure (const char *name, double value, const char *unit, const char *target, gboolean met,
              const char *detail_format, ...)
{
  va_list args;
  g_autofree char *detail = NULL;

  va_start (args, detail_format);
  detail = g_strdup_vprintf (detail_format, args);
  va_end (args);
  printf ("FIGURE %s %.3g %s | %s | target %s: %s\n", name, value, unit, detail,
          target != NULL ? target : "none", target == NULL ? "-" : met ? "met" : "MISSED");
  fflush (stdout);
}

/* --- the environment --------------------------------------------------------------- */

gboolean
bench_enter_netns (char **why)
{
  if (unshare (CLONE_NEWNET) == 0)
    {
      /* lo up: nothing needs it, but a namespace without it is stranger than need be. */
      return TRUE;
    }
  *why = g_strdup_printf ("unshare(CLONE_NEWNET): %s (needs root or CAP_SYS_ADMIN)", g_strerror (errno));
  return FALSE;
}

const char *
bench_srcdir (void)
{
  const char *dir = g_getenv ("DPUGW_TEST_SRCDIR");

  if (dir == NULL)
    g_error ("DPUGW_TEST_SRCDIR is not set: run through meson test --benchmark");
  return dir;
}

const char *
bench_builddir (void)
{
  const char *dir = g_getenv ("DPUGW_TEST_BUILDDIR");

  if (dir == NULL)
    g_error ("DPUGW_TEST_BUILDDIR is not set: run through meson test --benchmark");
  return dir;
}

char *
bench_daemon_path (void)
{
  return g_build_filename (bench_builddir (), "src", "daemon", "dpu-gatewayd", NULL);
}

char *
bench_ctl_path (void)
{
  return g_build_filename (bench_builddir (), "src", "ctl", "dpu-gatewayctl", NULL);
}

char *
bench_make_tmpdir (const char *what)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *tmpl = g_strdup_printf ("dpugw-bench-%s-XXXXXX", what);
  char *dir = g_dir_make_tmp (tmpl, &error);

  if (dir == NULL)
    g_error ("cannot make a temporary directory: %s", error->message);
  return dir;
}

void
bench_rm_rf (const char *path)
{
  const char *argv[] = { "rm", "-rf", "--", path, NULL };
  guint index;

  if (path != NULL && *path != '\0' && strcmp (path, "/") != 0)
    bench_run (argv, NULL);
  if (live_trees != NULL && g_ptr_array_find_with_equal_func (live_trees, path, g_str_equal, &index))
    g_ptr_array_remove_index (live_trees, index);
}

void
bench_run (const char * const *argv, char **out)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  int status;

  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, out, &err, &status, &error))
    g_error ("cannot run %s: %s", argv[0], error->message);
  if (!g_spawn_check_wait_status (status, NULL))
    {
      g_autofree char *line = g_strjoinv (" ", (char **) argv);
      g_error ("%s failed: %s", line, err != NULL ? err : "");
    }
}

/* --- generated sysfs trees ------------------------------------------------------------- */

static void
bench_vf_free (BenchVf *vf)
{
  g_free (vf->pci);
  g_free (vf->netdev);
  g_free (vf->pf);
  g_free (vf);
}

static void
bench_pf_free (BenchPf *pf)
{
  g_free (pf->pci);
  g_strfreev (pf->netdevs);
  g_free (pf->first_vf);
  g_free (pf->first_vf_netdev);
  g_free (pf->devdir);
  g_free (pf);
}

static BenchTree *
tree_alloc (const char *what)
{
  BenchTree *tree = g_new0 (BenchTree, 1);
  const char *shm = "/dev/shm";

  /* sysfs lives in memory: so does the tree, on tmpfs when there is one (DPUGW_BENCH_TREE_DIR to choose). */
  if (g_getenv ("DPUGW_BENCH_TREE_DIR") != NULL)
    shm = g_getenv ("DPUGW_BENCH_TREE_DIR");
  if (access (shm, W_OK) == 0)
    {
      g_autofree char *tmpl = g_strdup_printf ("%s/dpugw-bench-%s-XXXXXX", shm, what);
      tree->dir = g_mkdtemp (g_steal_pointer (&tmpl));
      if (tree->dir == NULL)
        g_error ("cannot make a directory in %s: %s", shm, g_strerror (errno));
    }
  else
    tree->dir = bench_make_tmpdir (what);
  if (live_trees != NULL)
    g_ptr_array_add (live_trees, g_strdup (tree->dir));
  tree->root = g_build_filename (tree->dir, "sys", NULL);
  tree->pfs = g_ptr_array_new_with_free_func ((GDestroyNotify) bench_pf_free);
  tree->vfs = g_ptr_array_new_with_free_func ((GDestroyNotify) bench_vf_free);
  return tree;
}

static void
tree_read_manifest (BenchTree *tree, const char *path)
{
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GError) error = NULL;

  if (!g_file_get_contents (path, &text, NULL, &error))
    g_error ("%s", error->message);
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto(GStrv) f = g_strsplit (lines[i], "\t", -1);
      guint n = g_strv_length (f);

      if (n == 4 && strcmp (f[0], "vf") == 0)
        {
          BenchVf *vf = g_new0 (BenchVf, 1);
          vf->pci = g_strdup (f[1]);
          vf->netdev = g_strdup (f[2]);
          vf->pf = g_strdup (f[3]);
          g_ptr_array_add (tree->vfs, vf);
        }
      else if (n == 6)
        {
          BenchPf *pf = g_new0 (BenchPf, 1);
          pf->pci = g_strdup (f[0]);
          pf->netdevs = g_strsplit (f[1], ",", -1);
          pf->first_vf = g_strdup (f[2]);
          pf->first_vf_netdev = g_strdup (f[3]);
          pf->devdir = g_strdup (f[4]);
          pf->n_vfs = (guint) g_ascii_strtoull (f[5], NULL, 10);
          g_ptr_array_add (tree->pfs, pf);
        }
    }
}

BenchTree *
bench_tree_new (guint pfs, guint vfs_per_pf, gboolean switchdev)
{
  BenchTree *tree = tree_alloc ("tree");
  g_autofree char *generator = g_build_filename (bench_srcdir (), "tests", "gen-sysfs-tree.py", NULL);
  g_autofree char *manifest = g_build_filename (tree->dir, "manifest", NULL);
  g_autofree char *pfs_arg = g_strdup_printf ("%u", pfs);
  g_autofree char *vfs_arg = g_strdup_printf ("%u", vfs_per_pf);
  const char *argv[] = { "python3", generator, "--pfs", pfs_arg, "--vfs-per-pf", vfs_arg, "--out", tree->root,
                         "--manifest", manifest, switchdev ? "--switchdev" : NULL, NULL };
  gint64 t0 = bench_now_ns ();

  bench_run (argv, NULL);
  tree->switchdev = switchdev;
  tree_read_manifest (tree, manifest);
  printf ("# generated %u PFs x %u VFs%s in %.1f s: %s\n", pfs, vfs_per_pf, switchdev ? " (switchdev)" : "",
          (bench_now_ns () - t0) / 1e9, tree->root);
  fflush (stdout);
  return tree;
}

BenchTree *
bench_tree_new_example (void)
{
  BenchTree *tree = tree_alloc ("example");
  g_autofree char *tool = g_build_filename (bench_builddir (), "tests", "dpugw-mock-sysfs", NULL);
  g_autofree char *recording = g_build_filename (bench_srcdir (), "data", "dpu-host-example.umockdev", NULL);
  const char *argv[] = { tool, recording, tree->root, NULL };
  BenchPf *pf = g_new0 (BenchPf, 1);
  const char *vfs[][2] = { { "0000:01:02.3", "pf0vf0" }, { "0000:01:02.4", "pf0vf1" } };

  bench_run (argv, NULL);
  pf->pci = g_strdup ("0000:01:00.0");
  pf->netdevs = g_strsplit ("eth0,eth1", ",", -1);
  pf->first_vf = g_strdup ("0000:01:02.3");
  pf->first_vf_netdev = g_strdup ("pf0vf0");
  pf->devdir = g_strdup ("devices/pci0000:00/0000:00:02.0/0000:01:00.0");
  pf->n_vfs = 2;
  g_ptr_array_add (tree->pfs, pf);
  for (guint i = 0; i < G_N_ELEMENTS (vfs); i++)
    {
      BenchVf *vf = g_new0 (BenchVf, 1);
      vf->pci = g_strdup (vfs[i][0]);
      vf->netdev = g_strdup (vfs[i][1]);
      vf->pf = g_strdup (pf->pci);
      g_ptr_array_add (tree->vfs, vf);
    }
  return tree;
}

void
bench_tree_free (BenchTree *tree)
{
  if (tree == NULL)
    return;
  bench_rm_rf (tree->dir);
  g_free (tree->dir);
  g_free (tree->root);
  g_ptr_array_unref (tree->pfs);
  g_ptr_array_unref (tree->vfs);
  g_free (tree);
}

void
bench_tree_rename_netdev (BenchTree *tree, const char *devdir, const char *old_name, const char *new_name)
{
  g_autofree char *old_path = g_strconcat (tree->root, "/", devdir, "/net/", old_name, NULL);
  g_autofree char *new_path = g_strconcat (tree->root, "/", devdir, "/net/", new_name, NULL);
  g_autofree char *old_class = g_strconcat (tree->root, "/class/net/", old_name, NULL);
  g_autofree char *new_class = g_strconcat (tree->root, "/class/net/", new_name, NULL);
  g_autofree char *target = g_strconcat ("../../", devdir, "/net/", new_name, NULL);

  if (rename (old_path, new_path) != 0)
    g_error ("rename %s -> %s: %s", old_path, new_path, g_strerror (errno));
  if (unlink (old_class) != 0)
    g_error ("unlink %s: %s", old_class, g_strerror (errno));
  if (symlink (target, new_class) != 0)
    g_error ("symlink %s: %s", new_class, g_strerror (errno));
}

/* --- a private bus, dpu-gatewayd on it ------------------------------------------------------------ */

BenchBus *
bench_bus_new (const char *tmpdir)
{
  BenchBus *b = g_new0 (BenchBus, 1);

  b->bus = g_test_dbus_new (G_TEST_DBUS_NONE);
  g_test_dbus_up (b->bus);
  b->address = g_strdup (g_test_dbus_get_bus_address (b->bus));
  b->conn = bench_bus_connect (b);
  return b;
}

GDBusConnection *
bench_bus_connect (BenchBus *b)
{
  g_autoptr(GError) error = NULL;
  GDBusConnection *conn = g_dbus_connection_new_for_address_sync (b->address,
                                                                  G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                                                    G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                                  NULL, NULL, &error);

  if (conn == NULL)
    g_error ("cannot connect to the private bus: %s", error->message);
  g_dbus_connection_set_exit_on_close (conn, FALSE);
  return conn;
}

/* The Environment= lines of the systemd unit: the daemon is measured as it runs on a host. */
static char **
unit_environment (char **envp)
{
  g_autofree char *unit = g_build_filename (bench_srcdir (), "data", "dpu-gatewayd.service.in", NULL);
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GError) error = NULL;

  if (!g_file_get_contents (unit, &text, NULL, &error))
    g_error ("%s", error->message);
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (g_str_has_prefix (lines[i], "Environment="))
      {
        g_auto(GStrv) kv = g_strsplit (lines[i] + strlen ("Environment="), "=", 2);
        if (kv[0] == NULL || kv[1] == NULL)
          g_error ("%s: cannot read \"%s\"", unit, lines[i]);
        envp = g_environ_setenv (envp, kv[0], kv[1], TRUE);
      }
  return envp;
}

static char **
daemon_environ (BenchBus *b)
{
  char **envp = dpugw_test_environ_without_config (unit_environment (g_get_environ ()));

  /* fatal-warnings would end the daemon on a legitimate warning. */
  envp = g_environ_unsetenv (envp, "G_DEBUG");
  envp = g_environ_unsetenv (envp, "G_MESSAGES_DEBUG");
  envp = g_environ_unsetenv (envp, "JOURNAL_STREAM");
  envp = g_environ_setenv (envp, "DBUS_SYSTEM_BUS_ADDRESS", b->address, TRUE);
  return envp;
}

static gboolean
name_has_owner (GDBusConnection *conn)
{
  g_autoptr(GVariant) reply = g_dbus_connection_call_sync (conn, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                                           "org.freedesktop.DBus", "NameHasOwner",
                                                           g_variant_new ("(s)", BENCH_NAME), G_VARIANT_TYPE ("(b)"),
                                                           G_DBUS_CALL_FLAGS_NONE, -1, NULL, NULL);
  gboolean owned = FALSE;

  if (reply != NULL)
    g_variant_get (reply, "(b)", &owned);
  return owned;
}

void
bench_bus_spawn_daemon (BenchBus *b, const char *root, const char *mgmt_port, gboolean verbose,
                        const char *log_path)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDERR_MERGE);
  g_autofree char *path = bench_daemon_path ();
  g_autofree char *mgmt_arg = g_strconcat ("--ovnkube-node-mgmt-port-netdev=", mgmt_port, NULL);
  g_auto(GStrv) envp = daemon_environ (b);
  g_autoptr(GError) error = NULL;
  const char *argv[] = {
    path, "--sysfs-root", root, "--config-file=", "--ovnkube-node-mode=dpu-host", mgmt_arg,
    "--gateway-interface=derive-from-mgmt-port", b->extra_arg, verbose ? "-v" : NULL, NULL
  };

  if (b->extra_arg == NULL)
    argv[G_N_ELEMENTS (argv) - 3] = verbose ? "-v" : NULL;

  g_assert (b->daemon == NULL);
  g_free (b->log_path);
  b->log_path = g_strdup (log_path);
  g_subprocess_launcher_set_environ (launcher, envp);
  g_subprocess_launcher_set_stdout_file_path (launcher, log_path);
  b->spawned_ns = bench_now_ns ();
  b->daemon = g_subprocess_launcher_spawnv (launcher, argv, &error);
  if (b->daemon == NULL)
    g_error ("cannot start dpu-gatewayd: %s", error->message);
  b->pid = (GPid) g_ascii_strtoll (g_subprocess_get_identifier (b->daemon), NULL, 10);
}

void
bench_bus_wait_owned (BenchBus *b)
{
  while (!name_has_owner (b->conn))
    {
      if (bench_now_ns () - b->spawned_ns > START_DEADLINE_NS)
        g_error ("dpu-gatewayd did not own %s within 60 s; see %s", BENCH_NAME, b->log_path);
      if (g_subprocess_get_identifier (b->daemon) == NULL)
        g_error ("dpu-gatewayd exited; see %s", b->log_path);
      g_usleep (1000);
    }
}

void
bench_bus_start_daemon (BenchBus *b, const char *root, const char *mgmt_port, gboolean verbose,
                        const char *log_path)
{
  bench_bus_spawn_daemon (b, root, mgmt_port, verbose, log_path);
  bench_bus_wait_owned (b);
}

void
bench_bus_stop_daemon (BenchBus *b)
{
  g_autoptr(GError) error = NULL;

  if (b->daemon == NULL)
    return;
  g_subprocess_send_signal (b->daemon, SIGTERM);
  if (!g_subprocess_wait (b->daemon, NULL, &error))
    g_error ("waiting for dpu-gatewayd: %s", error->message);
  if (!g_subprocess_get_if_exited (b->daemon) || g_subprocess_get_exit_status (b->daemon) != 0)
    g_printerr ("# dpu-gatewayd did not exit cleanly after SIGTERM; see %s\n", b->log_path);
  g_clear_object (&b->daemon);
  b->pid = 0;
}

void
bench_bus_free (BenchBus *b)
{
  if (b == NULL)
    return;
  bench_bus_stop_daemon (b);
  g_dbus_connection_close_sync (b->conn, NULL, NULL);
  g_clear_object (&b->conn);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_test_dbus_down (b->bus);
  g_clear_object (&b->bus);
  g_free (b->address);
  g_free (b->log_path);
  g_free (b->extra_arg);
  g_free (b);
}

GVariant *
bench_call (GDBusConnection *conn, const char *iface, const char *method, GVariant *params, const char *reply_type)
{
  g_autoptr(GError) error = NULL;
  gboolean bus = strcmp (iface, "org.freedesktop.DBus") == 0;
  GVariant *reply = g_dbus_connection_call_sync (conn, bus ? "org.freedesktop.DBus" : BENCH_NAME,
                                                 bus ? "/org/freedesktop/DBus" : BENCH_PATH, iface, method, params,
                                                 reply_type != NULL ? G_VARIANT_TYPE (reply_type) : NULL,
                                                 G_DBUS_CALL_FLAGS_NO_AUTO_START, CALL_TIMEOUT_MSEC, NULL, &error);

  if (reply == NULL)
    g_error ("%s.%s: %s", iface, method, error->message);
  return reply;
}

char *
bench_get_string_property (GDBusConnection *conn, const char *property)
{
  g_autoptr(GVariant) reply = bench_call (conn, "org.freedesktop.DBus.Properties", "Get",
                                          g_variant_new ("(ss)", BENCH_IFACE, property), "(v)");
  g_autoptr(GVariant) value = NULL;

  g_variant_get (reply, "(v)", &value);
  return g_variant_dup_string (value, NULL);
}

guint64
bench_get_generation (GDBusConnection *conn)
{
  g_autoptr(GVariant) reply = bench_call (conn, "org.freedesktop.DBus.Properties", "Get",
                                          g_variant_new ("(ss)", BENCH_IFACE, "Generation"), "(v)");
  g_autoptr(GVariant) value = NULL;

  g_variant_get (reply, "(v)", &value);
  return g_variant_get_uint64 (value);
}

static gboolean
read_kib_field (const char *path, const char *field, guint64 *out)
{
  g_autofree char *text = NULL;
  const char *p;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return FALSE;
  for (p = text; p != NULL; p = strchr (p, '\n'))
    {
      if (*p == '\n')
        p++;
      if (g_str_has_prefix (p, field) && p[strlen (field)] == ':')
        {
          *out = g_ascii_strtoull (p + strlen (field) + 1, NULL, 10);
          return TRUE;
        }
    }
  return FALSE;
}

gboolean
bench_memory_kib (GPid pid, guint64 *rss, guint64 *pss)
{
  g_autofree char *status = g_strdup_printf ("/proc/%d/status", (int) pid);
  g_autofree char *rollup = g_strdup_printf ("/proc/%d/smaps_rollup", (int) pid);

  return read_kib_field (status, "VmRSS", rss) && read_kib_field (rollup, "Pss", pss);
}

gboolean
bench_private_kib (GPid pid, guint64 *private_kib)
{
  g_autofree char *rollup = g_strdup_printf ("/proc/%d/smaps_rollup", (int) pid);
  guint64 clean, dirty;

  if (!read_kib_field (rollup, "Private_Clean", &clean) || !read_kib_field (rollup, "Private_Dirty", &dirty))
    return FALSE;
  *private_kib = clean + dirty;
  return TRUE;
}
