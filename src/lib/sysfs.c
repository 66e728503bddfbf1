/* SPDX-License-Identifier: Apache-2.0
 *
 * Every sysfs read of the library.  Symbolic links are followed here, one
 * component at a time, never by the kernel: a link may not leave the root,
 * absolute links are refused (the kernel makes only relative ones in sysfs),
 * and at most MAX_LINKS links are followed per lookup, so looping links end.
 */
#define G_LOG_DOMAIN "dpugw-sysfs"

#include "dpu-gateway/dpugw-names.h"
#include "dpu-gateway/dpugw-sysfs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_LINKS 40
#define MAX_ATTR_SIZE 4096

struct _DpugwSysfs
{
  GObject parent_instance;
  char *root; /* canonical, absolute, without trailing '/' (except for "/") */
};

G_DEFINE_FINAL_TYPE (DpugwSysfs, dpugw_sysfs, G_TYPE_OBJECT)

static void
dpugw_sysfs_finalize (GObject *object)
{
  DpugwSysfs *self = DPUGW_SYSFS (object);

  g_free (self->root);
  G_OBJECT_CLASS (dpugw_sysfs_parent_class)->finalize (object);
}

static void
dpugw_sysfs_class_init (DpugwSysfsClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = dpugw_sysfs_finalize;
}

static void
dpugw_sysfs_init (DpugwSysfs *self)
{
}

/* Paths come from the tree: their bytes need not be UTF-8, messages must be (D-Bus, JSON). */
static void
set_errno_error (GError **error, int errsv, const char *path)
{
  g_autofree char *shown = g_utf8_make_valid (path, -1);

  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
               "%s: %s", shown, g_strerror (errsv));
}

DpugwSysfs *
dpugw_sysfs_new (const char *root, GError **error)
{
  g_autoptr(DpugwSysfs) self = NULL;
  char *real;
  struct stat st;

  if (root == NULL || *root == '\0')
    root = DPUGW_DEFAULT_SYSFS_ROOT;

  real = realpath (root, NULL);
  if (real == NULL)
    {
      int errsv = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                   "sysfs root %s: %s", root, g_strerror (errsv));
      return NULL;
    }
  if (stat (real, &st) < 0 || !S_ISDIR (st.st_mode))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_DIRECTORY,
                   "sysfs root %s: %s", root, g_strerror (ENOTDIR));
      free (real);
      return NULL;
    }

  self = g_object_new (DPUGW_TYPE_SYSFS, NULL);
  self->root = g_strdup (real);
  free (real);
  return g_steal_pointer (&self);
}

const char *
dpugw_sysfs_get_root (DpugwSysfs *self)
{
  g_return_val_if_fail (DPUGW_IS_SYSFS (self), NULL);
  return self->root;
}

char *
dpugw_sysfs_display_path (DpugwSysfs *self, const char *relpath)
{
  g_autofree char *path = NULL;

  if (relpath == NULL || *relpath == '\0')
    path = g_strdup (self->root);
  else
    path = g_strconcat (strcmp (self->root, "/") == 0 ? "" : self->root, "/", relpath, NULL);
  /* For messages: valid UTF-8 whatever bytes the tree's names hold. */
  return g_utf8_make_valid (path, -1);
}

/* Appends the '/'-separated components of @path to @todo, in order, at its head. */
static void
push_components_front (GQueue *todo, const char *path)
{
  char **parts = g_strsplit (path, "/", -1);

  for (gssize i = (gssize) g_strv_length (parts) - 1; i >= 0; i--)
    {
      if (parts[i][0] == '\0' || strcmp (parts[i], ".") == 0)
        {
          g_free (parts[i]);
          continue;
        }
      g_queue_push_head (todo, parts[i]);
    }
  g_free (parts); /* the strings now belong to the queue */
}

/* @resolved holds "root/comp/comp"; its first @root_len bytes are the root. */
static void
pop_component (GString *resolved, gsize root_len)
{
  const char *slash = strrchr (resolved->str + root_len, '/');
  g_assert (slash != NULL);
  g_string_truncate (resolved, (gsize) (slash - resolved->str));
}

