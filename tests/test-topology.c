/* SPDX-License-Identifier: Apache-2.0
 *
 * Tests of the SR-IOV topology scan (topology.c) on fake hardware: umockdev
 * recordings loaded into a testbed, which the library reads as its sysfs root.
 */
#include "testlib.h"

#include <gio/gio.h>
#include <string.h>
#include <sys/stat.h>

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
#define BLUEFIELD_PF0  "devices/pci0000:00/0000:00:01.0/0000:03:00.0"

#define NO_NETDEVS ((const char * const[]) { NULL })

/* ---------------------------------------------------------------------------
 * Helpers
 * ------------------------------------------------------------------------ */

static GPtrArray *
scan_ok (DpugwSysfs *sysfs)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *pfs = dpugw_topology_scan (sysfs, &error);

  g_assert_no_error (error);
  g_assert_nonnull (pfs);
  return pfs;
}

static const DpugwPf *
pf_at (GPtrArray *pfs, guint i)
{
  g_assert_cmpuint (i, <, pfs->len);
  return g_ptr_array_index (pfs, i);
}

static void
assert_pf (const DpugwPf      *pf,
           const char         *pci,
           const char * const *netdevs,
           const char         *driver,
           guint               total_vfs,
           guint               num_vfs,
           const char         *switch_id,
           guint               n_vfs)
{
  g_assert_nonnull (pf);
  g_assert_cmpstr (pf->pci, ==, pci);
  g_assert_cmpstrv (pf->netdevs, netdevs);
  g_assert_cmpstr (pf->driver, ==, driver);
  g_assert_cmpuint (pf->total_vfs, ==, total_vfs);
  g_assert_cmpuint (pf->num_vfs, ==, num_vfs);
  g_assert_cmpstr (pf->switch_id, ==, switch_id);
  g_assert_nonnull (pf->vfs);
  g_assert_cmpuint (pf->vfs->len, ==, n_vfs);
}

static void
assert_vf (const DpugwPf *pf, guint i, guint index, const char *pci, const char * const *netdevs)
{
  const DpugwVf *vf;

  g_assert_cmpuint (i, <, pf->vfs->len);
  vf = g_ptr_array_index (pf->vfs, i);
  g_assert_cmpuint (vf->index, ==, index);
  g_assert_cmpstr (vf->pci, ==, pci);
  g_assert_cmpstrv (vf->netdevs, netdevs);
}

static void
assert_pf_equal (const DpugwPf *a, const DpugwPf *b)
{
  assert_pf (a, b->pci, (const char * const *) b->netdevs, b->driver, b->total_vfs, b->num_vfs,
             b->switch_id, b->vfs->len);
  for (guint i = 0; i < b->vfs->len; i++)
    {
      const DpugwVf *vf = g_ptr_array_index (b->vfs, i);
      assert_vf (a, i, vf->index, vf->pci, (const char * const *) vf->netdevs);
    }
}

/* ---------------------------------------------------------------------------
 * dpugw_topology_scan, one recording at a time
 * ------------------------------------------------------------------------ */

static void
test_scan_example (void)
{
  g_autoptr(DpugwSysfs) sysfs = NULL;
  g_autoptr(UMockdevTestbed) testbed = dpugw_test_testbed_new (&sysfs, EXAMPLE, NULL);
  g_autoptr(GPtrArray) pfs = scan_ok (sysfs);
  const DpugwPf *pf;

  g_assert_cmpuint (pfs->len, ==, 1);
  pf = pf_at (pfs, 0);
  assert_pf (pf, "0000:01:00.0", STRV ("eth0", "eth1"), "mlx5_core", 8, 2, NULL, 2);
  assert_vf (pf, 0, 0, "0000:01:02.3", STRV ("pf0vf0"));
  assert_vf (pf, 1, 1, "0000:01:02.4", STRV ("pf0vf1"));
}

static void
test_scan_renamed (void)
{
  g_autoptr(DpugwSysfs) sysfs = NULL;
  g_autoptr(UMockdevTestbed) testbed = dpugw_test_testbed_new (&sysfs, RENAMED, NULL);
  g_autoptr(GPtrArray) pfs = scan_ok (sysfs);
  const DpugwPf *pf;

  g_assert_cmpuint (pfs->len, ==, 1);
  pf = pf_at (pfs, 0);
  assert_pf (pf, "0000:01:00.0", STRV ("eth0", "eth1"), "mlx5_core", 8, 2, NULL, 2);
  assert_vf (pf, 0, 0, "0000:01:02.3", STRV ("ovn-k8s-mp0"));
  assert_vf (pf, 1, 1, "0000:01:02.4", STRV ("pf0vf1"));
}

