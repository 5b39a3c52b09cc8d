"""Time and sales: the market's trades, newest on top, coloured by the aggressor's side,
with a minimum size filter."""

from __future__ import annotations

import time

from backend.domain.fixed_point import BASE_PRECISION, PRICE_PRECISION, format_fixed, parse_base
from quantdesk_desktop import theme
from quantdesk_desktop.panels.base import Panel
from quantdesk_desktop.panels.table_columns import LEFT, Column, ColumnsModel
from quantdesk_desktop.qt import QtCore, QtWidgets
from quantdesk_desktop.state.store import MarketStore
from quantdesk_desktop.state.tape import TapeTrade

MAX_ROWS = 2_000
REFRESH_EVERY_S = 0.05
"""The tape takes new trades at most twenty times a second: faster than anyone reads,
and a third of the repaints of a busy market at 60 Hz."""


def _clock(time_ms: int) -> str:
    seconds = time_ms / 1000
    return time.strftime("%H:%M:%S", time.localtime(seconds)) + f".{time_ms % 1000:03d}"


def _side_colour(trade: TapeTrade) -> str:
    return theme.current().bid if trade.side == "buy" else theme.current().ask


COLUMNS = (
    Column("Time", lambda t: _clock(t.time_ms), LEFT),
    Column("Price", lambda t: format_fixed(t.price, PRICE_PRECISION), colour=_side_colour),
    Column("Size", lambda t: format_fixed(t.size, BASE_PRECISION)),
    Column("Side", lambda t: t.side, colour=_side_colour),
)


class TapeModel(ColumnsModel):
    """The filtered trades, newest first; new trades are inserted at the top."""

    columns = COLUMNS

    def __init__(self) -> None:
        super().__init__()
        self.trades: list[TapeTrade] = []
        """Newest first."""

    def row_count(self) -> int:
        """The trades shown."""
        return len(self.trades)

    def row_object(self, row: int) -> TapeTrade:
        """The trade of a row."""
        return self.trades[row]

    def prepend(self, newest_first: list[TapeTrade]) -> None:
        """Insert trades at the top and drop the oldest beyond `MAX_ROWS`."""
        if not newest_first:
            return
        self.beginInsertRows(QtCore.QModelIndex(), 0, len(newest_first) - 1)
        self.trades[:0] = newest_first
        self.endInsertRows()
        if len(self.trades) > MAX_ROWS:
            self.beginRemoveRows(QtCore.QModelIndex(), MAX_ROWS, len(self.trades) - 1)
            del self.trades[MAX_ROWS:]
            self.endRemoveRows()

    def replace(self, newest_first: list[TapeTrade]) -> None:
        """Show exactly these trades."""
        self.beginResetModel()
        self.trades = newest_first[:MAX_ROWS]
        self.endResetModel()


class TapePanel(Panel):
    """Time and sales of one market."""

    kind = "tape"
    title = "Tape"

    def __init__(self, store: MarketStore, market: str, parent=None) -> None:
        super().__init__(store, market, parent)
        self.min_size = 0
        """Trades smaller than this (base units) are hidden."""
        self.model = TapeModel()
        self.filter_box = QtWidgets.QLineEdit()
        self.filter_box.setPlaceholderText("min size")
        self.filter_box.setMaximumWidth(110)
        self.filter_box.editingFinished.connect(self._filter_edited)
        self.market_label = QtWidgets.QLabel(market)
        header = QtWidgets.QHBoxLayout()
        header.addWidget(self.market_label)
        header.addStretch(1)
        header.addWidget(QtWidgets.QLabel("Min size"))
        header.addWidget(self.filter_box)
        self.view = QtWidgets.QTableView()
        self.view.setModel(self.model)
        self.view.verticalHeader().hide()
        self.view.setShowGrid(False)
        self.view.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.horizontalHeader().setStretchLastSection(True)
        self.view.verticalHeader().setDefaultSectionSize(18)
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addLayout(header)
        layout.addWidget(self.view)
        self._seen_added = 0
        self._seen_reloads = 0
        self._refreshed_at = 0.0
        self.refresh_every_s = REFRESH_EVERY_S
        self._followed = market
        store.follow("trades", market)

    def show_market(self, market: str) -> None:
        """Follow ``market``'s trades instead."""
        self.store.unfollow("trades", self._followed)
        self.store.follow("trades", market)
        self._followed = market
        self.market_label.setText(market)
        self._rebuild()

    def _filter_edited(self) -> None:
        text = self.filter_box.text().strip()
        try:
            self.min_size = parse_base(text) if text else 0
        except (ValueError, ArithmeticError):
            self.filter_box.setText("")
            self.min_size = 0
        self._rebuild()

    def _rebuild(self) -> None:
        tape = self.store.tape(self.market)
        self._seen_added, self._seen_reloads = tape.added, tape.reloads
        kept = [t for t in reversed(tape.trades) if t.size >= self.min_size]
        self.model.replace(kept)

    def refresh(self) -> None:
        """Insert the trades that arrived since the last refresh."""
        tape = self.store.tape(self.market)
        if tape.reloads != self._seen_reloads:
            self._seen_reloads = tape.reloads
            self._rebuild()
            return
        new = tape.added - self._seen_added
        now = time.perf_counter()
        if new <= 0 or now - self._refreshed_at < self.refresh_every_s:
            return
        self._refreshed_at = now
        self._seen_added = tape.added
        recent = list(tape.trades)[-min(new, len(tape.trades)) :]
        self.model.prepend([t for t in reversed(recent) if t.size >= self.min_size])

    def settings(self) -> dict:
        """The size filter."""
        return {"min_size": format_fixed(self.min_size, BASE_PRECISION)}

    def restore(self, settings: dict) -> None:
        """Take back the size filter."""
        text = settings.get("min_size")
        if isinstance(text, str):
            self.filter_box.setText("" if text in ("0", "") else text)
            self._filter_edited()

    def close_panel(self) -> None:
        """Stop following the trades."""
        self.store.unfollow("trades", self._followed)
