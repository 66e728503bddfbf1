/* SPDX-License-Identifier: Apache-2.0
 *
 * Unit tests of the name rules: PCI addresses, network device names, the
 * quoting of untrusted input in messages, and the D-Bus names of the errors.
 */
#include <dpu-gateway/dpu-gateway.h>

#include <gio/gio.h>
#include <string.h>

/* ---------------------------------------------------------------------------
 * PCI addresses
 * ------------------------------------------------------------------------ */

/* Asserts that @text is accepted by both functions and normalises to @expected. */
static void
assert_pci_valid (const char *text, const char *expected)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *normalized = NULL;

  normalized = dpugw_pci_address_normalize (text, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (normalized, ==, expected);
  g_assert_true (dpugw_pci_address_is_valid (text));
}

/* Asserts that @text is rejected by both functions. */
static void
assert_pci_invalid (const char *text)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *normalized = NULL;

  normalized = dpugw_pci_address_normalize (text, &error);
  g_assert_error (error, DPUGW_ERROR, DPUGW_ERROR_INVALID_ARGUMENT);
  g_assert_null (normalized);
  g_assert_true (g_str_has_prefix (error->message, "invalid PCI address "));
  g_assert_false (dpugw_pci_address_is_valid (text));
}

static void
test_pci_valid_unchanged (void)
{
  assert_pci_valid ("0000:01:02.3", "0000:01:02.3");
  assert_pci_valid ("0000:00:00.0", "0000:00:00.0");
  assert_pci_valid ("0000:3b:00.2", "0000:3b:00.2");
  assert_pci_valid ("0000:ff:1f.7", "0000:ff:1f.7");
}

static void
test_pci_upper_case (void)
{
  assert_pci_valid ("0000:3B:00.2", "0000:3b:00.2");
  assert_pci_valid ("ABCD:EF:1F.7", "abcd:ef:1f.7");
  assert_pci_valid ("0000:aB:0A.1", "0000:ab:0a.1");
}

static void
test_pci_domain (void)
{
  assert_pci_valid ("0002:c1:00.0", "0002:c1:00.0");
  assert_pci_valid ("ffff:ff:1f.7", "ffff:ff:1f.7");
  assert_pci_valid ("0001:00:00.0", "0001:00:00.0");
  /* Intel VMD: domains from 10000, printed by the kernel without leading zeros. */
  assert_pci_valid ("10000:01:00.0", "10000:01:00.0");
  assert_pci_valid ("10000:00:02.0", "10000:00:02.0");
  assert_pci_valid ("1ABCD:E1:1F.7", "1abcd:e1:1f.7");
  assert_pci_valid ("ffffffff:ff:1f.7", "ffffffff:ff:1f.7");
  /* Never written by the kernel: a wide domain with a leading zero, more than 8 digits. */
  assert_pci_invalid ("00000:01:00.0");
  assert_pci_invalid ("010000:01:00.0");
  assert_pci_invalid ("100000000:01:00.0");
  assert_pci_invalid ("10000:01:20.0");
  assert_pci_invalid ("10000:1:00.0");
  assert_pci_invalid ("1000g:01:00.0");
}

static void
test_pci_function_range (void)
{
  assert_pci_valid ("0000:01:02.7", "0000:01:02.7");
  assert_pci_invalid ("0000:01:02.8");
  assert_pci_invalid ("0000:01:02.f");
}

static void
test_pci_device_range (void)
{
  assert_pci_valid ("0000:01:1f.0", "0000:01:1f.0");
  assert_pci_invalid ("0000:01:20.0");
  assert_pci_invalid ("0000:01:ff.0");
}

static void
test_pci_invalid_shapes (void)
{
  static const char *const invalid[] = {
    "",
    "00000:01:02.3",
    "0000:1:2.3",
    "01:02.3",
    "0000:01:02.3 ",
    " 0000:01:02.3",
    "0000:01:02.3\n",
    "000g:01:02.3",
    "0000-01-02.3",
    "0000:01:02:3",
    "0000:01:02.",
    "0000:01:02.34",
    "+000:01:02.3",
    "0x00:01:02.3",
    "../../../etc",
    "0000:01:02.3/../x",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (invalid); i++)
    assert_pci_invalid (invalid[i]);
}

static void
test_pci_null (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *normalized = NULL;

  normalized = dpugw_pci_address_normalize (NULL, &error);
  g_assert_error (error, DPUGW_ERROR, DPUGW_ERROR_INVALID_ARGUMENT);
  g_assert_null (normalized);
  g_assert_false (dpugw_pci_address_is_valid (NULL));
}

