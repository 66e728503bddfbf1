/* SPDX-License-Identifier: Apache-2.0
 *
 * The confined sysfs walk (sysfs.c) and everything that reads through it:
 * dpugw_resolve (resolver.c, select.c), dpugw_topology_scan (topology.c) and
 * dpugw_diagnose (diagnose.c), over a tree built from the input.
 *
 * Input: lines, each an operation (at most MAX_OPS):
 *
 *   d PATH            a directory (and its parents)
 *   l PATH<TAB>TARGET a symbolic link to TARGET, stored as is: "..", absolute
 *                     targets, loops and dangling links are all fair game.
 *                     A TARGET starting with %O or %R has it replaced by the
 *                     absolute path of the sentinel tree or of the root.
 *   f PATH<TAB>TEXT   a file with TEXT
 *   q PATH            a FIFO (no read may block on it)
 *   p PORT            a management port to resolve and diagnose (netdev,
 *                     PCI address or auxiliary device; at most MAX_PORTS)
 *   r RELPATH         a path for the primitives (canonicalize, read_link,
 *                     read_attr, list_dir; at most MAX_RELPATHS)
 *   c LINE            a line of the ovnkube INI configuration: when there is
 *                     one, the configuration is loaded, finished, and used
 *   e NAME=VALUE      the environment of dpugw_config_finish (PCIDEVICE_...)
 *
 * Fields may use \xHH, \t, \n and \\.  PATHs are relative to the root, and
 * are created without following any link (openat O_NOFOLLOW, component by
 * component; ".." is skipped), so the tree is always inside the root.
 *
 * Each input gets a fresh root, WORK/root, removed afterwards.  WORK itself
 * holds a sentinel: a complete sysfs tree (bus/, class/, devices/) whose
 * netdevs are named OUTSIDE* and whose PCI functions are in domain eeee,
 * reachable from the root by "..", by %O links, or by names that exist in
 * both.  No input can spell those names (every field has "outside" and
 * "eeee" defused, in any case), so any of them in any result, message or diagnosis means
 * that something was read outside the root.
 *
 * Checked besides: dpugw_sysfs_canonicalize agrees with the kernel's
 * realpath() whenever it succeeds; resolutions, topologies and diagnoses
 * have the documented shape; resolution errors are DPUGW_ERROR with the
 * documented messages; every string meant for D-Bus is valid UTF-8.
 */
#define _GNU_SOURCE
#include "fuzz-common.h"

#include <dirent.h>
#include <gio/gio.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_OPS 96
#define MAX_PORTS 4
#define MAX_ENV 4
#define MAX_RELPATHS 6
#define MAX_DEPTH 24
#define MAX_FROM_TREE 4   /* class/net entries also resolved, and bus/pci/devices entries walked */

static char *work;   /* canonical absolute path of the sentinel tree */
static gboolean skip_bus_utf8;
static char *root;   /* WORK/root, the sysfs root of each input */

/* The step ids of dpugw_diagnose, in order. */
static const char *const step_order[] = {
  DPUGW_DIAG_STEP_MGMT_PORT, DPUGW_DIAG_STEP_NETDEV, DPUGW_DIAG_STEP_PCI_ADDRESS, DPUGW_DIAG_STEP_PHYSFN,
  DPUGW_DIAG_STEP_SRIOV,     DPUGW_DIAG_STEP_VIRTFN, DPUGW_DIAG_STEP_PF_NETDEVS,  DPUGW_DIAG_STEP_SELECTION,
};

/* --- the sentinel ---------------------------------------------------------- */

static gboolean
has_marker (const char *s)
{
  return s != NULL && (strstr (s, "OUTSIDE") != NULL || strcasestr (s, "eeee") != NULL);
}

/* Nothing the input says can spell the sentinel's names, in any case (the library
 * upper-cases resource names into variable names, lower-cases PCI addresses). */
static void
defuse (char *s)
{
  for (char *p = s; *p != '\0'; p++)
    {
      if (g_ascii_strncasecmp (p, "outside", 7) == 0)
        *p = '0';
      if (g_ascii_strncasecmp (p, "eeee", 4) == 0)
        *p = 'd';
    }
}

static void
check_inside (const char *s, const char *what, const char *port)
{
  FUZZ_CHECK (!has_marker (s), "%s (port %s) has a name from outside the sysfs root: %s", what,
              fuzz_show (port), fuzz_show (s));
}

static void
check_inside_strv (char **strv, const char *what, const char *port)
{
  for (guint i = 0; strv != NULL && strv[i] != NULL; i++)
    check_inside (strv[i], what, port);
}

