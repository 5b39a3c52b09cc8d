"""Integer fixed-point numbers: the precisions and the rounding rules of the whole platform.

Every amount in the domain is an ``int`` scaled by one of the precisions below; Rust
(`programs/quantdesk_perp/src/math/constants.rs`) uses the same constants.

Rounding rules, always in the exchange's favour:

* an amount the user pays (fee, margin requirement, liability) rounds **up** (`div_ceil`);
* an amount the user receives or is credited with (collateral value, PnL, rebate) rounds
  **down** (`div_floor`). A signed amount credited to the user (PnL, funding) rounds down
  too: floor of a negative number is more negative, so the user pays the remainder.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

PRICE_PRECISION = 10**6
"""Prices: 1 unit = 1e-6 quote per whole base unit (USD per coin)."""
BASE_PRECISION = 10**9
"""Sizes: 1 unit = 1e-9 of one coin."""
QUOTE_PRECISION = 10**6
"""Quote amounts (USDC): 1 unit = 1e-6 USDC."""
RATIO_PRECISION = 10**6
"""Ratios (margin ratios, weights, fee rates, bands): 1_000_000 = 100%."""
FUNDING_RATE_PRECISION = 10**9
"""Funding rates per period: 1_000_000_000 = 100% of the price."""
FUNDING_INDEX_PRECISION = 10**9
"""Cumulative funding index: quote units (1e-6 USDC) per whole base unit, times 1e9."""

PRICE_TIMES_BASE_TO_QUOTE = PRICE_PRECISION * BASE_PRECISION // QUOTE_PRECISION
"""``price * base // PRICE_TIMES_BASE_TO_QUOTE`` is a quote amount (equals BASE_PRECISION)."""


class FixedPointError(ValueError):
    """A decimal text that cannot be represented exactly at the requested precision."""


def div_floor(numerator: int, denominator: int) -> int:
    """Integer division rounding towards minus infinity."""
    return numerator // denominator


def div_ceil(numerator: int, denominator: int) -> int:
    """Integer division rounding towards plus infinity."""
    return -((-numerator) // denominator)


def mul_div_floor(a: int, b: int, denominator: int) -> int:
    """``a * b / denominator`` rounded down, with no intermediate loss."""
    return (a * b) // denominator


def mul_div_ceil(a: int, b: int, denominator: int) -> int:
    """``a * b / denominator`` rounded up, with no intermediate loss."""
    return -((-(a * b)) // denominator)


def quote_value_floor(price: int, base: int) -> int:
    """Notional of ``base`` at ``price`` in quote units, rounded down (credited to user)."""
    return (price * base) // PRICE_TIMES_BASE_TO_QUOTE


def quote_value_ceil(price: int, base: int) -> int:
    """Notional of ``base`` at ``price`` in quote units, rounded up (owed by the user)."""
    return -((-(price * base)) // PRICE_TIMES_BASE_TO_QUOTE)


def apply_ratio_floor(amount: int, ratio: int) -> int:
    """``amount * ratio / RATIO_PRECISION`` rounded down."""
    return (amount * ratio) // RATIO_PRECISION


def apply_ratio_ceil(amount: int, ratio: int) -> int:
    """``amount * ratio / RATIO_PRECISION`` rounded up."""
    return -((-(amount * ratio)) // RATIO_PRECISION)


def parse_fixed(text: str | int | Decimal, precision: int, what: str = "value") -> int:
    """Convert a decimal text such as ``"150.25"`` to an integer at ``precision``.

    Refuses anything that is not a finite number or that has more decimal places than
    the precision holds (``"0.0000001"`` as a price), instead of silently rounding.
    """
    if isinstance(text, bool):
        raise FixedPointError(f"{what} must be a decimal number, not a boolean")
    try:
        value = Decimal(text) if not isinstance(text, Decimal) else text
    except (InvalidOperation, ValueError, TypeError):
        raise FixedPointError(f"{what} {text!r} is not a decimal number") from None
    if not value.is_finite():
        raise FixedPointError(f"{what} {text!r} is not a finite number")
    try:
        scaled = value * precision
        exact = scaled == scaled.to_integral_value()
    except ArithmeticError:  # decimal.Overflow: an exponent beyond any amount
        raise FixedPointError(f"{what} {text!r} is too large") from None
    if not exact:
        places = len(str(precision)) - 1
        raise FixedPointError(f"{what} {text!r} has more than {places} decimal places")
    return int(scaled)


def to_decimal(value: int, precision: int) -> Decimal:
    """The exact decimal of a fixed-point integer, for display and the wire."""
    return Decimal(value) / Decimal(precision)


def format_fixed(value: int, precision: int) -> str:
    """A fixed-point integer as a plain decimal string with no exponent (``"150.25"``)."""
    sign = "-" if value < 0 else ""
    whole, frac = divmod(abs(value), precision)
    if frac == 0:
        return f"{sign}{whole}"
    places = len(str(precision)) - 1
    digits = str(frac).rjust(places, "0").rstrip("0")
    return f"{sign}{whole}.{digits}"


def parse_price(text: str | int | Decimal) -> int:
    """A price text to price units."""
    return parse_fixed(text, PRICE_PRECISION, "price")


def parse_base(text: str | int | Decimal) -> int:
    """A size text (in coins) to base units."""
    return parse_fixed(text, BASE_PRECISION, "size")


def parse_quote(text: str | int | Decimal) -> int:
    """A quote amount text (USDC) to quote units."""
    return parse_fixed(text, QUOTE_PRECISION, "amount")


def parse_ratio(text: str | int | Decimal) -> int:
    """A ratio text (``"0.05"`` for 5%) to ratio units."""
    return parse_fixed(text, RATIO_PRECISION, "ratio")
