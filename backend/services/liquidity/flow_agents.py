"""The embedded default's order flow: one paper account per market that takes liquidity
with small market orders at random moments, so the tape, the candles and the makers'
inventories move as on a real venue. Seeded, so a run can be repeated.

Each order is a Poisson arrival at ``trades_per_s`` per market; its size is a random
number of lots below the market's JIT auction threshold; its side leans against the
account's position so that inventory stays bounded.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random

from backend.domain.errors import DomainError
from backend.domain.orders import OrderRequest, OrderType, Side
from backend.services.clock import Clock
from backend.services.trading.commands import Deposit, Submit
from backend.services.trading.service import TradingService, TradingUnavailable

log = logging.getLogger("quantdesk.liquidity")

PAPER_CAPITAL = 10_000_000 * 10**6
"""Each flow account's paper USDC (10 million)."""
STEP_S = 0.1
MAX_LOTS_SHARE = 5
"""Orders are at most a fifth of the auction threshold."""
INVENTORY_LIMIT_ORDERS = 20
"""The position (in largest orders) at which the side is fully against it."""


def flow_account(market: str) -> str:
    """The account whose orders make ``market``'s trades."""
    return f"flow-trader:{market}"


class FlowTraders:
    """Random small market orders in every priced market."""

    def __init__(
        self, trading: TradingService, clock: Clock, trades_per_s: float = 1.0, seed: int = 11
    ) -> None:
        self.trading = trading
        self.clock = clock
        self.trades_per_s = trades_per_s
        self.rng = random.Random(seed)
        self.sent = 0

    def step(self, elapsed_s: float) -> None:
        """Send the orders that arrive in ``elapsed_s`` seconds (each market drawn once)."""
        chance = min(1.0, self.trades_per_s * elapsed_s)
        for market in sorted(m for m in self.trading.state.prices if self.trading.runs(m)):
            if self.rng.random() < chance:
                self._trade(market)

    def _trade(self, market: str) -> None:
        state = self.trading.state
        spec = state.catalog.market(market)
        account = flow_account(market)
        if state.ledger.account(account).balance(state.catalog.quote_asset) <= 0:
            self.trading.execute(Deposit(account, state.catalog.quote_asset, PAPER_CAPITAL))
        max_lots = max(1, spec.auction_threshold // MAX_LOTS_SHARE // spec.lot_size)
        min_lots = max(1, -(-spec.min_size // spec.lot_size))
        size = self.rng.randint(min_lots, max(min_lots, max_lots)) * spec.lot_size
        position = state.engines[market].position(account)
        lean = position / (INVENTORY_LIMIT_ORDERS * max_lots * spec.lot_size)
        buy_chance = 0.5 - 0.45 * max(-1.0, min(1.0, lean))
        side = Side.BUY if self.rng.random() < buy_chance else Side.SELL
        self.sent += 1
        request = OrderRequest(
            account, market, side, OrderType.MARKET, size, f"flow-{self.clock.now_ms()}-{self.sent}"
        )
        try:
            self.trading.execute(Submit(request))
        except DomainError as error:
            log.debug("flow order in %s skipped: %s", market, error)

    async def run(self, stop: asyncio.Event) -> None:
        """Trade until ``stop`` is set (nothing when the rate is 0)."""
        if self.trades_per_s <= 0:
            return
        while not stop.is_set():
            try:
                self.step(STEP_S)
            except TradingUnavailable:
                log.error("trading stopped: the flow traders stop too")
                return
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), STEP_S)
