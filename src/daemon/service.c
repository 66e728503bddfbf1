/* SPDX-License-Identifier: Apache-2.0
 *
 * The org.ovnk.DpuGateway object: its methods, properties and signals, main thread only.
 */
#define G_LOG_DOMAIN "dpugw-service"

#include "config.h"
#include "service.h"

#include "dbus-names.h"
#include "heap.h"

#include <string.h>
#include <linux/sockios.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#define XML_RESOURCE "/org/ovnk/DpuGateway/org.ovnk.DpuGateway.xml"
/* GetTopology's reply is kept while callers ask for it, and let go of once they have stopped. */
#define TOPOLOGY_KEEP_MSEC 1000
/* Resolve's replies from the cache kept built, until anything changes; at most this many. */
#define PREPARED_MAX 64

/* Journal message IDs an operator can filter on: journalctl MESSAGE_ID=... */
#define MESSAGE_ID_GATEWAY_CHANGED "c11c050c89334be69ecc471270c72edb"
#define MESSAGE_ID_RESOLUTION_ERROR "191a9294509f4fb1bda7c906482008bf"

struct _DpugwService
{
  GObject parent_instance;

  DpugwTracker *tracker;
  GCancellable *cancellable;

  GDBusNodeInfo *node_info;
  GPtrArray *exports;              /* (element-type Export): the bus connection, and each peer's */

  guint64 generation;
  GHashTable *changed_properties;  /* names, for the next PropertiesChanged */
  GHashTable *prepared;            /* Resolve's argument as written -> its reply from the cache */
  guint topology_keep_id;
};

G_DEFINE_FINAL_TYPE (DpugwService, dpugw_service, G_TYPE_OBJECT)

/* The object on one connection: the system bus, or a peer's (dpugw_service_export_peer()). */
typedef struct
{
  GDBusConnection *connection;
  guint registration_id;
  gboolean peer;
  guint backed_up;   /* signals emitted to the peer in a row while its socket was backed up */
  gboolean dropped;
} Export;

static void
export_free (Export *e)
{
  g_clear_object (&e->connection);
  g_free (e);
}

static void
export_unregister (Export *e)
{
  if (e->registration_id != 0)
    g_dbus_connection_unregister_object (e->connection, e->registration_id);
  e->registration_id = 0;
}

static void on_changed (DpugwTracker *tracker, DpugwChanges *changes, gpointer user_data);

static void
dpugw_service_dispose (GObject *object)
{
  DpugwService *self = DPUGW_SERVICE (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->topology_keep_id, g_source_remove);
  if (self->tracker != NULL)
    g_signal_handlers_disconnect_by_data (self->tracker, self);
  dpugw_service_unexport (self);
  G_OBJECT_CLASS (dpugw_service_parent_class)->dispose (object);
}

static void
dpugw_service_finalize (GObject *object)
{
  DpugwService *self = DPUGW_SERVICE (object);

  g_clear_object (&self->tracker);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->node_info, g_dbus_node_info_unref);
  g_clear_pointer (&self->changed_properties, g_hash_table_unref);
  g_clear_pointer (&self->prepared, g_hash_table_unref);
  g_clear_pointer (&self->exports, g_ptr_array_unref);
  G_OBJECT_CLASS (dpugw_service_parent_class)->finalize (object);
}

static void
dpugw_service_class_init (DpugwServiceClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = dpugw_service_dispose;
  object_class->finalize = dpugw_service_finalize;
}

static void
dpugw_service_init (DpugwService *self)
{
  self->cancellable = g_cancellable_new ();
  self->changed_properties = g_hash_table_new (g_str_hash, g_str_equal);
  self->prepared = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_variant_unref);
  self->exports = g_ptr_array_new_with_free_func ((GDestroyNotify) export_free);
}

DpugwService *
dpugw_service_new (DpugwTracker *tracker)
{
  DpugwService *self = g_object_new (DPUGW_TYPE_SERVICE, NULL);

  self->tracker = g_object_ref (tracker);
  g_signal_connect (tracker, "changed", G_CALLBACK (on_changed), self);
  return self;
}

