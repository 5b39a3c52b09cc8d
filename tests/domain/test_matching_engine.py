"""The matching engine: every order type and flag, on SOL-PERP with worked numbers."""

from __future__ import annotations

import pytest

from backend.domain.auction import AuctionQuote
from backend.domain.engine_events import CancelReason
from backend.domain.errors import OrderRejected, RejectCode
from backend.domain.fixed_point import parse_base, parse_price
from backend.domain.markets import MarketCatalog
from backend.domain.matching_engine import MatchingEngine
from backend.domain.orders import OrderStatus, Side, TimeInForce
from backend.domain.triggers import ReferencePrices
from tests.domain.order_factory import request

P, B = parse_price, parse_base
NOW = 1_000_000


@pytest.fixture
def engine(catalog: MarketCatalog) -> MatchingEngine:
    """A SOL-PERP engine with a mark of 150 and a book 149/151 around it."""
    eng = MatchingEngine(catalog.market("SOL-PERP"))
    eng.on_price(ReferencePrices(mark=P("150"), oracle=P("150"), last=P("150")), NOW)
    eng.submit(request("sell", price="151", size="10", account="mm"), NOW)
    eng.submit(request("sell", price="152", size="10", account="mm"), NOW)
    eng.submit(request("buy", price="149", size="10", account="mm"), NOW)
    eng.submit(request("buy", price="148", size="10", account="mm"), NOW)
    return eng


def _reason(result, order_id):
    return dict(result.cancelled).get(order_id)


def test_limit_order_rests_then_fills_with_fees_and_trade_ids(engine) -> None:
    placed = engine.submit(request("buy", price="150", size="2", account="alice"), NOW)
    assert placed.order.status is OrderStatus.OPEN
    assert engine.book.best_bid() == P("150")
    taken = engine.submit(request("sell", type="market", price=None, size="3", account="bob"), NOW)
    fills = taken.fills
    assert [(f.price, f.size, f.maker_account) for f in fills] == [
        (P("150"), B("2"), "alice"),
        (P("149"), B("1"), "mm"),
    ]
    # fees on 300 USDC: maker 2 bps = 0.06, taker 5 bps = 0.15 (quote units 1e-6)
    assert (fills[0].maker_fee, fills[0].taker_fee) == (60_000, 150_000)
    assert fills[1].trade_id == fills[0].trade_id + 1
    assert placed.order.status is OrderStatus.FILLED
    assert taken.order.status is OrderStatus.FILLED
    assert engine.position("alice") == B("2") and engine.position("bob") == -B("3")
    assert taken.deltas and all(d.market == "SOL-PERP" for d in taken.deltas)


def test_market_order_remainder_is_cancelled_as_ioc(engine) -> None:
    result = engine.submit(
        request("buy", type="market", price=None, size="25", account="alice"), NOW
    )
    # 20 available within the 5% band (151, 152)
    assert result.order.filled == B("20")
    assert result.order.status is OrderStatus.CANCELLED
    assert _reason(result, result.order.order_id) is CancelReason.IOC_REMAINDER


def test_market_order_protection_band_stops_the_walk(engine) -> None:
    engine.submit(request("sell", price="170", size="10", account="mm2"), NOW)
    result = engine.submit(
        request("buy", type="market", price=None, size="30", account="alice"), NOW
    )
    assert max(f.price for f in result.fills) == P("152")  # 170 is beyond 150 * 1.05


def test_ioc_limit_fills_what_it_can(engine) -> None:
    result = engine.submit(
        request("buy", price="151", size="15", account="alice", time_in_force=TimeInForce.IOC), NOW
    )
    assert result.order.filled == B("10")
    assert _reason(result, result.order.order_id) is CancelReason.IOC_REMAINDER
    assert engine.book.best_bid() == P("149")


def test_fok_is_all_or_nothing(engine) -> None:
    with pytest.raises(OrderRejected) as raised:
        engine.submit(
            request("buy", price="151", size="15", account="alice", time_in_force=TimeInForce.FOK),
            NOW,
        )
    assert raised.value.code is RejectCode.FOK_NOT_FILLABLE
    assert engine.book.levels(Side.SELL, 1) == [(P("151"), B("10"))]
    done = engine.submit(
        request("buy", price="152", size="15", account="alice", time_in_force=TimeInForce.FOK), NOW
    )
    assert done.order.status is OrderStatus.FILLED


