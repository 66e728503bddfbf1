#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Runs the README's examples and compares their output.

Every ```console block of README.md is one bash session: lines starting
with "$ " are commands (run from the source tree, with "build/" standing for
the build directory), the lines after one are its expected output (stdout and
stderr together).  A line "..." in the expected output matches any lines;
"..." inside a line matches any text.  Background jobs a block starts, and
the processes named by its variables ending in "_pid", are killed when it ends.
Blocks marked <!-- not-tested: REASON --> on the line before are skipped
(commands for a real host's system bus, apt-get).
"""
import os
import re
import subprocess
import sys
import tempfile

MARK = "__DPUGW_README_EXAMPLE_%d__"


def blocks(text):
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        if lines[i].strip() == "```console":
            skip = i > 0 and lines[i - 1].strip().startswith("<!-- not-tested")
            j = i + 1
            body = []
            while lines[j].strip() != "```":
                body.append(lines[j])
                j += 1
            if not skip:
                yield i + 1, body
            i = j
        i += 1


def parse(body):
    steps = []
    for line in body:
        if line.startswith("$ "):
            steps.append((line[2:], []))
        elif steps:
            steps[-1][1].append(line)
    return steps


def matches(expected, actual):
    if not expected:
        return not actual
    if expected[0] == "...":
        return any(matches(expected[1:], actual[k:]) for k in range(len(actual) + 1))
    return bool(actual) and line_matches(expected[0], actual[0]) and matches(expected[1:], actual[1:])


def line_matches(expected, actual):
    if "..." not in expected:
        return expected == actual
    pattern = ".*".join(re.escape(part) for part in expected.split("..."))
    return re.fullmatch(pattern, actual) is not None


def main():
    srcdir, builddir = sys.argv[1], sys.argv[2]
    with open(os.path.join(srcdir, "README.md"), encoding="utf-8") as f:
        readme = f.read()

    failures = 0
    count = 0
    for lineno, body in blocks(readme):
        steps = parse(body)
        if not steps:
            continue
        script = ["set -u",
                  "cleanup() { kill $(jobs -p) 2>/dev/null; wait; for v in $(compgen -v | grep '_pid$'); do"
                  " kill \"${!v}\" 2>/dev/null; done; }",
                  "trap cleanup EXIT",
                  "cd " + shlex_quote(srcdir)]
        for n, (cmd, _) in enumerate(steps):
            cmd = re.sub(r"(^|[\s;&|(=])build/", lambda m: m.group(1) + builddir + "/", cmd)
            script.append("echo " + MARK % n)
            script.append("{ " + cmd + "\n} 2>&1")
        script.append("echo " + MARK % len(steps))
        with tempfile.TemporaryDirectory() as tmp:
            env = dict(os.environ, TMPDIR=tmp)
            out = subprocess.run(["bash", "-c", "\n".join(script)], capture_output=True, text=True,
                                 env=env, timeout=120).stdout
        outputs = re.split(r"__DPUGW_README_EXAMPLE_\d+__\n", out)[1:]
        for n, (cmd, expected) in enumerate(steps):
            count += 1
            actual = outputs[n].splitlines() if n < len(outputs) else ["<missing>"]
            if matches(expected, actual):
                print("ok %d - README.md:%d $ %s" % (count, lineno, cmd))
            else:
                failures += 1
                print("not ok %d - README.md:%d $ %s" % (count, lineno, cmd))
                print("# expected:\n#   " + "\n#   ".join(expected))
                print("# actual:\n#   " + "\n#   ".join(actual))
    print("%d passed, %d failed" % (count - failures, failures))
    if count == 0:
        print("no examples found")
        return 1
    return 1 if failures else 0


def shlex_quote(s):
    import shlex
    return shlex.quote(s)


if __name__ == "__main__":
    sys.exit(main())
