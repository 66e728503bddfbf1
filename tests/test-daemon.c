/* SPDX-License-Identifier: Apache-2.0
 *
 * dpu-gatewayd, the real binary, on a private bus (GTestDBus) over fixture
 * hardware (umockdev recordings): the org.ovnk.DpuGateway contract of
 * dbus/org.ovnk.DpuGateway.xml, its errors, signals, properties, SIGHUP,
 * start-up and exit codes.
 *
 * Every wait is a poll of the main context with a deadline, never a sleep.
 */
#include "testbus.h"
#include "testlib.h"

#include <errno.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <locale.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define NAME      "org.ovnk.DpuGateway"
#define PATH      "/org/ovnk/DpuGateway"
#define IFACE     "org.ovnk.DpuGateway"
#define ERR       "org.ovnk.DpuGateway.Error."

#define EXAMPLE   "data/dpu-host-example.umockdev"
#define BLUEFIELD "tests/fixtures/bluefield-host.umockdev"
#define DOMAIN    "tests/fixtures/pci-domain.umockdev"
#define PF_NO_NET "tests/fixtures/pf-no-net.umockdev"
#define RENAMED   "tests/fixtures/renamed-mgmt.umockdev"
#define SWITCHDEV "tests/fixtures/switchdev.umockdev"
#define IGB       "tests/fixtures/igb-interleaved.umockdev"

#define EXAMPLE_PF "devices/pci0000:00/0000:00:02.0/0000:01:00.0"

/* The configuration flags of a DPU host whose management port is pf0vf0. */
#define CONFIGURED "--config-file=", "--ovnkube-node-mode=dpu-host", \
                   "--ovnkube-node-mgmt-port-netdev=pf0vf0", "--gateway-interface=derive-from-mgmt-port"

#define DEADLINE_USEC (20 * G_USEC_PER_SEC)
#define CALL_TIMEOUT_MSEC 30000

#define STRV(...) ((const char * const[]) { __VA_ARGS__, NULL })

/* ---------------------------------------------------------------------------
 * Waiting: iterate the main context until a condition holds, or fail.
 * ------------------------------------------------------------------------ */

static gboolean
set_flag (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

/* One iteration of the default main context, blocking at most 10 ms. */
static void
iterate_briefly (void)
{
  gboolean fired = FALSE;
  guint id = g_timeout_add (10, set_flag, &fired);

  g_main_context_iteration (NULL, TRUE);
  if (!fired)
    g_source_remove (id);
}

/* Dispatches everything already pending, without blocking. */
static void
drain (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

#define WAIT_UNTIL(cond, what)                                                     \
  G_STMT_START {                                                                   \
    gint64 wait_deadline_ = g_get_monotonic_time () + DEADLINE_USEC;               \
    while (!(cond))                                                                \
      {                                                                            \
        if (g_get_monotonic_time () > wait_deadline_)                              \
          g_error ("%s:%d: timed out waiting for %s", __FILE__, __LINE__, (what)); \
        iterate_briefly ();                                                        \
      }                                                                            \
  } G_STMT_END

/* ---------------------------------------------------------------------------
 * Files
 * ------------------------------------------------------------------------ */

/* rm -rf @path, without following symbolic links. */
static void
rm_rf (const char *path)
{
  GStatBuf st;

  if (g_lstat (path, &st) != 0)
    return;
  if (S_ISDIR (st.st_mode))
    {
      g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
      GDir *dir = g_dir_open (path, 0, NULL);
      const char *name;

      g_assert_nonnull (dir);
      while ((name = g_dir_read_name (dir)) != NULL)
        g_ptr_array_add (names, g_build_filename (path, name, NULL));
      g_dir_close (dir);
      for (guint i = 0; i < names->len; i++)
        rm_rf (g_ptr_array_index (names, i));
      if (g_rmdir (path) != 0)
        g_error ("rmdir %s: %s", path, g_strerror (errno));
    }
  else if (g_unlink (path) != 0)
    g_error ("unlink %s: %s", path, g_strerror (errno));
}

static char *
read_file (const char *path)
{
  g_autoptr(GError) error = NULL;
  char *contents = NULL;

  if (!g_file_get_contents (path, &contents, NULL, &error))
    return g_strdup ("");
  return contents;
}

static void
write_file (const char *path, const char *contents)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_set_contents (path, contents, -1, &error));
  g_assert_no_error (error);
}

/* ---------------------------------------------------------------------------
 * The run directory: the daemons' logs and process ids.  run_case() makes it
 * in the parent process and shows the logs when the test failed, however.
 * ------------------------------------------------------------------------ */

#define RUNDIR_ENV "DPUGW_TEST_DAEMON_RUNDIR"

static void
write_pid_file (const char *rundir, const char *name, pid_t pid)
{
  g_autofree char *path = g_build_filename (rundir, name, NULL);
  g_autofree char *text = g_strdup_printf ("%d\n", (int) pid);

  write_file (path, text);
}

static void
remove_pid_file (const char *rundir, const char *name)
{
  g_autofree char *path = g_build_filename (rundir, name, NULL);

  g_unlink (path);
}

/* After a failed test: every log to stderr, and whatever it left running killed. */
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
      g_autofree char *contents = read_file (path);

      if (g_str_has_suffix (file, ".log"))
        g_printerr ("\n# ---- %s ----\n%s# ---- end of %s ----\n", file, contents, file);
      else if (g_str_has_suffix (file, ".pid"))
        {
          pid_t pid = (pid_t) g_ascii_strtoll (contents, NULL, 10);
          g_autofree char *comm_path = g_strdup_printf ("/proc/%d/comm", (int) pid);
          g_autofree char *comm = read_file (comm_path);

          /* Only what we started, should the pid have been reused meanwhile. */
          if (pid > 1 && (g_str_has_prefix (comm, "dpu-gatewayd") || g_str_has_prefix (comm, "dbus-daemon")))
            kill (pid, g_str_has_prefix (file, "bus") ? SIGTERM : SIGKILL);
        }
    }
}

/* ---------------------------------------------------------------------------
 * The fixture: a private bus, a testbed, a client connection, daemons
 * ------------------------------------------------------------------------ */

typedef struct {
  GSubprocess *process;
  pid_t pid;
  char *log_path;
  char *pid_file;         /* in the run directory */
  const char *rundir;
  gboolean exited;
  int exit_status;       /* -1 if killed by a signal */
  gboolean allow_critical;
} Daemon;

typedef struct {
  GTestDBus *bus;
  gboolean bus_down;     /* a test stopped it */
  char *address;
  UMockdevTestbed *testbed;
  DpugwSysfs *sysfs;
  const char *root;
  char *tmpdir;
  const char *rundir;    /* the logs: run_case()'s directory, else tmpdir */
  GDBusConnection *conn;
  guint watch_id;
  char *owner;           /* the unique name owning NAME, NULL when none */
  guint owner_changes;
  GPtrArray *daemons;    /* Daemon */

  /* Signals, once subscribed. */
  guint sub_ids[3];
  GPtrArray *gateway_changed;    /* GVariant (sss) */
  GPtrArray *topology_changed;   /* GVariant (t) */
  GPtrArray *properties_changed; /* GVariant (sa{sv}as) */
} Fixture;

static void
on_name_appeared (GDBusConnection *connection, const char *name, const char *owner, gpointer user_data)
{
  Fixture *f = user_data;

  g_free (f->owner);
  f->owner = g_strdup (owner);
  f->owner_changes++;
}

static void
on_name_vanished (GDBusConnection *connection, const char *name, gpointer user_data)
{
  Fixture *f = user_data;

  if (f->owner != NULL)
    f->owner_changes++;
  g_clear_pointer (&f->owner, g_free);
}

static void
fixture_setup (Fixture *f, gconstpointer recording)
{
  g_autoptr(GError) error = NULL;

  f->testbed = dpugw_test_testbed_new (&f->sysfs, recording, NULL);
  f->root = dpugw_sysfs_get_root (f->sysfs);
  if (g_getenv (RUNDIR_ENV) != NULL)
    {
      /* Inside run_case()'s directory, which it removes whatever happens here. */
      f->tmpdir = g_build_filename (g_getenv (RUNDIR_ENV), "tmp-XXXXXX", NULL);
      g_assert_nonnull (g_mkdtemp (f->tmpdir));
      f->rundir = g_getenv (RUNDIR_ENV);
    }
  else
    {
      f->tmpdir = g_dir_make_tmp ("dpugw-test-daemon-XXXXXX", &error);
      g_assert_no_error (error);
      f->rundir = f->tmpdir;
    }

  f->bus = g_test_dbus_new (G_TEST_DBUS_NONE);
  g_test_dbus_up (f->bus);
  f->address = g_strdup (g_test_dbus_get_bus_address (f->bus));

  f->conn = g_dbus_connection_new_for_address_sync (f->address,
                                                    G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                                      G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                    NULL, NULL, &error);
  g_assert_no_error (error);
  g_dbus_connection_set_exit_on_close (f->conn, FALSE);
  {
    g_autoptr(GVariant) reply = g_dbus_connection_call_sync (f->conn, "org.freedesktop.DBus",
                                                             "/org/freedesktop/DBus", "org.freedesktop.DBus",
                                                             "GetConnectionUnixProcessID",
                                                             g_variant_new ("(s)", "org.freedesktop.DBus"),
                                                             G_VARIANT_TYPE ("(u)"), G_DBUS_CALL_FLAGS_NONE,
                                                             -1, NULL, NULL);
    guint32 pid = 0;
    if (reply != NULL)
      g_variant_get (reply, "(u)", &pid);
    if (pid > 1)
      write_pid_file (f->rundir, "bus.pid", (pid_t) pid);
  }
  f->watch_id = g_bus_watch_name_on_connection (f->conn, NAME, G_BUS_NAME_WATCHER_FLAGS_NONE,
                                                on_name_appeared, on_name_vanished, f, NULL);
  f->daemons = g_ptr_array_new ();
  f->gateway_changed = g_ptr_array_new_with_free_func ((GDestroyNotify) g_variant_unref);
  f->topology_changed = g_ptr_array_new_with_free_func ((GDestroyNotify) g_variant_unref);
  f->properties_changed = g_ptr_array_new_with_free_func ((GDestroyNotify) g_variant_unref);
}

