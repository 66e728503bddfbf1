/* SPDX-License-Identifier: Apache-2.0 */
#include "testdaemon.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#define RUNDIR_ENV "DPUGW_TEST_RUNDIR"
#define LOG_TAIL   20000

/* --- processes that die with us ------------------------------------------------------------------ */

/* The thread that spawns: PR_SET_PDEATHSIG follows it, and it may be gone before the child's prctl(). */
static pid_t spawner_pid;

void
dpugw_test_child_dies_with_parent (gpointer unused)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
  if (getppid () != spawner_pid)
    _exit (127);
}

static GSubprocessLauncher *
launcher_new (GSubprocessFlags flags)
{
  GSubprocessLauncher *launcher = g_subprocess_launcher_new (flags);

  spawner_pid = getpid ();
  g_subprocess_launcher_set_child_setup (launcher, dpugw_test_child_dies_with_parent, NULL, NULL);
  return launcher;
}

/* --- the run directory: logs and process ids, for the isolated runner's report ------------------ */

static void
write_pid_file (const char *rundir, const char *name, GPid pid)
{
  g_autofree char *path = g_build_filename (rundir, name, NULL);
  g_autofree char *text = g_strdup_printf ("%d\n", (int) pid);

  dpugw_test_write_file (path, text);
}

/* After a failed test: every log to stderr (their ends), and whatever the test left running killed. */
static void
rundir_report (const char *rundir)
{
  g_autoptr(GDir) dir = g_dir_open (rundir, 0, NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  if (dir == NULL)
    return;
  while ((name = g_dir_read_name (dir)) != NULL)
    g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, (GCompareFunc) g_strcmp0);
  for (guint i = 0; i < names->len; i++)
    {
      const char *file = *(const char **) &g_ptr_array_index (names, i);
      g_autofree char *path = g_build_filename (rundir, file, NULL);
      g_autofree char *contents = dpugw_test_read_file (path);

      if (g_str_has_suffix (file, ".log"))
        {
          gsize len = strlen (contents);
          const char *shown = len > LOG_TAIL ? contents + len - LOG_TAIL : contents;

          g_printerr ("\n# ---- %s%s ----\n%s# ---- end of %s ----\n", file, len > LOG_TAIL ? " (its end)" : "",
                      shown, file);
        }
      else if (g_str_has_suffix (file, ".pid"))
        {
          pid_t pid = (pid_t) g_ascii_strtoll (contents, NULL, 10);
          g_autofree char *comm_path = g_strdup_printf ("/proc/%d/comm", (int) pid);
          g_autofree char *comm = dpugw_test_read_file (comm_path);

          /* Only what we started, should the pid have been reused meanwhile. */
          if (pid > 1 && (g_str_has_prefix (comm, "dpu-gatewayd") || g_str_has_prefix (comm, "dbus-daemon") ||
                          g_str_has_prefix (comm, "memcheck")))
            {
              kill (pid, SIGCONT);
              kill (pid, SIGKILL);
            }
        }
    }
}

/* --- the bus and the tree ------------------------------------------------------------------------ */

static void
on_name_appeared (GDBusConnection *connection, const char *name, const char *owner, gpointer user_data)
{
  DpugwTestBus *tb = user_data;

  g_free (tb->owner);
  tb->owner = g_strdup (owner);
  tb->owner_changes++;
}

static void
on_name_vanished (GDBusConnection *connection, const char *name, gpointer user_data)
{
  DpugwTestBus *tb = user_data;

  if (tb->owner != NULL)
    tb->owner_changes++;
  g_clear_pointer (&tb->owner, g_free);
}

static GPid
connection_pid (DpugwTestBus *tb, const char *name)
{
  g_autoptr(GVariant) reply = g_dbus_connection_call_sync (tb->conn, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                                           "org.freedesktop.DBus", "GetConnectionUnixProcessID",
                                                           g_variant_new ("(s)", name), G_VARIANT_TYPE ("(u)"),
                                                           G_DBUS_CALL_FLAGS_NONE, -1, NULL, NULL);
  guint32 pid = 0;

  if (reply != NULL)
    g_variant_get (reply, "(u)", &pid);
  return (GPid) pid;
}

