"""The Risk panel's two tables, declared as columns: the cross-collateral breakdown and the
positions' liquidation distance and funding. Cell texts are kept; a refresh signals only
the cells whose text changed."""

from __future__ import annotations

import time
from collections.abc import Callable
from decimal import Decimal

from backend.domain.fixed_point import (
    BASE_PRECISION,
    PRICE_PRECISION,
    RATIO_PRECISION,
    parse_base,
    parse_price,
)
from quantdesk_desktop import theme
from quantdesk_desktop.panels.number_text import fixed_text
from quantdesk_desktop.panels.risk.figures import CollateralRow, PositionRow
from quantdesk_desktop.panels.table_columns import LEFT, Column, ColumnsModel
from quantdesk_desktop.panels.ticket import amounts
from quantdesk_desktop.qt import Qt
from quantdesk_desktop.state.markets import MarketBoard

DISTANCE_DANGER = 100_000
"""A position closer than this (ppm of the mark, 10 %) to liquidation shows in danger."""
DISTANCE_WARNING = 250_000


def usdc(value: int | None) -> str:
    """USDC to the cent, with separators."""
    return amounts.usdc(value)


def exact_usdc(value: int | None) -> str:
    """USDC to the micro-USDC it is counted in (funding: small, and exact)."""
    return amounts.fee(value)


