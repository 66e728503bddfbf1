/* SPDX-License-Identifier: Apache-2.0
 *
 * DpugwSysfs, the one way the library reads sysfs: below a root it never leaves.
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define DPUGW_DEFAULT_SYSFS_ROOT "/sys"

#define DPUGW_TYPE_SYSFS (dpugw_sysfs_get_type ())
G_DECLARE_FINAL_TYPE (DpugwSysfs, dpugw_sysfs, DPUGW, SYSFS, GObject)

/**
 * dpugw_sysfs_new:
 * @root: (nullable): the directory that plays /sys; %NULL for /sys
 *
 * The one place the sysfs root is set.  Every read below goes through this
 * object, which follows symbolic links itself and refuses any that lead
 * outside @root, so neither a caller's input nor a strange tree can make the
 * library read elsewhere.  The object is immutable and may be shared between
 * threads.
 */
DpugwSysfs *dpugw_sysfs_new (const char *root, GError **error);
const char *dpugw_sysfs_get_root (DpugwSysfs *self);

/*
 * The primitives, for the library's steps and for tools.  @relpath is relative
 * to the root ("class/net/eth0").  Failures are G_IO_ERROR with the message
 * "<root>/<relpath>: <errno text>".
 */

/* The path with every symbolic link resolved, relative to the root ("devices/..."). */
char *dpugw_sysfs_canonicalize (DpugwSysfs *self, const char *relpath, GError **error);
/* The target of the link at @relpath, as stored. */
char *dpugw_sysfs_read_link (DpugwSysfs *self, const char *relpath, GError **error);
/* The basename of the target of the link at @relpath ("mlx5_core" for "PCI/driver"). */
char *dpugw_sysfs_read_link_name (DpugwSysfs *self, const char *relpath, GError **error);
/* The contents of a small attribute file, trailing newline removed.  @relpath's
 * directories may be links; the file itself may not. */
char *dpugw_sysfs_read_attr (DpugwSysfs *self, const char *relpath, GError **error);
gboolean dpugw_sysfs_read_attr_uint (DpugwSysfs *self, const char *relpath, guint *out, GError **error);
/* The names in a directory, sorted (strcmp), without "." and "..". */
GStrv dpugw_sysfs_list_dir (DpugwSysfs *self, const char *relpath, GError **error);
/* "<root>/<relpath>", for messages. */
char *dpugw_sysfs_display_path (DpugwSysfs *self, const char *relpath);

G_END_DECLS
