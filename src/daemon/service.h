/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <gio/gio.h>
#include <dpu-gateway/dpu-gateway.h>

#include "link-monitor.h"

G_BEGIN_DECLS

#define DPUGW_TYPE_SERVICE (dpugw_service_get_type ())
G_DECLARE_FINAL_TYPE (DpugwService, dpugw_service, DPUGW, SERVICE, GObject)

/* The org.ovnk.DpuGateway object: all daemon state, freed in one place. */
DpugwService *dpugw_service_new (DpugwSysfs *sysfs, DpugwConfig *config);

/* Exports the object on @connection (the introspection XML from the GResource). */
gboolean dpugw_service_export (DpugwService *self, GDBusConnection *connection, GError **error);
void dpugw_service_unexport (DpugwService *self);

/* Replaces the configuration (transfer full) and re-resolves: SIGHUP. */
void dpugw_service_set_config (DpugwService *self, DpugwConfig *config);
/* Starts a full re-validation pass (or queues one after the running pass). */
void dpugw_service_refresh (DpugwService *self);
/* Follows the links: their changes re-validate what they touch. */
void dpugw_service_set_link_monitor (DpugwService *self, DpugwLinkMonitor *monitor);

G_END_DECLS
