/* SPDX-License-Identifier: Apache-2.0 */
#define G_LOG_DOMAIN "dpugw-cache"

#include "cache.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
  GError *error;
  gint64 expires;
} Failure;

/*
 * What the functions of one PF share: its netdevs and the selection's outcome.  On a switchdev PF
 * the candidates are the uplink and a representor per VF, so each entry holding its own copy would
 * make the cache quadratic in the VFs of a PF.
 */
typedef struct {
  grefcount ref;
  char *pf_pci;
  GStrv candidates;
  GStrv interfaces;  /* may be the candidates array itself (rule `first` matched them all) */
  char *interface;
  char *selected_by;
  char *hint;
} Choice;

/*
 * An entry is a DpugwResolution for the callers, whose strings live in the same allocation
 * (mgmt_port, vf_pci, sf) or belong to the shared Choice; the cache alone frees it.
 */
typedef struct {
  DpugwResolution view; /* first: a const DpugwResolution * is the entry */
  Choice *choice;
} Entry;

typedef struct {
  GHashTable *vfs;  /* the functions of the PF that are cached: borrowed keys of by_vf */
  Choice *latest;   /* borrowed: the choice stored last for this PF, shared by the next equal one */
} PfIndex;

struct _DpugwCache
{
  GHashTable *by_vf;     /* function (borrowed from the entry) -> Entry */
  GHashTable *by_name;   /* netdev -> function */
  GHashTable *by_pf;     /* pf_pci -> PfIndex */
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
choice_unref (Choice *choice)
{
  if (!g_ref_count_dec (&choice->ref))
    return;
  g_free (choice->pf_pci);
  if (choice->interfaces != choice->candidates)
    g_strfreev (choice->interfaces);
  g_strfreev (choice->candidates);
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

/* Does @choice say what @r says of its PF? */
static gboolean
choice_matches (const Choice *choice, const DpugwResolution *r)
{
  return g_strcmp0 (choice->pf_pci, r->pf_pci) == 0 &&
         g_strcmp0 (choice->interface, r->interface) == 0 &&
         g_strcmp0 (choice->selected_by, r->selected_by) == 0 &&
         g_strcmp0 (choice->hint, r->hint) == 0 &&
         strv_equal0 (choice->candidates, r->candidates) &&
         strv_equal0 (choice->interfaces, r->interfaces);
}

/* A new choice made of @r's PF fields, which it takes. */
static Choice *
choice_steal (DpugwResolution *r)
{
  Choice *choice = g_new0 (Choice, 1);

  g_ref_count_init (&choice->ref);
  choice->pf_pci = g_steal_pointer (&r->pf_pci);
  choice->candidates = g_steal_pointer (&r->candidates);
  choice->interfaces = g_steal_pointer (&r->interfaces);
  if (strv_equal0 (choice->interfaces, choice->candidates))
    {
      g_strfreev (choice->interfaces);
      choice->interfaces = choice->candidates;
    }
  choice->interface = g_steal_pointer (&r->interface);
  choice->selected_by = g_steal_pointer (&r->selected_by);
  choice->hint = g_steal_pointer (&r->hint);
  return choice;
}

static void
entry_set_choice (Entry *entry, Choice *choice)
{
  g_ref_count_inc (&choice->ref);
  if (entry->choice != NULL)
    choice_unref (entry->choice);
  entry->choice = choice;
  entry->view.pf_pci = choice->pf_pci;
  entry->view.candidates = choice->candidates;
  entry->view.interfaces = choice->interfaces;
  entry->view.interface = choice->interface;
  entry->view.selected_by = choice->selected_by;
  entry->view.hint = choice->hint;
}

static char *
pack (char **at, const char *s)
{
  char *start = *at;

  if (s == NULL)
    return NULL;
  *at = g_stpcpy (start, s) + 1;
  return start;
}

/* The entry for @r: its own strings in one allocation, the PF's part shared through @choice. */
static Entry *
entry_new (const DpugwResolution *r, Choice *choice)
{
  gsize size = sizeof (Entry);
  Entry *entry;
  char *at;

  size += r->mgmt_port != NULL ? strlen (r->mgmt_port) + 1 : 0;
  size += r->vf_pci != NULL ? strlen (r->vf_pci) + 1 : 0;
  size += r->sf != NULL ? strlen (r->sf) + 1 : 0;
  entry = g_malloc0 (size);
  at = (char *) (entry + 1);
  entry->view.mgmt_port = pack (&at, r->mgmt_port);
  entry->view.vf_pci = pack (&at, r->vf_pci);
  entry->view.sf = pack (&at, r->sf);
  entry->view.source = DPUGW_SOURCE_DERIVED;
  entry->view.function_type = r->function_type != NULL ? (char *) g_intern_string (r->function_type) : NULL;
  entry_set_choice (entry, choice);
  return entry;
}

static void
entry_free (Entry *entry)
{
  choice_unref (entry->choice);
  g_free (entry);
}

static void
pf_index_free (PfIndex *index)
{
  g_hash_table_unref (index->vfs);
  g_free (index);
}

DpugwCache *
dpugw_cache_new (guint max_entries, guint max_failures, gint64 failure_ttl_usec)
{
  DpugwCache *cache = g_new0 (DpugwCache, 1);

  cache->by_vf = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) entry_free);
  cache->by_name = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  cache->by_pf = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) pf_index_free);
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
  /* The PF index borrows the entries' keys: it goes first. */
  g_hash_table_unref (cache->by_pf);
  g_hash_table_unref (cache->by_vf);
  g_hash_table_unref (cache->by_name);
  g_hash_table_unref (cache->failures);
  g_free (cache);
}

