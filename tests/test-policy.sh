#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# The bus policy of org.ovnk.DpuGateway (dbus/org.ovnk.DpuGateway.conf) on a
# dbus-daemon configured like the system bus, and the daemon's own guard on
# Refresh on a bus that allows everything.  Callers are root and nobody
# (setpriv).  Output: TAP.
#
# Usage: test-policy.sh SRCDIR BUILDDIR
# Environment: DPUGW_DBUS_POLICY (the policy file; default SRCDIR/dbus/org.ovnk.DpuGateway.conf)

set -u

srcdir=${1:?usage: test-policy.sh SRCDIR BUILDDIR}
builddir=${2:?usage: test-policy.sh SRCDIR BUILDDIR}
policy=${DPUGW_DBUS_POLICY:-$srcdir/dbus/org.ovnk.DpuGateway.conf}
daemon=$builddir/src/daemon/dpu-gatewayd
mock_sysfs=$builddir/tests/dpugw-mock-sysfs
recording=$srcdir/data/dpu-host-example.umockdev

NAME=org.ovnk.DpuGateway
OBJ=/org/ovnk/DpuGateway
NOBODY_UID=65534
NOBODY_GID=65534
DEADLINE=20  # seconds, for every wait

planned=19
n=0
failed=0

ok () { n=$((n + 1)); echo "ok $n - $1"; }
not_ok () {
  n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"
  shift
  local line
  for line in "$@"; do printf '%s\n' "$line" | sed 's/^/# /'; done
}
# check DESCRIPTION COMMAND...: ok when COMMAND succeeds; its output goes to the diagnostics otherwise.
check () {
  local desc=$1 out
  shift
  if out=$("$@" 2>&1); then ok "$desc"; else not_ok "$desc" "$out"; fi
}

# Everything not run yet fails: nothing is skipped.
bail () {
  local reason=$1
  while [ "$n" -lt "$planned" ]; do not_ok "not run: $reason"; done
  show_logs
  exit 1
}

echo "1..$planned"

dir=
bus_pid=
bus2_pid=
daemon_pid=
daemon2_pid=

show_logs () {
  local f
  [ -n "$dir" ] || return 0
  for f in "$dir"/*.log; do
    [ -s "$f" ] || continue
    echo "# ---- ${f##*/} ----"
    sed 's/^/# /' "$f"
  done
}

