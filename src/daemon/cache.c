/* SPDX-License-Identifier: Apache-2.0
 *
 * The cache is sized for thousands of VFs, each cached with a few dozen bytes: an entry is 48
 * bytes from a slab with its strings inline, what it says of its PF is shared with the PF's
 * other entries, and the indexes are DpugwStrSets of pointers to the entries themselves.
 */
#define G_LOG_DOMAIN "dpugw-cache"

#include "cache.h"

#include "slab.h"
#include "str-set.h"

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
  /* All in the same allocation as the Choice. */
  char *pf_pci;
  GStrv candidates;
  GStrv interfaces;  /* may be the candidates array itself (rule `first` matched them all) */
  char *interface;
  char *selected_by;
  char *hint;
} Choice;

/*
 * One cached management function, 48 bytes from the cache's slab.  by_vf finds it by its
 * function; by_name by its mgmt_port, and by any other name asked for through an Alias.
 */
typedef struct {
  Choice *choice;
  union {
    char vf_pci[16];                      /* a VF's PCI address (DPUGW_PCI_ADDRESS_LEN) */
    char *sf;                             /* IS_SF: the auxiliary device; vf_pci is then "" */
  } fn;
  char mgmt_port[DPUGW_IFNAMSIZ];
  guint16 n_aliases;                      /* the Aliases that point at it */
  guint8 flags;                           /* ABSENT_*: NULL, where the fields say ""; IS_SF */
  guint8 function_type;                   /* an index into function_types */
} Entry;

G_STATIC_ASSERT (sizeof (Entry) <= 48);

enum { ABSENT_MGMT_PORT = 1 << 0, ABSENT_VF_PCI = 1 << 1, IS_SF = 1 << 2 };

/* What DpugwResolution.function_type may say. */
static const char *const function_types[] = { NULL, "vf", "sf", "" };

/* A name that leads to an entry other than its mgmt_port; by_name holds it tagged (bit 0). */
typedef struct {
  Entry *entry;
  char name[];
} Alias;

/* The cached functions of one PF, and the choice stored last for it (shared by the next equal one). */
typedef struct {
  char *pf_pci;      /* "" for the functions of no PF */
  Choice *latest;    /* owned */
  GPtrArray *entries;
} PfIndex;

struct _DpugwCache
{
  DpugwSlab entries;     /* Entry */
  DpugwStrSet by_vf;     /* Entry, by function */
  DpugwStrSet by_name;   /* Entry by mgmt_port, or tagged Alias by name */
  DpugwStrSet by_pf;     /* PfIndex, by pf_pci */
  GHashTable *failures;  /* request key -> Failure */
  guint max_entries;
  guint max_failures;
  gint64 failure_ttl;
};

static const char *
entry_function (gconstpointer item)
{
  const Entry *entry = item;
  return (entry->flags & IS_SF) ? entry->fn.sf : entry->fn.vf_pci;
}

static inline const char *
entry_mgmt_port (const Entry *entry)
{
  return (entry->flags & ABSENT_MGMT_PORT) ? NULL : entry->mgmt_port;
}

static inline const char *
entry_vf_pci (const Entry *entry)
{
  if (entry->flags & ABSENT_VF_PCI)
    return NULL;
  return (entry->flags & IS_SF) ? "" : entry->fn.vf_pci;
}

static inline Alias *
as_alias (gconstpointer item)
{
  return dpugw_str_set_untag (item);
}

static inline Entry *
entry_of_name (gconstpointer item)
{
  return dpugw_str_set_is_tagged (item) ? as_alias (item)->entry : (Entry *) item;
}

static const char *
name_key (gconstpointer item)
{
  return dpugw_str_set_is_tagged (item) ? as_alias (item)->name : ((const Entry *) item)->mgmt_port;
}

static const char *
pf_index_key (gconstpointer item)
{
  return ((const PfIndex *) item)->pf_pci;
}

static void
failure_free (Failure *failure)
{
  g_clear_error (&failure->error);
  g_free (failure);
}

static Choice *
choice_ref (Choice *choice)
{
  g_ref_count_inc (&choice->ref);
  return choice;
}

