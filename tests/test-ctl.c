/* SPDX-License-Identifier: Apache-2.0
 *
 * dpu-gatewayctl, the real binary: output, messages and exit codes over
 * fixture hardware, and once over this machine's real /sys; against the
 * service (testdaemon.h: each such test in a subprocess of its own).
 */
#include "config.h"
#include "testdaemon.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>

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
  g_auto(DpugwTestRun) run = { 0 };

  DPUGW_TEST_CTL (&run, "resolve", "--local", "--config-file=", "--sysfs-root", f->root, "pf0vf0");
  g_assert_cmpstr (run.err, ==, "");
  g_assert_cmpstr (run.out, ==, "eth0\n");
  g_assert_cmpint (run.status, ==, 0);
}

static void
test_resolve_pci (Fixture *f, gconstpointer unused)
{
  g_auto(DpugwTestRun) run = { 0 };

  DPUGW_TEST_CTL (&run, "resolve", "-l", "--config-file=", "--sysfs-root", f->root, "0000:01:02.4");
  g_assert_cmpstr (run.err, ==, "");
  g_assert_cmpstr (run.out, ==, "eth0\n");
  g_assert_cmpint (run.status, ==, 0);
}

static void
test_resolve_json (Fixture *f, gconstpointer unused)
{
  g_auto(DpugwTestRun) run = { 0 };

  DPUGW_TEST_CTL (&run, "resolve", "--local", "--json", "--config-file=", "--sysfs-root", f->root, "pf0vf0");
  g_assert_cmpint (run.status, ==, 0);
  g_assert_cmpstr (run.out, ==,
                   "{\"interface\":\"eth0\",\"mgmt-port\":\"pf0vf0\",\"vf-pci\":\"0000:01:02.3\","
                   "\"pf-pci\":\"0000:01:00.0\",\"candidates\":[\"eth0\",\"eth1\"],\"source\":\"derived\",\"selected-by\":\"first\",\"function-type\":\"vf\",\"ovnkube-compatible\":true}\n");
}

static void
test_resolve_configured_flags (Fixture *f, gconstpointer unused)
{
  g_auto(DpugwTestRun) run = { 0 };

  DPUGW_TEST_CTL (&run, "resolve", "--local", "--config-file=", "--sysfs-root", f->root,
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
  const char *ini = "[default]\nmtu=1400\n\n[OvnKubeNode]\nmode=dpu-host\nmgmt-port-netdev=eth0\n\n"
                    "[Gateway]\ninterface=derive-from-mgmt-port\nmode=local\n";
  const char *env[] = { "OVNKUBE_NODE_MGMT_PORT_NETDEV=pf0vf0", NULL };

  path = dpugw_test_temp_file (ini);
  file_arg = g_strconcat ("--config-file=", path, NULL);

  {
    /* The file alone names eth0, a PF: the PF error proves the file was read. */
    g_auto(DpugwTestRun) run = { 0 };
    DPUGW_TEST_CTL (&run, "resolve", "--local", file_arg, "--sysfs-root", f->root);
    g_assert_cmpstr (run.err, ==,
                     "dpu-gatewayctl: failed to get PF PCI address: 0000:01:00.0 is not a virtual function (no physfn link): it is an SR-IOV physical function (2 of 8 VFs enabled); use one of its VFs as the management port\n");
    g_assert_cmpint (run.status, ==, 1);
  }
  {
    /* The environment wins over the file. */
    g_auto(DpugwTestRun) run = { 0 };
    DPUGW_TEST_CTL_ENV (&run, env, "resolve", "--local", file_arg, "--sysfs-root", f->root, "--json");
    g_assert_true (g_str_has_prefix (run.out, "{\"interface\":\"eth0\",\"mgmt-port\":\"pf0vf0\""));
    g_assert_cmpint (run.status, ==, 0);
  }
  {
    /* And the flag wins over the environment. */
    g_auto(DpugwTestRun) run = { 0 };
    DPUGW_TEST_CTL_ENV (&run, env, "resolve", "--local", file_arg, "--sysfs-root", f->root, "--json",
             "--ovnkube-node-mgmt-port-netdev=pf0vf1");
    g_assert_true (g_str_has_prefix (run.out, "{\"interface\":\"eth0\",\"mgmt-port\":\"pf0vf1\""));
    g_assert_cmpint (run.status, ==, 0);
  }
  g_unlink (path);
}

/* gcfg's warnings reach the user with the file and line, and stop nothing. */
static void
test_resolve_config_warnings (Fixture *f, gconstpointer unused)
{
  g_autofree char *path = dpugw_test_temp_file ("[OvnKubeNode]\nmode=dpu-host\nmgmt-port-netdev=pf0vf0\n"
                                                "[Gatway]\ninterface=eth7\n[Gateway]\ninterface=derive-from-mgmt-port\n");
  g_autofree char *file_arg = g_strconcat ("--config-file=", path, NULL);
  g_autofree char *expected = g_strdup_printf ("dpu-gatewayctl: warning: %s:4: can't store data at section \"Gatway\" "
                                               "(not a section of ovnkube's; it and its variables are ignored)\n"
                                               "dpu-gatewayctl: warning: %s:5: can't store data at section \"Gatway\" "
                                               "(variable \"interface\" ignored)\n", path, path);
  g_auto(DpugwTestRun) run = { 0 };

  DPUGW_TEST_CTL (&run, "resolve", "--local", file_arg, "--sysfs-root", f->root);
  g_assert_cmpstr (run.err, ==, expected);
  g_assert_cmpstr (run.out, ==, "eth0\n");
  g_assert_cmpint (run.status, ==, 0);
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
    g_auto(DpugwTestRun) run = { 0 };
    DPUGW_TEST_CTL_ENV (&run, env, "resolve", "--local", "--json", "--config-file=", "--sysfs-root", f->root,
             "--gateway-interface=derive-from-mgmt-port");
    /* ovnkube.sh passes the resource instead of the netdev. */
    g_assert_cmpstr (run.err, ==,
                     "dpu-gatewayctl: warning: OVNKUBE_NODE_MGMT_PORT_NETDEV (\"pf0vf0\") is ignored: "
                     "OVNKUBE_NODE_MGMT_PORT_DP_RESOURCE_NAME (\"nvidia.com/mgmt_vf\") is set too, and ovnkube.sh "
                     "then passes ovnkube only --ovnkube-node-mgmt-port-dp-resource-name\n");
    g_assert_cmpstr (run.out, ==,
                     "{\"interface\":\"eth0\",\"mgmt-port\":\"pf0vf1\",\"vf-pci\":\"0000:01:02.4\","
                     "\"pf-pci\":\"0000:01:00.0\",\"candidates\":[\"eth0\",\"eth1\"],\"source\":\"device-plugin\",\"selected-by\":\"first\",\"function-type\":\"vf\",\"ovnkube-compatible\":true}\n");
    g_assert_cmpint (run.status, ==, 0);
  }
  {
    g_auto(DpugwTestRun) run = { 0 };
    DPUGW_TEST_CTL_ENV (&run, env_missing, "resolve", "--local", "--json", "--config-file=", "--sysfs-root", f->root,
             "--gateway-interface=derive-from-mgmt-port");
    /* So there is no netdev to fall back to without the device plugin's variable. */
    g_assert_true (g_str_has_suffix (run.err,
                                     "dpu-gatewayctl: gateway interface \"derive-from-mgmt-port\" from "
                                     "--gateway-interface needs a management port: the device plugin variable "
                                     "PCIDEVICE_NVIDIA_COM_MGMT_VF of resource \"nvidia.com/mgmt_vf\" from "
                                     "OVNKUBE_NODE_MGMT_PORT_DP_RESOURCE_NAME is not set, and no management port "
                                     "netdev is configured\n"));
    g_assert_cmpstr (run.out, ==, "");
    g_assert_cmpint (run.status, ==, 2);
  }
}

static void
test_resolve_explicit (Fixture *f, gconstpointer unused)
{
  g_auto(DpugwTestRun) run = { 0 };

  DPUGW_TEST_CTL (&run, "resolve", "--local", "--config-file=", "--sysfs-root", f->root, "--gateway-interface=eth7");
  g_assert_cmpstr (run.err, ==, "");
  g_assert_cmpstr (run.out, ==, "eth7\n");
  g_assert_cmpint (run.status, ==, 0);
}

/* No gateway interface in dpu-host mode: not derived from the configured management port, but
 * the link holding the node IP.  This runs in the machine's namespace, where lo holds
 * 127.0.0.0/8 (a prefix, so any address of it). */
