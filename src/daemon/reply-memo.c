/* SPDX-License-Identifier: Apache-2.0 */
#define G_LOG_DOMAIN "dpugw-reply-memo"

#include "reply-memo.h"

#include <string.h>

struct _DpugwReplyMemo
{
  grefcount ref;
  GMutex lock;
  GHashTable *replies; /* argument -> "(sa{sv})", as built (a tree: GDBus marshals that fastest) */
  guint max_replies;
  char *path;
  char *interface;
};

DpugwReplyMemo *
dpugw_reply_memo_new (const char *path, const char *interface, guint max_replies)
{
  DpugwReplyMemo *memo = g_new0 (DpugwReplyMemo, 1);

  memo->path = g_strdup (path);
  memo->interface = g_strdup (interface);
  g_ref_count_init (&memo->ref);
  g_mutex_init (&memo->lock);
  memo->replies = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_variant_unref);
  memo->max_replies = MAX (max_replies, 1);
  return memo;
}

DpugwReplyMemo *
dpugw_reply_memo_ref (DpugwReplyMemo *memo)
{
  g_ref_count_inc (&memo->ref);
  return memo;
}

void
dpugw_reply_memo_unref (DpugwReplyMemo *memo)
{
  if (memo == NULL || !g_ref_count_dec (&memo->ref))
    return;
  g_hash_table_unref (memo->replies);
  g_mutex_clear (&memo->lock);
  g_free (memo->path);
  g_free (memo->interface);
  g_free (memo);
}

void
dpugw_reply_memo_store (DpugwReplyMemo *memo, const char *argument, GVariant *reply)
{
  g_return_if_fail (g_variant_is_of_type (reply, G_VARIANT_TYPE ("(sa{sv})")));

  g_mutex_lock (&memo->lock);
  /* Bounded: callers that ask for many ports each once gain nothing from it. */
  if (g_hash_table_size (memo->replies) >= memo->max_replies)
    g_hash_table_remove_all (memo->replies);
  g_hash_table_replace (memo->replies, g_strdup (argument), g_variant_ref_sink (reply));
  g_mutex_unlock (&memo->lock);
}

GVariant *
dpugw_reply_memo_lookup (DpugwReplyMemo *memo, const char *argument)
{
  GVariant *reply;

  g_mutex_lock (&memo->lock);
  reply = g_hash_table_lookup (memo->replies, argument);
  if (reply != NULL)
    g_variant_ref (reply);
  g_mutex_unlock (&memo->lock);
  return reply;
}

void
dpugw_reply_memo_forget (DpugwReplyMemo *memo)
{
  g_mutex_lock (&memo->lock);
  g_hash_table_remove_all (memo->replies);
  g_mutex_unlock (&memo->lock);
}

guint
dpugw_reply_memo_size (DpugwReplyMemo *memo)
{
  guint size;

  g_mutex_lock (&memo->lock);
  size = g_hash_table_size (memo->replies);
  g_mutex_unlock (&memo->lock);
  return size;
}

/*
 * In GDBus' thread, for every message: a call of Resolve with one string that the memo holds
 * is answered here and dropped; everything else goes on untouched.  Calls that want no reply,
 * or name another interface, or carry anything but one string, are the object's to refuse.
 */
static GDBusMessage *
filter (GDBusConnection *connection, GDBusMessage *message, gboolean incoming, gpointer user_data)
{
  DpugwReplyMemo *memo = user_data;
  const char *interface, *argument;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GDBusMessage) answer = NULL;
  GVariant *body;

  if (!incoming || g_dbus_message_get_message_type (message) != G_DBUS_MESSAGE_TYPE_METHOD_CALL ||
      (g_dbus_message_get_flags (message) & G_DBUS_MESSAGE_FLAGS_NO_REPLY_EXPECTED) != 0 ||
      g_strcmp0 (g_dbus_message_get_member (message), "Resolve") != 0 ||
      g_strcmp0 (g_dbus_message_get_path (message), memo->path) != 0)
    return message;
  interface = g_dbus_message_get_interface (message);
  if (interface != NULL && strcmp (interface, memo->interface) != 0)
    return message;
  body = g_dbus_message_get_body (message);
  if (body == NULL || !g_variant_is_of_type (body, G_VARIANT_TYPE ("(s)")))
    return message;
  g_variant_get (body, "(&s)", &argument);
  reply = dpugw_reply_memo_lookup (memo, argument);
  if (reply == NULL)
    return message;

  answer = g_dbus_message_new_method_reply (message);
  g_dbus_message_set_body (answer, reply);
  /* Queued for GDBus' writer; an error here is the connection going away, as for any reply. */
  g_dbus_connection_send_message (connection, answer, G_DBUS_SEND_MESSAGE_FLAGS_NONE, NULL, NULL);
  g_object_unref (message);
  return NULL;
}

guint
dpugw_reply_memo_attach (DpugwReplyMemo *memo, GDBusConnection *connection)
{
  /* The filter may still run after it is removed: it holds a reference of its own. */
  return g_dbus_connection_add_filter (connection, filter, dpugw_reply_memo_ref (memo),
                                       (GDestroyNotify) dpugw_reply_memo_unref);
}