void
dpugw_test_bus_init (DpugwTestBus *tb, const char * const *recordings)
{
  const char *rundir = g_getenv (RUNDIR_ENV);

  memset (tb, 0, sizeof *tb);
  if (recordings != NULL && recordings[0] != NULL)
    {
      tb->testbed = dpugw_test_testbed_newv (&tb->sysfs, recordings);
      tb->root = dpugw_sysfs_get_root (tb->sysfs);
    }
  if (rundir != NULL && g_test_subprocess ())
    {
      /* Inside the isolated runner's directory, which it removes whatever happens here. */
      tb->tmpdir = g_build_filename (rundir, "tmp-XXXXXX", NULL);
      g_assert_nonnull (g_mkdtemp (tb->tmpdir));
      tb->rundir = g_strdup (rundir);
    }
  else
    {
      tb->tmpdir = dpugw_test_tmpdir ("bus");
      tb->rundir = g_strdup (tb->tmpdir);
    }

  tb->bus = g_test_dbus_new (G_TEST_DBUS_NONE);
  g_test_dbus_up (tb->bus);
  tb->address = g_strdup (g_test_dbus_get_bus_address (tb->bus));
  tb->address_flag = g_strconcat ("--address=", tb->address, NULL);
  tb->conn = dpugw_test_connect (tb->address);
  tb->bus_pid = connection_pid (tb, "org.freedesktop.DBus");
  if (tb->bus_pid > 1)
    write_pid_file (tb->rundir, "bus.pid", tb->bus_pid);
  tb->watch_id = g_bus_watch_name_on_connection (tb->conn, DPUGW_TEST_NAME, G_BUS_NAME_WATCHER_FLAGS_NONE,
                                                 on_name_appeared, on_name_vanished, tb, NULL);
  tb->daemons = g_ptr_array_new ();
  tb->gateway_changed = g_ptr_array_new_with_free_func ((GDestroyNotify) g_variant_unref);
  tb->topology_changed = g_ptr_array_new_with_free_func ((GDestroyNotify) g_variant_unref);
  tb->properties_changed = g_ptr_array_new_with_free_func ((GDestroyNotify) g_variant_unref);
}

static void
unsubscribe (DpugwTestBus *tb)
{
  for (guint i = 0; i < G_N_ELEMENTS (tb->sub_ids); i++)
    if (tb->sub_ids[i] != 0)
      g_dbus_connection_signal_unsubscribe (tb->conn, tb->sub_ids[i]);
  memset (tb->sub_ids, 0, sizeof tb->sub_ids);
}

static void
check_log (DpugwTestDaemon *d)
{
  g_autofree char *log = dpugw_test_daemon_log (d);

  if (!d->allow_critical && strstr (log, "CRITICAL") != NULL)
    {
      dpugw_test_daemon_print_log (d);
      g_error ("dpu-gatewayd logged a critical (%s)", d->log_path);
    }
  if (strstr (log, "AddressSanitizer") != NULL || strstr (log, "runtime error:") != NULL ||
      strstr (log, "LeakSanitizer") != NULL)
    {
      dpugw_test_daemon_print_log (d);
      g_error ("dpu-gatewayd: a sanitizer reported an error (%s)", d->log_path);
    }
}

static void
daemon_free (DpugwTestDaemon *d)
{
  g_clear_object (&d->process);
  g_free (d->log_path);
  g_free (d->pid_file);
  g_free (d);
}

