/* SPDX-License-Identifier: Apache-2.0
 *
 * Resolve's kept replies: bounded, forgotten at once, and answered from GDBus' thread on a real
 * bus connection, with nothing registered behind them, while every other message goes on.
 */
#include "reply-memo.h"
#include "testbus.h"

#define PATH  "/org/ovnk/DpuGateway"
#define IFACE "org.ovnk.DpuGateway"

static GVariant *
reply (const char *interface)
{
  GVariantBuilder details;

  g_variant_builder_init (&details, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&details, "{sv}", "generation", g_variant_new_uint64 (7));
  return g_variant_new ("(sa{sv})", interface, &details);
}

static void
test_store_lookup_forget (void)
{
  g_autoptr(DpugwReplyMemo) memo = dpugw_reply_memo_new (PATH, IFACE, 4);
  g_autoptr(GVariant) got = NULL;

  g_assert_null (dpugw_reply_memo_lookup (memo, "pf0vf0"));
  dpugw_reply_memo_store (memo, "pf0vf0", reply ("eth0"));
  got = dpugw_reply_memo_lookup (memo, "pf0vf0");
  g_assert_nonnull (got);
  g_assert_cmpstr (g_variant_get_type_string (got), ==, "(sa{sv})");
  g_assert_null (dpugw_reply_memo_lookup (memo, "PF0VF0"));

  /* Bounded: the fifth forgets the four before it. */
  for (guint i = 0; i < 4; i++)
    {
      g_autofree char *arg = g_strdup_printf ("vf%u", i);
      dpugw_reply_memo_store (memo, arg, reply ("eth0"));
      g_assert_cmpuint (dpugw_reply_memo_size (memo), <=, 4);
    }
  g_assert_cmpuint (dpugw_reply_memo_size (memo), ==, 1);

  dpugw_reply_memo_forget (memo);
  g_assert_cmpuint (dpugw_reply_memo_size (memo), ==, 0);
  g_assert_null (dpugw_reply_memo_lookup (memo, "vf3"));
}

typedef struct {
  GTestDBus *bus;
  GDBusConnection *server;
  GDBusConnection *client;
  DpugwReplyMemo *memo;
  guint filter_id;
} Fixture;

static void
fixture_setup (Fixture *f, gconstpointer unused)
{
  f->bus = g_test_dbus_new (G_TEST_DBUS_NONE);
  g_test_dbus_up (f->bus);
  f->server = dpugw_test_connect (g_test_dbus_get_bus_address (f->bus));
  f->client = dpugw_test_connect (g_test_dbus_get_bus_address (f->bus));
  f->memo = dpugw_reply_memo_new (PATH, IFACE, 8);
  f->filter_id = dpugw_reply_memo_attach (f->memo, f->server);
}

static void
fixture_teardown (Fixture *f, gconstpointer unused)
{
  g_dbus_connection_remove_filter (f->server, f->filter_id);
  g_clear_pointer (&f->memo, dpugw_reply_memo_unref);
  g_dbus_connection_close_sync (f->client, NULL, NULL);
  g_dbus_connection_close_sync (f->server, NULL, NULL);
  g_clear_object (&f->client);
  g_clear_object (&f->server);
  g_test_dbus_down (f->bus);
  g_clear_object (&f->bus);
}

static GVariant *
call (Fixture *f, const char *interface, const char *method, GVariant *params, GError **error)
{
  return g_dbus_connection_call_sync (f->client, g_dbus_connection_get_unique_name (f->server), PATH, interface,
                                      method, params, NULL, G_DBUS_CALL_FLAGS_NONE, 10000, NULL, error);
}

/* Nothing is registered on the server: only the filter can answer. */
static void
test_answered_in_gdbus_thread (Fixture *f, gconstpointer unused)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) got = NULL;
  const char *interface;

  dpugw_reply_memo_store (f->memo, "pf0vf0", reply ("eth0"));
  got = call (f, IFACE, "Resolve", g_variant_new ("(s)", "pf0vf0"), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (g_variant_get_type_string (got), ==, "(sa{sv})");
  g_variant_get (got, "(&sa{sv})", &interface, NULL);
  g_assert_cmpstr (interface, ==, "eth0");
  g_clear_pointer (&got, g_variant_unref);

  /* D-Bus lets a call name no interface. */
  {
    g_autoptr(GDBusMessage) message = g_dbus_message_new_method_call (g_dbus_connection_get_unique_name (f->server),
                                                                      PATH, NULL, "Resolve");
    g_autoptr(GDBusMessage) answer = NULL;

    g_dbus_message_set_body (message, g_variant_new ("(s)", "pf0vf0"));
    answer = g_dbus_connection_send_message_with_reply_sync (f->client, message, G_DBUS_SEND_MESSAGE_FLAGS_NONE,
                                                             10000, NULL, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpint (g_dbus_message_get_message_type (answer), ==, G_DBUS_MESSAGE_TYPE_METHOD_RETURN);
    g_assert_cmpstr (g_variant_get_type_string (g_dbus_message_get_body (answer)), ==, "(sa{sv})");
  }

  /* Forgotten: on to the object, of which there is none. */
  dpugw_reply_memo_forget (f->memo);
  got = call (f, IFACE, "Resolve", g_variant_new ("(s)", "pf0vf0"), &error);
  g_assert_null (got);
  g_assert_error (error, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_METHOD);
}

/* Whatever is not exactly a kept Resolve goes on untouched. */
static void
test_others_pass (Fixture *f, gconstpointer unused)
{
  static const struct {
    const char *interface, *method, *signature;
  } calls[] = {
    { IFACE, "Resolve", "(ss)" },          /* another signature: the object's InvalidArgs */
    { IFACE, "Resolve", "(u)" },
    { IFACE, "ResolveAll", "(s)" },        /* another method */
    { IFACE "2", "Resolve", "(s)" },       /* another interface */
    { "org.freedesktop.DBus.Properties", "Resolve", "(s)" },
  };

  dpugw_reply_memo_store (f->memo, "pf0vf0", reply ("eth0"));
  for (guint i = 0; i < G_N_ELEMENTS (calls); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GVariant) params = NULL;
      g_autoptr(GVariant) got = NULL;

      if (g_str_equal (calls[i].signature, "(ss)"))
        params = g_variant_ref_sink (g_variant_new ("(ss)", "pf0vf0", "x"));
      else if (g_str_equal (calls[i].signature, "(u)"))
        params = g_variant_ref_sink (g_variant_new ("(u)", 7));
      else
        params = g_variant_ref_sink (g_variant_new ("(s)", "pf0vf0"));
      got = call (f, calls[i].interface, calls[i].method, params, &error);
      g_assert_null (got);
      g_assert_error (error, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_METHOD);
    }

  /* Another path. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(GVariant) got = g_dbus_connection_call_sync (f->client, g_dbus_connection_get_unique_name (f->server),
                                                           PATH "/x", IFACE, "Resolve",
                                                           g_variant_new ("(s)", "pf0vf0"), NULL,
                                                           G_DBUS_CALL_FLAGS_NONE, 10000, NULL, &error);
    g_assert_null (got);
    g_assert_error (error, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_METHOD);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/reply-memo/store-lookup-forget", test_store_lookup_forget);
  g_test_add ("/reply-memo/answered-in-gdbus-thread", Fixture, NULL, fixture_setup, test_answered_in_gdbus_thread,
              fixture_teardown);
  g_test_add ("/reply-memo/others-pass", Fixture, NULL, fixture_setup, test_others_pass, fixture_teardown);
  return g_test_run ();
}
