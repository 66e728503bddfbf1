/* SPDX-License-Identifier: Apache-2.0
 *
 * dpu-gatewayctl, the real binary: output, messages and exit codes over
 * fixture hardware, and once over this machine's real /sys.
 */
#include "testlib.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

typedef struct {
  char *out;
  char *err;
  int status;
} Run;

static void
run_clear (Run *run)
{
  g_clear_pointer (&run->out, g_free);
  g_clear_pointer (&run->err, g_free);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Run, run_clear)

static char *
ctl_path (void)
{
  const char *builddir = g_getenv ("DPUGW_TEST_BUILDDIR");
  g_assert_nonnull (builddir);
  return g_build_filename (builddir, "src", "ctl", "dpu-gatewayctl", NULL);
}

/* The child's environment: ours without any configuration, plus @extra ("K=V", NULL-terminated). */
static char **
child_environ (const char * const *extra)
{
  char **envp = g_get_environ ();

  envp = g_environ_unsetenv (envp, DPUGW_ENV_NODE_MODE);
  envp = g_environ_unsetenv (envp, DPUGW_ENV_MGMT_PORT_NETDEV);
  envp = g_environ_unsetenv (envp, DPUGW_ENV_MGMT_PORT_DP_RESOURCE_NAME);
  for (guint i = 0; extra != NULL && extra[i] != NULL; i++)
    {
      g_auto(GStrv) kv = g_strsplit (extra[i], "=", 2);
      envp = g_environ_setenv (envp, kv[0], kv[1], TRUE);
    }
  return envp;
}

/* Runs dpu-gatewayctl with @args (NULL-terminated) and the environment @extra_env. */
static void
run_ctl (Run *run, const char * const *extra_env, const char * const *args)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_auto(GStrv) envp = child_environ (extra_env);
  g_autoptr(GError) error = NULL;
  int wait_status;

  g_ptr_array_add (argv, ctl_path ());
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, g_strdup (args[i]));
  g_ptr_array_add (argv, NULL);

  g_assert_true (g_spawn_sync (NULL, (char **) argv->pdata, envp, G_SPAWN_DEFAULT, NULL, NULL,
                               &run->out, &run->err, &wait_status, &error));
  g_assert_no_error (error);
  g_assert_true (WIFEXITED (wait_status));
  run->status = WEXITSTATUS (wait_status);
}

#define CTL(run, ...) run_ctl ((run), NULL, (const char *[]) { __VA_ARGS__, NULL })
#define CTL_ENV(run, env, ...) run_ctl ((run), (env), (const char *[]) { __VA_ARGS__, NULL })

typedef struct {
  UMockdevTestbed *testbed;
  DpugwSysfs *sysfs;
  const char *root;
} Fixture;

static void
fixture_setup (Fixture *f, gconstpointer recording)
{
  f->testbed = dpugw_test_testbed_new (&f->sysfs, recording, NULL);
  f->root = dpugw_sysfs_get_root (f->sysfs);
}

static void
fixture_teardown (Fixture *f, gconstpointer unused)
{
  g_clear_object (&f->sysfs);
  g_clear_object (&f->testbed);
}

#define EXAMPLE "data/dpu-host-example.umockdev"

static void
test_resolve_netdev (Fixture *f, gconstpointer unused)
{
  g_auto(Run) run = { 0 };

  CTL (&run, "resolve", "--local", "--config-file=", "--sysfs-root", f->root, "pf0vf0");
  g_assert_cmpstr (run.err, ==, "");
  g_assert_cmpstr (run.out, ==, "eth0\n");
  g_assert_cmpint (run.status, ==, 0);
}

static void
test_resolve_pci (Fixture *f, gconstpointer unused)
{
  g_auto(Run) run = { 0 };

  CTL (&run, "resolve", "-l", "--config-file=", "--sysfs-root", f->root, "0000:01:02.4");
  g_assert_cmpstr (run.err, ==, "");
  g_assert_cmpstr (run.out, ==, "eth0\n");
  g_assert_cmpint (run.status, ==, 0);
}

static void
test_resolve_json (Fixture *f, gconstpointer unused)
{
  g_auto(Run) run = { 0 };

  CTL (&run, "resolve", "--local", "--json", "--config-file=", "--sysfs-root", f->root, "pf0vf0");
  g_assert_cmpint (run.status, ==, 0);
  g_assert_cmpstr (run.out, ==,
                   "{\"interface\":\"eth0\",\"mgmt-port\":\"pf0vf0\",\"vf-pci\":\"0000:01:02.3\","
                   "\"pf-pci\":\"0000:01:00.0\",\"candidates\":[\"eth0\",\"eth1\"],\"source\":\"derived\",\"selected-by\":\"first\",\"function-type\":\"vf\"}\n");
}

static void
test_resolve_configured_flags (Fixture *f, gconstpointer unused)
{
  g_auto(Run) run = { 0 };

  CTL (&run, "resolve", "--local", "--config-file=", "--sysfs-root", f->root,
       "--ovnkube-node-mode=dpu-host", "--ovnkube-node-mgmt-port-netdev=pf0vf1",
       "--gateway-interface=derive-from-mgmt-port");
  g_assert_cmpstr (run.err, ==, "");
  g_assert_cmpstr (run.out, ==, "eth0\n");
  g_assert_cmpint (run.status, ==, 0);
}

static void
test_resolve_configured_file_env (Fixture *f, gconstpointer unused)
{
  g_autofree char *path = NULL;
  g_autofree char *file_arg = NULL;
  g_autoptr(GError) error = NULL;
  const char *ini = "[default]\nmtu=1400\n\n[OvnKubeNode]\nmode=dpu-host\nmgmt-port-netdev=eth0\n\n"
                    "[Gateway]\ninterface=derive-from-mgmt-port\nmode=local\n";
  const char *env[] = { "OVNKUBE_NODE_MGMT_PORT_NETDEV=pf0vf0", NULL };
  int fd;

  fd = g_file_open_tmp ("dpugw-XXXXXX.conf", &path, &error);
  g_assert_no_error (error);
  close (fd);
  g_assert_true (g_file_set_contents (path, ini, -1, &error));
  file_arg = g_strconcat ("--config-file=", path, NULL);

  {
    /* The file alone names eth0, a PF: the PF error proves the file was read. */
    g_auto(Run) run = { 0 };
    CTL (&run, "resolve", "--local", file_arg, "--sysfs-root", f->root);
    g_assert_cmpstr (run.err, ==,
                     "dpu-gatewayctl: failed to get PF PCI address: 0000:01:00.0 is not a virtual function (no physfn link): it is an SR-IOV physical function (2 of 8 VFs enabled); use one of its VFs as the management port\n");
    g_assert_cmpint (run.status, ==, 1);
  }
  {
    /* The environment wins over the file. */
    g_auto(Run) run = { 0 };
    CTL_ENV (&run, env, "resolve", "--local", file_arg, "--sysfs-root", f->root, "--json");
    g_assert_true (g_str_has_prefix (run.out, "{\"interface\":\"eth0\",\"mgmt-port\":\"pf0vf0\""));
    g_assert_cmpint (run.status, ==, 0);
  }
  {
    /* And the flag wins over the environment. */
    g_auto(Run) run = { 0 };
    CTL_ENV (&run, env, "resolve", "--local", file_arg, "--sysfs-root", f->root, "--json",
             "--ovnkube-node-mgmt-port-netdev=pf0vf1");
    g_assert_true (g_str_has_prefix (run.out, "{\"interface\":\"eth0\",\"mgmt-port\":\"pf0vf1\""));
    g_assert_cmpint (run.status, ==, 0);
  }
  g_unlink (path);
}

