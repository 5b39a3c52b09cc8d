"""Chart indicators: pure numpy functions over float arrays, NaN where data is too short.

Every function is vectorised so it runs on a million candles. The recursive ones (EMA,
Wilder's smoothing in RSI, the MACD signal) use `smooth`, which solves the linear
recurrence a chunk at a time in closed form, with one Python step per chunk.
"""

from __future__ import annotations

import math

import numpy as np

_MAX_GROWTH = 1e100
"""The largest ``decay ** -k`` a chunk of `_recurrence` may reach (far from overflow)."""
_MAX_CHUNK = 4096
"""The longest chunk of `_recurrence` (longer ones gain nothing)."""
_BLOCK_CELLS = 1 << 20
"""How many window cells one block of the Bollinger deviation holds (8 MiB)."""


def sma(close: np.ndarray, n: int) -> np.ndarray:
    """Simple moving average of the last ``n`` values (NaN for the first ``n - 1``)."""
    values = _floats(close)
    _check_period(n)
    out = np.full(len(values), np.nan)
    if len(values) < n:
        return out
    # Sums of offsets from the first value keep the cumulative sum small (no drift when
    # prices are large and the series is long).
    offset = values[0]
    sums = np.cumsum(values - offset)
    window = sums[n - 1 :].copy()
    window[1:] -= sums[:-n]
    out[n - 1 :] = window / n + offset
    return out


def ema(close: np.ndarray, n: int) -> np.ndarray:
    """Exponential moving average, ``alpha = 2 / (n + 1)``, seeded with the SMA of the
    first ``n`` values (so NaN before index ``n - 1``); leading NaNs are skipped."""
    _check_period(n)
    return smooth(close, 2.0 / (n + 1), n)


def smooth(values: np.ndarray, alpha: float, n: int) -> np.ndarray:
    """``y[i] = alpha * x[i] + (1 - alpha) * y[i - 1]``, seeded with the mean of the first
    ``n`` finite values at their last index; NaN before it. Values after the seed are
    expected finite (a NaN there spreads to the end)."""
    x = _floats(values)
    out = np.full(len(x), np.nan)
    finite = np.flatnonzero(~np.isnan(x))
    if len(finite) < n:
        return out
    seed_at = finite[0] + n - 1
    seed = float(np.mean(x[finite[0] : seed_at + 1]))
    out[seed_at] = seed
    out[seed_at + 1 :] = _recurrence(alpha * x[seed_at + 1 :], 1.0 - alpha, seed)
    return out


