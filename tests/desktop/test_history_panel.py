"""The History panel over a real cache (SQLite in `tmp_path`, written through `CacheWriter`
from wire-shaped fills, orders and funding): the statistics, the PnL curve and drawdown
and the breakdowns worked by hand; filters that change them (from the filter bar too);
lazy tables that fetch a page as they scroll; CSV export then import into a fresh cache,
and bad files refused whole; a superseded filter's answer dropped; the offline banner,
the empty states, settings and themes. Every answer is waited for by its signal."""

from __future__ import annotations

import csv
import time
from pathlib import Path

import pytest
from sqlalchemy import text

from quantdesk_desktop import theme
from quantdesk_desktop.cache import queries
from quantdesk_desktop.cache.database import CacheDatabase, cache_path
from quantdesk_desktop.cache.queries import DAY_MS, HistoryFilter, HistorySummary
from quantdesk_desktop.panels.history import HistoryPanel
from quantdesk_desktop.panels.history.csv_exchange import (
    ExportResult,
    ImportRefused,
    ImportResult,
    export_paths,
)
from quantdesk_desktop.panels.history.pnl_chart import EMPTY_TEXT, NO_CACHE_TEXT
from quantdesk_desktop.panels.history.statistics import StatisticsGrid
from quantdesk_desktop.panels.registry import PANEL_TYPES
from quantdesk_desktop.qt import QApplication, Qt
from quantdesk_desktop.state.store import MarketStore
from tests.desktop.cache_history import PUBKEY, T0, by_hand, fill, generated, write

WAIT_MS = 10_000
NOW = T0 + 95 * DAY_MS + 3_600_000
"""The review's clock: an hour into the 96th day."""


def _open(tmp_path: Path, name: str = "main") -> CacheDatabase:
    return CacheDatabase(cache_path(tmp_path / name, "embedded", PUBKEY), PUBKEY)


def _store(database: CacheDatabase | None) -> MarketStore:
    store = MarketStore()
    store.review.clock = lambda: NOW
    if database is not None:
        store.review.use(database)
    return store


@pytest.fixture
def open_panel(qtbot):
    """Opens panels (shown, 1000 x 700) and closes them after the test."""
    panels: list[HistoryPanel] = []

    def open_(store: MarketStore, wait: bool = True) -> HistoryPanel:
        panel = HistoryPanel(store, "SOL-PERP")
        qtbot.addWidget(panel)
        panel.reread_every_ms = 50  # a grown cache is read again soon: the tests wait less
        panel.resize(1000, 700)
        panels.append(panel)
        if wait:
            with qtbot.waitSignal(panel.summary_shown, timeout=WAIT_MS):
                panel.show()
        else:
            panel.show()
        return panel

    yield open_
    for panel in panels:
        panel.close_panel()


@pytest.fixture
def hand(tmp_path: Path):
    database = _open(tmp_path)
    by_hand(database)
    yield database
    database.close()


@pytest.fixture
def many(tmp_path: Path):
    database = _open(tmp_path)
    generated(database, orders=150)
    yield database
    database.close()


def _filtered(qtbot, panel: HistoryPanel, f: HistoryFilter) -> HistorySummary:
    with qtbot.waitSignal(panel.summary_shown, timeout=WAIT_MS) as shown:
        panel.apply_filter(f)
    assert shown.args[0].filter == f
    return shown.args[0]


def _texts(model, row: int) -> list[str]:
    return [model.cell_text(row, column) for column in range(model.columnCount())]


def test_the_panel_is_registered_as_history() -> None:
    assert PANEL_TYPES["history"] is HistoryPanel and HistoryPanel.title == "History"