static void
test_resolve_device_plugin (Fixture *f, gconstpointer unused)
{
  const char *env[] = {
    "OVNKUBE_NODE_MODE=dpu-host",
    "OVNKUBE_NODE_MGMT_PORT_NETDEV=pf0vf0",
    "OVNKUBE_NODE_MGMT_PORT_DP_RESOURCE_NAME=nvidia.com/mgmt_vf",
    "PCIDEVICE_NVIDIA_COM_MGMT_VF=0000:01:02.4,0000:01:02.3",
    NULL
  };
  const char *env_missing[] = {
    "OVNKUBE_NODE_MODE=dpu-host",
    "OVNKUBE_NODE_MGMT_PORT_NETDEV=pf0vf0",
    "OVNKUBE_NODE_MGMT_PORT_DP_RESOURCE_NAME=nvidia.com/mgmt_vf",
    NULL
  };

  {
    g_auto(Run) run = { 0 };
    CTL_ENV (&run, env, "resolve", "--local", "--json", "--config-file=", "--sysfs-root", f->root,
             "--gateway-interface=derive-from-mgmt-port");
    g_assert_cmpstr (run.err, ==, "");
    g_assert_cmpstr (run.out, ==,
                     "{\"interface\":\"eth0\",\"mgmt-port\":\"pf0vf1\",\"vf-pci\":\"0000:01:02.4\","
                     "\"pf-pci\":\"0000:01:00.0\",\"candidates\":[\"eth0\",\"eth1\"],\"source\":\"device-plugin\",\"selected-by\":\"first\",\"function-type\":\"vf\"}\n");
    g_assert_cmpint (run.status, ==, 0);
  }
  {
    g_auto(Run) run = { 0 };
    CTL_ENV (&run, env_missing, "resolve", "--local", "--json", "--config-file=", "--sysfs-root", f->root,
             "--gateway-interface=derive-from-mgmt-port");
    g_assert_cmpstr (run.err, ==,
                     "dpu-gatewayctl: warning: device plugin resource nvidia.com/mgmt_vf: "
                     "PCIDEVICE_NVIDIA_COM_MGMT_VF is not set; falling back to management port netdev pf0vf0\n");
    g_assert_true (g_str_has_prefix (run.out, "{\"interface\":\"eth0\",\"mgmt-port\":\"pf0vf0\""));
    g_assert_cmpint (run.status, ==, 0);
  }
}

static void
test_resolve_explicit (Fixture *f, gconstpointer unused)
{
  g_auto(Run) run = { 0 };

  CTL (&run, "resolve", "--local", "--config-file=", "--sysfs-root", f->root, "--gateway-interface=eth7");
  g_assert_cmpstr (run.err, ==, "");
  g_assert_cmpstr (run.out, ==, "eth7\n");
  g_assert_cmpint (run.status, ==, 0);
}

static void
test_resolve_renamed (Fixture *f, gconstpointer unused)
{
  g_auto(Run) run = { 0 };

  CTL (&run, "resolve", "--local", "--json", "--config-file=", "--sysfs-root", f->root,
       "--ovnkube-node-mode=dpu-host", "--ovnkube-node-mgmt-port-netdev=pf0vf0",
       "--gateway-interface=derive-from-mgmt-port");
  g_assert_cmpstr (run.err, ==, "");
  g_assert_cmpstr (run.out, ==,
                   "{\"interface\":\"eth0\",\"mgmt-port\":\"ovn-k8s-mp0\",\"vf-pci\":\"0000:01:02.3\","
                   "\"pf-pci\":\"0000:01:00.0\",\"candidates\":[\"eth0\",\"eth1\"],\"source\":\"renamed-fallback\",\"selected-by\":\"first\",\"function-type\":\"vf\"}\n");
  g_assert_cmpint (run.status, ==, 0);
}

static void
test_resolve_errors (Fixture *f, gconstpointer unused)
{
  struct {
    const char *arg;
    const char *message; /* @ROOT@: the root */
    int status;
  } cases[] = {
    { "pf0vf9", "failed to get PCI address: no network device pf0vf9 (@ROOT@/class/net/pf0vf9: No such file or directory)", 1 },
    { "lo", "failed to get PCI address: lo is a virtual network device, backed by no hardware "
            "(@ROOT@/devices/virtual/net/lo/device: No such file or directory)", 1 },
    { "eth1", "failed to get PF PCI address: 0000:01:00.0 is not a virtual function (no physfn link): it is an SR-IOV physical function (2 of 8 VFs enabled); use one of its VFs as the management port", 1 },
    { "0000:01:02.7", "failed to get PF PCI address: no PCI device 0000:01:02.7 "
                      "(@ROOT@/bus/pci/devices/0000:01:02.7: No such file or directory)", 1 },
    { "../../etc", "invalid network device name \"../../etc\": it contains '/'", 2 },
    { "0000:01:02.8", "invalid PCI address \"0000:01:02.8\": expected DDDD:BB:DD.F "
                      "(hexadecimal; device 00-1f, function 0-7)", 2 },
    { "a-very-long-name-indeed", "invalid network device name \"a-very-long-name-indeed\": "
                                 "it is longer than 15 bytes", 2 },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_auto(Run) run = { 0 };
      g_auto(GStrv) parts = g_strsplit (cases[i].message, "@ROOT@", -1);
      g_autofree char *message = g_strjoinv (f->root, parts);
      g_autofree char *expected = g_strconcat ("dpu-gatewayctl: ", message, "\n", NULL);

      CTL (&run, "resolve", "--local", "--config-file=", "--sysfs-root", f->root, cases[i].arg);
      g_assert_cmpstr (run.out, ==, "");
      g_assert_cmpstr (run.err, ==, expected);
      g_assert_cmpint (run.status, ==, cases[i].status);
    }
}

/* The PF of pf-no-net has no net/; then an empty one. */
static void
test_resolve_no_netdevs (Fixture *f, gconstpointer unused)
{
  const char *pf_dir = "devices/pci0000:00/0000:00:02.0/0000:01:00.0";
  g_autofree char *net_dir = g_strconcat (pf_dir, "/net", NULL);

  {
    g_auto(Run) run = { 0 };
    g_autofree char *expected = g_strdup_printf (
        "dpu-gatewayctl: failed to get network devices: cannot list the network devices of 0000:01:00.0 "
        "(%s/%s: No such file or directory)\n", f->root, net_dir);
    CTL (&run, "resolve", "--local", "--config-file=", "--sysfs-root", f->root, "pf0vf0");
    g_assert_cmpstr (run.err, ==, expected);
    g_assert_cmpint (run.status, ==, 1);
  }
  dpugw_test_mkdir (f->testbed, net_dir);
  {
    g_auto(Run) run = { 0 };
    CTL (&run, "resolve", "--local", "--config-file=", "--sysfs-root", f->root, "pf0vf0");
    g_assert_cmpstr (run.err, ==, "dpu-gatewayctl: no netdevs found for pci address 0000:01:00.0\n");
    g_assert_cmpint (run.status, ==, 1);
  }
}

