/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <dpu-gateway/dpu-gateway.h>

G_BEGIN_DECLS

/*
 * The daemon's SR-IOV topology: the library's scan (DpugwPf, sorted by PCI address), kept up
 * to date piece by piece, with indexes by VF address and by netdev name.  Main thread only.
 */
typedef struct _DpugwTopologyState DpugwTopologyState;

/* Takes @pfs (DpugwPf). */
DpugwTopologyState *dpugw_topology_state_new (GPtrArray *pfs);
void dpugw_topology_state_free (DpugwTopologyState *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DpugwTopologyState, dpugw_topology_state_free)

/* GetTopology's aa{sv}, serialised: built when first asked for after a change, kept until the
 * next change or dpugw_topology_state_drop_variant(). */
GVariant *dpugw_topology_state_get_variant (DpugwTopologyState *self);
void dpugw_topology_state_drop_variant (DpugwTopologyState *self);

/* The PCI function a netdev belongs to (a VF's, else a PF's), NULL if none is known. */
const char *dpugw_topology_state_pci_of_netdev (DpugwTopologyState *self, const char *name, gboolean *is_pf);

/* Updates; each returns whether what GetTopology shows changed. */
gboolean dpugw_topology_state_replace_all (DpugwTopologyState *self, GPtrArray *pfs);
/* Takes @pf; inserts it, or replaces the PF of the same address. */
gboolean dpugw_topology_state_replace_pf (DpugwTopologyState *self, DpugwPf *pf);
gboolean dpugw_topology_state_set_pf_netdevs (DpugwTopologyState *self, const char *pf_pci, char **netdevs);
gboolean dpugw_topology_state_set_vf_netdevs (DpugwTopologyState *self, const char *vf_pci, char **netdevs);

G_END_DECLS
