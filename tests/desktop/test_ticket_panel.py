"""The Order ticket over a real store: fields per type, snapping, the live preview,
refusals before sending, guards, the bodies it sends, answers, retries and settings."""

from __future__ import annotations

import pytest

from backend.domain.markets import load_default_catalog
from backend.domain.orders import OrderType, Side
from backend.schemas.markets import MarketSpecOut
from quantdesk_desktop.client.outcomes import OrderRefusal
from quantdesk_desktop.panels.ticket import TicketPanel
from quantdesk_desktop.panels.ticket.guards import Guards
from quantdesk_desktop.panels.ticket.guards_dialog import GuardsDialog
from quantdesk_desktop.qt import Qt, QtCore
from quantdesk_desktop.state.store import MarketStore

SOL = "SOL-PERP"
NOW_MS = 1_700_000_000_000
OPTIONAL_ROWS = {
    "price",
    "trigger",
    "trailing",
    "visible_size",
    "twap_duration_s",
    "twap_slices",
    "take_profit_price",
    "stop_loss_price",
    "expire_at_ms",
}


def book_snapshot(market: str, bids: list[list[str]], asks: list[list[str]], seq: int = 1):
    return {"market": market, "type": "snapshot", "seq": seq, "bids": bids, "asks": asks}


@pytest.fixture
def store() -> MarketStore:
    store = MarketStore()
    store.board.load_specs([MarketSpecOut.of(spec).model_dump() for spec in load_default_catalog()])
    store.book(SOL).apply(
        book_snapshot(
            SOL,
            bids=[["149.999", "0.5"], ["149.998", "1.2"], ["149.995", "2"]],
            asks=[["150.001", "0.7"], ["150.003", "1.5"], ["150.010", "4"]],
        )
    )
    for market, price in (("SOL-PERP", "150"), ("BTC-PERP", "67000"), ("ETH-PERP", "3500")):
        store.board.apply_prices(
            {"market": market, "type": "snapshot", "mark": price, "oracle": price, "status": "live"}
        )
    store.account.balances = [{"asset": "USDC", "amount": "1000"}]
    store.account.risk = {"free_collateral": "1000", "reserved_for_orders": "0", "health": "1"}
    store.account.free_collateral = "1000"
    store.account.version += 1
    return store


@pytest.fixture
def panel(qtbot, store: MarketStore) -> TicketPanel:
    panel = TicketPanel(store, SOL)
    panel.clock = lambda: NOW_MS
    panel.confirm = lambda text: pytest.fail(f"unexpected confirmation: {text}")
    qtbot.addWidget(panel)
    panel.resize(340, 800)
    # shown without a window on screen: a window taking focus would make the dock manager
    # an earlier test deleted (test_qt_platform) raise itself, which crashes PySide6-QtAds
    # 4.4.1.2 (its focusWindowChanged lambda has no context object; fixed in ADS 4.5.0)
    panel.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen)
    panel.show()
    panel.refresh()
    return panel


@pytest.fixture
def sent(panel: TicketPanel) -> list[tuple[dict, object]]:
    captured: list[tuple[dict, object]] = []
    panel.submit_order.connect(lambda body, on_result: captured.append((body, on_result)))
    return captured


def enter(edit, text: str) -> None:
    """Type ``text`` as a user would and finish editing (snaps it)."""
    edit.setText(text)
    edit.snap()


def order(panel: TicketPanel, kind: OrderType, side: Side = Side.BUY, size: str = "1") -> None:
    panel.form.set_type(kind)
    panel.set_side(side)
    enter(panel.form.size_edit, size)


def values(panel: TicketPanel) -> dict[str, str]:
    return {name: label.text() for name, label in panel.preview_view.values.items()}


# -- fields ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "rows"),
    [
        (OrderType.MARKET, set()),
        (OrderType.LIMIT, {"price"}),
        (OrderType.STOP_MARKET, {"trigger"}),
        (OrderType.STOP_LIMIT, {"trigger", "price"}),
        (OrderType.TAKE_PROFIT_MARKET, {"trigger"}),
        (OrderType.TAKE_PROFIT_LIMIT, {"trigger", "price"}),
        (OrderType.TRAILING_STOP, {"trailing"}),
        (OrderType.ICEBERG, {"price", "visible_size"}),
        (OrderType.TWAP, {"price", "twap_duration_s", "twap_slices"}),
        (OrderType.BRACKET, {"price", "take_profit_price", "stop_loss_price"}),
    ],
)
def test_each_order_type_shows_the_fields_it_needs(
    panel: TicketPanel, kind: OrderType, rows: set[str]
) -> None:
    panel.form.set_type(kind)
    shown = panel.form.visible_rows()
    assert shown & OPTIONAL_ROWS == rows
    assert {"type", "size", "leverage", "time_in_force", "flags"} <= shown
    for row in OPTIONAL_ROWS - rows:
        assert not panel.form.rows[row].isVisible()