const DpugwResolution *
dpugw_cache_lookup_vf (DpugwCache *cache, const char *vf_pci)
{
  return g_hash_table_lookup (cache->by_vf, vf_pci);
}

const DpugwResolution *
dpugw_cache_lookup_name (DpugwCache *cache, const char *netdev)
{
  const char *vf = g_hash_table_lookup (cache->by_name, netdev);
  return vf != NULL ? g_hash_table_lookup (cache->by_vf, vf) : NULL;
}

/* Drops the index entries that point at @vf_pci. */
static void
unindex_vf (DpugwCache *cache, const char *vf_pci)
{
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, cache->by_name);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    if (strcmp (value, vf_pci) == 0)
      g_hash_table_iter_remove (&iter);
}

static const char *
pf_key (const char *pf_pci)
{
  return pf_pci != NULL ? pf_pci : "";
}

/* Before @entry is freed: its PF forgets it. */
static void
pf_index_remove (DpugwCache *cache, const Entry *entry, const char *key)
{
  PfIndex *index = g_hash_table_lookup (cache->by_pf, pf_key (entry->view.pf_pci));

  if (index == NULL || !g_hash_table_remove (index->vfs, key))
    return;
  if (index->latest == entry->choice && g_ref_count_compare (&entry->choice->ref, 1))
    index->latest = NULL; /* its last holder goes */
  if (g_hash_table_size (index->vfs) == 0)
    g_hash_table_remove (cache->by_pf, pf_key (entry->view.pf_pci));
}

void
dpugw_cache_remove_vf (DpugwCache *cache, const char *vf_pci)
{
  const Entry *entry = g_hash_table_lookup (cache->by_vf, vf_pci);
  g_autofree char *key = NULL;

  if (entry == NULL)
    return;
  key = g_strdup (vf_pci); /* @vf_pci may be the entry's own */
  pf_index_remove (cache, entry, key);
  unindex_vf (cache, key);
  g_hash_table_remove (cache->by_vf, key);
}

static PfIndex *
pf_index_ensure (DpugwCache *cache, const char *pf_pci)
{
  PfIndex *index = g_hash_table_lookup (cache->by_pf, pf_pci);

  if (index == NULL)
    {
      index = g_new0 (PfIndex, 1);
      index->vfs = g_hash_table_new (g_str_hash, g_str_equal);
      g_hash_table_insert (cache->by_pf, g_strdup (pf_pci), index);
    }
  return index;
}

void
dpugw_cache_store (DpugwCache *cache, const char *requested_name, DpugwResolution *resolution)
{
  g_autoptr(DpugwResolution) r = resolution;
  const char *function = r != NULL ? dpugw_resolution_function (r) : NULL;
  g_autofree char *key = NULL;
  const Entry *old;
  PfIndex *index;
  Choice *choice;
  Entry *entry;

  g_return_if_fail (function != NULL && *function != '\0');
  key = g_strdup (function);

  old = g_hash_table_lookup (cache->by_vf, key);
  if (old == NULL && g_hash_table_size (cache->by_vf) >= cache->max_entries)
    {
      /* Full: the hardware holds more VFs than the bound.  Evict any one. */
      GHashTableIter iter;
      gpointer victim;

      g_hash_table_iter_init (&iter, cache->by_vf);
      if (g_hash_table_iter_next (&iter, &victim, NULL))
        dpugw_cache_remove_vf (cache, victim);
    }
  if (old != NULL)
    pf_index_remove (cache, old, key);

  /* Entries answer callers who name a netdev or a VF: for them it is derived, even when
   * the entry came from the configured port's device plugin or rename fallback. */
  index = pf_index_ensure (cache, pf_key (r->pf_pci));
  if (index->latest != NULL && choice_matches (index->latest, r))
    {
      choice = index->latest;
      g_ref_count_inc (&choice->ref);
    }
  else
    choice = index->latest = choice_steal (r);
  entry = entry_new (r, choice);
  choice_unref (choice);

  /* The entry's key is its own copy of the function; the old entry goes with the replace. */
  g_hash_table_replace (cache->by_vf, (char *) dpugw_resolution_function (&entry->view), entry);
  g_hash_table_add (index->vfs, (char *) dpugw_resolution_function (&entry->view));
  if (requested_name != NULL && *requested_name != '\0')
    g_hash_table_replace (cache->by_name, g_strdup (requested_name), g_strdup (key));
  if (entry->view.mgmt_port != NULL && *entry->view.mgmt_port != '\0')
    g_hash_table_replace (cache->by_name, g_strdup (entry->view.mgmt_port), g_strdup (key));
}

