/* SPDX-License-Identifier: Apache-2.0
 *
 * The daemon's SR-IOV topology: the library's DpugwPf list with GHashTable indexes over it.
 */
#define G_LOG_DOMAIN "dpugw-topology-state"

#include "topology-state.h"

#include <string.h>

struct _DpugwTopologyState
{
  GPtrArray *pfs;        /* DpugwPf, sorted by PCI address */
  /* Keys and values borrowed from the DpugwPf trees; the last indexed under a name has it.  A
   * VF is found by its address by looking through its PF's list (link passes only). */
  GHashTable *vf_names;  /* netdev -> DpugwVf */
  GHashTable *pf_names;  /* netdev -> DpugwPf */
  GVariant *variant;     /* GetTopology's, built on demand */
};

static void
index_vf_names (DpugwTopologyState *self, DpugwVf *vf)
{
  for (guint i = 0; vf->netdevs != NULL && vf->netdevs[i] != NULL; i++)
    g_hash_table_insert (self->vf_names, vf->netdevs[i], vf);
}

static void
unindex_vf_names (DpugwTopologyState *self, DpugwVf *vf)
{
  for (guint i = 0; vf->netdevs != NULL && vf->netdevs[i] != NULL; i++)
    if (g_hash_table_lookup (self->vf_names, vf->netdevs[i]) == vf)
      g_hash_table_remove (self->vf_names, vf->netdevs[i]);
}

static void
index_pf_names (DpugwTopologyState *self, DpugwPf *pf)
{
  for (guint i = 0; pf->netdevs != NULL && pf->netdevs[i] != NULL; i++)
    g_hash_table_insert (self->pf_names, pf->netdevs[i], pf);
}

static void
unindex_pf_names (DpugwTopologyState *self, DpugwPf *pf)
{
  for (guint i = 0; pf->netdevs != NULL && pf->netdevs[i] != NULL; i++)
    if (g_hash_table_lookup (self->pf_names, pf->netdevs[i]) == pf)
      g_hash_table_remove (self->pf_names, pf->netdevs[i]);
}

static void
index_pf (DpugwTopologyState *self, DpugwPf *pf)
{
  index_pf_names (self, pf);
  for (guint i = 0; i < pf->vfs->len; i++)
    index_vf_names (self, g_ptr_array_index (pf->vfs, i));
}

static void
unindex_pf (DpugwTopologyState *self, DpugwPf *pf)
{
  unindex_pf_names (self, pf);
  for (guint i = 0; i < pf->vfs->len; i++)
    unindex_vf_names (self, g_ptr_array_index (pf->vfs, i));
}

static int
compare_pfs (gconstpointer a, gconstpointer b)
{
  return strcmp ((*(DpugwPf * const *) a)->pci, (*(DpugwPf * const *) b)->pci);
}

static gboolean
strv_equal0 (char **a, char **b)
{
  if (a == NULL || b == NULL)
    return (a == NULL || a[0] == NULL) && (b == NULL || b[0] == NULL);
  return g_strv_equal ((const char * const *) a, (const char * const *) b);
}

/* What GetTopology shows of two PFs is the same. */
static gboolean
pf_equal (const DpugwPf *a, const DpugwPf *b)
{
  if (strcmp (a->pci, b->pci) != 0 || !strv_equal0 (a->netdevs, b->netdevs) ||
      g_strcmp0 (a->driver, b->driver) != 0 || a->total_vfs != b->total_vfs || a->num_vfs != b->num_vfs ||
      g_strcmp0 (a->switch_id, b->switch_id) != 0 || a->vfs->len != b->vfs->len)
    return FALSE;
  for (guint i = 0; i < a->vfs->len; i++)
    {
      const DpugwVf *va = g_ptr_array_index (a->vfs, i);
      const DpugwVf *vb = g_ptr_array_index (b->vfs, i);

      if (va->index != vb->index || strcmp (va->pci, vb->pci) != 0 || !strv_equal0 (va->netdevs, vb->netdevs))
        return FALSE;
    }
  return TRUE;
}

