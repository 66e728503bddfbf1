/* SPDX-License-Identifier: Apache-2.0
 *
 * The org.ovnk.DpuGateway object.  Main thread only: sysfs work goes to
 * worker.c's jobs, results come back here, where the cache, the properties
 * and the signals are kept consistent.
 */
#define G_LOG_DOMAIN "dpugw-service"

#include "config.h"
#include "service.h"

#include "cache.h"
#include "dbus-names.h"
#include "link-monitor.h"
#include "reply-memo.h"
#include "topology-state.h"
#include "worker.h"

#include <malloc.h>
#include <string.h>

#define CACHE_MAX_ENTRIES  16384
#define CACHE_MAX_FAILURES 1024
#define FAILURE_TTL_USEC   (2 * G_USEC_PER_SEC)
#define RESOLVE_MEMO_MAX   32
#define TRIM_DELAY_MSEC    1000
#define XML_RESOURCE       "/org/ovnk/DpuGateway/org.ovnk.DpuGateway.xml"

/* Journal message IDs an operator can filter on: journalctl MESSAGE_ID=... */
#define MESSAGE_ID_GATEWAY_CHANGED "c11c050c89334be69ecc471270c72edb"
#define MESSAGE_ID_RESOLUTION_ERROR "191a9294509f4fb1bda7c906482008bf"

struct _DpugwService
{
  GObject parent_instance;

  DpugwSysfs *sysfs;
  DpugwConfig *config;
  GCancellable *cancellable;

  GDBusConnection *connection;
  GDBusNodeInfo *node_info;
  guint registration_id;

  DpugwCache *cache;
  guint cache_epoch;          /* increases when a pass replaces the cache */
  GHashTable *inflight;       /* request key -> Lookup */
  DpugwReplyMemo *replies;    /* Resolve's cached answers, kept built; forgotten on any change */
  guint filter_id;            /* the replies answered in GDBus' thread */
  guint trim_id;              /* gives freed memory back to the system once work has stopped */

  /* The configured management port's resolution and the properties. */
  DpugwResolution *configured;
  char *management_port;
  char *gateway_interface;
  char *last_error;
  gboolean config_changed;    /* since the configured port was last resolved */
  guint64 generation;
  GHashTable *changed_properties;  /* names, for the next PropertiesChanged */

  DpugwTopologyState *topology; /* NULL until the first pass */
  GPtrArray *topology_waiters;

  /* One pass at a time: a full one (start-up, Refresh, SIGHUP) or one for link changes. */
  gboolean pass_running;
  gboolean want_full;
  GPtrArray *pass_waiters;    /* Refresh calls answered by the running pass */
  GPtrArray *refresh_waiters; /* Refresh calls for the next full pass */

  DpugwLinkMonitor *monitor;
  GPtrArray *link_events;     /* DpugwLinkEvent, for the next link pass */
};

G_DEFINE_FINAL_TYPE (DpugwService, dpugw_service, G_TYPE_OBJECT)

/* One lookup in flight: every caller asking the same thing meanwhile waits on it. */
typedef struct {
  DpugwService *self;
  char *key;
  DpugwLookupKind kind;
  char *name;          /* the netdev asked for (NETDEV) */
  guint epoch;
  GPtrArray *waiters;  /* GDBusMethodInvocation */
} Lookup;

static void
lookup_free (Lookup *lookup)
{
  g_clear_object (&lookup->self);
  g_free (lookup->key);
  g_free (lookup->name);
  g_clear_pointer (&lookup->waiters, g_ptr_array_unref);
  g_free (lookup);
}

static void
dpugw_service_dispose (GObject *object)
{
  DpugwService *self = DPUGW_SERVICE (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->trim_id, g_source_remove);
  if (self->monitor != NULL)
    g_signal_handlers_disconnect_by_data (self->monitor, self);
  g_clear_object (&self->monitor);
  dpugw_service_unexport (self);
  G_OBJECT_CLASS (dpugw_service_parent_class)->dispose (object);
}

static void
dpugw_service_finalize (GObject *object)
{
  DpugwService *self = DPUGW_SERVICE (object);

  g_clear_object (&self->sysfs);
  g_clear_pointer (&self->config, dpugw_config_free);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->node_info, g_dbus_node_info_unref);
  g_clear_pointer (&self->cache, dpugw_cache_free);
  g_clear_pointer (&self->inflight, g_hash_table_unref);
  g_clear_pointer (&self->replies, dpugw_reply_memo_unref);
  g_clear_pointer (&self->configured, dpugw_resolution_free);
  g_free (self->management_port);
  g_free (self->gateway_interface);
  g_free (self->last_error);
  g_clear_pointer (&self->changed_properties, g_hash_table_unref);
  g_clear_pointer (&self->topology, dpugw_topology_state_free);
  g_clear_pointer (&self->topology_waiters, g_ptr_array_unref);
  g_clear_pointer (&self->link_events, g_ptr_array_unref);
  g_clear_pointer (&self->pass_waiters, g_ptr_array_unref);
  g_clear_pointer (&self->refresh_waiters, g_ptr_array_unref);
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
  self->cache = dpugw_cache_new (CACHE_MAX_ENTRIES, CACHE_MAX_FAILURES, FAILURE_TTL_USEC);
  self->inflight = g_hash_table_new (g_str_hash, g_str_equal);
  self->replies = dpugw_reply_memo_new (DPUGW_DBUS_PATH, DPUGW_DBUS_INTERFACE, RESOLVE_MEMO_MAX);
  self->management_port = g_strdup ("");
  self->gateway_interface = g_strdup ("");
  self->last_error = g_strdup ("");
  self->changed_properties = g_hash_table_new (g_str_hash, g_str_equal);
  self->topology_waiters = g_ptr_array_new_with_free_func (g_object_unref);
  self->pass_waiters = g_ptr_array_new_with_free_func (g_object_unref);
  self->refresh_waiters = g_ptr_array_new_with_free_func (g_object_unref);
  self->link_events = g_ptr_array_new_with_free_func ((GDestroyNotify) dpugw_link_event_free);
}

