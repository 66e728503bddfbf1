/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <dpu-gateway/dpu-gateway.h>
#include <umockdev.h>

G_BEGIN_DECLS

/* The path of a recording: "data/NAME" or "tests/fixtures/NAME" under the source tree. */
char *dpugw_test_recording (const char *relpath);

/*
 * A fake sysfs tree from umockdev recordings (relative to the source tree,
 * e.g. "data/dpu-host-example.umockdev"), NULL-terminated.  Returns the testbed;
 * *sysfs is a DpugwSysfs rooted at its sys directory.  No LD_PRELOAD is involved:
 * the library is simply pointed at the testbed's sys dir.
 */
UMockdevTestbed *dpugw_test_testbed_new (DpugwSysfs **sysfs, const char *recording, ...) G_GNUC_NULL_TERMINATED;

/* Helpers to change a testbed's tree in ways a recording cannot say. */
void dpugw_test_mkdir (UMockdevTestbed *testbed, const char *relpath);
void dpugw_test_symlink (UMockdevTestbed *testbed, const char *target, const char *relpath);
void dpugw_test_remove (UMockdevTestbed *testbed, const char *relpath);
char *dpugw_test_path (UMockdevTestbed *testbed, const char *relpath);

G_END_DECLS
