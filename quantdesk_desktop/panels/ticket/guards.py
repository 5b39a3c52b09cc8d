"""Fat-finger guards: limits an order must stay within before it is sent without asking
(``confirm``) or at all (``refuse``). Saved with the ticket's settings."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from backend.domain.fixed_point import (
    BASE_PRECISION,
    PRICE_PRECISION,
    QUOTE_PRECISION,
    RATIO_PRECISION,
    FixedPointError,
    format_fixed,
    parse_base,
    parse_quote,
    parse_ratio,
)
from quantdesk_desktop.panels.ticket.amounts import percent

GUARD_MODES = ("confirm", "refuse")
DEFAULT_MAX_NOTIONAL = 250_000 * QUOTE_PRECISION
DEFAULT_PRICE_BAND = 50_000
"""5% around the oracle."""


@dataclass(slots=True)
class Guards:
    """The limits (None: no limit of that kind) and what breaching them does."""

    max_size: dict[str, int] = field(default_factory=dict)
    """Per market, the largest size in base units (sizes are not comparable across
    markets)."""
    max_notional: int | None = DEFAULT_MAX_NOTIONAL
    """Quote units."""
    price_band: int | None = DEFAULT_PRICE_BAND
    """Ratio units: how far a limit price may sit from the oracle."""
    mode: str = "confirm"

    def settings(self) -> dict:
        """The guards as workspace settings (decimal texts)."""
        return {
            "max_size": {m: format_fixed(v, BASE_PRECISION) for m, v in self.max_size.items()},
            "max_notional": _text(self.max_notional, QUOTE_PRECISION),
            "price_band": _text(self.price_band, RATIO_PRECISION),
            "mode": self.mode,
        }

    @classmethod
    def from_settings(cls, settings: object, base: Guards | None = None) -> Guards:
        """Guards from saved settings, keeping ``base``'s value for anything missing or bad."""
        guards = Guards() if base is None else base.copy()
        if not isinstance(settings, Mapping):
            return guards
        sizes = settings.get("max_size")
        if isinstance(sizes, Mapping):
            guards.max_size = {
                str(market): value
                for market, text in sizes.items()
                if (value := _positive(text, parse_base)) is not None
            }
        for name, parse in (("max_notional", parse_quote), ("price_band", parse_ratio)):
            if name in settings:
                text = settings[name]
                value = _positive(text, parse)
                if text is None:
                    setattr(guards, name, None)
                elif value is not None:
                    setattr(guards, name, value)
        if settings.get("mode") in GUARD_MODES:
            guards.mode = settings["mode"]
        return guards

    def copy(self) -> Guards:
        """An independent copy."""
        return Guards(dict(self.max_size), self.max_notional, self.price_band, self.mode)


def breaches(
    guards: Guards,
    market: str,
    size: int,
    notional: int | None,
    price: int | None,
    oracle: int | None,
) -> list[str]:
    """What ``guards`` say about an order of ``size`` base units worth ``notional`` with
    the limit (or expected fill) ``price``; empty when within every limit."""
    found = []
    limit = guards.max_size.get(market)
    if limit is not None and size > limit:
        found.append(f"size {_base(size)} is above the {market} limit {_base(limit)}")
    if guards.max_notional is not None and notional is not None and notional > guards.max_notional:
        found.append(
            f"notional {format_fixed(notional, QUOTE_PRECISION)} USDC is above the limit "
            f"{format_fixed(guards.max_notional, QUOTE_PRECISION)} USDC"
        )
    if guards.price_band is not None and price is not None and oracle:
        away = abs(price - oracle) * RATIO_PRECISION
        if away > guards.price_band * oracle:
            distance = abs(price - oracle) * RATIO_PRECISION // oracle
            found.append(
                f"price {format_fixed(price, PRICE_PRECISION)} is {percent(distance)} from "
                f"the oracle {format_fixed(oracle, PRICE_PRECISION)} (band "
                f"{percent(guards.price_band)})"
            )
    return found


def _positive(text: object, parse) -> int | None:
    if not isinstance(text, str):
        return None
    try:
        value = parse(text)
    except FixedPointError:
        return None
    return value if value > 0 else None


def _text(value: int | None, precision: int) -> str | None:
    return None if value is None else format_fixed(value, precision)


def _base(value: int) -> str:
    return format_fixed(value, BASE_PRECISION)
