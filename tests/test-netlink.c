/* SPDX-License-Identifier: Apache-2.0
 *
 * dpu-gatewayd's live tracking, end to end: real rtnetlink link events over
 * a fake sysfs tree.  The test moves itself into a network namespace of its
 * own (unshare), where it makes real veth pairs named like the recordings'
 * netdevs, starts the real daemon on a private bus (GTestDBus), then renames,
 * adds and removes links -- changing the tree first, as the kernel updates
 * sysfs before it notifies -- and checks GatewayChanged, TopologyChanged and
 * PropertiesChanged against dbus/org.ovnk.DpuGateway.xml.
 *
 * Each test runs in a subprocess, which unshares again: every test has a
 * namespace of its own (and still deletes its links when done).  A failed
 * test prints the daemon's log.  Every wait polls the main context against a
 * deadline; there is no fixed sleep.
 */
#define _GNU_SOURCE
#include "testbus.h"
#include "testlib.h"

#include <errno.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <locale.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define NAME  "org.ovnk.DpuGateway"
#define PATH  "/org/ovnk/DpuGateway"
#define IFACE "org.ovnk.DpuGateway"
#define ERR   "org.ovnk.DpuGateway.Error."

#define EXAMPLE   "data/dpu-host-example.umockdev"
#define BLUEFIELD "tests/fixtures/bluefield-host.umockdev"

/* Device directories, as the recordings have them. */
#define BF_PF0 "devices/pci0000:00/0000:00:01.0/0000:03:00.0"
#define BF_PF1 "devices/pci0000:00/0000:00:01.0/0000:03:00.1"
#define BF_VF0 "devices/pci0000:00/0000:00:01.0/0000:03:00.2"
#define EX_PF  "devices/pci0000:00/0000:00:02.0/0000:01:00.0"

#define START_DEADLINE_USEC  (20 * G_USEC_PER_SEC)
#define SIGNAL_DEADLINE_USEC (10 * G_USEC_PER_SEC)
#define CALL_TIMEOUT_MSEC    30000
#define CASE_TIMEOUT_USEC    (90 * G_USEC_PER_SEC)

#define RUNDIR_ENV "DPUGW_TEST_NETLINK_RUNDIR"

/* Why the network namespace cannot be had; NULL when it could. */
static char *netns_unavailable;

/* ---------------------------------------------------------------------------
 * Waiting
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

/* Waits for @cond; a timeout ends the test (for what must work for a test to go on). */
#define WAIT_UNTIL(cond, what)                                                     \
  G_STMT_START {                                                                   \
    gint64 wait_deadline_ = g_get_monotonic_time () + START_DEADLINE_USEC;         \
    while (!(cond))                                                                \
      {                                                                            \
        if (g_get_monotonic_time () > wait_deadline_)                              \
          g_error ("%s:%d: timed out waiting for %s", __FILE__, __LINE__, (what)); \
        iterate_briefly ();                                                        \
      }                                                                            \
  } G_STMT_END

/* Waits up to 10 s for @cond; sets @ok to whether it came.  The caller reports a miss. */
#define WAIT_SIGNAL(ok, cond)                                                      \
  G_STMT_START {                                                                   \
    gint64 wait_deadline_ = g_get_monotonic_time () + SIGNAL_DEADLINE_USEC;        \
    (ok) = TRUE;                                                                   \
    while (!(cond))                                                                \
      {                                                                            \
        if (g_get_monotonic_time () > wait_deadline_)                              \
          {                                                                        \
            (ok) = FALSE;                                                          \
            break;                                                                 \
          }                                                                        \
        iterate_briefly ();                                                        \
      }                                                                            \
  } G_STMT_END

/* A failed expectation: said on stderr (the subprocess' stdout is not shown), and the test goes on. */
static void G_GNUC_PRINTF (1, 2)
soft_fail (const char *format, ...)
{
  va_list args;
  g_autofree char *message = NULL;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_printerr ("# FAILED: %s\n", message);
  g_test_fail ();
}