def test_post_only_that_would_take_is_rejected(engine) -> None:
    with pytest.raises(OrderRejected) as raised:
        engine.submit(request("buy", price="151", post_only=True), NOW)
    assert raised.value.code is RejectCode.POST_ONLY_WOULD_TAKE
    rested = engine.submit(request("buy", price="150.5", post_only=True), NOW)
    assert rested.order.status is OrderStatus.OPEN and not rested.fills


def test_repeated_client_order_id_returns_the_original(engine) -> None:
    first = engine.submit(request("buy", price="150", client_order_id="abc"), NOW)
    again = engine.submit(request("buy", price="150", client_order_id="abc", size="5"), NOW)
    assert again.duplicate and again.order is first.order
    assert not again.fills and not again.changed
    assert engine.book.levels(Side.BUY, 1) == [(P("150"), B("1"))]
    other_account = engine.submit(
        request("buy", price="150", client_order_id="abc", account="bob"), NOW
    )
    assert not other_account.duplicate


def test_self_trade_prevention_cancels_the_resting_order(engine) -> None:
    result = engine.submit(request("buy", price="151", size="1", account="mm"), NOW)
    cancelled = [oid for oid, why in result.cancelled if why is CancelReason.SELF_TRADE]
    assert len(cancelled) == 1 and not result.fills
    assert engine.book.best_ask() == P("152")


def test_stop_market_fires_on_the_mark(engine) -> None:
    engine.submit(request("buy", type="market", price=None, size="1", account="alice"), NOW)
    stop = engine.submit(
        request(
            "sell", type="stop_market", price=None, size="1", trigger_price="145", account="alice"
        ),
        NOW,
    ).order
    assert stop.status is OrderStatus.PENDING
    assert not engine.on_price(ReferencePrices(mark=P("146")), NOW).triggered
    fired = engine.on_price(ReferencePrices(mark=P("145")), NOW + 1)
    assert fired.triggered == [stop.order_id]
    assert stop.status is OrderStatus.FILLED and fired.fills[0].price == P("149")


def test_stop_limit_rests_after_triggering(engine) -> None:
    order = engine.submit(
        request(
            "buy", type="stop_limit", price="150.5", size="1", trigger_price="155", account="alice"
        ),
        NOW,
    ).order
    engine.on_price(ReferencePrices(mark=P("155")), NOW)
    assert order.status is OrderStatus.OPEN and engine.book.best_bid() == P("150.5")


def test_take_profit_limit_fills_when_reached(engine) -> None:
    order = engine.submit(
        request(
            "sell",
            type="take_profit_limit",
            price="149",
            size="1",
            trigger_price="160",
            account="alice",
        ),
        NOW,
    ).order
    engine.on_price(ReferencePrices(mark=P("160")), NOW)
    assert order.status is OrderStatus.FILLED


def test_trailing_stop_tracks_the_best_mark(engine) -> None:
    order = engine.submit(
        request(
            "sell", type="trailing_stop", price=None, size="1", trailing_amount="3", account="alice"
        ),
        NOW,
    ).order
    engine.on_price(ReferencePrices(mark=P("156")), NOW)
    assert engine.triggers.get(order.order_id).trigger_price == P("153")
    assert not engine.on_price(ReferencePrices(mark=P("154")), NOW).triggered
    assert engine.on_price(ReferencePrices(mark=P("153")), NOW).triggered == [order.order_id]


def test_iceberg_shows_a_slice_and_refills(engine) -> None:
    order = engine.submit(
        request(
            "sell", type="iceberg", price="150.5", size="10", visible_size="2", account="alice"
        ),
        NOW,
    ).order
    assert engine.book.levels(Side.SELL, 1) == [(P("150.5"), B("2"))]
    result = engine.submit(request("buy", price="150.5", size="3", account="bob"), NOW)
    assert result.order.filled == B("3")
    assert order.filled == B("3") and order.status is OrderStatus.PARTIALLY_FILLED
    assert engine.book.levels(Side.SELL, 1) == [(P("150.5"), B("1"))]


