/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include "ctl.h"

G_BEGIN_DECLS

/*
 * Following the service, for the commands that keep up with it (wait, node-labels): the
 * connection (the bus, or the socket of --address, which may come later and go and come
 * back), the service's change signals and its name.  @changed is called whenever the answer
 * may have changed: the service appeared, or said something changed; @gone when it went
 * (@message says how).  Nothing is polled.
 */
typedef struct _CtlFollow CtlFollow;

typedef void (*CtlFollowChanged) (CtlFollow *follow, gpointer user_data);
typedef void (*CtlFollowGone) (CtlFollow *follow, const char *message, gpointer user_data);

/* NULL with the message printed and *exit_code set when it cannot even start (a bus that is
 * not there, an address it cannot watch). */
CtlFollow *ctl_follow_new (const CtlOptions *options, CtlFollowChanged changed, CtlFollowGone gone,
                           gpointer user_data, int *exit_code);
void ctl_follow_free (CtlFollow *follow);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CtlFollow, ctl_follow_free)

/* The connection while there is one, else NULL. */
GDBusConnection *ctl_follow_get_connection (CtlFollow *follow);

/* ResolveAll(@mgmt_port) on the connection, the reply to @callback (g_dbus_connection_call_finish);
 * FALSE when there is no connection. */
gboolean ctl_follow_resolve (CtlFollow *follow, const char *mgmt_port, GCancellable *cancellable,
                             GAsyncReadyCallback callback, gpointer user_data);

G_END_DECLS
