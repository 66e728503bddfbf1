/* SPDX-License-Identifier: Apache-2.0
 *
 * dpu-gatewayctl hooks: the hooks agent (dpu-gateway-hooks.service).  It follows the service on
 * the bus and runs the administrator's hooks (/etc/dpu-gateway/dispatcher.d) for each gateway
 * state it has not run them for: once when it starts, whenever the service (re)appears on the
 * bus, and after each GatewayChanged or change of the GatewayInterface or ManagementPort
 * properties.  The hooks themselves are run by the dispatcher script in its --run-hooks mode,
 * the same code and environment as NetworkManager's path; that script keeps the state the hooks
 * last ran for (under /run/dpu-gateway), so that a state either path saw first is not run again.
 *
 * One lookup and one run at a time: what changes meanwhile makes one more lookup afterwards,
 * so a burst of changes ends with the hooks run for the final state.
 */
#include "config.h"
#include "ctl.h"
#include "dbus-names.h"

#include <glib-unix.h>
#include <stdio.h>
#include <string.h>

#define CALL_TIMEOUT_MSEC 25000

typedef struct {
  const CtlOptions *options;
  GDBusConnection *connection;
  GMainLoop *loop;
  const char *runner;
  gboolean busy;       /* a lookup or a run in flight */
  gboolean pending;    /* something changed meanwhile: look again afterwards */
  gboolean present;    /* the service has an owner */
  gboolean stopping;   /* interrupted: start nothing more */
  GCancellable *cancellable;
  int status;
} Agent;

static void look (Agent *a);

static void
agent_log (const char *format, ...) G_GNUC_PRINTF (1, 2);

static void
agent_log (const char *format, ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  printf ("%s\n", message);
  fflush (stdout);
}

static void
done (Agent *a)
{
  a->busy = FALSE;
  if (a->pending && a->present && !a->stopping)
    look (a);
}

static void
run_finished (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Agent *a = user_data;
  GSubprocess *process = G_SUBPROCESS (source);
  g_autoptr(GError) error = NULL;

  if (!g_subprocess_wait_finish (process, result, &error))
    agent_log ("the hook runner: %s", error->message);
  else if (!g_subprocess_get_if_exited (process) || g_subprocess_get_exit_status (process) != 0)
    agent_log ("the hook runner %s ended with status %d", a->runner, g_subprocess_get_status (process));
  g_object_unref (process);
  done (a);
}

/* Runs the hooks for this state, unless they ran for it already (the runner decides). */
static void
run_hooks (Agent *a, const char *gateway, const char *mgmt_port, const char *vf_pci, const char *pf_pci)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_autoptr(GError) error = NULL;
  g_autofree char *address = NULL;
  const char *iface = *gateway != '\0' ? gateway : mgmt_port;
  GSubprocess *process;

  /* The runner asks nothing of the bus: all it needs is here.  Its output goes where ours does
   * (the journal, under systemd); it gives each hook /dev/null as stdin. */
  g_subprocess_launcher_unsetenv (launcher, "DPU_GATEWAY_HOOK_RUNNER");
  g_subprocess_launcher_setenv (launcher, "DPU_GATEWAY_INTERFACE", gateway, TRUE);
  g_subprocess_launcher_setenv (launcher, "DPU_GATEWAY_MGMT_PORT", mgmt_port, TRUE);
  g_subprocess_launcher_setenv (launcher, "DPU_GATEWAY_VF_PCI", vf_pci, TRUE);
  g_subprocess_launcher_setenv (launcher, "DPU_GATEWAY_PF_PCI", pf_pci, TRUE);
  g_subprocess_launcher_setenv (launcher, "DPU_GATEWAY_ROLE", *gateway != '\0' ? "gateway" : "mgmt-port", TRUE);
  g_subprocess_launcher_setenv (launcher, "DPU_GATEWAY_SOURCE", "signal", TRUE);
  process = g_subprocess_launcher_spawn (launcher, &error, a->runner, "--run-hooks", iface, "change", NULL);
  if (process == NULL)
    {
      agent_log ("cannot run the hooks (%s): %s", a->runner, error->message);
      done (a);
      return;
    }
  g_subprocess_wait_async (process, NULL, run_finished, a);
}