/* What the daemon hands to g_variant_new_string() (resolutions, topology, error messages
 * as LastError and method errors): D-Bus carries UTF-8 only. */
static void
check_bus_string (const char *s, const char *what, const char *port)
{
  FUZZ_CHECK (skip_bus_utf8 || s == NULL || g_utf8_validate (s, -1, NULL), "%s (port %s) is not UTF-8, yet goes over D-Bus: %s",
              what, fuzz_show (port), fuzz_show (s));
  check_inside (s, what, port);
}

static void
check_utf8 (const char *s, const char *what, const char *port)
{
  FUZZ_CHECK (s == NULL || g_utf8_validate (s, -1, NULL), "%s (port %s) is not UTF-8: %s", what, fuzz_show (port),
              fuzz_show (s));
  check_inside (s, what, port);
}

static void
put (const char *rel, const char *link_target, const char *contents)
{
  g_autofree char *path = g_build_filename (work, rel, NULL);
  g_autofree char *dir = g_path_get_dirname (path);

  if (g_mkdir_with_parents (dir, 0755) != 0)
    abort ();
  if (link_target != NULL)
    {
      if (symlink (link_target, path) != 0)
        abort ();
    }
  else if (contents != NULL)
    {
      if (!g_file_set_contents (path, contents, -1, NULL))
        abort ();
    }
  else if (g_mkdir_with_parents (path, 0755) != 0)
    abort ();
}

#define OPF "devices/pci0000:00/0000:00:02.0/eeee:01:00.0"
#define OVF "devices/pci0000:00/0000:00:02.0/eeee:01:02.3"
#define OSF OPF "/mlx5_core.sf.2"

/* A sysfs tree like the example hardware's, with every name that could come out marked. */
static void
make_sentinel (void)
{
  static const char *const aliases[] = { "OUTSIDE", "OUTSIDEVF", "pf0vf0", "pf0vf1", "ovn-k8s-mp0", "eth0",
                                         "eth1", "ens1f0v0", "p0", "enp1s0f0np0" };

  put (OPF "/sriov_totalvfs", NULL, "8\n");
  put (OPF "/sriov_numvfs", NULL, "2\n");
  put (OPF "/uevent", NULL, "OUTSIDE\n");
  put (OPF "/driver", "../../../../bus/pci/drivers/OUTSIDEdrv", NULL);
  put (OPF "/virtfn0", "../eeee:01:02.3", NULL);
  put (OPF "/virtfn1", "../eeee:01:02.3", NULL);
  put (OPF "/net/OUTSIDE/operstate", NULL, "up\n");
  put (OPF "/net/OUTSIDE/phys_port_name", NULL, "p0\n");
  put (OPF "/net/OUTSIDE/phys_switch_id", NULL, "OUTSIDE\n");
  put (OPF "/net/OUTSIDE/device", "../../../eeee:01:00.0", NULL);
  put (OPF "/net/OUTSIDEpf0vf0/phys_port_name", NULL, "pf0vf0\n");
  put (OPF "/net/OUTSIDEpf0vf0/device", "../../../eeee:01:00.0", NULL);
  put (OVF "/physfn", "../eeee:01:00.0", NULL);
  put (OVF "/uevent", NULL, "OUTSIDE\n");
  put (OVF "/driver", "../../../../bus/pci/drivers/OUTSIDEdrv", NULL);
  put (OVF "/net/OUTSIDEVF/operstate", NULL, "up\n");
  put (OVF "/net/OUTSIDEVF/device", "../../../eeee:01:02.3", NULL);
  put (OSF "/subsystem", "../../../../../bus/auxiliary", NULL);
  put (OSF "/net/OUTSIDESF/device", "../../../mlx5_core.sf.2", NULL);
  put ("bus/pci/drivers/OUTSIDEdrv", NULL, NULL);
  put ("bus/auxiliary/devices/mlx5_core.sf.2", "../../../" OSF, NULL);
  put ("bus/auxiliary/devices/mlx5_core.sf.3", "../../../" OSF, NULL);
  put ("bus/pci/devices/eeee:01:00.0", "../../../" OPF, NULL);
  put ("bus/pci/devices/eeee:01:02.3", "../../../" OVF, NULL);
  /* The addresses of the example hardware, so that an escape that then appends a name finds these. */
  put ("bus/pci/devices/0000:01:00.0", "../../../" OPF, NULL);
  put ("bus/pci/devices/0000:03:00.0", "../../../" OPF, NULL);
  put ("bus/pci/devices/0000:01:02.3", "../../../" OVF, NULL);
  put ("bus/pci/devices/0000:01:02.4", "../../../" OVF, NULL);
  put ("bus/pci/devices/0000:03:00.2", "../../../" OVF, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (aliases); i++)
    {
      g_autofree char *rel = g_strconcat ("class/net/", aliases[i], NULL);
      put (rel, "../../" OVF "/net/OUTSIDEVF", NULL);
    }
  put ("class/net/OUTSIDESF", "../../" OSF "/net/OUTSIDESF", NULL);
}

