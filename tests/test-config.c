/* SPDX-License-Identifier: Apache-2.0
 *
 * Unit tests of the configuration: ovnkube INI files, environment, flags,
 * their precedence, validation and the device plugin's variable.
 */
#include "testlib.h"

#include <glib/gstdio.h>
#include <string.h>

#define ORIGIN "test.conf"

/* The example of OVN-Kubernetes' feature documentation. */
#define FEATURE_DOC_CONF \
  "[OvnKubeNode]\n" \
  "mode=dpu-host\n" \
  "mgmt-port-netdev=pf0vf0\n" \
  "\n" \
  "[Gateway]\n" \
  "interface=derive-from-mgmt-port\n"

/* ---------------------------------------------------------------------------
 * Helpers
 * ------------------------------------------------------------------------ */

/* Parses @data (NUL-terminated) into a fresh configuration; asserts success. */
static DpugwConfig *
load_ini (const char *data)
{
  g_autoptr(DpugwConfig) config = dpugw_config_new ();
  g_autoptr(GError) error = NULL;

  g_assert_true (dpugw_config_load_data (config, data, strlen (data), ORIGIN, &error));
  g_assert_no_error (error);
  return g_steal_pointer (&config);
}

/* Parses @data of @length bytes; asserts failure and returns the message. */
static char *
load_ini_error_len (const char *data, gsize length)
{
  g_autoptr(DpugwConfig) config = dpugw_config_new ();
  g_autoptr(GError) error = NULL;

  g_assert_false (dpugw_config_load_data (config, data, length, ORIGIN, &error));
  g_assert_error (error, DPUGW_ERROR, DPUGW_ERROR_INVALID_CONFIG);
  return g_strdup (error->message);
}

static char *
load_ini_error (const char *data)
{
  return load_ini_error_len (data, strlen (data));
}

/* A path in the temporary directory where no file exists. */
static char *
missing_file_path (void)
{
  g_autofree char *path = dpugw_test_temp_file ("");

  g_assert_cmpint (g_unlink (path), ==, 0);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  return g_steal_pointer (&path);
}

static void
remove_file (const char *path)
{
  g_assert_cmpint (g_unlink (path), ==, 0);
}

static void
assert_contains (const char *haystack, const char *needle)
{
  if (strstr (haystack, needle) == NULL)
    g_test_message ("\"%s\" does not contain \"%s\"", haystack, needle);
  g_assert_nonnull (strstr (haystack, needle));
}

/* ---------------------------------------------------------------------------
 * INI files
 * ------------------------------------------------------------------------ */

static void
test_ini_feature_doc (void)
{
  g_autoptr(DpugwConfig) config = load_ini (FEATURE_DOC_CONF);

  g_assert_cmpint (config->mode, ==, DPUGW_NODE_MODE_DPU_HOST);
  g_assert_cmpstr (config->mgmt_port_netdev, ==, "pf0vf0");
  g_assert_cmpstr (config->gateway_interface, ==, DPUGW_DERIVE_FROM_MGMT_PORT);
  g_assert_cmpstr (config->gateway_interface, ==, "derive-from-mgmt-port");
  g_assert_null (config->mgmt_port_dp_resource_name);
  /* load_data reads no file. */
  g_assert_null (config->config_file);
}

static void
test_ini_empty (void)
{
  g_autoptr(DpugwConfig) config1 = load_ini ("");
  g_autoptr(DpugwConfig) config2 = load_ini ("\n\n# nothing here\n; nor here\n");

  g_assert_cmpint (config1->mode, ==, DPUGW_NODE_MODE_FULL);
  g_assert_null (config1->mgmt_port_netdev);
  g_assert_null (config1->gateway_interface);
  g_assert_cmpint (config2->mode, ==, DPUGW_NODE_MODE_FULL);
  g_assert_null (config2->mgmt_port_netdev);
}

static void
test_ini_case_insensitive (void)
{
  g_autoptr(DpugwConfig) config1 = load_ini ("[ovnkubenode]\n"
                                             "Mode=dpu-host\n"
                                             "Mgmt-Port-Netdev=pf0vf1\n"
                                             "MGMT-PORT-DP-RESOURCE-NAME=nvidia.com/mgmt_vf\n"
                                             "[GATEWAY]\n"
                                             "Interface=derive-from-mgmt-port\n");
  g_autoptr(DpugwConfig) config2 = load_ini ("[OVNKUBENODE]\n"
                                             "MODE=dpu\n"
                                             "[gAtEwAy]\n"
                                             "INTERFACE=eth3\n");

  g_assert_cmpint (config1->mode, ==, DPUGW_NODE_MODE_DPU_HOST);
  g_assert_cmpstr (config1->mgmt_port_netdev, ==, "pf0vf1");
  g_assert_cmpstr (config1->mgmt_port_dp_resource_name, ==, "nvidia.com/mgmt_vf");
  g_assert_cmpstr (config1->gateway_interface, ==, DPUGW_DERIVE_FROM_MGMT_PORT);

  g_assert_cmpint (config2->mode, ==, DPUGW_NODE_MODE_DPU);
  g_assert_cmpstr (config2->gateway_interface, ==, "eth3");
}

static void
test_ini_values_case_sensitive (void)
{
  g_autofree char *message = NULL;

  /* Names are case-insensitive, values are not: ovnkube knows "dpu-host" only. */
  message = load_ini_error ("[OvnKubeNode]\nmode=DPU-HOST\n");
  g_assert_true (g_str_has_prefix (message, "invalid node mode \"DPU-HOST\""));
}

static void
test_ini_full_ovnkube_file (void)
{
  g_autoptr(DpugwConfig) config = NULL;
  const char *conf =
    "# ovnkube.conf, as rendered by the cluster network operator\n"
    "[default]\n"
    "mtu=1400\n"
    "cluster-subnets=\"10.128.0.0/14/23\"\n"
    "encap-type=geneve\n"
    "encap-port=6081\n"
    "enable-lflow-cache=true\n"
    "lflow-cache-limit-kb=1048576\n"
    "zone=global\n"
    "\n"
    "[kubernetes]\n"
    "service-cidrs=\"172.30.0.0/16\"\n"
    "ovn-config-namespace=\"openshift-ovn-kubernetes\"\n"
    "apiserver=\"https://api-int.cluster.example.com:6443\"\n"
    "host-network-namespace=\"openshift-host-network\"\n"
    "platform-type=\"BareMetal\"\n"
    "healthz-bind-address=\"0.0.0.0:10256\"\n"
    "dns-service-namespace=\"openshift-dns\"\n"
    "dns-service-name=\"dns-default\"\n"
    "no-hostsubnet-nodes=\"kubernetes.io/os=windows\"\n"
    "\n"
    "[ovnkubernetesfeature]\n"
    "enable-egress-ip=true\n"
    "enable-egress-firewall=true\n"
    "enable-egress-qos=true\n"
    "enable-multi-network=true\n"
    "egressip-node-healthcheck-port=9107\n"
    "\n"
    "[gateway]\n"
    "mode=local\n"
    "nodeport=true\n"
    "v4-join-subnet=\"100.64.0.0/16\"\n"
    "v4-masquerade-subnet=\"169.254.169.0/29\"\n"
    "interface=derive-from-mgmt-port\n"
    "\n"
    "[logging]\n"
    "libovsdblogfile=/var/log/ovnkube/libovsdb.log\n"
    "logfile-maxsize=100\n"
    "logfile-maxbackups=5\n"
    "logfile-maxage=0\n"
    "loglevel=4\n"
    "\n"
    "[ovnkubenode]\n"
    "mode=dpu-host\n"
    "mgmt-port-netdev=enP2p193s0f0v0\n"
    "\n"
    "[masterha]\n"
    "election-lease-duration=137\n"
    "election-renew-deadline=107\n"
    "election-retry-period=26\n"
    "\n"
    "[hybridoverlay]\n"
    "enabled=false\n"
    "\n"
    "[clustermgrha]\n"
    "election-lease-duration=137\n";

  config = load_ini (conf);
  /* [gateway] mode=local is the gateway mode, not ours. */
  g_assert_cmpint (config->mode, ==, DPUGW_NODE_MODE_DPU_HOST);
  g_assert_cmpstr (config->mgmt_port_netdev, ==, "enP2p193s0f0v0");
  g_assert_cmpstr (config->gateway_interface, ==, DPUGW_DERIVE_FROM_MGMT_PORT);
  g_assert_null (config->mgmt_port_dp_resource_name);
}

static void
test_ini_gateway_mode_not_ours (void)
{
  /* [gateway] mode comes after [ovnkubenode] mode and must not replace it. */
  g_autoptr(DpugwConfig) config = load_ini ("[ovnkubenode]\n"
                                            "mode=dpu-host\n"
                                            "[gateway]\n"
                                            "mode=shared\n");

  g_assert_cmpint (config->mode, ==, DPUGW_NODE_MODE_DPU_HOST);
  g_assert_null (config->gateway_interface);
}

static void
test_ini_section_matters (void)
{
  /* Our key names in other sections are not ours. */
  g_autoptr(DpugwConfig) config = load_ini ("[default]\n"
                                            "mode=dpu\n"
                                            "mgmt-port-netdev=wrong0\n"
                                            "interface=wrong1\n"
                                            "[ovnkubenode]\n"
                                            "interface=wrong2\n"
                                            "[kubernetes]\n"
                                            "mgmt-port-netdev=wrong3\n"
                                            "mgmt-port-dp-resource-name=wrong.com/x\n");

  g_assert_cmpint (config->mode, ==, DPUGW_NODE_MODE_FULL);
  g_assert_null (config->mgmt_port_netdev);
  g_assert_null (config->gateway_interface);
  g_assert_null (config->mgmt_port_dp_resource_name);
}

static void
test_ini_unknown_values_not_validated (void)
{
  /* Values of keys that are not ours are not checked against our rules. */
  g_autoptr(DpugwConfig) config = load_ini ("[gateway]\n"
                                            "mode=anything goes/../here\n"
                                            "[ovnkubenode]\n"
                                            "disable-ovn-iface-id-ver=x y z\n"
                                            "mode=dpu\n");

  g_assert_cmpint (config->mode, ==, DPUGW_NODE_MODE_DPU);
}

static void
test_ini_comments (void)
{
  g_autoptr(DpugwConfig) config = load_ini ("# whole-line comment\n"
                                            "; another whole-line comment\n"
                                            "   # indented comment\n"
                                            "[OvnKubeNode] # trailing comment on a header\n"
                                            "mode=dpu-host # trailing comment\n"
                                            "mgmt-port-netdev=pf0vf2;trailing comment\n"
                                            "#mgmt-port-netdev=commented0\n"
                                            ";mode=full\n"
                                            "[Gateway] ; comment\n"
                                            "interface = eth7\t# comment after a tab\n");

  g_assert_cmpint (config->mode, ==, DPUGW_NODE_MODE_DPU_HOST);
  g_assert_cmpstr (config->mgmt_port_netdev, ==, "pf0vf2");
  g_assert_cmpstr (config->gateway_interface, ==, "eth7");
}

static void
test_ini_whitespace_around_equals (void)
{
  g_autoptr(DpugwConfig) config = load_ini ("  [OvnKubeNode]  \n"
                                            "mode = dpu-host\n"
                                            "\tmgmt-port-netdev\t=\tpf0vf3\t \n"
                                            "mgmt-port-dp-resource-name   =nvidia.com/mgmt_vf   \n"
                                            "[Gateway]\n"
                                            "interface=   derive-from-mgmt-port\n");

  g_assert_cmpint (config->mode, ==, DPUGW_NODE_MODE_DPU_HOST);
  g_assert_cmpstr (config->mgmt_port_netdev, ==, "pf0vf3");
  g_assert_cmpstr (config->mgmt_port_dp_resource_name, ==, "nvidia.com/mgmt_vf");
  g_assert_cmpstr (config->gateway_interface, ==, DPUGW_DERIVE_FROM_MGMT_PORT);
}

static void
test_ini_quoted (void)
{
  g_autoptr(DpugwConfig) config = load_ini ("[OvnKubeNode]\n"
                                            "mode = \"dpu-host\"\n"
                                            "mgmt-port-netdev = \"pf0vf0\"\n"
                                            "[Gateway]\n"
                                            "interface = \"derive-from-mgmt-port\" # comment\n");

  g_assert_cmpint (config->mode, ==, DPUGW_NODE_MODE_DPU_HOST);
  g_assert_cmpstr (config->mgmt_port_netdev, ==, "pf0vf0");
  g_assert_cmpstr (config->gateway_interface, ==, DPUGW_DERIVE_FROM_MGMT_PORT);
}

static void
test_ini_quoted_comment_chars (void)
{
  /* '#' and ';' inside quotes are part of the value. */
  g_autoptr(DpugwConfig) config1 = load_ini ("[OvnKubeNode]\nmgmt-port-netdev = \"pf#0\" # comment\n");
  g_autoptr(DpugwConfig) config2 = load_ini ("[OvnKubeNode]\nmgmt-port-netdev = \"pf;0\";comment\n");

  g_assert_cmpstr (config1->mgmt_port_netdev, ==, "pf#0");
  g_assert_cmpstr (config2->mgmt_port_netdev, ==, "pf;0");
}

static void
test_ini_quoted_partial (void)
{
  /* git-config syntax: quotes may cover part of a value. */
  g_autoptr(DpugwConfig) config = load_ini ("[OvnKubeNode]\nmgmt-port-netdev = pf0\"vf\"9\n");

  g_assert_cmpstr (config->mgmt_port_netdev, ==, "pf0vf9");
}

static void
test_ini_escapes (void)
{
  g_autoptr(DpugwConfig) config1 = load_ini ("[OvnKubeNode]\nmgmt-port-netdev = \"pf\\\"0\"\n");
  g_autoptr(DpugwConfig) config2 = load_ini ("[OvnKubeNode]\nmgmt-port-netdev = \"pf\\\\0\"\n");
  g_autofree char *tab = NULL;
  g_autofree char *newline = NULL;

  /* \" and \\ give the character itself. */
  g_assert_cmpstr (config1->mgmt_port_netdev, ==, "pf\"0");
  g_assert_cmpstr (config2->mgmt_port_netdev, ==, "pf\\0");

  /* \t and \n give a tab and a newline, which a netdev name may not contain. */
  tab = load_ini_error ("[OvnKubeNode]\nmgmt-port-netdev = \"pf\\t0\"\n");
  g_assert_cmpstr (tab, ==,
                   "invalid management port netdev (from " ORIGIN ":2): "
                   "invalid network device name \"pf\\t0\": it contains whitespace");
  newline = load_ini_error ("[OvnKubeNode]\nmgmt-port-netdev = \"pf\\n0\"\n");
  g_assert_cmpstr (newline, ==,
                   "invalid management port netdev (from " ORIGIN ":2): "
                   "invalid network device name \"pf\\n0\": it contains whitespace");
}

