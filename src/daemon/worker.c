/* SPDX-License-Identifier: Apache-2.0 */
#define G_LOG_DOMAIN "dpugw-worker"

#include "worker.h"

typedef struct {
  DpugwSysfs *sysfs;
  DpugwConfig *config;
  DpugwLookupKind kind;
  char *value;
  GStrv vfs;
  GStrv pfs;
  GStrv names;
} JobData;

static void
job_data_free (JobData *job)
{
  g_clear_object (&job->sysfs);
  g_clear_pointer (&job->config, dpugw_config_free);
  g_free (job->value);
  g_strfreev (job->vfs);
  g_strfreev (job->pfs);
  g_strfreev (job->names);
  g_free (job);
}

static JobData *
job_data_new (DpugwSysfs *sysfs, const DpugwConfig *config)
{
  JobData *job = g_new0 (JobData, 1);

  job->sysfs = g_object_ref (sysfs);
  job->config = config != NULL ? dpugw_config_copy (config) : NULL;
  return job;
}

static void
lookup_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  JobData *job = task_data;
  GError *error = NULL;
  DpugwResolution *r;

  r = dpugw_resolve (job->sysfs, job->config,
                     job->kind == DPUGW_LOOKUP_CONFIGURED ? NULL : job->value, &error);
  if (r == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, r, (GDestroyNotify) dpugw_resolution_free);
}

static void
lookup_pool_run (gpointer data, gpointer user_data)
{
  g_autoptr(GTask) task = data;

  if (g_task_return_error_if_cancelled (task))
    return;
  lookup_thread (task, NULL, g_task_get_task_data (task), g_task_get_cancellable (task));
}

/*
 * Lookups run on as many threads as there are CPUs, not on GTask's ten: reading sysfs is CPU
 * work, so more threads would not answer sooner, only hold more resolutions in flight (on a
 * switchdev PF each lists some 500 netdevs), scattering their allocations through the heap.
 */
static GThreadPool *
lookup_pool (void)
{
  static GThreadPool *pool;

  if (g_once_init_enter (&pool))
    g_once_init_leave (&pool, g_thread_pool_new (lookup_pool_run, NULL, (gint) MAX (g_get_num_processors (), 1),
                                                 FALSE, NULL));
  return pool;
}

void
dpugw_lookup_async (DpugwSysfs          *sysfs,
                    const DpugwConfig   *config,
                    DpugwLookupKind      kind,
                    const char          *value,
                    GCancellable        *cancellable,
                    GAsyncReadyCallback  callback,
                    gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  JobData *job = job_data_new (sysfs, config);

  job->kind = kind;
  job->value = g_strdup (value);
  g_task_set_source_tag (task, dpugw_lookup_async);
  g_task_set_task_data (task, job, (GDestroyNotify) job_data_free);
  g_thread_pool_push (lookup_pool (), g_steal_pointer (&task), NULL);
}

