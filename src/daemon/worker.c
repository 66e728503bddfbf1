/* SPDX-License-Identifier: Apache-2.0
 *
 * The daemon's sysfs work in worker threads: lookups, re-validation passes and diagnoses.
 */
#define G_LOG_DOMAIN "dpugw-worker"

#include "worker.h"

typedef struct {
  DpugwSysfs *sysfs;
  DpugwConfig *config;
  DpugwLookupKind kind;
  char *value;
  DpugwPassPlan *plan;
  char *failed_function;   /* a lookup that failed for want of its PF's netdevs: its function */
} JobData;

static void
job_data_free (JobData *job)
{
  g_clear_object (&job->sysfs);
  g_clear_pointer (&job->config, dpugw_config_free);
  g_free (job->value);
  g_free (job->failed_function);
  g_clear_pointer (&job->plan, dpugw_pass_plan_free);
  g_free (job);
}

static GTask *
job_new (DpugwSysfs *sysfs, const DpugwConfig *config, gpointer source_tag,
         GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);
  JobData *job = g_new0 (JobData, 1);

  job->sysfs = g_object_ref (sysfs);
  job->config = config != NULL ? dpugw_config_copy (config) : NULL;
  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, job, (GDestroyNotify) job_data_free);
  return task;
}

/* --- lookups ------------------------------------------------------------------------------------ */

static void
lookup_run (gpointer data, gpointer user_data)
{
  g_autoptr(GTask) task = data;
  JobData *job = g_task_get_task_data (task);
  GError *error = NULL;
  DpugwResolution *r;

  if (g_task_return_error_if_cancelled (task))
    return;
  r = dpugw_resolve (job->sysfs, job->config, job->kind == DPUGW_LOOKUP_CONFIGURED ? NULL : job->value, &error);
  /* Its PF has no netdev yet (a driver still loading): the VF, to follow until it has. */
  if (r == NULL && (g_error_matches (error, DPUGW_ERROR, DPUGW_ERROR_NO_NETDEVS) ||
                    g_error_matches (error, DPUGW_ERROR, DPUGW_ERROR_NETDEV_DISCOVERY)))
    {
      if (job->kind == DPUGW_LOOKUP_PCI)
        job->failed_function = g_strdup (job->value);
      else if (job->kind == DPUGW_LOOKUP_NETDEV)
        job->failed_function = dpugw_pci_from_netdev (job->sysfs, job->value, NULL);
    }
  if (r == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, r, (GDestroyNotify) dpugw_resolution_free);
}

/*
 * Lookups run on as many threads as there are CPUs, not on GTask's pool: reading sysfs is CPU
 * work, so more threads would not answer sooner, only hold more resolutions in flight.
 */
static GThreadPool *
lookup_pool (void)
{
  static GThreadPool *pool;

  if (g_once_init_enter (&pool))
    g_once_init_leave (&pool, g_thread_pool_new (lookup_run, NULL, (gint) MAX (g_get_num_processors (), 1),
                                                 FALSE, NULL));
  return pool;
}

void
dpugw_lookup_async (DpugwSysfs *sysfs, const DpugwConfig *config, DpugwLookupKind kind, const char *value,
                    GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task = job_new (sysfs, config, dpugw_lookup_async, cancellable, callback, user_data);
  JobData *job = g_task_get_task_data (task);

  job->kind = kind;
  job->value = g_strdup (value);
  g_thread_pool_push (lookup_pool (), task, NULL);
}

