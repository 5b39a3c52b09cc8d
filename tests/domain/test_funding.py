"""Funding rate, index and payments."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backend.domain.fixed_point import parse_price
from backend.domain.funding import (
    PriceAccumulator,
    funding_payment,
    funding_rate,
    index_delta,
    settle_position,
    settle_positions,
)
from backend.domain.positions import Position

P = parse_price


def test_time_weighted_averages() -> None:
    acc = PriceAccumulator(start_ms=0)
    acc.add_sample(P("101"), P("100"), 0)
    acc.add_sample(P("103"), P("100"), 3_000)  # 101 held for 3 s
    assert acc.twaps(4_000) == (P("101.5"), P("100"))  # (101*3 + 103*1) / 4
    acc.restart(4_000)
    assert acc.twaps(5_000) == (P("103"), P("100"))


def test_samples_must_not_go_back() -> None:
    acc = PriceAccumulator(start_ms=0)
    acc.add_sample(1, 1, 10)
    with pytest.raises(ValueError, match="back in time"):
        acc.add_sample(1, 1, 9)


def test_rate_is_the_daily_premium_pro_rata_and_clamped() -> None:
    # mark 1% over oracle, hourly: 0.01 / 24 = 0.000416666... -> 416_666 (1e9 scale)
    assert funding_rate(P("101"), P("100"), 3_600, 7_500) == 416_666
    assert funding_rate(P("99"), P("100"), 3_600, 7_500) == -416_666
    # a 50% premium is capped at 0.75%
    assert funding_rate(P("150"), P("100"), 3_600, 7_500) == 7_500_000


def test_payments_go_from_longs_to_shorts_when_the_rate_is_positive() -> None:
    delta = index_delta(416_666, P("100"))
    long_change = funding_payment(10**9 * 10, delta)  # 10 coins long
    short_change = funding_payment(-(10**9) * 10, delta)
    # 10 * 100 * 0.000416666 = 0.41666600 USDC
    assert long_change == -416_666 and short_change == 416_666
    assert long_change + short_change == 0


def test_rounding_favours_the_exchange() -> None:
    delta = index_delta(1, 1)  # a minuscule move: 1e-18 USDC per base unit
    assert funding_payment(1, delta) == -1  # the payer pays a whole unit
    assert funding_payment(-1, delta) == 0  # the receiver gets nothing


def test_settlement_is_zero_sum_with_the_dust_named() -> None:
    # index move for a rate of 416,666 (1e9 scale) at an oracle of 150: 62,499,900,000,000
    delta = index_delta(416_666, P("150"))
    assert delta == 62_499_900_000_000
    positions = {
        "long": Position("SOL-PERP", base=3 * 10**9),
        "short": Position("SOL-PERP", base=-3 * 10**9),
        "flat": Position("SOL-PERP"),
    }
    settled = settle_positions(positions, delta)
    # exact: 3e9 * 62,499,900,000,000 / 1e18 = 187,499.7 quote units a side
    # (3 coins * 150 USDC * 0.000416666 = 0.1874997 USDC)
    # the long pays ceil = 187,500, the short receives floor = 187,499, 1 unit of dust
    assert settled.payments == {"long": -187_500, "short": 187_499}
    assert settled.dust == 1
    assert sum(settled.payments.values()) + settled.dust == 0
    assert positions["long"].last_funding_index == delta
    assert positions["flat"].last_funding_index == 0  # nothing held, nothing settled


def test_a_position_settles_only_what_it_has_not_paid() -> None:
    position = Position("SOL-PERP", base=-(10**9), last_funding_index=10**15)
    # 1 coin short, index up by 1e15 (1 USDC a coin): receives 1e9 * 1e15 / 1e18 = 1e6
    assert settle_position(position, 2 * 10**15) == 1_000_000
    assert settle_position(position, 2 * 10**15) == 0


def test_negative_rate_makes_shorts_pay() -> None:
    delta = index_delta(funding_rate(P("99"), P("100"), 3_600, 7_500), P("100"))
    positions = {"long": Position("X", base=10**9), "short": Position("X", base=-(10**9))}
    settled = settle_positions(positions, delta)
    # 1 coin * 100 * 0.000416666 = 0.0416666 USDC: the short pays 41,667, long gets 41,666
    assert settled.payments == {"long": 41_666, "short": -41_667}
    assert settled.dust == 1


@pytest.mark.parametrize(("mark", "oracle"), [(0, 1), (1, 0), (-1, 5)])
def test_samples_need_positive_prices(mark: int, oracle: int) -> None:
    acc = PriceAccumulator(start_ms=0)
    with pytest.raises(ValueError, match="positive"):
        acc.add_sample(mark, oracle, 0)
    assert acc.twaps(10) is None


def test_rate_needs_a_positive_oracle_and_period() -> None:
    with pytest.raises(ValueError, match="oracle"):
        funding_rate(P("1"), 0, 3_600, 7_500)
    with pytest.raises(ValueError, match="period"):
        funding_rate(P("1"), P("1"), 0, 7_500)


def test_a_single_instant_reads_as_its_prices() -> None:
    acc = PriceAccumulator(start_ms=0)
    acc.add_sample(P("2"), P("1"), 5_000)
    assert acc.twaps(5_000) == (P("2"), P("1"))


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.integers(-(10**12), 10**12), min_size=1, max_size=8),
    st.integers(-7_500_000, 7_500_000),
    st.integers(1, 10**11),
)
def test_funding_sums_to_zero_including_dust(bases, rate, oracle) -> None:
    bases = [*bases, -sum(bases)]  # every fill has two sides
    positions = {str(i): Position("X", base=b) for i, b in enumerate(bases)}
    settled = settle_positions(positions, index_delta(rate, oracle))
    assert sum(settled.payments.values()) + settled.dust == 0
    assert 0 <= settled.dust < len(bases)
    for name, change in settled.payments.items():
        # payers (sign of base * rate) never receive, receivers never pay
        assert change * positions[name].base * rate <= 0
