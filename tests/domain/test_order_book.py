"""The order book: priority, partial fills, self-trade prevention, icebergs, L2 view."""

from __future__ import annotations

import pytest

from backend.domain.order_book import OrderBook
from backend.domain.orders import Side

BUY, SELL = Side.BUY, Side.SELL


def _book() -> OrderBook:
    book = OrderBook("SOL-PERP")
    book.add(1, "maker1", SELL, 101, 5)
    book.add(2, "maker2", SELL, 101, 5)
    book.add(3, "maker3", SELL, 102, 10)
    book.add(4, "maker4", BUY, 99, 7)
    book.add(5, "maker5", BUY, 98, 3)
    return book


def test_best_prices_and_levels() -> None:
    book = _book()
    assert (book.best_bid(), book.best_ask()) == (99, 101)
    assert book.levels(SELL, 5) == [(101, 10), (102, 10)]
    assert book.levels(BUY, 1) == [(99, 7)]
    assert len(book) == 5 and 3 in book and 42 not in book


def test_taker_fills_oldest_first_at_maker_prices() -> None:
    book = _book()
    result = book.match(10, "taker", BUY, 12, limit_price=None, now_ms=7)
    assert [(f.maker_order_id, f.price, f.size) for f in result.fills] == [
        (1, 101, 5),
        (2, 101, 5),
        (3, 102, 2),
    ]
    assert result.filled == 12
    assert result.completed_makers == [1, 2]
    assert all(f.taker_order_id == 10 and f.timestamp_ms == 7 for f in result.fills)
    assert book.best_ask() == 102 and book.resting(3).visible == 8


def test_limit_price_stops_the_walk() -> None:
    book = _book()
    result = book.match(10, "taker", SELL, 20, limit_price=99)
    assert result.filled == 7
    assert book.best_bid() == 98


def test_self_trade_prevention_cancels_the_resting_order_and_goes_on() -> None:
    book = _book()
    result = book.match(10, "maker1", BUY, 6, limit_price=101)
    assert result.self_trade_cancelled == [1]
    assert [(f.maker_order_id, f.size) for f in result.fills] == [(2, 5)]
    assert 1 not in book


def test_iceberg_shows_only_its_slice_and_refills_at_the_back() -> None:
    book = OrderBook("SOL-PERP")
    book.add(1, "ice", SELL, 100, 30, visible_size=10)
    book.add(2, "other", SELL, 100, 5)
    assert book.levels(SELL, 1) == [(100, 15)]
    result = book.match(10, "taker", BUY, 12, limit_price=None)
    # the slice of 10 fills first; the refill goes behind order 2, which fills next
    assert [(f.maker_order_id, f.size) for f in result.fills] == [(1, 10), (2, 2)]
    resting = book.resting(1)
    assert (resting.visible, resting.hidden) == (10, 10)
    assert book.levels(SELL, 1) == [(100, 13)]


def test_iceberg_fillable_counts_hidden_size() -> None:
    book = OrderBook("SOL-PERP")
    book.add(1, "ice", SELL, 100, 30, visible_size=10)
    assert book.fillable(BUY, 50, None) == 30
    assert book.fillable(BUY, 50, None, account="ice") == 0
    result = book.match(10, "taker", BUY, 30, None)
    assert result.filled == 30 and result.completed_makers == [1] and len(book) == 0


def test_estimate_walks_without_changing_the_book() -> None:
    book = _book()
    before = book.snapshot()
    estimate = book.estimate(BUY, 12, None)
    assert (estimate.filled, estimate.worst_price, estimate.levels_used) == (12, 102, 2)
    # 10 at 101 + 2 at 102 = 1214 price*base units, over 1e9 -> 0 quote units (tiny numbers)
    assert estimate.quote == (10 * 101 + 2 * 102) // 10**9
    assert book.snapshot() == before


def test_estimate_average_price_in_real_units() -> None:
    book = OrderBook("SOL-PERP")
    book.add(1, "m", SELL, 150_000_000, 10**9)  # 1 SOL at 150
    book.add(2, "m", SELL, 152_000_000, 10**9)  # 1 SOL at 152
    estimate = book.estimate(BUY, 2 * 10**9, None)
    assert estimate.quote == 302_000_000
    assert estimate.average_price == 151_000_000


