"""The ticket's pre-trade preview, without Qt: worked numbers for the book walk, fees and
margin, and the same verdicts as the backend's own checks on the same state."""

from __future__ import annotations

import copy

import pytest

from backend.domain.account import Account
from backend.domain.errors import OrderRejected
from backend.domain.fixed_point import parse_base, parse_price, parse_quote
from backend.domain.margin import MarketPrices
from backend.domain.markets import load_default_catalog
from backend.domain.orders import OrderRequest, OrderType, Side
from backend.domain.positions import Position
from backend.schemas.markets import MarketSpecOut
from backend.schemas.orders import OrderBody, to_request
from backend.services.trading.commands import Deposit, SetPrices, Submit
from backend.services.trading.state import TradingState
from quantdesk_desktop.panels.ticket.book_walk import protected_price, walk_book, worst_price
from quantdesk_desktop.panels.ticket.catalog import catalog_from_wire
from quantdesk_desktop.panels.ticket.preview import preview_order
from quantdesk_desktop.panels.ticket.snapshot import AccountNow, MarketNow

SOL = "SOL-PERP"
NOW_MS = 1_700_000_000_000
SHIPPED = load_default_catalog()
CATALOG = catalog_from_wire({s.symbol: MarketSpecOut.of(s).model_dump() for s in SHIPPED})
SPEC = CATALOG.markets[SOL]
P = parse_price
B = parse_base
Q = parse_quote


def levels(*rows: tuple[str, str]) -> tuple[tuple[int, int], ...]:
    return tuple((P(price), B(size)) for price, size in rows)


BIDS = levels(("149.999", "0.5"), ("149.998", "1.2"), ("149.995", "2"))
ASKS = levels(("150.001", "0.7"), ("150.003", "1.5"), ("150.010", "4"))
MARKET = MarketNow(SPEC, BIDS, ASKS, mark=P("150"), oracle=P("150"))
PRICES = {SOL: MarketPrices(P("150"), P("150"))}


