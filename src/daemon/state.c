/* SPDX-License-Identifier: Apache-2.0
 *
 * What the daemon knows of the machine, and the one way it changes: snapshot, update, diff.
 */
#define G_LOG_DOMAIN "dpugw-state"

#include "state.h"

#include <string.h>

#define CACHE_MAX_ENTRIES  16384
#define CACHE_MAX_FAILURES 1024
#define FAILURE_TTL_USEC   (2 * G_USEC_PER_SEC)
/* VFs followed after failing for want of their PF's netdevs, at most. */
#define WATCHED_MAX        64

/* The configured management port before it is resolved: the device plugin's function, or the netdev. */
static const char *
configured_mgmt_port (const DpugwConfig *c)
{
  if (c->mgmt_source == DPUGW_MGMT_SOURCE_DEVICE_PLUGIN)
    return c->mgmt_port_vf_pci != NULL ? c->mgmt_port_vf_pci : c->mgmt_port_sf;
  if (c->mgmt_port_netdev != NULL)
    return c->mgmt_port_netdev;
  return "";
}

DpugwState *
dpugw_state_new (DpugwConfig *config)
{
  DpugwState *state = g_new0 (DpugwState, 1);

  state->config = config;
  state->cache = dpugw_cache_new (CACHE_MAX_ENTRIES, CACHE_MAX_FAILURES, FAILURE_TTL_USEC);
  state->watched = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  state->management_port = g_strdup (configured_mgmt_port (config));
  state->gateway_interface = g_strdup ("");
  state->last_error = g_strdup ("");
  return state;
}

void
dpugw_state_free (DpugwState *state)
{
  if (state == NULL)
    return;
  dpugw_config_free (state->config);
  dpugw_cache_free (state->cache);
  g_hash_table_unref (state->watched);
  dpugw_topology_state_free (state->topology);
  dpugw_resolution_free (state->configured);
  g_free (state->management_port);
  g_free (state->gateway_interface);
  g_free (state->last_error);
  g_free (state);
}

GVariant *
dpugw_state_configuration (DpugwState *state, const char *sysfs_root)
{
  const DpugwConfig *c = state->config;
  GVariantBuilder b;

  g_variant_builder_init (&b, G_VARIANT_TYPE ("a{ss}"));
  g_variant_builder_add (&b, "{ss}", "mode", dpugw_node_mode_to_string (c->mode));
  if (c->mgmt_port_netdev != NULL)
    g_variant_builder_add (&b, "{ss}", "mgmt-port-netdev", c->mgmt_port_netdev);
  if (c->mgmt_port_dp_resource_name != NULL)
    g_variant_builder_add (&b, "{ss}", "mgmt-port-dp-resource-name", c->mgmt_port_dp_resource_name);
  if (c->device_plugin_variable != NULL)
    g_variant_builder_add (&b, "{ss}", "device-plugin-variable", c->device_plugin_variable);
  if (c->gateway_interface != NULL)
    g_variant_builder_add (&b, "{ss}", "gateway-interface", c->gateway_interface);
  g_variant_builder_add (&b, "{ss}", "gateway-select", dpugw_select_to_string (c->select));
  if (c->node_ip != NULL)
    g_variant_builder_add (&b, "{ss}", "node-ip", c->node_ip);
  if (c->config_file != NULL)
    g_variant_builder_add (&b, "{ss}", "config-file", c->config_file);
  g_variant_builder_add (&b, "{ss}", "sysfs-root", sysfs_root);
  return g_variant_builder_end (&b);
}

gboolean
dpugw_state_set_config (DpugwState *state, DpugwConfig *config)
{
  g_autoptr(GVariant) before = g_variant_ref_sink (dpugw_state_configuration (state, ""));
  g_autoptr(GVariant) after = NULL;

  dpugw_config_free (state->config);
  state->config = config;
  after = g_variant_ref_sink (dpugw_state_configuration (state, ""));
  /* A new configuration may name another port: its next result, even a failure, says which.
   * What lookups in flight read under the old one is out of date. */
  state->config_changed = TRUE;
  state->epoch++;
  return !g_variant_equal (before, after);
}

