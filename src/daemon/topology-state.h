/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <dpu-gateway/dpu-gateway.h>

G_BEGIN_DECLS

typedef struct _DpugwTopologyState DpugwTopologyState;

/* Takes @pfs (DpugwPf, sorted by PCI address). */
DpugwTopologyState *dpugw_topology_state_new (GPtrArray *pfs);
void dpugw_topology_state_free (DpugwTopologyState *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DpugwTopologyState, dpugw_topology_state_free)

/* GetTopology's aa{sv} (owned by the state; valid until the next change). */
GVariant *dpugw_topology_state_get_variant (DpugwTopologyState *self);
/* Lets go of that variant (it is built again when next asked for). */
void dpugw_topology_state_drop_variant (DpugwTopologyState *self);
gboolean dpugw_topology_state_equal (DpugwTopologyState *a, DpugwTopologyState *b);

/* The PCI function a netdev belongs to (a PF's or a VF's), NULL if none known. */
const char *dpugw_topology_state_pci_of_netdev (DpugwTopologyState *self, const char *name, gboolean *is_pf);

/* Updates; each returns whether anything changed. */
gboolean dpugw_topology_state_set_pf_netdevs (DpugwTopologyState *self, const char *pf_pci, char **netdevs);
gboolean dpugw_topology_state_set_vf_netdevs (DpugwTopologyState *self, const char *vf_pci, char **netdevs);
/* Takes @pf; inserts it, or replaces the PF of the same address. */
gboolean dpugw_topology_state_replace_pf (DpugwTopologyState *self, DpugwPf *pf);

G_END_DECLS