static gboolean
pfs_equal (GPtrArray *a, GPtrArray *b)
{
  if (a->len != b->len)
    return FALSE;
  for (guint i = 0; i < a->len; i++)
    if (!pf_equal (g_ptr_array_index (a, i), g_ptr_array_index (b, i)))
      return FALSE;
  return TRUE;
}

static void
changed (DpugwTopologyState *self)
{
  g_clear_pointer (&self->variant, g_variant_unref);
}

DpugwTopologyState *
dpugw_topology_state_new (GPtrArray *pfs)
{
  DpugwTopologyState *self = g_new0 (DpugwTopologyState, 1);

  self->vf_names = g_hash_table_new (g_str_hash, g_str_equal);
  self->pf_names = g_hash_table_new (g_str_hash, g_str_equal);
  self->pfs = g_ptr_array_new_with_free_func ((GDestroyNotify) dpugw_pf_free);
  dpugw_topology_state_replace_all (self, pfs);
  return self;
}

void
dpugw_topology_state_free (DpugwTopologyState *self)
{
  if (self == NULL)
    return;
  g_hash_table_unref (self->vf_names);
  g_hash_table_unref (self->pf_names);
  g_ptr_array_unref (self->pfs);
  g_clear_pointer (&self->variant, g_variant_unref);
  g_free (self);
}

gboolean
dpugw_topology_state_replace_all (DpugwTopologyState *self, GPtrArray *pfs)
{
  g_autoptr(GPtrArray) old = g_steal_pointer (&self->pfs);
  gboolean same;

  self->pfs = pfs;
  g_ptr_array_set_free_func (self->pfs, (GDestroyNotify) dpugw_pf_free);
  g_ptr_array_sort (self->pfs, compare_pfs);
  same = pfs_equal (old, self->pfs);
  g_hash_table_remove_all (self->vf_names);
  g_hash_table_remove_all (self->pf_names);
  for (guint i = 0; i < self->pfs->len; i++)
    index_pf (self, g_ptr_array_index (self->pfs, i));
  if (!same)
    changed (self);
  return !same;
}

static GVariant *
strv_variant (char **strv)
{
  return g_variant_new_strv ((const char * const *) strv, strv != NULL ? -1 : 0);
}

static GVariant *
pf_variant (const DpugwPf *pf)
{
  GVariantBuilder b, vfs;
  GVariant *variant;

  g_variant_builder_init (&vfs, G_VARIANT_TYPE ("aa{sv}"));
  for (guint i = 0; i < pf->vfs->len; i++)
    {
      const DpugwVf *vf = g_ptr_array_index (pf->vfs, i);

      g_variant_builder_open (&vfs, G_VARIANT_TYPE_VARDICT);
      g_variant_builder_add (&vfs, "{sv}", "index", g_variant_new_uint32 (vf->index));
      g_variant_builder_add (&vfs, "{sv}", "pci", g_variant_new_string (vf->pci));
      g_variant_builder_add (&vfs, "{sv}", "netdevs", strv_variant (vf->netdevs));
      g_variant_builder_close (&vfs);
    }

  g_variant_builder_init (&b, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&b, "{sv}", "pci", g_variant_new_string (pf->pci));
  g_variant_builder_add (&b, "{sv}", "netdevs", strv_variant (pf->netdevs));
  g_variant_builder_add (&b, "{sv}", "driver", g_variant_new_string (pf->driver != NULL ? pf->driver : ""));
  g_variant_builder_add (&b, "{sv}", "total-vfs", g_variant_new_uint32 (pf->total_vfs));
  g_variant_builder_add (&b, "{sv}", "num-vfs", g_variant_new_uint32 (pf->num_vfs));
  if (pf->switch_id != NULL)
    g_variant_builder_add (&b, "{sv}", "switch-id", g_variant_new_string (pf->switch_id));
  g_variant_builder_add (&b, "{sv}", "vfs", g_variant_builder_end (&vfs));
  variant = g_variant_ref_sink (g_variant_builder_end (&b));
  /* Serialised PF by PF: the tree of one PF (a GVariant per value) is the most held at once. */
  g_variant_get_data (variant);
  return variant;
}

