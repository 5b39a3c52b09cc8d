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
    """Trades added live since the start (a view knows how many rows are new)."""
    reloads: int = 0
    """History loads (a view rebuilds its rows when this moves)."""

    def apply(self, message: dict) -> None:
        """Take a `trades` channel message."""
        if message.get("type") != "trades":
            return
        for row in message["trades"]:
            self.trades.append(_trade(row))
            self.added += 1
        self.version += 1

    def load_history(self, newest_first: list[dict]) -> None:
        """Put the trades before the first live one (`GET /api/markets/{m}/trades`) in
        front: the stream may already have delivered the newest, which are kept once."""
        oldest_live = self.trades[0].trade_id if self.trades else None
        earlier = [
            _trade(row)
            for row in reversed(newest_first)
            if oldest_live is None or row["id"] < oldest_live
        ]
        room = (self.trades.maxlen or len(earlier)) - len(self.trades)
        kept = earlier[-room:] if room > 0 else []
        self.trades.extendleft(reversed(kept))
        self.reloads += 1
        self.version += 1


def _trade(row: dict) -> TapeTrade:
    return TapeTrade(
        row["id"], row["time_ms"], parse_price(row["price"]), parse_base(row["size"]), row["side"]
    )
