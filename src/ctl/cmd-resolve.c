/* SPDX-License-Identifier: Apache-2.0
 *
 * dpu-gatewayctl resolve [--all] [MGMT_PORT]: the gateway interface, alone on
 * stdout, so that GW=$(dpu-gatewayctl resolve) works; with --all every one the
 * selection rule matched, a line each.  Asks dpu-gatewayd, or with --local
 * resolves in this process; the output is the same.  A hint goes to stderr.
 */
#include "ctl.h"
#include "json.h"

#include <stdio.h>

/* @details: the service's reply (for cached and generation), NULL with --local. */
static void
print_resolution (const CtlOptions *options, const DpugwResolution *r, const char *source, GVariant *details)
{
  g_autoptr(GString) out = NULL;
  gboolean cached;
  guint64 generation;

  if (!options->json)
    {
      if (r->hint != NULL)
        ctl_error ("hint: %s", r->hint);
      if (options->all && r->interfaces != NULL)
        for (guint i = 0; r->interfaces[i] != NULL; i++)
          printf ("%s\n", r->interfaces[i]);
      else
        printf ("%s\n", r->interface);
      return;
    }
  out = g_string_new ("{");
  dpugw_json_member_string (out, TRUE, "interface", r->interface);
  if (options->all)
    dpugw_json_member_strv (out, FALSE, "interfaces", (const char * const *) r->interfaces);
  dpugw_json_member_string (out, FALSE, "mgmt-port", r->mgmt_port);
  dpugw_json_member_string (out, FALSE, "vf-pci", r->vf_pci);
  dpugw_json_member_string (out, FALSE, "pf-pci", r->pf_pci);
  dpugw_json_member_strv (out, FALSE, "candidates", (const char * const *) r->candidates);
  dpugw_json_member_string (out, FALSE, "source", source);
  dpugw_json_member_string (out, FALSE, "selected-by", r->selected_by);
  dpugw_json_member_string (out, FALSE, "function-type", r->function_type);
  if (r->sf != NULL)
    dpugw_json_member_string (out, FALSE, "sf", r->sf);
  if (r->hint != NULL)
    dpugw_json_member_string (out, FALSE, "hint", r->hint);
  if (r->node_ip != NULL)
    dpugw_json_member_string (out, FALSE, "node-ip", r->node_ip);
  ctl_json_ovnkube_compatible (out, r);
  if (details != NULL && g_variant_lookup (details, "cached", "b", &cached))
    g_string_append_printf (out, ",\"cached\":%s", cached ? "true" : "false");
  if (details != NULL && g_variant_lookup (details, "generation", "t", &generation))
    dpugw_json_member_uint (out, FALSE, "generation", generation);
  g_string_append (out, "}\n");
  fputs (out->str, stdout);
}

static int
resolve_local (const CtlOptions *options, const char *mgmt_port)
{
  g_autoptr(DpugwConfig) config = NULL;
  g_autoptr(DpugwSysfs) sysfs = NULL;
  g_autoptr(DpugwResolution) r = NULL;
  g_autoptr(GError) error = NULL;

  if (!ctl_load_local (options, &config, &sysfs))
    return CTL_EXIT_USAGE;
  r = dpugw_resolve (sysfs, config, mgmt_port, &error);
  if (r == NULL)
    {
      ctl_error ("%s", error->message);
      return ctl_exit_code_for_error (error);
    }
  print_resolution (options, r, dpugw_source_to_string (r->source), NULL);
  return CTL_EXIT_OK;
}

static int
resolve_service (const CtlOptions *options, const char *mgmt_port)
{
  g_autoptr(GDBusConnection) connection = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) details = NULL;
  g_autoptr(DpugwResolution) r = NULL;
  g_auto(GStrv) interfaces = NULL;
  const char *interface, *source;
  int status = CTL_EXIT_OK;

  /* D-Bus carries UTF-8 only: such a name is no netdev name, say so as --local would. */
  if (mgmt_port != NULL && !g_utf8_validate (mgmt_port, -1, NULL))
    {
      g_autoptr(GError) error = NULL;
      dpugw_netdev_name_validate (mgmt_port, &error);
      ctl_error ("%s", error->message);
      return CTL_EXIT_USAGE;
    }
  connection = ctl_bus_connect (options, &status);
  if (connection == NULL)
    return status;
  /* ResolveAll for both: it carries every detail the output prints; Resolve only the hot path's few. */
  reply = ctl_bus_call (connection, options, "ResolveAll", g_variant_new ("(s)", mgmt_port != NULL ? mgmt_port : ""),
                        G_VARIANT_TYPE ("(asa{sv})"), &status);
  if (reply == NULL)
    return status;
  g_variant_get (reply, "(^as@a{sv})", &interfaces, &details);
  if (interfaces[0] == NULL)
    {
      ctl_error ("the service answered no interface");
      return CTL_EXIT_FAILED;
    }
  interface = interfaces[0];
  r = ctl_resolution_from_variant (interface, interfaces, details, &source);
  print_resolution (options, r, source, details);
  return CTL_EXIT_OK;
}

int
ctl_cmd_resolve (int argc, char **argv)
{
  CtlOptions options = { 0 };
  const GOptionEntry extra[] = {
    { "all", 'a', 0, G_OPTION_ARG_NONE, &options.all,
      "Print every gateway interface the selection rule matched, in order", NULL },
    { NULL }
  };
  int status;

  if (!ctl_parse_options (&options, "resolve", "[MGMT_PORT]",
                          "Print the gateway interface derived from a management port: a netdev name "
                          "or a VF PCI address; without one, the one ovnkube-node uses under the "
                          "configuration (configured, derived, or found from the node IP or the "
                          "default route).",
                          CTL_ACCEPTS_LOCAL | CTL_ACCEPTS_CONFIG | CTL_ACCEPTS_JSON, extra, &argc, &argv))
    status = CTL_EXIT_USAGE;
  else if (argc > 2)
    {
      ctl_error ("resolve takes at most one management port");
      status = CTL_EXIT_USAGE;
    }
  else if (options.local)
    status = resolve_local (&options, argc == 2 ? argv[1] : NULL);
  else
    status = resolve_service (&options, argc == 2 ? argv[1] : NULL);

  ctl_options_clear (&options);
  return status;
}