void
dpugw_cache_update_pf (DpugwCache *cache, const char *pf_pci, DpugwResolution *pf_resolution)
{
  g_autoptr(DpugwResolution) r = pf_resolution;
  PfIndex *index = g_hash_table_lookup (cache->by_pf, pf_key (pf_pci));
  Choice *choice;
  GHashTableIter iter;
  gpointer vf;

  if (index == NULL)
    return;
  if (r == NULL)
    {
      g_auto(GStrv) vfs = dpugw_cache_dup_vfs_of_pf (cache, pf_pci);
      for (guint i = 0; vfs[i] != NULL; i++)
        dpugw_cache_remove_vf (cache, vfs[i]);
      return;
    }
  g_return_if_fail (g_strcmp0 (r->pf_pci, pf_pci) == 0);
  choice = index->latest = choice_steal (r);
  g_hash_table_iter_init (&iter, index->vfs);
  while (g_hash_table_iter_next (&iter, &vf, NULL))
    entry_set_choice (g_hash_table_lookup (cache->by_vf, vf), choice);
  choice_unref (choice);
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

void
dpugw_cache_store_failure (DpugwCache *cache, const char *key, const GError *error, gint64 now)
{
  Failure *failure;

  if (cache->failure_ttl <= 0)
    return;
  if (g_hash_table_size (cache->failures) >= cache->max_failures)
    {
      GHashTableIter iter;
      gpointer value;

      /* Expired ones first; if none, forget them all rather than grow. */
      g_hash_table_iter_init (&iter, cache->failures);
      while (g_hash_table_iter_next (&iter, NULL, &value))
        if (now >= ((Failure *) value)->expires)
          g_hash_table_iter_remove (&iter);
      if (g_hash_table_size (cache->failures) >= cache->max_failures)
        g_hash_table_remove_all (cache->failures);
    }
  failure = g_new0 (Failure, 1);
  failure->error = g_error_copy (error);
  failure->expires = now + cache->failure_ttl;
  g_hash_table_replace (cache->failures, g_strdup (key), failure);
}

const char *
dpugw_cache_vf_of_name (DpugwCache *cache, const char *netdev)
{
  return g_hash_table_lookup (cache->by_name, netdev);
}

void
dpugw_cache_forget_name (DpugwCache *cache, const char *netdev)
{
  g_hash_table_remove (cache->by_name, netdev);
}

GStrv
dpugw_cache_dup_vfs_of_pf (DpugwCache *cache, const char *pf_pci)
{
  PfIndex *index = g_hash_table_lookup (cache->by_pf, pf_pci);
  g_autoptr(GStrvBuilder) out = g_strv_builder_new ();
  GHashTableIter iter;
  gpointer vf;

  if (index != NULL)
    {
      g_hash_table_iter_init (&iter, index->vfs);
      while (g_hash_table_iter_next (&iter, &vf, NULL))
        g_strv_builder_add (out, vf);
    }
  return g_strv_builder_end (out);
}

void
dpugw_cache_clear_failures (DpugwCache *cache)
{
  g_hash_table_remove_all (cache->failures);
}

void
dpugw_cache_clear (DpugwCache *cache)
{
  g_hash_table_remove_all (cache->by_pf);
  g_hash_table_remove_all (cache->by_vf);
  g_hash_table_remove_all (cache->by_name);
  g_hash_table_remove_all (cache->failures);
}

static int
compare_strings (gconstpointer a, gconstpointer b)
{
  return strcmp (*(char * const *) a, *(char * const *) b);
}

GStrv
dpugw_cache_dup_vfs (DpugwCache *cache)
{
  guint n;
  char **keys = (char **) g_hash_table_get_keys_as_array (cache->by_vf, &n);
  GStrv copy = g_new0 (char *, n + 1);

  for (guint i = 0; i < n; i++)
    copy[i] = g_strdup (keys[i]);
  g_free (keys);
  qsort (copy, n, sizeof (char *), compare_strings);
  return copy;
}

guint
dpugw_cache_n_entries (DpugwCache *cache)
{
  return g_hash_table_size (cache->by_vf);
}

guint
dpugw_cache_n_names (DpugwCache *cache)
{
  return g_hash_table_size (cache->by_name);
}

guint
dpugw_cache_n_failures (DpugwCache *cache)
{
  return g_hash_table_size (cache->failures);
}
