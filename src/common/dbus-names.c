/* SPDX-License-Identifier: Apache-2.0 */
#include "dbus-names.h"

#include <dpu-gateway/dpugw-error.h>

void
dpugw_dbus_error_register (void)
{
  static const GDBusErrorEntry entries[] = {
    { DPUGW_ERROR_INVALID_ARGUMENT, DPUGW_DBUS_ERROR_PREFIX "InvalidArgument" },
    { DPUGW_ERROR_INVALID_CONFIG, DPUGW_DBUS_ERROR_PREFIX "InvalidConfig" },
    { DPUGW_ERROR_NOT_CONFIGURED, DPUGW_DBUS_ERROR_PREFIX "NotConfigured" },
    { DPUGW_ERROR_PCI_ADDRESS, DPUGW_DBUS_ERROR_PREFIX "PciAddress" },
    { DPUGW_ERROR_PF_PCI_ADDRESS, DPUGW_DBUS_ERROR_PREFIX "PfPciAddress" },
    { DPUGW_ERROR_NETDEV_DISCOVERY, DPUGW_DBUS_ERROR_PREFIX "NetdevDiscovery" },
    { DPUGW_ERROR_NO_NETDEVS, DPUGW_DBUS_ERROR_PREFIX "NoNetdevs" },
    { DPUGW_ERROR_NO_MATCH, DPUGW_DBUS_ERROR_PREFIX "NoMatch" },
  };
  static gsize quark = 0;

  G_STATIC_ASSERT (G_N_ELEMENTS (entries) == DPUGW_ERROR_N_CODES);
  g_dbus_error_register_error_domain ("dpugw-error-quark", &quark, entries, G_N_ELEMENTS (entries));
}
