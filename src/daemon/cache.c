/* SPDX-License-Identifier: Apache-2.0 */
#define G_LOG_DOMAIN "dpugw-cache"

#include "cache.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
  GError *error;
  gint64 expires;
} Failure;

struct _DpugwCache
{
  GHashTable *by_vf;     /* vf_pci -> DpugwResolution */
  GHashTable *by_name;   /* netdev -> vf_pci */
  GHashTable *by_pf;     /* pf_pci -> set of vf_pci */
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

DpugwCache *
dpugw_cache_new (guint max_entries, guint max_failures, gint64 failure_ttl_usec)
{
  DpugwCache *cache = g_new0 (DpugwCache, 1);

  cache->by_vf = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                        (GDestroyNotify) dpugw_resolution_free);
  cache->by_name = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  cache->by_pf = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_hash_table_unref);
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
  g_hash_table_unref (cache->by_vf);
  g_hash_table_unref (cache->by_name);
  g_hash_table_unref (cache->by_pf);
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

static void
pf_index_remove (DpugwCache *cache, const char *pf_pci, const char *vf_pci)
{
  GHashTable *vfs = g_hash_table_lookup (cache->by_pf, pf_pci);

  if (vfs != NULL && g_hash_table_remove (vfs, vf_pci) && g_hash_table_size (vfs) == 0)
    g_hash_table_remove (cache->by_pf, pf_pci);
}

void
dpugw_cache_remove_vf (DpugwCache *cache, const char *vf_pci)
{
  const DpugwResolution *r = g_hash_table_lookup (cache->by_vf, vf_pci);

  if (r == NULL)
    return;
  pf_index_remove (cache, r->pf_pci, vf_pci);
  unindex_vf (cache, vf_pci);
  g_hash_table_remove (cache->by_vf, vf_pci);
}

void
dpugw_cache_store (DpugwCache *cache, const char *requested_name, DpugwResolution *resolution)
{
  const char *key = resolution != NULL ? dpugw_resolution_function (resolution) : NULL;

  g_return_if_fail (key != NULL && *key != '\0');

  /* Entries answer callers who name a netdev or a VF: for them it is derived, even when
   * the entry came from the configured port's device plugin or rename fallback. */
  resolution->source = DPUGW_SOURCE_DERIVED;

  if (!g_hash_table_contains (cache->by_vf, key) &&
      g_hash_table_size (cache->by_vf) >= cache->max_entries)
    {
      /* Full: the hardware holds more VFs than the bound.  Evict any one. */
      GHashTableIter iter;
      gpointer key;
      g_autofree char *victim = NULL;

      g_hash_table_iter_init (&iter, cache->by_vf);
      if (g_hash_table_iter_next (&iter, &key, NULL))
        victim = g_strdup (key);
      if (victim != NULL)
        dpugw_cache_remove_vf (cache, victim);
    }

  {
    const DpugwResolution *old = g_hash_table_lookup (cache->by_vf, key);
    GHashTable *vfs;

    if (old != NULL)
      pf_index_remove (cache, old->pf_pci, key);
    vfs = g_hash_table_lookup (cache->by_pf, resolution->pf_pci);
    if (vfs == NULL)
      {
        vfs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
        g_hash_table_insert (cache->by_pf, g_strdup (resolution->pf_pci), vfs);
      }
    g_hash_table_add (vfs, g_strdup (key));
  }
  if (requested_name != NULL && *requested_name != '\0')
    g_hash_table_replace (cache->by_name, g_strdup (requested_name), g_strdup (key));
  if (resolution->mgmt_port != NULL && *resolution->mgmt_port != '\0')
    g_hash_table_replace (cache->by_name, g_strdup (resolution->mgmt_port), g_strdup (key));
  g_hash_table_replace (cache->by_vf, g_strdup (key), resolution);
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
  GHashTable *vfs = g_hash_table_lookup (cache->by_pf, pf_pci);
  g_autoptr(GStrvBuilder) out = g_strv_builder_new ();
  GHashTableIter iter;
  gpointer vf;

  if (vfs != NULL)
    {
      g_hash_table_iter_init (&iter, vfs);
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
  g_hash_table_remove_all (cache->by_vf);
  g_hash_table_remove_all (cache->by_pf);
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