static void
on_daemon_exited (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Daemon *d = user_data;
  GSubprocess *process = G_SUBPROCESS (source);

  g_assert_true (g_subprocess_wait_finish (process, result, NULL));
  d->exited = TRUE;
  d->exit_status = g_subprocess_get_if_exited (process) ? g_subprocess_get_exit_status (process) : -1;
  remove_pid_file (d->rundir, d->pid_file);
}

static gboolean
log_contains (Daemon *d, const char *text)
{
  g_autofree char *log = read_file (d->log_path);
  return strstr (log, text) != NULL;
}

static void
print_log (Daemon *d)
{
  g_autofree char *log = read_file (d->log_path);
  g_printerr ("\n# ---- dpu-gatewayd log (%s) ----\n%s", d->log_path, log);
}

static void
daemon_free (Daemon *d)
{
  g_free (d->pid_file);
  g_clear_object (&d->process);
  g_free (d->log_path);
  g_free (d);
}

/* SIGTERM, then its exit status (the test fails if it does not exit). */
static int
daemon_stop (Daemon *d)
{
  if (!d->exited)
    {
      g_subprocess_send_signal (d->process, SIGTERM);
      WAIT_UNTIL (d->exited, "dpu-gatewayd to exit after SIGTERM");
    }
  return d->exit_status;
}

static void
fixture_teardown (Fixture *f, gconstpointer unused)
{
  for (guint i = 0; i < f->daemons->len; i++)
    {
      Daemon *d = g_ptr_array_index (f->daemons, i);
      gboolean running = !d->exited;
      int status = daemon_stop (d);
      g_autofree char *log = read_file (d->log_path);

      if (g_test_failed () || (running && status != 0))
        print_log (d);
      if (running)
        g_assert_cmpint (status, ==, 0);
      /* A critical is a programming error, unless the test expects one (a lost name). */
      if (!d->allow_critical && strstr (log, "CRITICAL") != NULL)
        {
          print_log (d);
          g_error ("dpu-gatewayd logged a critical");
        }
      daemon_free (d);
    }
  g_ptr_array_unref (f->daemons);

  for (guint i = 0; i < G_N_ELEMENTS (f->sub_ids); i++)
    if (f->sub_ids[i] != 0)
      g_dbus_connection_signal_unsubscribe (f->conn, f->sub_ids[i]);
  g_bus_unwatch_name (f->watch_id);
  g_dbus_connection_close_sync (f->conn, NULL, NULL);
  drain ();
  g_clear_object (&f->conn);
  g_clear_pointer (&f->owner, g_free);
  g_ptr_array_unref (f->gateway_changed);
  g_ptr_array_unref (f->topology_changed);
  g_ptr_array_unref (f->properties_changed);

  if (!f->bus_down)
    g_test_dbus_down (f->bus);
  g_clear_object (&f->bus);
  g_free (f->address);

  rm_rf (f->tmpdir);
  g_free (f->tmpdir);
  g_clear_object (&f->sysfs);
  g_clear_object (&f->testbed);
}

static char *
daemon_path (void)
{
  const char *builddir = g_getenv ("DPUGW_TEST_BUILDDIR");

  g_assert_nonnull (builddir);
  return g_build_filename (builddir, "src", "daemon", "dpu-gatewayd", NULL);
}

/*
 * The daemon's environment: ours without any configuration or debugging
 * (G_DEBUG=fatal-warnings would turn its legitimate warnings into crashes),
 * with the private bus as the system bus, plus @extra ("K=V").
 */
static char **
daemon_environ (Fixture *f, const char * const *extra)
{
  char **envp = g_get_environ ();
  g_auto(GStrv) names = g_strdupv (envp);

  for (guint i = 0; names[i] != NULL; i++)
    {
      char *eq = strchr (names[i], '=');
      if (eq != NULL)
        *eq = '\0';
      if (g_str_has_prefix (names[i], "OVNKUBE_") || g_str_has_prefix (names[i], "PCIDEVICE_"))
        envp = g_environ_unsetenv (envp, names[i]);
    }
  envp = g_environ_unsetenv (envp, "G_DEBUG");
  envp = g_environ_unsetenv (envp, "G_MESSAGES_DEBUG");
  envp = g_environ_unsetenv (envp, "UMOCKDEV_DIR");
  envp = g_environ_unsetenv (envp, "LD_PRELOAD");
  envp = g_environ_setenv (envp, "DBUS_SYSTEM_BUS_ADDRESS", f != NULL ? f->address : "unix:path=/nonexistent",
                           TRUE);
  for (guint i = 0; extra != NULL && extra[i] != NULL; i++)
    {
      g_auto(GStrv) kv = g_strsplit (extra[i], "=", 2);
      envp = g_environ_setenv (envp, kv[0], kv[1], TRUE);
    }
  return envp;
}

/* Starts dpu-gatewayd --sysfs-root ROOT @args; its stdout and stderr go to a log file. */
static Daemon *
daemon_spawn (Fixture *f, const char * const *env, const char * const *args)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDERR_MERGE);
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_auto(GStrv) envp = daemon_environ (f, env);
  g_autoptr(GError) error = NULL;
  g_autofree char *log_name = g_strdup_printf ("daemon-%u.log", f->daemons->len);
  Daemon *d = g_new0 (Daemon, 1);

  d->rundir = f->rundir;
  d->log_path = g_build_filename (f->rundir, log_name, NULL);
  d->pid_file = g_strdup_printf ("daemon-%u.pid", f->daemons->len);
  g_ptr_array_add (argv, daemon_path ());
  g_ptr_array_add (argv, g_strdup ("--sysfs-root"));
  g_ptr_array_add (argv, g_strdup (f->root));
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, g_strdup (args[i]));
  g_ptr_array_add (argv, NULL);

  g_subprocess_launcher_set_environ (launcher, envp);
  g_subprocess_launcher_set_stdout_file_path (launcher, d->log_path);
  d->process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  d->pid = (pid_t) g_ascii_strtoll (g_subprocess_get_identifier (d->process), NULL, 10);
  write_pid_file (f->rundir, d->pid_file, d->pid);
  g_subprocess_wait_async (d->process, NULL, on_daemon_exited, d);
  g_ptr_array_add (f->daemons, d);
  return d;
}

/* Starts the daemon and waits until it owns the name. */
static Daemon *
daemon_start (Fixture *f, const char * const *env, const char * const *args)
{
  Daemon *d = daemon_spawn (f, env, args);

  WAIT_UNTIL (f->owner != NULL || d->exited, "dpu-gatewayd to own " NAME);
  if (d->exited)
    {
      print_log (d);
      g_error ("dpu-gatewayd exited with status %d before owning the name", d->exit_status);
    }
  return d;
}

#define START(f, ...) daemon_start ((f), NULL, STRV (__VA_ARGS__))
#define START_ENV(f, env, ...) daemon_start ((f), (env), STRV (__VA_ARGS__))

/* ---------------------------------------------------------------------------
 * Calls
 * ------------------------------------------------------------------------ */

static GVariant *
call (Fixture *f, const char *iface, const char *method, GVariant *params, const char *reply_type,
      GError **error)
{
  return g_dbus_connection_call_sync (f->conn, NAME, PATH, iface, method, params,
                                      reply_type != NULL ? G_VARIANT_TYPE (reply_type) : NULL,
                                      G_DBUS_CALL_FLAGS_NO_AUTO_START, CALL_TIMEOUT_MSEC, NULL, error);
}

static void
ping (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = call (f, "org.freedesktop.DBus.Peer", "Ping", NULL, "()", &error);

  g_assert_no_error (error);
}

/* Resolve(@port) and ResolveAll(@port), which must agree: the interface and ResolveAll's details. */
static char *
resolve (Fixture *f, const char *port, GVariant **details, GError **error)
{
  return dpugw_test_resolve (f->conn, port, details, error);
}

static GVariant *
get_property (Fixture *f, const char *property)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = call (f, "org.freedesktop.DBus.Properties", "Get",
                                    g_variant_new ("(ss)", IFACE, property), "(v)", &error);
  GVariant *value = NULL;

  g_assert_no_error (error);
  g_variant_get (reply, "(v)", &value);
  return value;
}

