/* SPDX-License-Identifier: Apache-2.0
 *
 * The hooks agent, `dpu-gatewayctl hooks`, without NetworkManager: the real daemon over the
 * example hardware, veth links carrying its names in a network namespace of the test's own,
 * the real dispatcher script (data/nm-dispatcher/90-dpu-gateway) as the agent's runner, and a
 * hook that records each run (its arguments and the DPU_GATEWAY_* variables, one line each).
 * logger is a fake, first in PATH, that records what the runner logs.
 *
 * The hooks follow a rename; the service started after the agent, and restarted, gets its
 * hooks run once for its state (not again for the same state); a burst of changes ends with
 * the hooks run for the final state.
 */
#include "testdaemon.h"

#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>

#define EX_PF "devices/pci0000:00/0000:00:02.0/0000:01:00.0"
#define CONFIGURED_ARGS STRV ("--config-file=", "--ovnkube-node-mode=dpu-host", \
                              "--ovnkube-node-mgmt-port-netdev=pf0vf0", "--gateway-interface=derive-from-mgmt-port")

typedef struct {
  char *hooks;       /* the hook directory */
  char *record;      /* what the hook recorded */
  char *logger_log;  /* what the runner logged */
  char *state;       /* the runner's state directory */
  char **env;        /* the agent's extra environment */
} Hooks;

static void
hooks_clear (Hooks *h)
{
  g_free (h->hooks);
  g_free (h->record);
  g_free (h->logger_log);
  g_free (h->state);
  g_strfreev (h->env);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Hooks, hooks_clear)

static void
write_executable (const char *path, const char *text)
{
  dpugw_test_write_file (path, text);
  g_assert_cmpint (chmod (path, 0755), ==, 0);
}

static void
hooks_init (Hooks *h, DpugwTestBus *f)
{
  g_autofree char *bin = g_build_filename (f->tmpdir, "bin", NULL);
  g_autofree char *logger = g_build_filename (bin, "logger", NULL);
  g_autofree char *runner = g_build_filename (f->tmpdir, "dpu-gateway-dispatcher", NULL);
  g_autofree char *recorder = NULL;
  g_autofree char *script_src = g_build_filename (g_getenv ("DPUGW_TEST_SRCDIR"), "data", "nm-dispatcher",
                                                  "90-dpu-gateway", NULL);
  g_autofree char *script = dpugw_test_read_file (script_src);
  g_autofree char *text = NULL;

  h->hooks = g_build_filename (f->tmpdir, "dispatcher.d", NULL);
  h->record = g_build_filename (f->tmpdir, "record", NULL);
  h->logger_log = g_build_filename (f->tmpdir, "logger.log", NULL);
  h->state = g_build_filename (f->tmpdir, "state", NULL);
  /* The hooks run only from a directory of root's that nobody else may write, as installed. */
  g_assert_cmpint (g_mkdir (h->hooks, 0755), ==, 0);
  g_assert_cmpint (chmod (h->hooks, 0755), ==, 0);
  g_assert_cmpint (chmod (f->tmpdir, 0755), ==, 0);
  g_assert_cmpint (g_mkdir (bin, 0755), ==, 0);

  text = g_strdup_printf ("#!/bin/bash\n"
                          "while [ $# -gt 0 ]; do case $1 in -t|-p) shift 2 ;; --) shift; break ;; *) break ;; esac; done\n"
                          "printf '%%s\\n' \"$*\" >>'%s'\n", h->logger_log);
  write_executable (logger, text);
  g_clear_pointer (&text, g_free);
  /* IFACE ACTION gateway mgmt-port vf pf previous role source */
  text = g_strdup_printf ("#!/bin/bash\n"
                          "echo \"$1 $2 ${DPU_GATEWAY_INTERFACE:--} ${DPU_GATEWAY_MGMT_PORT:--} ${DPU_GATEWAY_VF_PCI:--} "
                          "${DPU_GATEWAY_PF_PCI:--} ${DPU_GATEWAY_PREVIOUS_INTERFACE:--} $DPU_GATEWAY_ROLE "
                          "$DPU_GATEWAY_SOURCE\" >>'%s'\n", h->record);
  recorder = g_build_filename (h->hooks, "50-record", NULL);
  write_executable (recorder, text);
  /* The script as installed: executable, whatever the checkout's mode. */
  write_executable (runner, script);

  h->env = g_new0 (char *, 6);
  h->env[0] = g_strconcat ("DPU_GATEWAY_HOOK_RUNNER=", runner, NULL);
  h->env[1] = g_strconcat ("DPU_GATEWAY_DISPATCHER_DIR=", h->hooks, NULL);
  h->env[2] = g_strconcat ("DPU_GATEWAY_STATE_DIR=", h->state, NULL);
  h->env[3] = g_strdup_printf ("PATH=%s:%s", bin, g_getenv ("PATH"));
  h->env[4] = g_strdup ("DPU_GATEWAY_HOOK_TIMEOUT=10");
}

