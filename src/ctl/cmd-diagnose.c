/* SPDX-License-Identifier: Apache-2.0
 *
 * dpu-gatewayctl diagnose [MGMT_PORT]: every step from the management port to
 * the gateway interface as a checklist, stopping at the first broken one with
 * its cause and fix.  Asks dpu-gatewayd (Diagnose), or with --local runs the
 * library in this process; the output is the same.  Exit status: 0 when every
 * step is ok, 1 when one failed, 2 on bad usage, 3 when the service cannot be
 * reached.
 */
#include "ctl.h"
#include "json.h"

#include <stdio.h>
#include <string.h>

/* The value column; a longer value puts its path on a line of its own. */
#define VALUE_WIDTH_MAX 48
/* "[FAIL] " + the step column */
#define VALUE_INDENT "                    "

/* The service's reply, (aa{sv}), turned back into the library's steps. */
static GPtrArray *
diag_steps_from_reply (GVariant *reply)
{
  g_autoptr(GVariant) steps = NULL;

  g_variant_get (reply, "(@aa{sv})", &steps);
  return dpugw_diag_steps_from_variant (steps);
}

/* @text for a terminal: control characters become '?'. */
static char *
printable (const char *text)
{
  char *out = g_strdup (text != NULL ? text : "");

  for (char *p = out; *p != '\0'; p++)
    if ((guchar) *p < 0x20 || *p == 0x7f)
      *p = '?';
  return out;
}

static void
print_text (GPtrArray *steps)
{
  glong width = 0;

  /* Paths line up after the longest value that is not too long. */
  for (guint i = 0; i < steps->len; i++)
    {
      const DpugwDiagStep *step = g_ptr_array_index (steps, i);
      glong len = g_utf8_strlen (step->value, -1);

      if (*step->path != '\0' && len <= VALUE_WIDTH_MAX)
        width = MAX (width, len);
    }

  for (guint i = 0; i < steps->len; i++)
    {
      const DpugwDiagStep *step = g_ptr_array_index (steps, i);
      g_autoptr(GString) line = g_string_new (NULL);
      g_autofree char *id = printable (step->step);
      g_autofree char *value = printable (step->value);
      g_autofree char *path = printable (step->path);
      glong len = g_utf8_strlen (value, -1);

      g_string_append_printf (line, "%-6s %-12s %s", step->ok ? "[ok]" : "[FAIL]", id, value);
      if (*path != '\0')
        {
          if (len <= VALUE_WIDTH_MAX)
            {
              for (glong pad = len; pad < width; pad++)
                g_string_append_c (line, ' ');
              g_string_append_printf (line, "  %s", path);
            }
          else
            g_string_append_printf (line, "\n" VALUE_INDENT "%s", path);
        }
      printf ("%s\n", line->str);
      if (!step->ok)
        {
          g_autofree char *cause = printable (step->cause);
          g_autofree char *fix = printable (step->fix);

          printf ("       cause: %s\n", cause);
          printf ("       fix:   %s\n", fix);
        }
    }
}

static void
print_json (GPtrArray *steps)
{
  g_autoptr(GString) out = g_string_new ("{\"steps\":[");

  for (guint i = 0; i < steps->len; i++)
    {
      const DpugwDiagStep *step = g_ptr_array_index (steps, i);

      if (i > 0)
        g_string_append_c (out, ',');
      g_string_append_c (out, '{');
      dpugw_json_member_string (out, TRUE, "step", step->step);
      g_string_append_printf (out, ",\"ok\":%s", step->ok ? "true" : "false");
      dpugw_json_member_string (out, FALSE, "value", step->value);
      dpugw_json_member_string (out, FALSE, "path", step->path);
      if (!step->ok)
        {
          dpugw_json_member_string (out, FALSE, "cause", step->cause);
          dpugw_json_member_string (out, FALSE, "fix", step->fix);
        }
      g_string_append_c (out, '}');
    }
  g_string_append (out, "]}\n");
  fputs (out->str, stdout);
}

/* Prints @steps; the exit status they mean. */
static int
print_steps (const CtlOptions *options, GPtrArray *steps)
{
  if (options->json)
    print_json (steps);
  else
    print_text (steps);
  for (guint i = 0; i < steps->len; i++)
    if (!((const DpugwDiagStep *) g_ptr_array_index (steps, i))->ok)
      return CTL_EXIT_FAILED;
  return CTL_EXIT_OK;
}

static int
diagnose_local (const CtlOptions *options, const char *mgmt_port)
{
  g_autoptr(DpugwConfig) config = NULL;
  g_autoptr(DpugwSysfs) sysfs = NULL;
  g_autoptr(GPtrArray) steps = NULL;

  if (!ctl_load_local (options, &config, &sysfs))
    return CTL_EXIT_USAGE;
  steps = dpugw_diagnose (sysfs, config, mgmt_port);
  return print_steps (options, steps);
}

static int
diagnose_service (const CtlOptions *options, const char *mgmt_port)
{
  g_autoptr(GDBusConnection) connection = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GPtrArray) steps = NULL;
  int status = CTL_EXIT_OK;

  if (mgmt_port != NULL && !g_utf8_validate (mgmt_port, -1, NULL))
    {
      /* D-Bus carries UTF-8 only.  Such a name fails validation, the first
       * step, before anything is read: the library gives the service's answer. */
      g_autoptr(DpugwSysfs) sysfs = dpugw_sysfs_new ("/", NULL);

      g_assert (sysfs != NULL);
      steps = dpugw_diagnose (sysfs, NULL, mgmt_port);
      return print_steps (options, steps);
    }

  connection = ctl_bus_connect (options, &status);
  if (connection == NULL)
    return status;
  reply = ctl_bus_call (connection, options, "Diagnose", g_variant_new ("(s)", mgmt_port != NULL ? mgmt_port : ""),
                        G_VARIANT_TYPE ("(aa{sv})"), &status);
  if (reply == NULL)
    return status;
  steps = diag_steps_from_reply (reply);
  return print_steps (options, steps);
}

int
ctl_cmd_diagnose (int argc, char **argv)
{
  CtlOptions options = { 0 };
  int status;

  if (!ctl_parse_options (&options, "diagnose", "[MGMT_PORT]",
                          "Check every step from a management port (a netdev name or a VF PCI address; "
                          "without one, the configured management port) to the gateway interface, and say "
                          "what to do about the first one that fails.",
                          CTL_ACCEPTS_LOCAL | CTL_ACCEPTS_CONFIG | CTL_ACCEPTS_JSON, NULL, &argc, &argv))
    status = CTL_EXIT_USAGE;
  else if (argc > 2)
    {
      ctl_error ("diagnose takes at most one management port");
      status = CTL_EXIT_USAGE;
    }
  else if (options.local)
    status = diagnose_local (&options, argc == 2 ? argv[1] : NULL);
  else
    status = diagnose_service (&options, argc == 2 ? argv[1] : NULL);

  ctl_options_clear (&options);
  return status;
}
