#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# The NetworkManager dispatcher script (data/nm-dispatcher/90-dpu-gateway) and
# its example hook (50-ovs-bridge-port), with real parts: a real ovsdb-server
# holding a bridge br-ex, the real dpu-gatewayd over the example hardware on a
# private system-like bus, and
#   A. the script called as NetworkManager calls it (a clean environment,
#      INTERFACE ACTION, DEVICE_IFACE, CONNECTION_UUID), with the test's
#      directories given through DPU_GATEWAY_DISPATCHER_DIR/_CONF;
#   B. real NetworkManager and nm-dispatcher in network, mount, UTS and PID
#      namespaces of their own (veths named eth0, eth1, pf0vf0; /etc an overlay;
#      /run a tmpfs holding the bus at its default address; a read-only sysfs
#      of that network namespace, on which NetworkManager does without udev),
#      the script and the hooks installed at their real paths, and connections
#      brought up with nmcli, timed: a slow hook, and one that leaves a child
#      behind, hold no activation.
# The hooks run detached (--run-hooks): each dispatch waits for the runner's
# last log line before it looks at what the hooks did.
# logger is a fake, first in PATH, that records what is logged.  Output: TAP.
#
# Usage: test-dispatcher.sh SRCDIR BUILDDIR
# Environment: DPUGW_DBUS_POLICY (the policy file; default SRCDIR/dbus/org.ovnk.DpuGateway.conf)

# Assertions are condition strings, evaluated by expect; functions are called from them and traps.
# shellcheck disable=SC2016,SC2317

set -u

if [ "${1-}" = --nm-inner ]; then
  mode='nm-inner'
  shift
else
  mode=main
fi

srcdir=${1:?usage: test-dispatcher.sh SRCDIR BUILDDIR}
builddir=${2:?usage: test-dispatcher.sh SRCDIR BUILDDIR}
srcdir=$(realpath "$srcdir")
builddir=$(realpath "$builddir")
self=$(realpath "${BASH_SOURCE[0]}")
policy=${DPUGW_DBUS_POLICY:-$srcdir/dbus/org.ovnk.DpuGateway.conf}
daemon=$builddir/src/daemon/dpu-gatewayd
mock_sysfs=$builddir/tests/dpugw-mock-sysfs
recording=$srcdir/data/dpu-host-example.umockdev
script=$srcdir/data/nm-dispatcher/90-dpu-gateway
ovs_hook=$srcdir/data/nm-dispatcher/hooks/50-ovs-bridge-port.example
conf_example=$srcdir/data/nm-dispatcher/dispatcher.conf.example
schema=/usr/share/openvswitch/vswitch.ovsschema
nm_dispatcher=
for f in /usr/lib/NetworkManager/nm-dispatcher /usr/libexec/nm-dispatcher; do
  [ -x "$f" ] && { nm_dispatcher=$f; break; }
done

NAME=org.ovnk.DpuGateway
DEADLINE=20  # seconds, for every wait
TAG=dpu-gateway-dispatcher

# --- shared helpers -------------------------------------------------------------

# write_system_bus_conf FILE LISTEN [EXTRA-XML]: a dbus-daemon configuration like
# the system bus's, with the project's policy.
write_system_bus_conf () {
  cat >"$1" <<EOF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <auth>EXTERNAL</auth>
  <listen>$2</listen>
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
  </policy>
  ${3-}
  <include>$policy</include>
</busconfig>
EOF
}

# start_bus CONFIG ADDRESS-FILE LOG: dbus-daemon; sets started_pid; waits for its address
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

# wait_owner ADDRESS BUS-NAME PID: until BUS-NAME has an owner (or PID died)
wait_owner () {
  local address=$1 name=$2 pid=$3 i
  for ((i = 0; i < DEADLINE * 20; i++)); do
    if gdbus call --address "$address" --timeout 5 --dest org.freedesktop.DBus \
         --object-path /org/freedesktop/DBus --method org.freedesktop.DBus.NameHasOwner "$name" 2>/dev/null |
       grep -q true; then
      return 0
    fi
    kill -0 "$pid" 2>/dev/null || return 1
    sleep 0.05
  done
  return 1
}

# start_daemon ADDRESS SYSFS LOG: dpu-gatewayd on that bus over that tree; sets started_pid
start_daemon () {
  env -u G_DEBUG -u OVNKUBE_NODE_MODE -u OVNKUBE_NODE_MGMT_PORT_NETDEV -u OVNKUBE_NODE_MGMT_PORT_DP_RESOURCE_NAME \
    DBUS_SYSTEM_BUS_ADDRESS="$1" \
    "$daemon" --sysfs-root "$2" --config-file= --ovnkube-node-mode=dpu-host \
    --ovnkube-node-mgmt-port-netdev=pf0vf0 --gateway-interface=derive-from-mgmt-port >"$3" 2>&1 &
  started_pid=$!
}

# make_fake_logger BINDIR LOGFILE: a logger(1) recording "TAG PRIORITY MESSAGE" lines
make_fake_logger () {
  mkdir -p "$1"
  cat >"$1/logger" <<EOF
#!/bin/bash
tag= priority=
while [ \$# -gt 0 ]; do
  case \$1 in
    -t) tag=\$2; shift 2 ;;
    -p) priority=\$2; shift 2 ;;
    --) shift; break ;;
    *) break ;;
  esac
done
printf '%s %s %s\n' "\$tag" "\$priority" "\$*" >>'$2'
EOF
  chmod 0755 "$1/logger"
}

