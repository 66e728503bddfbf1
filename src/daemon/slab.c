/* SPDX-License-Identifier: Apache-2.0 */
#include "slab.h"

#include <string.h>

/* Blocks come from malloc, unaligned (an aligned allocation leaves a hole before each): an
 * object's block is found by address among the sorted blocks. */
struct _DpugwSlabBlock
{
  gpointer free;       /* the first free object; each free one holds the next */
  guint used;
  guint fresh;         /* objects never handed out start here */
};

#define HEADER_SIZE ((sizeof (DpugwSlabBlock) + 7) & ~(gsize) 7)

static inline char *
first_object (DpugwSlabBlock *block)
{
  return (char *) block + HEADER_SIZE;
}

void
dpugw_slab_init (DpugwSlab *slab, gsize object_size)
{
  g_return_if_fail (object_size > 0 && object_size <= 1024);
  memset (slab, 0, sizeof *slab);
  slab->object_size = (MAX (object_size, sizeof (gpointer)) + 7) & ~(gsize) 7;
  slab->per_block = (DPUGW_SLAB_BLOCK_SIZE - HEADER_SIZE) / slab->object_size;
}

/* The index of the block holding @object, or of the first block after it. */
static guint
block_index (const DpugwSlab *slab, gconstpointer object)
{
  guint lo = 0, hi = slab->blocks->len;

  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;
      guintptr block = (guintptr) g_ptr_array_index (slab->blocks, mid);

      if ((guintptr) object < block)
        hi = mid;
      else if ((guintptr) object >= block + DPUGW_SLAB_BLOCK_SIZE)
        lo = mid + 1;
      else
        return mid;
    }
  return lo;
}

static DpugwSlabBlock *
find_block_with_room (DpugwSlab *slab)
{
  if (slab->spare != NULL && slab->spare->used < slab->per_block)
    return slab->spare;
  for (guint i = 0; slab->blocks != NULL && i < slab->blocks->len; i++)
    {
      DpugwSlabBlock *block = g_ptr_array_index (slab->blocks, i);
      if (block->used < slab->per_block)
        return slab->spare = block;
    }
  return NULL;
}

gpointer
dpugw_slab_alloc0 (DpugwSlab *slab)
{
  DpugwSlabBlock *block = find_block_with_room (slab);
  gpointer object;

  if (block == NULL)
    {
      block = g_malloc (DPUGW_SLAB_BLOCK_SIZE);
      memset (block, 0, sizeof *block);
      if (slab->blocks == NULL)
        slab->blocks = g_ptr_array_new ();
      g_ptr_array_insert (slab->blocks, (gint) block_index (slab, block), block);
      slab->spare = block;
    }
  if (block->free != NULL)
    {
      object = block->free;
      block->free = *(gpointer *) object;
    }
  else
    object = first_object (block) + (gsize) block->fresh++ * slab->object_size;
  block->used++;
  memset (object, 0, slab->object_size);
  return object;
}

void
dpugw_slab_free (DpugwSlab *slab, gpointer object)
{
  DpugwSlabBlock *block;
  guint i;

  if (object == NULL)
    return;
  i = block_index (slab, object);
  g_return_if_fail (i < slab->blocks->len);
  block = g_ptr_array_index (slab->blocks, i);
  g_return_if_fail ((char *) object >= first_object (block));
  *(gpointer *) object = block->free;
  block->free = object;
  if (--block->used == 0)
    {
      g_ptr_array_remove_index (slab->blocks, i);
      if (slab->spare == block)
        slab->spare = NULL;
      g_free (block);
    }
  else
    slab->spare = block;
}

void
dpugw_slab_clear (DpugwSlab *slab)
{
  if (slab->blocks != NULL)
    {
      g_ptr_array_set_free_func (slab->blocks, g_free);
      g_clear_pointer (&slab->blocks, g_ptr_array_unref);
    }
  slab->spare = NULL;
}
