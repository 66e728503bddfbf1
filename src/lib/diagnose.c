/* SPDX-License-Identifier: Apache-2.0
 *
 * The troubleshooting of --gateway-interface=derive-from-mgmt-port, made
 * concrete: every step of the pipeline (dpugw-resolver.h) is run on its own,
 * and when one breaks, the documented error is turned into what it means on
 * this machine and what to do about it.  One section per diagnosis step, named
 * by its id; dpugw-diagnose.h says which pipeline step each checks.
 *
 * Everything is read through DpugwSysfs, so nothing outside its root.
 */
#define G_LOG_DOMAIN "dpugw-diagnose"

#include "dpu-gateway/dpugw-diagnose.h"
#include "lib-private.h"
#include "dpu-gateway/dpugw-error.h"
#include "dpu-gateway/dpugw-names.h"
#include "dpu-gateway/dpugw-resolver.h"
#include "dpu-gateway/dpugw-topology.h"

#include <gio/gio.h>
#include <string.h>

/* At most this many virtfn links are named in a message. */
#define MAX_LISTED 8

typedef struct {
  DpugwSysfs *sysfs;
  const DpugwConfig *config;
  const char *asked;     /* the caller's management port; NULL for the configured one */
  GPtrArray *steps;

  /* What the steps found. */
  char *netdev;          /* the management netdev; NULL when the port is named by its function */
  char *vf_pci;          /* the VF, normalised */
  char *sf;              /* or a scalable function's auxiliary device ("mlx5_core.sf.2") */
  char *sf_rel;          /* its canonical directory below the root */
  char *device_name;     /* the netdev's device when not the PCI function itself ("virtio0") */
  char *pf_pci;
  char *pf_rel;          /* "bus/pci/devices/PF" */
  guint num_vfs;
} Diag;

static void
diag_clear (Diag *d)
{
  g_free (d->netdev);
  g_free (d->vf_pci);
  g_free (d->sf);
  g_free (d->sf_rel);
  g_free (d->device_name);
  g_free (d->pf_pci);
  g_free (d->pf_rel);
}

void
dpugw_diag_step_free (DpugwDiagStep *step)
{
  if (step == NULL)
    return;
  g_free (step->step);
  g_free (step->value);
  g_free (step->path);
  g_free (step->cause);
  g_free (step->fix);
  g_free (step);
}

/* Takes @s; returns it, or a valid UTF-8 copy of it. */
static char *
take_valid_utf8 (char *s)
{
  char *valid;

  if (s == NULL || g_utf8_validate (s, -1, NULL))
    return s;
  valid = g_utf8_make_valid (s, -1);
  g_free (s);
  return valid;
}

/*
 * Appends a step; takes every string.  A failure always has a cause and a
 * fix, a success neither.  Returns @ok, so that a step can end with it.
 */
static gboolean
add_step (Diag *d, const char *id, gboolean ok, char *value, char *path, char *cause, char *fix)
{
  DpugwDiagStep *step = g_new0 (DpugwDiagStep, 1);

  step->step = g_strdup (id);
  step->ok = ok;
  step->value = take_valid_utf8 (value != NULL ? value : g_strdup (""));
  step->path = take_valid_utf8 (path != NULL ? path : g_strdup (""));
  if (ok)
    {
      g_free (cause);
      g_free (fix);
    }
  else
    {
      step->cause = take_valid_utf8 (cause != NULL ? cause : g_strdup (""));
      step->fix = take_valid_utf8 (fix != NULL ? fix : g_strdup (""));
    }
  g_ptr_array_add (d->steps, step);
  return ok;
}

/* "<root>/<relpath>" */
static char *
show (Diag *d, const char *relpath)
{
  return dpugw_sysfs_display_path (d->sysfs, relpath);
}

static char *
showf (Diag *d, const char *format, ...) G_GNUC_PRINTF (2, 3);

static char *
showf (Diag *d, const char *format, ...)
{
  g_autofree char *relpath = NULL;
  va_list args;

  va_start (args, format);
  relpath = g_strdup_vprintf (format, args);
  va_end (args);
  return show (d, relpath);
}

/* How the library's own resolution fails at this point: its documented message. */
static char *
fails_with (const GError *error)
{
  return g_strdup_printf ("the resolution fails with \"%s\"", error->message);
}

static const char *
basename_of (const char *path)
{
  const char *slash = strrchr (path, '/');
  return slash != NULL ? slash + 1 : path;
}

/* A small attribute as a printable word ("up", "p0"); NULL when absent, unreadable
 * (EOPNOTSUPP: the driver does not implement it) or not a word. */
static char *
read_word (DpugwSysfs *sysfs, const char *relpath)
{
  g_autofree char *value = dpugw_sysfs_read_attr (sysfs, relpath, NULL);

  if (value == NULL)
    return NULL;
  g_strstrip (value);
  if (*value == '\0' || strlen (value) > 64)
    return NULL;
  for (const char *p = value; *p != '\0'; p++)
    if (!g_ascii_isgraph (*p))
      return NULL;
  return g_steal_pointer (&value);
}

/* "pf0vf0 (0000:01:02.3), 0000:01:02.5 (no netdev)"; NULL when @pf has no VF.
 * *example: the first VF netdev, if any (transfer full). */
static char *
list_vfs (const DpugwPf *pf, char **example)
{
  g_autoptr(GString) out = g_string_new (NULL);

  for (guint i = 0; pf->vfs != NULL && i < pf->vfs->len; i++)
    {
      const DpugwVf *vf = g_ptr_array_index (pf->vfs, i);

      if (out->len > 0)
        g_string_append (out, ", ");
      if (vf->netdevs != NULL && vf->netdevs[0] != NULL)
        {
          g_string_append_printf (out, "%s (%s)", vf->netdevs[0], vf->pci);
          if (example != NULL && *example == NULL)
            *example = g_strdup (vf->netdevs[0]);
        }
      else
        g_string_append_printf (out, "%s (no netdev)", vf->pci);
    }
  return out->len > 0 ? g_string_free (g_steal_pointer (&out), FALSE) : NULL;
}

/* Where to find a management port on this host, for a fix.  *example: a VF netdev, if any. */
static char *
host_vfs_hint (Diag *d, char **example)
{
  g_autoptr(GPtrArray) pfs = dpugw_topology_scan (d->sysfs, NULL);
  g_autoptr(GString) list = g_string_new (NULL);
  const DpugwPf *sriov_pf = NULL;

  for (guint i = 0; pfs != NULL && i < pfs->len; i++)
    {
      const DpugwPf *pf = g_ptr_array_index (pfs, i);
      g_autofree char *vfs = list_vfs (pf, example);

      if (vfs != NULL)
        g_string_append_printf (list, "%s%s", list->len > 0 ? ", " : "", vfs);
      if (sriov_pf == NULL && pf->total_vfs > 0)
        sriov_pf = pf;
    }
  if (list->len > 0)
    return g_strdup_printf ("the VFs of this host (`dpu-gatewayctl topology`): %s", list->str);
  if (sriov_pf != NULL)
    {
      g_autofree char *numvfs = showf (d, "bus/pci/devices/%s/sriov_numvfs", sriov_pf->pci);
      return g_strdup_printf ("this host has no VFs yet: create them on the PF (`echo N > %s`, N up to %u)",
                              numvfs, sriov_pf->total_vfs);
    }
  return g_strdup ("this host has no SR-IOV physical function: check `lspci -D | grep -i ethernet`, "
                   "and that SR-IOV is enabled in the NIC's firmware and the BIOS");
}

