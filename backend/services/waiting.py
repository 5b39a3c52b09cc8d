"""Waiting on several things at once, for the services' background loops."""

from __future__ import annotations

import asyncio
import contextlib


async def first_of(*events: asyncio.Event, timeout_s: float | None = None) -> None:
    """Return when any of ``events`` is set, or after ``timeout_s`` (None: no limit)."""
    waits = [asyncio.ensure_future(event.wait()) for event in events]
    timeout = None if timeout_s is None else max(0.0, timeout_s)
    try:
        await asyncio.wait(waits, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiting in waits:
            waiting.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.gather(*waits, return_exceptions=True)
