"""The Blotter over a store filled from wire-shaped messages: working orders come and go
with their status and are edited in place, parents show progress, positions are closed
and reversed by order intents, and every table sorts, filters, copies and exports."""

from __future__ import annotations

import csv
import random
import time
from collections import deque
from pathlib import Path

import pytest

from quantdesk_desktop.client.outcomes import OrderRefusal
from quantdesk_desktop.panels.blotter import BlotterPanel, rows_model
from quantdesk_desktop.panels.blotter.rows_model import VALUE_ROLE, RowsModel, RowsProxy
from quantdesk_desktop.panels.blotter.table_tab import TableTab
from quantdesk_desktop.panels.table_columns import Column
from quantdesk_desktop.qt import QApplication, Qt, QtCore, QtWidgets
from quantdesk_desktop.state.positions import PositionsState
from quantdesk_desktop.state.store import MarketStore

SPECS = [
    {"symbol": "BTC-PERP", "tick_size": "0.1", "lot_size": "0.0001"},
    {"symbol": "SOL-PERP", "tick_size": "0.001", "lot_size": "0.01"},
]
T0 = 1_790_000_000_000


def _order(order_id: int, **fields) -> dict:
    """An `OrderOut` as the `orders` channel sends it."""
    row = {
        "order_id": order_id,
        "client_order_id": f"tkt-{order_id}",
        "market": "SOL-PERP",
        "side": "buy",
        "type": "limit",
        "status": "open",
        "size": "1.5",
        "filled": "0",
        "average_price": None,
        "fees_paid": "0",
        "price": "150.25",
        "trigger_price": None,
        "time_in_force": "gtc",
        "post_only": False,
        "reduce_only": False,
        "parent_id": None,
        "created_at_ms": T0 + order_id,
        "reject_reason": None,
    }
    return row | fields


def _fill(trade_id: int, market: str = "SOL-PERP", price: str = "150", **fields) -> dict:
    fill = {"trade_id": trade_id, "order_id": 7, "side": "buy", "price": price, "size": "0.5",
            "role": "taker", "fee": "0.0375", "time_ms": T0 + trade_id} | fields  # fmt: skip
    return {"channel": "fills", "market": market, "type": "fill", "fill": fill}


def _positions(*rows: dict) -> dict:
    return {"channel": "positions", "type": "snapshot", "positions": list(rows)}


def _position(market: str, size: str, mark: str = "151", pnl: str = "2.5") -> dict:
    return {"market": market, "size": size, "entry_price": "150", "mark_price": mark,
            "unrealised_pnl": pnl, "liquidation_price": "120"}  # fmt: skip


def feed(store: MarketStore, message: dict) -> None:
    """Apply a private channel message as the client layer does."""
    channel = message["channel"]
    if channel == "orders":
        store.orders.apply(message)
        store.history.apply(message)
    elif channel == "fills":
        store.positions.apply_fill(message)
    elif channel == "positions":
        store.positions.apply_positions(message)


def update(order_id: int, **fields) -> dict:
    return {"channel": "orders", "type": "update", "order": _order(order_id, **fields)}


@pytest.fixture
def store() -> MarketStore:
    store = MarketStore()
    store.board.load_specs(SPECS)
    return store


@pytest.fixture
def panel(qtbot, store: MarketStore) -> BlotterPanel:
    panel = BlotterPanel(store, "SOL-PERP")
    qtbot.addWidget(panel)
    panel.resize(1000, 400)
    panel.positions.confirm_actions = False
    return panel


def texts(tab: TableTab, title: str) -> list[str]:
    """A column's texts as the table shows them (filtered, sorted)."""
    column = [c.title for c in tab.model.columns].index(title)
    return [tab.model.text(row, column) for row in tab.visible_rows()]


def cell(tab: TableTab, row: int, title: str):
    """The model index of a cell as the view shows it (for editing and selecting)."""
    column = [c.title for c in tab.model.columns].index(title)
    return tab.proxy.index(row, column)


