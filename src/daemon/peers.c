/* SPDX-License-Identifier: Apache-2.0
 *
 * The object served to peers on Unix sockets (dpu-gatewayd --listen), for hosts and pods
 * without a system bus they may use: GDBusServer, EXTERNAL authentication only, a cap on
 * peers, and a socket buffer of a stated size, so that what a peer that stops reading costs
 * is bounded (service.c drops it).
 */
#define G_LOG_DOMAIN "dpugw-peers"

#include "config.h"
#include "dbus-names.h"
#include "peers.h"

#include <errno.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

/* What the kernel may hold for one peer beyond what it has read (the kernel doubles it). */
#define PEER_SEND_BUFFER (32 * 1024)

/* Clients written for a bus (gdbus --address, busctl --address, GDBus' and sd-bus' signal
 * subscriptions) first say Hello, add match rules and ask who owns the name they call.  Each
 * peer connection answers those few calls of org.freedesktop.DBus as a bus with two members
 * would: the service (DPUGW_PEER_SERVICE_NAME, the sender of its signals) and the peer. */
static const char bus_xml[] =
  "<node>"
  "  <interface name='org.freedesktop.DBus'>"
  "    <method name='Hello'><arg direction='out' type='s'/></method>"
  "    <method name='AddMatch'><arg direction='in' type='s'/></method>"
  "    <method name='RemoveMatch'><arg direction='in' type='s'/></method>"
  "    <method name='GetNameOwner'><arg direction='in' type='s'/><arg direction='out' type='s'/></method>"
  "    <method name='NameHasOwner'><arg direction='in' type='s'/><arg direction='out' type='b'/></method>"
  "    <method name='StartServiceByName'><arg direction='in' type='s'/><arg direction='in' type='u'/>"
  "      <arg direction='out' type='u'/></method>"
  "    <method name='ListNames'><arg direction='out' type='as'/></method>"
  "    <method name='GetId'><arg direction='out' type='s'/></method>"
  "  </interface>"
  "</node>";

struct _DpugwPeers
{
  DpugwService *service;
  GDBusAuthObserver *observer;
  GPtrArray *servers;       /* (element-type GDBusServer) */
  GPtrArray *paths;         /* (element-type filename): the socket files made, removed at the end */
  GHashTable *connections;  /* (element-type GDBusConnection): the peers connected */
  guint max_peers;
  GDBusNodeInfo *bus_info;
  char *guid;
  guint64 next_peer;        /* the unique names Hello gives: :1.1, :1.2... */
};

static gboolean
is_service_name (const char *name)
{
  return strcmp (name, DPUGW_DBUS_NAME) == 0 || strcmp (name, DPUGW_PEER_SERVICE_NAME) == 0;
}

static void
bus_method_call (GDBusConnection *connection, const char *sender, const char *object_path,
                 const char *interface_name, const char *method_name, GVariant *parameters,
                 GDBusMethodInvocation *invocation, gpointer user_data)
{
  DpugwPeers *peers = user_data;
  const char *name;

  if (strcmp (method_name, "Hello") == 0)
    {
      g_autofree char *unique = g_strdup_printf (":1.%" G_GUINT64_FORMAT, ++peers->next_peer);
      g_dbus_method_invocation_return_value (invocation, g_variant_new ("(s)", unique));
    }
  else if (strcmp (method_name, "AddMatch") == 0 || strcmp (method_name, "RemoveMatch") == 0)
    /* Every signal reaches every peer: there is nothing to filter for. */
    g_dbus_method_invocation_return_value (invocation, NULL);
  else if (strcmp (method_name, "GetNameOwner") == 0)
    {
      g_variant_get (parameters, "(&s)", &name);
      if (is_service_name (name))
        g_dbus_method_invocation_return_value (invocation, g_variant_new ("(s)", DPUGW_PEER_SERVICE_NAME));
      else if (strcmp (name, "org.freedesktop.DBus") == 0)
        g_dbus_method_invocation_return_value (invocation, g_variant_new ("(s)", "org.freedesktop.DBus"));
      else
        g_dbus_method_invocation_return_dbus_error (invocation, "org.freedesktop.DBus.Error.NameHasNoOwner",
                                                    "only " DPUGW_DBUS_NAME " is served here");
    }
  else if (strcmp (method_name, "NameHasOwner") == 0)
    {
      g_variant_get (parameters, "(&s)", &name);
      g_dbus_method_invocation_return_value (invocation, g_variant_new ("(b)", is_service_name (name)));
    }
  else if (strcmp (method_name, "StartServiceByName") == 0)
    {
      g_variant_get (parameters, "(&su)", &name, NULL);
      if (strcmp (name, DPUGW_DBUS_NAME) == 0)
        g_dbus_method_invocation_return_value (invocation, g_variant_new ("(u)", 2));  /* already running */
      else
        g_dbus_method_invocation_return_dbus_error (invocation, "org.freedesktop.DBus.Error.ServiceUnknown",
                                                    "only " DPUGW_DBUS_NAME " is served here");
    }
  else if (strcmp (method_name, "ListNames") == 0)
    {
      const char *names[] = { "org.freedesktop.DBus", DPUGW_DBUS_NAME, DPUGW_PEER_SERVICE_NAME, NULL };
      g_dbus_method_invocation_return_value (invocation, g_variant_new ("(^as)", names));
    }
  else if (strcmp (method_name, "GetId") == 0)
    g_dbus_method_invocation_return_value (invocation, g_variant_new ("(s)", peers->guid));
  else
    g_dbus_method_invocation_return_error (invocation, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_METHOD,
                                           "no method %s", method_name);
}