#define EXPECT(cond, ...)        \
  G_STMT_START {                 \
    if (!(cond))                 \
      soft_fail (__VA_ARGS__);   \
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
  char *contents = NULL;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
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
 * The fake sysfs tree, changed as the kernel would change it
 * ------------------------------------------------------------------------ */

/* The netdev @name of the PCI function whose directory is @devdir ("devices/..."): sysfs' view of a rename. */
static void
tree_rename_netdev (UMockdevTestbed *testbed, const char *devdir, const char *old_name, const char *new_name)
{
  g_autofree char *old_rel = g_strconcat (devdir, "/net/", old_name, NULL);
  g_autofree char *new_rel = g_strconcat (devdir, "/net/", new_name, NULL);
  g_autofree char *old_path = dpugw_test_path (testbed, old_rel);
  g_autofree char *new_path = dpugw_test_path (testbed, new_rel);
  g_autofree char *old_class = g_strconcat ("class/net/", old_name, NULL);
  g_autofree char *new_class = g_strconcat ("class/net/", new_name, NULL);
  g_autofree char *target = g_strconcat ("../../", new_rel, NULL);

  if (g_rename (old_path, new_path) != 0)
    g_error ("rename %s -> %s: %s", old_path, new_path, g_strerror (errno));
  dpugw_test_remove (testbed, old_class);
  dpugw_test_symlink (testbed, target, new_class);
}

static void
tree_remove_netdev (UMockdevTestbed *testbed, const char *devdir, const char *name)
{
  g_autofree char *rel = g_strconcat (devdir, "/net/", name, NULL);
  g_autofree char *path = dpugw_test_path (testbed, rel);
  g_autofree char *class_rel = g_strconcat ("class/net/", name, NULL);

  g_assert_true (g_file_test (path, G_FILE_TEST_IS_DIR));
  rm_rf (path);
  dpugw_test_remove (testbed, class_rel);
}

static void
tree_add_netdev (UMockdevTestbed *testbed, const char *devdir, const char *name)
{
  g_autofree char *rel = g_strconcat (devdir, "/net/", name, NULL);
  g_autofree char *device_rel = g_strconcat (rel, "/device", NULL);
  g_autofree char *class_rel = g_strconcat ("class/net/", name, NULL);
  g_autofree char *class_target = g_strconcat ("../../", rel, NULL);
  g_autofree char *device_target = g_strconcat ("../../../", strrchr (devdir, '/') + 1, NULL);

  dpugw_test_mkdir (testbed, rel);
  dpugw_test_symlink (testbed, device_target, device_rel);
  dpugw_test_symlink (testbed, class_target, class_rel);
}

/* ---------------------------------------------------------------------------
 * ip(8)
 * ------------------------------------------------------------------------ */

static gboolean
ip_run (const char * const *args, char **out, char **err)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  int wait_status;

  g_ptr_array_add (argv, (gpointer) "ip");
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);
  if (!g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, out, err,
                     &wait_status, &error))
    g_error ("cannot run ip: %s", error->message);
  return g_spawn_check_wait_status (wait_status, NULL);
}

/* ip ARGS..., which must succeed. */
static void
ip_ (const char * const *args)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  if (!ip_run (args, &out, &err))
    {
      g_autofree char *line = g_strjoinv (" ", (char **) args);
      g_error ("ip %s failed: %s%s", line, out, err);
    }
}

#define IP(...) ip_ ((const char * const[]) { __VA_ARGS__, NULL })

static void
veth_add (const char *name, const char *peer)
{
  IP ("link", "add", name, "type", "veth", "peer", "name", peer);
}

/* Every link but lo, by name. */
static GStrv
links_list (void)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GStrvBuilder) names = g_strv_builder_new ();

  if (!ip_run ((const char * const[]) { "-o", "link", "show", NULL }, &out, &err))
    g_error ("ip -o link show failed: %s", err);
  lines = g_strsplit (out, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      /* "7: name@peer: <...> ..." */
      const char *start = strstr (lines[i], ": ");
      g_autofree char *name = NULL;
      size_t len;

      if (start == NULL)
        continue;
      start += 2;
      len = strcspn (start, "@:");
      name = g_strndup (start, len);
      if (strcmp (name, "lo") != 0)
        g_strv_builder_add (names, name);
    }
  return g_strv_builder_end (names);
}

/* Leaves the namespace as it was: lo only. */
static void
links_delete_all (void)
{
  for (guint round = 0; round < 1000; round++)
    {
      g_auto(GStrv) names = links_list ();

      if (names[0] == NULL)
        return;
      /* Deleting one end of a veth takes its peer along. */
      IP ("link", "del", names[0]);
    }
  g_error ("links keep coming back");
}

/* ---------------------------------------------------------------------------
 * The fixture: a tree, a private bus, a client, the daemon
 * ------------------------------------------------------------------------ */

typedef struct {
  UMockdevTestbed *testbed;
  DpugwSysfs *sysfs;
  char *tmpdir;
  const char *rundir;

  GTestDBus *bus;
  char *address;
  GDBusConnection *conn;
  guint watch_id;
  char *owner;

  GSubprocess *daemon;
  char *log_path;
  gboolean exited;
  int exit_status;

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
}

static void
on_name_vanished (GDBusConnection *connection, const char *name, gpointer user_data)
{
  Fixture *f = user_data;

  g_clear_pointer (&f->owner, g_free);
}