static void
test_resolve_node_ip (Fixture *f, gconstpointer unused)
{
  g_auto(DpugwTestRun) run = { 0 };

  DPUGW_TEST_CTL (&run, "resolve", "--local", "--json", "--config-file=", "--sysfs-root", f->root,
                  "--ovnkube-node-mode=dpu-host", "--ovnkube-node-mgmt-port-netdev=pf0vf0", "--node-ip=127.0.0.53");
  g_assert_cmpstr (run.err, ==, "");
  g_assert_cmpstr (run.out, ==,
                   "{\"interface\":\"lo\",\"mgmt-port\":\"pf0vf0\",\"vf-pci\":\"\",\"pf-pci\":\"\","
                   "\"candidates\":[\"lo\"],\"source\":\"node-ip\",\"selected-by\":\"node-ip\","
                   "\"function-type\":\"\",\"node-ip\":\"127.0.0.53\",\"ovnkube-compatible\":true}\n");
  g_assert_cmpint (run.status, ==, 0);
}

/* status says how the node IP's link was found. */
static void
test_status_node_ip (Fixture *f, gconstpointer unused)
{
  g_auto(DpugwTestRun) run = { 0 };

  DPUGW_TEST_CTL (&run, "status", "--local", "--config-file=", "--sysfs-root", f->root,
                  "--ovnkube-node-mode=dpu-host", "--ovnkube-node-mgmt-port-netdev=pf0vf0", "--node-ip=127.0.0.53");
  g_assert_cmpstr (run.err, ==, "");
  g_assert_nonnull (strstr (run.out, "\n  node-ip                     127.0.0.53\n"));
  g_assert_nonnull (strstr (run.out, "\nManagement port:    pf0vf0\nGateway interface:  lo\n"
                                     "  the link holding the node IP 127.0.0.53, node-ip\nLast error:         none\n"));
  g_assert_cmpint (run.status, ==, 0);
}

static void
test_resolve_renamed (Fixture *f, gconstpointer unused)
{
  g_auto(DpugwTestRun) run = { 0 };

  DPUGW_TEST_CTL (&run, "resolve", "--local", "--json", "--config-file=", "--sysfs-root", f->root,
       "--ovnkube-node-mode=dpu-host", "--ovnkube-node-mgmt-port-netdev=pf0vf0",
       "--gateway-interface=derive-from-mgmt-port");
  g_assert_cmpstr (run.err, ==, "");
  g_assert_cmpstr (run.out, ==,
                   "{\"interface\":\"eth0\",\"mgmt-port\":\"ovn-k8s-mp0\",\"vf-pci\":\"0000:01:02.3\","
                   "\"pf-pci\":\"0000:01:00.0\",\"candidates\":[\"eth0\",\"eth1\"],\"source\":\"renamed-fallback\",\"selected-by\":\"first\",\"function-type\":\"vf\",\"ovnkube-compatible\":true}\n");
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
      g_auto(DpugwTestRun) run = { 0 };
      g_auto(GStrv) parts = g_strsplit (cases[i].message, "@ROOT@", -1);
      g_autofree char *message = g_strjoinv (f->root, parts);
      g_autofree char *expected = g_strconcat ("dpu-gatewayctl: ", message, "\n", NULL);

      DPUGW_TEST_CTL (&run, "resolve", "--local", "--config-file=", "--sysfs-root", f->root, cases[i].arg);
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
    g_auto(DpugwTestRun) run = { 0 };
    g_autofree char *expected = g_strdup_printf (
        "dpu-gatewayctl: failed to get network devices: cannot list the network devices of 0000:01:00.0 "
        "(%s/%s: No such file or directory)\n", f->root, net_dir);
    DPUGW_TEST_CTL (&run, "resolve", "--local", "--config-file=", "--sysfs-root", f->root, "pf0vf0");
    g_assert_cmpstr (run.err, ==, expected);
    g_assert_cmpint (run.status, ==, 1);
  }
  dpugw_test_mkdir (f->testbed, net_dir);
  {
    g_auto(DpugwTestRun) run = { 0 };
    DPUGW_TEST_CTL (&run, "resolve", "--local", "--config-file=", "--sysfs-root", f->root, "pf0vf0");
    g_assert_cmpstr (run.err, ==, "dpu-gatewayctl: no netdevs found for pci address 0000:01:00.0\n");
    g_assert_cmpint (run.status, ==, 1);
  }
}

static void
test_usage_errors (Fixture *f, gconstpointer unused)
{
  {
    g_auto(DpugwTestRun) run = { 0 };
    DPUGW_TEST_CTL (&run, "resolve", "--local", "--config-file=", "--sysfs-root", f->root, "pf0vf0", "pf0vf1");
    g_assert_cmpstr (run.err, ==, "dpu-gatewayctl: resolve takes at most one management port\n");
    g_assert_cmpint (run.status, ==, 2);
  }
  {
    g_auto(DpugwTestRun) run = { 0 };
    DPUGW_TEST_CTL (&run, "frobnicate");
    g_assert_true (g_str_has_prefix (run.err, "dpu-gatewayctl: unknown command 'frobnicate'\n"));
    g_assert_cmpint (run.status, ==, 2);
  }
  {
    g_auto(DpugwTestRun) run = { 0 };
    DPUGW_TEST_CTL (&run, "resolve", "--local", "--no-such-flag");
    g_assert_cmpstr (run.err, ==, "dpu-gatewayctl: Unknown option --no-such-flag\n");
    g_assert_cmpint (run.status, ==, 2);
  }
  {
    /* The configuration is checked: derive outside dpu-host mode. */
    g_auto(DpugwTestRun) run = { 0 };
    DPUGW_TEST_CTL (&run, "resolve", "--local", "--config-file=", "--sysfs-root", f->root,
         "--gateway-interface=derive-from-mgmt-port", "--ovnkube-node-mgmt-port-netdev=pf0vf0");
    g_assert_cmpstr (run.err, ==,
                     "dpu-gatewayctl: gateway interface \"derive-from-mgmt-port\" from --gateway-interface is "
                     "only valid in node mode dpu-host (node mode \"full\" from the default)\n");
    g_assert_cmpint (run.status, ==, 2);
  }
  {
    /* No gateway interface configured in dpu-host mode: the link holding the node IP.  This test
     * runs in the machine's own namespace: a link-local node IP is one no usable address holds
     * (ovnkube's filter drops 169.254.0.0/16) on any machine. */
    g_auto(DpugwTestRun) run = { 0 };
    DPUGW_TEST_CTL (&run, "resolve", "--local", "--config-file=", "--sysfs-root", f->root,
                    "--ovnkube-node-mode=dpu-host", "--ovnkube-node-mgmt-port-netdev=pf0vf0", "--node-ip=169.254.0.1");
    g_assert_cmpstr (run.err, ==, "dpu-gatewayctl: failed to find network interface with IP: 169.254.0.1\n");
    g_assert_cmpint (run.status, ==, 1);
  }
  {
    /* The node IP is checked. */
    g_auto(DpugwTestRun) run = { 0 };
    DPUGW_TEST_CTL (&run, "resolve", "--local", "--config-file=", "--sysfs-root", f->root,
                    "--ovnkube-node-mode=dpu-host", "--node-ip=192.0.2.300");
    g_assert_cmpstr (run.err, ==, "dpu-gatewayctl: invalid node IP \"192.0.2.300\": expected an IPv4 or IPv6 "
                                  "address (from --node-ip)\n");
    g_assert_cmpint (run.status, ==, 2);
  }
  {
    g_auto(DpugwTestRun) run = { 0 };
    DPUGW_TEST_CTL (&run, "resolve", "--local", "--config-file=", "--sysfs-root", "/nonexistent/sys", "pf0vf0");
    g_assert_cmpstr (run.err, ==, "dpu-gatewayctl: sysfs root /nonexistent/sys: No such file or directory\n");
    g_assert_cmpint (run.status, ==, 2);
  }
  {
    g_auto(DpugwTestRun) run = { 0 };
    DPUGW_TEST_CTL (&run, "resolve", "--config-file=/nonexistent/dpu-gateway.conf", "--local", "pf0vf0");
    g_assert_true (g_str_has_prefix (run.err, "dpu-gatewayctl: cannot read configuration file: "));
    g_assert_cmpint (run.status, ==, 2);
  }
  {
    g_auto(DpugwTestRun) run = { 0 };
    DPUGW_TEST_CTL (&run, "topology", "--local", "extra");
    g_assert_cmpstr (run.err, ==, "dpu-gatewayctl: topology takes no arguments\n");
    g_assert_cmpint (run.status, ==, 2);
  }
}

static void
test_version_help (void)
{
  {
    g_auto(DpugwTestRun) run = { 0 };
    DPUGW_TEST_CTL (&run, "--version");
    g_assert_true (g_str_has_prefix (run.out, "dpu-gatewayctl "));
    g_assert_cmpint (run.status, ==, 0);
  }
  {
    g_auto(DpugwTestRun) run = { 0 };
    DPUGW_TEST_CTL (&run, "--help");
    g_assert_nonnull (strstr (run.out, "resolve"));
    g_assert_nonnull (strstr (run.out, "topology"));
    g_assert_cmpint (run.status, ==, 0);
  }
  {
    g_auto(DpugwTestRun) run = { 0 };
    DPUGW_TEST_CTL (&run, "resolve", "--help");
    g_assert_nonnull (strstr (run.out, "--ovnkube-node-mgmt-port-netdev"));
    g_assert_nonnull (strstr (run.out, "--sysfs-root"));
    g_assert_cmpint (run.status, ==, 0);
  }
}

