"""JIT liquidity auctions: a Dutch auction for a large market order.

A market order at or above the market's ``auction_threshold`` does not hit the book at
once. Its price starts near the oracle, improved for the taker by ``auction_start_offset``
(a buy starts at ``oracle * (1 - offset)``, a sell at ``oracle * (1 + offset)``), and
moves in a straight line to the order's worst acceptable price over
``auction_duration_ms``. Makers quote during the auction. At settlement a quote is
eligible when it is at least as good for the taker as the curve was at the moment it was
quoted; eligible quotes fill best price first, then earliest, each at its own quoted
price. What they do not fill goes to the book.
"""

from __future__ import annotations

from dataclasses import dataclass

from backend.domain.errors import OrderRejected, RejectCode
from backend.domain.fixed_point import RATIO_PRECISION, mul_div_ceil, mul_div_floor
from backend.domain.markets import MarketSpec
from backend.domain.orders import Side


@dataclass(frozen=True, slots=True)
class AuctionQuote:
    """A maker's offer to fill part of an auction at ``price``."""

    maker: str
    price: int
    size: int
    time_ms: int


@dataclass(frozen=True, slots=True)
class AuctionFill:
    """One quote's share of the settled auction."""

    maker: str
    price: int
    size: int


@dataclass(frozen=True, slots=True)
class Auction:
    """The price curve of one auction."""

    auction_id: int
    market: str
    side: Side
    size: int
    start_price: int
    end_price: int
    start_ms: int
    duration_ms: int
    tick_size: int
    lot_size: int
    taker_order_id: int = 0
    """The market order the auction fills."""

    @property
    def end_ms(self) -> int:
        """When the auction closes."""
        return self.start_ms + self.duration_ms

    def price_at(self, now_ms: int) -> int:
        """The curve's price at ``now_ms``, on the tick grid, moved no further than the
        straight line allows (down for a buy's rising curve, up for a sell's falling one)."""
        elapsed = min(max(now_ms - self.start_ms, 0), self.duration_ms)
        span = self.end_price - self.start_price
        moved = (
            span * elapsed // self.duration_ms
            if span >= 0
            else -((-span) * elapsed // self.duration_ms)
        )
        price = self.start_price + moved
        if self.side is Side.BUY:
            return price // self.tick_size * self.tick_size
        return -((-price) // self.tick_size) * self.tick_size

    def is_acceptable(self, quote: AuctionQuote) -> bool:
        """Whether ``quote`` is at least as good for the taker as the curve at its time."""
        if not self.start_ms <= quote.time_ms <= self.end_ms:
            return False
        curve = self.price_at(quote.time_ms)
        return quote.price <= curve if self.side is Side.BUY else quote.price >= curve

    def check_quote(self, quote: AuctionQuote) -> None:
        """Refuse a malformed quote or one outside the auction's window."""
        if quote.size <= 0 or quote.size % self.lot_size:
            raise OrderRejected(
                RejectCode.INVALID_QUOTE,
                "quote size must be a positive multiple of the lot",
                "size",
            )
        if quote.price <= 0 or quote.price % self.tick_size:
            raise OrderRejected(
                RejectCode.INVALID_QUOTE,
                "quote price must be a positive multiple of the tick",
                "price",
            )
        if not self.start_ms <= quote.time_ms <= self.end_ms:
            raise OrderRejected(
                RejectCode.AUCTION_CLOSED, f"auction {self.auction_id} is not open at that time"
            )

    def settle(
        self,
        quotes: list[AuctionQuote],
        settle_ms: int | None = None,
        size: int | None = None,
    ) -> tuple[list[AuctionFill], int]:
        """Fill eligible quotes best price first, then earliest; returns the fills and the
        size left for the book.

        Quotes made after ``settle_ms`` (an early settlement) do not count. ``size`` caps
        what may fill (a reduce-only taker whose position shrank during the auction); it
        defaults to the auction's size.
        """
        eligible = [
            q
            for q in quotes
            if q.size > 0
            and self.is_acceptable(q)
            and (settle_ms is None or q.time_ms <= settle_ms)
        ]
        if self.side is Side.BUY:
            eligible.sort(key=lambda q: (q.price, q.time_ms))
        else:
            eligible.sort(key=lambda q: (-q.price, q.time_ms))
        fills = []
        remaining = self.size if size is None else max(0, min(size, self.size))
        for quote in eligible:
            if not remaining:
                break
            size = min(remaining, quote.size)
            fills.append(AuctionFill(quote.maker, quote.price, size))
            remaining -= size
        return fills, remaining


def start_auction(
    auction_id: int,
    spec: MarketSpec,
    side: Side,
    size: int,
    oracle_price: int,
    worst_price: int,
    now_ms: int,
    taker_order_id: int = 0,
) -> Auction:
    """The auction of a market order of ``size`` whose worst acceptable price is
    ``worst_price``; the start price never lies beyond the worst price."""
    offset = spec.auction_start_offset
    if side is Side.BUY:
        start = mul_div_floor(oracle_price, RATIO_PRECISION - offset, RATIO_PRECISION)
        start = min(start // spec.tick_size * spec.tick_size, worst_price)
    else:
        start = mul_div_ceil(oracle_price, RATIO_PRECISION + offset, RATIO_PRECISION)
        start = max(-((-start) // spec.tick_size) * spec.tick_size, worst_price)
    return Auction(
        auction_id,
        spec.symbol,
        side,
        size,
        start,
        worst_price,
        now_ms,
        spec.auction_duration_ms,
        spec.tick_size,
        spec.lot_size,
        taker_order_id,
    )
