/* SPDX-License-Identifier: Apache-2.0
 *
 * The SR-IOV topology under the sysfs root: every PF with its netdevs and VFs.
 */
#pragma once

#include <glib.h>
#include "dpugw-sysfs.h"

G_BEGIN_DECLS

typedef struct {
  guint index;      /* N of the PF's virtfnN link */
  char *pci;
  GStrv netdevs;    /* sorted; empty for a VF without netdev (vfio-pci) */
} DpugwVf;

typedef struct {
  char *pci;
  GStrv netdevs;    /* sorted; empty when the PF has no net/ */
  char *driver;     /* "" when unbound */
  guint total_vfs;
  guint num_vfs;
  char *switch_id;  /* phys_switch_id of its netdevs, NULL when absent (not switchdev) */
  GPtrArray *vfs;   /* (element-type DpugwVf): by index */
} DpugwPf;

void dpugw_vf_free (DpugwVf *vf);
void dpugw_pf_free (DpugwPf *pf);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DpugwPf, dpugw_pf_free)

/**
 * dpugw_topology_scan:
 *
 * Every SR-IOV capable PF (a PCI function with sriov_totalvfs) under the
 * sysfs root, sorted by PCI address.
 *
 * Returns: (transfer full) (element-type DpugwPf):
 */
GPtrArray *dpugw_topology_scan (DpugwSysfs *sysfs, GError **error);

/* The netdevs of the PCI function @pci as the topology lists them: sorted (a virtio-net
 * function's from virtioN/net/), names D-Bus cannot carry after them, escaped and marked
 * (dpugw_netdev_name_display); empty when it has none. */
GStrv dpugw_topology_netdevs (DpugwSysfs *sysfs, const char *pci);

/* One PF, or NULL with G_IO_ERROR_NOT_FOUND when @pci is no SR-IOV PF. */
DpugwPf *dpugw_topology_scan_pf (DpugwSysfs *sysfs, const char *pci, GError **error);

G_END_DECLS
