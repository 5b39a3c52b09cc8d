"""What a trading key does in a market, worked out from the store before anything is
sent: the orders (at the book's touch for join and cross keys), or the cancels, or the
reason it does nothing. The ticket's fat-finger guards bound hotkey orders too, and a
hotkey never asks: beyond a guard, the order is refused."""

from __future__ import annotations

from dataclasses import dataclass

from backend.domain.fixed_point import (
    BASE_PRECISION,
    PRICE_PRECISION,
    format_fixed,
    quote_value_floor,
)
from quantdesk_desktop.panels.ticket.guards import Guards, breaches
from quantdesk_desktop.state.positions import PositionView
from quantdesk_desktop.state.store import MarketStore
from quantdesk_desktop.trading.order_bodies import (
    close_order,
    limit_order,
    market_order,
    reverse_order,
)


class HotkeyRefused(ValueError):
    """The key does nothing, for the reason given."""


@dataclass(frozen=True, slots=True)
class Plan:
    """What a trading key sends."""

    what: str
    """In words, for the user (``buy 1 SOL-PERP at the bid 150.2``)."""
    orders: tuple[dict, ...] = ()
    cancel: bool = False
    """Cancel every working order, in ``cancel_market`` (None: everywhere)."""
    cancel_market: str | None = None


ENTRIES = {
    # action: (side, where): the price an entry key uses (None: at market)
    "buy_market": ("buy", None),
    "sell_market": ("sell", None),
    "buy_bid": ("buy", "bid"),
    "sell_ask": ("sell", "ask"),
    "buy_ask": ("buy", "ask"),
    "sell_bid": ("sell", "bid"),
}


def plan(action: str, market: str, size: int, store: MarketStore, guards: Guards) -> Plan:
    """The plan of the trading ``action`` in ``market`` with the hotkey ``size``.

    Raises `HotkeyRefused` when the key cannot act (no book side to join, no position to
    flatten, beyond a guard)."""
    if action in ENTRIES:
        side, where = ENTRIES[action]
        return _entry(market, side, where, size, store, guards)
    if action == "cancel_market":
        return Plan(f"cancel all in {market}", cancel=True, cancel_market=market)
    if action == "cancel_everywhere":
        return Plan("cancel all everywhere", cancel=True)
    positions = store.positions.positions
    if action == "flatten_all":
        if not positions:
            raise HotkeyRefused("no open positions to flatten")
        closes = tuple(close_order(p) for _, p in sorted(positions.items()))
        return Plan(f"flatten {len(closes)} positions at market", closes)
    position = positions.get(market)
    if position is None:
        raise HotkeyRefused(f"no {market} position to {action}")
    if action == "flatten":
        return Plan(f"flatten {_describe(position)} at market", (close_order(position),))
    if action == "reverse":
        order = reverse_order(position)
        _guard(store, guards, market, 2 * abs(position.size), _touch(store, market, order))
        return Plan(f"reverse {_describe(position)} at market", (order,))
    raise HotkeyRefused(f"{action} is not a trading key")


def _entry(
    market: str, side: str, where: str | None, size: int, store: MarketStore, guards: Guards
) -> Plan:
    amount = format_fixed(size, BASE_PRECISION)
    if where is None:
        order = market_order(market, side, size)
        _guard(store, guards, market, size, _touch(store, market, order))
        return Plan(f"{side} {amount} {market} at market", (order,))
    book = store.book(market)
    price = book.best_bid() if where == "bid" else book.best_ask()
    if price is None:
        raise HotkeyRefused(f"no {where} in the {market} book to {side} at")
    _guard(store, guards, market, size, price)
    at = format_fixed(price, PRICE_PRECISION)
    return Plan(
        f"{side} {amount} {market} at the {where} {at}", (limit_order(market, side, size, price),)
    )


def _touch(store: MarketStore, market: str, order: dict) -> int | None:
    """Where a market order would start filling: the opposite touch, else the mark."""
    book = store.book(market)
    price = book.best_ask() if order["side"] == "buy" else book.best_bid()
    if price is None:
        prices = store.board.prices.get(market)
        price = prices.mark if prices is not None else None
    return price


def _guard(store: MarketStore, guards: Guards, market: str, size: int, price: int | None) -> None:
    prices = store.board.prices.get(market)
    oracle = prices.oracle if prices is not None else None
    notional = None if price is None else quote_value_floor(price, size)
    found = breaches(guards, market, size, notional, price, oracle)
    if found:
        raise HotkeyRefused("beyond the guards: " + "; ".join(found))


def _describe(position: PositionView) -> str:
    return (
        f"{position.market} {position.direction} {format_fixed(abs(position.size), BASE_PRECISION)}"
    )
