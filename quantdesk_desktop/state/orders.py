"""The account's own working orders, as the `orders` channel and `GET /api/orders` give
them (the ladder and the chart show them; the blotter lists them)."""

from __future__ import annotations

from dataclasses import dataclass, field

from backend.domain.fixed_point import parse_base, parse_price, parse_quote

WORKING = frozenset({"pending", "open", "partially_filled"})


@dataclass(frozen=True, slots=True)
class OwnOrder:
    """One of the account's orders as the server states it (`OrderOut`), prices, sizes and
    fees in fixed-point units: the working ones here, the finished ones in the history."""

    order_id: int
    client_order_id: str
    market: str
    side: str
    type: str
    status: str
    price: int | None
    trigger_price: int | None
    size: int
    filled: int
    average_price: int | None = None
    fees_paid: int = 0
    time_in_force: str = "gtc"
    post_only: bool = False
    reduce_only: bool = False
    parent_id: int | None = None
    created_at_ms: int = 0
    reject_reason: str | None = None

    @property
    def remaining(self) -> int:
        """Size still to fill."""
        return self.size - self.filled

    @classmethod
    def of(cls, row: dict) -> OwnOrder:
        """From the wire shape (`OrderOut`)."""

        def price(name: str) -> int | None:
            value = row.get(name)
            return None if value is None else parse_price(value)

        return cls(
            order_id=row["order_id"],
            client_order_id=row["client_order_id"],
            market=row["market"],
            side=row["side"],
            type=row["type"],
            status=row["status"],
            price=price("price"),
            trigger_price=price("trigger_price"),
            size=parse_base(row["size"]),
            filled=parse_base(row["filled"]),
            average_price=price("average_price"),
            fees_paid=parse_quote(row.get("fees_paid") or "0"),
            time_in_force=row.get("time_in_force", "gtc"),
            post_only=bool(row.get("post_only", False)),
            reduce_only=bool(row.get("reduce_only", False)),
            parent_id=row.get("parent_id"),
            created_at_ms=row.get("created_at_ms", 0),
            reject_reason=row.get("reject_reason"),
        )


@dataclass(slots=True)
class OrdersState:
    """Working orders by id."""

    working: dict[int, OwnOrder] = field(default_factory=dict)
    version: int = 0

    def load(self, rows: list[dict]) -> None:
        """Replace everything with the open orders listed by the server."""
        self.working = {o.order_id: o for o in map(OwnOrder.of, rows) if o.status in WORKING}
        self.version += 1

    def apply(self, message: dict) -> None:
        """Take an `orders` channel update: a working order is kept, any other dropped."""
        if message.get("type") != "update":
            return
        order = OwnOrder.of(message["order"])
        if order.status in WORKING:
            self.working[order.order_id] = order
        else:
            self.working.pop(order.order_id, None)
        self.version += 1

    def in_market(self, market: str) -> list[OwnOrder]:
        """The working orders of ``market``."""
        return [o for o in self.working.values() if o.market == market]
