/* SPDX-License-Identifier: Apache-2.0
 *
 * Keeps the daemon's state in step with the machine: lookups, passes, and what they changed.
 */
#define G_LOG_DOMAIN "dpugw-tracker"

#include "tracker.h"

/* A lookup whose findings may be out of date (a pass or link change came in meanwhile) is made
 * again, at most this many times; then it is answered and not stored. */
#define LOOKUP_MAX_RETRIES 3

struct _DpugwTracker
{
  GObject parent_instance;

  DpugwSysfs *sysfs;
  DpugwState *state;
  GCancellable *cancellable;
  DpugwLinkMonitor *monitor;

  GHashTable *lookups;        /* request key -> Lookup in flight */

  /* One pass at a time: a full one, or one for link changes. */
  gboolean pass_running;
  gboolean pass_full;         /* the running pass is a full one */
  gboolean want_full;
  gboolean reconfiguring;     /* a new configuration's full pass is not in yet */
  gboolean pass_reconfigures; /* the running pass is that one */
  GPtrArray *link_events;     /* DpugwLinkEvent, for the next link pass */
  GPtrArray *pass_waiters;    /* GTask: answered by the running full pass */
  GPtrArray *refresh_waiters; /* GTask: answered by the next full pass */
  GPtrArray *topology_waiters;/* GTask: answered by the next full pass to end */
  GPtrArray *reconfigure_waiters; /* GTask: answered when reconfiguring ends */
};

enum { SIGNAL_CHANGED, N_SIGNALS };
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (DpugwTracker, dpugw_tracker, G_TYPE_OBJECT)

typedef struct {
  DpugwTracker *self;
  char *key;
  DpugwLookupKind kind;
  char *value;
  guint64 epoch;
  guint retries;
  GPtrArray *waiters;         /* GTask */
} Lookup;

static void kick (DpugwTracker *self);

static void
lookup_free (Lookup *lookup)
{
  g_clear_object (&lookup->self);
  g_free (lookup->key);
  g_free (lookup->value);
  g_ptr_array_unref (lookup->waiters);
  g_free (lookup);
}

static void
dpugw_tracker_dispose (GObject *object)
{
  DpugwTracker *self = DPUGW_TRACKER (object);

  g_cancellable_cancel (self->cancellable);
  if (self->monitor != NULL)
    g_signal_handlers_disconnect_by_data (self->monitor, self);
  g_clear_object (&self->monitor);
  G_OBJECT_CLASS (dpugw_tracker_parent_class)->dispose (object);
}

static void
dpugw_tracker_finalize (GObject *object)
{
  DpugwTracker *self = DPUGW_TRACKER (object);

  g_clear_object (&self->sysfs);
  g_clear_pointer (&self->state, dpugw_state_free);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->lookups, g_hash_table_unref);
  g_clear_pointer (&self->link_events, g_ptr_array_unref);
  g_clear_pointer (&self->pass_waiters, g_ptr_array_unref);
  g_clear_pointer (&self->refresh_waiters, g_ptr_array_unref);
  g_clear_pointer (&self->topology_waiters, g_ptr_array_unref);
  g_clear_pointer (&self->reconfigure_waiters, g_ptr_array_unref);
  G_OBJECT_CLASS (dpugw_tracker_parent_class)->finalize (object);
}

static void
dpugw_tracker_class_init (DpugwTrackerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = dpugw_tracker_dispose;
  object_class->finalize = dpugw_tracker_finalize;

  /* DpugwTracker::changed: (DpugwChanges *changes), valid during the emission. */
  signals[SIGNAL_CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                          NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_POINTER);
}

static void
dpugw_tracker_init (DpugwTracker *self)
{
  self->cancellable = g_cancellable_new ();
  self->lookups = g_hash_table_new (g_str_hash, g_str_equal);
  self->link_events = g_ptr_array_new_with_free_func ((GDestroyNotify) dpugw_link_event_free);
  self->pass_waiters = g_ptr_array_new_with_free_func (g_object_unref);
  self->refresh_waiters = g_ptr_array_new_with_free_func (g_object_unref);
  self->topology_waiters = g_ptr_array_new_with_free_func (g_object_unref);
  self->reconfigure_waiters = g_ptr_array_new_with_free_func (g_object_unref);
}

