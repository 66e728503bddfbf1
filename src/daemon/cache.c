/* SPDX-License-Identifier: Apache-2.0
 *
 * The daemon's resolution cache: entries, names and failures in GHashTables, a PF's choice
 * shared by reference.
 */
#define G_LOG_DOMAIN "dpugw-cache"

#include "cache.h"

#include <string.h>

/* --- choices and entries ---------------------------------------------------------------------- */

DpugwChoice *
dpugw_choice_new_take (DpugwResolution *r)
{
  DpugwChoice *choice = g_new0 (DpugwChoice, 1);

  g_atomic_ref_count_init (&choice->ref);
  choice->pf_pci = g_steal_pointer (&r->pf_pci);
  choice->candidates = g_steal_pointer (&r->candidates);
  choice->interfaces = g_steal_pointer (&r->interfaces);
  choice->interface = g_steal_pointer (&r->interface);
  choice->selected_by = g_steal_pointer (&r->selected_by);
  choice->hint = g_steal_pointer (&r->hint);
  choice->beyond = r->beyond & DPUGW_BEYOND_PF_MASK;
  if (choice->pf_pci == NULL)
    choice->pf_pci = g_strdup ("");
  if (choice->interface == NULL)
    choice->interface = g_strdup ("");
  return choice;
}

DpugwChoice *
dpugw_choice_ref (DpugwChoice *choice)
{
  g_atomic_ref_count_inc (&choice->ref);
  return choice;
}

void
dpugw_choice_unref (DpugwChoice *choice)
{
  if (choice == NULL || !g_atomic_ref_count_dec (&choice->ref))
    return;
  g_free (choice->pf_pci);
  g_strfreev (choice->candidates);
  g_strfreev (choice->interfaces);
  g_free (choice->interface);
  g_free (choice->selected_by);
  g_free (choice->hint);
  g_free (choice);
}

static gboolean
strv_equal0 (char **a, char **b)
{
  if (a == NULL || b == NULL)
    return a == b;
  return g_strv_equal ((const char * const *) a, (const char * const *) b);
}

gboolean
dpugw_choice_equal (const DpugwChoice *a, const DpugwChoice *b)
{
  return a == b ||
         (strcmp (a->pf_pci, b->pf_pci) == 0 && strcmp (a->interface, b->interface) == 0 &&
          g_strcmp0 (a->selected_by, b->selected_by) == 0 && g_strcmp0 (a->hint, b->hint) == 0 &&
          a->beyond == b->beyond &&
          strv_equal0 (a->candidates, b->candidates) && strv_equal0 (a->interfaces, b->interfaces));
}

DpugwCacheEntry *
dpugw_cache_entry_new (DpugwResolution *r)
{
  g_autoptr(DpugwResolution) owned = r;
  DpugwCacheEntry *entry = g_new0 (DpugwCacheEntry, 1);

  entry->function = g_strdup (dpugw_resolution_function (r));
  entry->mgmt_port = r->mgmt_port != NULL ? g_steal_pointer (&r->mgmt_port) : g_strdup ("");
  entry->beyond = r->beyond & DPUGW_BEYOND_FUNCTION_MASK;
  entry->choice = dpugw_choice_new_take (r);
  return entry;
}

void
dpugw_cache_entry_free (DpugwCacheEntry *entry)
{
  if (entry == NULL)
    return;
  g_free (entry->function);
  g_free (entry->mgmt_port);
  dpugw_choice_unref (entry->choice);
  g_free (entry);
}

gboolean
dpugw_cache_entry_is_sf (const DpugwCacheEntry *entry)
{
  return strchr (entry->function, ':') == NULL;
}

const char *
dpugw_cache_entry_vf_pci (const DpugwCacheEntry *entry)
{
  return dpugw_cache_entry_is_sf (entry) ? "" : entry->function;
}

/* --- the cache -------------------------------------------------------------------------------- */

typedef struct {
  GError *error;
  gint64 expires;
} Failure;

