/* SPDX-License-Identifier: Apache-2.0
 *
 * The configuration, loaded from OVN-Kubernetes' three forms, with its names:
 *   flags        --ovnkube-node-mode= --ovnkube-node-mgmt-port-netdev=
 *                --ovnkube-node-mgmt-port-dp-resource-name= --gateway-interface= --node-ip=
 *   environment  OVNKUBE_NODE_MODE OVNKUBE_NODE_MGMT_PORT_NETDEV
 *                OVNKUBE_NODE_MGMT_PORT_DP_RESOURCE_NAME, and --gateway-interface in
 *                OVN_GATEWAY_OPTS (what ovnkube.sh turns into flags, the way it does)
 *   INI file     [OvnKubeNode] mode= mgmt-port-netdev= mgmt-port-dp-resource-name=
 *                [Gateway] interface=
 * Precedence: flag > environment > file > default, where an empty flag or variable, or one equal
 * to the default, overrides nothing (ovnkube's overrideFields).
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

/* config.go's texts. */
#define MSG_MGMT_PORT_EITHER "ovnkube-node-mgmt-port-netdev or ovnkube-node-mgmt-port-dp-resource-name"
#define MSG_MGMT_PORT_MUST_NOT MSG_MGMT_PORT_EITHER " must not be provided"
#define MSG_MGMT_PORT_MUST MSG_MGMT_PORT_EITHER " must be provided"
#define MSG_MGMT_PORT_BOTH \
  "ovnkube-node-mgmt-port-netdev (%s) and ovnkube-node-mgmt-port-dp-resource-name (%s) both specified. " \
  "The provided netdev in ovnkube-node-mgmt-port-netdev will be overriden by a netdev chosen by the " \
  "resource provided by ovnkube-node-mgmt-port-dp-resource-name."

typedef enum {
  KEY_MODE,
  KEY_MGMT_PORT_NETDEV,
  KEY_MGMT_PORT_DP_RESOURCE_NAME,
  KEY_GATEWAY_INTERFACE,
  KEY_GATEWAY_SELECT,
  KEY_NODE_IP,
  N_KEYS
} ConfigKey;

typedef enum {
  LAYER_FILE,
  LAYER_ENV,
  LAYER_FLAG,
} Layer;

/* Each key's name in the three forms and its default, defined once. */
static const struct {
  const char *section;
  const char *ini_key;
  const char *env;
  const char *flag;
  const char *default_value;  /* a flag or variable with this value overrides nothing */
} keys[N_KEYS] = {
  [KEY_MODE] = { "OvnKubeNode", "mode", DPUGW_ENV_NODE_MODE, "--ovnkube-node-mode", "full" },
  [KEY_MGMT_PORT_NETDEV] = { "OvnKubeNode", "mgmt-port-netdev", DPUGW_ENV_MGMT_PORT_NETDEV,
                             "--ovnkube-node-mgmt-port-netdev", NULL },
  [KEY_MGMT_PORT_DP_RESOURCE_NAME] = { "OvnKubeNode", "mgmt-port-dp-resource-name",
                                       DPUGW_ENV_MGMT_PORT_DP_RESOURCE_NAME,
                                       "--ovnkube-node-mgmt-port-dp-resource-name", NULL },
  [KEY_GATEWAY_INTERFACE] = { "Gateway", "interface", DPUGW_ENV_GATEWAY_OPTS, "--gateway-interface", NULL },
  [KEY_GATEWAY_SELECT] = { "Gateway", "select", NULL, "--gateway-select", NULL },
  /* ovnkube reads the node IP from the Node object, not from its file. */
  [KEY_NODE_IP] = { NULL, NULL, DPUGW_ENV_NODE_IP, "--node-ip", NULL },
};

/* The sections of ovnkube's configuration (config.go's config struct; no gcfg tags, no '_'). */
static const char *const ovnk_sections[] = {
  "default", "logging", "monitoring", "ipfix", "cni", "ovnkubernetesfeature", "kubernetes", "metrics",
  "ovnnorth", "ovnsouth", "gateway", "masterha", "clustermgrha", "hybridoverlay", "ovnkubenode",
  "clustermanager",
};

/* ovnkube's variables in the two sections read here, besides ours (config.go's gcfg tags); any
 * other is a variable gcfg warns of.  The other sections' variables are ovnkube's business. */