static char *
get_management_port (Agent *a)
{
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) value = NULL;

  reply = g_dbus_connection_call_sync (a->connection, DPUGW_DBUS_NAME, DPUGW_DBUS_PATH,
                                       "org.freedesktop.DBus.Properties", "Get",
                                       g_variant_new ("(ss)", DPUGW_DBUS_INTERFACE, "ManagementPort"),
                                       G_VARIANT_TYPE ("(v)"), G_DBUS_CALL_FLAGS_NO_AUTO_START,
                                       CALL_TIMEOUT_MSEC, NULL, NULL);
  if (reply != NULL)
    g_variant_get (reply, "(v)", &value);
  if (value != NULL && g_variant_is_of_type (value, G_VARIANT_TYPE_STRING))
    return g_variant_dup_string (value, NULL);
  return g_strdup ("");
}

static void
looked (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Agent *a = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) details = NULL;
  g_auto(GStrv) interfaces = NULL;
  const char *mgmt_port = "", *vf_pci = "", *pf_pci = "", *answer_source;

  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);
  if (reply == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        ;
      else if (g_error_matches (error, DPUGW_ERROR, DPUGW_ERROR_NOT_CONFIGURED))
        agent_log ("the service has no management port configured; no hooks run");
      else if (error->domain == DPUGW_ERROR)
        {
          /* The configured port does not resolve (any more): the hooks are told, gateway "". */
          g_autofree char *port = get_management_port (a);

          /* No management port (ovnkube-node's full mode, say): not a DPU host's gateway. */
          if (*port == '\0')
            {
              agent_log ("the service has no management port configured; no hooks run");
              done (a);
              return;
            }
          g_dbus_error_strip_remote_error (error);
          agent_log ("the gateway interface is unresolved: %s", error->message);
          run_hooks (a, "", port, "", "");
          return;
        }
      else
        {
          /* Gone, or not answering: it is looked at again when it (re)appears. */
          g_dbus_error_strip_remote_error (error);
          agent_log ("cannot ask %s: %s", DPUGW_DBUS_NAME, error->message);
        }
      done (a);
      return;
    }
  g_variant_get (reply, "(^as@a{sv})", &interfaces, &details);
  /* The default route's interface (ovnkube-node's full and dpu modes) is no DPU host's gateway:
   * the hooks (an OVS bridge's port...) are not for it. */
  if (g_variant_lookup (details, "source", "&s", &answer_source) && strcmp (answer_source, "default-route") == 0)
    {
      agent_log ("the service has no management port configured; no hooks run");
      done (a);
      return;
    }
  g_variant_lookup (details, "mgmt-port", "&s", &mgmt_port);
  g_variant_lookup (details, "vf-pci", "&s", &vf_pci);
  g_variant_lookup (details, "pf-pci", "&s", &pf_pci);
  run_hooks (a, interfaces[0] != NULL ? interfaces[0] : "", mgmt_port, vf_pci, pf_pci);
}

/* The configured management port's resolution, then the hooks for it. */
static void
look (Agent *a)
{
  if (a->busy || a->stopping)
    {
      a->pending = TRUE;
      return;
    }
  a->busy = TRUE;
  a->pending = FALSE;
  g_dbus_connection_call (a->connection, DPUGW_DBUS_NAME, DPUGW_DBUS_PATH, DPUGW_DBUS_INTERFACE, "ResolveAll",
                          g_variant_new ("(s)", ""), G_VARIANT_TYPE ("(asa{sv})"), G_DBUS_CALL_FLAGS_NO_AUTO_START,
                          CALL_TIMEOUT_MSEC, a->cancellable, looked, a);
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
  Agent *a = user_data;

  if (g_strcmp0 (name, "GatewayChanged") == 0)
    look (a);
  else if (g_strcmp0 (name, "PropertiesChanged") == 0 &&
           g_variant_is_of_type (parameters, G_VARIANT_TYPE ("(sa{sv}as)")))
    {
      const char *iface;
      g_autoptr(GVariant) changed = NULL;
      g_autoptr(GVariant) gateway = NULL;
      g_autoptr(GVariant) port = NULL;

      g_variant_get (parameters, "(&s@a{sv}as)", &iface, &changed, NULL);
      if (g_strcmp0 (iface, DPUGW_DBUS_INTERFACE) != 0)
        return;
      gateway = g_variant_lookup_value (changed, "GatewayInterface", NULL);
      port = g_variant_lookup_value (changed, "ManagementPort", NULL);
      if (gateway != NULL || port != NULL)
        look (a);
    }
}

