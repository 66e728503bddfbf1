/* SPDX-License-Identifier: Apache-2.0
 *
 * The daemon's state: findings go in through dpugw_state_apply(), and what changed comes out,
 * once, in the order the API promises.
 */
#include "state.h"

#include <string.h>

#define PF  "0000:01:00.0"
#define VF0 "0000:01:02.3"
#define VF1 "0000:01:02.4"

static DpugwConfig *
config_new (void)
{
  g_autoptr(GError) error = NULL;
  const DpugwConfigFlags flags = { .mgmt_port_netdev = "pf0vf0", .config_file = "" };
  DpugwConfig *config = dpugw_config_load (&flags, NULL, NULL, &error);

  g_assert_no_error (error);
  return config;
}

static DpugwResolution *
resolution (const char *mgmt_port, const char *vf_pci, const char *interface)
{
  DpugwResolution *r = g_new0 (DpugwResolution, 1);

  r->mgmt_port = g_strdup (mgmt_port);
  r->vf_pci = g_strdup (vf_pci);
  r->pf_pci = g_strdup (PF);
  r->interface = g_strdup (interface);
  r->candidates = g_strsplit (interface, ",", 0);
  r->function_type = g_strdup ("vf");
  r->selected_by = g_strdup ("first");
  return r;
}

/* A PF 0000:01:00.0 with @netdevs (comma-separated) and its VFs pf0vf0, pf0vf1. */
static GPtrArray *
topology (const char *netdevs)
{
  GPtrArray *pfs = g_ptr_array_new_with_free_func ((GDestroyNotify) dpugw_pf_free);
  DpugwPf *pf = g_new0 (DpugwPf, 1);

  pf->pci = g_strdup (PF);
  pf->netdevs = g_strsplit (netdevs, ",", 0);
  pf->driver = g_strdup ("mlx5_core");
  pf->total_vfs = 8;
  pf->num_vfs = 2;
  pf->vfs = g_ptr_array_new_with_free_func ((GDestroyNotify) dpugw_vf_free);
  for (guint i = 0; i < 2; i++)
    {
      DpugwVf *vf = g_new0 (DpugwVf, 1);

      vf->index = i;
      vf->pci = g_strdup (i == 0 ? VF0 : VF1);
      vf->netdevs = g_strsplit (i == 0 ? "pf0vf0" : "pf0vf1", ",", 0);
      g_ptr_array_add (pf->vfs, vf);
    }
  g_ptr_array_add (pfs, pf);
  return pfs;
}

/* A full pass: the topology, the configured port pf0vf0 with gateway @interface, and the cached VFs. */
static DpugwFindings *
full_pass (DpugwState *state, const char *netdevs, const char *interface)
{
  DpugwFindings *f = dpugw_findings_new ();
  g_auto(GStrv) cached = dpugw_cache_dup_functions (state->cache);

  f->full = TRUE;
  f->topology = topology (netdevs);
  f->has_configured = TRUE;
  f->configured = resolution ("pf0vf0", VF0, interface);
  f->entries = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) dpugw_cache_entry_free);
  for (guint i = 0; cached[i] != NULL; i++)
    g_hash_table_insert (f->entries, g_strdup (cached[i]),
                         dpugw_cache_entry_new (resolution (strcmp (cached[i], VF0) == 0 ? "pf0vf0" : "pf0vf1",
                                                            cached[i], interface)));
  return f;
}

/* A lookup of pf0vf1 that found @interface. */
static DpugwFindings *
lookup_vf1 (const char *interface)
{
  DpugwFindings *f = dpugw_findings_new ();

  f->lookup = TRUE;
  f->requested_name = g_strdup ("pf0vf1");
  f->entries = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) dpugw_cache_entry_free);
  g_hash_table_insert (f->entries, g_strdup (VF1), dpugw_cache_entry_new (resolution ("pf0vf1", VF1, interface)));
  return f;
}

static DpugwChanges *
apply (DpugwState *state, DpugwFindings *findings)
{
  g_autoptr(DpugwFindings) owned = findings;
  return dpugw_state_apply (state, findings);
}

static void
assert_gateway (const DpugwChanges *c, guint i, const char *function, const char *old_if, const char *new_if)
{
  const DpugwGatewayChange *g;

  g_assert_cmpuint (i, <, c->gateways->len);
  g = g_ptr_array_index (c->gateways, i);
  g_assert_cmpstr (g->function, ==, function);
  g_assert_cmpstr (g->old_interface, ==, old_if);
  g_assert_cmpstr (g->new_interface, ==, new_if);
}

