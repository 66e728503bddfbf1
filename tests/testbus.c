/* SPDX-License-Identifier: Apache-2.0
 *
 * Calls of the service the daemon tests share.
 */
#include "testbus.h"

#include <string.h>

#include "testlib.h"

#define NAME    DPUGW_TEST_NAME
#define PATH    DPUGW_TEST_PATH
#define IFACE   DPUGW_TEST_IFACE

/* Resolve's details: its few (sf and hint only where there are some); ResolveAll has these and more. */
static const char * const resolve_keys[] = { "mgmt-port", "vf-pci", "pf-pci", "sf", "hint", "ovnkube-compatible", "generation", NULL };

static GVariant *
call (GDBusConnection *conn, const char *method, const char *port, const char *reply_type, GError **error)
{
  return g_dbus_connection_call_sync (conn, NAME, PATH, IFACE, method, g_variant_new ("(s)", port),
                                      G_VARIANT_TYPE (reply_type), G_DBUS_CALL_FLAGS_NO_AUTO_START,
                                      dpugw_test_msec (DPUGW_TEST_CALL_MSEC),
                                      NULL, error);
}

GDBusConnection *
dpugw_test_connect (const char *address)
{
  g_autoptr(GError) error = NULL;
  GDBusConnection *conn = g_dbus_connection_new_for_address_sync (address,
                                                                  G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                                                    G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                                  NULL, NULL, &error);
  g_assert_no_error (error);
  g_dbus_connection_set_exit_on_close (conn, FALSE);
  return conn;
}

static guint64
generation_of (GVariant *details)
{
  guint64 generation = 0;

  g_variant_lookup (details, "generation", "t", &generation);
  return generation;
}

static gboolean
same_error (const GError *a, const GError *b)
{
  g_autofree char *name_a = g_dbus_error_get_remote_error (a);
  g_autofree char *name_b = g_dbus_error_get_remote_error (b);

  return g_strcmp0 (name_a, name_b) == 0 && strcmp (a->message, b->message) == 0;
}

/* Resolve's answer is ResolveAll's: the same interface, its details the few of ResolveAll's. */
static void
assert_consistent (const char *port, const char *interface, GVariant *details, char **interfaces, GVariant *all)
{
  g_autofree char *shown = g_variant_print (details, TRUE);
  g_autofree char *shown_all = g_variant_print (all, TRUE);
  GVariantIter iter;
  const char *key;
  GVariant *value;

  if (interfaces[0] == NULL || strcmp (interface, interfaces[0]) != 0)
    g_error ("Resolve(\"%s\") = %s, but ResolveAll's first is %s", port, interface,
             interfaces[0] != NULL ? interfaces[0] : "(none)");
  g_variant_iter_init (&iter, details);
  while (g_variant_iter_next (&iter, "{&sv}", &key, &value))
    {
      g_autoptr(GVariant) owned = value;
      g_autoptr(GVariant) in_all = g_variant_lookup_value (all, key, NULL);

      if (!g_strv_contains (resolve_keys, key))
        g_error ("Resolve(\"%s\"): unexpected key %s in %s", port, key, shown);
      if (in_all == NULL || !g_variant_equal (in_all, owned))
        g_error ("Resolve(\"%s\"): %s in %s differs from ResolveAll's %s", port, key, shown, shown_all);
    }
  for (guint i = 0; resolve_keys[i] != NULL; i++)
    {
      g_autoptr(GVariant) in_all = g_variant_lookup_value (all, resolve_keys[i], NULL);
      g_autoptr(GVariant) in_one = g_variant_lookup_value (details, resolve_keys[i], NULL);

      if (in_all != NULL && in_one == NULL)
        g_error ("Resolve(\"%s\"): no %s in %s (ResolveAll: %s)", port, resolve_keys[i], shown, shown_all);
    }
}

