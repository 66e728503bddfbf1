/* SPDX-License-Identifier: Apache-2.0
 *
 * dpu-gatewayctl resolve [MGMT_PORT]: the gateway interface, alone on stdout,
 * so that GW=$(dpu-gatewayctl resolve --local) works.
 */
#include "ctl.h"
#include "json.h"

#include <stdio.h>

static void
print_json (const DpugwResolution *r)
{
  g_autoptr(GString) out = g_string_new ("{");

  dpugw_json_member_string (out, TRUE, "interface", r->interface);
  dpugw_json_member_string (out, FALSE, "mgmt-port", r->mgmt_port);
  dpugw_json_member_string (out, FALSE, "vf-pci", r->vf_pci);
  dpugw_json_member_string (out, FALSE, "pf-pci", r->pf_pci);
  dpugw_json_member_strv (out, FALSE, "candidates", (const char * const *) r->candidates);
  dpugw_json_member_string (out, FALSE, "source", dpugw_source_to_string (r->source));
  g_string_append (out, "}\n");
  fputs (out->str, stdout);
}

int
ctl_cmd_resolve (int argc, char **argv)
{
  CtlOptions options = { 0 };
  g_autoptr(DpugwConfig) config = NULL;
  g_autoptr(DpugwSysfs) sysfs = NULL;
  g_autoptr(DpugwResolution) r = NULL;
  g_autoptr(GError) error = NULL;
  const char *mgmt_port = NULL;
  int status = CTL_EXIT_OK;

  if (!ctl_parse_options (&options, "resolve", "[MGMT_PORT]",
                          "Print the gateway interface derived from a management port: a netdev name "
                          "or a VF PCI address; without one, the configured management port.",
                          &argc, &argv))
    {
      status = CTL_EXIT_USAGE;
      goto out;
    }
  if (argc > 2)
    {
      ctl_error ("resolve takes at most one management port");
      status = CTL_EXIT_USAGE;
      goto out;
    }
  mgmt_port = argc == 2 ? argv[1] : NULL;

  if (!ctl_require_local (&options, &status))
    goto out;

  config = dpugw_config_options_load (&options.config, &error);
  if (config == NULL)
    {
      ctl_error ("%s", error->message);
      status = CTL_EXIT_USAGE;
      goto out;
    }
  for (guint i = 0; i < config->warnings->len; i++)
    ctl_error ("warning: %s", (const char *) g_ptr_array_index (config->warnings, i));

  sysfs = dpugw_sysfs_new (options.sysfs_root, &error);
  if (sysfs == NULL)
    {
      ctl_error ("%s", error->message);
      status = CTL_EXIT_USAGE;
      goto out;
    }

  r = dpugw_resolve (sysfs, config, mgmt_port, &error);
  if (r == NULL)
    {
      ctl_error ("%s", error->message);
      status = ctl_exit_code_for_error (error);
      goto out;
    }

  if (options.json)
    print_json (r);
  else
    printf ("%s\n", r->interface);

out:
  ctl_options_clear (&options);
  return status;
}