static const GDBusInterfaceVTable bus_vtable = { bus_method_call, NULL, NULL };

char *
dpugw_peers_address_path (const char *address, GError **error)
{
  const char *path;

  if (!g_str_has_prefix (address, "unix:path="))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "cannot listen on \"%s\": only unix:path=/ABSOLUTE/PATH addresses are served", address);
      return NULL;
    }
  path = address + strlen ("unix:path=");
  if (path[0] != '/' || strpbrk (path, ",;%") != NULL || strlen (path) >= sizeof ((struct sockaddr_un *) NULL)->sun_path)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "cannot listen on \"%s\": the path must be absolute, shorter than %zu bytes, "
                   "without ',', ';' or '%%'",
                   address, sizeof ((struct sockaddr_un *) NULL)->sun_path);
      return NULL;
    }
  return g_strdup (path);
}

/* A socket file left by a daemon that died is removed; a live one, or any other file, stays. */
static gboolean
clear_stale_socket (const char *path, GError **error)
{
  struct sockaddr_un sun = { .sun_family = AF_UNIX };
  struct stat st;
  int fd;
  int saved;

  if (lstat (path, &st) != 0)
    return TRUE;
  if (!S_ISSOCK (st.st_mode))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS, "cannot listen on %s: it exists and is not a socket", path);
      return FALSE;
    }
  g_strlcpy (sun.sun_path, path, sizeof sun.sun_path);
  fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    {
      saved = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "socket: %s", g_strerror (saved));
      return FALSE;
    }
  if (connect (fd, (struct sockaddr *) &sun, sizeof sun) == 0)
    {
      close (fd);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE,
                   "cannot listen on %s: another process listens there", path);
      return FALSE;
    }
  saved = errno;
  close (fd);
  if (saved != ECONNREFUSED)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "cannot listen on %s: %s", path,
                   g_strerror (saved));
      return FALSE;
    }
  g_debug ("removing the stale socket %s", path);
  if (unlink (path) != 0 && errno != ENOENT)
    {
      saved = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "cannot remove the stale socket %s: %s",
                   path, g_strerror (saved));
      return FALSE;
    }
  return TRUE;
}

static gboolean
on_allow_mechanism (GDBusAuthObserver *observer, const char *mechanism, gpointer user_data)
{
  return g_strcmp0 (mechanism, "EXTERNAL") == 0;
}

static gboolean
on_authorize_peer (GDBusAuthObserver *observer, GIOStream *stream, GCredentials *credentials,
                   gpointer user_data)
{
  DpugwPeers *peers = user_data;

  if (credentials == NULL)
    return FALSE;
  if (g_hash_table_size (peers->connections) >= peers->max_peers)
    {
      g_warning ("refusing a peer (pid %ld, uid %ld): %u peers are connected already",
                 (long) g_credentials_get_unix_pid (credentials, NULL),
                 (long) g_credentials_get_unix_user (credentials, NULL), peers->max_peers);
      return FALSE;
    }
  return TRUE;
}

static void
on_peer_closed (GDBusConnection *connection, gboolean remote_peer_vanished, GError *error, gpointer user_data)
{
  DpugwPeers *peers = user_data;

  g_debug ("a peer went%s%s", error != NULL ? ": " : "", error != NULL ? error->message : "");
  g_signal_handlers_disconnect_by_data (connection, peers);
  dpugw_service_unexport_connection (peers->service, connection);
  g_hash_table_remove (peers->connections, connection);
}

static void
limit_send_buffer (GDBusConnection *connection)
{
  GIOStream *stream = g_dbus_connection_get_stream (connection);
  g_autoptr(GError) error = NULL;

  if (G_IS_SOCKET_CONNECTION (stream) &&
      !g_socket_set_option (g_socket_connection_get_socket (G_SOCKET_CONNECTION (stream)), SOL_SOCKET, SO_SNDBUF,
                            PEER_SEND_BUFFER, &error))
    g_debug ("SO_SNDBUF: %s", error->message);
}