static void
test_pci_huge (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *normalized = NULL;
  g_autofree char *huge = g_malloc (64 * 1024 + 1);

  /* A valid address followed by 64 KiB of junk. */
  memset (huge, 'a', 64 * 1024);
  memcpy (huge, "0000:01:02.3", DPUGW_PCI_ADDRESS_LEN);
  huge[64 * 1024] = '\0';

  normalized = dpugw_pci_address_normalize (huge, &error);
  g_assert_error (error, DPUGW_ERROR, DPUGW_ERROR_INVALID_ARGUMENT);
  g_assert_null (normalized);
  /* The message shows only the start of the input. */
  g_assert_cmpuint (strlen (error->message), <, 256);
  g_assert_nonnull (strstr (error->message, "\"...: expected"));
  g_assert_false (dpugw_pci_address_is_valid (huge));
}

static void
test_pci_message (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *normalized = NULL;

  normalized = dpugw_pci_address_normalize ("0000:1:2.3", &error);
  g_assert_error (error, DPUGW_ERROR, DPUGW_ERROR_INVALID_ARGUMENT);
  g_assert_null (normalized);
  g_assert_cmpstr (error->message, ==,
                   "invalid PCI address \"0000:1:2.3\": expected DDDD:BB:DD.F "
                   "(hexadecimal; device 00-1f, function 0-7)");
}

static void
test_pci_message_escapes (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *normalized = NULL;

  normalized = dpugw_pci_address_normalize ("0000:01:02.3\n", &error);
  g_assert_error (error, DPUGW_ERROR, DPUGW_ERROR_INVALID_ARGUMENT);
  g_assert_null (normalized);
  g_assert_cmpstr (error->message, ==,
                   "invalid PCI address \"0000:01:02.3\\n\": expected DDDD:BB:DD.F "
                   "(hexadecimal; device 00-1f, function 0-7)");
}

/* ---------------------------------------------------------------------------
 * Network device names
 * ------------------------------------------------------------------------ */

static void
assert_netdev_valid (const char *name)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (dpugw_netdev_name_validate (name, &error));
  g_assert_no_error (error);
  g_assert_true (dpugw_netdev_name_is_valid (name));
}

/* Asserts that @name is rejected; returns the message for further checks. */
static char *
assert_netdev_invalid (const char *name)
{
  g_autoptr(GError) error = NULL;

  g_assert_false (dpugw_netdev_name_validate (name, &error));
  g_assert_error (error, DPUGW_ERROR, DPUGW_ERROR_INVALID_ARGUMENT);
  g_assert_true (g_str_has_prefix (error->message, "invalid network device name "));
  g_assert_false (dpugw_netdev_name_is_valid (name));
  return g_strdup (error->message);
}

static void
test_netdev_valid (void)
{
  static const char *const valid[] = {
    "eth0",
    "pf0vf0",
    "ovn-k8s-mp0",
    "enP2p193s0f0np0",
    "a",
    "ethé",
    "br-ex",
    "eth0.100",
    "p0_1",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (valid); i++)
    assert_netdev_valid (valid[i]);
}

static void
test_netdev_length (void)
{
  g_autofree char *message = NULL;
  const char *fifteen = "abcdefghijklmno";
  const char *sixteen = "abcdefghijklmnop";

  g_assert_cmpuint (strlen (fifteen), ==, DPUGW_IFNAMSIZ - 1);
  g_assert_cmpuint (strlen (sixteen), ==, DPUGW_IFNAMSIZ);

  assert_netdev_valid (fifteen);
  message = assert_netdev_invalid (sixteen);
  g_assert_cmpstr (message, ==,
                   "invalid network device name \"abcdefghijklmnop\": it is longer than 15 bytes");
}

static void
test_netdev_length_utf8 (void)
{
  g_autofree char *message = NULL;

  /* Bytes count, not characters: 7 × "é" is 14 bytes, 8 × "é" is 16. */
  assert_netdev_valid ("ééééééé");
  assert_netdev_valid ("éééééééa");
  message = assert_netdev_invalid ("éééééééé");
  g_assert_true (g_str_has_suffix (message, ": it is longer than 15 bytes"));
}

static void
test_netdev_empty (void)
{
  g_autofree char *message_empty = NULL;
  g_autofree char *message_null = NULL;

  message_empty = assert_netdev_invalid ("");
  g_assert_cmpstr (message_empty, ==, "invalid network device name \"\": it is empty");
  message_null = assert_netdev_invalid (NULL);
  g_assert_true (g_str_has_suffix (message_null, ": it is empty"));
}

