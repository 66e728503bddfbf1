/* SPDX-License-Identifier: Apache-2.0
 *
 * The daemon's cache: VF-keyed entries with a name index, expiring and bounded failures.
 */
#include "cache.h"

static DpugwResolution *
resolution_of_pf (const char *mgmt_port, const char *vf_pci, const char *pf_pci, const char *interface)
{
  DpugwResolution *r = g_new0 (DpugwResolution, 1);

  r->mgmt_port = g_strdup (mgmt_port);
  r->vf_pci = g_strdup (vf_pci);
  r->pf_pci = g_strdup (pf_pci);
  r->interface = g_strdup (interface);
  r->candidates = g_new0 (char *, 2);
  r->candidates[0] = g_strdup (interface);
  r->function_type = g_strdup ("vf");
  return r;
}

static DpugwCacheEntry *
resolution (const char *mgmt_port, const char *vf_pci, const char *interface)
{
  return dpugw_cache_entry_new (resolution_of_pf (mgmt_port, vf_pci, "0000:01:00.0", interface));
}

/* A PF's choice of @interface. */
static DpugwChoice *
choice_of (const char *pf_pci, const char *interface)
{
  g_autoptr(DpugwResolution) r = resolution_of_pf ("", "", pf_pci, interface);
  return dpugw_choice_new_take (r);
}

static void
store (DpugwCache *cache, const char *requested_name, DpugwCacheEntry *entry)
{
  dpugw_cache_put (cache, requested_name, entry);
}

static void
test_store_lookup (void)
{
  g_autoptr(DpugwCache) cache = dpugw_cache_new (16, 16, G_USEC_PER_SEC);
  const DpugwCacheEntry *r;

  store (cache, NULL, resolution ("pf0vf0", "0000:01:02.3", "eth0"));
  r = dpugw_cache_lookup (cache, "0000:01:02.3");
  g_assert_nonnull (r);
  g_assert_cmpstr (r->choice->interface, ==, "eth0");
  g_assert_cmpstr (dpugw_cache_entry_vf_pci (r), ==, "0000:01:02.3");
  g_assert_false (dpugw_cache_entry_is_sf (r));
  /* The name leads to the same entry. */
  g_assert_true (dpugw_cache_lookup_name (cache, "pf0vf0") == r);
  g_assert_null (dpugw_cache_lookup_name (cache, "pf0vf1"));
  g_assert_null (dpugw_cache_lookup (cache, "0000:01:02.4"));
}

/* The VF renamed: the entry stays under its PCI address, both names lead to it. */
static void
test_rename_keeps_entry (void)
{
  g_autoptr(DpugwCache) cache = dpugw_cache_new (16, 16, G_USEC_PER_SEC);

  store (cache, "pf0vf0", resolution ("pf0vf0", "0000:01:02.3", "eth0"));
  store (cache, NULL, resolution ("ovn-k8s-mp0", "0000:01:02.3", "eth0"));
  g_assert_cmpuint (dpugw_cache_n_entries (cache), ==, 1);
  g_assert_cmpuint (dpugw_cache_n_names (cache), ==, 2);
  g_assert_cmpstr (dpugw_cache_lookup_name (cache, "ovn-k8s-mp0")->mgmt_port, ==, "ovn-k8s-mp0");
  g_assert_cmpstr (dpugw_cache_lookup_name (cache, "pf0vf0")->function, ==, "0000:01:02.3");

  dpugw_cache_remove (cache, "0000:01:02.3");
  g_assert_cmpuint (dpugw_cache_n_entries (cache), ==, 0);
  g_assert_cmpuint (dpugw_cache_n_names (cache), ==, 0);
}

static void
test_bounded_entries (void)
{
  g_autoptr(DpugwCache) cache = dpugw_cache_new (4, 16, G_USEC_PER_SEC);

  for (guint i = 0; i < 100; i++)
    {
      g_autofree char *vf = g_strdup_printf ("0000:01:%02x.%u", i / 8, i % 8);
      g_autofree char *name = g_strdup_printf ("vf%u", i);
      store (cache, NULL, resolution (name, vf, "eth0"));
      g_assert_cmpuint (dpugw_cache_n_entries (cache), <=, 4);
      /* Evicted entries take their names along. */
      g_assert_cmpuint (dpugw_cache_n_names (cache), <=, 4);
    }
}