def test_the_statistics_curve_and_breakdowns_by_hand(qtbot, hand, open_panel) -> None:
    panel = open_panel(_store(hand))
    assert panel.stats.texts() == {
        "Net PnL": "-0.25",  # 9.5 - 4.5 + 2.5 - 7 - 0.5 (the opening fee) - 0.25 funding
        "Realised PnL": "3.00",
        "Fees": "3.00",
        "Funding": "-0.25",
        "Trades": "5",
        "Win rate": "50.00%  (2 of 4)",
        "Average win": "6.00",
        "Average loss": "-5.75",
        "Profit factor": "1.04",  # 12 / 11.5
        "Largest loss": "-7.00",
        "Max drawdown": "-9.25",  # from +9 at the end of day 1 to -0.25
        "Closing trades": "4",
    }
    tones = {c: label.property("tone") for c, label in panel.stats.values.items()}
    assert tones["Net PnL"] == "loss" and tones["Average win"] == "gain"
    assert tones["Trades"] == "" and tones["Max drawdown"] == "loss"
    chart = panel.chart
    assert not chart.is_empty()
    # day by day from zero: +9, -2.25 (with funding), flat through day 3 (no fills), -7
    days = [T0 + n * DAY_MS for n in range(5)]
    assert list(chart.x) == [day / 1000 for day in days]
    assert list(chart.y) == [0, 9, 6.75, 6.75, -0.25]
    assert list(chart.dd) == [0, 0, -2.25, -2.25, -9.25]
    x, y = chart.pnl_curve.getData()
    assert list(y) == list(chart.y) and list(x) == list(chart.x)
    assert "-0.25" in chart.pnl_title.text() and "-9.25" in chart.drawdown_title.text()

    by_market = panel.by_market
    # market, fills, closes, win rate, avg win, avg loss, realised, fees, funding, net, worst
    assert [_texts(by_market, r) for r in range(by_market.rowCount())] == [
        ["BTC-PERP", "2", "2", "50.00%", "2.50", "-7.00", "-3.00", "1.50", "0.00", "-4.50",
         "-7.00"],
        ["SOL-PERP", "3", "2", "50.00%", "9.50", "-4.50", "6.00", "1.50", "-0.25", "4.25",
         "-4.50"],
        ["Total", "5", "4", "50.00%", "6.00", "-5.75", "3.00", "3.00", "-0.25", "-0.25",
         "-7.00"],
    ]  # fmt: skip
    by_day = panel.by_day
    assert [_texts(by_day, r)[0::9] for r in range(by_day.rowCount())] == [
        ["2026-09-24", "-7.00"], ["2026-09-22", "-2.25"], ["2026-09-21", "9.00"],
        ["Total", "-0.25"],
    ]  # fmt: skip
    font = by_day.data(by_day.index(3, 0), Qt.ItemDataRole.FontRole)
    assert font is not None and font.bold()
    by_day.sort(9, Qt.SortOrder.DescendingOrder)  # by net: the totals row stays last
    assert [by_day.cell_text(r, 0) for r in range(4)] == [
        "2026-09-21", "2026-09-22", "2026-09-24", "Total"]  # fmt: skip
    by_day.sort(-1)  # the indicator cleared: newest first again
    assert [by_day.cell_text(r, 0) for r in range(4)] == [
        "2026-09-24", "2026-09-22", "2026-09-21", "Total"]  # fmt: skip
    assert panel.tabs.tabText(1) == "Fills (5)" and panel.tabs.tabText(2) == "Orders (5)"


def test_filters_change_the_figures(qtbot, hand, open_panel) -> None:
    panel = open_panel(_store(hand))
    sells = _filtered(qtbot, panel, HistoryFilter(side="sell"))
    assert sells.totals.fills == 3
    texts = panel.stats.texts()
    assert (texts["Trades"], texts["Net PnL"], texts["Funding"]) == ("3", "-2.00", "—")
    assert panel.by_market.cell_text(2, 8) == "—"  # funding has no side
    assert "Net PnL <span" in panel.chart.pnl_title.text()  # without "with funding"
    _filtered(qtbot, panel, HistoryFilter(markets=("BTC-PERP",)))
    assert panel.stats.texts()["Trades"] == "2" and panel.by_market.rowCount() == 2
    _filtered(qtbot, panel, HistoryFilter(order_type="market"))
    assert (panel.stats.texts()["Trades"], panel.stats.texts()["Net PnL"]) == ("2", "-11.50")
    day_two = _filtered(qtbot, panel, HistoryFilter(T0 + DAY_MS, T0 + 2 * DAY_MS))
    assert day_two.totals.fills == 2 and panel.stats.texts()["Funding"] == "-0.25"
    assert panel.chart.x[0] >= (T0 + DAY_MS) / 1000 - day_two.bucket_ms / 1000
    assert panel.tabs.tabText(1) == "Fills (2)"

    nothing = _filtered(qtbot, panel, HistoryFilter(T0 + 10 * DAY_MS, T0 + 11 * DAY_MS))
    assert nothing.totals.fills == 0
    assert panel.chart.is_empty() and panel.chart.empty.text() == EMPTY_TEXT
    assert panel.stats.texts()["Trades"] == "0" and panel.by_market.rowCount() == 0


