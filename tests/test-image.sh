#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# The container image (data/image/build-image), built offline and started with podman as the
# DaemonSet runs it: --network host, --read-only, --cap-drop=all, --user 65534, the host's /sys
# read-only, the socket's directory bind-mounted from the host.  The feature doc's example host
# (data/dpu-host-example.umockdev made into a tree by dpugw-mock-sysfs) is mounted beside /sys
# and named with --sysfs-root, so that the answer asked for from the host, over the socket, is
# known: the management port pf0vf0 (VF 0000:01:02.3) has the gateway eth0.  TAP.
# Arguments: SRCDIR BUILDDIR.  podman and buildah read data/image/containers.conf (runc, limits
# within the host's), their storage private to the test under BUILDDIR/image-test.
# Under CI=true, anything that keeps the image from being built, started or asked fails;
# elsewhere a missing tool skips.
set -u
src=$(realpath "$1")
build=$(realpath "$2")
state="$build/image-test"
export CONTAINERS_CONF="$src/data/image/containers.conf"
ctl="$build/src/ctl/dpu-gatewayctl"
name="dpugw-image-test-$$"

cannot() {
  if [ "${CI:-}" = true ]; then
    echo "1..1"; echo "not ok 1 - the image test: $*"; exit 1
  fi
  echo "1..0 # SKIP $*"; exit 0
}
[ "$(id -u)" = 0 ] || cannot "needs root (data/image/build-image, podman's storage)"
for tool in podman buildah runc mmdebstrap dpkg-buildpackage lintian busctl kubectl; do
  command -v $tool >/dev/null || cannot "needs $tool"
done

mkdir -p "$state"
rm -rf "$state/storage" "$state/run" "$state/sys"
log="$state/log"
: > "$log"
sock_dir=$(mktemp -d /tmp/dpugw-image.XXXXXX)
wait_dir=$(mktemp -d /tmp/dpugw-image-wait.XXXXXX)
podman=(podman --root "$state/storage" --runroot "$state/run" --storage-driver vfs)
cleanup() {
  "${podman[@]}" rm --force --time 5 "$name" >/dev/null 2>&1
  "${podman[@]}" rmi --all --force >/dev/null 2>&1
  rm -rf "$sock_dir" "$wait_dir" "$state/storage" "$state/run"
}
trap cleanup EXIT

"$src/data/image/build-image" --cache "$state/cache" "$state/dpu-gateway.tar" >> "$log" 2>&1 ||
  { tail -30 "$log" | sed "s/^/# /"; cannot "data/image/build-image failed (log: $log)"; }
"${podman[@]}" load --quiet -i "$state/dpu-gateway.tar" >> "$log" 2>&1 ||
  { tail -20 "$log" | sed "s/^/# /"; cannot "podman load failed"; }
version=$(dpkg-parsechangelog -l "$src/data/debian/changelog" -S Version)
image="localhost/dpu-gateway:$version"

"$build/tests/dpugw-mock-sysfs" "$src/data/dpu-host-example.umockdev" "$state/sys" >> "$log" 2>&1 ||
  cannot "dpugw-mock-sysfs failed"
# The configuration as the DaemonSet mounts it from its ConfigMap: the ovnkube INI file.
cat > "$state/ovnkube.conf" <<'CONF'
[OvnKubeNode]
mode = "dpu-host"
mgmt-port-netdev = "pf0vf0"

[Gateway]
interface = "derive-from-mgmt-port"
CONF
# The socket's directory belongs to the user the daemon runs as (the DaemonSet's init container
# does the same); the socket in it is the daemon's, mode 0666.
chown 65534:65534 "$sock_dir" "$wait_dir"
sock="$sock_dir/bus"
address="unix:path=$sock"

n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); echo "not ok $n - $1"; failed=1; shift; for l in "$@"; do echo "# $l"; done; }
# Once the plan is out, what stops the test is a failure.
bail() { echo "Bail out! $*"; exit 1; }
failed=0
echo "1..10"

# 1. The image as built: its user and entry point.
config=$("${podman[@]}" image inspect --format '{{.Config.User}}|{{json .Config.Entrypoint}}' "$image" 2>&1)
want='65534:65534|["/usr/libexec/dpu-gatewayd","--no-bus","--listen=unix:path=/run/dpu-gateway/bus"]'
if [ "$config" = "$want" ]; then ok "the image runs dpu-gatewayd --no-bus --listen=... as 65534:65534"
else not_ok "the image's user and entry point" "got:  $config" "want: $want"; fi

# 2. Started as the DaemonSet runs it.
if "${podman[@]}" run --detach --name "$name" --network host --read-only --cap-drop=all \
     --user 65534:65534 --security-opt no-new-privileges \
     --volume /sys:/sys:ro --volume "$state/sys:/host/sys:ro" \
     --volume "$state/ovnkube.conf:/etc/dpu-gateway/ovnkube.conf:ro" \
     --volume "$sock_dir:/run/dpu-gateway" \
     "$image" --config-file=/etc/dpu-gateway/ovnkube.conf --sysfs-root=/host/sys >> "$log" 2>&1; then
  ok "podman run --network host --read-only --cap-drop=all --user 65534"
else
  tail -20 "$log" | sed "s/^/# /"; bail "podman run failed"
fi

