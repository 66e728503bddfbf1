/* SPDX-License-Identifier: Apache-2.0
 *
 * The gateway selection rules (select.c: first, uplink, up, name=GLOB), the
 * scalable-function management ports (resolver.c), the "not a VF" hints, the
 * configuration of the rules ([Gateway] select=, --gateway-select, SF pools
 * of the device plugin), and the same over D-Bus from the real dpu-gatewayd on
 * a private bus (ResolveAll, the details keys, NoMatch, the hint warning).
 *
 * The hardware is umockdev recordings loaded into a testbed; the attribute
 * files of its tree are rewritten to make the cases.
 */
#include "testdaemon.h"

#include <errno.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define EXAMPLE   "data/dpu-host-example.umockdev"
#define SF        "tests/fixtures/scalable-function.umockdev"
#define SWITCHDEV "tests/fixtures/switchdev.umockdev"
#define VIRTIO    "tests/fixtures/virtio.umockdev"

/* switchdev.umockdev: PF 0000:3b:00.0 with the uplink pf0 (p0) and the representors eth0..2 (pf0vf0..2). */
#define SW_PF_PCI "0000:3b:00.0"
#define SW_PF     "devices/pci0000:3a/0000:3a:00.0/0000:3b:00.0"
#define SW_NET    SW_PF "/net"

/* scalable-function.umockdev: PF 0000:03:00.0 with p0, pf0hpf, pf0vf0, and the SF mlx5_core.sf.2. */
#define SF_PF_PCI "0000:03:00.0"
#define SF_PF     "devices/pci0000:00/0000:00:00.0/0000:03:00.0"
#define SF_AUX    "bus/auxiliary/devices/mlx5_core.sf.2"
#define SF_AUX_TARGET "../../../devices/pci0000:00/0000:00:00.0/0000:03:00.0/mlx5_core.sf.2"

#define EXAMPLE_PF_PCI "0000:01:00.0"
#define VIRTIO_PCI     "devices/pci0000:00/0000:00:03.0"

#define SWITCHDEV_HINT                                                                             \
  "eth0 looks like a VF representor (phys_port_name pf0vf0); the PF's uplink is pf0 "             \
  "(phys_port_name p0): consider --gateway-select=uplink"

#define RULE_ERROR(q) "invalid gateway selection rule " q ": expected first, uplink, up or name=GLOB"

/* ---------------------------------------------------------------------------
 * Helpers
 * ------------------------------------------------------------------------ */

/* The expected message with "{R}" standing for the sysfs root. */
static void
assert_message (const GError *error, DpugwSysfs *sysfs, const char *template)
{
  g_autoptr(GString) expected = g_string_new (template);

  g_assert_nonnull (error);
  g_string_replace (expected, "{R}", dpugw_sysfs_get_root (sysfs), 0);
  g_assert_cmpstr (error->message, ==, expected->str);
}

static DpugwSelect *
select_ok (const char *text)
{
  g_autoptr(GError) error = NULL;
  DpugwSelect *select = dpugw_select_parse (text, &error);

  g_assert_no_error (error);
  g_assert_nonnull (select);
  return select;
}

/* A configuration that carries only the rules @text, set by hand (no dpugw_config_finish). */
static DpugwConfig *
config_with_select (const char *text)
{
  DpugwConfig *config = dpugw_config_new ();

  config->select = select_ok (text);
  return config;
}

/* dpugw_resolve_pf(PF) with the rules @rules (NULL: no configuration), expecting success. */
static DpugwResolution *
pf_ok (DpugwSysfs *sysfs, const char *pf, const char *rules)
{
  g_autoptr(DpugwConfig) config = rules != NULL ? config_with_select (rules) : NULL;
  g_autoptr(GError) error = NULL;
  DpugwResolution *r = dpugw_resolve_pf (sysfs, config, pf, &error);

  g_assert_no_error (error);
  g_assert_nonnull (r);
  return r;
}

/* The result of the rules @rules on the switchdev PF: interfaces, selected_by, hint. */
static void
assert_pf_selects (DpugwSysfs *sysfs, const char *pf, const char *rules, const char * const *interfaces,
                   const char *selected_by, const char *hint)
{
  g_autoptr(DpugwResolution) r = pf_ok (sysfs, pf, rules);

  g_assert_cmpstrv (r->interfaces, interfaces);
  g_assert_cmpstr (r->interface, ==, interfaces[0]);
  g_assert_cmpstr (r->selected_by, ==, selected_by);
  g_assert_cmpstr (r->hint, ==, hint);
}

static void
assert_pf_no_match (DpugwSysfs *sysfs, const char *pf, const char *rules, const char *message)
{
  g_autoptr(DpugwConfig) config = config_with_select (rules);
  g_autoptr(GError) error = NULL;
  g_autoptr(DpugwResolution) r = dpugw_resolve_pf (sysfs, config, pf, &error);

  g_assert_null (r);
  g_assert_error (error, DPUGW_ERROR, DPUGW_ERROR_NO_MATCH);
  g_assert_cmpstr (error->message, ==, message);
}

/* dpugw_config_load with @flags and @envp, expecting success. */
static DpugwConfig *
config_load_ok (const DpugwConfigFlags *flags, const char * const *envp)
{
  g_autoptr(GError) error = NULL;
  DpugwConfig *config = dpugw_config_load (flags, envp, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (config);
  return config;
}

static char *
write_temp_config (const char *contents)
{
  g_autoptr(GError) error = NULL;
  char *path = NULL;
  int fd = g_file_open_tmp ("dpugw-select-XXXXXX.conf", &path, &error);

  g_assert_no_error (error);
  close (fd);
  g_assert_true (g_file_set_contents (path, contents, -1, &error));
  g_assert_no_error (error);
  return path;
}

/* The bus/auxiliary/devices link of mlx5_core.sf.2, which umockdev does not make. */
static void
add_sf_aux_link (UMockdevTestbed *testbed)
{
  g_autofree char *dir = dpugw_test_path (testbed, "bus/auxiliary/devices");

  if (!g_file_test (dir, G_FILE_TEST_IS_DIR))
    dpugw_test_mkdir (testbed, "bus/auxiliary/devices");
  dpugw_test_symlink (testbed, SF_AUX_TARGET, SF_AUX);
}

static void
assert_sf_resolution (const DpugwResolution *r, const char *selected_by, const char * const *interfaces)
{
  g_assert_nonnull (r);
  g_assert_cmpstr (r->interface, ==, "p0");
  g_assert_cmpstrv (r->interfaces, interfaces);
  g_assert_cmpstrv (r->candidates, STRV ("p0", "pf0hpf", "pf0vf0"));
  g_assert_cmpstr (r->mgmt_port, ==, "en3f0pf0sf88");
  g_assert_cmpstr (r->function_type, ==, "sf");
  g_assert_cmpstr (r->sf, ==, "mlx5_core.sf.2");
  g_assert_cmpstr (r->vf_pci, ==, "");
  g_assert_cmpstr (r->pf_pci, ==, SF_PF_PCI);
  g_assert_cmpstr (dpugw_resolution_function (r), ==, "mlx5_core.sf.2");
  g_assert_cmpstr (r->selected_by, ==, selected_by);
  g_assert_null (r->hint);
}

/* ===========================================================================
 * dpugw_select_parse
 * ======================================================================== */

static void
test_parse_default (void)
{
  g_autoptr(DpugwSelect) from_null = select_ok (NULL);
  g_autoptr(DpugwSelect) from_empty = select_ok ("");

  g_assert_cmpstr (DPUGW_SELECT_DEFAULT, ==, "first");
  g_assert_cmpstr (dpugw_select_to_string (from_null), ==, "first");
  g_assert_cmpstr (dpugw_select_to_string (from_empty), ==, "first");
  g_assert_false (dpugw_select_uses_operstate (from_null));
  g_assert_false (dpugw_select_uses_operstate (from_empty));
}

static void
test_parse_valid (void)
{
  g_autofree char *glob64 = g_strnfill (64, 'x');
  g_autofree char *name64 = g_strconcat ("name=", glob64, NULL);
  g_autofree char *sixteen = NULL;
  struct {
    const char *text;
    const char *normal;
    gboolean operstate;
  } cases[] = {
    { "first", "first", FALSE },
    { "uplink", "uplink", FALSE },
    { "up", "up", TRUE },
    { "uplink,first", "uplink,first", FALSE },
    { "name=ens*", "name=ens*", FALSE },
    { "name=eth?", "name=eth?", FALSE },
    { "  uplink ,\tfirst  ", "uplink,first", FALSE },
    { " name=ens* , up ,first", "name=ens*,up,first", TRUE },
    { "name=up", "name=up", FALSE },
    { "uplink,up", "uplink,up", TRUE },
    { "first,first", "first,first", FALSE },
    { name64, name64, FALSE },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(DpugwSelect) select = select_ok (cases[i].text);

      g_test_message ("%s", cases[i].text);
      g_assert_cmpstr (dpugw_select_to_string (select), ==, cases[i].normal);
      g_assert_cmpint (dpugw_select_uses_operstate (select), ==, cases[i].operstate);
    }

  /* Sixteen rules are the most. */
  {
    g_autoptr(GString) s = g_string_new ("first");
    for (guint i = 1; i < 16; i++)
      g_string_append (s, i == 15 ? ",up" : ",uplink");
    sixteen = g_strdup (s->str);
  }
  {
    g_autoptr(DpugwSelect) select = select_ok (sixteen);
    g_assert_cmpstr (dpugw_select_to_string (select), ==, sixteen);
    g_assert_true (dpugw_select_uses_operstate (select));
  }
}

static void
test_parse_invalid (void)
{
  g_autofree char *glob65 = g_strnfill (65, 'x');
  g_autofree char *name65 = g_strconcat ("name=", glob65, NULL);
  g_autofree char *msg65 = NULL;
  g_autoptr(GString) seventeen = g_string_new ("first");
  struct {
    const char *text;
    const char *message;
  } cases[] = {
    { "bogus", RULE_ERROR ("\"bogus\"") },
    { "name=", RULE_ERROR ("\"name=\"") },
    { "name=a b", RULE_ERROR ("\"name=a b\"") },
    { "name=x/y", RULE_ERROR ("\"name=x/y\"") },
    { "name=a\tb", RULE_ERROR ("\"name=a\\tb\"") },
    { "name=\xc3\xa9", RULE_ERROR ("\"name=\\303\\251\"") },
    { "Uplink", RULE_ERROR ("\"Uplink\"") },
    { "first uplink", RULE_ERROR ("\"first uplink\"") },
    { "name", RULE_ERROR ("\"name\"") },
    { "uplink,bogus,first", RULE_ERROR ("\"bogus\"") },
    /* A comma splits: "name=a,b" is the rules name=a and b. */
    { "name=a,b", RULE_ERROR ("\"b\"") },
    /* An empty item is an error, not skipped: nothing between two commas, or after the last. */
    { "up,,first", RULE_ERROR ("\"\"") },
    { "first,", RULE_ERROR ("\"\"") },
    { ",first", RULE_ERROR ("\"\"") },
    { " , ", RULE_ERROR ("\"\"") },
    /* Only NULL and "" are the default; blanks are an empty rule. */
    { "   ", RULE_ERROR ("\"\"") },
    { NULL, NULL }, /* name65, below */
    { NULL, NULL }, /* seventeen rules, below */
  };

  for (guint i = 1; i < 17; i++)
    g_string_append (seventeen, ",first");
  {
    /* The quote of untrusted text stops at 64 bytes. */
    g_autofree char *cut = g_strndup (name65, 64);
    msg65 = g_strdup_printf ("invalid gateway selection rule \"%s\"...: expected first, uplink, up or name=GLOB",
                             cut);
  }
  cases[G_N_ELEMENTS (cases) - 2].text = name65;
  cases[G_N_ELEMENTS (cases) - 2].message = msg65;
  cases[G_N_ELEMENTS (cases) - 1].text = seventeen->str;
  cases[G_N_ELEMENTS (cases) - 1].message = "invalid gateway selection: more than 16 rules";

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(DpugwSelect) select = NULL;

      g_test_message ("%s", cases[i].text);
      select = dpugw_select_parse (cases[i].text, &error);
      g_assert_null (select);
      g_assert_error (error, DPUGW_ERROR, DPUGW_ERROR_INVALID_CONFIG);
      g_assert_cmpstr (error->message, ==, cases[i].message);
    }
}