void
dpugw_test_bus_clear (DpugwTestBus *tb)
{
  for (guint i = 0; i < tb->daemons->len; i++)
    {
      DpugwTestDaemon *d = g_ptr_array_index (tb->daemons, i);

      if (!d->exited)
        {
          int status = dpugw_test_daemon_stop (d);

          if (status != 0)
            {
              dpugw_test_daemon_print_log (d);
              g_error ("dpu-gatewayd exited with status %d (signal %d) after SIGTERM", status, d->term_signal);
            }
        }
      else if (!d->expect_exit)
        {
          dpugw_test_daemon_print_log (d);
          g_error ("dpu-gatewayd exited (status %d, signal %d) before the end of the test", d->exit_status,
                   d->term_signal);
        }
      else if (g_test_failed ())
        dpugw_test_daemon_print_log (d);
      check_log (d);
    }
  for (guint i = 0; i < tb->daemons->len; i++)
    daemon_free (g_ptr_array_index (tb->daemons, i));
  g_ptr_array_free (tb->daemons, TRUE);
  tb->daemon = NULL;

  unsubscribe (tb);
  g_bus_unwatch_name (tb->watch_id);
  if (!g_dbus_connection_is_closed (tb->conn))
    g_dbus_connection_close_sync (tb->conn, NULL, NULL);
  dpugw_test_drain ();
  g_clear_object (&tb->conn);
  g_clear_pointer (&tb->owner, g_free);
  g_clear_pointer (&tb->gateway_changed, g_ptr_array_unref);
  g_clear_pointer (&tb->topology_changed, g_ptr_array_unref);
  g_clear_pointer (&tb->properties_changed, g_ptr_array_unref);
  if (!tb->bus_down)
    g_test_dbus_down (tb->bus);
  g_clear_object (&tb->bus);
  g_free (tb->address);
  g_free (tb->address_flag);

  dpugw_test_rm_rf (tb->tmpdir);
  g_free (tb->tmpdir);
  g_free (tb->rundir);
  g_clear_object (&tb->sysfs);
  g_clear_object (&tb->testbed);
}

void
dpugw_test_bus_setup (DpugwTestBus *tb, gconstpointer recording)
{
  dpugw_test_bus_init (tb, STRV (recording));
}

void
dpugw_test_bus_teardown (DpugwTestBus *tb, gconstpointer unused)
{
  dpugw_test_bus_clear (tb);
}

/* --- the daemon ------------------------------------------------------------------------------------ */

char *
dpugw_test_daemon_path (void)
{
  const char *builddir = g_getenv ("DPUGW_TEST_BUILDDIR");

  g_assert_nonnull (builddir);
  return g_build_filename (builddir, "src", "daemon", "dpu-gatewayd", NULL);
}

char **
dpugw_test_daemon_environ (const char *address, const char * const *extra)
{
  char **envp = dpugw_test_environ_without_config (g_get_environ ());

  /* G_DEBUG=fatal-warnings would turn its legitimate warnings into crashes. */
  envp = g_environ_unsetenv (envp, "G_DEBUG");
  envp = g_environ_unsetenv (envp, "G_MESSAGES_DEBUG");
  envp = g_environ_unsetenv (envp, "JOURNAL_STREAM");
  envp = g_environ_unsetenv (envp, "UMOCKDEV_DIR");
  envp = g_environ_unsetenv (envp, "LD_PRELOAD");
  envp = g_environ_setenv (envp, "DBUS_SYSTEM_BUS_ADDRESS", address != NULL ? address : "unix:path=/nonexistent",
                           TRUE);
  for (guint i = 0; extra != NULL && extra[i] != NULL; i++)
    {
      g_auto(GStrv) kv = g_strsplit (extra[i], "=", 2);
      envp = g_environ_setenv (envp, kv[0], kv[1], TRUE);
    }
  return envp;
}

static void
on_daemon_exited (GObject *source, GAsyncResult *result, gpointer user_data)
{
  DpugwTestDaemon *d = user_data;
  GSubprocess *process = G_SUBPROCESS (source);
  g_autofree char *pid_path = g_build_filename (d->tb->rundir, d->pid_file, NULL);

  if (!g_subprocess_wait_finish (process, result, NULL))
    return;
  d->exited = TRUE;
  if (g_subprocess_get_if_exited (process))
    d->exit_status = g_subprocess_get_exit_status (process);
  else
    {
      d->exit_status = -1;
      d->term_signal = g_subprocess_get_if_signaled (process) ? g_subprocess_get_term_sig (process) : 0;
    }
  g_unlink (pid_path);
}