static void
test_netdev_dots (void)
{
  g_autofree char *m1 = NULL;
  g_autofree char *m2 = NULL;

  m1 = assert_netdev_invalid (".");
  g_assert_true (g_str_has_suffix (m1, ": it is \".\" or \"..\""));
  m2 = assert_netdev_invalid ("..");
  g_assert_true (g_str_has_suffix (m2, ": it is \".\" or \"..\""));
  /* Dots elsewhere are fine. */
  assert_netdev_valid ("...");
  assert_netdev_valid (".a");
}

static void
test_netdev_slash (void)
{
  g_autofree char *m1 = NULL;
  g_autofree char *m2 = NULL;
  g_autofree char *m3 = NULL;

  m1 = assert_netdev_invalid ("a/b");
  g_assert_cmpstr (m1, ==, "invalid network device name \"a/b\": it contains '/'");
  m2 = assert_netdev_invalid ("../x");
  g_assert_cmpstr (m2, ==, "invalid network device name \"../x\": it contains '/'");
  m3 = assert_netdev_invalid ("/");
  g_assert_true (g_str_has_suffix (m3, ": it contains '/'"));
}

static void
test_netdev_colon (void)
{
  g_autofree char *message = NULL;

  message = assert_netdev_invalid ("a:b");
  g_assert_cmpstr (message, ==, "invalid network device name \"a:b\": it contains ':'");
}

static void
test_netdev_whitespace (void)
{
  static const char *const names[] = { "a b", "a\tb", "a\nb", " a", "a ", "a\rb", "a\fb" };
  g_autofree char *vtab = NULL;

  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *message = assert_netdev_invalid (names[i]);
      g_assert_true (g_str_has_suffix (message, ": it contains whitespace"));
    }
  /* The kernel's isspace() includes '\v'; rejected (as a control character, too). */
  vtab = assert_netdev_invalid ("a\vb");
}

/* The kernel's isspace() is Latin-1's: byte 0xa0 is whitespace, even inside UTF-8 ("à", U+00A0). */
static void
test_netdev_latin1_space (void)
{
  static const char *const names[] = { "a\xc2\xa0" "b", "eth\xc3\xa0" };

  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *message = assert_netdev_invalid (names[i]);
      g_assert_true (g_str_has_suffix (message, ": it contains whitespace"));
    }
}

static void
test_netdev_control (void)
{
  static const char *const names[] = { "\x01x", "a\x7f", "a\x1b[0m", "\x1f" };

  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *message = assert_netdev_invalid (names[i]);
      g_assert_true (g_str_has_suffix (message, ": it contains a control character"));
    }
}

static void
test_netdev_invalid_utf8 (void)
{
  static const char *const names[] = { "\xff\xfe", "eth\xc3", "\xc3\x28", "a\xed\xbf\xbf" };

  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *message = assert_netdev_invalid (names[i]);
      g_assert_true (g_str_has_suffix (message, ": it is not valid UTF-8"));
    }
}

static void
test_netdev_message_printable (void)
{
  g_autofree char *message = NULL;

  /* Untrusted bytes never reach the message raw. */
  message = assert_netdev_invalid ("\x01\xff\n");
  for (const char *p = message; *p != '\0'; p++)
    g_assert_true (g_ascii_isprint (*p));
}

/* ---------------------------------------------------------------------------
 * Quoting untrusted input
 * ------------------------------------------------------------------------ */

static void
assert_printable_ascii (const char *s)
{
  for (const char *p = s; *p != '\0'; p++)
    {
      if (!g_ascii_isprint (*p))
        g_test_message ("byte 0x%02x at offset %" G_GSIZE_FORMAT " is not printable ASCII",
                        (guchar) *p, (gsize) (p - s));
      g_assert_true (g_ascii_isprint (*p));
    }
}

static void
test_quote_plain (void)
{
  g_autofree char *q1 = dpugw_quote_untrusted ("eth0");
  g_autofree char *q2 = dpugw_quote_untrusted ("");

  g_assert_cmpstr (q1, ==, "\"eth0\"");
  g_assert_cmpstr (q2, ==, "\"\"");
}

static void
test_quote_null (void)
{
  g_autofree char *q = dpugw_quote_untrusted (NULL);

  g_assert_cmpstr (q, ==, "(null)");
}

