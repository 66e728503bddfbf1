/* SPDX-License-Identifier: Apache-2.0
 *
 * A reader of ovnkube's configuration files with the syntax of gcfg v1.2.3 (gopkg.in/gcfg.v1, its
 * scanner.go and read.go), which ovnkube reads them with; /work/shared/GCFG.md lists the cases.
 *   - names: a letter, then letters, digits and '-' ('_' and '.' are illegal characters);
 *   - "[section]" or "[section \"sub\"]" (only \\ and \" in the subsection string);
 *   - "name = value" (the value runs to an unquoted ';' or '#' or the end of the line; quotes may
 *     open and close anywhere; inside them \\ \" \n \t; outside them \" is a quote and a '\' at
 *     the end of the line continues the value on the next; trailing unquoted blanks are dropped;
 *     any CR is removed) or a blank "name" without '=';
 *   - whitespace is space, TAB and CR; LF ends a line; a NUL byte or invalid UTF-8 anywhere,
 *     a byte order mark included, is an error.
 * The first error stops the reading with gcfg's message and its line and column (in bytes).
 */
#define G_LOG_DOMAIN "dpugw-ini"

#include "ini.h"

#include "dpu-gateway/dpugw-error.h"

#include <string.h>

#define INI_MAX_SIZE (1024 * 1024)
#define CH_EOF ((gunichar) -1)

typedef enum {
  TOK_ILLEGAL,
  TOK_EOF,
  TOK_EOL,
  TOK_LBRACK,
  TOK_RBRACK,
  TOK_IDENT,
  TOK_STRING,   /* a quoted subsection name, unquoted */
  TOK_ASSIGN,
  TOK_VALUE,    /* what follows '=', unquoted */
} Token;

typedef struct {
  const char *src;
  gsize len;
  const char *origin;
  gsize offset;     /* of ch */
  gsize rd_offset;  /* after ch */
  gunichar ch;      /* CH_EOF at the end */
  guint line;       /* of ch */
  gboolean next_val;
  GError *error;    /* the first error */
} Scanner;

/* The 1-based line and column (in bytes) of the byte at @offset; for error messages only. */
static guint
line_at (const Scanner *s, gsize offset, gsize *column)
{
  guint line = 1;
  gsize line_start = 0;

  for (gsize i = 0; i < offset && i < s->len; i++)
    if (s->src[i] == '\n')
      {
        line++;
        line_start = i + 1;
      }
  *column = offset - line_start + 1;
  return line;
}

/* "ORIGIN:LINE:COLUMN: message" for the byte at @offset; only the first error is kept. */
static void
scanner_error (Scanner *s, gsize offset, const char *message)
{
  gsize column;
  guint line;

  if (s->error != NULL)
    return;
  line = line_at (s, offset, &column);
  s->error = g_error_new (DPUGW_ERROR, DPUGW_ERROR_INVALID_CONFIG, "%s:%u:%" G_GSIZE_FORMAT ": %s",
                          s->origin, line, column, message);
}

static void
scanner_next (Scanner *s)
{
  guchar c;

  if (s->ch == '\n')
    s->line++;
  if (s->rd_offset >= s->len)
    {
      s->offset = s->len;
      s->ch = CH_EOF;
      return;
    }
  s->offset = s->rd_offset;
  c = (guchar) s->src[s->rd_offset];
  if (c == '\0')
    {
      scanner_error (s, s->offset, "illegal character NUL");
      s->ch = 0;
      s->rd_offset++;
    }
  else if (c < 0x80)
    {
      s->ch = c;
      s->rd_offset++;
    }
  else
    {
      gunichar u = g_utf8_get_char_validated (s->src + s->rd_offset, (gssize) (s->len - s->rd_offset));

      if (u == (gunichar) -1 || u == (gunichar) -2)
        {
          scanner_error (s, s->offset, "illegal UTF-8 encoding");
          s->ch = 0xFFFD;
          s->rd_offset++;
        }
      else
        {
          s->ch = u;
          s->rd_offset = (gsize) (g_utf8_next_char (s->src + s->rd_offset) - s->src);
        }
    }
}

