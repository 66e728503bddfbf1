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

#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
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

/*
 * Listing.  Every name listed is allocated with at least 16 bytes, zero-padded
 * (malloc's smallest block holds 24 anyway), so that its first 16 bytes can be
 * read as two big-endian integers: they order names as strcmp() does (bytes
 * compared unsigned, a shorter name before its extensions), and only names
 * that agree on all 16 bytes, none of them '\0', need strcmp() of the rest.
 * Every valid netdev name is shorter than 16 bytes.
 */
#define NAME_MIN_ALLOC LIB_NAME_PREFIX_LEN
G_STATIC_ASSERT (NAME_MIN_ALLOC == 2 * sizeof (guint64));

static inline guint64
name_key (const char *name, guint word)
{
  guint64 k;

  memcpy (&k, name + 8 * word, sizeof k);
  return GUINT64_FROM_BE (k);
}

/* @a < @b, where @k0 and @k1 are @b's keys. */
static inline gboolean
name_less_key (const char *a, const char *b, guint64 k0, guint64 k1)
{
  guint64 x = name_key (a, 0);

  if (x != k0)
    return x < k0;
  x = name_key (a, 1);
  if (x != k1)
    return x < k1;
  /* The same first 16 bytes; if the 16th is '\0', the same name. */
  return (x & 0xff) != 0 && strcmp (a + 16, b + 16) < 0;
}

/* @a < @b, where @k0 and @k1 are @a's keys. */
static inline gboolean
key_less_name (const char *a, guint64 k0, guint64 k1, const char *b)
{
  guint64 y = name_key (b, 0);

  if (k0 != y)
    return k0 < y;
  y = name_key (b, 1);
  if (k1 != y)
    return k1 < y;
  return (k1 & 0xff) != 0 && strcmp (a + 16, b + 16) < 0;
}

static inline gboolean
name_less (const char *a, const char *b)
{
  return name_less_key (a, b, name_key (b, 0), name_key (b, 1));
}

static inline void
name_swap (char **a, char **b)
{
  char *t = *a;
  *a = *b;
  *b = t;
}

static void
names_heap_sift (char **v, gsize root, gsize n)
{
  for (;;)
    {
      gsize child = 2 * root + 1;

      if (child >= n)
        return;
      if (child + 1 < n && name_less (v[child], v[child + 1]))
        child++;
      if (!name_less (v[root], v[child]))
        return;
      name_swap (&v[root], &v[child]);
      root = child;
    }
}

static void
names_heapsort (char **v, gsize n)
{
  for (gsize i = n / 2; i-- > 0;)
    names_heap_sift (v, i, n);
  for (gsize i = n; i-- > 1;)
    {
      name_swap (&v[0], &v[i]);
      names_heap_sift (v, 0, i);
    }
}

/* Introsort: quicksort, insertion sort for short runs, heapsort if the partitions go bad. */
static void
names_sort (char **v, gsize n, guint depth)
{
  while (n > 16)
    {
      gsize mid = n / 2, i, j;
      const char *pivot;
      guint64 p0, p1;

      if (depth-- == 0)
        {
          names_heapsort (v, n);
          return;
        }
      /* The median of three for the pivot; v[0] <= pivot <= v[n - 1] stop the scans. */
      if (name_less (v[mid], v[0]))
        name_swap (&v[mid], &v[0]);
      if (name_less (v[n - 1], v[mid]))
        {
          name_swap (&v[n - 1], &v[mid]);
          if (name_less (v[mid], v[0]))
            name_swap (&v[mid], &v[0]);
        }
      pivot = v[mid];
      p0 = name_key (pivot, 0);
      p1 = name_key (pivot, 1);
      /* Hoare's partition: v[0 .. j] <= pivot <= v[j + 1 .. n), both sides non-empty. */
      i = 0;
      j = n - 1;
      for (;;)
        {
          while (name_less_key (v[i], pivot, p0, p1))
            i++;
          while (key_less_name (pivot, p0, p1, v[j]))
            j--;
          if (i >= j)
            break;
          name_swap (&v[i], &v[j]);
          i++;
          j--;
        }
      /* Sort the smaller side by recursion (depth O(log n)), loop on the larger. */
      if (j + 1 < n - j - 1)
        {
          names_sort (v, j + 1, depth);
          v += j + 1;
          n -= j + 1;
        }
      else
        {
          names_sort (v + j + 1, n - j - 1, depth);
          n = j + 1;
        }
    }
  for (gsize i = 1; i < n; i++)
    {
      char *t = v[i];
      guint64 k0 = name_key (t, 0), k1 = name_key (t, 1);
      gsize j = i;

      for (; j > 0 && key_less_name (t, k0, k1, v[j - 1]); j--)
        v[j] = v[j - 1];
      v[j] = t;
    }
}