/*
 * Resolves @relpath below the root.  Returns the absolute path, which always
 * begins with the root.  The caller's relpath is split on '/' and each
 * component is checked with readlink(): only the final target of a chain of
 * links is ever handed to the kernel unresolved, and it is a plain directory
 * entry below the root.
 */
static char *
canonicalize_abs (DpugwSysfs *self, const char *relpath, GError **error)
{
  g_autoptr(GString) resolved = g_string_new (strcmp (self->root, "/") == 0 ? "" : self->root);
  gsize root_len = resolved->len;
  GQueue todo = G_QUEUE_INIT;
  guint links = 0;
  char target[PATH_MAX];
  gboolean ok = TRUE;

  push_components_front (&todo, relpath);

  while (!g_queue_is_empty (&todo))
    {
      g_autofree char *comp = g_queue_pop_head (&todo);
      gsize before = resolved->len;
      ssize_t n;

      if (strcmp (comp, "..") == 0)
        {
          if (resolved->len == root_len)
            {
              g_autofree char *shown = dpugw_sysfs_display_path (self, relpath);
              g_set_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                           "%s: a link leads outside the sysfs root", shown);
              ok = FALSE;
              break;
            }
          pop_component (resolved, root_len);
          continue;
        }

      g_string_append_c (resolved, '/');
      g_string_append (resolved, comp);

      n = readlink (resolved->str, target, sizeof target - 1);
      if (n < 0)
        {
          int errsv = errno;
          if (errsv == EINVAL)
            continue; /* exists, and is not a link */
          set_errno_error (error, errsv, resolved->str);
          ok = FALSE;
          break;
        }
      target[n] = '\0';

      if (++links > MAX_LINKS)
        {
          set_errno_error (error, ELOOP, resolved->str);
          ok = FALSE;
          break;
        }
      if (target[0] == '/' || n == 0)
        {
          g_autofree char *shown = g_utf8_make_valid (resolved->str, -1);
          g_autofree char *q = dpugw_quote_untrusted (target);
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                       "%s: refusing link to %s (sysfs links are relative)",
                       shown, n == 0 ? "an empty path" : q);
          ok = FALSE;
          break;
        }
      /* The link is relative to the directory that holds it. */
      g_string_truncate (resolved, before);
      push_components_front (&todo, target);
    }

  g_queue_clear_full (&todo, g_free);
  if (!ok)
    return NULL;
  return g_string_free (g_steal_pointer (&resolved), FALSE);
}

char *
dpugw_sysfs_canonicalize (DpugwSysfs *self, const char *relpath, GError **error)
{
  g_autofree char *abs = NULL;
  gsize root_len;

  g_return_val_if_fail (DPUGW_IS_SYSFS (self), NULL);
  g_return_val_if_fail (relpath != NULL, NULL);

  abs = canonicalize_abs (self, relpath, error);
  if (abs == NULL)
    return NULL;
  root_len = strcmp (self->root, "/") == 0 ? 0 : strlen (self->root);
  return g_strdup (abs[root_len] == '/' ? abs + root_len + 1 : abs + root_len);
}

/* The absolute, resolved path of @relpath's parent directory, plus its last component. */
static char *
resolve_parent (DpugwSysfs *self, const char *relpath, const char **last, GError **error)
{
  const char *slash = strrchr (relpath, '/');
  g_autofree char *parent = NULL;

  *last = slash != NULL ? slash + 1 : relpath;
  /* The last component names an entry of the parent, never the parent or its parent. */
  if (**last == '\0' || strcmp (*last, ".") == 0 || strcmp (*last, "..") == 0)
    {
      g_autofree char *shown = dpugw_sysfs_display_path (self, relpath);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                   "%s: does not name a file below the sysfs root", shown);
      return NULL;
    }
  if (slash == NULL)
    return g_strdup (self->root);
  parent = g_strndup (relpath, (gsize) (slash - relpath));
  return canonicalize_abs (self, parent, error);
}

