"""The watchlist and the tape: table models over the store that signal only what changed,
filters, colours and choosing a market."""

from __future__ import annotations

import time

from quantdesk_desktop import theme
from quantdesk_desktop.panels.tape import MAX_ROWS, TapePanel
from quantdesk_desktop.panels.watchlist import COLUMNS, WatchlistPanel
from quantdesk_desktop.qt import Qt, QtCore
from quantdesk_desktop.state.store import MarketStore

SPECS = [{"symbol": s, "tick_size": "0.001"} for s in ("BTC-PERP", "SOL-PERP")]


def _ticker(market: str, change: str) -> dict:
    return {
        "market": market,
        "change_24h": change,
        "volume_24h": "12.5",
        "open_interest": "40",
        "funding_rate_estimate": "0.0001",
        "next_funding_ms": int(time.time() * 1000) + 3_600_000,
    }


def _text(panel: WatchlistPanel, row: int, title: str) -> str:
    column = [c.title for c in COLUMNS].index(title)
    return panel.model.data(panel.model.index(row, column))


def test_the_watchlist_shows_each_market_and_signals_only_changed_cells(qtbot) -> None:
    store = MarketStore()
    store.board.load_specs(SPECS)
    panel = WatchlistPanel(store, "SOL-PERP")
    qtbot.addWidget(panel)
    store.board.apply_prices(
        {"market": "SOL-PERP", "type": "snapshot", "mark": "150.01", "oracle": "150",
         "source": "pyth", "status": "live"}
    )  # fmt: skip
    store.board.apply_ticker(_ticker("SOL-PERP", "0.0123"))
    panel.refresh()
    assert panel.model.rowCount() == 2
    assert _text(panel, 1, "Mark") == "150.01" and _text(panel, 1, "24h") == "+1.23%"
    assert _text(panel, 1, "Funding") == "+0.0100%"
    assert _text(panel, 1, "Next funding").startswith(("00:59", "01:00"))
    change = panel.model.index(1, [c.title for c in COLUMNS].index("24h"))
    colour = panel.model.data(change, Qt.ItemDataRole.ForegroundRole)
    assert colour.name() == theme.current().bid

    with qtbot.waitSignal(panel.model.dataChanged) as signal:
        store.board.apply_prices({"market": "SOL-PERP", "type": "price", "mark": "150.02"})
        panel.refresh()
    assert panel.model.changed_cells == 1  # only the mark moved
    assert signal.args[0].row() == signal.args[1].row() == 1

    store.board.apply_prices(
        {"market": "BTC-PERP", "type": "status", "status": "halted", "source": None,
         "reason": "no valid price"}
    )  # fmt: skip
    panel.refresh()
    assert _text(panel, 0, "Oracle").endswith("(halted)")


def test_a_longer_price_widens_its_column_at_once(qtbot) -> None:
    store = MarketStore()
    store.board.load_specs(SPECS)
    panel = WatchlistPanel(store, "SOL-PERP")
    qtbot.addWidget(panel)
    panel.resize(600, 300)
    store.board.apply_prices({"market": "BTC-PERP", "type": "price", "mark": "67000"})
    panel.refresh()
    mark = [c.title for c in COLUMNS].index("Mark")
    fitted = panel.view.columnWidth(mark)
    store.board.apply_prices({"market": "BTC-PERP", "type": "price", "mark": "66997.512"})
    panel.refresh()  # within the same second as the first fit
    assert panel.view.columnWidth(mark) > fitted
    text = _text(panel, 0, "Mark")
    assert panel.view.columnWidth(mark) >= panel.view.fontMetrics().horizontalAdvance(text)


def test_choosing_a_row_picks_the_market(qtbot) -> None:
    store = MarketStore()
    store.board.load_specs(SPECS)
    panel = WatchlistPanel(store, "SOL-PERP")
    qtbot.addWidget(panel)
    panel.show()
    panel.refresh()
    rect = panel.view.visualRect(panel.model.index(0, 0))
    with qtbot.waitSignal(panel.market_chosen) as chosen:
        qtbot.mouseClick(panel.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert chosen.args == ["BTC-PERP"] and panel.market == "BTC-PERP"


def _trades(first_id: int, count: int, size: str = "1") -> dict:
    return {
        "channel": "trades",
        "market": "SOL-PERP",
        "type": "trades",
        "trades": [
            {"id": first_id + i, "price": "150.5", "size": size, "side": "buy" if i % 2 else "sell",
             "time_ms": 1_790_000_000_000 + i}
            for i in range(count)
        ],
    }  # fmt: skip


def test_the_tape_puts_new_trades_on_top_and_filters_by_size(qtbot) -> None:
    store = MarketStore()
    panel = TapePanel(store, "SOL-PERP")
    qtbot.addWidget(panel)
    assert ("trades", "SOL-PERP", None) in store.wanted
    panel.refresh_every_s = 0.0  # every refresh takes what arrived
    tape = store.tape("SOL-PERP")
    tape.apply(_trades(1, 3))
    panel.refresh()
    assert [t.trade_id for t in panel.model.trades] == [3, 2, 1]
    with qtbot.waitSignal(panel.model.rowsInserted):
        tape.apply(_trades(10, 2, size="0.1"))
        panel.refresh()
    assert [t.trade_id for t in panel.model.trades][:2] == [11, 10]

    panel.filter_box.setText("0.5")
    panel.filter_box.editingFinished.emit()
    assert [t.trade_id for t in panel.model.trades] == [3, 2, 1]  # the small ones hidden
    assert panel.settings() == {"min_size": "0.5"}
    panel.filter_box.setText("not a size")
    panel.filter_box.editingFinished.emit()
    assert panel.min_size == 0 and panel.filter_box.text() == ""

    tape.apply(_trades(100, MAX_ROWS + 50))
    panel.refresh()
    assert panel.model.rowCount() == MAX_ROWS

    panel.set_market("BTC-PERP")
    assert ("trades", "BTC-PERP", None) in store.wanted
    assert ("trades", "SOL-PERP", None) not in store.wanted
    assert panel.model.rowCount() == 0


def test_the_tape_takes_new_trades_at_most_twenty_times_a_second(qtbot) -> None:
    store = MarketStore()
    panel = TapePanel(store, "SOL-PERP")
    qtbot.addWidget(panel)
    store.tape("SOL-PERP").apply(_trades(900, 1))
    panel.refresh()
    store.tape("SOL-PERP").apply(_trades(901, 1))
    panel.refresh()  # within the same twentieth of a second: waits for a later frame
    assert [t.trade_id for t in panel.model.trades] == [900]
    qtbot.waitUntil(lambda: (panel.refresh(), len(panel.model.trades) == 2)[1], timeout=1_000)
    assert [t.trade_id for t in panel.model.trades] == [901, 900]


def test_table_models_answer_nothing_for_invalid_indexes(qtbot) -> None:
    store = MarketStore()
    panel = TapePanel(store, "SOL-PERP")
    qtbot.addWidget(panel)
    assert panel.model.data(QtCore.QModelIndex()) is None
    assert panel.model.rowCount(panel.model.index(0, 0)) == 0
