/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <gio/gio.h>
#include <dpu-gateway/dpu-gateway.h>

#include "cache.h"

G_BEGIN_DECLS

/*
 * The daemon's sysfs work, in worker threads so that the main loop never blocks on I/O.  Each
 * job takes its own copies of what it needs and hands back what it found.
 */

typedef enum {
  DPUGW_LOOKUP_CONFIGURED,  /* the configured management port */
  DPUGW_LOOKUP_NETDEV,      /* a netdev name, validated */
  DPUGW_LOOKUP_PCI,         /* a VF PCI address, normalised */
} DpugwLookupKind;

/* dpugw_resolve() of one management port, on a pool of as many threads as CPUs. */
void dpugw_lookup_async (DpugwSysfs *sysfs, const DpugwConfig *config, DpugwLookupKind kind, const char *value,
                         GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data);
/* @failed_function: (out) (optional): when the lookup failed for want of its PF's netdevs, its
 * function (the VF), else NULL. */
DpugwResolution *dpugw_lookup_finish (GAsyncResult *result, char **failed_function, GError **error);

/* What a re-validation pass reads again. */
typedef struct {
  gboolean full;      /* the whole topology, and the failures forgotten */
  GStrv functions;    /* cached management functions to resolve again */
  GStrv vfs;          /* VFs whose netdevs to list again */
  GStrv pfs;          /* PFs whose netdevs and choice to read again */
  GStrv names;        /* netdevs nobody knew: the PF of each is scanned again */
} DpugwPassPlan;

DpugwPassPlan *dpugw_pass_plan_new (void);
void dpugw_pass_plan_free (DpugwPassPlan *plan);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DpugwPassPlan, dpugw_pass_plan_free)

/*
 * What a pass or a lookup found, for the state to take in.  Every table may be NULL; a NULL
 * value in @choices or @entries means the PF or function no longer resolves.
 */
typedef struct {
  gboolean lookup;                /* a lookup's: its entry is stored even if its function was not cached */
  gboolean full;                  /* a full pass: @topology holds every PF */
  GPtrArray *topology;            /* DpugwPf */
  GPtrArray *rescanned;           /* DpugwPf, replacing the PFs of the same addresses */
  GHashTable *pf_netdevs;         /* PF -> GStrv */
  GHashTable *vf_netdevs;         /* VF -> GStrv */
  GHashTable *choices;            /* PF -> DpugwChoice */
  GHashTable *entries;            /* function -> DpugwCacheEntry */
  char *requested_name;           /* a lookup's netdev name, which leads to its entry */
  gboolean has_configured;        /* the configured port was resolved: */
  DpugwResolution *configured;    /*   its result, or */
  GError *configured_error;       /*   why it failed */
  char *failure_key;              /* a lookup that failed: its request key and */
  GError *failure;                /*   error, remembered for a while; */
  char *watch_function;           /*   its function, if it failed for want of its PF's netdevs */
} DpugwFindings;

DpugwFindings *dpugw_findings_new (void);
void dpugw_findings_free (DpugwFindings *findings);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DpugwFindings, dpugw_findings_free)

void dpugw_pass_async (DpugwSysfs *sysfs, const DpugwConfig *config, const DpugwPassPlan *plan,
                       GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data);
DpugwFindings *dpugw_pass_finish (GAsyncResult *result, GError **error);

/* Diagnose: dpugw_diagnose() off the main loop; the result is its aa{sv}. */
void dpugw_diagnose_async (DpugwSysfs *sysfs, const DpugwConfig *config, const char *mgmt_port,
                           GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data);
GVariant *dpugw_diagnose_finish (GAsyncResult *result, GError **error);

G_END_DECLS
