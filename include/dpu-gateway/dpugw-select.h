/* SPDX-License-Identifier: Apache-2.0
 *
 * The gateway selection rules, DpugwSelect: which of a PF's netdevs is the gateway.
 */
#pragma once

#include <glib.h>
#include "dpugw-sysfs.h"

G_BEGIN_DECLS

/**
 * DpugwSelect:
 *
 * The gateway selection rules (--gateway-select, [Gateway] select=): a
 * comma-separated list tried in order, the first rule that matches any of
 * the PF's netdevs deciding:
 *   first     the first name in sorted order (the default, OVN-Kubernetes' behaviour)
 *   uplink    the netdev whose phys_port_name is pN (a switchdev PF's uplink, not a representor)
 *   up        operstate up
 *   name=GLOB the name matches GLOB (* and ?)
 * Immutable and reference counted: share it between threads.
 */
typedef struct _DpugwSelect DpugwSelect;

#define DPUGW_SELECT_DEFAULT "first"

/* NULL or "" is the default, "first". Errors: DPUGW_ERROR_INVALID_CONFIG. */
DpugwSelect *dpugw_select_parse (const char *text, GError **error);
DpugwSelect *dpugw_select_ref (DpugwSelect *select);
void dpugw_select_unref (DpugwSelect *select);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DpugwSelect, dpugw_select_unref)

/* The rules, normalised ("uplink,first"). */
const char *dpugw_select_to_string (const DpugwSelect *select);
/* Whether a rule needs a netdev attribute (phys_port_name, operstate): the daemon then follows operstate. */
gboolean dpugw_select_uses_operstate (const DpugwSelect *select);

/**
 * dpugw_select_apply:
 * @pf_pci: the PF whose netdevs @candidates (sorted, at least one) are
 * @selected_by: (out): the rule that decided, as written ("uplink", "name=ens*")
 * @hint: (out) (nullable): set when `first` chose a netdev that looks like a
 *   representor (phys_port_name pfNvfM, pfNsfM, pfNhpf, pfN, with or without cN
 *   in front) while the PF has an uplink
 *
 * Returns: (transfer full): the netdevs the deciding rule matched, in order;
 *   NULL with DPUGW_ERROR_NO_MATCH when no rule matches any of them.
 */
GStrv dpugw_select_apply (const DpugwSelect *select,
                          DpugwSysfs        *sysfs,
                          const char        *pf_pci,
                          char             **candidates,
                          char             **selected_by,
                          char             **hint,
                          GError           **error);

G_END_DECLS
