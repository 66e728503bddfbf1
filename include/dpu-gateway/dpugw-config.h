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

/* The environment variables OVN-Kubernetes' start script (ovnkube.sh) turns into flags. */
#define DPUGW_ENV_NODE_MODE                  "OVNKUBE_NODE_MODE"
#define DPUGW_ENV_MGMT_PORT_NETDEV           "OVNKUBE_NODE_MGMT_PORT_NETDEV"
#define DPUGW_ENV_MGMT_PORT_DP_RESOURCE_NAME "OVNKUBE_NODE_MGMT_PORT_DP_RESOURCE_NAME"
/* Extra flags, word-split; only --gateway-interface is taken from them. */
#define DPUGW_ENV_GATEWAY_OPTS               "OVN_GATEWAY_OPTS"

/* ovnkube's own default configuration file, read when dpu-gatewayd's is absent. */
#define DPUGW_OVNKUBE_DEFAULT_CONFIG_FILE "/etc/openvswitch/ovn_k8s.conf"
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
 * Precedence: flag > environment > file > default, as ovnkube's overrideFields: a flag or
 * variable that is empty or equal to the default (--ovnkube-node-mode=full) overrides nothing.
 */
typedef struct {
  DpugwNodeMode mode;                 /* default: full */
  char *mgmt_port_netdev;             /* NULL: unset */
  char *mgmt_port_dp_resource_name;   /* NULL: unset */
  char *gateway_interface;            /* NULL: unset; DPUGW_DERIVE_FROM_MGMT_PORT; or a netdev name */
  char *gateway_select;               /* NULL: unset (first); the selection rules as written */
  char *node_ip;                      /* NULL: unset (kubelet's default); an IPv4 or IPv6 address, as written */
  char *config_file;                  /* the file read, NULL if none */

  /* Where each value above came from, for messages: a flag ("--ovnkube-node-mode"), an
   * environment variable ("OVNKUBE_NODE_MODE") or a file line ("/etc/x.conf:3"); NULL for the
   * default or a value set by the program itself. */
  char *mode_origin;
  char *mgmt_port_netdev_origin;
  char *mgmt_port_dp_resource_name_origin;
  char *gateway_interface_origin;
  char *gateway_select_origin;
  char *node_ip_origin;
  GPtrArray *load_warnings;           /* (element-type utf8): the file's and environment's warnings */
  GPtrArray *listen;                  /* (element-type utf8): [DpuGateway] listen=, dpu-gatewayd's sockets for peers */

  /* Set by dpugw_config_finish(): */
  DpugwMgmtSource mgmt_source;
  char *mgmt_port_vf_pci;             /* DEVICE_PLUGIN: the VF's PCI address, or */
  char *mgmt_port_sf;                 /* DEVICE_PLUGIN: the SF's auxiliary device name (SF pools) */
  DpugwSelect *select;                /* the parsed rules, never NULL */
  char *device_plugin_variable;       /* PCIDEVICE_... when a resource name is set */
  GPtrArray *warnings;                /* (element-type utf8): things the user should hear about,
                                       * load_warnings first */
} DpugwConfig;

/* The flag values of a program, NULL where the flag was not given. */
typedef struct {
  const char *mode;
  const char *mgmt_port_netdev;
  const char *mgmt_port_dp_resource_name;
  const char *gateway_interface;
  const char *gateway_select;
  const char *node_ip;
  const char *config_file;   /* NULL: the first default file that can be opened; "": none */
} DpugwConfigFlags;

DpugwConfig *dpugw_config_new (void);
void dpugw_config_free (DpugwConfig *config);
DpugwConfig *dpugw_config_copy (const DpugwConfig *config);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DpugwConfig, dpugw_config_free)

/**
 * dpugw_config_load:
 * @flags: (nullable): the program's flags
 * @envp: (nullable): the environment (g_get_environ()); %NULL for none
 * @default_file: (nullable): read when @flags names no file, if it can be opened
 *
 * The whole sequence: file, then environment, then flags, then
 * dpugw_config_finish().  Errors are %DPUGW_ERROR_INVALID_CONFIG.
 */
DpugwConfig *dpugw_config_load (const DpugwConfigFlags *flags,
                                const char * const     *envp,
                                const char             *default_file,
                                GError                **error);

/**
 * dpugw_config_load_with_defaults:
 * @default_files: (nullable) (array zero-terminated=1): tried in order when @flags names no file;
 *   the first that can be opened is read, one that cannot is skipped silently (as ovnkube treats
 *   its default file), while a file named by @flags must be readable.
 *
 * As dpugw_config_load(); the programs pass their own file, then
 * %DPUGW_OVNKUBE_DEFAULT_CONFIG_FILE.
 */
DpugwConfig *dpugw_config_load_with_defaults (const DpugwConfigFlags *flags,
                                              const char * const     *envp,
                                              const char * const     *default_files,
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
 * management port comes from, and validates the whole as ovnkube does (dpu
 * mode without a management port, dpu-host mode with one; a warning when
 * both the netdev and the resource are set), and beyond it:
 * derive-from-mgmt-port only in dpu-host mode, and only with a management port.
 */
gboolean dpugw_config_finish (DpugwConfig *config, const char * const *envp, GError **error);

/* "nvidia.com/mgmt_vf" -> "PCIDEVICE_NVIDIA_COM_MGMT_VF"; NULL with an error for an invalid name. */
char *dpugw_device_plugin_variable (const char *resource_name, GError **error);
/* "0000:01:02.3,0000:01:02.4" -> the entries as ovnkube splits them (on ',', trimmed, empty ones
 * dropped, in order), at least one.  Only the first, the one ovnkube uses, is checked and
 * normalised: a PCI address, or an auxiliary device name ("mlx5_core.sf.2") of an SF pool. */
GStrv dpugw_device_plugin_parse (const char *value, GError **error);

G_END_DECLS
