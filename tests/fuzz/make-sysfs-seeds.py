#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Writes the seeds of fuzz-sysfs from the hardware recordings.

    tests/fuzz/make-sysfs-seeds.py [BUILDDIR]

Each recording (data/*.umockdev, tests/fixtures/*.umockdev) is made into a
tree by BUILDDIR/tests/dpugw-mock-sysfs (default BUILDDIR: build), and the
tree is written as fuzz-sysfs operations (see tests/fuzz/fuzz-sysfs.c): its
links, the attributes the library reads, the management ports to resolve, and
a dpu-host configuration.  Only tests/fuzz/corpus/sysfs/hw-* are rewritten;
the hand-written seeds there are left alone.  Run it after changing a
recording; the output is deterministic.
"""
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
OUT = os.path.join(HERE, "corpus", "sysfs")

# The attributes the library reads; everything else in a recording is noise here.
ATTRS = {"sriov_totalvfs", "sriov_numvfs", "operstate", "phys_port_name", "phys_switch_id"}


def escape(b):
    out = []
    for c in b:
        if c == 0x5C:
            out.append("\\\\")
        elif c == 0x0A:
            out.append("\\n")
        elif c == 0x09:
            out.append("\\t")
        elif c < 0x20 or c >= 0x7F:
            out.append("\\x%02x" % c)
        else:
            out.append(chr(c))
    return "".join(out)


def tree_ops(top):
    ops, vfs, vf_netdevs, aux = [], [], [], []
    for dirpath, dirnames, filenames in os.walk(top):
        dirnames.sort()
        rel_dir = os.path.relpath(dirpath, top)
        kept = False
        for name in sorted(dirnames + filenames):
            path = os.path.join(dirpath, name)
            rel = os.path.normpath(os.path.join(rel_dir, name))
            if os.path.islink(path):
                target = os.readlink(path)
                if name == "subsystem" and os.path.basename(target) != "auxiliary":
                    continue
                ops.append("l %s\t%s" % (escape(rel.encode()), escape(target.encode())))
                if rel.startswith("class/auxiliary/"):
                    # umockdev files auxiliary devices under class/; the kernel under bus/ too.
                    ops.append("l bus/auxiliary/devices/%s\t../%s" % (escape(name.encode()), escape(target.encode())))
                kept = True
                if name == "physfn":
                    vfs.append(os.path.basename(dirpath))
                    net = os.path.join(dirpath, "net")
                    if os.path.isdir(net):
                        vf_netdevs.extend(sorted(os.listdir(net)))
                if rel.startswith("class/auxiliary/"):
                    aux.append(name)
            elif os.path.isfile(path) and name in ATTRS:
                with open(path, "rb") as f:
                    ops.append("f %s\t%s" % (escape(rel.encode()), escape(f.read())))
                kept = True
        if not kept and not dirnames and rel_dir != ".":
            ops.append("d %s" % escape(rel_dir.encode()))
    return ops, sorted(vfs), vf_netdevs, sorted(aux)


def seed_for(recording, mock):
    with tempfile.TemporaryDirectory() as tmp:
        top = os.path.join(tmp, "sys")
        subprocess.run([mock, recording, top], check=True)
        ops, vfs, vf_netdevs, aux = tree_ops(top)
    # Ports first: the target resolves and diagnoses them.
    ports = []
    if vf_netdevs:
        ports.append(vf_netdevs[0])
    if vfs:
        ports.append(vfs[0])
    ports.extend(aux[:1])
    lines = ["p %s" % p for p in ports]
    lines.append("c [OvnKubeNode]")
    lines.append("c mode=dpu-host")
    if aux:
        lines.append("c mgmt-port-dp-resource-name=nvidia.com/bf_sf")
        lines.append("e PCIDEVICE_NVIDIA_COM_BF_SF=%s" % aux[0])
    elif vfs:
        lines.append("c mgmt-port-dp-resource-name=nvidia.com/mgmt_vf")
        lines.append("e PCIDEVICE_NVIDIA_COM_MGMT_VF=%s,%s" % (vfs[0], vfs[-1]))
    lines.append("c mgmt-port-netdev=%s" % (vf_netdevs[0] if vf_netdevs else "ovn-k8s-mp0"))
    lines.append("c [Gateway]")
    lines.append("c interface=derive-from-mgmt-port")
    lines.append("c select=uplink,first")
    lines.extend(ops)
    return "\n".join(lines) + "\n"


def main():
    build = sys.argv[1] if len(sys.argv) > 1 else os.path.join(TOP, "build")
    mock = os.path.join(build, "tests", "dpugw-mock-sysfs")
    recordings = []
    for d in ("data", os.path.join("tests", "fixtures")):
        full = os.path.join(TOP, d)
        recordings += [os.path.join(full, f) for f in sorted(os.listdir(full)) if f.endswith(".umockdev")]
    os.makedirs(OUT, exist_ok=True)
    for f in os.listdir(OUT):
        if f.startswith("hw-"):
            os.unlink(os.path.join(OUT, f))
    for r in recordings:
        name = "hw-" + os.path.basename(r)[: -len(".umockdev")]
        seed = seed_for(r, mock)
        with open(os.path.join(OUT, name), "w", encoding="utf-8") as f:
            f.write(seed)
        print("%s: %d lines, %d bytes" % (name, seed.count("\n"), len(seed.encode())))


if __name__ == "__main__":
    main()
