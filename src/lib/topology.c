/* SPDX-License-Identifier: Apache-2.0
 *
 * The SR-IOV topology under the sysfs root: every PF with its netdevs and
 * VFs, read from bus/pci/devices.
 */
#define G_LOG_DOMAIN "dpugw-topology"

#include "dpu-gateway/dpugw-names.h"
#include "dpu-gateway/dpugw-topology.h"
#include "lib-private.h"

#include <gio/gio.h>
#include <string.h>

void
dpugw_vf_free (DpugwVf *vf)
{
  if (vf == NULL)
    return;
  g_free (vf->pci);
  g_strfreev (vf->netdevs);
  g_free (vf);
}

void
dpugw_pf_free (DpugwPf *pf)
{
  if (pf == NULL)
    return;
  g_free (pf->pci);
  g_strfreev (pf->netdevs);
  g_free (pf->driver);
  g_free (pf->switch_id);
  g_clear_pointer (&pf->vfs, g_ptr_array_unref);
  g_free (pf);
}

/* The netdev names in DIR/net (or DIR/virtioN/net), sorted; empty when there is none.  A name
 * D-Bus cannot carry (not UTF-8, control characters) is listed after them, escaped and marked
 * (dpugw_netdev_name_display): never dropped. */
static GStrv
netdevs_of (DpugwSysfs *sysfs, const char *dir)
{
  g_autoptr(GPtrArray) odd = g_ptr_array_new_with_free_func (g_free);
  g_auto(GStrv) names = lib_device_netdevs_full (sysfs, dir, NULL, odd, NULL);
  g_autoptr(GStrvBuilder) builder = NULL;

  if (odd->len == 0)
    return names != NULL ? g_steal_pointer (&names) : g_new0 (char *, 1);
  builder = g_strv_builder_new ();
  if (names != NULL)
    g_strv_builder_addv (builder, (const char **) names);
  for (guint i = 0; i < odd->len; i++)
    {
      g_autofree char *shown = dpugw_netdev_name_display (g_ptr_array_index (odd, i));
      g_strv_builder_add (builder, shown);
    }
  return g_strv_builder_end (builder);
}

static int
compare_vfs (gconstpointer a, gconstpointer b)
{
  const DpugwVf *va = *(DpugwVf * const *) a;
  const DpugwVf *vb = *(DpugwVf * const *) b;
  return (va->index > vb->index) - (va->index < vb->index);
}

static GPtrArray *
scan_vfs (DpugwSysfs *sysfs, const char *pf_dir, char * const *entries)
{
  GPtrArray *vfs = g_ptr_array_new_with_free_func ((GDestroyNotify) dpugw_vf_free);

  for (guint i = 0; entries[i] != NULL; i++)
    {
      g_autofree char *link = NULL;
      g_autofree char *vf_dir = NULL;
      g_autoptr(GError) local_error = NULL;
      const char *base;
      DpugwVf *vf;
      guint index;

      if (!lib_parse_virtfn_index (entries[i], &index))
        continue;
      link = g_strconcat (pf_dir, "/", entries[i], NULL);
      vf_dir = dpugw_sysfs_canonicalize (sysfs, link, &local_error);
      if (vf_dir == NULL)
        {
          g_debug ("skipping %s: %s", link, local_error->message);
          continue;
        }
      base = strrchr (vf_dir, '/');
      base = base != NULL ? base + 1 : vf_dir;
      if (!dpugw_pci_address_is_valid (base))
        continue;

      vf = g_new0 (DpugwVf, 1);
      vf->index = index;
      vf->pci = g_ascii_strdown (base, -1);
      vf->netdevs = netdevs_of (sysfs, vf_dir);
      g_ptr_array_add (vfs, vf);
    }
  g_ptr_array_sort (vfs, compare_vfs);
  return vfs;
}