static char *
get_string (Fixture *f, const char *property)
{
  g_autoptr(GVariant) value = get_property (f, property);

  g_assert_true (g_variant_is_of_type (value, G_VARIANT_TYPE_STRING));
  return g_variant_dup_string (value, NULL);
}

static guint64
get_generation (Fixture *f)
{
  g_autoptr(GVariant) value = get_property (f, "Generation");

  g_assert_true (g_variant_is_of_type (value, G_VARIANT_TYPE_UINT64));
  return g_variant_get_uint64 (value);
}

/* The properties are set by the first pass, asynchronously after start-up. */
static void
wait_ready (Fixture *f)
{
  WAIT_UNTIL (get_generation (f) >= 1, "Generation >= 1");
}

static gboolean
string_property_is (Fixture *f, const char *property, const char *expected)
{
  g_autofree char *value = get_string (f, property);
  return g_strcmp0 (value, expected) == 0;
}

static const char *
lookup_string (GVariant *dict, const char *key)
{
  const char *value = NULL;

  if (!g_variant_lookup (dict, key, "&s", &value))
    g_error ("no string %s in %s", key, g_variant_print (dict, TRUE));
  return value;
}

static gboolean
lookup_boolean (GVariant *dict, const char *key)
{
  gboolean value;

  if (!g_variant_lookup (dict, key, "b", &value))
    g_error ("no boolean %s in %s", key, g_variant_print (dict, TRUE));
  return value;
}

static guint64
lookup_uint64 (GVariant *dict, const char *key)
{
  guint64 value;

  if (!g_variant_lookup (dict, key, "t", &value))
    g_error ("no uint64 %s in %s", key, g_variant_print (dict, TRUE));
  return value;
}

static guint32
lookup_uint32 (GVariant *dict, const char *key)
{
  guint32 value;

  if (!g_variant_lookup (dict, key, "u", &value))
    g_error ("no uint32 %s in %s", key, g_variant_print (dict, TRUE));
  return value;
}

static void
assert_strv_key (GVariant *dict, const char *key, const char * const *expected)
{
  g_autofree const char **value = NULL;

  if (!g_variant_lookup (dict, key, "^a&s", &value))
    g_error ("no string array %s in %s", key, g_variant_print (dict, TRUE));
  if (!g_strv_equal (value, expected))
    {
      g_autofree char *got = g_strjoinv (",", (char **) value);
      g_autofree char *want = g_strjoinv (",", (char **) expected);
      g_error ("%s: [%s], expected [%s]", key, got, want);
    }
}

/* The remote error name and the message without its "GDBus.Error:NAME: " prefix. */
static void
assert_remote_error (const GError *error, const char *name, const char *message)
{
  g_autofree char *remote = NULL;
  g_autoptr(GError) stripped = NULL;

  g_assert_nonnull (error);
  remote = g_dbus_error_get_remote_error (error);
  g_assert_cmpstr (remote, ==, name);
  stripped = g_error_copy (error);
  g_dbus_error_strip_remote_error (stripped);
  if (message != NULL)
    g_assert_cmpstr (stripped->message, ==, message);
}

/* The D-Bus error name of a libdpu-gateway error. */
static char *
dbus_name_of (const GError *error)
{
  g_assert_true (error->domain == DPUGW_ERROR);
  return g_strconcat (ERR, dpugw_error_code_to_name (error->code), NULL);
}

