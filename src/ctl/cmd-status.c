/* SPDX-License-Identifier: Apache-2.0
 *
 * dpu-gatewayctl status: the configuration in effect, the current resolution,
 * LastError and Generation, on one screen.  From the service, or with --local
 * from this process' own configuration and sysfs.
 */
#include "ctl.h"
#include "dbus-names.h"
#include "json.h"

#include "config.h"

#include <stdio.h>

typedef struct {
  GPtrArray *config;          /* "key", "value" pairs, in order */
  DpugwResolution *resolution;
  char *source;
  char *last_error;
  char *management_port;
  char *gateway_interface;
  guint64 generation;
  char *version;              /* NULL: local */
  gboolean not_configured;    /* for a DPU host, nothing: full mode, no management port, no gateway interface */
} Status;

static void
status_clear (Status *st)
{
  g_clear_pointer (&st->config, g_ptr_array_unref);
  g_clear_pointer (&st->resolution, dpugw_resolution_free);
  g_clear_pointer (&st->source, g_free);
  g_clear_pointer (&st->last_error, g_free);
  g_clear_pointer (&st->management_port, g_free);
  g_clear_pointer (&st->gateway_interface, g_free);
  g_clear_pointer (&st->version, g_free);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Status, status_clear)

static void
add_config (Status *st, const char *key, const char *value)
{
  if (value == NULL)
    return;
  g_ptr_array_add (st->config, g_strdup (key));
  g_ptr_array_add (st->config, g_strdup (value));
}

/* What to set when nothing is configured: the INI file's keys (the flags and the environment
 * have the same names, dpu-gatewayd(8) and dpu-gateway.conf(5) list them). */
static void
print_not_configured (const Status *st)
{
  const char *file = DPUGW_DEFAULT_CONFIG_FILE;

  for (guint i = 0; i + 1 < st->config->len; i += 2)
    if (g_strcmp0 (g_ptr_array_index (st->config, i), "config-file") == 0)
      file = g_ptr_array_index (st->config, i + 1);
  printf ("%-19s %s\n", "Gateway interface:", "not configured");
  printf ("  set mode=dpu-host and mgmt-port-netdev=NETDEV (or mgmt-port-dp-resource-name=RESOURCE)\n"
          "  in [OvnKubeNode], and interface=derive-from-mgmt-port in [Gateway], of %s\n"
          "  (or the same as flags or OVNKUBE_* variables of %s)\n",
          file, st->version != NULL ? "dpu-gatewayd" : "dpu-gatewayctl --local");
  /* Meanwhile the answer is what ovnkube-node uses in its default mode. */
  printf ("  until then, as ovnkube-node in full mode, the default route's interface: %s\n",
          *st->gateway_interface ? st->gateway_interface : "none");
}

/* Nothing a DPU host needs is set: the defaults of every key. */
static gboolean
config_is_default (const Status *st)
{
  for (guint i = 0; i + 1 < st->config->len; i += 2)
    {
      const char *key = g_ptr_array_index (st->config, i);
      const char *value = g_ptr_array_index (st->config, i + 1);

      if ((strcmp (key, "mode") == 0 && strcmp (value, "full") != 0) || strcmp (key, "mgmt-port-netdev") == 0 ||
          strcmp (key, "mgmt-port-dp-resource-name") == 0 || strcmp (key, "gateway-interface") == 0)
        return FALSE;
    }
  return TRUE;
}

