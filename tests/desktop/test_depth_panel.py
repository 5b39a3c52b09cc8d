"""The Depth panel over a real store: rows, clicks as intents, repaint only on change,
tick-to-screen, grouping, scrolling, settings and followed topics."""

from __future__ import annotations

import time

import pytest

from backend.domain.fixed_point import parse_base, parse_price
from quantdesk_desktop.panels.depth.ladder_model import GROUPINGS
from quantdesk_desktop.panels.depth.panel import DepthPanel
from quantdesk_desktop.qt import Qt, QtCore, QtGui, QtWidgets
from quantdesk_desktop.state.store import MarketStore

MARKET = "SOL-PERP"


def snapshot(bids: list[list[str]], asks: list[list[str]], seq: int = 41) -> dict:
    return {
        "channel": "book",
        "market": MARKET,
        "type": "snapshot",
        "seq": seq,
        "bids": bids,
        "asks": asks,
    }


def own_order(order_id: int, side: str, price: str, size: str = "1") -> dict:
    return {
        "order_id": order_id,
        "client_order_id": f"c{order_id}",
        "market": MARKET,
        "side": side,
        "type": "limit",
        "status": "open",
        "price": price,
        "trigger_price": None,
        "size": size,
        "filled": "0",
    }


@pytest.fixture
def store() -> MarketStore:
    store = MarketStore()
    store.board.load_specs(
        [
            {"symbol": MARKET, "tick_size": "0.001", "lot_size": "0.01", "min_size": "0.01"},
            {"symbol": "BTC-PERP", "tick_size": "0.1", "lot_size": "0.0001", "min_size": "0.001"},
        ]
    )
    store.book(MARKET).apply(
        snapshot(
            bids=[["149.999", "0.5"], ["149.998", "1.2"], ["149.995", "2"]],
            asks=[["150.001", "0.7"], ["150.003", "1.5"]],
        ),
        received_at=time.perf_counter(),
    )
    return store


@pytest.fixture
def panel(qtbot, store: MarketStore) -> DepthPanel:
    panel = DepthPanel(store, MARKET)
    qtbot.addWidget(panel)
    panel.resize(360, 700)
    panel.show()
    qtbot.waitExposed(panel)
    panel.refresh()
    return panel


def row_index(panel: DepthPanel, price: str) -> int:
    prices = [row.price for row in panel.ladder.rows]
    return prices.index(parse_price(price))


def click(qtbot, panel: DepthPanel, price: str, column: str) -> None:
    rect = panel.ladder.cell_rect(row_index(panel, price), column)
    assert panel.ladder.row_at(rect.center().y()) == row_index(panel, price)
    assert panel.ladder.column_at(rect.center().x()) == column
    qtbot.mouseClick(panel.ladder, Qt.MouseButton.LeftButton, pos=rect.center())


def test_rows_show_the_book_and_follow_its_deltas(panel: DepthPanel, store: MarketStore) -> None:
    rows = {row.price: row for row in panel.ladder.rows}
    assert rows[parse_price("149.999")].bid_size == parse_base("0.5")
    assert rows[parse_price("149.998")].bid_cum == parse_base("1.7")
    assert rows[parse_price("150.003")].ask_size == parse_base("1.5")
    assert rows[parse_price("150.000")].in_spread
    assert panel.spread_label.text() == "Spread 0.002"
    assert panel.mid_label.text() == "Mid 150.000"

    store.book(MARKET).apply(
        {
            "channel": "book",
            "market": MARKET,
            "type": "delta",
            "prev_seq": 41,
            "seq": 43,
            "bids": [["149.999", "0"]],
            "asks": [["150.002", "0.4"]],
        },
        received_at=time.perf_counter(),
    )
    panel.refresh()

    rows = {row.price: row for row in panel.ladder.rows}
    assert rows[parse_price("149.999")].bid_size == 0
    assert rows[parse_price("149.998")].best_bid
    assert rows[parse_price("150.002")].ask_size == parse_base("0.4")
    assert rows[parse_price("150.003")].ask_cum == parse_base("2.6")
    assert panel.spread_label.text() == "Spread 0.003"