static void
test_topology (Fixture *f, gconstpointer unused)
{
  {
    g_auto(DpugwTestRun) run = { 0 };
    DPUGW_TEST_CTL (&run, "topology", "--local", "--sysfs-root", f->root);
    g_assert_cmpstr (run.err, ==, "");
    g_assert_cmpstr (run.out, ==,
                     "PF 0000:01:00.0  netdevs eth0,eth1  driver mlx5_core  VFs 2/8\n"
                     "  vf0    0000:01:02.3  pf0vf0\n"
                     "  vf1    0000:01:02.4  pf0vf1\n");
    g_assert_cmpint (run.status, ==, 0);
  }
  {
    g_auto(DpugwTestRun) run = { 0 };
    DPUGW_TEST_CTL (&run, "topology", "--local", "--json", "--sysfs-root", f->root);
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
  g_auto(DpugwTestRun) run = { 0 };

  DPUGW_TEST_CTL (&run, "topology", "--local", "--sysfs-root", f->root);
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
  g_auto(DpugwTestRun) run = { 0 };

  DPUGW_TEST_CTL (&run, "resolve", "--local", "--config-file=", "lo");
  g_assert_cmpstr (run.out, ==, "");
  g_assert_true (g_str_has_prefix (run.err, "dpu-gatewayctl: failed to get PCI address: lo is a virtual network device"));
  g_assert_cmpint (run.status, ==, 1);
}

/* --- against the service ---------------------------------------------------- */

/*
 * dpu-gatewayd on the test's bus over its tree, with --config-file= and @args, once its first pass
 * is in; CONFIGURED: the example's pf0vf0 as the management port.
 */
static void
start_service (DpugwTestBus *f, const char * const *args)
{
  g_autoptr(GStrvBuilder) argv = g_strv_builder_new ();
  g_auto(GStrv) all = NULL;

  g_strv_builder_add (argv, "--config-file=");
  g_strv_builder_addv (argv, (const char **) args);
  all = g_strv_builder_end (argv);
  DPUGW_TEST_START (f, .args = (const char * const *) all, .ready = TRUE);
}

#define CONFIGURED STRV ("--ovnkube-node-mode=dpu-host", "--ovnkube-node-mgmt-port-netdev=pf0vf0", \
                         "--gateway-interface=derive-from-mgmt-port")

/* The node IP's link from the service is --local's, with the same flags; a named port is still
 * derived from. */
static void
test_service_node_ip_same_as_local (DpugwTestBus *f)
{
  const char *flags[] = { "--ovnkube-node-mode=dpu-host", "--ovnkube-node-mgmt-port-netdev=pf0vf0",
                          "--node-ip=127.0.0.53", NULL };
  const char *ports[] = { NULL, "pf0vf0" };

  start_service (f, flags);
  for (gsize i = 0; i < G_N_ELEMENTS (ports); i++)
    {
      g_auto(DpugwTestRun) local = { 0 };
      g_auto(DpugwTestRun) service = { 0 };

      DPUGW_TEST_CTL (&local, "resolve", "--local", "--all", "--config-file=", "--sysfs-root", f->root, flags[0],
                      flags[1], flags[2], ports[i]);
      DPUGW_TEST_CTL (&service, "resolve", "--all", f->address_flag, ports[i]);
      g_assert_cmpstr (service.out, ==, i == 0 ? "lo\n" : "eth0\neth1\n");
      g_assert_cmpstr (service.out, ==, local.out);
      g_assert_cmpstr (service.err, ==, local.err);
      g_assert_cmpint (service.status, ==, local.status);
    }
  {
    g_auto(DpugwTestRun) run = { 0 };
    DPUGW_TEST_CTL (&run, "resolve", "--json", f->address_flag);
    g_assert_true (g_str_has_prefix (run.out, "{\"interface\":\"lo\",\"mgmt-port\":\"pf0vf0\",\"vf-pci\":\"\","
                                              "\"pf-pci\":\"\",\"candidates\":[\"lo\"],\"source\":\"node-ip\","
                                              "\"selected-by\":\"node-ip\",\"function-type\":\"\","
                                              "\"node-ip\":\"127.0.0.53\",\"ovnkube-compatible\":true,\"cached\":"));
  }
}

/* The service answers with the output and exit code --local gives. */
static void
test_service_same_as_local (DpugwTestBus *f)
{
  const char *root = f->root;
  const char *ports[] = { "pf0vf0", "0000:01:02.4", "pf0vf9", "eth0", "lo", "0000:01:02.7", "../x", "0000:01:02.8" };

  start_service (f, CONFIGURED);

  for (gsize i = 0; i < G_N_ELEMENTS (ports); i++)
    {
      g_auto(DpugwTestRun) local = { 0 };
      g_auto(DpugwTestRun) service = { 0 };

      DPUGW_TEST_CTL (&local, "resolve", "--local", "--config-file=", "--sysfs-root", root, ports[i]);
      DPUGW_TEST_CTL (&service, "resolve", f->address_flag, ports[i]);
      g_assert_cmpstr (service.out, ==, local.out);
      g_assert_cmpstr (service.err, ==, local.err);
      g_assert_cmpint (service.status, ==, local.status);
    }
  {
    g_auto(DpugwTestRun) local = { 0 };
    g_auto(DpugwTestRun) service = { 0 };

    DPUGW_TEST_CTL (&local, "topology", "--local", "--sysfs-root", root);
    DPUGW_TEST_CTL (&service, "topology", f->address_flag);
    g_assert_cmpstr (service.out, ==, local.out);
    g_assert_cmpint (service.status, ==, 0);
  }
}

