/* SPDX-License-Identifier: Apache-2.0
 *
 * JSON output of dpu-gatewayctl: strings escaped, members and arrays written into a GString.
 */
#include "json.h"

#include <math.h>
#include <string.h>

void
dpugw_json_string (GString *out, const char *value)
{
  const char *p = value != NULL ? value : "";
  const char *end = p + strlen (p);

  g_string_append_c (out, '"');
  while (p < end)
    {
      gunichar c = g_utf8_get_char_validated (p, end - p);

      if (c == (gunichar) -1 || c == (gunichar) -2)
        {
          g_string_append (out, "\\ufffd");
          p++;
          continue;
        }
      switch (c)
        {
        case '"':  g_string_append (out, "\\\""); break;
        case '\\': g_string_append (out, "\\\\"); break;
        case '\n': g_string_append (out, "\\n"); break;
        case '\t': g_string_append (out, "\\t"); break;
        case '\r': g_string_append (out, "\\r"); break;
        default:
          if (c < 0x20 || c == 0x7f)
            g_string_append_printf (out, "\\u%04x", c);
          else
            g_string_append_len (out, p, g_utf8_next_char (p) - p);
        }
      p = g_utf8_next_char (p);
    }
  g_string_append_c (out, '"');
}

void
dpugw_json_strv (GString *out, const char * const *values)
{
  g_string_append_c (out, '[');
  for (guint i = 0; values != NULL && values[i] != NULL; i++)
    {
      if (i > 0)
        g_string_append_c (out, ',');
      dpugw_json_string (out, values[i]);
    }
  g_string_append_c (out, ']');
}

static void
member_key (GString *out, gboolean first, const char *key)
{
  if (!first)
    g_string_append_c (out, ',');
  dpugw_json_string (out, key);
  g_string_append_c (out, ':');
}

void
dpugw_json_member_string (GString *out, gboolean first, const char *key, const char *value)
{
  member_key (out, first, key);
  dpugw_json_string (out, value);
}

void
dpugw_json_member_strv (GString *out, gboolean first, const char *key, const char * const *values)
{
  member_key (out, first, key);
  dpugw_json_strv (out, values);
}

void
dpugw_json_member_uint (GString *out, gboolean first, const char *key, guint64 value)
{
  member_key (out, first, key);
  g_string_append_printf (out, "%" G_GUINT64_FORMAT, value);
}

void
dpugw_json_variant (GString *out, GVariant *value)
{
  const GVariantType *type = g_variant_get_type (value);

  if (g_variant_is_of_type (value, G_VARIANT_TYPE_STRING) || g_variant_is_of_type (value, G_VARIANT_TYPE_OBJECT_PATH) ||
      g_variant_is_of_type (value, G_VARIANT_TYPE_SIGNATURE))
    dpugw_json_string (out, g_variant_get_string (value, NULL));
  else if (g_variant_is_of_type (value, G_VARIANT_TYPE_BOOLEAN))
    g_string_append (out, g_variant_get_boolean (value) ? "true" : "false");
  else if (g_variant_is_of_type (value, G_VARIANT_TYPE_BYTE))
    g_string_append_printf (out, "%u", g_variant_get_byte (value));
  else if (g_variant_is_of_type (value, G_VARIANT_TYPE_INT16))
    g_string_append_printf (out, "%d", g_variant_get_int16 (value));
  else if (g_variant_is_of_type (value, G_VARIANT_TYPE_UINT16))
    g_string_append_printf (out, "%u", g_variant_get_uint16 (value));
  else if (g_variant_is_of_type (value, G_VARIANT_TYPE_INT32))
    g_string_append_printf (out, "%d", g_variant_get_int32 (value));
  else if (g_variant_is_of_type (value, G_VARIANT_TYPE_UINT32))
    g_string_append_printf (out, "%u", g_variant_get_uint32 (value));
  else if (g_variant_is_of_type (value, G_VARIANT_TYPE_INT64))
    g_string_append_printf (out, "%" G_GINT64_FORMAT, g_variant_get_int64 (value));
  else if (g_variant_is_of_type (value, G_VARIANT_TYPE_UINT64))
    g_string_append_printf (out, "%" G_GUINT64_FORMAT, g_variant_get_uint64 (value));
  else if (g_variant_is_of_type (value, G_VARIANT_TYPE_HANDLE))
    g_string_append_printf (out, "%d", g_variant_get_handle (value));
  else if (g_variant_is_of_type (value, G_VARIANT_TYPE_DOUBLE))
    {
      double d = g_variant_get_double (value);
      char buf[G_ASCII_DTOSTR_BUF_SIZE];

      /* JSON has no NaN nor infinities. */
      if (isfinite (d))
        g_string_append (out, g_ascii_dtostr (buf, sizeof buf, d));
      else
        g_string_append (out, "null");
    }
  else if (g_variant_is_of_type (value, G_VARIANT_TYPE_VARIANT))
    {
      g_autoptr(GVariant) inner = g_variant_get_variant (value);
      dpugw_json_variant (out, inner);
    }
  else if (g_variant_type_is_maybe (type))
    {
      g_autoptr(GVariant) inner = g_variant_get_maybe (value);
      if (inner != NULL)
        dpugw_json_variant (out, inner);
      else
        g_string_append (out, "null");
    }
  else if (g_variant_type_is_array (type) && g_variant_type_is_dict_entry (g_variant_type_element (type)) &&
           g_variant_type_equal (g_variant_type_key (g_variant_type_element (type)), G_VARIANT_TYPE_STRING))
    {
      /* A dictionary with string keys: an object. */
      gsize n = g_variant_n_children (value);

      g_string_append_c (out, '{');
      for (gsize i = 0; i < n; i++)
        {
          g_autoptr(GVariant) entry = g_variant_get_child_value (value, i);
          g_autoptr(GVariant) key = g_variant_get_child_value (entry, 0);
          g_autoptr(GVariant) member = g_variant_get_child_value (entry, 1);

          member_key (out, i == 0, g_variant_get_string (key, NULL));
          dpugw_json_variant (out, member);
        }
      g_string_append_c (out, '}');
    }
  else if (g_variant_is_container (value))
    {
      /* Arrays, tuples, dictionaries with other keys (their entries as [key, value]). */
      gsize n = g_variant_n_children (value);

      g_string_append_c (out, '[');
      for (gsize i = 0; i < n; i++)
        {
          g_autoptr(GVariant) child = g_variant_get_child_value (value, i);

          if (i > 0)
            g_string_append_c (out, ',');
          dpugw_json_variant (out, child);
        }
      g_string_append_c (out, ']');
    }
  else
    g_string_append (out, "null");
}
