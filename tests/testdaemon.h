/* SPDX-License-Identifier: Apache-2.0
 *
 * dpu-gatewayd and dpu-gatewayctl, the real binaries, as the tests run them:
 * a private bus (GTestDBus) with a client connection watching the name, a
 * fake sysfs tree, the daemons started on it (one starter, taking what the
 * tests vary), the signals they send, their logs; the client; and tests run
 * each in a subprocess of its own.
 *
 * Every process started here dies with the test (PR_SET_PDEATHSIG), and the
 * teardown ends what is still running: a failed assertion never leaves a
 * daemon behind holding the test runner's pipes.
 */
#pragma once

#include "testbus.h"
#include "testlib.h"

G_BEGIN_DECLS

/* The configuration flags of a DPU host whose management port is pf0vf0, deriving its gateway. */
#define DPUGW_TEST_CONFIGURED "--config-file=", "--ovnkube-node-mode=dpu-host", \
                              "--ovnkube-node-mgmt-port-netdev=pf0vf0", "--gateway-interface=derive-from-mgmt-port"

typedef struct _DpugwTestBus DpugwTestBus;

typedef struct {
  DpugwTestBus *tb;
  GSubprocess *process;
  GPid pid;
  char *log_path;             /* its stdout and stderr */
  char *pid_file;
  gboolean exited;
  int exit_status;            /* -1: killed by a signal */
  int term_signal;
  gboolean expect_exit;       /* it ends otherwise than by the teardown's SIGTERM */
  gboolean allow_critical;    /* a critical in its log is expected (a lost name or bus) */
} DpugwTestDaemon;

/* How to start dpu-gatewayd: `[WRAPPER...] dpu-gatewayd --sysfs-root ROOT ARGS...`. */
typedef struct {
  const char * const *args;     /* NULL: none (no --config-file= either) */
  const char * const *env;      /* "K=V", added to the daemon's environment */
  const char * const *wrapper;  /* e.g. setpriv ... -- */
  const char *sysfs_root;       /* instead of the testbed's */
  gboolean no_wait;             /* return once spawned: do not wait for the name */
  gboolean ready;               /* also wait for its first pass (Generation >= 1), then subscribe */
} DpugwTestStart;

struct _DpugwTestBus {
  /* The fake hardware (none when set up without recordings). */
  UMockdevTestbed *testbed;
  DpugwSysfs *sysfs;
  const char *root;
  char *tmpdir;                 /* the test's files; removed at the end */
  char *rundir;                 /* the logs and process ids: the isolated runner's directory, or tmpdir */

  GTestDBus *bus;
  gboolean bus_down;            /* a test took it down */
  char *address;
  char *address_flag;           /* --address=ADDRESS, for dpu-gatewayctl */
  GPid bus_pid;
  GDBusConnection *conn;        /* ours: calls, signals */
  guint watch_id;
  char *owner;                  /* the unique name owning the service's name, NULL when none */
  guint owner_changes;

  GPtrArray *daemons;           /* DpugwTestDaemon, as started */
  DpugwTestDaemon *daemon;      /* the last one */

  /* The service's signals, once subscribed (dpugw_test_subscribe(), or started .ready). */
  guint sub_ids[3];
  GPtrArray *gateway_changed;   /* GVariant (sss) */
  GPtrArray *topology_changed;  /* GVariant (t) */
  GPtrArray *properties_changed; /* GVariant (sa{sv}as) */
};

/* --- the bus and the tree ------------------------------------------------------------------------ */

/* A tree from @recordings (NULL or empty: none), a private bus, our connection watching the name. */
void dpugw_test_bus_init (DpugwTestBus *tb, const char * const *recordings);
/*
 * Ends every daemon still running (SIGTERM: it must exit 0, else SIGKILL and the test fails;
 * one that exited early fails it unless expect_exit), checks their logs (no critical, no
 * sanitizer report), takes the bus down and removes the test's files.
 */
void dpugw_test_bus_clear (DpugwTestBus *tb);
/* The same as GTest fixture functions, for g_test_add (path, DpugwTestBus, RECORDING, ...). */
void dpugw_test_bus_setup (DpugwTestBus *tb, gconstpointer recording);
void dpugw_test_bus_teardown (DpugwTestBus *tb, gconstpointer unused);

/* --- the daemon ------------------------------------------------------------------------------------ */

char *dpugw_test_daemon_path (void);
/* The daemon's environment: ours without configuration (OVNKUBE_*, PCIDEVICE_*) or debugging, the bus
 * at @address (NULL: none) as the system bus, plus @extra ("K=V"). */
char **dpugw_test_daemon_environ (const char *address, const char * const *extra);

/* Starts dpu-gatewayd as @how says; unless .no_wait, returns once it owns the name (its log shown
 * and the test failed if it exits first). */
DpugwTestDaemon *dpugw_test_daemon_start (DpugwTestBus *tb, const DpugwTestStart *how);
#define DPUGW_TEST_START(tb, ...) dpugw_test_daemon_start ((tb), &(const DpugwTestStart) { __VA_ARGS__ })
/* SIGTERM, and its exit status (the test fails if it does not exit); leaves @tb ready for another. */
int dpugw_test_daemon_stop (DpugwTestDaemon *d);
void dpugw_test_daemon_signal (DpugwTestDaemon *d, int signo);
char *dpugw_test_daemon_log (DpugwTestDaemon *d);
gboolean dpugw_test_daemon_log_contains (DpugwTestDaemon *d, const char *text);
guint dpugw_test_daemon_log_count (DpugwTestDaemon *d, const char *text);
void dpugw_test_daemon_print_log (DpugwTestDaemon *d);
/* Its resident set size, KiB. */
guint64 dpugw_test_daemon_rss_kib (DpugwTestDaemon *d);
/* A child setup for GSubprocessLauncher and g_spawn: the child dies with this thread. */
void dpugw_test_child_dies_with_parent (gpointer unused);