static void
test_scan_bluefield (void)
{
  g_autoptr(DpugwSysfs) sysfs = NULL;
  g_autoptr(UMockdevTestbed) testbed = dpugw_test_testbed_new (&sysfs, BLUEFIELD, NULL);
  g_autoptr(GPtrArray) pfs = scan_ok (sysfs);
  const DpugwPf *pf0;
  const DpugwPf *pf1;

  g_assert_cmpuint (pfs->len, ==, 2);
  pf0 = pf_at (pfs, 0);
  assert_pf (pf0, "0000:03:00.0", STRV ("ens1f0np0"), "mlx5_core", 16, 3, NULL, 3);
  assert_vf (pf0, 0, 0, "0000:03:00.2", STRV ("ens1f0v0"));
  assert_vf (pf0, 1, 1, "0000:03:00.3", STRV ("ens1f0v1"));
  assert_vf (pf0, 2, 2, "0000:03:00.4", STRV ("ens1f0v2"));

  /* Port 1's VFs sit at device 08, far from their PF. */
  pf1 = pf_at (pfs, 1);
  assert_pf (pf1, "0000:03:00.1", STRV ("ens1f1np1"), "mlx5_core", 16, 3, NULL, 3);
  assert_vf (pf1, 0, 0, "0000:03:08.2", STRV ("ens1f1v0"));
  assert_vf (pf1, 1, 1, "0000:03:08.3", STRV ("ens1f1v1"));
  assert_vf (pf1, 2, 2, "0000:03:08.4", STRV ("ens1f1v2"));
}

static void
test_scan_switchdev (void)
{
  g_autoptr(DpugwSysfs) sysfs = NULL;
  g_autoptr(UMockdevTestbed) testbed = dpugw_test_testbed_new (&sysfs, SWITCHDEV, NULL);
  g_autoptr(GPtrArray) pfs = scan_ok (sysfs);
  const DpugwPf *pf;

  g_assert_cmpuint (pfs->len, ==, 1);
  pf = pf_at (pfs, 0);
  assert_pf (pf, "0000:3b:00.0", STRV ("eth0", "eth1", "eth2", "pf0"), "mlx5_core", 8, 3,
             "8c2a8e0003c6b10c", 3);
  assert_vf (pf, 0, 0, "0000:3b:00.2", STRV ("ens2f0v0"));
  assert_vf (pf, 1, 1, "0000:3b:00.3", STRV ("ens2f0v1"));
  assert_vf (pf, 2, 2, "0000:3b:00.4", STRV ("ens2f0v2"));
}

static void
test_scan_igb_interleaved (void)
{
  g_autoptr(DpugwSysfs) sysfs = NULL;
  g_autoptr(UMockdevTestbed) testbed = dpugw_test_testbed_new (&sysfs, IGB, NULL);
  g_autoptr(GPtrArray) pfs = scan_ok (sysfs);
  const DpugwPf *pf0;
  const DpugwPf *pf1;

  g_assert_cmpuint (pfs->len, ==, 2);

  /* The two ports' VFs alternate: each PF reports its own, by virtfn index. */
  pf0 = pf_at (pfs, 0);
  assert_pf (pf0, "0000:02:00.0", STRV ("enp2s0f0"), "igb", 7, 2, NULL, 2);
  assert_vf (pf0, 0, 0, "0000:02:10.0", STRV ("vf002"));
  assert_vf (pf0, 1, 1, "0000:02:10.2", NO_NETDEVS); /* vfio-pci */

  pf1 = pf_at (pfs, 1);
  assert_pf (pf1, "0000:02:00.1", STRV ("enp2s0f1"), "igb", 7, 2, NULL, 2);
  assert_vf (pf1, 0, 0, "0000:02:10.1", STRV ("enp2s0f5"));
  assert_vf (pf1, 1, 1, "0000:02:10.3", STRV ("vf013"));
}

static void
test_scan_pf_no_net (void)
{
  g_autoptr(DpugwSysfs) sysfs = NULL;
  g_autoptr(UMockdevTestbed) testbed = dpugw_test_testbed_new (&sysfs, PF_NO_NET, NULL);
  g_autoptr(GPtrArray) pfs = scan_ok (sysfs);
  const DpugwPf *pf;

  g_assert_cmpuint (pfs->len, ==, 1);
  pf = pf_at (pfs, 0);
  assert_pf (pf, "0000:01:00.0", NO_NETDEVS, "vfio-pci", 8, 1, NULL, 1);
  assert_vf (pf, 0, 0, "0000:01:02.3", STRV ("pf0vf0"));
}