static void
test_ini_quoted_spaces_kept (void)
{
  g_autofree char *inner = NULL;
  g_autofree char *leading = NULL;
  g_autofree char *trailing = NULL;

  /* Blanks inside quotes are part of the value (and then invalid in a netdev name). */
  inner = load_ini_error ("[OvnKubeNode]\nmgmt-port-netdev = \"pf0 vf0\"\n");
  g_assert_cmpstr (inner, ==,
                   "invalid management port netdev (from " ORIGIN ":2): "
                   "invalid network device name \"pf0 vf0\": it contains whitespace");
  leading = load_ini_error ("[OvnKubeNode]\nmgmt-port-netdev = \" pf0\"\n");
  g_assert_cmpstr (leading, ==,
                   "invalid management port netdev (from " ORIGIN ":2): "
                   "invalid network device name \" pf0\": it contains whitespace");
  trailing = load_ini_error ("[OvnKubeNode]\nmgmt-port-netdev = \"pf0 \"   \n");
  g_assert_cmpstr (trailing, ==,
                   "invalid management port netdev (from " ORIGIN ":2): "
                   "invalid network device name \"pf0 \": it contains whitespace");
}

static void
test_ini_unquoted_inner_spaces (void)
{
  g_autofree char *message = NULL;

  /* Unquoted blanks between words are kept; only the ends are trimmed. */
  message = load_ini_error ("[OvnKubeNode]\nmgmt-port-netdev =  pf0  vf0  \n");
  g_assert_cmpstr (message, ==,
                   "invalid management port netdev (from " ORIGIN ":2): "
                   "invalid network device name \"pf0  vf0\": it contains whitespace");
}

static void
test_ini_subsection (void)
{
  g_autoptr(DpugwConfig) config = load_ini ("[kubernetes \"extra\"]\n"
                                            "mode=not-ours\n"
                                            "[default \"a b\"]\n"
                                            "mtu=9000\n"
                                            "[OvnKubeNode]\n"
                                            "mode=dpu-host\n"
                                            "[Gateway]\n"
                                            "interface=derive-from-mgmt-port\n");

  g_assert_cmpint (config->mode, ==, DPUGW_NODE_MODE_DPU_HOST);
  g_assert_cmpstr (config->gateway_interface, ==, DPUGW_DERIVE_FROM_MGMT_PORT);
}

static void
test_ini_crlf (void)
{
  g_autoptr(DpugwConfig) config1 = load_ini ("[OvnKubeNode]\r\n"
                                             "mode=dpu-host\r\n"
                                             "mgmt-port-netdev=pf0vf0\r\n"
                                             "\r\n"
                                             "[Gateway]\r\n"
                                             "interface=derive-from-mgmt-port\r\n");
  g_autoptr(DpugwConfig) config2 = load_ini ("# comment\r\n"
                                             "[kubernetes \"sub\"]\r\n"
                                             "apiserver=\"https://api:6443\"\r\n"
                                             "[OvnKubeNode] ; header comment\r\n"
                                             "mode = \"dpu-host\"\r\n"
                                             "mgmt-port-netdev = pf0vf1 # comment\r\n"
                                             "mgmt-port-dp-resource-name = nvidia.com/mgmt_vf\r\n"
                                             "[Gateway]\r\n"
                                             "interface = \"derive-from-mgmt-port\"\r\n"
                                             "nodeport\r\n");
  g_autofree char *message = NULL;

  g_assert_cmpint (config1->mode, ==, DPUGW_NODE_MODE_DPU_HOST);
  g_assert_cmpstr (config1->mgmt_port_netdev, ==, "pf0vf0");
  g_assert_cmpstr (config1->gateway_interface, ==, DPUGW_DERIVE_FROM_MGMT_PORT);

  g_assert_cmpint (config2->mode, ==, DPUGW_NODE_MODE_DPU_HOST);
  g_assert_cmpstr (config2->mgmt_port_netdev, ==, "pf0vf1");
  g_assert_cmpstr (config2->mgmt_port_dp_resource_name, ==, "nvidia.com/mgmt_vf");
  g_assert_cmpstr (config2->gateway_interface, ==, DPUGW_DERIVE_FROM_MGMT_PORT);

  /* Line numbers count CRLF lines like LF lines. */
  message = load_ini_error ("[OvnKubeNode]\r\n\r\nmode=bogus\r\n");
  g_assert_cmpstr (message, ==,
                   "invalid node mode \"bogus\" (from " ORIGIN ":3): expected full, dpu or dpu-host");
}

static void
test_ini_no_final_newline (void)
{
  g_autoptr(DpugwConfig) config = load_ini ("[OvnKubeNode]\nmgmt-port-netdev=pf0vf5");

  g_assert_cmpstr (config->mgmt_port_netdev, ==, "pf0vf5");
}

static void
test_ini_boolean_key (void)
{
  /* A key without '=' is a boolean "true" (gcfg); it is not an error. */
  g_autoptr(DpugwConfig) config = load_ini ("[gateway]\n"
                                            "nodeport\n"
                                            "disable-snat-multiple-gws # comment\n"
                                            "[OvnKubeNode]\n"
                                            "mode=dpu\n");

  g_assert_cmpint (config->mode, ==, DPUGW_NODE_MODE_DPU);
}

static void
test_ini_empty_value_unset (void)
{
  g_autoptr(DpugwConfig) config = load_ini ("[OvnKubeNode]\n"
                                            "mgmt-port-netdev=\"\"\n"
                                            "mgmt-port-dp-resource-name=\n"
                                            "[Gateway]\n"
                                            "interface= # nothing\n");
  g_autofree char *message = NULL;

  g_assert_cmpint (config->mode, ==, DPUGW_NODE_MODE_FULL);
  g_assert_null (config->mgmt_port_netdev);
  g_assert_null (config->mgmt_port_dp_resource_name);
  g_assert_null (config->gateway_interface);

  /* ovnkube keeps an empty mode (it is not the default, "full") and refuses it. */
  message = load_ini_error ("[OvnKubeNode]\nmode=\n");
  g_assert_cmpstr (message, ==, "invalid node mode \"\" (from " ORIGIN ":2): expected full, dpu or dpu-host");
}

/* gcfg: the last assignment wins, even an empty one, which is the default again. */
static void
test_ini_empty_after_value (void)
{
  g_autoptr(DpugwConfig) config = load_ini ("[OvnKubeNode]\n"
                                            "mgmt-port-netdev=pf0vf0\n"
                                            "mgmt-port-dp-resource-name=nvidia.com/mgmt_vf\n"
                                            "mgmt-port-netdev=\n"
                                            "[Gateway]\n"
                                            "interface=eth0\n"
                                            "[OvnKubeNode]\n"
                                            "mgmt-port-dp-resource-name=  ; gone\n"
                                            "[Gateway]\n"
                                            "interface=\"\"\n");
  g_autofree char *message = NULL;

  g_assert_null (config->mgmt_port_netdev);
  g_assert_null (config->mgmt_port_netdev_origin);
  g_assert_null (config->mgmt_port_dp_resource_name);
  g_assert_null (config->gateway_interface);
  g_assert_cmpuint (config->load_warnings->len, ==, 0);

  /* An empty mode after a valid one is the empty mode. */
  message = load_ini_error ("[OvnKubeNode]\nmode=dpu-host\nmode=\n");
  g_assert_cmpstr (message, ==, "invalid node mode \"\" (from " ORIGIN ":3): expected full, dpu or dpu-host");
}

static void
test_ini_last_value_wins (void)
{
  g_autoptr(DpugwConfig) config = load_ini ("[OvnKubeNode]\n"
                                            "mode=dpu\n"
                                            "mgmt-port-netdev=first0\n"
                                            "[Gateway]\n"
                                            "interface=eth0\n"
                                            "[OvnKubeNode]\n"
                                            "mode=dpu-host\n"
                                            "mgmt-port-netdev=second0\n");

  g_assert_cmpint (config->mode, ==, DPUGW_NODE_MODE_DPU_HOST);
  g_assert_cmpstr (config->mgmt_port_netdev, ==, "second0");
  g_assert_cmpstr (config->gateway_interface, ==, "eth0");
}

static void
test_ini_error_key_outside_section (void)
{
  g_autofree char *message = load_ini_error ("mode=dpu-host\n[OvnKubeNode]\n");

  g_assert_cmpstr (message, ==, ORIGIN ":1:1: expected section header");
}

static void
test_ini_error_unterminated_quote (void)
{
  g_autofree char *message = load_ini_error ("[OvnKubeNode]\n"
                                             "mode=dpu-host\n"
                                             "mgmt-port-netdev=\"pf0vf0\n"
                                             "[Gateway]\n");

  /* The column is the value's first character, as gcfg says. */
  g_assert_cmpstr (message, ==, ORIGIN ":3:18: string not terminated");
}

static void
test_ini_error_section_without_bracket (void)
{
  g_autofree char *message = load_ini_error ("# comment\n\n[OvnKubeNode\nmode=dpu-host\n");

  g_assert_cmpstr (message, ==, ORIGIN ":3:13: expected subsection name or right bracket");
}

