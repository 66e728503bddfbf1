/* SPDX-License-Identifier: Apache-2.0
 *
 * The kernel's view of a link name: the primary name of the link that a name, primary or
 * alternative (`ip link property add dev X altname Y`), designates in this network namespace.
 * sysfs lists primary names only; the kernel's name lookup (SIOCGIFINDEX, as RTM_GETLINK with
 * IFLA_IFNAME, which ovnkube-node's netlink sends) matches altnames too, since Linux 5.5.
 */
#define G_LOG_DOMAIN "dpugw-altname"

#include "dpu-gateway/dpugw-names.h"
#include "lib-private.h"

#include <net/if.h>
#include <string.h>

char *
lib_netdev_primary_name (const char *name)
{
  char primary[IF_NAMESIZE];
  unsigned int ifindex;

  if (!dpugw_netdev_name_is_valid (name))
    return NULL;
  ifindex = if_nametoindex (name);
  if (ifindex == 0 || if_indextoname (ifindex, primary) == NULL)
    return NULL;
  primary[IF_NAMESIZE - 1] = '\0';
  /* Renamed in between to a name we cannot carry: as good as not found. */
  if (!dpugw_netdev_name_is_valid (primary))
    return NULL;
  return g_strdup (primary);
}

char *
lib_netdev_in_tree (DpugwSysfs *sysfs, const char *name, gboolean *altname)
{
  g_autofree char *rel = NULL;
  g_autofree char *primary = NULL;

  *altname = FALSE;
  if (!dpugw_netdev_name_is_valid (name))
    return NULL;
  rel = g_strconcat ("class/net/", name, NULL);
  if (lib_device_exists (sysfs, rel))
    return g_strdup (name);
  primary = lib_netdev_primary_name (name);
  if (primary == NULL || strcmp (primary, name) == 0)
    return NULL;
  g_clear_pointer (&rel, g_free);
  rel = g_strconcat ("class/net/", primary, NULL);
  if (!lib_device_exists (sysfs, rel))
    return NULL;
  g_debug ("%s is an alternative name of %s", name, primary);
  *altname = TRUE;
  return g_steal_pointer (&primary);
}