static gboolean
has_property (const DpugwChanges *c, const char *name)
{
  for (guint i = 0; i < c->properties->len; i++)
    if (strcmp (g_ptr_array_index (c->properties, i), name) == 0)
      return TRUE;
  return FALSE;
}

/* The first pass is a generation with no topology change; the configured port's gateway is news once. */
static void
test_first_pass (void)
{
  g_autoptr(DpugwState) state = dpugw_state_new (config_new ());
  g_autoptr(DpugwChanges) c = apply (state, full_pass (state, "eth0,eth1", "eth0"));
  g_autoptr(DpugwChanges) again = NULL;

  g_assert_true (c->first_topology);
  g_assert_false (c->topology);
  g_assert_true (dpugw_changes_new_generation (c));
  g_assert_cmpuint (c->gateways->len, ==, 1);
  assert_gateway (c, 0, VF0, "", "eth0");
  g_assert_true (has_property (c, "GatewayInterface"));
  g_assert_cmpstr (state->gateway_interface, ==, "eth0");
  g_assert_cmpstr (state->management_port, ==, "pf0vf0");
  /* The configured port's function is cached like any other. */
  g_assert_cmpstr (dpugw_cache_interface (state->cache, VF0), ==, "eth0");

  /* The same again: nothing changed, no generation. */
  again = apply (state, full_pass (state, "eth0,eth1", "eth0"));
  g_assert_false (again->first_topology);
  g_assert_false (again->topology);
  g_assert_cmpuint (again->gateways->len, ==, 0);
  g_assert_cmpuint (again->properties->len, ==, 0);
  g_assert_false (dpugw_changes_new_generation (again));
}

/* A lookup answers its caller and caches; it is no news (nor a stale one). */
static void
test_lookup (void)
{
  g_autoptr(DpugwState) state = dpugw_state_new (config_new ());
  g_autoptr(DpugwChanges) first = apply (state, full_pass (state, "eth0,eth1", "eth0"));
  guint64 epoch = state->epoch;
  g_autoptr(DpugwChanges) c = apply (state, lookup_vf1 ("eth0"));

  g_assert_cmpuint (c->gateways->len, ==, 0);
  g_assert_false (dpugw_changes_new_generation (c));
  g_assert_cmpstr (dpugw_cache_lookup_name (state->cache, "pf0vf1")->function, ==, VF1);
  /* Lookups do not make lookups in flight out of date; passes do. */
  g_assert_cmpuint (state->epoch, ==, epoch);
}

/* A full pass after the PF's first netdev went: every cached function's change, the configured
 * port's said once (by its function), the topology changed. */
static void
test_pass_changes (void)
{
  g_autoptr(DpugwState) state = dpugw_state_new (config_new ());
  g_autoptr(DpugwChanges) first = apply (state, full_pass (state, "eth0,eth1", "eth0"));
  g_autoptr(DpugwChanges) looked = apply (state, lookup_vf1 ("eth0"));
  guint64 epoch = state->epoch;
  g_autoptr(DpugwChanges) c = apply (state, full_pass (state, "eth1", "eth1"));

  g_assert_true (c->topology);
  g_assert_true (dpugw_changes_new_generation (c));
  g_assert_cmpuint (c->gateways->len, ==, 2);
  assert_gateway (c, 0, VF0, "eth0", "eth1");
  assert_gateway (c, 1, VF1, "eth0", "eth1");
  g_assert_true (has_property (c, "GatewayInterface"));
  g_assert_cmpuint (state->epoch, >, epoch);
}

/* A topology-only change (a VF's netdev renamed) is a new generation without gateway changes. */
static void
test_topology_only (void)
{
  g_autoptr(DpugwState) state = dpugw_state_new (config_new ());
  g_autoptr(DpugwChanges) first = apply (state, full_pass (state, "eth0,eth1", "eth0"));
  g_autoptr(DpugwFindings) f = dpugw_findings_new ();
  g_autoptr(DpugwChanges) c = NULL;

  f->vf_netdevs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_strfreev);
  g_hash_table_insert (f->vf_netdevs, g_strdup (VF1), g_strsplit ("mgmt1", ",", 0));
  c = dpugw_state_apply (state, f);
  g_assert_true (c->topology);
  g_assert_cmpuint (c->gateways->len, ==, 0);
  g_assert_true (dpugw_changes_new_generation (c));
  g_assert_cmpstr (dpugw_topology_state_pci_of_netdev (state->topology, "mgmt1", NULL), ==, VF1);
}

