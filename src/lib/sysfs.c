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
#include "lib-private.h"

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
  char *root;      /* canonical, absolute, without trailing '/' (except for "/") */
  gsize prefix_len; /* of the root as paths below it begin: 0 for "/", else strlen (root) */
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
  self->prefix_len = strcmp (real, "/") == 0 ? 0 : strlen (real);
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

/* The next component of @todo from *@pos on, other than "" and "." (not terminated:
 * @len bytes), *@pos moved past it; FALSE at the end. */
static gboolean
next_component (const GString *todo, gsize *pos, const char **comp, gsize *len)
{
  for (;;)
    {
      const char *p = todo->str + *pos;

      while (*p == '/')
        p++;
      if (*p == '\0')
        return FALSE;
      *comp = p;
      *len = strcspn (p, "/");
      *pos = (gsize) (p - todo->str) + *len;
      if (!(*len == 1 && p[0] == '.'))
        return TRUE;
    }
}

/*
 * Resolves the first @relpath_len bytes of @relpath below the root into
 * @resolved: the absolute path, which always begins with the root.  Each
 * component is checked with readlink(): only the final target of a chain of
 * links is ever handed to the kernel unresolved, and it is a plain directory
 * entry below the root.
 */
static gboolean
canonicalize_into (DpugwSysfs *self, const char *relpath, gsize relpath_len, GString *resolved,
                   GError **error)
{
  /* The components still to resolve, todo->str[pos..]; a link's target goes in front. */
  g_autoptr(GString) todo = g_string_new_len (relpath, (gssize) relpath_len);
  gsize pos = 0;
  gsize root_len = self->prefix_len;
  guint links = 0;
  /* Kept: readlink() needs a buffer, and the kernel stores no link target longer than PATH_MAX. */
  char target[PATH_MAX];
  const char *comp;
  gsize n;

  g_string_truncate (resolved, 0);
  g_string_append_len (resolved, self->root, (gssize) root_len);

  while (next_component (todo, &pos, &comp, &n))
    {
      gsize before = resolved->len;
      ssize_t got;

      if (n == 2 && comp[0] == '.' && comp[1] == '.')
        {
          gsize len = resolved->len;

          if (len == root_len)
            {
              g_autofree char *rel = g_strndup (relpath, relpath_len);
              g_autofree char *shown = dpugw_sysfs_display_path (self, rel);
              g_set_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                           "%s: a link leads outside the sysfs root", shown);
              return FALSE;
            }
          /* Below the root the path is "root/comp/comp": drop the last "/comp". */
          while (resolved->str[len - 1] != '/')
            len--;
          g_string_truncate (resolved, len - 1);
          continue;
        }

      g_string_append_c (resolved, '/');
      g_string_append_len (resolved, comp, (gssize) n);

      got = readlink (resolved->str, target, sizeof target - 1);
      if (got < 0)
        {
          int errsv = errno;
          if (errsv == EINVAL)
            continue; /* exists, and is not a link */
          set_errno_error (error, errsv, resolved->str);
          return FALSE;
        }
      target[got] = '\0';

      if (++links > MAX_LINKS)
        {
          set_errno_error (error, ELOOP, resolved->str);
          return FALSE;
        }
      if (target[0] == '/' || got == 0)
        {
          g_autofree char *shown = g_utf8_make_valid (resolved->str, -1);
          g_autofree char *q = dpugw_quote_untrusted (target);
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                       "%s: refusing link to %s (sysfs links are relative)",
                       shown, got == 0 ? "an empty path" : q);
          return FALSE;
        }
      /* The link is relative to the directory that holds it. */
      g_string_truncate (resolved, before);
      g_string_erase (todo, 0, (gssize) pos);
      g_string_prepend_c (todo, '/');
      g_string_prepend_len (todo, target, got);
      pos = 0;
    }
  return TRUE;
}

char *
dpugw_sysfs_canonicalize (DpugwSysfs *self, const char *relpath, GError **error)
{
  g_autoptr(GString) abs = NULL;
  gsize root_len;

  g_return_val_if_fail (DPUGW_IS_SYSFS (self), NULL);
  g_return_val_if_fail (relpath != NULL, NULL);

  abs = g_string_new (NULL);
  if (!canonicalize_into (self, relpath, strlen (relpath), abs, error))
    return NULL;
  root_len = self->prefix_len;
  return g_strdup (abs->str[root_len] == '/' ? abs->str + root_len + 1 : abs->str + root_len);
}

