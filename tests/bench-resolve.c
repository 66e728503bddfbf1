/* SPDX-License-Identifier: Apache-2.0
 *
 * bench-resolve: libdpu-gateway in-process, uncached, on a generated host of
 * 8 PFs x 512 VFs (4,096 VFs, each with a netdev), plain and in switchdev
 * mode (a representor per VF in the PF's net/), against the raw floor: the
 * same system calls, done directly in a loop.
 *
 *   resolve   dpugw_resolve (sysfs, NULL, NETDEV) for every VF's netdev once
 *   topology  dpugw_topology_scan ()
 *
 * The floor repeats the library's own walk -- every path component checked
 * with readlink(), directories listed with open + fdopendir + readdir +
 * closedir (as the library, glibc's readdir buffer), attributes read with
 * open + read + read + close -- with fixed buffers, no allocation of its own,
 * no sorting, no validation and no GError.  Which system calls
 * the library makes was read off `strace -f` of one resolution and one scan;
 * when strace is installed this program checks it again: it runs itself
 * under `strace -c` and compares the counts per resolution and per scan.
 *
 * A second, "minimal" floor is what a direct implementation needs (and what
 * a shell script does): readlink class/net/NAME/device and VF/physfn with the
 * kernel following the links, one readdir of PF/net, one attribute.  It is
 * printed for information: the library checks every component itself so as
 * never to leave the sysfs root.
 *
 * Rounds alternate library and floor; every figure is the median over the
 * rounds of the per-round ratio.
 */
#define _GNU_SOURCE
#include "bench-common.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define RESOLVE_ROUNDS  5
#define TOPOLOGY_ROUNDS 5
#define TARGET_RESOLVE  1.5

/* ===========================================================================
 * The floor: the library's system calls, and nothing else
 * ======================================================================== */

static char floor_root[PATH_MAX];
static size_t floor_root_len;

/* Pending path components, stored right-aligned so that a link's target can be put in front. */
typedef struct {
  char buf[2 * PATH_MAX];
  size_t start;
} Todo;

static gboolean
todo_init (Todo *t, const char *path)
{
  size_t n = strlen (path);

  if (n + 1 > sizeof t->buf)
    return FALSE;
  t->start = sizeof t->buf - 1 - n;
  memcpy (t->buf + t->start, path, n);
  t->buf[sizeof t->buf - 1] = '\0';
  return TRUE;
}

static gboolean
todo_push (Todo *t, const char *path, size_t n)
{
  if (n + 1 > t->start)
    return FALSE;
  t->buf[--t->start] = '/';
  t->start -= n;
  memcpy (t->buf + t->start, path, n);
  return TRUE;
}

/* The next component other than "" and "."; FALSE at the end. */
static gboolean
todo_pop (Todo *t, const char **comp, size_t *len)
{
  for (;;)
    {
      while (t->buf[t->start] == '/')
        t->start++;
      if (t->buf[t->start] == '\0')
        return FALSE;
      *comp = t->buf + t->start;
      *len = strcspn (*comp, "/");
      t->start += *len;
      if (!(*len == 1 && (*comp)[0] == '.'))
        return TRUE;
    }
}

/* canonicalize_abs(): @out gets root/..., every component checked with readlink(). */
static gboolean
floor_canon (const char *rel, char *out)
{
  Todo todo;
  size_t len = floor_root_len;
  const char *comp;
  size_t n;
  guint links = 0;
  char target[PATH_MAX];

  memcpy (out, floor_root, floor_root_len + 1);
  if (!todo_init (&todo, rel))
    return FALSE;
  while (todo_pop (&todo, &comp, &n))
    {
      size_t before = len;
      ssize_t got;

      if (n == 2 && comp[0] == '.' && comp[1] == '.')
        {
          if (len == floor_root_len)
            return FALSE;
          while (len > floor_root_len && out[len - 1] != '/')
            len--;
          len--;
          out[len] = '\0';
          continue;
        }
      if (len + 1 + n + 1 > PATH_MAX)
        return FALSE;
      out[len++] = '/';
      memcpy (out + len, comp, n);
      len += n;
      out[len] = '\0';
      got = readlink (out, target, sizeof target - 1);
      if (got < 0)
        {
          if (errno == EINVAL)
            continue;
          return FALSE;
        }
      if (++links > 40 || got == 0 || target[0] == '/')
        return FALSE;
      len = before;
      out[len] = '\0';
      if (!todo_push (&todo, target, (size_t) got))
        return FALSE;
    }
  return TRUE;
}

