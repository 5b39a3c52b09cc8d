"""Garbage-collector settings for the long-running server.

CPython's full (generation 2) collection walks every tracked object; a trading server
holds a growing heap of long-lived orders, positions and book entries, so each full
collection pauses the event loop longer (60 ms after 10 s of 1,000 orders/s, 155 ms
after 25 s, measured). The survivors of a full collection are moved to the permanent
generation (`gc.freeze`), so the next one walks only what was created since. Objects
frozen this way are still freed by reference counting when dropped; only reference
cycles among them are never collected, and the server's long-lived state has none.
"""

from __future__ import annotations

import gc

_FULL = 2


def _freeze_survivors(phase: str, info: dict) -> None:
    if phase == "stop" and info.get("generation") == _FULL:
        gc.freeze()


def install() -> None:
    """Freeze what exists now (the state rebuilt at start) and the survivors of every
    later full collection."""
    gc.collect()
    gc.freeze()
    if _freeze_survivors not in gc.callbacks:
        gc.callbacks.append(_freeze_survivors)