static gboolean
on_new_connection (GDBusServer *server, GDBusConnection *connection, gpointer user_data)
{
  DpugwPeers *peers = user_data;
  g_autoptr(GError) error = NULL;

  /* Authorised peers may still arrive together past the cap. */
  if (g_hash_table_size (peers->connections) >= peers->max_peers)
    return FALSE;
  limit_send_buffer (connection);
  g_dbus_connection_set_exit_on_close (connection, FALSE);
  if (g_dbus_connection_register_object (connection, "/org/freedesktop/DBus", peers->bus_info->interfaces[0],
                                         &bus_vtable, peers, NULL, &error) == 0 ||
      !dpugw_service_export_peer (peers->service, connection, &error))
    {
      g_warning ("cannot serve a peer: %s", error->message);
      return FALSE;
    }
  g_hash_table_add (peers->connections, g_object_ref (connection));
  g_signal_connect (connection, "closed", G_CALLBACK (on_peer_closed), peers);
  return TRUE;
}

DpugwPeers *
dpugw_peers_new (DpugwService *service, const char * const *addresses, guint max_peers, GError **error)
{
  g_autoptr(DpugwPeers) peers = g_new0 (DpugwPeers, 1);

  peers->service = g_object_ref (service);
  peers->max_peers = max_peers;
  peers->servers = g_ptr_array_new_with_free_func (g_object_unref);
  peers->paths = g_ptr_array_new_with_free_func (g_free);
  peers->connections = g_hash_table_new_full (NULL, NULL, g_object_unref, NULL);
  peers->guid = g_dbus_generate_guid ();
  peers->bus_info = g_dbus_node_info_new_for_xml (bus_xml, NULL);
  g_assert (peers->bus_info != NULL);
  peers->observer = g_dbus_auth_observer_new ();
  g_signal_connect (peers->observer, "allow-mechanism", G_CALLBACK (on_allow_mechanism), peers);
  g_signal_connect (peers->observer, "authorize-authenticated-peer", G_CALLBACK (on_authorize_peer), peers);

  for (guint i = 0; addresses != NULL && addresses[i] != NULL; i++)
    {
      g_autofree char *path = dpugw_peers_address_path (addresses[i], error);
      GDBusServer *server;

      if (path == NULL || !clear_stale_socket (path, error))
        return NULL;
      server = g_dbus_server_new_sync (addresses[i], G_DBUS_SERVER_FLAGS_NONE, peers->guid, peers->observer, NULL, error);
      if (server == NULL)
        {
          g_prefix_error (error, "cannot listen on %s: ", addresses[i]);
          return NULL;
        }
      g_ptr_array_add (peers->servers, server);
      g_ptr_array_add (peers->paths, g_strdup (path));
      /* Anyone may connect, as anyone may call on the bus: what a peer may do is decided by its
       * credentials.  The unit's UMask would leave the socket to root alone. */
      if (chmod (path, 0666) != 0)
        {
          int saved = errno;
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "chmod %s: %s", path, g_strerror (saved));
          return NULL;
        }
      g_signal_connect (server, "new-connection", G_CALLBACK (on_new_connection), peers);
      g_dbus_server_start (server);
      g_message ("listening for peers on %s", addresses[i]);
    }
  return g_steal_pointer (&peers);
}

void
dpugw_peers_free (DpugwPeers *peers)
{
  GHashTableIter iter;
  gpointer connection;

  if (peers == NULL)
    return;
  for (guint i = 0; peers->servers != NULL && i < peers->servers->len; i++)
    {
      GDBusServer *server = g_ptr_array_index (peers->servers, i);
      g_signal_handlers_disconnect_by_data (server, peers);
      g_dbus_server_stop (server);
    }
  for (guint i = 0; peers->paths != NULL && i < peers->paths->len; i++)
    unlink (g_ptr_array_index (peers->paths, i));
  if (peers->connections != NULL)
    {
      g_hash_table_iter_init (&iter, peers->connections);
      while (g_hash_table_iter_next (&iter, &connection, NULL))
        {
          g_signal_handlers_disconnect_by_data (connection, peers);
          dpugw_service_unexport_connection (peers->service, connection);
          g_dbus_connection_close (connection, NULL, NULL, NULL);
        }
    }
  g_clear_pointer (&peers->connections, g_hash_table_unref);
  g_clear_pointer (&peers->servers, g_ptr_array_unref);
  g_clear_pointer (&peers->paths, g_ptr_array_unref);
  if (peers->observer != NULL)
    g_signal_handlers_disconnect_by_data (peers->observer, peers);
  g_clear_object (&peers->observer);
  g_clear_object (&peers->service);
  g_clear_pointer (&peers->bus_info, g_dbus_node_info_unref);
  g_free (peers->guid);
  g_free (peers);
}