/* Resolve(@port) fails with what the library says for the same tree and @config, verbatim. */
static void
assert_resolve_fails_like_library (Fixture *f, const DpugwConfig *config, const char *port,
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
  interface = resolve (f, port, &details, &error);
  g_assert_null (interface);
  assert_remote_error (error, expected_name, lib_error->message);
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

/* ---------------------------------------------------------------------------
 * Signals
 * ------------------------------------------------------------------------ */

static void
on_signal (GDBusConnection *connection, const char *sender, const char *object_path,
           const char *interface_name, const char *signal_name, GVariant *parameters, gpointer user_data)
{
  Fixture *f = user_data;

  if (strcmp (signal_name, "GatewayChanged") == 0)
    g_ptr_array_add (f->gateway_changed, g_variant_ref (parameters));
  else if (strcmp (signal_name, "TopologyChanged") == 0)
    g_ptr_array_add (f->topology_changed, g_variant_ref (parameters));
  else if (strcmp (signal_name, "PropertiesChanged") == 0)
    g_ptr_array_add (f->properties_changed, g_variant_ref (parameters));
}

static void
subscribe (Fixture *f)
{
  f->sub_ids[0] = g_dbus_connection_signal_subscribe (f->conn, NAME, IFACE, "GatewayChanged", PATH, NULL,
                                                      G_DBUS_SIGNAL_FLAGS_NONE, on_signal, f, NULL);
  f->sub_ids[1] = g_dbus_connection_signal_subscribe (f->conn, NAME, IFACE, "TopologyChanged", PATH, NULL,
                                                      G_DBUS_SIGNAL_FLAGS_NONE, on_signal, f, NULL);
  f->sub_ids[2] = g_dbus_connection_signal_subscribe (f->conn, NAME, "org.freedesktop.DBus.Properties",
                                                      "PropertiesChanged", PATH, IFACE,
                                                      G_DBUS_SIGNAL_FLAGS_NONE, on_signal, f, NULL);
  /* The match rules are in place once a round trip to the bus has been made. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(GVariant) reply = g_dbus_connection_call_sync (f->conn, "org.freedesktop.DBus",
                                                             "/org/freedesktop/DBus", "org.freedesktop.DBus",
                                                             "GetId", NULL, G_VARIANT_TYPE ("(s)"),
                                                             G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
    g_assert_no_error (error);
  }
}

/* A PropertiesChanged received with @property set to the string @value. */
static gboolean
properties_changed_has (Fixture *f, const char *property, const char *value)
{
  for (guint i = 0; i < f->properties_changed->len; i++)
    {
      GVariant *params = g_ptr_array_index (f->properties_changed, i);
      g_autoptr(GVariant) changed = g_variant_get_child_value (params, 1);
      const char *got;

      if (g_variant_lookup (changed, property, "&s", &got) && g_strcmp0 (got, value) == 0)
        return TRUE;
    }
  return FALSE;
}

static void
refresh (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = call (f, IFACE, "Refresh", NULL, "()", &error);

  g_assert_no_error (error);
}

/* ===========================================================================
 * Resolve
 * ======================================================================== */

/* Resolve("pf0vf0"): every key and value of the details; the second answer from the cache. */
static void
test_resolve_netdev (Fixture *f, gconstpointer unused)
{
  g_autoptr(GVariant) details = NULL;
  g_autoptr(GVariant) details2 = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *interface = NULL;
  g_autofree char *interface2 = NULL;

  START (f, "--config-file=");
  wait_ready (f);

  interface = resolve (f, "pf0vf0", &details, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (interface, ==, "eth0");
  /* No sf and no hint for a VF whose PF has no representors. */
  g_assert_cmpuint (g_variant_n_children (details), ==, 9);
  g_assert_cmpstr (lookup_string (details, "selected-by"), ==, "first");
  g_assert_cmpstr (lookup_string (details, "function-type"), ==, "vf");
  g_assert_cmpstr (lookup_string (details, "mgmt-port"), ==, "pf0vf0");
  g_assert_cmpstr (lookup_string (details, "vf-pci"), ==, "0000:01:02.3");
  g_assert_cmpstr (lookup_string (details, "pf-pci"), ==, "0000:01:00.0");
  assert_strv_key (details, "candidates", STRV ("eth0", "eth1"));
  g_assert_cmpstr (lookup_string (details, "source"), ==, "derived");
  /* Nothing is configured, so nothing was resolved before this call. */
  g_assert_false (lookup_boolean (details, "cached"));
  g_assert_cmpuint (lookup_uint64 (details, "generation"), >, 0);

  interface2 = resolve (f, "pf0vf0", &details2, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (interface2, ==, "eth0");
  g_assert_true (lookup_boolean (details2, "cached"));
  g_assert_cmpuint (lookup_uint64 (details2, "generation"), >, 0);

  /* Resolve itself: the interface and exactly its four details, the second time from the reply it kept. */
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(GVariant) reply = call (f, IFACE, "Resolve", g_variant_new ("(s)", "pf0vf0"), "(sa{sv})", &error);
      g_autoptr(GVariant) lean = NULL;
      const char *name;

      g_assert_no_error (error);
      g_variant_get (reply, "(&s@a{sv})", &name, &lean);
      g_assert_cmpstr (name, ==, "eth0");
      g_assert_cmpuint (g_variant_n_children (lean), ==, 4);
      g_assert_cmpstr (lookup_string (lean, "mgmt-port"), ==, "pf0vf0");
      g_assert_cmpstr (lookup_string (lean, "vf-pci"), ==, "0000:01:02.3");
      g_assert_cmpstr (lookup_string (lean, "pf-pci"), ==, "0000:01:00.0");
      g_assert_cmpuint (lookup_uint64 (lean, "generation"), ==, lookup_uint64 (details2, "generation"));
    }
}

/* Resolve by VF PCI address. */
static void
test_resolve_pci (Fixture *f, gconstpointer unused)
{
  START (f, "--config-file=");
  wait_ready (f);

  {
    g_autoptr(GVariant) details = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree char *interface = resolve (f, "0000:01:02.4", &details, &error);

    g_assert_no_error (error);
    g_assert_cmpstr (interface, ==, "eth0");
    g_assert_cmpstr (lookup_string (details, "mgmt-port"), ==, "pf0vf1");
    g_assert_cmpstr (lookup_string (details, "vf-pci"), ==, "0000:01:02.4");
    g_assert_cmpstr (lookup_string (details, "pf-pci"), ==, "0000:01:00.0");
    assert_strv_key (details, "candidates", STRV ("eth0", "eth1"));
    g_assert_cmpstr (lookup_string (details, "source"), ==, "derived");
    g_assert_false (lookup_boolean (details, "cached"));
  }
  {
    g_autoptr(GVariant) details = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree char *upper = g_ascii_strup ("0000:01:02.3", -1);
    g_autofree char *interface = resolve (f, upper, &details, &error);

    g_assert_no_error (error);
    g_assert_cmpstr (interface, ==, "eth0");
    g_assert_cmpstr (lookup_string (details, "mgmt-port"), ==, "pf0vf0");
    g_assert_cmpstr (lookup_string (details, "vf-pci"), ==, "0000:01:02.3");
  }
}

/* A PCI address with hexadecimal letters, in upper case, is normalised. */
static void
test_resolve_pci_upper_case (Fixture *f, gconstpointer unused)
{
  g_autoptr(GVariant) details = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *interface = NULL;

  START (f, "--config-file=");
  wait_ready (f);

  interface = resolve (f, "0002:C1:00.2", &details, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (interface, ==, "enP2p193s0f0np0");
  g_assert_cmpstr (lookup_string (details, "vf-pci"), ==, "0002:c1:00.2");
  g_assert_cmpstr (lookup_string (details, "pf-pci"), ==, "0002:c1:00.0");
  g_assert_cmpstr (lookup_string (details, "mgmt-port"), ==, "enP2p193s0f0v0");
  g_assert_cmpstr (lookup_string (details, "source"), ==, "derived");
}

/* Resolve(""): the configured management port. */
static void
test_resolve_configured (Fixture *f, gconstpointer unused)
{
  g_autoptr(GVariant) details = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *interface = NULL;

  START (f, CONFIGURED);
  wait_ready (f);

  interface = resolve (f, "", &details, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (interface, ==, "eth0");
  g_assert_cmpstr (lookup_string (details, "mgmt-port"), ==, "pf0vf0");
  g_assert_cmpstr (lookup_string (details, "vf-pci"), ==, "0000:01:02.3");
  g_assert_cmpstr (lookup_string (details, "pf-pci"), ==, "0000:01:00.0");
  assert_strv_key (details, "candidates", STRV ("eth0", "eth1"));
  g_assert_cmpstr (lookup_string (details, "source"), ==, "derived");
  g_assert_cmpuint (lookup_uint64 (details, "generation"), >=, 1);
}

/* An explicit --gateway-interface=NAME is returned as is for "". */
static void
test_resolve_explicit (Fixture *f, gconstpointer unused)
{
  g_autoptr(GVariant) details = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *interface = NULL;

  START (f, "--config-file=", "--gateway-interface=eth7");
  wait_ready (f);

  interface = resolve (f, "", &details, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (interface, ==, "eth7");
  g_assert_cmpstr (lookup_string (details, "source"), ==, "explicit");
  g_assert_cmpstr (lookup_string (details, "mgmt-port"), ==, "");
  g_assert_cmpstr (lookup_string (details, "vf-pci"), ==, "");
  g_assert_cmpstr (lookup_string (details, "pf-pci"), ==, "");

  {
    g_autofree char *gw = get_string (f, "GatewayInterface");
    g_autofree char *last_error = get_string (f, "LastError");
    g_assert_cmpstr (gw, ==, "eth7");
    g_assert_cmpstr (last_error, ==, "");
  }
}

/* A management port named by the caller is resolved as named: source "derived",
 * even when it is the VF the configured port fell back to. */
static void
test_resolve_caller_port_is_derived (Fixture *f, gconstpointer unused)
{
  START (f, CONFIGURED);
  wait_ready (f);

  {
    g_autoptr(GVariant) details = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree char *interface = resolve (f, "", &details, &error);

    g_assert_no_error (error);
    g_assert_cmpstr (interface, ==, "eth0");
    g_assert_cmpstr (lookup_string (details, "source"), ==, "renamed-fallback");
    g_assert_cmpstr (lookup_string (details, "mgmt-port"), ==, "ovn-k8s-mp0");
  }
  {
    /* Asked for by name: no fallback, and it says so. */
    g_autoptr(GVariant) details = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree char *interface = resolve (f, "ovn-k8s-mp0", &details, &error);

    g_assert_no_error (error);
    g_assert_cmpstr (interface, ==, "eth0");
    g_assert_cmpstr (lookup_string (details, "mgmt-port"), ==, "ovn-k8s-mp0");
    g_assert_cmpstr (lookup_string (details, "vf-pci"), ==, "0000:01:02.3");
    g_assert_cmpstr (lookup_string (details, "source"), ==, "derived");
  }
  {
    g_autoptr(GVariant) details = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree char *interface = resolve (f, "0000:01:02.3", &details, &error);

    g_assert_no_error (error);
    g_assert_cmpstr (interface, ==, "eth0");
    g_assert_cmpstr (lookup_string (details, "source"), ==, "derived");
  }
  {
    /* And the configured name itself is not there: no fallback for a caller. */
    g_autoptr(GVariant) details = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree char *interface = resolve (f, "pf0vf0", &details, &error);

    g_assert_null (interface);
    assert_remote_error (error, ERR "PciAddress", NULL);
  }
}

/* The second Resolve of the same name comes from the cache, with the same data. */
static void
test_resolve_cached (Fixture *f, gconstpointer unused)
{
  g_autoptr(GVariant) first = NULL;
  g_autoptr(GVariant) second = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *if1 = NULL;
  g_autofree char *if2 = NULL;
  const char *keys[] = { "mgmt-port", "vf-pci", "pf-pci", "source" };

  START (f, "--config-file=");
  wait_ready (f);

  if1 = resolve (f, "pf0vf1", &first, &error);
  g_assert_no_error (error);
  g_assert_false (lookup_boolean (first, "cached"));
  if2 = resolve (f, "pf0vf1", &second, &error);
  g_assert_no_error (error);
  g_assert_true (lookup_boolean (second, "cached"));

  g_assert_cmpstr (if1, ==, if2);
  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    g_assert_cmpstr (lookup_string (first, keys[i]), ==, lookup_string (second, keys[i]));
  {
    g_autoptr(GVariant) c1 = g_variant_lookup_value (first, "candidates", G_VARIANT_TYPE_STRING_ARRAY);
    g_autoptr(GVariant) c2 = g_variant_lookup_value (second, "candidates", G_VARIANT_TYPE_STRING_ARRAY);
    g_assert_nonnull (c1);
    g_assert_true (g_variant_equal (c1, c2));
  }
  g_assert_cmpuint (lookup_uint64 (first, "generation"), ==, lookup_uint64 (second, "generation"));
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
test_concurrent_callers (Fixture *f, gconstpointer unused)
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
                            G_VARIANT_TYPE ("(sa{sv})"), G_DBUS_CALL_FLAGS_NO_AUTO_START, CALL_TIMEOUT_MSEC,
                            NULL, on_caller_reply, &callers[i]);
  WAIT_UNTIL (all_done (callers, N), "50 answers");

  for (guint i = 0; i < N; i++)
    {
      g_autoptr(GVariant) details = NULL;
      const char *interface;

      g_assert_no_error (callers[i].error);
      g_variant_get (callers[i].reply, "(&s@a{sv})", &interface, &details);
      g_assert_cmpstr (interface, ==, "eth0");
      g_assert_cmpstr (lookup_string (details, "vf-pci"), ==, callers[i].vf_pci);
      g_assert_cmpstr (lookup_string (details, "mgmt-port"), ==, callers[i].mgmt_port);
      g_assert_cmpstr (lookup_string (details, "pf-pci"), ==, "0000:01:00.0");
      g_assert_cmpuint (lookup_uint64 (details, "generation"), >, 0);
      /* Resolve's few: the rest is ResolveAll's. */
      g_assert_cmpuint (g_variant_n_children (details), ==, 4);
    }

  for (guint i = 0; i < N; i++)
    {
      g_dbus_connection_close_sync (callers[i].conn, NULL, NULL);
      g_clear_object (&callers[i].conn);
      g_clear_pointer (&callers[i].reply, g_variant_unref);
    }
  drain ();
  ping (f);
}

/* ===========================================================================
 * Errors: the D-Bus name of the code and the library's message, verbatim
 * ======================================================================== */

static void
test_error_invalid_argument (Fixture *f, gconstpointer unused)
{
  g_autoptr(DpugwConfig) config = empty_config ();
  g_autofree char *long_name = g_strnfill (64 * 1024, 'a');

  START (f, "--config-file=");
  wait_ready (f);

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
    g_autofree char *interface = resolve (f, "../x", &details, &error);
    g_assert_null (interface);
    assert_remote_error (error, ERR "InvalidArgument", "invalid network device name \"../x\": it contains '/'");
  }
  ping (f);
}

static void
test_error_not_configured (Fixture *f, gconstpointer unused)
{
  g_autoptr(DpugwConfig) config = empty_config ();

  START (f, "--config-file=");
  wait_ready (f);

  assert_resolve_fails_like_library (f, config, "", ERR "NotConfigured");
  /* Nothing configured is no error of the configuration's. */
  {
    g_autofree char *last_error = get_string (f, "LastError");
    g_autofree char *gw = get_string (f, "GatewayInterface");
    g_autofree char *mgmt = get_string (f, "ManagementPort");
    g_assert_cmpstr (last_error, ==, "");
    g_assert_cmpstr (gw, ==, "");
    g_assert_cmpstr (mgmt, ==, "");
  }
}

static void
test_error_pci_address (Fixture *f, gconstpointer unused)
{
  g_autoptr(DpugwConfig) config = empty_config ();
  g_autofree char *expected = g_strdup_printf ("failed to get PCI address: no network device pf0vf9 "
                                               "(%s/class/net/pf0vf9: No such file or directory)", f->root);

  START (f, "--config-file=");
  wait_ready (f);

  assert_resolve_fails_like_library (f, config, "pf0vf9", ERR "PciAddress");
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(GVariant) details = NULL;
    g_autofree char *interface = resolve (f, "pf0vf9", &details, &error);
    g_assert_null (interface);
    assert_remote_error (error, ERR "PciAddress", expected);
  }
  assert_resolve_fails_like_library (f, config, "lo", ERR "PciAddress");
}

static void
test_error_pf_pci_address (Fixture *f, gconstpointer unused)
{
  g_autoptr(DpugwConfig) config = empty_config ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) details = NULL;
  g_autofree char *interface = NULL;

  START (f, "--config-file=");
  wait_ready (f);

  interface = resolve (f, "eth0", &details, &error);
  g_assert_null (interface);
  assert_remote_error (error, ERR "PfPciAddress",
                       "failed to get PF PCI address: 0000:01:00.0 is not a virtual function (no physfn link): it is an SR-IOV physical function (2 of 8 VFs enabled); use one of its VFs as the management port");
  assert_resolve_fails_like_library (f, config, "eth0", ERR "PfPciAddress");
  assert_resolve_fails_like_library (f, config, "0000:01:00.0", ERR "PfPciAddress");
  assert_resolve_fails_like_library (f, config, "0000:01:02.7", ERR "PfPciAddress");
}

static void
test_error_netdev_discovery (Fixture *f, gconstpointer unused)
{
  g_autoptr(DpugwConfig) config = empty_config ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) details = NULL;
  g_autofree char *interface = NULL;

  START (f, "--config-file=");
  wait_ready (f);

  assert_resolve_fails_like_library (f, config, "pf0vf0", ERR "NetdevDiscovery");
  interface = resolve (f, "pf0vf0", &details, &error);
  g_assert_null (interface);
  assert_remote_error (error, ERR "NetdevDiscovery", NULL);
  {
    g_autoptr(GError) copy = g_error_copy (error);
    g_dbus_error_strip_remote_error (copy);
    g_assert_true (g_str_has_prefix (copy->message, "failed to get network devices: "));
  }
}

static void
test_error_no_netdevs (Fixture *f, gconstpointer unused)
{
  g_autoptr(DpugwConfig) config = empty_config ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) details = NULL;
  g_autofree char *interface = NULL;

  dpugw_test_mkdir (f->testbed, EXAMPLE_PF "/net");
  START (f, "--config-file=");
  wait_ready (f);

  interface = resolve (f, "pf0vf0", &details, &error);
  g_assert_null (interface);
  assert_remote_error (error, ERR "NoNetdevs", "no netdevs found for pci address 0000:01:00.0");
  assert_resolve_fails_like_library (f, config, "0000:01:02.3", ERR "NoNetdevs");
}