/* The configured management port before it is resolved: the netdev, or the device plugin's VF. */
static const char *
configured_mgmt_port (DpugwService *self)
{
  if (self->config->mgmt_source == DPUGW_MGMT_SOURCE_DEVICE_PLUGIN)
    return self->config->mgmt_port_vf_pci != NULL ? self->config->mgmt_port_vf_pci : self->config->mgmt_port_sf;
  if (self->config->mgmt_port_netdev != NULL)
    return self->config->mgmt_port_netdev;
  return "";
}

DpugwService *
dpugw_service_new (DpugwSysfs *sysfs, DpugwConfig *config)
{
  DpugwService *self = g_object_new (DPUGW_TYPE_SERVICE, NULL);

  self->sysfs = g_object_ref (sysfs);
  self->config = config;
  g_free (self->management_port);
  self->management_port = g_strdup (configured_mgmt_port (self));
  return self;
}

/* --- memory ------------------------------------------------------------------ */

/* Resolve's remembered replies hold the Generation and the cache as they were: any change drops them. */
static void
forget_replies (DpugwService *self)
{
  dpugw_reply_memo_forget (self->replies);
}

static gboolean
trim_now (gpointer user_data)
{
  DpugwService *self = user_data;

  self->trim_id = 0;
  /* GetTopology's reply is kept while callers ask for it; on a large host it weighs 100 bytes a VF. */
  if (self->topology != NULL)
    dpugw_topology_state_drop_variant (self->topology);
  /* A pass or a burst of lookups frees most of what it allocated; without this the heap keeps the pages. */
  malloc_trim (0);
  return G_SOURCE_REMOVE;
}

/* Called after work that allocates and frees much: the heap is trimmed once things are quiet. */
static void
schedule_trim (DpugwService *self)
{
  g_clear_handle_id (&self->trim_id, g_source_remove);
  self->trim_id = g_timeout_add (TRIM_DELAY_MSEC, trim_now, self);
}

/* --- properties and signals ------------------------------------------------ */

static void
set_string_property (DpugwService *self, const char *name, char **field, const char *value)
{
  if (g_strcmp0 (*field, value) == 0)
    return;
  g_free (*field);
  *field = g_strdup (value);
  g_hash_table_add (self->changed_properties, (gpointer) name);
}

/* The configuration in effect, for dpu-gatewayctl status: only what is set. */
static GVariant *
configuration_variant (DpugwService *self)
{
  const DpugwConfig *c = self->config;
  GVariantBuilder b;

  g_variant_builder_init (&b, G_VARIANT_TYPE ("a{ss}"));
  g_variant_builder_add (&b, "{ss}", "mode", dpugw_node_mode_to_string (c->mode));
  if (c->mgmt_port_netdev != NULL)
    g_variant_builder_add (&b, "{ss}", "mgmt-port-netdev", c->mgmt_port_netdev);
  if (c->mgmt_port_dp_resource_name != NULL)
    g_variant_builder_add (&b, "{ss}", "mgmt-port-dp-resource-name", c->mgmt_port_dp_resource_name);
  if (c->device_plugin_variable != NULL)
    g_variant_builder_add (&b, "{ss}", "device-plugin-variable", c->device_plugin_variable);
  if (c->gateway_interface != NULL)
    g_variant_builder_add (&b, "{ss}", "gateway-interface", c->gateway_interface);
  g_variant_builder_add (&b, "{ss}", "gateway-select", dpugw_select_to_string (c->select));
  if (c->config_file != NULL)
    g_variant_builder_add (&b, "{ss}", "config-file", c->config_file);
  g_variant_builder_add (&b, "{ss}", "sysfs-root", dpugw_sysfs_get_root (self->sysfs));
  return g_variant_builder_end (&b);
}

static GVariant *
get_property_value (DpugwService *self, const char *name)
{
  if (strcmp (name, "Configuration") == 0)
    return configuration_variant (self);
  if (strcmp (name, "ManagementPort") == 0)
    return g_variant_new_string (self->management_port);
  if (strcmp (name, "GatewayInterface") == 0)
    return g_variant_new_string (self->gateway_interface);
  if (strcmp (name, "LastError") == 0)
    return g_variant_new_string (self->last_error);
  if (strcmp (name, "Generation") == 0)
    return g_variant_new_uint64 (self->generation);
  if (strcmp (name, "Version") == 0)
    return g_variant_new_string (DPUGW_VERSION);
  return NULL;
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

  if (self->connection == NULL)
    {
      g_variant_builder_clear (&changed);
      return;
    }
  g_dbus_connection_emit_signal (self->connection, NULL, DPUGW_DBUS_PATH,
                                 "org.freedesktop.DBus.Properties", "PropertiesChanged",
                                 g_variant_new ("(sa{sv}as)", DPUGW_DBUS_INTERFACE, &changed, NULL),
                                 NULL);
}