static void
fixture_setup (Fixture *f, const char *recording)
{
  g_autoptr(GError) error = NULL;

  /* Whatever a previous test (in this namespace) left. */
  links_delete_all ();

  f->testbed = dpugw_test_testbed_new (&f->sysfs, recording, NULL);
  if (g_getenv (RUNDIR_ENV) != NULL)
    {
      f->tmpdir = g_build_filename (g_getenv (RUNDIR_ENV), "tmp-XXXXXX", NULL);
      g_assert_nonnull (g_mkdtemp (f->tmpdir));
      f->rundir = g_getenv (RUNDIR_ENV);
    }
  else
    {
      f->tmpdir = g_dir_make_tmp ("dpugw-test-netlink-XXXXXX", &error);
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
      {
        g_autofree char *path = g_build_filename (f->rundir, "bus.pid", NULL);
        g_autofree char *text = g_strdup_printf ("%u\n", pid);
        write_file (path, text);
      }
  }
  f->watch_id = g_bus_watch_name_on_connection (f->conn, NAME, G_BUS_NAME_WATCHER_FLAGS_NONE,
                                                on_name_appeared, on_name_vanished, f, NULL);
  f->gateway_changed = g_ptr_array_new_with_free_func ((GDestroyNotify) g_variant_unref);
  f->topology_changed = g_ptr_array_new_with_free_func ((GDestroyNotify) g_variant_unref);
  f->properties_changed = g_ptr_array_new_with_free_func ((GDestroyNotify) g_variant_unref);
}

static void
on_daemon_exited (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Fixture *f = user_data;
  GSubprocess *process = G_SUBPROCESS (source);
  g_autofree char *pid_path = g_build_filename (f->rundir, "daemon.pid", NULL);

  g_assert_true (g_subprocess_wait_finish (process, result, NULL));
  f->exited = TRUE;
  f->exit_status = g_subprocess_get_if_exited (process) ? g_subprocess_get_exit_status (process) : -1;
  g_unlink (pid_path);
}

static void
fixture_teardown (Fixture *f)
{
  if (f->daemon != NULL)
    {
      g_autofree char *log = NULL;

      if (!f->exited)
        {
          g_subprocess_send_signal (f->daemon, SIGTERM);
          WAIT_UNTIL (f->exited, "dpu-gatewayd to exit after SIGTERM");
          EXPECT (f->exit_status == 0, "dpu-gatewayd exited with status %d after SIGTERM", f->exit_status);
        }
      else
        soft_fail ("dpu-gatewayd exited (status %d) before the end of the test", f->exit_status);
      log = read_file (f->log_path);
      EXPECT (strstr (log, "CRITICAL") == NULL, "dpu-gatewayd logged a critical");
      g_clear_object (&f->daemon);
    }

  for (guint i = 0; i < G_N_ELEMENTS (f->sub_ids); i++)
    if (f->sub_ids[i] != 0)
      g_dbus_connection_signal_unsubscribe (f->conn, f->sub_ids[i]);
  g_bus_unwatch_name (f->watch_id);
  g_dbus_connection_close_sync (f->conn, NULL, NULL);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_clear_object (&f->conn);
  g_clear_pointer (&f->owner, g_free);
  g_clear_pointer (&f->gateway_changed, g_ptr_array_unref);
  g_clear_pointer (&f->topology_changed, g_ptr_array_unref);
  g_clear_pointer (&f->properties_changed, g_ptr_array_unref);
  g_test_dbus_down (f->bus);
  g_clear_object (&f->bus);
  g_free (f->address);

  links_delete_all ();

  /* The log stays in run_case()'s directory, for its report. */
  if (f->rundir == f->tmpdir && !g_test_failed ())
    rm_rf (f->tmpdir);
  else if (f->rundir != f->tmpdir)
    rm_rf (f->tmpdir);
  g_free (f->tmpdir);
  g_free (f->log_path);
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

/* Ours without configuration or debugging (fatal-warnings would crash it on a legitimate warning). */
static char **
daemon_environ (Fixture *f)
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
  envp = g_environ_unsetenv (envp, "JOURNAL_STREAM");
  envp = g_environ_unsetenv (envp, "UMOCKDEV_DIR");
  envp = g_environ_unsetenv (envp, "LD_PRELOAD");
  envp = g_environ_setenv (envp, "DBUS_SYSTEM_BUS_ADDRESS", f->address, TRUE);
  return envp;
}

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

static GVariant *
call (Fixture *f, const char *iface, const char *method, GVariant *params, const char *reply_type,
      GError **error)
{
  return g_dbus_connection_call_sync (f->conn, NAME, PATH, iface, method, params,
                                      reply_type != NULL ? G_VARIANT_TYPE (reply_type) : NULL,
                                      G_DBUS_CALL_FLAGS_NO_AUTO_START, CALL_TIMEOUT_MSEC, NULL, error);
}