/* Reference counted: a reference outlives the one it was taken from. */
static void
test_select_ref (void)
{
  DpugwSelect *select = select_ok ("uplink,first");
  DpugwSelect *ref = dpugw_select_ref (select);

  g_assert_true (ref == select);
  dpugw_select_unref (select);
  g_assert_cmpstr (dpugw_select_to_string (ref), ==, "uplink,first");
  dpugw_select_unref (ref);
  dpugw_select_unref (NULL);
}

/* ===========================================================================
 * The rules on the switchdev PF
 * ======================================================================== */

static void
test_first_switchdev (void)
{
  g_autoptr(DpugwSysfs) sysfs = NULL;
  g_autoptr(UMockdevTestbed) testbed = dpugw_test_testbed_new (&sysfs, SWITCHDEV, NULL);
  g_autoptr(DpugwResolution) r = pf_ok (sysfs, SW_PF_PCI, NULL);
  g_autoptr(DpugwResolution) r_first = pf_ok (sysfs, SW_PF_PCI, "first");

  /* The representors sort before the uplink: `first` takes eth0, and says so. */
  g_assert_cmpstrv (r->candidates, STRV ("eth0", "eth1", "eth2", "pf0"));
  g_assert_cmpstrv (r->interfaces, STRV ("eth0", "eth1", "eth2", "pf0"));
  g_assert_cmpstr (r->interface, ==, "eth0");
  g_assert_cmpstr (r->selected_by, ==, "first");
  g_assert_cmpstr (r->hint, ==, SWITCHDEV_HINT);
  g_assert_cmpstr (r->pf_pci, ==, SW_PF_PCI);
  g_assert_cmpstr (r->mgmt_port, ==, "");
  g_assert_cmpstr (r->vf_pci, ==, "");
  g_assert_cmpstr (r->function_type, ==, "");
  g_assert_null (r->sf);
  g_assert_cmpint (r->source, ==, DPUGW_SOURCE_DERIVED);
  g_assert_true (dpugw_resolution_equal (r, r_first));
}