/*
 * Under journald, GLib's writer sends these fields as they are (journalctl
 * MESSAGE_ID=... VF_PCI=...); elsewhere it prints the message as text.
 */
static void
log_gateway_changed (DpugwService *self, const char *vf, const char *old_if, const char *new_if)
{
  DpugwResolution view;
  const DpugwResolution *r = *vf != '\0' ? dpugw_cache_lookup_vf (self->cache, vf, &view) : NULL;
  const char *pf = "";

  if (r != NULL)
    pf = r->pf_pci;
  else if (self->configured != NULL && strcmp (dpugw_resolution_function (self->configured), vf) == 0)
    pf = self->configured->pf_pci;

  g_log_structured (G_LOG_DOMAIN, G_LOG_LEVEL_MESSAGE,
                    "MESSAGE_ID", MESSAGE_ID_GATEWAY_CHANGED,
                    "VF_PCI", vf,
                    "PF_PCI", pf != NULL ? pf : "",
                    "INTERFACE", new_if,
                    "OLD_INTERFACE", old_if,
                    "MESSAGE", "gateway of %s: %s -> %s", *vf ? vf : "(configured)",
                    *old_if ? old_if : "(none)", *new_if ? new_if : "(none)");
}

static void
log_resolution_error (const char *mgmt_port, const char *message)
{
  g_log_structured (G_LOG_DOMAIN, G_LOG_LEVEL_WARNING,
                    "MESSAGE_ID", MESSAGE_ID_RESOLUTION_ERROR,
                    "MGMT_PORT", mgmt_port,
                    "MESSAGE", "configured management port %s: %s", mgmt_port, message);
}

static void
emit_signal (DpugwService *self, const char *name, GVariant *parameters)
{
  g_autoptr(GVariant) owned = g_variant_ref_sink (parameters);

  if (self->connection == NULL)
    return;
  g_dbus_connection_emit_signal (self->connection, NULL, DPUGW_DBUS_PATH, DPUGW_DBUS_INTERFACE,
                                 name, owned, NULL);
}

/*
 * Publishes one batch of changes: a new Generation (also for the @first pass), then the GatewayChanged
 * signals (GVariant "(sss)"), then TopologyChanged, then PropertiesChanged.
 */
static void
publish_changes (DpugwService *self, GPtrArray *gateway_changes, gboolean topology_changed, gboolean first)
{
  forget_replies (self);
  schedule_trim (self);
  if (gateway_changes->len > 0 || topology_changed || first)
    {
      self->generation++;
      g_hash_table_add (self->changed_properties, (gpointer) "Generation");
    }
  for (guint i = 0; i < gateway_changes->len; i++)
    {
      GVariant *change = g_ptr_array_index (gateway_changes, i);
      const char *vf, *old_if, *new_if;

      g_variant_get (change, "(&s&s&s)", &vf, &old_if, &new_if);
      log_gateway_changed (self, vf, old_if, new_if);
      emit_signal (self, "GatewayChanged", change);
    }
  if (topology_changed)
    emit_signal (self, "TopologyChanged", g_variant_new ("(t)", self->generation));
  flush_properties (self);
}

/*
 * Takes the configured port's new result (@r, transfer full, or @error) into
 * the properties; adds a GatewayChanged to @changes when its interface moved.
 */
static void
set_configured (DpugwService *self, DpugwResolution *r, const GError *error, GPtrArray *changes)
{
  const char *old_if = self->configured != NULL ? self->configured->interface : "";
  const char *old_vf = self->configured != NULL ? dpugw_resolution_function (self->configured) : "";
  const char *new_if = r != NULL ? r->interface : "";
  const char *mgmt_port = configured_mgmt_port (self);
  g_autofree char *valid_message = NULL;
  const char *message = "";

  if (r != NULL && *r->mgmt_port != '\0')
    mgmt_port = r->mgmt_port;
  else if (r != NULL && *dpugw_resolution_function (r) != '\0')
    mgmt_port = dpugw_resolution_function (r);
  else if (r == NULL && *self->management_port != '\0' && !self->config_changed)
    mgmt_port = self->management_port; /* a failure says nothing new about the port: keep the last known */
  self->config_changed = FALSE;
  /* Nothing configured is not an error of the configuration's. */
  if (error != NULL && !g_error_matches (error, DPUGW_ERROR, DPUGW_ERROR_NOT_CONFIGURED))
    message = valid_message = g_utf8_make_valid (error->message, -1);

  if (strcmp (old_if, new_if) != 0)
    g_ptr_array_add (changes, g_variant_ref_sink (
        g_variant_new ("(sss)", r != NULL && *dpugw_resolution_function (r) != '\0' ? dpugw_resolution_function (r)
                                                                                  : old_vf,
                       old_if, new_if)));
  if (r != NULL && r->hint != NULL &&
      (self->configured == NULL || g_strcmp0 (self->configured->hint, r->hint) != 0))
    g_warning ("configured management port: %s", r->hint);
  if (error != NULL && *message != '\0' && g_strcmp0 (self->last_error, message) != 0)
    log_resolution_error (mgmt_port, message);

  set_string_property (self, "ManagementPort", &self->management_port, mgmt_port);
  set_string_property (self, "GatewayInterface", &self->gateway_interface, new_if);
  set_string_property (self, "LastError", &self->last_error, message);
  g_clear_pointer (&self->configured, dpugw_resolution_free);
  self->configured = r;
}

/* --- Resolve ---------------------------------------------------------------- */

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