static void
test_usage_errors (Fixture *f, gconstpointer unused)
{
  {
    g_auto(Run) run = { 0 };
    CTL (&run, "resolve", "--local", "--config-file=", "--sysfs-root", f->root, "pf0vf0", "pf0vf1");
    g_assert_cmpstr (run.err, ==, "dpu-gatewayctl: resolve takes at most one management port\n");
    g_assert_cmpint (run.status, ==, 2);
  }
  {
    g_auto(Run) run = { 0 };
    CTL (&run, "frobnicate");
    g_assert_true (g_str_has_prefix (run.err, "dpu-gatewayctl: unknown command 'frobnicate'\n"));
    g_assert_cmpint (run.status, ==, 2);
  }
  {
    g_auto(Run) run = { 0 };
    CTL (&run, "resolve", "--local", "--no-such-flag");
    g_assert_cmpstr (run.err, ==, "dpu-gatewayctl: Unknown option --no-such-flag\n");
    g_assert_cmpint (run.status, ==, 2);
  }
  {
    /* The configuration is checked: derive outside dpu-host mode. */
    g_auto(Run) run = { 0 };
    CTL (&run, "resolve", "--local", "--config-file=", "--sysfs-root", f->root,
         "--gateway-interface=derive-from-mgmt-port", "--ovnkube-node-mgmt-port-netdev=pf0vf0");
    g_assert_cmpstr (run.err, ==,
                     "dpu-gatewayctl: --gateway-interface=derive-from-mgmt-port is only valid with "
                     "--ovnkube-node-mode=dpu-host (the mode is full)\n");
    g_assert_cmpint (run.status, ==, 2);
  }
  {
    /* Nothing configured, nothing named. */
    g_auto(Run) run = { 0 };
    CTL (&run, "resolve", "--local", "--config-file=", "--sysfs-root", f->root);
    g_assert_true (g_str_has_prefix (run.err, "dpu-gatewayctl: no management port configured"));
    g_assert_cmpint (run.status, ==, 2);
  }
  {
    g_auto(Run) run = { 0 };
    CTL (&run, "resolve", "--local", "--config-file=", "--sysfs-root", "/nonexistent/sys", "pf0vf0");
    g_assert_cmpstr (run.err, ==, "dpu-gatewayctl: sysfs root /nonexistent/sys: No such file or directory\n");
    g_assert_cmpint (run.status, ==, 2);
  }
  {
    g_auto(Run) run = { 0 };
    CTL (&run, "resolve", "--config-file=/nonexistent/dpu-gateway.conf", "--local", "pf0vf0");
    g_assert_true (g_str_has_prefix (run.err, "dpu-gatewayctl: cannot read configuration file: "));
    g_assert_cmpint (run.status, ==, 2);
  }
  {
    g_auto(Run) run = { 0 };
    CTL (&run, "topology", "--local", "extra");
    g_assert_cmpstr (run.err, ==, "dpu-gatewayctl: topology takes no arguments\n");
    g_assert_cmpint (run.status, ==, 2);
  }
}

static void
test_version_help (void)
{
  {
    g_auto(Run) run = { 0 };
    CTL (&run, "--version");
    g_assert_true (g_str_has_prefix (run.out, "dpu-gatewayctl "));
    g_assert_cmpint (run.status, ==, 0);
  }
  {
    g_auto(Run) run = { 0 };
    CTL (&run, "--help");
    g_assert_nonnull (strstr (run.out, "resolve"));
    g_assert_nonnull (strstr (run.out, "topology"));
    g_assert_cmpint (run.status, ==, 0);
  }
  {
    g_auto(Run) run = { 0 };
    CTL (&run, "resolve", "--help");
    g_assert_nonnull (strstr (run.out, "--ovnkube-node-mgmt-port-netdev"));
    g_assert_nonnull (strstr (run.out, "--sysfs-root"));
    g_assert_cmpint (run.status, ==, 0);
  }
}

static void
test_topology (Fixture *f, gconstpointer unused)
{
  {
    g_auto(Run) run = { 0 };
    CTL (&run, "topology", "--local", "--sysfs-root", f->root);
    g_assert_cmpstr (run.err, ==, "");
    g_assert_cmpstr (run.out, ==,
                     "PF 0000:01:00.0  netdevs eth0,eth1  driver mlx5_core  VFs 2/8\n"
                     "  vf0    0000:01:02.3  pf0vf0\n"
                     "  vf1    0000:01:02.4  pf0vf1\n");
    g_assert_cmpint (run.status, ==, 0);
  }
  {
    g_auto(Run) run = { 0 };
    CTL (&run, "topology", "--local", "--json", "--sysfs-root", f->root);
    g_assert_cmpstr (run.out, ==,
                     "{\"pfs\":[{\"pci\":\"0000:01:00.0\",\"netdevs\":[\"eth0\",\"eth1\"],\"driver\":\"mlx5_core\","
                     "\"total-vfs\":8,\"num-vfs\":2,\"vfs\":[{\"index\":0,\"pci\":\"0000:01:02.3\",\"netdevs\":[\"pf0vf0\"]},"
                     "{\"index\":1,\"pci\":\"0000:01:02.4\",\"netdevs\":[\"pf0vf1\"]}]}]}\n");
    g_assert_cmpint (run.status, ==, 0);
  }
}

static void
test_topology_switchdev (Fixture *f, gconstpointer unused)
{
  g_auto(Run) run = { 0 };

  CTL (&run, "topology", "--local", "--sysfs-root", f->root);
  g_assert_cmpstr (run.out, ==,
                   "PF 0000:3b:00.0  netdevs eth0,eth1,eth2,pf0  driver mlx5_core  VFs 3/8  switch-id 8c2a8e0003c6b10c\n"
                   "  vf0    0000:3b:00.2  ens2f0v0\n"
                   "  vf1    0000:3b:00.3  ens2f0v1\n"
                   "  vf2    0000:3b:00.4  ens2f0v2\n");
  g_assert_cmpint (run.status, ==, 0);
}

/* This machine's real /sys: lo has no device, so a clean error, at once. */
static void
test_real_sysfs_lo (void)
{
  g_auto(Run) run = { 0 };

  CTL (&run, "resolve", "--local", "--config-file=", "lo");
  g_assert_cmpstr (run.out, ==, "");
  g_assert_true (g_str_has_prefix (run.err, "dpu-gatewayctl: failed to get PCI address: lo is a virtual network device"));
  g_assert_cmpint (run.status, ==, 1);
}

/* --- against the service ---------------------------------------------------- */

typedef struct {
  UMockdevTestbed *testbed;
  DpugwSysfs *sysfs;
  GTestDBus *bus;
  GPid daemon;
  char *address;
  char *address_flag;
} ServiceFixture;

static void
service_setup (ServiceFixture *f, gconstpointer recording)
{
  g_autofree char *daemon = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) envp = NULL;
  gint64 deadline;

  f->testbed = dpugw_test_testbed_new (&f->sysfs, recording, NULL);
  f->bus = g_test_dbus_new (G_TEST_DBUS_NONE);
  g_test_dbus_up (f->bus);
  f->address = g_strdup (g_test_dbus_get_bus_address (f->bus));
  f->address_flag = g_strconcat ("--address=", f->address, NULL);

  daemon = g_build_filename (g_getenv ("DPUGW_TEST_BUILDDIR"), "src", "daemon", "dpu-gatewayd", NULL);
  envp = child_environ (NULL);
  envp = g_environ_setenv (envp, "DBUS_SYSTEM_BUS_ADDRESS", f->address, TRUE);
  {
    const char *argv[] = { daemon, "--sysfs-root", dpugw_sysfs_get_root (f->sysfs), "--config-file=",
                           "--ovnkube-node-mode=dpu-host", "--ovnkube-node-mgmt-port-netdev=pf0vf0",
                           "--gateway-interface=derive-from-mgmt-port", NULL };
    g_assert_true (g_spawn_async (NULL, (char **) argv, envp, G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL,
                                  &f->daemon, &error));
    g_assert_no_error (error);
  }

  /* Until the daemon answers; the client reports 3 while the name has no owner. */
  deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  for (;;)
    {
      g_auto(Run) run = { 0 };
      CTL (&run, "resolve", f->address_flag, "pf0vf0");
      if (run.status == 0)
        break;
      g_assert_cmpint (run.status, ==, 3);
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (20000);
    }
}