/* @abs relative to the root, as the library passes canonical directories back in. */
static const char *
rel_of (const char *abs)
{
  return abs[floor_root_len] == '/' ? abs + floor_root_len + 1 : abs + floor_root_len;
}

static const char *
base_of (const char *path)
{
  const char *slash = strrchr (path, '/');
  return slash != NULL ? slash + 1 : path;
}

/* resolve_parent() + open + read until EOF + close; the value in @value (trailing newline kept). */
static gboolean
floor_read_attr (const char *dir_rel, const char *name, char *value, size_t size)
{
  char path[PATH_MAX];
  size_t len = 0;
  int fd;

  if (!floor_canon (dir_rel, path) || strlen (path) + 1 + strlen (name) + 1 > sizeof path)
    return FALSE;
  strcat (path, "/");
  strcat (path, name);
  fd = open (path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
  if (fd < 0)
    return FALSE;
  while (len < size - 1)
    {
      ssize_t n = read (fd, value + len, size - 1 - len);
      if (n <= 0)
        break;
      len += (size_t) n;
    }
  close (fd);
  value[len] = '\0';
  return TRUE;
}

/* resolve_parent() + readlink. */
static gboolean
floor_read_link (const char *dir_rel, const char *name, char *target)
{
  char path[PATH_MAX];
  ssize_t n;

  if (!floor_canon (dir_rel, path) || strlen (path) + 1 + strlen (name) + 1 > sizeof path)
    return FALSE;
  strcat (path, "/");
  strcat (path, name);
  n = readlink (path, target, PATH_MAX - 1);
  if (n < 0)
    return FALSE;
  target[n] = '\0';
  return TRUE;
}

typedef gboolean (*EntryFunc) (const char *name, gpointer data);

/* dpugw_sysfs_list_dir(): canonicalize + open + fdopendir + readdir until NULL + closedir;
 * @func per entry (which may list another directory). */
static gboolean
floor_list_dir (const char *rel, EntryFunc func, gpointer data)
{
  char path[PATH_MAX];
  struct dirent *entry;
  DIR *dir;
  int fd;

  if (!floor_canon (rel, path))
    return FALSE;
  fd = open (path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return FALSE;
  dir = fdopendir (fd);
  if (dir == NULL)
    {
      close (fd);
      return FALSE;
    }
  while ((entry = readdir (dir)) != NULL)
    if (strcmp (entry->d_name, ".") != 0 && strcmp (entry->d_name, "..") != 0 && func != NULL)
      func (entry->d_name, data);
  closedir (dir);
  return TRUE;
}

static gboolean
keep_smallest (const char *name, gpointer data)
{
  char *smallest = data;

  if (smallest[0] == '\0' || strcmp (name, smallest) < 0)
    g_strlcpy (smallest, name, NAME_MAX + 1);
  return TRUE;
}

/* dpugw_resolve (sysfs, NULL, @netdev): its system calls; the gateway in @gateway. */
static gboolean
floor_resolve (const char *netdev, char *gateway)
{
  char rel[PATH_MAX], netdev_dir[PATH_MAX], device_dir[PATH_MAX], vf_dir[PATH_MAX], pf_dir[PATH_MAX];
  char target[PATH_MAX], value[64];
  char vf[64], pf[64];

  /* Step 2: class/net/NAME, then its device link from the canonical directory. */
  g_snprintf (rel, sizeof rel, "class/net/%s", netdev);
  if (!floor_canon (rel, netdev_dir))
    return FALSE;
  g_snprintf (rel, sizeof rel, "%s/device", rel_of (netdev_dir));
  if (!floor_canon (rel, device_dir))
    return FALSE;
  g_strlcpy (vf, base_of (device_dir), sizeof vf);
  /* Step 3: bus/pci/devices/VF, physfn read, then followed. */
  g_snprintf (rel, sizeof rel, "bus/pci/devices/%s", vf);
  if (!floor_canon (rel, vf_dir))
    return FALSE;
  if (!floor_read_link (rel_of (vf_dir), "physfn", target))
    return FALSE;
  g_snprintf (rel, sizeof rel, "%s/physfn", rel_of (vf_dir));
  if (!floor_canon (rel, pf_dir))
    return FALSE;
  g_strlcpy (pf, base_of (pf_dir), sizeof pf);
  /* Step 4: bus/pci/devices/PF/net. */
  g_snprintf (rel, sizeof rel, "bus/pci/devices/%s/net", pf);
  gateway[0] = '\0';
  if (!floor_list_dir (rel, keep_smallest, gateway) || gateway[0] == '\0')
    return FALSE;
  /* Step 5, rule `first`: the hint's phys_port_name of the first (absent unless switchdev). */
  g_snprintf (rel, sizeof rel, "bus/pci/devices/%s/net/%s", pf, gateway);
  floor_read_attr (rel, "phys_port_name", value, sizeof value);
  return TRUE;
}

/* The minimal floor: what a direct implementation (or a shell script) needs. */
static gboolean
minimal_resolve (const char *netdev, char *gateway)
{
  char path[PATH_MAX], target[PATH_MAX], value[64], vf[64], pf[64];
  ssize_t n;
  DIR *dir;
  struct dirent *entry;
  int fd;

  g_snprintf (path, sizeof path, "%s/class/net/%s/device", floor_root, netdev);
  if ((n = readlink (path, target, sizeof target - 1)) < 0)
    return FALSE;
  target[n] = '\0';
  g_strlcpy (vf, base_of (target), sizeof vf);
  g_snprintf (path, sizeof path, "%s/bus/pci/devices/%s/physfn", floor_root, vf);
  if ((n = readlink (path, target, sizeof target - 1)) < 0)
    return FALSE;
  target[n] = '\0';
  g_strlcpy (pf, base_of (target), sizeof pf);
  g_snprintf (path, sizeof path, "%s/bus/pci/devices/%s/net", floor_root, pf);
  if ((dir = opendir (path)) == NULL)
    return FALSE;
  gateway[0] = '\0';
  while ((entry = readdir (dir)) != NULL)
    if (entry->d_name[0] != '.')
      keep_smallest (entry->d_name, gateway);
  closedir (dir);
  g_snprintf (path, sizeof path, "%s/bus/pci/devices/%s/net/%s/phys_port_name", floor_root, pf, gateway);
  if ((fd = open (path, O_RDONLY | O_CLOEXEC)) >= 0)
    {
      n = read (fd, value, sizeof value);
      close (fd);
    }
  return gateway[0] != '\0';
}

/* --- the topology scan's floor ------------------------------------------------------------ */

typedef struct {
  guint pfs;
  guint vfs;
  guint vf_netdevs;
  const char *pf_dir_rel;
} ScanCount;

static gboolean
count_entry (const char *name, gpointer data)
{
  (*(guint *) data)++;
  return TRUE;
}

static gboolean
is_pci_address (const char *name)
{
  unsigned int d, b, s, f;
  char end;

  return strlen (name) == 12 && sscanf (name, "%4x:%2x:%2x.%1x%c", &d, &b, &s, &f, &end) == 4;
}

/* netdevs_of(DIR): the listing of DIR/net, counted; and the switch id of the first that has one. */
static guint
floor_netdevs_of (const char *dir_rel, gboolean want_switch_id)
{
  char rel[PATH_MAX], first[NAME_MAX + 1] = "", value[64];
  guint n = 0;

  g_snprintf (rel, sizeof rel, "%s/net", dir_rel);
  if (want_switch_id)
    {
      /* The library lists the names, then reads phys_switch_id of each, in order, until one has it. */
      if (!floor_list_dir (rel, keep_smallest, first) || first[0] == '\0')
        return 0;
      n = 1;
      g_snprintf (rel, sizeof rel, "%s/net/%s", dir_rel, first);
      floor_read_attr (rel, "phys_switch_id", value, sizeof value);
      return n;
    }
  floor_list_dir (rel, count_entry, &n);
  return n;
}

static gboolean
scan_virtfn (const char *name, gpointer data)
{
  ScanCount *count = data;
  char rel[PATH_MAX], vf_dir[PATH_MAX];

  if (strncmp (name, "virtfn", 6) != 0)
    return TRUE;
  g_snprintf (rel, sizeof rel, "%s/%s", count->pf_dir_rel, name);
  if (!floor_canon (rel, vf_dir) || !is_pci_address (base_of (vf_dir)))
    return TRUE;
  count->vfs++;
  count->vf_netdevs += floor_netdevs_of (rel_of (vf_dir), FALSE);
  return TRUE;
}

static gboolean
scan_device (const char *name, gpointer data)
{
  ScanCount *count = data;
  char rel[PATH_MAX], dir[PATH_MAX], dir_rel[PATH_MAX], value[64], target[PATH_MAX];

  if (!is_pci_address (name))
    return TRUE;
  g_snprintf (rel, sizeof rel, "bus/pci/devices/%s", name);
  if (!floor_canon (rel, dir))
    return TRUE;
  g_strlcpy (dir_rel, rel_of (dir), sizeof dir_rel);
  if (!floor_read_attr (dir_rel, "sriov_totalvfs", value, sizeof value))
    return TRUE; /* not a PF */
  count->pfs++;
  floor_read_attr (dir_rel, "sriov_numvfs", value, sizeof value);
  floor_read_link (dir_rel, "driver", target);
  floor_netdevs_of (dir_rel, TRUE);
  count->pf_dir_rel = dir_rel;
  floor_list_dir (dir_rel, scan_virtfn, count);
  return TRUE;
}

/* The entries of bus/pci/devices, kept: the library lists them first, then scans each. */
static gboolean
collect_name (const char *name, gpointer data)
{
  g_ptr_array_add (data, g_strdup (name));
  return TRUE;
}

static ScanCount
floor_topology (void)
{
  ScanCount count = { 0 };
  g_autoptr(GPtrArray) devices = g_ptr_array_new_with_free_func (g_free);

  floor_list_dir ("bus/pci/devices", collect_name, devices);
  for (guint i = 0; i < devices->len; i++)
    scan_device (g_ptr_array_index (devices, i), &count);
  return count;
}

/* ===========================================================================
 * Measuring
 * ======================================================================== */

typedef enum { MODE_LIB, MODE_FLOOR, MODE_MINIMAL, MODE_NONE } Mode;

static const char *mode_names[] = { "library", "floor", "minimal", "none" };

/* Every VF of @tree resolved once by @mode; the time in ns.  Checks each answer. */
static gint64
resolve_all (BenchTree *tree, Mode mode)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DpugwSysfs) sysfs = NULL;
  char gateway[NAME_MAX + 1];
  gint64 t0, t1;
  guint wrong = 0;

  if (mode == MODE_LIB)
    {
      /* A new sysfs object each round: nothing carried over in the process. */
      sysfs = dpugw_sysfs_new (tree->root, &error);
      g_assert_no_error (error);
    }
  t0 = bench_now_ns ();
  for (guint i = 0; i < tree->vfs->len; i++)
    {
      const BenchVf *vf = g_ptr_array_index (tree->vfs, i);

      if (mode == MODE_LIB)
        {
          DpugwResolution *r = dpugw_resolve (sysfs, NULL, vf->netdev, &error);

          if (r == NULL)
            g_error ("dpugw_resolve (%s): %s", vf->netdev, error->message);
          g_strlcpy (gateway, r->interface, sizeof gateway);
          dpugw_resolution_free (r);
        }
      else if (mode == MODE_FLOOR)
        {
          if (!floor_resolve (vf->netdev, gateway))
            g_error ("floor: cannot resolve %s", vf->netdev);
        }
      else if (!minimal_resolve (vf->netdev, gateway))
        g_error ("minimal floor: cannot resolve %s", vf->netdev);
      /* The PF's uplink sorts first in every generated tree. */
      if (i < 8 || i % 512 == 0)
        {
          const char *pf_first = NULL;
          for (guint p = 0; p < tree->pfs->len; p++)
            if (strcmp (((BenchPf *) g_ptr_array_index (tree->pfs, p))->pci, vf->pf) == 0)
              pf_first = ((BenchPf *) g_ptr_array_index (tree->pfs, p))->netdevs[0];
          wrong += g_strcmp0 (pf_first, gateway) != 0;
        }
    }
  t1 = bench_now_ns ();
  if (wrong > 0)
    g_error ("%s: %u wrong gateways", mode_names[mode], wrong);
  return t1 - t0;
}

