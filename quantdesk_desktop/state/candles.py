"""A market's candles at one interval, as numpy arrays for drawing.

Prices and volumes are floats here: this is what the chart draws, never what trades.
The arrays grow by doubling, so appending a live candle is amortised O(1); the visible
range is found by binary search on the start times.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

FIELDS = ("open", "high", "low", "close", "volume")


class CandleSeries:
    """Candles of ``market`` at ``interval`` (e.g. ``"1m"``), oldest first."""

    def __init__(self, market: str, interval: str, interval_ms: int, capacity: int = 1024) -> None:
        self.market = market
        self.interval = interval
        self.interval_ms = interval_ms
        self._times = np.zeros(capacity, dtype=np.int64)
        self._values = np.zeros((capacity, len(FIELDS)), dtype=np.float64)
        self._size = 0
        self.version = 0
        """Counts changes: a chart redraws when it moved."""
        self.loads = 0
        """Counts whole replacements (`load`, `load_arrays`), as opposed to live updates."""

    def __len__(self) -> int:
        return self._size

    @property
    def times(self) -> np.ndarray:
        """Each candle's start (epoch ms)."""
        return self._times[: self._size]

    def column(self, name: str) -> np.ndarray:
        """One of `FIELDS` for every candle."""
        return self._values[: self._size, FIELDS.index(name)]

    @property
    def ohlcv(self) -> np.ndarray:
        """An (n, 5) view: open, high, low, close, volume."""
        return self._values[: self._size]

    def load(self, candles: Iterable[dict]) -> None:
        """Replace everything with ``candles`` (the REST or stream shape, decimal text)."""
        rows = list(candles)
        self._size = 0
        self._reserve(len(rows))
        for row in rows:
            self._put(self._size, row)
            self._size += 1
        self.version += 1
        self.loads += 1

    def load_arrays(self, times: np.ndarray, ohlcv: np.ndarray) -> None:
        """Replace everything with arrays (start times in ms, and (n, 5) values)."""
        count = len(times)
        self._size = 0
        self._reserve(count)
        self._times[:count] = times
        self._values[:count] = ohlcv
        self._size = count
        self.version += 1
        self.loads += 1

    def update(self, candle: dict) -> None:
        """A live candle from the stream: replaces the last one with the same start, or
        is appended after it (an older start is ignored)."""
        start = int(candle["start_ms"])
        if self._size and start == self._times[self._size - 1]:
            self._put(self._size - 1, candle)
        elif not self._size or start > self._times[self._size - 1]:
            self._reserve(self._size + 1)
            self._put(self._size, candle)
            self._size += 1
        else:
            return
        self.version += 1

    def visible(self, start_ms: float, end_ms: float) -> slice:
        """The candles overlapping [start_ms, end_ms)."""
        times = self.times
        # int bounds: a float would make numpy convert the whole int64 array first
        first = int(np.searchsorted(times, int(start_ms) - self.interval_ms, side="right"))
        last = int(np.searchsorted(times, int(np.ceil(end_ms)), side="left"))
        return slice(first, last)

    def _put(self, index: int, row: dict) -> None:
        self._times[index] = int(row["start_ms"])
        self._values[index] = [float(row[name]) for name in FIELDS]

    def _reserve(self, count: int) -> None:
        capacity = len(self._times)
        if count <= capacity:
            return
        while capacity < count:
            capacity *= 2
        times = np.zeros(capacity, dtype=np.int64)
        values = np.zeros((capacity, len(FIELDS)), dtype=np.float64)
        times[: self._size] = self._times[: self._size]
        values[: self._size] = self._values[: self._size]
        self._times, self._values = times, values