/*
 * The details of an answer.  ResolveAll's (@full) say everything; Resolve's are the few that
 * callers on a hot path use, so that its reply stays small: every entry of an a{sv} is a
 * variant each side builds and parses.
 */
static GVariant *
details_variant (DpugwService *self, const DpugwResolution *r, gboolean cached, gboolean full)
{
  GVariantBuilder b;

  g_variant_builder_init (&b, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&b, "{sv}", "mgmt-port", g_variant_new_string (r->mgmt_port));
  g_variant_builder_add (&b, "{sv}", "vf-pci", g_variant_new_string (r->vf_pci));
  g_variant_builder_add (&b, "{sv}", "pf-pci", g_variant_new_string (r->pf_pci));
  if (full)
    {
      g_variant_builder_add (&b, "{sv}", "candidates",
                             g_variant_new_strv ((const char * const *) r->candidates, -1));
      g_variant_builder_add (&b, "{sv}", "source", g_variant_new_string (dpugw_source_to_string (r->source)));
      g_variant_builder_add (&b, "{sv}", "selected-by",
                             g_variant_new_string (r->selected_by != NULL ? r->selected_by : ""));
      g_variant_builder_add (&b, "{sv}", "function-type",
                             g_variant_new_string (r->function_type != NULL ? r->function_type : ""));
    }
  if (r->sf != NULL)
    g_variant_builder_add (&b, "{sv}", "sf", g_variant_new_string (r->sf));
  if (r->hint != NULL)
    g_variant_builder_add (&b, "{sv}", "hint", g_variant_new_string (r->hint));
  if (full)
    g_variant_builder_add (&b, "{sv}", "cached", g_variant_new_boolean (cached));
  g_variant_builder_add (&b, "{sv}", "generation", g_variant_new_uint64 (self->generation));
  return g_variant_builder_end (&b);
}

/*
 * Resolve answers the interface, ResolveAll every interface the deciding rule matched.  A cached
 * answer to Resolve is kept under @asked (its argument, as the caller wrote it): the next call for
 * it is answered from GDBus' thread (reply-memo.c) as long as nothing changes.
 */
static void
return_resolution (DpugwService *self, GDBusMethodInvocation *invocation,
                   const DpugwResolution *r, gboolean cached, const char *asked)
{
  gboolean all = strcmp (g_dbus_method_invocation_get_method_name (invocation), "ResolveAll") == 0;
  GVariant *details = details_variant (self, r, cached, all);
  GVariant *reply;

  if (all)
    {
      g_dbus_method_invocation_return_value (invocation,
                                             g_variant_new ("(^as@a{sv})", r->interfaces != NULL ? r->interfaces
                                                                                                 : r->candidates,
                                                            details));
      return;
    }
  reply = g_variant_ref_sink (g_variant_new ("(s@a{sv})", r->interface, details));
  if (cached && asked != NULL)
    dpugw_reply_memo_store (self->replies, asked, reply);
  g_dbus_method_invocation_return_value (invocation, reply);
  g_variant_unref (reply);
}

static void
lookup_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Lookup *lookup = user_data;
  DpugwService *self = lookup->self;
  g_autoptr(GError) error = NULL;
  g_autoptr(DpugwResolution) r = dpugw_lookup_finish (result, &error);

  g_hash_table_remove (self->inflight, lookup->key);
  if (g_cancellable_is_cancelled (self->cancellable))
    {
      lookup_free (lookup);
      return;
    }
  schedule_trim (self);

  for (guint i = 0; i < lookup->waiters->len; i++)
    {
      GDBusMethodInvocation *invocation = g_ptr_array_index (lookup->waiters, i);
      if (r != NULL)
        return_resolution (self, g_object_ref (invocation), r, FALSE, NULL);
      else
        return_error (g_object_ref (invocation), error);
    }

  /* A pass that ran meanwhile has newer results: keep those. */
  if (lookup->epoch == self->cache_epoch)
    {
      forget_replies (self);
      if (lookup->kind == DPUGW_LOOKUP_CONFIGURED)
        {
          g_autoptr(GPtrArray) changes = g_ptr_array_new_with_free_func ((GDestroyNotify) g_variant_unref);
          set_configured (self, r != NULL ? dpugw_resolution_copy (r) : NULL, error, changes);
          publish_changes (self, changes, FALSE, FALSE);
        }
      if (r != NULL && *dpugw_resolution_function (r) != '\0')
        dpugw_cache_store (self->cache, lookup->name, g_steal_pointer (&r));
      else if (error != NULL)
        dpugw_cache_store_failure (self->cache, lookup->key, error, g_get_monotonic_time ());
    }
  lookup_free (lookup);
}

/* Answers @invocation with the lookup @key, starting it unless it is in flight. */
static void
join_lookup (DpugwService *self, GDBusMethodInvocation *invocation, const char *key,
             DpugwLookupKind kind, const char *value)
{
  Lookup *lookup = g_hash_table_lookup (self->inflight, key);

  if (lookup == NULL)
    {
      lookup = g_new0 (Lookup, 1);
      lookup->self = g_object_ref (self);
      lookup->key = g_strdup (key);
      lookup->kind = kind;
      lookup->name = kind == DPUGW_LOOKUP_NETDEV ? g_strdup (value) : NULL;
      lookup->epoch = self->cache_epoch;
      lookup->waiters = g_ptr_array_new_with_free_func (g_object_unref);
      g_hash_table_insert (self->inflight, lookup->key, lookup);
      dpugw_lookup_async (self->sysfs, self->config, kind, value, self->cancellable, lookup_done, lookup);
    }
  g_ptr_array_add (lookup->waiters, invocation);
}