static gint64
scan_once (BenchTree *tree, Mode mode, guint *pfs, guint *vfs)
{
  gint64 t0, t1;

  if (mode == MODE_LIB)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(DpugwSysfs) sysfs = dpugw_sysfs_new (tree->root, &error);
      g_autoptr(GPtrArray) result = NULL;

      g_assert_no_error (error);
      t0 = bench_now_ns ();
      result = dpugw_topology_scan (sysfs, &error);
      t1 = bench_now_ns ();
      if (result == NULL)
        g_error ("dpugw_topology_scan: %s", error->message);
      *pfs = result->len;
      *vfs = 0;
      for (guint i = 0; i < result->len; i++)
        *vfs += ((DpugwPf *) g_ptr_array_index (result, i))->vfs->len;
      /* Freeing is part of a scan's cost in the daemon, which replaces the topology. */
      g_clear_pointer (&result, g_ptr_array_unref);
      t1 = bench_now_ns ();
    }
  else
    {
      ScanCount count;

      t0 = bench_now_ns ();
      count = floor_topology ();
      t1 = bench_now_ns ();
      *pfs = count.pfs;
      *vfs = count.vfs;
    }
  return t1 - t0;
}

/* --- the syscall check: this program under strace -c -------------------------------------- */

/* syscall name -> calls, from strace -c's table. */
static GHashTable *
strace_counts (const char *self, const char *what, const char *mode, const char *root, const char *arg,
               const char *n, const char *tmpdir)
{
  g_autofree char *out_path = g_build_filename (tmpdir, "strace.txt", NULL);
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  GHashTable *counts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  const char *argv[] = { "strace", "-f", "-c", "-o", out_path, self, what, mode, root, arg, n, NULL };

  bench_run (argv, NULL);
  if (!g_file_get_contents (out_path, &text, NULL, NULL))
    return counts;
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto(GStrv) f = g_strsplit_set (g_strstrip (lines[i]), " \t", -1);
      g_autoptr(GPtrArray) fields = g_ptr_array_new ();

      for (guint j = 0; f[j] != NULL; j++)
        if (*f[j] != '\0')
          g_ptr_array_add (fields, f[j]);
      /* % time, seconds, usecs/call, calls, [errors,] syscall */
      if (fields->len >= 5 && g_ascii_isdigit (*(char *) g_ptr_array_index (fields, 0)) &&
          strcmp (g_ptr_array_index (fields, fields->len - 1), "total") != 0)
        g_hash_table_insert (counts, g_strdup (g_ptr_array_index (fields, fields->len - 1)),
                             GUINT_TO_POINTER ((guint) g_ascii_strtoull (g_ptr_array_index (fields, 3), NULL, 10)));
    }
  return counts;
}