cleanup () {
  local pid
  for pid in $daemon_pid $daemon2_pid $bus_pid $bus2_pid; do
    kill -TERM "$pid" 2>/dev/null
  done
  for pid in $daemon_pid $daemon2_pid $bus_pid $bus2_pid; do
    wait "$pid" 2>/dev/null
  done
  [ -n "$dir" ] && rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- prerequisites: none may be missing -------------------------------------

missing=
for tool in setpriv dbus-daemon gdbus; do
  command -v "$tool" >/dev/null 2>&1 || missing="$missing $tool"
done
[ -x "$daemon" ] || missing="$missing $daemon"
[ -x "$mock_sysfs" ] || missing="$missing $mock_sysfs"
[ -r "$policy" ] || missing="$missing $policy"
[ "$(id -u)" = 0 ] || missing="$missing (root: the test runs daemons as root and calls as nobody)"
if [ -n "$missing" ]; then
  not_ok "prerequisites present" "missing:$missing"
  bail "prerequisites missing"
fi
ok "prerequisites present (setpriv, dbus-daemon, gdbus, root)"

dir=$(mktemp -d "${TMPDIR:-/tmp}/dpugw-test-policy.XXXXXX") || bail "mktemp failed"
# nobody must reach the sockets in it
chmod 755 "$dir"

# --- helpers ------------------------------------------------------------------

as_nobody () {
  setpriv --reuid=$NOBODY_UID --regid=$NOBODY_GID --clear-groups "$@"
}

# call ADDRESS METHOD [ARGS...]: gdbus call to the daemon's object, as root
call () {
  local address=$1 method=$2
  shift 2
  gdbus call --address "$address" --timeout 10 --dest $NAME --object-path $OBJ --method "$method" "$@"
}

# nobody_call ADDRESS METHOD [ARGS...]: the same, as nobody
nobody_call () {
  local address=$1 method=$2
  shift 2
  as_nobody gdbus call --address "$address" --timeout 10 --dest $NAME --object-path $OBJ --method "$method" "$@"
}

# expect_error DESCRIPTION ERROR-NAME MESSAGE-PATTERN COMMAND...: COMMAND fails with that D-Bus error
expect_error () {
  local desc=$1 name=$2 pattern=$3 out
  shift 3
  if out=$("$@" 2>&1); then
    not_ok "$desc" "succeeded, expected $name" "$out"
  elif ! grep -qF "GDBus.Error:$name: " <<<"$out"; then
    not_ok "$desc" "expected $name" "$out"
  elif [ -n "$pattern" ] && ! grep -qE "$pattern" <<<"$out"; then
    not_ok "$desc" "expected a message matching: $pattern" "$out"
  else
    ok "$desc"
  fi
}

# expect_output DESCRIPTION PATTERN COMMAND...: COMMAND succeeds and prints PATTERN (ERE)
expect_output () {
  local desc=$1 pattern=$2 out
  shift 2
  if ! out=$("$@" 2>&1); then
    not_ok "$desc" "failed" "$out"
  elif ! grep -qE "$pattern" <<<"$out"; then
    not_ok "$desc" "expected output matching: $pattern" "$out"
  else
    ok "$desc"
  fi
}

# start_bus CONFIG ADDRESS-FILE LOG: starts dbus-daemon; sets started_pid; waits for its address
start_bus () {
  local config=$1 address_file=$2 log=$3 i
  dbus-daemon --config-file="$config" --nofork --print-address=3 3>"$address_file" >"$log" 2>&1 &
  started_pid=$!
  for ((i = 0; i < DEADLINE * 20; i++)); do
    [ -s "$address_file" ] && return 0
    kill -0 "$started_pid" 2>/dev/null || return 1
    sleep 0.05
  done
  return 1
}

# wait_owner ADDRESS PID: until the name has an owner (or the daemon PID died)
wait_owner () {
  local address=$1 pid=$2 i
  for ((i = 0; i < DEADLINE * 20; i++)); do
    if gdbus call --address "$address" --timeout 5 --dest org.freedesktop.DBus \
         --object-path /org/freedesktop/DBus --method org.freedesktop.DBus.NameHasOwner $NAME 2>/dev/null |
       grep -q true; then
      return 0
    fi
    kill -0 "$pid" 2>/dev/null || return 1
    sleep 0.05
  done
  return 1
}

# start_daemon ADDRESS LOG: dpu-gatewayd as root on that bus; sets started_pid
start_daemon () {
  local address=$1 log=$2
  env -u G_DEBUG -u OVNKUBE_NODE_MODE -u OVNKUBE_NODE_MGMT_PORT_NETDEV -u OVNKUBE_NODE_MGMT_PORT_DP_RESOURCE_NAME \
    DBUS_SYSTEM_BUS_ADDRESS="$address" \
    "$daemon" --sysfs-root "$dir/sys" --config-file= --ovnkube-node-mode=dpu-host \
    --ovnkube-node-mgmt-port-netdev=pf0vf0 --gateway-interface=derive-from-mgmt-port >"$log" 2>&1 &
  started_pid=$!
}

# stop PID: SIGTERM, and its exit status
stop () {
  local pid=$1
  kill -TERM "$pid" 2>/dev/null
  wait "$pid"
}

# --- the fake hardware ----------------------------------------------------------

if ! out=$("$mock_sysfs" "$recording" "$dir/sys" 2>&1); then
  not_ok "fake sysfs built" "$out"
  bail "no fake sysfs"
fi
chmod -R go+rX "$dir/sys"

# --- a system-like bus --------------------------------------------------------

cat >"$dir/system.conf" <<EOF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <auth>EXTERNAL</auth>
  <listen>unix:path=$dir/system_bus_socket</listen>

  <policy context="default">
    <allow user="*"/>
    <deny own="*"/>
    <deny send_type="method_call"/>
    <allow send_type="signal"/>
    <allow send_requested_reply="true" send_type="method_return"/>
    <allow send_requested_reply="true" send_type="error"/>
    <allow receive_type="method_call"/>
    <allow receive_type="method_return"/>
    <allow receive_type="error"/>
    <allow receive_type="signal"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus.Introspectable"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus.Properties"/>
    <deny send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus"
          send_member="UpdateActivationEnvironment"/>
    <deny send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus.Debug.Stats"/>
  </policy>

  <include>$policy</include>
</busconfig>
EOF

if start_bus "$dir/system.conf" "$dir/system.address" "$dir/system-bus.log"; then
  bus_pid=$started_pid
  address=$(head -n1 "$dir/system.address")
else
  bus_pid=$started_pid
  not_ok "system-like bus started"
  bail "no bus"
fi

start_daemon "$address" "$dir/daemon-system.log"
daemon_pid=$started_pid
if wait_owner "$address" "$daemon_pid"; then
  ok "root's dpu-gatewayd owns $NAME on the system-like bus"
else
  not_ok "root's dpu-gatewayd owns $NAME on the system-like bus"
  bail "no daemon"
fi

# --- what nobody may do ---------------------------------------------------------

expect_output "nobody: Resolve pf0vf0 answers eth0" "^\('eth0', \{.*'vf-pci': <'0000:01:02.3'>" \
  nobody_call "$address" $NAME.Resolve pf0vf0
expect_output "nobody: GetTopology answers" "'pci': <'0000:01:00.0'>" \
  nobody_call "$address" $NAME.GetTopology
expect_output "nobody: Properties.Get GatewayInterface answers" "^\(<'eth0'>,\)$" \
  nobody_call "$address" org.freedesktop.DBus.Properties.Get $NAME GatewayInterface
expect_output "nobody: Properties.GetAll answers" "'ManagementPort': <'pf0vf0'>" \
  nobody_call "$address" org.freedesktop.DBus.Properties.GetAll $NAME
expect_output "nobody: Introspect answers" "<interface name=\"$NAME\">" \
  nobody_call "$address" org.freedesktop.DBus.Introspectable.Introspect
expect_output "nobody: Peer.Ping answers" "^\(\)$" \
  nobody_call "$address" org.freedesktop.DBus.Peer.Ping

# --- what nobody may not do: denied by the bus ------------------------------------

expect_error "nobody: Refresh is denied by the bus policy" org.freedesktop.DBus.Error.AccessDenied \
  "Rejected send message" \
  nobody_call "$address" $NAME.Refresh
expect_error "nobody: Properties.Set is denied by the bus policy" org.freedesktop.DBus.Error.AccessDenied \
  "Rejected send message" \
  nobody_call "$address" org.freedesktop.DBus.Properties.Set $NAME GatewayInterface "<'eth9'>"
expect_error "nobody: an unknown method is denied by the bus policy" org.freedesktop.DBus.Error.AccessDenied \
  "Rejected send message" \
  nobody_call "$address" $NAME.NoSuchMethod
expect_error "nobody: RequestName $NAME is denied" org.freedesktop.DBus.Error.AccessDenied \
  "not allowed to own the service \"$NAME\"" \
  as_nobody gdbus call --address "$address" --timeout 10 --dest org.freedesktop.DBus \
  --object-path /org/freedesktop/DBus --method org.freedesktop.DBus.RequestName $NAME 4

# --- root ------------------------------------------------------------------------

expect_output "root: Refresh succeeds" "^\(\)$" call "$address" $NAME.Refresh

# --- the daemon's own guard, on a bus that allows everything ----------------------

cat >"$dir/permissive.conf" <<EOF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <auth>EXTERNAL</auth>
  <listen>unix:path=$dir/permissive_bus_socket</listen>
  <policy context="default">
    <allow user="*"/>
    <allow own="*"/>
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
  </policy>
</busconfig>
EOF

if start_bus "$dir/permissive.conf" "$dir/permissive.address" "$dir/permissive-bus.log"; then
  bus2_pid=$started_pid
  address2=$(head -n1 "$dir/permissive.address")
  start_daemon "$address2" "$dir/daemon-permissive.log"
  daemon2_pid=$started_pid
  if wait_owner "$address2" "$daemon2_pid"; then
    ok "a second dpu-gatewayd owns $NAME on a permissive bus"
  else
    not_ok "a second dpu-gatewayd owns $NAME on a permissive bus"
    bail "no daemon on the permissive bus"
  fi
else
  bus2_pid=$started_pid
  not_ok "permissive bus started"
  bail "no permissive bus"
fi

expect_error "permissive bus: nobody's Refresh is refused by the daemon itself" \
  org.freedesktop.DBus.Error.AccessDenied "AccessDenied: Refresh is for root only$" \
  nobody_call "$address2" $NAME.Refresh
expect_output "permissive bus: nobody's Resolve pf0vf0 answers eth0" "^\('eth0', " \
  nobody_call "$address2" $NAME.Resolve pf0vf0
expect_output "permissive bus: root's Refresh succeeds" "^\(\)$" call "$address2" $NAME.Refresh

# --- both daemons end with 0 on SIGTERM ---------------------------------------------

stop "$daemon_pid"; status=$?
daemon_pid=
if [ "$status" = 0 ]; then ok "dpu-gatewayd (system-like bus) exits 0 on SIGTERM"
else not_ok "dpu-gatewayd (system-like bus) exits 0 on SIGTERM" "exit status $status"; fi
stop "$daemon2_pid"; status=$?
daemon2_pid=
if [ "$status" = 0 ]; then ok "dpu-gatewayd (permissive bus) exits 0 on SIGTERM"
else not_ok "dpu-gatewayd (permissive bus) exits 0 on SIGTERM" "exit status $status"; fi

if [ "$n" != "$planned" ]; then
  not_ok "planned $planned tests, ran $n"
fi
if [ "$failed" -gt 0 ]; then
  show_logs
  exit 1
fi
exit 0
