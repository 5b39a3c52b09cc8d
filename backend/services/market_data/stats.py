"""A market's ticker: 24 h figures from its trades with live prices, open interest and
funding, and their periodic copy in the ``market_stats`` table."""

from __future__ import annotations

import asyncio
import contextlib
import copy
import logging
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from backend.domain.fixed_point import RATIO_PRECISION
from backend.domain.funding import funding_rate
from backend.services.clock import Clock
from backend.services.market_data.history import HistoryService
from backend.services.trading.service import TradingService
from backend.store.models import MarketStats

log = logging.getLogger("quantdesk.market_data")

DAY_MS = 86_400_000


@dataclass(frozen=True, slots=True)
class Ticker:
    """One market's figures now (price units, base units, quote units, ppm, 1e9 rates)."""

    market: str
    halted: bool
    mark: int | None
    oracle: int | None
    last_price: int | None
    open_24h: int | None
    high_24h: int | None
    low_24h: int | None
    change_24h: int | None
    """Last over open, minus one, in ppm."""
    volume_24h: int
    notional_24h: int
    trades_24h: int
    open_interest: int
    """The sum of long positions (base units)."""
    funding_rate_estimate: int | None
    """The running period's rate so far."""
    next_funding_ms: int | None
    time_ms: int


class MarketTickers:
    """Tickers computed on demand, each cached for ``cache_ms``."""

    def __init__(
        self, trading: TradingService, history: HistoryService, clock: Clock, cache_ms: int = 1_000
    ) -> None:
        self.trading = trading
        self.history = history
        self.clock = clock
        self.cache_ms = cache_ms
        self._cache: dict[str, Ticker] = {}

    def ticker(self, market: str) -> Ticker:
        """The ticker of a known market."""
        now = self.clock.now_ms()
        cached = self._cache.get(market)
        if cached is not None and now - cached.time_ms < self.cache_ms:
            return cached
        ticker = self._compute(market, now)
        self._cache[market] = ticker
        return ticker

    def _compute(self, market: str, now: int) -> Ticker:
        state = self.trading.state
        spec = state.catalog.market(market)
        day = self.history.summary(market, now - DAY_MS, now + 1)
        prices = state.prices.get(market)
        schedule = state.funding[market]
        twaps = copy.deepcopy(schedule.accumulator).twaps(now)  # a look, not a sample
        estimate = None
        if twaps is not None and twaps[1] > 0:
            estimate = funding_rate(*twaps, spec.funding_period_s, spec.max_funding_rate)
        open_interest = sum(
            position.base
            for account in state.ledger.accounts.values()
            if (position := account.positions.get(market)) is not None and position.base > 0
        )
        change = None
        if day is not None and day.open:
            change = (day.close - day.open) * RATIO_PRECISION // day.open
        return Ticker(
            market=market,
            halted=market in state.halted,
            mark=prices.mark if prices else None,
            oracle=prices.oracle if prices else None,
            last_price=day.close if day else None,
            open_24h=day.open if day else None,
            high_24h=day.high if day else None,
            low_24h=day.low if day else None,
            change_24h=change,
            volume_24h=day.volume if day else 0,
            notional_24h=day.notional if day else 0,
            trades_24h=day.trades if day else 0,
            open_interest=open_interest,
            funding_rate_estimate=estimate,
            next_funding_ms=schedule.due_ms,
            time_ms=now,
        )


class MarketStatsRecorder:
    """Copies every market's ticker into ``market_stats`` every ``interval_s``."""

    def __init__(
        self,
        tickers: MarketTickers,
        interval_s: float = 10.0,
        active: Callable[[], bool] = lambda: True,
    ) -> None:
        self.tickers = tickers
        self.interval_s = interval_s
        self.active = active
        """Whether this process records now (one engine of a deployment of several)."""

    def record(self) -> None:
        """Write one row per market that has traded in the last day."""
        trading = self.tickers.trading
        with Session(trading.database) as session:
            for market in trading.state.catalog.markets:
                ticker = self.tickers.ticker(market)
                if ticker.last_price is None:
                    continue
                session.merge(
                    MarketStats(
                        market=market,
                        last_price=ticker.last_price,
                        open_24h=ticker.open_24h or 0,
                        high_24h=ticker.high_24h or 0,
                        low_24h=ticker.low_24h or 0,
                        volume_24h=ticker.volume_24h,
                        quote_volume_24h=ticker.notional_24h,
                        open_interest=ticker.open_interest,
                        updated_at_ms=ticker.time_ms,
                    )
                )
            session.commit()

    async def run(self, stop: asyncio.Event) -> None:
        """Record until ``stop`` is set."""
        while not stop.is_set():
            try:
                if self.active():
                    self.tickers.trading.catch_up()
                    self.record()
            except SQLAlchemyError:  # a failed copy must not stop the server; the next retries
                log.exception("market statistics not recorded")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self.interval_s)
