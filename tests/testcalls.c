/* SPDX-License-Identifier: Apache-2.0 */
#include "testcalls.h"

#include <stdlib.h>
#include <string.h>

#define NAME     DPUGW_TEST_NAME
#define PATH     DPUGW_TEST_PATH
#define IFACE    DPUGW_TEST_IFACE
#define PROPS    DPUGW_TEST_PROPS
#define ERR      DPUGW_TEST_ERR
#define DBUS_ERR "org.freedesktop.DBus.Error."

/* A call answered later than this is no answer (not scaled: dpugw_test_msec() is). */
#define RUNNER_CALL_MSEC 60000

const char * const E_ARGS[] = { DBUS_ERR "InvalidArgs", NULL };
const char * const E_UNKNOWN[] = { DBUS_ERR "UnknownMethod", DBUS_ERR "UnknownObject",
                                          DBUS_ERR "UnknownInterface", NULL };
const char * const E_PEER_ARGS[] = { DBUS_ERR "InvalidArgs", DBUS_ERR "UnknownMethod", NULL };
/* GDBus answers a Properties call with the wrong signature "no such interface" (UnknownMethod). */
const char * const E_PROP_ARGS[] = { DBUS_ERR "InvalidArgs", DBUS_ERR "UnknownMethod", NULL };
const char * const E_PROP[] = { DBUS_ERR "InvalidArgs", DBUS_ERR "UnknownProperty",
                                       DBUS_ERR "UnknownInterface", NULL };
const char * const E_READ_ONLY[] = { DBUS_ERR "InvalidArgs", DBUS_ERR "PropertyReadOnly",
                                            DBUS_ERR "AccessDenied", DBUS_ERR "UnknownProperty", NULL };
const char * const E_INVALID[] = { ERR "InvalidArgument", NULL };
const char * const E_PCI[] = { ERR "PciAddress", NULL };
const char * const E_PF[] = { ERR "PfPciAddress", NULL };
/* What a resolution may fail with when the tree is broken or changing. */
const char * const E_DOCUMENTED[] = { ERR "PciAddress", ERR "PfPciAddress", ERR "NetdevDiscovery",
                                             ERR "NoNetdevs", ERR "NoMatch", NULL };


void
probe_free (Probe *p)
{
  g_free (p->label);
  g_free (p->path);
  g_free (p->iface);
  g_free (p->method);
  g_clear_pointer (&p->params, g_variant_unref);
  g_free (p->arg);
  g_free (p->arg2);
  g_free (p);
}

Probe *
probe_add (GPtrArray *probes, const char *path, const char *iface, const char *method, GVariant *params,
           CheckFunc check, const char *arg, const char *arg2, const char * const *errors)
{
  Probe *p = g_new0 (Probe, 1);
  g_autofree char *shown = NULL;

  if (params != NULL)
    {
      p->params = g_variant_ref_sink (params);
      shown = g_variant_print (p->params, TRUE);
      if (strlen (shown) > 60)
        {
          g_autofree char *cut = g_strndup (shown, 48);
          g_free (shown);
          shown = g_strdup_printf ("%s...[%zu bytes]", cut, g_variant_get_size (p->params));
        }
    }
  p->path = g_strdup (path);
  p->iface = g_strdup (iface);
  p->method = g_strdup (method);
  p->check = check;
  p->arg = g_strdup (arg);
  p->arg2 = g_strdup (arg2);
  p->errors = errors;
  p->label = g_strdup_printf ("%s%s %s.%s%s", strcmp (path, PATH) == 0 ? "" : path, strcmp (path, PATH) == 0 ? "" : ":",
                              iface != NULL ? iface : "(no interface)", method, shown != NULL ? shown : "()");
  g_ptr_array_add (probes, p);
  return p;
}

/* --- the runner: many calls in flight over several connections ------------- */



Runner *
runner_new (const char *address, const char *root, GPtrArray *probes, guint n_conns, guint conn_window)
{
  Runner *r = g_new0 (Runner, 1);

  r->address = g_strdup (address);
  r->root = g_strdup (root);
  r->probes = g_ptr_array_ref (probes);
  r->n_conns = n_conns;
  r->conns = g_new0 (GDBusConnection *, n_conns);
  r->conn_in_flight = g_new0 (guint, n_conns);
  r->conn_sent = g_new0 (guint64, n_conns);
  r->conn_window = conn_window;
  for (guint i = 0; i < n_conns; i++)
    r->conns[i] = dpugw_test_connect (address);
  r->by_outcome = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  r->by_label = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  r->bad = g_ptr_array_new_with_free_func (g_free);
  return r;
}

void
runner_free (Runner *r)
{
  for (guint i = 0; i < r->n_conns; i++)
    {
      if (!g_dbus_connection_is_closed (r->conns[i]))
        g_dbus_connection_close_sync (r->conns[i], NULL, NULL);
      g_object_unref (r->conns[i]);
    }
  dpugw_test_drain ();
  g_free (r->conns);
  g_free (r->conn_in_flight);
  g_free (r->conn_sent);
  g_ptr_array_unref (r->probes);
  g_hash_table_unref (r->by_outcome);
  g_hash_table_unref (r->by_label);
  g_ptr_array_unref (r->bad);
  g_free (r->address);
  g_free (r->root);
  g_free (r->outcomes);
  g_free (r);
}

void
runner_reset_counts (Runner *r)
{
  r->sent = r->done = r->total = 0;
  r->n_ok = r->n_err = r->n_bad = 0;
  r->max_latency = 0;
  memset (r->conn_sent, 0, sizeof (guint64) * r->n_conns);
  g_hash_table_remove_all (r->by_outcome);
}

/* A documented error message: bounded, printable, with its documented beginning. */
gboolean
error_message_ok (const char *name, const char *message, GString *why)
{
  static const struct { const char *name, *prefix; } prefixes[] = {
    { ERR "InvalidArgument", "invalid " },
    { ERR "PciAddress", "failed to get PCI address: " },
    { ERR "PfPciAddress", "failed to get PF PCI address: " },
    { ERR "NetdevDiscovery", "failed to get network devices: " },
    { ERR "NoNetdevs", "no netdevs found for pci address " },
    { ERR "NotConfigured", "no management port" },
  };

  if (strlen (message) > 2048)
    {
      g_string_printf (why, "error %s with a message of %zu bytes", name, strlen (message));
      return FALSE;
    }
  /* The daemon's own messages go to logs and terminals: printable (GDBus' echo the caller's strings). */
  for (const guchar *c = (const guchar *) message; g_str_has_prefix (name, ERR) && *c != '\0'; c++)
    if (*c < 0x20 || *c == 0x7f)
      {
        g_string_printf (why, "error %s with a control character (0x%02x) in its message: %s", name, *c, message);
        return FALSE;
      }
  for (guint i = 0; i < G_N_ELEMENTS (prefixes); i++)
    if (strcmp (name, prefixes[i].name) == 0 && !g_str_has_prefix (message, prefixes[i].prefix))
      {
        g_string_printf (why, "error %s: \"%s\" does not begin with \"%s\"", name, message, prefixes[i].prefix);
        return FALSE;
      }
  return TRUE;
}

static void
count_outcome (Runner *r, const char *outcome)
{
  guint64 *n = g_hash_table_lookup (r->by_outcome, outcome);

  if (n == NULL)
    {
      n = g_new0 (guint64, 1);
      g_hash_table_insert (r->by_outcome, g_strdup (outcome), n);
    }
  (*n)++;
}

