/* SPDX-License-Identifier: Apache-2.0
 *
 * The derive-from-mgmt-port pipeline: its numbered steps, each a function, and
 * dpugw_resolve(), which runs them, with DpugwResolution, what they find.
 */
#pragma once

#include <glib.h>
#include "dpugw-config.h"
#include "dpugw-select.h"
#include "dpugw-sysfs.h"

G_BEGIN_DECLS

/* The name OVN-Kubernetes gives the management port once it has taken it. */
#define DPUGW_OVNK_MGMT_PORT_NAME "ovn-k8s-mp0"

/* How a resolution was found. */
typedef enum {
  DPUGW_SOURCE_DERIVED,           /* from the management netdev or VF PCI address asked for */
  DPUGW_SOURCE_RENAMED_FALLBACK,  /* the configured netdev is gone, ovn-k8s-mp0 was used */
  DPUGW_SOURCE_DEVICE_PLUGIN,     /* the VF came from the device plugin's PCIDEVICE_* variable */
  DPUGW_SOURCE_EXPLICIT,          /* "configured": --gateway-interface=NAME, used as is */
  DPUGW_SOURCE_NODE_IP,           /* no gateway interface configured, dpu-host: the link holding the node IP */
  DPUGW_SOURCE_DEFAULT_ROUTE,     /* no gateway interface configured, full or dpu: the default route's link */
} DpugwSource;

/* "derived", "renamed-fallback", "device-plugin", "configured", "node-ip", "default-route" */
const char *dpugw_source_to_string (DpugwSource source);

/*
 * Where an answer goes beyond what ovnkube-node's own derivation (sriovnet's steps, then the
 * first netdev) would reach: each bit a reason; 0 when ovnkube-node reaches the same answer.
 */
typedef enum {
  DPUGW_BEYOND_SCALABLE_FUNCTION = 1 << 0,  /* an SF as management port: sriovnet finds no physfn */
  DPUGW_BEYOND_NO_NETDEV         = 1 << 1,  /* a VF without a netdev: ovnkube-node starts from a netdev */
  DPUGW_BEYOND_VIRTIO_PF         = 1 << 2,  /* the PF's netdevs hang below virtioN/: sriovnet lists none */
  DPUGW_BEYOND_SELECTION         = 1 << 3,  /* a selection rule other than `first` decided */
  DPUGW_BEYOND_GATEWAY_ALTNAME   = 1 << 4,  /* an explicit gateway interface given by an altname */
  DPUGW_BEYOND_PCI_DOMAIN        = 1 << 5,  /* a PCI domain of more than 4 digits (VMD): sriovnet's
                                             * address pattern has 4 */
} DpugwBeyond;

/* The reasons that belong to the management function, and those that belong to its PF. */
#define DPUGW_BEYOND_FUNCTION_MASK (DPUGW_BEYOND_SCALABLE_FUNCTION | DPUGW_BEYOND_NO_NETDEV)
#define DPUGW_BEYOND_PF_MASK (DPUGW_BEYOND_VIRTIO_PF | DPUGW_BEYOND_SELECTION | DPUGW_BEYOND_PCI_DOMAIN)

/* "scalable-function,selection-rule", in bit order; "" for 0.  And back (unknown words ignored). */
char *dpugw_beyond_to_string (DpugwBeyond beyond);
DpugwBeyond dpugw_beyond_from_string (const char *text);

typedef struct {
  char *mgmt_port;     /* the management netdev as found; "" if the VF has none (vfio);
                        * for an explicit interface, the configured netdev or "" */
  char *vf_pci;        /* "" when explicit, and for a scalable function */
  char *pf_pci;        /* "" when explicit */
  GStrv candidates;    /* the PF's netdevs in selection order (sorted by name) */
  char *interface;     /* the gateway interface: the first of @interfaces */
  DpugwSource source;
  GStrv interfaces;    /* every candidate the deciding selection rule matched, in order */
  char *selected_by;   /* the rule that decided ("first", "uplink", "name=ens*"); not derived: the source's
                        * name ("configured", "node-ip", "default-route") */
  char *hint;          /* NULL, or advice: `first` chose what looks like a VF representor */
  char *function_type; /* "vf" or "sf"; "" when explicit */
  char *sf;            /* a scalable function's auxiliary device ("mlx5_core.sf.2"), else NULL */
  char *node_ip;       /* NODE_IP: the node IP it was found by, else NULL */
  DpugwBeyond beyond;  /* 0: ovnkube-node's own derivation reaches this answer too */
} DpugwResolution;

