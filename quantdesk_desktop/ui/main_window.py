"""The main window: a QtAds dock manager holding the panels (tab, split, auto-hide,
close, float onto any monitor), the menus, the status bar, and the frame clock that
refreshes every panel from the store at most once a frame."""

from __future__ import annotations

import itertools
import logging
import time
from collections import deque
from typing import Protocol

from quantdesk_desktop import theme
from quantdesk_desktop.client.outcomes import OrderRefusal
from quantdesk_desktop.panels.base import Panel
from quantdesk_desktop.panels.registry import PANEL_TYPES
from quantdesk_desktop.qt import QMainWindow, QtAds, QtCore, QtGui, QTimer, QtWidgets
from quantdesk_desktop.state.store import MarketStore
from quantdesk_desktop.ui.alerts import AlertAnnouncer
from quantdesk_desktop.ui.hotkeys import HotkeyController
from quantdesk_desktop.ui.status_bar import StatusBar
from quantdesk_desktop.ui.workspace import (
    PanelRecord,
    Workspace,
    WorkspaceError,
    WorkspaceStore,
    bring_onto_screen,
)

log = logging.getLogger("quantdesk.window")

FRAME_MS = 16
OWN_ORDER_VIEWS = frozenset({"blotter", "depth", "chart"})
"""Panels showing the account's own orders: refreshed at once when those change."""
LINKS = ("green", "blue", "orange", "purple")
"""Link colours; panels of one colour follow each other's market."""
LINK_COLOURS = {"green": "#43a047", "blue": "#1e88e5", "orange": "#fb8c00", "purple": "#8e24aa"}


class Intents(Protocol):
    """Where the panels' trading intents go (the client layer)."""

    def place_limit(self, market: str, side: str, price: int, size: int) -> None: ...
    def cancel(self, order_id: int) -> None: ...
    def modify(self, order_id: int, price: int) -> None: ...
    def amend(self, order_id: int, price: int | None, size: int | None) -> None: ...
    def submit(self, order: dict, on_result) -> None: ...
    def cancel_all(self, market: str | None) -> None: ...
    def transfer(self, kind: str, asset: str, amount_text: str, on_result) -> None: ...
    def sync_wanted(self) -> None: ...


