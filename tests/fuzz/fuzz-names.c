/* SPDX-License-Identifier: Apache-2.0
 *
 * The name rules (names.c, and the auxiliary device names of resolver.c):
 * dpugw_pci_address_normalize / _is_valid, dpugw_netdev_name_validate /
 * _is_valid, dpugw_quote_untrusted, dpugw_auxiliary_name_is_valid.
 *
 * Input: bytes, split at NUL into up to 8 strings, each checked on its own
 * (each in a block of exactly its size, so an over-read is an ASan report).
 * Each result is compared with an independent reading of the documented rules.
 */
#include "fuzz-common.h"
#include "lib-private.h"

/* dpugw-names.h: "DDDD:BB:DD.F" in hexadecimal, any case; a domain of 4 digits, or 5 to 8 without a
 * leading zero (Intel VMD); device 00-1f, function 0-7. */
static gboolean
spec_pci_valid (const char *s)
{
  size_t len = strlen (s);
  size_t d;

  if (len < 12 || len > 16)
    return FALSE;
  d = len - 8; /* the domain's digits */
  if (d > 4 && s[0] == '0')
    return FALSE;
  if (s[d] != ':' || s[d + 3] != ':' || s[d + 6] != '.')
    return FALSE;
  for (size_t i = 0; i < len; i++)
    if (i != d && i != d + 3 && i != d + 6 && !g_ascii_isxdigit (s[i]))
      return FALSE;
  return g_ascii_xdigit_value (s[d + 4]) * 16 + g_ascii_xdigit_value (s[d + 5]) <= 0x1f &&
         g_ascii_xdigit_value (s[d + 7]) <= 7;
}

/* dpugw-names.h: 1-15 bytes, not "." or "..", no '/', ':', whitespace (Latin-1's, 0xa0 too)
 * or control characters, valid UTF-8. */
static gboolean
spec_netdev_valid (const char *s)
{
  size_t len = strlen (s);

  if (len < 1 || len > 15 || strcmp (s, ".") == 0 || strcmp (s, "..") == 0)
    return FALSE;
  for (const unsigned char *p = (const unsigned char *) s; *p != '\0'; p++)
    if (*p == '/' || *p == ':' || *p == ' ' || (*p >= '\t' && *p <= '\r') || *p == 0xa0 ||
        *p < 0x20 || *p == 0x7f)
      return FALSE;
  return g_utf8_validate (s, -1, NULL);
}

/* resolver.c: DRIVER.KIND.N, 5-64 bytes of [A-Za-z0-9_.-], non-empty parts, numeric last part. */
static gboolean
spec_auxiliary_valid (const char *s)
{
  size_t len = strlen (s);
  int parts = 1;
  const char *last;

  if (len < 5 || len > 64)
    return FALSE;
  for (const char *p = s; *p != '\0'; p++)
    {
      if (!g_ascii_isalnum (*p) && *p != '_' && *p != '.' && *p != '-')
        return FALSE;
      if (*p == '.')
        {
          if (p == s || p[1] == '\0' || p[1] == '.')
            return FALSE;
          parts++;
        }
    }
  if (parts < 3)
    return FALSE;
  last = strrchr (s, '.') + 1;
  for (const char *p = last; *p != '\0'; p++)
    if (!g_ascii_isdigit (*p))
      return FALSE;
  return TRUE;
}

static gboolean skip_virtfn_index;

/* "virtfnN": N decimal digits only, at most 65535 (the kernel's VF indexes are 16-bit). */
static gboolean
spec_virtfn (const char *s, guint *index)
{
  guint64 v = 0;

  if (strncmp (s, "virtfn", 6) != 0 || s[6] == '\0')
    return FALSE;
  for (const char *p = s + 6; *p != '\0'; p++)
    {
      if (!g_ascii_isdigit (*p))
        return FALSE;
      v = v * 10 + (guint64) (*p - '0');
      if (v > 65535)
        return FALSE;
    }
  *index = (guint) v;
  return TRUE;
}

static void
check_quote (const char *s)
{
  g_autofree char *q = dpugw_quote_untrusted (s);
  size_t len = strlen (q);

  FUZZ_CHECK (len >= 2 && q[0] == '"', "quote of %s is %s", fuzz_show (s), fuzz_show (q));
  /* "..." plus at most 64 bytes, each escaped as at most 4 characters, and "..." */
  FUZZ_CHECK (len <= 2 + 64 * 4 + 3, "quote too long: %zu", len);
  for (const char *p = q; *p != '\0'; p++)
    FUZZ_CHECK (*p >= 0x20 && *p < 0x7f, "quote of %s is not printable ASCII: %s", fuzz_show (s), fuzz_show (q));
  FUZZ_CHECK ((strlen (s) > 64) == g_str_has_suffix (q, "\"..."), "quote of %s: cut marker wrong: %s",
              fuzz_show (s), fuzz_show (q));
}