static const char *const ovnk_gateway_variables[] = {
  "mode", "interface", "egw-interface", "next-hop", "vlan-id", "nodeport", "disable-snat-multiple-gws",
  "v4-join-subnet", "v6-join-subnet", "v4-masquerade-subnet", "v6-masquerade-subnet",
  "disable-pkt-mtu-check", "router-subnet", "single-node", "disable-forwarding", "allow-no-uplink",
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
  config->load_warnings = g_ptr_array_new_with_free_func (g_free);
  config->listen = g_ptr_array_new_with_free_func (g_free);
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
  g_free (config->mode_origin);
  g_free (config->mgmt_port_netdev_origin);
  g_free (config->mgmt_port_dp_resource_name_origin);
  g_free (config->gateway_interface_origin);
  g_free (config->gateway_select_origin);
  g_free (config->node_ip_origin);
  g_clear_pointer (&config->load_warnings, g_ptr_array_unref);
  g_clear_pointer (&config->listen, g_ptr_array_unref);
  g_free (config->mgmt_port_vf_pci);
  g_free (config->mgmt_port_sf);
  g_clear_pointer (&config->select, dpugw_select_unref);
  g_free (config->device_plugin_variable);
  g_clear_pointer (&config->warnings, g_ptr_array_unref);
  g_free (config);
}

static void
copy_strings (GPtrArray *to, const GPtrArray *from)
{
  for (guint i = 0; from != NULL && i < from->len; i++)
    g_ptr_array_add (to, g_strdup (g_ptr_array_index (from, i)));
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
  copy->mode_origin = g_strdup (config->mode_origin);
  copy->mgmt_port_netdev_origin = g_strdup (config->mgmt_port_netdev_origin);
  copy->mgmt_port_dp_resource_name_origin = g_strdup (config->mgmt_port_dp_resource_name_origin);
  copy->gateway_interface_origin = g_strdup (config->gateway_interface_origin);
  copy->gateway_select_origin = g_strdup (config->gateway_select_origin);
  copy->node_ip_origin = g_strdup (config->node_ip_origin);
  copy_strings (copy->load_warnings, config->load_warnings);
  copy_strings (copy->listen, config->listen);
  copy->mgmt_source = config->mgmt_source;
  copy->mgmt_port_vf_pci = g_strdup (config->mgmt_port_vf_pci);
  copy->mgmt_port_sf = g_strdup (config->mgmt_port_sf);
  copy->select = config->select != NULL ? dpugw_select_ref (config->select) : NULL;
  copy->device_plugin_variable = g_strdup (config->device_plugin_variable);
  copy_strings (copy->warnings, config->warnings);
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

static char **
value_field (DpugwConfig *config, ConfigKey key)
{
  switch (key)
    {
    case KEY_MGMT_PORT_NETDEV:
      return &config->mgmt_port_netdev;
    case KEY_MGMT_PORT_DP_RESOURCE_NAME:
      return &config->mgmt_port_dp_resource_name;
    case KEY_GATEWAY_INTERFACE:
      return &config->gateway_interface;
    case KEY_GATEWAY_SELECT:
      return &config->gateway_select;
    case KEY_NODE_IP:
      return &config->node_ip;
    case KEY_MODE:
    case N_KEYS:
      break;
    }
  g_assert_not_reached ();
}

static char **
origin_field (DpugwConfig *config, ConfigKey key)
{
  switch (key)
    {
    case KEY_MODE:
      return &config->mode_origin;
    case KEY_MGMT_PORT_NETDEV:
      return &config->mgmt_port_netdev_origin;
    case KEY_MGMT_PORT_DP_RESOURCE_NAME:
      return &config->mgmt_port_dp_resource_name_origin;
    case KEY_GATEWAY_INTERFACE:
      return &config->gateway_interface_origin;
    case KEY_GATEWAY_SELECT:
      return &config->gateway_select_origin;
    case KEY_NODE_IP:
      return &config->node_ip_origin;
    case N_KEYS:
      break;
    }
  g_assert_not_reached ();
}

/* Where a value came from, for a message. */
static const char *
origin_text (const char *origin)
{
  return origin != NULL ? origin : "the configuration";
}

/* Checks @value (not empty, except for the mode) for @key; @origin says where it came from. */
static gboolean
config_check (ConfigKey key, const char *value, const char *origin, DpugwNodeMode *mode, GError **error)
{
  g_autofree char *q = NULL;
  g_autoptr(GError) local_error = NULL;

  switch (key)
    {
    case KEY_MODE:
      if (strcmp (value, "full") == 0)
        *mode = DPUGW_NODE_MODE_FULL;
      else if (strcmp (value, "dpu") == 0)
        *mode = DPUGW_NODE_MODE_DPU;
      else if (strcmp (value, "dpu-host") == 0)
        *mode = DPUGW_NODE_MODE_DPU_HOST;
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
        return TRUE;
      }

    case N_KEYS:
      break;
    }
  g_assert_not_reached ();
}