/* --- plans -------------------------------------------------------------------------------------- */

DpugwPassPlan *
dpugw_state_plan_full (DpugwState *state)
{
  DpugwPassPlan *plan = dpugw_pass_plan_new ();

  plan->full = TRUE;
  g_strfreev (plan->functions);
  plan->functions = dpugw_cache_dup_functions (state->cache);
  if (g_hash_table_size (state->watched) > 0)
    {
      g_autoptr(GStrvBuilder) all = g_strv_builder_new ();
      g_autofree GStrv watched = (GStrv) g_hash_table_get_keys_as_array (state->watched, NULL);

      g_strv_builder_addv (all, (const char **) plan->functions);
      g_strv_builder_addv (all, (const char **) watched);
      g_strfreev (plan->functions);
      plan->functions = g_strv_builder_end (all);
    }
  return plan;
}

static GStrv
set_to_strv (GHashTable *set)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  GHashTableIter iter;
  gpointer key;

  g_hash_table_iter_init (&iter, set);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_strv_builder_add (builder, key);
  return g_strv_builder_end (builder);
}

static gboolean
name_is_known (DpugwState *state, const char *name)
{
  return dpugw_cache_function_of_name (state->cache, name) != NULL ||
         (state->topology != NULL && dpugw_topology_state_pci_of_netdev (state->topology, name, NULL) != NULL);
}

DpugwPassPlan *
dpugw_state_plan_links (DpugwState *state, GPtrArray *events)
{
  g_autoptr(GHashTable) touched = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) functions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) vfs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) pfs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) unknown = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(DpugwPassPlan) plan = NULL;
  gboolean operstate = dpugw_select_uses_operstate (state->config->select);
  gboolean appeared = FALSE;
  gboolean addresses = FALSE;
  GHashTableIter iter;
  gpointer name;

  state->epoch++;
  for (guint i = 0; i < events->len; i++)
    {
      const DpugwLinkEvent *event = g_ptr_array_index (events, i);

      /* Operstate matters only to the `up` rule. */
      if (event->type == DPUGW_LINK_OPERSTATE && !operstate)
        continue;
      /* Names stay: only the configured gateway, when it follows the host's network, is read again. */
      if (event->type == DPUGW_LINK_ADDRESSES)
        {
          addresses = TRUE;
          continue;
        }
      if (event->name != NULL)
        g_hash_table_add (touched, g_strdup (event->name));
      if (event->old_name != NULL)
        g_hash_table_add (touched, g_strdup (event->old_name));
      appeared |= event->type == DPUGW_LINK_ADDED || event->type == DPUGW_LINK_RENAMED ||
                  event->type == DPUGW_LINK_ALTNAME;
    }

  g_hash_table_iter_init (&iter, touched);
  while (g_hash_table_iter_next (&iter, &name, NULL))
    {
      const char *function = dpugw_cache_function_of_name (state->cache, name);
      gboolean is_pf = FALSE;
      const char *pci = state->topology != NULL ? dpugw_topology_state_pci_of_netdev (state->topology, name, &is_pf)
                                                : NULL;

      if (function != NULL)
        g_hash_table_add (functions, g_strdup (function));
      if (pci != NULL && is_pf)
        g_hash_table_add (pfs, g_strdup (pci));
      else if (pci != NULL)
        {
          g_hash_table_add (vfs, g_strdup (pci));
          if (dpugw_cache_lookup (state->cache, pci) != NULL)
            g_hash_table_add (functions, g_strdup (pci));
        }
      if (function == NULL && pci == NULL)
        g_hash_table_add (unknown, name);
    }
  /* A name that only went away and nobody knew is nothing to us; one renamed from a known
   * name is explained by the old name's function. */
  for (guint i = 0; i < events->len; i++)
    {
      const DpugwLinkEvent *event = g_ptr_array_index (events, i);

      if (event->type == DPUGW_LINK_REMOVED && event->name != NULL)
        g_hash_table_remove (unknown, event->name);
      else if (event->type == DPUGW_LINK_RENAMED && event->old_name != NULL)
        {
          g_hash_table_remove (unknown, event->old_name);
          if (event->name != NULL && name_is_known (state, event->old_name))
            g_hash_table_remove (unknown, event->name);
        }
    }

  /* The names changed: the index learns them again from the results. */
  g_hash_table_iter_init (&iter, touched);
  while (g_hash_table_iter_next (&iter, &name, NULL))
    dpugw_cache_forget_name (state->cache, name);
  /* Something appeared: what failed before may work now, the VFs followed among it. */
  if (appeared)
    {
      dpugw_cache_clear_failures (state->cache);
      g_hash_table_iter_init (&iter, state->watched);
      while (g_hash_table_iter_next (&iter, &name, NULL))
        g_hash_table_add (functions, g_strdup (name));
    }

  /* A pass re-resolves the configured port every time: one with nothing else to read is enough
   * for addresses and routes. */
  if (g_hash_table_size (touched) == 0 && !addresses)
    return NULL;
  plan = dpugw_pass_plan_new ();
  g_strfreev (plan->functions);
  g_strfreev (plan->vfs);
  g_strfreev (plan->pfs);
  g_strfreev (plan->names);
  plan->functions = set_to_strv (functions);
  plan->vfs = set_to_strv (vfs);
  plan->pfs = set_to_strv (pfs);
  plan->names = set_to_strv (unknown);
  g_debug ("link changes: %u names; re-validating %u functions, %u VFs, %u PFs, %u new names",
           g_hash_table_size (touched), g_strv_length (plan->functions), g_strv_length (plan->vfs),
           g_strv_length (plan->pfs), g_strv_length (plan->names));
  return g_steal_pointer (&plan);
}

