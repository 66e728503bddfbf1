/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <gio/gio.h>

#include "service.h"

G_BEGIN_DECLS

/* How many peers may be connected at once, by default (dpu-gatewayd --max-peers). */
#define DPUGW_PEERS_MAX_DEFAULT 32

typedef struct _DpugwPeers DpugwPeers;

/* Serves @service to peers on each of @addresses (unix:path=/ABSOLUTE/PATH, as
 * /run/systemd/private): EXTERNAL authentication only, at most @max_peers at once.  A socket file
 * left by a daemon that died is replaced; one another process listens on is an error. */
DpugwPeers *dpugw_peers_new (DpugwService *service, const char * const *addresses, guint max_peers,
                             GError **error);
void dpugw_peers_free (DpugwPeers *peers);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DpugwPeers, dpugw_peers_free)

/* Checks an address as --listen takes it; the path it names, or NULL and @error. */
char *dpugw_peers_address_path (const char *address, GError **error);

G_END_DECLS
