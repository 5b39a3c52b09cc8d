"""The watchlist: every market's mark, oracle (tinted by its feed status), 24 h change,
volume, open interest, funding rate and the countdown to the next funding."""

from __future__ import annotations

import time
from decimal import Decimal, InvalidOperation

from backend.domain.fixed_point import PRICE_PRECISION, format_fixed
from quantdesk_desktop import theme
from quantdesk_desktop.panels.base import Panel
from quantdesk_desktop.panels.table_columns import LEFT, Column, ColumnsModel
from quantdesk_desktop.qt import QtCore, QtWidgets
from quantdesk_desktop.state.store import MarketStore


def _price(value: int | None) -> str:
    return "—" if value is None else format_fixed(value, PRICE_PRECISION)


def _percent(text: str | None, digits: int = 2) -> str:
    if text is None:
        return "—"
    try:
        return f"{Decimal(text) * 100:+.{digits}f}%"
    except InvalidOperation:
        return "—"


def _countdown(next_ms: int | None) -> str:
    if next_ms is None:
        return "—"
    left = max(0, int(next_ms / 1000 - time.time()))
    return f"{left // 3600:02d}:{left % 3600 // 60:02d}:{left % 60:02d}"


class WatchRow:
    """What one watchlist row shows, read from the store."""

    def __init__(self, store: MarketStore, symbol: str) -> None:
        self.symbol = symbol
        self.prices = store.board.prices.get(symbol)
        self.ticker = store.board.tickers.get(symbol, {})

    @property
    def status(self) -> str:
        """The oracle status."""
        return self.prices.status if self.prices else "live"


def _status_colour(row: WatchRow) -> str | None:
    palette = theme.current()
    return {
        "live": None,
        "fallback": palette.warning,
        "stale": palette.warning,
        "halted": palette.danger,
    }[row.status]


def _change_colour(row: WatchRow) -> str | None:
    change = row.ticker.get("change_24h")
    if not change or Decimal(change) == 0:
        return None
    return theme.current().bid if Decimal(change) > 0 else theme.current().ask


COLUMNS = (
    Column("Market", lambda r: r.symbol, LEFT),
    Column("Mark", lambda r: _price(r.prices.mark if r.prices else None)),
    Column(
        "Oracle",
        lambda r: (
            _price(r.prices.oracle if r.prices else None)
            + ("" if r.status == "live" else f" ({r.status})")
        ),
        colour=_status_colour,
    ),
    Column("24h", lambda r: _percent(r.ticker.get("change_24h")), colour=_change_colour),
    Column("Volume 24h", lambda r: r.ticker.get("volume_24h", "—")),
    Column("Open interest", lambda r: r.ticker.get("open_interest", "—")),
    Column("Funding", lambda r: _percent(r.ticker.get("funding_rate_estimate"), 4)),
    Column("Next funding", lambda r: _countdown(r.ticker.get("next_funding_ms"))),
)


FIT_EVERY_S = 5.0
"""How often the columns are fitted to their contents."""


class WatchlistModel(ColumnsModel):
    """The rows of every market; `refresh` signals only the cells whose text changed."""

    columns = COLUMNS

    def __init__(self, store: MarketStore) -> None:
        super().__init__()
        self.store = store
        self.symbols: list[str] = []
        self._cells: list[list[str]] = []
        self._rows: list[WatchRow] = []
        self.changed_cells = 0
        """Cells signalled as changed by the last refresh (for tests and benchmarks)."""

    def row_count(self) -> int:
        """The markets."""
        return len(self.symbols)

    def row_object(self, row: int) -> WatchRow:
        """A market's row."""
        return self._rows[row]

    def cell_text(self, row: int, column: int) -> str:
        """The text shown (kept from the last refresh)."""
        return self._cells[row][column]

    def longest_texts(self) -> list[int]:
        """Per column, the length of its longest text now."""
        return [max((len(row[c]) for row in self._cells), default=0) for c in range(len(COLUMNS))]

    def refresh(self) -> None:
        """Re-read the store; signal the changed cells (or reset if markets changed)."""
        symbols = self.store.board.symbols
        rows = [WatchRow(self.store, symbol) for symbol in symbols]
        cells = [[column.text(row) for column in COLUMNS] for row in rows]
        self.changed_cells = 0
        if symbols != self.symbols:
            self.beginResetModel()
            self.symbols, self._rows, self._cells = list(symbols), rows, cells
            self.endResetModel()
            self.changed_cells = len(cells) * len(COLUMNS)
            return
        self._rows = rows
        for r, (old, new) in enumerate(zip(self._cells, cells, strict=True)):
            changed = [c for c in range(len(COLUMNS)) if old[c] != new[c]]
            if changed:
                self._cells[r] = new
                self.changed_cells += len(changed)
                self.dataChanged.emit(self.index(r, min(changed)), self.index(r, max(changed)))


class WatchlistPanel(Panel):
    """The markets at a glance; choosing a row switches the panel's link group."""

    kind = "watchlist"
    title = "Watchlist"

    def __init__(self, store: MarketStore, market: str, parent=None) -> None:
        super().__init__(store, market, parent)
        self.model = WatchlistModel(store)
        self.view = QtWidgets.QTableView()
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QtWidgets.QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QtWidgets.QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.verticalHeader().hide()
        header = self.view.horizontalHeader()
        # fitted now and then, not on every change: fitting to contents on each price
        # measured every cell and made a refresh five times dearer
        header.setSectionResizeMode(QtWidgets.QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        self.view.setShowGrid(False)
        self.view.setAlternatingRowColors(True)
        self.view.clicked.connect(self._chosen)
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view)
        self._seen = (-1, -1)
        self._second = -1
        self._fitted_at = -FIT_EVERY_S
        self._fitted_lengths = [0] * len(COLUMNS)

    def _chosen(self, index: QtCore.QModelIndex) -> None:
        symbol = self.model.symbols[index.row()]
        self.set_market(symbol)
        self.market_chosen.emit(symbol)

    def refresh(self) -> None:
        """Re-read when the board moved, and each second for the funding countdown."""
        board = self.store.board
        second = int(time.time())
        if (board.version, len(board.symbols)) == self._seen and second == self._second:
            return
        markets_changed = len(board.symbols) != self._seen[1]
        self._seen, self._second = (board.version, len(board.symbols)), second
        self.model.refresh()
        now = time.monotonic()
        longest = self.model.longest_texts()
        # a text longer than any its column was fitted to would be cut: fit now
        fitted = zip(longest, self._fitted_lengths, strict=True)
        grew = any(length > width for length, width in fitted)
        if markets_changed or grew or now - self._fitted_at >= FIT_EVERY_S:
            self._fitted_at, self._fitted_lengths = now, longest
            self.view.resizeColumnsToContents()
