/* SPDX-License-Identifier: Apache-2.0 */
#include "str-set.h"

#include <string.h>

#define MIN_BITS 3

static inline guint
capacity (const DpugwStrSet *set)
{
  return set->slots != NULL ? 1u << set->bits : 0;
}

/* Fibonacci hashing of GLib's string hash: the top bits, well mixed, pick the slot. */
static inline guint
home (const char *key, guint8 bits)
{
  return (guint) (((guint32) g_str_hash (key) * 2654435769u) >> (32 - bits));
}

void
dpugw_str_set_init (DpugwStrSet *set, DpugwStrSetKeyFunc key)
{
  memset (set, 0, sizeof *set);
  set->key = key;
}

void
dpugw_str_set_clear (DpugwStrSet *set)
{
  g_clear_pointer (&set->slots, g_free);
  set->n_items = 0;
  set->bits = 0;
}

/* The slot holding @key, or the empty slot where it would go. */
static guint
probe (const DpugwStrSet *set, const char *key)
{
  guint mask = capacity (set) - 1;
  guint i = home (key, set->bits);

  while (set->slots[i] != NULL && strcmp (set->key (set->slots[i]), key) != 0)
    i = (i + 1) & mask;
  return i;
}

static void
resize (DpugwStrSet *set, guint8 bits)
{
  gpointer *old = set->slots;
  guint old_capacity = capacity (set);

  set->bits = bits;
  set->slots = g_new0 (gpointer, 1u << bits);
  for (guint i = 0; i < old_capacity; i++)
    if (old[i] != NULL)
      set->slots[probe (set, set->key (old[i]))] = old[i];
  g_free (old);
}

gpointer
dpugw_str_set_lookup (const DpugwStrSet *set, const char *key)
{
  if (set->n_items == 0)
    return NULL;
  return set->slots[probe (set, key)];
}

gpointer
dpugw_str_set_replace (DpugwStrSet *set, gpointer item)
{
  gpointer old;
  guint i;

  g_return_val_if_fail (item != NULL, NULL);
  /* At most three slots in four used: probes stay short. */
  if ((set->n_items + 1) * 4 > capacity (set) * 3)
    resize (set, set->slots != NULL ? set->bits + 1 : MIN_BITS);
  i = probe (set, set->key (item));
  old = set->slots[i];
  set->slots[i] = item;
  if (old == NULL)
    set->n_items++;
  return old;
}

gpointer
dpugw_str_set_steal (DpugwStrSet *set, const char *key)
{
  guint mask, i, j;
  gpointer item;

  if (set->n_items == 0)
    return NULL;
  mask = capacity (set) - 1;
  i = probe (set, key);
  item = set->slots[i];
  if (item == NULL)
    return NULL;

  /* Shift back the items after it that probing would no longer reach (Knuth, Algorithm R). */
  set->slots[i] = NULL;
  for (j = (i + 1) & mask; set->slots[j] != NULL; j = (j + 1) & mask)
    {
      guint k = home (set->key (set->slots[j]), set->bits);

      /* Does the item at j belong cyclically in (i, j]?  Then it stays. */
      if (i <= j ? (i < k && k <= j) : (i < k || k <= j))
        continue;
      set->slots[i] = set->slots[j];
      set->slots[j] = NULL;
      i = j;
    }
  set->n_items--;

  if (set->n_items == 0)
    dpugw_str_set_clear (set);
  else if (set->bits > MIN_BITS && set->n_items * 8 < capacity (set))
    resize (set, set->bits - 1);
  return item;
}

gpointer
dpugw_str_set_next (const DpugwStrSet *set, guint *pos)
{
  guint n = capacity (set);

  while (*pos < n)
    {
      gpointer item = set->slots[(*pos)++];
      if (item != NULL)
        return item;
    }
  return NULL;
}

gpointer
dpugw_str_set_any (const DpugwStrSet *set)
{
  guint pos = 0;

  return dpugw_str_set_next (set, &pos);
}
