/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <dpu-gateway/dpu-gateway.h>

G_BEGIN_DECLS

/* The configuration flags both programs accept, OVN-Kubernetes' names. */
typedef struct {
  char *mode;
  char *mgmt_port_netdev;
  char *mgmt_port_dp_resource_name;
  char *gateway_interface;
  char *gateway_select;
  char *node_ip;
  char *config_file;
} DpugwConfigOptions;

GOptionGroup *dpugw_config_option_group (DpugwConfigOptions *options);
void dpugw_config_options_clear (DpugwConfigOptions *options);

/* Loads the configuration: --config-file, else the first default file that can be opened (ours,
 * then ovnkube's); then the process environment; then the flags. */
DpugwConfig *dpugw_config_options_load (const DpugwConfigOptions *options, GError **error);

G_END_DECLS
