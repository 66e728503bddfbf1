/* SPDX-License-Identifier: Apache-2.0
 *
 * Numbers read from sysfs by several threads at once, each thread's first: they must read right.
 * With GLib 2.74's g_ascii_string_to_unsigned(), a first call that waited for another thread's
 * start-up of the C locale saw errno set and refused "8"; the daemon's first topology scan, racing
 * its bus connection, then skipped the PF.  The race is a process's first number, so each round is
 * a fresh process; no GTest here, whose start-up parses numbers first.  TAP output.
 */
#include "testlib.h"

#include <stdio.h>
#include <string.h>

#define ROUNDS  300
#define THREADS 8

static gint start;

static gpointer
read_numbers (gpointer sysfs)
{
  g_autoptr(GError) error = NULL;
  guint value = 0;

  while (!g_atomic_int_get (&start))
    ;
  if (!dpugw_sysfs_read_attr_uint (sysfs, "bus/pci/devices/0000:01:00.0/sriov_totalvfs", &value, &error))
    return g_strdup (error->message);
  return value == 8 ? NULL : g_strdup_printf ("read %u, not 8", value);
}

/* One round: THREADS threads read the number at once; prints what went wrong, exits 1 then. */
static int
child (const char *root)
{
  g_autoptr(DpugwSysfs) sysfs = dpugw_sysfs_new (root, NULL);
  GThread *threads[THREADS];
  int status = 0;

  for (guint i = 0; i < THREADS; i++)
    threads[i] = g_thread_new ("reader", read_numbers, sysfs);
  g_atomic_int_set (&start, 1);
  for (guint i = 0; i < THREADS; i++)
    {
      g_autofree char *failure = g_thread_join (threads[i]);
      if (failure != NULL)
        {
          printf ("%s\n", failure);
          status = 1;
        }
    }
  return status;
}

int
main (int argc, char **argv)
{
  g_autofree char *root = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *file = NULL;
  guint failed = 0;
  g_autofree char *first = NULL;
  /* Under valgrind a round takes a second: a few, for what memcheck says of them. */
  guint rounds = g_getenv ("DPUGW_UNDER_VALGRIND") != NULL ? 5 : ROUNDS;

  if (argc == 3 && strcmp (argv[1], "--child") == 0)
    return child (argv[2]);

  printf ("1..1\n");
  root = g_dir_make_tmp ("dpugw-numbers-XXXXXX", NULL);
  dir = g_build_filename (root, "bus", "pci", "devices", "0000:01:00.0", NULL);
  file = g_build_filename (dir, "sriov_totalvfs", NULL);
  if (root == NULL || g_mkdir_with_parents (dir, 0755) != 0 || !g_file_set_contents (file, "8\n", -1, NULL))
    {
      printf ("Bail out! cannot make the tree\n");
      return 1;
    }
  for (guint round = 0; round < rounds; round++)
    {
      const char *child_argv[] = { argv[0], "--child", root, NULL };
      g_autofree char *out = NULL;
      g_autoptr(GError) error = NULL;
      int wait_status;

      if (!g_spawn_sync (NULL, (char **) child_argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, NULL, &wait_status,
                         &error))
        {
          printf ("Bail out! %s\n", error->message);
          return 1;
        }
      if (!g_spawn_check_wait_status (wait_status, NULL))
        {
          failed++;
          if (first == NULL)
            first = g_strdup (g_strstrip (out));
        }
    }
  dpugw_test_rm_rf (root);
  if (failed > 0)
    printf ("not ok 1 - %u of %u rounds of %u threads misread \"8\": %s\n", failed, rounds, THREADS, first);
  else
    printf ("ok 1 - %u rounds of %u threads each read \"8\"\n", rounds, THREADS);
  return failed > 0;
}
