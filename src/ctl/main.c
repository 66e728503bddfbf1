/* SPDX-License-Identifier: Apache-2.0
 *
 * dpu-gatewayctl: ask for the gateway interface of this DPU host.
 */
#include "config.h"
#include "ctl.h"

#include <locale.h>
#include <stdio.h>
#include <string.h>

static const struct {
  const char *name;
  CtlCommandFunc func;
  const char *summary;
} commands[] = {
  { "resolve", ctl_cmd_resolve, "Print the gateway interface of a management port" },
  { "topology", ctl_cmd_topology, "List the SR-IOV PFs, their netdevs and VFs" },
  { "diagnose", ctl_cmd_diagnose, "Check each step from the management port to the gateway interface" },
  { "status", ctl_cmd_status, "Show the configuration, the resolution, the last error, the generation" },
  { "monitor", ctl_cmd_monitor, "Print the service's change signals until interrupted" },
  { "wait", ctl_cmd_wait, "Wait until the gateway interface resolves, then print it" },
  { "node-labels", ctl_cmd_node_labels, "Keep a Node Feature Discovery feature file of the gateway interface" },
  { "refresh", ctl_cmd_refresh, "Have the service drop its cache and look again (root only)" },
  { "hooks", ctl_cmd_hooks, "Run the hooks of /etc/dpu-gateway/dispatcher.d once for each new gateway state" },
};

/* The options that take their value as the next argument ("--address ADDR"), for finding the
 * command among the arguments: dpu-gatewayctl [OPTIONS] COMMAND [OPTIONS] [ARGS]. */
static const char * const value_options[] = {
  "--address", "--sysfs-root",
  /* dpugw_config_option_group()'s */
  "--ovnkube-node-mode", "--ovnkube-node-mgmt-port-netdev", "--ovnkube-node-mgmt-port-dp-resource-name",
  "--gateway-interface", "--gateway-select", "--config-file", "--node-ip",
  /* wait's, node-labels' */
  "--timeout", "-t", "--file", "-f",
  NULL
};

void
ctl_error (const char *format, ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  fprintf (stderr, "dpu-gatewayctl: %s\n", message);
}

int
ctl_exit_code_for_error (const GError *error)
{
  if (error->domain == DPUGW_ERROR)
    switch ((DpugwError) error->code)
      {
      case DPUGW_ERROR_INVALID_ARGUMENT:
      case DPUGW_ERROR_INVALID_CONFIG:
      case DPUGW_ERROR_NOT_CONFIGURED:
        return CTL_EXIT_USAGE;
      case DPUGW_ERROR_PCI_ADDRESS:
      case DPUGW_ERROR_PF_PCI_ADDRESS:
      case DPUGW_ERROR_NETDEV_DISCOVERY:
      case DPUGW_ERROR_NO_NETDEVS:
      case DPUGW_ERROR_NO_MATCH:
      case DPUGW_ERROR_HOST_NETWORK:
        return CTL_EXIT_FAILED;
      }
  return CTL_EXIT_FAILED;
}

static gboolean
config_flags_given (const DpugwConfigOptions *config)
{
  return config->mode != NULL || config->mgmt_port_netdev != NULL || config->mgmt_port_dp_resource_name != NULL ||
         config->gateway_interface != NULL || config->gateway_select != NULL || config->node_ip != NULL ||
         config->config_file != NULL;
}

