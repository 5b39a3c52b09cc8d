"""The chart panel over a real store: what it draws, follows, emits and saves."""

from __future__ import annotations

import numpy as np
import pytest

from backend.domain.fixed_point import PRICE_PRECISION, format_fixed
from quantdesk_desktop import indicators, theme
from quantdesk_desktop.panels.chart.candle_item import CHUNK
from quantdesk_desktop.panels.chart.panel import MAX_VISIBLE, ChartPanel
from quantdesk_desktop.qt import Qt, QtCore, QtGui
from quantdesk_desktop.state.store import MarketStore

MARKET = "SOL-PERP"
START_MS = 1_700_000_000_000
MINUTE_MS = 60_000


def candle_arrays(count: int) -> tuple[np.ndarray, np.ndarray]:
    """One-minute candles: a random walk near 150, each with its own volume."""
    rng = np.random.default_rng(11)
    times = START_MS + np.arange(count, dtype=np.int64) * MINUTE_MS
    close = 150.0 + np.cumsum(rng.normal(0.0, 0.05, count))
    opens = np.concatenate(([150.0], close[:-1]))
    high = np.maximum(opens, close) + 0.02
    low = np.minimum(opens, close) - 0.02
    volume = 1.0 + np.arange(count) % 100
    return times, np.column_stack((opens, high, low, close, volume))


@pytest.fixture
def store() -> MarketStore:
    store = MarketStore()
    store.board.load_specs([{"symbol": MARKET, "tick_size": "0.001"}])
    return store


def make_panel(qtbot, store: MarketStore, count: int = 500, market: str = MARKET) -> ChartPanel:
    if count:
        store.candle_series(market, "1m").load_arrays(*candle_arrays(count))
    panel = ChartPanel(store, market)
    qtbot.addWidget(panel)
    panel.resize(1000, 600)
    panel.show()
    qtbot.waitExposed(panel)
    panel.refresh()
    return panel


def x_range(panel: ChartPanel) -> tuple[float, float]:
    return tuple(panel.panes["price"].getViewBox().viewRange()[0])


def in_view(panel: ChartPanel) -> slice:
    left, right = x_range(panel)
    return panel.series.visible(int(left * 1000), int(right * 1000))


def pixel(panel: ChartPanel, pane: str, x: float, y: float) -> QtCore.QPoint:
    """Where a point of ``pane``'s data is on the pane's viewport."""
    plot = panel.panes[pane]
    scene = plot.getViewBox().mapViewToScene(QtCore.QPointF(x, y))
    return plot.mapFromScene(scene)


def colour_at(panel: ChartPanel, pane: str, x: float, y: float) -> str:
    image = panel.panes[pane].viewport().grab().toImage()
    return image.pixelColor(pixel(panel, pane, x, y)).name()


def candle_centre(panel: ChartPanel, index: int) -> float:
    return (panel.series.times[index] + MINUTE_MS / 2) / 1000.0


def live(store: MarketStore, start_ms: int, o: float, h: float, low: float, c: float) -> None:
    store.candle_series(MARKET, "1m").update(
        {"start_ms": start_ms, "open": o, "high": h, "low": low, "close": c, "volume": 7}
    )


def test_a_zoomed_in_view_of_a_million_candles_paints_only_the_visible_ones(qtbot, store) -> None:
    panel = make_panel(qtbot, store, count=1_000_000)
    panel.grab()
    shown = in_view(panel)
    assert 100 <= shown.stop - shown.start <= 200
    assert shown.stop == 1_000_000
    first, stop = panel.candles.painted_range
    assert first <= shown.start and stop == shown.stop
    assert panel.candles.painted_candles <= shown.stop - shown.start + 2 * CHUNK
    assert panel.candles.painted_group == 1 and panel.candles.painted_bodies

    middle = panel.series.times[500_000] / 1000.0
    panel.panes["price"].setXRange(middle, middle + 300 * 60, padding=0)
    panel.grab()
    first, stop = panel.candles.painted_range
    assert 500_000 - CHUNK <= first <= 500_000 and 500_300 <= stop <= 500_300 + CHUNK
    assert panel.volume.painted_range == panel.candles.painted_range


def test_zoomed_far_out_candles_merge_into_fewer_bars(qtbot, store) -> None:
    panel = make_panel(qtbot, store, count=100_000)
    left = panel.series.times[10_000] / 1000.0
    panel.panes["price"].setXRange(left, left + MAX_VISIBLE * 60, padding=0)
    panel.grab()
    assert panel.candles.painted_candles >= MAX_VISIBLE
    assert panel.candles.painted_group >= 16 and not panel.candles.painted_bodies


