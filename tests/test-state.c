/* SPDX-License-Identifier: Apache-2.0
 *
 * The daemon's state: findings go in, what changed comes out.
 */
#include "state.h"

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  return g_test_run ();
}
