/* SPDX-License-Identifier: Apache-2.0
 *
 * Gateway selection rules: which of the PF's netdevs is the gateway.
 */
#define G_LOG_DOMAIN "dpugw-select"

#include "dpu-gateway/dpugw-error.h"
#include "dpu-gateway/dpugw-names.h"
#include "dpu-gateway/dpugw-select.h"
#include "lib-private.h"

#include <string.h>

#define MAX_RULES 16
#define MAX_GLOB 64

typedef enum {
  RULE_FIRST,
  RULE_UPLINK,
  RULE_UP,
  RULE_NAME,
} RuleKind;

typedef struct {
  RuleKind kind;
  char *text;            /* as written, normalised */
  GPatternSpec *pattern; /* RULE_NAME */
} Rule;

struct _DpugwSelect
{
  Rule rules[MAX_RULES];
  guint n_rules;
  char *text;
};

static void
select_clear (DpugwSelect *select)
{
  for (guint i = 0; i < select->n_rules; i++)
    {
      g_free (select->rules[i].text);
      g_clear_pointer (&select->rules[i].pattern, g_pattern_spec_free);
    }
  g_free (select->text);
}

DpugwSelect *
dpugw_select_ref (DpugwSelect *select)
{
  return g_atomic_rc_box_acquire (select);
}

void
dpugw_select_unref (DpugwSelect *select)
{
  if (select != NULL)
    g_atomic_rc_box_release_full (select, (GDestroyNotify) select_clear);
}

static gboolean
glob_is_valid (const char *glob)
{
  gsize len = strlen (glob);

  if (len == 0 || len > MAX_GLOB)
    return FALSE;
  for (const char *p = glob; *p != '\0'; p++)
    if ((guchar) *p <= 0x20 || (guchar) *p >= 0x7f || *p == '/' || *p == ',')
      return FALSE;
  return TRUE;
}

DpugwSelect *
dpugw_select_parse (const char *text, GError **error)
{
  DpugwSelect *select = g_atomic_rc_box_new0 (DpugwSelect);
  g_auto(GStrv) items = g_strsplit (text != NULL && *text != '\0' ? text : DPUGW_SELECT_DEFAULT, ",", 0);
  g_autoptr(GString) normal = g_string_new (NULL);

  for (guint i = 0; items[i] != NULL; i++)
    {
      char *item = g_strstrip (items[i]);
      Rule *rule;

      if (select->n_rules == MAX_RULES)
        {
          g_set_error (error, DPUGW_ERROR, DPUGW_ERROR_INVALID_CONFIG,
                       "invalid gateway selection: more than %d rules", MAX_RULES);
          dpugw_select_unref (select);
          return NULL;
        }
      rule = &select->rules[select->n_rules];
      if (strcmp (item, "first") == 0)
        rule->kind = RULE_FIRST;
      else if (strcmp (item, "uplink") == 0)
        rule->kind = RULE_UPLINK;
      else if (strcmp (item, "up") == 0)
        rule->kind = RULE_UP;
      else if (g_str_has_prefix (item, "name=") && glob_is_valid (item + 5))
        {
          rule->kind = RULE_NAME;
          rule->pattern = g_pattern_spec_new (item + 5);
        }
      else
        {
          g_autofree char *q = dpugw_quote_untrusted (item);
          g_set_error (error, DPUGW_ERROR, DPUGW_ERROR_INVALID_CONFIG,
                       "invalid gateway selection rule %s: expected first, uplink, up or name=GLOB", q);
          dpugw_select_unref (select);
          return NULL;
        }
      rule->text = g_strdup (item);
      select->n_rules++;
      g_string_append_printf (normal, "%s%s", normal->len > 0 ? "," : "", item);
    }
  select->text = g_string_free (g_steal_pointer (&normal), FALSE);
  return select;
}

const char *
dpugw_select_to_string (const DpugwSelect *select)
{
  return select->text;
}

gboolean
dpugw_select_uses_operstate (const DpugwSelect *select)
{
  for (guint i = 0; i < select->n_rules; i++)
    if (select->rules[i].kind == RULE_UP)
      return TRUE;
  return FALSE;
}