static DpugwState *
state_of (DpugwService *self)
{
  return dpugw_tracker_get_state (self->tracker);
}

/* --- properties and signals --------------------------------------------------------------------- */

static GVariant *
get_property_value (DpugwService *self, const char *name)
{
  DpugwState *state = state_of (self);

  if (strcmp (name, "Configuration") == 0)
    return dpugw_state_configuration (state, dpugw_sysfs_get_root (dpugw_tracker_get_sysfs (self->tracker)));
  if (strcmp (name, "ManagementPort") == 0)
    return g_variant_new_string (state->management_port);
  if (strcmp (name, "GatewayInterface") == 0)
    return g_variant_new_string (state->gateway_interface);
  if (strcmp (name, "LastError") == 0)
    return g_variant_new_string (state->last_error);
  if (strcmp (name, "Generation") == 0)
    return g_variant_new_uint64 (self->generation);
  if (strcmp (name, "Version") == 0)
    return g_variant_new_string (DPUGW_VERSION);
  return NULL;
}

/* --- signals, to the bus and to every peer ------------------------------------------------------ */

/* Whether a peer's socket holds more than half of what it may of what the peer has not read. */
static gboolean
peer_backed_up (GDBusConnection *connection)
{
  GIOStream *stream = g_dbus_connection_get_stream (connection);
  int fd, unread = 0, limit = 0;
  socklen_t len = sizeof limit;

  if (!G_IS_SOCKET_CONNECTION (stream))
    return FALSE;
  fd = g_socket_get_fd (g_socket_connection_get_socket (G_SOCKET_CONNECTION (stream)));
  if (ioctl (fd, SIOCOUTQ, &unread) != 0 || getsockopt (fd, SOL_SOCKET, SO_SNDBUF, &limit, &len) != 0)
    return FALSE;
  return unread > limit / 2;
}

/* A peer that stops reading: its socket fills, and GDBus keeps what follows in our memory.  Each
 * signal emitted while its socket stays backed up is counted; past DPUGW_PEER_BACKED_UP_MAX of them
 * in a row, it goes.  One that reads, however slowly, drains its socket and starts again from 0. */
static void
peer_account (Export *e)
{
  if (!peer_backed_up (e->connection))
    {
      e->backed_up = 0;
      return;
    }
  if (++e->backed_up >= DPUGW_PEER_BACKED_UP_MAX)
    {
      GCredentials *credentials = g_dbus_connection_get_peer_credentials (e->connection);

      g_warning ("dropping a peer (pid %ld, uid %ld): it has not read its last %u signals",
                 credentials != NULL ? (long) g_credentials_get_unix_pid (credentials, NULL) : -1L,
                 credentials != NULL ? (long) g_credentials_get_unix_user (credentials, NULL) : -1L,
                 e->backed_up);
      e->dropped = TRUE;
      g_dbus_connection_close (e->connection, NULL, NULL, NULL);
    }
}

static void
emit_on_all (DpugwService *self, const char *interface, const char *name, GVariant *parameters)
{
  g_autoptr(GVariant) owned = g_variant_ref_sink (parameters);

  for (guint i = 0; i < self->exports->len; i++)
    {
      Export *e = g_ptr_array_index (self->exports, i);

      if (e->dropped)
        continue;
      if (e->peer)
        {
          /* From the service's name on this connection, as a bus would stamp it: clients match
           * the signals of the name they watch by its owner. */
          g_autoptr(GDBusMessage) message = g_dbus_message_new_signal (DPUGW_DBUS_PATH, interface, name);

          g_dbus_message_set_body (message, owned);
          g_dbus_message_set_sender (message, DPUGW_PEER_SERVICE_NAME);
          g_dbus_connection_send_message (e->connection, message, G_DBUS_SEND_MESSAGE_FLAGS_NONE, NULL, NULL);
          peer_account (e);
        }
      else
        g_dbus_connection_emit_signal (e->connection, NULL, DPUGW_DBUS_PATH, interface, name, owned, NULL);
    }
}