char *
dpugw_test_resolve (GDBusConnection *conn, const char *port, GVariant **details, GError **error)
{
  /* A changing tree may change the answer between the two calls: then Generation says so. */
  for (guint attempt = 0;; attempt++)
    {
      g_autoptr(GError) all_error = NULL;
      g_autoptr(GError) one_error = NULL;
      g_autoptr(GVariant) all_reply = call (conn, "ResolveAll", port, "(asa{sv})", &all_error);
      g_autoptr(GVariant) one_reply = call (conn, "Resolve", port, "(sa{sv})", &one_error);
      g_autoptr(GVariant) all = NULL;
      g_autoptr(GVariant) one = NULL;
      g_auto(GStrv) interfaces = NULL;
      g_autofree char *interface = NULL;
      gboolean last = attempt >= 20;

      if (all_reply == NULL && one_reply == NULL)
        {
          if (!same_error (all_error, one_error) && !last)
            continue;
          if (!same_error (all_error, one_error))
            g_error ("Resolve(\"%s\") failed with \"%s\", ResolveAll with \"%s\"", port, one_error->message,
                     all_error->message);
          g_propagate_error (error, g_steal_pointer (&one_error));
          return NULL;
        }
      if (all_reply == NULL || one_reply == NULL)
        {
          if (last)
            g_error ("Resolve(\"%s\") and ResolveAll disagree: %s", port,
                     all_error != NULL ? all_error->message : one_error->message);
          g_usleep (50 * 1000);
          continue;
        }
      g_variant_get (all_reply, "(^as@a{sv})", &interfaces, &all);
      g_variant_get (one_reply, "(s@a{sv})", &interface, &one);
      if (generation_of (all) != generation_of (one) && !last)
        continue;
      assert_consistent (port, interface, one, interfaces, all);
      if (details != NULL)
        *details = g_steal_pointer (&all);
      return g_steal_pointer (&interface);
    }
}

char *
dpugw_test_resolve_once (GDBusConnection *conn, const char *port, GVariant **details, GError **error)
{
  g_autoptr(GVariant) reply = call (conn, "Resolve", port, "(sa{sv})", error);
  char *interface = NULL;

  if (reply == NULL)
    return NULL;
  g_variant_get (reply, "(s@a{sv})", &interface, details);
  return interface;
}

const char *
dpugw_test_lookup_string (GVariant *dict, const char *key)
{
  const char *value = NULL;

  if (!g_variant_lookup (dict, key, "&s", &value))
    g_error ("no string %s in %s", key, g_variant_print (dict, TRUE));
  return value;
}

gboolean
dpugw_test_lookup_boolean (GVariant *dict, const char *key)
{
  gboolean value;

  if (!g_variant_lookup (dict, key, "b", &value))
    g_error ("no boolean %s in %s", key, g_variant_print (dict, TRUE));
  return value;
}

guint64
dpugw_test_lookup_uint64 (GVariant *dict, const char *key)
{
  guint64 value;

  if (!g_variant_lookup (dict, key, "t", &value))
    g_error ("no uint64 %s in %s", key, g_variant_print (dict, TRUE));
  return value;
}

guint32
dpugw_test_lookup_uint32 (GVariant *dict, const char *key)
{
  guint32 value;

  if (!g_variant_lookup (dict, key, "u", &value))
    g_error ("no uint32 %s in %s", key, g_variant_print (dict, TRUE));
  return value;
}

void
dpugw_test_assert_strv_key (GVariant *dict, const char *key, const char * const *expected)
{
  g_autofree const char **value = NULL;

  if (!g_variant_lookup (dict, key, "^a&s", &value))
    g_error ("no string array %s in %s", key, g_variant_print (dict, TRUE));
  if (!g_strv_equal (value, expected))
    {
      g_autofree char *got = g_strjoinv (",", (char **) value);
      g_autofree char *want = g_strjoinv (",", (char **) expected);
      g_error ("%s: [%s], expected [%s]", key, got, want);
    }
}

void
dpugw_test_assert_remote_error (const GError *error, const char *name, const char *message)
{
  g_autofree char *remote = NULL;
  g_autoptr(GError) stripped = NULL;

  g_assert_nonnull (error);
  remote = g_dbus_error_get_remote_error (error);
  g_assert_cmpstr (remote, ==, name);
  stripped = g_error_copy (error);
  g_dbus_error_strip_remote_error (stripped);
  if (message != NULL)
    g_assert_cmpstr (stripped->message, ==, message);
}