static void
choice_unref (Choice *choice)
{
  if (choice != NULL && g_ref_count_dec (&choice->ref))
    g_free (choice); /* its vectors and strings with it */
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

static gsize
strv_size (char **strv)
{
  gsize size = 0;

  for (guint i = 0; strv != NULL && strv[i] != NULL; i++)
    size += sizeof (char *) + strlen (strv[i]) + 1;
  return strv != NULL ? size + sizeof (char *) : 0;
}

static char *
pack_string (char **at, const char *s)
{
  gsize len;
  char *start = *at;

  if (s == NULL)
    return NULL;
  len = strlen (s) + 1;
  memcpy (start, s, len);
  *at += len;
  return start;
}

/* Copies @strv: the vector at *@vectors, its strings at *@strings. */
static GStrv
pack_strv (char ***vectors, char **strings, char **strv)
{
  GStrv out = *vectors;
  guint n;

  if (strv == NULL)
    return NULL;
  for (n = 0; strv[n] != NULL; n++)
    out[n] = pack_string (strings, strv[n]);
  out[n] = NULL;
  *vectors += n + 1;
  return out;
}

/*
 * A new choice made of @r's PF fields, in one allocation from the main thread: on a switchdev PF
 * the candidates are some 500 strings, which as the resolution holds them (each its own
 * allocation, made in a worker thread) would be scattered among freed ones.
 */
static Choice *
choice_new (const DpugwResolution *r)
{
  const char *strings[] = { r->pf_pci, r->interface, r->selected_by, r->hint };
  gboolean same = strv_equal0 (r->interfaces, r->candidates);
  gsize size = sizeof (Choice) + strv_size (r->candidates) + (same ? 0 : strv_size (r->interfaces));
  Choice *choice;
  char **vectors;
  char *at;

  for (guint i = 0; i < G_N_ELEMENTS (strings); i++)
    size += strings[i] != NULL ? strlen (strings[i]) + 1 : 0;
  choice = g_malloc0 (size);
  g_ref_count_init (&choice->ref);
  /* The vectors first (pointer-aligned), the strings after them. */
  vectors = (char **) (choice + 1);
  at = (char *) (vectors + (r->candidates != NULL ? g_strv_length (r->candidates) + 1 : 0) +
                 (!same && r->interfaces != NULL ? g_strv_length (r->interfaces) + 1 : 0));
  choice->candidates = pack_strv (&vectors, &at, r->candidates);
  choice->interfaces = same ? choice->candidates : pack_strv (&vectors, &at, r->interfaces);
  choice->pf_pci = pack_string (&at, r->pf_pci);
  choice->interface = pack_string (&at, r->interface);
  choice->selected_by = pack_string (&at, r->selected_by);
  choice->hint = pack_string (&at, r->hint);
  g_assert (at == (char *) choice + size);
  return choice;
}

static const char *
pf_key (const char *pf_pci)
{
  return pf_pci != NULL ? pf_pci : "";
}

static gboolean
copy_fixed (char *dst, gsize size, const char *src, guint8 *flags, guint8 absent)
{
  if (src == NULL)
    {
      *flags |= absent;
      return TRUE;
    }
  return g_strlcpy (dst, src, size) < size;
}

/* The entry for @r, its strings copied, without a choice yet; NULL if it does not fit (never for
 * the validated addresses and names of a resolution). */
static Entry *
entry_new (DpugwCache *cache, const DpugwResolution *r)
{
  Entry *entry = dpugw_slab_alloc0 (&cache->entries);
  gboolean fits = FALSE;

  for (guint i = 0; i < G_N_ELEMENTS (function_types); i++)
    if (g_strcmp0 (r->function_type, function_types[i]) == 0)
      {
        entry->function_type = i;
        fits = TRUE;
      }
  fits = fits && copy_fixed (entry->mgmt_port, sizeof entry->mgmt_port, r->mgmt_port, &entry->flags, ABSENT_MGMT_PORT);
  if (r->sf != NULL && *r->sf != '\0')
    {
      /* A scalable function has no VF address of its own. */
      fits = fits && (r->vf_pci == NULL || *r->vf_pci == '\0');
      entry->flags |= IS_SF | (r->vf_pci == NULL ? ABSENT_VF_PCI : 0);
      if (fits)
        entry->fn.sf = g_strdup (r->sf);
    }
  else if (r->sf != NULL)
    fits = FALSE; /* "": neither an SF nor a VF without one */
  else
    fits = fits && copy_fixed (entry->fn.vf_pci, sizeof entry->fn.vf_pci, r->vf_pci, &entry->flags, ABSENT_VF_PCI);
  if (!fits)
    {
      g_warning ("not caching the resolution of %s: it does not fit an entry", dpugw_resolution_function (r));
      entry->flags &= ~IS_SF;
      dpugw_slab_free (&cache->entries, entry);
      return NULL;
    }
  return entry;
}

static void
entry_free (DpugwCache *cache, Entry *entry)
{
  choice_unref (entry->choice);
  if (entry->flags & IS_SF)
    g_free (entry->fn.sf);
  dpugw_slab_free (&cache->entries, entry);
}

static const DpugwResolution *
entry_view (const Entry *entry, DpugwResolution *view)
{
  const Choice *choice = entry->choice;

  g_return_val_if_fail (view != NULL, NULL);
  *view = (DpugwResolution) {
    .mgmt_port = (char *) entry_mgmt_port (entry),
    .vf_pci = (char *) entry_vf_pci (entry),
    .sf = (entry->flags & IS_SF) ? entry->fn.sf : NULL,
    .function_type = (char *) function_types[entry->function_type],
    /* Entries answer callers who name a netdev or a VF: for them it is derived, even when the
     * entry came from the configured port's device plugin or rename fallback. */
    .source = DPUGW_SOURCE_DERIVED,
    .pf_pci = choice->pf_pci,
    .candidates = choice->candidates,
    .interfaces = choice->interfaces,
    .interface = choice->interface,
    .selected_by = choice->selected_by,
    .hint = choice->hint,
  };
  return view;
}

static void
pf_index_free (PfIndex *index)
{
  g_ptr_array_unref (index->entries);
  choice_unref (index->latest);
  g_free (index->pf_pci);
  g_free (index);
}

DpugwCache *
dpugw_cache_new (guint max_entries, guint max_failures, gint64 failure_ttl_usec)
{
  DpugwCache *cache = g_new0 (DpugwCache, 1);

  dpugw_slab_init (&cache->entries, sizeof (Entry));
  dpugw_str_set_init (&cache->by_vf, entry_function);
  dpugw_str_set_init (&cache->by_name, name_key);
  dpugw_str_set_init (&cache->by_pf, pf_index_key);
  cache->failures = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) failure_free);
  cache->max_entries = MAX (max_entries, 1);
  cache->max_failures = MAX (max_failures, 1);
  cache->failure_ttl = failure_ttl_usec;
  return cache;
}

