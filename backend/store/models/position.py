"""Positions per user and market."""

from __future__ import annotations

from sqlmodel import Field, SQLModel

from backend.store.columns import amount, epoch_ms, reference, wide_amount


class Position(SQLModel, table=True):
    """``base`` signed base units; ``quote_entry`` the signed entry flow (see domain)."""

    __tablename__ = "positions"

    user_id: int = reference("users.id", primary_key=True)
    market: str = Field(foreign_key="markets.symbol", primary_key=True, max_length=32)
    base: int = amount()
    quote_entry: int = amount()
    last_funding_index: int = wide_amount()
    updated_at_ms: int = epoch_ms()