/* PropertiesChanged, from this one place, for everything changed since the last call. */
static void
flush_properties (DpugwService *self)
{
  GVariantBuilder changed;
  GHashTableIter iter;
  gpointer name;

  if (g_hash_table_size (self->changed_properties) == 0)
    return;
  g_variant_builder_init (&changed, G_VARIANT_TYPE_VARDICT);
  g_hash_table_iter_init (&iter, self->changed_properties);
  while (g_hash_table_iter_next (&iter, &name, NULL))
    g_variant_builder_add (&changed, "{sv}", name, get_property_value (self, name));
  g_hash_table_remove_all (self->changed_properties);

  emit_on_all (self, "org.freedesktop.DBus.Properties", "PropertiesChanged",
               g_variant_new ("(sa{sv}as)", DPUGW_DBUS_INTERFACE, &changed, NULL));
}

static void
emit_signal (DpugwService *self, const char *name, GVariant *parameters)
{
  emit_on_all (self, DPUGW_DBUS_INTERFACE, name, parameters);
}

/* Under journald, GLib's writer sends these fields as they are (journalctl MESSAGE_ID=...
 * VF_PCI=...); elsewhere it prints the message as text. */
static void
log_gateway_changed (const DpugwGatewayChange *change)
{
  g_log_structured (G_LOG_DOMAIN, G_LOG_LEVEL_MESSAGE,
                    "MESSAGE_ID", MESSAGE_ID_GATEWAY_CHANGED,
                    "VF_PCI", change->function,
                    "PF_PCI", change->pf_pci,
                    "INTERFACE", change->new_interface,
                    "OLD_INTERFACE", change->old_interface,
                    "MESSAGE", "gateway of %s: %s -> %s",
                    *change->function != '\0' ? change->function : "(configured)",
                    *change->old_interface != '\0' ? change->old_interface : "(none)",
                    *change->new_interface != '\0' ? change->new_interface : "(none)");
}

static void
log_resolution_error (const char *mgmt_port, const char *message)
{
  g_log_structured (G_LOG_DOMAIN, G_LOG_LEVEL_WARNING,
                    "MESSAGE_ID", MESSAGE_ID_RESOLUTION_ERROR,
                    "MGMT_PORT", mgmt_port,
                    "MESSAGE", "configured management port %s: %s", mgmt_port, message);
}

/*
 * Publishes what a pass or lookup changed, before anyone waiting on it is answered: a new
 * Generation, then GatewayChanged for each gateway, TopologyChanged, PropertiesChanged.
 */
static void
on_changed (DpugwTracker *tracker, DpugwChanges *changes, gpointer user_data)
{
  DpugwService *self = user_data;

  /* Whatever went in, the replies kept may say otherwise now. */
  g_hash_table_remove_all (self->prepared);
  if (changes->hint != NULL)
    g_warning ("configured management port: %s", changes->hint);
  if (changes->error != NULL)
    log_resolution_error (changes->error_port, changes->error);
  if (dpugw_changes_new_generation (changes))
    {
      self->generation++;
      g_hash_table_add (self->changed_properties, (gpointer) "Generation");
    }
  for (guint i = 0; i < changes->properties->len; i++)
    g_hash_table_add (self->changed_properties, g_ptr_array_index (changes->properties, i));
  for (guint i = 0; i < changes->gateways->len; i++)
    {
      const DpugwGatewayChange *change = g_ptr_array_index (changes->gateways, i);

      log_gateway_changed (change);
      emit_signal (self, "GatewayChanged",
                   g_variant_new ("(sss)", change->function, change->old_interface, change->new_interface));
    }
  if (changes->topology)
    emit_signal (self, "TopologyChanged", g_variant_new ("(t)", self->generation));
  flush_properties (self);
  dpugw_heap_trim_soon ();
}