def test_would_cross_is_the_post_only_test() -> None:
    book = _book()
    assert book.would_cross(BUY, 101) and not book.would_cross(BUY, 100)
    assert book.would_cross(SELL, 99) and not book.would_cross(SELL, 100)
    assert not OrderBook("X").would_cross(BUY, 10**12)


def test_reduce_keeps_priority_and_cancel_returns_remaining() -> None:
    book = _book()
    book.reduce(1, 2)
    result = book.match(10, "taker", BUY, 3, None)
    assert [(f.maker_order_id, f.size) for f in result.fills] == [(1, 2), (2, 1)]
    assert book.cancel(2) == 4
    with pytest.raises(KeyError, match="not resting"):
        book.cancel(2)


@pytest.mark.parametrize("new_size", [0, -1, 5, 6])
def test_reduce_refuses_growth_or_zero(new_size: int) -> None:
    book = _book()
    with pytest.raises(ValueError, match="new size"):
        book.reduce(1, new_size)


def test_add_refuses_duplicates_bad_numbers_and_crossing() -> None:
    book = _book()
    with pytest.raises(ValueError, match="already resting"):
        book.add(1, "x", SELL, 105, 1)
    with pytest.raises(ValueError, match="positive"):
        book.add(20, "x", SELL, 105, 0)
    with pytest.raises(ValueError, match="cross"):
        book.add(21, "x", BUY, 101, 1)
    assert len(book) == 5


def test_snapshot_plus_deltas_rebuild_the_book() -> None:
    book = _book()
    book.drain_deltas()
    snapshot = book.snapshot()
    mirror = {(BUY, p): s for p, s in snapshot.bids} | {(SELL, p): s for p, s in snapshot.asks}
    book.match(10, "taker", BUY, 11, None)
    book.cancel(5)
    book.add(11, "x", BUY, 100, 4)
    deltas = book.drain_deltas()
    assert [d.seq for d in deltas] == list(range(snapshot.seq + 1, snapshot.seq + 1 + len(deltas)))
    for delta in deltas:
        if delta.size:
            mirror[(delta.side, delta.price)] = delta.size
        else:
            mirror.pop((delta.side, delta.price), None)
    now = book.snapshot()
    assert mirror == {(BUY, p): s for p, s in now.bids} | {(SELL, p): s for p, s in now.asks}
    assert book.drain_deltas() == []


def test_changes_between_drains_coalesce_into_one_delta_per_level() -> None:
    book = OrderBook("SOL-PERP")
    book.add(1, "a", BUY, 100, 5)
    book.add(2, "b", BUY, 100, 5)
    book.cancel(1)
    deltas = book.drain_deltas()
    assert [(d.side, d.price, d.size, d.seq) for d in deltas] == [(BUY, 100, 5, 1)]


def test_cancel_in_the_middle_keeps_the_others_in_arrival_order() -> None:
    book = OrderBook("SOL-PERP")
    for order_id in (1, 2, 3):
        book.add(order_id, f"m{order_id}", BUY, 100, 4)
    assert book.cancel(2) == 4
    result = book.match(10, "taker", SELL, 8, limit_price=100)
    assert [f.maker_order_id for f in result.fills] == [1, 3]
    assert result.completed_makers == [1, 3] and len(book) == 0 and book.best_bid() is None


def test_limit_price_is_inclusive() -> None:
    book = _book()
    result = book.match(10, "taker", BUY, 30, limit_price=101)
    assert result.filled == 10 and book.best_ask() == 102


def test_unknown_orders_are_refused() -> None:
    book = _book()
    with pytest.raises(KeyError):
        book.cancel(42)
    with pytest.raises(KeyError):
        book.reduce(42, 1)
    assert book.resting(42) is None


def test_a_side_must_be_a_side() -> None:
    book = _book()
    with pytest.raises(ValueError, match="Side"):
        book.add(20, "x", "buy", 90, 1)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="Side"):
        book.match(21, "x", "sell", 1, None)  # type: ignore[arg-type]
    assert len(book) == 5


def test_depth_zero_shows_nothing_and_snapshot_depth_limits_both_sides() -> None:
    book = _book()
    assert book.levels(BUY, 0) == [] and book.levels(SELL, -1) == []
    snapshot = book.snapshot(depth=1)
    assert (snapshot.bids, snapshot.asks) == ([(99, 7)], [(101, 10)])