static void
test_failures_expire (void)
{
  g_autoptr(DpugwCache) cache = dpugw_cache_new (16, 16, 10);
  g_autoptr(GError) error = g_error_new_literal (DPUGW_ERROR, DPUGW_ERROR_PCI_ADDRESS, "failed to get PCI address: x");
  const GError *found;

  dpugw_cache_store_failure (cache, "netdev:x", error, 1000);
  found = dpugw_cache_lookup_failure (cache, "netdev:x", 1005);
  g_assert_error ((GError *) found, DPUGW_ERROR, DPUGW_ERROR_PCI_ADDRESS);
  g_assert_cmpstr (found->message, ==, "failed to get PCI address: x");
  g_assert_null (dpugw_cache_lookup_failure (cache, "netdev:x", 1010));
  g_assert_cmpuint (dpugw_cache_n_failures (cache), ==, 0);
}

/* A hostile caller asking for a million names that do not exist cannot grow the cache. */
static void
test_bounded_failures (void)
{
  g_autoptr(DpugwCache) cache = dpugw_cache_new (16, 8, G_USEC_PER_SEC);
  g_autoptr(GError) error = g_error_new_literal (DPUGW_ERROR, DPUGW_ERROR_PCI_ADDRESS, "no");

  for (guint i = 0; i < 10000; i++)
    {
      g_autofree char *key = g_strdup_printf ("netdev:x%u", i);
      dpugw_cache_store_failure (cache, key, error, 0);
      g_assert_cmpuint (dpugw_cache_n_failures (cache), <=, 8);
    }
}

static void
test_list (void)
{
  g_autoptr(DpugwCache) cache = dpugw_cache_new (16, 16, G_USEC_PER_SEC);
  g_autoptr(GError) error = g_error_new_literal (DPUGW_ERROR, DPUGW_ERROR_PCI_ADDRESS, "no");
  g_auto(GStrv) vfs = NULL;

  store (cache, NULL, resolution ("b", "0000:01:02.4", "eth0"));
  store (cache, NULL, resolution ("a", "0000:01:02.3", "eth0"));
  dpugw_cache_store_failure (cache, "netdev:x", error, 0);
  vfs = dpugw_cache_dup_functions (cache);
  g_assert_cmpuint (g_strv_length (vfs), ==, 2);
  g_assert_cmpstr (vfs[0], ==, "0000:01:02.3");
  g_assert_cmpstr (vfs[1], ==, "0000:01:02.4");

  dpugw_cache_clear_failures (cache);
  g_assert_cmpuint (dpugw_cache_n_entries (cache), ==, 2);
  g_assert_cmpuint (dpugw_cache_n_failures (cache), ==, 0);
}

/* Entries of one PF that say the same of it share one copy: a switchdev PF's candidates are many. */
static void
test_pf_part_shared (void)
{
  g_autoptr(DpugwCache) cache = dpugw_cache_new (16, 16, G_USEC_PER_SEC);
  const DpugwCacheEntry *a, *b, *c;
  DpugwCacheEntry *other;

  store (cache, NULL, resolution ("pf0vf0", "0000:01:02.3", "eth0"));
  store (cache, NULL, resolution ("pf0vf1", "0000:01:02.4", "eth0"));
  a = dpugw_cache_lookup (cache, "0000:01:02.3");
  b = dpugw_cache_lookup (cache, "0000:01:02.4");
  g_assert_true (a->choice->candidates == b->choice->candidates);
  g_assert_true (a->choice->interface == b->choice->interface);
  g_assert_cmpstr (a->mgmt_port, ==, "pf0vf0");
  g_assert_cmpstr (b->mgmt_port, ==, "pf0vf1");

  /* Another answer for the same PF (its netdevs changed meanwhile) is kept apart. */
  other = resolution ("pf0vf2", "0000:01:02.5", "eth1");
  store (cache, NULL, other);
  c = dpugw_cache_lookup (cache, "0000:01:02.5");
  g_assert_cmpstr (c->choice->interface, ==, "eth1");
  g_assert_cmpstr (a->choice->interface, ==, "eth0");
  g_assert_true (c->choice->candidates != a->choice->candidates);

  /* The newest choice goes with its last entry; an equal one stored later is whole again. */
  dpugw_cache_remove (cache, "0000:01:02.5");
  store (cache, NULL, resolution ("pf0vf2", "0000:01:02.5", "eth1"));
  c = dpugw_cache_lookup (cache, "0000:01:02.5");
  g_assert_cmpstr (c->choice->interface, ==, "eth1");
  g_assert_cmpstr (c->choice->candidates[0], ==, "eth1");
  g_assert_cmpstr (dpugw_cache_lookup (cache, "0000:01:02.3")->choice->interface, ==, "eth0");
}

