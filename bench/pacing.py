"""Open-loop pacing shared by the load benchmarks."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator


async def paced(count: int, rate: float, lead_s: float = 0.05) -> AsyncIterator[tuple[int, float]]:
    """Yield ``(i, due)`` for ``i`` in ``range(count)`` at each due time,
    ``start + i / rate`` on the monotonic clock, whether or not earlier work finished
    (open loop: a server that falls behind is not hidden by a client that waits)."""
    start = time.monotonic() + lead_s
    for i in range(count):
        due = start + i / rate
        delay = due - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        yield i, due
