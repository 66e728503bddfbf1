#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Generates a large, realistic sysfs tree for the benchmarks, or changes one.

    gen-sysfs-tree.py [--pfs N] [--vfs-per-pf M] [--switchdev] [--rep-names eth|pfvf]
                      [--manifest FILE] --out DIR
    gen-sysfs-tree.py rename-netdev --out DIR OLD NEW
    gen-sysfs-tree.py remove-netdev --out DIR NAME
    gen-sysfs-tree.py add-netdev --out DIR PCI NAME

The tree is laid out as umockdev lays out our recordings (compare with
`build/tests/dpugw-mock-sysfs data/dpu-host-example.umockdev DIR`), with
relative links only, as the kernel makes them:

    devices/pci0000:HH/0000:HH:DD.0/PCI/   uevent, class, vendor, device, subsystem_vendor,
                                           subsystem_device, subsystem -> ../../../../bus/pci,
                                           driver -> ../../../../bus/pci/drivers/mlx5_core
        PF: sriov_totalvfs, sriov_numvfs, virtfnN -> ../VF
        VF: physfn -> ../PF
        net/NAME/                          uevent, address, ifindex, mtu, operstate, type,
                                           device -> ../../../PCI,
                                           subsystem -> ../../../../../../class/net
                                           (switchdev: phys_port_name, phys_switch_id)
    bus/pci/devices/PCI -> ../../../devices/pci0000:HH/0000:HH:DD.0/PCI
    class/net/NAME      -> ../../devices/pci0000:HH/0000:HH:DD.0/PCI/net/NAME