static GSubprocess *
agent_start (Hooks *h, DpugwTestBus *f, GSubprocessFlags flags)
{
  return dpugw_test_ctl_spawn_env (flags, (const char * const *) h->env, STRV ("hooks", f->address_flag));
}

static void
agent_stop (GSubprocess *agent)
{
  g_autoptr(GError) error = NULL;

  g_subprocess_send_signal (agent, SIGTERM);
  g_assert_true (g_subprocess_wait (agent, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (agent));
  g_assert_cmpint (g_subprocess_get_exit_status (agent), ==, 0);
}

/* The recorded runs, one a line. */
static GStrv
records (Hooks *h)
{
  g_autofree char *text = NULL;

  if (!g_file_get_contents (h->record, &text, NULL, NULL))
    return g_new0 (char *, 1);
  g_strchomp (text);
  return *text != '\0' ? g_strsplit (text, "\n", -1) : g_new0 (char *, 1);
}

static guint
n_records (Hooks *h)
{
  g_auto(GStrv) lines = records (h);
  return g_strv_length (lines);
}

static gboolean
last_record_is (Hooks *h, const char *expected)
{
  g_auto(GStrv) lines = records (h);
  guint n = g_strv_length (lines);

  return n > 0 && strcmp (lines[n - 1], expected) == 0;
}

static gboolean
last_record_has_prefix (Hooks *h, const char *prefix)
{
  g_auto(GStrv) lines = records (h);
  guint n = g_strv_length (lines);

  return n > 0 && g_str_has_prefix (lines[n - 1], prefix);
}

static guint
logged_count (Hooks *h, const char *text)
{
  g_autofree char *log = NULL;

  if (!g_file_get_contents (h->logger_log, &log, NULL, NULL))
    return 0;
  return dpugw_test_count (log, text);
}

static void
links_add (void)
{
  dpugw_test_veth_add ("eth0", "vp0");
  dpugw_test_veth_add ("eth1", "vp1");
  dpugw_test_veth_add ("pf0vf0", "vp2");
}

static void
rename_gateway (DpugwTestBus *f, const char *from, const char *to)
{
  dpugw_test_rename_netdev (f->testbed, EX_PF, from, to);
  DPUGW_TEST_IP ("link", "set", from, "name", to);
}

#define RUN_ETH0 "eth0 change eth0 pf0vf0 0000:01:02.3 0000:01:00.0 - gateway signal"
#define RUN_RENAMED "enp1s0f0np0 change enp1s0f0np0 pf0vf0 0000:01:02.3 0000:01:00.0 eth0 gateway signal"

/* A udev rename, no NetworkManager: the hooks run for the new name, told the previous one. */
static void
test_rename (DpugwTestBus *f)
{
  g_auto(Hooks) h = { 0 };
  g_autoptr(GSubprocess) agent = NULL;

  hooks_init (&h, f);
  links_add ();
  DPUGW_TEST_START (f, .args = CONFIGURED_ARGS, .ready = TRUE);
  agent = agent_start (&h, f, G_SUBPROCESS_FLAGS_NONE);
  DPUGW_TEST_WAIT (n_records (&h) == 1, "the hooks run at the agent's start");
  g_assert_true (last_record_is (&h, RUN_ETH0));

  rename_gateway (f, "eth0", "enp1s0f0np0");
  DPUGW_TEST_WAIT (n_records (&h) == 2, "the hooks run after the rename");
  g_assert_true (last_record_is (&h, RUN_RENAMED));
  DPUGW_TEST_WAIT (logged_count (&h, ": runner finished") >= 2, "the runner's end");
  agent_stop (agent);
  g_assert_cmpuint (n_records (&h), ==, 2);
}

/* The agent first, waiting; then the service: the hooks run for its state. */
static void
test_service_after_agent (DpugwTestBus *f)
{
  g_auto(Hooks) h = { 0 };
  g_autoptr(GSubprocess) agent = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autofree char *line = NULL;

  hooks_init (&h, f);
  links_add ();
  agent = agent_start (&h, f, G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (agent));
  line = g_data_input_stream_read_line_utf8 (out, NULL, NULL, NULL);
  g_assert_cmpstr (line, ==, "org.ovnk.DpuGateway is not on the bus: waiting for it");
  g_assert_cmpuint (n_records (&h), ==, 0);

  DPUGW_TEST_START (f, .args = CONFIGURED_ARGS, .ready = TRUE);
  DPUGW_TEST_WAIT (n_records (&h) == 1, "the hooks run once the service is there");
  g_assert_true (last_record_is (&h, RUN_ETH0));
  DPUGW_TEST_WAIT (logged_count (&h, ": runner finished") >= 1, "the runner's end");
  agent_stop (agent);
}

/* The service restarted: the same state runs nothing again; a state changed while it was
 * away runs the hooks when it is back. */
static void
test_service_restarted (DpugwTestBus *f)
{
  g_auto(Hooks) h = { 0 };
  g_autoptr(GSubprocess) agent = NULL;
  DpugwTestDaemon *d;

  hooks_init (&h, f);
  links_add ();
  d = DPUGW_TEST_START (f, .args = CONFIGURED_ARGS, .ready = TRUE);
  agent = agent_start (&h, f, G_SUBPROCESS_FLAGS_NONE);
  DPUGW_TEST_WAIT (n_records (&h) == 1, "the hooks run at the agent's start");
  DPUGW_TEST_WAIT (logged_count (&h, "eth0 change: runner finished") >= 1, "the first run's end");

  g_assert_cmpint (dpugw_test_daemon_stop (d), ==, 0);
  d = DPUGW_TEST_START (f, .args = CONFIGURED_ARGS, .ready = TRUE);
  DPUGW_TEST_WAIT (logged_count (&h, "eth0 change: runner finished") >= 2, "the runner after the restart");
  g_assert_cmpuint (logged_count (&h, "eth0 change: the hooks ran for this state already"), >=, 1);
  g_assert_cmpuint (n_records (&h), ==, 1);

  g_assert_cmpint (dpugw_test_daemon_stop (d), ==, 0);
  rename_gateway (f, "eth0", "enp1s0f0np0");
  DPUGW_TEST_START (f, .args = CONFIGURED_ARGS, .ready = TRUE);
  DPUGW_TEST_WAIT (n_records (&h) == 2, "the hooks run for the state the restarted service has");
  g_assert_true (last_record_is (&h, RUN_RENAMED));
  DPUGW_TEST_WAIT (logged_count (&h, ": runner finished") >= 3, "the runner's end");
  agent_stop (agent);
}

/* Renames in a burst: the hooks end with the final state, and never run a state twice. */
static void
test_burst (DpugwTestBus *f)
{
  g_auto(Hooks) h = { 0 };
  g_autoptr(GSubprocess) agent = NULL;
  g_auto(GStrv) lines = NULL;
  const char *names[] = { "eth0", "a0", "a1", "a2", "a3", "a4", "a5" };

  hooks_init (&h, f);
  links_add ();
  DPUGW_TEST_START (f, .args = CONFIGURED_ARGS, .ready = TRUE);
  agent = agent_start (&h, f, G_SUBPROCESS_FLAGS_NONE);
  DPUGW_TEST_WAIT (n_records (&h) == 1, "the hooks run at the agent's start");

  /* A hook that takes its time: the changes come while the hooks run. */
  {
    g_autofree char *slow = g_build_filename (h.hooks, "60-slow", NULL);
    write_executable (slow, "#!/bin/sh\nsleep 0.5\n");
  }
  /* Each change seen by the service (a GatewayChanged each), one after the other. */
  for (gsize i = 1; i < G_N_ELEMENTS (names); i++)
    {
      rename_gateway (f, names[i - 1], names[i]);
      DPUGW_TEST_WAIT (dpugw_test_string_property_is (f, "GatewayInterface", names[i]), "the service to follow");
    }
  DPUGW_TEST_WAIT (last_record_has_prefix (&h, "a5 change a5 pf0vf0 0000:01:02.3 0000:01:00.0 "),
                   "the hooks run for the final state");
  DPUGW_TEST_WAIT (logged_count (&h, "a5 change: runner finished") >= 1, "the runner's end");
  agent_stop (agent);

  lines = records (&h);
  /* Each run for a state the one before it was not; the last the final one. */
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto(GStrv) fields = g_strsplit (lines[i], " ", -1);
      g_assert_cmpuint (g_strv_length (fields), ==, 9);
      if (i > 0)
        {
          g_auto(GStrv) before = g_strsplit (lines[i - 1], " ", -1);
          g_assert_cmpstr (fields[2], !=, before[2]);
          g_assert_cmpstr (fields[6], ==, before[2]);
        }
    }
  g_assert_true (g_str_has_prefix (lines[g_strv_length (lines) - 1], "a5 change a5 "));
  g_assert_cmpuint (g_strv_length (lines), <=, G_N_ELEMENTS (names));
  g_printerr ("# %u runs of the hooks for %zu states\n", g_strv_length (lines), G_N_ELEMENTS (names));
}

