/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define DPUGW_TEST_NAME  "org.ovnk.DpuGateway"
#define DPUGW_TEST_PATH  "/org/ovnk/DpuGateway"
#define DPUGW_TEST_IFACE "org.ovnk.DpuGateway"
#define DPUGW_TEST_PROPS "org.freedesktop.DBus.Properties"
/* The prefix of the service's errors' names. */
#define DPUGW_TEST_ERR   "org.ovnk.DpuGateway.Error."

/* A client connection to the bus at @address that does not end the test when it closes. */
GDBusConnection *dpugw_test_connect (const char *address);

/*
 * ResolveAll(@port) and then Resolve(@port) of the service on @conn: they must agree (the same
 * interface, or the same error; Resolve's details those of ResolveAll's it carries, equal), or the
 * test aborts.  Returns the interface, with ResolveAll's details (all of them) in *@details;
 * %NULL with Resolve's error.  Two calls each time: Resolve's remembered reply is checked
 * against a fresh answer wherever a test asks.
 */
char *dpugw_test_resolve (GDBusConnection *conn, const char *port, GVariant **details, GError **error);

/* Resolve(@port) alone: the interface, or %NULL with the error. */
char *dpugw_test_resolve_once (GDBusConnection *conn, const char *port, GVariant **details, GError **error);

/* The values of a dictionary (a{sv}); a missing key or another type fails the test. */
const char *dpugw_test_lookup_string (GVariant *dict, const char *key);
gboolean dpugw_test_lookup_boolean (GVariant *dict, const char *key);
guint64 dpugw_test_lookup_uint64 (GVariant *dict, const char *key);
guint32 dpugw_test_lookup_uint32 (GVariant *dict, const char *key);
void dpugw_test_assert_strv_key (GVariant *dict, const char *key, const char * const *expected);
/* The remote error's D-Bus name, and its message without the "GDBus.Error:NAME: " prefix (unless NULL). */
void dpugw_test_assert_remote_error (const GError *error, const char *name, const char *message);

G_END_DECLS
