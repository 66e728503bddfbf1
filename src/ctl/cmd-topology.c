/* SPDX-License-Identifier: Apache-2.0
 *
 * dpu-gatewayctl topology: every SR-IOV PF with its netdevs and VFs.
 */
#include "ctl.h"
#include "json.h"

#include <stdio.h>

/* @generation: the service's, NULL with --local. */
static void
print_json (GPtrArray *pfs, const guint64 *generation)
{
  g_autoptr(GString) out = g_string_new ("{");

  if (generation != NULL)
    g_string_append_printf (out, "\"generation\":%" G_GUINT64_FORMAT ",", *generation);
  g_string_append (out, "\"pfs\":[");

  for (guint i = 0; i < pfs->len; i++)
    {
      const DpugwPf *pf = g_ptr_array_index (pfs, i);

      if (i > 0)
        g_string_append_c (out, ',');
      g_string_append_c (out, '{');
      dpugw_json_member_string (out, TRUE, "pci", pf->pci);
      dpugw_json_member_strv (out, FALSE, "netdevs", (const char * const *) pf->netdevs);
      dpugw_json_member_string (out, FALSE, "driver", pf->driver);
      dpugw_json_member_uint (out, FALSE, "total-vfs", pf->total_vfs);
      dpugw_json_member_uint (out, FALSE, "num-vfs", pf->num_vfs);
      if (pf->switch_id != NULL)
        dpugw_json_member_string (out, FALSE, "switch-id", pf->switch_id);
      g_string_append (out, ",\"vfs\":[");
      for (guint j = 0; j < pf->vfs->len; j++)
        {
          const DpugwVf *vf = g_ptr_array_index (pf->vfs, j);

          if (j > 0)
            g_string_append_c (out, ',');
          g_string_append_c (out, '{');
          dpugw_json_member_uint (out, TRUE, "index", vf->index);
          dpugw_json_member_string (out, FALSE, "pci", vf->pci);
          dpugw_json_member_strv (out, FALSE, "netdevs", (const char * const *) vf->netdevs);
          g_string_append_c (out, '}');
        }
      g_string_append (out, "]}");
    }
  g_string_append (out, "]}\n");
  fputs (out->str, stdout);
}

static char *
join_or_dash (char **names)
{
  return names != NULL && names[0] != NULL ? g_strjoinv (",", names) : g_strdup ("-");
}

static void
print_text (GPtrArray *pfs)
{
  if (pfs->len == 0)
    printf ("no SR-IOV physical functions\n");
  for (guint i = 0; i < pfs->len; i++)
    {
      const DpugwPf *pf = g_ptr_array_index (pfs, i);
      g_autofree char *netdevs = join_or_dash (pf->netdevs);

      printf ("PF %s  netdevs %s  driver %s  VFs %u/%u%s%s\n", pf->pci, netdevs,
              *pf->driver != '\0' ? pf->driver : "-", pf->num_vfs, pf->total_vfs,
              pf->switch_id != NULL ? "  switch-id " : "",
              pf->switch_id != NULL ? pf->switch_id : "");
      for (guint j = 0; j < pf->vfs->len; j++)
        {
          const DpugwVf *vf = g_ptr_array_index (pf->vfs, j);
          g_autofree char *vf_netdevs = join_or_dash (vf->netdevs);
          printf ("  vf%-4u %s  %s\n", vf->index, vf->pci, vf_netdevs);
        }
    }
}

static int
topology_local (const CtlOptions *options)
{
  g_autoptr(DpugwSysfs) sysfs = NULL;
  g_autoptr(GPtrArray) pfs = NULL;
  g_autoptr(GError) error = NULL;

  if (!ctl_load_local (options, NULL, &sysfs))
    return CTL_EXIT_USAGE;
  pfs = dpugw_topology_scan (sysfs, &error);
  if (pfs == NULL)
    {
      ctl_error ("%s", error->message);
      return CTL_EXIT_FAILED;
    }
  if (options->json)
    print_json (pfs, NULL);
  else
    print_text (pfs);
  return CTL_EXIT_OK;
}

static int
topology_service (const CtlOptions *options)
{
  g_autoptr(GDBusConnection) connection = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) pfs_variant = NULL;
  g_autoptr(GPtrArray) pfs = NULL;
  guint64 generation;
  int status = CTL_EXIT_OK;

  connection = ctl_bus_connect (options, &status);
  if (connection == NULL)
    return status;
  reply = ctl_bus_call (connection, options, "GetTopology", NULL, G_VARIANT_TYPE ("(taa{sv})"), &status);
  if (reply == NULL)
    return status;
  g_variant_get (reply, "(t@aa{sv})", &generation, &pfs_variant);
  pfs = ctl_topology_from_variant (pfs_variant);
  if (options->json)
    print_json (pfs, &generation);
  else
    print_text (pfs);
  return CTL_EXIT_OK;
}

int
ctl_cmd_topology (int argc, char **argv)
{
  CtlOptions options = { 0 };
  int status;

  if (!ctl_parse_options (&options, "topology", NULL,
                          "List every SR-IOV physical function with its netdevs and virtual functions.",
                          CTL_ACCEPTS_LOCAL | CTL_ACCEPTS_JSON, NULL, &argc, &argv))
    status = CTL_EXIT_USAGE;
  else if (argc > 1)
    {
      ctl_error ("topology takes no arguments");
      status = CTL_EXIT_USAGE;
    }
  else if (options.local)
    status = topology_local (&options);
  else
    status = topology_service (&options);

  ctl_options_clear (&options);
  return status;
}
