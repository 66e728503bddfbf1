/* SPDX-License-Identifier: Apache-2.0
 *
 * libdpu-gateway, all of it: derive a DPU host's gateway interface from its management port.
 */
#pragma once

#include <dpu-gateway/dpugw-error.h>
#include <dpu-gateway/dpugw-names.h>
#include <dpu-gateway/dpugw-sysfs.h>
#include <dpu-gateway/dpugw-config.h>
#include <dpu-gateway/dpugw-hostnet.h>
#include <dpu-gateway/dpugw-select.h>
#include <dpu-gateway/dpugw-resolver.h>
#include <dpu-gateway/dpugw-topology.h>
#include <dpu-gateway/dpugw-diagnose.h>