/* The service's name is owned, by @d's process. */
static gboolean
owned_by (DpugwTestDaemon *d)
{
  return d->tb->owner != NULL && connection_pid (d->tb, d->tb->owner) == d->pid;
}

DpugwTestDaemon *
dpugw_test_daemon_start (DpugwTestBus *tb, const DpugwTestStart *how)
{
  g_autoptr(GSubprocessLauncher) launcher = launcher_new (G_SUBPROCESS_FLAGS_STDERR_MERGE);
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_auto(GStrv) envp = dpugw_test_daemon_environ (tb->address, how->env);
  g_autofree char *log_name = g_strdup_printf ("dpu-gatewayd-%u.log", tb->daemons->len);
  g_autoptr(GError) error = NULL;
  const char *root = how->sysfs_root != NULL ? how->sysfs_root : tb->root;
  DpugwTestDaemon *d = g_new0 (DpugwTestDaemon, 1);

  g_assert_nonnull (root);
  d->tb = tb;
  d->log_path = g_build_filename (tb->rundir, log_name, NULL);
  d->pid_file = g_strdup_printf ("dpu-gatewayd-%u.pid", tb->daemons->len);
  for (guint i = 0; how->wrapper != NULL && how->wrapper[i] != NULL; i++)
    g_ptr_array_add (argv, g_strdup (how->wrapper[i]));
  g_ptr_array_add (argv, dpugw_test_daemon_path ());
  g_ptr_array_add (argv, g_strdup ("--sysfs-root"));
  g_ptr_array_add (argv, g_strdup (root));
  for (guint i = 0; how->args != NULL && how->args[i] != NULL; i++)
    g_ptr_array_add (argv, g_strdup (how->args[i]));
  g_ptr_array_add (argv, NULL);

  g_subprocess_launcher_set_environ (launcher, envp);
  g_subprocess_launcher_set_stdout_file_path (launcher, d->log_path);
  d->process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  d->pid = (GPid) g_ascii_strtoll (g_subprocess_get_identifier (d->process), NULL, 10);
  write_pid_file (tb->rundir, d->pid_file, d->pid);
  g_subprocess_wait_async (d->process, NULL, on_daemon_exited, d);
  g_ptr_array_add (tb->daemons, d);
  tb->daemon = d;

  if (how->no_wait)
    return d;
  DPUGW_TEST_WAIT (owned_by (d) || d->exited, "dpu-gatewayd to own " DPUGW_TEST_NAME);
  if (d->exited)
    {
      dpugw_test_daemon_print_log (d);
      g_error ("dpu-gatewayd exited with status %d (signal %d) before owning the name", d->exit_status,
               d->term_signal);
    }
  if (how->ready)
    {
      dpugw_test_wait_ready (tb);
      dpugw_test_subscribe (tb);
    }
  return d;
}

int
dpugw_test_daemon_stop (DpugwTestDaemon *d)
{
  DpugwTestBus *tb = d->tb;

  if (!d->exited)
    {
      gboolean ok;

      g_subprocess_send_signal (d->process, SIGCONT);
      g_subprocess_send_signal (d->process, SIGTERM);
      DPUGW_TEST_POLL (ok, d->exited, DPUGW_TEST_WAIT_USEC);
      if (!ok)
        {
          g_subprocess_force_exit (d->process);
          DPUGW_TEST_WAIT (d->exited, "dpu-gatewayd to die of SIGKILL");
          dpugw_test_daemon_print_log (d);
          g_error ("dpu-gatewayd did not exit within %.0f s of SIGTERM: killed",
                   dpugw_test_usec (DPUGW_TEST_WAIT_USEC) / 1e6);
        }
    }
  /* It ended as the test asked. */
  d->expect_exit = TRUE;
  /* The name free again, and no signals recorded, for the next daemon; unless another one runs. */
  {
    gboolean others = FALSE;

    for (guint i = 0; i < tb->daemons->len; i++)
      others |= !((DpugwTestDaemon *) g_ptr_array_index (tb->daemons, i))->exited;
    if (!others && !tb->bus_down)
      DPUGW_TEST_WAIT (tb->owner == NULL, "the name to be released");
    if (!others)
      unsubscribe (tb);
  }
  return d->exit_status;
}