static void
test_service_configured_json (DpugwTestBus *f)
{
  g_auto(DpugwTestRun) run = { 0 };
  g_auto(DpugwTestRun) again = { 0 };

  start_service (f, CONFIGURED);

  /* "" is the service's configured management port; it resolved it at start-up. */
  DPUGW_TEST_CTL (&run, "resolve", f->address_flag, "--json");
  g_assert_cmpstr (run.err, ==, "");
  g_assert_true (g_str_has_prefix (run.out,
                                   "{\"interface\":\"eth0\",\"mgmt-port\":\"pf0vf0\",\"vf-pci\":\"0000:01:02.3\","
                                   "\"pf-pci\":\"0000:01:00.0\",\"candidates\":[\"eth0\",\"eth1\"],"
                                   "\"source\":\"derived\",\"selected-by\":\"first\",\"function-type\":\"vf\",\"ovnkube-compatible\":true,\"cached\":true,\"generation\":"));
  g_assert_cmpint (run.status, ==, 0);

  DPUGW_TEST_CTL (&again, "topology", f->address_flag, "--json");
  /* Seen missing once under valgrind, not since: say what came instead. */
  if (strstr (again.out, "\"pfs\":[{\"pci\":\"0000:01:00.0\"") == NULL)
    g_printerr ("# topology --json printed: %s\n# and on stderr: %s\n", again.out, again.err);
  g_assert_true (g_str_has_prefix (again.out, "{\"generation\":"));
  g_assert_nonnull (strstr (again.out, "\"pfs\":[{\"pci\":\"0000:01:00.0\""));
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
service_monitor (DpugwTestBus *f, gboolean as_json)
{
  g_autoptr(GSubprocess) monitor = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(GString) seen = g_string_new (NULL);
  g_autoptr(GError) error = NULL;

  start_service (f, CONFIGURED);
  monitor = dpugw_test_ctl_spawn (G_SUBPROCESS_FLAGS_STDOUT_PIPE, STRV ("monitor", f->address_flag,
                                                                         as_json ? "--json" : NULL));
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
  dpugw_test_clear (f->testbed, "devices/pci0000:00/0000:00:02.0/0000:01:00.0/net/eth0");
  dpugw_test_refresh (f);

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

static void
test_service_monitor (DpugwTestBus *f)
{
  service_monitor (f, FALSE);
}

static void
test_service_monitor_json (DpugwTestBus *f)
{
  service_monitor (f, TRUE);
}

/* status --local: the configuration this process loaded, and its resolution. */
static void
test_status_local (Fixture *f, gconstpointer unused)
{
  g_auto(DpugwTestRun) run = { 0 };
  g_auto(DpugwTestRun) json = { 0 };
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

  DPUGW_TEST_CTL (&run, "status", "--local", "--config-file=", "--sysfs-root", f->root, "--ovnkube-node-mode=dpu-host",
       "--ovnkube-node-mgmt-port-netdev=pf0vf0", "--gateway-interface=derive-from-mgmt-port");
  g_assert_cmpstr (run.err, ==, "");
  g_assert_cmpstr (run.out, ==, expected);
  g_assert_cmpint (run.status, ==, 0);

  /* A configured port that does not resolve: the error, and exit 0 (status reports, it does not fail). */
  DPUGW_TEST_CTL (&json, "status", "--local", "--json", "--config-file=", "--sysfs-root", f->root,
       "--ovnkube-node-mode=dpu-host", "--ovnkube-node-mgmt-port-netdev=eth0",
       "--gateway-interface=derive-from-mgmt-port");
  g_assert_cmpint (json.status, ==, 0);
  g_assert_nonnull (strstr (json.out, "\"interface\":\"\""));
  g_assert_nonnull (strstr (json.out, "\"last-error\":\"failed to get PF PCI address: 0000:01:00.0 is not a virtual function"));

  /* An answer ovnkube-node would not reach says so, and why. */
  {
    g_auto(DpugwTestRun) beyond = { 0 };
    g_auto(DpugwTestRun) beyond_json = { 0 };

    DPUGW_TEST_CTL (&beyond, "status", "--local", "--config-file=", "--sysfs-root", f->root,
                    "--ovnkube-node-mode=dpu-host", "--ovnkube-node-mgmt-port-netdev=pf0vf0",
                    "--gateway-interface=derive-from-mgmt-port", "--gateway-select=name=eth1");
    g_assert_cmpint (beyond.status, ==, 0);
    g_assert_nonnull (strstr (beyond.out, "selected by name=eth1, derived\n  beyond ovnkube-node: selection-rule\n"
                                          "Last error:"));
    DPUGW_TEST_CTL (&beyond_json, "status", "--local", "--json", "--config-file=", "--sysfs-root", f->root,
                    "--ovnkube-node-mode=dpu-host", "--ovnkube-node-mgmt-port-netdev=pf0vf0",
                    "--gateway-interface=derive-from-mgmt-port", "--gateway-select=name=eth1");
    g_assert_cmpint (beyond_json.status, ==, 0);
    g_assert_nonnull (strstr (beyond_json.out, "\"selected-by\":\"name=eth1\",\"ovnkube-compatible\":false,"
                                               "\"beyond-ovnkube\":\"selection-rule\",\"last-error\":\"\""));
  }
}

/* status against the service: its configuration in effect, resolution, LastError and Generation. */
static void
test_status_service (DpugwTestBus *f)
{
  g_auto(DpugwTestRun) run = { 0 };
  g_auto(DpugwTestRun) json = { 0 };

  start_service (f, CONFIGURED);

  DPUGW_TEST_CTL (&run, "status", f->address_flag);
  g_assert_cmpstr (run.err, ==, "");
  g_assert_cmpint (run.status, ==, 0);
  g_assert_true (g_str_has_prefix (run.out, "Service:            org.ovnk.DpuGateway "));
  g_assert_nonnull (strstr (run.out, "\n  mode                        dpu-host\n"));
  g_assert_nonnull (strstr (run.out, "\n  mgmt-port-netdev            pf0vf0\n"));
  g_assert_nonnull (strstr (run.out, "\nManagement port:    pf0vf0\nGateway interface:  eth0\n"
                                     "  VF 0000:01:02.3 -> PF 0000:01:00.0, candidates eth0 eth1, selected by first, derived\n"
                                     "Last error:         none\nGeneration:         "));

  DPUGW_TEST_CTL (&json, "status", f->address_flag, "--json");
  g_assert_cmpint (json.status, ==, 0);
  /* The version bare, as the Version property has it. */
  g_assert_true (g_str_has_prefix (json.out, "{\"version\":\"" DPUGW_VERSION "\","));
  g_assert_nonnull (strstr (json.out, "\"mgmt-port\":\"pf0vf0\",\"interface\":\"eth0\",\"vf-pci\":\"0000:01:02.3\""));
  g_assert_nonnull (strstr (json.out, "\"selected-by\":\"first\",\"ovnkube-compatible\":true,\"last-error\":\"\","
                                     "\"configured\":true,\"generation\":"));
}


/* --- the client's manners ------------------------------------------------------------------------- */

/* Options before the command or after it: the same run. */
static void
test_options_anywhere (Fixture *f, gconstpointer unused)
{
  g_auto(DpugwTestRun) after = { 0 };
  g_auto(DpugwTestRun) before = { 0 };
  g_auto(DpugwTestRun) mixed = { 0 };

  DPUGW_TEST_CTL (&after, "resolve", "--json", "--local", "--config-file=", "--sysfs-root", f->root, "pf0vf0");
  DPUGW_TEST_CTL (&before, "--json", "--local", "--config-file=", "--sysfs-root", f->root, "resolve", "pf0vf0");
  DPUGW_TEST_CTL (&mixed, "-j", "--sysfs-root", f->root, "resolve", "--local", "pf0vf0", "--config-file=");
  g_assert_cmpstr (after.err, ==, "");
  g_assert_cmpint (after.status, ==, 0);
  g_assert_true (g_str_has_prefix (after.out, "{\"interface\":\"eth0\","));
  g_assert_cmpstr (before.err, ==, "");
  g_assert_cmpstr (before.out, ==, after.out);
  g_assert_cmpint (before.status, ==, 0);
  g_assert_cmpstr (mixed.out, ==, after.out);
  g_assert_cmpint (mixed.status, ==, 0);

  /* A value that looks like a command is a value; the command after it is the command. */
  {
    g_auto(DpugwTestRun) run = { 0 };
    DPUGW_TEST_CTL (&run, "--local", "--sysfs-root", f->root, "--config-file=", "--ovnkube-node-mgmt-port-netdev",
                    "status", "--ovnkube-node-mode=dpu-host", "--gateway-interface=derive-from-mgmt-port", "resolve");
    g_assert_true (g_str_has_prefix (run.err, "dpu-gatewayctl: failed to get PCI address: no network device status ("));
    g_assert_cmpstr (run.out, ==, "");
    g_assert_cmpint (run.status, ==, 1);
  }
  /* --help before the command is the program's; after it, the command's. */
  {
    g_auto(DpugwTestRun) run = { 0 };
    DPUGW_TEST_CTL (&run, "--json", "--help");
    g_assert_true (g_str_has_prefix (run.out, "Usage: dpu-gatewayctl [OPTIONS] COMMAND"));
    g_assert_cmpint (run.status, ==, 0);
  }
  {
    g_auto(DpugwTestRun) run = { 0 };
    DPUGW_TEST_CTL (&run, "--json", "monitor", "--help");
    g_assert_nonnull (strstr (run.out, "dpu-gatewayctl [OPTION…] monitor"));
    g_assert_cmpint (run.status, ==, 0);
  }
  {
    g_auto(DpugwTestRun) run = { 0 };
    DPUGW_TEST_CTL (&run, "--json");
    g_assert_true (g_str_has_prefix (run.err, "Usage: dpu-gatewayctl"));
    g_assert_cmpint (run.status, ==, 2);
  }
}

/* The long options a command's --help lists, "--name" or "--name=ARG". */
static GPtrArray *
help_options (const char *command)
{
  g_auto(DpugwTestRun) run = { 0 };
  g_auto(GStrv) lines = NULL;
  GPtrArray *options = g_ptr_array_new_with_free_func (g_free);

  DPUGW_TEST_CTL (&run, command, "--help");
  g_assert_cmpint (run.status, ==, 0);
  lines = g_strsplit (run.out, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *line = g_strchug (lines[i]);
      const char *p = strstr (line, "--");
      const char *end;

      if (!g_str_has_prefix (line, "-") || p == NULL || g_str_has_prefix (p, "--help"))
        continue;
      end = strchr (p, ' ');
      g_ptr_array_add (options, end != NULL ? g_strndup (p, end - p) : g_strdup (p));
    }
  return options;
}

static gboolean
listed (GPtrArray *options, const char *name)
{
  for (guint i = 0; i < options->len; i++)
    {
      const char *o = g_ptr_array_index (options, i);
      if (g_str_has_prefix (o, name) && (o[strlen (name)] == '\0' || o[strlen (name)] == '='))
        return TRUE;
    }
  return FALSE;
}

/* Each command's --help lists what it accepts, and it accepts what --help lists. */
static void
test_help_lists_accepted (Fixture *f, gconstpointer unused)
{
  static const struct {
    const char *command;
    gboolean local;   /* --local, --sysfs-root */
    gboolean config;  /* the configuration flags */
    gboolean json;
  } commands[] = {
    { "resolve", TRUE, TRUE, TRUE }, { "topology", TRUE, FALSE, TRUE }, { "diagnose", TRUE, TRUE, TRUE },
    { "status", TRUE, TRUE, TRUE }, { "monitor", FALSE, FALSE, TRUE }, { "refresh", FALSE, FALSE, FALSE },
    { "hooks", FALSE, FALSE, FALSE },
  };
  /* No bus there: a command that takes its options goes on to fail to reach the service. */
  const char *env[] = { "DBUS_SYSTEM_BUS_ADDRESS=unix:path=/nonexistent/bus",
                        "DBUS_SESSION_BUS_ADDRESS=unix:path=/nonexistent/bus", NULL };

  for (gsize c = 0; c < G_N_ELEMENTS (commands); c++)
    {
      g_autoptr(GPtrArray) options = help_options (commands[c].command);

      g_assert_true (listed (options, "--system") && listed (options, "--session") && listed (options, "--address"));
      g_assert_cmpint (listed (options, "--local"), ==, commands[c].local);
      g_assert_cmpint (listed (options, "--sysfs-root"), ==, commands[c].local);
      g_assert_cmpint (listed (options, "--ovnkube-node-mgmt-port-netdev"), ==, commands[c].config);
      g_assert_cmpint (listed (options, "--config-file"), ==, commands[c].config);
      g_assert_cmpint (listed (options, "--json"), ==, commands[c].json);

      for (guint i = 0; i < options->len; i++)
        {
          const char *o = g_ptr_array_index (options, i);
          g_autofree char *name = g_strndup (o, strcspn (o, "="));
          g_autofree char *arg = NULL;
          g_autoptr(GPtrArray) argv = g_ptr_array_new ();
          g_auto(DpugwTestRun) run = { 0 };
          gboolean local_only = commands[c].local && strcmp (name, "--system") != 0 &&
                                strcmp (name, "--session") != 0 && strcmp (name, "--address") != 0 &&
                                strcmp (name, "--json") != 0;

          g_ptr_array_add (argv, (gpointer) commands[c].command);
          if (strcmp (name, "--sysfs-root") == 0)
            arg = g_strconcat (name, "=", f->root, NULL);
          else if (strcmp (name, "--address") == 0)
            arg = g_strdup ("--address=unix:path=/nonexistent/bus");
          else if (strchr (o, '=') != NULL)
            arg = g_strconcat (name, "=x", NULL);
          else
            arg = g_strdup (name);
          g_ptr_array_add (argv, arg);
          if (local_only && strcmp (name, "--local") != 0)
            g_ptr_array_add (argv, "--local");
          g_ptr_array_add (argv, NULL);
          dpugw_test_ctl (&run, env, (const char * const *) argv->pdata);
          if (strstr (run.err, "Unknown option") != NULL || strstr (run.err, "apply with --local only") != NULL ||
              strstr (run.err, "excludes") != NULL || strstr (run.err, "nothing to follow") != NULL)
            g_error ("%s --help lists %s, which it refuses: %s", commands[c].command, o, run.err);
        }

      /* And what it does not list, it refuses. */
      if (!commands[c].local)
        {
          g_auto(DpugwTestRun) run = { 0 };
          DPUGW_TEST_CTL_ENV (&run, env, commands[c].command, "--local");
          g_assert_cmpstr (run.err, ==, "dpu-gatewayctl: Unknown option --local\n");
          g_assert_cmpint (run.status, ==, 2);
        }
      if (!commands[c].config)
        {
          g_auto(DpugwTestRun) run = { 0 };
          DPUGW_TEST_CTL_ENV (&run, env, commands[c].command, "--config-file=");
          g_assert_cmpstr (run.err, ==, "dpu-gatewayctl: Unknown option --config-file=\n");
          g_assert_cmpint (run.status, ==, 2);
        }
    }
}

/* refresh: the Refresh method; the service looks again, and says so with its signals. */
static void
test_service_refresh (DpugwTestBus *f)
{
  g_auto(DpugwTestRun) run = { 0 };
  g_auto(DpugwTestRun) extra = { 0 };
  DpugwTestMark m;

  start_service (f, CONFIGURED);
  m = dpugw_test_mark (f);
  /* Behind the service's back: only a refresh shows it. */
  dpugw_test_remove (f->testbed, "class/net/eth0");
  dpugw_test_remove (f->testbed, "devices/pci0000:00/0000:00:02.0/0000:01:00.0/net/eth0/device");
  dpugw_test_clear (f->testbed, "devices/pci0000:00/0000:00:02.0/0000:01:00.0/net/eth0");

  DPUGW_TEST_CTL (&run, "refresh", f->address_flag);
  g_assert_cmpstr (run.err, ==, "");
  g_assert_cmpstr (run.out, ==, "");
  g_assert_cmpint (run.status, ==, 0);
  /* Refresh returns when it is done: GatewayInterface is the new one at once. */
  g_assert_true (dpugw_test_string_property_is (f, "GatewayInterface", "eth1"));
  DPUGW_TEST_WAIT (dpugw_test_has_gateway_changed (f, m.gateway, "0000:01:02.3", "eth0", "eth1"), "GatewayChanged");

  DPUGW_TEST_CTL (&extra, "refresh", f->address_flag, "now");
  g_assert_cmpstr (extra.err, ==, "dpu-gatewayctl: refresh takes no arguments\n");
  g_assert_cmpint (extra.status, ==, 2);
}

/* status with nothing configured: says so, and what to set. */
static void
test_status_not_configured (DpugwTestBus *f)
{
  g_auto(DpugwTestRun) run = { 0 };
  g_auto(DpugwTestRun) json = { 0 };

  /* Nothing set: ovnkube-node's full mode, whose gateway is the default route's interface (this
   * machine's, if it has one). */
  start_service (f, STRV ("--ovnkube-node-mode=full"));
  DPUGW_TEST_CTL (&run, "status", f->address_flag);
  g_assert_cmpstr (run.err, ==, "");
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.out, "\nManagement port:    (none)\nGateway interface:  not configured\n"
                                     "  set mode=dpu-host and mgmt-port-netdev=NETDEV (or mgmt-port-dp-resource-name=RESOURCE)\n"
                                     "  in [OvnKubeNode], and interface=derive-from-mgmt-port in [Gateway], of "));
  g_assert_nonnull (strstr (run.out, "  until then, as ovnkube-node in full mode, the default route's interface: "));
  g_assert_null (strstr (run.out, "(unresolved)"));
  DPUGW_TEST_CTL (&json, "status", "--json", f->address_flag);
  g_assert_nonnull (strstr (json.out, "\"configured\":false,"));
}

