/* SPDX-License-Identifier: Apache-2.0
 *
 * Every bus name, object path, interface and error name of the D-Bus service, defined once.
 */
#pragma once

#include <gio/gio.h>
#include <dpu-gateway/dpugw-error.h>

G_BEGIN_DECLS

#define DPUGW_DBUS_NAME         "org.ovnk.DpuGateway"
#define DPUGW_DBUS_PATH         "/org/ovnk/DpuGateway"
#define DPUGW_DBUS_INTERFACE    "org.ovnk.DpuGateway"
/* The error names, DPUGW_DBUS_ERROR_PREFIX and a code's name, are the library's
 * (dpugw-error.h): DPUGW_ERROR registers them itself. */

G_END_DECLS