def test_gtd_shows_an_expiry_and_types_offer_only_their_time_in_force(panel: TicketPanel) -> None:
    panel.form.set_type(OrderType.LIMIT)
    panel.form.set_time_in_force("gtd")
    assert "expire_at_ms" in panel.form.visible_rows()
    panel.form.set_type(OrderType.TWAP)  # a TWAP is GTC only
    assert panel.form.time_in_force() == "gtc"
    assert "expire_at_ms" not in panel.form.visible_rows()
    assert not panel.form.post_only.isEnabled()


def test_leverage_is_bounded_by_the_market(panel: TicketPanel) -> None:
    assert panel.form.leverage_box.maximum() == 10
    panel.set_market("BTC-PERP")
    assert panel.form.leverage_box.maximum() == 20


# -- snapping ----------------------------------------------------------------------------


def test_prices_snap_to_the_tick_and_sizes_down_to_the_lot_when_editing_finishes(
    qtbot, panel: TicketPanel
) -> None:
    panel.form.set_type(OrderType.LIMIT)
    price, size = panel.form.price_edit, panel.form.size_edit
    qtbot.keyClicks(price, "150.1234")
    assert price.text() == "150.1234"  # free typing until editing finishes
    qtbot.keyClick(price, Qt.Key.Key_Return)
    assert price.text() == "150.123"
    enter(price, "150.1236")
    assert price.text() == "150.124"
    enter(size, "1.019")
    assert size.text() == "1.01"
    qtbot.keyClick(price, Qt.Key.Key_Up)
    assert price.text() == "150.125"
    qtbot.keyClick(size, Qt.Key.Key_Down)
    assert size.text() == "1.00"
    qtbot.keyClicks(price, "x")  # not a number: refused as typed
    assert price.text() == "150.125"


# -- the preview -------------------------------------------------------------------------


def test_the_preview_walks_two_levels_and_shows_fee_margin_and_account_after(
    panel: TicketPanel,
) -> None:
    order(panel, OrderType.MARKET, size="1")
    panel.refresh()
    shown = values(panel)
    # 0.7 at 150.001 + 0.3 at 150.003
    assert shown["fill_price"] == "150.0016"
    assert shown["slippage"] == "0.001%"
    assert shown["notional"] == "150.00 USDC"
    # 0.05% taker fee rounded up per level: 0.052501 + 0.022501
    assert shown["fee"] == "0.075002 USDC"
    # 10% initial margin on 1 SOL at the mark 150
    assert shown["initial_margin"] == "15.00 USDC"
    # 1000 - 0.075002 fee - 0.0016 paid over the mark - 15 held
    assert shown["free_after"] == "984.92 USDC"
    assert shown["health_after"] == "99.2%"
    assert shown["liquidation_after"] == "none"  # 1 SOL on 1000 USDC cannot be liquidated
    assert shown["position_after"] == "+1.00 SOL"
    assert panel.preview_view.verdict.text() == "Ready to send"
    assert panel.send_button.isEnabled()
    assert panel.send_button.text() == "Buy 1.00 SOL · Market"


def test_the_preview_follows_the_book_once_a_frame(panel: TicketPanel, store: MarketStore) -> None:
    order(panel, OrderType.MARKET, size="1")
    panel.refresh()
    calls = []
    original = panel.recompute
    panel.recompute = lambda: (calls.append(1), original())
    panel.refresh()
    assert calls == []  # nothing moved
    store.book(SOL).apply(book_snapshot(SOL, [["149.9", "1"]], [["150.2", "5"]], seq=2))
    store.book(SOL).apply(
        {"market": SOL, "type": "delta", "seq": 3, "prev_seq": 2, "bids": [], "asks": []}
    )
    panel.refresh()
    panel.refresh()
    assert calls == [1]
    assert values(panel)["fill_price"] == "150.200"


def test_sizes_in_usdc_and_percent_convert_at_the_reference_price(
    panel: TicketPanel, sent: list
) -> None:
    panel.form.set_type(OrderType.LIMIT)
    enter(panel.form.price_edit, "150")
    panel.form.set_size_unit("quote")
    enter(panel.form.size_edit, "300")
    panel.refresh()
    assert panel.size_units() == 2 * 10**9
    assert panel.form.rows["size"].hint.text() == "= 2.00 SOL"
    panel.form.set_size_unit("percent")  # 300 USDC of 1000 free at 1x
    assert panel.form.size_edit.text() == "30.00"
    panel.form.leverage_box.setValue(3)
    enter(panel.form.size_edit, "25")  # 25% of 1000 x 3 = 750 USDC = 5 SOL
    panel.refresh()
    assert panel.send()
    assert sent[-1][0]["size"] == "5"


