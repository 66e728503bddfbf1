/* SPDX-License-Identifier: Apache-2.0
 *
 * The daemon's topology state: GetTopology's variant says what the scans said, names lead to
 * their functions, and the updates change exactly what they say.
 */
#include "topology-state.h"

#include <string.h>

/* A PF at 0000:0B:00.F with @n_vfs VFs at 0000:0B:01.N, named pfBvfN (VF 1 has two netdevs, VF 2
 * none); its own netdevs are @netdevs. */
static DpugwPf *
make_pf (guint bus, guint fn, guint n_vfs, const char * const *netdevs)
{
  DpugwPf *pf = g_new0 (DpugwPf, 1);

  pf->pci = g_strdup_printf ("0000:%02x:00.%u", bus, fn);
  pf->netdevs = g_strdupv ((char **) netdevs);
  pf->driver = g_strdup ("mlx5_core");
  pf->total_vfs = 8;
  pf->num_vfs = n_vfs;
  pf->switch_id = fn == 1 ? g_strdup ("abcdef") : NULL;
  pf->vfs = g_ptr_array_new_with_free_func ((GDestroyNotify) dpugw_vf_free);
  for (guint i = 0; i < n_vfs; i++)
    {
      DpugwVf *vf = g_new0 (DpugwVf, 1);

      vf->index = i;
      vf->pci = g_strdup_printf ("0000:%02x:01.%u", bus, i);
      if (i == 1)
        {
          vf->netdevs = g_new0 (char *, 3);
          vf->netdevs[0] = g_strdup_printf ("pf%xvf%ua", bus, i);
          vf->netdevs[1] = g_strdup_printf ("pf%xvf%ub", bus, i);
        }
      else if (i == 2)
        vf->netdevs = g_new0 (char *, 1);
      else
        {
          vf->netdevs = g_new0 (char *, 2);
          vf->netdevs[0] = g_strdup_printf ("pf%xvf%u", bus, i);
        }
      g_ptr_array_add (pf->vfs, vf);
    }
  return pf;
}

static DpugwTopologyState *
make_state (void)
{
  const char * const uplinks3[] = { "eth3", "rep0", "rep1", NULL };
  const char * const uplinks2[] = { "eth2", NULL };
  GPtrArray *pfs = g_ptr_array_new_with_free_func ((GDestroyNotify) dpugw_pf_free);

  g_ptr_array_add (pfs, make_pf (2, 0, 4, uplinks2));
  g_ptr_array_add (pfs, make_pf (3, 1, 3, uplinks3));
  return dpugw_topology_state_new (pfs);
}

static char *
netdevs_of (GVariant *dict)
{
  g_autofree const char **names = NULL;
  g_autoptr(GVariant) v = g_variant_lookup_value (dict, "netdevs", G_VARIANT_TYPE_STRING_ARRAY);

  g_assert_nonnull (v);
  names = g_variant_get_strv (v, NULL);
  return g_strjoinv (",", (char **) names);
}

static void
test_variant (void)
{
  g_autoptr(DpugwTopologyState) state = make_state ();
  GVariant *v = dpugw_topology_state_get_variant (state);
  g_autoptr(GVariant) pf = NULL;
  g_autoptr(GVariant) vfs = NULL;
  g_autofree char *pf_names = NULL;
  const char *s;
  guint32 u;

  g_assert_true (g_variant_is_of_type (v, G_VARIANT_TYPE ("aa{sv}")));
  g_assert_cmpuint (g_variant_n_children (v), ==, 2);
  pf = g_variant_get_child_value (v, 1);
  g_assert_true (g_variant_lookup (pf, "pci", "&s", &s));
  g_assert_cmpstr (s, ==, "0000:03:00.1");
  pf_names = netdevs_of (pf);
  g_assert_cmpstr (pf_names, ==, "eth3,rep0,rep1");
  g_assert_true (g_variant_lookup (pf, "driver", "&s", &s));
  g_assert_cmpstr (s, ==, "mlx5_core");
  g_assert_true (g_variant_lookup (pf, "total-vfs", "u", &u));
  g_assert_cmpuint (u, ==, 8);
  g_assert_true (g_variant_lookup (pf, "num-vfs", "u", &u));
  g_assert_cmpuint (u, ==, 3);
  g_assert_true (g_variant_lookup (pf, "switch-id", "&s", &s));
  g_assert_cmpstr (s, ==, "abcdef");
  vfs = g_variant_lookup_value (pf, "vfs", G_VARIANT_TYPE ("aa{sv}"));
  g_assert_cmpuint (g_variant_n_children (vfs), ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(GVariant) vf = g_variant_get_child_value (vfs, i);
      g_autofree char *names = netdevs_of (vf);
      const char *expected[] = { "pf3vf0", "pf3vf1a,pf3vf1b", "" };
      const char *pcis[] = { "0000:03:01.0", "0000:03:01.1", "0000:03:01.2" };

      g_assert_true (g_variant_lookup (vf, "index", "u", &u));
      g_assert_cmpuint (u, ==, i);
      g_assert_true (g_variant_lookup (vf, "pci", "&s", &s));
      g_assert_cmpstr (s, ==, pcis[i]);
      g_assert_cmpstr (names, ==, expected[i]);
    }
  /* No switch-id where the PF has none. */
  {
    g_autoptr(GVariant) pf0 = g_variant_get_child_value (v, 0);
    g_assert_false (g_variant_lookup (pf0, "switch-id", "&s", &s));
  }
  /* Kept until a change. */
  g_assert_true (dpugw_topology_state_get_variant (state) == v);
}