/* The gateway gone (the PF's netdevs removed): the hooks are told, with no gateway interface and
 * the management port as their interface; nothing configured: no hooks, and the agent says so. */
static void
test_unresolved_and_not_configured (DpugwTestBus *f)
{
  g_auto(Hooks) h = { 0 };
  g_autoptr(GSubprocess) agent = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  DpugwTestDaemon *d;

  hooks_init (&h, f);
  links_add ();
  d = DPUGW_TEST_START (f, .args = CONFIGURED_ARGS, .ready = TRUE);
  agent = agent_start (&h, f, G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (agent));
  DPUGW_TEST_WAIT (n_records (&h) == 1, "the hooks run at the agent's start");

  dpugw_test_remove_netdev (f->testbed, EX_PF, "eth0");
  dpugw_test_remove_netdev (f->testbed, EX_PF, "eth1");
  DPUGW_TEST_IP ("link", "del", "eth0");
  DPUGW_TEST_IP ("link", "del", "eth1");
  DPUGW_TEST_WAIT (n_records (&h) == 2, "the hooks run when the gateway is gone");
  g_assert_true (last_record_is (&h, "pf0vf0 change - pf0vf0 - - eth0 mgmt-port signal"));
  DPUGW_TEST_WAIT (logged_count (&h, ": runner finished") >= 2, "the runner's end");

  /* Nothing configured: the agent runs nothing, and says why. */
  g_assert_cmpint (dpugw_test_daemon_stop (d), ==, 0);
  DPUGW_TEST_START (f, .args = STRV ("--config-file=", "--ovnkube-node-mode=full"), .ready = TRUE);
  for (;;)
    {
      g_autofree char *line = g_data_input_stream_read_line_utf8 (out, NULL, NULL, NULL);
      g_assert_nonnull (line);
      if (strcmp (line, "the service has no management port configured; no hooks run") == 0)
        break;
    }
  g_assert_cmpuint (n_records (&h), ==, 2);
  agent_stop (agent);
}

int
main (int argc, char **argv)
{
  dpugw_test_init (&argc, &argv, DPUGW_TEST_NETNS);

  DPUGW_TEST_ADD ("/hooks/rename", test_rename, { "data/dpu-host-example.umockdev" });
  DPUGW_TEST_ADD ("/hooks/service-after-agent", test_service_after_agent, { "data/dpu-host-example.umockdev" });
  DPUGW_TEST_ADD ("/hooks/service-restarted", test_service_restarted, { "data/dpu-host-example.umockdev" });
  DPUGW_TEST_ADD ("/hooks/burst", test_burst, { "data/dpu-host-example.umockdev" });
  DPUGW_TEST_ADD ("/hooks/unresolved-and-not-configured", test_unresolved_and_not_configured,
                  { "data/dpu-host-example.umockdev" });
  return g_test_run ();
}
