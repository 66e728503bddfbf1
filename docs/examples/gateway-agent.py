#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
# gateway-agent.c in Python, with Gio (python3-gi): the same lines, the same logic.
import signal
import sys
from gi.repository import Gio, GLib

NAME = IFACE = "org.ovnk.DpuGateway"
PATH = "/org/ovnk/DpuGateway"
PROPS = "org.freedesktop.DBus.Properties"


class Agent:
    def __init__(self, bus):
        self.bus, self.seen, self.exit_status = bus, False, 0
        self.subscriptions, self.cancellable, self.props, self.shown = [], None, {}, None  # per appearance

    def show_state(self):  # prints the configured gateway interface when it changed
        if self.props.get("Generation", 0) == 0:
            return  # the service's first resolution is not in; its PropertiesChanged brings it
        gw = self.props.get("GatewayInterface", "")
        line = f"gateway: {gw}" if gw else f"gateway: none ({self.props.get('LastError') or 'not configured'})"
        if line != self.shown:
            self.shown = line
            print(line, flush=True)

    def on_signal(self, bus, sender, path, iface, name, params):
        if name == "GatewayChanged":
            if self.shown is None:
                return  # before GetAll's reply: already in the state it brings
            vf, old, new = params.unpack()
            print(f"gateway: {old or 'none'} -> {new or 'none'}" + (f" (VF {vf})" if vf else ""), flush=True)
        else:  # PropertiesChanged
            self.props.update(params.unpack()[1])
            self.show_state()

    def on_get_all(self, bus, result):
        try:
            self.props.update(bus.call_finish(result).unpack()[0])
        except GLib.Error as e:  # cancelled: the service went away meanwhile
            if not e.matches(Gio.io_error_quark(), Gio.IOErrorEnum.CANCELLED):
                print(f"gateway-agent: cannot read the properties: {e.message}", file=sys.stderr)
            return
        self.show_state()

    def on_appeared(self, bus, name, owner):  # subscribe to this owner's signals, then read
        self.seen, self.cancellable = True, Gio.Cancellable()
        self.subscriptions = [
            bus.signal_subscribe(owner, IFACE, "GatewayChanged", PATH, None, 0, self.on_signal),
            bus.signal_subscribe(owner, PROPS, "PropertiesChanged", PATH, IFACE, 0, self.on_signal)]
        bus.call(owner, PATH, PROPS, "GetAll", GLib.Variant("(s)", (IFACE,)), GLib.VariantType("(a{sv})"),
                 Gio.DBusCallFlags.NONE, -1, self.cancellable, self.on_get_all)

    def forget(self):
        for s in self.subscriptions:
            self.bus.signal_unsubscribe(s)
        if self.cancellable:
            self.cancellable.cancel()
        self.subscriptions, self.cancellable, self.props, self.shown = [], None, {}, None

    def on_vanished(self, bus, name):
        self.forget()
        print("service gone" if self.seen else f"waiting for {NAME}", flush=True)

    def on_closed(self, bus, remote_peer_vanished, error):
        print("gateway-agent: the system bus closed", file=sys.stderr)
        self.exit_status = 1
        loop.quit()


try:
    bus = Gio.bus_get_sync(Gio.BusType.SYSTEM)
except GLib.Error as e:
    sys.exit(f"gateway-agent: cannot connect to the system bus: {e.message}")
bus.set_exit_on_close(False)  # a closed bus ends the agent with status 1, not with SIGTERM
agent, loop = Agent(bus), GLib.MainLoop()
bus.connect("closed", agent.on_closed)
for signum in (signal.SIGINT, signal.SIGTERM):
    GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signum, loop.quit)
watch = Gio.bus_watch_name_on_connection(bus, NAME, Gio.BusNameWatcherFlags.NONE,
                                         agent.on_appeared, agent.on_vanished)
loop.run()
Gio.bus_unwatch_name(watch)
agent.forget()
sys.exit(agent.exit_status)
