"""A market-maker agent's quoting rules: a two-sided ladder around the oracle price,
skewed against its inventory, refreshed only where it moved, and JIT auction quotes.

Pure decisions; the liquidity service sends the resulting orders through the same order
flow as any trader, so the embedded market is alive with no network.
"""

from __future__ import annotations

from dataclasses import dataclass

from backend.domain.auction import Auction, AuctionQuote
from backend.domain.fixed_point import (
    PRICE_TIMES_BASE_TO_QUOTE,
    RATIO_PRECISION,
    mul_div_ceil,
    mul_div_floor,
)
from backend.domain.markets import MarketSpec
from backend.domain.orders import Side


@dataclass(frozen=True, slots=True)
class Quote:
    """One resting order the maker wants: side, price, size."""

    side: Side
    price: int
    size: int


@dataclass(frozen=True, slots=True)
class MakerPolicy:
    """How one maker quotes a market (ratios in ppm, sizes in base units)."""

    levels: int = 10
    half_spread: int = 500
    """Distance of the first level from the oracle: 5 bps."""
    level_step: int = 500
    """Extra distance per level: 5 bps."""
    level_notional: int = 25_000 * 10**6
    """The first level's size as quote value: 25,000 USDC."""
    size_growth: int = 1_250_000
    """Each level deeper is this much larger (ppm of the previous): +25%."""
    max_inventory_notional: int = 2_000_000 * 10**6
    """At this position's value (2 million USDC) the skew is at its full size."""
    skew: int = 2_000
    """How far (ppm of price) full inventory shifts both sides."""
    refresh_band: int = 200
    """A resting quote within 2 bps of its target is left alone (keeps queue priority)."""
    auction_edge: int = 300
    """JIT quotes improve on the oracle by 3 bps less than the curve allows."""


def ladder(spec: MarketSpec, policy: MakerPolicy, oracle: int, inventory: int) -> list[Quote]:
    """The quotes the maker wants now, best first on each side.

    A long inventory lowers both sides (sell more eagerly, buy less eagerly), a short one
    raises them, proportionally up to ``max_inventory_notional``.
    """
    limit = policy.max_inventory_notional * PRICE_TIMES_BASE_TO_QUOTE // oracle
    fill = max(-limit, min(limit, inventory))
    shift = mul_div_floor(oracle, policy.skew * fill, limit * RATIO_PRECISION) if limit else 0
    centre = oracle - shift
    quotes: list[Quote] = []
    notional = policy.level_notional
    for level in range(policy.levels):
        offset = policy.half_spread + level * policy.level_step
        bid = mul_div_floor(centre, RATIO_PRECISION - offset, RATIO_PRECISION)
        ask = mul_div_ceil(centre, RATIO_PRECISION + offset, RATIO_PRECISION)
        bid = bid // spec.tick_size * spec.tick_size
        ask = -((-ask) // spec.tick_size) * spec.tick_size
        size = max(spec.min_size, spec.snap_size(notional * PRICE_TIMES_BASE_TO_QUOTE // oracle))
        if bid > 0:
            quotes.append(Quote(Side.BUY, bid, size))
        quotes.append(Quote(Side.SELL, ask, size))
        notional = notional * policy.size_growth // RATIO_PRECISION
    return quotes


@dataclass(frozen=True, slots=True)
class RestingQuote:
    """A quote the maker has on the book now."""

    order_id: int
    side: Side
    price: int
    remaining: int


def refresh(
    wanted: list[Quote], resting: list[RestingQuote], policy: MakerPolicy
) -> tuple[list[int], list[Quote]]:
    """Which resting quotes to cancel and which new ones to place.

    A resting quote stays when a wanted quote of its side lies within ``refresh_band`` of
    its price and it still has at least half the wanted size, so small oracle moves do not
    churn the book or lose queue priority.
    """
    unmatched = list(wanted)
    cancels = []
    for quote in resting:
        keep = None
        for want in unmatched:
            band = mul_div_floor(want.price, policy.refresh_band, RATIO_PRECISION)
            if (
                want.side is quote.side
                and abs(want.price - quote.price) <= band
                and quote.remaining * 2 >= want.size
            ):
                keep = want
                break
        if keep is None:
            cancels.append(quote.order_id)
        else:
            unmatched.remove(keep)
    return cancels, unmatched


def auction_quote(
    auction: Auction,
    maker: str,
    oracle: int,
    now_ms: int,
    policy: MakerPolicy,
    max_size: int,
) -> AuctionQuote | None:
    """A quote for a JIT auction: the curve's price now, kept ``auction_edge`` away from
    the oracle so the maker never sells below (or buys above) it plus its edge; None when
    the curve is not yet worth it."""
    curve = auction.price_at(now_ms)
    if auction.side is Side.BUY:  # the taker buys: the maker sells
        floor_price = mul_div_ceil(oracle, RATIO_PRECISION + policy.auction_edge, RATIO_PRECISION)
        price = -((-max(curve, floor_price)) // auction.tick_size) * auction.tick_size
        if price > curve:
            return None
    else:
        ceiling = mul_div_floor(oracle, RATIO_PRECISION - policy.auction_edge, RATIO_PRECISION)
        price = min(curve, ceiling) // auction.tick_size * auction.tick_size
        if price < curve:
            return None
    size = min(auction.size, max_size) // auction.lot_size * auction.lot_size
    if size <= 0:
        return None
    return AuctionQuote(maker, price, size, now_ms)