/* A netdev attribute of the PF's netdev; NULL when absent or unreadable (EOPNOTSUPP: no switchdev). */
static char *
netdev_attr (DpugwSysfs *sysfs, const char *pf_pci, const char *netdev, const char *attr)
{
  g_autofree char *rel = g_strconcat ("bus/pci/devices/", pf_pci, "/net/", netdev, "/", attr, NULL);
  g_autofree char *value = dpugw_sysfs_read_attr (sysfs, rel, NULL);

  return value != NULL ? g_strdup (g_strstrip (value)) : NULL;
}

/* "a VF representor", for the hint. */
static const char *
representor_kind (LibPortKind kind)
{
  switch (kind)
    {
    case LIB_PORT_VF_REPRESENTOR:
      return "a VF representor";
    case LIB_PORT_SF_REPRESENTOR:
      return "an SF representor";
    case LIB_PORT_HOST_PF_REPRESENTOR:
      return "the host PF's representor";
    case LIB_PORT_PF_REPRESENTOR:
      return "a PF representor";
    case LIB_PORT_UPLINK:
    case LIB_PORT_OTHER:
      break;
    }
  return "a representor";
}

static gboolean
rule_matches (const Rule *rule, DpugwSysfs *sysfs, const char *pf_pci, const char *netdev)
{
  switch (rule->kind)
    {
    case RULE_FIRST:
      return TRUE;
    case RULE_UPLINK:
      {
        g_autofree char *port = netdev_attr (sysfs, pf_pci, netdev, "phys_port_name");
        return lib_port_kind (port) == LIB_PORT_UPLINK;
      }
    case RULE_UP:
      {
        g_autofree char *state = netdev_attr (sysfs, pf_pci, netdev, "operstate");
        return g_strcmp0 (state, "up") == 0;
      }
    case RULE_NAME:
      return g_pattern_spec_match_string (rule->pattern, netdev);
    }
  return FALSE;
}

GStrv
dpugw_select_apply (const DpugwSelect *select,
                    DpugwSysfs        *sysfs,
                    const char        *pf_pci,
                    char             **candidates,
                    char             **selected_by,
                    char             **hint,
                    GError           **error)
{
  *selected_by = NULL;
  *hint = NULL;

  for (guint r = 0; r < select->n_rules; r++)
    {
      const Rule *rule = &select->rules[r];
      GStrv matched;

      if (rule->kind == RULE_FIRST)
        {
          /* Every candidate matches: a copy of them all. */
          if (candidates[0] == NULL)
            continue;
          matched = g_strdupv (candidates);
        }
      else
        {
          g_autoptr(GPtrArray) found = g_ptr_array_new ();

          for (guint i = 0; candidates[i] != NULL; i++)
            if (rule_matches (rule, sysfs, pf_pci, candidates[i]))
              g_ptr_array_add (found, g_strdup (candidates[i]));
          if (found->len == 0)
            continue;
          g_ptr_array_add (found, NULL);
          matched = (GStrv) g_ptr_array_free (g_steal_pointer (&found), FALSE);
        }

      *selected_by = g_strdup (rule->text);
      if (rule->kind == RULE_FIRST)
        {
          g_autofree char *port = netdev_attr (sysfs, pf_pci, candidates[0], "phys_port_name");
          LibPortKind kind = lib_port_kind (port);

          if (lib_port_is_representor (kind))
            for (guint i = 0; candidates[i] != NULL && *hint == NULL; i++)
              {
                g_autofree char *other = netdev_attr (sysfs, pf_pci, candidates[i], "phys_port_name");
                if (lib_port_kind (other) == LIB_PORT_UPLINK)
                  *hint = g_strdup_printf ("%s looks like %s (phys_port_name %s); the PF's "
                                           "uplink is %s (phys_port_name %s): consider --gateway-select=uplink",
                                           candidates[0], representor_kind (kind), port, candidates[i], other);
              }
        }
      return matched;
    }

  {
    g_autofree char *list = g_strjoinv (", ", candidates);
    g_set_error (error, DPUGW_ERROR, DPUGW_ERROR_NO_MATCH,
                 "no netdev of PF %s matches the gateway selection rules %s (netdevs: %s)",
                 pf_pci, select->text, list);
  }
  return NULL;
}
