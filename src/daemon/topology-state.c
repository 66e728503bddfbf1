/* SPDX-License-Identifier: Apache-2.0
 *
 * The daemon's SR-IOV topology, kept up to date piece by piece: a link event
 * changes one PF's or one VF's netdevs, not the whole machine.  Indexed by
 * PCI address and by netdev name; GetTopology's variant is built when asked.
 */
#define G_LOG_DOMAIN "dpugw-topology"

#include "topology-state.h"

#include "worker.h"

#include <string.h>

struct _DpugwTopologyState
{
  GPtrArray *pfs;        /* DpugwPf, sorted by PCI address */
  GHashTable *pf_by_pci; /* pci -> DpugwPf */
  GHashTable *vf_by_pci; /* pci -> DpugwVf */
  /* name -> pci, and the names that are PF netdevs.  Both borrow: the name from the netdevs array
   * of the function it maps to, the pci from that function; a function's names are unindexed
   * before its array or itself is freed. */
  GHashTable *netdevs;
  GHashTable *pf_names;
  GVariant *variant;     /* built on demand */
};

static void
index_names (DpugwTopologyState *self, char **names, const char *pci, gboolean is_pf)
{
  for (guint i = 0; names != NULL && names[i] != NULL; i++)
    {
      /* replace, not insert: the key must be this array's string from now on. */
      g_hash_table_replace (self->netdevs, names[i], (char *) pci);
      if (is_pf)
        g_hash_table_add (self->pf_names, names[i]);
      else
        g_hash_table_remove (self->pf_names, names[i]);
    }
}

static void
unindex_names (DpugwTopologyState *self, char **names, const char *pci)
{
  for (guint i = 0; names != NULL && names[i] != NULL; i++)
    if (g_strcmp0 (g_hash_table_lookup (self->netdevs, names[i]), pci) == 0)
      {
        g_hash_table_remove (self->pf_names, names[i]);
        g_hash_table_remove (self->netdevs, names[i]);
      }
}

static void
index_pf (DpugwTopologyState *self, DpugwPf *pf)
{
  g_hash_table_replace (self->pf_by_pci, pf->pci, pf);
  index_names (self, pf->netdevs, pf->pci, TRUE);
  for (guint j = 0; j < pf->vfs->len; j++)
    {
      DpugwVf *vf = g_ptr_array_index (pf->vfs, j);
      g_hash_table_replace (self->vf_by_pci, vf->pci, vf);
      index_names (self, vf->netdevs, vf->pci, FALSE);
    }
}

static void
unindex_pf (DpugwTopologyState *self, DpugwPf *pf)
{
  unindex_names (self, pf->netdevs, pf->pci);
  for (guint j = 0; j < pf->vfs->len; j++)
    {
      DpugwVf *vf = g_ptr_array_index (pf->vfs, j);
      unindex_names (self, vf->netdevs, vf->pci);
      g_hash_table_remove (self->vf_by_pci, vf->pci);
    }
  g_hash_table_remove (self->pf_by_pci, pf->pci);
}

DpugwTopologyState *
dpugw_topology_state_new (GPtrArray *pfs)
{
  DpugwTopologyState *self = g_new0 (DpugwTopologyState, 1);

  self->pfs = pfs;
  self->pf_by_pci = g_hash_table_new (g_str_hash, g_str_equal);
  self->vf_by_pci = g_hash_table_new (g_str_hash, g_str_equal);
  self->netdevs = g_hash_table_new (g_str_hash, g_str_equal);
  self->pf_names = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < pfs->len; i++)
    index_pf (self, g_ptr_array_index (pfs, i));
  return self;
}

void
dpugw_topology_state_free (DpugwTopologyState *self)
{
  if (self == NULL)
    return;
  g_hash_table_unref (self->pf_names);
  g_hash_table_unref (self->netdevs);
  g_hash_table_unref (self->vf_by_pci);
  g_hash_table_unref (self->pf_by_pci);
  g_ptr_array_unref (self->pfs);
  g_clear_pointer (&self->variant, g_variant_unref);
  g_free (self);
}

GVariant *
dpugw_topology_state_get_variant (DpugwTopologyState *self)
{
  if (self->variant == NULL)
    {
      self->variant = g_variant_ref_sink (dpugw_topology_to_variant (self->pfs));
      /* Serialised once: the tree form (a GVariant per value) is let go of. */
      g_variant_get_data (self->variant);
    }
  return self->variant;
}

void
dpugw_topology_state_drop_variant (DpugwTopologyState *self)
{
  g_clear_pointer (&self->variant, g_variant_unref);
}

