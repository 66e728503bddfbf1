/* SPDX-License-Identifier: Apache-2.0
 *
 * What every C test shares (the dpugw-testlib static library, with
 * testbus.h and testdaemon.h): the program's start and its prerequisites,
 * deadlines that scale under valgrind, waiting on the main context, files,
 * fake sysfs trees and their changes, ip(8) in a network namespace, and
 * figures for the test's output.
 */
#pragma once

#include <dpu-gateway/dpu-gateway.h>
#include <umockdev.h>

G_BEGIN_DECLS

/* A NULL-terminated string array, for arguments and expected values. */
#define STRV(...) ((const char * const[]) { __VA_ARGS__, NULL })

/* --- the program ---------------------------------------------------------------------------- */

typedef enum {
  DPUGW_TEST_DEFAULT = 0,
  /*
   * A network namespace of the program's own (unshare), entered again by every subprocess a
   * test runs in, so that each has its own; ip(8) to make links in it.  The daemons the tests
   * start see only the links the tests make.
   */
  DPUGW_TEST_NETNS = 1 << 0,
} DpugwTestFlags;

/*
 * setlocale(), g_test_init() and the prerequisites @flags name.  A prerequisite missing skips
 * the whole program (never a part of it, which meson would count as a pass): "1..0 # SKIP why"
 * under --tap, which meson reports as SKIP and .ci/run counts as a failure; exit 77 otherwise.
 */
void dpugw_test_init (int *argc, char ***argv, DpugwTestFlags flags);
G_NORETURN void dpugw_test_skip_program (const char *format, ...) G_GNUC_PRINTF (1, 2);

/* --- time ----------------------------------------------------------------------------------- */

/*
 * Every deadline of the tests is multiplied by this: 10 under valgrind (the meson setup
 * `valgrind` sets DPUGW_UNDER_VALGRIND=1), 1 otherwise.  DPUGW_TEST_TIME_SCALE=N overrides it.
 */
guint dpugw_test_time_scale (void);
gint64 dpugw_test_usec (gint64 usec);
int dpugw_test_msec (int msec);

/* The deadlines, before scaling. */
#define DPUGW_TEST_WAIT_USEC   (20 * G_USEC_PER_SEC)   /* something the test waits for */
#define DPUGW_TEST_CALL_MSEC   30000                   /* a D-Bus call */
#define DPUGW_TEST_HANG_MSEC   5000                    /* a call answered later hangs */

/* One iteration of the default main context, blocking at most 10 ms. */
void dpugw_test_iterate (void);
/* Dispatches what is pending, without blocking. */
void dpugw_test_drain (void);

/* Iterates the main context until @cond holds; the test fails after @usec (scaled). */
#define DPUGW_TEST_WAIT_FOR(cond, usec, what)                                            \
  G_STMT_START {                                                                         \
    gint64 wait_deadline_ = g_get_monotonic_time () + dpugw_test_usec (usec);           \
    while (!(cond))                                                                      \
      {                                                                                  \
        if (g_get_monotonic_time () > wait_deadline_)                                    \
          g_error ("%s:%d: timed out waiting for %s (%.0f s)", __FILE__, __LINE__, (what), \
                   dpugw_test_usec (usec) / 1e6);                                        \
        dpugw_test_iterate ();                                                           \
      }                                                                                  \
  } G_STMT_END
#define DPUGW_TEST_WAIT(cond, what) DPUGW_TEST_WAIT_FOR (cond, DPUGW_TEST_WAIT_USEC, what)

/* The same, setting @ok to whether @cond came within @usec (scaled): the caller says what missed. */
#define DPUGW_TEST_POLL(ok, cond, usec)                                                  \
  G_STMT_START {                                                                         \
    gint64 poll_deadline_ = g_get_monotonic_time () + dpugw_test_usec (usec);           \
    (ok) = TRUE;                                                                         \
    while (!(cond))                                                                      \
      {                                                                                  \
        if (g_get_monotonic_time () > poll_deadline_)                                    \
          {                                                                              \
            (ok) = FALSE;                                                                \
            break;                                                                       \
          }                                                                              \
        dpugw_test_iterate ();                                                           \
      }                                                                                  \
  } G_STMT_END

/* A failed expectation: said on stderr, the test marked failed, and it goes on. */
void dpugw_test_soft_fail (const char *format, ...) G_GNUC_PRINTF (1, 2);
#define DPUGW_TEST_EXPECT(cond, ...)          \
  G_STMT_START {                              \
    if (!(cond))                              \
      dpugw_test_soft_fail (__VA_ARGS__);     \
  } G_STMT_END