def test_working_orders_appear_change_and_leave_with_their_status(panel, store) -> None:
    feed(store, update(1))
    feed(store, update(2, market="BTC-PERP", side="sell", price="67000.5", size="0.25"))
    feed(store, update(3, type="stop_market", status="pending", price=None, trigger_price="140"))
    panel.refresh()
    tab = panel.open_orders
    assert texts(tab, "Client id") == ["tkt-3", "tkt-2", "tkt-1"]  # newest on top
    assert texts(tab, "Price") == ["—", "67000.5", "150.25"]
    assert texts(tab, "Trigger") == ["140", "—", "—"]
    assert texts(tab, "Type")[0] == "stop market" and texts(tab, "Status")[0] == "pending"
    assert texts(tab, "Time")[2] == time.strftime(
        "%Y-%m-%d %H:%M:%S", time.localtime((T0 + 1) / 1000)
    )
    assert panel.tabs.tabText(0) == "Open orders (3)"

    feed(store, update(1, status="partially_filled", filled="0.5"))
    panel.refresh()
    assert texts(tab, "Filled") == ["0", "0", "0.5"]
    assert tab.model.changed_cells == 2  # filled and status: nothing else is signalled

    feed(store, update(1, status="filled", filled="1.5"))
    panel.refresh()
    assert texts(tab, "Client id") == ["tkt-3", "tkt-2"]
    assert texts(panel.history, "Client id") == ["tkt-1"]  # finished: into the history
    assert texts(panel.history, "Status") == ["filled"]

    tab.market_only.setChecked(True)
    assert texts(tab, "Client id") == ["tkt-3"]
    panel.set_market("BTC-PERP")
    panel.refresh()
    assert texts(tab, "Client id") == ["tkt-2"]
    assert tab.cancel_market_button.text() == "Cancel all BTC-PERP"


def test_editing_a_price_sends_exact_units_and_a_bad_entry_sends_nothing(
    qtbot, panel, store
) -> None:
    feed(store, update(1, price="150.25", size="1.5", filled="0.5", status="partially_filled"))
    feed(store, update(2, type="stop_market", status="pending", price=None, trigger_price="140"))
    panel.show()
    panel.refresh()
    tab = panel.open_orders
    amends: list[tuple] = []
    panel.amend_order.connect(lambda *args: amends.append(args))
    price, size = cell(tab, 1, "Price"), cell(tab, 1, "Size")
    assert tab.proxy.flags(price) & Qt.ItemFlag.ItemIsEditable
    assert not tab.proxy.flags(cell(tab, 0, "Size")) & Qt.ItemFlag.ItemIsEditable  # pending

    # through the view's own editor: type the price and press Enter
    tab.view.edit(price)
    editor = tab.view.findChild(QtWidgets.QLineEdit)
    assert editor is not None and editor.text() == "150.25"
    editor.setText("150.123")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: bool(amends), timeout=2_000)  # the delegate commits on the next turn
    assert amends == [(1, 150_123_000, None)]
    assert tab.proxy.data(price) == "150.123"  # shown until the orders change

    assert tab.proxy.setData(size, "2.37")
    assert amends[-1] == (1, None, 2_370_000_000)

    for bad, why in (
        ("15o", "not a decimal number"),
        ("150.0005", "not a multiple of the tick"),
        ("-1", "above zero"),
    ):
        assert not tab.proxy.setData(price, bad)
        assert why in panel.notice.text() and panel.notice.isVisible()
    assert not tab.proxy.setData(size, "0.5")  # no more than what already filled
    assert "already filled" in panel.notice.text()
    assert not tab.proxy.setData(size, "1.505")  # not whole lots
    assert len(amends) == 2

    feed(store, update(1, price="150.123", size="2.37", filled="0.5", status="partially_filled"))
    panel.refresh()
    assert tab.proxy.data(price) == "150.123" and not tab.model.pending


