/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The namespace of the node labels dpu-gatewayctl node-labels writes for Node Feature
 * Discovery: a sub-namespace of feature.node.kubernetes.io, which NFD allows by default. */
#define DPUGW_LABEL_PREFIX "dpu-gateway.feature.node.kubernetes.io/"

/* A Kubernetes label value made of @value: at most 63 characters of [A-Za-z0-9._-], beginning
 * and ending with a letter or digit.  Any other byte becomes '_', the ends are trimmed to a
 * letter or digit, and the whole cut to 63.  "" when nothing is left (the label is then left
 * out). */
char *dpugw_label_value (const char *value);

/* Whether @value is a valid label value ("" included). */
gboolean dpugw_label_value_is_valid (const char *value);

G_END_DECLS