/* The entries of one PF: how many, and the choice stored last, which an equal one shares. */
typedef struct {
  DpugwChoice *latest;
  guint n_entries;
} PfRecord;

struct _DpugwCache
{
  GHashTable *entries;   /* DpugwCacheEntry, a set by function */
  GHashTable *names;     /* netdev name -> DpugwCacheEntry */
  GHashTable *pfs;       /* pf_pci -> PfRecord */
  GHashTable *failures;  /* request key -> Failure */
  guint max_entries;
  guint max_failures;
  gint64 failure_ttl;
};

static void
failure_free (Failure *failure)
{
  g_clear_error (&failure->error);
  g_free (failure);
}

static void
pf_record_free (PfRecord *record)
{
  dpugw_choice_unref (record->latest);
  g_free (record);
}

static guint
entry_hash (gconstpointer entry)
{
  return g_str_hash (((const DpugwCacheEntry *) entry)->function);
}

static gboolean
entry_equal (gconstpointer a, gconstpointer b)
{
  return strcmp (((const DpugwCacheEntry *) a)->function, ((const DpugwCacheEntry *) b)->function) == 0;
}

DpugwCache *
dpugw_cache_new (guint max_entries, guint max_failures, gint64 failure_ttl_usec)
{
  DpugwCache *cache = g_new0 (DpugwCache, 1);

  /* A set of entries (a key is its own value: no second array) looked up by a key of the
   * function alone. */
  cache->entries = g_hash_table_new_full (entry_hash, entry_equal, (GDestroyNotify) dpugw_cache_entry_free, NULL);
  cache->names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  cache->pfs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) pf_record_free);
  cache->failures = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) failure_free);
  cache->max_entries = MAX (max_entries, 1);
  cache->max_failures = MAX (max_failures, 1);
  cache->failure_ttl = failure_ttl_usec;
  return cache;
}

void
dpugw_cache_free (DpugwCache *cache)
{
  if (cache == NULL)
    return;
  g_hash_table_unref (cache->names);
  g_hash_table_unref (cache->entries);
  g_hash_table_unref (cache->pfs);
  g_hash_table_unref (cache->failures);
  g_free (cache);
}

static DpugwCacheEntry *
find (DpugwCache *cache, const char *function)
{
  const DpugwCacheEntry key = { .function = (char *) function };

  return g_hash_table_lookup (cache->entries, &key);
}

const DpugwCacheEntry *
dpugw_cache_lookup (DpugwCache *cache, const char *function)
{
  return find (cache, function);
}

const char *
dpugw_cache_function_of_name (DpugwCache *cache, const char *netdev)
{
  const DpugwCacheEntry *entry = g_hash_table_lookup (cache->names, netdev);
  return entry != NULL ? entry->function : NULL;
}

const DpugwCacheEntry *
dpugw_cache_lookup_name (DpugwCache *cache, const char *netdev)
{
  return g_hash_table_lookup (cache->names, netdev);
}

const char *
dpugw_cache_interface (DpugwCache *cache, const char *function)
{
  const DpugwCacheEntry *entry = find (cache, function);
  return entry != NULL ? entry->choice->interface : "";
}

/* Counts @entry in its PF's record, taking the record's latest choice when it is equal. */
static void
pf_attach (DpugwCache *cache, DpugwCacheEntry *entry)
{
  PfRecord *record = g_hash_table_lookup (cache->pfs, entry->choice->pf_pci);

  if (record == NULL)
    {
      record = g_new0 (PfRecord, 1);
      g_hash_table_insert (cache->pfs, g_strdup (entry->choice->pf_pci), record);
    }
  record->n_entries++;
  if (record->latest != NULL && dpugw_choice_equal (record->latest, entry->choice))
    {
      DpugwChoice *shared = dpugw_choice_ref (record->latest);
      dpugw_choice_unref (entry->choice);
      entry->choice = shared;
    }
  else
    {
      dpugw_choice_unref (record->latest);
      record->latest = dpugw_choice_ref (entry->choice);
    }
}

