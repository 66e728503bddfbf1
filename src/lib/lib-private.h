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
 * sorted; the names left out, sorted, in *@invalid (NULL when there are none).
 */
GStrv lib_sysfs_list_netdevs (DpugwSysfs *self, const char *relpath, GStrv *invalid, GError **error);

G_END_DECLS
