/* SPDX-License-Identifier: Apache-2.0
 *
 * The pipeline of --gateway-interface=derive-from-mgmt-port:
 *   1. the management port netdev
 *   2. its PCI address:     /sys/class/net/NAME/device, nearest PCI function
 *   3. the PF PCI address:  /sys/bus/pci/devices/VF/physfn
 *   4. the PF's netdevs:    /sys/bus/pci/devices/PF/net/, sorted by name
 *   5. the first one is the gateway interface
 */
#define G_LOG_DOMAIN "dpugw-resolver"

#include "dpu-gateway/dpugw-error.h"
#include "dpu-gateway/dpugw-names.h"
#include "dpu-gateway/dpugw-resolver.h"

#include <gio/gio.h>
#include <string.h>

const char *
dpugw_source_to_string (DpugwSource source)
{
  switch (source)
    {
    case DPUGW_SOURCE_DERIVED:
      return "derived";
    case DPUGW_SOURCE_RENAMED_FALLBACK:
      return "renamed-fallback";
    case DPUGW_SOURCE_DEVICE_PLUGIN:
      return "device-plugin";
    case DPUGW_SOURCE_EXPLICIT:
      return "explicit";
    }
  return "unknown";
}

void
dpugw_resolution_free (DpugwResolution *r)
{
  if (r == NULL)
    return;
  g_free (r->mgmt_port);
  g_free (r->vf_pci);
  g_free (r->pf_pci);
  g_strfreev (r->candidates);
  g_free (r->interface);
  g_free (r);
}

DpugwResolution *
dpugw_resolution_copy (const DpugwResolution *r)
{
  DpugwResolution *copy = g_new0 (DpugwResolution, 1);

  copy->mgmt_port = g_strdup (r->mgmt_port);
  copy->vf_pci = g_strdup (r->vf_pci);
  copy->pf_pci = g_strdup (r->pf_pci);
  copy->candidates = g_strdupv (r->candidates);
  copy->interface = g_strdup (r->interface);
  copy->source = r->source;
  return copy;
}

gboolean
dpugw_resolution_equal (const DpugwResolution *a, const DpugwResolution *b)
{
  if (a == NULL || b == NULL)
    return a == b;
  return a->source == b->source &&
         g_strcmp0 (a->mgmt_port, b->mgmt_port) == 0 &&
         g_strcmp0 (a->vf_pci, b->vf_pci) == 0 &&
         g_strcmp0 (a->pf_pci, b->pf_pci) == 0 &&
         g_strcmp0 (a->interface, b->interface) == 0 &&
         g_strv_equal ((const char * const *) a->candidates, (const char * const *) b->candidates);
}

/* Step 2. */
char *
dpugw_pci_from_netdev (DpugwSysfs *sysfs, const char *netdev, GError **error)
{
  g_autofree char *netdev_rel = NULL;
  g_autofree char *netdev_dir = NULL;
  g_autofree char *device_rel = NULL;
  g_autofree char *device_dir = NULL;
  g_autoptr(GError) local_error = NULL;
  g_auto(GStrv) parts = NULL;

  if (!dpugw_netdev_name_validate (netdev, error))
    return NULL;

  netdev_rel = g_strconcat ("class/net/", netdev, NULL);
  netdev_dir = dpugw_sysfs_canonicalize (sysfs, netdev_rel, &local_error);
  if (netdev_dir == NULL)
    {
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
        g_set_error (error, DPUGW_ERROR, DPUGW_ERROR_PCI_ADDRESS,
                     DPUGW_MSG_PCI_ADDRESS ": no network device %s (%s)", netdev, local_error->message);
      else
        g_set_error (error, DPUGW_ERROR, DPUGW_ERROR_PCI_ADDRESS,
                     DPUGW_MSG_PCI_ADDRESS ": cannot read network device %s (%s)", netdev, local_error->message);
      return NULL;
    }

  device_rel = g_strconcat (netdev_dir, "/device", NULL);
  device_dir = dpugw_sysfs_canonicalize (sysfs, device_rel, &local_error);
  if (device_dir == NULL)
    {
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
        g_set_error (error, DPUGW_ERROR, DPUGW_ERROR_PCI_ADDRESS,
                     DPUGW_MSG_PCI_ADDRESS ": %s is a virtual network device, backed by no hardware (%s)",
                     netdev, local_error->message);
      else
        g_set_error (error, DPUGW_ERROR, DPUGW_ERROR_PCI_ADDRESS,
                     DPUGW_MSG_PCI_ADDRESS ": cannot follow the device link of %s (%s)",
                     netdev, local_error->message);
      return NULL;
    }

  /* The nearest PCI function: the device itself, or for a virtio or
   * auxiliary device its PCI parent.  Only components below devices/ count. */
  parts = g_strsplit (device_dir, "/", -1);
  if (g_strv_length (parts) >= 2 && strcmp (parts[0], "devices") == 0)
    {
      for (gssize i = (gssize) g_strv_length (parts) - 1; i >= 1; i--)
        if (dpugw_pci_address_is_valid (parts[i]))
          return g_ascii_strdown (parts[i], -1);
    }

  {
    g_autofree char *shown = dpugw_sysfs_display_path (sysfs, device_dir);
    g_set_error (error, DPUGW_ERROR, DPUGW_ERROR_PCI_ADDRESS,
                 DPUGW_MSG_PCI_ADDRESS ": the device of %s (%s) is not on a PCI bus", netdev, shown);
  }
  return NULL;
}

