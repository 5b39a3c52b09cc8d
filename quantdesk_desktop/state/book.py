"""One market's L2 order book as the `book` channel describes it."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

from backend.domain.fixed_point import parse_base, parse_price

# A busy book repeats the same price and size texts thousands of times a second: parsed
# once each (exactly, as the domain parses them), then looked up.
_price = functools.lru_cache(maxsize=16_384)(parse_price)
_size = functools.lru_cache(maxsize=16_384)(parse_base)


@dataclass(slots=True)
class BookState:
    """Price level to visible size, per side, in our units (price 1e-6, base 1e-9)."""

    market: str
    bids: dict[int, int] = field(default_factory=dict)
    asks: dict[int, int] = field(default_factory=dict)
    seq: int | None = None
    """The last sequence applied (None before the snapshot)."""
    version: int = 0
    """Counts changes: a panel repaints when it moved."""
    received_at: float = 0.0
    """When the last applied message arrived (`time.perf_counter`), for tick-to-screen."""

    def apply(self, message: dict, received_at: float = 0.0) -> bool:
        """Apply a snapshot or a delta; False when a delta does not follow the last
        sequence (a gap: the caller re-subscribes for a new snapshot)."""
        kind = message.get("type")
        if kind == "snapshot":
            self.bids = _levels(message["bids"])
            self.asks = _levels(message["asks"])
        elif kind == "delta":
            if self.seq is None or message.get("prev_seq") != self.seq:
                return False
            _merge(self.bids, message["bids"])
            _merge(self.asks, message["asks"])
        else:
            return True
        self.seq = message["seq"]
        self.version += 1
        self.received_at = received_at
        return True

    def reset(self) -> None:
        """Forget the book (until the next snapshot)."""
        self.bids.clear()
        self.asks.clear()
        self.seq = None
        self.version += 1

    def best_bid(self) -> int | None:
        """The highest bid price, if any."""
        return max(self.bids) if self.bids else None

    def best_ask(self) -> int | None:
        """The lowest ask price, if any."""
        return min(self.asks) if self.asks else None

    def sorted_bids(self) -> list[tuple[int, int]]:
        """Bid levels, best (highest) first."""
        return sorted(self.bids.items(), reverse=True)

    def sorted_asks(self) -> list[tuple[int, int]]:
        """Ask levels, best (lowest) first."""
        return sorted(self.asks.items())


def _levels(rows: list[list[str]]) -> dict[int, int]:
    return {_price(price): _size(size) for price, size in rows}


def _merge(side: dict[int, int], rows: list[list[str]]) -> None:
    for price_text, size_text in rows:
        price, size = _price(price_text), _size(size_text)
        if size:
            side[price] = size
        else:
            side.pop(price, None)
