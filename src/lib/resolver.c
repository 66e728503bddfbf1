/* SPDX-License-Identifier: Apache-2.0
 *
 * The pipeline of --gateway-interface=derive-from-mgmt-port: its steps, numbered in
 * dpugw-resolver.h, and dpugw_resolve(), which runs them from a management port.
 */
#define G_LOG_DOMAIN "dpugw-resolver"

#include "dpu-gateway/dpugw-error.h"
#include "dpu-gateway/dpugw-hostnet.h"
#include "dpu-gateway/dpugw-names.h"
#include "dpu-gateway/dpugw-resolver.h"
#include "lib-private.h"

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
      return "configured";
    case DPUGW_SOURCE_NODE_IP:
      return "node-ip";
    case DPUGW_SOURCE_DEFAULT_ROUTE:
      return "default-route";
    }
  return "unknown";
}

/* DpugwBeyond's bits, in order. */
static const char *const beyond_names[] = {
  "scalable-function", "no-netdev", "virtio-pf", "selection-rule", "gateway-altname", "pci-domain",
};

char *
dpugw_beyond_to_string (DpugwBeyond beyond)
{
  g_autoptr(GString) out = g_string_new (NULL);

  for (guint i = 0; i < G_N_ELEMENTS (beyond_names); i++)
    if ((beyond & (1u << i)) != 0)
      g_string_append_printf (out, "%s%s", out->len > 0 ? "," : "", beyond_names[i]);
  return g_string_free (g_steal_pointer (&out), FALSE);
}

DpugwBeyond
dpugw_beyond_from_string (const char *text)
{
  g_auto(GStrv) words = g_strsplit (text != NULL ? text : "", ",", -1);
  guint beyond = 0;

  for (guint w = 0; words[w] != NULL; w++)
    for (guint i = 0; i < G_N_ELEMENTS (beyond_names); i++)
      if (strcmp (words[w], beyond_names[i]) == 0)
        beyond |= 1u << i;
  return (DpugwBeyond) beyond;
}

gboolean
dpugw_resolution_ovnkube_compatible (const DpugwResolution *r)
{
  return r->beyond == 0;
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
  g_strfreev (r->interfaces);
  g_free (r->selected_by);
  g_free (r->hint);
  g_free (r->function_type);
  g_free (r->sf);
  g_free (r->node_ip);
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
  copy->interfaces = g_strdupv (r->interfaces);
  copy->selected_by = g_strdup (r->selected_by);
  copy->hint = g_strdup (r->hint);
  copy->function_type = g_strdup (r->function_type);
  copy->sf = g_strdup (r->sf);
  copy->node_ip = g_strdup (r->node_ip);
  copy->beyond = r->beyond;
  return copy;
}

const char *
dpugw_resolution_function (const DpugwResolution *r)
{
  return r->sf != NULL && *r->sf != '\0' ? r->sf : r->vf_pci;
}

gboolean
dpugw_auxiliary_name_is_valid (const char *name)
{
  g_auto(GStrv) parts = NULL;
  gsize len;

  if (name == NULL)
    return FALSE;
  len = strnlen (name, 65);
  if (len < 5 || len > 64)
    return FALSE;
  for (const char *p = name; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != '_' && *p != '.' && *p != '-')
      return FALSE;
  /* DRIVER.KIND.N: non-empty parts, a numeric last one. */
  parts = g_strsplit (name, ".", 0);
  if (g_strv_length (parts) < 3)
    return FALSE;
  for (guint i = 0; parts[i] != NULL; i++)
    if (*parts[i] == '\0')
      return FALSE;
  return strspn (parts[g_strv_length (parts) - 1], "0123456789") == strlen (parts[g_strv_length (parts) - 1]);
}