/* "eth0 (PCI function 0000:01:00.0)", "ens3 (virtio0 on PCI function 0000:00:03.0)", "0000:01:00.0" */
static char *
describe_port (Diag *d)
{
  if (d->netdev == NULL)
    return g_strdup (d->vf_pci);
  if (d->device_name != NULL)
    return g_strdup_printf ("%s (%s on PCI function %s)", d->netdev, d->device_name, d->vf_pci);
  return g_strdup_printf ("%s (PCI function %s)", d->netdev, d->vf_pci);
}

/* --- mgmt-port ------------------------------------------------------------- */

#define NAME_RULES "a netdev name as `ip link show` lists it (1-15 bytes, no '/', ':' or whitespace), " \
                   "or the VF's PCI address, DDDD:BB:DD.F (`ethtool -i NETDEV | grep bus-info` prints it)"

/* Whether @name is an alternative name of a netdev in the tree. */
static gboolean
netdev_is_altname (Diag *d, const char *name)
{
  gboolean altname;
  g_autofree char *primary = lib_netdev_in_tree (d->sysfs, name, &altname);

  return primary != NULL && altname;
}

static gboolean
mgmt_port_named (Diag *d)
{
  g_autoptr(GError) error = NULL;

  if (strchr (d->asked, ':') != NULL)
    {
      d->vf_pci = dpugw_pci_address_normalize (d->asked, &error);
      if (d->vf_pci == NULL)
        {
          g_autofree char *q = dpugw_quote_untrusted (d->asked);
          return add_step (d, DPUGW_DIAG_STEP_MGMT_PORT, FALSE,
                           g_strdup_printf ("%s is not a valid PCI address", q), NULL,
                           g_strdup (error->message),
                           g_strdup ("name the management port by " NAME_RULES));
        }
      return add_step (d, DPUGW_DIAG_STEP_MGMT_PORT, TRUE,
                       g_strdup_printf ("%s (a VF PCI address, the port asked for)", d->vf_pci),
                       NULL, NULL, NULL);
    }

  if (!dpugw_netdev_name_validate (d->asked, &error))
    {
      g_autofree char *q = dpugw_quote_untrusted (d->asked);
      return add_step (d, DPUGW_DIAG_STEP_MGMT_PORT, FALSE,
                       g_strdup_printf ("%s is not a valid network device name", q), NULL,
                       g_strdup (error->message),
                       g_strdup ("name the management port by " NAME_RULES));
    }
  d->netdev = g_strdup (d->asked);
  return add_step (d, DPUGW_DIAG_STEP_MGMT_PORT, TRUE,
                   g_strdup_printf ("%s (the port asked for)", d->netdev), NULL, NULL, NULL);
}

static gboolean
mgmt_port_none (Diag *d)
{
  const DpugwConfig *c = d->config;
  g_autofree char *example = NULL;
  g_autofree char *hint = host_vfs_hint (d, &example);
  g_autofree char *cause = NULL;
  gboolean explicit_gw = c != NULL && c->gateway_interface != NULL &&
                         strcmp (c->gateway_interface, DPUGW_DERIVE_FROM_MGMT_PORT) != 0 &&
                         dpugw_netdev_name_is_valid (c->gateway_interface);

  if (c != NULL && c->device_plugin_variable != NULL && c->mgmt_port_dp_resource_name != NULL)
    cause = g_strdup_printf ("the device plugin resource %s is configured, but its variable %s is not set "
                             "in this environment (the SR-IOV device plugin sets it in the ovnkube-node "
                             "container), and no --ovnkube-node-mgmt-port-netdev is configured",
                             c->mgmt_port_dp_resource_name, c->device_plugin_variable);
  else if (explicit_gw)
    cause = g_strdup_printf ("the gateway interface is configured explicitly (--gateway-interface=%s), so "
                             "derive-from-mgmt-port is not in use, and no management port is configured "
                             "that could be examined",
                             c->gateway_interface);
  else
    cause = g_strdup ("no management port is named, and none is configured: neither "
                      "--ovnkube-node-mgmt-port-netdev (OVNKUBE_NODE_MGMT_PORT_NETDEV, mgmt-port-netdev= in "
                      "[OvnKubeNode]) nor --ovnkube-node-mgmt-port-dp-resource-name");

  return add_step (d, DPUGW_DIAG_STEP_MGMT_PORT, FALSE, g_strdup ("none"), NULL,
                   g_steal_pointer (&cause),
                   g_strdup_printf ("set --ovnkube-node-mgmt-port-netdev=%s to the netdev of the management "
                                    "VF (or --ovnkube-node-mgmt-port-dp-resource-name to its SR-IOV device "
                                    "plugin pool), or name one: `dpu-gatewayctl diagnose %s`; %s",
                                    example != NULL ? example : "NETDEV",
                                    example != NULL ? example : "NETDEV", hint));
}

static gboolean
mgmt_port_device_plugin (Diag *d)
{
  const DpugwConfig *c = d->config;
  const char *variable = c->device_plugin_variable != NULL ? c->device_plugin_variable : "PCIDEVICE_*";
  const char *resource = c->mgmt_port_dp_resource_name != NULL ? c->mgmt_port_dp_resource_name : "(unknown)";
  g_autoptr(GError) error = NULL;
  const char *named;

  if (c->mgmt_port_vf_pci != NULL)
    {
      d->vf_pci = dpugw_pci_address_normalize (c->mgmt_port_vf_pci, &error);
      named = d->vf_pci;
    }
  else if (c->mgmt_port_sf != NULL && dpugw_auxiliary_name_is_valid (c->mgmt_port_sf))
    {
      d->sf = g_strdup (c->mgmt_port_sf);
      named = d->sf;
    }
  else
    {
      named = NULL;
      g_set_error_literal (&error, DPUGW_ERROR, DPUGW_ERROR_INVALID_CONFIG,
                           "the device plugin's device is neither a PCI address nor an auxiliary device name");
    }

  if (named == NULL)
    {
      g_autofree char *q = dpugw_quote_untrusted (c->mgmt_port_vf_pci != NULL ? c->mgmt_port_vf_pci
                                                                              : c->mgmt_port_sf);
      return add_step (d, DPUGW_DIAG_STEP_MGMT_PORT, FALSE,
                       g_strdup_printf ("%s (from %s) is not a valid device", q, variable), NULL,
                       g_strdup_printf ("%s: %s", variable, error->message),
                       g_strdup_printf ("check the SR-IOV device plugin's pool %s: %s must list VF PCI addresses "
                                        "(DDDD:BB:DD.F) or scalable functions (mlx5_core.sf.N)",
                                        resource, variable));
    }
  return add_step (d, DPUGW_DIAG_STEP_MGMT_PORT, TRUE,
                   g_strdup_printf ("%s (the first device in %s, the SR-IOV device plugin's variable for "
                                    "resource %s)", named, variable, resource),
                   NULL, NULL, NULL);
}

