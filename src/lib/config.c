/* SPDX-License-Identifier: Apache-2.0
 *
 * The configuration, loaded from OVN-Kubernetes' three forms, with its names:
 *   flags        --ovnkube-node-mode= --ovnkube-node-mgmt-port-netdev=
 *                --ovnkube-node-mgmt-port-dp-resource-name= --gateway-interface= --node-ip=
 *   environment  OVNKUBE_NODE_MODE OVNKUBE_NODE_MGMT_PORT_NETDEV
 *                OVNKUBE_NODE_MGMT_PORT_DP_RESOURCE_NAME K8S_NODE_IP
 *   INI file     [OvnKubeNode] mode= mgmt-port-netdev= mgmt-port-dp-resource-name=
 *                [Gateway] interface=
 * Precedence: flag > environment > file > default.
 */
#define G_LOG_DOMAIN "dpugw-config"

#include "ini.h"

#include "dpu-gateway/dpugw-config.h"
#include "dpu-gateway/dpugw-error.h"
#include "dpu-gateway/dpugw-hostnet.h"
#include "dpu-gateway/dpugw-names.h"
#include "dpu-gateway/dpugw-resolver.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define RESOURCE_NAME_MAX 253
#define DPUGW_CONFIG_MAX_SIZE (1024 * 1024)

typedef enum {
  KEY_MODE,
  KEY_MGMT_PORT_NETDEV,
  KEY_MGMT_PORT_DP_RESOURCE_NAME,
  KEY_GATEWAY_INTERFACE,
  KEY_GATEWAY_SELECT,
  KEY_NODE_IP,
  N_KEYS
} ConfigKey;

/* Each key's name in the three forms, defined once. */
static const struct {
  const char *section;
  const char *ini_key;
  const char *env;
  const char *flag;
} keys[N_KEYS] = {
  [KEY_MODE] = { "ovnkubenode", "mode", DPUGW_ENV_NODE_MODE, "--ovnkube-node-mode" },
  [KEY_MGMT_PORT_NETDEV] = { "ovnkubenode", "mgmt-port-netdev", DPUGW_ENV_MGMT_PORT_NETDEV,
                             "--ovnkube-node-mgmt-port-netdev" },
  [KEY_MGMT_PORT_DP_RESOURCE_NAME] = { "ovnkubenode", "mgmt-port-dp-resource-name",
                                       DPUGW_ENV_MGMT_PORT_DP_RESOURCE_NAME,
                                       "--ovnkube-node-mgmt-port-dp-resource-name" },
  [KEY_GATEWAY_INTERFACE] = { "gateway", "interface", NULL, "--gateway-interface" },
  [KEY_GATEWAY_SELECT] = { "gateway", "select", NULL, "--gateway-select" },
  /* ovnkube reads the node IP from the Node object, not from its file. */
  [KEY_NODE_IP] = { NULL, NULL, DPUGW_ENV_NODE_IP, "--node-ip" },
};

const char *
dpugw_node_mode_to_string (DpugwNodeMode mode)
{
  switch (mode)
    {
    case DPUGW_NODE_MODE_FULL:
      return "full";
    case DPUGW_NODE_MODE_DPU:
      return "dpu";
    case DPUGW_NODE_MODE_DPU_HOST:
      return "dpu-host";
    }
  return "unknown";
}

DpugwConfig *
dpugw_config_new (void)
{
  DpugwConfig *config = g_new0 (DpugwConfig, 1);

  config->mode = DPUGW_NODE_MODE_FULL;
  config->mgmt_source = DPUGW_MGMT_SOURCE_NONE;
  config->warnings = g_ptr_array_new_with_free_func (g_free);
  return config;
}

void
dpugw_config_free (DpugwConfig *config)
{
  if (config == NULL)
    return;
  g_free (config->mgmt_port_netdev);
  g_free (config->mgmt_port_dp_resource_name);
  g_free (config->gateway_interface);
  g_free (config->gateway_select);
  g_free (config->node_ip);
  g_free (config->config_file);
  g_free (config->mgmt_port_vf_pci);
  g_free (config->mgmt_port_sf);
  g_clear_pointer (&config->select, dpugw_select_unref);
  g_free (config->device_plugin_variable);
  g_clear_pointer (&config->warnings, g_ptr_array_unref);
  g_free (config);
}