/*
 * Sets @key from @value of @layer, checking it; @origin says where it came from.
 * A flag or variable that is unset, empty or equal to the key's default overrides nothing
 * (ovnkube.sh passes no empty flags, and ovnkube's overrideFields skips values equal to the
 * default).  In the file, gcfg's last assignment wins, even an empty one: an empty value is the
 * default again (overrideFields skips it), except for the mode, where ovnkube keeps the empty
 * string and refuses it.
 */
static gboolean
config_set (DpugwConfig *config, ConfigKey key, const char *value, Layer layer, const char *origin,
            GError **error)
{
  DpugwNodeMode mode = config->mode;
  char **origin_p = origin_field (config, key);

  if (value == NULL)
    return TRUE;
  if (layer != LAYER_FILE &&
      (*value == '\0' || g_strcmp0 (value, keys[key].default_value) == 0))
    return TRUE;
  if (*value == '\0' && key != KEY_MODE)
    {
      g_clear_pointer (value_field (config, key), g_free);
      g_clear_pointer (origin_p, g_free);
      return TRUE;
    }
  if (!config_check (key, value, origin, &mode, error))
    return FALSE;
  if (key == KEY_MODE)
    config->mode = mode;
  else
    {
      char **field = value_field (config, key);
      g_free (*field);
      *field = g_strdup (value);
    }
  g_free (*origin_p);
  *origin_p = g_strdup (origin);
  return TRUE;
}

/* --- the file ---------------------------------------------------------------- */

typedef enum {
  SECTION_OURS,      /* [OvnKubeNode] or [Gateway] */
  SECTION_OVNK,      /* another of ovnkube's sections */
  SECTION_IGNORED,   /* an unknown section, or a subsection: gcfg warns of each variable */
  SECTION_DAEMON,    /* [DpuGateway]: dpu-gatewayd's own settings, no ovnkube's */
} SectionKind;

/* dpu-gatewayd's own section, which ovnkube does not have (it would warn of it). */
#define DAEMON_SECTION "DpuGateway"

typedef struct {
  DpugwConfig *config;
  const char *origin;
  SectionKind kind;
} IniContext;

static gboolean
name_in (const char *written, const char *const *known, gsize n)
{
  for (gsize i = 0; i < n; i++)
    if (ini_name_equal (written, known[i]))
      return TRUE;
  return FALSE;
}

static void
load_warning (DpugwConfig *config, char *message)
{
  g_ptr_array_add (config->load_warnings, message);
}

static gboolean
ini_header (IniContext *ctx, const IniEntry *entry)
{
  g_autofree char *q = dpugw_quote_untrusted (entry->section);

  if (entry->subsection == NULL && ini_name_equal (entry->section, DAEMON_SECTION))
    ctx->kind = SECTION_DAEMON;
  else if (entry->subsection != NULL)
    {
      g_autofree char *sub = dpugw_quote_untrusted (entry->subsection);
      ctx->kind = SECTION_IGNORED;
      load_warning (ctx->config,
                    g_strdup_printf ("%s:%u: can't store data at section %s (the subsection %s: ovnkube's "
                                     "sections have none, so it and its variables are ignored)",
                                     ctx->origin, entry->line, q, sub));
    }
  else if (!name_in (entry->section, ovnk_sections, G_N_ELEMENTS (ovnk_sections)))
    {
      ctx->kind = SECTION_IGNORED;
      load_warning (ctx->config,
                    g_strdup_printf ("%s:%u: can't store data at section %s (not a section of ovnkube's; "
                                     "it and its variables are ignored)",
                                     ctx->origin, entry->line, q));
    }
  else if (ini_name_equal (entry->section, keys[KEY_MODE].section) ||
           ini_name_equal (entry->section, keys[KEY_GATEWAY_INTERFACE].section))
    ctx->kind = SECTION_OURS;
  else
    ctx->kind = SECTION_OVNK;
  return TRUE;
}

