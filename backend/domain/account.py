"""A cross-margin account: collateral balances per asset and positions per market."""

from __future__ import annotations

from dataclasses import dataclass, field

from backend.domain.errors import AccountRejected, RejectCode
from backend.domain.markets import MarketCatalog
from backend.domain.positions import Position


@dataclass(slots=True)
class Account:
    """Balances are in each asset's token units; the quote asset's (USDC) balance is signed
    and carries realised PnL, fees and funding."""

    account_id: str
    balances: dict[str, int] = field(default_factory=dict)
    positions: dict[str, Position] = field(default_factory=dict)

    def balance(self, asset: str) -> int:
        """Balance of ``asset`` in token units (0 if never held)."""
        return self.balances.get(asset, 0)

    def position(self, market: str) -> Position:
        """The position in ``market``, created flat on first use."""
        position = self.positions.get(market)
        if position is None:
            position = self.positions[market] = Position(market)
        return position

    def open_positions(self) -> list[Position]:
        """Positions with a non-zero size."""
        return [p for p in self.positions.values() if p.base]

    def credit(self, asset: str, amount: int) -> None:
        """Add a signed amount to a balance."""
        self.balances[asset] = self.balances.get(asset, 0) + amount

    def deposit(self, catalog: MarketCatalog, asset: str, amount: int) -> None:
        """Add ``amount`` token units of a collateral asset; refused (and nothing changed)
        for an unknown asset or a non-positive amount."""
        check_transfer(catalog, asset, amount)
        self.credit(asset, amount)

    def withdraw(self, catalog: MarketCatalog, asset: str, amount: int) -> None:
        """Take ``amount`` token units out; refused beyond the balance held.

        This is the balance check only: the margin check (`margin.max_withdrawal`) is the
        ledger's, which knows the prices.
        """
        check_transfer(catalog, asset, amount)
        if amount > self.balance(asset):
            raise AccountRejected(
                RejectCode.INSUFFICIENT_COLLATERAL,
                f"the {asset} balance is smaller than the amount",
                "amount",
            )
        self.credit(asset, -amount)

    def copy(self) -> Account:
        """A deep copy, for what-if previews."""
        return Account(
            self.account_id,
            dict(self.balances),
            {
                m: Position(p.market, p.base, p.quote_entry, p.last_funding_index)
                for m, p in self.positions.items()
            },
        )


def check_transfer(catalog: MarketCatalog, asset: str, amount: int) -> None:
    """Refuse a deposit or withdrawal of an unknown asset or a non-positive amount."""
    if asset not in catalog.collateral:
        known = ", ".join(catalog.collateral)
        raise AccountRejected(
            RejectCode.UNKNOWN_ASSET,
            f"{asset} is not a collateral asset; use one of {known}",
            "asset",
        )
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise AccountRejected(RejectCode.INVALID_AMOUNT, "the amount must be positive", "amount")