def test_a_live_update_redraws_the_last_candle(qtbot, store) -> None:
    panel = make_panel(qtbot, store, count=200)
    start = int(panel.series.times[-1])
    palette = theme.current()
    middle = candle_centre(panel, 199)

    live(store, start, 150.0, 151.2, 149.9, 151.0)
    panel.refresh()
    assert colour_at(panel, "price", middle, 150.5) == palette.bid
    live(store, start, 150.0, 151.2, 149.0, 149.1)
    panel.refresh()
    assert colour_at(panel, "price", middle, 149.5) == palette.ask
    assert "C 149.1" in panel.readout.text()
    bottom, top = panel.panes["price"].getViewBox().viewRange()[1]
    assert bottom < 149.0 and top > 151.2


def test_a_new_candle_keeps_the_view_at_the_right_edge(qtbot, store) -> None:
    panel = make_panel(qtbot, store, count=300)
    before = x_range(panel)
    live(store, int(panel.series.times[-1]) + MINUTE_MS, 150, 150.1, 149.9, 150.05)
    panel.refresh()
    after = x_range(panel)
    assert after[0] == pytest.approx(before[0] + 60) and after[1] == pytest.approx(before[1] + 60)
    assert in_view(panel).stop == 301


def test_a_view_panned_away_from_the_newest_candle_stays(qtbot, store) -> None:
    panel = make_panel(qtbot, store, count=300)
    left = panel.series.times[50] / 1000.0
    panel.panes["price"].setXRange(left, left + 100 * 60, padding=0)
    before = x_range(panel)
    live(store, int(panel.series.times[-1]) + MINUTE_MS, 150, 150.1, 149.9, 150.05)
    panel.refresh()
    assert x_range(panel) == pytest.approx(before)


def test_the_y_range_fits_the_visible_candles_only(qtbot, store) -> None:
    panel = make_panel(qtbot, store, count=2_000)
    left = panel.series.times[700] / 1000.0
    panel.panes["price"].setXRange(left, left + 150 * 60, padding=0)
    rows = panel.series.ohlcv[in_view(panel)]
    low, high = rows[:, 2].min(), rows[:, 1].max()
    bottom, top = panel.panes["price"].getViewBox().viewRange()[1]
    room = (high - low) * 0.1
    assert low - room <= bottom < low and high < top <= high + room


def test_switching_interval_follows_the_new_candles_and_drops_the_old(qtbot, store) -> None:
    panel = make_panel(qtbot, store)
    assert store.wanted == {("candles", MARKET, "1m"): 1}
    panel.interval_box.setCurrentText("5m")
    assert store.wanted == {("candles", MARKET, "5m"): 1}
    assert panel.series is store.candle_series(MARKET, "5m")
    assert panel.interval == "5m"
    panel.set_market("BTC-PERP")
    assert store.wanted == {("candles", "BTC-PERP", "5m"): 1}
    panel.close_panel()
    assert store.wanted == {}


def working_order(order_id: int, price: str | None, **fields: str | None) -> dict:
    row = {
        "order_id": order_id,
        "client_order_id": f"c{order_id}",
        "market": MARKET,
        "side": "buy",
        "type": "limit",
        "status": "open",
        "price": price,
        "trigger_price": None,
        "size": "2.5",
        "filled": "0.5",
    }
    row.update(fields)
    return row


def test_dragging_an_order_line_asks_to_move_the_order_on_the_tick(qtbot, store) -> None:
    panel = make_panel(qtbot, store)
    rows = panel.series.ohlcv[in_view(panel)]
    level = round(float(rows[:, 2].min() + rows[:, 1].max()) / 2, 3)
    store.orders.load([working_order(7, f"{level:.3f}")])
    panel.refresh()
    line = panel.order_lines[7]
    assert line.value() == pytest.approx(level)
    assert line.label.format == f"BUY 2 @ {format_fixed(round(level * 1e6), PRICE_PRECISION)}"

    viewport = panel.panes["price"].viewport()
    x = candle_centre(panel, 450)
    grab = pixel(panel, "price", x, level)
    drop = grab + QtCore.QPoint(0, 40)
    with qtbot.waitSignal(panel.modify_order) as emitted:
        qtbot.mousePress(viewport, Qt.MouseButton.LeftButton, pos=grab)
        for step in range(1, 9):
            qtbot.mouseMove(viewport, grab + QtCore.QPoint(0, 5 * step))
        qtbot.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=drop)
    order_id, units = emitted.args
    assert order_id == 7 and isinstance(units, int)
    assert units % 1_000 == 0
    dropped_at = (
        panel.panes["price"].getViewBox().mapSceneToView(panel.panes["price"].mapToScene(drop))
    )
    assert units < level * PRICE_PRECISION
    assert units == pytest.approx(dropped_at.y() * PRICE_PRECISION, abs=2 * pixel_height(panel))
    assert line.value() == units / PRICE_PRECISION


