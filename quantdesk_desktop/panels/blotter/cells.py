"""How the blotter writes amounts, times and sides in its cells, and the sort keys that go
with them (keys are tuples so that a missing value sorts first without comparing None)."""

from __future__ import annotations

import time

from backend.domain.fixed_point import (
    BASE_PRECISION,
    PRICE_PRECISION,
    QUOTE_PRECISION,
    format_fixed,
)
from quantdesk_desktop import theme

NONE = "—"


def price_text(value: int | None) -> str:
    """A price, or a dash."""
    return NONE if value is None else format_fixed(value, PRICE_PRECISION)


def size_text(value: int | None) -> str:
    """A size in coins, or a dash."""
    return NONE if value is None else format_fixed(value, BASE_PRECISION)


def quote_text(value: int | None) -> str:
    """A USDC amount, or a dash."""
    return NONE if value is None else format_fixed(value, QUOTE_PRECISION)


def time_text(time_ms: int | None) -> str:
    """A local date and time to the second."""
    if not time_ms:
        return NONE
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(time_ms / 1000))


def optional_key(value: int | None) -> tuple[bool, int]:
    """Sorts None first, then by value."""
    return (value is not None, value or 0)


def side_colour(side: str) -> str:
    """Buys in the bid colour, sells in the ask colour."""
    palette = theme.current()
    return palette.bid if side in ("buy", "long") else palette.ask


def signed_colour(value: int) -> str | None:
    """Gains in the bid colour, losses in the ask colour, zero plain."""
    if value == 0:
        return None
    return theme.current().bid if value > 0 else theme.current().ask
