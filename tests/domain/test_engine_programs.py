"""The matching engine's order programs (brackets, JIT auctions, TWAP) and the edges of its
commands, on SOL-PERP with worked numbers."""

from __future__ import annotations

import pytest

from backend.domain.auction import AuctionQuote
from backend.domain.engine_events import CancelReason
from backend.domain.errors import OrderRejected, RejectCode
from backend.domain.fixed_point import parse_base, parse_price
from backend.domain.markets import MarketCatalog
from backend.domain.matching_engine import MatchingEngine
from backend.domain.orders import OrderStatus, OrderType, TimeInForce
from backend.domain.triggers import ReferencePrices
from tests.domain.order_factory import request

P, B = parse_price, parse_base
NOW = 1_000_000


@pytest.fixture
def engine(catalog: MarketCatalog) -> MatchingEngine:
    """A SOL-PERP engine with mark and oracle 150 and a book 149/151 (10 SOL each)."""
    eng = MatchingEngine(catalog.market("SOL-PERP"))
    eng.on_price(ReferencePrices(mark=P("150"), oracle=P("150"), last=P("150")), NOW)
    eng.submit(request("sell", price="151", size="10", account="mm"), NOW)
    eng.submit(request("buy", price="149", size="10", account="mm"), NOW)
    return eng


def _reason(result, order_id):
    return dict(result.cancelled).get(order_id)


def _whale_buy(engine: MatchingEngine, **fields):
    """A 2,500 SOL market buy: above SOL-PERP's 2,000 SOL auction threshold."""
    return engine.submit(
        request("buy", type="market", price=None, size="2500", account="whale", **fields), NOW
    )


# -- brackets ----------------------------------------------------------------------------


def _bracket(engine: MatchingEngine, size: str = "4"):
    entry = engine.submit(
        request(
            "buy",
            type="bracket",
            price="150",
            size=size,
            take_profit_price="150.5",
            stop_loss_price="140",
            account="alice",
        ),
        NOW,
    ).order
    take_profit, stop_loss = (
        o for o in engine.open_orders("alice") if o.parent_id == entry.order_id
    )
    return entry, take_profit, stop_loss


def test_bracket_legs_cover_the_entry_fills_less_what_the_legs_closed(engine) -> None:
    entry, take_profit, stop_loss = _bracket(engine)
    assert take_profit.request.type is OrderType.LIMIT
    assert stop_loss.request.type is OrderType.STOP_MARKET
    engine.submit(request("sell", price="150", size="2", account="bob"), NOW)  # entry 2 of 4
    assert (take_profit.remaining, stop_loss.remaining) == (B("2"), B("2"))
    # carol lifts 1 of the take-profit: alice is long 1, both legs cover 1
    engine.submit(request("buy", price="150.5", size="1", account="carol"), NOW)
    assert engine.position("alice") == B("1")
    assert (take_profit.remaining, stop_loss.remaining) == (B("1"), B("1"))
    # the entry fills its last 2: long 3, both legs cover 3 (not the entry's 4)
    engine.submit(request("sell", price="150", size="2", account="bob"), NOW)
    assert entry.status is OrderStatus.FILLED and engine.position("alice") == B("3")
    assert (take_profit.remaining, stop_loss.remaining) == (B("3"), B("3"))
    assert engine.book.resting(take_profit.order_id).remaining == B("3")


def test_bracket_take_profit_filling_cancels_the_stop(engine) -> None:
    _, take_profit, stop_loss = _bracket(engine, size="1")
    engine.submit(request("sell", price="150", size="1", account="bob"), NOW)
    result = engine.submit(request("buy", price="150.5", size="1", account="carol"), NOW)
    assert take_profit.status is OrderStatus.FILLED
    assert stop_loss.status is OrderStatus.CANCELLED
    assert _reason(result, stop_loss.order_id) is CancelReason.OCO
    assert engine.position("alice") == 0
    # the stop no longer fires
    assert not engine.on_price(ReferencePrices(mark=P("139")), NOW).triggered


def test_cancelling_a_bracket_leg_cancels_its_partner(engine) -> None:
    _, take_profit, stop_loss = _bracket(engine, size="1")
    engine.submit(request("sell", price="150", size="1", account="bob"), NOW)
    result = engine.cancel("alice", stop_loss.order_id, NOW)
    assert _reason(result, take_profit.order_id) is CancelReason.OCO
    assert engine.position("alice") == B("1") and not engine.open_orders("alice")