static void
handle_resolve (DpugwService *self, GDBusMethodInvocation *invocation, const char *mgmt_port)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *key = NULL;
  g_autofree char *value = NULL;
  const DpugwResolution *cached = NULL;
  DpugwResolution view;
  const GError *failure;
  DpugwLookupKind kind;

  if (*mgmt_port == '\0')
    {
      kind = DPUGW_LOOKUP_CONFIGURED;
      key = g_strdup ("configured");
      cached = self->configured;
    }
  else if (strchr (mgmt_port, ':') != NULL)
    {
      kind = DPUGW_LOOKUP_PCI;
      value = dpugw_pci_address_normalize (mgmt_port, &error);
      if (value == NULL)
        {
          return_error (invocation, error);
          return;
        }
      key = g_strconcat ("pci:", value, NULL);
      cached = dpugw_cache_lookup_vf (self->cache, value, &view);
    }
  else
    {
      kind = DPUGW_LOOKUP_NETDEV;
      if (!dpugw_netdev_name_validate (mgmt_port, &error))
        {
          return_error (invocation, error);
          return;
        }
      value = g_strdup (mgmt_port);
      key = g_strconcat ("netdev:", value, NULL);
      cached = dpugw_cache_lookup_name (self->cache, value, &view);
    }

  if (cached != NULL)
    {
      return_resolution (self, invocation, cached, TRUE, mgmt_port);
      return;
    }
  failure = dpugw_cache_lookup_failure (self->cache, key, g_get_monotonic_time ());
  if (failure != NULL)
    {
      return_error (invocation, failure);
      return;
    }
  join_lookup (self, invocation, key, kind, value);
}

/* --- Refresh and the pass --------------------------------------------------- */

static void kick (DpugwService *self);

static void
reply_topology_waiters (DpugwService *self, const GError *error)
{
  for (guint i = 0; i < self->topology_waiters->len; i++)
    {
      GDBusMethodInvocation *invocation = g_object_ref (g_ptr_array_index (self->topology_waiters, i));
      if (self->topology != NULL)
        g_dbus_method_invocation_return_value (invocation, g_variant_new ("(t@aa{sv})", self->generation,
                                                                          dpugw_topology_state_get_variant (self->topology)));
      else
        return_error (invocation, error);
    }
  g_ptr_array_set_size (self->topology_waiters, 0);
}

static void
apply_pass (DpugwService *self, DpugwPass *pass)
{
  g_autoptr(GPtrArray) changes = g_ptr_array_new_with_free_func ((GDestroyNotify) g_variant_unref);
  g_autoptr(GHashTable) announced = g_hash_table_new (g_str_hash, g_str_equal);
  gboolean topology_changed, first;

  for (guint i = 0; pass->vfs[i] != NULL; i++)
    {
      DpugwResolution view;
      const DpugwResolution *old = dpugw_cache_lookup_vf (self->cache, pass->vfs[i], &view);
      const DpugwResolution *now = g_ptr_array_index (pass->results, i);
      const char *old_if = old != NULL ? old->interface : "";
      const char *new_if = now != NULL ? now->interface : "";

      if (strcmp (old_if, new_if) != 0)
        {
          g_ptr_array_add (changes, g_variant_ref_sink (g_variant_new ("(sss)", pass->vfs[i], old_if, new_if)));
          g_hash_table_add (announced, pass->vfs[i]);
        }
    }

  /* Drop every cached result; keep what this pass found. */
  self->cache_epoch++;
  dpugw_cache_clear (self->cache);
  for (guint i = 0; pass->vfs[i] != NULL; i++)
    if (g_ptr_array_index (pass->results, i) != NULL)
      dpugw_cache_store (self->cache, NULL, g_steal_pointer (&g_ptr_array_index (pass->results, i)));

  {
    g_autoptr(GPtrArray) configured_changes = g_ptr_array_new_with_free_func ((GDestroyNotify) g_variant_unref);
    DpugwResolution *r = g_steal_pointer (&pass->configured);

    if (r != NULL && *dpugw_resolution_function (r) != '\0')
      dpugw_cache_store (self->cache, NULL, dpugw_resolution_copy (r));
    set_configured (self, r, pass->configured_error, configured_changes);
    for (guint i = 0; i < configured_changes->len; i++)
      {
        GVariant *change = g_ptr_array_index (configured_changes, i);
        const char *vf;

        g_variant_get (change, "(&s&s&s)", &vf, NULL, NULL);
        if (*vf == '\0' || !g_hash_table_contains (announced, vf))
          g_ptr_array_add (changes, g_variant_ref (change));
      }
  }

  /* The first scan is no change, there was nothing to compare with; but it is a generation. */
  {
    g_autoptr(DpugwTopologyState) topology = dpugw_topology_state_new (g_steal_pointer (&pass->pfs));

    first = self->topology == NULL;
    topology_changed = !first && !dpugw_topology_state_equal (self->topology, topology);
    g_clear_pointer (&self->topology, dpugw_topology_state_free);
    self->topology = g_steal_pointer (&topology);
  }

  publish_changes (self, changes, topology_changed, first);
}