def test_the_filter_bar_applies_each_change(qtbot, hand, open_panel) -> None:
    store = _store(hand)
    store.review.clock = lambda: T0 + DAY_MS + 5  # on the second day
    panel = open_panel(store)
    bar = panel.bar
    qtbot.waitUntil(lambda: bar.market.count() == 3, timeout=WAIT_MS)  # All, BTC, SOL
    assert (bar.from_date.date().toString("yyyy-MM-dd"), bar.to_date.date().toString(
        "yyyy-MM-dd")) == ("2026-09-21", "2026-09-24")  # All: the fills' span  # fmt: skip
    with qtbot.waitSignal(panel.summary_shown, timeout=WAIT_MS) as shown:
        qtbot.mouseClick(bar.quick_buttons["today"], Qt.MouseButton.LeftButton)
    assert shown.args[0].filter == HistoryFilter(T0 + DAY_MS, T0 + 2 * DAY_MS)
    assert panel.stats.texts()["Trades"] == "2"
    with qtbot.waitSignal(panel.summary_shown, timeout=WAIT_MS) as shown:
        bar.market.setCurrentIndex(bar.market.findData("BTC-PERP"))
    assert shown.args[0].filter.markets == ("BTC-PERP",)
    assert panel.stats.texts()["Trades"] == "1"
    with qtbot.waitSignal(panel.summary_shown, timeout=WAIT_MS) as shown:
        bar.from_date.setDate(bar.from_date.date().addDays(-1))  # a date typed: custom range
    assert shown.args[0].filter == HistoryFilter(T0, T0 + 2 * DAY_MS, ("BTC-PERP",))
    assert not any(button.isChecked() for button in bar.quick_buttons.values())
    with qtbot.waitSignal(panel.summary_shown, timeout=WAIT_MS) as shown:
        bar.side.setCurrentIndex(bar.side.findData("buy"))
    assert shown.args[0].filter.side == "buy" and panel.stats.texts()["Trades"] == "1"
    with qtbot.waitSignal(panel.summary_shown, timeout=WAIT_MS) as shown:
        qtbot.mouseClick(bar.quick_buttons["all"], Qt.MouseButton.LeftButton)
        bar.order_type.setCurrentIndex(bar.order_type.findData("stop_market"))
    f = shown.args[0].filter
    assert (f.start_ms, f.end_ms, f.order_type, f.side) == (None, None, "stop_market", "buy")
    assert panel.stats.texts()["Trades"] == "1"

    panel.apply_filter(HistoryFilter(T0 + DAY_MS - 6 * DAY_MS, T0 + 2 * DAY_MS))
    assert bar.quick_buttons["7d"].isChecked()  # a filter applied shows in the bar
    assert bar.market.currentData() is None and bar.side.currentData() is None


