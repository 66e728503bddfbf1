/* SPDX-License-Identifier: Apache-2.0 */
#define _GNU_SOURCE
#include "testlib.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <locale.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* --- the program ---------------------------------------------------------------------------- */

static gboolean tap_output;

void
dpugw_test_skip_program (const char *format, ...)
{
  va_list args;
  g_autofree char *why = NULL;

  va_start (args, format);
  why = g_strdup_vprintf (format, args);
  va_end (args);
  g_strdelimit (why, "\n", ' ');
  fprintf (stderr, "%s: skipped: %s\n", g_get_prgname () != NULL ? g_get_prgname () : "test", why);
  if (tap_output)
    {
      printf ("1..0 # SKIP %s\n", why);
      fflush (stdout);
      exit (0);
    }
  exit (77);
}

void
dpugw_test_init (int *argc, char ***argv, DpugwTestFlags flags)
{
  g_autofree char *program = g_path_get_basename ((*argv)[0]);

  g_set_prgname (program);
  for (int i = 1; i < *argc; i++)
    if (strcmp ((*argv)[i], "--tap") == 0)
      tap_output = TRUE;
  setlocale (LC_ALL, "");

  /* Before any thread: every process of the program (each test's subprocess too) in a namespace of its own. */
  if (flags & DPUGW_TEST_NETNS)
    {
      g_autofree char *ip = g_find_program_in_path ("ip");

      if (unshare (CLONE_NEWNET) != 0)
        dpugw_test_skip_program ("cannot enter a new network namespace: unshare(CLONE_NEWNET): %s "
                                 "(the tests need root or CAP_SYS_ADMIN)", g_strerror (errno));
      if (ip == NULL)
        dpugw_test_skip_program ("ip(8) not found: the tests make veth links with it (iproute2)");
    }
  g_test_init (argc, argv, NULL);
}

/* --- time ----------------------------------------------------------------------------------- */

guint
dpugw_test_time_scale (void)
{
  static guint scale;

  if (scale == 0)
    {
      const char *forced = g_getenv ("DPUGW_TEST_TIME_SCALE");

      if (forced != NULL && g_ascii_strtoull (forced, NULL, 10) > 0)
        scale = (guint) g_ascii_strtoull (forced, NULL, 10);
      else if (g_strcmp0 (g_getenv ("DPUGW_UNDER_VALGRIND"), "1") == 0)
        scale = 10;
      else
        scale = 1;
    }
  return scale;
}

gint64
dpugw_test_usec (gint64 usec)
{
  return usec * dpugw_test_time_scale ();
}

int
dpugw_test_msec (int msec)
{
  return (int) MIN ((gint64) msec * dpugw_test_time_scale (), G_MAXINT);
}

static gboolean
set_flag (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

void
dpugw_test_iterate (void)
{
  gboolean fired = FALSE;
  guint id = g_timeout_add (10, set_flag, &fired);

  g_main_context_iteration (NULL, TRUE);
  if (!fired)
    g_source_remove (id);
}

void
dpugw_test_drain (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

void
dpugw_test_soft_fail (const char *format, ...)
{
  va_list args;
  g_autofree char *message = NULL;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  /* On stderr: a subprocess' stdout is not shown. */
  g_printerr ("# FAILED: %s\n", message);
  g_test_fail ();
}

/* --- figures ---------------------------------------------------------------------------------- */

void
dpugw_test_report (const char *format, ...)
{
  const char *rundir = g_getenv ("DPUGW_TEST_RUNDIR");
  va_list args;
  g_autofree char *line = NULL;

  va_start (args, format);
  line = g_strdup_vprintf (format, args);
  va_end (args);
  if (rundir != NULL && g_test_subprocess ())
    {
      g_autofree char *path = g_build_filename (rundir, "report.txt", NULL);
      FILE *out = fopen (path, "a");

      g_assert_nonnull (out);
      fprintf (out, "%s\n", line);
      fclose (out);
      return;
    }
  g_test_message ("%s", line);
}

/* --- files ------------------------------------------------------------------------------------ */

char *
dpugw_test_read_file (const char *path)
{
  char *contents = NULL;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return g_strdup ("");
  return contents;
}

void
dpugw_test_write_file (const char *path, const char *contents)
{
  g_autoptr(GError) error = NULL;

  if (!g_file_set_contents (path, contents, -1, &error))
    g_error ("writing %s: %s", path, error->message);
}

char *
dpugw_test_temp_file (const char *contents)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  int fd = g_file_open_tmp ("dpugw-test-XXXXXX.conf", &path, &error);

  g_assert_no_error (error);
  g_assert_true (g_close (fd, &error));
  dpugw_test_write_file (path, contents);
  return g_steal_pointer (&path);
}

char *
dpugw_test_tmpdir (const char *what)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *tmpl = g_strdup_printf ("dpugw-test-%s-XXXXXX", what);
  char *dir = g_dir_make_tmp (tmpl, &error);

  g_assert_no_error (error);
  return dir;
}