/* A round trip to the daemon: every signal it sent before is in once this returns. */
static void
ping (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = call (f, "org.freedesktop.DBus.Peer", "Ping", NULL, "()", &error);

  g_assert_no_error (error);
  /* The signals are queued for dispatch before the reply is handed over: dispatch them. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
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

static gboolean
string_property_is (Fixture *f, const char *property, const char *expected)
{
  g_autofree char *value = get_string (f, property);

  return g_strcmp0 (value, expected) == 0;
}

static void
expect_string_property (Fixture *f, const char *property, const char *expected)
{
  g_autofree char *value = get_string (f, property);

  EXPECT (g_strcmp0 (value, expected) == 0, "%s is \"%s\", expected \"%s\"", property, value, expected);
}

/*
 * Starts dpu-gatewayd -v over the tree, configured as a DPU host deriving its
 * gateway from the management port @mgmt_port; waits until it owns the name
 * and its first pass is in; then subscribes to its signals.
 */
static void
daemon_start (Fixture *f, const char *mgmt_port)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDERR_MERGE);
  g_autofree char *path = daemon_path ();
  g_autofree char *mgmt_arg = g_strconcat ("--ovnkube-node-mgmt-port-netdev=", mgmt_port, NULL);
  g_autofree char *pid_path = g_build_filename (f->rundir, "daemon.pid", NULL);
  g_auto(GStrv) envp = daemon_environ (f);
  g_autoptr(GError) error = NULL;
  const char *argv[] = {
    path, "--sysfs-root", dpugw_sysfs_get_root (f->sysfs), "--config-file=", "--ovnkube-node-mode=dpu-host",
    mgmt_arg, "--gateway-interface=derive-from-mgmt-port", "-v", NULL
  };

  g_assert_null (f->daemon);
  /* Debug messages go to stdout, the rest to stderr: both into the log. */
  f->log_path = g_build_filename (f->rundir, "dpu-gatewayd.log", NULL);
  g_subprocess_launcher_set_environ (launcher, envp);
  g_subprocess_launcher_set_stdout_file_path (launcher, f->log_path);
  f->daemon = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);
  {
    g_autofree char *text = g_strdup_printf ("%s\n", g_subprocess_get_identifier (f->daemon));
    write_file (pid_path, text);
  }
  g_subprocess_wait_async (f->daemon, NULL, on_daemon_exited, f);

  WAIT_UNTIL (f->owner != NULL || f->exited, "dpu-gatewayd to own " NAME);
  if (f->exited)
    g_error ("dpu-gatewayd exited with status %d before owning the name", f->exit_status);
  WAIT_UNTIL (get_generation (f) >= 1, "Generation >= 1 (the first pass)");

  /* By the unique name: the signals of this very process. */
  f->sub_ids[0] = g_dbus_connection_signal_subscribe (f->conn, f->owner, IFACE, "GatewayChanged", PATH, NULL,
                                                      G_DBUS_SIGNAL_FLAGS_NONE, on_signal, f, NULL);
  f->sub_ids[1] = g_dbus_connection_signal_subscribe (f->conn, f->owner, IFACE, "TopologyChanged", PATH, NULL,
                                                      G_DBUS_SIGNAL_FLAGS_NONE, on_signal, f, NULL);
  f->sub_ids[2] = g_dbus_connection_signal_subscribe (f->conn, f->owner, "org.freedesktop.DBus.Properties",
                                                      "PropertiesChanged", PATH, IFACE,
                                                      G_DBUS_SIGNAL_FLAGS_NONE, on_signal, f, NULL);
  /* The match rules are in place once a round trip through the bus has been made. */
  ping (f);
}

/* ---------------------------------------------------------------------------
 * Calls
 * ------------------------------------------------------------------------ */

/* Resolve(@port) and ResolveAll(@port), which must agree: the interface and ResolveAll's details. */
static char *
resolve (Fixture *f, const char *port, GVariant **details, GError **error)
{
  return dpugw_test_resolve (f->conn, port, details, error);
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

/* Resolve(@port) answers @interface, with @mgmt_port, @source and @cached (-1: either) in the details. */
static void
expect_resolve (Fixture *f, const char *port, const char *interface, const char *mgmt_port, const char *source,
                int cached)
{
  g_autoptr(GVariant) details = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *got = resolve (f, port, &details, &error);
  g_autofree char *shown = NULL;

  if (got == NULL)
    {
      soft_fail ("Resolve(\"%s\") failed: %s, expected %s", port, error->message, interface);
      return;
    }
  shown = g_variant_print (details, TRUE);
  EXPECT (g_strcmp0 (got, interface) == 0, "Resolve(\"%s\") = %s %s, expected %s", port, got, shown, interface);
  if (mgmt_port != NULL)
    EXPECT (g_strcmp0 (lookup_string (details, "mgmt-port"), mgmt_port) == 0,
            "Resolve(\"%s\"): mgmt-port in %s, expected %s", port, shown, mgmt_port);
  if (source != NULL)
    EXPECT (g_strcmp0 (lookup_string (details, "source"), source) == 0,
            "Resolve(\"%s\"): source in %s, expected %s", port, shown, source);
  if (cached >= 0)
    EXPECT (lookup_boolean (details, "cached") == !!cached,
            "Resolve(\"%s\"): cached in %s, expected %s", port, shown, cached ? "true" : "false");
}

/* Resolve(@port) fails with the D-Bus error @name, its message beginning with @prefix. */
static void
expect_resolve_error (Fixture *f, const char *port, const char *name, const char *prefix)
{
  g_autoptr(GVariant) details = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *got = resolve (f, port, &details, &error);
  g_autofree char *remote = NULL;

  if (got != NULL)
    {
      soft_fail ("Resolve(\"%s\") answered %s, expected the error %s", port, got, name);
      return;
    }
  remote = g_dbus_error_get_remote_error (error);
  EXPECT (g_strcmp0 (remote, name) == 0, "Resolve(\"%s\") failed with %s (%s), expected %s",
          port, remote, error->message, name);
  g_dbus_error_strip_remote_error (error);
  EXPECT (g_str_has_prefix (error->message, prefix), "Resolve(\"%s\") failed with \"%s\", expected \"%s...\"",
          port, error->message, prefix);
}

/* GetTopology: the generation, and the netdevs of the PF @pf_pci in *netdevs (NULL if it is not listed). */
static guint64
get_topology_pf_netdevs (Fixture *f, const char *pf_pci, char ***netdevs)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = call (f, IFACE, "GetTopology", NULL, "(taa{sv})", &error);
  g_autoptr(GVariant) pfs = NULL;
  guint64 generation;

  g_assert_no_error (error);
  g_variant_get (reply, "(t@aa{sv})", &generation, &pfs);
  *netdevs = NULL;
  for (gsize i = 0; i < g_variant_n_children (pfs); i++)
    {
      g_autoptr(GVariant) pf = g_variant_get_child_value (pfs, i);

      if (g_strcmp0 (lookup_string (pf, "pci"), pf_pci) == 0)
        g_assert_true (g_variant_lookup (pf, "netdevs", "^as", netdevs));
    }
  return generation;
}