/* --- answers ------------------------------------------------------------------------------------ */

/* D-Bus strings are UTF-8: the library makes its messages so; this holds whatever comes. */
static void
return_error (GDBusMethodInvocation *invocation, const GError *error)
{
  g_autoptr(GError) copy = NULL;

  if (g_utf8_validate (error->message, -1, NULL))
    {
      g_dbus_method_invocation_return_gerror (invocation, error);
      return;
    }
  copy = g_error_copy (error);
  g_free (copy->message);
  copy->message = g_utf8_make_valid (error->message, -1);
  g_dbus_method_invocation_return_gerror (invocation, copy);
}

/* What an answer says, from a cache entry or from a resolution; the strings are theirs. */
typedef struct {
  const char *mgmt_port;
  const char *vf_pci;
  const char *pf_pci;
  const char *sf;
  const char *hint;
  const char *interface;
  char **candidates;
  char **interfaces;
  const char *selected_by;
  const char *function_type;
  const char *node_ip;
  DpugwSource source;
  DpugwBeyond beyond;
  gboolean cached;
} Answer;

static void
answer_from_entry (Answer *a, const DpugwCacheEntry *entry)
{
  const DpugwChoice *choice = entry->choice;

  *a = (Answer) {
    .mgmt_port = entry->mgmt_port,
    .vf_pci = dpugw_cache_entry_vf_pci (entry),
    .pf_pci = choice->pf_pci,
    .sf = dpugw_cache_entry_is_sf (entry) ? entry->function : NULL,
    .hint = choice->hint,
    .interface = choice->interface,
    .candidates = choice->candidates,
    .interfaces = choice->interfaces,
    .selected_by = choice->selected_by,
    .function_type = dpugw_cache_entry_is_sf (entry) ? "sf" : "vf",
    /* Entries answer callers who name a netdev or a VF: for them it is derived, even when the
     * entry came from the configured port's device plugin or rename fallback. */
    .source = DPUGW_SOURCE_DERIVED,
    .beyond = entry->beyond | choice->beyond,
    .cached = TRUE,
  };
}

static void
answer_from_resolution (Answer *a, const DpugwResolution *r, gboolean cached)
{
  *a = (Answer) {
    .mgmt_port = r->mgmt_port,
    .vf_pci = r->vf_pci,
    .pf_pci = r->pf_pci,
    .sf = r->sf,
    .hint = r->hint,
    .interface = r->interface,
    .candidates = r->candidates,
    .interfaces = r->interfaces,
    .selected_by = r->selected_by,
    .function_type = r->function_type,
    .node_ip = r->node_ip,
    .source = r->source,
    .beyond = r->beyond,
    .cached = cached,
  };
}

static GVariant *
string_or_empty (const char *s)
{
  return g_variant_new_string (s != NULL ? s : "");
}

/*
 * The details of an answer.  ResolveAll's (@full) say everything; Resolve's are the few that
 * callers on a hot path use, so that its reply stays small.
 */