static void
print_text (const Status *st)
{
  if (st->version != NULL)
    printf ("%-19s %s %s\n", "Service:", DPUGW_DBUS_NAME, st->version);
  else
    printf ("%-19s %s\n", "Service:", "(not asked: --local)");
  printf ("Configuration:\n");
  for (guint i = 0; i + 1 < st->config->len; i += 2)
    printf ("  %-27s %s\n", (const char *) g_ptr_array_index (st->config, i),
            (const char *) g_ptr_array_index (st->config, i + 1));
  printf ("%-19s %s\n", "Management port:", *st->management_port ? st->management_port : "(none)");
  if (st->not_configured)
    print_not_configured (st);
  else
    printf ("%-19s %s\n", "Gateway interface:", *st->gateway_interface ? st->gateway_interface : "(unresolved)");
  if (st->resolution != NULL && !st->not_configured)
    {
      const DpugwResolution *r = st->resolution;
      g_autofree char *candidates = r->candidates != NULL ? g_strjoinv (" ", r->candidates) : g_strdup ("");

      if (*r->pf_pci != '\0')
        printf ("  %s %s -> PF %s, candidates %s, selected by %s, %s\n",
                g_strcmp0 (r->function_type, "sf") == 0 ? "SF" : "VF", dpugw_resolution_function (r), r->pf_pci,
                candidates, r->selected_by != NULL ? r->selected_by : "", st->source);
      else if (r->node_ip != NULL)
        printf ("  the link holding the node IP %s, %s\n", r->node_ip, st->source);
      else
        printf ("  %s\n", st->source);
      if (r->hint != NULL)
        printf ("  hint: %s\n", r->hint);
      if (r->beyond != 0)
        {
          g_autofree char *beyond = dpugw_beyond_to_string (r->beyond);
          printf ("  beyond ovnkube-node: %s\n", beyond);
        }
    }
  printf ("%-19s %s\n", "Last error:", *st->last_error ? st->last_error : "none");
  if (st->version != NULL)
    printf ("%-19s %" G_GUINT64_FORMAT "\n", "Generation:", st->generation);
}

static void
print_json (const Status *st)
{
  g_autoptr(GString) out = g_string_new ("{");

  dpugw_json_member_string (out, TRUE, "version", st->version != NULL ? st->version : "");
  g_string_append (out, ",\"configuration\":{");
  for (guint i = 0; i + 1 < st->config->len; i += 2)
    dpugw_json_member_string (out, i == 0, g_ptr_array_index (st->config, i), g_ptr_array_index (st->config, i + 1));
  g_string_append_c (out, '}');
  dpugw_json_member_string (out, FALSE, "mgmt-port", st->management_port);
  dpugw_json_member_string (out, FALSE, "interface", st->gateway_interface);
  if (st->resolution != NULL)
    {
      dpugw_json_member_string (out, FALSE, "vf-pci", st->resolution->vf_pci);
      dpugw_json_member_string (out, FALSE, "pf-pci", st->resolution->pf_pci);
      dpugw_json_member_strv (out, FALSE, "candidates", (const char * const *) st->resolution->candidates);
      dpugw_json_member_string (out, FALSE, "source", st->source);
      dpugw_json_member_string (out, FALSE, "selected-by", st->resolution->selected_by);
      ctl_json_ovnkube_compatible (out, st->resolution);
    }
  dpugw_json_member_string (out, FALSE, "last-error", st->last_error);
  g_string_append_printf (out, ",\"configured\":%s", st->not_configured ? "false" : "true");
  if (st->version != NULL)
    dpugw_json_member_uint (out, FALSE, "generation", st->generation);
  g_string_append (out, "}\n");
  fputs (out->str, stdout);
}

static int
status_local (const CtlOptions *options, Status *st)
{
  g_autoptr(DpugwConfig) config = NULL;
  g_autoptr(DpugwSysfs) sysfs = NULL;
  g_autoptr(GError) error = NULL;

  if (!ctl_load_local (options, &config, &sysfs))
    return CTL_EXIT_USAGE;
  add_config (st, "mode", dpugw_node_mode_to_string (config->mode));
  add_config (st, "mgmt-port-netdev", config->mgmt_port_netdev);
  add_config (st, "mgmt-port-dp-resource-name", config->mgmt_port_dp_resource_name);
  add_config (st, "device-plugin-variable", config->device_plugin_variable);
  add_config (st, "gateway-interface", config->gateway_interface);
  add_config (st, "gateway-select", dpugw_select_to_string (config->select));
  add_config (st, "node-ip", config->node_ip);
  add_config (st, "config-file", config->config_file);
  add_config (st, "sysfs-root", dpugw_sysfs_get_root (sysfs));

  st->resolution = dpugw_resolve (sysfs, config, NULL, &error);
  if (st->resolution != NULL)
    {
      const DpugwResolution *r = st->resolution;
      st->source = g_strdup (dpugw_source_to_string (r->source));
      st->management_port = g_strdup (*r->mgmt_port ? r->mgmt_port : dpugw_resolution_function (r));
      st->gateway_interface = g_strdup (r->interface);
      st->last_error = g_strdup ("");
    }
  else
    {
      st->management_port = g_strdup (config->mgmt_port_netdev != NULL ? config->mgmt_port_netdev : "");
      st->gateway_interface = g_strdup ("");
      st->last_error = g_strdup (g_error_matches (error, DPUGW_ERROR, DPUGW_ERROR_NOT_CONFIGURED) ? ""
                                                                                                 : error->message);
    }
  st->not_configured = config_is_default (st);
  return CTL_EXIT_OK;
}