/* Waits for the first pass (Generation >= 1): before it a lookup's result may not be cached. */
void dpugw_test_wait_ready (DpugwTestBus *tb);
/* Records the service's GatewayChanged, TopologyChanged and PropertiesChanged from now on. */
void dpugw_test_subscribe (DpugwTestBus *tb);

/* --- calls -------------------------------------------------------------------------------------------- */

/* A call of the service on @tb's connection, within @timeout_msec (scaled; -1: DPUGW_TEST_CALL_MSEC). */
GVariant *dpugw_test_call_full (GDBusConnection *conn, const char *path, const char *iface, const char *method,
                                GVariant *params, const char *reply_type, int timeout_msec, GError **error);
GVariant *dpugw_test_call (DpugwTestBus *tb, const char *iface, const char *method, GVariant *params,
                           const char *reply_type, GError **error);
/* Peer.Ping, answered within DPUGW_TEST_HANG_MSEC (scaled); then the signals sent before it are dispatched. */
void dpugw_test_ping (DpugwTestBus *tb);
void dpugw_test_refresh (DpugwTestBus *tb);
GVariant *dpugw_test_get_property (DpugwTestBus *tb, const char *property);
char *dpugw_test_get_string (DpugwTestBus *tb, const char *property);
guint64 dpugw_test_get_generation (DpugwTestBus *tb);
gboolean dpugw_test_string_property_is (DpugwTestBus *tb, const char *property, const char *expected);
/* Resolve(@port) alone answers @expected. */
gboolean dpugw_test_resolves_to (DpugwTestBus *tb, const char *port, const char *expected);
/* GetTopology: the netdevs it lists for the PF @pf_pci (NULL if none), its generation in *@generation. */
GStrv dpugw_test_topology_pf_netdevs (DpugwTestBus *tb, const char *pf_pci, guint64 *generation);
gboolean dpugw_test_topology_pf_netdevs_are (DpugwTestBus *tb, const char *pf_pci, const char * const *expected);

/* --- signals received ------------------------------------------------------------------------------- */

/* Where the lists of received signals stand: what came since is what a change caused. */
typedef struct {
  guint gateway;
  guint topology;
  guint properties;
} DpugwTestMark;

DpugwTestMark dpugw_test_mark (DpugwTestBus *tb);
gboolean dpugw_test_has_gateway_changed (DpugwTestBus *tb, guint from, const char *vf, const char *old_if,
                                         const char *new_if);
/* A PropertiesChanged since @from setting @property to the string @value. */
gboolean dpugw_test_has_property_changed (DpugwTestBus *tb, guint from, const char *property, const char *value);
/* A PropertiesChanged since @from naming @property at all. */
gboolean dpugw_test_has_property (DpugwTestBus *tb, guint from, const char *property);
/* The signals of @received since @from, as text ("none"). */
char *dpugw_test_signals_since (GPtrArray *received, guint from);

/* --- dpu-gatewayctl ------------------------------------------------------------------------------------ */

typedef struct {
  char *out;
  char *err;
  int status;
} DpugwTestRun;

void dpugw_test_run_clear (DpugwTestRun *run);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (DpugwTestRun, dpugw_test_run_clear)

char *dpugw_test_ctl_path (void);
/* Runs dpu-gatewayctl @args, its environment ours without configuration plus @extra_env ("K=V"). */
void dpugw_test_ctl (DpugwTestRun *run, const char * const *extra_env, const char * const *args);
#define DPUGW_TEST_CTL(run, ...) dpugw_test_ctl ((run), NULL, STRV (__VA_ARGS__))
#define DPUGW_TEST_CTL_ENV(run, env, ...) dpugw_test_ctl ((run), (env), STRV (__VA_ARGS__))
/* dpu-gatewayctl @args running on (monitor), dying with us. */
GSubprocess *dpugw_test_ctl_spawn (GSubprocessFlags flags, const char * const *args);
/* The same, with @extra_env ("K=V") added to its environment. */
GSubprocess *dpugw_test_ctl_spawn_env (GSubprocessFlags flags, const char * const *extra_env, const char * const *args);

/* --- tests in subprocesses -------------------------------------------------------------------------- */

typedef struct {
  void (*func) (DpugwTestBus *tb);
  const char *recordings[4];    /* NULL-terminated; none: no tree */
  guint timeout_sec;            /* the subprocess' limit, before scaling; 0: 90 s */
} DpugwTestCase;

/*
 * Adds the test @path: @tc->func runs in a subprocess of its own (this program again) on a
 * DpugwTestBus over @tc->recordings.  A failure there fails this test only: the parent shows
 * the logs of the daemons it started and ends whatever it left; the other tests still run.
 * What the test reported (dpugw_test_report()) is printed by the parent.  @tc must outlive
 * g_test_run().  In the parent, assertions are not fatal from then on: a failed test does not
 * end the program.
 */
void dpugw_test_add (const char *path, const DpugwTestCase *tc);
#define DPUGW_TEST_ADD(path, ...) dpugw_test_add ((path), &(const DpugwTestCase) { __VA_ARGS__ })

G_END_DECLS