def test_gtd_order_expires(engine) -> None:
    order = engine.submit(
        request("buy", price="140", time_in_force=TimeInForce.GTD, expire_at_ms=NOW + 500), NOW
    ).order
    assert not engine.on_time(NOW + 499).cancelled
    result = engine.on_time(NOW + 500)
    assert _reason(result, order.order_id) is CancelReason.EXPIRED
    assert order.status is OrderStatus.EXPIRED


def _twap_of_four_slices(engine):
    """alice buys 4 SOL by TWAP: 4 slices over 4 s, the first at once."""
    twap = request(
        "buy", type="twap", price=None, size="4", twap_duration_s=4, twap_slices=4, account="alice"
    )
    return engine.submit(twap, NOW).order


def test_twap_sends_slices_on_the_clock(engine) -> None:
    parent = _twap_of_four_slices(engine)
    assert parent.filled == B("1")
    engine.on_time(NOW + 999)
    assert parent.filled == B("1")
    engine.on_time(NOW + 2_000)  # slices at +1 s and +2 s both due
    assert parent.filled == B("3")
    engine.on_time(NOW + 3_000)
    assert parent.filled == B("4") and parent.status is OrderStatus.FILLED


def test_cancelling_a_twap_stops_its_slices(engine) -> None:
    parent = _twap_of_four_slices(engine)
    engine.cancel("alice", parent.order_id, NOW)
    engine.on_time(NOW + 4_000)
    assert parent.filled == B("1") and parent.status is OrderStatus.CANCELLED


def test_bracket_legs_wait_for_the_entry_then_form_an_oco_pair(engine) -> None:
    entry = engine.submit(
        request(
            "buy",
            type="bracket",
            price="150",
            size="4",
            take_profit_price="160",
            stop_loss_price="140",
            account="alice",
        ),
        NOW,
    ).order
    legs = [o for o in engine.open_orders("alice") if o.parent_id == entry.order_id]
    take_profit, stop_loss = legs
    assert take_profit.status is OrderStatus.PENDING and stop_loss.status is OrderStatus.PENDING
    # a partial fill of the entry sizes both legs to it
    engine.submit(request("sell", price="150", size="1", account="bob"), NOW)
    assert take_profit.request.size == B("1") and stop_loss.request.size == B("1")
    assert engine.book.levels(Side.SELL, 1) == [(P("151"), B("10"))]
    assert engine.book.resting(take_profit.order_id).remaining == B("1")
    engine.submit(request("sell", price="150", size="3", account="bob"), NOW)
    assert entry.status is OrderStatus.FILLED
    assert engine.book.resting(take_profit.order_id).remaining == B("4")
    # the stop fires: its fill cancels the take-profit (OCO)
    result = engine.on_price(ReferencePrices(mark=P("140")), NOW)
    assert stop_loss.status is OrderStatus.FILLED
    assert take_profit.status is OrderStatus.CANCELLED
    assert _reason(result, take_profit.order_id) is CancelReason.OCO
    assert engine.position("alice") == 0


def test_cancelling_an_unfilled_bracket_cancels_its_legs(engine) -> None:
    entry = engine.submit(
        request(
            "buy",
            type="bracket",
            price="140",
            size="1",
            take_profit_price="160",
            stop_loss_price="130",
            account="alice",
        ),
        NOW,
    ).order
    result = engine.cancel("alice", entry.order_id, NOW)
    assert len(result.cancelled) == 3 and not engine.open_orders("alice")


def test_reduce_only_is_refused_without_a_position(engine) -> None:
    with pytest.raises(OrderRejected) as raised:
        engine.submit(request("sell", price="155", reduce_only=True), NOW)
    assert raised.value.code is RejectCode.REDUCE_ONLY_WOULD_INCREASE


def test_reduce_only_is_capped_at_the_position(engine) -> None:
    engine.submit(request("buy", type="market", price=None, size="2", account="alice"), NOW)
    result = engine.submit(
        request("sell", type="market", price=None, size="5", reduce_only=True, account="alice"), NOW
    )
    assert result.order.filled == B("2") and engine.position("alice") == 0