static void
expect_topology_pf_netdevs (Fixture *f, const char *pf_pci, const char * const *expected)
{
  g_auto(GStrv) netdevs = NULL;

  get_topology_pf_netdevs (f, pf_pci, &netdevs);
  if (netdevs == NULL)
    {
      soft_fail ("GetTopology does not list %s", pf_pci);
      return;
    }
  if (!g_strv_equal ((const char * const *) netdevs, expected))
    {
      g_autofree char *got = g_strjoinv (",", netdevs);
      g_autofree char *want = g_strjoinv (",", (char **) expected);
      soft_fail ("GetTopology: %s has netdevs [%s], expected [%s]", pf_pci, got, want);
    }
}

static void
refresh (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = call (f, IFACE, "Refresh", NULL, "()", &error);

  g_assert_no_error (error);
}

/* ---------------------------------------------------------------------------
 * Signals received
 * ------------------------------------------------------------------------ */

static char *
signals_since (GPtrArray *received, guint from)
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

static gboolean
has_gateway_changed (Fixture *f, guint from, const char *vf, const char *old_if, const char *new_if)
{
  for (guint i = from; i < f->gateway_changed->len; i++)
    {
      const char *a, *b, *c;

      g_variant_get (g_ptr_array_index (f->gateway_changed, i), "(&s&s&s)", &a, &b, &c);
      if (strcmp (a, vf) == 0 && strcmp (b, old_if) == 0 && strcmp (c, new_if) == 0)
        return TRUE;
    }
  return FALSE;
}

/* A PropertiesChanged since @from with @property set to the string @value. */
static gboolean
has_property_changed (Fixture *f, guint from, const char *property, const char *value)
{
  for (guint i = from; i < f->properties_changed->len; i++)
    {
      GVariant *params = g_ptr_array_index (f->properties_changed, i);
      g_autoptr(GVariant) changed = g_variant_get_child_value (params, 1);
      const char *got;

      if (g_variant_lookup (changed, property, "&s", &got) && g_strcmp0 (got, value) == 0)
        return TRUE;
    }
  return FALSE;
}

/* The signals since a mark. */
typedef struct {
  guint gateway;
  guint topology;
  guint properties;
} Mark;

static Mark
mark (Fixture *f)
{
  return (Mark) { f->gateway_changed->len, f->topology_changed->len, f->properties_changed->len };
}

/* Waits for GatewayChanged(@vf, @old_if, @new_if) since @m. */
static void
expect_gateway_changed (Fixture *f, Mark m, const char *vf, const char *old_if, const char *new_if)
{
  gboolean ok;

  WAIT_SIGNAL (ok, has_gateway_changed (f, m.gateway, vf, old_if, new_if));
  if (!ok)
    {
      g_autofree char *got = signals_since (f->gateway_changed, m.gateway);
      soft_fail ("no GatewayChanged('%s', '%s', '%s') within 10 s; received: %s", vf, old_if, new_if, got);
    }
}

/* Waits for a PropertiesChanged since @m that sets @property to @value. */
static void
expect_property_changed (Fixture *f, Mark m, const char *property, const char *value)
{
  gboolean ok;

  WAIT_SIGNAL (ok, has_property_changed (f, m.properties, property, value));
  if (!ok)
    {
      g_autofree char *got = signals_since (f->properties_changed, m.properties);
      soft_fail ("no PropertiesChanged with %s = '%s' within 10 s; received: %s", property, value, got);
    }
}

/* Exactly @n GatewayChanged since @m (after a round trip: none is on its way). */
static void
expect_n_gateway_changed (Fixture *f, Mark m, guint n)
{
  ping (f);
  if (f->gateway_changed->len - m.gateway != n)
    {
      g_autofree char *got = signals_since (f->gateway_changed, m.gateway);
      soft_fail ("%u GatewayChanged received, expected %u: %s", f->gateway_changed->len - m.gateway, n, got);
    }
}

