"""The local settlement ledger: accounts, fees, the insurance fund, and how fills, funding
and transfers move money. It is the embedded default of the backend and the model the
on-chain program mirrors.

Conservation: ``total_quote()`` (quote balances + open positions' entry flows + insurance
fund + fees) changes only by deposits and withdrawals, whatever the prices. Every fill has
two sides, so the sum of all positions' base is zero and marks cancel out; the rounding
dust of trade flows (buyer pays ``ceil``, seller receives ``floor``: 0 or 1 unit a fill)
and of funding goes to the insurance fund, so nothing is created or lost.
``total_value(prices)`` adds the non-quote collateral at oracle and the unrealised PnL,
and so is conserved across trading, funding and liquidation at fixed prices.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from backend.domain.account import Account, check_transfer
from backend.domain.errors import AccountRejected, RejectCode
from backend.domain.fills import Fill
from backend.domain.fixed_point import PRICE_TIMES_BASE_TO_QUOTE, format_fixed
from backend.domain.funding import settle_positions
from backend.domain.margin import Prices, asset_value, market_prices, max_withdrawal
from backend.domain.markets import MarketCatalog
from backend.domain.positions import apply_trade

if TYPE_CHECKING:
    from backend.domain.liquidation import LiquidationResult


@dataclass(frozen=True, slots=True)
class FillSettlement:
    """What a fill did to its two accounts (quote units)."""

    taker_realised: int
    maker_realised: int
    dust: int


@dataclass(slots=True)
class Ledger:
    """All accounts of a deployment and the exchange's own balances."""

    catalog: MarketCatalog
    accounts: dict[str, Account] = field(default_factory=dict)
    insurance_fund: int = 0
    fees_collected: int = 0
    funding_index: dict[str, int] = field(default_factory=dict)

    @property
    def quote(self) -> str:
        """The quote asset's symbol."""
        return self.catalog.quote_asset

    def account(self, account_id: str) -> Account:
        """The account ``account_id``, opened empty on first use."""
        account = self.accounts.get(account_id)
        if account is None:
            account = self.accounts[account_id] = Account(account_id)
        return account

    # -- transfers -------------------------------------------------------------------

    def deposit(self, account_id: str, asset: str, amount: int) -> None:
        """Credit collateral (token units)."""
        check_transfer(self.catalog, asset, amount)
        self.account(account_id).deposit(self.catalog, asset, amount)

    def withdraw(
        self, account_id: str, asset: str, amount: int, prices: Prices, reserved: int = 0
    ) -> None:
        """Debit collateral, refused if free collateral would fall below ``reserved`` (the
        initial margin held for resting orders)."""
        check_transfer(self.catalog, asset, amount)
        account = self.account(account_id)
        if amount > account.balance(asset):
            raise AccountRejected(
                RejectCode.INSUFFICIENT_COLLATERAL,
                f"the {asset} balance is smaller than the amount",
                "amount",
            )
        allowed = max_withdrawal(account, self.catalog, prices, asset, reserved)
        if amount > allowed:
            most = format_fixed(allowed, self.catalog.asset(asset).precision)
            raise AccountRejected(
                RejectCode.INSUFFICIENT_MARGIN,
                f"withdrawing that much {asset} would breach initial margin; at most "
                f"{most} {asset} can be withdrawn now",
                "amount",
            )
        account.withdraw(self.catalog, asset, amount)

    def insure(self, amount: int) -> None:
        """Add to (or, negative, take from) the insurance fund from outside."""
        if self.insurance_fund + amount < 0:
            raise AccountRejected(
                RejectCode.INVALID_AMOUNT, "the insurance fund cannot go below zero", "amount"
            )
        self.insurance_fund += amount

    # -- trading ---------------------------------------------------------------------

    def apply_fill(self, fill: Fill) -> FillSettlement:
        """Settle a fill: both positions, realised PnL and fees.

        Each side's realised PnL minus its fee goes to its quote balance; the fees go to
        ``fees_collected``; the dust of the two trade flows (0 or 1 unit) to the fund.
        A malformed fill (unknown market, size or price not positive) raises ``ValueError``
        and changes nothing.
        """
        _check_fill(self.catalog, fill)
        taker = self.account(fill.taker_account)
        maker = self.account(fill.maker_account)
        taker_delta = fill.taker_side.sign * fill.size
        index = self.funding_index.get(fill.market, 0)
        taker_position = taker.position(fill.market)
        maker_position = maker.position(fill.market)
        for position in (taker_position, maker_position):
            if not position.base:
                position.last_funding_index = index
        taker_realised, taker_flow = apply_trade(taker_position, taker_delta, fill.price)
        maker_realised, maker_flow = apply_trade(maker_position, -taker_delta, fill.price)
        dust = -(taker_flow + maker_flow)
        taker.credit(self.quote, taker_realised - fill.taker_fee)
        maker.credit(self.quote, maker_realised - fill.maker_fee)
        self.fees_collected += fill.taker_fee + fill.maker_fee
        self.insurance_fund += dust
        return FillSettlement(taker_realised, maker_realised, dust)

    def settle_funding(self, market: str, delta: int) -> dict[str, int]:
        """Move ``market``'s funding index by ``delta`` and settle every position in it;
        returns each account's balance change. The rounding dust goes to the fund, so
        ``sum(payments) + fund increase == 0``."""
        if market not in self.catalog.markets:
            raise ValueError(f"funding for unknown market {market!r}")
        index = self.funding_index.get(market, 0) + delta
        self.funding_index[market] = index
        held = {
            account.account_id: account.positions[market]
            for account in self.accounts.values()
            if market in account.positions
        }
        settled = settle_positions(held, index)
        for account_id, change in settled.payments.items():
            self.accounts[account_id].credit(self.quote, change)
        self.insurance_fund += settled.dust
        return settled.payments

    def liquidate(
        self, account_id: str, liquidator_id: str, prices: Prices, buffer: int | None = None
    ) -> LiquidationResult:
        """Liquidate ``account_id`` into ``liquidator_id`` (see `liquidation.liquidate`)."""
        from backend.domain.liquidation import DEFAULT_BUFFER, liquidate

        chosen = DEFAULT_BUFFER if buffer is None else buffer
        return liquidate(self, account_id, liquidator_id, prices, chosen)

    # -- conservation ----------------------------------------------------------------

    def total_quote(self) -> int:
        """Quote balances + entry flows of open positions + insurance fund + fees."""
        total = self.insurance_fund + self.fees_collected
        for account in self.accounts.values():
            total += account.balance(self.quote)
            total += sum(p.quote_entry for p in account.positions.values())
        return total

    def total_value(self, prices: Prices) -> int:
        """Everything the ledger holds, in quote units at ``prices``: all collateral at full
        oracle value (quote balances as they are), plus unrealised PnL, plus the insurance
        fund and fees.

        Unrealised PnL is summed exactly per market: entry flows plus
        ``floor(total base * mark / 1e9)``; total base is zero, so it is the entry flows
        and this is conserved at fixed prices. (Summing each position's floored PnL instead
        would drift by up to one unit a position.)
        """
        total = self.total_quote()
        bases: dict[str, int] = {}
        for account in self.accounts.values():
            for symbol, balance in account.balances.items():
                if symbol != self.quote:
                    total += asset_value(self.catalog.asset(symbol), balance, prices, None)
            for position in account.positions.values():
                bases[position.market] = bases.get(position.market, 0) + position.base
        for market, base in bases.items():
            if base:
                total += base * market_prices(prices, market).mark // PRICE_TIMES_BASE_TO_QUOTE
        return total

    def total_base(self, market: str) -> int:
        """Sum of all positions' base in ``market`` (zero: every fill has two sides)."""
        return sum(
            a.positions[market].base for a in self.accounts.values() if market in a.positions
        )


def _check_fill(catalog: MarketCatalog, fill: Fill) -> None:
    if fill.market not in catalog.markets:
        raise ValueError(f"fill in unknown market {fill.market!r}")
    for name in ("price", "size"):
        value = getattr(fill, name)
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            raise ValueError(f"fill {name} must be a positive integer, got {value!r}")
    for name in ("maker_fee", "taker_fee"):
        value = getattr(fill, name)
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"fill {name} must be an integer, got {value!r}")
