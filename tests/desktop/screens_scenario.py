"""A workstation window run in its own process on Qt's offscreen platform with a screen
layout from a file (``QT_QPA_PLATFORM=offscreen:configfile=...``): ``save`` detaches the
tape onto the right-hand screen and saves the workspace; ``restore`` opens it again and
prints where each window is (JSON), for tests/desktop/test_workspaces.py."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from quantdesk_desktop.qt import QApplication, QtGui
from quantdesk_desktop.state.store import MarketStore
from quantdesk_desktop.ui.main_window import MainWindow
from quantdesk_desktop.ui.workspace import WorkspaceStore

WORKSPACE = "Two screens"


def _windows(window: MainWindow) -> list[dict]:
    report = []
    for widget in window.top_level_windows():
        frame = widget.frameGeometry()
        screen = widget.screen()
        titles = [w.objectName() for w in getattr(widget, "dockWidgets", lambda: [])()]
        report.append(
            {
                "docks": titles,
                "rect": [frame.x(), frame.y(), frame.width(), frame.height()],
                "screen": screen.name() if screen is not None else None,
            }
        )
    return report


def main(action: str, folder: str) -> int:
    """Run ``action`` (save or restore) with workspaces in ``folder``."""
    app = QApplication.instance() or QApplication([])
    window = MainWindow(MarketStore(), WorkspaceStore(Path(folder)))
    if action == "save":
        window.default_layout("SOL-PERP")
        window.resize(1200, 800)
        window.move(50, 50)
        window.show()
        app.processEvents()
        tape_id = next(pid for pid, (panel, _) in window.panels.items() if panel.kind == "tape")
        dock = window.panels[tape_id][1]
        dock.setFloating()
        app.processEvents()
        floating = dock.floatingDockContainer()
        right = QtGui.QGuiApplication.screens()[1].availableGeometry()
        floating.move(right.x() + 200, right.y() + 150)
        floating.resize(500, 400)
        app.processEvents()
        window.save_workspace(WORKSPACE)
    else:
        window.show()
        ok = window.load_workspace(WORKSPACE)
        app.processEvents()
        if not ok:
            print(json.dumps({"error": window.status.notice.text()}))
            return 1
    print(json.dumps({"screens": [s.name() for s in app.screens()], "windows": _windows(window)}))
    window.clear_panels()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