def test_iceberg_l2_shows_only_the_visible_slice_through_refills() -> None:
    book = OrderBook("SOL-PERP")
    book.add(1, "ice", BUY, 100, 25, visible_size=10)
    assert [(d.price, d.size) for d in book.drain_deltas()] == [(100, 10)]
    book.match(10, "taker", SELL, 10, None)  # slice used up: the next 10 show
    assert [(d.price, d.size) for d in book.drain_deltas()] == [(100, 10)]
    book.match(11, "taker", SELL, 12, None)  # 10 more, then 2 of the last slice of 5
    assert [(d.price, d.size) for d in book.drain_deltas()] == [(100, 3)]
    assert (book.resting(1).visible, book.resting(1).hidden) == (3, 0)
    result = book.match(12, "taker", SELL, 9, None)
    assert result.filled == 3 and result.completed_makers == [1]
    assert [(d.price, d.size) for d in book.drain_deltas()] == [(100, 0)]


def test_iceberg_is_completed_only_when_its_hidden_size_is_gone_too() -> None:
    book = OrderBook("SOL-PERP")
    book.add(1, "ice", SELL, 100, 12, visible_size=5)
    result = book.match(10, "taker", BUY, 5, None)
    assert result.completed_makers == [] and 1 in book
    assert book.resting(1).remaining == 7


def test_reducing_an_iceberg_takes_from_the_hidden_size_first() -> None:
    book = OrderBook("SOL-PERP")
    book.add(1, "ice", SELL, 100, 30, visible_size=10)
    book.add(2, "other", SELL, 100, 5)
    book.drain_deltas()
    book.reduce(1, 15)
    assert (book.resting(1).visible, book.resting(1).hidden) == (10, 5)
    assert book.drain_deltas() == []  # nothing visible changed
    book.reduce(1, 4)
    assert (book.resting(1).visible, book.resting(1).hidden) == (4, 0)
    assert [(d.price, d.size) for d in book.drain_deltas()] == [(100, 9)]
    # still first in line
    assert book.match(10, "taker", BUY, 1, None).fills[0].maker_order_id == 1


def test_self_trade_prevention_removes_a_whole_iceberg() -> None:
    book = OrderBook("SOL-PERP")
    book.add(1, "me", SELL, 100, 30, visible_size=10)
    book.add(2, "other", SELL, 100, 5)
    assert book.fillable(BUY, 100, None, account="me") == 5
    result = book.match(10, "me", BUY, 100, None)
    assert result.self_trade_cancelled == [1] and result.filled == 5
    assert len(book) == 0


def test_fillable_and_estimate_respect_the_limit_and_skip_own_orders() -> None:
    book = _book()  # asks: 1 (maker1) 5@101, 2 (maker2) 5@101, 3 (maker3) 10@102
    assert book.fillable(BUY, 100, 101) == 10
    assert book.fillable(BUY, 100, 100) == 0
    assert book.fillable(BUY, 8, None, account="maker1") == 8
    estimate = book.estimate(BUY, 100, None, account="maker2")
    assert (estimate.filled, estimate.worst_price, estimate.levels_used) == (15, 102, 2)
    empty = OrderBook("X").estimate(SELL, 5, None)
    assert (empty.filled, empty.quote, empty.worst_price, empty.average_price) == (0, 0, None, None)


def test_match_reports_each_fill_with_both_sides() -> None:
    book = _book()
    fill = book.match(10, "taker", SELL, 2, None, now_ms=1234).fills[0]
    assert (fill.market, fill.price, fill.size, fill.taker_side) == ("SOL-PERP", 99, 2, SELL)
    assert (fill.maker_account, fill.taker_account, fill.maker_order_id) == ("maker4", "taker", 4)
    assert (fill.maker_fee, fill.taker_fee, fill.trade_id, fill.timestamp_ms) == (0, 0, 0, 1234)
    assert book.resting(4).remaining == 5


def test_delta_numbers_continue_across_drains() -> None:
    book = OrderBook("SOL-PERP")
    book.add(1, "a", BUY, 100, 5)
    book.add(2, "a", SELL, 105, 5)
    first = book.drain_deltas()
    book.cancel(1)
    second = book.drain_deltas()
    assert [d.seq for d in first + second] == [1, 2, 3]
    assert book.seq == 3 and book.snapshot().seq == 3
    assert (second[0].side, second[0].price, second[0].size) == (BUY, 100, 0)
