"""Deposits and withdrawals of collateral, one row each."""

from __future__ import annotations

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from backend.store.columns import amount, epoch_ms, reference, serial_id


class Transfer(SQLModel, table=True):
    """Collateral moved in (a deposit, positive) or out (a withdrawal, negative)."""

    __tablename__ = "transfers"
    # A user's transfers after a cursor: one index range scan.
    __table_args__ = (Index("ix_transfers_user_id_id", "user_id", "id"),)

    id: int | None = serial_id()
    user_id: int = reference("users.id")
    asset: str = Field(max_length=16)
    amount: int = amount()
    """Token units of the asset, signed."""
    created_at_ms: int = epoch_ms()
