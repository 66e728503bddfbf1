/* SPDX-License-Identifier: Apache-2.0 */
#include "testlib.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <unistd.h>

char *
dpugw_test_recording (const char *relpath)
{
  const char *srcdir = g_getenv ("DPUGW_TEST_SRCDIR");

  g_assert_nonnull (srcdir);
  return g_build_filename (srcdir, relpath, NULL);
}

UMockdevTestbed *
dpugw_test_testbed_new (DpugwSysfs **sysfs, const char *recording, ...)
{
  UMockdevTestbed *testbed = umockdev_testbed_new ();
  g_autoptr(GError) error = NULL;
  va_list args;

  va_start (args, recording);
  for (const char *r = recording; r != NULL; r = va_arg (args, const char *))
    {
      g_autofree char *path = dpugw_test_recording (r);
      g_assert_true (umockdev_testbed_add_from_file (testbed, path, &error));
      g_assert_no_error (error);
    }
  va_end (args);

  if (sysfs != NULL)
    {
      g_autofree char *sys_dir = umockdev_testbed_get_sys_dir (testbed);
      *sysfs = dpugw_sysfs_new (sys_dir, &error);
      g_assert_no_error (error);
    }
  return testbed;
}

char *
dpugw_test_path (UMockdevTestbed *testbed, const char *relpath)
{
  g_autofree char *sys_dir = umockdev_testbed_get_sys_dir (testbed);
  return g_build_filename (sys_dir, relpath, NULL);
}

void
dpugw_test_mkdir (UMockdevTestbed *testbed, const char *relpath)
{
  g_autofree char *path = dpugw_test_path (testbed, relpath);
  g_assert_cmpint (g_mkdir_with_parents (path, 0755), ==, 0);
}

void
dpugw_test_symlink (UMockdevTestbed *testbed, const char *target, const char *relpath)
{
  g_autofree char *path = dpugw_test_path (testbed, relpath);
  if (symlink (target, path) != 0)
    g_error ("symlink %s -> %s: %s", path, target, g_strerror (errno));
}

void
dpugw_test_remove (UMockdevTestbed *testbed, const char *relpath)
{
  g_autofree char *path = dpugw_test_path (testbed, relpath);
  if (g_remove (path) != 0)
    g_error ("remove %s: %s", path, g_strerror (errno));
}