def test_stop_leg_larger_than_its_shrunk_partner_fills_through(engine) -> None:
    # alice is long 2 from the bracket; her plain sell of 1 at 155 leaves the reduce-only
    # take-profit room for 1, while the stop still covers 2
    _, take_profit, stop_loss = _bracket(engine, size="2")
    engine.submit(request("sell", price="150", size="2", account="bob"), NOW)
    engine.submit(request("sell", price="155", size="1", account="alice"), NOW)
    assert (take_profit.remaining, stop_loss.remaining) == (B("1"), B("2"))
    engine.cancel_all("mm", NOW)
    engine.submit(request("buy", price="139", size="1", account="mm"), NOW)
    engine.submit(request("buy", price="138", size="1", account="mm"), NOW)
    # the stop's first fill uses up the take-profit's cover: that cancels the take-profit,
    # never the stop, which goes on to its second fill
    result = engine.on_price(ReferencePrices(mark=P("140")), NOW)
    assert [f.price for f in result.fills] == [P("139"), P("138")]
    assert stop_loss.status is OrderStatus.FILLED
    assert _reason(result, take_profit.order_id) is CancelReason.OCO
    assert engine.position("alice") == 0


def test_a_bracket_entry_cannot_be_moved_past_its_exit_legs(engine) -> None:
    entry, take_profit, _ = _bracket(engine)  # buy at 150, take-profit 150.5, stop 140
    with pytest.raises(OrderRejected) as raised:
        engine.modify("alice", entry.order_id, P("150.6"), None, NOW)
    assert raised.value.code is RejectCode.INVALID_BRACKET
    engine.modify("alice", entry.order_id, P("145"), None, NOW)
    assert engine.book.resting(entry.order_id).price == P("145")
    assert take_profit.status is OrderStatus.PENDING


# -- JIT auctions --------------------------------------------------------------------------


def test_auction_settled_early_ignores_later_quotes_and_sends_the_rest_to_the_book(
    engine,
) -> None:
    taker = _whale_buy(engine)
    auction = taker.auctions_started[0]
    # the curve starts at 149.925 (oracle 150 less 0.05%) and rises to 157.5 over 2 s
    engine.quote_auction(auction.auction_id, AuctionQuote("jit", P("150"), B("2400"), NOW + 100))
    engine.quote_auction(auction.auction_id, AuctionQuote("late", P("150"), B("100"), NOW + 900))
    result = engine.settle_auction(auction.auction_id, NOW + 500)
    assert [(f.maker_account, f.price, f.size) for f in result.fills] == [
        ("jit", P("150"), B("2400")),
        ("mm", P("151"), B("10")),
    ]
    assert result.fills[0].maker_order_id == 0  # a quote, not a resting order
    assert engine.position("jit") == -B("2400") and engine.position("whale") == B("2410")
    assert _reason(result, taker.order.order_id) is CancelReason.IOC_REMAINDER
    assert engine.auction(auction.auction_id) is None
    with pytest.raises(OrderRejected) as raised:
        engine.settle_auction(auction.auction_id, NOW + 600)
    assert raised.value.code is RejectCode.AUCTION_CLOSED


def test_cancelling_an_order_in_auction_closes_the_auction(engine) -> None:
    taker = _whale_buy(engine)
    auction = taker.auctions_started[0]
    engine.quote_auction(auction.auction_id, AuctionQuote("jit", P("150"), B("2500"), NOW + 100))
    engine.cancel("whale", taker.order.order_id, NOW + 200)
    settled = engine.on_time(auction.end_ms)
    assert not settled.fills and not settled.auctions_settled
    assert taker.order.status is OrderStatus.CANCELLED and engine.position("whale") == 0


def test_reduce_only_auction_never_fills_past_a_position_that_shrank(engine) -> None:
    engine.set_position("whale", -B("2500"))
    taker = _whale_buy(engine, reduce_only=True)
    auction = taker.auctions_started[0]
    engine.quote_auction(auction.auction_id, AuctionQuote("jit", P("150"), B("2500"), NOW + 100))
    engine.set_position("whale", -B("2000"))  # closed elsewhere while the auction ran
    settled = engine.on_time(auction.end_ms)
    assert sum(f.size for f in settled.fills) == B("2000")
    assert engine.position("whale") == 0
    assert _reason(settled, taker.order.order_id) is CancelReason.REDUCE_ONLY


