"""What a matching engine command changed, for the services to persist and publish."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from backend.domain.auction import Auction
from backend.domain.fills import Fill
from backend.domain.order_book import L2Delta
from backend.domain.orders import Order


class CancelReason(StrEnum):
    """Why an order stopped working without filling completely."""

    USER = "user"
    SELF_TRADE = "self_trade"
    EXPIRED = "expired"
    OCO = "oco"
    REDUCE_ONLY = "reduce_only"
    IOC_REMAINDER = "ioc_remainder"
    NO_LIQUIDITY = "no_liquidity"
    PARENT_CANCELLED = "parent_cancelled"


@dataclass(slots=True)
class EngineResult:
    """The effects of one command, in the order they happened.

    ``changed`` lists every order whose status, size or fills changed (each once, last
    state); the services commit it with ``fills`` in one transaction before answering.
    """

    order: Order | None = None
    duplicate: bool = False
    """The client order id was seen before: ``order`` is the original, nothing changed."""
    fills: list[Fill] = field(default_factory=list)
    changed: list[Order] = field(default_factory=list)
    cancelled: list[tuple[int, CancelReason]] = field(default_factory=list)
    triggered: list[int] = field(default_factory=list)
    deltas: list[L2Delta] = field(default_factory=list)
    auctions_started: list[Auction] = field(default_factory=list)
    auctions_settled: list[tuple[Auction, list[Fill]]] = field(default_factory=list)
    """Each settled auction with the fills its quotes made (maker order id 0)."""
    auctions_dropped: list[Auction] = field(default_factory=list)
    """Auctions closed unsettled because their taker order stopped (cancelled)."""
    _seen: set[int] = field(default_factory=set, repr=False)

    def touch(self, order: Order) -> None:
        """Note that ``order`` changed."""
        if order.order_id not in self._seen:
            self._seen.add(order.order_id)
            self.changed.append(order)
