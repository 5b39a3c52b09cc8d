"""The ticket's pure parts: order bodies, size units, guards, the catalog from wire specs,
the account read from the store, and the display text of amounts."""

from __future__ import annotations

from backend.domain.fixed_point import parse_base, parse_price, parse_quote
from backend.domain.markets import load_default_catalog
from backend.domain.orders import OrderType, Side, TriggerReference
from backend.domain.positions import Position, apply_trade
from backend.schemas.markets import MarketSpecOut
from backend.schemas.orders import OrderBody
from quantdesk_desktop.panels.ticket import amounts
from quantdesk_desktop.panels.ticket.catalog import catalog_from_wire, spec_from_wire
from quantdesk_desktop.panels.ticket.draft import TicketDraft, order_body
from quantdesk_desktop.panels.ticket.guards import Guards, breaches
from quantdesk_desktop.panels.ticket.sizing import base_size, in_unit
from quantdesk_desktop.panels.ticket.store_view import account_now, position_of, reserved_margin
from quantdesk_desktop.state.positions import PositionView
from quantdesk_desktop.state.store import MarketStore

P, B, Q = parse_price, parse_base, parse_quote
SHIPPED = load_default_catalog()
LOT = B("0.01")


def test_a_body_carries_only_what_its_type_uses_and_passes_the_wire_schema() -> None:
    draft = TicketDraft(
        "SOL-PERP",
        Side.SELL,
        OrderType.TRAILING_STOP,
        B("1.5"),
        trailing_percent=15_000,
        trigger_reference=TriggerReference.ORACLE,
        reduce_only=True,
    )
    body = order_body(draft, "tk-1")
    assert body == {
        "market": "SOL-PERP",
        "side": "sell",
        "type": "trailing_stop",
        "size": "1.5",
        "client_order_id": "tk-1",
        "trailing_percent": "0.015",
        "trigger_reference": "oracle",
        "time_in_force": "gtc",
        "post_only": False,
        "reduce_only": True,
    }
    OrderBody(**body)


def test_a_gtd_body_has_its_expiry_and_a_limit_has_no_trigger_reference() -> None:
    draft = TicketDraft(
        "SOL-PERP",
        Side.BUY,
        OrderType.LIMIT,
        B("1"),
        price=P("149.5"),
        time_in_force="gtd",
        expire_at_ms=1_800_000_000_000,
    )
    body = order_body(draft, "tk-2")
    assert body["expire_at_ms"] == 1_800_000_000_000 and body["price"] == "149.5"
    assert "trigger_reference" not in body


def test_size_units_convert_through_the_reference_price_to_whole_lots() -> None:
    assert base_size(B("1.019"), "base", LOT, None, None, 1) == B("1.01")
    assert base_size(Q("300"), "quote", LOT, P("150"), None, 1) == B("2")
    assert base_size(Q("100"), "quote", LOT, P("150"), None, 1) == B("0.66")
    # 25% of 1000 USDC free times 3x leverage = 750 USDC = 5 SOL at 150
    assert base_size(250_000, "percent", LOT, P("150"), Q("1000"), 3) == B("5")
    assert base_size(Q("100"), "quote", LOT, None, None, 1) is None
    assert base_size(250_000, "percent", LOT, P("150"), None, 3) is None
    assert in_unit(B("2"), "quote", P("150"), None, 1) == Q("300")
    assert in_unit(B("5"), "percent", P("150"), Q("1000"), 3) == 250_000


def test_guards_name_each_breach() -> None:
    guards = Guards({"SOL-PERP": B("10")}, Q("1000"), 20_000, "confirm")
    assert breaches(guards, "SOL-PERP", B("5"), Q("750"), P("150"), P("150")) == []
    found = breaches(guards, "SOL-PERP", B("11"), Q("1650"), P("160"), P("150"))
    assert found == [
        "size 11 is above the SOL-PERP limit 10",
        "notional 1650 USDC is above the limit 1000 USDC",
        "price 160 is 6.67% from the oracle 150 (band 2.00%)",
    ]
    assert breaches(guards, "BTC-PERP", B("11"), None, None, None) == []