/* monitor --json: JSON values, a dictionary as an object; and SIGHUP with an unchanged file
 * sends no PropertiesChanged, a changed one sends one. */
static void
test_service_monitor_json_config (DpugwTestBus *f)
{
  g_autofree char *path = g_build_filename (f->tmpdir, "ovnkube.conf", NULL);
  g_autofree char *file_arg = g_strconcat ("--config-file=", path, NULL);
  g_autoptr(GSubprocess) monitor = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(GError) error = NULL;
  DpugwTestDaemon *d;
  DpugwTestMark m;
  guint configuration_changes = 0;
  g_autofree char *line = NULL;

  dpugw_test_write_file (path, "[OvnKubeNode]\nmode=dpu-host\nmgmt-port-netdev=pf0vf0\n\n"
                               "[Gateway]\ninterface=derive-from-mgmt-port\n");
  d = DPUGW_TEST_START (f, .args = STRV (file_arg), .ready = TRUE);
  monitor = dpugw_test_ctl_spawn (G_SUBPROCESS_FLAGS_STDOUT_PIPE, STRV ("--json", "monitor", f->address_flag));
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (monitor));
  {
    g_autofree char *first = g_data_input_stream_read_line_utf8 (out, NULL, NULL, NULL);
    g_assert_nonnull (first);
    g_assert_true (g_str_has_prefix (first, "{\"signal\":\"ServiceStarted\""));
  }

  /* The same file again: handled (logged), looked again (Refresh), and no PropertiesChanged. */
  m = dpugw_test_mark (f);
  dpugw_test_daemon_signal (d, SIGHUP);
  DPUGW_TEST_WAIT (dpugw_test_daemon_log_count (d, "SIGHUP: configuration reloaded") == 1, "the first SIGHUP handled");
  dpugw_test_refresh (f);
  dpugw_test_ping (f);
  g_assert_false (dpugw_test_has_property (f, m.properties, "Configuration"));

  /* Another management port: one PropertiesChanged for it, the configuration an object. */
  dpugw_test_write_file (path, "[OvnKubeNode]\nmode=dpu-host\nmgmt-port-netdev=pf0vf1\n\n"
                               "[Gateway]\ninterface=derive-from-mgmt-port\n");
  dpugw_test_daemon_signal (d, SIGHUP);
  DPUGW_TEST_WAIT (dpugw_test_has_property (f, m.properties, "Configuration"), "PropertiesChanged Configuration");
  for (guint i = m.properties; i < f->properties_changed->len; i++)
    {
      g_autoptr(GVariant) changed = g_variant_get_child_value (g_ptr_array_index (f->properties_changed, i), 1);
      g_autoptr(GVariant) value = g_variant_lookup_value (changed, "Configuration", NULL);
      configuration_changes += value != NULL;
    }
  g_assert_cmpuint (configuration_changes, ==, 1);

  for (;;)
    {
      g_free (line);
      line = g_data_input_stream_read_line_utf8 (out, NULL, NULL, &error);
      g_assert_no_error (error);
      g_assert_nonnull (line);
      if (strstr (line, "\"Configuration\"") != NULL)
        break;
    }
  g_assert_true (g_str_has_prefix (line, "{\"signal\":\"PropertiesChanged\",\"changed\":{"));
  g_assert_nonnull (strstr (line, "\"Configuration\":{\"mode\":\"dpu-host\","));
  g_assert_nonnull (strstr (line, "\"mgmt-port-netdev\":\"pf0vf1\""));
  g_assert_null (strstr (line, "<"));
  g_assert_null (strstr (line, "\"{"));
  g_assert_true (g_str_has_suffix (line, "}}"));

  g_subprocess_send_signal (monitor, SIGINT);
  g_assert_true (g_subprocess_wait (monitor, NULL, NULL));
  g_assert_cmpint (g_subprocess_get_exit_status (monitor), ==, 0);
}

