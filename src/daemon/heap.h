/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/*
 * Gives the memory that a burst of work freed back to the system once the daemon has been quiet
 * for a second: glibc keeps freed pages of its heap otherwise.  Main thread only.
 */
void dpugw_heap_trim_soon (void);
/* Cancels a pending trim: at exit. */
void dpugw_heap_trim_cancel (void);

G_END_DECLS