static void
test_scan_virtio (void)
{
  g_autoptr(DpugwSysfs) sysfs = NULL;
  g_autoptr(UMockdevTestbed) testbed = dpugw_test_testbed_new (&sysfs, VIRTIO, NULL);
  g_autoptr(GPtrArray) pfs = scan_ok (sysfs);

  /* 0000:00:03.0 has no sriov_totalvfs: no PF. */
  g_assert_cmpuint (pfs->len, ==, 0);
}

static void
test_scan_dangling_physfn (void)
{
  g_autoptr(DpugwSysfs) sysfs = NULL;
  g_autoptr(UMockdevTestbed) testbed = dpugw_test_testbed_new (&sysfs, DANGLING, NULL);
  g_autoptr(GPtrArray) pfs = scan_ok (sysfs);

  /* Only an orphaned VF. */
  g_assert_cmpuint (pfs->len, ==, 0);
}

static void
test_scan_scalable_function (void)
{
  g_autoptr(DpugwSysfs) sysfs = NULL;
  g_autoptr(UMockdevTestbed) testbed = dpugw_test_testbed_new (&sysfs, SF, NULL);
  g_autoptr(GPtrArray) pfs = scan_ok (sysfs);
  const DpugwPf *pf;

  /* SR-IOV capable, no VF enabled; the SF's netdev is not the PF's. */
  g_assert_cmpuint (pfs->len, ==, 1);
  pf = pf_at (pfs, 0);
  assert_pf (pf, "0000:03:00.0", STRV ("p0", "pf0hpf", "pf0vf0"), "mlx5_core", 16, 0,
             "0c42a1b2c3d4e5f6", 0);
}

static void
test_scan_pci_domain (void)
{
  g_autoptr(DpugwSysfs) sysfs = NULL;
  g_autoptr(UMockdevTestbed) testbed = dpugw_test_testbed_new (&sysfs, DOMAIN, NULL);
  g_autoptr(GPtrArray) pfs = scan_ok (sysfs);
  const DpugwPf *pf;

  g_assert_cmpuint (pfs->len, ==, 1);
  pf = pf_at (pfs, 0);
  assert_pf (pf, "0002:c1:00.0", STRV ("enP2p193s0f0np0"), "mlx5_core", 4, 1, NULL, 1);
  assert_vf (pf, 0, 0, "0002:c1:00.2", STRV ("enP2p193s0f0v0"));
}