/* --- changes ------------------------------------------------------------------------------------ */

static void
gateway_change_free (DpugwGatewayChange *change)
{
  g_free (change->function);
  g_free (change->pf_pci);
  g_free (change->old_interface);
  g_free (change->new_interface);
  g_free (change);
}

static void
add_gateway_change (DpugwChanges *changes, const char *function, const char *pf_pci,
                    const char *old_interface, const char *new_interface)
{
  DpugwGatewayChange *change = g_new0 (DpugwGatewayChange, 1);

  change->function = g_strdup (function);
  change->pf_pci = g_strdup (pf_pci != NULL ? pf_pci : "");
  change->old_interface = g_strdup (old_interface);
  change->new_interface = g_strdup (new_interface);
  g_ptr_array_add (changes->gateways, change);
}

void
dpugw_changes_free (DpugwChanges *changes)
{
  if (changes == NULL)
    return;
  g_ptr_array_unref (changes->gateways);
  g_ptr_array_unref (changes->properties);
  g_free (changes->hint);
  g_free (changes->error);
  g_free (changes->error_port);
  g_free (changes);
}

gboolean
dpugw_changes_new_generation (const DpugwChanges *changes)
{
  return changes->gateways->len > 0 || changes->topology || changes->first_topology;
}

/* --- apply: snapshot, update, diff -------------------------------------------------------------- */

/* The gateways of the functions an update touches, as they were before it. */
typedef struct {
  GHashTable *interfaces;   /* function -> interface before */
  GHashTable *pfs;          /* function -> PF before */
  GPtrArray *order;         /* the functions, in the order they were touched */
} Snapshot;

static void
snapshot_init (Snapshot *s)
{
  s->interfaces = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  s->pfs = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  s->order = g_ptr_array_new ();
}

static void
snapshot_clear (Snapshot *s)
{
  g_ptr_array_unref (s->order);
  g_hash_table_unref (s->pfs);
  g_hash_table_unref (s->interfaces);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Snapshot, snapshot_clear)

static void
snapshot_take (Snapshot *s, DpugwCache *cache, const char *function)
{
  const DpugwCacheEntry *entry;
  char *key;

  if (g_hash_table_contains (s->interfaces, function))
    return;
  entry = dpugw_cache_lookup (cache, function);
  key = g_strdup (function);
  g_hash_table_insert (s->interfaces, key, g_strdup (entry != NULL ? entry->choice->interface : ""));
  g_hash_table_insert (s->pfs, key, g_strdup (entry != NULL ? entry->choice->pf_pci : ""));
  g_ptr_array_add (s->order, key);
}