static void
judge (Runner *r, const Probe *p, GDBusMessage *reply, const GError *error)
{
  g_autoptr(GString) why = g_string_new (NULL);
  g_autofree char *outcome = NULL;
  gboolean good;

  if (reply == NULL)
    {
      outcome = g_strdup ("no-reply");
      g_string_printf (why, "no reply: %s", error->message);
      good = FALSE;
    }
  else if (g_dbus_message_get_message_type (reply) == G_DBUS_MESSAGE_TYPE_ERROR)
    {
      const char *name = g_dbus_message_get_error_name (reply);
      GVariant *body = g_dbus_message_get_body (reply);
      const char *message = "";

      if (body != NULL && g_variant_is_of_type (body, G_VARIANT_TYPE ("(s)")))
        g_variant_get (body, "(&s)", &message);
      outcome = g_strdup (name);
      good = p->errors != NULL && g_strv_contains (p->errors, name);
      if (!good)
        g_string_printf (why, "unexpected error %s: %s", name, message);
      else
        good = error_message_ok (name, message, why);
      if (good)
        r->n_err++;
    }
  else
    {
      GVariant *body = g_dbus_message_get_body (reply);
      g_autoptr(GVariant) empty = NULL;

      if (body == NULL)
        body = empty = g_variant_ref_sink (g_variant_new ("()"));
      outcome = g_strdup ("answer");
      if (p->check == NULL)
        {
          g_autofree char *shown = g_variant_print (body, TRUE);
          g_string_printf (why, "answered %.200s where an error was expected", shown);
          good = FALSE;
        }
      else
        good = p->check (r, p, body, why);
      if (good)
        r->n_ok++;
    }

  count_outcome (r, outcome);
  if (!g_hash_table_contains (r->by_label, p->label))
    g_hash_table_insert (r->by_label, p->label, g_strdup (outcome));
  if (!good)
    {
      r->n_bad++;
      if (r->bad->len < 20)
        g_ptr_array_add (r->bad, g_strdup_printf ("%s: %s", p->label, why->str));
    }
}

static void runner_fill (Runner *r);

static void
on_runner_reply (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Pending *pending = user_data;
  Runner *r = pending->r;
  g_autoptr(GError) error = NULL;
  g_autoptr(GDBusMessage) reply = g_dbus_connection_send_message_with_reply_finish (G_DBUS_CONNECTION (source),
                                                                                    result, &error);
  gint64 latency = g_get_monotonic_time () - pending->start;

  r->max_latency = MAX (r->max_latency, latency);
  judge (r, pending->p, reply, error);
  r->conn_in_flight[pending->conn]--;
  r->done++;
  g_free (pending);
  runner_fill (r);
}

static GDBusMessage *
probe_message (Runner *r, const Probe *p)
{
  GDBusMessage *message = g_dbus_message_new_method_call (NAME, p->path, p->iface, p->method);

  if (p->dynamic != DYN_NONE)
    {
      guint64 n = r->dyn++ % 10000000;
      char name[48];

      g_snprintf (name, sizeof name, "x%07" G_GUINT64_FORMAT, n);
      switch (p->dynamic)
        {
        case DYN_NETDEV:
          g_dbus_message_set_body (message, g_variant_new ("(s)", name));
          break;
        case DYN_SIGNATURE:
          {
            /* The decimal digits of n + 10, as basic types: a type the daemon never saw. */
            g_autofree char *digits = g_strdup_printf ("%" G_GUINT64_FORMAT, n + 10);
            GVariantBuilder body;

            g_variant_builder_init (&body, G_VARIANT_TYPE_TUPLE);
            for (const char *d = digits; *d != '\0'; d++)
              {
                GVariant *v;

                switch (*d)
                  {
                  case '0': v = g_variant_new_byte (0); break;
                  case '1': v = g_variant_new_boolean (FALSE); break;
                  case '2': v = g_variant_new_int16 (0); break;
                  case '3': v = g_variant_new_uint16 (0); break;
                  case '4': v = g_variant_new_int32 (0); break;
                  case '5': v = g_variant_new_uint32 (0); break;
                  case '6': v = g_variant_new_int64 (0); break;
                  case '7': v = g_variant_new_uint64 (0); break;
                  case '8': v = g_variant_new_double (0); break;
                  default: v = g_variant_new_object_path ("/"); break;
                  }
                g_variant_builder_add_value (&body, v);
              }
            g_dbus_message_set_body (message, g_variant_builder_end (&body));
          }
          break;
        case DYN_MEMBER:
          g_snprintf (name, sizeof name, "M%07" G_GUINT64_FORMAT, n);
          g_dbus_message_set_member (message, name);
          break;
        case DYN_PROPERTY:
          g_snprintf (name, sizeof name, "P%07" G_GUINT64_FORMAT, n);
          g_dbus_message_set_body (message, g_variant_new ("(ss)", IFACE, name));
          break;
        case DYN_PATH:
          g_snprintf (name, sizeof name, PATH "/n%07" G_GUINT64_FORMAT, n);
          g_dbus_message_set_path (message, name);
          break;
        case DYN_NONE:
          break;
        }
    }
  else if (p->params != NULL)
    g_dbus_message_set_body (message, p->params);
  g_dbus_message_set_flags (message, G_DBUS_MESSAGE_FLAGS_NO_AUTO_START);
  return message;
}

/* The least busy connection that may take another call; -1 if none. */
static int
runner_pick_conn (Runner *r)
{
  int best = -1;

  for (guint i = 0; i < r->n_conns; i++)
    {
      if (r->conn_in_flight[i] >= r->conn_window)
        continue;
      if (r->conn_quota != 0 && r->conn_sent[i] >= r->conn_quota)
        continue;
      if (best < 0 || r->conn_in_flight[i] < r->conn_in_flight[best])
        best = (int) i;
    }
  return best;
}

static void
runner_fill (Runner *r)
{
  while (r->sent < r->total)
    {
      int c = runner_pick_conn (r);
      const Probe *p;
      g_autoptr(GDBusMessage) message = NULL;
      Pending *pending;

      if (c < 0)
        return;
      if (r->dynamics != NULL && r->sent % 10 == 9)
        p = g_ptr_array_index (r->dynamics, (r->sent / 10) % r->dynamics->len);
      else
        p = g_ptr_array_index (r->probes, r->next++ % r->probes->len);
      message = probe_message (r, p);
      pending = g_new0 (Pending, 1);
      pending->r = r;
      pending->p = p;
      pending->conn = (guint) c;
      pending->start = g_get_monotonic_time ();
      r->conn_in_flight[c]++;
      r->conn_sent[c]++;
      r->sent++;
      g_dbus_connection_send_message_with_reply (r->conns[c], message, G_DBUS_SEND_MESSAGE_FLAGS_NONE,
                                                 dpugw_test_msec (RUNNER_CALL_MSEC), NULL, NULL, on_runner_reply, pending);
    }
}

/* Makes @n more calls, and waits for every answer. */
void
runner_run (Runner *r, guint64 n, gint64 deadline_usec)
{
  r->total += n;
  runner_fill (r);
  DPUGW_TEST_WAIT_FOR (r->done == r->total, deadline_usec, "every call to be answered");
}

static int
compare_strings (const void *a, const void *b)
{
  return strcmp (*(char * const *) a, *(char * const *) b);
}