/* A call with the wrong signature is refused by GDBus; the daemon carries on. */
static void
test_error_wrong_signature (Fixture *f, gconstpointer unused)
{
  START (f, "--config-file=");
  wait_ready (f);

  {
    g_autoptr(GError) error = NULL;
    g_autoptr(GVariant) reply = call (f, IFACE, "Resolve", g_variant_new ("(u)", 7), NULL, &error);
    g_assert_null (reply);
    assert_remote_error (error, "org.freedesktop.DBus.Error.InvalidArgs", NULL);
  }
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(GVariant) reply = call (f, IFACE, "Resolve", g_variant_new ("(ss)", "pf0vf0", "x"), NULL, &error);
    g_assert_null (reply);
    assert_remote_error (error, "org.freedesktop.DBus.Error.InvalidArgs", NULL);
  }
  ping (f);
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(GVariant) details = NULL;
    g_autofree char *interface = resolve (f, "pf0vf0", &details, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (interface, ==, "eth0");
  }
  g_assert_false (((Daemon *) g_ptr_array_index (f->daemons, 0))->exited);
}

/* ===========================================================================
 * Properties
 * ======================================================================== */

static char *
daemon_version_output (void)
{
  g_autofree char *daemon = daemon_path ();
  g_auto(GStrv) envp = daemon_environ (NULL, NULL);
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
test_properties_configured (Fixture *f, gconstpointer unused)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) all = NULL;
  g_autofree char *version_out = daemon_version_output ();
  g_autofree char *expected_version_out = NULL;
  const char *version;

  START (f, CONFIGURED);
  wait_ready (f);

  reply = call (f, "org.freedesktop.DBus.Properties", "GetAll", g_variant_new ("(s)", IFACE), "(a{sv})", &error);
  g_assert_no_error (error);
  all = g_variant_get_child_value (reply, 0);
  g_assert_cmpuint (g_variant_n_children (all), ==, 6);
  g_assert_cmpstr (lookup_string (all, "ManagementPort"), ==, "pf0vf0");
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
  g_assert_cmpstr (lookup_string (all, "GatewayInterface"), ==, "eth0");
  g_assert_cmpstr (lookup_string (all, "LastError"), ==, "");
  g_assert_cmpuint (lookup_uint64 (all, "Generation"), >=, 1);
  version = lookup_string (all, "Version");
  g_assert_cmpstr (version, !=, "");
  expected_version_out = g_strdup_printf ("dpu-gatewayd %s\n", version);
  g_assert_cmpstr (version_out, ==, expected_version_out);

  /* Get says the same. */
  {
    g_autofree char *mgmt = get_string (f, "ManagementPort");
    g_autofree char *gw = get_string (f, "GatewayInterface");
    g_autofree char *last_error = get_string (f, "LastError");
    g_autofree char *v = get_string (f, "Version");
    g_assert_cmpstr (mgmt, ==, "pf0vf0");
    g_assert_cmpstr (gw, ==, "eth0");
    g_assert_cmpstr (last_error, ==, "");
    g_assert_cmpstr (v, ==, version);
    g_assert_cmpuint (get_generation (f), ==, lookup_uint64 (all, "Generation"));
  }
}

/* ovn-k8s-mp0 has taken the configured pf0vf0's place. */
static void
test_properties_renamed (Fixture *f, gconstpointer unused)
{
  START (f, CONFIGURED);
  wait_ready (f);

  {
    g_autofree char *mgmt = get_string (f, "ManagementPort");
    g_autofree char *gw = get_string (f, "GatewayInterface");
    g_autofree char *last_error = get_string (f, "LastError");
    g_assert_cmpstr (mgmt, ==, "ovn-k8s-mp0");
    g_assert_cmpstr (gw, ==, "eth0");
    g_assert_cmpstr (last_error, ==, "");
  }
}

