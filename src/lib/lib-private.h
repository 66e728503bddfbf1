/* SPDX-License-Identifier: Apache-2.0
 *
 * Shared inside libdpu-gateway only: not exported (the version script exports dpugw_*).
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* "virtfn12" -> 12: the name of a PF's link to its VF with index N. */
gboolean lib_parse_virtfn_index (const char *name, guint *index);

G_END_DECLS
