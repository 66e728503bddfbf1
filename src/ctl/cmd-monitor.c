/* SPDX-License-Identifier: Apache-2.0
 *
 * dpu-gatewayctl monitor: one line per GatewayChanged, TopologyChanged and
 * property change (--json: one JSON object per line), and per start or stop
 * of the service, until interrupted.
 */
#include "ctl.h"
#include "dbus-names.h"
#include "json.h"

#include <glib-unix.h>
#include <stdio.h>
#include <string.h>

typedef struct {
  const CtlOptions *options;
  GMainLoop *loop;
  int status;
} Monitor;

static void
emit_line (GString *line)
{
  g_string_append_c (line, '\n');
  fputs (line->str, stdout);
  fflush (stdout);
}

/* A property's value: JSON for --json (a dictionary an object), else plain when it needs no quoting. */
static void
append_value (GString *out, GVariant *value, gboolean json)
{
  if (json)
    dpugw_json_variant (out, value);
  else if (g_variant_is_of_type (value, G_VARIANT_TYPE_STRING))
    {
      const char *s = g_variant_get_string (value, NULL);
      if (*s != '\0' && strpbrk (s, " \t\n\"\\") == NULL)
        g_string_append (out, s);
      else
        dpugw_json_string (out, s);
    }
  else if (g_variant_is_of_type (value, G_VARIANT_TYPE_UINT64))
    g_string_append_printf (out, "%" G_GUINT64_FORMAT, g_variant_get_uint64 (value));
  else
    {
      g_autofree char *text = g_variant_print (value, FALSE);
      g_string_append (out, text);
    }
}

static void
on_signal (GDBusConnection *connection,
           const char      *sender,
           const char      *path,
           const char      *interface,
           const char      *name,
           GVariant        *parameters,
           gpointer         user_data)
{
  Monitor *m = user_data;
  gboolean json = m->options->json;
  g_autoptr(GString) line = g_string_new (NULL);

  if (g_strcmp0 (name, "GatewayChanged") == 0 && g_variant_is_of_type (parameters, G_VARIANT_TYPE ("(sss)")))
    {
      const char *vf, *old_if, *new_if;

      g_variant_get (parameters, "(&s&s&s)", &vf, &old_if, &new_if);
      if (json)
        {
          g_string_append (line, "{\"signal\":\"GatewayChanged\"");
          dpugw_json_member_string (line, FALSE, "vf-pci", vf);
          dpugw_json_member_string (line, FALSE, "old-interface", old_if);
          dpugw_json_member_string (line, FALSE, "new-interface", new_if);
          g_string_append_c (line, '}');
        }
      else
        g_string_append_printf (line, "GatewayChanged %s %s -> %s", *vf ? vf : "\"\"",
                                *old_if ? old_if : "\"\"", *new_if ? new_if : "\"\"");
    }
  else if (g_strcmp0 (name, "TopologyChanged") == 0 && g_variant_is_of_type (parameters, G_VARIANT_TYPE ("(t)")))
    {
      guint64 generation;

      g_variant_get (parameters, "(t)", &generation);
      if (json)
        g_string_append_printf (line, "{\"signal\":\"TopologyChanged\",\"generation\":%" G_GUINT64_FORMAT "}",
                                generation);
      else
        g_string_append_printf (line, "TopologyChanged generation=%" G_GUINT64_FORMAT, generation);
    }
  else if (g_strcmp0 (name, "PropertiesChanged") == 0 &&
           g_variant_is_of_type (parameters, G_VARIANT_TYPE ("(sa{sv}as)")))
    {
      const char *iface;
      g_autoptr(GVariantIter) changed = NULL;
      const char *key;
      GVariant *value;
      gboolean first = TRUE;

      g_variant_get (parameters, "(&sa{sv}as)", &iface, &changed, NULL);
      if (g_strcmp0 (iface, DPUGW_DBUS_INTERFACE) != 0)
        return;
      g_string_append (line, json ? "{\"signal\":\"PropertiesChanged\",\"changed\":{" : "PropertiesChanged");
      while (g_variant_iter_next (changed, "{&sv}", &key, &value))
        {
          if (json)
            {
              if (!first)
                g_string_append_c (line, ',');
              dpugw_json_string (line, key);
              g_string_append_c (line, ':');
            }
          else
            g_string_append_printf (line, " %s=", key);
          append_value (line, value, json);
          g_variant_unref (value);
          first = FALSE;
        }
      if (json)
        g_string_append (line, "}}");
    }
  else
    return;
  emit_line (line);
}

