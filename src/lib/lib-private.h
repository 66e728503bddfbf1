/* SPDX-License-Identifier: Apache-2.0
 *
 * Shared inside libdpu-gateway only: not exported (the version script exports dpugw_*).
 */
#pragma once

#include <glib.h>

#include "dpu-gateway/dpugw-select.h"
#include "dpu-gateway/dpugw-sysfs.h"

G_BEGIN_DECLS

/* "virtfn12" -> 12: the name of a PF's link to its VF with index N. */
gboolean lib_parse_virtfn_index (const char *name, guint *index);

/*
 * dpugw_sysfs_list_dir() keeping only the valid netdev names (dpugw_netdev_name_is_valid),
 * sorted; the names left out, sorted, in *@invalid (NULL when there are none).  With @copy,
 * a second vector of the same names, in *@copy (for a selection that takes them all).
 */
GStrv lib_sysfs_list_netdevs (DpugwSysfs *self, const char *relpath, GStrv *invalid, GStrv *copy,
                              GError **error);

/* Whether the first rule is `first`: then the selection is all the candidates, always. */
gboolean lib_select_takes_all (const DpugwSelect *select);

/*
 * dpugw_select_apply(); when the rule that matches is `first` and *@all holds a copy of
 * @candidates (lib_sysfs_list_netdevs' @copy), the result is that copy, taken from *@all.
 */
GStrv lib_select_apply (const DpugwSelect *select,
                        DpugwSysfs        *sysfs,
                        const char        *pf_pci,
                        char             **candidates,
                        GStrv             *all,
                        char             **selected_by,
                        char             **hint,
                        GError           **error);

G_END_DECLS
