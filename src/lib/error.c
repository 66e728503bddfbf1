/* SPDX-License-Identifier: Apache-2.0
 *
 * The error domain DPUGW_ERROR: one table gives each code its name, and the quark
 * registers the table's D-Bus error names, so that no program has to.
 */
#define G_LOG_DOMAIN "dpugw-error"

#include "dpu-gateway/dpugw-error.h"

#include <gio/gio.h>

static const GDBusErrorEntry error_entries[] = {
  { DPUGW_ERROR_INVALID_ARGUMENT, DPUGW_DBUS_ERROR_PREFIX "InvalidArgument" },
  { DPUGW_ERROR_INVALID_CONFIG, DPUGW_DBUS_ERROR_PREFIX "InvalidConfig" },
  { DPUGW_ERROR_NOT_CONFIGURED, DPUGW_DBUS_ERROR_PREFIX "NotConfigured" },
  { DPUGW_ERROR_PCI_ADDRESS, DPUGW_DBUS_ERROR_PREFIX "PciAddress" },
  { DPUGW_ERROR_PF_PCI_ADDRESS, DPUGW_DBUS_ERROR_PREFIX "PfPciAddress" },
  { DPUGW_ERROR_NETDEV_DISCOVERY, DPUGW_DBUS_ERROR_PREFIX "NetdevDiscovery" },
  { DPUGW_ERROR_NO_NETDEVS, DPUGW_DBUS_ERROR_PREFIX "NoNetdevs" },
  { DPUGW_ERROR_NO_MATCH, DPUGW_DBUS_ERROR_PREFIX "NoMatch" },
  { DPUGW_ERROR_HOST_NETWORK, DPUGW_DBUS_ERROR_PREFIX "HostNetwork" },
};

G_STATIC_ASSERT (G_N_ELEMENTS (error_entries) == DPUGW_ERROR_N_CODES);

/* Maps DPUGW_ERROR to org.ovnk.DpuGateway.Error.* both ways the first time anyone names it. */
GQuark
dpugw_error_quark (void)
{
  static gsize quark = 0;

  g_dbus_error_register_error_domain ("dpugw-error-quark", &quark, error_entries, G_N_ELEMENTS (error_entries));
  return (GQuark) quark;
}

/* Named when the library is loaded too: a client decodes the service's error reply
 * (g_dbus_connection_call_sync()) before it has any reason to name DPUGW_ERROR. */
__attribute__ ((constructor)) static void
error_quark_at_load (void)
{
  (void) dpugw_error_quark ();
}

const char *
dpugw_error_code_to_name (DpugwError code)
{
  for (gsize i = 0; i < G_N_ELEMENTS (error_entries); i++)
    if (error_entries[i].error_code == (gint) code)
      return error_entries[i].dbus_error_name + sizeof DPUGW_DBUS_ERROR_PREFIX - 1;
  return "Failed";
}