void
dpugw_test_daemon_signal (DpugwTestDaemon *d, int signo)
{
  g_assert_false (d->exited);
  g_assert_cmpint (kill (d->pid, signo), ==, 0);
}

char *
dpugw_test_daemon_log (DpugwTestDaemon *d)
{
  return dpugw_test_read_file (d->log_path);
}

gboolean
dpugw_test_daemon_log_contains (DpugwTestDaemon *d, const char *text)
{
  g_autofree char *log = dpugw_test_daemon_log (d);
  return strstr (log, text) != NULL;
}

guint
dpugw_test_daemon_log_count (DpugwTestDaemon *d, const char *text)
{
  g_autofree char *log = dpugw_test_daemon_log (d);
  return dpugw_test_count (log, text);
}

void
dpugw_test_daemon_print_log (DpugwTestDaemon *d)
{
  g_autofree char *log = dpugw_test_daemon_log (d);
  gsize len = strlen (log);

  g_printerr ("\n# ---- dpu-gatewayd log (%s)%s ----\n%s# ---- end ----\n", d->log_path,
              len > LOG_TAIL ? ", its end" : "", len > LOG_TAIL ? log + len - LOG_TAIL : log);
}

guint64
dpugw_test_daemon_rss_kib (DpugwTestDaemon *d)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/status", (int) d->pid);
  g_autofree char *status = dpugw_test_read_file (path);
  const char *line = strstr (status, "\nVmRSS:");

  g_assert_nonnull (line);
  return g_ascii_strtoull (line + strlen ("\nVmRSS:"), NULL, 10);
}

void
dpugw_test_wait_ready (DpugwTestBus *tb)
{
  DPUGW_TEST_WAIT (dpugw_test_get_generation (tb) >= 1, "Generation >= 1 (the first pass)");
}

static void
on_signal (GDBusConnection *connection, const char *sender, const char *object_path,
           const char *interface_name, const char *signal_name, GVariant *parameters, gpointer user_data)
{
  DpugwTestBus *tb = user_data;

  if (strcmp (signal_name, "GatewayChanged") == 0)
    g_ptr_array_add (tb->gateway_changed, g_variant_ref (parameters));
  else if (strcmp (signal_name, "TopologyChanged") == 0)
    g_ptr_array_add (tb->topology_changed, g_variant_ref (parameters));
  else if (strcmp (signal_name, "PropertiesChanged") == 0)
    g_ptr_array_add (tb->properties_changed, g_variant_ref (parameters));
}

void
dpugw_test_subscribe (DpugwTestBus *tb)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;

  if (tb->sub_ids[0] != 0)
    return;
  /* By the owner's unique name: the signals of this very process. */
  g_assert_nonnull (tb->owner);
  tb->sub_ids[0] = g_dbus_connection_signal_subscribe (tb->conn, tb->owner, DPUGW_TEST_IFACE, "GatewayChanged",
                                                       DPUGW_TEST_PATH, NULL, G_DBUS_SIGNAL_FLAGS_NONE, on_signal, tb,
                                                       NULL);
  tb->sub_ids[1] = g_dbus_connection_signal_subscribe (tb->conn, tb->owner, DPUGW_TEST_IFACE, "TopologyChanged",
                                                       DPUGW_TEST_PATH, NULL, G_DBUS_SIGNAL_FLAGS_NONE, on_signal, tb,
                                                       NULL);
  tb->sub_ids[2] = g_dbus_connection_signal_subscribe (tb->conn, tb->owner, DPUGW_TEST_PROPS, "PropertiesChanged",
                                                       DPUGW_TEST_PATH, DPUGW_TEST_IFACE, G_DBUS_SIGNAL_FLAGS_NONE,
                                                       on_signal, tb, NULL);
  /* The match rules are in place once a round trip to the bus has been made. */
  reply = g_dbus_connection_call_sync (tb->conn, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "GetId", NULL, G_VARIANT_TYPE ("(s)"),
                                       G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
  g_assert_no_error (error);
}

