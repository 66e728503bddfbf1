/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <dpu-gateway/dpu-gateway.h>

#include "cache.h"
#include "link-monitor.h"
#include "topology-state.h"
#include "worker.h"

G_BEGIN_DECLS

/*
 * What the daemon knows of the machine, main thread only: the cache of resolutions, the
 * topology and the configured management port.  It changes in one way: a worker's findings
 * go in through dpugw_state_apply(), which hands back what changed for the D-Bus object to
 * publish.
 */
typedef struct {
  DpugwConfig *config;
  DpugwCache *cache;
  DpugwTopologyState *topology;   /* NULL until the first full pass */
  DpugwResolution *configured;    /* the configured port's resolution; NULL when it fails */
  /* The configured port as the properties say it. */
  char *management_port;
  char *gateway_interface;
  char *last_error;
  gboolean config_changed;        /* since the configured port was last resolved */
  /* VFs asked about that failed for want of their PF's netdevs: each link that appears has
   * them resolved again, and the first answer is a GatewayChanged ("" -> name) like any. */
  GHashTable *watched;
  /* Increases whenever what a lookup in flight read may be out of date: a pass's findings
   * went in, or links changed. */
  guint64 epoch;
} DpugwState;

/* Takes @config. */
DpugwState *dpugw_state_new (DpugwConfig *config);
void dpugw_state_free (DpugwState *state);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DpugwState, dpugw_state_free)

/* Takes @config; whether the Configuration property changed. */
gboolean dpugw_state_set_config (DpugwState *state, DpugwConfig *config);
/* The configuration in effect, for the Configuration property: only what is set. */
GVariant *dpugw_state_configuration (DpugwState *state, const char *sysfs_root);

/* A full pass: the topology and every cached function. */
DpugwPassPlan *dpugw_state_plan_full (DpugwState *state);
/*
 * What link changes (DpugwLinkEvent) touch: cached functions named by them, VFs and PFs whose
 * netdevs they are, and names nobody knew.  The names they touch stop leading to cache entries
 * at once, and appearing links clear the remembered failures.  Address and route changes touch
 * the configured port alone (every pass resolves it again).  NULL when nothing is touched.
 */
DpugwPassPlan *dpugw_state_plan_links (DpugwState *state, GPtrArray *events);

typedef struct {
  char *function;        /* the management function; "" for a configured gateway interface not derived */
  char *pf_pci;          /* "" when unknown */
  char *old_interface;
  char *new_interface;
} DpugwGatewayChange;

typedef struct {
  GPtrArray *gateways;        /* DpugwGatewayChange, in the order they were touched */
  gboolean topology;          /* what GetTopology answers changed */
  gboolean first_topology;    /* the first topology is in */
  GPtrArray *properties;      /* names of the configured port's properties that changed */
  char *hint;                 /* a new hint of the configured port's, to log once */
  char *error;                /* a new error of the configured port's, to log once, with */
  char *error_port;           /*   the port it is about */
} DpugwChanges;

void dpugw_changes_free (DpugwChanges *changes);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DpugwChanges, dpugw_changes_free)
/* Whether the changes make a new Generation. */
gboolean dpugw_changes_new_generation (const DpugwChanges *changes);

/* Snapshot, update, diff: takes @findings in, returns what changed. */
DpugwChanges *dpugw_state_apply (DpugwState *state, DpugwFindings *findings);

G_END_DECLS
