#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# The checks of the booted-systemd test, run inside the container by dpugw-checks.service as an
# operator would run them: apt installs the packages, the real system bus activates the service,
# systemctl reloads and restarts it, journalctl reads its fields.  TAP on stdout and in
# /srv/dpugw-test/result.tap; the container powers off at the end.
# /srv/dpugw-test holds debs/ (upgrade/ the same package with a later version), sys/ (the fixture
# hardware, the example host), bus (the package of the system bus: dbus or dbus-broker).
set -u
t=/srv/dpugw-test
out=$t/result.tap
: > "$out"
work=$(mktemp -d)
n=0
failed=0

say() { echo "$*" | tee -a "$out"; }
check() {
  local what=$1; shift
  n=$((n + 1))
  if "$@" > "$work/out.$n" 2>&1; then
    say "ok $n - $what"
  else
    say "not ok $n - $what"
    sed 's/^/# /' "$work/out.$n" | tee -a "$out"
    failed=$((failed + 1))
  fi
}
wait_for() {
  local deadline=$((SECONDS + 20))
  until "$@"; do
    [ $SECONDS -lt $deadline ] || { echo "timed out waiting for: $*"; return 1; }
    sleep 0.1
  done
}

bus=(org.ovnk.DpuGateway /org/ovnk/DpuGateway org.ovnk.DpuGateway)
conf=/etc/dpu-gateway/dpu-gateway.conf
pf=devices/pci0000:00/0000:00:02.0/0000:01:00.0
main_pid() { systemctl show -p MainPID --value dpu-gatewayd; }
active() { systemctl is-active -q dpu-gatewayd; }
resolves_to() { busctl call "${bus[@]}" Resolve s "$1" | grep -q "\"$2\""; }
property_is() { busctl get-property "${bus[@]}" "$1" | grep -qx "s \"$2\""; }

# The example host's netdevs as real links of the container's own network namespace, for the
# daemon's netlink to follow.
i=0
for dev in eth0 eth1 pf0vf0 pf0vf1; do ip link add "$dev" type veth peer name "peer$i"; i=$((i + 1)); done

say "1..20"

the_bus() {
  local want id
  want=$(cat "$t/bus").service
  id=$(systemctl show -p Id --value dbus.service)
  echo "the system bus: $id, active: $(systemctl is-active dbus.service)"
  [ "$id" = "$want" ] && systemctl is-active -q dbus.service
}
check "the system bus is $(cat "$t/bus")" the_bus

install() {
  apt-get install -y -q --no-install-recommends "$t"/debs/dpu-gateway_*.deb "$t"/debs/libdpu-gateway0_*.deb &&
  dpkg-query -W dpu-gateway libdpu-gateway0
}
check "apt-get installs the service and the library" install
starts_nothing() {
  systemctl status --no-pager dpu-gatewayd
  ! active && [ "$(systemctl is-enabled dpu-gatewayd)" = disabled ]
}
check "installing neither enables nor starts the service" starts_nothing

# The fixture hardware, given to the installed unit by a drop-in; the management port in the
# configuration file (a conffile: the upgrade below must keep this change).
mkdir -p /etc/systemd/system/dpu-gatewayd.service.d
cat > /etc/systemd/system/dpu-gatewayd.service.d/10-fixture.conf <<CONF
[Service]
ExecStart=
ExecStart=/usr/libexec/dpu-gatewayd --sysfs-root=$t/sys --listen=unix:path=/run/dpu-gateway/bus
CONF
cat >> "$conf" <<CONF

[OvnKubeNode]
mode = dpu-host
mgmt-port-netdev = pf0vf0

[Gateway]
interface = derive-from-mgmt-port
CONF
systemctl daemon-reload

activates() {
  busctl call "${bus[@]}" Resolve s pf0vf0 && resolves_to pf0vf0 eth0 && active
}
check "the first busctl call activates the service through the system bus" activates

