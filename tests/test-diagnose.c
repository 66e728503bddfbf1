/* SPDX-License-Identifier: Apache-2.0
 *
 * dpugw_diagnose() over every fixture, its GVariant round trip, and
 * `dpu-gatewayctl diagnose` (the real binary) in --local mode, and against
 * the service (testdaemon.h).
 */
#include "testdaemon.h"

#include <gio/gio.h>
#include <string.h>

#define EXAMPLE   "data/dpu-host-example.umockdev"
#define DANGLING  "tests/fixtures/dangling-physfn.umockdev"
#define IGB       "tests/fixtures/igb-interleaved.umockdev"
#define PF_NO_NET "tests/fixtures/pf-no-net.umockdev"
#define RENAMED   "tests/fixtures/renamed-mgmt.umockdev"
#define SF        "tests/fixtures/scalable-function.umockdev"
#define SWITCHDEV "tests/fixtures/switchdev.umockdev"
#define VIRTIO    "tests/fixtures/virtio.umockdev"

#define EXAMPLE_PF  "devices/pci0000:00/0000:00:02.0/0000:01:00.0"
#define EXAMPLE_VF0 "devices/pci0000:00/0000:00:02.0/0000:01:02.3"

static const char * const step_ids[] = {
  "mgmt-port", "netdev", "pci-address", "physfn", "sriov", "virtfn", "pf-netdevs", "selection",
};

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

/* ---------------------------------------------------------------------------
 * Helpers
 * ------------------------------------------------------------------------ */

/* @template with every "{R}" replaced by the sysfs root. */
static char *
expand (Fixture *f, const char *template)
{
  GString *s = g_string_new (template);

  g_string_replace (s, "{R}", f->root, 0);
  return g_string_free (s, FALSE);
}

static void
assert_contains (const char *haystack, const char *needle)
{
  g_assert_nonnull (haystack);
  if (strstr (haystack, needle) == NULL)
    {
      g_autofree char *message = g_strdup_printf ("\"%s\" does not contain \"%s\"", haystack, needle);
      g_assertion_message (G_LOG_DOMAIN, __FILE__, __LINE__, G_STRFUNC, message);
    }
}

static void
assert_path (Fixture *f, const DpugwDiagStep *step, const char *template)
{
  g_autofree char *expected = expand (f, template);
  g_assert_cmpstr (step->path, ==, expected);
}

/*
 * @steps are the first @n steps, in order, every one ok but the last unless
 * @last_ok: the diagnosis stops at the first failure.  Failures, and only
 * they, have a cause and a fix.  Returns the last step.
 */
static const DpugwDiagStep *
assert_steps (GPtrArray *steps, guint n, gboolean last_ok)
{
  g_assert_nonnull (steps);
  g_assert_cmpuint (steps->len, ==, n);
  for (guint i = 0; i < steps->len; i++)
    {
      const DpugwDiagStep *step = g_ptr_array_index (steps, i);
      gboolean ok = i + 1 < n || last_ok;

      g_assert_cmpstr (step->step, ==, step_ids[i]);
      g_assert_cmpint (step->ok, ==, ok);
      g_assert_nonnull (step->value);
      g_assert_cmpstr (step->value, !=, "");
      g_assert_nonnull (step->path);
      g_assert_true (g_utf8_validate (step->value, -1, NULL));
      g_assert_true (g_utf8_validate (step->path, -1, NULL));
      if (ok)
        {
          g_assert_null (step->cause);
          g_assert_null (step->fix);
        }
      else
        {
          g_assert_nonnull (step->cause);
          g_assert_nonnull (step->fix);
          g_assert_cmpstr (step->cause, !=, "");
          g_assert_cmpstr (step->fix, !=, "");
          g_assert_true (g_utf8_validate (step->cause, -1, NULL));
          g_assert_true (g_utf8_validate (step->fix, -1, NULL));
        }
    }
  return g_ptr_array_index (steps, steps->len - 1);
}

static const DpugwDiagStep *
step_at (GPtrArray *steps, guint i)
{
  g_assert_cmpuint (i, <, steps->len);
  return g_ptr_array_index (steps, i);
}

/* A finished dpu-host configuration, as OVN-Kubernetes' flags would give it; without a management
 * port a full-mode one, since ovnkube refuses dpu-host without one. */
static DpugwConfig *
config_new (const char *mgmt_port_netdev, const char *resource, const char * const *envp,
            const char *gateway_interface)
{
  DpugwConfigFlags flags = {
    .mode = mgmt_port_netdev != NULL || resource != NULL ? "dpu-host" : "full",
    .mgmt_port_netdev = mgmt_port_netdev,
    .mgmt_port_dp_resource_name = resource,
    .gateway_interface = gateway_interface,
    .config_file = "",
  };
  const char * const no_env[] = { NULL };
  g_autoptr(GError) error = NULL;
  DpugwConfig *config = dpugw_config_load (&flags, envp != NULL ? envp : no_env, NULL, &error);

  g_assert_no_error (error);
  return config;
}

/* ---------------------------------------------------------------------------
 * The library
 * ------------------------------------------------------------------------ */

static void
test_healthy (Fixture *f, gconstpointer unused)
{
  g_autoptr(GPtrArray) steps = dpugw_diagnose (f->sysfs, NULL, "pf0vf0");
  const DpugwDiagStep *last = assert_steps (steps, 8, TRUE);

  g_assert_cmpstr (step_at (steps, 0)->value, ==, "pf0vf0 (the port asked for)");
  assert_path (f, step_at (steps, 0), "");
  g_assert_cmpstr (step_at (steps, 1)->value, ==, "pf0vf0");
  assert_path (f, step_at (steps, 1), "{R}/class/net/pf0vf0");
  g_assert_cmpstr (step_at (steps, 2)->value, ==, "0000:01:02.3");
  assert_path (f, step_at (steps, 2), "{R}/class/net/pf0vf0/device");
  g_assert_cmpstr (step_at (steps, 3)->value, ==, "0000:01:00.0");
  assert_path (f, step_at (steps, 3), "{R}/bus/pci/devices/0000:01:02.3/physfn");
  g_assert_cmpstr (step_at (steps, 4)->value, ==, "8 total, 2 enabled");
  assert_path (f, step_at (steps, 4), "{R}/bus/pci/devices/0000:01:00.0/sriov_numvfs");
  g_assert_cmpstr (step_at (steps, 5)->value, ==, "virtfn0");
  assert_path (f, step_at (steps, 5), "{R}/bus/pci/devices/0000:01:00.0/virtfn0");
  g_assert_cmpstr (step_at (steps, 6)->value, ==, "eth0 (up), eth1 (up)");
  assert_path (f, step_at (steps, 6), "{R}/bus/pci/devices/0000:01:00.0/net");
  g_assert_cmpstr (last->value, ==, "eth0, by rule first (the first netdev in sorted order)");
  assert_path (f, last, "{R}/bus/pci/devices/0000:01:00.0/net");

  /* The other VF, by its PCI address: the netdev step says it is skipped. */
  {
    g_autoptr(GPtrArray) by_pci = dpugw_diagnose (f->sysfs, NULL, "0000:01:02.4");
    last = assert_steps (by_pci, 8, TRUE);
    g_assert_cmpstr (step_at (by_pci, 0)->value, ==, "0000:01:02.4 (a VF PCI address, the port asked for)");
    g_assert_cmpstr (step_at (by_pci, 1)->value, ==,
                     "skipped: 0000:01:02.4 is named by PCI address; its netdev is pf0vf1");
    g_assert_cmpstr (step_at (by_pci, 5)->value, ==, "virtfn1");
    g_assert_true (g_str_has_prefix (last->value, "eth0, "));
  }
}

