"""The workstation's colours and style sheets: dark by default, light available.

Panels that paint themselves read `current()`; widgets get the style sheet from
`resources/themes/<name>.qss`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

THEMES_DIR = Path(__file__).resolve().parent.parent / "resources" / "themes"


ARMED = "background: #c62828; color: white; font-weight: bold;"
"""How a switch that arms the trading keys looks while armed (the same in both themes)."""


@dataclass(frozen=True, slots=True)
class Palette:
    """Colours as ``#rrggbb`` text."""

    name: str
    background: str
    surface: str
    text: str
    muted: str
    grid: str
    bid: str
    ask: str
    bid_bar: str
    ask_bar: str
    accent: str
    own_order: str
    mark: str
    oracle: str
    warning: str
    danger: str


DARK = Palette(
    name="dark",
    background="#101418",
    surface="#161b22",
    text="#d7dde4",
    muted="#7d8896",
    grid="#232a33",
    bid="#26a69a",
    ask="#ef5350",
    bid_bar="#143d39",
    ask_bar="#4a1f22",
    accent="#4f9cf7",
    own_order="#f5c542",
    mark="#b388ff",
    oracle="#4fc3f7",
    warning="#ffb74d",
    danger="#ff5252",
)

LIGHT = Palette(
    name="light",
    background="#f7f8fa",
    surface="#ffffff",
    text="#1d232a",
    muted="#66707c",
    grid="#e3e7ec",
    bid="#00897b",
    ask="#d32f2f",
    bid_bar="#d3eeea",
    ask_bar="#f8dcdc",
    accent="#1565c0",
    own_order="#b8860b",
    mark="#6a1b9a",
    oracle="#0277bd",
    warning="#e65100",
    danger="#c62828",
)

PALETTES = {palette.name: palette for palette in (DARK, LIGHT)}
_in_use = [DARK]
"""The palette in use (one slot, switched by `use`)."""


def current() -> Palette:
    """The palette in use."""
    return _in_use[0]


def use(name: str) -> Palette:
    """Switch the palette (``dark`` or ``light``); returns it."""
    if name not in PALETTES:
        raise ValueError(f"unknown theme {name!r}; one of {', '.join(PALETTES)}")
    _in_use[0] = PALETTES[name]
    return _in_use[0]


def style_sheet(name: str) -> str:
    """The theme's Qt style sheet."""
    return (THEMES_DIR / f"{name}.qss").read_text(encoding="utf-8")
