/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include "ctl.h"

G_BEGIN_DECLS

/*
 * Following the service's answer for a management port, for the commands that keep up with it
 * (wait, node-labels): the connection (the bus, or the socket of --address, which may come
 * later and go and come back), the service's change signals and its name.  Whenever the answer
 * may have changed (the service appeared, or said something changed) it asks ResolveAll again,
 * one call at a time: changes while a call is out make one more call after it.  @answer gets
 * each reply, (asa{sv}), or the error; @gone is told when the service went (@message says how).
 * Nothing is polled.
 */
typedef struct _CtlFollow CtlFollow;

typedef void (*CtlFollowAnswer) (CtlFollow *follow, GVariant *reply, const GError *error, gpointer user_data);
typedef void (*CtlFollowGone) (CtlFollow *follow, const char *message, gpointer user_data);

/* @mgmt_port: NULL for the configured one.  NULL with the message printed and *exit_code set
 * when it cannot even start (a bus that is not there, an address it cannot watch). */
CtlFollow *ctl_follow_new (const CtlOptions *options, const char *mgmt_port, CtlFollowAnswer answer,
                           CtlFollowGone gone, gpointer user_data, int *exit_code);
void ctl_follow_free (CtlFollow *follow);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CtlFollow, ctl_follow_free)


G_END_DECLS