# -- refused before sending --------------------------------------------------------------


def test_an_order_the_backend_would_refuse_shows_why_and_cannot_be_sent(
    panel: TicketPanel, sent: list
) -> None:
    order(panel, OrderType.LIMIT, size="1")
    panel.form.price_edit.setText("150.0005")  # typed, editing not finished: off the tick
    panel.refresh()
    reason = "price 150.0005 is not a multiple of the tick 0.001"
    assert panel.preview_view.verdict.text() == f"Would be refused: {reason}"
    assert panel.form.error_text("price") == reason
    assert not panel.send_button.isEnabled()
    assert panel.send() is False
    assert sent == []
    panel.form.price_edit.snap()
    panel.refresh()
    assert panel.send_button.isEnabled()
    assert panel.form.error_text("price") == ""


def test_insufficient_margin_is_shown_at_the_size(panel: TicketPanel) -> None:
    order(panel, OrderType.MARKET, size="100")
    panel.refresh()
    assert "not enough free collateral" in panel.preview_view.verdict.text()
    assert "not enough free collateral" in panel.form.error_text("size")
    assert not panel.send_button.isEnabled()


def test_size_below_the_minimum_and_reduce_only_that_would_open_are_refused(
    panel: TicketPanel, store: MarketStore
) -> None:
    panel.set_market("ADA-PERP")
    store.board.apply_prices(
        {"market": "ADA-PERP", "type": "snapshot", "mark": "0.45", "oracle": "0.45"}
    )
    order(panel, OrderType.LIMIT, size="5")
    enter(panel.form.price_edit, "0.45")
    panel.refresh()
    assert panel.form.error_text("size") == "size 5 is below the minimum 10 for ADA-PERP"
    enter(panel.form.size_edit, "20")
    panel.form.reduce_only.setChecked(True)
    panel.refresh()
    reason = "reduce-only buy would open or increase a position"
    assert panel.form.error_text("reduce_only") == reason
    assert not panel.send_button.isEnabled()


def test_a_blank_ticket_asks_for_what_is_missing_without_alarm(panel: TicketPanel) -> None:
    panel.form.set_type(OrderType.LIMIT)
    panel.refresh()
    assert panel.preview_view.verdict.text() == "Enter a size"
    assert panel.preview_view.verdict.property("tone") == "muted"
    enter(panel.form.size_edit, "1")
    panel.refresh()
    assert panel.preview_view.verdict.text() == "Enter a limit price"
    assert panel.form.error_text("price") == ""
    assert not panel.send_button.isEnabled()


# -- guards ------------------------------------------------------------------------------


def test_beyond_a_guard_in_confirm_mode_asks_and_sends_only_on_yes(
    panel: TicketPanel, sent: list
) -> None:
    panel.guards = Guards(max_notional=100 * 10**6, mode="confirm")
    order(panel, OrderType.MARKET, size="1")
    panel.refresh()
    assert "Beyond guard" in panel.preview_view.verdict.text()
    assert panel.send_button.isEnabled()
    asked: list[str] = []
    panel.confirm = lambda text: asked.append(text) or False
    assert panel.send() is False
    assert sent == [] and panel.status_text() == "Not sent"
    assert "notional 150.0016 USDC is above the limit 100 USDC" in asked[0]
    panel.confirm = lambda text: True
    assert panel.send() is True
    assert len(sent) == 1


def test_beyond_a_guard_in_refuse_mode_blocks_with_the_reason(
    panel: TicketPanel, sent: list
) -> None:
    panel.guards = Guards(price_band=20_000, mode="refuse")
    order(panel, OrderType.LIMIT, side=Side.SELL, size="1")
    enter(panel.form.price_edit, "160")
    panel.refresh()
    verdict = panel.preview_view.verdict.text()
    assert verdict == "Blocked by guard: price 160 is 6.67% from the oracle 150 (band 2.00%)"
    assert not panel.send_button.isEnabled()
    assert panel.send() is False
    assert sent == []
    assert panel.status_text().startswith("Not sent: beyond a guard: price 160")