static void
check_one (const char *s)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *norm = dpugw_pci_address_normalize (s, &error);
  gboolean valid = dpugw_pci_address_is_valid (s);

  /* PCI addresses */
  FUZZ_CHECK (valid == spec_pci_valid (s), "pci validity of %s: library %d, rules %d", fuzz_show (s), valid,
              !valid);
  FUZZ_CHECK ((norm != NULL) == valid, "normalize and is_valid disagree on %s", fuzz_show (s));
  if (norm != NULL)
    {
      g_autofree char *again = dpugw_pci_address_normalize (norm, NULL);

      FUZZ_CHECK (error == NULL, "error set on success");
      FUZZ_CHECK (fuzz_is_pci_lower (norm) && g_ascii_strcasecmp (norm, s) == 0,
                  "normalize(%s) = %s", fuzz_show (s), fuzz_show (norm));
      FUZZ_CHECK (g_strcmp0 (again, norm) == 0, "normalize is not idempotent on %s", fuzz_show (norm));
    }
  else
    {
      FUZZ_CHECK (g_error_matches (error, DPUGW_ERROR, DPUGW_ERROR_INVALID_ARGUMENT), "wrong error for %s",
                  fuzz_show (s));
      FUZZ_CHECK (g_str_has_prefix (error->message, "invalid PCI address \""), "message: %s", error->message);
      FUZZ_CHECK (g_utf8_validate (error->message, -1, NULL), "message not UTF-8: %s", fuzz_show (error->message));
    }

  /* netdev names */
  {
    g_autoptr(GError) nerror = NULL;
    gboolean ok = dpugw_netdev_name_validate (s, &nerror);

    FUZZ_CHECK (ok == spec_netdev_valid (s), "netdev validity of %s: library %d, rules %d", fuzz_show (s), ok, !ok);
    FUZZ_CHECK (ok == dpugw_netdev_name_is_valid (s), "validate and is_valid disagree on %s", fuzz_show (s));
    FUZZ_CHECK (ok == (nerror == NULL), "error iff invalid");
    if (!ok)
      {
        FUZZ_CHECK (g_error_matches (nerror, DPUGW_ERROR, DPUGW_ERROR_INVALID_ARGUMENT), "wrong error domain");
        FUZZ_CHECK (g_str_has_prefix (nerror->message, "invalid network device name \""), "message: %s",
                    nerror->message);
        FUZZ_CHECK (g_utf8_validate (nerror->message, -1, NULL), "message not UTF-8: %s",
                    fuzz_show (nerror->message));
      }
    /* The two forms never overlap (dpugw_resolve relies on it). */
    FUZZ_CHECK (!(ok && valid), "%s is both a netdev name and a PCI address", fuzz_show (s));
  }

  /* auxiliary device names */
  {
    gboolean aux = dpugw_auxiliary_name_is_valid (s);
    FUZZ_CHECK (aux == spec_auxiliary_valid (s), "auxiliary validity of %s: library %d, rules %d", fuzz_show (s),
                aux, !aux);
    FUZZ_CHECK (!(aux && valid), "%s is both an auxiliary name and a PCI address", fuzz_show (s));
  }

  /* virtfnN (lib-private.h, used by topology.c and diagnose.c) */
  {
    guint a = G_MAXUINT, b = G_MAXUINT;
    gboolean lib = lib_parse_virtfn_index (s, &a);
    gboolean spec = spec_virtfn (s, &b);
    FUZZ_CHECK (skip_virtfn_index || (lib == spec && (!lib || a == b)), "virtfn index of %s: library %d (%u), rules %d (%u)",
                fuzz_show (s), lib, a, spec, b);
  }

  check_quote (s);
}

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  fuzz_common_init ();
  skip_virtfn_index = fuzz_skipped ("virtfn-index");
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  size_t start = 0;
  int n = 0;

  if (size > 4096)
    return -1;
  while (start <= size && n < 8)
    {
      const uint8_t *nul = memchr (data + start, '\0', size - start);
      size_t end = nul != NULL ? (size_t) (nul - data) : size;
      char *s = fuzz_strndup (data + start, end - start);

      check_one (s);
      free (s);
      n++;
      start = end + 1;
    }
  /* NULL is documented as handled by the quoting and the validators. */
  if (size == 0)
    {
      g_autofree char *q = dpugw_quote_untrusted (NULL);
      FUZZ_CHECK (strcmp (q, "(null)") == 0, "quote of NULL: %s", q);
      FUZZ_CHECK (!dpugw_pci_address_is_valid (NULL) && !dpugw_netdev_name_is_valid (NULL) &&
                  !dpugw_auxiliary_name_is_valid (NULL), "NULL accepted");
    }
  return 0;
}