DpugwTracker *
dpugw_tracker_new (DpugwSysfs *sysfs, DpugwConfig *config)
{
  DpugwTracker *self = g_object_new (DPUGW_TYPE_TRACKER, NULL);

  self->sysfs = g_object_ref (sysfs);
  self->state = dpugw_state_new (config);
  return self;
}

DpugwState *
dpugw_tracker_get_state (DpugwTracker *self)
{
  return self->state;
}

DpugwSysfs *
dpugw_tracker_get_sysfs (DpugwTracker *self)
{
  return self->sysfs;
}

/* Takes @findings into the state and tells what changed. */
static void
take_in (DpugwTracker *self, DpugwFindings *findings)
{
  g_autoptr(DpugwChanges) changes = dpugw_state_apply (self->state, findings);

  g_signal_emit (self, signals[SIGNAL_CHANGED], 0, changes);
}

/* --- passes ------------------------------------------------------------------------------------- */

/* Answers the tasks of *@waiters, which is emptied first: an answer may add new waiters. */
static void
return_waiters (GPtrArray **waiters, const GError *error)
{
  g_autoptr(GPtrArray) tasks = g_steal_pointer (waiters);

  *waiters = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < tasks->len; i++)
    {
      GTask *task = g_ptr_array_index (tasks, i);

      if (error != NULL)
        g_task_return_error (task, g_error_copy (error));
      else
        g_task_return_boolean (task, TRUE);
    }
}

static void
pass_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(DpugwTracker) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(DpugwFindings) findings = dpugw_pass_finish (result, &error);
  gboolean full = self->pass_full;

  if (g_cancellable_is_cancelled (self->cancellable))
    return;
  self->pass_running = FALSE;
  if (findings != NULL)
    take_in (self, findings);
  else
    g_warning ("re-validation failed: %s", error->message);

  if (full)
    {
      return_waiters (&self->pass_waiters, error);
      return_waiters (&self->topology_waiters, self->state->topology != NULL ? NULL : error);
    }
  if (full && self->pass_reconfigures)
    {
      /* Even if it failed: what there is now is what there will be. */
      self->reconfiguring = self->pass_reconfigures = FALSE;
      return_waiters (&self->reconfigure_waiters, NULL);
    }
  kick (self);
}

static void
start_pass (DpugwTracker *self, DpugwPassPlan *plan)
{
  self->pass_running = TRUE;
  self->pass_full = plan->full;
  /* The configuration is the worker's copy from now on. */
  self->pass_reconfigures = plan->full && self->reconfiguring;
  dpugw_pass_async (self->sysfs, self->state->config, plan, self->cancellable, pass_done, g_object_ref (self));
}

/* Starts the next pass, if one is wanted and none runs. */
static void
kick (DpugwTracker *self)
{
  if (self->pass_running || g_cancellable_is_cancelled (self->cancellable))
    return;
  if (self->want_full)
    {
      g_autoptr(DpugwPassPlan) plan = NULL;

      self->want_full = FALSE;
      /* A full pass covers whatever the links did meanwhile; what they touched is forgotten now. */
      if (self->link_events->len > 0)
        {
          g_autoptr(DpugwPassPlan) covered = dpugw_state_plan_links (self->state, self->link_events);
          g_ptr_array_set_size (self->link_events, 0);
        }
      g_ptr_array_extend_and_steal (self->pass_waiters, g_steal_pointer (&self->refresh_waiters));
      self->refresh_waiters = g_ptr_array_new_with_free_func (g_object_unref);
      plan = dpugw_state_plan_full (self->state);
      g_debug ("re-validating %u cached resolutions and the topology", g_strv_length (plan->functions));
      start_pass (self, plan);
    }
  else if (self->state->topology != NULL && self->link_events->len > 0)
    {
      g_autoptr(GPtrArray) events = g_steal_pointer (&self->link_events);
      g_autoptr(DpugwPassPlan) plan = NULL;

      self->link_events = g_ptr_array_new_with_free_func ((GDestroyNotify) dpugw_link_event_free);
      plan = dpugw_state_plan_links (self->state, events);
      if (plan != NULL)
        start_pass (self, plan);
    }
}