static gboolean
is_letter (gunichar c)
{
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= 0x80 && c != CH_EOF && g_unichar_isalpha (c));
}

static gboolean
is_digit (gunichar c)
{
  return (c >= '0' && c <= '9') || (c >= 0x80 && c != CH_EOF && g_unichar_isdigit (c));
}

static gboolean
is_whitespace (gunichar c)
{
  return c == ' ' || c == '\t' || c == '\r';
}

/* Go's strconv.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space. */
static gboolean
is_print (gunichar c)
{
  if (c == ' ')
    return TRUE;
  switch (g_unichar_type (c))
    {
    case G_UNICODE_LOWERCASE_LETTER: case G_UNICODE_MODIFIER_LETTER: case G_UNICODE_OTHER_LETTER:
    case G_UNICODE_TITLECASE_LETTER: case G_UNICODE_UPPERCASE_LETTER:
    case G_UNICODE_SPACING_MARK: case G_UNICODE_ENCLOSING_MARK: case G_UNICODE_NON_SPACING_MARK:
    case G_UNICODE_DECIMAL_NUMBER: case G_UNICODE_LETTER_NUMBER: case G_UNICODE_OTHER_NUMBER:
    case G_UNICODE_CONNECT_PUNCTUATION: case G_UNICODE_DASH_PUNCTUATION: case G_UNICODE_CLOSE_PUNCTUATION:
    case G_UNICODE_FINAL_PUNCTUATION: case G_UNICODE_INITIAL_PUNCTUATION: case G_UNICODE_OTHER_PUNCTUATION:
    case G_UNICODE_OPEN_PUNCTUATION:
    case G_UNICODE_CURRENCY_SYMBOL: case G_UNICODE_MODIFIER_SYMBOL: case G_UNICODE_MATH_SYMBOL:
    case G_UNICODE_OTHER_SYMBOL:
      return TRUE;
    default:
      return FALSE;
    }
}

/* Go's %#U: "U+0040 '@'", or "U+0007" when not printable. */
static char *
describe_char (gunichar c)
{
  if (is_print (c))
    {
      char utf8[7] = { 0 };
      g_unichar_to_utf8 (c, utf8);
      return g_strdup_printf ("U+%04X '%s'", (guint) c, utf8);
    }
  return g_strdup_printf ("U+%04X", (guint) c);
}

static void
skip_whitespace (Scanner *s)
{
  while (s->ch == ' ' || s->ch == '\t' || (s->ch == '\r' && !s->next_val))
    scanner_next (s);
}

/* After a '\' inside quotes: the escapes @allowed knows, appended unescaped to @out. */
static void
scan_escape (Scanner *s, const char *allowed, GString *out)
{
  gunichar c = s->ch;

  if (c != CH_EOF && c < 0x80 && c != '\0' && strchr (allowed, (int) c) != NULL)
    {
      g_string_append_c (out, c == 'n' ? '\n' : c == 't' ? '\t' : (char) c);
      scanner_next (s);
      return;
    }
  scanner_error (s, s->offset, "unknown escape sequence");
}