/* --- figures ---------------------------------------------------------------------------------- */

/*
 * A line for the test's output ("# ..." in TAP): what a test measured or saw.  From a test
 * running in a subprocess of its own (testdaemon.h), the parent prints it.
 */
void dpugw_test_report (const char *format, ...) G_GNUC_PRINTF (1, 2);

/* --- files ------------------------------------------------------------------------------------ */

/* The contents of @path, "" if it cannot be read. */
char *dpugw_test_read_file (const char *path);
void dpugw_test_write_file (const char *path, const char *contents);
/* A new temporary file holding @contents; the caller removes it. */
char *dpugw_test_temp_file (const char *contents);
/* A new temporary directory, dpugw-test-@what-XXXXXX. */
char *dpugw_test_tmpdir (const char *what);
/* rm -rf @path, without following links; directories left unsearchable (chmod 000) too. */
void dpugw_test_rm_rf (const char *path);
guint dpugw_test_count (const char *haystack, const char *needle);

/* --- fake sysfs trees ------------------------------------------------------------------------- */

/* The path of a recording: "data/NAME" or "tests/fixtures/NAME" under the source tree. */
char *dpugw_test_recording (const char *relpath);

/*
 * A fake sysfs tree from umockdev recordings (relative to the source tree,
 * e.g. "data/dpu-host-example.umockdev"), NULL-terminated.  Returns the testbed;
 * *sysfs is a DpugwSysfs rooted at its sys directory.  No LD_PRELOAD is involved:
 * the library is simply pointed at the testbed's sys dir.
 */
UMockdevTestbed *dpugw_test_testbed_new (DpugwSysfs **sysfs, const char *recording, ...) G_GNUC_NULL_TERMINATED;
UMockdevTestbed *dpugw_test_testbed_newv (DpugwSysfs **sysfs, const char * const *recordings);

/* Changes of a testbed's tree that a recording cannot say; @relpath is below its sys dir. */
char *dpugw_test_path (UMockdevTestbed *testbed, const char *relpath);
void dpugw_test_mkdir (UMockdevTestbed *testbed, const char *relpath);
void dpugw_test_symlink (UMockdevTestbed *testbed, const char *target, const char *relpath);
void dpugw_test_remove (UMockdevTestbed *testbed, const char *relpath);
/* Writes the file @relpath (an attribute). */
void dpugw_test_write (UMockdevTestbed *testbed, const char *relpath, const char *contents);
/* Whatever is at @relpath (file, link, directory) gone. */
void dpugw_test_clear (UMockdevTestbed *testbed, const char *relpath);
/* Whatever is at @relpath replaced by a link to @target (its directory made if need be), a FIFO. */
void dpugw_test_replace_link (UMockdevTestbed *testbed, const char *target, const char *relpath);
void dpugw_test_replace_fifo (UMockdevTestbed *testbed, const char *relpath);

/*
 * The netdev of the PCI function whose directory is @devdir ("devices/..."), as the kernel
 * shows it in sysfs: renamed, added (net/NAME, its device link and class/net/NAME), removed.
 */
void dpugw_test_rename_netdev (UMockdevTestbed *testbed, const char *devdir, const char *old_name,
                               const char *new_name);
void dpugw_test_add_netdev (UMockdevTestbed *testbed, const char *devdir, const char *name);
void dpugw_test_remove_netdev (UMockdevTestbed *testbed, const char *devdir, const char *name);

/* --- links (in the network namespace of DPUGW_TEST_NETNS) ---------------------------------- */

/* ip @args: whether it succeeded; its output in @out, @err when not NULL. */
gboolean dpugw_test_ip_try (const char * const *args, char **out, char **err);
/* ip @args, which must succeed. */
void dpugw_test_ip (const char * const *args);
#define DPUGW_TEST_IP(...) dpugw_test_ip (STRV (__VA_ARGS__))
void dpugw_test_veth_add (const char *name, const char *peer);
/* Every link but lo, by name. */
GStrv dpugw_test_links (void);
/* Leaves the namespace with lo only. */
void dpugw_test_links_delete_all (void);

/* @envp (transfer full) without the OVNKUBE_*, PCIDEVICE_* and OVN_GATEWAY_OPTS variables: no
 * configuration of the machine's reaches a program a test starts. */
char **dpugw_test_environ_without_config (char **envp);

G_END_DECLS