def vwap(
    high: np.ndarray,
    low: np.ndarray,
    close: np.ndarray,
    volume: np.ndarray,
    anchors: np.ndarray | None = None,
) -> np.ndarray:
    """Volume-weighted average of the typical price ``(h + l + c) / 3``, cumulative from
    the first value given, or from each index where the boolean ``anchors`` is True (a
    session start); NaN until some volume has traded in the session."""
    typical = (_floats(high) + _floats(low) + _floats(close)) / 3.0
    weights = _floats(volume)
    weighted = np.cumsum(typical * weights)
    cumulative = np.cumsum(weights)
    if anchors is not None and len(weights):
        # Subtract, at every index, the sums reached just before its session began.
        starts = np.flatnonzero(anchors)
        starts = starts[starts > 0]
        session = np.zeros(len(weights), dtype=np.int64)
        session[starts] = starts
        session = np.maximum.accumulate(session)
        before = session - 1
        has_before = session > 0
        weighted = weighted - np.where(has_before, weighted[before], 0.0)
        cumulative = cumulative - np.where(has_before, cumulative[before], 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = weighted / cumulative
    out[cumulative <= 0] = np.nan
    return out


def bollinger(
    close: np.ndarray, n: int = 20, k: float = 2.0
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Bollinger bands: the SMA of ``n`` and ``k`` population standard deviations above
    and below it. Returns (mid, upper, lower)."""
    values = _floats(close)
    mid = sma(values, n)
    deviation = np.full(len(values), np.nan)
    if len(values) >= n:
        # Two passes over each window (its mean, then squared distances to it) are exact
        # where running sums of squares would cancel; blocks bound the temporary memory.
        windows = np.lib.stride_tricks.sliding_window_view(values, n)
        means = mid[n - 1 :]
        block = max(1, _BLOCK_CELLS // n)
        for first in range(0, len(windows), block):
            rows = windows[first : first + block]
            spread = rows - means[first : first + block, None]
            deviation[n - 1 + first : n - 1 + first + len(rows)] = np.sqrt(
                np.mean(np.square(spread), axis=1)
            )
    return mid, mid + k * deviation, mid - k * deviation


def rsi(close: np.ndarray, n: int = 14) -> np.ndarray:
    """Relative strength index with Wilder's smoothing (``alpha = 1 / n``, seeded with
    the mean of the first ``n`` changes): NaN for the first ``n`` values, 100 when there
    were only gains, 0 when only losses, 50 when the price did not move at all."""
    values = _floats(close)
    _check_period(n)
    out = np.full(len(values), np.nan)
    if len(values) <= n:
        return out
    change = np.diff(values)
    gains = smooth(np.maximum(change, 0.0), 1.0 / n, n)[n - 1 :]
    losses = smooth(np.maximum(-change, 0.0), 1.0 / n, n)[n - 1 :]
    total = gains + losses
    with np.errstate(invalid="ignore", divide="ignore"):
        result = 100.0 * gains / total
    result[total == 0] = 50.0
    out[n:] = result
    return out


def macd(
    close: np.ndarray, fast: int = 12, slow: int = 26, signal: int = 9
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """MACD: the fast EMA less the slow one, its EMA of ``signal``, and their difference.
    Returns (macd, signal, histogram)."""
    values = _floats(close)
    line = ema(values, fast) - ema(values, slow)
    signal_line = ema(line, signal)
    return line, signal_line, line - signal_line


def warmup(n: int) -> int:
    """Values to compute before the first one shown so that a recursive indicator of
    period ``n`` has forgotten its seed: the seed's weight is then at most
    ``(1 - 1 / n) ** (20 * n) < e^-20`` (Wilder's, the slowest), about 2e-9."""
    return 20 * n


def _recurrence(inputs: np.ndarray, decay: float, start: float) -> np.ndarray:
    """``y[i] = decay * y[i - 1] + inputs[i]`` with ``y[-1] = start``, vectorised.

    Within a chunk of ``m`` values, ``y[k] = decay^k * (decay * y_before +
    sum_{j<=k} decay^-j * inputs[j])``: one cumulative sum. The chunk is short enough
    that ``decay^-m`` stays far from overflow; the value carried from chunk to chunk is
    the only sequential step.
    """
    count = len(inputs)
    if count == 0:
        return np.empty(0)
    if decay == 0.0:
        return inputs.copy()
    size = max(1, min(_MAX_CHUNK, int(math.log(_MAX_GROWTH) / -math.log(decay))))
    size = min(size, count)
    chunks = -(-count // size)
    padded = np.zeros(chunks * size)
    padded[:count] = inputs
    rows = padded.reshape(chunks, size)
    steps = np.arange(size)
    grow = decay ** -steps.astype(np.float64)
    shrink = decay**steps
    partial = np.cumsum(rows * grow, axis=1) * shrink
    # The value each chunk starts from: the previous chunk's end.
    carries = np.empty(chunks)
    carry = start
    last_column = partial[:, -1].tolist()
    whole = decay**size
    for index, tail in enumerate(last_column):
        carries[index] = carry
        carry = tail + whole * carry
    partial += carries[:, None] * (decay * shrink)
    return partial.ravel()[:count]


def _floats(values: np.ndarray) -> np.ndarray:
    return np.asarray(values, dtype=np.float64)


def _check_period(n: int) -> None:
    if n < 1:
        raise ValueError(f"an indicator period must be at least 1, not {n}")