void
dpugw_tracker_refresh (DpugwTracker *self)
{
  self->want_full = TRUE;
  kick (self);
}

void
dpugw_tracker_refresh_async (DpugwTracker *self, GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task = g_task_new (self, self->cancellable, callback, user_data);

  g_task_set_source_tag (task, dpugw_tracker_refresh_async);
  g_ptr_array_add (self->refresh_waiters, task);
  dpugw_tracker_refresh (self);
}

gboolean
dpugw_tracker_refresh_finish (DpugwTracker *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

void
dpugw_tracker_wait_topology_async (DpugwTracker *self, GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr(GTask) task = g_task_new (self, self->cancellable, callback, user_data);

  g_task_set_source_tag (task, dpugw_tracker_wait_topology_async);
  if (self->state->topology != NULL)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }
  g_ptr_array_add (self->topology_waiters, g_steal_pointer (&task));
  /* The first pass is running, or it failed: then try again. */
  if (!self->pass_running || !self->pass_full)
    dpugw_tracker_refresh (self);
}

gboolean
dpugw_tracker_wait_topology_finish (DpugwTracker *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

gboolean
dpugw_tracker_set_config (DpugwTracker *self, DpugwConfig *config)
{
  gboolean changed = dpugw_state_set_config (self->state, config);

  self->reconfiguring = TRUE;
  dpugw_tracker_refresh (self);
  return changed;
}

gboolean
dpugw_tracker_is_reconfiguring (DpugwTracker *self)
{
  return self->reconfiguring;
}

void
dpugw_tracker_wait_reconfigured_async (DpugwTracker *self, GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr(GTask) task = g_task_new (self, self->cancellable, callback, user_data);

  g_task_set_source_tag (task, dpugw_tracker_wait_reconfigured_async);
  if (!self->reconfiguring)
    g_task_return_boolean (task, TRUE);
  else
    g_ptr_array_add (self->reconfigure_waiters, g_steal_pointer (&task));
}

gboolean
dpugw_tracker_wait_reconfigured_finish (DpugwTracker *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* --- link changes ------------------------------------------------------------------------------- */

static void
on_links_changed (DpugwLinkMonitor *monitor, GPtrArray *events, gpointer user_data)
{
  DpugwTracker *self = user_data;
  gboolean addresses = dpugw_gateway_rule_follows_host_network (dpugw_config_gateway_rule (self->state->config));

  for (guint i = 0; i < events->len; i++)
    {
      const DpugwLinkEvent *event = g_ptr_array_index (events, i);
      DpugwLinkEvent *copy;

      /* Addresses and routes matter only to a rule that reads them (a new configuration's full
       * pass reads them anyway). */
      if (event->type == DPUGW_LINK_ADDRESSES && !addresses)
        continue;
      copy = g_new0 (DpugwLinkEvent, 1);

      *copy = *event;
      copy->name = g_strdup (event->name);
      copy->old_name = g_strdup (event->old_name);
      g_ptr_array_add (self->link_events, copy);
    }
  kick (self);
}

void
dpugw_tracker_follow (DpugwTracker *self, DpugwLinkMonitor *monitor)
{
  g_return_if_fail (self->monitor == NULL);
  self->monitor = g_object_ref (monitor);
  g_signal_connect (monitor, "changed", G_CALLBACK (on_links_changed), self);
}

/* --- lookups ------------------------------------------------------------------------------------ */

static void lookup_start (Lookup *lookup);

/* What a lookup found, for the state: its entry, or the failure, and for the configured port both. */
static DpugwFindings *
lookup_findings (const Lookup *lookup, const DpugwResolution *r, const GError *error, const char *failed_function)
{
  g_autoptr(DpugwFindings) findings = dpugw_findings_new ();

  findings->lookup = TRUE;
  if (lookup->kind == DPUGW_LOOKUP_CONFIGURED)
    {
      findings->has_configured = TRUE;
      findings->configured = r != NULL ? dpugw_resolution_copy (r) : NULL;
      findings->configured_error = error != NULL ? g_error_copy (error) : NULL;
    }
  else if (r != NULL)
    {
      findings->entries = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                 (GDestroyNotify) dpugw_cache_entry_free);
      g_hash_table_insert (findings->entries, g_strdup (dpugw_resolution_function (r)),
                           dpugw_cache_entry_new (dpugw_resolution_copy (r)));
      /* Not an altname (answered under its link's primary name): the kernel tells of altname
       * changes only on links that are up, so such a name is asked of the kernel every time. */
      if (lookup->kind == DPUGW_LOOKUP_NETDEV && g_strcmp0 (lookup->value, r->mgmt_port) == 0)
        findings->requested_name = g_strdup (lookup->value);
    }
  if (error != NULL)
    {
      findings->failure_key = g_strdup (lookup->key);
      findings->failure = g_error_copy (error);
      findings->watch_function = g_strdup (failed_function);
    }
  return g_steal_pointer (&findings);
}

static void
lookup_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Lookup *lookup = user_data;
  DpugwTracker *self = lookup->self;
  g_autoptr(GError) error = NULL;
  g_autofree char *failed_function = NULL;
  g_autoptr(DpugwResolution) r = dpugw_lookup_finish (result, &failed_function, &error);
  gboolean fresh;

  if (g_cancellable_is_cancelled (self->cancellable))
    {
      g_hash_table_remove (self->lookups, lookup->key);
      for (guint i = 0; i < lookup->waiters->len; i++)
        g_task_return_new_error (g_ptr_array_index (lookup->waiters, i), G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                 "the service is stopping");
      lookup_free (lookup);
      return;
    }

  /* What it read may be older than what a pass or a link change since has told: read again. */
  fresh = lookup->epoch == self->state->epoch;
  if (!fresh && lookup->retries < LOOKUP_MAX_RETRIES)
    {
      lookup->retries++;
      lookup_start (lookup);
      return;
    }
  g_hash_table_remove (self->lookups, lookup->key);
  if (fresh)
    {
      g_autoptr(DpugwFindings) findings = lookup_findings (lookup, r, error, failed_function);
      take_in (self, findings);
    }
  for (guint i = 0; i < lookup->waiters->len; i++)
    {
      GTask *task = g_ptr_array_index (lookup->waiters, i);

      if (r != NULL)
        g_task_return_pointer (task, dpugw_resolution_copy (r), (GDestroyNotify) dpugw_resolution_free);
      else
        g_task_return_error (task, g_error_copy (error));
    }
  lookup_free (lookup);
}

