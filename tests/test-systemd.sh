#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# The installed packages under a real systemd: a minimal Debian 12 (mmdebstrap --variant=minbase,
# cached under the build directory) booted with systemd-nspawn --boot, systemd as PID 1 and the
# real system bus, its own network namespace; the packages built by data/build-debs and installed
# with apt inside, where tests/system/checks.sh runs the checks.  TAP: the checks' own lines.
# Arguments: SRCDIR BUILDDIR BUS, BUS the package of the system bus: dbus (dbus-daemon) or
# dbus-broker.  Environment: DPUGW_DEBIAN_MIRROR (default http://deb.debian.org/debian).
# Under CI=true, anything that keeps the container from booting and running the checks fails;
# elsewhere a missing tool skips.
set -u
src=$1
build=$2
bus=$3
state="$build/system-test-$bus"
mirror=${DPUGW_DEBIAN_MIRROR:-http://deb.debian.org/debian}
# What the packages need at run time, and what the checks use, installed when the root is made:
# the container has no network, and apt installs the packages from the files alone.
include=systemd,systemd-sysv,$bus,iproute2,libglib2.0-0,libnl-3-200,libnl-route-3-200

case $bus in dbus|dbus-broker) ;; *) echo "unknown bus package $bus" >&2; exit 2 ;; esac

cannot() {
  if [ "${CI:-}" = true ]; then
    echo "1..1"; echo "not ok 1 - the booted-systemd test: $*"; exit 1
  fi
  echo "1..0 # SKIP $*"; exit 0
}
[ "$(id -u)" = 0 ] || cannot "needs root (systemd-nspawn)"
for tool in systemd-nspawn mmdebstrap dpkg-buildpackage lintian; do
  command -v $tool >/dev/null || cannot "needs $tool"
done

mkdir -p "$state"
log="$state/log"
: > "$log"

# The packages, then the same service package with a later version, for the upgrade check.
"$src/data/build-debs" "$state/debs" >> "$log" 2>&1 || { cat "$log"; cannot "data/build-debs failed"; }
rm -rf "$state/debs/upgrade" "$state/repack"
mkdir -p "$state/debs/upgrade"
deb=$(ls "$state"/debs/dpu-gateway_*.deb)
dpkg-deb -R "$deb" "$state/repack"
sed -i 's/^Version: \(.*\)$/Version: \1+upgrade1/' "$state/repack/DEBIAN/control"
dpkg-deb -b --root-owner-group "$state/repack" "$state/debs/upgrade/" >> "$log" 2>&1 || cannot "dpkg-deb -b failed"

# The root, made once per package list.
tarball="$state/root-bookworm-$(echo "$include $mirror" | md5sum | cut -c1-12).tar"
if [ ! -f "$tarball" ]; then
  rm -rf "$state"/root-bookworm-*
  # The name's extension tells mmdebstrap to write a tarball.
  mmdebstrap --variant=minbase --include="$include" bookworm "${tarball%.tar}.part.tar" "$mirror" >> "$log" 2>&1 ||
    { tail -20 "$log"; cannot "mmdebstrap failed"; }
  mv "${tarball%.tar}.part.tar" "$tarball"
fi
root="$state/root"
rm -rf "$root"
mkdir -p "$root"
tar -C "$root" -xf "$tarball"

t="$root/srv/dpugw-test"
mkdir -p "$t"
cp -a "$state/debs" "$t/debs"
"$build/tests/dpugw-mock-sysfs" "$src/data/dpu-host-example.umockdev" "$t/sys"
install -m 0755 "$src/tests/system/checks.sh" "$t/checks.sh"
echo "$bus" > "$t/bus"
cat > "$root/etc/systemd/system/dpugw-checks.service" <<UNIT
[Unit]
Description=dpu-gateway's booted-systemd checks
After=multi-user.target dbus.service dbus-broker.service
[Service]
Type=oneshot
ExecStart=/srv/dpugw-test/checks.sh
StandardOutput=journal+console
StandardError=journal+console
[Install]
WantedBy=multi-user.target
UNIT
ln -sf ../dpugw-checks.service "$root/etc/systemd/system/multi-user.target.wants/dpugw-checks.service"

# Boot; the checks power the container off.  --register=no --keep-unit: no machined here.
timeout 600 systemd-nspawn --boot -D "$root" --register=no --keep-unit --private-network \
  --console=pipe -q > "$state/console.log" 2>&1 < /dev/null
status=$?
if [ ! -s "$t/result.tap" ] || ! grep -q '^1\.\.' "$t/result.tap"; then
  tail -60 "$state/console.log"
  cannot "the container did not boot and run the checks (systemd-nspawn exit $status; console: $state/console.log)"
fi
cat "$t/result.tap"
grep -q '^not ok' "$t/result.tap" && exit 1
exit 0