static gboolean
mgmt_port_netdev (Diag *d)
{
  const DpugwConfig *c = d->config;
  const char *name = c->mgmt_port_netdev;
  g_autoptr(GError) error = NULL;
  g_autofree char *class_rel = NULL;
  g_autofree char *note = NULL;

  if (!dpugw_netdev_name_validate (name, &error))
    {
      g_autofree char *q = dpugw_quote_untrusted (name);
      return add_step (d, DPUGW_DIAG_STEP_MGMT_PORT, FALSE,
                       g_strdup_printf ("%s is not a valid network device name", q), NULL,
                       g_strdup_printf ("the configured management port netdev is invalid: %s", error->message),
                       g_strdup ("set --ovnkube-node-mgmt-port-netdev (OVNKUBE_NODE_MGMT_PORT_NETDEV, "
                                 "mgmt-port-netdev= in [OvnKubeNode]) to the management VF's netdev as "
                                 "`ip link show` lists it"));
    }

  class_rel = g_strconcat ("class/net/", name, NULL);
  if (!lib_device_exists (d->sysfs, class_rel) && !netdev_is_altname (d, name) &&
      strcmp (name, DPUGW_OVNK_MGMT_PORT_NAME) != 0 && lib_device_exists (d->sysfs, "class/net/" DPUGW_OVNK_MGMT_PORT_NAME))
    {
      d->netdev = g_strdup (DPUGW_OVNK_MGMT_PORT_NAME);
      return add_step (d, DPUGW_DIAG_STEP_MGMT_PORT, TRUE,
                       g_strdup_printf (DPUGW_OVNK_MGMT_PORT_NAME " (the configured %s does not exist; "
                                        DPUGW_OVNK_MGMT_PORT_NAME ", the name OVN-Kubernetes gives the "
                                        "management port it has taken, is used instead)", name),
                       show (d, "class/net/" DPUGW_OVNK_MGMT_PORT_NAME), NULL, NULL);
    }

  d->netdev = g_strdup (name);
  if (c->device_plugin_variable != NULL)
    note = g_strdup_printf ("; the device plugin variable %s is not set", c->device_plugin_variable);
  return add_step (d, DPUGW_DIAG_STEP_MGMT_PORT, TRUE,
                   g_strdup_printf ("%s (the configured management port netdev%s)", name, note != NULL ? note : ""),
                   NULL, NULL, NULL);
}

static gboolean
step_mgmt_port (Diag *d)
{
  if (d->asked != NULL)
    return mgmt_port_named (d);
  if (d->config == NULL)
    return mgmt_port_none (d);
  switch (d->config->mgmt_source)
    {
    case DPUGW_MGMT_SOURCE_DEVICE_PLUGIN:
      return mgmt_port_device_plugin (d);
    case DPUGW_MGMT_SOURCE_NETDEV:
      return mgmt_port_netdev (d);
    case DPUGW_MGMT_SOURCE_NONE:
      break;
    }
  return mgmt_port_none (d);
}

/* --- netdev ---------------------------------------------------------------- */

static gboolean
step_netdev (Diag *d)
{
  g_autofree char *rel = NULL;
  g_autofree char *dir = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) lib_error = NULL;
  g_autofree char *pci = NULL;

  if (d->netdev == NULL)
    {
      /* Named by its function: a VF bound to vfio-pci has no netdev, and needs none. */
      const char *function = d->vf_pci != NULL ? d->vf_pci : d->sf;
      const char *how = d->vf_pci != NULL ? "PCI address" : "auxiliary device name";
      g_autofree char *dir_rel = d->vf_pci != NULL ? g_strconcat ("bus/pci/devices/", d->vf_pci, NULL)
                                                   : g_strconcat ("bus/auxiliary/devices/", d->sf, NULL);
      g_autofree char *net_rel = g_strconcat (dir_rel, "/net", NULL);
      g_auto(GStrv) names = lib_device_netdevs (d->sysfs, dir_rel, NULL);
      g_autofree char *driver = lib_device_driver (d->sysfs, dir_rel);
      g_autofree char *value = NULL;

      if (names != NULL && names[0] != NULL)
        value = g_strdup_printf ("skipped: %s is named by %s; its netdev is %s", function, how, names[0]);
      else if (lib_device_exists (d->sysfs, dir_rel))
        value = g_strdup_printf ("skipped: %s is named by %s; it has no netdev%s%s%s, which is not an error",
                                 function, how, driver != NULL ? " (driver " : "", driver != NULL ? driver : "",
                                 driver != NULL ? ")" : "");
      else
        value = g_strdup_printf ("skipped: %s is named by %s", function, how);
      return add_step (d, DPUGW_DIAG_STEP_NETDEV, TRUE, g_steal_pointer (&value), show (d, net_rel), NULL, NULL);
    }

  rel = g_strconcat ("class/net/", d->netdev, NULL);
  dir = dpugw_sysfs_canonicalize (d->sysfs, rel, &error);
  if (dir != NULL)
    return add_step (d, DPUGW_DIAG_STEP_NETDEV, TRUE, g_strdup (d->netdev), show (d, rel), NULL, NULL);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
    {
      /* An alternative name: the kernel's lookup finds it, as ovnkube-node's does; its primary
       * name from then on. */
      gboolean altname;
      g_autofree char *primary = lib_netdev_in_tree (d->sysfs, d->netdev, &altname);

      if (primary != NULL && altname)
        {
          g_autofree char *value = g_strdup_printf ("%s (%s is an alternative name of it)", primary, d->netdev);
          g_autofree char *primary_rel = g_strconcat ("class/net/", primary, NULL);

          g_free (d->netdev);
          d->netdev = g_steal_pointer (&primary);
          return add_step (d, DPUGW_DIAG_STEP_NETDEV, TRUE, g_steal_pointer (&value), show (d, primary_rel), NULL,
                           NULL);
        }
    }

  /* The library's message for it. */
  pci = dpugw_pci_from_netdev (d->sysfs, d->netdev, &lib_error);
  if (lib_error == NULL)
    g_set_error_literal (&lib_error, DPUGW_ERROR, DPUGW_ERROR_PCI_ADDRESS, error->message);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
    {
      g_autofree char *example = NULL;
      g_autofree char *hint = host_vfs_hint (d, &example);
      g_autofree char *lib = fails_with (lib_error);
      const char *renamed = "";

      if (strcmp (d->netdev, DPUGW_OVNK_MGMT_PORT_NAME) != 0)
        {
          if (d->asked != NULL && lib_device_exists (d->sysfs, "class/net/" DPUGW_OVNK_MGMT_PORT_NAME))
            renamed = " (" DPUGW_OVNK_MGMT_PORT_NAME " exists: OVN-Kubernetes renames the management port it "
                      "has taken to it, so examine that one)";
          else if (d->asked == NULL)
            renamed = " (nor does " DPUGW_OVNK_MGMT_PORT_NAME ", the name OVN-Kubernetes gives the management "
                      "port it has taken)";
        }
      return add_step (d, DPUGW_DIAG_STEP_NETDEV, FALSE, g_strdup_printf ("%s does not exist", d->netdev),
                       show (d, rel),
                       g_strdup_printf ("there is no network device %s on this host%s; %s", d->netdev, renamed, lib),
                       g_strdup_printf ("check `ip link show %s` (`ip link show` lists them all) and use the netdev "
                                        "of the management VF, or name the VF by its PCI address; %s",
                                        d->netdev, hint));
    }

  {
    g_autofree char *shown = show (d, rel);
    g_autofree char *lib = fails_with (lib_error);
    return add_step (d, DPUGW_DIAG_STEP_NETDEV, FALSE, g_strdup_printf ("cannot read %s", d->netdev),
                     g_strdup (shown), g_strdup_printf ("%s; %s", error->message, lib),
                     g_strdup_printf ("check that this process may read %s (`ls -l %s`)", shown, shown));
  }
}

/* --- pci-address ----------------------------------------------------------- */

