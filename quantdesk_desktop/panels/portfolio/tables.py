"""The Portfolio panel's three tables, declared as columns: balances, PnL by market with a
totals row, and funding payments (newest first; scrolling to the bottom asks for the next
older page, through Qt's own `canFetchMore`/`fetchMore`)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from backend.domain.fixed_point import format_fixed
from quantdesk_desktop.panels.blotter.cells import (
    price_text,
    quote_text,
    signed_colour,
    size_text,
    time_text,
)
from quantdesk_desktop.panels.table_columns import LEFT, Column, ColumnsModel
from quantdesk_desktop.panels.table_style import style_table
from quantdesk_desktop.panels.ticket import amounts
from quantdesk_desktop.qt import Qt, QtCore, QtGui, QtWidgets
from quantdesk_desktop.state.portfolio import FundingPaymentRow, PnlRow, PortfolioState

ROW_HEIGHT = 20
MIN_COLUMN = 84
"""Columns are at least this wide (figures of different lengths line up as a block)."""


@dataclass(frozen=True, slots=True)
class BalanceRow:
    """One collateral balance with its oracle price and full value."""

    asset: str
    amount: int
    precision: int
    price: int | None
    """Price units (None: not known yet)."""
    value: int | None
    """Quote units at the oracle, in full (None: no price yet)."""


def _usdc(value: int | None) -> str:
    return amounts.usdc(value)


def _signed(value: Callable[[Any], int]) -> Callable[[Any], str | None]:
    return lambda row: signed_colour(value(row))


def _grouped(value: int, precision: int) -> str:
    """An exact amount with thousands separators."""
    whole, dot, frac = format_fixed(value, precision).partition(".")
    sign, digits = ("-", whole[1:]) if whole.startswith("-") else ("", whole)
    return f"{sign}{int(digits):,}{dot}{frac}"


BALANCE_COLUMNS = (
    Column("Asset", lambda r: r.asset, LEFT),
    Column("Amount", lambda r: _grouped(r.amount, r.precision)),
    Column("Oracle price", lambda r: price_text(r.price)),
    Column("Value", lambda r: _usdc(r.value)),
)

PNL_COLUMNS = (
    Column("Market", lambda r: r.market or "Total", LEFT),
    Column("Realised", lambda r: _usdc(r.realised), colour=_signed(lambda r: r.realised)),
    Column("Unrealised", lambda r: _usdc(r.unrealised), colour=_signed(lambda r: r.unrealised)),
    Column("Fees", lambda r: _usdc(r.fees)),
    Column("Funding", lambda r: _usdc(r.funding), colour=_signed(lambda r: r.funding)),
    Column("Net", lambda r: _usdc(r.net), colour=_signed(lambda r: r.net)),
)

FUNDING_COLUMNS = (
    Column("Time", lambda p: time_text(p.settled_at_ms), LEFT),
    Column("Market", lambda p: p.market, LEFT),
    Column("Position", lambda p: size_text(p.position)),
    Column("Amount (USDC)", lambda p: quote_text(p.amount), colour=_signed(lambda p: p.amount)),
)


class TextTable(ColumnsModel):
    """A short table that keeps its cells' texts: `show` signals only the cells whose text
    changed (a different number of rows resets it)."""

    def __init__(self, columns: Sequence[Column]) -> None:
        super().__init__()
        self.columns = tuple(columns)
        self.rows: list[Any] = []
        self._texts: list[list[str]] = []
        self.changed_cells = 0
        """Cells signalled as changed by the last `show` (for tests)."""

    def row_count(self) -> int:
        """The rows shown."""
        return len(self.rows)

    def row_object(self, row: int) -> Any:
        """The object of row ``row``."""
        return self.rows[row]

    def cell_text(self, row: int, column: int) -> str:
        """The text kept from the last `show`."""
        return self._texts[row][column]

    def show(self, rows: Sequence[Any]) -> None:
        """Show ``rows`` (all of them, each time)."""
        texts = [[column.text(row) for column in self.columns] for row in rows]
        if len(rows) != len(self.rows):
            self.beginResetModel()
            self.rows, self._texts = list(rows), texts
            self.endResetModel()
            self.changed_cells = len(rows) * len(self.columns)
            return
        self.changed_cells = 0
        self.rows = list(rows)
        for r, (old, new) in enumerate(zip(self._texts, texts, strict=True)):
            changed = [c for c in range(len(self.columns)) if old[c] != new[c]]
            if changed:
                self._texts[r] = new
                self.changed_cells += len(changed)
                self.dataChanged.emit(self.index(r, min(changed)), self.index(r, max(changed)))

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if role == Qt.ItemDataRole.TextAlignmentRole and orientation == Qt.Orientation.Horizontal:
            return int(self.columns[section].align)  # titles line up with their numbers
        return super().headerData(section, orientation, role)


class PnlTable(TextTable):
    """PnL per market and, last and in bold, the totals."""

    def __init__(self) -> None:
        super().__init__(PNL_COLUMNS)
        self._bold = QtGui.QFont()
        self._bold.setBold(True)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.FontRole and index.isValid():
            row = self.rows[index.row()]
            return self._bold if isinstance(row, PnlRow) and row.market is None else None
        return super().data(index, role)


class FundingTable(TextTable):
    """Funding payments, newest first; reaching the bottom asks for older ones."""

    def __init__(self, portfolio: PortfolioState) -> None:
        super().__init__(FUNDING_COLUMNS)
        self.portfolio = portfolio

    def take(self, payments: Sequence[FundingPaymentRow]) -> None:
        """Show ``payments``: new ones on top or at the bottom are inserted, not reset."""
        rows = self.rows
        if rows and len(payments) >= len(rows):
            top = len(payments) - len(rows)
            at_top = payments[top] is rows[0] and payments[-1] is rows[-1]
            at_bottom = payments[0] is rows[0] and payments[len(rows) - 1] is rows[-1]
            if at_bottom and len(payments) > len(rows):
                self._insert(len(rows), payments[len(rows) :])
                return
            if at_top:
                if top:
                    self._insert(0, payments[:top])
                return
        self.show(payments)

    def _insert(self, at: int, new: Sequence[FundingPaymentRow]) -> None:
        self.beginInsertRows(QtCore.QModelIndex(), at, at + len(new) - 1)
        self.rows[at:at] = new
        self._texts[at:at] = [[c.text(p) for c in self.columns] for p in new]
        self.endInsertRows()
        self.changed_cells = len(new) * len(self.columns)

    def canFetchMore(self, parent=QtCore.QModelIndex()) -> bool:  # noqa: B008, N802
        if parent.isValid():
            return False
        portfolio = self.portfolio
        return not (portfolio.funding_complete or portfolio.funding_loading)

    def fetchMore(self, parent=QtCore.QModelIndex()) -> None:  # noqa: B008, N802
        if not parent.isValid():
            self.portfolio.ask_more_funding()


def table_view(model: QtCore.QAbstractTableModel, fill: bool = False) -> QtWidgets.QTableView:
    """A read-only table of whole rows, columns sized to their text (``fill``: sharing
    the table's width instead, for a narrow table that must not scroll sideways)."""
    view = QtWidgets.QTableView()
    view.setModel(model)
    style_table(view, ROW_HEIGHT)
    header = view.horizontalHeader()
    if fill:  # the first two columns as wide as their text, the others share the rest
        header.setSectionResizeMode(QtWidgets.QHeaderView.ResizeMode.Stretch)
        for column in (0, 1):
            header.setSectionResizeMode(column, QtWidgets.QHeaderView.ResizeMode.ResizeToContents)
        view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    else:
        header.setSectionResizeMode(QtWidgets.QHeaderView.ResizeMode.ResizeToContents)
        header.setMinimumSectionSize(MIN_COLUMN)
    header.setStretchLastSection(False)
    header.setHighlightSections(False)
    view.setStyleSheet("QTableView::item { padding: 0px 6px; }")
    return view


def fit_rows(view: QtWidgets.QTableView, rows: int) -> None:
    """Make ``view`` exactly tall enough for ``rows`` rows (a short table, no scrolling)."""
    frame = 2 * view.frameWidth()
    view.setFixedHeight(view.horizontalHeader().sizeHint().height() + rows * ROW_HEIGHT + frame)