/* The hint covers every representor `first` may take, not only a VF's. */
static void
test_first_hint_representors (void)
{
  static const struct { const char *port_name; const char *kind; } cases[] = {
    { "pf0vf0", "a VF representor" },
    { "c1pf0vf3", "a VF representor" },
    { "pf0sf88", "an SF representor" },
    { "c1pf0sf88", "an SF representor" },
    { "pf0hpf", "the host PF's representor" },
    { "c1pf0hpf", "the host PF's representor" },
    { "pf1", "a PF representor" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(DpugwSysfs) sysfs = NULL;
      g_autoptr(UMockdevTestbed) testbed = dpugw_test_testbed_new (&sysfs, SWITCHDEV, NULL);
      g_autofree char *contents = g_strconcat (cases[i].port_name, "\n", NULL);
      g_autofree char *expected = g_strdup_printf ("eth0 looks like %s (phys_port_name %s); the PF's uplink is pf0 "
                                                   "(phys_port_name p0): consider --gateway-select=uplink",
                                                   cases[i].kind, cases[i].port_name);
      g_autoptr(DpugwResolution) r = NULL;

      dpugw_test_write (testbed, SW_NET "/eth0/phys_port_name", contents);
      r = pf_ok (sysfs, SW_PF_PCI, NULL);
      g_assert_cmpstr (r->interface, ==, "eth0");
      g_assert_cmpstr (r->hint, ==, expected);
    }
  /* No representor: no hint. */
  {
    g_autoptr(DpugwSysfs) sysfs = NULL;
    g_autoptr(UMockdevTestbed) testbed = dpugw_test_testbed_new (&sysfs, SWITCHDEV, NULL);
    g_autoptr(DpugwResolution) r = NULL;

    dpugw_test_write (testbed, SW_NET "/eth0/phys_port_name", "pf0xx\n");
    r = pf_ok (sysfs, SW_PF_PCI, NULL);
    g_assert_null (r->hint);
  }
}

/* dpugw_select_apply directly, with its out parameters. */
static void
test_apply_direct (void)
{
  g_autoptr(DpugwSysfs) sysfs = NULL;
  g_autoptr(UMockdevTestbed) testbed = dpugw_test_testbed_new (&sysfs, SWITCHDEV, NULL);
  char *candidates[] = { "eth0", "eth1", "eth2", "pf0", NULL };

  {
    g_autoptr(DpugwSelect) select = select_ok (NULL);
    g_autofree char *selected_by = NULL;
    g_autofree char *hint = NULL;
    g_autoptr(GError) error = NULL;
    g_auto(GStrv) out = dpugw_select_apply (select, sysfs, SW_PF_PCI, candidates, &selected_by, &hint, &error);

    g_assert_no_error (error);
    g_assert_cmpstrv (out, STRV ("eth0", "eth1", "eth2", "pf0"));
    g_assert_cmpstr (selected_by, ==, "first");
    g_assert_cmpstr (hint, ==, SWITCHDEV_HINT);
  }
  {
    g_autoptr(DpugwSelect) select = select_ok ("uplink");
    g_autofree char *selected_by = NULL;
    g_autofree char *hint = NULL;
    g_autoptr(GError) error = NULL;
    g_auto(GStrv) out = dpugw_select_apply (select, sysfs, SW_PF_PCI, candidates, &selected_by, &hint, &error);

    g_assert_no_error (error);
    g_assert_cmpstrv (out, STRV ("pf0"));
    g_assert_cmpstr (selected_by, ==, "uplink");
    g_assert_null (hint);
  }
  {
    /* Candidates given in another order are kept in that order. */
    char *reversed[] = { "pf0", "eth2", "eth1", "eth0", NULL };
    g_autoptr(DpugwSelect) select = select_ok ("name=eth*");
    g_autofree char *selected_by = NULL;
    g_autofree char *hint = NULL;
    g_autoptr(GError) error = NULL;
    g_auto(GStrv) out = dpugw_select_apply (select, sysfs, SW_PF_PCI, reversed, &selected_by, &hint, &error);

    g_assert_no_error (error);
    g_assert_cmpstrv (out, STRV ("eth2", "eth1", "eth0"));
    g_assert_cmpstr (selected_by, ==, "name=eth*");
    g_assert_null (hint);
  }
  {
    g_autoptr(DpugwSelect) select = select_ok ("name=zz*");
    char *selected_by = (char *) "garbage";
    char *hint = (char *) "garbage";
    g_autoptr(GError) error = NULL;
    g_auto(GStrv) out = dpugw_select_apply (select, sysfs, SW_PF_PCI, candidates, &selected_by, &hint, &error);

    g_assert_null (out);
    g_assert_error (error, DPUGW_ERROR, DPUGW_ERROR_NO_MATCH);
    g_assert_null (selected_by);
    g_assert_null (hint);
  }
}

static void
test_uplink_switchdev (void)
{
  g_autoptr(DpugwSysfs) sysfs = NULL;
  g_autoptr(UMockdevTestbed) testbed = dpugw_test_testbed_new (&sysfs, SWITCHDEV, NULL);
  g_autoptr(DpugwResolution) r = pf_ok (sysfs, SW_PF_PCI, "uplink");

  g_assert_cmpstrv (r->candidates, STRV ("eth0", "eth1", "eth2", "pf0"));
  assert_pf_selects (sysfs, SW_PF_PCI, "uplink", STRV ("pf0"), "uplink", NULL);
  assert_pf_selects (sysfs, SW_PF_PCI, "uplink,first", STRV ("pf0"), "uplink", NULL);
  /* Order of the rules decides, not the order of the candidates. */
  assert_pf_selects (sysfs, SW_PF_PCI, "first,uplink", STRV ("eth0", "eth1", "eth2", "pf0"), "first",
                     SWITCHDEV_HINT);

  /* Any pN is an uplink; "p", "P0", "p0x", "pf0" are not. */
  dpugw_test_write (testbed, SW_NET "/pf0/phys_port_name", "p12\n");
  assert_pf_selects (sysfs, SW_PF_PCI, "uplink", STRV ("pf0"), "uplink", NULL);
  {
    const char *not_uplinks[] = { "p\n", "P0\n", "p0x\n", "pf0\n", "\n", "p-1\n", " q0\n" };
    for (gsize i = 0; i < G_N_ELEMENTS (not_uplinks); i++)
      {
        g_test_message ("phys_port_name %s", not_uplinks[i]);
        dpugw_test_write (testbed, SW_NET "/pf0/phys_port_name", not_uplinks[i]);
        assert_pf_no_match (sysfs, SW_PF_PCI, "uplink",
                            "no netdev of PF 0000:3b:00.0 matches the gateway selection rules uplink "
                            "(netdevs: eth0, eth1, eth2, pf0)");
      }
  }
  /* Whitespace around the value does not matter. */
  dpugw_test_write (testbed, SW_NET "/pf0/phys_port_name", "  p0 \n");
  assert_pf_selects (sysfs, SW_PF_PCI, "uplink", STRV ("pf0"), "uplink", NULL);
  /* Two uplinks: both, in order. */
  dpugw_test_write (testbed, SW_NET "/eth1/phys_port_name", "p1\n");
  assert_pf_selects (sysfs, SW_PF_PCI, "uplink", STRV ("eth1", "pf0"), "uplink", NULL);
}

static void
test_up (void)
{
  g_autoptr(DpugwSysfs) sysfs = NULL;
  g_autoptr(UMockdevTestbed) testbed = dpugw_test_testbed_new (&sysfs, SWITCHDEV, NULL);

  /* All four are up in the recording. */
  assert_pf_selects (sysfs, SW_PF_PCI, "up", STRV ("eth0", "eth1", "eth2", "pf0"), "up", NULL);

  dpugw_test_write (testbed, SW_NET "/eth0/operstate", "down\n");
  dpugw_test_write (testbed, SW_NET "/eth1/operstate", "up\n");
  dpugw_test_write (testbed, SW_NET "/eth2/operstate", "lowerlayerdown\n");
  dpugw_test_write (testbed, SW_NET "/pf0/operstate", "down\n");
  assert_pf_selects (sysfs, SW_PF_PCI, "up", STRV ("eth1"), "up", NULL);
  assert_pf_selects (sysfs, SW_PF_PCI, "up,first", STRV ("eth1"), "up", NULL);

  dpugw_test_write (testbed, SW_NET "/pf0/operstate", "up");
  assert_pf_selects (sysfs, SW_PF_PCI, "up", STRV ("eth1", "pf0"), "up", NULL);
  assert_pf_selects (sysfs, SW_PF_PCI, "uplink,up", STRV ("pf0"), "uplink", NULL);

  /* "unknown", "UP", "upper" are not up. */
  dpugw_test_write (testbed, SW_NET "/eth1/operstate", "unknown\n");
  dpugw_test_write (testbed, SW_NET "/eth2/operstate", "UP\n");
  dpugw_test_write (testbed, SW_NET "/pf0/operstate", "upper\n");
  assert_pf_no_match (sysfs, SW_PF_PCI, "up",
                      "no netdev of PF 0000:3b:00.0 matches the gateway selection rules up "
                      "(netdevs: eth0, eth1, eth2, pf0)");
  /* Nothing up: the next rule decides. */
  assert_pf_selects (sysfs, SW_PF_PCI, "up,uplink", STRV ("pf0"), "uplink", NULL);
  assert_pf_selects (sysfs, SW_PF_PCI, "up,first", STRV ("eth0", "eth1", "eth2", "pf0"), "first",
                     SWITCHDEV_HINT);

  /* An absent operstate is not up. */
  dpugw_test_remove (testbed, SW_NET "/eth0/operstate");
  dpugw_test_write (testbed, SW_NET "/eth2/operstate", "up\n");
  assert_pf_selects (sysfs, SW_PF_PCI, "up", STRV ("eth2"), "up", NULL);
}

static void
test_name (void)
{
  g_autoptr(DpugwSysfs) sysfs = NULL;
  g_autoptr(UMockdevTestbed) testbed = dpugw_test_testbed_new (&sysfs, SWITCHDEV, NULL);

  assert_pf_selects (sysfs, SW_PF_PCI, "name=e*", STRV ("eth0", "eth1", "eth2"), "name=e*", NULL);
  assert_pf_selects (sysfs, SW_PF_PCI, "name=eth?", STRV ("eth0", "eth1", "eth2"), "name=eth?", NULL);
  assert_pf_selects (sysfs, SW_PF_PCI, "name=*1", STRV ("eth1"), "name=*1", NULL);
  assert_pf_selects (sysfs, SW_PF_PCI, "name=pf0", STRV ("pf0"), "name=pf0", NULL);
  assert_pf_selects (sysfs, SW_PF_PCI, "name=*", STRV ("eth0", "eth1", "eth2", "pf0"), "name=*", NULL);
}

/* A glob matches the whole name; a rule that matches nothing falls through. */
static void
test_name_whole (void)
{
  g_autoptr(DpugwSysfs) sysfs = NULL;
  g_autoptr(UMockdevTestbed) testbed = dpugw_test_testbed_new (&sysfs, SWITCHDEV, NULL);

  /* A prefix is no match. */
  assert_pf_no_match (sysfs, SW_PF_PCI, "name=eth,name=pf",
                      "no netdev of PF 0000:3b:00.0 matches the gateway selection rules name=eth,name=pf "
                      "(netdevs: eth0, eth1, eth2, pf0)");
  /* A non-matching rule falls through to the next. */
  assert_pf_selects (sysfs, SW_PF_PCI, "name=nomatch,uplink", STRV ("pf0"), "uplink", NULL);
  assert_pf_selects (sysfs, SW_PF_PCI, " name=nomatch , name=eth2 ,first", STRV ("eth2"), "name=eth2", NULL);
}

/* The example's PF has no phys_port_name at all: uplink matches nothing, first decides, no hint. */
static void
test_example_no_uplink (void)
{
  g_autoptr(DpugwSysfs) sysfs = NULL;
  g_autoptr(UMockdevTestbed) testbed = dpugw_test_testbed_new (&sysfs, EXAMPLE, NULL);

  assert_pf_selects (sysfs, EXAMPLE_PF_PCI, "uplink,first", STRV ("eth0", "eth1"), "first", NULL);
  assert_pf_selects (sysfs, EXAMPLE_PF_PCI, NULL, STRV ("eth0", "eth1"), "first", NULL);
  assert_pf_no_match (sysfs, EXAMPLE_PF_PCI, "uplink",
                      "no netdev of PF 0000:01:00.0 matches the gateway selection rules uplink "
                      "(netdevs: eth0, eth1)");
}

static void
test_no_match (void)
{
  g_autoptr(DpugwSysfs) sysfs = NULL;
  g_autoptr(UMockdevTestbed) testbed = dpugw_test_testbed_new (&sysfs, SWITCHDEV, NULL);

  assert_pf_no_match (sysfs, SW_PF_PCI, "name=zz*",
                      "no netdev of PF 0000:3b:00.0 matches the gateway selection rules name=zz* "
                      "(netdevs: eth0, eth1, eth2, pf0)");
  /* The rules as normalised. */
  dpugw_test_remove (testbed, SW_NET "/pf0/phys_port_name");
  assert_pf_no_match (sysfs, SW_PF_PCI, " name=zz* ,  uplink",
                      "no netdev of PF 0000:3b:00.0 matches the gateway selection rules name=zz*,uplink "
                      "(netdevs: eth0, eth1, eth2, pf0)");

  /* Through the whole pipeline, from a VF. */
  {
    g_autoptr(DpugwConfig) config = config_with_select ("name=zz*");
    g_autoptr(GError) error = NULL;
    g_autoptr(DpugwResolution) r = dpugw_resolve (sysfs, config, "ens2f0v1", &error);

    g_assert_null (r);
    g_assert_error (error, DPUGW_ERROR, DPUGW_ERROR_NO_MATCH);
    g_assert_cmpstr (error->message, ==,
                     "no netdev of PF 0000:3b:00.0 matches the gateway selection rules name=zz* "
                     "(netdevs: eth0, eth1, eth2, pf0)");
  }
}

/* phys_port_name absent (no switchdev, EOPNOTSUPP) or unreadable: not an uplink, and no hint. */
static void
test_phys_port_name_absent (void)
{
  g_autoptr(DpugwSysfs) sysfs = NULL;
  g_autoptr(UMockdevTestbed) testbed = dpugw_test_testbed_new (&sysfs, SWITCHDEV, NULL);

  dpugw_test_remove (testbed, SW_NET "/pf0/phys_port_name");
  assert_pf_no_match (sysfs, SW_PF_PCI, "uplink",
                      "no netdev of PF 0000:3b:00.0 matches the gateway selection rules uplink "
                      "(netdevs: eth0, eth1, eth2, pf0)");
  /* eth0 still looks like a representor, but the PF has no uplink: no hint. */
  assert_pf_selects (sysfs, SW_PF_PCI, "uplink,first", STRV ("eth0", "eth1", "eth2", "pf0"), "first", NULL);
}

static void
test_phys_port_name_unreadable (void)
{
  g_autoptr(DpugwSysfs) sysfs = NULL;
  g_autoptr(UMockdevTestbed) testbed = dpugw_test_testbed_new (&sysfs, SWITCHDEV, NULL);

  /* A directory where the attribute should be: read() fails (EISDIR). */
  dpugw_test_remove (testbed, SW_NET "/pf0/phys_port_name");
  dpugw_test_mkdir (testbed, SW_NET "/pf0/phys_port_name");
  assert_pf_no_match (sysfs, SW_PF_PCI, "uplink",
                      "no netdev of PF 0000:3b:00.0 matches the gateway selection rules uplink "
                      "(netdevs: eth0, eth1, eth2, pf0)");
  assert_pf_selects (sysfs, SW_PF_PCI, NULL, STRV ("eth0", "eth1", "eth2", "pf0"), "first", NULL);

  /* eth0's unreadable: not a representor, so no hint although pf0 is an uplink again. */
  dpugw_test_remove (testbed, SW_NET "/pf0/phys_port_name");
  dpugw_test_write (testbed, SW_NET "/pf0/phys_port_name", "p0\n");
  dpugw_test_remove (testbed, SW_NET "/eth0/phys_port_name");
  dpugw_test_mkdir (testbed, SW_NET "/eth0/phys_port_name");
  assert_pf_selects (sysfs, SW_PF_PCI, NULL, STRV ("eth0", "eth1", "eth2", "pf0"), "first", NULL);
  assert_pf_selects (sysfs, SW_PF_PCI, "uplink", STRV ("pf0"), "uplink", NULL);
}

/* An attribute that is a symbolic link is not followed. */
static void
test_attribute_symlink (void)
{
  g_autoptr(DpugwSysfs) sysfs = NULL;
  g_autoptr(UMockdevTestbed) testbed = dpugw_test_testbed_new (&sysfs, SWITCHDEV, NULL);

  /* eth0's phys_port_name a link to pf0's ("p0"): eth0 is no uplink for that. */
  dpugw_test_remove (testbed, SW_NET "/eth0/phys_port_name");
  dpugw_test_symlink (testbed, "../pf0/phys_port_name", SW_NET "/eth0/phys_port_name");
  assert_pf_selects (sysfs, SW_PF_PCI, "uplink", STRV ("pf0"), "uplink", NULL);
  /* Nor, unread, a representor: no hint. */
  assert_pf_selects (sysfs, SW_PF_PCI, NULL, STRV ("eth0", "eth1", "eth2", "pf0"), "first", NULL);

  /* pf0's own a link to a file saying "p0": pf0 is no uplink. */
  dpugw_test_write (testbed, SW_NET "/pf0/port-name-copy", "p0\n");
  dpugw_test_remove (testbed, SW_NET "/pf0/phys_port_name");
  dpugw_test_symlink (testbed, "port-name-copy", SW_NET "/pf0/phys_port_name");
  assert_pf_no_match (sysfs, SW_PF_PCI, "uplink",
                      "no netdev of PF 0000:3b:00.0 matches the gateway selection rules uplink "
                      "(netdevs: eth0, eth1, eth2, pf0)");

  /* operstate likewise. */
  dpugw_test_write (testbed, SW_NET "/eth1/operstate", "down\n");
  dpugw_test_write (testbed, SW_NET "/eth2/operstate", "down\n");
  dpugw_test_write (testbed, SW_NET "/pf0/operstate", "down\n");
  dpugw_test_remove (testbed, SW_NET "/eth1/operstate");
  dpugw_test_symlink (testbed, "../eth0/operstate", SW_NET "/eth1/operstate");
  assert_pf_selects (sysfs, SW_PF_PCI, "up", STRV ("eth0"), "up", NULL);
}

/* The hint: only for `first`, only for a representor-looking first netdev, only with an uplink. */
static void
test_hint_shapes (void)
{
  g_autoptr(DpugwSysfs) sysfs = NULL;
  g_autoptr(UMockdevTestbed) testbed = dpugw_test_testbed_new (&sysfs, SWITCHDEV, NULL);

  dpugw_test_write (testbed, SW_NET "/eth0/phys_port_name", "c1pf0vf3\n");
  assert_pf_selects (sysfs, SW_PF_PCI, NULL, STRV ("eth0", "eth1", "eth2", "pf0"), "first",
                     "eth0 looks like a VF representor (phys_port_name c1pf0vf3); the PF's uplink is pf0 "
                     "(phys_port_name p0): consider --gateway-select=uplink");
  dpugw_test_write (testbed, SW_NET "/eth0/phys_port_name", "pf12vf345\n");
  dpugw_test_write (testbed, SW_NET "/pf0/phys_port_name", "p7\n");
  assert_pf_selects (sysfs, SW_PF_PCI, NULL, STRV ("eth0", "eth1", "eth2", "pf0"), "first",
                     "eth0 looks like a VF representor (phys_port_name pf12vf345); the PF's uplink is pf0 "
                     "(phys_port_name p7): consider --gateway-select=uplink");
  /* The first uplink in order is named. */
  dpugw_test_write (testbed, SW_NET "/eth2/phys_port_name", "p1\n");
  assert_pf_selects (sysfs, SW_PF_PCI, NULL, STRV ("eth0", "eth1", "eth2", "pf0"), "first",
                     "eth0 looks like a VF representor (phys_port_name pf12vf345); the PF's uplink is eth2 "
                     "(phys_port_name p1): consider --gateway-select=uplink");
  dpugw_test_write (testbed, SW_NET "/eth2/phys_port_name", "pf0vf2\n");

  /* Not representor shapes: no hint (pfN, pfNsfM and pfNhpf are: /select/rule/first-hint-representors). */
  {
    const char *shapes[] = { "pf0vf\n", "pfvf0\n", "pf0vf0x\n", "c1\n", "cpf0vf0\n", "p0\n", "pf0sf\n", "pf0hpf1\n",
                             "pfhpf\n" };
    for (gsize i = 0; i < G_N_ELEMENTS (shapes); i++)
      {
        g_test_message ("eth0 phys_port_name %s", shapes[i]);
        dpugw_test_write (testbed, SW_NET "/eth0/phys_port_name", shapes[i]);
        assert_pf_selects (sysfs, SW_PF_PCI, NULL, STRV ("eth0", "eth1", "eth2", "pf0"), "first", NULL);
      }
  }

  /* A representor first, but chosen by a name rule: no hint. */
  dpugw_test_write (testbed, SW_NET "/eth0/phys_port_name", "pf0vf0\n");
  assert_pf_selects (sysfs, SW_PF_PCI, "name=eth0", STRV ("eth0"), "name=eth0", NULL);
  assert_pf_selects (sysfs, SW_PF_PCI, "up", STRV ("eth0", "eth1", "eth2", "pf0"), "up", NULL);
}

/* ===========================================================================
 * The whole pipeline with a configuration
 * ======================================================================== */

static void
assert_uplink_via_vf (const DpugwResolution *r, DpugwSource source)
{
  g_assert_nonnull (r);
  g_assert_cmpstr (r->interface, ==, "pf0");
  g_assert_cmpstrv (r->interfaces, STRV ("pf0"));
  g_assert_cmpstr (r->selected_by, ==, "uplink");
  g_assert_null (r->hint);
  g_assert_cmpstr (r->mgmt_port, ==, "ens2f0v1");
  g_assert_cmpstr (r->vf_pci, ==, "0000:3b:00.3");
  g_assert_cmpstr (r->pf_pci, ==, SW_PF_PCI);
  g_assert_cmpstrv (r->candidates, STRV ("eth0", "eth1", "eth2", "pf0"));
  g_assert_cmpstr (r->function_type, ==, "vf");
  g_assert_null (r->sf);
  g_assert_cmpint (r->source, ==, source);
}

static void
test_config_flag (void)
{
  g_autoptr(DpugwSysfs) sysfs = NULL;
  g_autoptr(UMockdevTestbed) testbed = dpugw_test_testbed_new (&sysfs, SWITCHDEV, NULL);
  const DpugwConfigFlags flags = {
    .mode = "dpu-host",
    .mgmt_port_netdev = "ens2f0v1",
    .gateway_interface = DPUGW_DERIVE_FROM_MGMT_PORT,
    .gateway_select = "uplink",
    .config_file = "",
  };
  const char *envp[] = { NULL };
  g_autoptr(DpugwConfig) config = config_load_ok (&flags, envp);
  g_autoptr(GError) error = NULL;
  g_autoptr(DpugwResolution) configured = NULL;
  g_autoptr(DpugwResolution) named = NULL;

  g_assert_cmpstr (config->gateway_select, ==, "uplink");

  configured = dpugw_resolve (sysfs, config, NULL, &error);
  g_assert_no_error (error);
  assert_uplink_via_vf (configured, DPUGW_SOURCE_DERIVED);

  named = dpugw_resolve (sysfs, config, "ens2f0v1", &error);
  g_assert_no_error (error);
  assert_uplink_via_vf (named, DPUGW_SOURCE_DERIVED);

  /* The parsed rules are there, never NULL, after dpugw_config_finish. */
  g_assert_nonnull (config->select);
  g_assert_cmpstr (dpugw_select_to_string (config->select), ==, "uplink");
  g_assert_false (dpugw_select_uses_operstate (config->select));

  /* A copy carries them. */
  {
    g_autoptr(DpugwConfig) copy = dpugw_config_copy (config);
    g_autoptr(DpugwResolution) r = dpugw_resolve (sysfs, copy, NULL, &error);

    g_assert_no_error (error);
    g_assert_nonnull (copy->select);
    g_assert_cmpstr (dpugw_select_to_string (copy->select), ==, "uplink");
    assert_uplink_via_vf (r, DPUGW_SOURCE_DERIVED);
  }
}

/* Without a --gateway-select, the default rule "first", never NULL. */
static void
test_config_default (void)
{
  g_autoptr(DpugwSysfs) sysfs = NULL;
  g_autoptr(UMockdevTestbed) testbed = dpugw_test_testbed_new (&sysfs, SWITCHDEV, NULL);
  const DpugwConfigFlags flags = { .config_file = "" };
  const char *envp[] = { NULL };
  g_autoptr(DpugwConfig) config = config_load_ok (&flags, envp);
  g_autoptr(GError) error = NULL;
  g_autoptr(DpugwResolution) r = dpugw_resolve (sysfs, config, "ens2f0v1", &error);

  g_assert_no_error (error);
  g_assert_null (config->gateway_select);
  g_assert_nonnull (config->select);
  g_assert_cmpstr (dpugw_select_to_string (config->select), ==, "first");
  g_assert_cmpstr (r->interface, ==, "eth0");
  g_assert_cmpstr (r->selected_by, ==, "first");
  g_assert_cmpstr (r->hint, ==, SWITCHDEV_HINT);
}

static void
test_config_ini (void)
{
  g_autoptr(DpugwSysfs) sysfs = NULL;
  g_autoptr(UMockdevTestbed) testbed = dpugw_test_testbed_new (&sysfs, SWITCHDEV, NULL);
  g_autofree char *path = write_temp_config ("[default]\nmtu=1400\n\n"
                                             "[OvnKubeNode]\nmode=dpu-host\nmgmt-port-netdev=ens2f0v1\n\n"
                                             "[Gateway]\ninterface=derive-from-mgmt-port\nselect = uplink, first\n");
  const DpugwConfigFlags flags = { .config_file = path };
  const char *envp[] = { NULL };
  g_autoptr(DpugwConfig) config = config_load_ok (&flags, envp);
  g_autoptr(GError) error = NULL;
  g_autoptr(DpugwResolution) r = NULL;

  g_assert_cmpstr (config->config_file, ==, path);
  g_assert_cmpint (config->mode, ==, DPUGW_NODE_MODE_DPU_HOST);
  r = dpugw_resolve (sysfs, config, NULL, &error);
  g_assert_no_error (error);
  assert_uplink_via_vf (r, DPUGW_SOURCE_DERIVED);
  g_assert_nonnull (config->select);
  g_assert_cmpstr (dpugw_select_to_string (config->select), ==, "uplink,first");

  /* The flag wins over the file. */
  {
    const DpugwConfigFlags flags2 = { .config_file = path, .gateway_select = "name=eth1" };
    g_autoptr(DpugwConfig) config2 = config_load_ok (&flags2, envp);
    g_autoptr(DpugwResolution) r2 = dpugw_resolve (sysfs, config2, NULL, &error);

    g_assert_no_error (error);
    g_assert_cmpstr (config2->gateway_select, ==, "name=eth1");
    g_assert_cmpstr (r2->interface, ==, "eth1");
    g_assert_cmpstrv (r2->interfaces, STRV ("eth1"));
    g_assert_cmpstr (r2->selected_by, ==, "name=eth1");
  }
  g_unlink (path);
}

static void
test_config_invalid (void)
{
  g_autofree char *path = write_temp_config ("[OvnKubeNode]\nmode=dpu-host\n\n[Gateway]\nselect = uplink, bogus\n");
  const char *envp[] = { NULL };

  {
    const DpugwConfigFlags flags = { .config_file = path };
    g_autoptr(GError) error = NULL;
    g_autoptr(DpugwConfig) config = dpugw_config_load (&flags, envp, NULL, &error);
    g_autofree char *expected = g_strdup_printf (RULE_ERROR ("\"bogus\"") " (from %s:5)", path);

    g_assert_null (config);
    g_assert_error (error, DPUGW_ERROR, DPUGW_ERROR_INVALID_CONFIG);
    g_assert_cmpstr (error->message, ==, expected);
  }
  {
    /* A valid flag does not save an invalid file: the file is read first. */
    const DpugwConfigFlags flags = { .config_file = path, .gateway_select = "uplink" };
    g_autoptr(GError) error = NULL;
    g_autoptr(DpugwConfig) config = dpugw_config_load (&flags, envp, NULL, &error);

    g_assert_null (config);
    g_assert_error (error, DPUGW_ERROR, DPUGW_ERROR_INVALID_CONFIG);
  }
  {
    const DpugwConfigFlags flags = { .config_file = "", .gateway_select = "up,,first" };
    g_autoptr(GError) error = NULL;
    g_autoptr(DpugwConfig) config = dpugw_config_load (&flags, envp, NULL, &error);

    g_assert_null (config);
    g_assert_error (error, DPUGW_ERROR, DPUGW_ERROR_INVALID_CONFIG);
    g_assert_cmpstr (error->message, ==, RULE_ERROR ("\"\"") " (from --gateway-select)");
  }
  {
    /* Set by hand, checked by dpugw_config_finish. */
    g_autoptr(DpugwConfig) config = dpugw_config_new ();
    g_autoptr(GError) error = NULL;

    config->gateway_select = g_strdup ("name=a b");
    g_assert_false (dpugw_config_finish (config, envp, &error));
    g_assert_error (error, DPUGW_ERROR, DPUGW_ERROR_INVALID_CONFIG);
    g_assert_cmpstr (error->message, ==, RULE_ERROR ("\"name=a b\"") " (from the configuration)");
  }
  g_unlink (path);
}

/* dpugw_config_finish twice: the rules of the second call, nothing leaked (valgrind). */
static void
test_config_finish_twice (void)
{
  g_autoptr(DpugwConfig) config = dpugw_config_new ();
  g_autoptr(GError) error = NULL;
  const char *envp[] = { NULL };

  config->gateway_select = g_strdup ("uplink");
  g_assert_true (dpugw_config_finish (config, envp, &error));
  g_assert_no_error (error);
  g_assert_nonnull (config->select);
  g_assert_cmpstr (dpugw_select_to_string (config->select), ==, "uplink");

  g_free (config->gateway_select);
  config->gateway_select = g_strdup ("up , first");
  g_assert_true (dpugw_config_finish (config, envp, &error));
  g_assert_no_error (error);
  g_assert_nonnull (config->select);
  g_assert_cmpstr (dpugw_select_to_string (config->select), ==, "up,first");
  g_assert_true (dpugw_select_uses_operstate (config->select));
}

/* ===========================================================================
 * Scalable functions
 * ======================================================================== */

static void
test_sf_netdev (void)
{
  g_autoptr(DpugwSysfs) sysfs = NULL;
  g_autoptr(UMockdevTestbed) testbed = dpugw_test_testbed_new (&sysfs, SF, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(DpugwResolution) r = dpugw_resolve (sysfs, NULL, "en3f0pf0sf88", &error);

  g_assert_no_error (error);
  assert_sf_resolution (r, "first", STRV ("p0", "pf0hpf", "pf0vf0"));
  g_assert_cmpint (r->source, ==, DPUGW_SOURCE_DERIVED);

  /* The SF's PCI function is its PF. */
  {
    g_autofree char *pci = dpugw_pci_from_netdev (sysfs, "en3f0pf0sf88", &error);
    g_assert_no_error (error);
    g_assert_cmpstr (pci, ==, SF_PF_PCI);
  }
}

static void
test_sf_uplink (void)
{
  g_autoptr(DpugwSysfs) sysfs = NULL;
  g_autoptr(UMockdevTestbed) testbed = dpugw_test_testbed_new (&sysfs, SF, NULL);
  g_autoptr(GError) error = NULL;

  /* The rules set by hand. */
  {
    g_autoptr(DpugwConfig) config = config_with_select ("uplink");
    g_autoptr(DpugwResolution) r = dpugw_resolve (sysfs, config, "en3f0pf0sf88", &error);

    g_assert_no_error (error);
    assert_sf_resolution (r, "uplink", STRV ("p0"));
  }
  /* The same through dpugw_config_load. */
  {
    const DpugwConfigFlags flags = { .config_file = "", .gateway_select = "uplink" };
    const char *envp[] = { NULL };
    g_autoptr(DpugwConfig) config = config_load_ok (&flags, envp);
    g_autoptr(DpugwResolution) r = dpugw_resolve (sysfs, config, "en3f0pf0sf88", &error);

    g_assert_no_error (error);
    assert_sf_resolution (r, "uplink", STRV ("p0"));
  }
  /* The host PF representor (pf0) is no uplink, nor a VF representor. */
  {
    g_autoptr(DpugwConfig) config = config_with_select ("name=pf*");
    g_autoptr(DpugwResolution) r = dpugw_resolve (sysfs, config, "en3f0pf0sf88", &error);

    g_assert_no_error (error);
    g_assert_cmpstrv (r->interfaces, STRV ("pf0hpf", "pf0vf0"));
    g_assert_cmpstr (r->selected_by, ==, "name=pf*");
  }
}

static void
test_sf_function (void)
{
  g_autoptr(DpugwSysfs) sysfs = NULL;
  g_autoptr(UMockdevTestbed) testbed = dpugw_test_testbed_new (&sysfs, SF, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(DpugwResolution) r = NULL;
  g_autoptr(DpugwResolution) via_netdev = NULL;

  add_sf_aux_link (testbed);
  r = dpugw_resolve_function (sysfs, NULL, "mlx5_core.sf.2", &error);
  g_assert_no_error (error);
  assert_sf_resolution (r, "first", STRV ("p0", "pf0hpf", "pf0vf0"));
  g_assert_cmpint (r->source, ==, DPUGW_SOURCE_DERIVED);

  via_netdev = dpugw_resolve (sysfs, NULL, "en3f0pf0sf88", &error);
  g_assert_no_error (error);
  g_assert_true (dpugw_resolution_equal (r, via_netdev));

  /* An SF without a netdev: mgmt_port "". */
  dpugw_test_remove (testbed, "class/net/en3f0pf0sf88");
  {
    g_autofree char *dir = dpugw_test_path (testbed, SF_PF "/mlx5_core.sf.2/net");
    g_autofree char *new_dir = dpugw_test_path (testbed, SF_PF "/mlx5_core.sf.2/net-gone");
    g_autoptr(DpugwResolution) bare = NULL;

    g_assert_cmpint (g_rename (dir, new_dir), ==, 0);
    bare = dpugw_resolve_function (sysfs, NULL, "mlx5_core.sf.2", &error);
    g_assert_no_error (error);
    g_assert_cmpstr (bare->mgmt_port, ==, "");
    g_assert_cmpstr (bare->sf, ==, "mlx5_core.sf.2");
    g_assert_cmpstr (bare->interface, ==, "p0");
  }
}

static void
test_sf_function_vf (void)
{
  g_autoptr(DpugwSysfs) sysfs = NULL;
  g_autoptr(UMockdevTestbed) testbed = dpugw_test_testbed_new (&sysfs, SWITCHDEV, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(DpugwConfig) config = config_with_select ("uplink");
  g_autoptr(DpugwResolution) r = dpugw_resolve_function (sysfs, config, "0000:3B:00.3", &error);

  g_assert_no_error (error);
  assert_uplink_via_vf (r, DPUGW_SOURCE_DERIVED);
  g_assert_cmpstr (dpugw_resolution_function (r), ==, "0000:3b:00.3");
}

static void
test_sf_function_missing (void)
{
  g_autoptr(DpugwSysfs) sysfs = NULL;
  g_autoptr(UMockdevTestbed) testbed = dpugw_test_testbed_new (&sysfs, SF, NULL);

  {
    /* No bus/auxiliary/devices link (as umockdev leaves it). */
    g_autoptr(GError) error = NULL;
    g_autoptr(DpugwResolution) r = dpugw_resolve_function (sysfs, NULL, "mlx5_core.sf.2", &error);

    g_assert_null (r);
    g_assert_error (error, DPUGW_ERROR, DPUGW_ERROR_PCI_ADDRESS);
    g_assert_true (g_str_has_prefix (error->message,
                                     "failed to get PCI address: no auxiliary device mlx5_core.sf.2 ("));
  }
  add_sf_aux_link (testbed);
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(DpugwResolution) r = dpugw_resolve_function (sysfs, NULL, "mlx5_core.sf.3", &error);

    g_assert_null (r);
    g_assert_error (error, DPUGW_ERROR, DPUGW_ERROR_PCI_ADDRESS);
    assert_message (error, sysfs,
                    "failed to get PCI address: no auxiliary device mlx5_core.sf.3 "
                    "({R}/bus/auxiliary/devices/mlx5_core.sf.3: No such file or directory)");
  }
  {
    /* An auxiliary device outside any PCI function. */
    g_autoptr(GError) error = NULL;
    g_autoptr(DpugwResolution) r = NULL;

    dpugw_test_mkdir (testbed, "devices/virtual/aux/foo.bar.1");
    dpugw_test_symlink (testbed, "../../../devices/virtual/aux/foo.bar.1", "bus/auxiliary/devices/foo.bar.1");
    r = dpugw_resolve_function (sysfs, NULL, "foo.bar.1", &error);
    g_assert_null (r);
    g_assert_error (error, DPUGW_ERROR, DPUGW_ERROR_PF_PCI_ADDRESS);
    g_assert_cmpstr (error->message, ==,
                     "failed to get PF PCI address: the auxiliary device foo.bar.1 has no PCI parent");
  }
}

static void
test_sf_function_invalid (void)
{
  g_autoptr(DpugwSysfs) sysfs = NULL;
  g_autoptr(UMockdevTestbed) testbed = dpugw_test_testbed_new (&sysfs, SF, NULL);
  /* NULL too: quoted as (null). */
  const char *names[] = { "", "sf", "a..b.1", "a.b.c", "../x.y.1", "mlx5_core.sf.2/x", "mlx5_core sf.2", NULL };

  add_sf_aux_link (testbed);
  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(DpugwResolution) r = dpugw_resolve_function (sysfs, NULL, names[i], &error);
      g_autofree char *quoted = dpugw_quote_untrusted (names[i]);
      g_autofree char *expected = g_strdup_printf ("invalid management function %s: expected a VF PCI address "
                                                   "(DDDD:BB:DD.F) or an auxiliary device name (mlx5_core.sf.N)",
                                                   quoted);

      g_test_message ("function %s", quoted);
      g_assert_null (r);
      g_assert_error (error, DPUGW_ERROR, DPUGW_ERROR_INVALID_ARGUMENT);
      g_assert_cmpstr (error->message, ==, expected);
    }
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(DpugwResolution) r = dpugw_resolve_function (sysfs, NULL, "0000:03:00.9", &error);

    g_assert_null (r);
    g_assert_error (error, DPUGW_ERROR, DPUGW_ERROR_INVALID_ARGUMENT);
  }
}

static void
test_auxiliary_name_is_valid (void)
{
  g_autofree char *x60 = g_strnfill (60, 'x');
  g_autofree char *x61 = g_strnfill (61, 'x');
  g_autofree char *len64 = g_strconcat (x60, ".s.1", NULL);
  g_autofree char *len65 = g_strconcat (x61, ".s.1", NULL);
  const char *valid[] = { "mlx5_core.sf.2", "mlx5_core.sf.123", "a.b.1", "mlx5-core.eth.0", "a.b.c.7", len64 };
  const char *invalid[] = { "", "sf", "a..b.1", "a.b.c", "../x.y.1", len65, "a.b.", ".a.b.1", "a.1",
                            "mlx5_core.sf.2 ", "a/b.c.1", "mlx5_core.sf.-1", "a.b.1\n", "mlx5_core.sf.2:0" };

  g_assert_cmpuint (strlen (len64), ==, 64);
  g_assert_cmpuint (strlen (len65), ==, 65);
  for (gsize i = 0; i < G_N_ELEMENTS (valid); i++)
    {
      g_test_message ("valid %s", valid[i]);
      g_assert_true (dpugw_auxiliary_name_is_valid (valid[i]));
    }
  for (gsize i = 0; i < G_N_ELEMENTS (invalid); i++)
    {
      g_test_message ("invalid %s", invalid[i]);
      g_assert_false (dpugw_auxiliary_name_is_valid (invalid[i]));
    }
  g_assert_false (dpugw_auxiliary_name_is_valid (NULL));
}

/* ===========================================================================
 * The device plugin's SF pools
 * ======================================================================== */

static const char *sf_pool_env[] = {
  "PCIDEVICE_NVIDIA_COM_SF_POOL=mlx5_core.sf.2,mlx5_core.sf.3",
  NULL
};

static DpugwConfig *
sf_pool_config (void)
{
  const DpugwConfigFlags flags = {
    .mode = "dpu-host",
    .mgmt_port_dp_resource_name = "nvidia.com/sf_pool",
    .gateway_interface = DPUGW_DERIVE_FROM_MGMT_PORT,
    .config_file = "",
  };

  return config_load_ok (&flags, sf_pool_env);
}

static void
test_device_plugin_sf_config (void)
{
  g_autoptr(DpugwConfig) config = sf_pool_config ();

  g_assert_cmpint (config->mgmt_source, ==, DPUGW_MGMT_SOURCE_DEVICE_PLUGIN);
  g_assert_cmpstr (config->mgmt_port_sf, ==, "mlx5_core.sf.2");
  g_assert_null (config->mgmt_port_vf_pci);
  g_assert_cmpstr (config->device_plugin_variable, ==, "PCIDEVICE_NVIDIA_COM_SF_POOL");
  g_assert_cmpuint (config->warnings->len, ==, 0);

  {
    g_autoptr(DpugwConfig) copy = dpugw_config_copy (config);
    g_assert_cmpstr (copy->mgmt_port_sf, ==, "mlx5_core.sf.2");
    g_assert_cmpint (copy->mgmt_source, ==, DPUGW_MGMT_SOURCE_DEVICE_PLUGIN);
  }
  {
    g_autoptr(GError) error = NULL;
    g_auto(GStrv) devices = dpugw_device_plugin_parse (" mlx5_core.sf.2 , 0000:03:00.2,mlx5_core.sf.10", &error);

    g_assert_no_error (error);
    g_assert_cmpstrv (devices, STRV ("mlx5_core.sf.2", "0000:03:00.2", "mlx5_core.sf.10"));
  }
  {
    g_autoptr(GError) error = NULL;
    g_auto(GStrv) devices = dpugw_device_plugin_parse ("mlx5_core.sf.x", &error);

    g_assert_null (devices);
    g_assert_error (error, DPUGW_ERROR, DPUGW_ERROR_INVALID_CONFIG);
  }
  {
    /* A VF first: the VF. */
    const DpugwConfigFlags flags = { .mode = "dpu-host", .mgmt_port_dp_resource_name = "nvidia.com/sf_pool",
                                     .config_file = "" };
    const char *envp[] = { "PCIDEVICE_NVIDIA_COM_SF_POOL=0000:03:00.2,mlx5_core.sf.2", NULL };
    g_autoptr(DpugwConfig) mixed = config_load_ok (&flags, envp);

    g_assert_cmpstr (mixed->mgmt_port_vf_pci, ==, "0000:03:00.2");
    g_assert_null (mixed->mgmt_port_sf);
  }
}

static void
test_device_plugin_sf_resolve (void)
{
  g_autoptr(DpugwSysfs) sysfs = NULL;
  g_autoptr(UMockdevTestbed) testbed = dpugw_test_testbed_new (&sysfs, SF, NULL);
  g_autoptr(DpugwConfig) config = sf_pool_config ();
  g_autoptr(GError) error = NULL;
  g_autoptr(DpugwResolution) r = NULL;

  add_sf_aux_link (testbed);
  r = dpugw_resolve (sysfs, config, NULL, &error);
  g_assert_no_error (error);
  assert_sf_resolution (r, "first", STRV ("p0", "pf0hpf", "pf0vf0"));
  g_assert_cmpint (r->source, ==, DPUGW_SOURCE_DEVICE_PLUGIN);
  g_assert_cmpstr (dpugw_source_to_string (r->source), ==, "device-plugin");
}

/* The pool's SF without its auxiliary device: the documented PCI address error. */
static void
test_device_plugin_sf_missing (void)
{
  g_autoptr(DpugwSysfs) sysfs = NULL;
  g_autoptr(UMockdevTestbed) testbed = dpugw_test_testbed_new (&sysfs, SF, NULL);
  g_autoptr(DpugwConfig) config = sf_pool_config ();
  g_autoptr(GError) error = NULL;
  g_autoptr(DpugwResolution) r = NULL;

  dpugw_test_mkdir (testbed, "bus/auxiliary/devices");
  r = dpugw_resolve (sysfs, config, NULL, &error);
  g_assert_null (r);
  g_assert_error (error, DPUGW_ERROR, DPUGW_ERROR_PCI_ADDRESS);
  assert_message (error, sysfs,
                  "failed to get PCI address: no auxiliary device mlx5_core.sf.2 "
                  "({R}/bus/auxiliary/devices/mlx5_core.sf.2: No such file or directory)");
}

/* ===========================================================================
 * Not a VF: what the management port is instead
 * ======================================================================== */

static void
assert_pf_pci_error (DpugwSysfs *sysfs, const char *port, const char *message)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DpugwResolution) r = dpugw_resolve (sysfs, NULL, port, &error);

  g_assert_null (r);
  g_assert_error (error, DPUGW_ERROR, DPUGW_ERROR_PF_PCI_ADDRESS);
  g_assert_cmpstr (error->message, ==, message);
}

