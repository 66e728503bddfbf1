/* SPDX-License-Identifier: Apache-2.0
 *
 * Following the service (follow.h): connect, subscribe, watch the name; reconnect when a
 * peer socket closes, and connect when it appears (its directory watched with inotify).
 */
#include "follow.h"
#include "dbus-names.h"

#include <string.h>

struct _CtlFollow
{
  const CtlOptions *options;
  char *mgmt_port;
  CtlFollowAnswer answer;
  CtlFollowGone gone;
  gpointer user_data;

  GCancellable *cancellable;
  GDBusConnection *connection;
  GCancellable *call;         /* the ResolveAll out on the connection, NULL when none */
  gboolean again;             /* something changed while it was out */
  char *socket_path;          /* --address=unix:path=PATH: watched while it cannot be reached */
  GFileMonitor *socket_monitor;
  guint watch_id;
  guint sub_ids[3];
  guint reconnect_id;
};

static void connect_service (CtlFollow *f);
static void ask (CtlFollow *f);

static void
answered (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);
  CtlFollow *f = user_data;

  /* Cancelled: the connection went, or the follower did; @f is not looked at.  A reply from a
   * connection that has gone since is stale. */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || G_DBUS_CONNECTION (source) != f->connection)
    return;
  g_clear_object (&f->call);
  if (error != NULL)
    g_dbus_error_strip_remote_error (error);
  f->answer (f, reply, error, f->user_data);
  if (f->again)
    ask (f);
}

/* One ResolveAll at a time; a change while it is out asks again after it. */
static void
ask (CtlFollow *f)
{
  if (f->connection == NULL)
    return;
  if (f->call != NULL)
    {
      f->again = TRUE;
      return;
    }
  f->again = FALSE;
  f->call = g_cancellable_new ();
  g_dbus_connection_call (f->connection, DPUGW_DBUS_NAME, DPUGW_DBUS_PATH, DPUGW_DBUS_INTERFACE, "ResolveAll",
                          g_variant_new ("(s)", f->mgmt_port != NULL ? f->mgmt_port : ""), G_VARIANT_TYPE ("(asa{sv})"),
                          G_DBUS_CALL_FLAGS_NONE, -1, f->call, answered, f);
}

static void
on_signal (GDBusConnection *connection, const char *sender, const char *path, const char *interface,
           const char *signal, GVariant *parameters, gpointer user_data)
{
  ask (user_data);
}

static void
on_name_appeared (GDBusConnection *connection, const char *name, const char *owner, gpointer user_data)
{
  ask (user_data);
}

static void
on_name_vanished (GDBusConnection *connection, const char *name, gpointer user_data)
{
  CtlFollow *f = user_data;

  if (connection != NULL)
    f->gone (f, DPUGW_DBUS_NAME " is not running", f->user_data);
}

static void
disconnect_service (CtlFollow *f)
{
  if (f->call != NULL)
    g_cancellable_cancel (f->call);
  g_clear_object (&f->call);
  f->again = FALSE;
  if (f->connection == NULL)
    return;
  for (guint i = 0; i < G_N_ELEMENTS (f->sub_ids); i++)
    if (f->sub_ids[i] != 0)
      g_dbus_connection_signal_unsubscribe (f->connection, f->sub_ids[i]);
  memset (f->sub_ids, 0, sizeof f->sub_ids);
  g_clear_handle_id (&f->watch_id, g_bus_unwatch_name);
  g_signal_handlers_disconnect_by_data (f->connection, f);
  g_clear_object (&f->connection);
}

static gboolean
reconnect_idle (gpointer user_data)
{
  CtlFollow *f = user_data;

  f->reconnect_id = 0;
  connect_service (f);
  return G_SOURCE_REMOVE;
}

/* The peer's socket closed (the service restarted): connect again once it is back. */
static void
on_closed (GDBusConnection *connection, gboolean remote_peer_vanished, GError *error, gpointer user_data)
{
  CtlFollow *f = user_data;

  disconnect_service (f);
  f->gone (f, "the connection to the service closed", f->user_data);
  if (f->reconnect_id == 0)
    f->reconnect_id = g_idle_add (reconnect_idle, f);
}

static void
on_socket_event (GFileMonitor *monitor, GFile *file, GFile *other, GFileMonitorEvent event, gpointer user_data)
{
  if (event == G_FILE_MONITOR_EVENT_CREATED || event == G_FILE_MONITOR_EVENT_CHANGES_DONE_HINT ||
      event == G_FILE_MONITOR_EVENT_ATTRIBUTE_CHANGED)
    connect_service (user_data);
}

