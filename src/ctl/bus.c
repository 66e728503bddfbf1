/* SPDX-License-Identifier: Apache-2.0
 *
 * Talking to dpu-gatewayd: the connection, calls with their exit codes, and
 * the replies turned back into the library's types, so that the output is
 * printed by the same code as --local's.
 */
#include "ctl.h"
#include "dbus-names.h"
#include "json.h"

#define CALL_TIMEOUT_MSEC 25000

static const char *
bus_label (const CtlOptions *options)
{
  if (options->address != NULL)
    return options->address;
  return options->session ? "the session bus" : "the system bus";
}

GDBusConnection *
ctl_bus_connect (const CtlOptions *options, int *exit_code)
{
  g_autoptr(GError) error = NULL;
  GDBusConnection *connection;

  if (options->address != NULL)
    connection = g_dbus_connection_new_for_address_sync (options->address,
                                                         G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                                           G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                         NULL, NULL, &error);
  else
    connection = g_bus_get_sync (options->session ? G_BUS_TYPE_SESSION : G_BUS_TYPE_SYSTEM, NULL, &error);
  if (connection == NULL)
    {
      ctl_error ("cannot reach %s on %s: %s", DPUGW_DBUS_NAME, bus_label (options), error->message);
      *exit_code = CTL_EXIT_UNREACHABLE;
    }
  return connection;
}

/* Errors that mean the service is not there, as opposed to an answer of its. */
static gboolean
is_unreachable (const GError *error)
{
  return g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_SERVICE_UNKNOWN) ||
         g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_NAME_HAS_NO_OWNER) ||
         g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_NO_REPLY) ||
         g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_TIMEOUT) ||
         g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_TIMED_OUT) ||
         g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_DISCONNECTED) ||
         g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_SPAWN_FAILED) ||
         g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_SPAWN_EXEC_FAILED) ||
         g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_SPAWN_SERVICE_NOT_FOUND) ||
         g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CLOSED) ||
         g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
}

GVariant *
ctl_bus_call (GDBusConnection    *connection,
              const CtlOptions   *options,
              const char         *method,
              GVariant           *parameters,
              const GVariantType *reply_type,
              int                *exit_code)
{
  g_autoptr(GError) error = NULL;
  GVariant *reply;

  reply = g_dbus_connection_call_sync (connection, DPUGW_DBUS_NAME, DPUGW_DBUS_PATH, DPUGW_DBUS_INTERFACE,
                                       method, parameters, reply_type, G_DBUS_CALL_FLAGS_NONE,
                                       CALL_TIMEOUT_MSEC, NULL, &error);
  if (reply != NULL)
    return reply;

  if (is_unreachable (error))
    {
      g_dbus_error_strip_remote_error (error);
      ctl_error ("cannot reach %s on %s: %s", DPUGW_DBUS_NAME, bus_label (options), error->message);
      *exit_code = CTL_EXIT_UNREACHABLE;
      return NULL;
    }
  /* The service's own errors carry the library's message verbatim. */
  g_dbus_error_strip_remote_error (error);
  ctl_error ("%s", error->message);
  *exit_code = ctl_exit_code_for_error (error);
  return NULL;
}

static char *
lookup_string (GVariant *dict, const char *key)
{
  const char *value = NULL;

  if (!g_variant_lookup (dict, key, "&s", &value))
    value = "";
  return g_strdup (value);
}

static GStrv
lookup_strv (GVariant *dict, const char *key)
{
  g_autoptr(GVariant) value = g_variant_lookup_value (dict, key, G_VARIANT_TYPE_STRING_ARRAY);

  return value != NULL ? g_variant_dup_strv (value, NULL) : g_new0 (char *, 1);
}

static guint
lookup_uint (GVariant *dict, const char *key)
{
  guint32 value = 0;

  g_variant_lookup (dict, key, "u", &value);
  return value;
}

DpugwResolution *
ctl_resolution_from_variant (const char *interface, char **interfaces, GVariant *details, const char **source)
{
  DpugwResolution *r = g_new0 (DpugwResolution, 1);
  const char *sf, *hint, *node_ip;

  r->interface = g_strdup (interface);
  r->interfaces = g_strdupv (interfaces);
  r->selected_by = lookup_string (details, "selected-by");
  r->function_type = lookup_string (details, "function-type");
  if (g_variant_lookup (details, "sf", "&s", &sf))
    r->sf = g_strdup (sf);
  if (g_variant_lookup (details, "hint", "&s", &hint))
    r->hint = g_strdup (hint);
  if (g_variant_lookup (details, "node-ip", "&s", &node_ip))
    r->node_ip = g_strdup (node_ip);
  r->mgmt_port = lookup_string (details, "mgmt-port");
  r->vf_pci = lookup_string (details, "vf-pci");
  r->pf_pci = lookup_string (details, "pf-pci");
  r->candidates = lookup_strv (details, "candidates");
  {
    g_autofree char *beyond = lookup_string (details, "beyond-ovnkube");
    r->beyond = dpugw_beyond_from_string (beyond);
  }
  if (!g_variant_lookup (details, "source", "&s", source))
    *source = "";
  return r;
}

GPtrArray *
ctl_topology_from_variant (GVariant *pfs)
{
  GPtrArray *out = g_ptr_array_new_with_free_func ((GDestroyNotify) dpugw_pf_free);
  GVariantIter iter;
  GVariant *dict;

  g_variant_iter_init (&iter, pfs);
  while ((dict = g_variant_iter_next_value (&iter)) != NULL)
    {
      DpugwPf *pf = g_new0 (DpugwPf, 1);
      g_autoptr(GVariant) vfs = g_variant_lookup_value (dict, "vfs", G_VARIANT_TYPE ("aa{sv}"));
      const char *switch_id;

      pf->pci = lookup_string (dict, "pci");
      pf->netdevs = lookup_strv (dict, "netdevs");
      pf->driver = lookup_string (dict, "driver");
      pf->total_vfs = lookup_uint (dict, "total-vfs");
      pf->num_vfs = lookup_uint (dict, "num-vfs");
      if (g_variant_lookup (dict, "switch-id", "&s", &switch_id))
        pf->switch_id = g_strdup (switch_id);
      pf->vfs = g_ptr_array_new_with_free_func ((GDestroyNotify) dpugw_vf_free);
      if (vfs != NULL)
        {
          GVariantIter vf_iter;
          GVariant *vf_dict;

          g_variant_iter_init (&vf_iter, vfs);
          while ((vf_dict = g_variant_iter_next_value (&vf_iter)) != NULL)
            {
              DpugwVf *vf = g_new0 (DpugwVf, 1);
              vf->index = lookup_uint (vf_dict, "index");
              vf->pci = lookup_string (vf_dict, "pci");
              vf->netdevs = lookup_strv (vf_dict, "netdevs");
              g_ptr_array_add (pf->vfs, vf);
              g_variant_unref (vf_dict);
            }
        }
      g_ptr_array_add (out, pf);
      g_variant_unref (dict);
    }
  return out;
}

void
ctl_json_ovnkube_compatible (GString *out, const DpugwResolution *r)
{
  g_string_append_printf (out, ",\"ovnkube-compatible\":%s", r->beyond == 0 ? "true" : "false");
  if (r->beyond != 0)
    {
      g_autofree char *beyond = dpugw_beyond_to_string (r->beyond);
      dpugw_json_member_string (out, FALSE, "beyond-ovnkube", beyond);
    }
}