def exact_percent(ratio: int | None) -> str:
    """A ratio as a percentage with every digit it has (a weight: 0.925 -> "92.5 %")."""
    if ratio is None:
        return amounts.DASH
    text = format(Decimal(ratio) * 100 / RATIO_PRECISION, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return f"{text} %"


def grouped(text: str) -> str:
    """A decimal text with thousands separators, every digit kept ("19537.2358" ->
    "19,537.2358")."""
    if not text:
        return amounts.DASH
    sign, digits = ("-", text[1:]) if text.startswith("-") else ("", text)
    whole, dot, frac = digits.partition(".")
    if not whole.isdigit():
        return text
    return f"{sign}{int(whole):,}{dot}{frac}"


def oracle_text(price: int | None) -> str:
    """An oracle price, exact, with at least cents."""
    return amounts.DASH if price is None else fixed_text(price, PRICE_PRECISION, 2)


def signed_colour(value: int | None) -> str | None:
    """Gains in the bid colour, costs in the ask colour."""
    if not value:
        return None
    return theme.current().bid if value > 0 else theme.current().ask


def clock_text(time_ms: int | None) -> str:
    """A local time of day to the second."""
    if time_ms is None:
        return amounts.DASH
    return time.strftime("%H:%M:%S", time.localtime(time_ms / 1000))


def _distance_colour(row: PositionRow) -> str | None:
    if row.distance is None:
        return None
    if row.distance < DISTANCE_DANGER:
        return theme.current().danger
    if row.distance < DISTANCE_WARNING:
        return theme.current().warning
    return None


COLLATERAL_COLUMNS = (
    Column("Asset", lambda r: r.asset, LEFT),
    Column("Balance", lambda r: grouped(r.balance)),
    Column("Price", lambda r: oracle_text(r.price)),
    Column("Init. weight", lambda r: exact_percent(r.initial_weight)),
    Column("Maint. weight", lambda r: exact_percent(r.maintenance_weight)),
    Column("Value", lambda r: usdc(r.value)),
    Column("Weighted (init.)", lambda r: usdc(r.weighted_initial)),
    Column("Weighted (maint.)", lambda r: usdc(r.weighted_maintenance)),
)  # fmt: skip


class PositionCells:
    """Writes a position's prices and size at its market's tick and lot places."""

    def __init__(self, board: MarketBoard) -> None:
        self.board = board
        """Read at each call: the specs arrive (and are replaced) after panels open."""

    def places(self, market: str, field: str, parse: Callable[[str], int], precision: int) -> int:
        """Decimal places of the market's ``field`` (tick or lot), 0 if not known."""
        text = (self.board.specs.get(market) or {}).get(field)
        if not text:
            return 0
        return amounts.places_of(parse(text), precision)

    def price(self, row: PositionRow, value: int | None) -> str:
        """A price of the row's market."""
        if value is None:
            return amounts.DASH
        places = self.places(row.market, "tick_size", parse_price, PRICE_PRECISION)
        return fixed_text(value, PRICE_PRECISION, places)

    def size(self, row: PositionRow) -> str:
        """The signed size (a long with a plus)."""
        if row.size is None:
            return amounts.DASH
        places = self.places(row.market, "lot_size", parse_base, BASE_PRECISION)
        text = fixed_text(row.size, BASE_PRECISION, places)
        return f"+{text}" if row.size > 0 else text


def position_columns(cells: PositionCells) -> tuple[Column, ...]:
    """The positions table's columns (prices and sizes at each market's places)."""
    return (
        Column("Market", lambda r: r.market, LEFT),
        Column("Size", cells.size, colour=lambda r: signed_colour(r.size)),
        Column("Mark", lambda r: cells.price(r, r.mark)),
        Column("Liq. price", lambda r: cells.price(r, r.liquidation_price)),
        Column(
            "Distance",
            lambda r: amounts.percent(r.distance, 2) if r.distance is not None else "none",
            colour=_distance_colour,
        ),
        Column(
            "Funding due",
            lambda r: exact_usdc(r.funding_due),
            colour=lambda r: signed_colour(r.funding_due),
        ),
        Column("Next funding", lambda r: clock_text(r.next_funding_ms)),
    )


class FiguresModel(ColumnsModel):
    """Rows of one kind shown through columns, keyed so that an update signals only the
    cells that changed (and a reset when the set of rows changed)."""

    def __init__(self, columns: tuple[Column, ...], key: Callable[[object], str]) -> None:
        super().__init__()
        self.columns = columns
        self.key = key
        self.rows: list = []
        self._cells: list[list[str]] = []
        self.changed_cells = 0
        """Cells signalled by the last `sync` (for tests)."""

    def row_count(self) -> int:
        """The rows."""
        return len(self.rows)

    def row_object(self, row: int) -> object:
        """The object of row ``row``."""
        return self.rows[row]

    def cell_text(self, row: int, column: int) -> str:
        """The kept text."""
        return self._cells[row][column]

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        """Titles aligned as their columns' cells."""
        if role == Qt.ItemDataRole.TextAlignmentRole and orientation == Qt.Orientation.Horizontal:
            return int(self.columns[section].align)
        return super().headerData(section, orientation, role)

    def sync(self, rows: list) -> None:
        """Show ``rows``."""
        cells = [[column.text(row) for column in self.columns] for row in rows]
        if [self.key(r) for r in rows] != [self.key(r) for r in self.rows]:
            self.beginResetModel()
            self.rows, self._cells = list(rows), cells
            self.endResetModel()
            self.changed_cells = len(cells) * len(self.columns)
            return
        self.rows = list(rows)
        self.changed_cells = 0
        for index, (old, new) in enumerate(zip(self._cells, cells, strict=True)):
            changed = [c for c in range(len(self.columns)) if old[c] != new[c]]
            if changed:
                self._cells[index] = new
                self.changed_cells += len(changed)
                self.dataChanged.emit(
                    self.index(index, min(changed)), self.index(index, max(changed))
                )

    def restyle(self) -> None:
        """Colours follow the theme: ask the views to paint every cell again."""
        if self.rows:
            self.dataChanged.emit(
                self.index(0, 0), self.index(len(self.rows) - 1, len(self.columns) - 1)
            )


def collateral_key(row: CollateralRow) -> str:
    """Rows are assets."""
    return row.asset


def position_key(row: PositionRow) -> str:
    """Rows are markets."""
    return row.market