# make_recorder PATH RECDIR: a hook that records its arguments and environment
# to RECDIR/env-IFACE-ACTION and its run to RECDIR/order.log
make_recorder () {
  cat >"$1" <<EOF
#!/bin/bash
{
  printf 'ARG1=%s\nARG2=%s\n' "\$1" "\$2"
  env | grep -E '^(DPU_GATEWAY_(INTERFACE|MGMT_PORT|VF_PCI|PF_PCI|ACTION|ROLE|PREVIOUS_INTERFACE|SOURCE)|DEVICE_IFACE|CONNECTION_UUID)=' | sort
} >'$2'/env-"\$1"-"\$2"
echo "\${0##*/} \$1 \$2" >>'$2/order.log'
echo "recorded \$1 \$2"
EOF
  chown root:root "$1"
  chmod 0755 "$1"
}

# write_ovs_conf FILE DB-SOCKET
write_ovs_conf () {
  {
    echo "# written by test-dispatcher.sh"
    echo "OVS_BRIDGE=br-ex  # the bridge"
    echo "OVS_VSCTL_OPTIONS=\"--db=unix:$2 --no-wait\""
  } >"$1"
}

# =================================================================================
# B, inside: run by unshare in new network, mount and UTS namespaces.
# Arguments: SRCDIR BUILDDIR DIR.  Leaves its results in DIR/nm/.
# =================================================================================

nm_inner () {
  local dir=$1 nm=$1/nm nmlib i out
  # Globals, for the EXIT trap.  Besides, this runs as PID 1 of a PID namespace
  # of its own: whatever is left when it ends, the kernel kills.
  bus_pid='' daemon_pid='' disp_pid='' nm_pid=''
  exec >"$nm/inner.log" 2>&1
  set -x
  # meson's G_DEBUG=fatal-warnings is for the project's programs, not NetworkManager's
  unset G_DEBUG

  inner_cleanup () {
    local pid
    for pid in $nm_pid $disp_pid $daemon_pid $bus_pid; do kill -TERM "$pid" 2>/dev/null; done
    for pid in $nm_pid $disp_pid $daemon_pid $bus_pid; do wait "$pid" 2>/dev/null; done
  }
  trap inner_cleanup EXIT
  trap 'exit 130' INT TERM

  # Nothing the host sees: /etc an overlay, /run and NetworkManager's state
  # tmpfs, sysfs this network namespace's, read-only (NetworkManager then does
  # without udev).
  mount --make-rprivate / || return 1
  mkdir -p "$nm/etc-upper" "$nm/etc-work" || return 1
  mount -t overlay overlay -o "lowerdir=/etc,upperdir=$nm/etc-upper,workdir=$nm/etc-work" /etc || return 1
  mount -t tmpfs -o mode=0755 tmpfs /run || return 1
  mkdir -p /run/dbus /run/NetworkManager || return 1
  if [ -d /var/lib/NetworkManager ]; then
    mount -t tmpfs -o mode=0700 tmpfs /var/lib/NetworkManager || return 1
  fi
  mount -t sysfs -o ro sysfs /sys || return 1

  # The links of the example hardware, and their peers, which NetworkManager leaves alone.
  ip link set lo up || return 1
  for i in eth0 eth1 pf0vf0; do
    ip link add "$i" type veth peer name "p-$i" || return 1
    ip link set "p-$i" up || return 1
  done

  # The script where meson installs it (prefix /usr), alone: the host's
  # dispatcher scripts, in /usr/lib and /etc, are hidden.
  nmlib=/usr/lib/NetworkManager/dispatcher.d
  [ -d "$nmlib" ] || return 1
  mount -t tmpfs -o mode=0755 tmpfs "$nmlib" || return 1
  rm -rf /etc/NetworkManager/dispatcher.d || return 1
  install -d -m 0755 /etc/NetworkManager/dispatcher.d "$nmlib/pre-up.d" || return 1
  install -m 0755 -o root -g root "$script" "$nmlib/90-dpu-gateway" || return 1
  # Not installed there any more, but linked by an older package or an administrator: the
  # activation (which NetworkManager holds for pre-up scripts) must not wait for the hooks.
  ln -s ../90-dpu-gateway "$nmlib/pre-up.d/90-dpu-gateway" || return 1
  # The administrator's hooks and configuration.
  install -d -m 0755 -o root -g root /etc/dpu-gateway/dispatcher.d || return 1
  install -m 0755 -o root -g root "$ovs_hook" /etc/dpu-gateway/dispatcher.d/50-ovs-bridge-port || return 1
  make_recorder /etc/dpu-gateway/dispatcher.d/80-record-env "$nm/rec"
  # A slow hook, and one that leaves a child behind: neither may hold NetworkManager.
  printf '#!/bin/sh\nsleep 4\n' >/etc/dpu-gateway/dispatcher.d/60-slow
  printf '#!/bin/sh\nsleep 8 >/dev/null 2>&1 &\n' >/etc/dpu-gateway/dispatcher.d/61-background
  chmod 0755 /etc/dpu-gateway/dispatcher.d/60-slow /etc/dpu-gateway/dispatcher.d/61-background
  write_ovs_conf /etc/dpu-gateway/dispatcher.conf "$dir/db.sock"
  chmod 0644 /etc/dpu-gateway/dispatcher.conf

  # The system bus at its default address, with NetworkManager's policies.
  write_system_bus_conf "$nm/bus.conf" unix:path=/run/dbus/system_bus_socket \
    "<includedir>/usr/share/dbus-1/system.d</includedir>"
  start_bus "$nm/bus.conf" "$nm/bus.address" "$nm/bus.log" || return 1
  bus_pid=$started_pid
  export DBUS_SYSTEM_BUS_ADDRESS=unix:path=/run/dbus/system_bus_socket

  start_daemon "$DBUS_SYSTEM_BUS_ADDRESS" "$dir/sys" "$nm/daemon.log"
  daemon_pid=$started_pid
  wait_owner "$DBUS_SYSTEM_BUS_ADDRESS" $NAME "$daemon_pid" || return 1

  # nm-dispatcher gives scripts NetworkManager's variables and its own PATH:
  # the fake logger first.
  PATH="$nm/bin:$PATH" "$nm_dispatcher" --persist --debug >"$nm/nm-dispatcher.log" 2>&1 &
  disp_pid=$!
  wait_owner "$DBUS_SYSTEM_BUS_ADDRESS" org.freedesktop.nm_dispatcher "$disp_pid" || return 1

  mkdir -p "$nm/connections" "$nm/none"
  cat >"$nm/NetworkManager.conf" <<EOF
[main]
plugins=keyfile
dhcp=internal
dns=none
rc-manager=unmanaged
hostname-mode=none
no-auto-default=*
auth-polkit=false

[keyfile]
path=$nm/connections
unmanaged-devices=interface-name:p-*

[logging]
level=DEBUG
EOF
  NetworkManager --no-daemon --debug --config="$nm/NetworkManager.conf" --config-dir="$nm/none" \
    --system-config-dir="$nm/none" --state-file="$nm/NetworkManager.state" --pid-file="$nm/NetworkManager.pid" \
    >"$nm/NetworkManager.log" 2>&1 &
  nm_pid=$!

  # Ready: the three links managed and disconnected.
  for ((i = 0; i < DEADLINE * 10; i++)); do
    out=$(nmcli -t -f DEVICE,STATE device 2>/dev/null)
    if grep -qx 'eth0:disconnected' <<<"$out" && grep -qx 'eth1:disconnected' <<<"$out" &&
       grep -qx 'pf0vf0:disconnected' <<<"$out"; then
      break
    fi
    kill -0 "$nm_pid" 2>/dev/null || return 1
    sleep 0.1
  done
  nmcli device status
  grep -qx 'pf0vf0:disconnected' <<<"$out" || return 1
  touch "$nm/ready"

  # up IFACE ADDRESS: a connection for IFACE, up; its UUID to nm/uuid-IFACE
  up () {
    nmcli connection add type ethernet ifname "$1" con-name "dpugw-$1" \
      connection.autoconnect no ipv4.method manual ipv4.addresses "$2" ipv6.method disabled || return 1
    nmcli -g connection.uuid connection show "dpugw-$1" >"$nm/uuid-$1" || return 1
    nmcli --wait "$DEADLINE" connection up "dpugw-$1"
  }
  # wait_for FILE PATTERN: until FILE has a line matching PATTERN (ERE)
  wait_for () {
    for ((i = 0; i < DEADLINE * 10; i++)); do
      grep -qE "$2" "$1" 2>/dev/null && return 0
      sleep 0.1
    done
    return 1
  }

  # eth1 first: the script must see it and do nothing.
  up eth1 192.0.2.2/24 || return 1
  wait_for "$nm/logger.log" "^$TAG daemon.debug eth1 up: neither " || return 1
  start=${EPOCHREALTIME/./}
  up eth0 192.0.2.1/24 || return 1
  end=${EPOCHREALTIME/./}
  echo $(((end - start) / 1000)) >"$nm/eth0-up-ms"
  wait_for "$nm/rec/order.log" '^80-record-env eth0 up$' || return 1
  wait_for "$nm/logger.log" "^$TAG daemon.debug eth0 up: runner finished" || return 1
  up pf0vf0 192.0.2.9/24 || return 1
  # The same state as eth0's: the hooks do not run again.
  wait_for "$nm/logger.log" "^$TAG daemon.debug pf0vf0 up: runner finished" || return 1
  nmcli device status
  touch "$nm/done"
  return 0
}

