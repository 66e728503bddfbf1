/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <dpu-gateway/dpu-gateway.h>

#include "options.h"

#include <gio/gio.h>

G_BEGIN_DECLS

/* Exit codes, documented in dpu-gatewayctl(1). */
enum {
  CTL_EXIT_OK = 0,
  CTL_EXIT_FAILED = 1,        /* the resolution failed */
  CTL_EXIT_USAGE = 2,         /* bad usage, bad input or bad configuration */
  CTL_EXIT_UNREACHABLE = 3,   /* the service cannot be reached */
};

/* Options every command takes. */
typedef struct {
  gboolean local;
  gboolean json;
  gboolean all;
  char *sysfs_root;
  DpugwConfigOptions config;
  gboolean system;
  gboolean session;
  char *address;
} CtlOptions;

typedef int (*CtlCommandFunc) (int argc, char **argv);

/* What a command accepts besides --system, --session and --address (and its own @extra). */
typedef enum {
  CTL_ACCEPTS_BUS = 0,
  CTL_ACCEPTS_LOCAL = 1 << 0,   /* --local and --sysfs-root */
  CTL_ACCEPTS_JSON = 1 << 1,    /* --json */
  CTL_ACCEPTS_CONFIG = 1 << 2,  /* the configuration flags (with --local) */
} CtlAccepts;

int ctl_cmd_resolve (int argc, char **argv);
int ctl_cmd_topology (int argc, char **argv);
int ctl_cmd_monitor (int argc, char **argv);
int ctl_cmd_status (int argc, char **argv);
int ctl_cmd_diagnose (int argc, char **argv);
int ctl_cmd_wait (int argc, char **argv);
int ctl_cmd_node_labels (int argc, char **argv);
int ctl_cmd_refresh (int argc, char **argv);
int ctl_cmd_hooks (int argc, char **argv);

/* Parses @argv for a command with the options it @accepts (and @extra, NULL-terminated, may be
 * NULL): --help lists those and only those.  FALSE (message printed) on bad usage. */
gboolean ctl_parse_options (CtlOptions *options, const char *command, const char *parameter,
                            const char *summary, CtlAccepts accepts, const GOptionEntry *extra,
                            int *argc, char ***argv);
void ctl_options_clear (CtlOptions *options);
/* Prints "dpu-gatewayctl: MESSAGE" on stderr. */
void ctl_error (const char *format, ...) G_GNUC_PRINTF (1, 2);
/* The exit code for a library error. */
int ctl_exit_code_for_error (const GError *error);
/* For --local: the configuration (NULL @config: not wanted), its warnings printed, and the
 * sysfs; FALSE with the message printed (exit code CTL_EXIT_USAGE). */
gboolean ctl_load_local (const CtlOptions *options, DpugwConfig **config, DpugwSysfs **sysfs);

/* The service: NULL with the message printed and *exit_code set on failure. */
GDBusConnection *ctl_bus_connect (const CtlOptions *options, int *exit_code);
GVariant *ctl_bus_call (GDBusConnection *connection, const CtlOptions *options, const char *method,
                        GVariant *parameters, const GVariantType *reply_type, int *exit_code);
/* Replies turned back into the library's types; *source points into @details. */
DpugwResolution *ctl_resolution_from_variant (const char *interface, char **interfaces, GVariant *details,
                                              const char **source);
GPtrArray *ctl_topology_from_variant (GVariant *pfs);
/* ,"ovnkube-compatible":BOOL and, when false, ,"beyond-ovnkube":"REASON,..." of @r. */
void ctl_json_ovnkube_compatible (GString *out, const DpugwResolution *r);

G_END_DECLS