static void
expect_no_topology_changed (Fixture *f, Mark m)
{
  ping (f);
  if (f->topology_changed->len != m.topology)
    {
      g_autofree char *got = signals_since (f->topology_changed, m.topology);
      soft_fail ("TopologyChanged received, expected none: %s", got);
    }
}

/* ---------------------------------------------------------------------------
 * The daemon's -v log: one "link changes: N names; ..." line per link pass
 * ------------------------------------------------------------------------ */

static void
log_link_passes (Fixture *f, guint *passes, guint64 *names)
{
  g_autofree char *log = read_file (f->log_path);
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
wait_link_names (Fixture *f, guint64 names0, guint64 n)
{
  guint passes;
  guint64 names;
  gboolean ok;

  WAIT_SIGNAL (ok, (log_link_passes (f, &passes, &names), names >= names0 + n));
  if (!ok)
    soft_fail ("the daemon's link passes covered %" G_GUINT64_FORMAT " names within 10 s, expected %"
               G_GUINT64_FORMAT, names - names0, n);
  return ok;
}

/* ===========================================================================
 * The tests
 * ======================================================================== */

/* The management VF renamed to ovn-k8s-mp0: followed by its PCI address, through the fallback. */
static void
test_mgmt_renamed (Fixture *f)
{
  Mark m;

  veth_add ("ens1f0np0", "vp0");
  veth_add ("ens1f0v0", "vp1");
  daemon_start (f, "ens1f0v0");
  expect_string_property (f, "GatewayInterface", "ens1f0np0");
  expect_string_property (f, "ManagementPort", "ens1f0v0");
  m = mark (f);

  tree_rename_netdev (f->testbed, BF_VF0, "ens1f0v0", "ovn-k8s-mp0");
  IP ("link", "set", "ens1f0v0", "name", "ovn-k8s-mp0");

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
test_pf_netdev_appears (Fixture *f)
{
  const char *no_netdevs = "no netdevs found for pci address 0000:03:00.0";
  gboolean ok;
  Mark m;

  tree_remove_netdev (f->testbed, BF_PF0, "ens1f0np0");
  veth_add ("ens1f0v0", "vp1");
  daemon_start (f, "ens1f0v0");
  WAIT_SIGNAL (ok, string_property_is (f, "LastError", no_netdevs));
  if (!ok)
    {
      g_autofree char *e = get_string (f, "LastError");
      soft_fail ("LastError is \"%s\", expected \"%s\"", e, no_netdevs);
    }
  expect_string_property (f, "GatewayInterface", "");
  m = mark (f);

  tree_add_netdev (f->testbed, BF_PF0, "ens1f0np0");
  veth_add ("ens1f0np0", "vp0");

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
test_pf_netdev_renamed (Fixture *f)
{
  guint64 generation_before, topology_generation;
  gboolean ok;
  Mark m;

  veth_add ("eth0", "vp0");
  veth_add ("eth1", "vp1");
  veth_add ("pf0vf0", "vp2");
  daemon_start (f, "pf0vf0");
  expect_string_property (f, "GatewayInterface", "eth0");
  generation_before = get_generation (f);
  m = mark (f);

  tree_rename_netdev (f->testbed, EX_PF, "eth0", "enp1s0f0np0");
  IP ("link", "set", "eth0", "name", "enp1s0f0np0");

  /* strcmp order: "enp1s0f0np0" < "eth1". */
  expect_gateway_changed (f, m, "0000:01:02.3", "eth0", "enp1s0f0np0");
  expect_property_changed (f, m, "GatewayInterface", "enp1s0f0np0");
  WAIT_SIGNAL (ok, f->topology_changed->len > m.topology);
  if (!ok)
    soft_fail ("no TopologyChanged within 10 s");
  else
    {
      guint64 generation;
      g_auto(GStrv) netdevs = NULL;

      g_variant_get (g_ptr_array_index (f->topology_changed, m.topology), "(t)", &generation);
      EXPECT (generation > generation_before, "TopologyChanged(%" G_GUINT64_FORMAT "), Generation was %"
              G_GUINT64_FORMAT, generation, generation_before);
      topology_generation = get_topology_pf_netdevs (f, "0000:01:00.0", &netdevs);
      EXPECT (topology_generation >= generation, "GetTopology's generation %" G_GUINT64_FORMAT
              " is older than TopologyChanged(%" G_GUINT64_FORMAT ")", topology_generation, generation);
    }
  expect_n_gateway_changed (f, m, 1);
  expect_string_property (f, "GatewayInterface", "enp1s0f0np0");
  EXPECT (get_generation (f) > generation_before, "Generation did not increase");
  expect_topology_pf_netdevs (f, "0000:01:00.0", (const char * const[]) { "enp1s0f0np0", "eth1", NULL });
  expect_resolve (f, "", "enp1s0f0np0", "pf0vf0", "derived", -1);
  expect_resolve (f, "pf0vf1", "enp1s0f0np0", "pf0vf1", "derived", -1);
}

/* The gateway netdev removed, the PF's only one: unresolvable, said so, and the daemon goes on. */
static void
test_gateway_removed (Fixture *f)
{
  Mark m;

  veth_add ("ens1f0np0", "vp0");
  veth_add ("ens1f0v0", "vp1");
  daemon_start (f, "ens1f0v0");
  expect_string_property (f, "GatewayInterface", "ens1f0np0");
  m = mark (f);

  tree_remove_netdev (f->testbed, BF_PF0, "ens1f0np0");
  IP ("link", "del", "ens1f0np0");

  expect_gateway_changed (f, m, "0000:03:00.2", "ens1f0np0", "");
  expect_property_changed (f, m, "LastError", "no netdevs found for pci address 0000:03:00.0");
  expect_property_changed (f, m, "GatewayInterface", "");
  expect_n_gateway_changed (f, m, 1);
  expect_string_property (f, "GatewayInterface", "");
  expect_string_property (f, "LastError", "no netdevs found for pci address 0000:03:00.0");
  expect_topology_pf_netdevs (f, "0000:03:00.0", (const char * const[]) { NULL });
  /* Still up, and the other port still works. */
  ping (f);
  expect_resolve (f, "ens1f1v0", "ens1f1np1", "ens1f1v0", "derived", -1);
  expect_resolve_error (f, "", ERR "NoNetdevs", "no netdevs found for pci address 0000:03:00.0");
}

/* The management VF's netdev removed, then back. */
static void
test_mgmt_removed_readded (Fixture *f)
{
  Mark m;

  veth_add ("ens1f0np0", "vp0");
  veth_add ("ens1f0v0", "vp1");
  daemon_start (f, "ens1f0v0");
  expect_string_property (f, "GatewayInterface", "ens1f0np0");
  m = mark (f);

  tree_remove_netdev (f->testbed, BF_VF0, "ens1f0v0");
  IP ("link", "del", "ens1f0v0");

  expect_property_changed (f, m, "GatewayInterface", "");
  expect_gateway_changed (f, m, "0000:03:00.2", "ens1f0np0", "");
  expect_n_gateway_changed (f, m, 1);
  {
    g_autofree char *last_error = get_string (f, "LastError");
    EXPECT (g_str_has_prefix (last_error, "failed to get PCI address"),
            "LastError is \"%s\", expected \"failed to get PCI address...\"", last_error);
  }
  expect_string_property (f, "GatewayInterface", "");
  expect_resolve_error (f, "", ERR "PciAddress", "failed to get PCI address");
  m = mark (f);

  tree_add_netdev (f->testbed, BF_VF0, "ens1f0v0");
  veth_add ("ens1f0v0", "vp1");

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
test_cached_vf_follows_pf (Fixture *f)
{
  Mark m;

  veth_add ("ens1f0np0", "vp0");
  veth_add ("ens1f0v0", "vp1");
  veth_add ("ens1f1np1", "vp2");
  daemon_start (f, "ens1f0v0");
  expect_resolve (f, "ens1f1v0", "ens1f1np1", "ens1f1v0", "derived", FALSE);
  expect_resolve (f, "ens1f1v0", "ens1f1np1", "ens1f1v0", "derived", TRUE);
  m = mark (f);

  tree_rename_netdev (f->testbed, BF_PF1, "ens1f1np1", "p1uplink");
  IP ("link", "set", "ens1f1np1", "name", "p1uplink");

  expect_gateway_changed (f, m, "0000:03:08.2", "ens1f1np1", "p1uplink");
  expect_n_gateway_changed (f, m, 1);
  expect_resolve (f, "ens1f1v0", "p1uplink", "ens1f1v0", "derived", TRUE);
  expect_topology_pf_netdevs (f, "0000:03:00.1", (const char * const[]) { "p1uplink", NULL });
  /* The configured port is on the other PF: untouched. */
  expect_string_property (f, "GatewayInterface", "ens1f0np0");
}

/* A burst of 100 veth pairs nobody follows: a few passes, no signal, still answering. */
static void
test_burst_coalesced (Fixture *f)
{
  g_autofree char *batch_path = NULL;
  g_autoptr(GString) batch = g_string_new (NULL);
  guint passes0, passes;
  guint64 names0, names;
  guint64 generation_before;
  Mark m;

  veth_add ("ens1f0np0", "vp0");
  veth_add ("ens1f0v0", "vp1");
  daemon_start (f, "ens1f0v0");
  generation_before = get_generation (f);
  log_link_passes (f, &passes0, &names0);
  m = mark (f);

  for (guint i = 0; i < 100; i++)
    g_string_append_printf (batch, "link add b%u type veth peer name c%u\n", i, i);
  batch_path = g_build_filename (f->tmpdir, "burst.batch", NULL);
  write_file (batch_path, batch->str);
  IP ("-batch", batch_path);

  /* Every one of the 200 new names goes through a link pass. */
  if (wait_link_names (f, names0, 200))
    {
      log_link_passes (f, &passes, &names);
      g_test_message ("200 links in %u passes", passes - passes0);
      EXPECT (passes - passes0 < 10, "%u link passes for a burst of 200 links: not coalesced",
              passes - passes0);
    }
  expect_n_gateway_changed (f, m, 0);
  expect_no_topology_changed (f, m);
  EXPECT (get_generation (f) == generation_before, "Generation changed");
  expect_resolve (f, "", "ens1f0np0", "ens1f0v0", "derived", TRUE);
  expect_resolve (f, "ens1f1v1", "ens1f1np1", "ens1f1v1", "derived", FALSE);
}

/* Links nobody follows renamed and deleted: nothing to say. */
static void
test_unrelated_links (Fixture *f)
{
  guint passes;
  guint64 names0;
  guint64 generation_before;
  Mark m;

  veth_add ("ens1f0np0", "vp0");
  veth_add ("ens1f0v0", "vp1");
  veth_add ("x0", "y0");
  daemon_start (f, "ens1f0v0");
  expect_resolve (f, "ens1f1v0", "ens1f1np1", "ens1f1v0", "derived", FALSE);
  generation_before = get_generation (f);
  m = mark (f);

  log_link_passes (f, &passes, &names0);
  IP ("link", "set", "x0", "name", "x1");
  wait_link_names (f, names0, 2);      /* x1, x0 */
  log_link_passes (f, &passes, &names0);
  IP ("link", "del", "x1");
  wait_link_names (f, names0, 2);      /* x1, y0 */

  refresh (f);
  ping (f);
  expect_n_gateway_changed (f, m, 0);
  expect_no_topology_changed (f, m);
  EXPECT (get_generation (f) == generation_before, "Generation changed from %" G_GUINT64_FORMAT,
          generation_before);
  expect_string_property (f, "GatewayInterface", "ens1f0np0");
  expect_string_property (f, "LastError", "");
  expect_resolve (f, "", "ens1f0np0", "ens1f0v0", "derived", -1);
  expect_resolve (f, "ens1f1v0", "ens1f1np1", "ens1f1v0", "derived", -1);
}

/* ---------------------------------------------------------------------------
 * Running: each test in a subprocess, in a network namespace of its own
 * ------------------------------------------------------------------------ */

typedef struct {
  const char *recording;
  void (*func) (Fixture *f);
} TestCase;

/* After a failed test: the logs to stderr, and whatever it left running killed. */
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
            kill (pid, SIGKILL);
        }
    }
}

static void
run_case (gconstpointer data)
{
  const TestCase *tc = data;

  if (netns_unavailable != NULL)
    {
      g_test_skip (netns_unavailable);
      return;
    }
  if (g_test_subprocess ())
    {
      Fixture f = { 0 };

      fixture_setup (&f, tc->recording);
      tc->func (&f);
      fixture_teardown (&f);
      return;
    }
  {
    g_autoptr(GError) error = NULL;
    g_autofree char *rundir = g_dir_make_tmp ("dpugw-test-netlink-run-XXXXXX", &error);

    g_assert_no_error (error);
    g_setenv (RUNDIR_ENV, rundir, TRUE);
    g_test_trap_subprocess (NULL, CASE_TIMEOUT_USEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
    g_unsetenv (RUNDIR_ENV);
    if (!g_test_trap_has_passed ())
      rundir_report (rundir);
    rm_rf (rundir);
    g_test_trap_assert_passed ();
  }
}

/* Into a network namespace of our own, before anything else (and before any thread). */
static void
enter_network_namespace (void)
{
  if (unshare (CLONE_NEWNET) == 0)
    return;
  netns_unavailable = g_strdup_printf ("cannot enter a new network namespace: unshare(CLONE_NEWNET): %s "
                                       "(the test needs root or CAP_SYS_ADMIN)", g_strerror (errno));
  if (g_strcmp0 (g_getenv ("CI"), "true") == 0)
    {
      fprintf (stderr, "test-netlink: %s; under CI this is a failure, not a skip\n", netns_unavailable);
      exit (1);
    }
}

int
main (int argc, char **argv)
{
  enter_network_namespace ();

  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);
  if (!g_test_subprocess ())
    g_test_set_nonfatal_assertions ();

#define ADD(path, recording, func) \
  g_test_add_data_func (path, &(const TestCase) { recording, func }, run_case)

  ADD ("/netlink/mgmt-renamed", BLUEFIELD, test_mgmt_renamed);
  ADD ("/netlink/pf-netdev-appears", BLUEFIELD, test_pf_netdev_appears);
  ADD ("/netlink/pf-netdev-renamed", EXAMPLE, test_pf_netdev_renamed);
  ADD ("/netlink/gateway-removed", BLUEFIELD, test_gateway_removed);
  ADD ("/netlink/mgmt-removed-readded", BLUEFIELD, test_mgmt_removed_readded);
  ADD ("/netlink/cached-vf-follows-pf", BLUEFIELD, test_cached_vf_follows_pf);
  ADD ("/netlink/burst-coalesced", BLUEFIELD, test_burst_coalesced);
  ADD ("/netlink/unrelated-links", BLUEFIELD, test_unrelated_links);

  return g_test_run ();
}
