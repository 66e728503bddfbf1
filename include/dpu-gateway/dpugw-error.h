/* SPDX-License-Identifier: Apache-2.0
 *
 * The library's error domain, DPUGW_ERROR: its codes, their documented messages and
 * their D-Bus error names.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * DPUGW_ERROR:
 *
 * The one error domain of libdpu-gateway.  The messages of the resolution
 * codes begin with exactly the strings OVN-Kubernetes documents for
 * --gateway-interface=derive-from-mgmt-port, then ": " and the concrete cause
 * (what was read and the errno text).  NO_NETDEVS is the exception: its
 * message is exactly "no netdevs found for pci address <PF>".  The steps
 * below are the pipeline's, as dpugw-resolver.h numbers them.
 */
#define DPUGW_ERROR (dpugw_error_quark ())

typedef enum {
  DPUGW_ERROR_INVALID_ARGUMENT,   /* a caller's management port, PCI address or name is malformed */
  DPUGW_ERROR_INVALID_CONFIG,     /* flags, environment or configuration file are invalid */
  DPUGW_ERROR_NOT_CONFIGURED,     /* nothing to resolve: no gateway interface or management port configured */
  DPUGW_ERROR_PCI_ADDRESS,        /* steps 1-2: "failed to get PCI address: ..." */
  DPUGW_ERROR_PF_PCI_ADDRESS,     /* step 3: "failed to get PF PCI address: ..." */
  DPUGW_ERROR_NETDEV_DISCOVERY,   /* step 4: "failed to get network devices: ..." */
  DPUGW_ERROR_NO_NETDEVS,         /* step 4: "no netdevs found for pci address <PF>" */
  DPUGW_ERROR_NO_MATCH,           /* step 5: no netdev of the PF matches the selection rules */
  DPUGW_ERROR_HOST_NETWORK,       /* no gateway interface configured or derived, and the host's addresses and
                                   * routes give none: "failed to find network interface with IP: ..." */
} DpugwError;

#define DPUGW_ERROR_N_CODES (DPUGW_ERROR_HOST_NETWORK + 1)

/* The documented messages, defined once. */
#define DPUGW_MSG_PCI_ADDRESS      "failed to get PCI address"
#define DPUGW_MSG_PF_PCI_ADDRESS   "failed to get PF PCI address"
#define DPUGW_MSG_NETDEV_DISCOVERY "failed to get network devices"
#define DPUGW_MSG_NO_NETDEVS       "no netdevs found for pci address"

/* The D-Bus error name of each code is this prefix and dpugw_error_code_to_name()
 * ("org.ovnk.DpuGateway.Error.PciAddress"). */
#define DPUGW_DBUS_ERROR_PREFIX "org.ovnk.DpuGateway.Error."

/* Also maps the domain to its D-Bus error names and back (g_dbus_error_encode_gerror(),
 * g_dbus_error_new_for_dbus_error()): done when the library is loaded, nothing to call. */
GQuark dpugw_error_quark (void);

/* A stable short name for a code ("PciAddress", ...): the suffix of the D-Bus error name. */
const char *dpugw_error_code_to_name (DpugwError code);

G_END_DECLS