static void
test_service_unreachable (void)
{
  g_auto(DpugwTestRun) run = { 0 };
  const char *env[] = { "DBUS_SYSTEM_BUS_ADDRESS=unix:path=/nonexistent/bus", NULL };

  DPUGW_TEST_CTL_ENV (&run, env, "resolve", "pf0vf0");
  g_assert_cmpstr (run.out, ==, "");
  g_assert_true (g_str_has_prefix (run.err, "dpu-gatewayctl: cannot reach org.ovnk.DpuGateway on the system bus: "));
  g_assert_cmpint (run.status, ==, 3);
}

/* A bus without the service: exit 3 as well. */
static void
test_service_absent (DpugwTestBus *f, gconstpointer unused)
{
  g_auto(DpugwTestRun) run = { 0 };

  DPUGW_TEST_CTL (&run, "topology", f->address_flag);
  g_assert_true (g_str_has_prefix (run.err, "dpu-gatewayctl: cannot reach org.ovnk.DpuGateway on "));
  g_assert_cmpint (run.status, ==, 3);
}

static void
test_service_options (void)
{
  {
    g_auto(DpugwTestRun) run = { 0 };
    DPUGW_TEST_CTL (&run, "resolve", "--ovnkube-node-mgmt-port-netdev=pf0vf0");
    g_assert_cmpstr (run.err, ==, "dpu-gatewayctl: --sysfs-root and the configuration flags apply with --local "
                                  "only; the service uses its own configuration\n");
    g_assert_cmpint (run.status, ==, 2);
  }
  {
    g_auto(DpugwTestRun) run = { 0 };
    DPUGW_TEST_CTL (&run, "resolve", "--local", "--session");
    g_assert_cmpint (run.status, ==, 2);
  }
  {
    g_auto(DpugwTestRun) run = { 0 };
    DPUGW_TEST_CTL (&run, "topology", "--system", "--address=unix:path=/x");
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
      g_auto(DpugwTestRun) run = { 0 };

      DPUGW_TEST_CTL (&run, "resolve", "--local", forms[i], "--config-file=", "--sysfs-root", f->root, "ens2f0v1");
      g_assert_cmpstr (run.out, ==, "eth0\neth1\neth2\npf0\n");
      g_assert_cmpstr (run.err, ==, SWITCHDEV_HINT_LINE);
      g_assert_cmpint (run.status, ==, 0);
    }
  {
    /* By VF PCI address, the same. */
    g_auto(DpugwTestRun) run = { 0 };

    DPUGW_TEST_CTL (&run, "resolve", "--local", "--all", "--config-file=", "--sysfs-root", f->root, "0000:3b:00.2");
    g_assert_cmpstr (run.out, ==, "eth0\neth1\neth2\npf0\n");
    g_assert_cmpstr (run.err, ==, SWITCHDEV_HINT_LINE);
    g_assert_cmpint (run.status, ==, 0);
  }
}

/* The example's PF: both netdevs, no phys_port_name, no hint. */
static void
test_resolve_all_example (Fixture *f, gconstpointer unused)
{
  g_auto(DpugwTestRun) run = { 0 };
  g_auto(DpugwTestRun) json = { 0 };

  DPUGW_TEST_CTL (&run, "resolve", "--local", "--all", "--config-file=", "--sysfs-root", f->root, "pf0vf0");
  g_assert_cmpstr (run.out, ==, "eth0\neth1\n");
  g_assert_cmpstr (run.err, ==, "");
  g_assert_cmpint (run.status, ==, 0);

  DPUGW_TEST_CTL (&json, "resolve", "--local", "--all", "--json", "--config-file=", "--sysfs-root", f->root, "pf0vf0");
  g_assert_cmpstr (json.out, ==,
                   "{\"interface\":\"eth0\",\"interfaces\":[\"eth0\",\"eth1\"],\"mgmt-port\":\"pf0vf0\","
                   "\"vf-pci\":\"0000:01:02.3\",\"pf-pci\":\"0000:01:00.0\",\"candidates\":[\"eth0\",\"eth1\"],"
                   "\"source\":\"derived\",\"selected-by\":\"first\",\"function-type\":\"vf\",\"ovnkube-compatible\":true}\n");
  g_assert_cmpstr (json.err, ==, "");
  g_assert_cmpint (json.status, ==, 0);
}

/* --json: "interfaces" with --all only; the hint a member, not on stderr. */
static void
test_resolve_all_json (Fixture *f, gconstpointer unused)
{
  {
    g_auto(DpugwTestRun) run = { 0 };

    DPUGW_TEST_CTL (&run, "resolve", "--local", "--json", "--all", "--config-file=", "--sysfs-root", f->root, "ens2f0v1");
    g_assert_cmpstr (run.out, ==,
                     "{\"interface\":\"eth0\",\"interfaces\":[\"eth0\",\"eth1\",\"eth2\",\"pf0\"],"
                     "\"mgmt-port\":\"ens2f0v1\",\"vf-pci\":\"0000:3b:00.3\",\"pf-pci\":\"0000:3b:00.0\","
                     "\"candidates\":[\"eth0\",\"eth1\",\"eth2\",\"pf0\"],\"source\":\"derived\","
                     "\"selected-by\":\"first\",\"function-type\":\"vf\",\"hint\":\"" SWITCHDEV_HINT "\",\"ovnkube-compatible\":true}\n");
    g_assert_cmpstr (run.err, ==, "");
    g_assert_cmpint (run.status, ==, 0);
  }
  {
    g_auto(DpugwTestRun) run = { 0 };

    DPUGW_TEST_CTL (&run, "resolve", "--local", "--json", "--config-file=", "--sysfs-root", f->root, "ens2f0v1");
    g_assert_null (strstr (run.out, "\"interfaces\""));
    g_assert_nonnull (strstr (run.out, ",\"hint\":\"" SWITCHDEV_HINT "\",\"ovnkube-compatible\":true}\n"));
    g_assert_cmpstr (run.err, ==, "");
    g_assert_cmpint (run.status, ==, 0);
  }
}