static void
on_name_appeared (GDBusConnection *connection, const char *name, const char *owner, gpointer user_data)
{
  Agent *a = user_data;

  agent_log ("%s is on the bus (%s): running the hooks for its state", DPUGW_DBUS_NAME, owner);
  a->present = TRUE;
  look (a);
}

static void
on_name_vanished (GDBusConnection *connection, const char *name, gpointer user_data)
{
  Agent *a = user_data;

  if (connection == NULL || g_dbus_connection_is_closed (connection))
    {
      ctl_error ("the connection to the bus closed");
      a->status = CTL_EXIT_UNREACHABLE;
      g_main_loop_quit (a->loop);
      return;
    }
  if (a->present)
    agent_log ("%s left the bus: waiting for it", DPUGW_DBUS_NAME);
  else
    agent_log ("%s is not on the bus: waiting for it", DPUGW_DBUS_NAME);
  a->present = FALSE;
}

static gboolean
on_interrupt (gpointer user_data)
{
  Agent *a = user_data;

  g_main_loop_quit (a->loop);
  return G_SOURCE_CONTINUE;
}

int
ctl_cmd_hooks (int argc, char **argv)
{
  CtlOptions options = { 0 };
  g_autoptr(GDBusConnection) connection = NULL;
  Agent a = { &options, NULL, NULL, NULL, FALSE, FALSE, FALSE, FALSE, NULL, CTL_EXIT_OK };
  guint subscription, watch, sigint, sigterm;

  if (!ctl_parse_options (&options, "hooks", NULL,
                          "Run the hooks of /etc/dpu-gateway/dispatcher.d once for each gateway state "
                          "the service reports: at start, whenever the service (re)appears on the bus, "
                          "and after each change; never twice for the same state, whether this agent or "
                          "NetworkManager's dispatcher script saw it first.  Runs until interrupted.",
                          CTL_ACCEPTS_BUS, NULL, &argc, &argv))
    {
      ctl_options_clear (&options);
      return CTL_EXIT_USAGE;
    }
  if (argc > 1)
    {
      ctl_error ("hooks takes no arguments");
      ctl_options_clear (&options);
      return CTL_EXIT_USAGE;
    }
  a.runner = g_getenv ("DPU_GATEWAY_HOOK_RUNNER");
  if (a.runner == NULL || *a.runner == '\0')
    a.runner = DPUGW_HOOK_RUNNER;

  connection = ctl_bus_connect (&options, &a.status);
  if (connection == NULL)
    {
      ctl_options_clear (&options);
      return a.status;
    }
  g_dbus_connection_set_exit_on_close (connection, FALSE);
  a.connection = connection;
  a.loop = g_main_loop_new (NULL, FALSE);
  a.cancellable = g_cancellable_new ();

  subscription = g_dbus_connection_signal_subscribe (connection, DPUGW_DBUS_NAME, NULL, NULL, DPUGW_DBUS_PATH,
                                                     NULL, G_DBUS_SIGNAL_FLAGS_NONE, on_signal, &a, NULL);
  watch = g_bus_watch_name_on_connection (connection, DPUGW_DBUS_NAME, G_BUS_NAME_WATCHER_FLAGS_NONE,
                                          on_name_appeared, on_name_vanished, &a, NULL);
  sigint = g_unix_signal_add (SIGINT, on_interrupt, &a);
  sigterm = g_unix_signal_add (SIGTERM, on_interrupt, &a);

  g_main_loop_run (a.loop);

  /* A lookup in flight is cancelled; a run in flight is waited for (under systemd, the stop
   * signals the runner and the hooks too): when the agent is gone, so are its runs. */
  a.stopping = TRUE;
  g_cancellable_cancel (a.cancellable);
  while (a.busy)
    g_main_context_iteration (NULL, TRUE);
  g_object_unref (a.cancellable);
  g_source_remove (sigint);
  g_source_remove (sigterm);
  g_bus_unwatch_name (watch);
  g_dbus_connection_signal_unsubscribe (connection, subscription);
  g_main_loop_unref (a.loop);
  ctl_options_clear (&options);
  return a.status;
}
