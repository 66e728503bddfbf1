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

#include <gio/gio.h>
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
      if (end - start >= DPUGW_PCI_ADDRESS_LEN && end - start <= DPUGW_PCI_ADDRESS_MAX_LEN)
        {
          char name[DPUGW_PCI_ADDRESS_MAX_LEN + 1];

          memcpy (name, start, (gsize) (end - start));
          name[end - start] = '\0';
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

/* "NUMBER" at @p into *@out (at most 65535): the first byte after it; NULL if none. */
static const char *
parse_number (const char *p, guint *out)
{
  const char *end = skip_digits (p);
  guint64 value;
  g_autofree char *digits = NULL;

  if (end == NULL)
    return NULL;
  digits = g_strndup (p, (gsize) (end - p));
  if (!lib_parse_decimal (digits, 65535, &value))
    return NULL;
  *out = (guint) value;
  return end;
}

LibPortKind
lib_port_parse (const char *phys_port_name, guint *pf, guint *index)
{
  const char *p = phys_port_name;
  guint unused_pf, unused_index;

  if (pf == NULL)
    pf = &unused_pf;
  if (index == NULL)
    index = &unused_index;
  *pf = *index = 0;
  if (p == NULL)
    return LIB_PORT_OTHER;
  /* "pN" */
  if (p[0] == 'p' && (p = parse_number (p + 1, pf)) != NULL && *p == '\0')
    return LIB_PORT_UPLINK;
  /* ["cN"] "pfN" ["vfM" | "sfM" | "hpf"] */
  p = phys_port_name;
  if (*p == 'c' && (p = skip_digits (p + 1)) == NULL)
    return LIB_PORT_OTHER;
  if (strncmp (p, "pf", 2) != 0 || (p = parse_number (p + 2, pf)) == NULL)
    return LIB_PORT_OTHER;
  if (*p == '\0')
    return LIB_PORT_PF_REPRESENTOR;
  if (strcmp (p, "hpf") == 0)
    return LIB_PORT_HOST_PF_REPRESENTOR;
  if (strncmp (p, "vf", 2) == 0 || strncmp (p, "sf", 2) == 0)
    {
      const char *end = parse_number (p + 2, index);

      if (end != NULL && *end == '\0')
        return p[0] == 'v' ? LIB_PORT_VF_REPRESENTOR : LIB_PORT_SF_REPRESENTOR;
    }
  return LIB_PORT_OTHER;
}

LibPortKind
lib_port_kind (const char *phys_port_name)
{
  return lib_port_parse (phys_port_name, NULL, NULL);
}

gboolean
lib_port_is_representor (LibPortKind kind)
{
  return kind == LIB_PORT_VF_REPRESENTOR || kind == LIB_PORT_PF_REPRESENTOR ||
         kind == LIB_PORT_SF_REPRESENTOR || kind == LIB_PORT_HOST_PF_REPRESENTOR;
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

/* The names in @net_rel, sorted.  Entries no kernel would make are left out; names the kernel
 * allows that are no valid netdev name for us (bytes that are not UTF-8, control characters) go
 * to @odd when it is not NULL, else are left out with a message in the log. */
static GStrv
list_netdevs (DpugwSysfs *sysfs, const char *net_rel, GPtrArray *odd, GError **error)
{
  GStrv names = dpugw_sysfs_list_dir (sysfs, net_rel, error);
  guint kept = 0;

  if (names == NULL)
    return NULL;
  for (guint i = 0; names[i] != NULL; i++)
    {
      if (dpugw_netdev_name_is_valid (names[i]))
        names[kept++] = names[i];
      else if (!dpugw_netdev_name_is_kernel_valid (names[i]))
        g_free (names[i]); /* no kernel makes it: not a netdev */
      else if (odd != NULL)
        g_ptr_array_add (odd, names[i]);
      else
        {
          g_autofree char *shown = dpugw_netdev_name_display (names[i]);
          g_message ("%s: leaving out the network device %s", net_rel, shown);
          g_free (names[i]);
        }
    }
  names[kept] = NULL;
  return names;
}

/* The first DIR/virtioN that has a net/ directory, relative to the root; NULL if none. */
static char *
virtio_net_dir (DpugwSysfs *sysfs, const char *dir_rel)
{
  g_auto(GStrv) entries = dpugw_sysfs_list_dir (sysfs, dir_rel, NULL);

  for (guint i = 0; entries != NULL && entries[i] != NULL; i++)
    {
      guint64 n;
      g_autofree char *net_rel = NULL;

      if (!g_str_has_prefix (entries[i], "virtio") || !lib_parse_decimal (entries[i] + strlen ("virtio"), G_MAXINT, &n))
        continue;
      net_rel = g_strconcat (dir_rel, "/", entries[i], "/net", NULL);
      if (lib_device_exists (sysfs, net_rel))
        return g_steal_pointer (&net_rel);
    }
  return NULL;
}

GStrv
lib_device_netdevs_full (DpugwSysfs *sysfs, const char *dir_rel, gboolean *virtio, GPtrArray *odd, GError **error)
{
  g_autofree char *net_rel = g_strconcat (dir_rel, "/net", NULL);
  g_autoptr(GError) local_error = NULL;
  g_autofree char *virtio_rel = NULL;
  GStrv names;

  if (virtio != NULL)
    *virtio = FALSE;
  names = list_netdevs (sysfs, net_rel, odd, &local_error);
  if (names != NULL || !g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
    {
      if (names == NULL)
        g_propagate_error (error, g_steal_pointer (&local_error));
      return names;
    }
  /* A virtio-net function keeps its netdev one level lower: FUNC/virtioN/net/NAME. */
  virtio_rel = virtio_net_dir (sysfs, dir_rel);
  if (virtio_rel == NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  if (virtio != NULL)
    *virtio = TRUE;
  return list_netdevs (sysfs, virtio_rel, odd, error);
}

GStrv
lib_device_netdevs (DpugwSysfs *sysfs, const char *dir_rel, GError **error)
{
  return lib_device_netdevs_full (sysfs, dir_rel, NULL, NULL, error);
}
