/* SPDX-License-Identifier: Apache-2.0
 *
 * Gateway selection rules (select.c): dpugw_select_parse, _to_string,
 * _uses_operstate, and dpugw_select_apply over a fixed switchdev PF (made
 * once, in a temporary directory) whose netdevs are an uplink, VF and PF
 * representors and netdevs without phys_port_name or operstate.
 *
 * Input: "RULES" or "RULES\nNAME\nNAME...": the rules, then optionally the
 * candidates (valid netdev names only, sorted and deduplicated as the library
 * makes them; the PF's own netdevs when none is given).
 */
#include "fuzz-common.h"

#include <glib/gstdio.h>
#include <unistd.h>

#define PF "0000:03:00.0"

static char *work_dir;
static DpugwSysfs *sysfs;

/* netdev, phys_port_name (NULL: absent), operstate (NULL: absent) */
static const char *const netdevs[][3] = {
  { "c1pf0vf0", "c1pf0vf0", "up" },
  { "en3f0pf0sf88", "pf0sf88", "down" },
  { "eth0", "pf0vf0", "up" },
  { "eth1", "pf0vf1", "lowerlayerdown" },
  { "p0", "p0", "up" },
  { "pf0hpf", "pf0", "up" },
  { "pf1", "p1", "down" },
  { "vf002", NULL, NULL },
  { "weird", "p", " up \n" },
};

static void
write_file (const char *rel, const char *contents)
{
  g_autofree char *path = g_build_filename (work_dir, rel, NULL);
  g_autofree char *dir = g_path_get_dirname (path);

  if (g_mkdir_with_parents (dir, 0755) != 0 || !g_file_set_contents (path, contents, -1, NULL))
    abort ();
}

static void
remove_work_dir (void)
{
  g_autofree char *cmd = NULL;

  if (work_dir == NULL)
    return;
  g_clear_object (&sysfs);
  cmd = g_strdup_printf ("rm -rf '%s'", work_dir);
  if (system (cmd) != 0)
    fprintf (stderr, "cannot remove %s\n", work_dir);
}

static void
make_tree (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *devices = NULL;
  g_autofree char *link = NULL;

  work_dir = g_dir_make_tmp ("dpugw-fuzz-select-XXXXXX", &error);
  if (work_dir == NULL)
    abort ();
  atexit (remove_work_dir);
  for (guint i = 0; i < G_N_ELEMENTS (netdevs); i++)
    {
      g_autofree char *base = g_strdup_printf ("devices/pci0000:00/" PF "/net/%s", netdevs[i][0]);
      g_autofree char *port = g_strconcat (base, "/phys_port_name", NULL);
      g_autofree char *state = g_strconcat (base, "/operstate", NULL);
      g_autofree char *id = g_strconcat (base, "/phys_switch_id", NULL);

      if (netdevs[i][1] != NULL)
        write_file (port, netdevs[i][1]);
      if (netdevs[i][2] != NULL)
        write_file (state, netdevs[i][2]);
      write_file (id, "2a1eb00003a1f0b8\n");
    }
  devices = g_build_filename (work_dir, "bus/pci/devices", NULL);
  if (g_mkdir_with_parents (devices, 0755) != 0)
    abort ();
  link = g_build_filename (devices, PF, NULL);
  if (symlink ("../../../devices/pci0000:00/" PF, link) != 0)
    abort ();
  sysfs = dpugw_sysfs_new (work_dir, &error);
  if (sysfs == NULL)
    abort ();
}

static int
compare_strings (gconstpointer a, gconstpointer b)
{
  return strcmp (*(char * const *) a, *(char * const *) b);
}

/* The candidates: valid names from the input, sorted and unique; the PF's netdevs if none. */
static GStrv
candidates_from (const char *text)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_auto(GStrv) lines = g_strsplit (text, "\n", 32);

  for (guint i = 0; lines[i] != NULL; i++)
    if (dpugw_netdev_name_is_valid (lines[i]))
      g_ptr_array_add (names, g_strdup (lines[i]));
  if (names->len == 0)
    for (guint i = 0; i < G_N_ELEMENTS (netdevs); i++)
      g_ptr_array_add (names, g_strdup (netdevs[i][0]));
  g_ptr_array_sort (names, compare_strings);
  for (guint i = 1; i < names->len;)
    if (strcmp (g_ptr_array_index (names, i - 1), g_ptr_array_index (names, i)) == 0)
      g_ptr_array_remove_index (names, i);
    else
      i++;
  g_ptr_array_add (names, NULL);
  return (GStrv) g_ptr_array_free (g_steal_pointer (&names), FALSE);
}