/* --- calls -------------------------------------------------------------------------------------------- */

GVariant *
dpugw_test_call_full (GDBusConnection *conn, const char *path, const char *iface, const char *method,
                      GVariant *params, const char *reply_type, int timeout_msec, GError **error)
{
  return g_dbus_connection_call_sync (conn, DPUGW_TEST_NAME, path, iface, method, params,
                                      reply_type != NULL ? G_VARIANT_TYPE (reply_type) : NULL,
                                      G_DBUS_CALL_FLAGS_NO_AUTO_START,
                                      dpugw_test_msec (timeout_msec >= 0 ? timeout_msec : DPUGW_TEST_CALL_MSEC),
                                      NULL, error);
}

GVariant *
dpugw_test_call (DpugwTestBus *tb, const char *iface, const char *method, GVariant *params, const char *reply_type,
                 GError **error)
{
  return dpugw_test_call_full (tb->conn, DPUGW_TEST_PATH, iface, method, params, reply_type, -1, error);
}

void
dpugw_test_ping (DpugwTestBus *tb)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = dpugw_test_call_full (tb->conn, DPUGW_TEST_PATH, "org.freedesktop.DBus.Peer", "Ping",
                                                    NULL, "()", DPUGW_TEST_HANG_MSEC, &error);

  g_assert_no_error (error);
  /* The signals are queued for dispatch before the reply is handed over: dispatch them. */
  dpugw_test_drain ();
}

void
dpugw_test_refresh (DpugwTestBus *tb)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = dpugw_test_call (tb, DPUGW_TEST_IFACE, "Refresh", NULL, "()", &error);

  g_assert_no_error (error);
}

GVariant *
dpugw_test_get_property (DpugwTestBus *tb, const char *property)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = dpugw_test_call (tb, DPUGW_TEST_PROPS, "Get",
                                               g_variant_new ("(ss)", DPUGW_TEST_IFACE, property), "(v)", &error);
  GVariant *value = NULL;

  g_assert_no_error (error);
  g_variant_get (reply, "(v)", &value);
  return value;
}

char *
dpugw_test_get_string (DpugwTestBus *tb, const char *property)
{
  g_autoptr(GVariant) value = dpugw_test_get_property (tb, property);

  g_assert_true (g_variant_is_of_type (value, G_VARIANT_TYPE_STRING));
  return g_variant_dup_string (value, NULL);
}

guint64
dpugw_test_get_generation (DpugwTestBus *tb)
{
  g_autoptr(GVariant) value = dpugw_test_get_property (tb, "Generation");

  g_assert_true (g_variant_is_of_type (value, G_VARIANT_TYPE_UINT64));
  return g_variant_get_uint64 (value);
}

gboolean
dpugw_test_string_property_is (DpugwTestBus *tb, const char *property, const char *expected)
{
  g_autofree char *value = dpugw_test_get_string (tb, property);

  return g_strcmp0 (value, expected) == 0;
}

gboolean
dpugw_test_resolves_to (DpugwTestBus *tb, const char *port, const char *expected)
{
  g_autoptr(GVariant) details = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *interface = dpugw_test_resolve_once (tb->conn, port, &details, &error);

  return g_strcmp0 (interface, expected) == 0;
}

