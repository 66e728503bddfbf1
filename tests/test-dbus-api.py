#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Checks that the D-Bus API reference documents exactly the introspection XML.

Usage: test-dbus-api.py dbus/org.ovnk.DpuGateway.xml docs/dbus-api.md

The reference has a level-2 section per kind, "## Methods", "## Properties",
"## Signals" and "## Errors", and in it a level-3 section per name ("###
Resolve", "### org.ovnk.DpuGateway.Error.PciAddress").  Checked, as TAP:

- the methods, properties and signals of the interface org.ovnk.DpuGateway,
  and the error names org.ovnk.DpuGateway.Error.* of the XML's comments, are
  the names of those sections: no more, no fewer; and the reference mentions
  no other org.ovnk.DpuGateway.Error.* name anywhere;
- each method's and signal's signature block (the first code block of its
  section) lists the XML's arguments, with their direction and type, in order;
  each property's section starts with its type and access ("`s`, read.");
- each method, property and signal section has a busctl and a gdbus example:
  a code block with a line that runs busctl, and one with a line that runs
  gdbus, each naming the member (in the command or in its output).
"""
import re
import sys
import xml.etree.ElementTree as ET

INTERFACE = "org.ovnk.DpuGateway"
ERROR_RE = re.compile(r"\b" + re.escape(INTERFACE) + r"\.Error\.[A-Za-z0-9_]+")
KINDS = ("Methods", "Properties", "Signals", "Errors")


def load_xml(path):
    """The interface's methods, properties, signals, and the error names of the comments."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    # The comments use "--" (--gateway-select), which XML 1.0 forbids in
    # comments and expat refuses, while GLib's parser takes it: neutralise it.
    text = re.sub(r"<!--(.*?)-->",
                  lambda m: "<!--" + m.group(1).replace("--", "- -") + "-->",
                  text, flags=re.S)
    parser = ET.XMLPullParser(events=("start", "comment"))
    parser.feed(text)
    parser.close()
    comments = []
    root = None
    for event, elem in parser.read_events():
        if event == "comment":
            comments.append(elem.text if hasattr(elem, "text") else str(elem))
        elif root is None:
            root = elem
    iface = next((i for i in root.iter("interface") if i.get("name") == INTERFACE), None)
    if iface is None:
        raise SystemExit("Bail out! %s: no interface %s" % (path, INTERFACE))

    methods = {m.get("name"): [(a.get("direction", "in"), a.get("type"), a.get("name"))
                               for a in m.findall("arg")]
               for m in iface.findall("method")}
    signals = {s.get("name"): [(None, a.get("type"), a.get("name")) for a in s.findall("arg")]
               for s in iface.findall("signal")}
    properties = {p.get("name"): (p.get("type"), p.get("access")) for p in iface.findall("property")}
    errors = set()
    for comment in comments:
        errors.update(ERROR_RE.findall(comment or ""))
    return methods, properties, signals, errors


def load_md(path):
    """{kind: {name: [lines]}} for the level-3 sections of each kind, and the whole text."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    sections = {kind: {} for kind in KINDS}
    kind = None
    current = None
    fence = False
    for line in text.splitlines():
        if line.startswith("```"):
            fence = not fence
        if not fence and line.startswith("## "):
            title = line[3:].strip()
            kind = title if title in KINDS else None
            current = None
            continue
        if not fence and line.startswith("### ") and kind is not None:
            name = line[4:].strip().strip("`")
            current = sections[kind].setdefault(name, [])
            continue
        if current is not None:
            current.append(line)
    return sections, text


def code_blocks(lines):
    """The fenced code blocks of a section, each a list of lines."""
    blocks = []
    block = None
    for line in lines:
        if line.startswith("```"):
            if block is None:
                block = []
            else:
                blocks.append(block)
                block = None
        elif block is not None:
            block.append(line)
    return blocks


def runs(block, program):
    """Whether a code block has a command line that runs @program."""
    pattern = re.compile(r"^\s*(\$\s+)?(sudo\s+)?" + program + r"\s")
    return any(pattern.match(line) for line in block)


def signature(block, is_method):
    """The (direction, type, name) list of a signature block such as "Resolve (in s mgmt_port, ...)"."""
    text = " ".join(block)
    inside = text[text.find("(") + 1:text.rfind(")")] if "(" in text else ""
    args = []
    for part in inside.split(","):
        words = part.split()
        if not words:
            continue
        if is_method:
            if len(words) != 3:
                return None
            args.append(tuple(words))
        else:
            if len(words) != 2:
                return None
            args.append((None, words[0], words[1]))
    return args


class Tap:
    def __init__(self):
        self.n = 0
        self.failed = 0

    def check(self, ok, what, diagnostics=()):
        self.n += 1
        print("%s %d - %s" % ("ok" if ok else "not ok", self.n, what))
        if not ok:
            self.failed += 1
            for line in diagnostics:
                print("# " + line)

    def same_names(self, what, expected, documented):
        missing = sorted(set(expected) - set(documented))
        extra = sorted(set(documented) - set(expected))
        diagnostics = []
        if missing:
            diagnostics.append("in the XML, not documented: " + ", ".join(missing))
        if extra:
            diagnostics.append("documented, not in the XML: " + ", ".join(extra))
        self.check(not missing and not extra, what, diagnostics)


def main():
    if len(sys.argv) != 3:
        print("usage: test-dbus-api.py INTERFACE.xml DBUS-API.md", file=sys.stderr)
        return 2
    xml_path, md_path = sys.argv[1], sys.argv[2]
    methods, properties, signals, errors = load_xml(xml_path)
    sections, text = load_md(md_path)
    tap = Tap()

    tap.same_names("the methods are documented, no more, no fewer", methods, sections["Methods"])
    tap.same_names("the properties are documented, no more, no fewer", properties, sections["Properties"])
    tap.same_names("the signals are documented, no more, no fewer", signals, sections["Signals"])
    tap.same_names("the error names are documented, no more, no fewer", errors, sections["Errors"])
    mentioned = set(ERROR_RE.findall(text))
    tap.check(mentioned <= errors, "no other error name is mentioned",
              ["not in the XML: " + ", ".join(sorted(mentioned - errors))])

    for kind, members in (("method", methods), ("signal", signals)):
        for name, args in sorted(members.items()):
            lines = sections["Methods" if kind == "method" else "Signals"].get(name)
            if lines is None:
                continue
            blocks = code_blocks(lines)
            documented = signature(blocks[0], kind == "method") if blocks else None
            tap.check(documented == args, "%s %s: the signature lists the XML's arguments" % (kind, name),
                      ["XML: %s" % args, "documented: %s" % documented])

    for name, (type_, access) in sorted(properties.items()):
        lines = sections["Properties"].get(name)
        if lines is None:
            continue
        first = next((line for line in lines if line.strip()), "")
        ok = re.match(r"`%s`, %s\b" % (re.escape(type_), re.escape(access)), first) is not None
        tap.check(ok, "property %s: its section starts with its type and access, `%s`, %s" % (name, type_, access),
                  ["first line: " + first])

    for kind, members in (("Methods", methods), ("Properties", properties), ("Signals", signals)):
        for name in sorted(members):
            lines = sections[kind].get(name)
            if lines is None:
                continue
            blocks = code_blocks(lines)
            diagnostics = []
            for program in ("busctl", "gdbus"):
                examples = [b for b in blocks if runs(b, program)]
                if not examples:
                    diagnostics.append("no %s example" % program)
                elif not any(name in line for b in examples for line in b):
                    diagnostics.append("no %s example names %s" % (program, name))
            what = {"Methods": "method", "Properties": "property", "Signals": "signal"}[kind]
            tap.check(not diagnostics, "%s %s: a busctl and a gdbus example" % (what, name), diagnostics)

    print("1..%d" % tap.n)
    print("# %d passed, %d failed" % (tap.n - tap.failed, tap.failed))
    return 1 if tap.failed else 0


if __name__ == "__main__":
    sys.exit(main())
