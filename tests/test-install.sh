#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# What `meson install` puts on a host: the files, a program embedding the
# library through pkg-config, and the unit's systemd-analyze security score.
# TAP output.  Arguments: SRCDIR BUILDDIR
set -u
srcdir=$1
builddir=$2
dest=$(mktemp -d)
trap 'rm -rf "$dest"' EXIT

n=0
failed=0
check() {
  local what=$1; shift
  n=$((n + 1))
  if "$@" > "$dest/out.$n" 2>&1; then
    echo "ok $n - $what"
  else
    echo "not ok $n - $what"
    sed 's/^/# /' "$dest/out.$n"
    failed=$((failed + 1))
  fi
}

echo "1..11"
check "meson install into a DESTDIR" meson install -C "$builddir" --no-rebuild --destdir "$dest/root" --quiet

prefix=$(meson introspect "$builddir" --buildoptions | python3 -c 'import json,sys; print([o["value"] for o in json.load(sys.stdin) if o["name"]=="prefix"][0])')
root="$dest/root$prefix"
pc=$(find "$dest/root" -name dpu-gateway.pc | head -1)

# Where this host's bus and systemd read their files, as their own pkg-config files say:
# whatever the prefix (the build's default is /usr/local), that is where they must land.
busdata=$(pkg-config --variable=datadir dbus-1)
services=$(pkg-config --variable=system_bus_services_dir dbus-1)
interfaces=$(pkg-config --variable=interfaces_dir dbus-1)
unitdir=$(pkg-config --variable=systemd_system_unit_dir systemd)
unit="$dest/root$unitdir/dpu-gatewayd.service"
activation="$dest/root$services/org.ovnk.DpuGateway.service"

check "the daemon, the client and the library are installed" \
  test -x "$root/libexec/dpu-gatewayd" -a -x "$root/bin/dpu-gatewayctl" -a -n "$pc"
check "the policy, activation file and unit are where this host's bus and systemd read them" \
  test -n "$busdata" -a -n "$services" -a -n "$unitdir" \
    -a -f "$dest/root$busdata/dbus-1/system.d/org.ovnk.DpuGateway.conf" \
    -a -f "$activation" -a -f "$unit"
check "the installed interface is the one in dbus/" \
  cmp "$srcdir/dbus/org.ovnk.DpuGateway.xml" "$dest/root$interfaces/org.ovnk.DpuGateway.xml"
check "the activation file names the unit and the installed daemon" \
  eval 'grep -qx "SystemdService=dpu-gatewayd.service" "$activation" && grep -qx "Exec=$prefix/libexec/dpu-gatewayd" "$activation"'
check "the unit reloads without /bin/kill" grep -qx "ExecReload=/bin/sh -c 'kill -HUP \$MAINPID'" "$unit"
check "the unit starts the installed daemon" grep -qx "ExecStart=$prefix/libexec/dpu-gatewayd" "$unit"

# An agent embedding the library, built only from what was installed.
cat > "$dest/agent.c" <<'C'
#include <dpu-gateway/dpu-gateway.h>
int
main (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DpugwSysfs) sysfs = dpugw_sysfs_new (argv[1], &error);
  g_autoptr(DpugwResolution) r = sysfs ? dpugw_resolve (sysfs, NULL, argv[2], &error) : NULL;
  if (r == NULL)
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  g_print ("%s\n", r->interface);
  return 0;
}
C
build_agent() {
  local flags
  # The .pc file as installed, its prefix moved to where DESTDIR put it.
  mkdir -p "$dest/pc" &&
  sed "s|^prefix=.*|prefix=$root|" "$pc" > "$dest/pc/dpu-gateway.pc" &&
  flags=$(PKG_CONFIG_PATH="$dest/pc" pkg-config --cflags --libs dpu-gateway) &&
  cc -std=gnu11 -Wall -Werror -o "$dest/agent" "$dest/agent.c" $flags -Wl,-rpath,"$(dirname "$(dirname "$pc")")"
}
run_agent() {
  "$builddir/tests/dpugw-mock-sysfs" "$srcdir/data/dpu-host-example.umockdev" "$dest/sys" &&
  test "$("$dest/agent" "$dest/sys" pf0vf0)" = eth0
}
check "an agent builds against the installed headers with pkg-config" build_agent
check "the agent resolves the example hardware through the installed library" run_agent

score() {
  local out exposure
  out=$(systemd-analyze security --offline=yes "$unit" 2>&1) || { echo "$out"; return 1; }
  exposure=$(echo "$out" | sed -n 's/.*Overall exposure level for .*: \([0-9.]*\) .*/\1/p')
  echo "exposure $exposure"
  python3 -c "import sys; sys.exit(0 if float('$exposure') <= 2.0 else 1)"
}
check "systemd-analyze security rates the unit 2.0 or better" score

# A build for a host (no tests, no man pages) does not look for the tools only those need.
minimal() {
  meson setup "$dest/minimal" "$srcdir" -Dtests=false -Dman=disabled > "$dest/minimal.out" 2>&1 ||
    { cat "$dest/minimal.out"; return 1; }
  ! grep -E '^(Program (mandoc|scdoc|valgrind|python3) found|Run-time dependency umockdev)' \
    "$dest/minimal/meson-logs/meson-log.txt"
}
check "configuring without tests and man pages needs neither umockdev, mandoc nor scdoc" minimal

[ $failed -eq 0 ]
