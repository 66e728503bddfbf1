/* SPDX-License-Identifier: Apache-2.0
 *
 * The reader of ovnkube's INI configuration files (ini.c), private to the library.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* @section and @key are lower-cased; @value is unquoted.  Return FALSE to stop with @error. */
typedef gboolean (*DpugwIniFunc) (const char *section,
                                  const char *key,
                                  const char *value,
                                  guint       lineno,
                                  gpointer    user_data,
                                  GError    **error);

gboolean ini_parse_text (const char   *data,
                          gsize         length,
                          const char   *origin,
                          DpugwIniFunc  func,
                          gpointer      user_data,
                          GError      **error);

G_END_DECLS
