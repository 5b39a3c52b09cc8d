"""JIT auction price curve and settlement."""

from __future__ import annotations

import pytest

from backend.domain.auction import AuctionQuote, start_auction
from backend.domain.errors import OrderRejected, RejectCode
from backend.domain.fixed_point import parse_base, parse_price
from backend.domain.markets import MarketCatalog
from backend.domain.orders import Side

P = parse_price
B = parse_base


@pytest.fixture
def sol(catalog: MarketCatalog):
    return catalog.market("SOL-PERP")


def test_buy_curve_starts_below_oracle_and_rises_to_the_worst_price(sol) -> None:
    # oracle 150, offset 0.05% -> start 149.925; worst 157.5; duration 2 s
    auction = start_auction(1, sol, Side.BUY, B("2000"), P("150"), P("157.5"), now_ms=10_000)
    assert auction.price_at(10_000) == P("149.925")
    assert auction.price_at(11_000) == P("153.712")  # halfway, 153.7125 on a 0.001 tick, down
    assert auction.price_at(12_000) == P("157.5")
    assert auction.price_at(99_999) == P("157.5")


def test_sell_curve_starts_above_oracle_and_falls(sol) -> None:
    auction = start_auction(1, sol, Side.SELL, B("2000"), P("150"), P("142.5"), now_ms=0)
    assert auction.price_at(0) == P("150.075")
    assert auction.price_at(1_000) == P("146.288")  # 146.2875 rounded up for a falling curve
    assert auction.price_at(2_000) == P("142.5")


def test_start_never_lies_beyond_the_worst_price(sol) -> None:
    auction = start_auction(1, sol, Side.BUY, B("2000"), P("150"), P("149"), now_ms=0)
    assert auction.start_price == P("149")


def test_settlement_takes_eligible_quotes_best_price_then_earliest(sol) -> None:
    auction = start_auction(7, sol, Side.BUY, B("2000"), P("150"), P("157.5"), now_ms=0)
    quotes = [
        AuctionQuote("late_cheap", P("150.5"), B("600"), 1_500),
        AuctionQuote("early_same", P("150.5"), B("600"), 1_000),
        AuctionQuote("too_dear", P("155"), B("5000"), 100),  # curve was ~150.3 at 100 ms
        AuctionQuote("best", P("150"), B("500"), 800),
    ]
    fills, left = auction.settle(quotes)
    assert [(f.maker, f.price, f.size) for f in fills] == [
        ("best", P("150"), B("500")),
        ("early_same", P("150.5"), B("600")),
        ("late_cheap", P("150.5"), B("600")),
    ]
    assert left == B("300")


def test_bad_quotes_are_refused(sol) -> None:
    auction = start_auction(1, sol, Side.BUY, B("2000"), P("150"), P("157.5"), now_ms=0)
    with pytest.raises(OrderRejected) as raised:
        auction.check_quote(AuctionQuote("m", P("150"), B("0.005"), 10))
    assert raised.value.code is RejectCode.INVALID_QUOTE
    with pytest.raises(OrderRejected) as raised:
        auction.check_quote(AuctionQuote("m", P("150.0001"), B("1"), 10))
    assert raised.value.code is RejectCode.INVALID_QUOTE
    with pytest.raises(OrderRejected) as raised:
        auction.check_quote(AuctionQuote("m", P("150"), B("1"), 2_001))
    assert raised.value.code is RejectCode.AUCTION_CLOSED


def test_quotes_after_an_early_settlement_do_not_count(sol) -> None:
    auction = start_auction(1, sol, Side.BUY, B("2000"), P("150"), P("157.5"), now_ms=0)
    quotes = [
        AuctionQuote("early", P("151"), B("500"), 400),
        AuctionQuote("after_settle", P("150"), B("2000"), 1_200),
    ]
    fills, left = auction.settle(quotes, settle_ms=1_000)
    assert [(f.maker, f.size) for f in fills] == [("early", B("500"))]
    assert left == B("1500")


def test_a_size_cap_limits_what_the_quotes_fill(sol) -> None:
    # a reduce-only taker whose position shrank to 700 during the auction
    auction = start_auction(1, sol, Side.SELL, B("2000"), P("150"), P("142.5"), now_ms=0)
    # the falling curve starts at 150.075: a sell taker wants quotes at or above it
    quotes = [
        AuctionQuote("m1", P("150.2"), B("500"), 10),
        AuctionQuote("m2", P("150.1"), B("500"), 5),
    ]
    fills, left = auction.settle(quotes, size=B("700"))
    assert [(f.maker, f.price, f.size) for f in fills] == [
        ("m1", P("150.2"), B("500")),
        ("m2", P("150.1"), B("200")),
    ]
    assert left == 0