/* Step 3. */
char *
dpugw_pf_pci_from_vf_pci (DpugwSysfs *sysfs, const char *vf_pci, GError **error)
{
  g_autofree char *vf = NULL;
  g_autofree char *vf_rel = NULL;
  g_autofree char *vf_dir = NULL;
  g_autofree char *physfn_rel = NULL;
  g_autofree char *target = NULL;
  g_autofree char *pf_dir = NULL;
  g_autoptr(GError) local_error = NULL;
  const char *pf_name;

  vf = dpugw_pci_address_normalize (vf_pci, error);
  if (vf == NULL)
    return NULL;

  vf_rel = g_strconcat ("bus/pci/devices/", vf, NULL);
  vf_dir = dpugw_sysfs_canonicalize (sysfs, vf_rel, &local_error);
  if (vf_dir == NULL)
    {
      g_set_error (error, DPUGW_ERROR, DPUGW_ERROR_PF_PCI_ADDRESS,
                   DPUGW_MSG_PF_PCI_ADDRESS ": no PCI device %s (%s)", vf, local_error->message);
      return NULL;
    }

  physfn_rel = g_strconcat (vf_dir, "/physfn", NULL);
  target = dpugw_sysfs_read_link (sysfs, physfn_rel, &local_error);
  if (target == NULL)
    {
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
        g_set_error (error, DPUGW_ERROR, DPUGW_ERROR_PF_PCI_ADDRESS,
                     DPUGW_MSG_PF_PCI_ADDRESS ": %s is not a virtual function (no physfn link)", vf);
      else
        g_set_error (error, DPUGW_ERROR, DPUGW_ERROR_PF_PCI_ADDRESS,
                     DPUGW_MSG_PF_PCI_ADDRESS ": cannot read the physfn link of %s (%s)",
                     vf, local_error->message);
      return NULL;
    }

  pf_dir = dpugw_sysfs_canonicalize (sysfs, physfn_rel, &local_error);
  if (pf_dir == NULL)
    {
      g_autofree char *q = dpugw_quote_untrusted (target);
      g_set_error (error, DPUGW_ERROR, DPUGW_ERROR_PF_PCI_ADDRESS,
                   DPUGW_MSG_PF_PCI_ADDRESS ": the physfn link of %s points to %s, which cannot be followed (%s)",
                   vf, q, local_error->message);
      return NULL;
    }

  pf_name = strrchr (pf_dir, '/');
  pf_name = pf_name != NULL ? pf_name + 1 : pf_dir;
  if (!dpugw_pci_address_is_valid (pf_name))
    {
      g_autofree char *q = dpugw_quote_untrusted (pf_name);
      g_set_error (error, DPUGW_ERROR, DPUGW_ERROR_PF_PCI_ADDRESS,
                   DPUGW_MSG_PF_PCI_ADDRESS ": the physfn link of %s leads to %s, which is not a PCI function",
                   vf, q);
      return NULL;
    }
  return g_ascii_strdown (pf_name, -1);
}

