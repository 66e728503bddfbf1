/* SPDX-License-Identifier: Apache-2.0
 *
 * The rules for PCI addresses and network device names, and the quoting of untrusted
 * text in messages.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* "DDDD:BB:DD.F": the shortest; a domain may have up to 8 digits ("10000:01:00.0", Intel VMD) */
#define DPUGW_PCI_ADDRESS_LEN 12
#define DPUGW_PCI_ADDRESS_MAX_LEN 16
/* Linux IFNAMSIZ, including the terminating NUL */
#define DPUGW_IFNAMSIZ 16

/**
 * dpugw_pci_address_normalize:
 * @text: a PCI function address, "DDDD:BB:DD.F" in hexadecimal, any case
 *
 * Validates @text (a domain of four hex digits, or five to eight without a
 * leading zero as Intel VMD's domains from 10000 are; bus 00-ff, device 00-1f,
 * function 0-7) and returns it in lower case, as the kernel names PCI functions
 * in sysfs ("%04x:%02x:%02x.%d").
 *
 * Returns: (transfer full): the normalised address, or %NULL with
 *   %DPUGW_ERROR_INVALID_ARGUMENT set.
 */
char *dpugw_pci_address_normalize (const char *text, GError **error);
gboolean dpugw_pci_address_is_valid (const char *text);

/**
 * dpugw_netdev_name_validate:
 * @name: a network interface name
 *
 * Applies the kernel's rules (dev_valid_name): 1-15 bytes, not "." or "..",
 * no '/', no ':', no whitespace; and ours: no control characters, valid
 * UTF-8 (names travel over D-Bus and JSON).
 *
 * Returns: %TRUE if valid, else %FALSE with %DPUGW_ERROR_INVALID_ARGUMENT set.
 */
gboolean dpugw_netdev_name_validate (const char *name, GError **error);
gboolean dpugw_netdev_name_is_valid (const char *name);
/* Whether the kernel allows @name (dev_valid_name): valid, or failing only our own rules
 * (control characters, UTF-8).  Such a netdev can exist; no other invalid one can. */
gboolean dpugw_netdev_name_is_kernel_valid (const char *name);

/**
 * dpugw_netdev_name_display:
 * @name: a netdev name as the kernel has it
 *
 * @name itself when dpugw_netdev_name_is_valid(); otherwise the name escaped
 * and marked, "\"eth\\377\" (invalid name: it is not valid UTF-8)": printable
 * ASCII, and never a valid name itself (it holds spaces), so that no such
 * name is dropped silently nor mistaken for another.
 */
char *dpugw_netdev_name_display (const char *name);

/*
 * A short, printable rendering of untrusted input for error messages:
 * at most 64 bytes of it, escaped like a C string, in double quotes.
 */
char *dpugw_quote_untrusted (const char *text);

G_END_DECLS
