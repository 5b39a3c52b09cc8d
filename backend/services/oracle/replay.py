"""Recording prices to JSON lines of Hermes updates, and playing them back.

Each line is one Hermes v2 update (``{"parsed": [...]}``, the same JSON as a stream
event) with a ``received_at`` (Unix seconds, when it arrived). Prices from a source other
than Pyth are written in the same shape, with our own precision as the exponent
(``expo: -6``), so a day of real prices from any source can drive the desktop offline.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import IO, Any

from backend.domain.fixed_point import PRICE_PRECISION
from backend.services.oracle.feed_errors import FeedFormatError
from backend.services.oracle.pyth_wire import HermesFormatError, PythPrice, parse_updates

OUR_EXPO = -(len(str(PRICE_PRECISION)) - 1)


def hermes_entry(feed_id: str, price: int, confidence: int, publish_time: int) -> dict:
    """A Hermes ``parsed`` entry for a price in our units (for non-Pyth sources)."""
    block = {
        "price": str(price),
        "conf": str(confidence),
        "expo": OUR_EXPO,
        "publish_time": publish_time,
    }
    return {"id": feed_id, "price": block, "ema_price": dict(block), "metadata": {}}


def pyth_entry(price: PythPrice) -> dict:
    """A parsed Pyth price back in Hermes shape (in our units)."""
    entry = hermes_entry(price.feed_id, price.price, price.conf, price.publish_time)
    entry["ema_price"]["price"] = str(price.ema_price)
    entry["ema_price"]["conf"] = str(price.ema_conf)
    if price.slot is not None or price.prev_publish_time is not None:
        entry["metadata"] = {"slot": price.slot, "prev_publish_time": price.prev_publish_time}
    return entry


class PriceRecorder:
    """Appends updates to a JSON-lines file, one line each, flushed as written."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._file: IO[str] = path.open("a", encoding="utf-8")

    def record(self, entries: list[dict], received_at: float | None = None) -> None:
        """Write one update holding ``entries`` (Hermes ``parsed`` entries)."""
        line = {"received_at": time.time() if received_at is None else received_at}
        line["parsed"] = entries
        self._file.write(json.dumps(line, separators=(",", ":")) + "\n")
        self._file.flush()

    def close(self) -> None:
        """Close the file."""
        self._file.close()


def read_recording(path: Path) -> Iterator[tuple[float, list[PythPrice]]]:
    """Each recorded update with its arrival time; a bad line raises with its number."""
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                payload: Any = json.loads(line)
                received_at = payload["received_at"]
                if not isinstance(received_at, int | float) or isinstance(received_at, bool):
                    raise FeedFormatError("received_at must be a number")
                yield float(received_at), parse_updates(payload)
            except (ValueError, KeyError, TypeError, HermesFormatError) as error:
                raise FeedFormatError(f"{path.name}:{number}: {error}") from None


async def replay(
    path: Path,
    speed: float = 1.0,
    sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> AsyncIterator[list[PythPrice]]:
    """The recorded updates, paced as they arrived divided by ``speed`` (0: at once)."""
    started = clock()
    first: float | None = None
    for received_at, prices in read_recording(path):
        if first is None:
            first = received_at
        if speed > 0:
            due = (received_at - first) / speed
            wait = due - (clock() - started)
            if wait > 0:
                await sleep(wait)
        yield prices
