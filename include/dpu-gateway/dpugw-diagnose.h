/* SPDX-License-Identifier: Apache-2.0
 *
 * The diagnosis, dpugw_diagnose(): every step of the pipeline checked on its own,
 * with a cause and a fix for the first that fails.
 */
#pragma once

#include <glib.h>
#include "dpugw-config.h"
#include "dpugw-sysfs.h"

G_BEGIN_DECLS

/*
 * The stable ids of the diagnosis' steps, in the order they run; each checks one step of
 * the pipeline, as dpugw-resolver.h numbers them, and the diagnosis' steps have no
 * numbers of their own.
 */
/* Pipeline step 1: which management port, and where it came from. */
#define DPUGW_DIAG_STEP_MGMT_PORT   "mgmt-port"
/* Pipeline step 1: /sys/class/net/NAME exists. */
#define DPUGW_DIAG_STEP_NETDEV      "netdev"
/* Pipeline step 2: /sys/class/net/NAME/device and its nearest PCI function. */
#define DPUGW_DIAG_STEP_PCI_ADDRESS "pci-address"
/* Pipeline step 3: the VF's physfn link, /sys/bus/pci/devices/VF/physfn: the PF. */
#define DPUGW_DIAG_STEP_PHYSFN      "physfn"
/* Pipeline step 3: the PF found has its VFs enabled, /sys/bus/pci/devices/PF/sriov_{total,num}vfs. */
#define DPUGW_DIAG_STEP_SRIOV       "sriov"
/* Pipeline step 3: one of the PF's virtfnN links leads back to the VF. */
#define DPUGW_DIAG_STEP_VIRTFN      "virtfn"
/* Pipeline step 4: the PF's netdevs, /sys/bus/pci/devices/PF/net/. */
#define DPUGW_DIAG_STEP_PF_NETDEVS  "pf-netdevs"
/* Pipeline step 5: the gateway interface dpugw_resolve() chooses. */
#define DPUGW_DIAG_STEP_SELECTION   "selection"

/**
 * DpugwDiagStep:
 * @step: the stable id of the step, one of DPUGW_DIAG_STEP_*
 * @ok: whether the step found what it needs
 * @value: what was found ("pf0vf0", "0000:01:02.3", "8 total, 2 enabled", ...)
 * @path: what was read, with the sysfs root ("/sys/class/net/pf0vf0/device"); "" if nothing
 * @cause: failures only (%NULL otherwise): why, for this machine, quoting the
 *   library's error message where there is one
 * @fix: failures only (%NULL otherwise): what to run or configure
 *
 * Every string is valid UTF-8: untrusted input and odd sysfs contents are
 * quoted or made valid, so a step can go over D-Bus and into JSON as is.
 */
typedef struct {
  char *step;
  gboolean ok;
  char *value;
  char *path;
  char *cause;
  char *fix;
} DpugwDiagStep;

void dpugw_diag_step_free (DpugwDiagStep *step);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DpugwDiagStep, dpugw_diag_step_free)

/**
 * dpugw_diagnose:
 * @sysfs: the sysfs to read; nothing outside its root is read
 * @config: (nullable): the configuration, finished; used when @mgmt_port is empty
 * @mgmt_port: (nullable): a netdev name or a VF PCI address; %NULL or "" for the
 *   configured one (the device plugin's VF, else the netdev, falling back to
 *   ovn-k8s-mp0 as dpugw_resolve() does)
 *
 * Runs every step of the derive-from-mgmt-port pipeline and the checks of its
 * troubleshooting guide, one DpugwDiagStep each, in the order of the
 * DPUGW_DIAG_STEP_* ids, and stops at the first step that is not ok: when
 * something is broken, it is the last element.  Never fails as a function:
 * problems, malformed input included, are steps.
 *
 * Returns: (transfer full) (element-type DpugwDiagStep): at least one step.
 */
GPtrArray *dpugw_diagnose (DpugwSysfs *sysfs, const DpugwConfig *config, const char *mgmt_port);

/**
 * dpugw_diag_steps_to_variant:
 *
 * The whole result as aa{sv}: one dictionary per step with the keys
 * step s, ok b, value s, path s, and cause s, fix s on failures only.
 *
 * Returns: (transfer floating): the aa{sv}
 */
GVariant *dpugw_diag_steps_to_variant (GPtrArray *steps);

/**
 * dpugw_diag_steps_from_variant:
 * @steps: an aa{sv} as dpugw_diag_steps_to_variant() makes it
 *
 * Missing keys read as "" (as %FALSE for ok; cause and fix stay %NULL on ok
 * steps); unknown keys are ignored.
 *
 * Returns: (transfer full) (element-type DpugwDiagStep):
 */
GPtrArray *dpugw_diag_steps_from_variant (GVariant *steps);

G_END_DECLS