const char *
runner_outcomes (Runner *r)
{
  guint n_keys;
  g_autofree const char **keys = (const char **) g_hash_table_get_keys_as_array (r->by_outcome, &n_keys);
  GString *out = g_string_new (NULL);

  qsort (keys, n_keys, sizeof (char *), compare_strings);
  for (guint i = 0; i < n_keys; i++)
    {
      const char *key = keys[i];
      guint64 *n = g_hash_table_lookup (r->by_outcome, key);
      const char *shown = g_str_has_prefix (key, ERR) ? key + strlen (ERR)
                          : g_str_has_prefix (key, DBUS_ERR) ? key + strlen ("org.freedesktop.") : key;

      g_string_append_printf (out, "%s%s %" G_GUINT64_FORMAT, out->len > 0 ? ", " : "", shown, *n);
    }
  g_free (r->outcomes);
  r->outcomes = g_string_free (out, FALSE);
  return r->outcomes;
}

/* Fails the test if any call was not answered as expected, saying which. */
void
runner_assert_clean (Runner *r, const char *what)
{
  if (r->n_bad == 0)
    return;
  for (guint i = 0; i < r->bad->len; i++)
    g_printerr ("# %s: %s\n", what, (const char *) g_ptr_array_index (r->bad, i));
  g_error ("%s: %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT " calls not answered as expected (first above)",
           what, r->n_bad, r->done);
}

/* --- checks of answers ------------------------------------------------------- */

const char *
dict_string (GVariant *dict, const char *key)
{
  const char *value = NULL;

  if (!g_variant_lookup (dict, key, "&s", &value))
    return NULL;
  return value;
}

gboolean
strv_is (const char * const *got, const char * const *want)
{
  return got != NULL && g_strv_equal (got, want);
}

char *
strv_text (const char * const *v)
{
  return v != NULL ? g_strjoinv (",", (char **) v) : g_strdup ("(none)");
}

/*
 * The details of an answer for the example tree: vf-pci @vf (when set), the PF, the candidates
 * (ResolveAll's); with @candidates %NULL, Resolve's details, which carry none.
 */
static gboolean
details_ok (Runner *r, GVariant *details, const char *interface, const char *vf, const char * const *candidates,
            GString *why)
{
  g_autofree const char **got = NULL;
  guint64 generation = 0;

  if (vf != NULL && g_strcmp0 (dict_string (details, "vf-pci"), vf) != 0)
    {
      g_string_printf (why, "vf-pci %s, expected %s", dict_string (details, "vf-pci"), vf);
      return FALSE;
    }
  if (g_strcmp0 (dict_string (details, "pf-pci"), "0000:01:00.0") != 0)
    {
      g_string_printf (why, "pf-pci %s", dict_string (details, "pf-pci"));
      return FALSE;
    }
  if (candidates == NULL && g_variant_lookup (details, "candidates", "^a&s", &got))
    {
      g_string_printf (why, "candidates in Resolve's details");
      return FALSE;
    }
  if (candidates != NULL && (!g_variant_lookup (details, "candidates", "^a&s", &got) || !strv_is (got, candidates)))
    {
      g_autofree char *text = strv_text (got);
      g_string_printf (why, "candidates [%s]", text);
      return FALSE;
    }
  if (!g_variant_lookup (details, "generation", "t", &generation) || generation < 1)
    {
      g_string_printf (why, "generation %" G_GUINT64_FORMAT, generation);
      return FALSE;
    }
  if (candidates != NULL && g_strcmp0 (interface, candidates[0]) != 0)
    {
      g_string_printf (why, "interface %s, expected %s", interface, candidates[0]);
      return FALSE;
    }
  return TRUE;
}

/* Resolve: interface @arg, vf-pci @arg2, and Resolve's few details. */
gboolean
check_resolve (Runner *r, const Probe *p, GVariant *body, GString *why)
{
  g_autoptr(GVariant) details = NULL;
  const char *interface;

  if (!g_variant_is_of_type (body, G_VARIANT_TYPE ("(sa{sv})")))
    {
      g_string_printf (why, "reply of type %s", g_variant_get_type_string (body));
      return FALSE;
    }
  g_variant_get (body, "(&s@a{sv})", &interface, &details);
  if (!details_ok (r, details, interface, p->arg2, NULL, why))
    return FALSE;
  if (strcmp (interface, p->arg) != 0)
    {
      g_string_printf (why, "interface %s, expected %s", interface, p->arg);
      return FALSE;
    }
  return TRUE;
}

gboolean
check_resolve_all (Runner *r, const Probe *p, GVariant *body, GString *why)
{
  g_autoptr(GVariant) details = NULL;
  g_autofree const char **interfaces = NULL;

  if (!g_variant_is_of_type (body, G_VARIANT_TYPE ("(asa{sv})")))
    {
      g_string_printf (why, "reply of type %s", g_variant_get_type_string (body));
      return FALSE;
    }
  g_variant_get (body, "(^a&s@a{sv})", &interfaces, &details);
  if (!strv_is (interfaces, STRV ("eth0", "eth1")))
    {
      g_autofree char *text = strv_text (interfaces);
      g_string_printf (why, "interfaces [%s]", text);
      return FALSE;
    }
  return details_ok (r, details, interfaces[0], p->arg2, STRV ("eth0", "eth1"), why);
}

/*
 * The candidates of a tree that changes: sorted, each among the gateways and
 * their peers, the first being the interface.
 */
static gboolean
flexible_candidates_ok (Runner *r, const char * const *candidates, const char *interface, GString *why)
{
  g_autofree char *text = strv_text (candidates);

  if (candidates == NULL || candidates[0] == NULL || g_strcmp0 (candidates[0], interface) != 0)
    {
      g_string_printf (why, "interface %s with candidates [%s]", interface, text);
      return FALSE;
    }
  for (guint i = 0; candidates[i] != NULL; i++)
    {
      if (!g_strv_contains (r->gateways, candidates[i]) && !g_strv_contains (r->gateway_peers, candidates[i]))
        {
          g_string_printf (why, "candidate %s in [%s] is no netdev the PF ever had", candidates[i], text);
          return FALSE;
        }
      if (i > 0 && strcmp (candidates[i - 1], candidates[i]) >= 0)
        {
          g_string_printf (why, "candidates [%s] not sorted", text);
          return FALSE;
        }
    }
  return TRUE;
}

/* Resolve or ResolveAll in a changing tree: vf-pci @arg2 and flexible candidates (ResolveAll's). */
gboolean
check_resolve_flexible (Runner *r, const Probe *p, GVariant *body, GString *why)
{
  g_autoptr(GVariant) details = NULL;
  g_autofree const char **candidates = NULL;
  g_autofree const char **interfaces = NULL;
  const char *interface;

  if (g_variant_is_of_type (body, G_VARIANT_TYPE ("(sa{sv})")))
    g_variant_get (body, "(&s@a{sv})", &interface, &details);
  else if (g_variant_is_of_type (body, G_VARIANT_TYPE ("(asa{sv})")))
    {
      g_variant_get (body, "(^a&s@a{sv})", &interfaces, &details);
      interface = interfaces[0] != NULL ? interfaces[0] : "";
    }
  else
    {
      g_string_printf (why, "reply of type %s", g_variant_get_type_string (body));
      return FALSE;
    }
  if (p->arg2 != NULL && g_strcmp0 (dict_string (details, "vf-pci"), p->arg2) != 0)
    {
      g_string_printf (why, "vf-pci %s, expected %s", dict_string (details, "vf-pci"), p->arg2);
      return FALSE;
    }
  if (g_strcmp0 (dict_string (details, "pf-pci"), "0000:01:00.0") != 0)
    {
      g_string_printf (why, "pf-pci %s", dict_string (details, "pf-pci"));
      return FALSE;
    }
  if (interfaces != NULL && !g_variant_lookup (details, "candidates", "^a&s", &candidates))
    {
      g_string_printf (why, "no candidates");
      return FALSE;
    }
  if (candidates != NULL && !flexible_candidates_ok (r, candidates, interface, why))
    return FALSE;
  if (interfaces != NULL && !strv_is (interfaces, candidates))
    {
      g_autofree char *text = strv_text (interfaces);
      g_string_printf (why, "interfaces [%s] are not the candidates", text);
      return FALSE;
    }
  if (!g_strv_contains (r->gateways, interface))
    {
      g_string_printf (why, "gateway %s", interface);
      return FALSE;
    }
  return TRUE;
}

