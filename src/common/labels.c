/* SPDX-License-Identifier: Apache-2.0
 *
 * Kubernetes label values, as dpu-gatewayctl node-labels writes them (labels.h).
 */
#include "labels.h"

#include <string.h>

#define LABEL_VALUE_MAX 63

static gboolean
is_label_char (char c)
{
  return g_ascii_isalnum (c) || c == '.' || c == '_' || c == '-';
}

char *
dpugw_label_value (const char *value)
{
  g_autoptr(GString) out = g_string_new (NULL);
  gsize start = 0, end;

  for (const char *p = value; *p != '\0'; p++)
    g_string_append_c (out, is_label_char (*p) ? *p : '_');
  while (start < out->len && !g_ascii_isalnum (out->str[start]))
    start++;
  g_string_erase (out, 0, start);
  if (out->len > LABEL_VALUE_MAX)
    g_string_truncate (out, LABEL_VALUE_MAX);
  end = out->len;
  while (end > 0 && !g_ascii_isalnum (out->str[end - 1]))
    end--;
  g_string_truncate (out, end);
  return g_string_free (g_steal_pointer (&out), FALSE);
}

gboolean
dpugw_label_value_is_valid (const char *value)
{
  gsize len = strlen (value);

  if (len == 0)
    return TRUE;
  if (len > LABEL_VALUE_MAX || !g_ascii_isalnum (value[0]) || !g_ascii_isalnum (value[len - 1]))
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if (!is_label_char (value[i]))
      return FALSE;
  return TRUE;
}
