"""The one module that imports the Qt binding; every other desktop module imports from here."""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
import sys


def _prefer_the_system_xkbcommon() -> None:
    """Load the system's libxkbcommon into the global symbol scope before PySide6-QtAds.

    The QtAds wheel bundles its own copy of the library, and once that copy's symbols are
    global the system copy that Qt's X11 platform plugin uses calls into it with its own
    data: the first real key press segfaults. Loaded first, the system copy serves both."""
    if not sys.platform.startswith("linux"):
        return
    name = ctypes.util.find_library("xkbcommon")
    if name is not None:
        with contextlib.suppress(OSError):  # no usable system copy: nothing to prefer
            ctypes.CDLL(name, mode=ctypes.RTLD_GLOBAL)


def _prefer_x11_windows() -> None:
    """On a Wayland desktop, open the windows through XWayland unless told otherwise.

    Floating panels and saved workspaces put windows at given places on given monitors,
    which Wayland does not let an application do; through XWayland they land where they
    were left. (``QT_QPA_PLATFORM`` still chooses; the installed app carries only the X11
    platform.)"""
    if (
        sys.platform.startswith("linux")
        and not os.environ.get("QT_QPA_PLATFORM")
        and os.environ.get("WAYLAND_DISPLAY")
        and os.environ.get("DISPLAY")
    ):
        os.environ["QT_QPA_PLATFORM"] = "xcb"


_prefer_the_system_xkbcommon()
_prefer_x11_windows()

import PySide6QtAds as QtAds  # noqa: E402
from PySide6 import QtCore, QtDBus, QtGui, QtWidgets  # noqa: E402
from PySide6.QtCore import Qt, QTimer, Signal, Slot  # noqa: E402
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow, QWidget  # noqa: E402

__all__ = [
    "QApplication",
    "QLabel",
    "QMainWindow",
    "QTimer",
    "QWidget",
    "Qt",
    "QtAds",
    "QtCore",
    "QtDBus",
    "QtGui",
    "QtWidgets",
    "Signal",
    "Slot",
]