/* Intel VMD: a PF in domain 10000, below the VMD controller (no SR-IOV: not listed). */
static void
test_scan_vmd (void)
{
  g_autoptr(DpugwSysfs) sysfs = NULL;
  g_autoptr(UMockdevTestbed) testbed = dpugw_test_testbed_new (&sysfs, VMD, NULL);
  g_autoptr(GPtrArray) pfs = scan_ok (sysfs);
  g_autoptr(GError) error = NULL;
  g_autoptr(DpugwPf) one = NULL;
  const DpugwPf *pf;

  g_assert_cmpuint (pfs->len, ==, 1);
  pf = pf_at (pfs, 0);
  assert_pf (pf, "10000:01:00.0", STRV ("ens1f0np0"), "mlx5_core", 4, 1, NULL, 1);
  assert_vf (pf, 0, 0, "10000:01:00.2", STRV ("ens1f0v0"));
  one = dpugw_topology_scan_pf (sysfs, "10000:01:00.0", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (one->pci, ==, "10000:01:00.0");
}

/* A virtio-net PF with SR-IOV: its netdevs, and its VF's, one level lower (FUNC/virtioN/net/). */
static void
test_scan_virtio_sriov (void)
{
  g_autoptr(DpugwSysfs) sysfs = NULL;
  g_autoptr(UMockdevTestbed) testbed = dpugw_test_testbed_new (&sysfs, VIRTIO_SRIOV, NULL);
  g_autoptr(GPtrArray) pfs = scan_ok (sysfs);
  const DpugwPf *pf;

  g_assert_cmpuint (pfs->len, ==, 1);
  pf = pf_at (pfs, 0);
  assert_pf (pf, "0000:05:00.0", STRV ("ens5f0"), "virtio-pci", 8, 1, NULL, 1);
  assert_vf (pf, 0, 0, "0000:05:00.1", STRV ("ens5f0v0"));
}

/*
 * The union of several recordings.  Not every recording can share a testbed:
 * umockdev aborts on a second device of the same name (dpu-host-example,
 * renamed-mgmt, pf-no-net and dangling-physfn all hold 0000:01:00.0 or
 * 0000:01:02.3; scalable-function and bluefield-host both hold 0000:03:00.0;
 * switchdev's eth0 and the example's collide).  These six do not collide, and
 * cover every other shape.
 */
static void
test_scan_union (void)
{
  static const char *recordings[] = { PF_NO_NET, IGB, BLUEFIELD, SWITCHDEV, VIRTIO, DOMAIN };
  static const char *expected[] = {
    "0000:01:00.0", "0000:02:00.0", "0000:02:00.1", "0000:03:00.0",
    "0000:03:00.1", "0000:3b:00.0", "0002:c1:00.0",
  };
  g_autoptr(DpugwSysfs) sysfs = NULL;
  g_autoptr(UMockdevTestbed) testbed = NULL;
  g_autoptr(GPtrArray) pfs = NULL;
  guint next = 0;

  testbed = dpugw_test_testbed_new (&sysfs, PF_NO_NET, IGB, BLUEFIELD, SWITCHDEV, VIRTIO, DOMAIN, NULL);
  pfs = scan_ok (sysfs);

  g_assert_cmpuint (pfs->len, ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < pfs->len; i++)
    g_assert_cmpstr (pf_at (pfs, i)->pci, ==, expected[i]);

  /* Each PF exactly as its recording alone gives it. */
  for (guint r = 0; r < G_N_ELEMENTS (recordings); r++)
    {
      g_autoptr(DpugwSysfs) alone_sysfs = NULL;
      g_autoptr(UMockdevTestbed) alone_testbed = dpugw_test_testbed_new (&alone_sysfs, recordings[r], NULL);
      g_autoptr(GPtrArray) alone = scan_ok (alone_sysfs);

      for (guint i = 0; i < alone->len; i++)
        assert_pf_equal (pf_at (pfs, next++), pf_at (alone, i));
    }
  g_assert_cmpuint (next, ==, pfs->len);
}

/* ---------------------------------------------------------------------------
 * dpugw_topology_scan_pf
 * ------------------------------------------------------------------------ */

static void
test_scan_pf_one (void)
{
  g_autoptr(DpugwSysfs) sysfs = NULL;
  g_autoptr(UMockdevTestbed) testbed = dpugw_test_testbed_new (&sysfs, SWITCHDEV, IGB, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(DpugwPf) pf = NULL;
  g_autoptr(DpugwPf) igb = NULL;

  /* Upper-case input, normalised. */
  pf = dpugw_topology_scan_pf (sysfs, "0000:3B:00.0", &error);
  g_assert_no_error (error);
  assert_pf (pf, "0000:3b:00.0", STRV ("eth0", "eth1", "eth2", "pf0"), "mlx5_core", 8, 3,
             "8c2a8e0003c6b10c", 3);

  igb = dpugw_topology_scan_pf (sysfs, "0000:02:00.1", &error);
  g_assert_no_error (error);
  assert_pf (igb, "0000:02:00.1", STRV ("enp2s0f1"), "igb", 7, 2, NULL, 2);
  assert_vf (igb, 1, 1, "0000:02:10.3", STRV ("vf013"));
}

static void
test_scan_pf_not_pf (void)
{
  g_autoptr(DpugwSysfs) sysfs = NULL;
  g_autoptr(UMockdevTestbed) testbed = dpugw_test_testbed_new (&sysfs, EXAMPLE, NULL);
  g_autoptr(UMockdevTestbed) virtio_testbed = NULL;
  g_autoptr(DpugwSysfs) virtio_sysfs = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(DpugwPf) vf = NULL;
  g_autoptr(DpugwPf) virtio = NULL;
  g_autoptr(DpugwPf) missing = NULL;

  vf = dpugw_topology_scan_pf (sysfs, "0000:01:02.3", &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_null (vf);
  g_assert_cmpstr (error->message, ==, "0000:01:02.3 is not an SR-IOV physical function");
  g_clear_error (&error);

  virtio_testbed = dpugw_test_testbed_new (&virtio_sysfs, VIRTIO, NULL);
  virtio = dpugw_topology_scan_pf (virtio_sysfs, "0000:00:03.0", &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_null (virtio);
  g_clear_error (&error);

  /* No such PCI function at all. */
  missing = dpugw_topology_scan_pf (sysfs, "0000:05:00.0", &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_null (missing);
}

static void
test_scan_pf_malformed (void)
{
  g_autoptr(DpugwSysfs) sysfs = NULL;
  g_autoptr(UMockdevTestbed) testbed = dpugw_test_testbed_new (&sysfs, EXAMPLE, NULL);
  static const char *addresses[] = {
    "0000:01:02.8", "00000:01:00.0", "0000:1:0.0", "../0000:01:00.0", "0000:01:00.0/..",
    "", "eth0", "0000:01:00.0\n",
  };

  /* The testbed is gone: only validation can answer. */
  g_clear_object (&testbed);
  for (guint i = 0; i < G_N_ELEMENTS (addresses); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(DpugwPf) pf = dpugw_topology_scan_pf (sysfs, addresses[i], &error);

      g_assert_error (error, DPUGW_ERROR, DPUGW_ERROR_INVALID_ARGUMENT);
      g_assert_null (pf);
    }
}

/* ---------------------------------------------------------------------------
 * Hostile or unusual sysfs content
 * ------------------------------------------------------------------------ */

static void
test_garbage_total_vfs (void)
{
  static const char *values[] = {
    "abc\n", "-1\n", "99999999999\n", "4294967296\n", "\n", "", "0x8\n", "8 junk\n", "+8\n",
  };

  /* The PF cannot be read as one: it is left out, the other PF stays. */
  for (guint i = 0; i < G_N_ELEMENTS (values); i++)
    {
      g_autoptr(DpugwSysfs) sysfs = NULL;
      g_autoptr(UMockdevTestbed) testbed = dpugw_test_testbed_new (&sysfs, BLUEFIELD, NULL);
      g_autoptr(GPtrArray) pfs = NULL;
      g_autoptr(DpugwPf) pf = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *prefix = NULL;

      dpugw_test_write (testbed, BLUEFIELD_PF0 "/sriov_totalvfs", values[i]);
      pfs = scan_ok (sysfs);
      g_assert_cmpuint (pfs->len, ==, 1);
      g_assert_cmpstr (pf_at (pfs, 0)->pci, ==, "0000:03:00.1");

      pf = dpugw_topology_scan_pf (sysfs, "0000:03:00.0", &error);
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
      g_assert_null (pf);
      prefix = g_strconcat (dpugw_sysfs_get_root (sysfs), "/" BLUEFIELD_PF0 "/sriov_totalvfs: ", NULL);
      g_assert_true (g_str_has_prefix (error->message, prefix));
    }
}

static void
test_odd_total_vfs_accepted (void)
{
  g_autoptr(DpugwSysfs) sysfs = NULL;
  g_autoptr(UMockdevTestbed) testbed = dpugw_test_testbed_new (&sysfs, EXAMPLE, NULL);
  g_autoptr(GPtrArray) pfs = NULL;
  g_autoptr(GPtrArray) pfs_max = NULL;

  /* Surrounding blanks are tolerated; the largest 32-bit value is a number. */
  dpugw_test_write (testbed, EXAMPLE_PF "/sriov_totalvfs", " 8 \n");
  pfs = scan_ok (sysfs);
  g_assert_cmpuint (pfs->len, ==, 1);
  g_assert_cmpuint (pf_at (pfs, 0)->total_vfs, ==, 8);

  dpugw_test_write (testbed, EXAMPLE_PF "/sriov_totalvfs", "4294967295\n");
  pfs_max = scan_ok (sysfs);
  g_assert_cmpuint (pfs_max->len, ==, 1);
  g_assert_cmpuint (pf_at (pfs_max, 0)->total_vfs, ==, G_MAXUINT32);
}

static void
test_unreadable_total_vfs (void)
{
  g_autoptr(DpugwSysfs) sysfs = NULL;
  g_autoptr(UMockdevTestbed) testbed = dpugw_test_testbed_new (&sysfs, BLUEFIELD, NULL);
  g_autoptr(GPtrArray) pfs = NULL;
  g_autofree char *fifo = dpugw_test_path (testbed, BLUEFIELD_PF0 "/sriov_totalvfs");

  /* PF 0's is a FIFO without writer (must not block), PF 1's a link (refused). */
  dpugw_test_remove (testbed, BLUEFIELD_PF0 "/sriov_totalvfs");
  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);
  dpugw_test_remove (testbed, "devices/pci0000:00/0000:00:01.0/0000:03:00.1/sriov_totalvfs");
  dpugw_test_symlink (testbed, "sriov_numvfs", "devices/pci0000:00/0000:00:01.0/0000:03:00.1/sriov_totalvfs");

  pfs = scan_ok (sysfs);
  g_assert_cmpuint (pfs->len, ==, 0);
}

static void
test_garbage_num_vfs (void)
{
  g_autoptr(DpugwSysfs) sysfs = NULL;
  g_autoptr(UMockdevTestbed) testbed = dpugw_test_testbed_new (&sysfs, EXAMPLE, NULL);
  g_autoptr(GPtrArray) pfs = NULL;
  const DpugwPf *pf;

  /* sriov_numvfs is informative only: the PF and its VFs are still reported. */
  dpugw_test_write (testbed, EXAMPLE_PF "/sriov_numvfs", "two\n");
  pfs = scan_ok (sysfs);
  g_assert_cmpuint (pfs->len, ==, 1);
  pf = pf_at (pfs, 0);
  assert_pf (pf, "0000:01:00.0", STRV ("eth0", "eth1"), "mlx5_core", 8, 0, NULL, 2);
  assert_vf (pf, 0, 0, "0000:01:02.3", STRV ("pf0vf0"));
  assert_vf (pf, 1, 1, "0000:01:02.4", STRV ("pf0vf1"));
}

static void
test_bad_virtfn_links (void)
{
  g_autoptr(DpugwSysfs) sysfs = NULL;
  g_autoptr(UMockdevTestbed) testbed = dpugw_test_testbed_new (&sysfs, EXAMPLE, NULL);
  g_autoptr(GPtrArray) pfs = NULL;
  g_autofree char *absolute = dpugw_test_path (testbed, EXAMPLE_BRIDGE "/0000:01:02.4");
  const DpugwPf *pf;

  /*
   * virtfn1 dangles (its VF vanished); the others are worse.  virtfn3 is
   * absolute: refused even though it names a VF inside the root.
   */
  dpugw_test_remove (testbed, EXAMPLE_PF "/virtfn1");
  dpugw_test_symlink (testbed, "../0000:01:02.7", EXAMPLE_PF "/virtfn1");
  dpugw_test_symlink (testbed, "../../../../../../../../etc", EXAMPLE_PF "/virtfn2");
  dpugw_test_symlink (testbed, absolute, EXAMPLE_PF "/virtfn3");
  dpugw_test_symlink (testbed, "../../../../class/net", EXAMPLE_PF "/virtfn4");
  dpugw_test_symlink (testbed, "virtfn5", EXAMPLE_PF "/virtfn5");
  /* Not virtfnN: ignored whatever they point at. */
  dpugw_test_symlink (testbed, "../0000:01:02.4", EXAMPLE_PF "/virtfnX");
  dpugw_test_symlink (testbed, "../0000:01:02.4", EXAMPLE_PF "/virtfn");
  dpugw_test_symlink (testbed, "../0000:01:02.4", EXAMPLE_PF "/virtfn-1");
  dpugw_test_symlink (testbed, "../0000:01:02.4", EXAMPLE_PF "/virtfn99999999");

  pfs = scan_ok (sysfs);
  g_assert_cmpuint (pfs->len, ==, 1);
  pf = pf_at (pfs, 0);
  assert_pf (pf, "0000:01:00.0", STRV ("eth0", "eth1"), "mlx5_core", 8, 2, NULL, 1);
  assert_vf (pf, 0, 0, "0000:01:02.3", STRV ("pf0vf0"));
}

static void
test_virtfn_numeric_order (void)
{
  g_autoptr(DpugwSysfs) sysfs = NULL;
  g_autoptr(UMockdevTestbed) testbed = dpugw_test_testbed_new (&sysfs, EXAMPLE, NULL);
  g_autoptr(GPtrArray) pfs = NULL;
  const DpugwPf *pf;

  /* virtfn10 sorts before virtfn2 by name; VFs are ordered by index. */
  dpugw_test_mkdir (testbed, EXAMPLE_BRIDGE "/0000:01:02.5/net/pf0vf2");
  dpugw_test_mkdir (testbed, EXAMPLE_BRIDGE "/0000:01:03.3/net/pf0vf10");
  dpugw_test_symlink (testbed, "../0000:01:02.5", EXAMPLE_PF "/virtfn2");
  dpugw_test_symlink (testbed, "../0000:01:03.3", EXAMPLE_PF "/virtfn10");

  pfs = scan_ok (sysfs);
  g_assert_cmpuint (pfs->len, ==, 1);
  pf = pf_at (pfs, 0);
  g_assert_cmpuint (pf->vfs->len, ==, 4);
  assert_vf (pf, 0, 0, "0000:01:02.3", STRV ("pf0vf0"));
  assert_vf (pf, 1, 1, "0000:01:02.4", STRV ("pf0vf1"));
  assert_vf (pf, 2, 2, "0000:01:02.5", STRV ("pf0vf2"));
  assert_vf (pf, 3, 10, "0000:01:03.3", STRV ("pf0vf10"));
}

static void
test_switch_id_absent (void)
{
  g_autoptr(DpugwSysfs) sysfs = NULL;
  g_autoptr(UMockdevTestbed) testbed = dpugw_test_testbed_new (&sysfs, EXAMPLE, NULL);
  g_autoptr(GPtrArray) pfs = NULL;
  g_autoptr(GPtrArray) pfs_set = NULL;

  /*
   * Drivers without switchdev fail the read (EOPNOTSUPP); a plain tree cannot
   * do that, so: an empty value, a non-ASCII one, and one that cannot be read
   * (a directory).  All mean "absent".
   */
  dpugw_test_write (testbed, EXAMPLE_PF "/net/eth0/phys_switch_id", "\n");
  dpugw_test_mkdir (testbed, EXAMPLE_PF "/net/eth1/phys_switch_id");
  pfs = scan_ok (sysfs);
  g_assert_cmpuint (pfs->len, ==, 1);
  g_assert_null (pf_at (pfs, 0)->switch_id);

  dpugw_test_remove (testbed, EXAMPLE_PF "/net/eth1/phys_switch_id");
  dpugw_test_write (testbed, EXAMPLE_PF "/net/eth1/phys_switch_id", "\xc3\xa9\n");
  g_clear_pointer (&pfs, g_ptr_array_unref);
  pfs = scan_ok (sysfs);
  g_assert_null (pf_at (pfs, 0)->switch_id);

  /* The first netdev that has one gives it. */
  dpugw_test_write (testbed, EXAMPLE_PF "/net/eth1/phys_switch_id", "0c42a1b2c3d4e5f6\n");
  pfs_set = scan_ok (sysfs);
  g_assert_cmpstr (pf_at (pfs_set, 0)->switch_id, ==, "0c42a1b2c3d4e5f6");
}

static void
test_invalid_netdev_names_ignored (void)
{
  g_autoptr(DpugwSysfs) sysfs = NULL;
  g_autoptr(UMockdevTestbed) testbed = dpugw_test_testbed_new (&sysfs, EXAMPLE, NULL);
  g_autoptr(GPtrArray) pfs = NULL;
  const DpugwPf *pf;

  /* No kernel makes these: not netdevs. */
  dpugw_test_mkdir (testbed, EXAMPLE_PF "/net/a b");
  dpugw_test_mkdir (testbed, EXAMPLE_PF "/net/aaaaaaaaaaaaaaaa");

  pfs = scan_ok (sysfs);
  pf = pf_at (pfs, 0);
  g_assert_cmpstrv (pf->netdevs, STRV ("eth0", "eth1"));
  assert_vf (pf, 0, 0, "0000:01:02.3", STRV ("pf0vf0"));
}

/* Names the kernel allows but D-Bus cannot carry: listed escaped and marked, after the others. */
static void
test_unprintable_netdev_names_marked (void)
{
  g_autoptr(DpugwSysfs) sysfs = NULL;
  g_autoptr(UMockdevTestbed) testbed = dpugw_test_testbed_new (&sysfs, EXAMPLE, NULL);
  g_autoptr(GPtrArray) pfs = NULL;
  const DpugwPf *pf;

  dpugw_test_mkdir (testbed, EXAMPLE_PF "/net/a\xff");
  dpugw_test_mkdir (testbed, EXAMPLE_BRIDGE "/0000:01:02.3/net/a\001");

  pfs = scan_ok (sysfs);
  pf = pf_at (pfs, 0);
  g_assert_cmpstrv (pf->netdevs, STRV ("eth0", "eth1", "\"a\\377\" (invalid name: it is not valid UTF-8)"));
  assert_vf (pf, 0, 0, "0000:01:02.3",
             STRV ("pf0vf0", "\"a\\001\" (invalid name: it contains a control character)"));
}

static void
test_junk_in_devices (void)
{
  g_autoptr(DpugwSysfs) sysfs = NULL;
  g_autoptr(UMockdevTestbed) testbed = dpugw_test_testbed_new (&sysfs, EXAMPLE, NULL);
  g_autoptr(GPtrArray) pfs = NULL;

  /* Names that are no PCI address, a dangling entry, an escaping one. */
  dpugw_test_mkdir (testbed, "bus/pci/devices/junk");
  dpugw_test_symlink (testbed, "../../../devices/pci0000:00/0000:00:02.0/0000:01:02.8",
                      "bus/pci/devices/0000:01:02.8");
  dpugw_test_symlink (testbed, "../../../devices/gone", "bus/pci/devices/0000:09:00.0");
  dpugw_test_symlink (testbed, "../../../../../../../../etc", "bus/pci/devices/0000:0a:00.0");
  dpugw_test_symlink (testbed, "0000:0b:00.0", "bus/pci/devices/0000:0b:00.0");
  /* An entry whose link leads to a function of another name, here a VF. */
  dpugw_test_symlink (testbed, "../../../" EXAMPLE_BRIDGE "/0000:01:02.3", "bus/pci/devices/0000:0c:00.0");

  pfs = scan_ok (sysfs);
  g_assert_cmpuint (pfs->len, ==, 1);
  g_assert_cmpstr (pf_at (pfs, 0)->pci, ==, "0000:01:00.0");
}

static void
test_scan_no_pci_bus (void)
{
  g_autoptr(DpugwSysfs) sysfs = NULL;
  g_autoptr(UMockdevTestbed) testbed = dpugw_test_testbed_new (&sysfs, EXAMPLE, NULL);
  g_autoptr(GPtrArray) pfs = NULL;
  g_autoptr(GError) error = NULL;

  /* The root is gone: an error, not an empty topology. */
  g_clear_object (&testbed);
  pfs = dpugw_topology_scan (sysfs, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_null (pfs);
}

static void
test_free_null (void)
{
  dpugw_pf_free (NULL);
  dpugw_vf_free (NULL);
}

/* A bus/pci/devices entry whose link leads to another function is no second PF. */
static void
test_ghost_pf (void)
{
  g_autoptr(DpugwSysfs) sysfs = NULL;
  g_autoptr(UMockdevTestbed) testbed = dpugw_test_testbed_new (&sysfs, "data/dpu-host-example.umockdev", NULL);
  g_autoptr(GPtrArray) pfs = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(DpugwPf) pf = NULL;

  dpugw_test_symlink (testbed, "../../../devices/pci0000:00/0000:00:02.0/0000:01:00.0",
                      "bus/pci/devices/0000:0c:00.0");
  pfs = dpugw_topology_scan (sysfs, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (pfs->len, ==, 1);
  g_assert_cmpstr (((DpugwPf *) g_ptr_array_index (pfs, 0))->pci, ==, "0000:01:00.0");

  pf = dpugw_topology_scan_pf (sysfs, "0000:0c:00.0", &error);
  g_assert_null (pf);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/topology/scan/dpu-host-example", test_scan_example);
  g_test_add_func ("/topology/scan/renamed-mgmt", test_scan_renamed);
  g_test_add_func ("/topology/scan/bluefield-host", test_scan_bluefield);
  g_test_add_func ("/topology/scan/switchdev", test_scan_switchdev);
  g_test_add_func ("/topology/scan/igb-interleaved", test_scan_igb_interleaved);
  g_test_add_func ("/topology/scan/pf-no-net", test_scan_pf_no_net);
  g_test_add_func ("/topology/scan/virtio", test_scan_virtio);
  g_test_add_func ("/topology/scan/virtio-sriov", test_scan_virtio_sriov);
  g_test_add_func ("/topology/scan/vmd", test_scan_vmd);
  g_test_add_func ("/topology/scan/dangling-physfn", test_scan_dangling_physfn);
  g_test_add_func ("/topology/scan/scalable-function", test_scan_scalable_function);
  g_test_add_func ("/topology/scan/pci-domain", test_scan_pci_domain);
  g_test_add_func ("/topology/scan/union", test_scan_union);

  g_test_add_func ("/topology/scan-pf/one", test_scan_pf_one);
  g_test_add_func ("/topology/scan-pf/not-pf", test_scan_pf_not_pf);
  g_test_add_func ("/topology/scan-pf/malformed", test_scan_pf_malformed);

  g_test_add_func ("/topology/hostile/garbage-total-vfs", test_garbage_total_vfs);
  g_test_add_func ("/topology/hostile/odd-total-vfs-accepted", test_odd_total_vfs_accepted);
  g_test_add_func ("/topology/hostile/unreadable-total-vfs", test_unreadable_total_vfs);
  g_test_add_func ("/topology/hostile/garbage-num-vfs", test_garbage_num_vfs);
  g_test_add_func ("/topology/hostile/bad-virtfn-links", test_bad_virtfn_links);
  g_test_add_func ("/topology/hostile/virtfn-numeric-order", test_virtfn_numeric_order);
  g_test_add_func ("/topology/hostile/switch-id-absent", test_switch_id_absent);
  g_test_add_func ("/topology/hostile/invalid-netdev-names", test_invalid_netdev_names_ignored);
  g_test_add_func ("/topology/hostile/unprintable-netdev-names", test_unprintable_netdev_names_marked);
  g_test_add_func ("/topology/hostile/junk-in-devices", test_junk_in_devices);
  g_test_add_func ("/topology/hostile/ghost-pf", test_ghost_pf);
  g_test_add_func ("/topology/hostile/no-pci-bus", test_scan_no_pci_bus);

  g_test_add_func ("/topology/free-null", test_free_null);

  return g_test_run ();
}