def test_the_max_size_guard_is_per_market(panel: TicketPanel, sent: list) -> None:
    panel.guards = Guards(max_size={SOL: 10**9}, max_notional=None, price_band=None, mode="refuse")
    order(panel, OrderType.MARKET, size="1.5")
    panel.refresh()
    assert "size 1.5 is above the SOL-PERP limit 1" in panel.preview_view.verdict.text()
    enter(panel.form.size_edit, "1")
    panel.refresh()
    assert panel.send()


# -- sending -----------------------------------------------------------------------------


def _limit(panel: TicketPanel) -> None:
    order(panel, OrderType.LIMIT, size="1.5")
    enter(panel.form.price_edit, "149.5")
    panel.form.post_only.setChecked(True)


def _stop_limit(panel: TicketPanel) -> None:
    order(panel, OrderType.STOP_LIMIT, side=Side.SELL)
    enter(panel.form.trigger_edit, "145")
    enter(panel.form.price_edit, "144.5")
    panel.form.reference_box.setCurrentIndex(panel.form.reference_box.findData("oracle"))


def _trailing(panel: TicketPanel) -> None:
    order(panel, OrderType.TRAILING_STOP, side=Side.SELL, size="2")
    panel.form.trailing_unit.setCurrentIndex(1)
    enter(panel.form.trailing_edit, "1.5")
    panel.form.reduce_only.setChecked(False)


def _bracket(panel: TicketPanel) -> None:
    order(panel, OrderType.BRACKET)
    enter(panel.form.price_edit, "149")
    enter(panel.form.take_profit_edit, "160")
    enter(panel.form.stop_loss_edit, "145")


def _twap(panel: TicketPanel) -> None:
    order(panel, OrderType.TWAP, size="2")
    panel.form.twap_duration.setValue(120)
    panel.form.twap_slices.setValue(4)


def _gtd(panel: TicketPanel) -> None:
    order(panel, OrderType.LIMIT)
    enter(panel.form.price_edit, "149")
    panel.form.set_time_in_force("gtd")
    panel.form.expiry_edit.setDateTime(QtCore.QDateTime.fromMSecsSinceEpoch(NOW_MS + 3_600_000))


COMMON = {"market": SOL, "post_only": False, "reduce_only": False, "time_in_force": "gtc"}


@pytest.mark.parametrize(
    ("setup", "expected"),
    [
        (
            _limit,
            {"side": "buy", "type": "limit", "size": "1.5", "price": "149.5", "post_only": True},
        ),
        (
            _stop_limit,
            {
                "side": "sell",
                "type": "stop_limit",
                "size": "1",
                "trigger_price": "145",
                "price": "144.5",
                "trigger_reference": "oracle",
            },
        ),
        (
            _trailing,
            {
                "side": "sell",
                "type": "trailing_stop",
                "size": "2",
                "trailing_percent": "0.015",
                "trigger_reference": "mark",
            },
        ),
        (
            _bracket,
            {
                "side": "buy",
                "type": "bracket",
                "size": "1",
                "price": "149",
                "take_profit_price": "160",
                "stop_loss_price": "145",
            },
        ),
        (
            _twap,
            {
                "side": "buy",
                "type": "twap",
                "size": "2",
                "twap_duration_s": 120,
                "twap_slices": 4,
            },
        ),
        (
            _gtd,
            {
                "side": "buy",
                "type": "limit",
                "size": "1",
                "price": "149",
                "time_in_force": "gtd",
                "expire_at_ms": NOW_MS + 3_600_000,
            },
        ),
    ],
    ids=["limit", "stop_limit", "trailing_percent", "bracket", "twap", "gtd"],
)
def test_send_emits_the_body_of_the_order(panel: TicketPanel, sent: list, setup, expected) -> None:
    setup(panel)
    panel.refresh()
    assert panel.send_button.isEnabled(), panel.preview_view.verdict.text()
    panel.send_button.click()
    assert len(sent) == 1
    body, on_result = sent[0]
    cid = body.pop("client_order_id")
    assert body == {**COMMON, **expected}
    assert cid.startswith("tk-") and ":" not in cid and len(cid) <= 64
    assert on_result == panel._on_result
    assert panel.send_button.text() == "Sending…" and not panel.send_button.isEnabled()


def test_a_refusal_naming_price_shows_at_the_price_and_keeps_every_input(
    panel: TicketPanel, sent: list
) -> None:
    _limit(panel)
    panel.refresh()
    panel.send()
    on_result = sent[0][1]
    on_result(OrderRefusal("post_only_would_take", "a post-only order would take", "price"))
    assert panel.form.error_text("price") == "a post-only order would take"
    assert panel.status_text() == "Not placed"
    assert panel.form.order_type() is OrderType.LIMIT and panel.side() is Side.BUY
    assert panel.form.price_edit.text() == "149.500"
    assert panel.form.size_edit.text() == "1.50"
    assert panel.form.post_only.isChecked()
    panel.refresh()
    assert panel.form.error_text("price") == "a post-only order would take"
    assert panel.send_button.isEnabled()
    enter(panel.form.price_edit, "149.4")  # editing clears the refusal
    panel.refresh()
    assert panel.form.error_text("price") == ""


