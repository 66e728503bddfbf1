/* SPDX-License-Identifier: Apache-2.0
 *
 * The SR-IOV device plugin's side of the configuration (config.c):
 * dpugw_device_plugin_parse (PCIDEVICE_* values: "0000:01:02.3,0000:01:02.4",
 * SF pools' "mlx5_core.sf.2"), dpugw_device_plugin_variable (resource name ->
 * variable name), and dpugw_config_finish joining the two.
 *
 * Input: "RESOURCE\nVALUE" — the part before the first newline is the
 * resource name, the rest the variable's value.  Both functions also get the
 * whole input, and the value part alone.
 */
#include "fuzz-common.h"

static void
check_parse (const char *value)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) devices = dpugw_device_plugin_parse (value, &error);

  if (devices == NULL)
    {
      FUZZ_CHECK (g_error_matches (error, DPUGW_ERROR, DPUGW_ERROR_INVALID_CONFIG), "parse: wrong error");
      FUZZ_CHECK (g_utf8_validate (error->message, -1, NULL), "parse: message not UTF-8: %s",
                  fuzz_show (error->message));
      return;
    }
  FUZZ_CHECK (error == NULL, "error on success");
  FUZZ_CHECK (devices[0] != NULL, "parse of %s: empty list without an error", fuzz_show (value));
  for (guint i = 0; devices[i] != NULL; i++)
    {
      const char *d = devices[i];
      /* Only the first, ovnkube's management port, is checked; the others are items as split. */
      FUZZ_CHECK (*d != '\0' && !g_ascii_isspace (d[0]) && !g_ascii_isspace (d[strlen (d) - 1]) &&
                  strchr (d, ',') == NULL, "parse of %s gave item %s", fuzz_show (value), fuzz_show (d));
      if (i > 0)
        continue;
      FUZZ_CHECK (fuzz_is_pci_lower (d) || dpugw_auxiliary_name_is_valid (d), "parse of %s gave %s",
                  fuzz_show (value), fuzz_show (d));
      /* dpugw_config_finish tells the two apart by ':'. */
      FUZZ_CHECK ((strchr (d, ':') != NULL) == dpugw_pci_address_is_valid (d), "%s: ':' does not tell the kinds apart",
                  fuzz_show (d));
      /* Each item came from the value, as written apart from case and surrounding blanks. */
      FUZZ_CHECK (strlen (d) <= strlen (value), "item longer than the value");
    }
  /* Parsing the normalised list gives it back. */
  {
    g_autofree char *joined = g_strjoinv (",", devices);
    g_auto(GStrv) again = dpugw_device_plugin_parse (joined, NULL);
    FUZZ_CHECK (again != NULL && g_strv_equal ((const char * const *) again, (const char * const *) devices),
                "parse is not idempotent on %s", fuzz_show (joined));
  }
}

static void
check_variable (const char *resource)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *variable = dpugw_device_plugin_variable (resource, &error);

  if (variable == NULL)
    {
      FUZZ_CHECK (g_error_matches (error, DPUGW_ERROR, DPUGW_ERROR_INVALID_CONFIG), "variable: wrong error");
      FUZZ_CHECK (g_utf8_validate (error->message, -1, NULL), "variable: message not UTF-8: %s",
                  fuzz_show (error->message));
      return;
    }
  FUZZ_CHECK (g_str_has_prefix (variable, "PCIDEVICE_"), "variable %s", fuzz_show (variable));
  FUZZ_CHECK (strlen (variable) == strlen ("PCIDEVICE_") + strlen (resource), "variable %s for %s",
              fuzz_show (variable), fuzz_show (resource));
  /* An environment variable name: no '=', and upper case, digits, '_' and '-' as the device plugin makes them. */
  for (const char *p = variable; *p != '\0'; p++)
    FUZZ_CHECK (g_ascii_isupper (*p) || g_ascii_isdigit (*p) || *p == '_' || *p == '-',
                "variable %s has %c", fuzz_show (variable), *p);
}

static void
check_finish (const char *resource, const char *value)
{
  g_autoptr(DpugwConfig) config = dpugw_config_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *variable = dpugw_device_plugin_variable (resource, NULL);
  g_autofree char *assignment = NULL;
  gboolean ok;

  if (variable == NULL)
    return;
  config->mode = DPUGW_NODE_MODE_DPU_HOST;
  config->gateway_interface = g_strdup (DPUGW_DERIVE_FROM_MGMT_PORT);
  config->mgmt_port_dp_resource_name = g_strdup (resource);
  assignment = g_strconcat (variable, "=", value, NULL);
  {
    const char *envp[] = { "PATH=/usr/bin", assignment, NULL };
    ok = dpugw_config_finish (config, envp, &error);
  }
  if (!ok)
    {
      g_autoptr(GError) perror = NULL;
      g_auto(GStrv) devices = dpugw_device_plugin_parse (value, &perror);

      FUZZ_CHECK (g_error_matches (error, DPUGW_ERROR, DPUGW_ERROR_INVALID_CONFIG), "finish: wrong error");
      FUZZ_CHECK (g_utf8_validate (error->message, -1, NULL), "finish: message not UTF-8: %s",
                  fuzz_show (error->message));
      /* Only an unusable value (or none) makes it fail. */
      FUZZ_CHECK (devices == NULL || *value == '\0', "finish failed on %s, which parses: %s", fuzz_show (value),
                  error->message);
      return;
    }
  FUZZ_CHECK (config->mgmt_source == DPUGW_MGMT_SOURCE_DEVICE_PLUGIN, "source %d", (int) config->mgmt_source);
  FUZZ_CHECK (g_strcmp0 (config->device_plugin_variable, variable) == 0, "variable differs");
  FUZZ_CHECK ((config->mgmt_port_vf_pci != NULL) != (config->mgmt_port_sf != NULL), "vf xor sf");
  FUZZ_CHECK (config->mgmt_port_vf_pci == NULL || fuzz_is_pci_lower (config->mgmt_port_vf_pci), "vf %s",
              fuzz_show (config->mgmt_port_vf_pci));
  FUZZ_CHECK (config->mgmt_port_sf == NULL || dpugw_auxiliary_name_is_valid (config->mgmt_port_sf), "sf %s",
              fuzz_show (config->mgmt_port_sf));
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
  const uint8_t *nl;
  char *whole, *resource, *value;

  if (size > 4096)
    return -1;
  whole = fuzz_strndup (data, size);
  nl = memchr (data, '\n', size);
  resource = fuzz_strndup (data, nl != NULL ? (size_t) (nl - data) : size);
  value = nl != NULL ? fuzz_strndup (nl + 1, size - (size_t) (nl + 1 - data)) : fuzz_strndup (data, 0);

  check_parse (whole);
  check_parse (value);
  check_variable (whole);
  check_variable (resource);
  check_finish (resource, value);

  free (whole);
  free (resource);
  free (value);
  return 0;
}
