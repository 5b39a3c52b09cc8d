"""Perpetual positions and the quote flows of trading them.

A position is ``base`` (signed base units: + long, - short) and ``quote_entry``, the signed
quote flow that opened what is still open: a buy pays quote (negative flow), a sell
receives it (positive flow). So a long of 1 SOL bought at 150 is ``base=+1e9,
quote_entry=-150e6``. Formulas (all integers, `fixed_point` precisions):

* flow of a trade of signed size ``d`` at ``price``: ``floor(-d * price / 1e9)``; the buyer
  pays at least, the seller receives at most, the exact amount (the exchange keeps the
  rounding dust);
* unrealised PnL at ``mark``: ``quote_entry + floor(base * mark / 1e9)``;
* closing ``c`` of ``|base|`` releases the share ``floor(quote_entry * c / |base|)`` of the
  entry flow; realised PnL = the closing flow + that share. Closing everything releases
  all of ``quote_entry``, so nothing is left behind;
* a flip is a close of the whole position followed by an open of the rest;
* entry price: ``floor(|quote_entry| * 1e9 / |base|)`` (display only, never settled on).

Conservation: a trade's flow is split exactly between realised PnL and ``quote_entry``
(``realised + change of quote_entry == flow``), so nothing is created by the split.
"""

from __future__ import annotations

from dataclasses import dataclass

from backend.domain.fixed_point import PRICE_TIMES_BASE_TO_QUOTE


@dataclass(slots=True)
class Position:
    """An account's position in one market."""

    market: str
    base: int = 0
    quote_entry: int = 0
    last_funding_index: int = 0

    @property
    def is_open(self) -> bool:
        """Whether any base is held."""
        return self.base != 0

    def entry_price(self) -> int | None:
        """Average entry price in price units (rounded down), or None when flat."""
        if not self.base:
            return None
        return abs(self.quote_entry) * PRICE_TIMES_BASE_TO_QUOTE // abs(self.base)

    def notional(self, mark: int) -> int:
        """``|base| * mark`` in quote units, rounded up (it sizes requirements)."""
        return -((-abs(self.base) * mark) // PRICE_TIMES_BASE_TO_QUOTE)

    def unrealised_pnl(self, mark: int) -> int:
        """PnL if closed at ``mark``, rounded down."""
        return self.quote_entry + (self.base * mark) // PRICE_TIMES_BASE_TO_QUOTE


def trade_flow(delta: int, price: int) -> int:
    """The quote flow of trading signed ``delta`` base at ``price`` (rounded down)."""
    return (-delta * price) // PRICE_TIMES_BASE_TO_QUOTE


def apply_trade(position: Position, delta: int, price: int) -> tuple[int, int]:
    """Trade signed ``delta`` base at ``price``; returns (realised PnL, total quote flow).

    The caller credits the realised PnL to the account's quote balance; ``quote_entry``
    takes the rest of the flow. A buy of ``size`` is ``delta = Side.BUY.sign * size``.

    Raises ``ValueError`` for a price that is not positive or a size that is not an int.
    """
    if isinstance(delta, bool) or not isinstance(delta, int):
        raise ValueError(f"a trade size must be an integer of base units, got {delta!r}")
    if isinstance(price, bool) or not isinstance(price, int) or price <= 0:
        raise ValueError(f"a trade price must be a positive integer, got {price!r}")
    if delta == 0:
        return 0, 0
    base = position.base
    if base == 0 or (base > 0) == (delta > 0):
        flow = trade_flow(delta, price)
        position.base = base + delta
        position.quote_entry += flow
        return 0, flow
    closing = -base if abs(delta) >= abs(base) else delta
    opening = delta - closing
    close_flow = trade_flow(closing, price)
    share = (position.quote_entry * abs(closing)) // abs(base)
    realised = close_flow + share
    position.quote_entry -= share
    position.base = base + closing
    open_flow = 0
    if opening:
        open_flow = trade_flow(opening, price)
        position.base += opening
        position.quote_entry += open_flow
    return realised, close_flow + open_flow
