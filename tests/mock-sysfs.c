/* SPDX-License-Identifier: Apache-2.0
 *
 * dpugw-mock-sysfs RECORDING... DIR: builds the sysfs tree that umockdev
 * recordings describe (relative links, subsystem links, class/ and bus/
 * entries, as umockdev makes them) into DIR, which must not exist or be
 * empty.  Point --sysfs-root at DIR.  Used by the demo and the CLI tests.
 */
#include <errno.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <umockdev.h>

int
main (int argc, char **argv)
{
  g_autoptr(UMockdevTestbed) testbed = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) existing = NULL;
  g_autofree char *source = NULL;
  g_autofree char *sys_dir = NULL;
  const char *dir;
  int status;

  if (argc < 3)
    {
      fprintf (stderr, "Usage: dpugw-mock-sysfs RECORDING... DIR\n");
      return 2;
    }
  dir = argv[argc - 1];

  existing = g_dir_open (dir, 0, NULL);
  if (existing != NULL && g_dir_read_name (existing) != NULL)
    {
      fprintf (stderr, "dpugw-mock-sysfs: %s exists and is not empty\n", dir);
      return 2;
    }
  if (g_mkdir_with_parents (dir, 0755) != 0)
    {
      fprintf (stderr, "dpugw-mock-sysfs: %s: %s\n", dir, g_strerror (errno));
      return 1;
    }

  testbed = umockdev_testbed_new ();
  for (int i = 1; i < argc - 1; i++)
    if (!umockdev_testbed_add_from_file (testbed, argv[i], &error))
      {
        fprintf (stderr, "dpugw-mock-sysfs: %s: %s\n", argv[i], error->message);
        return 1;
      }

  sys_dir = umockdev_testbed_get_sys_dir (testbed);
  source = g_strconcat (sys_dir, "/.", NULL);
  {
    const char *cp[] = { "cp", "-a", "--", source, dir, NULL };
    if (!g_spawn_sync (NULL, (char **) cp, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_CHILD_INHERITS_STDIN,
                       NULL, NULL, NULL, NULL, &status, &error) ||
        !g_spawn_check_wait_status (status, &error))
      {
        fprintf (stderr, "dpugw-mock-sysfs: copying the tree: %s\n", error->message);
        return 1;
      }
  }
  return 0;
}
