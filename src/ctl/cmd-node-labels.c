/* SPDX-License-Identifier: Apache-2.0
 *
 * dpu-gatewayctl node-labels [--file=PATH] [--once] [MGMT_PORT]: keeps a Node Feature
 * Discovery feature file for this node, so that the gateway becomes node labels
 * (dpu-gateway.feature.node.kubernetes.io/...): the gateway interface, the PF's address, the
 * function type, whether ovnkube-node's own derivation reaches it, and the rule that found it.
 * Rewritten atomically (a new file renamed over the old) whenever the answer changes; removed
 * while the gateway does not resolve.  Kept while the service is away: a restart is not news.
 * Woken by the service's signals, never polling (follow.c).
 */
#include "ctl.h"
#include "follow.h"
#include "labels.h"

#include <errno.h>
#include <glib-unix.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#define DEFAULT_FILE "/etc/kubernetes/node-feature-discovery/features.d/dpu-gateway"

typedef struct
{
  const CtlOptions *options;
  const char *mgmt_port;
  const char *file;
  gboolean once;
  GMainLoop *loop;
  CtlFollow *follow;
  char *written;              /* what the file holds, "" for no file; NULL: not known yet */
  int status;
} Labels;

static void
add_label (GString *out, const char *name, const char *value)
{
  g_autofree char *safe = value != NULL ? dpugw_label_value (value) : NULL;

  if (safe != NULL && *safe != '\0')
    g_string_append_printf (out, "%s%s=%s\n", DPUGW_LABEL_PREFIX, name, safe);
}

/* The feature file for an answer: one label a line, NFD's "name=value". */
static char *
labels_for (const char *interface, GVariant *details)
{
  GString *out = g_string_new (NULL);
  const char *value;
  gboolean compatible;

  add_label (out, "gateway-interface", interface);
  if (g_variant_lookup (details, "pf-pci", "&s", &value))
    add_label (out, "pf-pci", value);
  if (g_variant_lookup (details, "function-type", "&s", &value))
    add_label (out, "function-type", value);
  if (g_variant_lookup (details, "ovnkube-compatible", "b", &compatible))
    add_label (out, "ovnkube-compatible", compatible ? "true" : "false");
  if (g_variant_lookup (details, "source", "&s", &value))
    add_label (out, "source", value);
  return g_string_free (out, FALSE);
}

/* The file as @contents says ("" removes it), unless it already is. */
static gboolean
write_labels (Labels *l, const char *contents)
{
  g_autoptr(GError) error = NULL;

  if (g_strcmp0 (l->written, contents) == 0)
    return TRUE;
  if (*contents == '\0')
    {
      if (g_unlink (l->file) != 0 && errno != ENOENT)
        {
          ctl_error ("cannot remove %s: %s", l->file, g_strerror (errno));
          return FALSE;
        }
    }
  else if (!g_file_set_contents_full (l->file, contents, -1,
                                      G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_ONLY_EXISTING, 0644,
                                      &error))
    {
      ctl_error ("cannot write %s: %s", l->file, error->message);
      return FALSE;
    }
  g_free (l->written);
  l->written = g_strdup (contents);
  return TRUE;
}

static void
on_answer (CtlFollow *follow, GVariant *reply, const GError *error, gpointer user_data)
{
  Labels *l = user_data;
  g_autofree char *contents = NULL;

  if (reply != NULL)
    {
      g_autofree const char **interfaces = NULL;
      g_autoptr(GVariant) details = NULL;

      g_variant_get (reply, "(^a&s@a{sv})", &interfaces, &details);
      contents = interfaces[0] != NULL ? labels_for (interfaces[0], details) : g_strdup ("");
    }
  else if (error->domain == DPUGW_ERROR)
    {
      /* The service's answer: no gateway.  The labels go. */
      g_debug ("unresolved: %s", error->message);
      contents = g_strdup ("");
    }
  else
    {
      /* Not an answer (the service went): what the file says stays. */
      ctl_error ("cannot ask the service: %s", error->message);
      if (l->once)
        {
          l->status = CTL_EXIT_UNREACHABLE;
          g_main_loop_quit (l->loop);
        }
      return;
    }
  if (!write_labels (l, contents))
    {
      l->status = CTL_EXIT_FAILED;
      g_main_loop_quit (l->loop);
      return;
    }
  if (l->once)
    {
      l->status = *contents != '\0' ? CTL_EXIT_OK : CTL_EXIT_FAILED;
      g_main_loop_quit (l->loop);
    }
}

static void
on_gone (CtlFollow *follow, const char *message, gpointer user_data)
{
  Labels *l = user_data;

  g_debug ("%s", message);
  if (l->once)
    {
      ctl_error ("%s", message);
      l->status = CTL_EXIT_UNREACHABLE;
      g_main_loop_quit (l->loop);
    }
}

static gboolean
on_stop (gpointer user_data)
{
  Labels *l = user_data;

  l->status = CTL_EXIT_OK;
  g_main_loop_quit (l->loop);
  return G_SOURCE_CONTINUE;
}

int
ctl_cmd_node_labels (int argc, char **argv)
{
  CtlOptions options = { 0 };
  g_autofree char *file = NULL;
  gboolean once = FALSE;
  const GOptionEntry extra[] = {
    { "file", 'f', 0, G_OPTION_ARG_FILENAME, &file,
      "The feature file to keep (default " DEFAULT_FILE ")", "PATH" },
    { "once", 0, 0, G_OPTION_ARG_NONE, &once, "Write it once and exit: 0 with labels, 1 without", NULL },
    { NULL }
  };
  Labels l = { .options = &options, .status = -1 };
  guint term_id = 0, int_id = 0;
  int status = CTL_EXIT_OK;

  if (!ctl_parse_options (&options, "node-labels", "[MGMT_PORT]",
                          "Keep a Node Feature Discovery feature file of the gateway interface, for node "
                          "labels " DPUGW_LABEL_PREFIX "...; removed while the gateway does not resolve.",
                          CTL_ACCEPTS_BUS, extra, &argc, &argv))
    {
      ctl_options_clear (&options);
      return CTL_EXIT_USAGE;
    }
  if (argc > 2)
    {
      ctl_error ("node-labels takes at most one management port");
      ctl_options_clear (&options);
      return CTL_EXIT_USAGE;
    }
  l.mgmt_port = argc == 2 ? argv[1] : NULL;
  l.file = file != NULL ? file : DEFAULT_FILE;
  l.once = once;
  l.loop = g_main_loop_new (NULL, FALSE);
  l.follow = ctl_follow_new (&options, l.mgmt_port, on_answer, on_gone, &l, &status);
  if (l.follow != NULL)
    {
      term_id = g_unix_signal_add (SIGTERM, on_stop, &l);
      int_id = g_unix_signal_add (SIGINT, on_stop, &l);
      g_main_loop_run (l.loop);
      status = l.status;
    }

  g_clear_handle_id (&term_id, g_source_remove);
  g_clear_handle_id (&int_id, g_source_remove);
  g_clear_pointer (&l.follow, ctl_follow_free);
  g_clear_pointer (&l.loop, g_main_loop_unref);
  g_free (l.written);
  ctl_options_clear (&options);
  return status;
}
