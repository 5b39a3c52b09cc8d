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


class FundingPaymentOut(BaseModel):
    """What the user paid (negative) or received for one funding period."""

    id: int
    market: str
    position: DecimalText
    """The position's size when funding settled (base units, negative short)."""
    amount: DecimalText
    settled_at_ms: int