/* The configured management port; renamed to ovn-k8s-mp0 by OVN-Kubernetes. */
static void
test_renamed (Fixture *f, gconstpointer unused)
{
  g_autoptr(DpugwConfig) config = config_new ("pf0vf0", NULL, NULL, "derive-from-mgmt-port");
  g_autoptr(GPtrArray) steps = dpugw_diagnose (f->sysfs, config, NULL);
  const DpugwDiagStep *last = assert_steps (steps, 8, TRUE);

  g_assert_cmpstr (step_at (steps, 0)->value, ==,
                   "ovn-k8s-mp0 (the configured pf0vf0 does not exist; ovn-k8s-mp0, the name OVN-Kubernetes "
                   "gives the management port it has taken, is used instead)");
  assert_path (f, step_at (steps, 0), "{R}/class/net/ovn-k8s-mp0");
  g_assert_cmpstr (step_at (steps, 1)->value, ==, "ovn-k8s-mp0");
  g_assert_cmpstr (step_at (steps, 2)->value, ==, "0000:01:02.3");
  g_assert_true (g_str_has_prefix (last->value, "eth0, by rule first"));

  /* "" is the configured one too. */
  {
    g_autoptr(GPtrArray) again = dpugw_diagnose (f->sysfs, config, "");
    assert_steps (again, 8, TRUE);
    g_assert_cmpstr (step_at (again, 0)->value, ==, step_at (steps, 0)->value);
  }
  /* Named by the caller, pf0vf0 is examined as named: it is gone. */
  {
    g_autoptr(GPtrArray) named = dpugw_diagnose (f->sysfs, config, "pf0vf0");
    last = assert_steps (named, 2, FALSE);
    assert_contains (last->cause, "ovn-k8s-mp0 exists");
  }
}

static void
test_configured_netdev (Fixture *f, gconstpointer unused)
{
  g_autoptr(DpugwConfig) config = config_new ("pf0vf1", NULL, NULL, "derive-from-mgmt-port");
  g_autoptr(GPtrArray) steps = dpugw_diagnose (f->sysfs, config, NULL);

  assert_steps (steps, 8, TRUE);
  g_assert_cmpstr (step_at (steps, 0)->value, ==, "pf0vf1 (the configured management port netdev)");
  g_assert_cmpstr (step_at (steps, 2)->value, ==, "0000:01:02.4");
}

static void
test_device_plugin (Fixture *f, gconstpointer unused)
{
  const char * const env[] = { "PCIDEVICE_NVIDIA_COM_MGMT_VF=0000:01:02.4,0000:01:02.3", NULL };
  g_autoptr(DpugwConfig) config = config_new ("pf0vf0", "nvidia.com/mgmt_vf", env, "derive-from-mgmt-port");
  g_autoptr(GPtrArray) steps = dpugw_diagnose (f->sysfs, config, NULL);
  const DpugwDiagStep *last = assert_steps (steps, 8, TRUE);

  g_assert_cmpstr (step_at (steps, 0)->value, ==,
                   "0000:01:02.4 (the first device in PCIDEVICE_NVIDIA_COM_MGMT_VF, the SR-IOV device plugin's "
                   "variable for resource nvidia.com/mgmt_vf)");
  g_assert_cmpstr (step_at (steps, 1)->value, ==,
                   "skipped: 0000:01:02.4 is named by PCI address; its netdev is pf0vf1");
  g_assert_cmpstr (step_at (steps, 5)->value, ==, "virtfn1");
  g_assert_true (g_str_has_prefix (last->value, "eth0, "));
}

/* A device plugin VF that is gone fails where its address is looked up. */
static void
test_device_plugin_gone (Fixture *f, gconstpointer unused)
{
  const char * const env[] = { "PCIDEVICE_NVIDIA_COM_MGMT_VF=0000:01:02.7", NULL };
  g_autoptr(DpugwConfig) config = config_new (NULL, "nvidia.com/mgmt_vf", env, "derive-from-mgmt-port");
  g_autoptr(GPtrArray) steps = dpugw_diagnose (f->sysfs, config, NULL);
  const DpugwDiagStep *last = assert_steps (steps, 3, FALSE);

  g_assert_cmpstr (last->value, ==, "0000:01:02.7 does not exist");
  /* The daemon's error: the device plugin's address stands for the management port. */
  assert_contains (last->cause, "failed to get PCI address: no PCI device 0000:01:02.7, the device plugin's "
                                "device in PCIDEVICE_NVIDIA_COM_MGMT_VF");
  assert_contains (last->fix, "PCIDEVICE_NVIDIA_COM_MGMT_VF");
  assert_contains (last->fix, "pf0vf0 (0000:01:02.3)");
}

/* An explicit gateway interface: the management port is still examined, the selection says so. */
static void
test_explicit (Fixture *f, gconstpointer unused)
{
  g_autoptr(DpugwConfig) config = config_new ("pf0vf0", NULL, NULL, "eth7");
  g_autoptr(GPtrArray) steps = dpugw_diagnose (f->sysfs, config, NULL);
  const DpugwDiagStep *last = assert_steps (steps, 8, TRUE);

  g_assert_cmpstr (last->value, ==,
                   "eth7, configured explicitly (--gateway-interface=eth7); derived from the management port "
                   "it would be eth0, by rule first");
  {
    g_autoptr(DpugwConfig) alone = config_new (NULL, NULL, NULL, "eth7");
    g_autoptr(GPtrArray) none = dpugw_diagnose (f->sysfs, alone, NULL);
    last = assert_steps (none, 1, FALSE);
    assert_contains (last->cause, "--gateway-interface=eth7");
  }
}