static GVariant *
details_variant (DpugwService *self, const Answer *a, gboolean full)
{
  GVariantBuilder b;

  g_variant_builder_init (&b, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&b, "{sv}", "mgmt-port", string_or_empty (a->mgmt_port));
  g_variant_builder_add (&b, "{sv}", "vf-pci", string_or_empty (a->vf_pci));
  g_variant_builder_add (&b, "{sv}", "pf-pci", string_or_empty (a->pf_pci));
  if (full)
    {
      g_variant_builder_add (&b, "{sv}", "candidates",
                             g_variant_new_strv ((const char * const *) a->candidates, a->candidates != NULL ? -1 : 0));
      g_variant_builder_add (&b, "{sv}", "source", g_variant_new_string (dpugw_source_to_string (a->source)));
      g_variant_builder_add (&b, "{sv}", "selected-by", string_or_empty (a->selected_by));
      g_variant_builder_add (&b, "{sv}", "function-type", string_or_empty (a->function_type));
    }
  if (a->sf != NULL)
    g_variant_builder_add (&b, "{sv}", "sf", g_variant_new_string (a->sf));
  if (a->hint != NULL)
    g_variant_builder_add (&b, "{sv}", "hint", g_variant_new_string (a->hint));
  if (full && a->node_ip != NULL)
    g_variant_builder_add (&b, "{sv}", "node-ip", g_variant_new_string (a->node_ip));
  /* Whether ovnkube-node's own derivation reaches this answer too; ResolveAll says why not. */
  g_variant_builder_add (&b, "{sv}", "ovnkube-compatible", g_variant_new_boolean (a->beyond == 0));
  if (full && a->beyond != 0)
    g_variant_builder_add (&b, "{sv}", "beyond-ovnkube", g_variant_new_take_string (dpugw_beyond_to_string (a->beyond)));
  if (full)
    g_variant_builder_add (&b, "{sv}", "cached", g_variant_new_boolean (a->cached));
  g_variant_builder_add (&b, "{sv}", "generation", g_variant_new_uint64 (self->generation));
  return g_variant_builder_end (&b);
}

/* Resolve answers the interface, ResolveAll every interface the deciding rule matched.  Resolve's
 * reply to a cached answer is kept for the same argument (@asked), until anything changes. */
static void
return_answer (DpugwService *self, GDBusMethodInvocation *invocation, const Answer *a, const char *asked)
{
  gboolean all = strcmp (g_dbus_method_invocation_get_method_name (invocation), "ResolveAll") == 0;
  GVariant *details = details_variant (self, a, all);

  if (all)
    {
      char **interfaces = a->interfaces != NULL ? a->interfaces : a->candidates;
      g_dbus_method_invocation_return_value (invocation,
                                             g_variant_new ("(@as@a{sv})",
                                                            g_variant_new_strv ((const char * const *) interfaces,
                                                                                interfaces != NULL ? -1 : 0),
                                                            details));
    }
  else if (a->cached && asked != NULL)
    {
      GVariant *reply = g_variant_ref_sink (g_variant_new ("(s@a{sv})", a->interface, details));

      if (g_hash_table_size (self->prepared) >= PREPARED_MAX)
        g_hash_table_remove_all (self->prepared);
      g_hash_table_replace (self->prepared, g_strdup (asked), g_variant_ref (reply));
      g_dbus_method_invocation_return_value (invocation, reply);
      g_variant_unref (reply);
    }
  else
    g_dbus_method_invocation_return_value (invocation, g_variant_new ("(s@a{sv})", a->interface, details));
}

/* --- methods ------------------------------------------------------------------------------------ */

typedef struct {
  DpugwService *self;
  GDBusMethodInvocation *invocation;
} Call;

static Call *
call_new (DpugwService *self, GDBusMethodInvocation *invocation)
{
  Call *call = g_new0 (Call, 1);

  call->self = g_object_ref (self);
  call->invocation = invocation;
  return call;
}

static void
call_free (Call *call)
{
  g_clear_object (&call->self);
  g_free (call);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Call, call_free)

static void
resolve_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(Call) call = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(DpugwResolution) r = dpugw_tracker_resolve_finish (DPUGW_TRACKER (source), result, &error);
  Answer answer;

  if (r == NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_object_unref (call->invocation); /* the service is stopping: no answer */
      return;
    }
  if (r == NULL)
    {
      return_error (call->invocation, error);
      return;
    }
  answer_from_resolution (&answer, r, FALSE);
  return_answer (call->self, call->invocation, &answer, NULL);
}

static void handle_resolve (DpugwService *self, GDBusMethodInvocation *invocation, const char *mgmt_port);

static void
reconfigured (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(Call) call = user_data;
  g_autoptr(GError) error = NULL;
  const char *mgmt_port;

  if (!dpugw_tracker_wait_reconfigured_finish (DPUGW_TRACKER (source), result, &error))
    {
      g_object_unref (call->invocation); /* the service is stopping: no answer */
      return;
    }
  g_variant_get (g_dbus_method_invocation_get_parameters (call->invocation), "(&s)", &mgmt_port);
  handle_resolve (call->self, call->invocation, mgmt_port);
}

