"""The chart's indicators: small worked numbers, and agreement with plain loops."""

from __future__ import annotations

import math

import numpy as np
import pytest

from quantdesk_desktop import indicators

NAN = math.nan


def close_series(count: int, seed: int = 3) -> np.ndarray:
    """A positive random walk, like prices."""
    steps = np.random.default_rng(seed).normal(0.0, 1.0, count)
    return 1000.0 + np.cumsum(steps)


def loop_ema(values: np.ndarray, alpha: float, n: int) -> np.ndarray:
    """The textbook recursion, one value at a time, seeded with the first n's mean."""
    out = np.full(len(values), np.nan)
    if len(values) < n:
        return out
    level = sum(values[:n]) / n
    out[n - 1] = level
    for index in range(n, len(values)):
        level = alpha * values[index] + (1 - alpha) * level
        out[index] = level
    return out


def loop_rsi(close: np.ndarray, n: int) -> np.ndarray:
    out = np.full(len(close), np.nan)
    changes = [close[i] - close[i - 1] for i in range(1, len(close))]
    gain = sum(max(c, 0.0) for c in changes[:n]) / n
    loss = sum(max(-c, 0.0) for c in changes[:n]) / n
    for index in range(n, len(close)):
        if index > n:
            change = changes[index - 1]
            gain = (gain * (n - 1) + max(change, 0.0)) / n
            loss = (loss * (n - 1) + max(-change, 0.0)) / n
        out[index] = 50.0 if gain + loss == 0 else 100.0 * gain / (gain + loss)
    return out


def assert_same(actual: np.ndarray, expected: list[float] | np.ndarray, rel: float = 1e-9) -> None:
    expected = np.asarray(expected, dtype=float)
    assert actual.shape == expected.shape
    assert np.array_equal(np.isnan(actual), np.isnan(expected))
    finite = ~np.isnan(expected)
    np.testing.assert_allclose(actual[finite], expected[finite], rtol=rel, atol=1e-12)


def test_sma_averages_the_last_n_values() -> None:
    assert_same(indicators.sma(np.array([2.0, 4.0, 9.0, 1.0, 5.0]), 3), [NAN, NAN, 5, 14 / 3, 5])


def test_ema_seeds_with_the_sma_then_weights_two_over_n_plus_one() -> None:
    # alpha = 0.5: seed (2 + 4 + 6) / 3 = 4, then 0.5 * 8 + 0.5 * 4 = 6, 0.5 * 12 + 0.5 * 6 = 9
    assert_same(indicators.ema(np.array([2.0, 4.0, 6.0, 8.0, 12.0]), 3), [NAN, NAN, 4, 6, 9])


def test_ema_skips_leading_gaps() -> None:
    # alpha = 2/3: seed (1 + 2) / 2 at index 3, then 2/3 * 3 + 1/3 * 1.5 = 2.5
    values = np.array([NAN, NAN, 1.0, 2.0, 3.0])
    assert_same(indicators.ema(values, 2), [NAN, NAN, NAN, 1.5, 2.5])


@pytest.mark.parametrize("n", [1, 2, 3, 12, 26, 200])
def test_ema_matches_the_plain_recursion_across_chunks(n: int) -> None:
    # 20,000 values cross many chunks of the closed form for every period.
    close = close_series(20_000)
    assert_same(indicators.ema(close, n), loop_ema(close, 2 / (n + 1), n))


def test_ema_of_too_short_a_series_is_all_nan() -> None:
    assert np.isnan(indicators.ema(np.array([1.0, 2.0]), 3)).all()


def test_a_period_below_one_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        indicators.sma(np.array([1.0]), 0)


def test_vwap_weights_the_typical_price_by_volume() -> None:
    high = np.array([11.0, 11.0, 13.0, 15.0])
    low = np.array([9.0, 9.0, 11.0, 12.0])
    close = np.array([10.0, 10.0, 12.0, 12.0])
    volume = np.array([0.0, 1.0, 3.0, 0.0])
    # typical prices 10, 10, 12, 13; (10 * 1 + 12 * 3) / 4 = 11.5; no volume keeps it
    assert_same(indicators.vwap(high, low, close, volume), [NAN, 10, 11.5, 11.5])


