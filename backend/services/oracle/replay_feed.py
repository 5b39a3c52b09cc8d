"""Drives the trading state from a recorded price file (see `replay`): a day of real
prices, offline, at real or scaled speed."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from backend.services.oracle.feed_errors import FeedFormatError
from backend.services.oracle.replay import replay
from backend.services.oracle.validation import PriceValidator, ValidationPolicy
from backend.services.trading.commands import SetPrices
from backend.services.trading.service import TradingService, TradingUnavailable

log = logging.getLogger("quantdesk.oracle")


class ReplayFeed:
    """Plays ``path`` into the markets whose Pyth feed ids it holds; other feeds in the
    file are ignored. Each price passes the validator (confidence width, publish-time
    order, jumps) against the recording's own timeline."""

    def __init__(self, trading: TradingService, path: Path, speed: float = 1.0) -> None:
        self.trading = trading
        self.path = path
        self.speed = speed
        catalog = trading.state.catalog
        self.markets = {spec.pyth_feed_id: spec.symbol for spec in catalog}
        self.validators = {
            spec.symbol: PriceValidator(ValidationPolicy(max_age_s=spec.max_oracle_age_s))
            for spec in catalog
        }
        self.refused = 0

    async def run(self, stop: asyncio.Event) -> None:
        """Play the file until it ends or ``stop`` is set."""
        try:
            async for prices in replay(self.path, self.speed):
                if stop.is_set():
                    return
                self._apply(prices)
        except FeedFormatError as error:
            log.error("price replay stopped: %s", error)
            return
        except TradingUnavailable:
            log.error("trading stopped: the price replay stops too")
            return
        log.info("price replay finished: %s", self.path.name)

    def _apply(self, prices) -> None:
        with self.trading.batched():
            for price in prices:
                market = self.markets.get(price.feed_id)
                if market is None or not self.trading.runs(market):
                    continue
                check = self.validators[market].check(
                    price.price,
                    price.conf,
                    price.publish_time,
                    now=price.publish_time,
                    sequence=price.slot or 0,
                )
                if not check.accepted:
                    self.refused += 1
                    log.warning("replayed %s price refused: %s", market, check.reason)
                    continue
                self.trading.execute(
                    SetPrices(
                        market,
                        oracle=price.price,
                        derive_mark=True,
                        source="replay",
                        confidence=price.conf,
                        publish_time_ms=price.publish_time * 1000,
                        ema_price=price.ema_price,
                    )
                )
            for clock_tick in self.trading.ticks():
                self.trading.execute(clock_tick)