def test_guard_settings_round_trip_and_ignore_bad_values() -> None:
    guards = Guards({"SOL-PERP": B("10")}, Q("5000"), 30_000, "refuse")
    assert Guards.from_settings(guards.settings()) == guards
    kept = Guards.from_settings(
        {
            "max_size": {"SOL-PERP": "-1", "ETH-PERP": "2"},
            "max_notional": "lots",
            "price_band": None,
            "mode": "panic",
        },
        guards,
    )
    assert kept.max_size == {"ETH-PERP": B("2")}
    assert kept.max_notional == Q("5000")
    assert kept.price_band is None
    assert kept.mode == "refuse"
    assert Guards.from_settings("junk", guards) == guards


def test_the_catalog_from_wire_specs_keeps_the_wire_figures_and_fills_in_the_rest() -> None:
    wire = {s.symbol: MarketSpecOut.of(s).model_dump() for s in SHIPPED}
    wire["SOL-PERP"]["taker_fee"] = "0.001"
    catalog = catalog_from_wire(wire)
    assert set(catalog.markets) == set(SHIPPED.markets)
    assert catalog.markets["SOL-PERP"].taker_fee == 1_000
    assert catalog.markets["SOL-PERP"].liquidator_fee_share == 500_000
    assert catalog.collateral["SOL"].price_market == "SOL-PERP"
    partial = spec_from_wire({"symbol": "NEW-PERP", "tick_size": "0.01", "lot_size": "0.1"})
    assert partial is not None and partial.min_size == B("0.1")
    assert spec_from_wire({"symbol": "BAD-PERP", "tick_size": "nope"}) is None


def test_a_position_is_rebuilt_exactly_from_its_pnl_at_the_stated_mark() -> None:
    position = Position("SOL-PERP")
    apply_trade(position, B("1.37"), P("148.123"))
    view = PositionView(
        "SOL-PERP",
        position.base,
        position.entry_price(),
        P("151.7"),
        position.unrealised_pnl(P("151.7")),
        None,
    )
    assert position_of(view) == Position("SOL-PERP", position.base, position.quote_entry)


def test_the_account_comes_from_the_store_balances_positions_and_risk() -> None:
    store = MarketStore()
    catalog = catalog_from_wire({s.symbol: MarketSpecOut.of(s).model_dump() for s in SHIPPED})
    assert account_now(store, catalog) is None
    store.account.balances = [
        {"asset": "USDC", "amount": "1000.5"},
        {"asset": "SOL", "amount": "2"},
        {"asset": "XYZ", "amount": "1"},
    ]
    store.account.risk = {"reserved_for_orders": "12.5"}
    held = account_now(store, catalog)
    assert held is not None
    assert held.account.balances == {"USDC": Q("1000.5"), "SOL": 2 * 10**9}
    assert held.reserved == Q("12.5")
    assert reserved_margin({"reserved_for_orders": "bad"}) == 0


def test_before_any_balance_message_the_risk_answer_stands_in_for_the_balances() -> None:
    store = MarketStore()
    catalog = catalog_from_wire({s.symbol: MarketSpecOut.of(s).model_dump() for s in SHIPPED})
    store.account.risk = {"collateral_initial": "990.5", "unrealised_pnl": "-9.5"}
    held = account_now(store, catalog)
    assert held is not None
    assert held.account.balances == {"USDC": Q("1000")}


def test_amounts_read_well() -> None:
    assert amounts.price(P("150"), P("0.001")) == "150.000"
    assert amounts.price(P("150.0016"), P("0.001")) == "150.0016"
    assert amounts.size(B("2"), B("0.01")) == "2.00"
    assert amounts.usdc(Q("984923.398")) == "984,923.40"
    assert amounts.usdc(-Q("0.004")) == "0.00"
    assert amounts.fee(75_002) == "0.075002"
    assert amounts.percent(992_499, 1) == "99.2%"
    assert amounts.percent(10, 3) == "0.001%"