as_nobody() { setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"; }
check "nobody resolves" as_nobody busctl call "${bus[@]}" Resolve s pf0vf0
refused_refresh() {
  local msg
  if msg=$(as_nobody busctl call "${bus[@]}" Refresh 2>&1); then echo "Refresh answered nobody"; return 1; fi
  echo "$msg"; echo "$msg" | grep -qi "access denied"
}
check "nobody is refused Refresh" refused_refresh
refused_name() {
  systemctl stop dpu-gatewayd || return 1
  if as_nobody timeout 10 /usr/libexec/dpu-gatewayd --sysfs-root="$t/sys" --config-file=; then
    echo "dpu-gatewayd ran as nobody"; return 1
  fi
  ! busctl status org.ovnk.DpuGateway >/dev/null 2>&1
}
check "nobody cannot own the name" refused_name

reload() {
  local before
  busctl call "${bus[@]}" Resolve s "" >/dev/null && before=$(main_pid) || return 1
  sed -i 's/^mgmt-port-netdev = pf0vf0$/mgmt-port-netdev = pf0vf1/' "$conf"
  systemctl reload dpu-gatewayd || return 1
  wait_for property_is ManagementPort pf0vf1 || return 1
  echo "main PID $before, then $(main_pid)"
  [ "$(main_pid)" = "$before" ]
}
check "systemctl reload applies a changed configuration, same main PID" reload
sed -i 's/^mgmt-port-netdev = pf0vf1$/mgmt-port-netdev = pf0vf0/' "$conf"

bad_config() {
  sed -i 's/^mode = dpu-host$/mode = dpu-hots/' "$conf"
  if systemctl restart dpu-gatewayd; then echo "started with a bad configuration"; return 1; fi
  sleep 2
  systemctl status --no-pager dpu-gatewayd
  systemctl is-failed -q dpu-gatewayd &&
  [ "$(systemctl show -p NRestarts --value dpu-gatewayd)" = 0 ] &&
  journalctl -b -u dpu-gatewayd --no-pager | grep 'dpu-hots'
}
check "a bad configuration leaves the unit failed, the reason in the journal, no restart" bad_config
sed -i 's/^mode = dpu-hots$/mode = dpu-host/' "$conf"
systemctl reset-failed dpu-gatewayd

segv() {
  local before
  busctl call "${bus[@]}" Resolve s pf0vf0 >/dev/null && before=$(main_pid) || return 1
  systemctl kill -s SEGV --kill-who=main dpu-gatewayd || return 1
  wait_for eval '[ "$(main_pid)" != 0 ] && [ "$(main_pid)" != "$before" ] && active' || return 1
  resolves_to pf0vf0 eth0 && [ "$(systemctl show -p NRestarts --value dpu-gatewayd)" -ge 1 ]
}
check "killed with SIGSEGV, it is restarted and answers again" segv

rename() {
  dpu-gatewayctl monitor > "$work/monitor.log" 2>&1 &
  local mon=$!
  wait_for grep -q ServiceStarted "$work/monitor.log" || { kill $mon; return 1; }
  mv "$t/sys/$pf/net/eth0" "$t/sys/$pf/net/enp1s0f0np0"
  rm "$t/sys/class/net/eth0" && ln -s "../../$pf/net/enp1s0f0np0" "$t/sys/class/net/enp1s0f0np0"
  ip link set eth0 name enp1s0f0np0
  wait_for grep -q 'GatewayChanged 0000:01:02.3 eth0 -> enp1s0f0np0' "$work/monitor.log"
  local status=$?
  kill $mon; cat "$work/monitor.log"
  return $status
}
check "under the unit's hardening, a renamed veth is a GatewayChanged to a subscriber" rename

journal_fields() {
  local v
  v=$(journalctl -b -o verbose --no-pager MESSAGE_ID=c11c050c89334be69ecc471270c72edb)
  echo "$v"
  echo "$v" | grep -qx '    VF_PCI=0000:01:02.3' && echo "$v" | grep -qx '    INTERFACE=enp1s0f0np0'
}
check "the journal carries MESSAGE_ID, VF_PCI and INTERFACE" journal_fields

exposure() {
  local s e
  s=$(systemd-analyze security --no-pager dpu-gatewayd 2>&1); echo "$s" | tail -3
  e=$(echo "$s" | sed -n 's/.*Overall exposure level for .*: \([0-9.]*\) .*/\1/p')
  [ -n "$e" ] && awk -v e="$e" 'BEGIN { exit !(e <= 2.0) }'
}
check "systemd-analyze security, computed by the running systemd: exposure <= 2.0" exposure

peer=unix:path=/run/dpu-gateway/bus
peers() {
  as_nobody busctl --address=$peer call "${bus[@]}" Resolve s pf0vf0 | tee /dev/stderr | grep -q '"enp1s0f0np0"' || return 1
  if as_nobody busctl --address=$peer call "${bus[@]}" Refresh 2>&1; then echo "Refresh answered nobody"; return 1; fi
  busctl --address=$peer call "${bus[@]}" Refresh
}
check "on the unit's socket, nobody resolves and is refused Refresh; root refreshes" peers
check "dpu-gatewayctl wait over the unit's socket" eval '[ "$(as_nobody dpu-gatewayctl wait --address=$peer --timeout=10)" = enp1s0f0np0 ]'

wait_unit() {
  # A stand-in for a native ovnkube-node, with the drop-in the package ships.
  cat > /etc/systemd/system/ovnkube-node.service <<UNIT
[Service]
Type=oneshot
ExecStart=/bin/sh -c 'dpu-gatewayctl resolve > /run/ovnkube-node-gateway'
UNIT
  mkdir -p /etc/systemd/system/ovnkube-node.service.d
  cp /usr/share/dpu-gateway/examples/ovnkube-node-wait.conf /etc/systemd/system/ovnkube-node.service.d/
  systemctl daemon-reload && systemctl start ovnkube-node.service || return 1
  systemctl is-active -q dpu-gateway-wait.service || { echo "dpu-gateway-wait is not active"; return 1; }
  [ "$(cat /run/ovnkube-node-gateway)" = enp1s0f0np0 ]
}
check "ovnkube-node ordered after dpu-gateway-wait.service starts with the gateway" wait_unit

check "dpu-gatewayctl status uses the system bus by default" eval 'dpu-gatewayctl status | tee /dev/stderr | grep -q enp1s0f0np0'
check "dpu-gatewayctl resolve uses the system bus by default" eval '[ "$(dpu-gatewayctl resolve)" = enp1s0f0np0 ]'

upgrade() {
  local before after
  before=$(main_pid)
  apt-get install -y -q --no-install-recommends "$t"/debs/upgrade/dpu-gateway_*.deb || return 1
  dpkg-query -W dpu-gateway | tee /dev/stderr | grep -q '+upgrade' || return 1
  grep -qx 'mgmt-port-netdev = pf0vf0' "$conf" || { echo "the changed configuration was lost"; return 1; }
  wait_for active && after=$(main_pid)
  echo "main PID $before, then $after"
  [ "$after" != "$before" ] && resolves_to pf0vf0 enp1s0f0np0
}
check "upgrading keeps the changed configuration and restarts the running service" upgrade

purge() {
  local files left=0 f
  files=$(dpkg -L dpu-gateway) || return 1
  apt-get purge -y -q dpu-gateway || return 1
  if active; then echo "still running"; return 1; fi
  for f in $files; do
    [ -d "$f" ] && continue
    if [ -e "$f" ] || [ -L "$f" ]; then echo "left behind: $f"; left=1; fi
  done
  [ -e /etc/dpu-gateway ] && { echo "left behind: /etc/dpu-gateway"; ls -lR /etc/dpu-gateway; left=1; }
  [ "$(systemctl show -p LoadState --value dpu-gatewayd)" = not-found ] || { echo "unit still loaded"; left=1; }
  return $left
}
check "apt-get purge stops the service and removes every file it installed" purge

say "# $failed of $n checks failed"
systemctl poweroff --no-block
