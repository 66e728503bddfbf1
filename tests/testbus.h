/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

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

G_END_DECLS
