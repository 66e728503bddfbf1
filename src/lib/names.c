/* SPDX-License-Identifier: Apache-2.0 */
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
  /* Exactly "DDDD:BB:DD.F": fixed width, nothing before or after. */
  if (text == NULL || strnlen (text, DPUGW_PCI_ADDRESS_LEN + 1) != DPUGW_PCI_ADDRESS_LEN)
    return FALSE;
  if (text[4] != ':' || text[7] != ':' || text[10] != '.')
    return FALSE;
  if (!hex_field (text, 4, domain) || !hex_field (text + 5, 2, bus) ||
      !hex_field (text + 8, 2, dev) || !hex_field (text + 11, 1, fn))
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
  return g_strdup_printf ("%04x:%02x:%02x.%x", domain, bus, dev, fn);
}

static const char *
netdev_name_problem (const char *name)
{
  gsize len;

  if (name == NULL || name[0] == '\0')
    return "it is empty";
  len = strnlen (name, DPUGW_IFNAMSIZ);
  if (len >= DPUGW_IFNAMSIZ)
    return "it is longer than 15 bytes";
  if (strcmp (name, ".") == 0 || strcmp (name, "..") == 0)
    return "it is \".\" or \"..\"";
  for (const char *p = name; *p != '\0'; p++)
    {
      guchar c = (guchar) *p;
      if (c == '/')
        return "it contains '/'";
      if (c == ':')
        return "it contains ':'";
      /* The kernel's isspace() is Latin-1's: 0xa0 is a space too. */
      if (g_ascii_isspace (c) || c == 0xa0)
        return "it contains whitespace";
      if (c < 0x20 || c == 0x7f)
        return "it contains a control character";
    }
  if (!g_utf8_validate (name, (gssize) len, NULL))
    return "it is not valid UTF-8";
  return NULL;
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
