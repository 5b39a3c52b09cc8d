"""The account's finished orders (filled, cancelled, expired, rejected), and the whole record
of each working order that the `OwnOrder` of `orders.py` leaves out (when it was placed,
its parent, its average price), for the blotter.

Finished orders come from two places: pages of `GET /api/orders/history` (newest first,
appended at the bottom as the user asks for more) and the `orders` channel, whose updates
with a terminal status go on top as they happen. An order is listed once.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from backend.domain.fixed_point import parse_base, parse_price, parse_quote

TERMINAL = frozenset({"filled", "cancelled", "expired", "rejected"})
PAGE_SIZE = 200
"""Finished orders asked for per page."""


@dataclass(frozen=True, slots=True)
class OrderRecord:
    """An order as the server states it (`OrderOut`), amounts in fixed-point units."""

    order_id: int
    client_order_id: str
    market: str
    side: str
    type: str
    status: str
    size: int
    filled: int
    average_price: int | None
    fees_paid: int
    price: int | None
    trigger_price: int | None
    time_in_force: str
    post_only: bool
    reduce_only: bool
    parent_id: int | None
    created_at_ms: int
    reject_reason: str | None

    @classmethod
    def of(cls, row: dict) -> OrderRecord:
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
            size=parse_base(row["size"]),
            filled=parse_base(row["filled"]),
            average_price=price("average_price"),
            fees_paid=parse_quote(row.get("fees_paid") or "0"),
            price=price("price"),
            trigger_price=price("trigger_price"),
            time_in_force=row.get("time_in_force", "gtc"),
            post_only=bool(row.get("post_only", False)),
            reduce_only=bool(row.get("reduce_only", False)),
            parent_id=row.get("parent_id"),
            created_at_ms=row.get("created_at_ms", 0),
            reject_reason=row.get("reject_reason"),
        )


@dataclass(slots=True)
class OrderHistory:
    """Finished orders, newest first, and what is known of the working ones.

    A view follows the list through its counters: the first ``prepended - seen`` records
    are new on top, the last ``appended - seen`` new at the bottom, and ``reloads`` moving
    means start again."""

    finished: list[OrderRecord] = field(default_factory=list)
    """Newest first: live finishes on top, loaded pages below."""
    working: dict[int, OrderRecord] = field(default_factory=dict)
    """The newest record of each working order, by id."""
    children: dict[int, set[int]] = field(default_factory=dict)
    """The child orders seen of each working parent (TWAP slices, bracket legs)."""
    next_cursor: str | None = None
    """Where the next page starts (None: from the newest)."""
    complete: bool = False
    """Every finished order is loaded (the server said there is no next page)."""
    loading: bool = False
    more_wanted: bool = False
    """A view asked for the next page; the client layer loads it and clears this."""
    error: str = ""
    """Why the last page did not load ("" when it did)."""
    prepended: int = 0
    appended: int = 0
    reloads: int = 0
    version: int = 0
    _ids: set[int] = field(default_factory=set)

    def apply(self, message: dict) -> None:
        """Take an `orders` channel update: a finished order goes on top (once)."""
        if message.get("type") != "update":
            return
        record = OrderRecord.of(message["order"])
        if record.parent_id is not None and record.parent_id not in self._ids:
            self.children.setdefault(record.parent_id, set()).add(record.order_id)
        if record.status in TERMINAL:
            self.working.pop(record.order_id, None)
            self.children.pop(record.order_id, None)
            if record.order_id not in self._ids:
                self._ids.add(record.order_id)
                self.finished.insert(0, record)
                self.prepended += 1
        else:
            self.working[record.order_id] = record
        self.version += 1

    def load_working(self, rows: list[dict]) -> None:
        """Take the working orders as `GET /api/orders` lists them."""
        records = [OrderRecord.of(row) for row in rows]
        self.working = {r.order_id: r for r in records if r.status not in TERMINAL}
        for record in records:
            if record.parent_id is not None:
                self.children.setdefault(record.parent_id, set()).add(record.order_id)
        self.version += 1

    def ask_more(self) -> None:
        """Ask the client layer for the next page (nothing when all is loaded)."""
        if not self.complete and not self.more_wanted:
            self.more_wanted = True
            self.version += 1

    def start_loading(self) -> bool:
        """A page load begins; False if one is under way or there is nothing more."""
        if self.loading or self.complete:
            self.more_wanted = False
            return False
        self.loading, self.more_wanted = True, False
        self.version += 1
        return True

    def load_page(self, page: dict) -> None:
        """Take a page of `GET /api/orders/history` (`OrderPage`) at the bottom."""
        new = []
        for row in page.get("orders", []):
            record = OrderRecord.of(row)
            if record.parent_id is not None and record.parent_id in self.working:
                self.children.setdefault(record.parent_id, set()).add(record.order_id)
            if record.order_id not in self._ids:
                self._ids.add(record.order_id)
                new.append(record)
        self.finished.extend(new)
        self.appended += len(new)
        self.next_cursor = page.get("next_cursor")
        self.complete = self.next_cursor is None
        self.loading, self.error = False, ""
        self.version += 1

    def load_failed(self, reason: str) -> None:
        """The page did not load: say why (asking again retries)."""
        self.loading, self.error = False, reason
        self.version += 1

    def child_count(self, parent_id: int) -> int:
        """How many child orders of ``parent_id`` have been seen."""
        return len(self.children.get(parent_id, ()))
