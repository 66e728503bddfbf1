/* SPDX-License-Identifier: Apache-2.0
 *
 * A reader for ovnkube's configuration files.  ovnkube reads them with gcfg,
 * git-config syntax: "[Section]" or "[section \"sub\"]", "key = value",
 * comments from '#' or ';', values optionally double-quoted with \" \\ \n \t
 * escapes, section and key names case-insensitive.  A key without '=' is a
 * boolean "true".  This reader accepts that syntax and reports the first
 * syntax error with its line number; it knows nothing of the keys.
 */
#define G_LOG_DOMAIN "dpugw-ini"

#include "ini.h"

#include "dpu-gateway/dpugw-error.h"

#include <string.h>

#define INI_MAX_SIZE (1024 * 1024)

static gboolean
is_name_char (char c)
{
  return g_ascii_isalnum (c) || c == '-' || c == '_' || c == '.';
}

/* Parses a value starting at @p to the end of the line; NULL on a syntax error. */
static char *
parse_value (const char *p, const char **problem)
{
  g_autoptr(GString) out = g_string_new (NULL);
  gboolean quoted = FALSE;
  gsize keep = 0; /* length without trailing unquoted blanks */

  while (*p == ' ' || *p == '\t')
    p++;
  for (; *p != '\0'; p++)
    {
      char c = *p;

      if (!quoted && (c == '#' || c == ';'))
        break;
      if (c == '"')
        {
          quoted = !quoted;
          keep = out->len;
          continue;
        }
      if (c == '\\')
        {
          p++;
          switch (*p)
            {
            case '"':  g_string_append_c (out, '"'); break;
            case '\\': g_string_append_c (out, '\\'); break;
            case 'n':  g_string_append_c (out, '\n'); break;
            case 't':  g_string_append_c (out, '\t'); break;
            case 'b':  g_string_append_c (out, '\b'); break;
            default:
              *problem = "invalid escape sequence";
              return NULL;
            }
          keep = out->len;
          continue;
        }
      g_string_append_c (out, c);
      if (quoted || (c != ' ' && c != '\t'))
        keep = out->len;
    }
  if (quoted)
    {
      *problem = "unterminated quoted value";
      return NULL;
    }
  g_string_truncate (out, keep);
  return g_string_free (g_steal_pointer (&out), FALSE);
}

gboolean
ini_parse_text (const char    *data,
                 gsize          length,
                 const char    *origin,
                 DpugwIniFunc   func,
                 gpointer       user_data,
                 GError       **error)
{
  g_autofree char *copy = NULL;
  g_autofree char *section = NULL;
  char *line, *next;
  guint lineno = 0;

  if (length > INI_MAX_SIZE)
    {
      g_set_error (error, DPUGW_ERROR, DPUGW_ERROR_INVALID_CONFIG,
                   "%s: larger than %u bytes", origin, INI_MAX_SIZE);
      return FALSE;
    }
  if (memchr (data, '\0', length) != NULL || !g_utf8_validate_len (data, length, NULL))
    {
      g_set_error (error, DPUGW_ERROR, DPUGW_ERROR_INVALID_CONFIG,
                   "%s: not a text file (NUL bytes or invalid UTF-8)", origin);
      return FALSE;
    }

  copy = g_strndup (data, length);
  for (line = copy; line != NULL; line = next)
    {
      const char *problem = NULL;
      char *p;

      next = strchr (line, '\n');
      if (next != NULL)
        *next++ = '\0';
      lineno++;
      g_strstrip (line);
      p = line;

      if (*p == '\0' || *p == '#' || *p == ';')
        continue;

      if (*p == '[')
        {
          char *end = strchr (p, ']');
          char *name = p + 1;
          char *rest;

          if (end == NULL)
            problem = "section header without ']'";
          else
            {
              *end = '\0';
              rest = end + 1;
              while (*rest == ' ' || *rest == '\t')
                rest++;
              if (*rest != '\0' && *rest != '#' && *rest != ';')
                problem = "text after section header";
              else
                {
                  /* "[section \"sub\"]": keep the section, drop the subsection. */
                  char *space = strpbrk (name, " \t");
                  if (space != NULL)
                    {
                      char *sub = space;
                      while (*sub == ' ' || *sub == '\t')
                        sub++;
                      if (*sub != '"' || sub[1] == '\0' || sub[strlen (sub) - 1] != '"')
                        problem = "invalid subsection";
                      *space = '\0';
                    }
                  if (problem == NULL && *name == '\0')
                    problem = "empty section name";
                  for (char *c = name; problem == NULL && *c != '\0'; c++)
                    if (!is_name_char (*c))
                      problem = "invalid character in section name";
                  if (problem == NULL)
                    {
                      g_free (section);
                      section = g_ascii_strdown (name, -1);
                    }
                }
            }
        }
      else
        {
          g_autofree char *key = NULL;
          g_autofree char *value = NULL;
          char *k = p;

          if (!g_ascii_isalpha (*k))
            problem = "a key must start with a letter";
          else
            {
              while (is_name_char (*k))
                k++;
              key = g_ascii_strdown (p, k - p);
              while (*k == ' ' || *k == '\t')
                k++;
              if (*k == '=')
                value = parse_value (k + 1, &problem);
              else if (*k == '\0' || *k == '#' || *k == ';')
                value = g_strdup ("true");
              else
                problem = "expected '=' after the key";
            }
          if (problem == NULL && section == NULL)
            problem = "key outside of any section";
          if (problem == NULL && !func (section, key, value, lineno, user_data, error))
            return FALSE;
        }

      if (problem != NULL)
        {
          g_set_error (error, DPUGW_ERROR, DPUGW_ERROR_INVALID_CONFIG,
                       "%s:%u: %s", origin, lineno, problem);
          return FALSE;
        }
    }
  return TRUE;
}