static void
service_teardown (ServiceFixture *f, gconstpointer unused)
{
  int wait_status;

  kill (f->daemon, SIGTERM);
  g_assert_cmpint (waitpid (f->daemon, &wait_status, 0), ==, f->daemon);
  g_spawn_close_pid (f->daemon);
  g_assert_true (WIFEXITED (wait_status));
  g_assert_cmpint (WEXITSTATUS (wait_status), ==, 0);
  g_test_dbus_down (f->bus);
  g_clear_object (&f->bus);
  g_clear_object (&f->sysfs);
  g_clear_object (&f->testbed);
  g_free (f->address);
  g_free (f->address_flag);
}

/* The service answers with the output and exit code --local gives. */
static void
test_service_same_as_local (ServiceFixture *f, gconstpointer unused)
{
  const char *root = dpugw_sysfs_get_root (f->sysfs);
  const char *ports[] = { "pf0vf0", "0000:01:02.4", "pf0vf9", "eth0", "lo", "0000:01:02.7", "../x", "0000:01:02.8" };

  for (gsize i = 0; i < G_N_ELEMENTS (ports); i++)
    {
      g_auto(Run) local = { 0 };
      g_auto(Run) service = { 0 };

      CTL (&local, "resolve", "--local", "--config-file=", "--sysfs-root", root, ports[i]);
      CTL (&service, "resolve", f->address_flag, ports[i]);
      g_assert_cmpstr (service.out, ==, local.out);
      g_assert_cmpstr (service.err, ==, local.err);
      g_assert_cmpint (service.status, ==, local.status);
    }
  {
    g_auto(Run) local = { 0 };
    g_auto(Run) service = { 0 };

    CTL (&local, "topology", "--local", "--sysfs-root", root);
    CTL (&service, "topology", f->address_flag);
    g_assert_cmpstr (service.out, ==, local.out);
    g_assert_cmpint (service.status, ==, 0);
  }
}

static void
test_service_configured_json (ServiceFixture *f, gconstpointer unused)
{
  g_auto(Run) run = { 0 };
  g_auto(Run) again = { 0 };

  /* "" is the service's configured management port; it resolved it at start-up. */
  CTL (&run, "resolve", f->address_flag, "--json");
  g_assert_cmpstr (run.err, ==, "");
  g_assert_true (g_str_has_prefix (run.out,
                                   "{\"interface\":\"eth0\",\"mgmt-port\":\"pf0vf0\",\"vf-pci\":\"0000:01:02.3\","
                                   "\"pf-pci\":\"0000:01:00.0\",\"candidates\":[\"eth0\",\"eth1\"],"
                                   "\"source\":\"derived\",\"selected-by\":\"first\",\"function-type\":\"vf\",\"cached\":true,\"generation\":"));
  g_assert_cmpint (run.status, ==, 0);

  CTL (&again, "topology", f->address_flag, "--json");
  /* Seen missing once under valgrind, not since: say what came instead. */
  if (strstr (again.out, "\"pfs\":[{\"pci\":\"0000:01:00.0\"") == NULL)
    g_printerr ("# topology --json printed: %s\n# and on stderr: %s\n", again.out, again.err);
  g_assert_true (g_str_has_prefix (again.out, "{\"generation\":"));
  g_assert_nonnull (strstr (again.out, "\"pfs\":[{\"pci\":\"0000:01:00.0\""));
}

/* The example hardware; the test data says whether to ask for --json. */
static void
monitor_setup (ServiceFixture *f, gconstpointer json)
{
  service_setup (f, EXAMPLE);
}

/* Reads lines from @stream until one equals @expected (deadline), collecting them into @seen. */
static gboolean
read_until_line (GDataInputStream *stream, const char *expected, GString *seen)
{
  for (;;)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *line = g_data_input_stream_read_line_utf8 (stream, NULL, NULL, &error);

      if (line == NULL)
        return FALSE;
      g_string_append_printf (seen, "%s\n", line);
      if (strcmp (line, expected) == 0)
        return TRUE;
    }
}