static int
status_service (const CtlOptions *options, Status *st)
{
  g_autoptr(GDBusConnection) connection = NULL;
  g_autoptr(GVariant) props = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) configuration = NULL;
  int status = CTL_EXIT_OK;
  const char *s;

  connection = ctl_bus_connect (options, &status);
  if (connection == NULL)
    return status;
  props = g_dbus_connection_call_sync (connection, DPUGW_DBUS_NAME, DPUGW_DBUS_PATH,
                                       "org.freedesktop.DBus.Properties", "GetAll",
                                       g_variant_new ("(s)", DPUGW_DBUS_INTERFACE), G_VARIANT_TYPE ("(a{sv})"),
                                       G_DBUS_CALL_FLAGS_NONE, 25000, NULL, &error);
  if (props == NULL)
    {
      g_dbus_error_strip_remote_error (error);
      ctl_error ("cannot reach %s: %s", DPUGW_DBUS_NAME, error->message);
      return CTL_EXIT_UNREACHABLE;
    }
  g_variant_get (props, "(@a{sv})", &reply);
  st->version = g_strdup (g_variant_lookup (reply, "Version", "&s", &s) ? s : "");
  st->management_port = g_variant_lookup (reply, "ManagementPort", "&s", &s) ? g_strdup (s) : g_strdup ("");
  st->gateway_interface = g_variant_lookup (reply, "GatewayInterface", "&s", &s) ? g_strdup (s) : g_strdup ("");
  st->last_error = g_variant_lookup (reply, "LastError", "&s", &s) ? g_strdup (s) : g_strdup ("");
  g_variant_lookup (reply, "Generation", "t", &st->generation);
  configuration = g_variant_lookup_value (reply, "Configuration", G_VARIANT_TYPE ("a{ss}"));
  if (configuration != NULL)
    {
      GVariantIter iter;
      const char *key, *value;

      g_variant_iter_init (&iter, configuration);
      while (g_variant_iter_next (&iter, "{&s&s}", &key, &value))
        add_config (st, key, value);
    }

  st->not_configured = config_is_default (st);

  /* The current resolution's details, if there is one. */
  if (*st->gateway_interface != '\0')
    {
      g_autoptr(GVariant) resolved = NULL;
      g_autoptr(GVariant) details = NULL;
      g_auto(GStrv) interfaces = NULL;
      const char *source;

      /* ResolveAll: Resolve's details are only the hot path's few. */
      resolved = g_dbus_connection_call_sync (connection, DPUGW_DBUS_NAME, DPUGW_DBUS_PATH, DPUGW_DBUS_INTERFACE,
                                              "ResolveAll", g_variant_new ("(s)", ""), G_VARIANT_TYPE ("(asa{sv})"),
                                              G_DBUS_CALL_FLAGS_NONE, 25000, NULL, NULL);
      if (resolved != NULL)
        g_variant_get (resolved, "(^as@a{sv})", &interfaces, &details);
      if (interfaces != NULL && interfaces[0] != NULL)
        {
          st->resolution = ctl_resolution_from_variant (interfaces[0], interfaces, details, &source);
          st->source = g_strdup (source);
        }
    }
  return CTL_EXIT_OK;
}

int
ctl_cmd_status (int argc, char **argv)
{
  CtlOptions options = { 0 };
  g_auto(Status) st = { 0 };
  int status;

  st.config = g_ptr_array_new_with_free_func (g_free);
  if (!ctl_parse_options (&options, "status", NULL,
                          "Show the configuration in effect, the current resolution, the last error "
                          "and the generation.", CTL_ACCEPTS_LOCAL | CTL_ACCEPTS_CONFIG | CTL_ACCEPTS_JSON, NULL, &argc, &argv))
    status = CTL_EXIT_USAGE;
  else if (argc > 1)
    {
      ctl_error ("status takes no arguments");
      status = CTL_EXIT_USAGE;
    }
  else
    status = options.local ? status_local (&options, &st) : status_service (&options, &st);

  if (status == CTL_EXIT_OK)
    {
      if (options.json)
        print_json (&st);
      else
        print_text (&st);
    }
  ctl_options_clear (&options);
  return status;
}
