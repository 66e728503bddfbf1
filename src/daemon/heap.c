/* SPDX-License-Identifier: Apache-2.0
 *
 * Gives freed heap memory back to the system once the daemon has been quiet for a second.
 */
#define G_LOG_DOMAIN "dpugw-heap"

#include "heap.h"

#include <malloc.h>

#define TRIM_DELAY_MSEC 1000

static guint trim_id;

static gboolean
trim_now (gpointer user_data)
{
  trim_id = 0;
  malloc_trim (0);
  return G_SOURCE_REMOVE;
}

void
dpugw_heap_trim_soon (void)
{
  g_clear_handle_id (&trim_id, g_source_remove);
  trim_id = g_timeout_add (TRIM_DELAY_MSEC, trim_now, NULL);
}

void
dpugw_heap_trim_cancel (void)
{
  g_clear_handle_id (&trim_id, g_source_remove);
}
