"""The embedded market makers: one paper account per market quoting a ladder around the
oracle, refreshed as it moves, through the same durable order flow as any trader."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from backend.domain.errors import DomainError
from backend.domain.orders import OrderRequest, OrderType
from backend.services.clock import Clock
from backend.services.liquidity.market_maker import MakerPolicy, RestingQuote, ladder, refresh
from backend.services.trading.commands import Cancel, Deposit, Submit
from backend.services.trading.service import TradingService, TradingUnavailable

log = logging.getLogger("quantdesk.liquidity")

PAPER_CAPITAL = 50_000_000 * 10**6
"""Each maker's paper USDC (50 million)."""


def maker_account(market: str) -> str:
    """The account that makes ``market``."""
    return f"market-maker:{market}"


class MarketMakerAgents:
    """Keeps every priced market quoted."""

    def __init__(
        self,
        trading: TradingService,
        clock: Clock,
        policy: MakerPolicy | None = None,
        interval_s: float = 1.0,
    ) -> None:
        self.trading = trading
        self.clock = clock
        self.policy = policy or MakerPolicy()
        self.interval_s = interval_s

    def step(self) -> None:
        """Bring every market's quotes to the ladder around its current oracle price."""
        for market in list(self.trading.state.prices):
            if self.trading.runs(market):
                self.requote(market)

    def requote(self, market: str) -> None:
        """One market's requote, as one transaction."""
        with self.trading.batched():
            self._requote(market)

    def _requote(self, market: str) -> None:
        state = self.trading.state
        prices = state.prices.get(market)
        if prices is not None:
            account = maker_account(market)
            if state.ledger.account(account).balance(state.catalog.quote_asset) <= 0:
                self.trading.execute(Deposit(account, state.catalog.quote_asset, PAPER_CAPITAL))
            engine = state.engines[market]
            wanted = ladder(engine.spec, self.policy, prices.oracle, engine.position(account))
            resting = [
                RestingQuote(o.order_id, o.side, o.request.price, o.remaining)
                for o in engine.open_orders(account)
                if o.request.price is not None
            ]
            cancels, new = refresh(wanted, resting, self.policy)
            for order_id in cancels:
                self.trading.execute(Cancel(account, market, order_id))
            now = self.clock.now_ms()
            for index, quote in enumerate(new):
                request = OrderRequest(
                    account,
                    market,
                    quote.side,
                    OrderType.LIMIT,
                    quote.size,
                    f"q{now}-{index}",
                    price=quote.price,
                    post_only=True,
                )
                try:
                    self.trading.execute(Submit(request))
                except DomainError as error:
                    # a quote that would cross after a fast move is simply skipped this round
                    log.debug(
                        "quote %s %s at %s skipped: %s",
                        market,
                        quote.side.value,
                        quote.price,
                        error,
                    )

    async def run(self, stop: asyncio.Event) -> None:
        """Quote until ``stop`` is set."""
        while not stop.is_set():
            try:
                for market in list(self.trading.state.prices):
                    self.requote(market)
                    await asyncio.sleep(0)  # traders' orders go in between markets
            except TradingUnavailable:
                log.error("trading stopped: the market makers stop too")
                return
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self.interval_s)