static void
handle_resolve (DpugwService *self, GDBusMethodInvocation *invocation, const char *mgmt_port)
{
  DpugwState *state = state_of (self);
  g_autoptr(GError) error = NULL;
  g_autofree char *key = NULL;
  g_autofree char *value = NULL;
  const GError *failure;
  DpugwLookupKind kind;
  Answer answer;

  /* After a new configuration, the answers wait for its pass: what is cached is the old one's. */
  if (dpugw_tracker_is_reconfiguring (self->tracker))
    {
      dpugw_tracker_wait_reconfigured_async (self->tracker, reconfigured, call_new (self, invocation));
      return;
    }
  if (strcmp (g_dbus_method_invocation_get_method_name (invocation), "Resolve") == 0)
    {
      GVariant *prepared = g_hash_table_lookup (self->prepared, mgmt_port);

      if (prepared != NULL)
        {
          g_dbus_method_invocation_return_value (invocation, prepared);
          return;
        }
    }
  if (*mgmt_port == '\0')
    {
      if (state->configured != NULL)
        {
          answer_from_resolution (&answer, state->configured, TRUE);
          return_answer (self, invocation, &answer, mgmt_port);
          return;
        }
      kind = DPUGW_LOOKUP_CONFIGURED;
      key = g_strdup ("configured");
    }
  else
    {
      const DpugwCacheEntry *entry;

      /* Validated before anything is looked up: a netdev name cannot hold a ':'. */
      kind = strchr (mgmt_port, ':') != NULL ? DPUGW_LOOKUP_PCI : DPUGW_LOOKUP_NETDEV;
      if (kind == DPUGW_LOOKUP_PCI)
        value = dpugw_pci_address_normalize (mgmt_port, &error);
      else if (dpugw_netdev_name_validate (mgmt_port, &error))
        value = g_strdup (mgmt_port);
      if (value == NULL)
        {
          return_error (invocation, error);
          return;
        }
      entry = kind == DPUGW_LOOKUP_PCI ? dpugw_cache_lookup (state->cache, value)
                                       : dpugw_cache_lookup_name (state->cache, value);
      key = g_strconcat (kind == DPUGW_LOOKUP_PCI ? "pci:" : "netdev:", value, NULL);
      if (entry != NULL)
        {
          answer_from_entry (&answer, entry);
          return_answer (self, invocation, &answer, mgmt_port);
          return;
        }
    }

  failure = dpugw_cache_lookup_failure (state->cache, key, g_get_monotonic_time ());
  if (failure != NULL)
    {
      return_error (invocation, failure);
      return;
    }
  dpugw_tracker_resolve_async (self->tracker, kind, value, key, resolve_done, call_new (self, invocation));
}

static gboolean
drop_topology (gpointer user_data)
{
  DpugwService *self = user_data;
  DpugwState *state = state_of (self);

  self->topology_keep_id = 0;
  if (state->topology != NULL)
    dpugw_topology_state_drop_variant (state->topology);
  dpugw_heap_trim_soon ();
  return G_SOURCE_REMOVE;
}

static void
return_topology (DpugwService *self, GDBusMethodInvocation *invocation)
{
  DpugwState *state = state_of (self);

  g_dbus_method_invocation_return_value (invocation,
                                         g_variant_new ("(t@aa{sv})", self->generation,
                                                        dpugw_topology_state_get_variant (state->topology)));
  g_clear_handle_id (&self->topology_keep_id, g_source_remove);
  self->topology_keep_id = g_timeout_add (TOPOLOGY_KEEP_MSEC, drop_topology, self);
}

