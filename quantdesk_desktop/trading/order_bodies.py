"""The bodies of `POST /api/orders` that the blotter and the hotkeys send: plain market
and limit orders, and the orders that close or reverse a position. Prices and sizes are
in units here and leave as decimal text."""

from __future__ import annotations

from backend.domain.fixed_point import BASE_PRECISION, PRICE_PRECISION, format_fixed
from quantdesk_desktop.state.positions import PositionView


def market_order(market: str, side: str, size: int) -> dict:
    """A market order for ``size`` base units."""
    return {
        "market": market,
        "side": side,
        "type": "market",
        "size": format_fixed(size, BASE_PRECISION),
    }


def limit_order(market: str, side: str, size: int, price: int) -> dict:
    """A good-till-cancelled limit order."""
    return market_order(market, side, size) | {
        "type": "limit",
        "price": format_fixed(price, PRICE_PRECISION),
    }


def closing_side(position: PositionView) -> str:
    """The side of an order that reduces ``position``."""
    return "sell" if position.size > 0 else "buy"


def close_order(position: PositionView) -> dict:
    """A reduce-only market order for the whole position."""
    return market_order(position.market, closing_side(position), abs(position.size)) | {
        "reduce_only": True
    }


def close_at_limit_order(position: PositionView, price: int) -> dict:
    """A reduce-only limit order for the whole position at ``price``."""
    return close_order(position) | {
        "type": "limit",
        "price": format_fixed(price, PRICE_PRECISION),
    }


def reverse_order(position: PositionView) -> dict:
    """A market order for twice the position the other way: as large the other side."""
    return market_order(position.market, closing_side(position), 2 * abs(position.size)) | {
        "reduce_only": False
    }


def on_tick(price: int, tick: int, up: bool) -> int:
    """``price`` moved onto a multiple of ``tick`` (up or down)."""
    if tick <= 0:
        return price
    return -(-price // tick) * tick if up else price // tick * tick