static void
test_names (void)
{
  g_autoptr(DpugwTopologyState) state = make_state ();
  gboolean is_pf = TRUE;

  g_assert_cmpstr (dpugw_topology_state_pci_of_netdev (state, "pf2vf3", &is_pf), ==, "0000:02:01.3");
  g_assert_false (is_pf);
  g_assert_cmpstr (dpugw_topology_state_pci_of_netdev (state, "pf3vf1b", &is_pf), ==, "0000:03:01.1");
  g_assert_false (is_pf);
  g_assert_cmpstr (dpugw_topology_state_pci_of_netdev (state, "rep1", &is_pf), ==, "0000:03:00.1");
  g_assert_true (is_pf);
  g_assert_cmpstr (dpugw_topology_state_pci_of_netdev (state, "eth2", NULL), ==, "0000:02:00.0");
  g_assert_null (dpugw_topology_state_pci_of_netdev (state, "eth9", &is_pf));
  g_assert_false (is_pf);
}

static void
test_updates (void)
{
  g_autoptr(DpugwTopologyState) state = make_state ();
  g_autoptr(DpugwTopologyState) same = make_state ();
  char *renamed[] = { "mgmt0", NULL };
  char *two[] = { "x0", "x1", NULL };
  char *uplinks[] = { "eth3", "rep1", NULL };
  GVariant *before;

  g_assert_true (g_variant_equal (dpugw_topology_state_get_variant (state), dpugw_topology_state_get_variant (same)));

  /* A VF renamed: the new name leads to it, the old one nowhere. */
  before = dpugw_topology_state_get_variant (state);
  g_assert_nonnull (before);
  g_assert_true (dpugw_topology_state_set_vf_netdevs (state, "0000:02:01.0", renamed));
  g_assert_false (dpugw_topology_state_set_vf_netdevs (state, "0000:02:01.0", renamed));
  g_assert_cmpstr (dpugw_topology_state_pci_of_netdev (state, "mgmt0", NULL), ==, "0000:02:01.0");
  g_assert_null (dpugw_topology_state_pci_of_netdev (state, "pf2vf0", NULL));
  g_assert_false (g_variant_equal (dpugw_topology_state_get_variant (state), dpugw_topology_state_get_variant (same)));
  /* Several netdevs, then none. */
  g_assert_true (dpugw_topology_state_set_vf_netdevs (state, "0000:02:01.0", two));
  g_assert_cmpstr (dpugw_topology_state_pci_of_netdev (state, "x1", NULL), ==, "0000:02:01.0");
  g_assert_null (dpugw_topology_state_pci_of_netdev (state, "mgmt0", NULL));
  g_assert_true (dpugw_topology_state_set_vf_netdevs (state, "0000:02:01.0", NULL));
  g_assert_null (dpugw_topology_state_pci_of_netdev (state, "x0", NULL));
  g_assert_false (dpugw_topology_state_set_vf_netdevs (state, "0000:09:01.0", two));

  /* A representor gone from a PF. */
  g_assert_true (dpugw_topology_state_set_pf_netdevs (state, "0000:03:00.1", uplinks));
  g_assert_false (dpugw_topology_state_set_pf_netdevs (state, "0000:03:00.1", uplinks));
  g_assert_null (dpugw_topology_state_pci_of_netdev (state, "rep0", NULL));
  g_assert_cmpstr (dpugw_topology_state_pci_of_netdev (state, "rep1", NULL), ==, "0000:03:00.1");
  g_assert_false (dpugw_topology_state_set_pf_netdevs (state, "0000:09:00.0", uplinks));
  {
    GVariant *v = dpugw_topology_state_get_variant (state);
    g_autoptr(GVariant) pf = g_variant_get_child_value (v, 1);
    g_autofree char *names = netdevs_of (pf);
    g_assert_cmpstr (names, ==, "eth3,rep1");
  }

  /* A PF rescanned as it was is no change; with another VF count it is, and its old names go. */
  {
    const char * const uplinks2[] = { "eth2", NULL };
    g_assert_false (dpugw_topology_state_replace_pf (same, make_pf (2, 0, 4, uplinks2)));
    g_assert_true (dpugw_topology_state_replace_pf (same, make_pf (2, 0, 2, uplinks2)));
    g_assert_null (dpugw_topology_state_pci_of_netdev (same, "pf2vf3", NULL));
    g_assert_cmpstr (dpugw_topology_state_pci_of_netdev (same, "pf2vf0", NULL), ==, "0000:02:01.0");
    /* A new PF goes in its place by address. */
    g_assert_true (dpugw_topology_state_replace_pf (same, make_pf (1, 0, 1, uplinks2)));
    {
      GVariant *v = dpugw_topology_state_get_variant (same);
      g_autoptr(GVariant) first = g_variant_get_child_value (v, 0);
      const char *pci;
      g_assert_cmpuint (g_variant_n_children (v), ==, 3);
      g_assert_true (g_variant_lookup (first, "pci", "&s", &pci));
      g_assert_cmpstr (pci, ==, "0000:01:00.0");
    }
    /* Two PFs named eth2 (a moment between two reads of sysfs): the later by address has it. */
    g_assert_cmpstr (dpugw_topology_state_pci_of_netdev (same, "eth2", NULL), ==, "0000:02:00.0");
    /* A VF's name goes before a PF's. */
    {
      char *taken[] = { "eth2", NULL };
      gboolean is_pf = TRUE;
      g_assert_true (dpugw_topology_state_set_vf_netdevs (same, "0000:03:01.0", taken));
      g_assert_cmpstr (dpugw_topology_state_pci_of_netdev (same, "eth2", &is_pf), ==, "0000:03:01.0");
      g_assert_false (is_pf);
    }
  }
}