static void
set_property (DpugwChanges *changes, const char *name, char **field, const char *value)
{
  if (strcmp (*field, value) == 0)
    return;
  g_free (*field);
  *field = g_strdup (value);
  g_ptr_array_add (changes->properties, (gpointer) name);
}

/* The configured port's new result (@r, transfer full, or @error): the properties, and its
 * gateway change, unless its function's own change says it already (in @announced). */
static void
apply_configured (DpugwState *state, DpugwResolution *r, const GError *error, GHashTable *announced,
                  DpugwChanges *changes)
{
  const char *old_if = state->configured != NULL ? state->configured->interface : "";
  const char *old_fn = state->configured != NULL ? dpugw_resolution_function (state->configured) : "";
  const char *new_if = r != NULL ? r->interface : "";
  const char *new_fn = r != NULL ? dpugw_resolution_function (r) : "";
  const char *mgmt_port = configured_mgmt_port (state->config);
  g_autofree char *message = NULL;

  if (r != NULL && *r->mgmt_port != '\0')
    mgmt_port = r->mgmt_port;
  else if (r != NULL && *new_fn != '\0')
    mgmt_port = new_fn;
  else if (r == NULL && *state->management_port != '\0' && !state->config_changed)
    mgmt_port = state->management_port; /* a failure says nothing new about the port: keep the last known */
  state->config_changed = FALSE;
  /* Nothing configured is not an error of the configuration's. */
  message = error != NULL && !g_error_matches (error, DPUGW_ERROR, DPUGW_ERROR_NOT_CONFIGURED)
              ? g_utf8_make_valid (error->message, -1) : g_strdup ("");

  if (strcmp (old_if, new_if) != 0)
    {
      const char *function = *new_fn != '\0' ? new_fn : old_fn;

      if (*function == '\0' || !g_hash_table_contains (announced, function))
        add_gateway_change (changes, function, r != NULL ? r->pf_pci : state->configured->pf_pci, old_if, new_if);
    }
  if (r != NULL && r->hint != NULL && (state->configured == NULL || g_strcmp0 (state->configured->hint, r->hint) != 0))
    changes->hint = g_strdup (r->hint);
  if (*message != '\0' && strcmp (state->last_error, message) != 0)
    {
      changes->error = g_strdup (message);
      changes->error_port = g_strdup (mgmt_port);
    }

  set_property (changes, "ManagementPort", &state->management_port, mgmt_port);
  set_property (changes, "GatewayInterface", &state->gateway_interface, new_if);
  set_property (changes, "LastError", &state->last_error, message);
  g_clear_pointer (&state->configured, dpugw_resolution_free);
  state->configured = r;
}

static void
apply_topology (DpugwState *state, DpugwFindings *findings, DpugwChanges *changes)
{
  GHashTableIter iter;
  gpointer key, value;

  if (findings->full)
    {
      if (state->topology == NULL)
        {
          state->topology = dpugw_topology_state_new (g_steal_pointer (&findings->topology));
          changes->first_topology = TRUE;
        }
      else
        changes->topology |= dpugw_topology_state_replace_all (state->topology, g_steal_pointer (&findings->topology));
    }
  if (state->topology == NULL)
    return;
  for (guint i = 0; findings->rescanned != NULL && i < findings->rescanned->len; i++)
    changes->topology |= dpugw_topology_state_replace_pf (state->topology,
                                                          g_steal_pointer (&g_ptr_array_index (findings->rescanned, i)));
  if (findings->pf_netdevs != NULL)
    {
      g_hash_table_iter_init (&iter, findings->pf_netdevs);
      while (g_hash_table_iter_next (&iter, &key, &value))
        changes->topology |= dpugw_topology_state_set_pf_netdevs (state->topology, key, value);
    }
  if (findings->vf_netdevs != NULL)
    {
      g_hash_table_iter_init (&iter, findings->vf_netdevs);
      while (g_hash_table_iter_next (&iter, &key, &value))
        changes->topology |= dpugw_topology_state_set_vf_netdevs (state->topology, key, value);
    }
}