static gboolean
pci_address_of_netdev (Diag *d)
{
  g_autofree char *device_rel = g_strconcat ("class/net/", d->netdev, "/device", NULL);
  g_autofree char *path = show (d, device_rel);
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) lib_error = NULL;
  g_autofree char *device_dir = dpugw_sysfs_canonicalize (d->sysfs, device_rel, &error);
  g_autofree char *pci = dpugw_pci_from_netdev (d->sysfs, d->netdev, &lib_error);
  g_autofree char *lib = NULL;
  g_autofree char *hint = NULL;

  if (pci != NULL && device_dir != NULL)
    {
      const char *base = basename_of (device_dir);

      if (g_ascii_strcasecmp (base, pci) == 0)
        {
          d->vf_pci = g_steal_pointer (&pci);
          return add_step (d, DPUGW_DIAG_STEP_PCI_ADDRESS, TRUE, g_strdup (d->vf_pci), g_steal_pointer (&path),
                           NULL, NULL);
        }
      d->sf = lib_device_scalable_function (d->sysfs, device_dir);
      if (d->sf != NULL)
        {
          /* A scalable function's PCI parent is its PF. */
          d->sf_rel = g_strdup (device_dir);
          d->pf_pci = g_steal_pointer (&pci);
          return add_step (d, DPUGW_DIAG_STEP_PCI_ADDRESS, TRUE,
                           g_strdup_printf ("%s (the PCI function above scalable function %s)", d->pf_pci, d->sf),
                           g_steal_pointer (&path), NULL, NULL);
        }
      d->device_name = g_strdup (base);
      d->vf_pci = g_steal_pointer (&pci);
      return add_step (d, DPUGW_DIAG_STEP_PCI_ADDRESS, TRUE,
                       g_strdup_printf ("%s (the PCI function above %s)", d->vf_pci, d->device_name),
                       g_steal_pointer (&path), NULL, NULL);
    }

  if (lib_error == NULL)
    g_set_error_literal (&lib_error, DPUGW_ERROR, DPUGW_ERROR_PCI_ADDRESS,
                         error != NULL ? error->message : DPUGW_MSG_PCI_ADDRESS);
  lib = fails_with (lib_error);
  hint = host_vfs_hint (d, NULL);

  if (device_dir == NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
    return add_step (d, DPUGW_DIAG_STEP_PCI_ADDRESS, FALSE,
                     g_strdup_printf ("%s has no device link", d->netdev), g_steal_pointer (&path),
                     g_strdup_printf ("%s is a virtual network device, not backed by a PCI function; %s",
                                      d->netdev, lib),
                     g_strdup_printf ("use the VF netdev of the management port; `ip -d link show %s` shows what "
                                      "kind of virtual device %s is, and `ethtool -i NETDEV | grep bus-info` "
                                      "prints the PCI address of a netdev backed by hardware; %s",
                                      d->netdev, d->netdev, hint));

  if (device_dir != NULL)
    {
      g_autofree char *shown = show (d, device_dir);
      return add_step (d, DPUGW_DIAG_STEP_PCI_ADDRESS, FALSE,
                       g_strdup_printf ("the device of %s is not on a PCI bus", d->netdev), g_steal_pointer (&path),
                       g_strdup_printf ("the device of %s, %s, is neither a PCI function nor below one; %s",
                                        d->netdev, shown, lib),
                       g_strdup_printf ("derive-from-mgmt-port needs the netdev of an SR-IOV VF (a PCI function) "
                                        "as the management port; `ethtool -i %s | grep bus-info` shows the bus "
                                        "of this one; %s", d->netdev, hint));
    }

  return add_step (d, DPUGW_DIAG_STEP_PCI_ADDRESS, FALSE,
                   g_strdup_printf ("cannot follow the device link of %s", d->netdev), g_strdup (path),
                   g_strdup_printf ("%s; %s", error != NULL ? error->message : "", lib),
                   g_strdup_printf ("check the link: `ls -l %s` (sysfs links are relative and stay within the "
                                    "sysfs root); `ethtool -i %s | grep bus-info` prints the PCI address",
                                    path, d->netdev));
}