def test_cancel_and_cancel_all_ask_for_the_right_orders(qtbot, panel, store) -> None:
    for order_id in (1, 2, 3):
        feed(store, update(order_id))
    panel.show()
    panel.refresh()
    tab = panel.open_orders
    cancels: list[int] = []
    everything: list[object] = []
    panel.cancel_order.connect(cancels.append)
    panel.cancel_all.connect(everything.append)
    tab.view.selectRow(0)
    tab.view.selectionModel().select(
        cell(tab, 2, "Market"),
        tab.view.selectionModel().SelectionFlag.Select
        | tab.view.selectionModel().SelectionFlag.Rows,
    )
    tab.view.setFocus()
    qtbot.keyClick(tab.view, Qt.Key.Key_Delete)
    assert cancels == [3, 1]
    tab.cancel_button.click()
    assert cancels == [3, 1, 3, 1]
    tab.cancel_market_button.click()
    tab.cancel_everywhere_button.click()
    assert everything == ["SOL-PERP", None]


def test_working_parents_show_progress_and_children(panel, store) -> None:
    twap = {"type": "twap", "status": "pending", "size": "10", "price": None}
    feed(store, update(10, **twap))
    feed(store, update(11, type="iceberg", size="4", filled="3", status="partially_filled"))
    feed(store, update(12))  # a plain limit: not a parent
    for child in (13, 14):
        feed(store, update(child, type="market", parent_id=10, status="filled", size="1.25",
                           filled="1.25", price=None))  # fmt: skip
    feed(store, update(10, **twap | {"filled": "2.5"}))
    panel.refresh()
    tab = panel.parents
    assert texts(tab, "Client id") == ["tkt-11", "tkt-10"]
    assert texts(tab, "Progress") == ["75%", "25%"]
    assert texts(tab, "Children") == ["0", "2"]
    assert tab.proxy.data(cell(tab, 1, "Progress"), VALUE_ROLE) == pytest.approx(0.25)
    assert texts(panel.history, "Client id") == ["tkt-14", "tkt-13"]  # the filled slices

    feed(store, update(10, **twap | {"filled": "10", "status": "filled"}))
    panel.refresh()
    assert texts(tab, "Client id") == ["tkt-11"]


def test_position_actions_send_the_right_orders(panel, store) -> None:
    feed(store, _positions(_position("SOL-PERP", "2.5", mark="151.2345"),
                           _position("BTC-PERP", "-0.1", mark="67000.05", pnl="-3")))  # fmt: skip
    panel.refresh()
    tab = panel.positions
    assert texts(tab, "Market") == ["BTC-PERP", "SOL-PERP"]
    assert texts(tab, "Side") == ["short", "long"] and texts(tab, "Size") == ["0.1", "2.5"]
    assert texts(tab, "Unrealised PnL") == ["-3", "2.5"]
    sent: list[dict] = []
    panel.submit_order.connect(lambda body, on_result: sent.append(body))

    tab.view.selectRow(1)  # SOL long 2.5
    tab.close_button.click()
    assert sent.pop() == {"market": "SOL-PERP", "side": "sell", "type": "market",
                          "size": "2.5", "reduce_only": True}  # fmt: skip
    tab.reverse_button.click()
    assert sent.pop() == {"market": "SOL-PERP", "side": "sell", "type": "market",
                          "size": "5", "reduce_only": False}  # fmt: skip
    tab.close_limit_button.click()  # no price typed: the mark, onto a tick (up for a sell)
    assert sent.pop() == {"market": "SOL-PERP", "side": "sell", "type": "limit", "size": "2.5",
                          "reduce_only": True, "price": "151.235"}  # fmt: skip
    tab.limit_box.setText("152.5")
    tab.close_limit_button.click()
    assert sent.pop()["price"] == "152.5"
    tab.limit_box.setText("15x")
    tab.close_limit_button.click()
    assert not sent and "not a decimal number" in panel.notice.text()

    tab.view.selectRow(0)  # BTC short 0.1
    tab.reverse_button.click()
    assert sent.pop() == {"market": "BTC-PERP", "side": "buy", "type": "market",
                          "size": "0.2", "reduce_only": False}  # fmt: skip

    tab.flatten_button.click()
    assert sent == [
        {"market": "BTC-PERP", "side": "buy", "type": "market", "size": "0.1",
         "reduce_only": True},
        {"market": "SOL-PERP", "side": "sell", "type": "market", "size": "2.5",
         "reduce_only": True},
    ]  # fmt: skip

    feed(store, _positions(_position("SOL-PERP", "2.5")))  # BTC closed
    panel.refresh()
    assert texts(tab, "Market") == ["SOL-PERP"]


