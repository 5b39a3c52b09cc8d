"""Funding rate, index and payments."""

from __future__ import annotations

import pytest

from backend.domain.fixed_point import parse_price
from backend.domain.funding import (
    PriceAccumulator,
    funding_payment,
    funding_rate,
    index_delta,
)

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