static gboolean
pci_address_of_sf (Diag *d)
{
  g_autofree char *rel = g_strconcat ("bus/auxiliary/devices/", d->sf, NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = dpugw_sysfs_canonicalize (d->sysfs, rel, &error);
  g_autoptr(GError) lib_error = NULL;
  g_autoptr(DpugwResolution) r = NULL;
  g_autofree char *lib = NULL;

  if (dir != NULL)
    {
      d->pf_pci = lib_device_nearest_pci (dir);
      if (d->pf_pci != NULL)
        {
          d->sf_rel = g_steal_pointer (&dir);
          return add_step (d, DPUGW_DIAG_STEP_PCI_ADDRESS, TRUE,
                           g_strdup_printf ("%s (the PCI function above scalable function %s)", d->pf_pci, d->sf),
                           show (d, rel), NULL, NULL);
        }
    }

  r = dpugw_resolve_function (d->sysfs, d->config, d->sf, &lib_error);
  if (lib_error == NULL)
    g_set_error (&lib_error, DPUGW_ERROR, DPUGW_ERROR_PF_PCI_ADDRESS,
                 DPUGW_MSG_PF_PCI_ADDRESS ": the auxiliary device %s has no PCI parent", d->sf);
  lib = fails_with (lib_error);
  if (dir == NULL)
    {
      g_autofree char *devices = show (d, "bus/auxiliary/devices");
      return add_step (d, DPUGW_DIAG_STEP_PCI_ADDRESS, FALSE, g_strdup_printf ("%s does not exist", d->sf),
                       show (d, rel),
                       g_strdup_printf ("there is no auxiliary device %s on this host; %s", d->sf, lib),
                       g_strdup_printf ("the device plugin names a scalable function that is gone: check its pool "
                                        "(`devlink port show` lists the scalable functions, `ls %s` their "
                                        "devices)", devices));
    }
  return add_step (d, DPUGW_DIAG_STEP_PCI_ADDRESS, FALSE,
                   g_strdup_printf ("%s is not below a PCI function", d->sf), show (d, rel),
                   g_strdup_printf ("the auxiliary device %s has no PCI parent; %s", d->sf, lib),
                   g_strdup ("use a scalable function of the NIC's PF (`devlink port show`) or one of its VFs"));
}

static gboolean
pci_address_of_vf (Diag *d)
{
  g_autofree char *rel = g_strconcat ("bus/pci/devices/", d->vf_pci, NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = dpugw_sysfs_canonicalize (d->sysfs, rel, &error);
  g_autoptr(GError) lib_error = NULL;
  g_autofree char *pf = NULL;
  g_autofree char *lib = NULL;
  g_autofree char *hint = NULL;
  g_autofree char *from_plugin = NULL;

  if (dir != NULL)
    return add_step (d, DPUGW_DIAG_STEP_PCI_ADDRESS, TRUE, g_strdup (d->vf_pci), show (d, rel), NULL, NULL);

  /* The library's message for it: the configured resolution's for the device plugin's address. */
  if (d->asked == NULL && d->config != NULL && d->config->mgmt_source == DPUGW_MGMT_SOURCE_DEVICE_PLUGIN)
    dpugw_resolution_free (dpugw_resolve (d->sysfs, d->config, NULL, &lib_error));
  else
    pf = dpugw_pf_pci_from_vf_pci (d->sysfs, d->vf_pci, &lib_error);
  if (lib_error == NULL)
    g_set_error_literal (&lib_error, DPUGW_ERROR, DPUGW_ERROR_PF_PCI_ADDRESS, error->message);
  lib = fails_with (lib_error);
  hint = host_vfs_hint (d, NULL);
  if (d->asked == NULL && d->config != NULL && d->config->device_plugin_variable != NULL)
    from_plugin = g_strdup_printf ("; the device plugin's %s names a VF that is gone: check the pool of the "
                                   "SR-IOV device plugin, and restart the pod to get a fresh allocation",
                                   d->config->device_plugin_variable);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
    return add_step (d, DPUGW_DIAG_STEP_PCI_ADDRESS, FALSE, g_strdup_printf ("%s does not exist", d->vf_pci),
                     show (d, rel),
                     g_strdup_printf ("there is no PCI function %s on this host; %s", d->vf_pci, lib),
                     g_strdup_printf ("check `lspci -D -s %s`; %s%s", d->vf_pci, hint,
                                      from_plugin != NULL ? from_plugin : ""));
  {
    g_autofree char *shown = show (d, rel);
    return add_step (d, DPUGW_DIAG_STEP_PCI_ADDRESS, FALSE, g_strdup_printf ("cannot read %s", d->vf_pci),
                     g_strdup (shown), g_strdup_printf ("%s; %s", error->message, lib),
                     g_strdup_printf ("check `ls -l %s` (sysfs links are relative and stay within the sysfs root)",
                                      shown));
  }
}

static gboolean
step_pci_address (Diag *d)
{
  if (d->netdev != NULL)
    return pci_address_of_netdev (d);
  if (d->sf != NULL)
    return pci_address_of_sf (d);
  return pci_address_of_vf (d);
}

/* --- physfn ---------------------------------------------------------------- */

/* The management port is no VF, and @pf says what it is. */
static gboolean
physfn_is_pf (Diag *d, const DpugwPf *pf, const char *path, const char *lib)
{
  g_autofree char *port = describe_port (d);
  g_autofree char *example = NULL;
  g_autofree char *vfs = list_vfs (pf, &example);
  g_autofree char *fix = NULL;

  if (vfs != NULL && example != NULL)
    fix = g_strdup_printf ("use one of its VFs as the management port: %s; e.g. --ovnkube-node-mgmt-port-netdev=%s "
                           "(check it with `dpu-gatewayctl diagnose %s`)", vfs, example, example);
  else if (vfs != NULL)
    fix = g_strdup_printf ("use one of its VFs as the management port, by PCI address since none has a netdev: %s",
                           vfs);
  else
    {
      g_autofree char *numvfs = showf (d, "bus/pci/devices/%s/sriov_numvfs", pf->pci);
      if (pf->total_vfs > 0)
        fix = g_strdup_printf ("it has no VFs: create them (`echo N > %s`, N up to %u), and use a VF's netdev as "
                               "the management port", numvfs, pf->total_vfs);
      else
        fix = g_strdup ("it supports no VFs (sriov_totalvfs 0): use a VF of an SR-IOV capable NIC as the "
                        "management port");
    }
  return add_step (d, DPUGW_DIAG_STEP_PHYSFN, FALSE,
                   g_strdup_printf ("%s is not a virtual function", d->vf_pci), g_strdup (path),
                   g_strdup_printf ("%s is an SR-IOV physical function (sriov_totalvfs %u, %u VFs enabled), not a "
                                    "virtual function: the gateway interface is one of a PF's netdevs, and the "
                                    "management port must be one of its VFs; %s",
                                    port, pf->total_vfs, pf->num_vfs, lib),
                   g_steal_pointer (&fix));
}

static gboolean
physfn_not_vf (Diag *d, const char *path, const char *lib)
{
  g_autofree char *vf_rel = g_strconcat ("bus/pci/devices/", d->vf_pci, NULL);
  g_autoptr(DpugwPf) pf = dpugw_topology_scan_pf (d->sysfs, d->vf_pci, NULL);
  g_autofree char *driver = lib_device_driver (d->sysfs, vf_rel);
  g_autofree char *port = describe_port (d);
  g_autofree char *hint = NULL;
  g_autofree char *devices = NULL;

  if (d->netdev != NULL)
    {
      g_autofree char *what = NULL;
      g_autofree char *fix = NULL;

      /* A representor lives under its PF's PCI function: not a PF the user meant either.  The
       * whole pipeline's message, which says so too. */
      if (lib_representor_explain (d->sysfs, d->netdev, d->vf_pci, &what, &fix))
        {
          g_autoptr(GError) whole_error = NULL;
          DpugwResolution *r = dpugw_resolve (d->sysfs, d->config, d->netdev, &whole_error);
          g_autofree char *whole = whole_error != NULL ? fails_with (whole_error) : g_strdup (lib);

          g_clear_pointer (&r, dpugw_resolution_free);

          return add_step (d, DPUGW_DIAG_STEP_PHYSFN, FALSE,
                           g_strdup_printf ("%s is a representor, not a virtual function", d->netdev),
                           g_strdup (path), g_strdup_printf ("%s; %s", what, whole), g_steal_pointer (&fix));
        }
    }
  if (pf != NULL)
    return physfn_is_pf (d, pf, path, lib);

  if ((d->device_name != NULL && g_str_has_prefix (d->device_name, "virtio")) ||
      (driver != NULL && strstr (driver, "virtio") != NULL))
    return add_step (d, DPUGW_DIAG_STEP_PHYSFN, FALSE,
                     g_strdup_printf ("%s is not a virtual function", d->vf_pci), g_strdup (path),
                     g_strdup_printf ("%s is a virtio-net device%s%s%s, not an SR-IOV virtual function: virtio has "
                                      "no physfn link, and no PF to take the gateway from; %s",
                                      port, driver != NULL ? " (driver " : "", driver != NULL ? driver : "",
                                      driver != NULL ? ")" : "", lib),
                     g_strdup ("derive-from-mgmt-port needs the netdev of an SR-IOV VF as the management port (on a "
                               "virtual machine, pass a VF through instead of a virtio-net device); or set the "
                               "gateway interface explicitly: --gateway-interface=NETDEV"));

  hint = host_vfs_hint (d, NULL);
  devices = show (d, "bus/pci/devices");
  return add_step (d, DPUGW_DIAG_STEP_PHYSFN, FALSE,
                   g_strdup_printf ("%s is not a virtual function", d->vf_pci), g_strdup (path),
                   g_strdup_printf ("%s%s%s is neither an SR-IOV virtual function (no physfn link) nor a "
                                    "physical function (no sriov_totalvfs); %s",
                                    port, driver != NULL ? ", driver " : "", driver != NULL ? driver : "", lib),
                   g_strdup_printf ("use the netdev of an SR-IOV VF as the management port: `lspci -D | grep -i "
                                    "ethernet` lists the NICs, `ls -d %s/*/virtfn*` the VFs; %s", devices, hint));
}

static gboolean
step_physfn (Diag *d)
{
  g_autofree char *physfn_rel = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GError) lib_error = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *lib = NULL;
  g_autofree char *target = NULL;
  g_autofree char *pf_dir = NULL;

  if (d->sf != NULL)
    return add_step (d, DPUGW_DIAG_STEP_PHYSFN, TRUE,
                     g_strdup_printf ("%s (the PCI parent of scalable function %s: a scalable function has no "
                                      "physfn link)", d->pf_pci, d->sf),
                     show (d, d->sf_rel), NULL, NULL);

  physfn_rel = g_strconcat ("bus/pci/devices/", d->vf_pci, "/physfn", NULL);
  path = show (d, physfn_rel);
  d->pf_pci = dpugw_pf_pci_from_vf_pci (d->sysfs, d->vf_pci, &lib_error);
  if (d->pf_pci != NULL)
    return add_step (d, DPUGW_DIAG_STEP_PHYSFN, TRUE, g_strdup (d->pf_pci), g_steal_pointer (&path), NULL, NULL);

  lib = fails_with (lib_error);
  target = dpugw_sysfs_read_link (d->sysfs, physfn_rel, &error);
  if (target == NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
    return physfn_not_vf (d, path, lib);

  if (target != NULL)
    pf_dir = dpugw_sysfs_canonicalize (d->sysfs, physfn_rel, &error);

  if (target != NULL && pf_dir == NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
    {
      /* A dangling link: the PF it names is gone. */
      const char *base = basename_of (target);
      g_autofree char *pf = dpugw_pci_address_is_valid (base) ? g_ascii_strdown (base, -1) : NULL;
      g_autofree char *q = dpugw_quote_untrusted (target);
      g_autofree char *vf_dir = showf (d, "bus/pci/devices/%s", d->vf_pci);
      g_autofree char *rescan = show (d, "bus/pci/rescan");
      g_autofree char *numvfs = pf != NULL ? showf (d, "bus/pci/devices/%s/sriov_numvfs", pf) : NULL;

      return add_step (d, DPUGW_DIAG_STEP_PHYSFN, FALSE,
                       g_strdup_printf ("physfn leads to %s, which does not exist", pf != NULL ? pf : q),
                       g_strdup (path),
                       g_strdup_printf ("the physfn link of %s points to %s, which does not exist: its PF%s%s is "
                                        "gone (hot-unplugged, removed or renumbered) while the VF remains; %s",
                                        d->vf_pci, q, pf != NULL ? " " : "", pf != NULL ? pf : "", lib),
                       pf != NULL
                         ? g_strdup_printf ("check `ls -l %s` and `lspci -D -s %s`; remove the stale VF "
                                            "(`echo 1 > %s/remove`), bring the PF back (`echo 1 > %s`) and "
                                            "re-create its VFs (`echo N > %s`)",
                                            path, pf, vf_dir, rescan, numvfs)
                         : g_strdup_printf ("check `ls -l %s`; remove the stale VF (`echo 1 > %s/remove`) and "
                                            "rescan the bus (`echo 1 > %s`)", path, vf_dir, rescan));
    }

  return add_step (d, DPUGW_DIAG_STEP_PHYSFN, FALSE,
                   g_strdup_printf ("the physfn link of %s cannot be used", d->vf_pci), g_strdup (path),
                   error != NULL ? g_strdup_printf ("%s; %s", error->message, lib) : g_steal_pointer (&lib),
                   g_strdup_printf ("check the link: `ls -l %s` (sysfs links are relative and stay within the "
                                    "sysfs root); then `cat %s/address`", path, path));
}

/* --- sriov ----------------------------------------------------------------- */

static gboolean
step_sriov (Diag *d)
{
  g_autofree char *total_rel = NULL;
  g_autofree char *num_rel = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;
  guint total = 0, num = 0;
  gboolean have_total, have_num = FALSE;

  d->pf_rel = g_strconcat ("bus/pci/devices/", d->pf_pci, NULL);
  total_rel = g_strconcat (d->pf_rel, "/sriov_totalvfs", NULL);
  num_rel = g_strconcat (d->pf_rel, "/sriov_numvfs", NULL);
  path = show (d, num_rel);

  have_total = dpugw_sysfs_read_attr_uint (d->sysfs, total_rel, &total, &error);
  if (have_total)
    have_num = dpugw_sysfs_read_attr_uint (d->sysfs, num_rel, &num, &error);
  d->num_vfs = num;

  if (d->sf != NULL)
    {
      /* A scalable function needs no VF: report, never fail. */
      if (!have_total)
        return add_step (d, DPUGW_DIAG_STEP_SRIOV, TRUE,
                         g_strdup_printf ("%s has no SR-IOV (no sriov_totalvfs), which a scalable function does "
                                          "not need", d->pf_pci),
                         show (d, total_rel), NULL, NULL);
      return add_step (d, DPUGW_DIAG_STEP_SRIOV, TRUE,
                       g_strdup_printf ("%u total, %u enabled (a scalable function needs none)", total, num),
                       g_steal_pointer (&path), NULL, NULL);
    }

  if (!have_total || !have_num)
    {
      g_autofree char *pf_dir = show (d, d->pf_rel);
      return add_step (d, DPUGW_DIAG_STEP_SRIOV, FALSE,
                       g_strdup_printf ("cannot read %s of %s", have_total ? "sriov_numvfs" : "sriov_totalvfs",
                                        d->pf_pci),
                       show (d, have_total ? num_rel : total_rel),
                       g_strdup_printf ("%s is the PF of %s (its physfn link), but does not show its SR-IOV state "
                                        "(%s)", d->pf_pci, d->vf_pci, error->message),
                       g_strdup_printf ("check the PF's driver (`lspci -k -s %s`) and its SR-IOV capability "
                                        "(`lspci -vvv -s %s | grep -i 'single root'`); `ls %s` lists what it "
                                        "has", d->pf_pci, d->pf_pci, pf_dir));
    }

  if (num == 0)
    {
      g_autofree char *pf_dir = show (d, d->pf_rel);
      return add_step (d, DPUGW_DIAG_STEP_SRIOV, FALSE, g_strdup_printf ("%u total, 0 enabled", total),
                       g_strdup (path),
                       g_strdup_printf ("%s has its VFs disabled (sriov_numvfs 0 of %u), yet %s still names it as "
                                        "its PF: the VFs are being destroyed or re-created, or the state is stale",
                                        d->pf_pci, total, d->vf_pci),
                       g_strdup_printf ("enable the VFs: `echo N > %s` (N up to %u; on a cluster the SR-IOV "
                                        "network operator does this), then check `ip link show` and "
                                        "`ls -d %s/virtfn*`", path, total, pf_dir));
    }

  return add_step (d, DPUGW_DIAG_STEP_SRIOV, TRUE, g_strdup_printf ("%u total, %u enabled", total, num),
                   g_steal_pointer (&path), NULL, NULL);
}

/* --- virtfn ---------------------------------------------------------------- */

static gboolean
step_virtfn (Diag *d)
{
  g_auto(GStrv) entries = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) seen = g_string_new (NULL);
  g_autofree char *pf_dir = show (d, d->pf_rel);
  g_autofree char *driver = NULL;
  g_autofree char *reload = NULL;
  guint n_links = 0;

  if (d->sf != NULL)
    return add_step (d, DPUGW_DIAG_STEP_VIRTFN, TRUE,
                     g_strdup_printf ("skipped: %s is a scalable function of %s, not a VF", d->sf, d->pf_pci),
                     show (d, d->sf_rel), NULL, NULL);

  entries = dpugw_sysfs_list_dir (d->sysfs, d->pf_rel, &error);
  for (guint i = 0; entries != NULL && entries[i] != NULL; i++)
    {
      g_autofree char *link = NULL;
      g_autofree char *dir = NULL;
      const char *base;
      guint index;

      if (!lib_parse_virtfn_index (entries[i], &index))
        continue;
      n_links++;
      link = g_strconcat (d->pf_rel, "/", entries[i], NULL);
      dir = dpugw_sysfs_canonicalize (d->sysfs, link, NULL);
      base = dir != NULL ? basename_of (dir) : NULL;
      if (base != NULL && g_ascii_strcasecmp (base, d->vf_pci) == 0)
        return add_step (d, DPUGW_DIAG_STEP_VIRTFN, TRUE, g_strdup_printf ("virtfn%u", index), show (d, link),
                         NULL, NULL);
      if (n_links <= MAX_LISTED)
        {
          g_autofree char *q = base != NULL && dpugw_pci_address_is_valid (base) ? g_strdup (base)
                               : g_strdup ("a missing device");
          g_string_append_printf (seen, "%s%s -> %s", seen->len > 0 ? ", " : "", entries[i], q);
        }
      else if (n_links == MAX_LISTED + 1)
        g_string_append (seen, ", ...");
    }

  driver = lib_device_driver (d->sysfs, d->pf_rel);
  reload = driver != NULL ? g_strdup_printf ("reload the PF's driver (`modprobe -r %s && modprobe %s`)", driver, driver)
                          : g_strdup ("bind the PF's driver again");
  return add_step (d, DPUGW_DIAG_STEP_VIRTFN, FALSE,
                   g_strdup_printf ("no virtfn link of %s leads to %s", d->pf_pci, d->vf_pci),
                   g_strdup_printf ("%s/virtfn*", pf_dir),
                   entries == NULL
                     ? g_strdup_printf ("inconsistent SR-IOV state: %s names %s as its PF (physfn), whose directory "
                                        "cannot be listed (%s)", d->vf_pci, d->pf_pci, error->message)
                     : g_strdup_printf ("inconsistent SR-IOV state: %s names %s as its PF (physfn), but %s "
                                        "(sriov_numvfs %u)", d->vf_pci, d->pf_pci,
                                        n_links > 0 ? "none of the PF's virtfn links leads back to it" : "the PF has "
                                        "no virtfn link at all", d->num_vfs),
                   g_strdup_printf ("%s%s%s, or re-create the VFs (`echo 0 > %s/sriov_numvfs`, then `echo %u > "
                                    "%s/sriov_numvfs`); check `ls -l %s/virtfn*`",
                                    reload, seen->len > 0 ? "; the PF's links now: " : "", seen->str,
                                    pf_dir, d->num_vfs, pf_dir, pf_dir));
}

/* --- pf-netdevs ------------------------------------------------------------ */

/* A virtio-net PF keeps its netdev below PF/virtioN/net/: its name, or NULL. */
static char *
virtio_child_netdev (Diag *d, char **child)
{
  g_auto(GStrv) entries = dpugw_sysfs_list_dir (d->sysfs, d->pf_rel, NULL);

  for (guint i = 0; entries != NULL && entries[i] != NULL; i++)
    {
      g_autofree char *rel = NULL;
      g_auto(GStrv) names = NULL;

      if (!g_str_has_prefix (entries[i], "virtio") || !dpugw_netdev_name_is_valid (entries[i]))
        continue;
      rel = g_strconcat (d->pf_rel, "/", entries[i], NULL);
      names = lib_device_netdevs (d->sysfs, rel, NULL);
      if (names != NULL && names[0] != NULL)
        {
          *child = g_strdup (entries[i]);
          return g_strdup (names[0]);
        }
    }
  return NULL;
}

static gboolean
step_pf_netdevs (Diag *d)
{
  g_autofree char *net_rel = g_strconcat (d->pf_rel, "/net", NULL);
  g_autofree char *path = show (d, net_rel);
  g_autoptr(GError) lib_error = NULL;
  g_auto(GStrv) netdevs = dpugw_netdevs_from_pci (d->sysfs, d->pf_pci, &lib_error);
  g_autoptr(GString) value = NULL;
  g_autofree char *switch_id = NULL;

  if (netdevs == NULL)
    {
      g_autofree char *lib = fails_with (lib_error);
      g_autofree char *driver = lib_device_driver (d->sysfs, d->pf_rel);
      const char *late = "the PF's driver has not created its netdevs yet (DPU hosts: the Arm side must "
                         "configure the NIC first), or they were moved into another network namespace "
                         "(`ip netns`)";

      if (g_error_matches (lib_error, DPUGW_ERROR, DPUGW_ERROR_NO_NETDEVS))
        return add_step (d, DPUGW_DIAG_STEP_PF_NETDEVS, FALSE, g_strdup_printf ("%s/net/ is empty", d->pf_pci),
                         g_strdup (path),
                         g_strdup_printf ("%s: %s exists but lists no network device", lib_error->message, path),
                         g_strdup_printf ("%s; check `ls %s/`", late, path));

      if (g_error_matches (lib_error, DPUGW_ERROR, DPUGW_ERROR_NETDEV_DISCOVERY) && !lib_device_exists (d->sysfs, net_rel))
        {
          g_autofree char *child = NULL;
          g_autofree char *child_netdev = virtio_child_netdev (d, &child);
          g_autofree char *what = NULL;
          g_autofree char *fix = NULL;

          if (child_netdev != NULL)
            {
              what = g_strdup_printf ("%s is a virtio-net PF: it keeps its netdev %s under %s/net/, where "
                                      "derive-from-mgmt-port does not look", d->pf_pci, child_netdev, child);
              fix = g_strdup_printf ("set the gateway interface explicitly: --gateway-interface=%s", child_netdev);
            }
          else if (driver == NULL)
            {
              what = g_strdup_printf ("no driver is bound to %s, so it has no netdevs", d->pf_pci);
              fix = g_strdup_printf ("bind %s to its network driver (`lspci -k -s %s` shows the kernel modules "
                                     "that can drive it); then check `ls %s/`", d->pf_pci, d->pf_pci, path);
            }
          else if (g_str_has_prefix (driver, "vfio") || g_str_has_prefix (driver, "uio") ||
                   strcmp (driver, "pci-stub") == 0)
            {
              what = g_strdup_printf ("%s is bound to %s, which creates no netdevs", d->pf_pci, driver);
              fix = g_strdup_printf ("bind %s back to its network driver (`driverctl unset-override %s`, or "
                                     "`lspci -k -s %s` for the kernel modules that can drive it); then check "
                                     "`ls %s/`", d->pf_pci, d->pf_pci, d->pf_pci, path);
            }
          else
            {
              what = g_strdup_printf ("its driver %s has created no netdevs for %s", driver, d->pf_pci);
              fix = g_strdup_printf ("%s; check `ls %s/`", late, path);
            }
          return add_step (d, DPUGW_DIAG_STEP_PF_NETDEVS, FALSE,
                           g_strdup_printf ("%s has no net/ directory", d->pf_pci), g_strdup (path),
                           g_strdup_printf ("%s; %s", what, lib), g_steal_pointer (&fix));
        }

      return add_step (d, DPUGW_DIAG_STEP_PF_NETDEVS, FALSE,
                       g_strdup_printf ("cannot list the netdevs of %s", d->pf_pci), g_strdup (path),
                       g_strdup_printf ("%s", lib_error->message),
                       g_strdup_printf ("check `ls -l %s/` (sysfs links are relative and stay within the sysfs "
                                        "root)", path));
    }

  value = g_string_new (NULL);
  for (guint i = 0; netdevs[i] != NULL; i++)
    {
      g_autofree char *base = g_strconcat (net_rel, "/", netdevs[i], NULL);
      g_autofree char *operstate_rel = g_strconcat (base, "/operstate", NULL);
      g_autofree char *port_rel = g_strconcat (base, "/phys_port_name", NULL);
      g_autofree char *switch_rel = g_strconcat (base, "/phys_switch_id", NULL);
      g_autofree char *operstate = read_word (d->sysfs, operstate_rel);
      g_autofree char *port = read_word (d->sysfs, port_rel);
      g_autofree char *id = read_word (d->sysfs, switch_rel);

      if (switch_id == NULL && id != NULL)
        switch_id = g_steal_pointer (&id);
      g_string_append_printf (value, "%s%s (%s", i > 0 ? ", " : "", netdevs[i],
                              operstate != NULL ? operstate : "operstate unknown");
      switch (lib_port_kind (port))
        {
        case LIB_PORT_UPLINK:
          g_string_append_printf (value, ", uplink %s", port);
          break;
        case LIB_PORT_VF_REPRESENTOR:
          g_string_append_printf (value, ", representor of VF %s", port);
          break;
        case LIB_PORT_PF_REPRESENTOR:
          g_string_append_printf (value, ", representor of PF %s", port);
          break;
        case LIB_PORT_SF_REPRESENTOR:
          g_string_append_printf (value, ", representor of SF %s", port);
          break;
        case LIB_PORT_HOST_PF_REPRESENTOR:
          g_string_append_printf (value, ", representor of the host PF %s", port);
          break;
        case LIB_PORT_OTHER:
          if (port != NULL)
            g_string_append_printf (value, ", port %s", port);
          break;
        }
      g_string_append_c (value, ')');
    }
  if (switch_id != NULL)
    g_string_append_printf (value, "; switchdev mode (phys_switch_id %s)", switch_id);
  return add_step (d, DPUGW_DIAG_STEP_PF_NETDEVS, TRUE, g_string_free (g_steal_pointer (&value), FALSE),
                   g_steal_pointer (&path), NULL, NULL);
}

/* --- selection ------------------------------------------------------------- */

static gboolean
step_selection (Diag *d)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DpugwResolution) r = dpugw_resolve (d->sysfs, d->config, d->asked, &error);
  g_autofree char *path = showf (d, "%s/net", d->pf_rel);
  g_autoptr(GString) value = NULL;

  if (r == NULL)
    {
      if (g_error_matches (error, DPUGW_ERROR, DPUGW_ERROR_NO_MATCH))
        return add_step (d, DPUGW_DIAG_STEP_SELECTION, FALSE, g_strdup ("no netdev matches the selection rules"),
                         g_steal_pointer (&path), g_strdup (error->message),
                         g_strdup ("adjust the selection rules (--gateway-select, select= in [Gateway]): `first` "
                                   "matches any netdev, so a list that ends with it (e.g. uplink,first) always "
                                   "selects one"));
      return add_step (d, DPUGW_DIAG_STEP_SELECTION, FALSE, g_strdup ("no gateway interface"),
                       g_steal_pointer (&path), g_strdup (error->message),
                       g_strdup ("the steps above passed, so the hardware changed meanwhile: run the diagnosis "
                                 "again"));
    }

  value = g_string_new (r->interface);
  if (r->source == DPUGW_SOURCE_EXPLICIT)
    {
      /* What derive-from-mgmt-port would choose, for comparison. */
      g_autoptr(DpugwResolution) derived = dpugw_resolve_pf (d->sysfs, d->config, d->pf_pci, NULL);

      g_string_append_printf (value, ", configured explicitly (--gateway-interface=%s)", r->interface);
      if (derived != NULL)
        g_string_append_printf (value, "; derived from the management port it would be %s, by rule %s",
                                derived->interface, derived->selected_by);
      return add_step (d, DPUGW_DIAG_STEP_SELECTION, TRUE, g_string_free (g_steal_pointer (&value), FALSE),
                       g_steal_pointer (&path), NULL, NULL);
    }

  /* The resolution says how it chose (DpugwResolution.selected_by, .hint). */
  g_string_append_printf (value, ", by rule %s", r->selected_by != NULL ? r->selected_by : "first");
  if (r->selected_by == NULL || strcmp (r->selected_by, "first") == 0)
    g_string_append (value, " (the first netdev in sorted order)");
  else if (r->interfaces != NULL && g_strv_length (r->interfaces) > 1)
    {
      g_autofree char *all = g_strjoinv (", ", r->interfaces);
      g_string_append_printf (value, "; the rule matched %s", all);
    }
  if (r->hint != NULL)
    g_string_append_printf (value, "; hint: %s", r->hint);
  return add_step (d, DPUGW_DIAG_STEP_SELECTION, TRUE, g_string_free (g_steal_pointer (&value), FALSE),
                   g_steal_pointer (&path), NULL, NULL);
}

