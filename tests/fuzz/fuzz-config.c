/* SPDX-License-Identifier: Apache-2.0
 *
 * The ovnkube INI reader (ini.c) and the configuration it feeds (config.c):
 * dpugw_config_load_data on the input as it is (its exact bytes, not
 * NUL-terminated: a read past the end is an ASan report), then, when it
 * loads, dpugw_config_copy and dpugw_config_finish with and without the
 * device plugin's variable.
 *
 * Checked: an error is DPUGW_ERROR_INVALID_CONFIG with a UTF-8 message that
 * starts with the origin; what loads satisfies the documented rules (a valid
 * netdev name, a valid resource name, valid selection rules); finish never
 * fails for anything but the documented reasons and sets what it documents.
 */
#include "fuzz-common.h"

#define ORIGIN "fuzz.conf"

static gboolean
resource_name_ok (const char *s)
{
  size_t len = strlen (s);

  if (len == 0 || len > 253)
    return FALSE;
  for (const char *p = s; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != '.' && *p != '/' && *p != '_' && *p != '-')
      return FALSE;
  return TRUE;
}

static void
check_loaded (const DpugwConfig *c)
{
  FUZZ_CHECK (c->mode == DPUGW_NODE_MODE_FULL || c->mode == DPUGW_NODE_MODE_DPU ||
              c->mode == DPUGW_NODE_MODE_DPU_HOST, "mode %d", (int) c->mode);
  FUZZ_CHECK (c->mgmt_port_netdev == NULL || dpugw_netdev_name_is_valid (c->mgmt_port_netdev),
              "mgmt-port-netdev %s accepted", fuzz_show (c->mgmt_port_netdev));
  FUZZ_CHECK (c->mgmt_port_dp_resource_name == NULL || resource_name_ok (c->mgmt_port_dp_resource_name),
              "resource %s accepted", fuzz_show (c->mgmt_port_dp_resource_name));
  FUZZ_CHECK (c->gateway_interface == NULL || strcmp (c->gateway_interface, DPUGW_DERIVE_FROM_MGMT_PORT) == 0 ||
              dpugw_netdev_name_is_valid (c->gateway_interface),
              "interface %s accepted", fuzz_show (c->gateway_interface));
  if (c->gateway_select != NULL)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(DpugwSelect) select = dpugw_select_parse (c->gateway_select, &error);
      FUZZ_CHECK (select != NULL, "select %s accepted, but does not parse: %s", fuzz_show (c->gateway_select),
                  error->message);
    }
  /* Empty values count as unset. */
  FUZZ_CHECK (c->mgmt_port_netdev == NULL || *c->mgmt_port_netdev != '\0', "empty netdev set");
  FUZZ_CHECK (c->gateway_select == NULL || *c->gateway_select != '\0', "empty select set");
}