if [ "$mode" = nm-inner ]; then
  dir=${3:?}
  nm_inner "$dir"
  exit $?
fi

# =================================================================================
# The test.
# =================================================================================

planned=46
n=0
failed=0

ok () { n=$((n + 1)); echo "ok $n - $1"; }
not_ok () {
  n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"
  shift
  local line
  for line in "$@"; do printf '%s\n' "$line" | sed 's/^/# /'; done
}

dir=
bus_pid=
daemon_pid=

show_logs () {
  local f
  [ -n "$dir" ] || return 0
  for f in "$dir"/*.log "$dir"/nm/*.log; do
    [ -s "$f" ] || continue
    echo "# ---- ${f#"$dir"/} ----"
    tail -n 150 "$f" | sed 's/^/# /'
  done
}

# Everything not run yet fails: nothing is skipped.
bail () {
  local reason=$1
  while [ "$n" -lt "$planned" ]; do not_ok "not run: $reason"; done
  show_logs
  exit 1
}

cleanup () {
  local pid
  for pid in $daemon_pid $bus_pid; do kill -CONT "$pid" 2>/dev/null; kill -TERM "$pid" 2>/dev/null; done
  for pid in $daemon_pid $bus_pid; do wait "$pid" 2>/dev/null; done
  if [ -n "$dir" ] && [ -s "$dir/ovsdb.pid" ]; then
    pid=$(cat "$dir/ovsdb.pid")
    kill -TERM "$pid" 2>/dev/null
    for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null
  fi
  [ -n "$dir" ] && rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "1..$planned"

# --- prerequisites: none may be missing -------------------------------------

missing=
for tool in ovsdb-server ovsdb-tool ovs-vsctl dbus-daemon gdbus busctl jq setsid flock timeout unshare ip mount \
            NetworkManager nmcli stat install; do
  command -v "$tool" >/dev/null 2>&1 || missing="$missing $tool"
done
[ -n "$nm_dispatcher" ] || missing="$missing nm-dispatcher"
[ -r "$schema" ] || missing="$missing $schema"
[ -x "$daemon" ] || missing="$missing $daemon"
[ -x "$mock_sysfs" ] || missing="$missing $mock_sysfs"
for f in "$policy" "$script" "$ovs_hook" "$conf_example"; do
  [ -r "$f" ] || missing="$missing $f"
done
[ "$(id -u)" = 0 ] || missing="$missing (root: hooks must be root's, and NetworkManager runs in namespaces)"
if [ -n "$missing" ]; then
  not_ok "prerequisites present" "missing:$missing"
  bail "prerequisites missing"
fi
ok "prerequisites present (openvswitch, dbus-daemon, busctl, gdbus, NetworkManager, nmcli, nm-dispatcher, root)"

dir=$(mktemp -d "${TMPDIR:-/tmp}/dpugw-test-dispatcher.XXXXXX") || bail "mktemp failed"
chmod 755 "$dir"
mkdir -p "$dir/rec" "$dir/nm/rec" "$dir/marks"

# --- the fake hardware, ovsdb, the bus and the daemon ------------------------------

if ! out=$("$mock_sysfs" "$recording" "$dir/sys" 2>&1); then
  not_ok "fake sysfs built" "$out"
  bail "no fake sysfs"
fi

db=$dir/db.sock
vsctl () { ovs-vsctl --db="unix:$db" --no-wait --timeout=10 "$@"; }
start_ovsdb () {
  ovsdb-tool create "$dir/conf.db" "$schema" &&
  ovsdb-server "$dir/conf.db" --remote="punix:$db" --pidfile="$dir/ovsdb.pid" --detach \
    --log-file="$dir/ovsdb.log" --unixctl="$dir/ovsdb.ctl" &&
  vsctl init &&
  vsctl add-br br-ex &&
  vsctl br-exists br-ex
}
if out=$(start_ovsdb 2>&1); then
  ok "ovsdb-server runs, with bridge br-ex"
else
  not_ok "ovsdb-server runs, with bridge br-ex" "$out"
  bail "no ovsdb-server"
fi

write_system_bus_conf "$dir/system.conf" "unix:path=$dir/system_bus_socket"
if start_bus "$dir/system.conf" "$dir/system.address" "$dir/bus.log"; then
  bus_pid=$started_pid
  address=$(head -n1 "$dir/system.address")
  start_daemon "$address" "$dir/sys" "$dir/daemon.log"
  daemon_pid=$started_pid
fi
if [ -n "$daemon_pid" ] && wait_owner "$address" $NAME "$daemon_pid"; then
  ok "dpu-gatewayd owns $NAME on a system-like bus"
else
  bus_pid=${bus_pid:-$started_pid}
  not_ok "dpu-gatewayd owns $NAME on a system-like bus"
  bail "no daemon"
fi

# --- the hooks and their configuration ----------------------------------------------

hooks=$dir/dispatcher.d
conf=$dir/dispatcher.conf
state=$dir/state
install -d -m 0755 -o root -g root "$hooks"
install -m 0755 -o root -g root "$ovs_hook" "$hooks/50-ovs-bridge-port"
make_recorder "$hooks/20-order" "$dir/rec"
make_recorder "$hooks/80-record-env" "$dir/rec"
write_ovs_conf "$conf" "$db"
make_fake_logger "$dir/bin" "$dir/logger.log"
# The script as installed (root's, 0755), whatever the checkout's mode.
install -d -m 0755 "$dir/dispatcher-lib"
install -m 0755 -o root -g root "$script" "$dir/dispatcher-lib/90-dpu-gateway"
make_fake_logger "$dir/nm/bin" "$dir/nm/logger.log"

# dispatch IFACE ACTION [VAR=VALUE...]: the script as NetworkManager runs it (a
# clean environment), bounded by timeout 10; sets status, elapsed (ms), log
# (what it logged) and order (the hooks run).
dispatch () {
  local iface=$1 action=$2 start end i
  shift 2
  : >"$dir/logger.log"
  : >"$dir/rec/order.log"
  [ -n "${keep_state-}" ] || rm -f "$state/hooks.state"
  start=${EPOCHREALTIME/./}
  timeout 10 env -i PATH="$dir/bin:$PATH" DBUS_SYSTEM_BUS_ADDRESS="$address" \
    DPU_GATEWAY_DISPATCHER_DIR="$hooks" DPU_GATEWAY_DISPATCHER_CONF="$conf" DPU_GATEWAY_STATE_DIR="$state" \
    NM_DISPATCHER_ACTION="$action" DEVICE_IFACE="$iface" DEVICE_IP_IFACE="$iface" \
    CONNECTION_UUID=5b1c3c4e-8c1b-4c39-9d0e-d1d2c3b4a5f6 CONNECTION_ID="dpugw-$iface" "$@" \
    "$dir/dispatcher-lib/90-dpu-gateway" "$iface" "$action" >"$dir/dispatch.out" 2>&1 </dev/null
  status=$?
  end=${EPOCHREALTIME/./}
  elapsed=$(((end - start) / 1000))
  # The hooks run detached: wait for the runner's end.
  if grep -q "the hooks run in the background$" "$dir/logger.log"; then
    for ((i = 0; i < DEADLINE * 20; i++)); do
      grep -q " $iface $action: runner finished$" "$dir/logger.log" && break
      sleep 0.05
    done
  fi
  end=${EPOCHREALTIME/./}
  # shellcheck disable=SC2034 # read in expect's conditions
  finished=$(((end - start) / 1000))
  log=$(cat "$dir/logger.log")
  order=$(cat "$dir/rec/order.log")
}

# run_hooks IFACE ACTION VAR=VALUE...: the runner as the hooks agent starts it (the state in
# the environment); sets status, log and order.
run_hooks () {
  local iface=$1 action=$2
  shift 2
  : >"$dir/logger.log"
  : >"$dir/rec/order.log"
  timeout 20 env -i PATH="$dir/bin:$PATH" DPU_GATEWAY_DISPATCHER_DIR="$hooks" DPU_GATEWAY_DISPATCHER_CONF="$conf" \
    DPU_GATEWAY_STATE_DIR="$state" DPU_GATEWAY_SOURCE=signal DPU_GATEWAY_ROLE=gateway "$@" \
    "$dir/dispatcher-lib/90-dpu-gateway" --run-hooks "$iface" "$action" >"$dir/dispatch.out" 2>&1 </dev/null
  status=$?
  elapsed=-
  log=$(cat "$dir/logger.log")
  order=$(cat "$dir/rec/order.log")
}

# logged PATTERN: the last dispatch logged a line matching PATTERN (ERE, after "TAG PRIORITY ")
logged () { grep -qE "^$TAG [a-z.]+ $1" <<<"$log"; }

# expect DESCRIPTION CONDITION... : ok when every `test`-like condition string evaluates true
expect () {
  local desc=$1 cond why=()
  shift
  for cond in "$@"; do
    eval "$cond" || why+=("failed: $cond")
  done
  if [ ${#why[@]} -eq 0 ]; then
    ok "$desc"
  else
    not_ok "$desc" "${why[@]}" "exit status $status, ${elapsed} ms" "logged:" "$log" "hooks run:" "$order" \
      "output:" "$(cat "$dir/dispatch.out")"
  fi
}

ports () { vsctl list-ports br-ex 2>&1; }

# order_is LINE...: the last dispatch ran exactly these hooks (recorded lines), in this order
order_is () { [ "$order" = "$(printf '%s\n' "$@")" ]; }

# expect_env FILE LINES...: the recorder's file holds exactly LINES
expect_env () {
  local desc=$1 file=$2 want got
  shift 2
  want=$(printf '%s\n' "$@")
  got=$(cat "$file" 2>&1)
  if [ "$got" = "$want" ]; then ok "$desc"; else not_ok "$desc" "expected:" "$want" "got:" "$got"; fi
}

# --- A: the gateway interface comes up ---------------------------------------------------

dispatch eth0 up
expect "eth0 up: exit 0" '[ "$status" = 0 ]'
expect "eth0 up: the OVS hook made eth0 the one port of br-ex" '[ "$(ports)" = eth0 ]' \
  'logged "eth0 up: hook 50-ovs-bridge-port succeeded$"' \
  'logged "50-ovs-bridge-port: eth0 up: added eth0 to br-ex$"'
expect "eth0 up: the hooks ran in lexical order, each once" \
  'order_is "20-order eth0 up" "80-record-env eth0 up"' \
  'logged "eth0 up: 3 hook\(s\) run$"'
expect_env "eth0 up: a hook gets \$1, \$2, NetworkManager's variables and every DPU_GATEWAY_* variable" \
  "$dir/rec/env-eth0-up" ARG1=eth0 ARG2=up CONNECTION_UUID=5b1c3c4e-8c1b-4c39-9d0e-d1d2c3b4a5f6 \
  DEVICE_IFACE=eth0 DPU_GATEWAY_ACTION=up DPU_GATEWAY_INTERFACE=eth0 DPU_GATEWAY_MGMT_PORT=pf0vf0 \
  DPU_GATEWAY_PF_PCI=0000:01:00.0 DPU_GATEWAY_PREVIOUS_INTERFACE= DPU_GATEWAY_ROLE=gateway \
  DPU_GATEWAY_SOURCE=networkmanager DPU_GATEWAY_VF_PCI=0000:01:02.3
expect "eth0 up: logged what it found and what the hooks printed" \
  'logged "eth0 up: gateway \(gateway eth0, management port pf0vf0\); the hooks run in the background$"' \
  'logged "eth0 up: gateway \(gateway eth0, management port pf0vf0, VF 0000:01:02.3, PF 0000:01:00.0, previously none, from networkmanager\); running the hooks of "' \
  'logged "eth0 up: hook 80-record-env: recorded eth0 up$"'

keep_state=1
dispatch eth0 up
expect "eth0 up again, the same state: exit 0, no hook runs again, logged" '[ "$status" = 0 ]' \
  '[ -z "$order" ]' '[ "$(ports)" = eth0 ]' \
  'logged "eth0 up: the hooks ran for this state already \(up eth0 pf0vf0 0000:01:02.3 0000:01:00.0\); not again$"'

# The agent's path after NetworkManager's, the same state: not again; and NetworkManager's
# after the agent's.
run_hooks eth0 change DPU_GATEWAY_INTERFACE=eth0 DPU_GATEWAY_MGMT_PORT=pf0vf0 \
  DPU_GATEWAY_VF_PCI=0000:01:02.3 DPU_GATEWAY_PF_PCI=0000:01:00.0
expect "the agent's run after NetworkManager's, the same state: no hook runs again" '[ "$status" = 0 ]' \
  '[ -z "$order" ]' 'logged "eth0 change: the hooks ran for this state already "'
rm -f "$state/hooks.state"
run_hooks eth0 change DPU_GATEWAY_INTERFACE=eth0 DPU_GATEWAY_MGMT_PORT=pf0vf0 \
  DPU_GATEWAY_VF_PCI=0000:01:02.3 DPU_GATEWAY_PF_PCI=0000:01:00.0
expect "the agent's run first: the hooks run, action change, from signal" '[ "$status" = 0 ]' \
  'order_is "20-order eth0 change" "80-record-env eth0 change"' \
  'logged "eth0 change: gateway \(gateway eth0, management port pf0vf0, VF 0000:01:02.3, PF 0000:01:00.0, previously none, from signal\)"'
dispatch pf0vf0 up
expect "NetworkManager's pf0vf0 up after the agent's run, the same state: no hook runs again" '[ "$status" = 0 ]' \
  '[ -z "$order" ]' 'logged "pf0vf0 up: the hooks ran for this state already "'

dispatch eth0 down
expect "eth0 down: the hooks run with action down; the port stays" '[ "$status" = 0 ]' \
  'order_is "20-order eth0 down" "80-record-env eth0 down"' \
  '[ "$(ports)" = eth0 ]' 'grep -qx DPU_GATEWAY_ACTION=down "$dir/rec/env-eth0-down"'

# --- an unrelated interface, the management port, other actions --------------------------

unset keep_state
dispatch eth1 up
expect "eth1 up (another netdev of the PF): exit 0, no hook runs, logged" '[ "$status" = 0 ]' \
  '[ -z "$order" ]' 'logged "eth1 up: neither the gateway interface \(eth0\) nor the management port \(pf0vf0\); nothing to do$"'

dispatch pf0vf0 up
expect "pf0vf0 up (the management port): exit 0, the hooks run" '[ "$status" = 0 ]' \
  'order_is "20-order pf0vf0 up" "80-record-env pf0vf0 up"'
expect_env "pf0vf0 up: a hook gets \$1=pf0vf0, DPU_GATEWAY_MGMT_PORT=pf0vf0 and the rest" \
  "$dir/rec/env-pf0vf0-up" ARG1=pf0vf0 ARG2=up CONNECTION_UUID=5b1c3c4e-8c1b-4c39-9d0e-d1d2c3b4a5f6 \
  DEVICE_IFACE=pf0vf0 DPU_GATEWAY_ACTION=up DPU_GATEWAY_INTERFACE=eth0 DPU_GATEWAY_MGMT_PORT=pf0vf0 \
  DPU_GATEWAY_PF_PCI=0000:01:00.0 DPU_GATEWAY_PREVIOUS_INTERFACE= DPU_GATEWAY_ROLE=mgmt-port \
  DPU_GATEWAY_SOURCE=networkmanager DPU_GATEWAY_VF_PCI=0000:01:02.3
expect "pf0vf0 up: the OVS hook keeps eth0 the one port of br-ex" '[ "$(ports)" = eth0 ]'

dispatch pf0vf0 pre-down
expect "pf0vf0 pre-down (if linked in pre-down.d/): exits at once, asks nothing, no hook" '[ "$status" = 0 ]' \
  '[ -z "$order" ]' 'logged "pf0vf0 pre-down: not handled \(NetworkManager waits for pre-down scripts\)"' \
  '! logged "pf0vf0 pre-down: (cannot reach|neither|pf0vf0|mgmt-port)"'
dispatch eth0 pre-up
expect "eth0 pre-up (if linked in pre-up.d/): exits at once, asks nothing, no hook" '[ "$status" = 0 ]' \
  '[ -z "$order" ]' 'logged "eth0 pre-up: not handled "'

# --- hooks that would hold NetworkManager ---------------------------------------------------

printf '#!/bin/sh\nsleep 8 >/dev/null 2>&1 &\necho left a child\n' >"$hooks/30-background"
printf '#!/bin/sh\nsleep 4\n' >"$hooks/31-slow"
chmod 0755 "$hooks/30-background" "$hooks/31-slow"
dispatch eth0 up DPU_GATEWAY_HOOK_TIMEOUT=2
expect "a hook leaving 'sleep 8 &', one sleeping 4 s (timeout 2 s): the script returns within 1 s ($elapsed ms)" \
  '[ "$status" = 0 ]' '[ "$elapsed" -lt 1000 ]'
expect "... the slow hook is stopped after 2 s, the child left behind holds nothing: the hooks end within 6 s" \
  '[ "$finished" -lt 6000 ]' 'order_is "20-order eth0 up" "80-record-env eth0 up"' \
  'logged "eth0 up: hook 30-background: left a child$"' 'logged "eth0 up: hook 30-background succeeded$"' \
  'logged "eth0 up: hook 31-slow timed out after 2s and was stopped$"'
rm -f "$hooks/30-background" "$hooks/31-slow"

# --- the gateway moves: the OVS hook swaps the ports ------------------------------------------

dispatch eth0 up
keep_state=1
run_hooks enp1s0f0np0 change DPU_GATEWAY_INTERFACE=enp1s0f0np0 DPU_GATEWAY_MGMT_PORT=pf0vf0 \
  DPU_GATEWAY_VF_PCI=0000:01:02.3 DPU_GATEWAY_PF_PCI=0000:01:00.0
expect "the gateway renamed (eth0 -> enp1s0f0np0): the hooks get the previous one; br-ex's port is the new one alone" \
  '[ "$status" = 0 ]' '[ "$(ports)" = enp1s0f0np0 ]' \
  'grep -qx DPU_GATEWAY_PREVIOUS_INTERFACE=eth0 "$dir/rec/env-enp1s0f0np0-change"' \
  'logged "50-ovs-bridge-port: enp1s0f0np0 change: removed eth0, the previous gateway interface, from br-ex$"' \
  'logged "50-ovs-bridge-port: enp1s0f0np0 change: added enp1s0f0np0 to br-ex$"'
# A port added before the hook marked its ports (no external_ids): the previous gateway goes too.
vsctl del-port br-ex enp1s0f0np0 -- add-port br-ex eth1 -- add-port br-ex keep0
printf 'key=up eth1 pf0vf0 0000:01:02.3 0000:01:00.0\ngateway=eth1\n' >"$state/hooks.state"
run_hooks eth0 change DPU_GATEWAY_INTERFACE=eth0 DPU_GATEWAY_MGMT_PORT=pf0vf0 \
  DPU_GATEWAY_VF_PCI=0000:01:02.3 DPU_GATEWAY_PF_PCI=0000:01:00.0
expect "the gateway moved back to eth0 from an unmarked eth1: eth1 leaves, eth0 joins, other ports stay" \
  '[ "$(ports | sort | tr "\n" " ")" = "eth0 keep0 " ]' 'grep -qx DPU_GATEWAY_PREVIOUS_INTERFACE=eth1 "$dir/rec/env-eth0-change"'
vsctl del-port br-ex keep0
unset keep_state

dispatch "" connectivity-change DEVICE_IFACE= DEVICE_IP_IFACE=
expect "connectivity-change (no interface): exit 0, nothing asked, no hook" '[ "$status" = 0 ]' \
  '[ -z "$order" ]' 'logged "\(no interface\) connectivity-change: not an action of an interface"'

dispatch none hostname DEVICE_IFACE= DEVICE_IP_IFACE=
expect "hostname: exit 0, no hook" '[ "$status" = 0 ]' '[ -z "$order" ]'

# --- hooks that may not run ----------------------------------------------------------------

marker_hook () {
  printf '#!/bin/sh\ntouch %s/marks/%s\n' "$dir" "$2" >"$1"
}
marker_hook "$hooks/30-group-writable" group-writable
chmod 0775 "$hooks/30-group-writable"
marker_hook "$hooks/31-world-writable" world-writable
chmod 0757 "$hooks/31-world-writable"
marker_hook "$hooks/40-not-root" not-root
chmod 0755 "$hooks/40-not-root"
chown nobody "$hooks/40-not-root"
marker_hook "$hooks/45-not-executable" not-executable
chmod 0644 "$hooks/45-not-executable"
marker_hook "$hooks/55-disabled.example" example
chmod 0755 "$hooks/55-disabled.example"
mkdir -m 0755 "$hooks/60-a-directory"

dispatch eth0 up
expect "unsafe hooks: exit 0, the safe hooks still run" '[ "$status" = 0 ]' \
  'order_is "20-order eth0 up" "80-record-env eth0 up"' 'logged "eth0 up: 3 hook\(s\) run$"'
expect "a group-writable or world-writable hook is skipped, and that is logged" \
  '[ ! -e "$dir/marks/group-writable" ] && [ ! -e "$dir/marks/world-writable" ]' \
  'logged "eth0 up: skipping hook $hooks/30-group-writable: writable by group or others \(mode 0775\)$"' \
  'logged "eth0 up: skipping hook $hooks/31-world-writable: writable by group or others \(mode 0757\)$"'
expect "a hook not owned by root is skipped, and that is logged" '[ ! -e "$dir/marks/not-root" ]' \
  'logged "eth0 up: skipping hook $hooks/40-not-root: not owned by root \(uid [0-9]+\)$"'
expect "a non-executable hook, a .example and a directory are skipped, and logged" \
  '[ ! -e "$dir/marks/not-executable" ] && [ ! -e "$dir/marks/example" ]' \
  'logged "eth0 up: skipping hook $hooks/45-not-executable: not executable$"' \
  'logged "eth0 up: skipping hook 55-disabled.example "' \
  'logged "eth0 up: skipping hook $hooks/60-a-directory: not a regular file$"'
rm -rf "$hooks/30-group-writable" "$hooks/31-world-writable" "$hooks/40-not-root" \
  "$hooks/45-not-executable" "$hooks/55-disabled.example" "$hooks/60-a-directory"

chmod 0775 "$hooks"
dispatch eth0 up
expect "a group-writable hook directory: no hook runs, logged" '[ "$status" = 0 ]' '[ -z "$order" ]' \
  'logged "eth0 up: the hook directory $hooks is writable by group or others \(mode 0775\); no hooks run$"'
chmod 0755 "$hooks"

chmod 0777 "$state"
dispatch eth0 up
expect "a state directory writable by others (who could keep the hooks from running): no hook runs, logged" \
  '[ "$status" = 0 ]' '[ -z "$order" ]' \
  'logged "eth0 up: the state directory $state is writable by group or others \(mode 0777\); no hooks run$"'
chmod 0755 "$state"

# --- the hook's configuration is read, never run --------------------------------------------

vsctl del-port br-ex eth0
printf 'OVS_BRIDGE="$(touch %s/marks/conf-ran)"\n' "$dir" >"$conf"
dispatch eth0 up
expect "a conf whose OVS_BRIDGE is shell code: not run, the hook fails and says why" '[ "$status" = 0 ]' \
  '[ ! -e "$dir/marks/conf-ran" ]' '[ -z "$(ports)" ]' \
  'logged "50-ovs-bridge-port: eth0 up: OVS_BRIDGE in $conf is not a plain value; not used$"' \
  'logged "eth0 up: hook 50-ovs-bridge-port failed with exit status 1$"'
printf 'OVS_BRIDGE=br-ex\nOVS_VSCTL_OPTIONS="--db=unix:%s --no-wait;touch %s/marks/opt-ran"\n' "$db" "$dir" >"$conf"
dispatch eth0 up
expect "a conf with an option not accepted in OVS_VSCTL_OPTIONS: refused, logged" '[ "$status" = 0 ]' \
  '[ ! -e "$dir/marks/opt-ran" ]' '[ -z "$(ports)" ]' \
  'logged "50-ovs-bridge-port: eth0 up: OVS_VSCTL_OPTIONS in $conf: option not accepted: --no-wait;touch"'
printf 'OVS_BRIDGE="br ex"\n' >"$conf"
dispatch eth0 up
expect "a conf with an invalid bridge name: refused, logged" '[ -z "$(ports)" ]' \
  'logged "50-ovs-bridge-port: eth0 up: OVS_BRIDGE=br ex in $conf is not a valid bridge name$"'
# The shipped example, with the test's database: the hook works with it as it is.
{ cat "$conf_example"; printf 'OVS_VSCTL_OPTIONS="--db=unix:%s --no-wait"\n' "$db"; } >"$conf"
dispatch eth0 up
expect "the shipped dispatcher.conf.example (plus the test's database): eth0 is added to br-ex again" \
  '[ "$status" = 0 ]' '[ "$(ports)" = eth0 ]'
write_ovs_conf "$conf" "$db"

# --- the service hung, stopped, the bus gone ---------------------------------------------------

kill -STOP "$daemon_pid"
dispatch eth0 up
expect "service hung (SIGSTOP): exit 0 within 1 s ($elapsed ms), no hook, logged why" '[ "$status" = 0 ]' \
  '[ "$elapsed" -lt 1000 ]' '[ -z "$order" ]' \
  'logged "eth0 up: cannot reach $NAME on the system bus \((.*Connection timed out|no answer within 0.7s)\); no hooks run$"'
kill -CONT "$daemon_pid"
kill -TERM "$daemon_pid"
wait "$daemon_pid"
daemon_pid=

dispatch eth0 up
expect "service stopped: exit 0 within 1 s, no hook, logged why" '[ "$status" = 0 ]' \
  '[ "$elapsed" -lt 1000 ]' '[ -z "$order" ]' \
  'logged "eth0 up: cannot reach $NAME on the system bus \(.*$NAME.*\); no hooks run$"'

dispatch eth0 up DBUS_SYSTEM_BUS_ADDRESS="unix:path=$dir/no-such-bus"
expect "no bus at all: exit 0 within 1 s, no hook, logged why" '[ "$status" = 0 ]' \
  '[ "$elapsed" -lt 1000 ]' '[ -z "$order" ]' 'logged "eth0 up: cannot reach $NAME on the system bus "'

kill -TERM "$bus_pid"
wait "$bus_pid"
bus_pid=

# --- B: real NetworkManager and nm-dispatcher ---------------------------------------------------

# what the host has where part B installs, to compare after
host_etc () { ls -laR /etc/dpu-gateway /etc/NetworkManager/dispatcher.d /usr/lib/NetworkManager/dispatcher.d 2>&1; }
host_etc_before=$(host_etc)
export host_etc_before  # read in expect's conditions
vsctl del-port br-ex eth0
timeout 100 unshare --net --mount --uts --pid --fork --kill-child --mount-proc --propagation private \
  bash "$self" --nm-inner "$srcdir" "$builddir" "$dir"
inner=$?
nm_log=$(cat "$dir/nm/logger.log" 2>/dev/null)
nm_order=$(cat "$dir/nm/rec/order.log" 2>/dev/null)
log=$nm_log order=$nm_order status=$inner elapsed=-
echo "$inner" >"$dir/dispatch.out"
if [ -e "$dir/nm/ready" ]; then
  ok "NetworkManager runs in namespaces of its own and manages eth0, eth1, pf0vf0"
else
  not_ok "NetworkManager runs in namespaces of its own and manages eth0, eth1, pf0vf0" \
    "inner exit status $inner" "$(tail -n 40 "$dir/nm/inner.log" 2>/dev/null)"
fi
if [ -e "$dir/nm/done" ] && [ "$inner" = 0 ]; then
  ok "NetworkManager: eth1, eth0 and pf0vf0 brought up with nmcli, and dispatched"
else
  not_ok "NetworkManager: eth1, eth0 and pf0vf0 brought up with nmcli, and dispatched" \
    "inner exit status $inner" "$(tail -n 40 "$dir/nm/inner.log" 2>/dev/null)"
fi
expect "NetworkManager, eth1 up: the script ran from /usr/lib/NetworkManager/dispatcher.d and ran no hook" \
  'logged "eth1 up: neither the gateway interface \(eth0\) nor the management port \(pf0vf0\)"' \
  '! grep -q " eth1 " <<<"$order"'
expect "NetworkManager, eth0 up: the hooks ran, once; br-ex has eth0" \
  '[ "$(grep -c " eth0 " <<<"$order")" = 1 ]' 'grep -qx "80-record-env eth0 up" <<<"$order"' \
  '[ "$(ports)" = eth0 ]' 'logged "50-ovs-bridge-port: eth0 up: added eth0 to br-ex$"'
expect_env "NetworkManager, eth0 up: the hook got NetworkManager's variables and every DPU_GATEWAY_* one" \
  "$dir/nm/rec/env-eth0-up" ARG1=eth0 ARG2=up "CONNECTION_UUID=$(cat "$dir/nm/uuid-eth0" 2>/dev/null)" \
  DEVICE_IFACE=eth0 DPU_GATEWAY_ACTION=up DPU_GATEWAY_INTERFACE=eth0 DPU_GATEWAY_MGMT_PORT=pf0vf0 \
  DPU_GATEWAY_PF_PCI=0000:01:00.0 DPU_GATEWAY_PREVIOUS_INTERFACE= DPU_GATEWAY_ROLE=gateway \
  DPU_GATEWAY_SOURCE=networkmanager DPU_GATEWAY_VF_PCI=0000:01:02.3
expect "NetworkManager, pf0vf0 up, the same state as eth0 up: no hook runs again" \
  '! grep -q " pf0vf0 " <<<"$order"' 'logged "pf0vf0 up: the hooks ran for this state already "'
expect "NetworkManager: eth0's activation (the script in pre-up.d too) with a 4 s hook and a hook leaving 'sleep 8 &' took under 3 s ($(cat "$dir/nm/eth0-up-ms" 2>/dev/null) ms)" \
  'logged "eth0 pre-up: not handled "' \
  '[ "$(cat "$dir/nm/eth0-up-ms" 2>/dev/null || echo 99999)" -lt 3000 ]'
expect "NetworkManager: the host's /etc/dpu-gateway and NetworkManager's dispatcher.d directories are untouched" \
  '[ "$(host_etc)" = "$host_etc_before" ]'

if [ "$n" != "$planned" ]; then
  not_ok "planned $planned tests, ran $n"
fi
if [ "$failed" -gt 0 ]; then
  show_logs
  exit 1
fi
exit 0
