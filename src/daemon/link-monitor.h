/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

typedef enum {
  DPUGW_LINK_ADDED,
  DPUGW_LINK_REMOVED,
  DPUGW_LINK_RENAMED,
  DPUGW_LINK_OPERSTATE,
  DPUGW_LINK_ADDRESSES,   /* an address or a main-table default route came or went; @ifindex 0: maybe
                           * several (a receive overrun lost some) */
  DPUGW_LINK_ALTNAME,   /* an alternative name came or went: @old_name is that altname */
} DpugwLinkEventType;

typedef struct {
  DpugwLinkEventType type;
  int ifindex;
  char *name;       /* the name now; for REMOVED, the last name; for ADDRESSES, NULL */
  char *old_name;   /* RENAMED: the name before; ALTNAME: the altname that came or went */
  guint8 operstate; /* IF_OPER_* */
} DpugwLinkEvent;

void dpugw_link_event_free (DpugwLinkEvent *event);

#define DPUGW_TYPE_LINK_MONITOR (dpugw_link_monitor_get_type ())
G_DECLARE_FINAL_TYPE (DpugwLinkMonitor, dpugw_link_monitor, DPUGW, LINK_MONITOR, GObject)

/*
 * Follows the network devices of this network namespace over rtnetlink
 * (RTNLGRP_LINK), tracking each by ifindex, and their addresses and the
 * default routes (RTNLGRP_IPV4_IFADDR, _IPV6_IFADDR, _IPV4_ROUTE, _IPV6_ROUTE).  Bursts are coalesced: the
 * "changed" signal (GPtrArray of DpugwLinkEvent, in order) fires once the
 * links have been quiet for @quiet_msec, and at the latest @max_delay_msec
 * after the first change.  A receive overrun is repaired by a fresh dump,
 * whose differences become events: no change is lost in effect.
 * @rcvbuf: the socket's receive buffer in bytes (0: 8 MiB).
 */
DpugwLinkMonitor *dpugw_link_monitor_new (guint quiet_msec, guint max_delay_msec, int rcvbuf, GError **error);

/* Starts: dumps the links (silently; before it returns, so that whatever reads the hardware
 * afterwards misses no change), then follows them. */
void dpugw_link_monitor_start (DpugwLinkMonitor *self);


G_END_DECLS
