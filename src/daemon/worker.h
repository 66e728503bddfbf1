/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <gio/gio.h>
#include <dpu-gateway/dpu-gateway.h>

G_BEGIN_DECLS

/*
 * The daemon's sysfs work, run in worker threads so that the main loop never
 * blocks on I/O: lookups on a pool of as many threads as CPUs, passes and
 * diagnoses in GTask's.  Each job takes its own copies of what it needs.
 */

typedef enum {
  DPUGW_LOOKUP_CONFIGURED,  /* the configured management port */
  DPUGW_LOOKUP_NETDEV,      /* a netdev name, validated */
  DPUGW_LOOKUP_PCI,         /* a VF PCI address, normalised */
} DpugwLookupKind;

void dpugw_lookup_async (DpugwSysfs          *sysfs,
                         const DpugwConfig   *config,
                         DpugwLookupKind      kind,
                         const char          *value,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data);
DpugwResolution *dpugw_lookup_finish (GAsyncResult *result, GError **error);

/* One re-validation pass: the given VFs, the configured port and the topology. */
typedef struct {
  GStrv vfs;
  GPtrArray *results;             /* parallel to vfs: DpugwResolution or NULL */
  GPtrArray *errors;              /* parallel to vfs: GError or NULL */
  DpugwResolution *configured;    /* NULL on failure */
  GError *configured_error;
  GPtrArray *pfs;                 /* DpugwPf: the whole topology */
} DpugwPass;

void dpugw_pass_free (DpugwPass *pass);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DpugwPass, dpugw_pass_free)

void dpugw_pass_async (DpugwSysfs          *sysfs,
                       const DpugwConfig   *config,
                       const char * const  *vfs,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data);
DpugwPass *dpugw_pass_finish (GAsyncResult *result, GError **error);

/*
 * The re-validation after link changes: only what they touched.  @vfs are
 * re-resolved and their netdevs listed, @pfs' netdevs listed, @names
 * (netdevs nobody knew) classified: the PF of each is scanned again.
 */
typedef struct {
  GStrv vfs;
  GPtrArray *vf_results;          /* parallel to vfs: DpugwResolution or NULL */
  GPtrArray *vf_netdevs;          /* parallel to vfs: GStrv, empty when none */
  GStrv pfs;
  GPtrArray *pf_netdevs;          /* parallel to pfs: GStrv, empty when none */
  GPtrArray *pf_choices;          /* parallel to pfs: dpugw_resolve_pf()'s, NULL on failure */
  GPtrArray *rescanned;           /* DpugwPf */
  GPtrArray *rescanned_choices;   /* parallel to rescanned: as pf_choices */
  DpugwResolution *configured;    /* the configured port, NULL on failure */
  GError *configured_error;
} DpugwLinkPass;

void dpugw_link_pass_free (DpugwLinkPass *pass);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DpugwLinkPass, dpugw_link_pass_free)

void dpugw_link_pass_async (DpugwSysfs          *sysfs,
                            const DpugwConfig   *config,
                            const char * const  *vfs,
                            const char * const  *pfs,
                            const char * const  *names,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data);
DpugwLinkPass *dpugw_link_pass_finish (GAsyncResult *result, GError **error);

/* Diagnose: dpugw_diagnose() off the main loop; the result is its aa{sv}. */
void dpugw_diagnose_async (DpugwSysfs *sysfs, const DpugwConfig *config, const char *mgmt_port,
                           GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data);
GVariant *dpugw_diagnose_finish (GAsyncResult *result, GError **error);

G_END_DECLS