/* --- the whole ------------------------------------------------------------- */

GPtrArray *
dpugw_diagnose (DpugwSysfs *sysfs, const DpugwConfig *config, const char *mgmt_port)
{
  Diag d = { 0 };

  g_return_val_if_fail (DPUGW_IS_SYSFS (sysfs), NULL);

  d.sysfs = sysfs;
  d.config = config;
  d.asked = mgmt_port != NULL && *mgmt_port != '\0' ? mgmt_port : NULL;
  d.steps = g_ptr_array_new_with_free_func ((GDestroyNotify) dpugw_diag_step_free);

  (void) (step_mgmt_port (&d) &&
          step_netdev (&d) &&
          step_pci_address (&d) &&
          step_physfn (&d) &&
          step_sriov (&d) &&
          step_virtfn (&d) &&
          step_pf_netdevs (&d) &&
          step_selection (&d));

  diag_clear (&d);
  return d.steps;
}

/* --- as GVariant ----------------------------------------------------------- */

static GVariant *
string_variant (const char *s)
{
  g_autofree char *valid = NULL;

  if (s == NULL)
    return g_variant_new_string ("");
  if (g_utf8_validate (s, -1, NULL))
    return g_variant_new_string (s);
  valid = g_utf8_make_valid (s, -1);
  return g_variant_new_string (valid);
}