/* Whether ovnkube-node would have reached the same answer: no DpugwBeyond reason. */
gboolean dpugw_resolution_ovnkube_compatible (const DpugwResolution *resolution);

/* The key of a resolution's management function: the VF's PCI address or the SF's device name. */
const char *dpugw_resolution_function (const DpugwResolution *resolution);

void dpugw_resolution_free (DpugwResolution *resolution);
DpugwResolution *dpugw_resolution_copy (const DpugwResolution *resolution);
gboolean dpugw_resolution_equal (const DpugwResolution *a, const DpugwResolution *b);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DpugwResolution, dpugw_resolution_free)

/*
 * The pipeline of --gateway-interface=derive-from-mgmt-port, numbered here once for the
 * library and its documentation ("step 3" anywhere is this list's):
 *   1. the management port netdev (a name or an altname: the primary name from then on)
 *   2. its PCI address:     /sys/class/net/NAME/device, nearest PCI function
 *   3. the PF PCI address:  /sys/bus/pci/devices/VF/physfn
 *   4. the PF's netdevs:    /sys/bus/pci/devices/PF/net/, sorted by name
 *   5. the first one is the gateway interface (the default selection rule, `first`)
 * Steps 2-4 on their own, each failing with its documented error:
 */

/* Step 2: the PCI function nearest to /sys/class/net/NETDEV/device.  DPUGW_ERROR_PCI_ADDRESS. */
char *dpugw_pci_from_netdev (DpugwSysfs *sysfs, const char *netdev, GError **error);
/* Step 3: /sys/bus/pci/devices/VF/physfn.  DPUGW_ERROR_PF_PCI_ADDRESS. */
char *dpugw_pf_pci_from_vf_pci (DpugwSysfs *sysfs, const char *vf_pci, GError **error);
/* Step 4: /sys/bus/pci/devices/PCI/net/ (for a virtio-net PF PCI/virtioN/net/), sorted.
 * DPUGW_ERROR_NETDEV_DISCOVERY (also when a name there is not valid UTF-8 or holds control
 * characters: D-Bus and JSON cannot carry it, and leaving it out could change the answer),
 * DPUGW_ERROR_NO_NETDEVS. */
GStrv dpugw_netdevs_from_pci (DpugwSysfs *sysfs, const char *pci, GError **error);

/**
 * dpugw_resolve_pf:
 * @config: (nullable): for its selection rules; the default is `first`
 *
 * Steps 4-5 for a PF: candidates, interfaces, interface, selected_by and
 * hint are set, the management fields are empty.
 */
DpugwResolution *dpugw_resolve_pf (DpugwSysfs *sysfs, const DpugwConfig *config, const char *pf_pci, GError **error);

/**
 * dpugw_resolve_function:
 * @config: (nullable): for its selection rules
 * @function: a VF PCI address, or a scalable function's auxiliary device name
 *   ("mlx5_core.sf.2", as the device plugin lists SF pools)
 *
 * Steps 3-5 from the management function; mgmt_port is its first netdev, if any.
 */
DpugwResolution *dpugw_resolve_function (DpugwSysfs *sysfs, const DpugwConfig *config, const char *function,
                                         GError **error);

/* Is @name the shape of an auxiliary device name, "DRIVER.KIND.N" ("mlx5_core.sf.2")? */
gboolean dpugw_auxiliary_name_is_valid (const char *name);

/**
 * dpugw_resolve:
 * @config: (nullable): the configuration, finished; used when @mgmt_port is empty
 * @mgmt_port: (nullable): a netdev name or a VF PCI address; %NULL or "" for the configured one
 *
 * The whole pipeline.  With @mgmt_port empty, what ovnkube-node uses under @config
 * (dpugw_config_gateway_rule()): a configured gateway interface, as is; with
 * derive-from-mgmt-port, the configured management port resolved (the device
 * plugin's VF first; a configured netdev that no longer exists falls back to
 * ovn-k8s-mp0 when that exists); with none in dpu-host mode, the link whose
 * address prefix holds the node IP (--node-ip, else kubelet's default); with none
 * in full or dpu mode, the default route's link (these two read the host's
 * network over rtnetlink: %DPUGW_ERROR_HOST_NETWORK).  A @mgmt_port given by the
 * caller is derived from, as asked and whatever the configuration, without fallback.  Input is validated before any file is
 * touched (%DPUGW_ERROR_INVALID_ARGUMENT).
 */
DpugwResolution *dpugw_resolve (DpugwSysfs        *sysfs,
                                const DpugwConfig *config,
                                const char        *mgmt_port,
                                GError           **error);

G_END_DECLS