def test_resting_reduce_only_shrinks_when_the_position_does(engine) -> None:
    engine.submit(request("buy", type="market", price=None, size="3", account="alice"), NOW)
    take_profit = engine.submit(
        request("sell", price="160", size="3", reduce_only=True, account="alice"), NOW
    ).order
    engine.submit(request("sell", type="market", price=None, size="2", account="alice"), NOW)
    assert engine.book.resting(take_profit.order_id).remaining == B("1")
    result = engine.submit(
        request("sell", type="market", price=None, size="1", account="alice"), NOW
    )
    assert _reason(result, take_profit.order_id) is CancelReason.REDUCE_ONLY


def test_large_market_order_goes_through_a_jit_auction(engine) -> None:
    taker = engine.submit(
        request("buy", type="market", price=None, size="2500", account="whale"), NOW
    )
    auction = taker.auctions_started[0]
    assert not taker.fills and taker.order.status is OrderStatus.OPEN
    engine.quote_auction(auction.auction_id, AuctionQuote("jit", P("150.2"), B("2000"), NOW + 500))
    with pytest.raises(OrderRejected):
        engine.quote_auction(auction.auction_id, AuctionQuote("whale", P("150"), B("1"), NOW))
    settled = engine.on_time(auction.end_ms)
    assert settled.auctions_settled[0][1][0].maker_account == "jit"
    # 2000 from the quote, the remaining 500 from the book (20 lots at 151 and 152)
    assert taker.order.filled == B("2020")
    assert engine.position("jit") == -B("2000")
    assert taker.order.status is OrderStatus.CANCELLED


def test_modify_shrink_keeps_priority_and_reprice_requeues(engine) -> None:
    first = engine.submit(request("buy", price="150", size="3", account="alice"), NOW).order
    engine.submit(request("buy", price="150", size="3", account="bob"), NOW)
    engine.modify("alice", first.order_id, None, B("2"), NOW)
    fills = engine.submit(request("sell", price="150", size="1", account="carol"), NOW).fills
    assert fills[0].maker_account == "alice"
    engine.modify("alice", first.order_id, P("150.5"), None, NOW)
    assert engine.book.best_bid() == P("150.5")
    with pytest.raises(OrderRejected) as raised:
        engine.modify("bob", first.order_id, None, B("1"), NOW)
    assert raised.value.code is RejectCode.ORDER_NOT_FOUND


def test_cancel_refuses_unknown_and_foreign_orders(engine) -> None:
    order = engine.submit(request("buy", price="140", account="alice"), NOW).order
    for account, order_id in (("bob", order.order_id), ("alice", 99_999)):
        with pytest.raises(OrderRejected) as raised:
            engine.cancel(account, order_id, NOW)
        assert raised.value.code is RejectCode.ORDER_NOT_FOUND
    engine.cancel("alice", order.order_id, NOW)
    assert order.status is OrderStatus.CANCELLED


def test_cancel_all_is_per_account(engine) -> None:
    engine.submit(request("buy", price="140", account="alice"), NOW)
    engine.submit(request("buy", price="141", account="alice"), NOW)
    result = engine.cancel_all("alice", NOW)
    assert len(result.cancelled) == 2 and not engine.open_orders("alice")
    assert engine.open_orders("mm")


def test_open_sizes_sum_working_orders_by_side_without_reduce_only(engine) -> None:
    engine.submit(request("buy", price="149.5", size="2", account="ann"), NOW)
    engine.submit(request("buy", price="139", size="1.5", account="ann"), NOW)
    engine.submit(request("sell", price="160", size="3", account="ann"), NOW)
    engine.submit(request("sell", price="161", size="4", account="bob"), NOW)
    assert engine.open_sizes("ann") == (B("3.5"), B("3"))
    assert engine.open_sizes("nobody") == (0, 0)
    engine.submit(request("sell", type="market", price=None, size="0.5", account="bob"), NOW)
    assert engine.open_sizes("ann") == (B("3"), B("3"))  # 0.5 of the best bid (ann's) filled
