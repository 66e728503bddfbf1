/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/*
 * A set of items found by a string each of them carries (a PCI address, a netdev name), in one
 * array of pointers: 8 bytes a slot, at most three slots in four used, where a GHashTable holds
 * a key, a value and a hash per slot.  Open addressing with linear probing; a removal shifts
 * the following items back, so there are no tombstones.  The set neither copies nor frees its
 * items; an item's key must not change while it is in the set.  Not thread-safe.
 */
typedef const char *(*DpugwStrSetKeyFunc) (gconstpointer item);

typedef struct {
  gpointer *slots;   /* NULL until the first item */
  guint n_items;
  guint8 bits;       /* log2 of the slots */
  DpugwStrSetKeyFunc key;
} DpugwStrSet;

void dpugw_str_set_init (DpugwStrSet *set, DpugwStrSetKeyFunc key);
/* Empties the set and frees its slots (not its items). */
void dpugw_str_set_clear (DpugwStrSet *set);

gpointer dpugw_str_set_lookup (const DpugwStrSet *set, const char *key);
/* Puts @item (non-NULL) in; returns the item of the same key it took the place of, or NULL. */
gpointer dpugw_str_set_replace (DpugwStrSet *set, gpointer item);
/* Takes the item of @key out; returns it, or NULL. */
gpointer dpugw_str_set_steal (DpugwStrSet *set, const char *key);

static inline guint
dpugw_str_set_size (const DpugwStrSet *set)
{
  return set->n_items;
}

/*
 * The items, in no order: `guint pos = 0; while ((item = dpugw_str_set_next (set, &pos)))`.
 * The set must not change meanwhile.
 */
gpointer dpugw_str_set_next (const DpugwStrSet *set, guint *pos);

/* Any one item, or NULL when empty. */
gpointer dpugw_str_set_any (const DpugwStrSet *set);

/*
 * Items of two kinds in one set: those of the second kind are put in tagged (bit 0 set; both
 * kinds at least 2-byte aligned), for the key function to tell them apart.
 */
static inline gpointer
dpugw_str_set_tag (gconstpointer item)
{
  return (gpointer) ((guintptr) item | 1);
}

static inline gboolean
dpugw_str_set_is_tagged (gconstpointer item)
{
  return ((guintptr) item & 1) != 0;
}

static inline gpointer
dpugw_str_set_untag (gconstpointer item)
{
  return (gpointer) ((guintptr) item & ~(guintptr) 1);
}

G_END_DECLS