/* Before @entry leaves: its PF's record goes with the PF's last entry. */
static void
pf_detach (DpugwCache *cache, const DpugwCacheEntry *entry)
{
  PfRecord *record = g_hash_table_lookup (cache->pfs, entry->choice->pf_pci);

  if (record != NULL && --record->n_entries == 0)
    g_hash_table_remove (cache->pfs, entry->choice->pf_pci);
}

static gboolean
name_leads_to (gpointer name, gpointer entry, gpointer entries)
{
  return g_hash_table_contains (entries, entry);
}

/* Takes @gone (a set of entries in the cache) out, their names with them, and frees them. */
static void
remove_entries (DpugwCache *cache, GHashTable *gone)
{
  GHashTableIter iter;
  gpointer entry;

  if (g_hash_table_size (gone) == 0)
    return;
  g_hash_table_foreach_remove (cache->names, name_leads_to, gone);
  g_hash_table_iter_init (&iter, gone);
  while (g_hash_table_iter_next (&iter, &entry, NULL))
    {
      pf_detach (cache, entry);
      g_hash_table_remove (cache->entries, entry); /* frees it */
    }
}

void
dpugw_cache_remove (DpugwCache *cache, const char *function)
{
  DpugwCacheEntry *entry = find (cache, function);
  g_autoptr(GHashTable) gone = g_hash_table_new (NULL, NULL);

  if (entry == NULL)
    return;
  g_hash_table_add (gone, entry);
  remove_entries (cache, gone);
}

static void
add_name (DpugwCache *cache, const char *name, DpugwCacheEntry *entry)
{
  if (name != NULL && *name != '\0')
    g_hash_table_replace (cache->names, g_strdup (name), entry);
}

void
dpugw_cache_put (DpugwCache *cache, const char *requested_name, DpugwCacheEntry *entry)
{
  DpugwCacheEntry *old = find (cache, entry->function);

  if (old != NULL)
    {
      /* Updated in place: the names that lead to it still do. */
      pf_detach (cache, old);
      g_free (old->mgmt_port);
      old->mgmt_port = g_steal_pointer (&entry->mgmt_port);
      dpugw_choice_unref (old->choice);
      old->choice = g_steal_pointer (&entry->choice);
      old->beyond = entry->beyond;
      dpugw_cache_entry_free (entry);
      entry = old;
    }
  else
    {
      if (g_hash_table_size (cache->entries) >= cache->max_entries)
        {
          /* Full: the hardware holds more functions than the bound.  Evict any one. */
          GHashTableIter iter;
          gpointer victim;

          g_hash_table_iter_init (&iter, cache->entries);
          if (g_hash_table_iter_next (&iter, &victim, NULL))
            dpugw_cache_remove (cache, ((DpugwCacheEntry *) victim)->function);
        }
      g_hash_table_add (cache->entries, entry);
    }
  pf_attach (cache, entry);
  add_name (cache, entry->mgmt_port, entry);
  add_name (cache, requested_name, entry);
}

void
dpugw_cache_set_choice (DpugwCache *cache, const char *pf_pci, DpugwChoice *choice)
{
  g_autoptr(GHashTable) of_pf = g_hash_table_new (NULL, NULL);
  GHashTableIter iter;
  gpointer entry;
  PfRecord *record = g_hash_table_lookup (cache->pfs, pf_pci);

  if (record == NULL)
    return;
  g_hash_table_iter_init (&iter, cache->entries);
  while (g_hash_table_iter_next (&iter, &entry, NULL))
    if (strcmp (((DpugwCacheEntry *) entry)->choice->pf_pci, pf_pci) == 0)
      g_hash_table_add (of_pf, entry);
  if (choice == NULL)
    {
      remove_entries (cache, of_pf);
      return;
    }
  g_return_if_fail (strcmp (choice->pf_pci, pf_pci) == 0);
  g_hash_table_iter_init (&iter, of_pf);
  while (g_hash_table_iter_next (&iter, &entry, NULL))
    {
      DpugwCacheEntry *e = entry;
      dpugw_choice_unref (e->choice);
      e->choice = dpugw_choice_ref (choice);
    }
  dpugw_choice_unref (record->latest);
  record->latest = dpugw_choice_ref (choice);
}

