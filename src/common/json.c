/* SPDX-License-Identifier: Apache-2.0
 *
 * JSON output of dpu-gatewayctl: strings escaped, members and arrays written into a GString.
 */
#include "json.h"

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