/* Text mode: the interface alone on stdout, the hint on stderr; none when the rule is not `first`. */
static void
test_resolve_hint (Fixture *f, gconstpointer unused)
{
  {
    g_auto(DpugwTestRun) run = { 0 };

    DPUGW_TEST_CTL (&run, "resolve", "--local", "--config-file=", "--sysfs-root", f->root, "ens2f0v1");
    g_assert_cmpstr (run.out, ==, "eth0\n");
    g_assert_cmpstr (run.err, ==, SWITCHDEV_HINT_LINE);
    g_assert_cmpint (run.status, ==, 0);
  }
  {
    g_auto(DpugwTestRun) run = { 0 };

    DPUGW_TEST_CTL (&run, "resolve", "--local", "--config-file=", "--sysfs-root", f->root, "--gateway-select=name=eth*",
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
    g_auto(DpugwTestRun) run = { 0 };

    DPUGW_TEST_CTL (&run, "resolve", "--local", "--config-file=", "--sysfs-root", f->root, "--gateway-select=uplink",
         "ens2f0v1");
    g_assert_cmpstr (run.out, ==, "pf0\n");
    g_assert_cmpstr (run.err, ==, "");
    g_assert_cmpint (run.status, ==, 0);
  }
  {
    g_auto(DpugwTestRun) run = { 0 };

    DPUGW_TEST_CTL (&run, "resolve", "--local", "--all", "--json", "--config-file=", "--sysfs-root", f->root,
         "--gateway-select=uplink,first", "ens2f0v1");
    g_assert_cmpstr (run.out, ==,
                     "{\"interface\":\"pf0\",\"interfaces\":[\"pf0\"],\"mgmt-port\":\"ens2f0v1\","
                     "\"vf-pci\":\"0000:3b:00.3\",\"pf-pci\":\"0000:3b:00.0\","
                     "\"candidates\":[\"eth0\",\"eth1\",\"eth2\",\"pf0\"],\"source\":\"derived\","
                     "\"selected-by\":\"uplink\",\"function-type\":\"vf\",\"ovnkube-compatible\":false,\"beyond-ovnkube\":\"selection-rule\"}\n");
    g_assert_cmpstr (run.err, ==, "");
    g_assert_cmpint (run.status, ==, 0);
  }
  {
    g_auto(DpugwTestRun) run = { 0 };

    DPUGW_TEST_CTL (&run, "resolve", "--local", "--all", "--config-file=", "--sysfs-root", f->root,
         "--gateway-select=name=nomatch, name=e*", "ens2f0v1");
    g_assert_cmpstr (run.out, ==, "eth0\neth1\neth2\n");
    g_assert_cmpstr (run.err, ==, "");
    g_assert_cmpint (run.status, ==, 0);
  }
  {
    /* The configured port, with the rules from the file. */
    g_autofree char *path = dpugw_test_temp_file ("[OvnKubeNode]\nmode=dpu-host\nmgmt-port-netdev=ens2f0v1\n\n"
                                                  "[Gateway]\ninterface=derive-from-mgmt-port\nselect = uplink, first\n");
    g_autofree char *file_arg = NULL;
    g_auto(DpugwTestRun) run = { 0 };

    file_arg = g_strconcat ("--config-file=", path, NULL);
    DPUGW_TEST_CTL (&run, "resolve", "--local", file_arg, "--sysfs-root", f->root);
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
      g_auto(DpugwTestRun) run = { 0 };

      DPUGW_TEST_CTL (&run, "resolve", "--local", "--config-file=", "--sysfs-root", f->root, cases[i].flag, "ens2f0v1");
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
      g_auto(DpugwTestRun) run = { 0 };

      DPUGW_TEST_CTL (&run, "resolve", "--local", modes[i], "--config-file=", "--sysfs-root", f->root,
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
  g_auto(DpugwTestRun) run = { 0 };
  g_auto(DpugwTestRun) text = { 0 };

  DPUGW_TEST_CTL (&run, "resolve", "--local", "--json", "--all", "--config-file=", "--sysfs-root", f->root,
       "--gateway-select=uplink", "en3f0pf0sf88");
  g_assert_cmpstr (run.out, ==,
                   "{\"interface\":\"p0\",\"interfaces\":[\"p0\"],\"mgmt-port\":\"en3f0pf0sf88\",\"vf-pci\":\"\","
                   "\"pf-pci\":\"0000:03:00.0\",\"candidates\":[\"p0\",\"pf0hpf\",\"pf0vf0\"],"
                   "\"source\":\"derived\",\"selected-by\":\"uplink\",\"function-type\":\"sf\","
                   "\"sf\":\"mlx5_core.sf.2\",\"ovnkube-compatible\":false,\"beyond-ovnkube\":\"scalable-function,selection-rule\"}\n");
  g_assert_cmpstr (run.err, ==, "");
  g_assert_cmpint (run.status, ==, 0);

  DPUGW_TEST_CTL (&text, "resolve", "--local", "--all", "--config-file=", "--sysfs-root", f->root, "en3f0pf0sf88");
  g_assert_cmpstr (text.out, ==, "p0\npf0hpf\npf0vf0\n");
  g_assert_cmpstr (text.err, ==, "");
  g_assert_cmpint (text.status, ==, 0);
}

/* resolve --all against the service equals --local --all (the example, configured pf0vf0). */
static void
test_service_all_same_as_local (DpugwTestBus *f)
{
  const char *root = f->root;
  const char *ports[] = { "pf0vf0", "0000:01:02.4", "pf0vf9", "eth0", "lo", "0000:01:02.7", "../x" };

  start_service (f, CONFIGURED);

  for (gsize i = 0; i < G_N_ELEMENTS (ports); i++)
    {
      g_auto(DpugwTestRun) local = { 0 };
      g_auto(DpugwTestRun) service = { 0 };

      DPUGW_TEST_CTL (&local, "resolve", "--local", "--all", "--config-file=", "--sysfs-root", root, ports[i]);
      DPUGW_TEST_CTL (&service, "resolve", "--all", f->address_flag, ports[i]);
      g_assert_cmpstr (service.out, ==, local.out);
      g_assert_cmpstr (service.err, ==, local.err);
      g_assert_cmpint (service.status, ==, local.status);
    }
  {
    g_auto(DpugwTestRun) unconfigured = { 0 };
    g_auto(DpugwTestRun) local = { 0 };
    g_auto(DpugwTestRun) service = { 0 };

    DPUGW_TEST_CTL (&unconfigured, "resolve", "--local", "--all", "--config-file=", "--sysfs-root", root,
                    "--ovnkube-node-mode=dpu-host", "--ovnkube-node-mgmt-port-netdev=pf0vf0",
                    "--node-ip=169.254.0.1");
    g_assert_cmpint (unconfigured.status, ==, 1); /* not derived locally: no link holds the node IP */
    DPUGW_TEST_CTL (&local, "resolve", "--local", "--all", "--config-file=", "--sysfs-root", root,
         "--ovnkube-node-mode=dpu-host", "--ovnkube-node-mgmt-port-netdev=pf0vf0",
         "--gateway-interface=derive-from-mgmt-port");
    /* "": the service's configured port, as the same flags say locally. */
    DPUGW_TEST_CTL (&service, "resolve", "--all", f->address_flag);
    g_assert_cmpstr (service.out, ==, "eth0\neth1\n");
    g_assert_cmpstr (service.out, ==, local.out);
    g_assert_cmpstr (service.err, ==, local.err);
    g_assert_cmpint (service.status, ==, 0);
  }
  {
    g_auto(DpugwTestRun) service = { 0 };

    DPUGW_TEST_CTL (&service, "resolve", "--all", "--json", f->address_flag, "pf0vf1");
    g_assert_true (g_str_has_prefix (service.out,
                                     "{\"interface\":\"eth0\",\"interfaces\":[\"eth0\",\"eth1\"],"
                                     "\"mgmt-port\":\"pf0vf1\",\"vf-pci\":\"0000:01:02.4\","
                                     "\"pf-pci\":\"0000:01:00.0\",\"candidates\":[\"eth0\",\"eth1\"],"
                                     "\"source\":\"derived\",\"selected-by\":\"first\",\"function-type\":\"vf\","
                                     "\"ovnkube-compatible\":true,\"cached\":"));
    g_assert_cmpint (service.status, ==, 0);
  }
}

/* Beyond ovnkube-node through the service: the same ovnkube-compatible and beyond-ovnkube as --local. */
static void
test_service_beyond_ovnkube (DpugwTestBus *f)
{
  g_auto(DpugwTestRun) local = { 0 };
  g_auto(DpugwTestRun) service = { 0 };
  const char *tail = ",\"ovnkube-compatible\":false,\"beyond-ovnkube\":\"selection-rule\"";
  g_autofree char *local_object = NULL;

  start_service (f, STRV ("--gateway-select=uplink"));
  DPUGW_TEST_CTL (&local, "resolve", "--local", "--json", "--config-file=", "--sysfs-root", f->root,
                  "--gateway-select=uplink", "ens2f0v1");
  DPUGW_TEST_CTL (&service, "resolve", "--json", f->address_flag, "ens2f0v1");
  g_assert_cmpint (local.status, ==, 0);
  g_assert_cmpint (service.status, ==, 0);
  g_assert_true (g_str_has_suffix (local.out, "\"selection-rule\"}\n"));
  g_assert_nonnull (strstr (local.out, tail));
  /* The service's output is --local's, with cached and generation after it. */
  local_object = g_strndup (local.out, strlen (local.out) - 2);
  g_assert_true (g_str_has_prefix (service.out, local_object));
  g_assert_nonnull (strstr (service.out, tail));
}

/* Switchdev through the service: the same lines, the same hint on stderr, the hint in the JSON. */
static void
test_service_switchdev_hint (DpugwTestBus *f)
{
  const char *root = f->root;
  const char *modes[] = { "--all", NULL };

  start_service (f, STRV (NULL));

  for (gsize i = 0; i < G_N_ELEMENTS (modes); i++)
    {
      g_auto(DpugwTestRun) local = { 0 };
      g_auto(DpugwTestRun) service = { 0 };

      if (modes[i] != NULL)
        {
          DPUGW_TEST_CTL (&local, "resolve", "--local", modes[i], "--config-file=", "--sysfs-root", root, "ens2f0v1");
          DPUGW_TEST_CTL (&service, "resolve", modes[i], f->address_flag, "ens2f0v1");
          g_assert_cmpstr (service.out, ==, "eth0\neth1\neth2\npf0\n");
        }
      else
        {
          DPUGW_TEST_CTL (&local, "resolve", "--local", "--config-file=", "--sysfs-root", root, "ens2f0v1");
          DPUGW_TEST_CTL (&service, "resolve", f->address_flag, "ens2f0v1");
          g_assert_cmpstr (service.out, ==, "eth0\n");
        }
      g_assert_cmpstr (service.err, ==, SWITCHDEV_HINT_LINE);
      g_assert_cmpstr (service.out, ==, local.out);
      g_assert_cmpstr (service.err, ==, local.err);
      g_assert_cmpint (service.status, ==, 0);
      g_assert_cmpint (local.status, ==, 0);
    }
  {
    g_auto(DpugwTestRun) service = { 0 };

    DPUGW_TEST_CTL (&service, "resolve", "--json", "--all", f->address_flag, "ens2f0v1");
    g_assert_true (g_str_has_prefix (service.out, "{\"interface\":\"eth0\",\"interfaces\":[\"eth0\",\"eth1\",\"eth2\",\"pf0\"],"));
    g_assert_nonnull (strstr (service.out, ",\"selected-by\":\"first\",\"function-type\":\"vf\",\"hint\":\""
                                           SWITCHDEV_HINT "\",\"ovnkube-compatible\":true,\"cached\":"));
    g_assert_cmpstr (service.err, ==, "");
    g_assert_cmpint (service.status, ==, 0);
  }
}

/* The service's own --gateway-select=uplink. */
static void
test_service_uplink (DpugwTestBus *f)
{
  const char *root = f->root;
  g_auto(DpugwTestRun) local = { 0 };
  g_auto(DpugwTestRun) service = { 0 };
  g_auto(DpugwTestRun) all = { 0 };

  start_service (f, STRV ("--gateway-select=uplink"));

  DPUGW_TEST_CTL (&local, "resolve", "--local", "--config-file=", "--sysfs-root", root, "--gateway-select=uplink", "ens2f0v1");
  DPUGW_TEST_CTL (&service, "resolve", f->address_flag, "ens2f0v1");
  g_assert_cmpstr (service.out, ==, "pf0\n");
  g_assert_cmpstr (service.err, ==, "");
  g_assert_cmpstr (service.out, ==, local.out);
  g_assert_cmpint (service.status, ==, 0);

  DPUGW_TEST_CTL (&all, "resolve", "--all", f->address_flag, "0000:3b:00.4");
  g_assert_cmpstr (all.out, ==, "pf0\n");
  g_assert_cmpint (all.status, ==, 0);
}

/* NoMatch from the service: exit 1 with the library's message, as --local. */
static void
test_service_no_match (DpugwTestBus *f)
{
  const char *root = f->root;
  const char *expected = "dpu-gatewayctl: no netdev of PF 0000:01:00.0 matches the gateway selection rules "
                         "name=zz* (netdevs: eth0, eth1)\n";
  const char *modes[] = { "--all", "--json" };

  start_service (f, STRV ("--gateway-select=name=zz*"));

  for (gsize i = 0; i < G_N_ELEMENTS (modes); i++)
    {
      g_auto(DpugwTestRun) local = { 0 };
      g_auto(DpugwTestRun) service = { 0 };

      DPUGW_TEST_CTL (&local, "resolve", "--local", modes[i], "--config-file=", "--sysfs-root", root,
           "--gateway-select=name=zz*", "pf0vf0");
      DPUGW_TEST_CTL (&service, "resolve", modes[i], f->address_flag, "pf0vf0");
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
  dpugw_test_init (&argc, &argv, DPUGW_TEST_DEFAULT);

#define ADD_SERVICE(path, recording, func) DPUGW_TEST_ADD (path, func, { recording })
#define ADD(path, recording, func) \
  g_test_add (path, Fixture, recording, fixture_setup, func, fixture_teardown)

  ADD ("/ctl/resolve/netdev", EXAMPLE, test_resolve_netdev);
  ADD ("/ctl/resolve/pci", EXAMPLE, test_resolve_pci);
  ADD ("/ctl/resolve/json", EXAMPLE, test_resolve_json);
  ADD ("/ctl/resolve/configured-flags", EXAMPLE, test_resolve_configured_flags);
  ADD ("/ctl/resolve/configured-file-env", EXAMPLE, test_resolve_configured_file_env);
  ADD ("/ctl/resolve/config-warnings", EXAMPLE, test_resolve_config_warnings);
  ADD ("/ctl/resolve/device-plugin", EXAMPLE, test_resolve_device_plugin);
  ADD ("/ctl/resolve/explicit", EXAMPLE, test_resolve_explicit);
  ADD ("/ctl/resolve/node-ip", EXAMPLE, test_resolve_node_ip);
  ADD ("/ctl/status/node-ip", EXAMPLE, test_status_node_ip);
  ADD ("/ctl/resolve/renamed", "tests/fixtures/renamed-mgmt.umockdev", test_resolve_renamed);
  ADD ("/ctl/resolve/errors", EXAMPLE, test_resolve_errors);
  ADD ("/ctl/resolve/no-netdevs", "tests/fixtures/pf-no-net.umockdev", test_resolve_no_netdevs);
  ADD ("/ctl/usage-errors", EXAMPLE, test_usage_errors);
  ADD ("/ctl/topology/example", EXAMPLE, test_topology);
  ADD ("/ctl/topology/switchdev", "tests/fixtures/switchdev.umockdev", test_topology_switchdev);
  g_test_add_func ("/ctl/version-help", test_version_help);
  g_test_add_func ("/ctl/real-sysfs-lo", test_real_sysfs_lo);
  ADD_SERVICE ("/ctl/service/same-as-local", EXAMPLE, test_service_same_as_local);
  ADD_SERVICE ("/ctl/service/configured-json", EXAMPLE, test_service_configured_json);
  ADD_SERVICE ("/ctl/service/monitor", EXAMPLE, test_service_monitor);
  ADD_SERVICE ("/ctl/service/monitor-json", EXAMPLE, test_service_monitor_json);
  ADD ("/ctl/status/local", EXAMPLE, test_status_local);
  ADD_SERVICE ("/ctl/status/service", EXAMPLE, test_status_service);
  ADD_SERVICE ("/ctl/status/not-configured", EXAMPLE, test_status_not_configured);
  ADD ("/ctl/options-anywhere", EXAMPLE, test_options_anywhere);
  ADD ("/ctl/help-lists-accepted", EXAMPLE, test_help_lists_accepted);
  ADD_SERVICE ("/ctl/service/refresh", EXAMPLE, test_service_refresh);
  ADD_SERVICE ("/ctl/service/monitor-json-config", EXAMPLE, test_service_monitor_json_config);
  g_test_add_func ("/ctl/service/unreachable", test_service_unreachable);
  g_test_add ("/ctl/service/absent", DpugwTestBus, NULL, dpugw_test_bus_setup, test_service_absent,
              dpugw_test_bus_teardown);
  g_test_add_func ("/ctl/service/options", test_service_options);

  ADD ("/ctl/resolve/all", SWITCHDEV, test_resolve_all);
  ADD ("/ctl/resolve/all-example", EXAMPLE, test_resolve_all_example);
  ADD ("/ctl/resolve/all-json", SWITCHDEV, test_resolve_all_json);
  ADD ("/ctl/resolve/hint", SWITCHDEV, test_resolve_hint);
  ADD ("/ctl/resolve/gateway-select", SWITCHDEV, test_resolve_gateway_select);
  ADD ("/ctl/resolve/gateway-select-invalid", SWITCHDEV, test_resolve_gateway_select_invalid);
  ADD ("/ctl/resolve/no-match", SWITCHDEV, test_resolve_no_match);
  ADD ("/ctl/resolve/scalable-function", SCALABLE, test_resolve_scalable_function);
  ADD_SERVICE ("/ctl/service/all-same-as-local", EXAMPLE, test_service_all_same_as_local);
  ADD_SERVICE ("/ctl/service/node-ip-same-as-local", EXAMPLE, test_service_node_ip_same_as_local);
  ADD_SERVICE ("/ctl/service/switchdev-hint", SWITCHDEV, test_service_switchdev_hint);
  ADD_SERVICE ("/ctl/service/beyond-ovnkube", SWITCHDEV, test_service_beyond_ovnkube);
  ADD_SERVICE ("/ctl/service/uplink", SWITCHDEV, test_service_uplink);
  ADD_SERVICE ("/ctl/service/no-match", EXAMPLE, test_service_no_match);

  return g_test_run ();
}