#define EXAMPLE_PF_MESSAGE                                                                         \
  "failed to get PF PCI address: 0000:01:00.0 is not a virtual function (no physfn link): it is " \
  "an SR-IOV physical function (2 of 8 VFs enabled); use one of its VFs as the management port"

static void
test_not_vf_pf (void)
{
  g_autoptr(DpugwSysfs) sysfs = NULL;
  g_autoptr(UMockdevTestbed) testbed = dpugw_test_testbed_new (&sysfs, EXAMPLE, NULL);

  assert_pf_pci_error (sysfs, "eth0", EXAMPLE_PF_MESSAGE);
  assert_pf_pci_error (sysfs, "eth1", EXAMPLE_PF_MESSAGE);
  assert_pf_pci_error (sysfs, EXAMPLE_PF_PCI, EXAMPLE_PF_MESSAGE);
  {
    g_autoptr(GError) error = NULL;
    g_autofree char *pf = dpugw_pf_pci_from_vf_pci (sysfs, EXAMPLE_PF_PCI, &error);

    g_assert_null (pf);
    g_assert_error (error, DPUGW_ERROR, DPUGW_ERROR_PF_PCI_ADDRESS);
    g_assert_cmpstr (error->message, ==, EXAMPLE_PF_MESSAGE);
  }

  /* No sriov_numvfs: none enabled. */
  dpugw_test_remove (testbed, "devices/pci0000:00/0000:00:02.0/0000:01:00.0/sriov_numvfs");
  assert_pf_pci_error (sysfs, "eth0",
                       "failed to get PF PCI address: 0000:01:00.0 is not a virtual function (no physfn link): "
                       "it is an SR-IOV physical function (0 of 8 VFs enabled); use one of its VFs as the "
                       "management port");
  /* sriov_totalvfs unreadable as a number: not said to be a PF. */
  dpugw_test_write (testbed, "devices/pci0000:00/0000:00:02.0/0000:01:00.0/sriov_totalvfs", "many\n");
  assert_pf_pci_error (sysfs, "eth0",
                       "failed to get PF PCI address: 0000:01:00.0 is not a virtual function (no physfn link): "
                       "it is a PCI function without SR-IOV (driver mlx5_core)");
}

