"""What the preview reads: one market now (book levels best first, prices, oracle
status) and the account (domain objects and the margin its resting orders hold)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from backend.domain.account import Account
from backend.domain.markets import MarketSpec
from backend.domain.orders import TriggerReference

Levels = Sequence[tuple[int, int]]
"""Book levels as (price, size), best first."""


@dataclass(frozen=True, slots=True)
class MarketNow:
    """One market as the ticket sees it now."""

    spec: MarketSpec
    bids: Levels = ()
    asks: Levels = ()
    mark: int | None = None
    oracle: int | None = None
    last: int | None = None
    oracle_status: str = "live"

    @property
    def mid(self) -> int | None:
        """Half-way between the best bid and ask (None with an empty side)."""
        if not self.bids or not self.asks:
            return None
        return (self.bids[0][0] + self.asks[0][0]) // 2

    def reference(self, name: TriggerReference = TriggerReference.MARK) -> int | None:
        """The price a trigger watches."""
        if name is TriggerReference.ORACLE:
            return self.oracle
        if name is TriggerReference.LAST:
            return self.last
        return self.mark

    def engine_reference(self) -> int | None:
        """The price the engine's market protection band is centred on."""
        return self.mark or self.oracle or self.last


@dataclass(frozen=True, slots=True)
class AccountNow:
    """The account as the store knows it, and the margin its resting orders hold."""

    account: Account
    reserved: int = 0
