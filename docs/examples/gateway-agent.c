/* SPDX-License-Identifier: Apache-2.0
 *
 * gateway-agent: follows the DPU host's gateway interface, as dpu-gatewayd
 * serves it on the system bus (org.ovnk.DpuGateway), and prints it: a
 * template for an agent that must act when the gateway interface changes.
 *
 * It prints one line per event, and flushes it:
 *   waiting for org.ovnk.DpuGateway          the service is not running yet
 *   gateway: eth0                            the configured gateway interface (GatewayInterface):
 *                                            read when the service appears, then on change
 *   gateway: none (REASON)                   it cannot be resolved; REASON is LastError
 *   gateway: eth0 -> eth1 (VF 0000:01:02.3)  a GatewayChanged signal
 *   service gone                             the service stopped (or is restarting)
 *
 * The service may start after the agent, and restart: the agent watches the
 * name, and reads the state again every time it appears.  Like every GLib
 * program, it uses $DBUS_SYSTEM_BUS_ADDRESS as the system bus when it is set.
 * SIGINT and SIGTERM end it with status 0; no system bus, or losing it, with
 * status 1 (a service manager may then restart it).
 *
 * Build: cc gateway-agent.c $(pkg-config --cflags --libs gio-unix-2.0) -o gateway-agent
 */
#include <gio/gio.h>
#include <glib-unix.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#define NAME  "org.ovnk.DpuGateway"
#define PATH  "/org/ovnk/DpuGateway"
#define IFACE "org.ovnk.DpuGateway"

typedef struct {
  GMainLoop *loop;
  int exit_status;
  GDBusConnection *bus;           /* the system bus */
  gboolean seen;                  /* the service has appeared at least once */
  /* For the current appearance of the service (its owner): */
  GCancellable *cancellable;      /* the GetAll call in flight */
  guint subscriptions[2];
  char *gateway, *last_error;     /* the properties, as last read or changed */
  guint64 generation;             /* 0: the service's first resolution is not in yet */
  char *shown;                    /* the state line last printed; NULL: none yet */
} Agent;

static void
take_string (GVariant *properties, const char *key, char **field)
{
  const char *s;

  if (g_variant_lookup (properties, key, "&s", &s))
    {
      g_free (*field);
      *field = g_strdup (s);
    }
}

/* Takes the properties this agent uses from an a{sv}: GetAll's reply, or PropertiesChanged's. */
static void
take_properties (Agent *a, GVariant *properties)
{
  take_string (properties, "GatewayInterface", &a->gateway);
  take_string (properties, "LastError", &a->last_error);
  g_variant_lookup (properties, "Generation", "t", &a->generation);
}

/* Prints the configured gateway interface when it differs from what was printed last. */
static void
show_state (Agent *a)
{
  g_autofree char *line = NULL;

  /* Just started, the service resolves asynchronously; the PropertiesChanged
   * that ends its first resolution (Generation 1) will bring the state. */
  if (a->generation == 0)
    return;
  if (a->gateway != NULL && *a->gateway != '\0')
    line = g_strdup_printf ("gateway: %s", a->gateway);
  else
    line = g_strdup_printf ("gateway: none (%s)",
                            a->last_error != NULL && *a->last_error != '\0' ? a->last_error : "not configured");
  if (g_strcmp0 (line, a->shown) == 0)
    return;
  printf ("%s\n", line);
  g_free (a->shown);
  a->shown = g_steal_pointer (&line);
}

static void
on_signal (GDBusConnection *bus, const char *sender, const char *path, const char *interface,
           const char *signal, GVariant *parameters, gpointer user_data)
{
  Agent *a = user_data;

  if (strcmp (signal, "GatewayChanged") == 0)
    {
      const char *vf, *old_if, *new_if;

      /* Signals that come before GetAll's reply are in the state it returns. */
      if (a->shown == NULL)
        return;
      g_variant_get (parameters, "(&s&s&s)", &vf, &old_if, &new_if);
      printf ("gateway: %s -> %s%s%s%s\n", *old_if ? old_if : "none", *new_if ? new_if : "none",
              *vf ? " (VF " : "", vf, *vf ? ")" : "");
    }
  else /* PropertiesChanged (s interface, a{sv} changed, as invalidated): the daemon sends values */
    {
      g_autoptr(GVariant) changed = g_variant_get_child_value (parameters, 1);
      take_properties (a, changed);
      show_state (a);
    }
}