static void
pass_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(DpugwService) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(DpugwPass) pass = dpugw_pass_finish (result, &error);

  if (g_cancellable_is_cancelled (self->cancellable))
    return;
  self->pass_running = FALSE;

  if (pass != NULL)
    apply_pass (self, pass);
  else
    g_warning ("re-validation failed: %s", error->message);

  for (guint i = 0; i < self->pass_waiters->len; i++)
    {
      GDBusMethodInvocation *invocation = g_object_ref (g_ptr_array_index (self->pass_waiters, i));
      if (pass != NULL)
        g_dbus_method_invocation_return_value (invocation, NULL);
      else
        g_dbus_method_invocation_return_error (invocation, G_DBUS_ERROR, G_DBUS_ERROR_FAILED,
                                               "%s", error->message);
    }
  g_ptr_array_set_size (self->pass_waiters, 0);
  reply_topology_waiters (self, error);
  kick (self);
}

static void
start_full_pass (DpugwService *self)
{
  g_auto(GStrv) vfs = NULL;

  self->pass_running = TRUE;
  self->want_full = FALSE;
  /* A full pass covers whatever the links did meanwhile. */
  g_ptr_array_set_size (self->link_events, 0);
  g_ptr_array_extend_and_steal (self->pass_waiters, g_steal_pointer (&self->refresh_waiters));
  self->refresh_waiters = g_ptr_array_new_with_free_func (g_object_unref);

  vfs = dpugw_cache_dup_vfs (self->cache);
  g_debug ("re-validating %u cached resolutions and the topology", g_strv_length (vfs));
  dpugw_pass_async (self->sysfs, self->config, (const char * const *) vfs, self->cancellable,
                    pass_done, g_object_ref (self));
}

static void start_link_pass (DpugwService *self);

/* Starts the next pass, if one is wanted and none runs. */
static void
kick (DpugwService *self)
{
  if (self->pass_running || g_cancellable_is_cancelled (self->cancellable))
    return;
  if (self->want_full)
    start_full_pass (self);
  else if (self->topology != NULL && self->link_events->len > 0)
    start_link_pass (self);
}

void
dpugw_service_refresh (DpugwService *self)
{
  self->want_full = TRUE;
  kick (self);
}

void
dpugw_service_set_config (DpugwService *self, DpugwConfig *config)
{
  g_clear_pointer (&self->config, dpugw_config_free);
  self->config = config;
  forget_replies (self);
  /* A new configuration may name another port: its next result, even a failure, says which. */
  self->config_changed = TRUE;
  g_hash_table_add (self->changed_properties, (gpointer) "Configuration");
  flush_properties (self);
  dpugw_service_refresh (self);
}

/* --- link changes ------------------------------------------------------------ */

/* Records @vf's gateway before this pass touches it, once. */
static void
snapshot_vf (DpugwService *self, GHashTable *before, const char *vf)
{
  const DpugwResolution *r;
  DpugwResolution view;

  if (g_hash_table_contains (before, vf))
    return;
  r = dpugw_cache_lookup_vf (self->cache, vf, &view);
  g_hash_table_insert (before, g_strdup (vf), g_strdup (r != NULL ? r->interface : ""));
}

/* A PF's netdevs changed: its cached functions take the PF's new choice (@choice, transfer full; none: they go). */
static void
apply_pf_choice (DpugwService *self, GHashTable *before, const char *pf, DpugwResolution *choice)
{
  g_auto(GStrv) vfs = dpugw_cache_dup_vfs_of_pf (self->cache, pf);

  for (guint i = 0; vfs[i] != NULL; i++)
    snapshot_vf (self, before, vfs[i]);
  dpugw_cache_update_pf (self->cache, pf, choice);
}

static void
apply_link_pass (DpugwService *self, DpugwLinkPass *pass)
{
  g_autoptr(GHashTable) before = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GPtrArray) changes = g_ptr_array_new_with_free_func ((GDestroyNotify) g_variant_unref);
  g_autoptr(GPtrArray) configured_changes = g_ptr_array_new_with_free_func ((GDestroyNotify) g_variant_unref);
  g_autoptr(GHashTable) announced = g_hash_table_new (g_str_hash, g_str_equal);
  gboolean topology_changed = FALSE;
  GHashTableIter iter;
  gpointer key, value;

  self->cache_epoch++;

  for (guint i = 0; pass->pfs[i] != NULL; i++)
    {
      char **netdevs = g_ptr_array_index (pass->pf_netdevs, i);
      topology_changed |= dpugw_topology_state_set_pf_netdevs (self->topology, pass->pfs[i], netdevs);
      apply_pf_choice (self, before, pass->pfs[i], g_steal_pointer (&g_ptr_array_index (pass->pf_choices, i)));
    }

  for (guint i = 0; i < pass->rescanned->len; i++)
    {
      DpugwPf *pf = g_steal_pointer (&g_ptr_array_index (pass->rescanned, i));
      g_autofree char *pci = g_strdup (pf->pci);

      topology_changed |= dpugw_topology_state_replace_pf (self->topology, pf);
      apply_pf_choice (self, before, pci, g_steal_pointer (&g_ptr_array_index (pass->rescanned_choices, i)));
    }

  for (guint i = 0; pass->vfs[i] != NULL; i++)
    {
      const char *vf = pass->vfs[i];
      DpugwResolution *r = g_steal_pointer (&g_ptr_array_index (pass->vf_results, i));
      DpugwResolution view;

      topology_changed |= dpugw_topology_state_set_vf_netdevs (self->topology, vf,
                                                               g_ptr_array_index (pass->vf_netdevs, i));
      /* The cache holds what callers asked for; it does not grow here. */
      if (dpugw_cache_lookup_vf (self->cache, vf, &view) == NULL)
        {
          dpugw_resolution_free (r);
          continue;
        }
      snapshot_vf (self, before, vf);
      if (r != NULL)
        dpugw_cache_store (self->cache, NULL, r);
      else
        dpugw_cache_remove_vf (self->cache, vf);
    }

  {
    DpugwResolution *r = g_steal_pointer (&pass->configured);

    if (r != NULL && *dpugw_resolution_function (r) != '\0')
      {
        snapshot_vf (self, before, dpugw_resolution_function (r));
        dpugw_cache_store (self->cache, NULL, dpugw_resolution_copy (r));
      }
    set_configured (self, r, pass->configured_error, configured_changes);
  }

  g_hash_table_iter_init (&iter, before);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      DpugwResolution view;
      const DpugwResolution *now = dpugw_cache_lookup_vf (self->cache, key, &view);
      const char *new_if = now != NULL ? now->interface : "";

      if (strcmp (value, new_if) != 0)
        {
          g_ptr_array_add (changes, g_variant_ref_sink (g_variant_new ("(sss)", key, value, new_if)));
          g_hash_table_add (announced, key);
        }
    }
  /* The configured port's change, unless its function's own entry said the same already. */
  for (guint i = 0; i < configured_changes->len; i++)
    {
      GVariant *change = g_ptr_array_index (configured_changes, i);
      const char *vf;

      g_variant_get (change, "(&s&s&s)", &vf, NULL, NULL);
      if (*vf == '\0' || !g_hash_table_contains (announced, vf))
        g_ptr_array_add (changes, g_variant_ref (change));
    }

  publish_changes (self, changes, topology_changed, FALSE);
}