DpugwResolution *
dpugw_lookup_finish (GAsyncResult *result, char **failed_function, GError **error)
{
  JobData *job;

  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  job = g_task_get_task_data (G_TASK (result));
  if (failed_function != NULL)
    *failed_function = g_strdup (job->failed_function);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* --- passes ------------------------------------------------------------------------------------- */

DpugwPassPlan *
dpugw_pass_plan_new (void)
{
  DpugwPassPlan *plan = g_new0 (DpugwPassPlan, 1);

  plan->functions = g_new0 (char *, 1);
  plan->vfs = g_new0 (char *, 1);
  plan->pfs = g_new0 (char *, 1);
  plan->names = g_new0 (char *, 1);
  return plan;
}

void
dpugw_pass_plan_free (DpugwPassPlan *plan)
{
  if (plan == NULL)
    return;
  g_strfreev (plan->functions);
  g_strfreev (plan->vfs);
  g_strfreev (plan->pfs);
  g_strfreev (plan->names);
  g_free (plan);
}

static DpugwPassPlan *
pass_plan_copy (const DpugwPassPlan *plan)
{
  DpugwPassPlan *copy = g_new0 (DpugwPassPlan, 1);

  copy->full = plan->full;
  copy->functions = g_strdupv (plan->functions);
  copy->vfs = g_strdupv (plan->vfs);
  copy->pfs = g_strdupv (plan->pfs);
  copy->names = g_strdupv (plan->names);
  return copy;
}

DpugwFindings *
dpugw_findings_new (void)
{
  return g_new0 (DpugwFindings, 1);
}

void
dpugw_findings_free (DpugwFindings *findings)
{
  if (findings == NULL)
    return;
  g_clear_pointer (&findings->topology, g_ptr_array_unref);
  g_clear_pointer (&findings->rescanned, g_ptr_array_unref);
  g_clear_pointer (&findings->pf_netdevs, g_hash_table_unref);
  g_clear_pointer (&findings->vf_netdevs, g_hash_table_unref);
  g_clear_pointer (&findings->choices, g_hash_table_unref);
  g_clear_pointer (&findings->entries, g_hash_table_unref);
  g_free (findings->requested_name);
  g_clear_pointer (&findings->configured, dpugw_resolution_free);
  g_clear_error (&findings->configured_error);
  g_free (findings->failure_key);
  g_clear_error (&findings->failure);
  g_free (findings->watch_function);
  g_free (findings);
}

/* The netdevs of a PCI function as the topology lists them; empty when it has none or they cannot be read. */
static GStrv
netdevs_or_empty (DpugwSysfs *sysfs, const char *pci)
{
  return dpugw_topology_netdevs (sysfs, pci);
}

/* The PF's choice, or NULL when it no longer resolves. */
static DpugwChoice *
pf_choice (JobData *job, const char *pf)
{
  DpugwResolution *r = dpugw_resolve_pf (job->sysfs, job->config, pf, NULL);
  g_autoptr(DpugwResolution) owned = r;

  return r != NULL ? dpugw_choice_new_take (r) : NULL;
}

static void
resolve_functions (JobData *job, DpugwFindings *findings)
{
  /* A PF's functions share its choice: one copy of each (a switchdev PF's lists 513 netdevs). */
  g_autoptr(GHashTable) shared = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; job->plan->functions[i] != NULL; i++)
    {
      const char *function = job->plan->functions[i];
      DpugwResolution *r = dpugw_resolve_function (job->sysfs, job->config, function, NULL);
      DpugwCacheEntry *entry = r != NULL ? dpugw_cache_entry_new (r) : NULL;

      if (entry != NULL)
        {
          DpugwChoice *same = g_hash_table_lookup (shared, entry->choice->pf_pci);

          if (same != NULL && dpugw_choice_equal (same, entry->choice))
            {
              dpugw_choice_unref (entry->choice);
              entry->choice = dpugw_choice_ref (same);
            }
          else
            g_hash_table_insert (shared, entry->choice->pf_pci, entry->choice);
        }
      g_hash_table_insert (findings->entries, g_strdup (function), entry);
    }
}

