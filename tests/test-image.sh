#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# The container image (data/image/build-image), built offline and started with podman as the
# DaemonSet of data/kubernetes/overlays/example runs it: its init container's chown of the
# socket's directory, then the daemon with --network host, --read-only, --cap-drop=all, --user
# 65534, the host's /sys read-only, the socket's directory bind-mounted from the host, the
# DaemonSet's arguments and its rendered ovnkube INI file; then the ovnkube-node patch's init
# container.  The feature doc's example host
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
# The DaemonSet of the example overlay (data/kubernetes/overlays/example), as kustomize renders
# it: its configuration (the ovnkube INI file from the feature doc's Helm keys), the daemon's
# arguments and where the configuration is mounted, the init container that hands the socket's
# directory to 65534.  kubectl label --local reads the objects offline.
rendered=$(kubectl kustomize "$src/data/kubernetes/overlays/example" 2>>"$log") || cannot "kubectl kustomize failed"
jp() { kubectl label --local -f - probe=1 -o jsonpath="$1" <<<"$rendered" 2>>"$log"; }
ds='.spec.template.spec'
jp '{.data.ovnkube\.conf}' > "$state/ovnkube.conf"
config_dir=$(jp "{$ds.containers[?(@.name==\"dpu-gateway\")].volumeMounts[?(@.name==\"config\")].mountPath}")
mapfile -t daemon_args < <(jp "{range $ds.containers[?(@.name==\"dpu-gateway\")].args[*]}{@}{\"\\n\"}{end}")
mapfile -t chown_cmd < <(jp "{range $ds.initContainers[?(@.name==\"socket-directory\")].command[*]}{@}{\"\\n\"}{end}")
chown_caps=$(jp "{$ds.initContainers[?(@.name==\"socket-directory\")].securityContext.capabilities.add[*]}")
mapfile -t probe_cmd < <(jp "{range $ds.containers[?(@.name==\"dpu-gateway\")].readinessProbe.exec.command[*]}{@}{\"\\n\"}{end}")
mapfile -t liveness_cmd < <(jp "{range $ds.containers[?(@.name==\"dpu-gateway\")].livenessProbe.exec.command[*]}{@}{\"\\n\"}{end}")
chown_user=$(jp "{$ds.initContainers[?(@.name==\"socket-directory\")].securityContext.runAsUser}")
[ -s "$state/ovnkube.conf" ] && [ -n "$config_dir" ] && [ ${#daemon_args[@]} -gt 0 ] && [ ${#chown_cmd[@]} -gt 0 ] &&
  [ ${#probe_cmd[@]} -gt 0 ] && [ ${#liveness_cmd[@]} -gt 0 ] ||
  cannot "the rendered DaemonSet lacks its configuration, arguments, probes or init container"
# As the kubelet makes the hostPath directory: root's, 0755.
chmod 0755 "$sock_dir"
chown 65534:65534 "$wait_dir"
sock="$sock_dir/bus"
address="unix:path=$sock"

n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() {
  n=$((n + 1)); echo "not ok $n - $1"; failed=1; shift
  for l in "$@"; do while IFS= read -r x; do echo "# $x"; done <<<"$l"; done
}
# Once the plan is out, what stops the test is a failure.
bail() { echo "Bail out! $*"; exit 1; }
failed=0
echo "1..12"

# The DaemonSet's init container socket-directory, with its user and capabilities alone.
if "${podman[@]}" run --rm --network host --read-only --cap-drop=all --cap-add="$chown_caps" \
     --user "$chown_user:0" --security-opt no-new-privileges --volume "$sock_dir:/run/dpu-gateway" \
     --entrypoint "${chown_cmd[0]}" "$image" "${chown_cmd[@]:1}" >> "$log" 2>&1 &&
   [ "$(stat -c %u:%g "$sock_dir")" = 65534:65534 ]; then
  ok "the init container socket-directory (${chown_cmd[*]}, CAP_$chown_caps alone) gives the directory to 65534"
else not_ok "the init container socket-directory" "$(tail -5 "$log")" "owner $(stat -c %u:%g "$sock_dir")"; fi

# The image as built: its user and entry point.
config=$("${podman[@]}" image inspect --format '{{.Config.User}}|{{json .Config.Entrypoint}}' "$image" 2>&1)
want='65534:65534|["/usr/libexec/dpu-gatewayd","--no-bus","--listen=unix:path=/run/dpu-gateway/bus"]'
if [ "$config" = "$want" ]; then ok "the image runs dpu-gatewayd --no-bus --listen=... as 65534:65534"
else not_ok "the image's user and entry point" "got:  $config" "want: $want"; fi

# Started as the DaemonSet runs it.
if "${podman[@]}" run --detach --name "$name" --network host --pid host --read-only --cap-drop=all \
     --user 65534:65534 --security-opt no-new-privileges \
     --volume /sys:/sys:ro --volume "$state/sys:/host/sys:ro" \
     --volume "$state/ovnkube.conf:$config_dir/ovnkube.conf:ro" \
     --volume "$sock_dir:/run/dpu-gateway" --env K8S_NODE_IP=127.0.0.1 \
     "$image" "${daemon_args[@]}" --sysfs-root=/host/sys >> "$log" 2>&1; then
  ok "podman run --network host --pid host --read-only --cap-drop=all --user 65534 ${daemon_args[*]}"
else
  tail -20 "$log" | sed "s/^/# /"; bail "podman run failed"
fi

# Ready as the kubelet sees it: the DaemonSet's readiness probe, run in the container.
: > "$state/probe.out"
deadline=$((SECONDS + 30))
until [ -S "$sock" ] && "${podman[@]}" exec "$name" "${probe_cmd[@]}" > "$state/probe.out" 2>&1; do
  [ "$("${podman[@]}" inspect --format '{{.State.Running}}' "$name" 2>/dev/null)" = true ] && [ $SECONDS -lt $deadline ] || break
  sleep 0.2
done
if [ -S "$sock" ] && grep -q '^Gateway interface: *eth0$' "$state/probe.out"; then
  ok "the socket in the bind-mounted directory; the readiness probe (${probe_cmd[*]}) passes"
else
  not_ok "no socket $sock, or the readiness probe failing, for 30 s" "$(cat "$state/probe.out")" \
    "$("${podman[@]}" logs "$name" 2>&1 | tail -20)"
  bail "the container did not serve its socket"
fi
if "${podman[@]}" exec "$name" "${liveness_cmd[@]}" > "$state/probe.out" 2>&1; then
  ok "the liveness probe (${liveness_cmd[*]}) passes"
else not_ok "the liveness probe" "$(cat "$state/probe.out")"; fi

# What runs in the container: uid 65534, no capability, a read-only root.
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

# Asked from the host, over the socket: dpu-gatewayctl and busctl.
out=$("$ctl" resolve --address="$address" 2>&1); rc=$?
if [ $rc = 0 ] && [ "$out" = eth0 ]; then ok "dpu-gatewayctl resolve --address=$address: eth0"
else not_ok "dpu-gatewayctl resolve over the socket" "exit $rc" "$out"; fi
out=$("$ctl" status --address="$address" 2>&1); rc=$?
if [ $rc = 0 ] && grep -qx 'Management port: *pf0vf0' <<<"$out" && grep -qx 'Gateway interface: *eth0' <<<"$out" &&
   grep -q '  sysfs-root *  */host/sys$' <<<"$out"; then
  ok "dpu-gatewayctl status: the example overlay's configuration, the example host's gateway"
else not_ok "dpu-gatewayctl status over the socket" "exit $rc" "$out"; fi
out=$(busctl --address="$address" call org.ovnk.DpuGateway /org/ovnk/DpuGateway org.ovnk.DpuGateway Resolve s pf0vf1 2>&1); rc=$?
if [ $rc = 0 ] && [[ "$out" == 'sa{sv} "eth0" '* ]] && [[ "$out" == *'"vf-pci" s "0000:01:02.4"'* ]]; then
  ok "busctl --address=... Resolve pf0vf1: eth0, through VF 0000:01:02.4"
else not_ok "busctl Resolve over the socket" "exit $rc" "$out"; fi

# The ovnkube-node patch's init container (data/kubernetes/ovnkube-node), its script as
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

# Stopped as the kubelet stops it: SIGTERM, exit 0, nothing critical in its log.
"${podman[@]}" stop --time 10 "$name" >> "$log" 2>&1
status=$("${podman[@]}" inspect --format '{{.State.ExitCode}}' "$name" 2>&1)
logs=$("${podman[@]}" logs "$name" 2>&1)
if [ "$status" = 0 ] && ! grep -q -e CRITICAL -e ERROR <<<"$logs"; then
  ok "SIGTERM: exit 0, no critical or error in its log"
else not_ok "stopping the container" "exit $status" "$logs"; fi

exit $failed
