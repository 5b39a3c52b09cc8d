"""The History panel: the account's trading reviewed from the local cache, with or without
a backend. A filter (dates, market, side, order type) over a Summary (statistics, the
realised PnL curve and its drawdown), the Fills and Orders (lazy tables), and the figures
By market and By day; Export CSV writes the filtered fills and orders, Import CSV takes
such files back.

Every read of the cache runs on the panel's worker (`BackgroundWork`), one lane per
question, so the UI thread only paints and a newer filter's answer always wins. The
panel wires its parts: the filter (`filter_bar`), the statistics (`statistics`), the
chart (`pnl_chart`), the tables (`paged_tables`, `breakdown`) and the CSV files
(`csv_exchange`).
"""

from __future__ import annotations

import math
import time
from functools import partial
from pathlib import Path

from quantdesk_desktop import theme
from quantdesk_desktop.cache import queries
from quantdesk_desktop.cache.database import CacheDatabase
from quantdesk_desktop.cache.queries import HistoryFilter, HistorySummary
from quantdesk_desktop.panels.base import Panel
from quantdesk_desktop.panels.history.breakdown import (
    BreakdownModel,
    breakdown_view,
    day_rows,
    market_rows,
)
from quantdesk_desktop.panels.history.columns import fit_columns
from quantdesk_desktop.panels.history.csv_exchange import (
    ExportResult,
    ImportResult,
    export_history,
    export_paths,
    import_history,
)
from quantdesk_desktop.panels.history.filter_bar import FilterBar
from quantdesk_desktop.panels.history.paged_tables import (
    PagedView,
    fills_model,
    orders_model,
)
from quantdesk_desktop.panels.history.pnl_chart import EMPTY_TEXT, NO_CACHE_TEXT, PnlChart
from quantdesk_desktop.panels.history.statistics import StatisticsGrid
from quantdesk_desktop.panels.history.style import history_style
from quantdesk_desktop.qt import QLabel, Qt, QTimer, QtWidgets, QWidget, Signal
from quantdesk_desktop.state.store import MarketStore
from quantdesk_desktop.workers import BackgroundWork

TABS = ("summary", "fills", "orders", "by_market", "by_day")
"""The tabs' names in settings, in order."""
THREADS = 3
"""Worker threads: a summary, a count and a page can be read at once (WAL readers)."""
STEP_GAP_MS = 8
"""The pause between the parts made after the frame: the event loop paints and runs
its timers between them, so no part adds to another's time on the UI thread."""
REREAD_EVERY_MS = 2_000
"""A cache that keeps growing (a live sync) is read again at most this often."""


def _read(database: CacheDatabase, question, *args):
    """Ask ``question(connection, *args)`` of the cache (on a worker)."""
    with database.engine.connect() as connection:
        return question(connection, *args)


def _counts(connection, f: HistoryFilter) -> tuple[int, int]:
    return queries.count_fills(connection, f), queries.count_orders(connection, f)


def _markets(connection) -> tuple[list[str], tuple[int, int] | None]:
    return queries.markets(connection), queries.fill_span(connection)