/* A PF's netdevs changed: all its entries take the new choice at once; none, and they go. */
static void
test_update_pf (void)
{
  g_autoptr(DpugwCache) cache = dpugw_cache_new (16, 16, G_USEC_PER_SEC);
  g_auto(GStrv) vfs = NULL;
  g_autoptr(DpugwChoice) choice = NULL;
  g_autoptr(DpugwChoice) unknown = NULL;

  store (cache, "pf0vf0", resolution ("pf0vf0", "0000:01:02.3", "eth0"));
  store (cache, NULL, resolution ("pf0vf1", "0000:01:02.4", "eth0"));
  /* Another PF's entry. */
  store (cache, NULL, dpugw_cache_entry_new (resolution_of_pf ("pf1vf0", "0000:02:02.3", "0000:02:00.0", "eth9")));

  choice = choice_of ("0000:01:00.0", "uplink0");
  dpugw_cache_set_choice (cache, "0000:01:00.0", choice);
  g_assert_cmpstr (dpugw_cache_lookup_name (cache, "pf0vf0")->choice->interface, ==, "uplink0");
  g_assert_cmpstr (dpugw_cache_lookup (cache, "0000:01:02.4")->choice->interface, ==, "uplink0");
  g_assert_cmpstr (dpugw_cache_lookup (cache, "0000:01:02.4")->choice->candidates[0], ==, "uplink0");
  g_assert_cmpstr (dpugw_cache_lookup (cache, "0000:01:02.4")->mgmt_port, ==, "pf0vf1");
  g_assert_true (dpugw_cache_lookup (cache, "0000:01:02.3")->choice->candidates ==
                 dpugw_cache_lookup (cache, "0000:01:02.4")->choice->candidates);

  vfs = dpugw_cache_dup_functions_of_pf (cache, "0000:01:00.0");
  g_assert_cmpuint (g_strv_length (vfs), ==, 2);

  dpugw_cache_set_choice (cache, "0000:01:00.0", NULL);
  g_assert_null (dpugw_cache_lookup (cache, "0000:01:02.3"));
  g_assert_null (dpugw_cache_lookup_name (cache, "pf0vf1"));
  g_assert_cmpuint (dpugw_cache_n_entries (cache), ==, 1);
  g_assert_cmpstr (dpugw_cache_lookup (cache, "0000:02:02.3")->choice->interface, ==, "eth9");
  /* A PF the cache does not know changes nothing. */
  unknown = choice_of ("0000:03:00.0", "x");
  dpugw_cache_set_choice (cache, "0000:03:00.0", unknown);
  g_assert_cmpuint (dpugw_cache_n_entries (cache), ==, 1);
}

/* A name asked for that is not the entry's own (the configured port, renamed) leads to it too,
 * follows it when it is stored again, and goes with it, or alone when forgotten. */
