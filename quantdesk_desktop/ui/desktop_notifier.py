"""Desktop notifications: `org.freedesktop.Notifications.Notify` over the D-Bus session
bus when there is one, else a tray balloon when there is a tray, else a log line (once).

Why a worker thread: PySide6 turns every Python int handed to a `QDBusMessage` into a
D-Bus ``int32``, and ``Notify`` takes ``replaces_id`` as ``uint32``, so a hand-built
message is refused by every notification server. The typed call goes through a
`QDBusInterface` (which learns the signature by introspection) with ``Q_ARG("uint", 0)``;
that call blocks, so it runs on one worker thread (PySide6 lets the UI thread run
meanwhile). Building the interface blocks *with* the interpreter lock held, for the
introspection round trip, so it is built once, and only after an asynchronous
introspection has shown that the notification server answers: a hung server cannot
freeze the window.
"""

from __future__ import annotations

import itertools
import logging
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from quantdesk_desktop.qt import QtCore, QtDBus, QtGui, QtWidgets, Signal

log = logging.getLogger("quantdesk.notify")

SERVICE = "org.freedesktop.Notifications"
PATH = "/org/freedesktop/Notifications"
INTERFACE = "org.freedesktop.Notifications"
APP_NAME = "QuantDesk"
CALL_TIMEOUT_MS = 3_000
TRAY_SHOW_MS = 10_000
_CONNECTION_NAMES = itertools.count(1)