/* Frees every entry, alias and PF index; the sets are left empty. */
static void
clear_entries (DpugwCache *cache)
{
  guint pos = 0;
  gpointer item;

  while ((item = dpugw_str_set_next (&cache->by_name, &pos)) != NULL)
    if (dpugw_str_set_is_tagged (item))
      g_free (as_alias (item));
  pos = 0;
  while ((item = dpugw_str_set_next (&cache->by_vf, &pos)) != NULL)
    {
      Entry *entry = item;
      choice_unref (entry->choice);
      if (entry->flags & IS_SF)
        g_free (entry->fn.sf);
    }
  pos = 0;
  while ((item = dpugw_str_set_next (&cache->by_pf, &pos)) != NULL)
    pf_index_free (item);
  dpugw_str_set_clear (&cache->by_name);
  dpugw_str_set_clear (&cache->by_vf);
  dpugw_str_set_clear (&cache->by_pf);
  dpugw_slab_clear (&cache->entries);
}

void
dpugw_cache_free (DpugwCache *cache)
{
  if (cache == NULL)
    return;
  clear_entries (cache);
  g_hash_table_unref (cache->failures);
  g_free (cache);
}

const DpugwResolution *
dpugw_cache_lookup_vf (DpugwCache *cache, const char *vf_pci, DpugwResolution *view)
{
  const Entry *entry = dpugw_str_set_lookup (&cache->by_vf, vf_pci);
  return entry != NULL ? entry_view (entry, view) : NULL;
}

const DpugwResolution *
dpugw_cache_lookup_name (DpugwCache *cache, const char *netdev, DpugwResolution *view)
{
  gpointer item = dpugw_str_set_lookup (&cache->by_name, netdev);
  return item != NULL ? entry_view (entry_of_name (item), view) : NULL;
}