static void
test_quote_control (void)
{
  g_autofree char *q1 = dpugw_quote_untrusted ("a\nb\tc\x01\x1b\x7f");
  g_autofree char *q2 = dpugw_quote_untrusted ("say \"hi\" \\o/");

  assert_printable_ascii (q1);
  g_assert_null (strchr (q1, '\n'));
  g_assert_true (g_str_has_prefix (q1, "\"a\\nb\\tc"));
  g_assert_true (g_str_has_suffix (q1, "\""));

  /* Quotes and backslashes inside are escaped, so the quoting is unambiguous. */
  assert_printable_ascii (q2);
  g_assert_cmpstr (q2, ==, "\"say \\\"hi\\\" \\\\o/\"");
}

static void
test_quote_non_ascii (void)
{
  g_autofree char *q1 = dpugw_quote_untrusted ("ethé");
  g_autofree char *q2 = dpugw_quote_untrusted ("\xff\xfe\x80");
  g_autofree char *q3 = dpugw_quote_untrusted ("\xe2\x80\xae" "evil");  /* RIGHT-TO-LEFT OVERRIDE */

  assert_printable_ascii (q1);
  assert_printable_ascii (q2);
  assert_printable_ascii (q3);
  g_assert_true (g_str_has_prefix (q1, "\"eth"));
  g_assert_true (g_str_has_suffix (q3, "evil\""));
}

static void
test_quote_cut (void)
{
  char exactly[65];
  char longer[66];
  g_autofree char *huge = g_malloc (64 * 1024 + 1);
  g_autofree char *q_exact = NULL;
  g_autofree char *q_long = NULL;
  g_autofree char *q_huge = NULL;
  g_autofree char *expected_shown = NULL;

  memset (exactly, 'x', 64);
  exactly[64] = '\0';
  memset (longer, 'x', 65);
  longer[65] = '\0';
  memset (huge, 'y', 64 * 1024);
  huge[64 * 1024] = '\0';

  /* 64 bytes are shown whole, without "...". */
  q_exact = dpugw_quote_untrusted (exactly);
  g_assert_cmpuint (strlen (q_exact), ==, 64 + 2);
  g_assert_true (g_str_has_prefix (q_exact, "\"xxxx"));
  g_assert_true (g_str_has_suffix (q_exact, "x\""));

  /* One byte more: the first 64 and "...". */
  q_long = dpugw_quote_untrusted (longer);
  expected_shown = g_strdup_printf ("\"%s\"...", exactly);
  g_assert_cmpstr (q_long, ==, expected_shown);

  q_huge = dpugw_quote_untrusted (huge);
  g_assert_cmpuint (strlen (q_huge), ==, 64 + 2 + 3);
  g_assert_true (g_str_has_suffix (q_huge, "\"..."));
}

static void
test_quote_cut_escaped (void)
{
  char controls[101];
  g_autofree char *q = NULL;

  /* 100 control bytes: at most 64 shown, each escaped; still printable. */
  memset (controls, '\x01', 100);
  controls[100] = '\0';
  q = dpugw_quote_untrusted (controls);
  assert_printable_ascii (q);
  g_assert_true (g_str_has_suffix (q, "\"..."));
  /* Each byte becomes "\001", four characters. */
  g_assert_cmpuint (strlen (q), ==, 64 * 4 + 2 + 3);
}

/* ---------------------------------------------------------------------------
 * D-Bus error names
 * ------------------------------------------------------------------------ */

/* The names of the D-Bus API (docs/dbus-api.md). */
static const struct {
  DpugwError code;
  const char *name;
} dbus_errors[] = {
  { DPUGW_ERROR_INVALID_ARGUMENT, "org.ovnk.DpuGateway.Error.InvalidArgument" },
  { DPUGW_ERROR_INVALID_CONFIG, "org.ovnk.DpuGateway.Error.InvalidConfig" },
  { DPUGW_ERROR_NOT_CONFIGURED, "org.ovnk.DpuGateway.Error.NotConfigured" },
  { DPUGW_ERROR_PCI_ADDRESS, "org.ovnk.DpuGateway.Error.PciAddress" },
  { DPUGW_ERROR_PF_PCI_ADDRESS, "org.ovnk.DpuGateway.Error.PfPciAddress" },
  { DPUGW_ERROR_NETDEV_DISCOVERY, "org.ovnk.DpuGateway.Error.NetdevDiscovery" },
  { DPUGW_ERROR_NO_NETDEVS, "org.ovnk.DpuGateway.Error.NoNetdevs" },
  { DPUGW_ERROR_NO_MATCH, "org.ovnk.DpuGateway.Error.NoMatch" },
  { DPUGW_ERROR_HOST_NETWORK, "org.ovnk.DpuGateway.Error.HostNetwork" },
};

