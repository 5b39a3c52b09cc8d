"""Drives the trading state from the price simulator: the embedded default's live prices."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from backend.services.clock import Clock
from backend.services.oracle.replay import PriceRecorder, hermes_entry
from backend.services.oracle.simulator import PriceSimulator
from backend.services.trading.commands import SetPrices
from backend.services.trading.service import TradingService, TradingUnavailable

log = logging.getLogger("quantdesk.oracle")


class SimulatedFeed:
    """Every ``interval_s``: a new simulated price per market, then a clock tick."""

    def __init__(
        self,
        simulator: PriceSimulator,
        trading: TradingService,
        clock: Clock,
        interval_s: float = 1.0,
        recorder: PriceRecorder | None = None,
    ) -> None:
        self.simulator = simulator
        self.trading = trading
        self.clock = clock
        self.interval_s = interval_s
        self.recorder = recorder
        """When set, every round is also written in the replay format."""
        self.feed_ids = {spec.symbol: spec.pyth_feed_id for spec in trading.state.catalog}

    def step(self) -> None:
        """Publish one round of prices and a tick."""
        now = self.clock.now_ms()
        ticks = self.simulator.advance(now)
        with self.trading.batched():
            for tick in ticks:
                if self.trading.runs(tick.market):
                    self.trading.execute(
                        SetPrices(tick.market, oracle=tick.price, derive_mark=True, source="sim")
                    )
            for clock_tick in self.trading.ticks():
                self.trading.execute(clock_tick)
        if self.recorder is not None and ticks:
            entries = [
                hermes_entry(self.feed_ids[t.market], t.price, 0, now // 1000) for t in ticks
            ]
            self.recorder.record(entries, received_at=now / 1000)

    async def run(self, stop: asyncio.Event) -> None:
        """Step until ``stop`` is set; a stopped trading service ends the feed."""
        while not stop.is_set():
            try:
                self.step()
            except TradingUnavailable:
                log.error("trading stopped: the simulated feed stops too")
                return
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self.interval_s)
