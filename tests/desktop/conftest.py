"""Desktop tests run on the X display the test command starts; without one, offscreen."""

from __future__ import annotations

import os

import pytest

if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import keyring.core

from quantdesk_desktop.qt import QApplication, QtCore
from tests.desktop.live_backend import backend, client  # noqa: F401  (shared fixtures)
from tests.file_keyring import FileKeyring, configure_environment

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@pytest.fixture(autouse=True)
def _file_keyring(tmp_path, monkeypatch):
    """Each test keeps wallet keys in a real keyring backend of its own, a file under its
    tmp_path, never in the machine's keyring; child processes (the workstation, a cache
    sync) find the same file through the environment."""
    path = tmp_path / "keyring.json"
    for name, value in configure_environment(path).items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv(
        "PYTHONPATH", os.pathsep.join(filter(None, [ROOT, os.environ.get("PYTHONPATH")]))
    )
    monkeypatch.setattr(keyring.core, "_keyring_backend", FileKeyring(path))
    return path


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
