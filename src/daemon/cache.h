/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <dpu-gateway/dpu-gateway.h>

G_BEGIN_DECLS

/*
 * What the management functions of one PF share: the PF's netdevs and the selection's outcome.
 * Reference counted and immutable once made: on a switchdev PF the candidates are the uplink
 * and a representor per VF, so a copy per cached VF would make the cache quadratic.
 */
typedef struct {
  gatomicrefcount ref;
  char *pf_pci;
  GStrv candidates;
  GStrv interfaces;
  char *interface;
  char *selected_by;
  char *hint;
  DpugwBeyond beyond;  /* the PF's part (DPUGW_BEYOND_PF_MASK) */
} DpugwChoice;

/* Takes the PF part of @r (pf_pci, candidates, interfaces, interface, selected_by, hint). */
DpugwChoice *dpugw_choice_new_take (DpugwResolution *r);
DpugwChoice *dpugw_choice_ref (DpugwChoice *choice);
void dpugw_choice_unref (DpugwChoice *choice);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DpugwChoice, dpugw_choice_unref)
gboolean dpugw_choice_equal (const DpugwChoice *a, const DpugwChoice *b);

/* One cached management function: a VF by its PCI address, or a scalable function by its
 * auxiliary device name (which, unlike a PCI address, has no ':'). */
typedef struct {
  char *function;
  char *mgmt_port;     /* its netdev when it was resolved; "" if it had none (vfio) */
  DpugwChoice *choice;
  DpugwBeyond beyond;  /* the function's part (DPUGW_BEYOND_FUNCTION_MASK); the choice has the PF's */
} DpugwCacheEntry;

/* An entry of @r's function (transfer full; its PF part becomes the choice). */
DpugwCacheEntry *dpugw_cache_entry_new (DpugwResolution *r);
void dpugw_cache_entry_free (DpugwCacheEntry *entry);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DpugwCacheEntry, dpugw_cache_entry_free)
gboolean dpugw_cache_entry_is_sf (const DpugwCacheEntry *entry);
/* "" for a scalable function. */
const char *dpugw_cache_entry_vf_pci (const DpugwCacheEntry *entry);

/*
 * The daemon's resolution cache, main thread only: entries by function, with a netdev name ->
 * function index beside them, so that a renamed VF keeps its entry; and failures by request
 * ("netdev:NAME", "pci:ADDR", "configured"), which expire.  Both are bounded: a caller cannot
 * grow the cache by asking for names that do not exist.
 */
typedef struct _DpugwCache DpugwCache;

DpugwCache *dpugw_cache_new (guint max_entries, guint max_failures, gint64 failure_ttl_usec);
void dpugw_cache_free (DpugwCache *cache);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DpugwCache, dpugw_cache_free)

/* The entry of a function, or of the function a netdev name leads to; valid until the next change. */
const DpugwCacheEntry *dpugw_cache_lookup (DpugwCache *cache, const char *function);
const DpugwCacheEntry *dpugw_cache_lookup_name (DpugwCache *cache, const char *netdev);
/* The gateway interface cached for @function, "" when none. */
const char *dpugw_cache_interface (DpugwCache *cache, const char *function);

/*
 * Stores @entry (transfer full) as its function's, indexed by its mgmt_port and by
 * @requested_name; names that led to the function still do.  A choice equal to the one stored
 * last for its PF is shared with it.  An entry of the function already cached is updated in
 * place: pointers to it stay valid.
 */
void dpugw_cache_put (DpugwCache *cache, const char *requested_name, DpugwCacheEntry *entry);
void dpugw_cache_remove (DpugwCache *cache, const char *function);
/* The PF's netdevs changed: each cached function of @pf_pci takes @choice (NULL: they go). */
void dpugw_cache_set_choice (DpugwCache *cache, const char *pf_pci, DpugwChoice *choice);

/* The function a netdev name leads to, and forgetting the name (it changed). */
const char *dpugw_cache_function_of_name (DpugwCache *cache, const char *netdev);
void dpugw_cache_forget_name (DpugwCache *cache, const char *netdev);
/* Only each entry's own mgmt_port leads to it from now on: other names are learnt again. */
void dpugw_cache_reset_names (DpugwCache *cache);

/* The failure for @key if it has not expired at @now (g_get_monotonic_time()). */
const GError *dpugw_cache_lookup_failure (DpugwCache *cache, const char *key, gint64 now);
void dpugw_cache_store_failure (DpugwCache *cache, const char *key, const GError *error, gint64 now);
void dpugw_cache_clear_failures (DpugwCache *cache);

/* The cached functions, sorted; those of one PF. */
GStrv dpugw_cache_dup_functions (DpugwCache *cache);
GStrv dpugw_cache_dup_functions_of_pf (DpugwCache *cache, const char *pf_pci);

guint dpugw_cache_n_entries (DpugwCache *cache);
guint dpugw_cache_n_names (DpugwCache *cache);
guint dpugw_cache_n_failures (DpugwCache *cache);

G_END_DECLS
