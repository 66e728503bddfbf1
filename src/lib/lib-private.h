/* SPDX-License-Identifier: Apache-2.0
 *
 * The declarations shared between the library's files and no further: not exported (the
 * version script exports dpugw_* only).
 */
#pragma once

#include <glib.h>

#include "dpu-gateway/dpugw-sysfs.h"

G_BEGIN_DECLS

/* device.c */

/* The PCI function nearest to a canonical device path ("devices/.../0000:01:00.0/virtio0"),
 * lower case; NULL if none. */
char *lib_device_nearest_pci (const char *device_dir);

/* Whether @relpath leads somewhere below the root. */
gboolean lib_device_exists (DpugwSysfs *sysfs, const char *relpath);

/* The driver bound to a device directory, if its name is a plain word (letters, digits, '_',
 * '-', '.'), as every kernel driver's is: safe to print and to paste into a command; NULL
 * otherwise. */
char *lib_device_driver (DpugwSysfs *sysfs, const char *dir_rel);

/* When the canonical device directory is a scalable function (an auxiliary device
 * DRIVER.sf.N), its name ("mlx5_core.sf.2"); else NULL. */
char *lib_device_scalable_function (DpugwSysfs *sysfs, const char *device_dir);

/* What a netdev is, by its phys_port_name. */
typedef enum {
  LIB_PORT_OTHER,            /* none (NULL), or a name of none of the kinds below */
  LIB_PORT_UPLINK,           /* "p0" */
  LIB_PORT_VF_REPRESENTOR,   /* "pf0vf3", "c1pf0vf3" */
  LIB_PORT_PF_REPRESENTOR,   /* "pf0", "c1pf0" */
  LIB_PORT_SF_REPRESENTOR,   /* "pf0sf88", "c1pf0sf88" */
  LIB_PORT_HOST_PF_REPRESENTOR, /* "pf0hpf", "c1pf0hpf": the host's PF, seen from a DPU's eswitch */
} LibPortKind;

LibPortKind lib_port_kind (const char *phys_port_name);
/* The same, with the numbers: *@pf the N of "pN"/"pfN", *@index the M of "vfM"/"sfM" (0 otherwise);
 * either may be NULL. */
LibPortKind lib_port_parse (const char *phys_port_name, guint *pf, guint *index);
/* Whether @kind is one of the representors (VF, SF, PF, host PF). */
gboolean lib_port_is_representor (LibPortKind kind);

/* "virtfn12" -> 12: the name of a PF's link to its VF with index N. */
gboolean lib_parse_virtfn_index (const char *name, guint *index);

/*
 * @text as a decimal number of digits only (no sign, no blanks), at most @max.  Not
 * g_ascii_string_to_unsigned(): GLib 2.74's reads errno after a first call that may wait on
 * another thread's initialisation of the C locale, and then refuses a good number.
 */
gboolean lib_parse_decimal (const char *text, guint64 max, guint64 *value);

/*
 * The netdevs of a device directory, sorted: DIR_REL/net/, or for a virtio-net function, which
 * has no net/ of its own, DIR_REL/virtioN/net/ (*@virtio is then TRUE).  Entries no kernel
 * would make (dpugw_netdev_name_is_kernel_valid) are left out.  Names the kernel allows that are
 * no valid netdev name for us (bytes that are not UTF-8, control characters, which D-Bus and
 * JSON cannot carry as they are) are moved to @odd (element-type: bytes, transfer full) when it
 * is not NULL, else left out with a message in the log.  NULL with @error when there is no net/
 * directory to list.
 */
GStrv lib_device_netdevs_full (DpugwSysfs *sysfs, const char *dir_rel, gboolean *virtio, GPtrArray *odd,
                               GError **error);
GStrv lib_device_netdevs (DpugwSysfs *sysfs, const char *dir_rel, GError **error);

/* resolver.c */

/* When @netdev (of PCI function @pci) is a switchdev representor (phys_port_name pfNvfM, pfNsfM,
 * pfNhpf, pfN), what it is ("eth0 is the representor of VF 0 of PF 0 ..., not a VF") and what to
 * use instead; FALSE otherwise. */
gboolean lib_representor_explain (DpugwSysfs *sysfs, const char *netdev, const char *pci, char **what, char **fix);

/* altname.c */

/* The primary name of the link @name designates in this network namespace (@name itself, or
 * the link of which it is an alternative name); NULL if none. */
char *lib_netdev_primary_name (const char *name);

/* The name under which the netdev @name is in the tree's class/net: @name itself, or the
 * primary name of the link of which @name is an altname (*@altname TRUE); NULL if neither. */
char *lib_netdev_in_tree (DpugwSysfs *sysfs, const char *name, gboolean *altname);

G_END_DECLS
