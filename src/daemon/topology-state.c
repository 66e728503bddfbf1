/* SPDX-License-Identifier: Apache-2.0
 *
 * The daemon's SR-IOV topology, kept up to date piece by piece: a link event
 * changes one PF's or one VF's netdevs, not the whole machine.  Indexed by
 * PCI address and by netdev name; GetTopology's variant is built when asked.
 *
 * Sized for thousands of VFs: a VF is a fixed 48-byte record in its PF's
 * array, its PCI address and (usually one) netdev inline, and the indexes are
 * DpugwStrSets of pointers to the records.  The scans' DpugwPf trees are
 * copied in and let go of.
 */
#define G_LOG_DOMAIN "dpugw-topology"

#include "topology-state.h"

#include "str-set.h"

#include <string.h>

/* A netdev of a PF, or of a VF that has several; by_name holds it tagged (bit 0). */
typedef struct {
  guintptr owner;                 /* Pf * | 1, or Vf * */
  char name[DPUGW_IFNAMSIZ];
} Name;

typedef struct {
  char pci[DPUGW_PCI_ADDRESS_LEN + 1];
  char netdev[DPUGW_IFNAMSIZ];    /* its netdev when it has exactly one; "" otherwise */
  Name *more;                     /* its netdevs when it has several (n_more, sorted), else NULL */
  guint index;
  guint n_more;
} Vf;

typedef struct {
  char pci[DPUGW_PCI_ADDRESS_LEN + 1];
  char *driver;
  char *switch_id;
  guint total_vfs;
  guint num_vfs;
  Name *names;                    /* its netdevs, sorted */
  guint n_names;
  Vf *vfs;                        /* by index */
  guint n_vfs;
} Pf;

struct _DpugwTopologyState
{
  GPtrArray *pfs;        /* Pf, sorted by PCI address */
  DpugwStrSet vf_by_pci; /* Vf */
  /* Vf by its inline netdev, tagged Name by its name: the last function indexed under a name
   * has it; a function's names are unindexed before it changes or goes. */
  DpugwStrSet by_name;
  GVariant *variant;     /* built on demand */
};

/* --- records ------------------------------------------------------------------------------------ */

static const char *
vf_key (gconstpointer item)
{
  return ((const Vf *) item)->pci;
}

static inline gboolean
is_name (gconstpointer item)
{
  return ((guintptr) item & 1) != 0;
}

static inline Name *
as_name (gconstpointer item)
{
  return (Name *) ((guintptr) item & ~(guintptr) 1);
}

static inline gpointer
tag_name (Name *name)
{
  return (gpointer) ((guintptr) name | 1);
}

static const char *
name_key (gconstpointer item)
{
  return is_name (item) ? as_name (item)->name : ((const Vf *) item)->netdev;
}

/* Copies @src into a fixed field; FALSE if it does not fit (never for the validated names and
 * addresses the library scans give). */
static gboolean
copy_fixed (char *dst, gsize size, const char *src)
{
  if (g_strlcpy (dst, src, size) < size)
    return TRUE;
  g_warning ("ignoring an over-long name or address \"%.*s…\"", (int) size - 1, src);
  *dst = '\0';
  return FALSE;
}

/* The names of @names that fit, each owned by @owner; NULL when none. */
static Name *
names_new (char **names, guintptr owner, guint *n_out)
{
  guint n = names != NULL ? g_strv_length (names) : 0, kept = 0;
  Name *out = n > 0 ? g_new (Name, n) : NULL;

  for (guint i = 0; i < n; i++)
    if (copy_fixed (out[kept].name, sizeof out[kept].name, names[i]))
      out[kept++].owner = owner;
  if (kept == 0)
    g_clear_pointer (&out, g_free);
  *n_out = kept;
  return out;
}

static void
vf_set_netdevs (Vf *vf, char **netdevs)
{
  g_clear_pointer (&vf->more, g_free);
  vf->n_more = 0;
  vf->netdev[0] = '\0';
  if (netdevs != NULL && netdevs[0] != NULL && netdevs[1] == NULL && strlen (netdevs[0]) < sizeof vf->netdev)
    strcpy (vf->netdev, netdevs[0]);
  else
    vf->more = names_new (netdevs, (guintptr) vf, &vf->n_more);
}

static void
pf_free (Pf *pf)
{
  for (guint i = 0; i < pf->n_vfs; i++)
    g_free (pf->vfs[i].more);
  g_free (pf->vfs);
  g_free (pf->names);
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
  pf->names = names_new (src->netdevs, (guintptr) pf | 1, &pf->n_names);
  pf->vfs = src->vfs->len > 0 ? g_new0 (Vf, src->vfs->len) : NULL;
  for (guint i = 0; i < src->vfs->len; i++)
    {
      const DpugwVf *from = g_ptr_array_index (src->vfs, i);
      Vf *vf = &pf->vfs[pf->n_vfs];

      if (!copy_fixed (vf->pci, sizeof vf->pci, from->pci))
        continue;
      vf->index = from->index;
      vf_set_netdevs (vf, from->netdevs);
      pf->n_vfs++;
    }
  if (pf->driver == NULL)
    pf->driver = g_strdup ("");
  dpugw_pf_free (src);
  return pf;
}

/* @vf's netdevs, as an array of @n names. */
static const char *
vf_name (const Vf *vf, guint i)
{
  return vf->more != NULL ? vf->more[i].name : vf->netdev;
}