def test_clicking_a_bid_cell_places_a_buy_limit_at_the_row_price(qtbot, panel) -> None:
    with qtbot.waitSignal(panel.place_limit, timeout=1000) as blocker:
        click(qtbot, panel, "149.998", "bid")
    # Default size: ten times the market's minimum (0.01).
    assert blocker.args == [MARKET, "buy", parse_price("149.998"), parse_base("0.1")]
    assert all(type(value) is int for value in blocker.args[2:])


def test_clicking_an_ask_cell_sells_the_size_typed_in_the_header(qtbot, panel) -> None:
    editor = panel.size_box.lineEdit()
    editor.selectAll()
    qtbot.keyClicks(editor, "2.5")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    assert panel.size_units() == parse_base("2.5")

    with qtbot.waitSignal(panel.place_limit, timeout=1000) as blocker:
        click(qtbot, panel, "150.004", "ask")
    assert blocker.args == [MARKET, "sell", parse_price("150.004"), parse_base("2.5")]


def test_clicking_an_own_order_cell_cancels_every_order_there(qtbot, panel, store) -> None:
    store.orders.load(
        [
            own_order(7, "buy", "149.998"),
            own_order(8, "buy", "149.998", size="0.3"),
            own_order(9, "sell", "150.003"),
        ]
    )
    panel.refresh()
    row = panel.ladder.rows[row_index(panel, "149.998")]
    assert row.own_bid == parse_base("1.3")

    cancelled: list[int] = []
    panel.cancel_order.connect(cancelled.append)
    with qtbot.waitSignal(panel.cancel_order, timeout=1000):
        click(qtbot, panel, "149.998", "own_bid")
    assert cancelled == [7, 8]

    with qtbot.waitSignal(panel.cancel_order, timeout=1000) as blocker:
        click(qtbot, panel, "150.003", "own_ask")
    assert blocker.args == [9]

    with qtbot.assertNotEmitted(panel.cancel_order), qtbot.assertNotEmitted(panel.place_limit):
        click(qtbot, panel, "149.997", "own_bid")
        click(qtbot, panel, "149.997", "price")


def test_refresh_repaints_only_when_the_book_or_own_orders_moved(panel, store, qtbot) -> None:
    # a repaint is synchronous while the window is exposed; when X has it briefly unexposed
    # it lands with the next events, so each step waits for it and then checks for extras
    qtbot.wait(0)
    painted = panel.ladder.paint_count
    panel.refresh()
    panel.refresh()
    qtbot.wait(0)
    assert panel.ladder.paint_count == painted

    store.book(MARKET).apply(
        {"type": "delta", "prev_seq": 41, "seq": 42, "bids": [["149.990", "1"]], "asks": []},
        received_at=time.perf_counter(),
    )
    panel.refresh()
    panel.refresh()
    qtbot.waitUntil(lambda: panel.ladder.paint_count >= painted + 1)
    qtbot.wait(0)
    assert panel.ladder.paint_count == painted + 1

    store.orders.load([own_order(7, "buy", "149.990")])
    panel.refresh()
    qtbot.waitUntil(lambda: panel.ladder.paint_count >= painted + 2)
    qtbot.wait(0)
    assert panel.ladder.paint_count == painted + 2


def test_each_new_book_version_painted_reports_its_tick_to_screen_time(panel, store, qtbot) -> None:
    reports: list[tuple[float, float]] = []
    panel.on_painted = lambda received, painted: reports.append((received, painted))
    received_at = time.perf_counter()
    store.book(MARKET).apply(
        {"type": "delta", "prev_seq": 41, "seq": 42, "bids": [["149.990", "1"]], "asks": []},
        received_at=received_at,
    )
    panel.refresh()
    qtbot.waitUntil(lambda: bool(reports))  # at once while exposed (see the test above)

    assert len(reports) == 1
    assert reports[0][0] == received_at
    assert reports[0][1] >= received_at
    assert panel.last_tick_to_screen_ms == pytest.approx((reports[0][1] - received_at) * 1000)

    store.orders.load([own_order(7, "buy", "149.990")])
    panel.refresh()
    qtbot.wait(0)
    assert len(reports) == 1  # the same book version again: nothing new reached the screen