/* eth0 is the example's PF. */
static void
test_pf_as_mgmt_port (Fixture *f, gconstpointer unused)
{
  g_autoptr(GPtrArray) steps = dpugw_diagnose (f->sysfs, NULL, "eth0");
  const DpugwDiagStep *last = assert_steps (steps, 4, FALSE);

  g_assert_cmpstr (step_at (steps, 2)->value, ==, "0000:01:00.0");
  g_assert_cmpstr (last->value, ==, "0000:01:00.0 is not a virtual function");
  assert_path (f, last, "{R}/bus/pci/devices/0000:01:00.0/physfn");
  assert_contains (last->cause, "eth0 (PCI function 0000:01:00.0) is an SR-IOV physical function "
                                "(sriov_totalvfs 8, 2 VFs enabled)");
  assert_contains (last->cause, "the resolution fails with \"failed to get PF PCI address: "
                                "0000:01:00.0 is not a virtual function");
  assert_contains (last->fix, "use one of its VFs as the management port: pf0vf0 (0000:01:02.3), "
                              "pf0vf1 (0000:01:02.4)");
  assert_contains (last->fix, "--ovnkube-node-mgmt-port-netdev=pf0vf0");

  /* Named by its PCI address, the same. */
  {
    g_autoptr(GPtrArray) by_pci = dpugw_diagnose (f->sysfs, NULL, "0000:01:00.0");
    last = assert_steps (by_pci, 4, FALSE);
    assert_contains (last->cause, "0000:01:00.0 is an SR-IOV physical function");
  }
}

/* A switchdev VF representor given as the management port: named as such, not as its PF. */
static void
test_representor_as_mgmt_port (Fixture *f, gconstpointer unused)
{
  g_autoptr(GPtrArray) steps = dpugw_diagnose (f->sysfs, NULL, "eth1");
  const DpugwDiagStep *last = assert_steps (steps, 4, FALSE);

  g_assert_cmpstr (last->value, ==, "eth1 is a representor, not a virtual function");
  assert_contains (last->cause, "eth1 is the representor of VF 1 of PF 0 (phys_port_name pf0vf1) on the switchdev "
                                "function 0000:3b:00.0, not a VF; the resolution fails with \"failed to get PF PCI "
                                "address: eth1 is the representor of VF 1");
  g_assert_null (strstr (last->cause, "is an SR-IOV physical function"));
  g_assert_cmpstr (last->fix, ==, "use the VF itself as the management port: 0000:3b:00.3 (netdev ens2f0v1)");
}

/* A PF without VFs: the fix says how to create them. */
static void
test_pf_without_vfs (Fixture *f, gconstpointer unused)
{
  g_autoptr(GPtrArray) steps = dpugw_diagnose (f->sysfs, NULL, "p0");
  const DpugwDiagStep *last = assert_steps (steps, 4, FALSE);

  assert_contains (last->cause, "sriov_totalvfs 16, 0 VFs enabled");
  assert_contains (last->fix, "echo N > ");
  assert_contains (last->fix, "/bus/pci/devices/0000:03:00.0/sriov_numvfs");
}

static void
test_virtio (Fixture *f, gconstpointer unused)
{
  g_autoptr(GPtrArray) steps = dpugw_diagnose (f->sysfs, NULL, "ens3");
  const DpugwDiagStep *last = assert_steps (steps, 4, FALSE);

  g_assert_cmpstr (step_at (steps, 2)->value, ==, "0000:00:03.0 (the PCI function above virtio0)");
  g_assert_cmpstr (last->value, ==, "0000:00:03.0 is not a virtual function");
  assert_contains (last->cause, "ens3 (virtio0 on PCI function 0000:00:03.0) is a virtio-net device");
  assert_contains (last->cause, "failed to get PF PCI address");
  assert_contains (last->fix, "--gateway-interface=");
}

static void
test_lo (Fixture *f, gconstpointer unused)
{
  g_autoptr(GPtrArray) steps = dpugw_diagnose (f->sysfs, NULL, "lo");
  const DpugwDiagStep *last = assert_steps (steps, 3, FALSE);

  g_assert_cmpstr (step_at (steps, 1)->value, ==, "lo");
  g_assert_cmpstr (last->value, ==, "lo has no device link");
  assert_path (f, last, "{R}/class/net/lo/device");
  g_assert_true (g_str_has_prefix (last->cause,
                                   "lo is a virtual network device, not backed by a PCI function; the resolution "
                                   "fails with \"failed to get PCI address: lo is a virtual network device"));
  assert_contains (last->fix, "use the VF netdev of the management port; `ip -d link show lo`");
  assert_contains (last->fix, "ethtool -i NETDEV | grep bus-info");
  assert_contains (last->fix, "pf0vf0 (0000:01:02.3)");
}

static void
test_missing_netdev (Fixture *f, gconstpointer unused)
{
  g_autoptr(GPtrArray) steps = dpugw_diagnose (f->sysfs, NULL, "pf0vf9");
  const DpugwDiagStep *last = assert_steps (steps, 2, FALSE);
  g_autofree char *lib = expand (f, "\"failed to get PCI address: no network device pf0vf9 "
                                    "({R}/class/net/pf0vf9: No such file or directory)\"");

  g_assert_cmpstr (last->value, ==, "pf0vf9 does not exist");
  assert_path (f, last, "{R}/class/net/pf0vf9");
  assert_contains (last->cause, "there is no network device pf0vf9 on this host");
  assert_contains (last->cause, lib);
  assert_contains (last->fix, "ip link show pf0vf9");
  assert_contains (last->fix, "pf0vf0 (0000:01:02.3), pf0vf1 (0000:01:02.4)");

  /* A VF address that does not exist fails at pci-address. */
  {
    g_autoptr(GPtrArray) pci = dpugw_diagnose (f->sysfs, NULL, "0000:01:02.7");
    last = assert_steps (pci, 3, FALSE);
    g_assert_cmpstr (step_at (pci, 1)->value, ==, "skipped: 0000:01:02.7 is named by PCI address");
    assert_contains (last->cause, "failed to get PF PCI address: no PCI device 0000:01:02.7");
  }
}

static void
test_dangling_physfn (Fixture *f, gconstpointer unused)
{
  g_autoptr(GPtrArray) steps = dpugw_diagnose (f->sysfs, NULL, "pf0vf0");
  const DpugwDiagStep *last = assert_steps (steps, 4, FALSE);

  g_assert_cmpstr (last->value, ==, "physfn leads to 0000:01:00.0, which does not exist");
  assert_path (f, last, "{R}/bus/pci/devices/0000:01:02.3/physfn");
  assert_contains (last->cause, "the physfn link of 0000:01:02.3 points to \"../0000:01:00.0\", which does not "
                                "exist: its PF 0000:01:00.0 is gone");
  assert_contains (last->cause, "failed to get PF PCI address: the physfn link of 0000:01:02.3");
  assert_contains (last->fix, "lspci -D -s 0000:01:00.0");
}