def test_a_refusal_without_a_field_goes_on_the_general_line(panel: TicketPanel, sent: list) -> None:
    _limit(panel)
    panel.refresh()
    panel.send()
    sent[0][1](OrderRefusal("market_halted", "SOL-PERP is halted: only cancels are accepted"))
    assert panel.status_text() == "Not placed: SOL-PERP is halted: only cancels are accepted"


def test_the_client_order_id_is_kept_for_a_retry_and_renewed_after_acceptance(
    panel: TicketPanel, sent: list
) -> None:
    _limit(panel)
    panel.refresh()
    panel.send()
    first = sent[0][0]["client_order_id"]
    sent[0][1](OrderRefusal("offline", "not sent: connection lost; nothing was placed"))
    assert "nothing was placed" in panel.status_text()
    panel.send()
    assert sent[1][0]["client_order_id"] == first
    sent[1][1]({"order_id": 1_000_000_000_042, "client_order_id": first, "status": "open"})
    assert panel.status_text() == "Placed #1000000000042 · open"
    assert panel.client_order_id is None
    panel.refresh()
    panel.send()
    assert sent[2][0]["client_order_id"] != first


def test_an_answer_after_closing_is_ignored(panel: TicketPanel, sent: list) -> None:
    _limit(panel)
    panel.refresh()
    panel.send()
    panel.close_panel()
    sent[0][1]({"order_id": 7, "status": "open"})
    assert panel.status_text() == "Sending…"


# -- market, settings --------------------------------------------------------------------


def test_picking_a_market_emits_it_and_follows_its_book(
    panel: TicketPanel, store: MarketStore
) -> None:
    chosen: list[str] = []
    panel.market_chosen.connect(chosen.append)
    panel.form.set_type(OrderType.LIMIT)
    enter(panel.form.price_edit, "149")
    index = panel.market_box.findText("BTC-PERP")
    panel.market_box.setCurrentIndex(index)
    panel.market_box.activated.emit(index)
    assert chosen == ["BTC-PERP"]
    assert panel.market == "BTC-PERP"
    assert ("book", "BTC-PERP", None) in store.wanted
    assert ("book", SOL, None) not in store.wanted
    assert panel.form.price_edit.text() == ""
    panel.close_panel()
    assert ("book", "BTC-PERP", None) not in store.wanted


def test_settings_round_trip_and_bad_values_are_ignored(qtbot, store: MarketStore) -> None:
    first = TicketPanel(store, SOL)
    qtbot.addWidget(first)
    first.form.set_type(OrderType.BRACKET)
    first.form.set_size_unit("quote")
    first.form.leverage_box.setValue(7)
    first.guards = Guards({SOL: 5 * 10**9}, 2_000 * 10**6, 30_000, "refuse")
    saved = first.settings()
    assert saved == {
        "type": "bracket",
        "size_unit": "quote",
        "leverage": 7,
        "guards": {
            "max_size": {SOL: "5"},
            "max_notional": "2000",
            "price_band": "0.03",
            "mode": "refuse",
        },
    }
    second = TicketPanel(store, SOL)
    qtbot.addWidget(second)
    second.restore(saved)
    assert second.settings() == saved
    second.restore({"type": "moon", "size_unit": 3, "leverage": "x", "guards": {"mode": "panic"}})
    assert second.settings() == saved
    second.restore({"leverage": 50})  # SOL allows 10x at most
    assert second.form.leverage_box.value() == 10


def test_the_guards_dialog_edits_this_markets_size_and_the_shared_limits(qtbot) -> None:
    guards = Guards({"BTC-PERP": 10**9}, 250_000 * 10**6, 50_000, "confirm")
    dialog = GuardsDialog(guards, SOL, 10**7)
    qtbot.addWidget(dialog)
    assert dialog.max_size.text() == "" and dialog.band.text() == "5.00"
    enter(dialog.max_size, "12.345")
    dialog.max_notional.setText("")
    enter(dialog.band, "2.5")
    dialog.mode.setCurrentIndex(dialog.mode.findData("refuse"))
    edited = dialog.guards()
    assert edited == Guards({"BTC-PERP": 10**9, SOL: 12_340_000_000}, None, 25_000, "refuse")
    assert guards.max_size == {"BTC-PERP": 10**9}  # the panel's guards change only on OK
