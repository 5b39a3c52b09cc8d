"""The History panel's Fills and Orders tables: lazy models over keyset pages of the cache
(newest first), a page fetched on the worker when the view scrolls to the bottom, so a
million fills never load at once. Rows are the page queries' tuples, shown through
declarative columns."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from quantdesk_desktop.cache import queries
from quantdesk_desktop.cache.database import CacheDatabase
from quantdesk_desktop.cache.queries import PAGE_SIZE, HistoryFilter
from quantdesk_desktop.panels.history import cells
from quantdesk_desktop.panels.history.columns import ROW_HEIGHT, TableModel, fit_columns
from quantdesk_desktop.panels.table_columns import LEFT, Column
from quantdesk_desktop.panels.table_style import style_table
from quantdesk_desktop.qt import QtCore, QtWidgets, QWidget, Signal
from quantdesk_desktop.workers import BackgroundWork

PageReader = Callable[..., list[tuple]]


def _flags(row: tuple) -> str:
    flags = [name for name, on in (("post", row[13]), ("reduce", row[14])) if on]
    return " ".join(flags) or cells.NONE


FILL_COLUMNS = (
    Column("Time (UTC)", lambda r: cells.utc_time(r[9]), LEFT),
    Column("Market", lambda r: r[2], LEFT),
    Column("Side", lambda r: r[3], LEFT, colour=lambda r: cells.side_colour(r[3])),
    Column("Role", lambda r: r[4], LEFT),
    Column("Price", lambda r: cells.price(r[5])),
    Column("Size", lambda r: cells.size(r[6])),
    Column("Fee", lambda r: cells.usdc_exact(r[7])),
    Column(
        "Realised PnL", lambda r: cells.usdc_exact(r[8]), colour=lambda r: cells.signed_colour(r[8])
    ),
    Column("Trade", lambda r: str(r[0])),
    Column("Order", lambda r: cells.NONE if r[1] is None else str(r[1])),
)
"""Columns of a `queries.fills_page` row."""

ORDER_COLUMNS = (
    Column("Placed (UTC)", lambda r: cells.utc_time(r[17]), LEFT),
    Column("Market", lambda r: r[2], LEFT),
    Column("Side", lambda r: r[3], LEFT, colour=lambda r: cells.side_colour(r[3])),
    Column("Type", lambda r: r[4], LEFT),
    Column("Status", lambda r: r[5], LEFT),
    Column("Size", lambda r: cells.size(r[6])),
    Column("Filled", lambda r: cells.size(r[7])),
    Column("Avg price", lambda r: cells.price(r[8])),
    Column("Price", lambda r: cells.price(r[10])),
    Column("Trigger", lambda r: cells.price(r[11])),
    Column("Fees", lambda r: cells.usdc_exact(r[9])),
    Column("TIF", lambda r: r[12], LEFT),
    Column("Flags", _flags, LEFT),
    Column("Order", lambda r: str(r[0])),
    Column("Client id", lambda r: r[1] or cells.NONE, LEFT),
    Column("Updated (UTC)", lambda r: cells.utc_time(r[18]), LEFT),
    Column("Reason", lambda r: r[16] or "", LEFT),
)
"""Columns of a `queries.orders_page` row."""


def _read_page(
    database: CacheDatabase,
    read_page: PageReader,
    f: HistoryFilter,
    before: tuple[int, int] | None,
    limit: int,
) -> list[tuple]:
    with database.engine.connect() as connection:
        return read_page(connection, f, before, limit)


class PagedModel(TableModel):
    """The rows of a keyset-paged query for one filter, a page at a time.

    `load` starts over with a filter; the view asks for more (`canFetchMore` and
    `fetchMore`, which Qt calls when the last row scrolls into view) and each page is read
    on the worker, in this model's lane, so a page of an older filter is never shown."""

    page_arrived = Signal(int)
    """A page was added (how many rows it had)."""
    failed = Signal(object)
    """A page could not be read (the exception)."""

    def __init__(
        self,
        work: BackgroundWork,
        lane: str,
        read_page: PageReader,
        columns: tuple[Column, ...],
        time_at: int,
        page_size: int = PAGE_SIZE,
    ) -> None:
        super().__init__()
        self.columns = columns
        self.work = work
        self.lane = lane
        self.read_page = read_page
        self.time_at = time_at
        """Where a row holds its time (the keyset is (time, the id in column 0))."""
        self.page_size = page_size
        self.rows: list[tuple] = []
        self.database: CacheDatabase | None = None
        self.filter = HistoryFilter()
        self.exhausted = True
        """Every row of the filter is loaded."""
        self.loading = False
        self.pages = 0
        """Pages loaded since the last `load`."""

    # -- ColumnsModel -------------------------------------------------------------------

    def row_count(self) -> int:
        return len(self.rows)

    def row_object(self, row: int) -> tuple:
        return self.rows[row]

    # -- lazy loading ---------------------------------------------------------------------

    def load(self, database: CacheDatabase | None, f: HistoryFilter) -> None:
        """Show ``f``'s rows from the first page (the rows shown so far go)."""
        self.beginResetModel()
        self.rows = []
        self.forget_texts()
        self.database, self.filter = database, f
        self.pages = 0
        self.exhausted = database is None
        self.loading = False
        self.endResetModel()
        if database is None:
            self.work.supersede(self.lane)
        else:
            self._request(None)

    def canFetchMore(self, parent=QtCore.QModelIndex()) -> bool:  # noqa: B008, N802
        return not parent.isValid() and not self.exhausted and not self.loading

    def fetchMore(self, parent=QtCore.QModelIndex()) -> None:  # noqa: B008, N802
        if self.canFetchMore(parent) and self.rows:
            last = self.rows[-1]
            self._request((last[self.time_at], last[0]))

    def _request(self, before: tuple[int, int] | None) -> None:
        assert self.database is not None
        self.loading = True
        read = partial(
            _read_page, self.database, self.read_page, self.filter, before, self.page_size
        )
        self.work.run(read, self._add_page, self._page_failed, lane=self.lane)

    def _add_page(self, page: list[tuple]) -> None:
        self.loading = False
        self.pages += 1
        self.exhausted = len(page) < self.page_size
        if page:
            first = len(self.rows)
            self.beginInsertRows(QtCore.QModelIndex(), first, first + len(page) - 1)
            self.rows.extend(page)
            self.endInsertRows()
        self.page_arrived.emit(len(page))

    def _page_failed(self, error: BaseException) -> None:
        self.loading = False
        self.exhausted = True
        self.failed.emit(error)