/* 8 PFs x 512 VFs: every VF found by its name, and the state equal to itself rebuilt. */
static void
test_large (void)
{
  g_autoptr(GPtrArray) a = g_ptr_array_new_with_free_func ((GDestroyNotify) dpugw_pf_free);
  g_autoptr(GPtrArray) b = g_ptr_array_new_with_free_func ((GDestroyNotify) dpugw_pf_free);
  g_autoptr(DpugwTopologyState) sa = NULL;
  g_autoptr(DpugwTopologyState) sb = NULL;

  for (guint p = 0; p < 8; p++)
    for (guint copy = 0; copy < 2; copy++)
      {
        DpugwPf *pf = g_new0 (DpugwPf, 1);

        pf->pci = g_strdup_printf ("0000:%02x:00.0", 0x10 + p);
        pf->netdevs = g_new0 (char *, 2);
        pf->netdevs[0] = g_strdup_printf ("p%u", p);
        pf->driver = g_strdup ("");
        pf->vfs = g_ptr_array_new_with_free_func ((GDestroyNotify) dpugw_vf_free);
        for (guint i = 0; i < 512; i++)
          {
            DpugwVf *vf = g_new0 (DpugwVf, 1);
            vf->index = i;
            vf->pci = g_strdup_printf ("0000:%02x:%02x.%u", 0x10 + p, 1 + i / 8, i % 8);
            vf->netdevs = g_new0 (char *, 2);
            vf->netdevs[0] = g_strdup_printf ("p%uv%u", p, i);
            g_ptr_array_add (pf->vfs, vf);
          }
        g_ptr_array_add (copy == 0 ? a : b, pf);
      }
  sa = dpugw_topology_state_new (g_steal_pointer (&a));
  sb = dpugw_topology_state_new (g_steal_pointer (&b));
  g_assert_true (g_variant_equal (dpugw_topology_state_get_variant (sa), dpugw_topology_state_get_variant (sb)));
  for (guint p = 0; p < 8; p++)
    for (guint i = 0; i < 512; i++)
      {
        g_autofree char *name = g_strdup_printf ("p%uv%u", p, i);
        g_autofree char *pci = g_strdup_printf ("0000:%02x:%02x.%u", 0x10 + p, 1 + i / 8, i % 8);
        g_assert_cmpstr (dpugw_topology_state_pci_of_netdev (sa, name, NULL), ==, pci);
      }
  g_assert_cmpuint (g_variant_n_children (dpugw_topology_state_get_variant (sa)), ==, 8);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/topology-state/variant", test_variant);
  g_test_add_func ("/topology-state/names", test_names);
  g_test_add_func ("/topology-state/updates", test_updates);
  g_test_add_func ("/topology-state/large", test_large);
  return g_test_run ();
}
