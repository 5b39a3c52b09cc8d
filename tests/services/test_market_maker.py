"""The embedded market makers' quoting rules."""

from __future__ import annotations

import pytest

from backend.domain.auction import start_auction
from backend.domain.fixed_point import parse_base, parse_price
from backend.domain.markets import MarketCatalog
from backend.domain.orders import Side
from backend.services.liquidity.market_maker import (
    MakerPolicy,
    Quote,
    RestingQuote,
    auction_quote,
    ladder,
    refresh,
)

P, B = parse_price, parse_base
POLICY = MakerPolicy()


@pytest.fixture
def sol(catalog: MarketCatalog):
    return catalog.market("SOL-PERP")


def test_flat_maker_quotes_a_symmetric_ladder_on_tick(sol) -> None:
    quotes = ladder(sol, POLICY, P("150"), inventory=0)
    bids = [q for q in quotes if q.side is Side.BUY]
    asks = [q for q in quotes if q.side is Side.SELL]
    assert len(bids) == len(asks) == POLICY.levels
    # first level 5 bps away: 149.925 / 150.075
    assert (bids[0].price, asks[0].price) == (P("149.925"), P("150.075"))
    assert all(q.price % sol.tick_size == 0 and q.size % sol.lot_size == 0 for q in quotes)
    assert [b.price for b in bids] == sorted((b.price for b in bids), reverse=True)
    assert bids[-1].size > bids[0].size
    assert max(b.price for b in bids) < min(a.price for a in asks)


def test_long_inventory_shifts_quotes_down(sol) -> None:
    flat = ladder(sol, POLICY, P("150"), inventory=0)
    full = POLICY.max_inventory_notional * 10**9 // P("150")  # 13,333.33 SOL
    long = ladder(sol, POLICY, P("150"), inventory=full)
    short = ladder(sol, POLICY, P("150"), inventory=-(10**15))
    assert long[1].price < flat[1].price < short[1].price
    # full inventory moves the centre by the skew: 20 bps of 150 = 0.3
    assert flat[1].price - long[1].price == P("0.3")


def test_refresh_keeps_quotes_near_their_target(sol) -> None:
    wanted = [Quote(Side.BUY, P("149.9"), B("1")), Quote(Side.SELL, P("150.1"), B("1"))]
    resting = [
        RestingQuote(1, Side.BUY, P("149.91"), B("1")),  # within 2 bps: stays
        RestingQuote(2, Side.SELL, P("151"), B("1")),  # far: cancelled
        RestingQuote(3, Side.BUY, P("149.9"), B("0.1")),  # mostly filled: cancelled
    ]
    cancels, new = refresh(wanted, resting, POLICY)
    assert cancels == [2, 3]
    assert new == [Quote(Side.SELL, P("150.1"), B("1"))]


def test_auction_quote_waits_for_the_curve_then_quotes_an_acceptable_price(sol) -> None:
    oracle = P("150")
    auction = start_auction(1, sol, Side.BUY, B("3000"), oracle, P("157.5"), now_ms=0)
    assert auction_quote(auction, "mm", oracle, 0, POLICY, B("1000")) is None
    quote = auction_quote(auction, "mm", oracle, 200, POLICY, B("1000"))
    assert quote is not None and quote.size == B("1000")
    assert quote.price >= P("150.045")  # never below the oracle plus its 3 bps edge
    assert auction.is_acceptable(quote)


def test_sell_auction_quote_buys_below_the_oracle(sol) -> None:
    oracle = P("150")
    auction = start_auction(2, sol, Side.SELL, B("3000"), oracle, P("142.5"), now_ms=0)
    quote = auction_quote(auction, "mm", oracle, 500, POLICY, B("5000"))
    assert quote is not None and quote.price <= P("149.955") and quote.size == B("3000")
    assert auction.is_acceptable(quote)