static void
pass_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  JobData *job = task_data;
  const DpugwPassPlan *plan = job->plan;
  g_autoptr(DpugwFindings) findings = dpugw_findings_new ();
  g_autoptr(GHashTable) rescan = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  GHashTableIter iter;
  gpointer pci;
  GError *error = NULL;

  findings->full = plan->full;
  findings->pf_netdevs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_strfreev);
  findings->vf_netdevs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_strfreev);
  findings->choices = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) dpugw_choice_unref);
  findings->entries = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                             (GDestroyNotify) dpugw_cache_entry_free);
  findings->rescanned = g_ptr_array_new_with_free_func ((GDestroyNotify) dpugw_pf_free);

  if (plan->full)
    {
      findings->topology = dpugw_topology_scan (job->sysfs, &error);
      if (findings->topology == NULL)
        {
          g_task_return_error (task, error);
          return;
        }
    }

  resolve_functions (job, findings);

  for (guint i = 0; plan->vfs[i] != NULL; i++)
    g_hash_table_insert (findings->vf_netdevs, g_strdup (plan->vfs[i]), netdevs_or_empty (job->sysfs, plan->vfs[i]));

  for (guint i = 0; plan->pfs[i] != NULL; i++)
    {
      g_hash_table_insert (findings->pf_netdevs, g_strdup (plan->pfs[i]), netdevs_or_empty (job->sysfs, plan->pfs[i]));
      g_hash_table_insert (findings->choices, g_strdup (plan->pfs[i]), pf_choice (job, plan->pfs[i]));
    }

  /* A netdev nobody knew: a new VF's (its PF is scanned again) or a PF's. */
  for (guint i = 0; plan->names[i] != NULL; i++)
    {
      g_autofree char *fn = dpugw_pci_from_netdev (job->sysfs, plan->names[i], NULL);
      g_autofree char *pf = NULL;

      if (fn == NULL)
        continue;
      pf = dpugw_pf_pci_from_vf_pci (job->sysfs, fn, NULL);
      g_hash_table_add (rescan, pf != NULL ? g_steal_pointer (&pf) : g_steal_pointer (&fn));
    }
  g_hash_table_iter_init (&iter, rescan);
  while (g_hash_table_iter_next (&iter, &pci, NULL))
    {
      DpugwPf *pf = dpugw_topology_scan_pf (job->sysfs, pci, NULL);

      if (pf == NULL)
        continue;
      g_ptr_array_add (findings->rescanned, pf);
      g_hash_table_insert (findings->choices, g_strdup (pci), pf_choice (job, pci));
    }

  findings->has_configured = TRUE;
  findings->configured = dpugw_resolve (job->sysfs, job->config, NULL, &findings->configured_error);
  g_task_return_pointer (task, g_steal_pointer (&findings), (GDestroyNotify) dpugw_findings_free);
}

void
dpugw_pass_async (DpugwSysfs *sysfs, const DpugwConfig *config, const DpugwPassPlan *plan,
                  GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr(GTask) task = job_new (sysfs, config, dpugw_pass_async, cancellable, callback, user_data);
  JobData *job = g_task_get_task_data (task);

  job->plan = pass_plan_copy (plan);
  g_task_run_in_thread (task, pass_thread);
}

DpugwFindings *
dpugw_pass_finish (GAsyncResult *result, GError **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* --- diagnoses ---------------------------------------------------------------------------------- */

static void
diagnose_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  JobData *job = task_data;
  g_autoptr(GPtrArray) steps = dpugw_diagnose (job->sysfs, job->config, job->value);

  g_task_return_pointer (task, g_variant_ref_sink (dpugw_diag_steps_to_variant (steps)),
                         (GDestroyNotify) g_variant_unref);
}

void
dpugw_diagnose_async (DpugwSysfs *sysfs, const DpugwConfig *config, const char *mgmt_port,
                      GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr(GTask) task = job_new (sysfs, config, dpugw_diagnose_async, cancellable, callback, user_data);
  JobData *job = g_task_get_task_data (task);

  job->value = g_strdup (mgmt_port);
  g_task_run_in_thread (task, diagnose_thread);
}

GVariant *
dpugw_diagnose_finish (GAsyncResult *result, GError **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}
