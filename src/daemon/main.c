/* SPDX-License-Identifier: Apache-2.0
 *
 * dpu-gatewayd: owns org.ovnk.DpuGateway on the system bus, and serves the same object to peers
 * on the sockets of --listen.
 *
 * Start-up, in this order: options; configuration checked (invalid: exit 2);
 * state built; the peers' sockets (cannot listen: exit 1); signal handlers; own the name
 * (unless --no-bus); export the object once the bus is there; exit non-zero when the name
 * cannot be had or is lost.
 */
#define G_LOG_DOMAIN "dpu-gatewayd"

#include "config.h"

#include "dbus-names.h"
#include "link-monitor.h"
#include "options.h"
#include "heap.h"
#include "peers.h"
#include "service.h"
#include "tracker.h"

#include <glib-unix.h>
#include <locale.h>
#include <malloc.h>
#include <stdio.h>

/* Link changes are coalesced: a pass once they have been quiet this long, at the latest after the other. */
#define LINK_QUIET_MSEC     30
#define LINK_MAX_DELAY_MSEC 250

enum {
  EXIT_OK = 0,
  EXIT_FAILURE_RUNTIME = 1,  /* the bus, the name or a socket to listen on could not be had, or were lost */
  EXIT_FAILURE_USAGE = 2,    /* bad options or configuration */
};

typedef struct {
  DpugwConfigOptions config_options;
  char *sysfs_root;
  gboolean session;
  gboolean replace;
  gboolean verbose;
  gboolean version;
  int netlink_buffer;
  char **listen;
  char *file_listen;      /* the file's listen= at start, joined: SIGHUP does not change the sockets */
  gboolean no_bus;
  int max_peers;

  GMainLoop *loop;
  DpugwPeers *peers;
  DpugwTracker *tracker;
  DpugwService *service;
  DpugwLinkMonitor *monitor;
  guint owner_id;
  int exit_status;
} Daemon;

static void
daemon_clear (Daemon *d)
{
  if (d->owner_id != 0)
    g_bus_unown_name (d->owner_id);
  g_clear_pointer (&d->peers, dpugw_peers_free);
  if (d->service != NULL)
    dpugw_service_unexport (d->service);
  g_clear_object (&d->service);
  g_clear_object (&d->tracker);
  g_clear_object (&d->monitor);
  dpugw_heap_trim_cancel ();
  g_clear_pointer (&d->loop, g_main_loop_unref);
  dpugw_config_options_clear (&d->config_options);
  g_clear_pointer (&d->sysfs_root, g_free);
  g_clear_pointer (&d->listen, g_strfreev);
  g_clear_pointer (&d->file_listen, g_free);
}

static void
quit (Daemon *d, int status)
{
  if (d->exit_status == EXIT_OK)
    d->exit_status = status;
  g_main_loop_quit (d->loop);
}

static gboolean
on_sigterm (gpointer user_data)
{
  g_message ("terminating");
  quit (user_data, EXIT_OK);
  return G_SOURCE_CONTINUE;
}