/* A physfn link that leads outside the root is refused, not followed. */
static void
test_escaping_physfn (Fixture *f, gconstpointer unused)
{
  g_autoptr(GPtrArray) steps = NULL;
  const DpugwDiagStep *last;

  dpugw_test_remove (f->testbed, EXAMPLE_VF0 "/physfn");
  dpugw_test_symlink (f->testbed, "../../../../../../../../../../../../etc", EXAMPLE_VF0 "/physfn");
  steps = dpugw_diagnose (f->sysfs, NULL, "pf0vf0");
  last = assert_steps (steps, 4, FALSE);
  g_assert_cmpstr (last->value, ==, "the physfn link of 0000:01:02.3 cannot be used");
  assert_contains (last->cause, "outside the sysfs root");
  assert_contains (last->cause, "failed to get PF PCI address");
}

static void
test_pf_no_net (Fixture *f, gconstpointer unused)
{
  {
    g_autoptr(GPtrArray) steps = dpugw_diagnose (f->sysfs, NULL, "pf0vf0");
    const DpugwDiagStep *last = assert_steps (steps, 7, FALSE);

    g_assert_cmpstr (step_at (steps, 4)->value, ==, "8 total, 1 enabled");
    g_assert_cmpstr (last->value, ==, "0000:01:00.0 has no net/ directory");
    assert_path (f, last, "{R}/bus/pci/devices/0000:01:00.0/net");
    assert_contains (last->cause, "0000:01:00.0 is bound to vfio-pci, which creates no netdevs");
    assert_contains (last->cause, "the resolution fails with \"failed to get network devices: cannot list the "
                                  "network devices of 0000:01:00.0");
    assert_contains (last->fix, "driverctl unset-override 0000:01:00.0");
  }

  dpugw_test_mkdir (f->testbed, EXAMPLE_PF "/net");
  {
    g_autoptr(GPtrArray) steps = dpugw_diagnose (f->sysfs, NULL, "pf0vf0");
    const DpugwDiagStep *last = assert_steps (steps, 7, FALSE);
    g_autofree char *net = expand (f, "{R}/bus/pci/devices/0000:01:00.0/net");

    g_assert_cmpstr (last->value, ==, "0000:01:00.0/net/ is empty");
    g_assert_true (g_str_has_prefix (last->cause, "no netdevs found for pci address 0000:01:00.0: "));
    assert_contains (last->fix, "the PF's driver has not created its netdevs yet (DPU hosts: the Arm side must "
                                "configure the NIC first)");
    assert_contains (last->fix, net);
  }
}

static void
test_numvfs_zero (Fixture *f, gconstpointer unused)
{
  g_autofree char *numvfs = dpugw_test_path (f->testbed, EXAMPLE_PF "/sriov_numvfs");
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) steps = NULL;
  const DpugwDiagStep *last;

  g_assert_true (g_file_set_contents (numvfs, "0\n", -1, &error));
  g_assert_no_error (error);
  steps = dpugw_diagnose (f->sysfs, NULL, "pf0vf0");
  last = assert_steps (steps, 5, FALSE);
  g_assert_cmpstr (last->value, ==, "8 total, 0 enabled");
  assert_path (f, last, "{R}/bus/pci/devices/0000:01:00.0/sriov_numvfs");
  assert_contains (last->cause, "0000:01:00.0 has its VFs disabled (sriov_numvfs 0 of 8)");
  assert_contains (last->fix, "echo N > ");
}

/* The PF's virtfn links do not include the VF. */
static void
test_virtfn_missing (Fixture *f, gconstpointer unused)
{
  g_autoptr(GPtrArray) steps = NULL;
  const DpugwDiagStep *last;

  dpugw_test_remove (f->testbed, EXAMPLE_PF "/virtfn0");
  steps = dpugw_diagnose (f->sysfs, NULL, "pf0vf0");
  last = assert_steps (steps, 6, FALSE);
  g_assert_cmpstr (last->value, ==, "no virtfn link of 0000:01:00.0 leads to 0000:01:02.3");
  assert_path (f, last, "{R}/bus/pci/devices/0000:01:00.0/virtfn*");
  assert_contains (last->cause, "inconsistent SR-IOV state: 0000:01:02.3 names 0000:01:00.0 as its PF");
  assert_contains (last->fix, "modprobe -r mlx5_core");
  assert_contains (last->fix, "virtfn1 -> 0000:01:02.4");

  /* The other VF is still fine. */
  {
    g_autoptr(GPtrArray) other = dpugw_diagnose (f->sysfs, NULL, "pf0vf1");
    assert_steps (other, 8, TRUE);
  }
  /* A virtfn0 that leads to the wrong VF is no better. */
  dpugw_test_symlink (f->testbed, "../0000:01:02.4", EXAMPLE_PF "/virtfn0");
  {
    g_autoptr(GPtrArray) wrong = dpugw_diagnose (f->sysfs, NULL, "pf0vf0");
    last = assert_steps (wrong, 6, FALSE);
    assert_contains (last->fix, "virtfn0 -> 0000:01:02.4, virtfn1 -> 0000:01:02.4");
  }
}

static void
test_switchdev (Fixture *f, gconstpointer unused)
{
  g_autoptr(GPtrArray) steps = dpugw_diagnose (f->sysfs, NULL, "ens2f0v0");
  const DpugwDiagStep *last = assert_steps (steps, 8, TRUE);

  g_assert_cmpstr (step_at (steps, 4)->value, ==, "8 total, 3 enabled");
  g_assert_cmpstr (step_at (steps, 6)->value, ==,
                   "eth0 (up, representor of VF pf0vf0), eth1 (up, representor of VF pf0vf1), "
                   "eth2 (up, representor of VF pf0vf2), pf0 (up, uplink p0); "
                   "switchdev mode (phys_switch_id 8c2a8e0003c6b10c)");
  /* OVN-Kubernetes' rule takes the representor eth0; the hint says so. */
  g_assert_true (g_str_has_prefix (last->value, "eth0, by rule first (the first netdev in sorted order); hint: "));
  assert_contains (last->value, "uplink is pf0");

  /* Upper case is the same address. */
  {
    g_autoptr(GPtrArray) upper = dpugw_diagnose (f->sysfs, NULL, "0000:3B:00.2");
    assert_steps (upper, 8, TRUE);
    g_assert_cmpstr (step_at (upper, 0)->value, ==, "0000:3b:00.2 (a VF PCI address, the port asked for)");
    g_assert_cmpstr (step_at (upper, 5)->value, ==, "virtfn0");
  }
}