/* Nothing registers the names here: the error domain does, so every code maps to its D-Bus
 * name and back. */
static void
test_dbus_error_names (void)
{
  GQuark domain = DPUGW_ERROR;

  g_assert_cmpuint (G_N_ELEMENTS (dbus_errors), ==, DPUGW_ERROR_N_CODES);
  for (gsize i = 0; i < G_N_ELEMENTS (dbus_errors); i++)
    {
      g_autoptr(GError) error = g_error_new_literal (domain, dbus_errors[i].code, "the cause");
      g_autofree char *name = g_dbus_error_encode_gerror (error);
      g_autofree char *expected = g_strconcat (DPUGW_DBUS_ERROR_PREFIX,
                                               dpugw_error_code_to_name (dbus_errors[i].code), NULL);
      g_autoptr(GError) back = g_dbus_error_new_for_dbus_error (dbus_errors[i].name, "the cause");

      g_assert_cmpstr (name, ==, dbus_errors[i].name);
      g_assert_cmpstr (expected, ==, dbus_errors[i].name);
      g_assert_error (back, DPUGW_ERROR, (gint) dbus_errors[i].code);
      g_assert_true (g_dbus_error_strip_remote_error (back));
      g_assert_cmpstr (back->message, ==, "the cause");
    }
  g_assert_cmpstr (dpugw_error_code_to_name (DPUGW_ERROR_N_CODES), ==, "Failed");
}

/* Run first, before anything names DPUGW_ERROR: a client decodes the service's error
 * reply before it names the domain (dpu-gatewayctl does), and still gets DPUGW_ERROR. */
static void
test_dbus_error_decode_first (void)
{
  g_autoptr(GError) error = g_dbus_error_new_for_dbus_error ("org.ovnk.DpuGateway.Error.NoNetdevs", "the cause");

  g_assert_error (error, DPUGW_ERROR, DPUGW_ERROR_NO_NETDEVS);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  /* First: see its comment. */
  g_test_add_func ("/names/dbus-error/decode-first", test_dbus_error_decode_first);

  g_test_add_func ("/names/pci/valid-unchanged", test_pci_valid_unchanged);
  g_test_add_func ("/names/pci/upper-case", test_pci_upper_case);
  g_test_add_func ("/names/pci/domain", test_pci_domain);
  g_test_add_func ("/names/pci/function-range", test_pci_function_range);
  g_test_add_func ("/names/pci/device-range", test_pci_device_range);
  g_test_add_func ("/names/pci/invalid-shapes", test_pci_invalid_shapes);
  g_test_add_func ("/names/pci/null", test_pci_null);
  g_test_add_func ("/names/pci/huge", test_pci_huge);
  g_test_add_func ("/names/pci/message", test_pci_message);
  g_test_add_func ("/names/pci/message-escapes", test_pci_message_escapes);

  g_test_add_func ("/names/netdev/valid", test_netdev_valid);
  g_test_add_func ("/names/netdev/length", test_netdev_length);
  g_test_add_func ("/names/netdev/length-utf8", test_netdev_length_utf8);
  g_test_add_func ("/names/netdev/empty", test_netdev_empty);
  g_test_add_func ("/names/netdev/dots", test_netdev_dots);
  g_test_add_func ("/names/netdev/slash", test_netdev_slash);
  g_test_add_func ("/names/netdev/colon", test_netdev_colon);
  g_test_add_func ("/names/netdev/whitespace", test_netdev_whitespace);
  g_test_add_func ("/names/netdev/control", test_netdev_control);
  g_test_add_func ("/names/netdev/latin1-space", test_netdev_latin1_space);
  g_test_add_func ("/names/netdev/invalid-utf8", test_netdev_invalid_utf8);
  g_test_add_func ("/names/netdev/message-printable", test_netdev_message_printable);

  g_test_add_func ("/names/quote/plain", test_quote_plain);
  g_test_add_func ("/names/quote/null", test_quote_null);
  g_test_add_func ("/names/quote/control", test_quote_control);
  g_test_add_func ("/names/quote/non-ascii", test_quote_non_ascii);
  g_test_add_func ("/names/quote/cut", test_quote_cut);
  g_test_add_func ("/names/quote/cut-escaped", test_quote_cut_escaped);

  g_test_add_func ("/names/dbus-error/round-trip", test_dbus_error_names);

  return g_test_run ();
}
