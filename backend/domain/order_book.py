"""A central limit order book for one market: price-time priority, icebergs, self-trade
prevention, and an L2 view published as a snapshot plus sequenced deltas.

The book holds resting limit orders only; order types, flags and fees live in the matching
engine above it. Prices are price units, sizes base units, all integers.

Speed matters here (it is the inner loop of every order): levels are a dict of price to a
FIFO queue, best prices are the last element of a sorted key list, cancels are O(1) by
marking the entry dead and skipping it when matching reaches it.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import deque
from dataclasses import dataclass, field

from backend.domain.fills import Fill
from backend.domain.fixed_point import PRICE_TIMES_BASE_TO_QUOTE
from backend.domain.l2 import L2Delta, L2Snapshot
from backend.domain.orders import Side

__all__ = [
    "FillEstimate",
    "L2Delta",
    "L2Snapshot",
    "MatchResult",
    "OrderBook",
    "RestingOrder",
]

_BUY = Side.BUY
_SELL = Side.SELL


class _Entry:
    """One resting order inside a level queue."""

    __slots__ = (
        "account",
        "alive",
        "hidden",
        "order_id",
        "price",
        "side",
        "visible",
        "visible_size",
    )

    def __init__(
        self,
        order_id: int,
        account: str,
        side: Side,
        price: int,
        visible: int,
        hidden: int,
        visible_size: int,
    ) -> None:
        self.order_id = order_id
        self.account = account
        self.side = side
        self.price = price
        self.visible = visible
        self.hidden = hidden
        self.visible_size = visible_size
        self.alive = True


class _Level:
    """All resting orders at one price, oldest first, with their visible total."""

    __slots__ = ("count", "queue", "total")

    def __init__(self) -> None:
        self.queue: deque[_Entry] = deque()
        self.total = 0
        self.count = 0


@dataclass(frozen=True, slots=True)
class RestingOrder:
    """A read-only view of one resting order."""

    order_id: int
    account: str
    side: Side
    price: int
    visible: int
    hidden: int
    visible_size: int

    @property
    def remaining(self) -> int:
        """Visible plus hidden size still to fill."""
        return self.visible + self.hidden


@dataclass(slots=True)
class MatchResult:
    """What one incoming order did to the book."""

    fills: list[Fill] = field(default_factory=list)
    filled: int = 0
    self_trade_cancelled: list[int] = field(default_factory=list)
    """Resting orders of the taker's own account removed by self-trade prevention."""
    completed_makers: list[int] = field(default_factory=list)
    """Resting orders whose whole size (hidden included) is now filled and gone."""


@dataclass(frozen=True, slots=True)
class FillEstimate:
    """What a taker order would get from the book now, without touching it."""

    filled: int
    quote: int
    """Sum of price * size over the fills, in quote units, rounded down once at the end."""
    worst_price: int | None
    levels_used: int

    @property
    def average_price(self) -> int | None:
        """Average fill price in price units (rounded down), or None when nothing fills."""
        if not self.filled:
            return None
        return self.quote * PRICE_TIMES_BASE_TO_QUOTE // self.filled


_new_tuple = tuple.__new__