/* A PF's new choice from a link pass: its cached functions follow it; none, and they go. */
static void
test_choice (void)
{
  g_autoptr(DpugwState) state = dpugw_state_new (config_new ());
  g_autoptr(DpugwChanges) first = apply (state, full_pass (state, "eth0,eth1", "eth0"));
  g_autoptr(DpugwChanges) looked = apply (state, lookup_vf1 ("eth0"));
  g_autoptr(DpugwFindings) f = dpugw_findings_new ();
  g_autoptr(DpugwFindings) gone = dpugw_findings_new ();
  g_autoptr(DpugwChanges) c = NULL;
  g_autoptr(DpugwChanges) c2 = NULL;

  f->choices = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) dpugw_choice_unref);
  {
    g_autoptr(DpugwResolution) r = resolution ("", "", "uplink");
    g_hash_table_insert (f->choices, g_strdup (PF), dpugw_choice_new_take (r));
  }
  c = dpugw_state_apply (state, f);
  g_assert_cmpuint (c->gateways->len, ==, 2);
  g_assert_cmpstr (dpugw_cache_interface (state->cache, VF1), ==, "uplink");
  g_assert_true (dpugw_cache_lookup (state->cache, VF0)->choice == dpugw_cache_lookup (state->cache, VF1)->choice);

  gone->choices = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_hash_table_insert (gone->choices, g_strdup (PF), NULL);
  c2 = dpugw_state_apply (state, gone);
  g_assert_cmpuint (c2->gateways->len, ==, 2);
  assert_gateway (c2, 0, VF0, "uplink", "");
  g_assert_null (dpugw_cache_lookup_name (state->cache, "pf0vf1"));
}

/* The configured port failing: its error is news once, with the port it is about. */
static void
test_configured_error (void)
{
  g_autoptr(DpugwState) state = dpugw_state_new (config_new ());
  g_autoptr(DpugwChanges) first = apply (state, full_pass (state, "eth0,eth1", "eth0"));
  DpugwFindings *f = full_pass (state, "eth0,eth1", "eth0");
  g_autoptr(DpugwChanges) c = NULL;
  g_autoptr(DpugwChanges) again = NULL;

  g_clear_pointer (&f->configured, dpugw_resolution_free);
  f->configured_error = g_error_new_literal (DPUGW_ERROR, DPUGW_ERROR_PCI_ADDRESS, "failed to get PCI address: x");
  c = apply (state, f);
  g_assert_cmpstr (c->error, ==, "failed to get PCI address: x");
  g_assert_cmpstr (c->error_port, ==, "pf0vf0");
  g_assert_cmpuint (c->gateways->len, ==, 1);
  assert_gateway (c, 0, VF0, "eth0", "");
  g_assert_cmpstr (state->last_error, ==, "failed to get PCI address: x");
  g_assert_true (has_property (c, "LastError"));

  f = full_pass (state, "eth0,eth1", "eth0");
  g_clear_pointer (&f->configured, dpugw_resolution_free);
  f->configured_error = g_error_new_literal (DPUGW_ERROR, DPUGW_ERROR_PCI_ADDRESS, "failed to get PCI address: x");
  again = apply (state, f);
  g_assert_null (again->error);
  g_assert_cmpuint (again->properties->len, ==, 0);
}

/* Link events: the names they touch stop leading to entries, and what they touch is planned. */
static void
test_plan_links (void)
{
  g_autoptr(DpugwState) state = dpugw_state_new (config_new ());
  g_autoptr(DpugwChanges) first = apply (state, full_pass (state, "eth0,eth1", "eth0"));
  g_autoptr(DpugwChanges) looked = apply (state, lookup_vf1 ("eth0"));
  g_autoptr(GPtrArray) events = g_ptr_array_new_with_free_func ((GDestroyNotify) dpugw_link_event_free);
  g_autoptr(GError) error = g_error_new_literal (DPUGW_ERROR, DPUGW_ERROR_PCI_ADDRESS, "no");
  g_autoptr(DpugwPassPlan) plan = NULL;
  guint64 epoch = state->epoch;
  DpugwLinkEvent *e;

  dpugw_cache_store_failure (state->cache, "netdev:x", error, g_get_monotonic_time ());
  e = g_new0 (DpugwLinkEvent, 1);
  e->type = DPUGW_LINK_RENAMED;
  e->name = g_strdup ("mgmt1");
  e->old_name = g_strdup ("pf0vf1");
  g_ptr_array_add (events, e);
  e = g_new0 (DpugwLinkEvent, 1);
  e->type = DPUGW_LINK_ADDED;
  e->name = g_strdup ("veth9");
  g_ptr_array_add (events, e);
  e = g_new0 (DpugwLinkEvent, 1);
  e->type = DPUGW_LINK_REMOVED;
  e->name = g_strdup ("gone0");
  g_ptr_array_add (events, e);
  e = g_new0 (DpugwLinkEvent, 1);
  e->type = DPUGW_LINK_RENAMED;
  e->name = g_strdup ("eth7");
  e->old_name = g_strdup ("eth1");
  g_ptr_array_add (events, e);

  plan = dpugw_state_plan_links (state, events);
  g_assert_nonnull (plan);
  g_assert_false (plan->full);
  g_assert_cmpstrv (plan->functions, ((const char *[]) { VF1, NULL }));
  g_assert_cmpstrv (plan->vfs, ((const char *[]) { VF1, NULL }));
  g_assert_cmpstrv (plan->pfs, ((const char *[]) { PF, NULL }));
  /* Renamed from a known name, or only gone: nothing to find out. */
  g_assert_cmpstrv (plan->names, ((const char *[]) { "veth9", NULL }));
  g_assert_null (dpugw_cache_lookup_name (state->cache, "pf0vf1"));
  g_assert_nonnull (dpugw_cache_lookup (state->cache, VF1));
  /* A link appeared: what failed may work now.  And lookups in flight are out of date. */
  g_assert_cmpuint (dpugw_cache_n_failures (state->cache), ==, 0);
  g_assert_cmpuint (state->epoch, >, epoch);
}

