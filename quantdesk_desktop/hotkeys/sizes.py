"""The size a hotkey order has in each market: the market's minimum order size until the
trader steps it up or down along 1-2-5 multiples of that minimum."""

from __future__ import annotations

from backend.domain.fixed_point import BASE_PRECISION, FixedPointError, format_fixed, parse_base

SERIES = (1, 2, 5)
MAX_MULTIPLE = 10**9
"""The step-up ceiling, in multiples of the minimum size."""


def multiples() -> list[int]:
    """1, 2, 5, 10, 20, 50, ... up to `MAX_MULTIPLE`."""
    found, scale = [], 1
    while scale <= MAX_MULTIPLE:
        found.extend(step * scale for step in SERIES)
        scale *= 10
    return found


MULTIPLES = multiples()


def minimum_size(spec: dict | None) -> int:
    """The smallest order a market takes (base units; one unit for an unknown market)."""
    for name in ("min_size", "lot_size"):
        text = (spec or {}).get(name)
        if text:
            try:
                value = parse_base(text)
            except FixedPointError:
                continue
            if value > 0:
                return value
    return 1


class HotkeySizes:
    """Hotkey order sizes by market (base units)."""

    def __init__(self) -> None:
        self.sizes: dict[str, int] = {}

    @classmethod
    def from_settings(cls, saved: object) -> tuple[HotkeySizes, list[str]]:
        """The sizes saved in the settings, and the entries that could not be read."""
        sizes, problems = cls(), []
        if saved is None:
            return sizes, problems
        if not isinstance(saved, dict):
            return sizes, ["hotkey sizes: not a mapping, each market at its minimum"]
        for market, text in saved.items():
            try:
                value = parse_base(text) if isinstance(text, str) else 0
            except FixedPointError:
                value = 0
            if value > 0:
                sizes.sizes[str(market)] = value
            else:
                problems.append(f"hotkey size {market}: {text!r} is not a positive size")
        return sizes, problems

    def as_settings(self) -> dict[str, str]:
        """The sizes to save, as decimal text."""
        return {market: format_fixed(v, BASE_PRECISION) for market, v in self.sizes.items()}

    def size(self, market: str, spec: dict | None) -> int:
        """The hotkey size in ``market`` (its minimum until set)."""
        return self.sizes.get(market) or minimum_size(spec)

    def step(self, market: str, spec: dict | None, up: bool) -> int:
        """Move ``market``'s size to the next 1-2-5 multiple of its minimum (up or down,
        never below the minimum); the new size."""
        unit = minimum_size(spec)
        current = self.size(market, spec)
        if up:
            bigger = [m * unit for m in MULTIPLES if m * unit > current]
            new = bigger[0] if bigger else current
        else:
            smaller = [m * unit for m in MULTIPLES if m * unit < current]
            new = smaller[-1] if smaller else unit
        self.sizes[market] = new
        return new