static void
test_service_monitor (ServiceFixture *f, gconstpointer json)
{
  g_autoptr(GSubprocess) monitor = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(GString) seen = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *ctl = ctl_path ();
  gboolean as_json = GPOINTER_TO_INT (json);

  monitor = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, ctl, "monitor", f->address_flag,
                              as_json ? "--json" : NULL, NULL);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (monitor));

  /* Once it has seen the service, change the hardware and have the service look. */
  {
    g_autoptr(GError) local_error = NULL;
    g_autofree char *first = g_data_input_stream_read_line_utf8 (out, NULL, NULL, &local_error);
    g_assert_nonnull (first);
    g_assert_true (g_str_has_prefix (first, as_json ? "{\"signal\":\"ServiceStarted\",\"owner\":\":" : "ServiceStarted :"));
  }
  dpugw_test_remove (f->testbed, "class/net/eth0");
  dpugw_test_remove (f->testbed, "devices/pci0000:00/0000:00:02.0/0000:01:00.0/net/eth0/device");
  {
    g_autofree char *dir = dpugw_test_path (f->testbed, "devices/pci0000:00/0000:00:02.0/0000:01:00.0/net/eth0");
    const char *rm[] = { "rm", "-rf", dir, NULL };
    int status;
    g_assert_true (g_spawn_sync (NULL, (char **) rm, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, &status, NULL));
  }
  {
    g_autoptr(GDBusConnection) bus = g_dbus_connection_new_for_address_sync (
        f->address, G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT | G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
        NULL, NULL, &error);
    g_autoptr(GVariant) reply = NULL;

    g_assert_no_error (error);
    reply = g_dbus_connection_call_sync (bus, "org.ovnk.DpuGateway", "/org/ovnk/DpuGateway", "org.ovnk.DpuGateway",
                                         "Refresh", NULL, NULL, G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
    g_assert_no_error (error);
  }

  if (as_json)
    {
      g_assert_true (read_until_line (out, "{\"signal\":\"GatewayChanged\",\"vf-pci\":\"0000:01:02.3\","
                                           "\"old-interface\":\"eth0\",\"new-interface\":\"eth1\"}", seen));
      g_assert_true (read_until_line (out, "{\"signal\":\"TopologyChanged\",\"generation\":2}", seen));
    }
  else
    {
      g_assert_true (read_until_line (out, "GatewayChanged 0000:01:02.3 eth0 -> eth1", seen));
      g_assert_true (read_until_line (out, "TopologyChanged generation=2", seen));
      g_assert_true (read_until_line (out, "PropertiesChanged GatewayInterface=eth1 Generation=2", seen));
    }

  /* Interrupted, it ends well. */
  g_subprocess_send_signal (monitor, SIGINT);
  g_assert_true (g_subprocess_wait (monitor, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (monitor));
  g_assert_cmpint (g_subprocess_get_exit_status (monitor), ==, 0);
}

/* status --local: the configuration this process loaded, and its resolution. */
static void
test_status_local (Fixture *f, gconstpointer unused)
{
  g_auto(Run) run = { 0 };
  g_auto(Run) json = { 0 };
  g_autofree char *expected = g_strdup_printf (
      "Service:            (not asked: --local)\n"
      "Configuration:\n"
      "  mode                        dpu-host\n"
      "  mgmt-port-netdev            pf0vf0\n"
      "  gateway-interface           derive-from-mgmt-port\n"
      "  gateway-select              first\n"
      "  sysfs-root                  %s\n"
      "Management port:    pf0vf0\n"
      "Gateway interface:  eth0\n"
      "  VF 0000:01:02.3 -> PF 0000:01:00.0, candidates eth0 eth1, selected by first, derived\n"
      "Last error:         none\n", f->root);

  CTL (&run, "status", "--local", "--config-file=", "--sysfs-root", f->root, "--ovnkube-node-mode=dpu-host",
       "--ovnkube-node-mgmt-port-netdev=pf0vf0", "--gateway-interface=derive-from-mgmt-port");
  g_assert_cmpstr (run.err, ==, "");
  g_assert_cmpstr (run.out, ==, expected);
  g_assert_cmpint (run.status, ==, 0);

  /* A configured port that does not resolve: the error, and exit 0 (status reports, it does not fail). */
  CTL (&json, "status", "--local", "--json", "--config-file=", "--sysfs-root", f->root,
       "--ovnkube-node-mode=dpu-host", "--ovnkube-node-mgmt-port-netdev=eth0",
       "--gateway-interface=derive-from-mgmt-port");
  g_assert_cmpint (json.status, ==, 0);
  g_assert_nonnull (strstr (json.out, "\"interface\":\"\""));
  g_assert_nonnull (strstr (json.out, "\"last-error\":\"failed to get PF PCI address: 0000:01:00.0 is not a virtual function"));
}

/* status against the service: its configuration in effect, resolution, LastError and Generation. */
static void
test_status_service (ServiceFixture *f, gconstpointer unused)
{
  g_auto(Run) run = { 0 };
  g_auto(Run) json = { 0 };

  CTL (&run, "status", f->address_flag);
  g_assert_cmpstr (run.err, ==, "");
  g_assert_cmpint (run.status, ==, 0);
  g_assert_true (g_str_has_prefix (run.out, "Service:            org.ovnk.DpuGateway "));
  g_assert_nonnull (strstr (run.out, "\n  mode                        dpu-host\n"));
  g_assert_nonnull (strstr (run.out, "\n  mgmt-port-netdev            pf0vf0\n"));
  g_assert_nonnull (strstr (run.out, "\nManagement port:    pf0vf0\nGateway interface:  eth0\n"
                                     "  VF 0000:01:02.3 -> PF 0000:01:00.0, candidates eth0 eth1, selected by first, derived\n"
                                     "Last error:         none\nGeneration:         "));

  CTL (&json, "status", f->address_flag, "--json");
  g_assert_cmpint (json.status, ==, 0);
  g_assert_true (g_str_has_prefix (json.out, "{\"version\":\"org.ovnk.DpuGateway "));
  g_assert_nonnull (strstr (json.out, "\"mgmt-port\":\"pf0vf0\",\"interface\":\"eth0\",\"vf-pci\":\"0000:01:02.3\""));
  g_assert_nonnull (strstr (json.out, "\"last-error\":\"\",\"generation\":"));
}

static void
test_service_unreachable (void)
{
  g_auto(Run) run = { 0 };
  const char *env[] = { "DBUS_SYSTEM_BUS_ADDRESS=unix:path=/nonexistent/bus", NULL };

  CTL_ENV (&run, env, "resolve", "pf0vf0");
  g_assert_cmpstr (run.out, ==, "");
  g_assert_true (g_str_has_prefix (run.err, "dpu-gatewayctl: cannot reach org.ovnk.DpuGateway on the system bus: "));
  g_assert_cmpint (run.status, ==, 3);
}

/* A bus without the service: exit 3 as well. */
static void
test_service_absent (void)
{
  g_autoptr(GTestDBus) bus = g_test_dbus_new (G_TEST_DBUS_NONE);
  g_autofree char *flag = NULL;

  g_test_dbus_up (bus);
  flag = g_strconcat ("--address=", g_test_dbus_get_bus_address (bus), NULL);
  {
    g_auto(Run) run = { 0 };
    CTL (&run, "topology", flag);
    g_assert_true (g_str_has_prefix (run.err, "dpu-gatewayctl: cannot reach org.ovnk.DpuGateway on "));
    g_assert_cmpint (run.status, ==, 3);
  }
  g_test_dbus_down (bus);
}

static void
test_service_options (void)
{
  {
    g_auto(Run) run = { 0 };
    CTL (&run, "resolve", "--ovnkube-node-mgmt-port-netdev=pf0vf0");
    g_assert_cmpstr (run.err, ==, "dpu-gatewayctl: --sysfs-root and the configuration flags apply with --local "
                                  "only; the service uses its own configuration\n");
    g_assert_cmpint (run.status, ==, 2);
  }
  {
    g_auto(Run) run = { 0 };
    CTL (&run, "resolve", "--local", "--session");
    g_assert_cmpint (run.status, ==, 2);
  }
  {
    g_auto(Run) run = { 0 };
    CTL (&run, "topology", "--system", "--address=unix:path=/x");
    g_assert_cmpstr (run.err, ==, "dpu-gatewayctl: --system, --session and --address exclude each other\n");
    g_assert_cmpint (run.status, ==, 2);
  }
}

/* --- gateway selection, --all, hints, scalable functions --------------------- */

#define SWITCHDEV "tests/fixtures/switchdev.umockdev"
#define SCALABLE  "tests/fixtures/scalable-function.umockdev"

#define SWITCHDEV_HINT                                                                             \
  "eth0 looks like a VF representor (phys_port_name pf0vf0); the PF's uplink is pf0 "             \
  "(phys_port_name p0): consider --gateway-select=uplink"
#define SWITCHDEV_HINT_LINE "dpu-gatewayctl: hint: " SWITCHDEV_HINT "\n"
#define SWITCHDEV_NO_MATCH                                                                         \
  "dpu-gatewayctl: no netdev of PF 0000:3b:00.0 matches the gateway selection rules name=zz* "    \
  "(netdevs: eth0, eth1, eth2, pf0)\n"

/* --all: every interface the deciding rule matched, a line each; the hint on stderr. */
static void
test_resolve_all (Fixture *f, gconstpointer unused)
{
  const char *forms[] = { "--all", "-a" };

  for (gsize i = 0; i < G_N_ELEMENTS (forms); i++)
    {
      g_auto(Run) run = { 0 };

      CTL (&run, "resolve", "--local", forms[i], "--config-file=", "--sysfs-root", f->root, "ens2f0v1");
      g_assert_cmpstr (run.out, ==, "eth0\neth1\neth2\npf0\n");
      g_assert_cmpstr (run.err, ==, SWITCHDEV_HINT_LINE);
      g_assert_cmpint (run.status, ==, 0);
    }
  {
    /* By VF PCI address, the same. */
    g_auto(Run) run = { 0 };

    CTL (&run, "resolve", "--local", "--all", "--config-file=", "--sysfs-root", f->root, "0000:3b:00.2");
    g_assert_cmpstr (run.out, ==, "eth0\neth1\neth2\npf0\n");
    g_assert_cmpstr (run.err, ==, SWITCHDEV_HINT_LINE);
    g_assert_cmpint (run.status, ==, 0);
  }
}

/* The example's PF: both netdevs, no phys_port_name, no hint. */
static void
test_resolve_all_example (Fixture *f, gconstpointer unused)
{
  g_auto(Run) run = { 0 };
  g_auto(Run) json = { 0 };

  CTL (&run, "resolve", "--local", "--all", "--config-file=", "--sysfs-root", f->root, "pf0vf0");
  g_assert_cmpstr (run.out, ==, "eth0\neth1\n");
  g_assert_cmpstr (run.err, ==, "");
  g_assert_cmpint (run.status, ==, 0);

  CTL (&json, "resolve", "--local", "--all", "--json", "--config-file=", "--sysfs-root", f->root, "pf0vf0");
  g_assert_cmpstr (json.out, ==,
                   "{\"interface\":\"eth0\",\"interfaces\":[\"eth0\",\"eth1\"],\"mgmt-port\":\"pf0vf0\","
                   "\"vf-pci\":\"0000:01:02.3\",\"pf-pci\":\"0000:01:00.0\",\"candidates\":[\"eth0\",\"eth1\"],"
                   "\"source\":\"derived\",\"selected-by\":\"first\",\"function-type\":\"vf\"}\n");
  g_assert_cmpstr (json.err, ==, "");
  g_assert_cmpint (json.status, ==, 0);
}

/* --json: "interfaces" with --all only; the hint a member, not on stderr. */
static void
test_resolve_all_json (Fixture *f, gconstpointer unused)
{
  {
    g_auto(Run) run = { 0 };

    CTL (&run, "resolve", "--local", "--json", "--all", "--config-file=", "--sysfs-root", f->root, "ens2f0v1");
    g_assert_cmpstr (run.out, ==,
                     "{\"interface\":\"eth0\",\"interfaces\":[\"eth0\",\"eth1\",\"eth2\",\"pf0\"],"
                     "\"mgmt-port\":\"ens2f0v1\",\"vf-pci\":\"0000:3b:00.3\",\"pf-pci\":\"0000:3b:00.0\","
                     "\"candidates\":[\"eth0\",\"eth1\",\"eth2\",\"pf0\"],\"source\":\"derived\","
                     "\"selected-by\":\"first\",\"function-type\":\"vf\",\"hint\":\"" SWITCHDEV_HINT "\"}\n");
    g_assert_cmpstr (run.err, ==, "");
    g_assert_cmpint (run.status, ==, 0);
  }
  {
    g_auto(Run) run = { 0 };

    CTL (&run, "resolve", "--local", "--json", "--config-file=", "--sysfs-root", f->root, "ens2f0v1");
    g_assert_null (strstr (run.out, "\"interfaces\""));
    g_assert_nonnull (strstr (run.out, ",\"hint\":\"" SWITCHDEV_HINT "\"}\n"));
    g_assert_cmpstr (run.err, ==, "");
    g_assert_cmpint (run.status, ==, 0);
  }
}

/* Text mode: the interface alone on stdout, the hint on stderr; none when the rule is not `first`. */
static void
test_resolve_hint (Fixture *f, gconstpointer unused)
{
  {
    g_auto(Run) run = { 0 };

    CTL (&run, "resolve", "--local", "--config-file=", "--sysfs-root", f->root, "ens2f0v1");
    g_assert_cmpstr (run.out, ==, "eth0\n");
    g_assert_cmpstr (run.err, ==, SWITCHDEV_HINT_LINE);
    g_assert_cmpint (run.status, ==, 0);
  }
  {
    g_auto(Run) run = { 0 };

    CTL (&run, "resolve", "--local", "--config-file=", "--sysfs-root", f->root, "--gateway-select=name=eth*",
         "ens2f0v1");
    g_assert_cmpstr (run.out, ==, "eth0\n");
    g_assert_cmpstr (run.err, ==, "");
    g_assert_cmpint (run.status, ==, 0);
  }
}

static void
test_resolve_gateway_select (Fixture *f, gconstpointer unused)
{
  {
    g_auto(Run) run = { 0 };

    CTL (&run, "resolve", "--local", "--config-file=", "--sysfs-root", f->root, "--gateway-select=uplink",
         "ens2f0v1");
    g_assert_cmpstr (run.out, ==, "pf0\n");
    g_assert_cmpstr (run.err, ==, "");
    g_assert_cmpint (run.status, ==, 0);
  }
  {
    g_auto(Run) run = { 0 };

    CTL (&run, "resolve", "--local", "--all", "--json", "--config-file=", "--sysfs-root", f->root,
         "--gateway-select=uplink,first", "ens2f0v1");
    g_assert_cmpstr (run.out, ==,
                     "{\"interface\":\"pf0\",\"interfaces\":[\"pf0\"],\"mgmt-port\":\"ens2f0v1\","
                     "\"vf-pci\":\"0000:3b:00.3\",\"pf-pci\":\"0000:3b:00.0\","
                     "\"candidates\":[\"eth0\",\"eth1\",\"eth2\",\"pf0\"],\"source\":\"derived\","
                     "\"selected-by\":\"uplink\",\"function-type\":\"vf\"}\n");
    g_assert_cmpstr (run.err, ==, "");
    g_assert_cmpint (run.status, ==, 0);
  }
  {
    g_auto(Run) run = { 0 };

    CTL (&run, "resolve", "--local", "--all", "--config-file=", "--sysfs-root", f->root,
         "--gateway-select=name=nomatch, name=e*", "ens2f0v1");
    g_assert_cmpstr (run.out, ==, "eth0\neth1\neth2\n");
    g_assert_cmpstr (run.err, ==, "");
    g_assert_cmpint (run.status, ==, 0);
  }
  {
    /* The configured port, with the rules from the file. */
    g_autofree char *path = NULL;
    g_autofree char *file_arg = NULL;
    g_autoptr(GError) error = NULL;
    g_auto(Run) run = { 0 };
    int fd = g_file_open_tmp ("dpugw-XXXXXX.conf", &path, &error);

    g_assert_no_error (error);
    close (fd);
    g_assert_true (g_file_set_contents (path,
                                        "[OvnKubeNode]\nmode=dpu-host\nmgmt-port-netdev=ens2f0v1\n\n"
                                        "[Gateway]\ninterface=derive-from-mgmt-port\nselect = uplink, first\n",
                                        -1, &error));
    file_arg = g_strconcat ("--config-file=", path, NULL);
    CTL (&run, "resolve", "--local", file_arg, "--sysfs-root", f->root);
    g_assert_cmpstr (run.out, ==, "pf0\n");
    g_assert_cmpstr (run.err, ==, "");
    g_assert_cmpint (run.status, ==, 0);
    g_unlink (path);
  }
}

static void
test_resolve_gateway_select_invalid (Fixture *f, gconstpointer unused)
{
  struct {
    const char *flag;
    const char *err;
  } cases[] = {
    { "--gateway-select=bogus",
      "dpu-gatewayctl: invalid gateway selection rule \"bogus\": expected first, uplink, up or name=GLOB "
      "(from --gateway-select)\n" },
    { "--gateway-select=name=x/y",
      "dpu-gatewayctl: invalid gateway selection rule \"name=x/y\": expected first, uplink, up or name=GLOB "
      "(from --gateway-select)\n" },
    { "--gateway-select=up,,first",
      "dpu-gatewayctl: invalid gateway selection rule \"\": expected first, uplink, up or name=GLOB "
      "(from --gateway-select)\n" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_auto(Run) run = { 0 };

      CTL (&run, "resolve", "--local", "--config-file=", "--sysfs-root", f->root, cases[i].flag, "ens2f0v1");
      g_assert_cmpstr (run.out, ==, "");
      g_assert_cmpstr (run.err, ==, cases[i].err);
      g_assert_cmpint (run.status, ==, 2);
    }
}

/* No rule matches: exit 1, the library's message. */
static void
test_resolve_no_match (Fixture *f, gconstpointer unused)
{
  const char *modes[] = { "--all", "--json", "--local" };

  for (gsize i = 0; i < G_N_ELEMENTS (modes); i++)
    {
      g_auto(Run) run = { 0 };

      CTL (&run, "resolve", "--local", modes[i], "--config-file=", "--sysfs-root", f->root,
           "--gateway-select=name=zz*", "ens2f0v1");
      g_assert_cmpstr (run.out, ==, "");
      g_assert_cmpstr (run.err, ==, SWITCHDEV_NO_MATCH);
      g_assert_cmpint (run.status, ==, 1);
    }
}

/* A scalable function as the management port: "sf" in the JSON. */
static void
test_resolve_scalable_function (Fixture *f, gconstpointer unused)
{
  g_auto(Run) run = { 0 };
  g_auto(Run) text = { 0 };

  CTL (&run, "resolve", "--local", "--json", "--all", "--config-file=", "--sysfs-root", f->root,
       "--gateway-select=uplink", "en3f0pf0sf88");
  g_assert_cmpstr (run.out, ==,
                   "{\"interface\":\"p0\",\"interfaces\":[\"p0\"],\"mgmt-port\":\"en3f0pf0sf88\",\"vf-pci\":\"\","
                   "\"pf-pci\":\"0000:03:00.0\",\"candidates\":[\"p0\",\"pf0hpf\",\"pf0vf0\"],"
                   "\"source\":\"derived\",\"selected-by\":\"uplink\",\"function-type\":\"sf\","
                   "\"sf\":\"mlx5_core.sf.2\"}\n");
  g_assert_cmpstr (run.err, ==, "");
  g_assert_cmpint (run.status, ==, 0);

  CTL (&text, "resolve", "--local", "--all", "--config-file=", "--sysfs-root", f->root, "en3f0pf0sf88");
  g_assert_cmpstr (text.out, ==, "p0\npf0hpf\npf0vf0\n");
  g_assert_cmpstr (text.err, ==, "");
  g_assert_cmpint (text.status, ==, 0);
}

/*
 * A service on @recording with the daemon flags @daemon_args (after --config-file=), ready once
 * `resolve @probe` gets any answer but "unreachable" (3).
 */
static void
service_start (ServiceFixture *f, const char *recording, const char *probe, const char * const *daemon_args)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) envp = NULL;
  gint64 deadline;

  f->testbed = dpugw_test_testbed_new (&f->sysfs, recording, NULL);
  f->bus = g_test_dbus_new (G_TEST_DBUS_NONE);
  g_test_dbus_up (f->bus);
  f->address = g_strdup (g_test_dbus_get_bus_address (f->bus));
  f->address_flag = g_strconcat ("--address=", f->address, NULL);

  envp = child_environ (NULL);
  envp = g_environ_setenv (envp, "DBUS_SYSTEM_BUS_ADDRESS", f->address, TRUE);
  g_ptr_array_add (argv, g_build_filename (g_getenv ("DPUGW_TEST_BUILDDIR"), "src", "daemon", "dpu-gatewayd", NULL));
  g_ptr_array_add (argv, g_strdup ("--sysfs-root"));
  g_ptr_array_add (argv, g_strdup (dpugw_sysfs_get_root (f->sysfs)));
  g_ptr_array_add (argv, g_strdup ("--config-file="));
  for (guint i = 0; daemon_args != NULL && daemon_args[i] != NULL; i++)
    g_ptr_array_add (argv, g_strdup (daemon_args[i]));
  g_ptr_array_add (argv, NULL);
  g_assert_true (g_spawn_async (NULL, (char **) argv->pdata, envp, G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL,
                                &f->daemon, &error));
  g_assert_no_error (error);

  deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  for (;;)
    {
      g_auto(Run) run = { 0 };
      CTL (&run, "resolve", f->address_flag, probe);
      if (run.status != 3)
        break;
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (20000);
    }
}

