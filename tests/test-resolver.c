/* SPDX-License-Identifier: Apache-2.0
 *
 * Tests of the derive-from-mgmt-port pipeline (resolver.c) and of the sysfs
 * access below it (sysfs.c), on fake hardware: umockdev recordings loaded
 * into a testbed, which the library reads as its sysfs root.
 */
#include "testlib.h"

#include <errno.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define EXAMPLE   "data/dpu-host-example.umockdev"
#define BLUEFIELD "tests/fixtures/bluefield-host.umockdev"
#define DANGLING  "tests/fixtures/dangling-physfn.umockdev"
#define IGB       "tests/fixtures/igb-interleaved.umockdev"
#define DOMAIN    "tests/fixtures/pci-domain.umockdev"
#define PF_NO_NET "tests/fixtures/pf-no-net.umockdev"
#define RENAMED   "tests/fixtures/renamed-mgmt.umockdev"
#define SF        "tests/fixtures/scalable-function.umockdev"
#define SWITCHDEV "tests/fixtures/switchdev.umockdev"
#define VIRTIO    "tests/fixtures/virtio.umockdev"
#define VIRTIO_SRIOV "tests/fixtures/virtio-sriov.umockdev"
#define VMD       "tests/fixtures/vmd.umockdev"

/* Where the example's PCI functions sit below the root. */
#define EXAMPLE_BRIDGE "devices/pci0000:00/0000:00:02.0"
#define EXAMPLE_PF     EXAMPLE_BRIDGE "/0000:01:00.0"
#define EXAMPLE_VF0    EXAMPLE_BRIDGE "/0000:01:02.3"
#define EXAMPLE_VF1    EXAMPLE_BRIDGE "/0000:01:02.4"

/* ---------------------------------------------------------------------------
 * Helpers
 * ------------------------------------------------------------------------ */

/* @template with every "{R}" replaced by the (realpath()ed) sysfs root. */
static char *
expand_root (DpugwSysfs *sysfs, const char *template)
{
  GString *s = g_string_new (template);

  g_string_replace (s, "{R}", dpugw_sysfs_get_root (sysfs), 0);
  return g_string_free (s, FALSE);
}

/* The whole message of @error, "{R}" standing for the sysfs root. */
static void
assert_message (const GError *error, DpugwSysfs *sysfs, const char *template)
{
  g_autofree char *expected = expand_root (sysfs, template);

  g_assert_nonnull (error);
  g_assert_cmpstr (error->message, ==, expected);
}

static void
assert_resolution (const DpugwResolution *r,
                   const char             *interface,
                   const char             *mgmt_port,
                   const char             *vf_pci,
                   const char             *pf_pci,
                   const char * const     *candidates,
                   DpugwSource             source)
{
  g_assert_nonnull (r);
  g_assert_cmpstr (r->interface, ==, interface);
  g_assert_cmpstr (r->mgmt_port, ==, mgmt_port);
  g_assert_cmpstr (r->vf_pci, ==, vf_pci);
  g_assert_cmpstr (r->pf_pci, ==, pf_pci);
  g_assert_cmpstrv (r->candidates, candidates);
  g_assert_cmpstr (dpugw_source_to_string (r->source), ==, dpugw_source_to_string (source));
  g_assert_cmpint (r->source, ==, source);
}

/* Resolves @mgmt_port without configuration, expecting success. */
static DpugwResolution *
resolve_ok (DpugwSysfs *sysfs, const DpugwConfig *config, const char *mgmt_port)
{
  g_autoptr(GError) error = NULL;
  DpugwResolution *r = dpugw_resolve (sysfs, config, mgmt_port, &error);

  g_assert_no_error (error);
  g_assert_nonnull (r);
  return r;
}

/*
 * A DpugwSysfs whose root no longer exists: the testbed that held it is gone
 * (a UMockdevTestbed removes its directory when finalized).  Any file access
 * through it fails with a G_IO_ERROR, which the steps turn into their
 * PCI_ADDRESS, PF_PCI_ADDRESS or NETDEV_DISCOVERY errors; only input rejected
 * before any file is touched gives INVALID_ARGUMENT or NOT_CONFIGURED.
 */
static DpugwSysfs *
dead_sysfs_new (void)
{
  g_autoptr(UMockdevTestbed) testbed = NULL;
  DpugwSysfs *sysfs = NULL;

  testbed = dpugw_test_testbed_new (&sysfs, EXAMPLE, NULL);
  g_assert_true (g_file_test (dpugw_sysfs_get_root (sysfs), G_FILE_TEST_IS_DIR));
  g_clear_object (&testbed);
  g_assert_false (g_file_test (dpugw_sysfs_get_root (sysfs), G_FILE_TEST_EXISTS));
  return sysfs;
}

static void
config_finish_ok (DpugwConfig *config, const char * const *envp)
{
  g_autoptr(GError) error = NULL;
  gboolean ok = dpugw_config_finish (config, envp, &error);

  g_assert_no_error (error);
  g_assert_true (ok);
}

/* A dpu-host configuration built field by field, then finished with @envp. */
static DpugwConfig *
config_new_finished (const char         *mgmt_port_netdev,
                     const char         *dp_resource_name,
                     const char         *gateway_interface,
                     const char * const *envp)
{
  g_autoptr(DpugwConfig) config = dpugw_config_new ();

  config->mode = DPUGW_NODE_MODE_DPU_HOST;
  config->mgmt_port_netdev = g_strdup (mgmt_port_netdev);
  config->mgmt_port_dp_resource_name = g_strdup (dp_resource_name);
  config->gateway_interface = g_strdup (gateway_interface);
  config_finish_ok (config, envp);
  return g_steal_pointer (&config);
}

/* ---------------------------------------------------------------------------
 * Step 2: dpugw_pci_from_netdev
 * ------------------------------------------------------------------------ */

