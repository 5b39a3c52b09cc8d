"""How the History panel writes its figures: USDC with separators, UTC times and days
(the cache's days are UTC days, so the whole review speaks UTC), ratios, and the colours
of gains and losses."""

from __future__ import annotations

import time

from backend.domain.fixed_point import (
    BASE_PRECISION,
    PRICE_PRECISION,
    QUOTE_PRECISION,
    format_fixed,
)
from quantdesk_desktop import theme
from quantdesk_desktop.panels.number_text import fixed_text
from quantdesk_desktop.panels.ticket import amounts

NONE = "—"


def usdc(value: int | None) -> str:
    """Quote units as USDC to the cent, with separators (``-1,234.50``), or a dash."""
    return NONE if value is None else amounts.usdc(value)


def usdc_exact(value: int | None) -> str:
    """Quote units as USDC, exact, to at least the cent (a fee of ``0.0125``)."""
    return NONE if value is None else fixed_text(value, QUOTE_PRECISION, 2)


def price(value: int | None) -> str:
    """A price, exact."""
    return NONE if value is None else format_fixed(value, PRICE_PRECISION)


def size(value: int | None) -> str:
    """A size in coins, exact."""
    return NONE if value is None else format_fixed(value, BASE_PRECISION)


def utc_time(time_ms: int | None) -> str:
    """``2026-01-31 23:59:59`` (UTC)."""
    if time_ms is None:
        return NONE
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(time_ms // 1000))


def utc_day(time_ms: int) -> str:
    """``2026-01-31`` (the UTC day of ``time_ms``)."""
    return time.strftime("%Y-%m-%d", time.gmtime(time_ms // 1000))


def share(part: int, whole: int) -> str:
    """``part`` of ``whole`` as a percentage to two places (a dash for nothing)."""
    if not whole:
        return NONE
    hundredths = (part * 10_000 * 2 + whole) // (2 * whole)  # rounded half up
    return f"{hundredths // 100}.{hundredths % 100:02d}%"


def ratio(value: int | None, precision: int = 10**6) -> str:
    """A ratio at ``precision`` to two places (a dash for none)."""
    if value is None:
        return NONE
    hundredths = (value * 100 * 2 + precision) // (2 * precision)
    return f"{hundredths // 100:,}.{hundredths % 100:02d}"


def signed_colour(value: int | None) -> str | None:
    """Gains in the bid colour, losses in the ask colour, zero (and none) plain."""
    if not value:
        return None
    palette = theme.current()
    return palette.bid if value > 0 else palette.ask


def tone(value: int | None) -> str:
    """``gain``, ``loss`` or "" (zero or none): a label's tone property."""
    if not value:
        return ""
    return "gain" if value > 0 else "loss"


def side_colour(side: str) -> str:
    """Buys in the bid colour, sells in the ask colour."""
    palette = theme.current()
    return palette.bid if side == "buy" else palette.ask
