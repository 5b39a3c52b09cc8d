"""Fixed-point parsing, formatting and the rounding rules."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from backend.domain.fixed_point import (
    BASE_PRECISION,
    PRICE_PRECISION,
    FixedPointError,
    apply_ratio_ceil,
    apply_ratio_floor,
    div_ceil,
    div_floor,
    format_fixed,
    parse_base,
    parse_price,
    parse_quote,
    quote_value_ceil,
    quote_value_floor,
    to_decimal,
)


def test_parse_price_is_exact() -> None:
    assert parse_price("150.25") == 150_250_000
    assert parse_price("0.000001") == 1
    assert parse_base("1.5") == 1_500_000_000


@pytest.mark.parametrize("text", ["0.0000001", "1e-9", "abc", "", "NaN", "Infinity", "1.2.3"])
def test_parse_price_refuses_inexact_or_malformed_text(text: str) -> None:
    with pytest.raises(FixedPointError):
        parse_price(text)


def test_parse_refuses_booleans() -> None:
    with pytest.raises(FixedPointError, match="boolean"):
        parse_price(True)  # type: ignore[arg-type]


def test_rounding_directions_on_negative_numbers() -> None:
    # -7 / 2 = -3.5: floor gives -4 (user credited less), ceil gives -3.
    assert div_floor(-7, 2) == -4
    assert div_ceil(-7, 2) == -3
    assert div_ceil(7, 2) == 4


def test_quote_value_of_price_times_size() -> None:
    # 150.25 USD * 1.5 SOL = 225.375 USD
    assert quote_value_floor(150_250_000, 1_500_000_000) == 225_375_000
    # 0.000001 USD * 0.5 base = 0.0000005 USD: floor 0, ceil 1 quote unit
    assert quote_value_floor(1, BASE_PRECISION // 2) == 0
    assert quote_value_ceil(1, BASE_PRECISION // 2) == 1


def test_ratio_application_rounds_as_named() -> None:
    # 5 bps of 1.000001 USD = 0.0005000005 USD
    assert apply_ratio_floor(1_000_001, 500) == 500
    assert apply_ratio_ceil(1_000_001, 500) == 501


@given(st.integers(min_value=-(10**18), max_value=10**18))
def test_format_then_parse_round_trips(value: int) -> None:
    assert parse_price(format_fixed(value, PRICE_PRECISION)) == value
    assert to_decimal(value, PRICE_PRECISION) == Decimal(format_fixed(value, PRICE_PRECISION))


@given(st.integers(), st.integers(min_value=1, max_value=10**12))
def test_ceil_and_floor_bracket_the_quotient(numerator: int, denominator: int) -> None:
    low, high = div_floor(numerator, denominator), div_ceil(numerator, denominator)
    assert low * denominator <= numerator <= high * denominator
    assert high - low in (0, 1)


def test_an_exponent_beyond_any_amount_is_refused_clearly() -> None:
    with pytest.raises(FixedPointError, match="too large"):
        parse_quote("1e999999")
    with pytest.raises(FixedPointError, match="too large"):
        parse_price("-9E+999999")