void
dpugw_cache_forget_name (DpugwCache *cache, const char *netdev)
{
  /* An entry whose own name this was stays, found by its function. */
  g_hash_table_remove (cache->names, netdev);
}

void
dpugw_cache_reset_names (DpugwCache *cache)
{
  GHashTableIter iter;
  gpointer entry;

  g_hash_table_remove_all (cache->names);
  g_hash_table_iter_init (&iter, cache->entries);
  while (g_hash_table_iter_next (&iter, &entry, NULL))
    add_name (cache, ((DpugwCacheEntry *) entry)->mgmt_port, entry);
}

const GError *
dpugw_cache_lookup_failure (DpugwCache *cache, const char *key, gint64 now)
{
  Failure *failure = g_hash_table_lookup (cache->failures, key);

  if (failure == NULL)
    return NULL;
  if (now >= failure->expires)
    {
      g_hash_table_remove (cache->failures, key);
      return NULL;
    }
  return failure->error;
}

static gboolean
failure_expired (gpointer key, gpointer value, gpointer now)
{
  return *(const gint64 *) now >= ((const Failure *) value)->expires;
}

void
dpugw_cache_store_failure (DpugwCache *cache, const char *key, const GError *error, gint64 now)
{
  Failure *failure;

  if (cache->failure_ttl <= 0)
    return;
  if (g_hash_table_size (cache->failures) >= cache->max_failures)
    {
      /* Expired ones first; if none, forget them all rather than grow. */
      g_hash_table_foreach_remove (cache->failures, failure_expired, &now);
      if (g_hash_table_size (cache->failures) >= cache->max_failures)
        g_hash_table_remove_all (cache->failures);
    }
  failure = g_new0 (Failure, 1);
  failure->error = g_error_copy (error);
  failure->expires = now + cache->failure_ttl;
  g_hash_table_replace (cache->failures, g_strdup (key), failure);
}

void
dpugw_cache_clear_failures (DpugwCache *cache)
{
  g_hash_table_remove_all (cache->failures);
}

static int
compare_strings (gconstpointer a, gconstpointer b)
{
  return strcmp (*(char * const *) a, *(char * const *) b);
}

GStrv
dpugw_cache_dup_functions (DpugwCache *cache)
{
  g_autoptr(GPtrArray) out = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer entry;

  g_hash_table_iter_init (&iter, cache->entries);
  while (g_hash_table_iter_next (&iter, &entry, NULL))
    g_ptr_array_add (out, g_strdup (((DpugwCacheEntry *) entry)->function));
  g_ptr_array_sort (out, compare_strings);
  g_ptr_array_add (out, NULL);
  return (GStrv) g_ptr_array_free (g_steal_pointer (&out), FALSE);
}

GStrv
dpugw_cache_dup_functions_of_pf (DpugwCache *cache, const char *pf_pci)
{
  g_autoptr(GPtrArray) out = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer entry;

  if (g_hash_table_contains (cache->pfs, pf_pci))
    {
      g_hash_table_iter_init (&iter, cache->entries);
      while (g_hash_table_iter_next (&iter, &entry, NULL))
        if (strcmp (((DpugwCacheEntry *) entry)->choice->pf_pci, pf_pci) == 0)
          g_ptr_array_add (out, g_strdup (((DpugwCacheEntry *) entry)->function));
    }
  g_ptr_array_add (out, NULL);
  return (GStrv) g_ptr_array_free (g_steal_pointer (&out), FALSE);
}

guint
dpugw_cache_n_entries (DpugwCache *cache)
{
  return g_hash_table_size (cache->entries);
}

guint
dpugw_cache_n_names (DpugwCache *cache)
{
  return g_hash_table_size (cache->names);
}

guint
dpugw_cache_n_failures (DpugwCache *cache)
{
  return g_hash_table_size (cache->failures);
}
