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

/* A path being built: on the stack up to PATH_MAX, on the heap beyond (the kernel then says
 * ENAMETOOLONG, as it would have for any string). */
typedef struct
{
  char *str;
  gsize len;
  gsize cap;
  char inline_buf[PATH_MAX];
} PathBuf;

static void
path_buf_init (PathBuf *p)
{
  p->str = p->inline_buf;
  p->len = 0;
  p->cap = sizeof p->inline_buf;
  p->str[0] = '\0';
}

static void
path_buf_clear (PathBuf *p)
{
  if (p->str != p->inline_buf)
    g_free (p->str);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (PathBuf, path_buf_clear)

static void
path_buf_append (PathBuf *p, const char *s, gsize n)
{
  if (p->len + n + 1 > p->cap)
    {
      gsize cap = MAX (p->cap * 2, p->len + n + 1);

      if (p->str == p->inline_buf)
        {
          p->str = g_malloc (cap);
          memcpy (p->str, p->inline_buf, p->len);
        }
      else
        p->str = g_realloc (p->str, cap);
      p->cap = cap;
    }
  memcpy (p->str + p->len, s, n);
  p->len += n;
  p->str[p->len] = '\0';
}

static void
path_buf_truncate (PathBuf *p, gsize len)
{
  p->len = len;
  p->str[len] = '\0';
}

/*
 * The components still to resolve: a '/'-separated string kept at the end of
 * its buffer, so that a link's target is put in front of the rest by copying
 * it just before.  On the stack unless the links pile up beyond 2 * PATH_MAX.
 */
typedef struct
{
  char *buf;   /* buf[start .. size - 1) pending, buf[size - 1] == '\0' */
  gsize size;
  gsize start;
  char inline_buf[2 * PATH_MAX];
} Todo;

static void
todo_clear (Todo *t)
{
  if (t->buf != t->inline_buf)
    g_free (t->buf);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Todo, todo_clear)

static void
todo_init (Todo *t, const char *path, gsize n)
{
  t->buf = t->inline_buf;
  t->size = sizeof t->inline_buf;
  if (n + 1 > t->size)
    {
      t->size = n + 1;
      t->buf = g_malloc (t->size);
    }
  t->start = t->size - 1 - n;
  memcpy (t->buf + t->start, path, n);
  t->buf[t->size - 1] = '\0';
}

/* Puts the @n bytes of @path, and a '/', in front of what is pending. */
static void
todo_push (Todo *t, const char *path, gsize n)
{
  if (n + 1 > t->start)
    {
      gsize pending = t->size - t->start; /* with the final '\0' */
      gsize size = MAX (t->size * 2, pending + n + 1);
      char *buf = g_malloc (size);

      memcpy (buf + size - pending, t->buf + t->start, pending);
      todo_clear (t);
      t->buf = buf;
      t->size = size;
      t->start = size - pending;
    }
  t->buf[--t->start] = '/';
  t->start -= n;
  memcpy (t->buf + t->start, path, n);
}

/* The next component other than "" and "." (not terminated: @len bytes); FALSE at the end. */
static gboolean
todo_pop (Todo *t, const char **comp, gsize *len)
{
  for (;;)
    {
      const char *p;

      while (t->buf[t->start] == '/')
        t->start++;
      if (t->buf[t->start] == '\0')
        return FALSE;
      p = t->buf + t->start;
      *comp = p;
      while (*p != '/' && *p != '\0')
        p++;
      *len = (gsize) (p - *comp);
      t->start += *len;
      if (!(*len == 1 && (*comp)[0] == '.'))
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
canonicalize_into (DpugwSysfs *self, const char *relpath, gsize relpath_len, PathBuf *resolved,
                   GError **error)
{
  g_auto(Todo) todo;
  gsize root_len = self->prefix_len;
  guint links = 0;
  char target[PATH_MAX];
  const char *comp;
  gsize n;

  todo_init (&todo, relpath, relpath_len);
  path_buf_truncate (resolved, 0);
  path_buf_append (resolved, self->root, root_len);

  while (todo_pop (&todo, &comp, &n))
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
          path_buf_truncate (resolved, len - 1);
          continue;
        }

      path_buf_append (resolved, "/", 1);
      path_buf_append (resolved, comp, n);

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
      path_buf_truncate (resolved, before);
      todo_push (&todo, target, strlen (target));
    }
  return TRUE;
}

char *
dpugw_sysfs_canonicalize (DpugwSysfs *self, const char *relpath, GError **error)
{
  g_auto(PathBuf) abs;
  gsize root_len;

  path_buf_init (&abs);
  g_return_val_if_fail (DPUGW_IS_SYSFS (self), NULL);
  g_return_val_if_fail (relpath != NULL, NULL);

  if (!canonicalize_into (self, relpath, strlen (relpath), &abs, error))
    return NULL;
  root_len = self->prefix_len;
  return g_strdup (abs.str[root_len] == '/' ? abs.str + root_len + 1 : abs.str + root_len);
}

/* In @path, the absolute path of @relpath: its parent directory resolved, plus its last component. */
static gboolean
resolve_entry (DpugwSysfs *self, const char *relpath, PathBuf *path, GError **error)
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
      path_buf_truncate (path, 0);
      path_buf_append (path, self->root, strlen (self->root));
    }
  else if (!canonicalize_into (self, relpath, (gsize) (slash - relpath), path, error))
    return FALSE;
  path_buf_append (path, "/", 1);
  path_buf_append (path, last, strlen (last));
  return TRUE;
}