def pixel_height(panel: ChartPanel) -> float:
    """One pixel of the price pane, in price units."""
    bottom, top = panel.panes["price"].getViewBox().viewRange()[1]
    return (top - bottom) / panel.panes["price"].viewport().height() * PRICE_PRECISION


def test_a_dropped_order_line_snaps_to_the_tick(qtbot, store) -> None:
    panel = make_panel(qtbot, store)
    store.orders.load([working_order(7, "150.000")])
    panel.refresh()
    line = panel.order_lines[7]
    with qtbot.waitSignal(panel.modify_order) as emitted:
        line.setValue(150.23456)
        line.sigPositionChangeFinished.emit(line)
    assert emitted.args == [7, 150_235_000]


def test_without_a_market_spec_the_dropped_price_is_not_snapped(qtbot, store) -> None:
    panel = make_panel(qtbot, store, market="ETH-PERP")
    store.orders.load([working_order(7, "150.000", market="ETH-PERP")])
    panel.refresh()
    line = panel.order_lines[7]
    with qtbot.waitSignal(panel.modify_order) as emitted:
        line.setValue(150.23456)
        line.sigPositionChangeFinished.emit(line)
    assert emitted.args == [7, 150_234_560]


def test_a_line_dropped_back_on_its_price_asks_nothing(qtbot, store) -> None:
    panel = make_panel(qtbot, store)
    store.orders.load([working_order(7, "150.000")])
    panel.refresh()
    line = panel.order_lines[7]
    with qtbot.assertNotEmitted(panel.modify_order):
        line.setValue(150.0002)
        line.sigPositionChangeFinished.emit(line)
    assert line.value() == 150.0


def test_a_waiting_stop_shows_at_its_trigger_and_cannot_be_dragged(qtbot, store) -> None:
    panel = make_panel(qtbot, store)
    stop = working_order(8, None, type="stop_market", status="pending", trigger_price="140.5")
    store.orders.load([stop, working_order(7, "150")])
    panel.refresh()
    assert panel.order_lines[8].value() == 140.5
    assert not panel.order_lines[8].movable
    assert panel.order_lines[7].movable
    store.orders.load([stop])
    panel.refresh()
    assert set(panel.order_lines) == {8}
    triggered = working_order(8, "140.4", type="stop_limit", trigger_price="140.5")
    store.orders.load([triggered])
    panel.refresh()
    assert panel.order_lines[8].movable and panel.order_lines[8].value() == 140.4


def test_the_crosshair_readout_shows_the_candle_under_the_mouse(qtbot, store) -> None:
    panel = make_panel(qtbot, store)
    index = 460
    o, h, low, c, v = panel.series.ohlcv[index]
    where = pixel(panel, "price", candle_centre(panel, index), (h + low) / 2)
    qtbot.mouseMove(panel.panes["price"].viewport(), where)
    assert panel.hovered_index == index
    text = panel.readout.text()
    for name, value in (("O", o), ("H", h), ("L", low), ("C", c)):
        assert f" {name} {format_fixed(round(value * 1e6), PRICE_PRECISION)} " in text
    assert text.endswith(f"V {460 % 100 + 1}") and v == 61
    assert "2023-11-15 " in text


def test_price_position_and_fill_markers_come_from_the_store(qtbot, store) -> None:
    panel = make_panel(qtbot, store)
    store.board.apply_prices(
        {"market": MARKET, "type": "price", "mark": "150.5", "oracle": "150.4"}
    )
    store.positions.apply_positions(
        {
            "positions": [
                {
                    "market": MARKET,
                    "size": "2",
                    "entry_price": "149.9",
                    "liquidation_price": "120.25",
                }
            ]
        }
    )
    for trade_id, side in ((1, "buy"), (2, "sell")):
        store.positions.apply_fill(
            {
                "market": MARKET,
                "fill": {
                    "trade_id": trade_id,
                    "order_id": 7,
                    "side": side,
                    "price": f"15{trade_id}.5",
                    "size": "1",
                    "role": "maker",
                    "time_ms": START_MS + trade_id * MINUTE_MS,
                },
            }
        )
    panel.refresh()
    assert (panel.mark_line.value(), panel.oracle_line.value()) == (150.5, 150.4)
    assert panel.mark_line.label.format == "Mark 150.5"
    assert panel.entry_line.value() == 149.9 and panel.liquidation_line.value() == 120.25
    assert panel.liquidation_line.isVisible()
    x, y = panel.fills.getData()
    assert list(x) == [START_MS / 1000 + 60, START_MS / 1000 + 120]
    assert list(y) == [151.5, 152.5]
    brushes = [spot.brush().color().name() for spot in panel.fills.points()]
    assert brushes == [theme.current().bid, theme.current().ask]

    store.positions.apply_positions({"positions": []})
    panel.refresh()
    assert not panel.entry_line.isVisible()


