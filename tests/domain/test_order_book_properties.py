"""Property tests: the book against a slow, obviously correct reference model."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import count

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backend.domain.fixed_point import PRICE_TIMES_BASE_TO_QUOTE
from backend.domain.order_book import L2Snapshot, OrderBook
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
    """A dict of orders; matching picks the best by (price, arrival) from scratch each time."""

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

    def reduce(self, order_id, new_size):
        order = self.orders[order_id]
        cut = order.visible + order.hidden - new_size
        from_hidden = min(order.hidden, cut)
        order.hidden -= from_hidden
        order.visible -= cut - from_hidden

    def match(self, account, side, size, limit):
        """(fills as (maker id, price, size), STP-cancelled ids, completed maker ids)."""
        fills, stp, completed, remaining = [], [], [], size
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
                stp.append(best.order_id)
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
                    best.time = next(self.clock)  # the refill loses its place
                else:
                    del self.orders[best.order_id]
                    completed.append(best.order_id)
        return fills, stp, completed

    def l2(self, side):
        levels: dict[int, int] = {}
        for o in self.orders.values():
            if o.side is side:
                levels[o.price] = levels.get(o.price, 0) + o.visible
        return sorted(levels.items(), reverse=side is BUY)


accounts = st.sampled_from(["a", "b", "c", "d"])
sides = st.sampled_from([BUY, SELL])
add_op = st.tuples(
    st.just("add"),
    accounts,
    sides,
    st.integers(97, 103),
    st.integers(1, 20),
    st.none() | st.integers(1, 6),
)
match_op = st.tuples(
    st.just("match"), accounts, sides, st.integers(1, 40), st.none() | st.integers(96, 104)
)
# Adds and matches weigh more: priority bugs show only on crowded levels.
op = st.one_of(
    add_op,
    add_op,
    add_op,
    match_op,
    match_op,
    st.tuples(st.just("cancel"), st.integers(0, 40)),
    st.tuples(st.just("reduce"), st.integers(0, 40), st.integers(1, 20)),
    st.tuples(st.just("snapshot")),
)


def _pick(live: list[int], index: int) -> int | None:
    """The resting order a cancel or reduce step aims at: the live ids, cycled; 40 means an
    id that does not rest (to check the refusal)."""
    if index == 40 or not live:
        return -index
    return live[index % len(live)]


def _levels(snapshot: L2Snapshot) -> dict[tuple[Side, int], int]:
    return {(BUY, p): s for p, s in snapshot.bids} | {(SELL, p): s for p, s in snapshot.asks}


def _match_both(book, ref, order_id, account, side, size, limit):
    """Match on both books, checking the book's previews and its result against the model."""
    can_fill = book.fillable(side, size, limit, account)
    estimate = book.estimate(side, size, limit, account)
    result = book.match(order_id, account, side, size, limit)
    fills, stp, completed = ref.match(account, side, size, limit)
    assert [(f.maker_order_id, f.price, f.size) for f in result.fills] == fills
    assert result.self_trade_cancelled == stp
    assert result.completed_makers == completed
    assert result.filled == sum(f.size for f in result.fills) == can_fill == estimate.filled
    gross = sum(f.price * f.size for f in result.fills)
    assert estimate.quote == gross // PRICE_TIMES_BASE_TO_QUOTE
    assert estimate.worst_price == (result.fills[-1].price if result.fills else None)
    assert estimate.levels_used == len({f.price for f in result.fills})
    assert all(f.taker_order_id == order_id and f.taker_side is side for f in result.fills)
    return result


