"""Garbage-collector settings for the long-running server.

CPython's full (generation 2) collection walks every tracked object; a trading server
holds a growing heap of long-lived orders, positions and book entries, so each full
collection pauses the event loop longer (60 ms after 10 s of 1,000 orders/s, 155 ms
after 25 s, measured). The survivors of a full collection are moved to the permanent
generation (`gc.freeze`), so the next one walks only what was created since (15-25 ms).
Frozen objects are still freed by reference counting when dropped, but a reference
cycle that was alive when frozen (a request in flight) is never collected there: a
`GcSweeper` unfreezes and collects everything every ten minutes, one longer pause that
bounds what can pile up.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import time

_FULL = 2
FULL_EVERY = 2
"""A full collection after this many middle ones (CPython's default is 10): with the
survivors frozen each time, more frequent full collections each walk fewer objects."""
log = logging.getLogger("quantdesk.gc")


def _freeze_survivors(phase: str, info: dict) -> None:
    if phase == "stop" and info.get("generation") == _FULL:
        gc.freeze()


def install() -> None:
    """Freeze what exists now (the state rebuilt at start) and the survivors of every
    later full collection."""
    gc.collect()
    gc.freeze()
    young, middle, _ = gc.get_threshold()
    gc.set_threshold(young, middle, FULL_EVERY)
    if _freeze_survivors not in gc.callbacks:
        gc.callbacks.append(_freeze_survivors)


def sweep() -> int:
    """Collect everything, the frozen generation included, then freeze the survivors;
    returns the number of objects collected."""
    gc.unfreeze()
    collected = gc.collect()
    gc.freeze()
    return collected


class GcSweeper:
    """Runs `sweep` every ``interval_s`` while the server is up."""

    def __init__(self, interval_s: float = 600.0) -> None:
        self.interval_s = interval_s

    async def run(self, stop: asyncio.Event) -> None:
        """Sweep until ``stop`` is set."""
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self.interval_s)
            if stop.is_set():
                return
            started = time.perf_counter()
            collected = sweep()
            pause_ms = (time.perf_counter() - started) * 1000
            log.info("full sweep: %d objects collected in %.0f ms", collected, pause_ms)