/* Diagnose: steps, every path read inside the sysfs root; "ok": all fine, "fail": one broken, NULL: either. */
gboolean
check_diagnose (Runner *r, const Probe *p, GVariant *body, GString *why)
{
  g_autoptr(GVariant) steps = NULL;
  gboolean all_ok = TRUE;
  gsize n;

  if (!g_variant_is_of_type (body, G_VARIANT_TYPE ("(aa{sv})")))
    {
      g_string_printf (why, "reply of type %s", g_variant_get_type_string (body));
      return FALSE;
    }
  g_variant_get (body, "(@aa{sv})", &steps);
  n = g_variant_n_children (steps);
  if (n == 0)
    {
      g_string_printf (why, "no steps");
      return FALSE;
    }
  for (gsize i = 0; i < n; i++)
    {
      g_autoptr(GVariant) step = g_variant_get_child_value (steps, i);
      const char *path = NULL;
      const char *name = dict_string (step, "step");
      gboolean ok;

      if (name == NULL || !g_variant_lookup (step, "ok", "b", &ok))
        {
          g_string_printf (why, "step %" G_GSIZE_FORMAT " without step or ok", i);
          return FALSE;
        }
      all_ok &= ok;
      if (!ok && i != n - 1)
        {
          g_string_printf (why, "step %s failed but the diagnosis went on", name);
          return FALSE;
        }
      if (g_variant_lookup (step, "path", "&s", &path) && *path != '\0')
        {
          g_auto(GStrv) paths = g_strsplit (path, " ", -1);

          for (guint j = 0; paths[j] != NULL; j++)
            if (paths[j][0] == '/' && !g_str_has_prefix (paths[j], r->root))
              {
                g_string_printf (why, "step %s read %s, outside the sysfs root", name, paths[j]);
                return FALSE;
              }
        }
    }
  if (g_strcmp0 (p->arg, "ok") == 0 && !all_ok)
    {
      g_autofree char *shown = g_variant_print (steps, FALSE);
      g_string_printf (why, "a step failed: %.400s", shown);
      return FALSE;
    }
  if (g_strcmp0 (p->arg, "fail") == 0 && all_ok)
    {
      g_string_printf (why, "every step passed");
      return FALSE;
    }
  return TRUE;
}

/* GetTopology of the example tree (@arg "flexible": the PF's netdevs among the gateways and their peers). */
gboolean
check_topology (Runner *r, const Probe *p, GVariant *body, GString *why)
{
  g_autoptr(GVariant) pfs = NULL;
  g_autoptr(GVariant) pf = NULL;
  g_autoptr(GVariant) vfs = NULL;
  g_autofree const char **netdevs = NULL;
  guint64 generation;

  if (!g_variant_is_of_type (body, G_VARIANT_TYPE ("(taa{sv})")))
    {
      g_string_printf (why, "reply of type %s", g_variant_get_type_string (body));
      return FALSE;
    }
  g_variant_get (body, "(t@aa{sv})", &generation, &pfs);
  if (generation < 1 || g_variant_n_children (pfs) != 1)
    {
      g_string_printf (why, "generation %" G_GUINT64_FORMAT ", %" G_GSIZE_FORMAT " PFs", generation,
                       g_variant_n_children (pfs));
      return FALSE;
    }
  pf = g_variant_get_child_value (pfs, 0);
  if (g_strcmp0 (dict_string (pf, "pci"), "0000:01:00.0") != 0 ||
      !g_variant_lookup (pf, "netdevs", "^a&s", &netdevs))
    {
      g_string_printf (why, "PF %s", dict_string (pf, "pci"));
      return FALSE;
    }
  if (g_strcmp0 (p->arg, "flexible") == 0)
    {
      for (guint i = 0; netdevs[i] != NULL; i++)
        if (!g_strv_contains (r->gateways, netdevs[i]) && !g_strv_contains (r->gateway_peers, netdevs[i]))
          {
            g_string_printf (why, "PF netdev %s", netdevs[i]);
            return FALSE;
          }
      return TRUE;
    }
  if (!strv_is (netdevs, STRV ("eth0", "eth1")))
    {
      g_autofree char *text = strv_text (netdevs);
      g_string_printf (why, "PF netdevs [%s]", text);
      return FALSE;
    }
  vfs = g_variant_lookup_value (pf, "vfs", G_VARIANT_TYPE ("aa{sv}"));
  if (vfs == NULL || g_variant_n_children (vfs) != 2)
    {
      g_string_printf (why, "VFs");
      return FALSE;
    }
  return TRUE;
}

/* Get(IFACE, @arg): the value of the example tree with pf0vf0 configured. */
static gboolean
property_value_ok (Runner *r, const char *name, GVariant *value, GString *why)
{
  g_autofree char *shown = g_variant_print (value, TRUE);

  if (strcmp (name, "Generation") == 0)
    {
      if (g_variant_is_of_type (value, G_VARIANT_TYPE_UINT64) && g_variant_get_uint64 (value) >= 1)
        return TRUE;
    }
  else if (strcmp (name, "Configuration") == 0)
    {
      const char *root = NULL;
      if (g_variant_is_of_type (value, G_VARIANT_TYPE ("a{ss}")) &&
          g_variant_lookup (value, "sysfs-root", "&s", &root) && g_strcmp0 (root, r->root) == 0)
        return TRUE;
    }
  else if (g_variant_is_of_type (value, G_VARIANT_TYPE_STRING))
    {
      const char *s = g_variant_get_string (value, NULL);

      if (strcmp (name, "GatewayInterface") == 0 &&
          (r->gateways != NULL ? g_strv_contains (r->gateways, s) : strcmp (s, "eth0") == 0))
        return TRUE;
      if (strcmp (name, "ManagementPort") == 0 && strcmp (s, "pf0vf0") == 0)
        return TRUE;
      if (strcmp (name, "LastError") == 0 && *s == '\0')
        return TRUE;
      if (strcmp (name, "Version") == 0 && *s != '\0')
        return TRUE;
    }
  g_string_printf (why, "%s = %s", name, shown);
  return FALSE;
}

gboolean
check_property (Runner *r, const Probe *p, GVariant *body, GString *why)
{
  g_autoptr(GVariant) value = NULL;

  if (!g_variant_is_of_type (body, G_VARIANT_TYPE ("(v)")))
    {
      g_string_printf (why, "reply of type %s", g_variant_get_type_string (body));
      return FALSE;
    }
  g_variant_get (body, "(v)", &value);
  return property_value_ok (r, p->arg, value, why);
}