def test_vwap_starts_again_at_each_anchor() -> None:
    price = np.array([10.0, 20.0, 30.0, 50.0])
    volume = np.array([1.0, 1.0, 1.0, 3.0])
    anchors = np.array([True, False, True, False])
    # session 1: 10, (10 + 20) / 2; session 2: 30, (30 + 150) / 4
    assert_same(indicators.vwap(price, price, price, volume, anchors), [10, 15, 30, 45])


def test_bollinger_bands_are_k_population_deviations_around_the_sma() -> None:
    mid, upper, lower = indicators.bollinger(np.array([1.0, 2.0, 3.0, 5.0]), n=3, k=2)
    # window 1, 2, 3: mean 2, deviation sqrt(2/3); window 2, 3, 5: mean 10/3,
    # deviation sqrt(((4/3)^2 + (1/3)^2 + (5/3)^2) / 3) = sqrt(14/9)
    first, second = math.sqrt(2 / 3), math.sqrt(14 / 9)
    assert_same(mid, [NAN, NAN, 2, 10 / 3])
    assert_same(upper, [NAN, NAN, 2 + 2 * first, 10 / 3 + 2 * second])
    assert_same(lower, [NAN, NAN, 2 - 2 * first, 10 / 3 - 2 * second])


def test_bollinger_deviation_stays_exact_on_large_prices() -> None:
    # Prices near 1e6 with unit moves: running sums of squares would cancel here.
    close = 1e6 + close_series(5_000) - 1000.0
    _, upper, _ = indicators.bollinger(close, n=20, k=1)
    windows = np.lib.stride_tricks.sliding_window_view(close, 20)
    expected = windows.mean(axis=1) + windows.std(axis=1)
    np.testing.assert_allclose(upper[19:], expected, rtol=1e-12)


def test_rsi_uses_wilder_smoothing() -> None:
    # n = 2, changes +1 +1 -1 +2: seed gain 1 loss 0 -> 100; then gain (1 + 0) / 2 = 0.5,
    # loss (0 + 1) / 2 = 0.5 -> 50; then gain (0.5 + 2) / 2 = 1.25, loss 0.25 -> 83.33
    close = np.array([1.0, 2.0, 3.0, 2.0, 4.0])
    assert_same(indicators.rsi(close, 2), [NAN, NAN, 100, 50, 100 * 1.25 / 1.5])


def test_rsi_of_an_unmoving_price_is_neutral() -> None:
    assert_same(indicators.rsi(np.full(4, 7.0), 2), [NAN, NAN, 50, 50])


def test_rsi_matches_the_plain_recursion() -> None:
    close = close_series(20_000)
    assert_same(indicators.rsi(close, 14), loop_rsi(close, 14))


def test_macd_is_fast_less_slow_ema_with_its_signal() -> None:
    close = np.array([1.0, 2.0, 4.0, 8.0, 16.0, 32.0])
    line, signal, histogram = indicators.macd(close, fast=2, slow=3, signal=2)
    # ema 2: 1.5, 19/6, 115/18, 691/54, 4147/162; ema 3: 7/3, 31/6, 127/12, 511/24
    fast = [1.5, 19 / 6, 115 / 18, 691 / 54, 4147 / 162]
    slow = [7 / 3, 31 / 6, 127 / 12, 511 / 24]
    expected = [NAN, NAN] + [f - s for f, s in zip(fast[1:], slow, strict=True)]
    assert_same(line, expected)
    seed = (expected[2] + expected[3]) / 2
    then = 2 / 3 * expected[4] + 1 / 3 * seed
    last = 2 / 3 * expected[5] + 1 / 3 * then
    assert_same(signal, [NAN, NAN, NAN, seed, then, last])
    assert_same(histogram, line - signal)


def test_macd_signal_matches_the_plain_recursion() -> None:
    close = close_series(10_000)
    line = loop_ema(close, 2 / 13, 12) - loop_ema(close, 2 / 27, 26)
    signal = np.full(len(close), np.nan)
    signal[25:] = loop_ema(line[25:], 2 / 10, 9)
    _, actual, _ = indicators.macd(close)
    assert_same(actual, signal, rel=1e-8)


def test_a_warm_up_makes_a_window_agree_with_the_whole_history() -> None:
    close = close_series(10_000)
    whole = indicators.rsi(close, 14)
    start = 6_000 - indicators.warmup(14)
    window = indicators.rsi(close[start:], 14)
    np.testing.assert_allclose(window[-4_000:], whole[-4_000:], atol=1e-6)
