/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <dpu-gateway/dpu-gateway.h>

G_BEGIN_DECLS

/*
 * The daemon's resolution cache, main thread only.  Successes are keyed by
 * the management function (the VF's PCI address, or a scalable function's
 * auxiliary device name), with a netdev name -> function index beside them, so a renamed
 * VF keeps its entry.  Failures are keyed by the request ("netdev:NAME",
 * "pci:ADDR", "configured") and expire.  Both are bounded: a caller cannot
 * grow the cache without limit by asking for names that do not exist.
 */
typedef struct _DpugwCache DpugwCache;

DpugwCache *dpugw_cache_new (guint max_entries, guint max_failures, gint64 failure_ttl_usec);
void dpugw_cache_free (DpugwCache *cache);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DpugwCache, dpugw_cache_free)

/*
 * The entry of a function, or of the function a netdev name leads to: filled into @view and
 * returned as @view, or NULL if there is none.  The view's strings belong to the cache, valid
 * until its next change: read them, do not free them.
 */
const DpugwResolution *dpugw_cache_lookup_vf (DpugwCache *cache, const char *vf_pci, DpugwResolution *view);
const DpugwResolution *dpugw_cache_lookup_name (DpugwCache *cache, const char *netdev, DpugwResolution *view);
/*
 * Stores @resolution (transfer full) under its VF, indexing its mgmt_port and @requested_name;
 * the names that led to the entry it replaces lead to it.  What it says of its PF (pf_pci,
 * candidates, interfaces, interface, selected_by, hint) is shared with the PF's other entries
 * when it is the same.  Only the function's own strings are copied into the entry.
 */
void dpugw_cache_store (DpugwCache *cache, const char *requested_name, DpugwResolution *resolution);
/*
 * The PF's netdevs changed: every cached function of @pf_pci takes @pf_resolution's PF part
 * (transfer full; dpugw_resolve_pf's result), or leaves the cache with %NULL.
 */
void dpugw_cache_update_pf (DpugwCache *cache, const char *pf_pci, DpugwResolution *pf_resolution);
void dpugw_cache_remove_vf (DpugwCache *cache, const char *vf_pci);

/* The failure for @key if it has not expired at @now (g_get_monotonic_time()). */
const GError *dpugw_cache_lookup_failure (DpugwCache *cache, const char *key, gint64 now);
void dpugw_cache_store_failure (DpugwCache *cache, const char *key, const GError *error, gint64 now);

/* The VF a netdev name was last seen naming, and forgetting it (the name changed). */
const char *dpugw_cache_vf_of_name (DpugwCache *cache, const char *netdev);
void dpugw_cache_forget_name (DpugwCache *cache, const char *netdev);
/* The cached VFs of a PF. */
GStrv dpugw_cache_dup_vfs_of_pf (DpugwCache *cache, const char *pf_pci);

void dpugw_cache_clear_failures (DpugwCache *cache);
void dpugw_cache_clear (DpugwCache *cache);
/* The cached VF PCI addresses, sorted. */
GStrv dpugw_cache_dup_vfs (DpugwCache *cache);
guint dpugw_cache_n_entries (DpugwCache *cache);
guint dpugw_cache_n_names (DpugwCache *cache);
guint dpugw_cache_n_failures (DpugwCache *cache);

G_END_DECLS