def account(usdc: str = "1000", position: str | None = None, entry: str = "150") -> AccountNow:
    held = Account("me", {"USDC": Q(usdc)})
    if position is not None:
        base = B(position)
        held.positions[SOL] = Position(SOL, base, -base * P(entry) // 10**9)
    return AccountNow(held, 0)


def body(**fields: object) -> dict:
    base = {"market": SOL, "side": "buy", "type": "market", "size": "1", "client_order_id": "c1"}
    base.update(fields)
    return base


def preview(account_now: AccountNow | None = None, market: MarketNow = MARKET, **fields):
    held = account() if account_now is None else account_now
    return preview_order(body(**fields), CATALOG, market, held, PRICES, NOW_MS)


def test_a_market_buy_walks_two_levels_with_the_fee_charged_per_level() -> None:
    result = preview()
    estimate = result.estimate
    # 0.7 at 150.001 and 0.3 at 150.003: 105.0007 + 45.0009 = 150.0016 for 1 SOL
    assert estimate.price == P("150.0016")
    assert estimate.taker == B("1") and estimate.maker == 0
    assert estimate.notional == Q("150.0016")
    # taker fee 0.05% rounded up per level: ceil(52.50035) + ceil(22.50045) micro-USDC
    assert estimate.fee == 52_501 + 22_501
    assert result.mid == P("150")
    assert result.slippage == 10  # 1.6e-3 / 150 = 10.67 ppm, rounded down
    # initial margin of 1 SOL at the mark 150 at 10%
    assert result.initial_margin == Q("15")
    # 1000 - fee - 0.0016 (bought above the mark) - 15 of requirement
    assert result.free_collateral_after == Q("1000") - 75_002 - 1_600 - Q("15")
    assert result.health_after == 1_000_000 - 7_501  # ceil(7.5 / 999.923398 * 1e6)
    assert result.position_after == B("1")
    assert result.rejection is None


def test_a_marketable_limit_takes_what_crosses_and_rests_the_rest_at_the_maker_fee() -> None:
    result = preview(type="limit", size="2", price="150.002")
    estimate = result.estimate
    assert estimate.taker == B("0.7") and estimate.maker == B("1.3")
    assert estimate.fee == 52_501 + 39_001  # maker 0.02% of 195.0026, rounded up
    gross = P("150.001") * B("0.7") + P("150.002") * B("1.3")
    assert estimate.price == -(-gross // B("2"))
    assert "0.7 takes now, 1.3 rests at the limit" in result.notes
    assert result.slippage == 6  # of the part that takes: 150.001 against the mid 150


def test_a_passive_limit_rests_at_the_maker_fee_with_no_slippage() -> None:
    result = preview(type="limit", size="1", price="149.5")
    assert result.estimate.maker == B("1") and result.estimate.fee == 29_900
    assert result.slippage is None


def test_a_sell_walks_the_bids_and_rounds_its_average_down() -> None:
    estimate = preview(side="sell", size="1").estimate
    gross = P("149.999") * B("0.5") + P("149.998") * B("0.5")
    assert estimate.price == gross // B("1") == P("149.9985")


def test_a_market_order_stops_at_the_protection_band() -> None:
    asks = levels(("150.001", "0.7"), ("158", "10"))
    result = preview(market=MarketNow(SPEC, BIDS, asks, mark=P("150"), oracle=P("150")))
    assert result.estimate.taker == B("0.7")
    assert any("Only 0.7 of 1 can fill now" in note for note in result.notes)


def test_walk_book_respects_the_limit_and_protected_price_matches_the_engine_band() -> None:
    walk = walk_book(ASKS, Side.BUY, B("5"), P("150.003"), 0)
    assert walk.filled == B("2.2") and walk.levels == 2
    assert protected_price(Side.BUY, P("150"), SPEC.tick_size) == P("157.5")
    assert protected_price(Side.SELL, P("150"), SPEC.tick_size) == P("142.5")


def test_worst_price_is_the_highest_known_price_for_a_buy() -> None:
    request = OrderRequest(
        "a", SOL, Side.BUY, OrderType.STOP_LIMIT, B("1"), "c", P("151"), P("152")
    )
    assert worst_price(request, P("157.5")) == P("152")
    market = OrderRequest("a", SOL, Side.BUY, OrderType.MARKET, B("1"), "c")
    assert worst_price(market, P("157.5")) == P("157.5")


def test_a_triggered_order_is_priced_at_its_trigger_and_shows_no_slippage() -> None:
    result = preview(side="sell", type="stop_market", trigger_price="145")
    assert result.estimate.price == P("145") and result.estimate.taker_price is None
    assert result.slippage is None


def test_a_trailing_percent_is_priced_at_the_trigger_it_would_set_now() -> None:
    result = preview(side="sell", type="trailing_stop", trailing_percent="0.01")
    assert result.estimate.price == P("148.5")


def test_the_liquidation_price_of_the_position_after_comes_from_the_domain() -> None:
    result = preview(account("100"), size="5", side="buy", type="limit", price="150")
    # 5 SOL long at 150 on 100 USDC less the 0.15 maker fee: liquidated where
    # 99.85 - 5 * (150 - p) = 5 * p * 5%, p = 650.15 / 4.75 = 136.8736842.., rounded up
    assert result.liquidation_price_after == P("136.873685")


def test_a_reduce_only_order_is_capped_at_the_position_and_refused_when_it_would_grow() -> None:
    capped = preview(account(position="0.4"), side="sell", size="1", reduce_only=True)
    assert capped.size == B("0.4") and capped.rejection is None
    grows = preview(account(position="0.4"), side="buy", size="1", reduce_only=True)
    assert grows.rejection is not None
    assert grows.rejection.code == "reduce_only_would_increase"
    assert grows.rejection.field == "reduce_only"


def test_an_unknown_account_gives_no_account_figures_and_no_margin_verdict() -> None:
    result = preview_order(body(size="1000"), CATALOG, MARKET, None, PRICES, NOW_MS)
    assert result.rejection is None
    assert result.free_collateral_after is None
    assert "Account not loaded yet" in result.notes


def test_a_halted_oracle_refuses_all_but_reduce_only() -> None:
    halted = MarketNow(SPEC, BIDS, ASKS, mark=P("150"), oracle=P("150"), oracle_status="halted")
    assert preview(market=halted).rejection.code == "no_valid_price"
    closing = preview(account(position="1"), market=halted, side="sell", reduce_only=True)
    assert closing.rejection is None


# -- the same verdicts as the backend ------------------------------------------------------


@pytest.fixture(scope="module")
def trading() -> TradingState:
    """A backend state: SOL at 150, a maker's book around it, a trader with 1000 USDC."""
    state = TradingState(SHIPPED)
    state.apply(Deposit("maker", "USDC", Q("10000000")), NOW_MS)
    state.apply(Deposit("trader", "USDC", Q("1000")), NOW_MS)
    state.apply(SetPrices(SOL, mark=P("150"), oracle=P("150")), NOW_MS)
    for i, (side, price, size) in enumerate(
        [
            ("sell", "150.001", "0.7"),
            ("sell", "150.003", "1.5"),
            ("sell", "150.010", "4"),
            ("buy", "149.999", "0.5"),
            ("buy", "149.998", "1.2"),
        ]
    ):
        order = OrderBody(
            market=SOL, side=side, type="limit", size=size, price=price, client_order_id=f"m{i}"
        )
        state.apply(Submit(to_request(order, "maker", state.catalog)), NOW_MS)
    return state


CASES = [
    {},
    {"size": "100"},
    {"type": "limit", "size": "10", "price": "149"},
    {"type": "limit", "size": "70", "price": "149"},
    {"type": "limit", "size": "80", "price": "149"},
    {"type": "limit", "size": "1", "price": "149.0005"},
    {"type": "limit", "size": "0.015", "price": "149"},
    {"type": "limit", "size": "0.005", "price": "149"},
    {"type": "limit", "size": "1", "price": "150.001", "post_only": True},
    {"type": "limit", "size": "5", "price": "150.02", "time_in_force": "fok"},
    {"type": "limit", "size": "7", "price": "150.02", "time_in_force": "fok"},
    {"type": "limit", "size": "1", "price": "149", "time_in_force": "gtd", "expire_at_ms": 1},
    {"side": "sell", "reduce_only": True},
    {"type": "stop_market", "trigger_price": "149"},
    {"type": "stop_market", "trigger_price": "151"},
    {"side": "sell", "type": "stop_limit", "trigger_price": "145", "price": "144.5"},
    {"side": "sell", "type": "take_profit_market", "trigger_price": "149"},
    {"side": "sell", "type": "trailing_stop", "trailing_percent": "0.01"},
    {"side": "sell", "type": "trailing_stop", "trailing_percent": "0.6"},
    {"type": "iceberg", "size": "2", "price": "149", "visible_size": "2"},
    {"type": "iceberg", "size": "2", "price": "149", "visible_size": "0.5"},
    {"type": "twap", "size": "1", "twap_duration_s": 60, "twap_slices": 4},
    {"type": "twap", "size": "0.05", "twap_duration_s": 60, "twap_slices": 10},
    {"type": "bracket", "price": "149", "take_profit_price": "160", "stop_loss_price": "145"},
    {"type": "bracket", "price": "149", "take_profit_price": "145", "stop_loss_price": "160"},
    {"type": "market", "price": "149"},
]


@pytest.mark.parametrize("fields", CASES, ids=repr)
def test_the_preview_refuses_exactly_what_the_backend_refuses(
    trading: TradingState, fields: dict
) -> None:
    state = copy.deepcopy(trading)
    order = body(client_order_id="t1", **fields)
    try:
        request = to_request(OrderBody(**order), "trader", state.catalog)
        state.apply(Submit(request), NOW_MS)
        backend = None
    except OrderRejected as error:
        backend = error.code.value
    book = trading.engine(SOL).book.snapshot()
    prices = trading.engine(SOL).prices
    market = MarketNow(SPEC, book.bids, book.asks, prices.mark, prices.oracle, prices.last)
    held = AccountNow(trading.ledger.accounts["trader"].copy(), trading.reserved_margin("trader"))
    result = preview_order(order, CATALOG, market, held, dict(trading.prices), NOW_MS)
    ticket = None if result.rejection is None else result.rejection.code
    assert ticket == backend, result.rejection


def test_time_in_force_market_gtd_is_refused_with_its_field() -> None:
    result = preview(time_in_force="gtd", expire_at_ms=NOW_MS + 60_000)
    assert result.rejection.field == "time_in_force"
