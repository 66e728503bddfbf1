/* SPDX-License-Identifier: Apache-2.0
 *
 * The rules for PCI addresses and network device names, and the quoting of untrusted
 * text in messages.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* "DDDD:BB:DD.F" */
#define DPUGW_PCI_ADDRESS_LEN 12
/* Linux IFNAMSIZ, including the terminating NUL */
#define DPUGW_IFNAMSIZ 16

/**
 * dpugw_pci_address_normalize:
 * @text: a PCI function address, "DDDD:BB:DD.F" in hexadecimal, any case
 *
 * Validates @text (four domain digits, bus 00-ff, device 00-1f, function 0-7)
 * and returns it in lower case, as the kernel names PCI functions in sysfs.
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

/*
 * A short, printable rendering of untrusted input for error messages:
 * at most 64 bytes of it, escaped like a C string, in double quotes.
 */
char *dpugw_quote_untrusted (const char *text);

G_END_DECLS
