/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* JSON output: a string value, escaped (invalid UTF-8 becomes U+FFFD). */
void dpugw_json_string (GString *out, const char *value);
/* An array of strings; NULL is []. */
void dpugw_json_strv (GString *out, const char * const *values);
/* "key":"value" and "key":[...], each preceded by a comma unless @first. */
void dpugw_json_member_string (GString *out, gboolean first, const char *key, const char *value);
void dpugw_json_member_strv (GString *out, gboolean first, const char *key, const char * const *values);
void dpugw_json_member_uint (GString *out, gboolean first, const char *key, guint64 value);

/* Any GVariant as JSON: a dictionary with string keys an object, other containers arrays,
 * variants and maybes unwrapped (an empty maybe, NaN and infinities null). */
void dpugw_json_variant (GString *out, GVariant *value);

G_END_DECLS