gboolean
dpugw_resolution_equal (const DpugwResolution *a, const DpugwResolution *b)
{
  if (a == NULL || b == NULL)
    return a == b;
  return a->source == b->source && a->beyond == b->beyond &&
         g_strcmp0 (a->mgmt_port, b->mgmt_port) == 0 &&
         g_strcmp0 (a->vf_pci, b->vf_pci) == 0 &&
         g_strcmp0 (a->pf_pci, b->pf_pci) == 0 &&
         g_strcmp0 (a->interface, b->interface) == 0 &&
         g_strcmp0 (a->selected_by, b->selected_by) == 0 &&
         g_strcmp0 (a->hint, b->hint) == 0 &&
         g_strcmp0 (a->function_type, b->function_type) == 0 &&
         g_strcmp0 (a->sf, b->sf) == 0 &&
         g_strcmp0 (a->node_ip, b->node_ip) == 0 &&
         g_strv_equal ((const char * const *) a->candidates, (const char * const *) b->candidates) &&
         (a->interfaces == NULL || b->interfaces == NULL
            ? a->interfaces == b->interfaces
            : g_strv_equal ((const char * const *) a->interfaces, (const char * const *) b->interfaces));
}

/*
 * Step 2: the netdev's function.  *pci is the nearest PCI function (a VF, or
 * for a virtio or auxiliary device its PCI parent); *sf is set when the
 * netdev belongs to a scalable function, whose PCI parent is then its PF.
 * @netdev may be an altname, as for ovnkube-node's lookup: *primary (when not
 * NULL) is the name the tree has it under, used from then on.
 */