static void
topology_ready (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(Call) call = user_data;
  g_autoptr(GError) error = NULL;

  if (!dpugw_tracker_wait_topology_finish (DPUGW_TRACKER (source), result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_object_unref (call->invocation);
      else
        return_error (call->invocation, error);
      return;
    }
  return_topology (call->self, call->invocation);
}

static void
handle_get_topology (DpugwService *self, GDBusMethodInvocation *invocation)
{
  if (state_of (self)->topology != NULL)
    return_topology (self, invocation);
  else
    /* Before the first pass is in (or when it failed): wait for one. */
    dpugw_tracker_wait_topology_async (self->tracker, topology_ready, call_new (self, invocation));
}

static void
refresh_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(Call) call = user_data;
  g_autoptr(GError) error = NULL;

  if (dpugw_tracker_refresh_finish (DPUGW_TRACKER (source), result, &error))
    g_dbus_method_invocation_return_value (call->invocation, NULL);
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_object_unref (call->invocation);
  else
    g_dbus_method_invocation_return_error (call->invocation, G_DBUS_ERROR, G_DBUS_ERROR_FAILED,
                                           "%s", error->message);
}

static void
refresh_caller_checked (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(Call) call = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);
  guint32 uid = G_MAXUINT32;

  if (reply != NULL)
    g_variant_get (reply, "(u)", &uid);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_object_unref (call->invocation);
  else if (uid != 0)
    g_dbus_method_invocation_return_error (call->invocation, G_DBUS_ERROR, G_DBUS_ERROR_ACCESS_DENIED,
                                           "Refresh is for root only");
  else
    dpugw_tracker_refresh_async (call->self->tracker, refresh_done, call_new (call->self, call->invocation));
}

static Export *
export_of (DpugwService *self, GDBusConnection *connection)
{
  for (guint i = 0; i < self->exports->len; i++)
    {
      Export *e = g_ptr_array_index (self->exports, i);
      if (e->connection == connection)
        return e;
    }
  return NULL;
}

static void
handle_refresh (DpugwService *self, GDBusMethodInvocation *invocation)
{
  GDBusConnection *connection = g_dbus_method_invocation_get_connection (invocation);
  Export *e = export_of (self, connection);

  /* A peer: its credentials, from the socket (EXTERNAL authentication).  Root only, as the bus
   * policy says. */
  if (e != NULL && e->peer)
    {
      GCredentials *credentials = g_dbus_connection_get_peer_credentials (connection);
      uid_t uid = credentials != NULL ? g_credentials_get_unix_user (credentials, NULL) : (uid_t) -1;

      if (uid != 0)
        g_dbus_method_invocation_return_error (invocation, G_DBUS_ERROR, G_DBUS_ERROR_ACCESS_DENIED,
                                               "Refresh is for root only");
      else
        dpugw_tracker_refresh_async (self->tracker, refresh_done, call_new (self, invocation));
      return;
    }

  /* The bus policy already denies it to others; check again, for any bus. */
  g_dbus_connection_call (connection, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                          "org.freedesktop.DBus", "GetConnectionUnixUser",
                          g_variant_new ("(s)", g_dbus_method_invocation_get_sender (invocation)),
                          G_VARIANT_TYPE ("(u)"), G_DBUS_CALL_FLAGS_NONE, -1, self->cancellable,
                          refresh_caller_checked, call_new (self, invocation));
}

static void
diagnose_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GDBusMethodInvocation) invocation = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) steps = dpugw_diagnose_finish (result, &error);

  if (steps == NULL)
    return_error (g_steal_pointer (&invocation), error);
  else
    g_dbus_method_invocation_return_value (g_steal_pointer (&invocation), g_variant_new ("(@aa{sv})", steps));
}

/* Uncached: a diagnosis looks at the machine as it is now. */
static void
handle_diagnose (DpugwService *self, GDBusMethodInvocation *invocation, const char *mgmt_port)
{
  dpugw_diagnose_async (dpugw_tracker_get_sysfs (self->tracker), state_of (self)->config, mgmt_port,
                        self->cancellable, diagnose_done, invocation);
}