static void
on_name_appeared (GDBusConnection *connection, const char *name, const char *owner, gpointer user_data)
{
  Monitor *m = user_data;
  g_autoptr(GString) line = g_string_new (NULL);

  if (m->options->json)
    {
      g_string_append (line, "{\"signal\":\"ServiceStarted\"");
      dpugw_json_member_string (line, FALSE, "owner", owner);
      g_string_append_c (line, '}');
    }
  else
    g_string_append_printf (line, "ServiceStarted %s", owner);
  emit_line (line);
}

static void
on_name_vanished (GDBusConnection *connection, const char *name, gpointer user_data)
{
  Monitor *m = user_data;
  g_autoptr(GString) line = g_string_new (m->options->json ? "{\"signal\":\"ServiceStopped\"}" : "ServiceStopped");

  if (connection == NULL || g_dbus_connection_is_closed (connection))
    {
      ctl_error ("the connection to the bus closed");
      m->status = CTL_EXIT_UNREACHABLE;
      g_main_loop_quit (m->loop);
      return;
    }
  emit_line (line);
}

static gboolean
on_interrupt (gpointer user_data)
{
  Monitor *m = user_data;

  g_main_loop_quit (m->loop);
  return G_SOURCE_CONTINUE;
}

int
ctl_cmd_monitor (int argc, char **argv)
{
  CtlOptions options = { 0 };
  g_autoptr(GDBusConnection) connection = NULL;
  Monitor m = { &options, NULL, CTL_EXIT_OK };
  guint subscription, watch, sigint, sigterm;

  if (!ctl_parse_options (&options, "monitor", NULL,
                          "Print the service's change signals, one line each (--json: one JSON object "
                          "each), until interrupted.",
                          CTL_ACCEPTS_JSON, NULL, &argc, &argv))
    {
      ctl_options_clear (&options);
      return CTL_EXIT_USAGE;
    }
  if (argc > 1)
    {
      ctl_error ("monitor takes no arguments");
      ctl_options_clear (&options);
      return CTL_EXIT_USAGE;
    }

  connection = ctl_bus_connect (&options, &m.status);
  if (connection == NULL)
    {
      ctl_options_clear (&options);
      return m.status;
    }
  g_dbus_connection_set_exit_on_close (connection, FALSE);
  m.loop = g_main_loop_new (NULL, FALSE);

  subscription = g_dbus_connection_signal_subscribe (connection, DPUGW_DBUS_NAME, NULL, NULL, DPUGW_DBUS_PATH,
                                                     NULL, G_DBUS_SIGNAL_FLAGS_NONE, on_signal, &m, NULL);
  watch = g_bus_watch_name_on_connection (connection, DPUGW_DBUS_NAME, G_BUS_NAME_WATCHER_FLAGS_NONE,
                                          on_name_appeared, on_name_vanished, &m, NULL);
  sigint = g_unix_signal_add (SIGINT, on_interrupt, &m);
  sigterm = g_unix_signal_add (SIGTERM, on_interrupt, &m);

  g_main_loop_run (m.loop);

  g_source_remove (sigint);
  g_source_remove (sigterm);
  g_bus_unwatch_name (watch);
  g_dbus_connection_signal_unsubscribe (connection, subscription);
  g_main_loop_unref (m.loop);
  ctl_options_clear (&options);
  return m.status;
}
