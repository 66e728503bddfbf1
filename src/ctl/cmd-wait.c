/* SPDX-License-Identifier: Apache-2.0
 *
 * dpu-gatewayctl wait [--timeout=SECONDS] [MGMT_PORT]: blocks until the gateway interface
 * resolves, prints it and exits 0; on timeout exits 1 with the last error, as nm-online and
 * systemd-networkd-wait-online do for their services.  Never polls: it asks again when the
 * service says something changed (GatewayChanged, TopologyChanged, PropertiesChanged), when
 * the service appears on the bus, or when the socket of --address=unix:path= appears; with
 * --local, when a netlink link event comes.
 */
#include "ctl.h"
#include "follow.h"
#include "json.h"

#include <errno.h>
#include <glib-unix.h>
#include <string.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

#define DEFAULT_TIMEOUT_SEC 120
/* Link events come in bursts: look once they have been quiet this long. */
#define LOCAL_SETTLE_MSEC 50

typedef struct
{
  const CtlOptions *options;
  const char *mgmt_port;      /* NULL: the configured one */
  int timeout;                /* seconds; 0: none */
  guint timeout_id;
  GMainLoop *loop;
  int status;
  char *last_error;

  /* The service */
  CtlFollow *follow;

  /* --local */
  DpugwConfig *config;
  DpugwSysfs *sysfs;
  int netlink_fd;
  guint netlink_id;
  guint settle_id;
} Wait;

static void
set_last_error (Wait *w, const char *message)
{
  g_free (w->last_error);
  w->last_error = g_strdup (message);
}

static void
found (Wait *w, const char *interface, GVariant *details)
{
  if (w->options->json)
    {
      g_autoptr(GString) out = g_string_new ("{");
      const char *value;

      dpugw_json_member_string (out, TRUE, "interface", interface);
      for (const char * const *key = (const char *[]) { "mgmt-port", "vf-pci", "pf-pci", "source", NULL };
           *key != NULL; key++)
        if (details != NULL && g_variant_lookup (details, *key, "&s", &value))
          dpugw_json_member_string (out, FALSE, *key, value);
      g_string_append (out, "}\n");
      fputs (out->str, stdout);
    }
  else
    printf ("%s\n", interface);
  fflush (stdout);
  w->status = CTL_EXIT_OK;
  g_main_loop_quit (w->loop);
}

static gboolean
on_timeout (gpointer user_data)
{
  Wait *w = user_data;

  w->timeout_id = 0;
  ctl_error ("no gateway interface after %d s: %s", w->timeout,
             w->last_error != NULL ? w->last_error : "the service has not answered");
  w->status = CTL_EXIT_FAILED;
  g_main_loop_quit (w->loop);
  return G_SOURCE_REMOVE;
}

/* --- the service --------------------------------------------------------------------------------- */

static void
on_answer (CtlFollow *follow, GVariant *reply, const GError *error, gpointer user_data)
{
  Wait *w = user_data;

  if (reply != NULL)
    {
      g_autofree const char **interfaces = NULL;
      g_autoptr(GVariant) details = NULL;

      g_variant_get (reply, "(^a&s@a{sv})", &interfaces, &details);
      if (interfaces[0] != NULL)
        {
          found (w, interfaces[0], details);
          return;
        }
      set_last_error (w, "the service answered no interface");
      return;
    }
  set_last_error (w, error->message);
  g_debug ("not yet: %s", error->message);
}

static void
on_gone (CtlFollow *follow, const char *message, gpointer user_data)
{
  set_last_error (user_data, message);
}

static int
wait_service (Wait *w)
{
  int status = CTL_EXIT_OK;

  w->follow = ctl_follow_new (w->options, w->mgmt_port, on_answer, on_gone, w, &status);
  if (w->follow == NULL)
    return status;
  if (w->status == -1)
    g_main_loop_run (w->loop);
  g_clear_pointer (&w->follow, ctl_follow_free);
  return w->status;
}

/* --- --local ------------------------------------------------------------------------------------- */

static gboolean
try_local (gpointer user_data)
{
  Wait *w = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(DpugwResolution) r = NULL;

  w->settle_id = 0;
  r = dpugw_resolve (w->sysfs, w->config, w->mgmt_port, &error);
  if (r != NULL)
    {
      g_autoptr(GVariant) details = NULL;
      GVariantDict dict;

      g_variant_dict_init (&dict, NULL);
      g_variant_dict_insert (&dict, "mgmt-port", "s", r->mgmt_port != NULL ? r->mgmt_port : "");
      g_variant_dict_insert (&dict, "vf-pci", "s", r->vf_pci != NULL ? r->vf_pci : "");
      g_variant_dict_insert (&dict, "pf-pci", "s", r->pf_pci != NULL ? r->pf_pci : "");
      g_variant_dict_insert (&dict, "source", "s", dpugw_source_to_string (r->source));
      details = g_variant_ref_sink (g_variant_dict_end (&dict));
      found (w, r->interface, details);
    }
  else
    {
      set_last_error (w, error->message);
      g_debug ("not yet: %s", error->message);
    }
  return G_SOURCE_REMOVE;
}