GVariant *
dpugw_topology_state_get_variant (DpugwTopologyState *self)
{
  if (self->variant == NULL)
    {
      GVariantBuilder builder;

      g_variant_builder_init (&builder, G_VARIANT_TYPE ("aa{sv}"));
      for (guint i = 0; i < self->pfs->len; i++)
        {
          g_autoptr(GVariant) pf = pf_variant (g_ptr_array_index (self->pfs, i));
          g_variant_builder_add_value (&builder, pf);
        }
      self->variant = g_variant_ref_sink (g_variant_builder_end (&builder));
      g_variant_get_data (self->variant);
    }
  return self->variant;
}

void
dpugw_topology_state_drop_variant (DpugwTopologyState *self)
{
  g_clear_pointer (&self->variant, g_variant_unref);
}

const char *
dpugw_topology_state_pci_of_netdev (DpugwTopologyState *self, const char *name, gboolean *is_pf)
{
  const DpugwVf *vf = g_hash_table_lookup (self->vf_names, name);
  const DpugwPf *pf = vf == NULL ? g_hash_table_lookup (self->pf_names, name) : NULL;

  if (is_pf != NULL)
    *is_pf = pf != NULL;
  return vf != NULL ? vf->pci : pf != NULL ? pf->pci : NULL;
}

static DpugwPf *
find_pf (DpugwTopologyState *self, const char *pci, guint *index)
{
  for (guint i = 0; i < self->pfs->len; i++)
    {
      DpugwPf *pf = g_ptr_array_index (self->pfs, i);
      if (strcmp (pf->pci, pci) == 0)
        {
          if (index != NULL)
            *index = i;
          return pf;
        }
    }
  return NULL;
}

gboolean
dpugw_topology_state_replace_pf (DpugwTopologyState *self, DpugwPf *pf)
{
  guint index;
  DpugwPf *old = find_pf (self, pf->pci, &index);
  gboolean same = old != NULL && pf_equal (old, pf);

  if (old != NULL)
    {
      unindex_pf (self, old);
      g_ptr_array_remove_index (self->pfs, index); /* frees it */
    }
  g_ptr_array_add (self->pfs, pf);
  g_ptr_array_sort (self->pfs, compare_pfs);
  index_pf (self, pf);
  /* A name two PFs hold (a moment between two reads of sysfs) is the later one's by address. */
  for (guint i = 0; i < self->pfs->len; i++)
    index_pf_names (self, g_ptr_array_index (self->pfs, i));
  if (!same)
    changed (self);
  return !same;
}

gboolean
dpugw_topology_state_set_pf_netdevs (DpugwTopologyState *self, const char *pf_pci, char **netdevs)
{
  DpugwPf *pf = find_pf (self, pf_pci, NULL);

  if (pf == NULL || strv_equal0 (pf->netdevs, netdevs))
    return FALSE;
  unindex_pf_names (self, pf);
  g_strfreev (pf->netdevs);
  pf->netdevs = netdevs != NULL ? g_strdupv (netdevs) : g_new0 (char *, 1);
  index_pf_names (self, pf);
  changed (self);
  return TRUE;
}

static DpugwVf *
find_vf (DpugwTopologyState *self, const char *pci)
{
  for (guint i = 0; i < self->pfs->len; i++)
    {
      const DpugwPf *pf = g_ptr_array_index (self->pfs, i);

      for (guint j = 0; j < pf->vfs->len; j++)
        {
          DpugwVf *vf = g_ptr_array_index (pf->vfs, j);
          if (strcmp (vf->pci, pci) == 0)
            return vf;
        }
    }
  return NULL;
}

gboolean
dpugw_topology_state_set_vf_netdevs (DpugwTopologyState *self, const char *vf_pci, char **netdevs)
{
  DpugwVf *vf = find_vf (self, vf_pci);

  if (vf == NULL || strv_equal0 (vf->netdevs, netdevs))
    return FALSE;
  unindex_vf_names (self, vf);
  g_strfreev (vf->netdevs);
  vf->netdevs = netdevs != NULL ? g_strdupv (netdevs) : g_new0 (char *, 1);
  index_vf_names (self, vf);
  changed (self);
  return TRUE;
}
