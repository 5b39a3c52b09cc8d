"""The one module that imports the Qt binding; every other desktop module imports from here."""

from __future__ import annotations

import PySide6QtAds as QtAds
from PySide6 import QtCore, QtGui, QtWidgets
from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow, QWidget

__all__ = [
    "QApplication",
    "QLabel",
    "QMainWindow",
    "QTimer",
    "QWidget",
    "Qt",
    "QtAds",
    "QtCore",
    "QtGui",
    "QtWidgets",
    "Signal",
    "Slot",
]