static guint
vf_n_names (const Vf *vf)
{
  return vf->more != NULL ? vf->n_more : vf->netdev[0] != '\0';
}

static gboolean
names_equal (const Name *a, guint n_a, const Name *b, guint n_b)
{
  if (n_a != n_b)
    return FALSE;
  for (guint i = 0; i < n_a; i++)
    if (strcmp (a[i].name, b[i].name) != 0)
      return FALSE;
  return TRUE;
}

static gboolean
vf_names_equal_strv (const Vf *vf, char **netdevs)
{
  guint n = netdevs != NULL ? g_strv_length (netdevs) : 0;

  if (vf_n_names (vf) != n)
    return FALSE;
  for (guint i = 0; i < n; i++)
    if (strcmp (vf_name (vf, i), netdevs[i]) != 0)
      return FALSE;
  return TRUE;
}

static gboolean
names_equal_strv (const Name *names, guint n_names, char **netdevs)
{
  guint n = netdevs != NULL ? g_strv_length (netdevs) : 0;

  if (n_names != n)
    return FALSE;
  for (guint i = 0; i < n; i++)
    if (strcmp (names[i].name, netdevs[i]) != 0)
      return FALSE;
  return TRUE;
}

/* What GetTopology shows of two PFs is the same. */
static gboolean
pf_equal (const Pf *a, const Pf *b)
{
  if (strcmp (a->pci, b->pci) != 0 || !names_equal (a->names, a->n_names, b->names, b->n_names) ||
      strcmp (a->driver, b->driver) != 0 || a->total_vfs != b->total_vfs || a->num_vfs != b->num_vfs ||
      g_strcmp0 (a->switch_id, b->switch_id) != 0 || a->n_vfs != b->n_vfs)
    return FALSE;
  for (guint i = 0; i < a->n_vfs; i++)
    {
      const Vf *va = &a->vfs[i], *vb = &b->vfs[i];

      if (va->index != vb->index || strcmp (va->pci, vb->pci) != 0 || strcmp (va->netdev, vb->netdev) != 0 ||
          !names_equal (va->more, va->n_more, vb->more, vb->n_more))
        return FALSE;
    }
  return TRUE;
}

/* --- indexes ------------------------------------------------------------------------------------ */

static void
index_names (DpugwTopologyState *self, Name *names, guint n)
{
  for (guint i = 0; i < n; i++)
    dpugw_str_set_replace (&self->by_name, tag_name (&names[i]));
}

static void
unindex_names (DpugwTopologyState *self, Name *names, guint n)
{
  for (guint i = 0; i < n; i++)
    if (dpugw_str_set_lookup (&self->by_name, names[i].name) == tag_name (&names[i]))
      dpugw_str_set_steal (&self->by_name, names[i].name);
}

static void
index_vf_names (DpugwTopologyState *self, Vf *vf)
{
  if (vf->netdev[0] != '\0')
    dpugw_str_set_replace (&self->by_name, vf);
  index_names (self, vf->more, vf->n_more);
}

static void
unindex_vf_names (DpugwTopologyState *self, Vf *vf)
{
  if (vf->netdev[0] != '\0' && dpugw_str_set_lookup (&self->by_name, vf->netdev) == vf)
    dpugw_str_set_steal (&self->by_name, vf->netdev);
  unindex_names (self, vf->more, vf->n_more);
}

static void
index_pf (DpugwTopologyState *self, Pf *pf)
{
  index_names (self, pf->names, pf->n_names);
  for (guint j = 0; j < pf->n_vfs; j++)
    {
      dpugw_str_set_replace (&self->vf_by_pci, &pf->vfs[j]);
      index_vf_names (self, &pf->vfs[j]);
    }
}

static void
unindex_pf (DpugwTopologyState *self, Pf *pf)
{
  unindex_names (self, pf->names, pf->n_names);
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
names_variant (const Name *names, guint n)
{
  g_autofree const char **strv = g_new (const char *, n + 1);

  for (guint i = 0; i < n; i++)
    strv[i] = names[i].name;
  strv[n] = NULL;
  return g_variant_new_strv (strv, n);
}

static GVariant *
vf_names_variant (const Vf *vf)
{
  const char *one[] = { vf->netdev };

  if (vf->more != NULL)
    return names_variant (vf->more, vf->n_more);
  return g_variant_new_strv (one, vf->netdev[0] != '\0' ? 1 : 0);
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
      g_variant_builder_add (&builder, "{sv}", "netdevs", names_variant (pf->names, pf->n_names));
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
  guintptr owner;

  if (is_pf != NULL)
    *is_pf = FALSE;
  if (item == NULL)
    return NULL;
  if (!is_name (item))
    return ((const Vf *) item)->pci;
  owner = as_name (item)->owner;
  if (owner & 1)
    {
      if (is_pf != NULL)
        *is_pf = TRUE;
      return ((const Pf *) (owner & ~(guintptr) 1))->pci;
    }
  return ((const Vf *) owner)->pci;
}

gboolean
dpugw_topology_state_set_pf_netdevs (DpugwTopologyState *self, const char *pf_pci, char **netdevs)
{
  Pf *pf = find_pf (self, pf_pci);

  if (pf == NULL || names_equal_strv (pf->names, pf->n_names, netdevs))
    return FALSE;
  unindex_names (self, pf->names, pf->n_names);
  g_free (pf->names);
  pf->names = names_new (netdevs, (guintptr) pf | 1, &pf->n_names);
  index_names (self, pf->names, pf->n_names);
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