static void
test_not_vf_virtio (void)
{
  g_autoptr(DpugwSysfs) sysfs = NULL;
  g_autoptr(UMockdevTestbed) testbed = dpugw_test_testbed_new (&sysfs, VIRTIO, NULL);

  assert_pf_pci_error (sysfs, "ens3",
                       "failed to get PF PCI address: 0000:00:03.0 is not a virtual function (no physfn link): "
                       "it is a virtio device (driver virtio-pci), which has no SR-IOV physical function");
}

static void
test_not_vf_other_driver (void)
{
  g_autoptr(DpugwSysfs) sysfs = NULL;
  g_autoptr(UMockdevTestbed) testbed = dpugw_test_testbed_new (&sysfs, VIRTIO, NULL);

  dpugw_test_remove (testbed, VIRTIO_PCI "/driver");
  dpugw_test_symlink (testbed, "../../../bus/pci/drivers/e1000e", VIRTIO_PCI "/driver");
  assert_pf_pci_error (sysfs, "ens3",
                       "failed to get PF PCI address: 0000:00:03.0 is not a virtual function (no physfn link): "
                       "it is a PCI function without SR-IOV (driver e1000e)");

  /* A driver name that is no plausible name is not repeated. */
  dpugw_test_remove (testbed, VIRTIO_PCI "/driver");
  dpugw_test_symlink (testbed, "../../../bus/pci/drivers/a driver\033[31m", VIRTIO_PCI "/driver");
  assert_pf_pci_error (sysfs, "ens3",
                       "failed to get PF PCI address: 0000:00:03.0 is not a virtual function (no physfn link): "
                       "it is a PCI function without SR-IOV");

  /* No driver bound. */
  dpugw_test_remove (testbed, VIRTIO_PCI "/driver");
  assert_pf_pci_error (sysfs, "ens3",
                       "failed to get PF PCI address: 0000:00:03.0 is not a virtual function (no physfn link): "
                       "it is a PCI function without SR-IOV");
}

