/* SPDX-License-Identifier: Apache-2.0
 *
 * The reader of ovnkube's INI configuration files (ini.c), private to the library: the syntax of
 * gcfg (gopkg.in/gcfg.v1 v1.2.3, read through gcfg.ReadInto as ovnkube does), nothing of the keys.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* One header or one variable, as written in the file. */
typedef struct {
  const char *section;     /* the section name as written, e.g. "OvnKubeNode" */
  const char *subsection;  /* [section "sub"]: the unquoted subsection; NULL without one */
  const char *name;        /* the variable name as written; NULL for the section header itself */
  const char *value;       /* the unquoted value; NULL for a blank variable (a name without '=') */
  guint line;              /* 1-based */
} IniEntry;

/* Return FALSE to stop with @error. */
typedef gboolean (*DpugwIniFunc) (const IniEntry *entry,
                                  gpointer        user_data,
                                  GError        **error);

/* Calls @func for each header and variable in file order; stops at the first syntax error, as gcfg
 * does, with "ORIGIN:LINE:COLUMN: gcfg's message" (the column counts bytes). */
gboolean ini_parse_text (const char   *data,
                         gsize         length,
                         const char   *origin,
                         DpugwIniFunc  func,
                         gpointer      user_data,
                         GError      **error);

/* Whether @written names @known the way gcfg matches names: case-insensitively with Unicode simple
 * case folding (so "ſ" matches "s" and the Kelvin sign matches "k").  @known is ASCII. */
gboolean ini_name_equal (const char *written, const char *known);

G_END_DECLS