/* The device plugin's VF, from the environment. */
static void
test_properties_device_plugin (Fixture *f, gconstpointer unused)
{
  const char *env[] = {
    "OVNKUBE_NODE_MGMT_PORT_DP_RESOURCE_NAME=nvidia.com/mgmt_vf",
    "PCIDEVICE_NVIDIA_COM_MGMT_VF=0000:01:02.4",
    NULL
  };

  START_ENV (f, env, "--config-file=", "--ovnkube-node-mode=dpu-host",
             "--gateway-interface=derive-from-mgmt-port");
  wait_ready (f);

  {
    g_autofree char *mgmt = get_string (f, "ManagementPort");
    g_autofree char *gw = get_string (f, "GatewayInterface");
    g_autofree char *last_error = get_string (f, "LastError");
    g_assert_cmpstr (mgmt, ==, "pf0vf1");
    g_assert_cmpstr (gw, ==, "eth0");
    g_assert_cmpstr (last_error, ==, "");
  }
  {
    g_autoptr(GVariant) details = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree char *interface = resolve (f, "", &details, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (interface, ==, "eth0");
    g_assert_cmpstr (lookup_string (details, "source"), ==, "device-plugin");
    g_assert_cmpstr (lookup_string (details, "vf-pci"), ==, "0000:01:02.4");
    g_assert_cmpstr (lookup_string (details, "mgmt-port"), ==, "pf0vf1");
  }
}

/* A configured netdev that does not resolve: no interface, and LastError says why. */
static void
test_properties_last_error (Fixture *f, gconstpointer unused)
{
  const char *message = "failed to get PF PCI address: 0000:01:00.0 is not a virtual function (no physfn link): it is an SR-IOV physical function (2 of 8 VFs enabled); use one of its VFs as the management port";

  START (f, "--config-file=", "--ovnkube-node-mode=dpu-host", "--ovnkube-node-mgmt-port-netdev=eth0",
         "--gateway-interface=derive-from-mgmt-port");
  wait_ready (f);

  {
    g_autofree char *gw = get_string (f, "GatewayInterface");
    g_autofree char *last_error = get_string (f, "LastError");
    g_autofree char *mgmt = get_string (f, "ManagementPort");
    g_assert_cmpstr (gw, ==, "");
    g_assert_cmpstr (last_error, ==, message);
    g_assert_cmpstr (mgmt, ==, "eth0");
  }
  {
    g_autoptr(GVariant) details = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree char *interface = resolve (f, "", &details, &error);
    g_assert_null (interface);
    assert_remote_error (error, ERR "PfPciAddress", message);
  }
}

/* ===========================================================================
 * GetTopology
 * ======================================================================== */

static void
assert_vf (GVariant *vfs, guint index, const char *pci, const char *netdev)
{
  g_autoptr(GVariant) vf = g_variant_get_child_value (vfs, index);

  g_assert_cmpuint (lookup_uint32 (vf, "index"), ==, index);
  g_assert_cmpstr (lookup_string (vf, "pci"), ==, pci);
  assert_strv_key (vf, "netdevs", STRV (netdev));
}

static GVariant *
get_topology (Fixture *f, guint64 *generation)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = call (f, IFACE, "GetTopology", NULL, "(taa{sv})", &error);
  GVariant *pfs = NULL;

  g_assert_no_error (error);
  g_variant_get (reply, "(t@aa{sv})", generation, &pfs);
  return pfs;
}

static void
test_topology_bluefield (Fixture *f, gconstpointer unused)
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
  wait_ready (f);

  pfs = get_topology (f, &generation);
  g_assert_cmpuint (generation, ==, get_generation (f));
  g_assert_cmpuint (g_variant_n_children (pfs), ==, 2);
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(GVariant) pf = g_variant_get_child_value (pfs, i);
      g_autoptr(GVariant) vfs = g_variant_lookup_value (pf, "vfs", G_VARIANT_TYPE ("aa{sv}"));

      g_assert_cmpstr (lookup_string (pf, "pci"), ==, expected[i].pci);
      assert_strv_key (pf, "netdevs", STRV (expected[i].netdev));
      g_assert_cmpstr (lookup_string (pf, "driver"), ==, "mlx5_core");
      g_assert_cmpuint (lookup_uint32 (pf, "total-vfs"), ==, 16);
      g_assert_cmpuint (lookup_uint32 (pf, "num-vfs"), ==, 3);
      g_assert_false (g_variant_lookup (pf, "switch-id", "&s", NULL));
      g_assert_cmpuint (g_variant_n_children (pf), ==, 6);
      g_assert_nonnull (vfs);
      g_assert_cmpuint (g_variant_n_children (vfs), ==, 3);
      for (guint j = 0; j < 3; j++)
        assert_vf (vfs, j, expected[i].vfs[j], expected[i].vf_netdevs[j]);
    }
}

