"""Order vocabulary: sides, types, flags, the request a client sends, and the order lifecycle.

The lifecycle is an explicit state machine (`ALLOWED_TRANSITIONS`): an illegal change of
status raises `IllegalTransition` instead of silently overwriting.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from backend.domain.errors import IllegalTransition


class Side(StrEnum):
    """Buy (long) or sell (short)."""

    BUY = "buy"
    SELL = "sell"

    @property
    def sign(self) -> int:
        """+1 for buy, -1 for sell: the sign of the position change."""
        return 1 if self is Side.BUY else -1

    @property
    def opposite(self) -> Side:
        """The other side."""
        return Side.SELL if self is Side.BUY else Side.BUY


class OrderType(StrEnum):
    """Every order type the core accepts."""

    MARKET = "market"
    LIMIT = "limit"
    STOP_MARKET = "stop_market"
    STOP_LIMIT = "stop_limit"
    TAKE_PROFIT_MARKET = "take_profit_market"
    TAKE_PROFIT_LIMIT = "take_profit_limit"
    TRAILING_STOP = "trailing_stop"
    ICEBERG = "iceberg"
    TWAP = "twap"
    BRACKET = "bracket"

    @property
    def is_triggered(self) -> bool:
        """Whether the order waits for a trigger price before it works."""
        return self in _TRIGGERED_TYPES

    @property
    def needs_limit_price(self) -> bool:
        """Whether the order carries a limit price."""
        return self in _LIMIT_PRICED_TYPES


_TRIGGERED_TYPES = frozenset(
    {
        OrderType.STOP_MARKET,
        OrderType.STOP_LIMIT,
        OrderType.TAKE_PROFIT_MARKET,
        OrderType.TAKE_PROFIT_LIMIT,
        OrderType.TRAILING_STOP,
    }
)
_LIMIT_PRICED_TYPES = frozenset(
    {OrderType.LIMIT, OrderType.STOP_LIMIT, OrderType.TAKE_PROFIT_LIMIT, OrderType.ICEBERG}
)


class TimeInForce(StrEnum):
    """How long an order works: until cancelled, until a time, immediately, or all-or-none."""

    GTC = "gtc"
    GTD = "gtd"
    IOC = "ioc"
    FOK = "fok"


class TriggerReference(StrEnum):
    """Which price a trigger watches."""

    MARK = "mark"
    ORACLE = "oracle"
    LAST = "last"


class OrderStatus(StrEnum):
    """Where an order is in its life."""

    PENDING = "pending"
    """Accepted and waiting for its trigger (stops, take-profits, bracket legs, TWAP parent)."""
    OPEN = "open"
    PARTIALLY_FILLED = "partially_filled"
    FILLED = "filled"
    CANCELLED = "cancelled"
    EXPIRED = "expired"
    REJECTED = "rejected"

    @property
    def is_terminal(self) -> bool:
        """Whether the order can change no more."""
        return self in _TERMINAL


_TERMINAL = frozenset(
    {OrderStatus.FILLED, OrderStatus.CANCELLED, OrderStatus.EXPIRED, OrderStatus.REJECTED}
)

ALLOWED_TRANSITIONS: dict[OrderStatus, frozenset[OrderStatus]] = {
    OrderStatus.PENDING: frozenset(
        {
            OrderStatus.OPEN,
            OrderStatus.PARTIALLY_FILLED,
            OrderStatus.FILLED,
            OrderStatus.CANCELLED,
            OrderStatus.EXPIRED,
            OrderStatus.REJECTED,
        }
    ),
    OrderStatus.OPEN: frozenset(
        {
            OrderStatus.PARTIALLY_FILLED,
            OrderStatus.FILLED,
            OrderStatus.CANCELLED,
            OrderStatus.EXPIRED,
        }
    ),
    OrderStatus.PARTIALLY_FILLED: frozenset(
        {
            OrderStatus.PARTIALLY_FILLED,
            OrderStatus.FILLED,
            OrderStatus.CANCELLED,
            OrderStatus.EXPIRED,
        }
    ),
    OrderStatus.FILLED: frozenset(),
    OrderStatus.CANCELLED: frozenset(),
    OrderStatus.EXPIRED: frozenset(),
    OrderStatus.REJECTED: frozenset(),
}


def check_transition(current: OrderStatus, new: OrderStatus) -> None:
    """Raise `IllegalTransition` unless the lifecycle allows ``current`` -> ``new``."""
    if new not in ALLOWED_TRANSITIONS[current]:
        raise IllegalTransition(f"an order cannot go from {current.value} to {new.value}")


@dataclass(slots=True)
class OrderRequest:
    """What a client asks for, already in fixed point (sizes base units, prices price units).

    Only the fields a type needs are set; `validate_order` says which are wrong.
    """

    account: str
    market: str
    side: Side
    type: OrderType
    size: int
    client_order_id: str
    price: int | None = None
    trigger_price: int | None = None
    trigger_reference: TriggerReference = TriggerReference.MARK
    trailing_amount: int | None = None
    """Trailing distance in price units (exclusive with `trailing_percent`)."""
    trailing_percent: int | None = None
    """Trailing distance as a ratio of the best price (ppm, exclusive with the amount)."""
    visible_size: int | None = None
    """Iceberg: the size shown on the book at a time."""
    twap_duration_s: int | None = None
    twap_slices: int | None = None
    take_profit_price: int | None = None
    """Bracket: the price of the take-profit leg."""
    stop_loss_price: int | None = None
    """Bracket: the trigger price of the stop-loss leg."""
    time_in_force: TimeInForce = TimeInForce.GTC
    expire_at_ms: int | None = None
    post_only: bool = False
    reduce_only: bool = False


@dataclass(slots=True)
class Order:
    """A live order held by the core: the request plus identity, fills and status."""

    order_id: int
    request: OrderRequest
    created_at_ms: int
    status: OrderStatus = OrderStatus.OPEN
    filled: int = 0
    filled_quote: int = 0
    """Sum of price * size of the fills, in quote units (for the average price)."""
    fees_paid: int = 0
    parent_id: int | None = None
    """The parent order (TWAP slice, bracket leg) this order belongs to."""
    linked_ids: list[int] = field(default_factory=list)
    """OCO partners: filling or cancelling this order cancels them."""
    reject_reason: str | None = None

    @property
    def remaining(self) -> int:
        """Size not filled yet."""
        return self.request.size - self.filled

    @property
    def side(self) -> Side:
        """The order's side."""
        return self.request.side

    @property
    def account(self) -> str:
        """The owning account."""
        return self.request.account

    def move_to(self, new: OrderStatus) -> None:
        """Change status through the lifecycle, refusing an illegal transition."""
        check_transition(self.status, new)
        self.status = new
