/* SPDX-License-Identifier: Apache-2.0
 *
 * The daemon's cache: VF-keyed entries with a name index, expiring and bounded failures.
 */
#include "cache.h"

static DpugwResolution *
resolution (const char *mgmt_port, const char *vf_pci, const char *interface)
{
  DpugwResolution *r = g_new0 (DpugwResolution, 1);

  r->mgmt_port = g_strdup (mgmt_port);
  r->vf_pci = g_strdup (vf_pci);
  r->pf_pci = g_strdup ("0000:01:00.0");
  r->interface = g_strdup (interface);
  r->candidates = g_new0 (char *, 2);
  r->candidates[0] = g_strdup (interface);
  return r;
}

static void
test_store_lookup (void)
{
  g_autoptr(DpugwCache) cache = dpugw_cache_new (16, 16, G_USEC_PER_SEC);
  const DpugwResolution *r;

  dpugw_cache_store (cache, NULL, resolution ("pf0vf0", "0000:01:02.3", "eth0"));
  r = dpugw_cache_lookup_vf (cache, "0000:01:02.3");
  g_assert_nonnull (r);
  g_assert_cmpstr (r->interface, ==, "eth0");
  g_assert_true (dpugw_cache_lookup_name (cache, "pf0vf0") == r);
  g_assert_null (dpugw_cache_lookup_name (cache, "pf0vf1"));
  g_assert_null (dpugw_cache_lookup_vf (cache, "0000:01:02.4"));
}

/* The VF renamed: the entry stays under its PCI address, both names lead to it. */
static void
test_rename_keeps_entry (void)
{
  g_autoptr(DpugwCache) cache = dpugw_cache_new (16, 16, G_USEC_PER_SEC);

  dpugw_cache_store (cache, "pf0vf0", resolution ("pf0vf0", "0000:01:02.3", "eth0"));
  dpugw_cache_store (cache, NULL, resolution ("ovn-k8s-mp0", "0000:01:02.3", "eth0"));
  g_assert_cmpuint (dpugw_cache_n_entries (cache), ==, 1);
  g_assert_cmpuint (dpugw_cache_n_names (cache), ==, 2);
  g_assert_cmpstr (dpugw_cache_lookup_name (cache, "ovn-k8s-mp0")->mgmt_port, ==, "ovn-k8s-mp0");
  g_assert_cmpstr (dpugw_cache_lookup_name (cache, "pf0vf0")->vf_pci, ==, "0000:01:02.3");

  dpugw_cache_remove_vf (cache, "0000:01:02.3");
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
      dpugw_cache_store (cache, NULL, resolution (name, vf, "eth0"));
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
test_clear_and_list (void)
{
  g_autoptr(DpugwCache) cache = dpugw_cache_new (16, 16, G_USEC_PER_SEC);
  g_autoptr(GError) error = g_error_new_literal (DPUGW_ERROR, DPUGW_ERROR_PCI_ADDRESS, "no");
  g_auto(GStrv) vfs = NULL;

  dpugw_cache_store (cache, NULL, resolution ("b", "0000:01:02.4", "eth0"));
  dpugw_cache_store (cache, NULL, resolution ("a", "0000:01:02.3", "eth0"));
  dpugw_cache_store_failure (cache, "netdev:x", error, 0);
  vfs = dpugw_cache_dup_vfs (cache);
  g_assert_cmpuint (g_strv_length (vfs), ==, 2);
  g_assert_cmpstr (vfs[0], ==, "0000:01:02.3");
  g_assert_cmpstr (vfs[1], ==, "0000:01:02.4");

  dpugw_cache_clear (cache);
  g_assert_cmpuint (dpugw_cache_n_entries (cache), ==, 0);
  g_assert_cmpuint (dpugw_cache_n_names (cache), ==, 0);
  g_assert_cmpuint (dpugw_cache_n_failures (cache), ==, 0);
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
  g_test_add_func ("/cache/clear-and-list", test_clear_and_list);
  return g_test_run ();
}