/* Puts @item in by_name, letting go of what it takes the place of. */
static void
name_replace (DpugwCache *cache, gpointer item)
{
  gpointer old = dpugw_str_set_replace (&cache->by_name, item);

  if (old != NULL && dpugw_str_set_is_tagged (old))
    {
      as_alias (old)->entry->n_aliases--;
      g_free (as_alias (old));
    }
}

static void
name_add_alias (DpugwCache *cache, const char *name, Entry *entry)
{
  gsize len = strlen (name);
  Alias *alias;

  /* Never so many: a name leads to an entry only if it was one of its function's netdevs. */
  if (entry->n_aliases == G_MAXUINT16)
    return;
  alias = g_malloc (sizeof (Alias) + len + 1);
  alias->entry = entry;
  memcpy (alias->name, name, len + 1);
  entry->n_aliases++;
  name_replace (cache, dpugw_str_set_tag (alias));
}

/* The names that lead to @entry now lead to @to, or (@to NULL) go. */
static void
names_move (DpugwCache *cache, Entry *entry, Entry *to)
{
  const char *own = entry_mgmt_port (entry);

  if (entry->n_aliases > 0)
    {
      g_autoptr(GPtrArray) gone = g_ptr_array_new ();
      guint pos = 0;
      gpointer item;

      while ((item = dpugw_str_set_next (&cache->by_name, &pos)) != NULL)
        if (dpugw_str_set_is_tagged (item) && as_alias (item)->entry == entry)
          {
            if (to != NULL && to->n_aliases < G_MAXUINT16)
              {
                as_alias (item)->entry = to;
                to->n_aliases++;
              }
            else
              g_ptr_array_add (gone, item);
          }
      for (guint i = 0; i < gone->len; i++)
        {
          Alias *alias = as_alias (g_ptr_array_index (gone, i));
          dpugw_str_set_steal (&cache->by_name, alias->name);
          g_free (alias);
        }
      entry->n_aliases = 0;
    }

  if (own != NULL && *own != '\0' && dpugw_str_set_lookup (&cache->by_name, own) == entry)
    {
      /* The entry's own name, unless a newer answer took it. */
      if (to == NULL)
        dpugw_str_set_steal (&cache->by_name, own);
      else if (g_strcmp0 (entry_mgmt_port (to), own) == 0)
        dpugw_str_set_replace (&cache->by_name, to);
      else
        name_add_alias (cache, own, to);
    }
}

static PfIndex *
pf_index_ensure (DpugwCache *cache, const char *pf_pci)
{
  PfIndex *index = dpugw_str_set_lookup (&cache->by_pf, pf_pci);

  if (index == NULL)
    {
      index = g_new0 (PfIndex, 1);
      index->pf_pci = g_strdup (pf_pci);
      index->entries = g_ptr_array_new ();
      dpugw_str_set_replace (&cache->by_pf, index);
    }
  return index;
}

/* Before @entry is freed: its PF forgets it, and goes with its last entry. */
static void
pf_index_remove (DpugwCache *cache, Entry *entry)
{
  PfIndex *index = dpugw_str_set_lookup (&cache->by_pf, pf_key (entry->choice->pf_pci));

  if (index == NULL || !g_ptr_array_remove_fast (index->entries, entry))
    return;
  if (index->entries->len == 0)
    {
      dpugw_str_set_steal (&cache->by_pf, index->pf_pci);
      pf_index_free (index);
    }
}

/* Takes @entry out of the cache and frees it; its names lead to @to, or go. */
static void
entry_remove (DpugwCache *cache, Entry *entry, Entry *to)
{
  names_move (cache, entry, to);
  pf_index_remove (cache, entry);
  dpugw_str_set_steal (&cache->by_vf, entry_function (entry));
  entry_free (cache, entry);
}

void
dpugw_cache_remove_vf (DpugwCache *cache, const char *vf_pci)
{
  Entry *entry = dpugw_str_set_lookup (&cache->by_vf, vf_pci);

  if (entry != NULL)
    entry_remove (cache, entry, NULL);
}