/* Address and route changes touch no name: a pass with nothing but the configured port to read
 * (every pass resolves it), and lookups in flight are out of date.  Operstate alone, without the
 * `up` rule, is nothing. */
static void
test_plan_addresses (void)
{
  g_autoptr(DpugwState) state = dpugw_state_new (config_new ());
  g_autoptr(DpugwChanges) first = apply (state, full_pass (state, "eth0,eth1", "eth0"));
  g_autoptr(GPtrArray) events = g_ptr_array_new_with_free_func ((GDestroyNotify) dpugw_link_event_free);
  g_autoptr(DpugwPassPlan) none = NULL;
  g_autoptr(DpugwPassPlan) plan = NULL;
  guint64 epoch;
  DpugwLinkEvent *e;

  e = g_new0 (DpugwLinkEvent, 1);
  e->type = DPUGW_LINK_OPERSTATE;
  e->ifindex = 3;
  e->name = g_strdup ("eth0");
  g_ptr_array_add (events, e);
  none = dpugw_state_plan_links (state, events);
  g_assert_null (none);

  e = g_new0 (DpugwLinkEvent, 1);
  e->type = DPUGW_LINK_ADDRESSES;
  e->ifindex = 3;
  g_ptr_array_add (events, e);
  epoch = state->epoch;
  plan = dpugw_state_plan_links (state, events);
  g_assert_nonnull (plan);
  g_assert_false (plan->full);
  g_assert_cmpstrv (plan->functions, ((const char *[]) { NULL }));
  g_assert_cmpstrv (plan->vfs, ((const char *[]) { NULL }));
  g_assert_cmpstrv (plan->pfs, ((const char *[]) { NULL }));
  g_assert_cmpstrv (plan->names, ((const char *[]) { NULL }));
  g_assert_cmpuint (state->epoch, >, epoch);
}

/* A full pass forgets the failures; a lookup's failure is remembered. */
static void
test_failures (void)
{
  g_autoptr(DpugwState) state = dpugw_state_new (config_new ());
  g_autoptr(DpugwFindings) f = dpugw_findings_new ();
  g_autoptr(DpugwChanges) c = NULL;
  g_autoptr(DpugwChanges) full = NULL;

  f->lookup = TRUE;
  f->failure_key = g_strdup ("netdev:nosuch");
  f->failure = g_error_new_literal (DPUGW_ERROR, DPUGW_ERROR_PCI_ADDRESS, "failed to get PCI address: no");
  c = dpugw_state_apply (state, f);
  g_assert_nonnull (dpugw_cache_lookup_failure (state->cache, "netdev:nosuch", g_get_monotonic_time ()));
  full = apply (state, full_pass (state, "eth0,eth1", "eth0"));
  g_assert_null (dpugw_cache_lookup_failure (state->cache, "netdev:nosuch", g_get_monotonic_time ()));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/state/first-pass", test_first_pass);
  g_test_add_func ("/state/lookup", test_lookup);
  g_test_add_func ("/state/pass-changes", test_pass_changes);
  g_test_add_func ("/state/topology-only", test_topology_only);
  g_test_add_func ("/state/choice", test_choice);
  g_test_add_func ("/state/configured-error", test_configured_error);
  g_test_add_func ("/state/plan-links", test_plan_links);
  g_test_add_func ("/state/plan-addresses", test_plan_addresses);
  g_test_add_func ("/state/failures", test_failures);
  return g_test_run ();
}
