/* SPDX-License-Identifier: Apache-2.0
 *
 * DpugwSlab: objects zeroed, apart, reused, and blocks let go of with their last object.
 */
#include "slab.h"

#include <string.h>

typedef struct {
  guint64 serial;
  char bytes[40];
} Object;

static gboolean
all_zero (const Object *o)
{
  static const Object zero;
  return memcmp (o, &zero, sizeof zero) == 0;
}

static void
test_alloc_free (void)
{
  g_autoptr(GPtrArray) live = g_ptr_array_new ();
  GRand *rand = g_rand_new_with_seed (3);
  DpugwSlab slab;
  guint64 serial = 0;

  dpugw_slab_init (&slab, sizeof (Object));
  g_assert_cmpuint (slab.object_size, ==, 48);
  for (guint step = 0; step < 50000; step++)
    {
      /* Mostly allocating for the first half, mostly freeing for the second. */
      gboolean grow = g_rand_int_range (rand, 0, 100) < (step < 25000 ? 65 : 35);

      if (grow || live->len == 0)
        {
          Object *o = dpugw_slab_alloc0 (&slab);

          g_assert_true (all_zero (o));
          g_assert_cmpuint ((guintptr) o % 8, ==, 0);
          o->serial = ++serial;
          memset (o->bytes, (int) (serial & 0xff), sizeof o->bytes);
          g_ptr_array_add (live, o);
        }
      else
        {
          guint i = g_rand_int_range (rand, 0, live->len);
          Object *o = g_ptr_array_steal_index_fast (live, i);
          dpugw_slab_free (&slab, o);
        }
    }

  /* Every live object still holds what was written to it: none overlap. */
  for (guint i = 0; i < live->len; i++)
    {
      const Object *o = g_ptr_array_index (live, i);
      for (guint j = 0; j < sizeof o->bytes; j++)
        g_assert_cmpint ((guint8) o->bytes[j], ==, (guint8) (o->serial & 0xff));
    }
  /* At least as many blocks as the live objects fill, never more than there are objects. */
  g_assert_cmpuint (dpugw_slab_n_blocks (&slab), <=, live->len);
  g_assert_cmpuint (dpugw_slab_n_blocks (&slab), >=, (live->len + slab.per_block - 1) / slab.per_block);

  /* Freed, all: the blocks go with their last objects. */
  while (live->len > 0)
    dpugw_slab_free (&slab, g_ptr_array_steal_index_fast (live, live->len - 1));
  g_assert_cmpuint (dpugw_slab_n_blocks (&slab), ==, 0);
  dpugw_slab_clear (&slab);
  g_rand_free (rand);
}

/* Allocated in order, objects fill one block before the next is taken; a freed one is reused. */
static void
test_dense (void)
{
  g_autoptr(GPtrArray) objects = g_ptr_array_new ();
  DpugwSlab slab;
  gpointer again;

  dpugw_slab_init (&slab, sizeof (Object));
  for (guint i = 0; i < 3 * slab.per_block; i++)
    g_ptr_array_add (objects, dpugw_slab_alloc0 (&slab));
  g_assert_cmpuint (dpugw_slab_n_blocks (&slab), ==, 3);
  dpugw_slab_free (&slab, g_ptr_array_index (objects, 5));
  again = dpugw_slab_alloc0 (&slab);
  g_assert_true (again == g_ptr_array_index (objects, 5));
  g_assert_cmpuint (dpugw_slab_n_blocks (&slab), ==, 3);
  /* Clearing frees the blocks with the objects still in them (valgrind and ASan check it). */
  dpugw_slab_clear (&slab);
  g_assert_cmpuint (dpugw_slab_n_blocks (&slab), ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/slab/alloc-free", test_alloc_free);
  g_test_add_func ("/slab/dense", test_dense);
  return g_test_run ();
}