GStrv
dpugw_test_topology_pf_netdevs (DpugwTestBus *tb, const char *pf_pci, guint64 *generation)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = dpugw_test_call (tb, DPUGW_TEST_IFACE, "GetTopology", NULL, "(taa{sv})", &error);
  g_autoptr(GVariant) pfs = NULL;
  guint64 generation_ = 0;
  GStrv netdevs = NULL;

  g_assert_no_error (error);
  g_variant_get (reply, "(t@aa{sv})", &generation_, &pfs);
  for (gsize i = 0; i < g_variant_n_children (pfs); i++)
    {
      g_autoptr(GVariant) pf = g_variant_get_child_value (pfs, i);
      const char *pci = NULL;

      if (g_variant_lookup (pf, "pci", "&s", &pci) && g_strcmp0 (pci, pf_pci) == 0)
        g_assert_true (g_variant_lookup (pf, "netdevs", "^as", &netdevs));
    }
  if (generation != NULL)
    *generation = generation_;
  return netdevs;
}

gboolean
dpugw_test_topology_pf_netdevs_are (DpugwTestBus *tb, const char *pf_pci, const char * const *expected)
{
  g_auto(GStrv) netdevs = dpugw_test_topology_pf_netdevs (tb, pf_pci, NULL);

  return netdevs != NULL && g_strv_equal ((const char * const *) netdevs, expected);
}

/* --- signals received ------------------------------------------------------------------------------- */

DpugwTestMark
dpugw_test_mark (DpugwTestBus *tb)
{
  return (DpugwTestMark) { tb->gateway_changed->len, tb->topology_changed->len, tb->properties_changed->len };
}

gboolean
dpugw_test_has_gateway_changed (DpugwTestBus *tb, guint from, const char *vf, const char *old_if, const char *new_if)
{
  for (guint i = from; i < tb->gateway_changed->len; i++)
    {
      const char *a, *b, *c;

      g_variant_get (g_ptr_array_index (tb->gateway_changed, i), "(&s&s&s)", &a, &b, &c);
      if (strcmp (a, vf) == 0 && strcmp (b, old_if) == 0 && strcmp (c, new_if) == 0)
        return TRUE;
    }
  return FALSE;
}

gboolean
dpugw_test_has_property_changed (DpugwTestBus *tb, guint from, const char *property, const char *value)
{
  for (guint i = from; i < tb->properties_changed->len; i++)
    {
      GVariant *params = g_ptr_array_index (tb->properties_changed, i);
      g_autoptr(GVariant) changed = g_variant_get_child_value (params, 1);
      const char *got;

      if (g_variant_lookup (changed, property, "&s", &got) && g_strcmp0 (got, value) == 0)
        return TRUE;
    }
  return FALSE;
}

gboolean
dpugw_test_has_property (DpugwTestBus *tb, guint from, const char *property)
{
  for (guint i = from; i < tb->properties_changed->len; i++)
    {
      GVariant *params = g_ptr_array_index (tb->properties_changed, i);
      g_autoptr(GVariant) changed = g_variant_get_child_value (params, 1);
      g_autoptr(GVariant) value = g_variant_lookup_value (changed, property, NULL);

      if (value != NULL)
        return TRUE;
    }
  return FALSE;
}

char *
dpugw_test_signals_since (GPtrArray *received, guint from)
{
  GString *out = g_string_new (NULL);

  for (guint i = from; i < received->len; i++)
    {
      g_autofree char *text = g_variant_print (g_ptr_array_index (received, i), FALSE);
      g_string_append_printf (out, "%s%s", out->len > 0 ? " " : "", text);
    }
  if (out->len == 0)
    g_string_append (out, "none");
  return g_string_free (out, FALSE);
}

/* --- dpu-gatewayctl ------------------------------------------------------------------------------------ */

void
dpugw_test_run_clear (DpugwTestRun *run)
{
  g_clear_pointer (&run->out, g_free);
  g_clear_pointer (&run->err, g_free);
}

char *
dpugw_test_ctl_path (void)
{
  const char *builddir = g_getenv ("DPUGW_TEST_BUILDDIR");

  g_assert_nonnull (builddir);
  return g_build_filename (builddir, "src", "ctl", "dpu-gatewayctl", NULL);
}