static void
lookup_start (Lookup *lookup)
{
  DpugwTracker *self = lookup->self;

  lookup->epoch = self->state->epoch;
  dpugw_lookup_async (self->sysfs, self->state->config, lookup->kind, lookup->value, self->cancellable,
                      lookup_done, lookup);
}

void
dpugw_tracker_resolve_async (DpugwTracker *self, DpugwLookupKind kind, const char *value, const char *key,
                             GAsyncReadyCallback callback, gpointer user_data)
{
  Lookup *lookup = g_hash_table_lookup (self->lookups, key);
  GTask *task = g_task_new (self, self->cancellable, callback, user_data);

  g_task_set_source_tag (task, dpugw_tracker_resolve_async);
  if (lookup == NULL)
    {
      lookup = g_new0 (Lookup, 1);
      lookup->self = g_object_ref (self);
      lookup->key = g_strdup (key);
      lookup->kind = kind;
      lookup->value = g_strdup (value);
      lookup->waiters = g_ptr_array_new_with_free_func (g_object_unref);
      g_hash_table_insert (self->lookups, lookup->key, lookup);
      lookup_start (lookup);
    }
  g_ptr_array_add (lookup->waiters, task);
}

DpugwResolution *
dpugw_tracker_resolve_finish (DpugwTracker *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
