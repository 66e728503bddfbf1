/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* libdpu-gateway: derive a DPU host's gateway interface from its management port. */

#include <dpu-gateway/dpugw-error.h>
#include <dpu-gateway/dpugw-names.h>
#include <dpu-gateway/dpugw-sysfs.h>
#include <dpu-gateway/dpugw-config.h>
#include <dpu-gateway/dpugw-select.h>
#include <dpu-gateway/dpugw-resolver.h>
#include <dpu-gateway/dpugw-topology.h>
#include <dpu-gateway/dpugw-diagnose.h>
