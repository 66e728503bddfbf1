/* SPDX-License-Identifier: Apache-2.0
 *
 * DpugwStrSet against a GHashTable: random insertions, replacements and removals, so that
 * removals shift back runs that wrap around the end of the slots and cross other items' homes.
 */
#include "str-set.h"

#include <string.h>

typedef struct {
  char key[16];
  guint serial;
} Item;

static const char *
item_key (gconstpointer item)
{
  return ((const Item *) item)->key;
}

static void
check (const DpugwStrSet *set, GHashTable *model, guint universe)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (g_direct_hash, g_direct_equal);
  guint pos = 0;
  Item *item;

  g_assert_cmpuint (dpugw_str_set_size (set), ==, g_hash_table_size (model));
  for (guint n = 0; n < universe; n++)
    {
      g_autofree char *key = g_strdup_printf ("k%u", n);
      g_assert_true (dpugw_str_set_lookup (set, key) == g_hash_table_lookup (model, key));
    }
  /* Iteration gives each item once. */
  while ((item = dpugw_str_set_next (set, &pos)) != NULL)
    {
      g_assert_true (g_hash_table_lookup (model, item->key) == item);
      g_assert_true (g_hash_table_add (seen, item));
    }
  g_assert_cmpuint (g_hash_table_size (seen), ==, g_hash_table_size (model));
}

static void
run_model (guint universe, guint steps, guint32 seed)
{
  g_autoptr(GHashTable) model = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  GRand *rand = g_rand_new_with_seed (seed);
  DpugwStrSet set;

  dpugw_str_set_init (&set, item_key);
  g_assert_null (dpugw_str_set_any (&set));
  g_assert_null (dpugw_str_set_lookup (&set, "k0"));
  g_assert_null (dpugw_str_set_steal (&set, "k0"));
  for (guint step = 0; step < steps; step++)
    {
      guint n = g_rand_int_range (rand, 0, universe);
      g_autofree char *key = g_strdup_printf ("k%u", n);
      Item *in_model = g_hash_table_lookup (model, key);

      /* Grow for the first half, shrink for the second, so both resizes run. */
      if (g_rand_int_range (rand, 0, 100) < (step < steps / 2 ? 30 : 70))
        {
          Item *stolen = dpugw_str_set_steal (&set, key);
          g_assert_true (stolen == in_model);
          g_hash_table_remove (model, key); /* frees it */
        }
      else
        {
          Item *item = g_new0 (Item, 1);
          Item *old;

          g_strlcpy (item->key, key, sizeof item->key);
          item->serial = step;
          old = dpugw_str_set_replace (&set, item);
          g_assert_true (old == in_model);
          g_hash_table_replace (model, item->key, item); /* frees the old one */
        }
      if (step % 997 == 0)
        check (&set, model, universe);
    }
  check (&set, model, universe);
  if (g_hash_table_size (model) > 0)
    g_assert_nonnull (dpugw_str_set_any (&set));
  dpugw_str_set_clear (&set);
  g_assert_cmpuint (dpugw_str_set_size (&set), ==, 0);
  g_assert_null (dpugw_str_set_lookup (&set, "k1"));
  g_rand_free (rand);
}

static void
test_small (void)
{
  for (guint32 seed = 1; seed <= 50; seed++)
    run_model (12, 400, seed);
}

static void
test_large (void)
{
  run_model (5000, 60000, 42);
}

/* 4,096 items take 8,192 slots: 64 KiB, where a GHashTable takes 160. */
static void
test_load (void)
{
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_free);
  DpugwStrSet set;

  dpugw_str_set_init (&set, item_key);
  for (guint n = 0; n < 4096; n++)
    {
      Item *item = g_new0 (Item, 1);
      g_snprintf (item->key, sizeof item->key, "0000:%02x:%02x.%u", n / 256, (n / 8) % 32, n % 8);
      g_assert_null (dpugw_str_set_replace (&set, item));
      g_ptr_array_add (items, item);
    }
  g_assert_cmpuint (1u << set.bits, ==, 8192);
  for (guint n = 0; n < 4096; n++)
    {
      Item *item = g_ptr_array_index (items, n);
      g_assert_true (dpugw_str_set_lookup (&set, item->key) == item);
    }
  /* Emptied, it lets its slots go. */
  for (guint n = 0; n < 4096; n++)
    g_assert_nonnull (dpugw_str_set_steal (&set, ((Item *) g_ptr_array_index (items, n))->key));
  g_assert_null (set.slots);
  dpugw_str_set_clear (&set);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/str-set/small", test_small);
  g_test_add_func ("/str-set/large", test_large);
  g_test_add_func ("/str-set/load", test_load);
  return g_test_run ();
}
