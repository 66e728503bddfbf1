/* SPDX-License-Identifier: Apache-2.0
 *
 * The daemon's SR-IOV topology, kept up to date piece by piece: a link event
 * changes one PF's or one VF's netdevs, not the whole machine.  Indexed by
 * PCI address and by netdev name; GetTopology's variant is built when asked.
 *
 * Sized for thousands of VFs: a VF is a fixed 40-byte record in its PF's
 * array, its PCI address and (usually one) netdev inline, and the indexes are
 * DpugwStrSets of pointers to the records; a PF's netdevs are an array of
 * fixed names searched in order.  The scans' DpugwPf trees are copied in and
 * let go of.
 */
#define G_LOG_DOMAIN "dpugw-topology"

#include "topology-state.h"

#include "str-set.h"

#include <string.h>

/* A netdev of a VF that has several; by_name holds it tagged (bit 0). */
typedef struct {
  gpointer vf;                    /* Vf * */
  char name[DPUGW_IFNAMSIZ];
} Name;

typedef struct {
  guint n;
  Name names[];                   /* sorted */
} VfNames;

/* 40 bytes: 8 PFs x 512 VFs take 160 KiB. */
typedef struct {
  char pci[DPUGW_PCI_ADDRESS_LEN + 1];
  char netdev[DPUGW_IFNAMSIZ];    /* its netdev when it has exactly one; "" otherwise */
  guint16 index;                  /* virtfnN: at most 65535 (lib_parse_virtfn_index) */
  VfNames *more;                  /* its netdevs when it has several, else NULL */
} Vf;

typedef char PfName[DPUGW_IFNAMSIZ];

typedef struct {
  char pci[DPUGW_PCI_ADDRESS_LEN + 1];
  char *driver;
  char *switch_id;
  guint total_vfs;
  guint num_vfs;
  /* Its netdevs, in the scan's order; found by binary search through @order (by strcmp).  Not
   * in by_name: on a switchdev PF they are a representor per VF, and a PF's are few to search. */
  PfName *names;
  guint *order;
  guint n_names;
  Vf *vfs;                        /* by index */
  guint n_vfs;
} Pf;

struct _DpugwTopologyState
{
  GPtrArray *pfs;        /* Pf, sorted by PCI address */
  DpugwStrSet vf_by_pci; /* Vf */
  /* VF netdevs: a Vf by its inline netdev, a tagged Name by its name.  The last VF indexed under
   * a name has it; a VF's names are unindexed before they change or it goes. */
  DpugwStrSet by_name;
  GVariant *variant;     /* built on demand */
};

/* --- records ------------------------------------------------------------------------------------ */

static const char *
vf_key (gconstpointer item)
{
  return ((const Vf *) item)->pci;
}

static inline Name *
as_name (gconstpointer item)
{
  return dpugw_str_set_untag (item);
}

static const char *
name_key (gconstpointer item)
{
  return dpugw_str_set_is_tagged (item) ? as_name (item)->name : ((const Vf *) item)->netdev;
}

/* Copies @src into a fixed field; FALSE if it does not fit (never for the validated names and
 * addresses the library scans give). */
static gboolean
copy_fixed (char *dst, gsize size, const char *src)
{
  g_autofree char *quoted = NULL;

  if (g_strlcpy (dst, src, size) < size)
    return TRUE;
  quoted = dpugw_quote_untrusted (src);
  g_warning ("ignoring an over-long name or address %s", quoted);
  *dst = '\0';
  return FALSE;
}

static guint
strv_length0 (char **strv)
{
  return strv != NULL ? g_strv_length (strv) : 0;
}

static void
vf_set_netdevs (Vf *vf, char **netdevs)
{
  guint n = strv_length0 (netdevs);

  g_clear_pointer (&vf->more, g_free);
  vf->netdev[0] = '\0';
  if (n == 1 && strlen (netdevs[0]) < sizeof vf->netdev)
    strcpy (vf->netdev, netdevs[0]);
  else if (n > 0)
    {
      vf->more = g_malloc (sizeof (VfNames) + n * sizeof (Name));
      vf->more->n = 0;
      for (guint i = 0; i < n; i++)
        {
          Name *name = &vf->more->names[vf->more->n];
          if (copy_fixed (name->name, sizeof name->name, netdevs[i]))
            {
              name->vf = vf;
              vf->more->n++;
            }
        }
    }
}

static int
compare_pf_names (gconstpointer a, gconstpointer b, gpointer names)
{
  const PfName *base = names;
  return strcmp (base[*(const guint *) a], base[*(const guint *) b]);
}