static void
test_names_asked_for (void)
{
  g_autoptr(DpugwCache) cache = dpugw_cache_new (16, 16, G_USEC_PER_SEC);

  store (cache, "pf0vf0", resolution ("ovn-k8s-mp0", "0000:01:02.3", "eth0"));
  store (cache, NULL, resolution ("pf0vf1", "0000:01:02.4", "eth0"));
  g_assert_cmpuint (dpugw_cache_n_names (cache), ==, 3);
  g_assert_cmpstr (dpugw_cache_function_of_name (cache, "pf0vf0"), ==, "0000:01:02.3");
  g_assert_cmpstr (dpugw_cache_lookup_name (cache, "pf0vf0")->mgmt_port, ==, "ovn-k8s-mp0");

  /* Stored again, with another gateway: both names lead to the new entry. */
  store (cache, NULL, resolution ("ovn-k8s-mp0", "0000:01:02.3", "eth1"));
  g_assert_cmpuint (dpugw_cache_n_entries (cache), ==, 2);
  g_assert_cmpuint (dpugw_cache_n_names (cache), ==, 3);
  g_assert_cmpstr (dpugw_cache_lookup_name (cache, "pf0vf0")->choice->interface, ==, "eth1");
  g_assert_cmpstr (dpugw_cache_lookup_name (cache, "ovn-k8s-mp0")->choice->interface, ==, "eth1");

  /* Another function takes the name: it leads there now, and the first entry keeps its own. */
  store (cache, "pf0vf0", resolution ("pf0vf0", "0000:01:02.5", "eth0"));
  g_assert_cmpstr (dpugw_cache_function_of_name (cache, "pf0vf0"), ==, "0000:01:02.5");
  g_assert_cmpstr (dpugw_cache_function_of_name (cache, "ovn-k8s-mp0"), ==, "0000:01:02.3");
  g_assert_cmpuint (dpugw_cache_n_names (cache), ==, 3);

  /* Forgetting a name leaves the entry, found by its function. */
  dpugw_cache_forget_name (cache, "ovn-k8s-mp0");
  g_assert_null (dpugw_cache_lookup_name (cache, "ovn-k8s-mp0"));
  g_assert_cmpstr (dpugw_cache_lookup (cache, "0000:01:02.3")->mgmt_port, ==, "ovn-k8s-mp0");
  g_assert_cmpuint (dpugw_cache_n_names (cache), ==, 2);

  /* The renamed VF's entry stored under its new name: the old one leads to it as well. */
  store (cache, "ovn-k8s-mp0", resolution ("ovn-k8s-mp0", "0000:01:02.4", "eth0"));
  g_assert_cmpstr (dpugw_cache_function_of_name (cache, "pf0vf1"), ==, "0000:01:02.4");
  g_assert_cmpstr (dpugw_cache_function_of_name (cache, "ovn-k8s-mp0"), ==, "0000:01:02.4");

  dpugw_cache_remove (cache, "0000:01:02.4");
  g_assert_null (dpugw_cache_function_of_name (cache, "pf0vf1"));
  g_assert_null (dpugw_cache_function_of_name (cache, "ovn-k8s-mp0"));
  dpugw_cache_remove (cache, "0000:01:02.5");
  dpugw_cache_remove (cache, "0000:01:02.3");
  g_assert_cmpuint (dpugw_cache_n_entries (cache), ==, 0);
  g_assert_cmpuint (dpugw_cache_n_names (cache), ==, 0);
}

/* After a reset only each entry's own name leads to it: names asked for are learnt again. */
static void
test_reset_names (void)
{
  g_autoptr(DpugwCache) cache = dpugw_cache_new (16, 16, G_USEC_PER_SEC);

  store (cache, "pf0vf0", resolution ("ovn-k8s-mp0", "0000:01:02.3", "eth0"));
  store (cache, "alias", resolution ("pf0vf1", "0000:01:02.4", "eth0"));
  g_assert_cmpuint (dpugw_cache_n_names (cache), ==, 4);
  dpugw_cache_reset_names (cache);
  g_assert_cmpuint (dpugw_cache_n_names (cache), ==, 2);
  g_assert_null (dpugw_cache_function_of_name (cache, "pf0vf0"));
  g_assert_null (dpugw_cache_function_of_name (cache, "alias"));
  g_assert_cmpstr (dpugw_cache_function_of_name (cache, "ovn-k8s-mp0"), ==, "0000:01:02.3");
  g_assert_cmpstr (dpugw_cache_function_of_name (cache, "pf0vf1"), ==, "0000:01:02.4");
}