char *
dpugw_sysfs_read_link (DpugwSysfs *self, const char *relpath, GError **error)
{
  const char *last;
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  char target[PATH_MAX];
  ssize_t n;

  g_return_val_if_fail (DPUGW_IS_SYSFS (self), NULL);

  dir = resolve_parent (self, relpath, &last, error);
  if (dir == NULL)
    return NULL;
  path = g_strconcat (dir, "/", last, NULL);
  n = readlink (path, target, sizeof target - 1);
  if (n < 0)
    {
      set_errno_error (error, errno, path);
      return NULL;
    }
  target[n] = '\0';
  return g_strdup (target);
}

char *
dpugw_sysfs_read_link_name (DpugwSysfs *self, const char *relpath, GError **error)
{
  g_autofree char *target = dpugw_sysfs_read_link (self, relpath, error);
  const char *slash;

  if (target == NULL)
    return NULL;
  slash = strrchr (target, '/');
  return g_strdup (slash != NULL ? slash + 1 : target);
}

char *
dpugw_sysfs_read_attr (DpugwSysfs *self, const char *relpath, GError **error)
{
  const char *last;
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  char buf[MAX_ATTR_SIZE + 1];
  gsize len = 0;
  int fd;

  g_return_val_if_fail (DPUGW_IS_SYSFS (self), NULL);

  dir = resolve_parent (self, relpath, &last, error);
  if (dir == NULL)
    return NULL;
  path = g_strconcat (dir, "/", last, NULL);

  /* O_NOFOLLOW: an attribute is a file, never a link; O_NONBLOCK: a FIFO
   * planted in a test tree must not hang us. */
  fd = open (path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
  if (fd < 0)
    {
      set_errno_error (error, errno, path);
      return NULL;
    }
  while (len < MAX_ATTR_SIZE)
    {
      ssize_t n = read (fd, buf + len, MAX_ATTR_SIZE - len);
      if (n < 0)
        {
          int errsv = errno;
          if (errsv == EINTR)
            continue;
          close (fd);
          set_errno_error (error, errsv, path);
          return NULL;
        }
      if (n == 0)
        break;
      len += (gsize) n;
    }
  close (fd);

  while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\0'))
    len--;
  buf[len] = '\0';
  return g_strndup (buf, len);
}

gboolean
dpugw_sysfs_read_attr_uint (DpugwSysfs *self, const char *relpath, guint *out, GError **error)
{
  g_autofree char *text = dpugw_sysfs_read_attr (self, relpath, error);
  guint64 value;
  g_autoptr(GError) local_error = NULL;

  if (text == NULL)
    return FALSE;
  if (!g_ascii_string_to_unsigned (g_strstrip (text), 10, 0, G_MAXUINT32, &value, &local_error))
    {
      g_autofree char *shown = dpugw_sysfs_display_path (self, relpath);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s: %s", shown,
                   local_error->message);
      return FALSE;
    }
  *out = (guint) value;
  return TRUE;
}

static int
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(char * const *) a, *(char * const *) b);
}

GStrv
dpugw_sysfs_list_dir (DpugwSysfs *self, const char *relpath, GError **error)
{
  g_autofree char *path = NULL;
  g_autoptr(GPtrArray) names = NULL;
  struct dirent *entry;
  DIR *dir;
  int fd;

  g_return_val_if_fail (DPUGW_IS_SYSFS (self), NULL);

  path = canonicalize_abs (self, relpath, error);
  if (path == NULL)
    return NULL;
  fd = open (path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0 || (dir = fdopendir (fd)) == NULL)
    {
      int errsv = errno;
      if (fd >= 0)
        close (fd);
      set_errno_error (error, errsv, path);
      return NULL;
    }

  names = g_ptr_array_new_with_free_func (g_free);
  errno = 0;
  while ((entry = readdir (dir)) != NULL)
    {
      if (strcmp (entry->d_name, ".") == 0 || strcmp (entry->d_name, "..") == 0)
        continue;
      g_ptr_array_add (names, g_strdup (entry->d_name));
      errno = 0;
    }
  if (errno != 0)
    {
      int errsv = errno;
      closedir (dir);
      set_errno_error (error, errsv, path);
      return NULL;
    }
  closedir (dir);

  g_ptr_array_sort (names, compare_names);
  g_ptr_array_add (names, NULL);
  return (GStrv) g_ptr_array_free (g_steal_pointer (&names), FALSE);
}
