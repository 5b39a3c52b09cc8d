"""Records each trader's equity at a fixed pace, for the equity curve.

Equity is what `GET /api/risk` states (`margin.risk_view`: every collateral balance at
full oracle value plus the unrealised PnL at mark). A point is written every
``interval_s`` for each account that holds a position or whose equity moved since its last
point, and one at once after each deposit or withdrawal. The exchange's own accounts
(market makers, flow traders, the liquidation keeper) are named with a colon, which no
base58 wallet key contains: they get no curve.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from backend.domain.margin import MissingPrice, risk_view
from backend.services.clock import Clock
from backend.services.trading.commands import Command, Deposit, Withdraw
from backend.services.trading.service import TradingService
from backend.services.trading.state import Outcome
from backend.services.waiting import first_of
from backend.store.portfolio_history import EquityFigures, add_equity_snapshots

log = logging.getLogger("quantdesk.portfolio")


def charted(account_id: str) -> bool:
    """Whether ``account_id`` is a trader's wallet (not one of the exchange's own)."""
    return ":" not in account_id


class EquityRecorder:
    """Writes equity snapshots every ``interval_s``, and after each transfer."""

    def __init__(
        self,
        trading: TradingService,
        clock: Clock,
        interval_s: float = 60.0,
        active: Callable[[], bool] = lambda: True,
    ) -> None:
        self.trading = trading
        self.clock = clock
        self.interval_s = interval_s
        self.active = active
        """Whether this process records now (one engine of a deployment of several)."""
        self.recorded = 0
        """Snapshots written since the start."""
        self._last: dict[str, int] = {}
        """Each account's equity at its last snapshot."""
        self._due: set[str] = set()
        """Accounts that made a transfer since the last snapshot of them."""
        self._wake = asyncio.Event()
        trading.on_commit(self.on_commit)

    def on_commit(self, command: Command, _outcome: Outcome) -> None:
        """Note a transfer (its account gets a point at once)."""
        if isinstance(command, Deposit | Withdraw) and charted(command.account):
            self._due.add(command.account)
            self._wake.set()

    def record(self, only: set[str] | None = None) -> int:
        """Write a snapshot of each account that holds a position or whose equity moved
        (with ``only``: of those accounts, whatever they hold); how many were written.
        An account whose prices are not all known yet waits for the next round."""
        state = self.trading.state
        figures: dict[str, EquityFigures] = {}
        for account_id, account in state.ledger.accounts.items():
            if not charted(account_id) or (only is not None and account_id not in only):
                continue
            try:
                view = risk_view(account, state.catalog, state.prices)
            except MissingPrice:
                continue
            moved = self._last.get(account_id) != view.equity
            if only is None and not moved and not account.open_positions():
                continue
            figures[account_id] = EquityFigures(
                view.equity, view.equity - view.unrealised_pnl, view.unrealised_pnl
            )
        if not figures:
            return 0
        with Session(self.trading.database) as session:
            written = add_equity_snapshots(session, figures, self.clock.now_ms())
            session.commit()
        for account_id in written:
            self._last[account_id] = figures[account_id].equity
        self.recorded += len(written)
        return len(written)

    async def run(self, stop: asyncio.Event) -> None:
        """Record every ``interval_s`` (and after transfers) until ``stop`` is set."""
        loop = asyncio.get_running_loop()
        while not stop.is_set():
            # a whole round includes whoever made a transfer (their equity moved)
            self._wake.clear()
            self._due.clear()
            self._record_logged(None)
            deadline = loop.time() + self.interval_s
            while not stop.is_set() and loop.time() < deadline:
                await first_of(stop, self._wake, timeout_s=deadline - loop.time())
                if self._wake.is_set():
                    self._wake.clear()
                    due, self._due = self._due, set()
                    self._record_logged(due)

    def _record_logged(self, only: set[str] | None) -> None:
        if not self.active():
            return
        try:
            self.trading.catch_up()  # another process's commands too
            self.record(only)
        except SQLAlchemyError:  # a failed round must not stop the server; the next retries
            log.exception("equity snapshots not recorded")
