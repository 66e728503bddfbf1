/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Every bus name, object path and interface name, defined once. */
#define DPUGW_DBUS_NAME         "org.ovnk.DpuGateway"
#define DPUGW_DBUS_PATH         "/org/ovnk/DpuGateway"
#define DPUGW_DBUS_INTERFACE    "org.ovnk.DpuGateway"
#define DPUGW_DBUS_ERROR_PREFIX "org.ovnk.DpuGateway.Error."

/* Maps DPUGW_ERROR to org.ovnk.DpuGateway.Error.* both ways; idempotent. */
void dpugw_dbus_error_register (void);

G_END_DECLS