/* A scalable function's netdev: its PCI parent is the PF, it needs no VFs. */
static void
test_scalable_function (Fixture *f, gconstpointer unused)
{
  g_autoptr(GPtrArray) steps = dpugw_diagnose (f->sysfs, NULL, "en3f0pf0sf88");
  const DpugwDiagStep *last = assert_steps (steps, 8, TRUE);

  g_assert_cmpstr (step_at (steps, 2)->value, ==,
                   "0000:03:00.0 (the PCI function above scalable function mlx5_core.sf.2)");
  g_assert_cmpstr (step_at (steps, 4)->value, ==, "16 total, 0 enabled (a scalable function needs none)");
  g_assert_true (g_str_has_prefix (step_at (steps, 5)->value, "skipped: "));
  assert_contains (step_at (steps, 6)->value, "p0 (up, uplink p0)");
  g_assert_true (g_str_has_prefix (last->value, "p0, "));
}

/* A VF bound to vfio-pci has no netdev: not an error. */
static void
test_vfio_vf (Fixture *f, gconstpointer unused)
{
  g_autoptr(GPtrArray) steps = dpugw_diagnose (f->sysfs, NULL, "0000:02:10.2");
  const DpugwDiagStep *last = assert_steps (steps, 8, TRUE);

  g_assert_cmpstr (step_at (steps, 1)->value, ==,
                   "skipped: 0000:02:10.2 is named by PCI address; it has no netdev (driver vfio-pci), which is "
                   "not an error");
  g_assert_cmpstr (step_at (steps, 3)->value, ==, "0000:02:00.0");
  g_assert_cmpstr (step_at (steps, 5)->value, ==, "virtfn1");
  g_assert_true (g_str_has_prefix (last->value, "enp2s0f0, "));
}

static void
test_nothing_configured (Fixture *f, gconstpointer unused)
{
  {
    g_autoptr(GPtrArray) steps = dpugw_diagnose (f->sysfs, NULL, NULL);
    const DpugwDiagStep *last = assert_steps (steps, 1, FALSE);

    g_assert_cmpstr (last->value, ==, "none");
    g_assert_cmpstr (last->path, ==, "");
    assert_contains (last->cause, "no management port is named, and none is configured");
    g_assert_true (g_str_has_prefix (last->fix, "set --ovnkube-node-mgmt-port-netdev=pf0vf0 "));
  }
  {
    g_autoptr(DpugwConfig) config = config_new (NULL, NULL, NULL, NULL);
    g_autoptr(GPtrArray) steps = dpugw_diagnose (f->sysfs, config, "");
    const DpugwDiagStep *last = assert_steps (steps, 1, FALSE);

    assert_contains (last->fix, "set --ovnkube-node-mgmt-port-netdev=");
  }
  {
    /* A device plugin resource whose variable is not set. */
    g_autoptr(DpugwConfig) config = config_new (NULL, "nvidia.com/mgmt_vf", NULL, NULL);
    g_autoptr(GPtrArray) steps = dpugw_diagnose (f->sysfs, config, NULL);
    const DpugwDiagStep *last = assert_steps (steps, 1, FALSE);

    assert_contains (last->cause, "PCIDEVICE_NVIDIA_COM_MGMT_VF is not set");
  }
}

static void
test_hostile_input (Fixture *f, gconstpointer unused)
{
  const struct {
    const char *input;
    const char *value;
    const char *cause;
  } cases[] = {
    { "../x", "\"../x\" is not a valid network device name", "invalid network device name \"../x\": it contains '/'" },
    { "../../etc/passwd", "\"../../etc/passwd\" is not a valid network device name", "it is longer than 15 bytes" },
    { "..", "\"..\" is not a valid network device name", "it is \".\" or \"..\"" },
    { "a b", "\"a b\" is not a valid network device name", "it contains whitespace" },
    { "x\x1b[2J", "\"x\\033[2J\" is not a valid network device name", "control character" },
    { "\xff\xfe", "\"\\377\\376\" is not a valid network device name", "not valid UTF-8" },
    { "0000:01:02.8", "\"0000:01:02.8\" is not a valid PCI address", "invalid PCI address \"0000:01:02.8\"" },
    { "../0000:01:02.3", "\"../0000:01:02.3\" is not a valid PCI address", "expected DDDD:BB:DD.F" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GPtrArray) steps = dpugw_diagnose (f->sysfs, NULL, cases[i].input);
      const DpugwDiagStep *last = assert_steps (steps, 1, FALSE);
      g_autoptr(GVariant) variant = NULL;

      g_assert_cmpstr (last->value, ==, cases[i].value);
      assert_contains (last->cause, cases[i].cause);
      assert_contains (last->fix, "name the management port by ");
      /* Whatever came in, the result can go over D-Bus. */
      variant = g_variant_ref_sink (dpugw_diag_steps_to_variant (steps));
      g_assert_true (g_variant_is_normal_form (variant));
    }
}

static void
assert_steps_equal (GPtrArray *a, GPtrArray *b)
{
  g_assert_cmpuint (a->len, ==, b->len);
  for (guint i = 0; i < a->len; i++)
    {
      const DpugwDiagStep *x = g_ptr_array_index (a, i);
      const DpugwDiagStep *y = g_ptr_array_index (b, i);

      g_assert_cmpstr (x->step, ==, y->step);
      g_assert_cmpint (x->ok, ==, y->ok);
      g_assert_cmpstr (x->value, ==, y->value);
      g_assert_cmpstr (x->path, ==, y->path);
      g_assert_cmpstr (x->cause, ==, y->cause);
      g_assert_cmpstr (x->fix, ==, y->fix);
    }
}