static void
switchdev_service_setup (ServiceFixture *f, gconstpointer unused)
{
  service_start (f, SWITCHDEV, "ens2f0v1", NULL);
}

static void
uplink_service_setup (ServiceFixture *f, gconstpointer unused)
{
  service_start (f, SWITCHDEV, "ens2f0v1", (const char *[]) { "--gateway-select=uplink", NULL });
}

static void
no_match_service_setup (ServiceFixture *f, gconstpointer unused)
{
  service_start (f, EXAMPLE, "pf0vf0", (const char *[]) { "--gateway-select=name=zz*", NULL });
}

/* resolve --all against the service equals --local --all (the example, configured pf0vf0). */
static void
test_service_all_same_as_local (ServiceFixture *f, gconstpointer unused)
{
  const char *root = dpugw_sysfs_get_root (f->sysfs);
  const char *ports[] = { "pf0vf0", "0000:01:02.4", "pf0vf9", "eth0", "lo", "0000:01:02.7", "../x" };

  for (gsize i = 0; i < G_N_ELEMENTS (ports); i++)
    {
      g_auto(Run) local = { 0 };
      g_auto(Run) service = { 0 };

      CTL (&local, "resolve", "--local", "--all", "--config-file=", "--sysfs-root", root, ports[i]);
      CTL (&service, "resolve", "--all", f->address_flag, ports[i]);
      g_assert_cmpstr (service.out, ==, local.out);
      g_assert_cmpstr (service.err, ==, local.err);
      g_assert_cmpint (service.status, ==, local.status);
    }
  {
    g_auto(Run) unconfigured = { 0 };
    g_auto(Run) local = { 0 };
    g_auto(Run) service = { 0 };

    CTL (&unconfigured, "resolve", "--local", "--all", "--config-file=", "--sysfs-root", root);
    g_assert_cmpint (unconfigured.status, ==, 2); /* nothing configured locally */
    CTL (&local, "resolve", "--local", "--all", "--config-file=", "--sysfs-root", root,
         "--ovnkube-node-mode=dpu-host", "--ovnkube-node-mgmt-port-netdev=pf0vf0",
         "--gateway-interface=derive-from-mgmt-port");
    /* "": the service's configured port, as the same flags say locally. */
    CTL (&service, "resolve", "--all", f->address_flag);
    g_assert_cmpstr (service.out, ==, "eth0\neth1\n");
    g_assert_cmpstr (service.out, ==, local.out);
    g_assert_cmpstr (service.err, ==, local.err);
    g_assert_cmpint (service.status, ==, 0);
  }
  {
    g_auto(Run) service = { 0 };

    CTL (&service, "resolve", "--all", "--json", f->address_flag, "pf0vf1");
    g_assert_true (g_str_has_prefix (service.out,
                                     "{\"interface\":\"eth0\",\"interfaces\":[\"eth0\",\"eth1\"],"
                                     "\"mgmt-port\":\"pf0vf1\",\"vf-pci\":\"0000:01:02.4\","
                                     "\"pf-pci\":\"0000:01:00.0\",\"candidates\":[\"eth0\",\"eth1\"],"
                                     "\"source\":\"derived\",\"selected-by\":\"first\",\"function-type\":\"vf\","
                                     "\"cached\":"));
    g_assert_cmpint (service.status, ==, 0);
  }
}