static void
test_ini_error_other_syntax (void)
{
  static const struct {
    const char *data;
    const char *message;
  } cases[] = {
    /* GCFG.md section 4, with gcfg's messages and positions. */
    { "[Gateway]x\n", ORIGIN ":1:10: expected EOL, EOF, or comment" },
    { "[section] junk\n", ORIGIN ":1:11: expected EOL, EOF, or comment" },
    { "[a]\nk v\n", ORIGIN ":2:3: expected '='" },
    { "[section]\nname value\n", ORIGIN ":2:6: expected '='" },
    { "[a]\n\n\n1k=v\n", ORIGIN ":4:1: illegal character U+0031 '1'" },
    { "[a]\n=v\n", ORIGIN ":2:1: expected section header or variable declaration" },
    { "=v\n", ORIGIN ":1:1: expected section header" },
    { "[]\n", ORIGIN ":1:2: expected section name" },
    { "[\"section\"]\n", ORIGIN ":1:2: expected section name" },
    { "[section\n", ORIGIN ":1:9: expected subsection name or right bracket" },
    { "[section", ORIGIN ":1:9: expected subsection name or right bracket" },
    { "[sec tion]\n", ORIGIN ":1:6: expected subsection name or right bracket" },
    { "[section \"sub\"\n", ORIGIN ":1:15: expected right bracket" },
    { "[section \"a\" \"b\"]\n", ORIGIN ":1:14: expected right bracket" },
    { "[section \"\"]\n", ORIGIN ":1:10: empty subsection name" },
    { "[a \"b]\n", ORIGIN ":1:4: string not terminated" },
    { "[a$]\n", ORIGIN ":1:3: illegal character U+0024 '$'" },
    /* Names: a letter, then letters, digits and '-'; never '_' or '.'. */
    { "[section]\nhyphen_name=v\n", ORIGIN ":2:7: illegal character U+005F '_'" },
    { "[ovn_north]\n", ORIGIN ":1:5: illegal character U+005F '_'" },
    { "[a]\n-name=v\n", ORIGIN ":2:1: illegal character U+002D '-'" },
    { "[a]\nname.x=v\n", ORIGIN ":2:5: illegal character U+002E '.'" },
    { "[a.b]\n", ORIGIN ":1:3: illegal character U+002E '.'" },
    { "[a]\n@=v\n", ORIGIN ":2:1: illegal character U+0040 '@'" },
    /* Only space, TAB and CR are whitespace; a lone CR does not end a line. */
    { "[a]\n\fname=v\n", ORIGIN ":2:1: illegal character U+000C" },
    { "[a]\n\xc2\xa0name=v\n", ORIGIN ":2:1: illegal character U+00A0" },
    { "\x07", ORIGIN ":1:1: illegal character U+0007" },
    { "[section]\rname=v\n", ORIGIN ":1:11: expected EOL, EOF, or comment" },
    /* gcfg.ReadInto, which ovnkube calls, does not skip a byte order mark. */
    { "\xef\xbb\xbf[OvnKubeNode]\n", ORIGIN ":1:1: illegal character U+FEFF" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *message = load_ini_error (cases[i].data);
      g_assert_cmpstr (message, ==, cases[i].message);
    }
}

static void
test_ini_error_in_foreign_section (void)
{
  /* A syntax error is an error wherever it is, as it is for ovnkube. */
  g_autofree char *message = load_ini_error ("[OvnKubeNode]\n"
                                             "mode=dpu-host\n"
                                             "[kubernetes]\n"
                                             "apiserver=\"https://api:6443\n");

  g_assert_cmpstr (message, ==, ORIGIN ":4:11: string not terminated");
}

static void
test_ini_error_default_origin (void)
{
  g_autoptr(DpugwConfig) config = dpugw_config_new ();
  g_autoptr(GError) error = NULL;
  const char *data = "mode=dpu\n";

  g_assert_false (dpugw_config_load_data (config, data, strlen (data), NULL, &error));
  g_assert_error (error, DPUGW_ERROR, DPUGW_ERROR_INVALID_CONFIG);
  g_assert_cmpstr (error->message, ==, "configuration:1:1: expected section header");
}

static void
test_ini_invalid_mode (void)
{
  g_autofree char *message = load_ini_error ("[OvnKubeNode]\n"
                                             "mgmt-port-netdev=pf0vf0\n"
                                             "mode=bogus\n");

  g_assert_cmpstr (message, ==,
                   "invalid node mode \"bogus\" (from " ORIGIN ":3): expected full, dpu or dpu-host");
}

static void
test_ini_invalid_netdev (void)
{
  g_autofree char *message = load_ini_error ("[OvnKubeNode]\n"
                                             "\n"
                                             "mgmt-port-netdev=../etc\n");

  g_assert_cmpstr (message, ==,
                   "invalid management port netdev (from " ORIGIN ":3): "
                   "invalid network device name \"../etc\": it contains '/'");
}

static void
test_ini_invalid_netdev_too_long (void)
{
  g_autofree char *message = load_ini_error ("[OvnKubeNode]\n"
                                             "mgmt-port-netdev=abcdefghijklmnop\n");

  g_assert_cmpstr (message, ==,
                   "invalid management port netdev (from " ORIGIN ":2): "
                   "invalid network device name \"abcdefghijklmnop\": it is longer than 15 bytes");
}

static void
test_ini_invalid_interface (void)
{
  g_autofree char *message = load_ini_error ("[Gateway]\ninterface=a/b\n");

  g_assert_true (g_str_has_prefix (message, "invalid gateway interface (from " ORIGIN ":2): "));
  assert_contains (message, "invalid network device name \"a/b\": it contains '/'");
}

static void
test_ini_invalid_resource_name (void)
{
  g_autofree char *message = load_ini_error ("[OvnKubeNode]\n"
                                             "mgmt-port-dp-resource-name=\"nvidia.com/$(rm -rf)\"\n");

  g_assert_true (g_str_has_prefix (message, "invalid device plugin resource name \"nvidia.com/$(rm -rf)\" "
                                            "(from " ORIGIN ":2)"));
}

static void
test_ini_nul_bytes (void)
{
  static const char data[] = "[OvnKubeNode]\nmode=dpu-host\0\nmgmt-port-netdev=pf0vf0\n";
  g_autofree char *message = NULL;

  /* sizeof - 1: everything up to the terminating NUL, including the embedded one. */
  message = load_ini_error_len (data, sizeof data - 1);
  g_assert_cmpstr (message, ==, ORIGIN ":2:14: illegal character NUL");
}

static void
test_ini_invalid_utf8 (void)
{
  g_autofree char *message1 = NULL;
  g_autofree char *message2 = NULL;

  message1 = load_ini_error ("[OvnKubeNode]\nmgmt-port-netdev=pf\xff\n");
  g_assert_cmpstr (message1, ==, ORIGIN ":2:20: illegal UTF-8 encoding");
  /* Even in a comment or a foreign section. */
  message2 = load_ini_error ("# \xc3\x28\n[default]\nmtu=1400\n");
  g_assert_cmpstr (message2, ==, ORIGIN ":1:3: illegal UTF-8 encoding");
}

static void
test_ini_valid_utf8 (void)
{
  g_autoptr(DpugwConfig) config = load_ini ("# Kommentar: Gerät für das Gateway\n"
                                            "[OvnKubeNode]\n"
                                            "mgmt-port-netdev=ethé\n");

  g_assert_cmpstr (config->mgmt_port_netdev, ==, "ethé");
}

static void
test_ini_too_large (void)
{
  gsize size = 1024 * 1024 + 1;
  g_autofree char *data = g_malloc (size);
  g_autofree char *message = NULL;

  /* A valid file of comments, just over 1 MiB. */
  memset (data, '\n', size);
  data[0] = '#';
  message = load_ini_error_len (data, size);
  g_assert_true (g_str_has_prefix (message, ORIGIN ": larger than "));
}

/* ---------------------------------------------------------------------------
 * gcfg's behaviour, case by case (GCFG.md)
 * ------------------------------------------------------------------------ */

/* The warning at @index, which must exist. */
static const char *
warning_at (const DpugwConfig *config, guint index)
{
  g_assert_cmpuint (config->load_warnings->len, >, index);
  return g_ptr_array_index (config->load_warnings, index);
}

static void
test_gcfg_subsection_ignored (void)
{
  /* ovnkube's sections are plain structs: gcfg cannot store a subsection's data, warns, and
   * drops its variables without type checks (a blank string variable there is no error). */
  g_autoptr(DpugwConfig) config = load_ini ("[OvnKubeNode]\n"
                                            "mode=dpu-host\n"
                                            "[Gateway \"x\"]\n"
                                            "interface=eth9\n"
                                            "[OvnKubeNode\"y\"]\n"
                                            "mode\n"
                                            "mgmt-port-netdev=sub0\n"
                                            "[Gateway]\n"
                                            "interface=eth1\n");

  g_assert_cmpint (config->mode, ==, DPUGW_NODE_MODE_DPU_HOST);
  g_assert_cmpstr (config->gateway_interface, ==, "eth1");
  g_assert_cmpstr (config->gateway_interface_origin, ==, ORIGIN ":9");
  g_assert_null (config->mgmt_port_netdev);
  g_assert_cmpuint (config->load_warnings->len, ==, 5);
  g_assert_cmpstr (warning_at (config, 0), ==,
                   ORIGIN ":3: can't store data at section \"Gateway\" (the subsection \"x\": ovnkube's "
                   "sections have none, so it and its variables are ignored)");
  g_assert_cmpstr (warning_at (config, 1), ==,
                   ORIGIN ":4: can't store data at section \"Gateway\" (variable \"interface\" ignored)");
  g_assert_true (g_str_has_prefix (warning_at (config, 2),
                                   ORIGIN ":5: can't store data at section \"OvnKubeNode\" (the subsection \"y\""));
  g_assert_cmpstr (warning_at (config, 3), ==,
                   ORIGIN ":6: can't store data at section \"OvnKubeNode\" (variable \"mode\" ignored)");
  g_assert_cmpstr (warning_at (config, 4), ==,
                   ORIGIN ":7: can't store data at section \"OvnKubeNode\" "
                   "(variable \"mgmt-port-netdev\" ignored)");
}

static void
test_gcfg_subsection_escapes (void)
{
  /* Only \\ and \" in a subsection name; a raw LF ends it too early. */
  g_autoptr(DpugwConfig) config = load_ini ("[Gateway \"a\\\\b\\\"c\"]\n");
  g_autofree char *tab = load_ini_error ("[Gateway \"a\\tb\"]\n");
  g_autofree char *newline = load_ini_error ("[Gateway \"a\\nb\"]\n");
  g_autofree char *raw_lf = load_ini_error ("[Gateway \"ab\n\"]\n");

  assert_contains (warning_at (config, 0), "(the subsection \"a\\\\b\\\"c\"");
  g_assert_cmpstr (tab, ==, ORIGIN ":1:13: unknown escape sequence");
  g_assert_cmpstr (newline, ==, ORIGIN ":1:13: unknown escape sequence");
  g_assert_cmpstr (raw_lf, ==, ORIGIN ":1:10: string not terminated");
}

static void
test_gcfg_blank_variable (void)
{
  g_autofree char *ours = NULL;
  g_autofree char *after_value = NULL;
  g_autoptr(DpugwConfig) others = NULL;

  /* A name without '=' sets only booleans: our variables are strings. */
  ours = load_ini_error ("[OvnKubeNode]\nmgmt-port-netdev ; nothing\n");
  g_assert_cmpstr (ours, ==,
                   ORIGIN ":2: blank value not supported for type at section \"OvnKubeNode\", "
                   "variable \"mgmt-port-netdev\" (a string needs '=': mgmt-port-netdev= for an empty one)");
  /* Even after a value: gcfg fails the call. */
  after_value = load_ini_error ("[Gateway]\ninterface=eth0\nINTERFACE\n");
  assert_contains (after_value, ORIGIN ":3: blank value not supported for type at section \"Gateway\", "
                                "variable \"INTERFACE\"");
  /* ovnkube's booleans, and anything in sections that are not read here or unknown. */
  others = load_ini ("[Gateway]\nnodeport\n[default]\nanything\n[nosuch]\nname\n");
  g_assert_cmpuint (others->load_warnings->len, ==, 2);
  g_assert_cmpstr (warning_at (others, 1), ==,
                   ORIGIN ":6: can't store data at section \"nosuch\" (variable \"name\" ignored)");
}

static void
test_gcfg_continuation (void)
{
  g_autoptr(DpugwConfig) joined = load_ini ("[OvnKubeNode]\nmgmt-port-netdev=pf0\\\nvf0\nmode=dpu-host\n");
  g_autoptr(DpugwConfig) crlf = load_ini ("[OvnKubeNode]\r\nmgmt-port-netdev=pf0\\\r\nvf1\r\n");
  g_autoptr(DpugwConfig) blank = load_ini ("[OvnKubeNode]\nmgmt-port-netdev=pf0vf2\\\n\nmode=dpu\n");
  g_autoptr(DpugwConfig) comment = load_ini ("[OvnKubeNode]\nmgmt-port-netdev=pf0vf3\\\n; mode=dpu\n");
  g_autofree char *kept = NULL;
  g_autofree char *quoted = NULL;

  g_assert_cmpstr (joined->mgmt_port_netdev, ==, "pf0vf0");
  /* The value's line is its name's. */
  g_assert_cmpstr (joined->mgmt_port_netdev_origin, ==, ORIGIN ":2");
  g_assert_cmpstr (joined->mode_origin, ==, ORIGIN ":4");
  g_assert_cmpint (joined->mode, ==, DPUGW_NODE_MODE_DPU_HOST);
  g_assert_cmpstr (crlf->mgmt_port_netdev, ==, "pf0vf1");
  /* An empty line or a comment line ends the value. */
  g_assert_cmpstr (blank->mgmt_port_netdev, ==, "pf0vf2");
  g_assert_cmpint (blank->mode, ==, DPUGW_NODE_MODE_DPU);
  g_assert_cmpstr (comment->mgmt_port_netdev, ==, "pf0vf3");
  g_assert_cmpint (comment->mode, ==, DPUGW_NODE_MODE_FULL);
  /* Blanks before the backslash and at the start of the next line are kept. */
  kept = load_ini_error ("[OvnKubeNode]\nmgmt-port-netdev=pf0 \\\n vf0\n");
  g_assert_cmpstr (kept, ==, "invalid management port netdev (from " ORIGIN ":2): "
                             "invalid network device name \"pf0  vf0\": it contains whitespace");
  /* Inside quotes, a backslash before the line break is an unknown escape. */
  quoted = load_ini_error ("[OvnKubeNode]\nmgmt-port-netdev=\"pf0\\\nvf0\"\n");
  g_assert_cmpstr (quoted, ==, ORIGIN ":2:23: unknown escape sequence");
}

static void
test_gcfg_escapes_refused (void)
{
  static const struct {
    const char *value;
    const char *message;
  } cases[] = {
    /* Inside quotes only \\ \" \n \t: the column is the character after the backslash. */
    { "\"a\\bc\"", ORIGIN ":2:14: unknown escape sequence" },
    { "\"a\\rc\"", ORIGIN ":2:14: unknown escape sequence" },
    { "\"a\\0c\"", ORIGIN ":2:14: unknown escape sequence" },
    { "\"a\\ac\"", ORIGIN ":2:14: unknown escape sequence" },
    { "\"a\\fc\"", ORIGIN ":2:14: unknown escape sequence" },
    { "\"a\\vc\"", ORIGIN ":2:14: unknown escape sequence" },
    { "\"a\\x41\"", ORIGIN ":2:14: unknown escape sequence" },
    /* Outside quotes only \" and a line break: the column is the value's first character. */
    { "ab\\\\c", ORIGIN ":2:11: unquoted '\\' must be followed by new line or double quote" },
    { "ab\\nc", ORIGIN ":2:11: unquoted '\\' must be followed by new line or double quote" },
    { "ab\\tc", ORIGIN ":2:11: unquoted '\\' must be followed by new line or double quote" },
    { "ab\\ c", ORIGIN ":2:11: unquoted '\\' must be followed by new line or double quote" },
    { "  ab\\", ORIGIN ":2:13: unquoted '\\' must be followed by new line or double quote" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      /* No final newline: "\\" at the very end of the file is the last case. */
      g_autofree char *data = g_strconcat ("[Gateway]\ninterface=", cases[i].value, NULL);
      g_autofree char *message = load_ini_error (data);
      g_assert_cmpstr (message, ==, cases[i].message);
    }
}

static void
test_gcfg_values (void)
{
  static const struct {
    const char *written;
    const char *value;
  } cases[] = {
    { "\\\"eth0\\\"", "\"eth0\"" },   /* outside quotes \" is a quote that does not open quoting */
    { "e\"th\"0", "eth0" },           /* quotes open and close anywhere */
    { "\"et\"\"h0\"", "eth0" },
    { "eth\r0\r", "eth0" },           /* any CR is removed */
    { "\"eth\r0\"", "eth0" },
    { "=eth0", "=eth0" },             /* everything after the first '=' */
    { "eth0;x\"", "eth0" },           /* a quote in a comment is ignored */
    { "  \"eth0\"  # c", "eth0" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *data = g_strconcat ("[Gateway]\ninterface=", cases[i].written, "\n", NULL);
      g_autoptr(DpugwConfig) config = load_ini (data);
      g_assert_cmpstr (config->gateway_interface, ==, cases[i].value);
    }
}

static void
test_gcfg_unknown_warnings (void)
{
  g_autoptr(DpugwConfig) config = load_ini ("[ovn-north]\n"
                                            "address=ssl:1.2.3.4:6641\n"
                                            "[OvnKubeNode]\n"
                                            "mode=dpu-host\n"
                                            "mgmt-port-netdev=pf0vf0\n"
                                            "mgmt-port=pf0vf1\n"
                                            "[Gateway]\n"
                                            "interfce=eth0\n"
                                            "next-hop=10.0.0.1\n"
                                            "allow-no-uplink\n"
                                            "[kubernetes]\n"
                                            "no-such-variable=1\n"
                                            "[nosuch]\n"
                                            "b=maybe\n");

  /* Known values still count; the rest is a warning with its line, as in ovnkube's log. */
  g_assert_cmpint (config->mode, ==, DPUGW_NODE_MODE_DPU_HOST);
  g_assert_cmpstr (config->mgmt_port_netdev, ==, "pf0vf0");
  g_assert_null (config->gateway_interface);
  g_assert_cmpuint (config->load_warnings->len, ==, 6);
  g_assert_cmpstr (warning_at (config, 0), ==,
                   ORIGIN ":1: can't store data at section \"ovn-north\" (not a section of ovnkube's; "
                   "it and its variables are ignored)");
  g_assert_cmpstr (warning_at (config, 1), ==,
                   ORIGIN ":2: can't store data at section \"ovn-north\" (variable \"address\" ignored)");
  g_assert_cmpstr (warning_at (config, 2), ==,
                   ORIGIN ":6: can't store data at section \"OvnKubeNode\", variable \"mgmt-port\" "
                   "(not a variable of ovnkube's; ignored)");
  g_assert_cmpstr (warning_at (config, 3), ==,
                   ORIGIN ":8: can't store data at section \"Gateway\", variable \"interfce\" "
                   "(not a variable of ovnkube's; ignored)");
  g_assert_true (g_str_has_prefix (warning_at (config, 4), ORIGIN ":13: can't store data at section \"nosuch\" "));
  g_assert_true (g_str_has_prefix (warning_at (config, 5), ORIGIN ":14: can't store data at section \"nosuch\" "));
}

static void
test_gcfg_unknown_still_syntax_checked (void)
{
  /* The data of an unknown section is not type-checked, but its syntax is. */
  g_autofree char *message = load_ini_error ("[nosuch]\nname=\"a\\qb\"\n");

  g_assert_cmpstr (message, ==, ORIGIN ":2:9: unknown escape sequence");
}

static void
test_gcfg_warnings_reach_config (void)
{
  g_autofree char *path = dpugw_test_temp_file ("[OvnKubeNode]\nmode=dpu-host\nmgmt-port-netdev=pf0vf0\n"
                                                "[Gatway]\ninterface=derive-from-mgmt-port\n");
  DpugwConfigFlags flags = { .config_file = path };
  g_autoptr(DpugwConfig) config = NULL;
  g_autoptr(DpugwConfig) copy = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *expected = NULL;

  /* Not fatal: the interface in the misspelt section is simply not set. */
  config = dpugw_config_load (&flags, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_null (config->gateway_interface);
  g_assert_cmpuint (config->warnings->len, ==, 2);
  expected = g_strdup_printf ("%s:4: can't store data at section \"Gatway\" (not a section of ovnkube's; "
                              "it and its variables are ignored)", path);
  g_assert_cmpstr (g_ptr_array_index (config->warnings, 0), ==, expected);
  /* finish() again does not repeat them. */
  g_assert_true (dpugw_config_finish (config, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (config->warnings->len, ==, 2);
  copy = dpugw_config_copy (config);
  g_assert_cmpuint (copy->warnings->len, ==, 2);
  g_assert_cmpuint (copy->load_warnings->len, ==, 2);
  remove_file (path);
}

static void
test_gcfg_case_folding (void)
{
  /* Unicode simple folding, as Go's strings.EqualFold: the Kelvin sign is a k, the long s an s. */
  g_autoptr(DpugwConfig) config = load_ini ("[Ovn\xe2\x84\xaaubeNode]\n"
                                            "mgmt-port-dp-re\xc5\xbfource-name=nvidia.com/mgmt_vf\n"
                                            "[gateway]\n"
                                            "\xc3\xafnterface=eth0\n");

  g_assert_cmpstr (config->mgmt_port_dp_resource_name, ==, "nvidia.com/mgmt_vf");
  /* "ï" is no "i". */
  g_assert_null (config->gateway_interface);
  g_assert_cmpuint (config->load_warnings->len, ==, 1);
}

/* ---------------------------------------------------------------------------
 * Files
 * ------------------------------------------------------------------------ */

static void
test_file_load (void)
{
  g_autofree char *path = dpugw_test_temp_file (FEATURE_DOC_CONF);
  g_autoptr(DpugwConfig) config = dpugw_config_new ();
  g_autoptr(GError) error = NULL;

  g_assert_true (dpugw_config_load_file (config, path, &error));
  g_assert_no_error (error);
  g_assert_cmpint (config->mode, ==, DPUGW_NODE_MODE_DPU_HOST);
  g_assert_cmpstr (config->mgmt_port_netdev, ==, "pf0vf0");
  g_assert_cmpstr (config->gateway_interface, ==, DPUGW_DERIVE_FROM_MGMT_PORT);
  g_assert_cmpstr (config->config_file, ==, path);
  remove_file (path);
}

static void
test_file_missing (void)
{
  g_autofree char *path = missing_file_path ();
  g_autoptr(DpugwConfig) config = dpugw_config_new ();
  g_autoptr(GError) error = NULL;

  g_assert_false (dpugw_config_load_file (config, path, &error));
  g_assert_error (error, DPUGW_ERROR, DPUGW_ERROR_INVALID_CONFIG);
  g_assert_true (g_str_has_prefix (error->message, "cannot read configuration file: "));
  assert_contains (error->message, path);
  g_assert_null (config->config_file);
}

static void
test_file_directory (void)
{
  g_autoptr(DpugwConfig) config = dpugw_config_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("dpugw-test-config-XXXXXX", &error);

  g_assert_no_error (error);
  g_assert_false (dpugw_config_load_file (config, dir, &error));
  g_assert_error (error, DPUGW_ERROR, DPUGW_ERROR_INVALID_CONFIG);
  g_assert_true (g_str_has_prefix (error->message, "cannot read configuration file: "));
  g_assert_null (config->config_file);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

static void
test_file_error_names_path (void)
{
  g_autofree char *path = dpugw_test_temp_file ("[OvnKubeNode]\nmode=dpu-host\nmgmt-port-netdev=a:b\n");
  g_autofree char *expected = NULL;
  g_autoptr(DpugwConfig) config = dpugw_config_new ();
  g_autoptr(GError) error = NULL;

  g_assert_false (dpugw_config_load_file (config, path, &error));
  g_assert_error (error, DPUGW_ERROR, DPUGW_ERROR_INVALID_CONFIG);
  expected = g_strdup_printf ("invalid management port netdev (from %s:3): "
                              "invalid network device name \"a:b\": it contains ':'", path);
  g_assert_cmpstr (error->message, ==, expected);
  g_assert_null (config->config_file);
  remove_file (path);
}

static void
test_file_syntax_error_names_path (void)
{
  g_autofree char *path = dpugw_test_temp_file ("\n[OvnKubeNode\n");
  g_autofree char *expected = NULL;
  g_autoptr(DpugwConfig) config = dpugw_config_new ();
  g_autoptr(GError) error = NULL;

  g_assert_false (dpugw_config_load_file (config, path, &error));
  g_assert_error (error, DPUGW_ERROR, DPUGW_ERROR_INVALID_CONFIG);
  expected = g_strdup_printf ("%s:2:13: expected subsection name or right bracket", path);
  g_assert_cmpstr (error->message, ==, expected);
  remove_file (path);
}

/* ---------------------------------------------------------------------------
 * Environment
 * ------------------------------------------------------------------------ */

static void
test_env_all (void)
{
  const char *const envp[] = {
    "PATH=/usr/bin",
    DPUGW_ENV_NODE_MODE "=dpu-host",
    DPUGW_ENV_MGMT_PORT_NETDEV "=pf0vf4",
    DPUGW_ENV_MGMT_PORT_DP_RESOURCE_NAME "=nvidia.com/mgmt_vf",
    NULL,
  };
  g_autoptr(DpugwConfig) config = dpugw_config_new ();
  g_autoptr(GError) error = NULL;

  g_assert_cmpstr (DPUGW_ENV_NODE_MODE, ==, "OVNKUBE_NODE_MODE");
  g_assert_cmpstr (DPUGW_ENV_MGMT_PORT_NETDEV, ==, "OVNKUBE_NODE_MGMT_PORT_NETDEV");
  g_assert_cmpstr (DPUGW_ENV_MGMT_PORT_DP_RESOURCE_NAME, ==, "OVNKUBE_NODE_MGMT_PORT_DP_RESOURCE_NAME");

  g_assert_true (dpugw_config_load_environ (config, envp, &error));
  g_assert_no_error (error);
  g_assert_cmpint (config->mode, ==, DPUGW_NODE_MODE_DPU_HOST);
  g_assert_cmpstr (config->mode_origin, ==, "OVNKUBE_NODE_MODE");
  /* ovnkube.sh passes the resource instead of the netdev when both are set. */
  g_assert_null (config->mgmt_port_netdev);
  g_assert_cmpstr (config->mgmt_port_dp_resource_name, ==, "nvidia.com/mgmt_vf");
  g_assert_cmpstr (config->mgmt_port_dp_resource_name_origin, ==, "OVNKUBE_NODE_MGMT_PORT_DP_RESOURCE_NAME");
  g_assert_cmpuint (config->load_warnings->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (config->load_warnings, 0), ==,
                   "OVNKUBE_NODE_MGMT_PORT_NETDEV (\"pf0vf4\") is ignored: OVNKUBE_NODE_MGMT_PORT_DP_RESOURCE_NAME "
                   "(\"nvidia.com/mgmt_vf\") is set too, and ovnkube.sh then passes ovnkube only "
                   "--ovnkube-node-mgmt-port-dp-resource-name");
  /* No variable sets the gateway interface without OVN_GATEWAY_OPTS. */
  g_assert_null (config->gateway_interface);
}

static void
test_env_each_mode (void)
{
  static const struct {
    const char *entry;
    DpugwNodeMode mode;
  } cases[] = {
    /* "full" is the default: it overrides nothing (ovnkube.sh makes it a flag, overrideFields skips it). */
    { "OVNKUBE_NODE_MODE=full", DPUGW_NODE_MODE_DPU_HOST },
    { "OVNKUBE_NODE_MODE=dpu", DPUGW_NODE_MODE_DPU },
    { "OVNKUBE_NODE_MODE=dpu-host", DPUGW_NODE_MODE_DPU_HOST },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const char *const envp[] = { cases[i].entry, NULL };
      g_autoptr(DpugwConfig) config = load_ini ("[OvnKubeNode]\nmode=dpu-host\n");
      g_autoptr(DpugwConfig) fresh = dpugw_config_new ();
      g_autoptr(GError) error = NULL;

      g_assert_true (dpugw_config_load_environ (config, envp, &error));
      g_assert_no_error (error);
      g_assert_cmpint (config->mode, ==, cases[i].mode);
      g_assert_true (dpugw_config_load_environ (fresh, envp, &error));
      g_assert_no_error (error);
      g_assert_cmpstr (dpugw_node_mode_to_string (fresh->mode), ==, strchr (cases[i].entry, '=') + 1);
    }
}

static void
test_env_empty_is_unset (void)
{
  const char *const envp[] = {
    DPUGW_ENV_NODE_MODE "=",
    DPUGW_ENV_MGMT_PORT_NETDEV "=",
    DPUGW_ENV_MGMT_PORT_DP_RESOURCE_NAME "=",
    NULL,
  };
  g_autoptr(DpugwConfig) config = load_ini ("[OvnKubeNode]\n"
                                            "mode=dpu-host\n"
                                            "mgmt-port-netdev=pf0vf0\n"
                                            "mgmt-port-dp-resource-name=nvidia.com/mgmt_vf\n");
  g_autoptr(DpugwConfig) fresh = dpugw_config_new ();
  g_autoptr(GError) error = NULL;

  /* Empty variables leave the file's values alone... */
  g_assert_true (dpugw_config_load_environ (config, envp, &error));
  g_assert_no_error (error);
  g_assert_cmpint (config->mode, ==, DPUGW_NODE_MODE_DPU_HOST);
  g_assert_cmpstr (config->mgmt_port_netdev, ==, "pf0vf0");
  g_assert_cmpstr (config->mgmt_port_dp_resource_name, ==, "nvidia.com/mgmt_vf");

  /* ...and set nothing on their own. */
  g_assert_true (dpugw_config_load_environ (fresh, envp, &error));
  g_assert_no_error (error);
  g_assert_cmpint (fresh->mode, ==, DPUGW_NODE_MODE_FULL);
  g_assert_null (fresh->mgmt_port_netdev);
  g_assert_null (fresh->mgmt_port_dp_resource_name);
}

static void
test_env_other_variables_ignored (void)
{
  const char *const envp[] = {
    "ovnkube_node_mode=dpu",
    "OVNKUBE_NODE_MODEX=dpu",
    "XOVNKUBE_NODE_MODE=dpu",
    "OVNKUBE_NODE_MGMT_PORT=pf0vf0",
    "OVNKUBE_GATEWAY_INTERFACE=eth0",
    "GATEWAY_INTERFACE=eth0",
    "OVNKUBE_NODE_MGMT_PORT_NETDEV_OLD=x",
    NULL,
  };
  g_autoptr(DpugwConfig) config = dpugw_config_new ();
  g_autoptr(GError) error = NULL;

  g_assert_true (dpugw_config_load_environ (config, envp, &error));
  g_assert_no_error (error);
  g_assert_cmpint (config->mode, ==, DPUGW_NODE_MODE_FULL);
  g_assert_null (config->mgmt_port_netdev);
  g_assert_null (config->mgmt_port_dp_resource_name);
  g_assert_null (config->gateway_interface);
}

static void
test_env_null (void)
{
  g_autoptr(DpugwConfig) config = dpugw_config_new ();
  g_autoptr(GError) error = NULL;

  g_assert_true (dpugw_config_load_environ (config, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (config->mode, ==, DPUGW_NODE_MODE_FULL);
  g_assert_null (config->mgmt_port_netdev);
}

static void
test_env_invalid (void)
{
  const char *const envp_mode[] = { DPUGW_ENV_NODE_MODE "=bogus", NULL };
  const char *const envp_netdev[] = { DPUGW_ENV_MGMT_PORT_NETDEV "=a b", NULL };
  const char *const envp_resource[] = { DPUGW_ENV_MGMT_PORT_DP_RESOURCE_NAME "=x=y", NULL };
  g_autoptr(DpugwConfig) config = dpugw_config_new ();
  g_autoptr(GError) error_mode = NULL;
  g_autoptr(GError) error_netdev = NULL;
  g_autoptr(GError) error_resource = NULL;

  g_assert_false (dpugw_config_load_environ (config, envp_mode, &error_mode));
  g_assert_error (error_mode, DPUGW_ERROR, DPUGW_ERROR_INVALID_CONFIG);
  g_assert_cmpstr (error_mode->message, ==,
                   "invalid node mode \"bogus\" (from OVNKUBE_NODE_MODE): expected full, dpu or dpu-host");

  g_assert_false (dpugw_config_load_environ (config, envp_netdev, &error_netdev));
  g_assert_error (error_netdev, DPUGW_ERROR, DPUGW_ERROR_INVALID_CONFIG);
  g_assert_cmpstr (error_netdev->message, ==,
                   "invalid management port netdev (from OVNKUBE_NODE_MGMT_PORT_NETDEV): "
                   "invalid network device name \"a b\": it contains whitespace");

  g_assert_false (dpugw_config_load_environ (config, envp_resource, &error_resource));
  g_assert_error (error_resource, DPUGW_ERROR, DPUGW_ERROR_INVALID_CONFIG);
  g_assert_true (g_str_has_prefix (error_resource->message,
                                   "invalid device plugin resource name \"x=y\" "
                                   "(from OVNKUBE_NODE_MGMT_PORT_DP_RESOURCE_NAME)"));
}

/* --gateway-interface inside OVN_GATEWAY_OPTS, word-split as ovnkube.sh's unquoted expansion is. */
static void
test_env_gateway_opts (void)
{
  static const struct {
    const char *opts;
    const char *interface;   /* NULL: unset */
  } cases[] = {
    { "--gateway-interface=derive-from-mgmt-port", DPUGW_DERIVE_FROM_MGMT_PORT },
    { "--gateway-mode=shared --nodeport --gateway-interface=eth3 --gateway-nexthop=10.0.0.1", "eth3" },
    { "\t--gateway-interface\n  eth4\t", "eth4" },
    { "-gateway-interface=eth5", "eth5" },
    { "-gateway-interface eth6 --x", "eth6" },
    { "--gateway-interface=eth1 --gateway-interface=eth7", "eth7" },   /* the last one wins */
    { "--gateway-interface=", NULL },                                /* empty overrides nothing */
    { "--gateway-interfaces=eth8 --gateway-interface-x=eth8 gateway-interface=eth8", NULL },
    { "\"--gateway-interface=eth9\"", NULL },                        /* the shell keeps the quotes */
    { "", NULL },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *entry = g_strconcat ("OVN_GATEWAY_OPTS=", cases[i].opts, NULL);
      const char *const envp[] = { entry, NULL };
      g_autoptr(DpugwConfig) config = dpugw_config_new ();
      g_autoptr(GError) error = NULL;

      g_assert_true (dpugw_config_load_environ (config, envp, &error));
      g_assert_no_error (error);
      g_assert_cmpstr (config->gateway_interface, ==, cases[i].interface);
      g_assert_cmpstr (config->gateway_interface_origin, ==, cases[i].interface != NULL ? "OVN_GATEWAY_OPTS" : NULL);
      g_assert_cmpuint (config->load_warnings->len, ==, 0);
    }
}

static void
test_env_gateway_opts_precedence (void)
{
  g_autofree char *path = dpugw_test_temp_file ("[OvnKubeNode]\nmode=dpu-host\nmgmt-port-netdev=pf0vf0\n"
                                                "[Gateway]\ninterface=eth1\n");
  const char *const envp[] = { "OVN_GATEWAY_OPTS=--gateway-mode=local --gateway-interface=derive-from-mgmt-port",
                               NULL };
  DpugwConfigFlags file_only = { .config_file = path };
  DpugwConfigFlags with_flag = { .gateway_interface = "eth2", .config_file = path };
  g_autoptr(DpugwConfig) env_over_file = NULL;
  g_autoptr(DpugwConfig) flag_over_env = NULL;
  g_autoptr(GError) error = NULL;

  env_over_file = dpugw_config_load (&file_only, envp, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (env_over_file->gateway_interface, ==, DPUGW_DERIVE_FROM_MGMT_PORT);
  g_assert_cmpint (env_over_file->mgmt_source, ==, DPUGW_MGMT_SOURCE_NETDEV);

  flag_over_env = dpugw_config_load (&with_flag, envp, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (flag_over_env->gateway_interface, ==, "eth2");
  g_assert_cmpstr (flag_over_env->gateway_interface_origin, ==, "--gateway-interface");
  remove_file (path);
}

static void
test_env_gateway_opts_malformed (void)
{
  const char *const envp_missing[] = { "OVN_GATEWAY_OPTS=--gateway-mode=shared --gateway-interface", NULL };
  const char *const envp_invalid[] = { "OVN_GATEWAY_OPTS=--gateway-interface=a/b", NULL };
  g_autoptr(DpugwConfig) config = dpugw_config_new ();
  g_autoptr(GError) error = NULL;

  /* No value: a warning, not an error. */
  g_assert_true (dpugw_config_load_environ (config, envp_missing, &error));
  g_assert_no_error (error);
  g_assert_null (config->gateway_interface);
  g_assert_cmpuint (config->load_warnings->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (config->load_warnings, 0), ==,
                   "OVN_GATEWAY_OPTS: \"--gateway-interface\" has no value; ignored "
                   "(ovnkube would stop: flag needs an argument)");

  /* A value that is no interface name is as wrong as in any other variable. */
  g_assert_false (dpugw_config_load_environ (config, envp_invalid, &error));
  g_assert_error (error, DPUGW_ERROR, DPUGW_ERROR_INVALID_CONFIG);
  g_assert_true (g_str_has_prefix (error->message, "invalid gateway interface (from OVN_GATEWAY_OPTS): "));
}

/* ovnkube's default file is read when ours cannot be opened; neither is an error when absent. */
static void
test_default_files_fallback (void)
{
  g_autofree char *ours = dpugw_test_temp_file ("[OvnKubeNode]\nmode=dpu\n");
  g_autofree char *ovnkube = dpugw_test_temp_file ("[OvnKubeNode]\nmode=dpu-host\nmgmt-port-netdev=pf0vf1\n");
  g_autofree char *missing = missing_file_path ();
  g_autofree char *broken = dpugw_test_temp_file ("[OvnKubeNode\n");
  const char *const both[] = { ours, ovnkube, NULL };
  const char *const fallback[] = { missing, ovnkube, NULL };
  const char *const none[] = { missing, missing, NULL };
  const char *const fallback_broken[] = { missing, broken, NULL };
  g_autoptr(DpugwConfig) config_ours = NULL;
  g_autoptr(DpugwConfig) config_ovnkube = NULL;
  g_autoptr(DpugwConfig) config_none = NULL;
  g_autoptr(DpugwConfig) config_named = NULL;
  g_autoptr(GError) error = NULL;
  DpugwConfigFlags named = { .config_file = missing };

  config_ours = dpugw_config_load_with_defaults (NULL, NULL, both, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (config_ours->config_file, ==, ours);
  g_assert_cmpint (config_ours->mode, ==, DPUGW_NODE_MODE_DPU);

  config_ovnkube = dpugw_config_load_with_defaults (NULL, NULL, fallback, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (config_ovnkube->config_file, ==, ovnkube);
  g_assert_cmpstr (config_ovnkube->mgmt_port_netdev, ==, "pf0vf1");

  config_none = dpugw_config_load_with_defaults (NULL, NULL, none, &error);
  g_assert_no_error (error);
  g_assert_null (config_none->config_file);

  /* A default file that opens but does not parse is an error, as in ovnkube. */
  g_assert_null (dpugw_config_load_with_defaults (NULL, NULL, fallback_broken, &error));
  g_assert_error (error, DPUGW_ERROR, DPUGW_ERROR_INVALID_CONFIG);
  assert_contains (error->message, "expected subsection name or right bracket");
  g_clear_error (&error);

  /* A file asked for must open. */
  config_named = dpugw_config_load_with_defaults (&named, NULL, both, &error);
  g_assert_error (error, DPUGW_ERROR, DPUGW_ERROR_INVALID_CONFIG);
  g_assert_null (config_named);

  g_assert_cmpstr (DPUGW_OVNKUBE_DEFAULT_CONFIG_FILE, ==, "/etc/openvswitch/ovn_k8s.conf");
  remove_file (ours);
  remove_file (ovnkube);
  remove_file (broken);
}

/* ---------------------------------------------------------------------------
 * Precedence: flag > environment > file > default
 * ------------------------------------------------------------------------ */

static void
test_precedence_default (void)
{
  g_autoptr(DpugwConfig) config = NULL;
  g_autoptr(GError) error = NULL;

  config = dpugw_config_load (NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (config);
  g_assert_cmpint (config->mode, ==, DPUGW_NODE_MODE_FULL);
  g_assert_null (config->mgmt_port_netdev);
  g_assert_null (config->mgmt_port_dp_resource_name);
  g_assert_null (config->gateway_interface);
  g_assert_null (config->config_file);
  g_assert_cmpint (config->mgmt_source, ==, DPUGW_MGMT_SOURCE_NONE);
  g_assert_null (config->mgmt_port_vf_pci);
  g_assert_null (config->device_plugin_variable);
  g_assert_nonnull (config->warnings);
  g_assert_cmpuint (config->warnings->len, ==, 0);
}

static void
test_precedence_env_over_file (void)
{
  g_autofree char *path = dpugw_test_temp_file ("[OvnKubeNode]\n"
                                           "mode=dpu\n"
                                           "mgmt-port-netdev=file0\n"
                                           "mgmt-port-dp-resource-name=file.com/res\n"
                                           "[Gateway]\n"
                                           "interface=eth1\n");
  const char *const envp[] = {
    "OVNKUBE_NODE_MODE=dpu-host",
    "OVNKUBE_NODE_MGMT_PORT_NETDEV=env0",
    "OVNKUBE_NODE_MGMT_PORT_DP_RESOURCE_NAME=env.com/res",
    "PCIDEVICE_ENV_COM_RES=0000:03:00.2",
    NULL,
  };
  DpugwConfigFlags flags = { .config_file = path };
  g_autoptr(DpugwConfig) config = NULL;
  g_autoptr(GError) error = NULL;

  config = dpugw_config_load (&flags, envp, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (config);
  g_assert_cmpint (config->mode, ==, DPUGW_NODE_MODE_DPU_HOST);
  /* The netdev variable gives way to the resource variable (ovnkube.sh), so the file's stays. */
  g_assert_cmpstr (config->mgmt_port_netdev, ==, "file0");
  g_assert_cmpstr (config->mgmt_port_dp_resource_name, ==, "env.com/res");
  g_assert_cmpstr (config->device_plugin_variable, ==, "PCIDEVICE_ENV_COM_RES");
  g_assert_cmpstr (config->mgmt_port_vf_pci, ==, "0000:03:00.2");
  /* What the environment does not set, the file keeps. */
  g_assert_cmpstr (config->gateway_interface, ==, "eth1");
  g_assert_cmpstr (config->config_file, ==, path);
  remove_file (path);
}

static void
test_precedence_file_when_env_empty (void)
{
  g_autofree char *path = dpugw_test_temp_file ("[OvnKubeNode]\n"
                                           "mode=dpu-host\n"
                                           "mgmt-port-netdev=file0\n");
  const char *const envp[] = {
    "OVNKUBE_NODE_MODE=",
    "OVNKUBE_NODE_MGMT_PORT_NETDEV=",
    NULL,
  };
  g_autoptr(DpugwConfig) config = NULL;
  g_autoptr(GError) error = NULL;

  config = dpugw_config_load (NULL, envp, path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (config);
  g_assert_cmpint (config->mode, ==, DPUGW_NODE_MODE_DPU_HOST);
  g_assert_cmpstr (config->mgmt_port_netdev, ==, "file0");
  g_assert_cmpint (config->mgmt_source, ==, DPUGW_MGMT_SOURCE_NETDEV);
  remove_file (path);
}

static void
test_precedence_flag_over_env (void)
{
  const char *const envp[] = {
    "OVNKUBE_NODE_MODE=dpu",
    "OVNKUBE_NODE_MGMT_PORT_NETDEV=env0",
    "OVNKUBE_NODE_MGMT_PORT_DP_RESOURCE_NAME=env.com/res",
    NULL,
  };
  DpugwConfigFlags flags = {
    .mode = "dpu-host",
    .mgmt_port_netdev = "flag0",
    .mgmt_port_dp_resource_name = "flag.com/res",
    .gateway_interface = DPUGW_DERIVE_FROM_MGMT_PORT,
    .config_file = "",
  };
  g_autoptr(DpugwConfig) config = NULL;
  g_autoptr(GError) error = NULL;

  config = dpugw_config_load (&flags, envp, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (config);
  g_assert_cmpint (config->mode, ==, DPUGW_NODE_MODE_DPU_HOST);
  g_assert_cmpstr (config->mgmt_port_netdev, ==, "flag0");
  g_assert_cmpstr (config->mgmt_port_dp_resource_name, ==, "flag.com/res");
  g_assert_cmpstr (config->device_plugin_variable, ==, "PCIDEVICE_FLAG_COM_RES");
  g_assert_cmpstr (config->gateway_interface, ==, DPUGW_DERIVE_FROM_MGMT_PORT);
  g_assert_cmpint (config->mgmt_source, ==, DPUGW_MGMT_SOURCE_NETDEV);
}

static void
test_precedence_env_when_flag_empty (void)
{
  const char *const envp[] = {
    "OVNKUBE_NODE_MODE=dpu-host",
    "OVNKUBE_NODE_MGMT_PORT_NETDEV=env0",
    NULL,
  };
  DpugwConfigFlags flags = { .mode = "", .mgmt_port_netdev = "", .gateway_interface = "" };
  g_autoptr(DpugwConfig) config = NULL;
  g_autoptr(GError) error = NULL;

  config = dpugw_config_load (&flags, envp, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (config);
  g_assert_cmpint (config->mode, ==, DPUGW_NODE_MODE_DPU_HOST);
  g_assert_cmpstr (config->mgmt_port_netdev, ==, "env0");
  g_assert_null (config->gateway_interface);
}

static void
test_precedence_flag_over_file (void)
{
  g_autofree char *path = dpugw_test_temp_file ("[OvnKubeNode]\n"
                                           "mode=dpu\n"
                                           "mgmt-port-netdev=file0\n"
                                           "mgmt-port-dp-resource-name=file.com/res\n"
                                           "[Gateway]\n"
                                           "interface=eth1\n");
  DpugwConfigFlags flags = {
    .mode = "dpu-host",
    .mgmt_port_netdev = "flag0",
    .mgmt_port_dp_resource_name = "flag.com/res",
    .gateway_interface = "eth2",
    .config_file = path,
  };
  g_autoptr(DpugwConfig) config = NULL;
  g_autoptr(GError) error = NULL;

  config = dpugw_config_load (&flags, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (config);
  g_assert_cmpint (config->mode, ==, DPUGW_NODE_MODE_DPU_HOST);
  g_assert_cmpstr (config->mode_origin, ==, "--ovnkube-node-mode");
  g_assert_cmpstr (config->mgmt_port_netdev_origin, ==, "--ovnkube-node-mgmt-port-netdev");
  g_assert_cmpstr (config->mgmt_port_netdev, ==, "flag0");
  g_assert_cmpstr (config->mgmt_port_dp_resource_name, ==, "flag.com/res");
  g_assert_cmpstr (config->gateway_interface, ==, "eth2");
  g_assert_cmpstr (config->config_file, ==, path);
  remove_file (path);
}

static void
test_precedence_all_three (void)
{
  g_autofree char *path = dpugw_test_temp_file ("[OvnKubeNode]\n"
                                           "mode=full\n"
                                           "mgmt-port-netdev=file0\n"
                                           "[Gateway]\n"
                                           "interface=derive-from-mgmt-port\n");
  const char *const envp[] = {
    "OVNKUBE_NODE_MODE=dpu",
    "OVNKUBE_NODE_MGMT_PORT_NETDEV=env0",
    NULL,
  };
  DpugwConfigFlags flags = { .mode = "dpu-host" };
  g_autoptr(DpugwConfig) config = NULL;
  g_autoptr(GError) error = NULL;

  /* The file is the default file here; each layer wins over the one below. */
  config = dpugw_config_load (&flags, envp, path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (config);
  g_assert_cmpint (config->mode, ==, DPUGW_NODE_MODE_DPU_HOST);
  g_assert_cmpstr (config->mgmt_port_netdev, ==, "env0");
  g_assert_cmpstr (config->gateway_interface, ==, DPUGW_DERIVE_FROM_MGMT_PORT);
  g_assert_cmpstr (config->config_file, ==, path);
  remove_file (path);
}

static void
test_precedence_no_file_flag (void)
{
  g_autofree char *path = dpugw_test_temp_file ("[OvnKubeNode]\n"
                                           "mode=dpu-host\n"
                                           "mgmt-port-netdev=file0\n");
  DpugwConfigFlags flags = { .config_file = "" };
  g_autoptr(DpugwConfig) config = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_test (path, G_FILE_TEST_EXISTS));
  config = dpugw_config_load (&flags, NULL, path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (config);
  g_assert_cmpint (config->mode, ==, DPUGW_NODE_MODE_FULL);
  g_assert_null (config->mgmt_port_netdev);
  g_assert_null (config->config_file);
  remove_file (path);
}

static void
test_precedence_no_file_flag_ignores_broken_default (void)
{
  g_autofree char *path = dpugw_test_temp_file ("this is not an ini file\n");
  DpugwConfigFlags flags = { .config_file = "" };
  g_autoptr(DpugwConfig) config = NULL;
  g_autoptr(GError) error = NULL;

  config = dpugw_config_load (&flags, NULL, path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (config);
  g_assert_null (config->config_file);
  remove_file (path);
}

static void
test_precedence_default_file_used (void)
{
  g_autofree char *path = dpugw_test_temp_file (FEATURE_DOC_CONF);
  DpugwConfigFlags flags = { 0 };
  g_autoptr(DpugwConfig) config1 = NULL;
  g_autoptr(DpugwConfig) config2 = NULL;
  g_autoptr(GError) error = NULL;

  /* Both without flags and with flags that name no file. */
  config1 = dpugw_config_load (NULL, NULL, path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (config1);
  g_assert_cmpint (config1->mode, ==, DPUGW_NODE_MODE_DPU_HOST);
  g_assert_cmpstr (config1->mgmt_port_netdev, ==, "pf0vf0");
  g_assert_cmpstr (config1->config_file, ==, path);

  config2 = dpugw_config_load (&flags, NULL, path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (config2);
  g_assert_cmpstr (config2->mgmt_port_netdev, ==, "pf0vf0");
  g_assert_cmpstr (config2->config_file, ==, path);
  remove_file (path);
}

static void
test_precedence_default_file_missing (void)
{
  g_autofree char *path = missing_file_path ();
  const char *const envp[] = { "OVNKUBE_NODE_MODE=dpu", NULL };
  g_autoptr(DpugwConfig) config = NULL;
  g_autoptr(GError) error = NULL;

  config = dpugw_config_load (NULL, envp, path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (config);
  g_assert_cmpint (config->mode, ==, DPUGW_NODE_MODE_DPU);
  g_assert_null (config->config_file);
}

static void
test_precedence_explicit_file_over_default (void)
{
  g_autofree char *default_path = dpugw_test_temp_file ("[OvnKubeNode]\nmgmt-port-netdev=default0\n");
  g_autofree char *path = dpugw_test_temp_file ("[OvnKubeNode]\nmode=dpu\n");
  DpugwConfigFlags flags = { .config_file = path };
  g_autoptr(DpugwConfig) config = NULL;
  g_autoptr(GError) error = NULL;

  /* The named file replaces the default file; the two are not merged. */
  config = dpugw_config_load (&flags, NULL, default_path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (config);
  g_assert_cmpint (config->mode, ==, DPUGW_NODE_MODE_DPU);
  g_assert_null (config->mgmt_port_netdev);
  g_assert_cmpstr (config->config_file, ==, path);
  remove_file (path);
  remove_file (default_path);
}

static void
test_precedence_explicit_file_missing (void)
{
  g_autofree char *path = missing_file_path ();
  DpugwConfigFlags flags = { .config_file = path };
  g_autoptr(DpugwConfig) config = NULL;
  g_autoptr(GError) error = NULL;

  /* Unlike a default file, a file asked for must exist. */
  config = dpugw_config_load (&flags, NULL, NULL, &error);
  g_assert_error (error, DPUGW_ERROR, DPUGW_ERROR_INVALID_CONFIG);
  g_assert_null (config);
  g_assert_true (g_str_has_prefix (error->message, "cannot read configuration file: "));
}

static void
test_precedence_env_error_despite_flag (void)
{
  /* An invalid variable is an error even when a flag would override it. */
  const char *const envp[] = { "OVNKUBE_NODE_MODE=bogus", NULL };
  DpugwConfigFlags flags = { .mode = "dpu-host" };
  g_autoptr(DpugwConfig) config = NULL;
  g_autoptr(GError) error = NULL;

  config = dpugw_config_load (&flags, envp, NULL, &error);
  g_assert_error (error, DPUGW_ERROR, DPUGW_ERROR_INVALID_CONFIG);
  g_assert_null (config);
  assert_contains (error->message, "OVNKUBE_NODE_MODE");
}

static void
test_apply_flags (void)
{
  DpugwConfigFlags flags = {
    .mode = "dpu-host",
    .mgmt_port_netdev = "pf0vf0",
    .mgmt_port_dp_resource_name = "nvidia.com/mgmt_vf",
    .gateway_interface = DPUGW_DERIVE_FROM_MGMT_PORT,
  };
  g_autoptr(DpugwConfig) config = dpugw_config_new ();
  g_autoptr(GError) error = NULL;

  g_assert_true (dpugw_config_apply_flags (config, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (config->mode, ==, DPUGW_NODE_MODE_FULL);

  g_assert_true (dpugw_config_apply_flags (config, &flags, &error));
  g_assert_no_error (error);
  g_assert_cmpint (config->mode, ==, DPUGW_NODE_MODE_DPU_HOST);
  g_assert_cmpstr (config->mgmt_port_netdev, ==, "pf0vf0");
  g_assert_cmpstr (config->mgmt_port_dp_resource_name, ==, "nvidia.com/mgmt_vf");
  g_assert_cmpstr (config->gateway_interface, ==, DPUGW_DERIVE_FROM_MGMT_PORT);
}

static void
test_apply_flags_invalid (void)
{
  DpugwConfigFlags flags_mode = { .mode = "dpuhost" };
  DpugwConfigFlags flags_netdev = { .mgmt_port_netdev = "." };
  g_autoptr(DpugwConfig) config = dpugw_config_new ();
  g_autoptr(GError) error_mode = NULL;
  g_autoptr(GError) error_netdev = NULL;

  g_assert_false (dpugw_config_apply_flags (config, &flags_mode, &error_mode));
  g_assert_error (error_mode, DPUGW_ERROR, DPUGW_ERROR_INVALID_CONFIG);
  g_assert_cmpstr (error_mode->message, ==,
                   "invalid node mode \"dpuhost\" (from --ovnkube-node-mode): expected full, dpu or dpu-host");

  g_assert_false (dpugw_config_apply_flags (config, &flags_netdev, &error_netdev));
  g_assert_error (error_netdev, DPUGW_ERROR, DPUGW_ERROR_INVALID_CONFIG);
  g_assert_cmpstr (error_netdev->message, ==,
                   "invalid management port netdev (from --ovnkube-node-mgmt-port-netdev): "
                   "invalid network device name \".\": it is \".\" or \"..\"");
}

/* ---------------------------------------------------------------------------
 * Validation
 * ------------------------------------------------------------------------ */

static void
test_validate_derive_needs_dpu_host (void)
{
  static const struct {
    const char *mode;
    const char *netdev;
    const char *suffix;
  } cases[] = {
    { NULL, "pf0vf0", "(node mode \"full\" from the default)" },
    /* --ovnkube-node-mode=full is the default: it is not where the mode comes from. */
    { "full", "pf0vf0", "(node mode \"full\" from the default)" },
    { "dpu", NULL, "(node mode \"dpu\" from --ovnkube-node-mode)" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      DpugwConfigFlags flags = {
        .mode = cases[i].mode,
        .mgmt_port_netdev = cases[i].netdev,
        .gateway_interface = DPUGW_DERIVE_FROM_MGMT_PORT,
        .config_file = "",
      };
      g_autoptr(DpugwConfig) config = NULL;
      g_autoptr(GError) error = NULL;

      config = dpugw_config_load (&flags, NULL, NULL, &error);
      g_assert_error (error, DPUGW_ERROR, DPUGW_ERROR_INVALID_CONFIG);
      g_assert_null (config);
      g_assert_true (g_str_has_prefix (error->message, "gateway interface \"derive-from-mgmt-port\" from "
                                                       "--gateway-interface is only valid in node mode dpu-host "));
      assert_contains (error->message, cases[i].suffix);
    }
}

static void
test_validate_derive_needs_mgmt_port (void)
{
  DpugwConfigFlags flags = {
    .mode = "dpu-host",
    .gateway_interface = DPUGW_DERIVE_FROM_MGMT_PORT,
    .config_file = "",
  };
  g_autoptr(DpugwConfig) config = NULL;
  g_autoptr(GError) error = NULL;

  /* ovnkube's own check comes first. */
  config = dpugw_config_load (&flags, NULL, NULL, &error);
  g_assert_error (error, DPUGW_ERROR, DPUGW_ERROR_INVALID_CONFIG);
  g_assert_null (config);
  g_assert_cmpstr (error->message, ==,
                   "ovnkube-node-mgmt-port-netdev or ovnkube-node-mgmt-port-dp-resource-name must be provided "
                   "(node mode \"dpu-host\" from --ovnkube-node-mode)");
}

static void
test_validate_derive_ok (void)
{
  g_autoptr(DpugwConfig) config = load_ini (FEATURE_DOC_CONF);
  g_autoptr(GError) error = NULL;

  g_assert_true (dpugw_config_finish (config, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (config->mgmt_source, ==, DPUGW_MGMT_SOURCE_NETDEV);
  g_assert_null (config->mgmt_port_vf_pci);
  g_assert_null (config->device_plugin_variable);
  g_assert_cmpuint (config->warnings->len, ==, 0);
}

static void
test_validate_explicit_interface (void)
{
  static const char *const modes[] = { "full", "dpu" };

  for (gsize i = 0; i < G_N_ELEMENTS (modes); i++)
    {
      DpugwConfigFlags flags = { .mode = modes[i], .gateway_interface = "eth0", .config_file = "" };
      g_autoptr(DpugwConfig) config = NULL;
      g_autoptr(GError) error = NULL;

      config = dpugw_config_load (&flags, NULL, NULL, &error);
      g_assert_no_error (error);
      g_assert_nonnull (config);
      g_assert_cmpstr (config->gateway_interface, ==, "eth0");
      g_assert_cmpint (config->mgmt_source, ==, DPUGW_MGMT_SOURCE_NONE);
    }
}

/* ovnkube refuses dpu-host without a management port, whatever the gateway interface. */
static void
test_validate_dpu_host_needs_mgmt_port (void)
{
  g_autofree char *path = dpugw_test_temp_file ("[OvnKubeNode]\nmode=dpu-host\n[Gateway]\ninterface=eth0\n");
  const char *const envp[] = { "OVNKUBE_NODE_MODE=dpu-host", NULL };
  const char *const opts[] = { "OVN_GATEWAY_OPTS=--gateway-interface=eth0", NULL };
  DpugwConfigFlags from_file = { .config_file = path };
  DpugwConfigFlags from_flag = { .mode = "dpu-host", .config_file = "" };
  DpugwConfigFlags from_env = { .config_file = "" };
  g_autofree char *expected = g_strdup_printf ("ovnkube-node-mgmt-port-netdev or "
                                               "ovnkube-node-mgmt-port-dp-resource-name must be provided "
                                               "(node mode \"dpu-host\" from %s:2)", path);
  g_autoptr(GError) error_file = NULL;
  g_autoptr(GError) error_flag = NULL;
  g_autoptr(GError) error_env = NULL;

  g_assert_null (dpugw_config_load (&from_file, NULL, NULL, &error_file));
  g_assert_error (error_file, DPUGW_ERROR, DPUGW_ERROR_INVALID_CONFIG);
  g_assert_cmpstr (error_file->message, ==, expected);

  g_assert_null (dpugw_config_load (&from_flag, opts, NULL, &error_flag));
  g_assert_error (error_flag, DPUGW_ERROR, DPUGW_ERROR_INVALID_CONFIG);
  assert_contains (error_flag->message, "must be provided (node mode \"dpu-host\" from --ovnkube-node-mode)");

  g_assert_null (dpugw_config_load (&from_env, envp, NULL, &error_env));
  g_assert_error (error_env, DPUGW_ERROR, DPUGW_ERROR_INVALID_CONFIG);
  assert_contains (error_env->message, "must be provided (node mode \"dpu-host\" from OVNKUBE_NODE_MODE)");
  remove_file (path);
}

/* ovnkube refuses a management port in dpu mode; the message says where each value came from. */
static void
test_validate_dpu_refuses_mgmt_port (void)
{
  g_autofree char *path = dpugw_test_temp_file ("[OvnKubeNode]\nmgmt-port-netdev=pf0vf0\n");
  const char *const envp[] = { "OVNKUBE_NODE_MODE=dpu", NULL };
  const char *const envp_resource[] = { "OVNKUBE_NODE_MGMT_PORT_DP_RESOURCE_NAME=nvidia.com/mgmt_vf", NULL };
  DpugwConfigFlags flags_file = { .config_file = path };
  DpugwConfigFlags flags_dpu = { .mode = "dpu", .config_file = "" };
  g_autofree char *expected = g_strdup_printf ("ovnkube-node-mgmt-port-netdev or "
                                               "ovnkube-node-mgmt-port-dp-resource-name must not be provided "
                                               "(node mode \"dpu\" from OVNKUBE_NODE_MODE; management port netdev "
                                               "\"pf0vf0\" from %s:2)", path);
  g_autoptr(GError) error_netdev = NULL;
  g_autoptr(GError) error_resource = NULL;

  g_assert_null (dpugw_config_load (&flags_file, envp, NULL, &error_netdev));
  g_assert_error (error_netdev, DPUGW_ERROR, DPUGW_ERROR_INVALID_CONFIG);
  g_assert_cmpstr (error_netdev->message, ==, expected);

  g_assert_null (dpugw_config_load (&flags_dpu, envp_resource, NULL, &error_resource));
  g_assert_error (error_resource, DPUGW_ERROR, DPUGW_ERROR_INVALID_CONFIG);
  g_assert_cmpstr (error_resource->message, ==,
                   "ovnkube-node-mgmt-port-netdev or ovnkube-node-mgmt-port-dp-resource-name must not be provided "
                   "(node mode \"dpu\" from --ovnkube-node-mode; management port resource \"nvidia.com/mgmt_vf\" "
                   "from OVNKUBE_NODE_MGMT_PORT_DP_RESOURCE_NAME)");
  remove_file (path);
}

/* Both set: config.go's warning, in any mode. */
static void
test_validate_netdev_and_resource (void)
{
  g_autofree char *path = dpugw_test_temp_file ("[OvnKubeNode]\nmgmt-port-netdev=pf0vf0\n");
  DpugwConfigFlags flags = { .mgmt_port_dp_resource_name = "nvidia.com/mgmt_vf", .config_file = path };
  g_autoptr(DpugwConfig) config = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *expected = NULL;

  config = dpugw_config_load (&flags, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (config->mode, ==, DPUGW_NODE_MODE_FULL);
  expected = g_strdup_printf ("ovnkube-node-mgmt-port-netdev (pf0vf0) and ovnkube-node-mgmt-port-dp-resource-name "
                              "(nvidia.com/mgmt_vf) both specified. The provided netdev in "
                              "ovnkube-node-mgmt-port-netdev will be overriden by a netdev chosen by the resource "
                              "provided by ovnkube-node-mgmt-port-dp-resource-name. (netdev \"pf0vf0\" from %s:2; "
                              "resource \"nvidia.com/mgmt_vf\" from --ovnkube-node-mgmt-port-dp-resource-name)",
                              path);
  g_assert_cmpuint (config->warnings->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (config->warnings, 0), ==, expected);
  /* And the device plugin's variable is missing. */
  assert_contains (g_ptr_array_index (config->warnings, 1), "PCIDEVICE_NVIDIA_COM_MGMT_VF is not set");
  remove_file (path);
}

/* ovnkube's overrideFields: a flag or variable equal to the default does not override the file. */
static void
test_precedence_default_does_not_override (void)
{
  g_autofree char *path = dpugw_test_temp_file ("[OvnKubeNode]\nmode=dpu-host\nmgmt-port-netdev=pf0vf0\n");
  const char *const envp[] = { "OVNKUBE_NODE_MODE=full", NULL };
  DpugwConfigFlags flags = { .mode = "full", .config_file = path };
  DpugwConfigFlags flags_only = { .mode = "full", .config_file = "" };
  g_autoptr(DpugwConfig) config_flag = NULL;
  g_autoptr(DpugwConfig) config_env = NULL;
  g_autoptr(DpugwConfig) config_alone = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *origin = g_strdup_printf ("%s:2", path);

  config_flag = dpugw_config_load (&flags, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (config_flag->mode, ==, DPUGW_NODE_MODE_DPU_HOST);
  g_assert_cmpstr (config_flag->mode_origin, ==, origin);

  config_env = dpugw_config_load (NULL, envp, path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (config_env->mode, ==, DPUGW_NODE_MODE_DPU_HOST);

  config_alone = dpugw_config_load (&flags_only, envp, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (config_alone->mode, ==, DPUGW_NODE_MODE_FULL);
  g_assert_null (config_alone->mode_origin);
  remove_file (path);
}

static void
test_validate_invalid_explicit_interface (void)
{
  DpugwConfigFlags flags = { .gateway_interface = "a/b", .config_file = "" };
  g_autoptr(DpugwConfig) config = NULL;
  g_autoptr(GError) error = NULL;

  config = dpugw_config_load (&flags, NULL, NULL, &error);
  g_assert_error (error, DPUGW_ERROR, DPUGW_ERROR_INVALID_CONFIG);
  g_assert_null (config);
  g_assert_true (g_str_has_prefix (error->message, "invalid gateway interface (from --gateway-interface): "));
  assert_contains (error->message, "it contains '/'");
}

static void
test_validate_derive_case_sensitive (void)
{
  /* "Derive-From-Mgmt-Port" is no keyword, and as a name it is too long. */
  DpugwConfigFlags flags = { .mode = "dpu-host", .gateway_interface = "Derive-From-Mgmt-Port" };
  g_autoptr(DpugwConfig) config = NULL;
  g_autoptr(GError) error = NULL;

  config = dpugw_config_load (&flags, NULL, NULL, &error);
  g_assert_error (error, DPUGW_ERROR, DPUGW_ERROR_INVALID_CONFIG);
  g_assert_null (config);
  assert_contains (error->message, "invalid gateway interface");
}

static void
test_validate_no_gateway_interface (void)
{
  /* Nothing asked for: nothing to validate in full mode. */
  DpugwConfigFlags flags = { .config_file = "" };
  g_autoptr(DpugwConfig) config = NULL;
  g_autoptr(GError) error = NULL;

  config = dpugw_config_load (&flags, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (config);
  g_assert_null (config->gateway_interface);
  g_assert_cmpint (config->mgmt_source, ==, DPUGW_MGMT_SOURCE_NONE);
}

static void
test_node_mode_to_string (void)
{
  g_assert_cmpstr (dpugw_node_mode_to_string (DPUGW_NODE_MODE_FULL), ==, "full");
  g_assert_cmpstr (dpugw_node_mode_to_string (DPUGW_NODE_MODE_DPU), ==, "dpu");
  g_assert_cmpstr (dpugw_node_mode_to_string (DPUGW_NODE_MODE_DPU_HOST), ==, "dpu-host");
}

/* ---------------------------------------------------------------------------
 * Device plugin
 * ------------------------------------------------------------------------ */

static void
test_device_plugin_variable (void)
{
  static const struct {
    const char *resource;
    const char *variable;
  } cases[] = {
    { "nvidia.com/mgmt_vf", "PCIDEVICE_NVIDIA_COM_MGMT_VF" },
    { "intel.com/sriov_netdevice", "PCIDEVICE_INTEL_COM_SRIOV_NETDEVICE" },
    { "openshift.io/mlxnics", "PCIDEVICE_OPENSHIFT_IO_MLXNICS" },
    { "example.com/Vf0", "PCIDEVICE_EXAMPLE_COM_VF0" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *variable = dpugw_device_plugin_variable (cases[i].resource, &error);

      g_assert_no_error (error);
      g_assert_cmpstr (variable, ==, cases[i].variable);
    }
}

static void
test_device_plugin_variable_invalid (void)
{
  static const char *const invalid[] = {
    "", "a b", "x=y", "$(rm)", "nvidia.com/mgmt_vf\n", "a;b", "ä.com/x", NULL,
  };
  g_autofree char *too_long = g_strnfill (254, 'a');
  g_autofree char *longest = g_strnfill (253, 'a');
  g_autofree char *longest_variable = NULL;
  g_autoptr(GError) longest_error = NULL;
  g_autoptr(GError) too_long_error = NULL;
  g_autofree char *too_long_variable = NULL;

  /* The NULL at the end is a case, too. */
  for (gsize i = 0; i < G_N_ELEMENTS (invalid); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *variable = dpugw_device_plugin_variable (invalid[i], &error);

      g_assert_error (error, DPUGW_ERROR, DPUGW_ERROR_INVALID_CONFIG);
      g_assert_null (variable);
      g_assert_true (g_str_has_prefix (error->message, "invalid device plugin resource name "));
    }

  longest_variable = dpugw_device_plugin_variable (longest, &longest_error);
  g_assert_no_error (longest_error);
  g_assert_nonnull (longest_variable);

  too_long_variable = dpugw_device_plugin_variable (too_long, &too_long_error);
  g_assert_error (too_long_error, DPUGW_ERROR, DPUGW_ERROR_INVALID_CONFIG);
  g_assert_null (too_long_variable);
}

static void
test_device_plugin_parse (void)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) one = NULL;
  g_auto(GStrv) two = NULL;

  two = dpugw_device_plugin_parse ("0000:01:02.3,0000:01:02.4", &error);
  g_assert_no_error (error);
  g_assert_nonnull (two);
  g_assert_cmpuint (g_strv_length (two), ==, 2);
  g_assert_cmpstr (two[0], ==, "0000:01:02.3");
  g_assert_cmpstr (two[1], ==, "0000:01:02.4");

  one = dpugw_device_plugin_parse ("0000:c1:00.2", &error);
  g_assert_no_error (error);
  g_assert_nonnull (one);
  g_assert_cmpuint (g_strv_length (one), ==, 1);
  g_assert_cmpstr (one[0], ==, "0000:c1:00.2");
}

static void
test_device_plugin_parse_spaces (void)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) devices = NULL;

  devices = dpugw_device_plugin_parse (" 0000:01:02.3 ,\t0000:01:02.4 ", &error);
  g_assert_no_error (error);
  g_assert_nonnull (devices);
  g_assert_cmpuint (g_strv_length (devices), ==, 2);
  g_assert_cmpstr (devices[0], ==, "0000:01:02.3");
  g_assert_cmpstr (devices[1], ==, "0000:01:02.4");
}

static void
test_device_plugin_parse_upper_case (void)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) devices = NULL;

  devices = dpugw_device_plugin_parse ("0000:3B:00.2,0002:C1:1F.7", &error);
  g_assert_no_error (error);
  g_assert_nonnull (devices);
  g_assert_cmpuint (g_strv_length (devices), ==, 2);
  g_assert_cmpstr (devices[0], ==, "0000:3b:00.2");
  /* Only the first, ovnkube's, is normalised. */
  g_assert_cmpstr (devices[1], ==, "0002:C1:1F.7");
}

static void
test_device_plugin_parse_empty (void)
{
  static const char *const empty[] = { "", ",", " , ", ",,", NULL };

  for (gsize i = 0; i < G_N_ELEMENTS (empty); i++)
    {
      g_autoptr(GError) error = NULL;
      g_auto(GStrv) devices = dpugw_device_plugin_parse (empty[i], &error);

      g_assert_error (error, DPUGW_ERROR, DPUGW_ERROR_INVALID_CONFIG);
      g_assert_null (devices);
      g_assert_cmpstr (error->message, ==, "device plugin device list is empty");
    }
}

static void
test_device_plugin_parse_garbage (void)
{
  /* The first entry is ovnkube's management port: it must be a device. */
  static const char *const bad[] = {
    "garbage,0000:01:02.3",
    "garbage",
    "0000:01:02.3;0000:01:02.4",
    "0000:01:02.3 0000:01:02.4",
    "0000:01:02.8",
    " , ../../x,0000:01:02.3",
  };
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) devices = NULL;

  devices = dpugw_device_plugin_parse ("garbage,0000:01:02.3", &error);
  g_assert_error (error, DPUGW_ERROR, DPUGW_ERROR_INVALID_CONFIG);
  g_assert_null (devices);
  g_assert_cmpstr (error->message, ==,
                   "device plugin device list: invalid PCI address \"garbage\": expected DDDD:BB:DD.F "
                   "(hexadecimal; device 00-1f, function 0-7)");

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) e = NULL;
      g_auto(GStrv) d = dpugw_device_plugin_parse (bad[i], &e);

      g_assert_error (e, DPUGW_ERROR, DPUGW_ERROR_INVALID_CONFIG);
      g_assert_null (d);
      g_assert_true (g_str_has_prefix (e->message, "device plugin device list: "));
    }
}

static void
test_device_plugin_parse_others_not_validated (void)
{
  /* deviceresource.go: split on ',', trim, drop empty entries, keep the order; only the first is used. */
  const char *const expected[] = { "0000:01:02.4", "garbage", "../../x", "0000:01:02.3", NULL };
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) devices = dpugw_device_plugin_parse (" , 0000:01:02.4 ,garbage,,../../x, 0000:01:02.3", &error);

  g_assert_no_error (error);
  g_assert_true (g_strv_equal ((const char * const *) devices, expected));
}

static void
test_finish_device_plugin (void)
{
  const char *const envp[] = {
    "OVNKUBE_NODE_MODE=dpu-host",
    "OVNKUBE_NODE_MGMT_PORT_DP_RESOURCE_NAME=nvidia.com/mgmt_vf",
    "PCIDEVICE_NVIDIA_COM_MGMT_VF=0000:3B:00.2,0000:3b:00.3",
    NULL,
  };
  DpugwConfigFlags flags = { .gateway_interface = DPUGW_DERIVE_FROM_MGMT_PORT, .config_file = "" };
  g_autoptr(DpugwConfig) config = NULL;
  g_autoptr(GError) error = NULL;

  config = dpugw_config_load (&flags, envp, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (config);
  g_assert_cmpint (config->mgmt_source, ==, DPUGW_MGMT_SOURCE_DEVICE_PLUGIN);
  g_assert_cmpstr (config->device_plugin_variable, ==, "PCIDEVICE_NVIDIA_COM_MGMT_VF");
  /* The first address, normalised. */
  g_assert_cmpstr (config->mgmt_port_vf_pci, ==, "0000:3b:00.2");
  g_assert_null (config->mgmt_port_netdev);
  g_assert_cmpuint (config->warnings->len, ==, 0);
}

static void
test_finish_device_plugin_priority (void)
{
  const char *const envp[] = { "PCIDEVICE_NVIDIA_COM_MGMT_VF=0000:01:00.5", NULL };
  g_autoptr(DpugwConfig) config = load_ini ("[OvnKubeNode]\n"
                                            "mode=dpu-host\n"
                                            "mgmt-port-netdev=pf0vf0\n"
                                            "mgmt-port-dp-resource-name=nvidia.com/mgmt_vf\n"
                                            "[Gateway]\n"
                                            "interface=derive-from-mgmt-port\n");
  g_autoptr(GError) error = NULL;

  g_assert_true (dpugw_config_finish (config, envp, &error));
  g_assert_no_error (error);
  /* The device plugin's VF wins over the configured netdev. */
  g_assert_cmpint (config->mgmt_source, ==, DPUGW_MGMT_SOURCE_DEVICE_PLUGIN);
  g_assert_cmpstr (config->mgmt_port_vf_pci, ==, "0000:01:00.5");
  g_assert_cmpstr (config->mgmt_port_netdev, ==, "pf0vf0");
  /* config.go's warning of both. */
  g_assert_cmpuint (config->warnings->len, ==, 1);
  assert_contains (g_ptr_array_index (config->warnings, 0), "both specified");
}

static void
test_finish_device_plugin_missing_fallback (void)
{
  g_autofree char *path = dpugw_test_temp_file ("[OvnKubeNode]\nmgmt-port-netdev=pf0vf0\n");
  const char *const envp[] = {
    "OVNKUBE_NODE_MODE=dpu-host",
    "OVNKUBE_NODE_MGMT_PORT_DP_RESOURCE_NAME=nvidia.com/mgmt_vf",
    "PCIDEVICE_NVIDIA_COM_OTHER=0000:01:00.5",
    NULL,
  };
  DpugwConfigFlags flags = { .gateway_interface = DPUGW_DERIVE_FROM_MGMT_PORT, .config_file = path };
  g_autoptr(DpugwConfig) config = NULL;
  g_autoptr(GError) error = NULL;

  /* ovnkube drops a resource whose variable is missing and uses the netdev. */
  config = dpugw_config_load (&flags, envp, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (config);
  g_assert_cmpint (config->mgmt_source, ==, DPUGW_MGMT_SOURCE_NETDEV);
  g_assert_null (config->mgmt_port_vf_pci);
  g_assert_cmpstr (config->device_plugin_variable, ==, "PCIDEVICE_NVIDIA_COM_MGMT_VF");
  g_assert_cmpuint (config->warnings->len, ==, 2);
  assert_contains (g_ptr_array_index (config->warnings, 0), "both specified");
  assert_contains (g_ptr_array_index (config->warnings, 1), "PCIDEVICE_NVIDIA_COM_MGMT_VF");
  assert_contains (g_ptr_array_index (config->warnings, 1), "pf0vf0");
  remove_file (path);
}

/* ovnkube.sh: with both variables set, only the resource reaches ovnkube, so there is no netdev to
 * fall back to when the device plugin's variable is missing. */
static void
test_finish_device_plugin_env_no_fallback (void)
{
  const char *const envp[] = {
    "OVNKUBE_NODE_MODE=dpu-host",
    "OVNKUBE_NODE_MGMT_PORT_NETDEV=pf0vf0",
    "OVNKUBE_NODE_MGMT_PORT_DP_RESOURCE_NAME=nvidia.com/mgmt_vf",
    NULL,
  };
  DpugwConfigFlags flags = { .gateway_interface = DPUGW_DERIVE_FROM_MGMT_PORT, .config_file = "" };
  DpugwConfigFlags flags_explicit = { .gateway_interface = "eth0", .config_file = "" };
  g_autoptr(DpugwConfig) config = NULL;
  g_autoptr(DpugwConfig) explicit = NULL;
  g_autoptr(GError) error = NULL;

  config = dpugw_config_load (&flags, envp, NULL, &error);
  g_assert_error (error, DPUGW_ERROR, DPUGW_ERROR_INVALID_CONFIG);
  g_assert_null (config);
  g_assert_cmpstr (error->message, ==,
                   "gateway interface \"derive-from-mgmt-port\" from --gateway-interface needs a management "
                   "port: the device plugin variable PCIDEVICE_NVIDIA_COM_MGMT_VF of resource "
                   "\"nvidia.com/mgmt_vf\" from OVNKUBE_NODE_MGMT_PORT_DP_RESOURCE_NAME is not set, and no "
                   "management port netdev is configured");
  g_clear_error (&error);

  explicit = dpugw_config_load (&flags_explicit, envp, NULL, &error);
  g_assert_no_error (error);
  g_assert_null (explicit->mgmt_port_netdev);
  g_assert_cmpint (explicit->mgmt_source, ==, DPUGW_MGMT_SOURCE_NONE);
  g_assert_cmpuint (explicit->warnings->len, ==, 2);
  assert_contains (g_ptr_array_index (explicit->warnings, 0), "OVNKUBE_NODE_MGMT_PORT_NETDEV (\"pf0vf0\") is ignored");
  assert_contains (g_ptr_array_index (explicit->warnings, 1), "no management port netdev is configured");
}

static void
test_finish_device_plugin_empty_fallback (void)
{
  /* An empty variable counts as unset. */
  const char *const envp[] = { "PCIDEVICE_NVIDIA_COM_MGMT_VF=", NULL };
  DpugwConfigFlags flags = {
    .mode = "dpu-host",
    .mgmt_port_netdev = "pf0vf0",
    .mgmt_port_dp_resource_name = "nvidia.com/mgmt_vf",
    .gateway_interface = DPUGW_DERIVE_FROM_MGMT_PORT,
  };
  g_autoptr(DpugwConfig) config = dpugw_config_new ();
  g_autoptr(GError) error = NULL;

  g_assert_true (dpugw_config_apply_flags (config, &flags, &error));
  g_assert_no_error (error);
  g_assert_true (dpugw_config_finish (config, envp, &error));
  g_assert_no_error (error);
  g_assert_cmpint (config->mgmt_source, ==, DPUGW_MGMT_SOURCE_NETDEV);
  g_assert_cmpuint (config->warnings->len, ==, 2);
  assert_contains (g_ptr_array_index (config->warnings, 1), "PCIDEVICE_NVIDIA_COM_MGMT_VF");
}

static void
test_finish_device_plugin_missing_no_netdev (void)
{
  const char *const envp[] = {
    "OVNKUBE_NODE_MODE=dpu-host",
    "OVNKUBE_NODE_MGMT_PORT_DP_RESOURCE_NAME=nvidia.com/mgmt_vf",
    NULL,
  };
  DpugwConfigFlags flags = { .gateway_interface = DPUGW_DERIVE_FROM_MGMT_PORT, .config_file = "" };
  g_autoptr(DpugwConfig) config = NULL;
  g_autoptr(GError) error = NULL;

  config = dpugw_config_load (&flags, envp, NULL, &error);
  g_assert_error (error, DPUGW_ERROR, DPUGW_ERROR_INVALID_CONFIG);
  g_assert_null (config);
  assert_contains (error->message, "needs a management port");
  assert_contains (error->message, "PCIDEVICE_NVIDIA_COM_MGMT_VF");
}

static void
test_finish_device_plugin_missing_not_derived (void)
{
  /* Without derive-from-mgmt-port, a missing variable is only worth a warning. */
  DpugwConfigFlags flags = { .mode = "dpu-host", .mgmt_port_dp_resource_name = "nvidia.com/mgmt_vf" };
  g_autoptr(DpugwConfig) config = dpugw_config_new ();
  g_autoptr(GError) error = NULL;

  g_assert_true (dpugw_config_apply_flags (config, &flags, &error));
  g_assert_no_error (error);
  g_assert_true (dpugw_config_finish (config, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (config->mgmt_source, ==, DPUGW_MGMT_SOURCE_NONE);
  g_assert_null (config->mgmt_port_vf_pci);
  g_assert_cmpuint (config->warnings->len, ==, 1);
  assert_contains (g_ptr_array_index (config->warnings, 0), "PCIDEVICE_NVIDIA_COM_MGMT_VF");
}

static void
test_finish_device_plugin_malformed (void)
{
  static const char *const values[] = { "garbage", "garbage,0000:01:02.3", ",", "0000:01:02.8" };

  for (gsize i = 0; i < G_N_ELEMENTS (values); i++)
    {
      g_autofree char *entry = g_strconcat ("PCIDEVICE_NVIDIA_COM_MGMT_VF=", values[i], NULL);
      const char *const envp[] = { entry, NULL };
      DpugwConfigFlags flags = {
        .mode = "dpu-host",
        .mgmt_port_netdev = "pf0vf0",
        .mgmt_port_dp_resource_name = "nvidia.com/mgmt_vf",
        .gateway_interface = DPUGW_DERIVE_FROM_MGMT_PORT,
        .config_file = "",
      };
      g_autoptr(DpugwConfig) config = NULL;
      g_autoptr(GError) error = NULL;

      /* Malformed is an error even though a netdev could be fallen back to. */
      config = dpugw_config_load (&flags, envp, NULL, &error);
      g_assert_error (error, DPUGW_ERROR, DPUGW_ERROR_INVALID_CONFIG);
      g_assert_null (config);
      g_assert_true (g_str_has_prefix (error->message, "PCIDEVICE_NVIDIA_COM_MGMT_VF: "));
    }
}

static void
test_finish_device_plugin_message (void)
{
  const char *const envp[] = { "PCIDEVICE_NVIDIA_COM_MGMT_VF=garbage,0000:01:02.3", NULL };
  DpugwConfigFlags flags = { .mgmt_port_dp_resource_name = "nvidia.com/mgmt_vf" };
  g_autoptr(DpugwConfig) config = dpugw_config_new ();
  g_autoptr(GError) error = NULL;

  g_assert_true (dpugw_config_apply_flags (config, &flags, &error));
  g_assert_no_error (error);
  g_assert_false (dpugw_config_finish (config, envp, &error));
  g_assert_error (error, DPUGW_ERROR, DPUGW_ERROR_INVALID_CONFIG);
  g_assert_cmpstr (error->message, ==,
                   "PCIDEVICE_NVIDIA_COM_MGMT_VF: device plugin device list: invalid PCI address "
                   "\"garbage\": expected DDDD:BB:DD.F (hexadecimal; device 00-1f, function 0-7)");
}

static void
test_finish_without_device_plugin (void)
{
  /* Without a resource name, PCIDEVICE_ variables are not looked at. */
  const char *const envp[] = { "PCIDEVICE_NVIDIA_COM_MGMT_VF=garbage", NULL };
  DpugwConfigFlags flags = { .mode = "dpu-host", .mgmt_port_netdev = "pf0vf0" };
  g_autoptr(DpugwConfig) config = dpugw_config_new ();
  g_autoptr(GError) error = NULL;

  g_assert_true (dpugw_config_apply_flags (config, &flags, &error));
  g_assert_no_error (error);
  g_assert_true (dpugw_config_finish (config, envp, &error));
  g_assert_no_error (error);
  g_assert_cmpint (config->mgmt_source, ==, DPUGW_MGMT_SOURCE_NETDEV);
  g_assert_null (config->device_plugin_variable);
  g_assert_null (config->mgmt_port_vf_pci);
  g_assert_cmpuint (config->warnings->len, ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/config/ini/feature-doc", test_ini_feature_doc);
  g_test_add_func ("/config/ini/empty", test_ini_empty);
  g_test_add_func ("/config/ini/case-insensitive", test_ini_case_insensitive);
  g_test_add_func ("/config/ini/values-case-sensitive", test_ini_values_case_sensitive);
  g_test_add_func ("/config/ini/full-ovnkube-file", test_ini_full_ovnkube_file);
  g_test_add_func ("/config/ini/gateway-mode-not-ours", test_ini_gateway_mode_not_ours);
  g_test_add_func ("/config/ini/section-matters", test_ini_section_matters);
  g_test_add_func ("/config/ini/unknown-values-not-validated", test_ini_unknown_values_not_validated);
  g_test_add_func ("/config/ini/comments", test_ini_comments);
  g_test_add_func ("/config/ini/whitespace-around-equals", test_ini_whitespace_around_equals);
  g_test_add_func ("/config/ini/quoted", test_ini_quoted);
  g_test_add_func ("/config/ini/quoted-comment-chars", test_ini_quoted_comment_chars);
  g_test_add_func ("/config/ini/quoted-partial", test_ini_quoted_partial);
  g_test_add_func ("/config/ini/escapes", test_ini_escapes);
  g_test_add_func ("/config/ini/quoted-spaces-kept", test_ini_quoted_spaces_kept);
  g_test_add_func ("/config/ini/unquoted-inner-spaces", test_ini_unquoted_inner_spaces);
  g_test_add_func ("/config/ini/subsection", test_ini_subsection);
  g_test_add_func ("/config/ini/crlf", test_ini_crlf);
  g_test_add_func ("/config/ini/no-final-newline", test_ini_no_final_newline);
  g_test_add_func ("/config/ini/boolean-key", test_ini_boolean_key);
  g_test_add_func ("/config/ini/empty-value-unset", test_ini_empty_value_unset);
  g_test_add_func ("/config/ini/last-value-wins", test_ini_last_value_wins);
  g_test_add_func ("/config/ini/empty-after-value", test_ini_empty_after_value);
  g_test_add_func ("/config/gcfg/subsection-ignored", test_gcfg_subsection_ignored);
  g_test_add_func ("/config/gcfg/subsection-escapes", test_gcfg_subsection_escapes);
  g_test_add_func ("/config/gcfg/blank-variable", test_gcfg_blank_variable);
  g_test_add_func ("/config/gcfg/continuation", test_gcfg_continuation);
  g_test_add_func ("/config/gcfg/escapes-refused", test_gcfg_escapes_refused);
  g_test_add_func ("/config/gcfg/values", test_gcfg_values);
  g_test_add_func ("/config/gcfg/unknown-warnings", test_gcfg_unknown_warnings);
  g_test_add_func ("/config/gcfg/unknown-still-syntax-checked", test_gcfg_unknown_still_syntax_checked);
  g_test_add_func ("/config/gcfg/warnings-reach-config", test_gcfg_warnings_reach_config);
  g_test_add_func ("/config/gcfg/case-folding", test_gcfg_case_folding);
  g_test_add_func ("/config/ini/error/key-outside-section", test_ini_error_key_outside_section);
  g_test_add_func ("/config/ini/error/unterminated-quote", test_ini_error_unterminated_quote);
  g_test_add_func ("/config/ini/error/section-without-bracket", test_ini_error_section_without_bracket);
  g_test_add_func ("/config/ini/error/other-syntax", test_ini_error_other_syntax);
  g_test_add_func ("/config/ini/error/foreign-section", test_ini_error_in_foreign_section);
  g_test_add_func ("/config/ini/error/default-origin", test_ini_error_default_origin);
  g_test_add_func ("/config/ini/error/invalid-mode", test_ini_invalid_mode);
  g_test_add_func ("/config/ini/error/invalid-netdev", test_ini_invalid_netdev);
  g_test_add_func ("/config/ini/error/invalid-netdev-too-long", test_ini_invalid_netdev_too_long);
  g_test_add_func ("/config/ini/error/invalid-interface", test_ini_invalid_interface);
  g_test_add_func ("/config/ini/error/invalid-resource-name", test_ini_invalid_resource_name);
  g_test_add_func ("/config/ini/error/nul-bytes", test_ini_nul_bytes);
  g_test_add_func ("/config/ini/error/invalid-utf8", test_ini_invalid_utf8);
  g_test_add_func ("/config/ini/error/too-large", test_ini_too_large);
  g_test_add_func ("/config/ini/valid-utf8", test_ini_valid_utf8);

  g_test_add_func ("/config/file/load", test_file_load);
  g_test_add_func ("/config/file/missing", test_file_missing);
  g_test_add_func ("/config/file/directory", test_file_directory);
  g_test_add_func ("/config/file/error-names-path", test_file_error_names_path);
  g_test_add_func ("/config/file/syntax-error-names-path", test_file_syntax_error_names_path);

  g_test_add_func ("/config/env/all", test_env_all);
  g_test_add_func ("/config/env/each-mode", test_env_each_mode);
  g_test_add_func ("/config/env/empty-is-unset", test_env_empty_is_unset);
  g_test_add_func ("/config/env/other-variables-ignored", test_env_other_variables_ignored);
  g_test_add_func ("/config/env/null", test_env_null);
  g_test_add_func ("/config/env/invalid", test_env_invalid);
  g_test_add_func ("/config/env/gateway-opts", test_env_gateway_opts);
  g_test_add_func ("/config/env/gateway-opts-precedence", test_env_gateway_opts_precedence);
  g_test_add_func ("/config/env/gateway-opts-malformed", test_env_gateway_opts_malformed);
  g_test_add_func ("/config/file/default-files-fallback", test_default_files_fallback);

  g_test_add_func ("/config/precedence/default", test_precedence_default);
  g_test_add_func ("/config/precedence/env-over-file", test_precedence_env_over_file);
  g_test_add_func ("/config/precedence/file-when-env-empty", test_precedence_file_when_env_empty);
  g_test_add_func ("/config/precedence/flag-over-env", test_precedence_flag_over_env);
  g_test_add_func ("/config/precedence/env-when-flag-empty", test_precedence_env_when_flag_empty);
  g_test_add_func ("/config/precedence/flag-over-file", test_precedence_flag_over_file);
  g_test_add_func ("/config/precedence/all-three", test_precedence_all_three);
  g_test_add_func ("/config/precedence/no-file-flag", test_precedence_no_file_flag);
  g_test_add_func ("/config/precedence/no-file-flag-ignores-broken-default",
                   test_precedence_no_file_flag_ignores_broken_default);
  g_test_add_func ("/config/precedence/default-file-used", test_precedence_default_file_used);
  g_test_add_func ("/config/precedence/default-file-missing", test_precedence_default_file_missing);
  g_test_add_func ("/config/precedence/explicit-file-over-default", test_precedence_explicit_file_over_default);
  g_test_add_func ("/config/precedence/explicit-file-missing", test_precedence_explicit_file_missing);
  g_test_add_func ("/config/precedence/env-error-despite-flag", test_precedence_env_error_despite_flag);
  g_test_add_func ("/config/flags/apply", test_apply_flags);
  g_test_add_func ("/config/flags/invalid", test_apply_flags_invalid);

  g_test_add_func ("/config/validate/derive-needs-dpu-host", test_validate_derive_needs_dpu_host);
  g_test_add_func ("/config/validate/derive-needs-mgmt-port", test_validate_derive_needs_mgmt_port);
  g_test_add_func ("/config/validate/derive-ok", test_validate_derive_ok);
  g_test_add_func ("/config/validate/explicit-interface", test_validate_explicit_interface);
  g_test_add_func ("/config/validate/dpu-host-needs-mgmt-port", test_validate_dpu_host_needs_mgmt_port);
  g_test_add_func ("/config/validate/dpu-refuses-mgmt-port", test_validate_dpu_refuses_mgmt_port);
  g_test_add_func ("/config/validate/netdev-and-resource", test_validate_netdev_and_resource);
  g_test_add_func ("/config/precedence/default-does-not-override", test_precedence_default_does_not_override);
  g_test_add_func ("/config/validate/invalid-explicit-interface", test_validate_invalid_explicit_interface);
  g_test_add_func ("/config/validate/derive-case-sensitive", test_validate_derive_case_sensitive);
  g_test_add_func ("/config/validate/no-gateway-interface", test_validate_no_gateway_interface);
  g_test_add_func ("/config/validate/node-mode-to-string", test_node_mode_to_string);

  g_test_add_func ("/config/device-plugin/variable", test_device_plugin_variable);
  g_test_add_func ("/config/device-plugin/variable-invalid", test_device_plugin_variable_invalid);
  g_test_add_func ("/config/device-plugin/parse", test_device_plugin_parse);
  g_test_add_func ("/config/device-plugin/parse-spaces", test_device_plugin_parse_spaces);
  g_test_add_func ("/config/device-plugin/parse-upper-case", test_device_plugin_parse_upper_case);
  g_test_add_func ("/config/device-plugin/parse-empty", test_device_plugin_parse_empty);
  g_test_add_func ("/config/device-plugin/parse-garbage", test_device_plugin_parse_garbage);
  g_test_add_func ("/config/device-plugin/parse-others-not-validated", test_device_plugin_parse_others_not_validated);
  g_test_add_func ("/config/device-plugin/finish", test_finish_device_plugin);
  g_test_add_func ("/config/device-plugin/priority-over-netdev", test_finish_device_plugin_priority);
  g_test_add_func ("/config/device-plugin/missing-fallback", test_finish_device_plugin_missing_fallback);
  g_test_add_func ("/config/device-plugin/empty-fallback", test_finish_device_plugin_empty_fallback);
  g_test_add_func ("/config/device-plugin/env-no-fallback", test_finish_device_plugin_env_no_fallback);
  g_test_add_func ("/config/device-plugin/missing-no-netdev", test_finish_device_plugin_missing_no_netdev);
  g_test_add_func ("/config/device-plugin/missing-not-derived", test_finish_device_plugin_missing_not_derived);
  g_test_add_func ("/config/device-plugin/malformed", test_finish_device_plugin_malformed);
  g_test_add_func ("/config/device-plugin/message", test_finish_device_plugin_message);
  g_test_add_func ("/config/device-plugin/not-configured", test_finish_without_device_plugin);

  return g_test_run ();
}
