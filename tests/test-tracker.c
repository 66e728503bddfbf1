/* SPDX-License-Identifier: Apache-2.0
 *
 * The tracker over a fixture tree: a lookup that read the tree before a link change came in is
 * not stored nor answered as it read, and what changed is told before the caller hears back.
 */
#include "tracker.h"
#include "testlib.h"


#define EXAMPLE "data/dpu-host-example.umockdev"
#define PF_DIR  "devices/pci0000:00/0000:00:02.0/0000:01:00.0"

typedef struct {
  UMockdevTestbed *testbed;
  DpugwSysfs *sysfs;
  DpugwTracker *tracker;
  DpugwLinkMonitor *monitor;
  guint changes;              /* "changed" emissions */
  gboolean answered;
  guint changes_when_answered;
  DpugwResolution *answer;
  GError *error;
} Fixture;

static void
on_changed (DpugwTracker *tracker, DpugwChanges *changes, gpointer user_data)
{
  Fixture *f = user_data;
  f->changes++;
}

static void
fixture_setup (Fixture *f, gconstpointer unused)
{
  g_autoptr(GError) error = NULL;
  const DpugwConfigFlags flags = { .mode = "dpu-host", .mgmt_port_netdev = "pf0vf0",
                                   .gateway_interface = DPUGW_DERIVE_FROM_MGMT_PORT, .config_file = "" };
  DpugwConfig *config = dpugw_config_load (&flags, NULL, NULL, &error);

  g_assert_no_error (error);
  f->testbed = dpugw_test_testbed_new (&f->sysfs, EXAMPLE, NULL);
  f->tracker = dpugw_tracker_new (f->sysfs, config);
  g_signal_connect (f->tracker, "changed", G_CALLBACK (on_changed), f);
  /* Not started: the test tells it what the links did. */
  f->monitor = dpugw_link_monitor_new (30, 250, 0, &error);
  g_assert_no_error (error);
  dpugw_tracker_follow (f->tracker, f->monitor);

  dpugw_tracker_refresh (f->tracker);
  while (dpugw_tracker_get_state (f->tracker)->topology == NULL)
    g_main_context_iteration (NULL, TRUE);
}

static void
fixture_teardown (Fixture *f, gconstpointer unused)
{
  g_clear_object (&f->monitor);
  g_clear_object (&f->tracker);
  g_clear_object (&f->sysfs);
  g_clear_object (&f->testbed);
  g_clear_pointer (&f->answer, dpugw_resolution_free);
  g_clear_error (&f->error);
  /* The tracker's last callbacks (cancelled) run here. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static void
resolved (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Fixture *f = user_data;

  f->answer = dpugw_tracker_resolve_finish (DPUGW_TRACKER (source), result, &f->error);
  f->answered = TRUE;
  f->changes_when_answered = f->changes;
}

static void
links_changed (Fixture *f, DpugwLinkEventType type, const char *name, const char *old_name)
{
  g_autoptr(GPtrArray) events = g_ptr_array_new_with_free_func ((GDestroyNotify) dpugw_link_event_free);
  DpugwLinkEvent *event = g_new0 (DpugwLinkEvent, 1);

  event->type = type;
  event->name = g_strdup (name);
  event->old_name = g_strdup (old_name);
  g_ptr_array_add (events, event);
  g_signal_emit_by_name (f->monitor, "changed", events);
}

/* Waits until a worker's result is queued for the main loop, without running it. */
static void
wait_pending (void)
{
  gint64 deadline = g_get_monotonic_time () + dpugw_test_usec (30 * G_USEC_PER_SEC);

  while (!g_main_context_pending (NULL))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (1000);
    }
}

/*
 * The lookup of pf0vf1 reads the tree (gateway eth0); then eth0 is renamed and the link event
 * comes in before the lookup's result does.  What it read is out of date: it is read again, and
 * the caller and the cache get eth1 (eth9 sorts after it), not eth0.
 */