class HistoryPanel(Panel):
    """The account's history from the local cache: statistics, PnL curve and drawdown,
    fills, orders, and breakdowns by market and day, for a filter; CSV out and in."""

    kind = "history"
    title = "History"

    summary_shown = Signal(object)
    """A filter's `HistorySummary` has been put on screen (emitted after it is painted
    when the panel shows)."""
    exported = Signal(object)
    """An export ended: its `ExportResult`, or the exception that stopped it."""
    imported = Signal(object)
    """An import ended: its `ImportResult`, or the exception (an `ImportRefused` names the
    file, line and column) that refused it."""

    def __init__(self, store: MarketStore, market: str, parent: QWidget | None = None) -> None:
        super().__init__(store, market, parent)
        self.palette = theme.current()
        self.work = BackgroundWork(THREADS, "quantdesk-history", self)
        self.filter = HistoryFilter()
        """The filter shown (All to begin with)."""
        self.summary: HistorySummary | None = None
        self.counts: tuple[int, int] | None = None
        self.database: CacheDatabase | None = None
        self._review_seen: tuple[int, int] | None = None
        self._rows_seen: int | None = None
        self._closed = False
        self.ready = False
        """Whether every part is made: the frame is made at once, the chart and the
        tables in the event loop's next turns (none stalls the UI long), and the first
        summary shows once they are."""
        self._pending: HistorySummary | None = None
        self._framed = False
        self.reread_every_ms = REREAD_EVERY_MS
        self._read_at = -math.inf
        """When the figures were last asked for (monotonic ms)."""
        self._reread_timer = QTimer(self)
        self._reread_timer.setSingleShot(True)
        self._reread_timer.timeout.connect(self._reread)
        self.fills = fills_model(self.work)
        self.orders = orders_model(self.work)
        self.setStyleSheet(history_style(self.palette))
        self._build_frame()
        self._framed = True
        self._show_review()
        # The cache is asked once the chart is made: the workers' Python competes with the
        # UI thread's for the interpreter, and the frame and the chart are made faster alone.
        self._steps = [
            self._build_chart,
            self._sync_review,
            self._build_lists,
            self._build_breakdowns,
        ]
        self._step_timer = QTimer(self)
        self._step_timer.setSingleShot(True)
        self._step_timer.setInterval(STEP_GAP_MS)
        self._step_timer.timeout.connect(self._build_next)
        self._step_timer.start()

    # -- building -------------------------------------------------------------------------

    def _build_frame(self) -> None:
        """What the first paint needs: the banner, the filter, the statistics and the
        tabs (their pages filled by the next steps)."""
        self.banner = QLabel()
        self.banner.setObjectName("historyBanner")
        self.banner.setWordWrap(True)
        self.banner.hide()
        self.bar = FilterBar(self.store.review.clock)
        self.bar.changed.connect(self._run)
        self.import_button = QtWidgets.QPushButton("Import CSV…")
        self.import_button.setToolTip("Add the fills and orders of CSV files exported earlier")
        self.import_button.clicked.connect(self._import_chosen)
        self.export_button = QtWidgets.QPushButton("Export CSV…")
        self.export_button.setToolTip("Save the filtered fills and orders as two CSV files")
        self.export_button.clicked.connect(self._export_chosen)
        self.bar.add_tool(self.import_button)
        self.bar.add_tool(self.export_button)
        for model in (self.fills, self.orders):
            model.failed.connect(self._failed)
        self.by_market = BreakdownModel("Market")
        self.by_day = BreakdownModel("Day (UTC)")

        self.tabs = QtWidgets.QTabWidget()
        self.tabs.setDocumentMode(True)
        for name in ("Summary", "Fills", "Orders", "By market", "By day"):
            page = QWidget()
            column = QtWidgets.QVBoxLayout(page)
            column.setContentsMargins(0, 0, 0, 0)
            column.setSpacing(0)
            self.tabs.addTab(page, name)
        self.stats = StatisticsGrid()
        self._page(0).addWidget(self.stats)
        self.notice = QLabel()
        self.notice.setObjectName("historyNotice")
        self.notice.setWordWrap(True)
        self.notice.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.notice.hide()
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.banner)
        layout.addWidget(self.bar)
        layout.addWidget(self.notice)
        layout.addWidget(self.tabs, 1)

    def _page(self, index: int) -> QtWidgets.QVBoxLayout:
        return self.tabs.widget(index).layout()

    def _build_chart(self) -> None:
        self.chart = PnlChart(self.palette)
        self._page(0).addWidget(self.chart, 1)

    def _build_lists(self) -> None:
        self.fills_view = PagedView(self.fills)
        self.orders_view = PagedView(self.orders)
        self._page(1).addWidget(self.fills_view)
        self._page(2).addWidget(self.orders_view)

    def _build_breakdowns(self) -> None:
        self.by_market_view = breakdown_view(self.by_market)
        self.by_day_view = breakdown_view(self.by_day)
        self._page(3).addWidget(self.by_market_view)
        self._page(4).addWidget(self.by_day_view)

    def _build_next(self) -> None:
        """Make the next part; after the last, show what has been read meanwhile."""
        if self._closed:
            return
        self._steps.pop(0)()
        if self._steps:
            self._step_timer.start()
            return
        self.ready = True
        if self.palette is not theme.current():
            self._use_palette(theme.current())
        if self._pending is not None or self.database is None:
            self._show_summary(self._pending)

    # -- Panel ----------------------------------------------------------------------------

    def refresh(self) -> None:
        """Follow the review state (a cache opened or grown, the offline banner) and the
        theme; the figures themselves arrive from the worker."""
        if theme.current() is not self.palette:
            self._use_palette(theme.current())
        self._sync_review()

    def settings(self) -> dict:
        """The tab shown and the filter (a quick range by name, or the dates)."""
        return {"tab": TABS[self.tabs.currentIndex()], "filter": self.bar.settings()}

    def restore(self, settings: dict) -> None:
        """Take back the tab and the filter (bad values are ignored)."""
        if settings.get("tab") in TABS:
            self.tabs.setCurrentIndex(TABS.index(settings["tab"]))
        saved = settings.get("filter")
        if isinstance(saved, dict):
            f = self.bar.filter_from(saved)
            if f is not None:
                self.apply_filter(f)

    def close_panel(self) -> None:
        """Stop: nothing more is asked or delivered. (A read under way runs to its end on
        its own connection, which closing the cache leaves alone; the UI never waits.)"""
        self._closed = True
        self._reread_timer.stop()
        self._step_timer.stop()
        self.work.close()

    # -- the filter ---------------------------------------------------------------------

    def apply_filter(self, f: HistoryFilter) -> None:
        """Show ``f`` in the filter bar and review it (`summary_shown` follows)."""
        self.bar.show_filter(f)
        self._run(f)

    def _run(self, f: HistoryFilter, keep_scrolled: bool = False) -> None:
        """Read everything ``f`` shows, each part in its lane on the worker (with
        ``keep_scrolled``, a table scrolled past its first page keeps its rows)."""
        if self._closed:
            return
        self.filter = f
        self._read_at = time.monotonic() * 1000
        database = self.database
        for model in (self.fills, self.orders):
            if not (keep_scrolled and model.pages > 1):
                model.load(database, f)
        self._show_counts(None)
        if database is None:
            for lane in ("summary", "counts"):
                self.work.supersede(lane)
            self._show_summary(None)
            return
        self.work.run(
            partial(_read, database, queries.summarise, f),
            self._show_summary,
            self._failed,
            lane="summary",
        )
        self.work.run(
            partial(_read, database, _counts, f), self._show_counts, self._failed, "counts"
        )

    def _show_summary(self, summary: HistorySummary | None) -> None:
        self.summary = summary
        if not self.ready:  # shown once the chart and tables are made
            self._pending = summary
            return
        self._pending = None
        self.stats.show_summary(summary)
        self.chart.show_summary(summary, NO_CACHE_TEXT if self.database is None else EMPTY_TEXT)
        for model, view, rows in (
            (self.by_market, self.by_market_view, market_rows),
            (self.by_day, self.by_day_view, day_rows),
        ):
            model.show_rows(rows(summary) if summary else [])
            fit_columns(view, model)
        if summary is None:
            return
        if self.isVisible():  # on screen now, not at the next frame: what the signal means
            self.tabs.currentWidget().repaint()
        self.summary_shown.emit(summary)

    def _show_counts(self, counts: tuple[int, int] | None) -> None:
        self.counts = counts
        if not self._framed:  # the first read starts before the widgets are made
            return
        for index, name, count in (
            (1, "Fills", counts[0] if counts else None),
            (2, "Orders", counts[1] if counts else None),
        ):
            self.tabs.setTabText(index, name if count is None else f"{name} ({count:,})")

    def _failed(self, error: BaseException) -> None:
        self.show_notice(f"The cache could not be read: {error}", error=True)

    # -- the review state -----------------------------------------------------------------

    def _sync_review(self, at_once: bool = False) -> None:
        review = self.store.review
        if self._review_seen == (review.version, id(review.database)):
            return
        self._review_seen = (review.version, id(review.database))
        self._read_if_moved(at_once)
        self._show_review()

    def _read_if_moved(self, at_once: bool = False) -> None:
        """Read everything if another cache is open; read again if the cache gained rows
        (at most every `reread_every_ms`, unless ``at_once``)."""
        review = self.store.review
        if review.database is not self.database:
            self.database = review.database
            self._rows_seen = review.rows_version
            self._reread_timer.stop()
            self._read_markets()
            self._run(self.filter)
            return
        if review.rows_version == self._rows_seen:
            return
        self._rows_seen = review.rows_version
        wait = self.reread_every_ms - (time.monotonic() * 1000 - self._read_at)
        if at_once or wait <= 0:
            self._reread()
        elif not self._reread_timer.isActive():
            self._reread_timer.start(max(1, math.ceil(wait)))

    def _reread(self) -> None:
        """The cache gained rows: read the figures, the markets and the tables showing
        their first page again (a table scrolled further keeps its rows: it never jumps
        under the user's eyes)."""
        self._reread_timer.stop()
        self._read_markets()
        self._run(self.filter, keep_scrolled=True)

    def _read_markets(self) -> None:
        if self.database is not None:
            self.work.run(
                partial(_read, self.database, _markets), self._show_markets, self._failed, "markets"
            )

    def _show_review(self) -> None:
        """The offline banner, and the CSV buttons (with a cache only)."""
        text = self.store.review.banner_text()
        self.banner.setText(text or "")
        self.banner.setVisible(text is not None)
        self.import_button.setEnabled(self.database is not None)
        self.export_button.setEnabled(self.database is not None)

    def _show_markets(self, found: tuple[list[str], tuple[int, int] | None]) -> None:
        markets, span = found
        self.bar.set_markets(markets)
        self.bar.set_span(span)

    # -- CSV ------------------------------------------------------------------------------

    def export_to(self, chosen: Path) -> None:
        """Export the filtered fills and orders next to ``chosen`` (`export_paths`);
        `exported` tells how it went."""
        if self.database is None:
            return
        fills_path, orders_path = export_paths(Path(chosen))
        self.export_button.setEnabled(False)
        self.show_notice(f"Exporting to {fills_path.name} and {orders_path.name}…")
        job = partial(export_history, self.database, self.filter, fills_path, orders_path)
        self.work.run(job, self._exported, self._exported, lane="export")

    def _exported(self, outcome: ExportResult | BaseException) -> None:
        self.export_button.setEnabled(self.database is not None)
        if isinstance(outcome, BaseException):
            self.show_notice(f"Not exported: {outcome}", error=True)
        else:
            self.show_notice(outcome.text())
        self.exported.emit(outcome)

    def import_from(self, paths: list[Path]) -> None:
        """Import CSV files exported earlier, all or nothing; `imported` tells how it
        went, and the view reads the cache again after."""
        if self.database is None or not paths:
            return
        self.import_button.setEnabled(False)
        self.show_notice(f"Importing {', '.join(Path(p).name for p in paths)}…")
        job = partial(import_history, self.database, [Path(p) for p in paths])
        self.work.run(job, self._imported, self._imported, lane="import")

    def _imported(self, outcome: ImportResult | BaseException) -> None:
        self.import_button.setEnabled(self.database is not None)
        if isinstance(outcome, BaseException):
            self.show_notice(f"Nothing imported: {outcome}", error=True)
        else:
            self.show_notice(outcome.text())
            if outcome.fills_added or outcome.orders_added:
                self.store.review.mark_changed()
                self._sync_review(at_once=True)
        self.imported.emit(outcome)

    def _export_chosen(self) -> None:
        path, _ = QtWidgets.QFileDialog.getSaveFileName(
            self, "Export history", "history.csv", "CSV (*.csv)"
        )
        if path:
            self.export_to(Path(path))

    def _import_chosen(self) -> None:
        paths, _ = QtWidgets.QFileDialog.getOpenFileNames(
            self, "Import history", "", "CSV (*.csv);;All files (*)"
        )
        if paths:
            self.import_from([Path(p) for p in paths])

    # -- showing ----------------------------------------------------------------------------

    def show_notice(self, text: str, error: bool = False) -> None:
        """Tell the user ``text`` under the filter (an error in the danger colour); it
        stays until the next notice."""
        self.notice.setProperty("error", error)
        self.notice.style().unpolish(self.notice)
        self.notice.style().polish(self.notice)
        self.notice.setText(text)
        self.notice.show()

    def _use_palette(self, palette: theme.Palette) -> None:
        if palette is not self.palette:
            self.setStyleSheet(history_style(palette))
        self.palette = palette
        if not self.ready:
            return  # the chart is made in this palette
        self.chart.use_palette(palette)
        for model in (self.fills, self.orders, self.by_market, self.by_day):
            rows, columns = model.rowCount(), model.columnCount()
            if rows:  # cell colours come from the palette
                model.dataChanged.emit(model.index(0, 0), model.index(rows - 1, columns - 1))