DpugwConfig *
dpugw_config_copy (const DpugwConfig *config)
{
  DpugwConfig *copy = dpugw_config_new ();

  copy->mode = config->mode;
  copy->mgmt_port_netdev = g_strdup (config->mgmt_port_netdev);
  copy->mgmt_port_dp_resource_name = g_strdup (config->mgmt_port_dp_resource_name);
  copy->gateway_interface = g_strdup (config->gateway_interface);
  copy->gateway_select = g_strdup (config->gateway_select);
  copy->node_ip = g_strdup (config->node_ip);
  copy->config_file = g_strdup (config->config_file);
  copy->mgmt_source = config->mgmt_source;
  copy->mgmt_port_vf_pci = g_strdup (config->mgmt_port_vf_pci);
  copy->mgmt_port_sf = g_strdup (config->mgmt_port_sf);
  copy->select = config->select != NULL ? dpugw_select_ref (config->select) : NULL;
  copy->device_plugin_variable = g_strdup (config->device_plugin_variable);
  for (guint i = 0; i < config->warnings->len; i++)
    g_ptr_array_add (copy->warnings, g_strdup (g_ptr_array_index (config->warnings, i)));
  return copy;
}

static gboolean
resource_name_is_valid (const char *name)
{
  gsize len = strnlen (name, RESOURCE_NAME_MAX + 1);

  if (len == 0 || len > RESOURCE_NAME_MAX)
    return FALSE;
  for (const char *p = name; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != '.' && *p != '/' && *p != '_' && *p != '-')
      return FALSE;
  return TRUE;
}

/* Sets @key from @value ("" leaves it unset), validating; @origin says where it came from. */
static gboolean
config_set (DpugwConfig *config, ConfigKey key, const char *value, const char *origin, GError **error)
{
  g_autofree char *q = NULL;
  g_autoptr(GError) local_error = NULL;

  if (value == NULL || *value == '\0')
    return TRUE;

  switch (key)
    {
    case KEY_MODE:
      if (strcmp (value, "full") == 0)
        config->mode = DPUGW_NODE_MODE_FULL;
      else if (strcmp (value, "dpu") == 0)
        config->mode = DPUGW_NODE_MODE_DPU;
      else if (strcmp (value, "dpu-host") == 0)
        config->mode = DPUGW_NODE_MODE_DPU_HOST;
      else
        {
          q = dpugw_quote_untrusted (value);
          g_set_error (error, DPUGW_ERROR, DPUGW_ERROR_INVALID_CONFIG,
                       "invalid node mode %s (from %s): expected full, dpu or dpu-host", q, origin);
          return FALSE;
        }
      return TRUE;

    case KEY_MGMT_PORT_NETDEV:
      if (!dpugw_netdev_name_validate (value, &local_error))
        {
          g_set_error (error, DPUGW_ERROR, DPUGW_ERROR_INVALID_CONFIG,
                       "invalid management port netdev (from %s): %s", origin, local_error->message);
          return FALSE;
        }
      g_free (config->mgmt_port_netdev);
      config->mgmt_port_netdev = g_strdup (value);
      return TRUE;

    case KEY_MGMT_PORT_DP_RESOURCE_NAME:
      if (!resource_name_is_valid (value))
        {
          q = dpugw_quote_untrusted (value);
          g_set_error (error, DPUGW_ERROR, DPUGW_ERROR_INVALID_CONFIG,
                       "invalid device plugin resource name %s (from %s): expected up to %d letters, "
                       "digits and . / _ -, like nvidia.com/mgmt_vf", q, origin, RESOURCE_NAME_MAX);
          return FALSE;
        }
      g_free (config->mgmt_port_dp_resource_name);
      config->mgmt_port_dp_resource_name = g_strdup (value);
      return TRUE;

    case KEY_GATEWAY_INTERFACE:
      if (strcmp (value, DPUGW_DERIVE_FROM_MGMT_PORT) != 0 &&
          !dpugw_netdev_name_validate (value, &local_error))
        {
          g_set_error (error, DPUGW_ERROR, DPUGW_ERROR_INVALID_CONFIG,
                       "invalid gateway interface (from %s): %s; expected a network device name or "
                       DPUGW_DERIVE_FROM_MGMT_PORT, origin, local_error->message);
          return FALSE;
        }
      g_free (config->gateway_interface);
      config->gateway_interface = g_strdup (value);
      return TRUE;

    case KEY_GATEWAY_SELECT:
      {
        g_autoptr(DpugwSelect) select = dpugw_select_parse (value, &local_error);
        if (select == NULL)
          {
            g_set_error (error, DPUGW_ERROR, DPUGW_ERROR_INVALID_CONFIG, "%s (from %s)",
                         local_error->message, origin);
            return FALSE;
          }
        g_free (config->gateway_select);
        config->gateway_select = g_strdup (value);
        return TRUE;
      }

    case KEY_NODE_IP:
      {
        g_autoptr(GInetAddress) address = dpugw_node_ip_parse (value, &local_error);
        if (address == NULL)
          {
            g_set_error (error, DPUGW_ERROR, DPUGW_ERROR_INVALID_CONFIG, "%s (from %s)", local_error->message, origin);
            return FALSE;
          }
        g_free (config->node_ip);
        config->node_ip = g_strdup (value);
        return TRUE;
      }

    case N_KEYS:
      break;
    }
  g_assert_not_reached ();
}