static gboolean
netdev_function (DpugwSysfs *sysfs, const char *netdev, char **pci, char **sf, char **primary, GError **error)
{
  g_autofree char *primary_name = NULL;
  g_autofree char *netdev_rel = NULL;
  g_autofree char *netdev_dir = NULL;
  g_autofree char *device_rel = NULL;
  g_autofree char *device_dir = NULL;
  g_autoptr(GError) local_error = NULL;

  *pci = NULL;
  if (sf != NULL)
    *sf = NULL;
  if (!dpugw_netdev_name_validate (netdev, error))
    return FALSE;

  netdev_rel = g_strconcat ("class/net/", netdev, NULL);
  netdev_dir = dpugw_sysfs_canonicalize (sysfs, netdev_rel, &local_error);
  if (netdev_dir == NULL && g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
    {
      /* sysfs has primary names only: an altname leads to its link's primary name. */
      gboolean altname;

      primary_name = lib_netdev_in_tree (sysfs, netdev, &altname);
      if (primary_name != NULL)
        {
          g_clear_error (&local_error);
          g_free (netdev_rel);
          netdev_rel = g_strconcat ("class/net/", primary_name, NULL);
          netdev_dir = dpugw_sysfs_canonicalize (sysfs, netdev_rel, &local_error);
          netdev = primary_name;
        }
    }
  if (netdev_dir == NULL)
    {
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
        g_set_error (error, DPUGW_ERROR, DPUGW_ERROR_PCI_ADDRESS,
                     DPUGW_MSG_PCI_ADDRESS ": no network device %s (%s)", netdev, local_error->message);
      else
        g_set_error (error, DPUGW_ERROR, DPUGW_ERROR_PCI_ADDRESS,
                     DPUGW_MSG_PCI_ADDRESS ": cannot read network device %s (%s)", netdev, local_error->message);
      return FALSE;
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
      return FALSE;
    }

  *pci = lib_device_nearest_pci (device_dir);
  if (*pci == NULL)
    {
      g_autofree char *shown = dpugw_sysfs_display_path (sysfs, device_dir);
      g_set_error (error, DPUGW_ERROR, DPUGW_ERROR_PCI_ADDRESS,
                   DPUGW_MSG_PCI_ADDRESS ": the device of %s (%s) is not on a PCI bus", netdev, shown);
      return FALSE;
    }
  if (sf != NULL)
    *sf = lib_device_scalable_function (sysfs, device_dir);
  if (primary != NULL)
    *primary = g_strdup (netdev);
  return TRUE;
}

/* Step 2. */
char *
dpugw_pci_from_netdev (DpugwSysfs *sysfs, const char *netdev, GError **error)
{
  char *pci = NULL;

  if (!netdev_function (sysfs, netdev, &pci, NULL, NULL, error))
    return NULL;
  return pci;
}

/* What a PCI function that is no VF is, for the hint of step 3's error. */
static char *
describe_function (DpugwSysfs *sysfs, const char *dir)
{
  g_autofree char *total_rel = g_strconcat (dir, "/sriov_totalvfs", NULL);
  g_autofree char *num_rel = g_strconcat (dir, "/sriov_numvfs", NULL);
  g_autofree char *driver = lib_device_driver (sysfs, dir);
  guint total, num = 0;

  if (dpugw_sysfs_read_attr_uint (sysfs, total_rel, &total, NULL))
    {
      dpugw_sysfs_read_attr_uint (sysfs, num_rel, &num, NULL);
      return g_strdup_printf ("it is an SR-IOV physical function (%u of %u VFs enabled); "
                              "use one of its VFs as the management port", num, total);
    }
  if (driver != NULL && strstr (driver, "virtio") != NULL)
    return g_strdup_printf ("it is a virtio device (driver %s), which has no SR-IOV physical function", driver);
  if (driver != NULL)
    return g_strdup_printf ("it is a PCI function without SR-IOV (driver %s)", driver);
  return g_strdup ("it is a PCI function without SR-IOV");
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
        {
          g_autofree char *what = describe_function (sysfs, vf_dir);
          g_set_error (error, DPUGW_ERROR, DPUGW_ERROR_PF_PCI_ADDRESS,
                       DPUGW_MSG_PF_PCI_ADDRESS ": %s is not a virtual function (no physfn link): %s", vf, what);
        }
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

/* Step 4; *@virtio tells whether the netdevs were found below a virtio-net device. */
static GStrv
netdevs_from_pci (DpugwSysfs *sysfs, const char *pci, gboolean *virtio, GError **error)
{
  g_autofree char *addr = NULL;
  g_autofree char *dir_rel = NULL;
  g_autoptr(GError) local_error = NULL;
  g_auto(GStrv) netdevs = NULL;
  g_autoptr(GPtrArray) odd = g_ptr_array_new_with_free_func (g_free);

  addr = dpugw_pci_address_normalize (pci, error);
  if (addr == NULL)
    return NULL;

  dir_rel = g_strconcat ("bus/pci/devices/", addr, NULL);
  netdevs = lib_device_netdevs_full (sysfs, dir_rel, virtio, odd, &local_error);
  if (netdevs == NULL)
    {
      g_set_error (error, DPUGW_ERROR, DPUGW_ERROR_NETDEV_DISCOVERY,
                   DPUGW_MSG_NETDEV_DISCOVERY ": cannot list the network devices of %s (%s)",
                   addr, local_error->message);
      return NULL;
    }
  if (odd->len > 0)
    {
      /* Leaving it out could change which netdev is first; answering it cannot be done. */
      g_autofree char *shown = dpugw_netdev_name_display (g_ptr_array_index (odd, 0));
      g_set_error (error, DPUGW_ERROR, DPUGW_ERROR_NETDEV_DISCOVERY,
                   DPUGW_MSG_NETDEV_DISCOVERY ": %s has a network device named %s, which D-Bus and JSON cannot "
                   "carry; rename it (`ip link set dev NAME name NEWNAME`)", addr, shown);
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

GStrv
dpugw_netdevs_from_pci (DpugwSysfs *sysfs, const char *pci, GError **error)
{
  return netdevs_from_pci (sysfs, pci, NULL, error);
}

static DpugwSelect *
default_select (void)
{
  static gsize select;

  if (g_once_init_enter (&select))
    g_once_init_leave (&select, (gsize) dpugw_select_parse (DPUGW_SELECT_DEFAULT, NULL));
  return (DpugwSelect *) select;
}

static const DpugwSelect *
config_select (const DpugwConfig *config)
{
  return config != NULL && config->select != NULL ? config->select : default_select ();
}

/* Steps 4-5. */
DpugwResolution *
dpugw_resolve_pf (DpugwSysfs *sysfs, const DpugwConfig *config, const char *pf_pci, GError **error)
{
  g_autoptr(DpugwResolution) r = g_new0 (DpugwResolution, 1);
  const DpugwSelect *select = config_select (config);
  gboolean virtio = FALSE;

  r->source = DPUGW_SOURCE_DERIVED;
  r->mgmt_port = g_strdup ("");
  r->vf_pci = g_strdup ("");
  r->function_type = g_strdup ("");
  r->pf_pci = dpugw_pci_address_normalize (pf_pci, error);
  if (r->pf_pci == NULL)
    return NULL;
  r->candidates = netdevs_from_pci (sysfs, r->pf_pci, &virtio, error);
  if (r->candidates == NULL)
    return NULL;
  r->interfaces = dpugw_select_apply (select, sysfs, r->pf_pci, r->candidates, &r->selected_by, &r->hint, error);
  if (r->interfaces == NULL)
    return NULL;
  r->interface = g_strdup (r->interfaces[0]);
  /* What ovnkube-node's sriovnet steps and its `first` would not reach. */
  if (virtio)
    r->beyond |= DPUGW_BEYOND_VIRTIO_PF;
  if (g_strcmp0 (r->selected_by, DPUGW_SELECT_DEFAULT) != 0)
    r->beyond |= DPUGW_BEYOND_SELECTION;
  if (strlen (r->pf_pci) > DPUGW_PCI_ADDRESS_LEN)
    r->beyond |= DPUGW_BEYOND_PCI_DOMAIN;
  return g_steal_pointer (&r);
}

/* Steps 3-5 for @r, whose function (vf_pci, or sf with pf_pci) is set. */
static gboolean
resolve_from_function (DpugwSysfs *sysfs, const DpugwConfig *config, DpugwResolution *r, GError **error)
{
  g_autoptr(DpugwResolution) pf = NULL;

  if (r->sf == NULL)
    {
      g_free (r->pf_pci);
      r->pf_pci = dpugw_pf_pci_from_vf_pci (sysfs, r->vf_pci, error);
      if (r->pf_pci == NULL)
        return FALSE;
    }
  pf = dpugw_resolve_pf (sysfs, config, r->pf_pci, error);
  if (pf == NULL)
    return FALSE;
  r->candidates = g_steal_pointer (&pf->candidates);
  r->interfaces = g_steal_pointer (&pf->interfaces);
  r->interface = g_steal_pointer (&pf->interface);
  r->selected_by = g_steal_pointer (&pf->selected_by);
  r->hint = g_steal_pointer (&pf->hint);
  r->beyond |= pf->beyond;
  if (r->sf != NULL)
    r->beyond |= DPUGW_BEYOND_SCALABLE_FUNCTION;
  return TRUE;
}

static DpugwResolution *
new_function_resolution (const char *vf_pci, const char *sf, const char *pf_pci)
{
  DpugwResolution *r = g_new0 (DpugwResolution, 1);

  r->source = DPUGW_SOURCE_DERIVED;
  r->vf_pci = g_strdup (vf_pci != NULL ? vf_pci : "");
  r->sf = g_strdup (sf);
  r->pf_pci = g_strdup (pf_pci != NULL ? pf_pci : "");
  r->function_type = g_strdup (sf != NULL ? "sf" : "vf");
  return r;
}

/* The first valid netdev of a device directory, "" if none (a VF bound to vfio-pci). */
static char *
first_netdev (DpugwSysfs *sysfs, const char *dir_rel)
{
  g_auto(GStrv) names = lib_device_netdevs (sysfs, dir_rel, NULL);

  return g_strdup (names != NULL && names[0] != NULL ? names[0] : "");
}

DpugwResolution *
dpugw_resolve_function (DpugwSysfs *sysfs, const DpugwConfig *config, const char *function, GError **error)
{
  g_autoptr(DpugwResolution) r = NULL;

  if (function != NULL && strchr (function, ':') != NULL)
    {
      g_autofree char *vf = dpugw_pci_address_normalize (function, error);
      g_autofree char *vf_rel = NULL;

      if (vf == NULL)
        return NULL;
      r = new_function_resolution (vf, NULL, NULL);
      if (!resolve_from_function (sysfs, config, r, error))
        return NULL;
      vf_rel = g_strconcat ("bus/pci/devices/", vf, NULL);
      r->mgmt_port = first_netdev (sysfs, vf_rel);
      /* ovnkube-node starts from the VF's netdev. */
      if (*r->mgmt_port == '\0')
        r->beyond |= DPUGW_BEYOND_NO_NETDEV;
      return g_steal_pointer (&r);
    }

  if (dpugw_auxiliary_name_is_valid (function))
    {
      g_autofree char *rel = g_strconcat ("bus/auxiliary/devices/", function, NULL);
      g_autoptr(GError) local_error = NULL;
      g_autofree char *dir = dpugw_sysfs_canonicalize (sysfs, rel, &local_error);
      g_autofree char *pf = NULL;

      if (dir == NULL)
        {
          g_set_error (error, DPUGW_ERROR, DPUGW_ERROR_PCI_ADDRESS,
                       DPUGW_MSG_PCI_ADDRESS ": no auxiliary device %s (%s)", function, local_error->message);
          return NULL;
        }
      pf = lib_device_nearest_pci (dir);
      if (pf == NULL)
        {
          g_set_error (error, DPUGW_ERROR, DPUGW_ERROR_PF_PCI_ADDRESS,
                       DPUGW_MSG_PF_PCI_ADDRESS ": the auxiliary device %s has no PCI parent", function);
          return NULL;
        }
      r = new_function_resolution (NULL, function, pf);
      if (!resolve_from_function (sysfs, config, r, error))
        return NULL;
      r->mgmt_port = first_netdev (sysfs, dir);
      return g_steal_pointer (&r);
    }

  {
    g_autofree char *q = dpugw_quote_untrusted (function);
    g_set_error (error, DPUGW_ERROR, DPUGW_ERROR_INVALID_ARGUMENT,
                 "invalid management function %s: expected a VF PCI address (DDDD:BB:DD.F) "
                 "or an auxiliary device name (mlx5_core.sf.N)", q);
  }
  return NULL;
}

/* " (netdev eth5)" or " (no netdev)" for VF @index of the PCI function @pci; NULL if it has none. */
static char *
describe_vf_of (DpugwSysfs *sysfs, const char *pci, guint index)
{
  g_autofree char *link = g_strdup_printf ("bus/pci/devices/%s/virtfn%u", pci, index);
  g_autofree char *dir = dpugw_sysfs_canonicalize (sysfs, link, NULL);
  g_autofree char *vf = dir != NULL ? lib_device_nearest_pci (dir) : NULL;
  g_auto(GStrv) netdevs = NULL;

  if (vf == NULL)
    return NULL;
  netdevs = lib_device_netdevs (sysfs, dir, NULL);
  if (netdevs != NULL && netdevs[0] != NULL)
    return g_strdup_printf (": %s (netdev %s)", vf, netdevs[0]);
  return g_strdup_printf (": %s, by its PCI address (it has no netdev)", vf);
}

gboolean
lib_representor_explain (DpugwSysfs *sysfs, const char *netdev, const char *pci, char **what, char **fix)
{
  g_autofree char *rel = g_strconcat ("class/net/", netdev, "/phys_port_name", NULL);
  g_autofree char *port = dpugw_sysfs_read_attr (sysfs, rel, NULL);
  guint pf, index;

  if (port == NULL)
    return FALSE;
  g_strstrip (port);
  switch (lib_port_parse (port, &pf, &index))
    {
    case LIB_PORT_VF_REPRESENTOR:
      {
        g_autofree char *vf = describe_vf_of (sysfs, pci, index);
        *what = g_strdup_printf ("%s is the representor of VF %u of PF %u (phys_port_name %s) on the switchdev "
                                 "function %s, not a VF", netdev, index, pf, port, pci);
        *fix = g_strdup_printf ("use the VF itself as the management port%s",
                                vf != NULL ? vf : " (its netdev where the VF is, or its PCI address)");
        return TRUE;
      }
    case LIB_PORT_SF_REPRESENTOR:
      *what = g_strdup_printf ("%s is the representor of SF %u of PF %u (phys_port_name %s) on the switchdev "
                               "function %s, not a VF", netdev, index, pf, port, pci);
      *fix = g_strdup ("use the SF itself as the management port (its netdev, or its auxiliary device: "
                       "`devlink port show` lists them)");
      return TRUE;
    case LIB_PORT_HOST_PF_REPRESENTOR:
      *what = g_strdup_printf ("%s is the representor of the host's PF %u (phys_port_name %s) on the switchdev "
                               "function %s, not a VF", netdev, pf, port, pci);
      *fix = g_strdup ("use a VF of the host's PF as the management port");
      return TRUE;
    case LIB_PORT_PF_REPRESENTOR:
      *what = g_strdup_printf ("%s is the representor of PF %u (phys_port_name %s) on the switchdev function %s, "
                               "not a VF", netdev, pf, port, pci);
      *fix = g_strdup ("use one of that PF's VFs as the management port");
      return TRUE;
    case LIB_PORT_UPLINK:
    case LIB_PORT_OTHER:
      break;
    }
  return FALSE;
}

/* Step 3 failed for the management netdev @netdev of PCI function @pci: when @netdev is a
 * representor, *error says so, and what to use instead, rather than calling it a PF. */
static void
explain_representor (DpugwSysfs *sysfs, const char *netdev, const char *pci, GError **error)
{
  g_autofree char *what = NULL;
  g_autofree char *fix = NULL;

  if (!lib_representor_explain (sysfs, netdev, pci, &what, &fix))
    return;
  g_clear_error (error);
  g_set_error (error, DPUGW_ERROR, DPUGW_ERROR_PF_PCI_ADDRESS, DPUGW_MSG_PF_PCI_ADDRESS ": %s; %s", what, fix);
}

static DpugwResolution *
resolve_netdev (DpugwSysfs *sysfs, const DpugwConfig *config, const char *netdev, DpugwSource source,
                GError **error)
{
  g_autoptr(DpugwResolution) r = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *pci = NULL;
  g_autofree char *sf = NULL;
  g_autofree char *primary = NULL;

  if (!netdev_function (sysfs, netdev, &pci, &sf, &primary, error))
    return NULL;
  /* A scalable function's PCI parent is its PF. */
  r = sf != NULL ? new_function_resolution (NULL, sf, pci) : new_function_resolution (pci, NULL, NULL);
  r->source = source;
  /* Given by an altname, the netdev is its primary name from then on, as for ovnkube-node. */
  r->mgmt_port = g_steal_pointer (&primary);
  if (!resolve_from_function (sysfs, config, r, &local_error))
    {
      if (sf == NULL && g_error_matches (local_error, DPUGW_ERROR, DPUGW_ERROR_PF_PCI_ADDRESS))
        explain_representor (sysfs, r->mgmt_port, pci, &local_error);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  return g_steal_pointer (&r);
}

/* Whether the kernel's lookup would find @netdev: by its name or an altname. */
static gboolean
netdev_exists (DpugwSysfs *sysfs, const char *netdev)
{
  gboolean altname;
  g_autofree char *name = lib_netdev_in_tree (sysfs, netdev, &altname);
  return name != NULL;
}

static gboolean
device_plugin_vf_exists (DpugwSysfs *sysfs, const DpugwConfig *config, GError **error)
{
  g_autofree char *vf = dpugw_pci_address_normalize (config->mgmt_port_vf_pci, error);
  g_autofree char *rel = NULL;
  g_autofree char *dir = NULL;
  g_autoptr(GError) local_error = NULL;

  if (vf == NULL)
    return FALSE;
  rel = g_strconcat ("bus/pci/devices/", vf, NULL);
  dir = dpugw_sysfs_canonicalize (sysfs, rel, &local_error);
  if (dir == NULL)
    {
      g_set_error (error, DPUGW_ERROR, DPUGW_ERROR_PCI_ADDRESS,
                   DPUGW_MSG_PCI_ADDRESS ": no PCI device %s, the device plugin's device in %s (%s)",
                   vf, config->device_plugin_variable != NULL ? config->device_plugin_variable : "PCIDEVICE_*",
                   local_error->message);
      return FALSE;
    }
  return TRUE;
}

/* A gateway interface not derived from the management port. */
static DpugwResolution *
not_derived (const DpugwConfig *config, const char *interface, DpugwSource source, const char *node_ip)
{
  DpugwResolution *r = g_new0 (DpugwResolution, 1);

  r->source = source;
  r->mgmt_port = g_strdup (config->mgmt_port_netdev != NULL ? config->mgmt_port_netdev : "");
  r->vf_pci = g_strdup ("");
  r->pf_pci = g_strdup ("");
  r->interface = g_strdup (interface);
  r->candidates = g_new0 (char *, 2);
  r->candidates[0] = g_strdup (interface);
  r->interfaces = g_strdupv (r->candidates);
  r->selected_by = g_strdup (dpugw_source_to_string (source));
  r->function_type = g_strdup ("");
  r->node_ip = g_strdup (node_ip);
  return r;
}

/* No gateway interface configured: the node IP's link (dpu-host), or the default route's. */
static DpugwResolution *
resolve_host_network (const DpugwConfig *config, GError **error)
{
  gboolean default_route = dpugw_config_gateway_rule (config) == DPUGW_GATEWAY_RULE_DEFAULT_ROUTE;
  /* Routes only for the default route's link, or for kubelet's node IP. */
  g_autoptr(DpugwHostNetwork) net = dpugw_host_network_read (default_route || config->node_ip == NULL, error);
  g_autoptr(GInetAddress) node_ip = NULL;
  g_autofree char *node_ip_text = NULL;
  const DpugwHostLink *link;
  g_autoptr(GError) local_error = NULL;

  if (net == NULL)
    return NULL;
  if (default_route)
    link = dpugw_host_network_default_route_link (net, error);
  else
    {
      node_ip = config->node_ip != NULL ? dpugw_node_ip_parse (config->node_ip, error)
                                        : dpugw_host_network_default_node_ip (net, error);
      if (node_ip == NULL)
        return NULL;
      node_ip_text = g_inet_address_to_string (node_ip);
      link = dpugw_host_network_node_ip_link (net, node_ip, error);
    }
  if (link == NULL)
    return NULL;
  if (!dpugw_netdev_name_validate (link->name, &local_error))
    {
      g_set_error (error, DPUGW_ERROR, DPUGW_ERROR_HOST_NETWORK, "the interface of index %d: %s", link->ifindex,
                   local_error->message);
      return NULL;
    }
  return not_derived (config, link->name,
                      node_ip != NULL ? DPUGW_SOURCE_NODE_IP : DPUGW_SOURCE_DEFAULT_ROUTE, node_ip_text);
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

  switch (dpugw_config_gateway_rule (config))
    {
    case DPUGW_GATEWAY_RULE_CONFIGURED:
      {
        DpugwResolution *r;
        g_autofree char *primary = NULL;
        gboolean altname = FALSE;

        /* Printed alone for GW=$(...): never let a malformed name through. */
        if (!dpugw_netdev_name_validate (config->gateway_interface, error))
          return NULL;
        /* An altname is answered by its link's primary name; ovnkube-node keeps the altname, and
         * its own default-route check then fails (the route's link resolves to the primary name). */
        primary = lib_netdev_in_tree (sysfs, config->gateway_interface, &altname);
        r = not_derived (config, altname ? primary : config->gateway_interface, DPUGW_SOURCE_EXPLICIT, NULL);
        if (altname)
          r->beyond |= DPUGW_BEYOND_GATEWAY_ALTNAME;
        return r;
      }
    case DPUGW_GATEWAY_RULE_NODE_IP:
    case DPUGW_GATEWAY_RULE_DEFAULT_ROUTE:
      return resolve_host_network (config, error);
    case DPUGW_GATEWAY_RULE_DERIVE:
      break;
    }

  switch (config->mgmt_source)
    {
    case DPUGW_MGMT_SOURCE_DEVICE_PLUGIN:
      {
        DpugwResolution *r;

        /* The device plugin's address stands for the management port's netdev (ovnkube looks its
         * netdev up first): one that does not exist fails getting the PCI address, not the PF's. */
        if (config->mgmt_port_vf_pci != NULL && !device_plugin_vf_exists (sysfs, config, error))
          return NULL;
        r = dpugw_resolve_function (sysfs, config,
                                    config->mgmt_port_vf_pci != NULL ? config->mgmt_port_vf_pci : config->mgmt_port_sf,
                                    error);
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
          return resolve_netdev (sysfs, config, DPUGW_OVNK_MGMT_PORT_NAME, DPUGW_SOURCE_RENAMED_FALLBACK, error);
        }
      return resolve_netdev (sysfs, config, config->mgmt_port_netdev, DPUGW_SOURCE_DERIVED, error);

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
    return dpugw_resolve_function (sysfs, config, mgmt_port, error);
  if (!dpugw_netdev_name_validate (mgmt_port, error))
    return NULL;
  return resolve_netdev (sysfs, config, mgmt_port, DPUGW_SOURCE_DERIVED, error);
}