static const char *checked_syscalls[] = { "readlink", "openat", "read", "close", "getdents64", "newfstatat",
                                          "fstat", "fcntl" };

/* Prints the per-operation counts of library and floor; TRUE when they are the same. */
static gboolean
syscall_check (const char *self, const char *what, const char *root, const char *arg, guint n, const char *tmpdir,
               const char *label)
{
  g_autofree char *n_arg = g_strdup_printf ("%u", n);
  g_autoptr(GHashTable) none = strace_counts (self, what, "none", root, arg, "0", tmpdir);
  g_autoptr(GHashTable) lib = strace_counts (self, what, "library", root, arg, n_arg, tmpdir);
  g_autoptr(GHashTable) fl = strace_counts (self, what, "floor", root, arg, n_arg, tmpdir);
  g_autoptr(GHashTable) min = strcmp (what, "--one-resolve") == 0
                                ? strace_counts (self, what, "minimal", root, arg, n_arg, tmpdir)
                                : g_hash_table_new (g_str_hash, g_str_equal);
  gboolean same = TRUE;
  guint lib_total = 0, floor_total = 0, min_total = 0;

  gboolean with_minimal = strcmp (what, "--one-resolve") == 0;

  printf ("\n## System calls per %s (strace -c, %u operations, the program's own start-up subtracted)\n", label, n);
  printf ("%-12s %10s %10s %10s\n", "syscall", "library", "floor", with_minimal ? "minimal" : "");
  for (guint i = 0; i < G_N_ELEMENTS (checked_syscalls); i++)
    {
      const char *s = checked_syscalls[i];
      double base = GPOINTER_TO_UINT (g_hash_table_lookup (none, s));
      double l = (GPOINTER_TO_UINT (g_hash_table_lookup (lib, s)) - base) / n;
      double f = (GPOINTER_TO_UINT (g_hash_table_lookup (fl, s)) - base) / n;
      double m = (GPOINTER_TO_UINT (g_hash_table_lookup (min, s)) - base) / n;

      if (l == 0 && f == 0 && m == 0)
        continue;
      if (with_minimal)
        printf ("%-12s %10.1f %10.1f %10.1f\n", s, l, f, m);
      else
        printf ("%-12s %10.1f %10.1f\n", s, l, f);
      /* GLib's first GError loads its translations once (a few opens): not per operation. */
      same &= (l > f ? l - f : f - l) * n <= 4;
      lib_total += (guint) (l * n);
      floor_total += (guint) (f * n);
      min_total += (guint) (m * n);
    }
  if (with_minimal)
    printf ("%-12s %10.1f %10.1f %10.1f\n", "total", (double) lib_total / n, (double) floor_total / n,
            (double) min_total / n);
  else
    printf ("%-12s %10.1f %10.1f\n", "total", (double) lib_total / n, (double) floor_total / n);
  printf ("# floor makes %s system calls as the library\n", same ? "the same" : "NOT the same");
  return same;
}