/* The names of a listing: on the stack up to 1,024 (a PF with as many representors), on the
 * heap beyond. */
typedef struct
{
  char **v;
  gsize len;
  gsize cap;
  char *inline_v[1024];
} Names;

static void
names_init (Names *n)
{
  n->v = n->inline_v;
  n->len = 0;
  n->cap = G_N_ELEMENTS (n->inline_v);
}

/* Frees the names too: on the error paths. */
static void
names_clear (Names *n)
{
  for (gsize i = 0; i < n->len; i++)
    g_free (n->v[i]);
  if (n->v != n->inline_v)
    g_free (n->v);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Names, names_clear)

static void
names_reserve (Names *n, gsize cap)
{
  if (cap <= n->cap)
    return;
  if (n->v == n->inline_v)
    {
      n->v = g_new (char *, cap);
      memcpy (n->v, n->inline_v, n->len * sizeof (char *));
    }
  else
    n->v = g_renew (char *, n->v, cap);
  n->cap = cap;
}

/* Adds @name, of @len bytes, whose first 16 bytes (zero-padded) are @prefix. */
static void
names_add (Names *n, const char *name, gsize len, const guint8 prefix[NAME_MIN_ALLOC])
{
  char *copy;

  if (n->len == n->cap)
    names_reserve (n, n->cap * 2);
  if (len < NAME_MIN_ALLOC)
    {
      copy = g_malloc (NAME_MIN_ALLOC);
      memcpy (copy, prefix, NAME_MIN_ALLOC);
    }
  else
    copy = memcpy (g_malloc (len + 1), name, len + 1);
  n->v[n->len++] = copy;
}

/* @n's names as a GStrv, @n left empty. */
static GStrv
names_steal (Names *n)
{
  char **v;

  if (n->v == n->inline_v)
    {
      v = g_new (char *, n->len + 1);
      memcpy (v, n->v, n->len * sizeof (char *));
    }
  else
    v = g_renew (char *, n->v, n->len + 1);
  v[n->len] = NULL;
  names_init (n);
  return v;
}

/*
 * The names sorted, as a GStrv, @n left empty; with @copy, a copy of them in
 * *@copy.  The copies are made before either vector is allocated, so that all
 * the small blocks of a listing come in one run -- malloc serves them from
 * what was just freed, such as the previous listing's names -- and the large
 * vectors after: a large block asked for before them would have malloc first
 * consolidate all its small free blocks.
 */
static GStrv
names_steal_sorted (Names *n, GStrv *copy)
{
  g_auto(Names) copies;
  guint depth = 0;

  names_init (&copies);
  for (gsize m = n->len; m > 1; m >>= 1)
    depth += 2;
  names_sort (n->v, n->len, depth);
  if (copy != NULL)
    {
      names_reserve (&copies, n->len);
      for (gsize i = 0; i < n->len; i++)
        {
          const char *name = n->v[i];

          /* A short name is 16 bytes, zero-padded: copied as such. */
          copies.v[copies.len++] = name[NAME_MIN_ALLOC - 1] == '\0'
                                     ? memcpy (g_malloc (NAME_MIN_ALLOC), name, NAME_MIN_ALLOC)
                                     : g_strdup (name);
        }
      *copy = names_steal (&copies);
    }
  return names_steal (n);
}

static int
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(char * const *) a, *(char * const *) b);
}