static void
on_get_all (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Agent *a = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);
  g_autoptr(GVariant) properties = NULL;

  if (reply == NULL)
    {
      /* Cancelled: the service went away meanwhile; it will be read again when it is back. */
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_printerr ("gateway-agent: cannot read the properties: %s\n", error->message);
      return;
    }
  g_variant_get (reply, "(@a{sv})", &properties);
  take_properties (a, properties);
  show_state (a);
}

/* Forgets the service that was there: its subscriptions, the call in flight, its state. */
static void
forget (Agent *a)
{
  for (guint i = 0; i < G_N_ELEMENTS (a->subscriptions); i++)
    if (a->subscriptions[i] != 0)
      g_dbus_connection_signal_unsubscribe (a->bus, a->subscriptions[i]);
  memset (a->subscriptions, 0, sizeof a->subscriptions);
  g_cancellable_cancel (a->cancellable);
  g_clear_object (&a->cancellable);
  g_clear_pointer (&a->gateway, g_free);
  g_clear_pointer (&a->last_error, g_free);
  g_clear_pointer (&a->shown, g_free);
  a->generation = 0;
}

/* The service is there, @owner its unique name: at start-up, at every (re)start of the service. */
static void
on_appeared (GDBusConnection *bus, const char *name, const char *owner, gpointer user_data)
{
  Agent *a = user_data;

  a->seen = TRUE;
  a->cancellable = g_cancellable_new ();
  /* Subscribe first, then read, so that no change can fall in between; only
   * this owner's signals.  The bus handles the calls in the order they go. */
  a->subscriptions[0] = g_dbus_connection_signal_subscribe (bus, owner, IFACE, "GatewayChanged", PATH, NULL,
                                                            G_DBUS_SIGNAL_FLAGS_NONE, on_signal, a, NULL);
  a->subscriptions[1] = g_dbus_connection_signal_subscribe (bus, owner, "org.freedesktop.DBus.Properties",
                                                            "PropertiesChanged", PATH, IFACE,
                                                            G_DBUS_SIGNAL_FLAGS_NONE, on_signal, a, NULL);
  g_dbus_connection_call (bus, owner, PATH, "org.freedesktop.DBus.Properties", "GetAll",
                          g_variant_new ("(s)", IFACE), G_VARIANT_TYPE ("(a{sv})"), G_DBUS_CALL_FLAGS_NONE,
                          -1, a->cancellable, on_get_all, a);
}

/* The service is not there: at start-up when it is not running yet, and when it goes. */
static void
on_vanished (GDBusConnection *bus, const char *name, gpointer user_data)
{
  Agent *a = user_data;

  forget (a);
  printf ("%s\n", a->seen ? "service gone" : "waiting for " NAME);
}

static void
on_closed (GDBusConnection *bus, gboolean remote_peer_vanished, GError *error, gpointer user_data)
{
  Agent *a = user_data;

  g_printerr ("gateway-agent: the system bus closed\n");
  a->exit_status = 1;
  g_main_loop_quit (a->loop);
}

static gboolean
on_quit_signal (gpointer user_data)
{
  Agent *a = user_data;

  g_main_loop_quit (a->loop);
  return G_SOURCE_CONTINUE;
}

int
main (void)
{
  Agent a = { 0 };
  g_autoptr(GError) error = NULL;
  guint watch;

  setvbuf (stdout, NULL, _IOLBF, 0); /* one line at a time, to a pipe too */
  a.loop = g_main_loop_new (NULL, FALSE);
  a.bus = g_bus_get_sync (G_BUS_TYPE_SYSTEM, NULL, &error);
  if (a.bus == NULL)
    {
      g_printerr ("gateway-agent: cannot connect to the system bus: %s\n", error->message);
      g_main_loop_unref (a.loop);
      return 1;
    }
  /* A closed bus ends the agent with status 1, rather than GLib's default SIGTERM. */
  g_dbus_connection_set_exit_on_close (a.bus, FALSE);
  g_signal_connect (a.bus, "closed", G_CALLBACK (on_closed), &a);

  g_unix_signal_add (SIGINT, on_quit_signal, &a);
  g_unix_signal_add (SIGTERM, on_quit_signal, &a);
  /* g_bus_watch_name() on this connection: a handler runs once the loop runs, then on every change. */
  watch = g_bus_watch_name_on_connection (a.bus, NAME, G_BUS_NAME_WATCHER_FLAGS_NONE,
                                          on_appeared, on_vanished, &a, NULL);
  g_main_loop_run (a.loop);

  g_bus_unwatch_name (watch);
  forget (&a);
  g_object_unref (a.bus);
  g_main_loop_unref (a.loop);
  return a.exit_status;
}
