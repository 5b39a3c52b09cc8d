"""Time and sales: the market's recent trades, newest last."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from backend.domain.fixed_point import parse_base, parse_price

TAPE_LENGTH = 5_000


@dataclass(frozen=True, slots=True)
class TapeTrade:
    """One public trade (price and size in our units); ``side`` is the aggressor's."""

    trade_id: int
    time_ms: int
    price: int
    size: int
    side: str


@dataclass(slots=True)
class TapeState:
    """The last ``TAPE_LENGTH`` trades of a market."""

    market: str
    trades: deque[TapeTrade] = field(default_factory=lambda: deque(maxlen=TAPE_LENGTH))
    version: int = 0
    added: int = 0
    """Trades added since the start (a view knows how many rows are new)."""

    def apply(self, message: dict) -> None:
        """Take a `trades` channel message."""
        if message.get("type") != "trades":
            return
        for row in message["trades"]:
            self.trades.append(
                TapeTrade(
                    row["id"],
                    row["time_ms"],
                    parse_price(row["price"]),
                    parse_base(row["size"]),
                    row["side"],
                )
            )
            self.added += 1
        self.version += 1