static void
test_variant_round_trip (Fixture *f, gconstpointer unused)
{
  const char *ports[] = { "pf0vf0", "eth0", "lo", "pf0vf9", "0000:01:02.4", "../x" };

  for (gsize i = 0; i < G_N_ELEMENTS (ports); i++)
    {
      g_autoptr(GPtrArray) steps = dpugw_diagnose (f->sysfs, NULL, ports[i]);
      g_autoptr(GVariant) variant = g_variant_ref_sink (dpugw_diag_steps_to_variant (steps));
      g_autoptr(GPtrArray) back = NULL;
      g_autoptr(GBytes) bytes = g_variant_get_data_as_bytes (variant);
      g_autoptr(GVariant) serialised = NULL;
      g_autoptr(GPtrArray) back2 = NULL;

      g_assert_true (g_variant_is_of_type (variant, G_VARIANT_TYPE ("aa{sv}")));
      g_assert_cmpuint (g_variant_n_children (variant), ==, steps->len);
      for (guint j = 0; j < steps->len; j++)
        {
          g_autoptr(GVariant) dict = g_variant_get_child_value (variant, j);
          const DpugwDiagStep *step = g_ptr_array_index (steps, j);
          gboolean ok;
          const char *s;

          g_assert_true (g_variant_lookup (dict, "step", "&s", &s));
          g_assert_cmpstr (s, ==, step->step);
          g_assert_true (g_variant_lookup (dict, "ok", "b", &ok));
          g_assert_cmpint (ok, ==, step->ok);
          g_assert_true (g_variant_lookup (dict, "value", "&s", &s));
          g_assert_true (g_variant_lookup (dict, "path", "&s", &s));
          /* cause and fix on failures only */
          g_assert_cmpint (g_variant_lookup (dict, "cause", "&s", &s), ==, !step->ok);
          g_assert_cmpint (g_variant_lookup (dict, "fix", "&s", &s), ==, !step->ok);
          g_assert_cmpuint (g_variant_n_children (dict), ==, step->ok ? 4 : 6);
        }

      back = dpugw_diag_steps_from_variant (variant);
      assert_steps_equal (steps, back);

      /* And through the wire format. */
      serialised = g_variant_ref_sink (g_variant_new_from_bytes (G_VARIANT_TYPE ("aa{sv}"), bytes, FALSE));
      back2 = dpugw_diag_steps_from_variant (serialised);
      assert_steps_equal (steps, back2);
    }

  /* Missing keys read as empty; unknown ones are ignored. */
  {
    g_autoptr(GVariant) sparse = g_variant_ref_sink (
        g_variant_new_parsed ("[{'step': <'netdev'>, 'extra': <uint32 1>}, {'step': <'x'>, 'ok': <true>}]"));
    g_autoptr(GPtrArray) steps = dpugw_diag_steps_from_variant (sparse);
    const DpugwDiagStep *s;

    g_assert_cmpuint (steps->len, ==, 2);
    s = g_ptr_array_index (steps, 0);
    g_assert_false (s->ok);
    g_assert_cmpstr (s->value, ==, "");
    g_assert_cmpstr (s->path, ==, "");
    g_assert_cmpstr (s->cause, ==, "");
    g_assert_cmpstr (s->fix, ==, "");
    s = g_ptr_array_index (steps, 1);
    g_assert_true (s->ok);
    g_assert_null (s->cause);
  }
}

/* ---------------------------------------------------------------------------
 * The CLI
 * ------------------------------------------------------------------------ */