def test_a_refused_close_is_shown(panel, store) -> None:
    feed(store, _positions(_position("SOL-PERP", "1")))
    panel.refresh()
    panel.submit_order.connect(
        lambda body, on_result: on_result(OrderRefusal("halted", "the market is halted"))
    )
    panel.positions.close_button.click()  # nothing selected: the panel market's position
    assert "the market is halted" in panel.notice.text()


def test_tables_sort_by_their_headers_and_filter_by_text(qtbot, panel, store) -> None:
    fills = ((1, "SOL-PERP", "150"), (2, "BTC-PERP", "67000"), (3, "SOL-PERP", "149.5"),
             (4, "BTC-PERP", "66900"))  # fmt: skip
    for trade_id, market, price in fills:
        feed(store, _fill(trade_id, market, price))
    panel.show()
    panel.refresh()
    tab = panel.fills
    assert texts(tab, "Price") == ["66900", "149.5", "67000", "150"]  # newest first
    assert texts(tab, "Fee") in (["—"] * 4, ["0.0375"] * 4)  # once OwnFill keeps the fee

    header = tab.view.horizontalHeader()
    price_column = [c.title for c in tab.model.columns].index("Price")
    x = header.sectionViewportPosition(price_column) + 5
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QtCore.QPoint(x, 5))
    assert texts(tab, "Price") == ["149.5", "150", "66900", "67000"]  # a click: ascending
    feed(store, _fill(5, "SOL-PERP", "149.9"))  # a new fill goes where the sort puts it
    panel.refresh()
    assert texts(tab, "Price") == ["149.5", "149.9", "150", "66900", "67000"]
    tab.view.sortByColumn(price_column, Qt.SortOrder.DescendingOrder)
    assert texts(tab, "Price") == ["67000", "66900", "150", "149.9", "149.5"]

    tab.set_filter("btc")
    assert texts(tab, "Market") == ["BTC-PERP", "BTC-PERP"]
    tab.set_filter("")
    tab.view.sortByColumn(-1, Qt.SortOrder.AscendingOrder)  # back to newest first
    assert texts(tab, "Price") == ["149.9", "66900", "149.5", "67000", "150"]

    tab.filter_box.setText("67000")  # typed: applies after a pause
    qtbot.waitUntil(lambda: texts(tab, "Price") == ["67000"], timeout=2_000)