@settings(max_examples=200, deadline=None)
@given(st.lists(op, max_size=80))
def test_book_matches_the_reference_and_its_l2_stream_rebuilds_it(ops) -> None:
    book, ref = OrderBook("T"), ReferenceBook()
    ids = count(1)
    # a client that took a snapshot, then applies the deltas numbered after it
    snapshot = book.snapshot()
    mirror = _levels(snapshot)
    last_seq = book.seq
    for step in ops:
        kind = step[0]
        if kind == "add":
            _, account, side, price, size, visible = step
            order_id = next(ids)
            if book.would_cross(side, price):
                size -= _match_both(book, ref, order_id, account, side, size, price).filled
            if size:
                book.add(order_id, account, side, price, size, visible)
                ref.add(order_id, account, side, price, size, visible)
        elif kind == "cancel":
            order_id = _pick(sorted(ref.orders), step[1])
            if order_id in ref.orders:
                ref_order = ref.orders.pop(order_id)
                assert book.cancel(order_id) == ref_order.visible + ref_order.hidden
            else:
                with pytest.raises(KeyError):
                    book.cancel(order_id)
        elif kind == "reduce":
            order_id = _pick(sorted(ref.orders), step[1])
            new_size = step[2]
            resting = book.resting(order_id)
            if resting is not None and new_size < resting.remaining:
                book.reduce(order_id, new_size)
                ref.reduce(order_id, new_size)
            elif resting is not None:
                with pytest.raises(ValueError):
                    book.reduce(order_id, new_size)
        elif kind == "match":
            _, account, side, size, limit = step
            _match_both(book, ref, next(ids), account, side, size, limit)
        else:
            # a fresh client joins between two drains: the snapshot may already hold changes
            # whose deltas come later; applying them again must be harmless
            snapshot = book.snapshot()
            mirror = _levels(snapshot)

        bid, ask = book.best_bid(), book.best_ask()
        assert bid is None or ask is None or bid < ask, "the book is crossed"
        assert {oid for oid in ref.orders if oid in book} == set(ref.orders)
        assert len(book) == len(ref.orders)
        for ref_order in ref.orders.values():
            resting = book.resting(ref_order.order_id)
            assert (resting.visible, resting.hidden) == (ref_order.visible, ref_order.hidden)
        now = book.snapshot()
        assert now.bids == ref.l2(BUY) and now.asks == ref.l2(SELL)

        deltas = book.drain_deltas()
        assert [d.seq for d in deltas] == list(range(last_seq + 1, last_seq + 1 + len(deltas)))
        assert len({(d.side, d.price) for d in deltas}) == len(deltas), "deltas not coalesced"
        last_seq = book.seq
        for delta in deltas:
            if delta.seq <= snapshot.seq:
                continue
            if delta.size:
                mirror[(delta.side, delta.price)] = delta.size
            else:
                mirror.pop((delta.side, delta.price), None)
        assert mirror == _levels(now)


@settings(max_examples=150, deadline=None)
@given(st.lists(op, max_size=80))
def test_size_is_conserved(ops) -> None:
    """Every unit added rests, fills, or was cancelled (by its owner, by STP or by a reduce)."""
    book = OrderBook("T")
    last_id = 0
    remaining: dict[int, int] = {}  # resting order id -> its size before this step
    added = filled = cancelled = 0
    for step in ops:
        kind = step[0]
        if kind == "add":
            _, account, side, price, size, visible = step
            if book.would_cross(side, price):
                continue
            last_id += 1
            book.add(last_id, account, side, price, size, visible)
            added += size
        elif kind == "cancel":
            order_id = _pick(sorted(remaining), step[1])
            if order_id in book:
                cancelled += book.cancel(order_id)
        elif kind == "reduce":
            order_id, new_size = _pick(sorted(remaining), step[1]), step[2]
            resting = book.resting(order_id)
            if resting is not None and new_size < resting.remaining:
                cancelled += resting.remaining - new_size
                book.reduce(order_id, new_size)
        elif kind == "match":
            _, account, side, size, limit = step
            last_id += 1
            result = book.match(last_id, account, side, size, limit)
            assert result.filled <= size
            filled += result.filled
            cancelled += sum(remaining[oid] for oid in result.self_trade_cancelled)
            assert not set(result.self_trade_cancelled) & set(result.completed_makers)
            assert not any(oid in book for oid in result.self_trade_cancelled)
            assert not any(oid in book for oid in result.completed_makers)
        remaining = {
            oid: book.resting(oid).remaining for oid in range(1, last_id + 1) if oid in book
        }
        assert len(remaining) == len(book)
    assert added == filled + cancelled + sum(remaining.values())


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.tuples(accounts, st.integers(1, 20), st.none() | st.integers(1, 6)), max_size=12),
    st.lists(st.tuples(accounts, st.integers(1, 30)), max_size=8),
    sides,
)
def test_one_crowded_level_fills_in_arrival_order_and_icebergs_requeue(makers, takers, side):
    """Time priority inside a level, where it matters most: many orders at one price."""
    book, ref = OrderBook("T"), ReferenceBook()
    for order_id, (account, size, visible) in enumerate(makers, start=1):
        book.add(order_id, account, side.opposite, 100, size, visible)
        ref.add(order_id, account, side.opposite, 100, size, visible)
    for taker_id, (account, size) in enumerate(takers, start=100):
        _match_both(book, ref, taker_id, account, side, size, None)
        assert book.snapshot().bids + book.snapshot().asks == ref.l2(side.opposite)