/* [DpuGateway] listen=ADDRESS, repeatable: each adds one; an empty one drops those before it
 * (gcfg's rule for a multi-valued variable). */
static gboolean
daemon_entry (IniContext *ctx, const IniEntry *entry, GError **error)
{
  g_autofree char *origin = g_strdup_printf ("%s:%u", ctx->origin, entry->line);
  g_autofree char *qv = dpugw_quote_untrusted (entry->name);

  if (!ini_name_equal (entry->name, "listen"))
    {
      load_warning (ctx->config, g_strdup_printf ("%s: can't store data at section " DAEMON_SECTION
                                                  ", variable %s (not a variable of dpu-gatewayd's; ignored)",
                                                  origin, qv));
      return TRUE;
    }
  if (entry->value == NULL)
    {
      g_set_error (error, DPUGW_ERROR, DPUGW_ERROR_INVALID_CONFIG,
                   "%s: blank value not supported for type at section " DAEMON_SECTION ", variable %s "
                   "(a string needs '=': %s= for an empty one)", origin, qv, entry->name);
      return FALSE;
    }
  if (*entry->value == '\0')
    {
      g_ptr_array_set_size (ctx->config->listen, 0);
      return TRUE;
    }
  if (!g_str_has_prefix (entry->value, "unix:path=/") || strpbrk (entry->value, ",;%") != NULL)
    {
      g_autofree char *q = dpugw_quote_untrusted (entry->value);
      g_set_error (error, DPUGW_ERROR, DPUGW_ERROR_INVALID_CONFIG,
                   "invalid listen address %s (from %s): expected unix:path=/ABSOLUTE/PATH", q, origin);
      return FALSE;
    }
  g_ptr_array_add (ctx->config->listen, g_strdup (entry->value));
  return TRUE;
}

static gboolean
ini_entry (const IniEntry *entry, gpointer user_data, GError **error)
{
  IniContext *ctx = user_data;
  g_autofree char *qs = NULL;
  g_autofree char *qv = NULL;
  g_autofree char *origin = NULL;

  if (entry->name == NULL)
    return ini_header (ctx, entry);

  switch (ctx->kind)
    {
    case SECTION_OVNK:
      /* Real ovnkube files carry many other sections and variables: ovnkube checks those. */
      return TRUE;

    case SECTION_IGNORED:
      qs = dpugw_quote_untrusted (entry->section);
      qv = dpugw_quote_untrusted (entry->name);
      load_warning (ctx->config, g_strdup_printf ("%s:%u: can't store data at section %s (variable %s ignored)",
                                                  ctx->origin, entry->line, qs, qv));
      return TRUE;

    case SECTION_DAEMON:
      return daemon_entry (ctx, entry, error);

    case SECTION_OURS:
      break;
    }

  origin = g_strdup_printf ("%s:%u", ctx->origin, entry->line);
  for (guint k = 0; k < N_KEYS; k++)
    if (keys[k].section != NULL && ini_name_equal (entry->section, keys[k].section) &&
        ini_name_equal (entry->name, keys[k].ini_key))
      {
        if (entry->value == NULL)
          {
            /* gcfg sets only booleans from a name without '='. */
            qs = dpugw_quote_untrusted (entry->section);
            qv = dpugw_quote_untrusted (entry->name);
            g_set_error (error, DPUGW_ERROR, DPUGW_ERROR_INVALID_CONFIG,
                         "%s: blank value not supported for type at section %s, variable %s "
                         "(a string needs '=': %s= for an empty one)", origin, qs, qv, entry->name);
            return FALSE;
          }
        return config_set (ctx->config, k, entry->value, LAYER_FILE, origin, error);
      }

  if (ini_name_equal (entry->section, keys[KEY_GATEWAY_INTERFACE].section) &&
      name_in (entry->name, ovnk_gateway_variables, G_N_ELEMENTS (ovnk_gateway_variables)))
    return TRUE;
  qs = dpugw_quote_untrusted (entry->section);
  qv = dpugw_quote_untrusted (entry->name);
  load_warning (ctx->config, g_strdup_printf ("%s: can't store data at section %s, variable %s (not a "
                                              "variable of ovnkube's; ignored)", origin, qs, qv));
  return TRUE;
}