def test_grouping_merges_levels_into_coarser_rows(panel, store) -> None:
    store.book(MARKET).apply(
        snapshot(
            bids=[["149.925", "0.5"], ["149.924", "1.5"], ["149.900", "2"]],
            asks=[["150.075", "0.5"], ["150.076", "1"], ["150.100", "3"]],
            seq=50,
        ),
        received_at=time.perf_counter(),
    )
    panel.refresh()
    # 150 ticks of spread: at one tick a row, the touch is off the ladder.
    assert all(row.bid_size == row.ask_size == 0 for row in panel.ladder.rows)

    panel.grouping_box.setCurrentIndex(GROUPINGS.index(25))
    rows = {row.price: row for row in panel.ladder.rows}
    assert panel.grouping_box.currentText() == "0.025"
    assert rows[parse_price("149.925")].bid_size == parse_base("0.5")
    assert rows[parse_price("149.900")].bid_size == parse_base("3.5")
    assert rows[parse_price("150.075")].ask_size == parse_base("0.5")
    assert rows[parse_price("150.100")].ask_size == parse_base("4")
    assert rows[parse_price("150.000")].in_spread


def test_the_wheel_scrolls_prices_until_centre_is_pressed(qtbot, panel) -> None:
    ladder = panel.ladder
    top = ladder.rows[0].price
    position = QtCore.QPointF(ladder.width() / 2, ladder.height() / 2)
    wheel = QtGui.QWheelEvent(
        position,
        ladder.mapToGlobal(position),
        QtCore.QPoint(0, 0),
        QtCore.QPoint(0, 120),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QtWidgets.QApplication.sendEvent(ladder, wheel)
    lines = QtWidgets.QApplication.wheelScrollLines()
    assert ladder.rows[0].price == top + lines * parse_price("0.001")
    assert not panel.model.auto_centre

    qtbot.mouseClick(panel.centre_button, Qt.MouseButton.LeftButton)
    assert ladder.rows[0].price == top
    assert panel.model.auto_centre


def test_settings_round_trip_and_bad_values_are_ignored(qtbot, panel, store) -> None:
    panel.restore({"grouping": 10, "size": "2.5"})
    assert panel.settings() == {"grouping": 10, "size": "2.5"}

    other = DepthPanel(store, MARKET)
    qtbot.addWidget(other)
    other.restore(panel.settings())
    assert other.settings() == {"grouping": 10, "size": "2.5"}

    for bad in (
        {"grouping": 3},
        {"grouping": "10"},
        {"size": "0.005"},
        {"size": "abc"},
        {"size": "-1"},
        {"size": 2.5},
        {},
    ):
        other.restore(bad)
        assert other.settings() == {"grouping": 10, "size": "2.5"}


def test_the_panel_follows_the_book_of_the_market_it_shows(qtbot, store) -> None:
    panel = DepthPanel(store, MARKET)
    qtbot.addWidget(panel)
    assert store.wanted == {("book", MARKET, None): 1}

    panel.set_market("BTC-PERP")
    assert store.wanted == {("book", "BTC-PERP", None): 1}
    assert panel.market_label.text() == "BTC-PERP"
    assert panel.settings()["size"] == "0.01"  # BTC's minimum 0.001 times ten
    assert panel.grouping_box.itemText(0) == "0.1"

    panel.close_panel()
    assert store.wanted == {}


def test_a_wide_spread_picks_a_grouping_that_shows_both_sides(qtbot) -> None:
    store = MarketStore()
    store.board.load_specs(
        [{"symbol": MARKET, "tick_size": "0.001", "lot_size": "0.01", "min_size": "0.01"}]
    )
    store.book(MARKET).apply(
        snapshot(bids=[["149.925", "5"], ["149.85", "9"]], asks=[["150.075", "4"]]),
        received_at=time.perf_counter(),
    )  # 150 ticks of spread: rows of one tick would all sit inside it
    panel = DepthPanel(store, MARKET)
    qtbot.addWidget(panel)
    panel.resize(360, 700)
    panel.show()
    qtbot.waitExposed(panel)
    panel.refresh()
    assert panel.model.grouping > 1
    sizes = {(row.bid_size, row.ask_size) for row in panel.ladder.rows}
    assert (parse_base("5"), 0) in sizes and (0, parse_base("4")) in sizes
    assert panel.settings()["grouping"] == panel.model.grouping
