"""Positions and balances on the wire."""

from __future__ import annotations

from pydantic import BaseModel

from backend.schemas.orders import DecimalText


class PositionOut(BaseModel):
    """An open position with its risk at the current mark."""

    market: str
    size: str
    """Signed base size: positive long, negative short."""
    entry_price: str | None
    mark_price: str | None
    unrealised_pnl: str | None
    liquidation_price: str | None


class BalanceOut(BaseModel):
    """A collateral balance."""

    asset: str
    amount: str


class TransferBody(BaseModel):
    """A deposit or withdrawal of collateral, as a decimal string of the asset."""

    asset: str
    amount: str


class AccountStatsOut(BaseModel):
    """The user's lifetime trading totals (USDC amounts as decimal text)."""

    trades: int
    """Fills the user took part in, as maker or taker."""
    volume: DecimalText
    """Notional traded."""
    fees_paid: DecimalText
    """Trading and liquidation fees (negative: rebates exceeded fees)."""
    realised_pnl: DecimalText
    """PnL realised by reducing or closing positions, before fees and funding."""
    funding_paid: DecimalText
    """Funding paid (negative: received)."""
    updated_at_ms: int | None
    """When the totals last changed (None: no trading yet)."""


class FundingPaymentOut(BaseModel):
    """What the user paid (negative) or received for one funding period."""

    id: int
    market: str
    position: DecimalText
    """The position's size when funding settled (base units, negative short)."""
    amount: DecimalText
    settled_at_ms: int