static gboolean
strv_equal (char **a, char **b)
{
  return g_strv_equal ((const char * const *) a, (const char * const *) b);
}

/* What GetTopology shows of two PFs is the same. */
static gboolean
pf_equal (const DpugwPf *a, const DpugwPf *b)
{
  if (strcmp (a->pci, b->pci) != 0 || !strv_equal (a->netdevs, b->netdevs) || strcmp (a->driver, b->driver) != 0 ||
      a->total_vfs != b->total_vfs || a->num_vfs != b->num_vfs || g_strcmp0 (a->switch_id, b->switch_id) != 0 ||
      a->vfs->len != b->vfs->len)
    return FALSE;
  for (guint i = 0; i < a->vfs->len; i++)
    {
      const DpugwVf *va = g_ptr_array_index (a->vfs, i);
      const DpugwVf *vb = g_ptr_array_index (b->vfs, i);

      if (va->index != vb->index || strcmp (va->pci, vb->pci) != 0 || !strv_equal (va->netdevs, vb->netdevs))
        return FALSE;
    }
  return TRUE;
}

gboolean
dpugw_topology_state_equal (DpugwTopologyState *a, DpugwTopologyState *b)
{
  if (a->pfs->len != b->pfs->len)
    return FALSE;
  for (guint i = 0; i < a->pfs->len; i++)
    if (!pf_equal (g_ptr_array_index (a->pfs, i), g_ptr_array_index (b->pfs, i)))
      return FALSE;
  return TRUE;
}

const char *
dpugw_topology_state_pci_of_netdev (DpugwTopologyState *self, const char *name, gboolean *is_pf)
{
  const char *pci = g_hash_table_lookup (self->netdevs, name);

  if (is_pf != NULL)
    *is_pf = pci != NULL && g_hash_table_contains (self->pf_names, name);
  return pci;
}

gboolean
dpugw_topology_state_set_pf_netdevs (DpugwTopologyState *self, const char *pf_pci, char **netdevs)
{
  DpugwPf *pf = g_hash_table_lookup (self->pf_by_pci, pf_pci);
  const char * const empty[] = { NULL };

  if (netdevs == NULL)
    netdevs = (char **) empty;
  if (pf == NULL || g_strv_equal ((const char * const *) pf->netdevs, (const char * const *) netdevs))
    return FALSE;
  unindex_names (self, pf->netdevs, pf->pci);
  g_strfreev (pf->netdevs);
  pf->netdevs = g_strdupv (netdevs);
  index_names (self, pf->netdevs, pf->pci, TRUE);
  g_clear_pointer (&self->variant, g_variant_unref);
  return TRUE;
}

gboolean
dpugw_topology_state_set_vf_netdevs (DpugwTopologyState *self, const char *vf_pci, char **netdevs)
{
  DpugwVf *vf = g_hash_table_lookup (self->vf_by_pci, vf_pci);
  const char * const empty[] = { NULL };

  if (netdevs == NULL)
    netdevs = (char **) empty;
  if (vf == NULL || g_strv_equal ((const char * const *) vf->netdevs, (const char * const *) netdevs))
    return FALSE;
  unindex_names (self, vf->netdevs, vf->pci);
  g_strfreev (vf->netdevs);
  vf->netdevs = g_strdupv (netdevs);
  index_names (self, vf->netdevs, vf->pci, FALSE);
  g_clear_pointer (&self->variant, g_variant_unref);
  return TRUE;
}

static int
compare_pfs (gconstpointer a, gconstpointer b)
{
  return strcmp ((*(DpugwPf * const *) a)->pci, (*(DpugwPf * const *) b)->pci);
}

gboolean
dpugw_topology_state_replace_pf (DpugwTopologyState *self, DpugwPf *pf)
{
  DpugwPf *old = g_hash_table_lookup (self->pf_by_pci, pf->pci);

  if (old != NULL)
    {
      gboolean same = pf_equal (old, pf);

      unindex_pf (self, old);
      g_ptr_array_remove (self->pfs, old); /* frees it */
      g_ptr_array_add (self->pfs, pf);
      g_ptr_array_sort (self->pfs, compare_pfs);
      index_pf (self, pf);
      if (same)
        return FALSE;
    }
  else
    {
      g_ptr_array_add (self->pfs, pf);
      g_ptr_array_sort (self->pfs, compare_pfs);
      index_pf (self, pf);
    }
  g_clear_pointer (&self->variant, g_variant_unref);
  return TRUE;
}