static void
link_pass_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(DpugwService) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(DpugwLinkPass) pass = dpugw_link_pass_finish (result, &error);

  if (g_cancellable_is_cancelled (self->cancellable))
    return;
  self->pass_running = FALSE;
  if (pass != NULL)
    apply_link_pass (self, pass);
  else
    g_warning ("re-validation after link changes failed: %s", error->message);
  kick (self);
}

static void
add_name (GHashTable *set, const char *name)
{
  if (name != NULL)
    g_hash_table_add (set, (gpointer) name);
}

static GStrv
set_to_strv (GHashTable *set)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  GHashTableIter iter;
  gpointer key;

  g_hash_table_iter_init (&iter, set);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_strv_builder_add (builder, key);
  return g_strv_builder_end (builder);
}

/*
 * Works out what the link events touch: cached VFs named by them, VFs and
 * PFs whose netdevs they are, and new names nobody knew (the worker finds
 * their PCI functions).  The cost follows the events, not the machine.
 */
static void
start_link_pass (DpugwService *self)
{
  g_autoptr(GPtrArray) events = g_steal_pointer (&self->link_events);
  g_autoptr(GHashTable) touched = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) vfs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) pfs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) unknown = g_hash_table_new (g_str_hash, g_str_equal);
  g_auto(GStrv) vf_list = NULL;
  g_auto(GStrv) pf_list = NULL;
  g_auto(GStrv) name_list = NULL;
  GHashTableIter iter;
  gpointer name;
  gboolean appeared = FALSE;

  self->link_events = g_ptr_array_new_with_free_func ((GDestroyNotify) dpugw_link_event_free);

  for (guint i = 0; i < events->len; i++)
    {
      DpugwLinkEvent *event = g_ptr_array_index (events, i);

      /* Operstate matters only to the `up` rule. */
      if (event->type == DPUGW_LINK_OPERSTATE && !dpugw_select_uses_operstate (self->config->select))
        continue;
      add_name (touched, event->name);
      add_name (touched, event->old_name);
      if (event->type == DPUGW_LINK_ADDED || event->type == DPUGW_LINK_RENAMED)
        appeared = TRUE;
    }

  g_hash_table_iter_init (&iter, touched);
  while (g_hash_table_iter_next (&iter, &name, NULL))
    {
      const char *vf = dpugw_cache_vf_of_name (self->cache, name);
      gboolean is_pf;
      const char *pci = dpugw_topology_state_pci_of_netdev (self->topology, name, &is_pf);

      if (vf != NULL)
        g_hash_table_add (vfs, g_strdup (vf));
      if (pci != NULL)
        g_hash_table_add (is_pf ? pfs : vfs, g_strdup (pci));
      if (vf == NULL && pci == NULL)
        g_hash_table_add (unknown, name);
    }
  /* A name that only went away and nobody knew is nothing to us. */
  for (guint i = 0; i < events->len; i++)
    {
      DpugwLinkEvent *event = g_ptr_array_index (events, i);
      if (event->type == DPUGW_LINK_REMOVED)
        g_hash_table_remove (unknown, event->name);
      else if (event->type == DPUGW_LINK_RENAMED)
        {
          /* Renamed from a known name: the old name's VF or PF explains the new one. */
          g_hash_table_remove (unknown, event->old_name);
          if (dpugw_cache_vf_of_name (self->cache, event->old_name) != NULL ||
              dpugw_topology_state_pci_of_netdev (self->topology, event->old_name, NULL) != NULL)
            g_hash_table_remove (unknown, event->name);
        }
    }

  /* Names changed: the index learns them again from the results. */
  g_hash_table_iter_init (&iter, touched);
  while (g_hash_table_iter_next (&iter, &name, NULL))
    dpugw_cache_forget_name (self->cache, name);
  /* Something appeared: what failed before may work now. */
  if (appeared)
    dpugw_cache_clear_failures (self->cache);

  if (g_hash_table_size (touched) == 0)
    {
      kick (self);
      return;
    }

  vf_list = set_to_strv (vfs);
  pf_list = set_to_strv (pfs);
  name_list = set_to_strv (unknown);
  g_debug ("link changes: %u names; re-validating %u VFs, %u PFs, %u new names",
           g_hash_table_size (touched), g_strv_length (vf_list), g_strv_length (pf_list),
           g_strv_length (name_list));
  self->pass_running = TRUE;
  dpugw_link_pass_async (self->sysfs, self->config, (const char * const *) vf_list,
                         (const char * const *) pf_list, (const char * const *) name_list,
                         self->cancellable, link_pass_done, g_object_ref (self));
}