class DesktopNotifier(QtCore.QObject):
    """Sends desktop notifications by the best route there is."""

    delivered = Signal(str, str, object)
    """(route, summary, detail): ``dbus`` with the server's notification id, ``tray``
    with None, or ``none`` with the reason nothing was shown."""
    _answered = Signal(str, str, str, bool, object)
    """From the worker: summary, body, icon, urgent, and the id or the error text."""

    def __init__(self, bus_address: str | None = None, parent: QtCore.QObject | None = None):
        """``bus_address``: a D-Bus address to use instead of the session bus."""
        super().__init__(parent)
        self._address = bus_address
        self._bus: QtDBus.QDBusConnection | None = None
        self._connection_name: str | None = None
        """The private connection's name (to a ``bus_address``), to close it."""
        self._bus_looked_up = False
        self._worker: ThreadPoolExecutor | None = None
        self._interface: QtDBus.QDBusInterface | None = None
        """Built and used on the worker thread only."""
        self._server_answered = False
        self._tray: QtWidgets.QSystemTrayIcon | None = None
        self._warned: set[str] = set()
        self._answered.connect(self._on_answer)  # queued: the worker emits it

    def notify(self, summary: str, body: str, urgent: bool = False) -> str:
        """Show a notification; the route tried first (``dbus``, answered later through
        `delivered`; or ``tray`` or ``none``, already done)."""
        icon = "dialog-error" if urgent else "dialog-warning"
        bus = self._session_bus()
        if bus is None:
            return self._fallback(summary, body, urgent, "no D-Bus session bus")
        if self._server_answered:
            self._send_on_worker(summary, body, icon, urgent)
        else:
            self._check_server(bus, summary, body, icon, urgent)
        return "dbus"

    def close(self) -> None:
        """Let go of the worker thread (after the call under way, at most its timeout) and
        of the private connection."""
        if self._worker is not None:
            self._worker.submit(self._drop_interface)
            self._worker.shutdown(wait=True)
            self._worker = None
        if self._tray is not None:
            self._tray.hide()
        if self._connection_name is not None:
            QtDBus.QDBusConnection.disconnectFromBus(self._connection_name)
            self._connection_name = None

    # -- D-Bus --------------------------------------------------------------------------

    def _session_bus(self) -> QtDBus.QDBusConnection | None:
        if self._bus_looked_up:
            return self._bus
        self._bus_looked_up = True
        if self._address is not None:
            self._connection_name = f"quantdesk-notify-{next(_CONNECTION_NAMES)}"
            bus = QtDBus.QDBusConnection.connectToBus(self._address, self._connection_name)
        elif _session_bus_advertised():
            bus = QtDBus.QDBusConnection.sessionBus()
        else:
            return None
        self._bus = bus if bus.isConnected() else None
        return self._bus

    def _check_server(
        self, bus: QtDBus.QDBusConnection, summary: str, body: str, icon: str, urgent: bool
    ) -> None:
        """Ask the server to introspect, without waiting; send once it has answered."""
        message = QtDBus.QDBusMessage.createMethodCall(
            SERVICE, PATH, "org.freedesktop.DBus.Introspectable", "Introspect"
        )
        watcher = QtDBus.QDBusPendingCallWatcher(bus.asyncCall(message, CALL_TIMEOUT_MS), self)

        def answered(call: QtDBus.QDBusPendingCallWatcher) -> None:
            call.deleteLater()
            if call.isError():
                self._fallback(summary, body, urgent, f"D-Bus: {call.error().message()}")
                return
            self._server_answered = True
            self._send_on_worker(summary, body, icon, urgent)

        watcher.finished.connect(answered)

    def _send_on_worker(self, summary: str, body: str, icon: str, urgent: bool) -> None:
        if self._worker is None:
            self._worker = ThreadPoolExecutor(1, thread_name_prefix="quantdesk-notify")
        self._worker.submit(self._send, summary, body, icon, urgent)

    def _send(self, summary: str, body: str, icon: str, urgent: bool) -> None:
        """On the worker thread: the typed `Notify` call."""
        outcome: object
        try:
            outcome = self._notify_call(summary, body, icon)
        except RuntimeError as error:  # no Notify method with that signature
            outcome = f"D-Bus: {error}"
        self._answered.emit(summary, body, icon, urgent, outcome)

    def _notify_call(self, summary: str, body: str, icon: str) -> object:
        if self._interface is None:
            assert self._bus is not None
            self._interface = QtDBus.QDBusInterface(SERVICE, PATH, INTERFACE, self._bus)
            self._interface.setTimeout(CALL_TIMEOUT_MS)
        interface = self._interface
        if not interface.isValid():
            error = interface.lastError().message() or "no notification server"
            self._interface = None
            return f"D-Bus: {error}"
        number = QtCore.QMetaObject.invokeMethod(
            interface,
            "Notify",
            QtCore.Qt.ConnectionType.DirectConnection,
            QtCore.Q_RETURN_ARG("uint"),
            QtCore.Q_ARG("QString", APP_NAME),
            QtCore.Q_ARG("uint", 0),
            QtCore.Q_ARG("QString", icon),
            QtCore.Q_ARG("QString", summary),
            QtCore.Q_ARG("QString", body),
            QtCore.Q_ARG("QStringList", []),
            QtCore.Q_ARG("QVariantMap", {}),
            QtCore.Q_ARG("int", -1),
        )
        error = interface.lastError()
        if error.isValid():
            return f"D-Bus: {error.message()}"
        return int(number)

    def _drop_interface(self) -> None:
        self._interface = None

    def _on_answer(self, summary: str, body: str, icon: str, urgent: bool, outcome) -> None:
        if isinstance(outcome, int):
            log.debug("desktop notification %s shown: %s", outcome, summary)
            self.delivered.emit("dbus", summary, outcome)
            return
        self._fallback(summary, body, urgent, str(outcome))

    # -- without D-Bus ------------------------------------------------------------------

    def _fallback(self, summary: str, body: str, urgent: bool, why: str) -> str:
        if QtWidgets.QSystemTrayIcon.isSystemTrayAvailable():
            self._warn_once("tray", "desktop notifications through the tray (%s)", why)
            tray = self._tray_icon()
            kind = QtWidgets.QSystemTrayIcon.MessageIcon
            tray.showMessage(summary, body, kind.Critical if urgent else kind.Warning, TRAY_SHOW_MS)
            self.delivered.emit("tray", summary, None)
            return "tray"
        self._warn_once("none", "no desktop notifier (%s, and no system tray)", why)
        self.delivered.emit("none", summary, why)
        return "none"

    def _tray_icon(self) -> QtWidgets.QSystemTrayIcon:
        if self._tray is None:
            app = QtWidgets.QApplication.instance()
            icon = app.windowIcon() if isinstance(app, QtWidgets.QApplication) else QtGui.QIcon()
            if icon.isNull():
                icon = QtWidgets.QApplication.style().standardIcon(
                    QtWidgets.QStyle.StandardPixmap.SP_MessageBoxWarning
                )
            self._tray = QtWidgets.QSystemTrayIcon(icon, self)
            self._tray.setToolTip(APP_NAME)
            self._tray.show()
        return self._tray

    def _warn_once(self, key: str, text: str, *args: object) -> None:
        if key not in self._warned:
            self._warned.add(key)
            log.warning(text, *args)


def _session_bus_advertised() -> bool:
    """Whether a session bus is there to use: its address in the environment, or the
    usual socket of a systemd user session (Qt would otherwise try to launch one)."""
    if os.environ.get("DBUS_SESSION_BUS_ADDRESS"):
        return True
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    return bool(runtime) and Path(runtime, "bus").is_socket()
