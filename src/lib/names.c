/* SPDX-License-Identifier: Apache-2.0
 *
 * The rules for names from users and from sysfs: PCI addresses, network device
 * names, and the quoting of untrusted text in messages.
 */
#define G_LOG_DOMAIN "dpugw-names"

#include "dpu-gateway/dpugw-error.h"
#include "dpu-gateway/dpugw-names.h"

#include <string.h>

#define QUOTE_MAX 64

char *
dpugw_quote_untrusted (const char *text)
{
  g_autofree char *cut = NULL;
  g_autofree char *escaped = NULL;
  gsize len;

  if (text == NULL)
    return g_strdup ("(null)");
  len = strnlen (text, QUOTE_MAX + 1);
  cut = g_strndup (text, MIN (len, QUOTE_MAX));
  /* g_strescape() turns control characters and every non-ASCII byte into
   * escapes, so the result is printable ASCII whatever came in. */
  escaped = g_strescape (cut, NULL);
  return g_strdup_printf ("\"%s\"%s", escaped, len > QUOTE_MAX ? "..." : "");
}

static gboolean
hex_field (const char *p, gsize n, guint *out)
{
  guint v = 0;

  for (gsize i = 0; i < n; i++)
    {
      int d = g_ascii_xdigit_value (p[i]);
      if (d < 0)
        return FALSE;
      v = v * 16 + (guint) d;
    }
  *out = v;
  return TRUE;
}

static gboolean
pci_address_parse (const char *text, guint *domain, guint *bus, guint *dev, guint *fn)
{
  const char *rest;
  gsize len, dlen;

  /* "DOMAIN:BB:DD.F" as the kernel prints it ("%04x:%02x:%02x.%d"): the domain has four digits,
   * or five to eight without a leading zero (Intel VMD puts its devices in domains from 10000);
   * nothing before or after. */
  if (text == NULL)
    return FALSE;
  len = strnlen (text, DPUGW_PCI_ADDRESS_MAX_LEN + 1);
  if (len < DPUGW_PCI_ADDRESS_LEN || len > DPUGW_PCI_ADDRESS_MAX_LEN)
    return FALSE;
  /* The domain's digits, then ":BB:DD.F" (8 bytes) after them. */
  dlen = len - (DPUGW_PCI_ADDRESS_LEN - 4);
  rest = text + dlen;
  if (dlen > 4 && text[0] == '0')
    return FALSE;
  if (rest[0] != ':' || rest[3] != ':' || rest[6] != '.')
    return FALSE;
  if (!hex_field (text, dlen, domain) || !hex_field (rest + 1, 2, bus) ||
      !hex_field (rest + 4, 2, dev) || !hex_field (rest + 7, 1, fn))
    return FALSE;
  return *dev <= 0x1f && *fn <= 7;
}

gboolean
dpugw_pci_address_is_valid (const char *text)
{
  guint d, b, s, f;
  return pci_address_parse (text, &d, &b, &s, &f);
}

char *
dpugw_pci_address_normalize (const char *text, GError **error)
{
  guint domain, bus, dev, fn;

  if (!pci_address_parse (text, &domain, &bus, &dev, &fn))
    {
      g_autofree char *q = dpugw_quote_untrusted (text);
      g_set_error (error, DPUGW_ERROR, DPUGW_ERROR_INVALID_ARGUMENT,
                   "invalid PCI address %s: expected DDDD:BB:DD.F (hexadecimal; device 00-1f, function 0-7)",
                   q);
      return NULL;
    }
  /* "%04x:%02x:%02x.%x" of the fields: their digits as the kernel writes them, in lower case. */
  return g_ascii_strdown (text, -1);
}

/* What is wrong with one byte of a netdev name, 0 if nothing; one class per byte, in the order
 * the checks had ('/', ':', whitespace, control). */
enum { BYTE_OK, BYTE_SLASH, BYTE_COLON, BYTE_SPACE, BYTE_CONTROL };

static const char *const byte_problems[] = {
  [BYTE_SLASH] = "it contains '/'",
  [BYTE_COLON] = "it contains ':'",
  [BYTE_SPACE] = "it contains whitespace",
  [BYTE_CONTROL] = "it contains a control character",
};

static const guint8 byte_class[256] = {
  [0x01 ... 0x08] = BYTE_CONTROL,
  /* g_ascii_isspace() ('\t' '\n' '\f' '\r' ' ', not '\v'), checked before control
   * characters; the kernel's isspace() is Latin-1's: 0xa0 is a space too. */
  ['\t'] = BYTE_SPACE,
  ['\n'] = BYTE_SPACE,
  ['\v'] = BYTE_CONTROL,
  ['\f'] = BYTE_SPACE,
  ['\r'] = BYTE_SPACE,
  [0x0e ... 0x1f] = BYTE_CONTROL,
  [' '] = BYTE_SPACE,
  [0xa0] = BYTE_SPACE,
  ['/'] = BYTE_SLASH,
  [':'] = BYTE_COLON,
  [0x7f] = BYTE_CONTROL,
};

static const char NOT_UTF8[] = "it is not valid UTF-8";

/* The problem of the @len bytes of @name (no '\0' among them), NULL if none. */
static const char *
netdev_name_problem_len (const char *name, gsize len)
{
  guchar high = 0;

  if (len == 0)
    return "it is empty";
  if (len >= DPUGW_IFNAMSIZ)
    return "it is longer than 15 bytes";
  if (name[0] == '.' && (len == 1 || (len == 2 && name[1] == '.')))
    return "it is \".\" or \"..\"";
  for (gsize i = 0; i < len; i++)
    {
      guchar c = (guchar) name[i];
      guint8 problem = byte_class[c];

      if (G_UNLIKELY (problem != BYTE_OK))
        return byte_problems[problem];
      high |= c;
    }
  /* ASCII is UTF-8. */
  if ((high & 0x80) != 0 && !g_utf8_validate (name, (gssize) len, NULL))
    return NOT_UTF8;
  return NULL;
}

static const char *
netdev_name_problem (const char *name)
{
  if (name == NULL)
    return "it is empty";
  return netdev_name_problem_len (name, strnlen (name, DPUGW_IFNAMSIZ));
}

gboolean
dpugw_netdev_name_is_kernel_valid (const char *name)
{
  const char *problem = netdev_name_problem (name);

  /* Ours beyond the kernel's: control characters, UTF-8. */
  return problem == NULL || problem == byte_problems[BYTE_CONTROL] || problem == NOT_UTF8;
}

gboolean
dpugw_netdev_name_is_valid (const char *name)
{
  return netdev_name_problem (name) == NULL;
}

gboolean
dpugw_netdev_name_validate (const char *name, GError **error)
{
  const char *problem = netdev_name_problem (name);

  if (problem != NULL)
    {
      g_autofree char *q = dpugw_quote_untrusted (name);
      g_set_error (error, DPUGW_ERROR, DPUGW_ERROR_INVALID_ARGUMENT,
                   "invalid network device name %s: %s", q, problem);
      return FALSE;
    }
  return TRUE;
}

char *
dpugw_netdev_name_display (const char *name)
{
  const char *problem = netdev_name_problem (name);
  g_autofree char *q = NULL;

  if (problem == NULL)
    return g_strdup (name);
  q = dpugw_quote_untrusted (name);
  return g_strdup_printf ("%s (invalid name: %s)", q, problem);
}