/* The PCI function's netdevs, sorted, without invalid names; NULL if net/ cannot be read. */
static GStrv
list_pci_netdevs (DpugwSysfs *sysfs, const char *pci, GError **error)
{
  g_autofree char *net_rel = g_strconcat ("bus/pci/devices/", pci, "/net", NULL);
  g_auto(GStrv) names = dpugw_sysfs_list_dir (sysfs, net_rel, error);
  GPtrArray *valid;

  if (names == NULL)
    return NULL;
  valid = g_ptr_array_new ();
  for (guint i = 0; names[i] != NULL; i++)
    {
      if (dpugw_netdev_name_is_valid (names[i]))
        g_ptr_array_add (valid, g_steal_pointer (&names[i]));
      else
        {
          g_autofree char *q = dpugw_quote_untrusted (names[i]);
          g_debug ("ignoring %s in %s/net: not a valid network device name", q, pci);
          g_clear_pointer (&names[i], g_free);
        }
    }
  g_ptr_array_add (valid, NULL);
  return (GStrv) g_ptr_array_free (valid, FALSE);
}

/* Step 4. */
GStrv
dpugw_netdevs_from_pci (DpugwSysfs *sysfs, const char *pci, GError **error)
{
  g_autofree char *addr = NULL;
  g_autoptr(GError) local_error = NULL;
  g_auto(GStrv) netdevs = NULL;

  addr = dpugw_pci_address_normalize (pci, error);
  if (addr == NULL)
    return NULL;

  netdevs = list_pci_netdevs (sysfs, addr, &local_error);
  if (netdevs == NULL)
    {
      g_set_error (error, DPUGW_ERROR, DPUGW_ERROR_NETDEV_DISCOVERY,
                   DPUGW_MSG_NETDEV_DISCOVERY ": cannot list the network devices of %s (%s)",
                   addr, local_error->message);
      return NULL;
    }
  if (netdevs[0] == NULL)
    {
      g_set_error (error, DPUGW_ERROR, DPUGW_ERROR_NO_NETDEVS,
                   DPUGW_MSG_NO_NETDEVS " %s", addr);
      return NULL;
    }
  return g_steal_pointer (&netdevs);
}

/* Steps 3-5, filling @r, whose vf_pci is set. */
static gboolean
resolve_from_vf (DpugwSysfs *sysfs, DpugwResolution *r, GError **error)
{
  r->pf_pci = dpugw_pf_pci_from_vf_pci (sysfs, r->vf_pci, error);
  if (r->pf_pci == NULL)
    return FALSE;
  r->candidates = dpugw_netdevs_from_pci (sysfs, r->pf_pci, error);
  if (r->candidates == NULL)
    return FALSE;
  r->interface = g_strdup (r->candidates[0]);
  return TRUE;
}

DpugwResolution *
dpugw_resolve_vf_pci (DpugwSysfs *sysfs, const char *vf_pci, GError **error)
{
  g_autoptr(DpugwResolution) r = g_new0 (DpugwResolution, 1);
  g_auto(GStrv) vf_netdevs = NULL;

  r->source = DPUGW_SOURCE_DERIVED;
  r->vf_pci = dpugw_pci_address_normalize (vf_pci, error);
  if (r->vf_pci == NULL)
    return NULL;
  if (!resolve_from_vf (sysfs, r, error))
    return NULL;
  /* A VF bound to vfio-pci has no netdev: it is known by address only. */
  vf_netdevs = list_pci_netdevs (sysfs, r->vf_pci, NULL);
  r->mgmt_port = g_strdup (vf_netdevs != NULL && vf_netdevs[0] != NULL ? vf_netdevs[0] : "");
  return g_steal_pointer (&r);
}

static DpugwResolution *
resolve_netdev (DpugwSysfs *sysfs, const char *netdev, DpugwSource source, GError **error)
{
  g_autoptr(DpugwResolution) r = g_new0 (DpugwResolution, 1);

  r->source = source;
  r->mgmt_port = g_strdup (netdev);
  r->vf_pci = dpugw_pci_from_netdev (sysfs, netdev, error);
  if (r->vf_pci == NULL)
    return NULL;
  if (!resolve_from_vf (sysfs, r, error))
    return NULL;
  return g_steal_pointer (&r);
}

