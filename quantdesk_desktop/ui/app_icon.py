"""The application's icon (`resources/icons/`), in every size it ships."""

from __future__ import annotations

from quantdesk_desktop import paths
from quantdesk_desktop.qt import QtGui

DESKTOP_FILE = "quantdesk"
"""The desktop entry's name (quantdesk.desktop), by which task bars match the windows."""


def application_icon() -> QtGui.QIcon:
    """The QuantDesk icon built from its PNG renders (sharp at each size)."""
    icon = QtGui.QIcon()
    for path in sorted((paths.resources_dir() / "icons" / "png").glob("quantdesk-*.png")):
        icon.addFile(str(path))
    return icon