deadline=$((SECONDS + 30))
until [ -S "$sock" ] || [ $SECONDS -ge $deadline ]; do
  [ "$("${podman[@]}" inspect --format '{{.State.Running}}' "$name" 2>/dev/null)" = true ] || break
  sleep 0.2
done
if [ -S "$sock" ]; then ok "the daemon made its socket in the bind-mounted directory"
else
  not_ok "no socket $sock within 30 s" "$("${podman[@]}" logs "$name" 2>&1 | tail -20)"
  bail "the container did not serve its socket"
fi

# 3. What runs in the container: uid 65534, no capability, a read-only root.
pid=$("${podman[@]}" inspect --format '{{.State.Pid}}' "$name")
uids=$(awk '/^Uid:/ {print $2, $3, $4, $5}' "/proc/$pid/status")
caps=$(awk '/^Cap(Inh|Prm|Eff|Bnd|Amb):/ {printf "%s%s ", $1, $2}' "/proc/$pid/status")
comm=$(cat "/proc/$pid/comm")
if [ "$comm" = dpu-gatewayd ] && [ "$uids" = "65534 65534 65534 65534" ] &&
   [ "$caps" = "CapInh:0000000000000000 CapPrm:0000000000000000 CapEff:0000000000000000 CapBnd:0000000000000000 CapAmb:0000000000000000 " ]; then
  ok "dpu-gatewayd runs as 65534 with no capability"
else not_ok "the container's process" "comm $comm" "uids $uids" "$caps"; fi
root_opts=$(awk '$5 == "/" {print $6}' "/proc/$pid/mountinfo")
sys_opts=$(awk '$5 == "/sys" {print $6}' "/proc/$pid/mountinfo")
if [[ ",$root_opts," == *,ro,* ]] && [[ ",$sys_opts," == *,ro,* ]]; then
  ok "its root file system and /sys are read-only"
else not_ok "its mounts" "/ $root_opts" "/sys $sys_opts"; fi

# 4. Asked from the host, over the socket: dpu-gatewayctl and busctl.
out=$("$ctl" resolve --address="$address" 2>&1); rc=$?
if [ $rc = 0 ] && [ "$out" = eth0 ]; then ok "dpu-gatewayctl resolve --address=$address: eth0"
else not_ok "dpu-gatewayctl resolve over the socket" "exit $rc" "$out"; fi
out=$("$ctl" status --address="$address" 2>&1); rc=$?
if [ $rc = 0 ] && grep -qx 'Management port: *pf0vf0' <<<"$out" && grep -qx 'Gateway interface: *eth0' <<<"$out" &&
   grep -q '  sysfs-root *  */host/sys$' <<<"$out"; then
  ok "dpu-gatewayctl status: the configuration from the mounted INI file, the example's gateway"
else not_ok "dpu-gatewayctl status over the socket" "exit $rc" "$out"; fi
out=$(busctl --address="$address" call org.ovnk.DpuGateway /org/ovnk/DpuGateway org.ovnk.DpuGateway Resolve s pf0vf1 2>&1); rc=$?
if [ $rc = 0 ] && [[ "$out" == 'sa{sv} "eth0" '* ]] && [[ "$out" == *'"vf-pci" s "0000:01:02.4"'* ]]; then
  ok "busctl --address=... Resolve pf0vf1: eth0, through VF 0000:01:02.4"
else not_ok "busctl Resolve over the socket" "exit $rc" "$out"; fi

# 5. The ovnkube-node patch's init container (data/kubernetes/ovnkube-node), its script as
# kustomize renders it, run in the image with its security context and mounts: it waits over
# the socket and leaves the gateway for ovnkube-node's --gateway-interface.
script=$(kubectl kustomize "$src/data/kubernetes/ovnkube-node" 2>>"$log" | kubectl label --local -f - probe=1 \
  -o jsonpath='{.spec.template.spec.initContainers[?(@.name=="dpu-gateway-wait")].command[2]}' 2>>"$log")
out=$(timeout 120 "${podman[@]}" run --rm --network host --read-only --cap-drop=all --user 65534:65534 \
  --security-opt no-new-privileges --volume "$sock_dir:/run/dpu-gateway:ro" \
  --volume "$wait_dir:/run/dpu-gateway-wait" --entrypoint /bin/sh "$image" -c "$script" 2>&1); rc=$?
got=$(cat "$wait_dir/gateway-interface" 2>&1)
if [ -n "$script" ] && [ $rc = 0 ] && [ "$got" = eth0 ]; then
  ok "the ovnkube-node patch's init container: dpu-gatewayctl wait over the socket wrote eth0"
else not_ok "the ovnkube-node patch's init container" "exit $rc" "$out" "the file: $got"; fi

# 6. Stopped as the kubelet stops it: SIGTERM, exit 0, nothing critical in its log.
"${podman[@]}" stop --time 10 "$name" >> "$log" 2>&1
status=$("${podman[@]}" inspect --format '{{.State.ExitCode}}' "$name" 2>&1)
logs=$("${podman[@]}" logs "$name" 2>&1)
if [ "$status" = 0 ] && ! grep -q -e CRITICAL -e WARNING <<<"$logs"; then
  ok "SIGTERM: exit 0, no warning in its log"
else not_ok "stopping the container" "exit $status" "$logs"; fi

exit $failed