def test_indicator_toggles_add_lines_and_their_own_panes(qtbot, store) -> None:
    panel = make_panel(qtbot, store, count=3_000)
    assert panel.panes["rsi"].isHidden() and panel.panes["macd"].isHidden()
    qtbot.mouseClick(panel.study_buttons["rsi"], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(panel.study_buttons["macd"], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(panel.study_buttons["sma"], Qt.MouseButton.LeftButton)
    assert not panel.panes["rsi"].isHidden() and not panel.panes["macd"].isHidden()
    assert panel.active_studies == ["sma", "rsi", "macd"]

    # The RSI drawn over the visible window equals the RSI of the whole history.
    whole = indicators.rsi(panel.series.column("close"), 14)
    x, y = panel.study_curves["rsi"][0].getData()
    first = int(np.searchsorted(panel.series.times, x[0] * 1000 - MINUTE_MS / 2))
    np.testing.assert_allclose(y, whole[first : first + len(y)], atol=1e-6)
    assert first + len(y) == 3_000

    qtbot.mouseClick(panel.study_buttons["rsi"], Qt.MouseButton.LeftButton)
    assert panel.panes["rsi"].isHidden()
    assert panel.active_studies == ["sma", "macd"]


def test_settings_round_trip_and_bad_values_are_ignored(qtbot, store) -> None:
    panel = make_panel(qtbot, store)
    panel.set_interval("15m")
    panel.set_study("macd", True)
    panel.set_study("ema", True)
    saved = panel.settings()
    assert saved == {"interval": "15m", "indicators": ["ema", "macd"]}

    other = make_panel(qtbot, store, count=0)
    other.restore(saved)
    assert other.settings() == saved
    assert other.interval_box.currentText() == "15m"
    assert other.study_buttons["macd"].isChecked() and not other.panes["macd"].isHidden()

    other.restore({"interval": "7m", "indicators": ["bogus", 3, "rsi"]})
    assert other.settings() == {"interval": "15m", "indicators": ["rsi"]}
    other.restore({"indicators": "rsi,macd"})
    assert other.settings() == {"interval": "15m", "indicators": ["rsi"]}


def test_an_empty_series_draws_nothing_and_says_so(qtbot, store) -> None:
    panel = make_panel(qtbot, store, count=0)
    panel.grab()
    assert panel.candles.painted_candles == 0
    assert panel.readout.text() == f"{MARKET} 1m"
    live(store, START_MS, 150.5, 150.5, 150.5, 150.5)  # one trade: a flat candle
    panel.refresh()
    panel.grab()
    assert panel.candles.painted_candles == 1
    assert panel.readout.text().endswith("C 150.5  V 7")


def test_the_theme_colours_the_chart(qtbot, store) -> None:
    panel = make_panel(qtbot, store)
    image: QtGui.QImage = panel.panes["price"].viewport().grab().toImage()
    assert image.pixelColor(2, 2).name() == theme.current().background


def test_the_line_of_an_order_gone_serves_the_next_order(qtbot, store) -> None:
    panel = make_panel(qtbot, store)
    store.orders.load([working_order(7, "150.000")])
    panel.refresh()
    line = panel.order_lines[7]
    store.orders.load([])  # cancelled: its line hides
    panel.refresh()
    assert 7 not in panel.order_lines and not line.isVisible()
    store.orders.load([working_order(9, "151.000")])
    panel.refresh()
    assert panel.order_lines[9] is line and line.isVisible() and line.value() == 151.0
    assert line.label.format == "BUY 2 @ 151"
    with qtbot.waitSignal(panel.modify_order) as emitted:  # a drag now moves order 9
        line.setValue(151.5)
        line.sigPositionChangeFinished.emit(line)
    assert emitted.args == [9, 151_500_000]