static gboolean
netdev_exists (DpugwSysfs *sysfs, const char *netdev)
{
  g_autofree char *rel = g_strconcat ("class/net/", netdev, NULL);
  g_autofree char *dir = dpugw_sysfs_canonicalize (sysfs, rel, NULL);
  return dir != NULL;
}

static DpugwResolution *
resolve_configured (DpugwSysfs *sysfs, const DpugwConfig *config, GError **error)
{
  if (config == NULL)
    {
      g_set_error_literal (error, DPUGW_ERROR, DPUGW_ERROR_NOT_CONFIGURED,
                           "no management port given and none configured");
      return NULL;
    }

  if (config->gateway_interface != NULL &&
      strcmp (config->gateway_interface, DPUGW_DERIVE_FROM_MGMT_PORT) != 0)
    {
      DpugwResolution *r;

      /* Printed alone for GW=$(...): never let a malformed name through. */
      if (!dpugw_netdev_name_validate (config->gateway_interface, error))
        return NULL;
      r = g_new0 (DpugwResolution, 1);
      r->source = DPUGW_SOURCE_EXPLICIT;
      r->mgmt_port = g_strdup (config->mgmt_port_netdev != NULL ? config->mgmt_port_netdev : "");
      r->vf_pci = g_strdup ("");
      r->pf_pci = g_strdup ("");
      r->interface = g_strdup (config->gateway_interface);
      r->candidates = g_new0 (char *, 2);
      r->candidates[0] = g_strdup (config->gateway_interface);
      return r;
    }

  switch (config->mgmt_source)
    {
    case DPUGW_MGMT_SOURCE_DEVICE_PLUGIN:
      {
        DpugwResolution *r = dpugw_resolve_vf_pci (sysfs, config->mgmt_port_vf_pci, error);
        if (r != NULL)
          r->source = DPUGW_SOURCE_DEVICE_PLUGIN;
        return r;
      }

    case DPUGW_MGMT_SOURCE_NETDEV:
      if (!dpugw_netdev_name_validate (config->mgmt_port_netdev, error))
        return NULL;
      if (!netdev_exists (sysfs, config->mgmt_port_netdev) &&
          strcmp (config->mgmt_port_netdev, DPUGW_OVNK_MGMT_PORT_NAME) != 0 &&
          netdev_exists (sysfs, DPUGW_OVNK_MGMT_PORT_NAME))
        {
          g_debug ("%s does not exist, %s does: resolving through it",
                   config->mgmt_port_netdev, DPUGW_OVNK_MGMT_PORT_NAME);
          return resolve_netdev (sysfs, DPUGW_OVNK_MGMT_PORT_NAME, DPUGW_SOURCE_RENAMED_FALLBACK, error);
        }
      return resolve_netdev (sysfs, config->mgmt_port_netdev, DPUGW_SOURCE_DERIVED, error);

    case DPUGW_MGMT_SOURCE_NONE:
      break;
    }

  g_set_error_literal (error, DPUGW_ERROR, DPUGW_ERROR_NOT_CONFIGURED,
                       "no management port configured: set --ovnkube-node-mgmt-port-netdev or "
                       "--ovnkube-node-mgmt-port-dp-resource-name, or name one");
  return NULL;
}

DpugwResolution *
dpugw_resolve (DpugwSysfs        *sysfs,
               const DpugwConfig *config,
               const char        *mgmt_port,
               GError           **error)
{
  g_return_val_if_fail (DPUGW_IS_SYSFS (sysfs), NULL);

  if (mgmt_port == NULL || *mgmt_port == '\0')
    return resolve_configured (sysfs, config, error);

  /* A netdev name cannot contain ':', so the two forms never overlap. */
  if (strchr (mgmt_port, ':') != NULL)
    return dpugw_resolve_vf_pci (sysfs, mgmt_port, error);
  if (!dpugw_netdev_name_validate (mgmt_port, error))
    return NULL;
  return resolve_netdev (sysfs, mgmt_port, DPUGW_SOURCE_DERIVED, error);
}
