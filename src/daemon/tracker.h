/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <gio/gio.h>
#include <dpu-gateway/dpu-gateway.h>

#include "link-monitor.h"
#include "state.h"
#include "worker.h"

G_BEGIN_DECLS

#define DPUGW_TYPE_TRACKER (dpugw_tracker_get_type ())
G_DECLARE_FINAL_TYPE (DpugwTracker, dpugw_tracker, DPUGW, TRACKER, GObject)

/*
 * Keeps the daemon's state in step with the machine: runs lookups and re-validation passes in
 * worker threads (one pass at a time: a full one at start, on Refresh and on a new
 * configuration; one for what link changes touched), takes their findings into the state and
 * emits "changed" (a DpugwChanges) for what changed, before anyone waiting on them hears back.
 */
DpugwTracker *dpugw_tracker_new (DpugwSysfs *sysfs, DpugwConfig *config);

DpugwState *dpugw_tracker_get_state (DpugwTracker *self);
DpugwSysfs *dpugw_tracker_get_sysfs (DpugwTracker *self);

/* Follows @monitor's link changes. */
void dpugw_tracker_follow (DpugwTracker *self, DpugwLinkMonitor *monitor);

/* Takes @config and re-resolves; whether the Configuration property changed.  Until the full
 * pass under it is in, what is cached answers to the old one: callers should wait. */
gboolean dpugw_tracker_set_config (DpugwTracker *self, DpugwConfig *config);
gboolean dpugw_tracker_is_reconfiguring (DpugwTracker *self);
void dpugw_tracker_wait_reconfigured_async (DpugwTracker *self, GAsyncReadyCallback callback, gpointer user_data);
gboolean dpugw_tracker_wait_reconfigured_finish (DpugwTracker *self, GAsyncResult *result, GError **error);

/* A full pass, or one queued after the running pass; the async form completes when it is in. */
void dpugw_tracker_refresh (DpugwTracker *self);
void dpugw_tracker_refresh_async (DpugwTracker *self, GAsyncReadyCallback callback, gpointer user_data);
gboolean dpugw_tracker_refresh_finish (DpugwTracker *self, GAsyncResult *result, GError **error);

/* Completes once the state holds a topology (at once if it does), or the pass that should have
 * brought it failed. */
void dpugw_tracker_wait_topology_async (DpugwTracker *self, GAsyncReadyCallback callback, gpointer user_data);
gboolean dpugw_tracker_wait_topology_finish (DpugwTracker *self, GAsyncResult *result, GError **error);

/*
 * Resolves a management port in a worker thread; callers asking the same (@key) meanwhile
 * share the lookup.  Its result goes into the state unless a pass or link change came in
 * meanwhile, when the lookup is made again.  @value: the netdev name or the normalised PCI
 * address; ignored for DPUGW_LOOKUP_CONFIGURED.
 */
void dpugw_tracker_resolve_async (DpugwTracker *self, DpugwLookupKind kind, const char *value, const char *key,
                                  GAsyncReadyCallback callback, gpointer user_data);
DpugwResolution *dpugw_tracker_resolve_finish (DpugwTracker *self, GAsyncResult *result, GError **error);

G_END_DECLS