gboolean
check_get_all (Runner *r, const Probe *p, GVariant *body, GString *why)
{
  static const char *names[] = { "ManagementPort", "GatewayInterface", "LastError", "Generation",
                                 "Configuration", "Version" };
  g_autoptr(GVariant) all = NULL;

  if (!g_variant_is_of_type (body, G_VARIANT_TYPE ("(a{sv})")))
    {
      g_string_printf (why, "reply of type %s", g_variant_get_type_string (body));
      return FALSE;
    }
  all = g_variant_get_child_value (body, 0);
  if (g_variant_n_children (all) != G_N_ELEMENTS (names))
    {
      g_string_printf (why, "%" G_GSIZE_FORMAT " properties", g_variant_n_children (all));
      return FALSE;
    }
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autoptr(GVariant) value = g_variant_lookup_value (all, names[i], NULL);

      if (value == NULL)
        {
          g_string_printf (why, "no %s", names[i]);
          return FALSE;
        }
      if (!property_value_ok (r, names[i], value, why))
        return FALSE;
    }
  return TRUE;
}

/* Introspect: valid XML; @arg "self": it has the interface, otherwise it has not. */
gboolean
check_introspect (Runner *r, const Probe *p, GVariant *body, GString *why)
{
  g_autoptr(GDBusNodeInfo) node = NULL;
  g_autoptr(GError) error = NULL;
  const char *xml;
  gboolean has;

  if (!g_variant_is_of_type (body, G_VARIANT_TYPE ("(s)")))
    {
      g_string_printf (why, "reply of type %s", g_variant_get_type_string (body));
      return FALSE;
    }
  g_variant_get (body, "(&s)", &xml);
  node = g_dbus_node_info_new_for_xml (xml, &error);
  if (node == NULL)
    {
      g_string_printf (why, "invalid XML: %s", error->message);
      return FALSE;
    }
  has = g_dbus_node_info_lookup_interface (node, IFACE) != NULL;
  if (has != (g_strcmp0 (p->arg, "self") == 0))
    {
      g_string_printf (why, "the interface %s at %s", has ? "is" : "is not", p->path);
      return FALSE;
    }
  return TRUE;
}

gboolean
check_type (Runner *r, const Probe *p, GVariant *body, GString *why)
{
  if (g_variant_is_of_type (body, G_VARIANT_TYPE (p->arg)))
    return TRUE;
  g_string_printf (why, "reply of type %s, expected %s", g_variant_get_type_string (body), p->arg);
  return FALSE;
}

/* ===========================================================================
 * The sets of hostile calls
 * ======================================================================== */

/* What Resolve says for each string, on the example tree with pf0vf0 configured. */
typedef struct {
  const char *port;
  const char *expect;   /* an interface, or the error (without its prefix) */
  const char *vf;
} PortCase;

static const PortCase port_cases[] = {
  { "", "eth0", "0000:01:02.3" },
  { "pf0vf0", "eth0", "0000:01:02.3" },
  { "pf0vf1", "eth0", "0000:01:02.4" },
  { "0000:01:02.3", "eth0", "0000:01:02.3" },
  { "0000:01:02.4", "eth0", "0000:01:02.4" },
  /* Lengths. */
  { "abcdefghijklmno", "PciAddress" },         /* 15 bytes: a valid name nobody has */
  { "abcdefghijklmnop", "InvalidArgument" },   /* 16 bytes */
  { "ééééééé", "PciAddress" },                /* 14 bytes of UTF-8 */
  { "éééééééé", "InvalidArgument" },          /* 16 bytes of UTF-8 */
  /* Paths. */
  { "/", "InvalidArgument" },
  { "a/b", "InvalidArgument" },
  { "../x", "InvalidArgument" },
  { "..", "InvalidArgument" },
  { ".", "InvalidArgument" },
  { "../../../etc", "InvalidArgument" },
  { "pf0vf0/../eth0", "InvalidArgument" },
  { "pf0vf0/", "InvalidArgument" },
  /* Whitespace and control characters. */
  { "pf0vf0\n", "InvalidArgument" },
  { "\n", "InvalidArgument" },
  { "pf0\tvf0", "InvalidArgument" },
  { " pf0vf0", "InvalidArgument" },
  { "pf0vf0 ", "InvalidArgument" },
  { "\x01", "InvalidArgument" },
  { "\x7f", "InvalidArgument" },
  { "\x1b[2Jx", "InvalidArgument" },
  { "pf0\rvf0", "InvalidArgument" },
  { "\xc2\xa0", "InvalidArgument" },           /* U+00A0, a space to the kernel */
  /* Valid UTF-8, not ASCII: valid names nobody has. */
  { "é", "PciAddress" },
  { "pfé0", "PciAddress" },
  { "\xf0\x9f\xa6\x80", "PciAddress" },        /* U+1F980 */
  { "日本語", "PciAddress" },
  { "\xe2\x80\xae" "0fv0fp", "PciAddress" },   /* U+202E, right-to-left override */
  { "\xe2\x80\x8b", "PciAddress" },            /* U+200B, zero width space */
  { "ｅｔｈ０", "PciAddress" },
  /* Format strings, options, shell. */
  { "%s%s%s%n", "PciAddress" },
  { "%x%x%x", "PciAddress" },
  { "--help", "PciAddress" },
  { "-v", "PciAddress" },
  { "$(reboot)", "PciAddress" },
  { "*", "PciAddress" },
  { "PF0VF0", "PciAddress" },                  /* names are case-sensitive */
  { "lo", "PciAddress" },
  { "ovn-k8s-mp0", "PciAddress" },
  { "eth0", "PfPciAddress" },                  /* the PF's netdev */
  { "eth1", "PfPciAddress" },
  /* Near-miss PCI addresses. */
  { "0000:01:02.8", "InvalidArgument" },
  { "10000:01:02.3", "PfPciAddress" },          /* a VMD domain (from 10000) nobody has */
  { "00000:01:02.3", "InvalidArgument" },
  { "010000:01:02.3", "InvalidArgument" },
  { "0000:1:2.3", "InvalidArgument" },
  { "0000:01:02.3 ", "InvalidArgument" },
  { " 0000:01:02.3", "InvalidArgument" },
  { "0000:01:02.3\n", "InvalidArgument" },
  { "0000:01:02.3:", "InvalidArgument" },
  { "0000:01:02", "InvalidArgument" },
  { "0000:01:20.0", "InvalidArgument" },       /* device > 1f */
  { "0000:01:02.A", "InvalidArgument" },
  { "0000:01:02.-3", "InvalidArgument" },
  { "0000:0g:02.3", "InvalidArgument" },
  { ":", "InvalidArgument" },
  { "0000:01:02.3/..", "InvalidArgument" },
  { "0000:0A:02.3", "PfPciAddress" },          /* upper case, normalised; no such device */
  { "FFFF:FF:1F.7", "PfPciAddress" },
  { "0000:01:1f.7", "PfPciAddress" },
  { "0000:01:00.0", "PfPciAddress" },          /* the PF */
  { "0000.01.02.3", "PciAddress" },            /* no ':': a netdev name */
};

static const char * const *
errors_of (const char *expect)
{
  if (strcmp (expect, "InvalidArgument") == 0)
    return E_INVALID;
  if (strcmp (expect, "PciAddress") == 0)
    return E_PCI;
  if (strcmp (expect, "PfPciAddress") == 0)
    return E_PF;
  g_assert_not_reached ();
}

static gboolean
expect_is_error (const char *expect)
{
  return g_ascii_isupper (expect[0]);
}