char *
dpugw_sysfs_read_link (DpugwSysfs *self, const char *relpath, GError **error)
{
  g_auto(PathBuf) path;
  char target[PATH_MAX];
  ssize_t n;

  path_buf_init (&path);
  g_return_val_if_fail (DPUGW_IS_SYSFS (self), NULL);

  if (!resolve_entry (self, relpath, &path, error))
    return NULL;
  n = readlink (path.str, target, sizeof target - 1);
  if (n < 0)
    {
      set_errno_error (error, errno, path.str);
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
  g_auto(PathBuf) path;
  char buf[MAX_ATTR_SIZE + 1];
  gsize len = 0;
  int fd;

  path_buf_init (&path);
  g_return_val_if_fail (DPUGW_IS_SYSFS (self), NULL);

  if (!resolve_entry (self, relpath, &path, error))
    return NULL;

  /* O_NOFOLLOW: an attribute is a file, never a link; O_NONBLOCK: a FIFO
   * planted in a test tree must not hang us. */
  fd = open (path.str, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
  if (fd < 0)
    {
      set_errno_error (error, errno, path.str);
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
          set_errno_error (error, errsv, path.str);
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

/* The names in the directory @path, without "." and "..", in no order; NULL with @error. */
static GPtrArray *
read_dir (const char *path, GError **error)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  struct dirent *entry;
  DIR *dir;
  int fd, errsv;

  /* O_NOFOLLOW: @path is canonical, so a link there was put in after canonicalize_into(). */
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
      g_ptr_array_add (names, g_strdup (entry->d_name));
  errsv = errno;
  closedir (dir);
  if (errsv != 0)
    {
      set_errno_error (error, errsv, path);
      return NULL;
    }
  return g_steal_pointer (&names);
}

/* @names sorted, as a GStrv; takes @names. */
static GStrv
sorted_strv (GPtrArray *names)
{
  g_ptr_array_sort (names, compare_names);
  g_ptr_array_add (names, NULL);
  g_ptr_array_set_free_func (names, NULL);
  return (GStrv) g_ptr_array_free (names, FALSE);
}

GStrv
dpugw_sysfs_list_dir (DpugwSysfs *self, const char *relpath, GError **error)
{
  g_auto(PathBuf) path;
  GPtrArray *names;

  path_buf_init (&path);
  g_return_val_if_fail (DPUGW_IS_SYSFS (self), NULL);

  if (!canonicalize_into (self, relpath, strlen (relpath), &path, error))
    return NULL;
  names = read_dir (path.str, error);
  return names != NULL ? sorted_strv (names) : NULL;
}
