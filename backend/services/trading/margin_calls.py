"""Margin calls: an account whose health falls below a threshold is warned once, and warned
again only after it has recovered above a higher re-arm level (no alert storm while the
price hovers at the threshold)."""

from __future__ import annotations

from dataclasses import dataclass, field

from backend.domain.margin import MissingPrice, risk_view
from backend.services.trading.commands import Command, SetPrices
from backend.services.trading.risk_keeper import KEEPER
from backend.services.trading.state import Outcome, TradingState

MARGIN_CALL_HEALTH = 200_000
"""Health (ppm) below which an account gets a margin call: 20%."""
REARM_HEALTH = 300_000
"""Health (ppm) above which a called account can be called again: 30%."""


@dataclass(frozen=True, slots=True)
class MarginCall:
    """An account's health crossed below the margin-call threshold."""

    account: str
    health: int
    equity: int
    maintenance_requirement: int
    market: str | None
    """The market whose price move triggered the check (None: a trade or transfer)."""


@dataclass(slots=True)
class MarginCallWatch:
    """Decides, after each committed command, which accounts get a margin call."""

    state: TradingState
    threshold: int = MARGIN_CALL_HEALTH
    rearm: int = REARM_HEALTH
    called: set[str] = field(default_factory=set)
    """Accounts warned and not yet back above ``rearm``."""

    def after(self, command: Command, outcome: Outcome) -> list[MarginCall]:
        """The margin calls due after ``command``: on a price update every account with a
        position in that market is checked; otherwise the accounts it changed."""
        if isinstance(command, SetPrices):
            market = command.market
            accounts = [
                name
                for name, account in self.state.ledger.accounts.items()
                if (position := account.positions.get(market)) is not None and position.base
            ]
        else:
            market = None
            accounts = sorted(outcome.accounts)
        calls = []
        for name in accounts:
            call = self._check(name, market)
            if call is not None:
                calls.append(call)
        return calls

    def _check(self, name: str, market: str | None) -> MarginCall | None:
        account = self.state.ledger.accounts.get(name)
        if name == KEEPER or account is None or not account.open_positions():
            self.called.discard(name)
            return None
        try:
            view = risk_view(account, self.state.catalog, self.state.prices)
        except MissingPrice:
            return None
        if view.health > self.rearm:
            self.called.discard(name)
            return None
        if view.health >= self.threshold or name in self.called:
            return None
        self.called.add(name)
        return MarginCall(name, view.health, view.equity, view.maintenance_requirement, market)