/* Switchdev through the service: the same lines, the same hint on stderr, the hint in the JSON. */
static void
test_service_switchdev_hint (ServiceFixture *f, gconstpointer unused)
{
  const char *root = dpugw_sysfs_get_root (f->sysfs);
  const char *modes[] = { "--all", NULL };

  for (gsize i = 0; i < G_N_ELEMENTS (modes); i++)
    {
      g_auto(Run) local = { 0 };
      g_auto(Run) service = { 0 };

      if (modes[i] != NULL)
        {
          CTL (&local, "resolve", "--local", modes[i], "--config-file=", "--sysfs-root", root, "ens2f0v1");
          CTL (&service, "resolve", modes[i], f->address_flag, "ens2f0v1");
          g_assert_cmpstr (service.out, ==, "eth0\neth1\neth2\npf0\n");
        }
      else
        {
          CTL (&local, "resolve", "--local", "--config-file=", "--sysfs-root", root, "ens2f0v1");
          CTL (&service, "resolve", f->address_flag, "ens2f0v1");
          g_assert_cmpstr (service.out, ==, "eth0\n");
        }
      g_assert_cmpstr (service.err, ==, SWITCHDEV_HINT_LINE);
      g_assert_cmpstr (service.out, ==, local.out);
      g_assert_cmpstr (service.err, ==, local.err);
      g_assert_cmpint (service.status, ==, 0);
      g_assert_cmpint (local.status, ==, 0);
    }
  {
    g_auto(Run) service = { 0 };

    CTL (&service, "resolve", "--json", "--all", f->address_flag, "ens2f0v1");
    g_assert_true (g_str_has_prefix (service.out, "{\"interface\":\"eth0\",\"interfaces\":[\"eth0\",\"eth1\",\"eth2\",\"pf0\"],"));
    g_assert_nonnull (strstr (service.out, ",\"selected-by\":\"first\",\"function-type\":\"vf\",\"hint\":\""
                                           SWITCHDEV_HINT "\",\"cached\":"));
    g_assert_cmpstr (service.err, ==, "");
    g_assert_cmpint (service.status, ==, 0);
  }
}

