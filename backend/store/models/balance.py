"""Collateral balances per user and asset."""

from __future__ import annotations

from sqlmodel import Field, SQLModel

from backend.store.columns import amount, epoch_ms, reference


class UserBalance(SQLModel, table=True):
    """A balance in the asset's token units (USDC signed: it carries PnL and fees)."""

    __tablename__ = "user_balances"

    user_id: int = reference("users.id", primary_key=True)
    asset: str = Field(primary_key=True, max_length=16)
    amount: int = amount()
    updated_at_ms: int = epoch_ms()
