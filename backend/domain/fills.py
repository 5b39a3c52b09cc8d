"""Fills: one match between a resting (maker) order and an incoming (taker) order."""

from __future__ import annotations

from dataclasses import dataclass

from backend.domain.fixed_point import apply_ratio_ceil, quote_value_floor
from backend.domain.orders import Side


@dataclass(frozen=True, slots=True)
class Fill:
    """A trade of ``size`` base units at ``price`` between two orders of one market.

    Fees are in quote units, charged to each side (rounded up, see `fixed_point`).
    """

    market: str
    price: int
    size: int
    taker_side: Side
    maker_order_id: int
    taker_order_id: int
    maker_account: str
    taker_account: str
    maker_fee: int = 0
    taker_fee: int = 0
    timestamp_ms: int = 0
    trade_id: int = 0

    @property
    def notional(self) -> int:
        """Quote value of the fill, ``price * size``, rounded down."""
        return quote_value_floor(self.price, self.size)

    @property
    def maker_side(self) -> Side:
        """The resting order's side."""
        return self.taker_side.opposite


def fee_for(notional: int, fee_rate: int) -> int:
    """The fee on ``notional`` at ``fee_rate`` (ppm), rounded up in the exchange's favour."""
    return apply_ratio_ceil(notional, fee_rate)
