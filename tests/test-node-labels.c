/* SPDX-License-Identifier: Apache-2.0
 *
 * dpu-gatewayctl node-labels: the Node Feature Discovery feature file it keeps, its content,
 * its replacement under churn (a reader never sees half a file), its removal when the gateway
 * goes, and label values made of hostile names.  Each service test in a network namespace of
 * its own, with real veth links.
 */
#include "testdaemon.h"
#include "labels.h"

#include <gio/gio.h>
#include <string.h>
#include <sys/stat.h>
#include <glib/gstdio.h>

#define EXAMPLE "data/dpu-host-example.umockdev"
#define EX_PF   "devices/pci0000:00/0000:00:02.0/0000:01:00.0"
#define P       DPUGW_LABEL_PREFIX

static void
links_add (void)
{
  dpugw_test_veth_add ("eth0", "vp0");
  dpugw_test_veth_add ("eth1", "vp1");
  dpugw_test_veth_add ("pf0vf0", "vp2");
}

static char *
labels_path (DpugwTestBus *f)
{
  return g_build_filename (f->tmpdir, "features.d", "dpu-gateway", NULL);
}

static char *
read_labels (const char *path)
{
  char *contents = NULL;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return NULL;
  return contents;
}

static GSubprocess *
labels_spawn (DpugwTestBus *f)
{
  g_autofree char *path = labels_path (f);
  g_autofree char *file_flag = g_strconcat ("--file=", path, NULL);

  return dpugw_test_ctl_spawn (G_SUBPROCESS_FLAGS_NONE, STRV ("node-labels", f->address_flag, file_flag));
}

static void
labels_stop (GSubprocess *process)
{
  g_subprocess_send_signal (process, SIGTERM);
  g_assert_true (g_subprocess_wait_check (process, NULL, NULL));
}

static void
make_features_dir (DpugwTestBus *f)
{
  g_autofree char *dir = g_build_filename (f->tmpdir, "features.d", NULL);
  g_assert_no_errno (g_mkdir_with_parents (dir, 0755));
}

/* --once: the labels of the example host, one a line. */
static void
test_once (DpugwTestBus *f)
{
  g_autofree char *path = labels_path (f);
  g_autofree char *file_flag = g_strconcat ("--file=", path, NULL);
  g_autofree char *contents = NULL;
  DpugwTestRun run = { 0 };
  struct stat st;

  make_features_dir (f);
  links_add ();
  DPUGW_TEST_START (f, .args = STRV (DPUGW_TEST_CONFIGURED), .ready = TRUE);
  DPUGW_TEST_CTL (&run, "node-labels", "--once", f->address_flag, file_flag);
  g_assert_cmpint (run.status, ==, 0);
  dpugw_test_run_clear (&run);
  contents = read_labels (path);
  g_assert_nonnull (contents);
  g_assert_true (g_str_has_prefix (contents, P "gateway-interface=eth0\n" P "pf-pci=0000_01_00.0\n"
                                             P "function-type=vf\n"));
  g_assert_nonnull (strstr (contents, P "source=derived\n"));
  g_assert_no_errno (stat (path, &st));
  g_assert_cmpint (st.st_mode & 0777, ==, 0644);

  /* A port that does not resolve: no labels, the file gone, exit 1. */
  DPUGW_TEST_CTL (&run, "node-labels", "--once", f->address_flag, file_flag, "pf0vf9");
  g_assert_cmpint (run.status, ==, 1);
  dpugw_test_run_clear (&run);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
}

typedef struct
{
  char *path;
  gint stop;
  guint reads;
  guint seen;
  GPtrArray *bad;  /* what a reader saw that was not a whole file */
} Reader;

static gboolean
whole_file (const char *contents)
{
  g_auto(GStrv) lines = NULL;

  if (!g_str_has_suffix (contents, "\n"))
    return FALSE;
  lines = g_strsplit (contents, "\n", -1);
  /* gateway-interface, pf-pci, function-type, source (and ovnkube-compatible when told), then "". */
  if (g_strv_length (lines) < 5)
    return FALSE;
  for (guint i = 0; lines[i + 1] != NULL; i++)
    {
      const char *eq = strchr (lines[i], '=');

      if (!g_str_has_prefix (lines[i], P) || eq == NULL || !dpugw_label_value_is_valid (eq + 1) || eq[1] == '\0')
        return FALSE;
    }
  return g_str_has_prefix (contents, P "gateway-interface=");
}

static gpointer
reader_thread (gpointer data)
{
  Reader *r = data;

  while (!g_atomic_int_get (&r->stop))
    {
      g_autofree char *contents = read_labels (r->path);

      r->reads++;
      /* Often, not all the time: under valgrind the threads take turns. */
      g_usleep (50);
      if (contents == NULL)
        continue;
      r->seen++;
      if (!whole_file (contents) && r->bad->len < 5)
        g_ptr_array_add (r->bad, g_steal_pointer (&contents));
    }
  return NULL;
}