/* The client's environment: ours without any configuration, plus @extra. */
static char **
ctl_environ (const char * const *extra)
{
  char **envp = dpugw_test_environ_without_config (g_get_environ ());

  for (guint i = 0; extra != NULL && extra[i] != NULL; i++)
    {
      g_auto(GStrv) kv = g_strsplit (extra[i], "=", 2);
      envp = g_environ_setenv (envp, kv[0], kv[1], TRUE);
    }
  return envp;
}

void
dpugw_test_ctl (DpugwTestRun *run, const char * const *extra_env, const char * const *args)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_auto(GStrv) envp = ctl_environ (extra_env);
  g_autoptr(GError) error = NULL;
  int wait_status;

  g_ptr_array_add (argv, dpugw_test_ctl_path ());
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, g_strdup (args[i]));
  g_ptr_array_add (argv, NULL);

  spawner_pid = getpid ();
  g_assert_true (g_spawn_sync (NULL, (char **) argv->pdata, envp, G_SPAWN_DEFAULT,
                               dpugw_test_child_dies_with_parent, NULL, &run->out, &run->err, &wait_status, &error));
  g_assert_no_error (error);
  if (!WIFEXITED (wait_status))
    g_error ("dpu-gatewayctl did not exit (wait status %d); stderr: %s", wait_status, run->err);
  run->status = WEXITSTATUS (wait_status);
}

GSubprocess *
dpugw_test_ctl_spawn (GSubprocessFlags flags, const char * const *args)
{
  return dpugw_test_ctl_spawn_env (flags, NULL, args);
}

GSubprocess *
dpugw_test_ctl_spawn_env (GSubprocessFlags flags, const char * const *extra_env, const char * const *args)
{
  g_autoptr(GSubprocessLauncher) launcher = launcher_new (flags);
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_auto(GStrv) envp = ctl_environ (extra_env);
  g_autoptr(GError) error = NULL;
  GSubprocess *process;

  g_ptr_array_add (argv, dpugw_test_ctl_path ());
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, g_strdup (args[i]));
  g_ptr_array_add (argv, NULL);
  g_subprocess_launcher_set_environ (launcher, envp);
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  return process;
}

/* --- tests in subprocesses -------------------------------------------------------------------------- */

static void
run_case (gconstpointer data)
{
  const DpugwTestCase *tc = data;

  if (g_test_subprocess ())
    {
      DpugwTestBus tb;

      dpugw_test_bus_init (&tb, tc->recordings);
      tc->func (&tb);
      dpugw_test_bus_clear (&tb);
      return;
    }
  {
    g_autofree char *rundir = dpugw_test_tmpdir ("run");
    g_autofree char *report_path = g_build_filename (rundir, "report.txt", NULL);
    g_autofree char *report = NULL;
    g_auto(GStrv) lines = NULL;
    guint timeout_sec = tc->timeout_sec != 0 ? tc->timeout_sec : 90;

    g_setenv (RUNDIR_ENV, rundir, TRUE);
    g_test_trap_subprocess (NULL, dpugw_test_usec ((gint64) timeout_sec * G_USEC_PER_SEC),
                            G_TEST_SUBPROCESS_INHERIT_STDERR);
    g_unsetenv (RUNDIR_ENV);
    report = dpugw_test_read_file (report_path);
    lines = g_strsplit (report, "\n", -1);
    for (guint i = 0; lines[i] != NULL; i++)
      if (*lines[i] != '\0')
        g_test_message ("%s", lines[i]);
    if (!g_test_trap_has_passed ())
      {
        rundir_report (rundir);
        g_printerr ("# the test's subprocess failed%s\n",
                    g_test_trap_reached_timeout () ? " (it timed out)" : "");
        g_test_fail ();
      }
    dpugw_test_rm_rf (rundir);
  }
}

void
dpugw_test_add (const char *path, const DpugwTestCase *tc)
{
  /* A failed subprocess fails its test; the others still run (no "Bail out!"). */
  if (!g_test_subprocess ())
    g_test_set_nonfatal_assertions ();
  g_test_add_data_func (path, tc, run_case);
}