/* Helper modes for the check: one kind of operation, @n times, nothing else. */
static int
one_mode (int argc, char **argv)
{
  const char *what = argv[1], *mode = argv[2], *root = argv[3], *arg = argv[4];
  guint n = (guint) g_ascii_strtoull (argv[5], NULL, 10);
  g_autoptr(GError) error = NULL;
  g_autoptr(DpugwSysfs) sysfs = dpugw_sysfs_new (root, &error);
  char gateway[NAME_MAX + 1];

  g_assert_no_error (error);
  g_strlcpy (floor_root, dpugw_sysfs_get_root (sysfs), sizeof floor_root);
  floor_root_len = strlen (floor_root);
  for (guint i = 0; i < n; i++)
    {
      if (strcmp (what, "--one-resolve") == 0)
        {
          if (strcmp (mode, "library") == 0)
            dpugw_resolution_free (dpugw_resolve (sysfs, NULL, arg, NULL));
          else if (strcmp (mode, "floor") == 0)
            floor_resolve (arg, gateway);
          else if (strcmp (mode, "minimal") == 0)
            minimal_resolve (arg, gateway);
        }
      else
        {
          if (strcmp (mode, "library") == 0)
            g_ptr_array_unref (dpugw_topology_scan (sysfs, NULL));
          else if (strcmp (mode, "floor") == 0)
            floor_topology ();
        }
    }
  return 0;
}