gboolean
ctl_parse_options (CtlOptions *options, const char *command, const char *parameter,
                   const char *summary, CtlAccepts accepts, const GOptionEntry *extra, int *argc, char ***argv)
{
  const GOptionEntry bus_entries[] = {
    { "system", 0, 0, G_OPTION_ARG_NONE, &options->system,
      "Ask dpu-gatewayd on the system bus (the default)", NULL },
    { "session", 0, 0, G_OPTION_ARG_NONE, &options->session,
      "Ask dpu-gatewayd on the session bus", NULL },
    { "address", 0, 0, G_OPTION_ARG_STRING, &options->address,
      "Ask dpu-gatewayd on the bus at this D-Bus address", "ADDRESS" },
    { NULL }
  };
  const GOptionEntry local_entries[] = {
    { "local", 'l', 0, G_OPTION_ARG_NONE, &options->local,
      "Do not ask the service: read sysfs in this process", NULL },
    { "sysfs-root", 0, 0, G_OPTION_ARG_FILENAME, &options->sysfs_root,
      "The directory that plays /sys (with --local)", "DIR" },
    { NULL }
  };
  const GOptionEntry json_entries[] = {
    { "json", 'j', 0, G_OPTION_ARG_NONE, &options->json, "Print JSON", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  GOptionGroup *main_group;
  g_autofree char *title = g_strdup_printf ("%s%s%s", command, parameter ? " " : "",
                                            parameter ? parameter : "");

  context = g_option_context_new (title);
  g_option_context_set_summary (context, summary);
  if (accepts & CTL_ACCEPTS_CONFIG)
    {
      g_option_context_set_description (context,
                                        "The configuration flags apply with --local; the service has its own.");
      /* One group, so that --help lists the configuration flags too. */
      main_group = dpugw_config_option_group (&options->config);
    }
  else
    main_group = g_option_group_new (NULL, NULL, NULL, NULL, NULL);
  g_option_group_add_entries (main_group, bus_entries);
  if (accepts & CTL_ACCEPTS_LOCAL)
    g_option_group_add_entries (main_group, local_entries);
  if (accepts & CTL_ACCEPTS_JSON)
    g_option_group_add_entries (main_group, json_entries);
  if (extra != NULL)
    g_option_group_add_entries (main_group, extra);
  g_option_context_set_main_group (context, main_group);
  if (!g_option_context_parse (context, argc, argv, &error))
    {
      ctl_error ("%s", error->message);
      return FALSE;
    }
  if ((options->system ? 1 : 0) + (options->session ? 1 : 0) + (options->address != NULL ? 1 : 0) > 1)
    {
      ctl_error ("--system, --session and --address exclude each other");
      return FALSE;
    }
  if (options->local && (options->system || options->session || options->address != NULL))
    {
      ctl_error ("--local asks no service: it excludes --system, --session and --address");
      return FALSE;
    }
  if (!options->local && (options->sysfs_root != NULL || config_flags_given (&options->config)))
    {
      ctl_error ("--sysfs-root and the configuration flags apply with --local only; "
                 "the service uses its own configuration");
      return FALSE;
    }
  return TRUE;
}

void
ctl_options_clear (CtlOptions *options)
{
  g_clear_pointer (&options->sysfs_root, g_free);
  g_clear_pointer (&options->address, g_free);
  dpugw_config_options_clear (&options->config);
}

gboolean
ctl_load_local (const CtlOptions *options, DpugwConfig **config, DpugwSysfs **sysfs)
{
  g_autoptr(GError) error = NULL;

  if (config != NULL)
    {
      *config = dpugw_config_options_load (&options->config, &error);
      if (*config == NULL)
        {
          ctl_error ("%s", error->message);
          return FALSE;
        }
      for (guint i = 0; i < (*config)->warnings->len; i++)
        ctl_error ("warning: %s", (const char *) g_ptr_array_index ((*config)->warnings, i));
    }
  *sysfs = dpugw_sysfs_new (options->sysfs_root, &error);
  if (*sysfs == NULL)
    {
      ctl_error ("%s", error->message);
      if (config != NULL)
        g_clear_pointer (config, dpugw_config_free);
      return FALSE;
    }
  return TRUE;
}

static void
usage (FILE *out)
{
  fprintf (out, "Usage: dpu-gatewayctl [OPTIONS] COMMAND [OPTIONS] [ARGUMENTS]\n\nCommands:\n");
  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    fprintf (out, "  %-10s %s\n", commands[i].name, commands[i].summary);
  fprintf (out, "\nRun 'dpu-gatewayctl COMMAND --help' for the options a command accepts; they may come\n"
                "before the command or after it.\n"
                "Other options: --help, --version\n");
}

static gboolean
takes_value (const char *arg)
{
  return g_strv_contains (value_options, arg);
}

/* The index of the command in @argv (0: none): the first argument that is neither an option
 * nor an option's value. */
static int
find_command (int argc, char **argv)
{
  for (int i = 1; i < argc; i++)
    {
      if (strcmp (argv[i], "--") == 0)
        return i + 1 < argc ? i + 1 : 0;
      if (argv[i][0] != '-' || argv[i][1] == '\0')
        return i;
      if (takes_value (argv[i]))
        i++;
    }
  return 0;
}

int
main (int argc, char **argv)
{
  g_autofree char **args = NULL;
  int command, n = 0;

  setlocale (LC_ALL, "");
  g_set_prgname ("dpu-gatewayctl");

  command = find_command (argc, argv);
  /* Before any command: the program's own --help and --version. */
  for (int i = 1; i < (command > 0 ? command : argc); i++)
    {
      if (strcmp (argv[i], "--help") == 0 || strcmp (argv[i], "-h") == 0)
        {
          usage (stdout);
          return CTL_EXIT_OK;
        }
      if (strcmp (argv[i], "--version") == 0)
        {
          printf ("dpu-gatewayctl %s\n", DPUGW_VERSION);
          return CTL_EXIT_OK;
        }
    }
  if (command == 0)
    {
      usage (stderr);
      return CTL_EXIT_USAGE;
    }
  if (strcmp (argv[command], "help") == 0)
    {
      usage (stdout);
      return CTL_EXIT_OK;
    }
  for (gsize c = 0; c < G_N_ELEMENTS (commands); c++)
    if (strcmp (argv[command], commands[c].name) == 0)
      {
        /* The command, then the options given before it, then the rest: as the command parses. */
        args = g_new0 (char *, argc + 1);
        args[n++] = argv[command];
        for (int i = 1; i < argc; i++)
          if (i != command)
            args[n++] = argv[i];
        return commands[c].func (n, args);
      }

  ctl_error ("unknown command '%s'", argv[command]);
  usage (stderr);
  return CTL_EXIT_USAGE;
}
