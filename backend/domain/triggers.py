"""Trigger conditions of stop, take-profit and trailing-stop orders.

A `TriggerBook` holds the orders waiting for their price and, given new reference prices,
says which fire. Rules (for the order's own side):

* stop: a buy fires when the price rises to the trigger (``price >= trigger``), a sell when
  it falls to it (``price <= trigger``);
* take-profit: the mirror image: a buy fires on ``price <= trigger``, a sell on
  ``price >= trigger``;
* trailing stop: a sell tracks the highest price seen since placement and fires when the
  price falls ``distance`` below it; a buy tracks the lowest and fires ``distance`` above.
  A percent distance is ``best * percent / 1e6``, rounded down (never wider than asked).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from backend.domain.fixed_point import apply_ratio_floor
from backend.domain.orders import Side, TriggerReference


class TriggerKind(StrEnum):
    """How a waiting order's trigger moves and fires."""

    STOP = "stop"
    TAKE_PROFIT = "take_profit"
    TRAILING = "trailing"


@dataclass(frozen=True, slots=True)
class ReferencePrices:
    """The prices triggers can watch; None where not known yet."""

    mark: int | None = None
    oracle: int | None = None
    last: int | None = None

    def get(self, reference: TriggerReference) -> int | None:
        """The price named by ``reference``."""
        if reference is TriggerReference.MARK:
            return self.mark
        if reference is TriggerReference.ORACLE:
            return self.oracle
        return self.last


@dataclass(slots=True)
class PendingTrigger:
    """One order waiting for its trigger."""

    order_id: int
    side: Side
    kind: TriggerKind
    reference: TriggerReference
    trigger_price: int | None = None
    trailing_amount: int | None = None
    trailing_percent: int | None = None
    best_price: int | None = None
    """Trailing stops: the best reference price seen since placement."""

    def distance(self) -> int:
        """The trailing distance in price units at the current best price."""
        if self.trailing_amount is not None:
            return self.trailing_amount
        assert self.best_price is not None and self.trailing_percent is not None
        return apply_ratio_floor(self.best_price, self.trailing_percent)

    def observe(self, price: int) -> bool:
        """Take in a new reference price; True when the order fires at it."""
        if self.kind is TriggerKind.TRAILING:
            self._track(price)
            # trigger_price is kept current so the trader sees where the stop sits now
            return (
                price >= self.trigger_price
                if self.side is Side.BUY
                else (price <= self.trigger_price)
            )
        assert self.trigger_price is not None
        rising = (self.kind is TriggerKind.STOP) == (self.side is Side.BUY)
        return price >= self.trigger_price if rising else price <= self.trigger_price

    def _track(self, price: int) -> None:
        if self.best_price is None:
            self.best_price = price
        elif self.side is Side.SELL:
            self.best_price = max(self.best_price, price)
        else:
            self.best_price = min(self.best_price, price)
        distance = self.distance()
        self.trigger_price = (
            self.best_price - distance if self.side is Side.SELL else self.best_price + distance
        )


class TriggerBook:
    """The waiting trigger orders of one market, fired in placement order."""

    def __init__(self) -> None:
        self._pending: dict[int, PendingTrigger] = {}

    def __contains__(self, order_id: object) -> bool:
        return order_id in self._pending

    def __len__(self) -> int:
        return len(self._pending)

    def get(self, order_id: int) -> PendingTrigger | None:
        """The waiting trigger of ``order_id``, or None."""
        return self._pending.get(order_id)

    def add(self, trigger: PendingTrigger, current: int | None = None) -> None:
        """Start watching ``trigger``; trailing stops start tracking from ``current``."""
        if trigger.order_id in self._pending:
            raise ValueError(f"order {trigger.order_id} is already waiting for a trigger")
        if trigger.kind is TriggerKind.TRAILING and current is not None:
            trigger._track(current)
        self._pending[trigger.order_id] = trigger

    def remove(self, order_id: int) -> PendingTrigger | None:
        """Stop watching ``order_id``; returns it, or None if it was not waiting."""
        return self._pending.pop(order_id, None)

    def on_price(self, prices: ReferencePrices) -> list[int]:
        """Feed new prices; returns the order ids that fire (removed from the book)."""
        fired = []
        for order_id, trigger in self._pending.items():
            price = prices.get(trigger.reference)
            if price is not None and trigger.observe(price):
                fired.append(order_id)
        for order_id in fired:
            del self._pending[order_id]
        return fired