def fills_model(work: BackgroundWork) -> PagedModel:
    """The Fills table's model."""
    return PagedModel(work, "fills", queries.fills_page, FILL_COLUMNS, time_at=9)


def orders_model(work: BackgroundWork) -> PagedModel:
    """The Orders table's model."""
    return PagedModel(work, "orders", queries.orders_page, ORDER_COLUMNS, time_at=17)


class PagedView(QtWidgets.QTableView):
    """A read-only table of whole rows, of a fixed row height (so Qt never measures the
    rows), its columns fitted to the first page."""

    def __init__(self, model: PagedModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setModel(model)
        style_table(self, ROW_HEIGHT)
        header = self.horizontalHeader()
        header.setHighlightSections(False)
        header.setStretchLastSection(False)
        self.setHorizontalScrollMode(QtWidgets.QAbstractItemView.ScrollMode.ScrollPerPixel)
        self._fitted = False
        model.page_arrived.connect(self._fit)
        model.modelReset.connect(self._scroll_to_top)
        self._fit(0)  # a page may have come before the view was made

    def _fit(self, _count: int) -> None:
        model = self.model()
        if self._fitted or not model.rowCount():
            return
        self._fitted = True
        fit_columns(self, model)

    def _scroll_to_top(self) -> None:
        self.scrollToTop()
