"""The TWAP scheduler."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from backend.domain.twap import TwapSchedule

LOT = 10


def test_slices_are_due_evenly_with_the_remainder_last() -> None:
    # 1,005 units in 4 slices over 1,000 ms: 250 each on a lot of 10, last slice 255
    plan = TwapSchedule(total=1_005, slices=4, start_ms=0, duration_ms=1_000, lot_size=LOT)
    assert plan.slice_size == 250
    assert [plan.slice_due_ms(k) for k in range(4)] == [0, 250, 500, 750]
    assert plan.target(0) == 250
    assert plan.target(249) == 250
    assert plan.target(250) == 500
    assert plan.target(750) == 1_005
    assert plan.next_due_ms(260) == 500 and plan.next_due_ms(800) is None


def test_due_slices_hands_out_each_slice_once_and_catches_up() -> None:
    # 1,030 in 4 slices on a lot of 10: 250, 250, 250 and the rest, 280, in the last
    plan = TwapSchedule(total=1_030, slices=4, start_ms=0, duration_ms=1_000, lot_size=LOT)
    assert plan.due_slices(0) == [250]
    assert plan.due_slices(100) == []
    assert plan.due_slices(760) == [250, 250, 280]  # the clock jumped over two due times
    assert plan.due_slices(5_000) == []
    assert plan.issued == 4


def test_partial_fills_carry_into_the_next_slice() -> None:
    plan = TwapSchedule(total=1_000, slices=4, start_ms=0, duration_ms=1_000, lot_size=LOT)
    assert plan.due_size(0, filled=0) == 250
    assert plan.due_size(250, filled=100) == 400
    assert plan.progress(500) == 500_000


def test_a_time_jump_catches_up() -> None:
    plan = TwapSchedule(total=1_000, slices=4, start_ms=1_000, duration_ms=1_000, lot_size=LOT)
    assert plan.due_size(999, filled=0) == 0
    assert plan.due_size(1_600, filled=250) == 500


def test_uneven_slice_times_use_exact_integer_boundaries() -> None:
    plan = TwapSchedule(total=300, slices=3, start_ms=0, duration_ms=1_000, lot_size=LOT)
    assert [plan.slice_due_ms(k) for k in range(3)] == [0, 333, 666]
    assert plan.slices_due(332) == 1 and plan.slices_due(333) == 2 and plan.slices_due(666) == 3


def test_bad_plans_are_refused() -> None:
    with pytest.raises(ValueError, match="positive"):
        TwapSchedule(total=0, slices=2, start_ms=0, duration_ms=10, lot_size=LOT)


@given(
    st.integers(1, 10_000),
    st.integers(1, 50),
    st.integers(1, 100_000),
    st.lists(st.integers(0, 200_000), max_size=20),
)
def test_target_never_decreases_and_ends_at_total(lots, slices, duration, times) -> None:
    plan = TwapSchedule(
        total=lots * LOT, slices=slices, start_ms=0, duration_ms=duration, lot_size=LOT
    )
    last = 0
    for now in sorted(times):
        target = plan.target(now)
        assert last <= target <= plan.total and target % LOT == 0
        last = target
    assert plan.target(plan.end_ms) == plan.total