/* Resolve, ResolveAll and Diagnose of @port, which must end as @expect. */
void
add_port_probes (GPtrArray *probes, const char *port, const char *expect, const char *vf)
{
  if (expect_is_error (expect))
    {
      probe_add (probes, PATH, IFACE, "Resolve", g_variant_new ("(s)", port), NULL, NULL, NULL, errors_of (expect));
      probe_add (probes, PATH, IFACE, "ResolveAll", g_variant_new ("(s)", port), NULL, NULL, NULL,
                 errors_of (expect));
      probe_add (probes, PATH, IFACE, "Diagnose", g_variant_new ("(s)", port), check_diagnose, "fail", NULL, NULL);
    }
  else
    {
      probe_add (probes, PATH, IFACE, "Resolve", g_variant_new ("(s)", port), check_resolve, expect, vf, NULL);
      probe_add (probes, PATH, IFACE, "ResolveAll", g_variant_new ("(s)", port), check_resolve_all, expect, vf,
                 NULL);
      probe_add (probes, PATH, IFACE, "Diagnose", g_variant_new ("(s)", port), check_diagnose, "ok", NULL, NULL);
    }
}

/* Calls whose arguments are not what the method takes. */
void
add_signature_probes (GPtrArray *probes)
{
  const char *methods[] = { "Resolve", "ResolveAll", "Diagnose" };

  for (guint i = 0; i < G_N_ELEMENTS (methods); i++)
    {
      const char *m = methods[i];
      GVariantBuilder dict;

      g_variant_builder_init (&dict, G_VARIANT_TYPE_VARDICT);
      g_variant_builder_add (&dict, "{sv}", "mgmt_port", g_variant_new_string ("pf0vf0"));
      probe_add (probes, PATH, IFACE, m, NULL, NULL, NULL, NULL, E_ARGS);
      probe_add (probes, PATH, IFACE, m, g_variant_new ("()"), NULL, NULL, NULL, E_ARGS);
      probe_add (probes, PATH, IFACE, m, g_variant_new ("(ss)", "pf0vf0", "pf0vf1"), NULL, NULL, NULL, E_ARGS);
      probe_add (probes, PATH, IFACE, m, g_variant_new ("(sb)", "pf0vf0", TRUE), NULL, NULL, NULL, E_ARGS);
      probe_add (probes, PATH, IFACE, m, g_variant_new ("(u)", 7), NULL, NULL, NULL, E_ARGS);
      probe_add (probes, PATH, IFACE, m, g_variant_new ("(i)", -1), NULL, NULL, NULL, E_ARGS);
      probe_add (probes, PATH, IFACE, m, g_variant_new ("(t)", G_MAXUINT64), NULL, NULL, NULL, E_ARGS);
      probe_add (probes, PATH, IFACE, m, g_variant_new ("(b)", TRUE), NULL, NULL, NULL, E_ARGS);
      probe_add (probes, PATH, IFACE, m, g_variant_new ("(d)", 1e308), NULL, NULL, NULL, E_ARGS);
      probe_add (probes, PATH, IFACE, m, g_variant_new ("(v)", g_variant_new_string ("pf0vf0")), NULL, NULL, NULL,
                 E_ARGS);
      probe_add (probes, PATH, IFACE, m, g_variant_new ("(v)", g_variant_new_variant (g_variant_new_string ("pf0vf0"))),
                 NULL, NULL, NULL, E_ARGS);
      probe_add (probes, PATH, IFACE, m, g_variant_new ("(o)", "/pf0vf0"), NULL, NULL, NULL, E_ARGS);
      probe_add (probes, PATH, IFACE, m, g_variant_new ("(g)", "s"), NULL, NULL, NULL, E_ARGS);
      probe_add (probes, PATH, IFACE, m, g_variant_new ("(^ay)", "pf0vf0"), NULL, NULL, NULL, E_ARGS);
      probe_add (probes, PATH, IFACE, m, g_variant_new ("(^as)", STRV ("pf0vf0", "pf0vf1")), NULL, NULL, NULL, E_ARGS);
      probe_add (probes, PATH, IFACE, m, g_variant_new ("(a{sv})", &dict), NULL, NULL, NULL, E_ARGS);
      probe_add (probes, PATH, IFACE, m, g_variant_new ("((s))", "pf0vf0"), NULL, NULL, NULL, E_ARGS);
    }
  probe_add (probes, PATH, IFACE, "GetTopology", g_variant_new ("(s)", ""), NULL, NULL, NULL, E_ARGS);
  probe_add (probes, PATH, IFACE, "GetTopology", g_variant_new ("(u)", 0), NULL, NULL, NULL, E_ARGS);
  probe_add (probes, PATH, IFACE, "Refresh", g_variant_new ("(s)", ""), NULL, NULL, NULL, E_ARGS);
  probe_add (probes, PATH, IFACE, "Refresh", g_variant_new ("(b)", TRUE), NULL, NULL, NULL, E_ARGS);
}

