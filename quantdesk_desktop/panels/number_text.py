"""Fixed-point amounts as display text at a market's places (a tick's or a lot's)."""

from __future__ import annotations

from backend.domain.fixed_point import format_fixed


def decimals_of(units: int, precision: int) -> int:
    """How many decimal places the fixed-point amount ``units`` needs (0.010 -> 2)."""
    return len(format_fixed(units, precision).partition(".")[2])


def fixed_text(value: int, precision: int, decimals: int) -> str:
    """A fixed-point integer as text with at least ``decimals`` places (never fewer than
    it needs, so nothing is hidden by rounding)."""
    text = format_fixed(value, precision)
    whole, _, frac = text.partition(".")
    if len(frac) >= decimals:
        return text
    return f"{whole}.{frac.ljust(decimals, '0')}" if decimals else whole