/* In @path, the absolute path of @relpath: its parent directory resolved, plus its last component. */
static gboolean
resolve_entry (DpugwSysfs *self, const char *relpath, GString *path, GError **error)
{
  const char *slash = strrchr (relpath, '/');
  const char *last = slash != NULL ? slash + 1 : relpath;

  /* The last component names an entry of the parent, never the parent or its parent. */
  if (*last == '\0' || strcmp (last, ".") == 0 || strcmp (last, "..") == 0)
    {
      g_autofree char *shown = dpugw_sysfs_display_path (self, relpath);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                   "%s: does not name a file below the sysfs root", shown);
      return FALSE;
    }
  if (slash == NULL)
    {
      g_string_assign (path, self->root);
    }
  else if (!canonicalize_into (self, relpath, (gsize) (slash - relpath), path, error))
    return FALSE;
  g_string_append_c (path, '/');
  g_string_append (path, last);
  return TRUE;
}

char *
dpugw_sysfs_read_link (DpugwSysfs *self, const char *relpath, GError **error)
{
  g_autoptr(GString) path = NULL;
  char target[PATH_MAX];
  ssize_t n;

  g_return_val_if_fail (DPUGW_IS_SYSFS (self), NULL);

  path = g_string_new (NULL);
  if (!resolve_entry (self, relpath, path, error))
    return NULL;
  n = readlink (path->str, target, sizeof target - 1);
  if (n < 0)
    {
      set_errno_error (error, errno, path->str);
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
  g_autoptr(GString) path = NULL;
  char buf[MAX_ATTR_SIZE + 1];
  gsize len = 0;
  int fd;

  g_return_val_if_fail (DPUGW_IS_SYSFS (self), NULL);

  path = g_string_new (NULL);
  if (!resolve_entry (self, relpath, path, error))
    return NULL;

  /* O_NOFOLLOW: an attribute is a file, never a link; O_NONBLOCK: a FIFO
   * planted in a test tree must not hang us. */
  fd = open (path->str, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
  if (fd < 0)
    {
      set_errno_error (error, errno, path->str);
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
          set_errno_error (error, errsv, path->str);
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

  if (text == NULL)
    return FALSE;
  if (!lib_parse_decimal (g_strstrip (text), G_MAXUINT32, &value))
    {
      g_autofree char *shown = dpugw_sysfs_display_path (self, relpath);
      g_autofree char *quoted = dpugw_quote_untrusted (text);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s: %s is not a number from 0 to %u", shown,
                   quoted, G_MAXUINT32);
      return FALSE;
    }
  *out = (guint) value;
  return TRUE;
}

static int
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (a, b);
}

/*
 * The names in the directory @path, without "." and "..", sorted (strcmp); NULL with @error.
 * They are gathered in a list and sorted there, then put in a vector of their number: no
 * growing array and no sort buffer, whose large blocks, taken and freed in the middle of
 * every listing, would scatter what a long-running daemon keeps across its heap.
 */
static GStrv
read_dir (const char *path, GError **error)
{
  GSList *names = NULL;
  guint n_names = 0;
  struct dirent *entry;
  DIR *dir;
  GStrv out;
  int fd, errsv;

  /* O_NOFOLLOW: @path was resolved link by link; a link there now appeared since, and is not followed. */
  fd = open (path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    {
      set_errno_error (error, errno, path);
      return NULL;
    }
  dir = fdopendir (fd);
  if (dir == NULL)
    {
      errsv = errno;
      close (fd);
      set_errno_error (error, errsv, path);
      return NULL;
    }
  for (errno = 0; (entry = readdir (dir)) != NULL; errno = 0)
    if (strcmp (entry->d_name, ".") != 0 && strcmp (entry->d_name, "..") != 0)
      {
        names = g_slist_prepend (names, g_strdup (entry->d_name));
        n_names++;
      }
  errsv = errno;
  closedir (dir);
  if (errsv != 0)
    {
      g_slist_free_full (names, g_free);
      set_errno_error (error, errsv, path);
      return NULL;
    }

  names = g_slist_sort (names, compare_names);
  out = g_new (char *, n_names + 1);
  n_names = 0;
  for (GSList *l = names; l != NULL; l = l->next)
    out[n_names++] = l->data;
  out[n_names] = NULL;
  g_slist_free (names);
  return out;
}

GStrv
dpugw_sysfs_list_dir (DpugwSysfs *self, const char *relpath, GError **error)
{
  g_autoptr(GString) path = NULL;

  g_return_val_if_fail (DPUGW_IS_SYSFS (self), NULL);

  path = g_string_new (NULL);
  if (!canonicalize_into (self, relpath, strlen (relpath), path, error))
    return NULL;
  return read_dir (path->str, error);
}