static void
test_pci_from_netdev_vf (void)
{
  g_autoptr(DpugwSysfs) sysfs = NULL;
  g_autoptr(UMockdevTestbed) testbed = dpugw_test_testbed_new (&sysfs, EXAMPLE, NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *pci = NULL;
  g_autofree char *pci1 = NULL;

  pci = dpugw_pci_from_netdev (sysfs, "pf0vf0", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (pci, ==, "0000:01:02.3");

  pci1 = dpugw_pci_from_netdev (sysfs, "pf0vf1", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (pci1, ==, "0000:01:02.4");
}

static void
test_pci_from_netdev_pf (void)
{
  g_autoptr(DpugwSysfs) sysfs = NULL;
  g_autoptr(UMockdevTestbed) testbed = dpugw_test_testbed_new (&sysfs, EXAMPLE, NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *pci = NULL;

  /* Step 2 does not care whether the function is a VF. */
  pci = dpugw_pci_from_netdev (sysfs, "eth1", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (pci, ==, "0000:01:00.0");
}

static void
test_pci_from_netdev_virtio (void)
{
  g_autoptr(DpugwSysfs) sysfs = NULL;
  g_autoptr(UMockdevTestbed) testbed = dpugw_test_testbed_new (&sysfs, VIRTIO, NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *pci = NULL;

  /* ens3's device link points at virtio0; the PCI function is its parent. */
  pci = dpugw_pci_from_netdev (sysfs, "ens3", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (pci, ==, "0000:00:03.0");
}

static void
test_pci_from_netdev_scalable_function (void)
{
  g_autoptr(DpugwSysfs) sysfs = NULL;
  g_autoptr(UMockdevTestbed) testbed = dpugw_test_testbed_new (&sysfs, SF, NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *pci = NULL;

  /* The SF's device is the auxiliary device mlx5_core.sf.2 below the PF. */
  pci = dpugw_pci_from_netdev (sysfs, "en3f0pf0sf88", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (pci, ==, "0000:03:00.0");
}

static void
test_pci_from_netdev_domain (void)
{
  g_autoptr(DpugwSysfs) sysfs = NULL;
  g_autoptr(UMockdevTestbed) testbed = dpugw_test_testbed_new (&sysfs, DOMAIN, NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *pci = NULL;

  pci = dpugw_pci_from_netdev (sysfs, "enP2p193s0f0v0", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (pci, ==, "0002:c1:00.2");
}

static void
test_pci_from_netdev_missing (void)
{
  g_autoptr(DpugwSysfs) sysfs = NULL;
  g_autoptr(UMockdevTestbed) testbed = dpugw_test_testbed_new (&sysfs, EXAMPLE, NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *pci = NULL;

  pci = dpugw_pci_from_netdev (sysfs, "pf0vf9", &error);
  g_assert_error (error, DPUGW_ERROR, DPUGW_ERROR_PCI_ADDRESS);
  g_assert_null (pci);
  assert_message (error, sysfs,
                  "failed to get PCI address: no network device pf0vf9 "
                  "({R}/class/net/pf0vf9: No such file or directory)");
}

static void
test_pci_from_netdev_not_pci (void)
{
  g_autoptr(DpugwSysfs) sysfs = NULL;
  g_autoptr(UMockdevTestbed) testbed = dpugw_test_testbed_new (&sysfs, EXAMPLE, NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *pci = NULL;

  /* A netdev of a platform device (an SoC's built-in NIC): no PCI function anywhere. */
  dpugw_test_mkdir (testbed, "devices/platform/soc0/net/end0");
  dpugw_test_symlink (testbed, "../../../soc0", "devices/platform/soc0/net/end0/device");
  dpugw_test_symlink (testbed, "../../devices/platform/soc0/net/end0", "class/net/end0");

  pci = dpugw_pci_from_netdev (sysfs, "end0", &error);
  g_assert_error (error, DPUGW_ERROR, DPUGW_ERROR_PCI_ADDRESS);
  g_assert_null (pci);
  assert_message (error, sysfs,
                  "failed to get PCI address: the device of end0 ({R}/devices/platform/soc0) "
                  "is not on a PCI bus");
}

/* ---------------------------------------------------------------------------
 * Step 3: dpugw_pf_pci_from_vf_pci
 * ------------------------------------------------------------------------ */

static void
test_pf_from_vf_example (void)
{
  g_autoptr(DpugwSysfs) sysfs = NULL;
  g_autoptr(UMockdevTestbed) testbed = dpugw_test_testbed_new (&sysfs, EXAMPLE, NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *pf = NULL;
  g_autofree char *pf1 = NULL;

  pf = dpugw_pf_pci_from_vf_pci (sysfs, "0000:01:02.3", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (pf, ==, "0000:01:00.0");

  pf1 = dpugw_pf_pci_from_vf_pci (sysfs, "0000:01:02.4", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (pf1, ==, "0000:01:00.0");
}

static void
test_pf_from_vf_upper_case (void)
{
  g_autoptr(DpugwSysfs) sysfs = NULL;
  g_autoptr(UMockdevTestbed) testbed = dpugw_test_testbed_new (&sysfs, SWITCHDEV, DOMAIN, NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *pf = NULL;
  g_autofree char *pf_domain = NULL;

  /* sysfs names functions in lower case; an upper-case address still finds them. */
  pf = dpugw_pf_pci_from_vf_pci (sysfs, "0000:3B:00.2", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (pf, ==, "0000:3b:00.0");

  pf_domain = dpugw_pf_pci_from_vf_pci (sysfs, "0002:C1:00.2", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (pf_domain, ==, "0002:c1:00.0");
}

static void
test_pf_from_vf_interleaved (void)
{
  g_autoptr(DpugwSysfs) sysfs = NULL;
  g_autoptr(UMockdevTestbed) testbed = dpugw_test_testbed_new (&sysfs, IGB, BLUEFIELD, NULL);
  static const struct {
    const char *vf;
    const char *pf;
  } cases[] = {
    /* igb: the VFs of the two ports alternate. */
    { "0000:02:10.0", "0000:02:00.0" },
    { "0000:02:10.1", "0000:02:00.1" },
    { "0000:02:10.2", "0000:02:00.0" },
    { "0000:02:10.3", "0000:02:00.1" },
    /* BlueField: port 1's VFs sit far from their PF, at device 08. */
    { "0000:03:00.4", "0000:03:00.0" },
    { "0000:03:08.2", "0000:03:00.1" },
    { "0000:03:08.4", "0000:03:00.1" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *pf = dpugw_pf_pci_from_vf_pci (sysfs, cases[i].vf, &error);

      g_assert_no_error (error);
      g_assert_cmpstr (pf, ==, cases[i].pf);
    }
}

static void
test_pf_from_vf_follows_physfn_only (void)
{
  g_autoptr(DpugwSysfs) sysfs = NULL;
  g_autoptr(UMockdevTestbed) testbed = dpugw_test_testbed_new (&sysfs, IGB, NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *pf = NULL;

  /* Re-point one VF at the other port: only the link decides, not the address. */
  dpugw_test_remove (testbed, "devices/pci0000:00/0000:00:1c.0/0000:02:10.0/physfn");
  dpugw_test_symlink (testbed, "../0000:02:00.1", "devices/pci0000:00/0000:00:1c.0/0000:02:10.0/physfn");

  pf = dpugw_pf_pci_from_vf_pci (sysfs, "0000:02:10.0", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (pf, ==, "0000:02:00.1");
}

static void
test_pf_from_vf_not_a_vf (void)
{
  g_autoptr(DpugwSysfs) sysfs = NULL;
  g_autoptr(UMockdevTestbed) testbed = dpugw_test_testbed_new (&sysfs, EXAMPLE, NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *pf = NULL;

  pf = dpugw_pf_pci_from_vf_pci (sysfs, "0000:01:00.0", &error);
  g_assert_error (error, DPUGW_ERROR, DPUGW_ERROR_PF_PCI_ADDRESS);
  g_assert_null (pf);
  g_assert_cmpstr (error->message, ==,
                   "failed to get PF PCI address: 0000:01:00.0 is not a virtual function (no physfn link): it is an SR-IOV physical function (2 of 8 VFs enabled); use one of its VFs as the management port");
}

static void
test_pf_from_vf_missing (void)
{
  g_autoptr(DpugwSysfs) sysfs = NULL;
  g_autoptr(UMockdevTestbed) testbed = dpugw_test_testbed_new (&sysfs, EXAMPLE, NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *pf = NULL;

  pf = dpugw_pf_pci_from_vf_pci (sysfs, "0000:01:02.7", &error);
  g_assert_error (error, DPUGW_ERROR, DPUGW_ERROR_PF_PCI_ADDRESS);
  g_assert_null (pf);
  assert_message (error, sysfs,
                  "failed to get PF PCI address: no PCI device 0000:01:02.7 "
                  "({R}/bus/pci/devices/0000:01:02.7: No such file or directory)");
}

/* ---------------------------------------------------------------------------
 * Step 4: dpugw_netdevs_from_pci
 * ------------------------------------------------------------------------ */

static void
test_netdevs_example (void)
{
  g_autoptr(DpugwSysfs) sysfs = NULL;
  g_autoptr(UMockdevTestbed) testbed = dpugw_test_testbed_new (&sysfs, EXAMPLE, NULL);
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) netdevs = NULL;

  /* The recording lists eth1 before eth0: the result is sorted regardless. */
  netdevs = dpugw_netdevs_from_pci (sysfs, "0000:01:00.0", &error);
  g_assert_no_error (error);
  g_assert_cmpstrv (netdevs, STRV ("eth0", "eth1"));
}

static void
test_netdevs_switchdev (void)
{
  g_autoptr(DpugwSysfs) sysfs = NULL;
  g_autoptr(UMockdevTestbed) testbed = dpugw_test_testbed_new (&sysfs, SWITCHDEV, NULL);
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) netdevs = NULL;

  /* Upper-case input is normalised; representors and the uplink, by name. */
  netdevs = dpugw_netdevs_from_pci (sysfs, "0000:3B:00.0", &error);
  g_assert_no_error (error);
  g_assert_cmpstrv (netdevs, STRV ("eth0", "eth1", "eth2", "pf0"));
}

static void
test_netdevs_no_net_dir (void)
{
  g_autoptr(DpugwSysfs) sysfs = NULL;
  g_autoptr(UMockdevTestbed) testbed = dpugw_test_testbed_new (&sysfs, PF_NO_NET, NULL);
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) netdevs = NULL;

  netdevs = dpugw_netdevs_from_pci (sysfs, "0000:01:00.0", &error);
  g_assert_error (error, DPUGW_ERROR, DPUGW_ERROR_NETDEV_DISCOVERY);
  g_assert_null (netdevs);
  assert_message (error, sysfs,
                  "failed to get network devices: cannot list the network devices of 0000:01:00.0 "
                  "({R}/" EXAMPLE_PF "/net: No such file or directory)");
}

static void
test_netdevs_empty_net_dir (void)
{
  g_autoptr(DpugwSysfs) sysfs = NULL;
  g_autoptr(UMockdevTestbed) testbed = dpugw_test_testbed_new (&sysfs, PF_NO_NET, NULL);
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) netdevs = NULL;

  dpugw_test_mkdir (testbed, EXAMPLE_PF "/net");
  netdevs = dpugw_netdevs_from_pci (sysfs, "0000:01:00.0", &error);
  g_assert_error (error, DPUGW_ERROR, DPUGW_ERROR_NO_NETDEVS);
  g_assert_null (netdevs);
  g_assert_cmpstr (error->message, ==, "no netdevs found for pci address 0000:01:00.0");
}

static void
test_netdevs_invalid_names_ignored (void)
{
  g_autoptr(DpugwSysfs) sysfs = NULL;
  g_autoptr(UMockdevTestbed) testbed = dpugw_test_testbed_new (&sysfs, EXAMPLE, NULL);
  g_autoptr(UMockdevTestbed) testbed2 = NULL;
  g_autoptr(DpugwSysfs) sysfs2 = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) netdevs = NULL;
  g_auto(GStrv) none = NULL;

  /* Entries no kernel would make: they sort before eth0 but are not candidates. */
  dpugw_test_mkdir (testbed, EXAMPLE_PF "/net/a b");
  dpugw_test_mkdir (testbed, EXAMPLE_PF "/net/aaaaaaaaaaaaaaaa");
  dpugw_test_mkdir (testbed, EXAMPLE_PF "/net/a:b");
  netdevs = dpugw_netdevs_from_pci (sysfs, "0000:01:00.0", &error);
  g_assert_no_error (error);
  g_assert_cmpstrv (netdevs, STRV ("eth0", "eth1"));

  /* Only invalid entries: no netdevs. */
  testbed2 = dpugw_test_testbed_new (&sysfs2, PF_NO_NET, NULL);
  dpugw_test_mkdir (testbed2, EXAMPLE_PF "/net/bad name");
  none = dpugw_netdevs_from_pci (sysfs2, "0000:01:00.0", &error);
  g_assert_error (error, DPUGW_ERROR, DPUGW_ERROR_NO_NETDEVS);
  g_assert_null (none);
}

/* Names the kernel allows but D-Bus and JSON cannot carry: leaving one out could change which
 * netdev is first, so step 4 says so, with the name escaped. */
static void
test_netdevs_unprintable_names_refused (void)
{
  static const struct { const char *name; const char *shown; } cases[] = {
    { "a\xff", "\"a\\377\" (invalid name: it is not valid UTF-8)" },
    { "z\001", "\"z\\001\" (invalid name: it contains a control character)" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(DpugwSysfs) sysfs = NULL;
      g_autoptr(UMockdevTestbed) testbed = dpugw_test_testbed_new (&sysfs, EXAMPLE, NULL);
      g_autoptr(GError) error = NULL;
      g_autoptr(DpugwResolution) r = NULL;
      g_autofree char *path = g_strconcat (EXAMPLE_PF "/net/", cases[i].name, NULL);
      g_autofree char *expected = g_strdup_printf ("failed to get network devices: 0000:01:00.0 has a network "
                                                   "device named %s, which D-Bus and JSON cannot carry; rename it "
                                                   "(`ip link set dev NAME name NEWNAME`)", cases[i].shown);

      dpugw_test_mkdir (testbed, path);
      r = dpugw_resolve (sysfs, NULL, "0000:01:02.3", &error);
      g_assert_error (error, DPUGW_ERROR, DPUGW_ERROR_NETDEV_DISCOVERY);
      g_assert_null (r);
      g_assert_cmpstr (error->message, ==, expected);
    }
}

/* ---------------------------------------------------------------------------
 * Real servers: VMD domains, virtio-net PFs, representors; where an answer goes beyond ovnkube-node
 * ------------------------------------------------------------------------ */

/* Intel VMD: the NIC sits in domain 10000, below the VMD controller 0000:00:0e.0. */
static void
test_vmd_domain (void)
{
  g_autoptr(DpugwSysfs) sysfs = NULL;
  g_autoptr(UMockdevTestbed) testbed = dpugw_test_testbed_new (&sysfs, VMD, NULL);
  g_autoptr(DpugwResolution) r = NULL;
  g_autoptr(DpugwResolution) by_pci = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *pci = NULL;
  g_autofree char *beyond = NULL;

  /* Step 2 stops at the VF, not at the VMD controller above it. */
  pci = dpugw_pci_from_netdev (sysfs, "ens1f0v0", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (pci, ==, "10000:01:00.2");

  r = resolve_ok (sysfs, NULL, "ens1f0v0");
  assert_resolution (r, "ens1f0np0", "ens1f0v0", "10000:01:00.2", "10000:01:00.0", STRV ("ens1f0np0"),
                     DPUGW_SOURCE_DERIVED);
  by_pci = resolve_ok (sysfs, NULL, "10000:01:00.2");
  g_assert_true (dpugw_resolution_equal (r, by_pci));
  /* sriovnet's PCI address pattern has four domain digits. */
  g_assert_cmpint (r->beyond, ==, DPUGW_BEYOND_PCI_DOMAIN);
  g_assert_false (dpugw_resolution_ovnkube_compatible (r));
  beyond = dpugw_beyond_to_string (r->beyond);
  g_assert_cmpstr (beyond, ==, "pci-domain");
}

/* A virtio-net PF with SR-IOV keeps its netdev in PF/virtioN/net/: found, and marked beyond
 * ovnkube-node, whose sriovnet lists PF/net/ only. */
static void
test_virtio_pf (void)
{
  g_autoptr(DpugwSysfs) sysfs = NULL;
  g_autoptr(UMockdevTestbed) testbed = dpugw_test_testbed_new (&sysfs, VIRTIO_SRIOV, NULL);
  g_autoptr(DpugwResolution) r = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) netdevs = NULL;

  netdevs = dpugw_netdevs_from_pci (sysfs, "0000:05:00.0", &error);
  g_assert_no_error (error);
  g_assert_cmpstrv (netdevs, STRV ("ens5f0"));

  r = resolve_ok (sysfs, NULL, "ens5f0v0");
  assert_resolution (r, "ens5f0", "ens5f0v0", "0000:05:00.1", "0000:05:00.0", STRV ("ens5f0"), DPUGW_SOURCE_DERIVED);
  g_assert_cmpint (r->beyond, ==, DPUGW_BEYOND_VIRTIO_PF);

  /* The VF by its PCI address: its netdev is found below virtio1/ too. */
  g_clear_pointer (&r, dpugw_resolution_free);
  r = resolve_ok (sysfs, NULL, "0000:05:00.1");
  g_assert_cmpstr (r->mgmt_port, ==, "ens5f0v0");
  g_assert_cmpint (r->beyond, ==, DPUGW_BEYOND_VIRTIO_PF);
}

/* What ovnkube-node reaches: the feature's example, the rename fallback, a VF by PCI address with
 * a netdev.  What it does not: an SF, a VF without a netdev, a rule other than `first`. */
static void
test_beyond_ovnkube (void)
{
  g_autoptr(DpugwSysfs) sysfs = NULL;
  g_autoptr(UMockdevTestbed) testbed = dpugw_test_testbed_new (&sysfs, EXAMPLE, NULL);
  g_autoptr(DpugwSysfs) sf_sysfs = NULL;
  g_autoptr(UMockdevTestbed) sf_testbed = dpugw_test_testbed_new (&sf_sysfs, SF, NULL);
  g_autoptr(DpugwConfig) uplink = dpugw_config_new ();
  g_autoptr(DpugwResolution) r = NULL;
  g_autofree char *reasons = NULL;

  r = resolve_ok (sysfs, NULL, "pf0vf0");
  g_assert_cmpint (r->beyond, ==, 0);
  g_assert_true (dpugw_resolution_ovnkube_compatible (r));
  g_clear_pointer (&r, dpugw_resolution_free);
  r = resolve_ok (sysfs, NULL, "0000:01:02.4");
  g_assert_cmpint (r->beyond, ==, 0);
  g_clear_pointer (&r, dpugw_resolution_free);

  /* A scalable function: sriovnet finds no physfn for it. */
  r = resolve_ok (sf_sysfs, NULL, "en3f0pf0sf88");
  g_assert_cmpint (r->beyond, ==, DPUGW_BEYOND_SCALABLE_FUNCTION);
  g_clear_pointer (&r, dpugw_resolution_free);

  /* A rule other than `first` decided; with the SF, both reasons, in order. */
  uplink->gateway_select = g_strdup ("uplink");
  config_finish_ok (uplink, NULL);
  r = resolve_ok (sf_sysfs, uplink, "en3f0pf0sf88");
  g_assert_cmpint (r->beyond, ==, DPUGW_BEYOND_SCALABLE_FUNCTION | DPUGW_BEYOND_SELECTION);
  reasons = dpugw_beyond_to_string (r->beyond);
  g_assert_cmpstr (reasons, ==, "scalable-function,selection-rule");
  g_assert_cmpint (dpugw_beyond_from_string (reasons), ==, r->beyond);
  g_assert_cmpint (dpugw_beyond_from_string (""), ==, 0);
  g_assert_cmpint (dpugw_beyond_from_string ("no-netdev,junk"), ==, DPUGW_BEYOND_NO_NETDEV);
  g_clear_pointer (&r, dpugw_resolution_free);

  /* `first` among other rules is still a rule that decides as ovnkube-node does. */
  g_clear_pointer (&uplink, dpugw_config_free);
  uplink = dpugw_config_new ();
  uplink->gateway_select = g_strdup ("name=zz*,first");
  config_finish_ok (uplink, NULL);
  r = resolve_ok (sysfs, uplink, "pf0vf0");
  g_assert_cmpstr (r->selected_by, ==, "first");
  g_assert_cmpint (r->beyond, ==, 0);
  g_clear_pointer (&r, dpugw_resolution_free);

  /* A VF without a netdev (vfio-pci), by its PCI address: ovnkube-node starts from a netdev. */
  dpugw_test_remove_netdev (testbed, EXAMPLE_VF1, "pf0vf1");
  r = resolve_ok (sysfs, NULL, "0000:01:02.4");
  g_assert_cmpstr (r->mgmt_port, ==, "");
  g_assert_cmpint (r->beyond, ==, DPUGW_BEYOND_NO_NETDEV);
}

/* A representor given as the management port is named as such, with what to use instead. */
static void
test_error_representor (void)
{
  static const struct { const char *port_name; const char *what; } cases[] = {
    { "pf0vf0", "eth0 is the representor of VF 0 of PF 0 (phys_port_name pf0vf0) on the switchdev function "
                "0000:3b:00.0, not a VF; use the VF itself as the management port: 0000:3b:00.2 (netdev ens2f0v0)" },
    { "c1pf0vf2", "eth0 is the representor of VF 2 of PF 0 (phys_port_name c1pf0vf2) on the switchdev function "
                  "0000:3b:00.0, not a VF; use the VF itself as the management port: 0000:3b:00.4 (netdev ens2f0v2)" },
    { "pf0vf7", "eth0 is the representor of VF 7 of PF 0 (phys_port_name pf0vf7) on the switchdev function "
                "0000:3b:00.0, not a VF; use the VF itself as the management port (its netdev where the VF is, "
                "or its PCI address)" },
    { "pf1sf88", "eth0 is the representor of SF 88 of PF 1 (phys_port_name pf1sf88) on the switchdev function "
                 "0000:3b:00.0, not a VF; use the SF itself as the management port (its netdev, or its auxiliary "
                 "device: `devlink port show` lists them)" },
    { "pf0hpf", "eth0 is the representor of the host's PF 0 (phys_port_name pf0hpf) on the switchdev function "
                "0000:3b:00.0, not a VF; use a VF of the host's PF as the management port" },
    { "pf1", "eth0 is the representor of PF 1 (phys_port_name pf1) on the switchdev function 0000:3b:00.0, not "
             "a VF; use one of that PF's VFs as the management port" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(DpugwSysfs) sysfs = NULL;
      g_autoptr(UMockdevTestbed) testbed = dpugw_test_testbed_new (&sysfs, SWITCHDEV, NULL);
      g_autofree char *contents = g_strconcat (cases[i].port_name, "\n", NULL);
      g_autofree char *expected = g_strconcat ("failed to get PF PCI address: ", cases[i].what, NULL);
      g_autoptr(GError) error = NULL;
      g_autoptr(DpugwResolution) r = NULL;

      dpugw_test_write (testbed, "devices/pci0000:3a/0000:3a:00.0/0000:3b:00.0/net/eth0/phys_port_name", contents);
      r = dpugw_resolve (sysfs, NULL, "eth0", &error);
      g_assert_null (r);
      g_assert_error (error, DPUGW_ERROR, DPUGW_ERROR_PF_PCI_ADDRESS);
      g_assert_cmpstr (error->message, ==, expected);
    }

  /* The uplink is the PF's own netdev: the PF message stays. */
  {
    g_autoptr(DpugwSysfs) sysfs = NULL;
    g_autoptr(UMockdevTestbed) testbed = dpugw_test_testbed_new (&sysfs, SWITCHDEV, NULL);
    g_autoptr(GError) error = NULL;
    g_autoptr(DpugwResolution) r = dpugw_resolve (sysfs, NULL, "pf0", &error);

    g_assert_null (r);
    g_assert_error (error, DPUGW_ERROR, DPUGW_ERROR_PF_PCI_ADDRESS);
    g_assert_true (g_str_has_prefix (error->message, "failed to get PF PCI address: 0000:3b:00.0 is not a virtual "
                                                     "function (no physfn link): it is an SR-IOV physical function"));
  }
}

/* ---------------------------------------------------------------------------
 * The whole pipeline, by the caller's management port
 * ------------------------------------------------------------------------ */

static void
test_resolve_example (void)
{
  g_autoptr(DpugwSysfs) sysfs = NULL;
  g_autoptr(UMockdevTestbed) testbed = dpugw_test_testbed_new (&sysfs, EXAMPLE, NULL);
  g_autoptr(DpugwResolution) r = NULL;

  /* The feature's documented example. */
  r = resolve_ok (sysfs, NULL, "pf0vf0");
  assert_resolution (r, "eth0", "pf0vf0", "0000:01:02.3", "0000:01:00.0",
                     STRV ("eth0", "eth1"), DPUGW_SOURCE_DERIVED);
}

static void
test_resolve_other_vf (void)
{
  g_autoptr(DpugwSysfs) sysfs = NULL;
  g_autoptr(UMockdevTestbed) testbed = dpugw_test_testbed_new (&sysfs, EXAMPLE, NULL);
  g_autoptr(DpugwResolution) r = NULL;

  r = resolve_ok (sysfs, NULL, "pf0vf1");
  assert_resolution (r, "eth0", "pf0vf1", "0000:01:02.4", "0000:01:00.0",
                     STRV ("eth0", "eth1"), DPUGW_SOURCE_DERIVED);
}

static void
test_resolve_by_vf_pci (void)
{
  g_autoptr(DpugwSysfs) sysfs = NULL;
  g_autoptr(UMockdevTestbed) testbed = dpugw_test_testbed_new (&sysfs, EXAMPLE, NULL);
  g_autoptr(DpugwResolution) r = NULL;
  g_autoptr(DpugwResolution) by_name = NULL;
  g_autoptr(DpugwResolution) direct = NULL;
  g_autoptr(GError) error = NULL;

  r = resolve_ok (sysfs, NULL, "0000:01:02.3");
  assert_resolution (r, "eth0", "pf0vf0", "0000:01:02.3", "0000:01:00.0",
                     STRV ("eth0", "eth1"), DPUGW_SOURCE_DERIVED);

  /* The same answer as by name, and as dpugw_resolve_function(). */
  by_name = resolve_ok (sysfs, NULL, "pf0vf0");
  g_assert_true (dpugw_resolution_equal (r, by_name));
  direct = dpugw_resolve_function (sysfs, NULL, "0000:01:02.3", &error);
  g_assert_no_error (error);
  g_assert_true (dpugw_resolution_equal (r, direct));
}

static void
test_resolve_bluefield (void)
{
  g_autoptr(DpugwSysfs) sysfs = NULL;
  g_autoptr(UMockdevTestbed) testbed = dpugw_test_testbed_new (&sysfs, BLUEFIELD, NULL);
  g_autoptr(DpugwResolution) port0 = NULL;
  g_autoptr(DpugwResolution) port1 = NULL;
  g_autoptr(DpugwResolution) port1_pci = NULL;

  port0 = resolve_ok (sysfs, NULL, "ens1f0v1");
  assert_resolution (port0, "ens1f0np0", "ens1f0v1", "0000:03:00.3", "0000:03:00.0",
                     STRV ("ens1f0np0"), DPUGW_SOURCE_DERIVED);

  port1 = resolve_ok (sysfs, NULL, "ens1f1v0");
  assert_resolution (port1, "ens1f1np1", "ens1f1v0", "0000:03:08.2", "0000:03:00.1",
                     STRV ("ens1f1np1"), DPUGW_SOURCE_DERIVED);

  port1_pci = resolve_ok (sysfs, NULL, "0000:03:08.4");
  assert_resolution (port1_pci, "ens1f1np1", "ens1f1v2", "0000:03:08.4", "0000:03:00.1",
                     STRV ("ens1f1np1"), DPUGW_SOURCE_DERIVED);
}

static void
test_resolve_switchdev (void)
{
  g_autoptr(DpugwSysfs) sysfs = NULL;
  g_autoptr(UMockdevTestbed) testbed = dpugw_test_testbed_new (&sysfs, SWITCHDEV, NULL);
  g_autoptr(DpugwResolution) r = NULL;

  /* Documented behaviour: the first by name, here a representor before the uplink pf0. */
  r = resolve_ok (sysfs, NULL, "ens2f0v1");
  assert_resolution (r, "eth0", "ens2f0v1", "0000:3b:00.3", "0000:3b:00.0",
                     STRV ("eth0", "eth1", "eth2", "pf0"), DPUGW_SOURCE_DERIVED);
}

static void
test_resolve_igb_interleaved (void)
{
  g_autoptr(DpugwSysfs) sysfs = NULL;
  g_autoptr(UMockdevTestbed) testbed = dpugw_test_testbed_new (&sysfs, IGB, NULL);
  g_autoptr(DpugwResolution) vf002 = NULL;
  g_autoptr(DpugwResolution) f5 = NULL;
  g_autoptr(DpugwResolution) vf013 = NULL;
  g_autoptr(DpugwResolution) vfio = NULL;

  vf002 = resolve_ok (sysfs, NULL, "vf002");
  assert_resolution (vf002, "enp2s0f0", "vf002", "0000:02:10.0", "0000:02:00.0",
                     STRV ("enp2s0f0"), DPUGW_SOURCE_DERIVED);

  /* A VF named like a PF port. */
  f5 = resolve_ok (sysfs, NULL, "enp2s0f5");
  assert_resolution (f5, "enp2s0f1", "enp2s0f5", "0000:02:10.1", "0000:02:00.1",
                     STRV ("enp2s0f1"), DPUGW_SOURCE_DERIVED);

  vf013 = resolve_ok (sysfs, NULL, "vf013");
  assert_resolution (vf013, "enp2s0f1", "vf013", "0000:02:10.3", "0000:02:00.1",
                     STRV ("enp2s0f1"), DPUGW_SOURCE_DERIVED);

  /* Bound to vfio-pci: no netdev, known by address only. */
  vfio = resolve_ok (sysfs, NULL, "0000:02:10.2");
  assert_resolution (vfio, "enp2s0f0", "", "0000:02:10.2", "0000:02:00.0",
                     STRV ("enp2s0f0"), DPUGW_SOURCE_DERIVED);
}

static void
test_resolve_pci_domain (void)
{
  g_autoptr(DpugwSysfs) sysfs = NULL;
  g_autoptr(UMockdevTestbed) testbed = dpugw_test_testbed_new (&sysfs, DOMAIN, NULL);
  g_autoptr(DpugwResolution) r = NULL;
  g_autoptr(DpugwResolution) by_pci = NULL;

  r = resolve_ok (sysfs, NULL, "enP2p193s0f0v0");
  assert_resolution (r, "enP2p193s0f0np0", "enP2p193s0f0v0", "0002:c1:00.2", "0002:c1:00.0",
                     STRV ("enP2p193s0f0np0"), DPUGW_SOURCE_DERIVED);

  by_pci = resolve_ok (sysfs, NULL, "0002:C1:00.2");
  g_assert_true (dpugw_resolution_equal (r, by_pci));
}

static void
test_resolution_copy_equal (void)
{
  g_autoptr(DpugwSysfs) sysfs = NULL;
  g_autoptr(UMockdevTestbed) testbed = dpugw_test_testbed_new (&sysfs, EXAMPLE, NULL);
  g_autoptr(DpugwResolution) r = NULL;
  g_autoptr(DpugwResolution) copy = NULL;

  r = resolve_ok (sysfs, NULL, "pf0vf0");
  copy = dpugw_resolution_copy (r);
  g_assert_true (copy != r);
  g_assert_true (copy->candidates != r->candidates);
  g_assert_true (dpugw_resolution_equal (r, copy));

  g_clear_pointer (&copy->candidates[1], g_free);
  g_assert_false (dpugw_resolution_equal (r, copy));
  g_clear_pointer (&copy, dpugw_resolution_free);

  copy = dpugw_resolution_copy (r);
  copy->source = DPUGW_SOURCE_RENAMED_FALLBACK;
  g_assert_false (dpugw_resolution_equal (r, copy));

  g_assert_true (dpugw_resolution_equal (NULL, NULL));
  g_assert_false (dpugw_resolution_equal (r, NULL));
}

/* ---------------------------------------------------------------------------
 * The pipeline's documented errors, whole messages
 * ------------------------------------------------------------------------ */

static void
test_error_missing_netdev (void)
{
  g_autoptr(DpugwSysfs) sysfs = NULL;
  g_autoptr(UMockdevTestbed) testbed = dpugw_test_testbed_new (&sysfs, EXAMPLE, NULL);
  g_autoptr(DpugwResolution) r = NULL;
  g_autoptr(GError) error = NULL;

  r = dpugw_resolve (sysfs, NULL, "pf0vf9", &error);
  g_assert_error (error, DPUGW_ERROR, DPUGW_ERROR_PCI_ADDRESS);
  g_assert_null (r);
  assert_message (error, sysfs,
                  "failed to get PCI address: no network device pf0vf9 "
                  "({R}/class/net/pf0vf9: No such file or directory)");
}

static void
test_error_virtual_netdev (void)
{
  g_autoptr(DpugwSysfs) sysfs = NULL;
  g_autoptr(UMockdevTestbed) testbed = dpugw_test_testbed_new (&sysfs, EXAMPLE, NULL);
  g_autoptr(DpugwResolution) r = NULL;
  g_autoptr(GError) error = NULL;

  r = dpugw_resolve (sysfs, NULL, "lo", &error);
  g_assert_error (error, DPUGW_ERROR, DPUGW_ERROR_PCI_ADDRESS);
  g_assert_null (r);
  assert_message (error, sysfs,
                  "failed to get PCI address: lo is a virtual network device, backed by no hardware "
                  "({R}/devices/virtual/net/lo/device: No such file or directory)");
}

static void
test_error_mgmt_port_is_pf (void)
{
  g_autoptr(DpugwSysfs) sysfs = NULL;
  g_autoptr(UMockdevTestbed) testbed = dpugw_test_testbed_new (&sysfs, EXAMPLE, NULL);
  g_autoptr(DpugwResolution) r = NULL;
  g_autoptr(DpugwResolution) r_pci = NULL;
  g_autoptr(GError) error = NULL;

  r = dpugw_resolve (sysfs, NULL, "eth0", &error);
  g_assert_error (error, DPUGW_ERROR, DPUGW_ERROR_PF_PCI_ADDRESS);
  g_assert_null (r);
  g_assert_cmpstr (error->message, ==,
                   "failed to get PF PCI address: 0000:01:00.0 is not a virtual function (no physfn link): it is an SR-IOV physical function (2 of 8 VFs enabled); use one of its VFs as the management port");
  g_clear_error (&error);

  r_pci = dpugw_resolve (sysfs, NULL, "0000:01:00.0", &error);
  g_assert_error (error, DPUGW_ERROR, DPUGW_ERROR_PF_PCI_ADDRESS);
  g_assert_null (r_pci);
  g_assert_cmpstr (error->message, ==,
                   "failed to get PF PCI address: 0000:01:00.0 is not a virtual function (no physfn link): it is an SR-IOV physical function (2 of 8 VFs enabled); use one of its VFs as the management port");
}

static void
test_error_virtio_not_vf (void)
{
  g_autoptr(DpugwSysfs) sysfs = NULL;
  g_autoptr(UMockdevTestbed) testbed = dpugw_test_testbed_new (&sysfs, VIRTIO, NULL);
  g_autoptr(DpugwResolution) r = NULL;
  g_autoptr(GError) error = NULL;

  r = dpugw_resolve (sysfs, NULL, "ens3", &error);
  g_assert_error (error, DPUGW_ERROR, DPUGW_ERROR_PF_PCI_ADDRESS);
  g_assert_null (r);
  g_assert_cmpstr (error->message, ==,
                   "failed to get PF PCI address: 0000:00:03.0 is not a virtual function (no physfn link): it is a virtio device (driver virtio-pci), which has no SR-IOV physical function");
}

/* A scalable function's netdev resolves through its auxiliary device's PCI parent, the PF. */
static void
test_resolve_scalable_function (void)
{
  g_autoptr(DpugwSysfs) sysfs = NULL;
  g_autoptr(UMockdevTestbed) testbed = dpugw_test_testbed_new (&sysfs, SF, NULL);
  g_autoptr(DpugwResolution) r = NULL;
  g_autoptr(GError) error = NULL;
  const char *candidates[] = { "p0", "pf0hpf", "pf0vf0", NULL };

  r = dpugw_resolve (sysfs, NULL, "en3f0pf0sf88", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (r->interface, ==, "p0");
  g_assert_cmpstr (r->function_type, ==, "sf");
  g_assert_cmpstr (r->sf, ==, "mlx5_core.sf.2");
  g_assert_cmpstr (r->vf_pci, ==, "");
  g_assert_cmpstr (r->pf_pci, ==, "0000:03:00.0");
  g_assert_cmpstr (r->mgmt_port, ==, "en3f0pf0sf88");
  g_assert_cmpstr (dpugw_resolution_function (r), ==, "mlx5_core.sf.2");
  g_assert_true (g_strv_equal ((const char * const *) r->candidates, candidates));
  g_assert_cmpstr (r->selected_by, ==, "first");
}

static void
test_error_no_pci_device (void)
{
  g_autoptr(DpugwSysfs) sysfs = NULL;
  g_autoptr(UMockdevTestbed) testbed = dpugw_test_testbed_new (&sysfs, EXAMPLE, NULL);
  g_autoptr(DpugwResolution) r = NULL;
  g_autoptr(GError) error = NULL;

  r = dpugw_resolve (sysfs, NULL, "0000:01:02.7", &error);
  g_assert_error (error, DPUGW_ERROR, DPUGW_ERROR_PF_PCI_ADDRESS);
  g_assert_null (r);
  assert_message (error, sysfs,
                  "failed to get PF PCI address: no PCI device 0000:01:02.7 "
                  "({R}/bus/pci/devices/0000:01:02.7: No such file or directory)");
}

static void
test_error_dangling_physfn (void)
{
  g_autoptr(DpugwSysfs) sysfs = NULL;
  g_autoptr(UMockdevTestbed) testbed = dpugw_test_testbed_new (&sysfs, DANGLING, NULL);
  g_autoptr(DpugwResolution) r = NULL;
  g_autoptr(DpugwResolution) r_pci = NULL;
  g_autoptr(GError) error = NULL;
  static const char *expected =
    "failed to get PF PCI address: the physfn link of 0000:01:02.3 points to \"../0000:01:00.0\", "
    "which cannot be followed ({R}/" EXAMPLE_BRIDGE "/0000:01:00.0: No such file or directory)";

  r = dpugw_resolve (sysfs, NULL, "pf0vf0", &error);
  g_assert_error (error, DPUGW_ERROR, DPUGW_ERROR_PF_PCI_ADDRESS);
  g_assert_null (r);
  g_assert_true (g_str_has_prefix (error->message,
                                   "failed to get PF PCI address: the physfn link of 0000:01:02.3 "
                                   "points to \"../0000:01:00.0\", which cannot be followed ("));
  assert_message (error, sysfs, expected);
  g_clear_error (&error);

  r_pci = dpugw_resolve (sysfs, NULL, "0000:01:02.3", &error);
  g_assert_error (error, DPUGW_ERROR, DPUGW_ERROR_PF_PCI_ADDRESS);
  g_assert_null (r_pci);
  assert_message (error, sysfs, expected);
}

static void
test_error_pf_without_net (void)
{
  g_autoptr(DpugwSysfs) sysfs = NULL;
  g_autoptr(UMockdevTestbed) testbed = dpugw_test_testbed_new (&sysfs, PF_NO_NET, NULL);
  g_autoptr(DpugwResolution) r = NULL;
  g_autoptr(GError) error = NULL;

  r = dpugw_resolve (sysfs, NULL, "pf0vf0", &error);
  g_assert_error (error, DPUGW_ERROR, DPUGW_ERROR_NETDEV_DISCOVERY);
  g_assert_null (r);
  assert_message (error, sysfs,
                  "failed to get network devices: cannot list the network devices of 0000:01:00.0 "
                  "({R}/" EXAMPLE_PF "/net: No such file or directory)");
}

static void
test_error_pf_empty_net (void)
{
  g_autoptr(DpugwSysfs) sysfs = NULL;
  g_autoptr(UMockdevTestbed) testbed = dpugw_test_testbed_new (&sysfs, PF_NO_NET, NULL);
  g_autoptr(DpugwResolution) r = NULL;
  g_autoptr(GError) error = NULL;

  /* Say the PF's only netdev was moved into another network namespace. */
  dpugw_test_mkdir (testbed, EXAMPLE_PF "/net");
  r = dpugw_resolve (sysfs, NULL, "pf0vf0", &error);
  g_assert_error (error, DPUGW_ERROR, DPUGW_ERROR_NO_NETDEVS);
  g_assert_null (r);
  g_assert_cmpstr (error->message, ==, "no netdevs found for pci address 0000:01:00.0");
}

/* ---------------------------------------------------------------------------
 * Configured resolution
 * ------------------------------------------------------------------------ */

static void
test_config_netdev (void)
{
  g_autoptr(DpugwSysfs) sysfs = NULL;
  g_autoptr(UMockdevTestbed) testbed = dpugw_test_testbed_new (&sysfs, EXAMPLE, NULL);
  g_autoptr(DpugwConfig) config = NULL;
  g_autoptr(DpugwResolution) r_null = NULL;
  g_autoptr(DpugwResolution) r_empty = NULL;
  const char * const envp[] = { "PATH=/usr/bin", NULL };

  config = config_new_finished ("pf0vf0", NULL, DPUGW_DERIVE_FROM_MGMT_PORT, envp);
  g_assert_cmpint (config->mgmt_source, ==, DPUGW_MGMT_SOURCE_NETDEV);

  r_null = resolve_ok (sysfs, config, NULL);
  assert_resolution (r_null, "eth0", "pf0vf0", "0000:01:02.3", "0000:01:00.0",
                     STRV ("eth0", "eth1"), DPUGW_SOURCE_DERIVED);

  r_empty = resolve_ok (sysfs, config, "");
  g_assert_true (dpugw_resolution_equal (r_null, r_empty));
}

static void
test_config_load (void)
{
  g_autoptr(DpugwSysfs) sysfs = NULL;
  g_autoptr(UMockdevTestbed) testbed = dpugw_test_testbed_new (&sysfs, EXAMPLE, NULL);
  g_autoptr(DpugwConfig) config = NULL;
  g_autoptr(DpugwResolution) r = NULL;
  g_autoptr(GError) error = NULL;
  const char * const envp[] = {
    DPUGW_ENV_NODE_MODE "=dpu-host",
    DPUGW_ENV_MGMT_PORT_NETDEV "=pf0vf1",
    NULL
  };
  const DpugwConfigFlags flags = {
    .gateway_interface = DPUGW_DERIVE_FROM_MGMT_PORT,
    .config_file = "",
  };

  config = dpugw_config_load (&flags, envp, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (config);

  r = resolve_ok (sysfs, config, NULL);
  assert_resolution (r, "eth0", "pf0vf1", "0000:01:02.4", "0000:01:00.0",
                     STRV ("eth0", "eth1"), DPUGW_SOURCE_DERIVED);
}

static void
test_config_caller_wins (void)
{
  g_autoptr(DpugwSysfs) sysfs = NULL;
  g_autoptr(UMockdevTestbed) testbed = dpugw_test_testbed_new (&sysfs, EXAMPLE, NULL);
  g_autoptr(DpugwConfig) config = NULL;
  g_autoptr(DpugwConfig) explicit = NULL;
  g_autoptr(DpugwResolution) r = NULL;
  g_autoptr(DpugwResolution) r_explicit = NULL;

  /* A management port named by the caller is resolved as asked. */
  config = config_new_finished ("pf0vf0", NULL, DPUGW_DERIVE_FROM_MGMT_PORT, NULL);
  r = resolve_ok (sysfs, config, "pf0vf1");
  assert_resolution (r, "eth0", "pf0vf1", "0000:01:02.4", "0000:01:00.0",
                     STRV ("eth0", "eth1"), DPUGW_SOURCE_DERIVED);

  /* Even over an explicit gateway interface. */
  explicit = config_new_finished ("pf0vf1", NULL, "eth7", NULL);
  r_explicit = resolve_ok (sysfs, explicit, "0000:01:02.3");
  assert_resolution (r_explicit, "eth0", "pf0vf0", "0000:01:02.3", "0000:01:00.0",
                     STRV ("eth0", "eth1"), DPUGW_SOURCE_DERIVED);
}

static void
test_config_renamed_fallback (void)
{
  g_autoptr(DpugwSysfs) sysfs = NULL;
  g_autoptr(UMockdevTestbed) testbed = dpugw_test_testbed_new (&sysfs, RENAMED, NULL);
  g_autoptr(DpugwConfig) config = NULL;
  g_autoptr(DpugwResolution) r = NULL;

  /* OVN-Kubernetes renamed pf0vf0 to ovn-k8s-mp0 when it took the port. */
  config = config_new_finished ("pf0vf0", NULL, DPUGW_DERIVE_FROM_MGMT_PORT, NULL);
  r = resolve_ok (sysfs, config, NULL);
  assert_resolution (r, "eth0", "ovn-k8s-mp0", "0000:01:02.3", "0000:01:00.0",
                     STRV ("eth0", "eth1"), DPUGW_SOURCE_RENAMED_FALLBACK);
}

static void
test_config_no_fallback_when_named (void)
{
  g_autoptr(DpugwSysfs) sysfs = NULL;
  g_autoptr(UMockdevTestbed) testbed = dpugw_test_testbed_new (&sysfs, RENAMED, NULL);
  g_autoptr(DpugwConfig) config = NULL;
  g_autoptr(DpugwResolution) r = NULL;
  g_autoptr(DpugwResolution) r_config = NULL;
  g_autoptr(GError) error = NULL;

  r = dpugw_resolve (sysfs, NULL, "pf0vf0", &error);
  g_assert_error (error, DPUGW_ERROR, DPUGW_ERROR_PCI_ADDRESS);
  g_assert_null (r);
  assert_message (error, sysfs,
                  "failed to get PCI address: no network device pf0vf0 "
                  "({R}/class/net/pf0vf0: No such file or directory)");
  g_clear_error (&error);

  /* Also when the same name is configured: the caller asked for it. */
  config = config_new_finished ("pf0vf0", NULL, DPUGW_DERIVE_FROM_MGMT_PORT, NULL);
  r_config = dpugw_resolve (sysfs, config, "pf0vf0", &error);
  g_assert_error (error, DPUGW_ERROR, DPUGW_ERROR_PCI_ADDRESS);
  g_assert_null (r_config);
  assert_message (error, sysfs,
                  "failed to get PCI address: no network device pf0vf0 "
                  "({R}/class/net/pf0vf0: No such file or directory)");
}

static void
test_config_no_fallback_when_neither (void)
{
  g_autoptr(DpugwSysfs) sysfs = NULL;
  g_autoptr(UMockdevTestbed) testbed = dpugw_test_testbed_new (&sysfs, EXAMPLE, NULL);
  g_autoptr(DpugwConfig) config = NULL;
  g_autoptr(DpugwResolution) r = NULL;
  g_autoptr(GError) error = NULL;

  /* Neither pf0vf9 nor ovn-k8s-mp0 exists. */
  config = config_new_finished ("pf0vf9", NULL, DPUGW_DERIVE_FROM_MGMT_PORT, NULL);
  r = dpugw_resolve (sysfs, config, NULL, &error);
  g_assert_error (error, DPUGW_ERROR, DPUGW_ERROR_PCI_ADDRESS);
  g_assert_null (r);
  assert_message (error, sysfs,
                  "failed to get PCI address: no network device pf0vf9 "
                  "({R}/class/net/pf0vf9: No such file or directory)");
}

static void
test_config_no_fallback_when_present (void)
{
  g_autoptr(DpugwSysfs) sysfs = NULL;
  g_autoptr(UMockdevTestbed) testbed = dpugw_test_testbed_new (&sysfs, RENAMED, NULL);
  g_autoptr(DpugwConfig) config = NULL;
  g_autoptr(DpugwConfig) mp0 = NULL;
  g_autoptr(DpugwResolution) r = NULL;
  g_autoptr(DpugwResolution) r_mp0 = NULL;

  /* ovn-k8s-mp0 exists, but so does the configured netdev: that one is used. */
  config = config_new_finished ("pf0vf1", NULL, DPUGW_DERIVE_FROM_MGMT_PORT, NULL);
  r = resolve_ok (sysfs, config, NULL);
  assert_resolution (r, "eth0", "pf0vf1", "0000:01:02.4", "0000:01:00.0",
                     STRV ("eth0", "eth1"), DPUGW_SOURCE_DERIVED);

  /* Configured as ovn-k8s-mp0 itself: plainly derived. */
  mp0 = config_new_finished (DPUGW_OVNK_MGMT_PORT_NAME, NULL, DPUGW_DERIVE_FROM_MGMT_PORT, NULL);
  r_mp0 = resolve_ok (sysfs, mp0, NULL);
  assert_resolution (r_mp0, "eth0", "ovn-k8s-mp0", "0000:01:02.3", "0000:01:00.0",
                     STRV ("eth0", "eth1"), DPUGW_SOURCE_DERIVED);
}

static void
test_config_device_plugin (void)
{
  g_autoptr(DpugwSysfs) sysfs = NULL;
  g_autoptr(UMockdevTestbed) testbed = dpugw_test_testbed_new (&sysfs, EXAMPLE, NULL);
  g_autoptr(DpugwConfig) config = NULL;
  g_autoptr(DpugwResolution) r = NULL;
  const char * const envp[] = { "PCIDEVICE_NVIDIA_COM_MGMT_VF=0000:01:02.4,0000:01:02.3", NULL };

  config = config_new_finished (NULL, "nvidia.com/mgmt_vf", DPUGW_DERIVE_FROM_MGMT_PORT, envp);
  g_assert_cmpint (config->mgmt_source, ==, DPUGW_MGMT_SOURCE_DEVICE_PLUGIN);
  g_assert_cmpstr (config->mgmt_port_vf_pci, ==, "0000:01:02.4");

  r = resolve_ok (sysfs, config, NULL);
  assert_resolution (r, "eth0", "pf0vf1", "0000:01:02.4", "0000:01:00.0",
                     STRV ("eth0", "eth1"), DPUGW_SOURCE_DEVICE_PLUGIN);
}

/* The device plugin's first device is ovnkube's; the others are not looked at. */
static void
test_config_device_plugin_first_only (void)
{
  g_autoptr(DpugwSysfs) sysfs = NULL;
  g_autoptr(UMockdevTestbed) testbed = dpugw_test_testbed_new (&sysfs, EXAMPLE, NULL);
  g_autoptr(DpugwConfig) config = NULL;
  g_autoptr(DpugwResolution) r = NULL;
  const char * const envp[] = { "PCIDEVICE_NVIDIA_COM_MGMT_VF= 0000:01:02.3 ,garbage,0000:09:00.7", NULL };

  config = config_new_finished (NULL, "nvidia.com/mgmt_vf", DPUGW_DERIVE_FROM_MGMT_PORT, envp);
  g_assert_cmpuint (config->warnings->len, ==, 0);
  r = resolve_ok (sysfs, config, NULL);
  assert_resolution (r, "eth0", "pf0vf0", "0000:01:02.3", "0000:01:00.0",
                     STRV ("eth0", "eth1"), DPUGW_SOURCE_DEVICE_PLUGIN);
}

/* A device plugin address that does not exist fails at the PCI address (step 1), not the PF. */
static void
test_config_device_plugin_gone (void)
{
  g_autoptr(DpugwSysfs) sysfs = NULL;
  g_autoptr(UMockdevTestbed) testbed = dpugw_test_testbed_new (&sysfs, EXAMPLE, NULL);
  g_autoptr(DpugwConfig) config = NULL;
  g_autoptr(DpugwResolution) r = NULL;
  g_autoptr(GError) error = NULL;
  const char * const envp[] = { "PCIDEVICE_NVIDIA_COM_MGMT_VF=0000:01:02.7,0000:01:02.3", NULL };

  config = config_new_finished (NULL, "nvidia.com/mgmt_vf", DPUGW_DERIVE_FROM_MGMT_PORT, envp);
  r = dpugw_resolve (sysfs, config, NULL, &error);
  g_assert_error (error, DPUGW_ERROR, DPUGW_ERROR_PCI_ADDRESS);
  g_assert_null (r);
  assert_message (error, sysfs,
                  "failed to get PCI address: no PCI device 0000:01:02.7, the device plugin's device in "
                  "PCIDEVICE_NVIDIA_COM_MGMT_VF ({R}/bus/pci/devices/0000:01:02.7: No such file or directory)");
}

static void
test_config_device_plugin_wins (void)
{
  g_autoptr(DpugwSysfs) sysfs = NULL;
  g_autoptr(UMockdevTestbed) testbed = dpugw_test_testbed_new (&sysfs, EXAMPLE, NULL);
  g_autoptr(DpugwConfig) config = NULL;
  g_autoptr(DpugwResolution) r = NULL;
  const char * const envp[] = { "PCIDEVICE_NVIDIA_COM_MGMT_VF=0000:01:02.4,0000:01:02.3", NULL };

  config = config_new_finished ("pf0vf0", "nvidia.com/mgmt_vf", DPUGW_DERIVE_FROM_MGMT_PORT, envp);
  r = resolve_ok (sysfs, config, NULL);
  assert_resolution (r, "eth0", "pf0vf1", "0000:01:02.4", "0000:01:00.0",
                     STRV ("eth0", "eth1"), DPUGW_SOURCE_DEVICE_PLUGIN);
}

static void
test_config_device_plugin_vfio (void)
{
  g_autoptr(DpugwSysfs) sysfs = NULL;
  g_autoptr(UMockdevTestbed) testbed = dpugw_test_testbed_new (&sysfs, IGB, NULL);
  g_autoptr(DpugwConfig) config = NULL;
  g_autoptr(DpugwResolution) r = NULL;
  const char * const envp[] = { "PCIDEVICE_INTEL_COM_MGMT=0000:02:10.2", NULL };

  /* The device plugin hands out a vfio-pci VF: it has no netdev. */
  config = config_new_finished (NULL, "intel.com/mgmt", DPUGW_DERIVE_FROM_MGMT_PORT, envp);
  r = resolve_ok (sysfs, config, NULL);
  assert_resolution (r, "enp2s0f0", "", "0000:02:10.2", "0000:02:00.0",
                     STRV ("enp2s0f0"), DPUGW_SOURCE_DEVICE_PLUGIN);
}

static void
test_config_device_plugin_unset (void)
{
  g_autoptr(DpugwSysfs) sysfs = NULL;
  g_autoptr(UMockdevTestbed) testbed = dpugw_test_testbed_new (&sysfs, EXAMPLE, NULL);
  g_autoptr(DpugwConfig) config = NULL;
  g_autoptr(DpugwResolution) r = NULL;
  const char * const envp[] = { "PCIDEVICE_NVIDIA_COM_OTHER=0000:01:02.4", NULL };

  /* The resource's variable is not set: the configured netdev is used, with a warning. */
  config = config_new_finished ("pf0vf0", "nvidia.com/mgmt_vf", DPUGW_DERIVE_FROM_MGMT_PORT, envp);
  g_assert_cmpint (config->mgmt_source, ==, DPUGW_MGMT_SOURCE_NETDEV);
  /* And config.go's warning that both are set. */
  g_assert_cmpuint (config->warnings->len, ==, 2);

  r = resolve_ok (sysfs, config, NULL);
  assert_resolution (r, "eth0", "pf0vf0", "0000:01:02.3", "0000:01:00.0",
                     STRV ("eth0", "eth1"), DPUGW_SOURCE_DERIVED);
}

static void
test_config_explicit (void)
{
  g_autoptr(DpugwSysfs) sysfs = dead_sysfs_new ();
  g_autoptr(DpugwConfig) config = NULL;
  g_autoptr(DpugwResolution) r = NULL;

  /* --gateway-interface=eth7 is used as is: nothing is read (the root is gone). */
  config = dpugw_config_new ();
  config->gateway_interface = g_strdup ("eth7");
  config_finish_ok (config, NULL);

  r = resolve_ok (sysfs, config, NULL);
  assert_resolution (r, "eth7", "", "", "", STRV ("eth7"), DPUGW_SOURCE_EXPLICIT);
}

static void
test_config_not_configured (void)
{
  g_autoptr(DpugwSysfs) sysfs = dead_sysfs_new ();
  g_autoptr(DpugwConfig) empty = NULL;
  g_autoptr(DpugwResolution) r = NULL;
  g_autoptr(DpugwResolution) r_empty = NULL;
  g_autoptr(DpugwResolution) r_blank = NULL;
  g_autoptr(GError) error = NULL;

  r = dpugw_resolve (sysfs, NULL, NULL, &error);
  g_assert_error (error, DPUGW_ERROR, DPUGW_ERROR_NOT_CONFIGURED);
  g_assert_null (r);
  g_clear_error (&error);

  /* With a configuration, nothing configured is no error: ovnkube-node then uses the default
   * route's interface (full mode) or the node IP's (dpu-host), which test-netlink tests in a
   * network namespace of its own.  Derivation without a management port is refused first. */
  empty = dpugw_config_new ();
  empty->mode = DPUGW_NODE_MODE_DPU_HOST;
  empty->gateway_interface = g_strdup (DPUGW_DERIVE_FROM_MGMT_PORT);
  g_assert_false (dpugw_config_finish (empty, NULL, &error));
  g_assert_error (error, DPUGW_ERROR, DPUGW_ERROR_INVALID_CONFIG);
  g_clear_error (&error);
  /* An embedder that resolves it anyway hears that nothing is configured. */
  r_empty = dpugw_resolve (sysfs, empty, NULL, &error);
  g_assert_error (error, DPUGW_ERROR, DPUGW_ERROR_NOT_CONFIGURED);
  g_assert_null (r_empty);
  g_clear_error (&error);

  r_blank = dpugw_resolve (sysfs, empty, "", &error);
  g_assert_error (error, DPUGW_ERROR, DPUGW_ERROR_NOT_CONFIGURED);
  g_assert_null (r_blank);
}

static void
test_config_hostile_netdev (void)
{
  g_autoptr(DpugwSysfs) sysfs = NULL;
  g_autoptr(UMockdevTestbed) testbed = dpugw_test_testbed_new (&sysfs, RENAMED, NULL);
  static const char *names[] = { "../../etc", "a/b", "..", "eth0\n", "0123456789abcdef" };

  /*
   * A configuration assembled by an embedder, field by field: its netdev name
   * is input like any other and must be refused, here where ovn-k8s-mp0
   * exists and the rename fallback would otherwise succeed.
   */
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autoptr(DpugwConfig) config = dpugw_config_new ();
      g_autoptr(DpugwResolution) r = NULL;
      g_autoptr(GError) error = NULL;

      config->mode = DPUGW_NODE_MODE_DPU_HOST;
      config->mgmt_port_netdev = g_strdup (names[i]);
      config->gateway_interface = g_strdup (DPUGW_DERIVE_FROM_MGMT_PORT);
      if (!dpugw_config_finish (config, NULL, &error))
        {
          g_assert_error (error, DPUGW_ERROR, DPUGW_ERROR_INVALID_CONFIG);
          continue;
        }
      g_assert_no_error (error);
      r = dpugw_resolve (sysfs, config, NULL, &error);
      g_assert_error (error, DPUGW_ERROR, DPUGW_ERROR_INVALID_ARGUMENT);
      g_assert_null (r);
    }
}

static void
test_config_hostile_gateway_interface (void)
{
  g_autoptr(DpugwSysfs) sysfs = dead_sysfs_new ();
  static const char *names[] = { "eth0\n;reboot", "../../etc", "a/b", "0123456789abcdef", "\xff" };

  /*
   * The same for an explicit gateway interface: it is handed out as is, so an
   * invalid one must never come back as the interface.
   */
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autoptr(DpugwConfig) config = dpugw_config_new ();
      g_autoptr(DpugwResolution) r = NULL;
      g_autoptr(GError) error = NULL;

      config->gateway_interface = g_strdup (names[i]);
      if (!dpugw_config_finish (config, NULL, &error))
        {
          g_assert_error (error, DPUGW_ERROR, DPUGW_ERROR_INVALID_CONFIG);
          continue;
        }
      g_assert_no_error (error);
      r = dpugw_resolve (sysfs, config, NULL, &error);
      g_assert_error (error, DPUGW_ERROR, DPUGW_ERROR_INVALID_ARGUMENT);
      g_assert_null (r);
    }
}

/* ---------------------------------------------------------------------------
 * Hostile input: rejected before any file is touched
 * ------------------------------------------------------------------------ */

static void
assert_rejected (DpugwSysfs *sysfs, const char *mgmt_port)
{
  g_autoptr(DpugwResolution) r = NULL;
  g_autoptr(GError) error = NULL;

  r = dpugw_resolve (sysfs, NULL, mgmt_port, &error);
  g_assert_error (error, DPUGW_ERROR, DPUGW_ERROR_INVALID_ARGUMENT);
  g_assert_null (r);
  /* The input is quoted, shortened and escaped: a short, printable message. */
  g_assert_cmpuint (strlen (error->message), <, 512);
  g_assert_true (g_str_is_ascii (error->message));
  g_assert_null (strchr (error->message, '\n'));
}

static void
test_hostile_sanity (void)
{
  g_autoptr(DpugwSysfs) sysfs = dead_sysfs_new ();
  g_autoptr(DpugwResolution) r = NULL;
  g_autoptr(DpugwResolution) r_pci = NULL;
  g_autoptr(GError) error = NULL;

  /* Valid input does reach the (missing) files: the other tests can fail. */
  r = dpugw_resolve (sysfs, NULL, "pf0vf0", &error);
  g_assert_error (error, DPUGW_ERROR, DPUGW_ERROR_PCI_ADDRESS);
  g_assert_null (r);
  g_clear_error (&error);

  r_pci = dpugw_resolve (sysfs, NULL, "0000:01:02.3", &error);
  g_assert_error (error, DPUGW_ERROR, DPUGW_ERROR_PF_PCI_ADDRESS);
  g_assert_null (r_pci);
}

static void
test_hostile_netdev_names (void)
{
  g_autoptr(DpugwSysfs) sysfs = dead_sysfs_new ();
  static const char *names[] = {
    "../../etc",
    "../../../../../../etc/passwd",
    "a/b",
    "/etc",
    "..",
    ".",
    "0123456789abcdef",          /* 16 bytes: one too many */
    "enP2p193s0f0np0x",
    "eth0\n",
    "eth\n0",
    "\neth0",
    "eth0\r",
    "eth 0",
    "eth\t0",
    "eth\001",
    "eth\033[2J",
    "eth\177",
    "\xff\xfe",
    "eth\xc3\x28",
    "\xc0\xaf",                  /* overlong '/' */
  };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    assert_rejected (sysfs, names[i]);
}

static void
test_hostile_pci_addresses (void)
{
  g_autoptr(DpugwSysfs) sysfs = dead_sysfs_new ();
  static const char *addresses[] = {
    "0000:01:02.8",
    "0000:01:20.3",
    "00000:01:02.3",
    "010000:01:02.3",
    "100000000:01:02.3",
    "0000:1:2.3",
    "000:01:02.3",
    "0000:01:02.3\n",
    " 0000:01:02.3",
    "0000:01:02.3/../..",
    "../0000:01:02.3",
    "0000:01:02.g",
    "0000:01:02:3",
    "0000:01:02.3.",
    "eth0:1",
    ":",
  };

  for (guint i = 0; i < G_N_ELEMENTS (addresses); i++)
    assert_rejected (sysfs, addresses[i]);
}

static void
test_hostile_huge (void)
{
  g_autoptr(DpugwSysfs) sysfs = dead_sysfs_new ();
  g_autofree char *name = g_strnfill (64 * 1024, 'a');
  g_autofree char *address = g_strnfill (64 * 1024, '0');

  assert_rejected (sysfs, name);

  /* Starts like a PCI address, then goes on. */
  memcpy (address, "0000:01:02.3", strlen ("0000:01:02.3"));
  assert_rejected (sysfs, address);
}

static void
test_hostile_empty_is_configured (void)
{
  g_autoptr(DpugwSysfs) sysfs = dead_sysfs_new ();
  g_autoptr(DpugwResolution) r = NULL;
  g_autoptr(GError) error = NULL;

  /* "" means "the configured one": with no configuration, nothing to resolve. */
  r = dpugw_resolve (sysfs, NULL, "", &error);
  g_assert_error (error, DPUGW_ERROR, DPUGW_ERROR_NOT_CONFIGURED);
  g_assert_null (r);
}

static void
test_hostile_steps (void)
{
  g_autoptr(DpugwSysfs) sysfs = dead_sysfs_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *pci = NULL;
  g_autofree char *pf = NULL;
  g_auto(GStrv) netdevs = NULL;
  g_autoptr(DpugwResolution) r = NULL;

  /* Each step validates its own input too. */
  pci = dpugw_pci_from_netdev (sysfs, "../../etc", &error);
  g_assert_error (error, DPUGW_ERROR, DPUGW_ERROR_INVALID_ARGUMENT);
  g_assert_null (pci);
  g_clear_error (&error);

  pf = dpugw_pf_pci_from_vf_pci (sysfs, "../0000:01:00.0", &error);
  g_assert_error (error, DPUGW_ERROR, DPUGW_ERROR_INVALID_ARGUMENT);
  g_assert_null (pf);
  g_clear_error (&error);

  netdevs = dpugw_netdevs_from_pci (sysfs, "0000:01:00.0/..", &error);
  g_assert_error (error, DPUGW_ERROR, DPUGW_ERROR_INVALID_ARGUMENT);
  g_assert_null (netdevs);
  g_clear_error (&error);

  r = dpugw_resolve_function (sysfs, NULL, "pf0vf0", &error);
  g_assert_error (error, DPUGW_ERROR, DPUGW_ERROR_INVALID_ARGUMENT);
  g_assert_null (r);
}

/* ---------------------------------------------------------------------------
 * Confinement: nothing is read outside the sysfs root
 * ------------------------------------------------------------------------ */

typedef struct {
  UMockdevTestbed *testbed;
  DpugwSysfs *sysfs;
} Fixture;

/*
 * The example, plus a file just outside the root that a link escaping it
 * could reach, and links that try to.
 */
static void
fixture_setup_hostile (Fixture *f, gconstpointer data)
{
  f->testbed = dpugw_test_testbed_new (&f->sysfs, EXAMPLE, NULL);

  dpugw_test_mkdir (f->testbed, "../outside");
  dpugw_test_write (f->testbed, "../outside/address", "SECRET\n");
  dpugw_test_symlink (f->testbed, "../../../outside", "class/net/outside");
  dpugw_test_symlink (f->testbed, "../../../../../../../../etc", "class/net/evil");
  dpugw_test_symlink (f->testbed, "/etc", "class/net/abs");
  dpugw_test_symlink (f->testbed, "../../devices/../../etc", "class/net/sneaky");

  /* Looping links, by name and below a netdev. */
  dpugw_test_symlink (f->testbed, "pong", "class/net/ping");
  dpugw_test_symlink (f->testbed, "ping", "class/net/pong");
  dpugw_test_symlink (f->testbed, "self", "class/net/self");
  dpugw_test_mkdir (f->testbed, "devices/virtual/net/loop1");
  dpugw_test_symlink (f->testbed, "device", "devices/virtual/net/loop1/device");
  dpugw_test_symlink (f->testbed, "../../devices/virtual/net/loop1", "class/net/loop1");
  dpugw_test_mkdir (f->testbed, "devices/virtual/net/loop2");
  dpugw_test_symlink (f->testbed, "other", "devices/virtual/net/loop2/device");
  dpugw_test_symlink (f->testbed, "device", "devices/virtual/net/loop2/other");
  dpugw_test_symlink (f->testbed, "../../devices/virtual/net/loop2", "class/net/loop2");
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  g_clear_object (&f->sysfs);
  g_clear_object (&f->testbed);
}

static void
assert_netdev_refused (Fixture *f, const char *netdev, const char *template)
{
  g_autoptr(DpugwResolution) r = NULL;
  g_autoptr(GError) error = NULL;
  gint64 start = g_get_monotonic_time ();

  r = dpugw_resolve (f->sysfs, NULL, netdev, &error);
  g_assert_error (error, DPUGW_ERROR, DPUGW_ERROR_PCI_ADDRESS);
  g_assert_null (r);
  assert_message (error, f->sysfs, template);
  g_assert_cmpint (g_get_monotonic_time () - start, <, dpugw_test_usec (5 * G_USEC_PER_SEC));
}

static void
test_confine_netdev_links (Fixture *f, gconstpointer data)
{
  g_autofree char *secret = dpugw_test_path (f->testbed, "../outside/address");
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;

  /* The sentinel is there, readable by anyone who follows the link. */
  g_file_get_contents (secret, &contents, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (contents, ==, "SECRET\n");

  assert_netdev_refused (f, "outside",
                         "failed to get PCI address: cannot read network device outside "
                         "({R}/class/net/outside: a link leads outside the sysfs root)");
  assert_netdev_refused (f, "evil",
                         "failed to get PCI address: cannot read network device evil "
                         "({R}/class/net/evil: a link leads outside the sysfs root)");
  assert_netdev_refused (f, "sneaky",
                         "failed to get PCI address: cannot read network device sneaky "
                         "({R}/class/net/sneaky: a link leads outside the sysfs root)");
  assert_netdev_refused (f, "abs",
                         "failed to get PCI address: cannot read network device abs "
                         "({R}/class/net/abs: refusing link to \"/etc\" (sysfs links are relative))");
}

static void
test_confine_netdev_loops (Fixture *f, gconstpointer data)
{
  assert_netdev_refused (f, "ping",
                         "failed to get PCI address: cannot read network device ping "
                         "({R}/class/net/ping: Too many levels of symbolic links)");
  assert_netdev_refused (f, "self",
                         "failed to get PCI address: cannot read network device self "
                         "({R}/class/net/self: Too many levels of symbolic links)");
  assert_netdev_refused (f, "loop1",
                         "failed to get PCI address: cannot follow the device link of loop1 "
                         "({R}/devices/virtual/net/loop1/device: Too many levels of symbolic links)");
  assert_netdev_refused (f, "loop2",
                         "failed to get PCI address: cannot follow the device link of loop2 "
                         "({R}/devices/virtual/net/loop2/device: Too many levels of symbolic links)");
}

static void
test_confine_physfn (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DpugwResolution) escape = NULL;
  g_autoptr(DpugwResolution) absolute = NULL;
  g_autoptr(DpugwResolution) not_pci = NULL;

  /* VF 0000:01:02.3's physfn escapes the root, VF 0000:01:02.4's is absolute. */
  dpugw_test_remove (f->testbed, EXAMPLE_VF0 "/physfn");
  dpugw_test_symlink (f->testbed, "../../../../../../../../../outside", EXAMPLE_VF0 "/physfn");
  dpugw_test_remove (f->testbed, EXAMPLE_VF1 "/physfn");
  dpugw_test_symlink (f->testbed, "/sys/bus/pci/devices/0000:01:00.0", EXAMPLE_VF1 "/physfn");

  escape = dpugw_resolve (f->sysfs, NULL, "pf0vf0", &error);
  g_assert_error (error, DPUGW_ERROR, DPUGW_ERROR_PF_PCI_ADDRESS);
  g_assert_null (escape);
  assert_message (error, f->sysfs,
                  "failed to get PF PCI address: the physfn link of 0000:01:02.3 points to "
                  "\"../../../../../../../../../outside\", which cannot be followed "
                  "({R}/" EXAMPLE_VF0 "/physfn: a link leads outside the sysfs root)");
  g_clear_error (&error);

  absolute = dpugw_resolve (f->sysfs, NULL, "0000:01:02.4", &error);
  g_assert_error (error, DPUGW_ERROR, DPUGW_ERROR_PF_PCI_ADDRESS);
  g_assert_null (absolute);
  assert_message (error, f->sysfs,
                  "failed to get PF PCI address: the physfn link of 0000:01:02.4 points to "
                  "\"/sys/bus/pci/devices/0000:01:00.0\", which cannot be followed "
                  "({R}/" EXAMPLE_VF1 "/physfn: refusing link to \"/sys/bus/pci/devices/0000:01:00.0\" "
                  "(sysfs links are relative))");
  g_clear_error (&error);

  /* Inside the root, but no PCI function. */
  dpugw_test_remove (f->testbed, EXAMPLE_VF1 "/physfn");
  dpugw_test_symlink (f->testbed, "../../../../class/net", EXAMPLE_VF1 "/physfn");
  not_pci = dpugw_resolve (f->sysfs, NULL, "pf0vf1", &error);
  g_assert_error (error, DPUGW_ERROR, DPUGW_ERROR_PF_PCI_ADDRESS);
  g_assert_null (not_pci);
  g_assert_cmpstr (error->message, ==,
                   "failed to get PF PCI address: the physfn link of 0000:01:02.4 leads to \"net\", "
                   "which is not a PCI function");
}

static void
assert_canonicalize_fails (DpugwSysfs *sysfs, const char *relpath, int code)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = dpugw_sysfs_canonicalize (sysfs, relpath, &error);

  g_assert_error (error, G_IO_ERROR, code);
  g_assert_null (path);
}

static void
test_confine_canonicalize (Fixture *f, gconstpointer data)
{
  int eloop = g_io_error_from_errno (ELOOP);

  /* GLib maps ELOOP to its own code; be sure it is not a catch-all. */
  g_assert_cmpint (eloop, !=, G_IO_ERROR_FAILED);

  assert_canonicalize_fails (f->sysfs, "class/net/outside", G_IO_ERROR_PERMISSION_DENIED);
  assert_canonicalize_fails (f->sysfs, "class/net/outside/address", G_IO_ERROR_PERMISSION_DENIED);
  assert_canonicalize_fails (f->sysfs, "class/net/evil", G_IO_ERROR_PERMISSION_DENIED);
  assert_canonicalize_fails (f->sysfs, "class/net/sneaky", G_IO_ERROR_PERMISSION_DENIED);
  assert_canonicalize_fails (f->sysfs, "class/net/abs", G_IO_ERROR_PERMISSION_DENIED);
  assert_canonicalize_fails (f->sysfs, "class/net/ping", eloop);
  assert_canonicalize_fails (f->sysfs, "class/net/self", eloop);
  assert_canonicalize_fails (f->sysfs, "class/net/loop1/device", eloop);
  assert_canonicalize_fails (f->sysfs, "class/net/loop2/device", eloop);

  /* A plain ".." at the root, from the caller. */
  assert_canonicalize_fails (f->sysfs, "..", G_IO_ERROR_PERMISSION_DENIED);
  assert_canonicalize_fails (f->sysfs, "../outside/address", G_IO_ERROR_PERMISSION_DENIED);
  assert_canonicalize_fails (f->sysfs, "class/../..", G_IO_ERROR_PERMISSION_DENIED);
  assert_canonicalize_fails (f->sysfs, "class/net/eth0/../../../../../../..", G_IO_ERROR_PERMISSION_DENIED);
  assert_canonicalize_fails (f->sysfs, "class/net/eth0/device/../../../../../../..",
                             G_IO_ERROR_PERMISSION_DENIED);
}

static void
test_confine_primitives (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *attr = NULL;
  g_autofree char *link = NULL;
  g_auto(GStrv) names = NULL;

  attr = dpugw_sysfs_read_attr (f->sysfs, "class/net/outside/address", &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED);
  g_assert_null (attr);
  g_clear_error (&error);

  attr = dpugw_sysfs_read_attr (f->sysfs, "../outside/address", &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED);
  g_assert_null (attr);
  g_clear_error (&error);

  names = dpugw_sysfs_list_dir (f->sysfs, "class/net/outside", &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED);
  g_assert_null (names);
  g_clear_error (&error);

  names = dpugw_sysfs_list_dir (f->sysfs, "..", &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED);
  g_assert_null (names);
  g_clear_error (&error);

  link = dpugw_sysfs_read_link (f->sysfs, "class/net/evil/x", &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED);
  g_assert_null (link);
  g_clear_error (&error);

  /* Reading a link itself is fine: its target is only text. */
  link = dpugw_sysfs_read_link (f->sysfs, "class/net/evil", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (link, ==, "../../../../../../../../etc");
}

static void
test_confine_dotdot_last (Fixture *f, gconstpointer data)
{
  static const char *paths[] = { "..", "class/../.." };

  /*
   * ".." as the last component, where the primitives resolve only the parent
   * directory: at the root it names the directory above, which is outside.
   */
  for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *attr = NULL;
      g_autofree char *link = NULL;

      attr = dpugw_sysfs_read_attr (f->sysfs, paths[i], &error);
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED);
      g_assert_null (attr);
      g_clear_error (&error);

      link = dpugw_sysfs_read_link (f->sysfs, paths[i], &error);
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED);
      g_assert_null (link);
    }
}

/* ---------------------------------------------------------------------------
 * The sysfs primitives
 * ------------------------------------------------------------------------ */

static void
test_sysfs_root (void)
{
  g_autoptr(DpugwSysfs) sysfs = NULL;
  g_autoptr(UMockdevTestbed) testbed = dpugw_test_testbed_new (&sysfs, EXAMPLE, NULL);
  g_autofree char *sys_dir = umockdev_testbed_get_sys_dir (testbed);
  g_autofree char *real = realpath (sys_dir, NULL);
  g_autofree char *expected = NULL;
  g_autofree char *shown = NULL;
  g_autoptr(DpugwSysfs) missing = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (real);
  g_assert_cmpstr (dpugw_sysfs_get_root (sysfs), ==, real);
  expected = g_build_filename (real, "class/net/eth0", NULL);
  shown = dpugw_sysfs_display_path (sysfs, "class/net/eth0");
  g_assert_cmpstr (shown, ==, expected);

  missing = dpugw_sysfs_new ("/nonexistent/dpugw-test-sys", &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_null (missing);
}

static void
test_sysfs_canonicalize (void)
{
  g_autoptr(DpugwSysfs) sysfs = NULL;
  g_autoptr(UMockdevTestbed) testbed = dpugw_test_testbed_new (&sysfs, EXAMPLE, NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *netdev = NULL;
  g_autofree char *device = NULL;
  g_autofree char *pf = NULL;

  netdev = dpugw_sysfs_canonicalize (sysfs, "class/net/eth0", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (netdev, ==, EXAMPLE_PF "/net/eth0");

  /* Links within links, and "." and empty components. */
  device = dpugw_sysfs_canonicalize (sysfs, "class/net//./pf0vf0/device", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (device, ==, EXAMPLE_VF0);

  pf = dpugw_sysfs_canonicalize (sysfs, "bus/pci/devices/0000:01:02.4/physfn/net/..", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (pf, ==, EXAMPLE_PF);
}

static void
test_sysfs_read_attr (void)
{
  g_autoptr(DpugwSysfs) sysfs = NULL;
  g_autoptr(UMockdevTestbed) testbed = dpugw_test_testbed_new (&sysfs, EXAMPLE, NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *total = NULL;
  g_autofree char *spaced = NULL;
  g_autofree char *empty = NULL;
  guint value = 0;
  gboolean ok;

  /* The file holds "8\n"; the directories on the way are links. */
  total = dpugw_sysfs_read_attr (sysfs, "bus/pci/devices/0000:01:00.0/sriov_totalvfs", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (total, ==, "8");

  /* Only the trailing newline goes. */
  dpugw_test_write (testbed, EXAMPLE_PF "/label", "  two words \n");
  spaced = dpugw_sysfs_read_attr (sysfs, "class/net/eth0/device/label", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (spaced, ==, "  two words ");

  dpugw_test_write (testbed, EXAMPLE_PF "/empty", "");
  empty = dpugw_sysfs_read_attr (sysfs, "bus/pci/devices/0000:01:00.0/empty", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (empty, ==, "");

  ok = dpugw_sysfs_read_attr_uint (sysfs, "bus/pci/devices/0000:01:00.0/sriov_numvfs", &value, &error);
  g_assert_no_error (error);
  g_assert_true (ok);
  g_assert_cmpuint (value, ==, 2);

  ok = dpugw_sysfs_read_attr_uint (sysfs, "bus/pci/devices/0000:01:00.0/label", &value, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_assert_false (ok);

  /* Digits, with blanks around them, up to 2^32 - 1; nothing else. */
  {
    const struct { const char *text; gboolean ok; guint value; } cases[] = {
      { "0\n", TRUE, 0 }, { " 8 \n", TRUE, 8 }, { "4294967295", TRUE, G_MAXUINT32 },
      { "4294967296", FALSE, 0 }, { "99999999999999999999999", FALSE, 0 }, { "+8", FALSE, 0 },
      { "-1", FALSE, 0 }, { "0x10", FALSE, 0 }, { "8 8", FALSE, 0 }, { "", FALSE, 0 }, { "\v8", FALSE, 0 },
    };

    for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
      {
        g_autoptr(GError) local_error = NULL;

        dpugw_test_write (testbed, EXAMPLE_PF "/number", cases[i].text);
        value = 12345;
        ok = dpugw_sysfs_read_attr_uint (sysfs, "bus/pci/devices/0000:01:00.0/number", &value, &local_error);
        if (ok != cases[i].ok)
          g_error ("%s: %s", g_strescape (cases[i].text, NULL), ok ? "read" : local_error->message);
        if (ok)
          g_assert_cmpuint (value, ==, cases[i].value);
        else
          g_assert_error (local_error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
      }
  }
}

static void
test_sysfs_read_attr_refuses_link (void)
{
  g_autoptr(DpugwSysfs) sysfs = NULL;
  g_autoptr(UMockdevTestbed) testbed = dpugw_test_testbed_new (&sysfs, EXAMPLE, NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *value = NULL;
  g_autofree char *expected = NULL;

  /* An attribute that is a link to a real attribute next to it. */
  dpugw_test_symlink (testbed, "sriov_totalvfs", EXAMPLE_PF "/linked_totalvfs");
  value = dpugw_sysfs_read_attr (sysfs, "bus/pci/devices/0000:01:00.0/linked_totalvfs", &error);
  g_assert_error (error, G_IO_ERROR, (int) g_io_error_from_errno (ELOOP));
  g_assert_null (value);
  expected = g_strdup_printf ("{R}/" EXAMPLE_PF "/linked_totalvfs: %s", g_strerror (ELOOP));
  assert_message (error, sysfs, expected);
}

static void
test_sysfs_read_attr_fifo (void)
{
  g_autoptr(DpugwSysfs) sysfs = NULL;
  g_autoptr(UMockdevTestbed) testbed = dpugw_test_testbed_new (&sysfs, EXAMPLE, NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *path = dpugw_test_path (testbed, EXAMPLE_PF "/fifo");
  g_autofree char *value = NULL;

  /* A FIFO without writer must not block the reader. */
  g_assert_cmpint (mkfifo (path, 0600), ==, 0);
  value = dpugw_sysfs_read_attr (sysfs, "bus/pci/devices/0000:01:00.0/fifo", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (value, ==, "");
}

static void
test_sysfs_read_link (void)
{
  g_autoptr(DpugwSysfs) sysfs = NULL;
  g_autoptr(UMockdevTestbed) testbed = dpugw_test_testbed_new (&sysfs, EXAMPLE, NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *target = NULL;
  g_autofree char *driver = NULL;
  g_autofree char *not_link = NULL;

  target = dpugw_sysfs_read_link (sysfs, "bus/pci/devices/0000:01:02.3/physfn", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (target, ==, "../0000:01:00.0");

  driver = dpugw_sysfs_read_link_name (sysfs, "class/net/eth0/device/driver", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (driver, ==, "mlx5_core");

  not_link = dpugw_sysfs_read_link (sysfs, "bus/pci/devices/0000:01:00.0/sriov_totalvfs", &error);
  g_assert_error (error, G_IO_ERROR, (int) g_io_error_from_errno (EINVAL));
  g_assert_null (not_link);
}

static void
test_sysfs_list_dir_sorted (void)
{
  g_autoptr(DpugwSysfs) sysfs = NULL;
  g_autoptr(UMockdevTestbed) testbed = dpugw_test_testbed_new (&sysfs, EXAMPLE, NULL);
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) names = NULL;
  g_auto(GStrv) net = NULL;
  g_auto(GStrv) missing = NULL;
  static const char *created[] = { "b", "a2", "B", "a10", "_x", "eth10", "eth9", "a" };

  /* Byte order (strcmp), not locale or natural order. */
  for (guint i = 0; i < G_N_ELEMENTS (created); i++)
    {
      g_autofree char *rel = g_build_filename ("sorttest", created[i], NULL);
      dpugw_test_mkdir (testbed, rel);
    }
  names = dpugw_sysfs_list_dir (sysfs, "sorttest", &error);
  g_assert_no_error (error);
  g_assert_cmpstrv (names, STRV ("B", "_x", "a", "a10", "a2", "b", "eth10", "eth9"));

  /* Through links, without "." and "..". */
  net = dpugw_sysfs_list_dir (sysfs, "class/net/pf0vf0/device/physfn/net", &error);
  g_assert_no_error (error);
  g_assert_cmpstrv (net, STRV ("eth0", "eth1"));

  missing = dpugw_sysfs_list_dir (sysfs, "class/net/lo/device", &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_null (missing);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  /* Step 2 */
  g_test_add_func ("/resolver/pci-from-netdev/vf", test_pci_from_netdev_vf);
  g_test_add_func ("/resolver/pci-from-netdev/pf", test_pci_from_netdev_pf);
  g_test_add_func ("/resolver/pci-from-netdev/virtio", test_pci_from_netdev_virtio);
  g_test_add_func ("/resolver/pci-from-netdev/scalable-function", test_pci_from_netdev_scalable_function);
  g_test_add_func ("/resolver/pci-from-netdev/pci-domain", test_pci_from_netdev_domain);
  g_test_add_func ("/resolver/pci-from-netdev/missing", test_pci_from_netdev_missing);
  g_test_add_func ("/resolver/pci-from-netdev/not-pci", test_pci_from_netdev_not_pci);

  /* Step 3 */
  g_test_add_func ("/resolver/pf-from-vf/example", test_pf_from_vf_example);
  g_test_add_func ("/resolver/pf-from-vf/upper-case", test_pf_from_vf_upper_case);
  g_test_add_func ("/resolver/pf-from-vf/interleaved", test_pf_from_vf_interleaved);
  g_test_add_func ("/resolver/pf-from-vf/physfn-only", test_pf_from_vf_follows_physfn_only);
  g_test_add_func ("/resolver/pf-from-vf/not-a-vf", test_pf_from_vf_not_a_vf);
  g_test_add_func ("/resolver/pf-from-vf/missing", test_pf_from_vf_missing);

  /* Step 4 */
  g_test_add_func ("/resolver/netdevs/example", test_netdevs_example);
  g_test_add_func ("/resolver/netdevs/switchdev", test_netdevs_switchdev);
  g_test_add_func ("/resolver/netdevs/no-net-dir", test_netdevs_no_net_dir);
  g_test_add_func ("/resolver/netdevs/empty-net-dir", test_netdevs_empty_net_dir);
  g_test_add_func ("/resolver/netdevs/invalid-names-ignored", test_netdevs_invalid_names_ignored);
  g_test_add_func ("/resolver/netdevs/unprintable-names-refused", test_netdevs_unprintable_names_refused);

  /* The pipeline */
  g_test_add_func ("/resolver/resolve/example", test_resolve_example);
  g_test_add_func ("/resolver/resolve/other-vf", test_resolve_other_vf);
  g_test_add_func ("/resolver/resolve/by-vf-pci", test_resolve_by_vf_pci);
  g_test_add_func ("/resolver/resolve/bluefield", test_resolve_bluefield);
  g_test_add_func ("/resolver/resolve/switchdev", test_resolve_switchdev);
  g_test_add_func ("/resolver/resolve/igb-interleaved", test_resolve_igb_interleaved);
  g_test_add_func ("/resolver/resolve/pci-domain", test_resolve_pci_domain);
  g_test_add_func ("/resolver/resolve/vmd-domain", test_vmd_domain);
  g_test_add_func ("/resolver/resolve/virtio-pf", test_virtio_pf);
  g_test_add_func ("/resolver/resolve/beyond-ovnkube", test_beyond_ovnkube);
  g_test_add_func ("/resolver/error/representor", test_error_representor);
  g_test_add_func ("/resolver/resolution/copy-equal", test_resolution_copy_equal);

  /* Documented errors */
  g_test_add_func ("/resolver/error/missing-netdev", test_error_missing_netdev);
  g_test_add_func ("/resolver/error/virtual-netdev", test_error_virtual_netdev);
  g_test_add_func ("/resolver/error/mgmt-port-is-pf", test_error_mgmt_port_is_pf);
  g_test_add_func ("/resolver/error/virtio-not-vf", test_error_virtio_not_vf);
  g_test_add_func ("/resolver/resolve/scalable-function", test_resolve_scalable_function);
  g_test_add_func ("/resolver/error/no-pci-device", test_error_no_pci_device);
  g_test_add_func ("/resolver/error/dangling-physfn", test_error_dangling_physfn);
  g_test_add_func ("/resolver/error/pf-without-net", test_error_pf_without_net);
  g_test_add_func ("/resolver/error/pf-empty-net", test_error_pf_empty_net);

  /* Configured resolution */
  g_test_add_func ("/resolver/config/netdev", test_config_netdev);
  g_test_add_func ("/resolver/config/load", test_config_load);
  g_test_add_func ("/resolver/config/caller-wins", test_config_caller_wins);
  g_test_add_func ("/resolver/config/renamed-fallback", test_config_renamed_fallback);
  g_test_add_func ("/resolver/config/no-fallback-when-named", test_config_no_fallback_when_named);
  g_test_add_func ("/resolver/config/no-fallback-when-neither", test_config_no_fallback_when_neither);
  g_test_add_func ("/resolver/config/no-fallback-when-present", test_config_no_fallback_when_present);
  g_test_add_func ("/resolver/config/device-plugin", test_config_device_plugin);
  g_test_add_func ("/resolver/config/device-plugin-wins", test_config_device_plugin_wins);
  g_test_add_func ("/resolver/config/device-plugin-first-only", test_config_device_plugin_first_only);
  g_test_add_func ("/resolver/config/device-plugin-gone", test_config_device_plugin_gone);
  g_test_add_func ("/resolver/config/device-plugin-vfio", test_config_device_plugin_vfio);
  g_test_add_func ("/resolver/config/device-plugin-unset", test_config_device_plugin_unset);
  g_test_add_func ("/resolver/config/explicit", test_config_explicit);
  g_test_add_func ("/resolver/config/not-configured", test_config_not_configured);
  g_test_add_func ("/resolver/config/hostile-netdev", test_config_hostile_netdev);
  g_test_add_func ("/resolver/config/hostile-gateway-interface", test_config_hostile_gateway_interface);

  /* Hostile input */
  g_test_add_func ("/resolver/hostile/sanity", test_hostile_sanity);
  g_test_add_func ("/resolver/hostile/netdev-names", test_hostile_netdev_names);
  g_test_add_func ("/resolver/hostile/pci-addresses", test_hostile_pci_addresses);
  g_test_add_func ("/resolver/hostile/huge", test_hostile_huge);
  g_test_add_func ("/resolver/hostile/empty-is-configured", test_hostile_empty_is_configured);
  g_test_add_func ("/resolver/hostile/steps", test_hostile_steps);

  /* Confinement */
  g_test_add ("/resolver/confine/netdev-links", Fixture, NULL,
              fixture_setup_hostile, test_confine_netdev_links, fixture_teardown);
  g_test_add ("/resolver/confine/netdev-loops", Fixture, NULL,
              fixture_setup_hostile, test_confine_netdev_loops, fixture_teardown);
  g_test_add ("/resolver/confine/physfn", Fixture, NULL,
              fixture_setup_hostile, test_confine_physfn, fixture_teardown);
  g_test_add ("/resolver/confine/canonicalize", Fixture, NULL,
              fixture_setup_hostile, test_confine_canonicalize, fixture_teardown);
  g_test_add ("/resolver/confine/primitives", Fixture, NULL,
              fixture_setup_hostile, test_confine_primitives, fixture_teardown);
  g_test_add ("/resolver/confine/dotdot-last", Fixture, NULL,
              fixture_setup_hostile, test_confine_dotdot_last, fixture_teardown);

  /* sysfs primitives */
  g_test_add_func ("/sysfs/root", test_sysfs_root);
  g_test_add_func ("/sysfs/canonicalize", test_sysfs_canonicalize);
  g_test_add_func ("/sysfs/read-attr", test_sysfs_read_attr);
  g_test_add_func ("/sysfs/read-attr/refuses-link", test_sysfs_read_attr_refuses_link);
  g_test_add_func ("/sysfs/read-attr/fifo", test_sysfs_read_attr_fifo);
  g_test_add_func ("/sysfs/read-link", test_sysfs_read_link);
  g_test_add_func ("/sysfs/list-dir/sorted", test_sysfs_list_dir_sorted);

  return g_test_run ();
}