static char *
join_listen (const DpugwConfig *config)
{
  g_autoptr(GString) out = g_string_new (NULL);

  for (guint i = 0; i < config->listen->len; i++)
    g_string_append_printf (out, "%s%s", i > 0 ? " " : "", (const char *) g_ptr_array_index (config->listen, i));
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static gboolean
on_sighup (gpointer user_data)
{
  Daemon *d = user_data;
  g_autoptr(GError) error = NULL;
  DpugwConfig *config = dpugw_config_options_load (&d->config_options, &error);

  if (config == NULL)
    {
      g_warning ("SIGHUP: keeping the previous configuration: %s", error->message);
      return G_SOURCE_CONTINUE;
    }
  for (guint i = 0; i < config->warnings->len; i++)
    g_warning ("%s", (const char *) g_ptr_array_index (config->warnings, i));
  {
    g_autofree char *listen = join_listen (config);
    if (g_strcmp0 (listen, d->file_listen) != 0)
      g_warning ("SIGHUP: [DpuGateway] listen= changed: the sockets change at the next start");
  }
  g_message ("SIGHUP: configuration reloaded, re-resolving");
  dpugw_service_set_config (d->service, config);
  return G_SOURCE_CONTINUE;
}

static void
on_bus_acquired (GDBusConnection *connection, const char *name, gpointer user_data)
{
  Daemon *d = user_data;
  g_autoptr(GError) error = NULL;

  /* A closed connection ends us with an error status, via name_lost, so
   * that systemd restarts us; GDBus' own exit-on-close would raise SIGTERM. */
  g_dbus_connection_set_exit_on_close (connection, FALSE);
  if (!dpugw_service_export (d->service, connection, &error))
    {
      g_critical ("cannot export %s: %s", DPUGW_DBUS_PATH, error->message);
      quit (d, EXIT_FAILURE_RUNTIME);
    }
}

static void
on_name_acquired (GDBusConnection *connection, const char *name, gpointer user_data)
{
  g_message ("%s %s ready", name, DPUGW_VERSION);
}

static void
on_name_lost (GDBusConnection *connection, const char *name, gpointer user_data)
{
  Daemon *d = user_data;

  if (connection == NULL || g_dbus_connection_is_closed (connection))
    g_critical ("cannot connect to the %s bus, or the connection closed", d->session ? "session" : "system");
  else
    g_critical ("the name %s is owned by another process, or was taken over (start with --replace to take it)",
                name);
  quit (d, EXIT_FAILURE_RUNTIME);
}

int
main (int argc, char **argv)
{
  Daemon d = { 0 };
  const GOptionEntry entries[] = {
    { "sysfs-root", 0, 0, G_OPTION_ARG_FILENAME, &d.sysfs_root,
      "The directory that plays /sys (default /sys)", "DIR" },
    { "session", 0, 0, G_OPTION_ARG_NONE, &d.session, "Use the session bus (development)", NULL },
    { "replace", 'r', 0, G_OPTION_ARG_NONE, &d.replace, "Replace a running instance", NULL },
    { "verbose", 'v', 0, G_OPTION_ARG_NONE, &d.verbose, "Log debug messages", NULL },
    { "version", 0, 0, G_OPTION_ARG_NONE, &d.version, "Print the version and exit", NULL },
    { "listen", 0, 0, G_OPTION_ARG_STRING_ARRAY, &d.listen,
      "Also serve peers on this socket (repeatable), e.g. unix:path=/run/dpu-gateway/bus", "ADDRESS" },
    { "no-bus", 0, 0, G_OPTION_ARG_NONE, &d.no_bus, "Serve peers only: no system bus (needs --listen)", NULL },
    { "max-peers", 0, 0, G_OPTION_ARG_INT, &d.max_peers,
      "How many peers may be connected at once (default " G_STRINGIFY (DPUGW_PEERS_MAX_DEFAULT) ")", "N" },
    /* For tests that force receive overruns: the netlink socket's receive buffer. */
    { "netlink-buffer-size", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_INT, &d.netlink_buffer, NULL, "BYTES" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(DpugwSysfs) sysfs = NULL;
  GOptionGroup *main_group;
  DpugwConfig *config;
  int status;

  /* One heap for every thread, before any thread exists: the workers' results are kept and freed by
   * the main thread, and with an arena per worker each arena keeps the pages of what it once held. */
  mallopt (M_ARENA_MAX, 1);
  /* Large blocks (GetTopology's reply, GDBus' buffer of it) mapped apart and given back when freed;
   * glibc would otherwise raise the threshold after the first such free and take them from the heap,
   * among the small blocks that stay. */
  mallopt (M_MMAP_THRESHOLD, 128 * 1024);
  setlocale (LC_ALL, "");
  g_set_prgname ("dpu-gatewayd");

  context = g_option_context_new (NULL);
  g_option_context_set_summary (context, "Serve the DPU host's gateway interface on the system bus "
                                         "as " DPUGW_DBUS_NAME ".");
  main_group = dpugw_config_option_group (&d.config_options);
  g_option_group_add_entries (main_group, entries);
  g_option_context_set_main_group (context, main_group);
  if (!g_option_context_parse (context, &argc, &argv, &error) || argc > 1)
    {
      fprintf (stderr, "dpu-gatewayd: %s\n", error != NULL ? error->message : "unexpected arguments");
      daemon_clear (&d);
      return EXIT_FAILURE_USAGE;
    }
  if (d.version)
    {
      printf ("dpu-gatewayd %s\n", DPUGW_VERSION);
      daemon_clear (&d);
      return EXIT_OK;
    }
  if (d.verbose)
    g_log_set_debug_enabled (TRUE);
  if (d.max_peers < 0 || d.max_peers > 4096)
    {
      fprintf (stderr, "dpu-gatewayd: --max-peers takes 1 to 4096\n");
      daemon_clear (&d);
      return EXIT_FAILURE_USAGE;
    }
  for (guint i = 0; d.listen != NULL && d.listen[i] != NULL; i++)
    {
      g_autofree char *path = dpugw_peers_address_path (d.listen[i], &error);
      if (path == NULL)
        {
          fprintf (stderr, "dpu-gatewayd: %s\n", error->message);
          daemon_clear (&d);
          return EXIT_FAILURE_USAGE;
        }
    }

  config = dpugw_config_options_load (&d.config_options, &error);
  if (config == NULL)
    {
      fprintf (stderr, "dpu-gatewayd: %s\n", error->message);
      daemon_clear (&d);
      return EXIT_FAILURE_USAGE;
    }
  /* The sockets: --listen, else the file's [DpuGateway] listen (checked as it was read). */
  d.file_listen = join_listen (config);
  if (d.listen == NULL && config->listen->len > 0)
    {
      g_autoptr(GStrvBuilder) listen = g_strv_builder_new ();
      for (guint i = 0; i < config->listen->len; i++)
        g_strv_builder_add (listen, g_ptr_array_index (config->listen, i));
      d.listen = g_strv_builder_end (listen);
    }
  if (d.no_bus && d.listen == NULL)
    {
      fprintf (stderr, "dpu-gatewayd: --no-bus needs --listen (or listen= in [DpuGateway]): nobody could ask\n");
      dpugw_config_free (config);
      daemon_clear (&d);
      return EXIT_FAILURE_USAGE;
    }
  sysfs = dpugw_sysfs_new (d.sysfs_root, &error);
  if (sysfs == NULL)
    {
      fprintf (stderr, "dpu-gatewayd: %s\n", error->message);
      dpugw_config_free (config);
      daemon_clear (&d);
      return EXIT_FAILURE_USAGE;
    }
  for (guint i = 0; i < config->warnings->len; i++)
    g_warning ("%s", (const char *) g_ptr_array_index (config->warnings, i));

  d.tracker = dpugw_tracker_new (sysfs, config);
  d.service = dpugw_service_new (d.tracker);
  d.loop = g_main_loop_new (NULL, FALSE);

  /* Live tracking; without netlink the service still answers, re-validating on Refresh and SIGHUP. */
  d.monitor = dpugw_link_monitor_new (LINK_QUIET_MSEC, LINK_MAX_DELAY_MSEC, d.netlink_buffer, &error);
  if (d.monitor != NULL)
    {
      dpugw_tracker_follow (d.tracker, d.monitor);
      dpugw_link_monitor_start (d.monitor);
    }
  else
    {
      g_warning ("not following link changes: %s", error->message);
      g_clear_error (&error);
    }

  if (d.listen != NULL)
    {
      d.peers = dpugw_peers_new (d.service, (const char * const *) d.listen,
                                 d.max_peers > 0 ? (guint) d.max_peers : DPUGW_PEERS_MAX_DEFAULT, &error);
      if (d.peers == NULL)
        {
          g_critical ("%s", error->message);
          daemon_clear (&d);
          return EXIT_FAILURE_RUNTIME;
        }
    }

  /* The first pass, while the bus connection is being made. */
  dpugw_tracker_refresh (d.tracker);

  g_unix_signal_add (SIGTERM, on_sigterm, &d);
  g_unix_signal_add (SIGINT, on_sigterm, &d);
  g_unix_signal_add (SIGHUP, on_sighup, &d);

  if (!d.no_bus)
    d.owner_id = g_bus_own_name (d.session ? G_BUS_TYPE_SESSION : G_BUS_TYPE_SYSTEM, DPUGW_DBUS_NAME,
                                 G_BUS_NAME_OWNER_FLAGS_ALLOW_REPLACEMENT |
                                   (d.replace ? G_BUS_NAME_OWNER_FLAGS_REPLACE : 0),
                                 on_bus_acquired, on_name_acquired, on_name_lost, &d, NULL);
  else
    g_message ("%s %s ready, without a bus", DPUGW_DBUS_NAME, DPUGW_VERSION);

  g_main_loop_run (d.loop);

  status = d.exit_status;
  daemon_clear (&d);
  return status;
}