def test_the_tables_fetch_a_page_as_they_scroll(qtbot, many, open_panel) -> None:
    panel = open_panel(_store(many))
    with many.engine.connect() as connection:
        total = queries.count_fills(connection, HistoryFilter())
        every = queries.fills_page(connection, HistoryFilter(), limit=10_000)
        orders = queries.count_orders(connection, HistoryFilter())
    assert total > 120
    qtbot.waitUntil(lambda: panel.tabs.tabText(1) == f"Fills ({total:,})", timeout=WAIT_MS)
    panel.fills.page_size = 40
    panel.tabs.setCurrentIndex(1)  # Fills
    _filtered(qtbot, panel, HistoryFilter())
    fills = panel.fills
    qtbot.waitUntil(lambda: fills.rowCount() == 40, timeout=WAIT_MS)
    for _ in range(5):  # the view settles: the last row is out of sight, nothing more asked
        QApplication.processEvents()
    assert (fills.rowCount(), fills.pages, fills.loading) == (40, 1, False)
    assert fills.canFetchMore()
    while fills.rowCount() < total:
        shown = fills.rowCount()
        panel.fills_view.scrollToBottom()
        qtbot.waitUntil(lambda shown=shown: fills.rowCount() > shown, timeout=WAIT_MS)
        assert fills.rowCount() - shown <= 40
    assert not fills.canFetchMore() and fills.rows == every  # newest first, none twice
    newest = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(every[0][9] // 1000))
    assert fills.cell_text(0, 0) == newest  # in UTC, as the days are
    assert panel.tabs.tabText(2) == f"Orders ({orders:,})"
    assert panel.orders.rowCount() == min(orders, panel.orders.page_size)


def test_export_then_import_into_a_fresh_cache_gives_the_same_rows(
    qtbot, tmp_path: Path, many, open_panel
) -> None:
    source = open_panel(_store(many))
    with qtbot.waitSignal(source.exported, timeout=WAIT_MS) as done:
        source.export_to(tmp_path / "review.csv")
    result = done.args[0]
    assert isinstance(result, ExportResult)
    fills_path, orders_path = export_paths(tmp_path / "review.csv")
    assert (result.fills_path, result.orders_path) == (fills_path, orders_path)
    assert source.notice.text() == result.text() and f"{result.fills:,} fills" in result.text()

    fresh = _open(tmp_path, "fresh")
    try:
        target = open_panel(_store(fresh))
        assert target.stats.texts()["Trades"] == "0" and target.chart.is_empty()
        with (
            qtbot.waitSignal(target.summary_shown, timeout=WAIT_MS) as shown,
            qtbot.waitSignal(target.imported, timeout=WAIT_MS) as done,
        ):
            target.import_from([fills_path, orders_path])
        imported = done.args[0]
        assert isinstance(imported, ImportResult)
        assert (imported.fills_added, imported.orders_added) == (result.fills, result.orders)
        assert shown.args[0].totals.fills == result.fills  # the view read the cache again
        assert shown.args[0].totals == source.summary.totals  # (funding is not exported)
        qtbot.waitUntil(lambda: target.bar.market.count() == 4, timeout=WAIT_MS)
        with many.engine.connect() as a, fresh.engine.connect() as b:
            for sql in ("SELECT * FROM fills ORDER BY trade_id",
                        "SELECT * FROM orders ORDER BY order_id"):  # fmt: skip
                assert list(a.execute(text(sql))) == list(b.execute(text(sql)))
        with qtbot.waitSignal(target.imported, timeout=WAIT_MS) as done:
            target.import_from([orders_path, fills_path])
        assert done.args[0].fills_skipped == result.fills and done.args[0].fills_added == 0
        assert "already in the cache were skipped" in target.notice.text()
    finally:
        fresh.close()


@pytest.mark.parametrize(
    ("damage", "where"),
    [
        ("bad number", "review-fills.csv line 4, column price: 'l50' is not a decimal number"),
        ("missing column", "review-fills.csv line 1: the column fee is missing"),
        ("wrong header", "review-fills.csv line 1: the header (when, what, how much) is not that"),
    ],
)
def test_a_malformed_import_is_refused_and_writes_nothing(
    qtbot, tmp_path: Path, many, open_panel, damage: str, where: str
) -> None:
    source = open_panel(_store(many))
    with qtbot.waitSignal(source.exported, timeout=WAIT_MS):
        source.export_to(tmp_path / "review.csv")
    fills_path, orders_path = export_paths(tmp_path / "review.csv")
    with open(fills_path, newline="", encoding="utf-8") as handle:
        lines = list(csv.reader(handle))
    if damage == "bad number":
        lines[3][4] = "l50"
    elif damage == "missing column":
        lines = [line[:6] + line[7:] for line in lines]
    else:
        lines[0] = ["when", "what", "how much"]
    with open(fills_path, "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(lines)

    fresh = _open(tmp_path, "fresh")
    try:
        target = open_panel(_store(fresh))
        with qtbot.waitSignal(target.imported, timeout=WAIT_MS) as done:
            target.import_from([orders_path, fills_path])  # the good file first
        assert isinstance(done.args[0], ImportRefused)
        assert where in str(done.args[0])
        assert target.notice.text().startswith("Nothing imported: ")
        assert where in target.notice.text() and target.notice.property("error") is True
        with fresh.engine.connect() as connection:
            for table in ("fills", "orders", "fill_days"):
                assert connection.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar() == 0
        assert target.import_button.isEnabled()
    finally:
        fresh.close()


def test_the_answer_to_a_superseded_filter_is_dropped(qtbot, many, open_panel) -> None:
    panel = open_panel(_store(many))
    shown: list[HistoryFilter] = []
    panel.summary_shown.connect(lambda summary: shown.append(summary.filter))
    first = HistoryFilter(markets=("SOL-PERP",))
    second = HistoryFilter(T0, T0 + 30 * DAY_MS, ("BTC-PERP",), side="buy")
    dropped = panel.work.dropped
    with qtbot.waitSignal(panel.summary_shown, timeout=WAIT_MS):
        panel.apply_filter(first)
        panel.apply_filter(second)
    qtbot.waitUntil(lambda: not panel.work.busy(), timeout=WAIT_MS)
    assert shown == [second] and panel.summary.filter == second
    assert panel.work.dropped >= dropped + 4  # its summary, counts and both first pages
    with many.engine.connect() as connection:
        assert panel.fills.rows == queries.fills_page(connection, second)
        assert panel.counts == (
            queries.count_fills(connection, second),
            queries.count_orders(connection, second),
        )


def test_without_a_cache_the_panel_says_so_then_reads_one_once_opened(
    qtbot, hand, open_panel
) -> None:
    store = _store(None)
    panel = open_panel(store, wait=False)
    qtbot.waitUntil(lambda: panel.ready, timeout=WAIT_MS)  # the chart is made a turn later
    assert panel.chart.is_empty() and panel.chart.empty.text() == NO_CACHE_TEXT
    assert not panel.export_button.isEnabled() and not panel.import_button.isEnabled()
    assert panel.stats.texts()["Trades"] == "—" and panel.fills.rowCount() == 0
    store.review.use(hand)
    with qtbot.waitSignal(panel.summary_shown, timeout=WAIT_MS):
        panel.refresh()
    assert panel.stats.texts()["Trades"] == "5" and panel.export_button.isEnabled()


def test_the_banner_says_offline_and_when_the_cache_was_synced(qtbot, hand, open_panel) -> None:
    store = _store(hand)
    panel = open_panel(store)
    assert panel.banner.isHidden()
    store.review.set_offline(True)
    panel.refresh()
    assert panel.banner.isVisible()
    assert panel.banner.text() == (
        "Offline: no backend is reachable. Showing the local cache, never synced."
    )
    store.review.mark_synced(T0 + 3 * DAY_MS + 14 * 3_600_000 + 2 * 60_000)
    with qtbot.waitSignal(panel.summary_shown, timeout=WAIT_MS):  # it may have grown
        panel.refresh()
    assert panel.banner.text().endswith("last synced 2026-09-24 14:02 UTC.")
    store.review.set_offline(False)
    panel.refresh()
    assert panel.banner.isHidden()


def test_settings_keep_the_tab_and_the_filter(qtbot, hand, open_panel) -> None:
    panel = open_panel(_store(hand))
    custom = HistoryFilter(T0 + DAY_MS, T0 + 3 * DAY_MS, ("SOL-PERP",), side="sell")
    _filtered(qtbot, panel, custom)
    panel.tabs.setCurrentIndex(3)
    saved = panel.settings()
    assert saved == {"tab": "by_market", "filter": {"market": "SOL-PERP", "side": "sell",
                     "type": None, "from": "2026-09-22", "to": "2026-09-23"}}  # fmt: skip
    again = open_panel(_store(hand))
    with qtbot.waitSignal(again.summary_shown, timeout=WAIT_MS) as shown:
        again.restore(saved)
    assert shown.args[0].filter == custom and again.tabs.currentIndex() == 3
    panel.bar.choose_range("30d")
    assert panel.settings()["filter"]["range"] == "30d"
    assert panel.bar.filter_from({"range": "30d"}).end_ms == NOW // DAY_MS * DAY_MS + DAY_MS
    assert panel.bar.filter_from({"from": "soon"}) is None
    assert panel.bar.filter_from({"range": "all", "side": "up", "type": 3}) == HistoryFilter()


def test_the_light_theme_restyles_the_panel(qtbot, hand, open_panel) -> None:
    panel = open_panel(_store(hand))
    try:
        theme.use("light")
        panel.refresh()
        assert panel.palette is theme.LIGHT and theme.LIGHT.bid in panel.styleSheet()
        colour = panel.by_market.data(panel.by_market.index(1, 9), Qt.ItemDataRole.ForegroundRole)
        assert colour.name() == theme.LIGHT.bid  # SOL's net, a gain
    finally:
        theme.use("dark")
        panel.refresh()
    assert panel.palette is theme.DARK


def test_the_statistics_take_fewer_tiles_a_row_when_narrow(qtbot, hand, open_panel) -> None:
    summary = open_panel(_store(hand)).summary
    stats = StatisticsGrid()
    qtbot.addWidget(stats)
    stats.show_summary(summary)
    stats.show()
    stats.resize(1_000, 200)
    assert stats.columns == 4
    stats.resize(stats.minimumSizeHint().width(), 300)
    stats.grid.activate()
    assert stats.columns == 2
    for label in stats.values.values():  # nothing clipped: each figure has its room
        assert label.width() >= label.sizeHint().width()
    stats.resize(1_000, 200)
    assert stats.columns == 4


def test_a_growing_cache_is_read_again_at_a_measured_pace(qtbot, many, open_panel) -> None:
    store = _store(many)
    panel = open_panel(store)
    panel.reread_every_ms = 1_500
    panel.tabs.setCurrentIndex(1)  # Fills
    panel.fills.page_size = 40
    _filtered(qtbot, panel, HistoryFilter())
    read_at = time.monotonic()
    qtbot.waitUntil(lambda: panel.fills.rowCount() == 40, timeout=WAIT_MS)
    panel.fills_view.scrollToBottom()
    qtbot.waitUntil(lambda: panel.fills.rowCount() == 80, timeout=WAIT_MS)
    total = panel.summary.totals.fills

    write(many, fills=[fill(100_001, NOW - 60_000, "5", "0.5", "ETH-PERP", order_id=None)])
    store.review.mark_changed()  # a sync wrote a fill, soon after the last read
    panel.refresh()
    if time.monotonic() - read_at < 1.0:  # (a slow machine may have taken its time)
        assert not panel.work.busy("summary")  # not at once: when 1.5 s have passed
    with qtbot.waitSignal(panel.summary_shown, timeout=WAIT_MS) as shown:
        pass
    assert shown.args[0].totals.fills == total + 1
    qtbot.waitUntil(lambda: panel.tabs.tabText(1) == f"Fills ({total + 1:,})", timeout=WAIT_MS)
    assert panel.fills.rowCount() == 80  # scrolled down: its rows stay, nothing jumps
    assert panel.fills.rows[0][0] != 100_001


def test_the_review_state_says_when_the_cache_was_synced(hand) -> None:
    review = MarketStore().review
    assert review.banner_text() is None  # online: no banner
    with hand.engine.connect() as connection:
        synced = queries.last_synced(connection)
    review.use(hand, synced_at_ms=synced)
    assert (review.database, review.synced_at_ms) == (hand, synced)
    review.set_offline(True)
    version, rows = review.version, review.rows_version
    review.set_offline(True)
    assert review.version == version  # no change, no move
    review.mark_synced(T0 + 59_000)
    assert review.version > version and review.rows_version > rows
    assert review.banner_text() == (
        "Offline: no backend is reachable. Showing the local cache, last synced "
        "2026-09-21 00:00 UTC."
    )
