"""The Blotter: the account's open orders, working TWAP and iceberg parents, fills, order
history and positions, one tab each, live from the private channels."""

from __future__ import annotations

import time

from quantdesk_desktop import theme
from quantdesk_desktop.panels.base import Panel
from quantdesk_desktop.panels.blotter.feeds_tab import FillsTab, HistoryTab
from quantdesk_desktop.panels.blotter.orders_tab import OpenOrdersTab, ParentsTab
from quantdesk_desktop.panels.blotter.positions_tab import PositionsTab
from quantdesk_desktop.panels.blotter.table_tab import TableTab
from quantdesk_desktop.qt import QLabel, QTimer, QtWidgets, QWidget
from quantdesk_desktop.state.store import MarketStore

COUNTS_EVERY_S = 0.25
"""The tab titles' row counts change at most four times a second (a title change lays
the tab bar out again)."""
NOTICE_S = 10
"""How long a notice stays under the tabs."""
TABS = ("open_orders", "parents", "fills", "history", "positions")
"""The tabs' names in settings, in order."""


class BlotterPanel(Panel):
    """Every working order, parent, fill, finished order and position of the account.

    Each tab filters (its box), sorts (its headers), copies (Ctrl+C) and exports (its
    Export CSV button, or `TableTab.export_csv`)."""

    kind = "blotter"
    title = "Blotter"

    def __init__(self, store: MarketStore, market: str, parent: QWidget | None = None) -> None:
        super().__init__(store, market, parent)
        self.open_orders = OpenOrdersTab(store, market)
        self.parents = ParentsTab(store, market)
        self.fills = FillsTab(store)
        self.history = HistoryTab(store)
        self.positions = PositionsTab(store, market)
        self.tabs = QtWidgets.QTabWidget()
        self.tabs.setDocumentMode(True)
        for tab in self.all_tabs():
            self.tabs.addTab(tab, tab.name)
            tab.notice.connect(self.show_notice)
        for tab in (self.open_orders, self.parents):
            tab.cancel_order.connect(self.cancel_order)
            tab.cancel_all.connect(self.cancel_all)
        self.open_orders.amend_order.connect(self.amend_order)
        self.positions.submit_order.connect(self.submit_order)
        self.notice = QLabel()
        self.notice.setWordWrap(False)
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.tabs)
        layout.addWidget(self.notice)
        self.notice.hide()
        self._notice_timer = QTimer(self)
        self._notice_timer.setSingleShot(True)
        self._notice_timer.timeout.connect(self.notice.hide)
        self._counts: tuple[int, ...] = ()
        self._counted_at = -COUNTS_EVERY_S

    def all_tabs(self) -> tuple[TableTab, ...]:
        """The tabs, in order."""
        return (self.open_orders, self.parents, self.fills, self.history, self.positions)

    def show_notice(self, text: str, error: bool = False) -> None:
        """Tell the user ``text`` under the tabs (an error in the danger colour)."""
        palette = theme.current()
        colour = palette.danger if error else palette.muted
        self.notice.setStyleSheet(f"color: {colour}; padding: 2px 6px;")
        self.notice.setText(text)
        self.notice.setToolTip(text)
        self.notice.show()
        self._notice_timer.start(NOTICE_S * 1000)

    def show_market(self, market: str) -> None:
        """The market-only toggle and cancel-all-in-market now mean ``market``."""
        for tab in (self.open_orders, self.parents, self.positions):
            tab.show_market(market)

    def refresh(self) -> None:
        """Each tab takes what moved in the store; the tab titles count the rows."""
        for tab in self.all_tabs():
            tab.refresh()
        counts = tuple(tab.model.rowCount() for tab in self.all_tabs())
        now = time.monotonic()
        if counts != self._counts and now - self._counted_at >= COUNTS_EVERY_S:
            self._counts, self._counted_at = counts, now
            for i, (tab, count) in enumerate(zip(self.all_tabs(), counts, strict=True)):
                self.tabs.setTabText(i, f"{tab.name} ({count:,})" if count else tab.name)

    def settings(self) -> dict:
        """The tab shown, the market-only toggle and each tab's filter."""
        return {
            "tab": TABS[self.tabs.currentIndex()],
            "this_market_only": self.open_orders.market_only.isChecked(),
            "filters": {
                name: tab.filter_box.text()
                for name, tab in zip(TABS, self.all_tabs(), strict=True)
                if tab.filter_box.text()
            },
        }

    def restore(self, settings: dict) -> None:
        """Take back the tab shown, the toggle and the filters."""
        if settings.get("tab") in TABS:
            self.tabs.setCurrentIndex(TABS.index(settings["tab"]))
        if isinstance(settings.get("this_market_only"), bool):
            self.open_orders.market_only.setChecked(settings["this_market_only"])
        filters = settings.get("filters")
        if isinstance(filters, dict):
            for name, tab in zip(TABS, self.all_tabs(), strict=True):
                if isinstance(filters.get(name), str):
                    tab.set_filter(filters[name])