def test_fok_market_order_above_the_threshold_skips_the_auction(engine) -> None:
    engine.submit(request("sell", price="152", size="3000", account="deep"), NOW)
    result = _whale_buy(engine, time_in_force=TimeInForce.FOK)
    assert not result.auctions_started
    assert result.order.status is OrderStatus.FILLED
    assert sum(f.size for f in result.fills) == B("2500")


# -- TWAP ----------------------------------------------------------------------------------


def test_twap_with_a_price_limit_catches_up_what_did_not_fill(engine) -> None:
    # 3 SOL in 3 slices over 3 s, no higher than 151: mm offers only 1.5 there
    engine.cancel_all("mm", NOW)
    engine.submit(request("sell", price="151", size="1.5", account="mm"), NOW)
    parent = engine.submit(
        request(
            "buy",
            type="twap",
            price="151",
            size="3",
            twap_duration_s=3,
            twap_slices=3,
            account="alice",
        ),
        NOW,
    ).order
    assert parent.filled == B("1") and parent.status is OrderStatus.PARTIALLY_FILLED
    engine.on_time(NOW + 1_000)  # slice 2 due, only 0.5 there; the IOC rest is cancelled
    assert parent.filled == B("1.5")
    engine.submit(request("sell", price="151", size="5", account="mm"), NOW + 1_500)
    engine.on_time(NOW + 2_000)  # the last slice sends all that is still owed: 1.5
    assert parent.filled == B("3") and parent.status is OrderStatus.FILLED
    assert engine.position("alice") == B("3")


def test_twap_that_cannot_finish_expires_at_its_last_slice(engine) -> None:
    engine.cancel_all("mm", NOW)
    parent = engine.submit(
        request(
            "buy",
            type="twap",
            price=None,
            size="2",
            twap_duration_s=2,
            twap_slices=2,
            account="alice",
        ),
        NOW,
    ).order
    result = engine.on_time(NOW + 1_000)
    assert parent.status is OrderStatus.EXPIRED and parent.filled == 0
    assert _reason(result, parent.order_id) is CancelReason.EXPIRED


# -- command edges ---------------------------------------------------------------------------


def test_submit_never_changes_the_callers_request(engine) -> None:
    engine.set_position("alice", B("2"))
    sent = request("sell", price="160", size="5", reduce_only=True, account="alice")
    result = engine.submit(sent, NOW)
    assert sent.size == B("5")
    assert result.order.request.size == B("2")  # capped at the position


def test_submit_takes_in_the_prices_it_is_given(engine) -> None:
    # the 5% band around a mark of 160 reaches 168, so the offer at 166 is in reach (around
    # the old mark of 150 it would stop at 157.5)
    engine.cancel_all("mm", NOW)
    engine.submit(request("sell", price="166", size="1", account="mm"), NOW)
    result = engine.submit(
        request("buy", type="market", price=None, size="1", account="alice"),
        NOW,
        ReferencePrices(mark=P("160")),
    )
    assert result.order.filled == B("1")
    assert engine.prices.mark == P("160") and engine.prices.oracle == P("150")


def test_modify_to_the_same_price_and_size_keeps_priority(engine) -> None:
    first = engine.submit(request("buy", price="150", size="1", account="alice"), NOW).order
    engine.submit(request("buy", price="150", size="1", account="bob"), NOW)
    result = engine.modify("alice", first.order_id, P("150"), B("1"), NOW)
    assert not result.changed and not result.deltas
    fills = engine.submit(request("sell", price="150", size="1", account="carol"), NOW).fills
    assert fills[0].maker_account == "alice"


def test_modify_growing_an_order_loses_priority(engine) -> None:
    first = engine.submit(request("buy", price="150", size="1", account="alice"), NOW).order
    engine.submit(request("buy", price="150", size="1", account="bob"), NOW)
    engine.modify("alice", first.order_id, None, B("2"), NOW)
    fills = engine.submit(request("sell", price="150", size="1", account="carol"), NOW).fills
    assert fills[0].maker_account == "bob"


def test_modifying_a_reduce_only_order_across_the_book_is_capped_at_the_position(engine) -> None:
    engine.set_position("alice", B("1"))
    order = engine.submit(
        request("sell", price="155", size="1", reduce_only=True, account="alice"), NOW
    ).order
    # growing it to 3 and crossing the 149 bid: only the 1 held can be sold, none rests
    result = engine.modify("alice", order.order_id, P("149"), B("3"), NOW)
    assert [(f.price, f.size) for f in result.fills] == [(P("149"), B("1"))]
    assert order.status is OrderStatus.FILLED and order.request.size == B("1")
    assert engine.position("alice") == 0 and order.order_id not in engine.book