void
dpugw_test_rm_rf (const char *path)
{
  GStatBuf st;

  if (g_lstat (path, &st) != 0)
    return;
  if (S_ISDIR (st.st_mode))
    {
      g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
      GDir *dir;
      const char *name;

      g_chmod (path, 0755);
      dir = g_dir_open (path, 0, NULL);
      g_assert_nonnull (dir);
      while ((name = g_dir_read_name (dir)) != NULL)
        g_ptr_array_add (names, g_build_filename (path, name, NULL));
      g_dir_close (dir);
      for (guint i = 0; i < names->len; i++)
        dpugw_test_rm_rf (g_ptr_array_index (names, i));
      if (g_rmdir (path) != 0)
        g_error ("rmdir %s: %s", path, g_strerror (errno));
    }
  else if (g_unlink (path) != 0)
    g_error ("unlink %s: %s", path, g_strerror (errno));
}

guint
dpugw_test_count (const char *haystack, const char *needle)
{
  guint n = 0;

  for (const char *p = haystack; (p = strstr (p, needle)) != NULL; p += strlen (needle))
    n++;
  return n;
}

/* --- fake sysfs trees ------------------------------------------------------------------------- */

char *
dpugw_test_recording (const char *relpath)
{
  const char *srcdir = g_getenv ("DPUGW_TEST_SRCDIR");

  g_assert_nonnull (srcdir);
  return g_build_filename (srcdir, relpath, NULL);
}

UMockdevTestbed *
dpugw_test_testbed_newv (DpugwSysfs **sysfs, const char * const *recordings)
{
  UMockdevTestbed *testbed = umockdev_testbed_new ();
  g_autoptr(GError) error = NULL;

  for (guint i = 0; recordings != NULL && recordings[i] != NULL; i++)
    {
      g_autofree char *path = dpugw_test_recording (recordings[i]);
      g_assert_true (umockdev_testbed_add_from_file (testbed, path, &error));
      g_assert_no_error (error);
    }
  if (sysfs != NULL)
    {
      g_autofree char *sys_dir = umockdev_testbed_get_sys_dir (testbed);
      *sysfs = dpugw_sysfs_new (sys_dir, &error);
      g_assert_no_error (error);
    }
  return testbed;
}

UMockdevTestbed *
dpugw_test_testbed_new (DpugwSysfs **sysfs, const char *recording, ...)
{
  g_autoptr(GPtrArray) recordings = g_ptr_array_new ();
  va_list args;

  va_start (args, recording);
  for (const char *r = recording; r != NULL; r = va_arg (args, const char *))
    g_ptr_array_add (recordings, (gpointer) r);
  va_end (args);
  g_ptr_array_add (recordings, NULL);
  return dpugw_test_testbed_newv (sysfs, (const char * const *) recordings->pdata);
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

void
dpugw_test_write (UMockdevTestbed *testbed, const char *relpath, const char *contents)
{
  g_autofree char *path = dpugw_test_path (testbed, relpath);
  dpugw_test_write_file (path, contents);
}

void
dpugw_test_clear (UMockdevTestbed *testbed, const char *relpath)
{
  g_autofree char *path = dpugw_test_path (testbed, relpath);
  dpugw_test_rm_rf (path);
}

void
dpugw_test_replace_link (UMockdevTestbed *testbed, const char *target, const char *relpath)
{
  g_autofree char *path = dpugw_test_path (testbed, relpath);
  g_autofree char *dir = g_path_get_dirname (path);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  dpugw_test_rm_rf (path);
  if (symlink (target, path) != 0)
    g_error ("symlink %s -> %s: %s", path, target, g_strerror (errno));
}

void
dpugw_test_replace_fifo (UMockdevTestbed *testbed, const char *relpath)
{
  g_autofree char *path = dpugw_test_path (testbed, relpath);

  dpugw_test_rm_rf (path);
  if (mkfifo (path, 0644) != 0)
    g_error ("mkfifo %s: %s", path, g_strerror (errno));
}

void
dpugw_test_rename_netdev (UMockdevTestbed *testbed, const char *devdir, const char *old_name, const char *new_name)
{
  g_autofree char *old_rel = g_strconcat (devdir, "/net/", old_name, NULL);
  g_autofree char *new_rel = g_strconcat (devdir, "/net/", new_name, NULL);
  g_autofree char *old_path = dpugw_test_path (testbed, old_rel);
  g_autofree char *new_path = dpugw_test_path (testbed, new_rel);
  g_autofree char *old_class = g_strconcat ("class/net/", old_name, NULL);
  g_autofree char *new_class = g_strconcat ("class/net/", new_name, NULL);
  g_autofree char *target = g_strconcat ("../../", new_rel, NULL);

  if (g_rename (old_path, new_path) != 0)
    g_error ("rename %s -> %s: %s", old_path, new_path, g_strerror (errno));
  dpugw_test_remove (testbed, old_class);
  dpugw_test_symlink (testbed, target, new_class);
}

void
dpugw_test_add_netdev (UMockdevTestbed *testbed, const char *devdir, const char *name)
{
  g_autofree char *rel = g_strconcat (devdir, "/net/", name, NULL);
  g_autofree char *device_rel = g_strconcat (rel, "/device", NULL);
  g_autofree char *class_rel = g_strconcat ("class/net/", name, NULL);
  g_autofree char *class_target = g_strconcat ("../../", rel, NULL);
  g_autofree char *device_target = g_strconcat ("../../../", strrchr (devdir, '/') + 1, NULL);

  dpugw_test_mkdir (testbed, rel);
  dpugw_test_symlink (testbed, device_target, device_rel);
  dpugw_test_symlink (testbed, class_target, class_rel);
}

void
dpugw_test_remove_netdev (UMockdevTestbed *testbed, const char *devdir, const char *name)
{
  g_autofree char *rel = g_strconcat (devdir, "/net/", name, NULL);
  g_autofree char *path = dpugw_test_path (testbed, rel);
  g_autofree char *class_rel = g_strconcat ("class/net/", name, NULL);

  g_assert_true (g_file_test (path, G_FILE_TEST_IS_DIR));
  dpugw_test_rm_rf (path);
  dpugw_test_remove (testbed, class_rel);
}

/* --- links ------------------------------------------------------------------------------------ */

gboolean
dpugw_test_ip_try (const char * const *args, char **out, char **err)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  int wait_status;

  g_ptr_array_add (argv, (gpointer) "ip");
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);
  if (!g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, out, err,
                     &wait_status, &error))
    g_error ("cannot run ip: %s", error->message);
  return g_spawn_check_wait_status (wait_status, NULL);
}

