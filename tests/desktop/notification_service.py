"""A small `org.freedesktop.Notifications` server for the tests, on the D-Bus bus whose
address is the first argument: it registers a QtDBus object with the specification's
``Notify`` signature, prints ``READY`` once the name is owned, then one JSON line per
notification received, and answers with ids from 41 up.

It runs as its own process, as a real notification daemon does: the workstation makes
its typed D-Bus call from a worker thread, and building the `QDBusInterface` for it
introspects the server while holding Python's interpreter lock, so a server in the
test's own interpreter could not answer."""

from __future__ import annotations

import json
import sys

from quantdesk_desktop.qt import QtCore, QtDBus

PATH = "/org/freedesktop/Notifications"


@QtCore.ClassInfo({"D-Bus Interface": "org.freedesktop.Notifications"})
class Notifications(QtCore.QObject):
    """The server object: every notification is printed and numbered."""

    def __init__(self) -> None:
        super().__init__()
        self.next_id = 41

    @QtCore.Slot(str, "uint", str, str, str, "QStringList", "QVariantMap", int, result="uint")
    def Notify(self, app, replaces_id, icon, summary, body, actions, hints, timeout):
        number = self.next_id
        self.next_id += 1
        line = {"id": number, "app": app, "replaces_id": replaces_id, "icon": icon,
                "summary": summary, "body": body, "actions": list(actions),
                "timeout": timeout}  # fmt: skip
        print(json.dumps(line), flush=True)
        return number

    @QtCore.Slot(result="QStringList")
    def GetCapabilities(self):
        return ["body"]


def main() -> int:
    app = QtCore.QCoreApplication(sys.argv[:1])
    bus = QtDBus.QDBusConnection.connectToBus(sys.argv[1], "notification-server")
    server = Notifications()
    exported = QtDBus.QDBusConnection.RegisterOption.ExportAllSlots
    if not bus.registerObject(PATH, server, exported):
        print(f"FAILED {bus.lastError().message()}", flush=True)
        return 1
    if not bus.registerService("org.freedesktop.Notifications"):
        print(f"FAILED {bus.lastError().message()}", flush=True)
        return 1
    print("READY", flush=True)
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