/* ===========================================================================
 * dpugw_resolve_pf; dpugw_resolution_copy and _equal
 * ======================================================================== */

static void
test_resolve_pf (void)
{
  g_autoptr(DpugwSysfs) sysfs = NULL;
  g_autoptr(UMockdevTestbed) testbed = dpugw_test_testbed_new (&sysfs, SWITCHDEV, SF, NULL);

  {
    g_autoptr(DpugwResolution) r = pf_ok (sysfs, "0000:3B:00.0", "uplink");

    g_assert_cmpstr (r->pf_pci, ==, SW_PF_PCI);
    g_assert_cmpstr (r->interface, ==, "pf0");
    g_assert_cmpstr (r->mgmt_port, ==, "");
    g_assert_cmpstr (r->vf_pci, ==, "");
    g_assert_cmpstr (r->function_type, ==, "");
    g_assert_null (r->sf);
    g_assert_null (r->hint);
    g_assert_cmpint (r->source, ==, DPUGW_SOURCE_DERIVED);
    g_assert_cmpstr (dpugw_resolution_function (r), ==, "");
  }
  {
    g_autoptr(DpugwResolution) r = pf_ok (sysfs, SF_PF_PCI, NULL);

    g_assert_cmpstrv (r->candidates, STRV ("p0", "pf0hpf", "pf0vf0"));
    g_assert_cmpstrv (r->interfaces, STRV ("p0", "pf0hpf", "pf0vf0"));
    g_assert_cmpstr (r->selected_by, ==, "first");
    g_assert_null (r->hint);
  }
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(DpugwResolution) r = dpugw_resolve_pf (sysfs, NULL, "0000:3b:00", &error);

    g_assert_null (r);
    g_assert_error (error, DPUGW_ERROR, DPUGW_ERROR_INVALID_ARGUMENT);
  }
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(DpugwResolution) r = dpugw_resolve_pf (sysfs, NULL, "0000:3b:00.7", &error);

    g_assert_null (r);
    g_assert_error (error, DPUGW_ERROR, DPUGW_ERROR_NETDEV_DISCOVERY);
  }
  {
    /* A VF's netdevs, asked as a PF's: what the rules say of them. */
    g_autoptr(DpugwResolution) r = pf_ok (sysfs, "0000:3b:00.3", NULL);

    g_assert_cmpstrv (r->interfaces, STRV ("ens2f0v1"));
    g_assert_null (r->hint);
  }
}