static void
apply_resolutions (DpugwState *state, DpugwFindings *findings, Snapshot *before)
{
  GHashTableIter iter;
  gpointer key, value;

  if (findings->choices != NULL)
    {
      g_hash_table_iter_init (&iter, findings->choices);
      while (g_hash_table_iter_next (&iter, &key, &value))
        {
          g_auto(GStrv) functions = dpugw_cache_dup_functions_of_pf (state->cache, key);

          for (guint i = 0; functions[i] != NULL; i++)
            snapshot_take (before, state->cache, functions[i]);
          dpugw_cache_set_choice (state->cache, key, value);
        }
    }
  if (findings->entries != NULL)
    {
      g_hash_table_iter_init (&iter, findings->entries);
      while (g_hash_table_iter_next (&iter, &key, &value))
        {
          gboolean watched = g_hash_table_contains (state->watched, key);

          /* A pass re-validates what callers asked for, and its changes are news; a lookup
           * answers its caller, and adds to what is cached.  A VF followed is news once it
           * resolves. */
          if (!findings->lookup && dpugw_cache_lookup (state->cache, key) == NULL && (!watched || value == NULL))
            continue;
          if (value != NULL)
            g_hash_table_remove (state->watched, key);
          if (!findings->lookup)
            snapshot_take (before, state->cache, key);
          if (value != NULL)
            dpugw_cache_put (state->cache, findings->requested_name, g_steal_pointer (&value));
          else
            dpugw_cache_remove (state->cache, key);
          g_hash_table_iter_steal (&iter);
          g_free (key);
        }
    }
  /* A full pass starts afresh: the failures are forgotten, and names asked for are learnt again
   * (a name that no longer exists must not lead to its old function). */
  if (findings->full)
    {
      dpugw_cache_clear_failures (state->cache);
      dpugw_cache_reset_names (state->cache);
    }
  if (findings->failure_key != NULL)
    dpugw_cache_store_failure (state->cache, findings->failure_key, findings->failure, g_get_monotonic_time ());
  if (findings->watch_function != NULL && g_hash_table_size (state->watched) < WATCHED_MAX)
    g_hash_table_add (state->watched, g_strdup (findings->watch_function));
}

DpugwChanges *
dpugw_state_apply (DpugwState *state, DpugwFindings *findings)
{
  DpugwChanges *changes = g_new0 (DpugwChanges, 1);
  g_autoptr(GHashTable) announced = g_hash_table_new (g_str_hash, g_str_equal);
  g_auto(Snapshot) before;

  snapshot_init (&before);
  changes->gateways = g_ptr_array_new_with_free_func ((GDestroyNotify) gateway_change_free);
  changes->properties = g_ptr_array_new ();

  apply_topology (state, findings, changes);
  apply_resolutions (state, findings, &before);

  /* The configured port's function is cached like any other. */
  if (findings->has_configured && findings->configured != NULL &&
      *dpugw_resolution_function (findings->configured) != '\0')
    {
      const char *function = dpugw_resolution_function (findings->configured);

      if (!findings->lookup)
        snapshot_take (&before, state->cache, function);
      dpugw_cache_put (state->cache, NULL, dpugw_cache_entry_new (dpugw_resolution_copy (findings->configured)));
    }

  for (guint i = 0; i < before.order->len; i++)
    {
      const char *function = g_ptr_array_index (before.order, i);
      const char *old_if = g_hash_table_lookup (before.interfaces, function);
      const char *new_if = dpugw_cache_interface (state->cache, function);

      if (strcmp (old_if, new_if) != 0)
        {
          const DpugwCacheEntry *entry = dpugw_cache_lookup (state->cache, function);

          add_gateway_change (changes, function,
                              entry != NULL ? entry->choice->pf_pci : g_hash_table_lookup (before.pfs, function),
                              old_if, new_if);
          g_hash_table_add (announced, (gpointer) function);
        }
    }
  if (findings->has_configured)
    apply_configured (state, g_steal_pointer (&findings->configured), findings->configured_error, announced,
                      changes);

  if (!findings->lookup)
    state->epoch++;
  return changes;
}
