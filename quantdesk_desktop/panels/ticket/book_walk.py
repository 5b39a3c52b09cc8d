"""A taker's walk through book levels, and the prices the engine bounds a taker by: its
market protection band and, for the margin check, an order's worst price."""

from __future__ import annotations

from dataclasses import dataclass

from backend.domain.engine_core import MARKET_PROTECTION
from backend.domain.fills import fee_for
from backend.domain.fixed_point import (
    RATIO_PRECISION,
    div_ceil,
    mul_div_ceil,
    mul_div_floor,
    quote_value_floor,
)
from backend.domain.orders import OrderRequest, OrderType, Side
from quantdesk_desktop.panels.ticket.snapshot import Levels


@dataclass(frozen=True, slots=True)
class Walk:
    """A taker's sweep of book levels (gross in price units times base units)."""

    filled: int = 0
    gross: int = 0
    fee: int = 0
    levels: int = 0

    def average(self, side: Side) -> int | None:
        """The average price, rounded against the taker (None when nothing fills)."""
        if not self.filled:
            return None
        if side is Side.BUY:
            return div_ceil(self.gross, self.filled)
        return self.gross // self.filled


def walk_book(levels: Levels, side: Side, size: int, limit: int | None, fee_rate: int) -> Walk:
    """Take up to ``size`` from ``levels`` (the opposite side, best first) no worse than
    ``limit``, with the taker fee charged per level as the engine charges it per fill."""
    filled = gross = fee = used = 0
    for price, available in levels:
        if filled >= size:
            break
        if limit is not None and (price > limit if side is Side.BUY else price < limit):
            break
        take = min(available, size - filled)
        filled += take
        gross += price * take
        fee += fee_for(quote_value_floor(price, take), fee_rate)
        used += 1
    return Walk(filled, gross, fee, used)


def protected_price(side: Side, reference: int | None, tick: int) -> int | None:
    """The worst price a market order accepts: the engine's band around ``reference``."""
    if reference is None:
        return None
    if side is Side.BUY:
        worst = mul_div_floor(reference, RATIO_PRECISION + MARKET_PROTECTION, RATIO_PRECISION)
        return worst // tick * tick
    worst = mul_div_ceil(reference, RATIO_PRECISION - MARKET_PROTECTION, RATIO_PRECISION)
    return -((-worst) // tick) * tick


def worst_price(request: OrderRequest, protected: int | None) -> int | None:
    """The price the backend's margin check fills the whole order at (its worst)."""
    known = [
        p
        for p in (request.price, request.trigger_price, request.take_profit_price)
        if p is not None
    ]
    market_like = request.type in (OrderType.MARKET, OrderType.TWAP, OrderType.TRAILING_STOP)
    if (market_like or not known) and protected is not None:
        known.append(protected)
    if not known:
        return None
    return max(known) if request.side is Side.BUY else min(known)