void
dpugw_cache_store (DpugwCache *cache, const char *requested_name, DpugwResolution *resolution)
{
  g_autoptr(DpugwResolution) r = resolution;
  const char *function = r != NULL ? dpugw_resolution_function (r) : NULL;
  const char *own;
  Entry *entry, *old;
  PfIndex *index;

  g_return_if_fail (function != NULL && *function != '\0');
  entry = entry_new (cache, r);
  if (entry == NULL)
    return;

  old = dpugw_str_set_lookup (&cache->by_vf, function);
  if (old == NULL && dpugw_str_set_size (&cache->by_vf) >= cache->max_entries)
    /* Full: the hardware holds more VFs than the bound.  Evict any one. */
    entry_remove (cache, dpugw_str_set_any (&cache->by_vf), NULL);

  index = pf_index_ensure (cache, pf_key (r->pf_pci));
  if (index->latest == NULL || !choice_matches (index->latest, r))
    {
      choice_unref (index->latest);
      index->latest = choice_new (r);
    }
  entry->choice = choice_ref (index->latest);
  g_ptr_array_add (index->entries, entry);

  /* The old entry's names lead to the new one, which takes its place. */
  if (old != NULL)
    entry_remove (cache, old, entry);
  dpugw_str_set_replace (&cache->by_vf, entry);
  own = entry_mgmt_port (entry);
  if (own != NULL && *own != '\0')
    name_replace (cache, entry);
  if (requested_name != NULL && *requested_name != '\0' && g_strcmp0 (requested_name, own) != 0)
    name_add_alias (cache, requested_name, entry);
}

void
dpugw_cache_update_pf (DpugwCache *cache, const char *pf_pci, DpugwResolution *pf_resolution)
{
  g_autoptr(DpugwResolution) r = pf_resolution;
  PfIndex *index = dpugw_str_set_lookup (&cache->by_pf, pf_key (pf_pci));

  if (index == NULL)
    return;
  if (r == NULL)
    {
      /* The index goes with the last of its entries. */
      g_autoptr(GPtrArray) entries = g_ptr_array_copy (index->entries, NULL, NULL);
      for (guint i = 0; i < entries->len; i++)
        entry_remove (cache, g_ptr_array_index (entries, i), NULL);
      return;
    }
  g_return_if_fail (g_strcmp0 (r->pf_pci, pf_pci) == 0);
  choice_unref (index->latest);
  index->latest = choice_new (r);
  for (guint i = 0; i < index->entries->len; i++)
    {
      Entry *entry = g_ptr_array_index (index->entries, i);
      choice_unref (entry->choice);
      entry->choice = choice_ref (index->latest);
    }
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
  gpointer item = dpugw_str_set_lookup (&cache->by_name, netdev);
  return item != NULL ? entry_function (entry_of_name (item)) : NULL;
}

void
dpugw_cache_forget_name (DpugwCache *cache, const char *netdev)
{
  gpointer item = dpugw_str_set_steal (&cache->by_name, netdev);

  /* An entry whose own name this was stays, found by its function. */
  if (item != NULL && dpugw_str_set_is_tagged (item))
    {
      as_alias (item)->entry->n_aliases--;
      g_free (as_alias (item));
    }
}

GStrv
dpugw_cache_dup_vfs_of_pf (DpugwCache *cache, const char *pf_pci)
{
  PfIndex *index = dpugw_str_set_lookup (&cache->by_pf, pf_key (pf_pci));
  guint n = index != NULL ? index->entries->len : 0;
  GStrv out = g_new0 (char *, n + 1);

  for (guint i = 0; i < n; i++)
    out[i] = g_strdup (entry_function (g_ptr_array_index (index->entries, i)));
  return out;
}

void
dpugw_cache_clear_failures (DpugwCache *cache)
{
  g_hash_table_remove_all (cache->failures);
}

void
dpugw_cache_clear (DpugwCache *cache)
{
  clear_entries (cache);
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
  GStrv copy = g_new0 (char *, dpugw_str_set_size (&cache->by_vf) + 1);
  guint pos = 0, n = 0;
  gpointer entry;

  while ((entry = dpugw_str_set_next (&cache->by_vf, &pos)) != NULL)
    copy[n++] = g_strdup (entry_function (entry));
  qsort (copy, n, sizeof (char *), compare_strings);
  return copy;
}

guint
dpugw_cache_n_entries (DpugwCache *cache)
{
  return dpugw_str_set_size (&cache->by_vf);
}

guint
dpugw_cache_n_names (DpugwCache *cache)
{
  return dpugw_str_set_size (&cache->by_name);
}

guint
dpugw_cache_n_failures (DpugwCache *cache)
{
  return g_hash_table_size (cache->failures);
}