DpugwPf *
dpugw_topology_scan_pf (DpugwSysfs *sysfs, const char *pci, GError **error)
{
  g_autoptr(DpugwPf) pf = NULL;
  g_autofree char *addr = NULL;
  g_autofree char *rel = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *attr = NULL;
  g_auto(GStrv) entries = NULL;
  g_autoptr(GError) local_error = NULL;

  addr = dpugw_pci_address_normalize (pci, error);
  if (addr == NULL)
    return NULL;
  rel = g_strconcat ("bus/pci/devices/", addr, NULL);
  dir = dpugw_sysfs_canonicalize (sysfs, rel, error);
  if (dir == NULL)
    return NULL;
  /* The kernel names the link after the function it leads to; anything else is not a PF of ours. */
  if (!g_str_has_suffix (dir, addr) || (strlen (dir) > strlen (addr) && dir[strlen (dir) - strlen (addr) - 1] != '/'))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "%s does not lead to PCI function %s", rel, addr);
      return NULL;
    }

  pf = g_new0 (DpugwPf, 1);
  attr = g_strconcat (dir, "/sriov_totalvfs", NULL);
  if (!dpugw_sysfs_read_attr_uint (sysfs, attr, &pf->total_vfs, &local_error))
    {
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "%s is not an SR-IOV physical function", addr);
      else
        g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  g_clear_pointer (&attr, g_free);
  attr = g_strconcat (dir, "/sriov_numvfs", NULL);
  if (!dpugw_sysfs_read_attr_uint (sysfs, attr, &pf->num_vfs, NULL))
    pf->num_vfs = 0;

  pf->pci = g_steal_pointer (&addr);
  g_clear_pointer (&attr, g_free);
  pf->driver = lib_device_driver (sysfs, dir);
  if (pf->driver == NULL)
    pf->driver = g_strdup ("");

  pf->netdevs = netdevs_of (sysfs, dir);
  for (guint i = 0; pf->switch_id == NULL && pf->netdevs[i] != NULL; i++)
    {
      g_autofree char *id_rel = g_strconcat (dir, "/net/", pf->netdevs[i], "/phys_switch_id", NULL);
      g_autofree char *id = dpugw_sysfs_read_attr (sysfs, id_rel, NULL);
      /* Drivers without switchdev support fail the read (EOPNOTSUPP): absent. */
      if (id != NULL && *g_strstrip (id) != '\0' && g_str_is_ascii (id))
        pf->switch_id = g_steal_pointer (&id);
    }

  entries = dpugw_sysfs_list_dir (sysfs, dir, error);
  if (entries == NULL)
    return NULL;
  pf->vfs = scan_vfs (sysfs, dir, entries);
  return g_steal_pointer (&pf);
}

GStrv
dpugw_topology_netdevs (DpugwSysfs *sysfs, const char *pci)
{
  g_autofree char *addr = dpugw_pci_address_normalize (pci, NULL);
  g_autofree char *rel = NULL;

  if (addr == NULL)
    return g_new0 (char *, 1);
  rel = g_strconcat ("bus/pci/devices/", addr, NULL);
  return netdevs_of (sysfs, rel);
}

GPtrArray *
dpugw_topology_scan (DpugwSysfs *sysfs, GError **error)
{
  g_auto(GStrv) devices = NULL;
  g_autoptr(GPtrArray) pfs = NULL;

  g_return_val_if_fail (DPUGW_IS_SYSFS (sysfs), NULL);

  devices = dpugw_sysfs_list_dir (sysfs, "bus/pci/devices", error);
  if (devices == NULL)
    return NULL;

  /* Sorted by name: by address within a domain width (VMD's "10000:..." after "0000:..."). */
  pfs = g_ptr_array_new_with_free_func ((GDestroyNotify) dpugw_pf_free);
  for (guint i = 0; devices[i] != NULL; i++)
    {
      g_autoptr(GError) local_error = NULL;
      DpugwPf *pf;

      if (!dpugw_pci_address_is_valid (devices[i]))
        continue;
      pf = dpugw_topology_scan_pf (sysfs, devices[i], &local_error);
      if (pf != NULL)
        g_ptr_array_add (pfs, pf);
      else if (!g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
        g_debug ("skipping %s: %s", devices[i], local_error->message);
    }
  return g_steal_pointer (&pfs);
}