static void
test_topology_switchdev (Fixture *f, gconstpointer unused)
{
  g_autoptr(GVariant) pfs = NULL;
  g_autoptr(GVariant) pf = NULL;
  g_autoptr(GVariant) vfs = NULL;
  guint64 generation;

  START (f, "--config-file=");
  wait_ready (f);

  pfs = get_topology (f, &generation);
  g_assert_cmpuint (generation, >=, 1);
  g_assert_cmpuint (g_variant_n_children (pfs), ==, 1);
  pf = g_variant_get_child_value (pfs, 0);
  g_assert_cmpstr (lookup_string (pf, "pci"), ==, "0000:3b:00.0");
  assert_strv_key (pf, "netdevs", STRV ("eth0", "eth1", "eth2", "pf0"));
  g_assert_cmpstr (lookup_string (pf, "switch-id"), ==, "8c2a8e0003c6b10c");
  g_assert_cmpuint (lookup_uint32 (pf, "total-vfs"), ==, 8);
  g_assert_cmpuint (lookup_uint32 (pf, "num-vfs"), ==, 3);
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
test_refresh_changed (Fixture *f, gconstpointer unused)
{
  guint64 before, generation;
  const char *vf, *old_if, *new_if;
  g_autofree char *eth0_dir = NULL;
  g_autofree char *eth0_link = NULL;

  START (f, CONFIGURED);
  wait_ready (f);
  before = get_generation (f);
  subscribe (f);

  eth0_dir = dpugw_test_path (f->testbed, EXAMPLE_PF "/net/eth0");
  eth0_link = dpugw_test_path (f->testbed, "class/net/eth0");
  rm_rf (eth0_dir);
  rm_rf (eth0_link);

  refresh (f);
  WAIT_UNTIL (f->gateway_changed->len >= 1 && f->topology_changed->len >= 1 &&
                properties_changed_has (f, "GatewayInterface", "eth1"),
              "GatewayChanged, TopologyChanged and PropertiesChanged");
  ping (f);
  drain ();

  g_assert_cmpuint (f->gateway_changed->len, ==, 1);
  g_variant_get (g_ptr_array_index (f->gateway_changed, 0), "(&s&s&s)", &vf, &old_if, &new_if);
  g_assert_cmpstr (vf, ==, "0000:01:02.3");
  g_assert_cmpstr (old_if, ==, "eth0");
  g_assert_cmpstr (new_if, ==, "eth1");

  g_assert_cmpuint (f->topology_changed->len, ==, 1);
  g_variant_get (g_ptr_array_index (f->topology_changed, 0), "(t)", &generation);
  g_assert_cmpuint (generation, >, before);
  g_assert_cmpuint (get_generation (f), ==, generation);

  {
    g_autoptr(GVariant) details = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree char *interface = resolve (f, "pf0vf0", &details, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (interface, ==, "eth1");
    assert_strv_key (details, "candidates", STRV ("eth1"));
    g_assert_cmpuint (lookup_uint64 (details, "generation"), ==, generation);
  }
  {
    g_autofree char *gw = get_string (f, "GatewayInterface");
    g_assert_cmpstr (gw, ==, "eth1");
  }
  {
    g_autoptr(GVariant) pfs = NULL;
    g_autoptr(GVariant) pf = NULL;
    guint64 topology_generation;

    pfs = get_topology (f, &topology_generation);
    g_assert_cmpuint (topology_generation, ==, generation);
    pf = g_variant_get_child_value (pfs, 0);
    assert_strv_key (pf, "netdevs", STRV ("eth1"));
  }
}

/* Refresh with nothing changed: no GatewayChanged, no TopologyChanged, same Generation. */
static void
test_refresh_unchanged (Fixture *f, gconstpointer unused)
{
  guint64 before;

  START (f, CONFIGURED);
  wait_ready (f);
  before = get_generation (f);
  subscribe (f);

  refresh (f);
  ping (f);
  drain ();
  refresh (f);
  ping (f);
  drain ();

  g_assert_cmpuint (f->gateway_changed->len, ==, 0);
  g_assert_cmpuint (f->topology_changed->len, ==, 0);
  g_assert_cmpuint (get_generation (f), ==, before);
  {
    g_autofree char *gw = get_string (f, "GatewayInterface");
    g_assert_cmpstr (gw, ==, "eth0");
  }
}

/* Root's Refresh returns (the tests run as root). */
static void
test_refresh_root (Fixture *f, gconstpointer unused)
{
  g_assert_cmpuint (getuid (), ==, 0);
  START (f, CONFIGURED);
  wait_ready (f);
  refresh (f);
  ping (f);
}

/* ===========================================================================
 * SIGHUP
 * ======================================================================== */

static void
test_sighup (Fixture *f, gconstpointer unused)
{
  g_autofree char *path = g_build_filename (f->tmpdir, "ovnkube.conf", NULL);
  g_autofree char *file_arg = g_strconcat ("--config-file=", path, NULL);
  Daemon *d;

  write_file (path, "[OvnKubeNode]\nmode=dpu-host\nmgmt-port-netdev=pf0vf0\n\n"
                    "[Gateway]\ninterface=derive-from-mgmt-port\n");
  d = START (f, file_arg);
  WAIT_UNTIL (string_property_is (f, "ManagementPort", "pf0vf0") && get_generation (f) >= 1,
              "ManagementPort pf0vf0");
  {
    g_autofree char *gw = get_string (f, "GatewayInterface");
    g_assert_cmpstr (gw, ==, "eth0");
  }

  write_file (path, "[OvnKubeNode]\nmode=dpu-host\nmgmt-port-netdev=pf0vf1\n\n"
                    "[Gateway]\ninterface=derive-from-mgmt-port\n");
  g_subprocess_send_signal (d->process, SIGHUP);
  WAIT_UNTIL (string_property_is (f, "ManagementPort", "pf0vf1"), "ManagementPort pf0vf1 after SIGHUP");
  {
    g_autoptr(GVariant) details = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree char *interface = resolve (f, "", &details, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (interface, ==, "eth0");
    g_assert_cmpstr (lookup_string (details, "vf-pci"), ==, "0000:01:02.4");
  }

  /* A broken file: the daemon keeps the configuration it has. */
  write_file (path, "[OvnKubeNode]\nmode=bogus\nmgmt-port-netdev=pf0vf0\n");
  g_subprocess_send_signal (d->process, SIGHUP);
  ping (f);
  WAIT_UNTIL (log_contains (d, "keeping the previous configuration"), "the daemon to handle the second SIGHUP");
  ping (f);
  g_assert_false (d->exited);
  {
    g_autofree char *mgmt = get_string (f, "ManagementPort");
    g_autofree char *gw = get_string (f, "GatewayInterface");
    g_assert_cmpstr (mgmt, ==, "pf0vf1");
    g_assert_cmpstr (gw, ==, "eth0");
  }
  {
    g_autoptr(GVariant) details = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree char *interface = resolve (f, "", &details, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (lookup_string (details, "vf-pci"), ==, "0000:01:02.4");
  }
}

/* SIGHUP changes an explicit gateway interface: GatewayChanged("", old, new). */
static void
test_sighup_explicit (Fixture *f, gconstpointer unused)
{
  g_autofree char *path = g_build_filename (f->tmpdir, "ovnkube.conf", NULL);
  g_autofree char *file_arg = g_strconcat ("--config-file=", path, NULL);
  const char *vf, *old_if, *new_if;
  Daemon *d;

  write_file (path, "[Gateway]\ninterface=eth7\n");
  d = START (f, file_arg);
  WAIT_UNTIL (string_property_is (f, "GatewayInterface", "eth7"), "GatewayInterface eth7");
  subscribe (f);

  write_file (path, "[Gateway]\ninterface=eth8\n");
  g_subprocess_send_signal (d->process, SIGHUP);
  WAIT_UNTIL (f->gateway_changed->len >= 1 && properties_changed_has (f, "GatewayInterface", "eth8"),
              "GatewayChanged and PropertiesChanged after SIGHUP");
  ping (f);
  drain ();

  g_assert_cmpuint (f->gateway_changed->len, ==, 1);
  g_variant_get (g_ptr_array_index (f->gateway_changed, 0), "(&s&s&s)", &vf, &old_if, &new_if);
  g_assert_cmpstr (vf, ==, "");
  g_assert_cmpstr (old_if, ==, "eth7");
  g_assert_cmpstr (new_if, ==, "eth8");
  g_assert_cmpuint (f->topology_changed->len, ==, 0);
  {
    g_autoptr(GVariant) details = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree char *interface = resolve (f, "", &details, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (interface, ==, "eth8");
    g_assert_cmpstr (lookup_string (details, "source"), ==, "explicit");
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
test_startup_invalid_config (Fixture *f, gconstpointer unused)
{
  g_autofree char *daemon = daemon_path ();
  g_auto(GStrv) envp = daemon_environ (f, NULL);
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
  drain ();
  g_assert_cmpuint (watch.new_connections, ==, 0);
  g_assert_null (f->owner);
  g_dbus_connection_signal_unsubscribe (f->conn, sub);
}

/* A bad option: exit 2 with the reason. */
static void
test_startup_bad_option (Fixture *f, gconstpointer unused)
{
  g_autofree char *daemon = daemon_path ();
  g_auto(GStrv) envp = daemon_environ (f, NULL);
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
test_startup_version (Fixture *f, gconstpointer unused)
{
  g_autofree char *out = daemon_version_output ();

  g_assert_true (g_str_has_prefix (out, "dpu-gatewayd "));
  g_assert_true (g_str_has_suffix (out, "\n"));
  g_assert_cmpuint (strlen (out), >, strlen ("dpu-gatewayd \n"));
  g_assert_true (g_ascii_isdigit (out[strlen ("dpu-gatewayd ")]));
}

/* A second daemon without --replace: exit 1; the first keeps the name. */
static void
test_startup_second_instance (Fixture *f, gconstpointer unused)
{
  Daemon *first, *second;
  g_autofree char *first_owner = NULL;

  first = START (f, CONFIGURED);
  wait_ready (f);
  first_owner = g_strdup (f->owner);

  second = daemon_spawn (f, NULL, STRV (CONFIGURED));
  second->allow_critical = TRUE;
  WAIT_UNTIL (second->exited, "the second daemon to exit");
  g_assert_cmpint (second->exit_status, ==, 1);

  ping (f);
  drain ();
  g_assert_false (first->exited);
  g_assert_cmpstr (f->owner, ==, first_owner);
  {
    g_autoptr(GVariant) details = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree char *interface = resolve (f, "pf0vf0", &details, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (interface, ==, "eth0");
  }
}

/* --replace: the second daemon takes the name, the first exits 1. */
static void
test_startup_replace (Fixture *f, gconstpointer unused)
{
  Daemon *first, *second;
  g_autofree char *first_owner = NULL;

  first = START (f, CONFIGURED);
  wait_ready (f);
  first_owner = g_strdup (f->owner);
  first->allow_critical = TRUE;

  second = daemon_spawn (f, NULL, STRV (CONFIGURED, "--replace"));
  WAIT_UNTIL (first->exited, "the first daemon to exit");
  g_assert_cmpint (first->exit_status, ==, 1);
  WAIT_UNTIL (f->owner != NULL && g_strcmp0 (f->owner, first_owner) != 0, "the second daemon to own the name");
  g_assert_false (second->exited);
  wait_ready (f);
  {
    g_autoptr(GVariant) details = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree char *interface = resolve (f, "pf0vf0", &details, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (interface, ==, "eth0");
  }
  /* Teardown: the second one ends with 0 on SIGTERM. */
}

/* SIGINT ends it with 0, like SIGTERM. */
static void
test_startup_sigint (Fixture *f, gconstpointer unused)
{
  Daemon *d = START (f, "--config-file=");

  wait_ready (f);
  g_subprocess_send_signal (d->process, SIGINT);
  WAIT_UNTIL (d->exited, "the daemon to exit after SIGINT");
  g_assert_cmpint (d->exit_status, ==, 0);
}

/* No bus to be had: exit 1. */
static void
test_startup_no_bus (Fixture *f, gconstpointer unused)
{
  g_autofree char *daemon = daemon_path ();
  g_autofree char *socket = g_build_filename (f->tmpdir, "no-bus-here", NULL);
  g_autofree char *address = g_strconcat ("unix:path=", socket, NULL);
  g_auto(GStrv) envp = daemon_environ (f, NULL);
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
test_bus_lost (Fixture *f, gconstpointer unused)
{
  Daemon *d = START (f, CONFIGURED);

  wait_ready (f);
  d->allow_critical = TRUE;
  g_test_dbus_down (f->bus);
  f->bus_down = TRUE;
  WAIT_UNTIL (d->exited, "the daemon to exit after losing the bus");
  g_assert_cmpint (d->exit_status, ==, 1);
}

/* Resolve(@port) once: TRUE with the answer, FALSE while it fails with PciAddress. */
static gboolean
try_resolve (Fixture *f, const char *port, char **interface, GVariant **details)
{
  g_autoptr(GError) error = NULL;

  g_clear_pointer (interface, g_free);
  g_clear_pointer (details, g_variant_unref);
  *interface = resolve (f, port, details, &error);
  if (*interface != NULL)
    return TRUE;
  assert_remote_error (error, ERR "PciAddress", NULL);
  return FALSE;
}

/* A failed lookup is remembered for a few seconds only: the port that appears is found. */
static void
test_failure_expires (Fixture *f, gconstpointer unused)
{
  g_autoptr(GError) first_error = NULL;
  g_autoptr(GVariant) first_details = NULL;
  g_autofree char *first = NULL;
  g_autofree char *interface = NULL;
  g_autoptr(GVariant) details = NULL;

  START (f, "--config-file=");
  wait_ready (f);

  first = resolve (f, "pf0vf9", &first_details, &first_error);
  g_assert_null (first);
  assert_remote_error (first_error, ERR "PciAddress", NULL);

  /* VF 0000:01:02.4 gets a second netdev, pf0vf9. */
  dpugw_test_mkdir (f->testbed, "devices/pci0000:00/0000:00:02.0/0000:01:02.4/net/pf0vf9");
  dpugw_test_symlink (f->testbed, "../../../0000:01:02.4",
                      "devices/pci0000:00/0000:00:02.0/0000:01:02.4/net/pf0vf9/device");
  dpugw_test_symlink (f->testbed, "../../devices/pci0000:00/0000:00:02.0/0000:01:02.4/net/pf0vf9",
                      "class/net/pf0vf9");

  /* Until the remembered failure has expired: a few seconds. */
  WAIT_UNTIL (try_resolve (f, "pf0vf9", &interface, &details), "pf0vf9 to resolve");
  g_assert_cmpstr (interface, ==, "eth0");
  g_assert_cmpstr (lookup_string (details, "vf-pci"), ==, "0000:01:02.4");
  g_assert_cmpstr (lookup_string (details, "mgmt-port"), ==, "pf0vf9");
}

/* The configured port can no longer be resolved: GatewayChanged to "", and LastError says why. */
static void
test_refresh_unresolvable (Fixture *f, gconstpointer unused)
{
  const char *vf, *old_if, *new_if;

  START (f, CONFIGURED);
  wait_ready (f);
  subscribe (f);

  for (guint i = 0; i < 2; i++)
    {
      const char *netdev = i == 0 ? "eth0" : "eth1";
      g_autofree char *rel = g_strconcat (EXAMPLE_PF "/net/", netdev, NULL);
      g_autofree char *dir = dpugw_test_path (f->testbed, rel);
      g_autofree char *link_rel = g_strconcat ("class/net/", netdev, NULL);
      g_autofree char *link = dpugw_test_path (f->testbed, link_rel);
      rm_rf (dir);
      rm_rf (link);
    }
  refresh (f);
  WAIT_UNTIL (f->gateway_changed->len >= 1 && properties_changed_has (f, "GatewayInterface", ""),
              "GatewayChanged and PropertiesChanged");
  ping (f);
  drain ();

  g_assert_cmpuint (f->gateway_changed->len, ==, 1);
  g_variant_get (g_ptr_array_index (f->gateway_changed, 0), "(&s&s&s)", &vf, &old_if, &new_if);
  g_assert_cmpstr (vf, ==, "0000:01:02.3");
  g_assert_cmpstr (old_if, ==, "eth0");
  g_assert_cmpstr (new_if, ==, "");
  {
    g_autofree char *gw = get_string (f, "GatewayInterface");
    g_autofree char *last_error = get_string (f, "LastError");
    g_autofree char *mgmt = get_string (f, "ManagementPort");
    g_assert_cmpstr (gw, ==, "");
    g_assert_cmpstr (last_error, ==, "no netdevs found for pci address 0000:01:00.0");
    g_assert_cmpstr (mgmt, ==, "pf0vf0");
  }
  {
    g_autoptr(GVariant) details = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree char *interface = resolve (f, "", &details, &error);
    g_assert_null (interface);
    assert_remote_error (error, ERR "NoNetdevs", "no netdevs found for pci address 0000:01:00.0");
  }
}

/* Several Refresh calls at once: every one is answered. */
static void
test_refresh_concurrent (Fixture *f, gconstpointer unused)
{
  enum { N = 8 };
  Caller callers[N] = { 0 };

  START (f, CONFIGURED);
  for (guint i = 0; i < N; i++)
    g_dbus_connection_call (f->conn, NAME, PATH, IFACE, "Refresh", NULL, G_VARIANT_TYPE ("()"),
                            G_DBUS_CALL_FLAGS_NO_AUTO_START, CALL_TIMEOUT_MSEC, NULL, on_caller_reply, &callers[i]);
  WAIT_UNTIL (all_done (callers, N), "every Refresh to return");
  for (guint i = 0; i < N; i++)
    {
      g_assert_no_error (callers[i].error);
      g_clear_pointer (&callers[i].reply, g_variant_unref);
    }
  g_assert_cmpuint (get_generation (f), >=, 1);
  {
    g_autofree char *gw = get_string (f, "GatewayInterface");
    g_assert_cmpstr (gw, ==, "eth0");
  }
}

/* The device plugin's VF has no netdev (vfio-pci): ManagementPort is its PCI address. */
static void
test_properties_device_plugin_vfio (Fixture *f, gconstpointer unused)
{
  const char *env[] = {
    "OVNKUBE_NODE_MGMT_PORT_DP_RESOURCE_NAME=intel.com/mgmt",
    "PCIDEVICE_INTEL_COM_MGMT=0000:02:10.2",
    NULL
  };

  START_ENV (f, env, "--config-file=", "--ovnkube-node-mode=dpu-host",
             "--gateway-interface=derive-from-mgmt-port");
  wait_ready (f);

  {
    g_autofree char *mgmt = get_string (f, "ManagementPort");
    g_autofree char *gw = get_string (f, "GatewayInterface");
    g_autofree char *last_error = get_string (f, "LastError");
    g_assert_cmpstr (mgmt, ==, "0000:02:10.2");
    g_assert_cmpstr (gw, ==, "enp2s0f0");
    g_assert_cmpstr (last_error, ==, "");
  }
  {
    g_autoptr(GVariant) details = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree char *interface = resolve (f, "", &details, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (interface, ==, "enp2s0f0");
    g_assert_cmpstr (lookup_string (details, "mgmt-port"), ==, "");
    g_assert_cmpstr (lookup_string (details, "vf-pci"), ==, "0000:02:10.2");
    g_assert_cmpstr (lookup_string (details, "pf-pci"), ==, "0000:02:00.0");
    g_assert_cmpstr (lookup_string (details, "source"), ==, "device-plugin");
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
test_introspect (Fixture *f, gconstpointer unused)
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
  reply = call (f, "org.freedesktop.DBus.Introspectable", "Introspect", NULL, "(s)", &error);
  g_assert_no_error (error);
  g_variant_get (reply, "(&s)", &xml);

  served = interface_xml (xml);
  expected = interface_xml (file_xml);
  g_assert_cmpstr (served, ==, expected);
}

/*
 * Each test runs in a subprocess of its own: a failed assertion there ends that
 * test only (printing the daemon's log), and the others still run.
 */
typedef struct {
  const char *recording;
  void (*func) (Fixture *f, gconstpointer unused);
} TestCase;

static void
run_case (gconstpointer data)
{
  const TestCase *tc = data;

  if (g_test_subprocess ())
    {
      Fixture f = { 0 };

      fixture_setup (&f, tc->recording);
      tc->func (&f, NULL);
      fixture_teardown (&f, NULL);
      return;
    }
  {
    g_autoptr(GError) error = NULL;
    g_autofree char *rundir = g_dir_make_tmp ("dpugw-test-daemon-run-XXXXXX", &error);

    g_assert_no_error (error);
    g_setenv (RUNDIR_ENV, rundir, TRUE);
    g_test_trap_subprocess (NULL, 90 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
    g_unsetenv (RUNDIR_ENV);
    if (!g_test_trap_has_passed ())
      rundir_report (rundir);
    rm_rf (rundir);
    g_test_trap_assert_passed ();
  }
}

int
main (int argc, char **argv)
{
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);
  if (!g_test_subprocess ())
    g_test_set_nonfatal_assertions ();

#define ADD(path, recording, func)                                                           \
  g_test_add_data_func (path, &(const TestCase) { recording, func }, run_case)

  ADD ("/daemon/resolve/netdev", EXAMPLE, test_resolve_netdev);
  ADD ("/daemon/resolve/pci", EXAMPLE, test_resolve_pci);
  ADD ("/daemon/resolve/pci-upper-case", DOMAIN, test_resolve_pci_upper_case);
  ADD ("/daemon/resolve/configured", EXAMPLE, test_resolve_configured);
  ADD ("/daemon/resolve/explicit", EXAMPLE, test_resolve_explicit);
  ADD ("/daemon/resolve/caller-port-is-derived", RENAMED, test_resolve_caller_port_is_derived);
  ADD ("/daemon/resolve/cached", EXAMPLE, test_resolve_cached);
  ADD ("/daemon/resolve/concurrent-callers", EXAMPLE, test_concurrent_callers);

  ADD ("/daemon/error/invalid-argument", EXAMPLE, test_error_invalid_argument);
  ADD ("/daemon/error/not-configured", EXAMPLE, test_error_not_configured);
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
  ADD ("/daemon/refresh/root", EXAMPLE, test_refresh_root);

  ADD ("/daemon/sighup", EXAMPLE, test_sighup);
  ADD ("/daemon/sighup-explicit", EXAMPLE, test_sighup_explicit);

  ADD ("/daemon/startup/invalid-config", EXAMPLE, test_startup_invalid_config);
  ADD ("/daemon/startup/bad-option", EXAMPLE, test_startup_bad_option);
  ADD ("/daemon/startup/version", EXAMPLE, test_startup_version);
  ADD ("/daemon/startup/second-instance", EXAMPLE, test_startup_second_instance);
  ADD ("/daemon/startup/replace", EXAMPLE, test_startup_replace);
  ADD ("/daemon/startup/sigint", EXAMPLE, test_startup_sigint);

  ADD ("/daemon/startup/no-bus", EXAMPLE, test_startup_no_bus);
  ADD ("/daemon/bus-lost", EXAMPLE, test_bus_lost);
  ADD ("/daemon/resolve/failure-expires", EXAMPLE, test_failure_expires);
  ADD ("/daemon/refresh/unresolvable", EXAMPLE, test_refresh_unresolvable);
  ADD ("/daemon/refresh/concurrent", EXAMPLE, test_refresh_concurrent);
  ADD ("/daemon/properties/device-plugin-vfio", IGB, test_properties_device_plugin_vfio);

  ADD ("/daemon/introspect", EXAMPLE, test_introspect);

  return g_test_run ();
}