void
dpugw_test_ip (const char * const *args)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  if (!dpugw_test_ip_try (args, &out, &err))
    {
      g_autofree char *line = g_strjoinv (" ", (char **) args);
      g_error ("ip %s failed: %s%s", line, out, err);
    }
}

void
dpugw_test_veth_add (const char *name, const char *peer)
{
  DPUGW_TEST_IP ("link", "add", name, "type", "veth", "peer", "name", peer);
}

GStrv
dpugw_test_links (void)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GStrvBuilder) names = g_strv_builder_new ();

  if (!dpugw_test_ip_try (STRV ("-o", "link", "show"), &out, &err))
    g_error ("ip -o link show failed: %s", err);
  lines = g_strsplit (out, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      /* "7: name@peer: <...> ..." */
      const char *start = strstr (lines[i], ": ");
      g_autofree char *name = NULL;

      if (start == NULL)
        continue;
      start += 2;
      name = g_strndup (start, strcspn (start, "@:"));
      if (strcmp (name, "lo") != 0)
        g_strv_builder_add (names, name);
    }
  return g_strv_builder_end (names);
}

void
dpugw_test_links_delete_all (void)
{
  for (guint round = 0; round < 20; round++)
    {
      g_auto(GStrv) names = dpugw_test_links ();
      g_autoptr(GString) batch = g_string_new (NULL);
      g_autofree char *path = NULL;
      g_autofree char *out = NULL;
      g_autofree char *err = NULL;

      if (names[0] == NULL)
        return;
      /* One ip -batch; deleting one end of a veth takes its peer along, so some fail: fine. */
      for (guint i = 0; names[i] != NULL; i++)
        g_string_append_printf (batch, "link del %s\n", names[i]);
      path = dpugw_test_temp_file (batch->str);
      dpugw_test_ip_try (STRV ("-force", "-batch", path), &out, &err);
      g_unlink (path);
    }
  g_error ("links keep coming back");
}

char **
dpugw_test_environ_without_config (char **envp)
{
  g_auto(GStrv) names = g_strdupv (envp);

  for (guint i = 0; names[i] != NULL; i++)
    {
      char *eq = strchr (names[i], '=');
      if (eq != NULL)
        *eq = '\0';
      if (g_str_has_prefix (names[i], "OVNKUBE_") || g_str_has_prefix (names[i], "PCIDEVICE_") ||
          strcmp (names[i], "OVN_GATEWAY_OPTS") == 0)
        envp = g_environ_unsetenv (envp, names[i]);
    }
  return envp;
}