static void
test_resolution_copy_equal (void)
{
  g_autoptr(DpugwSysfs) sysfs = NULL;
  g_autoptr(UMockdevTestbed) testbed = dpugw_test_testbed_new (&sysfs, SWITCHDEV, SF, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(DpugwResolution) vf = dpugw_resolve (sysfs, NULL, "ens2f0v1", &error);
  g_autoptr(DpugwResolution) sf = NULL;

  g_assert_no_error (error);
  sf = dpugw_resolve (sysfs, NULL, "en3f0pf0sf88", &error);
  g_assert_no_error (error);
  g_assert_nonnull (vf->hint);

  for (guint which = 0; which < 2; which++)
    {
      DpugwResolution *orig = which == 0 ? vf : sf;
      g_autoptr(DpugwResolution) copy = dpugw_resolution_copy (orig);

      g_assert_true (copy != orig);
      g_assert_true (dpugw_resolution_equal (orig, copy));
      g_assert_cmpstrv (copy->interfaces, orig->interfaces);
      g_assert_true (copy->interfaces != orig->interfaces);
      g_assert_cmpstr (copy->selected_by, ==, orig->selected_by);
      g_assert_cmpstr (copy->hint, ==, orig->hint);
      g_assert_cmpstr (copy->function_type, ==, orig->function_type);
      g_assert_cmpstr (copy->sf, ==, orig->sf);
      if (orig->hint != NULL)
        g_assert_true (copy->hint != orig->hint);

#define CHANGE_STR(field, value)                                  \
  G_STMT_START {                                                  \
    char *saved_ = copy->field;                                   \
    copy->field = (value);                                        \
    g_assert_false (dpugw_resolution_equal (orig, copy));         \
    g_assert_false (dpugw_resolution_equal (copy, orig));         \
    copy->field = saved_;                                         \
    g_assert_true (dpugw_resolution_equal (orig, copy));          \
  } G_STMT_END

      CHANGE_STR (selected_by, (char *) "uplink");
      CHANGE_STR (selected_by, NULL);
      CHANGE_STR (hint, (char *) (orig->hint != NULL ? "other advice" : "advice"));
      CHANGE_STR (function_type, (char *) (which == 0 ? "sf" : "vf"));
      CHANGE_STR (sf, (char *) (orig->sf != NULL ? "mlx5_core.sf.3" : "mlx5_core.sf.2"));
      if (orig->hint != NULL)
        CHANGE_STR (hint, NULL);
      if (orig->sf != NULL)
        CHANGE_STR (sf, NULL);
#undef CHANGE_STR

      {
        char **saved = copy->interfaces;
        char *shorter[] = { orig->interfaces[0], NULL };
        char *other[] = { (char *) "zz0", NULL };

        copy->interfaces = shorter;
        g_assert_false (dpugw_resolution_equal (orig, copy));
        copy->interfaces = other;
        g_assert_false (dpugw_resolution_equal (orig, copy));
        copy->interfaces = NULL;
        g_assert_false (dpugw_resolution_equal (orig, copy));
        g_assert_false (dpugw_resolution_equal (copy, orig));
        copy->interfaces = saved;
        g_assert_true (dpugw_resolution_equal (orig, copy));
      }
    }

  g_assert_false (dpugw_resolution_equal (vf, sf));
  g_assert_true (dpugw_resolution_equal (NULL, NULL));
  g_assert_false (dpugw_resolution_equal (vf, NULL));

  /* Both without interfaces: equal. */
  {
    g_autoptr(DpugwResolution) a = dpugw_resolution_copy (sf);
    g_autoptr(DpugwResolution) b = dpugw_resolution_copy (sf);

    g_clear_pointer (&a->interfaces, g_strfreev);
    g_clear_pointer (&b->interfaces, g_strfreev);
    g_assert_true (dpugw_resolution_equal (a, b));
    {
      g_autoptr(DpugwResolution) c = dpugw_resolution_copy (a);
      g_assert_null (c->interfaces);
      g_assert_true (dpugw_resolution_equal (a, c));
    }
  }
}

/* ===========================================================================
 * Over D-Bus: the real daemon on a private bus
 * ======================================================================== */

#define BUS_IFACE DPUGW_TEST_IFACE

/* dpu-gatewayd --sysfs-root ROOT --config-file= @args on the test's bus; returns once it owns the name. */
static void
daemon_start (DpugwTestBus *f, const char * const *args)
{
  g_autoptr(GStrvBuilder) argv = g_strv_builder_new ();
  g_auto(GStrv) all = NULL;

  g_strv_builder_add (argv, "--config-file=");
  if (args != NULL)
    g_strv_builder_addv (argv, (const char **) args);
  all = g_strv_builder_end (argv);
  DPUGW_TEST_START (f, .args = (const char * const *) all);
}

static void
test_dbus_resolve_all_first (DpugwTestBus *f)
{
  daemon_start (f, NULL);
  dpugw_test_wait_ready (f);

  for (guint round = 0; round < 2; round++) /* computed, then from the cache */
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GVariant) reply = dpugw_test_call (f, BUS_IFACE, "ResolveAll", g_variant_new ("(s)", "ens2f0v1"), "(asa{sv})", &error);
      g_autofree const char **interfaces = NULL;
      g_autoptr(GVariant) details = NULL;
      gboolean cached;

      g_assert_no_error (error);
      g_variant_get (reply, "(^a&s@a{sv})", &interfaces, &details);
      g_assert_cmpstrv (interfaces, STRV ("eth0", "eth1", "eth2", "pf0"));
      g_assert_cmpstr (dpugw_test_lookup_string (details, "selected-by"), ==, "first");
      g_assert_cmpstr (dpugw_test_lookup_string (details, "function-type"), ==, "vf");
      g_assert_cmpstr (dpugw_test_lookup_string (details, "hint"), ==, SWITCHDEV_HINT);
      g_assert_cmpstr (dpugw_test_lookup_string (details, "mgmt-port"), ==, "ens2f0v1");
      g_assert_cmpstr (dpugw_test_lookup_string (details, "vf-pci"), ==, "0000:3b:00.3");
      g_assert_cmpstr (dpugw_test_lookup_string (details, "pf-pci"), ==, SW_PF_PCI);
      g_assert_cmpstr (dpugw_test_lookup_string (details, "source"), ==, "derived");
      dpugw_test_assert_strv_key (details, "candidates", STRV ("eth0", "eth1", "eth2", "pf0"));
      g_assert_false (g_variant_lookup (details, "sf", "&s", NULL));
      g_assert_true (g_variant_lookup (details, "cached", "b", &cached));
      g_assert_cmpint (cached, ==, round == 1);
    }
  {
    /* Resolve: the first of them, with the same hint. */
    g_autoptr(GError) error = NULL;
    g_autoptr(GVariant) reply = dpugw_test_call (f, BUS_IFACE, "Resolve", g_variant_new ("(s)", "0000:3b:00.3"), "(sa{sv})", &error);
    const char *interface;
    g_autoptr(GVariant) details = NULL;

    g_assert_no_error (error);
    g_variant_get (reply, "(&s@a{sv})", &interface, &details);
    g_assert_cmpstr (interface, ==, "eth0");
    g_assert_cmpstr (dpugw_test_lookup_string (details, "hint"), ==, SWITCHDEV_HINT);
  }
}

