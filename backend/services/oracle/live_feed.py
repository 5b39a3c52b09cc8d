"""Drives the trading state from outside price sources (Pyth, CoinGecko) through a
`PriceRouter`: one task reads each source, one keeps time (status changes that come from
silence, and the clock tick of the markets)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence

from backend.services.clock import Clock
from backend.services.oracle.price_router import PriceRouter, Routing
from backend.services.oracle.quotes import Quote
from backend.services.oracle.replay import PriceRecorder
from backend.services.trading.service import TradingService, TradingUnavailable

log = logging.getLogger("quantdesk.oracle")

QuoteStream = AsyncIterator[list[Quote]]


class LiveFeed:
    """Routes ``primary`` and ``fallback`` quotes into ``trading`` until stopped."""

    def __init__(
        self,
        trading: TradingService,
        clock: Clock,
        router: PriceRouter,
        primary: QuoteStream,
        fallback: QuoteStream | None = None,
        tick_interval_s: float = 0.5,
        recorder: PriceRecorder | None = None,
        closers: Sequence[Callable[[], Awaitable[None]]] = (),
    ) -> None:
        self.trading = trading
        self.clock = clock
        self.router = router
        self.primary = primary
        self.fallback = fallback
        self.tick_interval_s = tick_interval_s
        """How often silence is judged and the markets' clock ticks."""
        self.recorder = recorder
        """When set, every price that serves is also written in the replay format."""
        self.closers = closers
        """Called once the feed stops (the sources' HTTP clients)."""
        self._stopped = asyncio.Event()

    async def run(self, stop: asyncio.Event) -> None:
        """Read the sources and keep time until ``stop`` is set or trading stops."""
        workers = [asyncio.create_task(self._read(self.primary, self.router.on_primary))]
        if self.fallback is not None:
            workers.append(asyncio.create_task(self._read(self.fallback, self.router.on_fallback)))
        workers.append(asyncio.create_task(self._keep_time()))
        waiting = asyncio.create_task(stop.wait())
        ended = asyncio.create_task(self._stopped.wait())
        try:
            await asyncio.wait([waiting, ended], return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in [*workers, waiting, ended]:
                task.cancel()
            await asyncio.gather(*workers, waiting, ended, return_exceptions=True)
            for close in self.closers:
                with contextlib.suppress(Exception):
                    await close()
            if self.recorder is not None:
                self.recorder.close()

    def _now(self) -> float:
        return self.clock.now_ms() / 1000

    async def _read(self, quotes: QuoteStream, route: Callable[..., Routing]) -> None:
        try:
            async for batch in quotes:
                self._apply(route(batch, self._now()), tick=False)
        except Exception:
            # the source's markets fail over (or halt) by themselves; say why loudly
            log.critical("a price source stopped on an error", exc_info=True)
            raise

    async def _keep_time(self) -> None:
        while True:
            self._apply(self.router.on_clock(self._now()), tick=True)
            await asyncio.sleep(self.tick_interval_s)

    def _apply(self, routing: Routing, tick: bool) -> None:
        if not routing.commands and not tick:
            return
        try:
            with self.trading.batched():
                for command in routing.commands:
                    if self.trading.runs(command.market):
                        self.trading.execute(command)
                if tick:
                    for clock_tick in self.trading.ticks():
                        self.trading.execute(clock_tick)
        except TradingUnavailable:
            log.error("trading stopped: the price feed stops too")
            self._stopped.set()
            return
        if self.recorder is not None and routing.entries:
            self.recorder.record(routing.entries, received_at=self._now())
