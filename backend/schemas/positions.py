"""Positions and balances on the wire."""

from __future__ import annotations

from pydantic import BaseModel


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