/* The service's own --gateway-select=uplink. */
static void
test_service_uplink (ServiceFixture *f, gconstpointer unused)
{
  const char *root = dpugw_sysfs_get_root (f->sysfs);
  g_auto(Run) local = { 0 };
  g_auto(Run) service = { 0 };
  g_auto(Run) all = { 0 };

  CTL (&local, "resolve", "--local", "--config-file=", "--sysfs-root", root, "--gateway-select=uplink", "ens2f0v1");
  CTL (&service, "resolve", f->address_flag, "ens2f0v1");
  g_assert_cmpstr (service.out, ==, "pf0\n");
  g_assert_cmpstr (service.err, ==, "");
  g_assert_cmpstr (service.out, ==, local.out);
  g_assert_cmpint (service.status, ==, 0);

  CTL (&all, "resolve", "--all", f->address_flag, "0000:3b:00.4");
  g_assert_cmpstr (all.out, ==, "pf0\n");
  g_assert_cmpint (all.status, ==, 0);
}

/* NoMatch from the service: exit 1 with the library's message, as --local. */
static void
test_service_no_match (ServiceFixture *f, gconstpointer unused)
{
  const char *root = dpugw_sysfs_get_root (f->sysfs);
  const char *expected = "dpu-gatewayctl: no netdev of PF 0000:01:00.0 matches the gateway selection rules "
                         "name=zz* (netdevs: eth0, eth1)\n";
  const char *modes[] = { "--all", "--json" };

  for (gsize i = 0; i < G_N_ELEMENTS (modes); i++)
    {
      g_auto(Run) local = { 0 };
      g_auto(Run) service = { 0 };

      CTL (&local, "resolve", "--local", modes[i], "--config-file=", "--sysfs-root", root,
           "--gateway-select=name=zz*", "pf0vf0");
      CTL (&service, "resolve", modes[i], f->address_flag, "pf0vf0");
      g_assert_cmpstr (service.out, ==, "");
      g_assert_cmpstr (service.err, ==, expected);
      g_assert_cmpint (service.status, ==, 1);
      g_assert_cmpstr (local.err, ==, service.err);
      g_assert_cmpint (local.status, ==, service.status);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, recording, func) \
  g_test_add (path, Fixture, recording, fixture_setup, func, fixture_teardown)

  ADD ("/ctl/resolve/netdev", EXAMPLE, test_resolve_netdev);
  ADD ("/ctl/resolve/pci", EXAMPLE, test_resolve_pci);
  ADD ("/ctl/resolve/json", EXAMPLE, test_resolve_json);
  ADD ("/ctl/resolve/configured-flags", EXAMPLE, test_resolve_configured_flags);
  ADD ("/ctl/resolve/configured-file-env", EXAMPLE, test_resolve_configured_file_env);
  ADD ("/ctl/resolve/device-plugin", EXAMPLE, test_resolve_device_plugin);
  ADD ("/ctl/resolve/explicit", EXAMPLE, test_resolve_explicit);
  ADD ("/ctl/resolve/renamed", "tests/fixtures/renamed-mgmt.umockdev", test_resolve_renamed);
  ADD ("/ctl/resolve/errors", EXAMPLE, test_resolve_errors);
  ADD ("/ctl/resolve/no-netdevs", "tests/fixtures/pf-no-net.umockdev", test_resolve_no_netdevs);
  ADD ("/ctl/usage-errors", EXAMPLE, test_usage_errors);
  ADD ("/ctl/topology/example", EXAMPLE, test_topology);
  ADD ("/ctl/topology/switchdev", "tests/fixtures/switchdev.umockdev", test_topology_switchdev);
  g_test_add_func ("/ctl/version-help", test_version_help);
  g_test_add_func ("/ctl/real-sysfs-lo", test_real_sysfs_lo);
  g_test_add ("/ctl/service/same-as-local", ServiceFixture, EXAMPLE, service_setup,
              test_service_same_as_local, service_teardown);
  g_test_add ("/ctl/service/configured-json", ServiceFixture, EXAMPLE, service_setup,
              test_service_configured_json, service_teardown);
  g_test_add ("/ctl/service/monitor", ServiceFixture, NULL, monitor_setup,
              test_service_monitor, service_teardown);
  g_test_add ("/ctl/service/monitor-json", ServiceFixture, GINT_TO_POINTER (1), monitor_setup,
              test_service_monitor, service_teardown);
  ADD ("/ctl/status/local", EXAMPLE, test_status_local);
  g_test_add ("/ctl/status/service", ServiceFixture, EXAMPLE, service_setup, test_status_service, service_teardown);
  g_test_add_func ("/ctl/service/unreachable", test_service_unreachable);
  g_test_add_func ("/ctl/service/absent", test_service_absent);
  g_test_add_func ("/ctl/service/options", test_service_options);

  ADD ("/ctl/resolve/all", SWITCHDEV, test_resolve_all);
  ADD ("/ctl/resolve/all-example", EXAMPLE, test_resolve_all_example);
  ADD ("/ctl/resolve/all-json", SWITCHDEV, test_resolve_all_json);
  ADD ("/ctl/resolve/hint", SWITCHDEV, test_resolve_hint);
  ADD ("/ctl/resolve/gateway-select", SWITCHDEV, test_resolve_gateway_select);
  ADD ("/ctl/resolve/gateway-select-invalid", SWITCHDEV, test_resolve_gateway_select_invalid);
  ADD ("/ctl/resolve/no-match", SWITCHDEV, test_resolve_no_match);
  ADD ("/ctl/resolve/scalable-function", SCALABLE, test_resolve_scalable_function);
  g_test_add ("/ctl/service/all-same-as-local", ServiceFixture, EXAMPLE, service_setup,
              test_service_all_same_as_local, service_teardown);
  g_test_add ("/ctl/service/switchdev-hint", ServiceFixture, NULL, switchdev_service_setup,
              test_service_switchdev_hint, service_teardown);
  g_test_add ("/ctl/service/uplink", ServiceFixture, NULL, uplink_service_setup,
              test_service_uplink, service_teardown);
  g_test_add ("/ctl/service/no-match", ServiceFixture, NULL, no_match_service_setup,
              test_service_no_match, service_teardown);

  return g_test_run ();
}