/* The JSON the CLI must print for @steps, written independently of src/common/json.c. */
static void
json_string (GString *out, const char *s)
{
  g_string_append_c (out, '"');
  for (const char *p = s; *p != '\0'; p++)
    {
      if (*p == '"' || *p == '\\')
        g_string_append_printf (out, "\\%c", *p);
      else if ((guchar) *p < 0x20)
        g_string_append_printf (out, "\\u%04x", (guchar) *p);
      else
        g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');
}

static char *
expected_json (GPtrArray *steps)
{
  GString *out = g_string_new ("{\"steps\":[");

  for (guint i = 0; i < steps->len; i++)
    {
      const DpugwDiagStep *step = g_ptr_array_index (steps, i);

      g_string_append (out, i > 0 ? ",{\"step\":" : "{\"step\":");
      json_string (out, step->step);
      g_string_append_printf (out, ",\"ok\":%s,\"value\":", step->ok ? "true" : "false");
      json_string (out, step->value);
      g_string_append (out, ",\"path\":");
      json_string (out, step->path);
      if (!step->ok)
        {
          g_string_append (out, ",\"cause\":");
          json_string (out, step->cause);
          g_string_append (out, ",\"fix\":");
          json_string (out, step->fix);
        }
      g_string_append_c (out, '}');
    }
  g_string_append (out, "]}\n");
  return g_string_free (out, FALSE);
}

static void
test_cli_healthy (Fixture *f, gconstpointer unused)
{
  g_auto(DpugwTestRun) run = { 0 };
  g_autofree char *expected = expand (
      f,
      "[ok]   mgmt-port    pf0vf0 (the port asked for)\n"
      "[ok]   netdev       pf0vf0                {R}/class/net/pf0vf0\n"
      "[ok]   pci-address  0000:01:02.3          {R}/class/net/pf0vf0/device\n"
      "[ok]   physfn       0000:01:00.0          {R}/bus/pci/devices/0000:01:02.3/physfn\n"
      "[ok]   sriov        8 total, 2 enabled    {R}/bus/pci/devices/0000:01:00.0/sriov_numvfs\n"
      "[ok]   virtfn       virtfn0               {R}/bus/pci/devices/0000:01:00.0/virtfn0\n"
      "[ok]   pf-netdevs   eth0 (up), eth1 (up)  {R}/bus/pci/devices/0000:01:00.0/net\n"
      "[ok]   selection    eth0, by rule first (the first netdev in sorted order)\n"
      "                    {R}/bus/pci/devices/0000:01:00.0/net\n");

  DPUGW_TEST_CTL (&run, "diagnose", "--local", "--config-file=", "--sysfs-root", f->root, "pf0vf0");
  g_assert_cmpstr (run.err, ==, "");
  g_assert_cmpstr (run.out, ==, expected);
  g_assert_cmpint (run.status, ==, 0);
}

static void
test_cli_failure (Fixture *f, gconstpointer unused)
{
  g_autoptr(GPtrArray) steps = dpugw_diagnose (f->sysfs, NULL, "eth0");
  const DpugwDiagStep *last = assert_steps (steps, 4, FALSE);
  g_autofree char *expected = NULL;
  g_auto(DpugwTestRun) run = { 0 };

  expected = g_strdup_printf ("[ok]   mgmt-port    eth0 (the port asked for)\n"
                              "[ok]   netdev       eth0                                    %s/class/net/eth0\n"
                              "[ok]   pci-address  0000:01:00.0                            %s/class/net/eth0/device\n"
                              "[FAIL] physfn       0000:01:00.0 is not a virtual function  "
                              "%s/bus/pci/devices/0000:01:00.0/physfn\n"
                              "       cause: %s\n"
                              "       fix:   %s\n",
                              f->root, f->root, f->root, last->cause, last->fix);
  DPUGW_TEST_CTL (&run, "diagnose", "--local", "--config-file=", "--sysfs-root", f->root, "eth0");
  g_assert_cmpstr (run.err, ==, "");
  g_assert_cmpstr (run.out, ==, expected);
  g_assert_cmpint (run.status, ==, 1);
}

/* --json says what the library says, for success and failure alike. */
static void
test_cli_json (Fixture *f, gconstpointer unused)
{
  const char *ports[] = { "pf0vf0", "eth0", "lo", "pf0vf9", "0000:01:02.4", "../x" };

  for (gsize i = 0; i < G_N_ELEMENTS (ports); i++)
    {
      g_autoptr(GPtrArray) steps = dpugw_diagnose (f->sysfs, NULL, ports[i]);
      g_autofree char *expected = expected_json (steps);
      g_auto(DpugwTestRun) run = { 0 };

      DPUGW_TEST_CTL (&run, "diagnose", "--local", "--json", "--config-file=", "--sysfs-root", f->root, ports[i]);
      g_assert_cmpstr (run.err, ==, "");
      g_assert_cmpstr (run.out, ==, expected);
      g_assert_cmpint (run.status, ==, i == 0 || i == 4 ? 0 : 1);
    }
  {
    g_auto(DpugwTestRun) run = { 0 };
    g_autofree char *expected = expand (
        f,
        "{\"steps\":[{\"step\":\"mgmt-port\",\"ok\":true,\"value\":\"pf0vf0 (the port asked for)\",\"path\":\"\"},"
        "{\"step\":\"netdev\",\"ok\":true,\"value\":\"pf0vf0\",\"path\":\"{R}/class/net/pf0vf0\"},"
        "{\"step\":\"pci-address\",\"ok\":true,\"value\":\"0000:01:02.3\",\"path\":\"{R}/class/net/pf0vf0/device\"},"
        "{\"step\":\"physfn\",\"ok\":true,\"value\":\"0000:01:00.0\",\"path\":\"{R}/bus/pci/devices/0000:01:02.3/physfn\"},"
        "{\"step\":\"sriov\",\"ok\":true,\"value\":\"8 total, 2 enabled\","
        "\"path\":\"{R}/bus/pci/devices/0000:01:00.0/sriov_numvfs\"},"
        "{\"step\":\"virtfn\",\"ok\":true,\"value\":\"virtfn0\",\"path\":\"{R}/bus/pci/devices/0000:01:00.0/virtfn0\"},"
        "{\"step\":\"pf-netdevs\",\"ok\":true,\"value\":\"eth0 (up), eth1 (up)\","
        "\"path\":\"{R}/bus/pci/devices/0000:01:00.0/net\"},"
        "{\"step\":\"selection\",\"ok\":true,\"value\":\"eth0, by rule first (the first netdev in sorted order)\","
        "\"path\":\"{R}/bus/pci/devices/0000:01:00.0/net\"}]}\n");

    DPUGW_TEST_CTL (&run, "diagnose", "-l", "-j", "--config-file=", "--sysfs-root", f->root, "pf0vf0");
    g_assert_cmpstr (run.out, ==, expected);
    g_assert_cmpint (run.status, ==, 0);
  }
}

/* The configuration flags and environment apply with --local. */
static void
test_cli_configured (Fixture *f, gconstpointer unused)
{
  {
    g_auto(DpugwTestRun) run = { 0 };
    DPUGW_TEST_CTL (&run, "diagnose", "--local", "--config-file=", "--sysfs-root", f->root,
         "--ovnkube-node-mode=dpu-host", "--ovnkube-node-mgmt-port-netdev=pf0vf0",
         "--gateway-interface=derive-from-mgmt-port");
    g_assert_cmpstr (run.err, ==, "");
    g_assert_true (g_str_has_prefix (run.out, "[ok]   mgmt-port    ovn-k8s-mp0 (the configured pf0vf0 does not exist;"));
    assert_contains (run.out, "[ok]   selection    eth0, ");
    g_assert_cmpint (run.status, ==, 0);
  }
  {
    const char *env[] = { "OVNKUBE_NODE_MGMT_PORT_NETDEV=pf0vf1", NULL };
    g_auto(DpugwTestRun) run = { 0 };
    DPUGW_TEST_CTL_ENV (&run, env, "diagnose", "--local", "--config-file=", "--sysfs-root", f->root);
    g_assert_true (g_str_has_prefix (run.out, "[ok]   mgmt-port    pf0vf1 (the configured management port netdev)\n"));
    g_assert_cmpint (run.status, ==, 0);
  }
  {
    /* Nothing configured: a failed step, not a usage error. */
    g_auto(DpugwTestRun) run = { 0 };
    DPUGW_TEST_CTL (&run, "diagnose", "--local", "--config-file=", "--sysfs-root", f->root);
    g_assert_cmpstr (run.err, ==, "");
    g_assert_true (g_str_has_prefix (run.out, "[FAIL] mgmt-port    none\n       cause: "));
    assert_contains (run.out, "\n       fix:   set --ovnkube-node-mgmt-port-netdev=");
    g_assert_cmpint (run.status, ==, 1);
  }
}

static void
test_cli_usage (Fixture *f, gconstpointer unused)
{
  {
    g_auto(DpugwTestRun) run = { 0 };
    DPUGW_TEST_CTL (&run, "diagnose", "--local", "--config-file=", "--sysfs-root", f->root, "pf0vf0", "pf0vf1");
    g_assert_cmpstr (run.out, ==, "");
    g_assert_cmpstr (run.err, ==, "dpu-gatewayctl: diagnose takes at most one management port\n");
    g_assert_cmpint (run.status, ==, 2);
  }
  {
    g_auto(DpugwTestRun) run = { 0 };
    DPUGW_TEST_CTL (&run, "diagnose", "--local", "--no-such-flag");
    g_assert_cmpstr (run.err, ==, "dpu-gatewayctl: Unknown option --no-such-flag\n");
    g_assert_cmpint (run.status, ==, 2);
  }
  {
    g_auto(DpugwTestRun) run = { 0 };
    DPUGW_TEST_CTL (&run, "diagnose", "--local", "--config-file=", "--sysfs-root", "/nonexistent/sys", "pf0vf0");
    g_assert_cmpstr (run.out, ==, "");
    g_assert_cmpstr (run.err, ==, "dpu-gatewayctl: sysfs root /nonexistent/sys: No such file or directory\n");
    g_assert_cmpint (run.status, ==, 2);
  }
  {
    /* The configuration flags are --local's. */
    g_auto(DpugwTestRun) run = { 0 };
    DPUGW_TEST_CTL (&run, "diagnose", "--ovnkube-node-mgmt-port-netdev=pf0vf0");
    g_assert_cmpint (run.status, ==, 2);
  }
  {
    /* Malformed input is a failed first step, printed safely. */
    g_auto(DpugwTestRun) run = { 0 };
    DPUGW_TEST_CTL (&run, "diagnose", "--local", "--config-file=", "--sysfs-root", f->root, "x\x1b[2J");
    g_assert_true (g_str_has_prefix (run.out, "[FAIL] mgmt-port    \"x\\033[2J\" is not a valid network device name\n"));
    g_assert_null (strchr (run.out, '\x1b'));
    g_assert_cmpint (run.status, ==, 1);
  }
  {
    g_auto(DpugwTestRun) run = { 0 };
    DPUGW_TEST_CTL (&run, "--help");
    assert_contains (run.out, "diagnose");
    g_assert_cmpint (run.status, ==, 0);
  }
  {
    g_auto(DpugwTestRun) run = { 0 };
    DPUGW_TEST_CTL (&run, "diagnose", "--help");
    assert_contains (run.out, "diagnose [MGMT_PORT]");
    assert_contains (run.out, "--sysfs-root");
    g_assert_cmpint (run.status, ==, 0);
  }
}

/* This machine's real /sys: lo is virtual, at once. */
static void
test_cli_real_sysfs_lo (void)
{
  g_auto(DpugwTestRun) run = { 0 };

  /* Every network namespace has lo. */
  g_assert_true (g_file_test ("/sys/class/net/lo", G_FILE_TEST_EXISTS));
  DPUGW_TEST_CTL (&run, "diagnose", "--local", "--config-file=", "lo");
  g_assert_true (g_str_has_prefix (run.out, "[ok]   mgmt-port    lo (the port asked for)\n"
                                            "[ok]   netdev       lo "));
  assert_contains (run.out, "[FAIL] pci-address  lo has no device link");
  assert_contains (run.out, "       cause: lo is a virtual network device, not backed by a PCI function; ");
  g_assert_cmpint (run.status, ==, 1);
}

static void
test_cli_unreachable (void)
{
  g_auto(DpugwTestRun) run = { 0 };
  const char *env[] = { "DBUS_SYSTEM_BUS_ADDRESS=unix:path=/nonexistent/bus", NULL };

  DPUGW_TEST_CTL_ENV (&run, env, "diagnose", "pf0vf0");
  g_assert_cmpstr (run.out, ==, "");
  g_assert_true (g_str_has_prefix (run.err, "dpu-gatewayctl: cannot reach org.ovnk.DpuGateway on the system bus: "));
  g_assert_cmpint (run.status, ==, 3);
}

/* ---------------------------------------------------------------------------
 * Against the service
 * ------------------------------------------------------------------------ */

/* The service's Diagnose gives the output and exit status --local gives. */
static void
test_service_same_as_local (DpugwTestBus *f)
{
  const char *root = f->root;
  const char *ports[] = { "pf0vf0", "0000:01:02.4", "pf0vf9", "eth0", "lo", "0000:01:02.7", "../x", "\xff" };

  DPUGW_TEST_START (f, .args = STRV (DPUGW_TEST_CONFIGURED), .ready = TRUE);

  for (gsize i = 0; i < G_N_ELEMENTS (ports); i++)
    for (guint json = 0; json < 2; json++)
      {
        g_auto(DpugwTestRun) local = { 0 };
        g_auto(DpugwTestRun) service = { 0 };

        if (json)
          {
            DPUGW_TEST_CTL (&local, "diagnose", "--local", "--json", "--config-file=", "--sysfs-root", root, ports[i]);
            DPUGW_TEST_CTL (&service, "diagnose", "--json", f->address_flag, ports[i]);
          }
        else
          {
            DPUGW_TEST_CTL (&local, "diagnose", "--local", "--config-file=", "--sysfs-root", root, ports[i]);
            DPUGW_TEST_CTL (&service, "diagnose", f->address_flag, ports[i]);
          }
        g_assert_cmpstr (service.out, ==, local.out);
        g_assert_cmpstr (service.err, ==, local.err);
        g_assert_cmpint (service.status, ==, local.status);
      }

  /* "": the service's configured port, pf0vf0. */
  {
    g_auto(DpugwTestRun) local = { 0 };
    g_auto(DpugwTestRun) service = { 0 };

    DPUGW_TEST_CTL (&local, "diagnose", "--local", "--config-file=", "--sysfs-root", root,
         "--ovnkube-node-mode=dpu-host", "--ovnkube-node-mgmt-port-netdev=pf0vf0",
         "--gateway-interface=derive-from-mgmt-port");
    DPUGW_TEST_CTL (&service, "diagnose", f->address_flag);
    g_assert_cmpstr (service.out, ==, local.out);
    g_assert_cmpint (service.status, ==, 0);
    g_assert_true (g_str_has_prefix (service.out, "[ok]   mgmt-port    pf0vf0 (the configured management port netdev)\n"));
  }
}

int
main (int argc, char **argv)
{
  dpugw_test_init (&argc, &argv, DPUGW_TEST_DEFAULT);

#define ADD(path, recording, func) \
  g_test_add (path, Fixture, recording, fixture_setup, func, fixture_teardown)

  ADD ("/diagnose/healthy", EXAMPLE, test_healthy);
  ADD ("/diagnose/renamed", RENAMED, test_renamed);
  ADD ("/diagnose/configured-netdev", EXAMPLE, test_configured_netdev);
  ADD ("/diagnose/device-plugin", EXAMPLE, test_device_plugin);
  ADD ("/diagnose/device-plugin-gone", EXAMPLE, test_device_plugin_gone);
  ADD ("/diagnose/explicit", EXAMPLE, test_explicit);
  ADD ("/diagnose/pf-as-mgmt-port", EXAMPLE, test_pf_as_mgmt_port);
  ADD ("/diagnose/pf-without-vfs", SF, test_pf_without_vfs);
  ADD ("/diagnose/virtio", VIRTIO, test_virtio);
  ADD ("/diagnose/lo", EXAMPLE, test_lo);
  ADD ("/diagnose/missing-netdev", EXAMPLE, test_missing_netdev);
  ADD ("/diagnose/dangling-physfn", DANGLING, test_dangling_physfn);
  ADD ("/diagnose/escaping-physfn", EXAMPLE, test_escaping_physfn);
  ADD ("/diagnose/pf-no-net", PF_NO_NET, test_pf_no_net);
  ADD ("/diagnose/numvfs-zero", EXAMPLE, test_numvfs_zero);
  ADD ("/diagnose/virtfn-missing", EXAMPLE, test_virtfn_missing);
  ADD ("/diagnose/switchdev", SWITCHDEV, test_switchdev);
  ADD ("/diagnose/representor-as-mgmt-port", SWITCHDEV, test_representor_as_mgmt_port);
  ADD ("/diagnose/scalable-function", SF, test_scalable_function);
  ADD ("/diagnose/vfio-vf", IGB, test_vfio_vf);
  ADD ("/diagnose/nothing-configured", EXAMPLE, test_nothing_configured);
  ADD ("/diagnose/hostile-input", EXAMPLE, test_hostile_input);
  ADD ("/diagnose/variant-round-trip", EXAMPLE, test_variant_round_trip);
  ADD ("/diagnose/cli/healthy", EXAMPLE, test_cli_healthy);
  ADD ("/diagnose/cli/failure", EXAMPLE, test_cli_failure);
  ADD ("/diagnose/cli/json", EXAMPLE, test_cli_json);
  ADD ("/diagnose/cli/configured", RENAMED, test_cli_configured);
  ADD ("/diagnose/cli/usage", EXAMPLE, test_cli_usage);
  g_test_add_func ("/diagnose/cli/real-sysfs-lo", test_cli_real_sysfs_lo);
  g_test_add_func ("/diagnose/cli/unreachable", test_cli_unreachable);
  DPUGW_TEST_ADD ("/diagnose/service/same-as-local", test_service_same_as_local, { EXAMPLE });

  return g_test_run ();
}
