"""The account's finished orders (filled, cancelled, expired, rejected), and the whole record
of each working order (when it was placed, its parent, its average price), for the
blotter.

Finished orders come from two places: pages of `GET /api/orders/history` (newest first,
appended at the bottom as the user asks for more) and the `orders` channel, whose updates
with a terminal status go on top as they happen. An order is listed once.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from quantdesk_desktop.state.orders import OwnOrder

TERMINAL = frozenset({"filled", "cancelled", "expired", "rejected"})
PAGE_SIZE = 200
"""Finished orders asked for per page."""


@dataclass(slots=True)
class OrderHistory:
    """Finished orders, newest first, and what is known of the working ones.

    A view follows the list through its counters: the first ``prepended - seen`` records
    are new on top, the last ``appended - seen`` new at the bottom, and ``reloads`` moving
    means start again."""

    finished: list[OwnOrder] = field(default_factory=list)
    """Newest first: live finishes on top, loaded pages below."""
    working: dict[int, OwnOrder] = field(default_factory=dict)
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
        record = OwnOrder.of(message["order"])
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
        records = [OwnOrder.of(row) for row in rows]
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
            record = OwnOrder.of(row)
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
