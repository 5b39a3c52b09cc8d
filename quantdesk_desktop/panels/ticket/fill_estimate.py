"""How an order is expected to execute now: a market order (or the marketable part of a
limit) walks the book up to its limit or the protection band paying the taker fee per
level; what rests pays the maker fee at its limit; a triggered order is priced at its
trigger (or limit); a TWAP at the mid."""

from __future__ import annotations

from dataclasses import dataclass

from backend.domain.fills import fee_for
from backend.domain.fixed_point import (
    BASE_PRECISION,
    PRICE_TIMES_BASE_TO_QUOTE,
    RATIO_PRECISION,
    div_ceil,
    format_fixed,
    mul_div_floor,
    quote_value_floor,
)
from backend.domain.markets import MarketSpec
from backend.domain.orders import OrderRequest, OrderType, Side, TimeInForce
from quantdesk_desktop.panels.ticket.book_walk import Walk, walk_book
from quantdesk_desktop.panels.ticket.snapshot import Levels, MarketNow

_MARKET_LIKE = {OrderType.MARKET, OrderType.STOP_MARKET, OrderType.TAKE_PROFIT_MARKET}

_BOOK_PRICED = {OrderType.LIMIT, OrderType.ICEBERG, OrderType.BRACKET}


@dataclass(frozen=True, slots=True)
class Estimate:
    """The expected execution: average price, what takes and what rests, fee."""

    price: int | None = None
    taker: int = 0
    maker: int = 0
    fee: int = 0
    notional: int = 0
    note: str | None = None
    taker_price: int | None = None
    """The average price of what takes from the book now (None when nothing does, or the
    order waits for a trigger): what slippage is measured on."""

    @property
    def size(self) -> int:
        """Base units expected to fill."""
        return self.taker + self.maker


def estimate_fill(
    request: OrderRequest, size: int, market: MarketNow, protected: int | None
) -> Estimate:
    """How ``size`` of ``request`` is expected to execute against ``market`` now."""
    spec, side, kind = market.spec, request.side, request.type
    levels = market.asks if side is Side.BUY else market.bids
    if kind is OrderType.MARKET or (kind is OrderType.BRACKET and request.price is None):
        walk = walk_book(levels, side, size, protected, spec.taker_fee)
        note = None
        if walk.filled < size:
            note = (
                f"Only {_size(walk.filled)} of {_size(size)} can fill now within the 5% "
                "band; the rest is cancelled"
            )
        notional = walk.gross // PRICE_TIMES_BASE_TO_QUOTE
        average = walk.average(side)
        return Estimate(average, walk.filled, 0, walk.fee, notional, note, average)
    if kind in _BOOK_PRICED:
        return _limit_estimate(request, size, levels, spec)
    if kind in _MARKET_LIKE or kind in (OrderType.STOP_LIMIT, OrderType.TAKE_PROFIT_LIMIT):
        price = request.price if request.price is not None else request.trigger_price
        return _at_price(price, size, spec.taker_fee, "Priced at the trigger; fills when it fires")
    if kind is OrderType.TRAILING_STOP:
        reference = market.reference(request.trigger_reference) or market.engine_reference()
        if reference is None:
            return Estimate(note="No reference price yet")
        distance = request.trailing_amount
        if distance is None:
            distance = mul_div_floor(reference, request.trailing_percent or 0, RATIO_PRECISION)
        trigger = reference + distance if side is Side.BUY else reference - distance
        note = "Priced at the trigger level now; it trails the price"
        return _at_price(trigger, size, spec.taker_fee, note)
    # a TWAP: slices take at market (or at its limit) over its duration
    reference = market.mid or market.engine_reference()
    if request.price is not None and reference is not None:
        pick = min if side is Side.BUY else max
        reference = pick(reference, request.price)
    slices = request.twap_slices or 1
    note = (
        f"{slices} slices of about {_size(spec.snap_size(size // slices))} over "
        f"{request.twap_duration_s}s"
    )
    return _at_price(reference, size, spec.taker_fee, note)


def _limit_estimate(request: OrderRequest, size: int, levels: Levels, spec: MarketSpec) -> Estimate:
    """A priced order: the marketable part takes, the rest rests at its limit (unless
    IOC or FOK, which cancel it)."""
    limit = request.price
    walk = (
        Walk()
        if request.post_only
        else walk_book(levels, request.side, size, limit, spec.taker_fee)
    )
    rest = size - walk.filled
    note = None
    if request.time_in_force in (TimeInForce.IOC, TimeInForce.FOK) and rest:
        note = f"{_size(rest)} cannot fill now and is cancelled"
        rest = 0
    elif walk.filled and rest:
        note = f"{_size(walk.filled)} takes now, {_size(rest)} rests at the limit"
    elif rest:
        note = "Rests on the book (maker fee)"
    total = walk.filled + rest
    if not total or limit is None:
        return Estimate(note=note)
    gross = walk.gross + limit * rest
    average = div_ceil(gross, total) if request.side is Side.BUY else gross // total
    maker_fee = fee_for(quote_value_floor(limit, rest), spec.maker_fee) if rest else 0
    notional = walk.gross // PRICE_TIMES_BASE_TO_QUOTE + quote_value_floor(limit, rest)
    taker_price = walk.average(request.side)
    return Estimate(average, walk.filled, rest, walk.fee + maker_fee, notional, note, taker_price)


def _at_price(price: int | None, size: int, fee_rate: int, note: str) -> Estimate:
    """All of ``size`` taking at ``price``."""
    if price is None or price <= 0 or size <= 0:
        return Estimate(note=note)
    notional = quote_value_floor(price, size)
    return Estimate(price, size, 0, fee_for(notional, fee_rate), notional, note)


def _size(value: int) -> str:
    return format_fixed(value, BASE_PRECISION)
