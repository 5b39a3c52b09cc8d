"""Display text of the ticket's amounts: prices at the tick's places, sizes at the lot's,
USDC with thousands separators, ratios as percentages."""

from __future__ import annotations

from backend.domain.fixed_point import (
    BASE_PRECISION,
    PRICE_PRECISION,
    QUOTE_PRECISION,
    RATIO_PRECISION,
)
from quantdesk_desktop.panels.number_text import decimals_of, fixed_text

DASH = "–"


places_of = decimals_of
fixed = fixed_text


def price(value: int | None, tick: int) -> str:
    """A price at the tick's places (exact: an average may need more)."""
    return (
        DASH if value is None else fixed(value, PRICE_PRECISION, places_of(tick, PRICE_PRECISION))
    )


def size(value: int | None, lot: int) -> str:
    """A size at the lot's places."""
    return DASH if value is None else fixed(value, BASE_PRECISION, places_of(lot, BASE_PRECISION))


def usdc(value: int | None, places: int = 2) -> str:
    """USDC with separators, rounded half away from zero to ``places`` for display."""
    if value is None:
        return DASH
    step = QUOTE_PRECISION // 10**places
    rounded = (abs(value) + step // 2) // step * step
    text = fixed(rounded, QUOTE_PRECISION, places)
    whole, dot, frac = text.partition(".")
    sign = "-" if value < 0 and rounded else ""
    return f"{sign}{int(whole):,}{dot}{frac[:places]}"


def fee(value: int | None) -> str:
    """A fee, exact to the micro-USDC it is charged in."""
    return DASH if value is None else fixed(value, QUOTE_PRECISION, 2)


def percent(ratio: int | None, places: int = 2) -> str:
    """A ratio (1e6 = 100%) as a percentage, rounded for display."""
    if ratio is None:
        return DASH
    scaled = ratio * 100
    step = RATIO_PRECISION // 10**places
    rounded = (abs(scaled) + step // 2) // step * step
    sign = "-" if ratio < 0 and rounded else ""
    return f"{sign}{fixed(rounded, RATIO_PRECISION, places)}%"