DpugwResolution *
dpugw_lookup_finish (GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

void
dpugw_pass_free (DpugwPass *pass)
{
  if (pass == NULL)
    return;
  g_strfreev (pass->vfs);
  g_clear_pointer (&pass->results, g_ptr_array_unref);
  g_clear_pointer (&pass->errors, g_ptr_array_unref);
  g_clear_pointer (&pass->configured, dpugw_resolution_free);
  g_clear_error (&pass->configured_error);
  g_clear_pointer (&pass->pfs, g_ptr_array_unref);
  g_free (pass);
}

static void
error_free0 (gpointer error)
{
  if (error != NULL)
    g_error_free (error);
}

static void
pass_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  JobData *job = task_data;
  g_autoptr(DpugwPass) pass = g_new0 (DpugwPass, 1);
  GError *error = NULL;

  pass->vfs = g_strdupv (job->vfs);
  pass->results = g_ptr_array_new_with_free_func ((GDestroyNotify) dpugw_resolution_free);
  pass->errors = g_ptr_array_new_with_free_func (error_free0);
  for (guint i = 0; pass->vfs[i] != NULL; i++)
    {
      GError *vf_error = NULL;
      DpugwResolution *r = dpugw_resolve_function (job->sysfs, job->config, pass->vfs[i], &vf_error);

      g_ptr_array_add (pass->results, r);
      g_ptr_array_add (pass->errors, vf_error);
    }

  pass->configured = dpugw_resolve (job->sysfs, job->config, NULL, &pass->configured_error);

  pass->pfs = dpugw_topology_scan (job->sysfs, &error);
  if (pass->pfs == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_return_pointer (task, g_steal_pointer (&pass), (GDestroyNotify) dpugw_pass_free);
}

void
dpugw_pass_async (DpugwSysfs          *sysfs,
                  const DpugwConfig   *config,
                  const char * const  *vfs,
                  GCancellable        *cancellable,
                  GAsyncReadyCallback  callback,
                  gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  JobData *job = job_data_new (sysfs, config);

  job->vfs = vfs != NULL ? g_strdupv ((char **) vfs) : g_new0 (char *, 1);
  g_task_set_source_tag (task, dpugw_pass_async);
  g_task_set_task_data (task, job, (GDestroyNotify) job_data_free);
  g_task_run_in_thread (task, pass_thread);
}

DpugwPass *
dpugw_pass_finish (GAsyncResult *result, GError **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

void
dpugw_link_pass_free (DpugwLinkPass *pass)
{
  if (pass == NULL)
    return;
  g_strfreev (pass->vfs);
  g_clear_pointer (&pass->vf_results, g_ptr_array_unref);
  g_clear_pointer (&pass->vf_netdevs, g_ptr_array_unref);
  g_strfreev (pass->pfs);
  g_clear_pointer (&pass->pf_netdevs, g_ptr_array_unref);
  g_clear_pointer (&pass->pf_choices, g_ptr_array_unref);
  g_clear_pointer (&pass->rescanned, g_ptr_array_unref);
  g_clear_pointer (&pass->rescanned_choices, g_ptr_array_unref);
  g_clear_pointer (&pass->configured, dpugw_resolution_free);
  g_clear_error (&pass->configured_error);
  g_free (pass);
}

/* The netdevs of a PCI function, sorted; empty when it has none or they cannot be read. */
static GStrv
netdevs_or_empty (DpugwSysfs *sysfs, const char *pci)
{
  GStrv netdevs = dpugw_netdevs_from_pci (sysfs, pci, NULL);
  return netdevs != NULL ? netdevs : g_new0 (char *, 1);
}

static void
link_pass_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  JobData *job = task_data;
  g_autoptr(DpugwLinkPass) pass = g_new0 (DpugwLinkPass, 1);
  g_autoptr(GHashTable) rescan = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  GHashTableIter iter;
  gpointer pci;

  pass->vfs = g_strdupv (job->vfs);
  pass->vf_results = g_ptr_array_new_with_free_func ((GDestroyNotify) dpugw_resolution_free);
  pass->vf_netdevs = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  for (guint i = 0; pass->vfs[i] != NULL; i++)
    {
      g_ptr_array_add (pass->vf_results, dpugw_resolve_function (job->sysfs, job->config, pass->vfs[i], NULL));
      g_ptr_array_add (pass->vf_netdevs, netdevs_or_empty (job->sysfs, pass->vfs[i]));
    }

  pass->pfs = g_strdupv (job->pfs);
  pass->pf_netdevs = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  pass->pf_choices = g_ptr_array_new_with_free_func ((GDestroyNotify) dpugw_resolution_free);
  for (guint i = 0; pass->pfs[i] != NULL; i++)
    {
      g_ptr_array_add (pass->pf_netdevs, netdevs_or_empty (job->sysfs, pass->pfs[i]));
      g_ptr_array_add (pass->pf_choices, dpugw_resolve_pf (job->sysfs, job->config, pass->pfs[i], NULL));
    }

  /* A netdev nobody knew: a new VF's (scan its PF again) or a PF's. */
  for (guint i = 0; job->names[i] != NULL; i++)
    {
      g_autofree char *fn = dpugw_pci_from_netdev (job->sysfs, job->names[i], NULL);
      g_autofree char *pf = NULL;

      if (fn == NULL)
        continue;
      pf = dpugw_pf_pci_from_vf_pci (job->sysfs, fn, NULL);
      g_hash_table_add (rescan, pf != NULL ? g_steal_pointer (&pf) : g_steal_pointer (&fn));
    }
  pass->rescanned = g_ptr_array_new_with_free_func ((GDestroyNotify) dpugw_pf_free);
  pass->rescanned_choices = g_ptr_array_new_with_free_func ((GDestroyNotify) dpugw_resolution_free);
  g_hash_table_iter_init (&iter, rescan);
  while (g_hash_table_iter_next (&iter, &pci, NULL))
    {
      DpugwPf *pf = dpugw_topology_scan_pf (job->sysfs, pci, NULL);
      if (pf != NULL)
        {
          g_ptr_array_add (pass->rescanned, pf);
          g_ptr_array_add (pass->rescanned_choices, dpugw_resolve_pf (job->sysfs, job->config, pci, NULL));
        }
    }

  pass->configured = dpugw_resolve (job->sysfs, job->config, NULL, &pass->configured_error);
  g_task_return_pointer (task, g_steal_pointer (&pass), (GDestroyNotify) dpugw_link_pass_free);
}

void
dpugw_link_pass_async (DpugwSysfs          *sysfs,
                       const DpugwConfig   *config,
                       const char * const  *vfs,
                       const char * const  *pfs,
                       const char * const  *names,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  JobData *job = job_data_new (sysfs, config);

  job->vfs = g_strdupv ((char **) vfs);
  job->pfs = g_strdupv ((char **) pfs);
  job->names = g_strdupv ((char **) names);
  g_task_set_source_tag (task, dpugw_link_pass_async);
  g_task_set_task_data (task, job, (GDestroyNotify) job_data_free);
  g_task_run_in_thread (task, link_pass_thread);
}

DpugwLinkPass *
dpugw_link_pass_finish (GAsyncResult *result, GError **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

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
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  JobData *job = job_data_new (sysfs, config);

  job->value = g_strdup (mgmt_port);
  g_task_set_source_tag (task, dpugw_diagnose_async);
  g_task_set_task_data (task, job, (GDestroyNotify) job_data_free);
  g_task_run_in_thread (task, diagnose_thread);
}

GVariant *
dpugw_diagnose_finish (GAsyncResult *result, GError **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}
