"""The History panel's By market and By day tables: each market's (or UTC day's) fills
summed, with its funding and a totals row at the bottom, sorted by any column (the
totals row stays last)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from quantdesk_desktop.cache.queries import HistorySummary, Tally
from quantdesk_desktop.panels.history import cells
from quantdesk_desktop.panels.history.columns import ROW_HEIGHT, TableModel
from quantdesk_desktop.panels.table_columns import LEFT, Column
from quantdesk_desktop.qt import Qt, QtGui, QtWidgets

TOTAL = "Total"


@dataclass(frozen=True, slots=True)
class BreakdownRow:
    """One market's or day's figures (quote units), or the totals (``key`` None)."""

    label: str
    key: str | int | None
    tally: Tally
    funding: int | None
    """Received (negative: paid); None when the filter's side or order type leaves funding
    out."""

    @property
    def net(self) -> int:
        """Realised PnL less fees, plus funding."""
        return self.tally.net + (self.funding or 0)

    @property
    def is_total(self) -> bool:
        """Whether this is the totals row."""
        return self.key is None


def funding_counted(summary: HistorySummary) -> bool:
    """Whether the summary's figures include funding (it has no side or order type)."""
    return summary.filter.side is None and summary.filter.order_type is None


def _rows(
    summary: HistorySummary,
    tallies: dict,
    funding: dict,
    label: Callable[[object], str],
    newest_first: bool,
) -> list[BreakdownRow]:
    counted = funding_counted(summary)
    keys = sorted(set(tallies) | set(funding), reverse=newest_first)
    rows = [
        BreakdownRow(label(k), k, tallies.get(k) or Tally(), funding.get(k, 0) if counted else None)
        for k in keys
    ]
    if rows:
        rows.append(BreakdownRow(TOTAL, None, summary.totals, summary.funding if counted else None))
    return rows


def market_rows(summary: HistorySummary) -> list[BreakdownRow]:
    """Each market (by name) and the totals."""
    return _rows(summary, summary.markets, summary.funding_by_market, str, newest_first=False)


def day_rows(summary: HistorySummary) -> list[BreakdownRow]:
    """Each UTC day with fills or funding (newest first) and the totals."""
    return _rows(summary, summary.days, summary.funding_by_day, cells.utc_day, newest_first=True)


def _optional(value: int | None) -> tuple[bool, int]:
    return (value is not None, value or 0)


def columns(first: str) -> tuple[Column, ...]:
    """The table's columns, the first titled ``first`` (Market or Day)."""
    return (
        Column(first, lambda r: r.label, LEFT, sort_key=lambda r: r.key),
        Column("Fills", lambda r: f"{r.tally.fills:,}", sort_key=lambda r: r.tally.fills),
        Column("Closes", lambda r: f"{r.tally.closes:,}", sort_key=lambda r: r.tally.closes),
        Column(
            "Win rate",
            lambda r: cells.share(r.tally.wins, r.tally.closes),
            sort_key=lambda r: (r.tally.closes > 0, r.tally.wins / (r.tally.closes or 1)),
        ),
        Column(
            "Avg win",
            lambda r: cells.usdc(r.tally.average_win()),
            colour=lambda r: cells.signed_colour(r.tally.average_win()),
            sort_key=lambda r: _optional(r.tally.average_win()),
        ),
        Column(
            "Avg loss",
            lambda r: cells.usdc(r.tally.average_loss()),
            colour=lambda r: cells.signed_colour(r.tally.average_loss()),
            sort_key=lambda r: _optional(r.tally.average_loss()),
        ),
        Column(
            "Realised",
            lambda r: cells.usdc(r.tally.realised),
            colour=lambda r: cells.signed_colour(r.tally.realised),
            sort_key=lambda r: r.tally.realised,
        ),
        Column("Fees", lambda r: cells.usdc(r.tally.fees), sort_key=lambda r: r.tally.fees),
        Column(
            "Funding",
            lambda r: cells.usdc(r.funding),
            colour=lambda r: cells.signed_colour(r.funding),
            sort_key=lambda r: _optional(r.funding),
        ),
        Column(
            "Net",
            lambda r: cells.usdc(r.net),
            colour=lambda r: cells.signed_colour(r.net),
            sort_key=lambda r: r.net,
        ),
        Column(
            "Largest loss",
            lambda r: cells.usdc(r.tally.worst if (r.tally.worst or 0) < 0 else None),
            colour=lambda r: cells.signed_colour(min(r.tally.worst or 0, 0)),
            sort_key=lambda r: _optional(r.tally.worst),
        ),
    )


class BreakdownModel(TableModel):
    """Breakdown rows, the totals row last and in bold; sorted by a column, or in their
    own order (markets by name, days newest first)."""

    def __init__(self, first_column: str) -> None:
        super().__init__()
        self.columns = columns(first_column)
        self.natural: list[BreakdownRow] = []
        self.rows: list[BreakdownRow] = []
        self._sorted_by: tuple[int, Qt.SortOrder] | None = None
        self._bold = QtGui.QFont()
        self._bold.setBold(True)

    def row_count(self) -> int:
        return len(self.rows)

    def row_object(self, row: int) -> BreakdownRow:
        return self.rows[row]

    def show_rows(self, rows: list[BreakdownRow]) -> None:
        """Show ``rows`` (in the order chosen by the last sort, if any)."""
        self.beginResetModel()
        self.natural = rows
        self._order()
        self.endResetModel()

    def font(self, row: int) -> QtGui.QFont | None:
        return self._bold if self.rows[row].is_total else None

    def sort(self, column: int, order=Qt.SortOrder.AscendingOrder) -> None:
        """Sort by ``column`` (below 0: the rows' own order)."""
        self.layoutAboutToBeChanged.emit()
        self._sorted_by = (column, order) if 0 <= column < len(self.columns) else None
        self._order()
        self.layoutChanged.emit()

    def _order(self) -> None:
        self.forget_texts()
        if self._sorted_by is None:
            self.rows = list(self.natural)
            return
        column, order = self._sorted_by
        key = self.columns[column].sort_key or self.columns[column].text
        body = [row for row in self.natural if not row.is_total]
        body.sort(key=key, reverse=order == Qt.SortOrder.DescendingOrder)
        self.rows = body + [row for row in self.natural if row.is_total]


def breakdown_view(model: BreakdownModel) -> QtWidgets.QTableView:
    """A read-only table of ``model``, sorted by its headers."""
    view = QtWidgets.QTableView()
    view.setModel(model)
    view.horizontalHeader().setSortIndicatorClearable(True)  # a third click: own order
    view.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
    view.setSortingEnabled(True)
    view.setSelectionBehavior(QtWidgets.QAbstractItemView.SelectionBehavior.SelectRows)
    view.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setShowGrid(False)
    view.setAlternatingRowColors(True)
    view.setWordWrap(False)
    view.verticalHeader().hide()
    view.verticalHeader().setSectionResizeMode(QtWidgets.QHeaderView.ResizeMode.Fixed)
    view.verticalHeader().setDefaultSectionSize(ROW_HEIGHT)
    view.horizontalHeader().setStretchLastSection(False)
    view.horizontalHeader().setHighlightSections(False)
    return view