/* Renames of the gateway, the file rewritten each time, read all along by another thread. */
static void
test_churn (DpugwTestBus *f)
{
  g_autoptr(GSubprocess) labels = NULL;
  Reader r = { .path = labels_path (f), .bad = g_ptr_array_new_with_free_func (g_free) };
  const char *names[2] = { "eth0", "a0" };  /* "a0" sorts before "eth1": it is the gateway */
  GThread *thread;
  guint i;

  make_features_dir (f);
  links_add ();
  DPUGW_TEST_START (f, .args = STRV (DPUGW_TEST_CONFIGURED), .ready = TRUE);
  labels = labels_spawn (f);
  DPUGW_TEST_WAIT (g_file_test (r.path, G_FILE_TEST_EXISTS), "the feature file");

  thread = g_thread_new ("reader", reader_thread, &r);
  for (i = 0; i < 40; i++)
    {
      const char *from = names[i % 2], *to = names[(i + 1) % 2];
      g_autofree char *want = g_strconcat (P "gateway-interface=", to, "\n", NULL);
      gboolean ok;

      dpugw_test_rename_netdev (f->testbed, EX_PF, from, to);
      DPUGW_TEST_IP ("link", "set", from, "name", to);
      DPUGW_TEST_POLL (ok, ({ g_autofree char *c = read_labels (r.path); c != NULL && g_str_has_prefix (c, want); }),
                       DPUGW_TEST_WAIT_USEC);
      if (!ok)
        g_error ("the feature file did not follow the rename to %s", to);
    }
  g_atomic_int_set (&r.stop, 1);
  g_thread_join (thread);
  dpugw_test_report ("%u reads of the file during %u renames, %u of them found it", r.reads, i, r.seen);
  for (guint k = 0; k < r.bad->len; k++)
    g_printerr ("# read: \"%s\"\n", (const char *) g_ptr_array_index (r.bad, k));
  g_assert_cmpuint (r.bad->len, ==, 0);
  g_assert_cmpuint (r.seen, ==, r.reads);  /* replaced, never missing */

  /* The PF's netdevs go: the labels go. */
  dpugw_test_remove_netdev (f->testbed, EX_PF, names[i % 2]);
  dpugw_test_remove_netdev (f->testbed, EX_PF, "eth1");
  DPUGW_TEST_IP ("link", "del", names[i % 2]);
  DPUGW_TEST_IP ("link", "del", "eth1");
  DPUGW_TEST_WAIT (!g_file_test (r.path, G_FILE_TEST_EXISTS), "the feature file to go with the gateway");
  labels_stop (labels);
  g_free (r.path);
  g_ptr_array_unref (r.bad);
}

/* Label values of hostile names: what Kubernetes accepts, or nothing. */
static void
test_values (void)
{
  static const struct { const char *in, *out; } cases[] = {
    { "eth0", "eth0" },
    { "0000:01:00.0", "0000_01_00.0" },
    { "-eth0-", "eth0" },
    { "..x..", "x" },
    { "a b\tc", "a_b_c" },
    { "\xc3\xbcml\xc3\xa4ut", "ml__ut" },        /* not ASCII: each byte a '_', the ends trimmed */
    { "\xff\xfe", "" },
    { "---", "" },
    { "", "" },
    { "enp1s0f0np0@if3", "enp1s0f0np0_if3" },
    { "a/../../etc", "a_.._.._etc" },
    { "x=y\nz", "x_y_z" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *v = dpugw_label_value (cases[i].in);
      g_assert_cmpstr (v, ==, cases[i].out);
      g_assert_true (dpugw_label_value_is_valid (v));
    }
  /* Longer than 63: cut, and the cut end trimmed to a letter or digit. */
  {
    g_autofree char *long_in = g_strnfill (62, 'a');
    g_autofree char *in = g_strconcat (long_in, "-b-c", NULL);
    g_autofree char *v = dpugw_label_value (in);

    g_assert_cmpuint (strlen (v), ==, 62);
    g_assert_true (dpugw_label_value_is_valid (v));
  }
  g_assert_false (dpugw_label_value_is_valid ("-a"));
  g_assert_false (dpugw_label_value_is_valid ("a:b"));
}

int
main (int argc, char **argv)
{
  dpugw_test_init (&argc, &argv, DPUGW_TEST_NETNS);

  g_test_add_func ("/node-labels/values", test_values);
  DPUGW_TEST_ADD ("/node-labels/once", test_once, { EXAMPLE });
  DPUGW_TEST_ADD ("/node-labels/churn", test_churn, { EXAMPLE });

  return g_test_run ();
}
