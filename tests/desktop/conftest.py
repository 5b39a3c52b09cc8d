"""Desktop tests run on the X display the test command starts; without one, offscreen."""

from __future__ import annotations

import os

import pytest

if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from quantdesk_desktop.qt import QApplication, QtCore
from tests.desktop.live_backend import backend, client  # noqa: F401  (shared fixtures)


@pytest.fixture(autouse=True)
def _drop_dead_dock_manager_hooks(request):
    """After each test, drop the `focusWindowChanged` handlers that dock managers leave on
    the application: PySide6-QtAds 4.4.1.2 connects a lambda without a context object
    that raises its manager's window, so once a test's window is deleted the next window
    focus change would call into freed memory (fixed upstream in ADS 4.5). The workstation
    itself has one window for its whole life."""
    yield
    app = QApplication.instance()
    if app is not None and app.receivers(QtCore.SIGNAL("focusWindowChanged(QWindow*)")):
        app.focusWindowChanged.disconnect()