static void
pf_set_netdevs (Pf *pf, char **netdevs)
{
  guint n = strv_length0 (netdevs);

  g_clear_pointer (&pf->names, g_free);
  g_clear_pointer (&pf->order, g_free);
  pf->n_names = 0;
  if (n == 0)
    return;
  pf->names = g_new (PfName, n);
  pf->order = g_new (guint, n);
  for (guint i = 0; i < n; i++)
    if (copy_fixed (pf->names[pf->n_names], sizeof (PfName), netdevs[i]))
      {
        pf->order[pf->n_names] = pf->n_names;
        pf->n_names++;
      }
  g_qsort_with_data (pf->order, (gint) pf->n_names, sizeof (guint), compare_pf_names, pf->names);
}

/* Whether @name is one of @pf's netdevs. */
static gboolean
pf_has_name (const Pf *pf, const char *name)
{
  guint lo = 0, hi = pf->n_names;

  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;
      int cmp = strcmp (name, pf->names[pf->order[mid]]);

      if (cmp == 0)
        return TRUE;
      if (cmp < 0)
        hi = mid;
      else
        lo = mid + 1;
    }
  return FALSE;
}

static void
pf_free (Pf *pf)
{
  for (guint i = 0; i < pf->n_vfs; i++)
    g_free (pf->vfs[i].more);
  g_free (pf->vfs);
  g_free (pf->names);
  g_free (pf->order);
  g_free (pf->driver);
  g_free (pf->switch_id);
  g_free (pf);
}

/* A record of @src, which it frees. */
static Pf *
pf_new (DpugwPf *src)
{
  Pf *pf = g_new0 (Pf, 1);

  copy_fixed (pf->pci, sizeof pf->pci, src->pci);
  pf->driver = g_steal_pointer (&src->driver);
  pf->switch_id = g_steal_pointer (&src->switch_id);
  pf->total_vfs = src->total_vfs;
  pf->num_vfs = src->num_vfs;
  pf_set_netdevs (pf, src->netdevs);
  pf->vfs = src->vfs->len > 0 ? g_new0 (Vf, src->vfs->len) : NULL;
  for (guint i = 0; i < src->vfs->len; i++)
    {
      const DpugwVf *from = g_ptr_array_index (src->vfs, i);
      Vf *vf = &pf->vfs[pf->n_vfs];

      if (from->index > G_MAXUINT16 || !copy_fixed (vf->pci, sizeof vf->pci, from->pci))
        continue;
      vf->index = (guint16) from->index;
      vf_set_netdevs (vf, from->netdevs);
      pf->n_vfs++;
    }
  if (pf->driver == NULL)
    pf->driver = g_strdup ("");
  dpugw_pf_free (src);
  return pf;
}

static guint
vf_n_names (const Vf *vf)
{
  return vf->more != NULL ? vf->more->n : vf->netdev[0] != '\0';
}

static const char *
vf_name (const Vf *vf, guint i)
{
  return vf->more != NULL ? vf->more->names[i].name : vf->netdev;
}

static gboolean
vf_names_equal (const Vf *a, const Vf *b)
{
  guint n = vf_n_names (a);

  if (n != vf_n_names (b))
    return FALSE;
  for (guint i = 0; i < n; i++)
    if (strcmp (vf_name (a, i), vf_name (b, i)) != 0)
      return FALSE;
  return TRUE;
}

static gboolean
vf_names_equal_strv (const Vf *vf, char **netdevs)
{
  guint n = strv_length0 (netdevs);

  if (vf_n_names (vf) != n)
    return FALSE;
  for (guint i = 0; i < n; i++)
    if (strcmp (vf_name (vf, i), netdevs[i]) != 0)
      return FALSE;
  return TRUE;
}

static gboolean
pf_names_equal (const Pf *a, const Pf *b)
{
  if (a->n_names != b->n_names)
    return FALSE;
  for (guint i = 0; i < a->n_names; i++)
    if (strcmp (a->names[i], b->names[i]) != 0)
      return FALSE;
  return TRUE;
}

static gboolean
pf_names_equal_strv (const Pf *pf, char **netdevs)
{
  guint n = strv_length0 (netdevs);

  if (pf->n_names != n)
    return FALSE;
  for (guint i = 0; i < n; i++)
    if (strcmp (pf->names[i], netdevs[i]) != 0)
      return FALSE;
  return TRUE;
}

