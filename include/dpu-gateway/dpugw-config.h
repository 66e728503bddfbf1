/* SPDX-License-Identifier: Apache-2.0
 *
 * The configuration, DpugwConfig: OVN-Kubernetes' flags, environment and INI file,
 * loaded and checked.
 */
#pragma once

#include <glib.h>
#include "dpugw-select.h"

G_BEGIN_DECLS

#define DPUGW_DERIVE_FROM_MGMT_PORT "derive-from-mgmt-port"

/* The environment variables OVN-Kubernetes reads. */
#define DPUGW_ENV_NODE_MODE                  "OVNKUBE_NODE_MODE"
#define DPUGW_ENV_MGMT_PORT_NETDEV           "OVNKUBE_NODE_MGMT_PORT_NETDEV"
#define DPUGW_ENV_MGMT_PORT_DP_RESOURCE_NAME "OVNKUBE_NODE_MGMT_PORT_DP_RESOURCE_NAME"
/* What ovn-kubernetes' DaemonSets fill from the downward API's status.hostIP. */
#define DPUGW_ENV_NODE_IP                    "K8S_NODE_IP"

typedef enum {
  DPUGW_NODE_MODE_FULL,
  DPUGW_NODE_MODE_DPU,
  DPUGW_NODE_MODE_DPU_HOST,
} DpugwNodeMode;

const char *dpugw_node_mode_to_string (DpugwNodeMode mode);

/* Where the management port of a configuration comes from, after dpugw_config_finish(). */
typedef enum {
  DPUGW_MGMT_SOURCE_NONE,           /* no management port configured */
  DPUGW_MGMT_SOURCE_NETDEV,         /* mgmt-port-netdev */
  DPUGW_MGMT_SOURCE_DEVICE_PLUGIN,  /* the first address of PCIDEVICE_<RESOURCE> */
} DpugwMgmtSource;

/**
 * DpugwConfig:
 *
 * The configuration of OVN-Kubernetes' DPU-host gateway derivation, in its
 * three documented forms: flags, environment and ovnkube INI file.
 * Precedence: flag > environment > file > default.  Empty values count as unset.
 */
typedef struct {
  DpugwNodeMode mode;                 /* default: full */
  char *mgmt_port_netdev;             /* NULL: unset */
  char *mgmt_port_dp_resource_name;   /* NULL: unset */
  char *gateway_interface;            /* NULL: unset; DPUGW_DERIVE_FROM_MGMT_PORT; or a netdev name */
  char *gateway_select;               /* NULL: unset (first); the selection rules as written */
  char *node_ip;                      /* NULL: unset (kubelet's default); an IPv4 or IPv6 address, as written */
  char *config_file;                  /* the file read, NULL if none */

  /* Set by dpugw_config_finish(): */
  DpugwMgmtSource mgmt_source;
  char *mgmt_port_vf_pci;             /* DEVICE_PLUGIN: the VF's PCI address, or */
  char *mgmt_port_sf;                 /* DEVICE_PLUGIN: the SF's auxiliary device name (SF pools) */
  DpugwSelect *select;                /* the parsed rules, never NULL */
  char *device_plugin_variable;       /* PCIDEVICE_... when a resource name is set */
  GPtrArray *warnings;                /* (element-type utf8): things the user should hear about */
} DpugwConfig;

/* The flag values of a program, NULL where the flag was not given. */
typedef struct {
  const char *mode;
  const char *mgmt_port_netdev;
  const char *mgmt_port_dp_resource_name;
  const char *gateway_interface;
  const char *gateway_select;
  const char *node_ip;
  const char *config_file;   /* NULL: the default file if it exists; "": none */
} DpugwConfigFlags;

DpugwConfig *dpugw_config_new (void);
void dpugw_config_free (DpugwConfig *config);
DpugwConfig *dpugw_config_copy (const DpugwConfig *config);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DpugwConfig, dpugw_config_free)

/**
 * dpugw_config_load:
 * @flags: (nullable): the program's flags
 * @envp: (nullable): the environment (g_get_environ()); %NULL for none
 * @default_file: (nullable): read when @flags names no file, if it exists
 *
 * The whole sequence: file, then environment, then flags, then
 * dpugw_config_finish().  Errors are %DPUGW_ERROR_INVALID_CONFIG.
 */
DpugwConfig *dpugw_config_load (const DpugwConfigFlags *flags,
                                const char * const     *envp,
                                const char             *default_file,
                                GError                **error);

/* The layers, for embedders that assemble a configuration their own way. */
gboolean dpugw_config_load_file (DpugwConfig *config, const char *path, GError **error);
gboolean dpugw_config_load_data (DpugwConfig *config, const char *data, gsize length,
                                 const char *origin, GError **error);
gboolean dpugw_config_load_environ (DpugwConfig *config, const char * const *envp, GError **error);
gboolean dpugw_config_apply_flags (DpugwConfig *config, const DpugwConfigFlags *flags, GError **error);

/**
 * dpugw_config_finish:
 *
 * Looks up the device plugin's variable in @envp, decides where the
 * management port comes from, and validates the whole: derive-from-mgmt-port
 * only in dpu-host mode, and only with a management port.
 */
gboolean dpugw_config_finish (DpugwConfig *config, const char * const *envp, GError **error);

/* "nvidia.com/mgmt_vf" -> "PCIDEVICE_NVIDIA_COM_MGMT_VF"; NULL with an error for an invalid name. */
char *dpugw_device_plugin_variable (const char *resource_name, GError **error);
/* "0000:01:02.3,0000:01:02.4" -> normalised addresses, at least one; SF pools list
 * auxiliary device names ("mlx5_core.sf.2") instead, which are accepted as they are. */
GStrv dpugw_device_plugin_parse (const char *value, GError **error);

G_END_DECLS