static void
check_finish (DpugwConfig *c, const char * const *envp)
{
  g_autoptr(GError) error = NULL;
  gboolean ok = dpugw_config_finish (c, envp, &error);

  if (!ok)
    {
      FUZZ_CHECK (g_error_matches (error, DPUGW_ERROR, DPUGW_ERROR_INVALID_CONFIG), "finish: wrong error %s",
                  error != NULL ? error->message : "(none)");
      FUZZ_CHECK (g_utf8_validate (error->message, -1, NULL), "finish: message not UTF-8: %s",
                  fuzz_show (error->message));
      return;
    }
  FUZZ_CHECK (error == NULL, "error on success");
  FUZZ_CHECK (c->select != NULL, "no select after finish");
  FUZZ_CHECK (dpugw_select_to_string (c->select) != NULL, "select without text");
  switch (c->mgmt_source)
    {
    case DPUGW_MGMT_SOURCE_NONE:
      FUZZ_CHECK (c->mgmt_port_netdev == NULL, "netdev set, source none");
      break;
    case DPUGW_MGMT_SOURCE_NETDEV:
      FUZZ_CHECK (c->mgmt_port_netdev != NULL, "source netdev without netdev");
      break;
    case DPUGW_MGMT_SOURCE_DEVICE_PLUGIN:
      FUZZ_CHECK ((c->mgmt_port_vf_pci != NULL) != (c->mgmt_port_sf != NULL), "device plugin: vf xor sf");
      FUZZ_CHECK (c->mgmt_port_vf_pci == NULL || fuzz_is_pci_lower (c->mgmt_port_vf_pci), "vf %s",
                  fuzz_show (c->mgmt_port_vf_pci));
      FUZZ_CHECK (c->mgmt_port_sf == NULL || dpugw_auxiliary_name_is_valid (c->mgmt_port_sf), "sf %s",
                  fuzz_show (c->mgmt_port_sf));
      break;
    }
  FUZZ_CHECK ((c->mgmt_port_dp_resource_name != NULL) == (c->device_plugin_variable != NULL),
              "device plugin variable iff resource");
  if (g_strcmp0 (c->gateway_interface, DPUGW_DERIVE_FROM_MGMT_PORT) == 0)
    FUZZ_CHECK (c->mode == DPUGW_NODE_MODE_DPU_HOST && c->mgmt_source != DPUGW_MGMT_SOURCE_NONE,
                "derive-from-mgmt-port accepted without dpu-host and a management port");
  for (guint i = 0; i < c->warnings->len; i++)
    FUZZ_CHECK (g_utf8_validate (g_ptr_array_index (c->warnings, i), -1, NULL), "warning not UTF-8");

  /* A finished configuration finishes again to the same. */
  {
    g_autoptr(DpugwConfig) again = dpugw_config_copy (c);
    g_autoptr(GError) error2 = NULL;
    FUZZ_CHECK (dpugw_config_finish (again, envp, &error2), "second finish fails: %s", error2->message);
    FUZZ_CHECK (again->mgmt_source == c->mgmt_source &&
                g_strcmp0 (again->mgmt_port_vf_pci, c->mgmt_port_vf_pci) == 0 &&
                g_strcmp0 (again->mgmt_port_sf, c->mgmt_port_sf) == 0 &&
                g_strcmp0 (dpugw_select_to_string (again->select), dpugw_select_to_string (c->select)) == 0,
                "finish is not idempotent");
  }
}

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  fuzz_common_init ();
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr(DpugwConfig) config = dpugw_config_new ();
  g_autoptr(GError) error = NULL;
  gboolean ok;

  if (size > 64 * 1024)
    return -1;
  ok = dpugw_config_load_data (config, (const char *) data, size, ORIGIN, &error);
  if (!ok)
    {
      FUZZ_CHECK (g_error_matches (error, DPUGW_ERROR, DPUGW_ERROR_INVALID_CONFIG), "load: wrong error %s",
                  error != NULL ? error->message : "(none)");
      FUZZ_CHECK (g_utf8_validate (error->message, -1, NULL), "load: message not UTF-8: %s",
                  fuzz_show (error->message));
      FUZZ_CHECK (strstr (error->message, ORIGIN) != NULL, "load: message without origin: %s", error->message);
      return 0;
    }
  FUZZ_CHECK (error == NULL, "error on success");
  check_loaded (config);

  {
    g_autoptr(DpugwConfig) copy = dpugw_config_copy (config);
    g_autofree char *variable = NULL;
    g_autofree char *assignment = NULL;
    const char *no_env[] = { NULL };

    check_finish (copy, no_env);

    /* With the device plugin's variable set, when there is a resource name. */
    if (config->mgmt_port_dp_resource_name != NULL)
      {
        g_autoptr(DpugwConfig) with_env = dpugw_config_copy (config);
        variable = dpugw_device_plugin_variable (config->mgmt_port_dp_resource_name, NULL);
        FUZZ_CHECK (variable != NULL, "no variable for accepted resource %s",
                    fuzz_show (config->mgmt_port_dp_resource_name));
        assignment = g_strconcat (variable, "=0000:03:00.2,mlx5_core.sf.2", NULL);
        {
          const char *envp[] = { "PCIDEVICE_OTHER=0000:99:00.0", assignment, NULL };
          check_finish (with_env, envp);
        }
      }
  }
  return 0;
}