/* What GetTopology shows of two PFs is the same. */
static gboolean
pf_equal (const Pf *a, const Pf *b)
{
  if (strcmp (a->pci, b->pci) != 0 || !pf_names_equal (a, b) ||
      strcmp (a->driver, b->driver) != 0 || a->total_vfs != b->total_vfs || a->num_vfs != b->num_vfs ||
      g_strcmp0 (a->switch_id, b->switch_id) != 0 || a->n_vfs != b->n_vfs)
    return FALSE;
  for (guint i = 0; i < a->n_vfs; i++)
    {
      const Vf *va = &a->vfs[i], *vb = &b->vfs[i];

      if (va->index != vb->index || strcmp (va->pci, vb->pci) != 0 || !vf_names_equal (va, vb))
        return FALSE;
    }
  return TRUE;
}

/* --- indexes ------------------------------------------------------------------------------------ */

static void
index_vf_names (DpugwTopologyState *self, Vf *vf)
{
  if (vf->netdev[0] != '\0')
    dpugw_str_set_replace (&self->by_name, vf);
  for (guint i = 0; vf->more != NULL && i < vf->more->n; i++)
    dpugw_str_set_replace (&self->by_name, dpugw_str_set_tag (&vf->more->names[i]));
}

static void
unindex_vf_names (DpugwTopologyState *self, Vf *vf)
{
  if (vf->netdev[0] != '\0' && dpugw_str_set_lookup (&self->by_name, vf->netdev) == vf)
    dpugw_str_set_steal (&self->by_name, vf->netdev);
  for (guint i = 0; vf->more != NULL && i < vf->more->n; i++)
    {
      Name *name = &vf->more->names[i];
      if (dpugw_str_set_lookup (&self->by_name, name->name) == dpugw_str_set_tag (name))
        dpugw_str_set_steal (&self->by_name, name->name);
    }
}

static void
index_pf (DpugwTopologyState *self, Pf *pf)
{
  for (guint j = 0; j < pf->n_vfs; j++)
    {
      dpugw_str_set_replace (&self->vf_by_pci, &pf->vfs[j]);
      index_vf_names (self, &pf->vfs[j]);
    }
}

static void
unindex_pf (DpugwTopologyState *self, Pf *pf)
{
  for (guint j = 0; j < pf->n_vfs; j++)
    {
      unindex_vf_names (self, &pf->vfs[j]);
      if (dpugw_str_set_lookup (&self->vf_by_pci, pf->vfs[j].pci) == &pf->vfs[j])
        dpugw_str_set_steal (&self->vf_by_pci, pf->vfs[j].pci);
    }
}

static Pf *
find_pf (DpugwTopologyState *self, const char *pci)
{
  for (guint i = 0; i < self->pfs->len; i++)
    {
      Pf *pf = g_ptr_array_index (self->pfs, i);
      if (strcmp (pf->pci, pci) == 0)
        return pf;
    }
  return NULL;
}

static int
compare_pfs (gconstpointer a, gconstpointer b)
{
  return strcmp ((*(Pf * const *) a)->pci, (*(Pf * const *) b)->pci);
}

/* --- the state ---------------------------------------------------------------------------------- */

DpugwTopologyState *
dpugw_topology_state_new (GPtrArray *pfs)
{
  DpugwTopologyState *self = g_new0 (DpugwTopologyState, 1);

  self->pfs = g_ptr_array_new_full (pfs->len, (GDestroyNotify) pf_free);
  dpugw_str_set_init (&self->vf_by_pci, vf_key);
  dpugw_str_set_init (&self->by_name, name_key);
  /* The scan's tree is let go of PF by PF, as its records are made. */
  g_ptr_array_set_free_func (pfs, NULL);
  for (guint i = 0; i < pfs->len; i++)
    {
      Pf *pf = pf_new (g_ptr_array_index (pfs, i));
      g_ptr_array_add (self->pfs, pf);
      index_pf (self, pf);
    }
  g_ptr_array_unref (pfs);
  g_ptr_array_sort (self->pfs, compare_pfs);
  return self;
}

void
dpugw_topology_state_free (DpugwTopologyState *self)
{
  if (self == NULL)
    return;
  dpugw_str_set_clear (&self->by_name);
  dpugw_str_set_clear (&self->vf_by_pci);
  g_ptr_array_unref (self->pfs);
  g_clear_pointer (&self->variant, g_variant_unref);
  g_free (self);
}

static GVariant *
pf_names_variant (const Pf *pf)
{
  g_autofree const char **strv = g_new (const char *, pf->n_names + 1);

  for (guint i = 0; i < pf->n_names; i++)
    strv[i] = pf->names[i];
  strv[pf->n_names] = NULL;
  return g_variant_new_strv (strv, pf->n_names);
}

static GVariant *
vf_names_variant (const Vf *vf)
{
  guint n = vf_n_names (vf);
  g_autofree const char **strv = g_new (const char *, n + 1);

  for (guint i = 0; i < n; i++)
    strv[i] = vf_name (vf, i);
  strv[n] = NULL;
  return g_variant_new_strv (strv, n);
}