def test_ctrl_c_copies_the_selected_rows_as_tab_separated_text(qtbot, panel, store) -> None:
    feed(store, update(1))
    feed(store, update(2, market="BTC-PERP", side="sell", price="67000.5", size="0.25"))
    panel.show()
    panel.refresh()
    tab = panel.open_orders
    tab.view.selectAll()
    tab.view.setFocus()
    QApplication.clipboard().clear()
    qtbot.keyClick(tab.view, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    lines = QApplication.clipboard().text().splitlines()
    assert [line.split("\t")[:8] for line in lines] == [
        ["BTC-PERP", "sell", "limit", "67000.5", "—", "0.25", "0", "open"],
        ["SOL-PERP", "buy", "limit", "150.25", "—", "1.5", "0", "open"],
    ]
    assert lines[0].split("\t")[-1] == "tkt-2"


def test_csv_export_writes_the_rows_shown(panel, store, tmp_path: Path) -> None:
    for trade_id in range(1, 6):
        feed(store, _fill(trade_id, "BTC-PERP" if trade_id % 2 else "SOL-PERP"))
    panel.refresh()
    tab = panel.fills
    tab.set_filter("sol")
    target = tmp_path / "fills.csv"
    assert tab.export_csv(target) == 2
    with open(target, newline="", encoding="utf-8") as exported:
        rows = list(csv.reader(exported))
    assert rows[0] == [c.title for c in tab.model.columns]
    assert [r[0] for r in rows[1:]] == ["SOL-PERP", "SOL-PERP"]
    assert [r[-1] for r in rows[1:]] == ["7", "7"]

    tab.choose_export_path = lambda: str(tmp_path / "chosen.csv")  # the dialog's hook
    tab.export_button.click()
    assert (tmp_path / "chosen.csv").read_text(encoding="utf-8").count("\n") == 3
    assert "2 rows exported" in panel.notice.text()


def test_order_history_pages_below_and_live_finishes_on_top(panel, store) -> None:
    history = store.history
    page = [_order(i, status="cancelled", created_at_ms=T0 - i) for i in range(100, 103)]
    history.load_page({"orders": page, "next_cursor": "1-100"})
    panel.refresh()
    tab = panel.history
    assert texts(tab, "Client id") == ["tkt-100", "tkt-101", "tkt-102"]
    assert tab.load_more_button.isEnabled() and "3 orders" in tab.state_label.text()

    tab.load_more_button.click()  # the client layer sees the wish and loads the next page
    assert history.more_wanted and "loading" in tab.state_label.text()
    assert history.start_loading()
    older = [_order(103, status="expired", created_at_ms=T0 - 103),
             _order(100, status="cancelled")]  # fmt: skip
    history.load_page({"orders": older, "next_cursor": None})
    feed(store, update(5))
    feed(store, update(5, status="cancelled"))  # finishes live: on top
    panel.refresh()
    assert texts(tab, "Client id") == ["tkt-5", "tkt-100", "tkt-101", "tkt-102", "tkt-103"]
    assert not tab.load_more_button.isEnabled() and "all loaded" in tab.state_label.text()


def test_a_big_load_is_taken_in_one_insertion_and_quickly(panel, store) -> None:
    store.positions = PositionsState(fills=deque(maxlen=50_000))
    panel.refresh()
    for trade_id in range(1, 20_001):
        feed(store, _fill(trade_id, "SOL-PERP" if trade_id % 3 else "BTC-PERP"))
    history = store.history
    history.load_page(
        {"orders": [_order(i, status="filled", filled="1.5") for i in range(20_000, 0, -1)],
         "next_cursor": "1-1"}
    )  # fmt: skip
    started = time.perf_counter()
    panel.refresh()
    took = time.perf_counter() - started
    assert panel.fills.model.rowCount() == 20_000 and panel.history.model.rowCount() == 20_000
    assert took < 1.0  # a sanity bound, far above what it takes
    assert texts(panel.fills, "Time")[0] == time.strftime(
        "%Y-%m-%d %H:%M:%S", time.localtime((T0 + 20_000) / 1000)
    )

    feed(store, _fill(20_001))
    inserted: list[tuple[int, int]] = []
    panel.fills.model.rowsInserted.connect(lambda _, first, last: inserted.append((first, last)))
    started = time.perf_counter()
    panel.refresh()
    assert time.perf_counter() - started < 0.1
    assert inserted == [(0, 0)] and panel.fills.model.rowCount() == 20_001

    panel.fills.set_filter("btc")
    assert panel.fills.proxy.rowCount() == 20_000 // 3


def test_settings_come_back(qtbot, store) -> None:
    first = BlotterPanel(store, "SOL-PERP")
    qtbot.addWidget(first)
    first.tabs.setCurrentIndex(2)
    first.open_orders.market_only.setChecked(True)
    first.fills.set_filter("sol")
    second = BlotterPanel(store, "SOL-PERP")
    qtbot.addWidget(second)
    second.restore(first.settings())
    assert second.tabs.currentIndex() == 2 and second.open_orders.market_only.isChecked()
    assert second.fills.filter_box.text() == "sol"
    second.restore({"tab": "nonsense", "filters": 3})  # ignored


def test_a_sorted_table_of_working_orders_keeps_its_order_as_they_change(panel, store) -> None:
    for order_id, price in ((1, "150"), (2, "149"), (3, "151")):
        feed(store, update(order_id, price=price))
    panel.refresh()
    tab = panel.open_orders
    tab.view.sortByColumn(3, Qt.SortOrder.AscendingOrder)  # Price
    assert texts(tab, "Price") == ["149", "150", "151"]
    feed(store, update(2, price="152"))  # moved up past the others
    feed(store, update(4, price="150.5"))  # a new one, in its place
    panel.refresh()
    assert texts(tab, "Price") == ["150", "150.5", "151", "152"]
    assert texts(tab, "Client id") == ["tkt-1", "tkt-4", "tkt-3", "tkt-2"]
    feed(store, update(3, status="cancelled"))
    panel.refresh()
    assert texts(tab, "Client id") == ["tkt-1", "tkt-4", "tkt-2"]


def test_the_rows_model_stays_consistent_through_any_change(qtmodeltester, monkeypatch) -> None:
    monkeypatch.setattr(rows_model, "BULK", 4)  # more than 4 new rows: the bulk path
    columns = (Column("Id", lambda r: str(r[0]), sort_key=lambda r: r[0]),
               Column("Value", lambda r: str(r[1]), sort_key=lambda r: r[1]))  # fmt: skip
    model = RowsModel(columns)
    proxy = RowsProxy(model)
    qtmodeltester.check(model)
    qtmodeltester.check(proxy)
    rng = random.Random(7)
    natural: list[tuple[int, int]] = []
    ids = iter(range(1, 10**6))
    for _ in range(300):
        step = rng.choice(("top", "bottom", "bulk", "sort", "remove", "trim", "sync"))
        if step in ("top", "bottom", "bulk"):
            new = [(next(ids), rng.randrange(50)) for _ in range(6 if step == "bulk" else 2)]
            model.add(new, at_top=step != "bottom")
            natural = new + natural if step != "bottom" else natural + new
        elif step == "sort":
            model.sort(rng.choice((-1, 0, 1)), rng.choice(list(Qt.SortOrder)))
        elif step == "remove" and natural:
            doomed = rng.sample(model.natural, min(5, len(natural)))
            model.remove(doomed)
            natural = [r for r in natural if r not in doomed]
        elif step == "trim":
            model.trim(4)
            natural = natural[: max(0, len(natural) - 4)]
        elif step == "sync":
            fresh = [(k, v + 1 if k % 2 else v) for k, v in natural if k % 7]
            fresh = sorted([*fresh, (next(ids), rng.randrange(50))], key=lambda r: -r[0])
            natural.sort(key=lambda r: -r[0])
            model.reset(natural)
            model.sync(fresh, key=lambda r: r[0])
            natural = fresh
        assert model.natural == natural
        if model.sort_column is None:
            assert model.rows == natural
        else:
            key = columns[model.sort_column].sort_key
            assert [key(r) for r in model.rows] == sorted(
                (key(r) for r in natural), reverse=model.descending
            )
            assert sorted(model.rows) == sorted(natural)
        assert proxy.rowCount() == len(natural)