/* ===========================================================================
 * The report
 * ======================================================================== */

typedef struct {
  double resolve_ratio;
  double topology_ratio;
} TreeResult;

static TreeResult
bench_tree (BenchTree *tree, const char *label)
{
  g_autoptr(GArray) lib = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) fl = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) min = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) ratio = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) ratio_min = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) tlib = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) tfl = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) tratio = g_array_new (FALSE, FALSE, sizeof (double));
  guint n = tree->vfs->len;
  TreeResult result;
  g_autofree char *root = realpath (tree->root, NULL);

  g_strlcpy (floor_root, root, sizeof floor_root);
  floor_root_len = strlen (floor_root);

  /* Warm the kernel's dentry cache for all three alike. */
  resolve_all (tree, MODE_FLOOR);

  printf ("\n## Uncached resolution, %s: every VF's netdev once (%u), per resolution\n", label, n);
  printf ("%-6s %14s %14s %14s %10s %10s\n", "round", "library us", "floor us", "minimal us", "lib/floor",
          "lib/min");
  for (guint round = 0; round < RESOLVE_ROUNDS; round++)
    {
      double l, f, m;

      /* Alternate the order, so that neither always runs first. */
      if (round % 2 == 0)
        {
          l = resolve_all (tree, MODE_LIB) / 1e3 / n;
          f = resolve_all (tree, MODE_FLOOR) / 1e3 / n;
        }
      else
        {
          f = resolve_all (tree, MODE_FLOOR) / 1e3 / n;
          l = resolve_all (tree, MODE_LIB) / 1e3 / n;
        }
      m = resolve_all (tree, MODE_MINIMAL) / 1e3 / n;
      g_array_append_val (lib, l);
      g_array_append_val (fl, f);
      g_array_append_val (min, m);
      {
        double r = l / f, rm = l / m;
        g_array_append_val (ratio, r);
        g_array_append_val (ratio_min, rm);
      }
      printf ("%-6u %14.2f %14.2f %14.2f %10.2f %10.2f\n", round, l, f, m, l / f, l / m);
    }
  result.resolve_ratio = bench_median (ratio);
  printf ("%-6s %14.2f %14.2f %14.2f %10.2f %10.2f\n", "median", bench_median (lib), bench_median (fl),
          bench_median (min), result.resolve_ratio, bench_median (ratio_min));

  printf ("\n## dpugw_topology_scan, %s, per scan\n", label);
  printf ("%-6s %14s %14s %10s %8s %8s\n", "round", "library ms", "floor ms", "lib/floor", "PFs", "VFs");
  for (guint round = 0; round < TOPOLOGY_ROUNDS; round++)
    {
      guint lp, lv, fp, fv;
      double l, f, r;

      if (round % 2 == 0)
        {
          l = scan_once (tree, MODE_LIB, &lp, &lv) / 1e6;
          f = scan_once (tree, MODE_FLOOR, &fp, &fv) / 1e6;
        }
      else
        {
          f = scan_once (tree, MODE_FLOOR, &fp, &fv) / 1e6;
          l = scan_once (tree, MODE_LIB, &lp, &lv) / 1e6;
        }
      if (lp != fp || lv != fv || lv != n)
        g_error ("topology: library %u PFs %u VFs, floor %u PFs %u VFs, expected %u VFs", lp, lv, fp, fv, n);
      r = l / f;
      g_array_append_val (tlib, l);
      g_array_append_val (tfl, f);
      g_array_append_val (tratio, r);
      printf ("%-6u %14.2f %14.2f %10.2f %8u %8u\n", round, l, f, r, lp, lv);
    }
  result.topology_ratio = bench_median (tratio);
  printf ("%-6s %14.2f %14.2f %10.2f\n", "median", bench_median (tlib), bench_median (tfl), result.topology_ratio);
  fflush (stdout);
  return result;
}

