/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/*
 * Objects of one size packed into 16 KiB blocks.  The cache's entries live for as long as their
 * VF is cached, and are made while worker threads allocate and free the resolutions' transient
 * lists: from malloc, each would land in a different hole between those, and keep its page
 * resident after the rest is freed.  A block is let go of with its last object; objects are
 * zeroed when allocated, and aligned to 8 bytes.  Not thread-safe.
 */
#define DPUGW_SLAB_BLOCK_SIZE 16384

typedef struct _DpugwSlabBlock DpugwSlabBlock;

typedef struct {
  gsize object_size;
  guint per_block;
  GPtrArray *blocks;     /* DpugwSlabBlock, by address */
  DpugwSlabBlock *spare; /* a block with a free object, if any is known */
} DpugwSlab;

/* @object_size: at most 1 KiB. */
void dpugw_slab_init (DpugwSlab *slab, gsize object_size);
gpointer dpugw_slab_alloc0 (DpugwSlab *slab);
void dpugw_slab_free (DpugwSlab *slab, gpointer object);
/* Frees every block: every object of the slab is gone with them. */
void dpugw_slab_clear (DpugwSlab *slab);

static inline guint
dpugw_slab_n_blocks (const DpugwSlab *slab)
{
  return slab->blocks != NULL ? slab->blocks->len : 0;
}

G_END_DECLS
