/* SPDX-License-Identifier: Apache-2.0
 *
 * Shared by the libFuzzer targets in this directory (tests/fuzz/run.sh builds
 * them with clang, the library's sources compiled into each).  Header-only:
 * every target is one translation unit plus the library.
 *
 * - GLib warnings and criticals abort: the library must not emit one for any
 *   input, hostile or not, so one is a finding.
 * - FUZZ_CHECK() states a property of the library's results; a violation
 *   aborts with a message, which libFuzzer reports as a crash with the input.
 */
#pragma once

#include <dpu-gateway/dpu-gateway.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FUZZ_CHECK(cond, ...)                                                     \
  do                                                                              \
    {                                                                             \
      if (!(cond))                                                                \
        {                                                                         \
          fprintf (stderr, "\n=== FUZZ_CHECK failed at %s:%d: %s\n", __FILE__,   \
                   __LINE__, #cond);                                              \
          fprintf (stderr, "=== " __VA_ARGS__);                                   \
          fprintf (stderr, "\n");                                                 \
          abort ();                                                               \
        }                                                                         \
    }                                                                             \
  while (0)

/* A printable rendering of @s for FUZZ_CHECK messages (leaks on the way to abort()). */
static inline const char *
fuzz_show (const char *s)
{
  if (s == NULL)
    return "(null)";
  return g_strescape (s, NULL);
}

static void
fuzz_log_handler (const char *domain, GLogLevelFlags level, const char *message, gpointer data)
{
  if (level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING))
    {
      fprintf (stderr, "\n=== GLib %s from %s: %s\n",
               (level & G_LOG_LEVEL_ERROR) ? "error" : (level & G_LOG_LEVEL_CRITICAL) ? "critical" : "warning",
               domain != NULL ? domain : "(no domain)", message);
      abort ();
    }
  /* Messages, infos and debug output (g_debug of skipped entries): quiet. */
}

/*
 * Named checks can be skipped while a known failure is being fixed, so that the
 * target can look for others: DPUGW_FUZZ_SKIP=name[,name...] (run.sh passes it
 * through).  Names: bus-utf8 (fuzz-sysfs: strings the daemon sends over D-Bus),
 * virtfn-index (fuzz-names: lib_parse_virtfn_index against "virtfn" + digits).
 */
static inline gboolean
fuzz_skipped (const char *check)
{
  const char *skip = getenv ("DPUGW_FUZZ_SKIP");
  g_auto(GStrv) names = NULL;

  if (skip == NULL || *skip == '\0')
    return FALSE;
  names = g_strsplit (skip, ",", 0);
  return g_strv_contains ((const char * const *) names, check);
}

/* Call first in LLVMFuzzerInitialize. */
static inline void
fuzz_common_init (void)
{
  /* GLib 2.74's slice allocator keeps freed blocks in magazines, which would
   * hide leaks of GError, GString, GPtrArray... from LeakSanitizer.  Only
   * effective before the first g_slice allocation: run.sh sets it too. */
  setenv ("G_SLICE", "always-malloc", 0);
  setenv ("LC_ALL", "C.UTF-8", 0);
  g_log_set_default_handler (fuzz_log_handler, NULL);
  g_log_set_always_fatal (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
}

/* @data as a NUL-terminated string in a block of exactly its size (ASan sees over-reads). */
static inline char *
fuzz_strndup (const uint8_t *data, size_t size)
{
  char *s = malloc (size + 1);
  memcpy (s, data, size);
  s[size] = '\0';
  return s;
}

static inline gboolean
fuzz_is_pci_lower (const char *s)
{
  if (!dpugw_pci_address_is_valid (s))
    return FALSE;
  for (const char *p = s; *p != '\0'; p++)
    if (g_ascii_isupper (*p))
      return FALSE;
  return TRUE;
}

/* The topology's netdevs: valid names in strictly increasing strcmp order, then names D-Bus
 * cannot carry, escaped and marked (dpugw_netdev_name_display): printable ASCII, never valid. */
static inline gboolean
fuzz_topology_netdevs_ok (char **names)
{
  guint i = 0;

  if (names == NULL)
    return FALSE;
  for (; names[i] != NULL && dpugw_netdev_name_is_valid (names[i]); i++)
    if (i > 0 && strcmp (names[i - 1], names[i]) >= 0)
      return FALSE;
  for (; names[i] != NULL; i++)
    {
      if (names[i][0] != '"' || strstr (names[i], "\" (invalid name: ") == NULL)
        return FALSE;
      for (const char *p = names[i]; *p != '\0'; p++)
        if (*p < 0x20 || *p >= 0x7f)
          return FALSE;
    }
  return TRUE;
}

/* Every element a valid netdev name, in strictly increasing strcmp order. */
static inline gboolean
fuzz_netdevs_ok (char **names)
{
  if (names == NULL)
    return FALSE;
  for (guint i = 0; names[i] != NULL; i++)
    {
      if (!dpugw_netdev_name_is_valid (names[i]))
        return FALSE;
      if (i > 0 && strcmp (names[i - 1], names[i]) >= 0)
        return FALSE;
    }
  return TRUE;
}

static inline gboolean
fuzz_strv_contains (char **strv, const char *s)
{
  for (guint i = 0; strv != NULL && strv[i] != NULL; i++)
    if (strcmp (strv[i], s) == 0)
      return TRUE;
  return FALSE;
}
