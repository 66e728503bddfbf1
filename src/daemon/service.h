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

/* A peer that has not taken this many signals from its socket is dropped: what GDBus queues for
 * one is at most this many signals, beyond the socket's own buffer. */
#define DPUGW_PEER_BACKED_UP_MAX 128

/* On a peer's connection, the service's unique name: the sender of its signals, and what
 * GetNameOwner answers for org.ovnk.DpuGateway (peers.c). */
#define DPUGW_PEER_SERVICE_NAME ":1.0"

/* Exports the object on @connection (the introspection XML from the GResource): the bus's. */
gboolean dpugw_service_export (DpugwService *self, GDBusConnection *connection, GError **error);
/* The same on a peer's connection (dpu-gatewayd --listen): Refresh is allowed by the peer's
 * credentials, and a peer that stops reading its signals is closed. */
gboolean dpugw_service_export_peer (DpugwService *self, GDBusConnection *connection, GError **error);
/* Unexports from one connection (a peer that went), or from all. */
void dpugw_service_unexport_connection (DpugwService *self, GDBusConnection *connection);
void dpugw_service_unexport (DpugwService *self);

/* Replaces the configuration (transfer full) and re-resolves: SIGHUP. */
void dpugw_service_set_config (DpugwService *self, DpugwConfig *config);

G_END_DECLS