/* FALSE when the bus itself cannot be had: not waited for. */
static gboolean
try_connect (CtlFollow *f, GError **error)
{
  const CtlOptions *options = f->options;

  if (options->address != NULL)
    f->connection = g_dbus_connection_new_for_address_sync (options->address,
                                                            G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                                              G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                            NULL, f->cancellable, error);
  else
    f->connection = g_bus_get_sync (options->session ? G_BUS_TYPE_SESSION : G_BUS_TYPE_SYSTEM, f->cancellable, error);
  return f->connection != NULL;
}

static void
subscribe (CtlFollow *f)
{
  g_dbus_connection_set_exit_on_close (f->connection, FALSE);
  g_signal_connect (f->connection, "closed", G_CALLBACK (on_closed), f);
  f->sub_ids[0] = g_dbus_connection_signal_subscribe (f->connection, DPUGW_DBUS_NAME, DPUGW_DBUS_INTERFACE,
                                                      "GatewayChanged", DPUGW_DBUS_PATH, NULL,
                                                      G_DBUS_SIGNAL_FLAGS_NONE, on_signal, f, NULL);
  f->sub_ids[1] = g_dbus_connection_signal_subscribe (f->connection, DPUGW_DBUS_NAME, DPUGW_DBUS_INTERFACE,
                                                      "TopologyChanged", DPUGW_DBUS_PATH, NULL,
                                                      G_DBUS_SIGNAL_FLAGS_NONE, on_signal, f, NULL);
  f->sub_ids[2] = g_dbus_connection_signal_subscribe (f->connection, DPUGW_DBUS_NAME,
                                                      "org.freedesktop.DBus.Properties", "PropertiesChanged",
                                                      DPUGW_DBUS_PATH, DPUGW_DBUS_INTERFACE,
                                                      G_DBUS_SIGNAL_FLAGS_NONE, on_signal, f, NULL);
  /* Started by the bus if it is not running; asked as soon as it is there. */
  f->watch_id = g_bus_watch_name_on_connection (f->connection, DPUGW_DBUS_NAME, G_BUS_NAME_WATCHER_FLAGS_AUTO_START,
                                                on_name_appeared, on_name_vanished, f, NULL);
}

static void
connect_service (CtlFollow *f)
{
  g_autoptr(GError) error = NULL;

  if (f->connection != NULL)
    return;
  if (!try_connect (f, &error))
    {
      g_autofree char *message = g_strdup_printf ("cannot reach %s on %s: %s", DPUGW_DBUS_NAME,
                                                  f->options->address, error->message);
      f->gone (f, message, f->user_data);
      return;
    }
  subscribe (f);
}

CtlFollow *
ctl_follow_new (const CtlOptions *options, const char *mgmt_port, CtlFollowAnswer answer, CtlFollowGone gone,
                gpointer user_data, int *exit_code)
{
  g_autoptr(CtlFollow) f = g_new0 (CtlFollow, 1);
  g_autoptr(GError) error = NULL;

  f->options = options;
  f->mgmt_port = g_strdup (mgmt_port);
  f->answer = answer;
  f->gone = gone;
  f->user_data = user_data;
  f->cancellable = g_cancellable_new ();

  /* A socket may not be there yet: its directory tells when it comes. */
  if (options->address != NULL && g_str_has_prefix (options->address, "unix:path=") &&
      strpbrk (options->address, ",;") == NULL)
    {
      g_autoptr(GFile) file = NULL;

      f->socket_path = g_strdup (options->address + strlen ("unix:path="));
      file = g_file_new_for_path (f->socket_path);
      f->socket_monitor = g_file_monitor_file (file, G_FILE_MONITOR_NONE, f->cancellable, &error);
      if (f->socket_monitor == NULL)
        {
          ctl_error ("cannot watch %s: %s", f->socket_path, error->message);
          *exit_code = CTL_EXIT_USAGE;
          return NULL;
        }
      g_signal_connect (f->socket_monitor, "changed", G_CALLBACK (on_socket_event), f);
      connect_service (f);
      return g_steal_pointer (&f);
    }

  /* A bus that is not there is not waited for. */
  if (!try_connect (f, &error))
    {
      ctl_error ("cannot reach %s on %s: %s", DPUGW_DBUS_NAME,
                 options->address != NULL ? options->address
                                          : options->session ? "the session bus" : "the system bus",
                 error->message);
      *exit_code = CTL_EXIT_UNREACHABLE;
      return NULL;
    }
  subscribe (f);
  return g_steal_pointer (&f);
}

void
ctl_follow_free (CtlFollow *f)
{
  if (f == NULL)
    return;
  g_cancellable_cancel (f->cancellable);
  disconnect_service (f);
  g_clear_handle_id (&f->reconnect_id, g_source_remove);
  if (f->socket_monitor != NULL)
    g_signal_handlers_disconnect_by_data (f->socket_monitor, f);
  g_clear_object (&f->socket_monitor);
  g_clear_object (&f->cancellable);
  g_free (f->socket_path);
  g_free (f->mgmt_port);
  g_free (f);
}