static GVariant *
topology_variant (DpugwTopologyState *self)
{
  GVariantBuilder builder;

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("aa{sv}"));
  for (guint i = 0; i < self->pfs->len; i++)
    {
      const Pf *pf = g_ptr_array_index (self->pfs, i);
      GVariantBuilder vfs;

      g_variant_builder_open (&builder, G_VARIANT_TYPE ("a{sv}"));
      g_variant_builder_add (&builder, "{sv}", "pci", g_variant_new_string (pf->pci));
      g_variant_builder_add (&builder, "{sv}", "netdevs", pf_names_variant (pf));
      g_variant_builder_add (&builder, "{sv}", "driver", g_variant_new_string (pf->driver));
      g_variant_builder_add (&builder, "{sv}", "total-vfs", g_variant_new_uint32 (pf->total_vfs));
      g_variant_builder_add (&builder, "{sv}", "num-vfs", g_variant_new_uint32 (pf->num_vfs));
      if (pf->switch_id != NULL)
        g_variant_builder_add (&builder, "{sv}", "switch-id", g_variant_new_string (pf->switch_id));

      g_variant_builder_init (&vfs, G_VARIANT_TYPE ("aa{sv}"));
      for (guint j = 0; j < pf->n_vfs; j++)
        {
          const Vf *vf = &pf->vfs[j];

          g_variant_builder_open (&vfs, G_VARIANT_TYPE ("a{sv}"));
          g_variant_builder_add (&vfs, "{sv}", "index", g_variant_new_uint32 (vf->index));
          g_variant_builder_add (&vfs, "{sv}", "pci", g_variant_new_string (vf->pci));
          g_variant_builder_add (&vfs, "{sv}", "netdevs", vf_names_variant (vf));
          g_variant_builder_close (&vfs);
        }
      g_variant_builder_add (&builder, "{sv}", "vfs", g_variant_builder_end (&vfs));
      g_variant_builder_close (&builder);
    }
  return g_variant_builder_end (&builder);
}

GVariant *
dpugw_topology_state_get_variant (DpugwTopologyState *self)
{
  if (self->variant == NULL)
    {
      self->variant = g_variant_ref_sink (topology_variant (self));
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
  gpointer item = dpugw_str_set_lookup (&self->by_name, name);

  if (is_pf != NULL)
    *is_pf = FALSE;
  if (item != NULL)
    return ((const Vf *) (dpugw_str_set_is_tagged (item) ? as_name (item)->vf : item))->pci;
  /* Then the PFs', the later PF first, as when they were indexed. */
  for (guint i = self->pfs->len; i > 0; i--)
    {
      const Pf *pf = g_ptr_array_index (self->pfs, i - 1);
      if (pf_has_name (pf, name))
        {
          if (is_pf != NULL)
            *is_pf = TRUE;
          return pf->pci;
        }
    }
  return NULL;
}

gboolean
dpugw_topology_state_set_pf_netdevs (DpugwTopologyState *self, const char *pf_pci, char **netdevs)
{
  Pf *pf = find_pf (self, pf_pci);

  if (pf == NULL || pf_names_equal_strv (pf, netdevs))
    return FALSE;
  pf_set_netdevs (pf, netdevs);
  g_clear_pointer (&self->variant, g_variant_unref);
  return TRUE;
}

gboolean
dpugw_topology_state_set_vf_netdevs (DpugwTopologyState *self, const char *vf_pci, char **netdevs)
{
  Vf *vf = dpugw_str_set_lookup (&self->vf_by_pci, vf_pci);

  if (vf == NULL || vf_names_equal_strv (vf, netdevs))
    return FALSE;
  unindex_vf_names (self, vf);
  vf_set_netdevs (vf, netdevs);
  index_vf_names (self, vf);
  g_clear_pointer (&self->variant, g_variant_unref);
  return TRUE;
}

gboolean
dpugw_topology_state_replace_pf (DpugwTopologyState *self, DpugwPf *from)
{
  Pf *pf = pf_new (from);
  Pf *old = find_pf (self, pf->pci);
  gboolean same = FALSE;

  if (old != NULL)
    {
      same = pf_equal (old, pf);
      unindex_pf (self, old);
      g_ptr_array_remove (self->pfs, old); /* frees it */
    }
  g_ptr_array_add (self->pfs, pf);
  g_ptr_array_sort (self->pfs, compare_pfs);
  index_pf (self, pf);
  if (same)
    return FALSE;
  g_clear_pointer (&self->variant, g_variant_unref);
  return TRUE;
}
