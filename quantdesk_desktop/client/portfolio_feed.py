"""The Portfolio panel's figures from the server: PnL per market, the equity curve's new
points and the newest funding payments, reloaded every `PORTFOLIO_EVERY_S` and soon after
the account's balances or fills move; older funding pages when the panel asks."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable

from quantdesk_desktop.client.rest import ApiError, RestClient
from quantdesk_desktop.state.portfolio import FUNDING_PAGE
from quantdesk_desktop.state.store import MarketStore

PORTFOLIO_EVERY_S = 30.0
"""The PnL, equity curve and funding payments reload this often, and soon after the
account's balances or fills move."""
PORTFOLIO_SETTLE_S = 1.0
"""After a move, wait this long before reloading them (a burst of fills: one reload)."""
EQUITY_POINTS = 1_000
"""Equity points asked for at a time."""


class PortfolioFeed:
    """Keeps ``store.portfolio`` loaded from the REST API."""

    def __init__(self, store: MarketStore, rest: RestClient, notice: Callable[[str], None]):
        self.store = store
        self.rest = rest
        self._notice = notice
        self._moved = asyncio.Event()

    def moved(self) -> None:
        """The balances or fills moved: the PnL and the curve are due a reload."""
        self._moved.set()

    async def follow(self) -> None:
        """Load everything, then again every `PORTFOLIO_EVERY_S`, or `PORTFOLIO_SETTLE_S`
        after a move."""
        while True:
            await self.load()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._moved.wait(), PORTFOLIO_EVERY_S)
            await asyncio.sleep(PORTFOLIO_SETTLE_S)
            self._moved.clear()

    async def load(self) -> None:
        """Reload the PnL, the equity points after the newest held and the newest page of
        funding payments."""
        portfolio = self.store.portfolio
        try:
            portfolio.load_pnl(await self.rest.pnl())
            newest = portfolio.newest_equity_ms
            start = None if newest is None else newest + 1
            portfolio.load_equity(await self.rest.equity(start_ms=start, limit=EQUITY_POINTS))
            payments = await self.rest.funding_payments(limit=FUNDING_PAGE)
            portfolio.take_newest_funding(payments, FUNDING_PAGE)
        except ApiError as error:
            portfolio.load_failed(error.message)

    async def load_funding_page(self) -> None:
        """Load the next older page of funding payments (a panel asked for it)."""
        portfolio = self.store.portfolio
        if not portfolio.start_funding_load():
            return
        try:
            rows = await self.rest.funding_payments(
                before_id=portfolio.oldest_funding_id, limit=FUNDING_PAGE
            )
        except ApiError as error:
            portfolio.funding_failed(error.message)
            self._notice(f"funding payments: {error.message}")
        else:
            portfolio.load_funding_page(rows, FUNDING_PAGE)
