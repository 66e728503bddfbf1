#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Runs an example agent of docs/examples against the real dpu-gatewayd.

Usage: test-agents.py SRCDIR BUILDDIR AGENT

AGENT is the built gateway-agent (C), or gateway-agent.py, which runs with
/usr/bin/python3 (Debian's, with python3-gi; $DPUGW_AGENT_PYTHON overrides).
On a private dbus-daemon, over the example hardware built by dpugw-mock-sysfs,
the agent starts first, then the daemon; eth0 goes away and Refresh tells;
the daemon restarts; a second agent starts with the service already there.
The agent's every line is checked, in order.  TAP on stdout.
"""
import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

DEADLINE = 15  # seconds, for anything to happen
PF_DIR = "devices/pci0000:00/0000:00:02.0/0000:01:00.0"


class Failure(Exception):
    pass


class Agent:
    """A running agent; its stdout lines go to a queue, read with a deadline."""

    def __init__(self, argv, env, log):
        self.log = log
        self.stderr = open(log, "w")
        self.proc = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=self.stderr,
                                     text=True)
        self.lines = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.proc.stdout:
            self.lines.put(line.rstrip("\n"))
        self.lines.put(None)

    def expect(self, expected):
        """The agent's next line must be @expected, within the deadline."""
        try:
            line = self.lines.get(timeout=DEADLINE)
        except queue.Empty:
            raise Failure(f"no line within {DEADLINE} s; expected {expected!r}")
        if line is None:
            raise Failure(f"the agent ended (status {self.proc.wait()}); expected {expected!r}")
        if line != expected:
            raise Failure(f"the agent printed {line!r}; expected {expected!r}")

    def stop(self, signum):
        """Sends @signum; the agent must end with status 0 and print nothing more."""
        self.proc.send_signal(signum)
        try:
            status = self.proc.wait(timeout=DEADLINE)
        except subprocess.TimeoutExpired:
            raise Failure(f"still running {DEADLINE} s after signal {signum}")
        if status != 0:
            raise Failure(f"exit status {status} after signal {signum}")
        rest = []
        while (line := self.lines.get(timeout=DEADLINE)) is not None:
            rest.append(line)
        if rest:
            raise Failure(f"unexpected lines: {rest!r}")

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.stderr.close()


class Run:
    def __init__(self, srcdir, builddir, agent):
        self.srcdir, self.builddir = srcdir, builddir
        self.dir = tempfile.mkdtemp(prefix="dpugw-agents-")
        self.sys = os.path.join(self.dir, "sys")
        self.address = "unix:path=" + os.path.join(self.dir, "bus")
        self.env = dict(os.environ, DBUS_SYSTEM_BUS_ADDRESS=self.address)
        self.bus_pid = None
        self.daemon = None
        self.daemon_log = None
        self.agents = []
        self.count = 0
        if agent.endswith(".py"):
            self.agent_argv = [os.environ.get("DPUGW_AGENT_PYTHON", "/usr/bin/python3"), agent]
        else:
            self.agent_argv = [agent]

    def ok(self, description):
        self.count += 1
        print(f"ok {self.count} - {description}", flush=True)

    def start_agent(self):
        # Agents should never warn: a GLib warning aborts them here.
        env = dict(self.env, G_DEBUG="fatal-warnings")
        agent = Agent(self.agent_argv, env, os.path.join(self.dir, f"agent{len(self.agents)}.log"))
        self.agents.append(agent)
        return agent

    def start_daemon(self):
        self.daemon_log = open(os.path.join(self.dir, "daemon.log"), "a")
        self.daemon = subprocess.Popen(
            [os.path.join(self.builddir, "src", "daemon", "dpu-gatewayd"), "--sysfs-root", self.sys,
             "--config-file=", "--ovnkube-node-mode=dpu-host", "--ovnkube-node-mgmt-port-netdev=pf0vf0",
             "--gateway-interface=derive-from-mgmt-port"],
            env=self.env, stdout=self.daemon_log, stderr=subprocess.STDOUT)

    def stop_daemon(self):
        self.daemon.send_signal(signal.SIGTERM)
        try:
            status = self.daemon.wait(timeout=DEADLINE)
        except subprocess.TimeoutExpired:
            raise Failure(f"dpu-gatewayd still running {DEADLINE} s after SIGTERM")
        self.daemon_log.close()
        if status != 0:
            raise Failure(f"dpu-gatewayd exit status {status} after SIGTERM")

    def busctl(self, *args):
        subprocess.run(["busctl", "--address=" + self.address, *args], check=True, timeout=DEADLINE,
                       stdout=subprocess.DEVNULL)

    def setup(self):
        out = subprocess.run(["dbus-daemon", "--session", "--address=" + self.address, "--fork",
                              "--print-pid"], check=True, timeout=DEADLINE, stdout=subprocess.PIPE,
                             text=True).stdout
        self.bus_pid = int(out.split()[0])
        subprocess.run([os.path.join(self.builddir, "tests", "dpugw-mock-sysfs"),
                        os.path.join(self.srcdir, "data", "dpu-host-example.umockdev"), self.sys],
                       check=True, timeout=DEADLINE)

    def remove_eth0(self):
        shutil.rmtree(os.path.join(self.sys, PF_DIR, "net", "eth0"))
        link = os.path.join(self.sys, "class", "net", "eth0")
        if os.path.islink(link):
            os.unlink(link)
        else:
            shutil.rmtree(link)

    def main(self):
        self.setup()
        self.ok("a private bus and the example hardware")

        agent = self.start_agent()
        agent.expect("waiting for org.ovnk.DpuGateway")
        self.ok("started first, the agent waits for the service")

        self.start_daemon()
        agent.expect("gateway: eth0")
        self.ok("the service starts: the agent reads gateway: eth0")

        self.remove_eth0()
        self.busctl("call", "org.ovnk.DpuGateway", "/org/ovnk/DpuGateway", "org.ovnk.DpuGateway", "Refresh")
        agent.expect("gateway: eth0 -> eth1 (VF 0000:01:02.3)")
        self.ok("eth0 removed, Refresh: GatewayChanged eth0 -> eth1 (VF 0000:01:02.3)")
        agent.expect("gateway: eth1")
        self.ok("PropertiesChanged: gateway: eth1")

        self.stop_daemon()
        agent.expect("service gone")
        self.ok("the service stops: service gone")

        self.start_daemon()
        agent.expect("gateway: eth1")
        self.ok("the service starts again: the agent reads gateway: eth1 again")

        second = self.start_agent()
        second.expect("gateway: eth1")
        self.ok("an agent started with the service there reads gateway: eth1 at once")

        second.stop(signal.SIGTERM)
        self.ok("SIGTERM: the agent ends with status 0")
        agent.stop(signal.SIGINT)
        self.ok("SIGINT: the agent ends with status 0, having printed nothing more")

    def cleanup(self):
        for agent in self.agents:
            agent.kill()
        if self.daemon is not None and self.daemon.poll() is None:
            self.daemon.kill()
            self.daemon.wait()
        if self.bus_pid is not None:
            try:
                os.kill(self.bus_pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        shutil.rmtree(self.dir, ignore_errors=True)

    def diagnose(self):
        logs = [a.log for a in self.agents] + [os.path.join(self.dir, "daemon.log")]
        for log in logs:
            if os.path.exists(log):
                with open(log, encoding="utf-8", errors="replace") as f:
                    for line in f.read().splitlines():
                        print(f"# {os.path.basename(log)}: {line}")


def readme_python_block(srcdir):
    """The ```python block of docs/examples/README.md."""
    with open(os.path.join(srcdir, "docs", "examples", "README.md"), encoding="utf-8") as f:
        match = re.search(r"^```python\n(.*?)^```$", f.read(), re.S | re.M)
    return match.group(1) if match else None


def main():
    if len(sys.argv) != 4:
        print("Usage: test-agents.py SRCDIR BUILDDIR AGENT", file=sys.stderr)
        return 2
    srcdir, builddir, agent = sys.argv[1:]
    if not os.path.exists(agent):  # meson passes the built agent relative to the build directory
        agent = os.path.join(builddir, agent)

    if agent.endswith(".py"):
        python = os.environ.get("DPUGW_AGENT_PYTHON", "/usr/bin/python3")
        if subprocess.run([python, "-c", "from gi.repository import Gio, GLib"],
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode != 0:
            # Never a skip: .ci/deps installs python3-gi, and a missing one is a failure.
            print("1..1")
            print(f"not ok 1 - {python} cannot import gi: install python3-gi")
            return 1

    run = Run(srcdir, builddir, agent)
    try:
        if agent.endswith(".py"):
            with open(agent, encoding="utf-8") as f:
                if readme_python_block(srcdir) != f.read():
                    raise Failure("docs/examples/README.md must show gateway-agent.py as it is")
            run.ok("docs/examples/README.md shows gateway-agent.py as it is")
        run.main()
    except (Failure, subprocess.SubprocessError, OSError) as e:
        print(f"not ok {run.count + 1} - {e}")
        run.diagnose()
        print(f"1..{run.count + 1}")
        return 1
    finally:
        run.cleanup()
    print(f"1..{run.count}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