int
main (int argc, char **argv)
{
  g_autoptr(BenchTree) plain = NULL;
  g_autoptr(BenchTree) switchdev = NULL;
  g_autofree char *self = NULL;
  g_autofree char *strace = NULL;
  TreeResult rp, rs;
  gboolean same_resolve = TRUE, same_scan = TRUE, checked = FALSE;

  if (argc == 6 && (strcmp (argv[1], "--one-resolve") == 0 || strcmp (argv[1], "--one-topology") == 0))
    return one_mode (argc, argv);

  bench_print_machine ("bench-resolve: libdpu-gateway in-process, uncached, vs the same system calls made directly");
  plain = bench_tree_new (8, 512, FALSE);
  switchdev = bench_tree_new (8, 512, TRUE);

  rp = bench_tree (plain, "8 PFs x 512 VFs");
  rs = bench_tree (switchdev, "8 PFs x 512 VFs, switchdev (513 netdevs per PF)");

  strace = g_find_program_in_path ("strace");
  self = g_file_read_link ("/proc/self/exe", NULL);
  if (strace != NULL && self != NULL)
    {
      /* Small trees: the counts per operation are the point, and strace slows every call. */
      g_autoptr(BenchTree) small = bench_tree_new (2, 64, FALSE);
      g_autoptr(BenchTree) small_sd = bench_tree_new (2, 64, TRUE);
      const BenchVf *vf = g_ptr_array_index (small->vfs, 70);
      const BenchVf *svf = g_ptr_array_index (small_sd->vfs, 70);

      checked = TRUE;
      same_resolve &= syscall_check (self, "--one-resolve", small->root, vf->netdev, 100, small->dir,
                                     "resolution (plain)");
      same_resolve &= syscall_check (self, "--one-resolve", small_sd->root, svf->netdev, 100, small_sd->dir,
                                     "resolution (switchdev, 65 netdevs per PF)");
      same_scan &= syscall_check (self, "--one-topology", small->root, "-", 1, small->dir,
                                  "topology scan (2 PFs x 64 VFs)");
      same_scan &= syscall_check (self, "--one-topology", small_sd->root, "-", 1, small_sd->dir,
                                  "topology scan (2 PFs x 64 VFs, switchdev)");
    }
  else
    printf ("\n# strace not installed: the floor's system calls were not checked again\n");

  printf ("\n");
  bench_figure ("resolve-uncached-vs-floor", rp.resolve_ratio, "x", "<= 1.5", rp.resolve_ratio <= TARGET_RESOLVE,
                "dpugw_resolve on 4,096 VFs / the same syscalls directly; syscalls %s",
                !checked ? "not checked" : same_resolve ? "checked equal" : "DIFFER");
  bench_figure ("resolve-uncached-vs-floor-switchdev", rs.resolve_ratio, "x", "<= 1.5",
                rs.resolve_ratio <= TARGET_RESOLVE, "as above, PFs in switchdev mode (513 netdevs in PF/net)");
  bench_figure ("topology-scan-vs-floor", rp.topology_ratio, "x", NULL, FALSE,
                "dpugw_topology_scan over 4,096 VFs / the same syscalls directly; syscalls %s",
                !checked ? "not checked" : same_scan ? "checked equal" : "DIFFER");
  bench_figure ("topology-scan-vs-floor-switchdev", rs.topology_ratio, "x", NULL, FALSE,
                "as above, switchdev");
  return 0;
}
