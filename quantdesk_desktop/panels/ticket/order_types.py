"""What each order type asks of the ticket: its inputs, time-in-force choices and flags,
as data (a new type is one entry)."""

from __future__ import annotations

from dataclasses import dataclass

from backend.domain.orders import OrderType

TIME_IN_FORCE = ("gtc", "gtd", "ioc", "fok")
TIF_LABELS = {"gtc": "GTC", "gtd": "GTD", "ioc": "IOC", "fok": "FOK"}


@dataclass(frozen=True, slots=True)
class TypeForm:
    """The ticket's shape for one order type."""

    label: str
    inputs: frozenset[str]
    """Shown inputs besides size: price, trigger, trailing, visible_size, twap, bracket."""
    price_required: bool = False
    """Whether a shown price must be given (optional: blank means at market)."""
    time_in_force: tuple[str, ...] = ("gtc", "gtd", "ioc")
    post_only: bool = False


ORDER_TYPES: dict[OrderType, TypeForm] = {
    OrderType.MARKET: TypeForm("Market", frozenset(), time_in_force=("gtc", "ioc", "fok")),
    OrderType.LIMIT: TypeForm("Limit", frozenset({"price"}), True, TIME_IN_FORCE, post_only=True),
    OrderType.STOP_MARKET: TypeForm("Stop market", frozenset({"trigger"})),
    OrderType.STOP_LIMIT: TypeForm("Stop limit", frozenset({"trigger", "price"}), True),
    OrderType.TAKE_PROFIT_MARKET: TypeForm("Take-profit market", frozenset({"trigger"})),
    OrderType.TAKE_PROFIT_LIMIT: TypeForm(
        "Take-profit limit", frozenset({"trigger", "price"}), True
    ),
    OrderType.TRAILING_STOP: TypeForm("Trailing stop", frozenset({"trailing"})),
    OrderType.ICEBERG: TypeForm(
        "Iceberg", frozenset({"price", "visible_size"}), True, post_only=True
    ),
    OrderType.TWAP: TypeForm("TWAP", frozenset({"twap", "price"}), time_in_force=("gtc",)),
    OrderType.BRACKET: TypeForm("Bracket", frozenset({"price", "bracket"})),
}
"""Every type the backend accepts, in the order the ticket lists them."""

TRIGGERED = frozenset(
    {
        OrderType.STOP_MARKET,
        OrderType.STOP_LIMIT,
        OrderType.TAKE_PROFIT_MARKET,
        OrderType.TAKE_PROFIT_LIMIT,
        OrderType.TRAILING_STOP,
    }
)
"""Types that watch a reference price (mark, oracle or last) before they work."""