gboolean
dpugw_config_load_data (DpugwConfig *config, const char *data, gsize length,
                        const char *origin, GError **error)
{
  IniContext ctx = { config, origin != NULL ? origin : "configuration", SECTION_OVNK };

  return ini_parse_text (data, length, ctx.origin, ini_entry, &ctx, error);
}

/* Opens @path for reading; -1 with errno set when it cannot be opened. */
static int
config_open (const char *path)
{
  /* O_NONBLOCK: a FIFO does not block the open; it is refused by load_fd. */
  return open (path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
}

/* Reads the opened @fd (closed here) as the file @path. */
static gboolean
config_load_fd (DpugwConfig *config, int fd, const char *path, GError **error)
{
  g_autofree char *data = NULL;
  struct stat st;
  gsize length = 0;

  /* A regular file of bounded size: not a FIFO, a device or /dev/zero. */
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
dpugw_config_load_file (DpugwConfig *config, const char *path, GError **error)
{
  int fd = config_open (path);

  if (fd < 0)
    {
      int errsv = errno;
      g_set_error (error, DPUGW_ERROR, DPUGW_ERROR_INVALID_CONFIG,
                   "cannot read configuration file: %s: %s", path, g_strerror (errsv));
      return FALSE;
    }
  return config_load_fd (config, fd, path, error);
}

/* --- the environment ------------------------------------------------------------ */

/* --gateway-interface in OVN_GATEWAY_OPTS, which ovnkube.sh appends unquoted to ovnkube's flags:
 * split into words on blanks as the shell does, parsed as Go's flag package would
 * (-name=value, --name=value, -name value, --name value; the last one wins).
 * Sets *value (NULL if absent); other options are not ours. */
static void
gateway_opts_interface (DpugwConfig *config, const char *opts, char **value)
{
  g_auto(GStrv) words = g_strsplit_set (opts, " \t\n", -1);
  const char *name = keys[KEY_GATEWAY_INTERFACE].flag + 2;

  *value = NULL;
  for (guint i = 0; words[i] != NULL; i++)
    {
      const char *w = words[i];
      const char *arg;

      if (*w == '\0' || w[0] != '-')
        continue;
      arg = w[1] == '-' ? w + 2 : w + 1;
      if (!g_str_has_prefix (arg, name) || (arg[strlen (name)] != '\0' && arg[strlen (name)] != '='))
        continue;
      if (arg[strlen (name)] == '=')
        {
          g_free (*value);
          *value = g_strdup (arg + strlen (name) + 1);
          continue;
        }
      /* The value is the next word. */
      while (words[i + 1] != NULL && *words[i + 1] == '\0')
        i++;
      if (words[i + 1] == NULL)
        {
          g_autofree char *q = dpugw_quote_untrusted (w);
          load_warning (config, g_strdup_printf (DPUGW_ENV_GATEWAY_OPTS ": %s has no value; ignored "
                                                 "(ovnkube would stop: flag needs an argument)", q));
          break;
        }
      g_free (*value);
      *value = g_strdup (words[++i]);
    }
}

gboolean
dpugw_config_load_environ (DpugwConfig *config, const char * const *envp, GError **error)
{
  const char *netdev = g_environ_getenv ((char **) envp, DPUGW_ENV_MGMT_PORT_NETDEV);
  const char *resource = g_environ_getenv ((char **) envp, DPUGW_ENV_MGMT_PORT_DP_RESOURCE_NAME);
  const char *opts = g_environ_getenv ((char **) envp, DPUGW_ENV_GATEWAY_OPTS);
  g_autofree char *interface = NULL;

  if (!config_set (config, KEY_MODE, g_environ_getenv ((char **) envp, DPUGW_ENV_NODE_MODE), LAYER_ENV,
                   DPUGW_ENV_NODE_MODE, error))
    return FALSE;

  /* ovnkube.sh puts both into one variable, the resource last: only the resource reaches ovnkube. */
  if (netdev != NULL && *netdev != '\0' && resource != NULL && *resource != '\0')
    {
      g_autofree char *qn = dpugw_quote_untrusted (netdev);
      g_autofree char *qr = dpugw_quote_untrusted (resource);
      load_warning (config, g_strdup_printf (DPUGW_ENV_MGMT_PORT_NETDEV " (%s) is ignored: "
                                             DPUGW_ENV_MGMT_PORT_DP_RESOURCE_NAME " (%s) is set too, and "
                                             "ovnkube.sh then passes ovnkube only "
                                             "--ovnkube-node-mgmt-port-dp-resource-name", qn, qr));
      netdev = NULL;
    }
  if (!config_set (config, KEY_MGMT_PORT_NETDEV, netdev, LAYER_ENV, DPUGW_ENV_MGMT_PORT_NETDEV, error) ||
      !config_set (config, KEY_MGMT_PORT_DP_RESOURCE_NAME, resource, LAYER_ENV,
                   DPUGW_ENV_MGMT_PORT_DP_RESOURCE_NAME, error))
    return FALSE;

  if (opts != NULL)
    gateway_opts_interface (config, opts, &interface);
  return config_set (config, KEY_GATEWAY_INTERFACE, interface, LAYER_ENV, DPUGW_ENV_GATEWAY_OPTS, error) &&
         config_set (config, KEY_NODE_IP, g_environ_getenv ((char **) envp, DPUGW_ENV_NODE_IP), LAYER_ENV,
                     DPUGW_ENV_NODE_IP, error);
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
    if (!config_set (config, k, values[k], LAYER_FLAG, keys[k].flag, error))
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

  /* deviceresource.go: split on ',', trim, drop empty entries, keep the order. */
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
      /* Only the first is ovnkube's management port; the others are not looked at. */
      if (n++ > 0 || dpugw_auxiliary_name_is_valid (item))
        {
          g_strv_builder_add (out, item);
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
  DpugwNodeMode mode;

  if (config->mode != DPUGW_NODE_MODE_FULL && config->mode != DPUGW_NODE_MODE_DPU &&
      config->mode != DPUGW_NODE_MODE_DPU_HOST)
    {
      g_set_error (error, DPUGW_ERROR, DPUGW_ERROR_INVALID_CONFIG, "invalid node mode %d", (int) config->mode);
      return FALSE;
    }
  for (guint k = KEY_MODE + 1; k < N_KEYS; k++)
    {
      char **field = value_field (config, k);

      /* Empty is unset. */
      if (*field != NULL && **field == '\0')
        {
          g_clear_pointer (field, g_free);
          g_clear_pointer (origin_field (config, k), g_free);
        }
      if (*field != NULL && !config_check (k, *field, origin_text (*origin_field (config, k)), &mode, error))
        return FALSE;
    }
  return TRUE;
}

/* "\"pf0vf0\" from --ovnkube-node-mgmt-port-netdev": a value and where it came from. */
static char *
value_from (const char *value, const char *origin, ConfigKey key)
{
  g_autofree char *q = dpugw_quote_untrusted (value);

  if (origin == NULL)
    origin = g_strcmp0 (value, keys[key].default_value) == 0 ? "the default" : origin_text (NULL);
  return g_strdup_printf ("%s from %s", q, origin);
}

/* config.go's checks of the node mode and the management port (buildOvnKubeNodeConfig). */
static gboolean
config_validate_ovnkube (DpugwConfig *config, GError **error)
{
  const char *netdev = config->mgmt_port_netdev;
  const char *resource = config->mgmt_port_dp_resource_name;
  const char *netdev_origin = config->mgmt_port_netdev_origin;
  const char *resource_origin = config->mgmt_port_dp_resource_name_origin;
  g_autofree char *mode = value_from (dpugw_node_mode_to_string (config->mode), config->mode_origin, KEY_MODE);

  if (netdev != NULL && resource != NULL)
    {
      g_autofree char *n = value_from (netdev, netdev_origin, KEY_MGMT_PORT_NETDEV);
      g_autofree char *r = value_from (resource, resource_origin, KEY_MGMT_PORT_DP_RESOURCE_NAME);
      g_ptr_array_add (config->warnings,
                       g_strdup_printf (MSG_MGMT_PORT_BOTH " (netdev %s; resource %s)", netdev, resource, n, r));
    }
  if (config->mode == DPUGW_NODE_MODE_DPU && (netdev != NULL || resource != NULL))
    {
      g_autofree char *what = netdev != NULL
                              ? value_from (netdev, netdev_origin, KEY_MGMT_PORT_NETDEV)
                              : value_from (resource, resource_origin, KEY_MGMT_PORT_DP_RESOURCE_NAME);
      g_set_error (error, DPUGW_ERROR, DPUGW_ERROR_INVALID_CONFIG,
                   MSG_MGMT_PORT_MUST_NOT " (node mode %s; management port %s %s)",
                   mode, netdev != NULL ? "netdev" : "resource", what);
      return FALSE;
    }
  if (config->mode == DPUGW_NODE_MODE_DPU_HOST && netdev == NULL && resource == NULL)
    {
      g_set_error (error, DPUGW_ERROR, DPUGW_ERROR_INVALID_CONFIG, MSG_MGMT_PORT_MUST " (node mode %s)", mode);
      return FALSE;
    }
  return TRUE;
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
  copy_strings (config->warnings, config->load_warnings);

  config->select = dpugw_select_parse (config->gateway_select, error);
  if (config->select == NULL)
    return FALSE;

  if (!config_validate_ovnkube (config, error))
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
      g_autofree char *interface = value_from (DPUGW_DERIVE_FROM_MGMT_PORT, config->gateway_interface_origin,
                                               KEY_GATEWAY_INTERFACE);
      g_autofree char *mode = value_from (dpugw_node_mode_to_string (config->mode), config->mode_origin,
                                          KEY_MODE);
      g_set_error (error, DPUGW_ERROR, DPUGW_ERROR_INVALID_CONFIG,
                   "gateway interface %s is only valid in node mode dpu-host (node mode %s)", interface, mode);
      return FALSE;
    }
  if (derive && config->mgmt_source == DPUGW_MGMT_SOURCE_NONE)
    {
      /* dpu-host has a netdev or a resource (above): here the resource's variable is missing. */
      g_autofree char *interface = value_from (DPUGW_DERIVE_FROM_MGMT_PORT, config->gateway_interface_origin,
                                               KEY_GATEWAY_INTERFACE);
      g_autofree char *resource = value_from (config->mgmt_port_dp_resource_name,
                                              config->mgmt_port_dp_resource_name_origin,
                                              KEY_MGMT_PORT_DP_RESOURCE_NAME);
      g_set_error (error, DPUGW_ERROR, DPUGW_ERROR_INVALID_CONFIG,
                   "gateway interface %s needs a management port: the device plugin variable %s of resource "
                   "%s is not set, and no management port netdev is configured",
                   interface, config->device_plugin_variable, resource);
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
dpugw_config_load_with_defaults (const DpugwConfigFlags *flags,
                                 const char * const     *envp,
                                 const char * const     *default_files,
                                 GError                **error)
{
  g_autoptr(DpugwConfig) config = dpugw_config_new ();
  const char *file = flags != NULL ? flags->config_file : NULL;

  if (file != NULL)
    {
      if (*file != '\0' && !dpugw_config_load_file (config, file, error))
        return NULL;
    }
  else
    for (guint i = 0; default_files != NULL && default_files[i] != NULL; i++)
      {
        /* ovnkube: "Failure to find a default config file is not a hard error". */
        int fd = config_open (default_files[i]);
        if (fd < 0)
          {
            g_debug ("default configuration file %s: %s", default_files[i], g_strerror (errno));
            continue;
          }
        if (!config_load_fd (config, fd, default_files[i], error))
          return NULL;
        break;
      }
  if (!dpugw_config_load_environ (config, envp, error))
    return NULL;
  if (!dpugw_config_apply_flags (config, flags, error))
    return NULL;
  if (!dpugw_config_finish (config, envp, error))
    return NULL;
  return g_steal_pointer (&config);
}

DpugwConfig *
dpugw_config_load (const DpugwConfigFlags *flags,
                   const char * const     *envp,
                   const char             *default_file,
                   GError                **error)
{
  const char *const default_files[] = { default_file, NULL };

  return dpugw_config_load_with_defaults (flags, envp, default_files, error);
}