/* A quoted subsection name; the opening '"' is consumed. */
static char *
scan_string (Scanner *s)
{
  g_autoptr(GString) out = g_string_new (NULL);
  gsize offs = s->offset - 1;

  while (s->ch != '"')
    {
      gunichar c = s->ch;

      scanner_next (s);
      if (c == '\n' || c == CH_EOF)
        {
          scanner_error (s, offs, "string not terminated");
          break;
        }
      if (c == '\\')
        scan_escape (s, "\\\"", out);
      else
        g_string_append_unichar (out, c);
    }
  scanner_next (s);
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* The value after '=', up to an unquoted ';', '#', LF or the end. */
static char *
scan_value (Scanner *s)
{
  g_autoptr(GString) out = g_string_new (NULL);
  gsize offs = s->offset;
  gsize keep = 0;   /* out->len without trailing unquoted whitespace */
  gboolean quoted = FALSE;

  while (quoted || (s->ch != CH_EOF && s->ch != '\n' && s->ch != ';' && s->ch != '#'))
    {
      gunichar c = s->ch;

      scanner_next (s);
      if (quoted && c == '\\')
        scan_escape (s, "\\\"nt", out);
      else if (!quoted && c == '\\')
        {
          if (s->ch == '\r')
            scanner_next (s);
          if (s->ch != '\n' && s->ch != '"')
            {
              scanner_error (s, offs, "unquoted '\\' must be followed by new line or double quote");
              break;
            }
          if (s->ch == '"')
            g_string_append_c (out, '"');
          scanner_next (s);
        }
      else if (c == '"')
        quoted = !quoted;
      else if (c == CH_EOF || (quoted && c == '\n'))
        {
          scanner_error (s, offs, "string not terminated");
          break;
        }
      else if (c != '\r')
        g_string_append_unichar (out, c);
      if (quoted || !is_whitespace (c))
        keep = out->len;
    }
  g_string_truncate (out, keep);
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static Token
scan (Scanner *s, gsize *pos, guint *line, char **lit)
{
  gunichar c;

again:
  skip_whitespace (s);
  *pos = s->offset;
  *line = s->line;
  g_clear_pointer (lit, g_free);
  if (s->next_val)
    {
      s->next_val = FALSE;
      *lit = scan_value (s);
      return TOK_VALUE;
    }
  if (is_letter (s->ch))
    {
      gsize start = s->offset;
      while (is_letter (s->ch) || is_digit (s->ch) || s->ch == '-')
        scanner_next (s);
      *lit = g_strndup (s->src + start, s->offset - start);
      return TOK_IDENT;
    }

  c = s->ch;
  scanner_next (s);
  switch (c)
    {
    case CH_EOF:
      return TOK_EOF;
    case '\n':
      return TOK_EOL;
    case '"':
      *lit = scan_string (s);
      return TOK_STRING;
    case '[':
      return TOK_LBRACK;
    case ']':
      return TOK_RBRACK;
    case ';':
    case '#':
      /* A comment runs to the end of the line; it is never parsed. */
      while (s->ch != '\n' && s->ch != CH_EOF)
        scanner_next (s);
      goto again;
    case '=':
      s->next_val = TRUE;
      return TOK_ASSIGN;
    default:
      if (s->error == NULL)
        {
          g_autofree char *what = describe_char (c);
          g_autofree char *message = g_strdup_printf ("illegal character %s", what);
          scanner_error (s, *pos, message);
        }
      return TOK_ILLEGAL;
    }
}

typedef struct {
  Scanner s;
  Token tok;
  gsize pos;    /* of the token */
  guint line;   /* of the token */
  char *lit;
} Parser;

/* The next token; FALSE when the scanner has failed. */
static gboolean
advance (Parser *p)
{
  p->tok = scan (&p->s, &p->pos, &p->line, &p->lit);
  return p->s.error == NULL;
}

static gboolean
parse_error (Parser *p, const char *message)
{
  scanner_error (&p->s, p->pos, message);
  return FALSE;
}

static gboolean
is_line_end (Token tok)
{
  return tok == TOK_EOL || tok == TOK_EOF;
}

static gboolean
parse (Parser *p, DpugwIniFunc func, gpointer user_data, GError **error)
{
  g_autofree char *section = NULL;
  g_autofree char *subsection = NULL;

  if (!advance (p))
    return FALSE;
  for (;;)
    {
      switch (p->tok)
        {
        case TOK_EOF:
          return TRUE;

        case TOK_EOL:
          if (!advance (p))
            return FALSE;
          continue;

        case TOK_LBRACK:
          {
            IniEntry entry = { 0 };
            guint header_line = p->line;

            if (!advance (p))
              return FALSE;
            if (p->tok != TOK_IDENT)
              return parse_error (p, "expected section name");
            g_free (section);
            section = g_steal_pointer (&p->lit);
            g_clear_pointer (&subsection, g_free);
            if (!advance (p))
              return FALSE;
            if (p->tok == TOK_STRING)
              {
                if (*p->lit == '\0')
                  return parse_error (p, "empty subsection name");
                subsection = g_steal_pointer (&p->lit);
                if (!advance (p))
                  return FALSE;
              }
            if (p->tok != TOK_RBRACK)
              return parse_error (p, subsection == NULL ? "expected subsection name or right bracket"
                                                        : "expected right bracket");
            if (!advance (p))
              return FALSE;
            if (!is_line_end (p->tok))
              return parse_error (p, "expected EOL, EOF, or comment");
            entry.section = section;
            entry.subsection = subsection;
            entry.line = header_line;
            if (!func (&entry, user_data, error))
              return FALSE;
            continue;
          }

        case TOK_IDENT:
          {
            IniEntry entry = { 0 };
            g_autofree char *name = NULL;
            g_autofree char *value = NULL;
            guint name_line = p->line;

            if (section == NULL)
              return parse_error (p, "expected section header");
            name = g_steal_pointer (&p->lit);
            if (!advance (p))
              return FALSE;
            if (!is_line_end (p->tok))
              {
                if (p->tok != TOK_ASSIGN)
                  return parse_error (p, "expected '='");
                if (!advance (p))
                  return FALSE;
                value = g_steal_pointer (&p->lit);
                if (!advance (p))
                  return FALSE;
                if (!is_line_end (p->tok))
                  return parse_error (p, "expected EOL, EOF, or comment");
              }
            entry.section = section;
            entry.subsection = subsection;
            entry.name = name;
            entry.value = value;
            entry.line = name_line;
            if (!func (&entry, user_data, error))
              return FALSE;
            continue;
          }

        case TOK_ILLEGAL:
          return FALSE;

        default:
          if (section == NULL)
            return parse_error (p, "expected section header");
          return parse_error (p, "expected section header or variable declaration");
        }
    }
}

gboolean
ini_parse_text (const char    *data,
                gsize          length,
                const char    *origin,
                DpugwIniFunc   func,
                gpointer       user_data,
                GError       **error)
{
  Parser p = { 0 };
  gboolean ok;

  if (length > INI_MAX_SIZE)
    {
      g_set_error (error, DPUGW_ERROR, DPUGW_ERROR_INVALID_CONFIG,
                   "%s: larger than %u bytes", origin, INI_MAX_SIZE);
      return FALSE;
    }
  p.s.src = data;
  p.s.len = length;
  p.s.origin = origin;
  p.s.line = 1;
  scanner_next (&p.s);

  ok = parse (&p, func, user_data, error);
  g_free (p.lit);
  if (p.s.error != NULL)
    {
      /* A callback error never coexists with a scanner error: the callback runs after clean lines. */
      g_propagate_error (error, g_steal_pointer (&p.s.error));
      return FALSE;
    }
  return ok;
}

/* The simple case folding of a character onto ASCII, as far as it matters for ASCII names. */
static gunichar
fold_to_ascii (gunichar c)
{
  if (c == 0x017F) /* LATIN SMALL LETTER LONG S */
    return 's';
  if (c == 0x212A) /* KELVIN SIGN */
    return 'k';
  if (c < 0x80)
    return g_ascii_tolower ((char) c);
  return 0;
}

gboolean
ini_name_equal (const char *written, const char *known)
{
  const char *w = written;
  const char *k = known;

  while (*w != '\0' && *k != '\0')
    {
      gunichar c = fold_to_ascii (g_utf8_get_char (w));

      if (c == 0 || c != (gunichar) g_ascii_tolower (*k))
        return FALSE;
      w = g_utf8_next_char (w);
      k++;
    }
  return *w == '\0' && *k == '\0';
}
