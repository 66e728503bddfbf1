/* SPDX-License-Identifier: Apache-2.0
 *
 * What the benchmarks share: the machine's description, timing and
 * statistics, the generated sysfs trees (tests/gen-sysfs-tree.py), a private
 * bus with dpu-gatewayd on it, and the daemon's CPU time and memory.
 *
 * Every figure is printed twice: in a table, and as one line
 *   FIGURE <name> <value> <unit> | <detail> | target <...>: met|MISSED|-
 * that docs/performance.md quotes.  The machine is small and shared: every
 * figure is a ratio against a baseline measured in the same run, in
 * alternating blocks so that both see the same noise.
 */
#pragma once

#include <dpu-gateway/dpu-gateway.h>
#include <gio/gio.h>

G_BEGIN_DECLS

/* --- time and statistics ------------------------------------------------------ */

gint64 bench_now_ns (void);
/* The CPU time of process @pid (all its threads, living and gone), in ns; -1 if unknown. */
gint64 bench_process_cpu_ns (GPid pid);
/* The @p quantile (0..1) of @values, nearest rank; sorts @values in place. */
double bench_quantile (GArray *values, double p);
double bench_median (GArray *values);

/* --- output -------------------------------------------------------------------- */

/* The header: program, nproc, CPU model, kernel, GLib, date. */
void bench_print_machine (const char *program);
/* One FIGURE line.  @target: NULL for none, else e.g. "<= 1.10"; met says whether it is met. */
void bench_figure (const char *name, double value, const char *unit, const char *target, gboolean met,
                   const char *detail_format, ...) G_GNUC_PRINTF (6, 7);

/* --- the environment --------------------------------------------------------------- */

/* unshare(CLONE_NEWNET): a network namespace of our own, before any thread.  FALSE with a reason. */
gboolean bench_enter_netns (char **why);
const char *bench_srcdir (void);
const char *bench_builddir (void);
char *bench_daemon_path (void);
char *bench_ctl_path (void);
/* A new temporary directory; removed by bench_rm_rf(). */
char *bench_make_tmpdir (const char *what);
void bench_rm_rf (const char *path);
/* Runs @argv (NULL-terminated), which must succeed; its stdout in *out if @out. */
void bench_run (const char * const *argv, char **out);

/* --- generated sysfs trees ------------------------------------------------------------- */

typedef struct {
  char *pci;
  char *netdev;
  char *pf;
} BenchVf;

typedef struct {
  char *pci;
  GStrv netdevs;     /* sorted */
  char *first_vf;
  char *first_vf_netdev;
  char *devdir;      /* relative to the root */
  guint n_vfs;
} BenchPf;

typedef struct {
  char *dir;         /* the temporary directory holding it */
  char *root;        /* DIR/sys: --sysfs-root */
  GPtrArray *pfs;    /* BenchPf */
  GPtrArray *vfs;    /* BenchVf, in the order made */
  gboolean switchdev;
} BenchTree;

/* tests/gen-sysfs-tree.py --pfs @pfs --vfs-per-pf @vfs_per_pf [--switchdev]; prints how long it took. */
BenchTree *bench_tree_new (guint pfs, guint vfs_per_pf, gboolean switchdev);
/* The example recording, built with dpugw-mock-sysfs: PF 0000:01:00.0 (eth0, eth1), VFs pf0vf0, pf0vf1. */
BenchTree *bench_tree_new_example (void);
void bench_tree_free (BenchTree *tree);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BenchTree, bench_tree_free)

/* The netdev @old_name of the function at @devdir renamed @new_name, as the kernel changes sysfs. */
void bench_tree_rename_netdev (BenchTree *tree, const char *devdir, const char *old_name, const char *new_name);

/* --- a private bus, dpu-gatewayd on it ------------------------------------------------------------ */

typedef struct {
  GTestDBus *bus;
  char *address;
  GDBusConnection *conn;     /* ours, for calls and signals */
  GSubprocess *daemon;
  GPid pid;
  char *log_path;
  gint64 spawned_ns;
  char *extra_arg;           /* one more argument for the daemon, NULL for none */
} BenchBus;

/* A private dbus-daemon and a connection to it. */
BenchBus *bench_bus_new (const char *tmpdir);
/* dpu-gatewayd [-v] over @root, management port @mgmt_port; returns once it owns the name
 * (the first pass may still run).  Its output goes to @log_path. */
void bench_bus_spawn_daemon (BenchBus *b, const char *root, const char *mgmt_port, gboolean verbose,
                             const char *log_path);
void bench_bus_wait_owned (BenchBus *b);
void bench_bus_start_daemon (BenchBus *b, const char *root, const char *mgmt_port, gboolean verbose,
                             const char *log_path);
void bench_bus_stop_daemon (BenchBus *b);
void bench_bus_free (BenchBus *b);
GDBusConnection *bench_bus_connect (BenchBus *b);
/* A synchronous call to the daemon (to the bus itself for @iface org.freedesktop.DBus); errors are fatal. */
GVariant *bench_call (GDBusConnection *conn, const char *iface, const char *method, GVariant *params,
                      const char *reply_type);
char *bench_get_string_property (GDBusConnection *conn, const char *property);
guint64 bench_get_generation (GDBusConnection *conn);

/* Memory of @pid: VmRSS (status) and Pss (smaps_rollup), in KiB; FALSE if unreadable. */
gboolean bench_memory_kib (GPid pid, guint64 *rss, guint64 *pss);
/* The pages only @pid maps: Private_Clean + Private_Dirty of smaps_rollup, in KiB.  Unlike RSS it
 * leaves out the shared libraries' pages, which every GLib program maps. */
gboolean bench_private_kib (GPid pid, guint64 *private_kib);

#define BENCH_NAME  "org.ovnk.DpuGateway"
#define BENCH_PATH  "/org/ovnk/DpuGateway"
#define BENCH_IFACE "org.ovnk.DpuGateway"

G_END_DECLS