typedef struct {
  DpugwConfig *config;
  const char *origin;
} IniContext;

static gboolean
ini_entry (const char *section, const char *key, const char *value, guint lineno,
           gpointer user_data, GError **error)
{
  IniContext *ctx = user_data;

  /* Real ovnkube files carry many other sections and keys: those are not ours. */
  for (guint k = 0; k < N_KEYS; k++)
    if (keys[k].section != NULL && strcmp (section, keys[k].section) == 0 && strcmp (key, keys[k].ini_key) == 0)
      {
        g_autofree char *origin = g_strdup_printf ("%s:%u", ctx->origin, lineno);
        return config_set (ctx->config, k, value, origin, error);
      }
  return TRUE;
}

gboolean
dpugw_config_load_data (DpugwConfig *config, const char *data, gsize length,
                        const char *origin, GError **error)
{
  IniContext ctx = { config, origin != NULL ? origin : "configuration" };

  return ini_parse_text (data, length, ctx.origin, ini_entry, &ctx, error);
}

gboolean
dpugw_config_load_file (DpugwConfig *config, const char *path, GError **error)
{
  g_autofree char *data = NULL;
  struct stat st;
  gsize length = 0;
  int fd;

  /* A regular file of bounded size: not a FIFO, a device or /dev/zero. */
  fd = open (path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  if (fd < 0)
    {
      int errsv = errno;
      g_set_error (error, DPUGW_ERROR, DPUGW_ERROR_INVALID_CONFIG,
                   "cannot read configuration file: %s: %s", path, g_strerror (errsv));
      return FALSE;
    }
  if (fstat (fd, &st) < 0 || !S_ISREG (st.st_mode) || st.st_size > DPUGW_CONFIG_MAX_SIZE)
    {
      g_set_error (error, DPUGW_ERROR, DPUGW_ERROR_INVALID_CONFIG,
                   "cannot read configuration file: %s: not a regular file of at most %d bytes",
                   path, DPUGW_CONFIG_MAX_SIZE);
      close (fd);
      return FALSE;
    }
  data = g_malloc ((gsize) st.st_size + 1);
  while (length < (gsize) st.st_size)
    {
      ssize_t n = read (fd, data + length, (gsize) st.st_size - length);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int errsv = errno;
          g_set_error (error, DPUGW_ERROR, DPUGW_ERROR_INVALID_CONFIG,
                       "cannot read configuration file: %s: %s", path, g_strerror (errsv));
          close (fd);
          return FALSE;
        }
      if (n == 0)
        break;
      length += (gsize) n;
    }
  close (fd);

  if (!dpugw_config_load_data (config, data, length, path, error))
    return FALSE;
  g_free (config->config_file);
  config->config_file = g_strdup (path);
  return TRUE;
}

gboolean
dpugw_config_load_environ (DpugwConfig *config, const char * const *envp, GError **error)
{
  for (guint k = 0; k < N_KEYS; k++)
    {
      const char *value;

      if (keys[k].env == NULL)
        continue;
      value = g_environ_getenv ((char **) envp, keys[k].env);
      if (!config_set (config, k, value, keys[k].env, error))
        return FALSE;
    }
  return TRUE;
}

gboolean
dpugw_config_apply_flags (DpugwConfig *config, const DpugwConfigFlags *flags, GError **error)
{
  const char *values[N_KEYS];

  if (flags == NULL)
    return TRUE;
  values[KEY_MODE] = flags->mode;
  values[KEY_MGMT_PORT_NETDEV] = flags->mgmt_port_netdev;
  values[KEY_MGMT_PORT_DP_RESOURCE_NAME] = flags->mgmt_port_dp_resource_name;
  values[KEY_GATEWAY_INTERFACE] = flags->gateway_interface;
  values[KEY_GATEWAY_SELECT] = flags->gateway_select;
  values[KEY_NODE_IP] = flags->node_ip;
  for (guint k = 0; k < N_KEYS; k++)
    if (!config_set (config, k, values[k], keys[k].flag, error))
      return FALSE;
  return TRUE;
}