void
add_property_probes (GPtrArray *probes)
{
  const char *names[] = { "ManagementPort", "GatewayInterface", "LastError", "Generation", "Configuration",
                          "Version" };
  GVariant *values[] = { g_variant_new_string ("evil0"), g_variant_new_string ("evil0"),
                         g_variant_new_string ("evil"), g_variant_new_uint64 (0),
                         g_variant_new_parsed ("@a{ss} {'sysfs-root': '/'}"), g_variant_new_string ("0") };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      probe_add (probes, PATH, PROPS, "Get", g_variant_new ("(ss)", IFACE, names[i]), check_property, names[i],
                 NULL, NULL);
      /* Read-only: Set is refused, with the right type and with another. */
      probe_add (probes, PATH, PROPS, "Set", g_variant_new ("(ssv)", IFACE, names[i], values[i]), NULL, NULL, NULL,
                 E_READ_ONLY);
      probe_add (probes, PATH, PROPS, "Set", g_variant_new ("(ssv)", IFACE, names[i], g_variant_new_int32 (-1)),
                 NULL, NULL, NULL, E_READ_ONLY);
    }
  probe_add (probes, PATH, PROPS, "Get", g_variant_new ("(ss)", IFACE, "NoSuchProperty"), NULL, NULL, NULL, E_PROP);
  probe_add (probes, PATH, PROPS, "Get", g_variant_new ("(ss)", IFACE, ""), NULL, NULL, NULL, E_PROP);
  probe_add (probes, PATH, PROPS, "Get", g_variant_new ("(ss)", IFACE, "gatewayinterface"), NULL, NULL, NULL, E_PROP);
  probe_add (probes, PATH, PROPS, "Get", g_variant_new ("(ss)", IFACE, "GatewayInterface\n"), NULL, NULL, NULL,
             E_PROP);
  probe_add (probes, PATH, PROPS, "Get", g_variant_new ("(ss)", "org.ovnk.Evil", "Version"), NULL, NULL, NULL, E_PROP);
  probe_add (probes, PATH, PROPS, "Get", g_variant_new ("(ss)", "", "Version"), NULL, NULL, NULL, E_PROP);
  probe_add (probes, PATH, PROPS, "Get", g_variant_new ("(ss)", PROPS, "Version"), NULL, NULL, NULL, E_PROP);
  probe_add (probes, PATH, PROPS, "Get", g_variant_new ("(ss)", "org.freedesktop.DBus.Peer", "Version"), NULL, NULL,
             NULL, E_PROP);
  probe_add (probes, PATH, PROPS, "Get", g_variant_new ("(s)", IFACE), NULL, NULL, NULL, E_PROP_ARGS);
  probe_add (probes, PATH, PROPS, "Get", NULL, NULL, NULL, NULL, E_PROP_ARGS);
  probe_add (probes, PATH, PROPS, "Get", g_variant_new ("(ssv)", IFACE, "Version", g_variant_new_string ("")), NULL,
             NULL, NULL, E_PROP_ARGS);
  probe_add (probes, PATH, PROPS, "Get", g_variant_new ("(uu)", 1, 2), NULL, NULL, NULL, E_PROP_ARGS);
  probe_add (probes, PATH, PROPS, "Set", g_variant_new ("(ssv)", IFACE, "NoSuchProperty", g_variant_new_string ("x")),
             NULL, NULL, NULL, E_READ_ONLY);
  probe_add (probes, PATH, PROPS, "Set",
             g_variant_new ("(ssv)", "org.ovnk.Evil", "Version", g_variant_new_string ("x")),
             NULL, NULL, NULL, E_READ_ONLY);
  probe_add (probes, PATH, PROPS, "Set", g_variant_new ("(ss)", IFACE, "Version"), NULL, NULL, NULL, E_PROP_ARGS);
  probe_add (probes, PATH, PROPS, "GetAll", g_variant_new ("(s)", IFACE), check_get_all, NULL, NULL, NULL);
  probe_add (probes, PATH, PROPS, "GetAll", g_variant_new ("(s)", "org.ovnk.Evil"), NULL, NULL, NULL, E_PROP);
  probe_add (probes, PATH, PROPS, "GetAll", g_variant_new ("(s)", PROPS), NULL, NULL, NULL, E_PROP);
  probe_add (probes, PATH, PROPS, "GetAll", g_variant_new ("(s)", "org.freedesktop.DBus.Introspectable"), NULL, NULL,
             NULL, E_PROP);
  probe_add (probes, PATH, PROPS, "GetAll", g_variant_new ("(s)", "org.freedesktop.DBus.Peer"), NULL, NULL, NULL,
             E_PROP);
  probe_add (probes, PATH, PROPS, "GetAll", g_variant_new ("(s)", ""), NULL, NULL, NULL, E_PROP);
  probe_add (probes, PATH, PROPS, "GetAll", NULL, NULL, NULL, NULL, E_PROP_ARGS);
  probe_add (probes, PATH, PROPS, "GetAll", g_variant_new ("(ss)", IFACE, IFACE), NULL, NULL, NULL, E_PROP_ARGS);
  probe_add (probes, PATH, PROPS, "GetAll", g_variant_new ("(u)", 0), NULL, NULL, NULL, E_PROP_ARGS);
  probe_add (probes, "/", PROPS, "GetAll", g_variant_new ("(s)", IFACE), NULL, NULL, NULL, E_UNKNOWN);
  probe_add (probes, "/org/ovnk", PROPS, "Get", g_variant_new ("(ss)", IFACE, "Version"), NULL, NULL, NULL, E_UNKNOWN);
  probe_add (probes, PATH "/x", PROPS, "Get", g_variant_new ("(ss)", IFACE, "Version"), NULL, NULL, NULL, E_UNKNOWN);
  probe_add (probes, PATH, PROPS, "GetManagedObjects", NULL, NULL, NULL, NULL, E_UNKNOWN);
  probe_add (probes, PATH, PROPS, "PropertiesChanged", g_variant_new ("(sa{sv}as)", IFACE, NULL, NULL), NULL, NULL,
             NULL, E_UNKNOWN);
}

/* Introspection, Peer, and members that do not exist. */
void
add_unknown_probes (GPtrArray *probes)
{
  const char *paths[] = { "/", "/org", "/org/ovnk", PATH "/x", PATH "X", "/org/ovnk/DpuGateway/..", "/nope" };

  probe_add (probes, PATH, "org.freedesktop.DBus.Introspectable", "Introspect", NULL, check_introspect, "self", NULL,
             NULL);
  probe_add (probes, PATH, "org.freedesktop.DBus.Introspectable", "Introspect", g_variant_new ("(s)", "x"), NULL, NULL,
             NULL, E_PEER_ARGS);
  for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      if (!g_variant_is_object_path (paths[i]))
        continue;
      /* Introspection elsewhere: the parents list their children, and nothing has the interface. */
      probe_add (probes, paths[i], "org.freedesktop.DBus.Introspectable", "Introspect", NULL, check_introspect, NULL,
                 NULL, E_UNKNOWN);
      probe_add (probes, paths[i], IFACE, "Resolve", g_variant_new ("(s)", "pf0vf0"), NULL, NULL, NULL, E_UNKNOWN);
      probe_add (probes, paths[i], IFACE, "Refresh", NULL, NULL, NULL, NULL, E_UNKNOWN);
      probe_add (probes, paths[i], "org.freedesktop.DBus.Peer", "Ping", NULL, check_type, "()", NULL, E_UNKNOWN);
    }
  probe_add (probes, PATH, "org.freedesktop.DBus.Peer", "Ping", NULL, check_type, "()", NULL, NULL);
  probe_add (probes, PATH, "org.freedesktop.DBus.Peer", "GetMachineId", NULL, check_type, "(s)", NULL, NULL);
  probe_add (probes, PATH, "org.freedesktop.DBus.Peer", "Ping", g_variant_new ("(s)", "x"), NULL, NULL, NULL,
             E_PEER_ARGS);
  probe_add (probes, PATH, "org.freedesktop.DBus.Peer", "Pong", NULL, NULL, NULL, NULL, E_UNKNOWN);
  probe_add (probes, PATH, IFACE, "Frobnicate", NULL, NULL, NULL, NULL, E_UNKNOWN);
  probe_add (probes, PATH, IFACE, "resolve", g_variant_new ("(s)", "pf0vf0"), NULL, NULL, NULL, E_UNKNOWN);
  probe_add (probes, PATH, IFACE, "GatewayChanged", g_variant_new ("(sss)", "", "", ""), NULL, NULL, NULL, E_UNKNOWN);
  probe_add (probes, PATH, IFACE, "TopologyChanged", g_variant_new ("(t)", 1), NULL, NULL, NULL, E_UNKNOWN);
  probe_add (probes, PATH, IFACE, "GatewayInterface", NULL, NULL, NULL, NULL, E_UNKNOWN);
  probe_add (probes, PATH, "org.ovnk.DpuGateway2", "Resolve", g_variant_new ("(s)", "pf0vf0"), NULL, NULL, NULL,
             E_UNKNOWN);
  probe_add (probes, PATH, "org.ovnk", "Resolve", g_variant_new ("(s)", "pf0vf0"), NULL, NULL, NULL, E_UNKNOWN);
  probe_add (probes, PATH, "org.freedesktop.DBus.ObjectManager", "GetManagedObjects", NULL, NULL, NULL, NULL,
             E_UNKNOWN);
  probe_add (probes, PATH, "org.freedesktop.DBus", "Hello", NULL, NULL, NULL, NULL, E_UNKNOWN);
  probe_add (probes, PATH, "org.freedesktop.DBus.Introspectable", "Resolve", g_variant_new ("(s)", "pf0vf0"), NULL,
             NULL, NULL, E_UNKNOWN);
  /* No interface at all: dispatched to the method of that name, or refused; never anything else. */
  probe_add (probes, PATH, NULL, "Resolve", g_variant_new ("(s)", "pf0vf0"), check_resolve, "eth0", "0000:01:02.3",
             E_UNKNOWN);
  probe_add (probes, PATH, NULL, "Resolve", g_variant_new ("(s)", "../x"), NULL, NULL, NULL, E_UNKNOWN);
  probe_add (probes, PATH, NULL, "GetTopology", NULL, check_topology, NULL, NULL, E_UNKNOWN);
  probe_add (probes, PATH, NULL, "Get", g_variant_new ("(ss)", IFACE, "Version"), check_property, "Version", NULL,
             E_UNKNOWN);
  probe_add (probes, PATH, NULL, "Frobnicate", NULL, NULL, NULL, NULL, E_UNKNOWN);
  /* The methods that take nothing, as they should be called. */
  probe_add (probes, PATH, IFACE, "GetTopology", NULL, check_topology, NULL, NULL, NULL);
  probe_add (probes, PATH, IFACE, "GetTopology", g_variant_new ("()"), check_topology, NULL, NULL, NULL);
  probe_add (probes, PATH, IFACE, "Refresh", NULL, check_type, "()", NULL, NULL);
}

