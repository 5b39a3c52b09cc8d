"""The account equity curve: snapshots of each account's equity over time."""

from __future__ import annotations

from sqlalchemy import Index
from sqlmodel import SQLModel

from backend.store.columns import amount, epoch_ms, reference, serial_id


class EquitySnapshot(SQLModel, table=True):
    """One account's equity at one moment (quote units, every asset at full oracle value,
    as `GET /api/risk` states equity)."""

    __tablename__ = "equity_snapshots"
    # A user's points in a time range: one index range scan.
    __table_args__ = (Index("ix_equity_snapshots_user_id_time_ms", "user_id", "time_ms"),)

    id: int | None = serial_id()
    user_id: int = reference("users.id")
    time_ms: int = epoch_ms()
    equity: int = amount()
    """Collateral value plus unrealised PnL."""
    collateral_value: int = amount()
    """Every collateral balance at full oracle value (the quote asset at 1)."""
    unrealised_pnl: int = amount()
