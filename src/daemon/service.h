/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <gio/gio.h>
#include <dpu-gateway/dpu-gateway.h>

#include "tracker.h"

G_BEGIN_DECLS

#define DPUGW_TYPE_SERVICE (dpugw_service_get_type ())
G_DECLARE_FINAL_TYPE (DpugwService, dpugw_service, DPUGW, SERVICE, GObject)

/* The org.ovnk.DpuGateway object over @tracker's state: it answers from it and publishes what
 * changes in it. */
DpugwService *dpugw_service_new (DpugwTracker *tracker);

/* Exports the object on @connection (the introspection XML from the GResource). */
gboolean dpugw_service_export (DpugwService *self, GDBusConnection *connection, GError **error);
void dpugw_service_unexport (DpugwService *self);

/* Replaces the configuration (transfer full) and re-resolves: SIGHUP. */
void dpugw_service_set_config (DpugwService *self, DpugwConfig *config);

G_END_DECLS