/* Any message of the link group is a reason to look again: none is read for what it says. */
static gboolean
on_netlink (int fd, GIOCondition condition, gpointer user_data)
{
  Wait *w = user_data;
  char buf[8192];

  while (recv (fd, buf, sizeof buf, MSG_DONTWAIT) > 0)
    ;
  if (w->settle_id == 0)
    w->settle_id = g_timeout_add (LOCAL_SETTLE_MSEC, try_local, w);
  return G_SOURCE_CONTINUE;
}

static int
wait_local (Wait *w)
{
  struct sockaddr_nl addr = { .nl_family = AF_NETLINK, .nl_groups = RTMGRP_LINK };

  if (!ctl_load_local (w->options, &w->config, &w->sysfs))
    return CTL_EXIT_USAGE;
  /* Subscribed before the first look: a link that comes between the two is not missed. */
  w->netlink_fd = socket (AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_ROUTE);
  if (w->netlink_fd < 0 || bind (w->netlink_fd, (struct sockaddr *) &addr, sizeof addr) != 0)
    {
      ctl_error ("cannot follow link events: %s", g_strerror (errno));
      return CTL_EXIT_FAILED;
    }
  w->netlink_id = g_unix_fd_add (w->netlink_fd, G_IO_IN, on_netlink, w);
  try_local (w);
  if (w->status == -1)
    g_main_loop_run (w->loop);
  g_clear_handle_id (&w->netlink_id, g_source_remove);
  g_clear_handle_id (&w->settle_id, g_source_remove);
  close (w->netlink_fd);
  return w->status;
}

int
ctl_cmd_wait (int argc, char **argv)
{
  CtlOptions options = { 0 };
  int timeout = DEFAULT_TIMEOUT_SEC;
  const GOptionEntry extra[] = {
    { "timeout", 't', 0, G_OPTION_ARG_INT, &timeout,
      "Give up after this many seconds, exit status 1 (default " G_STRINGIFY (DEFAULT_TIMEOUT_SEC) "; 0: never)",
      "SECONDS" },
    { NULL }
  };
  Wait w = { .options = &options, .status = -1, .netlink_fd = -1 };

  if (!ctl_parse_options (&options, "wait", "[MGMT_PORT]",
                          "Wait until the gateway interface resolves, then print it: of a management port, a "
                          "netdev name or a VF PCI address; without one, the one ovnkube-node uses under the "
                          "configuration.",
                          CTL_ACCEPTS_LOCAL | CTL_ACCEPTS_CONFIG | CTL_ACCEPTS_JSON, extra, &argc, &argv))
    w.status = CTL_EXIT_USAGE;
  else if (argc > 2)
    {
      ctl_error ("wait takes at most one management port");
      w.status = CTL_EXIT_USAGE;
    }
  else if (argc == 2 && !g_utf8_validate (argv[1], -1, NULL))
    {
      g_autoptr(GError) error = NULL;
      dpugw_netdev_name_validate (argv[1], &error);
      ctl_error ("%s", error->message);
      w.status = CTL_EXIT_USAGE;
    }
  else if (timeout < 0 || timeout > 7 * 24 * 3600)
    {
      ctl_error ("--timeout takes 0 (never) to 604800 seconds");
      w.status = CTL_EXIT_USAGE;
    }
  if (w.status != -1)
    {
      ctl_options_clear (&options);
      return w.status;
    }

  w.mgmt_port = argc == 2 ? argv[1] : NULL;
  w.loop = g_main_loop_new (NULL, FALSE);
  w.timeout = timeout;
  if (timeout > 0)
    w.timeout_id = g_timeout_add_seconds (timeout, on_timeout, &w);

  if (options.local)
    wait_local (&w);
  else
    wait_service (&w);

  g_clear_handle_id (&w.timeout_id, g_source_remove);
  g_clear_pointer (&w.config, dpugw_config_free);
  g_clear_object (&w.sysfs);
  g_clear_pointer (&w.loop, g_main_loop_unref);
  g_free (w.last_error);
  ctl_options_clear (&options);
  return w.status;
}
