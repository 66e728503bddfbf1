#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Under journald, dpu-gatewayd's gateway changes carry fields an operator can filter on.

Runs itself again in a private mount namespace (root), puts a tmpfs on /run and plays
journald there: a stream socket /run/systemd/journal/stdout, which the daemon's stderr is
connected to (GLib's writer takes that as journald), and the datagram socket
/run/systemd/journal/socket, which receives the structured entries.  Then a gateway change
(the PF's eth0 removed, Refresh) must arrive with MESSAGE_ID, VF_PCI, PF_PCI, INTERFACE and
OLD_INTERFACE.  Arguments: SRCDIR BUILDDIR.  TAP output.
"""
import os
import socket
import subprocess
import sys
import tempfile
import time

GATEWAY_CHANGED = "c11c050c89334be69ecc471270c72edb"


def parse_entry(data):
    """The journal's native protocol: KEY=value lines, or KEY\\n<le64 size>value\\n."""
    fields, i = {}, 0
    while i < len(data):
        nl = data.index(b"\n", i)
        line = data[i:nl]
        if b"=" in line:
            key, value = line.split(b"=", 1)
            i = nl + 1
        else:
            key = line
            size = int.from_bytes(data[nl + 1:nl + 9], "little")
            value = data[nl + 9:nl + 9 + size]
            i = nl + 9 + size + 1
        fields[key.decode()] = value.decode(errors="replace")
    return fields


def main():
    srcdir, builddir = sys.argv[1], sys.argv[2]
    if os.environ.get("DPUGW_JOURNAL_NS") != "1":
        env = dict(os.environ, DPUGW_JOURNAL_NS="1")
        return subprocess.run(["unshare", "--mount", "--propagation", "private", sys.executable] + sys.argv,
                              env=env).returncode

    print("1..5")
    subprocess.run(["mount", "-t", "tmpfs", "tmpfs", "/run"], check=True)
    os.makedirs("/run/systemd/journal")
    entries = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    entries.bind("/run/systemd/journal/socket")
    entries.settimeout(20)
    stdout_listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    stdout_listener.bind("/run/systemd/journal/stdout")
    stdout_listener.listen(1)
    stderr_sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    stderr_sock.connect("/run/systemd/journal/stdout")

    work = tempfile.mkdtemp()
    sysdir = os.path.join(work, "sys")
    subprocess.run([os.path.join(builddir, "tests", "dpugw-mock-sysfs"),
                    os.path.join(srcdir, "data", "dpu-host-example.umockdev"), sysdir], check=True)
    address = "unix:path=" + os.path.join(work, "bus")
    bus_pid = int(subprocess.run(["dbus-daemon", "--session", "--address=" + address, "--fork", "--print-pid"],
                                 check=True, capture_output=True, text=True).stdout.split()[0])
    env = dict(os.environ, DBUS_SYSTEM_BUS_ADDRESS=address)
    env.pop("G_DEBUG", None)
    daemon = subprocess.Popen([os.path.join(builddir, "src", "daemon", "dpu-gatewayd"), "--sysfs-root", sysdir,
                               "--config-file=", "--ovnkube-node-mode=dpu-host",
                               "--ovnkube-node-mgmt-port-netdev=pf0vf0",
                               "--gateway-interface=derive-from-mgmt-port"],
                              env=env, stderr=stderr_sock.fileno(), stdout=subprocess.DEVNULL)
    failed = 0
    try:
        subprocess.run(["gdbus", "wait", "--system", "--timeout", "20", "org.ovnk.DpuGateway"], env=env, check=True)
        # The start-up resolution is a change too ("" -> eth0); read until the eth0 -> eth1 one.
        pf_net = os.path.join(sysdir, "devices/pci0000:00/0000:00:02.0/0000:01:00.0/net")
        subprocess.run(["rm", "-rf", os.path.join(pf_net, "eth0"), os.path.join(sysdir, "class/net/eth0")], check=True)
        subprocess.run(["busctl", "--address=" + address, "call", "org.ovnk.DpuGateway", "/org/ovnk/DpuGateway",
                        "org.ovnk.DpuGateway", "Refresh"], check=True)
        found = None
        deadline = time.monotonic() + 20
        while found is None and time.monotonic() < deadline:
            entry = parse_entry(entries.recv(65536))
            if entry.get("MESSAGE_ID") == GATEWAY_CHANGED and entry.get("INTERFACE") == "eth1":
                found = entry
        checks = [
            ("a GatewayChanged entry reached the journal socket", found is not None),
            ("VF_PCI is the management VF", found is not None and found.get("VF_PCI") == "0000:01:02.3"),
            ("PF_PCI is its PF", found is not None and found.get("PF_PCI") == "0000:01:00.0"),
            ("INTERFACE and OLD_INTERFACE", found is not None and found.get("OLD_INTERFACE") == "eth0"),
            ("MESSAGE reads as the text log does",
             found is not None and found.get("MESSAGE") == "gateway of 0000:01:02.3: eth0 -> eth1"),
        ]
        for n, (what, ok) in enumerate(checks, 1):
            print(("ok" if ok else "not ok"), n, "-", what)
            failed += 0 if ok else 1
        if found is None or failed:
            print("# entry:", found)
    finally:
        daemon.terminate()
        daemon.wait(timeout=20)
        os.kill(bus_pid, 15)
        subprocess.run(["rm", "-rf", work])
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