Hardware: dual-port ConnectX-like NICs (two PFs per NIC: functions .0 and .1 of the
NIC's first bus), each NIC below a root port of its own, alternately on host bridges
pci0000:00 and pci0000:80.  A PF's VFs follow it by routing ID (VF offset 2, stride 1;
the second PF's VFs after the first's), over as many buses as they need: VF addresses
say nothing about their PF, as on real hosts; only physfn and virtfnN link them.
Netdev names are udev's: PF enp<bus>s0f<fn>np<fn>, VF enp<bus>s0f<fn>v<index> (bus
and function of the PF).  With --switchdev the PF's net/ also holds one representor per
VF (phys_port_name pf<fn>vf<index>, the PF's phys_switch_id; the uplink's
phys_port_name is p<fn>), named eth<N> (--rep-names eth, the kernel's names, which sort
before the uplink's) or pf<P>vf<index> (--rep-names pfvf).

--manifest FILE writes one line per PF, tab-separated: PF address, PF netdevs
(comma-separated, sorted), the first VF's address and netdev, the device directory
relative to the root, number of VFs; then one line per VF: "vf", address, netdev,
PF address.  The benchmarks read it instead of walking the tree.

Only the standard library; the tree is written directly, in a few seconds for 4,096 VFs.
"""

import argparse
import os
import shutil
import sys

DRIVER = "mlx5_core"
VENDOR = "0x15b3"
PF_DEVICE = "0x1017"
VF_DEVICE = "0x1018"
SUBSYS_DEVICE = "0x0007"


def pci_name(domain, bus, dev, fn):
    return "%04x:%02x:%02x.%x" % (domain, bus, dev, fn)


def rid_to_pci(domain, rid):
    return pci_name(domain, rid >> 8, (rid >> 3) & 0x1F, rid & 7)


def write(path, text):
    with open(path, "w") as f:
        f.write(text)


class Tree:
    def __init__(self, root):
        self.root = root
        self.ifindex = 1
        self.dirs_made = set()

    def path(self, rel):
        return os.path.join(self.root, rel)

    def mkdir(self, rel):
        if rel not in self.dirs_made:
            os.makedirs(self.path(rel), exist_ok=True)
            self.dirs_made.add(rel)

    def symlink(self, target, rel):
        os.symlink(target, self.path(rel))

    def pci_function(self, devdir, pci, device, attrs, links):
        """A PCI function's directory, as umockdev writes a recorded one."""
        self.mkdir(devdir)
        d = self.path(devdir)
        uevent = (
            "SUBSYSTEM=pci\nDRIVER=%s\nPCI_CLASS=20000\nPCI_ID=15B3:%s\nPCI_SUBSYS_ID=15B3:%s\n"
            "PCI_SLOT_NAME=%s\nMODALIAS=pci:v000015B3d0000%ssv000015B3sd0000%sbc02sc00i00\n"
            % (DRIVER, device[2:].upper(), SUBSYS_DEVICE[2:].upper(), pci, device[2:].upper(),
               SUBSYS_DEVICE[2:].upper())
        )
        write(os.path.join(d, "uevent"), uevent)
        write(os.path.join(d, "class"), "0x020000\n")
        write(os.path.join(d, "vendor"), VENDOR + "\n")
        write(os.path.join(d, "device"), device + "\n")
        write(os.path.join(d, "subsystem_vendor"), VENDOR + "\n")
        write(os.path.join(d, "subsystem_device"), SUBSYS_DEVICE + "\n")
        for name, value in attrs:
            write(os.path.join(d, name), value + "\n")
        os.symlink("../../../../bus/pci", os.path.join(d, "subsystem"))
        os.symlink("../../../../bus/pci/drivers/" + DRIVER, os.path.join(d, "driver"))
        for name, target in links:
            os.symlink(target, os.path.join(d, name))
        # bus/pci/devices/PCI -> ../../../devices/...
        os.symlink("../../../" + devdir, self.path("bus/pci/devices/" + pci))

    def netdev(self, devdir, pci, name, mac, port_name=None, switch_id=None):
        rel = devdir + "/net/" + name
        self.mkdir(devdir + "/net")
        self.mkdir(rel)
        d = self.path(rel)
        index = self.ifindex = self.ifindex + 1
        write(os.path.join(d, "uevent"), "SUBSYSTEM=net\nINTERFACE=%s\nIFINDEX=%d\n" % (name, index))
        write(os.path.join(d, "address"), mac + "\n")
        write(os.path.join(d, "ifindex"), "%d\n" % index)
        write(os.path.join(d, "mtu"), "1500\n")
        write(os.path.join(d, "operstate"), "up\n")
        write(os.path.join(d, "type"), "1\n")
        if port_name is not None:
            write(os.path.join(d, "phys_port_name"), port_name + "\n")
        if switch_id is not None:
            write(os.path.join(d, "phys_switch_id"), switch_id + "\n")
        os.symlink("../../../" + pci, os.path.join(d, "device"))
        os.symlink("../../../../../../class/net", os.path.join(d, "subsystem"))
        os.symlink("../../" + rel, self.path("class/net/" + name))


def generate(args):
    out = args.out
    if os.path.lexists(out) and (not os.path.isdir(out) or os.listdir(out)):
        sys.exit("gen-sysfs-tree.py: %s exists and is not an empty directory" % out)
    tree = Tree(out)
    for rel in ("bus/pci/devices", "bus/pci/drivers/" + DRIVER, "class/net", "devices/virtual/net"):
        tree.mkdir(rel)

    # lo, as in the recordings.
    tree.mkdir("devices/virtual/net/lo")
    lo = tree.path("devices/virtual/net/lo")
    write(os.path.join(lo, "uevent"), "SUBSYSTEM=net\nINTERFACE=lo\nIFINDEX=1\n")
    write(os.path.join(lo, "address"), "00:00:00:00:00:00\n")
    write(os.path.join(lo, "ifindex"), "1\n")
    write(os.path.join(lo, "mtu"), "65536\n")
    write(os.path.join(lo, "operstate"), "unknown\n")
    write(os.path.join(lo, "type"), "772\n")
    os.symlink("../../../../class/net", os.path.join(lo, "subsystem"))
    os.symlink("../../devices/virtual/net/lo", tree.path("class/net/lo"))

    m = args.vfs_per_pf
    pfs_per_nic = 2
    n_nics = (args.pfs + pfs_per_nic - 1) // pfs_per_nic
    # Functions per NIC: its PFs (routing IDs 0..1) and their VFs from routing ID 2 on.
    buses_per_nic = (2 + pfs_per_nic * m + 255) // 256
    next_bus = {0x00: 0x10, 0x80: 0x90}
    manifest = []
    vf_lines = []
    rep = 0
    pf_index = 0
    for nic in range(n_nics):
        host = 0x00 if nic % 2 == 0 else 0x80
        bus = next_bus[host]
        next_bus[host] += max(buses_per_nic, 1)
        if next_bus[host] > host + 0x7F:
            sys.exit("gen-sysfs-tree.py: too many functions for two host bridges")
        root_port = pci_name(0, host, 1 + nic // 2, 0)
        parent = "devices/pci0000:%02x/%s" % (host, root_port)
        tree.mkdir(parent)
        base_rid = bus << 8
        for p in range(pfs_per_nic):
            if pf_index >= args.pfs:
                break
            pf_index += 1
            pf = pci_name(0, bus, 0, p)
            pf_dir = parent + "/" + pf
            vfs = [rid_to_pci(0, base_rid + 2 + p * m + i) for i in range(m)]
            links = [("virtfn%d" % i, "../" + vf) for i, vf in enumerate(vfs)]
            tree.pci_function(pf_dir, pf, PF_DEVICE,
                              [("sriov_totalvfs", str(m)), ("sriov_numvfs", str(m))], links)
            uplink = "enp%ds0f%dnp%d" % (bus, p, p)
            switch_id = "0c42a1%04x%06x" % (bus, nic) if args.switchdev else None
            mac_base = "0c:42:a1:%02x:%02x" % (bus, p)
            tree.netdev(pf_dir, pf, uplink, mac_base + ":00",
                        "p%d" % p if args.switchdev else None, switch_id)
            pf_netdevs = [uplink]
            for i, vf in enumerate(vfs):
                vf_dir = parent + "/" + vf
                tree.pci_function(vf_dir, vf, VF_DEVICE, [], [("physfn", "../" + pf)])
                vf_name = "enp%ds0f%dv%d" % (bus, p, i)
                tree.netdev(vf_dir, vf, vf_name, "02:%02x:%02x:%02x:%02x:%02x" % (bus, p, nic, i >> 8, i & 0xFF))
                vf_lines.append("vf\t%s\t%s\t%s" % (vf, vf_name, pf))
                if args.switchdev:
                    rep_name = "eth%d" % rep if args.rep_names == "eth" else "pf%dvf%d" % (pf_index - 1, i)
                    rep += 1
                    tree.netdev(pf_dir, pf, rep_name, "4a:%02x:%02x:%02x:%02x:%02x" % (bus, p, nic, i >> 8, i & 0xFF),
                                "pf%dvf%d" % (p, i), switch_id)
                    pf_netdevs.append(rep_name)
            first_vf = vfs[0] if vfs else ""
            first_vf_name = "enp%ds0f%dv0" % (bus, p) if vfs else ""
            manifest.append("\t".join([pf, ",".join(sorted(pf_netdevs)), first_vf, first_vf_name, pf_dir,
                                       str(m)]))
    if args.manifest:
        write(args.manifest, "\n".join(manifest + vf_lines) + "\n")


def find_netdev(root, name):
    """The device directory (relative to root) of the netdev NAME, from class/net/NAME."""
    link = os.path.join(root, "class/net", name)
    target = os.readlink(link)
    if not target.startswith("../../"):
        sys.exit("gen-sysfs-tree.py: %s -> %s: not a link into devices/" % (link, target))
    rel = target[len("../../"):]
    return rel.rsplit("/net/", 1)[0], rel


def rename_netdev(args):
    """As the kernel does: the net/ directory renamed, class/net's link replaced."""
    devdir, rel = find_netdev(args.out, args.old)
    new_rel = devdir + "/net/" + args.new
    os.rename(os.path.join(args.out, rel), os.path.join(args.out, new_rel))
    uevent = os.path.join(args.out, new_rel, "uevent")
    if os.path.exists(uevent):
        with open(uevent) as f:
            text = f.read().replace("INTERFACE=%s\n" % args.old, "INTERFACE=%s\n" % args.new)
        write(uevent, text)
    os.unlink(os.path.join(args.out, "class/net", args.old))
    os.symlink("../../" + new_rel, os.path.join(args.out, "class/net", args.new))


def remove_netdev(args):
    devdir, rel = find_netdev(args.out, args.name)
    shutil.rmtree(os.path.join(args.out, rel))
    os.unlink(os.path.join(args.out, "class/net", args.name))


def add_netdev(args):
    link = os.path.join(args.out, "bus/pci/devices", args.pci)
    target = os.readlink(link)
    if not target.startswith("../../../"):
        sys.exit("gen-sysfs-tree.py: %s -> %s: not a link into devices/" % (link, target))
    devdir = target[len("../../../"):]
    tree = Tree(args.out)
    # A free ifindex is not needed for the library; keep it plausible.
    tree.ifindex = 100000 + len(os.listdir(os.path.join(args.out, "class/net")))
    tree.netdev(devdir, args.pci, args.name, "02:00:00:00:00:01")


def main():
    edit_commands = {"rename-netdev", "remove-netdev", "add-netdev"}
    if len(sys.argv) > 1 and sys.argv[1] in edit_commands:
        parser = argparse.ArgumentParser(prog="gen-sysfs-tree.py")
        sub = parser.add_subparsers(dest="command", required=True)
        p = sub.add_parser("rename-netdev", help="rename a netdev, as the kernel changes sysfs")
        p.add_argument("--out", required=True)
        p.add_argument("old")
        p.add_argument("new")
        p = sub.add_parser("remove-netdev", help="remove a netdev")
        p.add_argument("--out", required=True)
        p.add_argument("name")
        p = sub.add_parser("add-netdev", help="add a netdev to a PCI function")
        p.add_argument("--out", required=True)
        p.add_argument("pci")
        p.add_argument("name")
        args = parser.parse_args()
        {"rename-netdev": rename_netdev, "remove-netdev": remove_netdev, "add-netdev": add_netdev}[args.command](args)
        return

    parser = argparse.ArgumentParser(prog="gen-sysfs-tree.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("--pfs", type=int, default=8, help="SR-IOV physical functions (default 8)")
    parser.add_argument("--vfs-per-pf", type=int, default=512, help="VFs of each PF (default 512)")
    parser.add_argument("--switchdev", action="store_true", help="PFs in switchdev mode: a representor per VF")
    parser.add_argument("--rep-names", choices=("eth", "pfvf"), default="eth",
                        help="representor names: eth<N> (default) or pf<P>vf<I>")
    parser.add_argument("--manifest", help="write the PFs and VFs made to this file")
    parser.add_argument("--out", required=True, help="the directory that plays /sys (new or empty)")
    args = parser.parse_args()
    if args.pfs < 1 or args.vfs_per_pf < 0 or args.vfs_per_pf > 4096:
        parser.error("--pfs must be >= 1, --vfs-per-pf between 0 and 4096")
    generate(args)


if __name__ == "__main__":
    main()