/*
 * The buffer of getdents64, the size of glibc's readdir's.  One spare is kept for the next
 * listing, whichever thread makes it: a 32 KiB malloc per listing would make glibc consolidate
 * the small blocks the previous resolution freed, and a buffer per thread would stay with each
 * of GTask's idle threads (320 KiB of a daemon's heap).  Listings that overlap allocate their own.
 */
#define DIRENT_BUF_SIZE 32768

static gpointer dirent_spare;

static char *
dirent_buf_take (void)
{
  char *buf = g_atomic_pointer_exchange (&dirent_spare, NULL);
  return buf != NULL ? buf : g_malloc (DIRENT_BUF_SIZE);
}

static void
dirent_buf_give_back (char *buf)
{
  if (!g_atomic_pointer_compare_and_exchange (&dirent_spare, NULL, buf))
    g_free (buf);
}

/* The kernel's struct linux_dirent64. */
typedef struct
{
  guint64 d_ino;
  gint64 d_off;
  unsigned short d_reclen;
  unsigned char d_type;
  char d_name[];
} Dirent64;

/*
 * dpugw_sysfs_list_dir(); for @invalid != NULL keeping only valid netdev
 * names, the others (sorted, NULL if none) in *@invalid; for @copy != NULL,
 * a second vector of the same names in *@copy.
 */
static GStrv
list_dir (DpugwSysfs *self, const char *relpath, GStrv *invalid, GStrv *copy, GError **error)
{
  g_auto(PathBuf) path;
  g_auto(Names) names;
  g_autoptr(GPtrArray) bad = NULL;
  char *buf;
  int fd;

  path_buf_init (&path);
  names_init (&names);
  if (invalid != NULL)
    *invalid = NULL;

  if (!canonicalize_into (self, relpath, strlen (relpath), &path, error))
    return NULL;
  fd = open (path.str, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    {
      set_errno_error (error, errno, path.str);
      return NULL;
    }

  buf = dirent_buf_take ();
  for (;;)
    {
      long got = syscall (SYS_getdents64, fd, buf, DIRENT_BUF_SIZE);

      if (got < 0)
        {
          int errsv = errno;
          close (fd);
          dirent_buf_give_back (buf);
          set_errno_error (error, errsv, path.str);
          return NULL;
        }
      if (got == 0)
        break;
      for (long off = 0; off < got;)
        {
          const Dirent64 *entry = (const Dirent64 *) (buf + off);
          const char *name = entry->d_name;
          guint8 prefix[NAME_MIN_ALLOC];
          gboolean valid;
          gsize len;

          if (entry->d_reclen == 0)
            break; /* never from a kernel; not a reason to spin */
          off += entry->d_reclen;
          /* As readdir(): deleted entries skipped, and then "." and "..". */
          if (entry->d_ino == 0 ||
              (name[0] == '.' && (name[1] == '\0' || (name[1] == '.' && name[2] == '\0'))))
            continue;
          len = lib_netdev_name_scan (name, prefix, &valid);
          if (invalid != NULL && !valid)
            {
              if (bad == NULL)
                bad = g_ptr_array_new_with_free_func (g_free);
              g_ptr_array_add (bad, g_strdup (name));
            }
          else
            names_add (&names, name, len, prefix);
        }
    }
  close (fd);
  dirent_buf_give_back (buf);

  if (bad != NULL)
    {
      g_ptr_array_sort (bad, compare_names);
      g_ptr_array_add (bad, NULL);
      g_ptr_array_set_free_func (bad, NULL);
      *invalid = (GStrv) g_ptr_array_free (g_steal_pointer (&bad), FALSE);
    }
  return names_steal_sorted (&names, copy);
}

GStrv
dpugw_sysfs_list_dir (DpugwSysfs *self, const char *relpath, GError **error)
{
  g_return_val_if_fail (DPUGW_IS_SYSFS (self), NULL);
  return list_dir (self, relpath, NULL, NULL, error);
}

GStrv
lib_sysfs_list_netdevs (DpugwSysfs *self, const char *relpath, GStrv *invalid, GStrv *copy, GError **error)
{
  g_return_val_if_fail (DPUGW_IS_SYSFS (self), NULL);
  g_return_val_if_fail (invalid != NULL, NULL);
  return list_dir (self, relpath, invalid, copy, error);
}