class OrderBook:
    """The resting limit orders of one market."""

    def __init__(self, market: str) -> None:
        self.market = market
        self.seq = 0
        self._bids: dict[int, _Level] = {}
        self._asks: dict[int, _Level] = {}
        # Sorted so that the best price is last: bids ascending, asks as negated prices.
        self._bid_keys: list[int] = []
        self._ask_keys: list[int] = []
        self._orders: dict[int, _Entry] = {}
        self._dirty_bids: set[int] = set()
        self._dirty_asks: set[int] = set()

    # -- reading ---------------------------------------------------------------------

    def best_bid(self) -> int | None:
        """Highest resting buy price."""
        return self._bid_keys[-1] if self._bid_keys else None

    def best_ask(self) -> int | None:
        """Lowest resting sell price."""
        return -self._ask_keys[-1] if self._ask_keys else None

    def __contains__(self, order_id: object) -> bool:
        return order_id in self._orders

    def __len__(self) -> int:
        return len(self._orders)

    def resting(self, order_id: int) -> RestingOrder | None:
        """The resting order ``order_id``, or None."""
        entry = self._orders.get(order_id)
        if entry is None:
            return None
        return RestingOrder(
            entry.order_id,
            entry.account,
            entry.side,
            entry.price,
            entry.visible,
            entry.hidden,
            entry.visible_size,
        )

    def would_cross(self, side: Side, price: int) -> bool:
        """Whether a ``side`` order at ``price`` would take liquidity (the post-only test)."""
        if side is _BUY:
            return bool(self._ask_keys) and price >= -self._ask_keys[-1]
        return bool(self._bid_keys) and price <= self._bid_keys[-1]

    def levels(self, side: Side, depth: int) -> list[tuple[int, int]]:
        """The best ``depth`` levels of one side as (price, visible size)."""
        if side is _BUY:
            keys, book, sign = self._bid_keys, self._bids, 1
        else:
            keys, book, sign = self._ask_keys, self._asks, -1
        if depth <= 0:
            return []
        out = []
        for key in reversed(keys[-depth:] if depth < len(keys) else keys):
            price = sign * key
            out.append((price, book[price].total))
        return out

    def snapshot(self, depth: int | None = None) -> L2Snapshot:
        """The whole book (or its top ``depth`` levels) aggregated by price."""
        n = max(len(self._bid_keys), len(self._ask_keys)) if depth is None else depth
        return L2Snapshot(self.market, self.seq, self.levels(_BUY, n), self.levels(_SELL, n))

    def _walk(self, side: Side, size: int, limit_price: int | None, account: str | None):
        """Yield (price, size taken) for a taker of ``side``, without changing anything."""
        if side is _BUY:
            keys, book, sign = self._ask_keys, self._asks, -1
        else:
            keys, book, sign = self._bid_keys, self._bids, 1
        remaining = size
        for key in reversed(keys):
            price = sign * key
            if limit_price is not None and (
                price > limit_price if side is _BUY else price < limit_price
            ):
                return
            taken = 0
            for entry in book[price].queue:
                if not entry.alive or entry.account == account:
                    continue
                take = min(remaining - taken, entry.visible + entry.hidden)
                taken += take
                if taken == remaining:
                    break
            if taken:
                yield price, taken
                remaining -= taken
                if not remaining:
                    return

    def fillable(
        self, side: Side, size: int, limit_price: int | None, account: str | None = None
    ) -> int:
        """How much of ``size`` a taker could fill now, icebergs' hidden size included and
        the taker's own resting orders excluded (self-trade prevention would cancel them)."""
        return sum(taken for _, taken in self._walk(side, size, limit_price, account))

    def estimate(
        self, side: Side, size: int, limit_price: int | None, account: str | None = None
    ) -> FillEstimate:
        """The fills a taker order would get now, for previews and auctions."""
        filled = gross = levels = 0
        worst = None
        for price, taken in self._walk(side, size, limit_price, account):
            filled += taken
            gross += price * taken
            levels += 1
            worst = price
        return FillEstimate(filled, gross // PRICE_TIMES_BASE_TO_QUOTE, worst, levels)

    # -- changing ----------------------------------------------------------------------

    def add(
        self,
        order_id: int,
        account: str,
        side: Side,
        price: int,
        size: int,
        visible_size: int | None = None,
        now_ms: int = 0,
    ) -> None:
        """Rest an order at the back of its level; icebergs show ``visible_size`` at a time.

        The order must not cross the book: the engine matches first, then rests the rest.
        """
        if order_id in self._orders:
            raise ValueError(f"order {order_id} is already resting")
        if price <= 0 or size <= 0:
            raise ValueError("a resting order needs a positive price and size")
        if visible_size is not None and visible_size <= 0:
            raise ValueError("an iceberg needs a positive visible size")
        if side is _BUY:
            opposite = self._ask_keys
            if opposite and price >= -opposite[-1]:
                raise ValueError(f"order {order_id} at {price} would cross the book")
            book, keys, key, dirty = self._bids, self._bid_keys, price, self._dirty_bids
        elif side is _SELL:
            opposite = self._bid_keys
            if opposite and price <= opposite[-1]:
                raise ValueError(f"order {order_id} at {price} would cross the book")
            book, keys, key, dirty = self._asks, self._ask_keys, -price, self._dirty_asks
        else:
            raise ValueError(f"side must be a Side, not {side!r}")
        shown = size if visible_size is None or visible_size >= size else visible_size
        entry = _Entry(order_id, account, side, price, shown, size - shown, visible_size or size)
        level = book.get(price)
        if level is None:
            level = book[price] = _Level()
            if not keys or key > keys[-1]:
                keys.append(key)
            else:
                keys.insert(bisect_left(keys, key), key)
        level.queue.append(entry)
        level.total += shown
        level.count += 1
        self._orders[order_id] = entry
        dirty.add(price)

    def cancel(self, order_id: int) -> int:
        """Remove a resting order; returns the size it still had (hidden included)."""
        entry = self._orders.pop(order_id, None)
        if entry is None:
            raise KeyError(f"order {order_id} is not resting in {self.market}")
        entry.alive = False
        self._unlink(entry)
        return entry.visible + entry.hidden

    def reduce(self, order_id: int, new_size: int) -> None:
        """Shrink a resting order to ``new_size`` in total, keeping its time priority.

        An iceberg gives up hidden size first, so its shown slice stays as long as it can.
        """
        entry = self._orders.get(order_id)
        if entry is None:
            raise KeyError(f"order {order_id} is not resting in {self.market}")
        remaining = entry.visible + entry.hidden
        if not 0 < new_size < remaining:
            raise ValueError(f"new size must be between 0 and {remaining}, exclusive")
        cut = remaining - new_size
        from_hidden = min(entry.hidden, cut)
        entry.hidden -= from_hidden
        cut -= from_hidden
        if not cut:
            return  # only hidden size went: the L2 view is unchanged
        entry.visible -= cut
        if entry.side is _BUY:
            self._bids[entry.price].total -= cut
            self._dirty_bids.add(entry.price)
        else:
            self._asks[entry.price].total -= cut
            self._dirty_asks.add(entry.price)

    def _unlink(self, entry: _Entry) -> None:
        """Account for a dead entry in its level, dropping the level when it empties."""
        price = entry.price
        if entry.side is _BUY:
            book, keys, key, dirty = self._bids, self._bid_keys, price, self._dirty_bids
        else:
            book, keys, key, dirty = self._asks, self._ask_keys, -price, self._dirty_asks
        level = book[price]
        level.total -= entry.visible
        level.count -= 1
        dirty.add(price)
        if level.count == 0:
            del book[price]
            if keys[-1] == key:
                keys.pop()
            else:
                del keys[bisect_left(keys, key)]
        elif len(level.queue) > 2 * level.count + 16:
            # Many cancelled entries wait in the queue: compact it, keeping the order.
            level.queue = deque(e for e in level.queue if e.alive)

    def match(
        self,
        taker_order_id: int,
        account: str,
        side: Side,
        size: int,
        limit_price: int | None,
        now_ms: int = 0,
    ) -> MatchResult:
        """Fill an incoming order against the opposite side at the makers' prices.

        Price-time priority; ``limit_price`` None means no price limit. A resting order of
        the same account met on the way is cancelled (self-trade prevention) and matching
        goes on. An iceberg whose visible slice is used up shows its next slice at the back
        of its level.
        """
        result = MatchResult()
        fills = result.fills
        if side is _BUY:
            keys, book, sign, dirty = self._ask_keys, self._asks, -1, self._dirty_asks
        elif side is _SELL:
            keys, book, sign, dirty = self._bid_keys, self._bids, 1, self._dirty_bids
        else:
            raise ValueError(f"side must be a Side, not {side!r}")
        orders = self._orders
        market = self.market
        remaining = size
        while remaining and keys:
            price = sign * keys[-1]
            if limit_price is not None and (
                price > limit_price if side is _BUY else price < limit_price
            ):
                break
            level = book[price]
            queue = level.queue
            dirty.add(price)
            while remaining and queue:
                entry = queue[0]
                if not entry.alive:
                    queue.popleft()
                    continue
                if entry.account == account:
                    queue.popleft()
                    entry.alive = False
                    del orders[entry.order_id]
                    level.total -= entry.visible
                    level.count -= 1
                    result.self_trade_cancelled.append(entry.order_id)
                    continue
                visible = entry.visible
                qty = remaining if remaining < visible else visible
                fills.append(
                    Fill(
                        market,
                        price,
                        qty,
                        side,
                        entry.order_id,
                        taker_order_id,
                        entry.account,
                        account,
                        0,
                        0,
                        now_ms,
                    )
                )
                remaining -= qty
                level.total -= qty
                visible -= qty
                entry.visible = visible
                if visible:
                    continue
                queue.popleft()
                if entry.hidden:
                    refill = (
                        entry.visible_size if entry.visible_size < entry.hidden else entry.hidden
                    )
                    entry.hidden -= refill
                    entry.visible = refill
                    level.total += refill
                    queue.append(entry)
                else:
                    entry.alive = False
                    del orders[entry.order_id]
                    level.count -= 1
                    result.completed_makers.append(entry.order_id)
            if level.count == 0:
                del book[price]
                keys.pop()
        result.filled = size - remaining
        return result

    def drain_deltas(self) -> list[L2Delta]:
        """The levels changed since the last drain, one delta each with its final size,
        numbered consecutively from ``seq + 1``."""
        dirty_bids, dirty_asks = self._dirty_bids, self._dirty_asks
        if not dirty_bids and not dirty_asks:
            return []
        out: list[L2Delta] = []
        append = out.append
        seq = self.seq
        market = self.market
        if dirty_bids:
            book = self._bids
            for price in dirty_bids:
                level = book.get(price)
                seq += 1
                size = 0 if level is None else level.total
                append(_new_tuple(L2Delta, (market, seq, _BUY, price, size)))
            dirty_bids.clear()
        if dirty_asks:
            book = self._asks
            for price in dirty_asks:
                level = book.get(price)
                seq += 1
                size = 0 if level is None else level.total
                append(_new_tuple(L2Delta, (market, seq, _SELL, price, size)))
            dirty_asks.clear()
        self.seq = seq
        return out
