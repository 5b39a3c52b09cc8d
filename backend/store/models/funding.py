"""Funding rates per period and the payments they caused."""

from __future__ import annotations

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from backend.store.columns import (
    amount,
    engine_id,
    epoch_ms,
    reference,
    serial_id,
    wide_amount,
)


class FundingRate(SQLModel, table=True):
    """One settled funding period of a market."""

    __tablename__ = "funding_rates"

    id: int | None = serial_id()
    market: str = Field(foreign_key="markets.symbol", max_length=32, index=True)
    rate: int = amount()
    mark_twap: int = amount()
    oracle_twap: int = amount()
    cumulative_index: int = wide_amount()
    """Grows every period without bound: 1e9 per quote unit per coin, so > 2^63 soon."""
    settled_at_ms: int = epoch_ms(index=True)
    last_trade_id: int | None = engine_id(nullable=True)
    """The market's last trade id when the period closed (None on rows older than it)."""


class FundingPayment(SQLModel, table=True):
    """What one user paid (negative) or received for one funding period."""

    __tablename__ = "funding_payments"
    __table_args__ = (Index("ix_funding_payments_user_id_id", "user_id", "id"),)

    id: int | None = serial_id()
    funding_rate_id: int = reference("funding_rates.id", index=True)
    user_id: int = reference("users.id", index=True)
    market: str = Field(foreign_key="markets.symbol", max_length=32)
    base: int = amount()
    amount: int = amount()
    settled_at_ms: int = epoch_ms()
