"""OHLCV candles: the intervals offered and how trades fold into a candle."""

from __future__ import annotations

from dataclasses import dataclass

INTERVALS: dict[str, int] = {
    "1s": 1_000,
    "5s": 5_000,
    "15s": 15_000,
    "1m": 60_000,
    "5m": 300_000,
    "15m": 900_000,
    "1h": 3_600_000,
    "4h": 14_400_000,
    "1d": 86_400_000,
}
"""Candle interval names and their length in ms (days are UTC days)."""


def bucket_start(time_ms: int, interval_ms: int) -> int:
    """The start of the candle holding ``time_ms``."""
    return time_ms // interval_ms * interval_ms


@dataclass(slots=True)
class Candle:
    """One interval's trades: prices in price units, volume in base, notional in quote."""

    start_ms: int
    open: int
    high: int
    low: int
    close: int
    volume: int
    notional: int
    trades: int

    @classmethod
    def first(cls, start_ms: int, price: int, size: int, notional: int) -> Candle:
        """A candle opened by one trade."""
        return cls(start_ms, price, price, price, price, size, notional, 1)

    def add(self, price: int, size: int, notional: int) -> None:
        """Fold a later trade of the same interval in."""
        self.high = max(self.high, price)
        self.low = min(self.low, price)
        self.close = price
        self.volume += size
        self.notional += notional
        self.trades += 1