void
dpugw_service_set_config (DpugwService *self, DpugwConfig *config)
{
  if (dpugw_tracker_set_config (self->tracker, config))
    {
      g_hash_table_add (self->changed_properties, (gpointer) "Configuration");
      flush_properties (self);
    }
}

/* --- D-Bus glue --------------------------------------------------------------------------------- */

static void
method_call (GDBusConnection       *connection,
             const char            *sender,
             const char            *object_path,
             const char            *interface_name,
             const char            *method_name,
             GVariant              *parameters,
             GDBusMethodInvocation *invocation,
             gpointer               user_data)
{
  DpugwService *self = user_data;

  /* GDBus has checked the signature against the introspection data. */
  if (strcmp (method_name, "Resolve") == 0 || strcmp (method_name, "ResolveAll") == 0)
    {
      const char *mgmt_port;
      g_variant_get (parameters, "(&s)", &mgmt_port);
      handle_resolve (self, invocation, mgmt_port);
    }
  else if (strcmp (method_name, "Diagnose") == 0)
    {
      const char *mgmt_port;
      g_variant_get (parameters, "(&s)", &mgmt_port);
      handle_diagnose (self, invocation, mgmt_port);
    }
  else if (strcmp (method_name, "GetTopology") == 0)
    handle_get_topology (self, invocation);
  else if (strcmp (method_name, "Refresh") == 0)
    handle_refresh (self, invocation);
  else
    g_dbus_method_invocation_return_error (invocation, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_METHOD,
                                           "no method %s", method_name);
}

static GVariant *
get_property (GDBusConnection *connection,
              const char      *sender,
              const char      *object_path,
              const char      *interface_name,
              const char      *property_name,
              GError         **error,
              gpointer         user_data)
{
  GVariant *value = get_property_value (user_data, property_name);

  if (value == NULL)
    g_set_error (error, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_PROPERTY, "no property %s", property_name);
  return value;
}

static const GDBusInterfaceVTable vtable = { method_call, get_property, NULL };

static gboolean
export_on (DpugwService *self, GDBusConnection *connection, gboolean peer, GError **error)
{
  GDBusInterfaceInfo *info;
  Export *e;

  if (self->node_info == NULL)
    {
      g_autoptr(GBytes) xml = g_resources_lookup_data (XML_RESOURCE, G_RESOURCE_LOOKUP_FLAGS_NONE, error);

      if (xml == NULL)
        return FALSE;
      self->node_info = g_dbus_node_info_new_for_xml (g_bytes_get_data (xml, NULL), error);
      if (self->node_info == NULL)
        return FALSE;
    }
  info = g_dbus_node_info_lookup_interface (self->node_info, DPUGW_DBUS_INTERFACE);
  g_assert (info != NULL);

  e = g_new0 (Export, 1);
  e->peer = peer;
  e->registration_id = g_dbus_connection_register_object (connection, DPUGW_DBUS_PATH, info, &vtable,
                                                          self, NULL, error);
  if (e->registration_id == 0)
    {
      export_free (e);
      return FALSE;
    }
  e->connection = g_object_ref (connection);
  g_ptr_array_add (self->exports, e);
  return TRUE;
}

gboolean
dpugw_service_export (DpugwService *self, GDBusConnection *connection, GError **error)
{
  return export_on (self, connection, FALSE, error);
}

gboolean
dpugw_service_export_peer (DpugwService *self, GDBusConnection *connection, GError **error)
{
  return export_on (self, connection, TRUE, error);
}

void
dpugw_service_unexport_connection (DpugwService *self, GDBusConnection *connection)
{
  Export *e = export_of (self, connection);

  if (e == NULL)
    return;
  export_unregister (e);
  g_ptr_array_remove_fast (self->exports, e);
}

void
dpugw_service_unexport (DpugwService *self)
{
  for (guint i = 0; i < self->exports->len; i++)
    export_unregister (g_ptr_array_index (self->exports, i));
  g_ptr_array_set_size (self->exports, 0);
}