static void
check_apply (DpugwSelect *select, char **candidates)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *selected_by = NULL;
  g_autofree char *hint = NULL;
  g_auto(GStrv) chosen = dpugw_select_apply (select, sysfs, PF, candidates, &selected_by, &hint, &error);
  g_auto(GStrv) rules = g_strsplit (dpugw_select_to_string (select), ",", 0);
  guint c = 0;

  if (chosen == NULL)
    {
      FUZZ_CHECK (g_error_matches (error, DPUGW_ERROR, DPUGW_ERROR_NO_MATCH), "apply: wrong error");
      FUZZ_CHECK (selected_by == NULL && hint == NULL, "outputs set on failure");
      FUZZ_CHECK (!fuzz_strv_contains (rules, "first"), "`first` in %s, yet no match",
                  dpugw_select_to_string (select));
      FUZZ_CHECK (g_utf8_validate (error->message, -1, NULL), "message not UTF-8");
      return;
    }
  FUZZ_CHECK (error == NULL, "error on success");
  FUZZ_CHECK (chosen[0] != NULL, "empty result");
  FUZZ_CHECK (selected_by != NULL && fuzz_strv_contains (rules, selected_by), "selected_by %s not a rule of %s",
              fuzz_show (selected_by), dpugw_select_to_string (select));
  /* In candidate order, each a candidate. */
  for (guint i = 0; chosen[i] != NULL; i++)
    {
      while (candidates[c] != NULL && strcmp (candidates[c], chosen[i]) != 0)
        c++;
      FUZZ_CHECK (candidates[c] != NULL, "%s is no candidate, or out of order", fuzz_show (chosen[i]));
      c++;
    }
  if (strcmp (selected_by, "first") == 0)
    FUZZ_CHECK (g_strv_length (chosen) == g_strv_length (candidates), "`first` matches every candidate");
  else
    FUZZ_CHECK (hint == NULL, "hint from rule %s", selected_by);
  FUZZ_CHECK (hint == NULL || g_utf8_validate (hint, -1, NULL), "hint not UTF-8");
}

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  fuzz_common_init ();
  make_tree ();
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DpugwSelect) select = NULL;
  g_auto(GStrv) candidates = NULL;
  const uint8_t *nl;
  char *rules_text, *rest;

  if (size > 4096)
    return -1;
  nl = memchr (data, '\n', size);
  rules_text = fuzz_strndup (data, nl != NULL ? (size_t) (nl - data) : size);
  rest = nl != NULL ? fuzz_strndup (nl + 1, size - (size_t) (nl + 1 - data)) : fuzz_strndup (data, 0);

  select = dpugw_select_parse (rules_text, &error);
  if (select == NULL)
    {
      FUZZ_CHECK (g_error_matches (error, DPUGW_ERROR, DPUGW_ERROR_INVALID_CONFIG), "parse: wrong error");
      FUZZ_CHECK (g_utf8_validate (error->message, -1, NULL), "parse: message not UTF-8: %s",
                  fuzz_show (error->message));
      goto out;
    }
  FUZZ_CHECK (error == NULL, "error on success");

  {
    const char *text = dpugw_select_to_string (select);
    g_autoptr(GError) error2 = NULL;
    g_autoptr(DpugwSelect) again = dpugw_select_parse (text, &error2);
    g_autoptr(DpugwSelect) ref = dpugw_select_ref (select);

    FUZZ_CHECK (ref == select, "ref");
    FUZZ_CHECK (text != NULL && *text != '\0', "empty normal form");
    FUZZ_CHECK (g_utf8_validate (text, -1, NULL), "normal form not UTF-8: %s", fuzz_show (text));
    FUZZ_CHECK (again != NULL, "normal form %s does not parse: %s", fuzz_show (text), error2->message);
    FUZZ_CHECK (strcmp (dpugw_select_to_string (again), text) == 0, "normal form not stable: %s -> %s",
                fuzz_show (text), fuzz_show (dpugw_select_to_string (again)));
    FUZZ_CHECK (dpugw_select_uses_operstate (select) == dpugw_select_uses_operstate (again), "operstate differs");
    {
      g_auto(GStrv) rules = g_strsplit (text, ",", 0);
      FUZZ_CHECK (dpugw_select_uses_operstate (select) == fuzz_strv_contains (rules, "up"),
                  "uses_operstate wrong for %s", fuzz_show (text));
    }
  }

  candidates = candidates_from (rest);
  check_apply (select, candidates);

out:
  free (rules_text);
  free (rest);
  return 0;
}
