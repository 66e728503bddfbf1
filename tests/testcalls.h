/* SPDX-License-Identifier: Apache-2.0
 *
 * Calls in flight with expectations, for the hostile tests and the load
 * benchmark: a Probe is a call (any path, interface, member and body, or
 * something new each time) and what it must get -- one of the errors it
 * names, or an answer its check accepts; a Runner keeps many of them in
 * flight over several connections, judges every reply, and counts the
 * outcomes.  Then the sets of hostile calls over the example tree (the
 * configured management port pf0vf0), and the mix of the load test.
 */
#pragma once

#include "testdaemon.h"

G_BEGIN_DECLS

/* The errors a probe accepts. */
extern const char * const E_ARGS[];        /* wrong arguments */
extern const char * const E_UNKNOWN[];     /* no such method, object or interface */
extern const char * const E_PEER_ARGS[];
extern const char * const E_PROP_ARGS[];
extern const char * const E_PROP[];        /* no such property or interface */
extern const char * const E_READ_ONLY[];
extern const char * const E_INVALID[];     /* InvalidArgument */
extern const char * const E_PCI[];         /* PciAddress */
extern const char * const E_PF[];          /* PfPciAddress */
extern const char * const E_DOCUMENTED[];  /* what a resolution may fail with when the tree is broken or changing */

typedef struct Runner Runner;
typedef struct Probe Probe;

/* Probes that differ in each call: what a daemon might keep per distinct input. */
typedef enum {
  DYN_NONE,
  DYN_NETDEV,      /* Resolve("x0000001"): a valid name nobody has (a lookup, a remembered failure) */
  DYN_SIGNATURE,   /* Resolve with arguments of a new type each time: "(nqi)", "(dxb)"... */
  DYN_MEMBER,      /* a new unknown method name */
  DYN_PROPERTY,    /* Get of a new unknown property name */
  DYN_PATH,        /* Introspect of a new object path */
} DynamicKind;
typedef gboolean (*CheckFunc) (Runner *r, const Probe *p, GVariant *body, GString *why);

struct Probe {
  char *label;
  char *path;
  char *iface;               /* NULL: the message has no interface */
  char *method;
  GVariant *params;          /* NULL: no body */
  DynamicKind dynamic;       /* something new in each call */
  const char * const *errors; /* the errors accepted; NULL: none */
  CheckFunc check;           /* the answer accepted; NULL: none */
  char *arg;
  char *arg2;
};

struct Runner {
  char *address;
  char *root;                /* the sysfs root: what Diagnose may read */
  GPtrArray *probes;
  GPtrArray *dynamics;       /* Probe, one of them every 10th call, in turn, when set */
  GDBusConnection **conns;
  guint n_conns;
  guint *conn_in_flight;
  guint64 *conn_sent;
  guint conn_window;         /* at most this many calls in flight per connection */
  guint64 conn_quota;        /* at most this many calls per connection (0: no limit) */
  guint64 total, sent, done;
  guint next;
  guint64 dyn;
  guint64 n_ok, n_err, n_bad;
  gint64 max_latency;
  GHashTable *by_outcome;    /* outcome -> guint64 count */
  GHashTable *by_label;      /* label -> first outcome */
  GPtrArray *bad;            /* the first descriptions */
  /* For the checks of a tree that changes: the gateways allowed, in sort order. */
  const char * const *gateways;
  const char * const *gateway_peers;  /* the other netdevs of the PF */
  char *outcomes;            /* runner_outcomes()' text */
};

typedef struct {
  Runner *r;
  const Probe *p;
  guint conn;
  gint64 start;
} Pending;

/* --- probes --- */

void probe_free (Probe *p);
/* A probe added to @probes: @check (with @arg, @arg2) judges an answer, @errors the errors accepted. */
Probe *probe_add (GPtrArray *probes, const char *path, const char *iface, const char *method, GVariant *params,
                  CheckFunc check, const char *arg, const char *arg2, const char * const *errors);

/* --- the runner --- */