class MainWindow(QMainWindow):
    """The workstation's main window."""

    def __init__(self, store: MarketStore, workspaces: WorkspaceStore) -> None:
        super().__init__()
        self.store = store
        self.workspaces = workspaces
        self.intents: Intents | None = None
        self.quit_on_close = False
        """Closing this window ends the application (floating windows included); the
        application sets it, tests leave it off."""
        self.workspace_name = "Default"
        self.setWindowTitle("QuantDesk")
        QtAds.CDockManager.setConfigFlag(QtAds.CDockManager.eConfigFlag.OpaqueSplitterResize, True)
        QtAds.CDockManager.setConfigFlag(QtAds.CDockManager.eConfigFlag.FocusHighlighting, True)
        QtAds.CDockManager.setConfigFlag(
            QtAds.CDockManager.eConfigFlag.DockAreaHasUndockButton, True
        )
        QtAds.CDockManager.setAutoHideConfigFlags(
            QtAds.CDockManager.eAutoHideFlag.DefaultAutoHideConfig
        )
        self.manager = QtAds.CDockManager(self)
        self.panels: dict[str, tuple[Panel, QtAds.CDockWidget]] = {}
        self._ids = itertools.count(1)
        self.status = StatusBar(store)
        self.setStatusBar(self.status)
        self.alerts = AlertAnnouncer(self, store, self.status.show_notice)
        self.hotkeys = HotkeyController(self)
        self.status.addPermanentWidget(self.hotkeys.arm_switch)
        self._build_menus()
        self.frame_times: deque[float] = deque(maxlen=2_000)
        """Recent frame intervals (ms), for the UI benchmarks."""
        self._last_frame: float | None = None
        self._frame_requested = False
        self.frame_timer = QTimer(self)
        self.frame_timer.setTimerType(QtCore.Qt.TimerType.PreciseTimer)
        self.frame_timer.timeout.connect(self.frame)
        self.frame_timer.start(FRAME_MS)

    # -- panels -----------------------------------------------------------------------

    def add_panel(
        self,
        kind: str,
        market: str,
        link: str | None = None,
        panel_id: str | None = None,
        area: QtAds.DockWidgetArea = QtAds.DockWidgetArea.CenterDockWidgetArea,
        beside: QtAds.CDockAreaWidget | None = None,
    ) -> Panel:
        """Open a panel of ``kind`` on ``market`` as a new dock."""
        panel_type = PANEL_TYPES[kind]
        panel_id = panel_id or self._new_id(kind)
        panel = panel_type(self.store, market)
        panel.link = link
        dock = QtAds.CDockWidget(self.manager, self._dock_title(panel), self)
        dock.setObjectName(panel_id)
        dock.setWidget(panel)
        dock.setIcon(_link_icon(link))
        dock.setFeature(QtAds.CDockWidget.DockWidgetFeature.DockWidgetDeleteOnClose, True)
        dock.closed.connect(lambda pid=panel_id: self._panel_closed(pid))
        if beside is not None:
            self.manager.addDockWidget(area, dock, beside)
        else:
            self.manager.addDockWidget(area, dock)
        self.panels[panel_id] = (panel, dock)
        panel.market_chosen.connect(lambda symbol, p=panel: self._market_chosen(p, symbol))
        panel.place_limit.connect(self._place_limit)
        panel.cancel_order.connect(self._cancel)
        panel.modify_order.connect(self._modify)
        panel.amend_order.connect(self._amend)
        panel.submit_order.connect(self.submit)
        panel.cancel_all.connect(self.cancel_all_orders)
        panel.transfer.connect(self.transfer)
        return panel

    def _new_id(self, kind: str) -> str:
        while True:
            candidate = f"{kind}-{next(self._ids)}"
            if candidate not in self.panels:
                return candidate

    def _dock_title(self, panel: Panel) -> str:
        return f"{panel.title} · {panel.market}"

    def _panel_closed(self, panel_id: str) -> None:
        entry = self.panels.pop(panel_id, None)
        if entry is not None:
            entry[0].close_panel()

    def _market_chosen(self, source: Panel, symbol: str) -> None:
        self.choose_market(source, symbol)

    def choose_market(self, source: Panel, symbol: str) -> None:
        """Show ``symbol`` in ``source`` and every panel of its link colour."""
        for panel, dock in self.panels.values():
            if panel is source or (source.link is not None and panel.link == source.link):
                panel.set_market(symbol)
                dock.setWindowTitle(self._dock_title(panel))

    def set_link(self, panel: Panel, link: str | None) -> None:
        """Put ``panel`` in a link group (None: on its own); its tab shows the colour."""
        panel.link = link
        for candidate, dock in self.panels.values():
            if candidate is panel:
                dock.setIcon(_link_icon(link))

    def _link_focused(self, link: str | None) -> None:
        dock = self.manager.focusedDockWidget()
        entry = self.panels.get(dock.objectName()) if dock is not None else None
        if entry is None:
            self.status.show_notice("click a panel first, then choose its link colour")
            return
        self.set_link(entry[0], link)

    # -- intents ----------------------------------------------------------------------

    def _place_limit(self, market: str, side: str, price: int, size: int) -> None:
        if self.intents is not None:
            self.intents.place_limit(market, side, price, size)

    def _cancel(self, order_id: int) -> None:
        if self.intents is not None:
            self.intents.cancel(order_id)

    def _modify(self, order_id: int, price: int) -> None:
        if self.intents is not None:
            self.intents.modify(order_id, price)

    def _amend(self, order_id: int, price: int | None, size: int | None) -> None:
        if self.intents is not None:
            self.intents.amend(order_id, price, size)

    def submit(self, order: dict, on_result) -> None:
        """Send any order (``on_result`` is told the outcome; offline, a refusal)."""
        if self.intents is not None:
            self.intents.submit(order, on_result)
        elif on_result is not None:
            on_result(OrderRefusal("offline", "not connected to a backend", None))

    def cancel_all_orders(self, market: str | None) -> None:
        """Cancel every working order in ``market`` (None: everywhere)."""
        if self.intents is not None:
            self.intents.cancel_all(market)

    def transfer(self, kind: str, asset: str, amount_text: str, on_result) -> None:
        """Deposit or withdraw collateral (``on_result`` is told the outcome; offline, a
        refusal)."""
        if self.intents is not None:
            self.intents.transfer(kind, asset, amount_text, on_result)
        elif on_result is not None:
            on_result(OrderRefusal("offline", "not connected to a backend", None))

    # -- the frame --------------------------------------------------------------------

    def request_frame(self) -> None:
        """Run a frame as soon as the event loop is free (the account's own orders and
        fills show without waiting up to a frame for the clock)."""
        if not self._frame_requested:
            self._frame_requested = True
            QTimer.singleShot(0, self._requested_frame)

    def _requested_frame(self) -> None:
        """The views of the account's own orders now (the rest wait for the clock)."""
        self._frame_requested = False
        for panel, _ in self.panels.values():
            if panel.kind in OWN_ORDER_VIEWS:
                panel.refresh()

    def frame(self) -> None:
        """Once a frame: follow what panels want, repaint what moved, update the bar."""
        now = time.perf_counter()
        if self._last_frame is not None:
            self.frame_times.append((now - self._last_frame) * 1000)
        self._last_frame = now
        if self.intents is not None:
            self.intents.sync_wanted()
        for panel, _ in self.panels.values():
            panel.refresh()
        self.hotkeys.refresh()
        self.alerts.frame()
        self.status.refresh()

    # -- workspaces ---------------------------------------------------------------------

    def default_layout(self, market: str) -> None:
        """Watchlist on the left; chart in the middle over the blotter; ladder on the right
        over the order ticket and the tape (tabbed). (The risk, portfolio, history and hotkeys
        panels open from the Panels menu: each added here costs the first window about a
        tenth of a second.)"""
        self.clear_panels()
        link = LINKS[0]
        center = QtAds.DockWidgetArea.CenterDockWidgetArea
        chart = self.add_panel("chart", market, link, area=center)
        blotter = self.add_panel(
            "blotter",
            market,
            link,
            area=QtAds.DockWidgetArea.BottomDockWidgetArea,
            beside=self._area_of(chart),
        )
        self.add_panel("watchlist", market, link, area=QtAds.DockWidgetArea.LeftDockWidgetArea)
        depth = self.add_panel("depth", market, link, area=QtAds.DockWidgetArea.RightDockWidgetArea)
        tape = self.add_panel(
            "tape", market, link, area=QtAds.DockWidgetArea.BottomDockWidgetArea,
            beside=self._area_of(depth),
        )  # fmt: skip
        ticket = self.add_panel("ticket", market, link, area=center, beside=self._area_of(tape))
        for shown in (blotter, ticket):  # the first tabs a trader needs
            self.panels[self._id_of(shown)][1].setAsCurrentTab()

    def _area_of(self, panel: Panel) -> QtAds.CDockAreaWidget:
        return self.panels[self._id_of(panel)][1].dockAreaWidget()

    def _id_of(self, panel: Panel) -> str:
        return next(pid for pid, (p, _) in self.panels.items() if p is panel)

    def clear_panels(self) -> None:
        """Close every panel."""
        for panel_id in list(self.panels):
            panel, dock = self.panels.pop(panel_id)
            panel.close_panel()
            self.manager.removeDockWidget(dock)
            dock.deleteLater()

    def capture(self, name: str) -> Workspace:
        """The arrangement now, as a workspace called ``name``."""
        records = [
            PanelRecord(pid, panel.kind, panel.market, panel.link, panel.settings())
            for pid, (panel, _) in self.panels.items()
        ]
        return Workspace(
            name,
            records,
            bytes(self.manager.saveState().data()),
            bytes(self.saveGeometry().data()),
            theme.current().name,
        )

    def apply(self, workspace: Workspace) -> None:
        """Rebuild the panels of ``workspace`` and its docking state; windows saved on a
        screen that is gone come back onto a visible one."""
        self.clear_panels()
        for record in workspace.panels:
            if record.kind not in PANEL_TYPES:
                log.warning(
                    "workspace %s: unknown panel kind %s skipped", workspace.name, record.kind
                )
                continue
            panel = self.add_panel(record.kind, record.market, record.link, record.panel_id)
            panel.restore(record.settings)
        if workspace.window_geometry:
            self.restoreGeometry(QtCore.QByteArray(workspace.window_geometry))
        if workspace.dock_state and not self.manager.restoreState(
            QtCore.QByteArray(workspace.dock_state)
        ):
            log.warning("workspace %s: docking state not restored", workspace.name)
        self.workspace_name = workspace.name
        self.bring_windows_onto_screens()

    def bring_windows_onto_screens(self) -> int:
        """Move every window that is off every screen onto one; how many moved."""
        moved = int(bring_onto_screen(self))
        for floating in self.manager.floatingWidgets():
            moved += int(bring_onto_screen(floating))
        return moved

    def save_workspace(self, name: str | None = None) -> None:
        """Save the arrangement (under its current name by default)."""
        workspace = self.capture(name or self.workspace_name)
        try:
            self.workspaces.save(workspace)
        except (WorkspaceError, OSError) as error:
            self.status.show_notice(f"workspace not saved: {error}")
            return
        self.workspace_name = workspace.name
        self.status.show_notice(f"workspace {workspace.name} saved")

    def load_workspace(self, name: str) -> bool:
        """Open the saved workspace ``name``; False (and a notice) if it cannot be."""
        try:
            workspace = self.workspaces.load(name)
        except WorkspaceError as error:
            self.status.show_notice(str(error))
            return False
        self.apply(workspace)
        return True

    def showEvent(self, event: QtGui.QShowEvent) -> None:  # noqa: N802
        """Shown: the hotkeys work (in every window of the workstation)."""
        super().showEvent(event)
        self.hotkeys.set_enabled(True)

    def hideEvent(self, event: QtGui.QHideEvent) -> None:  # noqa: N802
        """Hidden or closed: the hotkeys stop listening (a closed window's keys do nothing,
        even while the object lives on)."""
        super().hideEvent(event)
        if not self.isMinimized():
            self.hotkeys.set_enabled(False)

    def closeEvent(self, event: QtGui.QCloseEvent) -> None:  # noqa: N802
        """Closing the main window closes the workstation, floating windows and all."""
        super().closeEvent(event)
        if self.quit_on_close and event.isAccepted():
            QtWidgets.QApplication.quit()

    def top_level_windows(self) -> list[QtWidgets.QWidget]:
        """The main window and every floating dock window."""
        return [self, *self.manager.floatingWidgets()]

    # -- menus --------------------------------------------------------------------------

    def _build_menus(self) -> None:
        panels = self.menuBar().addMenu("&Panels")
        for kind in PANEL_TYPES:
            action = panels.addAction(f"New {PANEL_TYPES.title(kind)}")
            action.triggered.connect(lambda _=False, k=kind: self._new_panel(k))
        workspace = self.menuBar().addMenu("&Workspace")
        workspace.addAction("Save", self.save_workspace, QtGui.QKeySequence("Ctrl+S"))
        workspace.addAction("Save as…", self._save_as)
        self.open_menu = workspace.addMenu("Open")
        self.open_menu.aboutToShow.connect(self._fill_open_menu)
        links = panels.addMenu("Link the focused panel")
        links.addAction("No link", lambda: self._link_focused(None))
        for link in LINKS:
            links.addAction(_link_icon(link), link.title(), lambda c=link: self._link_focused(c))
        view = self.menuBar().addMenu("&View")
        view.addAction("Dark theme", lambda: self.use_theme("dark"))
        view.addAction("Light theme", lambda: self.use_theme("light"))

    def _new_panel(self, kind: str) -> None:
        market = next(iter(self.store.board.symbols), "SOL-PERP")
        self.add_panel(kind, market, area=QtAds.DockWidgetArea.RightDockWidgetArea)

    def _save_as(self) -> None:
        name, ok = QtWidgets.QInputDialog.getText(self, "Save workspace", "Name:")
        if ok and name:
            self.save_workspace(name.strip())

    def _fill_open_menu(self) -> None:
        self.open_menu.clear()
        for name in self.workspaces.names():
            self.open_menu.addAction(name, lambda n=name: self.load_workspace(n))

    def use_theme(self, name: str) -> None:
        """Switch between the dark and light theme."""
        theme.use(name)
        app = QtWidgets.QApplication.instance()
        if isinstance(app, QtWidgets.QApplication):
            app.setStyleSheet(theme.style_sheet(name))
        for panel, _ in self.panels.values():
            panel.update()


def _link_icon(link: str | None) -> QtGui.QIcon:
    """A dot of the link's colour (an empty icon for no link)."""
    if link is None:
        return QtGui.QIcon()
    pixmap = QtGui.QPixmap(12, 12)
    pixmap.fill(QtCore.Qt.GlobalColor.transparent)
    painter = QtGui.QPainter(pixmap)
    painter.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing)
    painter.setBrush(QtGui.QColor(LINK_COLOURS[link]))
    painter.setPen(QtCore.Qt.PenStyle.NoPen)
    painter.drawEllipse(1, 1, 10, 10)
    painter.end()
    return QtGui.QIcon(pixmap)