char *
dpugw_device_plugin_variable (const char *resource_name, GError **error)
{
  GString *name;

  if (resource_name == NULL || !resource_name_is_valid (resource_name))
    {
      g_autofree char *q = dpugw_quote_untrusted (resource_name);
      g_set_error (error, DPUGW_ERROR, DPUGW_ERROR_INVALID_CONFIG,
                   "invalid device plugin resource name %s", q);
      return NULL;
    }
  name = g_string_new ("PCIDEVICE_");
  for (const char *p = resource_name; *p != '\0'; p++)
    g_string_append_c (name, (*p == '.' || *p == '/') ? '_' : g_ascii_toupper (*p));
  return g_string_free (name, FALSE);
}

GStrv
dpugw_device_plugin_parse (const char *value, GError **error)
{
  g_auto(GStrv) items = NULL;
  g_autoptr(GStrvBuilder) out = g_strv_builder_new ();
  guint n = 0;

  if (value == NULL)
    value = "";
  items = g_strsplit (value, ",", 0);
  for (guint i = 0; items[i] != NULL; i++)
    {
      g_autofree char *addr = NULL;
      g_autoptr(GError) local_error = NULL;
      char *item = g_strstrip (items[i]);

      if (*item == '\0')
        continue;
      if (dpugw_auxiliary_name_is_valid (item))
        {
          g_strv_builder_add (out, item);
          n++;
          continue;
        }
      addr = dpugw_pci_address_normalize (item, &local_error);
      if (addr == NULL)
        {
          g_set_error (error, DPUGW_ERROR, DPUGW_ERROR_INVALID_CONFIG,
                       "device plugin device list: %s", local_error->message);
          return NULL;
        }
      g_strv_builder_add (out, addr);
      n++;
    }
  if (n == 0)
    {
      g_set_error_literal (error, DPUGW_ERROR, DPUGW_ERROR_INVALID_CONFIG,
                           "device plugin device list is empty");
      return NULL;
    }
  return g_strv_builder_end (out);
}

/* Fields an embedder set by hand get the checks the three forms get. */
static gboolean
config_validate_fields (DpugwConfig *config, GError **error)
{
  g_autofree char *netdev = g_steal_pointer (&config->mgmt_port_netdev);
  g_autofree char *resource = g_steal_pointer (&config->mgmt_port_dp_resource_name);
  g_autofree char *interface = g_steal_pointer (&config->gateway_interface);
  g_autofree char *select = g_steal_pointer (&config->gateway_select);
  g_autofree char *node_ip = g_steal_pointer (&config->node_ip);

  if (config->mode != DPUGW_NODE_MODE_FULL && config->mode != DPUGW_NODE_MODE_DPU &&
      config->mode != DPUGW_NODE_MODE_DPU_HOST)
    {
      g_set_error (error, DPUGW_ERROR, DPUGW_ERROR_INVALID_CONFIG, "invalid node mode %d", (int) config->mode);
      return FALSE;
    }
  return config_set (config, KEY_MGMT_PORT_NETDEV, netdev, "the configuration", error) &&
         config_set (config, KEY_MGMT_PORT_DP_RESOURCE_NAME, resource, "the configuration", error) &&
         config_set (config, KEY_GATEWAY_INTERFACE, interface, "the configuration", error) &&
         config_set (config, KEY_GATEWAY_SELECT, select, "the configuration", error) &&
         config_set (config, KEY_NODE_IP, node_ip, "the configuration", error);
}

