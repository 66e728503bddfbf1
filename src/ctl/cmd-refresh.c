/* SPDX-License-Identifier: Apache-2.0
 *
 * dpu-gatewayctl refresh: the service's Refresh method.  It drops every cached result, looks
 * again, and returns when that is done; the change signals follow as usual.  Root only (the
 * bus policy says so).
 */
#include "ctl.h"

int
ctl_cmd_refresh (int argc, char **argv)
{
  CtlOptions options = { 0 };
  g_autoptr(GDBusConnection) connection = NULL;
  g_autoptr(GVariant) reply = NULL;
  int status = CTL_EXIT_OK;

  if (!ctl_parse_options (&options, "refresh", NULL,
                          "Have the service drop every cached result, resolve the configured management "
                          "port again and rescan the topology; returns when that is done.  Root only.",
                          CTL_ACCEPTS_BUS, NULL, &argc, &argv))
    status = CTL_EXIT_USAGE;
  else if (argc > 1)
    {
      ctl_error ("refresh takes no arguments");
      status = CTL_EXIT_USAGE;
    }
  else if ((connection = ctl_bus_connect (&options, &status)) != NULL)
    reply = ctl_bus_call (connection, &options, "Refresh", NULL, G_VARIANT_TYPE_UNIT, &status);

  ctl_options_clear (&options);
  return status;
}