/* A scalable function's entry is keyed by its auxiliary device and keeps every field. */
static void
test_scalable_function (void)
{
  g_autoptr(DpugwCache) cache = dpugw_cache_new (16, 16, G_USEC_PER_SEC);
  DpugwResolution *r = resolution_of_pf ("enp3s0f0s2", "", "0000:01:00.0", "eth0");
  const DpugwCacheEntry *got;

  r->sf = g_strdup ("mlx5_core.sf.2");
  g_free (r->function_type);
  r->function_type = g_strdup ("sf");
  r->selected_by = g_strdup ("first");
  r->hint = g_strdup ("advice");
  r->source = DPUGW_SOURCE_DEVICE_PLUGIN;
  store (cache, NULL, dpugw_cache_entry_new (r));
  got = dpugw_cache_lookup (cache, "mlx5_core.sf.2");
  g_assert_nonnull (got);
  g_assert_cmpstr (got->mgmt_port, ==, "enp3s0f0s2");
  g_assert_cmpstr (dpugw_cache_entry_vf_pci (got), ==, "");
  g_assert_true (dpugw_cache_entry_is_sf (got));
  g_assert_cmpstr (got->function, ==, "mlx5_core.sf.2");
  g_assert_cmpstr (got->choice->pf_pci, ==, "0000:01:00.0");
  g_assert_cmpstr (got->choice->selected_by, ==, "first");
  g_assert_cmpstr (got->choice->hint, ==, "advice");
  g_assert_null (got->choice->interfaces);
  g_assert_cmpstr (dpugw_cache_function_of_name (cache, "enp3s0f0s2"), ==, "mlx5_core.sf.2");
  g_assert_null (dpugw_cache_lookup (cache, ""));
}

/* Thousands of entries in and out, against a GHashTable of what should be there. */
static void
test_many (void)
{
  g_autoptr(DpugwCache) cache = dpugw_cache_new (4096, 16, G_USEC_PER_SEC);
  g_autoptr(GHashTable) model = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  GRand *rand = g_rand_new_with_seed (7);

  for (guint step = 0; step < 20000; step++)
    {
      guint n = g_rand_int_range (rand, 0, 3000);
      g_autofree char *vf = g_strdup_printf ("0000:%02x:%02x.%u", n / 256, (n / 8) % 32, n % 8);
      g_autofree char *name = g_strdup_printf ("vf%u", n);

      if (g_rand_int_range (rand, 0, 3) == 0)
        {
          dpugw_cache_remove (cache, vf);
          g_hash_table_remove (model, vf);
        }
      else
        {
          g_autofree char *gw = g_strdup_printf ("eth%u", g_rand_int_range (rand, 0, 4));
          store (cache, NULL, resolution (name, vf, gw));
          g_hash_table_replace (model, g_strdup (vf), g_steal_pointer (&gw));
        }
    }
  g_assert_cmpuint (dpugw_cache_n_entries (cache), ==, g_hash_table_size (model));
  g_assert_cmpuint (dpugw_cache_n_names (cache), ==, g_hash_table_size (model));
  for (guint n = 0; n < 3000; n++)
    {
      g_autofree char *vf = g_strdup_printf ("0000:%02x:%02x.%u", n / 256, (n / 8) % 32, n % 8);
      g_autofree char *name = g_strdup_printf ("vf%u", n);
      const char *gw = g_hash_table_lookup (model, vf);
      const DpugwCacheEntry *got = dpugw_cache_lookup_name (cache, name);

      if (gw == NULL)
        g_assert_null (got);
      else
        {
          g_assert_nonnull (got);
          g_assert_cmpstr (got->function, ==, vf);
          g_assert_cmpstr (got->choice->interface, ==, gw);
        }
    }
  g_rand_free (rand);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/cache/store-lookup", test_store_lookup);
  g_test_add_func ("/cache/rename-keeps-entry", test_rename_keeps_entry);
  g_test_add_func ("/cache/bounded-entries", test_bounded_entries);
  g_test_add_func ("/cache/failures-expire", test_failures_expire);
  g_test_add_func ("/cache/bounded-failures", test_bounded_failures);
  g_test_add_func ("/cache/list", test_list);
  g_test_add_func ("/cache/pf-part-shared", test_pf_part_shared);
  g_test_add_func ("/cache/update-pf", test_update_pf);
  g_test_add_func ("/cache/names-asked-for", test_names_asked_for);
  g_test_add_func ("/cache/reset-names", test_reset_names);
  g_test_add_func ("/cache/scalable-function", test_scalable_function);
  g_test_add_func ("/cache/many", test_many);
  return g_test_run ();
}