/* @n_conns connections to @address, at most @conn_window calls in flight on each. */
Runner *runner_new (const char *address, const char *root, GPtrArray *probes, guint n_conns, guint conn_window);
void runner_free (Runner *r);
void runner_reset_counts (Runner *r);
/* Makes @n more calls (the probes in turn; every 10th a dynamic one, if set), and waits for every
 * answer; the test fails after @deadline_usec (scaled). */
void runner_run (Runner *r, guint64 n, gint64 deadline_usec);
/* "answer N, DBus.Error.InvalidArgs N, ...", the runner's until the next call. */
const char *runner_outcomes (Runner *r);
/* Fails the test if any call was not answered as expected, saying which. */
void runner_assert_clean (Runner *r, const char *what);

/* A documented error message: bounded, printable, with its documented beginning. */
gboolean error_message_ok (const char *name, const char *message, GString *why);

/* --- checks of answers (the example tree, pf0vf0 configured) --- */

const char *dict_string (GVariant *dict, const char *key);
gboolean strv_is (const char * const *got, const char * const *want);
char *strv_text (const char * const *v);

gboolean check_resolve (Runner *r, const Probe *p, GVariant *body, GString *why);
gboolean check_resolve_all (Runner *r, const Probe *p, GVariant *body, GString *why);
/* Resolve or ResolveAll in a changing tree: the interface among r->gateways. */
gboolean check_resolve_flexible (Runner *r, const Probe *p, GVariant *body, GString *why);
/* @arg "ok": every step passed; "fail": one failed; NULL: either.  No path read outside the root. */
gboolean check_diagnose (Runner *r, const Probe *p, GVariant *body, GString *why);
gboolean check_topology (Runner *r, const Probe *p, GVariant *body, GString *why);
gboolean check_property (Runner *r, const Probe *p, GVariant *body, GString *why);
gboolean check_get_all (Runner *r, const Probe *p, GVariant *body, GString *why);
gboolean check_introspect (Runner *r, const Probe *p, GVariant *body, GString *why);
/* The answer is of the type @arg. */
gboolean check_type (Runner *r, const Probe *p, GVariant *body, GString *why);

/* --- the sets of calls --- */

/* Resolve, ResolveAll and Diagnose of @port, which must end as @expect (an interface, or an error's name). */
void add_port_probes (GPtrArray *probes, const char *port, const char *expect, const char *vf);
/* Every method with arguments it does not take. */
void add_signature_probes (GPtrArray *probes);
/* Get, Set and GetAll, right and wrong. */
void add_property_probes (GPtrArray *probes);
/* Introspection, Peer, members, interfaces and objects that do not exist. */
void add_unknown_probes (GPtrArray *probes);
/* Resolve of some 70 hostile strings: lengths, paths, control characters, UTF-8, near-miss PCI addresses. */
void add_string_probes (GPtrArray *probes);
/* The battery: the signatures, the strings (and a name of 64 KiB), the properties, the unknown members. */
void add_battery_probes (GPtrArray *probes);
/* Something the daemon never saw, in each call: a netdev name, an argument type, a method, a property,
 * an object path. */
void add_dynamic_probes (GPtrArray *probes);
/* The load test's mix: valid and invalid ports, ResolveAll, GetTopology, Get and GetAll, while the
 * gateway is renamed (check with r->gateways and r->gateway_peers set). */
void add_load_probes (GPtrArray *probes);

/* --- links that churn ---------------------------------------------------------- */

/*
 * Two threads: one runs rounds of 80 link operations on links nobody follows (20 veth pairs
 * added, renamed, set up, deleted) in an ip -batch; the other renames the gateway, the PF
 * netdev eth0 of @pf_devdir, to enp1s0f0np0 and back every 200 ms, the tree first, then the
 * link (which must exist).
 */
typedef struct {
  UMockdevTestbed *testbed;
  char *pf_devdir;
  char *batch_path;
  volatile gint stop;
  guint64 renames;
  guint64 churn_rounds;
  char *gateway;        /* the gateway's name now; changed by the renamer only, read once stopped */
  GThread *threads[2];
} Churn;

void churn_start (Churn *c, UMockdevTestbed *testbed, const char *pf_devdir, const char *tmpdir);
void churn_stop (Churn *c);
void churn_clear (Churn *c);

G_END_DECLS
