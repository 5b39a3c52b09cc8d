"""Property tests: the book against a slow, obviously correct reference model."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import count

from hypothesis import given, settings
from hypothesis import strategies as st

from backend.domain.order_book import OrderBook
from backend.domain.orders import Side

BUY, SELL = Side.BUY, Side.SELL


@dataclass
class _Ref:
    order_id: int
    account: str
    side: Side
    price: int
    visible: int
    hidden: int
    visible_size: int
    time: int


class ReferenceBook:
    """A list of orders; matching sorts them by price then arrival every time."""

    def __init__(self) -> None:
        self.orders: dict[int, _Ref] = {}
        self.clock = count()

    def add(self, order_id, account, side, price, size, visible_size):
        shown = size if visible_size is None else min(size, visible_size)
        self.orders[order_id] = _Ref(
            order_id,
            account,
            side,
            price,
            shown,
            size - shown,
            visible_size or size,
            next(self.clock),
        )

    def match(self, taker, account, side, size, limit):
        fills, remaining = [], size
        while remaining:
            candidates = [o for o in self.orders.values() if o.side is not side]
            if limit is not None:
                candidates = [
                    o for o in candidates if (o.price <= limit if side is BUY else o.price >= limit)
                ]
            if not candidates:
                break
            key = (lambda o: (o.price, o.time)) if side is BUY else (lambda o: (-o.price, o.time))
            best = min(candidates, key=key)
            if best.account == account:
                del self.orders[best.order_id]
                continue
            qty = min(remaining, best.visible)
            fills.append((best.order_id, best.price, qty))
            remaining -= qty
            best.visible -= qty
            if best.visible == 0:
                if best.hidden:
                    refill = min(best.visible_size, best.hidden)
                    best.hidden -= refill
                    best.visible = refill
                    best.time = next(self.clock)
                else:
                    del self.orders[best.order_id]
        return fills

    def l2(self, side):
        levels: dict[int, int] = {}
        for o in self.orders.values():
            if o.side is side:
                levels[o.price] = levels.get(o.price, 0) + o.visible
        return sorted(levels.items(), reverse=side is BUY)


accounts = st.sampled_from(["a", "b", "c", "d"])
op = st.one_of(
    st.tuples(
        st.just("add"),
        accounts,
        st.sampled_from([BUY, SELL]),
        st.integers(90, 110),
        st.integers(1, 20),
        st.none() | st.integers(1, 6),
    ),
    st.tuples(st.just("cancel"), st.integers(0, 60)),
    st.tuples(
        st.just("match"),
        accounts,
        st.sampled_from([BUY, SELL]),
        st.integers(1, 40),
        st.none() | st.integers(88, 112),
    ),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(op, max_size=60))
def test_book_matches_the_reference_and_stays_consistent(ops) -> None:
    book, ref = OrderBook("T"), ReferenceBook()
    snapshot = book.snapshot()
    mirror: dict[tuple[Side, int], int] = {}
    ids = count(1)
    for step in ops:
        if step[0] == "add":
            _, account, side, price, size, visible = step
            order_id = next(ids)
            if book.would_cross(side, price):
                result = book.match(order_id, account, side, size, price)
                expected = ref.match(order_id, account, side, size, price)
                assert [(f.maker_order_id, f.price, f.size) for f in result.fills] == expected
                size -= result.filled
            if size:
                book.add(order_id, account, side, price, size, visible)
                ref.add(order_id, account, side, price, size, visible)
        elif step[0] == "cancel":
            if step[1] in book:
                ref_order = ref.orders.pop(step[1])
                assert book.cancel(step[1]) == ref_order.visible + ref_order.hidden
        else:
            _, account, side, size, limit = step
            order_id = next(ids)
            result = book.match(order_id, account, side, size, limit)
            expected = ref.match(order_id, account, side, size, limit)
            assert [(f.maker_order_id, f.price, f.size) for f in result.fills] == expected
        # never crossed
        bid, ask = book.best_bid(), book.best_ask()
        assert bid is None or ask is None or bid < ask
        # the same resting orders and levels as the reference
        assert all(oid in book for oid in ref.orders)
        assert len(book) == len(ref.orders)
        now = book.snapshot()
        assert now.bids == ref.l2(BUY) and now.asks == ref.l2(SELL)
        # snapshot + deltas rebuild the live book
        for delta in book.drain_deltas():
            assert delta.seq > snapshot.seq
            if delta.size:
                mirror[(delta.side, delta.price)] = delta.size
            else:
                mirror.pop((delta.side, delta.price), None)
        assert mirror == {(BUY, p): s for p, s in now.bids} | {(SELL, p): s for p, s in now.asks}


@settings(max_examples=100, deadline=None)
@given(st.lists(op, max_size=60))
def test_size_is_conserved(ops) -> None:
    """Every unit added rests, fills, or was cancelled (by the user or by STP)."""
    book = OrderBook("T")
    ids = count(1)
    added = filled_as_maker = cancelled = 0
    for step in ops:
        if step[0] == "add":
            _, account, side, price, size, visible = step
            if book.would_cross(side, price):
                continue
            book.add(next(ids), account, side, price, size, visible)
            added += size
        elif step[0] == "cancel":
            if step[1] in book:
                cancelled += book.cancel(step[1])
        else:
            _, account, side, size, limit = step
            before = {oid: book.resting(oid).remaining for oid in list(book._orders)}
            result = book.match(next(ids), account, side, size, limit)
            filled_as_maker += result.filled
            cancelled += sum(before[oid] for oid in result.self_trade_cancelled)
    resting = sum(book.resting(oid).remaining for oid in list(book._orders))
    assert added == filled_as_maker + cancelled + resting
