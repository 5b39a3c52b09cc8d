"""The blotter's two long lists, which only grow: the account's fills and its finished
orders. New rows go in at the top (or, for older pages of history, at the bottom) with one
insertion each refresh; no row is ever rebuilt."""

from __future__ import annotations

from quantdesk_desktop import theme
from quantdesk_desktop.panels.blotter.cells import (
    optional_key,
    price_text,
    quote_text,
    side_colour,
    size_text,
    time_text,
)
from quantdesk_desktop.panels.blotter.rows_model import RowsModel
from quantdesk_desktop.panels.blotter.table_tab import TableTab
from quantdesk_desktop.panels.table_columns import LEFT, Column
from quantdesk_desktop.qt import QLabel, QtWidgets
from quantdesk_desktop.state.history import OrderHistory
from quantdesk_desktop.state.orders import OwnOrder
from quantdesk_desktop.state.positions import OwnFill
from quantdesk_desktop.state.store import MarketStore

FILL_ROWS = 100_000
"""The fills tab keeps at most this many (the oldest go, a twentieth at a time)."""


def _fee(fill: OwnFill) -> int:
    return fill.fee


FILL_COLUMNS = (
    Column("Market", lambda f: f.market, LEFT),
    Column("Side", lambda f: f.side, LEFT, colour=lambda f: side_colour(f.side)),
    Column("Price", lambda f: price_text(f.price), sort_key=lambda f: f.price),
    Column("Size", lambda f: size_text(f.size), sort_key=lambda f: f.size),
    Column("Role", lambda f: f.role, LEFT),
    Column("Fee", lambda f: quote_text(_fee(f)), sort_key=lambda f: optional_key(_fee(f))),
    Column(
        "Time", lambda f: time_text(f.time_ms), LEFT, sort_key=lambda f: (f.time_ms, f.trade_id)
    ),
    Column("Order id", lambda f: str(f.order_id), sort_key=lambda f: f.order_id),
)


def _status_colour(record: OwnOrder) -> str | None:
    palette = theme.current()
    return {"filled": palette.bid, "rejected": palette.danger}.get(record.status, palette.muted)


HISTORY_COLUMNS = (
    Column("Time", lambda o: time_text(o.created_at_ms), LEFT, sort_key=lambda o: o.created_at_ms),
    Column("Market", lambda o: o.market, LEFT),
    Column("Side", lambda o: o.side, LEFT, colour=lambda o: side_colour(o.side)),
    Column("Type", lambda o: o.type.replace("_", " "), LEFT),
    Column("Price", lambda o: price_text(o.price), sort_key=lambda o: optional_key(o.price)),
    Column(
        "Avg price",
        lambda o: price_text(o.average_price),
        sort_key=lambda o: optional_key(o.average_price),
    ),
    Column("Size", lambda o: size_text(o.size), sort_key=lambda o: o.size),
    Column("Filled", lambda o: size_text(o.filled), sort_key=lambda o: o.filled),
    Column("Status", lambda o: o.status, LEFT, colour=_status_colour),
    Column("Fees", lambda o: quote_text(o.fees_paid), sort_key=lambda o: o.fees_paid),
    Column("Client id", lambda o: o.client_order_id, LEFT),
    Column("Reason", lambda o: o.reject_reason or "", LEFT),
)


class FillsTab(TableTab):
    """The account's fills, newest first (`PositionsState.fills`)."""

    name = "Fills"

    def __init__(self, store: MarketStore) -> None:
        super().__init__(RowsModel(FILL_COLUMNS))
        self.store = store
        self._fills: object = None
        """The store's list of fills last read (a new list means start again)."""
        self._newest: OwnFill | None = None

    def refresh(self) -> None:
        """Put the fills that arrived since the last refresh on top."""
        fills = self.store.positions.fills
        newest = fills[-1] if fills else None
        if fills is self._fills and newest is self._newest:
            return
        if fills is not self._fills or newest is None:
            self._fills, self._newest = fills, newest
            self.model.reset(reversed(fills))
            self.fit_columns()
            return
        new = []
        for fill in reversed(fills):
            if fill is self._newest:
                break
            new.append(fill)
        # not found: more arrived than the store keeps, so every one it holds is new
        self._newest = newest
        self.model.add(new, at_top=True)
        excess = len(self.model.natural) - FILL_ROWS
        if excess > FILL_ROWS // 20:
            self.model.trim(excess)
        self.fit_columns()


class HistoryTab(TableTab):
    """Finished orders: pages from the server below, orders finishing live on top."""

    name = "Order history"

    def __init__(self, store: MarketStore) -> None:
        super().__init__(RowsModel(HISTORY_COLUMNS))
        self.store = store
        self.load_more_button = QtWidgets.QPushButton("Load more")
        self.load_more_button.setToolTip("Load the next page of older orders")
        self.load_more_button.clicked.connect(self.load_more)
        self.state_label = QLabel()
        self.add_tool(self.state_label)
        self.add_tool(self.load_more_button)
        self._history: OrderHistory | None = None
        self._version = -1
        self._reloads = self._prepended = self._appended = 0

    def load_more(self) -> None:
        """Ask for the next page of older orders."""
        self.store.history.ask_more()
        self.refresh()

    def refresh(self) -> None:
        """Take the orders finished or loaded since the last refresh."""
        history = self.store.history
        if history is self._history and history.version == self._version:
            return
        if history is not self._history or history.reloads != self._reloads:
            self.model.reset(history.finished)
        else:
            top = history.prepended - self._prepended
            bottom = history.appended - self._appended
            if top:
                self.model.add(history.finished[:top], at_top=True)
            if bottom:
                self.model.add(history.finished[len(history.finished) - bottom :], at_top=False)
        self._history, self._version = history, history.version
        self._reloads = history.reloads
        self._prepended, self._appended = history.prepended, history.appended
        self._show_state(history)
        self.fit_columns()

    def _show_state(self, history: OrderHistory) -> None:
        parts = [f"{len(history.finished):,} orders"]
        if history.loading or history.more_wanted:
            parts.append("loading…")
        elif history.error:
            parts.append(f"not loaded: {history.error}")
        elif history.complete:
            parts.append("all loaded")
        self.state_label.setText(" · ".join(parts))
        self.load_more_button.setEnabled(not history.complete and not history.loading)
