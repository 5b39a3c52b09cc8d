"""Order size in the unit the trader types it: base coins, USDC notional at a reference
price, or a percentage of free collateral times the chosen leverage."""

from __future__ import annotations

from backend.domain.fixed_point import PRICE_TIMES_BASE_TO_QUOTE, RATIO_PRECISION

SIZE_UNITS = ("base", "quote", "percent")
"""``base``: base units; ``quote``: quote units (1e-6 USDC); ``percent``: ratio units
(10_000 is 1%) of free collateral times leverage."""


def base_size(
    value: int,
    unit: str,
    lot: int,
    reference_price: int | None,
    free_collateral: int | None,
    leverage: int,
) -> int | None:
    """``value`` typed in ``unit`` as base units, rounded down to whole lots (None when
    the price or free collateral it needs is unknown)."""
    if unit == "base":
        return value // lot * lot
    notional = value
    if unit == "percent":
        if free_collateral is None:
            return None
        notional = max(0, free_collateral) * leverage * value // RATIO_PRECISION
    if not reference_price or reference_price <= 0:
        return None
    return notional * PRICE_TIMES_BASE_TO_QUOTE // reference_price // lot * lot


def in_unit(
    size: int,
    unit: str,
    reference_price: int | None,
    free_collateral: int | None,
    leverage: int,
) -> int | None:
    """``size`` base units expressed in ``unit`` (rounded down; None when unknown), for
    switching the unit without losing what was typed."""
    if unit == "base":
        return size
    if not reference_price or reference_price <= 0:
        return None
    notional = size * reference_price // PRICE_TIMES_BASE_TO_QUOTE
    if unit == "quote":
        return notional
    budget = (free_collateral or 0) * leverage
    if budget <= 0:
        return None
    return notional * RATIO_PRECISION // budget
