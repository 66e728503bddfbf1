/* SPDX-License-Identifier: Apache-2.0 */
#include "dpu-gateway/dpugw-error.h"

G_DEFINE_QUARK (dpugw-error-quark, dpugw_error)

const char *
dpugw_error_code_to_name (DpugwError code)
{
  switch (code)
    {
    case DPUGW_ERROR_INVALID_ARGUMENT:
      return "InvalidArgument";
    case DPUGW_ERROR_INVALID_CONFIG:
      return "InvalidConfig";
    case DPUGW_ERROR_NOT_CONFIGURED:
      return "NotConfigured";
    case DPUGW_ERROR_PCI_ADDRESS:
      return "PciAddress";
    case DPUGW_ERROR_PF_PCI_ADDRESS:
      return "PfPciAddress";
    case DPUGW_ERROR_NETDEV_DISCOVERY:
      return "NetdevDiscovery";
    case DPUGW_ERROR_NO_NETDEVS:
      return "NoNetdevs";
    case DPUGW_ERROR_NO_MATCH:
      return "NoMatch";
    }
  return "Failed";
}
