"""The ``candles`` channel: the in-progress candle of each subscribed market and interval,
seeded from the store on subscription and updated by every committed fill."""

from __future__ import annotations

from backend.domain.candles import INTERVALS, Candle, bucket_start
from backend.domain.fills import Fill
from backend.gateway.ws.hub import Hub, Topic
from backend.gateway.ws.wire import candle_out
from backend.services.market_data.history import HistoryService


def candle_topic(market: str, interval: str) -> Topic:
    """The hub topic of one market's candles of one interval."""
    return ("candles", (market, interval))


class LiveCandles:
    """Current candles for the topics someone follows."""

    def __init__(self, hub: Hub, history: HistoryService) -> None:
        self.hub = hub
        self.history = history
        self._current: dict[tuple[str, str], Candle | None] = {}

    def snapshot(self, market: str, interval: str, now_ms: int) -> dict:
        """The subscription's first message: the in-progress candle (None before a trade),
        read from the store, which holds every committed fill."""
        length = INTERVALS[interval]
        start = bucket_start(now_ms, length)
        found = self.history.candles(market, length, start, start + length, 1)
        candle = found[0] if found else None
        self._current[(market, interval)] = candle
        return {
            "channel": "candles",
            "market": market,
            "interval": interval,
            "type": "snapshot",
            "seq": self.hub.seq(candle_topic(market, interval)),
            "candle": None if candle is None else candle_out(candle),
        }

    def on_fills(self, fills: list[Fill]) -> None:
        """Fold committed fills into every followed candle of their market and publish."""
        market = fills[0].market
        for key in list(self._current):
            if key[0] != market:
                continue
            topic = candle_topic(*key)
            if not self.hub.subscribers(topic):
                del self._current[key]  # nobody follows: re-read from the store next time
                continue
            length = INTERVALS[key[1]]
            candle = self._current[key]
            for fill in fills:
                start = bucket_start(fill.timestamp_ms, length)
                if candle is None or candle.start_ms != start:
                    candle = Candle.first(start, fill.price, fill.size, fill.notional)
                else:
                    candle.add(fill.price, fill.size, fill.notional)
            self._current[key] = candle
            self.hub.publish(
                topic,
                {
                    "channel": "candles",
                    "market": market,
                    "interval": key[1],
                    "type": "update",
                    "candle": candle_out(candle),
                },
            )
