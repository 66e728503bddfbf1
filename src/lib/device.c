/* SPDX-License-Identifier: Apache-2.0
 *
 * What the library reads off a device's sysfs entries, once for the resolver, the
 * selection, the diagnosis and the topology: a device path's PCI function, scalable
 * functions, a port's kind by its phys_port_name, virtfnN links and a function's netdevs.
 */
#define G_LOG_DOMAIN "dpugw-device"

#include "dpu-gateway/dpugw-names.h"
#include "dpu-gateway/dpugw-resolver.h"
#include "lib-private.h"

#include <string.h>

char *
lib_device_nearest_pci (const char *device_dir)
{
  const char *first, *end;

  /* "devices/" and then its components, the last first. */
  if (!g_str_has_prefix (device_dir, "devices/"))
    return NULL;
  first = device_dir + strlen ("devices/");
  end = first + strlen (first);
  for (;;)
    {
      const char *start = end;

      while (start > first && start[-1] != '/')
        start--;
      if (end - start == DPUGW_PCI_ADDRESS_LEN)
        {
          char name[DPUGW_PCI_ADDRESS_LEN + 1];

          memcpy (name, start, DPUGW_PCI_ADDRESS_LEN);
          name[DPUGW_PCI_ADDRESS_LEN] = '\0';
          if (dpugw_pci_address_is_valid (name))
            return g_ascii_strdown (name, -1);
        }
      if (start == first)
        return NULL;
      end = start - 1;
    }
}

char *
lib_device_scalable_function (DpugwSysfs *sysfs, const char *device_dir)
{
  const char *base = strrchr (device_dir, '/');
  g_autofree char *subsystem_rel = NULL;
  g_autofree char *subsystem = NULL;

  base = base != NULL ? base + 1 : device_dir;
  if (strstr (base, ".sf.") == NULL || !dpugw_auxiliary_name_is_valid (base))
    return NULL;
  subsystem_rel = g_strconcat (device_dir, "/subsystem", NULL);
  subsystem = dpugw_sysfs_read_link_name (sysfs, subsystem_rel, NULL);
  return g_strcmp0 (subsystem, "auxiliary") == 0 ? g_strdup (base) : NULL;
}

/* @p at one or more digits: the first byte after them; NULL if @p is at no digit. */
static const char *
skip_digits (const char *p)
{
  if (!g_ascii_isdigit (*p))
    return NULL;
  while (g_ascii_isdigit (*p))
    p++;
  return p;
}

LibPortKind
lib_port_kind (const char *phys_port_name)
{
  const char *p = phys_port_name;

  if (p == NULL)
    return LIB_PORT_OTHER;
  /* "pN" */
  if (p[0] == 'p' && (p = skip_digits (p + 1)) != NULL && *p == '\0')
    return LIB_PORT_UPLINK;
  /* ["cN"] "pfN" ["vfM" | "sfM"] */
  p = phys_port_name;
  if (*p == 'c' && (p = skip_digits (p + 1)) == NULL)
    return LIB_PORT_OTHER;
  if (strncmp (p, "pf", 2) != 0 || (p = skip_digits (p + 2)) == NULL)
    return LIB_PORT_OTHER;
  if (*p == '\0')
    return LIB_PORT_PF_REPRESENTOR;
  if (strncmp (p, "vf", 2) == 0 || strncmp (p, "sf", 2) == 0)
    {
      const char *end = skip_digits (p + 2);

      if (end != NULL && *end == '\0')
        return p[0] == 'v' ? LIB_PORT_VF_REPRESENTOR : LIB_PORT_SF_REPRESENTOR;
    }
  return LIB_PORT_OTHER;
}

gboolean
lib_device_exists (DpugwSysfs *sysfs, const char *relpath)
{
  g_autofree char *dir = dpugw_sysfs_canonicalize (sysfs, relpath, NULL);
  return dir != NULL;
}

char *
lib_device_driver (DpugwSysfs *sysfs, const char *dir_rel)
{
  g_autofree char *rel = g_strconcat (dir_rel, "/driver", NULL);
  g_autofree char *driver = dpugw_sysfs_read_link_name (sysfs, rel, NULL);

  if (driver == NULL || *driver == '\0')
    return NULL;
  for (const char *p = driver; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != '_' && *p != '-' && *p != '.')
      return NULL;
  return g_steal_pointer (&driver);
}

gboolean
lib_parse_decimal (const char *text, guint64 max, guint64 *value)
{
  guint64 v = 0;

  if (*text == '\0')
    return FALSE;
  for (const char *p = text; *p != '\0'; p++)
    {
      guint64 digit = (guint64) (*p - '0');

      if (!g_ascii_isdigit (*p) || digit > max || v > (max - digit) / 10)
        return FALSE;
      v = v * 10 + digit;
    }
  *value = v;
  return TRUE;
}

gboolean
lib_parse_virtfn_index (const char *name, guint *index)
{
  guint64 value;

  if (!g_str_has_prefix (name, "virtfn") || !lib_parse_decimal (name + strlen ("virtfn"), 65535, &value))
    return FALSE;
  *index = (guint) value;
  return TRUE;
}

GStrv
lib_device_netdevs (DpugwSysfs *sysfs, const char *dir_rel, GError **error)
{
  g_autofree char *net_rel = g_strconcat (dir_rel, "/net", NULL);
  GStrv names = dpugw_sysfs_list_dir (sysfs, net_rel, error);
  guint kept = 0;

  if (names == NULL)
    return NULL;
  for (guint i = 0; names[i] != NULL; i++)
    {
      if (dpugw_netdev_name_is_valid (names[i]))
        names[kept++] = names[i];
      else
        {
          g_autofree char *q = dpugw_quote_untrusted (names[i]);
          g_debug ("ignoring %s in %s: not a valid network device name", q, net_rel);
          g_free (names[i]);
        }
    }
  names[kept] = NULL;
  return names;
}