static void
on_links_changed (DpugwLinkMonitor *monitor, GPtrArray *events, gpointer user_data)
{
  DpugwService *self = user_data;

  for (guint i = 0; i < events->len; i++)
    {
      DpugwLinkEvent *event = g_ptr_array_index (events, i);
      DpugwLinkEvent *copy = g_new0 (DpugwLinkEvent, 1);

      *copy = *event;
      copy->name = g_strdup (event->name);
      copy->old_name = g_strdup (event->old_name);
      g_ptr_array_add (self->link_events, copy);
    }
  kick (self);
}

void
dpugw_service_set_link_monitor (DpugwService *self, DpugwLinkMonitor *monitor)
{
  g_return_if_fail (self->monitor == NULL);
  self->monitor = g_object_ref (monitor);
  g_signal_connect (monitor, "changed", G_CALLBACK (on_links_changed), self);
}

typedef struct {
  DpugwService *self;
  GDBusMethodInvocation *invocation;
} RefreshCall;

static void
refresh_caller_checked (GObject *source, GAsyncResult *result, gpointer user_data)
{
  RefreshCall *call = user_data;
  g_autoptr(DpugwService) self = call->self;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);
  guint32 uid = G_MAXUINT32;

  if (reply != NULL)
    g_variant_get (reply, "(u)", &uid);
  if (uid != 0)
    {
      g_dbus_method_invocation_return_error (call->invocation, G_DBUS_ERROR, G_DBUS_ERROR_ACCESS_DENIED,
                                             "Refresh is for root only");
    }
  else
    {
      g_ptr_array_add (self->refresh_waiters, call->invocation);
      dpugw_service_refresh (self);
    }
  g_free (call);
}

static void
handle_refresh (DpugwService *self, GDBusMethodInvocation *invocation)
{
  RefreshCall *call = g_new0 (RefreshCall, 1);

  /* The bus policy already denies it to others; check again, for any bus. */
  call->self = g_object_ref (self);
  call->invocation = invocation;
  g_dbus_connection_call (self->connection, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                          "org.freedesktop.DBus", "GetConnectionUnixUser",
                          g_variant_new ("(s)", g_dbus_method_invocation_get_sender (invocation)),
                          G_VARIANT_TYPE ("(u)"), G_DBUS_CALL_FLAGS_NONE, -1, self->cancellable,
                          refresh_caller_checked, call);
}

static void
handle_get_topology (DpugwService *self, GDBusMethodInvocation *invocation)
{
  if (self->topology != NULL)
    {
      g_dbus_method_invocation_return_value (invocation, g_variant_new ("(t@aa{sv})", self->generation,
                                                                        dpugw_topology_state_get_variant (self->topology)));
      schedule_trim (self);
      return;
    }
  /* Before the first pass is in (or when it failed): wait for one. */
  g_ptr_array_add (self->topology_waiters, invocation);
  if (!self->pass_running)
    dpugw_service_refresh (self);
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
  dpugw_diagnose_async (self->sysfs, self->config, mgmt_port, self->cancellable, diagnose_done, invocation);
}

/* --- D-Bus glue ------------------------------------------------------------- */

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

gboolean
dpugw_service_export (DpugwService *self, GDBusConnection *connection, GError **error)
{
  g_autoptr(GBytes) xml = NULL;
  GDBusInterfaceInfo *info;

  g_return_val_if_fail (self->registration_id == 0, FALSE);

  xml = g_resources_lookup_data (XML_RESOURCE, G_RESOURCE_LOOKUP_FLAGS_NONE, error);
  if (xml == NULL)
    return FALSE;
  self->node_info = g_dbus_node_info_new_for_xml (g_bytes_get_data (xml, NULL), error);
  if (self->node_info == NULL)
    return FALSE;
  info = g_dbus_node_info_lookup_interface (self->node_info, DPUGW_DBUS_INTERFACE);
  g_assert (info != NULL);

  self->registration_id = g_dbus_connection_register_object (connection, DPUGW_DBUS_PATH, info, &vtable,
                                                             self, NULL, error);
  if (self->registration_id == 0)
    return FALSE;
  self->connection = g_object_ref (connection);
  self->filter_id = dpugw_reply_memo_attach (self->replies, connection);
  dpugw_service_refresh (self);
  return TRUE;
}

void
dpugw_service_unexport (DpugwService *self)
{
  if (self->connection != NULL && self->filter_id != 0)
    g_dbus_connection_remove_filter (self->connection, self->filter_id);
  self->filter_id = 0;
  if (self->connection != NULL && self->registration_id != 0)
    g_dbus_connection_unregister_object (self->connection, self->registration_id);
  self->registration_id = 0;
  g_clear_object (&self->connection);
}