void
add_string_probes (GPtrArray *probes)
{
  for (guint i = 0; i < G_N_ELEMENTS (port_cases); i++)
    add_port_probes (probes, port_cases[i].port, port_cases[i].expect, port_cases[i].vf);
}


void
add_battery_probes (GPtrArray *probes)
{
  g_autofree char *name_64k = g_strnfill (64 * 1024, 'a');

  add_signature_probes (probes);
  add_string_probes (probes);
  add_port_probes (probes, name_64k, "InvalidArgument", NULL);
  add_property_probes (probes);
  add_unknown_probes (probes);
}

void
add_dynamic_probes (GPtrArray *dyn)
{
  probe_add (dyn, PATH, IFACE, "Resolve", NULL, NULL, NULL, NULL, E_PCI)->dynamic = DYN_NETDEV;
  probe_add (dyn, PATH, IFACE, "Resolve", NULL, NULL, NULL, NULL, E_ARGS)->dynamic = DYN_SIGNATURE;
  probe_add (dyn, PATH, IFACE, "Resolve", NULL, NULL, NULL, NULL, E_PCI)->dynamic = DYN_NETDEV;
  probe_add (dyn, PATH, IFACE, "Member", NULL, NULL, NULL, NULL, E_UNKNOWN)->dynamic = DYN_MEMBER;
  probe_add (dyn, PATH, PROPS, "Get", NULL, NULL, NULL, NULL, E_PROP)->dynamic = DYN_PROPERTY;
  probe_add (dyn, PATH, "org.freedesktop.DBus.Introspectable", "Introspect", NULL, check_introspect, NULL, NULL,
             E_UNKNOWN)->dynamic = DYN_PATH;
}

void
add_load_probes (GPtrArray *probes)
{
  probe_add (probes, PATH, IFACE, "Resolve", g_variant_new ("(s)", ""), check_resolve_flexible, NULL, "0000:01:02.3",
             NULL);
  probe_add (probes, PATH, IFACE, "Resolve", g_variant_new ("(s)", "pf0vf0"), check_resolve_flexible, NULL,
             "0000:01:02.3", NULL);
  probe_add (probes, PATH, IFACE, "Resolve", g_variant_new ("(s)", "bad/name"), NULL, NULL, NULL, E_INVALID);
  probe_add (probes, PATH, IFACE, "Resolve", g_variant_new ("(s)", "0000:01:02.4"), check_resolve_flexible, NULL,
             "0000:01:02.4", NULL);
  probe_add (probes, PATH, IFACE, "Resolve", g_variant_new ("(s)", "nosuch0"), NULL, NULL, NULL, E_PCI);
  probe_add (probes, PATH, IFACE, "ResolveAll", g_variant_new ("(s)", "pf0vf1"), check_resolve_flexible, NULL,
             "0000:01:02.4", NULL);
  probe_add (probes, PATH, IFACE, "Resolve", g_variant_new ("(s)", "eth1"), NULL, NULL, NULL, E_PF);
  probe_add (probes, PATH, IFACE, "GetTopology", NULL, check_topology, "flexible", NULL, NULL);
  probe_add (probes, PATH, IFACE, "Resolve", g_variant_new ("(s)", "0000:01:02.8"), NULL, NULL, NULL, E_INVALID);
  probe_add (probes, PATH, PROPS, "Get", g_variant_new ("(ss)", IFACE, "GatewayInterface"), check_property,
             "GatewayInterface", NULL, NULL);
  probe_add (probes, PATH, IFACE, "Resolve", g_variant_new ("(s)", "0000:01:05.0"), NULL, NULL, NULL, E_PF);
  probe_add (probes, PATH, PROPS, "GetAll", g_variant_new ("(s)", IFACE), check_get_all, NULL, NULL, NULL);
  probe_add (probes, PATH, PROPS, "Get", g_variant_new ("(ss)", IFACE, "Generation"), check_property, "Generation",
             NULL, NULL);
  probe_add (probes, PATH, PROPS, "Get", g_variant_new ("(ss)", IFACE, "LastError"), check_property, "LastError",
             NULL, NULL);
}

/* --- links that churn ---------------------------------------------------------- */

static gpointer
churn_thread (gpointer data)
{
  Churn *c = data;

  while (!g_atomic_int_get (&c->stop))
    {
      g_autofree char *out = NULL;
      g_autofree char *err = NULL;

      dpugw_test_ip_try (STRV ("-force", "-batch", c->batch_path), &out, &err);
      c->churn_rounds++;
    }
  return NULL;
}

static gpointer
rename_thread (gpointer data)
{
  Churn *c = data;

  while (!g_atomic_int_get (&c->stop))
    {
      const char *to = strcmp (c->gateway, "eth0") == 0 ? "enp1s0f0np0" : "eth0";

      g_usleep (200 * 1000);
      dpugw_test_rename_netdev (c->testbed, c->pf_devdir, c->gateway, to);
      DPUGW_TEST_IP ("link", "set", c->gateway, "name", to);
      g_free (c->gateway);
      c->gateway = g_strdup (to);
      c->renames++;
    }
  return NULL;
}

void
churn_start (Churn *c, UMockdevTestbed *testbed, const char *pf_devdir, const char *tmpdir)
{
  g_autoptr(GString) batch = g_string_new (NULL);

  for (guint i = 0; i < 20; i++)
    g_string_append_printf (batch,
                            "link add chA%u type veth peer name chB%u\n"
                            "link set chA%u name chC%u\n"
                            "link set chB%u up\n"
                            "link del chC%u\n",
                            i, i, i, i, i, i);
  c->testbed = testbed;
  c->pf_devdir = g_strdup (pf_devdir);
  c->batch_path = g_build_filename (tmpdir, "churn.batch", NULL);
  dpugw_test_write_file (c->batch_path, batch->str);
  c->gateway = g_strdup ("eth0");
  g_atomic_int_set (&c->stop, 0);
  c->threads[0] = g_thread_new ("churn", churn_thread, c);
  c->threads[1] = g_thread_new ("rename", rename_thread, c);
}

void
churn_stop (Churn *c)
{
  g_atomic_int_set (&c->stop, 1);
  for (guint i = 0; i < G_N_ELEMENTS (c->threads); i++)
    if (c->threads[i] != NULL)
      g_thread_join (g_steal_pointer (&c->threads[i]));
}

void
churn_clear (Churn *c)
{
  churn_stop (c);
  g_free (c->pf_devdir);
  g_free (c->batch_path);
  g_free (c->gateway);
}