GVariant *
dpugw_diag_steps_to_variant (GPtrArray *steps)
{
  GVariantBuilder builder;

  g_return_val_if_fail (steps != NULL, NULL);

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("aa{sv}"));
  for (guint i = 0; i < steps->len; i++)
    {
      const DpugwDiagStep *step = g_ptr_array_index (steps, i);

      g_variant_builder_open (&builder, G_VARIANT_TYPE_VARDICT);
      g_variant_builder_add (&builder, "{sv}", "step", string_variant (step->step));
      g_variant_builder_add (&builder, "{sv}", "ok", g_variant_new_boolean (step->ok));
      g_variant_builder_add (&builder, "{sv}", "value", string_variant (step->value));
      g_variant_builder_add (&builder, "{sv}", "path", string_variant (step->path));
      if (!step->ok)
        {
          g_variant_builder_add (&builder, "{sv}", "cause", string_variant (step->cause));
          g_variant_builder_add (&builder, "{sv}", "fix", string_variant (step->fix));
        }
      g_variant_builder_close (&builder);
    }
  return g_variant_builder_end (&builder);
}

static char *
lookup_string (GVariant *dict, const char *key)
{
  const char *value = NULL;

  if (!g_variant_lookup (dict, key, "&s", &value))
    return NULL;
  return g_strdup (value);
}

