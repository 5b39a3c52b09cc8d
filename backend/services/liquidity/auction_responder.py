"""The embedded makers' answer to JIT auctions: each auction that opens in a market they
make gets a quote as soon as the curve reaches their price, through the durable order
flow like any other maker's quote."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from backend.domain.auction import Auction
from backend.domain.errors import DomainError
from backend.domain.fixed_point import PRICE_TIMES_BASE_TO_QUOTE
from backend.services.clock import Clock
from backend.services.liquidity.maker_agents import maker_account
from backend.services.liquidity.market_maker import MakerPolicy, auction_quote
from backend.services.trading.commands import Command, QuoteAuction
from backend.services.trading.service import TradingService, TradingUnavailable
from backend.services.trading.state import Outcome
from backend.services.waiting import first_of

log = logging.getLogger("quantdesk.liquidity")

POLL_S = 0.01
"""How often an open auction's curve is looked at until it is worth quoting."""


class AuctionResponder:
    """Watches for auctions and quotes them for the market's maker account."""

    def __init__(
        self, trading: TradingService, clock: Clock, policy: MakerPolicy | None = None
    ) -> None:
        self.trading = trading
        self.clock = clock
        self.policy = policy or MakerPolicy()
        self.pending: dict[int, Auction] = {}
        """Open auctions not yet quoted, by id."""
        self._wake = asyncio.Event()
        trading.on_commit(self._on_commit)

    def _on_commit(self, _: Command, outcome: Outcome) -> None:
        for result in outcome.results:
            for auction in result.auctions_started:
                self.pending[auction.auction_id] = auction
            for auction in result.auctions_dropped:
                self.pending.pop(auction.auction_id, None)
            for auction, _fills in result.auctions_settled:
                self.pending.pop(auction.auction_id, None)
        if self.pending:
            self._wake.set()

    def step(self) -> None:
        """Quote every pending auction whose curve has reached the maker's price; drop the
        ones that ended."""
        now = self.clock.now_ms()
        state = self.trading.state
        for auction_id, auction in list(self.pending.items()):
            if now > auction.end_ms:
                del self.pending[auction_id]
                continue
            prices = state.prices.get(auction.market)
            if prices is None or not self.trading.runs(auction.market):
                del self.pending[auction_id]
                continue
            maker = maker_account(auction.market)
            capacity = self.policy.max_inventory_notional * PRICE_TIMES_BASE_TO_QUOTE
            quote = auction_quote(
                auction, maker, prices.oracle, now, self.policy, capacity // prices.oracle
            )
            if quote is None:
                continue
            del self.pending[auction_id]
            try:
                self.trading.execute(
                    QuoteAuction(maker, auction.market, auction_id, quote.price, quote.size)
                )
            except DomainError as error:
                log.info("auction %s not quoted: %s", auction_id, error)

    async def run(self, stop: asyncio.Event) -> None:
        """Quote auctions until ``stop`` is set."""
        while not stop.is_set():
            if not self.pending:
                self._wake.clear()
                await first_of(stop, self._wake)
                continue
            try:
                self.step()
            except TradingUnavailable:
                log.error("trading stopped: the auction responder stops too")
                return
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), POLL_S)