static void
test_dbus_uplink (DpugwTestBus *f)
{
  daemon_start (f, STRV ("--gateway-select=uplink"));

  {
    /* Resolve and ResolveAll agree; ResolveAll's details say which rule decided. */
    g_autoptr(GError) error = NULL;
    g_autoptr(GVariant) details = NULL;
    g_autofree char *interface = dpugw_test_resolve (f->conn, "ens2f0v1", &details, &error);

    g_assert_no_error (error);
    g_assert_cmpstr (interface, ==, "pf0");
    g_assert_cmpstr (dpugw_test_lookup_string (details, "selected-by"), ==, "uplink");
    g_assert_cmpstr (dpugw_test_lookup_string (details, "function-type"), ==, "vf");
    g_assert_false (g_variant_lookup (details, "hint", "&s", NULL));
  }
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(GVariant) reply = dpugw_test_call (f, BUS_IFACE, "ResolveAll", g_variant_new ("(s)", "ens2f0v1"), "(asa{sv})", &error);
    g_autofree const char **interfaces = NULL;
    g_autoptr(GVariant) details = NULL;

    g_assert_no_error (error);
    g_variant_get (reply, "(^a&s@a{sv})", &interfaces, &details);
    g_assert_cmpstrv (interfaces, STRV ("pf0"));
  }
}

static void
test_dbus_sf (DpugwTestBus *f)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) details = NULL;
  g_autofree char *interface = NULL;

  daemon_start (f, NULL);
  /* Resolve carries sf too; the helper checks it against ResolveAll's. */
  interface = dpugw_test_resolve (f->conn, "en3f0pf0sf88", &details, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (interface, ==, "p0");
  g_assert_cmpstr (dpugw_test_lookup_string (details, "function-type"), ==, "sf");
  g_assert_cmpstr (dpugw_test_lookup_string (details, "sf"), ==, "mlx5_core.sf.2");
  g_assert_cmpstr (dpugw_test_lookup_string (details, "vf-pci"), ==, "");
  g_assert_cmpstr (dpugw_test_lookup_string (details, "pf-pci"), ==, SF_PF_PCI);
  g_assert_cmpstr (dpugw_test_lookup_string (details, "mgmt-port"), ==, "en3f0pf0sf88");
  g_assert_cmpstr (dpugw_test_lookup_string (details, "selected-by"), ==, "first");
  dpugw_test_assert_strv_key (details, "candidates", STRV ("p0", "pf0hpf", "pf0vf0"));
  g_assert_false (g_variant_lookup (details, "hint", "&s", NULL));
}

static void
test_dbus_no_match (DpugwTestBus *f)
{
  static const char *message = "no netdev of PF 0000:3b:00.0 matches the gateway selection rules name=zz* "
                               "(netdevs: eth0, eth1, eth2, pf0)";

  daemon_start (f, STRV ("--gateway-select=name=zz*"));
  for (guint round = 0; round < 2; round++) /* and the remembered failure */
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GVariant) reply = dpugw_test_call (f, BUS_IFACE, "Resolve", g_variant_new ("(s)", "ens2f0v1"), "(sa{sv})", &error);

      g_assert_null (reply);
      dpugw_test_assert_remote_error (error, "org.ovnk.DpuGateway.Error.NoMatch", message);
    }
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(GVariant) reply = dpugw_test_call (f, BUS_IFACE, "ResolveAll", g_variant_new ("(s)", "0000:3b:00.2"), "(asa{sv})",
                                          &error);

    g_assert_null (reply);
    dpugw_test_assert_remote_error (error, "org.ovnk.DpuGateway.Error.NoMatch", message);
  }
}

/* The configured port's hint goes to the log as a warning, and in the details of "". */
static void
test_dbus_hint_warning (DpugwTestBus *f)
{
  g_autofree char *log = NULL;

  daemon_start (f, STRV ("--ovnkube-node-mode=dpu-host", "--ovnkube-node-mgmt-port-netdev=ens2f0v1",
                         "--gateway-interface=derive-from-mgmt-port"));
  DPUGW_TEST_WAIT (dpugw_test_string_property_is (f, "GatewayInterface", "eth0"), "GatewayInterface eth0");

  log = dpugw_test_daemon_log (f->daemon);
  g_assert_nonnull (strstr (log, "WARNING"));
  g_assert_nonnull (strstr (log, "configured management port: " SWITCHDEV_HINT "\n"));
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(GVariant) reply = dpugw_test_call (f, BUS_IFACE, "Resolve", g_variant_new ("(s)", ""), "(sa{sv})", &error);
    const char *interface;
    g_autoptr(GVariant) details = NULL;

    g_assert_no_error (error);
    g_variant_get (reply, "(&s@a{sv})", &interface, &details);
    g_assert_cmpstr (interface, ==, "eth0");
    g_assert_cmpstr (dpugw_test_lookup_string (details, "hint"), ==, SWITCHDEV_HINT);
  }
}

int
main (int argc, char **argv)
{
  dpugw_test_init (&argc, &argv, DPUGW_TEST_DEFAULT);

  g_test_add_func ("/select/parse/default", test_parse_default);
  g_test_add_func ("/select/parse/valid", test_parse_valid);
  g_test_add_func ("/select/parse/invalid", test_parse_invalid);
  g_test_add_func ("/select/ref", test_select_ref);

  g_test_add_func ("/select/rule/first-switchdev", test_first_switchdev);
  g_test_add_func ("/select/rule/first-hint-representors", test_first_hint_representors);
  g_test_add_func ("/select/rule/apply-direct", test_apply_direct);
  g_test_add_func ("/select/rule/uplink", test_uplink_switchdev);
  g_test_add_func ("/select/rule/up", test_up);
  g_test_add_func ("/select/rule/name", test_name);
  g_test_add_func ("/select/rule/name-whole", test_name_whole);
  g_test_add_func ("/select/rule/example-no-uplink", test_example_no_uplink);
  g_test_add_func ("/select/rule/no-match", test_no_match);
  g_test_add_func ("/select/rule/phys-port-name-absent", test_phys_port_name_absent);
  g_test_add_func ("/select/rule/phys-port-name-unreadable", test_phys_port_name_unreadable);
  g_test_add_func ("/select/rule/attribute-symlink", test_attribute_symlink);
  g_test_add_func ("/select/rule/hint-shapes", test_hint_shapes);

  g_test_add_func ("/select/config/flag", test_config_flag);
  g_test_add_func ("/select/config/default", test_config_default);
  g_test_add_func ("/select/config/ini", test_config_ini);
  g_test_add_func ("/select/config/invalid", test_config_invalid);
  g_test_add_func ("/select/config/finish-twice", test_config_finish_twice);

  g_test_add_func ("/select/sf/netdev", test_sf_netdev);
  g_test_add_func ("/select/sf/uplink", test_sf_uplink);
  g_test_add_func ("/select/sf/function", test_sf_function);
  g_test_add_func ("/select/sf/function-vf", test_sf_function_vf);
  g_test_add_func ("/select/sf/function-missing", test_sf_function_missing);
  g_test_add_func ("/select/sf/function-invalid", test_sf_function_invalid);
  g_test_add_func ("/select/sf/auxiliary-name-is-valid", test_auxiliary_name_is_valid);
  g_test_add_func ("/select/sf/device-plugin-config", test_device_plugin_sf_config);
  g_test_add_func ("/select/sf/device-plugin-resolve", test_device_plugin_sf_resolve);
  g_test_add_func ("/select/sf/device-plugin-missing", test_device_plugin_sf_missing);

  g_test_add_func ("/select/not-vf/pf", test_not_vf_pf);
  g_test_add_func ("/select/not-vf/virtio", test_not_vf_virtio);
  g_test_add_func ("/select/not-vf/other-driver", test_not_vf_other_driver);

  g_test_add_func ("/select/resolve-pf", test_resolve_pf);
  g_test_add_func ("/select/resolution/copy-equal", test_resolution_copy_equal);

  DPUGW_TEST_ADD ("/select/dbus/resolve-all-first", test_dbus_resolve_all_first, { SWITCHDEV });
  DPUGW_TEST_ADD ("/select/dbus/uplink", test_dbus_uplink, { SWITCHDEV });
  DPUGW_TEST_ADD ("/select/dbus/sf", test_dbus_sf, { SF });
  DPUGW_TEST_ADD ("/select/dbus/no-match", test_dbus_no_match, { SWITCHDEV });
  DPUGW_TEST_ADD ("/select/dbus/hint-warning", test_dbus_hint_warning, { SWITCHDEV });

  return g_test_run ();
}