gboolean
dpugw_config_finish (DpugwConfig *config, const char * const *envp, GError **error)
{
  gboolean derive;

  if (!config_validate_fields (config, error))
    return FALSE;
  derive = g_strcmp0 (config->gateway_interface, DPUGW_DERIVE_FROM_MGMT_PORT) == 0;

  config->mgmt_source = config->mgmt_port_netdev != NULL ? DPUGW_MGMT_SOURCE_NETDEV
                                                         : DPUGW_MGMT_SOURCE_NONE;
  g_clear_pointer (&config->mgmt_port_vf_pci, g_free);
  g_clear_pointer (&config->mgmt_port_sf, g_free);
  g_clear_pointer (&config->device_plugin_variable, g_free);
  g_clear_pointer (&config->select, dpugw_select_unref);
  g_ptr_array_set_size (config->warnings, 0);

  config->select = dpugw_select_parse (config->gateway_select, error);
  if (config->select == NULL)
    return FALSE;

  /* The device plugin's resource takes priority over the netdev name. */
  if (config->mgmt_port_dp_resource_name != NULL)
    {
      const char *value;

      config->device_plugin_variable = dpugw_device_plugin_variable (config->mgmt_port_dp_resource_name, error);
      if (config->device_plugin_variable == NULL)
        return FALSE;
      value = g_environ_getenv ((char **) envp, config->device_plugin_variable);
      if (value != NULL && *value != '\0')
        {
          g_auto(GStrv) devices = dpugw_device_plugin_parse (value, error);
          if (devices == NULL)
            {
              g_prefix_error (error, "%s: ", config->device_plugin_variable);
              return FALSE;
            }
          if (strchr (devices[0], ':') != NULL)
            config->mgmt_port_vf_pci = g_strdup (devices[0]);
          else
            config->mgmt_port_sf = g_strdup (devices[0]);
          config->mgmt_source = DPUGW_MGMT_SOURCE_DEVICE_PLUGIN;
        }
      else if (config->mgmt_port_netdev != NULL)
        g_ptr_array_add (config->warnings,
                         g_strdup_printf ("device plugin resource %s: %s is not set; "
                                          "falling back to management port netdev %s",
                                          config->mgmt_port_dp_resource_name,
                                          config->device_plugin_variable,
                                          config->mgmt_port_netdev));
      else
        g_ptr_array_add (config->warnings,
                         g_strdup_printf ("device plugin resource %s: %s is not set, "
                                          "and no management port netdev is configured",
                                          config->mgmt_port_dp_resource_name,
                                          config->device_plugin_variable));
    }

  if (derive && config->mode != DPUGW_NODE_MODE_DPU_HOST)
    {
      g_set_error (error, DPUGW_ERROR, DPUGW_ERROR_INVALID_CONFIG,
                   "--gateway-interface=" DPUGW_DERIVE_FROM_MGMT_PORT
                   " is only valid with --ovnkube-node-mode=dpu-host (the mode is %s)",
                   dpugw_node_mode_to_string (config->mode));
      return FALSE;
    }
  if (derive && config->mgmt_source == DPUGW_MGMT_SOURCE_NONE)
    {
      if (config->device_plugin_variable != NULL)
        g_set_error (error, DPUGW_ERROR, DPUGW_ERROR_INVALID_CONFIG,
                     "--gateway-interface=" DPUGW_DERIVE_FROM_MGMT_PORT " needs a management port: "
                     "the device plugin variable %s is not set and no "
                     "--ovnkube-node-mgmt-port-netdev is configured",
                     config->device_plugin_variable);
      else
        g_set_error_literal (error, DPUGW_ERROR, DPUGW_ERROR_INVALID_CONFIG,
                             "--gateway-interface=" DPUGW_DERIVE_FROM_MGMT_PORT " needs a management port: "
                             "set --ovnkube-node-mgmt-port-netdev or "
                             "--ovnkube-node-mgmt-port-dp-resource-name");
      return FALSE;
    }
  if (config->node_ip != NULL && dpugw_config_gateway_rule (config) != DPUGW_GATEWAY_RULE_NODE_IP)
    g_ptr_array_add (config->warnings,
                     g_strdup_printf ("node IP %s: not used, as the gateway interface is %s", config->node_ip,
                                      config->gateway_interface != NULL ? "configured"
                                                                        : "the default route's outside dpu-host mode"));
  return TRUE;
}

DpugwConfig *
dpugw_config_load (const DpugwConfigFlags *flags,
                   const char * const     *envp,
                   const char             *default_file,
                   GError                **error)
{
  g_autoptr(DpugwConfig) config = dpugw_config_new ();
  const char *file = flags != NULL ? flags->config_file : NULL;

  if (file == NULL && default_file != NULL && g_file_test (default_file, G_FILE_TEST_EXISTS))
    file = default_file;
  if (file != NULL && *file != '\0' && !dpugw_config_load_file (config, file, error))
    return NULL;
  if (!dpugw_config_load_environ (config, envp, error))
    return NULL;
  if (!dpugw_config_apply_flags (config, flags, error))
    return NULL;
  if (!dpugw_config_finish (config, envp, error))
    return NULL;
  return g_steal_pointer (&config);
}
