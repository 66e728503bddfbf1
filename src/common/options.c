/* SPDX-License-Identifier: Apache-2.0
 *
 * The configuration flags that dpu-gatewayd and dpu-gatewayctl share, and loading them with the
 * environment and the file.
 */
#include "config.h"
#include "options.h"

GOptionGroup *
dpugw_config_option_group (DpugwConfigOptions *options)
{
  const GOptionEntry entries[] = {
    { "ovnkube-node-mode", 0, 0, G_OPTION_ARG_STRING, &options->mode,
      "Node mode: full (default), dpu or dpu-host", "MODE" },
    { "ovnkube-node-mgmt-port-netdev", 0, 0, G_OPTION_ARG_STRING, &options->mgmt_port_netdev,
      "Management port netdev (a VF), e.g. pf0vf0", "NETDEV" },
    { "ovnkube-node-mgmt-port-dp-resource-name", 0, 0, G_OPTION_ARG_STRING,
      &options->mgmt_port_dp_resource_name,
      "SR-IOV device plugin resource of the management VF; takes priority over the netdev", "RESOURCE" },
    { "gateway-interface", 0, 0, G_OPTION_ARG_STRING, &options->gateway_interface,
      "Gateway interface: a netdev name, or derive-from-mgmt-port (dpu-host only); unset: the interface "
      "holding the node IP (dpu-host), the default route's (full, dpu)", "NAME" },
    { "gateway-select", 0, 0, G_OPTION_ARG_STRING, &options->gateway_select,
      "Which of the PF's netdevs is the gateway: rules tried in order, first (default), uplink, up, "
      "name=GLOB", "RULES" },
    { "node-ip", 0, 0, G_OPTION_ARG_STRING, &options->node_ip,
      "The node's IP (default: $" DPUGW_ENV_NODE_IP ", else kubelet's choice: the first global address of "
      "the default route's interface); without --gateway-interface in dpu-host mode, the gateway interface "
      "is the one whose address prefix holds it", "ADDRESS" },
    { "config-file", 0, 0, G_OPTION_ARG_FILENAME, &options->config_file,
      "ovnkube INI configuration file (default " DPUGW_DEFAULT_CONFIG_FILE ", else "
      DPUGW_OVNKUBE_DEFAULT_CONFIG_FILE ", if one can be opened; \"\" for none)",
      "PATH" },
    { NULL }
  };
  GOptionGroup *group = g_option_group_new ("config", "Configuration options (as ovnkube's):",
                                            "Show configuration options", NULL, NULL);

  g_option_group_add_entries (group, entries);
  return group;
}

void
dpugw_config_options_clear (DpugwConfigOptions *options)
{
  g_clear_pointer (&options->mode, g_free);
  g_clear_pointer (&options->mgmt_port_netdev, g_free);
  g_clear_pointer (&options->mgmt_port_dp_resource_name, g_free);
  g_clear_pointer (&options->gateway_interface, g_free);
  g_clear_pointer (&options->gateway_select, g_free);
  g_clear_pointer (&options->node_ip, g_free);
  g_clear_pointer (&options->config_file, g_free);
}

DpugwConfig *
dpugw_config_options_load (const DpugwConfigOptions *options, GError **error)
{
  g_auto(GStrv) envp = g_get_environ ();
  const char *const default_files[] = { DPUGW_DEFAULT_CONFIG_FILE, DPUGW_OVNKUBE_DEFAULT_CONFIG_FILE, NULL };
  DpugwConfigFlags flags = {
    .mode = options->mode,
    .mgmt_port_netdev = options->mgmt_port_netdev,
    .mgmt_port_dp_resource_name = options->mgmt_port_dp_resource_name,
    .gateway_interface = options->gateway_interface,
    .gateway_select = options->gateway_select,
    .node_ip = options->node_ip,
    .config_file = options->config_file,
  };

  return dpugw_config_load_with_defaults (&flags, (const char * const *) envp, default_files, error);
}