GPtrArray *
dpugw_diag_steps_from_variant (GVariant *steps)
{
  GPtrArray *out;
  GVariantIter iter;
  GVariant *dict;

  g_return_val_if_fail (steps != NULL && g_variant_is_of_type (steps, G_VARIANT_TYPE ("aa{sv}")), NULL);

  out = g_ptr_array_new_with_free_func ((GDestroyNotify) dpugw_diag_step_free);
  g_variant_iter_init (&iter, steps);
  while ((dict = g_variant_iter_next_value (&iter)) != NULL)
    {
      DpugwDiagStep *step = g_new0 (DpugwDiagStep, 1);
      gboolean ok = FALSE;

      step->step = lookup_string (dict, "step");
      if (step->step == NULL)
        step->step = g_strdup ("");
      if (g_variant_lookup (dict, "ok", "b", &ok))
        step->ok = ok;
      step->value = lookup_string (dict, "value");
      if (step->value == NULL)
        step->value = g_strdup ("");
      step->path = lookup_string (dict, "path");
      if (step->path == NULL)
        step->path = g_strdup ("");
      if (!step->ok)
        {
          step->cause = lookup_string (dict, "cause");
          if (step->cause == NULL)
            step->cause = g_strdup ("");
          step->fix = lookup_string (dict, "fix");
          if (step->fix == NULL)
            step->fix = g_strdup ("");
        }
      g_ptr_array_add (out, step);
      g_variant_unref (dict);
    }
  return out;
}
