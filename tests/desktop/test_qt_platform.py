"""The Qt stack the workstation is built on starts on this machine's display."""

from __future__ import annotations

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
