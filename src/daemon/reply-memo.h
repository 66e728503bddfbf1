/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/*
 * Resolve's answers kept built: the reply to a cached answer, under the argument as the caller
 * wrote it, until anything changes.  Attached to a connection, it answers a repeated Resolve in
 * GDBus' own thread, as GDBus answers Peer.Ping, without the hop to the main loop and back;
 * anything it does not hold goes on to the object as usual.  Thread-safe: the main thread
 * stores and forgets, GDBus' thread looks up.
 */
typedef struct _DpugwReplyMemo DpugwReplyMemo;

/* For the calls of Resolve on @path, @interface. */
DpugwReplyMemo *dpugw_reply_memo_new (const char *path, const char *interface, guint max_replies);
DpugwReplyMemo *dpugw_reply_memo_ref (DpugwReplyMemo *memo);
void dpugw_reply_memo_unref (DpugwReplyMemo *memo);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DpugwReplyMemo, dpugw_reply_memo_unref)

/* Keeps @reply (Resolve's "(sa{sv})") for @argument; at most max_replies, then all are forgotten. */
void dpugw_reply_memo_store (DpugwReplyMemo *memo, const char *argument, GVariant *reply);
/* The reply kept for @argument (a new reference), or %NULL. */
GVariant *dpugw_reply_memo_lookup (DpugwReplyMemo *memo, const char *argument);
void dpugw_reply_memo_forget (DpugwReplyMemo *memo);
guint dpugw_reply_memo_size (DpugwReplyMemo *memo);

/* Answers the Resolve calls on @connection that the memo holds; a filter id. */
guint dpugw_reply_memo_attach (DpugwReplyMemo *memo, GDBusConnection *connection);

G_END_DECLS