static int
remove_below (int dir_fd)
{
  DIR *dir;
  struct dirent *entry;
  int fd = dup (dir_fd);

  if (fd < 0 || (dir = fdopendir (fd)) == NULL)
    return -1;
  while ((entry = readdir (dir)) != NULL)
    {
      struct stat st;

      if (strcmp (entry->d_name, ".") == 0 || strcmp (entry->d_name, "..") == 0)
        continue;
      if (fstatat (dir_fd, entry->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR (st.st_mode))
        {
          int sub = openat (dir_fd, entry->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
          if (sub >= 0)
            {
              remove_below (sub);
              close (sub);
            }
          unlinkat (dir_fd, entry->d_name, AT_REMOVEDIR);
        }
      else
        unlinkat (dir_fd, entry->d_name, 0);
    }
  closedir (dir);
  return 0;
}

static void
remove_path (const char *path)
{
  int fd = open (path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

  if (fd >= 0)
    {
      remove_below (fd);
      close (fd);
      rmdir (path);
    }
}

static void
remove_work (void)
{
  if (work != NULL)
    remove_path (work);
}

/* --- the input -------------------------------------------------------------- */

typedef struct {
  char op;
  char *a;
  char *b;
} Op;

/* \xHH, \t, \n, \\; a NUL from \x00 is dropped. */
static char *
unescape (const char *s, size_t len)
{
  GString *out = g_string_sized_new (len);

  for (size_t i = 0; i < len; i++)
    {
      if (s[i] == '\\' && i + 1 < len)
        {
          char c = s[i + 1];
          if (c == '\\' || c == 't' || c == 'n')
            {
              g_string_append_c (out, c == 't' ? '\t' : c == 'n' ? '\n' : '\\');
              i++;
              continue;
            }
          if (c == 'x' && i + 3 < len && g_ascii_isxdigit (s[i + 2]) && g_ascii_isxdigit (s[i + 3]))
            {
              char b = (char) (g_ascii_xdigit_value (s[i + 2]) * 16 + g_ascii_xdigit_value (s[i + 3]));
              if (b != '\0')
                g_string_append_c (out, b);
              i += 3;
              continue;
            }
        }
      if (s[i] != '\0')
        g_string_append_c (out, s[i]);
    }
  defuse (out->str);
  return g_string_free (out, FALSE);
}

static GArray *
parse_ops (const uint8_t *data, size_t size)
{
  GArray *ops = g_array_new (FALSE, TRUE, sizeof (Op));
  size_t pos = 0;

  while (pos < size && ops->len < MAX_OPS)
    {
      const uint8_t *nl = memchr (data + pos, '\n', size - pos);
      size_t end = nl != NULL ? (size_t) (nl - data) : size;
      const char *line = (const char *) data + pos;
      size_t len = end - pos;

      pos = end + 1;
      if (len == 0)
        continue;
      {
        Op op = { line[0], NULL, NULL };
        const char *rest = line + 1;
        size_t rest_len = len - 1;
        const char *tab;

        if (rest_len > 0 && *rest == ' ')
          {
            rest++;
            rest_len--;
          }
        tab = (op.op == 'l' || op.op == 'f') ? memchr (rest, '\t', rest_len) : NULL;
        if (tab != NULL)
          {
            op.a = unescape (rest, (size_t) (tab - rest));
            op.b = unescape (tab + 1, rest_len - (size_t) (tab + 1 - rest));
          }
        else
          {
            op.a = unescape (rest, rest_len);
            op.b = g_strdup ("");
          }
        g_array_append_val (ops, op);
      }
    }
  return ops;
}

static void
free_ops (GArray *ops)
{
  for (guint i = 0; i < ops->len; i++)
    {
      g_free (g_array_index (ops, Op, i).a);
      g_free (g_array_index (ops, Op, i).b);
    }
  g_array_unref (ops);
}

/* Opens the directory that will hold PATH's last component, creating the ones
 * before it as directories, never following a link; -1 if it cannot. */
static int
open_parent (int root_fd, const char *path, char **last)
{
  g_auto(GStrv) parts = g_strsplit (path, "/", -1);
  GPtrArray *comps = g_ptr_array_new ();
  int fd = dup (root_fd);

  *last = NULL;
  for (guint i = 0; parts[i] != NULL; i++)
    {
      if (parts[i][0] == '\0' || strcmp (parts[i], ".") == 0)
        continue;
      if (strcmp (parts[i], "..") == 0 || comps->len == MAX_DEPTH)
        goto fail;
      g_ptr_array_add (comps, parts[i]);
    }
  if (comps->len == 0)
    goto fail;
  for (guint i = 0; i + 1 < comps->len; i++)
    {
      const char *c = g_ptr_array_index (comps, i);
      int next = openat (fd, c, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

      if (next < 0 && errno == ENOENT && mkdirat (fd, c, 0755) == 0)
        next = openat (fd, c, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      close (fd);
      fd = next;
      if (fd < 0)
        goto fail;
    }
  *last = g_strdup (g_ptr_array_index (comps, comps->len - 1));
  g_ptr_array_unref (comps);
  return fd;

fail:
  if (fd >= 0)
    close (fd);
  g_ptr_array_unref (comps);
  return -1;
}

static char *
link_target (const char *t)
{
  if (g_str_has_prefix (t, "%O"))
    return g_strconcat (work, t + 2, NULL);
  if (g_str_has_prefix (t, "%R"))
    return g_strconcat (root, t + 2, NULL);
  return g_strdup (t);
}

static void
build_tree (GArray *ops)
{
  int root_fd = open (root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

  if (root_fd < 0)
    abort ();
  for (guint i = 0; i < ops->len; i++)
    {
      const Op *op = &g_array_index (ops, Op, i);
      g_autofree char *last = NULL;
      int dir_fd;

      if (op->op != 'd' && op->op != 'l' && op->op != 'f' && op->op != 'q')
        continue;
      dir_fd = open_parent (root_fd, op->a, &last);
      if (dir_fd < 0)
        continue;
      switch (op->op)
        {
        case 'd':
          (void) mkdirat (dir_fd, last, 0755);
          break;
        case 'l':
          {
            g_autofree char *target = link_target (op->b);
            (void) symlinkat (target, dir_fd, last);
          }
          break;
        case 'f':
          {
            int fd = openat (dir_fd, last, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
            if (fd >= 0)
              {
                if (write (fd, op->b, strlen (op->b)) < 0)
                  { /* an empty file, then */ }
                close (fd);
              }
          }
          break;
        case 'q':
          (void) mkfifoat (dir_fd, last, 0644);
          break;
        }
      close (dir_fd);
    }
  close (root_fd);
}

/* --- the checks ------------------------------------------------------------- */

static void
check_primitives (DpugwSysfs *sysfs, const char *relpath)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *canonical = dpugw_sysfs_canonicalize (sysfs, relpath, &error);

  if (canonical != NULL)
    {
      g_autofree char *abs = *canonical != '\0' ? g_strconcat (root, "/", canonical, NULL) : g_strdup (root);
      g_autofree char *via_relpath = g_strconcat (root, "/", relpath, NULL);
      char *kernel = realpath (abs, NULL);
      int kernel_errno = errno;
      char *kernel2 = realpath (via_relpath, NULL);
      int kernel2_errno = errno;
      g_auto(GStrv) parts = g_strsplit (canonical, "/", -1);

      check_inside (canonical, "canonicalize", relpath);
      FUZZ_CHECK (*canonical != '/', "canonicalize(%s) is absolute: %s", fuzz_show (relpath), fuzz_show (canonical));
      for (guint i = 0; parts[i] != NULL; i++)
        FUZZ_CHECK (strcmp (parts[i], "..") != 0 && strcmp (parts[i], ".") != 0 &&
                    (parts[i][0] != '\0' || *canonical == '\0'),
                    "canonicalize(%s) = %s", fuzz_show (relpath), fuzz_show (canonical));
      /* Every link resolved: the path is its own real path (unless too long for realpath()). */
      FUZZ_CHECK (kernel != NULL ? strcmp (kernel, abs) == 0 : kernel_errno == ENAMETOOLONG,
                  "canonicalize(%s) = %s, which the kernel resolves to %s (%s)", fuzz_show (relpath),
                  fuzz_show (canonical), fuzz_show (kernel), g_strerror (kernel_errno));
      /* And the kernel resolves relpath there too.  Known difference, not checked: the library takes
       * "FILE/.." lexically (as the directory holding FILE), where the kernel fails with ENOTDIR. */
      FUZZ_CHECK (kernel2 != NULL ? strcmp (kernel2, abs) == 0
                                  : kernel2_errno == ENOTDIR || kernel2_errno == ENAMETOOLONG,
                  "canonicalize(%s) = %s, but the kernel resolves it to %s (%s)", fuzz_show (relpath),
                  fuzz_show (canonical), fuzz_show (kernel2), g_strerror (kernel2_errno));
      free (kernel);
      free (kernel2);
    }
  else
    FUZZ_CHECK (error != NULL && error->domain == G_IO_ERROR, "canonicalize failed without a G_IO_ERROR");

  {
    g_autofree char *link = dpugw_sysfs_read_link (sysfs, relpath, NULL);
    g_autofree char *name = dpugw_sysfs_read_link_name (sysfs, relpath, NULL);
    g_autofree char *attr = dpugw_sysfs_read_attr (sysfs, relpath, NULL);
    g_auto(GStrv) names = dpugw_sysfs_list_dir (sysfs, relpath, NULL);
    guint value;

    (void) dpugw_sysfs_read_attr_uint (sysfs, relpath, &value, NULL);
    FUZZ_CHECK ((link == NULL) == (name == NULL), "read_link and read_link_name disagree on %s", fuzz_show (relpath));
    check_inside (name, "read_link_name", relpath);
    check_inside (attr, "read_attr", relpath);
    FUZZ_CHECK (attr == NULL || strlen (attr) <= 4096, "attribute longer than 4096 bytes");
    check_inside_strv (names, "list_dir", relpath);
    for (guint i = 0; names != NULL && names[i] != NULL; i++)
      {
        FUZZ_CHECK (strcmp (names[i], ".") != 0 && strcmp (names[i], "..") != 0, "list_dir lists . or ..");
        FUZZ_CHECK (i == 0 || strcmp (names[i - 1], names[i]) < 0, "list_dir not sorted");
      }
  }
}

static void
check_error (const GError *error, const char *port)
{
  const char *m;

  FUZZ_CHECK (error != NULL, "resolve(%s) failed without an error", fuzz_show (port));
  m = error->message;
  FUZZ_CHECK (error->domain == DPUGW_ERROR && error->code >= 0 && error->code < DPUGW_ERROR_N_CODES,
              "resolve(%s) failed with %s %d: %s; documented: DPUGW_ERROR only", fuzz_show (port),
              g_quark_to_string (error->domain), error->code, fuzz_show (m));
  switch ((DpugwError) error->code)
    {
    case DPUGW_ERROR_PCI_ADDRESS:
      FUZZ_CHECK (g_str_has_prefix (m, DPUGW_MSG_PCI_ADDRESS ": "), "message: %s", fuzz_show (m));
      break;
    case DPUGW_ERROR_PF_PCI_ADDRESS:
      FUZZ_CHECK (g_str_has_prefix (m, DPUGW_MSG_PF_PCI_ADDRESS ": "), "message: %s", fuzz_show (m));
      break;
    case DPUGW_ERROR_NETDEV_DISCOVERY:
      FUZZ_CHECK (g_str_has_prefix (m, DPUGW_MSG_NETDEV_DISCOVERY ": "), "message: %s", fuzz_show (m));
      break;
    case DPUGW_ERROR_NO_NETDEVS:
      FUZZ_CHECK (g_str_has_prefix (m, DPUGW_MSG_NO_NETDEVS " ") &&
                  fuzz_is_pci_lower (m + strlen (DPUGW_MSG_NO_NETDEVS " ")),
                  "message: %s", fuzz_show (m));
      break;
    default:
      break;
    }
  /* The daemon returns it over D-Bus (LastError, method errors). */
  check_bus_string (m, "the resolution's error message", port);
}

static void
check_resolution (const DpugwResolution *r, const char *port)
{
  guint c = 0;

  check_bus_string (r->mgmt_port, "mgmt_port", port);
  check_bus_string (r->vf_pci, "vf_pci", port);
  check_bus_string (r->pf_pci, "pf_pci", port);
  check_bus_string (r->interface, "interface", port);
  check_bus_string (r->selected_by, "selected_by", port);
  check_bus_string (r->hint, "hint", port);
  check_bus_string (r->function_type, "function_type", port);
  check_bus_string (r->sf, "sf", port);
  for (guint i = 0; r->candidates != NULL && r->candidates[i] != NULL; i++)
    check_bus_string (r->candidates[i], "candidate", port);
  for (guint i = 0; r->interfaces != NULL && r->interfaces[i] != NULL; i++)
    check_bus_string (r->interfaces[i], "interfaces", port);

  FUZZ_CHECK (r->interface != NULL && r->interfaces != NULL && r->interfaces[0] != NULL &&
              strcmp (r->interface, r->interfaces[0]) == 0, "interface is not the first of interfaces");
  FUZZ_CHECK (dpugw_netdev_name_is_valid (r->interface), "interface %s", fuzz_show (r->interface));
  FUZZ_CHECK (r->candidates != NULL && r->candidates[0] != NULL, "no candidates");
  FUZZ_CHECK (r->mgmt_port != NULL && (*r->mgmt_port == '\0' || dpugw_netdev_name_is_valid (r->mgmt_port)),
              "mgmt_port %s", fuzz_show (r->mgmt_port));
  FUZZ_CHECK (r->selected_by != NULL, "no selected_by");
  FUZZ_CHECK (r->vf_pci != NULL && r->pf_pci != NULL && r->function_type != NULL, "NULL field");
  for (guint i = 0; r->interfaces[i] != NULL; i++)
    {
      while (r->candidates[c] != NULL && strcmp (r->candidates[c], r->interfaces[i]) != 0)
        c++;
      FUZZ_CHECK (r->candidates[c] != NULL, "interface %s is no candidate, or out of order",
                  fuzz_show (r->interfaces[i]));
      c++;
    }

  /* Not derived: configured, or read off the host's network (no gateway interface configured). */
  if (r->source == DPUGW_SOURCE_EXPLICIT || r->source == DPUGW_SOURCE_NODE_IP || r->source == DPUGW_SOURCE_DEFAULT_ROUTE)
    FUZZ_CHECK (*r->vf_pci == '\0' && *r->pf_pci == '\0' &&
                strcmp (r->selected_by, dpugw_source_to_string (r->source)) == 0 &&
                (r->node_ip != NULL) == (r->source == DPUGW_SOURCE_NODE_IP),
                "%s resolution with derived fields", dpugw_source_to_string (r->source));
  else
    {
      FUZZ_CHECK (fuzz_netdevs_ok (r->candidates), "candidates not valid and sorted");
      FUZZ_CHECK (fuzz_is_pci_lower (r->pf_pci), "pf_pci %s", fuzz_show (r->pf_pci));
      if (strcmp (r->function_type, "sf") == 0)
        FUZZ_CHECK (*r->vf_pci == '\0' && r->sf != NULL && dpugw_auxiliary_name_is_valid (r->sf), "sf fields");
      else
        FUZZ_CHECK (strcmp (r->function_type, "vf") == 0 && fuzz_is_pci_lower (r->vf_pci) && r->sf == NULL,
                    "vf fields: type %s, vf %s", fuzz_show (r->function_type), fuzz_show (r->vf_pci));
    }

  {
    g_autoptr(DpugwResolution) copy = dpugw_resolution_copy (r);
    FUZZ_CHECK (dpugw_resolution_equal (r, copy), "copy differs");
  }
}

static void
resolve_one (DpugwSysfs *sysfs, const DpugwConfig *config, const char *port)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DpugwResolution) r = dpugw_resolve (sysfs, config, port, &error);

  if (r == NULL)
    check_error (error, port);
  else
    {
      FUZZ_CHECK (error == NULL, "error on success");
      check_resolution (r, port);
    }
}

static void
check_topology (DpugwSysfs *sysfs)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) pfs = dpugw_topology_scan (sysfs, &error);

  if (pfs == NULL)
    {
      FUZZ_CHECK (error != NULL, "scan failed without an error");
      check_inside (error->message, "topology error", NULL);
      return;
    }
  for (guint i = 0; i < pfs->len; i++)
    {
      const DpugwPf *pf = g_ptr_array_index (pfs, i);

      /* The daemon's GetTopology (topology-state.c) puts each of these in a string variant. */
      check_bus_string (pf->pci, "topology pf pci", NULL);
      check_bus_string (pf->driver, "topology pf driver", NULL);
      check_bus_string (pf->switch_id, "topology pf switch_id", NULL);
      FUZZ_CHECK (fuzz_is_pci_lower (pf->pci), "pf pci %s", fuzz_show (pf->pci));
      FUZZ_CHECK (i == 0 || strcmp (((DpugwPf *) g_ptr_array_index (pfs, i - 1))->pci, pf->pci) < 0,
                  "pfs not sorted");
      FUZZ_CHECK (pf->driver != NULL, "driver NULL");
      FUZZ_CHECK (fuzz_topology_netdevs_ok (pf->netdevs), "pf netdevs");
      check_inside_strv (pf->netdevs, "topology pf netdevs", NULL);
      FUZZ_CHECK (pf->switch_id == NULL || (*pf->switch_id != '\0' && g_str_is_ascii (pf->switch_id)), "switch_id");
      FUZZ_CHECK (pf->vfs != NULL, "vfs NULL");
      for (guint j = 0; j < pf->vfs->len; j++)
        {
          const DpugwVf *vf = g_ptr_array_index (pf->vfs, j);

          check_bus_string (vf->pci, "topology vf pci", NULL);
          FUZZ_CHECK (fuzz_is_pci_lower (vf->pci), "vf pci %s", fuzz_show (vf->pci));
          FUZZ_CHECK (fuzz_topology_netdevs_ok (vf->netdevs), "vf netdevs");
          check_inside_strv (vf->netdevs, "topology vf netdevs", NULL);
          FUZZ_CHECK (j == 0 || ((DpugwVf *) g_ptr_array_index (pf->vfs, j - 1))->index <= vf->index,
                      "vfs not sorted by index");
          FUZZ_CHECK (vf->index <= 65535, "vf index %u", vf->index);
        }
      /* One PF, read on its own, is the same. */
      {
        g_autoptr(DpugwPf) one = dpugw_topology_scan_pf (sysfs, pf->pci, NULL);
        FUZZ_CHECK (one != NULL && strcmp (one->pci, pf->pci) == 0 && one->vfs->len == pf->vfs->len,
                    "scan_pf(%s) differs from the scan", pf->pci);
      }
    }
}

static void
check_diagnose (DpugwSysfs *sysfs, const DpugwConfig *config, const char *port)
{
  g_autoptr(GPtrArray) steps = dpugw_diagnose (sysfs, config, port);
  GVariant *v;

  FUZZ_CHECK (steps != NULL && steps->len >= 1 && steps->len <= G_N_ELEMENTS (step_order), "diagnose: %u steps",
              steps != NULL ? steps->len : 0);
  for (guint i = 0; i < steps->len; i++)
    {
      const DpugwDiagStep *s = g_ptr_array_index (steps, i);

      FUZZ_CHECK (g_strcmp0 (s->step, step_order[i]) == 0, "diagnose step %u is %s, expected %s", i,
                  fuzz_show (s->step), step_order[i]);
      FUZZ_CHECK (s->ok || i == steps->len - 1, "diagnose went on after a failed step %s", s->step);
      FUZZ_CHECK (s->value != NULL && s->path != NULL, "diagnose: NULL value or path");
      FUZZ_CHECK (s->ok ? (s->cause == NULL && s->fix == NULL) : (s->cause != NULL && s->fix != NULL),
                  "diagnose step %s: cause and fix iff failed", s->step);
      /* "Every string is valid UTF-8" (dpugw-diagnose.h): the library's own promise, never skipped. */
      check_utf8 (s->value, "diagnose value", port);
      check_utf8 (s->path, "diagnose path", port);
      check_utf8 (s->cause, "diagnose cause", port);
      check_utf8 (s->fix, "diagnose fix", port);
    }

  v = g_variant_ref_sink (dpugw_diag_steps_to_variant (steps));
  {
    g_autoptr(GPtrArray) back = dpugw_diag_steps_from_variant (v);
    FUZZ_CHECK (back->len == steps->len, "variant round trip: %u steps", back->len);
    for (guint i = 0; i < back->len; i++)
      {
        const DpugwDiagStep *a = g_ptr_array_index (steps, i);
        const DpugwDiagStep *b = g_ptr_array_index (back, i);
        FUZZ_CHECK (a->ok == b->ok && g_strcmp0 (a->step, b->step) == 0 && g_strcmp0 (a->value, b->value) == 0 &&
                    g_strcmp0 (a->path, b->path) == 0 && g_strcmp0 (a->cause, b->cause) == 0 &&
                    g_strcmp0 (a->fix, b->fix) == 0, "variant round trip changes step %s", a->step);
      }
  }
  g_variant_unref (v);
}

static DpugwConfig *
load_config (GArray *ops)
{
  g_autoptr(GString) ini = g_string_new (NULL);
  g_autoptr(GPtrArray) env = g_ptr_array_new ();
  g_autoptr(DpugwConfig) config = NULL;
  gboolean any = FALSE;

  for (guint i = 0; i < ops->len; i++)
    {
      const Op *op = &g_array_index (ops, Op, i);
      if (op->op == 'c')
        {
          g_string_append (ini, op->a);
          g_string_append_c (ini, '\n');
          any = TRUE;
        }
      else if (op->op == 'e' && env->len < MAX_ENV)
        g_ptr_array_add (env, op->a);
    }
  if (!any)
    return NULL;
  g_ptr_array_add (env, NULL);
  config = dpugw_config_new ();
  if (!dpugw_config_load_data (config, ini->str, ini->len, "fuzz.conf", NULL) ||
      !dpugw_config_finish (config, (const char * const *) env->pdata, NULL))
    return NULL;
  return g_steal_pointer (&config);
}

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  g_autoptr(GError) error = NULL;
  char *real;

  fuzz_common_init ();
  skip_bus_utf8 = fuzz_skipped ("bus-utf8");
  /* The root's path is in every message: it must not look like a sentinel name. */
  for (;;)
    {
      g_autofree char *dir = g_dir_make_tmp ("dpugw-fuzz-sysfs-XXXXXX", &error);
      if (dir == NULL)
        abort ();
      real = realpath (dir, NULL);
      if (real != NULL && !has_marker (real))
        break;
      rmdir (dir);
      free (real);
    }
  work = g_strdup (real);
  free (real);
  root = g_strconcat (work, "/root", NULL);
  atexit (remove_work);
  make_sentinel ();
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DpugwSysfs) sysfs = NULL;
  g_autoptr(DpugwConfig) config = NULL;
  g_auto(GStrv) class_net = NULL;
  GArray *ops;
  guint ports = 0, relpaths = 0;
  const char *first_port = NULL;

  if (size > 8192)
    return -1;

  remove_path (root);
  if (mkdir (root, 0755) != 0)
    abort ();
  ops = parse_ops (data, size);
  build_tree (ops);

  sysfs = dpugw_sysfs_new (root, &error);
  FUZZ_CHECK (sysfs != NULL, "sysfs_new(%s): %s", root, error->message);
  FUZZ_CHECK (strcmp (dpugw_sysfs_get_root (sysfs), root) == 0, "root %s", dpugw_sysfs_get_root (sysfs));
  config = load_config (ops);

  /* The primitives, on the input's paths and on what the tree names. */
  for (guint i = 0; i < ops->len; i++)
    {
      const Op *op = &g_array_index (ops, Op, i);
      if (op->op == 'r' && relpaths++ < MAX_RELPATHS)
        check_primitives (sysfs, op->a);
    }
  class_net = dpugw_sysfs_list_dir (sysfs, "class/net", NULL);
  for (guint i = 0; class_net != NULL && class_net[i] != NULL && i < MAX_FROM_TREE; i++)
    {
      g_autofree char *rel = g_strconcat ("class/net/", class_net[i], NULL);
      g_autofree char *device = g_strconcat (rel, "/device", NULL);
      check_primitives (sysfs, rel);
      check_primitives (sysfs, device);
    }
  {
    g_auto(GStrv) devices = dpugw_sysfs_list_dir (sysfs, "bus/pci/devices", NULL);
    for (guint i = 0; devices != NULL && devices[i] != NULL && i < MAX_FROM_TREE; i++)
      {
        g_autofree char *rel = g_strconcat ("bus/pci/devices/", devices[i], NULL);
        g_autofree char *physfn = g_strconcat (rel, "/physfn", NULL);
        check_primitives (sysfs, rel);
        check_primitives (sysfs, physfn);
      }
  }

  /* Resolutions: the input's ports, the tree's netdevs, and the configured one. */
  for (guint i = 0; i < ops->len; i++)
    {
      const Op *op = &g_array_index (ops, Op, i);
      if (op->op == 'p' && ports++ < MAX_PORTS)
        {
          resolve_one (sysfs, config, op->a);
          if (first_port == NULL)
            first_port = op->a;
        }
    }
  for (guint i = 0; class_net != NULL && class_net[i] != NULL && i < MAX_FROM_TREE; i++)
    {
      resolve_one (sysfs, config, class_net[i]);
      if (first_port == NULL)
        first_port = class_net[i];
    }
  if (config != NULL)
    resolve_one (sysfs, config, NULL);

  check_topology (sysfs);

  if (first_port != NULL)
    check_diagnose (sysfs, config, first_port);
  check_diagnose (sysfs, config, NULL);

  g_clear_object (&sysfs);
  free_ops (ops);
  remove_path (root);
  return 0;
}