static void
test_stale_lookup (Fixture *f, gconstpointer unused)
{
  DpugwState *state = dpugw_tracker_get_state (f->tracker);

  g_assert_null (dpugw_cache_lookup_name (state->cache, "pf0vf1"));
  dpugw_tracker_resolve_async (f->tracker, DPUGW_LOOKUP_NETDEV, "pf0vf1", "netdev:pf0vf1", resolved, f);
  wait_pending ();

  dpugw_test_rename_netdev (f->testbed, PF_DIR, "eth0", "eth9");
  links_changed (f, DPUGW_LINK_RENAMED, "eth9", "eth0");

  while (!f->answered)
    g_main_context_iteration (NULL, TRUE);
  g_assert_no_error (f->error);
  g_assert_cmpstr (f->answer->interface, ==, "eth1");
  g_assert_cmpstr (dpugw_cache_lookup_name (state->cache, "pf0vf1")->choice->interface, ==, "eth1");
}

/* A lookup of the configured port that changes its gateway: "changed" before the answer. */
static void
test_changed_before_answer (Fixture *f, gconstpointer unused)
{
  DpugwState *state = dpugw_tracker_get_state (f->tracker);
  guint before;

  g_assert_cmpstr (state->gateway_interface, ==, "eth0");
  /* The configured port's resolution goes (as a failure would); the lookup brings it back. */
  g_clear_pointer (&state->configured, dpugw_resolution_free);
  g_free (state->gateway_interface);
  state->gateway_interface = g_strdup ("");
  before = f->changes;
  dpugw_tracker_resolve_async (f->tracker, DPUGW_LOOKUP_CONFIGURED, NULL, "configured", resolved, f);
  while (!f->answered)
    g_main_context_iteration (NULL, TRUE);
  g_assert_no_error (f->error);
  g_assert_cmpstr (f->answer->interface, ==, "eth0");
  g_assert_cmpuint (f->changes_when_answered, ==, before + 1);
  g_assert_cmpstr (state->gateway_interface, ==, "eth0");
}

static void
reconfigured (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Fixture *f = user_data;

  g_assert_true (dpugw_tracker_wait_reconfigured_finish (DPUGW_TRACKER (source), result, &f->error));
  f->answered = TRUE;
  f->changes_when_answered = f->changes;
}

/* A new configuration: until its full pass is in, the tracker says so, and those who wait on it
 * hear back after "changed" told the new gateway. */
static void
test_reconfigure (Fixture *f, gconstpointer unused)
{
  DpugwState *state = dpugw_tracker_get_state (f->tracker);
  g_autoptr(GError) error = NULL;
  const DpugwConfigFlags flags = { .mode = "dpu-host", .mgmt_port_netdev = "pf0vf0",
                                   .gateway_interface = DPUGW_DERIVE_FROM_MGMT_PORT, .gateway_select = "name=eth1",
                                   .config_file = "" };
  DpugwConfig *config = dpugw_config_load (&flags, NULL, NULL, &error);
  guint before = f->changes;

  g_assert_no_error (error);
  g_assert_false (dpugw_tracker_is_reconfiguring (f->tracker));
  g_assert_true (dpugw_tracker_set_config (f->tracker, config));
  g_assert_true (dpugw_tracker_is_reconfiguring (f->tracker));
  /* The cache still holds the old configuration's answer: the reason to wait. */
  g_assert_cmpstr (dpugw_cache_interface (state->cache, "0000:01:02.3"), ==, "eth0");
  dpugw_tracker_wait_reconfigured_async (f->tracker, reconfigured, f);
  while (!f->answered)
    g_main_context_iteration (NULL, TRUE);
  g_assert_no_error (f->error);
  g_assert_false (dpugw_tracker_is_reconfiguring (f->tracker));
  g_assert_cmpuint (f->changes_when_answered, >, before);
  g_assert_cmpstr (state->gateway_interface, ==, "eth1");
  g_assert_cmpstr (dpugw_cache_interface (state->cache, "0000:01:02.3"), ==, "eth1");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/tracker/stale-lookup", Fixture, NULL, fixture_setup, test_stale_lookup, fixture_teardown);
  g_test_add ("/tracker/changed-before-answer", Fixture, NULL, fixture_setup, test_changed_before_answer,
              fixture_teardown);
  g_test_add ("/tracker/reconfigure", Fixture, NULL, fixture_setup, test_reconfigure, fixture_teardown);
  return g_test_run ();
}
