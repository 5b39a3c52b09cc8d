"""The Qt stack the workstation is built on starts on this machine's display."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from quantdesk_desktop.qt import QLabel, QMainWindow, QtAds


def test_dock_manager_shows_a_panel_on_a_real_display(qtbot) -> None:
    window = QMainWindow()
    qtbot.addWidget(window)
    manager = QtAds.CDockManager(window)
    dock = QtAds.CDockWidget(manager, "Watchlist")
    dock.setWidget(QLabel("BTC-PERP"))
    manager.addDockWidget(QtAds.DockWidgetArea.CenterDockWidgetArea, dock)
    window.resize(640, 480)
    window.show()
    qtbot.waitExposed(window)
    image = window.grab().toImage()
    assert image.width() >= 640 and image.height() >= 480
    assert dock.isVisible()


TYPING = """
import os, subprocess, sys
from quantdesk_desktop.qt import QApplication, QtCore, QtWidgets
app = QApplication([])
edit = QtWidgets.QLineEdit()
edit.show()
def type_keys():
    subprocess.run(["xdotool", "windowfocus", "--sync", str(int(edit.winId())), "type", "150.25"],
                   check=True)
    QtCore.QTimer.singleShot(300, app.quit)
QtCore.QTimer.singleShot(200, type_keys)
app.exec()
print(edit.text())
"""


@pytest.mark.skipif(
    os.environ.get("QT_QPA_PLATFORM") != "xcb" or shutil.which("xdotool") is None,
    reason="real key events need the X display the test command starts (and xdotool)",
)
def test_real_key_presses_reach_a_field_on_x11() -> None:
    # in a child process: the QtAds wheel's own libxkbcommon once made the first real key
    # press segfault (quantdesk_desktop.qt loads the system copy first)
    typed = subprocess.run(
        [sys.executable, "-c", TYPING], capture_output=True, text=True, timeout=60, check=False
    )
    assert typed.returncode == 0, typed.stderr[-2000:]
    assert typed.stdout.strip().splitlines()[-1] == "150.25"


PLATFORM_CHOSEN = (
    "import os, quantdesk_desktop.qt; print(os.environ.get('QT_QPA_PLATFORM', 'unset'))"
)


@pytest.mark.parametrize(
    ("session", "chosen"),
    [
        ({"WAYLAND_DISPLAY": "wayland-0", "DISPLAY": ":0"}, "xcb"),  # XWayland places windows
        ({"WAYLAND_DISPLAY": "w-0", "DISPLAY": ":0", "QT_QPA_PLATFORM": "wayland"}, "wayland"),
        ({"WAYLAND_DISPLAY": "wayland-0"}, "unset"),  # no XWayland: Qt decides
        ({"DISPLAY": ":0"}, "unset"),
    ],
)
def test_a_wayland_session_opens_windows_through_xwayland(session, chosen) -> None:
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in {"WAYLAND_DISPLAY", "DISPLAY", "QT_QPA_PLATFORM"}
    }
    done = subprocess.run(
        [sys.executable, "-c", PLATFORM_CHOSEN],
        capture_output=True, text=True, env=env | session, check=True, timeout=60,
    )  # fmt: skip
    assert done.stdout.strip() == chosen
