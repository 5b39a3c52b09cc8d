"""Clocks: services read time from one of these, never from the machine directly."""

from __future__ import annotations

import time
from typing import Protocol


class Clock(Protocol):
    """Tells the time in milliseconds since the epoch."""

    def now_ms(self) -> int:
        """The current time."""
        ...


class SystemClock:
    """The machine's wall clock."""

    def now_ms(self) -> int:
        """Milliseconds since the epoch, from the system clock."""
        return time.time_ns() // 1_000_000


class ManualClock:
    """A clock that moves only when told to: for simulations, replays and tests."""

    def __init__(self, start_ms: int) -> None:
        self._now = start_ms

    def now_ms(self) -> int:
        """The time it was last set to."""
        return self._now

    def advance(self, ms: int) -> None:
        """Move forward by ``ms`` (never backwards)."""
        if ms < 0:
            raise ValueError("a clock does not go backwards")
        self._now += ms
